#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Services: `register_service`, `set_service_price` and `retire_service`.

use super::*;
use crate::{Error, ServiceChannels};
use frame_support::{assert_noop, assert_ok};

fn set_price(who: AccountId, service: ServiceId, price: Balance) -> sp_runtime::DispatchResult {
	Credits::set_service_price(signed(who), service, price)
}

fn retire(who: AccountId, service: ServiceId) -> sp_runtime::DispatchResult {
	Credits::retire_service(signed(who), service)
}

// ---------------------------------------------------------------- register_service

#[test]
fn register_service_holds_the_deposit_and_assigns_sequential_ids() {
	build_and_execute(|| {
		assert_eq!(NextServiceId::<Test>::get(), 0);
		assert_ok!(Credits::register_service(
			signed(1),
			H256::repeat_byte(0x11),
			H256::repeat_byte(0x22),
			10,
			2
		));
		assert_eq!(NextServiceId::<Test>::get(), 1);
		assert_eq!(
			Services::<Test>::get(0),
			Some(Service::<Test> {
				owner: 1,
				metadata_hash: H256::repeat_byte(0x11),
				endpoint_hash: H256::repeat_byte(0x22),
				price_per_call: 10,
				tier_required: 2,
				deposit: SERVICE_DEPOSIT,
				retired: false,
				open_channels: 0,
			})
		);
		assert_eq!(held(HoldReason::StorageDeposit, 1), SERVICE_DEPOSIT);
		assert_eq!(held(HoldReason::ChannelFunds, 1), 0);
		assert_eq!(free(1), ENDOWMENT - SERVICE_DEPOSIT);
		assert_eq!(total_of(1), ENDOWMENT);
		assert_eq!(
			last_event(),
			Event::ServiceRegistered {
				service: 0,
				owner: 1,
				price_per_call: 10,
				tier_required: 2,
				deposit: SERVICE_DEPOSIT,
			}
		);

		// The same owner again, then another: the next ids, one deposit each.
		assert_eq!(register(1, 20, 0), 1);
		assert_eq!(register(3, 5, 3), 2);
		assert_eq!(NextServiceId::<Test>::get(), 3);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 2 * SERVICE_DEPOSIT);
		assert_eq!(held(HoldReason::StorageDeposit, 3), SERVICE_DEPOSIT);
		assert_eq!(service(1).price_per_call, 20);
		assert_eq!(service(2).owner, 3);
		assert_eq!(service(2).tier_required, 3);
		assert_eq!(
			last_event(),
			Event::ServiceRegistered {
				service: 2,
				owner: 3,
				price_per_call: 5,
				tier_required: 3,
				deposit: SERVICE_DEPOSIT,
			}
		);
	});
}

#[test]
fn register_service_errors() {
	build_and_execute(|| {
		let register_with = |who: AccountId, price: Balance, tier: u8| {
			Credits::register_service(signed(who), H256::zero(), H256::zero(), price, tier)
		};
		assert_noop!(register_with(1, 0, 0), Error::<Test>::ZeroPrice);
		// Three genesis tiers: 4 is unknown, 3 (the highest) and 0 (none) are fine.
		assert_noop!(register_with(1, 10, 4), Error::<Test>::UnknownTier);
		assert_noop!(register_with(1, 10, u8::MAX), Error::<Test>::UnknownTier);
		assert_ok!(register_with(1, 10, 3));
		assert_ok!(register_with(1, 10, 0));

		// An account that does not exist cannot pay the deposit.
		assert_noop!(register_with(500, 10, 0), Error::<Test>::InsufficientBalance);
		// Exactly the deposit is not enough: the account must stay alive.
		assert_ok!(Balances::transfer_allow_death(signed(5), 21, SERVICE_DEPOSIT));
		assert_noop!(register_with(21, 10, 0), Error::<Test>::InsufficientBalance);
		assert_ok!(Balances::transfer_allow_death(signed(5), 21, ED));
		assert_ok!(register_with(21, 10, 0));
		assert_eq!(free(21), ED);
		assert_eq!(held(HoldReason::StorageDeposit, 21), SERVICE_DEPOSIT);

		// An endowed account that gave its funds away.
		assert_ok!(Balances::transfer_allow_death(signed(4), 5, ENDOWMENT - 10));
		assert_noop!(register_with(4, 10, 0), Error::<Test>::InsufficientBalance);
		assert_eq!(NextServiceId::<Test>::get(), 3);
	});
}

// ---------------------------------------------------------------- set_service_price

#[test]
fn set_service_price_changes_the_price_for_new_channels_only() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c0 = open(2, s, 100, 50);
		assert_eq!(channel(c0).price_per_call, 10);

		assert_ok!(set_price(1, s, 20));
		assert_eq!(last_event(), Event::ServicePriceSet { service: s, price_per_call: 20 });
		assert_eq!(service(s).price_per_call, 20);
		// The open channel keeps the price it opened with.
		assert_eq!(channel(c0).price_per_call, 10);

		// A new channel gets the new price, and must pay for one call at it.
		assert_noop!(Credits::open_channel(signed(3), s, 19, 50), Error::<Test>::AmountBelowPrice);
		let c1 = open(3, s, 20, 50);
		assert_eq!(channel(c1).price_per_call, 20);
		assert!(matches!(
			last_event(),
			Event::ChannelOpened { channel, price_per_call: 20, .. } if channel == c1
		));
		assert_eq!(channel(c0).price_per_call, 10);

		// Lowering works too.
		assert_ok!(set_price(1, s, 3));
		assert_eq!(service(s).price_per_call, 3);
		assert_eq!(channel(c1).price_per_call, 20);
	});
}

#[test]
fn set_service_price_errors() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		assert_noop!(set_price(2, s, 20), Error::<Test>::NotServiceOwner);
		assert_noop!(set_price(1, s, 0), Error::<Test>::ZeroPrice);
		assert_noop!(set_price(1, s + 1, 20), Error::<Test>::UnknownService);
		assert_eq!(service(s).price_per_call, 10);

		// A retired service (kept alive by an open channel) takes no new price.
		open(2, s, 100, 50);
		assert_ok!(retire(1, s));
		assert_noop!(set_price(1, s, 20), Error::<Test>::ServiceRetired);
		assert_noop!(set_price(2, s, 20), Error::<Test>::NotServiceOwner);
		assert_eq!(service(s).price_per_call, 10);
	});
}

// ---------------------------------------------------------------- retire_service

#[test]
fn retiring_a_service_without_channels_removes_it() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let other = register(1, 10, 0);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 2 * SERVICE_DEPOSIT);
		let before = credit_events().len();

		assert_ok!(retire(1, s));
		assert!(!Services::<Test>::contains_key(s));
		assert_eq!(held(HoldReason::StorageDeposit, 1), SERVICE_DEPOSIT);
		assert_eq!(free(1), ENDOWMENT - SERVICE_DEPOSIT);
		assert_eq!(
			credit_events()[before..],
			[Event::ServiceRetired { service: s }, Event::ServiceRemoved { service: s, owner: 1 }]
		);
		// The other service is untouched.
		assert!(!service(other).retired);

		// Gone: retiring again finds nothing, opening a channel neither.
		assert_noop!(retire(1, s), Error::<Test>::UnknownService);
		assert_noop!(Credits::open_channel(signed(2), s, 100, 50), Error::<Test>::UnknownService);

		// Ids are never reused.
		assert_eq!(register(1, 10, 0), 2);
		assert_ok!(retire(1, other));
		assert_eq!(held(HoldReason::StorageDeposit, 1), SERVICE_DEPOSIT);
	});
}

#[test]
fn a_retired_service_with_channels_stays_until_the_last_one_closes() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c0 = open(2, s, 1_000, 100);
		let c1 = open(3, s, 500, 200);

		assert_noop!(retire(2, s), Error::<Test>::NotServiceOwner);
		assert_ok!(retire(1, s));
		assert_eq!(last_event(), Event::ServiceRetired { service: s });
		let record = service(s);
		assert!(record.retired);
		assert_eq!(record.open_channels, 2);
		assert_eq!(held(HoldReason::StorageDeposit, 1), SERVICE_DEPOSIT);

		assert_noop!(retire(1, s), Error::<Test>::AlreadyRetired);
		assert_noop!(Credits::open_channel(signed(4), s, 100, 100), Error::<Test>::ServiceRetired);

		// Open channels can still be redeemed, but not topped up or extended.
		assert_ok!(Credits::redeem(signed(1), c0, voucher(2, c0, 300)));
		assert_eq!(free(1), ENDOWMENT - SERVICE_DEPOSIT + 270);
		assert_noop!(Credits::top_up(signed(3), c1, 100), Error::<Test>::ServiceRetired);
		assert_noop!(Credits::extend_channel(signed(3), c1, 100), Error::<Test>::ServiceRetired);

		// The first channel closes; the service stays for the second.
		assert_ok!(Credits::cooperative_close(signed(1), c0, None));
		assert!(Services::<Test>::contains_key(s));
		assert_eq!(service(s).open_channels, 1);
		assert_eq!(held(HoldReason::StorageDeposit, 1), SERVICE_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - 300);

		// The last one closes at its expiry: the record and its deposit go.
		run_to(200);
		assert_ok!(Credits::close(signed(7), c1));
		assert!(!Services::<Test>::contains_key(s));
		assert_eq!(ServiceChannels::<Test>::iter_prefix(s).count(), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 0);
		assert_eq!(free(1), ENDOWMENT + 270);
		assert_eq!(free(3), ENDOWMENT);
		let events = credit_events();
		assert_eq!(
			events[events.len() - 2..],
			[
				Event::ChannelClosed {
					channel: c1,
					payer: 3,
					redeemed: 0,
					refunded: 500,
					cooperative: false,
				},
				Event::ServiceRemoved { service: s, owner: 1 },
			]
		);
	});
}

#[test]
fn a_retired_service_is_removed_by_a_cooperative_close_too() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let c = open(2, s, 1_000, 100);
		assert_ok!(retire(1, s));
		assert_ok!(Credits::cooperative_close(signed(1), c, Some(voucher(2, c, 100))));
		assert!(!Services::<Test>::contains_key(s));
		assert_eq!(held(HoldReason::StorageDeposit, 1), 0);
		assert_eq!(free(1), ENDOWMENT + 90);
		assert_eq!(last_event(), Event::ServiceRemoved { service: s, owner: 1 });
	});
}
