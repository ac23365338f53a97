//! `pallet_parameters`: the economic parameters governance changes without a runtime upgrade.
//!
//! Each parameter has a launch value ([`launch`]), written at genesis by the presets, and changes
//! with `parameters.set_parameter` by the origin its group demands ([`DynamicParameterOrigin`]):
//! pallet-compute's by `ComputeAdmin`, pallet-data-market's and pallet-credits' by `MarketAdmin` (or Root for all).
//! The pallets read them through `Get`, so a change applies from the next block on. Staking's
//! inflation curve, bonds and commission cap are set by `StakingAdmin`.
//!
//! Values are not range-checked when set (pallet-parameters has no hook for it); the consumers
//! cope with any value: pallet-compute burns nothing when the fee shares add up to more than
//! 100 % (the stakers get the rest), and a minimum deadline above the maximum refuses new jobs
//! rather than losing anything.

use frame_support::{
	dynamic_params::{dynamic_pallet_params, dynamic_params},
	traits::{EitherOf, EnsureOrigin, EnsureOriginWithArg},
};
use frame_system::EnsureRoot;
use pallet_governance::{ComputeAdmin, MarketAdmin, StakingAdmin};

use crate::{
	prod_or_fast, AccountId, Balance, BlockNumber, Runtime, RuntimeEvent, RuntimeOrigin, AIR, DAYS,
	HOURS, MINUTES,
};
use sp_runtime::{Perbill, Perquintill};

#[dynamic_params(RuntimeParameters, pallet_parameters::Parameters::<Runtime>)]
pub mod dynamic_params {
	use super::*;

	/// pallet-compute's governed parameters (see its `Config` for what each means).
	#[dynamic_pallet_params]
	#[codec(index = 0)]
	pub mod compute {
		/// Protocol fee taken from each provider payment.
		#[codec(index = 0)]
		pub static ProtocolFee: Perbill = launch::PROTOCOL_FEE;
		/// Share of the protocol fee paid to the treasury.
		#[codec(index = 1)]
		pub static FeeToTreasury: Perbill = launch::FEE_TO_TREASURY;
		/// Share of the protocol fee paid to the staking reward pot; the rest is burnt.
		#[codec(index = 2)]
		pub static FeeToStakers: Perbill = launch::FEE_TO_STAKERS;
		/// The smallest stake a provider registers with.
		#[codec(index = 3)]
		pub static MinProviderStake: Balance = launch::MIN_PROVIDER_STAKE;
		/// The smallest bond a challenger posts.
		#[codec(index = 4)]
		pub static MinChallengeBond: Balance = launch::MIN_CHALLENGE_BOND;
		/// How long an unregistered provider's stake stays held.
		#[codec(index = 5)]
		pub static UnbondingPeriod: BlockNumber = launch::UNBONDING_PERIOD;
		/// The nearest deadline a job may ask for, in blocks from submission.
		#[codec(index = 6)]
		pub static MinDeadline: BlockNumber = launch::MIN_DEADLINE;
		/// The farthest deadline a job may ask for.
		#[codec(index = 7)]
		pub static MaxDeadline: BlockNumber = launch::MAX_DEADLINE;
		/// Reveal window after the last commitment of a redundant job.
		#[codec(index = 8)]
		pub static RevealPeriod: BlockNumber = launch::REVEAL_PERIOD;
		/// Challenge window after a result is attested (3 blocks with `fast-runtime`).
		#[codec(index = 9)]
		pub static ChallengePeriod: BlockNumber = launch::CHALLENGE_PERIOD;
		/// Verifiers' commit window.
		#[codec(index = 10)]
		pub static VoteCommitPeriod: BlockNumber = launch::VOTE_COMMIT_PERIOD;
		/// Verifiers' reveal window.
		#[codec(index = 11)]
		pub static VoteRevealPeriod: BlockNumber = launch::VOTE_REVEAL_PERIOD;
		/// Stake slashed from a provider that misses its deadline.
		#[codec(index = 12)]
		pub static SlashOnTimeout: Perbill = launch::SLASH_ON_TIMEOUT;
		/// Stake slashed from a provider that reports failure.
		#[codec(index = 13)]
		pub static SlashOnFailure: Perbill = launch::SLASH_ON_FAILURE;
		/// Stake slashed from a provider found to have attested a wrong result.
		#[codec(index = 14)]
		pub static SlashOnFraud: Perbill = launch::SLASH_ON_FRAUD;
		/// Share of a slash paid to the winners of a dispute; the rest to the treasury.
		#[codec(index = 15)]
		pub static SlashRewardShare: Perbill = launch::SLASH_REWARD_SHARE;
		/// Per-job decay of a provider's reputation evidence.
		#[codec(index = 16)]
		pub static ReputationDecay: Perbill = launch::REPUTATION_DECAY;
		/// Collateral (own stake plus pooled stake) each slot a provider holds needs.
		#[codec(index = 17)]
		pub static CollateralPerSlot: Balance = launch::COLLATERAL_PER_SLOT;
	}

	/// pallet-data-market's governed parameters (see its `Config` for what each means).
	#[dynamic_pallet_params]
	#[codec(index = 1)]
	pub mod market {
		/// Protocol fee taken from sale proceeds and royalties.
		#[codec(index = 0)]
		pub static ProtocolFee: Perbill = launch::MARKET_PROTOCOL_FEE;
		/// Share of the protocol fee paid into the curator reward pot; the rest to the treasury.
		#[codec(index = 1)]
		pub static FeeToCurators: Perbill = launch::FEE_TO_CURATORS;
		/// Paid from the pot to a curator whose claim stands, at most the claimed dataset's curation
		/// fund (the curator fees its own sales and uses paid into the pot).
		#[codec(index = 2)]
		pub static CuratorReward: Balance = launch::CURATOR_REWARD;
		/// The smallest curator stake.
		#[codec(index = 3)]
		pub static MinClaimStake: Balance = launch::MIN_CLAIM_STAKE;
		/// The smallest bond of a buyer disputing a key.
		#[codec(index = 4)]
		pub static MinDisputeBond: Balance = launch::MIN_DISPUTE_BOND;
		/// Share of a slashed stake or bond paid to the winning side; the rest to the treasury.
		#[codec(index = 5)]
		pub static SlashRewardShare: Perbill = launch::MARKET_SLASH_REWARD_SHARE;
		/// Blocks a seller has to deliver a key.
		#[codec(index = 6)]
		pub static DeliveryPeriod: BlockNumber = launch::DELIVERY_PERIOD;
		/// Blocks after delivery in which the buyer may dispute.
		#[codec(index = 7)]
		pub static DisputePeriod: BlockNumber = launch::DISPUTE_PERIOD;
		/// Blocks in which a curation claim may be countered.
		#[codec(index = 8)]
		pub static ClaimPeriod: BlockNumber = launch::CLAIM_PERIOD;
	}

	/// pallet-credits' governed parameters (see its `Config` for what each means).
	#[dynamic_pallet_params]
	#[codec(index = 2)]
	pub mod credits {
		/// Protocol fee taken from what services redeem.
		#[codec(index = 0)]
		pub static ProtocolFee: Perbill = launch::CREDITS_PROTOCOL_FEE;
		/// Blocks between unlocking tier funds and withdrawing them.
		#[codec(index = 1)]
		pub static TierCooldown: BlockNumber = launch::TIER_COOLDOWN;
	}

	/// pallet-staking's governed parameters (see its `Config` for what each means).
	#[dynamic_pallet_params]
	#[codec(index = 3)]
	pub mod staking {
		/// Yearly inflation paid to stakers in the first year, as a share of total issuance.
		#[codec(index = 0)]
		pub static YearlyInflation: Perquintill = launch::YEARLY_INFLATION;
		/// The yearly rate falls by this share of itself each year (0 keeps it flat).
		#[codec(index = 1)]
		pub static InflationDecay: Perquintill = launch::INFLATION_DECAY;
		/// The yearly rate never falls below this.
		#[codec(index = 2)]
		pub static MinInflation: Perquintill = launch::MIN_INFLATION;
		/// Share of each era's inflation minted to the treasury instead of the stakers.
		#[codec(index = 3)]
		pub static InflationToTreasury: Perbill = launch::INFLATION_TO_TREASURY;
		/// Fewer elected validators than this keeps the current set.
		#[codec(index = 4)]
		pub static MinimumValidatorCount: u32 = launch::MINIMUM_VALIDATOR_COUNT;
		/// The smallest bond of a validator candidate.
		#[codec(index = 5)]
		pub static MinValidatorBond: Balance = launch::MIN_VALIDATOR_BOND;
		/// The smallest bond of a nominator (and of any bond).
		#[codec(index = 6)]
		pub static MinNominatorBond: Balance = launch::MIN_NOMINATOR_BOND;
		/// The highest commission a validator may set.
		#[codec(index = 7)]
		pub static MaxCommission: Perbill = launch::MAX_COMMISSION;
		/// The smallest delegation to a provider pool.
		#[codec(index = 8)]
		pub static MinDelegation: Balance = launch::MIN_DELEGATION;
	}
}

/// The values a network launches with. The genesis presets write every one of them into
/// pallet-parameters ([`launch_parameters`]), so they are in state, visible in apps, from block 0;
/// the same values are the compiled-in defaults, which apply only to a key governance deletes
/// (`set_parameter` with `None`).
pub mod launch {
	use super::*;

	/// Protocol fee taken from each provider payment.
	pub const PROTOCOL_FEE: Perbill = Perbill::from_percent(5);
	/// Share of the protocol fee paid to the treasury.
	pub const FEE_TO_TREASURY: Perbill = Perbill::from_percent(40);
	/// Share of the protocol fee paid to the staking reward pot; the rest is burnt.
	pub const FEE_TO_STAKERS: Perbill = Perbill::from_percent(40);
	/// The smallest stake a provider registers with.
	pub const MIN_PROVIDER_STAKE: Balance = 100 * AIR;
	/// The smallest bond a challenger posts.
	pub const MIN_CHALLENGE_BOND: Balance = 10 * AIR;
	/// How long an unregistered provider's stake stays held.
	pub const UNBONDING_PERIOD: BlockNumber = 7 * DAYS;
	/// The nearest deadline a job may ask for, in blocks from submission.
	pub const MIN_DEADLINE: BlockNumber = 3;
	/// The farthest deadline a job may ask for.
	pub const MAX_DEADLINE: BlockNumber = 7 * DAYS;
	/// Reveal window after the last commitment of a redundant job.
	pub const REVEAL_PERIOD: BlockNumber = 10 * MINUTES;
	/// Challenge window after a result is attested (3 blocks with `fast-runtime`).
	pub const CHALLENGE_PERIOD: BlockNumber = prod_or_fast!(HOURS, 3);
	/// Verifiers' commit window.
	pub const VOTE_COMMIT_PERIOD: BlockNumber = 30 * MINUTES;
	/// Verifiers' reveal window.
	pub const VOTE_REVEAL_PERIOD: BlockNumber = 30 * MINUTES;
	/// Stake slashed from a provider that misses its deadline.
	pub const SLASH_ON_TIMEOUT: Perbill = Perbill::from_percent(10);
	/// Stake slashed from a provider that reports failure.
	pub const SLASH_ON_FAILURE: Perbill = Perbill::from_percent(1);
	/// Stake slashed from a provider found to have attested a wrong result.
	pub const SLASH_ON_FRAUD: Perbill = Perbill::from_percent(50);
	/// Share of a slash paid to the winners of a dispute; the rest to the treasury.
	pub const SLASH_REWARD_SHARE: Perbill = Perbill::from_percent(50);
	/// Per-job decay of a provider's reputation evidence.
	pub const REPUTATION_DECAY: Perbill = Perbill::from_percent(98);
	/// Collateral each slot a provider holds needs: a provider at `MIN_PROVIDER_STAKE` and
	/// without a pool holds up to 10 slots at once.
	pub const COLLATERAL_PER_SLOT: Balance = 10 * AIR;

	/// Data market: protocol fee taken from sale proceeds and royalties.
	pub const MARKET_PROTOCOL_FEE: Perbill = Perbill::from_percent(5);
	/// Data market: share of its fee paid into the curator reward pot.
	pub const FEE_TO_CURATORS: Perbill = Perbill::from_percent(20);
	/// Data market: reward of a curator whose claim stands.
	pub const CURATOR_REWARD: Balance = 5 * AIR;
	/// Data market: the smallest curator stake.
	pub const MIN_CLAIM_STAKE: Balance = 20 * AIR;
	/// Data market: the smallest dispute bond.
	pub const MIN_DISPUTE_BOND: Balance = 10 * AIR;
	/// Data market: share of a slash paid to the winning side.
	pub const MARKET_SLASH_REWARD_SHARE: Perbill = Perbill::from_percent(50);
	/// Data market: blocks a seller has to deliver a key (10 with `fast-runtime`).
	pub const DELIVERY_PERIOD: BlockNumber = prod_or_fast!(2 * DAYS, 10);
	/// Data market: blocks a buyer has to dispute a key (5 with `fast-runtime`).
	pub const DISPUTE_PERIOD: BlockNumber = prod_or_fast!(3 * DAYS, 5);
	/// Data market: blocks a claim may be countered (10 with `fast-runtime`).
	pub const CLAIM_PERIOD: BlockNumber = prod_or_fast!(7 * DAYS, 10);
	/// Credits: protocol fee taken from what services redeem.
	pub const CREDITS_PROTOCOL_FEE: Perbill = Perbill::from_percent(2);
	/// Credits: blocks between unlocking tier funds and withdrawing them (10 with `fast-runtime`).
	pub const TIER_COOLDOWN: BlockNumber = prod_or_fast!(7 * DAYS, 10);

	/// Staking: yearly inflation in the first year (8 % of total issuance).
	pub const YEARLY_INFLATION: Perquintill = Perquintill::from_percent(8);
	/// Staking: the yearly rate falls by 15 % of itself each year ...
	pub const INFLATION_DECAY: Perquintill = Perquintill::from_percent(15);
	/// Staking: ... down to 2 %.
	pub const MIN_INFLATION: Perquintill = Perquintill::from_percent(2);
	/// Staking: share of inflation minted to the treasury.
	pub const INFLATION_TO_TREASURY: Perbill = Perbill::from_percent(10);
	/// Staking: fewer elected validators keeps the current set (1 lets a dev chain run alone).
	pub const MINIMUM_VALIDATOR_COUNT: u32 = 1;
	/// Staking: the smallest validator bond.
	pub const MIN_VALIDATOR_BOND: Balance = 10_000 * AIR;
	/// Staking: the smallest nominator bond.
	pub const MIN_NOMINATOR_BOND: Balance = 100 * AIR;
	/// Staking: the highest validator commission.
	pub const MAX_COMMISSION: Perbill = Perbill::from_percent(50);
	/// Staking: the smallest delegation to a provider pool.
	pub const MIN_DELEGATION: Balance = 10 * AIR;
}

/// Every governed parameter at its launch value, as the genesis presets write them.
pub fn launch_parameters() -> alloc::vec::Vec<RuntimeParameters> {
	use dynamic_params::{
		compute::{self as c, Parameters as P},
		credits::{self as cr, Parameters as CR},
		market::{self as m, Parameters as M},
		staking::{self as s, Parameters as S},
	};
	use RuntimeParameters::{Compute, Credits, Market, Staking};
	alloc::vec![
		Compute(P::ProtocolFee(c::ProtocolFee, Some(launch::PROTOCOL_FEE))),
		Compute(P::FeeToTreasury(c::FeeToTreasury, Some(launch::FEE_TO_TREASURY))),
		Compute(P::FeeToStakers(c::FeeToStakers, Some(launch::FEE_TO_STAKERS))),
		Compute(P::MinProviderStake(c::MinProviderStake, Some(launch::MIN_PROVIDER_STAKE))),
		Compute(P::MinChallengeBond(c::MinChallengeBond, Some(launch::MIN_CHALLENGE_BOND))),
		Compute(P::UnbondingPeriod(c::UnbondingPeriod, Some(launch::UNBONDING_PERIOD))),
		Compute(P::MinDeadline(c::MinDeadline, Some(launch::MIN_DEADLINE))),
		Compute(P::MaxDeadline(c::MaxDeadline, Some(launch::MAX_DEADLINE))),
		Compute(P::RevealPeriod(c::RevealPeriod, Some(launch::REVEAL_PERIOD))),
		Compute(P::ChallengePeriod(c::ChallengePeriod, Some(launch::CHALLENGE_PERIOD))),
		Compute(P::VoteCommitPeriod(c::VoteCommitPeriod, Some(launch::VOTE_COMMIT_PERIOD))),
		Compute(P::VoteRevealPeriod(c::VoteRevealPeriod, Some(launch::VOTE_REVEAL_PERIOD))),
		Compute(P::SlashOnTimeout(c::SlashOnTimeout, Some(launch::SLASH_ON_TIMEOUT))),
		Compute(P::SlashOnFailure(c::SlashOnFailure, Some(launch::SLASH_ON_FAILURE))),
		Compute(P::SlashOnFraud(c::SlashOnFraud, Some(launch::SLASH_ON_FRAUD))),
		Compute(P::SlashRewardShare(c::SlashRewardShare, Some(launch::SLASH_REWARD_SHARE))),
		Compute(P::ReputationDecay(c::ReputationDecay, Some(launch::REPUTATION_DECAY))),
		Compute(P::CollateralPerSlot(c::CollateralPerSlot, Some(launch::COLLATERAL_PER_SLOT))),
		Market(M::ProtocolFee(m::ProtocolFee, Some(launch::MARKET_PROTOCOL_FEE))),
		Market(M::FeeToCurators(m::FeeToCurators, Some(launch::FEE_TO_CURATORS))),
		Market(M::CuratorReward(m::CuratorReward, Some(launch::CURATOR_REWARD))),
		Market(M::MinClaimStake(m::MinClaimStake, Some(launch::MIN_CLAIM_STAKE))),
		Market(M::MinDisputeBond(m::MinDisputeBond, Some(launch::MIN_DISPUTE_BOND))),
		Market(M::SlashRewardShare(m::SlashRewardShare, Some(launch::MARKET_SLASH_REWARD_SHARE))),
		Market(M::DeliveryPeriod(m::DeliveryPeriod, Some(launch::DELIVERY_PERIOD))),
		Market(M::DisputePeriod(m::DisputePeriod, Some(launch::DISPUTE_PERIOD))),
		Market(M::ClaimPeriod(m::ClaimPeriod, Some(launch::CLAIM_PERIOD))),
		Credits(CR::ProtocolFee(cr::ProtocolFee, Some(launch::CREDITS_PROTOCOL_FEE))),
		Credits(CR::TierCooldown(cr::TierCooldown, Some(launch::TIER_COOLDOWN))),
		Staking(S::YearlyInflation(s::YearlyInflation, Some(launch::YEARLY_INFLATION))),
		Staking(S::InflationDecay(s::InflationDecay, Some(launch::INFLATION_DECAY))),
		Staking(S::MinInflation(s::MinInflation, Some(launch::MIN_INFLATION))),
		Staking(S::InflationToTreasury(
			s::InflationToTreasury,
			Some(launch::INFLATION_TO_TREASURY)
		)),
		Staking(S::MinimumValidatorCount(
			s::MinimumValidatorCount,
			Some(launch::MINIMUM_VALIDATOR_COUNT),
		)),
		Staking(S::MinValidatorBond(s::MinValidatorBond, Some(launch::MIN_VALIDATOR_BOND))),
		Staking(S::MinNominatorBond(s::MinNominatorBond, Some(launch::MIN_NOMINATOR_BOND))),
		Staking(S::MaxCommission(s::MaxCommission, Some(launch::MAX_COMMISSION))),
		Staking(S::MinDelegation(s::MinDelegation, Some(launch::MIN_DELEGATION))),
	]
}

/// Writes governed parameters at genesis (`pallet_governance::GenesisConfig::parameters`), as
/// Root through pallet-parameters.
pub struct ParametersAtGenesis;
impl pallet_governance::SetParameter<RuntimeParameters> for ParametersAtGenesis {
	fn set(parameter: RuntimeParameters) -> frame_support::dispatch::DispatchResult {
		pallet_parameters::Pallet::<Runtime>::set_parameter(RuntimeOrigin::root(), parameter)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl Default for RuntimeParameters {
	fn default() -> Self {
		RuntimeParameters::Compute(dynamic_params::compute::Parameters::ProtocolFee(
			dynamic_params::compute::ProtocolFee,
			Some(sp_runtime::Perbill::from_percent(5)),
		))
	}
}

/// Who may set which parameter: Root, or the group's governance origin.
pub struct DynamicParameterOrigin;
impl EnsureOriginWithArg<RuntimeOrigin, RuntimeParametersKey> for DynamicParameterOrigin {
	type Success = ();

	fn try_origin(
		origin: RuntimeOrigin,
		key: &RuntimeParametersKey,
	) -> Result<Self::Success, RuntimeOrigin> {
		match key {
			RuntimeParametersKey::Compute(_) => {
				EitherOf::<EnsureRoot<AccountId>, ComputeAdmin>::try_origin(origin)
			},
			RuntimeParametersKey::Market(_) | RuntimeParametersKey::Credits(_) => {
				EitherOf::<EnsureRoot<AccountId>, MarketAdmin>::try_origin(origin)
			},
			RuntimeParametersKey::Staking(_) => {
				EitherOf::<EnsureRoot<AccountId>, StakingAdmin>::try_origin(origin)
			},
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin(_key: &RuntimeParametersKey) -> Result<RuntimeOrigin, ()> {
		Ok(RuntimeOrigin::root())
	}
}

impl pallet_parameters::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeParameters = RuntimeParameters;
	type AdminOrigin = DynamicParameterOrigin;
	type WeightInfo = ParametersWeight<Runtime>;
}

/// pallet-parameters' weight. The crate keeps its `SubstrateWeight` private (0.21.0), so this is
/// its reference figure (one read, one write of a bounded entry: 6.2 µs, 14 787 bytes of proof)
/// charged with this runtime's database weights; `airtime-node benchmark pallet --pallet
/// pallet_parameters` measures it on this runtime.
pub struct ParametersWeight<T>(core::marker::PhantomData<T>);
impl<T: frame_system::Config> pallet_parameters::WeightInfo for ParametersWeight<T> {
	fn set_parameter() -> frame_support::weights::Weight {
		use frame_support::traits::Get;
		frame_support::weights::Weight::from_parts(6_204_000, 14_787)
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
}
