#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Provider pools: opening and closing, delegating for points, undelegating and withdrawing
//! after the bonding duration, income shared pro rata through the reward per point, slashes
//! deferred, applied pro rata to the pool's stake (not its points) and cancelled by governance,
//! and the pooled stake pallet-compute sees.

use super::*;
use crate::{Error, Event, HoldReason};
use airtime_primitives::compute::ProviderPools;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

/// The provider of most tests.
const PROVIDER: AccountId = 61;

fn pct(p: u32) -> Perbill {
	Perbill::from_percent(p)
}

/// Make `provider` a registered compute provider and open its pool with `share`.
fn open(provider: AccountId, share: Perbill) {
	set_provider(provider);
	assert_ok!(Staking::open_pool(signed(provider), share));
}

fn delegate(who: AccountId, provider: AccountId, amount: Balance) -> sp_runtime::DispatchResult {
	Staking::delegate(signed(who), provider, amount)
}

fn undelegate(who: AccountId, provider: AccountId, points: Balance) -> sp_runtime::DispatchResult {
	Staking::undelegate(signed(who), provider, points)
}

fn withdraw(who: AccountId, provider: AccountId) -> sp_runtime::DispatchResult {
	Staking::withdraw_delegation(signed(who), provider).map(|_| ()).map_err(|e| e.error)
}

fn claim(who: AccountId, provider: AccountId) -> sp_runtime::DispatchResult {
	Staking::claim_pool_rewards(signed(who), provider)
}

type Indices = BoundedVec<u32, <Test as crate::Config>::MaxSlashesPerEra>;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn cancel(origin: RuntimeOrigin, era: EraIndex, i: &[u32]) -> sp_runtime::DispatchResult {
	let indices: Indices = BoundedVec::try_from(i.to_vec()).expect("at most MaxSlashesPerEra");
	Staking::cancel_deferred_pool_slash(origin, era, indices)
}

/// A pool as plain values.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PoolState {
	stake: Balance,
	points: Balance,
	share: Perbill,
	members: u32,
}

fn pool_of(provider: AccountId) -> Option<PoolState> {
	crate::Pools::<Test>::get(provider).map(|p| PoolState {
		stake: p.stake,
		points: p.points,
		share: p.income_share,
		members: p.members,
	})
}

fn pool(provider: AccountId) -> PoolState {
	pool_of(provider).unwrap_or_else(|| panic!("{provider} has a pool"))
}

/// A member's `(points, [(chunk value, chunk era)])`.
fn member_of(provider: AccountId, who: AccountId) -> Option<(Balance, Vec<(Balance, EraIndex)>)> {
	crate::PoolMembers::<Test>::get(provider, who)
		.map(|m| (m.points, m.unbonding.iter().map(|c| (c.value, c.era)).collect()))
}

fn points(provider: AccountId, who: AccountId) -> Balance {
	member_of(provider, who).map(|m| m.0).unwrap_or_default()
}

fn pool_account(provider: AccountId) -> AccountId {
	Staking::pool_account(&provider)
}

fn reward_account(provider: AccountId) -> AccountId {
	Staking::pool_reward_account(&provider)
}

/// What the pool account holds for the pool (stake and unbonding chunks).
fn pool_held(provider: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::PoolStake.into(), &pool_account(provider))
}

/// The pool deposits `who` holds (its pool's and its memberships').
fn deposit_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::PoolDeposit.into(), &who)
}

/// pallet-compute paid `provider` `amount`: what its pool took.
fn pay(provider: AccountId, amount: Balance) -> Balance {
	<Staking as ProviderPools<AccountId, Balance>>::on_provider_paid(&provider, amount)
}

/// pallet-compute slashed `provider`'s own stake by `fraction`.
fn slash_provider(provider: AccountId, fraction: Perbill) {
	<Staking as ProviderPools<AccountId, Balance>>::on_provider_slashed(&provider, fraction)
}

/// The stake pallet-compute counts toward `provider`'s collateral.
fn pooled(provider: AccountId) -> Balance {
	<Staking as ProviderPools<AccountId, Balance>>::pooled_stake(&provider)
}

/// The income share in force (a due pending cut included, before anything applies it).
fn share_in_force(provider: AccountId) -> Option<Perbill> {
	Staking::pool_income_share(&provider)
}

/// `provider`'s pending share cut: `(income_share, from_era)`.
fn pending_cut(provider: AccountId) -> Option<(Perbill, EraIndex)> {
	crate::PendingShareCuts::<Test>::get(provider)
}

/// Whether a pending share cut was applied (since the last `System::reset_events`).
fn a_cut_applied() -> bool {
	events().iter().any(|e| matches!(e, Event::PoolShareCutApplied { .. }))
}

fn pending(provider: AccountId, who: AccountId) -> Balance {
	Staking::pending_pool_reward(&provider, &who)
}

fn value(provider: AccountId, who: AccountId) -> Balance {
	Staking::pool_member_value(&provider, &who)
}

/// The pool slashes to apply at the start of `era`, as `(provider, fraction)`.
fn unapplied_pool(era: EraIndex) -> Vec<(AccountId, Perbill)> {
	crate::UnappliedPoolSlashes::<Test>::get(era)
		.into_iter()
		.map(|s| (s.provider, s.fraction))
		.collect()
}

// ------------------------------------------------------------------------ open, share, close

#[test]
fn open_pool_holds_the_deposit_and_endows_the_pool_accounts() {
	build_and_execute(|| {
		set_provider(PROVIDER);
		let before = free(PROVIDER);
		assert_ok!(Staking::open_pool(signed(PROVIDER), pct(20)));
		assert_eq!(
			last_event(),
			Event::PoolOpened { provider: PROVIDER, income_share: pct(20), deposit: POOL_DEPOSIT }
		);
		assert_eq!(pool(PROVIDER), PoolState { stake: 0, points: 0, share: pct(20), members: 0 });
		assert_eq!(deposit_held(PROVIDER), POOL_DEPOSIT);
		assert_eq!(free(PROVIDER), before - POOL_DEPOSIT - 2 * ED);
		assert_eq!(free(pool_account(PROVIDER)), ED);
		assert_eq!(free(reward_account(PROVIDER)), ED);
		assert_ne!(pool_account(PROVIDER), reward_account(PROVIDER));
		assert_ne!(pool_account(PROVIDER), pool_account(62));
		assert_ne!(pool_account(PROVIDER), pallet_account());
		assert_eq!(pooled(PROVIDER), 0);
	});
}

#[test]
fn open_pool_needs_a_provider_without_a_pool_that_can_pay_the_deposit() {
	ExtBuilder::default().balance(62, 20).build_and_execute(|| {
		assert_noop!(Staking::open_pool(signed(PROVIDER), pct(20)), Error::<Test>::NotAProvider);
		open(PROVIDER, pct(20));
		assert_noop!(Staking::open_pool(signed(PROVIDER), pct(30)), Error::<Test>::PoolExists);
		// 62 cannot hold the deposit, endow both accounts and stay alive.
		set_provider(62);
		assert_noop!(Staking::open_pool(signed(62), pct(20)), Error::<Test>::InsufficientBalance);
		// An account that stopped being a provider cannot open one.
		set_provider(63);
		unset_provider(63);
		assert_noop!(Staking::open_pool(signed(63), pct(20)), Error::<Test>::NotAProvider);
	});
}

#[test]
fn set_pool_share_raises_the_income_share_at_once() {
	build_and_execute(|| {
		assert_noop!(Staking::set_pool_share(signed(PROVIDER), pct(20)), Error::<Test>::NoPool);
		open(PROVIDER, pct(5));
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(20)));
		assert_eq!(last_event(), Event::PoolShareSet { provider: PROVIDER, income_share: pct(20) });
		assert_eq!(pool(PROVIDER).share, pct(20));
		assert_eq!(pending_cut(PROVIDER), None);
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_eq!(pay(PROVIDER, 1_000), 200);
	});
}

#[test]
fn a_share_cut_waits_for_the_bonding_duration() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_ok!(delegate(72, PROVIDER, 1_000));
		let from_era = current_era() + BondingDuration::get();
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(5)));
		assert_eq!(
			last_event(),
			Event::PoolShareCutScheduled { provider: PROVIDER, income_share: pct(5), from_era }
		);
		assert_eq!(pending_cut(PROVIDER), Some((pct(5), from_era)));
		assert_eq!(pool(PROVIDER).share, pct(20));
		assert_eq!(share_in_force(PROVIDER), Some(pct(20)));
		// Income is split with the old share until then: 100 to each member.
		assert_eq!(pay(PROVIDER, 1_000), 200);

		// A member who leaves when the cut is announced can withdraw when it applies.
		assert_ok!(undelegate(72, PROVIDER, 1_000));
		assert_eq!(member_of(PROVIDER, 72), Some((0, vec![(1_000, from_era)])));

		advance_eras(BondingDuration::get() - 1);
		assert!(current_era() < from_era);
		assert_eq!(share_in_force(PROVIDER), Some(pct(20)));
		assert_eq!(pay(PROVIDER, 1_000), 200);
		assert!(!a_cut_applied());
		assert_eq!(pending_cut(PROVIDER), Some((pct(5), from_era)));
		assert_noop!(withdraw(72, PROVIDER), Error::<Test>::NothingToWithdraw);

		advance_era();
		assert_eq!(current_era(), from_era);
		assert_ok!(withdraw(72, PROVIDER));
		assert_eq!(member_of(PROVIDER, 72), None);
		// The view reports the cut before a payment applies it.
		assert_eq!(share_in_force(PROVIDER), Some(pct(5)));
		assert_eq!(pool(PROVIDER).share, pct(20));
		assert_eq!(pay(PROVIDER, 1_000), 50);
		assert!(has_event(Event::PoolShareCutApplied { provider: PROVIDER, income_share: pct(5) }));
		assert_eq!(pool(PROVIDER).share, pct(5));
		assert_eq!(pending_cut(PROVIDER), None);
		// 100 + 200 at the old share, 50 at the new one.
		assert_eq!(pending(PROVIDER, 71), 350);
	});
}

#[test]
fn a_share_raise_applies_at_once_and_cancels_a_pending_cut() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(5)));
		assert!(pending_cut(PROVIDER).is_some());

		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(30)));
		assert_eq!(last_event(), Event::PoolShareSet { provider: PROVIDER, income_share: pct(30) });
		assert_eq!(pool(PROVIDER).share, pct(30));
		assert_eq!(pending_cut(PROVIDER), None);
		assert_eq!(pay(PROVIDER, 1_000), 300);

		// Setting the share in force cancels a pending cut too.
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(10)));
		assert!(pending_cut(PROVIDER).is_some());
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(30)));
		assert_eq!(last_event(), Event::PoolShareSet { provider: PROVIDER, income_share: pct(30) });
		assert_eq!(pending_cut(PROVIDER), None);

		// A cancelled cut never applies.
		advance_eras(BondingDuration::get());
		assert_eq!(pay(PROVIDER, 1_000), 300);
		assert!(!a_cut_applied());
		assert_eq!(pool(PROVIDER).share, pct(30));

		// A raise is measured against the share in force: a due cut applies first.
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(10)));
		advance_eras(BondingDuration::get());
		assert_eq!(share_in_force(PROVIDER), Some(pct(10)));
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(15)));
		assert!(has_event(Event::PoolShareCutApplied {
			provider: PROVIDER,
			income_share: pct(10)
		}));
		assert_eq!(last_event(), Event::PoolShareSet { provider: PROVIDER, income_share: pct(15) });
		assert_eq!(pool(PROVIDER).share, pct(15));
		assert_eq!(pending_cut(PROVIDER), None);
		assert_eq!(pay(PROVIDER, 1_000), 150);
	});
}

#[test]
fn a_new_share_cut_replaces_a_pending_one_and_waits_from_its_announcement() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(10)));
		let first = current_era() + BondingDuration::get();
		assert_eq!(pending_cut(PROVIDER), Some((pct(10), first)));

		advance_era();
		let second = current_era() + BondingDuration::get();
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(15)));
		assert_eq!(
			last_event(),
			Event::PoolShareCutScheduled {
				provider: PROVIDER,
				income_share: pct(15),
				from_era: second
			}
		);
		assert_eq!(pending_cut(PROVIDER), Some((pct(15), second)));

		// The first cut's era has come, but it was replaced.
		advance_eras(BondingDuration::get() - 1);
		assert_eq!(current_era(), first);
		assert_eq!(pay(PROVIDER, 1_000), 200);
		assert!(!a_cut_applied());

		advance_era();
		assert_eq!(current_era(), second);
		assert_eq!(pay(PROVIDER, 1_000), 150);
		assert!(has_event(Event::PoolShareCutApplied {
			provider: PROVIDER,
			income_share: pct(15)
		}));
	});
}

#[test]
fn closing_a_pool_drops_its_pending_cut() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		assert_ok!(Staking::set_pool_share(signed(PROVIDER), pct(5)));
		assert!(pending_cut(PROVIDER).is_some());
		assert_ok!(Staking::close_pool(signed(PROVIDER)));
		assert_eq!(pending_cut(PROVIDER), None);
		assert_eq!(share_in_force(PROVIDER), None);

		// A new pool keeps its own share: the old pool's cut does not apply to it.
		assert_ok!(Staking::open_pool(signed(PROVIDER), pct(20)));
		advance_eras(BondingDuration::get());
		assert_eq!(share_in_force(PROVIDER), Some(pct(20)));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_eq!(pay(PROVIDER, 1_000), 200);
		assert!(!a_cut_applied());
	});
}

#[test]
fn close_pool_returns_the_deposit_the_endowments_and_the_dust() {
	build_and_execute(|| {
		assert_noop!(Staking::close_pool(signed(PROVIDER)), Error::<Test>::NoPool);
		let before = free(PROVIDER);
		open(PROVIDER, pct(50));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_ok!(delegate(72, PROVIDER, 2_000));
		assert_noop!(Staking::close_pool(signed(PROVIDER)), Error::<Test>::PoolHasMembers);
		// 100 over 3_000 points: 33 and 66, one unit of rounding dust.
		assert_eq!(pay(PROVIDER, 200), 100);
		assert_eq!(pending(PROVIDER, 71), 33);
		assert_eq!(pending(PROVIDER, 72), 66);
		assert_ok!(undelegate(71, PROVIDER, 1_000));
		assert_ok!(undelegate(72, PROVIDER, 2_000));
		assert_eq!(free(reward_account(PROVIDER)), ED + 1);
		advance_eras(BondingDuration::get());
		assert_ok!(withdraw(71, PROVIDER));
		assert_ok!(withdraw(72, PROVIDER));
		assert_eq!(pool(PROVIDER).members, 0);

		assert_ok!(Staking::close_pool(signed(PROVIDER)));
		assert_eq!(last_event(), Event::PoolClosed { provider: PROVIDER });
		assert!(pool_of(PROVIDER).is_none());
		assert_eq!(deposit_held(PROVIDER), 0);
		// Paid 100 to the pool, got the dust back.
		assert_eq!(free(PROVIDER), before - 99);
		assert_eq!(free(pool_account(PROVIDER)), 0);
		assert_eq!(free(reward_account(PROVIDER)), 0);
		assert_noop!(Staking::close_pool(signed(PROVIDER)), Error::<Test>::NoPool);
		// It can open again.
		assert_ok!(Staking::open_pool(signed(PROVIDER), pct(10)));
	});
}

// ------------------------------------------------------------------------ delegating

#[test]
fn delegate_moves_funds_to_the_pool_account_for_points() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		let before = free(71);
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_eq!(
			last_event(),
			Event::Delegated { provider: PROVIDER, delegator: 71, amount: 1_000, points: 1_000 }
		);
		assert_eq!(free(71), before - 1_000 - MEMBER_DEPOSIT);
		assert_eq!(deposit_held(71), MEMBER_DEPOSIT);
		assert_eq!(pool_held(PROVIDER), 1_000);
		assert_eq!(free(pool_account(PROVIDER)), ED);
		assert_eq!(member_of(PROVIDER, 71), Some((1_000, vec![])));
		// More from a member: more points, no second deposit.
		assert_ok!(delegate(71, PROVIDER, 500));
		assert_eq!(member_of(PROVIDER, 71), Some((1_500, vec![])));
		assert_eq!(deposit_held(71), MEMBER_DEPOSIT);
		assert_ok!(delegate(72, PROVIDER, 500));
		assert_eq!(
			pool(PROVIDER),
			PoolState { stake: 2_000, points: 2_000, share: pct(20), members: 2 }
		);
		assert_eq!(pool_held(PROVIDER), 2_000);
		assert_eq!(value(PROVIDER, 71), 1_500);
	});
}

#[test]
fn delegate_errors() {
	ExtBuilder::default().balance(79, 100).build_and_execute(|| {
		assert_noop!(delegate(71, PROVIDER, 1_000), Error::<Test>::NoPool);
		open(PROVIDER, pct(20));
		assert_noop!(
			delegate(71, PROVIDER, MIN_DELEGATION_DEFAULT - 1),
			Error::<Test>::DelegationTooSmall
		);
		assert_noop!(delegate(71, PROVIDER, 0), Error::<Test>::DelegationTooSmall);
		assert_ok!(delegate(71, PROVIDER, MIN_DELEGATION_DEFAULT));
		// 79 has 100: 95 and the member deposit would leave less than the existential deposit.
		assert_noop!(delegate(79, PROVIDER, 95), Error::<Test>::InsufficientBalance);
		assert_ok!(delegate(79, PROVIDER, 94));
		assert_eq!(free(79), ED);
		assert_ok!(delegate(72, PROVIDER, 1_000));
		assert_ok!(delegate(73, PROVIDER, 1_000));
		assert_eq!(pool(PROVIDER).members, MAX_POOL_MEMBERS);
		assert_noop!(delegate(74, PROVIDER, 1_000), Error::<Test>::PoolFull);
		// A member of a full pool can add more.
		assert_ok!(delegate(72, PROVIDER, 1_000));
		// The minimum is governed.
		MinDelegation::set(2_000);
		assert_noop!(delegate(72, PROVIDER, 1_999), Error::<Test>::DelegationTooSmall);
		assert_ok!(delegate(72, PROVIDER, 2_000));
	});
}

#[test]
fn pooled_stake_follows_delegations_and_undelegations() {
	build_and_execute(|| {
		assert_eq!(pooled(PROVIDER), 0);
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_eq!(pooled(PROVIDER), 1_000);
		assert_ok!(delegate(72, PROVIDER, 2_500));
		assert_eq!(pooled(PROVIDER), 3_500);
		assert_ok!(undelegate(72, PROVIDER, 500));
		assert_eq!(pooled(PROVIDER), 3_000);
		// Unbonding funds are still held but no longer count.
		assert_eq!(pool_held(PROVIDER), 3_500);
		assert_eq!(pooled(62), 0);
	});
}

// ------------------------------------------------------------------------ leaving

#[test]
fn undelegate_moves_the_points_value_to_an_unbonding_chunk() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		let era = current_era() + BondingDuration::get();
		assert_ok!(undelegate(71, PROVIDER, 400));
		assert_eq!(
			last_event(),
			Event::Undelegated { provider: PROVIDER, delegator: 71, points: 400, amount: 400, era }
		);
		assert_eq!(member_of(PROVIDER, 71), Some((600, vec![(400, era)])));
		assert_eq!(
			pool(PROVIDER),
			PoolState { stake: 600, points: 600, share: pct(20), members: 1 }
		);
		assert_eq!(pool_held(PROVIDER), 1_000);
		// The same era's chunk grows.
		assert_ok!(undelegate(71, PROVIDER, 100));
		assert_eq!(member_of(PROVIDER, 71), Some((500, vec![(500, era)])));
		// A member without points stays while it has chunks (and keeps its deposit).
		assert_ok!(undelegate(71, PROVIDER, 500));
		assert_eq!(member_of(PROVIDER, 71), Some((0, vec![(1_000, era)])));
		assert_eq!(deposit_held(71), MEMBER_DEPOSIT);
		assert_eq!(pool(PROVIDER), PoolState { stake: 0, points: 0, share: pct(20), members: 1 });
	});
}

#[test]
fn undelegate_errors() {
	build_and_execute(|| {
		assert_noop!(undelegate(71, PROVIDER, 10), Error::<Test>::NoPool);
		open(PROVIDER, pct(20));
		assert_noop!(undelegate(71, PROVIDER, 10), Error::<Test>::NotAMember);
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_noop!(undelegate(71, PROVIDER, 0), Error::<Test>::ZeroAmount);
		assert_noop!(undelegate(71, PROVIDER, 1_001), Error::<Test>::NotEnoughPoints);
		// One chunk per era, at most `MaxUnlockingChunks`.
		for _ in 0..MAX_UNLOCKING_CHUNKS {
			assert_ok!(undelegate(71, PROVIDER, 10));
			advance_era();
		}
		assert_eq!(member_of(PROVIDER, 71).unwrap().1.len() as u32, MAX_UNLOCKING_CHUNKS);
		assert_noop!(undelegate(71, PROVIDER, 10), Error::<Test>::TooManyUnlockingChunks);
		// Withdrawing the due chunk makes room.
		assert_ok!(withdraw(71, PROVIDER));
		assert_ok!(undelegate(71, PROVIDER, 10));
	});
}

#[test]
fn withdraw_pays_due_chunks_after_the_bonding_duration() {
	build_and_execute(|| {
		assert_noop!(withdraw(71, PROVIDER), Error::<Test>::NoPool);
		open(PROVIDER, pct(20));
		assert_noop!(withdraw(71, PROVIDER), Error::<Test>::NotAMember);
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_noop!(withdraw(71, PROVIDER), Error::<Test>::NothingToWithdraw);
		let era = current_era() + BondingDuration::get();
		assert_ok!(undelegate(71, PROVIDER, 400));
		advance_eras(BondingDuration::get() - 1);
		assert!(current_era() < era);
		assert_noop!(withdraw(71, PROVIDER), Error::<Test>::NothingToWithdraw);
		advance_era();
		assert!(current_era() >= era);
		let before = free(71);
		assert_ok!(withdraw(71, PROVIDER));
		assert_eq!(
			last_event(),
			Event::DelegationWithdrawn { provider: PROVIDER, delegator: 71, amount: 400 }
		);
		assert_eq!(free(71), before + 400);
		// Still a member with its remaining points.
		assert_eq!(member_of(PROVIDER, 71), Some((600, vec![])));
		assert_eq!(pool_held(PROVIDER), 600);
		assert_eq!(free(pool_account(PROVIDER)), ED);
		assert_noop!(withdraw(71, PROVIDER), Error::<Test>::NothingToWithdraw);
	});
}

#[test]
fn a_member_that_withdraws_everything_leaves_and_gets_its_deposit_back() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		let before = free(71);
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_ok!(undelegate(71, PROVIDER, 1_000));
		advance_eras(BondingDuration::get());
		assert_ok!(withdraw(71, PROVIDER));
		assert_eq!(free(71), before);
		assert!(member_of(PROVIDER, 71).is_none());
		assert_eq!(deposit_held(71), 0);
		assert_eq!(pool(PROVIDER), PoolState { stake: 0, points: 0, share: pct(20), members: 0 });
		assert_eq!(pool_held(PROVIDER), 0);
		assert_noop!(withdraw(71, PROVIDER), Error::<Test>::NotAMember);
		// Rejoining takes the deposit again.
		assert_ok!(delegate(71, PROVIDER, 100));
		assert_eq!(deposit_held(71), MEMBER_DEPOSIT);
	});
}

// ------------------------------------------------------------------------ income

#[test]
fn income_is_shared_pro_rata_between_members_who_joined_at_different_times() {
	build_and_execute(|| {
		open(PROVIDER, pct(50));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		let provider_before = free(PROVIDER);
		assert_eq!(pay(PROVIDER, 200), 100);
		assert_eq!(last_event(), Event::PoolIncome { provider: PROVIDER, amount: 100 });
		assert_eq!(free(PROVIDER), provider_before - 100);
		assert_eq!(free(reward_account(PROVIDER)), ED + 100);
		assert_eq!(pending(PROVIDER, 71), 100);

		// 72 joins with three times 71's points: it shares only later income.
		assert_ok!(delegate(72, PROVIDER, 3_000));
		assert_eq!(pending(PROVIDER, 72), 0);
		assert_eq!(pay(PROVIDER, 800), 400);
		assert_eq!(pending(PROVIDER, 71), 200);
		assert_eq!(pending(PROVIDER, 72), 300);

		let before = free(71);
		assert_ok!(claim(71, PROVIDER));
		assert_eq!(
			last_event(),
			Event::PoolRewardPaid { provider: PROVIDER, delegator: 71, amount: 200 }
		);
		assert_eq!(free(71), before + 200);
		assert_eq!(pending(PROVIDER, 71), 0);
		assert_noop!(claim(71, PROVIDER), Error::<Test>::NothingToClaim);
		let before = free(72);
		assert_ok!(claim(72, PROVIDER));
		assert_eq!(free(72), before + 300);
		assert_eq!(free(reward_account(PROVIDER)), ED);
	});
}

#[test]
fn claim_errors() {
	build_and_execute(|| {
		assert_noop!(claim(71, PROVIDER), Error::<Test>::NoPool);
		open(PROVIDER, pct(50));
		assert_noop!(claim(71, PROVIDER), Error::<Test>::NotAMember);
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_noop!(claim(71, PROVIDER), Error::<Test>::NothingToClaim);
	});
}

#[test]
fn delegate_and_undelegate_pay_the_pending_reward_first() {
	build_and_execute(|| {
		open(PROVIDER, pct(10));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_eq!(pay(PROVIDER, 1_000), 100);
		let before = free(71);
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert!(has_event(Event::PoolRewardPaid {
			provider: PROVIDER,
			delegator: 71,
			amount: 100
		}));
		assert_eq!(free(71), before + 100 - 1_000);
		assert_eq!(pending(PROVIDER, 71), 0);
		// The new points share the next income.
		assert_eq!(pay(PROVIDER, 2_000), 200);
		assert_eq!(pending(PROVIDER, 71), 200);
		let before = free(71);
		assert_ok!(undelegate(71, PROVIDER, 500));
		assert_eq!(free(71), before + 200);
		assert_eq!(pending(PROVIDER, 71), 0);
		assert_eq!(free(reward_account(PROVIDER)), ED);
	});
}

#[test]
fn a_pool_takes_nothing_without_points_or_when_the_provider_cannot_pay() {
	ExtBuilder::default().balance(64, 100).build_and_execute(|| {
		// No pool.
		assert_eq!(pay(PROVIDER, 1_000), 0);
		open(PROVIDER, pct(50));
		// No members.
		assert_eq!(pay(PROVIDER, 1_000), 0);
		assert_ok!(delegate(71, PROVIDER, 1_000));
		// Half of 1 rounds to nothing.
		assert_eq!(pay(PROVIDER, 1), 0);
		assert_eq!(free(reward_account(PROVIDER)), ED);

		// 64 keeps 48 after opening a pool that takes everything.
		open(64, pct(100));
		assert_ok!(delegate(72, 64, 100));
		assert_eq!(free(64), 48);
		assert_eq!(pay(64, 1_000), 0);
		assert_eq!(pending(64, 72), 0);
		assert_eq!(pay(64, 47), 47);
		assert_eq!(free(64), ED);
		assert_eq!(pending(64, 72), 47);
	});
}

// ------------------------------------------------------------------------ slashes

#[test]
fn a_pool_slash_is_deferred_then_applied_pro_rata() {
	build_and_execute(|| {
		no_inflation();
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_ok!(delegate(72, PROVIDER, 3_000));
		let apply_era = active_era() + SlashDeferDuration::get();
		slash_provider(PROVIDER, pct(10));
		assert_eq!(
			last_event(),
			Event::PoolSlashReported { provider: PROVIDER, fraction: pct(10), apply_era }
		);
		assert_eq!(unapplied_pool(apply_era), vec![(PROVIDER, pct(10))]);
		assert_eq!(pooled(PROVIDER), 4_000);

		advance_era();
		assert_eq!(pooled(PROVIDER), 4_000);
		let treasury = free(TREASURY);
		let issuance_before = issuance();
		advance_era();
		assert_eq!(active_era(), apply_era);
		assert!(has_event(Event::PoolSlashed { provider: PROVIDER, amount: 400 }));
		assert!(unapplied_pool(apply_era).is_empty());
		// The stake fell by a tenth; the points did not: each point is worth 0.9.
		assert_eq!(
			pool(PROVIDER),
			PoolState { stake: 3_600, points: 4_000, share: pct(20), members: 2 }
		);
		assert_eq!(pool_held(PROVIDER), 3_600);
		assert_eq!(points(PROVIDER, 71), 1_000);
		assert_eq!(value(PROVIDER, 71), 900);
		assert_eq!(value(PROVIDER, 72), 2_700);
		assert_eq!(pooled(PROVIDER), 3_600);
		// To the treasury, nothing burnt.
		assert_eq!(free(TREASURY), treasury + 400);
		assert_eq!(issuance(), issuance_before);

		// 71 leaves with what its points are worth now.
		let era = current_era() + BondingDuration::get();
		assert_ok!(undelegate(71, PROVIDER, 1_000));
		assert!(has_event(Event::Undelegated {
			provider: PROVIDER,
			delegator: 71,
			points: 1_000,
			amount: 900,
			era
		}));
		// A newcomer gets points at the lower value.
		assert_ok!(delegate(73, PROVIDER, 900));
		assert_eq!(points(PROVIDER, 73), 1_000);
		assert_eq!(value(PROVIDER, 73), 900);
	});
}

#[test]
fn unbonding_chunks_are_not_slashed() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_ok!(delegate(72, PROVIDER, 1_000));
		slash_provider(PROVIDER, pct(50));
		let era = current_era() + BondingDuration::get();
		assert_ok!(undelegate(71, PROVIDER, 1_000));
		advance_eras(SlashDeferDuration::get());
		assert_eq!(pooled(PROVIDER), 500);
		assert_eq!(member_of(PROVIDER, 71), Some((0, vec![(1_000, era)])));
		assert_eq!(pool_held(PROVIDER), 1_500);
	});
}

#[test]
fn without_a_deferral_a_pool_slash_applies_at_once() {
	ExtBuilder::default().slash_defer_duration(0).build_and_execute(|| {
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		slash_provider(PROVIDER, pct(25));
		let era = active_era();
		assert!(has_event(Event::PoolSlashReported {
			provider: PROVIDER,
			fraction: pct(25),
			apply_era: era
		}));
		assert_eq!(last_event(), Event::PoolSlashed { provider: PROVIDER, amount: 250 });
		assert_eq!(pooled(PROVIDER), 750);
		assert!(unapplied_pool(era).is_empty());
	});
}

#[test]
fn a_pool_slash_applies_at_once_when_its_era_is_full() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		let apply_era = active_era() + SlashDeferDuration::get();
		for _ in 0..MAX_SLASHES_PER_ERA {
			slash_provider(PROVIDER, pct(10));
		}
		assert_eq!(unapplied_pool(apply_era).len() as u32, MAX_SLASHES_PER_ERA);
		assert_eq!(pooled(PROVIDER), 1_000);
		slash_provider(PROVIDER, pct(10));
		assert_eq!(pooled(PROVIDER), 900);
		assert_eq!(unapplied_pool(apply_era).len() as u32, MAX_SLASHES_PER_ERA);
	});
}

#[test]
fn slashes_of_providers_without_pooled_stake_are_ignored() {
	build_and_execute(|| {
		slash_provider(PROVIDER, pct(10));
		open(PROVIDER, pct(20));
		slash_provider(PROVIDER, pct(10));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		slash_provider(PROVIDER, Perbill::zero());
		let apply_era = active_era() + SlashDeferDuration::get();
		assert!(unapplied_pool(apply_era).is_empty());
		assert!(!events().iter().any(|e| matches!(e, Event::PoolSlashReported { .. })));
	});
}

#[test]
fn governance_cancels_a_deferred_pool_slash() {
	build_and_execute(|| {
		open(PROVIDER, pct(20));
		open(62, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		assert_ok!(delegate(72, 62, 1_000));
		let apply_era = active_era() + SlashDeferDuration::get();
		slash_provider(PROVIDER, pct(10));
		slash_provider(62, pct(20));
		assert_eq!(unapplied_pool(apply_era), vec![(PROVIDER, pct(10)), (62, pct(20))]);

		assert_noop!(cancel(signed(1), apply_era, &[0]), DispatchError::BadOrigin);
		assert_noop!(cancel(root(), apply_era, &[]), Error::<Test>::EmptySlashIndices);
		assert_noop!(cancel(root(), apply_era, &[1, 0]), Error::<Test>::NotSortedAndUnique);
		assert_noop!(cancel(root(), apply_era, &[0, 0]), Error::<Test>::NotSortedAndUnique);
		assert_noop!(cancel(root(), apply_era, &[2]), Error::<Test>::InvalidSlashIndex);
		assert_noop!(cancel(root(), apply_era + 1, &[0]), Error::<Test>::InvalidSlashIndex);
		assert_ok!(cancel(root(), apply_era, &[0]));
		assert_eq!(last_event(), Event::PoolSlashCancelled { era: apply_era, provider: PROVIDER });
		assert_eq!(unapplied_pool(apply_era), vec![(62, pct(20))]);

		advance_eras(SlashDeferDuration::get());
		assert_eq!(pooled(PROVIDER), 1_000);
		assert_eq!(pooled(62), 800);
		assert!(!has_event(Event::PoolSlashed { provider: PROVIDER, amount: 100 }));
	});
}

#[test]
fn a_pool_slashed_to_nothing_takes_no_delegations_and_its_members_leave() {
	ExtBuilder::default().slash_defer_duration(0).build_and_execute(|| {
		open(PROVIDER, pct(20));
		assert_ok!(delegate(71, PROVIDER, 1_000));
		slash_provider(PROVIDER, Perbill::one());
		assert_eq!(
			pool(PROVIDER),
			PoolState { stake: 0, points: 1_000, share: pct(20), members: 1 }
		);
		assert_eq!(pool_held(PROVIDER), 0);
		assert_noop!(delegate(72, PROVIDER, 1_000), Error::<Test>::PoolWipedOut);
		assert_noop!(delegate(71, PROVIDER, 1_000), Error::<Test>::PoolWipedOut);
		// Its points are worth nothing: undelegating them removes the member at once.
		let era = current_era() + BondingDuration::get();
		assert_ok!(undelegate(71, PROVIDER, 1_000));
		assert!(has_event(Event::Undelegated {
			provider: PROVIDER,
			delegator: 71,
			points: 1_000,
			amount: 0,
			era
		}));
		assert!(member_of(PROVIDER, 71).is_none());
		assert_eq!(deposit_held(71), 0);
		// Empty again: new delegations start over at one point per unit.
		assert_ok!(delegate(72, PROVIDER, 500));
		assert_eq!(points(PROVIDER, 72), 500);
		assert_ok!(undelegate(72, PROVIDER, 500));
		advance_eras(BondingDuration::get());
		assert_ok!(withdraw(72, PROVIDER));
		assert_ok!(Staking::close_pool(signed(PROVIDER)));
	});
}
