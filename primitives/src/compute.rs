//! The interface between pallet-compute, its runtime API, the node's RPC and the off-chain worker.
//!
//! The pallet stores its own bounded types; what crosses the runtime boundary (runtime API, RPC,
//! worker) are the plain *views* defined here, so a client never needs the pallet's `Config`.
//!
//! ## Commitments
//!
//! Redundant providers and dispute verifiers hide their answer until everyone has committed. A
//! commitment is `blake2_256(SCALE(job, account, output_hash, salt))`, built by
//! [`attestation_commitment`] and [`vote_commitment`] (the same formula under different domain
//! tags, so an attestation commitment can never be replayed as a vote).

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Permill;

/// Identifies a compute job. Allocated sequentially by pallet-compute, never reused.
pub type JobId = u64;

/// Identifies a dataset listed on the data market.
pub type DatasetId = u64;

/// What a job runs, and therefore how its result is checked and what one metered unit is.
///
/// | kind | unit | result check |
/// |------|------|--------------|
/// | `GemmInt8` | 10^6 multiply-accumulates | bit-exact hash equality (integer arithmetic) |
/// | `GemmF32` | 10^6 multiply-accumulates | tolerance (Freivalds), never hash equality |
/// | `MlpFixedPoint` | 10^6 multiply-accumulates | bit-exact hash equality (fixed point) |
/// | `VectorSearch` | 10^6 multiply-accumulates | bit-exact hash equality (integer dot products) |
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
	PartialOrd,
	Ord,
	Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum ExecutorKind {
	/// int8 x int8 -> int32 matrix product.
	GemmInt8,
	/// fp32 matrix product.
	GemmF32,
	/// Inference of a small fixed-point multi-layer perceptron.
	MlpFixedPoint,
	/// Top-k by integer dot product over an embedding table.
	VectorSearch,
}

impl ExecutorKind {
	/// Whether redundant results of this kind can be compared by hash equality.
	pub fn is_bit_exact(&self) -> bool {
		!matches!(self, ExecutorKind::GemmF32)
	}
}

/// Domain tag of an attestation commitment.
pub const ATTESTATION_COMMITMENT_TAG: &[u8; 16] = b"airtime/attest/1";
/// Domain tag of a dispute vote commitment.
pub const VOTE_COMMITMENT_TAG: &[u8; 16] = b"airtime/vote/v1/";

fn commitment<AccountId: Encode>(
	tag: &[u8; 16],
	job: JobId,
	who: &AccountId,
	output_hash: &H256,
	extra: &[u8],
	salt: &[u8; 32],
) -> H256 {
	H256(sp_crypto_hashing::blake2_256(&(tag, job, who, output_hash, extra, salt).encode()))
}

/// The commitment a redundant provider submits before revealing `(output_hash, usage)`.
pub fn attestation_commitment<AccountId: Encode>(
	job: JobId,
	provider: &AccountId,
	output_hash: &H256,
	usage: u64,
	salt: &[u8; 32],
) -> H256 {
	commitment(ATTESTATION_COMMITMENT_TAG, job, provider, output_hash, &usage.to_le_bytes(), salt)
}

/// The commitment a dispute verifier submits before revealing the output hash it computed.
pub fn vote_commitment<AccountId: Encode>(
	job: JobId,
	verifier: &AccountId,
	output_hash: &H256,
	salt: &[u8; 32],
) -> H256 {
	commitment(VOTE_COMMITMENT_TAG, job, verifier, output_hash, &[], salt)
}

/// Stake that delegators put behind compute providers (provider pools), as pallet-compute sees
/// it.
///
/// A provider's *collateral* is its own stake plus the stake of its pool; pallet-compute limits
/// the slots a provider holds by it. The pool shares the provider's income and its slashes.
/// Implemented by pallet-staking; `()` means no pools.
pub trait ProviderPools<AccountId, Balance> {
	/// Delegated stake backing `provider`; it counts toward the provider's collateral.
	fn pooled_stake(provider: &AccountId) -> Balance;
	/// `provider` was just paid `amount` (net of the protocol fee) for a job, into its free
	/// balance: the pool takes its share from there. Returns what the pool took.
	fn on_provider_paid(provider: &AccountId, amount: Balance) -> Balance;
	/// `provider`'s own stake was slashed by `fraction`: the pool is slashed by the same
	/// fraction (the implementation may defer it).
	fn on_provider_slashed(provider: &AccountId, fraction: sp_runtime::Perbill);
	/// The most weight one [`Self::on_provider_paid`] costs, benchmarked by the implementation;
	/// pallet-compute adds it per payment to the weights of the calls and hooks that pay.
	fn paid_weight() -> sp_runtime::Weight;
	/// The most weight one [`Self::on_provider_slashed`] costs, benchmarked by the
	/// implementation; pallet-compute adds it per slash.
	fn slashed_weight() -> sp_runtime::Weight;
}

/// No pools: nobody delegates, the provider keeps its whole income, and slashes stop at the
/// provider's own stake.
impl<AccountId, Balance: Default> ProviderPools<AccountId, Balance> for () {
	fn pooled_stake(_: &AccountId) -> Balance {
		Balance::default()
	}
	fn on_provider_paid(_: &AccountId, _: Balance) -> Balance {
		Balance::default()
	}
	fn on_provider_slashed(_: &AccountId, _: sp_runtime::Perbill) {}
	fn paid_weight() -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
	fn slashed_weight() -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
}

/// Which accounts are registered compute providers, as pallet-staking's provider pools see it
/// (the reverse direction of [`ProviderPools`]): only a registered provider opens a pool.
/// Implemented by pallet-compute (a provider record exists, whatever its status).
pub trait ProviderRegistry<AccountId> {
	/// Whether `who` is a registered provider.
	fn is_provider(who: &AccountId) -> bool;
}

/// No compute pallet: nobody is a provider, so no pool can be opened.
impl<AccountId> ProviderRegistry<AccountId> for () {
	fn is_provider(_: &AccountId) -> bool {
		false
	}
}

#[cfg(feature = "std")]
use crate::balance_string;

/// The phase of an open job.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum JobPhase {
	/// Waiting for providers to accept, run and attest.
	Open,
	/// Every redundant provider committed; waiting for reveals.
	Revealing,
	/// Results agree; anyone may challenge until the phase ends.
	Challengeable,
	/// A verifier quorum is deciding the job's correct output.
	Disputed,
}

/// One provider's slot in a job.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize, Balance: core::fmt::Display",
			deserialize = "AccountId: serde::Deserialize<'de>, Balance: core::str::FromStr"
		)
	)
)]
pub struct SlotView<AccountId, Balance> {
	/// The provider holding the slot.
	pub provider: AccountId,
	/// Its price per unit, locked when it took the slot.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub price_per_unit: Balance,
	/// Whether it committed to a result (redundant jobs) or attested.
	pub committed: bool,
	/// The revealed output hash, once known.
	pub output_hash: Option<H256>,
	/// The revealed usage in units, once known.
	pub usage: Option<u64>,
}

/// A job as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize, Balance: core::fmt::Display, BlockNumber: serde::Serialize",
			deserialize = "AccountId: serde::Deserialize<'de>, Balance: core::str::FromStr, BlockNumber: serde::Deserialize<'de>"
		)
	)
)]
pub struct JobView<AccountId, Balance, BlockNumber> {
	/// The job's id.
	pub id: JobId,
	/// Who submitted it and whose escrow pays for it.
	pub owner: AccountId,
	/// What it runs.
	pub kind: ExecutorKind,
	/// Content hashes of its inputs.
	pub inputs: Vec<H256>,
	/// Data-market datasets it reads.
	pub datasets: Vec<DatasetId>,
	/// Executor parameters (SCALE, executor-specific).
	pub params: Vec<u8>,
	/// The most units a provider may bill.
	pub max_units: u64,
	/// Expected output size in bytes.
	pub output_size: u64,
	/// The lowest reputation a provider must have to take a slot.
	pub min_reputation: Permill,
	/// Escrowed budget.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub budget: Balance,
	/// The part of the budget that taken slots may bill at most.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub reserved: Balance,
	/// The block by which every slot must have attested.
	pub deadline: BlockNumber,
	/// How many providers run it independently.
	pub redundancy: u8,
	/// The current phase.
	pub phase: JobPhase,
	/// The block at which the current phase times out.
	pub phase_ends: BlockNumber,
	/// The slots taken so far.
	pub slots: Vec<SlotView<AccountId, Balance>>,
}

/// Whether a provider takes new jobs.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum ProviderStatusView<BlockNumber> {
	/// Takes new jobs.
	Active,
	/// Paused by its owner or because a slash left its stake below the minimum.
	Paused,
	/// Leaving: its stake is released at the given block.
	Unbonding(BlockNumber),
}

/// One executor a provider offers.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "Balance: core::fmt::Display",
			deserialize = "Balance: core::str::FromStr"
		)
	)
)]
pub struct OfferView<Balance> {
	/// The executor.
	pub kind: ExecutorKind,
	/// The largest job (in units) it accepts.
	pub max_units: u64,
	/// Its price per unit.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub price_per_unit: Balance,
}

/// A provider as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize, Balance: core::fmt::Display, BlockNumber: serde::Serialize",
			deserialize = "AccountId: serde::Deserialize<'de>, Balance: core::str::FromStr, BlockNumber: serde::Deserialize<'de>"
		)
	)
)]
pub struct ProviderView<AccountId, Balance, BlockNumber> {
	/// The provider's account.
	pub account: AccountId,
	/// Its stake on hold.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub stake: Balance,
	/// Whether it takes new jobs.
	pub status: ProviderStatusView<BlockNumber>,
	/// GPU model, UTF-8.
	pub gpu_model: Vec<u8>,
	/// Memory per device in MiB.
	pub vram_mib: u32,
	/// Number of devices.
	pub devices: u16,
	/// What it offers.
	pub offers: Vec<OfferView<Balance>>,
	/// Slots it holds in open jobs.
	pub active_jobs: u32,
	/// Whether third-party matchers may assign it jobs (`Some`), and how far ahead those jobs
	/// must be due, in blocks.
	pub matching_lead: Option<BlockNumber>,
	/// Decaying Beta-reputation score.
	pub reputation: Permill,
	/// Jobs it completed and was paid for.
	pub completed: u32,
	/// Jobs it reported as failed.
	pub failed: u32,
	/// Jobs whose deadline it missed.
	pub timed_out: u32,
	/// Times its stake was slashed for a wrong result.
	pub slashed: u32,
}

/// One provider in a quote.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize, Balance: core::fmt::Display",
			deserialize = "AccountId: serde::Deserialize<'de>, Balance: core::str::FromStr"
		)
	)
)]
pub struct QuotedProvider<AccountId, Balance> {
	/// The provider.
	pub provider: AccountId,
	/// Its price per unit.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub price_per_unit: Balance,
	/// Its reputation.
	pub reputation: Permill,
}

/// What a job would cost with the cheapest eligible providers.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize, Balance: core::fmt::Display",
			deserialize = "AccountId: serde::Deserialize<'de>, Balance: core::str::FromStr"
		)
	)
)]
pub struct QuoteView<AccountId, Balance> {
	/// The cheapest eligible providers, cheapest first, `redundancy` of them.
	pub providers: Vec<QuotedProvider<AccountId, Balance>>,
	/// The budget that covers `max_units` on every slot at those prices.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub budget: Balance,
	/// The protocol fee contained in `budget` (it is taken from the providers' pay).
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub protocol_fee: Balance,
	/// Eligible providers seen (the scan is bounded by the pallet's `MaxProviders`).
	pub eligible: u32,
}

sp_api::decl_runtime_apis! {
	/// Read access to pallet-compute for wallets, matchers and the worker.
	pub trait ComputeApi<AccountId, Balance, BlockNumber> where
		AccountId: codec::Codec,
		Balance: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// The price of a job of `kind` and `max_units` run by `redundancy` providers with at
		/// least `min_reputation`, or `None` when fewer eligible providers exist.
		fn quote(
			kind: ExecutorKind,
			max_units: u64,
			redundancy: u8,
			min_reputation: Permill,
		) -> Option<QuoteView<AccountId, Balance>>;
		/// An open job, or `None` when it is unknown or finished (see its events).
		fn job(id: JobId) -> Option<JobView<AccountId, Balance, BlockNumber>>;
		/// A registered provider.
		fn provider(who: AccountId) -> Option<ProviderView<AccountId, Balance, BlockNumber>>;
		/// Up to `limit` providers offering `kind` (any kind when `None`), in storage order,
		/// starting after `start_after`.
		fn providers(
			kind: Option<ExecutorKind>,
			start_after: Option<AccountId>,
			limit: u32,
		) -> Vec<ProviderView<AccountId, Balance, BlockNumber>>;
	}
}
