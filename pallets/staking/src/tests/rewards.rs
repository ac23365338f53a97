#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Era rewards: the inflation curve and the era payout, the fee pot, points-proportional paged
//! payouts with commission, claims and their errors, and the expiry of unclaimed rewards.

use super::*;
use crate::{ActiveEra, ErasElected, ErasStakersOverview, Error, Event, InflationCurve};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Perquintill};

/// The era-0 state used by the payout tests: no inflation (era rewards are exactly the fee pot),
/// `commission_11` set for 11 from era 1 on, then era 1 active with `pot` in the fee pot and
/// `points` authored. Returns after era 1 ended (era 2 active).
fn era_one_with(commission_11: Perbill, pot: Balance, points: &[(AccountId, u32)]) {
	no_inflation();
	assert_ok!(Staking::validate(signed(11), commission_11));
	advance_era();
	assert_eq!(active_era(), 1);
	fund_pot(1, pot);
	for &(author, blocks) in points {
		for _ in 0..blocks {
			reward_block(author);
		}
	}
	advance_era();
	assert_eq!(active_era(), 2);
}

/// What each payee of a page gets, in exact arithmetic: `(validator_total, commission,
/// leftover)` of `v` for an era reward `reward` and its points.
fn split(
	reward: Balance,
	points: u32,
	total_points: u32,
	commission: Perbill,
) -> (Balance, Balance, Balance) {
	let validator_total = mul_div(reward, points.into(), total_points.into());
	let commission = commission.mul_floor(validator_total);
	(validator_total, commission, validator_total - commission)
}

// ------------------------------------------------------------------------ inflation

#[test]
fn the_inflation_curve_decays_to_its_floor() {
	let pct = Perquintill::from_percent;
	let halving = InflationCurve { yearly: pct(10), decay: pct(50), floor: pct(3) };
	assert_eq!(halving.rate_in_year(0), pct(10));
	assert_eq!(halving.rate_in_year(1), pct(5));
	// 2.5 % is below the floor.
	assert_eq!(halving.rate_in_year(2), pct(3));
	assert_eq!(halving.rate_in_year(1_000_000), pct(3));
	assert_eq!(halving.rate_in_year(u32::MAX), pct(3));

	let slow = InflationCurve { yearly: pct(10), decay: pct(10), floor: Perquintill::zero() };
	assert_eq!(slow.rate_in_year(2), Perquintill::from_parts(81_000_000_000_000_000));
	assert!(slow.rate_in_year(50) < slow.rate_in_year(49));

	let flat = InflationCurve { yearly: pct(8), decay: Perquintill::zero(), floor: pct(2) };
	for year in [0, 1, 7, 1_000, u32::MAX] {
		assert_eq!(flat.rate_in_year(year), pct(8));
	}

	let cliff = InflationCurve { yearly: pct(8), decay: Perquintill::one(), floor: pct(1) };
	assert_eq!(cliff.rate_in_year(0), pct(8));
	assert_eq!(cliff.rate_in_year(1), pct(1));

	// A floor above the yearly rate wins from year 0.
	let floored = InflationCurve { yearly: pct(1), decay: pct(50), floor: pct(2) };
	assert_eq!(floored.rate_in_year(0), pct(2));
}

/// The active era's stamped start (run a block first if it was not stamped yet).
fn era_start() -> u64 {
	if ActiveEra::<Test>::get().unwrap().start.is_none() {
		run_to_block(System::block_number() + 1);
	}
	ActiveEra::<Test>::get().unwrap().start.expect("stamped in on_finalize")
}

/// Run the active era to its end and check its `EraPaid` against `rate`: inflation is
/// `rate × issuance × duration / year` (within rounding), split `InflationToTreasury` to the
/// treasury (minted there) and the rest to the pallet account, with the fee pot (`fees` in it)
/// added to the stakers' part. Returns `(inflation, to_stakers)`.
fn end_era_and_check_payout(rate: Perquintill, fees: Balance) -> (Balance, Balance) {
	let era = active_era();
	let start = era_start();
	let issuance_before = issuance();
	let treasury_before = free(TREASURY);
	let pallet_before = free(pallet_account());
	advance_era();
	let duration = now_ms() - start;

	let (inflation, to_stakers, to_treasury, from_fees) = era_paid(era);
	let expected = mul_div(rate.mul_floor(issuance_before), duration.into(), MS_PER_YEAR.into());
	assert!(expected > 1_000, "the test era mints a meaningful amount");
	assert_close(inflation, expected, 2 + expected / 1_000_000);
	assert_close(to_treasury, InflationToTreasury::get().mul_floor(inflation), 1);
	assert_eq!(to_stakers, inflation - to_treasury + fees);
	assert_eq!(from_fees, fees);
	assert_eq!(era_reward(era), to_stakers);
	// Only the inflation is new money; the fees moved from the pot.
	assert_eq!(issuance(), issuance_before + inflation);
	assert_eq!(free(TREASURY), treasury_before + to_treasury);
	assert_eq!(free(pallet_account()), pallet_before + to_stakers);
	assert_eq!(free(REWARD_POT), ED);
	(inflation, to_stakers)
}

#[test]
fn an_era_mints_rate_times_issuance_times_duration() {
	build_and_execute(|| {
		reward_block(11);
		end_era_and_check_payout(Perquintill::from_percent(10), 0);
		// The next era, a full one, likewise.
		reward_block(21);
		let (inflation, _) = end_era_and_check_payout(Perquintill::from_percent(10), 0);
		// A full era: SessionsPerEra sessions of PERIOD blocks.
		let era_ms = u64::from(SessionsPerEra::get()) * PERIOD * BLOCK_TIME;
		let expected = mul_div(
			Perquintill::from_percent(10).mul_floor(issuance() - inflation),
			era_ms.into(),
			MS_PER_YEAR.into(),
		);
		assert_close(inflation, expected, 2 + expected / 1_000_000);
	});
}

#[test]
fn the_treasury_share_follows_the_parameter() {
	build_and_execute(|| {
		InflationToTreasury::set(Perbill::from_percent(50));
		reward_block(11);
		let (inflation, to_stakers) = end_era_and_check_payout(Perquintill::from_percent(10), 0);
		assert_close(to_stakers, inflation / 2, 1);

		InflationToTreasury::set(Perbill::zero());
		reward_block(11);
		let (inflation, to_stakers) = end_era_and_check_payout(Perquintill::from_percent(10), 0);
		assert_eq!(to_stakers, inflation);
	});
}

#[test]
fn the_rate_decays_with_the_years_since_the_first_era() {
	build_and_execute(|| {
		YearlyInflation::set(Perquintill::from_percent(10));
		InflationDecay::set(Perquintill::from_percent(50));
		MinInflation::set(Perquintill::from_percent(3));
		reward_block(11);
		assert_eq!(era_start(), INITIAL_MS);
		assert_eq!(crate::InflationStart::<Test>::get(), Some(INITIAL_MS));

		// Era 0 lasts a year (its rate is not checked: it straddles the boundary).
		advance_time(MS_PER_YEAR);
		advance_era();
		// Era 1 is in year 1: 5 %.
		reward_block(11);
		end_era_and_check_payout(Perquintill::from_percent(5), 0);
		// A year later: 2.5 %, below the floor of 3 %.
		advance_time(MS_PER_YEAR);
		advance_era();
		reward_block(11);
		end_era_and_check_payout(Perquintill::from_percent(3), 0);
	});
}

#[test]
fn the_fee_pot_joins_the_era_reward() {
	build_and_execute(|| {
		fund_pot(1, 5_000);
		fund_pot(2, 2_500);
		reward_block(11);
		let (inflation, to_stakers) =
			end_era_and_check_payout(Perquintill::from_percent(10), 7_500);
		assert!(to_stakers > 7_500 && inflation > 0);
		// The pot is swept each era: nothing joins the next one.
		reward_block(11);
		end_era_and_check_payout(Perquintill::from_percent(10), 0);
	});
}

#[test]
fn an_era_without_points_gives_its_reward_to_the_treasury() {
	build_and_execute(|| {
		fund_pot(1, 5_000);
		advance_session();
		let issuance_before = issuance();
		let treasury_before = free(TREASURY);
		let pallet_before = free(pallet_account());
		advance_era();

		let (inflation, _, _, from_fees) = era_paid(0);
		assert!(inflation > 0);
		assert_eq!(from_fees, 5_000);
		assert_eq!(era_reward(0), 0);
		assert_eq!(free(TREASURY), treasury_before + inflation + 5_000);
		assert_eq!(free(pallet_account()), pallet_before);
		assert_eq!(issuance(), issuance_before + inflation);
		assert_eq!(free(REWARD_POT), ED);
		// Nothing to claim: the claim succeeds and pays nothing.
		let before = free(11);
		assert_ok!(Staking::payout_stakers(signed(1), 11, 0, 0));
		assert_eq!(free(11), before);
	});
}

// ------------------------------------------------------------------------ payouts

#[test]
fn payouts_follow_points_commission_and_stake() {
	build_and_execute(|| {
		era_one_with(Perbill::from_percent(10), 1_000_000, &[(11, 3), (21, 1)]);
		assert_eq!(era_paid(1), (0, 1_000_000, 0, 1_000_000));
		assert_eq!(era_reward(1), 1_000_000);
		assert_eq!(era_commission(1, 11), Some(Perbill::from_percent(10)));
		let total_points = 4 * POINTS_PER_BLOCK;
		let pallet_before = free(pallet_account());

		// 11: three quarters; 10 % commission; the rest split 1_000 (own) : 300 (101).
		let (before_11, before_101) = (free(11), free(101));
		assert_ok!(Staking::payout_stakers(signed(1), 11, 1, 0));
		let (_, commission, leftover) =
			split(1_000_000, 3 * POINTS_PER_BLOCK, total_points, Perbill::from_percent(10));
		assert_eq!(commission, 75_000);
		let own = commission + mul_div(leftover, 1_000, 1_300);
		let of_101 = mul_div(leftover, 300, 1_300);
		assert_close(free(11) - before_11, own, 1);
		assert_close(free(101) - before_101, of_101, 1);
		assert!(has_event(Event::PayoutStarted { era: 1, validator: 11, page: 0 }));
		let mut paid = rewarded(1);
		paid.sort_unstable();
		assert_eq!(paid, vec![(11, free(11) - before_11), (101, free(101) - before_101)]);
		assert_eq!(claimed(1, 11), vec![0]);
		assert_noop!(Staking::payout_stakers(signed(1), 11, 1, 0), Error::<Test>::AlreadyClaimed);

		// 21: a quarter, no commission.
		let (before_21, before_101) = (free(21), free(101));
		assert_ok!(Staking::payout_stakers(signed(2), 21, 1, 0));
		let (_, commission, leftover) =
			split(1_000_000, POINTS_PER_BLOCK, total_points, Perbill::zero());
		assert_eq!(commission, 0);
		assert_close(free(21) - before_21, mul_div(leftover, 1_000, 1_300), 1);
		assert_close(free(101) - before_101, mul_div(leftover, 300, 1_300), 1);

		// 31 authored nothing: its page pays nothing but counts as claimed.
		let before_31 = free(31);
		assert_ok!(Staking::payout_stakers(signed(3), 31, 1, 0));
		assert_eq!(free(31), before_31);
		assert_eq!(claimed(1, 31), vec![0]);
		assert_noop!(Staking::payout_stakers(signed(3), 31, 1, 0), Error::<Test>::AlreadyClaimed);

		// Everything paid came from the pallet account, within the era reward.
		let total_paid: Balance = rewarded(1).iter().map(|(_, a)| a).sum();
		assert_eq!(era_reward_paid(1), total_paid);
		assert!(total_paid <= 1_000_000);
		assert!(1_000_000 - total_paid <= 6, "rounding loses at most a unit per payee");
		assert_eq!(free(pallet_account()), pallet_before - total_paid);
	});
}

#[test]
fn each_page_is_paid_once_and_only_page_zero_pays_the_validator() {
	build_and_execute(|| {
		// Eight nominators of 11 (101's 300 included), three pages: [6, 2, 3], [4, 101, 7],
		// [1, 5].
		for (who, stake) in [(1, 100), (2, 700), (3, 300), (4, 300), (5, 50), (6, 900), (7, 200)] {
			nominator(who, stake, &[11]);
		}
		era_one_with(Perbill::from_percent(20), 1_000_000, &[(11, 1)]);
		assert_eq!(overview(1, 11), Some((3_850, 1_000, 8, 3)));
		let (_, commission, leftover) = split(1_000_000, 1, 1, Perbill::from_percent(20));
		assert_eq!(commission, 200_000);
		let share = |stake: Balance| mul_div(leftover, stake, 3_850);
		let stakers = [11, 1, 2, 3, 4, 5, 6, 7, 101];
		let balances = || stakers.map(free);

		// Pages in any order; page 2 first: 1 and 5 only.
		let before = balances();
		assert_ok!(Staking::payout_stakers(signed(50), 11, 1, 2));
		let after = balances();
		for (i, who) in stakers.iter().enumerate() {
			let expected = match who {
				1 => share(100),
				5 => share(50),
				_ => 0,
			};
			assert_close(after[i] - before[i], expected, 1);
		}
		assert_eq!(claimed(1, 11), vec![2]);

		// Page 0: the validator (commission and own share), 6, 2 and 3.
		let before = balances();
		assert_ok!(Staking::payout_stakers(signed(50), 11, 1, 0));
		let after = balances();
		for (i, who) in stakers.iter().enumerate() {
			let expected = match who {
				11 => commission + share(1_000),
				6 => share(900),
				2 => share(700),
				3 => share(300),
				_ => 0,
			};
			assert_close(after[i] - before[i], expected, 1);
		}

		// Page 1: 4, 101 and 7.
		let before = balances();
		assert_ok!(Staking::payout_stakers(signed(50), 11, 1, 1));
		let after = balances();
		for (i, who) in stakers.iter().enumerate() {
			let expected = match who {
				4 | 101 => share(300),
				7 => share(200),
				_ => 0,
			};
			assert_close(after[i] - before[i], expected, 1);
		}
		assert_eq!(claimed(1, 11), vec![0, 1, 2]);
		for page in 0..3 {
			assert_noop!(
				Staking::payout_stakers(signed(50), 11, 1, page),
				Error::<Test>::AlreadyClaimed
			);
		}
		assert_noop!(Staking::payout_stakers(signed(50), 11, 1, 3), Error::<Test>::InvalidPage);

		let total_paid: Balance = rewarded(1).iter().map(|(_, a)| a).sum();
		assert_eq!(era_reward_paid(1), total_paid);
		assert!(total_paid <= 1_000_000);
		assert!(1_000_000 - total_paid <= 10, "rounding loses at most a unit per payee");
	});
}

#[test]
fn payout_errors() {
	build_and_execute(|| {
		era_one_with(Perbill::zero(), 1_000_000, &[(11, 1), (21, 1)]);
		// The active era and later ones have not ended.
		assert_noop!(Staking::payout_stakers(signed(1), 11, 2, 0), Error::<Test>::EraNotFinished);
		assert_noop!(Staking::payout_stakers(signed(1), 11, 7, 0), Error::<Test>::EraNotFinished);
		// 41 was not elected.
		assert_noop!(Staking::payout_stakers(signed(1), 41, 1, 0), Error::<Test>::NotElected);
		assert_noop!(Staking::payout_stakers(signed(1), 1, 1, 0), Error::<Test>::NotElected);
		// 11 has one page.
		assert_noop!(Staking::payout_stakers(signed(1), 11, 1, 1), Error::<Test>::InvalidPage);
		assert_noop!(
			Staking::payout_stakers(RuntimeOrigin::none(), 11, 1, 0),
			DispatchError::BadOrigin
		);
		assert_ok!(Staking::payout_stakers(signed(1), 11, 1, 0));
		assert_noop!(Staking::payout_stakers(signed(1), 11, 1, 0), Error::<Test>::AlreadyClaimed);
	});
}

#[test]
fn rewards_expire_after_the_history_depth() {
	build_and_execute(|| {
		era_one_with(Perbill::zero(), 1_000_000, &[(11, 1), (21, 1)]);
		// Era 1 stays claimable while 1 + HistoryDepth >= the active era.
		advance_eras(HistoryDepth::get() + 1 - active_era());
		assert_eq!(active_era(), 1 + HistoryDepth::get());
		assert_ok!(Staking::payout_stakers(signed(1), 21, 1, 0));
		advance_era();
		assert_noop!(Staking::payout_stakers(signed(1), 11, 1, 0), Error::<Test>::EraTooOld);
	});
}

#[test]
fn unclaimed_rewards_go_to_the_treasury_when_the_era_is_pruned() {
	build_and_execute(|| {
		era_one_with(Perbill::zero(), 1_000_000, &[(11, 1), (21, 1)]);
		assert_ok!(Staking::payout_stakers(signed(1), 11, 1, 0));
		let paid = era_reward_paid(1);
		assert!(paid > 0 && paid < 1_000_000);

		advance_eras(HistoryDepth::get() + 1 - active_era());
		assert!(ErasElected::<Test>::contains_key(1));
		let treasury_before = free(TREASURY);
		let pallet_before = free(pallet_account());
		let issuance_before = issuance();
		// Era 1 + HistoryDepth + 1 starts: era 1 is pruned. No inflation, and the era that ends
		// had no points and an empty pot: only the unclaimed reward moves.
		advance_era();
		assert_eq!(active_era(), HistoryDepth::get() + 2);
		assert_eq!(free(TREASURY), treasury_before + (1_000_000 - paid));
		assert_eq!(free(pallet_account()), pallet_before - (1_000_000 - paid));
		assert_eq!(issuance(), issuance_before);

		assert!(crate::ErasValidatorReward::<Test>::get(1).is_none());
		assert_eq!(era_reward_paid(1), 0);
		assert!(!ErasElected::<Test>::contains_key(1));
		assert!(crate::ErasRewardPoints::<Test>::get(1).is_none());
		assert!(ErasStakersOverview::<Test>::iter_prefix(1).next().is_none());
		assert!(crate::ErasValidatorPrefs::<Test>::iter_prefix(1).next().is_none());
		assert!(crate::ClaimedRewards::<Test>::iter_prefix(1).next().is_none());
		assert_eq!(exposure_page(1, 11, 0), vec![]);
		// The next era is still there.
		assert!(ErasElected::<Test>::contains_key(2));
	});
}

#[test]
fn all_payouts_of_an_inflation_era_stay_within_its_reward() {
	build_and_execute(|| {
		for (who, stake) in [(1, 100), (2, 700), (3, 300), (4, 300), (5, 50)] {
			nominator(who, stake, &[11, 21, 31]);
		}
		assert_ok!(Staking::validate(signed(21), Perbill::from_percent(33)));
		advance_era();
		fund_pot(60, 12_345);
		for (author, blocks) in [(11, 7), (21, 5), (31, 3)] {
			for _ in 0..blocks {
				reward_block(author);
			}
		}
		advance_era();
		let reward = era_reward(1);
		assert!(reward > 12_345);
		for v in elected(1) {
			let pages = overview(1, v).unwrap().3;
			for page in 0..pages {
				assert_ok!(Staking::payout_stakers(signed(60), v, 1, page));
			}
		}
		let total_paid: Balance = rewarded(1).iter().map(|(_, a)| a).sum();
		assert_eq!(era_reward_paid(1), total_paid);
		assert!(total_paid <= reward);
		assert!(reward - total_paid <= 30, "rounding loses at most a unit per payee");
	});
}
