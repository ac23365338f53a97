//! `pallet_data_market`: dataset listings, sealed-key purchases, compute royalties, curation and
//! provenance.
//!
//! Fee, curator reward, stakes, bonds and periods are governed parameters
//! (`configs/parameters.rs`, changed by a `MarketAdmin` referendum); limits and storage deposits
//! are fixed here. Disputed purchases and contested claims are decided by Root or a
//! `MarketAdmin` referendum. Protocol fees go `FeeToCurators` to the curator reward pot and the
//! rest through `configs::staking::ProtocolFeeSplit` (the staking share to the staking pot, the
//! remainder to the treasury); slashes beyond the winner's share go to the treasury. The pot is endowed
//! with the existential deposit at genesis so that small credits are never dropped. Each credit to
//! the pot is attributed to the dataset whose sale or use paid it (`CurationFunds`), and a curator
//! reward is capped by its dataset's fund: self-curation through a second account earns nothing
//! from a dataset nobody bought, and at most what third parties' purchases paid into the fund.

use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, EitherOf},
	PalletId,
};
use frame_system::EnsureRoot;
use pallet_governance::MarketAdmin;
use sp_runtime::traits::AccountIdConversion;

use crate::{
	configs::{compute::TreasuryAccount, parameters::dynamic_params::market as params},
	deposit, AccountId, Balance, Balances, Runtime, RuntimeEvent, RuntimeHoldReason,
	DEPOSIT_PER_BYTE,
};

/// The curator reward pot.
pub const DATA_MARKET_PALLET_ID: PalletId = PalletId(*b"air/data");

/// The curator reward pot's account id.
pub fn curator_pot_account() -> AccountId {
	DATA_MARKET_PALLET_ID.into_account_truncating()
}

parameter_types! {
	pub const DataMarketPalletId: PalletId = DATA_MARKET_PALLET_ID;
	/// A dataset record and its seller record: two items, plus its bytes (`DepositPerByte`).
	pub const DatasetDepositBase: Balance = deposit(2, 0);
	pub const DatasetDepositPerByte: Balance = DEPOSIT_PER_BYTE;
	/// A purchase (with its sealed key) and the access record it leaves: two items, 400 bytes.
	pub const AccessDeposit: Balance = deposit(2, 400);
	/// A delivery key: one item, 80 bytes.
	pub const KeyDeposit: Balance = deposit(1, 80);
	/// A job's dataset-use record: one item, up to 16 charges of 88 bytes.
	pub const UseDeposit: Balance = deposit(1, 16 * 88);
}

impl pallet_data_market::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DisputeOrigin = EitherOf<EnsureRoot<AccountId>, MarketAdmin>;
	type OnFee = crate::configs::staking::ProtocolFeeSplit;
	type OnSlash = ResolveTo<TreasuryAccount, Balances>;
	type PalletId = DataMarketPalletId;
	type ProtocolFee = params::ProtocolFee;
	type FeeToCurators = params::FeeToCurators;
	type CuratorReward = params::CuratorReward;
	type MinClaimStake = params::MinClaimStake;
	type MinDisputeBond = params::MinDisputeBond;
	type SlashRewardShare = params::SlashRewardShare;
	type DepositBase = DatasetDepositBase;
	type DepositPerByte = DatasetDepositPerByte;
	type AccessDeposit = AccessDeposit;
	type KeyDeposit = KeyDeposit;
	type UseDeposit = UseDeposit;
	type DeliveryPeriod = params::DeliveryPeriod;
	type DisputePeriod = params::DisputePeriod;
	type ClaimPeriod = params::ClaimPeriod;
	// A derived dataset's parents are its job's datasets: at least pallet-compute's `MaxInputs`.
	type MaxParents = ConstU32<16>;
	type MaxSealedKeyLen = ConstU32<128>;
	type MaxDatasetsPerJob = ConstU32<16>;
	type MaxLineageNodes = ConstU32<256>;
	type MaxSearchScan = ConstU32<1_000>;
	type WeightInfo = pallet_data_market::weights::SubstrateWeight<Runtime>;
}
