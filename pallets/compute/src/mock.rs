//! A test runtime: System, Balances and Compute, with small limits so every bound is reachable,
//! and [`TestPools`], provider pools the tests steer through thread-locals.

#![allow(clippy::arithmetic_side_effects, clippy::expect_used, clippy::unwrap_used)]

use crate::{self as pallet_compute, types::*, ExecutorKind, ProviderPools};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::Mutate,
		tokens::{imbalance::ResolveTo, Preservation},
		ConstU32, ConstU64, Hooks, Randomness,
	},
	BoundedVec,
};
use sp_core::H256;
use sp_runtime::{BuildStorage, Perbill, Permill, Weight};
use std::collections::BTreeMap;

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Compute: pallet_compute,
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
}

pub struct ConstU128<const N: u128>;
impl<const N: u128> frame_support::traits::Get<u128> for ConstU128<N> {
	fn get() -> u128 {
		N
	}
}
impl<const N: u128> frame_support::traits::TypedGet for ConstU128<N> {
	type Type = u128;
	fn get() -> u128 {
		N
	}
}

/// Deterministic randomness: the hash of the subject and the block number.
pub struct TestRandomness;
impl Randomness<H256, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let n = System::block_number();
		(
			H256(sp_io::hashing::blake2_256(
				&(subject, n, SEED.with(|s| *s.borrow())).encode_pair(),
			)),
			n,
		)
	}
}

trait EncodePair {
	fn encode_pair(&self) -> alloc::vec::Vec<u8>;
}
impl<A: codec::Encode, B: codec::Encode, C: codec::Encode> EncodePair for (A, B, C) {
	fn encode_pair(&self) -> alloc::vec::Vec<u8> {
		codec::Encode::encode(self)
	}
}
extern crate alloc;

std::thread_local! {
	/// Extra entropy for the property tests.
	pub static SEED: core::cell::RefCell<u64> = const { core::cell::RefCell::new(0) };
}

pub const ED: Balance = 1;
pub const TREASURY: AccountId = 9_000;
pub const STAKERS: AccountId = 9_001;
/// Where [`TestPools`] puts the pools' share of the providers' pay (not endowed).
pub const POOL: AccountId = 9_002;
/// Accounts 1..=ACCOUNTS are endowed.
pub const ACCOUNTS: AccountId = 20;
pub const ENDOWMENT: Balance = 1_000_000;

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub const StakersPot: AccountId = STAKERS;
	pub const ProtocolFee: Perbill = Perbill::from_percent(10);
	pub const FeeToTreasury: Perbill = Perbill::from_percent(30);
	pub const FeeToStakers: Perbill = Perbill::from_percent(50);
	pub const SlashOnTimeout: Perbill = Perbill::from_percent(10);
	pub const SlashOnFailure: Perbill = Perbill::from_percent(1);
	pub const SlashOnFraud: Perbill = Perbill::from_percent(50);
	pub const SlashRewardShare: Perbill = Perbill::from_percent(50);
	pub const ReputationDecay: Perbill = Perbill::from_percent(98);
}

parameter_types! {
	/// The smallest stake (`MinProviderStake`, 1_000) covers `MaxJobsPerProvider` (4) slots, so
	/// only tests that raise it (or lower a stake) meet the collateral limit.
	pub static CollateralPerSlot: Balance = 250;
}

std::thread_local! {
	/// Pooled stake per provider, as [`TestPools::pooled_stake`] reports it.
	pub static POOLED: core::cell::RefCell<BTreeMap<AccountId, Balance>> =
		const { core::cell::RefCell::new(BTreeMap::new()) };
	/// The part of each provider payment [`TestPools`] takes.
	pub static POOL_SHARE: core::cell::RefCell<Perbill> =
		const { core::cell::RefCell::new(Perbill::zero()) };
	/// `(provider, amount, taken)` for each [`TestPools::on_provider_paid`], oldest first.
	pub static POOL_PAID: core::cell::RefCell<Vec<(AccountId, Balance, Balance)>> =
		const { core::cell::RefCell::new(Vec::new()) };
	/// `(provider, fraction)` for each [`TestPools::on_provider_slashed`], oldest first.
	pub static POOL_SLASHED: core::cell::RefCell<Vec<(AccountId, Perbill)>> =
		const { core::cell::RefCell::new(Vec::new()) };
}

/// Set the stake pooled behind `provider`.
pub fn set_pooled(provider: AccountId, stake: Balance) {
	POOLED.with(|p| {
		p.borrow_mut().insert(provider, stake);
	});
}

/// Set the part of each provider payment the pools take.
pub fn set_pool_share(share: Perbill) {
	POOL_SHARE.with(|s| *s.borrow_mut() = share);
}

/// The `(provider, amount, taken)` of each payment the pools were told of.
pub fn pool_paid() -> Vec<(AccountId, Balance, Balance)> {
	POOL_PAID.with(|p| p.borrow().clone())
}

/// The `(provider, fraction)` of each slash the pools were told of.
pub fn pool_slashed() -> Vec<(AccountId, Perbill)> {
	POOL_SLASHED.with(|p| p.borrow().clone())
}

/// Provider pools for the tests: pooled stakes set by [`set_pooled`]; each payment gives
/// [`POOL_SHARE`] of it to [`POOL`] (a transfer from the provider's free balance); calls are
/// recorded in [`POOL_PAID`] and [`POOL_SLASHED`].
pub struct TestPools;
impl ProviderPools<AccountId, Balance> for TestPools {
	fn pooled_stake(provider: &AccountId) -> Balance {
		POOLED.with(|p| p.borrow().get(provider).copied().unwrap_or_default())
	}

	fn on_provider_paid(provider: &AccountId, amount: Balance) -> Balance {
		let share = POOL_SHARE.with(|s| *s.borrow()).mul_floor(amount);
		let taken = if share == 0 {
			0
		} else {
			<Balances as Mutate<AccountId>>::transfer(
				provider,
				&POOL,
				share,
				Preservation::Preserve,
			)
			.expect("the provider was just paid at least the share")
		};
		POOL_PAID.with(|p| p.borrow_mut().push((*provider, amount, taken)));
		taken
	}

	fn on_provider_slashed(provider: &AccountId, fraction: Perbill) {
		POOL_SLASHED.with(|p| p.borrow_mut().push((*provider, fraction)));
	}

	fn paid_weight() -> Weight {
		POOL_PAID_WEIGHT
	}

	fn slashed_weight() -> Weight {
		POOL_SLASHED_WEIGHT
	}
}

/// What [`TestPools`] declares a payment to cost.
pub const POOL_PAID_WEIGHT: Weight = Weight::from_parts(7_000_000, 1_000);
/// What [`TestPools`] declares a slash to cost (more than a payment in time, less in proof).
pub const POOL_SLASHED_WEIGHT: Weight = Weight::from_parts(11_000_000, 500);

pub struct TreasuryId;
impl frame_support::traits::TypedGet for TreasuryId {
	type Type = AccountId;
	fn get() -> AccountId {
		TREASURY
	}
}
pub struct StakersId;
impl frame_support::traits::TypedGet for StakersId {
	type Type = AccountId;
	fn get() -> AccountId {
		STAKERS
	}
}

impl pallet_compute::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Randomness = TestRandomness;
	type OnProtocolFeeTreasury = ResolveTo<TreasuryId, Balances>;
	type OnProtocolFeeStakers = ResolveTo<StakersId, Balances>;
	type OnSlash = ResolveTo<TreasuryId, Balances>;
	type ProtocolFee = ProtocolFee;
	type FeeToTreasury = FeeToTreasury;
	type FeeToStakers = FeeToStakers;
	type MinProviderStake = ConstU128<1_000>;
	type CollateralPerSlot = CollateralPerSlot;
	type ProviderDeposit = ConstU128<10>;
	type JobDeposit = ConstU128<5>;
	type MinChallengeBond = ConstU128<100>;
	type UnbondingPeriod = ConstU64<10>;
	type MinDeadline = ConstU64<2>;
	type MaxDeadline = ConstU64<100>;
	type RevealPeriod = ConstU64<3>;
	type ChallengePeriod = ConstU64<5>;
	type VoteCommitPeriod = ConstU64<3>;
	type VoteRevealPeriod = ConstU64<3>;
	type VerifierDrawDelay = ConstU64<1>;
	type MaxRedundancy = ConstU32<3>;
	type MaxJobsPerProvider = ConstU32<4>;
	type MaxProviders = ConstU32<16>;
	type MaxExpiriesPerBlock = ConstU32<4>;
	type MaxJobsPerTimeout = ConstU32<8>;
	type MaxInputs = ConstU32<4>;
	type MaxParamsLen = ConstU32<64>;
	type MaxOutputSize = ConstU64<{ 1 << 20 }>;
	type MaxModelLen = ConstU32<32>;
	type MaxExecutorKinds = ConstU32<4>;
	type VerifierQuorum = ConstU32<3>;
	type MaxVerifierDraws = ConstU32<16>;
	type SlashOnTimeout = SlashOnTimeout;
	type SlashOnFailure = SlashOnFailure;
	type SlashOnFraud = SlashOnFraud;
	type SlashRewardShare = SlashRewardShare;
	type ReputationDecay = ReputationDecay;
	type Datasets = ();
	type Pools = TestPools;
	type WeightInfo = ();
}

/// Externalities with accounts 1..=ACCOUNTS, the treasury and the stakers' pot endowed.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=ACCOUNTS).map(|a| (a, ENDOWMENT)).collect();
	balances.push((TREASURY, ED));
	balances.push((STAKERS, ED));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut t)
		.unwrap();
	// Tests may share a thread (the property tests do): start from the defaults.
	CollateralPerSlot::reset();
	POOLED.with(|p| p.borrow_mut().clear());
	set_pool_share(Perbill::zero());
	POOL_PAID.with(|p| p.borrow_mut().clear());
	POOL_SLASHED.with(|p| p.borrow_mut().clear());
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Check the pallet's invariants and that every endowed account holds exactly what the records
/// say.
pub fn check_invariants() {
	Compute::do_try_state().expect("try_state invariants hold");
	use frame_support::traits::fungible::InspectHold;
	for who in 1..=ACCOUNTS {
		let [stake, escrow, bond, deposit] = Compute::expected_holds(&who);
		let held = |r: crate::HoldReason| Balances::balance_on_hold(&r.into(), &who);
		assert_eq!(held(crate::HoldReason::ProviderStake), stake, "stake of {who}");
		assert_eq!(held(crate::HoldReason::JobEscrow), escrow, "escrow of {who}");
		assert_eq!(held(crate::HoldReason::ChallengeBond), bond, "bond of {who}");
		assert_eq!(held(crate::HoldReason::StorageDeposit), deposit, "deposit of {who}");
	}
}

/// Run `test` in fresh externalities, then check the invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		check_invariants();
	})
}

/// Advance to block `n`, running the hooks.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Compute::on_initialize(next);
	}
}

/// The pallet's events so far, oldest first.
pub fn compute_events() -> Vec<pallet_compute::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Compute(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// A capability record offering `kinds` up to `max_units` each.
pub fn caps(kinds: &[ExecutorKind], max_units: u64) -> Capabilities<Test> {
	Capabilities {
		gpu_model: BoundedVec::truncate_from(b"NVIDIA H100".to_vec()),
		vram_mib: 81_920,
		devices: 1,
		executors: BoundedVec::truncate_from(
			kinds.iter().map(|&kind| ExecutorCapability { kind, max_units }).collect(),
		),
	}
}

/// A price list with `price` for each of `kinds`.
pub fn prices(kinds: &[ExecutorKind], price: Balance) -> PricesOf<Test> {
	BoundedVec::truncate_from(
		kinds.iter().map(|&kind| ExecutorPrice { kind, price_per_unit: price }).collect(),
	)
}

/// Register `who` offering int8 GEMM up to 1_000 units at `price`, staking 1_000, and accepting
/// jobs from matchers.
pub fn register(who: AccountId, price: Balance) {
	frame_support::assert_ok!(Compute::register_provider(
		RuntimeOrigin::signed(who),
		caps(&[ExecutorKind::GemmInt8], 1_000),
		prices(&[ExecutorKind::GemmInt8], price),
		1_000,
	));
	frame_support::assert_ok!(Compute::set_matching(RuntimeOrigin::signed(who), Some(0)));
}

/// A job spec of `kind` allowing `max_units`.
pub fn spec(kind: ExecutorKind, max_units: u64) -> JobSpec<Test> {
	JobSpec {
		kind,
		inputs: BoundedVec::truncate_from(vec![H256::repeat_byte(1), H256::repeat_byte(2)]),
		datasets: BoundedVec::new(),
		params: BoundedVec::truncate_from(vec![0u8; 8]),
		max_units,
		output_size: 4_096,
		min_reputation: Permill::zero(),
	}
}

/// Submit an int8 GEMM job from `who` and return its id.
pub fn submit(who: AccountId, budget: Balance, deadline: u64, redundancy: u8) -> u64 {
	let id = pallet_compute::NextJobId::<Test>::get();
	frame_support::assert_ok!(Compute::submit_job(
		RuntimeOrigin::signed(who),
		spec(ExecutorKind::GemmInt8, 100),
		budget,
		deadline,
		redundancy,
	));
	id
}
