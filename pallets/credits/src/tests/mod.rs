#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Unit and property tests of the credits pallet. Every unit test runs in `build_and_execute`,
//! which checks the pallet's invariants (`do_try_state`) and every endowed account's holds and
//! freezes afterwards.
//!
//! The helpers below are shared by the test modules.

mod budgets;
mod channels;
mod proptest;
mod services;
mod smoke;
mod tiers;
mod views;

use crate::{
	mock::*, Channel, ChannelId, Channels, Event, FreezeReason, HoldReason, NextChannelId,
	NextServiceId, Service, ServiceId, Services,
};
use frame_support::{
	assert_ok,
	traits::fungible::{Inspect, InspectFreeze, InspectHold},
};
use sp_core::H256;
use sp_runtime::Perbill;

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn now() -> u64 {
	System::block_number()
}

/// Free balance of `who` (not held).
fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

/// What `who` holds for `reason`.
fn held(reason: HoldReason, who: AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), &who)
}

/// What `who` has frozen for its tier.
fn frozen(who: AccountId) -> Balance {
	Balances::balance_frozen(&FreezeReason::TierLock.into(), &who)
}

/// Free plus held balance of `who`.
fn total_of(who: AccountId) -> Balance {
	<Balances as Inspect<AccountId>>::total_balance(&who)
}

/// The protocol fee taken from a redemption of `due`.
fn fee_of(due: Balance) -> Balance {
	Perbill::from_percent(PROTOCOL_FEE_PERCENT).mul_floor(due)
}

/// The pallet's last event.
fn last_event() -> Event<Test> {
	credit_events().pop().expect("an event of the credits pallet")
}

/// Register a service of `owner` and return its id.
fn register(owner: AccountId, price: Balance, tier: u8) -> ServiceId {
	let id = NextServiceId::<Test>::get();
	assert_ok!(Credits::register_service(
		signed(owner),
		H256::repeat_byte(1),
		H256::repeat_byte(2),
		price,
		tier
	));
	id
}

/// Open a channel of `payer` and return its id.
fn open(payer: AccountId, service: ServiceId, amount: Balance, expiry: u64) -> ChannelId {
	let id = NextChannelId::<Test>::get();
	assert_ok!(Credits::open_channel(signed(payer), service, amount, expiry));
	id
}

/// Open a channel paid by `owner` as its delegate and return its id.
fn open_for(
	delegate: AccountId,
	owner: AccountId,
	service: ServiceId,
	amount: Balance,
	expiry: u64,
) -> ChannelId {
	let id = NextChannelId::<Test>::get();
	assert_ok!(Credits::open_channel_for(signed(delegate), owner, service, amount, expiry));
	id
}

fn service(id: ServiceId) -> Service<Test> {
	Services::<Test>::get(id).expect("the service exists")
}

fn channel(id: ChannelId) -> Channel<Test> {
	Channels::<Test>::get(id).expect("the channel is open")
}
