//! Governance: `pallet_scheduler`, `pallet_preimage`, `pallet_referenda`,
//! `pallet_conviction_voting`, the custom origins (`pallet_governance`) and `pallet_treasury`.
//!
//! OpenGov as Polkadot runs it, with Airtime's tracks (see `pallet_governance`'s crate docs for
//! the table and why each figure): anyone submits a referendum on a call with the origin it needs,
//! AIR holders vote with conviction, and an approved call is scheduled and dispatched with that
//! origin. Root belongs to the root track only; there is no sudo.
//!
//! With the `fast-runtime` feature every period here and on the tracks is a few blocks, so an
//! end-to-end referendum (runtime upgrade included) finishes in minutes; deposits stay the same.

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, tokens::UnityAssetBalanceConversion, AsEnsureOriginWithArg,
		ConstU32, EitherOf, EitherOfDiverse, EqualPrivilegeOnly, LinearStoragePrice,
	},
	weights::Weight,
	PalletId,
};
use frame_system::{EnsureRoot, EnsureRootWithSuccess, EnsureSigned};
use pallet_governance::{ReferendumCanceller, ReferendumKiller, Spender, Treasurer};
use sp_runtime::{traits::AccountIdLookup, Perbill, Permill};

use crate::{
	configs::{
		compute::{TreasuryAccount, TREASURY_PALLET_ID},
		RuntimeBlockWeights,
	},
	deposit, prod_or_fast, AccountId, Balance, Balances, BlockNumber, OriginCaller, Preimage,
	Referenda, Runtime, RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler,
	System, Treasury, AIR, DAYS, MINUTES,
};

/// The track table the runtime serves: [`pallet_governance::tracks::FAST`] with `fast-runtime`,
/// [`pallet_governance::tracks::PRODUCTION`] otherwise.
#[cfg(feature = "fast-runtime")]
pub type TrackProfile = pallet_governance::tracks::Fast;
/// The track table the runtime serves: [`pallet_governance::tracks::FAST`] with `fast-runtime`,
/// [`pallet_governance::tracks::PRODUCTION`] otherwise.
#[cfg(not(feature = "fast-runtime"))]
pub type TrackProfile = pallet_governance::tracks::Production;

/// pallet-referenda's tracks for this runtime.
pub type Tracks = pallet_governance::tracks::AirtimeTracks<OriginCaller, AccountId, TrackProfile>;

parameter_types! {
	/// Scheduled calls (enacted referenda among them) may use 80 % of a block.
	pub MaximumSchedulerWeight: Weight = {
		let max = RuntimeBlockWeights::get().max_block;
		let share = Perbill::from_percent(80);
		Weight::from_parts(share.mul_floor(max.ref_time()), share.mul_floor(max.proof_size()))
	};
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeEvent = RuntimeEvent;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	/// Only Root schedules directly; referenda schedule through the pallet's trait.
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = crate::weights::pallet_scheduler::WeightInfo<Runtime>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

parameter_types! {
	/// A preimage holds a storage deposit: one item plus its length in bytes (a 1.5 MB runtime
	/// costs about 1 500 AIR, returned when the preimage is unnoted).
	pub const PreimageBaseDeposit: Balance = deposit(2, 64);
	pub const PreimageByteDeposit: Balance = deposit(0, 1);
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
}

impl pallet_preimage::Config for Runtime {
	type WeightInfo = crate::weights::pallet_preimage::WeightInfo<Runtime>;
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

parameter_types! {
	/// Votes lock for this long per conviction step after the referendum ends.
	pub const VoteLockingPeriod: BlockNumber = prod_or_fast!(7 * DAYS, 1);
}

impl pallet_conviction_voting::Config for Runtime {
	type WeightInfo = crate::weights::pallet_conviction_voting::WeightInfo<Runtime>;
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type VoteLockingPeriod = VoteLockingPeriod;
	/// An account votes on at most 512 referenda at once (bounds its voting record).
	type MaxVotes = ConstU32<512>;
	/// Support is measured against the active issuance.
	type MaxTurnout =
		frame_support::traits::tokens::currency::ActiveIssuanceOf<Balances, AccountId>;
	type Polls = Referenda;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

parameter_types! {
	/// The alarm that moves referenda along fires every block.
	pub const AlarmInterval: BlockNumber = 1;
	/// Paid by the proposer; refunded unless the referendum is killed.
	pub const SubmissionDeposit: Balance = 10 * AIR;
	/// A referendum with no decision deposit after this long times out.
	pub const UndecidingTimeout: BlockNumber = prod_or_fast!(14 * DAYS, 20);
}

impl pallet_referenda::Config for Runtime {
	type WeightInfo = crate::weights::pallet_referenda::WeightInfo<Runtime>;
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type Scheduler = Scheduler;
	type Currency = Balances;
	/// Any account may propose (paying the submission deposit).
	type SubmitOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type CancelOrigin = EitherOf<EnsureRoot<AccountId>, ReferendumCanceller>;
	type KillOrigin = EitherOf<EnsureRoot<AccountId>, ReferendumKiller>;
	/// Slashed decision deposits go to the treasury.
	type Slash = Treasury;
	type Votes = pallet_conviction_voting::VotesOf<Runtime>;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = ConstU32<100>;
	type UndecidingTimeout = UndecidingTimeout;
	type AlarmInterval = AlarmInterval;
	type Tracks = Tracks;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

impl pallet_governance::Config for Runtime {
	type RuntimeParameters = crate::configs::RuntimeParameters;
	type GenesisParameters = crate::configs::parameters::ParametersAtGenesis;
}

parameter_types! {
	pub const TreasuryPalletId: PalletId = TREASURY_PALLET_ID;
	/// Approved `spend_local` proposals (deprecated upstream) are paid every spend period.
	pub const SpendPeriod: BlockNumber = prod_or_fast!(6 * DAYS, 10);
	/// The treasury burns nothing of its own at the end of a spend period.
	pub const Burn: Permill = Permill::zero();
	/// An approved spend must be paid out (`payout`) within this period.
	pub const PayoutPeriod: BlockNumber = prod_or_fast!(30 * DAYS, 10 * MINUTES);
	pub const MaxBalance: Balance = Balance::MAX;
}

impl pallet_treasury::Config for Runtime {
	type PalletId = TreasuryPalletId;
	type Currency = Balances;
	type RejectOrigin = EitherOfDiverse<EnsureRoot<AccountId>, Treasurer>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	type Burn = Burn;
	type BurnDestination = ();
	type SpendFunds = ();
	type MaxApprovals = ConstU32<100>;
	/// Root spends without limit; the spender origins up to their limits.
	type SpendOrigin = EitherOf<EnsureRootWithSuccess<AccountId, MaxBalance>, Spender>;
	/// Spends are in AIR only.
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = AccountIdLookup<AccountId, ()>;
	type Paymaster = frame_support::traits::tokens::pay::PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = PayoutPeriod;
	type BlockNumberProvider = System;
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}
