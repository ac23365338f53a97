//! Settlement, timeouts and the read-only views, with exact balance arithmetic.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use super::util::*;
use crate::{mock::*, Error, Event, *};
use airtime_primitives::compute::{
	vote_commitment, JobPhase, JobView, OfferView, ProviderStatusView, ProviderView,
	QuotedProvider, SlotView,
};
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;
use sp_runtime::Permill;

/// `(paid, fee, burned, refunded)` of `job`'s `JobSettled` event.
fn settled(job: JobId) -> Option<(Balance, Balance, Balance, Balance)> {
	compute_events().into_iter().find_map(|e| match e {
		Event::JobSettled { job: j, paid, fee, burned, refunded, .. } if j == job => {
			Some((paid, fee, burned, refunded))
		},
		_ => None,
	})
}

/// Provider 2 at price 7 attested usage 33 for a job of owner 1 with budget 1_000, at block 1:
/// the challenge window ends at block 6.
///
/// Payment 7 * 33 = 231; fee ceil(10 % of 231) = 24; net 207; treasury floor(30 % of 24) = 7;
/// stakers floor(50 % of 24) = 12; burnt 24 - 7 - 12 = 5; refunded 1_000 - 207 - 24 = 769.
fn attested_job() -> JobId {
	register(2, 7);
	let job = submit(1, 1_000, 10, 1);
	assert_ok!(Compute::accept_job(signed(2), job));
	assert_ok!(Compute::submit_attestation(signed(2), job, h(7), 33));
	assert_eq!(job_of(job).state, JobState::Challengeable { until: 6, output_hash: h(7) });
	job
}

fn assert_attested_job_settled(job: JobId, issuance_before: Balance) {
	assert!(crate::Jobs::<Test>::get(job).is_none());
	assert!(has_event(Event::ProviderPaid { job, provider: 2, amount: 207, fee: 24 }));
	assert!(has_event(Event::JobSettled {
		job,
		owner: 1,
		paid: 207,
		fee: 24,
		burned: 5,
		refunded: 769,
	}));
	let (paid, fee, burned, _) = settled(job).expect("settled");
	assert_eq!(free(1), ENDOWMENT - paid - fee);
	assert_eq!(held(crate::HoldReason::JobEscrow, 1), 0);
	assert_eq!(held(crate::HoldReason::StorageDeposit, 1), 0);
	assert_eq!(free(2), ENDOWMENT - 1_010 + 207);
	assert_eq!(free(TREASURY), ED + 7);
	assert_eq!(free(STAKERS), ED + 12);
	assert_eq!(Balances::total_issuance(), issuance_before - burned);
	let p = provider_of(2);
	assert_eq!(p.active_jobs, 0);
	assert_eq!(p.stake, 1_000);
	assert_eq!(crate::QueuedJobs::<Test>::get(), 0);
}

// ------------------------------------------------------------------ settlement

#[test]
fn on_initialize_settles_when_the_challenge_window_closes() {
	build_and_execute(|| {
		let job = attested_job();
		let issuance = Balances::total_issuance();
		assert_eq!(free(1), ENDOWMENT - 1_000 - 5);

		// The window's last block is 6: the job settles when block 7 starts.
		run_to_block(6);
		assert!(crate::Jobs::<Test>::get(job).is_some());
		assert!(settled(job).is_none());
		run_to_block(7);

		assert_attested_job_settled(job, issuance);
		assert_eq!(count_events(|e| matches!(e, Event::JobSettled { .. })), 1);
	})
}

#[test]
fn claim_expired_settles_after_the_window_and_anyone_may_call_it() {
	build_and_execute(|| {
		let job = attested_job();
		let issuance = Balances::total_issuance();

		assert_noop!(Compute::claim_expired(signed(19), job), Error::<Test>::NotYetDue);
		run_to_block(6);
		assert_noop!(Compute::claim_expired(signed(19), job), Error::<Test>::NotYetDue);

		// Block 7 without its hooks: the job is due but `on_initialize` has not run.
		System::set_block_number(7);
		assert!(crate::Jobs::<Test>::get(job).is_some());
		// Account 19 is neither the owner nor the provider.
		assert_ok!(Compute::claim_expired(signed(19), job));
		assert_attested_job_settled(job, issuance);
		assert!(crate::Timeouts::<Test>::get(6).is_empty());
		assert_eq!(free(19), ENDOWMENT);

		assert_noop!(Compute::claim_expired(signed(19), job), Error::<Test>::UnknownJob);
		// The hooks find nothing left to do.
		run_to_block(8);
		assert_eq!(count_events(|e| matches!(e, Event::JobSettled { .. })), 1);
		assert_eq!(crate::TimeoutCursor::<Test>::get(), 8);
	})
}

#[test]
fn claim_expired_refunds_a_missed_deadline() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), job));
		System::set_block_number(11);
		assert_noop!(Compute::claim_expired(signed(19), job), Error::<Test>::NotYetDue);
		System::set_block_number(12);
		assert_ok!(Compute::claim_expired(signed(19), job));
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::DeadlineMissed,
		}));
		assert_eq!(provider_of(2).stake, 900);
		assert_eq!(free(1), ENDOWMENT);
	})
}

#[test]
fn redundant_providers_are_each_paid_and_the_fee_is_split_once() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 4);
		let issuance = Balances::total_issuance();
		let job = submit(1, 1_000, 10, 2);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::accept_job(signed(3), job));
		commit(2, job, h(7), 40);
		commit(3, job, h(7), 60);
		reveal(2, job, h(7), 40);
		reveal(3, job, h(7), 60);
		run_to_block(7);

		// Both are paid for the least usage reported (40), each at its own price.
		// 3 * 40 = 120: fee 12, net 108. 4 * 40 = 160: fee 16, net 144.
		assert!(has_event(Event::ProviderPaid { job, provider: 2, amount: 108, fee: 12 }));
		assert!(has_event(Event::ProviderPaid { job, provider: 3, amount: 144, fee: 16 }));
		// Fee 28: treasury floor(8.4) = 8, stakers 14, burnt 6.
		assert!(has_event(Event::JobSettled {
			job,
			owner: 1,
			paid: 252,
			fee: 28,
			burned: 6,
			refunded: 720,
		}));
		assert_eq!(free(1), ENDOWMENT - 252 - 28);
		assert_eq!(free(2), ENDOWMENT - 1_010 + 108);
		assert_eq!(free(3), ENDOWMENT - 1_010 + 144);
		assert_eq!(free(TREASURY), ED + 8);
		assert_eq!(free(STAKERS), ED + 14);
		assert_eq!(Balances::total_issuance(), issuance - 6);
		assert_eq!(provider_of(2).reputation.completed, 1);
		assert_eq!(provider_of(3).reputation.completed, 1);
	})
}

#[test]
fn usage_zero_pays_nothing_and_refunds_everything() {
	build_and_execute(|| {
		register(2, 7);
		let issuance = Balances::total_issuance();
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::submit_attestation(signed(2), job, h(7), 0));
		run_to_block(7);
		assert!(has_event(Event::JobSettled {
			job,
			owner: 1,
			paid: 0,
			fee: 0,
			burned: 0,
			refunded: 1_000,
		}));
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(Balances::total_issuance(), issuance);
	})
}

// ------------------------------------------------------------------ timeouts

#[test]
fn a_missed_deadline_refunds_in_full_and_slashes_the_silent_slots() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		register(4, 3);
		let solo = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), solo));
		let duo = submit(5, 1_000, 10, 2);
		assert_ok!(Compute::accept_job(signed(3), duo));
		assert_ok!(Compute::accept_job(signed(4), duo));
		// Provider 3 commits; provider 4 never does, so no reveal period starts.
		commit(3, duo, h(7), 10);
		let treasury = free(TREASURY);
		let issuance = Balances::total_issuance();

		run_to_block(11);
		assert!(crate::Jobs::<Test>::get(solo).is_some());
		assert!(crate::Jobs::<Test>::get(duo).is_some());
		run_to_block(12);

		assert!(crate::Jobs::<Test>::get(solo).is_none());
		assert!(crate::Jobs::<Test>::get(duo).is_none());
		assert!(has_event(Event::JobRefunded {
			job: solo,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::DeadlineMissed,
		}));
		assert!(has_event(Event::JobRefunded {
			job: duo,
			owner: 5,
			amount: 1_000,
			reason: RefundReason::DeadlineMissed,
		}));
		// SlashOnTimeout = 10 % of 1_000, for each slot that never attested.
		assert!(has_event(Event::ProviderSlashed {
			job: solo,
			provider: 2,
			amount: 100,
			reason: SlashReason::Timeout,
		}));
		assert!(has_event(Event::ProviderSlashed {
			job: duo,
			provider: 4,
			amount: 100,
			reason: SlashReason::Timeout,
		}));
		assert_eq!(count_events(|e| matches!(e, Event::ProviderSlashed { .. })), 2);
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(free(5), ENDOWMENT);
		assert_eq!(free(TREASURY), treasury + 200);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(provider_of(2).stake, 900);
		assert_eq!(held(crate::HoldReason::ProviderStake, 2), 900);
		assert_eq!(provider_of(3).stake, 1_000);
		assert_eq!(provider_of(4).stake, 900);
		for p in 2..=4 {
			assert_eq!(provider_of(p).active_jobs, 0);
		}
		assert_eq!(provider_of(2).status, ProviderStatus::Paused);
		assert_eq!(provider_of(3).status, ProviderStatus::Active);

		// Reputation: one timeout, a third.
		let view = Compute::provider_view(2).expect("a provider");
		assert_eq!(view.timed_out, 1);
		assert_eq!(view.completed, 0);
		assert_eq!(view.reputation, Permill::from_rational(1u64, 3u64));
		assert!(view.reputation < Permill::from_percent(50));
		assert_eq!(provider_of(3).reputation.timed_out, 0);
		assert_eq!(crate::QueuedJobs::<Test>::get(), 0);
	})
}

#[test]
fn a_provider_silent_in_the_reveal_period_is_slashed_and_the_other_paid() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		let job = submit(1, 1_000, 20, 2);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::accept_job(signed(3), job));
		commit(2, job, h(7), 50);
		commit(3, job, h(7), 50);
		assert_eq!(job_of(job).state, JobState::Revealing { until: 4 });
		reveal(2, job, h(7), 50);

		run_to_block(4);
		assert_eq!(job_of(job).state, JobState::Revealing { until: 4 });
		run_to_block(5);

		assert!(has_event(Event::ProviderSlashed {
			job,
			provider: 3,
			amount: 100,
			reason: SlashReason::Timeout,
		}));
		let j = job_of(job);
		assert_eq!(j.state, JobState::Challengeable { until: 10, output_hash: h(7) });
		assert_eq!(j.timeout, 10);
		assert_eq!(j.slots.len(), 1);
		assert_eq!(j.slots[0].provider, 2);
		assert!(has_event(Event::ChallengePeriodStarted { job, output_hash: h(7), until: 10 }));
		let silent = provider_of(3);
		assert_eq!(silent.stake, 900);
		assert_eq!(silent.active_jobs, 0);
		assert_eq!(silent.reputation.timed_out, 1);
		assert_eq!(provider_of(2).active_jobs, 1);

		run_to_block(10);
		assert!(crate::Jobs::<Test>::get(job).is_some());
		run_to_block(11);
		// 3 * 50 = 150, fee 15: treasury 4, stakers 7, burnt 4.
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
		assert_eq!(free(1), ENDOWMENT - 150);
		assert_eq!(free(2), ENDOWMENT - 1_010 + 135);
		assert_eq!(free(3), ENDOWMENT - 1_010);
		assert_eq!(free(TREASURY), ED + 100 + 4);
		assert_eq!(provider_of(2).active_jobs, 0);
	})
}

#[test]
fn nothing_revealed_refunds_and_slashes_everyone() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		let job = submit(1, 1_000, 20, 2);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::accept_job(signed(3), job));
		commit(2, job, h(7), 50);
		commit(3, job, h(7), 50);
		run_to_block(5);
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::NothingRevealed,
		}));
		assert_eq!(provider_of(2).stake, 900);
		assert_eq!(provider_of(3).stake, 900);
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(free(TREASURY), ED + 200);
	})
}

#[test]
fn due_jobs_beyond_the_per_block_limit_wait_for_the_next_block() {
	build_and_execute(|| {
		// Six jobs of six owners, all with their deadline at block 11.
		let jobs: Vec<JobId> = (1..=6).map(|owner| submit(owner, 100, 10, 1)).collect();
		assert_eq!(crate::Timeouts::<Test>::get(11).into_inner(), jobs);
		assert_eq!(crate::QueuedJobs::<Test>::get(), 6);

		run_to_block(11);
		assert_eq!(crate::TimeoutCursor::<Test>::get(), 11);
		assert!(jobs.iter().all(|j| crate::Jobs::<Test>::get(j).is_some()));

		// MaxExpiriesPerBlock = 4: the first four end, the rest stay in the queue.
		run_to_block(12);
		assert_eq!(count_events(|e| matches!(e, Event::JobRefunded { .. })), 4);
		for j in &jobs[..4] {
			assert!(crate::Jobs::<Test>::get(j).is_none());
		}
		for j in &jobs[4..] {
			assert!(crate::Jobs::<Test>::get(j).is_some());
		}
		assert_eq!(crate::TimeoutCursor::<Test>::get(), 11);
		assert_eq!(crate::Timeouts::<Test>::get(11).into_inner(), jobs[4..].to_vec());
		assert_eq!(crate::QueuedJobs::<Test>::get(), 2);

		run_to_block(13);
		assert_eq!(count_events(|e| matches!(e, Event::JobRefunded { .. })), 6);
		assert!(jobs.iter().all(|j| crate::Jobs::<Test>::get(j).is_none()));
		assert!(crate::Timeouts::<Test>::get(11).is_empty());
		assert_eq!(crate::QueuedJobs::<Test>::get(), 0);
		assert_eq!(crate::TimeoutCursor::<Test>::get(), 13);
		for owner in 1..=6 {
			assert_eq!(free(owner), ENDOWMENT);
		}
		for (owner, job) in (1..=6).zip(jobs.iter()) {
			assert!(has_event(Event::JobRefunded {
				job: *job,
				owner,
				amount: 100,
				reason: RefundReason::DeadlineMissed,
			}));
		}

		// Idle: the cursor follows the block number.
		run_to_block(14);
		assert_eq!(crate::TimeoutCursor::<Test>::get(), 14);
	})
}

#[test]
fn a_lagging_cursor_visits_at_most_eight_queues_per_block() {
	build_and_execute(|| {
		let job = submit(1, 100, 20, 1);
		assert_eq!(job_of(job).timeout, 21);
		// Jump ahead without running the hooks: the cursor is still at 0.
		System::set_block_number(30);
		assert_eq!(crate::TimeoutCursor::<Test>::get(), 0);
		run_to_block(31);
		assert_eq!(crate::TimeoutCursor::<Test>::get(), 8);
		assert!(crate::Jobs::<Test>::get(job).is_some());
		run_to_block(32);
		assert_eq!(crate::TimeoutCursor::<Test>::get(), 16);
		assert!(crate::Jobs::<Test>::get(job).is_some());
		run_to_block(33);
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert_eq!(crate::QueuedJobs::<Test>::get(), 0);
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 100,
			reason: RefundReason::DeadlineMissed,
		}));
	})
}

// ------------------------------------------------------------------ reputation

#[test]
fn a_completed_job_raises_the_reputation() {
	build_and_execute(|| {
		let job = attested_job();
		assert_eq!(Compute::provider_view(2).unwrap().reputation, Permill::from_percent(50));
		run_to_block(7);
		assert!(crate::Jobs::<Test>::get(job).is_none());
		let p = provider_of(2);
		assert_eq!(p.reputation.completed, 1);
		assert_eq!(p.reputation.successes, 1_000);
		assert_eq!(p.reputation.failures, 0);
		let view = Compute::provider_view(2).unwrap();
		assert_eq!(view.completed, 1);
		assert_eq!(view.reputation, Permill::from_rational(2u64, 3u64));
		assert!(view.reputation > Permill::from_percent(50));
	})
}

// ------------------------------------------------------------------ views

#[test]
fn job_view_follows_the_job() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_eq!(
			Compute::job_view(job),
			Some(JobView {
				id: job,
				owner: 1,
				kind: ExecutorKind::GemmInt8,
				inputs: vec![H256::repeat_byte(1), H256::repeat_byte(2)],
				datasets: vec![],
				params: vec![0u8; 8],
				max_units: 100,
				output_size: 4_096,
				min_reputation: Permill::zero(),
				budget: 1_000,
				reserved: 300,
				deadline: 11,
				redundancy: 1,
				phase: JobPhase::Open,
				phase_ends: 11,
				slots: vec![SlotView {
					provider: 2,
					price_per_unit: 3,
					committed: false,
					output_hash: None,
					usage: None,
				}],
			})
		);

		assert_ok!(Compute::submit_attestation(signed(2), job, h(7), 50));
		let view = Compute::job_view(job).expect("a job");
		assert_eq!(view.phase, JobPhase::Challengeable);
		assert_eq!(view.phase_ends, 6);
		assert_eq!(
			view.slots,
			vec![SlotView {
				provider: 2,
				price_per_unit: 3,
				committed: true,
				output_hash: Some(h(7)),
				usage: Some(50),
			}]
		);

		run_to_block(7);
		assert_eq!(Compute::job_view(job), None);
		assert_eq!(Compute::job_view(42), None);
	})
}

#[test]
fn job_view_shows_commitments_without_their_content() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		let job = submit(1, 1_000, 10, 2);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_ok!(Compute::accept_job(signed(3), job));
		commit(2, job, h(7), 50);
		let view = Compute::job_view(job).unwrap();
		assert_eq!(view.phase, JobPhase::Open);
		assert!(view.slots[0].committed);
		assert_eq!(view.slots[0].output_hash, None);
		assert!(!view.slots[1].committed);
		commit(3, job, h(7), 50);
		let view = Compute::job_view(job).unwrap();
		assert_eq!(view.phase, JobPhase::Revealing);
		assert_eq!(view.phase_ends, 4);
	})
}

#[test]
fn provider_view_reports_the_record() {
	build_and_execute(|| {
		register(2, 3);
		assert_eq!(
			Compute::provider_view(2),
			Some(ProviderView {
				account: 2,
				stake: 1_000,
				status: ProviderStatusView::Active,
				gpu_model: b"NVIDIA H100".to_vec(),
				vram_mib: 81_920,
				devices: 1,
				offers: vec![OfferView {
					kind: ExecutorKind::GemmInt8,
					max_units: 1_000,
					price_per_unit: 3,
				}],
				active_jobs: 0,
				matching_lead: Some(0),
				reputation: Permill::from_percent(50),
				completed: 0,
				failed: 0,
				timed_out: 0,
				slashed: 0,
			})
		);
		assert_eq!(Compute::provider_view(3), None);

		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(signed(2), job));
		assert_eq!(Compute::provider_view(2).unwrap().active_jobs, 1);
		assert_ok!(Compute::pause_provider(signed(2)));
		assert_eq!(Compute::provider_view(2).unwrap().status, ProviderStatusView::Paused);
	})
}

#[test]
fn providers_page_pages_and_filters_by_kind() {
	build_and_execute(|| {
		for p in 2..=6 {
			register(p, 3);
		}
		assert_ok!(Compute::register_provider(
			signed(7),
			caps(&[ExecutorKind::GemmF32], 1_000),
			prices(&[ExecutorKind::GemmF32], 5),
			1_000,
		));

		let mut all: Vec<AccountId> =
			Compute::providers_page(None, None, 100).into_iter().map(|v| v.account).collect();
		all.sort();
		assert_eq!(all, vec![2, 3, 4, 5, 6, 7]);

		// Pages of two, resuming after the last account of the previous page.
		let mut seen: Vec<AccountId> = Vec::new();
		let mut start_after = None;
		for _ in 0..10 {
			let page = Compute::providers_page(None, start_after, 2);
			assert!(page.len() <= 2);
			let Some(last) = page.last() else { break };
			start_after = Some(last.account);
			seen.extend(page.iter().map(|v| v.account));
		}
		assert_eq!(seen.len(), 6, "each provider appears once");
		seen.sort();
		assert_eq!(seen, vec![2, 3, 4, 5, 6, 7]);

		let mut int8: Vec<AccountId> =
			Compute::providers_page(Some(ExecutorKind::GemmInt8), None, 100)
				.into_iter()
				.map(|v| v.account)
				.collect();
		int8.sort();
		assert_eq!(int8, vec![2, 3, 4, 5, 6]);
		let f32_page = Compute::providers_page(Some(ExecutorKind::GemmF32), None, 100);
		assert_eq!(f32_page.len(), 1);
		assert_eq!(f32_page[0].account, 7);
		assert_eq!(
			f32_page[0].offers,
			vec![OfferView { kind: ExecutorKind::GemmF32, max_units: 1_000, price_per_unit: 5 }]
		);
		assert!(Compute::providers_page(Some(ExecutorKind::VectorSearch), None, 100).is_empty());
		assert_eq!(Compute::providers_page(None, None, 3).len(), 3);
		assert!(Compute::providers_page(None, None, 0).is_empty());
	})
}

#[test]
fn quote_picks_the_cheapest_eligible_providers() {
	build_and_execute(|| {
		register(2, 5);
		register(3, 3);
		register(4, 4);
		// The cheapest, but paused.
		register(5, 1);
		assert_ok!(Compute::pause_provider(signed(5)));
		// Cheap, but it accepts at most 50 units.
		assert_ok!(Compute::register_provider(
			signed(6),
			caps(&[ExecutorKind::GemmInt8], 50),
			prices(&[ExecutorKind::GemmInt8], 2),
			1_000,
		));

		let q = Compute::quote(ExecutorKind::GemmInt8, 100, 2, Permill::zero()).expect("a quote");
		assert_eq!(q.eligible, 3);
		assert_eq!(
			q.providers,
			vec![
				QuotedProvider {
					provider: 3,
					price_per_unit: 3,
					reputation: Permill::from_percent(50)
				},
				QuotedProvider {
					provider: 4,
					price_per_unit: 4,
					reputation: Permill::from_percent(50)
				},
			]
		);
		// 3 * 100 + 4 * 100, of which 10 % protocol fee.
		assert_eq!(q.budget, 700);
		assert_eq!(q.protocol_fee, 70);

		// Smaller jobs fit provider 6.
		let q = Compute::quote(ExecutorKind::GemmInt8, 50, 1, Permill::zero()).expect("a quote");
		assert_eq!(q.eligible, 4);
		assert_eq!(q.providers.len(), 1);
		assert_eq!(q.providers[0].provider, 6);
		assert_eq!(q.budget, 100);
		assert_eq!(q.protocol_fee, 10);

		// Too few eligible providers, nothing to quote, or an unknown executor: no quote.
		assert!(Compute::quote(ExecutorKind::GemmInt8, 100, 4, Permill::zero()).is_none());
		assert!(Compute::quote(ExecutorKind::GemmInt8, 100, 0, Permill::zero()).is_none());
		assert!(Compute::quote(ExecutorKind::GemmInt8, 0, 1, Permill::zero()).is_none());
		assert!(Compute::quote(ExecutorKind::GemmF32, 10, 1, Permill::zero()).is_none());
		assert!(Compute::quote(ExecutorKind::GemmInt8, 100, 1, Permill::from_percent(51)).is_none());

		// The quoted budget is exactly enough for the quoted providers.
		let q = Compute::quote(ExecutorKind::GemmInt8, 100, 2, Permill::zero()).unwrap();
		let job = submit(1, q.budget, 10, 2);
		for quoted in q.providers.iter() {
			assert_ok!(Compute::accept_job(signed(quoted.provider), job));
		}
		assert_eq!(job_of(job).reserved, q.budget);
	})
}

// ------------------------------------------------------------------ state machine

#[test]
fn job_states_only_move_forward() {
	build_and_execute(|| {
		for p in 2..=12 {
			register(p, 3);
		}
		let rank = |id: JobId| crate::Jobs::<Test>::get(id).expect("the job exists").state.rank();
		let mut ranks = Vec::new();

		let job = submit(1, 1_000, 20, 2);
		ranks.push(rank(job));
		assert_ok!(Compute::accept_job(signed(2), job));
		ranks.push(rank(job));
		assert_ok!(Compute::accept_job(signed(3), job));
		ranks.push(rank(job));
		commit(2, job, h(7), 50);
		ranks.push(rank(job));
		commit(3, job, h(7), 50);
		ranks.push(rank(job));
		reveal(2, job, h(7), 50);
		ranks.push(rank(job));
		reveal(3, job, h(7), 50);
		ranks.push(rank(job));
		run_to_block(2);
		ranks.push(rank(job));
		assert_ok!(Compute::challenge(signed(15), job, h(8), 100));
		ranks.push(rank(job));

		let verifiers = verifiers_of(job);
		for v in verifiers.iter() {
			assert_ok!(Compute::commit_vote(
				signed(*v),
				job,
				vote_commitment(job, v, &h(7), &salt(*v))
			));
			ranks.push(rank(job));
		}

		assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "ranks went backwards: {ranks:?}");
		assert_eq!(ranks, vec![0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 3]);

		for v in verifiers.iter() {
			assert_ok!(Compute::reveal_vote(signed(*v), job, h(7), salt(*v)));
		}
		// The challenger lost; the job settled and its record is gone.
		assert!(crate::Jobs::<Test>::get(job).is_none());
		assert!(settled(job).is_some());
	})
}
