//! # Credits pallet: AI "minutes"
//!
//! Metered pay-per-call AI services paid without a transaction per call: a caller locks AIR in a
//! **payment channel** to one service and signs a cumulative **voucher** for every call; the
//! service keeps the latest voucher and redeems it whenever it likes. One `redeem` settles any
//! number of calls. On top: **spending ceilings** per period, **allowances** that let a team
//! member or an app key open channels from an account, and **token-gated tiers** (AIR frozen by
//! its holder, never moved) that services can require.
//!
//! ## Terminology
//!
//! - **Service**: an off-chain API (for example the worker's MLP inference) registered by its
//!   owner with a price per call and a required tier. Its owner redeems vouchers.
//! - **Payer**: the account whose funds a channel locks. **Signer**: the key whose signature the
//!   channel's vouchers carry: the payer itself, or the delegate that opened the channel under an
//!   allowance (so an app key signs per call while the funds stay on the owner's account).
//! - **Voucher**: `(genesis, channel, nonce, total)` signed by the signer
//!   ([`airtime_primitives::credits::Voucher`]); `total` is cumulative.
//! - **Tier**: governance defines tiers as thresholds of frozen AIR (Basic, Pro, Enterprise);
//!   an account's tier is the highest whose threshold its active lock reaches.
//!
//! ## A channel's life
//!
//! 1. **Open.** `open_channel(service, amount, expiry)` holds `amount` on the payer
//!    ([`HoldReason::ChannelFunds`]) plus a record deposit. The service must be active, the
//!    payer's tier must reach the service's requirement, the amount must pay for at least one
//!    call at the service's current price (which the channel keeps: later price changes do not
//!    touch it), the expiry must lie between `MinChannelDuration` and `MaxChannelDuration` from
//!    now, and the payer's spending ceiling must allow it. A delegate opens with
//!    `open_channel_for(owner, ..)`, drawing on the owner's allowance.
//! 2. **Use.** Off-chain, for each call the signer sends a voucher whose total covers every call
//!    so far. `top_up` adds funds (counted against the ceiling and any allowance);
//!    `extend_channel` moves the expiry later.
//! 3. **Redeem.** Before expiry the service's owner calls `redeem(channel, voucher)`. The chain
//!    checks the signature against the channel's signer, the genesis hash, channel id and nonce,
//!    that the total exceeds what was already redeemed and does not exceed what was locked; it
//!    pays the difference to the owner less the protocol fee (to `OnFee`). Older vouchers are
//!    worthless once a newer one is redeemed.
//! 4. **Close.** From the expiry anyone may `close`: the unredeemed rest and the deposit go back
//!    to the payer. Earlier, the payer can `request_close`, and the service closes it with
//!    `cooperative_close(channel, final_voucher)`, redeeming its last voucher and returning the
//!    rest at once (a service may also do so unasked: giving up a lock only helps the payer).
//!
//! The caller's exposure on a channel is never more than the latest total it signed, nor more
//! than it locked; the service's income is guaranteed up to the latest voucher as long as it
//! redeems before the expiry (the worker redeems on a schedule and whenever an expiry nears).
//!
//! ## Budgets and allowances
//!
//! `set_budget(limit, period)` caps what the account may lock into channels per period of
//! blocks (opening and topping up, its own calls and its delegates' alike); the period restarts
//! when it has run out. `approve(delegate, amount, expires, max_channels)` lets `delegate` lock up
//! to `amount` of the owner's funds into at most `max_channels` new channels before `expires`;
//! `revoke` ends it. Both records carry a deposit.
//!
//! ## Tiers
//!
//! `lock_for_tier(amount)` freezes `amount` more ([`FreezeReason::TierLock`]); the funds stay on
//! the account but cannot leave it. `unlock_tier(amount)` stops `amount` counting at once and
//! starts a `TierCooldown`; `withdraw_tier` thaws it after the cool-down. Governance replaces the
//! tier table with `set_tiers` (`TierOrigin`); tiers are recomputed from the table on every read,
//! so no account record needs migrating. The runtime API `can_call(who, service)` tells a
//! service in one call whether a caller qualifies, and `tier_of(who)` what tier it holds.
//!
//! ## Design notes
//!
//! - Unidirectional channels with cumulative vouchers, not per-call transactions: a call costs
//!   the service one signature check off-chain; the chain sees one `redeem` per settlement.
//! - The nonce is the opening block: with the genesis hash and the never-reused channel id it
//!   pins a voucher to one channel on one chain, even if the id counter were ever reset by a
//!   migration.
//! - Redeemed funds move from the payer's hold with `Fortitude::Force`: a payer cannot block
//!   what it owes by freezing or locking the held funds for something else. Opening and topping
//!   up require the payer's free balance after the hold to still cover its tier lock, so channel
//!   payments never eat into the funds that back a tier.
//! - A tier lock needs no storage deposit: it freezes at least the lowest tier's threshold when
//!   made, and an unlock leaves either nothing or at least that threshold active.
//! - Nothing happens in hooks: expiries are acted on by calls of whoever is owed money.
//! - `redeem` and `cooperative_close` are weighed by their voucher's signature scheme
//!   ([`SignatureCost`]), which the arguments show before dispatch: a key-recovering ECDSA
//!   signature is charged its own benchmark, sr25519 and ed25519 the standard one (on the
//!   benchmark machine the two checks cost about the same: see `weights.rs`).
//!
//! ## Limitations
//!
//! - A service that fails to redeem before the expiry loses what it did not redeem; callers are
//!   protected, services must watch their channels (the worker does).
//! - Channels are unidirectional: the service never owes the caller.
//! - Governance raising the thresholds can leave old locks below the lowest tier (tier 0) until
//!   their holders top up or unlock.
//! - The channel-list views collect a payer's or a service's channel ids before paging (the map
//!   is hashed), so their cost grows with the number of open channels of that payer or service;
//!   each channel carries a deposit.
//! - A payer's other holds (compute, the data market) can still overlap frozen tier funds, as
//!   fungible freezes allow; `tier_of` therefore counts at most the account's total balance.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod functions;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use airtime_primitives::credits::{ChannelId, ServiceId, SignatureCost, TierLevel};
pub use types::*;
pub use weights::WeightInfo;

/// Produces signed vouchers for benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Signature> {
	/// A signer's account and its signature of `payload`: with a scheme that recovers the public
	/// key from the signature ([`SignatureCost::recovers_key`]) if `recovering`, else with the
	/// runtime's standard scheme. The two may sign as different
	/// accounts, but each always as the same one.
	fn sign(recovering: bool, payload: &[u8]) -> (AccountId, Signature);
}

// The pallet macros expand storage and hook code that calls `expect`; the pallet's own logic
// lives in `functions.rs`, where the lints apply.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, BalancedHold, MutateFreeze, MutateHold},
			OnUnbalanced,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;
	use sp_runtime::{
		traits::{IdentifyAccount, Verify},
		Perbill,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A channel's unredeemed funds, on the payer.
		ChannelFunds,
		/// Deposits for service, channel, budget and allowance records.
		StorageDeposit,
	}

	/// Why the pallet freezes funds.
	#[pallet::composite_enum]
	pub enum FreezeReason {
		/// Funds frozen to reach a tier.
		TierLock,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency: channel funds and deposits are holds, tier locks freezes.
		type Currency: fungible::Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>
			+ MutateFreeze<Self::AccountId, Id = Self::RuntimeFreezeReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The overarching freeze reason.
		type RuntimeFreezeReason: From<FreezeReason>;

		/// The signature vouchers carry, checked against the channel's signer; the calls that
		/// check one are weighed by its scheme.
		type Signature: Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>
			+ Parameter
			+ SignatureCost;

		/// Sets the tier table.
		type TierOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Receives the protocol fee of each redemption.
		type OnFee: OnUnbalanced<CreditOf<Self>>;

		/// Fee taken from what a service redeems.
		#[pallet::constant]
		type ProtocolFee: Get<Perbill>;
		/// Deposit for a service record.
		#[pallet::constant]
		type ServiceDeposit: Get<BalanceOf<Self>>;
		/// Deposit for a channel, budget or allowance record.
		#[pallet::constant]
		type RecordDeposit: Get<BalanceOf<Self>>;
		/// The shortest channel, in blocks from opening to expiry.
		#[pallet::constant]
		type MinChannelDuration: Get<BlockNumberFor<Self>>;
		/// The longest channel (also the furthest an extension may move the expiry from now).
		#[pallet::constant]
		type MaxChannelDuration: Get<BlockNumberFor<Self>>;
		/// Blocks between `unlock_tier` and `withdraw_tier`.
		#[pallet::constant]
		type TierCooldown: Get<BlockNumberFor<Self>>;
		/// The most tiers (at most 255).
		#[pallet::constant]
		type MaxTiers: Get<u32>;
		/// The most channels one page of the runtime API's channel lists returns.
		#[pallet::constant]
		type MaxPageSize: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Signs vouchers in benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId, Self::Signature>;
	}

	/// The next service id.
	#[pallet::storage]
	pub type NextServiceId<T: Config> = StorageValue<_, ServiceId, ValueQuery>;

	/// Registered services.
	///
	/// Twox64Concat: ids are sequential and assigned by the chain.
	#[pallet::storage]
	pub type Services<T: Config> = StorageMap<_, Twox64Concat, ServiceId, Service<T>>;

	/// The next channel id.
	#[pallet::storage]
	pub type NextChannelId<T: Config> = StorageValue<_, ChannelId, ValueQuery>;

	/// Open channels.
	///
	/// Twox64Concat: ids are sequential and assigned by the chain.
	#[pallet::storage]
	pub type Channels<T: Config> = StorageMap<_, Twox64Concat, ChannelId, Channel<T>>;

	/// Index of open channels by payer (covered by the channel's deposit).
	///
	/// Blake2_128Concat on the account (chosen by users; listed by prefix), Twox64Concat on the
	/// channel id (assigned by the chain).
	#[pallet::storage]
	pub type PayerChannels<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, ChannelId, ()>;

	/// Index of open channels by service (covered by the channel's deposit).
	///
	/// Twox64Concat on both: ids are assigned by the chain.
	#[pallet::storage]
	pub type ServiceChannels<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ServiceId, Twox64Concat, ChannelId, ()>;

	/// Accounts' spending ceilings.
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type Budgets<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Budget<T>>;

	/// Allowances: owner, then delegate.
	///
	/// Blake2_128Concat on both: accounts are chosen by users.
	#[pallet::storage]
	pub type Allowances<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		Allowance<T>,
	>;

	/// Accounts' tier locks.
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type TierLocks<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, TierLock<BalanceOf<T>, BlockNumberFor<T>>>;

	/// The tier table, lowest threshold first: tier `n` is entry `n - 1`.
	#[pallet::storage]
	pub type Tiers<T: Config> = StorageValue<_, TiersOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The tier table: names and thresholds, strictly increasing.
		pub tiers: alloc::vec::Vec<(alloc::vec::Vec<u8>, BalanceOf<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let tiers = Pallet::<T>::tier_table(self.tiers.clone())
				.expect("the genesis tier table is valid");
			Tiers::<T>::put(tiers);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A service was registered.
		ServiceRegistered {
			service: ServiceId,
			owner: T::AccountId,
			price_per_call: BalanceOf<T>,
			tier_required: TierLevel,
			deposit: BalanceOf<T>,
		},
		/// A service's price changed (for channels opened from now on).
		ServicePriceSet { service: ServiceId, price_per_call: BalanceOf<T> },
		/// A service stopped taking new channels.
		ServiceRetired { service: ServiceId },
		/// A retired service's last channel closed: the record is gone, the deposit returned.
		ServiceRemoved { service: ServiceId, owner: T::AccountId },
		/// A channel was opened.
		ChannelOpened {
			channel: ChannelId,
			service: ServiceId,
			payer: T::AccountId,
			signer: T::AccountId,
			nonce: u32,
			amount: BalanceOf<T>,
			price_per_call: BalanceOf<T>,
			expiry: BlockNumberFor<T>,
		},
		/// More funds were locked in a channel.
		ChannelToppedUp { channel: ChannelId, amount: BalanceOf<T>, locked: BalanceOf<T> },
		/// A channel's expiry moved.
		ChannelExtended { channel: ChannelId, expiry: BlockNumberFor<T> },
		/// A service redeemed a voucher: `paid` reached its owner, `fee` the protocol.
		VoucherRedeemed {
			channel: ChannelId,
			service: ServiceId,
			total: BalanceOf<T>,
			paid: BalanceOf<T>,
			fee: BalanceOf<T>,
		},
		/// The payer asked the service to close a channel early.
		CloseRequested { channel: ChannelId },
		/// A channel closed: `refunded` went back to the payer.
		ChannelClosed {
			channel: ChannelId,
			payer: T::AccountId,
			redeemed: BalanceOf<T>,
			refunded: BalanceOf<T>,
			cooperative: bool,
		},
		/// An account set its spending ceiling.
		BudgetSet { who: T::AccountId, limit: BalanceOf<T>, period: BlockNumberFor<T> },
		/// An account removed its spending ceiling.
		BudgetCleared { who: T::AccountId },
		/// An owner let a delegate open channels from its account.
		AllowanceApproved {
			owner: T::AccountId,
			delegate: T::AccountId,
			amount: BalanceOf<T>,
			expires: BlockNumberFor<T>,
			channels: u32,
		},
		/// An owner ended an allowance.
		AllowanceRevoked { owner: T::AccountId, delegate: T::AccountId },
		/// An account froze more funds for its tier.
		TierLocked {
			who: T::AccountId,
			amount: BalanceOf<T>,
			active: BalanceOf<T>,
			tier: TierLevel,
		},
		/// An account started unlocking tier funds; they no longer count.
		TierUnlocking {
			who: T::AccountId,
			amount: BalanceOf<T>,
			unlock_at: BlockNumberFor<T>,
			tier: TierLevel,
		},
		/// Unlocked tier funds were thawed.
		TierWithdrawn { who: T::AccountId, amount: BalanceOf<T> },
		/// Governance replaced the tier table.
		TiersSet { tiers: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such service.
		UnknownService,
		/// No such channel.
		UnknownChannel,
		/// Only the service's owner may do this.
		NotServiceOwner,
		/// Only the channel's payer or signer may do this.
		NotChannelParty,
		/// Only the channel's payer may do this.
		NotPayer,
		/// The service takes no new channels.
		ServiceRetired,
		/// The service is already retired.
		AlreadyRetired,
		/// The required tier does not exist.
		UnknownTier,
		/// The payer's tier is below the service's requirement.
		TierTooLow,
		/// A price per call must be above zero.
		ZeroPrice,
		/// The amount does not pay for one call.
		AmountBelowPrice,
		/// The amount must be above zero.
		ZeroAmount,
		/// The expiry is closer than `MinChannelDuration` or further than `MaxChannelDuration`.
		ExpiryOutOfRange,
		/// An extension must move the expiry later.
		ExpiryNotLater,
		/// The channel has expired: it can only be closed.
		ChannelExpired,
		/// The channel has not expired yet.
		ChannelNotExpired,
		/// The voucher is for another chain.
		WrongChain,
		/// The voucher is for another channel.
		WrongChannel,
		/// The voucher carries another nonce than the channel's.
		WrongNonce,
		/// The signature is not the channel signer's signature of the voucher.
		BadSignature,
		/// The voucher's total is not above what was already redeemed.
		StaleVoucher,
		/// The voucher's total is above what the channel locked.
		VoucherExceedsLock,
		/// The account cannot put the amount on hold (including what backs its tier lock).
		InsufficientBalance,
		/// The spending ceiling for the current period would be exceeded.
		BudgetExceeded,
		/// The account has no spending ceiling.
		NoBudget,
		/// A budget period must be at least one block.
		ZeroPeriod,
		/// No allowance from this owner to this delegate.
		NoAllowance,
		/// The allowance has expired.
		AllowanceExpired,
		/// The allowance does not cover the amount.
		AllowanceExceeded,
		/// The allowance's channel count is used up.
		AllowanceChannelsUsed,
		/// An allowance must expire in the future.
		AllowanceExpiryInPast,
		/// An account cannot be its own delegate.
		SelfDelegation,
		/// No tiers are defined.
		NoTiers,
		/// The active lock would stay below the lowest tier.
		BelowLowestTier,
		/// Nothing is locked for a tier.
		NoTierLock,
		/// The amount is more than the active tier lock.
		UnlockExceedsLock,
		/// Nothing is unlocking, or the cool-down has not passed.
		NothingToWithdraw,
		/// Tier thresholds must be above zero and strictly increasing, names at most 32 bytes.
		BadTierTable,
		/// More tiers than `MaxTiers`.
		TooManyTiers,
		/// A counter or balance overflowed.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			Pallet::<T>::check_config();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a service.
		///
		/// Origin: signed, the service's owner; pays `ServiceDeposit`. `price_per_call` above
		/// zero; `tier_required` 0 (none) or a defined tier. Emits `ServiceRegistered`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_service())]
		pub fn register_service(
			origin: OriginFor<T>,
			metadata_hash: H256,
			endpoint_hash: H256,
			price_per_call: BalanceOf<T>,
			tier_required: TierLevel,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_service(
				who,
				metadata_hash,
				endpoint_hash,
				price_per_call,
				tier_required,
			)
		}

		/// Change a service's price per call; channels already open keep theirs.
		///
		/// Origin: signed, the service's owner. Emits `ServicePriceSet`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_service_price())]
		pub fn set_service_price(
			origin: OriginFor<T>,
			service: ServiceId,
			price_per_call: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_service_price(who, service, price_per_call)
		}

		/// Stop taking new channels. Open channels work until they close; the record and its
		/// deposit go when the last one does (at once if none is open).
		///
		/// Origin: signed, the service's owner. Emits `ServiceRetired` (and `ServiceRemoved`).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::retire_service())]
		pub fn retire_service(origin: OriginFor<T>, service: ServiceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_retire_service(who, service)
		}

		/// Open a channel to `service`, locking `amount` until `expiry` (a block number).
		///
		/// Origin: signed, the payer and signer; pays `RecordDeposit`. Checks the service, the
		/// payer's tier, the price, the expiry range and the payer's ceiling. Emits
		/// `ChannelOpened`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::open_channel())]
		pub fn open_channel(
			origin: OriginFor<T>,
			service: ServiceId,
			amount: BalanceOf<T>,
			expiry: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_open_channel(who.clone(), who, service, amount, expiry)
		}

		/// Open a channel paid by `owner` under its allowance to the caller; the caller signs
		/// its vouchers.
		///
		/// Origin: signed, a delegate of `owner`. As `open_channel`, and the allowance must be
		/// live and cover the amount and one more channel. Emits `ChannelOpened`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::open_channel_for())]
		pub fn open_channel_for(
			origin: OriginFor<T>,
			owner: T::AccountId,
			service: ServiceId,
			amount: BalanceOf<T>,
			expiry: BlockNumberFor<T>,
		) -> DispatchResult {
			let delegate = ensure_signed(origin)?;
			Self::do_open_channel(owner, delegate, service, amount, expiry)
		}

		/// Lock `amount` more in a channel that has not expired, of a service not retired.
		///
		/// Origin: signed, the payer, or the delegate signer (drawing on its allowance). Counts
		/// against the payer's ceiling. Emits `ChannelToppedUp`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(
			origin: OriginFor<T>,
			channel: ChannelId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_top_up(who, channel, amount)
		}

		/// Move a channel's expiry later (at most `MaxChannelDuration` from now); not for a
		/// retired service's channels.
		///
		/// Origin: signed, the payer (a delegate cannot keep the owner's funds locked). Emits
		/// `ChannelExtended`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::extend_channel())]
		pub fn extend_channel(
			origin: OriginFor<T>,
			channel: ChannelId,
			expiry: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_extend_channel(who, channel, expiry)
		}

		/// Redeem a voucher: pay the service the difference between its total and what was
		/// already redeemed, less the protocol fee.
		///
		/// Origin: signed, the service's owner, before the channel's expiry. Emits
		/// `VoucherRedeemed`.
		///
		/// Weight: by the voucher's signature scheme ([`Pallet::redeem_weight`]): a signature
		/// that recovers the key (ECDSA) costs more to check than sr25519 or ed25519.
		#[pallet::call_index(7)]
		#[pallet::weight(Pallet::<T>::redeem_weight(voucher))]
		pub fn redeem(
			origin: OriginFor<T>,
			channel: ChannelId,
			voucher: SignedVoucherOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_redeem(who, channel, voucher)
		}

		/// Ask the service to close a channel before its expiry.
		///
		/// Origin: signed, the payer or signer. Emits `CloseRequested`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::request_close())]
		pub fn request_close(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_request_close(who, channel)
		}

		/// Close a channel early: redeem the final voucher, if any, and return the rest.
		///
		/// Origin: signed, the service's owner. Emits `VoucherRedeemed` (with a voucher) and
		/// `ChannelClosed`.
		///
		/// Weight: by whether a voucher comes and by its signature scheme
		/// ([`Pallet::cooperative_close_weight`]), all known before dispatch.
		#[pallet::call_index(9)]
		#[pallet::weight(Pallet::<T>::cooperative_close_weight(voucher.as_ref()))]
		pub fn cooperative_close(
			origin: OriginFor<T>,
			channel: ChannelId,
			voucher: Option<SignedVoucherOf<T>>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_cooperative_close(who, channel, voucher)?;
			Ok(().into())
		}

		/// Close an expired channel: the rest and the deposit go back to the payer.
		///
		/// Origin: signed, anyone. Emits `ChannelClosed` (and `ServiceRemoved` for a retired
		/// service's last channel).
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::close())]
		pub fn close(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_close(channel)
		}

		/// Set a spending ceiling: at most `limit` locked into channels per `period` blocks. A
		/// new ceiling applies at once to the current period.
		///
		/// Origin: signed; pays `RecordDeposit` for a new record. Emits `BudgetSet`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_budget())]
		pub fn set_budget(
			origin: OriginFor<T>,
			limit: BalanceOf<T>,
			period: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_budget(who, limit, period)
		}

		/// Remove the spending ceiling and get the deposit back.
		///
		/// Origin: signed. Emits `BudgetCleared`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::clear_budget())]
		pub fn clear_budget(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_clear_budget(who)
		}

		/// Let `delegate` lock up to `amount` of the caller's funds into at most `max_channels`
		/// new channels before block `expires`. Replaces an earlier allowance to the delegate.
		///
		/// Origin: signed, the owner; pays `RecordDeposit` for a new record. Emits
		/// `AllowanceApproved`.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::approve())]
		pub fn approve(
			origin: OriginFor<T>,
			delegate: T::AccountId,
			amount: BalanceOf<T>,
			expires: BlockNumberFor<T>,
			max_channels: u32,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_approve(owner, delegate, amount, expires, max_channels)
		}

		/// End an allowance and get its deposit back. Channels the delegate opened stay open.
		///
		/// Origin: signed, the owner. Emits `AllowanceRevoked`.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(origin: OriginFor<T>, delegate: T::AccountId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_revoke(owner, delegate)
		}

		/// Freeze `amount` more for a tier. The active lock must reach at least the lowest tier
		/// and the account's free balance must cover everything frozen for tiers.
		///
		/// Origin: signed. Emits `TierLocked`.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::lock_for_tier())]
		pub fn lock_for_tier(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_lock_for_tier(who, amount)
		}

		/// Stop `amount` of the active lock counting (the tier drops at once) and start the
		/// cool-down; a second unlock adds to the amount and restarts the cool-down. What stays
		/// active must be nothing or at least the lowest tier's threshold.
		///
		/// Origin: signed. Emits `TierUnlocking`.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::unlock_tier())]
		pub fn unlock_tier(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unlock_tier(who, amount)
		}

		/// Thaw what finished its cool-down.
		///
		/// Origin: signed. Emits `TierWithdrawn`.
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::withdraw_tier())]
		pub fn withdraw_tier(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_tier(who)
		}

		/// Replace the tier table: names and thresholds, thresholds above zero and strictly
		/// increasing (tier 1 first). Accounts' tiers follow at once; services requiring a tier
		/// that no longer exists take no new channels until the table grows again.
		///
		/// Origin: `TierOrigin`. Emits `TiersSet`.
		#[pallet::call_index(18)]
		#[pallet::weight(T::WeightInfo::set_tiers())]
		pub fn set_tiers(origin: OriginFor<T>, tiers: TiersOf<T>) -> DispatchResult {
			T::TierOrigin::ensure_origin(origin)?;
			Self::check_tier_table(&tiers)?;
			let count = tiers.len() as u32;
			Tiers::<T>::put(tiers);
			Self::deposit_event(Event::TiersSet { tiers: count });
			Ok(())
		}
	}
}
