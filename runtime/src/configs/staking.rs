//! Staking and the validator set: `pallet_staking` (Airtime's own: bonds, nominations, era
//! election, inflation rewards, slashing), `pallet_session` (session keys, validator set per
//! session) with its `historical` part (key-ownership proofs for equivocation reports), and
//! `pallet_offences` (offence reports from GRANDPA, passed to staking as deferred slashes).
//!
//! - A session lasts [`SESSION_PERIOD`] blocks (1 hour; 5 blocks with `fast-runtime`), an era
//!   [`SESSIONS_PER_ERA`] sessions (6 hours; 2 sessions, 1 minute, with `fast-runtime`). The validator set
//!   changes only at era boundaries.
//! - Unbonded funds stay held [`BONDING_DURATION`] eras (7 days); slashes wait
//!   [`SLASH_DEFER_DURATION`] eras, long enough for a `StakingAdmin` referendum to cancel a
//!   mistaken one, and always less than the bonding duration so the slashed funds are still held.
//! - Inflation, bonds and the commission cap are governed parameters (`configs/parameters.rs`).
//! - Slashed funds, the treasury share of inflation and unclaimed rewards of expired eras go to the
//!   treasury; the protocol fees' staking share (the staking pot) joins each era's reward.

use codec::MaxEncodedLen;
use frame_support::{
	parameter_types,
	traits::{
		fungible::Credit, tokens::imbalance::ResolveTo, ConstU32, Contains, EitherOf, Get,
		Imbalance, OnUnbalanced,
	},
	Blake2_128Concat, PalletId, StorageHasher,
};
use frame_system::EnsureRoot;
use pallet_governance::StakingAdmin;
use sp_runtime::traits::{Convert, ConvertInto, OpaqueKeys};

use crate::{
	configs::{
		compute::{StakingPotAccount, TreasuryAccount},
		parameters::dynamic_params::{compute as compute_params, staking as params},
		MAX_AUTHORITIES,
	},
	prod_or_fast, AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeEvent,
	RuntimeHoldReason, SessionKeys, Staking, Timestamp, AIR, HOURS,
};

/// Blocks per session: 1 hour (5 blocks with `fast-runtime`).
pub const SESSION_PERIOD: BlockNumber = prod_or_fast!(HOURS, 5);
/// Sessions per era: 6 (6 hours; 2 sessions, 10 blocks, with `fast-runtime`).
pub const SESSIONS_PER_ERA: u32 = prod_or_fast!(6, 2);
/// Eras unbonded funds stay held: 28 (7 days; 2 with `fast-runtime`).
pub const BONDING_DURATION: u32 = prod_or_fast!(28, 2);
/// Eras a slash waits before it is applied: 27 (1 with `fast-runtime`).
pub const SLASH_DEFER_DURATION: u32 = prod_or_fast!(27, 1);
/// Eras whose rewards stay claimable: 84 (21 days).
pub const HISTORY_DEPTH: u32 = 84;
/// Era points for authoring a block.
pub const POINTS_PER_BLOCK: u32 = 20;

parameter_types! {
	pub const Period: BlockNumber = SESSION_PERIOD;
	pub const Offset: BlockNumber = 0;
	/// Registering session keys holds this much (two keys, about 100 bytes of storage).
	pub const KeyDeposit: Balance = AIR;
	pub const StakingPalletId: PalletId = PalletId(*b"air/stak");
	/// An equivocation report stays valid for the bonding duration (in blocks).
	pub const ReportLongevity: u64 =
		(BONDING_DURATION as u64)
			.saturating_mul(SESSIONS_PER_ERA as u64)
			.saturating_mul(SESSION_PERIOD as u64);
	/// A provider pool record and its pending income-share cut: two items, sized from their
	/// `MaxEncodedLen` ([`pool_record_bytes`]): 0.376 AIR.
	pub PoolDeposit: Balance = crate::deposit(2, pool_record_bytes());
	/// A pool member record: one item, sized from its `MaxEncodedLen` with all 32 unbonding
	/// chunks ([`member_record_bytes`]): 0.885 AIR.
	pub MemberDeposit: Balance = crate::deposit(1, member_record_bytes());
}

/// The bytes an open pool stores at worst: its `Pools` entry (the provider's account behind a
/// Blake2-128 hash, and the largest `Pool` record) and a pending income-share cut
/// (`PendingShareCuts`, under the same key). 176 bytes with this runtime's bounds.
pub fn pool_record_bytes() -> u32 {
	let key = Blake2_128Concat::max_len::<AccountId>();
	crate::storage_bytes(
		key.saturating_add(pallet_staking::Pool::<Runtime>::max_encoded_len())
			.saturating_add(key)
			.saturating_add(<(sp_runtime::Perbill, pallet_staking::EraIndex)>::max_encoded_len()),
	)
}

/// The bytes a pool member stores at worst: its `PoolMembers` entry (the provider's and the
/// delegator's accounts, each behind a Blake2-128 hash, and the largest `PoolMember` record,
/// with `MaxUnlockingChunks` unbonding chunks). 785 bytes with this runtime's bounds.
pub fn member_record_bytes() -> u32 {
	let keys = Blake2_128Concat::max_len::<AccountId>().saturating_mul(2);
	crate::storage_bytes(
		keys.saturating_add(pallet_staking::PoolMember::<Runtime>::max_encoded_len()),
	)
}

/// Session keys are registered per stash account: the validator id is the account id.
impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<Period, Offset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<Period, Offset>;
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, Staking>;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// At most a third of the set is disabled for offences at any time (GRANDPA keeps its 2/3).
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = KeyDeposit;
}

/// Every session validator is identified by its account alone (no exposure is kept in the
/// historical trie: staking's own era exposure decides a slash).
pub struct UnitIdentification;
impl Convert<AccountId, Option<()>> for UnitIdentification {
	fn convert(_: AccountId) -> Option<()> {
		Some(())
	}
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = UnitIdentification;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = Staking;
}

/// The protocol fees of the data market and of credits: the compute fee's staking share
/// (`FeeToStakers`, a governed parameter) goes to the staking pot, which joins the next era's
/// reward; the rest to the treasury.
pub struct ProtocolFeeSplit;
impl OnUnbalanced<Credit<AccountId, Balances>> for ProtocolFeeSplit {
	fn on_nonzero_unbalanced(fee: Credit<AccountId, Balances>) {
		let to_stakers = compute_params::FeeToStakers::get().mul_floor(fee.peek());
		let (stakers, treasury) = fee.split(to_stakers);
		ResolveTo::<StakingPotAccount, Balances>::on_unbalanced(stakers);
		ResolveTo::<TreasuryAccount, Balances>::on_unbalanced(treasury);
	}
}

/// Staking's hooks into pallet-session: disabling offenders (pallet-session's
/// `DisablingStrategy` keeps at most a third of the set disabled) and pruning the historical
/// session roots no offence report can use any more.
pub struct SessionAdapter;
impl pallet_staking::SessionInterface<AccountId> for SessionAdapter {
	fn report_offence(validator: &AccountId, fraction: sp_runtime::Perbill) {
		pallet_session::Pallet::<Runtime>::report_offence(
			validator.clone(),
			sp_staking::offence::OffenceSeverity(fraction),
		);
	}

	fn prune_historical_up_to(session: sp_staking::SessionIndex) {
		pallet_session::historical::Pallet::<Runtime>::prune_up_to(session);
	}
}

/// A candidate is elected only with session keys registered (pallet-session's `NextKeys`).
pub struct HasSessionKeys;
impl Contains<AccountId> for HasSessionKeys {
	fn contains(who: &AccountId) -> bool {
		pallet_session::NextKeys::<Runtime>::contains_key(who)
	}
}

/// Era points for block authors: pallet-authorship reports each block's author (the session
/// validator whose Aura slot it was).
pub struct AuthorPoints;
impl pallet_authorship::EventHandler<AccountId, BlockNumber> for AuthorPoints {
	fn note_author(author: AccountId) {
		Staking::reward_by_ids([(author, POINTS_PER_BLOCK)]);
	}
}

impl pallet_staking::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type UnixTime = Timestamp;
	type PalletId = StakingPalletId;
	type RewardPot = StakingPotAccount;
	type Treasury = ResolveTo<TreasuryAccount, Balances>;
	type AdminOrigin = EitherOf<EnsureRoot<AccountId>, StakingAdmin>;
	type SessionInterface = SessionAdapter;
	type HasSessionKeys = HasSessionKeys;
	type YearlyInflation = params::YearlyInflation;
	type InflationDecay = params::InflationDecay;
	type MinInflation = params::MinInflation;
	type InflationToTreasury = params::InflationToTreasury;
	type MinimumValidatorCount = params::MinimumValidatorCount;
	type MinValidatorBond = params::MinValidatorBond;
	type MinNominatorBond = params::MinNominatorBond;
	type MaxCommission = params::MaxCommission;
	type SessionsPerEra = ConstU32<SESSIONS_PER_ERA>;
	type BondingDuration = ConstU32<BONDING_DURATION>;
	type SlashDeferDuration = ConstU32<SLASH_DEFER_DURATION>;
	type HistoryDepth = ConstU32<HISTORY_DEPTH>;
	type MaxValidators = ConstU32<MAX_AUTHORITIES>;
	type MaxValidatorCandidates = ConstU32<128>;
	type MaxNominators = ConstU32<20_000>;
	type MaxNominations = ConstU32<16>;
	type MaxBackersPerValidator = ConstU32<128>;
	type MaxExposurePageSize = ConstU32<64>;
	type MaxUnlockingChunks = ConstU32<32>;
	type MaxSlashesPerEra = ConstU32<MAX_AUTHORITIES>;
	type PointsPerBlock = ConstU32<POINTS_PER_BLOCK>;
	type Providers = crate::Compute;
	type MaxPoolMembers = ConstU32<512>;
	type MinDelegation = params::MinDelegation;
	type PoolDeposit = PoolDeposit;
	type MemberDeposit = MemberDeposit;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkSessionKeys;
	type WeightInfo = pallet_staking::weights::SubstrateWeight<Runtime>;
}

/// Benchmarks register session keys directly (a benchmark account holds no key in a keystore).
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkSessionKeys;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_staking::BenchmarkHelper<AccountId> for BenchmarkSessionKeys {
	fn set_session_keys(who: &AccountId) {
		use sp_core::crypto::UncheckedFrom;
		let raw: [u8; 32] = sp_crypto_hashing::blake2_256(who.as_ref());
		let keys = SessionKeys {
			aura: sp_consensus_aura::sr25519::AuthorityId::unchecked_from(raw),
			grandpa: sp_consensus_grandpa::AuthorityId::unchecked_from(raw),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}

	/// Registers `who` with pallet-compute through its `register_provider` call (one int8 GEMM
	/// executor at the smallest price, `MinProviderStake`), funding it first. A benchmark
	/// account is not a provider otherwise, and provider pools open only for providers.
	fn make_provider(who: &AccountId) {
		use frame_support::{traits::fungible::Mutate, BoundedVec};
		use pallet_compute::{Capabilities, ExecutorCapability, ExecutorKind, ExecutorPrice};
		let stake = <Runtime as pallet_compute::Config>::MinProviderStake::get();
		let deposit = <Runtime as pallet_compute::Config>::ProviderDeposit::get();
		let _ = <Balances as Mutate<AccountId>>::mint_into(
			who,
			stake.saturating_add(deposit).saturating_mul(2).saturating_add(AIR),
		);
		let kind = ExecutorKind::GemmInt8;
		let capabilities = Capabilities::<Runtime> {
			gpu_model: BoundedVec::truncate_from(b"benchmark".to_vec()),
			vram_mib: 1,
			devices: 1,
			executors: BoundedVec::truncate_from(alloc::vec![ExecutorCapability {
				kind,
				max_units: 1
			}]),
		};
		let prices = BoundedVec::truncate_from(alloc::vec![ExecutorPrice::<Runtime> {
			kind,
			price_per_unit: 1
		}]);
		let registered = pallet_compute::Pallet::<Runtime>::register_provider(
			crate::RuntimeOrigin::signed(who.clone()),
			capabilities,
			prices,
			stake,
		);
		assert!(registered.is_ok(), "a benchmark account registers as a provider: {registered:?}");
	}
}
