#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Offences and slashes: the era of an offence, deferral, pro-rata amounts from the exposure,
//! repeated reports, cancellation, application to active and unlocking funds, the treasury.

use super::*;
use crate::{Error, Event};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn pct(p: u32) -> Perbill {
	Perbill::from_percent(p)
}

type Indices = BoundedVec<u32, <Test as crate::Config>::MaxSlashesPerEra>;

fn indices(i: &[u32]) -> Indices {
	BoundedVec::try_from(i.to_vec()).expect("at most MaxSlashesPerEra indices")
}

fn cancel(origin: RuntimeOrigin, era: EraIndex, i: &[u32]) -> sp_runtime::DispatchResult {
	Staking::cancel_deferred_slash(origin, era, indices(i))
}

/// The slash of 11 in era 1 by `fraction` (of 11's 1_000 and 101's 300 exposed).
fn slash_of_11(own: Balance, of_101: Balance) -> Slash {
	Slash { validator: 11, era: 1, own, others: vec![(101, of_101)] }
}

#[test]
fn a_slash_is_deferred_then_applied_pro_rata() {
	build_and_execute(|| {
		no_inflation();
		advance_era();
		assert_eq!(active_era(), 1);
		on_offence_now(&[(11, pct(10))]);

		let apply_era = 1 + SlashDeferDuration::get();
		assert!(has_event(Event::SlashReported {
			validator: 11,
			fraction: pct(10),
			slash_era: 1,
			apply_era
		}));
		assert_eq!(unapplied(apply_era), vec![slash_of_11(100, 30)]);
		assert_eq!(slashed_fraction(1, 11), Some(pct(10)));
		// The offender is chilled at once; nothing is taken yet.
		assert!(!is_validator(11));
		assert!(has_event(Event::Chilled { stash: 11 }));
		assert_eq!(ledger(11).total, 1_000);
		assert_eq!(held(11), 1_000);

		advance_era();
		assert_eq!(ledger(11).total, 1_000);
		assert_eq!(unapplied(apply_era).len(), 1);
		// 11 was chilled before era 2 was planned: it is not elected.
		assert_eq!(elected(2), vec![21, 31, 41]);

		let treasury_before = free(TREASURY);
		let issuance_before = issuance();
		advance_era();
		assert_eq!(active_era(), apply_era);
		assert_eq!(ledger(11), Ledger { total: 900, active: 900, unlocking: vec![] });
		assert_eq!(held(11), 900);
		assert_eq!(ledger(101), Ledger { total: 570, active: 570, unlocking: vec![] });
		assert_eq!(held(101), 570);
		// 570 over two targets.
		assert_eq!(approval(11), 285);
		assert_eq!(approval(21), 285);
		let mut slashed = slashed_events();
		slashed.sort_unstable();
		assert_eq!(slashed, vec![(11, 100), (101, 30)]);
		assert!(unapplied(apply_era).is_empty());
		// To the treasury; nothing is burnt (no inflation, and era 2 had no reward).
		assert_eq!(free(TREASURY), treasury_before + 130);
		assert_eq!(issuance(), issuance_before);
	});
}

#[test]
fn without_deferral_a_slash_applies_at_once() {
	ExtBuilder::default().slash_defer_duration(0).build_and_execute(|| {
		advance_era();
		let treasury_before = free(TREASURY);
		let issuance_before = issuance();
		on_offence_now(&[(11, pct(10))]);

		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::SlashReported { validator: 11, slash_era: 1, .. })));
		assert_eq!(ledger(11).total, 900);
		assert_eq!(ledger(101).total, 570);
		assert_eq!(free(TREASURY), treasury_before + 130);
		assert_eq!(issuance(), issuance_before);
		assert!(unapplied(1).is_empty());
		assert!(!is_validator(11));
	});
}

#[test]
fn nominators_are_slashed_by_their_exposure_not_their_current_stake() {
	build_and_execute(|| {
		advance_era();
		// 101 now has 1_000 (500 per target), but was exposed with 300 in era 1.
		assert_ok!(Staking::bond_extra(signed(101), 400));
		on_offence_now(&[(11, pct(10))]);
		assert_eq!(unapplied(3), vec![slash_of_11(100, 30)]);
	});
}

#[test]
fn an_offence_is_slashed_from_the_exposure_of_its_era() {
	build_and_execute(|| {
		advance_era();
		nominator(1, 400, &[11]);
		advance_era();
		assert_eq!(exposure_others(2, 11), vec![(1, 400), (101, 300)]);
		// An offence in era 1: 1 was not exposed then.
		on_offence_in_era(&[(11, pct(10))], 1);
		assert!(has_event(Event::SlashReported {
			validator: 11,
			fraction: pct(10),
			slash_era: 1,
			// The deferral counts from the offence's era.
			apply_era: 1 + SlashDeferDuration::get(),
		}));
		assert_eq!(unapplied(1 + SlashDeferDuration::get()), vec![slash_of_11(100, 30)]);
		assert_eq!(slashed_fraction(1, 11), Some(pct(10)));
		assert_eq!(slashed_fraction(2, 11), None);
	});
}

#[test]
fn repeated_offences_in_an_era_slash_only_the_increase() {
	build_and_execute(|| {
		no_inflation();
		advance_era();
		on_offence_now(&[(11, pct(10))]);
		on_offence_now(&[(11, pct(25))]);
		// Lower or equal: nothing new.
		on_offence_now(&[(11, pct(20))]);
		on_offence_now(&[(11, pct(25))]);
		assert_eq!(unapplied(3), vec![slash_of_11(100, 30), slash_of_11(150, 45)]);
		assert_eq!(slashed_fraction(1, 11), Some(pct(25)));

		advance_eras(2);
		assert_eq!(ledger(11).total, 750);
		assert_eq!(ledger(101).total, 525);
	});
}

#[test]
fn cancel_deferred_slash_removes_slashes() {
	build_and_execute(|| {
		no_inflation();
		advance_era();
		on_offence_now(&[(11, pct(10)), (21, pct(20))]);
		let slash_21 = Slash { validator: 21, era: 1, own: 200, others: vec![(101, 60)] };
		assert_eq!(unapplied(3), vec![slash_of_11(100, 30), slash_21.clone()]);

		assert_noop!(cancel(signed(1), 3, &[0]), DispatchError::BadOrigin);
		assert_noop!(cancel(RuntimeOrigin::root(), 3, &[]), Error::<Test>::EmptySlashIndices);
		assert_noop!(cancel(RuntimeOrigin::root(), 3, &[1, 0]), Error::<Test>::NotSortedAndUnique);
		assert_noop!(cancel(RuntimeOrigin::root(), 3, &[0, 0]), Error::<Test>::NotSortedAndUnique);
		assert_noop!(cancel(RuntimeOrigin::root(), 3, &[2]), Error::<Test>::InvalidSlashIndex);
		assert_noop!(cancel(RuntimeOrigin::root(), 3, &[0, 2]), Error::<Test>::InvalidSlashIndex);
		assert_noop!(cancel(RuntimeOrigin::root(), 4, &[0]), Error::<Test>::InvalidSlashIndex);

		assert_ok!(cancel(RuntimeOrigin::root(), 3, &[1]));
		assert_eq!(unapplied(3), vec![slash_of_11(100, 30)]);
		assert_eq!(last_event(), Event::SlashCancelled { era: 3, validator: 21 });

		advance_eras(2);
		assert_eq!(ledger(11).total, 900);
		assert_eq!(ledger(21).total, 1_000);
		assert_eq!(ledger(101).total, 570);
		assert_eq!(slashed_events().len(), 2);
	});
}

#[test]
fn cancelling_every_slash_leaves_the_stakers_whole() {
	build_and_execute(|| {
		advance_era();
		on_offence_now(&[(11, pct(10)), (21, pct(20))]);
		assert_ok!(cancel(RuntimeOrigin::root(), 3, &[0, 1]));
		assert!(unapplied(3).is_empty());
		assert!(has_event(Event::SlashCancelled { era: 3, validator: 11 }));
		assert!(has_event(Event::SlashCancelled { era: 3, validator: 21 }));
		advance_eras(2);
		assert_eq!(ledger(11).total, 1_000);
		assert_eq!(ledger(21).total, 1_000);
		assert_eq!(ledger(101).total, 600);
		assert!(slashed_events().is_empty());
	});
}

#[test]
fn a_slash_takes_active_funds_then_the_newest_chunks() {
	build_and_execute(|| {
		no_inflation();
		advance_era();
		on_offence_now(&[(11, Perbill::one())]);
		assert_eq!(unapplied(3), vec![slash_of_11(1_000, 300)]);
		// 101 unbonds in era 1 (chunk of era 4) and era 2 (chunk of era 5), keeping 50 active.
		assert_ok!(Staking::unbond(signed(101), 250));
		advance_era();
		assert_ok!(Staking::unbond(signed(101), 300));
		assert_eq!(ledger(101).unlocking, vec![(250, 4), (300, 5)]);

		advance_era();
		// 300: the 50 active, then 250 of the newest chunk.
		assert_eq!(
			ledger(101),
			Ledger { total: 300, active: 0, unlocking: vec![(250, 4), (50, 5)] }
		);
		assert_eq!(held(101), 300);
		assert_eq!(approval(21), 0);
		// 11 lost everything: its ledger is gone.
		assert_eq!(ledger_of(11), None);
		assert_eq!(held(11), 0);
		assert_eq!(free(11), ENDOWMENT - 1_000);
	});
}

#[test]
fn a_nominator_slashed_to_nothing_is_removed() {
	ExtBuilder::default().slash_defer_duration(0).build_and_execute(|| {
		nominator(1, 20, &[11]);
		advance_era();
		on_offence_now(&[(11, Perbill::one())]);
		assert_eq!(ledger_of(1), None);
		assert!(!is_nominator(1));
		assert_eq!(held(1), 0);
		assert_eq!(backers(11), vec![101]);
		// Only 101 backs 11 now: 300 left of its 600, over two targets.
		assert_eq!(ledger(101).total, 300);
		assert_eq!(approval(11), 150);
	});
}

#[test]
fn offences_older_than_the_bonding_duration_are_ignored() {
	build_and_execute(|| {
		advance_eras(BondingDuration::get() + 1);
		assert_eq!(active_era(), 4);
		on_offence_in_session(&[(11, pct(10))], 0);
		assert!(has_event(Event::OffenceIgnored { validator: 11, session: 0 }));
		assert!(is_validator(11));
		assert_eq!(slashed_fraction(0, 11), None);
		assert!(!events().iter().any(|e| matches!(e, Event::SlashReported { .. })));
		for era in 4..=4 + SlashDeferDuration::get() {
			assert!(unapplied(era).is_empty());
		}
		// Era 1 is within the bonding duration, and its deferral (era 1 + 2) is over: the slash
		// applies at once, before anything unbonded in era 1 could be withdrawn.
		let (own, nominator) = (ledger(11).total, ledger(101).total);
		on_offence_in_era(&[(11, pct(10))], 1);
		assert!(has_event(Event::SlashReported {
			validator: 11,
			fraction: pct(10),
			slash_era: 1,
			apply_era: 1 + SlashDeferDuration::get(),
		}));
		for era in 4..=4 + SlashDeferDuration::get() {
			assert!(unapplied(era).is_empty());
		}
		assert_eq!(ledger(11).total, own - 100);
		assert_eq!(ledger(101).total, nominator - 30);
	});
}

#[test]
fn a_full_slash_queue_applies_at_once() {
	build_and_execute(|| {
		no_inflation();
		advance_era();
		for p in 1..=MAX_SLASHES_PER_ERA {
			on_offence_now(&[(11, pct(10 * p))]);
		}
		assert_eq!(unapplied(3).len() as u32, MAX_SLASHES_PER_ERA);
		assert_eq!(ledger(11).total, 1_000);
		// The next one does not fit: it applies now (10 % more).
		on_offence_now(&[(11, pct(10 * (MAX_SLASHES_PER_ERA + 1)))]);
		assert_eq!(unapplied(3).len() as u32, MAX_SLASHES_PER_ERA);
		assert_eq!(ledger(11).total, 900);
		assert_eq!(ledger(101).total, 570);

		advance_eras(2);
		assert_eq!(ledger(11).total, 1_000 - 100 * Balance::from(MAX_SLASHES_PER_ERA + 1));
		assert_eq!(ledger(101).total, 600 - 30 * Balance::from(MAX_SLASHES_PER_ERA + 1));
	});
}
