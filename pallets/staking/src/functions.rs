//! The pallet's logic: `do_*` helpers behind the thin dispatchables, the election, era
//! transitions and payouts, slashing, the inflation math, the read-only views of the runtime API
//! and the `try_state` invariants.

use crate::{pallet::*, types::*, weights::WeightInfo, SessionInterface};
use airtime_primitives::{
	holds,
	staking::{PendingReward, StakerRole, StakerView, StakingSummary},
};
use alloc::{collections::BTreeSet, vec::Vec};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Balanced, Inspect, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation},
		Contains, Imbalance, OnUnbalanced, UnixTime,
	},
};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AccountIdConversion, Saturating},
	Perbill, Perquintill, Rounding, SaturatedConversion,
};

/// A validator's exposure before it is paged: the validator, its own stake, its nominators.
pub type Elected<T> =
	(AccountIdOf<T>, BalanceOf<T>, Vec<IndividualExposure<AccountIdOf<T>, BalanceOf<T>>>);

impl<T: Config> Pallet<T> {
	// ---------------------------------------------------------------- helpers

	/// The pallet's account, which holds era rewards until they are claimed.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	fn now_ms() -> u64 {
		T::UnixTime::now().as_millis().saturated_into::<u64>()
	}

	fn ledger_of(who: &T::AccountId) -> Result<StakingLedger<T>, DispatchError> {
		Ok(Ledger::<T>::get(who).ok_or(Error::<T>::NotBonded)?)
	}

	/// `x * num / den`, rounded down (zero when `den` is zero).
	fn mul_ratio(x: BalanceOf<T>, num: BalanceOf<T>, den: BalanceOf<T>) -> BalanceOf<T> {
		if den.is_zero() {
			return Zero::zero();
		}
		let r = multiply_by_rational_with_rounding(
			x.saturated_into::<u128>(),
			num.saturated_into::<u128>(),
			den.saturated_into::<u128>(),
			Rounding::Down,
		)
		.unwrap_or(0);
		BalanceOf::<T>::saturated_from(r)
	}

	/// A nominator's stake behind each of its `targets` targets: its active stake split evenly,
	/// rounded down.
	pub fn share(active: BalanceOf<T>, targets: usize) -> BalanceOf<T> {
		let n = BalanceOf::<T>::from(u32::try_from(targets).unwrap_or(u32::MAX));
		active.checked_div(&n).unwrap_or_else(Zero::zero)
	}

	fn add_approval(active: BalanceOf<T>, targets: &[T::AccountId]) {
		let share = Self::share(active, targets.len());
		if share.is_zero() {
			return;
		}
		for t in targets {
			ApprovalStake::<T>::mutate(t, |s| *s = s.saturating_add(share));
		}
	}

	fn remove_approval(active: BalanceOf<T>, targets: &[T::AccountId]) {
		let share = Self::share(active, targets.len());
		if share.is_zero() {
			return;
		}
		for t in targets {
			let left = ApprovalStake::<T>::get(t).saturating_sub(share);
			if left.is_zero() {
				ApprovalStake::<T>::remove(t);
			} else {
				ApprovalStake::<T>::insert(t, left);
			}
		}
	}

	/// Store a changed ledger; a nominator's approval stake follows its active stake.
	fn put_ledger(who: &T::AccountId, ledger: &StakingLedger<T>, old_active: BalanceOf<T>) {
		if ledger.active != old_active {
			if let Some(n) = Nominators::<T>::get(who) {
				Self::remove_approval(old_active, &n.targets);
				Self::add_approval(ledger.active, &n.targets);
			}
		}
		Ledger::<T>::insert(who, ledger);
	}

	fn add_backer(target: &T::AccountId, who: &T::AccountId) -> DispatchResult {
		Backers::<T>::try_mutate(target, |b| -> DispatchResult {
			let list = b.get_or_insert_with(BoundedVec::new);
			if !list.contains(who) {
				list.try_push(who.clone()).map_err(|_| Error::<T>::TooManyBackers)?;
			}
			Ok(())
		})
	}

	fn remove_backer(target: &T::AccountId, who: &T::AccountId) {
		Backers::<T>::mutate_exists(target, |b| {
			let empty = match b {
				Some(list) => {
					list.retain(|x| x != who);
					list.is_empty()
				},
				None => false,
			};
			if empty {
				*b = None;
			}
		});
	}

	/// Stop nominating: the targets lose the nominator's share and backer entry.
	fn remove_nominator(who: &T::AccountId) -> bool {
		let Some(n) = Nominators::<T>::take(who) else {
			return false;
		};
		let active = Ledger::<T>::get(who).map(|l| l.active).unwrap_or_else(Zero::zero);
		Self::remove_approval(active, &n.targets);
		for t in n.targets.iter() {
			Self::remove_backer(t, who);
		}
		true
	}

	/// Stop validating and nominating; whether the stash had a role.
	fn chill_stash(who: &T::AccountId) -> bool {
		let validated = Validators::<T>::contains_key(who);
		if validated {
			Validators::<T>::remove(who);
		}
		let nominated = Self::remove_nominator(who);
		validated || nominated
	}

	/// The least active stake the stash's role needs, if it has one.
	fn role_minimum(who: &T::AccountId) -> Option<BalanceOf<T>> {
		if Validators::<T>::contains_key(who) {
			Some(T::MinValidatorBond::get())
		} else if Nominators::<T>::contains_key(who) {
			Some(T::MinNominatorBond::get())
		} else {
			None
		}
	}

	fn hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(holds::can_hold::<T::Currency, _>(who, amount), Error::<T>::InsufficientBalance);
		T::Currency::hold(&HoldReason::Staking.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Ok(())
	}

	// ---------------------------------------------------------------- bonding

	pub(crate) fn do_bond(who: T::AccountId, value: BalanceOf<T>) -> DispatchResult {
		ensure!(
			!value.is_zero() && value >= T::MinNominatorBond::get(),
			Error::<T>::InsufficientBond
		);
		ensure!(!Ledger::<T>::contains_key(&who), Error::<T>::AlreadyBonded);
		Self::hold(&who, value)?;
		let ledger =
			StakingLedger::<T> { total: value, active: value, unlocking: BoundedVec::new() };
		Ledger::<T>::insert(&who, ledger);
		Self::deposit_event(Event::Bonded { stash: who, amount: value });
		Ok(())
	}

	pub(crate) fn do_bond_extra(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let mut ledger = Self::ledger_of(&who)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let old_active = ledger.active;
		ledger.total = ledger.total.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		ledger.active = ledger.active.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		Self::hold(&who, amount)?;
		Self::put_ledger(&who, &ledger, old_active);
		Self::deposit_event(Event::Bonded { stash: who, amount });
		Ok(())
	}

	pub(crate) fn do_unbond(who: T::AccountId, value: BalanceOf<T>) -> DispatchResult {
		let mut ledger = Self::ledger_of(&who)?;
		ensure!(!value.is_zero(), Error::<T>::ZeroAmount);
		ensure!(value <= ledger.active, Error::<T>::NotEnoughBonded);
		let remaining = ledger.active.saturating_sub(value);
		match Self::role_minimum(&who) {
			Some(min) => ensure!(remaining >= min, Error::<T>::InsufficientBond),
			None => ensure!(
				remaining.is_zero() || remaining >= T::MinNominatorBond::get(),
				Error::<T>::InsufficientBond
			),
		}
		let era = CurrentEra::<T>::get().unwrap_or(0).saturating_add(T::BondingDuration::get());
		if let Some(chunk) = ledger.unlocking.iter_mut().find(|c| c.era == era) {
			chunk.value = chunk.value.checked_add(&value).ok_or(Error::<T>::Overflow)?;
		} else {
			ledger
				.unlocking
				.try_push(UnlockChunk { value, era })
				.map_err(|_| Error::<T>::TooManyUnlockingChunks)?;
		}
		let old_active = ledger.active;
		ledger.active = remaining;
		Self::put_ledger(&who, &ledger, old_active);
		Self::deposit_event(Event::Unbonded { stash: who, amount: value, era });
		Ok(())
	}

	/// Release the due chunks; returns the number of chunks the ledger had (for the weight).
	pub(crate) fn do_withdraw_unbonded(who: T::AccountId) -> Result<u32, DispatchError> {
		let mut ledger = Self::ledger_of(&who)?;
		let chunks = ledger.unlocking.len() as u32;
		let current = CurrentEra::<T>::get().unwrap_or(0);
		let mut amount = BalanceOf::<T>::zero();
		let mut released = 0u32;
		ledger.unlocking.retain(|c| {
			if c.era <= current {
				amount = amount.saturating_add(c.value);
				released = released.saturating_add(1);
				false
			} else {
				true
			}
		});
		ensure!(released > 0, Error::<T>::NothingToWithdraw);
		ledger.total = ledger.total.saturating_sub(amount);
		holds::release_exact::<T::Currency, _>(&HoldReason::Staking.into(), &who, amount);
		if ledger.total.is_zero() {
			// The stored ledger's active stake is zero too, so chilling subtracts no approval.
			if Self::chill_stash(&who) {
				Self::deposit_event(Event::Chilled { stash: who.clone() });
			}
			Ledger::<T>::remove(&who);
		} else {
			Ledger::<T>::insert(&who, &ledger);
		}
		Self::deposit_event(Event::Withdrawn { stash: who, amount });
		Ok(chunks)
	}

	/// Rebond up to `value`, newest chunks first; returns the number of chunks the ledger had.
	pub(crate) fn do_rebond(who: T::AccountId, value: BalanceOf<T>) -> Result<u32, DispatchError> {
		let mut ledger = Self::ledger_of(&who)?;
		ensure!(!value.is_zero(), Error::<T>::ZeroAmount);
		ensure!(!ledger.unlocking.is_empty(), Error::<T>::NothingToRebond);
		let chunks = ledger.unlocking.len() as u32;
		let mut left = value;
		let mut rebonded = BalanceOf::<T>::zero();
		while !left.is_zero() {
			let Some(last) = ledger.unlocking.last_mut() else {
				break;
			};
			if last.value <= left {
				left = left.saturating_sub(last.value);
				rebonded = rebonded.saturating_add(last.value);
				ledger.unlocking.pop();
			} else {
				last.value = last.value.saturating_sub(left);
				rebonded = rebonded.saturating_add(left);
				left = Zero::zero();
			}
		}
		let old_active = ledger.active;
		ledger.active = ledger.active.saturating_add(rebonded);
		if Self::role_minimum(&who).is_none() {
			// Like `unbond`: an idle ledger's active stake is 0 or at least the least bond.
			ensure!(ledger.active >= T::MinNominatorBond::get(), Error::<T>::InsufficientBond);
		}
		Self::put_ledger(&who, &ledger, old_active);
		Self::deposit_event(Event::Rebonded { stash: who, amount: rebonded });
		Ok(chunks)
	}

	// ---------------------------------------------------------------- roles

	pub(crate) fn do_validate(who: T::AccountId, commission: Perbill) -> DispatchResult {
		let ledger = Self::ledger_of(&who)?;
		ensure!(ledger.active >= T::MinValidatorBond::get(), Error::<T>::InsufficientBond);
		ensure!(commission <= T::MaxCommission::get(), Error::<T>::CommissionTooHigh);
		if !Validators::<T>::contains_key(&who) {
			ensure!(
				Validators::<T>::count() < T::MaxValidatorCandidates::get(),
				Error::<T>::TooManyCandidates
			);
		}
		Self::remove_nominator(&who);
		let prefs = ValidatorPrefs { commission };
		Validators::<T>::insert(&who, prefs);
		Self::deposit_event(Event::ValidatorPrefsSet { stash: who, prefs });
		Ok(())
	}

	pub(crate) fn do_nominate(
		who: T::AccountId,
		targets: BoundedVec<T::AccountId, T::MaxNominations>,
	) -> DispatchResult {
		let ledger = Self::ledger_of(&who)?;
		ensure!(ledger.active >= T::MinNominatorBond::get(), Error::<T>::InsufficientBond);
		ensure!(!targets.is_empty(), Error::<T>::EmptyTargets);
		let mut seen = BTreeSet::new();
		for t in targets.iter() {
			ensure!(seen.insert(t), Error::<T>::DuplicateTarget);
		}
		ensure!(!targets.contains(&who), Error::<T>::NominatedSelf);
		for t in targets.iter() {
			ensure!(Validators::<T>::contains_key(t), Error::<T>::NotACandidate);
		}
		let old = Nominators::<T>::get(&who);
		let is_nominator = old.is_some();
		let old_targets: Vec<T::AccountId> =
			old.map(|n| n.targets.into_inner()).unwrap_or_default();
		for t in targets.iter().filter(|t| !old_targets.contains(*t)) {
			let full = Backers::<T>::get(t).is_some_and(|b| b.is_full());
			ensure!(!full, Error::<T>::TooManyBackers);
		}
		if !is_nominator {
			ensure!(
				Nominators::<T>::count() < T::MaxNominators::get(),
				Error::<T>::TooManyNominators
			);
		}

		Self::remove_approval(ledger.active, &old_targets);
		for t in old_targets.iter().filter(|t| !targets.contains(*t)) {
			Self::remove_backer(t, &who);
		}
		for t in targets.iter().filter(|t| !old_targets.contains(*t)) {
			Self::add_backer(t, &who)?;
		}
		Self::add_approval(ledger.active, &targets);
		if Validators::<T>::contains_key(&who) {
			Validators::<T>::remove(&who);
		}
		let submitted_in = CurrentEra::<T>::get().unwrap_or(0);
		Nominators::<T>::insert(&who, Nominations { targets: targets.clone(), submitted_in });
		Self::deposit_event(Event::Nominated { stash: who, targets });
		Ok(())
	}

	pub(crate) fn do_chill(who: T::AccountId) -> DispatchResult {
		Self::ledger_of(&who)?;
		ensure!(Self::chill_stash(&who), Error::<T>::AlreadyChilled);
		Self::deposit_event(Event::Chilled { stash: who });
		Ok(())
	}

	// ---------------------------------------------------------------- rewards

	/// What each staker of page `page` of `validator`'s exposure in `era` is owed from the era's
	/// `reward`: on page 0 the validator first (commission plus its own share), then the page's
	/// nominators.
	fn page_payouts(
		era: EraIndex,
		validator: &T::AccountId,
		page: u32,
		reward: BalanceOf<T>,
		overview: &ExposureOverview<BalanceOf<T>>,
	) -> Vec<(T::AccountId, BalanceOf<T>)> {
		let points = ErasRewardPoints::<T>::get(era).unwrap_or_default();
		let earned = points.individual.get(validator).copied().unwrap_or(0);
		let validator_total = Self::mul_ratio(reward, earned.into(), points.total.into());
		let prefs = ErasValidatorPrefs::<T>::get(era, validator).unwrap_or_default();
		let commission = prefs.commission.mul_floor(validator_total);
		let leftover = validator_total.saturating_sub(commission);
		let mut out = Vec::new();
		if page == 0 {
			let own = Self::mul_ratio(leftover, overview.own, overview.total);
			out.push((validator.clone(), commission.saturating_add(own)));
		}
		for e in ErasStakersPaged::<T>::get((era, validator, page)).unwrap_or_default() {
			let amount = Self::mul_ratio(leftover, e.value, overview.total);
			out.push((e.who, amount));
		}
		out
	}

	/// Pay a page; returns the number of stakers on it (for the weight).
	pub(crate) fn do_payout_stakers(
		validator: T::AccountId,
		era: EraIndex,
		page: u32,
	) -> Result<u32, DispatchError> {
		let active = ActiveEra::<T>::get().map(|a| a.index).ok_or(Error::<T>::EraNotFinished)?;
		ensure!(era < active, Error::<T>::EraNotFinished);
		ensure!(era.saturating_add(T::HistoryDepth::get()) >= active, Error::<T>::EraTooOld);
		let reward = ErasValidatorReward::<T>::get(era).ok_or(Error::<T>::EraNotFinished)?;
		let overview =
			ErasStakersOverview::<T>::get(era, &validator).ok_or(Error::<T>::NotElected)?;
		ensure!(page < overview.page_count, Error::<T>::InvalidPage);
		let mut claimed = ClaimedRewards::<T>::get(era, &validator);
		ensure!(!claimed.contains(&page), Error::<T>::AlreadyClaimed);
		// `page_count` is at most `MaxPages`, so the list has room for every page.
		claimed.try_push(page).map_err(|_| Error::<T>::InvalidPage)?;
		ClaimedRewards::<T>::insert(era, &validator, claimed);
		Self::deposit_event(Event::PayoutStarted { era, validator: validator.clone(), page });

		let payouts = Self::page_payouts(era, &validator, page, reward, &overview);
		let stakers = payouts.len() as u32;
		let account = Self::account_id();
		let budget = reward.saturating_sub(ErasRewardPaid::<T>::get(era));
		let mut paid = BalanceOf::<T>::zero();
		for (stash, amount) in payouts {
			let amount = amount.min(budget.saturating_sub(paid));
			if amount.is_zero() {
				continue;
			}
			// An account that cannot take the amount (reaped, below the existential deposit) is
			// skipped: the amount stays unpaid and goes to the treasury with the era.
			if T::Currency::transfer(&account, &stash, amount, Preservation::Preserve).is_ok() {
				paid = paid.saturating_add(amount);
				Self::deposit_event(Event::Rewarded { stash, era, amount });
			}
		}
		ErasRewardPaid::<T>::mutate(era, |p| *p = p.saturating_add(paid));
		Ok(stakers)
	}

	/// Add era points to validators of the active era (the runtime's authorship handler calls
	/// this with `PointsPerBlock` for each block's author).
	pub fn reward_by_ids(validators: impl IntoIterator<Item = (T::AccountId, u32)>) {
		let Some(active) = ActiveEra::<T>::get() else {
			return;
		};
		ErasRewardPoints::<T>::mutate(active.index, |maybe| {
			let points = maybe.get_or_insert_with(Default::default);
			for (validator, p) in validators {
				if let Some(current) = points.individual.get_mut(&validator) {
					*current = current.saturating_add(p);
				} else if points.individual.try_insert(validator, p).is_err() {
					defensive!("an era has at most MaxValidators authors");
					continue;
				}
				points.total = points.total.saturating_add(p);
			}
		});
	}

	// ---------------------------------------------------------------- inflation

	/// The inflation curve from the governed parameters.
	pub fn inflation_curve() -> InflationCurve {
		InflationCurve {
			yearly: T::YearlyInflation::get(),
			decay: T::InflationDecay::get(),
			floor: T::MinInflation::get(),
		}
	}

	/// The yearly inflation rate at `now_ms` (the curve's year counts from the first era).
	pub fn inflation_rate(now_ms: u64) -> Perquintill {
		let start = InflationStart::<T>::get().unwrap_or(now_ms);
		let years = now_ms.saturating_sub(start).checked_div(MS_PER_YEAR).unwrap_or(0);
		Self::inflation_curve().rate_in_year(years.saturated_into::<u32>())
	}

	/// Inflation for `duration_ms` at `rate` on `issuance`: `rate × issuance × duration / year`
	/// (a duration over a year counts as one year).
	pub fn era_inflation(
		issuance: BalanceOf<T>,
		rate: Perquintill,
		duration_ms: u64,
	) -> BalanceOf<T> {
		let yearly = rate.mul_floor(issuance.saturated_into::<u128>());
		let part = Perquintill::from_rational(duration_ms, MS_PER_YEAR).mul_floor(yearly);
		BalanceOf::<T>::saturated_from(part)
	}

	// ---------------------------------------------------------------- eras

	/// Set the active era's start in its first block (and the inflation curve's start).
	pub(crate) fn note_era_start() {
		if let Some(mut active) = ActiveEra::<T>::get() {
			if active.start.is_none() {
				let now = Self::now_ms();
				active.start = Some(now);
				ActiveEra::<T>::put(active);
				if InflationStart::<T>::get().is_none() {
					InflationStart::<T>::put(now);
				}
			}
		}
	}

	/// The nominators backing `validator` that still name it, largest stake first.
	fn exposure_of(
		validator: &T::AccountId,
	) -> Vec<IndividualExposure<T::AccountId, BalanceOf<T>>> {
		let mut others: Vec<_> = Backers::<T>::get(validator)
			.unwrap_or_default()
			.into_iter()
			.filter_map(|b| {
				let noms = Nominators::<T>::get(&b)?;
				if !noms.targets.contains(validator) {
					return None;
				}
				let ledger = Ledger::<T>::get(&b)?;
				let value = Self::share(ledger.active, noms.targets.len());
				(!value.is_zero()).then_some(IndividualExposure { who: b, value })
			})
			.collect();
		others.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.who.cmp(&b.who)));
		others
	}

	/// Rank the electable candidates (session keys, `MinValidatorBond` active) by own active
	/// stake plus approval stake, ties by account, and take `ValidatorCount` (at most
	/// `MaxValidators`). Returns the elected with their exposures, the number of candidates read
	/// and the number of backers in the exposures.
	pub fn elect() -> (Vec<Elected<T>>, u32, u32) {
		let min = T::MinValidatorBond::get();
		let mut candidates: Vec<(T::AccountId, BalanceOf<T>, BalanceOf<T>)> = Vec::new();
		let mut read = 0u32;
		for v in Validators::<T>::iter_keys() {
			read = read.saturating_add(1);
			if !T::HasSessionKeys::contains(&v) {
				continue;
			}
			let Some(ledger) = Ledger::<T>::get(&v) else {
				continue;
			};
			if ledger.active < min {
				continue;
			}
			let backing = ledger.active.saturating_add(ApprovalStake::<T>::get(&v));
			candidates.push((v, ledger.active, backing));
		}
		candidates.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
		candidates.truncate(ValidatorCount::<T>::get().min(T::MaxValidators::get()) as usize);
		let mut backers = 0u32;
		let elected = candidates
			.into_iter()
			.map(|(v, own, _)| {
				let others = Self::exposure_of(&v);
				backers = backers.saturating_add(others.len() as u32);
				(v, own, others)
			})
			.collect();
		(elected, read, backers)
	}

	fn store_exposure(
		era: EraIndex,
		validator: &T::AccountId,
		own: BalanceOf<T>,
		others: Vec<IndividualExposure<T::AccountId, BalanceOf<T>>>,
	) {
		let size = T::MaxExposurePageSize::get().max(1) as usize;
		let total = others.iter().fold(own, |t, e| t.saturating_add(e.value));
		let nominator_count = others.len() as u32;
		let mut page_count = 0u32;
		for chunk in others.chunks(size) {
			ErasStakersPaged::<T>::insert(
				(era, validator, page_count),
				BoundedVec::<_, T::MaxExposurePageSize>::truncate_from(chunk.to_vec()),
			);
			page_count = page_count.saturating_add(1);
		}
		let overview =
			ExposureOverview { total, own, nominator_count, page_count: page_count.max(1) };
		ErasStakersOverview::<T>::insert(era, validator, overview);
		ErasValidatorPrefs::<T>::insert(
			era,
			validator,
			Validators::<T>::get(validator).unwrap_or_default(),
		);
	}

	/// Plan the next era (era 0 if none was), starting at session `start_session`. Returns the
	/// new validator set, or `None` when fewer than `MinimumValidatorCount` (and at least one)
	/// were elected; the first era is then still recorded, without exposures, so the session
	/// pallet's own genesis keys validate it.
	pub(crate) fn plan_era(
		start_session: SessionIndex,
		is_genesis: bool,
	) -> Option<Vec<T::AccountId>> {
		let current = CurrentEra::<T>::get();
		let era = current.map_or(0, |e| e.saturating_add(1));
		let (elected, candidates, backers) = Self::elect();
		if !is_genesis {
			frame_system::Pallet::<T>::register_extra_weight_unchecked(
				T::WeightInfo::new_era(candidates, backers),
				DispatchClass::Mandatory,
			);
		}
		let count = elected.len() as u32;
		if count < T::MinimumValidatorCount::get().max(1) {
			if current.is_none() {
				CurrentEra::<T>::put(0);
				ErasStartSessionIndex::<T>::insert(0, start_session);
			}
			Self::deposit_event(Event::ElectionFailed { candidates });
			return None;
		}
		let mut set = Vec::with_capacity(elected.len());
		for (v, own, others) in elected {
			Self::store_exposure(era, &v, own, others);
			set.push(v);
		}
		// At most `MaxValidators` were elected.
		ErasElected::<T>::insert(
			era,
			BoundedVec::<_, T::MaxValidators>::truncate_from(set.clone()),
		);
		ErasStartSessionIndex::<T>::insert(era, start_session);
		CurrentEra::<T>::put(era);
		Self::deposit_event(Event::EraPlanned { era, validators: count });
		Some(set)
	}

	/// End the active era (if any) and start `era`: apply its deferred slashes and prune the era
	/// that left the history.
	pub(crate) fn start_era(era: EraIndex) {
		let mut weight = Weight::zero();
		if let Some(active) = ActiveEra::<T>::get() {
			let validators = ErasElected::<T>::get(active.index).map_or(0, |e| e.len() as u32);
			Self::end_era(active.index, active.start);
			weight = weight.saturating_add(T::WeightInfo::end_era(validators));
		}
		ActiveEra::<T>::put(ActiveEraInfo { index: era, start: None });
		for slash in UnappliedSlashes::<T>::take(era) {
			let stakers = (slash.others.len() as u32).saturating_add(1);
			weight = weight.saturating_add(T::WeightInfo::apply_slashes(stakers));
			Self::apply_slash(&slash);
		}
		weight = weight.saturating_add(Self::apply_pool_slashes(era));
		// No offence older than the bonding duration is slashed: forget the session roots that
		// would prove one.
		if let Some(oldest) = era.checked_sub(T::BondingDuration::get()) {
			if let Some(session) = ErasStartSessionIndex::<T>::get(oldest) {
				let pruned = Self::historical_sessions_pruned(oldest, session);
				T::SessionInterface::prune_historical_up_to(session);
				// pallet-session's historical `prune_up_to` reads and writes `StoredRange` and
				// deposits `RootsPruned`, and removes one `HistoricalSessions` entry per pruned
				// session; we read the two era starts.
				let db = T::DbWeight::get();
				weight = weight
					.saturating_add(db.reads_writes(3, 2))
					.saturating_add(db.writes(u64::from(pruned)));
			}
		}
		if let Some(old) = era.checked_sub(T::HistoryDepth::get().saturating_add(1)) {
			let validators = ErasElected::<T>::get(old).map_or(0, |e| e.len() as u32);
			weight = weight.saturating_add(T::WeightInfo::prune_era(validators));
			Self::prune_era(old);
		}
		Self::deposit_event(Event::EraStarted { era });
		if !weight.is_zero() {
			frame_system::Pallet::<T>::register_extra_weight_unchecked(
				weight,
				DispatchClass::Mandatory,
			);
		}
	}

	/// How many historical session roots pruning up to `up_to`, the start of the oldest
	/// slashable era `oldest`, removes at most. The previous era start pruned up to the start of
	/// `oldest - 1` (eras start one after the other), so it removes that era's sessions: usually
	/// `SessionsPerEra`, more after failed elections. For era 0: the sessions before its start.
	/// `SessionsPerEra` if the previous era's start is gone (only when `HistoryDepth <
	/// BondingDuration`).
	pub(crate) fn historical_sessions_pruned(
		oldest: EraIndex,
		up_to: SessionIndex,
	) -> SessionIndex {
		let Some(previous) = oldest.checked_sub(1) else {
			return up_to;
		};
		match ErasStartSessionIndex::<T>::get(previous) {
			Some(start) => up_to.saturating_sub(start),
			None => T::SessionsPerEra::get(),
		}
	}

	/// Fix the reward of `era`, which started at `start` (ms) and ends now.
	pub(crate) fn end_era(era: EraIndex, start: Option<u64>) {
		let now = Self::now_ms();
		let duration = start.map_or(0, |s| now.saturating_sub(s));
		// The rate of the curve year in which the era began (an era ending exactly on a year
		// boundary belongs to the year before).
		let rate = Self::inflation_rate(start.unwrap_or(now));
		let inflation = Self::era_inflation(T::Currency::total_issuance(), rate, duration);
		let treasury_part = T::InflationToTreasury::get().mul_floor(inflation);
		let stakers_part = inflation.saturating_sub(treasury_part);
		let account = Self::account_id();
		let pot = T::RewardPot::get();
		let fees = if pot == account {
			Zero::zero()
		} else {
			T::Currency::reducible_balance(&pot, Preservation::Preserve, Fortitude::Polite)
		};
		let mut to_treasury = T::Currency::issue(treasury_part);
		let mut minted_total = treasury_part;
		let points = ErasRewardPoints::<T>::get(era).map_or(0, |p| p.total);
		let (to_stakers, from_fees) = if points == 0 {
			// Nobody earned the reward: all of it goes to the treasury.
			to_treasury.subsume(T::Currency::issue(stakers_part));
			minted_total = minted_total.saturating_add(stakers_part);
			let from_fees = if fees.is_zero() {
				Zero::zero()
			} else {
				match T::Currency::withdraw(
					&pot,
					fees,
					Precision::BestEffort,
					Preservation::Preserve,
					Fortitude::Polite,
				) {
					Ok(credit) => {
						let taken = credit.peek();
						to_treasury.subsume(credit);
						taken
					},
					Err(_) => Zero::zero(),
				}
			};
			(Zero::zero(), from_fees)
		} else {
			let minted = if stakers_part.is_zero() {
				Zero::zero()
			} else {
				T::Currency::mint_into(&account, stakers_part).unwrap_or_else(|_| Zero::zero())
			};
			minted_total = minted_total.saturating_add(minted);
			let from_fees = if fees.is_zero() {
				Zero::zero()
			} else {
				T::Currency::transfer(&pot, &account, fees, Preservation::Preserve)
					.unwrap_or_else(|_| Zero::zero())
			};
			(minted.saturating_add(from_fees), from_fees)
		};
		let treasury_total = to_treasury.peek();
		T::Treasury::on_unbalanced(to_treasury);
		TotalInflationMinted::<T>::mutate(|m| *m = m.saturating_add(minted_total));
		ErasValidatorReward::<T>::insert(era, to_stakers);
		LastEraFees::<T>::put((from_fees, duration));
		Self::deposit_event(Event::EraPaid {
			era,
			inflation: minted_total,
			to_stakers,
			to_treasury: treasury_total,
			from_fees,
		});
	}

	/// Remove an era's records; its unclaimed reward goes to the treasury.
	pub(crate) fn prune_era(era: EraIndex) {
		let reward = ErasValidatorReward::<T>::take(era).unwrap_or_else(Zero::zero);
		let unclaimed = reward.saturating_sub(ErasRewardPaid::<T>::take(era));
		if !unclaimed.is_zero() {
			if let Ok(credit) = T::Currency::withdraw(
				&Self::account_id(),
				unclaimed,
				Precision::BestEffort,
				Preservation::Preserve,
				Fortitude::Polite,
			) {
				T::Treasury::on_unbalanced(credit);
			}
		}
		ErasElected::<T>::remove(era);
		ErasStartSessionIndex::<T>::remove(era);
		ErasRewardPoints::<T>::remove(era);
		// Each is bounded by the era's elected validators (and their pages).
		let _ = ErasStakersOverview::<T>::clear_prefix(era, u32::MAX, None);
		let _ = ErasStakersPaged::<T>::clear_prefix((era,), u32::MAX, None);
		let _ = ErasValidatorPrefs::<T>::clear_prefix(era, u32::MAX, None);
		let _ = ClaimedRewards::<T>::clear_prefix(era, u32::MAX, None);
		let _ = ValidatorSlashInEra::<T>::clear_prefix(era, u32::MAX, None);
	}

	// ---------------------------------------------------------------- slashing

	/// The era `session` belonged to: the latest era, from the active one back at most
	/// `BondingDuration` eras, that started at or before it.
	fn era_of_session(active: EraIndex, session: SessionIndex) -> Option<EraIndex> {
		let mut era = active;
		for _ in 0..=T::BondingDuration::get() {
			match ErasStartSessionIndex::<T>::get(era) {
				Some(start) if start <= session => return Some(era),
				Some(_) => era = era.checked_sub(1)?,
				None => return None,
			}
		}
		None
	}

	/// Record offences in `session`: each offender with the fraction to slash.
	pub(crate) fn do_on_offence(
		offenders: impl IntoIterator<Item = (T::AccountId, Perbill)>,
		session: SessionIndex,
	) -> Weight {
		let db = T::DbWeight::get();
		let mut weight = db.reads(1);
		let Some(active) = ActiveEra::<T>::get().map(|a| a.index) else {
			return weight;
		};
		let slash_era = Self::era_of_session(active, session);
		weight =
			weight.saturating_add(db.reads(T::BondingDuration::get().saturating_add(1).into()));
		let defer = T::SlashDeferDuration::get();
		let invulnerables = Invulnerables::<T>::get();
		for (validator, fraction) in offenders {
			if invulnerables.contains(&validator) {
				Self::deposit_event(Event::OffenceIgnored { validator, session });
				continue;
			}
			let Some(era) = slash_era else {
				Self::deposit_event(Event::OffenceIgnored { validator, session });
				continue;
			};
			weight = weight.saturating_add(db.reads(2));
			let prior = ValidatorSlashInEra::<T>::get(era, &validator).unwrap_or_default();
			if fraction <= prior {
				continue;
			}
			let Some(overview) = ErasStakersOverview::<T>::get(era, &validator) else {
				// Not elected in that era (e.g. a set kept after a failed election): no exposure
				// to slash.
				Self::deposit_event(Event::OffenceIgnored { validator, session });
				continue;
			};
			// The deferral counts from the offence's era, like the bonding duration of what was
			// unbonded in it, so the slash applies before those funds can be withdrawn.
			let apply_era = era.saturating_add(defer);
			if era == active {
				// Disable it for the rest of the era (it may still be in the planned set).
				T::SessionInterface::report_offence(&validator, fraction);
			}
			ValidatorSlashInEra::<T>::insert(era, &validator, fraction);
			let delta =
				Perbill::from_parts(fraction.deconstruct().saturating_sub(prior.deconstruct()));
			let mut others = BoundedVec::<_, T::MaxBackersPerValidator>::new();
			for page in 0..overview.page_count {
				weight = weight.saturating_add(db.reads(1));
				for e in ErasStakersPaged::<T>::get((era, &validator, page)).unwrap_or_default() {
					let amount = delta.mul_floor(e.value);
					if amount.is_zero() {
						continue;
					}
					if others.try_push((e.who, amount)).is_err() {
						defensive!("an exposure has at most MaxBackersPerValidator nominators");
					}
				}
			}
			let slash = UnappliedSlash::<T> {
				validator: validator.clone(),
				era,
				own: delta.mul_floor(overview.own),
				others,
			};
			weight = weight.saturating_add(db.writes(2));
			if Validators::<T>::contains_key(&validator) {
				Validators::<T>::remove(&validator);
				Self::deposit_event(Event::Chilled { stash: validator.clone() });
			}
			Self::deposit_event(Event::SlashReported {
				validator,
				fraction,
				slash_era: era,
				apply_era,
			});
			let stakers = (slash.others.len() as u32).saturating_add(1);
			if defer == 0 || apply_era <= active {
				weight = weight.saturating_add(T::WeightInfo::apply_slashes(stakers));
				Self::apply_slash(&slash);
			} else if let Err(slash) =
				UnappliedSlashes::<T>::try_mutate(apply_era, |list| list.try_push(slash))
			{
				// The era's queue is full: better slash now than not at all.
				weight = weight.saturating_add(T::WeightInfo::apply_slashes(stakers));
				Self::apply_slash(&slash);
			}
		}
		weight
	}

	/// Take a slash from the offender's and its nominators' bonds, to the treasury.
	pub(crate) fn apply_slash(slash: &UnappliedSlash<T>) {
		Self::slash_staker(&slash.validator, slash.own);
		for (who, amount) in slash.others.iter() {
			Self::slash_staker(who, *amount);
		}
	}

	/// Slash up to `amount` of a stash's bond: active stake first, then unlocking chunks from
	/// the newest. An emptied ledger is removed.
	fn slash_staker(who: &T::AccountId, amount: BalanceOf<T>) {
		let Some(mut ledger) = Ledger::<T>::get(who) else {
			return;
		};
		let amount = amount.min(ledger.total);
		if amount.is_zero() {
			return;
		}
		let old_active = ledger.active;
		let from_active = amount.min(ledger.active);
		ledger.active = ledger.active.saturating_sub(from_active);
		let mut left = amount.saturating_sub(from_active);
		for chunk in ledger.unlocking.iter_mut().rev() {
			if left.is_zero() {
				break;
			}
			let take = left.min(chunk.value);
			chunk.value = chunk.value.saturating_sub(take);
			left = left.saturating_sub(take);
		}
		ledger.unlocking.retain(|c| !c.value.is_zero());
		ledger.total = ledger.total.saturating_sub(amount);
		let credit = holds::slash_exact::<T::Currency, _>(&HoldReason::Staking.into(), who, amount);
		T::Treasury::on_unbalanced(credit);
		Self::put_ledger(who, &ledger, old_active);
		if ledger.total.is_zero() {
			if Self::chill_stash(who) {
				Self::deposit_event(Event::Chilled { stash: who.clone() });
			}
			Ledger::<T>::remove(who);
		}
		Self::deposit_event(Event::Slashed { staker: who.clone(), amount });
	}

	pub(crate) fn do_cancel_deferred_slash(
		era: EraIndex,
		indices: BoundedVec<u32, T::MaxSlashesPerEra>,
	) -> DispatchResult {
		let mut slashes = UnappliedSlashes::<T>::get(era);
		let cancelled = Self::take_slashes(&mut slashes, &indices)?;
		if slashes.is_empty() {
			UnappliedSlashes::<T>::remove(era);
		} else {
			UnappliedSlashes::<T>::insert(era, slashes);
		}
		for slash in cancelled {
			Self::deposit_event(Event::SlashCancelled { era, validator: slash.validator });
		}
		Ok(())
	}

	/// Remove the slashes at `indices` (non-empty, sorted, unique, in range) from an era's queue
	/// and return them in index order. Shared by validator and pool slash cancellation.
	pub(crate) fn take_slashes<S>(
		slashes: &mut BoundedVec<S, T::MaxSlashesPerEra>,
		indices: &[u32],
	) -> Result<Vec<S>, DispatchError> {
		ensure!(!indices.is_empty(), Error::<T>::EmptySlashIndices);
		ensure!(
			indices.iter().zip(indices.iter().skip(1)).all(|(a, b)| a < b),
			Error::<T>::NotSortedAndUnique
		);
		// Sorted: the last index is the largest.
		let largest = indices.last().copied().unwrap_or(0) as usize;
		ensure!(largest < slashes.len(), Error::<T>::InvalidSlashIndex);
		let mut taken = Vec::with_capacity(indices.len());
		for i in indices.iter().rev() {
			let i = *i as usize;
			if i < slashes.len() {
				taken.push(slashes.remove(i));
			}
		}
		taken.reverse();
		Ok(taken)
	}

	// ---------------------------------------------------------------- config

	pub(crate) fn check_config() {
		assert!(
			T::SlashDeferDuration::get() < T::BondingDuration::get(),
			"SlashDeferDuration must be below BondingDuration, or unbonded funds escape slashes"
		);
		assert!(T::SessionsPerEra::get() >= 1, "an era needs a session");
		assert!(T::MaxValidators::get() >= 1, "MaxValidators must be at least 1");
		assert!(T::MaxExposurePageSize::get() >= 1, "MaxExposurePageSize must be at least 1");
		assert!(T::MaxNominations::get() >= 1, "MaxNominations must be at least 1");
		assert!(T::MaxUnlockingChunks::get() >= 1, "MaxUnlockingChunks must be at least 1");
	}

	// ---------------------------------------------------------------- views

	/// A stash's bond and role, for the runtime API.
	pub fn ledger_view(who: &T::AccountId) -> Option<StakerView<T::AccountId, BalanceOf<T>>> {
		let ledger = Ledger::<T>::get(who)?;
		let role = if let Some(prefs) = Validators::<T>::get(who) {
			StakerRole::Validator { commission: prefs.commission }
		} else if let Some(n) = Nominators::<T>::get(who) {
			StakerRole::Nominator { targets: n.targets.into_inner() }
		} else {
			StakerRole::Idle
		};
		Some(StakerView {
			total: ledger.total,
			active: ledger.active,
			unlocking: ledger.unlocking.iter().map(|c| (c.value, c.era)).collect(),
			role,
		})
	}

	/// What `who` can still claim in the eras of the history: as a validator (page 0 of its own
	/// exposures) and as a nominator of its current targets.
	pub fn pending_rewards(who: &T::AccountId) -> Vec<PendingReward<T::AccountId, BalanceOf<T>>> {
		let Some(active) = ActiveEra::<T>::get().map(|a| a.index) else {
			return Vec::new();
		};
		let mut validators = alloc::vec![who.clone()];
		if let Some(n) = Nominators::<T>::get(who) {
			validators.extend(n.targets.into_iter().filter(|t| t != who));
		}
		let mut out = Vec::new();
		for era in active.saturating_sub(T::HistoryDepth::get())..active {
			let Some(reward) = ErasValidatorReward::<T>::get(era) else {
				continue;
			};
			for v in &validators {
				let Some(overview) = ErasStakersOverview::<T>::get(era, v) else {
					continue;
				};
				let claimed = ClaimedRewards::<T>::get(era, v);
				let pages = if v == who { 0..1 } else { 0..overview.page_count };
				for page in pages.filter(|p| !claimed.contains(p)) {
					let amount = Self::page_payouts(era, v, page, reward, &overview)
						.into_iter()
						.find(|(s, _)| s == who)
						.map(|(_, a)| a)
						.filter(|a| !a.is_zero());
					if let Some(amount) = amount {
						out.push(PendingReward { era, validator: v.clone(), page, amount });
					}
				}
			}
		}
		out
	}

	/// The staking summary for the runtime API.
	pub fn summary_view() -> StakingSummary<BalanceOf<T>> {
		let active_era = ActiveEra::<T>::get().map_or(0, |a| a.index);
		let elected = ErasElected::<T>::get(active_era).unwrap_or_default();
		let total_staked = elected.iter().fold(BalanceOf::<T>::zero(), |t, v| {
			let exposed =
				ErasStakersOverview::<T>::get(active_era, v).map_or(Zero::zero(), |o| o.total);
			t.saturating_add(exposed)
		});
		let rate = Self::inflation_rate(Self::now_ms());
		let yearly = rate.mul_floor(T::Currency::total_issuance().saturated_into::<u128>());
		let to_stakers = yearly.saturating_sub(T::InflationToTreasury::get().mul_floor(yearly));
		let fees = LastEraFees::<T>::get()
			.and_then(|(fees, duration)| {
				multiply_by_rational_with_rounding(
					fees.saturated_into::<u128>(),
					MS_PER_YEAR.into(),
					duration.into(),
					Rounding::Down,
				)
			})
			.unwrap_or(0);
		let staked = total_staked.saturated_into::<u128>();
		let apy_estimate = if staked == 0 {
			Perquintill::zero()
		} else {
			Perquintill::from_rational(to_stakers.saturating_add(fees), staked)
		};
		StakingSummary {
			active_era,
			total_staked,
			yearly_inflation: rate,
			apy_estimate,
			validator_count: elected.len() as u32,
			candidates: Validators::<T>::count(),
			nominators: Nominators::<T>::count(),
		}
	}

	// ---------------------------------------------------------------- try-state

	/// The pallet's invariants:
	/// - each ledger: total = active + unlocking, held exactly under `Staking`, not empty, one
	///   non-empty chunk per era;
	/// - candidate and nominator counts within bounds and matching the maps; each candidate and
	///   nominator bonded; no stash both;
	/// - the approval stake of each account is the sum of its nominators' shares; backer lists
	///   match the nominations both ways;
	/// - each stored exposure adds up over its pages;
	/// - no era paid more than its reward, and the pallet account holds the unpaid rewards plus
	///   the existential deposit;
	/// - no deferred slash waits for an era that has already started;
	/// - the provider pools' invariants (`pools_try_state`), among them: each pending share cut
	///   belongs to an open pool and is below its share.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		use frame_support::traits::fungible::InspectHold;

		let reason = HoldReason::Staking.into();
		for (who, l) in Ledger::<T>::iter() {
			let unlocking =
				l.unlocking.iter().fold(BalanceOf::<T>::zero(), |s, c| s.saturating_add(c.value));
			ensure!(
				l.total == l.active.saturating_add(unlocking),
				"a ledger's total is not its active stake plus its unlocking chunks"
			);
			ensure!(
				T::Currency::balance_on_hold(&reason, &who) == l.total,
				"a stash's staking hold differs from its ledger"
			);
			ensure!(!l.total.is_zero(), "an empty ledger stayed");
			ensure!(l.unlocking.iter().all(|c| !c.value.is_zero()), "an empty unlocking chunk");
			let eras: BTreeSet<EraIndex> = l.unlocking.iter().map(|c| c.era).collect();
			ensure!(eras.len() == l.unlocking.len(), "two unlocking chunks of one era");
		}

		ensure!(
			Validators::<T>::count() <= T::MaxValidatorCandidates::get(),
			"more candidates than MaxValidatorCandidates"
		);
		ensure!(
			Validators::<T>::iter_keys().count() == Validators::<T>::count() as usize,
			"the candidate counter is wrong"
		);
		ensure!(
			Nominators::<T>::count() <= T::MaxNominators::get(),
			"more nominators than MaxNominators"
		);
		ensure!(
			Nominators::<T>::iter_keys().count() == Nominators::<T>::count() as usize,
			"the nominator counter is wrong"
		);
		for v in Validators::<T>::iter_keys() {
			ensure!(Ledger::<T>::contains_key(&v), "a candidate is not bonded");
			ensure!(!Nominators::<T>::contains_key(&v), "a stash both validates and nominates");
		}

		let mut approval: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (n, noms) in Nominators::<T>::iter() {
			let ledger = Ledger::<T>::get(&n).ok_or("a nominator is not bonded")?;
			ensure!(!noms.targets.is_empty(), "a nomination without targets");
			let share = Self::share(ledger.active, noms.targets.len());
			for t in noms.targets.iter() {
				ensure!(
					Backers::<T>::get(t).is_some_and(|b| b.contains(&n)),
					"a target does not list its nominator as a backer"
				);
				if !share.is_zero() {
					let e = approval.entry(t.clone()).or_default();
					*e = e.saturating_add(share);
				}
			}
		}
		for (v, stake) in ApprovalStake::<T>::iter() {
			ensure!(
				approval.get(&v).copied().unwrap_or_default() == stake,
				"an approval stake differs from its nominators' shares"
			);
		}
		for (v, stake) in &approval {
			ensure!(ApprovalStake::<T>::get(v) == *stake, "an approval stake is missing");
		}
		for (v, backers) in Backers::<T>::iter() {
			ensure!(!backers.is_empty(), "an empty backer list stayed");
			let unique: BTreeSet<&T::AccountId> = backers.iter().collect();
			ensure!(unique.len() == backers.len(), "a backer is listed twice");
			for b in backers.iter() {
				ensure!(
					Nominators::<T>::get(b).is_some_and(|n| n.targets.contains(&v)),
					"a backer does not nominate the account"
				);
			}
		}

		for (era, elected) in ErasElected::<T>::iter() {
			ensure!(elected.len() as u32 <= T::MaxValidators::get(), "too many elected");
			for v in elected.iter() {
				let o = ErasStakersOverview::<T>::get(era, v)
					.ok_or("an elected validator has no exposure")?;
				ensure!(o.page_count >= 1, "an exposure without pages");
				let mut total = o.own;
				let mut count = 0u32;
				for page in 0..o.page_count {
					for e in ErasStakersPaged::<T>::get((era, v, page)).unwrap_or_default() {
						total = total.saturating_add(e.value);
						count = count.saturating_add(1);
					}
				}
				ensure!(
					!ErasStakersPaged::<T>::contains_key((era, v, o.page_count)),
					"an exposure page beyond the page count"
				);
				ensure!(total == o.total, "an exposure's total is not own plus its pages");
				ensure!(count == o.nominator_count, "an exposure's nominator count is wrong");
			}
		}

		let mut owed = BalanceOf::<T>::zero();
		let mut ended = false;
		for (era, reward) in ErasValidatorReward::<T>::iter() {
			ended = true;
			let paid = ErasRewardPaid::<T>::get(era);
			ensure!(paid <= reward, "an era paid more than its reward");
			owed = owed.saturating_add(reward.saturating_sub(paid));
		}
		if ended {
			ensure!(
				T::Currency::balance(&Self::account_id())
					>= owed.saturating_add(T::Currency::minimum_balance()),
				"the pallet account cannot pay the unclaimed rewards"
			);
		}

		if let Some(active) = ActiveEra::<T>::get() {
			for era in UnappliedSlashes::<T>::iter_keys() {
				ensure!(era >= active.index, "a deferred slash waits for a past era");
			}
		}
		Self::pools_try_state()?;
		Ok(())
	}
}
