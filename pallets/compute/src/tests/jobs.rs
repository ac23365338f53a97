//! Jobs before attestation: `submit_job`, `cancel_job`, `top_up_job`, `accept_job` and `assign`.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{mock::*, Error, Event, *};
use frame_support::{
	assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::fungible::InspectHold,
	weights::Weight, BoundedVec,
};
use sp_core::H256;
use sp_runtime::{DispatchError, DispatchResult, Permill};

const INT8: ExecutorKind = ExecutorKind::GemmInt8;
const F32: ExecutorKind = ExecutorKind::GemmF32;
const MLP: ExecutorKind = ExecutorKind::MlpFixedPoint;

// ---------------------------------------------------------------- helpers

fn held(reason: HoldReason, who: AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), &who)
}

fn job(id: JobId) -> Job<Test> {
	Jobs::<Test>::get(id).expect("the job exists")
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

fn submit_spec(
	who: AccountId,
	spec: JobSpec<Test>,
	budget: Balance,
	deadline: u64,
	redundancy: u8,
) -> DispatchResult {
	Compute::submit_job(RuntimeOrigin::signed(who), spec, budget, deadline, redundancy)
		.map(|_| ())
		.map_err(|e| e.error)
}

/// The weight `submit_job` reported after dispatch.
fn submit_weight(who: AccountId, deadline: u64) -> Weight {
	let post = Compute::submit_job(RuntimeOrigin::signed(who), spec(INT8, 100), 1, deadline, 1)
		.expect("the job is submitted");
	post.actual_weight.expect("submit_job reports its weight")
}

fn cancel(who: AccountId, id: JobId) -> DispatchResult {
	Compute::cancel_job(RuntimeOrigin::signed(who), id)
}

fn top_up(who: AccountId, id: JobId, amount: Balance) -> DispatchResult {
	Compute::top_up_job(RuntimeOrigin::signed(who), id, amount)
}

fn accept(who: AccountId, id: JobId) -> DispatchResult {
	Compute::accept_job(RuntimeOrigin::signed(who), id)
}

fn assign(matcher: AccountId, id: JobId, who: AccountId) -> DispatchResult {
	Compute::assign(RuntimeOrigin::signed(matcher), id, who)
}

/// An int8 job of 100 units with a reputation floor.
fn spec_with_floor(floor: Permill) -> JobSpec<Test> {
	let mut s = spec(INT8, 100);
	s.min_reputation = floor;
	s
}

/// Let `who` (holding a slot) attest, moving the job out of its open stage.
fn attest(who: AccountId, id: JobId) {
	assert_ok!(Compute::submit_attestation(
		RuntimeOrigin::signed(who),
		id,
		H256::repeat_byte(7),
		50
	));
}

// ---------------------------------------------------------------- submit_job

#[test]
fn submit_job_escrows_budget_and_deposit() {
	build_and_execute(|| {
		assert_eq!(NextJobId::<Test>::get(), 0);
		let id = submit(1, 1_000, 10, 1);
		assert_eq!(id, 0);
		assert_eq!(NextJobId::<Test>::get(), 1);
		assert_eq!(
			Jobs::<Test>::get(0),
			Some(Job::<Test> {
				owner: 1,
				spec: spec(INT8, 100),
				budget: 1_000,
				reserved: 0,
				deposit: 5,
				deadline: 11,
				redundancy: 1,
				slots: BoundedVec::new(),
				state: JobState::Open,
				timeout: 11,
			})
		);
		assert_eq!(Timeouts::<Test>::get(11).into_inner(), vec![0]);
		assert_eq!(QueuedJobs::<Test>::get(), 1);
		assert_eq!(held(HoldReason::JobEscrow, 1), 1_000);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 5);
		assert_eq!(held(HoldReason::ProviderStake, 1), 0);
		assert_eq!(Balances::free_balance(1), ENDOWMENT - 1_005);
		last(Event::JobSubmitted {
			job: 0,
			owner: 1,
			kind: INT8,
			budget: 1_000,
			deadline: 11,
			redundancy: 1,
		});

		// A second job of the same owner, later, redundant: the holds add up.
		run_to_block(3);
		let id = submit(1, 500, 2, 3);
		assert_eq!(id, 1);
		assert_eq!(NextJobId::<Test>::get(), 2);
		let j = job(1);
		assert_eq!(j.deadline, 5);
		assert_eq!(j.timeout, 5);
		assert_eq!(j.redundancy, 3);
		assert_eq!(j.budget, 500);
		assert_eq!(Timeouts::<Test>::get(5).into_inner(), vec![1]);
		assert_eq!(Timeouts::<Test>::get(11).into_inner(), vec![0]);
		assert_eq!(QueuedJobs::<Test>::get(), 2);
		assert_eq!(held(HoldReason::JobEscrow, 1), 1_500);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 10);
		assert_eq!(Balances::free_balance(1), ENDOWMENT - 1_510);
		last(Event::JobSubmitted {
			job: 1,
			owner: 1,
			kind: INT8,
			budget: 500,
			deadline: 5,
			redundancy: 3,
		});
	})
}

#[test]
fn submit_job_accepts_the_bounds() {
	build_and_execute(|| {
		let mut s = spec(INT8, 1);
		s.output_size = 1 << 20;
		assert_ok!(submit_spec(1, s, 1, 2, 3));
		assert_eq!(job(0).deadline, 3);
		assert_ok!(submit_spec(1, spec(INT8, 100), 1, 100, 1));
		assert_eq!(job(1).deadline, 101);
		assert!(Timeouts::<Test>::get(101).contains(&1));
		// Floats run once.
		assert_ok!(submit_spec(1, spec(F32, 100), 1, 10, 1));
		assert_eq!(job(2).spec.kind, F32);
		// Other bit-exact executors run redundantly.
		assert_ok!(submit_spec(1, spec(MLP, 100), 1, 10, 2));
		// Everything but the existential deposit can be put in escrow (budget + deposit).
		assert_ok!(submit_spec(2, spec(INT8, 100), ENDOWMENT - 5 - ED, 10, 1));
		assert_eq!(Balances::free_balance(2), ED);
		assert_eq!(held(HoldReason::JobEscrow, 2), ENDOWMENT - 5 - ED);
		assert_eq!(NextJobId::<Test>::get(), 5);
	})
}

#[test]
fn submit_job_errors() {
	build_and_execute(|| {
		let s = || spec(INT8, 100);
		assert_noop!(submit_spec(1, s(), 0, 10, 1), Error::<Test>::ZeroAmount);
		assert_noop!(submit_spec(1, spec(INT8, 0), 100, 10, 1), Error::<Test>::ZeroUnits);
		let mut big = s();
		big.output_size = (1 << 20) + 1;
		assert_noop!(submit_spec(1, big, 100, 10, 1), Error::<Test>::OutputTooLarge);
		assert_noop!(submit_spec(1, s(), 100, 10, 0), Error::<Test>::InvalidRedundancy);
		assert_noop!(submit_spec(1, s(), 100, 10, 4), Error::<Test>::InvalidRedundancy);
		assert_noop!(submit_spec(1, s(), 100, 10, u8::MAX), Error::<Test>::InvalidRedundancy);
		assert_noop!(
			submit_spec(1, spec(F32, 100), 100, 10, 2),
			Error::<Test>::RedundancyNeedsBitExactExecutor
		);
		assert_noop!(
			submit_spec(1, spec(F32, 100), 100, 10, 3),
			Error::<Test>::RedundancyNeedsBitExactExecutor
		);
		assert_noop!(submit_spec(1, s(), 100, 1, 1), Error::<Test>::DeadlineTooSoon);
		assert_noop!(submit_spec(1, s(), 100, 0, 1), Error::<Test>::DeadlineTooSoon);
		assert_noop!(submit_spec(1, s(), 100, 101, 1), Error::<Test>::DeadlineTooFar);
		// budget + deposit == ENDOWMENT leaves nothing for the existential deposit.
		assert_noop!(submit_spec(1, s(), ENDOWMENT - 5, 10, 1), Error::<Test>::InsufficientBalance);
		assert_noop!(submit_spec(1, s(), ENDOWMENT, 10, 1), Error::<Test>::InsufficientBalance);
		assert_noop!(submit_spec(ACCOUNTS + 1, s(), 1, 10, 1), Error::<Test>::InsufficientBalance);
		assert_noop!(submit_spec(1, s(), Balance::MAX, 10, 1), Error::<Test>::Overflow);
		assert_noop!(
			Compute::submit_job(RuntimeOrigin::none(), s(), 100, 10, 1),
			DispatchError::BadOrigin
		);
		assert_eq!(NextJobId::<Test>::get(), 0);
		assert_eq!(QueuedJobs::<Test>::get(), 0);
		assert_eq!(Balances::free_balance(1), ENDOWMENT);
	})
}

#[test]
fn submit_job_refunds_the_queues_it_did_not_read() {
	build_and_execute(|| {
		let declared = crate::Call::<Test>::submit_job {
			spec: spec(INT8, 100),
			budget: 1,
			deadline: 10,
			redundancy: 1,
		}
		.get_dispatch_info()
		.call_weight;
		assert_eq!(declared, <() as WeightInfo>::submit_job(crate::functions::USER_PROBE));
		// The queue of the wanted block (11) has room: one queue read.
		assert_eq!(submit_weight(1, 10), <() as WeightInfo>::submit_job(1));
		assert!(<() as WeightInfo>::submit_job(1).all_lt(declared));
		// Users may fill 6 of a queue's 8 places: with block 11 full, the 7th job reads the queues
		// of blocks 11 and 12.
		for _ in 1..6 {
			assert_ok!(submit_spec(1, spec(INT8, 100), 1, 10, 1));
		}
		assert_eq!(Timeouts::<Test>::get(11).len(), 6);
		assert_eq!(submit_weight(2, 10), <() as WeightInfo>::submit_job(2));
		assert_eq!(job(6).timeout, 12);
	})
}

#[test]
fn submit_job_spills_into_later_queues_up_to_the_user_probe() {
	build_and_execute(|| {
		// MaxJobsPerTimeout = 8, of which users may fill 6: 16 blocks of full queues from
		// block 11 on.
		for n in 0..(6 * 16) {
			assert_eq!(submit(1, 1, 10, 1), n);
		}
		for block in 11..=26 {
			assert_eq!(Timeouts::<Test>::get(block).len(), 6, "queue of block {block}");
		}
		assert_eq!(job(0).timeout, 11);
		assert_eq!(job(6).timeout, 12);
		assert_eq!(job(95).timeout, 26);
		// Every job keeps its wanted deadline.
		assert_eq!(job(95).deadline, 11);
		assert!(Timeouts::<Test>::get(27).is_empty());
		assert_eq!(QueuedJobs::<Test>::get(), 96);

		assert_noop!(submit_spec(1, spec(INT8, 100), 1, 10, 1), Error::<Test>::TimeoutQueueFull);
		assert_noop!(submit_spec(2, spec(INT8, 100), 1, 10, 1), Error::<Test>::TimeoutQueueFull);

		// One block later the probe reaches block 27.
		let id = submit(1, 1, 11, 1);
		assert_eq!(id, 96);
		assert_eq!(job(id).deadline, 12);
		assert_eq!(job(id).timeout, 27);
		assert_eq!(Timeouts::<Test>::get(27).into_inner(), vec![96]);
		last(Event::JobSubmitted {
			job: 96,
			owner: 1,
			kind: INT8,
			budget: 1,
			deadline: 12,
			redundancy: 1,
		});
		assert_eq!(held(HoldReason::JobEscrow, 1), 97);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 97 * 5);
		assert_eq!(Balances::free_balance(1), ENDOWMENT - 97 * 6);
	})
}

#[test]
fn internal_moves_use_the_room_users_cannot_fill() {
	build_and_execute(|| {
		register(2, 1);
		// Fill the users' share (6 of 8) of block 11, where a challenge window opened at block
		// 6 ends (ChallengePeriod = 5).
		for _ in 0..6 {
			submit(1, 1, 10, 1);
		}
		// A seventh user deadline at block 11 spills over to block 12.
		let spilled = submit(3, 1, 10, 1);
		assert_eq!(job(spilled).timeout, 12);
		let id = submit(3, 1_000, 20, 1);
		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(2), id));
		System::set_block_number(6);
		assert_ok!(Compute::submit_attestation(
			RuntimeOrigin::signed(2),
			id,
			sp_core::H256::repeat_byte(1),
			10
		));
		assert_eq!(job(id).timeout, 11);
		assert_eq!(Timeouts::<Test>::get(11).len(), 7);
	})
}

// ---------------------------------------------------------------- cancel_job

#[test]
fn cancel_job_refunds_in_full() {
	build_and_execute(|| {
		let id = submit(1, 1_000, 10, 1);
		assert_ok!(cancel(1, id));
		assert_eq!(Jobs::<Test>::get(id), None);
		assert!(!Timeouts::<Test>::contains_key(11));
		assert_eq!(QueuedJobs::<Test>::get(), 0);
		assert_eq!(held(HoldReason::JobEscrow, 1), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 0);
		assert_eq!(Balances::free_balance(1), ENDOWMENT);
		last(Event::JobRefunded {
			job: id,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::Cancelled,
		});
		// Ids are not reused.
		assert_eq!(submit(1, 10, 10, 1), 1);
	})
}

#[test]
fn cancel_job_refunds_top_ups_and_leaves_other_jobs_alone() {
	build_and_execute(|| {
		let a = submit(1, 1_000, 10, 1);
		let b = submit(1, 300, 10, 1);
		assert_ok!(top_up(1, a, 250));
		assert_ok!(cancel(1, a));
		last(Event::JobRefunded {
			job: a,
			owner: 1,
			amount: 1_250,
			reason: RefundReason::Cancelled,
		});
		assert_eq!(Timeouts::<Test>::get(11).into_inner(), vec![b]);
		assert_eq!(QueuedJobs::<Test>::get(), 1);
		assert_eq!(held(HoldReason::JobEscrow, 1), 300);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 5);
		assert_eq!(Balances::free_balance(1), ENDOWMENT - 305);
		assert_eq!(job(b).budget, 300);
	})
}

#[test]
fn cancel_job_is_allowed_again_after_the_only_provider_gave_up() {
	build_and_execute(|| {
		register(2, 3);
		let id = submit(1, 1_000, 10, 1);
		assert_ok!(accept(2, id));
		assert_noop!(cancel(1, id), Error::<Test>::JobAlreadyTaken);
		assert_ok!(Compute::report_failure(RuntimeOrigin::signed(2), id));
		assert_ok!(cancel(1, id));
		assert_eq!(Balances::free_balance(1), ENDOWMENT);
		assert_eq!(provider(2).active_jobs, 0);
	})
}

#[test]
fn cancel_job_errors() {
	build_and_execute(|| {
		assert_noop!(cancel(1, 0), Error::<Test>::UnknownJob);
		register(2, 3);
		let id = submit(1, 1_000, 10, 1);
		assert_noop!(cancel(2, id), Error::<Test>::NotJobOwner);
		assert_noop!(cancel(1, id + 1), Error::<Test>::UnknownJob);
		assert_noop!(Compute::cancel_job(RuntimeOrigin::none(), id), DispatchError::BadOrigin);
		assert_ok!(accept(2, id));
		assert_noop!(cancel(1, id), Error::<Test>::JobAlreadyTaken);
		attest(2, id);
		assert_noop!(cancel(1, id), Error::<Test>::JobNotOpen);
		assert_noop!(cancel(2, id), Error::<Test>::NotJobOwner);

		let other = submit(1, 1_000, 10, 1);
		assert_ok!(cancel(1, other));
		assert_noop!(cancel(1, other), Error::<Test>::UnknownJob);
	})
}

// ---------------------------------------------------------------- top_up_job

#[test]
fn top_up_job_adds_to_the_escrow() {
	build_and_execute(|| {
		let id = submit(1, 1_000, 10, 1);
		assert_ok!(top_up(1, id, 250));
		assert_eq!(job(id).budget, 1_250);
		assert_eq!(job(id).reserved, 0);
		assert_eq!(held(HoldReason::JobEscrow, 1), 1_250);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 5);
		assert_eq!(Balances::free_balance(1), ENDOWMENT - 1_255);
		last(Event::JobToppedUp { job: id, amount: 250, budget: 1_250 });

		// Everything but the existential deposit can be added.
		let rest = Balances::free_balance(1) - ED;
		assert_ok!(top_up(1, id, rest));
		assert_eq!(job(id).budget, 1_250 + rest);
		assert_eq!(Balances::free_balance(1), ED);
		last(Event::JobToppedUp { job: id, amount: rest, budget: ENDOWMENT - 5 - ED });
	})
}

#[test]
fn top_up_job_works_while_open_with_slots_taken() {
	build_and_execute(|| {
		register(2, 3);
		let id = submit(1, 1_000, 10, 2);
		assert_ok!(accept(2, id));
		assert_ok!(top_up(1, id, 1));
		assert_eq!(job(id).budget, 1_001);
		assert_eq!(job(id).reserved, 300);
	})
}

#[test]
fn top_up_job_errors() {
	build_and_execute(|| {
		assert_noop!(top_up(1, 0, 0), Error::<Test>::ZeroAmount);
		assert_noop!(top_up(1, 0, 10), Error::<Test>::UnknownJob);
		register(2, 3);
		let id = submit(1, 1_000, 10, 1);
		assert_noop!(top_up(1, id, 0), Error::<Test>::ZeroAmount);
		assert_noop!(top_up(2, id, 10), Error::<Test>::NotJobOwner);
		let free = Balances::free_balance(1);
		assert_noop!(top_up(1, id, free), Error::<Test>::InsufficientBalance);
		assert_noop!(top_up(1, id, Balance::MAX), Error::<Test>::Overflow);
		assert_noop!(Compute::top_up_job(RuntimeOrigin::none(), id, 10), DispatchError::BadOrigin);
		assert_ok!(accept(2, id));
		attest(2, id);
		assert_noop!(top_up(1, id, 10), Error::<Test>::JobNotOpen);
		assert_eq!(job(id).budget, 1_000);
	})
}

// ---------------------------------------------------------------- accept_job / assign

#[test]
fn accept_job_takes_a_slot_and_reserves_its_worst_case() {
	build_and_execute(|| {
		register(2, 3);
		let id = submit(1, 1_000, 10, 1);
		assert_ok!(accept(2, id));
		let j = job(id);
		assert_eq!(
			j.slots.to_vec(),
			vec![Slot::<Test> {
				provider: 2,
				price_per_unit: 3,
				taken_at: 1,
				attestation: Attestation::Pending
			}]
		);
		assert_eq!(j.reserved, 300);
		assert_eq!(j.budget, 1_000);
		assert_eq!(j.state, JobState::Open);
		assert_eq!(j.timeout, 11);
		assert!(j.is_full());
		assert_eq!(provider(2).active_jobs, 1);
		last(Event::JobAssigned { job: id, provider: 2, price_per_unit: 3, matcher: None });
		// No funds move.
		assert_eq!(held(HoldReason::JobEscrow, 1), 1_000);
		assert_eq!(held(HoldReason::ProviderStake, 2), 1_000);
		assert_eq!(Balances::free_balance(2), ENDOWMENT - 1_010);
	})
}

#[test]
fn assign_takes_a_slot_for_the_provider_and_names_the_matcher() {
	build_and_execute(|| {
		register(2, 4);
		let id = submit(1, 1_000, 10, 1);
		assert_ok!(assign(7, id, 2));
		let j = job(id);
		assert_eq!(j.slots.len(), 1);
		assert_eq!(j.slots[0].provider, 2);
		assert_eq!(j.slots[0].price_per_unit, 4);
		assert_eq!(j.reserved, 400);
		assert_eq!(provider(2).active_jobs, 1);
		last(Event::JobAssigned { job: id, provider: 2, price_per_unit: 4, matcher: Some(7) });
		// The matcher pays nothing and holds nothing.
		assert_eq!(Balances::free_balance(7), ENDOWMENT);
		assert_eq!(Providers::<Test>::get(7), None);
	})
}

#[test]
fn redundant_slots_reserve_each_price() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 2);
		register(4, 1);
		let id = submit(1, 600, 10, 3);
		assert_ok!(accept(2, id));
		assert_eq!(job(id).reserved, 300);
		assert!(!job(id).is_full());
		assert_ok!(assign(9, id, 3));
		assert_eq!(job(id).reserved, 500);
		assert_ok!(accept(4, id));
		let j = job(id);
		assert_eq!(j.reserved, 600);
		assert_eq!(j.reserved, j.budget);
		assert!(j.is_full());
		let slots: Vec<(AccountId, Balance)> =
			j.slots.iter().map(|s| (s.provider, s.price_per_unit)).collect();
		assert_eq!(slots, vec![(2, 3), (3, 2), (4, 1)]);
		assert_eq!(j.state, JobState::Open);
		has(Event::JobAssigned { job: id, provider: 3, price_per_unit: 2, matcher: Some(9) });
		last(Event::JobAssigned { job: id, provider: 4, price_per_unit: 1, matcher: None });
	})
}

#[test]
fn accept_job_unknown_or_not_open() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		assert_noop!(accept(2, 0), Error::<Test>::UnknownJob);
		assert_noop!(assign(7, 0, 2), Error::<Test>::UnknownJob);
		let id = submit(1, 1_000, 10, 1);
		assert_ok!(accept(2, id));
		attest(2, id);
		assert!(matches!(job(id).state, JobState::Challengeable { .. }));
		assert_noop!(accept(3, id), Error::<Test>::JobNotOpen);
		assert_noop!(assign(7, id, 3), Error::<Test>::JobNotOpen);
		assert_noop!(Compute::accept_job(RuntimeOrigin::none(), id), DispatchError::BadOrigin);
		assert_noop!(Compute::assign(RuntimeOrigin::none(), id, 3), DispatchError::BadOrigin);
	})
}

#[test]
fn accept_job_until_the_deadline_block_only() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		let id = submit(1, 1_000, 10, 2);
		assert_eq!(job(id).deadline, 11);
		// on_initialize(11) only processes the queues of earlier blocks.
		run_to_block(11);
		assert_ok!(accept(2, id));
		// The queue of block 11 is processed at the start of block 12; before that the job is
		// still stored but past its deadline.
		System::set_block_number(12);
		assert!(Jobs::<Test>::contains_key(id));
		assert_noop!(accept(3, id), Error::<Test>::DeadlinePassed);
		assert_noop!(assign(7, id, 3), Error::<Test>::DeadlinePassed);
	})
}

#[test]
fn accept_job_full_or_already_in() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		let single = submit(1, 1_000, 10, 1);
		assert_ok!(accept(2, single));
		assert_noop!(accept(3, single), Error::<Test>::JobFull);
		assert_noop!(assign(7, single, 3), Error::<Test>::JobFull);
		// A full job reports JobFull even to its own provider.
		assert_noop!(accept(2, single), Error::<Test>::JobFull);

		let double = submit(1, 1_000, 10, 2);
		assert_ok!(accept(2, double));
		assert_noop!(accept(2, double), Error::<Test>::ProviderAlreadyInJob);
		assert_noop!(assign(7, double, 2), Error::<Test>::ProviderAlreadyInJob);
		assert_eq!(provider(2).active_jobs, 2);
		assert_eq!(job(double).reserved, 300);
	})
}

#[test]
fn accept_job_needs_an_active_provider() {
	build_and_execute(|| {
		let id = submit(1, 1_000, 10, 1);
		assert_noop!(accept(5, id), Error::<Test>::NotRegistered);
		assert_noop!(assign(7, id, 5), Error::<Test>::NotRegistered);

		register(2, 3);
		assert_ok!(Compute::pause_provider(RuntimeOrigin::signed(2)));
		assert_noop!(accept(2, id), Error::<Test>::ProviderNotActive);
		assert_noop!(assign(7, id, 2), Error::<Test>::ProviderNotActive);

		register(3, 3);
		assert_ok!(Compute::unregister_provider(RuntimeOrigin::signed(3)));
		assert_noop!(accept(3, id), Error::<Test>::ProviderNotActive);
		assert_noop!(assign(7, id, 3), Error::<Test>::ProviderNotActive);

		// A provider paused by a slash.
		register(4, 3);
		let other = submit(1, 1_000, 10, 1);
		assert_ok!(accept(4, other));
		assert_ok!(Compute::report_failure(RuntimeOrigin::signed(4), other));
		assert_eq!(provider(4).status, ProviderStatus::Paused);
		assert_noop!(accept(4, id), Error::<Test>::ProviderNotActive);

		assert!(job(id).slots.is_empty());
	})
}

#[test]
fn accept_job_needs_the_executor_for_the_job_size() {
	build_and_execute(|| {
		let id = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::register_provider(
			RuntimeOrigin::signed(2),
			caps(&[F32], 1_000),
			prices(&[F32], 1),
			1_000
		));
		assert_ok!(Compute::set_matching(RuntimeOrigin::signed(2), Some(0)));
		assert_noop!(accept(2, id), Error::<Test>::ExecutorNotOffered);
		assert_noop!(assign(7, id, 2), Error::<Test>::ExecutorNotOffered);
		assert_ok!(Compute::register_provider(
			RuntimeOrigin::signed(3),
			caps(&[F32, MLP], 1_000),
			prices(&[F32, MLP], 1),
			1_000
		));
		assert_ok!(Compute::set_matching(RuntimeOrigin::signed(3), Some(0)));
		assert_noop!(accept(3, id), Error::<Test>::ExecutorNotOffered);

		// Offers int8 GEMM, but only up to 99 units; the job needs 100.
		assert_ok!(Compute::register_provider(
			RuntimeOrigin::signed(4),
			caps(&[INT8], 99),
			prices(&[INT8], 1),
			1_000
		));
		assert_ok!(Compute::set_matching(RuntimeOrigin::signed(4), Some(0)));
		assert_noop!(accept(4, id), Error::<Test>::JobTooLarge);
		assert_noop!(assign(7, id, 4), Error::<Test>::JobTooLarge);
		// Exactly 100 units is enough.
		assert_ok!(Compute::update_provider(
			RuntimeOrigin::signed(4),
			caps(&[INT8], 100),
			prices(&[INT8], 1)
		));
		assert_ok!(accept(4, id));
		assert_eq!(job(id).reserved, 100);
	})
}

#[test]
fn accept_job_checks_the_reputation_floor() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		// A newcomer scores exactly 50 %.
		assert_eq!(provider(2).reputation.score(), Permill::from_percent(50));
		assert_ok!(submit_spec(1, spec_with_floor(Permill::from_parts(500_001)), 1_000, 10, 1));
		assert_noop!(accept(2, 0), Error::<Test>::ReputationTooLow);
		assert_noop!(assign(7, 0, 2), Error::<Test>::ReputationTooLow);
		assert_ok!(submit_spec(1, spec_with_floor(Permill::from_percent(50)), 1_000, 10, 1));
		assert_ok!(accept(2, 1));

		// A reported failure (+0.5 failure) drops provider 3 to 1 / 2.5 = 40 %.
		let failed = submit(1, 1_000, 10, 1);
		assert_ok!(accept(3, failed));
		assert_ok!(Compute::report_failure(RuntimeOrigin::signed(3), failed));
		assert_ok!(Compute::increase_stake(RuntimeOrigin::signed(3), 10));
		assert_ok!(Compute::resume_provider(RuntimeOrigin::signed(3)));
		assert_eq!(provider(3).reputation.score(), Permill::from_percent(40));
		assert_ok!(submit_spec(1, spec_with_floor(Permill::from_parts(400_001)), 1_000, 10, 1));
		assert_noop!(accept(3, 3), Error::<Test>::ReputationTooLow);
		assert_ok!(submit_spec(1, spec_with_floor(Permill::from_percent(40)), 1_000, 10, 1));
		assert_ok!(accept(3, 4));
		assert_noop!(accept(3, 0), Error::<Test>::ReputationTooLow);
	})
}

#[test]
fn accept_job_limits_slots_per_provider() {
	build_and_execute(|| {
		register(2, 3);
		let ids: Vec<JobId> = (0..5).map(|_| submit(1, 300, 10, 1)).collect();
		for &id in &ids[..4] {
			assert_ok!(accept(2, id));
		}
		assert_eq!(provider(2).active_jobs, 4);
		assert_noop!(accept(2, ids[4]), Error::<Test>::ProviderOverloaded);
		assert_noop!(assign(7, ids[4], 2), Error::<Test>::ProviderOverloaded);

		// Once one of its jobs settles, it has room again.
		attest(2, ids[0]);
		run_to_block(7);
		assert_eq!(Jobs::<Test>::get(ids[0]), None);
		assert_eq!(provider(2).active_jobs, 3);
		assert_ok!(accept(2, ids[4]));
		assert_eq!(provider(2).active_jobs, 4);
	})
}

#[test]
fn accept_job_needs_the_price_to_fit_the_budget() {
	build_and_execute(|| {
		register(2, 3);
		// 3 per unit * 100 units = 300.
		let short = submit(1, 299, 10, 1);
		assert_noop!(accept(2, short), Error::<Test>::PriceAboveBudget);
		assert_noop!(assign(7, short, 2), Error::<Test>::PriceAboveBudget);
		let exact = submit(1, 300, 10, 1);
		assert_ok!(accept(2, exact));
		assert_eq!(job(exact).reserved, job(exact).budget);

		// A price whose worst case overflows.
		assert_ok!(Compute::register_provider(
			RuntimeOrigin::signed(3),
			caps(&[INT8], 1_000),
			prices(&[INT8], Balance::MAX),
			1_000
		));
		assert_ok!(Compute::set_matching(RuntimeOrigin::signed(3), Some(0)));
		assert_noop!(accept(3, short), Error::<Test>::Overflow);
	})
}

#[test]
fn the_second_redundant_slot_must_fit_what_is_left() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		let id = submit(1, 500, 10, 2);
		assert_ok!(accept(2, id));
		assert_eq!(job(id).reserved, 300);
		// 300 + 300 > 500.
		assert_noop!(accept(3, id), Error::<Test>::PriceAboveBudget);
		assert_ok!(top_up(1, id, 99));
		assert_noop!(accept(3, id), Error::<Test>::PriceAboveBudget);
		assert_ok!(top_up(1, id, 1));
		assert_ok!(accept(3, id));
		let j = job(id);
		assert_eq!(j.budget, 600);
		assert_eq!(j.reserved, 600);
		assert_eq!(j.slots.len(), 2);
		assert_eq!(held(HoldReason::JobEscrow, 1), 600);
	})
}

#[test]
fn a_top_up_lets_a_dearer_provider_accept() {
	build_and_execute(|| {
		register(2, 5);
		let id = submit(1, 400, 10, 1);
		assert_noop!(accept(2, id), Error::<Test>::PriceAboveBudget);
		assert_ok!(top_up(1, id, 99));
		assert_noop!(accept(2, id), Error::<Test>::PriceAboveBudget);
		assert_ok!(top_up(1, id, 1));
		assert_ok!(accept(2, id));
		let j = job(id);
		assert_eq!(j.budget, 500);
		assert_eq!(j.reserved, 500);
		last(Event::JobAssigned { job: id, provider: 2, price_per_unit: 5, matcher: None });
	})
}
