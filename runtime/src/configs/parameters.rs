//! `pallet_parameters`: the economic parameters governance changes without a runtime upgrade.
//!
//! Each parameter has a compiled-in default (below) and an optional stored override, set with
//! `parameters.set_parameter` by the origin its group demands ([`DynamicParameterOrigin`]):
//! pallet-compute's by `ComputeAdmin` (or Root). The pallets read them through `Get`, so a change
//! applies from the next block on. Data market, credits and staking parameters join here, under
//! `MarketAdmin` and `StakingAdmin`, as those pallets land.
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
use pallet_governance::ComputeAdmin;

#[allow(unused_imports)] // used inside `dynamic_params`, which the macro rewrites
use crate::{prod_or_fast, Balance, BlockNumber, AIR, DAYS, HOURS, MINUTES};
use crate::{AccountId, Runtime, RuntimeEvent, RuntimeOrigin};
#[allow(unused_imports)]
use sp_runtime::Perbill;

#[dynamic_params(RuntimeParameters, pallet_parameters::Parameters::<Runtime>)]
pub mod dynamic_params {
	use super::*;

	/// pallet-compute's governed parameters (see its `Config` for what each means).
	#[dynamic_pallet_params]
	#[codec(index = 0)]
	pub mod compute {
		/// Protocol fee taken from each provider payment.
		#[codec(index = 0)]
		pub static ProtocolFee: Perbill = Perbill::from_percent(5);
		/// Share of the protocol fee paid to the treasury.
		#[codec(index = 1)]
		pub static FeeToTreasury: Perbill = Perbill::from_percent(40);
		/// Share of the protocol fee paid to the staking reward pot; the rest is burnt.
		#[codec(index = 2)]
		pub static FeeToStakers: Perbill = Perbill::from_percent(40);
		/// The smallest stake a provider registers with.
		#[codec(index = 3)]
		pub static MinProviderStake: Balance = 100 * AIR;
		/// The smallest bond a challenger posts.
		#[codec(index = 4)]
		pub static MinChallengeBond: Balance = 10 * AIR;
		/// How long an unregistered provider's stake stays held.
		#[codec(index = 5)]
		pub static UnbondingPeriod: BlockNumber = 7 * DAYS;
		/// The nearest deadline a job may ask for, in blocks from submission.
		#[codec(index = 6)]
		pub static MinDeadline: BlockNumber = 3;
		/// The farthest deadline a job may ask for.
		#[codec(index = 7)]
		pub static MaxDeadline: BlockNumber = 7 * DAYS;
		/// Reveal window after the last commitment of a redundant job.
		#[codec(index = 8)]
		pub static RevealPeriod: BlockNumber = 10 * MINUTES;
		/// Challenge window after a result is attested (3 blocks with `fast-runtime`).
		#[codec(index = 9)]
		pub static ChallengePeriod: BlockNumber = prod_or_fast!(HOURS, 3);
		/// Verifiers' commit window.
		#[codec(index = 10)]
		pub static VoteCommitPeriod: BlockNumber = 30 * MINUTES;
		/// Verifiers' reveal window.
		#[codec(index = 11)]
		pub static VoteRevealPeriod: BlockNumber = 30 * MINUTES;
		/// Stake slashed from a provider that misses its deadline.
		#[codec(index = 12)]
		pub static SlashOnTimeout: Perbill = Perbill::from_percent(10);
		/// Stake slashed from a provider that reports failure.
		#[codec(index = 13)]
		pub static SlashOnFailure: Perbill = Perbill::from_percent(1);
		/// Stake slashed from a provider found to have attested a wrong result.
		#[codec(index = 14)]
		pub static SlashOnFraud: Perbill = Perbill::from_percent(50);
		/// Share of a slash paid to the winners of a dispute; the rest to the treasury.
		#[codec(index = 15)]
		pub static SlashRewardShare: Perbill = Perbill::from_percent(50);
		/// Per-job decay of a provider's reputation evidence.
		#[codec(index = 16)]
		pub static ReputationDecay: Perbill = Perbill::from_percent(98);
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
			RuntimeParametersKey::Compute(_) =>
				EitherOf::<EnsureRoot<AccountId>, ComputeAdmin>::try_origin(origin),
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
