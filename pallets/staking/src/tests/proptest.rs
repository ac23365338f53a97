#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Property tests: random sequences of bond, bond_extra, unbond, withdraw_unbonded, rebond,
//! validate, nominate, chill, payout_stakers and cancel_deferred_slash calls, authored blocks,
//! fee-pot deposits, offences (`on_offence`) and session and era advances, over the genesis
//! stakers and a few fresh accounts.
//!
//! Every sequence runs in fresh default externalities. After every op:
//!
//! - `check_invariants()`: the pallet's `do_try_state` (ledgers match holds, counts, approval
//!   stakes, backers, exposures, reward accounting) and no hold without a ledger;
//! - a call that failed left the storage root unchanged; a call that succeeded changed the ledger
//!   as its event says (`Bonded`, `Unbonded`, `Withdrawn`, `Rebonded`) and left the roles the
//!   call asked for;
//! - total issuance moved only by minted inflation: `issuance now - issuance at the start`
//!   equals the sum of `inflation` over every `EraPaid` event so far. Bonds are holds, rewards
//!   are transfers from the pallet account, and slashes, the treasury share and expired rewards
//!   are credits resolved into the treasury (alive with the existential deposit), so nothing
//!   else mints or burns.
//!
//! `STAKING_PROPTEST_CASES` sets the number of cases (default 200).

use super::*;
use crate::{ErasElected, ErasStartSessionIndex, Error, Event};
use ::proptest::{
	collection::vec as vec_of,
	proptest,
	strategy::{BoxedStrategy, Just, Strategy, Union},
	test_runner::Config as ProptestConfig,
};
use sp_runtime::{DispatchError, DispatchResult, StateVersion};
use std::collections::BTreeMap;

/// The accounts taking part: fresh ones first, then the genesis stakers.
const ACTORS: [AccountId; 10] = [1, 2, 3, 4, 5, 11, 21, 31, 41, 101];
/// The longest sequence.
const MAX_OPS: usize = 40;

fn cases() -> u32 {
	std::env::var("STAKING_PROPTEST_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(200)
}

fn actor(i: u8) -> AccountId {
	ACTORS[usize::from(i) % ACTORS.len()]
}

#[derive(Clone, Debug)]
enum Op {
	Bond {
		who: u8,
		amount: Balance,
	},
	BondExtra {
		who: u8,
		amount: Balance,
	},
	Unbond {
		who: u8,
		amount: Balance,
	},
	Withdraw {
		who: u8,
	},
	Rebond {
		who: u8,
		amount: Balance,
	},
	Validate {
		who: u8,
		commission: u32,
	},
	Nominate {
		who: u8,
		targets: Vec<u8>,
	},
	Chill {
		who: u8,
	},
	/// `blocks` authored by the `pick`-th validator of the session.
	Author {
		pick: u8,
		blocks: u8,
	},
	FundPot {
		amount: Balance,
	},
	AdvanceSessions {
		n: u8,
	},
	AdvanceEra,
	/// An offence of the `pick`-th validator elected `back` eras before the active one.
	Offence {
		pick: u8,
		back: u8,
		percent: u32,
	},
	/// Claim page `page` of the `pick`-th validator elected in era `active - 1 - back`.
	Payout {
		pick: u8,
		back: u8,
		page: u8,
	},
	/// Cancel slash `index` of era `active + ahead`.
	Cancel {
		ahead: u8,
		index: u8,
	},
}

// ------------------------------------------------------------------------ helpers

fn state_root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

/// Run a call; a call that fails must leave the storage root as it was.
fn attempt(name: &str, f: impl FnOnce() -> DispatchResult) -> DispatchResult {
	let before = state_root();
	let result = f();
	if let Err(e) = &result {
		assert_eq!(state_root(), before, "{name} failed with {e:?} but changed storage");
	}
	result
}

fn no_info(r: frame_support::dispatch::DispatchResultWithPostInfo) -> DispatchResult {
	r.map(|_| ()).map_err(|e| e.error)
}

/// The amount of the last event `pick` matches, if the last event matches.
fn last_amount(pick: impl Fn(&Event<Test>) -> Option<Balance>) -> Balance {
	pick(&last_event()).expect("the call's event is the last one")
}

fn minted_so_far() -> Balance {
	events()
		.iter()
		.map(|e| match e {
			Event::EraPaid { inflation, .. } => *inflation,
			_ => 0,
		})
		.sum()
}

fn unlocking_sum(l: &Ledger) -> Balance {
	l.unlocking.iter().map(|(v, _)| v).sum()
}

// ------------------------------------------------------------------------ the runner

struct Runner {
	issuance: Balance,
	/// Results by op name: `(ok, err)`.
	stats: BTreeMap<&'static str, (u32, u32)>,
}

impl Runner {
	fn new() -> Self {
		Runner { issuance: issuance(), stats: BTreeMap::new() }
	}

	fn count(&mut self, name: &'static str, r: &DispatchResult) {
		let entry = self.stats.entry(name).or_default();
		if r.is_ok() {
			entry.0 += 1;
		} else {
			entry.1 += 1;
		}
	}

	fn check(&self) {
		check_invariants();
		assert_eq!(
			issuance(),
			self.issuance + minted_so_far(),
			"issuance moved by something else than minted inflation"
		);
	}

	fn apply(&mut self, op: &Op) {
		match op.clone() {
			Op::Bond { who, amount } => {
				let who = actor(who);
				let bonded = ledger_of(who).is_some();
				let r = attempt("bond", || Staking::bond(signed(who), amount));
				if bonded || amount < MinNominatorBond::get() {
					assert!(r.is_err());
				}
				if r.is_ok() {
					assert_eq!(
						ledger(who),
						Ledger { total: amount, active: amount, unlocking: vec![] }
					);
				}
				self.count("bond", &r);
			},
			Op::BondExtra { who, amount } => {
				let who = actor(who);
				let before = ledger_of(who);
				let r = attempt("bond_extra", || Staking::bond_extra(signed(who), amount));
				match (&before, &r) {
					(None, _) => assert!(r.is_err(), "bond_extra of an unbonded account"),
					(Some(b), Ok(())) => {
						let added = last_amount(|e| match e {
							Event::Bonded { stash, amount } if *stash == who => Some(*amount),
							_ => None,
						});
						assert!(added > 0 && added <= amount);
						let after = ledger(who);
						assert_eq!(after.total, b.total + added);
						assert_eq!(after.active, b.active + added);
					},
					_ => {},
				}
				self.count("bond_extra", &r);
			},
			Op::Unbond { who, amount } => {
				let who = actor(who);
				let before = ledger_of(who);
				let r = attempt("unbond", || Staking::unbond(signed(who), amount));
				match &before {
					None => assert!(r.is_err(), "unbond of an unbonded account"),
					Some(b) if amount > b.active || amount == 0 => assert!(r.is_err()),
					Some(b) if r.is_ok() => {
						let after = ledger(who);
						assert_eq!(after.total, b.total);
						assert_eq!(after.active, b.active - amount);
						assert_eq!(unlocking_sum(&after), unlocking_sum(b) + amount);
						let era = current_era() + BondingDuration::get();
						assert!(after.unlocking.iter().any(|(_, e)| *e == era));
					},
					_ => {},
				}
				self.count("unbond", &r);
			},
			Op::Withdraw { who } => {
				let who = actor(who);
				let before = ledger_of(who);
				let r = attempt("withdraw_unbonded", || {
					no_info(Staking::withdraw_unbonded(signed(who)))
				});
				match (&before, &r) {
					(None, _) => assert!(r.is_err()),
					(Some(b), Ok(())) => {
						let released = last_amount(|e| match e {
							Event::Withdrawn { stash, amount } if *stash == who => Some(*amount),
							_ => None,
						});
						let due: Balance = b
							.unlocking
							.iter()
							.filter(|(_, era)| *era <= current_era())
							.map(|(v, _)| v)
							.sum();
						assert_eq!(released, due);
						match ledger_of(who) {
							Some(after) => {
								assert_eq!(after.total, b.total - released);
								assert_eq!(after.active, b.active);
							},
							None => {
								assert_eq!(b.total, released);
								assert!(!is_validator(who) && !is_nominator(who));
							},
						}
						assert_eq!(held(who), b.total - released);
					},
					_ => {},
				}
				self.count("withdraw_unbonded", &r);
			},
			Op::Rebond { who, amount } => {
				let who = actor(who);
				let before = ledger_of(who);
				let r = attempt("rebond", || no_info(Staking::rebond(signed(who), amount)));
				match (&before, &r) {
					(None, _) => assert!(r.is_err()),
					(Some(b), _) if b.unlocking.is_empty() => assert!(r.is_err()),
					(Some(b), Ok(())) => {
						let rebonded = last_amount(|e| match e {
							Event::Rebonded { stash, amount } if *stash == who => Some(*amount),
							_ => None,
						});
						assert_eq!(rebonded, amount.min(unlocking_sum(b)));
						let after = ledger(who);
						assert_eq!(after.total, b.total);
						assert_eq!(after.active, b.active + rebonded);
					},
					_ => {},
				}
				self.count("rebond", &r);
			},
			Op::Validate { who, commission } => {
				let who = actor(who);
				let commission = Perbill::from_percent(commission);
				let r = attempt("validate", || Staking::validate(signed(who), commission));
				if commission > MaxCommission::get() || ledger_of(who).is_none() {
					assert!(r.is_err());
				}
				if r.is_ok() {
					assert_eq!(super::commission(who), Some(commission));
					assert!(!is_nominator(who));
				}
				self.count("validate", &r);
			},
			Op::Nominate { who, targets: picks } => {
				let who = actor(who);
				let t: Vec<AccountId> = picks.into_iter().map(actor).collect();
				let r = attempt("nominate", || Staking::nominate(signed(who), targets(&t)));
				if t.is_empty() || t.contains(&who) || t.iter().any(|v| !is_validator(*v)) {
					assert!(r.is_err());
				}
				if r.is_ok() {
					assert_eq!(nominations(who), Some(t));
					assert!(!is_validator(who));
				}
				self.count("nominate", &r);
			},
			Op::Chill { who } => {
				let who = actor(who);
				let had_role = is_validator(who) || is_nominator(who);
				let r = attempt("chill", || Staking::chill(signed(who)));
				assert_eq!(r.is_ok(), had_role);
				assert!(!is_validator(who) && !is_nominator(who));
				self.count("chill", &r);
			},
			Op::Author { pick, blocks } => {
				let set = Session::validators();
				if !set.is_empty() {
					let author = set[usize::from(pick) % set.len()];
					for _ in 0..blocks {
						reward_block(author);
					}
				}
			},
			Op::FundPot { amount } => fund_pot(60, amount),
			Op::AdvanceSessions { n } => advance_sessions(u32::from(n)),
			Op::AdvanceEra => advance_sessions(SessionsPerEra::get()),
			Op::Offence { pick, back, percent } => {
				let Some(era) = active_era().checked_sub(u32::from(back)) else { return };
				let set = elected(era);
				if set.is_empty() || ErasStartSessionIndex::<Test>::get(era).is_none() {
					return;
				}
				let offender = set[usize::from(pick) % set.len()];
				let fraction = Perbill::from_percent(percent);
				let prior = slashed_fraction(era, offender).unwrap_or_default();
				on_offence_in_era(&[(offender, fraction)], era);
				if fraction > prior && back <= 1 {
					// A recent offence with a higher fraction is recorded and chills.
					assert_eq!(slashed_fraction(era, offender), Some(fraction));
					assert!(!is_validator(offender));
				}
			},
			Op::Payout { pick, back, page } => {
				let Some(era) = active_era().checked_sub(1 + u32::from(back)) else { return };
				let set: Vec<AccountId> = ErasElected::<Test>::get(era)
					.map(|e| e.into_inner())
					.unwrap_or_else(|| ACTORS.to_vec());
				let validator = set[usize::from(pick) % set.len()];
				let page = u32::from(page);
				let reward_paid = era_reward_paid(era);
				let r = attempt("payout_stakers", || {
					no_info(Staking::payout_stakers(signed(60), validator, era, page))
				});
				if r.is_ok() {
					assert!(claimed(era, validator).contains(&page));
					assert!(era_reward_paid(era) >= reward_paid);
				}
				self.count("payout_stakers", &r);
			},
			Op::Cancel { ahead, index } => {
				let era = active_era() + u32::from(ahead);
				let before = unapplied(era);
				let r = attempt("cancel_deferred_slash", || {
					Staking::cancel_deferred_slash(
						RuntimeOrigin::root(),
						era,
						BoundedVec::try_from(vec![u32::from(index)]).unwrap(),
					)
				});
				assert_eq!(r.is_ok(), usize::from(index) < before.len());
				if r.is_ok() {
					let mut expected = before;
					expected.remove(usize::from(index));
					assert_eq!(unapplied(era), expected);
				}
				self.count("cancel_deferred_slash", &r);
			},
		}
	}
}

/// Run `ops` in fresh externalities; return the results by op name.
fn run_sequence(ops: &[Op]) -> BTreeMap<&'static str, (u32, u32)> {
	new_test_ext().execute_with(|| {
		let mut runner = Runner::new();
		runner.check();
		for op in ops {
			runner.apply(op);
			runner.check();
		}
		runner.stats
	})
}

// ------------------------------------------------------------------------ strategies

/// Mostly a modest amount, sometimes zero, one, or more than anyone has.
fn amount() -> BoxedStrategy<Balance> {
	Union::new_weighted(vec![
		(12, (1u128..=1_500).boxed()),
		(1, Just(0u128).boxed()),
		(1, Just(1u128).boxed()),
		(1, Just(ENDOWMENT).boxed()),
	])
	.boxed()
}

fn op_strategy() -> BoxedStrategy<Op> {
	let who = || 0u8..ACTORS.len() as u8;
	Union::new_weighted(vec![
		(4, (who(), amount()).prop_map(|(who, amount)| Op::Bond { who, amount }).boxed()),
		(2, (who(), amount()).prop_map(|(who, amount)| Op::BondExtra { who, amount }).boxed()),
		(4, (who(), amount()).prop_map(|(who, amount)| Op::Unbond { who, amount }).boxed()),
		(2, who().prop_map(|who| Op::Withdraw { who }).boxed()),
		(2, (who(), amount()).prop_map(|(who, amount)| Op::Rebond { who, amount }).boxed()),
		(
			3,
			(who(), 0u32..=60)
				.prop_map(|(who, commission)| Op::Validate { who, commission })
				.boxed(),
		),
		(
			4,
			(who(), vec_of(0u8..ACTORS.len() as u8, 0..=MAX_NOMINATIONS as usize))
				.prop_map(|(who, targets)| Op::Nominate { who, targets })
				.boxed(),
		),
		(2, who().prop_map(|who| Op::Chill { who }).boxed()),
		(4, (0u8..8, 1u8..=5).prop_map(|(pick, blocks)| Op::Author { pick, blocks }).boxed()),
		(1, (1u128..=50_000).prop_map(|amount| Op::FundPot { amount }).boxed()),
		(3, (1u8..=2).prop_map(|n| Op::AdvanceSessions { n }).boxed()),
		(3, Just(Op::AdvanceEra).boxed()),
		(
			2,
			(0u8..8, 0u8..=5, 0u32..=100)
				.prop_map(|(pick, back, percent)| Op::Offence { pick, back, percent })
				.boxed(),
		),
		(
			3,
			(0u8..8, 0u8..=5, 0u8..=3)
				.prop_map(|(pick, back, page)| Op::Payout { pick, back, page })
				.boxed(),
		),
		(1, (0u8..=3, 0u8..=3).prop_map(|(ahead, index)| Op::Cancel { ahead, index }).boxed()),
	])
	.boxed()
}

// ------------------------------------------------------------------------ the properties

proptest! {
	#![proptest_config(ProptestConfig {
		cases: cases(),
		failure_persistence: None,
		..ProptestConfig::default()
	})]

	/// Random sequences of 1 to `MAX_OPS` ops keep the invariants and mint only inflation.
	#[test]
	fn random_sequences_keep_the_invariants(ops in vec_of(op_strategy(), 1..=MAX_OPS)) {
		run_sequence(&ops);
	}
}

/// A known sequence reaches every kind of op's success (so the properties above are not
/// vacuous): bonds and roles, an era with points, a deferred slash, claims and withdrawals.
#[test]
fn a_known_sequence_reaches_deep_states() {
	// Indices into ACTORS: 0 → 1, 1 → 2, 5 → 11, 6 → 21, 7 → 31, 8 → 41, 9 → 101.
	let stats = run_sequence(&[
		Op::Bond { who: 0, amount: 500 },
		Op::Validate { who: 0, commission: 10 },
		Op::Bond { who: 1, amount: 300 },
		Op::Nominate { who: 1, targets: vec![0, 5] },
		Op::BondExtra { who: 1, amount: 100 },
		Op::Unbond { who: 9, amount: 100 },
		Op::Rebond { who: 9, amount: 50 },
		Op::FundPot { amount: 10_000 },
		Op::AdvanceEra,
		Op::Author { pick: 0, blocks: 3 },
		Op::Author { pick: 1, blocks: 2 },
		Op::Offence { pick: 0, back: 0, percent: 10 },
		Op::Offence { pick: 1, back: 0, percent: 20 },
		Op::Cancel { ahead: 2, index: 1 },
		Op::AdvanceEra,
		Op::Payout { pick: 0, back: 0, page: 0 },
		Op::Payout { pick: 1, back: 0, page: 0 },
		Op::Payout { pick: 1, back: 0, page: 0 },
		Op::Unbond { who: 1, amount: 390 },
		Op::Chill { who: 1 },
		Op::Unbond { who: 1, amount: 10 },
		Op::AdvanceEra,
		Op::AdvanceEra,
		Op::AdvanceEra,
		Op::Withdraw { who: 1 },
		Op::Withdraw { who: 9 },
	]);
	for name in [
		"bond",
		"validate",
		"nominate",
		"bond_extra",
		"unbond",
		"rebond",
		"cancel_deferred_slash",
		"payout_stakers",
		"chill",
		"withdraw_unbonded",
	] {
		assert!(
			stats.get(name).is_some_and(|(ok, _)| *ok > 0),
			"{name} never succeeded: {stats:?}"
		);
	}
	assert_eq!(stats["payout_stakers"].1, 1, "the second claim of a page fails");
}

/// The failure check itself: a failing call is caught by `attempt` only when it changed
/// storage, and the issuance check notices money from nowhere.
#[test]
#[should_panic(expected = "issuance moved")]
fn the_issuance_check_can_fail() {
	new_test_ext().execute_with(|| {
		let runner = Runner::new();
		let _ = <Balances as frame_support::traits::fungible::Mutate<AccountId>>::mint_into(&1, 5);
		runner.check();
	});
}

#[test]
fn failed_calls_change_nothing() {
	new_test_ext().execute_with(|| {
		let r = attempt("bond", || Staking::bond(signed(11), 10));
		assert_eq!(r, Err(DispatchError::from(Error::<Test>::AlreadyBonded)));
	});
}
