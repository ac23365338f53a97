//! A test runtime: System, Balances and the credits pallet, with small limits so every bound is
//! reachable. Vouchers carry `TestSignature`s (signer id + the signed bytes).

#![allow(clippy::arithmetic_side_effects, clippy::expect_used, clippy::unwrap_used)]

use crate::{self as pallet_credits, types::*, ChannelId, HoldReason};
use airtime_primitives::credits::{SignedVoucher, Voucher};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{InspectFreeze, InspectHold},
		tokens::imbalance::ResolveTo,
		ConstU32, ConstU64,
	},
};
use frame_system::EnsureRoot;
use sp_core::H256;
use sp_runtime::{testing::TestSignature, BuildStorage, Perbill};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Credits: pallet_credits,
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
pub const TREASURY: AccountId = 9_000;
/// Accounts 1..=ACCOUNTS are endowed.
pub const ACCOUNTS: AccountId = 20;
pub const ENDOWMENT: Balance = 1_000_000;

pub const PROTOCOL_FEE_PERCENT: u32 = 10;
pub const SERVICE_DEPOSIT: Balance = 50;
pub const RECORD_DEPOSIT: Balance = 5;
pub const MIN_CHANNEL_DURATION: u64 = 10;
pub const MAX_CHANNEL_DURATION: u64 = 1_000;
pub const TIER_COOLDOWN: u64 = 20;
pub const MAX_TIERS: u32 = 3;
pub const MAX_PAGE_SIZE: u32 = 4;
/// The genesis tiers: Basic, Pro, Enterprise.
pub const TIER_THRESHOLDS: [Balance; 3] = [100, 1_000, 10_000];

parameter_types! {
	pub const ProtocolFee: Perbill = Perbill::from_percent(PROTOCOL_FEE_PERCENT);
}

pub struct TreasuryId;
impl frame_support::traits::TypedGet for TreasuryId {
	type Type = AccountId;
	fn get() -> AccountId {
		TREASURY
	}
}

impl pallet_credits::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type Signature = TestSignature;
	type TierOrigin = EnsureRoot<AccountId>;
	type OnFee = ResolveTo<TreasuryId, Balances>;
	type ProtocolFee = ProtocolFee;
	type ServiceDeposit = ConstU128<SERVICE_DEPOSIT>;
	type RecordDeposit = ConstU128<RECORD_DEPOSIT>;
	type MinChannelDuration = ConstU64<MIN_CHANNEL_DURATION>;
	type MaxChannelDuration = ConstU64<MAX_CHANNEL_DURATION>;
	type TierCooldown = ConstU64<TIER_COOLDOWN>;
	type MaxTiers = ConstU32<MAX_TIERS>;
	type MaxPageSize = ConstU32<MAX_PAGE_SIZE>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestSigner;
}

/// Signs benchmark vouchers with a `TestSignature` of account 77, the mock's only scheme (it
/// recovers no key), whether `recovering` or not.
#[cfg(feature = "runtime-benchmarks")]
pub struct TestSigner;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, TestSignature> for TestSigner {
	fn sign(_recovering: bool, payload: &[u8]) -> (AccountId, TestSignature) {
		(77, TestSignature(77, payload.to_vec()))
	}
}

/// Externalities with accounts 1..=ACCOUNTS endowed, the treasury alive, the genesis tiers set
/// and the chain at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=ACCOUNTS).map(|a| (a, ENDOWMENT)).collect();
	balances.push((TREASURY, ED));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut t)
		.unwrap();
	pallet_credits::GenesisConfig::<Test> {
		tiers: ["Basic", "Pro", "Enterprise"]
			.iter()
			.zip(TIER_THRESHOLDS)
			.map(|(name, threshold)| (name.as_bytes().to_vec(), threshold))
			.collect(),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Check the pallet's invariants, and that accounts without records hold and freeze nothing
/// for this pallet.
pub fn check_invariants() {
	Credits::do_try_state().expect("try_state invariants hold");
	let expected = Credits::expected_holds();
	for who in 1..=ACCOUNTS {
		if !expected.contains_key(&who) {
			for reason in [HoldReason::ChannelFunds, HoldReason::StorageDeposit] {
				assert_eq!(Balances::balance_on_hold(&reason.into(), &who), 0, "{who} {reason:?}");
			}
		}
		if !crate::TierLocks::<Test>::contains_key(who) {
			assert_eq!(
				Balances::balance_frozen(&crate::FreezeReason::TierLock.into(), &who),
				0,
				"{who} has a tier freeze without a record"
			);
		}
	}
}

/// Run `test` in fresh externalities and check the invariants afterwards.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		check_invariants();
	})
}

/// Move to block `n`.
pub fn run_to(n: u64) {
	System::set_block_number(n);
}

/// The mock chain's genesis hash (frame-system's `BlockHash` of block 0).
pub fn genesis() -> H256 {
	Credits::genesis_hash()
}

/// A voucher for `channel` signed by `signer`, with the channel's real nonce.
pub fn voucher(signer: AccountId, channel: ChannelId, total: Balance) -> SignedVoucherOf<Test> {
	let nonce = crate::Channels::<Test>::get(channel).map(|c| c.nonce).unwrap_or_default();
	voucher_with(signer, Voucher { genesis: genesis(), channel, channel_nonce: nonce, total })
}

/// `voucher` signed by `signer`.
pub fn voucher_with(signer: AccountId, voucher: Voucher<Balance>) -> SignedVoucherOf<Test> {
	SignedVoucher { voucher, signature: TestSignature(signer, voucher.signing_payload()) }
}

/// The events the pallet deposited, oldest first.
pub fn credit_events() -> Vec<pallet_credits::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Credits(e) => Some(e),
			_ => None,
		})
		.collect()
}
