//! `pallet_compute`: GPU compute leases.
//!
//! Periods live in storage (`parameter_types!` with `storage`), so governance (and the dev
//! network's end-to-end tests, through sudo) can tune them with `system.set_storage` at the key
//! `twox_128(":Name:")` without a runtime upgrade; the values below are the defaults.
//!
//! Protocol fees go 40 % to the treasury account, 40 % to the staking reward pot and 20 % are
//! burnt; what slashes take beyond the winners' share goes to the treasury. Both accounts are
//! endowed with the existential deposit at genesis so that small credits are never dropped.

use airtime_primitives::{AIR, DAYS, HOURS, MINUTES};
use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64},
	PalletId,
};
use sp_runtime::{
	traits::{AccountIdConversion, BlakeTwo256, Hash},
	Perbill,
};

use crate::{
	deposit, AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeEvent, RuntimeHoldReason,
	System,
};

/// The treasury's account (pallet-treasury's conventional id, kept when it arrives).
pub const TREASURY_PALLET_ID: PalletId = PalletId(*b"py/trsry");
/// The pot from which stakers are rewarded.
pub const STAKING_POT_PALLET_ID: PalletId = PalletId(*b"air/stkr");

/// The treasury's account id.
pub fn treasury_account() -> AccountId {
	TREASURY_PALLET_ID.into_account_truncating()
}

/// The staking reward pot's account id.
pub fn staking_pot_account() -> AccountId {
	STAKING_POT_PALLET_ID.into_account_truncating()
}

parameter_types! {
	pub TreasuryAccount: AccountId = treasury_account();
	pub StakingPotAccount: AccountId = staking_pot_account();

	pub const ProtocolFee: Perbill = Perbill::from_percent(5);
	pub const FeeToTreasury: Perbill = Perbill::from_percent(40);
	pub const FeeToStakers: Perbill = Perbill::from_percent(40);

	pub const MinProviderStake: Balance = 100 * AIR;
	/// A provider record: one item, about 200 bytes.
	pub const ProviderDeposit: Balance = deposit(2, 200);
	/// A job record and its queue entry: two items, about 400 bytes.
	pub const JobDeposit: Balance = deposit(2, 400);
	pub const MinChallengeBond: Balance = 10 * AIR;

	pub storage UnbondingPeriod: BlockNumber = 7 * DAYS;
	pub storage MinDeadline: BlockNumber = 3;
	pub storage MaxDeadline: BlockNumber = 7 * DAYS;
	pub storage RevealPeriod: BlockNumber = 10 * MINUTES;
	pub storage ChallengePeriod: BlockNumber = HOURS;
	pub storage VoteCommitPeriod: BlockNumber = 30 * MINUTES;
	pub storage VoteRevealPeriod: BlockNumber = 30 * MINUTES;

	pub const SlashOnTimeout: Perbill = Perbill::from_percent(10);
	pub const SlashOnFailure: Perbill = Perbill::from_percent(1);
	pub const SlashOnFraud: Perbill = Perbill::from_percent(50);
	pub const SlashRewardShare: Perbill = Perbill::from_percent(50);
	pub const ReputationDecay: Perbill = Perbill::from_percent(98);
}

/// Verifier seed: the parent block hash mixed with the subject. See pallet-compute's crate docs
/// for how far an author or a challenger can steer it, and what replaces it in production.
pub struct ParentHashRandomness;
impl frame_support::traits::Randomness<crate::Hash, BlockNumber> for ParentHashRandomness {
	fn random(subject: &[u8]) -> (crate::Hash, BlockNumber) {
		let parent = System::parent_hash();
		let seed = <BlakeTwo256 as Hash>::hash(&[parent.as_ref(), subject].concat());
		(seed, System::block_number())
	}
}

impl pallet_compute::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Randomness = ParentHashRandomness;
	type OnProtocolFeeTreasury = ResolveTo<TreasuryAccount, Balances>;
	type OnProtocolFeeStakers = ResolveTo<StakingPotAccount, Balances>;
	type OnSlash = ResolveTo<TreasuryAccount, Balances>;
	type ProtocolFee = ProtocolFee;
	type FeeToTreasury = FeeToTreasury;
	type FeeToStakers = FeeToStakers;
	type MinProviderStake = MinProviderStake;
	type ProviderDeposit = ProviderDeposit;
	type JobDeposit = JobDeposit;
	type MinChallengeBond = MinChallengeBond;
	type UnbondingPeriod = UnbondingPeriod;
	type MinDeadline = MinDeadline;
	type MaxDeadline = MaxDeadline;
	type RevealPeriod = RevealPeriod;
	type ChallengePeriod = ChallengePeriod;
	type VoteCommitPeriod = VoteCommitPeriod;
	type VoteRevealPeriod = VoteRevealPeriod;
	type MaxRedundancy = ConstU32<5>;
	type MaxJobsPerProvider = ConstU32<64>;
	type MaxProviders = ConstU32<1_000>;
	type MaxExpiriesPerBlock = ConstU32<16>;
	type MaxJobsPerTimeout = ConstU32<64>;
	type MaxInputs = ConstU32<16>;
	type MaxParamsLen = ConstU32<1_024>;
	type MaxOutputSize = ConstU64<{ 4 * 1024 * 1024 * 1024 }>;
	type MaxModelLen = ConstU32<64>;
	type MaxExecutorKinds = ConstU32<8>;
	type VerifierQuorum = ConstU32<3>;
	type MaxVerifierDraws = ConstU32<24>;
	type SlashOnTimeout = SlashOnTimeout;
	type SlashOnFailure = SlashOnFailure;
	type SlashOnFraud = SlashOnFraud;
	type SlashRewardShare = SlashRewardShare;
	type ReputationDecay = ReputationDecay;
	type WeightInfo = pallet_compute::weights::SubstrateWeight<Runtime>;
}
