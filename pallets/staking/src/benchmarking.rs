//! Benchmarks for pallet-staking: one per [`WeightInfo`] function, each in its worst case.
//!
//! Stakers are built through the pallet's own `do_*` functions (so ledgers, holds, approval
//! stakes and backer lists agree); benchmarks that add candidates or nominators first chill every
//! existing one (the genesis stakers), so the bounds they fill are theirs alone. Stakes are
//! multiples of [`stake`] (a thousand times the larger minimum bond), accounts are funded far
//! beyond them. Candidates get session keys through `T::BenchmarkHelper`.
//!
//! - `withdraw_unbonded(s)` / `rebond(l)`: `s` / `l` unlocking chunks, all released / rebonded;
//!   the withdrawal empties and removes the ledger; the rebonding stash nominates
//!   `MaxNominations` targets (approval stakes to update).
//! - `validate(n)`: the stash nominated `MaxNominations` targets, each backed by `n` nominators
//!   (its backer entries are removed from full lists); `n = 0`: an idle stash.
//! - `nominate(n)` / `chill(n)`: `n` targets, each already backed by `MaxBackersPerValidator - 1`
//!   other nominators.
//! - `payout_stakers(n)`: page 0 of an exposure with `n` nominators (the validator is paid too).
//! - `cancel_deferred_slash(s)`: `s` of `MaxSlashesPerEra` slashes, each with
//!   `MaxBackersPerValidator` nominators, cancelled from the front.
//! - `new_era(v, n)`: [`Pallet::plan_era`] with `v` candidates and `n` backer entries spread over
//!   the `MaxValidators` best-backed ones (each nominator naming up to `MaxNominations` of them).
//! - `end_era(v)`: [`Pallet::end_era`] of an era whose `v` validators have points, with a funded
//!   fee pot (inflation is minted when the clock has moved since the era's start, stamped 0).
//! - `apply_slashes(n)`: [`Pallet::apply_slash`] taking everything from a validator and `n - 1`
//!   nominators, each with `MaxUnlockingChunks` chunks: every ledger is emptied and removed.
//! - `prune_era(v)`: [`Pallet::prune_era`] of an era with `v` validators, each with `MaxPages`
//!   full exposure pages, all pages claimed, and an unclaimed reward to move to the treasury.
//! - Provider pools: providers are registered through `T::BenchmarkHelper::make_provider`.
//!   `set_pool_share`: a cut of a pool whose earlier cut is due (applied first, then the new one
//!   is stored);
//!   `delegate`: a new member joins a pool of `MaxPoolMembers - 1` members that has had income;
//!   `undelegate`: a member with a pending reward and `MaxUnlockingChunks - 1` chunks;
//!   `withdraw_delegation(s)`: `s` due chunks holding everything, the member removed;
//!   `apply_pool_slashes(n)`: [`Pallet::apply_pool_slashes`] with `n` slashed pools.
//!
//! Assumes `MaxBackersPerValidator <= MaxNominators`, `MaxNominations + 1 <=
//! MaxValidatorCandidates`, `MaxValidators * MaxBackersPerValidator / min(MaxNominations,
//! MaxValidators) <= MaxNominators` and `HistoryDepth >= 1`.

// Benchmarks are not runtime dispatch code: they panic on a setup that does not go as planned.
#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::unwrap_used,
	clippy::indexing_slicing
)]

use super::*;
use airtime_primitives::compute::ProviderPools;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedBTreeMap, BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

const SEED: u32 = 0;

/// Go to block 1 (events are not recorded at block 0).
fn start<T: Config>() {
	frame_system::Pallet::<T>::set_block_number(1u32.into());
}

/// A stake above both minimum bonds: a thousand times the larger one (or the existential
/// deposit), so many small unbonds still leave the minimum.
fn stake<T: Config>() -> BalanceOf<T> {
	let one: BalanceOf<T> = 1u32.into();
	T::MinValidatorBond::get()
		.max(T::MinNominatorBond::get())
		.max(T::Currency::minimum_balance())
		.max(one)
		.saturating_mul(1_000u32.into())
}

/// Give `who` far more than any benchmark bonds from it.
fn fund<T: Config>(who: &T::AccountId) {
	let amount =
		stake::<T>().saturating_mul(1_000u32.into()).saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(who, amount);
}

/// A funded account `name`/`i` bonded with `value`.
fn bonded<T: Config>(name: &'static str, i: u32, value: BalanceOf<T>) -> T::AccountId {
	let who: T::AccountId = account(name, i, SEED);
	fund::<T>(&who);
	Pallet::<T>::do_bond(who.clone(), value).expect("the account bonds");
	who
}

/// A candidate `name`/`i` with `value` bonded, zero commission and session keys.
fn candidate<T: Config>(name: &'static str, i: u32, value: BalanceOf<T>) -> T::AccountId {
	let who = bonded::<T>(name, i, value);
	<T::BenchmarkHelper as crate::BenchmarkHelper<T::AccountId>>::set_session_keys(&who);
	Pallet::<T>::do_validate(who.clone(), Perbill::zero()).expect("the account validates");
	who
}

/// `n` candidates with [`stake`] bonded.
fn candidates<T: Config>(n: u32) -> Vec<T::AccountId> {
	(0..n).map(|i| candidate::<T>("candidate", i, stake::<T>())).collect()
}

/// A nominator `name`/`i` with [`stake`] bonded, nominating `targets`.
fn nominator<T: Config>(name: &'static str, i: u32, targets: &[T::AccountId]) -> T::AccountId {
	let who = bonded::<T>(name, i, stake::<T>());
	Pallet::<T>::do_nominate(who.clone(), BoundedVec::truncate_from(targets.to_vec()))
		.expect("the account nominates");
	who
}

/// Chill every candidate and nominator, so the benchmark's own fill the bounds.
fn clear_roles<T: Config>() {
	let stashes: Vec<T::AccountId> =
		Validators::<T>::iter_keys().chain(Nominators::<T>::iter_keys()).collect();
	for who in stashes {
		let _ = Pallet::<T>::do_chill(who);
	}
}

/// The whitelisted caller, bonded with [`stake`] and nominating `targets` (if any).
fn caller_nominating<T: Config>(targets: &[T::AccountId]) -> T::AccountId {
	let caller: T::AccountId = whitelisted_caller();
	fund::<T>(&caller);
	Pallet::<T>::do_bond(caller.clone(), stake::<T>()).expect("the caller bonds");
	if !targets.is_empty() {
		Pallet::<T>::do_nominate(caller.clone(), BoundedVec::truncate_from(targets.to_vec()))
			.expect("the caller nominates");
	}
	caller
}

/// Give each of `stakers` `count` unlocking chunks of 1, in `count` consecutive planned eras
/// from the current one; the current era ends one past them.
fn add_chunks<T: Config>(stakers: &[T::AccountId], count: u32) {
	let base = CurrentEra::<T>::get().unwrap_or(0);
	for e in 0..count {
		CurrentEra::<T>::put(base + e);
		for who in stakers {
			Pallet::<T>::do_unbond(who.clone(), 1u32.into()).expect("the staker unbonds");
		}
	}
	CurrentEra::<T>::put(base + count);
}

fn unlocking_of<T: Config>(who: &T::AccountId) -> BalanceOf<T> {
	Ledger::<T>::get(who)
		.map(|l| l.unlocking.iter().fold(BalanceOf::<T>::zero(), |s, c| s + c.value))
		.unwrap_or_default()
}

/// An era index past the active one that counts as ended: the active era moves one past it.
fn ended_era<T: Config>() -> EraIndex {
	let era = ActiveEra::<T>::get().map_or(0, |a| a.index) + 1;
	ActiveEra::<T>::put(ActiveEraInfo { index: era + 1, start: None });
	era
}

/// A slash as large as it gets: `MaxBackersPerValidator` nominators.
fn full_slash<T: Config>(i: u32, era: EraIndex) -> UnappliedSlash<T> {
	let value = stake::<T>();
	UnappliedSlash {
		validator: account("offender", i, SEED),
		era,
		own: value,
		others: BoundedVec::truncate_from(
			(0..T::MaxBackersPerValidator::get())
				.map(|j| (account::<T::AccountId>("slashed", j, SEED), value))
				.collect(),
		),
	}
}

/// A delegation to a provider pool: a thousand times the larger of `MinDelegation` and the
/// existential deposit.
fn delegation<T: Config>() -> BalanceOf<T> {
	let one: BalanceOf<T> = 1u32.into();
	T::MinDelegation::get()
		.max(T::Currency::minimum_balance())
		.max(one)
		.saturating_mul(1_000u32.into())
}

/// A funded provider `provider`/`i`, registered through `T::BenchmarkHelper`, with an open pool
/// that takes 10 % of its income.
fn pool_provider<T: Config>(i: u32) -> T::AccountId {
	let who: T::AccountId = account("provider", i, SEED);
	fund::<T>(&who);
	<T::BenchmarkHelper as crate::BenchmarkHelper<T::AccountId>>::make_provider(&who);
	Pallet::<T>::do_open_pool(who.clone(), Perbill::from_percent(10))
		.expect("the provider opens a pool");
	who
}

/// `n` funded members `delegator`/`0..n` of `provider`'s pool, each delegating [`delegation`].
fn pool_members<T: Config>(provider: &T::AccountId, n: u32) -> Vec<T::AccountId> {
	(0..n)
		.map(|i| {
			let who: T::AccountId = account("delegator", i, SEED);
			fund::<T>(&who);
			Pallet::<T>::do_delegate(who.clone(), provider.clone(), delegation::<T>())
				.expect("the account delegates");
			who
		})
		.collect()
}

/// `who` (funded) delegates [`delegation`] to `provider`'s pool.
fn pool_member<T: Config>(provider: &T::AccountId, who: &T::AccountId) {
	fund::<T>(who);
	Pallet::<T>::do_delegate(who.clone(), provider.clone(), delegation::<T>())
		.expect("the account delegates");
}

/// Pay `provider` so its pool takes a share: its members have rewards pending.
fn pool_income<T: Config>(provider: &T::AccountId) {
	let paid = <Pallet<T> as airtime_primitives::compute::ProviderPools<
		T::AccountId,
		BalanceOf<T>,
	>>::on_provider_paid(provider, delegation::<T>().saturating_mul(100u32.into()));
	assert!(!paid.is_zero(), "the pool takes its share of the payment");
}

fn pool_points<T: Config>(provider: &T::AccountId, who: &T::AccountId) -> BalanceOf<T> {
	PoolMembers::<T>::get(provider, who).map(|m| m.points).unwrap_or_default()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	// ------------------------------------------------------------------------ bonding

	#[benchmark]
	fn bond() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let value = stake::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), value);

		assert_eq!(Ledger::<T>::get(&caller).map(|l| l.total), Some(value));
	}

	/// A nominator of `MaxNominations` targets: every target's approval stake changes.
	#[benchmark]
	fn bond_extra() {
		start::<T>();
		clear_roles::<T>();
		let targets = candidates::<T>(T::MaxNominations::get());
		let caller = caller_nominating::<T>(&targets);
		let extra = stake::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), extra);

		assert_eq!(Ledger::<T>::get(&caller).map(|l| l.active), Some(stake::<T>() + extra));
	}

	/// A nominator of `MaxNominations` targets with `MaxUnlockingChunks - 1` chunks: a new chunk
	/// and every target's approval stake.
	#[benchmark]
	fn unbond() {
		start::<T>();
		clear_roles::<T>();
		let targets = candidates::<T>(T::MaxNominations::get());
		let caller = caller_nominating::<T>(&targets);
		let chunks = T::MaxUnlockingChunks::get() - 1;
		add_chunks::<T>(&[caller.clone()], chunks);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), 1u32.into());

		assert_eq!(Ledger::<T>::get(&caller).map(|l| l.unlocking.len() as u32), Some(chunks + 1));
	}

	/// `s` due chunks holding the whole bond: all released, the ledger removed.
	#[benchmark]
	fn withdraw_unbonded(s: Linear<1, { T::MaxUnlockingChunks::get() }>) {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let value = stake::<T>();
		Pallet::<T>::do_bond(caller.clone(), value).expect("the caller bonds");
		let base = CurrentEra::<T>::get().unwrap_or(0);
		for e in 0..s {
			CurrentEra::<T>::put(base + e);
			let amount: BalanceOf<T> = if e + 1 == s {
				Ledger::<T>::get(&caller).map(|l| l.active).unwrap_or_default()
			} else {
				1u32.into()
			};
			Pallet::<T>::do_unbond(caller.clone(), amount).expect("the caller unbonds");
		}
		CurrentEra::<T>::put(base + s + T::BondingDuration::get());
		assert_eq!(Ledger::<T>::get(&caller).map(|l| l.unlocking.len() as u32), Some(s));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Ledger::<T>::contains_key(&caller));
		assert_last_event::<T>(Event::Withdrawn { stash: caller, amount: value });
	}

	/// `l` chunks, all rebonded, by a nominator of `MaxNominations` targets.
	#[benchmark]
	fn rebond(l: Linear<1, { T::MaxUnlockingChunks::get() }>) {
		start::<T>();
		clear_roles::<T>();
		let targets = candidates::<T>(T::MaxNominations::get());
		let caller = caller_nominating::<T>(&targets);
		add_chunks::<T>(&[caller.clone()], l);
		let unlocking = unlocking_of::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), unlocking);

		assert!(Ledger::<T>::get(&caller).is_some_and(|l| l.unlocking.is_empty()));
		assert_eq!(Ledger::<T>::get(&caller).map(|l| l.active), Some(stake::<T>()));
	}

	// ------------------------------------------------------------------------ roles

	/// The caller nominated `MaxNominations` targets, each with `n` backers (itself included):
	/// validating removes it from every list.
	#[benchmark]
	fn validate(n: Linear<0, { T::MaxBackersPerValidator::get() }>) {
		start::<T>();
		clear_roles::<T>();
		let targets = candidates::<T>(T::MaxNominations::get());
		for i in 0..n.saturating_sub(1) {
			nominator::<T>("backer", i, &targets);
		}
		let none: Vec<T::AccountId> = Vec::new();
		let caller = caller_nominating::<T>(if n > 0 { &targets[..] } else { &none[..] });

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), Perbill::zero());

		assert!(Validators::<T>::contains_key(&caller));
		assert!(!Nominators::<T>::contains_key(&caller));
	}

	/// `n` targets, each backed by `MaxBackersPerValidator - 1` others.
	#[benchmark]
	fn nominate(n: Linear<1, { T::MaxNominations::get() }>) {
		start::<T>();
		clear_roles::<T>();
		let targets = candidates::<T>(n);
		for i in 0..T::MaxBackersPerValidator::get().saturating_sub(1) {
			nominator::<T>("backer", i, &targets);
		}
		let caller = caller_nominating::<T>(&[]);
		let list: BoundedVec<T::AccountId, T::MaxNominations> =
			BoundedVec::truncate_from(targets.clone());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), list);

		assert_eq!(Nominators::<T>::get(&caller).map(|x| x.targets.into_inner()), Some(targets));
	}

	/// A nominator of `n` targets, each with full backer lists.
	#[benchmark]
	fn chill(n: Linear<1, { T::MaxNominations::get() }>) {
		start::<T>();
		clear_roles::<T>();
		let targets = candidates::<T>(n);
		for i in 0..T::MaxBackersPerValidator::get().saturating_sub(1) {
			nominator::<T>("backer", i, &targets);
		}
		let caller = caller_nominating::<T>(&targets);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Nominators::<T>::contains_key(&caller));
		assert_last_event::<T>(Event::Chilled { stash: caller });
	}

	// ------------------------------------------------------------------------ rewards

	/// Page 0 of an exposure with `n` nominators: the validator and every nominator are paid.
	#[benchmark]
	fn payout_stakers(n: Linear<0, { T::MaxExposurePageSize::get() }>) {
		start::<T>();
		let validator: T::AccountId = account("validator", 0, SEED);
		fund::<T>(&validator);
		let nominators: Vec<T::AccountId> = (0..n)
			.map(|i| {
				let who: T::AccountId = account("nominator", i, SEED);
				fund::<T>(&who);
				who
			})
			.collect();
		let era = ended_era::<T>();
		let value = stake::<T>();
		let total = nominators.iter().fold(value, |t, _| t + value);
		ErasStakersOverview::<T>::insert(
			era,
			&validator,
			ExposureOverview { total, own: value, nominator_count: n, page_count: 1 },
		);
		if n > 0 {
			let page: Vec<IndividualExposure<T::AccountId, BalanceOf<T>>> = nominators
				.iter()
				.map(|who| IndividualExposure { who: who.clone(), value })
				.collect();
			ErasStakersPaged::<T>::insert(
				(era, &validator, 0u32),
				BoundedVec::<_, T::MaxExposurePageSize>::truncate_from(page),
			);
		}
		let commission = Perbill::from_percent(10).min(T::MaxCommission::get());
		ErasValidatorPrefs::<T>::insert(era, &validator, ValidatorPrefs { commission });
		let mut individual = BoundedBTreeMap::new();
		individual.try_insert(validator.clone(), 1u32).expect("MaxValidators is at least 1");
		ErasRewardPoints::<T>::insert(era, EraRewardPoints::<T> { total: 1, individual });
		ErasElected::<T>::insert(era, BoundedVec::truncate_from(vec![validator.clone()]));
		let reward = value.saturating_mul(1_000u32.into());
		ErasValidatorReward::<T>::insert(era, reward);
		T::Currency::set_balance(
			&Pallet::<T>::account_id(),
			reward + T::Currency::minimum_balance(),
		);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), validator.clone(), era, 0);

		assert_eq!(ClaimedRewards::<T>::get(era, &validator).into_inner(), vec![0]);
		assert!(ErasRewardPaid::<T>::get(era) > Zero::zero());
	}

	// ------------------------------------------------------------------------ slashing

	/// `s` of `MaxSlashesPerEra` full slashes cancelled, from the front.
	#[benchmark]
	fn cancel_deferred_slash(
		s: Linear<1, { T::MaxSlashesPerEra::get() }>,
	) -> Result<(), BenchmarkError> {
		start::<T>();
		let active = ActiveEra::<T>::get().map_or(0, |a| a.index);
		let era = active + 1;
		let slashes: Vec<UnappliedSlash<T>> =
			(0..T::MaxSlashesPerEra::get()).map(|i| full_slash::<T>(i, active)).collect();
		UnappliedSlashes::<T>::insert(era, BoundedVec::truncate_from(slashes));
		let origin = <T::AdminOrigin as EnsureOrigin<T::RuntimeOrigin>>::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let indices: BoundedVec<u32, T::MaxSlashesPerEra> =
			BoundedVec::truncate_from((0..s).collect());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, era, indices);

		assert_eq!(UnappliedSlashes::<T>::get(era).len() as u32, T::MaxSlashesPerEra::get() - s);
		Ok(())
	}

	// --------------------------------------------------------------------------- admin

	/// One storage write; the count is the largest allowed.
	#[benchmark]
	fn set_validator_count() -> Result<(), BenchmarkError> {
		let origin = <T::AdminOrigin as EnsureOrigin<T::RuntimeOrigin>>::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let count = T::MaxValidators::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, count);

		assert_eq!(ValidatorCount::<T>::get(), count);
		Ok(())
	}

	/// `v` accounts written (and encoded twice: the storage value and the event).
	#[benchmark]
	fn set_invulnerables(v: Linear<0, { T::MaxValidators::get() }>) -> Result<(), BenchmarkError> {
		let origin = <T::AdminOrigin as EnsureOrigin<T::RuntimeOrigin>>::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let accounts: Vec<T::AccountId> = (0..v).map(|i| account("invulnerable", i, 0)).collect();
		let invulnerables: BoundedVec<T::AccountId, T::MaxValidators> =
			BoundedVec::truncate_from(accounts);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, invulnerables.clone());

		assert_eq!(Invulnerables::<T>::get(), invulnerables);
		Ok(())
	}

	/// A validator and `n - 1` nominators, each with `MaxUnlockingChunks` chunks, slashed of
	/// everything: every ledger is emptied and removed.
	#[benchmark]
	fn apply_slashes(n: Linear<1, { T::MaxBackersPerValidator::get() + 1 }>) {
		start::<T>();
		clear_roles::<T>();
		let offender = candidate::<T>("offender", 0, stake::<T>());
		let nominators: Vec<T::AccountId> =
			(0..n - 1).map(|i| nominator::<T>("nominator", i, &[offender.clone()])).collect();
		let mut stakers = vec![offender.clone()];
		stakers.extend(nominators.iter().cloned());
		add_chunks::<T>(&stakers, T::MaxUnlockingChunks::get());
		let total_of =
			|who: &T::AccountId| Ledger::<T>::get(who).map(|l| l.total).unwrap_or_default();
		let slash = UnappliedSlash::<T> {
			validator: offender.clone(),
			era: ActiveEra::<T>::get().map_or(0, |a| a.index),
			own: total_of(&offender),
			others: BoundedVec::truncate_from(
				nominators.iter().map(|who| (who.clone(), total_of(who))).collect(),
			),
		};

		#[block]
		{
			Pallet::<T>::apply_slash(&slash);
		}

		for who in stakers.iter() {
			assert!(!Ledger::<T>::contains_key(who));
		}
	}

	// ------------------------------------------------------------------------ eras

	/// Plan an era: `v` candidates, `n` backer entries over the best-backed `MaxValidators`.
	#[benchmark]
	fn new_era(
		v: Linear<1, { T::MaxValidatorCandidates::get() }>,
		n: Linear<0, { T::MaxValidators::get() * T::MaxBackersPerValidator::get() }>,
	) {
		start::<T>();
		clear_roles::<T>();
		let heavy = v.min(T::MaxValidators::get());
		let mut best = Vec::new();
		for i in 0..v {
			// The first `heavy` outrank the rest.
			let value =
				if i < heavy { stake::<T>().saturating_mul(10u32.into()) } else { stake::<T>() };
			let who = candidate::<T>("candidate", i, value);
			if i < heavy {
				best.push(who);
			}
		}
		let per_nominator = T::MaxNominations::get().min(heavy).max(1);
		let entries = n.min(heavy * T::MaxBackersPerValidator::get());
		let (mut e, mut j) = (0u32, 0u32);
		while e < entries {
			let count = per_nominator.min(entries - e);
			let targets: Vec<T::AccountId> =
				(0..count).map(|k| best[((e + k) % heavy) as usize].clone()).collect();
			nominator::<T>("nominator", j, &targets);
			e += count;
			j += 1;
		}
		let previous = CurrentEra::<T>::get();
		let start_session = previous
			.and_then(|e| ErasStartSessionIndex::<T>::get(e))
			.unwrap_or(0)
			.saturating_add(T::SessionsPerEra::get());

		#[block]
		{
			let _ = Pallet::<T>::plan_era(start_session, false);
		}

		let elected = v.min(ValidatorCount::<T>::get()).min(T::MaxValidators::get());
		if elected >= T::MinimumValidatorCount::get().max(1) {
			let era = previous.map_or(0, |e| e + 1);
			assert_eq!(CurrentEra::<T>::get(), Some(era));
			assert_eq!(ErasElected::<T>::get(era).map(|e| e.len() as u32), Some(elected));
		}
	}

	/// End an era whose `v` validators have points, with a funded fee pot.
	#[benchmark]
	fn end_era(v: Linear<1, { T::MaxValidators::get() }>) {
		start::<T>();
		let era = ActiveEra::<T>::get().map_or(0, |a| a.index);
		ActiveEra::<T>::put(ActiveEraInfo { index: era, start: Some(0) });
		ErasRewardPoints::<T>::remove(era);
		let validators: Vec<T::AccountId> = (0..v).map(|i| account("validator", i, SEED)).collect();
		Pallet::<T>::reward_by_ids(validators.iter().map(|who| (who.clone(), 20u32)));
		ErasElected::<T>::insert(era, BoundedVec::truncate_from(validators));
		fund::<T>(&T::RewardPot::get());

		#[block]
		{
			Pallet::<T>::end_era(era, Some(0));
		}

		assert!(ErasValidatorReward::<T>::get(era).is_some_and(|r| !r.is_zero()));
	}

	/// Prune an era of `v` validators, each with `MaxPages` full pages, all claimed, and half the
	/// reward unclaimed.
	#[benchmark]
	fn prune_era(v: Linear<1, { T::MaxValidators::get() }>) {
		start::<T>();
		let era = ActiveEra::<T>::get().map_or(0, |a| a.index) + 1;
		let pages = MaxPages::<T>::get();
		let size = T::MaxExposurePageSize::get();
		let value = stake::<T>();
		let mut validators = Vec::new();
		let mut individual = BoundedBTreeMap::new();
		for i in 0..v {
			let validator: T::AccountId = account("validator", i, SEED);
			let nominators = pages * size;
			let total = (0..nominators).fold(value, |t, _| t + value);
			ErasStakersOverview::<T>::insert(
				era,
				&validator,
				ExposureOverview {
					total,
					own: value,
					nominator_count: nominators,
					page_count: pages,
				},
			);
			for p in 0..pages {
				let page: Vec<IndividualExposure<T::AccountId, BalanceOf<T>>> = (0..size)
					.map(|k| IndividualExposure {
						who: account("nominator", p * size + k, SEED),
						value,
					})
					.collect();
				ErasStakersPaged::<T>::insert(
					(era, &validator, p),
					BoundedVec::<_, T::MaxExposurePageSize>::truncate_from(page),
				);
			}
			ErasValidatorPrefs::<T>::insert(era, &validator, ValidatorPrefs::default());
			ClaimedRewards::<T>::insert(
				era,
				&validator,
				BoundedVec::<u32, MaxPages<T>>::truncate_from((0..pages).collect()),
			);
			ValidatorSlashInEra::<T>::insert(era, &validator, Perbill::from_percent(1));
			individual.try_insert(validator.clone(), 20u32).expect("at most MaxValidators");
			validators.push(validator);
		}
		ErasElected::<T>::insert(era, BoundedVec::truncate_from(validators));
		ErasRewardPoints::<T>::insert(era, EraRewardPoints::<T> { total: 20 * v, individual });
		ErasStartSessionIndex::<T>::insert(era, 0);
		let reward = value.saturating_mul(1_000u32.into());
		ErasValidatorReward::<T>::insert(era, reward);
		ErasRewardPaid::<T>::insert(era, reward / BalanceOf::<T>::from(2u32));
		T::Currency::set_balance(
			&Pallet::<T>::account_id(),
			reward + T::Currency::minimum_balance(),
		);

		#[block]
		{
			Pallet::<T>::prune_era(era);
		}

		assert!(!ErasElected::<T>::contains_key(era));
		assert!(ErasValidatorReward::<T>::get(era).is_none());
		assert!(ErasStakersOverview::<T>::iter_prefix(era).next().is_none());
	}

	// ------------------------------------------------------------------------ provider pools

	#[benchmark]
	fn open_pool() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		<T::BenchmarkHelper as crate::BenchmarkHelper<T::AccountId>>::make_provider(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), Perbill::from_percent(10));

		assert!(Pools::<T>::contains_key(&caller));
	}

	/// A cut (which waits in `PendingShareCuts`) of a pool whose earlier cut is due: that one is
	/// applied first (the pool written, its entry removed), then the new one is stored.
	#[benchmark]
	fn set_pool_share() {
		start::<T>();
		let provider = pool_provider::<T>(0);
		let era = CurrentEra::<T>::get().unwrap_or(0);
		PendingShareCuts::<T>::insert(&provider, (Perbill::from_percent(5), era));
		let from_era = era + T::BondingDuration::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(provider.clone()), Perbill::from_percent(1));

		assert_eq!(
			Pools::<T>::get(&provider).map(|p| p.income_share),
			Some(Perbill::from_percent(5))
		);
		assert_eq!(
			PendingShareCuts::<T>::get(&provider),
			Some((Perbill::from_percent(1), from_era))
		);
	}

	/// A new member joins a pool of `MaxPoolMembers - 1` members that has had income.
	#[benchmark]
	fn delegate() {
		start::<T>();
		let provider = pool_provider::<T>(0);
		pool_members::<T>(&provider, T::MaxPoolMembers::get().saturating_sub(1));
		pool_income::<T>(&provider);
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), provider.clone(), delegation::<T>());

		assert!(PoolMembers::<T>::contains_key(&provider, &caller));
	}

	/// A member with a pending reward and `MaxUnlockingChunks - 1` chunks undelegates half its
	/// points: the reward is paid and a chunk added.
	#[benchmark]
	fn undelegate() {
		start::<T>();
		let provider = pool_provider::<T>(0);
		let caller: T::AccountId = whitelisted_caller();
		pool_member::<T>(&provider, &caller);
		let base = CurrentEra::<T>::get().unwrap_or(0);
		let chunks = T::MaxUnlockingChunks::get() - 1;
		for e in 0..chunks {
			CurrentEra::<T>::put(base + e);
			Pallet::<T>::do_undelegate(caller.clone(), provider.clone(), 1u32.into())
				.expect("the member undelegates");
		}
		CurrentEra::<T>::put(base + chunks);
		pool_income::<T>(&provider);
		let points = pool_points::<T>(&provider, &caller) / BalanceOf::<T>::from(2u32);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), provider.clone(), points);

		assert_eq!(
			PoolMembers::<T>::get(&provider, &caller).map(|m| m.unbonding.len() as u32),
			Some(chunks + 1)
		);
		assert!(Pallet::<T>::pending_pool_reward(&provider, &caller).is_zero());
	}

	/// `s` due chunks holding all the member's funds: all paid, the member removed.
	#[benchmark]
	fn withdraw_delegation(s: Linear<1, { T::MaxUnlockingChunks::get() }>) {
		start::<T>();
		let provider = pool_provider::<T>(0);
		let caller: T::AccountId = whitelisted_caller();
		pool_member::<T>(&provider, &caller);
		let base = CurrentEra::<T>::get().unwrap_or(0);
		for e in 0..s {
			CurrentEra::<T>::put(base + e);
			let points: BalanceOf<T> =
				if e + 1 == s { pool_points::<T>(&provider, &caller) } else { 1u32.into() };
			Pallet::<T>::do_undelegate(caller.clone(), provider.clone(), points)
				.expect("the member undelegates");
		}
		CurrentEra::<T>::put(base + s + T::BondingDuration::get());
		assert_eq!(
			PoolMembers::<T>::get(&provider, &caller).map(|m| m.unbonding.len() as u32),
			Some(s)
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), provider.clone());

		assert!(!PoolMembers::<T>::contains_key(&provider, &caller));
	}

	#[benchmark]
	fn claim_pool_rewards() {
		start::<T>();
		let provider = pool_provider::<T>(0);
		let caller: T::AccountId = whitelisted_caller();
		pool_member::<T>(&provider, &caller);
		pool_income::<T>(&provider);
		assert!(!Pallet::<T>::pending_pool_reward(&provider, &caller).is_zero());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), provider.clone());

		assert!(Pallet::<T>::pending_pool_reward(&provider, &caller).is_zero());
	}

	/// An empty pool whose reward account still holds funds (rounding dust) to return.
	#[benchmark]
	fn close_pool() {
		start::<T>();
		let provider = pool_provider::<T>(0);
		T::Currency::set_balance(
			&Pallet::<T>::pool_reward_account(&provider),
			T::Currency::minimum_balance() + delegation::<T>(),
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(provider.clone()));

		assert!(!Pools::<T>::contains_key(&provider));
	}

	/// `s` of `MaxSlashesPerEra` pool slashes cancelled, from the front.
	#[benchmark]
	fn cancel_deferred_pool_slash(
		s: Linear<1, { T::MaxSlashesPerEra::get() }>,
	) -> Result<(), BenchmarkError> {
		start::<T>();
		let era = ActiveEra::<T>::get().map_or(0, |a| a.index) + 1;
		let slashes: Vec<UnappliedPoolSlash<T>> = (0..T::MaxSlashesPerEra::get())
			.map(|i| UnappliedPoolSlash {
				provider: account("provider", i, SEED),
				fraction: Perbill::from_percent(10),
			})
			.collect();
		UnappliedPoolSlashes::<T>::insert(era, BoundedVec::truncate_from(slashes));
		let origin = <T::AdminOrigin as EnsureOrigin<T::RuntimeOrigin>>::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let indices: BoundedVec<u32, T::MaxSlashesPerEra> =
			BoundedVec::truncate_from((0..s).collect());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, era, indices);

		assert_eq!(
			UnappliedPoolSlashes::<T>::get(era).len() as u32,
			T::MaxSlashesPerEra::get() - s
		);
		Ok(())
	}

	/// `n` pools, each with stake on hold, slashed by 10 % at the start of an era.
	#[benchmark]
	fn apply_pool_slashes(n: Linear<1, { T::MaxSlashesPerEra::get() }>) {
		start::<T>();
		let era = ActiveEra::<T>::get().map_or(0, |a| a.index) + 1;
		let value = delegation::<T>();
		let mut slashes: Vec<UnappliedPoolSlash<T>> = Vec::new();
		for i in 0..n {
			let provider: T::AccountId = account("provider", i, SEED);
			let pool_account = Pallet::<T>::pool_account(&provider);
			T::Currency::set_balance(&pool_account, value + T::Currency::minimum_balance());
			<T::Currency as frame_support::traits::fungible::MutateHold<T::AccountId>>::hold(
				&HoldReason::PoolStake.into(),
				&pool_account,
				value,
			)
			.expect("the pool account holds the stake");
			Pools::<T>::insert(
				&provider,
				Pool {
					stake: value,
					points: value,
					income_share: Perbill::zero(),
					reward_per_point: 0,
					members: 1,
					deposit: Zero::zero(),
				},
			);
			slashes.push(UnappliedPoolSlash { provider, fraction: Perbill::from_percent(10) });
		}
		UnappliedPoolSlashes::<T>::insert(
			era,
			BoundedVec::<_, T::MaxSlashesPerEra>::truncate_from(slashes),
		);

		#[block]
		{
			let _ = Pallet::<T>::apply_pool_slashes(era);
		}

		assert!(UnappliedPoolSlashes::<T>::get(era).is_empty());
	}

	// ------------------------------------------------------------------ pallet-compute's side

	/// A payment to a provider whose pool has a member and a due share cut: the cut is applied,
	/// then the pool's share moves to its reward account (`ProviderPools::on_provider_paid`,
	/// which pallet-compute charges per payment).
	#[benchmark]
	fn on_provider_paid() {
		start::<T>();
		let provider = pool_provider::<T>(0);
		pool_members::<T>(&provider, 1);
		let era = CurrentEra::<T>::get().unwrap_or(0);
		PendingShareCuts::<T>::insert(&provider, (Perbill::from_percent(5), era));
		let amount = delegation::<T>().saturating_mul(100u32.into());
		let paid;

		#[block]
		{
			paid = <Pallet<T> as ProviderPools<T::AccountId, BalanceOf<T>>>::on_provider_paid(
				&provider, amount,
			);
		}

		assert_eq!(paid, Perbill::from_percent(5).mul_floor(amount));
		assert!(!PendingShareCuts::<T>::contains_key(&provider));
	}

	/// A slash of a pooled provider while the era's deferred pool slashes are full: the queue is
	/// read whole, then the pool is slashed at once (`ProviderPools::on_provider_slashed`, which
	/// pallet-compute charges per slash). Without a deferral the queue is not read.
	#[benchmark]
	fn on_provider_slashed() {
		start::<T>();
		let provider = pool_provider::<T>(0);
		pool_members::<T>(&provider, 1);
		let stake = Pools::<T>::get(&provider).map(|p| p.stake).unwrap_or_default();
		let defer = T::SlashDeferDuration::get();
		if defer > 0 {
			let era = ActiveEra::<T>::get().map_or(0, |a| a.index).saturating_add(defer);
			let full: Vec<UnappliedPoolSlash<T>> = (0..T::MaxSlashesPerEra::get())
				.map(|i| UnappliedPoolSlash {
					provider: account("slashed", i, SEED),
					fraction: Perbill::from_percent(1),
				})
				.collect();
			UnappliedPoolSlashes::<T>::insert(
				era,
				BoundedVec::<_, T::MaxSlashesPerEra>::truncate_from(full),
			);
		}

		#[block]
		{
			<Pallet<T> as ProviderPools<T::AccountId, BalanceOf<T>>>::on_provider_slashed(
				&provider,
				Perbill::from_percent(10),
			);
		}

		let after = Pools::<T>::get(&provider).map(|p| p.stake).unwrap_or_default();
		assert_eq!(after, stake.saturating_sub(Perbill::from_percent(10).mul_floor(stake)));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event.into());
}
