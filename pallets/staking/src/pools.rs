//! Provider pools: delegators' stake behind compute providers (see the crate docs, "Provider
//! pools"). The `do_*` helpers behind the pool dispatchables, the pallet's side of
//! pallet-compute's [`ProviderPools`] (collateral, income, slashes), the application of deferred
//! pool slashes and income share cuts, and the pools' `try_state` invariants.
//!
//! Points and rewards are O(1) per call: a slash lowers the pool's stake and so the value of
//! every point at once; income raises the pool's reward per point, and a member's pending reward
//! is `points × reward_per_point / REWARD_SCALE` less its `reward_debt`. Debts are rounded up and
//! pending rewards down, so the members together are never owed more than the reward account
//! received.

use crate::{pallet::*, types::*, weights::WeightInfo};
use airtime_primitives::{
	compute::{ProviderPools, ProviderRegistry},
	holds,
};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Fortitude, Preservation},
		OnUnbalanced,
	},
	PalletId,
};
use sp_io::hashing::blake2_256;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AccountIdConversion, Saturating, TrailingZeroInput},
	Perbill, Rounding, SaturatedConversion,
};

/// The tag of a pool's stake account.
const POOL_TAG: &[u8; 4] = b"pool";
/// The tag of a pool's reward account.
const REWARD_TAG: &[u8; 4] = b"prwd";

impl<T: Config> Pallet<T> {
	// ---------------------------------------------------------------- accounts and math

	/// A keyless account of `provider`'s pool: `blake2_256(PalletId, tag, provider)` decoded as
	/// an account (a hash rather than `into_sub_account_truncating`, whose truncation would give
	/// every provider the same account when account ids are shorter than the prefix).
	fn derived_account(tag: &[u8; 4], provider: &T::AccountId) -> T::AccountId {
		let entropy = (T::PalletId::get(), tag, provider).using_encoded(blake2_256);
		Decode::decode(&mut TrailingZeroInput::new(entropy.as_slice())).unwrap_or_else(|_| {
			<PalletId as AccountIdConversion<T::AccountId>>::into_sub_account_truncating(
				&T::PalletId::get(),
				(tag, provider),
			)
		})
	}

	/// The account on which `provider`'s pool holds its members' stake (under
	/// `HoldReason::PoolStake`).
	pub fn pool_account(provider: &T::AccountId) -> T::AccountId {
		Self::derived_account(POOL_TAG, provider)
	}

	/// The account on which `provider`'s pool income waits to be claimed.
	pub fn pool_reward_account(provider: &T::AccountId) -> T::AccountId {
		Self::derived_account(REWARD_TAG, provider)
	}

	/// `x × num / den`, rounded down; `None` when `den` is zero or the result overflows.
	fn pool_ratio(x: BalanceOf<T>, num: BalanceOf<T>, den: BalanceOf<T>) -> Option<BalanceOf<T>> {
		if den.is_zero() {
			return None;
		}
		let r = multiply_by_rational_with_rounding(
			x.saturated_into::<u128>(),
			num.saturated_into::<u128>(),
			den.saturated_into::<u128>(),
			Rounding::Down,
		)?;
		let b = BalanceOf::<T>::saturated_from(r);
		(b.saturated_into::<u128>() == r).then_some(b)
	}

	/// `points × reward_per_point / REWARD_SCALE`, with `rounding`.
	fn accrued(points: BalanceOf<T>, reward_per_point: u128, rounding: Rounding) -> u128 {
		multiply_by_rational_with_rounding(
			points.saturated_into::<u128>(),
			reward_per_point,
			REWARD_SCALE,
			rounding,
		)
		.unwrap_or(u128::MAX)
	}

	/// What `member` of `pool` can claim.
	fn pending_of(pool: &Pool<T>, member: &PoolMember<T>) -> BalanceOf<T> {
		let earned = Self::accrued(member.points, pool.reward_per_point, Rounding::Down);
		BalanceOf::<T>::saturated_from(earned.saturating_sub(member.reward_debt))
	}

	/// What `delegator` can claim from `provider`'s pool (zero if it is no member).
	pub fn pending_pool_reward(provider: &T::AccountId, delegator: &T::AccountId) -> BalanceOf<T> {
		match (Pools::<T>::get(provider), PoolMembers::<T>::get(provider, delegator)) {
			(Some(pool), Some(member)) => Self::pending_of(&pool, &member),
			_ => Zero::zero(),
		}
	}

	/// What `delegator`'s points in `provider`'s pool are worth now (zero if it is no member).
	pub fn pool_member_value(provider: &T::AccountId, delegator: &T::AccountId) -> BalanceOf<T> {
		match (Pools::<T>::get(provider), PoolMembers::<T>::get(provider, delegator)) {
			(Some(pool), Some(member)) => {
				Self::pool_ratio(member.points, pool.stake, pool.points).unwrap_or_else(Zero::zero)
			},
			_ => Zero::zero(),
		}
	}

	/// `provider`'s pending share cut, if its era has come (the current era is at least its
	/// `from_era`).
	fn due_share_cut(provider: &T::AccountId) -> Option<Perbill> {
		let (income_share, from_era) = PendingShareCuts::<T>::get(provider)?;
		(from_era <= CurrentEra::<T>::get().unwrap_or(0)).then_some(income_share)
	}

	/// The income share in force for `provider`'s pool (`None` without a pool): a pending cut
	/// whose era has come, otherwise the pool's share. A view: it applies nothing.
	pub fn pool_income_share(provider: &T::AccountId) -> Option<Perbill> {
		let pool = Pools::<T>::get(provider)?;
		Some(Self::due_share_cut(provider).unwrap_or(pool.income_share))
	}

	/// Apply `provider`'s pending share cut to `pool` if its era has come: the pool takes the
	/// lower share and is written, the pending entry removed, `PoolShareCutApplied` emitted.
	/// Every read of the share that splits income (or that a new share is compared with) goes
	/// through it first.
	fn apply_due_share_cut(provider: &T::AccountId, pool: &mut Pool<T>) {
		let Some(income_share) = Self::due_share_cut(provider) else {
			return;
		};
		PendingShareCuts::<T>::remove(provider);
		pool.income_share = income_share;
		Pools::<T>::insert(provider, &*pool);
		Self::deposit_event(Event::PoolShareCutApplied {
			provider: provider.clone(),
			income_share,
		});
	}

	/// Pay `member` its pending reward from the reward account; the caller settles its debt.
	fn pay_pool_reward(
		provider: &T::AccountId,
		delegator: &T::AccountId,
		pool: &Pool<T>,
		member: &PoolMember<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let pending = Self::pending_of(pool, member);
		if pending.is_zero() {
			return Ok(Zero::zero());
		}
		let reward_account = Self::pool_reward_account(provider);
		let available = T::Currency::reducible_balance(
			&reward_account,
			Preservation::Preserve,
			Fortitude::Polite,
		);
		let amount = if pending > available {
			defensive!("a pool's reward account holds less than a member's pending reward");
			available
		} else {
			pending
		};
		if amount.is_zero() {
			return Ok(Zero::zero());
		}
		T::Currency::transfer(&reward_account, delegator, amount, Preservation::Preserve)?;
		Self::deposit_event(Event::PoolRewardPaid {
			provider: provider.clone(),
			delegator: delegator.clone(),
			amount,
		});
		Ok(amount)
	}

	/// Remove a member left without points and chunks: release its deposit.
	fn remove_member(
		provider: &T::AccountId,
		delegator: &T::AccountId,
		member: &PoolMember<T>,
		pool: &mut Pool<T>,
	) {
		holds::release_exact::<T::Currency, _>(
			&HoldReason::PoolDeposit.into(),
			delegator,
			member.deposit,
		);
		PoolMembers::<T>::remove(provider, delegator);
		pool.members = pool.members.saturating_sub(1);
	}

	// ---------------------------------------------------------------- calls

	pub(crate) fn do_open_pool(provider: T::AccountId, income_share: Perbill) -> DispatchResult {
		ensure!(T::Providers::is_provider(&provider), Error::<T>::NotAProvider);
		ensure!(!Pools::<T>::contains_key(&provider), Error::<T>::PoolExists);
		let deposit = T::PoolDeposit::get();
		let ed = T::Currency::minimum_balance();
		let pool_account = Self::pool_account(&provider);
		let reward_account = Self::pool_reward_account(&provider);
		// Both accounts keep the existential deposit while the pool is open, so the pool account
		// can hold every delegated unit and the reward account can take any share of income.
		let pool_endowment = ed.saturating_sub(T::Currency::balance(&pool_account));
		let reward_endowment = ed.saturating_sub(T::Currency::balance(&reward_account));
		let needed = deposit
			.checked_add(&pool_endowment)
			.and_then(|n| n.checked_add(&reward_endowment))
			.ok_or(Error::<T>::Overflow)?;
		ensure!(
			holds::can_hold::<T::Currency, _>(&provider, needed),
			Error::<T>::InsufficientBalance
		);
		if !deposit.is_zero() {
			T::Currency::hold(&HoldReason::PoolDeposit.into(), &provider, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		let endowments = [(&pool_account, pool_endowment), (&reward_account, reward_endowment)];
		for (account, endowment) in endowments {
			if !endowment.is_zero() {
				T::Currency::transfer(&provider, account, endowment, Preservation::Preserve)
					.map_err(|_| Error::<T>::InsufficientBalance)?;
			}
		}
		Pools::<T>::insert(
			&provider,
			Pool {
				stake: Zero::zero(),
				points: Zero::zero(),
				income_share,
				reward_per_point: 0,
				members: 0,
				deposit,
			},
		);
		Self::deposit_event(Event::PoolOpened { provider, income_share, deposit });
		Ok(())
	}

	/// A raise (or the share in force) at once, cancelling a pending cut; a cut from era
	/// `current + BondingDuration`, replacing a pending one. A due cut is applied first, so
	/// `income_share` is compared with the share in force.
	pub(crate) fn do_set_pool_share(
		provider: T::AccountId,
		income_share: Perbill,
	) -> DispatchResult {
		let mut pool = Pools::<T>::get(&provider).ok_or(Error::<T>::NoPool)?;
		Self::apply_due_share_cut(&provider, &mut pool);
		if income_share >= pool.income_share {
			PendingShareCuts::<T>::remove(&provider);
			pool.income_share = income_share;
			Pools::<T>::insert(&provider, pool);
			Self::deposit_event(Event::PoolShareSet { provider, income_share });
		} else {
			// Members who undelegate now can withdraw from this era on (see `do_undelegate`).
			let from_era =
				CurrentEra::<T>::get().unwrap_or(0).saturating_add(T::BondingDuration::get());
			PendingShareCuts::<T>::insert(&provider, (income_share, from_era));
			Self::deposit_event(Event::PoolShareCutScheduled { provider, income_share, from_era });
		}
		Ok(())
	}

	pub(crate) fn do_delegate(
		delegator: T::AccountId,
		provider: T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(
			!amount.is_zero() && amount >= T::MinDelegation::get(),
			Error::<T>::DelegationTooSmall
		);
		let mut pool = Pools::<T>::get(&provider).ok_or(Error::<T>::NoPool)?;
		ensure!(pool.points.is_zero() || !pool.stake.is_zero(), Error::<T>::PoolWipedOut);
		let existing = PoolMembers::<T>::get(&provider, &delegator);
		let is_new = existing.is_none();
		ensure!(!is_new || pool.members < T::MaxPoolMembers::get(), Error::<T>::PoolFull);
		// At the pool's value per point; one point per unit in an empty pool.
		let points = if pool.points.is_zero() || pool.stake.is_zero() {
			amount
		} else {
			Self::pool_ratio(amount, pool.points, pool.stake).ok_or(Error::<T>::Overflow)?
		};
		ensure!(!points.is_zero(), Error::<T>::DelegationTooSmall);
		let deposit = if is_new { T::MemberDeposit::get() } else { Zero::zero() };
		let needed = amount.checked_add(&deposit).ok_or(Error::<T>::Overflow)?;
		ensure!(
			holds::can_hold::<T::Currency, _>(&delegator, needed),
			Error::<T>::InsufficientBalance
		);
		let mut member = existing.unwrap_or_else(|| PoolMember {
			points: Zero::zero(),
			reward_debt: 0,
			unbonding: BoundedVec::new(),
			deposit,
		});
		let member_points = member.points.checked_add(&points).ok_or(Error::<T>::Overflow)?;
		let pool_points = pool.points.checked_add(&points).ok_or(Error::<T>::Overflow)?;
		let pool_stake = pool.stake.checked_add(&amount).ok_or(Error::<T>::Overflow)?;

		// What the old points earned, before they change.
		Self::pay_pool_reward(&provider, &delegator, &pool, &member)?;
		let pool_account = Self::pool_account(&provider);
		T::Currency::transfer(&delegator, &pool_account, amount, Preservation::Preserve)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		T::Currency::hold(&HoldReason::PoolStake.into(), &pool_account, amount)?;
		if !deposit.is_zero() {
			T::Currency::hold(&HoldReason::PoolDeposit.into(), &delegator, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		member.points = member_points;
		member.reward_debt = Self::accrued(member_points, pool.reward_per_point, Rounding::Up);
		pool.points = pool_points;
		pool.stake = pool_stake;
		if is_new {
			pool.members = pool.members.saturating_add(1);
		}
		PoolMembers::<T>::insert(&provider, &delegator, member);
		Pools::<T>::insert(&provider, pool);
		Self::deposit_event(Event::Delegated { provider, delegator, amount, points });
		Ok(())
	}

	pub(crate) fn do_undelegate(
		delegator: T::AccountId,
		provider: T::AccountId,
		points: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!points.is_zero(), Error::<T>::ZeroAmount);
		let mut pool = Pools::<T>::get(&provider).ok_or(Error::<T>::NoPool)?;
		let mut member =
			PoolMembers::<T>::get(&provider, &delegator).ok_or(Error::<T>::NotAMember)?;
		ensure!(points <= member.points, Error::<T>::NotEnoughPoints);
		// The pool has at least the member's points, so the ratio exists and is at most `stake`.
		let value =
			Self::pool_ratio(points, pool.stake, pool.points).ok_or(Error::<T>::Overflow)?;
		let era = CurrentEra::<T>::get().unwrap_or(0).saturating_add(T::BondingDuration::get());
		if !value.is_zero() {
			if let Some(chunk) = member.unbonding.iter_mut().find(|c| c.era == era) {
				chunk.value = chunk.value.checked_add(&value).ok_or(Error::<T>::Overflow)?;
			} else {
				member
					.unbonding
					.try_push(UnlockChunk { value, era })
					.map_err(|_| Error::<T>::TooManyUnlockingChunks)?;
			}
		}

		// What the old points earned, before they change.
		Self::pay_pool_reward(&provider, &delegator, &pool, &member)?;
		member.points = member.points.saturating_sub(points);
		member.reward_debt = Self::accrued(member.points, pool.reward_per_point, Rounding::Up);
		pool.points = pool.points.saturating_sub(points);
		pool.stake = pool.stake.saturating_sub(value);
		Self::deposit_event(Event::Undelegated {
			provider: provider.clone(),
			delegator: delegator.clone(),
			points,
			amount: value,
			era,
		});
		if member.points.is_zero() && member.unbonding.is_empty() {
			// Slashed to nothing: there is nothing to withdraw later.
			Self::remove_member(&provider, &delegator, &member, &mut pool);
		} else {
			PoolMembers::<T>::insert(&provider, &delegator, member);
		}
		Pools::<T>::insert(&provider, pool);
		Ok(())
	}

	/// Pay the due chunks; returns the number of chunks the member had (for the weight).
	pub(crate) fn do_withdraw_delegation(
		delegator: T::AccountId,
		provider: T::AccountId,
	) -> Result<u32, DispatchError> {
		let mut pool = Pools::<T>::get(&provider).ok_or(Error::<T>::NoPool)?;
		let mut member =
			PoolMembers::<T>::get(&provider, &delegator).ok_or(Error::<T>::NotAMember)?;
		let chunks = member.unbonding.len() as u32;
		let current = CurrentEra::<T>::get().unwrap_or(0);
		let mut amount = BalanceOf::<T>::zero();
		let mut released = 0u32;
		member.unbonding.retain(|c| {
			if c.era <= current {
				amount = amount.saturating_add(c.value);
				released = released.saturating_add(1);
				false
			} else {
				true
			}
		});
		ensure!(released > 0, Error::<T>::NothingToWithdraw);
		let pool_account = Self::pool_account(&provider);
		holds::release_exact::<T::Currency, _>(
			&HoldReason::PoolStake.into(),
			&pool_account,
			amount,
		);
		// The pool account keeps its existential deposit.
		T::Currency::transfer(&pool_account, &delegator, amount, Preservation::Preserve)?;
		if member.points.is_zero() && member.unbonding.is_empty() {
			Self::remove_member(&provider, &delegator, &member, &mut pool);
			Pools::<T>::insert(&provider, pool);
		} else {
			PoolMembers::<T>::insert(&provider, &delegator, member);
		}
		Self::deposit_event(Event::DelegationWithdrawn { provider, delegator, amount });
		Ok(chunks)
	}

	pub(crate) fn do_claim_pool_rewards(
		delegator: T::AccountId,
		provider: T::AccountId,
	) -> DispatchResult {
		let pool = Pools::<T>::get(&provider).ok_or(Error::<T>::NoPool)?;
		let mut member =
			PoolMembers::<T>::get(&provider, &delegator).ok_or(Error::<T>::NotAMember)?;
		ensure!(!Self::pending_of(&pool, &member).is_zero(), Error::<T>::NothingToClaim);
		Self::pay_pool_reward(&provider, &delegator, &pool, &member)?;
		member.reward_debt = Self::accrued(member.points, pool.reward_per_point, Rounding::Up);
		PoolMembers::<T>::insert(&provider, &delegator, member);
		Ok(())
	}

	pub(crate) fn do_close_pool(provider: T::AccountId) -> DispatchResult {
		let pool = Pools::<T>::get(&provider).ok_or(Error::<T>::NoPool)?;
		ensure!(pool.members == 0, Error::<T>::PoolHasMembers);
		if !pool.stake.is_zero() || !pool.points.is_zero() {
			defensive!("a pool without members has stake or points");
		}
		holds::release_exact::<T::Currency, _>(
			&HoldReason::PoolDeposit.into(),
			&provider,
			pool.deposit,
		);
		Pools::<T>::remove(&provider);
		PendingShareCuts::<T>::remove(&provider);
		// The endowments and the rounding dust of income go back to the provider (best effort:
		// whatever cannot move stays where it is).
		for account in [Self::pool_account(&provider), Self::pool_reward_account(&provider)] {
			let left = T::Currency::reducible_balance(
				&account,
				Preservation::Expendable,
				Fortitude::Polite,
			);
			if !left.is_zero() {
				let _ = T::Currency::transfer(&account, &provider, left, Preservation::Expendable);
			}
		}
		Self::deposit_event(Event::PoolClosed { provider });
		Ok(())
	}

	pub(crate) fn do_cancel_deferred_pool_slash(
		era: EraIndex,
		indices: BoundedVec<u32, T::MaxSlashesPerEra>,
	) -> DispatchResult {
		let mut slashes = UnappliedPoolSlashes::<T>::get(era);
		let cancelled = Self::take_slashes(&mut slashes, &indices)?;
		if slashes.is_empty() {
			UnappliedPoolSlashes::<T>::remove(era);
		} else {
			UnappliedPoolSlashes::<T>::insert(era, slashes);
		}
		for slash in cancelled {
			Self::deposit_event(Event::PoolSlashCancelled { era, provider: slash.provider });
		}
		Ok(())
	}

	// ---------------------------------------------------------------- slashes

	/// Apply the pool slashes waiting for `era` (at its start); returns their weight.
	pub(crate) fn apply_pool_slashes(era: EraIndex) -> Weight {
		if !UnappliedPoolSlashes::<T>::contains_key(era) {
			return T::DbWeight::get().reads(1);
		}
		let slashes = UnappliedPoolSlashes::<T>::take(era);
		for slash in slashes.iter() {
			Self::apply_pool_slash(&slash.provider, slash.fraction);
		}
		T::WeightInfo::apply_pool_slashes(slashes.len() as u32)
	}

	/// Take `fraction` of the pool's stake from its hold to the treasury. Points stay: each is
	/// worth that much less. Unbonding chunks are not slashed.
	pub(crate) fn apply_pool_slash(provider: &T::AccountId, fraction: Perbill) {
		let Some(mut pool) = Pools::<T>::get(provider) else {
			return;
		};
		let amount = fraction.mul_floor(pool.stake);
		if amount.is_zero() {
			return;
		}
		let credit = holds::slash_exact::<T::Currency, _>(
			&HoldReason::PoolStake.into(),
			&Self::pool_account(provider),
			amount,
		);
		T::Treasury::on_unbalanced(credit);
		pool.stake = pool.stake.saturating_sub(amount);
		Pools::<T>::insert(provider, pool);
		Self::deposit_event(Event::PoolSlashed { provider: provider.clone(), amount });
	}

	// ---------------------------------------------------------------- try-state

	/// The pools' invariants:
	/// - each pool: its members' points add up to its points and their count to its `members`
	///   (at most `MaxPoolMembers`); the pool account holds exactly its stake plus its members'
	///   unbonding chunks under `PoolStake`; a pool without points has no stake; the reward
	///   account can pay every member's pending reward (up to a unit of rounding per member);
	/// - each member: belongs to an open pool, has points or chunks, no empty chunk and one chunk
	///   per era;
	/// - each account holds exactly its pool's and its memberships' deposits under
	///   `PoolDeposit`;
	/// - no deferred pool slash waits for an era that has already started;
	/// - each pending share cut belongs to an open pool and is below the pool's share.
	#[cfg(any(feature = "try-runtime", test))]
	pub(crate) fn pools_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::{BTreeMap, BTreeSet};
		use frame_support::traits::fungible::InspectHold;

		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (provider, pool) in Pools::<T>::iter() {
			let mut points = BalanceOf::<T>::zero();
			let mut unbonding = BalanceOf::<T>::zero();
			let mut pending = BalanceOf::<T>::zero();
			let mut members = 0u32;
			for (delegator, m) in PoolMembers::<T>::iter_prefix(&provider) {
				members = members.saturating_add(1);
				points = points.saturating_add(m.points);
				ensure!(
					!m.points.is_zero() || !m.unbonding.is_empty(),
					"a pool member without points or chunks stayed"
				);
				ensure!(m.unbonding.iter().all(|c| !c.value.is_zero()), "an empty pool chunk");
				let eras: BTreeSet<EraIndex> = m.unbonding.iter().map(|c| c.era).collect();
				ensure!(eras.len() == m.unbonding.len(), "two pool chunks of one era");
				unbonding = m.unbonding.iter().fold(unbonding, |s, c| s.saturating_add(c.value));
				pending = pending.saturating_add(Self::pending_of(&pool, &m));
				let d = deposits.entry(delegator).or_default();
				*d = d.saturating_add(m.deposit);
			}
			ensure!(points == pool.points, "a pool's points are not its members' points");
			ensure!(members == pool.members, "a pool's member count is wrong");
			ensure!(members <= T::MaxPoolMembers::get(), "more pool members than MaxPoolMembers");
			ensure!(
				!pool.points.is_zero() || pool.stake.is_zero(),
				"a pool without points has stake"
			);
			ensure!(
				T::Currency::balance_on_hold(
					&HoldReason::PoolStake.into(),
					&Self::pool_account(&provider)
				) == pool.stake.saturating_add(unbonding),
				"a pool account's hold is not the pool's stake plus its members' chunks"
			);
			let payable = T::Currency::reducible_balance(
				&Self::pool_reward_account(&provider),
				Preservation::Preserve,
				Fortitude::Polite,
			);
			ensure!(
				payable.saturating_add(members.into()) >= pending,
				"a pool's reward account cannot pay its members' pending rewards"
			);
			let d = deposits.entry(provider).or_default();
			*d = d.saturating_add(pool.deposit);
		}
		for (provider, _) in PoolMembers::<T>::iter_keys() {
			ensure!(Pools::<T>::contains_key(&provider), "a member of a closed pool");
		}
		for (who, expected) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::PoolDeposit.into(), &who) == expected,
				"an account's pool deposit hold differs from its pool and memberships"
			);
		}
		if let Some(active) = ActiveEra::<T>::get() {
			for era in UnappliedPoolSlashes::<T>::iter_keys() {
				ensure!(era >= active.index, "a deferred pool slash waits for a past era");
			}
		}
		for (provider, (income_share, _)) in PendingShareCuts::<T>::iter() {
			let pool = Pools::<T>::get(&provider).ok_or("a pending share cut of a closed pool")?;
			ensure!(
				income_share < pool.income_share,
				"a pending share cut does not lower the pool's share"
			);
		}
		Ok(())
	}
}

impl<T: Config> ProviderPools<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn pooled_stake(provider: &T::AccountId) -> BalanceOf<T> {
		Pools::<T>::get(provider).map_or_else(Zero::zero, |p| p.stake)
	}

	fn paid_weight() -> Weight {
		T::WeightInfo::on_provider_paid()
	}

	fn slashed_weight() -> Weight {
		T::WeightInfo::on_provider_slashed()
	}

	/// The pool's income share in force of `amount` moves from the provider to the reward
	/// account (nothing when there is no pool with points, when the share is too small to raise
	/// the reward per point, or when the provider cannot pay it and stay alive). A pending share
	/// cut whose era has come is applied first (even when the pool takes nothing).
	fn on_provider_paid(provider: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		let Some(mut pool) = Pools::<T>::get(provider) else {
			return Zero::zero();
		};
		Self::apply_due_share_cut(provider, &mut pool);
		if pool.points.is_zero() {
			return Zero::zero();
		}
		let share = pool.income_share.mul_floor(amount);
		if share.is_zero() {
			return Zero::zero();
		}
		let Some(reward_per_point) = multiply_by_rational_with_rounding(
			share.saturated_into::<u128>(),
			REWARD_SCALE,
			pool.points.saturated_into::<u128>(),
			Rounding::Down,
		)
		.filter(|increase| *increase > 0)
		.and_then(|increase| pool.reward_per_point.checked_add(increase)) else {
			return Zero::zero();
		};
		let reward_account = Self::pool_reward_account(provider);
		let paid = T::Currency::transfer(provider, &reward_account, share, Preservation::Preserve);
		if paid.is_err() {
			return Zero::zero();
		}
		pool.reward_per_point = reward_per_point;
		Pools::<T>::insert(provider, pool);
		Self::deposit_event(Event::PoolIncome { provider: provider.clone(), amount: share });
		share
	}

	/// The pool is slashed by `fraction` of its stake, `SlashDeferDuration` eras from the active
	/// one (at once without a deferral, or when that era's queue is full).
	fn on_provider_slashed(provider: &T::AccountId, fraction: Perbill) {
		if fraction.is_zero() {
			return;
		}
		let Some(pool) = Pools::<T>::get(provider) else {
			return;
		};
		if pool.stake.is_zero() {
			return;
		}
		let defer = T::SlashDeferDuration::get();
		let apply_era = ActiveEra::<T>::get().map_or(0, |a| a.index).saturating_add(defer);
		Self::deposit_event(Event::PoolSlashReported {
			provider: provider.clone(),
			fraction,
			apply_era,
		});
		let slash = UnappliedPoolSlash::<T> { provider: provider.clone(), fraction };
		if defer == 0 {
			Self::apply_pool_slash(provider, fraction);
		} else if UnappliedPoolSlashes::<T>::try_mutate(apply_era, |list| list.try_push(slash))
			.is_err()
		{
			// The era's queue is full: better slash now than not at all.
			Self::apply_pool_slash(provider, fraction);
		}
	}
}
