//! Benchmarks for pallet-compute: one per [`WeightInfo`] function, each in its worst case.
//!
//! Every benchmark builds its state through the pallet's own `do_*` functions (so the records,
//! holds and timeout queues are consistent), at block 1 unless it needs time to pass. Jobs use
//! the largest spec the constants allow (`MaxInputs` inputs and datasets, `MaxParamsLen` bytes of
//! parameters) and, where it matters, `MaxRedundancy` slots; providers offer every executor
//! (up to `MaxExecutorKinds`) with the jobs' executor last, so lookups scan the whole list.
//!
//! Assumes `MaxRedundancy >= 2` (commit-reveal and disagreement need two slots) and
//! `VerifierQuorum + MaxRedundancy <= MaxProviders`.
//!
//! ## Verifier draws
//!
//! Disputes draw verifiers from `Config::Randomness`, seeded by the job id, in the
//! `on_initialize` of block `request + VerifierDrawDelay + 1`. Benchmarks that need a drawn
//! dispute pick, among the next [`ID_SEARCH`] ids, the one whose draw at that block fills the
//! quorum with the most draws (mirroring `Pallet::draw_verifiers`), and make it the next job id.
//! For the worst case (`on_initialize_draw`) most providers outside the job are paused, so
//! draws keep landing on providers that are read and turned down.

// Benchmarks panic on a setup that does not go as planned.
#![allow(clippy::expect_used)]

use super::*;
use airtime_primitives::compute::{attestation_commitment, vote_commitment};
use alloc::{collections::BTreeSet, vec, vec::Vec};
use codec::{Decode, Encode};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		Get, Randomness,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::H256;
use sp_runtime::{
	traits::{One, Saturating, Zero},
	Permill,
};

const SEED: u32 = 0;
/// The queues a user-submitted deadline may probe.
use crate::functions::USER_PROBE;
/// How many job ids are tried to find a verifier draw that fills the quorum.
const ID_SEARCH: u64 = 256;
/// The units every job allows and every provider accepts; slots reveal this usage (the largest
/// payments).
const MAX_UNITS: u64 = 1_000;
/// The output the (honest) providers and the verifiers agree on.
const GOOD: H256 = H256([1u8; 32]);
/// Another output: a wrong provider's, or a challenger's claim.
const BAD: H256 = H256([2u8; 32]);
/// Salt of every commitment (commitments also bind the account, so one salt serves all).
const SALT: [u8; 32] = [7u8; 32];
/// Every executor, the one the benchmark jobs use (`GemmInt8`, bit-exact) last.
const KINDS: [ExecutorKind; 4] = [
	ExecutorKind::GemmF32,
	ExecutorKind::MlpFixedPoint,
	ExecutorKind::VectorSearch,
	ExecutorKind::GemmInt8,
];

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event.into());
}

/// Go to block 1 (events are not recorded at block 0) and return it.
fn start<T: Config>() -> BlockNumberFor<T> {
	let now: BlockNumberFor<T> = 1u32.into();
	frame_system::Pallet::<T>::set_block_number(now);
	now
}

/// `MaxRedundancy` as the `u8` jobs carry.
fn redundancy<T: Config>() -> u8 {
	u8::try_from(T::MaxRedundancy::get()).unwrap_or(u8::MAX)
}

/// Price per unit of every provider: at least the existential deposit, so payments are real
/// transfers.
fn price<T: Config>() -> BalanceOf<T> {
	let floor: BalanceOf<T> = 1_000u32.into();
	<T::Currency as Inspect<T::AccountId>>::minimum_balance().max(floor)
}

/// A budget that covers `MaxRedundancy` slots at [`price`] for [`MAX_UNITS`] each, exactly.
fn budget<T: Config>() -> BalanceOf<T> {
	Pallet::<T>::cost(price::<T>(), MAX_UNITS)
		.expect("price * units fits in a balance")
		.saturating_mul(T::MaxRedundancy::get().into())
}

/// Give `who` far more than any benchmark holds from it.
fn fund<T: Config>(who: &T::AccountId) {
	let amount = T::MinProviderStake::get()
		.saturating_mul(1_000u32.into())
		.saturating_add(T::CollateralPerSlot::get().saturating_mul(10u32.into()))
		.saturating_add(T::ProviderDeposit::get().saturating_mul(10u32.into()))
		.saturating_add(T::JobDeposit::get().saturating_mul(100u32.into()))
		.saturating_add(T::MinChallengeBond::get().saturating_mul(10u32.into()))
		.saturating_add(budget::<T>().saturating_mul(100u32.into()))
		.saturating_add(<T::Currency as Inspect<T::AccountId>>::minimum_balance());
	<T::Currency as Mutate<T::AccountId>>::set_balance(who, amount);
}

/// The largest offer: a `MaxModelLen` GPU model and `min(MaxExecutorKinds, 4)` executors, all
/// at `price`, the jobs' executor last.
fn offer<T: Config>(price: BalanceOf<T>) -> (Capabilities<T>, PricesOf<T>) {
	let n = (T::MaxExecutorKinds::get() as usize).clamp(1, KINDS.len());
	let kinds: Vec<ExecutorKind> =
		KINDS.iter().copied().skip(KINDS.len().saturating_sub(n)).collect();
	let capabilities = Capabilities {
		gpu_model: BoundedVec::truncate_from(vec![b'G'; T::MaxModelLen::get() as usize]),
		vram_mib: 81_920,
		devices: 8,
		executors: BoundedVec::truncate_from(
			kinds.iter().map(|&kind| ExecutorCapability { kind, max_units: MAX_UNITS }).collect(),
		),
	};
	let prices = BoundedVec::truncate_from(
		kinds.into_iter().map(|kind| ExecutorPrice { kind, price_per_unit: price }).collect(),
	);
	(capabilities, prices)
}

/// The stake every benchmark provider registers with: `MinProviderStake`, or `CollateralPerSlot`
/// when that is larger, so that the stake alone (benchmarks assume no pooled stake) covers the
/// one slot each provider takes.
fn provider_stake<T: Config>() -> BalanceOf<T> {
	T::MinProviderStake::get().max(T::CollateralPerSlot::get())
}

/// Fund `who` and register it with the largest offer, staking [`provider_stake`]: exactly
/// `MinProviderStake` while `CollateralPerSlot` does not exceed it (as in the runtime), so any
/// slash pauses it.
fn register<T: Config>(who: &T::AccountId) {
	fund::<T>(who);
	let (capabilities, prices) = offer::<T>(price::<T>());
	Pallet::<T>::do_register_provider(who.clone(), capabilities, prices, provider_stake::<T>())
		.expect("the provider registers");
}

/// Register `n` providers named `name`.
fn register_many<T: Config>(name: &'static str, n: u32) -> Vec<T::AccountId> {
	(0..n)
		.map(|i| {
			let who: T::AccountId = account(name, i, SEED);
			register::<T>(&who);
			who
		})
		.collect()
}

/// A funded job owner.
fn owner<T: Config>() -> T::AccountId {
	let owner: T::AccountId = account("owner", 0, SEED);
	fund::<T>(&owner);
	owner
}

/// The largest job spec: `MaxInputs` inputs, `MaxParamsLen` bytes of parameters, the largest
/// output. It names no datasets: what the data market does for them is measured by its own
/// benchmarks and added through `DatasetUsage::begin_use_weight` / `end_use_weight`.
fn max_spec<T: Config>() -> JobSpec<T> {
	let inputs = T::MaxInputs::get();
	JobSpec {
		kind: ExecutorKind::GemmInt8,
		inputs: BoundedVec::truncate_from(
			(0..inputs).map(|i| H256(sp_io::hashing::blake2_256(&i.to_le_bytes()))).collect(),
		),
		datasets: BoundedVec::new(),
		params: BoundedVec::truncate_from(vec![0x5a; T::MaxParamsLen::get() as usize]),
		max_units: MAX_UNITS,
		output_size: T::MaxOutputSize::get(),
		min_reputation: Permill::zero(),
	}
}

/// Submit a largest-spec job of `redundancy` from `owner`, due in `MaxDeadline` blocks.
fn submit<T: Config>(owner: &T::AccountId, redundancy: u8) -> JobId {
	let id = NextJobId::<T>::get();
	Pallet::<T>::do_submit_job(
		owner.clone(),
		max_spec::<T>(),
		budget::<T>(),
		T::MaxDeadline::get(),
		redundancy,
	)
	.expect("the job is submitted");
	id
}

/// Put `n` placeholder ids in the timeout queue of `block`, as other jobs would be there.
fn crowd<T: Config>(block: BlockNumberFor<T>, n: u32) {
	let ids: Vec<JobId> = (0..n).map(|k| JobId::MAX.saturating_sub(u64::from(k))).collect();
	Timeouts::<T>::insert(block, BoundedVec::<JobId, T::MaxJobsPerTimeout>::truncate_from(ids));
	QueuedJobs::<T>::mutate(|q| *q = q.saturating_add(n));
}

/// How many draws `Pallet::draw_verifiers` makes for job `id` before its quorum is full, or
/// `None` when it does not fill it. Mirrors `draw_verifiers`; `pick_job_id` checks the two agree.
fn quorum_draws<T: Config>(id: JobId, excluded: &BTreeSet<T::AccountId>) -> Option<u32> {
	let count = ProviderCount::<T>::get();
	if count == 0 {
		return None;
	}
	let quorum = T::VerifierQuorum::get() as usize;
	let (seed, _) = T::Randomness::random(&(b"airtime/verifiers", id).encode());
	let mut drawn: Vec<T::AccountId> = Vec::new();
	for i in 0..T::MaxVerifierDraws::get() {
		let h = sp_io::hashing::blake2_256(&(seed, i).encode());
		let index = u32::decode(&mut h.as_slice()).unwrap_or_default().checked_rem(count)?;
		let Some(account) = ProviderIndex::<T>::get(index) else { continue };
		if excluded.contains(&account) || drawn.contains(&account) {
			continue;
		}
		if Providers::<T>::get(&account).is_some_and(|p| p.status == ProviderStatus::Active) {
			drawn.push(account);
			if drawn.len() >= quorum {
				return Some(i.saturating_add(1));
			}
		}
	}
	None
}

/// Among the next [`ID_SEARCH`] job ids, pick the one whose verifier draw (with the providers
/// registered now, leaving out `excluded`) fills the quorum with the most draws, and make it the
/// next job id. The draw must happen at the current block (some seeds depend on it): callers
/// move to the block of the draw first.
fn pick_job_id<T: Config>(excluded: &BTreeSet<T::AccountId>) -> JobId {
	let first = NextJobId::<T>::get();
	let mut best: Option<(u32, JobId)> = None;
	for id in first..first.saturating_add(ID_SEARCH) {
		let Some(draws) = quorum_draws::<T>(id, excluded) else { continue };
		if best.is_none_or(|(most, _)| draws > most) {
			best = Some((draws, id));
		}
		if draws >= T::MaxVerifierDraws::get() {
			break;
		}
	}
	let (_, id) = best.expect("some job id draws a full verifier quorum");
	assert_eq!(
		Pallet::<T>::draw_verifiers(id, excluded).len() as u32,
		T::VerifierQuorum::get(),
		"the draw simulation matches the pallet"
	);
	NextJobId::<T>::put(id);
	id
}

/// How many paused providers to register beside the job's and the verifiers, for the worst
/// draw: up to `MaxVerifierDraws`, within `MaxProviders`.
fn idle_providers<T: Config>() -> u32 {
	T::MaxProviders::get()
		.saturating_sub(T::MaxRedundancy::get())
		.saturating_sub(T::VerifierQuorum::get())
		.min(T::MaxVerifierDraws::get())
}

/// An open job of `MaxRedundancy` slots, every slot taken (attestations pending).
struct Slotted<T: Config> {
	id: JobId,
	slots: Vec<T::AccountId>,
}

/// Register `MaxRedundancy` providers, submit a `MaxRedundancy` job and fill its slots.
fn slotted_job<T: Config>() -> Slotted<T> {
	let slots = register_many::<T>("provider", T::MaxRedundancy::get());
	let owner = owner::<T>();
	let id = submit::<T>(&owner, redundancy::<T>());
	for p in slots.iter() {
		Pallet::<T>::do_take_slot(id, p.clone(), None).expect("the provider takes a slot");
	}
	Slotted { id, slots }
}

/// As [`slotted_job`], with `VerifierQuorum` active providers and `idle` paused ones registered
/// besides, and the job's id chosen so that a dispute over it (requested at the current block,
/// `challenger` challenging, if any, and drawn by [`draw`]) draws a full quorum in as many draws
/// as possible.
fn slotted_job_with_verifiers<T: Config>(
	idle: u32,
	challenger: Option<&T::AccountId>,
) -> Slotted<T> {
	let slots = register_many::<T>("provider", T::MaxRedundancy::get());
	register_many::<T>("verifier", T::VerifierQuorum::get());
	for p in register_many::<T>("idle", idle) {
		Pallet::<T>::do_pause_provider(p).expect("the provider pauses");
	}
	let owner = owner::<T>();
	let mut excluded: BTreeSet<T::AccountId> = slots.iter().cloned().collect();
	excluded.insert(owner.clone());
	if let Some(c) = challenger {
		excluded.insert(c.clone());
	}
	// The draw happens at the start of block `now + VerifierDrawDelay + 1` (some seeds depend
	// on the block number).
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(draw_block::<T>(now));
	let picked = pick_job_id::<T>(&excluded);
	frame_system::Pallet::<T>::set_block_number(now);
	let id = submit::<T>(&owner, redundancy::<T>());
	assert_eq!(id, picked);
	for p in slots.iter() {
		Pallet::<T>::do_take_slot(id, p.clone(), None).expect("the provider takes a slot");
	}
	Slotted { id, slots }
}

/// The block whose `on_initialize` draws the verifiers of a dispute requested at `requested`.
fn draw_block<T: Config>(requested: BlockNumberFor<T>) -> BlockNumberFor<T> {
	requested.saturating_add(T::VerifierDrawDelay::get()).saturating_add(One::one())
}

/// Move to the block after the pending draw of job `id`'s dispute and run `on_initialize`'s
/// timeout processing, which draws the verifiers; returns them.
fn draw<T: Config>(id: JobId) -> Vec<T::AccountId> {
	let at = Jobs::<T>::get(id).expect("the job is disputed").timeout;
	let now = at.saturating_add(One::one());
	frame_system::Pallet::<T>::set_block_number(now);
	TimeoutCursor::<T>::put(at);
	let _ = Pallet::<T>::process_timeouts(now);
	let dispute = Disputes::<T>::get(id).expect("the draw opened the dispute");
	assert!(matches!(dispute.phase, DisputePhase::Commit { .. }), "the verifiers are drawn");
	dispute.votes.iter().map(|(v, _)| v.clone()).collect()
}

/// The output slot `i` of `n` attests: all agree, unless `disagree`, when the last one differs.
fn answer(i: usize, n: usize, disagree: bool) -> H256 {
	if disagree && i.saturating_add(1) == n {
		BAD
	} else {
		GOOD
	}
}

/// Every slot commits to its [`answer`].
fn commit_all<T: Config>(job: &Slotted<T>, disagree: bool) {
	let n = job.slots.len();
	for (i, p) in job.slots.iter().enumerate() {
		let commitment =
			attestation_commitment(job.id, p, &answer(i, n, disagree), MAX_UNITS, &SALT);
		Pallet::<T>::do_commit_attestation(p.clone(), job.id, commitment)
			.expect("the provider commits");
	}
}

/// The first `count` slots reveal their [`answer`].
fn reveal_first<T: Config>(job: &Slotted<T>, count: usize, disagree: bool) {
	let n = job.slots.len();
	for (i, p) in job.slots.iter().enumerate().take(count) {
		Pallet::<T>::do_reveal_attestation(
			p.clone(),
			job.id,
			answer(i, n, disagree),
			MAX_UNITS,
			SALT,
		)
		.expect("the provider reveals");
	}
}

/// Every slot attests its [`answer`] (commit-reveal when redundant).
fn attest_all<T: Config>(job: &Slotted<T>, disagree: bool) {
	if let [only] = job.slots.as_slice() {
		Pallet::<T>::do_submit_attestation(only.clone(), job.id, GOOD, MAX_UNITS)
			.expect("the provider attests");
	} else {
		commit_all::<T>(job, disagree);
		reveal_first::<T>(job, job.slots.len(), disagree);
	}
}

/// A disputed `MaxRedundancy` job: every slot revealed, the last one disagreeing, the verifiers
/// drawn (at a later block); returns them.
fn disputed_job<T: Config>() -> (Slotted<T>, Vec<T::AccountId>) {
	let job = slotted_job_with_verifiers::<T>(0, None);
	attest_all::<T>(&job, true);
	let verifiers = draw::<T>(job.id);
	(job, verifiers)
}

fn commit_vote_of<T: Config>(id: JobId, verifier: &T::AccountId, output_hash: H256) {
	let commitment = vote_commitment(id, verifier, &output_hash, &SALT);
	Pallet::<T>::do_commit_vote(verifier.clone(), id, commitment).expect("the verifier commits");
}

fn reveal_vote_of<T: Config>(id: JobId, verifier: &T::AccountId, output_hash: H256) {
	Pallet::<T>::do_reveal_vote(verifier.clone(), id, output_hash, SALT)
		.expect("the verifier reveals");
}

/// A `MaxRedundancy` job whose providers all revealed the same output with usage `MAX_UNITS`:
/// challengeable, settled when its timeout (returned) has passed.
fn agreed_job<T: Config>() -> (Slotted<T>, BlockNumberFor<T>) {
	let job = slotted_job::<T>();
	attest_all::<T>(&job, false);
	let stored = Jobs::<T>::get(job.id).expect("the job is challengeable");
	assert!(matches!(stored.state, JobState::Challengeable { .. }));
	let timeout = stored.timeout;
	(job, timeout)
}

/// Each of `providers` was paid once (its reputation counts one completed job).
fn assert_paid<T: Config>(providers: &[T::AccountId]) {
	for p in providers {
		assert_eq!(Providers::<T>::get(p).map(|p| p.reputation.completed), Some(1));
	}
}

/// Copy job `template` and provider `provider` `n` times under fresh keys (state size only: the
/// copies are not in queues or holds, so the invariants do not hold afterwards).
fn fill_state<T: Config>(template: JobId, provider: &T::AccountId, n: u32) {
	let job = Jobs::<T>::get(template).expect("the template job exists");
	let record = Providers::<T>::get(provider).expect("the template provider exists");
	let base = template.saturating_add(1_000_000);
	for i in 0..n {
		Jobs::<T>::insert(base.saturating_add(u64::from(i)), job.clone());
		let filler: T::AccountId = account("filler", i, SEED);
		Providers::<T>::insert(&filler, record.clone());
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	// ------------------------------------------------------------------------ providers

	/// A `MaxModelLen` GPU model and `min(MaxExecutorKinds, 4)` executors to validate.
	#[benchmark]
	fn register_provider() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let (capabilities, prices) = offer::<T>(price::<T>());
		let stake = T::MinProviderStake::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), capabilities, prices, stake);

		assert_last_event::<T>(Event::ProviderRegistered {
			provider: caller,
			stake,
			deposit: T::ProviderDeposit::get(),
		});
	}

	/// Replaces the largest offer with another largest one.
	#[benchmark]
	fn update_provider() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);
		let (capabilities, prices) = offer::<T>(price::<T>().saturating_mul(2u32.into()));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), capabilities.clone(), prices);

		assert_last_event::<T>(Event::ProviderUpdated { provider: caller.clone() });
		assert_eq!(Providers::<T>::get(&caller).map(|p| p.capabilities), Some(capabilities));
	}

	#[benchmark]
	fn pause_provider() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert_last_event::<T>(Event::ProviderPaused { provider: caller, slashed: false });
	}

	/// Resuming an unbonding provider (also cancels its unbonding).
	#[benchmark]
	fn resume_provider() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);
		Pallet::<T>::do_unregister_provider(caller.clone()).expect("the provider unbonds");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert_last_event::<T>(Event::ProviderResumed { provider: caller.clone() });
		assert_eq!(Providers::<T>::get(&caller).map(|p| p.status), Some(ProviderStatus::Active));
	}

	#[benchmark]
	fn increase_stake() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);
		let amount = T::MinProviderStake::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), amount);

		assert_last_event::<T>(Event::StakeIncreased {
			provider: caller,
			amount,
			stake: provider_stake::<T>().saturating_add(amount),
		});
	}

	/// Opting in to third-party matching (off at registration).
	#[benchmark]
	fn set_matching() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), Some(Zero::zero()));

		assert_eq!(Providers::<T>::get(&caller).map(|p| p.matching_lead), Some(Some(Zero::zero())));
		assert_last_event::<T>(Event::MatchingSet {
			provider: caller,
			min_lead: Some(Zero::zero()),
		});
	}

	#[benchmark]
	fn unregister_provider() {
		let now = start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert_last_event::<T>(Event::ProviderUnbonding {
			provider: caller,
			until: now.saturating_add(T::UnbondingPeriod::get()),
		});
	}

	/// The caller is not the last in the provider index: the last one is moved into its place.
	#[benchmark]
	fn withdraw_provider() {
		let now = start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);
		let other: T::AccountId = account("provider", 0, SEED);
		register::<T>(&other);
		let index = Providers::<T>::get(&caller).map(|p| p.index).expect("registered");
		assert_ne!(index, ProviderCount::<T>::get().saturating_sub(1));
		Pallet::<T>::do_unregister_provider(caller.clone()).expect("the provider unbonds");
		frame_system::Pallet::<T>::set_block_number(now.saturating_add(T::UnbondingPeriod::get()));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Providers::<T>::contains_key(&caller));
		assert_eq!(Providers::<T>::get(&other).map(|p| p.index), Some(index));
		assert_eq!(ProviderIndex::<T>::get(index), Some(other));
		assert_last_event::<T>(Event::ProviderWithdrawn {
			provider: caller,
			stake: provider_stake::<T>(),
			deposit: T::ProviderDeposit::get(),
		});
	}

	// ------------------------------------------------------------------------ jobs

	/// The largest spec, and the queues of the wanted block and the `p - 1` after it are full:
	/// the job lands in the `p`-th queue it reads (`USER_PROBE` at most, the worst case).
	#[benchmark]
	fn submit_job(p: Linear<1, USER_PROBE>) {
		let now = start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let deadline = T::MaxDeadline::get();
		let target = now.saturating_add(deadline);
		let full = p.saturating_sub(1);
		for k in 0..full {
			crowd::<T>(target.saturating_add(k.into()), T::MaxJobsPerTimeout::get());
		}
		let id = NextJobId::<T>::get();
		let spec = max_spec::<T>();
		let budget = budget::<T>();
		let redundancy = redundancy::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), spec, budget, deadline, redundancy);

		let job = Jobs::<T>::get(id).expect("the job is stored");
		assert_eq!(job.timeout, target.saturating_add(full.into()));
		assert_last_event::<T>(Event::JobSubmitted {
			job: id,
			owner: caller,
			kind: ExecutorKind::GemmInt8,
			budget,
			deadline: target,
			redundancy,
		});
	}

	/// The job shares a full timeout queue: the queue is rewritten rather than removed.
	#[benchmark]
	fn cancel_job() {
		let now = start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let target = now.saturating_add(T::MaxDeadline::get());
		crowd::<T>(target, Pallet::<T>::user_queue_limit().saturating_sub(1));
		let id = submit::<T>(&caller, redundancy::<T>());
		assert_eq!(Jobs::<T>::get(id).map(|j| j.timeout), Some(target));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), id);

		assert!(!Jobs::<T>::contains_key(id));
		assert!(!Timeouts::<T>::get(target).contains(&id));
		assert_last_event::<T>(Event::JobRefunded {
			job: id,
			owner: caller,
			amount: budget::<T>(),
			reason: RefundReason::Cancelled,
		});
	}

	#[benchmark]
	fn top_up_job() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let id = submit::<T>(&caller, redundancy::<T>());
		let amount = budget::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), id, amount);

		assert_last_event::<T>(Event::JobToppedUp {
			job: id,
			amount,
			budget: amount.saturating_mul(2u32.into()),
		});
	}

	/// The caller takes the last of `MaxRedundancy` slots.
	#[benchmark]
	fn accept_job() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);
		let others = register_many::<T>("provider", T::MaxRedundancy::get().saturating_sub(1));
		let owner = owner::<T>();
		let id = submit::<T>(&owner, redundancy::<T>());
		for p in others {
			Pallet::<T>::do_take_slot(id, p, None).expect("the provider takes a slot");
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), id);

		assert!(Jobs::<T>::get(id).expect("the job is open").is_full());
		assert_last_event::<T>(Event::JobAssigned {
			job: id,
			provider: caller,
			price_per_unit: price::<T>(),
			matcher: None,
		});
	}

	/// A matcher gives a provider the last of `MaxRedundancy` slots.
	#[benchmark]
	fn assign() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let mut providers = register_many::<T>("provider", T::MaxRedundancy::get());
		let provider = providers.pop().expect("MaxRedundancy >= 1");
		Pallet::<T>::do_set_matching(provider.clone(), Some(Zero::zero()))
			.expect("the provider opts in");
		let owner = owner::<T>();
		let id = submit::<T>(&owner, redundancy::<T>());
		for p in providers {
			Pallet::<T>::do_take_slot(id, p, None).expect("the provider takes a slot");
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), id, provider.clone());

		assert!(Jobs::<T>::get(id).expect("the job is open").is_full());
		assert_last_event::<T>(Event::JobAssigned {
			job: id,
			provider,
			price_per_unit: price::<T>(),
			matcher: Some(caller),
		});
	}

	// ------------------------------------------------------------------------ attestation

	/// A job run once: the attestation opens the challenge window.
	#[benchmark]
	fn submit_attestation() {
		let now = start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);
		let owner = owner::<T>();
		let id = submit::<T>(&owner, 1);
		Pallet::<T>::do_take_slot(id, caller.clone(), None).expect("the provider takes a slot");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, GOOD, MAX_UNITS);

		assert_last_event::<T>(Event::ChallengePeriodStarted {
			job: id,
			output_hash: GOOD,
			until: now.saturating_add(T::ChallengePeriod::get()),
		});
	}

	/// The last of `MaxRedundancy` commitments: the reveal period starts.
	#[benchmark]
	fn commit_attestation() {
		let now = start::<T>();
		let job = slotted_job::<T>();
		let (last, rest) = job.slots.split_last().expect("MaxRedundancy >= 1");
		for p in rest {
			let commitment = attestation_commitment(job.id, p, &GOOD, MAX_UNITS, &SALT);
			Pallet::<T>::do_commit_attestation(p.clone(), job.id, commitment)
				.expect("the provider commits");
		}
		let commitment = attestation_commitment(job.id, last, &GOOD, MAX_UNITS, &SALT);

		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), job.id, commitment);

		assert_last_event::<T>(Event::RevealPeriodStarted {
			job: job.id,
			until: now.saturating_add(T::RevealPeriod::get()),
		});
	}

	/// The last reveal but one of `MaxRedundancy` slots.
	#[benchmark]
	fn reveal_attestation() {
		start::<T>();
		let job = slotted_job::<T>();
		commit_all::<T>(&job, false);
		let before = job.slots.len().saturating_sub(2);
		reveal_first::<T>(&job, before, false);
		let who = job.slots.get(before).cloned().expect("MaxRedundancy >= 2");

		#[extrinsic_call]
		reveal_attestation(RawOrigin::Signed(who.clone()), job.id, GOOD, MAX_UNITS, SALT);

		assert!(matches!(
			Jobs::<T>::get(job.id).map(|j| j.state),
			Some(JobState::Revealing { .. })
		));
		assert_last_event::<T>(Event::AttestationSubmitted {
			job: job.id,
			provider: who,
			output_hash: GOOD,
			usage: MAX_UNITS,
		});
	}

	/// The last of `MaxRedundancy` reveals, disagreeing with all the others (the comparison runs
	/// to the end): a dispute is requested (its verifiers are drawn later, see
	/// `on_initialize_draw`).
	#[benchmark]
	fn reveal_attestation_last() {
		start::<T>();
		let job = slotted_job::<T>();
		commit_all::<T>(&job, true);
		let n = job.slots.len();
		reveal_first::<T>(&job, n.saturating_sub(1), true);
		let last = job.slots.last().cloned().expect("MaxRedundancy >= 1");

		#[extrinsic_call]
		reveal_attestation(RawOrigin::Signed(last), job.id, BAD, MAX_UNITS, SALT);

		let dispute = Disputes::<T>::get(job.id).expect("the disagreement opened a dispute");
		assert!(dispute.challenge.is_none());
		assert!(matches!(dispute.phase, DisputePhase::Draw { .. }));
		assert_eq!(Jobs::<T>::get(job.id).map(|j| j.state), Some(JobState::Disputed));
	}

	/// The last of `MaxRedundancy` slots gives up: it is removed, the provider slashed (and
	/// paused, its stake falling below the minimum).
	#[benchmark]
	fn report_failure() {
		start::<T>();
		let job = slotted_job::<T>();
		let who = job.slots.last().cloned().expect("MaxRedundancy >= 1");

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), job.id);

		let stored = Jobs::<T>::get(job.id).expect("the job is open");
		assert_eq!(stored.slots.len(), job.slots.len().saturating_sub(1));
		let provider = Providers::<T>::get(&who).expect("still registered");
		assert_eq!(provider.reputation.failed, 1);
		assert_eq!(provider.active_jobs, 0);
	}

	// ------------------------------------------------------------------------ disputes

	/// A challenge of a `MaxRedundancy` job's agreed output: a dispute is requested (its
	/// verifiers are drawn later, see `on_initialize_draw`).
	#[benchmark]
	fn challenge() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let job = slotted_job::<T>();
		attest_all::<T>(&job, false);
		assert!(matches!(
			Jobs::<T>::get(job.id).map(|j| j.state),
			Some(JobState::Challengeable { .. })
		));
		let bond = T::MinChallengeBond::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), job.id, BAD, bond);

		let dispute = Disputes::<T>::get(job.id).expect("the challenge opened a dispute");
		assert!(dispute.challenge.is_some_and(|c| c.who == caller && c.bond == bond));
		assert!(matches!(dispute.phase, DisputePhase::Draw { .. }));
	}

	/// The last verifier commits: the reveal phase starts (the job is rescheduled).
	#[benchmark]
	fn commit_vote() {
		start::<T>();
		let (job, verifiers) = disputed_job::<T>();
		let now = frame_system::Pallet::<T>::block_number();
		let (last, rest) = verifiers.split_last().expect("VerifierQuorum >= 1");
		for v in rest {
			commit_vote_of::<T>(job.id, v, GOOD);
		}
		let commitment = vote_commitment(job.id, last, &GOOD, &SALT);

		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), job.id, commitment);

		assert!(matches!(
			Disputes::<T>::get(job.id).map(|d| d.phase),
			Some(DisputePhase::Reveal { .. })
		));
		assert_last_event::<T>(Event::VoteRevealStarted {
			job: job.id,
			until: now.saturating_add(T::VoteRevealPeriod::get()),
		});
	}

	/// The last reveal but one.
	#[benchmark]
	fn reveal_vote() {
		start::<T>();
		let (job, verifiers) = disputed_job::<T>();
		for v in verifiers.iter() {
			commit_vote_of::<T>(job.id, v, GOOD);
		}
		let before = verifiers.len().saturating_sub(2);
		for v in verifiers.iter().take(before) {
			reveal_vote_of::<T>(job.id, v, GOOD);
		}
		let who = verifiers.get(before).cloned().expect("VerifierQuorum >= 2");

		#[extrinsic_call]
		reveal_vote(RawOrigin::Signed(who.clone()), job.id, GOOD, SALT);

		assert!(Disputes::<T>::contains_key(job.id));
		assert_last_event::<T>(Event::VoteRevealed {
			job: job.id,
			verifier: who,
			output_hash: GOOD,
		});
	}

	/// The last reveal decides the dispute: the one wrong provider is slashed (and paused), the
	/// `MaxRedundancy - 1` correct ones share the reward and are paid, the job settles.
	#[benchmark]
	fn reveal_vote_last() {
		start::<T>();
		let (job, verifiers) = disputed_job::<T>();
		for v in verifiers.iter() {
			commit_vote_of::<T>(job.id, v, GOOD);
		}
		let (last, rest) = verifiers.split_last().expect("VerifierQuorum >= 1");
		for v in rest {
			reveal_vote_of::<T>(job.id, v, GOOD);
		}

		#[extrinsic_call]
		reveal_vote(RawOrigin::Signed(last.clone()), job.id, GOOD, SALT);

		assert!(!Jobs::<T>::contains_key(job.id));
		assert!(!Disputes::<T>::contains_key(job.id));
		let (wrong, correct) = job.slots.split_last().expect("MaxRedundancy >= 1");
		assert_eq!(Providers::<T>::get(wrong).map(|p| p.reputation.slashed), Some(1));
		assert_paid::<T>(correct);
	}

	// ------------------------------------------------------------------------ timeouts

	/// A due challengeable job of `MaxRedundancy` revealed slots: settlement pays each.
	#[benchmark]
	fn claim_expired() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let (job, timeout) = agreed_job::<T>();
		frame_system::Pallet::<T>::set_block_number(timeout.saturating_add(One::one()));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), job.id);

		assert!(!Jobs::<T>::contains_key(job.id));
		assert_paid::<T>(&job.slots);
	}

	/// No job is queued: the hook only moves the cursor.
	#[benchmark]
	fn on_initialize_idle() {
		let now = start::<T>();
		assert_eq!(QueuedJobs::<T>::get(), 0);

		#[block]
		{
			let _ = Pallet::<T>::process_timeouts(now);
		}

		assert_eq!(TimeoutCursor::<T>::get(), now);
	}

	/// One empty queue is visited: the cursor is one block behind and a job is queued later.
	#[benchmark]
	fn on_initialize_visit() {
		let then = start::<T>();
		let owner = owner::<T>();
		let id = submit::<T>(&owner, redundancy::<T>());
		let now = then.saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(now);
		TimeoutCursor::<T>::put(then);
		assert!(Timeouts::<T>::get(then).is_empty());

		#[block]
		{
			let _ = Pallet::<T>::process_timeouts(now);
		}

		assert_eq!(TimeoutCursor::<T>::get(), now);
		assert!(Jobs::<T>::contains_key(id));
		assert_eq!(QueuedJobs::<T>::get(), 1);
	}

	/// A challenged `MaxRedundancy` job's verifier draw comes due: the verifiers are drawn in as
	/// many draws as could be arranged among mostly paused providers and the commit phase opens.
	/// Measured as the processing of one due job (`process_due`, the job taken off its queue
	/// as `process_timeouts` does), so it adds to `on_initialize_visit` like the other jobs.
	#[benchmark]
	fn on_initialize_draw() {
		start::<T>();
		let challenger: T::AccountId = account("challenger", 0, SEED);
		fund::<T>(&challenger);
		let job = slotted_job_with_verifiers::<T>(idle_providers::<T>(), Some(&challenger));
		attest_all::<T>(&job, false);
		Pallet::<T>::do_challenge(challenger, job.id, BAD, T::MinChallengeBond::get())
			.expect("the challenge is accepted");
		let stored = Jobs::<T>::get(job.id).expect("the job is disputed");
		let at = stored.timeout;
		frame_system::Pallet::<T>::set_block_number(at.saturating_add(One::one()));
		let queue = Timeouts::<T>::take(at);
		assert_eq!(queue.into_inner(), vec![job.id]);
		QueuedJobs::<T>::mutate(|q| *q = q.saturating_sub(1));

		#[block]
		{
			Pallet::<T>::process_due(job.id, stored);
		}

		let dispute = Disputes::<T>::get(job.id).expect("the dispute is open");
		assert!(matches!(dispute.phase, DisputePhase::Commit { .. }));
		assert_eq!(dispute.votes.len() as u32, T::VerifierQuorum::get());
	}

	/// One due job is processed: the settlement of a `MaxRedundancy` job.
	#[benchmark]
	fn on_initialize_job() {
		start::<T>();
		let (job, timeout) = agreed_job::<T>();
		let now = timeout.saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(now);
		TimeoutCursor::<T>::put(timeout);

		#[block]
		{
			let _ = Pallet::<T>::process_timeouts(now);
		}

		assert!(!Jobs::<T>::contains_key(job.id));
		assert_eq!(QueuedJobs::<T>::get(), 0);
		assert_eq!(TimeoutCursor::<T>::get(), now);
		assert_paid::<T>(&job.slots);
	}

	// ------------------------------------------------------------------------ scaling

	/// Not a weight (an `extra` benchmark, run with `--extra`): `accept_job` with `n` other
	/// jobs and `n` other providers in storage, to check the weight stays flat as state grows.
	#[benchmark(extra)]
	fn scaling_accept_job(n: Linear<100, 100_000>) {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		register::<T>(&caller);
		let owner = owner::<T>();
		let id = submit::<T>(&owner, 1);
		fill_state::<T>(id, &caller, n);

		#[extrinsic_call]
		accept_job(RawOrigin::Signed(caller.clone()), id);

		assert_eq!(Jobs::<T>::get(id).expect("the job is open").slots.len(), 1);
	}

	/// Not a weight: `submit_job` with `n` other jobs and `n` other providers in storage.
	#[benchmark(extra)]
	fn scaling_submit_job(n: Linear<100, 100_000>) {
		start::<T>();
		let provider: T::AccountId = account("provider", 0, SEED);
		register::<T>(&provider);
		let owner = owner::<T>();
		let template = submit::<T>(&owner, 1);
		fill_state::<T>(template, &provider, n);
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let next = NextJobId::<T>::get();

		#[extrinsic_call]
		submit_job(
			RawOrigin::Signed(caller),
			max_spec::<T>(),
			budget::<T>(),
			T::MaxDeadline::get(),
			1,
		);

		assert!(Jobs::<T>::contains_key(next));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
