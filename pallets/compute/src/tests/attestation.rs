//! Attestation: `submit_attestation` (redundancy 1), `commit_attestation` and
//! `reveal_attestation` (redundancy above 1) and `report_failure`, with every error they return.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use super::util::*;
use crate::{mock::*, Error, Event, *};
use airtime_primitives::compute::attestation_commitment;
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;
use sp_runtime::Permill;

const SALT: [u8; 32] = [7u8; 32];
const OTHER_SALT: [u8; 32] = [8u8; 32];

fn commitment(job: JobId, who: AccountId, hash: H256, usage: u64, salt: [u8; 32]) -> H256 {
	attestation_commitment(job, &who, &hash, usage, &salt)
}

fn commit(who: AccountId, job: JobId, hash: H256, usage: u64, salt: [u8; 32]) {
	assert_ok!(Compute::commit_attestation(
		signed(who),
		job,
		commitment(job, who, hash, usage, salt)
	));
}

fn reveal(who: AccountId, job: JobId, hash: H256, usage: u64, salt: [u8; 32]) {
	assert_ok!(Compute::reveal_attestation(signed(who), job, hash, usage, salt));
}

/// Providers 2 and 3 (price 3 and 4) hold the slots of a redundancy-2 job of owner 1 (deadline
/// block 11).
fn redundant_job() -> JobId {
	register(2, 3);
	register(3, 4);
	let job = submit(1, 1_000, 10, 2);
	assert_ok!(Compute::accept_job(signed(2), job));
	assert_ok!(Compute::accept_job(signed(3), job));
	job
}

// ------------------------------------------------------------------ success paths

#[test]
fn submit_attestation_opens_the_challenge_window() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_eq!(job_of(job).timeout, 11);
		assert!(crate::Timeouts::<Test>::get(11).contains(&job));
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_eq!(job_of(job).reserved, 300);

		run_to_block(3);
		assert_ok!(Compute::submit_attestation(signed(2), job, h(7), 50));

		let j = job_of(job);
		// ChallengePeriod = 5 blocks from now (block 3).
		assert_eq!(j.state, JobState::Challengeable { until: 8, output_hash: h(7) });
		assert_eq!(j.timeout, 8);
		assert_eq!(j.slots[0].attestation, Attestation::Revealed { output_hash: h(7), usage: 50 });
		// The job left the deadline queue for the queue of the challenge window's end.
		assert_eq!(crate::Timeouts::<Test>::get(8).into_inner(), vec![job]);
		assert!(crate::Timeouts::<Test>::get(11).is_empty());
		assert_eq!(crate::QueuedJobs::<Test>::get(), 1);
		assert!(has_event(Event::AttestationSubmitted {
			job,
			provider: 2,
			output_hash: h(7),
			usage: 50,
		}));
		assert!(has_event(Event::ChallengePeriodStarted { job, output_hash: h(7), until: 8 }));
		// Nothing is paid before the window closes.
		assert_eq!(free(1), ENDOWMENT - 1_000 - 5);
		assert_eq!(held(crate::HoldReason::JobEscrow, 1), 1_000);
		assert_eq!(free(2), ENDOWMENT - 1_010);
	})
}

#[test]
fn attesting_at_the_deadline_block_is_still_allowed() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), job));
		System::set_block_number(11);
		assert_ok!(Compute::submit_attestation(signed(2), job, h(7), 100));
		assert_eq!(job_of(job).state, JobState::Challengeable { until: 16, output_hash: h(7) });
	})
}

#[test]
fn commit_and_reveal_with_redundancy_two() {
	build_and_execute(|| {
		let job = redundant_job();
		assert_eq!(job_of(job).reserved, 300 + 400);

		commit(2, job, h(7), 40, SALT);
		let j = job_of(job);
		assert_eq!(j.state, JobState::Open);
		assert_eq!(
			j.slots[0].attestation,
			Attestation::Committed(commitment(job, 2, h(7), 40, SALT))
		);
		assert_eq!(j.slots[1].attestation, Attestation::Pending);
		assert!(has_event(Event::AttestationCommitted { job, provider: 2 }));
		assert!(!compute_events().iter().any(|e| matches!(e, Event::RevealPeriodStarted { .. })));

		run_to_block(2);
		commit(3, job, h(7), 60, OTHER_SALT);
		let j = job_of(job);
		// RevealPeriod = 3 blocks from block 2.
		assert_eq!(j.state, JobState::Revealing { until: 5 });
		assert_eq!(j.timeout, 5);
		assert!(crate::Timeouts::<Test>::get(5).contains(&job));
		assert!(crate::Timeouts::<Test>::get(11).is_empty());
		assert!(has_event(Event::AttestationCommitted { job, provider: 3 }));
		assert!(has_event(Event::RevealPeriodStarted { job, until: 5 }));

		run_to_block(3);
		reveal(2, job, h(7), 40, SALT);
		let j = job_of(job);
		assert_eq!(j.state, JobState::Revealing { until: 5 });
		assert_eq!(j.slots[0].attestation, Attestation::Revealed { output_hash: h(7), usage: 40 });
		assert!(has_event(Event::AttestationSubmitted {
			job,
			provider: 2,
			output_hash: h(7),
			usage: 40,
		}));
		assert!(!compute_events()
			.iter()
			.any(|e| matches!(e, Event::ChallengePeriodStarted { .. })));

		// The last reveal agrees: the challenge window opens from block 3.
		reveal(3, job, h(7), 60, OTHER_SALT);
		let j = job_of(job);
		assert_eq!(j.state, JobState::Challengeable { until: 8, output_hash: h(7) });
		assert_eq!(j.timeout, 8);
		assert_eq!(j.slots[1].attestation, Attestation::Revealed { output_hash: h(7), usage: 60 });
		assert!(crate::Timeouts::<Test>::get(5).is_empty());
		assert_eq!(crate::Timeouts::<Test>::get(8).into_inner(), vec![job]);
		assert_eq!(crate::QueuedJobs::<Test>::get(), 1);
		assert!(has_event(Event::AttestationSubmitted {
			job,
			provider: 3,
			output_hash: h(7),
			usage: 60,
		}));
		assert!(has_event(Event::ChallengePeriodStarted { job, output_hash: h(7), until: 8 }));
	})
}

#[test]
fn reveal_period_waits_until_every_slot_is_taken_and_committed() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		register(4, 3);
		let job = submit(1, 1_000, 10, 3);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::accept_job(signed(3), job));
		commit(2, job, h(7), 10, SALT);
		commit(3, job, h(7), 20, SALT);
		// Every taken slot committed, but one slot is still free.
		assert_eq!(job_of(job).state, JobState::Open);
		assert!(!compute_events().iter().any(|e| matches!(e, Event::RevealPeriodStarted { .. })));

		assert_ok!(Compute::accept_job(signed(4), job));
		assert_eq!(job_of(job).state, JobState::Open);
		commit(4, job, h(7), 30, SALT);
		assert_eq!(job_of(job).state, JobState::Revealing { until: 4 });
		assert!(has_event(Event::RevealPeriodStarted { job, until: 4 }));

		reveal(2, job, h(7), 10, SALT);
		reveal(3, job, h(7), 20, SALT);
		assert_eq!(job_of(job).state, JobState::Revealing { until: 4 });
		reveal(4, job, h(7), 30, SALT);
		assert_eq!(job_of(job).state, JobState::Challengeable { until: 6, output_hash: h(7) });
	})
}

#[test]
fn report_failure_frees_the_slot_and_slashes_a_little() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_eq!(job_of(job).reserved, 300);
		assert_eq!(provider_of(2).active_jobs, 1);
		let treasury = free(TREASURY);
		let issuance = Balances::total_issuance();

		assert_ok!(Compute::report_failure(signed(2), job));

		let j = job_of(job);
		assert!(j.slots.is_empty());
		assert_eq!(j.reserved, 0);
		assert_eq!(j.state, JobState::Open);
		assert_eq!(j.timeout, 11);
		let p = provider_of(2);
		// SlashOnFailure = 1 % of 1_000.
		assert_eq!(p.stake, 990);
		assert_eq!(held(crate::HoldReason::ProviderStake, 2), 990);
		assert_eq!(free(2), ENDOWMENT - 1_010);
		assert_eq!(p.active_jobs, 0);
		assert_eq!(p.reputation.failed, 1);
		assert_eq!(p.reputation.score(), Permill::from_percent(40));
		// 990 < MinProviderStake: paused.
		assert_eq!(p.status, ProviderStatus::Paused);
		assert_eq!(free(TREASURY), treasury + 10);
		assert_eq!(Balances::total_issuance(), issuance);
		assert!(has_event(Event::ProviderSlashed {
			job,
			provider: 2,
			amount: 10,
			reason: SlashReason::ReportedFailure,
		}));
		assert!(has_event(Event::ProviderPaused { provider: 2, slashed: true }));
		assert!(has_event(Event::FailureReported { job, provider: 2, penalty: 10 }));
		// The owner's escrow is untouched.
		assert_eq!(held(crate::HoldReason::JobEscrow, 1), 1_000);

		// The paused provider cannot take the slot back; another provider can.
		assert_noop!(Compute::accept_job(signed(2), job), Error::<Test>::ProviderNotActive);
		assert_ok!(Compute::accept_job(signed(3), job));
		let j = job_of(job);
		assert_eq!(j.slots.len(), 1);
		assert_eq!(j.slots[0].provider, 3);
		assert_eq!(j.reserved, 300);
		assert_ok!(Compute::submit_attestation(signed(3), job, h(7), 10));
	})
}

#[test]
fn report_failure_in_a_redundant_job_keeps_the_other_commitment() {
	build_and_execute(|| {
		let job = redundant_job();
		register(4, 5);
		commit(2, job, h(7), 40, SALT);
		assert_ok!(Compute::report_failure(signed(3), job));
		let j = job_of(job);
		assert_eq!(j.slots.len(), 1);
		assert_eq!(j.slots[0].provider, 2);
		assert_eq!(j.reserved, 300);
		assert_eq!(j.state, JobState::Open);
		assert_eq!(provider_of(3).stake, 990);
		assert_eq!(provider_of(3).active_jobs, 0);

		assert_ok!(Compute::accept_job(signed(4), job));
		assert_eq!(job_of(job).reserved, 300 + 500);
		commit(4, job, h(7), 50, OTHER_SALT);
		assert_eq!(job_of(job).state, JobState::Revealing { until: 4 });
		reveal(2, job, h(7), 40, SALT);
		reveal(4, job, h(7), 50, OTHER_SALT);
		assert_eq!(job_of(job).state, JobState::Challengeable { until: 6, output_hash: h(7) });
	})
}

// ------------------------------------------------------------------ errors

#[test]
fn unknown_jobs_are_refused() {
	build_and_execute(|| {
		register(2, 3);
		assert_noop!(
			Compute::submit_attestation(signed(2), 42, h(7), 1),
			Error::<Test>::UnknownJob
		);
		assert_noop!(Compute::commit_attestation(signed(2), 42, h(7)), Error::<Test>::UnknownJob);
		assert_noop!(
			Compute::reveal_attestation(signed(2), 42, h(7), 1, SALT),
			Error::<Test>::UnknownJob
		);
		assert_noop!(Compute::report_failure(signed(2), 42), Error::<Test>::UnknownJob);

		// A job that ended is unknown too.
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::submit_attestation(signed(2), job, h(7), 1));
		run_to_block(7);
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert_noop!(
			Compute::submit_attestation(signed(2), job, h(7), 1),
			Error::<Test>::UnknownJob
		);
		assert_noop!(Compute::report_failure(signed(2), job), Error::<Test>::UnknownJob);
	})
}

#[test]
fn a_second_attestation_is_refused_because_the_job_left_the_open_stage() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::submit_attestation(signed(2), job, h(7), 10));
		// Duplicate attestation (even with another hash).
		assert_noop!(
			Compute::submit_attestation(signed(2), job, h(7), 10),
			Error::<Test>::JobNotOpen
		);
		assert_noop!(
			Compute::submit_attestation(signed(2), job, h(8), 20),
			Error::<Test>::JobNotOpen
		);
		assert_noop!(Compute::report_failure(signed(2), job), Error::<Test>::JobNotOpen);
		assert_noop!(Compute::commit_attestation(signed(2), job, h(1)), Error::<Test>::JobNotOpen);
		assert_eq!(
			job_of(job).slots[0].attestation,
			Attestation::Revealed { output_hash: h(7), usage: 10 }
		);
	})
}

#[test]
fn commit_and_report_are_refused_while_revealing() {
	build_and_execute(|| {
		let job = redundant_job();
		commit(2, job, h(7), 40, SALT);
		commit(3, job, h(7), 60, SALT);
		assert_eq!(job_of(job).state, JobState::Revealing { until: 4 });
		assert_noop!(
			Compute::commit_attestation(signed(2), job, commitment(job, 2, h(7), 40, SALT)),
			Error::<Test>::JobNotOpen
		);
		assert_noop!(Compute::report_failure(signed(3), job), Error::<Test>::JobNotOpen);
	})
}

#[test]
fn deadline_passed_is_refused() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		let solo = submit(1, 1_000, 10, 1);
		let duo = submit(1, 1_000, 10, 2);
		assert_eq!(job_of(solo).deadline, 11);
		assert_ok!(Compute::accept_job(signed(2), solo));
		assert_ok!(Compute::accept_job(signed(2), duo));
		assert_ok!(Compute::accept_job(signed(3), duo));

		// At the deadline block itself a commitment is still accepted.
		System::set_block_number(11);
		commit(3, duo, h(7), 10, SALT);

		// One block later, without running the hooks (the job has not expired yet).
		System::set_block_number(12);
		assert_noop!(
			Compute::submit_attestation(signed(2), solo, h(7), 10),
			Error::<Test>::DeadlinePassed
		);
		assert_noop!(Compute::report_failure(signed(2), solo), Error::<Test>::DeadlinePassed);
		assert_noop!(
			Compute::commit_attestation(signed(2), duo, commitment(duo, 2, h(7), 10, SALT)),
			Error::<Test>::DeadlinePassed
		);
		assert_noop!(Compute::report_failure(signed(2), duo), Error::<Test>::DeadlinePassed);
		assert_noop!(Compute::accept_job(signed(3), solo), Error::<Test>::DeadlinePassed);
	})
}

#[test]
fn callers_without_a_slot_are_refused() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		register(4, 3);
		let solo = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), solo));
		// A registered provider without a slot, and an account that is no provider.
		assert_noop!(
			Compute::submit_attestation(signed(3), solo, h(7), 10),
			Error::<Test>::NotAssigned
		);
		assert_noop!(
			Compute::submit_attestation(signed(5), solo, h(7), 10),
			Error::<Test>::NotAssigned
		);
		assert_noop!(Compute::report_failure(signed(3), solo), Error::<Test>::NotAssigned);
		// The owner holds no slot either.
		assert_noop!(Compute::report_failure(signed(1), solo), Error::<Test>::NotAssigned);

		let duo = submit(1, 1_000, 10, 2);
		assert_ok!(Compute::accept_job(signed(2), duo));
		assert_noop!(
			Compute::commit_attestation(signed(3), duo, commitment(duo, 3, h(7), 10, SALT)),
			Error::<Test>::NotAssigned
		);
		assert_ok!(Compute::accept_job(signed(3), duo));
		commit(2, duo, h(7), 10, SALT);
		commit(3, duo, h(7), 10, SALT);
		assert_noop!(
			Compute::reveal_attestation(signed(4), duo, h(7), 10, SALT),
			Error::<Test>::NotAssigned
		);
	})
}

#[test]
fn already_attested_is_refused() {
	build_and_execute(|| {
		let job = redundant_job();
		commit(2, job, h(7), 40, SALT);
		// A second commitment, a report or a direct attestation by a provider that committed.
		assert_noop!(
			Compute::commit_attestation(signed(2), job, commitment(job, 2, h(8), 40, SALT)),
			Error::<Test>::AlreadyAttested
		);
		assert_noop!(Compute::report_failure(signed(2), job), Error::<Test>::AlreadyAttested);
		assert_noop!(
			Compute::submit_attestation(signed(2), job, h(7), 40),
			Error::<Test>::AlreadyAttested
		);
	})
}

#[test]
fn a_second_reveal_is_refused() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		register(4, 3);
		let job = submit(1, 1_000, 10, 3);
		for p in 2..=4 {
			assert_ok!(Compute::accept_job(signed(p), job));
			commit(p, job, h(7), 10, SALT);
		}
		reveal(2, job, h(7), 10, SALT);
		assert_noop!(
			Compute::reveal_attestation(signed(2), job, h(7), 10, SALT),
			Error::<Test>::AlreadyAttested
		);
		assert_eq!(job_of(job).state, JobState::Revealing { until: 4 });
	})
}

#[test]
fn usage_above_the_spec_is_refused() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_noop!(
			Compute::submit_attestation(signed(2), job, h(7), 101),
			Error::<Test>::UsageAboveSpec
		);
		assert_noop!(
			Compute::submit_attestation(signed(2), job, h(7), u64::MAX),
			Error::<Test>::UsageAboveSpec
		);
		// Exactly max_units is fine.
		assert_ok!(Compute::submit_attestation(signed(2), job, h(7), 100));
	})
}

#[test]
fn usage_above_the_spec_is_refused_at_reveal() {
	build_and_execute(|| {
		let job = redundant_job();
		commit(2, job, h(7), 101, SALT);
		commit(3, job, h(7), 60, SALT);
		// The commitment matches, but the usage is above max_units.
		assert_noop!(
			Compute::reveal_attestation(signed(2), job, h(7), 101, SALT),
			Error::<Test>::UsageAboveSpec
		);
		reveal(3, job, h(7), 60, SALT);
		assert_eq!(
			job_of(job).slots[0].attestation,
			Attestation::Committed(commitment(job, 2, h(7), 101, SALT))
		);
	})
}

#[test]
fn attestation_must_match_the_redundancy() {
	build_and_execute(|| {
		let duo = redundant_job();
		assert_noop!(
			Compute::submit_attestation(signed(2), duo, h(7), 10),
			Error::<Test>::CommitRevealRequired
		);

		let solo = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), solo));
		assert_noop!(
			Compute::commit_attestation(signed(2), solo, commitment(solo, 2, h(7), 10, SALT)),
			Error::<Test>::CommitRevealNotUsed
		);
	})
}

#[test]
fn reveal_outside_the_reveal_period_is_refused() {
	build_and_execute(|| {
		let duo = redundant_job();
		commit(2, duo, h(7), 40, SALT);
		// Provider 3 has not committed yet: no reveal period.
		assert_noop!(
			Compute::reveal_attestation(signed(2), duo, h(7), 40, SALT),
			Error::<Test>::NotRevealing
		);

		// A job run once never reveals.
		let solo = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), solo));
		assert_noop!(
			Compute::reveal_attestation(signed(2), solo, h(7), 40, SALT),
			Error::<Test>::NotRevealing
		);
		assert_ok!(Compute::submit_attestation(signed(2), solo, h(7), 40));
		assert_noop!(
			Compute::reveal_attestation(signed(2), solo, h(7), 40, SALT),
			Error::<Test>::NotRevealing
		);

		// Once the redundant job's results agree, the reveal period is over too.
		commit(3, duo, h(7), 60, SALT);
		reveal(2, duo, h(7), 40, SALT);
		reveal(3, duo, h(7), 60, SALT);
		assert_noop!(
			Compute::reveal_attestation(signed(3), duo, h(7), 60, SALT),
			Error::<Test>::NotRevealing
		);
	})
}

#[test]
fn reveal_after_the_reveal_period_is_refused() {
	build_and_execute(|| {
		let job = redundant_job();
		commit(2, job, h(7), 40, SALT);
		commit(3, job, h(7), 60, SALT);
		assert_eq!(job_of(job).state, JobState::Revealing { until: 4 });
		// Block 5 without its hooks: the period is over though the job was not processed yet.
		System::set_block_number(5);
		assert_noop!(
			Compute::reveal_attestation(signed(2), job, h(7), 40, SALT),
			Error::<Test>::RevealPeriodOver
		);
		// The last block of the period is still in time.
		System::set_block_number(4);
		reveal(2, job, h(7), 40, SALT);
	})
}

/// A reveal period only starts once every slot committed, so a slot without a commitment cannot
/// be met through the calls alone; this puts one in storage to exercise the guard.
#[test]
fn reveal_without_commitment_is_refused() {
	build_and_execute(|| {
		let job = redundant_job();
		commit(2, job, h(7), 40, SALT);
		commit(3, job, h(7), 60, SALT);
		crate::Jobs::<Test>::mutate(job, |j| {
			j.as_mut().expect("the job exists").slots[1].attestation = Attestation::Pending;
		});
		assert_noop!(
			Compute::reveal_attestation(signed(3), job, h(7), 60, SALT),
			Error::<Test>::NotCommitted
		);
	})
}

#[test]
fn reveal_must_match_the_commitment() {
	build_and_execute(|| {
		let job = redundant_job();
		commit(2, job, h(7), 40, SALT);
		commit(3, job, h(7), 60, OTHER_SALT);
		// Wrong salt.
		assert_noop!(
			Compute::reveal_attestation(signed(2), job, h(7), 40, OTHER_SALT),
			Error::<Test>::CommitmentMismatch
		);
		// Wrong usage.
		assert_noop!(
			Compute::reveal_attestation(signed(2), job, h(7), 41, SALT),
			Error::<Test>::CommitmentMismatch
		);
		// Wrong hash.
		assert_noop!(
			Compute::reveal_attestation(signed(2), job, h(8), 40, SALT),
			Error::<Test>::CommitmentMismatch
		);
		// The other provider's values: the commitment binds the account too.
		assert_noop!(
			Compute::reveal_attestation(signed(2), job, h(7), 60, OTHER_SALT),
			Error::<Test>::CommitmentMismatch
		);
		// The commitment binds the job: one computed for `job` and committed to `other` does not
		// reveal there.
		let other = submit(1, 1_000, 10, 2);
		assert_ok!(Compute::accept_job(signed(2), other));
		assert_ok!(Compute::accept_job(signed(3), other));
		assert_ok!(Compute::commit_attestation(
			signed(2),
			other,
			commitment(job, 2, h(7), 40, SALT)
		));
		commit(3, other, h(7), 40, SALT);
		assert_eq!(job_of(other).state, JobState::Revealing { until: 4 });
		assert_noop!(
			Compute::reveal_attestation(signed(2), other, h(7), 40, SALT),
			Error::<Test>::CommitmentMismatch
		);

		// The right values still reveal.
		reveal(2, job, h(7), 40, SALT);
		reveal(3, job, h(7), 60, OTHER_SALT);
		assert_eq!(job_of(job).state, JobState::Challengeable { until: 6, output_hash: h(7) });
	})
}

#[test]
fn a_late_failure_report_costs_up_to_a_timeout() {
	build_and_execute(|| {
		register(2, 1);
		register(3, 1);
		// Taken at block 1, due at block 11.
		let first = submit(1, 1_000, 10, 1);
		let second = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), first));
		assert_ok!(Compute::accept_job(signed(3), second));
		// Half-way: SlashOnFailure (1 %) plus half of the way to SlashOnTimeout (10 %): 5.5 %.
		System::set_block_number(6);
		assert_ok!(Compute::report_failure(signed(2), first));
		assert!(has_event(Event::FailureReported { job: first, provider: 2, penalty: 55 }));
		// At the deadline: as much as a timeout.
		System::set_block_number(11);
		assert_ok!(Compute::report_failure(signed(3), second));
		assert!(has_event(Event::FailureReported { job: second, provider: 3, penalty: 100 }));
		assert_eq!(provider_of(3).stake, 900);
	})
}
