//! A test runtime: System, Balances and the staking pallet, with small limits so every bound is
//! reachable.
//!
//! pallet-session is not part of it: [`Session`] emulates it, calling the pallet's
//! `pallet_session::SessionManager` implementation in the order pallet-session does (at genesis
//! `new_session_genesis(0)`, `new_session_genesis(1)`, `start_session(0)`; on each rotation from
//! session `i`: `end_session(i)`, `start_session(i + 1)`, `new_session(i + 2)`) and keeping the
//! current and queued validator sets, so tests can assert the active set. A session lasts
//! [`PERIOD`] blocks and rotates in the `on_initialize` of every block divisible by it. Time
//! comes from a thread-local millisecond clock that [`run_to_block`] advances by [`BLOCK_TIME`]
//! per block; session keys from a thread-local set of accounts *without* keys (empty by default).
//! [`MockSessionInterface`] records the offences reported to the session pallet and the sessions
//! its historical part is pruned up to.
//!
//! The governed parameters are `static` parameter types: [`ExtBuilder`] resets them at every
//! build, and a test may change them afterwards (`MinimumValidatorCount::set(2)`); the
//! validator count is storage (genesis `validator_count`, `set_validator_count`).

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{self as pallet_staking, types::*, EraIndex, HoldReason};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::InspectHold, tokens::imbalance::ResolveTo, ConstU32, Contains, OnFinalize,
		OnInitialize, UnixTime,
	},
	weights::Weight,
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::AccountIdConversion, BuildStorage, Perbill, Perquintill};
use sp_staking::{
	offence::{OffenceDetails, OnOffenceHandler},
	SessionIndex,
};
use std::{cell::RefCell, collections::BTreeSet};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Staking: pallet_staking,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = ConstU32<2>;
}

pub struct ConstU128<const N: u128>;
impl<const N: u128> frame_support::traits::Get<u128> for ConstU128<N> {
	fn get() -> u128 {
		N
	}
}

pub const ED: Balance = 1;
/// Accounts 1..=ACCOUNTS are endowed with [`ENDOWMENT`].
pub const ACCOUNTS: AccountId = 200;
pub const ENDOWMENT: Balance = 1_000_000_000;
/// Receives the treasury share of inflation, expired rewards and slashes (alive with `ED`).
pub const TREASURY: AccountId = 9_000;
/// The fee pot swept into each era's reward (alive with `ED`).
pub const REWARD_POT: AccountId = 8_000;

/// Milliseconds per block.
pub const BLOCK_TIME: u64 = 6_000;
/// Blocks per session.
pub const PERIOD: u64 = 5;
/// The clock at genesis (block 1), in milliseconds.
pub const INITIAL_MS: u64 = 1_000_000_000;
/// 365.25 days, in milliseconds (the pallet's year).
pub const MS_PER_YEAR: u64 = 31_557_600_000;

/// Era points per authored block.
pub const POINTS_PER_BLOCK: u32 = 20;

pub const MAX_VALIDATORS: u32 = 4;
pub const MAX_VALIDATOR_CANDIDATES: u32 = 10;
pub const MAX_NOMINATORS: u32 = 12;
pub const MAX_NOMINATIONS: u32 = 4;
pub const MAX_BACKERS: u32 = 8;
pub const MAX_PAGE_SIZE: u32 = 3;
pub const MAX_UNLOCKING_CHUNKS: u32 = 3;
pub const MAX_SLASHES_PER_ERA: u32 = 4;

/// The genesis stakers' defaults (see [`ExtBuilder::default`]).
pub const MIN_VALIDATOR_BOND_DEFAULT: Balance = 100;
pub const MIN_NOMINATOR_BOND_DEFAULT: Balance = 10;

/// Provider pools: the most members, the default minimum delegation and the deposits.
pub const MAX_POOL_MEMBERS: u32 = 4;
pub const MIN_DELEGATION_DEFAULT: Balance = 10;
pub const POOL_DEPOSIT: Balance = 50;
pub const MEMBER_DEPOSIT: Balance = 5;

parameter_types! {
	pub const StakingPalletId: PalletId = PalletId(*b"air/stak");
	pub const TreasuryAccount: AccountId = TREASURY;
	pub const RewardPotAccount: AccountId = REWARD_POT;

	pub static YearlyInflation: Perquintill = Perquintill::from_percent(10);
	pub static InflationDecay: Perquintill = Perquintill::zero();
	pub static MinInflation: Perquintill = Perquintill::from_percent(2);
	pub static InflationToTreasury: Perbill = Perbill::from_percent(20);
	pub static MinimumValidatorCount: u32 = 2;
	pub static MinValidatorBond: Balance = MIN_VALIDATOR_BOND_DEFAULT;
	pub static MinNominatorBond: Balance = MIN_NOMINATOR_BOND_DEFAULT;
	pub static MaxCommission: Perbill = Perbill::from_percent(50);
	pub static SessionsPerEra: SessionIndex = 3;
	pub static BondingDuration: EraIndex = 3;
	pub static SlashDeferDuration: EraIndex = 2;
	pub static HistoryDepth: u32 = 4;
	pub static MinDelegation: Balance = MIN_DELEGATION_DEFAULT;
}

impl pallet_staking::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type UnixTime = MockTime;
	type PalletId = StakingPalletId;
	type RewardPot = RewardPotAccount;
	type Treasury = ResolveTo<TreasuryAccount, Balances>;
	type AdminOrigin = EnsureRoot<AccountId>;
	type SessionInterface = MockSessionInterface;
	type HasSessionKeys = MockSessionKeys;
	type YearlyInflation = YearlyInflation;
	type InflationDecay = InflationDecay;
	type MinInflation = MinInflation;
	type InflationToTreasury = InflationToTreasury;
	type MinimumValidatorCount = MinimumValidatorCount;
	type MinValidatorBond = MinValidatorBond;
	type MinNominatorBond = MinNominatorBond;
	type MaxCommission = MaxCommission;
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
	type SlashDeferDuration = SlashDeferDuration;
	type HistoryDepth = HistoryDepth;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MaxValidatorCandidates = ConstU32<MAX_VALIDATOR_CANDIDATES>;
	type MaxNominators = ConstU32<MAX_NOMINATORS>;
	type MaxNominations = ConstU32<MAX_NOMINATIONS>;
	type MaxBackersPerValidator = ConstU32<MAX_BACKERS>;
	type MaxExposurePageSize = ConstU32<MAX_PAGE_SIZE>;
	type MaxUnlockingChunks = ConstU32<MAX_UNLOCKING_CHUNKS>;
	type MaxSlashesPerEra = ConstU32<MAX_SLASHES_PER_ERA>;
	type PointsPerBlock = ConstU32<POINTS_PER_BLOCK>;
	type Providers = MockProviders;
	type MaxPoolMembers = ConstU32<MAX_POOL_MEMBERS>;
	type MinDelegation = MinDelegation;
	type PoolDeposit = ConstU128<POOL_DEPOSIT>;
	type MemberDeposit = ConstU128<MEMBER_DEPOSIT>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Benchmarks in the mock: keys and provider registrations come from the thread-locals.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn set_session_keys(who: &AccountId) {
		add_session_keys(*who);
	}
	fn make_provider(who: &AccountId) {
		set_provider(*who);
	}
}

// ------------------------------------------------------------------------ clock and keys

std::thread_local! {
	static NOW_MS: RefCell<u64> = const { RefCell::new(INITIAL_MS) };
	static NO_KEYS: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
	static SESSION: RefCell<SessionState> = const { RefCell::new(SessionState::new()) };
	static PROVIDERS: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
	static OFFENCES_REPORTED: RefCell<Vec<(AccountId, Perbill)>> =
		const { RefCell::new(Vec::new()) };
	static PRUNED_SESSIONS: RefCell<Vec<SessionIndex>> = const { RefCell::new(Vec::new()) };
}

/// Records what the pallet asks of the session pallet: [`reported_offences`] and
/// [`pruned_sessions`] (both empty at every build).
pub struct MockSessionInterface;
impl crate::SessionInterface<AccountId> for MockSessionInterface {
	fn report_offence(validator: &AccountId, fraction: Perbill) {
		OFFENCES_REPORTED.with(|r| r.borrow_mut().push((*validator, fraction)));
	}
	fn prune_historical_up_to(session: SessionIndex) {
		PRUNED_SESSIONS.with(|p| p.borrow_mut().push(session));
	}
}

/// Every `SessionInterface::report_offence(validator, fraction)` call since the build, oldest
/// first.
pub fn reported_offences() -> Vec<(AccountId, Perbill)> {
	OFFENCES_REPORTED.with(|r| r.borrow().clone())
}

/// The session of every `SessionInterface::prune_historical_up_to` call since the build, oldest
/// first.
pub fn pruned_sessions() -> Vec<SessionIndex> {
	PRUNED_SESSIONS.with(|p| p.borrow().clone())
}

/// The session of the latest `SessionInterface::prune_historical_up_to` call, if any.
pub fn last_pruned_session() -> Option<SessionIndex> {
	PRUNED_SESSIONS.with(|p| p.borrow().last().copied())
}

/// The registered compute providers: accounts passed to [`set_provider`] (none by default).
pub struct MockProviders;
impl airtime_primitives::compute::ProviderRegistry<AccountId> for MockProviders {
	fn is_provider(who: &AccountId) -> bool {
		PROVIDERS.with(|p| p.borrow().contains(who))
	}
}

/// `who` is a registered compute provider (it may open a pool).
pub fn set_provider(who: AccountId) {
	PROVIDERS.with(|p| p.borrow_mut().insert(who));
}

/// `who` is no longer a registered compute provider.
pub fn unset_provider(who: AccountId) {
	PROVIDERS.with(|p| p.borrow_mut().remove(&who));
}

/// The mock clock, in milliseconds.
pub fn now_ms() -> u64 {
	NOW_MS.with(|t| *t.borrow())
}

/// Move the clock forward by `ms` (no block is produced).
pub fn advance_time(ms: u64) {
	NOW_MS.with(|t| *t.borrow_mut() += ms);
}

/// `UnixTime` from the mock clock.
pub struct MockTime;
impl UnixTime for MockTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(now_ms())
	}
}

/// Every account has session keys except those removed with [`remove_session_keys`].
pub struct MockSessionKeys;
impl Contains<AccountId> for MockSessionKeys {
	fn contains(who: &AccountId) -> bool {
		has_session_keys(who)
	}
}

pub fn has_session_keys(who: &AccountId) -> bool {
	NO_KEYS.with(|k| !k.borrow().contains(who))
}

/// `who` no longer has session keys: it is not elected, and pallet-session would not queue it.
pub fn remove_session_keys(who: AccountId) {
	NO_KEYS.with(|k| k.borrow_mut().insert(who));
}

/// `who` has session keys again.
pub fn add_session_keys(who: AccountId) {
	NO_KEYS.with(|k| k.borrow_mut().remove(&who));
}

// ------------------------------------------------------------------------ session emulation

/// What pallet-session would keep: the session index, its validators and the queued ones.
#[derive(Clone, Debug)]
struct SessionState {
	index: SessionIndex,
	validators: Vec<AccountId>,
	queued: Vec<AccountId>,
}

impl SessionState {
	const fn new() -> Self {
		SessionState { index: 0, validators: Vec::new(), queued: Vec::new() }
	}
}

/// Emulates pallet-session: calls the pallet's `SessionManager` as pallet-session does.
pub struct Session;

/// Only accounts with keys are queued (pallet-session's `load_keys` filter).
fn keyed(validators: Vec<AccountId>) -> Vec<AccountId> {
	validators.into_iter().filter(has_session_keys).collect()
}

impl Session {
	/// pallet-session's genesis build: plan sessions 0 and 1, then start session 0.
	pub fn genesis() {
		let v0 = <Staking as pallet_session::SessionManager<AccountId>>::new_session_genesis(0)
			.unwrap_or_default();
		let v1 = <Staking as pallet_session::SessionManager<AccountId>>::new_session_genesis(1)
			.unwrap_or_else(|| v0.clone());
		let queued = keyed(v1);
		SESSION.with(|s| *s.borrow_mut() = SessionState { index: 0, validators: v0, queued });
		<Staking as pallet_session::SessionManager<AccountId>>::start_session(0);
	}

	/// pallet-session's `rotate_session`: end session `i`, start `i + 1` with the queued set,
	/// plan `i + 2` (a returned set is queued; `None` keeps the current set queued).
	pub fn rotate() {
		let ending = Self::current_index();
		<Staking as pallet_session::SessionManager<AccountId>>::end_session(ending);
		let starting = ending + 1;
		SESSION.with(|s| {
			let mut s = s.borrow_mut();
			let queued = s.queued.clone();
			s.validators = queued;
			s.index = starting;
		});
		<Staking as pallet_session::SessionManager<AccountId>>::start_session(starting);
		let next =
			<Staking as pallet_session::SessionManager<AccountId>>::new_session(starting + 1);
		let queued = keyed(next.unwrap_or_else(Self::validators));
		SESSION.with(|s| s.borrow_mut().queued = queued);
	}

	/// The current session index.
	pub fn current_index() -> SessionIndex {
		SESSION.with(|s| s.borrow().index)
	}

	/// The validators of the current session.
	pub fn validators() -> Vec<AccountId> {
		SESSION.with(|s| s.borrow().validators.clone())
	}

	/// The validators queued for the next session.
	pub fn queued() -> Vec<AccountId> {
		SESSION.with(|s| s.borrow().queued.clone())
	}

	/// pallet-session's `on_initialize` with a periodic rotation every [`PERIOD`] blocks.
	pub fn on_initialize(block: u64) {
		if block.is_multiple_of(PERIOD) {
			Self::rotate();
		}
	}

	fn reset() {
		SESSION.with(|s| *s.borrow_mut() = SessionState::new());
	}
}

// ------------------------------------------------------------------------ genesis

/// Builds the test externalities. The default genesis:
///
/// | stash | bonded | role |
/// |-------|--------|------|
/// | 11    | 1_000  | validator |
/// | 21    | 1_000  | validator |
/// | 31    | 500    | validator |
/// | 41    | 200    | validator (not elected with `ValidatorCount` 3) |
/// | 101   | 600    | nominator of 11 and 21 (300 each) |
///
/// Era 0 elects 11, 21 (backing 1_300 each) and 31 (500).
pub struct ExtBuilder {
	stakers: Vec<(AccountId, Balance, StakerStatus<AccountId>)>,
	validator_count: u32,
	minimum_validator_count: u32,
	slash_defer_duration: EraIndex,
	no_keys: Vec<AccountId>,
	balances: Vec<(AccountId, Balance)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		ExtBuilder {
			stakers: vec![
				(11, 1_000, StakerStatus::Validator),
				(21, 1_000, StakerStatus::Validator),
				(31, 500, StakerStatus::Validator),
				(41, 200, StakerStatus::Validator),
				(101, 600, StakerStatus::Nominator(vec![11, 21])),
			],
			validator_count: 3,
			minimum_validator_count: 2,
			slash_defer_duration: 2,
			no_keys: Vec::new(),
			balances: Vec::new(),
		}
	}
}

impl ExtBuilder {
	/// Replace the genesis stakers (validators must come before their nominators).
	pub fn stakers(mut self, stakers: Vec<(AccountId, Balance, StakerStatus<AccountId>)>) -> Self {
		self.stakers = stakers;
		self
	}

	/// Add a genesis staker after the default ones.
	pub fn add_staker(
		mut self,
		who: AccountId,
		bond: Balance,
		status: StakerStatus<AccountId>,
	) -> Self {
		self.stakers.push((who, bond, status));
		self
	}

	#[allow(dead_code)]
	pub fn validator_count(mut self, n: u32) -> Self {
		self.validator_count = n;
		self
	}

	#[allow(dead_code)]
	pub fn minimum_validator_count(mut self, n: u32) -> Self {
		self.minimum_validator_count = n;
		self
	}

	pub fn slash_defer_duration(mut self, eras: EraIndex) -> Self {
		self.slash_defer_duration = eras;
		self
	}

	/// `who` has no session keys from genesis on.
	pub fn no_session_keys(mut self, who: AccountId) -> Self {
		self.no_keys.push(who);
		self
	}

	/// Set `who`'s genesis balance (replacing the endowment if it is endowed).
	pub fn balance(mut self, who: AccountId, amount: Balance) -> Self {
		self.balances.push((who, amount));
		self
	}

	/// Reset every thread-local (parameters, clock, keys, session) to this builder's values.
	fn reset_thread_locals(&self) {
		YearlyInflation::reset();
		InflationDecay::reset();
		MinInflation::reset();
		InflationToTreasury::reset();
		MinValidatorBond::reset();
		MinNominatorBond::reset();
		MaxCommission::reset();
		SessionsPerEra::reset();
		BondingDuration::reset();
		HistoryDepth::reset();
		MinDelegation::reset();
		PROVIDERS.with(|p| p.borrow_mut().clear());
		OFFENCES_REPORTED.with(|r| r.borrow_mut().clear());
		PRUNED_SESSIONS.with(|p| p.borrow_mut().clear());
		MinimumValidatorCount::set(self.minimum_validator_count);
		SlashDeferDuration::set(self.slash_defer_duration);
		NOW_MS.with(|t| *t.borrow_mut() = INITIAL_MS);
		NO_KEYS.with(|k| *k.borrow_mut() = self.no_keys.iter().copied().collect());
		Session::reset();
	}

	pub fn build(self) -> sp_io::TestExternalities {
		self.reset_thread_locals();
		let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: Vec<(AccountId, Balance)> = (1..=ACCOUNTS)
			.filter(|a| !self.balances.iter().any(|(b, _)| b == a))
			.map(|a| (a, ENDOWMENT))
			.collect();
		balances.extend(self.balances.iter().copied());
		balances.push((TREASURY, ED));
		balances.push((REWARD_POT, ED));
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut t)
			.unwrap();
		pallet_staking::GenesisConfig::<Test> {
			stakers: self
				.stakers
				.into_iter()
				.map(|(stash, value, status)| (stash, stash, value, status))
				.collect(),
			validator_count: self.validator_count,
			invulnerables: vec![],
		}
		.assimilate_storage(&mut t)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(t);
		ext.execute_with(|| {
			// pallet-session's genesis build, at block 0 (its events are not recorded).
			Session::genesis();
			System::set_block_number(1);
		});
		ext
	}

	/// Run `test` in the built externalities and check the invariants afterwards.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			check_invariants();
			test();
			check_invariants();
		})
	}
}

/// The default externalities (see [`ExtBuilder`]), at block 1 of era 0.
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// Run `test` in the default externalities and check the invariants afterwards.
pub fn build_and_execute(test: impl FnOnce()) {
	ExtBuilder::default().build_and_execute(test)
}

/// `Staking::do_try_state()` holds, and no endowed account without a ledger holds anything for
/// staking.
pub fn check_invariants() {
	Staking::do_try_state().expect("try_state invariants hold");
	for who in (1..=ACCOUNTS).chain([TREASURY, REWARD_POT]) {
		if !crate::Ledger::<Test>::contains_key(who) {
			assert_eq!(
				Balances::balance_on_hold(&HoldReason::Staking.into(), &who),
				0,
				"{who} holds for staking without a ledger"
			);
		}
	}
}

// ------------------------------------------------------------------------ chain progress

/// Produce blocks up to `n`: finalize the current block (the pallet stamps the start of a new
/// active era there), then for each next block advance the clock by [`BLOCK_TIME`], rotate the
/// session when due and run the pallet's `on_initialize`. Returns in block `n`, before its
/// `on_finalize`.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let now = System::block_number();
		<Staking as OnFinalize<u64>>::on_finalize(now);
		let next = now + 1;
		System::set_block_number(next);
		advance_time(BLOCK_TIME);
		Session::on_initialize(next);
		<Staking as OnInitialize<u64>>::on_initialize(next);
	}
}

/// Run to the block that starts the next session.
pub fn advance_session() {
	let next = (System::block_number() / PERIOD + 1) * PERIOD;
	let index = Session::current_index();
	run_to_block(next);
	assert_eq!(Session::current_index(), index + 1, "the session rotated");
}

/// Advance `n` sessions.
pub fn advance_sessions(n: u32) {
	for _ in 0..n {
		advance_session();
	}
}

/// Advance sessions until the active era changes; returns the new active era. Panics if it
/// does not change within four eras' worth of sessions (an election that keeps failing).
pub fn advance_era() -> EraIndex {
	let era = active_era();
	for _ in 0..4 * SessionsPerEra::get() {
		advance_session();
		if active_era() != era {
			return active_era();
		}
	}
	panic!("the active era did not advance from {era}");
}

/// Advance `n` eras.
pub fn advance_eras(n: u32) {
	for _ in 0..n {
		advance_era();
	}
}

/// The active era's index.
pub fn active_era() -> EraIndex {
	crate::ActiveEra::<Test>::get().expect("an era is active after genesis").index
}

/// The latest planned era.
pub fn current_era() -> EraIndex {
	crate::CurrentEra::<Test>::get().expect("an era is planned after genesis")
}

/// The validators of the current session, sorted.
pub fn active_validators() -> Vec<AccountId> {
	let mut v = Session::validators();
	v.sort_unstable();
	v
}

/// The validators queued for the next session, sorted.
pub fn queued_validators() -> Vec<AccountId> {
	let mut v = Session::queued();
	v.sort_unstable();
	v
}

/// The validators elected for `era` (as stored), sorted.
pub fn elected(era: EraIndex) -> Vec<AccountId> {
	let mut v: Vec<AccountId> =
		crate::ErasElected::<Test>::get(era).map(|e| e.into_inner()).unwrap_or_default();
	v.sort_unstable();
	v
}

/// `author` authored a block: [`POINTS_PER_BLOCK`] era points, as the runtime's authorship
/// handler gives.
pub fn reward_block(author: AccountId) {
	Staking::reward_by_ids([(author, POINTS_PER_BLOCK)]);
}

/// The pallet's account, which holds era rewards until claimed.
pub fn pallet_account() -> AccountId {
	StakingPalletId::get().into_account_truncating()
}

// ------------------------------------------------------------------------ offences

/// Report `offenders` (validator, fraction) for an offence in `session`.
pub fn on_offence_in_session(offenders: &[(AccountId, Perbill)], session: SessionIndex) -> Weight {
	let details: Vec<OffenceDetails<AccountId, (AccountId, ())>> = offenders
		.iter()
		.map(|(who, _)| OffenceDetails { offender: (*who, ()), reporters: vec![] })
		.collect();
	let fractions: Vec<Perbill> = offenders.iter().map(|(_, f)| *f).collect();
	<Staking as OnOffenceHandler<AccountId, (AccountId, ()), Weight>>::on_offence(
		&details, &fractions, session,
	)
}

/// Report `offenders` for an offence in the current session.
pub fn on_offence_now(offenders: &[(AccountId, Perbill)]) -> Weight {
	on_offence_in_session(offenders, Session::current_index())
}

/// Report `offenders` for an offence in the first session of `era`.
pub fn on_offence_in_era(offenders: &[(AccountId, Perbill)], era: EraIndex) -> Weight {
	let session = crate::ErasStartSessionIndex::<Test>::get(era).expect("the era was planned");
	on_offence_in_session(offenders, session)
}

// ------------------------------------------------------------------------ events

/// The events the pallet deposited, oldest first.
pub fn events() -> Vec<pallet_staking::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Staking(e) => Some(e),
			_ => None,
		})
		.collect()
}
