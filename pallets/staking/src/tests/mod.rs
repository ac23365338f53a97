#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Unit and property tests of the staking pallet. Every unit test runs in `build_and_execute`
//! (or `ExtBuilder::build_and_execute`), which checks the pallet's invariants (`do_try_state`)
//! and that no account without a ledger holds anything for staking, before and after the test.
//!
//! The helpers below read the pallet's storage into plain values, so the test modules do not
//! depend on the storage's query kinds or the types' generic parameters.

mod admin;
mod bonding;
mod election;
mod pools;
mod proptest;
mod rewards;
mod slashing;

use crate::{mock::*, EraIndex, Event, HoldReason};
use frame_support::{
	assert_ok,
	traits::{
		fungible::{Inspect, InspectHold, Mutate},
		tokens::Preservation,
		Get,
	},
	BoundedVec,
};
use sp_runtime::Perbill;

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Free balance of `who`.
fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

/// What `who` holds for staking.
fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Staking.into(), &who)
}

fn issuance() -> Balance {
	<Balances as Inspect<AccountId>>::total_issuance()
}

/// A ledger as plain values.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ledger {
	total: Balance,
	active: Balance,
	/// `(value, era)` of each unlocking chunk, in the ledger's order.
	unlocking: Vec<(Balance, EraIndex)>,
}

fn ledger_of(who: AccountId) -> Option<Ledger> {
	crate::Ledger::<Test>::get(who).map(|l| Ledger {
		total: l.total,
		active: l.active,
		unlocking: l.unlocking.iter().map(|c| (c.value, c.era)).collect(),
	})
}

fn ledger(who: AccountId) -> Ledger {
	ledger_of(who).unwrap_or_else(|| panic!("{who} is bonded"))
}

fn is_validator(who: AccountId) -> bool {
	crate::Validators::<Test>::contains_key(who)
}

fn is_nominator(who: AccountId) -> bool {
	crate::Nominators::<Test>::contains_key(who)
}

/// The targets `who` nominates, if it nominates.
fn nominations(who: AccountId) -> Option<Vec<AccountId>> {
	crate::Nominators::<Test>::get(who).map(|n| n.targets.into_inner())
}

/// The commission of candidate `who`.
fn commission(who: AccountId) -> Option<Perbill> {
	crate::Validators::<Test>::get(who).map(|p| p.commission)
}

/// The nominators recorded as backing `v`, sorted.
fn backers(v: AccountId) -> Vec<AccountId> {
	let mut b: Vec<AccountId> = crate::Backers::<Test>::get(v).into_iter().flatten().collect();
	b.sort_unstable();
	b
}

fn approval(v: AccountId) -> Balance {
	crate::ApprovalStake::<Test>::get(v)
}

/// `ErasStakersOverview` of `v` in `era`: `(total, own, nominator_count, page_count)`.
fn overview(era: EraIndex, v: AccountId) -> Option<(Balance, Balance, u32, u32)> {
	crate::ErasStakersOverview::<Test>::get(era, v)
		.map(|o| (o.total, o.own, o.nominator_count, o.page_count))
}

/// Page `page` of `v`'s exposure in `era`, as `(nominator, value)`.
fn exposure_page(era: EraIndex, v: AccountId, page: u32) -> Vec<(AccountId, Balance)> {
	crate::ErasStakersPaged::<Test>::get((era, v, page))
		.into_iter()
		.flatten()
		.map(|e| (e.who, e.value))
		.collect()
}

/// Every nominator of `v`'s exposure in `era`, page by page.
fn exposure_others(era: EraIndex, v: AccountId) -> Vec<(AccountId, Balance)> {
	let pages = overview(era, v).map(|o| o.3).unwrap_or_default();
	(0..pages).flat_map(|p| exposure_page(era, v, p)).collect()
}

/// The commission `v` had for `era`.
fn era_commission(era: EraIndex, v: AccountId) -> Option<Perbill> {
	crate::ErasValidatorPrefs::<Test>::get(era, v).map(|p| p.commission)
}

/// The total reward of ended `era` (0 if none is recorded).
fn era_reward(era: EraIndex) -> Balance {
	crate::ErasValidatorReward::<Test>::get(era).unwrap_or_default()
}

fn era_reward_paid(era: EraIndex) -> Balance {
	crate::ErasRewardPaid::<Test>::get(era)
}

/// `(total, individual)` era points of `era`.
fn era_points(era: EraIndex) -> (u32, Vec<(AccountId, u32)>) {
	crate::ErasRewardPoints::<Test>::get(era)
		.map(|p| (p.total, p.individual.into_iter().collect()))
		.unwrap_or_default()
}

/// The pages of `v` claimed in `era`, sorted.
fn claimed(era: EraIndex, v: AccountId) -> Vec<u32> {
	let mut c = crate::ClaimedRewards::<Test>::get(era, v).into_inner();
	c.sort_unstable();
	c
}

/// An unapplied slash as plain values.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Slash {
	validator: AccountId,
	era: EraIndex,
	own: Balance,
	others: Vec<(AccountId, Balance)>,
}

/// The slashes to apply at the start of `era`.
fn unapplied(era: EraIndex) -> Vec<Slash> {
	crate::UnappliedSlashes::<Test>::get(era)
		.into_iter()
		.map(|s| Slash {
			validator: s.validator,
			era: s.era,
			own: s.own,
			others: s.others.into_inner(),
		})
		.collect()
}

fn slashed_fraction(era: EraIndex, v: AccountId) -> Option<Perbill> {
	crate::ValidatorSlashInEra::<Test>::get(era, v)
}

type Targets = BoundedVec<AccountId, <Test as crate::Config>::MaxNominations>;

fn targets(t: &[AccountId]) -> Targets {
	BoundedVec::try_from(t.to_vec()).expect("at most MaxNominations targets")
}

/// Bond `amount` from `who`.
fn bond(who: AccountId, amount: Balance) {
	assert_ok!(Staking::bond(signed(who), amount));
}

/// Bond `amount` from `who` and make it a candidate with `commission`.
fn validator(who: AccountId, amount: Balance, commission: Perbill) {
	bond(who, amount);
	assert_ok!(Staking::validate(signed(who), commission));
}

/// Bond `amount` from `who` and nominate `t`.
fn nominator(who: AccountId, amount: Balance, t: &[AccountId]) {
	bond(who, amount);
	assert_ok!(Staking::nominate(signed(who), targets(t)));
}

/// Move `amount` from `from` into the fee pot.
fn fund_pot(from: AccountId, amount: Balance) {
	assert_ok!(<Balances as Mutate<AccountId>>::transfer(
		&from,
		&REWARD_POT,
		amount,
		Preservation::Preserve
	));
}

/// No inflation: era rewards are exactly what the fee pot held.
fn no_inflation() {
	YearlyInflation::set(sp_runtime::Perquintill::zero());
	MinInflation::set(sp_runtime::Perquintill::zero());
}

/// The pallet's last event.
fn last_event() -> Event<Test> {
	events().pop().expect("an event of the staking pallet")
}

/// Whether the pallet deposited `e` (since the last `System::reset_events`).
fn has_event(e: Event<Test>) -> bool {
	events().contains(&e)
}

/// The `EraPaid` event of `era`: `(inflation, to_stakers, to_treasury, from_fees)`.
fn era_paid(era: EraIndex) -> (Balance, Balance, Balance, Balance) {
	events()
		.into_iter()
		.find_map(|e| match e {
			Event::EraPaid { era: e, inflation, to_stakers, to_treasury, from_fees }
				if e == era =>
			{
				Some((inflation, to_stakers, to_treasury, from_fees))
			},
			_ => None,
		})
		.unwrap_or_else(|| panic!("era {era} was paid"))
}

/// `(stash, amount)` of every `Rewarded` event for `era`, in order.
fn rewarded(era: EraIndex) -> Vec<(AccountId, Balance)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::Rewarded { stash, era: e, amount } if e == era => Some((stash, amount)),
			_ => None,
		})
		.collect()
}

/// `(staker, amount)` of every `Slashed` event, in order.
fn slashed_events() -> Vec<(AccountId, Balance)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::Slashed { staker, amount } => Some((staker, amount)),
			_ => None,
		})
		.collect()
}

/// `a` and `b` differ by at most `tolerance`.
#[track_caller]
fn assert_close(a: Balance, b: Balance, tolerance: Balance) {
	assert!(a.abs_diff(b) <= tolerance, "{a} and {b} differ by more than {tolerance}");
}

/// `value * num / den`, rounded down, in exact arithmetic.
fn mul_div(value: Balance, num: Balance, den: Balance) -> Balance {
	sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
		value,
		num,
		den,
		sp_runtime::Rounding::Down,
	)
	.expect("fits")
}

/// `MaxExposurePageSize` as a `usize`.
fn page_size() -> usize {
	<<Test as crate::Config>::MaxExposurePageSize as Get<u32>>::get() as usize
}
