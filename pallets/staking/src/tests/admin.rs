#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Governance and session-facing behaviour: `set_validator_count` and `set_invulnerables`, what
//! the pallet asks of the session pallet (`SessionInterface`), when a slash applies relative to
//! the offence's era and to unbonded funds, `rebond` of an idle ledger, `TotalInflationMinted`,
//! and the genesis config's checks.

use super::*;
use crate::{Error, Event, StakerStatus};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{BuildStorage, DispatchError};

fn pct(p: u32) -> Perbill {
	Perbill::from_percent(p)
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn validator_count() -> u32 {
	crate::ValidatorCount::<Test>::get()
}

type InvulnerableList = BoundedVec<AccountId, <Test as crate::Config>::MaxValidators>;

fn invulnerables(who: &[AccountId]) -> InvulnerableList {
	BoundedVec::try_from(who.to_vec()).expect("at most MaxValidators invulnerables")
}

fn stored_invulnerables() -> Vec<AccountId> {
	crate::Invulnerables::<Test>::get().into_inner()
}

/// Whether a `SlashReported` event names `validator`.
fn slash_reported_for(validator: AccountId) -> bool {
	events()
		.iter()
		.any(|e| matches!(e, Event::SlashReported { validator: v, .. } if *v == validator))
}

// ------------------------------------------------------------------------ set_validator_count

#[test]
fn root_sets_the_validator_count_for_the_next_election() {
	build_and_execute(|| {
		assert_eq!(validator_count(), 3);
		assert_ok!(Staking::set_validator_count(root(), 2));
		assert_eq!(validator_count(), 2);
		assert_eq!(last_event(), Event::ValidatorCountSet { count: 2 });

		advance_era();
		assert_eq!(elected(1), vec![11, 21]);
		assert_eq!(active_validators(), vec![11, 21]);

		// Up to MaxValidators: every candidate (41 too) is elected.
		assert_ok!(Staking::set_validator_count(root(), MAX_VALIDATORS));
		assert_eq!(validator_count(), MAX_VALIDATORS);
		assert_eq!(last_event(), Event::ValidatorCountSet { count: MAX_VALIDATORS });
		advance_era();
		assert_eq!(elected(2), vec![11, 21, 31, 41]);
		assert_eq!(active_validators(), vec![11, 21, 31, 41]);
	});
}

#[test]
fn a_validator_count_set_after_planning_waits_for_the_next_election() {
	build_and_execute(|| {
		advance_sessions(SessionsPerEra::get() - 1);
		assert_eq!((active_era(), current_era()), (0, 1));
		assert_eq!(elected(1), vec![11, 21, 31]);

		assert_ok!(Staking::set_validator_count(root(), 2));
		advance_session();
		assert_eq!(active_era(), 1);
		// Era 1 was planned with the old count.
		assert_eq!(elected(1), vec![11, 21, 31]);
		assert_eq!(active_validators(), vec![11, 21, 31]);

		advance_era();
		assert_eq!(elected(2), vec![11, 21]);
		assert_eq!(active_validators(), vec![11, 21]);
	});
}

#[test]
fn set_validator_count_needs_the_admin_origin() {
	build_and_execute(|| {
		assert_noop!(Staking::set_validator_count(signed(11), 2), DispatchError::BadOrigin);
		assert_noop!(Staking::set_validator_count(signed(1), 4), DispatchError::BadOrigin);
		assert_noop!(
			Staking::set_validator_count(RuntimeOrigin::none(), 2),
			DispatchError::BadOrigin
		);
		assert_eq!(validator_count(), 3);
		assert!(!events().iter().any(|e| matches!(e, Event::ValidatorCountSet { .. })));
	});
}

#[test]
fn set_validator_count_stays_within_the_bounds() {
	build_and_execute(|| {
		assert_noop!(
			Staking::set_validator_count(root(), MAX_VALIDATORS + 1),
			Error::<Test>::TooManyValidators
		);
		assert_noop!(
			Staking::set_validator_count(root(), u32::MAX),
			Error::<Test>::TooManyValidators
		);

		// Below MinimumValidatorCount (2), or zero.
		assert_eq!(MinimumValidatorCount::get(), 2);
		assert_noop!(Staking::set_validator_count(root(), 1), Error::<Test>::TooFewValidators);
		assert_noop!(Staking::set_validator_count(root(), 0), Error::<Test>::TooFewValidators);
		assert_eq!(validator_count(), 3);

		// Exactly the minimum is fine.
		assert_ok!(Staking::set_validator_count(root(), 2));
		assert_eq!(validator_count(), 2);

		// The minimum follows the parameter.
		MinimumValidatorCount::set(3);
		assert_noop!(Staking::set_validator_count(root(), 2), Error::<Test>::TooFewValidators);
		assert_eq!(validator_count(), 2);
		assert_ok!(Staking::set_validator_count(root(), 3));
		assert_eq!(validator_count(), 3);
	});
}

#[test]
fn a_zero_minimum_still_needs_one_validator() {
	build_and_execute(|| {
		MinimumValidatorCount::set(0);
		assert_noop!(Staking::set_validator_count(root(), 0), Error::<Test>::TooFewValidators);
		assert_eq!(validator_count(), 3);

		assert_ok!(Staking::set_validator_count(root(), 1));
		assert_eq!(validator_count(), 1);
		advance_era();
		// 11 and 21 tie at 1_300: the lower account wins.
		assert_eq!(elected(1), vec![11]);
		assert_eq!(active_validators(), vec![11]);
	});
}

// ------------------------------------------------------------------------ set_invulnerables

#[test]
fn root_replaces_the_invulnerables() {
	build_and_execute(|| {
		assert!(stored_invulnerables().is_empty());

		assert_ok!(Staking::set_invulnerables(root(), invulnerables(&[11, 21])));
		assert_eq!(stored_invulnerables(), vec![11, 21]);
		assert_eq!(
			last_event(),
			Event::InvulnerablesSet { invulnerables: invulnerables(&[11, 21]) }
		);

		// The list is replaced, not extended.
		assert_ok!(Staking::set_invulnerables(root(), invulnerables(&[31])));
		assert_eq!(stored_invulnerables(), vec![31]);
		assert_eq!(last_event(), Event::InvulnerablesSet { invulnerables: invulnerables(&[31]) });

		assert_ok!(Staking::set_invulnerables(root(), invulnerables(&[])));
		assert!(stored_invulnerables().is_empty());
	});
}

#[test]
fn set_invulnerables_needs_the_admin_origin() {
	build_and_execute(|| {
		assert_ok!(Staking::set_invulnerables(root(), invulnerables(&[21])));
		assert_noop!(
			Staking::set_invulnerables(signed(11), invulnerables(&[11])),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Staking::set_invulnerables(RuntimeOrigin::none(), invulnerables(&[11])),
			DispatchError::BadOrigin
		);
		assert_eq!(stored_invulnerables(), vec![21]);
	});
}

#[test]
fn an_offence_by_an_invulnerable_is_ignored_while_the_others_are_slashed() {
	build_and_execute(|| {
		advance_era();
		assert_eq!(active_era(), 1);
		assert_ok!(Staking::set_invulnerables(root(), invulnerables(&[11])));
		let ledger_11 = ledger(11);
		let session = Session::current_index();

		on_offence_now(&[(11, pct(50)), (21, pct(20))]);

		let apply_era = 1 + SlashDeferDuration::get();
		// 11: ignored.
		assert!(has_event(Event::OffenceIgnored { validator: 11, session }));
		assert!(!slash_reported_for(11));
		assert_eq!(slashed_fraction(1, 11), None);
		assert!(is_validator(11));
		assert_eq!(ledger(11), ledger_11);
		// 21, in the same report: slashed as usual.
		assert!(has_event(Event::SlashReported {
			validator: 21,
			fraction: pct(20),
			slash_era: 1,
			apply_era,
		}));
		assert!(!has_event(Event::OffenceIgnored { validator: 21, session }));
		assert_eq!(slashed_fraction(1, 21), Some(pct(20)));
		assert!(!is_validator(21));
		assert_eq!(
			unapplied(apply_era),
			vec![Slash { validator: 21, era: 1, own: 200, others: vec![(101, 60)] }]
		);
		for era in 1..=apply_era + 1 {
			if era != apply_era {
				assert!(unapplied(era).is_empty(), "no slash waits for era {era}");
			}
		}
		// Only 21 is disabled in the session pallet.
		assert_eq!(reported_offences(), vec![(21, pct(20))]);

		// 11 stays a candidate and is elected again; 21 was chilled.
		advance_era();
		assert_eq!(elected(2), vec![11, 31, 41]);
		advance_era();
		assert_eq!(active_era(), apply_era);
		assert_eq!(ledger(11), ledger_11);
		assert_eq!(ledger(21).total, 800);
		assert_eq!(ledger(101).total, 540);
		let mut slashed = slashed_events();
		slashed.sort_unstable();
		assert_eq!(slashed, vec![(21, 200), (101, 60)]);
	});
}

#[test]
fn a_validator_removed_from_the_invulnerables_is_slashed_again() {
	build_and_execute(|| {
		advance_era();
		assert_ok!(Staking::set_invulnerables(root(), invulnerables(&[11])));
		assert_ok!(Staking::set_invulnerables(root(), invulnerables(&[21])));
		on_offence_now(&[(11, pct(10))]);
		assert!(slash_reported_for(11));
		assert_eq!(
			unapplied(1 + SlashDeferDuration::get()),
			vec![Slash { validator: 11, era: 1, own: 100, others: vec![(101, 30)] }]
		);
		assert!(!is_validator(11));
	});
}

// ------------------------------------------------------------------------ SessionInterface

#[test]
fn an_offence_in_the_active_era_is_reported_to_the_session_pallet() {
	build_and_execute(|| {
		advance_era();
		assert!(reported_offences().is_empty());
		on_offence_now(&[(11, pct(10))]);
		assert_eq!(reported_offences(), vec![(11, pct(10))]);
		assert!(slash_reported_for(11));
	});
}

#[test]
fn an_offence_in_an_earlier_era_is_not_reported_to_the_session_pallet() {
	build_and_execute(|| {
		advance_eras(2);
		assert_eq!(active_era(), 2);
		// Era 1 is within the bonding duration: the offence is slashed, but the offender is not
		// disabled in the current session.
		assert!(active_era() - 1 <= BondingDuration::get());
		on_offence_in_era(&[(11, pct(10))], 1);
		assert!(has_event(Event::SlashReported {
			validator: 11,
			fraction: pct(10),
			slash_era: 1,
			apply_era: 1 + SlashDeferDuration::get(),
		}));
		assert!(reported_offences().is_empty());

		// An offence of the active era is.
		on_offence_now(&[(21, pct(20))]);
		assert_eq!(reported_offences(), vec![(21, pct(20))]);
	});
}

#[test]
fn historical_sessions_are_pruned_to_the_start_of_the_oldest_slashable_era() {
	build_and_execute(|| {
		let bd = BondingDuration::get();
		// Delay era 1 by failed elections, so era starts are not multiples of SessionsPerEra.
		MinimumValidatorCount::set(4);
		advance_sessions(4);
		assert_eq!((active_era(), current_era()), (0, 0));
		MinimumValidatorCount::set(2);
		assert_eq!(advance_era(), 1);
		assert_eq!(crate::ErasStartSessionIndex::<Test>::get(1), Some(6));

		while active_era() < bd {
			assert!(pruned_sessions().is_empty(), "nothing pruned in era {}", active_era());
			advance_era();
		}
		// Era `bd`: the oldest slashable era is era 0, which started at session 0.
		assert_eq!(pruned_sessions(), vec![0]);

		advance_era();
		assert_eq!(active_era(), bd + 1);
		let oldest = crate::ErasStartSessionIndex::<Test>::get(active_era() - bd)
			.expect("the start of the oldest slashable era is kept");
		assert_eq!(oldest, 6);
		assert_eq!(last_pruned_session(), Some(oldest));
		assert_eq!(pruned_sessions(), vec![0, 6]);

		advance_era();
		let oldest = crate::ErasStartSessionIndex::<Test>::get(active_era() - bd)
			.expect("the start of the oldest slashable era is kept");
		assert_eq!(oldest, 6 + SessionsPerEra::get());
		assert_eq!(last_pruned_session(), Some(oldest));
		assert_eq!(pruned_sessions(), vec![0, 6, oldest]);
	});
}

/// The weight of historical pruning counts one removal per pruned session. The mock's
/// `DbWeight` is zero, so the weight itself is not observable here; the count it is built from
/// is, against the bounds the mock records (pallet-session removes the sessions from the
/// previous bound up to the new one).
#[test]
fn historical_pruning_is_charged_per_pruned_session() {
	build_and_execute(|| {
		let bd = BondingDuration::get();
		let spe = SessionsPerEra::get();
		// Era 0 lasts 6 sessions: era 1 is delayed by failed elections.
		MinimumValidatorCount::set(4);
		advance_sessions(4);
		MinimumValidatorCount::set(2);
		assert_eq!(advance_era(), 1);
		assert_eq!(crate::ErasStartSessionIndex::<Test>::get(1), Some(6));
		assert!(6 > spe);
		advance_eras(bd - 1);

		// Era `bd` prunes up to era 0's start, session 0: nothing.
		assert_eq!(pruned_sessions(), vec![0]);
		assert_eq!(Staking::historical_sessions_pruned(0, 0), 0);

		// The next prunes up to era 1's start: era 0's 6 sessions, more than `SessionsPerEra`.
		advance_era();
		assert_eq!(pruned_sessions(), vec![0, 6]);
		assert_eq!(Staking::historical_sessions_pruned(1, 6), 6);

		// Then era 1's sessions, `SessionsPerEra` of them.
		advance_era();
		assert_eq!(pruned_sessions(), vec![0, 6, 6 + spe]);
		assert_eq!(Staking::historical_sessions_pruned(2, 6 + spe), spe);
	});
}

// ------------------------------------------------------------------------ slash timing

#[test]
fn the_slash_deferral_counts_from_the_offence_era() {
	build_and_execute(|| {
		advance_eras(2);
		assert_eq!(active_era(), 2);
		on_offence_in_era(&[(11, pct(10))], 1);

		let apply_era = 1 + SlashDeferDuration::get();
		assert_eq!(apply_era, 3);
		assert!(has_event(Event::SlashReported {
			validator: 11,
			fraction: pct(10),
			slash_era: 1,
			apply_era,
		}));
		let slash = Slash { validator: 11, era: 1, own: 100, others: vec![(101, 30)] };
		assert_eq!(unapplied(apply_era), vec![slash]);
		// Not counted from the era it was reported in.
		assert!(unapplied(active_era() + SlashDeferDuration::get()).is_empty());
		assert_eq!(ledger(11).total, 1_000);

		advance_era();
		assert_eq!(active_era(), apply_era);
		assert!(unapplied(apply_era).is_empty());
		assert_eq!(ledger(11).total, 900);
		assert_eq!(ledger(101).total, 570);
	});
}

#[test]
fn an_offence_whose_apply_era_has_come_is_slashed_at_once() {
	build_and_execute(|| {
		advance_eras(3);
		let active = active_era();
		assert_eq!(active, 3);
		// Era 1: within the bonding duration, and its apply era is the active era.
		let offence_era = active - SlashDeferDuration::get();
		assert!(active - offence_era <= BondingDuration::get());

		on_offence_in_era(&[(11, pct(10))], offence_era);
		assert!(has_event(Event::SlashReported {
			validator: 11,
			fraction: pct(10),
			slash_era: offence_era,
			apply_era: active,
		}));
		// Applied in this call: nothing waits.
		assert_eq!(ledger(11).total, 900);
		assert_eq!(held(11), 900);
		assert_eq!(ledger(101).total, 570);
		let mut slashed = slashed_events();
		slashed.sort_unstable();
		assert_eq!(slashed, vec![(11, 100), (101, 30)]);
		for era in active..=active + SlashDeferDuration::get() {
			assert!(unapplied(era).is_empty(), "no slash waits for era {era}");
		}

		// An offence one era later applies after the active era: it waits.
		on_offence_in_era(&[(21, pct(10))], offence_era + 1);
		assert_eq!(
			unapplied(active + 1),
			vec![Slash { validator: 21, era: offence_era + 1, own: 100, others: vec![(101, 30)] }]
		);
		assert_eq!(ledger(21).total, 1_000);
		assert_eq!(ledger(101).total, 570);
	});
}

#[test]
fn funds_unbonded_in_the_offence_era_cannot_escape_the_slash() {
	build_and_execute(|| {
		let (bd, defer) = (BondingDuration::get(), SlashDeferDuration::get());
		assert!(defer < bd, "the mock keeps SlashDeferDuration below BondingDuration");

		advance_era();
		let offence_era = active_era();
		assert_eq!(offence_era, 1);
		// 101 (300 exposed behind 11 in era 1) stops nominating and unbonds everything.
		assert_ok!(Staking::chill(signed(101)));
		assert_ok!(Staking::unbond(signed(101), 600));
		let withdraw_era = current_era() + bd;
		assert_eq!(
			ledger(101),
			Ledger { total: 600, active: 0, unlocking: vec![(600, withdraw_era)] }
		);

		// Reported one era later.
		advance_era();
		on_offence_in_era(&[(11, pct(50))], offence_era);
		let apply_era = offence_era + defer;
		assert!(apply_era > active_era(), "the slash is deferred");
		assert_eq!(
			unapplied(apply_era),
			vec![Slash { validator: 11, era: offence_era, own: 500, others: vec![(101, 150)] }]
		);

		// Session by session until the chunk could be withdrawn.
		while current_era() < withdraw_era {
			assert_noop!(Staking::withdraw_unbonded(signed(101)), Error::<Test>::NothingToWithdraw);
			advance_session();
		}
		// The slash came first and took its part of the unlocking chunk.
		assert!(active_era() >= apply_era);
		assert!(unapplied(apply_era).is_empty());
		assert_eq!(
			ledger(101),
			Ledger { total: 450, active: 0, unlocking: vec![(450, withdraw_era)] }
		);
		assert_eq!(held(101), 450);
		assert!(slashed_events().contains(&(101, 150)));
		assert_eq!(ledger(11).total, 500);

		assert_ok!(Staking::withdraw_unbonded(signed(101)));
		assert_eq!(last_event(), Event::Withdrawn { stash: 101, amount: 450 });
		assert_eq!(ledger_of(101), None);
		assert_eq!(held(101), 0);
		assert_eq!(free(101), ENDOWMENT - 150);
	});
}

// ------------------------------------------------------------------------ rebond

#[test]
fn rebond_of_an_idle_ledger_must_reach_the_minimum_bond() {
	build_and_execute(|| {
		let d = BondingDuration::get();
		let min = MinNominatorBond::get();
		assert!(min > 1);
		assert_ok!(Staking::chill(signed(41)));
		assert_ok!(Staking::unbond(signed(41), 200));
		let unbonded = Ledger { total: 200, active: 0, unlocking: vec![(200, d)] };
		assert_eq!(ledger(41), unbonded);

		assert_noop!(Staking::rebond(signed(41), 1), Error::<Test>::InsufficientBond);
		assert_noop!(Staking::rebond(signed(41), min - 1), Error::<Test>::InsufficientBond);
		assert_eq!(ledger(41), unbonded);
		assert_eq!(held(41), 200);

		assert_ok!(Staking::rebond(signed(41), min));
		assert_eq!(ledger(41), Ledger { total: 200, active: min, unlocking: vec![(200 - min, d)] });
		assert_eq!(last_event(), Event::Rebonded { stash: 41, amount: min });
		// At the minimum, any further amount.
		assert_ok!(Staking::rebond(signed(41), 1));
		assert_eq!(ledger(41).active, min + 1);
		assert_eq!(held(41), 200);
	});
}

#[test]
fn rebond_of_a_never_assigned_ledger_must_reach_the_minimum_bond() {
	build_and_execute(|| {
		let min = MinNominatorBond::get();
		bond(1, 100);
		assert_ok!(Staking::unbond(signed(1), 100));
		assert_noop!(Staking::rebond(signed(1), min - 1), Error::<Test>::InsufficientBond);
		assert_eq!(ledger(1).active, 0);
		assert_ok!(Staking::rebond(signed(1), 100));
		assert_eq!(ledger(1), Ledger { total: 100, active: 100, unlocking: vec![] });
	});
}

// ------------------------------------------------------------------------ TotalInflationMinted

#[test]
fn total_inflation_minted_is_the_sum_of_era_inflation() {
	build_and_execute(|| {
		let issuance_before = issuance();
		assert_eq!(crate::TotalInflationMinted::<Test>::get(), 0);
		// Fees are not inflation.
		fund_pot(1, 5_000);

		for era in 0..4u32 {
			// Eras without points give everything to the treasury: still minted.
			if era % 2 == 0 {
				reward_block(11);
			}
			assert_eq!(advance_era(), era + 1);
		}

		let inflation: Vec<Balance> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::EraPaid { inflation, .. } => Some(inflation),
				_ => None,
			})
			.collect();
		assert_eq!(inflation.len(), 4);
		assert!(inflation.iter().all(|i| *i > 0), "every era minted: {inflation:?}");
		let minted: Balance = inflation.iter().sum();
		assert_eq!(crate::TotalInflationMinted::<Test>::get(), minted);
		assert_eq!(era_paid(0).3, 5_000);
		assert_eq!(issuance(), issuance_before + minted);
	});
}

// ------------------------------------------------------------------------ genesis

/// Build storage from the given staking genesis (accounts 1..=ACCOUNTS endowed).
fn genesis(
	stakers: Vec<(AccountId, AccountId, Balance, StakerStatus<AccountId>)>,
	validator_count: u32,
	invulnerables: Vec<AccountId>,
) -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=ACCOUNTS).map(|a| (a, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	crate::GenesisConfig::<Test> { stakers, validator_count, invulnerables }
		.assimilate_storage(&mut t)
		.unwrap();
	sp_io::TestExternalities::new(t)
}

#[test]
fn a_genesis_config_with_stashes_as_controllers_builds() {
	genesis(
		vec![
			(11, 11, 1_000, StakerStatus::Validator),
			(101, 101, 600, StakerStatus::Nominator(vec![11])),
		],
		MAX_VALIDATORS,
		vec![11],
	)
	.execute_with(|| {
		assert_eq!(ledger(11), Ledger { total: 1_000, active: 1_000, unlocking: vec![] });
		assert!(is_validator(11));
		assert_eq!(nominations(101), Some(vec![11]));
		assert_eq!(validator_count(), MAX_VALIDATORS);
		assert_eq!(stored_invulnerables(), vec![11]);
	});
}

#[test]
#[should_panic(expected = "a genesis staker's controller is its stash")]
fn a_genesis_staker_with_another_controller_panics() {
	let _ = genesis(
		vec![(11, 11, 1_000, StakerStatus::Validator), (21, 22, 1_000, StakerStatus::Validator)],
		3,
		vec![],
	);
}

#[test]
#[should_panic(expected = "the genesis validator count is at most MaxValidators")]
fn a_genesis_validator_count_above_max_validators_panics() {
	let _ = genesis(vec![(11, 11, 1_000, StakerStatus::Validator)], MAX_VALIDATORS + 1, vec![]);
}

#[test]
#[should_panic(expected = "at most MaxValidators genesis invulnerables")]
fn more_genesis_invulnerables_than_max_validators_panics() {
	let _ = genesis(vec![], 3, (1..=AccountId::from(MAX_VALIDATORS) + 1).collect());
}
