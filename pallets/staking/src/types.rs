//! The pallet's stored types and the inflation curve.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::marker::PhantomData;
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{self, Inspect},
	BoundedBTreeMap, BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound,
	PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{PerThing, Perbill, Perquintill};

pub use sp_staking::{SessionIndex, StakerStatus};

/// An era: `SessionsPerEra` sessions with one validator set and one reward.
pub type EraIndex = u32;

/// A balance of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// An amount taken out of circulation, to be handed to an `OnUnbalanced` handler or dropped
/// (burnt).
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
/// An account of the runtime.
pub type AccountIdOf<T> = <T as frame_system::Config>::AccountId;

/// Milliseconds in a year of 365.25 days.
pub const MS_PER_YEAR: u64 = 31_557_600_000;

/// The inflation curve never steps through more years than this (the rate has long reached its
/// floor by then for any decay worth having).
pub const MAX_CURVE_YEARS: u32 = 1000;

/// The most exposure pages a validator has in one era: `MaxBackersPerValidator` nominators,
/// `MaxExposurePageSize` per page, and at least the page that pays the validator itself.
pub struct MaxPages<T>(PhantomData<T>);
impl<T: Config> Get<u32> for MaxPages<T> {
	fn get() -> u32 {
		T::MaxBackersPerValidator::get().div_ceil(T::MaxExposurePageSize::get().max(1)).max(1)
	}
}

/// Funds that stop counting at an unbond and leave the hold at `era`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct UnlockChunk<Balance> {
	/// The amount.
	pub value: Balance,
	/// The era from which `withdraw_unbonded` releases it.
	pub era: EraIndex,
}

/// A bonded account (the stash is its own controller).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct StakingLedger<T: Config> {
	/// Everything on hold under `HoldReason::Staking`: `active` plus the unlocking chunks.
	pub total: BalanceOf<T>,
	/// What counts as stake: for elections, exposures, rewards and slashes.
	pub active: BalanceOf<T>,
	/// Unbonded funds waiting for their era, oldest first; one chunk per era.
	pub unlocking: BoundedVec<UnlockChunk<BalanceOf<T>>, T::MaxUnlockingChunks>,
}

/// A validator candidate's preferences.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct ValidatorPrefs {
	/// The share of its era reward the validator takes before the rest is split by stake.
	pub commission: Perbill,
}

/// A nominator's targets.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Nominations<T: Config> {
	/// The candidates it backs; its active stake is split evenly between them.
	pub targets: BoundedVec<AccountIdOf<T>, T::MaxNominations>,
	/// The era planned when it nominated.
	pub submitted_in: EraIndex,
}

/// The era validators are currently paid for.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct ActiveEraInfo {
	/// The era.
	pub index: EraIndex,
	/// When it started, in ms since the Unix epoch; set in the first block's `on_finalize`.
	pub start: Option<u64>,
}

/// One nominator's stake behind a validator in an era.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct IndividualExposure<AccountId, Balance> {
	/// The nominator.
	pub who: AccountId,
	/// Its stake behind the validator: its active stake divided by its number of targets.
	pub value: Balance,
}

/// A validator's stake in an era; the nominators are stored in pages.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct ExposureOverview<Balance> {
	/// `own` plus every nominator's value.
	pub total: Balance,
	/// The validator's own active stake.
	pub own: Balance,
	/// Nominators in the pages.
	pub nominator_count: u32,
	/// Pages (at least one: page 0 pays the validator).
	pub page_count: u32,
}

/// Points earned in an era (by authoring blocks); rewards are split by points.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	DefaultNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct EraRewardPoints<T: Config> {
	/// The sum of `individual`.
	pub total: u32,
	/// Points per validator.
	pub individual: BoundedBTreeMap<AccountIdOf<T>, u32, T::MaxValidators>,
}

/// A slash reported and waiting for its era (so governance can cancel it).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct UnappliedSlash<T: Config> {
	/// The offender.
	pub validator: AccountIdOf<T>,
	/// The era of the offence (whose exposure the amounts come from).
	pub era: EraIndex,
	/// Taken from the validator's own stake.
	pub own: BalanceOf<T>,
	/// Taken from each nominator that backed it in `era`.
	pub others: BoundedVec<(AccountIdOf<T>, BalanceOf<T>), T::MaxBackersPerValidator>,
}

/// The yearly inflation rate over time: `yearly` in year 0, falling by `decay` each year, never
/// below `floor`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct InflationCurve {
	/// The rate in year 0.
	pub yearly: Perquintill,
	/// The fraction by which the rate falls each year (0: flat; 50 %: halving).
	pub decay: Perquintill,
	/// The lowest rate.
	pub floor: Perquintill,
}

impl InflationCurve {
	/// The rate in year `year` (0 is the first): `max(floor, yearly * (1 - decay)^year)`, rounded
	/// down at each step; years beyond [`MAX_CURVE_YEARS`] count as that one.
	pub fn rate_in_year(&self, year: u32) -> Perquintill {
		let keep = self.decay.left_from_one();
		let mut rate = self.yearly;
		for _ in 0..year.min(MAX_CURVE_YEARS) {
			if rate <= self.floor {
				break;
			}
			rate = Perquintill::from_parts(keep.mul_floor(rate.deconstruct()));
		}
		rate.max(self.floor)
	}
}

/// A provider pool: delegators' stake behind a compute provider (see the crate docs, "Provider
/// pools").
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Pool<T: Config> {
	/// The members' bonded stake, held under `HoldReason::PoolStake` on the pool account
	/// (unbonding chunks are held there too but are not part of it). Slashes reduce it.
	pub stake: BalanceOf<T>,
	/// The sum of the members' points; a point is worth `stake / points`.
	pub points: BalanceOf<T>,
	/// The share of each payment to the provider that goes to the members. A cut waits in
	/// `PendingShareCuts` until its era, then replaces it.
	pub income_share: Perbill,
	/// Income per point since the pool opened, scaled by [`REWARD_SCALE`].
	pub reward_per_point: u128,
	/// Members (accounts with a `PoolMembers` record).
	pub members: u32,
	/// The provider's storage deposit, held under `HoldReason::PoolDeposit`.
	pub deposit: BalanceOf<T>,
}

/// A delegator's share of a provider pool.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct PoolMember<T: Config> {
	/// Its points.
	pub points: BalanceOf<T>,
	/// `points × reward_per_point / REWARD_SCALE` (rounded up) when its rewards were last
	/// settled: its pending reward is what the product has grown by since.
	pub reward_debt: u128,
	/// Undelegated funds waiting for their era, still held on the pool account; one chunk per
	/// era.
	pub unbonding: BoundedVec<UnlockChunk<BalanceOf<T>>, T::MaxUnlockingChunks>,
	/// Its storage deposit, held under `HoldReason::PoolDeposit` on its own account.
	pub deposit: BalanceOf<T>,
}

/// A pool slash reported and waiting for its era (so governance can cancel it).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct UnappliedPoolSlash<T: Config> {
	/// The provider whose pool is slashed.
	pub provider: AccountIdOf<T>,
	/// The fraction of the pool's stake (when the slash applies) to take.
	pub fraction: Perbill,
}

/// The scale of a pool's reward per point: 10^18, like nomination pools' reward counter.
pub const REWARD_SCALE: u128 = 1_000_000_000_000_000_000;
