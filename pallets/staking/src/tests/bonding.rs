#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Bonding, unbonding, withdrawing and rebonding; becoming a candidate or a nominator; chilling.

use super::*;
use crate::{Error, Event, ValidatorPrefs};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

// ------------------------------------------------------------------------ bond

#[test]
fn bond_holds_the_value_and_creates_a_ledger() {
	build_and_execute(|| {
		assert_ok!(Staking::bond(signed(1), 500));

		assert_eq!(ledger(1), Ledger { total: 500, active: 500, unlocking: vec![] });
		assert_eq!(held(1), 500);
		assert_eq!(free(1), ENDOWMENT - 500);
		assert!(!is_validator(1) && !is_nominator(1));
		assert_eq!(last_event(), Event::Bonded { stash: 1, amount: 500 });
	});
}

#[test]
fn bond_may_use_everything_but_the_existential_deposit() {
	build_and_execute(|| {
		assert_noop!(Staking::bond(signed(1), ENDOWMENT), Error::<Test>::InsufficientBalance);
		assert_ok!(Staking::bond(signed(1), ENDOWMENT - ED));
		assert_eq!(held(1), ENDOWMENT - ED);
		assert_eq!(free(1), ED);
	});
}

#[test]
fn bond_is_limited_by_the_balance() {
	ExtBuilder::default().balance(1, 50).build_and_execute(|| {
		assert_eq!(free(1), 50);
		assert_noop!(Staking::bond(signed(1), 50), Error::<Test>::InsufficientBalance);
		assert_ok!(Staking::bond(signed(1), 50 - ED));
		assert_eq!(held(1), 50 - ED);
	});
}

#[test]
fn bond_below_the_minimum_fails() {
	build_and_execute(|| {
		assert_noop!(
			Staking::bond(signed(1), MIN_NOMINATOR_BOND_DEFAULT - 1),
			Error::<Test>::InsufficientBond
		);
		assert_ok!(Staking::bond(signed(1), MIN_NOMINATOR_BOND_DEFAULT));
		assert_eq!(ledger(1).active, MIN_NOMINATOR_BOND_DEFAULT);
	});
}

#[test]
fn bond_twice_fails() {
	build_and_execute(|| {
		assert_noop!(Staking::bond(signed(11), 100), Error::<Test>::AlreadyBonded);
		bond(1, 100);
		assert_noop!(Staking::bond(signed(1), 100), Error::<Test>::AlreadyBonded);
	});
}

#[test]
fn bond_needs_a_signed_origin() {
	build_and_execute(|| {
		assert_noop!(Staking::bond(RuntimeOrigin::root(), 100), DispatchError::BadOrigin);
		assert_noop!(Staking::bond(RuntimeOrigin::none(), 100), DispatchError::BadOrigin);
	});
}

#[test]
fn genesis_stakers_are_bonded() {
	build_and_execute(|| {
		for (who, amount) in [(11, 1_000), (21, 1_000), (31, 500), (41, 200), (101, 600)] {
			assert_eq!(ledger(who), Ledger { total: amount, active: amount, unlocking: vec![] });
			assert_eq!(held(who), amount);
			assert_eq!(free(who), ENDOWMENT - amount);
		}
		for v in [11, 21, 31, 41] {
			assert!(is_validator(v));
		}
		assert_eq!(nominations(101), Some(vec![11, 21]));
		assert_eq!(approval(11), 300);
		assert_eq!(approval(21), 300);
		assert_eq!(approval(31), 0);
		assert_eq!(backers(11), vec![101]);
		assert_eq!(backers(31), Vec::<AccountId>::new());
		assert_eq!(crate::Validators::<Test>::count(), 4);
		assert_eq!(crate::Nominators::<Test>::count(), 1);
	});
}

// ------------------------------------------------------------------------ bond_extra

#[test]
fn bond_extra_adds_to_the_ledger() {
	build_and_execute(|| {
		assert_ok!(Staking::bond_extra(signed(11), 250));
		assert_eq!(ledger(11), Ledger { total: 1_250, active: 1_250, unlocking: vec![] });
		assert_eq!(held(11), 1_250);
		assert_eq!(free(11), ENDOWMENT - 1_250);
		assert_eq!(last_event(), Event::Bonded { stash: 11, amount: 250 });
	});
}

#[test]
fn bond_extra_of_a_nominator_updates_the_approval_stake() {
	build_and_execute(|| {
		// 600 over two targets: 300 each; 701 over two: 350 each (rounded down).
		assert_ok!(Staking::bond_extra(signed(101), 101));
		assert_eq!(ledger(101).active, 701);
		assert_eq!(approval(11), 350);
		assert_eq!(approval(21), 350);
	});
}

#[test]
fn bond_extra_of_a_validator_leaves_the_approval_stake() {
	build_and_execute(|| {
		assert_ok!(Staking::bond_extra(signed(11), 500));
		assert_eq!(approval(11), 300);
	});
}

#[test]
fn bond_extra_errors() {
	build_and_execute(|| {
		assert_noop!(Staking::bond_extra(signed(1), 100), Error::<Test>::NotBonded);
		assert_noop!(Staking::bond_extra(signed(11), 0), Error::<Test>::ZeroAmount);
		// 11 has ENDOWMENT - 1_000 free, and must keep the existential deposit.
		assert_noop!(
			Staking::bond_extra(signed(11), ENDOWMENT - 1_000),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Staking::bond_extra(signed(11), ENDOWMENT - 1_000 - ED));
		assert_eq!(free(11), ED);
	});
}

// ------------------------------------------------------------------------ unbond

#[test]
fn unbond_moves_active_to_a_chunk_of_current_era_plus_bonding_duration() {
	build_and_execute(|| {
		assert_eq!(current_era(), 0);
		assert_ok!(Staking::unbond(signed(11), 300));

		let era = BondingDuration::get();
		assert_eq!(ledger(11), Ledger { total: 1_000, active: 700, unlocking: vec![(300, era)] });
		// Still held until withdrawn.
		assert_eq!(held(11), 1_000);
		assert_eq!(last_event(), Event::Unbonded { stash: 11, amount: 300, era });
	});
}

#[test]
fn unbond_uses_the_planned_era() {
	build_and_execute(|| {
		// Two sessions in, era 1 is planned (current era 1) while era 0 is still active.
		advance_sessions(2);
		assert_eq!(active_era(), 0);
		assert_eq!(current_era(), 1);
		assert_ok!(Staking::unbond(signed(11), 100));
		assert_eq!(ledger(11).unlocking, vec![(100, 1 + BondingDuration::get())]);
	});
}

#[test]
fn unbond_in_the_same_era_merges_chunks() {
	build_and_execute(|| {
		assert_ok!(Staking::unbond(signed(11), 100));
		assert_ok!(Staking::unbond(signed(11), 150));
		let era = BondingDuration::get();
		assert_eq!(ledger(11), Ledger { total: 1_000, active: 750, unlocking: vec![(250, era)] });
	});
}

#[test]
fn unbond_in_other_eras_adds_chunks_up_to_the_limit() {
	build_and_execute(|| {
		let d = BondingDuration::get();
		assert_ok!(Staking::unbond(signed(11), 10));
		advance_era();
		assert_ok!(Staking::unbond(signed(11), 20));
		advance_era();
		assert_ok!(Staking::unbond(signed(11), 30));
		assert_eq!(ledger(11).unlocking, vec![(10, d), (20, d + 1), (30, d + 2)]);
		advance_era();
		assert_eq!(current_era(), 3);
		assert_noop!(Staking::unbond(signed(11), 40), Error::<Test>::TooManyUnlockingChunks);
		// Withdrawing the due chunk frees a slot.
		assert_ok!(Staking::withdraw_unbonded(signed(11)));
		assert_ok!(Staking::unbond(signed(11), 40));
		assert_eq!(ledger(11).unlocking, vec![(20, d + 1), (30, d + 2), (40, d + 3)]);
		// A full ledger still merges into the chunk of the same era.
		assert_ok!(Staking::unbond(signed(11), 1));
		assert_eq!(ledger(11).unlocking, vec![(20, d + 1), (30, d + 2), (41, d + 3)]);
		assert_eq!(ledger(11).active, 1_000 - 10 - 20 - 30 - 41);
	});
}

#[test]
fn unbond_errors() {
	build_and_execute(|| {
		assert_noop!(Staking::unbond(signed(1), 10), Error::<Test>::NotBonded);
		assert_noop!(Staking::unbond(signed(11), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Staking::unbond(signed(11), 1_001), Error::<Test>::NotEnoughBonded);
		// A candidate must keep MinValidatorBond active (500 - 401 = 99 < 100).
		assert_noop!(Staking::unbond(signed(31), 401), Error::<Test>::InsufficientBond);
		assert_ok!(Staking::unbond(signed(31), 400));
		assert_eq!(ledger(31).active, MIN_VALIDATOR_BOND_DEFAULT);
		// It cannot unbond everything without chilling first.
		assert_noop!(Staking::unbond(signed(41), 200), Error::<Test>::InsufficientBond);
		// A nominator must keep MinNominatorBond active (600 - 591 = 9 < 10).
		assert_noop!(Staking::unbond(signed(101), 591), Error::<Test>::InsufficientBond);
		assert_ok!(Staking::unbond(signed(101), 590));
		assert_eq!(ledger(101).active, MIN_NOMINATOR_BOND_DEFAULT);
	});
}

#[test]
fn an_idle_staker_unbonds_everything_or_keeps_the_minimum() {
	build_and_execute(|| {
		bond(1, 100);
		assert_noop!(Staking::unbond(signed(1), 95), Error::<Test>::InsufficientBond);
		assert_ok!(Staking::unbond(signed(1), 90));
		assert_ok!(Staking::unbond(signed(1), 10));
		assert_eq!(ledger(1), Ledger { total: 100, active: 0, unlocking: vec![(100, 3)] });
	});
}

#[test]
fn a_chilled_validator_unbonds_everything() {
	build_and_execute(|| {
		assert_ok!(Staking::chill(signed(41)));
		assert_ok!(Staking::unbond(signed(41), 200));
		assert_eq!(ledger(41).active, 0);
	});
}

#[test]
fn unbond_of_a_nominator_updates_the_approval_stake() {
	build_and_execute(|| {
		assert_ok!(Staking::unbond(signed(101), 101));
		// 499 over two targets: 249 each.
		assert_eq!(approval(11), 249);
		assert_eq!(approval(21), 249);
	});
}

// ------------------------------------------------------------------------ withdraw_unbonded

#[test]
fn withdraw_releases_chunks_after_the_bonding_duration() {
	build_and_execute(|| {
		assert_ok!(Staking::unbond(signed(11), 300));
		assert_noop!(Staking::withdraw_unbonded(signed(11)), Error::<Test>::NothingToWithdraw);
		advance_eras(BondingDuration::get() - 1);
		assert_noop!(Staking::withdraw_unbonded(signed(11)), Error::<Test>::NothingToWithdraw);
		advance_era();
		assert_eq!(current_era(), BondingDuration::get());

		assert_ok!(Staking::withdraw_unbonded(signed(11)));
		assert_eq!(ledger(11), Ledger { total: 700, active: 700, unlocking: vec![] });
		assert_eq!(held(11), 700);
		assert_eq!(free(11), ENDOWMENT - 700);
		assert_eq!(last_event(), Event::Withdrawn { stash: 11, amount: 300 });
		assert_noop!(Staking::withdraw_unbonded(signed(11)), Error::<Test>::NothingToWithdraw);
	});
}

#[test]
fn withdraw_releases_only_the_due_chunks() {
	build_and_execute(|| {
		let d = BondingDuration::get();
		assert_ok!(Staking::unbond(signed(11), 100));
		advance_era();
		assert_ok!(Staking::unbond(signed(11), 200));
		advance_eras(d - 1);
		assert_eq!(current_era(), d);

		assert_ok!(Staking::withdraw_unbonded(signed(11)));
		assert_eq!(ledger(11), Ledger { total: 900, active: 700, unlocking: vec![(200, d + 1)] });
		assert_eq!(held(11), 900);
		assert_eq!(last_event(), Event::Withdrawn { stash: 11, amount: 100 });
	});
}

#[test]
fn withdrawing_everything_removes_the_ledger() {
	build_and_execute(|| {
		bond(1, 100);
		assert_ok!(Staking::unbond(signed(1), 100));
		advance_eras(BondingDuration::get());
		assert_ok!(Staking::withdraw_unbonded(signed(1)));

		assert_eq!(ledger_of(1), None);
		assert_eq!(held(1), 0);
		assert_eq!(free(1), ENDOWMENT);
		assert_eq!(last_event(), Event::Withdrawn { stash: 1, amount: 100 });
		// It may bond again.
		bond(1, 50);
		assert_eq!(ledger(1).total, 50);
	});
}

#[test]
fn withdraw_of_an_unbonded_account_fails() {
	build_and_execute(|| {
		assert_noop!(Staking::withdraw_unbonded(signed(1)), Error::<Test>::NotBonded);
	});
}

// ------------------------------------------------------------------------ rebond

#[test]
fn rebond_takes_the_newest_chunks_first() {
	build_and_execute(|| {
		let d = BondingDuration::get();
		assert_ok!(Staking::unbond(signed(11), 100));
		advance_era();
		assert_ok!(Staking::unbond(signed(11), 200));
		assert_eq!(ledger(11).unlocking, vec![(100, d), (200, d + 1)]);

		assert_ok!(Staking::rebond(signed(11), 250));
		assert_eq!(ledger(11), Ledger { total: 1_000, active: 950, unlocking: vec![(50, d)] });
		assert_eq!(held(11), 1_000);
		assert_eq!(last_event(), Event::Rebonded { stash: 11, amount: 250 });
	});
}

#[test]
fn rebond_of_more_than_unlocking_rebonds_it_all() {
	build_and_execute(|| {
		assert_ok!(Staking::unbond(signed(11), 100));
		assert_ok!(Staking::rebond(signed(11), 1_000));
		assert_eq!(ledger(11), Ledger { total: 1_000, active: 1_000, unlocking: vec![] });
		assert_eq!(last_event(), Event::Rebonded { stash: 11, amount: 100 });
	});
}

#[test]
fn rebond_of_a_nominator_updates_the_approval_stake() {
	build_and_execute(|| {
		assert_ok!(Staking::unbond(signed(101), 200));
		assert_eq!(approval(11), 200);
		assert_ok!(Staking::rebond(signed(101), 100));
		assert_eq!(approval(11), 250);
		assert_eq!(approval(21), 250);
	});
}

#[test]
fn rebond_errors() {
	build_and_execute(|| {
		assert_noop!(Staking::rebond(signed(1), 10), Error::<Test>::NotBonded);
		assert_noop!(Staking::rebond(signed(11), 10), Error::<Test>::NothingToRebond);
		assert_ok!(Staking::unbond(signed(11), 100));
		assert_noop!(Staking::rebond(signed(11), 0), Error::<Test>::ZeroAmount);
	});
}

// ------------------------------------------------------------------------ validate

#[test]
fn validate_makes_a_candidate() {
	build_and_execute(|| {
		bond(1, 200);
		let prefs = ValidatorPrefs { commission: Perbill::from_percent(10) };
		assert_ok!(Staking::validate(signed(1), Perbill::from_percent(10)));

		assert_eq!(commission(1), Some(Perbill::from_percent(10)));
		assert_eq!(crate::Validators::<Test>::count(), 5);
		assert_eq!(last_event(), Event::ValidatorPrefsSet { stash: 1, prefs });
		// A candidate may change its commission.
		assert_ok!(Staking::validate(signed(1), Perbill::from_percent(20)));
		assert_eq!(commission(1), Some(Perbill::from_percent(20)));
		assert_eq!(crate::Validators::<Test>::count(), 5);
	});
}

#[test]
fn validate_errors() {
	build_and_execute(|| {
		assert_noop!(Staking::validate(signed(1), Perbill::zero()), Error::<Test>::NotBonded);
		bond(1, MIN_VALIDATOR_BOND_DEFAULT - 1);
		assert_noop!(
			Staking::validate(signed(1), Perbill::zero()),
			Error::<Test>::InsufficientBond
		);
		assert_ok!(Staking::bond_extra(signed(1), 1));
		assert_noop!(
			Staking::validate(signed(1), Perbill::from_percent(51)),
			Error::<Test>::CommissionTooHigh
		);
		assert_ok!(Staking::validate(signed(1), Perbill::from_percent(50)));
	});
}

#[test]
fn validate_counts_against_the_candidate_limit() {
	build_and_execute(|| {
		let count = crate::Validators::<Test>::count() as u64;
		let free_slots = u64::from(MAX_VALIDATOR_CANDIDATES) - count;
		for who in 1..=free_slots {
			validator(who, 100, Perbill::zero());
		}
		assert_eq!(crate::Validators::<Test>::count(), MAX_VALIDATOR_CANDIDATES);
		bond(50, 100);
		assert_noop!(
			Staking::validate(signed(50), Perbill::zero()),
			Error::<Test>::TooManyCandidates
		);
		// A candidate may still update its commission.
		assert_ok!(Staking::validate(signed(1), Perbill::from_percent(5)));
		// A chill frees a slot.
		assert_ok!(Staking::chill(signed(1)));
		assert_ok!(Staking::validate(signed(50), Perbill::zero()));
	});
}

#[test]
fn validate_drops_the_nominations() {
	build_and_execute(|| {
		assert_ok!(Staking::validate(signed(101), Perbill::zero()));
		assert!(is_validator(101));
		assert!(!is_nominator(101));
		assert_eq!(approval(11), 0);
		assert_eq!(approval(21), 0);
		assert!(!backers(11).contains(&101));
		assert!(!backers(21).contains(&101));
	});
}

// ------------------------------------------------------------------------ nominate

#[test]
fn nominate_backs_the_targets() {
	build_and_execute(|| {
		bond(1, 100);
		assert_ok!(Staking::nominate(signed(1), targets(&[11, 21, 31])));

		assert_eq!(nominations(1), Some(vec![11, 21, 31]));
		assert_eq!(crate::Nominators::<Test>::get(1).unwrap().submitted_in, current_era());
		// 100 over three targets: 33 each.
		assert_eq!(approval(11), 300 + 33);
		assert_eq!(approval(31), 33);
		assert_eq!(backers(11), vec![1, 101]);
		assert_eq!(backers(31), vec![1]);
		assert!(matches!(
			last_event(),
			Event::Nominated { stash: 1, ref targets } if targets.to_vec() == vec![11, 21, 31]
		));
	});
}

#[test]
fn renominating_moves_the_backing() {
	build_and_execute(|| {
		assert_ok!(Staking::nominate(signed(101), targets(&[31])));
		assert_eq!(nominations(101), Some(vec![31]));
		assert_eq!(approval(11), 0);
		assert_eq!(approval(21), 0);
		assert_eq!(approval(31), 600);
		assert_eq!(backers(11), Vec::<AccountId>::new());
		assert_eq!(backers(31), vec![101]);
		assert_eq!(crate::Nominators::<Test>::count(), 1);
	});
}

#[test]
fn nominate_errors() {
	build_and_execute(|| {
		assert_noop!(Staking::nominate(signed(1), targets(&[11])), Error::<Test>::NotBonded);
		bond(1, 20);
		assert_noop!(Staking::nominate(signed(1), targets(&[])), Error::<Test>::EmptyTargets);
		assert_noop!(
			Staking::nominate(signed(1), targets(&[11, 21, 11])),
			Error::<Test>::DuplicateTarget
		);
		assert_noop!(Staking::nominate(signed(1), targets(&[11, 2])), Error::<Test>::NotACandidate);
		// 41 is a candidate: it cannot nominate itself.
		assert_noop!(
			Staking::nominate(signed(41), targets(&[11, 41])),
			Error::<Test>::NominatedSelf
		);
		// A chilled candidate is no target.
		assert_ok!(Staking::chill(signed(31)));
		assert_noop!(Staking::nominate(signed(1), targets(&[31])), Error::<Test>::NotACandidate);
		// The active bond must reach MinNominatorBond.
		MinNominatorBond::set(50);
		assert_noop!(Staking::nominate(signed(1), targets(&[11])), Error::<Test>::InsufficientBond);
		MinNominatorBond::set(20);
		assert_ok!(Staking::nominate(signed(1), targets(&[11])));
	});
}

#[test]
fn too_many_targets_do_not_decode() {
	build_and_execute(|| {
		let five: Vec<AccountId> = vec![11, 21, 31, 41, 51];
		assert!(Targets::try_from(five).is_err());
		assert_eq!(MAX_NOMINATIONS, 4);
	});
}

#[test]
fn nominate_respects_the_backers_limit() {
	build_and_execute(|| {
		// 101 already backs 11.
		for who in 1..u64::from(MAX_BACKERS) {
			nominator(who, 20, &[11]);
		}
		assert_eq!(backers(11).len() as u32, MAX_BACKERS);
		bond(50, 20);
		assert_noop!(
			Staking::nominate(signed(50), targets(&[21, 11])),
			Error::<Test>::TooManyBackers
		);
		// A backer renominating the same target does not need a new slot.
		assert_ok!(Staking::nominate(signed(1), targets(&[21, 11])));
		// One leaves: a slot frees.
		assert_ok!(Staking::chill(signed(2)));
		assert_ok!(Staking::nominate(signed(50), targets(&[11])));
		assert_eq!(backers(11).len() as u32, MAX_BACKERS);
	});
}

#[test]
fn nominate_respects_the_nominators_limit() {
	build_and_execute(|| {
		// 101 is the first nominator; spread the others over 31 and 41 (8 backers each).
		let count = crate::Nominators::<Test>::count() as u64;
		// Accounts from 120 on hold no bond in the default genesis.
		for who in 120..120 + u64::from(MAX_NOMINATORS) - count {
			nominator(who, 20, &[if who % 2 == 0 { 31 } else { 41 }]);
		}
		assert_eq!(crate::Nominators::<Test>::count(), MAX_NOMINATORS);
		bond(50, 20);
		assert_noop!(
			Staking::nominate(signed(50), targets(&[21])),
			Error::<Test>::TooManyNominators
		);
		// A nominator may still renominate.
		assert_ok!(Staking::nominate(signed(120), targets(&[21])));
		assert_ok!(Staking::chill(signed(120)));
		assert_ok!(Staking::nominate(signed(50), targets(&[21])));
	});
}

#[test]
fn nominate_stops_validating() {
	build_and_execute(|| {
		assert_ok!(Staking::nominate(signed(41), targets(&[11])));
		assert!(!is_validator(41));
		assert_eq!(nominations(41), Some(vec![11]));
		assert_eq!(approval(11), 300 + 200);
		assert_eq!(crate::Validators::<Test>::count(), 3);
	});
}

// ------------------------------------------------------------------------ chill

#[test]
fn chill_a_validator() {
	build_and_execute(|| {
		assert_ok!(Staking::chill(signed(41)));
		assert!(!is_validator(41));
		assert_eq!(ledger(41).active, 200);
		assert_eq!(last_event(), Event::Chilled { stash: 41 });
		assert_noop!(Staking::chill(signed(41)), Error::<Test>::AlreadyChilled);
	});
}

#[test]
fn chill_a_nominator() {
	build_and_execute(|| {
		assert_ok!(Staking::chill(signed(101)));
		assert!(!is_nominator(101));
		assert_eq!(approval(11), 0);
		assert_eq!(approval(21), 0);
		assert_eq!(backers(11), Vec::<AccountId>::new());
		assert_eq!(last_event(), Event::Chilled { stash: 101 });
		assert_eq!(ledger(101).active, 600);
	});
}

#[test]
fn chill_errors() {
	build_and_execute(|| {
		assert_noop!(Staking::chill(signed(1)), Error::<Test>::NotBonded);
		bond(1, 100);
		assert_noop!(Staking::chill(signed(1)), Error::<Test>::AlreadyChilled);
	});
}

#[test]
fn a_chilled_candidate_keeps_its_backers_recorded() {
	build_and_execute(|| {
		assert_ok!(Staking::chill(signed(21)));
		// 101 still names 21: its share still counts there, and 21 gets it back on validating.
		assert_eq!(nominations(101), Some(vec![11, 21]));
		assert_eq!(backers(21), vec![101]);
		assert_ok!(Staking::validate(signed(21), Perbill::zero()));
		assert_eq!(approval(21), 300);
	});
}
