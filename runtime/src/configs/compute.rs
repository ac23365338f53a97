//! `pallet_compute`: GPU compute leases.
//!
//! Fee rate and split, minimum stake, collateral per slot and bond, periods and slash rates are
//! governed parameters (`configs/parameters.rs`, changed by a `ComputeAdmin` referendum); limits
//! are fixed here, and the storage deposits are derived from the records' worst-case encoded
//! size (`MaxEncodedLen`), so a record that grows raises its deposit.
//!
//! Protocol fees go 40 % to the treasury account, 40 % to the staking reward pot and 20 % are
//! burnt; what slashes take beyond the winners' share goes to the treasury. Both accounts are
//! endowed with the existential deposit at genesis so that small credits are never dropped.

use codec::MaxEncodedLen;
use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64},
	Blake2_128Concat, PalletId, StorageHasher, Twox64Concat,
};
use pallet_compute::JobId;
use sp_runtime::traits::{AccountIdConversion, BlakeTwo256, Hash};

use crate::{
	configs::parameters::dynamic_params::compute as params, deposit, AccountId, Balance, Balances,
	BlockNumber, Runtime, RuntimeEvent, RuntimeHoldReason, System,
};

/// The treasury's account: pallet-treasury's (`configs/governance.rs` uses the same id).
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

/// The bytes a provider's registration stores at worst: its `Providers` entry (the account
/// behind a Blake2-128 hash, and the largest `Provider` record) and its `ProviderIndex` entry
/// (a `u32` behind a Twox64 hash, and the account). 456 bytes with this runtime's bounds.
pub fn provider_record_bytes() -> u32 {
	let providers = Blake2_128Concat::max_len::<AccountId>()
		.saturating_add(pallet_compute::Provider::<Runtime>::max_encoded_len());
	let index = Twox64Concat::max_len::<u32>().saturating_add(AccountId::max_encoded_len());
	crate::storage_bytes(providers.saturating_add(index))
}

/// The bytes a job stores at worst: its `Jobs` entry (the id behind a Twox64 hash, and the
/// largest `Job` record: 1 024 bytes of params, 16 inputs, 16 datasets, 5 slots) and its id in
/// one `Timeouts` queue. 2 305 bytes with this runtime's bounds.
pub fn job_record_bytes() -> u32 {
	let jobs = Twox64Concat::max_len::<JobId>()
		.saturating_add(pallet_compute::Job::<Runtime>::max_encoded_len());
	crate::storage_bytes(jobs.saturating_add(JobId::max_encoded_len()))
}

parameter_types! {
	pub TreasuryAccount: AccountId = treasury_account();
	pub StakingPotAccount: AccountId = staking_pot_account();

	/// A provider record and its index entry: two items, sized from their `MaxEncodedLen`
	/// ([`provider_record_bytes`]): 0.656 AIR.
	pub ProviderDeposit: Balance = deposit(2, provider_record_bytes());
	/// A job record and its timeout-queue entry: two items, sized from their `MaxEncodedLen`
	/// ([`job_record_bytes`]): 2.505 AIR.
	pub JobDeposit: Balance = deposit(2, job_record_bytes());
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
	type ProtocolFee = params::ProtocolFee;
	type FeeToTreasury = params::FeeToTreasury;
	type FeeToStakers = params::FeeToStakers;
	type MinProviderStake = params::MinProviderStake;
	type CollateralPerSlot = params::CollateralPerSlot;
	type ProviderDeposit = ProviderDeposit;
	type JobDeposit = JobDeposit;
	type MinChallengeBond = params::MinChallengeBond;
	type UnbondingPeriod = params::UnbondingPeriod;
	type MinDeadline = params::MinDeadline;
	type MaxDeadline = params::MaxDeadline;
	type RevealPeriod = params::RevealPeriod;
	type ChallengePeriod = params::ChallengePeriod;
	type VoteCommitPeriod = params::VoteCommitPeriod;
	type VoteRevealPeriod = params::VoteRevealPeriod;
	// A dispute requested in block n is drawn by the `on_initialize` of block n + 3, seeded by the
	// hash of block n + 2: neither the challenger nor the author of block n (or n + 1) knows it
	// when the request is made, and the author of n + 2 is a different slot's.
	type VerifierDrawDelay = ConstU32<2>;
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
	type SlashOnTimeout = params::SlashOnTimeout;
	type SlashOnFailure = params::SlashOnFailure;
	type SlashOnFraud = params::SlashOnFraud;
	type SlashRewardShare = params::SlashRewardShare;
	type ReputationDecay = params::ReputationDecay;
	type Datasets = crate::DataMarket;
	// Provider pools (pallet-staking): delegated stake counts toward a provider's collateral,
	// shares its income and its slashes.
	type Pools = crate::Staking;
	type WeightInfo = pallet_compute::weights::SubstrateWeight<Runtime>;
}
