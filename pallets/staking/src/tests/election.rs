#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Sessions and eras, the election (top `ValidatorCount` by backing, ties by account id,
//! candidates without keys or bond skipped, too few elected keeps the set), exposures and their
//! pages, era points.

use super::*;
use crate::{ErasStartSessionIndex, Event, StakerStatus};
use frame_support::assert_ok;

#[test]
fn genesis_elects_the_top_candidates() {
	build_and_execute(|| {
		assert_eq!(active_era(), 0);
		assert_eq!(current_era(), 0);
		assert_eq!(ErasStartSessionIndex::<Test>::get(0), Some(0));
		assert_eq!(Session::current_index(), 0);
		assert_eq!(elected(0), vec![11, 21, 31]);
		assert_eq!(active_validators(), vec![11, 21, 31]);
		assert_eq!(queued_validators(), vec![11, 21, 31]);

		assert_eq!(overview(0, 11), Some((1_300, 1_000, 1, 1)));
		assert_eq!(exposure_page(0, 11, 0), vec![(101, 300)]);
		assert_eq!(overview(0, 21), Some((1_300, 1_000, 1, 1)));
		// No nominators: still one page, which pays the validator.
		assert_eq!(overview(0, 31), Some((500, 500, 0, 1)));
		assert_eq!(exposure_page(0, 31, 0), vec![]);
		assert_eq!(overview(0, 41), None);
	});
}

#[test]
fn genesis_stakers_compete_in_the_first_election() {
	ExtBuilder::default()
		.add_staker(51, 5_000, StakerStatus::Validator)
		.add_staker(102, 400, StakerStatus::Nominator(vec![51, 31]))
		.build_and_execute(|| {
			// 51: 5_000 + 200; 11 and 21: 1_300; 31 (700) is left out.
			assert_eq!(elected(0), vec![11, 21, 51]);
			assert_eq!(overview(0, 51), Some((5_200, 5_000, 1, 1)));
			assert_eq!(approval(31), 200);
		});
}

#[test]
fn a_failed_genesis_election_still_starts_era_zero() {
	ExtBuilder::default().stakers(vec![(11, 1_000, StakerStatus::Validator)]).build_and_execute(
		|| {
			// One candidate, two needed: era 0 runs with pallet-session's own genesis keys.
			assert_eq!((active_era(), current_era()), (0, 0));
			assert_eq!(elected(0), Vec::<AccountId>::new());
			assert_eq!(overview(0, 11), None);

			validator(21, 1_000, Perbill::zero());
			advance_sessions(2);
			assert!(has_event(Event::EraPlanned { era: 1, validators: 2 }));
			advance_session();
			assert_eq!(active_era(), 1);
			assert_eq!(active_validators(), vec![11, 21]);
			assert_eq!(overview(1, 11), Some((1_000, 1_000, 0, 1)));
		},
	);
}

#[test]
fn an_era_lasts_sessions_per_era_sessions() {
	build_and_execute(|| {
		advance_session();
		assert_eq!((active_era(), current_era()), (0, 0));
		assert!(!events().iter().any(|e| matches!(e, Event::EraPlanned { .. })));

		// Session 2 plans era 1, to start at session 3.
		advance_session();
		assert_eq!((active_era(), current_era()), (0, 1));
		assert_eq!(ErasStartSessionIndex::<Test>::get(1), Some(SessionsPerEra::get()));
		assert!(has_event(Event::EraPlanned { era: 1, validators: 3 }));
		assert_eq!(queued_validators(), elected(1));

		advance_session();
		assert_eq!(Session::current_index(), 3);
		assert_eq!((active_era(), current_era()), (1, 1));
		assert!(has_event(Event::EraStarted { era: 1 }));
		assert!(events().iter().any(|e| matches!(e, Event::EraPaid { era: 0, .. })));
		assert_eq!(active_validators(), elected(1));

		// The era's start is stamped when its first block is finalized.
		assert_eq!(crate::ActiveEra::<Test>::get().unwrap().start, None);
		let now = now_ms();
		run_to_block(System::block_number() + 1);
		assert_eq!(crate::ActiveEra::<Test>::get().unwrap().start, Some(now));

		assert_eq!(advance_era(), 2);
		assert_eq!(ErasStartSessionIndex::<Test>::get(2), Some(2 * SessionsPerEra::get()));
	});
}

#[test]
fn the_set_changes_only_at_era_boundaries() {
	build_and_execute(|| {
		assert_ok!(Staking::bond_extra(signed(41), 2_000));
		advance_session();
		assert_eq!(active_validators(), vec![11, 21, 31]);
		advance_session();
		// Era 1 is planned: 41 (2_200) replaces 31 (500) in the queued set only.
		assert_eq!(elected(1), vec![11, 21, 41]);
		assert_eq!(queued_validators(), vec![11, 21, 41]);
		assert_eq!(active_validators(), vec![11, 21, 31]);
		advance_session();
		assert_eq!(active_validators(), vec![11, 21, 41]);
		// Changes after planning wait for the next era.
		assert_ok!(Staking::chill(signed(41)));
		advance_session();
		assert_eq!(active_validators(), vec![11, 21, 41]);
		advance_era();
		assert_eq!(active_validators(), vec![11, 21, 31]);
	});
}

#[test]
fn validator_count_sets_the_size_within_max_validators() {
	build_and_execute(|| {
		crate::ValidatorCount::<Test>::put(2);
		advance_era();
		assert_eq!(elected(1), vec![11, 21]);
		assert_eq!(active_validators(), vec![11, 21]);

		// Up to MaxValidators (4).
		crate::ValidatorCount::<Test>::put(4);
		validator(5, 300, Perbill::zero());
		advance_era();
		// 11 and 21 (1_300), 31 (500), 5 (300); 41 (200) is left out.
		assert_eq!(elected(2), vec![5, 11, 21, 31]);
		assert_eq!(active_validators(), vec![5, 11, 21, 31]);
	});
}

#[test]
fn nominations_count_towards_the_backing() {
	build_and_execute(|| {
		// 41: 200 own + 400 nominated = 600 > 31's 500.
		nominator(1, 400, &[41]);
		assert_eq!(approval(41), 400);
		advance_era();
		assert_eq!(elected(1), vec![11, 21, 41]);
		assert_eq!(overview(1, 41), Some((600, 200, 1, 1)));
		assert_eq!(exposure_page(1, 41, 0), vec![(1, 400)]);
	});
}

#[test]
fn ties_are_broken_by_account_id() {
	build_and_execute(|| {
		// 5 registers after 31 with the same backing (500): the lower id wins.
		validator(5, 500, Perbill::zero());
		advance_era();
		assert_eq!(elected(1), vec![5, 11, 21]);
		// One less and it loses.
		assert_ok!(Staking::unbond(signed(5), 1));
		advance_era();
		assert_eq!(elected(2), vec![11, 21, 31]);
	});
}

#[test]
fn candidates_without_session_keys_are_not_elected() {
	build_and_execute(|| {
		remove_session_keys(21);
		advance_era();
		assert_eq!(elected(1), vec![11, 31, 41]);
		assert_eq!(active_validators(), vec![11, 31, 41]);
		add_session_keys(21);
		advance_era();
		assert_eq!(elected(2), vec![11, 21, 31]);
	});
}

#[test]
fn genesis_skips_candidates_without_session_keys() {
	ExtBuilder::default().no_session_keys(21).build_and_execute(|| {
		assert_eq!(elected(0), vec![11, 31, 41]);
		assert_eq!(active_validators(), vec![11, 31, 41]);
	});
}

#[test]
fn candidates_below_the_minimum_bond_are_not_elected() {
	build_and_execute(|| {
		MinValidatorBond::set(600);
		advance_era();
		assert_eq!(elected(1), vec![11, 21]);
		assert_eq!(active_validators(), vec![11, 21]);
	});
}

#[test]
fn too_few_elected_keeps_the_set_and_retries() {
	build_and_execute(|| {
		MinimumValidatorCount::set(3);
		assert_ok!(Staking::chill(signed(31)));
		assert_ok!(Staking::chill(signed(41)));

		advance_sessions(2);
		assert!(events().iter().any(|e| matches!(e, Event::ElectionFailed { .. })));
		assert!(!events().iter().any(|e| matches!(e, Event::EraPlanned { .. })));
		assert_eq!(current_era(), 0);
		assert_eq!(ErasStartSessionIndex::<Test>::get(1), None);

		// The era does not end: the set continues, 31 included.
		advance_session();
		assert_eq!(Session::current_index(), 3);
		assert_eq!(active_era(), 0);
		assert_eq!(active_validators(), vec![11, 21, 31]);

		// A third candidate: the next session plans era 1 for the one after.
		assert_ok!(Staking::validate(signed(41), Perbill::zero()));
		advance_session();
		assert_eq!(current_era(), 1);
		assert_eq!(ErasStartSessionIndex::<Test>::get(1), Some(5));
		assert!(has_event(Event::EraPlanned { era: 1, validators: 3 }));
		advance_session();
		assert_eq!(active_era(), 1);
		assert_eq!(active_validators(), vec![11, 21, 41]);
		// Era 1 lasts its sessions from session 5.
		advance_sessions(SessionsPerEra::get() - 1);
		assert_eq!(active_era(), 1);
		advance_session();
		assert_eq!(active_era(), 2);
		assert_eq!(ErasStartSessionIndex::<Test>::get(2), Some(5 + SessionsPerEra::get()));
	});
}

#[test]
fn no_candidates_fails_even_with_a_zero_minimum() {
	build_and_execute(|| {
		MinimumValidatorCount::set(0);
		for v in [11, 21, 31, 41] {
			assert_ok!(Staking::chill(signed(v)));
		}
		advance_sessions(3);
		assert!(events().iter().any(|e| matches!(e, Event::ElectionFailed { .. })));
		assert_eq!(active_era(), 0);
		assert_eq!(current_era(), 0);
		assert_eq!(active_validators(), vec![11, 21, 31]);
	});
}

#[test]
fn exposures_are_paged_by_value() {
	build_and_execute(|| {
		// With 101 (300 on 11): eight nominators, three pages of at most three.
		for (who, stake) in [(1, 100), (2, 700), (3, 300), (4, 300), (5, 50), (6, 900), (7, 200)] {
			nominator(who, stake, &[11]);
		}
		advance_era();
		assert_eq!(page_size(), 3);
		assert_eq!(overview(1, 11), Some((1_000 + 2_850, 1_000, 8, 3)));
		// By value descending, then account ascending.
		assert_eq!(exposure_page(1, 11, 0), vec![(6, 900), (2, 700), (3, 300)]);
		assert_eq!(exposure_page(1, 11, 1), vec![(4, 300), (101, 300), (7, 200)]);
		assert_eq!(exposure_page(1, 11, 2), vec![(1, 100), (5, 50)]);
		assert_eq!(exposure_page(1, 11, 3), vec![]);
		// 21 keeps its single nominator.
		assert_eq!(overview(1, 21), Some((1_300, 1_000, 1, 1)));
	});
}

#[test]
fn a_nominator_splits_its_stake_evenly() {
	build_and_execute(|| {
		// 100 over three targets: 33 each (rounded down).
		nominator(1, 100, &[11, 21, 31]);
		advance_era();
		assert_eq!(exposure_others(1, 31), vec![(1, 33)]);
		assert_eq!(overview(1, 31), Some((533, 500, 1, 1)));
		assert_eq!(overview(1, 11), Some((1_333, 1_000, 2, 1)));
	});
}

#[test]
fn chilled_nominators_are_not_exposed() {
	build_and_execute(|| {
		assert_ok!(Staking::chill(signed(101)));
		advance_era();
		assert_eq!(overview(1, 11), Some((1_000, 1_000, 0, 1)));
		assert_eq!(exposure_others(1, 11), vec![]);
	});
}

#[test]
fn exposures_and_prefs_are_fixed_when_the_era_is_planned() {
	build_and_execute(|| {
		advance_sessions(2);
		assert_eq!(current_era(), 1);
		assert_ok!(Staking::validate(signed(11), Perbill::from_percent(10)));
		assert_ok!(Staking::bond_extra(signed(101), 400));

		advance_session();
		assert_eq!(active_era(), 1);
		assert_eq!(era_commission(1, 11), Some(Perbill::zero()));
		assert_eq!(overview(1, 11), Some((1_300, 1_000, 1, 1)));

		advance_era();
		assert_eq!(era_commission(2, 11), Some(Perbill::from_percent(10)));
		assert_eq!(overview(2, 11), Some((1_500, 1_000, 1, 1)));
		assert_eq!(exposure_page(2, 11, 0), vec![(101, 500)]);
	});
}

#[test]
fn authored_blocks_earn_points_in_the_active_era() {
	build_and_execute(|| {
		reward_block(11);
		reward_block(11);
		reward_block(21);
		assert_eq!(
			era_points(0),
			(3 * POINTS_PER_BLOCK, vec![(11, 2 * POINTS_PER_BLOCK), (21, POINTS_PER_BLOCK)])
		);
		// Era 1 is planned but not active: points still go to era 0.
		advance_sessions(2);
		reward_block(31);
		assert_eq!(era_points(0).0, 4 * POINTS_PER_BLOCK);
		assert_eq!(era_points(1).0, 0);
		advance_session();
		reward_block(31);
		assert_eq!(era_points(1), (POINTS_PER_BLOCK, vec![(31, POINTS_PER_BLOCK)]));
	});
}
