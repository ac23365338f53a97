//! The pallet's stored types and the job state machine.

use crate::Config;
use airtime_primitives::compute::{DatasetId, ExecutorKind};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{self, Inspect},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{Perbill, Permill};

/// A balance of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// An amount taken out of circulation, to be handed to an `OnUnbalanced` handler or dropped
/// (burnt).
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
/// An account of the runtime.
pub type AccountIdOf<T> = <T as frame_system::Config>::AccountId;

/// One executor a provider can run, and the largest job it accepts.
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
pub struct ExecutorCapability {
	/// The executor.
	pub kind: ExecutorKind,
	/// The largest job, in metered units, it runs.
	pub max_units: u64,
}

/// What a provider's hardware can do. Checked against each job it takes.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Capabilities<T: Config> {
	/// GPU model, UTF-8 (e.g. `NVIDIA H100 80GB HBM3`).
	pub gpu_model: BoundedVec<u8, T::MaxModelLen>,
	/// Memory per device in MiB.
	pub vram_mib: u32,
	/// Number of devices.
	pub devices: u16,
	/// The executors it runs; each kind at most once.
	pub executors: BoundedVec<ExecutorCapability, T::MaxExecutorKinds>,
}

/// A provider's price per metered unit for one executor.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct ExecutorPrice<T: Config> {
	/// The executor.
	pub kind: ExecutorKind,
	/// Price of one metered unit.
	pub price_per_unit: BalanceOf<T>,
}

/// The price list of a provider: exactly one price per executor in its capabilities.
pub type PricesOf<T> = BoundedVec<ExecutorPrice<T>, <T as Config>::MaxExecutorKinds>;

/// Whether a provider takes new jobs.
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
pub enum ProviderStatus<BlockNumber> {
	/// Takes new jobs and may be drawn as a dispute verifier.
	Active,
	/// Takes no new jobs; finishes the ones it holds. Set by `pause_provider`, or by a slash that
	/// leaves the stake below `MinProviderStake`.
	Paused,
	/// Leaving: `withdraw_provider` releases the stake and the record from the given block on.
	Unbonding {
		/// First block at which the stake can be withdrawn.
		until: BlockNumber,
	},
}

/// Decaying Beta reputation and lifetime counters of a provider.
///
/// The score is the mean of a Beta(`successes` + 1, `failures` + 1) distribution, with both
/// evidence counts kept in thousandths and multiplied by `ReputationDecay` before each update,
/// so old behaviour fades. A newcomer scores 50 %.
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
	Default,
)]
pub struct Reputation {
	/// Decayed evidence of good results, in thousandths of a job.
	pub successes: u64,
	/// Decayed evidence of bad results, in thousandths of a job.
	pub failures: u64,
	/// Jobs completed and paid.
	pub completed: u32,
	/// Jobs reported failed by the provider itself.
	pub failed: u32,
	/// Jobs whose deadline the provider missed.
	pub timed_out: u32,
	/// Wrong results slashed after a dispute.
	pub slashed: u32,
}

/// How heavily an outcome weighs in the reputation (thousandths of a job).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
	/// Paid for a result that stood: +1 success.
	Completed,
	/// Reported an honest failure before the deadline: +0.5 failure.
	ReportedFailure,
	/// Missed a deadline or a reveal: +1 failure.
	TimedOut,
	/// Slashed for a wrong result: +2 failures.
	Slashed,
}

impl Reputation {
	/// The score: `(successes + 1) / (successes + failures + 2)`.
	pub fn score(&self) -> Permill {
		let s = self.successes.saturating_add(1000);
		let total = s.saturating_add(self.failures).saturating_add(1000);
		Permill::from_rational(s, total)
	}

	/// Decay the evidence by `decay` and record `outcome`.
	pub fn record(&mut self, outcome: Outcome, decay: Perbill) {
		self.successes = decay.mul_floor(self.successes);
		self.failures = decay.mul_floor(self.failures);
		match outcome {
			Outcome::Completed => {
				self.successes = self.successes.saturating_add(1000);
				self.completed = self.completed.saturating_add(1);
			},
			Outcome::ReportedFailure => {
				self.failures = self.failures.saturating_add(500);
				self.failed = self.failed.saturating_add(1);
			},
			Outcome::TimedOut => {
				self.failures = self.failures.saturating_add(1000);
				self.timed_out = self.timed_out.saturating_add(1);
			},
			Outcome::Slashed => {
				self.failures = self.failures.saturating_add(2000);
				self.slashed = self.slashed.saturating_add(1);
			},
		}
	}
}

/// A registered compute provider.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Provider<T: Config> {
	/// Stake on hold under [`crate::HoldReason::ProviderStake`]; slashes reduce it.
	pub stake: BalanceOf<T>,
	/// Storage deposit on hold under [`crate::HoldReason::StorageDeposit`].
	pub deposit: BalanceOf<T>,
	/// Whether it takes new jobs.
	pub status: ProviderStatus<BlockNumberFor<T>>,
	/// Its hardware.
	pub capabilities: Capabilities<T>,
	/// Its prices.
	pub prices: PricesOf<T>,
	/// Slots it holds in jobs that are not yet settled.
	pub active_jobs: u32,
	/// Whether third-party matchers may `assign` it to jobs, and then only jobs whose deadline
	/// is at least this many blocks away (set with `set_matching`; off at registration, since an
	/// assigned slot that is not run is slashed like an accepted one).
	pub matching_lead: Option<BlockNumberFor<T>>,
	/// Its position in `ProviderIndex` (used to draw verifiers).
	pub index: u32,
	/// Its track record.
	pub reputation: Reputation,
}

impl<T: Config> Provider<T> {
	/// Its capability for `kind`, if it offers it.
	pub fn capability(&self, kind: ExecutorKind) -> Option<&ExecutorCapability> {
		self.capabilities.executors.iter().find(|c| c.kind == kind)
	}

	/// Its price for `kind`, if it offers it.
	pub fn price(&self, kind: ExecutorKind) -> Option<BalanceOf<T>> {
		self.prices.iter().find(|p| p.kind == kind).map(|p| p.price_per_unit)
	}
}

/// What a job runs. Everything is bounded by the pallet's constants.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct JobSpec<T: Config> {
	/// The executor.
	pub kind: ExecutorKind,
	/// blake2-256 hashes of the input blobs.
	pub inputs: BoundedVec<H256, T::MaxInputs>,
	/// Data-market datasets the job reads (their access is checked by the data market).
	pub datasets: BoundedVec<DatasetId, T::MaxInputs>,
	/// Executor parameters (SCALE, executor-specific; e.g. matrix shapes).
	pub params: BoundedVec<u8, T::MaxParamsLen>,
	/// The most metered units a provider may bill for it.
	pub max_units: u64,
	/// Expected output size in bytes.
	pub output_size: u64,
	/// The lowest reputation a provider must have to take a slot.
	pub min_reputation: Permill,
}

/// A provider's answer in one slot of a job.
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
pub enum Attestation {
	/// Nothing yet.
	Pending,
	/// A commitment (see [`airtime_primitives::compute::attestation_commitment`]).
	Committed(H256),
	/// The result.
	Revealed {
		/// blake2-256 of the output.
		output_hash: H256,
		/// Metered units used (at most the spec's `max_units`).
		usage: u64,
	},
}

/// One of a job's `redundancy` slots, held by one provider.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Slot<T: Config> {
	/// The provider.
	pub provider: AccountIdOf<T>,
	/// Its price per unit, locked when it took the slot.
	pub price_per_unit: BalanceOf<T>,
	/// The block at which it took the slot.
	pub taken_at: BlockNumberFor<T>,
	/// Its answer.
	pub attestation: Attestation,
}

/// Where a job is in its life. States only move forward, in this order (a state may be
/// skipped); the job's record is removed when it ends.
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
pub enum JobState<BlockNumber> {
	/// Providers take slots, run the job and attest until the deadline.
	Open,
	/// Redundant job: every slot committed; reveals are due by `until`.
	Revealing {
		/// Last block for reveals.
		until: BlockNumber,
	},
	/// The results agree on `output_hash`; anyone may challenge until `until`, then it settles.
	Challengeable {
		/// Last block of the challenge window.
		until: BlockNumber,
		/// The agreed output.
		output_hash: H256,
	},
	/// A verifier quorum decides the correct output (see [`Dispute`]).
	Disputed,
}

impl<BlockNumber> JobState<BlockNumber> {
	/// The position of the state in the forward order.
	pub fn rank(&self) -> u8 {
		match self {
			JobState::Open => 0,
			JobState::Revealing { .. } => 1,
			JobState::Challengeable { .. } => 2,
			JobState::Disputed => 3,
		}
	}
}

/// A compute job that has not ended.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Job<T: Config> {
	/// Who submitted it; its escrow is held on this account.
	pub owner: AccountIdOf<T>,
	/// What it runs.
	pub spec: JobSpec<T>,
	/// Escrow on hold under [`crate::HoldReason::JobEscrow`].
	pub budget: BalanceOf<T>,
	/// The most the taken slots can bill: the sum of `price_per_unit * max_units` over them.
	/// Never above `budget`, so the escrow cannot run dry.
	pub reserved: BalanceOf<T>,
	/// Storage deposit on hold under [`crate::HoldReason::StorageDeposit`].
	pub deposit: BalanceOf<T>,
	/// Last block at which slots may attest (or commit).
	pub deadline: BlockNumberFor<T>,
	/// How many providers run it independently.
	pub redundancy: u8,
	/// The slots taken so far.
	pub slots: BoundedVec<Slot<T>, T::MaxRedundancy>,
	/// Where it is in its life.
	pub state: JobState<BlockNumberFor<T>>,
	/// The block whose timeout queue holds it.
	pub timeout: BlockNumberFor<T>,
}

impl<T: Config> Job<T> {
	/// The index of `who`'s slot.
	pub fn slot_of(&self, who: &AccountIdOf<T>) -> Option<usize> {
		self.slots.iter().position(|s| &s.provider == who)
	}

	/// Whether every slot is taken.
	pub fn is_full(&self) -> bool {
		self.slots.len() >= usize::from(self.redundancy)
	}
}

/// Someone who challenged a job's agreed output.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Challenge<T: Config> {
	/// The challenger.
	pub who: AccountIdOf<T>,
	/// Bond on hold under [`crate::HoldReason::ChallengeBond`].
	pub bond: BalanceOf<T>,
	/// The output hash the challenger says is correct.
	pub claimed_output_hash: H256,
	/// The output hash the providers agreed on.
	pub disputed_output_hash: H256,
}

/// A verifier's vote.
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
pub enum Vote {
	/// Nothing yet.
	Pending,
	/// A commitment (see [`airtime_primitives::compute::vote_commitment`]).
	Committed(H256),
	/// The output hash the verifier computed.
	Revealed(H256),
}

/// The phase of a dispute.
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
pub enum DisputePhase<BlockNumber> {
	/// Verifiers commit until `until` (or until all committed).
	Commit {
		/// Last block for commitments.
		until: BlockNumber,
	},
	/// Verifiers reveal until `until` (or until all revealed).
	Reveal {
		/// Last block for reveals.
		until: BlockNumber,
	},
	/// The dispute was requested; its verifiers are drawn by the first `on_initialize` after
	/// block `at`, from randomness that did not exist when the dispute was requested (see
	/// `Config::VerifierDrawDelay`). No vote can be cast yet. Last in the enum so that the
	/// encoding of the other phases is unchanged.
	Draw {
		/// The block after which the verifiers are drawn.
		at: BlockNumber,
	},
}

/// A dispute over a job's output: the drawn verifiers and their votes (none while the phase is
/// [`DisputePhase::Draw`]).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Dispute<T: Config> {
	/// The challenge, when someone challenged an agreed output; `None` when redundant providers
	/// disagreed.
	pub challenge: Option<Challenge<T>>,
	/// The drawn verifiers and their votes; empty until they are drawn.
	pub votes: BoundedVec<(AccountIdOf<T>, Vote), T::VerifierQuorum>,
	/// The phase.
	pub phase: DisputePhase<BlockNumberFor<T>>,
}

/// Why a job ended without paying anyone.
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
pub enum RefundReason {
	/// The owner cancelled it before any provider took it.
	Cancelled,
	/// The deadline passed before every slot attested.
	DeadlineMissed,
	/// No redundant provider revealed its result in time.
	NothingRevealed,
	/// Too few providers were eligible to form a verifier quorum.
	NoVerifiersAvailable,
	/// The verifiers did not reach a majority in time.
	QuorumNotReached,
	/// The verifiers found every provider's result wrong.
	AllResultsWrong,
}
