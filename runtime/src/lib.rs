//! # Airtime runtime
//!
//! The state transition function of the Airtime chain, where AIR buys GPU compute, datasets and
//! metered AI calls. This crate composes FRAME's audited pallets (system, timestamp, Aura, GRANDPA,
//! balances, transaction payment, authorship, utility, multisig, proxy, and OpenGov: scheduler,
//! preimage, referenda, conviction voting, treasury, parameters) with Airtime's own pallets
//! (governance origins, compute). There is no sudo: Root is a referendum on the root track.
//!
//! ## Layout
//! - [`configs`]: one module per pallet with its `Config` implementation and parameters.
//! - [`apis`]: the runtime APIs the node and clients call.
//! - [`genesis_config_presets`]: the `dev` and `local` presets the node's chain specs are built
//!   from.
//!
//! ## Pallet indexes
//! Indexes are part of every encoded call and storage key, so they never change once used:
//! - 0–9: system, consensus support and utilities (taken).
//! - 10–19: reserved for session, staking and offences.
//! - 20–29: governance: 20 scheduler, 21 preimage, 22 referenda, 23 conviction voting,
//!   24 origins (`pallet-governance`), 25 treasury, 26 parameters.
//! - 30–39: Airtime's pallets: 30 compute; credits and data market to come.
//! - 99: was sudo, removed with governance; never reused.
//!
//! ## Features
//! - `fast-runtime`: governance, treasury and compute dispute periods of a few blocks, for tests
//!   and local networks (`scripts/test.sh` builds with it); also builds the `upgrade-test` wasm.
//! - `upgrade-test`: `spec_version` one higher; only the wasm builder sets it.

#![cfg_attr(not(feature = "std"), no_std)]
// `frame_support::runtime` with ~30 pallets expands past the default limit of 128.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

/// The `upgrade-test` wasm: this runtime with `spec_version` one higher, built alongside the
/// `fast-runtime` wasm for the end-to-end runtime-upgrade referendum (see `build.rs`).
#[cfg(all(feature = "std", feature = "fast-runtime", not(feature = "upgrade-test")))]
pub mod upgrade_test {
	include!(concat!(env!("OUT_DIR"), "/upgrade_test_wasm_binary.rs"));
}

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod migrations;
pub mod weights;

extern crate alloc;

use alloc::vec::Vec;

use sp_runtime::{generic, impl_opaque_keys, traits::BlakeTwo256, MultiAddress};
use sp_version::RuntimeVersion;

pub use airtime_primitives::{
	AccountId, Balance, BlockNumber, Hash, Nonce, Signature, AIR, DAYS, EXISTENTIAL_DEPOSIT, HOURS,
	MICRO_AIR, MILLISECS_PER_BLOCK, MILLI_AIR, MINUTES, SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL,
};
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types, used by the node to handle blocks without knowing the runtime's extrinsic
/// format, so it keeps syncing across runtime upgrades.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The keys a validator registers: Aura for block production, GRANDPA for finality.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime version. `spec_version` is bumped on every runtime upgrade; `transaction_version`
/// whenever the encoding of an existing call or the transaction extensions change.
#[cfg(not(feature = "upgrade-test"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("airtime"),
	impl_name: alloc::borrow::Cow::Borrowed("airtime-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The runtime version of the `upgrade-test` build: this runtime with `spec_version` one higher,
/// the code the end-to-end runtime-upgrade referendum installs.
#[cfg(feature = "upgrade-test")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("airtime"),
	impl_name: alloc::borrow::Cow::Borrowed("airtime-node"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// `$prod` in a production build, `$fast` with the `fast-runtime` feature (governance and
/// dispute periods of a few blocks for tests and local networks, as Polkadot's runtimes do).
#[macro_export]
macro_rules! prod_or_fast {
	($prod:expr, $fast:expr) => {
		if cfg!(feature = "fast-runtime") {
			$fast
		} else {
			$prod
		}
	};
}

/// Aura slot duration: blocks are produced every 6 seconds.
///
/// It cannot change after the chain has started: doing so bricks block production.
pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;

/// The storage deposit for `items` storage items taking `bytes` bytes: 0.1 AIR per item plus
/// 1 milli-AIR per byte. Charged (held or reserved) for storage a user creates and returned when
/// it is removed, so state bloat costs real AIR.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	(items as Balance)
		.saturating_mul(DEPOSIT_PER_ITEM)
		.saturating_add((bytes as Balance).saturating_mul(DEPOSIT_PER_BYTE))
}

/// A record's storage size in bytes (from its `MaxEncodedLen` and its keys) as the `u32`
/// [`deposit`] takes; saturates, though no bounded record comes near 4 GiB.
pub fn storage_bytes(bytes: usize) -> u32 {
	u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// Storage deposit per storage item: 0.1 AIR.
pub const DEPOSIT_PER_ITEM: Balance = 100 * MILLI_AIR;
/// Storage deposit per byte of storage: 1 milli-AIR.
pub const DEPOSIT_PER_BYTE: Balance = MILLI_AIR;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// A Block signed with a Justification.
pub type SignedBlock = generic::SignedBlock<Block>;

/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions every signed transaction carries. `CheckMetadataHash` lets offline
/// signers verify the metadata they sign against (see the `metadata-hash` feature).
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The extensions a client attaches to a signed transaction from an account at `nonce`, valid
/// during `era`, tipping `tip`, with the metadata-hash check off (as polkadot.js and subxt send by
/// default). Used by the node's benchmark commands and the tests, so there is one place that
/// knows the order of [`TxExtension`].
pub fn tx_extension(nonce: Nonce, era: sp_runtime::generic::Era, tip: Balance) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Bare (unsigned) transactions the runtime submits itself: GRANDPA equivocation reports,
/// validated by pallet-grandpa's `ValidateUnsigned`.
impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateBare<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}

/// All migrations of the runtime, aside from the ones declared in the pallets: a tuple of
/// `OnRuntimeUpgrade` types, usually `VersionedMigration`s that run once and then skip.
pub type Migrations =
	(migrations::v1::MoveComputeParameters, migrations::staking::InitSessionFromAuthorities);

/// Executive: handles dispatch to the various modules.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Authorship = pallet_authorship;

	// Genesis builds and hooks run in pallet-index order: staking (10) must come before the
	// session pallet (11), so the genesis stakers are bonded when session's genesis asks staking
	// for the first validator set, and an era planned in a session rotation sees this block's
	// bonds. Historical session roots and offences follow.
	#[runtime::pallet_index(10)]
	pub type Staking = pallet_staking;

	#[runtime::pallet_index(11)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(12)]
	pub type Historical = pallet_session::historical;

	#[runtime::pallet_index(13)]
	pub type Offences = pallet_offences;

	#[runtime::pallet_index(7)]
	pub type Utility = pallet_utility;

	#[runtime::pallet_index(8)]
	pub type Multisig = pallet_multisig;

	#[runtime::pallet_index(9)]
	pub type Proxy = pallet_proxy;

	#[runtime::pallet_index(30)]
	pub type Compute = pallet_compute;

	#[runtime::pallet_index(31)]
	pub type DataMarket = pallet_data_market;

	#[runtime::pallet_index(32)]
	pub type Credits = pallet_credits;

	#[runtime::pallet_index(20)]
	pub type Scheduler = pallet_scheduler;

	#[runtime::pallet_index(21)]
	pub type Preimage = pallet_preimage;

	#[runtime::pallet_index(22)]
	pub type Referenda = pallet_referenda;

	#[runtime::pallet_index(23)]
	pub type ConvictionVoting = pallet_conviction_voting;

	#[runtime::pallet_index(24)]
	pub type Origins = pallet_governance;

	#[runtime::pallet_index(25)]
	pub type Treasury = pallet_treasury;

	#[runtime::pallet_index(26)]
	pub type Parameters = pallet_parameters;
}
