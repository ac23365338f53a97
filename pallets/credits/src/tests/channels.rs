#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Channels: `open_channel`, `top_up`, `extend_channel`, `redeem`, `request_close`,
//! `cooperative_close` and `close`, with the money flows of each.

use super::*;
use crate::{Error, PayerChannels, ServiceChannels, SignatureCost, WeightInfo};
use airtime_primitives::credits::{SignedVoucher, Voucher};
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::fungible::Mutate};
use sp_runtime::DispatchResult;

type VoucherOf = crate::SignedVoucherOf<Test>;

fn redeem(who: AccountId, id: ChannelId, signed_voucher: VoucherOf) -> DispatchResult {
	Credits::redeem(signed(who), id, signed_voucher)
}

fn top_up(who: AccountId, id: ChannelId, amount: Balance) -> DispatchResult {
	Credits::top_up(signed(who), id, amount)
}

fn extend(who: AccountId, id: ChannelId, expiry: u64) -> DispatchResult {
	Credits::extend_channel(signed(who), id, expiry)
}

fn request_close(who: AccountId, id: ChannelId) -> DispatchResult {
	Credits::request_close(signed(who), id)
}

fn close(who: AccountId, id: ChannelId) -> DispatchResult {
	Credits::close(signed(who), id)
}

fn set_free(who: AccountId, amount: Balance) {
	let _ = <Balances as Mutate<AccountId>>::set_balance(&who, amount);
	assert_eq!(free(who), amount);
}

// ---------------------------------------------------------------- open_channel

#[test]
fn open_channel_holds_the_funds_and_the_deposit() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		run_to(5);
		assert_ok!(Credits::open_channel(signed(2), s, 1_000, 100));
		let c: ChannelId = 0;
		assert_eq!(NextChannelId::<Test>::get(), 1);
		assert_eq!(
			channel(c),
			Channel::<Test> {
				service: s,
				payer: 2,
				signer: 2,
				nonce: 5,
				price_per_call: 10,
				locked: 1_000,
				redeemed: 0,
				expiry: 100,
				close_requested: false,
				deposit: RECORD_DEPOSIT,
			}
		);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 1_000);
		assert_eq!(held(HoldReason::StorageDeposit, 2), RECORD_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - 1_000 - RECORD_DEPOSIT);
		assert_eq!(total_of(2), ENDOWMENT);
		// The service's owner is not touched.
		assert_eq!(free(1), ENDOWMENT - SERVICE_DEPOSIT);
		assert_eq!(
			last_event(),
			Event::ChannelOpened {
				channel: c,
				service: s,
				payer: 2,
				signer: 2,
				nonce: 5,
				amount: 1_000,
				price_per_call: 10,
				expiry: 100,
			}
		);
		assert_eq!(service(s).open_channels, 1);
		assert!(PayerChannels::<Test>::contains_key(2, c));
		assert!(ServiceChannels::<Test>::contains_key(s, c));

		// A second channel of the same payer, later: the next id, its own nonce, holds add up.
		run_to(7);
		let d = open(2, s, 250, 300);
		assert_eq!(d, 1);
		assert_eq!(channel(d).nonce, 7);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 1_250);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 2 * RECORD_DEPOSIT);
		assert_eq!(service(s).open_channels, 2);
		assert_eq!(PayerChannels::<Test>::iter_prefix(2).count(), 2);
	});
}

#[test]
fn open_channel_checks_the_service_tier_price_and_expiry() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		assert_noop!(
			Credits::open_channel(signed(2), s + 5, 100, 50),
			Error::<Test>::UnknownService
		);

		// A retired service kept alive by an open channel takes no new ones.
		let retired = register(1, 10, 0);
		open(3, retired, 100, 50);
		assert_ok!(Credits::retire_service(signed(1), retired));
		assert_noop!(
			Credits::open_channel(signed(2), retired, 100, 50),
			Error::<Test>::ServiceRetired
		);

		// A service that requires tier 2 (1_000 frozen).
		let pro = register(1, 10, 2);
		assert_noop!(Credits::open_channel(signed(2), pro, 100, 50), Error::<Test>::TierTooLow);
		assert_ok!(Credits::lock_for_tier(signed(2), 999));
		assert_noop!(Credits::open_channel(signed(2), pro, 100, 50), Error::<Test>::TierTooLow);
		assert_ok!(Credits::lock_for_tier(signed(2), 1));
		assert_ok!(Credits::open_channel(signed(2), pro, 100, 50));
		assert_eq!(frozen(2), 1_000);

		// The amount must pay for one call.
		assert_noop!(Credits::open_channel(signed(3), s, 9, 50), Error::<Test>::AmountBelowPrice);
		assert_ok!(Credits::open_channel(signed(3), s, 10, 50));

		// The expiry lies between MIN and MAX from now (block 1), both included.
		let start = now();
		assert_noop!(
			Credits::open_channel(signed(4), s, 100, start + MIN_CHANNEL_DURATION - 1),
			Error::<Test>::ExpiryOutOfRange
		);
		assert_noop!(
			Credits::open_channel(signed(4), s, 100, start),
			Error::<Test>::ExpiryOutOfRange
		);
		assert_noop!(
			Credits::open_channel(signed(4), s, 100, start + MAX_CHANNEL_DURATION + 1),
			Error::<Test>::ExpiryOutOfRange
		);
		assert_ok!(Credits::open_channel(signed(4), s, 100, start + MIN_CHANNEL_DURATION));
		assert_ok!(Credits::open_channel(signed(4), s, 100, start + MAX_CHANNEL_DURATION));
		// The range moves with the chain.
		run_to(500);
		assert_noop!(
			Credits::open_channel(signed(4), s, 100, 505),
			Error::<Test>::ExpiryOutOfRange
		);
		assert_ok!(Credits::open_channel(signed(4), s, 100, 500 + MAX_CHANNEL_DURATION));
	});
}

#[test]
fn open_channel_needs_the_amount_the_deposit_and_the_existential_deposit() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		// An account that does not exist.
		assert_noop!(
			Credits::open_channel(signed(500), s, 100, 50),
			Error::<Test>::InsufficientBalance
		);
		// More than the payer has.
		assert_noop!(
			Credits::open_channel(signed(2), s, ENDOWMENT, 50),
			Error::<Test>::InsufficientBalance
		);
		// Exactly the amount and the deposit: the account would die.
		set_free(21, 100 + RECORD_DEPOSIT);
		assert_noop!(
			Credits::open_channel(signed(21), s, 100, 50),
			Error::<Test>::InsufficientBalance
		);
		set_free(21, 100 + RECORD_DEPOSIT + ED);
		assert_ok!(Credits::open_channel(signed(21), s, 100, 50));
		assert_eq!(free(21), ED);
		assert_eq!(held(HoldReason::ChannelFunds, 21), 100);
		assert_eq!(held(HoldReason::StorageDeposit, 21), RECORD_DEPOSIT);
	});
}

#[test]
fn open_channel_keeps_the_free_balance_above_the_tier_lock() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		// Hold 10_005 first, then freeze most of what is left.
		let first = open(2, s, 10_000, 100);
		assert_eq!(free(2), ENDOWMENT - 10_005);
		assert_ok!(Credits::lock_for_tier(signed(2), 989_000));
		assert_eq!(frozen(2), 989_000);
		// Freezes overlap holds, so the currency alone would let 2 hold 11_000 more ...
		assert!(airtime_primitives::holds::can_hold::<Balances, AccountId>(&2, 11_000));
		// ... but the pallet keeps the free balance backing the tier lock: 995 at most.
		assert_noop!(
			Credits::open_channel(signed(2), s, 1_000, 100),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Credits::open_channel(signed(2), s, 991, 100),
			Error::<Test>::InsufficientBalance
		);
		let second = open(2, s, 990, 100);
		assert_eq!(free(2), 989_000);
		assert_eq!(free(2), frozen(2));
		// Topping up is held to the same rule.
		assert_noop!(top_up(2, second, 1), Error::<Test>::InsufficientBalance);
		assert_noop!(top_up(2, first, 1), Error::<Test>::InsufficientBalance);
		// Redeeming moves held funds only: the lock stays backed.
		assert_ok!(redeem(1, first, voucher(2, first, 10_000)));
		assert_eq!(free(2), frozen(2));
		assert_eq!(Credits::tier_of(&2), 3);
	});
}

// ---------------------------------------------------------------- top_up

#[test]
fn top_up_adds_to_the_lock() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 100, 50);
		assert_ok!(top_up(2, c, 50));
		assert_eq!(channel(c).locked, 150);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 150);
		// No second deposit.
		assert_eq!(held(HoldReason::StorageDeposit, 2), RECORD_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - 150 - RECORD_DEPOSIT);
		assert_eq!(last_event(), Event::ChannelToppedUp { channel: c, amount: 50, locked: 150 });

		// Any amount, even below the price per call; until the block before the expiry.
		run_to(49);
		assert_ok!(top_up(2, c, 1));
		assert_eq!(last_event(), Event::ChannelToppedUp { channel: c, amount: 1, locked: 151 });
		assert_eq!(channel(c).locked, 151);
	});
}

#[test]
fn top_up_errors() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 100, 50);
		assert_noop!(top_up(2, c + 1, 10), Error::<Test>::UnknownChannel);
		assert_noop!(top_up(3, c, 10), Error::<Test>::NotChannelParty);
		// Not even the service's owner.
		assert_noop!(top_up(1, c, 10), Error::<Test>::NotChannelParty);
		assert_noop!(top_up(2, c, 0), Error::<Test>::ZeroAmount);
		assert_noop!(top_up(2, c, ENDOWMENT), Error::<Test>::InsufficientBalance);
		run_to(50);
		assert_noop!(top_up(2, c, 10), Error::<Test>::ChannelExpired);
		run_to(60);
		assert_noop!(top_up(2, c, 10), Error::<Test>::ChannelExpired);
		assert_eq!(channel(c).locked, 100);
	});
}

// ---------------------------------------------------------------- extend_channel

#[test]
fn extend_channel_moves_the_expiry_later() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 100, 50);
		assert_ok!(extend(2, c, 51));
		assert_eq!(channel(c).expiry, 51);
		assert_eq!(last_event(), Event::ChannelExtended { channel: c, expiry: 51 });
		// At most MAX from now.
		assert_ok!(extend(2, c, 1 + MAX_CHANNEL_DURATION));
		assert_eq!(channel(c).expiry, 1 + MAX_CHANNEL_DURATION);
		run_to(500);
		assert_ok!(extend(2, c, 500 + MAX_CHANNEL_DURATION));
		assert_eq!(channel(c).expiry, 500 + MAX_CHANNEL_DURATION);
		// The service may still redeem before the new expiry.
		run_to(1_000);
		assert_ok!(redeem(1, c, voucher(2, c, 10)));
	});
}

#[test]
fn extend_channel_errors() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 100, 50);
		assert_noop!(extend(2, c + 1, 60), Error::<Test>::UnknownChannel);
		assert_noop!(extend(3, c, 60), Error::<Test>::NotPayer);
		assert_noop!(extend(1, c, 60), Error::<Test>::NotPayer);
		assert_noop!(extend(2, c, 50), Error::<Test>::ExpiryNotLater);
		assert_noop!(extend(2, c, 49), Error::<Test>::ExpiryNotLater);
		assert_noop!(extend(2, c, 2 + MAX_CHANNEL_DURATION), Error::<Test>::ExpiryOutOfRange);
		run_to(49);
		assert_noop!(extend(2, c, 50 + MAX_CHANNEL_DURATION), Error::<Test>::ExpiryOutOfRange);
		run_to(50);
		assert_noop!(extend(2, c, 60), Error::<Test>::ChannelExpired);
		assert_eq!(channel(c).expiry, 50);
	});
}

// ---------------------------------------------------------------- redeem

#[test]
fn redeem_errors() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		run_to(3);
		let c = open(2, s, 1_000, 100);
		let other = open(3, s, 1_000, 100);
		assert_eq!(channel(c).nonce, 3);
		let good = |total: Balance| voucher(2, c, total);

		assert_noop!(
			redeem(1, other + 1, voucher(2, other + 1, 100)),
			Error::<Test>::UnknownChannel
		);
		assert_noop!(redeem(2, c, good(100)), Error::<Test>::NotServiceOwner);
		assert_noop!(redeem(3, c, good(100)), Error::<Test>::NotServiceOwner);

		assert_ne!(genesis(), H256::repeat_byte(9));
		let wrong_chain = voucher_with(
			2,
			Voucher { genesis: H256::repeat_byte(9), channel: c, channel_nonce: 3, total: 100 },
		);
		assert_noop!(redeem(1, c, wrong_chain), Error::<Test>::WrongChain);

		// A voucher for channel `other`, valid there, is worthless on `c`.
		assert_noop!(redeem(1, c, voucher(3, other, 100)), Error::<Test>::WrongChannel);
		assert_noop!(redeem(1, c, voucher(2, other, 100)), Error::<Test>::WrongChannel);

		for nonce in [0, 2, 4] {
			let wrong_nonce = voucher_with(
				2,
				Voucher { genesis: genesis(), channel: c, channel_nonce: nonce, total: 100 },
			);
			assert_noop!(redeem(1, c, wrong_nonce), Error::<Test>::WrongNonce);
		}

		assert_noop!(redeem(1, c, good(1_001)), Error::<Test>::VoucherExceedsLock);
		assert_noop!(redeem(1, c, good(0)), Error::<Test>::StaleVoucher);

		// Signed by someone else than the payer: the service's owner, another payer.
		assert_noop!(redeem(1, c, voucher(3, c, 100)), Error::<Test>::BadSignature);
		assert_noop!(redeem(1, c, voucher(1, c, 100)), Error::<Test>::BadSignature);
		// The payer's signature of another total.
		let mut tampered = good(100);
		tampered.voucher.total = 200;
		assert_noop!(redeem(1, c, tampered), Error::<Test>::BadSignature);
		let forged: VoucherOf = SignedVoucher {
			voucher: good(100).voucher,
			signature: sp_runtime::testing::TestSignature(2, b"something else".to_vec()),
		};
		assert_noop!(redeem(1, c, forged), Error::<Test>::BadSignature);

		// Stale: equal and lower totals after a redemption.
		assert_ok!(redeem(1, c, good(300)));
		assert_noop!(redeem(1, c, good(300)), Error::<Test>::StaleVoucher);
		assert_noop!(redeem(1, c, good(299)), Error::<Test>::StaleVoucher);
		assert_noop!(redeem(1, c, good(1)), Error::<Test>::StaleVoucher);

		// The voucher for `other` works on `other`.
		assert_ok!(redeem(1, other, voucher(3, other, 100)));

		// The block before the expiry still redeems; the expiry block does not.
		run_to(99);
		assert_ok!(redeem(1, c, good(400)));
		run_to(100);
		assert_noop!(redeem(1, c, good(500)), Error::<Test>::ChannelExpired);
		assert_eq!(channel(c).redeemed, 400);
	});
}

#[test]
fn redeem_pays_the_difference_less_the_fee() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 1_000, 100);
		let owner = free(1);
		let treasury = free(TREASURY);
		assert_eq!(treasury, ED);

		// 5: the fee rounds down to nothing.
		assert_ok!(redeem(1, c, voucher(2, c, 5)));
		assert_eq!(
			last_event(),
			Event::VoucherRedeemed { channel: c, service: s, total: 5, paid: 5, fee: 0 }
		);
		assert_eq!(free(1), owner + 5);
		assert_eq!(free(TREASURY), treasury);

		// 95: due 90, fee 9.
		assert_ok!(redeem(1, c, voucher(2, c, 95)));
		assert_eq!(
			last_event(),
			Event::VoucherRedeemed { channel: c, service: s, total: 95, paid: 81, fee: 9 }
		);
		assert_eq!(free(1), owner + 5 + 81);
		assert_eq!(free(TREASURY), treasury + 9);

		// 300: due 205, fee 20 (floor of 20.5).
		assert_ok!(redeem(1, c, voucher(2, c, 300)));
		assert_eq!(fee_of(205), 20);
		assert_eq!(
			last_event(),
			Event::VoucherRedeemed { channel: c, service: s, total: 300, paid: 185, fee: 20 }
		);
		assert_eq!(channel(c).redeemed, 300);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 700);
		assert_eq!(free(1), owner + 5 + 81 + 185);
		assert_eq!(free(TREASURY), treasury + 9 + 20);

		// An older voucher replayed after a newer one is worthless.
		assert_noop!(redeem(1, c, voucher(2, c, 95)), Error::<Test>::StaleVoucher);

		// The whole lock: due 700, fee 70.
		assert_ok!(redeem(1, c, voucher(2, c, 1_000)));
		assert_eq!(held(HoldReason::ChannelFunds, 2), 0);
		assert_eq!(free(1), owner + 5 + 81 + 185 + 630);
		assert_eq!(free(TREASURY), treasury + 99);
		// Everything the payer paid went to the owner and the treasury.
		assert_eq!(free(1) - owner + free(TREASURY) - treasury, 1_000);
		assert_eq!(total_of(2), ENDOWMENT - 1_000);
		// Its free balance never moved: the deposit is still held.
		assert_eq!(free(2), ENDOWMENT - 1_000 - RECORD_DEPOSIT);
		assert_eq!(held(HoldReason::StorageDeposit, 2), RECORD_DEPOSIT);
	});
}

#[test]
fn redeem_after_a_top_up_reaches_the_new_lock() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 100, 50);
		// Signed before the top-up; worth nothing above the lock until then.
		let later = voucher(2, c, 150);
		assert_noop!(redeem(1, c, later.clone()), Error::<Test>::VoucherExceedsLock);
		assert_ok!(redeem(1, c, voucher(2, c, 100)));
		assert_ok!(top_up(2, c, 50));
		assert_ok!(redeem(1, c, later));
		assert_eq!(channel(c).redeemed, 150);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 0);
		assert_eq!(free(1), ENDOWMENT - SERVICE_DEPOSIT + 90 + 45);
		assert_noop!(redeem(1, c, voucher(2, c, 151)), Error::<Test>::VoucherExceedsLock);
	});
}

#[test]
fn redeem_and_cooperative_close_are_weighed_for_the_standard_scheme() {
	type Weights = <Test as crate::Config>::WeightInfo;
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 1_000, 100);
		// The mock's `TestSignature` recovers no key. (The runtime's tests weigh ECDSA.)
		let v = voucher(2, c, 100);
		assert!(!v.signature.recovers_key());
		assert_eq!(Credits::redeem_weight(&v), Weights::redeem());
		let redeem_call = crate::Call::<Test>::redeem { channel: c, voucher: v.clone() };
		assert_eq!(redeem_call.get_dispatch_info().call_weight, Weights::redeem());

		let with_voucher = crate::Call::<Test>::cooperative_close { channel: c, voucher: Some(v) };
		assert_eq!(
			with_voucher.get_dispatch_info().call_weight,
			Weights::cooperative_close_with_voucher().max(Weights::cooperative_close())
		);
		let without = crate::Call::<Test>::cooperative_close { channel: c, voucher: None };
		assert_eq!(without.get_dispatch_info().call_weight, Weights::cooperative_close());
	});
}

// ---------------------------------------------------------------- request_close

#[test]
fn request_close_flags_the_channel() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 100, 50);
		assert_noop!(request_close(3, c), Error::<Test>::NotChannelParty);
		assert_noop!(request_close(1, c), Error::<Test>::NotChannelParty);
		assert_noop!(request_close(2, c + 5), Error::<Test>::UnknownChannel);
		assert!(!channel(c).close_requested);
		assert_ok!(request_close(2, c));
		assert!(channel(c).close_requested);
		assert_eq!(last_event(), Event::CloseRequested { channel: c });
		// Nothing moves.
		assert_eq!(held(HoldReason::ChannelFunds, 2), 100);

		// The signer of a delegated channel may ask too.
		assert_ok!(Credits::approve(signed(2), 4, 500, 100, 1));
		let d = open_for(4, 2, s, 100, 50);
		assert_ok!(request_close(4, d));
		assert!(channel(d).close_requested);
		assert_eq!(last_event(), Event::CloseRequested { channel: d });

		let e = open(3, s, 100, 60);
		run_to(50);
		assert_noop!(request_close(2, c), Error::<Test>::ChannelExpired);
		assert_ok!(request_close(3, e));
	});
}

// ---------------------------------------------------------------- cooperative_close

#[test]
fn cooperative_close_with_a_voucher_redeems_and_refunds_the_rest() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 1_000, 100);
		assert_ok!(redeem(1, c, voucher(2, c, 100)));
		assert_ok!(request_close(2, c));
		assert_noop!(
			Credits::cooperative_close(signed(2), c, Some(voucher(2, c, 400))),
			Error::<Test>::NotServiceOwner
		);
		assert_noop!(
			Credits::cooperative_close(signed(1), c + 1, None),
			Error::<Test>::UnknownChannel
		);

		let before = credit_events().len();
		assert_ok!(Credits::cooperative_close(signed(1), c, Some(voucher(2, c, 400))));
		assert_eq!(
			credit_events()[before..],
			[
				Event::VoucherRedeemed { channel: c, service: s, total: 400, paid: 270, fee: 30 },
				Event::ChannelClosed {
					channel: c,
					payer: 2,
					redeemed: 400,
					refunded: 600,
					cooperative: true,
				},
			]
		);
		assert!(!Channels::<Test>::contains_key(c));
		assert!(!PayerChannels::<Test>::contains_key(2, c));
		assert!(!ServiceChannels::<Test>::contains_key(s, c));
		assert_eq!(service(s).open_channels, 0);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 0);
		assert_eq!(free(2), ENDOWMENT - 400);
		assert_eq!(free(1), ENDOWMENT - SERVICE_DEPOSIT + 90 + 270);
		assert_eq!(free(TREASURY), ED + 40);
		assert_noop!(Credits::cooperative_close(signed(1), c, None), Error::<Test>::UnknownChannel);
	});
}

#[test]
fn cooperative_close_without_a_voucher_refunds_everything() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		// Unasked: the service may give up a lock at any time.
		let c = open(2, s, 1_000, 100);
		assert_ok!(Credits::cooperative_close(signed(1), c, None));
		assert_eq!(
			last_event(),
			Event::ChannelClosed {
				channel: c,
				payer: 2,
				redeemed: 0,
				refunded: 1_000,
				cooperative: true,
			}
		);
		assert!(!Channels::<Test>::contains_key(c));
		assert_eq!(free(2), ENDOWMENT);
		assert_eq!(free(1), ENDOWMENT - SERVICE_DEPOSIT);

		// After a redemption, the rest.
		let d = open(3, s, 500, 100);
		assert_ok!(redeem(1, d, voucher(3, d, 200)));
		assert_ok!(Credits::cooperative_close(signed(1), d, None));
		assert_eq!(
			last_event(),
			Event::ChannelClosed {
				channel: d,
				payer: 3,
				redeemed: 200,
				refunded: 300,
				cooperative: true,
			}
		);
		assert_eq!(free(3), ENDOWMENT - 200);
		assert_eq!(held(HoldReason::StorageDeposit, 3), 0);
	});
}

#[test]
fn cooperative_close_with_a_bad_voucher_does_nothing() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 1_000, 100);
		assert_ok!(redeem(1, c, voucher(2, c, 100)));
		assert_noop!(
			Credits::cooperative_close(signed(1), c, Some(voucher(3, c, 400))),
			Error::<Test>::BadSignature
		);
		assert_noop!(
			Credits::cooperative_close(signed(1), c, Some(voucher(2, c, 100))),
			Error::<Test>::StaleVoucher
		);
		assert_noop!(
			Credits::cooperative_close(signed(1), c, Some(voucher(2, c, 1_001))),
			Error::<Test>::VoucherExceedsLock
		);
		// A voucher at or after the expiry cannot be redeemed, so neither can the close.
		run_to(100);
		assert_noop!(
			Credits::cooperative_close(signed(1), c, Some(voucher(2, c, 400))),
			Error::<Test>::ChannelExpired
		);
		assert_eq!(channel(c).redeemed, 100);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 900);
	});
}

// ---------------------------------------------------------------- close

#[test]
fn close_returns_the_rest_from_the_expiry() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 1_000, 60);
		let d = open(3, s, 400, 80);
		assert_ok!(redeem(1, c, voucher(2, c, 250)));

		assert_noop!(close(9, c), Error::<Test>::ChannelNotExpired);
		run_to(59);
		assert_noop!(close(2, c), Error::<Test>::ChannelNotExpired);
		assert_noop!(close(1, c), Error::<Test>::ChannelNotExpired);

		// Anyone can close at the expiry.
		run_to(60);
		assert_ok!(close(9, c));
		assert_eq!(
			last_event(),
			Event::ChannelClosed {
				channel: c,
				payer: 2,
				redeemed: 250,
				refunded: 750,
				cooperative: false,
			}
		);
		assert!(!Channels::<Test>::contains_key(c));
		assert_eq!(held(HoldReason::ChannelFunds, 2), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 0);
		assert_eq!(free(2), ENDOWMENT - 250);
		assert_eq!(PayerChannels::<Test>::iter_prefix(2).count(), 0);
		assert_eq!(service(s).open_channels, 1);
		assert_noop!(close(9, c), Error::<Test>::UnknownChannel);

		// Or later; the payer itself here.
		run_to(500);
		assert_ok!(close(3, d));
		assert_eq!(free(3), ENDOWMENT);
		assert_eq!(PayerChannels::<Test>::iter_prefix(3).count(), 0);
		assert_eq!(ServiceChannels::<Test>::iter_prefix(s).count(), 0);
		assert_eq!(service(s).open_channels, 0);
		// The service stays registered: it was not retired.
		assert!(!service(s).retired);
		assert_eq!(free(1), ENDOWMENT - SERVICE_DEPOSIT + 225);
	});
}
