#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Spending ceilings (`set_budget`, `clear_budget`) and allowances (`approve`,
//! `open_channel_for`, `revoke`, delegate top-ups).

use super::*;
use crate::{Allowance, Allowances, Budget, Budgets, Error, PayerChannels};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchResult;

fn set_budget(who: AccountId, limit: Balance, period: u64) -> DispatchResult {
	Credits::set_budget(signed(who), limit, period)
}

fn budget(who: AccountId) -> Budget<Test> {
	Budgets::<Test>::get(who).expect("a budget")
}

fn approve(owner: AccountId, delegate: AccountId, amount: Balance, expires: u64, n: u32) {
	assert_ok!(Credits::approve(signed(owner), delegate, amount, expires, n));
}

fn allowance(owner: AccountId, delegate: AccountId) -> Allowance<Test> {
	Allowances::<Test>::get(owner, delegate).expect("an allowance")
}

fn open_for_result(
	delegate: AccountId,
	owner: AccountId,
	service: ServiceId,
	amount: Balance,
	expiry: u64,
) -> DispatchResult {
	Credits::open_channel_for(signed(delegate), owner, service, amount, expiry)
}

// ---------------------------------------------------------------- set_budget, clear_budget

#[test]
fn set_budget_holds_one_deposit() {
	build_and_execute(|| {
		assert_noop!(set_budget(2, 500, 0), Error::<Test>::ZeroPeriod);
		assert_ok!(set_budget(2, 500, 100));
		assert_eq!(
			budget(2),
			Budget::<Test> {
				limit: 500,
				period: 100,
				period_start: 1,
				spent: 0,
				deposit: RECORD_DEPOSIT,
			}
		);
		assert_eq!(held(HoldReason::StorageDeposit, 2), RECORD_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - RECORD_DEPOSIT);
		assert_eq!(last_event(), Event::BudgetSet { who: 2, limit: 500, period: 100 });

		// Spend some, then change the ceiling: same record, same deposit, same period start,
		// what was spent still counts.
		let s = register(1, 10, 0);
		open(2, s, 300, 50);
		run_to(10);
		assert_ok!(set_budget(2, 800, 50));
		assert_eq!(
			budget(2),
			Budget::<Test> {
				limit: 800,
				period: 50,
				period_start: 1,
				spent: 300,
				deposit: RECORD_DEPOSIT,
			}
		);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 2 * RECORD_DEPOSIT);
		assert_eq!(last_event(), Event::BudgetSet { who: 2, limit: 800, period: 50 });
		assert_noop!(set_budget(2, 800, 0), Error::<Test>::ZeroPeriod);

		// A ceiling below what was spent is allowed; nothing more can be locked.
		assert_ok!(set_budget(2, 100, 50));
		assert_eq!(budget(2).spent, 300);
		assert_noop!(Credits::open_channel(signed(2), s, 10, 50), Error::<Test>::BudgetExceeded);

		// Updating after the period ended starts a new one.
		run_to(51);
		assert_ok!(set_budget(2, 100, 50));
		assert_eq!(budget(2).period_start, 51);
		assert_eq!(budget(2).spent, 0);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 2 * RECORD_DEPOSIT);

		// An account that cannot pay the deposit.
		assert_noop!(set_budget(500, 100, 50), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn the_ceiling_limits_opening_and_topping_up() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		assert_ok!(set_budget(2, 500, 100));
		let c = open(2, s, 300, 500);
		assert_eq!(budget(2).spent, 300);

		assert_noop!(Credits::open_channel(signed(2), s, 201, 500), Error::<Test>::BudgetExceeded);
		assert_noop!(Credits::top_up(signed(2), c, 201), Error::<Test>::BudgetExceeded);
		assert_eq!(budget(2).spent, 300);
		assert_eq!(channel(c).locked, 300);
		assert_eq!(NextChannelId::<Test>::get(), 1);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 300);

		// Up to the ceiling exactly.
		assert_ok!(Credits::top_up(signed(2), c, 200));
		assert_eq!(budget(2).spent, 500);
		assert_noop!(Credits::open_channel(signed(2), s, 10, 500), Error::<Test>::BudgetExceeded);
		assert_noop!(Credits::top_up(signed(2), c, 1), Error::<Test>::BudgetExceeded);

		// Refunds do not give the ceiling back within the period.
		assert_ok!(Credits::cooperative_close(signed(1), c, None));
		assert_noop!(Credits::open_channel(signed(2), s, 10, 500), Error::<Test>::BudgetExceeded);

		// Other accounts are not limited.
		open(3, s, 10_000, 500);

		// The last block of the period still counts it; the next one starts afresh.
		run_to(100);
		assert_noop!(Credits::open_channel(signed(2), s, 10, 500), Error::<Test>::BudgetExceeded);
		run_to(101);
		let d = open(2, s, 500, 500);
		assert_eq!(budget(2).spent, 500);
		assert_eq!(budget(2).period_start, 101);
		assert_noop!(Credits::top_up(signed(2), d, 1), Error::<Test>::BudgetExceeded);

		// A period that started late runs its full length from there.
		run_to(200);
		assert_noop!(Credits::top_up(signed(2), d, 1), Error::<Test>::BudgetExceeded);
		run_to(201);
		assert_ok!(Credits::top_up(signed(2), d, 400));
		assert_eq!(budget(2).spent, 400);
		assert_eq!(budget(2).period_start, 201);
	});
}

#[test]
fn clear_budget_returns_the_deposit_and_lifts_the_ceiling() {
	build_and_execute(|| {
		assert_noop!(Credits::clear_budget(signed(2)), Error::<Test>::NoBudget);
		let s = register(1, 10, 0);
		assert_ok!(set_budget(2, 100, 100));
		assert_noop!(Credits::open_channel(signed(2), s, 1_000, 50), Error::<Test>::BudgetExceeded);
		assert_ok!(Credits::clear_budget(signed(2)));
		assert!(!Budgets::<Test>::contains_key(2));
		assert_eq!(held(HoldReason::StorageDeposit, 2), 0);
		assert_eq!(free(2), ENDOWMENT);
		assert_eq!(last_event(), Event::BudgetCleared { who: 2 });
		assert_noop!(Credits::clear_budget(signed(2)), Error::<Test>::NoBudget);
		open(2, s, 1_000, 50);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 1_000);
	});
}

// ---------------------------------------------------------------- approve

#[test]
fn approve_records_the_allowance_with_one_deposit() {
	build_and_execute(|| {
		assert_noop!(Credits::approve(signed(2), 2, 1_000, 50, 2), Error::<Test>::SelfDelegation);
		assert_noop!(
			Credits::approve(signed(2), 4, 1_000, 1, 2),
			Error::<Test>::AllowanceExpiryInPast
		);
		assert_noop!(
			Credits::approve(signed(2), 4, 1_000, 0, 2),
			Error::<Test>::AllowanceExpiryInPast
		);
		assert_noop!(
			Credits::approve(signed(500), 4, 1_000, 50, 2),
			Error::<Test>::InsufficientBalance
		);

		approve(2, 4, 1_000, 50, 2);
		assert_eq!(
			allowance(2, 4),
			Allowance::<Test> {
				remaining: 1_000,
				expires: 50,
				channels_left: 2,
				deposit: RECORD_DEPOSIT,
			}
		);
		assert_eq!(held(HoldReason::StorageDeposit, 2), RECORD_DEPOSIT);
		assert_eq!(held(HoldReason::StorageDeposit, 4), 0);
		assert_eq!(
			last_event(),
			Event::AllowanceApproved {
				owner: 2,
				delegate: 4,
				amount: 1_000,
				expires: 50,
				channels: 2
			}
		);

		// Approving again replaces the allowance; still one deposit.
		approve(2, 4, 300, 80, 1);
		assert_eq!(
			allowance(2, 4),
			Allowance::<Test> {
				remaining: 300,
				expires: 80,
				channels_left: 1,
				deposit: RECORD_DEPOSIT,
			}
		);
		assert_eq!(held(HoldReason::StorageDeposit, 2), RECORD_DEPOSIT);

		// Another delegate: another record, another deposit.
		approve(2, 5, 100, 80, 1);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 2 * RECORD_DEPOSIT);
		assert_eq!(Allowances::<Test>::iter_prefix(2).count(), 2);
	});
}

// ---------------------------------------------------------------- open_channel_for

#[test]
fn a_delegate_opens_channels_on_the_owners_funds_and_signs_their_vouchers() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		approve(2, 4, 1_000, 200, 2);
		run_to(3);
		let c = open_for(4, 2, s, 400, 100);
		let ch = channel(c);
		assert_eq!(ch.payer, 2);
		assert_eq!(ch.signer, 4);
		assert_eq!(ch.nonce, 3);
		assert_eq!(ch.locked, 400);
		assert_eq!(
			last_event(),
			Event::ChannelOpened {
				channel: c,
				service: s,
				payer: 2,
				signer: 4,
				nonce: 3,
				amount: 400,
				price_per_call: 10,
				expiry: 100,
			}
		);
		// The owner pays the funds and the channel's deposit; the delegate nothing.
		assert_eq!(held(HoldReason::ChannelFunds, 2), 400);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 2 * RECORD_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - 400 - 2 * RECORD_DEPOSIT);
		assert_eq!(free(4), ENDOWMENT);
		assert_eq!(held(HoldReason::ChannelFunds, 4), 0);
		assert!(PayerChannels::<Test>::contains_key(2, c));
		assert!(!PayerChannels::<Test>::contains_key(4, c));
		// The allowance shrinks by the amount (not the deposit) and one channel.
		assert_eq!(allowance(2, 4).remaining, 600);
		assert_eq!(allowance(2, 4).channels_left, 1);

		// Vouchers must carry the delegate's signature, not the owner's.
		assert_noop!(
			Credits::redeem(signed(1), c, voucher(2, c, 100)),
			Error::<Test>::BadSignature
		);
		assert_ok!(Credits::redeem(signed(1), c, voucher(4, c, 100)));
		assert_eq!(held(HoldReason::ChannelFunds, 2), 300);
		assert_eq!(free(1), ENDOWMENT - SERVICE_DEPOSIT + 90);
		assert_eq!(free(4), ENDOWMENT);

		// Only the owner extends (a delegate cannot keep the owner's funds locked); both may ask
		// for a close; the rest goes back to the owner.
		assert_noop!(Credits::extend_channel(signed(4), c, 150), Error::<Test>::NotPayer);
		assert_ok!(Credits::extend_channel(signed(2), c, 150));
		assert_ok!(Credits::request_close(signed(2), c));
		assert_ok!(Credits::cooperative_close(signed(1), c, None));
		assert_eq!(free(2), ENDOWMENT - 100 - RECORD_DEPOSIT);
		assert_eq!(free(4), ENDOWMENT);
	});
}

#[test]
fn open_channel_for_errors() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		assert_noop!(open_for_result(4, 2, s, 100, 100), Error::<Test>::NoAllowance);
		approve(2, 4, 1_000, 50, 1);
		// An allowance of 2 to 4 is none of 5's, nor of 4's on 3's account.
		assert_noop!(open_for_result(5, 2, s, 100, 100), Error::<Test>::NoAllowance);
		assert_noop!(open_for_result(4, 3, s, 100, 100), Error::<Test>::NoAllowance);
		assert_noop!(open_for_result(4, 2, s, 1_001, 100), Error::<Test>::AllowanceExceeded);
		// The service's checks come first.
		assert_noop!(open_for_result(4, 2, s + 1, 100, 100), Error::<Test>::UnknownService);
		assert_noop!(open_for_result(4, 2, s, 9, 100), Error::<Test>::AmountBelowPrice);

		// One channel only.
		open_for(4, 2, s, 500, 100);
		assert_eq!(allowance(2, 4).channels_left, 0);
		assert_noop!(open_for_result(4, 2, s, 100, 100), Error::<Test>::AllowanceChannelsUsed);
		assert_eq!(allowance(2, 4).remaining, 500);

		// Expired from its `expires` block on.
		approve(2, 5, 1_000, 50, 5);
		run_to(49);
		open_for(5, 2, s, 100, 100);
		run_to(50);
		assert_noop!(open_for_result(5, 2, s, 100, 100), Error::<Test>::AllowanceExpired);
		assert_eq!(allowance(2, 5).channels_left, 4);

		// An allowance for no channels.
		approve(3, 6, 1_000, 200, 0);
		assert_noop!(open_for_result(6, 3, s, 100, 100), Error::<Test>::AllowanceChannelsUsed);
	});
}

#[test]
fn a_delegates_top_up_draws_on_the_allowance() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		approve(2, 4, 500, 200, 1);
		let c = open_for(4, 2, s, 300, 300);
		assert_eq!(allowance(2, 4).remaining, 200);

		assert_noop!(Credits::top_up(signed(4), c, 201), Error::<Test>::AllowanceExceeded);
		assert_ok!(Credits::top_up(signed(4), c, 200));
		assert_eq!(allowance(2, 4).remaining, 0);
		assert_eq!(channel(c).locked, 500);
		assert_eq!(held(HoldReason::ChannelFunds, 2), 500);
		assert_noop!(Credits::top_up(signed(4), c, 1), Error::<Test>::AllowanceExceeded);

		// The owner's own top-up does not touch the allowance.
		assert_ok!(Credits::top_up(signed(2), c, 100));
		assert_eq!(allowance(2, 4).remaining, 0);
		assert_eq!(channel(c).locked, 600);

		// A renewed allowance lets the delegate top up again, until it expires.
		approve(2, 4, 50, 150, 0);
		assert_ok!(Credits::top_up(signed(4), c, 50));
		assert_eq!(allowance(2, 4).remaining, 0);
		approve(2, 4, 50, 150, 0);
		run_to(150);
		assert_noop!(Credits::top_up(signed(4), c, 10), Error::<Test>::AllowanceExpired);
	});
}

#[test]
fn the_owners_ceiling_limits_its_delegates() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		assert_ok!(set_budget(2, 300, 100));
		approve(2, 4, 1_000, 200, 5);
		assert_noop!(open_for_result(4, 2, s, 301, 100), Error::<Test>::BudgetExceeded);
		// The failed open drew nothing from the allowance.
		assert_eq!(allowance(2, 4).remaining, 1_000);
		assert_eq!(allowance(2, 4).channels_left, 5);

		let c = open_for(4, 2, s, 200, 100);
		assert_eq!(budget(2).spent, 200);
		assert_eq!(allowance(2, 4).remaining, 800);
		assert_noop!(Credits::top_up(signed(4), c, 101), Error::<Test>::BudgetExceeded);
		assert_eq!(allowance(2, 4).remaining, 800);
		// The owner's own spending shares the ceiling.
		open(2, s, 100, 100);
		assert_eq!(budget(2).spent, 300);
		assert_noop!(open_for_result(4, 2, s, 10, 100), Error::<Test>::BudgetExceeded);
	});
}

// ---------------------------------------------------------------- revoke

#[test]
fn revoke_returns_the_deposit_and_leaves_channels_open() {
	build_and_execute(|| {
		assert_noop!(Credits::revoke(signed(2), 4), Error::<Test>::NoAllowance);
		let s = register(1, 10, 0);
		approve(2, 4, 1_000, 200, 2);
		let c = open_for(4, 2, s, 400, 100);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 2 * RECORD_DEPOSIT);
		// Only the owner can revoke its allowance.
		assert_noop!(Credits::revoke(signed(4), 2), Error::<Test>::NoAllowance);

		assert_ok!(Credits::revoke(signed(2), 4));
		assert!(!Allowances::<Test>::contains_key(2, 4));
		assert_eq!(held(HoldReason::StorageDeposit, 2), RECORD_DEPOSIT);
		assert_eq!(last_event(), Event::AllowanceRevoked { owner: 2, delegate: 4 });
		assert_noop!(Credits::revoke(signed(2), 4), Error::<Test>::NoAllowance);

		// The channel stays open and its vouchers, signed by the delegate, redeemable.
		assert_eq!(channel(c).signer, 4);
		assert_ok!(Credits::redeem(signed(1), c, voucher(4, c, 100)));
		assert_eq!(channel(c).redeemed, 100);
		// The delegate can open and top up no more; the owner can still top up.
		assert_noop!(open_for_result(4, 2, s, 100, 100), Error::<Test>::NoAllowance);
		assert_noop!(Credits::top_up(signed(4), c, 10), Error::<Test>::NoAllowance);
		assert_ok!(Credits::top_up(signed(2), c, 10));
		assert_ok!(Credits::redeem(signed(1), c, voucher(4, c, 410)));
		assert_eq!(held(HoldReason::ChannelFunds, 2), 0);
	});
}
