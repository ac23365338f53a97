//! A test runtime: System, Balances and the data market, with small limits so every bound is
//! reachable.

#![allow(clippy::arithmetic_side_effects, clippy::expect_used, clippy::unwrap_used)]

use crate::{self as pallet_data_market, types::*, ClaimKind, DatasetId, License, PurchaseId};
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{fungible::InspectHold, tokens::imbalance::ResolveTo, ConstU32, ConstU64},
	BoundedVec, PalletId,
};
use frame_system::EnsureRoot;
use sp_core::H256;
use sp_runtime::{traits::AccountIdConversion, BuildStorage, DispatchResult, Perbill};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		DataMarket: pallet_data_market,
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

pub const ED: Balance = 1;
pub const TREASURY: AccountId = 9_000;
/// Accounts 1..=ACCOUNTS are endowed.
pub const ACCOUNTS: AccountId = 20;
pub const ENDOWMENT: Balance = 1_000_000;

pub const PROTOCOL_FEE_PERCENT: u32 = 10;
pub const FEE_TO_CURATORS_PERCENT: u32 = 50;
pub const CURATOR_REWARD: Balance = 20;
pub const MIN_CLAIM_STAKE: Balance = 100;
pub const MIN_DISPUTE_BOND: Balance = 50;
pub const DEPOSIT_BASE: Balance = 10;
pub const DEPOSIT_PER_BYTE: Balance = 1;
pub const ACCESS_DEPOSIT: Balance = 7;
pub const KEY_DEPOSIT: Balance = 3;
pub const USE_DEPOSIT: Balance = 4;
pub const DELIVERY_PERIOD: u64 = 10;
pub const DISPUTE_PERIOD: u64 = 5;
pub const CLAIM_PERIOD: u64 = 8;
pub const MAX_PARENTS: u32 = 4;
pub const MAX_SEALED_KEY_LEN: u32 = 128;
pub const MAX_DATASETS_PER_JOB: u32 = 4;
pub const MAX_LINEAGE_NODES: u32 = 8;
pub const MAX_SEARCH_SCAN: u32 = 16;

parameter_types! {
	pub const ProtocolFee: Perbill = Perbill::from_percent(PROTOCOL_FEE_PERCENT);
	pub const FeeToCurators: Perbill = Perbill::from_percent(FEE_TO_CURATORS_PERCENT);
	pub const SlashRewardShare: Perbill = Perbill::from_percent(50);
	pub const MarketPalletId: PalletId = PalletId(*b"air/data");
}

pub struct TreasuryId;
impl frame_support::traits::TypedGet for TreasuryId {
	type Type = AccountId;
	fn get() -> AccountId {
		TREASURY
	}
}

impl pallet_data_market::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DisputeOrigin = EnsureRoot<AccountId>;
	type OnFee = ResolveTo<TreasuryId, Balances>;
	type OnSlash = ResolveTo<TreasuryId, Balances>;
	type PalletId = MarketPalletId;
	type ProtocolFee = ProtocolFee;
	type FeeToCurators = FeeToCurators;
	type CuratorReward = ConstU128<CURATOR_REWARD>;
	type MinClaimStake = ConstU128<MIN_CLAIM_STAKE>;
	type MinDisputeBond = ConstU128<MIN_DISPUTE_BOND>;
	type SlashRewardShare = SlashRewardShare;
	type DepositBase = ConstU128<DEPOSIT_BASE>;
	type DepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
	type AccessDeposit = ConstU128<ACCESS_DEPOSIT>;
	type KeyDeposit = ConstU128<KEY_DEPOSIT>;
	type UseDeposit = ConstU128<USE_DEPOSIT>;
	type DeliveryPeriod = ConstU64<DELIVERY_PERIOD>;
	type DisputePeriod = ConstU64<DISPUTE_PERIOD>;
	type ClaimPeriod = ConstU64<CLAIM_PERIOD>;
	type MaxParents = ConstU32<MAX_PARENTS>;
	type MaxSealedKeyLen = ConstU32<MAX_SEALED_KEY_LEN>;
	type MaxDatasetsPerJob = ConstU32<MAX_DATASETS_PER_JOB>;
	type MaxLineageNodes = ConstU32<MAX_LINEAGE_NODES>;
	type MaxSearchScan = ConstU32<MAX_SEARCH_SCAN>;
	type WeightInfo = ();
}

/// The curator reward pot's account.
pub fn pot() -> AccountId {
	MarketPalletId::get().into_account_truncating()
}

/// Externalities with accounts 1..=ACCOUNTS endowed, the treasury and the pot alive.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=ACCOUNTS).map(|a| (a, ENDOWMENT)).collect();
	balances.push((TREASURY, ED));
	balances.push((pot(), ED));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut t)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Check the pallet's invariants, and that accounts without records hold nothing for this
/// pallet.
pub fn check_invariants() {
	DataMarket::do_try_state().expect("try_state invariants hold");
	let expected = DataMarket::expected_holds();
	for who in 1..=ACCOUNTS {
		if !expected.contains_key(&who) {
			for reason in all_reasons() {
				assert_eq!(Balances::balance_on_hold(&reason.into(), &who), 0, "{who} {reason:?}");
			}
		}
	}
}

/// Every hold reason of the pallet.
pub fn all_reasons() -> [crate::HoldReason; 5] {
	use crate::HoldReason::*;
	[PurchaseEscrow, DisputeBond, ClaimStake, UseEscrow, StorageDeposit]
}

/// Run `test` in fresh externalities, then check the invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		check_invariants();
	})
}

/// Advance to block `n`.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		System::set_block_number(System::block_number() + 1);
	}
}

/// The pallet's events so far, oldest first.
pub fn market_events() -> Vec<pallet_data_market::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::DataMarket(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// What `who` holds for `reason`.
pub fn held(reason: crate::HoldReason, who: AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), &who)
}

/// Free balance of `who`.
pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

/// The listing of a valid 1_000-byte, 4-chunk MIT dataset priced `price` with `royalty`.
pub fn listing(price: Balance, royalty: Balance) -> Listing<Test> {
	Listing {
		root_hash: H256::repeat_byte(0xab),
		size: 1_000,
		chunk_count: 4,
		license: License::Mit,
		license_uri: None,
		price,
		royalty,
		metadata_hash: H256::repeat_byte(0xcd),
	}
}

/// `who` calls `list_dataset` with the fields of `l` and `parents`.
pub fn try_list(who: AccountId, l: Listing<Test>, parents: &[DatasetId]) -> DispatchResult {
	DataMarket::list_dataset(
		RuntimeOrigin::signed(who),
		l.root_hash,
		l.size,
		l.chunk_count,
		l.license,
		l.license_uri,
		l.price,
		l.royalty,
		l.metadata_hash,
		BoundedVec::truncate_from(parents.to_vec()),
	)
}

/// `who` calls `register_derived` for `job` with the fields of `l`.
pub fn try_register(who: AccountId, job: crate::JobId, l: Listing<Test>) -> DispatchResult {
	DataMarket::register_derived(
		RuntimeOrigin::signed(who),
		job,
		l.root_hash,
		l.size,
		l.chunk_count,
		l.license,
		l.license_uri,
		l.price,
		l.royalty,
		l.metadata_hash,
	)
}

/// List a dataset from `who` with `parents`; return its id.
pub fn list_with(who: AccountId, l: Listing<Test>, parents: &[DatasetId]) -> DatasetId {
	let id = crate::NextDatasetId::<Test>::get();
	assert_ok!(try_list(who, l, parents));
	id
}

/// List a 1_000-priced dataset with royalty 100 from `who`.
pub fn list(who: AccountId) -> DatasetId {
	list_with(who, listing(1_000, 100), &[])
}

/// Give `who` a delivery key.
pub fn set_key(who: AccountId) {
	assert_ok!(DataMarket::set_delivery_key(RuntimeOrigin::signed(who), [who as u8; 32]));
}

/// `buyer` (with a key) buys `dataset`; return the purchase id.
pub fn buy(buyer: AccountId, dataset: DatasetId) -> PurchaseId {
	if crate::DeliveryKeys::<Test>::get(buyer).is_none() {
		set_key(buyer);
	}
	let id = crate::NextPurchaseId::<Test>::get();
	assert_ok!(DataMarket::buy_access(RuntimeOrigin::signed(buyer), dataset, u128::MAX));
	id
}

/// A sealed key of the documented length.
pub fn sealed() -> Vec<u8> {
	vec![7u8; airtime_primitives::data::SEALED_KEY_LEN]
}

/// [`sealed`] as the bounded type `deliver_key` takes.
pub fn sealed_key() -> SealedKeyOf<Test> {
	BoundedVec::truncate_from(sealed())
}

/// `seller` delivers `purchase`.
pub fn deliver(seller: AccountId, purchase: PurchaseId) {
	assert_ok!(DataMarket::deliver_key(RuntimeOrigin::signed(seller), purchase, sealed_key()));
}

/// `curator` claims `kind` of `dataset` with the minimum stake.
pub fn claim(curator: AccountId, dataset: DatasetId, kind: ClaimKind) {
	assert_ok!(DataMarket::submit_claim(
		RuntimeOrigin::signed(curator),
		dataset,
		kind,
		MIN_CLAIM_STAKE
	));
}
