#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Tiers: `lock_for_tier`, `unlock_tier`, `withdraw_tier`, `set_tiers`, the tier an account
//! holds and `can_call`.

use super::*;
use crate::{Error, TierDefinition, TierLock, TierLocks, TierName, Tiers, TiersOf};
use airtime_primitives::credits::{CallEligibility, TierView};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, DispatchResult, TokenError};

fn lock(who: AccountId, amount: Balance) -> DispatchResult {
	Credits::lock_for_tier(signed(who), amount)
}

fn unlock(who: AccountId, amount: Balance) -> DispatchResult {
	Credits::unlock_tier(signed(who), amount)
}

fn withdraw(who: AccountId) -> DispatchResult {
	Credits::withdraw_tier(signed(who))
}

fn tier_lock(who: AccountId) -> TierLock<Balance, u64> {
	TierLocks::<Test>::get(who).expect("a tier lock")
}

fn transfer(from: AccountId, to: AccountId, amount: Balance) -> DispatchResult {
	Balances::transfer_allow_death(signed(from), to, amount)
}

fn table(entries: &[(&str, Balance)]) -> TiersOf<Test> {
	TiersOf::<Test>::truncate_from(
		entries
			.iter()
			.map(|(name, threshold)| TierDefinition {
				name: TierName::truncate_from(name.as_bytes().to_vec()),
				threshold: *threshold,
			})
			.collect(),
	)
}

fn set_tiers(entries: &[(&str, Balance)]) -> DispatchResult {
	Credits::set_tiers(RuntimeOrigin::root(), table(entries))
}

// ---------------------------------------------------------------- lock_for_tier

#[test]
fn lock_for_tier_freezes_funds_on_the_account() {
	build_and_execute(|| {
		assert_noop!(lock(2, 0), Error::<Test>::ZeroAmount);
		assert_noop!(lock(2, 50), Error::<Test>::BelowLowestTier);
		assert_noop!(lock(2, 99), Error::<Test>::BelowLowestTier);
		assert_ok!(lock(2, 100));
		assert_eq!(tier_lock(2), TierLock { active: 100, unlocking: 0, unlock_at: 0 });
		assert_eq!(frozen(2), 100);
		// The funds stay on the account, neither held nor moved.
		assert_eq!(free(2), ENDOWMENT);
		assert_eq!(held(HoldReason::StorageDeposit, 2), 0);
		assert_eq!(last_event(), Event::TierLocked { who: 2, amount: 100, active: 100, tier: 1 });

		// Above the lowest tier, any amount adds to the lock.
		assert_ok!(lock(2, 50));
		assert_eq!(tier_lock(2).active, 150);
		assert_eq!(frozen(2), 150);
		assert_eq!(last_event(), Event::TierLocked { who: 2, amount: 50, active: 150, tier: 1 });
		assert_ok!(lock(2, 850));
		assert_eq!(last_event(), Event::TierLocked { who: 2, amount: 850, active: 1_000, tier: 2 });
		assert_eq!(frozen(2), 1_000);
	});
}

#[test]
fn lock_for_tier_needs_free_funds_for_everything_frozen() {
	build_and_execute(|| {
		assert_noop!(lock(2, ENDOWMENT + 1), Error::<Test>::InsufficientBalance);

		// Held funds do not back a tier lock (though the currency lets freezes overlap holds).
		let s = register(1, 10, 0);
		open(3, s, 10_000, 100);
		assert_eq!(free(3), ENDOWMENT - 10_005);
		assert_noop!(lock(3, ENDOWMENT - 10_004), Error::<Test>::InsufficientBalance);
		assert_noop!(lock(3, ENDOWMENT - 5_000), Error::<Test>::InsufficientBalance);
		assert_ok!(lock(3, ENDOWMENT - 10_005));
		assert_eq!(frozen(3), ENDOWMENT - 10_005);
		assert_noop!(lock(3, 1), Error::<Test>::InsufficientBalance);

		// What is unlocking still counts as frozen.
		assert_ok!(lock(4, 1_000));
		assert_ok!(unlock(4, 500));
		assert_noop!(lock(4, ENDOWMENT - 999), Error::<Test>::InsufficientBalance);
		assert_ok!(lock(4, ENDOWMENT - 1_000));
		assert_eq!(frozen(4), ENDOWMENT);
		assert_eq!(
			tier_lock(4),
			TierLock { active: ENDOWMENT - 500, unlocking: 500, unlock_at: 21 }
		);
	});
}

#[test]
fn lock_for_tier_needs_a_tier_table() {
	build_and_execute(|| {
		assert_ok!(lock(2, 1_000));
		assert_ok!(Credits::set_tiers(RuntimeOrigin::root(), TiersOf::<Test>::default()));
		assert!(Tiers::<Test>::get().is_empty());
		assert_noop!(lock(3, 100), Error::<Test>::NoTiers);
		assert_noop!(lock(2, 100), Error::<Test>::NoTiers);
		assert_noop!(lock(3, 0), Error::<Test>::ZeroAmount);
		// Existing locks stay frozen but reach no tier.
		assert_eq!(frozen(2), 1_000);
		assert_eq!(Credits::tier_of(&2), 0);
	});
}

// ---------------------------------------------------------------- tier levels

#[test]
fn an_accounts_tier_is_the_highest_threshold_its_lock_reaches() {
	build_and_execute(|| {
		assert_eq!(Credits::tier_of(&2), 0);
		assert_eq!(
			Credits::tier_view(&2),
			TierView { tier: 0, active: 0, unlocking: 0, unlock_at: None }
		);
		for (who, amount, tier) in [
			(2, 100, 1),
			(3, 999, 1),
			(4, 1_000, 2),
			(5, 9_999, 2),
			(6, 10_000, 3),
			(7, 500_000, 3),
		] {
			assert_ok!(lock(who, amount));
			assert_eq!(Credits::tier_of(&who), tier, "{amount} frozen");
			assert_eq!(
				Credits::tier_view(&who),
				TierView { tier, active: amount, unlocking: 0, unlock_at: None }
			);
			assert_eq!(last_event(), Event::TierLocked { who, amount, active: amount, tier });
		}

		// Adding up: 100 + 899 is still tier 1, one more reaches tier 2.
		assert_ok!(lock(8, 100));
		assert_ok!(lock(8, 899));
		assert_eq!(Credits::tier_of(&8), 1);
		assert_ok!(lock(8, 1));
		assert_eq!(Credits::tier_of(&8), 2);
		assert_eq!(last_event(), Event::TierLocked { who: 8, amount: 1, active: 1_000, tier: 2 });
	});
}

#[test]
fn frozen_funds_cannot_leave_the_account() {
	build_and_execute(|| {
		assert_ok!(lock(2, ENDOWMENT - 1_000));
		assert_noop!(transfer(2, 3, 1_001), TokenError::Frozen);
		assert_ok!(transfer(2, 3, 1_000));
		assert_eq!(free(2), ENDOWMENT - 1_000);
		assert_eq!(free(3), ENDOWMENT + 1_000);
		assert_noop!(transfer(2, 3, 1), TokenError::Frozen);
		assert_eq!(Credits::tier_of(&2), 3);
		assert_eq!(frozen(2), ENDOWMENT - 1_000);
	});
}

// ---------------------------------------------------------------- unlock_tier, withdraw_tier

#[test]
fn unlock_tier_drops_the_tier_at_once_and_starts_the_cool_down() {
	build_and_execute(|| {
		assert_noop!(unlock(2, 10), Error::<Test>::NoTierLock);
		assert_ok!(lock(2, 1_000));
		assert_noop!(unlock(2, 0), Error::<Test>::ZeroAmount);
		assert_noop!(unlock(2, 1_001), Error::<Test>::UnlockExceedsLock);

		run_to(5);
		assert_ok!(unlock(2, 100));
		assert_eq!(
			tier_lock(2),
			TierLock { active: 900, unlocking: 100, unlock_at: 5 + TIER_COOLDOWN }
		);
		assert_eq!(Credits::tier_of(&2), 1);
		// Still frozen: nothing left the lock yet.
		assert_eq!(frozen(2), 1_000);
		assert_noop!(transfer(2, 3, ENDOWMENT - 999), TokenError::Frozen);
		assert_eq!(
			last_event(),
			Event::TierUnlocking { who: 2, amount: 100, unlock_at: 5 + TIER_COOLDOWN, tier: 1 }
		);
		assert_eq!(
			Credits::tier_view(&2),
			TierView { tier: 1, active: 900, unlocking: 100, unlock_at: Some(5 + TIER_COOLDOWN) }
		);
		assert_noop!(unlock(2, 901), Error::<Test>::UnlockExceedsLock);

		// A second unlock adds to the amount and restarts the cool-down.
		run_to(15);
		assert_ok!(unlock(2, 50));
		assert_eq!(
			tier_lock(2),
			TierLock { active: 850, unlocking: 150, unlock_at: 15 + TIER_COOLDOWN }
		);
		run_to(5 + TIER_COOLDOWN);
		assert_noop!(withdraw(2), Error::<Test>::NothingToWithdraw);
		run_to(15 + TIER_COOLDOWN - 1);
		assert_noop!(withdraw(2), Error::<Test>::NothingToWithdraw);

		// After the cool-down: the unlocking part thaws, the rest stays frozen.
		run_to(15 + TIER_COOLDOWN);
		assert_ok!(withdraw(2));
		assert_eq!(last_event(), Event::TierWithdrawn { who: 2, amount: 150 });
		assert_eq!(tier_lock(2).active, 850);
		assert_eq!(tier_lock(2).unlocking, 0);
		assert_eq!(frozen(2), 850);
		assert_eq!(
			Credits::tier_view(&2),
			TierView { tier: 1, active: 850, unlocking: 0, unlock_at: None }
		);
		assert_noop!(transfer(2, 3, ENDOWMENT - 849), TokenError::Frozen);
		assert_ok!(transfer(2, 3, ENDOWMENT - 850));
		assert_noop!(withdraw(2), Error::<Test>::NothingToWithdraw);
	});
}

#[test]
fn withdraw_tier_thaws_everything_and_removes_the_record() {
	build_and_execute(|| {
		assert_noop!(withdraw(2), Error::<Test>::NoTierLock);
		assert_ok!(lock(2, 500));
		// Nothing is unlocking.
		assert_noop!(withdraw(2), Error::<Test>::NothingToWithdraw);

		assert_ok!(unlock(2, 500));
		assert_eq!(Credits::tier_of(&2), 0);
		assert_eq!(frozen(2), 500);
		assert_eq!(
			last_event(),
			Event::TierUnlocking { who: 2, amount: 500, unlock_at: 21, tier: 0 }
		);
		run_to(1 + TIER_COOLDOWN - 1);
		assert_noop!(withdraw(2), Error::<Test>::NothingToWithdraw);
		run_to(1 + TIER_COOLDOWN);
		assert_ok!(withdraw(2));
		assert!(!TierLocks::<Test>::contains_key(2));
		assert_eq!(frozen(2), 0);
		assert_eq!(last_event(), Event::TierWithdrawn { who: 2, amount: 500 });
		assert_eq!(Credits::tier_view(&2), TierView::default());
		assert_noop!(withdraw(2), Error::<Test>::NoTierLock);
		assert_noop!(unlock(2, 1), Error::<Test>::NoTierLock);
		// Everything can leave now.
		assert_ok!(transfer(2, 3, ENDOWMENT - ED));
		assert_eq!(free(2), ED);
	});
}

// ---------------------------------------------------------------- set_tiers

#[test]
fn set_tiers_checks_origin_and_table() {
	build_and_execute(|| {
		let genesis_tiers = Tiers::<Test>::get();
		assert_eq!(genesis_tiers.len(), 3);
		assert_noop!(
			Credits::set_tiers(signed(1), table(&[("Low", 500), ("High", 2_000)])),
			DispatchError::BadOrigin
		);
		assert_noop!(set_tiers(&[("A", 100), ("B", 100)]), Error::<Test>::BadTierTable);
		assert_noop!(set_tiers(&[("A", 200), ("B", 100)]), Error::<Test>::BadTierTable);
		assert_noop!(set_tiers(&[("A", 0), ("B", 100)]), Error::<Test>::BadTierTable);
		assert_noop!(set_tiers(&[("A", 0)]), Error::<Test>::BadTierTable);
		assert_noop!(set_tiers(&[("A", 1), ("B", 5), ("C", 5)]), Error::<Test>::BadTierTable);
		assert_eq!(Tiers::<Test>::get(), genesis_tiers);

		// The genesis builder's form: too many tiers, a name too long.
		let named = |n: usize, threshold: Balance| (vec![b'x'; n], threshold);
		assert_eq!(
			Credits::tier_table(vec![named(1, 1), named(1, 2), named(1, 3), named(1, 4)]),
			Err(Error::<Test>::TooManyTiers.into())
		);
		assert_eq!(
			Credits::tier_table(vec![named(33, 1)]),
			Err(Error::<Test>::BadTierTable.into())
		);
		assert_eq!(Credits::tier_table(vec![named(32, 1), named(1, 2)]).map(|t| t.len()), Ok(2));
	});
}

#[test]
fn set_tiers_changes_existing_accounts_tiers_at_once() {
	build_and_execute(|| {
		assert_ok!(lock(2, 1_000));
		assert_ok!(lock(3, 499));
		assert_eq!(Credits::tier_of(&2), 2);
		assert_eq!(Credits::tier_of(&3), 1);

		assert_ok!(set_tiers(&[("Low", 500), ("High", 2_000)]));
		assert_eq!(last_event(), Event::TiersSet { tiers: 2 });
		assert_eq!(Tiers::<Test>::get(), table(&[("Low", 500), ("High", 2_000)]));
		assert_eq!(Credits::tier_of(&2), 1);
		assert_eq!(Credits::tier_of(&3), 0);
		// The lowest tier is now 500.
		assert_noop!(lock(4, 499), Error::<Test>::BelowLowestTier);
		assert_ok!(lock(3, 1));
		assert_eq!(Credits::tier_of(&3), 1);

		assert_ok!(set_tiers(&[("Only", 5_000)]));
		assert_eq!(last_event(), Event::TiersSet { tiers: 1 });
		assert_eq!(Credits::tier_of(&2), 0);
		assert_ok!(lock(2, 4_000));
		assert_eq!(Credits::tier_of(&2), 1);
		// The records themselves never changed.
		assert_eq!(tier_lock(2).active, 5_000);
	});
}

// ---------------------------------------------------------------- can_call

#[test]
fn can_call_tells_whether_an_account_may_open_channels() {
	build_and_execute(|| {
		let open_to_all = register(1, 10, 0);
		let pro = register(1, 10, 2);
		assert_eq!(Credits::can_call(&2, open_to_all), CallEligibility::Allowed);
		assert_eq!(Credits::can_call(&2, pro + 1), CallEligibility::UnknownService);
		assert_eq!(Credits::can_call(&2, pro), CallEligibility::TierTooLow { has: 0, needs: 2 });

		assert_ok!(lock(2, 100));
		assert_eq!(Credits::can_call(&2, pro), CallEligibility::TierTooLow { has: 1, needs: 2 });
		assert_ok!(lock(2, 900));
		assert_eq!(Credits::can_call(&2, pro), CallEligibility::Allowed);
		// An unlock drops the tier at once.
		assert_ok!(unlock(2, 1));
		assert_eq!(Credits::can_call(&2, pro), CallEligibility::TierTooLow { has: 1, needs: 2 });
		assert_noop!(Credits::open_channel(signed(2), pro, 100, 50), Error::<Test>::TierTooLow);
		assert_ok!(lock(2, 1));
		assert_eq!(Credits::can_call(&2, pro), CallEligibility::Allowed);
		open(2, pro, 100, 50);

		// Retired (kept by its open channel): no one may open channels, whatever its tier.
		assert_ok!(Credits::retire_service(signed(1), pro));
		assert_eq!(Credits::can_call(&2, pro), CallEligibility::ServiceRetired);
		assert_eq!(Credits::can_call(&3, pro), CallEligibility::ServiceRetired);
		// Retired without channels: gone.
		assert_ok!(Credits::retire_service(signed(1), open_to_all));
		assert_eq!(Credits::can_call(&2, open_to_all), CallEligibility::UnknownService);
	});
}
