//! Provider pools: the collateral a slot needs (`CollateralPerSlot`, counting pooled stake), the
//! pool's share of each payment and the slashes passed on to it (`Config::Pools`, the mock's
//! `TestPools`).

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use super::util::*;
use crate::{mock::*, Error, Event, *};
use frame_support::{assert_noop, assert_ok, traits::Imbalance};
use sp_core::H256;
use sp_runtime::{DispatchResult, Perbill, Permill, Weight};

const INT8: ExecutorKind = ExecutorKind::GemmInt8;

fn accept(who: AccountId, id: JobId) -> DispatchResult {
	Compute::accept_job(signed(who), id)
}

fn assign(matcher: AccountId, id: JobId, who: AccountId) -> DispatchResult {
	Compute::assign(signed(matcher), id, who)
}

/// `n` int8 jobs of owner 1 (100 units, budget 300: one slot at price 3), due in 10 blocks.
fn jobs(n: usize) -> Vec<JobId> {
	(0..n).map(|_| submit(1, 300, 10, 1)).collect()
}

/// How many providers a quote for one of [`jobs`] finds eligible (0 without a quote).
fn eligible() -> u32 {
	Compute::quote(INT8, 100, 1, Permill::zero()).map_or(0, |q| q.eligible)
}

// ------------------------------------------------------------------ collateral

#[test]
fn a_slot_beyond_the_collateral_is_refused() {
	build_and_execute(|| {
		// A stake of 1_000 covers two slots at 400, not three.
		CollateralPerSlot::set(400);
		register(2, 3);
		let ids = jobs(3);
		assert_ok!(accept(2, ids[0]));
		assert_ok!(assign(7, ids[1], 2));
		assert_eq!(provider_of(2).active_jobs, 2);

		assert_noop!(accept(2, ids[2]), Error::<Test>::InsufficientCollateral);
		assert_noop!(assign(7, ids[2], 2), Error::<Test>::InsufficientCollateral);
		assert!(job_of(ids[2]).slots.is_empty());
		assert_eq!(job_of(ids[2]).reserved, 0);
		assert_eq!(provider_of(2).active_jobs, 2);
		// Nor is it quoted.
		assert_eq!(eligible(), 0);

		// More stake of its own covers the third slot.
		assert_ok!(Compute::increase_stake(signed(2), 200));
		assert_eq!(eligible(), 1);
		assert_ok!(accept(2, ids[2]));
		assert_eq!(provider_of(2).active_jobs, 3);
	})
}

#[test]
fn pooled_stake_counts_toward_the_collateral() {
	build_and_execute(|| {
		CollateralPerSlot::set(400);
		register(2, 3);
		let ids = jobs(5);
		assert_ok!(accept(2, ids[0]));
		assert_ok!(accept(2, ids[1]));

		// Three slots need 1_200: 1_000 of stake and 199 pooled fall one short.
		set_pooled(2, 199);
		assert_noop!(accept(2, ids[2]), Error::<Test>::InsufficientCollateral);
		assert_eq!(eligible(), 0);
		set_pooled(2, 200);
		assert_eq!(eligible(), 1);
		assert_ok!(assign(7, ids[2], 2));

		// However much is pooled, `MaxJobsPerProvider` (4) still bounds the slots.
		set_pooled(2, 1_000_000);
		assert_ok!(accept(2, ids[3]));
		assert_eq!(provider_of(2).active_jobs, 4);
		assert_noop!(accept(2, ids[4]), Error::<Test>::ProviderOverloaded);

		// Pooled stake is not the provider's: its record and holds are unchanged.
		assert_eq!(provider_of(2).stake, 1_000);
		assert_eq!(held(HoldReason::ProviderStake, 2), 1_000);
	})
}

#[test]
fn a_zero_collateral_per_slot_lifts_the_requirement() {
	build_and_execute(|| {
		CollateralPerSlot::set(0);
		register(2, 3);
		let ids = jobs(5);
		for &id in &ids[..4] {
			assert_ok!(accept(2, id));
		}
		assert_noop!(accept(2, ids[4]), Error::<Test>::ProviderOverloaded);
	})
}

#[test]
fn the_collateral_check_cannot_overflow() {
	build_and_execute(|| {
		CollateralPerSlot::set(Balance::MAX);
		register(2, 3);
		let ids = jobs(2);
		assert_noop!(accept(2, ids[0]), Error::<Test>::InsufficientCollateral);

		// Stake and pool add up to exactly `Balance::MAX`: one slot; two would need twice that.
		set_pooled(2, Balance::MAX - 1_000);
		assert_ok!(accept(2, ids[0]));
		assert_noop!(accept(2, ids[1]), Error::<Test>::InsufficientCollateral);

		// The sum saturates rather than wrapping.
		set_pooled(2, Balance::MAX);
		assert_noop!(accept(2, ids[1]), Error::<Test>::InsufficientCollateral);
	})
}

// ------------------------------------------------------------------ income

#[test]
fn the_pool_takes_its_share_of_a_payment() {
	build_and_execute(|| {
		set_pool_share(Perbill::from_percent(20));
		register(2, 7);
		let issuance = Balances::total_issuance();
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(accept(2, job));
		assert_ok!(Compute::submit_attestation(signed(2), job, h(7), 33));
		run_to_block(7);

		// Payment 7 * 33 = 231: fee 24, net 207, of which the pool takes floor(20 %) = 41. The
		// event still reports the provider's whole net pay.
		assert!(has_event(Event::ProviderPaid { job, provider: 2, amount: 207, fee: 24 }));
		assert!(has_event(Event::JobSettled {
			job,
			owner: 1,
			paid: 207,
			fee: 24,
			burned: 5,
			refunded: 769,
		}));
		assert_eq!(pool_paid(), vec![(2, 207, 41)]);
		assert_eq!(free(2), ENDOWMENT - 1_010 + 207 - 41);
		assert_eq!(free(POOL), 41);
		assert_eq!(free(1), ENDOWMENT - 207 - 24);
		assert_eq!(free(TREASURY), ED + 7);
		assert_eq!(free(STAKERS), ED + 12);
		assert_eq!(Balances::total_issuance(), issuance - 5);
		assert_eq!(provider_of(2).stake, 1_000);
		assert!(pool_slashed().is_empty());
	})
}

#[test]
fn each_redundant_provider_pays_its_own_pool() {
	build_and_execute(|| {
		set_pool_share(Perbill::from_percent(50));
		register(2, 3);
		register(3, 4);
		let issuance = Balances::total_issuance();
		let job = submit(1, 1_000, 10, 2);
		assert_ok!(accept(2, job));
		assert_ok!(accept(3, job));
		commit(2, job, h(7), 40);
		commit(3, job, h(7), 60);
		reveal(2, job, h(7), 40);
		reveal(3, job, h(7), 60);
		run_to_block(7);

		// Both paid for usage 40: 3 * 40 = 120 (fee 12, net 108, pool 54) and 4 * 40 = 160
		// (fee 16, net 144, pool 72).
		assert!(has_event(Event::ProviderPaid { job, provider: 2, amount: 108, fee: 12 }));
		assert!(has_event(Event::ProviderPaid { job, provider: 3, amount: 144, fee: 16 }));
		assert_eq!(pool_paid(), vec![(2, 108, 54), (3, 144, 72)]);
		assert_eq!(free(2), ENDOWMENT - 1_010 + 54);
		assert_eq!(free(3), ENDOWMENT - 1_010 + 72);
		assert_eq!(free(POOL), 126);
		assert_eq!(free(1), ENDOWMENT - 252 - 28);
		// Fee 28: treasury 8, stakers 14, burnt 6.
		assert_eq!(Balances::total_issuance(), issuance - 6);
	})
}

#[test]
fn a_refunded_job_pays_no_pool() {
	build_and_execute(|| {
		set_pool_share(Perbill::from_percent(50));
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(accept(2, job));
		run_to_block(12);
		assert!(has_event(Event::JobRefunded {
			job,
			owner: 1,
			amount: 1_000,
			reason: RefundReason::DeadlineMissed,
		}));
		assert!(pool_paid().is_empty());
		assert_eq!(free(POOL), 0);
	})
}

// ------------------------------------------------------------------ slashes

#[test]
fn failures_and_timeouts_pass_their_fraction_to_the_pool() {
	build_and_execute(|| {
		register(2, 3);
		register(3, 3);
		let failed = submit(1, 1_000, 10, 1);
		assert_ok!(accept(2, failed));
		// Reported at once: `SlashOnFailure` (1 %) of 1_000.
		assert_ok!(Compute::report_failure(signed(2), failed));
		assert!(has_event(Event::ProviderSlashed {
			job: failed,
			provider: 2,
			amount: 10,
			reason: SlashReason::ReportedFailure,
		}));
		assert_eq!(pool_slashed(), vec![(2, Perbill::from_percent(1))]);

		// A missed deadline: `SlashOnTimeout` (10 %) of 1_000.
		let missed = submit(4, 1_000, 10, 1);
		assert_ok!(accept(3, missed));
		run_to_block(12);
		assert!(has_event(Event::ProviderSlashed {
			job: missed,
			provider: 3,
			amount: 100,
			reason: SlashReason::Timeout,
		}));
		assert_eq!(count_events(|e| matches!(e, Event::ProviderSlashed { .. })), 2);
		assert_eq!(
			pool_slashed(),
			vec![(2, Perbill::from_percent(1)), (3, Perbill::from_percent(10))]
		);
		assert!(pool_paid().is_empty());
	})
}

#[test]
fn a_wrong_result_passes_the_fraud_fraction_to_the_pool() {
	build_and_execute(|| {
		let (good, bad) = (H256::repeat_byte(0x11), H256::repeat_byte(0x22));
		for p in 2..=12 {
			register(p, 3);
		}
		let job = submit(1, 1_000, 20, 2);
		assert_ok!(accept(2, job));
		assert_ok!(accept(3, job));
		commit(2, job, good, 50);
		commit(3, job, bad, 50);
		reveal(2, job, good, 50);
		reveal(3, job, bad, 50);
		let verifiers = verifiers_of(job);
		commit_vote(verifiers[0], job, good);
		commit_vote(verifiers[1], job, good);
		commit_vote(verifiers[2], job, bad);
		reveal_vote(verifiers[0], job, good);
		reveal_vote(verifiers[1], job, good);
		reveal_vote(verifiers[2], job, bad);

		// Provider 3 loses `SlashOnFraud` (50 %); only it is reported to the pools, once.
		assert!(has_event(Event::ProviderSlashed {
			job,
			provider: 3,
			amount: 500,
			reason: SlashReason::WrongResult,
		}));
		assert_eq!(pool_slashed(), vec![(3, Perbill::from_percent(50))]);
		// Provider 2 is paid: 3 * 50 = 150, fee 15, net 135 (the pools take nothing here).
		assert_eq!(pool_paid(), vec![(2, 135, 0)]);
	})
}

#[test]
fn a_zero_slash_is_not_passed_to_the_pool() {
	build_and_execute(|| {
		register(2, 3);
		let credit = Compute::slash_provider(
			0,
			&2,
			Perbill::zero(),
			SlashReason::ReportedFailure,
			Outcome::ReportedFailure,
		);
		assert_eq!(credit.peek(), 0);
		drop(credit);
		assert!(has_event(Event::ProviderSlashed {
			job: 0,
			provider: 2,
			amount: 0,
			reason: SlashReason::ReportedFailure,
		}));
		assert!(pool_slashed().is_empty());
		assert_eq!(provider_of(2).stake, 1_000);

		// The same path with a non-zero fraction reports it.
		let credit = Compute::slash_provider(
			0,
			&2,
			Perbill::from_percent(3),
			SlashReason::Timeout,
			Outcome::TimedOut,
		);
		assert_eq!(credit.peek(), 30);
		drop(credit);
		assert_eq!(pool_slashed(), vec![(2, Perbill::from_percent(3))]);
		assert_eq!(provider_of(2).stake, 970);
	})
}

// ------------------------------------------------------------------ weights (finding F-5)

#[test]
fn the_pools_work_is_charged_to_the_calls_that_pay_or_slash() {
	use crate::weights::WeightInfo;
	use frame_support::dispatch::GetDispatchInfo;
	build_and_execute(|| {
		// The larger of the two per payment or slash, in each dimension.
		let per_slot = Weight::from_parts(11_000_000, 1_000);
		assert_eq!(Compute::pool_weight(1), per_slot);
		assert_eq!(Compute::pool_weight(3), per_slot * 3);

		// A due job ends with up to `MaxRedundancy` (3) payments or slashes.
		let claim = crate::Call::<Test>::claim_expired { job: 0 }.get_dispatch_info().call_weight;
		let own = <() as WeightInfo>::claim_expired()
			.max(<() as WeightInfo>::reveal_attestation_last())
			.max(<() as WeightInfo>::reveal_vote_last())
			.max(<() as WeightInfo>::on_initialize_draw());
		assert_eq!(claim, own + per_slot * 3 + Compute::end_use_weight());
		// So does the reveal that decides a dispute.
		let reveal =
			crate::Call::<Test>::reveal_vote { job: 0, output_hash: H256::zero(), salt: [0; 32] }
				.get_dispatch_info()
				.call_weight;
		assert!(reveal.all_gte(<() as WeightInfo>::reveal_vote_last() + per_slot * 3));
		// A failure report slashes one provider.
		let report = crate::Call::<Test>::report_failure { job: 0 }.get_dispatch_info().call_weight;
		assert_eq!(report, <() as WeightInfo>::report_failure() + per_slot);
	})
}
