//! The pallet's logic: `do_*` helpers behind the thin dispatchables, the timeout machinery,
//! settlement, disputes, the read-only views of the runtime API and the `try_state` invariants.

use crate::{
	pallet::*, types::*, weights::WeightInfo, DatasetUsage, ExecutorKind, JobId, ProviderPools,
};
use airtime_primitives::{
	compute::{
		attestation_commitment, vote_commitment, JobPhase, JobView, OfferView, ProviderStatusView,
		ProviderView, QuoteView, QuotedProvider, SlotView,
	},
	holds,
};
use alloc::{collections::BTreeSet, vec::Vec};
use codec::{Decode, Encode};
use frame_support::{
	defensive,
	pallet_prelude::*,
	traits::{
		fungible::{Balanced, BalancedHold, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
		Imbalance, OnUnbalanced, Randomness,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::{
	traits::{CheckedAdd, CheckedDiv, One, Saturating, Zero},
	Perbill, Permill,
};

/// How many blocks after the wanted one a user-submitted deadline may land in when queues are
/// full: `submit_job` reads up to this many timeout queues, is weighed for all of them and
/// refunds the ones it did not read.
pub(crate) const USER_PROBE: u32 = 16;
/// How many blocks after the wanted one an internal timeout may land in.
const INTERNAL_PROBE: u32 = 1024;

impl<T: Config> Pallet<T> {
	// ---------------------------------------------------------------- helpers

	/// `who` can put `amount` and `deposit` on hold and keep its account alive.
	fn ensure_can_hold(
		who: &T::AccountId,
		amount: BalanceOf<T>,
		deposit: BalanceOf<T>,
	) -> DispatchResult {
		let total = amount.checked_add(&deposit).ok_or(Error::<T>::Overflow)?;
		ensure!(holds::can_hold::<T::Currency, _>(who, total), Error::<T>::InsufficientBalance);
		Ok(())
	}

	fn hold(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::hold(&reason.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Ok(())
	}

	/// Release exactly `amount` held for `reason` (a shortfall is reported defensively).
	fn release(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) {
		holds::release_exact::<T::Currency, _>(&reason.into(), who, amount)
	}

	/// `price * units`, or `Overflow`.
	pub(crate) fn cost(price: BalanceOf<T>, units: u64) -> Result<BalanceOf<T>, Error<T>> {
		let units: BalanceOf<T> = units.try_into().map_err(|_| Error::<T>::Overflow)?;
		price.checked_mul(&units).ok_or(Error::<T>::Overflow)
	}

	fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	fn after(period: BlockNumberFor<T>) -> BlockNumberFor<T> {
		Self::now().saturating_add(period)
	}

	/// Put `id` in the first timeout queue at or after `at` holding fewer than `limit` jobs (at
	/// most `probe` blocks later) and record it in `job.timeout`. Full queues are only read.
	/// Returns how many queues it read (1 when the queue at `at` had room), which weighs the
	/// branch taken.
	fn schedule(
		id: JobId,
		job: &mut Job<T>,
		at: BlockNumberFor<T>,
		probe: u32,
		limit: u32,
	) -> Result<u32, Error<T>> {
		let limit = limit.min(T::MaxJobsPerTimeout::get()) as usize;
		let mut block = at;
		for read in 1..=probe {
			if Timeouts::<T>::decode_len(block).unwrap_or_default() < limit
				&& Timeouts::<T>::mutate(block, |queue| queue.try_push(id).is_ok())
			{
				job.timeout = block;
				QueuedJobs::<T>::mutate(|n| n.saturating_inc());
				return Ok(read);
			}
			block = block.saturating_add(One::one());
		}
		Err(Error::<T>::TimeoutQueueFull)
	}

	/// How full users may fill a timeout queue with deadlines: three quarters, so that internal
	/// moves (challenge windows, reveal and vote phases) normally find room at once.
	pub(crate) fn user_queue_limit() -> u32 {
		let max = T::MaxJobsPerTimeout::get();
		max.saturating_sub(max / 4).max(1)
	}

	/// Take `id` out of the timeout queue at `at`.
	fn unschedule(id: JobId, at: BlockNumberFor<T>) {
		let found = Timeouts::<T>::mutate_exists(at, |maybe| {
			let Some(queue) = maybe else { return false };
			let before = queue.len();
			queue.retain(|j| *j != id);
			let found = queue.len() < before;
			if queue.is_empty() {
				*maybe = None;
			}
			found
		});
		if found {
			QueuedJobs::<T>::mutate(|n| n.saturating_dec());
		} else {
			defensive!("a job is always in the queue of its timeout block");
		}
	}

	/// Move a job (not being processed as due) to the queue at `at`.
	fn reschedule(id: JobId, job: &mut Job<T>, at: BlockNumberFor<T>) -> Result<(), Error<T>> {
		Self::unschedule(id, job.timeout);
		Self::schedule(id, job, at, INTERNAL_PROBE, u32::MAX).map(|_| ())
	}

	/// Schedule a job whose previous timeout was already taken off its queue, in the first queue
	/// with room at or after `at`. Internal transitions cannot fail, so past `INTERNAL_PROBE`
	/// full queues (a defensive case: 1024 consecutive blocks with `MaxJobsPerTimeout` jobs
	/// each) it keeps probing; it ends because the number of jobs is finite.
	fn schedule_internal(id: JobId, job: &mut Job<T>, at: BlockNumberFor<T>) {
		if Self::schedule(id, job, at, INTERNAL_PROBE, u32::MAX).is_ok() {
			return;
		}
		defensive!("no room in any timeout queue for 1024 blocks");
		let mut block = at.saturating_add(INTERNAL_PROBE.into());
		loop {
			if Self::schedule(id, job, block, 1, u32::MAX).is_ok() {
				return;
			}
			block = block.saturating_add(One::one());
		}
	}

	fn provider(who: &T::AccountId) -> Result<Provider<T>, Error<T>> {
		Providers::<T>::get(who).ok_or(Error::<T>::NotRegistered)
	}

	fn job(id: JobId) -> Result<Job<T>, Error<T>> {
		Jobs::<T>::get(id).ok_or(Error::<T>::UnknownJob)
	}

	fn validate_offer(capabilities: &Capabilities<T>, prices: &PricesOf<T>) -> DispatchResult {
		ensure!(!capabilities.executors.is_empty(), Error::<T>::NoExecutors);
		let mut kinds = BTreeSet::new();
		for c in capabilities.executors.iter() {
			ensure!(kinds.insert(c.kind), Error::<T>::DuplicateExecutor);
			ensure!(c.max_units > 0, Error::<T>::ZeroCapacity);
		}
		let mut priced = BTreeSet::new();
		for p in prices.iter() {
			ensure!(priced.insert(p.kind), Error::<T>::DuplicateExecutor);
			ensure!(kinds.contains(&p.kind), Error::<T>::PriceWithoutCapability);
		}
		ensure!(priced.len() == kinds.len(), Error::<T>::PriceMissing);
		Ok(())
	}

	fn deposit_reputation(who: &T::AccountId, outcome: Outcome) {
		Providers::<T>::mutate(who, |p| {
			if let Some(p) = p {
				p.reputation.record(outcome, T::ReputationDecay::get());
			}
		});
	}

	/// Whether `who` (whose record is `p`) has the collateral for one more slot: its stake plus
	/// its pool's stake cover `CollateralPerSlot` for each of its slots and the new one. Always
	/// true when `CollateralPerSlot` is zero (no collateral requirement).
	pub(crate) fn has_collateral_for_slot(who: &T::AccountId, p: &Provider<T>) -> bool {
		let per_slot = T::CollateralPerSlot::get();
		if per_slot.is_zero() {
			return true;
		}
		let collateral = p.stake.saturating_add(T::Pools::pooled_stake(who));
		let slots = BalanceOf::<T>::from(p.active_jobs.saturating_add(1));
		per_slot.checked_mul(&slots).is_some_and(|needed| needed <= collateral)
	}

	/// The provider gives up a slot: one fewer active job.
	fn release_slot(who: &T::AccountId) {
		Providers::<T>::mutate(who, |p| match p {
			Some(p) if p.active_jobs > 0 => p.active_jobs.saturating_dec(),
			_ => {
				defensive!("a slot holder is a registered provider with an active job");
			},
		});
	}

	/// Slash `fraction` of a provider's stake, record the reputation `outcome`, pause it when the
	/// stake falls below the minimum, and return the slashed credit. A non-zero slash also slashes
	/// the provider's pool by `fraction` (`Config::Pools`).
	pub(crate) fn slash_provider(
		job: JobId,
		who: &T::AccountId,
		fraction: Perbill,
		reason: SlashReason,
		outcome: Outcome,
	) -> CreditOf<T> {
		let mut credit = CreditOf::<T>::zero();
		let mut paused = false;
		Providers::<T>::mutate(who, |p| {
			let Some(p) = p else {
				defensive!("slashed account is a provider");
				return;
			};
			let amount = fraction.mul_floor(p.stake);
			let (slashed, _missing) = <T::Currency as BalancedHold<_>>::slash(
				&HoldReason::ProviderStake.into(),
				who,
				amount,
			);
			p.stake = p.stake.saturating_sub(slashed.peek());
			credit = slashed;
			p.reputation.record(outcome, T::ReputationDecay::get());
			if p.stake < T::MinProviderStake::get() && p.status == ProviderStatus::Active {
				p.status = ProviderStatus::Paused;
				paused = true;
			}
		});
		let slashed = credit.peek();
		if !slashed.is_zero() {
			T::Pools::on_provider_slashed(who, fraction);
		}
		Self::deposit_event(Event::ProviderSlashed {
			job,
			provider: who.clone(),
			amount: slashed,
			reason,
		});
		if paused {
			Self::deposit_event(Event::ProviderPaused { provider: who.clone(), slashed: true });
		}
		credit
	}

	/// Remove an ended job: release its deposit and its remaining slots, drop its dispute.
	/// The job must already be off its timeout queue.
	fn end_job(id: JobId, job: &Job<T>) {
		for slot in job.slots.iter() {
			Self::release_slot(&slot.provider);
		}
		Self::release(HoldReason::StorageDeposit, &job.owner, job.deposit);
		Jobs::<T>::remove(id);
		Disputes::<T>::remove(id);
	}

	/// End a job by returning its whole budget (and deposit) to the owner.
	fn refund(id: JobId, job: &Job<T>, reason: RefundReason) {
		Self::release(HoldReason::JobEscrow, &job.owner, job.budget);
		if !job.spec.datasets.is_empty() {
			T::Datasets::job_refunded(id);
		}
		Self::end_job(id, job);
		Self::deposit_event(Event::JobRefunded {
			job: id,
			owner: job.owner.clone(),
			amount: job.budget,
			reason,
		});
	}

	// ---------------------------------------------------------------- providers

	pub(crate) fn do_register_provider(
		who: T::AccountId,
		capabilities: Capabilities<T>,
		prices: PricesOf<T>,
		stake: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
		ensure!(stake >= T::MinProviderStake::get(), Error::<T>::StakeBelowMinimum);
		Self::validate_offer(&capabilities, &prices)?;
		let index = ProviderCount::<T>::get();
		ensure!(index < T::MaxProviders::get(), Error::<T>::TooManyProviders);
		let deposit = T::ProviderDeposit::get();
		Self::ensure_can_hold(&who, stake, deposit)?;
		Self::hold(HoldReason::ProviderStake, &who, stake)?;
		Self::hold(HoldReason::StorageDeposit, &who, deposit)?;
		ProviderIndex::<T>::insert(index, &who);
		ProviderCount::<T>::put(index.saturating_add(1));
		Providers::<T>::insert(
			&who,
			Provider {
				stake,
				deposit,
				status: ProviderStatus::Active,
				capabilities,
				prices,
				active_jobs: 0,
				matching_lead: None,
				index,
				reputation: Reputation::default(),
			},
		);
		Self::deposit_event(Event::ProviderRegistered { provider: who, stake, deposit });
		Ok(())
	}

	pub(crate) fn do_update_provider(
		who: T::AccountId,
		capabilities: Capabilities<T>,
		prices: PricesOf<T>,
	) -> DispatchResult {
		let mut p = Self::provider(&who)?;
		Self::validate_offer(&capabilities, &prices)?;
		p.capabilities = capabilities;
		p.prices = prices;
		Providers::<T>::insert(&who, p);
		Self::deposit_event(Event::ProviderUpdated { provider: who });
		Ok(())
	}

	pub(crate) fn do_pause_provider(who: T::AccountId) -> DispatchResult {
		let mut p = Self::provider(&who)?;
		match p.status {
			ProviderStatus::Active => {},
			ProviderStatus::Paused => return Err(Error::<T>::AlreadyPaused.into()),
			ProviderStatus::Unbonding { .. } => return Err(Error::<T>::ProviderUnbonding.into()),
		}
		p.status = ProviderStatus::Paused;
		Providers::<T>::insert(&who, p);
		Self::deposit_event(Event::ProviderPaused { provider: who, slashed: false });
		Ok(())
	}

	pub(crate) fn do_resume_provider(who: T::AccountId) -> DispatchResult {
		let mut p = Self::provider(&who)?;
		ensure!(p.status != ProviderStatus::Active, Error::<T>::AlreadyActive);
		ensure!(p.stake >= T::MinProviderStake::get(), Error::<T>::StakeBelowMinimum);
		p.status = ProviderStatus::Active;
		Providers::<T>::insert(&who, p);
		Self::deposit_event(Event::ProviderResumed { provider: who });
		Ok(())
	}

	pub(crate) fn do_increase_stake(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut p = Self::provider(&who)?;
		let stake = p.stake.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		Self::hold(HoldReason::ProviderStake, &who, amount)?;
		p.stake = stake;
		Providers::<T>::insert(&who, p);
		Self::deposit_event(Event::StakeIncreased { provider: who, amount, stake });
		Ok(())
	}

	pub(crate) fn do_set_matching(
		who: T::AccountId,
		min_lead: Option<BlockNumberFor<T>>,
	) -> DispatchResult {
		let mut p = Self::provider(&who)?;
		p.matching_lead = min_lead;
		Providers::<T>::insert(&who, p);
		Self::deposit_event(Event::MatchingSet { provider: who, min_lead });
		Ok(())
	}

	pub(crate) fn do_unregister_provider(who: T::AccountId) -> DispatchResult {
		let mut p = Self::provider(&who)?;
		ensure!(
			!matches!(p.status, ProviderStatus::Unbonding { .. }),
			Error::<T>::ProviderUnbonding
		);
		ensure!(p.active_jobs == 0, Error::<T>::ProviderHasOpenJobs);
		let until = Self::after(T::UnbondingPeriod::get());
		p.status = ProviderStatus::Unbonding { until };
		Providers::<T>::insert(&who, p);
		Self::deposit_event(Event::ProviderUnbonding { provider: who, until });
		Ok(())
	}

	pub(crate) fn do_withdraw_provider(who: T::AccountId) -> DispatchResult {
		let p = Self::provider(&who)?;
		let ProviderStatus::Unbonding { until } = p.status else {
			return Err(Error::<T>::NotUnbonding.into());
		};
		ensure!(Self::now() >= until, Error::<T>::UnbondingNotOver);
		ensure!(p.active_jobs == 0, Error::<T>::ProviderHasOpenJobs);
		// Swap-remove from the dense index.
		let last = ProviderCount::<T>::get().saturating_sub(1);
		if p.index != last {
			if let Some(moved) = ProviderIndex::<T>::get(last) {
				ProviderIndex::<T>::insert(p.index, &moved);
				Providers::<T>::mutate(&moved, |m| {
					if let Some(m) = m {
						m.index = p.index;
					}
				});
			} else {
				defensive!("the provider index is dense");
			}
		}
		ProviderIndex::<T>::remove(last);
		ProviderCount::<T>::put(last);
		Providers::<T>::remove(&who);
		Self::release(HoldReason::ProviderStake, &who, p.stake);
		Self::release(HoldReason::StorageDeposit, &who, p.deposit);
		Self::deposit_event(Event::ProviderWithdrawn {
			provider: who,
			stake: p.stake,
			deposit: p.deposit,
		});
		Ok(())
	}

	// ---------------------------------------------------------------- jobs

	/// Submit a job; returns how many timeout queues it probed for room (see [`Self::schedule`]),
	/// which weighs the call.
	pub(crate) fn do_submit_job(
		who: T::AccountId,
		spec: JobSpec<T>,
		budget: BalanceOf<T>,
		deadline: BlockNumberFor<T>,
		redundancy: u8,
	) -> Result<u32, DispatchError> {
		ensure!(!budget.is_zero(), Error::<T>::ZeroAmount);
		ensure!(spec.max_units > 0, Error::<T>::ZeroUnits);
		ensure!(spec.output_size <= T::MaxOutputSize::get(), Error::<T>::OutputTooLarge);
		ensure!(
			redundancy >= 1 && u32::from(redundancy) <= T::MaxRedundancy::get(),
			Error::<T>::InvalidRedundancy
		);
		ensure!(
			redundancy == 1 || spec.kind.is_bit_exact(),
			Error::<T>::RedundancyNeedsBitExactExecutor
		);
		ensure!(deadline >= T::MinDeadline::get(), Error::<T>::DeadlineTooSoon);
		ensure!(deadline <= T::MaxDeadline::get(), Error::<T>::DeadlineTooFar);
		let deposit = T::JobDeposit::get();
		Self::ensure_can_hold(&who, budget, deposit)?;
		let id = NextJobId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let deadline = Self::after(deadline);
		let mut job = Job {
			owner: who.clone(),
			spec,
			budget,
			reserved: Zero::zero(),
			deposit,
			deadline,
			redundancy,
			slots: BoundedVec::new(),
			state: JobState::Open,
			timeout: deadline,
		};
		let probes = Self::schedule(id, &mut job, deadline, USER_PROBE, Self::user_queue_limit())?;
		T::Datasets::begin_use(id, &who, &job.spec.datasets)?;
		Self::hold(HoldReason::JobEscrow, &who, budget)?;
		Self::hold(HoldReason::StorageDeposit, &who, deposit)?;
		let kind = job.spec.kind;
		Jobs::<T>::insert(id, job);
		NextJobId::<T>::put(next);
		Self::deposit_event(Event::JobSubmitted {
			job: id,
			owner: who,
			kind,
			budget,
			deadline,
			redundancy,
		});
		Ok(probes)
	}

	pub(crate) fn do_cancel_job(who: T::AccountId, id: JobId) -> DispatchResult {
		let job = Self::job(id)?;
		ensure!(job.owner == who, Error::<T>::NotJobOwner);
		ensure!(job.state == JobState::Open, Error::<T>::JobNotOpen);
		ensure!(job.slots.is_empty(), Error::<T>::JobAlreadyTaken);
		Self::unschedule(id, job.timeout);
		Self::refund(id, &job, RefundReason::Cancelled);
		Ok(())
	}

	pub(crate) fn do_top_up_job(
		who: T::AccountId,
		id: JobId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut job = Self::job(id)?;
		ensure!(job.owner == who, Error::<T>::NotJobOwner);
		ensure!(job.state == JobState::Open, Error::<T>::JobNotOpen);
		let budget = job.budget.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		Self::hold(HoldReason::JobEscrow, &who, amount)?;
		job.budget = budget;
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::JobToppedUp { job: id, amount, budget });
		Ok(())
	}

	pub(crate) fn do_take_slot(
		id: JobId,
		provider: T::AccountId,
		matcher: Option<T::AccountId>,
	) -> DispatchResult {
		let mut job = Self::job(id)?;
		ensure!(job.state == JobState::Open, Error::<T>::JobNotOpen);
		ensure!(Self::now() <= job.deadline, Error::<T>::DeadlinePassed);
		ensure!(!job.is_full(), Error::<T>::JobFull);
		ensure!(job.slot_of(&provider).is_none(), Error::<T>::ProviderAlreadyInJob);
		ensure!(provider != job.owner, Error::<T>::ProviderIsOwner);
		let mut p = Self::provider(&provider)?;
		ensure!(p.status == ProviderStatus::Active, Error::<T>::ProviderNotActive);
		if matcher.is_some() {
			let lead = p.matching_lead.ok_or(Error::<T>::MatchingNotAllowed)?;
			ensure!(
				job.deadline >= Self::now().saturating_add(lead),
				Error::<T>::MatchingLeadTooShort
			);
		}
		let capability = p.capability(job.spec.kind).ok_or(Error::<T>::ExecutorNotOffered)?;
		ensure!(capability.max_units >= job.spec.max_units, Error::<T>::JobTooLarge);
		let price = p.price(job.spec.kind).ok_or(Error::<T>::ExecutorNotOffered)?;
		ensure!(p.reputation.score() >= job.spec.min_reputation, Error::<T>::ReputationTooLow);
		ensure!(p.active_jobs < T::MaxJobsPerProvider::get(), Error::<T>::ProviderOverloaded);
		ensure!(Self::has_collateral_for_slot(&provider, &p), Error::<T>::InsufficientCollateral);
		let reserved = Self::cost(price, job.spec.max_units)?
			.checked_add(&job.reserved)
			.ok_or(Error::<T>::Overflow)?;
		ensure!(reserved <= job.budget, Error::<T>::PriceAboveBudget);
		job.slots
			.try_push(Slot {
				provider: provider.clone(),
				price_per_unit: price,
				taken_at: Self::now(),
				attestation: Attestation::Pending,
			})
			.map_err(|_| Error::<T>::JobFull)?;
		job.reserved = reserved;
		p.active_jobs.saturating_inc();
		Providers::<T>::insert(&provider, p);
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::JobAssigned {
			job: id,
			provider,
			price_per_unit: price,
			matcher,
		});
		Ok(())
	}

	/// The slot index of `who` in an open job before its deadline, whose attestation is pending.
	fn pending_slot(job: &Job<T>, who: &T::AccountId) -> Result<usize, Error<T>> {
		ensure!(job.state == JobState::Open, Error::<T>::JobNotOpen);
		ensure!(Self::now() <= job.deadline, Error::<T>::DeadlinePassed);
		let index = job.slot_of(who).ok_or(Error::<T>::NotAssigned)?;
		match job.slots.get(index).map(|s| s.attestation) {
			Some(Attestation::Pending) => Ok(index),
			Some(_) => Err(Error::<T>::AlreadyAttested),
			None => Err(Error::<T>::NotAssigned),
		}
	}

	pub(crate) fn do_submit_attestation(
		who: T::AccountId,
		id: JobId,
		output_hash: H256,
		usage: u64,
	) -> DispatchResult {
		let mut job = Self::job(id)?;
		let index = Self::pending_slot(&job, &who)?;
		ensure!(job.redundancy == 1, Error::<T>::CommitRevealRequired);
		ensure!(usage <= job.spec.max_units, Error::<T>::UsageAboveSpec);
		let slot = job.slots.get_mut(index).ok_or(Error::<T>::NotAssigned)?;
		slot.attestation = Attestation::Revealed { output_hash, usage };
		Self::deposit_event(Event::AttestationSubmitted {
			job: id,
			provider: who,
			output_hash,
			usage,
		});
		let until = Self::after(T::ChallengePeriod::get());
		job.state = JobState::Challengeable { until, output_hash };
		Self::reschedule(id, &mut job, until)?;
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::ChallengePeriodStarted { job: id, output_hash, until });
		Ok(())
	}

	pub(crate) fn do_commit_attestation(
		who: T::AccountId,
		id: JobId,
		commitment: H256,
	) -> DispatchResult {
		let mut job = Self::job(id)?;
		let index = Self::pending_slot(&job, &who)?;
		ensure!(job.redundancy > 1, Error::<T>::CommitRevealNotUsed);
		let slot = job.slots.get_mut(index).ok_or(Error::<T>::NotAssigned)?;
		slot.attestation = Attestation::Committed(commitment);
		Self::deposit_event(Event::AttestationCommitted { job: id, provider: who });
		let all_committed = job.is_full()
			&& job.slots.iter().all(|s| matches!(s.attestation, Attestation::Committed(_)));
		if all_committed {
			let until = Self::after(T::RevealPeriod::get());
			job.state = JobState::Revealing { until };
			Self::reschedule(id, &mut job, until)?;
			Self::deposit_event(Event::RevealPeriodStarted { job: id, until });
		}
		Jobs::<T>::insert(id, job);
		Ok(())
	}

	pub(crate) fn do_reveal_attestation(
		who: T::AccountId,
		id: JobId,
		output_hash: H256,
		usage: u64,
		salt: [u8; 32],
	) -> DispatchResultWithPostInfo {
		let mut job = Self::job(id)?;
		let JobState::Revealing { until } = job.state else {
			return Err(Error::<T>::NotRevealing.into());
		};
		ensure!(Self::now() <= until, Error::<T>::RevealPeriodOver);
		let index = job.slot_of(&who).ok_or(Error::<T>::NotAssigned)?;
		let max_units = job.spec.max_units;
		let slot = job.slots.get_mut(index).ok_or(Error::<T>::NotAssigned)?;
		let commitment = match slot.attestation {
			Attestation::Committed(c) => c,
			Attestation::Revealed { .. } => return Err(Error::<T>::AlreadyAttested.into()),
			Attestation::Pending => return Err(Error::<T>::NotCommitted.into()),
		};
		ensure!(
			attestation_commitment(id, &who, &output_hash, usage, &salt) == commitment,
			Error::<T>::CommitmentMismatch
		);
		ensure!(usage <= max_units, Error::<T>::UsageAboveSpec);
		slot.attestation = Attestation::Revealed { output_hash, usage };
		Self::deposit_event(Event::AttestationSubmitted {
			job: id,
			provider: who,
			output_hash,
			usage,
		});
		let all_revealed =
			job.slots.iter().all(|s| matches!(s.attestation, Attestation::Revealed { .. }));
		if !all_revealed {
			Jobs::<T>::insert(id, job);
			return Ok(Some(T::WeightInfo::reveal_attestation()).into());
		}
		Self::unschedule(id, job.timeout);
		// A dispute's draw, made later by `on_initialize`, is paid by the reveal that requests it.
		let weight = if Self::evaluate(id, job) {
			T::WeightInfo::reveal_attestation_last()
				.saturating_add(T::WeightInfo::on_initialize_draw())
		} else {
			T::WeightInfo::reveal_attestation_last()
		};
		Ok(Some(weight).into())
	}

	/// All remaining slots revealed: agree → challenge window; differ → a dispute is requested
	/// (returns `true`). The job is off its timeout queue.
	fn evaluate(id: JobId, mut job: Job<T>) -> bool {
		let mut hashes = job.slots.iter().filter_map(|s| match s.attestation {
			Attestation::Revealed { output_hash, .. } => Some(output_hash),
			_ => None,
		});
		let Some(first) = hashes.next() else {
			Self::refund(id, &job, RefundReason::NothingRevealed);
			return false;
		};
		if hashes.all(|h| h == first) {
			let until = Self::after(T::ChallengePeriod::get());
			job.state = JobState::Challengeable { until, output_hash: first };
			Self::schedule_internal(id, &mut job, until);
			Jobs::<T>::insert(id, job);
			Self::deposit_event(Event::ChallengePeriodStarted {
				job: id,
				output_hash: first,
				until,
			});
			false
		} else {
			Self::open_dispute(id, job, None);
			true
		}
	}

	pub(crate) fn do_report_failure(who: T::AccountId, id: JobId) -> DispatchResult {
		let mut job = Self::job(id)?;
		let index = Self::pending_slot(&job, &who)?;
		let slot = job.slots.remove(index);
		let released = Self::cost(slot.price_per_unit, job.spec.max_units)?;
		job.reserved = job.reserved.saturating_sub(released);
		Self::release_slot(&who);
		let fraction = Self::failure_penalty(slot.taken_at, job.deadline);
		let credit = Self::slash_provider(
			id,
			&who,
			fraction,
			SlashReason::ReportedFailure,
			Outcome::ReportedFailure,
		);
		let penalty = credit.peek();
		T::OnSlash::on_unbalanced(credit);
		Jobs::<T>::insert(id, job);
		Self::deposit_event(Event::FailureReported { job: id, provider: who, penalty });
		Ok(())
	}

	/// The part of the stake a failure report costs: `SlashOnFailure` when reported as soon as
	/// the slot was taken, rising linearly to `SlashOnTimeout` at the deadline, so that holding
	/// a slot idle and giving it up at the last moment costs what a timeout does.
	pub(crate) fn failure_penalty(
		taken_at: BlockNumberFor<T>,
		deadline: BlockNumberFor<T>,
	) -> Perbill {
		let (low, high) = (T::SlashOnFailure::get(), T::SlashOnTimeout::get());
		let window = deadline.saturating_sub(taken_at);
		if window.is_zero() || high <= low {
			return high.max(low);
		}
		let elapsed = Self::now().saturating_sub(taken_at).min(window);
		let progress = Perbill::from_rational(elapsed, window);
		low.saturating_add(progress.saturating_mul(high.saturating_sub(low)))
	}

	// ---------------------------------------------------------------- disputes

	pub(crate) fn do_challenge(
		who: T::AccountId,
		id: JobId,
		claimed_output_hash: H256,
		bond: BalanceOf<T>,
	) -> DispatchResult {
		let mut job = Self::job(id)?;
		let JobState::Challengeable { output_hash, until } = job.state else {
			return Err(Error::<T>::NotChallengeable.into());
		};
		ensure!(Self::now() <= until, Error::<T>::ChallengePeriodOver);
		ensure!(bond >= T::MinChallengeBond::get(), Error::<T>::BondTooLow);
		ensure!(claimed_output_hash != output_hash, Error::<T>::ClaimMatchesResult);
		ensure!(job.slot_of(&who).is_none(), Error::<T>::ProviderCannotChallenge);
		Self::hold(HoldReason::ChallengeBond, &who, bond)?;
		Self::unschedule(id, job.timeout);
		job.timeout = Zero::zero();
		Self::deposit_event(Event::JobChallenged {
			job: id,
			challenger: who.clone(),
			claimed_output_hash,
			bond,
		});
		Self::open_dispute(
			id,
			job,
			Some(Challenge { who, bond, claimed_output_hash, disputed_output_hash: output_hash }),
		);
		Ok(())
	}

	/// Draw up to `VerifierQuorum` distinct active providers outside `excluded`, in at most
	/// `MaxVerifierDraws` draws seeded by `Config::Randomness`.
	pub(crate) fn draw_verifiers(
		id: JobId,
		excluded: &BTreeSet<T::AccountId>,
	) -> BoundedVec<T::AccountId, T::VerifierQuorum> {
		let mut drawn = BoundedVec::<T::AccountId, T::VerifierQuorum>::new();
		let count = ProviderCount::<T>::get();
		if count == 0 {
			return drawn;
		}
		let (seed, _) = T::Randomness::random(&(b"airtime/verifiers", id).encode());
		for i in 0..T::MaxVerifierDraws::get() {
			if drawn.is_full() {
				break;
			}
			let h = sp_io::hashing::blake2_256(&(seed, i).encode());
			let index = u32::decode(&mut h.as_slice())
				.unwrap_or_default()
				.checked_rem(count)
				.unwrap_or_default();
			let Some(account) = ProviderIndex::<T>::get(index) else { continue };
			if excluded.contains(&account) || drawn.contains(&account) {
				continue;
			}
			let active =
				Providers::<T>::get(&account).is_some_and(|p| p.status == ProviderStatus::Active);
			if active && drawn.try_push(account).is_err() {
				break;
			}
		}
		drawn
	}

	/// Request a dispute over a job that is off its timeout queue: the job waits in the
	/// timeout queue of block `now + VerifierDrawDelay` for [`Self::draw_dispute`], so that the
	/// verifiers come from randomness that does not exist yet (security finding F-2).
	fn open_dispute(id: JobId, mut job: Job<T>, challenge: Option<Challenge<T>>) {
		let at = Self::after(T::VerifierDrawDelay::get());
		job.state = JobState::Disputed;
		Self::schedule_internal(id, &mut job, at);
		Jobs::<T>::insert(id, job);
		Disputes::<T>::insert(
			id,
			Dispute { challenge, votes: BoundedVec::new(), phase: DisputePhase::Draw { at } },
		);
		Self::deposit_event(Event::VerifierDrawScheduled { job: id, at });
	}

	/// Draw the verifiers of a dispute whose draw is due (only `on_initialize` gets here: see
	/// [`Self::do_claim_expired`]) and open its commit phase, or refund the job (and release the
	/// challenger's bond) when too few eligible providers are drawn. The job is off its queue.
	fn draw_dispute(id: JobId, mut job: Job<T>, mut dispute: Dispute<T>) {
		let mut excluded: BTreeSet<T::AccountId> =
			job.slots.iter().map(|s| s.provider.clone()).collect();
		excluded.insert(job.owner.clone());
		if let Some(c) = &dispute.challenge {
			excluded.insert(c.who.clone());
		}
		let verifiers = Self::draw_verifiers(id, &excluded);
		if (verifiers.len() as u32) < T::VerifierQuorum::get() {
			if let Some(c) = &dispute.challenge {
				Self::release(HoldReason::ChallengeBond, &c.who, c.bond);
			}
			Self::refund(id, &job, RefundReason::NoVerifiersAvailable);
			return;
		}
		let until = Self::after(T::VoteCommitPeriod::get());
		dispute.votes = BoundedVec::truncate_from(
			verifiers.iter().map(|v| (v.clone(), Vote::Pending)).collect::<Vec<_>>(),
		);
		dispute.phase = DisputePhase::Commit { until };
		Self::schedule_internal(id, &mut job, until);
		Jobs::<T>::insert(id, job);
		Disputes::<T>::insert(id, dispute);
		Self::deposit_event(Event::DisputeOpened { job: id, verifiers, commit_until: until });
	}

	fn dispute(id: JobId) -> Result<(Job<T>, Dispute<T>), Error<T>> {
		let job = Self::job(id)?;
		ensure!(job.state == JobState::Disputed, Error::<T>::NotDisputed);
		let dispute = Disputes::<T>::get(id).ok_or(Error::<T>::NotDisputed)?;
		Ok((job, dispute))
	}

	pub(crate) fn do_commit_vote(who: T::AccountId, id: JobId, commitment: H256) -> DispatchResult {
		let (mut job, mut dispute) = Self::dispute(id)?;
		match dispute.phase {
			DisputePhase::Commit { until } if Self::now() <= until => {},
			DisputePhase::Draw { .. } => return Err(Error::<T>::VerifiersNotDrawn.into()),
			_ => return Err(Error::<T>::VoteCommitClosed.into()),
		}
		let vote =
			dispute.votes.iter_mut().find(|(v, _)| v == &who).ok_or(Error::<T>::NotAVerifier)?;
		ensure!(vote.1 == Vote::Pending, Error::<T>::AlreadyVoted);
		vote.1 = Vote::Committed(commitment);
		Self::deposit_event(Event::VoteCommitted { job: id, verifier: who });
		if dispute.votes.iter().all(|(_, v)| matches!(v, Vote::Committed(_))) {
			let until = Self::after(T::VoteRevealPeriod::get());
			dispute.phase = DisputePhase::Reveal { until };
			Self::reschedule(id, &mut job, until)?;
			Jobs::<T>::insert(id, job);
			Self::deposit_event(Event::VoteRevealStarted { job: id, until });
		}
		Disputes::<T>::insert(id, dispute);
		Ok(())
	}

	pub(crate) fn do_reveal_vote(
		who: T::AccountId,
		id: JobId,
		output_hash: H256,
		salt: [u8; 32],
	) -> DispatchResultWithPostInfo {
		let (job, mut dispute) = Self::dispute(id)?;
		match dispute.phase {
			DisputePhase::Reveal { until } => {
				ensure!(Self::now() <= until, Error::<T>::VoteRevealClosed)
			},
			DisputePhase::Commit { .. } => return Err(Error::<T>::VoteRevealNotOpen.into()),
			DisputePhase::Draw { .. } => return Err(Error::<T>::VerifiersNotDrawn.into()),
		}
		let vote =
			dispute.votes.iter_mut().find(|(v, _)| v == &who).ok_or(Error::<T>::NotAVerifier)?;
		let commitment = match vote.1 {
			Vote::Committed(c) => c,
			Vote::Revealed(_) => return Err(Error::<T>::AlreadyVoted.into()),
			Vote::Pending => return Err(Error::<T>::NotCommitted.into()),
		};
		ensure!(
			vote_commitment(id, &who, &output_hash, &salt) == commitment,
			Error::<T>::CommitmentMismatch
		);
		vote.1 = Vote::Revealed(output_hash);
		Self::deposit_event(Event::VoteRevealed { job: id, verifier: who, output_hash });
		// In the reveal phase a vote still pending can no longer be cast: decide as soon as
		// every committed vote is revealed.
		if !dispute.votes.iter().any(|(_, v)| matches!(v, Vote::Committed(_))) {
			Self::unschedule(id, job.timeout);
			Self::resolve(id, job, dispute);
			return Ok(Some(Self::reveal_vote_last_weight()).into());
		}
		Disputes::<T>::insert(id, dispute);
		Ok(Some(T::WeightInfo::reveal_vote()).into())
	}

	/// The output hash holding a strict majority of the quorum, and its votes.
	fn majority(dispute: &Dispute<T>) -> Option<(H256, u32)> {
		let revealed: Vec<H256> = dispute
			.votes
			.iter()
			.filter_map(|(_, v)| match v {
				Vote::Revealed(h) => Some(*h),
				_ => None,
			})
			.collect();
		let quorum = T::VerifierQuorum::get();
		revealed.iter().find_map(|h| {
			let votes = revealed.iter().filter(|x| *x == h).count() as u32;
			(votes.saturating_mul(2) > quorum).then_some((*h, votes))
		})
	}

	/// Decide a dispute; the job is off its timeout queue.
	fn resolve(id: JobId, mut job: Job<T>, dispute: Dispute<T>) {
		let Some((winner, votes)) = Self::majority(&dispute) else {
			if let Some(c) = &dispute.challenge {
				Self::release(HoldReason::ChallengeBond, &c.who, c.bond);
			}
			Self::refund(id, &job, RefundReason::QuorumNotReached);
			return;
		};
		let is_correct = |s: &Slot<T>| matches!(s.attestation, Attestation::Revealed { output_hash, .. } if output_hash == winner);
		let (correct, wrong): (Vec<Slot<T>>, Vec<Slot<T>>) =
			job.slots.clone().into_iter().partition(|s| is_correct(s));
		let mut pool = CreditOf::<T>::zero();
		for slot in wrong.iter() {
			let credit = Self::slash_provider(
				id,
				&slot.provider,
				T::SlashOnFraud::get(),
				SlashReason::WrongResult,
				Outcome::Slashed,
			);
			pool.subsume(credit);
			Self::release_slot(&slot.provider);
		}
		let mut winners: Vec<T::AccountId> = correct.iter().map(|s| s.provider.clone()).collect();
		let challenger_won = dispute.challenge.as_ref().map(|c| {
			let won = c.disputed_output_hash != winner;
			if won {
				Self::release(HoldReason::ChallengeBond, &c.who, c.bond);
				winners = alloc::vec![c.who.clone()];
			} else {
				let credit = holds::slash_exact::<T::Currency, _>(
					&HoldReason::ChallengeBond.into(),
					&c.who,
					c.bond,
				);
				Self::deposit_event(Event::ChallengerSlashed {
					job: id,
					challenger: c.who.clone(),
					amount: credit.peek(),
				});
				pool.subsume(credit);
			}
			won
		});
		// Reward the winners out of the pool; the rest goes to `OnSlash`.
		if !winners.is_empty() {
			let reward = T::SlashRewardShare::get().mul_floor(pool.peek());
			let per_winner =
				reward.checked_div(&BalanceOf::<T>::from(winners.len() as u32)).unwrap_or_default();
			for w in winners.iter() {
				if per_winner.is_zero() {
					break;
				}
				let (part, rest) = pool.split(per_winner);
				pool = rest;
				let amount = part.peek();
				match T::Currency::resolve(w, part) {
					Ok(()) => Self::deposit_event(Event::SlashRewardPaid {
						job: id,
						to: w.clone(),
						amount,
					}),
					Err(part) => pool.subsume(part),
				}
			}
		}
		T::OnSlash::on_unbalanced(pool);
		Self::deposit_event(Event::DisputeResolved {
			job: id,
			output_hash: winner,
			votes,
			correct: correct.len() as u32,
			wrong: wrong.len() as u32,
			challenger_won,
		});
		if correct.is_empty() {
			job.slots = BoundedVec::new();
			Self::refund(id, &job, RefundReason::AllResultsWrong);
		} else {
			job.slots = BoundedVec::truncate_from(correct);
			Self::settle(id, job);
		}
	}

	// ---------------------------------------------------------------- settlement

	/// Pay every revealed slot for its usage, split the protocol fee, return the rest of the
	/// escrow and the deposit, and end the job. The job is off its timeout queue.
	fn settle(id: JobId, job: Job<T>) {
		let owner = &job.owner;
		let escrow = HoldReason::JobEscrow.into();
		let mut paid = BalanceOf::<T>::zero();
		let mut fees = BalanceOf::<T>::zero();
		// Redundant providers ran the same work: each is paid for the least usage any of them
		// reported, so one cannot inflate its bill beyond what the others needed.
		let least_usage = job
			.slots
			.iter()
			.filter_map(|s| match s.attestation {
				Attestation::Revealed { usage, .. } => Some(usage),
				_ => None,
			})
			.min()
			.unwrap_or_default();
		for slot in job.slots.iter() {
			let Attestation::Revealed { .. } = slot.attestation else {
				defensive!("only revealed slots remain at settlement");
				continue;
			};
			let usage = least_usage;
			let payment = match Self::cost(slot.price_per_unit, usage) {
				Ok(p) => p.min(job.budget.saturating_sub(paid).saturating_sub(fees)),
				Err(_) => {
					defensive!("usage <= max_units and price * max_units was checked");
					continue;
				},
			};
			let fee = T::ProtocolFee::get().mul_ceil(payment);
			let net = payment.saturating_sub(fee);
			let moved = T::Currency::transfer_on_hold(
				&escrow,
				owner,
				&slot.provider,
				net,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			);
			if moved.is_err() {
				defensive!("the escrow covers every payment");
				continue;
			}
			paid = paid.saturating_add(net);
			fees = fees.saturating_add(fee);
			Self::deposit_reputation(&slot.provider, Outcome::Completed);
			Self::deposit_event(Event::ProviderPaid {
				job: id,
				provider: slot.provider.clone(),
				amount: net,
				fee,
			});
			// The pool's share comes out of the provider's free balance, which now holds `net`.
			T::Pools::on_provider_paid(&slot.provider, net);
		}
		let fee_credit = holds::slash_exact::<T::Currency, _>(&escrow, owner, fees);
		let fee = fee_credit.peek();
		let (treasury, rest) = fee_credit.split(T::FeeToTreasury::get().mul_floor(fee));
		let (stakers, burn) = rest.split(T::FeeToStakers::get().mul_floor(fee));
		let burned = burn.peek();
		drop(burn);
		T::OnProtocolFeeTreasury::on_unbalanced(treasury);
		T::OnProtocolFeeStakers::on_unbalanced(stakers);
		let refunded = job.budget.saturating_sub(paid).saturating_sub(fee);
		Self::release(HoldReason::JobEscrow, owner, refunded);
		if !job.spec.datasets.is_empty() {
			let output = job.slots.iter().find_map(|s| match s.attestation {
				Attestation::Revealed { output_hash, .. } => Some(output_hash),
				_ => None,
			});
			match output {
				Some(output) => T::Datasets::job_settled(id, output),
				None => {
					defensive!("a settled job has a revealed result");
					T::Datasets::job_refunded(id);
				},
			}
		}
		Self::end_job(id, &job);
		Self::deposit_event(Event::JobSettled {
			job: id,
			owner: owner.clone(),
			paid,
			fee,
			burned,
			refunded,
		});
	}

	// ---------------------------------------------------------------- timeouts

	pub(crate) fn do_claim_expired(id: JobId) -> DispatchResult {
		let job = Self::job(id)?;
		ensure!(job.timeout < Self::now(), Error::<T>::NotYetDue);
		// A caller choosing the block of a draw would choose its randomness: only
		// `on_initialize` draws.
		if job.state == JobState::Disputed {
			let pending = Disputes::<T>::get(id)
				.is_some_and(|d| matches!(d.phase, DisputePhase::Draw { .. }));
			ensure!(!pending, Error::<T>::VerifiersNotDrawn);
		}
		Self::unschedule(id, job.timeout);
		Self::process_due(id, job);
		Ok(())
	}

	/// Process a job whose stage timed out; it is already off its queue.
	pub(crate) fn process_due(id: JobId, job: Job<T>) {
		match job.state {
			JobState::Open => Self::expire(id, job),
			JobState::Revealing { .. } => Self::close_reveal(id, job),
			JobState::Challengeable { .. } => Self::settle(id, job),
			JobState::Disputed => Self::dispute_timeout(id, job),
		}
	}

	/// Slash `SlashOnTimeout` of a provider that let a deadline or reveal period pass, to
	/// `OnSlash`.
	fn slash_for_timeout(id: JobId, who: &T::AccountId) {
		let credit = Self::slash_provider(
			id,
			who,
			T::SlashOnTimeout::get(),
			SlashReason::Timeout,
			Outcome::TimedOut,
		);
		T::OnSlash::on_unbalanced(credit);
	}

	/// The deadline passed before every slot attested: full refund; slots that never attested
	/// are slashed `SlashOnTimeout`.
	fn expire(id: JobId, job: Job<T>) {
		for slot in job.slots.iter() {
			if slot.attestation == Attestation::Pending {
				Self::slash_for_timeout(id, &slot.provider);
			}
		}
		Self::refund(id, &job, RefundReason::DeadlineMissed);
	}

	/// The reveal period ended: slots that did not reveal are slashed and dropped; the rest are
	/// evaluated.
	fn close_reveal(id: JobId, mut job: Job<T>) {
		let (revealed, silent): (Vec<Slot<T>>, Vec<Slot<T>>) = job
			.slots
			.clone()
			.into_iter()
			.partition(|s| matches!(s.attestation, Attestation::Revealed { .. }));
		for slot in silent.iter() {
			Self::slash_for_timeout(id, &slot.provider);
			Self::release_slot(&slot.provider);
		}
		job.slots = BoundedVec::truncate_from(revealed);
		Self::evaluate(id, job);
	}

	/// A dispute phase ended: draw → commit (or a refund without enough verifiers), commit →
	/// reveal (unless a majority is already impossible), reveal → decide.
	fn dispute_timeout(id: JobId, mut job: Job<T>) {
		let Some(mut dispute) = Disputes::<T>::get(id) else {
			defensive!("a disputed job has a dispute");
			Self::refund(id, &job, RefundReason::QuorumNotReached);
			return;
		};
		match dispute.phase {
			DisputePhase::Commit { .. } => {
				let committed =
					dispute.votes.iter().filter(|(_, v)| matches!(v, Vote::Committed(_))).count()
						as u32;
				if committed.saturating_mul(2) <= T::VerifierQuorum::get() {
					Self::resolve(id, job, dispute);
					return;
				}
				let until = Self::after(T::VoteRevealPeriod::get());
				dispute.phase = DisputePhase::Reveal { until };
				Self::schedule_internal(id, &mut job, until);
				Jobs::<T>::insert(id, job);
				Disputes::<T>::insert(id, dispute);
				Self::deposit_event(Event::VoteRevealStarted { job: id, until });
			},
			DisputePhase::Reveal { .. } => Self::resolve(id, job, dispute),
			DisputePhase::Draw { .. } => Self::draw_dispute(id, job, dispute),
		}
	}

	/// The weight of processing one due job, whichever way it goes: settlement, a verifier draw,
	/// a dispute requested after a reveal period, or a dispute decided (slashes, rewards and
	/// settlement).
	pub fn due_job_weight() -> Weight {
		Self::due_job_own_weight().saturating_add(Self::end_use_weight())
	}

	/// [`Self::due_job_weight`] without what the data market does when the job ends: the
	/// costliest branch, plus what the providers' pools do for as many payments or slashes as a
	/// job has slots.
	fn due_job_own_weight() -> Weight {
		T::WeightInfo::claim_expired()
			.max(T::WeightInfo::reveal_attestation_last())
			.max(T::WeightInfo::reveal_vote_last())
			.max(T::WeightInfo::on_initialize_draw())
			.saturating_add(Self::pool_weight(T::MaxRedundancy::get()))
	}

	/// What `Config::Pools` does for `slots` providers paid or slashed (each at most once per
	/// job ending), as the pools' implementation benchmarked it (security finding F-5: the
	/// compute benchmarks run without pools).
	pub fn pool_weight(slots: u32) -> Weight {
		T::Pools::paid_weight().max(T::Pools::slashed_weight()).saturating_mul(slots.into())
	}

	/// The weight of the reveal that decides a dispute: slashes and payments (with their pools'
	/// work) and the end of the job.
	pub fn reveal_vote_last_weight() -> Weight {
		T::WeightInfo::reveal_vote_last()
			.saturating_add(Self::pool_weight(T::MaxRedundancy::get()))
			.saturating_add(Self::end_use_weight())
	}

	/// The weight of telling the data market that a job ended (settled or refunded), for a job
	/// naming the most datasets.
	pub fn end_use_weight() -> Weight {
		T::Datasets::end_use_weight(T::MaxInputs::get())
	}

	/// Work through due timeout queues: those of blocks before `now`, at most
	/// `MaxExpiriesPerBlock` jobs and twice as many queues per block.
	pub(crate) fn process_timeouts(now: BlockNumberFor<T>) -> Weight {
		if QueuedJobs::<T>::get() == 0 {
			TimeoutCursor::<T>::put(now);
			return T::WeightInfo::on_initialize_idle();
		}
		let max_jobs = T::MaxExpiriesPerBlock::get();
		let max_visits = max_jobs.saturating_mul(2).max(1);
		let mut cursor = TimeoutCursor::<T>::get();
		let (mut jobs, mut visits) = (0u32, 0u32);
		// What the data market does for the jobs that end, charged per job's real dataset count.
		let mut market = Weight::zero();
		while cursor < now && visits < max_visits && jobs < max_jobs {
			visits.saturating_inc();
			let mut queue = Timeouts::<T>::take(cursor).into_inner();
			let take = queue.len().min(max_jobs.saturating_sub(jobs) as usize);
			let due: Vec<JobId> = queue.drain(..take).collect();
			QueuedJobs::<T>::mutate(|n| *n = n.saturating_sub(due.len() as u32));
			for id in due {
				jobs.saturating_inc();
				match Jobs::<T>::get(id) {
					Some(job) => {
						if !job.spec.datasets.is_empty() {
							market = market.saturating_add(T::Datasets::end_use_weight(
								job.spec.datasets.len() as u32,
							));
						}
						Self::process_due(id, job)
					},
					None => {
						defensive!("queued jobs exist");
					},
				}
			}
			if !queue.is_empty() {
				Timeouts::<T>::insert(cursor, BoundedVec::truncate_from(queue));
				break;
			}
			cursor = cursor.saturating_add(One::one());
		}
		TimeoutCursor::<T>::put(cursor);
		T::WeightInfo::on_initialize_idle()
			.saturating_add(T::WeightInfo::on_initialize_visit().saturating_mul(visits.into()))
			.saturating_add(
				T::WeightInfo::on_initialize_job()
					.max(Self::due_job_own_weight())
					.saturating_mul(jobs.into()),
			)
			.saturating_add(market)
	}

	// ---------------------------------------------------------------- config

	pub(crate) fn check_config() {
		assert!(T::MaxRedundancy::get() >= 1, "MaxRedundancy must be at least 1");
		assert!(T::MaxRedundancy::get() <= u8::MAX.into(), "redundancy is a u8");
		assert!(T::VerifierQuorum::get() >= 1, "a dispute needs verifiers");
		assert!(
			T::MaxVerifierDraws::get() >= T::VerifierQuorum::get(),
			"MaxVerifierDraws must allow a full quorum"
		);
		assert!(T::MinDeadline::get() >= One::one(), "MinDeadline must be at least 1");
		assert!(T::MinDeadline::get() <= T::MaxDeadline::get(), "MinDeadline <= MaxDeadline");
		for (name, p) in [
			("RevealPeriod", T::RevealPeriod::get()),
			("ChallengePeriod", T::ChallengePeriod::get()),
			("VoteCommitPeriod", T::VoteCommitPeriod::get()),
			("VoteRevealPeriod", T::VoteRevealPeriod::get()),
			("VerifierDrawDelay", T::VerifierDrawDelay::get()),
		] {
			assert!(p >= One::one(), "{name} must be at least one block");
		}
		assert!(T::MaxExpiriesPerBlock::get() >= 1, "MaxExpiriesPerBlock must be at least 1");
		assert!(T::MaxJobsPerTimeout::get() >= 1, "MaxJobsPerTimeout must be at least 1");
		assert!(T::MaxExecutorKinds::get() >= 1, "providers must offer an executor");
		assert!(T::MaxJobsPerProvider::get() >= 1, "providers must take a job");
		assert!(
			T::FeeToTreasury::get().saturating_add(T::FeeToStakers::get()) <= Perbill::one()
				&& T::FeeToTreasury::get()
					.deconstruct()
					.saturating_add(T::FeeToStakers::get().deconstruct())
					<= Perbill::one().deconstruct(),
			"the fee shares exceed 100 %"
		);
		assert!(
			T::SlashOnFailure::get() < T::SlashOnTimeout::get()
				|| T::SlashOnTimeout::get().is_zero(),
			"an honest failure costs less than a timeout"
		);
		assert!(!T::MinProviderStake::get().is_zero(), "providers must stake something");
		// `CollateralPerSlot` is not checked: it is governed, and zero means no collateral
		// requirement (`MaxJobsPerProvider` alone limits the slots).
		assert!(!T::MinChallengeBond::get().is_zero(), "challenges must be bonded");
	}

	// ---------------------------------------------------------------- views

	fn slot_view(s: &Slot<T>) -> SlotView<T::AccountId, BalanceOf<T>> {
		let (committed, output_hash, usage) = match s.attestation {
			Attestation::Pending => (false, None, None),
			Attestation::Committed(_) => (true, None, None),
			Attestation::Revealed { output_hash, usage } => (true, Some(output_hash), Some(usage)),
		};
		SlotView {
			provider: s.provider.clone(),
			price_per_unit: s.price_per_unit,
			committed,
			output_hash,
			usage,
		}
	}

	/// An open job as the runtime API shows it.
	pub fn job_view(id: JobId) -> Option<JobView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let job = Jobs::<T>::get(id)?;
		let phase = match job.state {
			JobState::Open => JobPhase::Open,
			JobState::Revealing { .. } => JobPhase::Revealing,
			JobState::Challengeable { .. } => JobPhase::Challengeable,
			JobState::Disputed => JobPhase::Disputed,
		};
		Some(JobView {
			id,
			owner: job.owner.clone(),
			kind: job.spec.kind,
			inputs: job.spec.inputs.to_vec(),
			datasets: job.spec.datasets.to_vec(),
			params: job.spec.params.to_vec(),
			max_units: job.spec.max_units,
			output_size: job.spec.output_size,
			min_reputation: job.spec.min_reputation,
			budget: job.budget,
			reserved: job.reserved,
			deadline: job.deadline,
			redundancy: job.redundancy,
			phase,
			phase_ends: job.timeout,
			slots: job.slots.iter().map(Self::slot_view).collect(),
		})
	}

	fn to_provider_view(
		account: T::AccountId,
		p: Provider<T>,
	) -> ProviderView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> {
		let offers = p
			.capabilities
			.executors
			.iter()
			.map(|c| OfferView {
				kind: c.kind,
				max_units: c.max_units,
				price_per_unit: p.price(c.kind).unwrap_or_default(),
			})
			.collect();
		ProviderView {
			account,
			stake: p.stake,
			status: match p.status {
				ProviderStatus::Active => ProviderStatusView::Active,
				ProviderStatus::Paused => ProviderStatusView::Paused,
				ProviderStatus::Unbonding { until } => ProviderStatusView::Unbonding(until),
			},
			gpu_model: p.capabilities.gpu_model.to_vec(),
			vram_mib: p.capabilities.vram_mib,
			devices: p.capabilities.devices,
			offers,
			active_jobs: p.active_jobs,
			matching_lead: p.matching_lead,
			reputation: p.reputation.score(),
			completed: p.reputation.completed,
			failed: p.reputation.failed,
			timed_out: p.reputation.timed_out,
			slashed: p.reputation.slashed,
		}
	}

	/// A provider as the runtime API shows it.
	pub fn provider_view(
		who: T::AccountId,
	) -> Option<ProviderView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Providers::<T>::get(&who).map(|p| Self::to_provider_view(who, p))
	}

	/// Up to `limit` (at most 100) providers offering `kind`, after `start_after`.
	pub fn providers_page(
		kind: Option<ExecutorKind>,
		start_after: Option<T::AccountId>,
		limit: u32,
	) -> Vec<ProviderView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let iter = match start_after {
			Some(a) => Providers::<T>::iter_from(Providers::<T>::hashed_key_for(a)),
			None => Providers::<T>::iter(),
		};
		iter.filter(|(_, p)| kind.is_none_or(|k| p.capability(k).is_some()))
			.take(limit.min(100) as usize)
			.map(|(a, p)| Self::to_provider_view(a, p))
			.collect()
	}

	/// The cheapest `redundancy` active providers that could take a job of `kind` and
	/// `max_units` with the reputation floor (with a free slot and the collateral for it), and
	/// the budget that covers them. Scans at most `MaxProviders` records.
	pub fn quote(
		kind: ExecutorKind,
		max_units: u64,
		redundancy: u8,
		min_reputation: Permill,
	) -> Option<QuoteView<T::AccountId, BalanceOf<T>>> {
		if redundancy == 0 || max_units == 0 {
			return None;
		}
		let mut eligible: Vec<QuotedProvider<T::AccountId, BalanceOf<T>>> = Providers::<T>::iter()
			.take(T::MaxProviders::get() as usize)
			.filter(|(a, p)| {
				p.status == ProviderStatus::Active
					&& p.active_jobs < T::MaxJobsPerProvider::get()
					&& p.capability(kind).is_some_and(|c| c.max_units >= max_units)
					&& p.reputation.score() >= min_reputation
					&& Self::has_collateral_for_slot(a, p)
			})
			.filter_map(|(a, p)| {
				Some(QuotedProvider {
					price_per_unit: p.price(kind)?,
					reputation: p.reputation.score(),
					provider: a,
				})
			})
			.collect();
		let count = eligible.len() as u32;
		if count < u32::from(redundancy) {
			return None;
		}
		eligible.sort_by_key(|q| q.price_per_unit);
		eligible.truncate(usize::from(redundancy));
		let mut budget = BalanceOf::<T>::zero();
		let mut protocol_fee = BalanceOf::<T>::zero();
		for q in eligible.iter() {
			let cost = Self::cost(q.price_per_unit, max_units).ok()?;
			budget = budget.checked_add(&cost)?;
			protocol_fee = protocol_fee.saturating_add(T::ProtocolFee::get().mul_ceil(cost));
		}
		Some(QuoteView { providers: eligible, budget, protocol_fee, eligible: count })
	}

	// ---------------------------------------------------------------- invariants

	/// The pallet's invariants:
	/// - each job owner's `JobEscrow` hold equals the sum of its jobs' budgets, and each
	///   budget covers the slots' reservations;
	/// - each provider's `ProviderStake` hold equals its recorded stake, and its `active_jobs`
	///   the slots it holds;
	/// - `StorageDeposit` and `ChallengeBond` holds match the records;
	/// - every job is in exactly one timeout queue, the one of its `timeout` block, not before
	///   the cursor;
	/// - disputes exist exactly for disputed jobs; the provider index is dense.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		use frame_support::traits::fungible::InspectHold;
		let mut escrow: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut bonds: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut slots: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut queued: BTreeMap<JobId, u32> = BTreeMap::new();
		let mut total_queued = 0u32;
		for (block, queue) in Timeouts::<T>::iter() {
			ensure!(!queue.is_empty(), "empty timeout queues are removed");
			ensure!(block >= TimeoutCursor::<T>::get(), "a queue lies behind the cursor");
			for id in queue {
				queued.entry(id).or_default().saturating_inc();
				total_queued.saturating_inc();
			}
		}
		ensure!(total_queued == QueuedJobs::<T>::get(), "QueuedJobs counts the queues");
		let mut jobs = 0u32;
		for (id, job) in Jobs::<T>::iter() {
			jobs.saturating_inc();
			ensure!(queued.get(&id) == Some(&1), "every job is in exactly one queue");
			ensure!(
				Timeouts::<T>::get(job.timeout).contains(&id),
				"a job is in the queue of its timeout block"
			);
			let e = escrow.entry(job.owner.clone()).or_default();
			*e = e.saturating_add(job.budget);
			let d = deposits.entry(job.owner.clone()).or_default();
			*d = d.saturating_add(job.deposit);
			ensure!(job.slots.len() <= usize::from(job.redundancy), "slots <= redundancy");
			let mut reserved = BalanceOf::<T>::zero();
			let mut seen = BTreeSet::new();
			for s in job.slots.iter() {
				ensure!(seen.insert(s.provider.clone()), "a provider holds one slot per job");
				slots.entry(s.provider.clone()).or_default().saturating_inc();
				reserved = reserved.saturating_add(
					Self::cost(s.price_per_unit, job.spec.max_units).unwrap_or_default(),
				);
				if let Attestation::Revealed { usage, .. } = s.attestation {
					ensure!(usage <= job.spec.max_units, "usage within the spec");
				}
			}
			if job.state == JobState::Open {
				ensure!(reserved == job.reserved, "reserved is the sum of the slots' maxima");
			}
			ensure!(job.reserved <= job.budget, "reservations fit in the budget");
			ensure!(
				(job.state == JobState::Disputed) == Disputes::<T>::contains_key(id),
				"disputes exist exactly for disputed jobs"
			);
			if let Some(d) = Disputes::<T>::get(id) {
				match d.phase {
					DisputePhase::Draw { at } => {
						ensure!(d.votes.is_empty(), "no verifier before the draw");
						ensure!(job.timeout >= at, "a pending draw waits for its block");
					},
					DisputePhase::Commit { .. } | DisputePhase::Reveal { .. } => ensure!(
						d.votes.len() as u32 == T::VerifierQuorum::get(),
						"a drawn dispute has a full quorum"
					),
				}
				if let Some(c) = d.challenge {
					let b = bonds.entry(c.who).or_default();
					*b = b.saturating_add(c.bond);
				}
			}
		}
		ensure!(jobs == total_queued, "exactly the jobs are queued");
		ensure!(Disputes::<T>::iter_keys().count() as u32 <= jobs, "no orphan disputes");
		let mut providers = 0u32;
		for (who, p) in Providers::<T>::iter() {
			providers.saturating_inc();
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ProviderStake.into(), &who) == p.stake,
				"a provider's stake hold equals its recorded stake"
			);
			ensure!(
				slots.get(&who).copied().unwrap_or_default() == p.active_jobs,
				"active_jobs counts the provider's slots"
			);
			ensure!(ProviderIndex::<T>::get(p.index) == Some(who.clone()), "index consistent");
			let d = deposits.entry(who).or_default();
			*d = d.saturating_add(p.deposit);
		}
		ensure!(providers == ProviderCount::<T>::get(), "ProviderCount counts providers");
		ensure!(
			ProviderIndex::<T>::iter_keys().all(|i| i < providers),
			"the provider index is dense"
		);
		for (who, amount) in escrow.iter() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::JobEscrow.into(), who) == *amount,
				"an owner's escrow hold equals the sum of its open budgets"
			);
		}
		for (who, amount) in deposits.iter() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::StorageDeposit.into(), who) == *amount,
				"deposit holds match the records"
			);
		}
		for (who, amount) in bonds.iter() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ChallengeBond.into(), who) == *amount,
				"bond holds match the disputes"
			);
		}
		Ok(())
	}

	/// The escrow, deposit and bond an account should have on hold according to the records (used
	/// by tests to check accounts without open records hold nothing).
	#[cfg(test)]
	pub fn expected_holds(who: &T::AccountId) -> [BalanceOf<T>; 4] {
		let mut out = [BalanceOf::<T>::zero(); 4];
		let [stake, escrow, bond, deposit] = &mut out;
		if let Some(p) = Providers::<T>::get(who) {
			*stake = p.stake;
			*deposit = p.deposit;
		}
		for (id, job) in Jobs::<T>::iter() {
			if &job.owner == who {
				*escrow = escrow.saturating_add(job.budget);
				*deposit = deposit.saturating_add(job.deposit);
			}
			if let Some(Dispute { challenge: Some(c), .. }) = Disputes::<T>::get(id) {
				if &c.who == who {
					*bond = bond.saturating_add(c.bond);
				}
			}
		}
		out
	}
}

/// pallet-staking's provider pools ask whether an account may open a pool: any account with a
/// provider record (active, paused or unbonding).
impl<T: Config> airtime_primitives::compute::ProviderRegistry<T::AccountId> for Pallet<T> {
	fn is_provider(who: &T::AccountId) -> bool {
		Providers::<T>::contains_key(who)
	}
}
