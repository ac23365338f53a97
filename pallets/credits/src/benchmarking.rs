//! Benchmarks for pallet-credits: one per [`WeightInfo`] function, each in its worst case.
//!
//! Every benchmark builds its state through the pallet's own `do_*` functions (so records, holds
//! and freezes agree), at block 1 unless it needs time to pass. The tier table is replaced by
//! `MaxTiers` tiers of increasing thresholds and every service requires the top tier, so tier
//! checks walk the whole table. Payers hold the top tier and have a spending ceiling (so opening
//! and topping up read and write the budget); delegates draw on an allowance. Amounts are
//! multiples of [`unit`] (a thousand existential deposits), accounts are funded far beyond them.
//!
//! Channels whose vouchers a benchmark redeems are paid and signed by the account of
//! `T::BenchmarkHelper`, whose key signs the vouchers: with the runtime's standard scheme for
//! `redeem` and `cooperative_close_with_voucher`, with a scheme that recovers the public key
//! (ECDSA) for their `_recovering` twins. The two schemes sign as different
//! accounts.
//!
//! `cooperative_close` serves three weights: `cooperative_close` (no voucher),
//! `cooperative_close_with_voucher` and `cooperative_close_with_voucher_recovering`.

// Benchmarks are not runtime dispatch code: they panic on a setup that does not go as planned.
#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::unwrap_used,
	clippy::indexing_slicing
)]

use crate::*;
use airtime_primitives::credits::{SignedVoucher, Voucher};
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::H256;
use sp_runtime::traits::{One, Saturating, Zero};

const SEED: u32 = 0;
const METADATA: H256 = H256([0xcd; 32]);
const ENDPOINT: H256 = H256([0xef; 32]);
/// The channels an allowance covers.
const ALLOWED_CHANNELS: u32 = 10;

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event.into());
}

/// For calls whose own event is followed by others.
fn assert_has_event<T: Config>(event: Event<T>) {
	let event: <T as Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_has_event(event.into());
}

/// Go to block 1 (events are not recorded at block 0) and return it.
fn start<T: Config>() -> BlockNumberFor<T> {
	let now: BlockNumberFor<T> = 1u32.into();
	frame_system::Pallet::<T>::set_block_number(now);
	now
}

/// Go to block `n`.
fn go_to<T: Config>(n: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(n);
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn ed<T: Config>() -> BalanceOf<T> {
	<T::Currency as Inspect<T::AccountId>>::minimum_balance()
}

/// The base of every benchmark amount: a thousand existential deposits, at least 1 000.
fn unit<T: Config>() -> BalanceOf<T> {
	let floor: BalanceOf<T> = 1_000u32.into();
	ed::<T>().saturating_mul(1_000u32.into()).max(floor)
}

/// The price per call of every benchmark service.
fn price<T: Config>() -> BalanceOf<T> {
	unit::<T>()
}

/// What a benchmark channel locks when it opens (and what a top-up adds): a hundred calls.
fn amount<T: Config>() -> BalanceOf<T> {
	unit::<T>().saturating_mul(100u32.into())
}

/// The spending ceiling of benchmark payers and what their allowances cover: ten channels.
fn budget_limit<T: Config>() -> BalanceOf<T> {
	amount::<T>().saturating_mul(10u32.into())
}

/// A spending ceiling's period.
fn period<T: Config>() -> BlockNumberFor<T> {
	T::MaxChannelDuration::get()
}

/// Tier `tier`'s threshold (tier 1 is the lowest).
fn threshold<T: Config>(tier: u32) -> BalanceOf<T> {
	unit::<T>().saturating_mul(10u32.into()).saturating_mul(tier.into())
}

/// The top tier's threshold.
fn top_threshold<T: Config>() -> BalanceOf<T> {
	threshold::<T>(T::MaxTiers::get())
}

/// The top tier.
fn max_tier<T: Config>() -> TierLevel {
	TierLevel::try_from(T::MaxTiers::get()).unwrap_or(TierLevel::MAX)
}

/// Far more than any benchmark holds or freezes on one account.
fn plenty<T: Config>() -> BalanceOf<T> {
	unit::<T>()
		.saturating_add(T::ServiceDeposit::get())
		.saturating_add(T::RecordDeposit::get())
		.saturating_mul(1_000_000u32.into())
}

/// Set `who`'s free balance to [`plenty`].
fn fund<T: Config>(who: &T::AccountId) {
	<T::Currency as Mutate<T::AccountId>>::set_balance(who, plenty::<T>());
}

/// A funded account.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	fund::<T>(&who);
	who
}

/// `MaxTiers` tiers with the longest names and increasing thresholds.
fn tier_table<T: Config>() -> TiersOf<T> {
	let tiers: Vec<TierDefinition<BalanceOf<T>>> = (1..=T::MaxTiers::get())
		.map(|tier| TierDefinition {
			name: TierName::truncate_from(vec![b'T'; 32]),
			threshold: threshold::<T>(tier),
		})
		.collect();
	TiersOf::<T>::truncate_from(tiers)
}

/// Replace the tier table with [`tier_table`].
fn set_tier_table<T: Config>() {
	Tiers::<T>::put(tier_table::<T>());
}

/// Register a service of `owner` (funded beforehand) requiring the top tier.
fn register<T: Config>(owner: &T::AccountId) -> ServiceId {
	let service = NextServiceId::<T>::get();
	Pallet::<T>::do_register_service(
		owner.clone(),
		METADATA,
		ENDPOINT,
		price::<T>(),
		max_tier::<T>(),
	)
	.expect("the service is registered");
	service
}

/// Make `payer` the worst case for opening and topping up: funded, holding the top tier and
/// with a spending ceiling (so `charge_budget` reads and writes its record).
fn prepare_payer<T: Config>(payer: &T::AccountId) {
	fund::<T>(payer);
	Pallet::<T>::do_lock_for_tier(payer.clone(), top_threshold::<T>())
		.expect("the payer locks the top tier");
	Pallet::<T>::do_set_budget(payer.clone(), budget_limit::<T>(), period::<T>())
		.expect("the payer sets a spending ceiling");
}

/// When benchmark allowances expire.
fn allowance_expiry<T: Config>() -> BlockNumberFor<T> {
	now::<T>().saturating_add(T::MaxChannelDuration::get()).saturating_add(One::one())
}

/// Let `delegate` open channels from `owner` (funded beforehand).
fn allow<T: Config>(owner: &T::AccountId, delegate: &T::AccountId) {
	Pallet::<T>::do_approve(
		owner.clone(),
		delegate.clone(),
		budget_limit::<T>(),
		allowance_expiry::<T>(),
		ALLOWED_CHANNELS,
	)
	.expect("the owner approves the delegate");
}

/// The expiry of channels opened now: as late as allowed.
fn expiry<T: Config>() -> BlockNumberFor<T> {
	now::<T>().saturating_add(T::MaxChannelDuration::get())
}

/// An open benchmark channel.
struct Opened<T: Config> {
	/// The service's owner.
	owner: T::AccountId,
	service: ServiceId,
	channel: ChannelId,
	expiry: BlockNumberFor<T>,
}

/// Set the tier table, register a service requiring the top tier (its owner funded here) and
/// open a channel of [`amount`] to it, paid by `payer` (prepared here, see [`prepare_payer`])
/// and signed by `signer` (under an allowance when it is not the payer).
fn open<T: Config>(payer: &T::AccountId, signer: &T::AccountId) -> Opened<T> {
	set_tier_table::<T>();
	let owner = funded::<T>("owner", 0);
	let service = register::<T>(&owner);
	prepare_payer::<T>(payer);
	if signer != payer {
		allow::<T>(payer, signer);
	}
	let channel = NextChannelId::<T>::get();
	let expiry = expiry::<T>();
	Pallet::<T>::do_open_channel(payer.clone(), signer.clone(), service, amount::<T>(), expiry)
		.expect("the channel opens");
	Opened { owner, service, channel, expiry }
}

/// The benchmark helper's signature of `payload`, and its account: with a scheme that recovers
/// the public key if `recovering`, else with the standard one.
fn sign<T: Config>(recovering: bool, payload: &[u8]) -> (T::AccountId, T::Signature) {
	use crate::BenchmarkHelper as Helper;
	<T::BenchmarkHelper as Helper<T::AccountId, T::Signature>>::sign(recovering, payload)
}

/// The voucher of `total` on `channel`, signed by the benchmark helper (see [`sign`]), which
/// must sign as `signer`.
fn voucher<T: Config>(
	recovering: bool,
	channel: ChannelId,
	total: BalanceOf<T>,
	signer: &T::AccountId,
) -> SignedVoucherOf<T> {
	let channel_nonce = Channels::<T>::get(channel).map(|c| c.nonce).expect("the channel is open");
	let voucher = Voucher { genesis: Pallet::<T>::genesis_hash(), channel, channel_nonce, total };
	let (who, signature) = sign::<T>(recovering, &voucher.signing_payload());
	assert_eq!(&who, signer, "the benchmark helper signs with one account per scheme");
	SignedVoucher { voucher, signature }
}

/// A channel paid and signed by the benchmark helper's account for the scheme `recovering`
/// picks (see [`sign`]), on which a first voucher of one call's price was already redeemed (so
/// a later voucher pays a difference).
fn redeemed_channel<T: Config>(recovering: bool) -> (T::AccountId, Opened<T>) {
	let (payer, _) = sign::<T>(recovering, &[]);
	let opened = open::<T>(&payer, &payer);
	let first = voucher::<T>(recovering, opened.channel, price::<T>(), &payer);
	Pallet::<T>::do_redeem(opened.owner.clone(), opened.channel, first)
		.expect("the first voucher is redeemed");
	(payer, opened)
}

/// The `redeem` benchmarks' setup: a [`redeemed_channel`] and a voucher for the whole locked
/// amount, both signed with the scheme `recovering` picks.
fn redeem_setup<T: Config>(recovering: bool) -> (Opened<T>, SignedVoucherOf<T>) {
	let (payer, opened) = redeemed_channel::<T>(recovering);
	let signed = voucher::<T>(recovering, opened.channel, amount::<T>(), &payer);
	(opened, signed)
}

/// The `redeem` benchmarks' check: the whole locked amount is redeemed, the difference to the
/// first voucher paid to the owner less the fee.
fn assert_redeemed<T: Config>(opened: &Opened<T>) {
	let total = amount::<T>();
	let due = total.saturating_sub(price::<T>());
	let fee = T::ProtocolFee::get().mul_floor(due);
	assert_eq!(Channels::<T>::get(opened.channel).map(|c| c.redeemed), Some(total));
	assert_last_event::<T>(Event::VoucherRedeemed {
		channel: opened.channel,
		service: opened.service,
		total,
		paid: due.saturating_sub(fee),
		fee,
	});
}

/// The `cooperative_close_with_voucher` benchmarks' setup: a [`redeemed_channel`] of a retired
/// service and a final voucher one call below the locked amount, both signed with the scheme
/// `recovering` picks. Returns the payer too.
fn close_with_voucher_setup<T: Config>(
	recovering: bool,
) -> (T::AccountId, Opened<T>, SignedVoucherOf<T>) {
	let (payer, opened) = redeemed_channel::<T>(recovering);
	Pallet::<T>::do_retire_service(opened.owner.clone(), opened.service)
		.expect("the owner retires the service");
	let total = amount::<T>().saturating_sub(price::<T>());
	let signed = voucher::<T>(recovering, opened.channel, total, &payer);
	(payer, opened, signed)
}

/// The `cooperative_close_with_voucher` benchmarks' check: the final voucher is redeemed, the
/// rest (one call) refunded to `payer`, the channel and the retired service removed.
fn assert_closed_with_voucher<T: Config>(payer: T::AccountId, opened: Opened<T>) {
	let total = amount::<T>().saturating_sub(price::<T>());
	let due = total.saturating_sub(price::<T>());
	let fee = T::ProtocolFee::get().mul_floor(due);
	assert!(!Channels::<T>::contains_key(opened.channel));
	assert!(!Services::<T>::contains_key(opened.service));
	assert_has_event::<T>(Event::VoucherRedeemed {
		channel: opened.channel,
		service: opened.service,
		total,
		paid: due.saturating_sub(fee),
		fee,
	});
	assert_has_event::<T>(Event::ChannelClosed {
		channel: opened.channel,
		payer,
		redeemed: total,
		refunded: price::<T>(),
		cooperative: true,
	});
	assert_last_event::<T>(Event::ServiceRemoved { service: opened.service, owner: opened.owner });
}

#[benchmarks]
mod benchmarks {
	use super::*;

	// ------------------------------------------------------------------------ services

	/// The requirement is the top tier (its existence is checked against the table).
	#[benchmark]
	fn register_service() {
		start::<T>();
		set_tier_table::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let service = NextServiceId::<T>::get();
		let price = price::<T>();
		let tier = max_tier::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), METADATA, ENDPOINT, price, tier);

		assert!(Services::<T>::contains_key(service));
		assert_last_event::<T>(Event::ServiceRegistered {
			service,
			owner: caller,
			price_per_call: price,
			tier_required: tier,
			deposit: T::ServiceDeposit::get(),
		});
	}

	#[benchmark]
	fn set_service_price() {
		start::<T>();
		set_tier_table::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let service = register::<T>(&caller);
		let price = price::<T>().saturating_mul(2u32.into());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), service, price);

		assert_eq!(Services::<T>::get(service).map(|s| s.price_per_call), Some(price));
		assert_last_event::<T>(Event::ServicePriceSet { service, price_per_call: price });
	}

	/// No open channels: the record is removed and its deposit released at once.
	#[benchmark]
	fn retire_service() {
		start::<T>();
		set_tier_table::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let service = register::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), service);

		assert!(!Services::<T>::contains_key(service));
		assert_last_event::<T>(Event::ServiceRemoved { service, owner: caller });
	}

	// ------------------------------------------------------------------------ channels

	/// A service requiring the top tier of `MaxTiers`; the payer holds it (a tier lock to read
	/// and keep free) and has a spending ceiling to charge.
	#[benchmark]
	fn open_channel() {
		start::<T>();
		set_tier_table::<T>();
		let owner = funded::<T>("owner", 0);
		let service = register::<T>(&owner);
		let caller: T::AccountId = whitelisted_caller();
		prepare_payer::<T>(&caller);
		let channel = NextChannelId::<T>::get();
		let amount = amount::<T>();
		let expiry = expiry::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), service, amount, expiry);

		let nonce = Channels::<T>::get(channel).map(|c| c.nonce).expect("the channel is open");
		assert_eq!(Services::<T>::get(service).map(|s| s.open_channels), Some(1));
		assert_last_event::<T>(Event::ChannelOpened {
			channel,
			service,
			payer: caller.clone(),
			signer: caller,
			nonce,
			amount,
			price_per_call: price::<T>(),
			expiry,
		});
	}

	/// As `open_channel`, and the delegate draws on the payer's allowance.
	#[benchmark]
	fn open_channel_for() {
		start::<T>();
		set_tier_table::<T>();
		let owner = funded::<T>("owner", 0);
		let service = register::<T>(&owner);
		let payer: T::AccountId = account("payer", 0, SEED);
		prepare_payer::<T>(&payer);
		let caller: T::AccountId = whitelisted_caller();
		allow::<T>(&payer, &caller);
		let channel = NextChannelId::<T>::get();
		let amount = amount::<T>();
		let expiry = expiry::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), payer.clone(), service, amount, expiry);

		let nonce = Channels::<T>::get(channel).map(|c| c.nonce).expect("the channel is open");
		assert_eq!(
			Allowances::<T>::get(&payer, &caller).map(|a| a.channels_left),
			Some(ALLOWED_CHANNELS - 1)
		);
		assert_last_event::<T>(Event::ChannelOpened {
			channel,
			service,
			payer,
			signer: caller,
			nonce,
			amount,
			price_per_call: price::<T>(),
			expiry,
		});
	}

	/// By the delegate signer: its allowance and the payer's ceiling are charged.
	#[benchmark]
	fn top_up() {
		start::<T>();
		let payer: T::AccountId = account("payer", 0, SEED);
		let caller: T::AccountId = whitelisted_caller();
		let opened = open::<T>(&payer, &caller);
		let amount = amount::<T>();
		let locked = amount.saturating_add(amount);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), opened.channel, amount);

		assert_eq!(Channels::<T>::get(opened.channel).map(|c| c.locked), Some(locked));
		assert_eq!(
			Allowances::<T>::get(&payer, &caller).map(|a| a.remaining),
			Some(budget_limit::<T>().saturating_sub(locked))
		);
		assert_last_event::<T>(Event::ChannelToppedUp { channel: opened.channel, amount, locked });
	}

	/// One block after opening, to the latest expiry allowed.
	#[benchmark]
	fn extend_channel() {
		let now = start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let opened = open::<T>(&caller, &caller);
		go_to::<T>(now.saturating_add(One::one()));
		let expiry = expiry::<T>();
		assert!(expiry > opened.expiry);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), opened.channel, expiry);

		assert_eq!(Channels::<T>::get(opened.channel).map(|c| c.expiry), Some(expiry));
		assert_last_event::<T>(Event::ChannelExtended { channel: opened.channel, expiry });
	}

	/// A voucher for the whole locked amount after an earlier redemption, signed with the
	/// standard scheme: its signature is checked against the signer (the benchmark helper's
	/// account, also the payer), the difference paid to the owner and the fee to `OnFee`.
	#[benchmark]
	fn redeem() {
		start::<T>();
		let (opened, signed) = redeem_setup::<T>(false);

		#[extrinsic_call]
		_(RawOrigin::Signed(opened.owner.clone()), opened.channel, signed);

		assert_redeemed::<T>(&opened);
	}

	/// As `redeem`, signed with a scheme that recovers the public key (ECDSA in the runtime).
	#[benchmark]
	fn redeem_recovering() {
		start::<T>();
		let (opened, signed) = redeem_setup::<T>(true);

		#[extrinsic_call]
		redeem(RawOrigin::Signed(opened.owner.clone()), opened.channel, signed);

		assert_redeemed::<T>(&opened);
	}

	#[benchmark]
	fn request_close() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let opened = open::<T>(&caller, &caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), opened.channel);

		assert_eq!(Channels::<T>::get(opened.channel).map(|c| c.close_requested), Some(true));
		assert_last_event::<T>(Event::CloseRequested { channel: opened.channel });
	}

	/// Without a voucher: the channel is the last of a retired service, so closing it releases
	/// the funds and the deposit to the payer and removes the service record too.
	#[benchmark]
	fn cooperative_close() {
		start::<T>();
		let payer: T::AccountId = account("payer", 0, SEED);
		let opened = open::<T>(&payer, &payer);
		Pallet::<T>::do_retire_service(opened.owner.clone(), opened.service)
			.expect("the owner retires the service");

		#[extrinsic_call]
		_(RawOrigin::Signed(opened.owner.clone()), opened.channel, None);

		assert!(!Channels::<T>::contains_key(opened.channel));
		assert!(!Services::<T>::contains_key(opened.service));
		assert_has_event::<T>(Event::ChannelClosed {
			channel: opened.channel,
			payer,
			redeemed: Zero::zero(),
			refunded: amount::<T>(),
			cooperative: true,
		});
		assert_last_event::<T>(Event::ServiceRemoved {
			service: opened.service,
			owner: opened.owner,
		});
	}

	/// As `cooperative_close`, redeeming a final voucher signed with the standard scheme after
	/// an earlier redemption. The final total stays one call below the locked amount, so the
	/// payer still gets a rest back (the heavier case: a voucher for the whole amount leaves
	/// nothing to release).
	#[benchmark]
	fn cooperative_close_with_voucher() {
		start::<T>();
		let (payer, opened, signed) = close_with_voucher_setup::<T>(false);

		#[extrinsic_call]
		cooperative_close(RawOrigin::Signed(opened.owner.clone()), opened.channel, Some(signed));

		assert_closed_with_voucher::<T>(payer, opened);
	}

	/// As `cooperative_close_with_voucher`, signed with a scheme that recovers the public key
	/// (ECDSA in the runtime).
	#[benchmark]
	fn cooperative_close_with_voucher_recovering() {
		start::<T>();
		let (payer, opened, signed) = close_with_voucher_setup::<T>(true);

		#[extrinsic_call]
		cooperative_close(RawOrigin::Signed(opened.owner.clone()), opened.channel, Some(signed));

		assert_closed_with_voucher::<T>(payer, opened);
	}

	/// At the expiry, the last channel of a retired service: the service record goes too.
	#[benchmark]
	fn close() {
		start::<T>();
		let payer: T::AccountId = account("payer", 0, SEED);
		let opened = open::<T>(&payer, &payer);
		Pallet::<T>::do_retire_service(opened.owner.clone(), opened.service)
			.expect("the owner retires the service");
		go_to::<T>(opened.expiry);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), opened.channel);

		assert!(!Channels::<T>::contains_key(opened.channel));
		assert!(!Services::<T>::contains_key(opened.service));
		assert_has_event::<T>(Event::ChannelClosed {
			channel: opened.channel,
			payer,
			redeemed: Zero::zero(),
			refunded: amount::<T>(),
			cooperative: false,
		});
		assert_last_event::<T>(Event::ServiceRemoved {
			service: opened.service,
			owner: opened.owner,
		});
	}

	// ------------------------------------------------------------------------ budgets

	/// A new ceiling: its deposit is held (an update only rewrites the record).
	#[benchmark]
	fn set_budget() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let limit = budget_limit::<T>();
		let period = period::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), limit, period);

		assert_eq!(Budgets::<T>::get(&caller).map(|b| b.limit), Some(limit));
		assert_last_event::<T>(Event::BudgetSet { who: caller, limit, period });
	}

	#[benchmark]
	fn clear_budget() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		Pallet::<T>::do_set_budget(caller.clone(), budget_limit::<T>(), period::<T>())
			.expect("the caller sets a ceiling");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Budgets::<T>::contains_key(&caller));
		assert_last_event::<T>(Event::BudgetCleared { who: caller });
	}

	// ------------------------------------------------------------------------ allowances

	/// A new allowance: its deposit is held (a replacement keeps the old deposit).
	#[benchmark]
	fn approve() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let delegate: T::AccountId = account("delegate", 0, SEED);
		let amount = budget_limit::<T>();
		let expires = allowance_expiry::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), delegate.clone(), amount, expires, ALLOWED_CHANNELS);

		assert!(Allowances::<T>::contains_key(&caller, &delegate));
		assert_last_event::<T>(Event::AllowanceApproved {
			owner: caller,
			delegate,
			amount,
			expires,
			channels: ALLOWED_CHANNELS,
		});
	}

	#[benchmark]
	fn revoke() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let delegate: T::AccountId = account("delegate", 0, SEED);
		allow::<T>(&caller, &delegate);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), delegate.clone());

		assert!(!Allowances::<T>::contains_key(&caller, &delegate));
		assert_last_event::<T>(Event::AllowanceRevoked { owner: caller, delegate });
	}

	// ------------------------------------------------------------------------ tiers

	/// Adding to an existing lock that is partly unlocking: the freeze is raised over both
	/// parts and the new tier computed over the whole table.
	#[benchmark]
	fn lock_for_tier() {
		start::<T>();
		set_tier_table::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let unit = unit::<T>();
		Pallet::<T>::do_lock_for_tier(caller.clone(), top_threshold::<T>().saturating_add(unit))
			.expect("the caller locks");
		Pallet::<T>::do_unlock_tier(caller.clone(), unit).expect("the caller unlocks a part");
		let active = top_threshold::<T>().saturating_add(unit);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), unit);

		assert_eq!(
			TierLocks::<T>::get(&caller).map(|l| (l.active, l.unlocking)),
			Some((active, unit))
		);
		assert_last_event::<T>(Event::TierLocked {
			who: caller,
			amount: unit,
			active,
			tier: max_tier::<T>(),
		});
	}

	/// Part of the top tier's lock, over the whole table.
	#[benchmark]
	fn unlock_tier() {
		let now = start::<T>();
		set_tier_table::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		Pallet::<T>::do_lock_for_tier(caller.clone(), top_threshold::<T>())
			.expect("the caller locks");
		let unit = unit::<T>();
		let active = top_threshold::<T>().saturating_sub(unit);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), unit);

		assert_eq!(
			TierLocks::<T>::get(&caller).map(|l| (l.active, l.unlocking)),
			Some((active, unit))
		);
		assert_last_event::<T>(Event::TierUnlocking {
			who: caller,
			amount: unit,
			unlock_at: now.saturating_add(T::TierCooldown::get()),
			tier: Pallet::<T>::tier_for(active),
		});
	}

	/// A partial withdrawal: the active lock stays, so the freeze is lowered with `set_freeze`
	/// and the record rewritten. (A full one thaws and removes the record: the same accesses.)
	#[benchmark]
	fn withdraw_tier() {
		let now = start::<T>();
		set_tier_table::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let unit = unit::<T>();
		Pallet::<T>::do_lock_for_tier(caller.clone(), top_threshold::<T>().saturating_add(unit))
			.expect("the caller locks");
		Pallet::<T>::do_unlock_tier(caller.clone(), unit).expect("the caller unlocks a part");
		go_to::<T>(now.saturating_add(T::TierCooldown::get()));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert_eq!(
			TierLocks::<T>::get(&caller).map(|l| (l.active, l.unlocking)),
			Some((top_threshold::<T>(), BalanceOf::<T>::zero()))
		);
		assert_last_event::<T>(Event::TierWithdrawn { who: caller, amount: unit });
	}

	/// `MaxTiers` tiers with the longest names.
	#[benchmark]
	fn set_tiers() -> Result<(), BenchmarkError> {
		start::<T>();
		let origin = <T::TierOrigin as EnsureOrigin<T::RuntimeOrigin>>::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let tiers = tier_table::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, tiers.clone());

		assert_eq!(Tiers::<T>::get(), tiers);
		assert_last_event::<T>(Event::TiersSet { tiers: T::MaxTiers::get() });
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
