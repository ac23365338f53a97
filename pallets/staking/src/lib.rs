//! # Staking pallet: nominated proof of stake for Airtime's validators
//!
//! Accounts bond AIR (a hold on their own account) to become **validator candidates** or to
//! **nominate** candidates. At every era boundary the pallet elects the best-backed candidates as
//! the next validator set and hands it to `pallet-session`; validators earn **era points** by
//! authoring blocks; at the end of each era the pallet mints inflation and collects the protocol
//! fees' staking share into the era's reward, which validators and their nominators claim page by
//! page. Misbehaviour reported through `pallet-offences` is slashed from the offender's and its
//! nominators' bonds, after a delay in which governance may cancel it.
//!
//! ## Terminology
//!
//! - **Stash**: a bonded account. It is its own controller: there are no separate controller
//!   accounts.
//! - **Ledger** ([`StakingLedger`]): a stash's bond: `total` on hold under
//!   [`HoldReason::Staking`], of which `active` counts as stake and the rest is unlocking.
//! - **Unlocking chunk** ([`UnlockChunk`]): unbonded funds that stop counting at once and leave
//!   the hold from era `current + BondingDuration` (one chunk per era, at most
//!   `MaxUnlockingChunks`).
//! - **Session**: a `pallet-session` period with a fixed validator set. **Era**: `SessionsPerEra`
//!   sessions; the set can only change at an era boundary. The *current* era is the latest
//!   planned one ([`CurrentEra`]), the *active* era the one being rewarded ([`ActiveEra`]).
//! - **Exposure**: an elected validator's stake in an era: its own active stake plus, for each
//!   nominator backing it, that nominator's active stake divided by its number of targets
//!   ([`ExposureOverview`] and [`IndividualExposure`]).
//! - **Page**: up to `MaxExposurePageSize` nominators of an exposure, largest first; each page is
//!   claimed separately so one payout call stays bounded. Page 0 also pays the validator.
//! - **Points**: `PointsPerBlock` for each authored block (the runtime's authorship handler calls
//!   [`Pallet::reward_by_ids`]); an era's reward is split between validators by points.
//!
//! ## Lifecycle
//!
//! 1. **Bond.** `bond(value)` holds at least `MinNominatorBond`; `bond_extra` adds more,
//!    `unbond` starts unlocking, `rebond` takes the newest unlocking funds back and
//!    `withdraw_unbonded` releases chunks whose era has come (removing an emptied ledger).
//! 2. **Validate or nominate.** `validate(commission)` makes the stash a candidate (at least
//!    `MinValidatorBond`, commission at most `MaxCommission`); `nominate(targets)` backs up to
//!    `MaxNominations` current candidates. `chill` stops either; each role replaces the other.
//! 3. **Election.** One session before an era ends, the pallet plans the next era: candidates
//!    with session keys and at least `MinValidatorBond` active are ranked by backing (own active
//!    plus [`ApprovalStake`], the nominators' shares kept up to date on every change) and the top
//!    `ValidatorCount` (at most `MaxValidators`) are elected. Their exposures, preferences and the
//!    set are stored for the new era and the set goes to the session pallet. With fewer than
//!    `MinimumValidatorCount` elected the set stays and the election is retried next session.
//! 4. **Points.** While an era is active, block authors collect points.
//! 5. **Era payout.** When the next era starts, the ended era's reward is fixed: inflation for
//!    its duration (`rate × issuance × duration / year`, the rate following the
//!    [`InflationCurve`] from `YearlyInflation`, `InflationDecay` and `MinInflation`), of which
//!    `InflationToTreasury` goes to the treasury and the rest is minted to the pallet account,
//!    plus everything the `RewardPot` account holds (the protocol fees' staking share). An era
//!    without points gives it all to the treasury.
//! 6. **Claims.** Anyone calls `payout_stakers(validator, era, page)` for an era of the last
//!    `HistoryDepth`: the validator's share is `reward × points / total points`; it keeps its
//!    commission, and the rest is split by stake between itself (on page 0) and the page's
//!    nominators. Rewards are paid to the free balance. Unclaimed rewards of an era that falls out
//!    of the history go to the treasury when its records are pruned.
//!
//! ## Slashing
//!
//! An offence reported for a session is attributed to the era that session belonged to (at most
//! `BondingDuration` eras back). A fraction `f` slashes the offender's own exposure and each of
//! its nominators' exposures in that era by `f`, less any fraction already slashed for that
//! validator in that era (so repeated reports only slash the increase). The offender is chilled.
//! The slash waits `SlashDeferDuration` eras in [`UnappliedSlashes`], during which
//! `AdminOrigin` can `cancel_deferred_slash`; it is then taken from each staker's bond
//! (active stake first, then unlocking chunks from the newest) and goes to the treasury. Because
//! `SlashDeferDuration < BondingDuration`, funds unbonded after an offence are still on hold when
//! its slash applies.
//!
//! ## Election bounds
//!
//! The election reads at most `MaxValidatorCandidates` candidates and, for the elected ones, at
//! most `MaxBackersPerValidator` backers each; its weight (`new_era`) is registered as mandatory
//! weight of the block that plans the era. Ranking by approval stake is a simple, bounded
//! substitute for sequential Phragmén: it does not balance stake between validators.
//!
//! ## Provider pools
//!
//! Delegators back a compute provider's stake the way stake pools back a validator. A provider
//! registered with pallet-compute (`Providers`) calls `open_pool(income_share)`, which holds
//! `PoolDeposit` on its account under [`HoldReason::PoolDeposit`] and endows two keyless
//! accounts with the existential deposit: the **pool account**, where the delegated funds are
//! held under [`HoldReason::PoolStake`], and the **reward account**, where the pool's income
//! waits to be claimed ([`Pallet::pool_account`], [`Pallet::pool_reward_account`]; each is
//! `blake2_256(PalletId, tag, provider)` decoded as an account, with the tags `pool` and `prwd`).
//! The pool's stake counts toward the provider's collateral in pallet-compute
//! (`ProviderPools::pooled_stake`).
//!
//! - **Points.** `delegate(provider, amount)` (at least `MinDelegation`) moves `amount` from the
//!   delegator to the pool account, holds it there, and gives the delegator points at the
//!   pool's current value per point (`amount × points / stake`, rounded down; one point per
//!   unit in an empty pool). A new member holds `MemberDeposit` under
//!   [`HoldReason::PoolDeposit`] while its [`PoolMember`] record exists; a pool has at most
//!   `MaxPoolMembers` members. A slash lowers the pool's stake but not its points, so every
//!   member loses the same fraction at once, without touching the member records.
//! - **Income.** Each time pallet-compute pays the provider for a job
//!   (`ProviderPools::on_provider_paid`), the pool's income share of the payment moves from the
//!   provider to the reward account and the pool's reward per point (scaled by 10^18) grows by
//!   `share / points`. A member's pending reward is `points × reward_per_point` less what it had
//!   already settled (`reward_debt`); `claim_pool_rewards` pays it, and `delegate` and
//!   `undelegate` pay it before they change the member's points. No call iterates members.
//! - **Income share.** The provider sets it with `set_pool_share`. A raise (or the share in
//!   force) applies from the next payment on. A cut waits in [`PendingShareCuts`] and applies
//!   only to payments from era `current + BondingDuration` on: members' stake backs the
//!   provider's collateral and shares its slashes, and they need `BondingDuration` eras to
//!   leave, so a provider must not attract delegations with a high share and cut it at once.
//!   Every member who undelegates when a cut is announced can withdraw by the time it applies.
//!   A later cut replaces a pending one (and waits from its own announcement), a raise cancels
//!   it. The cut is applied lazily, at the first payment (or `set_pool_share`) from its era on;
//!   [`Pallet::pool_income_share`] reports the share in force.
//! - **Leaving.** `undelegate(provider, points)` burns points for their current value, which
//!   leaves the pool's stake and waits in an unbonding chunk until era `current +
//!   BondingDuration` (still held on the pool account); `withdraw_delegation` pays the due chunks
//!   to the delegator, and a member left without points or chunks is removed (its deposit
//!   released). The provider closes an empty pool with `close_pool`, which releases its deposit,
//!   drops a pending share cut and returns what is left on the pool and reward accounts (the
//!   endowments and rounding dust) to it.
//! - **Slashes.** When pallet-compute slashes the provider's own stake by a fraction
//!   (`ProviderPools::on_provider_slashed`), the pool is slashed by the same fraction: the slash
//!   waits `SlashDeferDuration` eras in [`UnappliedPoolSlashes`] (it applies at once without a
//!   deferral or when the era's queue is full), `AdminOrigin` can
//!   `cancel_deferred_pool_slash`, and at the start of its era it takes `fraction × stake` from
//!   the pool's hold to the treasury. A pool slashed to nothing takes no new delegations; its
//!   members undelegate their points for nothing and leave.
//!
//! ## Limitations
//!
//! - No separate controller accounts, no reward destinations (rewards go to the free balance,
//!   re-bond them with `bond_extra`), no pools of nominators (provider pools back compute
//!   providers, not validators).
//! - Provider pools: unbonding chunks are not slashed, so a delegator who undelegates while a
//!   pool slash is deferred escapes it; a deferred slash takes its fraction of the stake the
//!   pool has when it applies, so delegations made during the deferral share it. A reward,
//!   unbonded funds or a claim that an account cannot receive (below the existential deposit)
//!   fails the call; the rounding dust of income stays on the reward account until the pool
//!   closes.
//! - A candidate accepts at most `MaxBackersPerValidator` nominators (`TooManyBackers` after);
//!   nominations of a candidate that stops validating stay (and count again if it comes back).
//! - Rewards are paid per page by anyone; an unclaimed page is lost after `HistoryDepth` eras.
//! - A staker whose account cannot receive a reward (for example reaped and the amount below the
//!   existential deposit) is skipped; the amount stays unpaid.
//! - Genesis: the runtime must build this pallet before `pallet-session` (give it the lower pallet
//!   index: genesis builds run in index order), so the genesis stakers
//!   are bonded when the session pallet asks for the first validator set.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod functions;
#[cfg(test)]
mod mock;
mod pools;
mod session;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

use sp_runtime::Perbill;

/// A genesis staker: `(stash, controller, bond, role)`.
pub type GenesisStaker<T> = (
	<T as frame_system::Config>::AccountId,
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	StakerStatus<<T as frame_system::Config>::AccountId>,
);

/// What staking asks of the session pallet (the runtime wires it to pallet-session and its
/// historical part; `()` does nothing).
pub trait SessionInterface<AccountId> {
	/// `validator` committed an offence of severity `fraction` in the active era: disable it
	/// (within the runtime's disabling limit) for the rest of the era.
	fn report_offence(validator: &AccountId, fraction: Perbill);
	/// No offence before session `session` can be slashed any more: forget the historical
	/// session roots that would prove one.
	fn prune_historical_up_to(session: SessionIndex);
}

impl<AccountId> SessionInterface<AccountId> for () {
	fn report_offence(_: &AccountId, _: Perbill) {}
	fn prune_historical_up_to(_: SessionIndex) {}
}

/// Makes accounts electable in benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `who` pass `HasSessionKeys` (register session keys for it).
	fn set_session_keys(who: &AccountId);
	/// Make `who` a registered compute provider (pass `Providers`), so it can open a pool. `who`
	/// is funded already; the helper may fund it further.
	fn make_provider(who: &AccountId);
}

#[cfg(feature = "runtime-benchmarks")]
impl<AccountId> BenchmarkHelper<AccountId> for () {
	fn set_session_keys(_who: &AccountId) {}
	fn make_provider(_who: &AccountId) {}
}

// The pallet macros expand storage and hook code that calls `expect`; the pallet's own logic
// lives in `functions.rs`, `pools.rs` and `session.rs`, where the lints apply.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, Inspect, Mutate},
			Contains, OnUnbalanced, UnixTime,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{Perbill, Perquintill, Saturating};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A stash's bond: active stake and unlocking chunks.
		Staking,
		/// Delegated stake of a provider pool, on the pool account: the pool's stake and its
		/// members' unbonding chunks.
		PoolStake,
		/// Storage deposits of provider pools (on the provider) and of pool members (on the
		/// delegator).
		PoolDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency: bonds are holds; rewards are minted and transferred, slashes taken from
		/// holds.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::BalancedHold<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Wall-clock time, for era durations (pallet-timestamp in the runtime).
		type UnixTime: UnixTime;

		/// The pallet's account, which holds era rewards until they are claimed.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The account whose balance (the protocol fees' staking share, fed by compute, the data
		/// market and credits) joins each era's reward.
		type RewardPot: Get<Self::AccountId>;

		/// Receives the treasury share of inflation, unclaimed rewards of expired eras and
		/// slashed funds.
		type Treasury: OnUnbalanced<CreditOf<Self>>;

		/// Governance: cancels deferred slashes, sets the validator count and the invulnerables.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Disables offenders and prunes historical session roots (pallet-session).
		type SessionInterface: SessionInterface<Self::AccountId>;

		/// Whether an account has session keys registered (candidates without keys are not
		/// elected).
		type HasSessionKeys: Contains<Self::AccountId>;

		/// The yearly inflation rate in year 0.
		type YearlyInflation: Get<Perquintill>;
		/// The fraction by which the yearly rate falls each year (0: flat; 50 %: halving).
		type InflationDecay: Get<Perquintill>;
		/// The lowest yearly rate.
		type MinInflation: Get<Perquintill>;
		/// The share of each era's inflation minted to the treasury.
		type InflationToTreasury: Get<Perbill>;
		/// With fewer validators elected, the current set stays.
		type MinimumValidatorCount: Get<u32>;
		/// The least active stake of a validator candidate.
		type MinValidatorBond: Get<BalanceOf<Self>>;
		/// The least active stake of a nominator, and the least bond.
		type MinNominatorBond: Get<BalanceOf<Self>>;
		/// The highest commission a candidate may set.
		type MaxCommission: Get<Perbill>;

		/// Sessions per era.
		#[pallet::constant]
		type SessionsPerEra: Get<SessionIndex>;
		/// Eras unbonded funds stay on hold (and slashable).
		#[pallet::constant]
		type BondingDuration: Get<EraIndex>;
		/// Eras a slash waits before it applies (less than `BondingDuration`).
		#[pallet::constant]
		type SlashDeferDuration: Get<EraIndex>;
		/// Eras whose rewards stay claimable.
		#[pallet::constant]
		type HistoryDepth: Get<u32>;
		/// The most validators elected (at most the session and consensus authority bounds).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// The most validator candidates.
		#[pallet::constant]
		type MaxValidatorCandidates: Get<u32>;
		/// The most nominators.
		#[pallet::constant]
		type MaxNominators: Get<u32>;
		/// The most targets per nominator.
		#[pallet::constant]
		type MaxNominations: Get<u32>;
		/// The most nominators per candidate.
		#[pallet::constant]
		type MaxBackersPerValidator: Get<u32>;
		/// Nominators paid per payout call.
		#[pallet::constant]
		type MaxExposurePageSize: Get<u32>;
		/// The most unlocking chunks per ledger.
		#[pallet::constant]
		type MaxUnlockingChunks: Get<u32>;
		/// The most unapplied slashes stored per era.
		#[pallet::constant]
		type MaxSlashesPerEra: Get<u32>;
		/// Era points for authoring a block (the runtime's authorship handler uses it).
		#[pallet::constant]
		type PointsPerBlock: Get<u32>;

		/// Weights of the calls and era transitions.
		type WeightInfo: WeightInfo;

		/// Registered compute providers (pallet-compute): only they open provider pools.
		type Providers: airtime_primitives::compute::ProviderRegistry<Self::AccountId>;
		/// The most members of one provider pool.
		#[pallet::constant]
		type MaxPoolMembers: Get<u32>;
		/// The least amount of a delegation to a provider pool.
		type MinDelegation: Get<BalanceOf<Self>>;
		/// The storage deposit a provider holds while its pool is open.
		#[pallet::constant]
		type PoolDeposit: Get<BalanceOf<Self>>;
		/// The storage deposit a delegator holds while it is a pool member.
		#[pallet::constant]
		type MemberDeposit: Get<BalanceOf<Self>>;

		/// Makes accounts electable (and providers) in benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// Bonded stashes.
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type Ledger<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, StakingLedger<T>>;

	/// Validator candidates and their preferences (at most `MaxValidatorCandidates`).
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type Validators<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, ValidatorPrefs>;

	/// Nominators and their targets (at most `MaxNominators`).
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type Nominators<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, Nominations<T>>;

	/// The nominators naming each account in their targets.
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type Backers<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<T::AccountId, T::MaxBackersPerValidator>,
	>;

	/// For each account named by nominators: the sum over those nominators of their active
	/// stake divided by their number of targets (the account's own stake is not included).
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type ApprovalStake<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	/// The latest planned era.
	#[pallet::storage]
	pub type CurrentEra<T: Config> = StorageValue<_, EraIndex>;

	/// The era being rewarded.
	#[pallet::storage]
	pub type ActiveEra<T: Config> = StorageValue<_, ActiveEraInfo>;

	/// The session each era starts at (kept for `HistoryDepth` eras).
	///
	/// Twox64Concat: era indexes are assigned by the chain.
	#[pallet::storage]
	pub type ErasStartSessionIndex<T: Config> = StorageMap<_, Twox64Concat, EraIndex, SessionIndex>;

	/// When the inflation curve started (ms since the Unix epoch): the first era's start.
	#[pallet::storage]
	pub type InflationStart<T: Config> = StorageValue<_, u64>;

	/// The protocol fees that joined the last ended era's reward and that era's duration in ms,
	/// for the runtime API's return estimate.
	#[pallet::storage]
	pub type LastEraFees<T: Config> = StorageValue<_, (BalanceOf<T>, u64)>;

	/// Each elected validator's stake in an era.
	///
	/// Twox64Concat on the era (assigned by the chain), Blake2_128Concat on the account.
	#[pallet::storage]
	pub type ErasStakersOverview<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EraIndex,
		Blake2_128Concat,
		T::AccountId,
		ExposureOverview<BalanceOf<T>>,
	>;

	/// The pages of each elected validator's nominators in an era.
	///
	/// Twox64Concat on the era and the page (assigned by the chain), Blake2_128Concat on the
	/// account.
	#[pallet::storage]
	pub type ErasStakersPaged<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, EraIndex>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, u32>,
		),
		BoundedVec<IndividualExposure<T::AccountId, BalanceOf<T>>, T::MaxExposurePageSize>,
	>;

	/// Each elected validator's preferences in an era (its commission when elected).
	///
	/// Twox64Concat on the era (assigned by the chain), Blake2_128Concat on the account.
	#[pallet::storage]
	pub type ErasValidatorPrefs<T: Config> =
		StorageDoubleMap<_, Twox64Concat, EraIndex, Blake2_128Concat, T::AccountId, ValidatorPrefs>;

	/// The validators elected for each era.
	///
	/// Twox64Concat: era indexes are assigned by the chain.
	#[pallet::storage]
	pub type ErasElected<T: Config> =
		StorageMap<_, Twox64Concat, EraIndex, BoundedVec<T::AccountId, T::MaxValidators>>;

	/// The points of each era.
	///
	/// Twox64Concat: era indexes are assigned by the chain.
	#[pallet::storage]
	pub type ErasRewardPoints<T: Config> =
		StorageMap<_, Twox64Concat, EraIndex, EraRewardPoints<T>>;

	/// The total reward of each ended era, on the pallet account until claimed.
	///
	/// Twox64Concat: era indexes are assigned by the chain.
	#[pallet::storage]
	pub type ErasValidatorReward<T: Config> = StorageMap<_, Twox64Concat, EraIndex, BalanceOf<T>>;

	/// What was paid of each era's reward.
	///
	/// Twox64Concat: era indexes are assigned by the chain.
	#[pallet::storage]
	pub type ErasRewardPaid<T: Config> =
		StorageMap<_, Twox64Concat, EraIndex, BalanceOf<T>, ValueQuery>;

	/// The pages already paid of each validator's exposure in an era.
	///
	/// Twox64Concat on the era (assigned by the chain), Blake2_128Concat on the account.
	#[pallet::storage]
	pub type ClaimedRewards<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EraIndex,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<u32, MaxPages<T>>,
		ValueQuery,
	>;

	/// Slashes waiting for the era (the key) in which they apply.
	///
	/// Twox64Concat: era indexes are assigned by the chain.
	#[pallet::storage]
	pub type UnappliedSlashes<T: Config> = StorageMap<
		_,
		Twox64Concat,
		EraIndex,
		BoundedVec<UnappliedSlash<T>, T::MaxSlashesPerEra>,
		ValueQuery,
	>;

	/// The highest fraction already slashed of each validator for offences in an era (so a new
	/// report slashes only the increase).
	///
	/// Twox64Concat on the era (assigned by the chain), Blake2_128Concat on the account.
	#[pallet::storage]
	pub type ValidatorSlashInEra<T: Config> =
		StorageDoubleMap<_, Twox64Concat, EraIndex, Blake2_128Concat, T::AccountId, Perbill>;

	/// The desired number of validators; at most `MaxValidators` are elected. Set at genesis and
	/// by `AdminOrigin` (`set_validator_count`).
	#[pallet::storage]
	pub type ValidatorCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Validators never slashed for offences (a young network's founding set). Set at genesis
	/// and by `AdminOrigin` (`set_invulnerables`).
	#[pallet::storage]
	pub type Invulnerables<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// All era inflation minted so far (to stakers and to the treasury). Total issuance minus
	/// this is what transactions, fees and burns made of the genesis supply.
	#[pallet::storage]
	pub type TotalInflationMinted<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Open provider pools, by provider.
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type Pools<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Pool<T>>;

	/// Pool members, by provider and delegator.
	///
	/// Blake2_128Concat on both: accounts are chosen by users.
	#[pallet::storage]
	pub type PoolMembers<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		PoolMember<T>,
	>;

	/// Pool slashes waiting for the era (the key) in which they apply.
	///
	/// Twox64Concat: era indexes are assigned by the chain.
	#[pallet::storage]
	pub type UnappliedPoolSlashes<T: Config> = StorageMap<
		_,
		Twox64Concat,
		EraIndex,
		BoundedVec<UnappliedPoolSlash<T>, T::MaxSlashesPerEra>,
		ValueQuery,
	>;

	/// Cuts of pools' income shares waiting for their era, by provider: `(income_share,
	/// from_era)`. `set_pool_share` lowers a share only from era `current + BondingDuration`, so
	/// every member who undelegates when the cut is announced can withdraw when it applies; the
	/// cut applies to the pool (`Pools`) at the first read of its share from `from_era` on (a
	/// payment to the provider or another `set_pool_share`). At most one per open pool (a new cut
	/// replaces it, a raise removes it), so the entries are bounded by the pools, which carry a
	/// deposit; removed when the pool closes. The pending share is always below the pool's.
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type PendingShareCuts<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (Perbill, EraIndex)>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Stashes bonded at genesis: `(stash, controller, bond, role)`. Airtime has no separate
		/// controllers, so the controller must equal the stash (the tuple keeps the layout that
		/// chain-spec tools such as zombienet write). Validators get zero commission; nominators'
		/// targets must be validators of this list.
		pub stakers: alloc::vec::Vec<GenesisStaker<T>>,
		/// The desired number of validators (at most `MaxValidators`).
		pub validator_count: u32,
		/// Validators never slashed for offences.
		pub invulnerables: alloc::vec::Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// The pallet account keeps the existential deposit so rewards never reap it.
			let account = Pallet::<T>::account_id();
			let ed = T::Currency::minimum_balance();
			let balance = T::Currency::balance(&account);
			if balance < ed {
				T::Currency::mint_into(&account, ed.saturating_sub(balance))
					.expect("the pallet account can be endowed at genesis");
			}
			assert!(
				self.validator_count <= T::MaxValidators::get(),
				"the genesis validator count is at most MaxValidators"
			);
			ValidatorCount::<T>::put(self.validator_count);
			Invulnerables::<T>::put(
				BoundedVec::<_, T::MaxValidators>::try_from(self.invulnerables.clone())
					.expect("at most MaxValidators genesis invulnerables"),
			);
			for (stash, controller, value, _) in &self.stakers {
				assert!(stash == controller, "a genesis staker's controller is its stash");
				Pallet::<T>::do_bond(stash.clone(), *value).expect("a genesis staker can bond");
			}
			for (stash, _, _, status) in &self.stakers {
				if let StakerStatus::Validator = status {
					Pallet::<T>::do_validate(stash.clone(), Perbill::zero())
						.expect("a genesis validator can validate");
				}
			}
			for (stash, _, _, status) in &self.stakers {
				if let StakerStatus::Nominator(targets) = status {
					let targets = BoundedVec::try_from(targets.clone())
						.expect("a genesis nominator names at most MaxNominations targets");
					Pallet::<T>::do_nominate(stash.clone(), targets)
						.expect("a genesis nominator can nominate");
				}
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A stash bonded `amount` more (`bond` or `bond_extra`).
		Bonded { stash: T::AccountId, amount: BalanceOf<T> },
		/// A stash started unlocking `amount`, withdrawable from `era`.
		Unbonded { stash: T::AccountId, amount: BalanceOf<T>, era: EraIndex },
		/// Unlocked funds left the hold.
		Withdrawn { stash: T::AccountId, amount: BalanceOf<T> },
		/// Unlocking funds were bonded again.
		Rebonded { stash: T::AccountId, amount: BalanceOf<T> },
		/// A stash became (or stayed) a validator candidate with these preferences.
		ValidatorPrefsSet { stash: T::AccountId, prefs: ValidatorPrefs },
		/// A stash nominated these candidates.
		Nominated { stash: T::AccountId, targets: BoundedVec<T::AccountId, T::MaxNominations> },
		/// A stash stopped validating or nominating.
		Chilled { stash: T::AccountId },
		/// A page of a validator's exposure in an era was paid.
		PayoutStarted { era: EraIndex, validator: T::AccountId, page: u32 },
		/// A staker received a reward for an era.
		Rewarded { stash: T::AccountId, era: EraIndex, amount: BalanceOf<T> },
		/// Governance cancelled a deferred slash (`era`: the era it was to apply in).
		SlashCancelled { era: EraIndex, validator: T::AccountId },
		/// An era was planned with `validators` elected.
		EraPlanned { era: EraIndex, validators: u32 },
		/// Too few of `candidates` candidates were electable: the current set stays.
		ElectionFailed { candidates: u32 },
		/// An era started.
		EraStarted { era: EraIndex },
		/// An era ended: `inflation` was minted, `to_stakers` (its share of inflation and the
		/// fees) is claimable, `to_treasury` went to the treasury; `from_fees` came from the
		/// reward pot.
		EraPaid {
			era: EraIndex,
			inflation: BalanceOf<T>,
			to_stakers: BalanceOf<T>,
			to_treasury: BalanceOf<T>,
			from_fees: BalanceOf<T>,
		},
		/// An offence was reported: the validator (and its nominators) will be slashed by
		/// `fraction` of their exposure in `slash_era`, in era `apply_era`.
		SlashReported {
			validator: T::AccountId,
			fraction: Perbill,
			slash_era: EraIndex,
			apply_era: EraIndex,
		},
		/// A staker's bond was slashed.
		Slashed { staker: T::AccountId, amount: BalanceOf<T> },
		/// An offence in a session older than the bonding duration (or unknown), or by an
		/// invulnerable validator, was ignored.
		OffenceIgnored { validator: T::AccountId, session: SessionIndex },
		/// `AdminOrigin` set the desired number of validators (from the next election).
		ValidatorCountSet { count: u32 },
		/// `AdminOrigin` replaced the invulnerables.
		InvulnerablesSet { invulnerables: BoundedVec<T::AccountId, T::MaxValidators> },
		/// A provider opened a pool, holding `deposit`.
		PoolOpened { provider: T::AccountId, income_share: Perbill, deposit: BalanceOf<T> },
		/// A provider set its pool's income share, at once: a raise, or the share in force (any
		/// pending cut was cancelled).
		PoolShareSet { provider: T::AccountId, income_share: Perbill },
		/// A delegator put `amount` into a provider's pool for `points` points.
		Delegated {
			provider: T::AccountId,
			delegator: T::AccountId,
			amount: BalanceOf<T>,
			points: BalanceOf<T>,
		},
		/// A delegator gave up `points` points worth `amount`, withdrawable from `era`.
		Undelegated {
			provider: T::AccountId,
			delegator: T::AccountId,
			points: BalanceOf<T>,
			amount: BalanceOf<T>,
			era: EraIndex,
		},
		/// Unbonded funds left a pool for the delegator.
		DelegationWithdrawn {
			provider: T::AccountId,
			delegator: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// A pool member was paid its share of the pool's income.
		PoolRewardPaid { provider: T::AccountId, delegator: T::AccountId, amount: BalanceOf<T> },
		/// A provider closed its empty pool.
		PoolClosed { provider: T::AccountId },
		/// A pool took `amount` of a payment to its provider.
		PoolIncome { provider: T::AccountId, amount: BalanceOf<T> },
		/// The provider's stake was slashed: its pool will lose `fraction` of its stake in
		/// `apply_era`.
		PoolSlashReported { provider: T::AccountId, fraction: Perbill, apply_era: EraIndex },
		/// A pool's stake was slashed by `amount`.
		PoolSlashed { provider: T::AccountId, amount: BalanceOf<T> },
		/// Governance cancelled a deferred pool slash (`era`: the era it was to apply in).
		PoolSlashCancelled { era: EraIndex, provider: T::AccountId },
		/// A provider cut its pool's income share: `income_share` applies to payments from era
		/// `from_era` on (the current era plus `BondingDuration`); until then the old share does.
		/// It replaces any earlier pending cut.
		PoolShareCutScheduled { provider: T::AccountId, income_share: Perbill, from_era: EraIndex },
		/// A scheduled cut of a pool's income share took effect: the pool now takes
		/// `income_share`.
		PoolShareCutApplied { provider: T::AccountId, income_share: Perbill },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is not bonded.
		NotBonded,
		/// The account is already bonded.
		AlreadyBonded,
		/// The active stake would be below the minimum of the role (chill first), or the bond
		/// below `MinNominatorBond`.
		InsufficientBond,
		/// The account cannot put the amount on hold and stay alive.
		InsufficientBalance,
		/// The amount must be above zero.
		ZeroAmount,
		/// The amount is more than the active stake.
		NotEnoughBonded,
		/// The ledger has `MaxUnlockingChunks` chunks: withdraw or wait for an era.
		TooManyUnlockingChunks,
		/// No unlocking chunk has reached its era.
		NothingToWithdraw,
		/// Nothing is unlocking.
		NothingToRebond,
		/// The commission is above `MaxCommission`.
		CommissionTooHigh,
		/// There are `MaxValidatorCandidates` candidates.
		TooManyCandidates,
		/// There are `MaxNominators` nominators.
		TooManyNominators,
		/// A nomination needs at least one target.
		EmptyTargets,
		/// A target is named twice.
		DuplicateTarget,
		/// A target is not a validator candidate.
		NotACandidate,
		/// A stash cannot nominate itself.
		NominatedSelf,
		/// A target has `MaxBackersPerValidator` nominators.
		TooManyBackers,
		/// The stash neither validates nor nominates.
		AlreadyChilled,
		/// The era has not ended yet.
		EraNotFinished,
		/// The era is older than `HistoryDepth`: its rewards are gone.
		EraTooOld,
		/// The validator was not elected in that era.
		NotElected,
		/// The validator's exposure has no such page.
		InvalidPage,
		/// The page was already paid.
		AlreadyClaimed,
		/// No slash indices given.
		EmptySlashIndices,
		/// Slash indices must be sorted and unique.
		NotSortedAndUnique,
		/// A slash index is out of range.
		InvalidSlashIndex,
		/// A balance overflowed.
		Overflow,
		/// The validator count exceeds `MaxValidators`.
		TooManyValidators,
		/// The validator count is below `MinimumValidatorCount` (or zero).
		TooFewValidators,
		/// The account is not a registered compute provider.
		NotAProvider,
		/// The provider already has an open pool.
		PoolExists,
		/// The provider has no open pool.
		NoPool,
		/// The delegation is below `MinDelegation`.
		DelegationTooSmall,
		/// The pool has `MaxPoolMembers` members.
		PoolFull,
		/// The account is not a member of the pool.
		NotAMember,
		/// The member has fewer points.
		NotEnoughPoints,
		/// The member has no pending reward.
		NothingToClaim,
		/// Only a pool without members can close.
		PoolHasMembers,
		/// The pool was slashed to nothing: it takes no delegations until its members leave.
		PoolWipedOut,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			// `on_finalize` reads the active era and writes its start once.
			T::DbWeight::get().reads_writes(2, 2)
		}

		fn on_finalize(_n: BlockNumberFor<T>) {
			Self::note_era_start();
		}

		fn integrity_test() {
			Self::check_config();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Bond `value`: hold it as stake. The stash can then validate or nominate.
		///
		/// Origin: signed, the stash, not bonded yet. `value` at least `MinNominatorBond`; the
		/// account must stay alive after the hold. Emits `Bonded`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::bond())]
		pub fn bond(origin: OriginFor<T>, value: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond(who, value)
		}

		/// Bond `max_additional` more (active at once; counts for nominations at once and for
		/// elections from the next one).
		///
		/// Origin: signed, a bonded stash. Emits `Bonded`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, max_additional: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_extra(who, max_additional)
		}

		/// Start unlocking `value` of the active stake: it stops counting at once and can be
		/// withdrawn from era `current + BondingDuration`.
		///
		/// Origin: signed, a bonded stash. A validator or nominator must keep its role's minimum
		/// active (chill first to unbond everything); an idle stash must keep nothing or at least
		/// `MinNominatorBond`. Emits `Unbonded`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>, value: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(who, value)
		}

		/// Release every unlocking chunk whose era has come. A ledger left empty is removed.
		///
		/// Origin: signed, a bonded stash. Emits `Withdrawn` (and `Chilled` if a removed ledger
		/// still had a role).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded(T::MaxUnlockingChunks::get()))]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let chunks = Self::do_withdraw_unbonded(who)?;
			Ok(Some(T::WeightInfo::withdraw_unbonded(chunks)).into())
		}

		/// Bond again up to `value` of the unlocking funds, newest chunks first.
		///
		/// Origin: signed, a bonded stash with unlocking funds. Emits `Rebonded`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::rebond(T::MaxUnlockingChunks::get()))]
		pub fn rebond(origin: OriginFor<T>, value: BalanceOf<T>) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let chunks = Self::do_rebond(who, value)?;
			Ok(Some(T::WeightInfo::rebond(chunks)).into())
		}

		/// Become a validator candidate (or change the commission). Nominations are dropped.
		///
		/// Origin: signed, a bonded stash with at least `MinValidatorBond` active. `commission`
		/// at most `MaxCommission`; at most `MaxValidatorCandidates` candidates. Emits
		/// `ValidatorPrefsSet`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::validate(T::MaxBackersPerValidator::get()))]
		pub fn validate(origin: OriginFor<T>, commission: Perbill) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_validate(who, commission)
		}

		/// Nominate `targets` (replacing earlier nominations); validating stops.
		///
		/// Origin: signed, a bonded stash with at least `MinNominatorBond` active. Targets: at
		/// least one, at most `MaxNominations` (a longer list fails to decode), no duplicates,
		/// not the stash itself, each a current candidate with room for another backer; at most
		/// `MaxNominators` nominators. Emits `Nominated`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::nominate(targets.len() as u32))]
		pub fn nominate(
			origin: OriginFor<T>,
			targets: BoundedVec<T::AccountId, T::MaxNominations>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_nominate(who, targets)
		}

		/// Stop validating or nominating from the next election on.
		///
		/// Origin: signed, a bonded stash that validates or nominates. Emits `Chilled`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::chill(T::MaxNominations::get()))]
		pub fn chill(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_chill(who)
		}

		/// Pay page `page` of `validator`'s exposure in `era`: page 0 pays the validator its
		/// commission and own share, every page its nominators' shares.
		///
		/// Origin: signed, anyone. `era` ended and at most `HistoryDepth` eras ago; the validator
		/// elected in it; the page exists and is unpaid. Emits `PayoutStarted` and a `Rewarded`
		/// per paid staker.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::payout_stakers(
			T::MaxExposurePageSize::get().saturating_add(1)
		))]
		pub fn payout_stakers(
			origin: OriginFor<T>,
			validator: T::AccountId,
			era: EraIndex,
			page: u32,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let stakers = Self::do_payout_stakers(validator, era, page)?;
			Ok(Some(T::WeightInfo::payout_stakers(stakers)).into())
		}

		/// Cancel deferred slashes waiting for `era` (the era they apply in), by index in
		/// [`UnappliedSlashes`].
		///
		/// Origin: `AdminOrigin`. Indices sorted, unique, in range. Emits a
		/// `SlashCancelled` per slash.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::cancel_deferred_slash(slash_indices.len() as u32))]
		pub fn cancel_deferred_slash(
			origin: OriginFor<T>,
			era: EraIndex,
			slash_indices: BoundedVec<u32, T::MaxSlashesPerEra>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_cancel_deferred_slash(era, slash_indices)
		}

		/// Set the desired number of validators, from the next election on.
		///
		/// Origin: `AdminOrigin`. `count` at most `MaxValidators` (`TooManyValidators`). Emits
		/// `ValidatorCountSet`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::set_validator_count())]
		pub fn set_validator_count(origin: OriginFor<T>, count: u32) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(count <= T::MaxValidators::get(), Error::<T>::TooManyValidators);
			// Fewer would fail every election and freeze eras (and with them withdrawals).
			ensure!(count >= T::MinimumValidatorCount::get().max(1), Error::<T>::TooFewValidators);
			ValidatorCount::<T>::put(count);
			Self::deposit_event(Event::ValidatorCountSet { count });
			Ok(())
		}

		/// Replace the validators that offences never slash.
		///
		/// Origin: `AdminOrigin`. At most `MaxValidators` accounts (enforced by decoding).
		/// Emits `InvulnerablesSet`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_invulnerables(invulnerables.len() as u32))]
		pub fn set_invulnerables(
			origin: OriginFor<T>,
			invulnerables: BoundedVec<T::AccountId, T::MaxValidators>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Invulnerables::<T>::put(invulnerables.clone());
			Self::deposit_event(Event::InvulnerablesSet { invulnerables });
			Ok(())
		}

		/// Open a provider pool that takes `income_share` of each payment to the provider.
		///
		/// Origin: signed, a registered compute provider (`Providers`) without an open pool.
		/// Holds `PoolDeposit` and moves the existential deposit to each of the pool and reward
		/// accounts that lacks it. Emits `PoolOpened`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::open_pool())]
		pub fn open_pool(origin: OriginFor<T>, income_share: Perbill) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_open_pool(who, income_share)
		}

		/// Set `income_share`, the share of each payment to the provider that its pool's members
		/// take.
		///
		/// A raise, or the share already in force, applies from the next payment on and cancels
		/// a pending cut (emits `PoolShareSet`). A cut waits in [`PendingShareCuts`] and applies
		/// to payments from era `current + BondingDuration` on, so members who undelegate when it
		/// is announced can withdraw when it applies; it replaces an earlier pending cut (emits
		/// `PoolShareCutScheduled`). A pending cut whose era has come is applied first (emits
		/// `PoolShareCutApplied`), so `income_share` is compared with the share in force.
		///
		/// Origin: signed, a provider with an open pool (`NoPool` otherwise).
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::set_pool_share())]
		pub fn set_pool_share(origin: OriginFor<T>, income_share: Perbill) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_pool_share(who, income_share)
		}

		/// Delegate `amount` to `provider`'s pool, for points at the pool's current value per
		/// point. Pays the member's pending reward first.
		///
		/// Origin: signed, the delegator. `amount` at least `MinDelegation`; the pool open, not
		/// slashed to nothing, with fewer than `MaxPoolMembers` members unless the delegator is
		/// one; the delegator keeps its account alive after `amount` and, as a new member,
		/// `MemberDeposit` on hold. Emits `Delegated` (and `PoolRewardPaid`).
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::delegate())]
		pub fn delegate(
			origin: OriginFor<T>,
			provider: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_delegate(who, provider, amount)
		}

		/// Give up `points` of the caller's points in `provider`'s pool: their value leaves the
		/// pool's stake and can be withdrawn from era `current + BondingDuration`. Pays the
		/// member's pending reward first.
		///
		/// Origin: signed, a member with at least `points` points and a free unbonding chunk
		/// (or one of the same era). Emits `Undelegated` (and `PoolRewardPaid`).
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::undelegate())]
		pub fn undelegate(
			origin: OriginFor<T>,
			provider: T::AccountId,
			points: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_undelegate(who, provider, points)
		}

		/// Pay the caller's due unbonding chunks in `provider`'s pool to its free balance. A
		/// member left without points or chunks is removed and its deposit released.
		///
		/// Origin: signed, a member with a chunk whose era has come. Emits
		/// `DelegationWithdrawn`.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::withdraw_delegation(T::MaxUnlockingChunks::get()))]
		pub fn withdraw_delegation(
			origin: OriginFor<T>,
			provider: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let chunks = Self::do_withdraw_delegation(who, provider)?;
			Ok(Some(T::WeightInfo::withdraw_delegation(chunks)).into())
		}

		/// Pay the caller its pending share of `provider`'s pool income.
		///
		/// Origin: signed, a member with a pending reward. Emits `PoolRewardPaid`.
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::claim_pool_rewards())]
		pub fn claim_pool_rewards(origin: OriginFor<T>, provider: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim_pool_rewards(who, provider)
		}

		/// Close the caller's pool: release its deposit and return what is left on the pool and
		/// reward accounts.
		///
		/// Origin: signed, a provider whose open pool has no members. Emits `PoolClosed`.
		#[pallet::call_index(18)]
		#[pallet::weight(T::WeightInfo::close_pool())]
		pub fn close_pool(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_close_pool(who)
		}

		/// Cancel deferred pool slashes waiting for `era` (the era they apply in), by index in
		/// [`UnappliedPoolSlashes`].
		///
		/// Origin: `AdminOrigin`. Indices sorted, unique, in range. Emits a
		/// `PoolSlashCancelled` per slash.
		#[pallet::call_index(19)]
		#[pallet::weight(T::WeightInfo::cancel_deferred_pool_slash(slash_indices.len() as u32))]
		pub fn cancel_deferred_pool_slash(
			origin: OriginFor<T>,
			era: EraIndex,
			slash_indices: BoundedVec<u32, T::MaxSlashesPerEra>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_cancel_deferred_pool_slash(era, slash_indices)
		}
	}
}
