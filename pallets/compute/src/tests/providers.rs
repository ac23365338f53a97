//! Provider lifecycle: `register_provider`, `update_provider`, `pause_provider`,
//! `resume_provider`, `increase_stake`, `unregister_provider` and `withdraw_provider`.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{mock::*, Error, Event, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sp_core::H256;
use sp_runtime::{DispatchError, DispatchResult};

const INT8: ExecutorKind = ExecutorKind::GemmInt8;
const F32: ExecutorKind = ExecutorKind::GemmF32;

// ---------------------------------------------------------------- helpers

fn held(reason: HoldReason, who: AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), &who)
}

fn provider(who: AccountId) -> Provider<Test> {
	Providers::<Test>::get(who).expect("a registered provider")
}

fn last(event: Event<Test>) {
	System::assert_last_event(RuntimeEvent::Compute(event));
}

fn has(event: Event<Test>) {
	System::assert_has_event(RuntimeEvent::Compute(event));
}

fn reg(
	who: AccountId,
	capabilities: Capabilities<Test>,
	prices: PricesOf<Test>,
	stake: Balance,
) -> DispatchResult {
	Compute::register_provider(RuntimeOrigin::signed(who), capabilities, prices, stake)
}

fn update(
	who: AccountId,
	capabilities: Capabilities<Test>,
	prices: PricesOf<Test>,
) -> DispatchResult {
	Compute::update_provider(RuntimeOrigin::signed(who), capabilities, prices)
}

fn pause(who: AccountId) -> DispatchResult {
	Compute::pause_provider(RuntimeOrigin::signed(who))
}

fn resume(who: AccountId) -> DispatchResult {
	Compute::resume_provider(RuntimeOrigin::signed(who))
}

fn stake_more(who: AccountId, amount: Balance) -> DispatchResult {
	Compute::increase_stake(RuntimeOrigin::signed(who), amount)
}

fn unregister(who: AccountId) -> DispatchResult {
	Compute::unregister_provider(RuntimeOrigin::signed(who))
}

fn withdraw(who: AccountId) -> DispatchResult {
	Compute::withdraw_provider(RuntimeOrigin::signed(who))
}

/// Give `who` a slot in a fresh job of account 1 and report a failure: a 1 % slash of a 1_000
/// stake (10) leaves it below `MinProviderStake` and pauses it. Returns the job.
fn slash_by_failure(who: AccountId) -> JobId {
	let job = submit(1, 1_000, 10, 1);
	assert_ok!(Compute::accept_job(RuntimeOrigin::signed(who), job));
	assert_ok!(Compute::report_failure(RuntimeOrigin::signed(who), job));
	job
}

// ---------------------------------------------------------------- register_provider

#[test]
fn register_provider_holds_stake_and_deposit() {
	build_and_execute(|| {
		assert_ok!(reg(2, caps(&[INT8, F32], 500), prices(&[INT8, F32], 7), 1_500));
		assert_eq!(
			Providers::<Test>::get(2),
			Some(Provider::<Test> {
				stake: 1_500,
				deposit: 10,
				status: ProviderStatus::Active,
				capabilities: caps(&[INT8, F32], 500),
				prices: prices(&[INT8, F32], 7),
				active_jobs: 0,
				matching_lead: None,
				index: 0,
				reputation: Reputation::default(),
			})
		);
		assert_eq!(ProviderIndex::<Test>::get(0), Some(2));
		assert_eq!(ProviderCount::<Test>::get(), 1);
		assert_eq!(held(HoldReason::ProviderStake, 2), 1_500);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 10);
		assert_eq!(held(HoldReason::JobEscrow, 2), 0);
		assert_eq!(Balances::free_balance(2), ENDOWMENT - 1_510);
		last(Event::ProviderRegistered { provider: 2, stake: 1_500, deposit: 10 });

		// The next provider takes the next dense index; the minimum stake is enough.
		register(3, 4);
		let p = provider(3);
		assert_eq!(p.index, 1);
		assert_eq!(p.stake, 1_000);
		assert_eq!(p.prices, prices(&[INT8], 4));
		assert_eq!(ProviderIndex::<Test>::get(1), Some(3));
		assert_eq!(ProviderCount::<Test>::get(), 2);
		assert_eq!(Balances::free_balance(3), ENDOWMENT - 1_010);
		has(Event::ProviderRegistered { provider: 3, stake: 1_000, deposit: 10 });
		last(Event::MatchingSet { provider: 3, min_lead: Some(0) });
	})
}

#[test]
fn register_provider_can_hold_everything_but_the_existential_deposit() {
	build_and_execute(|| {
		// stake + deposit == ENDOWMENT - ED: the largest amount that keeps the account alive.
		assert_ok!(reg(2, caps(&[INT8], 1_000), prices(&[INT8], 3), ENDOWMENT - 11));
		assert_eq!(Balances::free_balance(2), ED);
		assert_eq!(held(HoldReason::ProviderStake, 2), ENDOWMENT - 11);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 10);
	})
}

#[test]
fn register_provider_rejects_a_second_registration() {
	build_and_execute(|| {
		register(2, 3);
		assert_noop!(
			reg(2, caps(&[INT8], 1_000), prices(&[INT8], 3), 1_000),
			Error::<Test>::AlreadyRegistered
		);
		// Checked before anything else.
		assert_noop!(reg(2, caps(&[], 1_000), prices(&[], 3), 0), Error::<Test>::AlreadyRegistered);
		assert_eq!(provider(2).stake, 1_000);
		assert_eq!(ProviderCount::<Test>::get(), 1);
	})
}

#[test]
fn register_provider_rejects_a_stake_below_the_minimum() {
	build_and_execute(|| {
		assert_noop!(
			reg(2, caps(&[INT8], 1_000), prices(&[INT8], 3), 999),
			Error::<Test>::StakeBelowMinimum
		);
		assert_noop!(
			reg(2, caps(&[INT8], 1_000), prices(&[INT8], 3), 0),
			Error::<Test>::StakeBelowMinimum
		);
		assert_eq!(Providers::<Test>::get(2), None);
	})
}

#[test]
fn register_provider_rejects_bad_offers() {
	build_and_execute(|| {
		assert_noop!(reg(2, caps(&[], 1_000), prices(&[], 3), 1_000), Error::<Test>::NoExecutors);
		assert_noop!(
			reg(2, caps(&[], 1_000), prices(&[INT8], 3), 1_000),
			Error::<Test>::NoExecutors
		);
		assert_noop!(
			reg(2, caps(&[INT8, INT8], 1_000), prices(&[INT8], 3), 1_000),
			Error::<Test>::DuplicateExecutor
		);
		assert_noop!(
			reg(2, caps(&[INT8, F32], 1_000), prices(&[INT8, INT8], 3), 1_000),
			Error::<Test>::DuplicateExecutor
		);
		assert_noop!(
			reg(2, caps(&[INT8, F32], 1_000), prices(&[F32, INT8, F32], 3), 1_000),
			Error::<Test>::DuplicateExecutor
		);
		assert_noop!(
			reg(2, caps(&[INT8], 1_000), prices(&[F32], 3), 1_000),
			Error::<Test>::PriceWithoutCapability
		);
		assert_noop!(
			reg(2, caps(&[INT8], 1_000), prices(&[INT8, F32], 3), 1_000),
			Error::<Test>::PriceWithoutCapability
		);
		assert_noop!(
			reg(2, caps(&[INT8, F32], 1_000), prices(&[INT8], 3), 1_000),
			Error::<Test>::PriceMissing
		);
		assert_noop!(
			reg(2, caps(&[INT8], 1_000), prices(&[], 3), 1_000),
			Error::<Test>::PriceMissing
		);
		assert_noop!(
			reg(2, caps(&[INT8], 0), prices(&[INT8], 3), 1_000),
			Error::<Test>::ZeroCapacity
		);
		assert_eq!(ProviderCount::<Test>::get(), 0);
	})
}

#[test]
fn register_provider_rejects_more_than_max_providers() {
	build_and_execute(|| {
		for who in 1..=16 {
			register(who, 3);
		}
		assert_eq!(ProviderCount::<Test>::get(), 16);
		assert_noop!(
			reg(17, caps(&[INT8], 1_000), prices(&[INT8], 3), 1_000),
			Error::<Test>::TooManyProviders
		);

		// A withdrawal frees a place.
		assert_ok!(unregister(5));
		run_to_block(11);
		assert_ok!(withdraw(5));
		assert_eq!(ProviderCount::<Test>::get(), 15);
		register(17, 3);
		assert_eq!(provider(17).index, 15);
		assert_eq!(ProviderCount::<Test>::get(), 16);
		assert_noop!(
			reg(18, caps(&[INT8], 1_000), prices(&[INT8], 3), 1_000),
			Error::<Test>::TooManyProviders
		);
	})
}

#[test]
fn register_provider_rejects_what_the_account_cannot_hold() {
	build_and_execute(|| {
		// stake + deposit == ENDOWMENT: nothing would be left for the existential deposit.
		assert_noop!(
			reg(2, caps(&[INT8], 1_000), prices(&[INT8], 3), ENDOWMENT - 10),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			reg(2, caps(&[INT8], 1_000), prices(&[INT8], 3), ENDOWMENT),
			Error::<Test>::InsufficientBalance
		);
		// An account without funds.
		assert_noop!(
			reg(ACCOUNTS + 1, caps(&[INT8], 1_000), prices(&[INT8], 3), 1_000),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			reg(2, caps(&[INT8], 1_000), prices(&[INT8], 3), Balance::MAX),
			Error::<Test>::Overflow
		);
		assert_eq!(Balances::free_balance(2), ENDOWMENT);
	})
}

#[test]
fn calls_need_a_signed_origin() {
	build_and_execute(|| {
		register(2, 3);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Compute::register_provider(
					origin.clone(),
					caps(&[INT8], 1_000),
					prices(&[INT8], 3),
					1_000
				),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Compute::update_provider(origin.clone(), caps(&[INT8], 1_000), prices(&[INT8], 3)),
				DispatchError::BadOrigin
			);
			assert_noop!(Compute::pause_provider(origin.clone()), DispatchError::BadOrigin);
			assert_noop!(Compute::resume_provider(origin.clone()), DispatchError::BadOrigin);
			assert_noop!(Compute::increase_stake(origin.clone(), 10), DispatchError::BadOrigin);
			assert_noop!(Compute::unregister_provider(origin.clone()), DispatchError::BadOrigin);
			assert_noop!(Compute::withdraw_provider(origin), DispatchError::BadOrigin);
		}
	})
}

// ---------------------------------------------------------------- update_provider

#[test]
fn update_provider_replaces_capabilities_and_prices() {
	build_and_execute(|| {
		register(2, 3);
		let mut wide = caps(&[INT8, F32], 5_000);
		wide.vram_mib = 40_960;
		wide.devices = 8;
		assert_ok!(update(2, wide.clone(), prices(&[F32, INT8], 9)));
		let p = provider(2);
		assert_eq!(p.capabilities, wide);
		assert_eq!(p.prices, prices(&[F32, INT8], 9));
		assert_eq!(p.price(INT8), Some(9));
		assert_eq!(p.capability(F32).map(|c| c.max_units), Some(5_000));
		// Nothing else changes.
		assert_eq!(p.stake, 1_000);
		assert_eq!(p.deposit, 10);
		assert_eq!(p.status, ProviderStatus::Active);
		assert_eq!(p.index, 0);
		assert_eq!(held(HoldReason::ProviderStake, 2), 1_000);
		assert_eq!(Balances::free_balance(2), ENDOWMENT - 1_010);
		last(Event::ProviderUpdated { provider: 2 });
	})
}

#[test]
fn update_provider_keeps_the_price_of_taken_slots() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(2), job));
		assert_ok!(update(2, caps(&[INT8], 1_000), prices(&[INT8], 9)));
		let j = Jobs::<Test>::get(job).unwrap();
		assert_eq!(j.slots[0].price_per_unit, 3);
		assert_eq!(j.reserved, 300);
		assert_eq!(provider(2).price(INT8), Some(9));
	})
}

#[test]
fn update_provider_errors() {
	build_and_execute(|| {
		assert_noop!(
			update(2, caps(&[INT8], 1_000), prices(&[INT8], 3)),
			Error::<Test>::NotRegistered
		);
		register(2, 3);
		assert_noop!(update(2, caps(&[], 1_000), prices(&[], 3)), Error::<Test>::NoExecutors);
		assert_noop!(
			update(2, caps(&[INT8, INT8], 1_000), prices(&[INT8], 3)),
			Error::<Test>::DuplicateExecutor
		);
		assert_noop!(
			update(2, caps(&[INT8, F32], 1_000), prices(&[F32, F32], 3)),
			Error::<Test>::DuplicateExecutor
		);
		assert_noop!(
			update(2, caps(&[INT8], 1_000), prices(&[F32], 3)),
			Error::<Test>::PriceWithoutCapability
		);
		assert_noop!(
			update(2, caps(&[INT8, F32], 1_000), prices(&[F32], 3)),
			Error::<Test>::PriceMissing
		);
		assert_noop!(update(2, caps(&[F32], 0), prices(&[F32], 3)), Error::<Test>::ZeroCapacity);
		assert_eq!(provider(2).capabilities, caps(&[INT8], 1_000));
		assert_eq!(provider(2).prices, prices(&[INT8], 3));
	})
}

// ---------------------------------------------------------------- pause / resume

#[test]
fn pause_provider_works() {
	build_and_execute(|| {
		register(2, 3);
		assert_ok!(pause(2));
		assert_eq!(provider(2).status, ProviderStatus::Paused);
		last(Event::ProviderPaused { provider: 2, slashed: false });
		// The stake stays on hold.
		assert_eq!(held(HoldReason::ProviderStake, 2), 1_000);
		assert_eq!(provider(2).stake, 1_000);
	})
}

#[test]
fn pause_provider_errors() {
	build_and_execute(|| {
		assert_noop!(pause(2), Error::<Test>::NotRegistered);
		register(2, 3);
		assert_ok!(pause(2));
		assert_noop!(pause(2), Error::<Test>::AlreadyPaused);
		register(3, 3);
		assert_ok!(unregister(3));
		assert_noop!(pause(3), Error::<Test>::ProviderUnbonding);
		assert_eq!(provider(3).status, ProviderStatus::Unbonding { until: 11 });
	})
}

#[test]
fn resume_provider_works() {
	build_and_execute(|| {
		register(2, 3);
		assert_ok!(pause(2));
		assert_ok!(resume(2));
		assert_eq!(provider(2).status, ProviderStatus::Active);
		last(Event::ProviderResumed { provider: 2 });
		// It takes jobs again.
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(2), job));
		assert_eq!(provider(2).active_jobs, 1);
	})
}

#[test]
fn resume_provider_errors() {
	build_and_execute(|| {
		assert_noop!(resume(2), Error::<Test>::NotRegistered);
		register(2, 3);
		assert_noop!(resume(2), Error::<Test>::AlreadyActive);
		slash_by_failure(2);
		assert_eq!(provider(2).status, ProviderStatus::Paused);
		assert_noop!(resume(2), Error::<Test>::StakeBelowMinimum);
	})
}

#[test]
fn resume_provider_cancels_unbonding() {
	build_and_execute(|| {
		register(2, 3);
		assert_ok!(unregister(2));
		assert_eq!(provider(2).status, ProviderStatus::Unbonding { until: 11 });
		assert_ok!(resume(2));
		assert_eq!(provider(2).status, ProviderStatus::Active);
		last(Event::ProviderResumed { provider: 2 });
		assert_noop!(withdraw(2), Error::<Test>::NotUnbonding);
		// Even once the old unbonding period would have ended.
		run_to_block(11);
		assert_noop!(withdraw(2), Error::<Test>::NotUnbonding);
		assert_eq!(held(HoldReason::ProviderStake, 2), 1_000);
		// Unbonding again starts a fresh period.
		assert_ok!(unregister(2));
		assert_eq!(provider(2).status, ProviderStatus::Unbonding { until: 21 });
		run_to_block(20);
		assert_noop!(withdraw(2), Error::<Test>::UnbondingNotOver);
		run_to_block(21);
		assert_ok!(withdraw(2));
	})
}

// ---------------------------------------------------------------- increase_stake

#[test]
fn increase_stake_works() {
	build_and_execute(|| {
		register(2, 3);
		assert_ok!(stake_more(2, 500));
		assert_eq!(provider(2).stake, 1_500);
		assert_eq!(held(HoldReason::ProviderStake, 2), 1_500);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 10);
		assert_eq!(Balances::free_balance(2), ENDOWMENT - 1_510);
		last(Event::StakeIncreased { provider: 2, amount: 500, stake: 1_500 });

		// Everything but the existential deposit can be staked.
		let rest = Balances::free_balance(2) - ED;
		assert_ok!(stake_more(2, rest));
		assert_eq!(provider(2).stake, ENDOWMENT - 10 - ED);
		assert_eq!(Balances::free_balance(2), ED);
		last(Event::StakeIncreased { provider: 2, amount: rest, stake: ENDOWMENT - 10 - ED });
	})
}

#[test]
fn increase_stake_errors() {
	build_and_execute(|| {
		assert_noop!(stake_more(2, 0), Error::<Test>::ZeroAmount);
		assert_noop!(stake_more(2, 10), Error::<Test>::NotRegistered);
		register(2, 3);
		assert_noop!(stake_more(2, 0), Error::<Test>::ZeroAmount);
		// The whole free balance would leave nothing for the existential deposit.
		let free = Balances::free_balance(2);
		assert_noop!(stake_more(2, free), Error::<Test>::InsufficientBalance);
		assert_noop!(stake_more(2, free + 1), Error::<Test>::InsufficientBalance);
		assert_noop!(stake_more(2, Balance::MAX), Error::<Test>::Overflow);
		assert_eq!(provider(2).stake, 1_000);
	})
}

// ---------------------------------------------------------------- slashes pause

#[test]
fn a_slash_below_the_minimum_pauses_until_the_stake_is_topped_up() {
	build_and_execute(|| {
		register(2, 3);
		let job = slash_by_failure(2);
		has(Event::ProviderSlashed {
			job,
			provider: 2,
			amount: 10,
			reason: SlashReason::ReportedFailure,
		});
		has(Event::ProviderPaused { provider: 2, slashed: true });
		last(Event::FailureReported { job, provider: 2, penalty: 10 });
		let p = provider(2);
		assert_eq!(p.stake, 990);
		assert_eq!(p.status, ProviderStatus::Paused);
		assert_eq!(p.active_jobs, 0);
		assert_eq!(p.reputation.failed, 1);
		assert_eq!(p.reputation.failures, 500);
		assert_eq!(held(HoldReason::ProviderStake, 2), 990);
		assert_eq!(Balances::free_balance(TREASURY), ED + 10);
		// The job is open again, without slots.
		let j = Jobs::<Test>::get(job).unwrap();
		assert!(j.slots.is_empty());
		assert_eq!(j.reserved, 0);

		assert_noop!(resume(2), Error::<Test>::StakeBelowMinimum);
		assert_ok!(stake_more(2, 9));
		assert_noop!(resume(2), Error::<Test>::StakeBelowMinimum);
		assert_ok!(stake_more(2, 1));
		assert_eq!(provider(2).stake, 1_000);
		assert_ok!(resume(2));
		assert_eq!(provider(2).status, ProviderStatus::Active);
		last(Event::ProviderResumed { provider: 2 });
	})
}

#[test]
fn a_missed_deadline_slashes_and_pauses() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 2, 1);
		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(2), job));
		// The deadline is block 3; its queue is processed at the start of block 4.
		run_to_block(3);
		assert!(Jobs::<Test>::contains_key(job));
		run_to_block(4);
		assert_eq!(Jobs::<Test>::get(job), None);
		has(Event::ProviderSlashed { job, provider: 2, amount: 100, reason: SlashReason::Timeout });
		has(Event::ProviderPaused { provider: 2, slashed: true });
		has(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::DeadlineMissed,
		});
		let p = provider(2);
		assert_eq!(p.stake, 900);
		assert_eq!(p.status, ProviderStatus::Paused);
		assert_eq!(p.active_jobs, 0);
		assert_eq!(p.reputation.timed_out, 1);
		assert_eq!(held(HoldReason::ProviderStake, 2), 900);
		assert_eq!(Balances::free_balance(2), ENDOWMENT - 1_010);
		assert_eq!(Balances::free_balance(1), ENDOWMENT);
		assert_eq!(Balances::free_balance(TREASURY), ED + 100);

		assert_noop!(resume(2), Error::<Test>::StakeBelowMinimum);
		assert_ok!(stake_more(2, 100));
		assert_ok!(resume(2));
		assert_eq!(provider(2).status, ProviderStatus::Active);
	})
}

#[test]
fn a_slash_does_not_emit_a_pause_for_an_already_paused_provider() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(2), job));
		assert_ok!(pause(2));
		System::reset_events();
		assert_ok!(Compute::report_failure(RuntimeOrigin::signed(2), job));
		assert_eq!(provider(2).stake, 990);
		assert_eq!(provider(2).status, ProviderStatus::Paused);
		assert!(!compute_events().iter().any(|e| matches!(e, Event::ProviderPaused { .. })));
	})
}

// ---------------------------------------------------------------- unregister_provider

#[test]
fn unregister_provider_starts_unbonding() {
	build_and_execute(|| {
		register(2, 3);
		run_to_block(4);
		assert_ok!(unregister(2));
		assert_eq!(provider(2).status, ProviderStatus::Unbonding { until: 14 });
		last(Event::ProviderUnbonding { provider: 2, until: 14 });
		// Stake and deposit stay on hold.
		assert_eq!(held(HoldReason::ProviderStake, 2), 1_000);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 10);
		// Still in the index until withdrawn.
		assert_eq!(ProviderCount::<Test>::get(), 1);
		assert_eq!(ProviderIndex::<Test>::get(0), Some(2));
		// It takes no new jobs.
		let job = submit(1, 1_000, 10, 1);
		assert_noop!(
			Compute::accept_job(RuntimeOrigin::signed(2), job),
			Error::<Test>::ProviderNotActive
		);
	})
}

#[test]
fn a_paused_provider_can_unregister() {
	build_and_execute(|| {
		register(2, 3);
		assert_ok!(pause(2));
		assert_ok!(unregister(2));
		assert_eq!(provider(2).status, ProviderStatus::Unbonding { until: 11 });
		last(Event::ProviderUnbonding { provider: 2, until: 11 });
	})
}

#[test]
fn unregister_provider_errors() {
	build_and_execute(|| {
		assert_noop!(unregister(2), Error::<Test>::NotRegistered);
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(2), job));
		assert_noop!(unregister(2), Error::<Test>::ProviderHasOpenJobs);
		// Also while paused with the slot.
		assert_ok!(pause(2));
		assert_noop!(unregister(2), Error::<Test>::ProviderHasOpenJobs);

		register(3, 3);
		assert_ok!(unregister(3));
		assert_noop!(unregister(3), Error::<Test>::ProviderUnbonding);
		run_to_block(11);
		assert_noop!(unregister(3), Error::<Test>::ProviderUnbonding);
		assert_eq!(provider(3).status, ProviderStatus::Unbonding { until: 11 });
	})
}

#[test]
fn unregister_is_allowed_once_the_slot_is_settled() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(2), job));
		assert_ok!(Compute::submit_attestation(
			RuntimeOrigin::signed(2),
			job,
			H256::repeat_byte(7),
			50
		));
		// Still holding the slot during the challenge window (until block 6).
		assert_noop!(unregister(2), Error::<Test>::ProviderHasOpenJobs);
		run_to_block(7);
		assert_eq!(Jobs::<Test>::get(job), None);
		assert_eq!(provider(2).active_jobs, 0);
		assert_ok!(unregister(2));
	})
}

// ---------------------------------------------------------------- withdraw_provider

#[test]
fn withdraw_provider_releases_everything() {
	build_and_execute(|| {
		register(2, 3);
		assert_ok!(stake_more(2, 500));
		assert_ok!(unregister(2));
		run_to_block(11);
		assert_ok!(withdraw(2));
		assert_eq!(Providers::<Test>::get(2), None);
		assert_eq!(ProviderCount::<Test>::get(), 0);
		assert_eq!(ProviderIndex::<Test>::get(0), None);
		assert_eq!(held(HoldReason::ProviderStake, 2), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 0);
		assert_eq!(Balances::free_balance(2), ENDOWMENT);
		last(Event::ProviderWithdrawn { provider: 2, stake: 1_500, deposit: 10 });

		// It may register again, from a fresh record.
		register(2, 5);
		let p = provider(2);
		assert_eq!(p.index, 0);
		assert_eq!(p.reputation, Reputation::default());
		assert_eq!(p.stake, 1_000);
	})
}

#[test]
fn withdraw_provider_releases_a_slashed_stake() {
	build_and_execute(|| {
		register(2, 3);
		slash_by_failure(2);
		assert_ok!(unregister(2));
		run_to_block(11);
		assert_ok!(withdraw(2));
		last(Event::ProviderWithdrawn { provider: 2, stake: 990, deposit: 10 });
		assert_eq!(held(HoldReason::ProviderStake, 2), 0);
		assert_eq!(Balances::free_balance(2), ENDOWMENT - 10);
	})
}

#[test]
fn withdraw_provider_errors() {
	build_and_execute(|| {
		assert_noop!(withdraw(2), Error::<Test>::NotRegistered);
		register(2, 3);
		assert_noop!(withdraw(2), Error::<Test>::NotUnbonding);
		assert_ok!(pause(2));
		assert_noop!(withdraw(2), Error::<Test>::NotUnbonding);
		assert_ok!(unregister(2));
		assert_noop!(withdraw(2), Error::<Test>::UnbondingNotOver);
		run_to_block(10);
		assert_noop!(withdraw(2), Error::<Test>::UnbondingNotOver);
		run_to_block(11);
		assert_ok!(withdraw(2));
		assert_noop!(withdraw(2), Error::<Test>::NotRegistered);
	})
}

#[test]
fn withdraw_provider_swaps_the_last_provider_into_the_gap() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		register(4, 3);
		assert_eq!((provider(2).index, provider(3).index, provider(4).index), (0, 1, 2));
		assert_ok!(unregister(2));
		run_to_block(11);
		assert_ok!(withdraw(2));
		assert_eq!(ProviderCount::<Test>::get(), 2);
		assert_eq!(ProviderIndex::<Test>::get(0), Some(4));
		assert_eq!(ProviderIndex::<Test>::get(1), Some(3));
		assert_eq!(ProviderIndex::<Test>::get(2), None);
		assert_eq!(provider(4).index, 0);
		assert_eq!(provider(3).index, 1);

		// Withdrawing the last index moves nobody.
		assert_ok!(unregister(3));
		run_to_block(21);
		assert_ok!(withdraw(3));
		assert_eq!(ProviderCount::<Test>::get(), 1);
		assert_eq!(ProviderIndex::<Test>::get(0), Some(4));
		assert_eq!(ProviderIndex::<Test>::get(1), None);
		assert_eq!(provider(4).index, 0);

		// A newcomer takes the next free index.
		register(5, 3);
		assert_eq!(provider(5).index, 1);
		assert_eq!(ProviderIndex::<Test>::get(1), Some(5));
	})
}

#[test]
fn set_matching_gates_assign() {
	build_and_execute(|| {
		assert_ok!(reg(2, caps(&[INT8], 1_000), prices(&[INT8], 1), 1_000));
		assert_eq!(provider(2).matching_lead, None);
		let id = submit(1, 1_000, 10, 1);
		assert_noop!(
			Compute::assign(RuntimeOrigin::signed(7), id, 2),
			Error::<Test>::MatchingNotAllowed
		);
		assert_ok!(Compute::set_matching(RuntimeOrigin::signed(2), Some(0)));
		last(Event::MatchingSet { provider: 2, min_lead: Some(0) });
		assert_eq!(provider(2).matching_lead, Some(0));
		assert_ok!(Compute::assign(RuntimeOrigin::signed(7), id, 2));
		assert_ok!(Compute::set_matching(RuntimeOrigin::signed(2), None));
		assert_eq!(provider(2).matching_lead, None);
		// The provider itself still accepts jobs.
		let other = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(2), other));
		assert_noop!(
			Compute::set_matching(RuntimeOrigin::signed(9), Some(0)),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Compute::set_matching(RuntimeOrigin::none(), Some(0)),
			sp_runtime::DispatchError::BadOrigin
		);
	})
}

#[test]
fn a_provider_cannot_take_its_own_job() {
	build_and_execute(|| {
		register(2, 1);
		let id = submit(2, 1_000, 10, 1);
		assert_noop!(
			Compute::accept_job(RuntimeOrigin::signed(2), id),
			Error::<Test>::ProviderIsOwner
		);
		assert_noop!(
			Compute::assign(RuntimeOrigin::signed(7), id, 2),
			Error::<Test>::ProviderIsOwner
		);
	})
}
