//! Disputes: `challenge`, `commit_vote`, `reveal_vote`, and how a dispute is decided (or not).

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use super::util::*;
use crate::{mock::*, Error, Event, *};
use airtime_primitives::compute::{attestation_commitment, vote_commitment};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use sp_core::H256;
use sp_runtime::Permill;

/// A challenger that is neither a provider nor the owner.
const CHALLENGER: AccountId = 15;
/// The bond used in most tests (`MinChallengeBond`).
const BOND: Balance = 100;

/// The result the job's provider attests.
fn good() -> H256 {
	H256::repeat_byte(0x11)
}

/// Another result.
fn bad() -> H256 {
	H256::repeat_byte(0x22)
}

/// Providers 2..=12, all at price 3: enough to draw a quorum of 3 outside any job.
fn register_many() {
	for p in 2..=12 {
		register(p, 3);
	}
}

/// A redundancy-1 job of owner 1 that provider 2 attested with `good()` and usage 50 (price 3):
/// challengeable until block `now + 5`.
fn challengeable_job() -> JobId {
	let job = submit(1, 1_000, 20, 1);
	assert_ok!(Compute::accept_job(signed(2), job));
	assert_ok!(Compute::submit_attestation(signed(2), job, good(), 50));
	job
}

// ------------------------------------------------------------------ opening a dispute

#[test]
fn challenge_opens_a_dispute_with_a_quorum_of_outsiders() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));

		assert!(has_event(Event::JobChallenged {
			job,
			challenger: CHALLENGER,
			claimed_output_hash: bad(),
			bond: BOND,
		}));
		// The dispute is requested; its verifiers are drawn at the start of block 3
		// (VerifierDrawDelay = 1 block after block 1), and nobody votes before.
		assert!(has_event(Event::VerifierDrawScheduled { job, at: 2 }));
		assert_eq!(count_events(|e| matches!(e, Event::DisputeOpened { .. })), 0);
		let pending = crate::Disputes::<Test>::get(job).expect("a dispute");
		assert_eq!(pending.phase, DisputePhase::Draw { at: 2 });
		assert!(pending.votes.is_empty());
		assert_eq!(job_of(job).state, JobState::Disputed);
		assert_eq!(job_of(job).timeout, 2);
		assert_eq!(crate::Timeouts::<Test>::get(2).into_inner(), vec![job]);
		run_to_block(2);
		assert!(matches!(
			crate::Disputes::<Test>::get(job).map(|d| d.phase),
			Some(DisputePhase::Draw { at: 2 })
		));

		let verifiers = verifiers_of(job);
		assert_eq!(System::block_number(), 3);
		assert_eq!(verifiers.len(), 3);
		let mut distinct = verifiers.clone();
		distinct.sort();
		distinct.dedup();
		assert_eq!(distinct.len(), 3, "verifiers are distinct");
		for v in verifiers.iter() {
			// Registered providers other than the job's provider (2), the owner (1) and the
			// challenger.
			assert!((3..=12).contains(v), "verifier {v} is an outsider");
		}
		// VoteCommitPeriod = 3 blocks from the draw.
		assert!(compute_events().iter().any(|e| matches!(
			e,
			Event::DisputeOpened { job: j, commit_until: 6, .. } if *j == job
		)));

		let j = job_of(job);
		assert_eq!(j.state, JobState::Disputed);
		assert_eq!(j.timeout, 6);
		// Off the draw's queue; in the commit phase's queue once (block 6 was also the end of
		// the challenge window, a queue the challenge took the job off).
		assert!(crate::Timeouts::<Test>::get(2).is_empty());
		assert_eq!(crate::Timeouts::<Test>::get(6).into_inner(), vec![job]);
		let d = crate::Disputes::<Test>::get(job).expect("a dispute");
		assert_eq!(d.phase, DisputePhase::Commit { until: 6 });
		assert_eq!(
			d.challenge,
			Some(Challenge {
				who: CHALLENGER,
				bond: BOND,
				claimed_output_hash: bad(),
				disputed_output_hash: good(),
			})
		);
		assert_eq!(d.votes.iter().map(|(v, _)| *v).collect::<Vec<_>>(), verifiers);
		assert!(d.votes.iter().all(|(_, v)| *v == Vote::Pending));
		assert_eq!(free(CHALLENGER), ENDOWMENT - BOND);
		assert_eq!(held(crate::HoldReason::ChallengeBond, CHALLENGER), BOND);
	})
}

// ------------------------------------------------------------------ outcomes

#[test]
fn challenger_wins_when_the_verifiers_confirm_its_claim() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		let issuance = Balances::total_issuance();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		let verifiers = verifiers_of(job);

		for v in verifiers.iter() {
			commit_vote(*v, job, bad());
		}
		// All committed (at block 3, the draw's): the reveal phase starts at once.
		assert!(has_event(Event::VoteRevealStarted { job, until: 6 }));
		assert_eq!(
			crate::Disputes::<Test>::get(job).unwrap().phase,
			DisputePhase::Reveal { until: 6 }
		);
		for v in verifiers.iter() {
			assert!(crate::Jobs::<Test>::get(job).is_some(), "decided only by the last reveal");
			reveal_vote(*v, job, bad());
		}

		// The job ended.
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(crate::Disputes::<Test>::get(job).is_none());
		assert_eq!(crate::QueuedJobs::<Test>::get(), 0);

		// SlashOnFraud = 50 % of the provider's 1_000; SlashRewardShare = 50 % of that to the
		// challenger, the rest to the treasury.
		assert!(has_event(Event::ProviderSlashed {
			job,
			provider: 2,
			amount: 500,
			reason: SlashReason::WrongResult,
		}));
		assert!(has_event(Event::SlashRewardPaid { job, to: CHALLENGER, amount: 250 }));
		assert!(has_event(Event::DisputeResolved {
			job,
			output_hash: bad(),
			votes: 3,
			correct: 0,
			wrong: 1,
			challenger_won: Some(true),
		}));
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::AllResultsWrong,
		}));
		assert_eq!(count_events(|e| matches!(e, Event::ChallengerSlashed { .. })), 0);
		assert_eq!(count_events(|e| matches!(e, Event::ProviderPaid { .. })), 0);
		assert_eq!(count_events(|e| matches!(e, Event::JobSettled { .. })), 0);

		// Bond back plus the reward; the owner gets everything back.
		assert_eq!(free(CHALLENGER), ENDOWMENT + 250);
		assert_eq!(held(crate::HoldReason::ChallengeBond, CHALLENGER), 0);
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(free(TREASURY), ED + 250);
		let p = provider_of(2);
		assert_eq!(p.stake, 500);
		assert_eq!(held(crate::HoldReason::ProviderStake, 2), 500);
		assert_eq!(free(2), ENDOWMENT - 1_010);
		assert_eq!(p.active_jobs, 0);
		assert_eq!(p.reputation.slashed, 1);
		assert_eq!(p.reputation.completed, 0);
		assert_eq!(p.reputation.score(), Permill::from_percent(25));
		assert_eq!(p.status, ProviderStatus::Paused);
		assert!(has_event(Event::ProviderPaused { provider: 2, slashed: true }));
		// Slashes moved money around; nothing was burnt.
		assert_eq!(Balances::total_issuance(), issuance);
		// Verifiers are neither paid nor slashed.
		for v in verifiers.iter() {
			assert_eq!(provider_of(*v).stake, 1_000);
			assert_eq!(free(*v), ENDOWMENT - 1_010);
		}
	})
}

#[test]
fn challenger_loses_when_the_verifiers_confirm_the_result() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		let issuance = Balances::total_issuance();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		let verifiers = verifiers_of(job);
		for v in verifiers.iter() {
			commit_vote(*v, job, good());
		}
		for v in verifiers.iter() {
			reveal_vote(*v, job, good());
		}

		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(crate::Disputes::<Test>::get(job).is_none());
		// The bond is slashed; half of it goes to the provider, half to the treasury.
		assert!(has_event(Event::ChallengerSlashed { job, challenger: CHALLENGER, amount: BOND }));
		assert!(has_event(Event::SlashRewardPaid { job, to: 2, amount: 50 }));
		assert!(has_event(Event::DisputeResolved {
			job,
			output_hash: good(),
			votes: 3,
			correct: 1,
			wrong: 0,
			challenger_won: Some(false),
		}));
		assert_eq!(count_events(|e| matches!(e, Event::ProviderSlashed { .. })), 0);
		// The job settles: 3 * 50 = 150, fee ceil(15) = 15, treasury 4, stakers 7, burnt 4.
		assert!(has_event(Event::ProviderPaid { job, provider: 2, amount: 135, fee: 15 }));
		assert!(has_event(Event::JobSettled {
			job,
			owner: 1,
			paid: 135,
			fee: 15,
			burned: 4,
			refunded: 850,
		}));

		assert_eq!(free(CHALLENGER), ENDOWMENT - BOND);
		assert_eq!(held(crate::HoldReason::ChallengeBond, CHALLENGER), 0);
		assert_eq!(free(2), ENDOWMENT - 1_010 + 50 + 135);
		assert_eq!(provider_of(2).stake, 1_000);
		assert_eq!(provider_of(2).active_jobs, 0);
		assert_eq!(provider_of(2).reputation.completed, 1);
		assert_eq!(free(1), ENDOWMENT - 150);
		assert_eq!(free(TREASURY), ED + 50 + 4);
		assert_eq!(free(STAKERS), ED + 7);
		assert_eq!(Balances::total_issuance(), issuance - 4);
	})
}

#[test]
fn without_a_majority_the_job_is_refunded_and_nobody_slashed() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		let verifiers = verifiers_of(job);

		run_to_block(4);
		for v in verifiers.iter() {
			commit_vote(*v, job, good());
		}
		// VoteRevealPeriod = 3 blocks from block 4.
		assert!(has_event(Event::VoteRevealStarted { job, until: 7 }));
		assert_eq!(job_of(job).timeout, 7);
		reveal_vote(verifiers[0], job, good());

		run_to_block(7);
		assert_eq!(job_of(job).state, JobState::Disputed);
		run_to_block(8);

		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(crate::Disputes::<Test>::get(job).is_none());
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::QuorumNotReached,
		}));
		assert_eq!(count_events(|e| matches!(e, Event::DisputeResolved { .. })), 0);
		assert_eq!(count_events(|e| matches!(e, Event::ProviderSlashed { .. })), 0);
		assert_eq!(count_events(|e| matches!(e, Event::ChallengerSlashed { .. })), 0);
		assert_eq!(count_events(|e| matches!(e, Event::SlashRewardPaid { .. })), 0);
		assert_eq!(free(CHALLENGER), ENDOWMENT);
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(free(TREASURY), ED);
		let p = provider_of(2);
		assert_eq!(p.stake, 1_000);
		assert_eq!(p.active_jobs, 0);
		assert_eq!(p.status, ProviderStatus::Active);
		assert_eq!(crate::QueuedJobs::<Test>::get(), 0);
	})
}

#[test]
fn a_dispute_nobody_votes_in_ends_with_the_commit_phase() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));

		// Drawn at block 3, committing until block 6.
		run_to_block(6);
		assert_eq!(
			crate::Disputes::<Test>::get(job).unwrap().phase,
			DisputePhase::Commit { until: 6 }
		);
		run_to_block(7);

		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::QuorumNotReached,
		}));
		assert_eq!(count_events(|e| matches!(e, Event::VoteRevealStarted { .. })), 0);
		assert_eq!(count_events(|e| matches!(e, Event::ProviderSlashed { .. })), 0);
		assert_eq!(free(CHALLENGER), ENDOWMENT);
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(provider_of(2).stake, 1_000);
	})
}

#[test]
fn a_single_commitment_cannot_make_a_majority() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		let verifiers = verifiers_of(job);
		commit_vote(verifiers[0], job, bad());

		run_to_block(7);
		// One commitment of three: the dispute is decided at the end of the commit phase.
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert_eq!(count_events(|e| matches!(e, Event::VoteRevealStarted { .. })), 0);
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::QuorumNotReached,
		}));
		assert_eq!(free(CHALLENGER), ENDOWMENT);
		assert_eq!(provider_of(2).stake, 1_000);
	})
}

#[test]
fn two_commitments_open_the_reveal_phase_and_two_votes_decide() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		let verifiers = verifiers_of(job);
		commit_vote(verifiers[0], job, good());
		commit_vote(verifiers[1], job, good());

		run_to_block(7);
		// The commit phase ended at block 6 with 2 of 3 committed: reveals until 7 + 3.
		assert!(has_event(Event::VoteRevealStarted { job, until: 10 }));
		assert_eq!(
			crate::Disputes::<Test>::get(job).unwrap().phase,
			DisputePhase::Reveal { until: 10 }
		);
		assert_eq!(job_of(job).timeout, 10);
		// The silent verifier can neither reveal nor commit any more.
		assert_noop!(
			Compute::reveal_vote(signed(verifiers[2]), job, good(), salt(verifiers[2])),
			Error::<Test>::NotCommitted
		);
		assert_noop!(
			Compute::commit_vote(
				signed(verifiers[2]),
				job,
				vote_commitment(job, &verifiers[2], &good(), &salt(verifiers[2]))
			),
			Error::<Test>::VoteCommitClosed
		);

		reveal_vote(verifiers[0], job, good());
		// A committed vote is still hidden: not decided yet.
		assert_eq!(job_of(job).state, JobState::Disputed);
		// The last committed vote is revealed; the silent verifier can no longer vote, so the
		// dispute is decided at once, before the phase ends.
		reveal_vote(verifiers[1], job, good());

		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(crate::Disputes::<Test>::get(job).is_none());
		assert!(has_event(Event::DisputeResolved {
			job,
			output_hash: good(),
			votes: 2,
			correct: 1,
			wrong: 0,
			challenger_won: Some(false),
		}));
		assert!(has_event(Event::ChallengerSlashed { job, challenger: CHALLENGER, amount: BOND }));
		assert!(compute_events()
			.iter()
			.any(|e| matches!(e, Event::JobSettled { job: j, .. } if *j == job)));
		assert_eq!(free(CHALLENGER), ENDOWMENT - BOND);
	})
}

#[test]
fn two_revealed_votes_that_differ_refund_at_once() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		let verifiers = verifiers_of(job);
		commit_vote(verifiers[0], job, good());
		commit_vote(verifiers[1], job, bad());
		run_to_block(7);
		assert!(has_event(Event::VoteRevealStarted { job, until: 10 }));
		reveal_vote(verifiers[0], job, good());
		reveal_vote(verifiers[1], job, bad());
		// One vote each of a quorum of three: no strict majority.
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::QuorumNotReached,
		}));
		assert_eq!(count_events(|e| matches!(e, Event::DisputeResolved { .. })), 0);
		assert_eq!(free(CHALLENGER), ENDOWMENT);
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(provider_of(2).stake, 1_000);
	})
}

#[test]
fn redundant_results_that_differ_open_a_dispute_decided_by_the_majority() {
	build_and_execute(|| {
		register_many();
		let issuance = Balances::total_issuance();
		let job = submit(1, 1_000, 20, 2);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::accept_job(signed(3), job));
		commit(2, job, good(), 50);
		commit(3, job, bad(), 50);
		reveal(2, job, good(), 50);
		reveal(3, job, bad(), 50);

		// No challenge window: the disagreement opens a dispute by itself.
		assert_eq!(count_events(|e| matches!(e, Event::ChallengePeriodStarted { .. })), 0);
		assert_eq!(job_of(job).state, JobState::Disputed);
		let d = crate::Disputes::<Test>::get(job).expect("a dispute");
		assert!(d.challenge.is_none());
		let verifiers = verifiers_of(job);
		assert_eq!(verifiers.len(), 3);
		for v in verifiers.iter() {
			assert!((4..=12).contains(v), "verifier {v} is outside the job");
		}

		// Two of three verifiers side with provider 2: a strict majority.
		commit_vote(verifiers[0], job, good());
		commit_vote(verifiers[1], job, good());
		commit_vote(verifiers[2], job, bad());
		reveal_vote(verifiers[0], job, good());
		reveal_vote(verifiers[1], job, good());
		reveal_vote(verifiers[2], job, bad());

		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(crate::Disputes::<Test>::get(job).is_none());
		// Provider 3 loses 50 % of its stake; half of it rewards provider 2.
		assert!(has_event(Event::ProviderSlashed {
			job,
			provider: 3,
			amount: 500,
			reason: SlashReason::WrongResult,
		}));
		assert_eq!(count_events(|e| matches!(e, Event::ProviderSlashed { .. })), 1);
		assert!(has_event(Event::SlashRewardPaid { job, to: 2, amount: 250 }));
		assert!(has_event(Event::DisputeResolved {
			job,
			output_hash: good(),
			votes: 2,
			correct: 1,
			wrong: 1,
			challenger_won: None,
		}));
		// Only provider 2 is paid: 3 * 50 = 150, fee 15.
		assert!(has_event(Event::ProviderPaid { job, provider: 2, amount: 135, fee: 15 }));
		assert_eq!(count_events(|e| matches!(e, Event::ProviderPaid { .. })), 1);
		assert!(has_event(Event::JobSettled {
			job,
			owner: 1,
			paid: 135,
			fee: 15,
			burned: 4,
			refunded: 850,
		}));

		assert_eq!(free(2), ENDOWMENT - 1_010 + 250 + 135);
		assert_eq!(free(3), ENDOWMENT - 1_010);
		assert_eq!(free(1), ENDOWMENT - 150);
		assert_eq!(free(TREASURY), ED + 250 + 4);
		assert_eq!(free(STAKERS), ED + 7);
		assert_eq!(Balances::total_issuance(), issuance - 4);
		let right = provider_of(2);
		assert_eq!(right.stake, 1_000);
		assert_eq!(right.active_jobs, 0);
		assert_eq!(right.reputation.completed, 1);
		assert_eq!(right.status, ProviderStatus::Active);
		let wrong = provider_of(3);
		assert_eq!(wrong.stake, 500);
		assert_eq!(held(crate::HoldReason::ProviderStake, 3), 500);
		assert_eq!(wrong.active_jobs, 0);
		assert_eq!(wrong.reputation.slashed, 1);
		assert_eq!(wrong.reputation.completed, 0);
		assert_eq!(wrong.status, ProviderStatus::Paused);
	})
}

#[test]
fn too_few_eligible_verifiers_refund_the_job_and_return_the_bond() {
	build_and_execute(|| {
		// Providers 3 and 4 are the only possible verifiers: fewer than the quorum of 3.
		register(2, 3);
		register(3, 3);
		register(4, 3);
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));

		assert!(has_event(Event::JobChallenged {
			job,
			challenger: CHALLENGER,
			claimed_output_hash: bad(),
			bond: BOND,
		}));
		// Found out at the draw.
		assert_eq!(held(crate::HoldReason::ChallengeBond, CHALLENGER), BOND);
		draw(job);
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::NoVerifiersAvailable,
		}));
		assert_eq!(count_events(|e| matches!(e, Event::DisputeOpened { .. })), 0);
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(crate::Disputes::<Test>::get(job).is_none());
		assert_eq!(crate::QueuedJobs::<Test>::get(), 0);
		assert_eq!(free(CHALLENGER), ENDOWMENT);
		assert_eq!(held(crate::HoldReason::ChallengeBond, CHALLENGER), 0);
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(provider_of(2).stake, 1_000);
		assert_eq!(provider_of(2).active_jobs, 0);
	})
}

#[test]
fn a_provider_challenger_is_not_its_own_verifier() {
	build_and_execute(|| {
		// Four providers: 2 runs the job, 3 challenges; only 4 and 5 remain.
		for p in 2..=5 {
			register(p, 3);
		}
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(3), job, bad(), BOND));
		draw(job);
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::NoVerifiersAvailable,
		}));
		assert_eq!(free(3), ENDOWMENT - 1_010);
	})
}

#[test]
fn redundant_disagreement_without_verifiers_is_refunded() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		register(4, 3);
		let job = submit(1, 1_000, 20, 2);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::accept_job(signed(3), job));
		commit(2, job, good(), 50);
		commit(3, job, bad(), 50);
		reveal(2, job, good(), 50);
		reveal(3, job, bad(), 50);
		assert_eq!(job_of(job).state, JobState::Disputed);
		draw(job);
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::NoVerifiersAvailable,
		}));
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(provider_of(2).stake, 1_000);
		assert_eq!(provider_of(3).stake, 1_000);
		assert_eq!(provider_of(2).active_jobs, 0);
		assert_eq!(provider_of(3).active_jobs, 0);
	})
}

// ------------------------------------------------------------------ errors

#[test]
fn challenge_errors() {
	build_and_execute(|| {
		register_many();
		assert_noop!(
			Compute::challenge(signed(CHALLENGER), 42, bad(), BOND),
			Error::<Test>::UnknownJob
		);
		// An open job cannot be challenged.
		let open = submit(1, 1_000, 20, 1);
		assert_ok!(Compute::accept_job(signed(2), open));
		assert_noop!(
			Compute::challenge(signed(CHALLENGER), open, bad(), BOND),
			Error::<Test>::NotChallengeable
		);

		let job = challengeable_job();
		assert_noop!(
			Compute::challenge(signed(CHALLENGER), job, bad(), BOND - 1),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			Compute::challenge(signed(CHALLENGER), job, good(), BOND),
			Error::<Test>::ClaimMatchesResult
		);
		assert_noop!(
			Compute::challenge(signed(2), job, bad(), BOND),
			Error::<Test>::ProviderCannotChallenge
		);
		assert_noop!(
			Compute::challenge(signed(CHALLENGER), job, bad(), ENDOWMENT + 1),
			Error::<Test>::InsufficientBalance
		);
		// An account without funds.
		assert_noop!(
			Compute::challenge(signed(500), job, bad(), BOND),
			Error::<Test>::InsufficientBalance
		);

		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		// A disputed job cannot be challenged again.
		assert_noop!(
			Compute::challenge(signed(16), job, bad(), BOND),
			Error::<Test>::NotChallengeable
		);
	})
}

#[test]
fn a_challenge_after_the_window_is_refused() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		// The window's last block is 6; at block 7, before the hooks settle the job, it is over.
		System::set_block_number(7);
		assert_noop!(
			Compute::challenge(signed(CHALLENGER), job, bad(), BOND),
			Error::<Test>::ChallengePeriodOver
		);
		System::set_block_number(6);
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		assert_eq!(job_of(job).state, JobState::Disputed);
	})
}

#[test]
fn votes_after_their_phase_are_refused() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		let verifiers = verifiers_of(job);
		commit_vote(verifiers[0], job, good());
		commit_vote(verifiers[1], job, good());
		// Drawn at block 3, the commit phase ends with block 6; block 7 without its hooks.
		System::set_block_number(7);
		assert_noop!(
			Compute::commit_vote(
				signed(verifiers[2]),
				job,
				vote_commitment(job, &verifiers[2], &good(), &salt(verifiers[2]))
			),
			Error::<Test>::VoteCommitClosed
		);

		let other = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), other, bad(), BOND));
		let others = verifiers_of(other);
		for v in others.iter() {
			commit_vote(*v, other, good());
		}
		// Challenged at block 7, drawn at block 9 and all committed then: reveals until 12.
		assert_eq!(
			crate::Disputes::<Test>::get(other).unwrap().phase,
			DisputePhase::Reveal { until: 12 }
		);
		System::set_block_number(13);
		assert_noop!(
			Compute::reveal_vote(signed(others[0]), other, good(), salt(others[0])),
			Error::<Test>::VoteRevealClosed
		);
		System::set_block_number(12);
		reveal_vote(others[0], other, good());
	})
}

#[test]
fn a_settled_job_cannot_be_challenged() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		run_to_block(7);
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert_noop!(
			Compute::challenge(signed(CHALLENGER), job, bad(), BOND),
			Error::<Test>::UnknownJob
		);
	})
}

#[test]
fn vote_errors() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		let any = vote_commitment(job, &3u64, &good(), &salt(3));
		assert_noop!(Compute::commit_vote(signed(3), 42, any), Error::<Test>::UnknownJob);
		assert_noop!(
			Compute::reveal_vote(signed(3), 42, good(), salt(3)),
			Error::<Test>::UnknownJob
		);
		// Not disputed (yet).
		assert_noop!(Compute::commit_vote(signed(3), job, any), Error::<Test>::NotDisputed);
		assert_noop!(
			Compute::reveal_vote(signed(3), job, good(), salt(3)),
			Error::<Test>::NotDisputed
		);

		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		// Before the draw nobody votes, and nobody can make the draw happen.
		let anyone = vote_commitment(job, &3u64, &good(), &salt(3));
		assert_noop!(
			Compute::commit_vote(signed(3), job, anyone),
			Error::<Test>::VerifiersNotDrawn
		);
		assert_noop!(
			Compute::reveal_vote(signed(3), job, good(), salt(3)),
			Error::<Test>::VerifiersNotDrawn
		);
		let verifiers = verifiers_of(job);
		let (v0, v1, v2) = (verifiers[0], verifiers[1], verifiers[2]);
		let c0 = vote_commitment(job, &v0, &good(), &salt(v0));

		// The job's provider, the challenger and the owner are no verifiers.
		for outsider in [2, CHALLENGER, 1] {
			assert_noop!(
				Compute::commit_vote(signed(outsider), job, c0),
				Error::<Test>::NotAVerifier
			);
		}
		// No reveal during the commit phase.
		assert_noop!(
			Compute::reveal_vote(signed(v0), job, good(), salt(v0)),
			Error::<Test>::VoteRevealNotOpen
		);
		commit_vote(v0, job, good());
		assert_noop!(Compute::commit_vote(signed(v0), job, c0), Error::<Test>::AlreadyVoted);
		assert_noop!(
			Compute::reveal_vote(signed(v0), job, good(), salt(v0)),
			Error::<Test>::VoteRevealNotOpen
		);
		commit_vote(v1, job, good());
		commit_vote(v2, job, good());

		// Reveal phase.
		assert_noop!(Compute::commit_vote(signed(v0), job, c0), Error::<Test>::VoteCommitClosed);
		assert_noop!(
			Compute::reveal_vote(signed(2), job, good(), salt(2)),
			Error::<Test>::NotAVerifier
		);
		// Wrong hash, wrong salt, another verifier's salt.
		assert_noop!(
			Compute::reveal_vote(signed(v0), job, bad(), salt(v0)),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(
			Compute::reveal_vote(signed(v0), job, good(), [0u8; 32]),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(
			Compute::reveal_vote(signed(v0), job, good(), salt(v1)),
			Error::<Test>::CommitmentMismatch
		);
		reveal_vote(v0, job, good());
		assert_noop!(
			Compute::reveal_vote(signed(v0), job, good(), salt(v0)),
			Error::<Test>::AlreadyVoted
		);
		reveal_vote(v1, job, good());
		reveal_vote(v2, job, good());
		// Decided: the job is gone.
		assert_noop!(Compute::commit_vote(signed(v0), job, c0), Error::<Test>::UnknownJob);
	})
}

#[test]
fn an_attestation_commitment_is_not_a_vote_commitment() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		let verifiers = verifiers_of(job);
		let v0 = verifiers[0];
		// The same fields under the attestation domain tag (usage 0) do not open a vote.
		assert_ok!(Compute::commit_vote(
			signed(v0),
			job,
			attestation_commitment(job, &v0, &good(), 0, &salt(v0))
		));
		commit_vote(verifiers[1], job, good());
		commit_vote(verifiers[2], job, good());
		assert_noop!(
			Compute::reveal_vote(signed(v0), job, good(), salt(v0)),
			Error::<Test>::CommitmentMismatch
		);
	})
}

// ------------------------------------------------------------------ the draw (finding F-2)

/// The draw a challenger could compute in the block of its challenge, with the randomness known
/// then (what the old rule used), and the one `on_initialize` makes.
fn draw_at(job: JobId, block: u64, excluded: &[AccountId]) -> Vec<AccountId> {
	let now = System::block_number();
	System::set_block_number(block);
	let drawn = Compute::draw_verifiers(job, &excluded.iter().copied().collect());
	System::set_block_number(now);
	drawn.into_inner()
}

#[test]
fn the_verifiers_come_from_randomness_drawn_after_the_challenge() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		let excluded = [2, 1, CHALLENGER];
		// What the challenger sees when it decides to challenge at block 1.
		let foreseen = draw_at(job, 1, &excluded);
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		// The randomness of later blocks is unknown at block 1; the mock's changes with `SEED`.
		SEED.with(|s| *s.borrow_mut() = 7);
		let drawn = verifiers_of(job);
		assert_eq!(System::block_number(), 3);
		assert_eq!(drawn, draw_at(job, 3, &excluded), "drawn with block 3's randomness");
		assert_ne!(drawn, foreseen, "not with the randomness known at the challenge");
	})
}

#[test]
fn a_challenger_cannot_choose_its_verifiers() {
	build_and_execute(|| {
		// The challenger controls providers 3 to 7 of the ten eligible (3..=12) and waits for a
		// block of the challenge window whose known randomness would draw two of them: the draw
		// it gets is made later, from randomness it could not see, whatever block it picks.
		register_many();
		let sybils = [3u64, 4, 5, 6, 7];
		let excluded = [2, 1, CHALLENGER];
		let majority = |vs: &[AccountId]| vs.iter().filter(|v| sybils.contains(v)).count() >= 2;
		let job = challengeable_job();
		let favourable = (1..=6)
			.find(|b| majority(&draw_at(job, *b, &excluded)))
			.expect("some block of the window looks favourable");
		let foreseen = draw_at(job, favourable, &excluded);
		run_to_block(favourable);
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		SEED.with(|s| *s.borrow_mut() = 99);
		let drawn = verifiers_of(job);
		assert_eq!(drawn, draw_at(job, favourable + 2, &excluded));
		assert_ne!(drawn, foreseen, "the favourable draw it waited for is not the one made");
	})
}

#[test]
fn only_on_initialize_draws_the_verifiers() {
	build_and_execute(|| {
		register_many();
		let job = challengeable_job();
		assert_ok!(Compute::challenge(signed(CHALLENGER), job, bad(), BOND));
		// Block 3 without its hooks: the draw is due, but `claim_expired` cannot make it (its
		// caller would pick the block, hence the seed).
		System::set_block_number(3);
		assert_noop!(Compute::claim_expired(signed(16), job), Error::<Test>::VerifiersNotDrawn);
		Compute::on_initialize(3);
		assert_eq!(verifiers_of(job).len(), 3);
		assert!(matches!(
			crate::Disputes::<Test>::get(job).map(|d| d.phase),
			Some(DisputePhase::Commit { until: 6 })
		));
	})
}

#[test]
fn the_request_of_a_dispute_pays_for_its_draw() {
	use crate::weights::WeightInfo;
	use frame_support::dispatch::GetDispatchInfo;
	build_and_execute(|| {
		register_many();
		let draw = <() as WeightInfo>::on_initialize_draw();
		let last = <() as WeightInfo>::reveal_attestation_last();
		// A challenge always requests a draw.
		let challenge =
			crate::Call::<Test>::challenge { job: 0, claimed_output_hash: bad(), bond: BOND }
				.get_dispatch_info()
				.call_weight;
		assert_eq!(challenge, <() as WeightInfo>::challenge() + draw);

		// The last reveal pays for the draw only when the results disagree.
		let reveal_last = |agree: bool| {
			let job = submit(1, 1_000, 20, 2);
			assert_ok!(Compute::accept_job(signed(2), job));
			assert_ok!(Compute::accept_job(signed(3), job));
			let other = if agree { good() } else { bad() };
			commit(2, job, good(), 50);
			commit(3, job, other, 50);
			reveal(2, job, good(), 50);
			Compute::reveal_attestation(signed(3), job, other, 50, salt(3))
				.expect("the last reveal is accepted")
				.actual_weight
		};
		assert_eq!(reveal_last(true), Some(last));
		assert_eq!(reveal_last(false), Some(last + draw));
	})
}
