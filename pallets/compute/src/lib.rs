//! # Compute pallet
//!
//! GPU compute leases for Airtime: a user escrows AIR for a job, staked providers run it with the
//! off-chain `airtime-worker` and attest the result, and they are paid only if the result stands.
//!
//! ## Overview
//!
//! A job lives through these stages (compare pallet-referenda's referendum lifecycle):
//!
//! 1. **Submission.** `submit_job` holds the job's *budget* on the owner's account under
//!    [`HoldReason::JobEscrow`] and a storage deposit under [`HoldReason::StorageDeposit`]. The
//!    job names an executor, content hashes of its inputs, bounded parameters, the most units a
//!    provider may bill (`max_units`), a *deadline* (a number of blocks, between `MinDeadline`
//!    and `MaxDeadline`) and a *redundancy* `r` (how many providers run it independently). While
//!    nobody holds a slot the owner may `cancel_job` for a full refund; until the job leaves the
//!    open stage the owner may `top_up_job`.
//! 2. **Matching.** A provider `accept_job`s, or anyone `assign`s a provider (a third-party
//!    matcher proposes, the chain only checks): the provider must be active, offer the executor
//!    for at least `max_units`, meet the job's reputation floor, hold fewer than
//!    `MaxJobsPerProvider` slots, have the *collateral* for one more slot (`CollateralPerSlot`
//!    per slot held) and not already hold a slot of this job. Its price is locked in the slot,
//!    and `price * max_units` is *reserved* out of the budget; a slot whose worst-case bill does
//!    not fit the unreserved budget is refused, so **the escrow can never run dry**.
//! 3. **Attestation.** With `r = 1` the provider calls `submit_attestation(output_hash, usage)`.
//!    With `r > 1` each provider first `commit_attestation`s a hash of its answer and a salt;
//!    once all `r` committed, a reveal period of `RevealPeriod` blocks opens for
//!    `reveal_attestation`, so nobody can copy another's hash. Usage above the spec's
//!    `max_units` is refused. A provider that cannot finish calls `report_failure` before the
//!    deadline: a penalty from `SlashOnFailure` (reported at once) rising to `SlashOnTimeout`
//!    (reported at the deadline), and the slot reopens for someone else.
//! 4. **Challenge window.** When the revealed results agree, `ChallengePeriod` blocks follow in
//!    which anyone may `challenge` with a bond of at least `MinChallengeBond`, naming the output
//!    hash they claim is correct. Disagreeing redundant results request a dispute by themselves.
//! 5. **Dispute.** A challenge (or disagreeing redundant results) in block `n` *requests* a
//!    dispute ([`Event::VerifierDrawScheduled`] with `at = n + VerifierDrawDelay`); the first
//!    `on_initialize` after block `at` draws `VerifierQuorum` verifiers among active providers
//!    not involved in the job ([`Event::DisputeOpened`]), from randomness that did not exist when
//!    the dispute was requested (or refunds the job when too few are available). The requester's
//!    transaction pays for that draw. The verifiers re-check off-chain and vote with commit-reveal
//!    (`commit_vote`, then `reveal_vote`, each phase bounded). The hash with a strict majority of the quorum wins:
//!    providers that attested another hash lose `SlashOnFraud` of their stake. A challenger
//!    wins when the challenged hash loses (its claimed hash is what it asks verifiers to
//!    check, and need not be the winner) and loses its bond when the challenged hash wins. `SlashRewardShare` of what is
//!    slashed goes to the winning side, the rest to `OnSlash` (the treasury). Without a majority
//!    in time the job is refunded and nobody is slashed ([`Event::JobRefunded`] says why).
//! 6. **Settlement.** When the challenge window closes (or a dispute upholds a result) each
//!    correct provider is paid `price * usage` out of the escrow minus the `ProtocolFee`, which is
//!    split between `OnProtocolFeeTreasury`, `OnProtocolFeeStakers` and a burn; the rest of the
//!    escrow and the deposit return to the owner. The provider's pool, if it has one, then takes
//!    its share of the provider's pay (`Config::Pools`).
//! 7. **Timeouts.** A job in any stage has one timeout block (the deadline, the end of the reveal
//!    period, of the challenge window, the block after which its verifiers are drawn, or the end
//!    of a vote phase) and sits in exactly one per-block
//!    queue (when that block's queue is full, the first later block with room: users' deadlines
//!    may land up to 15 blocks late, internal moves later only in the defensive case of 1024
//!    full queues). `on_initialize` works through due queues, at most `MaxExpiriesPerBlock`
//!    jobs per block; `claim_expired` lets anyone process one due job at once (except a verifier
//!    draw, which only `on_initialize` makes). A missed deadline refunds
//!    the owner in full and slashes `SlashOnTimeout` of each provider that held a slot without
//!    attesting. Nothing iterates over all jobs.
//!
//! ## Terminology
//!
//! - *Unit*: the metering unit of an executor (see [`ExecutorKind`]).
//! - *Slot*: one of a job's `r` independent runs, held by one provider.
//! - *Stake*: what a provider has on hold under [`HoldReason::ProviderStake`]; slashes take from
//!   it. A slash leaving it below `MinProviderStake` pauses the provider.
//! - *Provider pool*: stake that delegators put behind a provider, kept outside this pallet
//!   (`Config::Pools`, pallet-staking in the runtime). The pool takes a share of each payment
//!   the provider receives, and each slash of the provider's stake slashes the pool by the
//!   same fraction.
//! - *Collateral*: a provider's stake plus its pool's stake. Each slot it holds needs
//!   `CollateralPerSlot` of it, so a provider holds at most `collateral / CollateralPerSlot`
//!   slots (and never more than `MaxJobsPerProvider`). The check is made when a slot is taken:
//!   a provider whose collateral later shrinks keeps the slots it holds but takes no new ones.
//! - *Reputation*: a decaying Beta score per provider ([`types::Reputation`]).
//!
//! ## Design notes
//!
//! - Escrow, deposits, stakes and bonds are holds on their owners' accounts, never transfers to
//!   a pallet account, so `try_state` can check each against the records. Money moves only when
//!   a job ends (payments, fees, refunds) or a stake or bond is slashed.
//! - Verifiers are drawn from `Config::Randomness` as it is in the first `on_initialize` after
//!   `request + VerifierDrawDelay`, never in the block that requests the dispute and never on
//!   demand (`claim_expired` refuses a pending draw), so a challenger cannot compute its draw
//!   before it commits its bond, nor pick the block that draws. In this runtime the randomness
//!   is derived from the parent block hash: what remains is that the author of the block before
//!   the draw can see the draw before publishing, and withhold or re-order its block (one
//!   author, one slot, at the cost of its block reward). A production network replaces it with
//!   a VRF output (BABE) or a drand beacon, behind the same trait.
//! - Only bit-exact executors may run redundantly, since redundant results are compared by
//!   hash. Float jobs (`GemmF32`) run once and are checked by challengers with Freivalds.
//!
//! ## Limitations
//!
//! - A provider's reputation lives in its record: one that withdraws and registers again starts
//!   from the neutral score (it pays the deposit and stake again).
//! - Verifiers are not paid and a verifier that does not vote is not punished; only the quorum
//!   rule protects against them.
//! - A challenge whose dispute ends without a verdict (no verifiers available, or no majority in
//!   time) refunds the owner in full and slashes nobody, so an honest provider is not paid for
//!   that job. Until verifiers are paid and penalised for silence, a
//!   challenger can use this to avoid paying for correct work at the cost of transaction fees;
//!   the bond is returned. The intended fix is to let the challenged result stand when a
//!   challenge gets no verdict, and to pay verifiers from the bond.
//! - `on_initialize` processes at most `MaxExpiriesPerBlock` due jobs per block; a burst above
//!   that is processed over the following blocks (or at once through `claim_expired`, verifier
//!   draws excepted).
//! - Rates, stakes and periods are governed parameters in the runtime (pallet-parameters, set by a
//!   `ComputeAdmin` referendum): `integrity_test` checks the defaults, not values set later
//!   (a zero `CollateralPerSlot` is allowed and means no collateral requirement);
//!   governance must keep `MinDeadline <= MaxDeadline` (otherwise no job can be submitted; nothing
//!   is lost) and the fee shares within 100 % (otherwise the stakers get what is left, nothing
//!   is burnt).
//! - `assign` needs the provider's standing consent (`set_matching`), not a per-job one: a
//!   provider that opts in must run every job matched to it or report failure.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod functions;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use airtime_primitives::{
	compute::{DatasetId, ExecutorKind, JobId, ProviderPools},
	data::DatasetUsage,
};
pub use types::*;
pub use weights::WeightInfo;

// The pallet macros expand storage and hook code that calls `expect`; the pallet's own logic
// lives in `functions.rs`, where the lints apply.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, BalancedHold, MutateHold},
			OnUnbalanced, Randomness,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;
	use sp_runtime::Perbill;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A provider's collateral.
		ProviderStake,
		/// A job's budget, held on its owner.
		JobEscrow,
		/// A challenger's bond.
		ChallengeBond,
		/// Deposits for provider and job records.
		StorageDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency: stakes, escrow, bonds and deposits are holds on it.
		type Currency: fungible::Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Source of the seed that draws dispute verifiers (see the crate docs on its limits).
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Receives the treasury's part of the protocol fee.
		type OnProtocolFeeTreasury: OnUnbalanced<CreditOf<Self>>;
		/// Receives the stakers' part of the protocol fee (the staking reward pot).
		type OnProtocolFeeStakers: OnUnbalanced<CreditOf<Self>>;
		/// Receives what is slashed beyond the winners' reward share.
		type OnSlash: OnUnbalanced<CreditOf<Self>>;

		/// Fee taken from each provider payment.
		#[pallet::constant]
		type ProtocolFee: Get<Perbill>;
		/// Part of the protocol fee that goes to the treasury.
		#[pallet::constant]
		type FeeToTreasury: Get<Perbill>;
		/// Part of the protocol fee that goes to stakers. The rest is burnt.
		#[pallet::constant]
		type FeeToStakers: Get<Perbill>;

		/// The smallest stake a provider registers with.
		#[pallet::constant]
		type MinProviderStake: Get<BalanceOf<Self>>;
		/// Collateral each slot a provider holds needs. A provider's collateral is its own stake
		/// plus its pool's stake (`Pools`), so it holds at most `(stake + pooled) /
		/// CollateralPerSlot` slots, and never more than `MaxJobsPerProvider`. Governed; zero
		/// means no collateral requirement (only `MaxJobsPerProvider` limits the slots).
		#[pallet::constant]
		type CollateralPerSlot: Get<BalanceOf<Self>>;
		/// Deposit for a provider record.
		#[pallet::constant]
		type ProviderDeposit: Get<BalanceOf<Self>>;
		/// Deposit for a job record.
		#[pallet::constant]
		type JobDeposit: Get<BalanceOf<Self>>;
		/// The smallest challenge bond.
		#[pallet::constant]
		type MinChallengeBond: Get<BalanceOf<Self>>;

		/// Blocks between `unregister_provider` and `withdraw_provider`.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;
		/// The shortest job deadline, in blocks from submission.
		#[pallet::constant]
		type MinDeadline: Get<BlockNumberFor<Self>>;
		/// The longest job deadline, in blocks from submission.
		#[pallet::constant]
		type MaxDeadline: Get<BlockNumberFor<Self>>;
		/// Blocks redundant providers have to reveal once all committed.
		#[pallet::constant]
		type RevealPeriod: Get<BlockNumberFor<Self>>;
		/// Blocks in which an agreed result may be challenged.
		#[pallet::constant]
		type ChallengePeriod: Get<BlockNumberFor<Self>>;
		/// Blocks verifiers have to commit their votes.
		#[pallet::constant]
		type VoteCommitPeriod: Get<BlockNumberFor<Self>>;
		/// Blocks verifiers have to reveal their votes.
		#[pallet::constant]
		type VoteRevealPeriod: Get<BlockNumberFor<Self>>;
		/// Blocks between the request of a dispute (a challenge, or redundant results that
		/// disagree) and its verifier draw, which `on_initialize` makes after block
		/// `request + VerifierDrawDelay` from `Config::Randomness` as it is then. At least 1, so
		/// that whoever requests the dispute cannot know the seed when it does.
		#[pallet::constant]
		type VerifierDrawDelay: Get<BlockNumberFor<Self>>;

		/// The most providers running one job (the largest redundancy).
		#[pallet::constant]
		type MaxRedundancy: Get<u32>;
		/// The most slots one provider holds at once.
		#[pallet::constant]
		type MaxJobsPerProvider: Get<u32>;
		/// The most registered providers.
		#[pallet::constant]
		type MaxProviders: Get<u32>;
		/// The most due jobs `on_initialize` processes in one block.
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;
		/// The most jobs timing out in the same block. Deadlines chosen by users fill a queue to
		/// three quarters at most, keeping room for internal moves.
		#[pallet::constant]
		type MaxJobsPerTimeout: Get<u32>;
		/// The most input hashes (and, separately, datasets) of a job.
		#[pallet::constant]
		type MaxInputs: Get<u32>;
		/// The longest executor parameter blob.
		#[pallet::constant]
		type MaxParamsLen: Get<u32>;
		/// The largest expected output, in bytes.
		#[pallet::constant]
		type MaxOutputSize: Get<u64>;
		/// The longest GPU model name.
		#[pallet::constant]
		type MaxModelLen: Get<u32>;
		/// The most executors a provider offers.
		#[pallet::constant]
		type MaxExecutorKinds: Get<u32>;
		/// Verifiers drawn for a dispute.
		#[pallet::constant]
		type VerifierQuorum: Get<u32>;
		/// The most draws made to find `VerifierQuorum` eligible verifiers.
		#[pallet::constant]
		type MaxVerifierDraws: Get<u32>;

		/// Part of a provider's stake slashed when it misses a deadline.
		#[pallet::constant]
		type SlashOnTimeout: Get<Perbill>;
		/// Part of a provider's stake slashed when it reports a failure (much less than a
		/// timeout).
		#[pallet::constant]
		type SlashOnFailure: Get<Perbill>;
		/// Part of a provider's stake slashed for a result a dispute found wrong.
		#[pallet::constant]
		type SlashOnFraud: Get<Perbill>;
		/// Part of a dispute's slashes paid to the winning side.
		#[pallet::constant]
		type SlashRewardShare: Get<Perbill>;
		/// Factor applied to reputation evidence before each update.
		#[pallet::constant]
		type ReputationDecay: Get<Perbill>;

		/// The data market: checks and charges the datasets a job names, and pays their owners
		/// when the job settles (`()` accepts any list and charges nothing).
		type Datasets: DatasetUsage<Self::AccountId, BalanceOf<Self>>;

		/// Provider pools: stake delegated to providers, which counts toward their collateral
		/// (see `CollateralPerSlot`), takes a share of their pay after each settlement and is
		/// slashed by the same fraction as their own stake (`()`: no pools).
		type Pools: ProviderPools<Self::AccountId, BalanceOf<Self>>;

		/// Weights of the calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Registered providers.
	///
	/// Blake2_128Concat: accounts are chosen by users, and the paged provider list iterates keys.
	#[pallet::storage]
	pub type Providers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Provider<T>>;

	/// Dense index `0..ProviderCount` of providers, to draw verifiers uniformly.
	///
	/// Twox64Concat: indices are assigned by the chain.
	#[pallet::storage]
	pub type ProviderIndex<T: Config> = StorageMap<_, Twox64Concat, u32, T::AccountId>;

	/// The number of registered providers.
	#[pallet::storage]
	pub type ProviderCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The next job id.
	#[pallet::storage]
	pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// Jobs that have not ended.
	///
	/// Twox64Concat: ids are sequential and assigned by the chain.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, Job<T>>;

	/// Open disputes.
	///
	/// Twox64Concat: ids are sequential and assigned by the chain.
	#[pallet::storage]
	pub type Disputes<T: Config> = StorageMap<_, Twox64Concat, JobId, Dispute<T>>;

	/// Per-block timeout queues: the jobs whose current stage times out at the end of that block.
	///
	/// Twox64Concat: users pick deadlines only inside `[now + MinDeadline, now + MaxDeadline]`,
	/// each paying a job deposit, so they cannot unbalance the trie cheaply.
	#[pallet::storage]
	pub type Timeouts<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxJobsPerTimeout>,
		ValueQuery,
	>;

	/// The oldest block whose timeout queue may still hold jobs.
	#[pallet::storage]
	pub type TimeoutCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The number of jobs in all timeout queues (equal to the number of jobs).
	#[pallet::storage]
	pub type QueuedJobs<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Why a provider lost stake.
	#[derive(
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
		Clone,
		Copy,
		PartialEq,
		Eq,
		Debug,
	)]
	pub enum SlashReason {
		/// It held a slot past the deadline without attesting, or did not reveal in time.
		Timeout,
		/// It reported that it could not run the job.
		ReportedFailure,
		/// A dispute found its result wrong.
		WrongResult,
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A provider registered.
		ProviderRegistered { provider: T::AccountId, stake: BalanceOf<T>, deposit: BalanceOf<T> },
		/// A provider changed its capabilities or prices.
		ProviderUpdated { provider: T::AccountId },
		/// A provider stopped taking new jobs (`slashed`: because a slash left its stake below
		/// the minimum).
		ProviderPaused { provider: T::AccountId, slashed: bool },
		/// A provider takes new jobs again.
		ProviderResumed { provider: T::AccountId },
		/// A provider added stake.
		StakeIncreased { provider: T::AccountId, amount: BalanceOf<T>, stake: BalanceOf<T> },
		/// A provider allowed third-party matchers to assign it jobs due at least `min_lead`
		/// blocks ahead, or forbade them (`None`).
		MatchingSet { provider: T::AccountId, min_lead: Option<BlockNumberFor<T>> },
		/// A provider started leaving; its stake can be withdrawn from block `until`.
		ProviderUnbonding { provider: T::AccountId, until: BlockNumberFor<T> },
		/// A provider left; its stake and deposit were released.
		ProviderWithdrawn { provider: T::AccountId, stake: BalanceOf<T>, deposit: BalanceOf<T> },
		/// A job was submitted and its budget put in escrow.
		JobSubmitted {
			job: JobId,
			owner: T::AccountId,
			kind: ExecutorKind,
			budget: BalanceOf<T>,
			deadline: BlockNumberFor<T>,
			redundancy: u8,
		},
		/// The owner added to a job's budget.
		JobToppedUp { job: JobId, amount: BalanceOf<T>, budget: BalanceOf<T> },
		/// A provider took a slot (`matcher`: who assigned it, when not the provider itself).
		JobAssigned {
			job: JobId,
			provider: T::AccountId,
			price_per_unit: BalanceOf<T>,
			matcher: Option<T::AccountId>,
		},
		/// A redundant provider committed to its result.
		AttestationCommitted { job: JobId, provider: T::AccountId },
		/// Every redundant provider committed; reveals are due by `until`.
		RevealPeriodStarted { job: JobId, until: BlockNumberFor<T> },
		/// A provider attested (or revealed) its result.
		AttestationSubmitted { job: JobId, provider: T::AccountId, output_hash: H256, usage: u64 },
		/// The results agree; the job can be challenged until `until`, then it settles.
		ChallengePeriodStarted { job: JobId, output_hash: H256, until: BlockNumberFor<T> },
		/// A provider gave up a slot before the deadline; the slot is open again.
		FailureReported { job: JobId, provider: T::AccountId, penalty: BalanceOf<T> },
		/// A provider lost stake.
		ProviderSlashed {
			job: JobId,
			provider: T::AccountId,
			amount: BalanceOf<T>,
			reason: SlashReason,
		},
		/// Someone challenged a job's agreed result.
		JobChallenged {
			job: JobId,
			challenger: T::AccountId,
			claimed_output_hash: H256,
			bond: BalanceOf<T>,
		},
		/// Verifiers were drawn to decide a job's output (by `on_initialize`, after the draw
		/// announced by [`Event::VerifierDrawScheduled`]); they commit votes until `commit_until`.
		DisputeOpened {
			job: JobId,
			verifiers: BoundedVec<T::AccountId, T::VerifierQuorum>,
			commit_until: BlockNumberFor<T>,
		},
		/// A verifier committed its vote.
		VoteCommitted { job: JobId, verifier: T::AccountId },
		/// Verifiers reveal their votes until `until`.
		VoteRevealStarted { job: JobId, until: BlockNumberFor<T> },
		/// A verifier revealed the output hash it computed.
		VoteRevealed { job: JobId, verifier: T::AccountId, output_hash: H256 },
		/// A dispute was decided: `output_hash` won with `votes` votes; `correct` slots matched it
		/// and `wrong` did not; `challenger_won` tells the challenger's fate, if there was one.
		DisputeResolved {
			job: JobId,
			output_hash: H256,
			votes: u32,
			correct: u32,
			wrong: u32,
			challenger_won: Option<bool>,
		},
		/// A challenger lost its bond.
		ChallengerSlashed { job: JobId, challenger: T::AccountId, amount: BalanceOf<T> },
		/// Part of a dispute's slashes was paid to a winner.
		SlashRewardPaid { job: JobId, to: T::AccountId, amount: BalanceOf<T> },
		/// A provider was paid for its slot (`amount` net of `fee`, into its free balance); its
		/// pool then takes its share of `amount` from there (see `Config::Pools`).
		ProviderPaid { job: JobId, provider: T::AccountId, amount: BalanceOf<T>, fee: BalanceOf<T> },
		/// A job ended with its providers paid: `paid` to providers, `fee` taken (of which
		/// `burned` burnt), `refunded` returned to the owner with its deposit.
		JobSettled {
			job: JobId,
			owner: T::AccountId,
			paid: BalanceOf<T>,
			fee: BalanceOf<T>,
			burned: BalanceOf<T>,
			refunded: BalanceOf<T>,
		},
		/// A job ended without paying any provider: its budget and deposit returned to the owner.
		JobRefunded { job: JobId, owner: T::AccountId, amount: BalanceOf<T>, reason: RefundReason },
		/// A dispute over a job was requested: its verifiers are drawn by the first
		/// `on_initialize` after block `at` ([`Event::DisputeOpened`] names them), or the job is
		/// refunded if too few are available then.
		VerifierDrawScheduled { job: JobId, at: BlockNumberFor<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a provider.
		AlreadyRegistered,
		/// The account is not a provider.
		NotRegistered,
		/// The stake is below `MinProviderStake`.
		StakeBelowMinimum,
		/// The capabilities list no executor.
		NoExecutors,
		/// An executor appears twice in the capabilities or prices.
		DuplicateExecutor,
		/// An executor in the capabilities has no price.
		PriceMissing,
		/// A price names an executor missing from the capabilities.
		PriceWithoutCapability,
		/// A capability accepts zero units.
		ZeroCapacity,
		/// `MaxProviders` providers are registered.
		TooManyProviders,
		/// The provider is already paused.
		AlreadyPaused,
		/// The provider is already active.
		AlreadyActive,
		/// The provider is leaving.
		ProviderUnbonding,
		/// The provider holds slots in jobs that have not ended.
		ProviderHasOpenJobs,
		/// The provider has not called `unregister_provider`.
		NotUnbonding,
		/// The unbonding period has not ended.
		UnbondingNotOver,
		/// The account cannot cover the amount to hold (free balance minus existential deposit).
		InsufficientBalance,
		/// An amount is zero.
		ZeroAmount,
		/// No such job (unknown id, or the job has ended).
		UnknownJob,
		/// Only the job's owner may do this.
		NotJobOwner,
		/// The job is past its open stage.
		JobNotOpen,
		/// A provider holds a slot: the job can no longer be cancelled.
		JobAlreadyTaken,
		/// A job must allow at least one unit.
		ZeroUnits,
		/// The expected output exceeds `MaxOutputSize`.
		OutputTooLarge,
		/// Redundancy must be between 1 and `MaxRedundancy`.
		InvalidRedundancy,
		/// Only bit-exact executors can run redundantly (results are compared by hash).
		RedundancyNeedsBitExactExecutor,
		/// The deadline is shorter than `MinDeadline`.
		DeadlineTooSoon,
		/// The deadline is longer than `MaxDeadline`.
		DeadlineTooFar,
		/// The timeout queues around that block are full; pick another block.
		TimeoutQueueFull,
		/// Every slot of the job is taken.
		JobFull,
		/// The provider is paused or leaving.
		ProviderNotActive,
		/// The provider already holds a slot of this job.
		ProviderAlreadyInJob,
		/// A provider cannot run its own job (it would vouch for itself).
		ProviderIsOwner,
		/// The provider does not offer the job's executor.
		ExecutorNotOffered,
		/// The job's `max_units` exceed what the provider's executor accepts.
		JobTooLarge,
		/// The provider's reputation is below the job's floor.
		ReputationTooLow,
		/// The provider holds `MaxJobsPerProvider` slots.
		ProviderOverloaded,
		/// The provider's price for `max_units` does not fit in the unreserved budget.
		PriceAboveBudget,
		/// The job's deadline has passed.
		DeadlinePassed,
		/// The caller holds no slot in this job.
		NotAssigned,
		/// The slot already attested or committed.
		AlreadyAttested,
		/// The usage exceeds the job's `max_units`.
		UsageAboveSpec,
		/// This job is redundant: use `commit_attestation` and `reveal_attestation`.
		CommitRevealRequired,
		/// This job is not redundant: use `submit_attestation`.
		CommitRevealNotUsed,
		/// The job is not in its reveal period.
		NotRevealing,
		/// Nothing was committed to reveal.
		NotCommitted,
		/// The revealed values do not match the commitment.
		CommitmentMismatch,
		/// The job is not in its challenge window.
		NotChallengeable,
		/// The bond is below `MinChallengeBond`.
		BondTooLow,
		/// The claimed output is the one the providers agreed on.
		ClaimMatchesResult,
		/// Providers of the job cannot challenge it.
		ProviderCannotChallenge,
		/// The job is not disputed.
		NotDisputed,
		/// The caller is not a verifier of this dispute.
		NotAVerifier,
		/// The verifier already committed or revealed.
		AlreadyVoted,
		/// Votes are revealed only after the commit phase.
		VoteRevealNotOpen,
		/// The commit phase is over.
		VoteCommitClosed,
		/// The reveal phase of the votes is over.
		VoteRevealClosed,
		/// The challenge window has closed (the job settles at the next block).
		ChallengePeriodOver,
		/// The reveal period is over.
		RevealPeriodOver,
		/// The provider does not accept jobs from third-party matchers (see `set_matching`).
		MatchingNotAllowed,
		/// The job is due sooner than the provider accepts matched jobs (see `set_matching`).
		MatchingLeadTooShort,
		/// The job's current stage has not timed out.
		NotYetDue,
		/// An amount overflowed.
		Overflow,
		/// The provider's collateral (its stake plus its pool's) does not cover one more slot at
		/// `CollateralPerSlot` each.
		InsufficientCollateral,
		/// The dispute's verifiers are not drawn yet: `on_initialize` draws them after the block
		/// its [`Event::VerifierDrawScheduled`] named (nobody can draw them earlier or on demand).
		VerifiersNotDrawn,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::process_timeouts(now)
		}

		fn integrity_test() {
			Self::check_config();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register the caller as a compute provider.
		///
		/// - `origin`: signed; the provider's account.
		/// - `capabilities`: its hardware and executors (each at most once, each accepting at
		///   least one unit).
		/// - `prices`: exactly one price per executor in `capabilities`.
		/// - `stake`: collateral held under `ProviderStake`, at least `MinProviderStake`.
		///
		/// Also holds `ProviderDeposit`. Emits [`Event::ProviderRegistered`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_provider())]
		pub fn register_provider(
			origin: OriginFor<T>,
			capabilities: Capabilities<T>,
			prices: PricesOf<T>,
			stake: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_provider(who, capabilities, prices, stake)
		}

		/// Replace the caller's capabilities and prices. Slots already taken keep their price.
		///
		/// - `origin`: signed; a provider.
		///
		/// Emits [`Event::ProviderUpdated`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_provider())]
		pub fn update_provider(
			origin: OriginFor<T>,
			capabilities: Capabilities<T>,
			prices: PricesOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_provider(who, capabilities, prices)
		}

		/// Stop taking new jobs; the slots held run to their end.
		///
		/// - `origin`: signed; an active provider.
		///
		/// Emits [`Event::ProviderPaused`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::pause_provider())]
		pub fn pause_provider(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_pause_provider(who)
		}

		/// Take new jobs again (also cancels unbonding). Needs a stake of at least
		/// `MinProviderStake`.
		///
		/// - `origin`: signed; a paused or unbonding provider.
		///
		/// Emits [`Event::ProviderResumed`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::resume_provider())]
		pub fn resume_provider(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_resume_provider(who)
		}

		/// Add `amount` to the caller's stake.
		///
		/// - `origin`: signed; a provider.
		/// - `amount`: non-zero, held under `ProviderStake`.
		///
		/// Emits [`Event::StakeIncreased`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::increase_stake())]
		pub fn increase_stake(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_increase_stake(who, amount)
		}

		/// Start leaving: no new jobs, stake withdrawable after `UnbondingPeriod`. Refused while
		/// the provider holds a slot in a job that has not ended.
		///
		/// - `origin`: signed; a provider that is not already leaving.
		///
		/// Emits [`Event::ProviderUnbonding`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::unregister_provider())]
		pub fn unregister_provider(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister_provider(who)
		}

		/// Release the stake and deposit of a provider whose unbonding period is over, and remove
		/// its record.
		///
		/// - `origin`: signed; an unbonding provider.
		///
		/// Emits [`Event::ProviderWithdrawn`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_provider())]
		pub fn withdraw_provider(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_provider(who)
		}

		/// Submit a job and put its budget in escrow.
		///
		/// - `origin`: signed; the job's owner.
		/// - `spec`: what to run (bounded; `max_units` > 0, output at most `MaxOutputSize`).
		/// - `budget`: held under `JobEscrow`; pays the slots, the rest comes back.
		/// - `deadline`: blocks from now, in `[MinDeadline, MaxDeadline]`.
		/// - `redundancy`: providers that run it, in `1..=MaxRedundancy`; above 1 only for
		///   bit-exact executors.
		///
		/// Also holds `JobDeposit`. Emits [`Event::JobSubmitted`].
		///
		/// Weighed for probing `USER_PROBE` (16) full timeout queues for room; the queues it did
		/// not read are refunded (usually all but one).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::submit_job(crate::functions::USER_PROBE)
			.saturating_add(T::Datasets::begin_use_weight(spec.datasets.len() as u32)))]
		pub fn submit_job(
			origin: OriginFor<T>,
			spec: JobSpec<T>,
			budget: BalanceOf<T>,
			deadline: BlockNumberFor<T>,
			redundancy: u8,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let datasets = spec.datasets.len() as u32;
			let probes = Self::do_submit_job(who, spec, budget, deadline, redundancy)?;
			Ok(Some(
				T::WeightInfo::submit_job(probes)
					.saturating_add(T::Datasets::begin_use_weight(datasets)),
			)
			.into())
		}

		/// Cancel a job nobody holds a slot of: the budget and deposit come back in full.
		///
		/// - `origin`: signed; the job's owner.
		/// - `job`: an open job without slots.
		///
		/// Emits [`Event::JobRefunded`] with reason `Cancelled`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::cancel_job().saturating_add(Pallet::<T>::end_use_weight()))]
		pub fn cancel_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_job(who, job)
		}

		/// Add `amount` to an open job's budget, e.g. so a dearer provider fits.
		///
		/// - `origin`: signed; the job's owner.
		/// - `job`: an open job.
		/// - `amount`: non-zero, held under `JobEscrow`.
		///
		/// Emits [`Event::JobToppedUp`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::top_up_job())]
		pub fn top_up_job(
			origin: OriginFor<T>,
			job: JobId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_top_up_job(who, job, amount)
		}

		/// Take a slot of an open job as a provider.
		///
		/// - `origin`: signed; an active provider offering the job's executor for its size, with
		///   enough reputation, fewer than `MaxJobsPerProvider` slots, collateral (stake plus
		///   pooled stake) of at least `CollateralPerSlot` for each slot it will hold, and a
		///   price that fits.
		/// - `job`: an open job with a free slot, before its deadline.
		///
		/// Emits [`Event::JobAssigned`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::accept_job())]
		pub fn accept_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_take_slot(job, who, None)
		}

		/// Propose a match: give `provider` a slot of `job`. The chain checks it exactly as
		/// `accept_job` does (collateral included), and that the provider accepts matched jobs
		/// (`set_matching`).
		///
		/// - `origin`: signed; anyone (a matcher).
		///
		/// Emits [`Event::JobAssigned`] naming the matcher.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::assign())]
		pub fn assign(origin: OriginFor<T>, job: JobId, provider: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_take_slot(job, provider, Some(who))
		}

		/// Attest the result of a job run once (redundancy 1).
		///
		/// - `origin`: signed; the provider holding the slot, before the deadline.
		/// - `output_hash`: blake2-256 of the output.
		/// - `usage`: metered units used, at most the spec's `max_units`.
		///
		/// Emits [`Event::AttestationSubmitted`] and [`Event::ChallengePeriodStarted`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::submit_attestation())]
		pub fn submit_attestation(
			origin: OriginFor<T>,
			job: JobId,
			output_hash: H256,
			usage: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_attestation(who, job, output_hash, usage)
		}

		/// Commit to the result of a redundant job without showing it.
		///
		/// - `origin`: signed; a provider holding a slot, before the deadline.
		/// - `commitment`: `airtime_primitives::compute::attestation_commitment(job, provider,
		///   output_hash, usage, salt)`.
		///
		/// Emits [`Event::AttestationCommitted`], and [`Event::RevealPeriodStarted`] when it was
		/// the last commitment.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::commit_attestation())]
		pub fn commit_attestation(
			origin: OriginFor<T>,
			job: JobId,
			commitment: H256,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit_attestation(who, job, commitment)
		}

		/// Reveal a committed result during the reveal period.
		///
		/// - `origin`: signed; a provider that committed.
		/// - `output_hash`, `usage`, `salt`: the values committed to.
		///
		/// Emits [`Event::AttestationSubmitted`]; the last reveal also starts the challenge
		/// period (results agree) or requests a dispute (they differ:
		/// [`Event::VerifierDrawScheduled`]).
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::reveal_attestation_last()
			.saturating_add(T::WeightInfo::on_initialize_draw())
			.max(T::WeightInfo::reveal_attestation()))]
		pub fn reveal_attestation(
			origin: OriginFor<T>,
			job: JobId,
			output_hash: H256,
			usage: u64,
			salt: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_reveal_attestation(who, job, output_hash, usage, salt)
		}

		/// Give up a slot before attesting: `SlashOnFailure` of the stake (far less than a
		/// timeout) and the slot opens for another provider.
		///
		/// - `origin`: signed; a provider holding a slot that has not attested, before the
		///   deadline.
		///
		/// Emits [`Event::FailureReported`].
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::report_failure().saturating_add(Pallet::<T>::pool_weight(1)))]
		pub fn report_failure(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_report_failure(who, job)
		}

		/// Challenge a job's agreed result during its challenge window.
		///
		/// - `origin`: signed; anyone but the job's providers.
		/// - `claimed_output_hash`: the output the challenger says is correct.
		/// - `bond`: at least `MinChallengeBond`, held under `ChallengeBond`.
		///
		/// Emits [`Event::JobChallenged`] and [`Event::VerifierDrawScheduled`]; the verifiers are
		/// drawn later ([`Event::DisputeOpened`], or [`Event::JobRefunded`] when no quorum can
		/// be drawn).
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::challenge().saturating_add(T::WeightInfo::on_initialize_draw()))]
		pub fn challenge(
			origin: OriginFor<T>,
			job: JobId,
			claimed_output_hash: H256,
			bond: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_challenge(who, job, claimed_output_hash, bond)
		}

		/// Commit a dispute vote.
		///
		/// - `origin`: signed; a verifier drawn for the dispute, during the commit phase.
		/// - `commitment`: `airtime_primitives::compute::vote_commitment(job, verifier,
		///   output_hash, salt)`.
		///
		/// Emits [`Event::VoteCommitted`], and [`Event::VoteRevealStarted`] after the last one.
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::commit_vote())]
		pub fn commit_vote(origin: OriginFor<T>, job: JobId, commitment: H256) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit_vote(who, job, commitment)
		}

		/// Reveal a dispute vote during the reveal phase.
		///
		/// - `origin`: signed; a verifier that committed.
		/// - `output_hash`, `salt`: the values committed to.
		///
		/// Emits [`Event::VoteRevealed`]; the last reveal decides the dispute.
		#[pallet::call_index(18)]
		#[pallet::weight(Pallet::<T>::reveal_vote_last_weight().max(T::WeightInfo::reveal_vote()))]
		pub fn reveal_vote(
			origin: OriginFor<T>,
			job: JobId,
			output_hash: H256,
			salt: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_reveal_vote(who, job, output_hash, salt)
		}

		/// Allow or forbid third-party matchers to `assign` the caller to jobs. Off at
		/// registration: an assigned slot that is not run is slashed like an accepted one, so a
		/// provider opts in only when it runs a worker that takes every assignment, and names the
		/// least time it needs: matched jobs must be due at least `min_lead` blocks ahead (so a
		/// matcher cannot push it jobs it has no time to run).
		///
		/// - `origin`: signed; a provider.
		/// - `min_lead`: `Some(blocks)` to allow, `None` to forbid.
		///
		/// Emits [`Event::MatchingSet`].
		#[pallet::call_index(20)]
		#[pallet::weight(T::WeightInfo::set_matching())]
		pub fn set_matching(
			origin: OriginFor<T>,
			min_lead: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_matching(who, min_lead)
		}

		/// Process a job whose current stage has timed out, before `on_initialize` reaches it:
		/// a missed deadline refunds and slashes, a closed challenge window settles, a closed
		/// reveal or vote phase moves on. A dispute waiting for its verifier draw is refused
		/// ([`Error::VerifiersNotDrawn`]): only `on_initialize` draws, so that nobody picks the
		/// block whose randomness draws the verifiers.
		///
		/// - `origin`: signed; anyone.
		/// - `job`: a job whose timeout block has passed.
		#[pallet::call_index(19)]
		#[pallet::weight(Pallet::<T>::due_job_weight())]
		pub fn claim_expired(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_claim_expired(job)
		}
	}
}
