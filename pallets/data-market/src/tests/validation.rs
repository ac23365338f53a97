//! Curation: `submit_claim`, `counter_claim`, `conclude_claim` and `resolve_claim`, with stakes,
//! bonds, slashes, the curator reward pot and the datasets' curation funds.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{
	mock::*, types::*, ClaimKind, Claims, CurationFunds, DatasetId, Datasets, Error, Event,
	HoldReason, ValidationState,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::Mutate};
use sp_runtime::{DispatchError, DispatchResult, Perbill};

use ClaimKind::{License, RootHash, Schema};

// ---------------------------------------------------------------- helpers

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn last_event() -> Event<Test> {
	market_events().pop().expect("an event of the data market")
}

fn submit(who: AccountId, d: DatasetId, kind: ClaimKind, stake: Balance) -> DispatchResult {
	DataMarket::submit_claim(signed(who), d, kind, stake)
}

fn counter(who: AccountId, d: DatasetId, kind: ClaimKind, bond: Balance) -> DispatchResult {
	DataMarket::counter_claim(signed(who), d, kind, bond)
}

fn conclude(d: DatasetId, kind: ClaimKind) -> DispatchResult {
	DataMarket::conclude_claim(signed(9), d, kind)
}

fn resolve(d: DatasetId, kind: ClaimKind, upheld: bool) -> DispatchResult {
	DataMarket::resolve_claim(RuntimeOrigin::root(), d, kind, upheld)
}

fn state(d: DatasetId, kind: ClaimKind) -> ValidationState {
	Datasets::<Test>::get(d).expect("the dataset exists").validation.get(kind)
}

fn open_claim(d: DatasetId, kind: ClaimKind) -> Claim<Test> {
	Claims::<Test>::get(d, kind).expect("an open claim")
}

/// Put `amount` into the curator reward pot (from account 20). It belongs to no dataset, so it
/// funds no reward.
fn fund_pot(amount: Balance) {
	assert_ok!(Balances::transfer_allow_death(signed(20), pot(), amount));
}

/// `d`'s curation fund.
fn fund_of(d: DatasetId) -> Balance {
	CurationFunds::<Test>::get(d)
}

fn fee_of(amount: Balance) -> Balance {
	Perbill::from_percent(PROTOCOL_FEE_PERCENT).mul_ceil(amount)
}

fn pot_part(fee: Balance) -> Balance {
	Perbill::from_percent(FEE_TO_CURATORS_PERCENT).mul_floor(fee)
}

/// `buyer` buys `d`, its owner delivers the key and the sale completes after the dispute window
/// (the chain moves past it). Returns what the sale added to `d`'s curation fund.
fn sell(d: DatasetId, buyer: AccountId) -> Balance {
	let owner = Datasets::<Test>::get(d).expect("the dataset exists").owner;
	let before = fund_of(d);
	let p = buy(buyer, d);
	deliver(owner, p);
	run_to_block(System::block_number() + DISPUTE_PERIOD + 1);
	assert_ok!(DataMarket::complete_sale(signed(buyer), p));
	fund_of(d) - before
}

// ---------------------------------------------------------------- submit_claim

#[test]
fn submit_claim_holds_the_stake() {
	build_and_execute(|| {
		let d = list(1);
		run_to_block(2);
		assert_ok!(submit(2, d, RootHash, 150));
		assert_eq!(held(HoldReason::ClaimStake, 2), 150);
		assert_eq!(free(2), ENDOWMENT - 150);
		assert_eq!(
			open_claim(d, RootHash),
			Claim::<Test> {
				curator: 2,
				stake: 150,
				until: 2 + CLAIM_PERIOD,
				counter: None,
				previous: ValidationState::Unchecked,
			}
		);
		assert_eq!(state(d, RootHash), ValidationState::Pending);
		assert_eq!(state(d, Schema), ValidationState::Unchecked);
		assert_eq!(
			last_event(),
			Event::ClaimSubmitted {
				dataset: d,
				kind: RootHash,
				curator: 2,
				stake: 150,
				until: 2 + CLAIM_PERIOD,
			}
		);

		// Each property has its own claim.
		claim(3, d, Schema);
		claim(2, d, License);
		assert_eq!(held(HoldReason::ClaimStake, 2), 150 + MIN_CLAIM_STAKE);
		assert_eq!(held(HoldReason::ClaimStake, 3), MIN_CLAIM_STAKE);
		assert_eq!(state(d, Schema), ValidationState::Pending);
		assert_eq!(state(d, License), ValidationState::Pending);
	});
}

#[test]
fn submit_claim_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(submit(2, 99, RootHash, MIN_CLAIM_STAKE), Error::<Test>::UnknownDataset);
		assert_noop!(submit(1, d, RootHash, MIN_CLAIM_STAKE), Error::<Test>::OwnerCannotCurate);
		assert_noop!(submit(2, d, RootHash, MIN_CLAIM_STAKE - 1), Error::<Test>::StakeTooLow);
		assert_noop!(submit(2, d, RootHash, 0), Error::<Test>::StakeTooLow);
		assert_noop!(submit(2, d, RootHash, ENDOWMENT), Error::<Test>::InsufficientBalance);
		assert_noop!(submit(21, d, RootHash, MIN_CLAIM_STAKE), Error::<Test>::InsufficientBalance);
		claim(2, d, RootHash);
		assert_noop!(submit(3, d, RootHash, MIN_CLAIM_STAKE), Error::<Test>::ClaimOpen);
		assert_noop!(submit(2, d, RootHash, 500), Error::<Test>::ClaimOpen);
		// All but the existential deposit is fine.
		assert_ok!(submit(3, d, Schema, ENDOWMENT - ED));
		assert_eq!(free(3), ED);
	});
}

// ---------------------------------------------------------------- counter_claim

#[test]
fn counter_claim_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(counter(3, 99, RootHash, MIN_CLAIM_STAKE), Error::<Test>::UnknownDataset);
		assert_noop!(counter(3, d, RootHash, MIN_CLAIM_STAKE), Error::<Test>::UnknownClaim);
		assert_ok!(submit(2, d, RootHash, 150));
		assert_noop!(counter(2, d, RootHash, 150), Error::<Test>::SelfCounter);
		assert_noop!(counter(1, d, RootHash, 150), Error::<Test>::OwnerCannotCurate);
		assert_noop!(counter(3, d, RootHash, 149), Error::<Test>::CounterBondTooLow);
		assert_noop!(counter(3, d, RootHash, 2 * ENDOWMENT), Error::<Test>::InsufficientBalance);
		assert_noop!(counter(3, d, Schema, 150), Error::<Test>::UnknownClaim);

		assert_ok!(counter(3, d, RootHash, 150));
		assert_noop!(counter(4, d, RootHash, 300), Error::<Test>::AlreadyCountered);
		assert_noop!(counter(3, d, RootHash, 300), Error::<Test>::AlreadyCountered);
	});
}

#[test]
fn counter_claim_holds_the_bond() {
	build_and_execute(|| {
		let d = list(1);
		claim(2, d, RootHash);
		assert_ok!(counter(3, d, RootHash, 120));
		assert_eq!(held(HoldReason::ClaimStake, 3), 120);
		assert_eq!(free(3), ENDOWMENT - 120);
		assert_eq!(held(HoldReason::ClaimStake, 2), MIN_CLAIM_STAKE);
		assert_eq!(open_claim(d, RootHash).counter, Some((3, 120)));
		assert_eq!(state(d, RootHash), ValidationState::Contested);
		assert_eq!(
			last_event(),
			Event::ClaimCountered { dataset: d, kind: RootHash, challenger: 3, bond: 120 }
		);
	});
}

#[test]
fn the_counter_claim_window_ends() {
	build_and_execute(|| {
		let d = list(1);
		claim(2, d, RootHash);
		claim(2, d, Schema);
		assert_eq!(open_claim(d, RootHash).until, 1 + CLAIM_PERIOD);
		// The last block of the window is still in time.
		run_to_block(1 + CLAIM_PERIOD);
		assert_ok!(counter(3, d, Schema, MIN_CLAIM_STAKE));
		run_to_block(2 + CLAIM_PERIOD);
		assert_noop!(counter(3, d, RootHash, MIN_CLAIM_STAKE), Error::<Test>::ClaimPeriodOver);
	});
}

// ---------------------------------------------------------------- conclude_claim

#[test]
fn conclude_claim_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(conclude(d, RootHash), Error::<Test>::UnknownClaim);
		assert_noop!(conclude(99, RootHash), Error::<Test>::UnknownClaim);
		claim(2, d, RootHash);
		claim(2, d, Schema);
		assert_ok!(counter(3, d, Schema, MIN_CLAIM_STAKE));
		run_to_block(1 + CLAIM_PERIOD);
		assert_noop!(conclude(d, RootHash), Error::<Test>::ClaimPeriodNotOver);
		run_to_block(2 + CLAIM_PERIOD);
		assert_noop!(conclude(d, Schema), Error::<Test>::ClaimContested);
		assert_ok!(conclude(d, RootHash));
		assert_noop!(conclude(d, RootHash), Error::<Test>::UnknownClaim);
	});
}

#[test]
fn conclude_claim_pays_the_curator_reward_from_the_pot() {
	build_and_execute(|| {
		let d = list(1);
		// A sale of `d` (fee 100) put 50 into the pot, credited to `d`'s fund.
		assert_eq!(sell(d, 5), pot_part(fee_of(1_000)));
		assert_eq!(fund_of(d), 50);
		assert_eq!(free(pot()), ED + 50);
		let now = System::block_number();
		claim(2, d, RootHash);
		run_to_block(now + CLAIM_PERIOD + 1);
		assert_ok!(conclude(d, RootHash));
		assert_eq!(free(2), ENDOWMENT + CURATOR_REWARD);
		assert_eq!(held(HoldReason::ClaimStake, 2), 0);
		assert_eq!(free(pot()), ED + 50 - CURATOR_REWARD);
		assert_eq!(fund_of(d), 50 - CURATOR_REWARD);
		assert_eq!(state(d, RootHash), ValidationState::Validated);
		assert!(Claims::<Test>::get(d, RootHash).is_none());
		assert_eq!(
			last_event(),
			Event::ClaimResolved {
				dataset: d,
				kind: RootHash,
				state: ValidationState::Validated,
				winner: 2,
				reward: CURATOR_REWARD,
			}
		);
	});
}

#[test]
fn a_poor_pot_pays_only_what_keeps_it_alive() {
	build_and_execute(|| {
		// A pot without its existential deposit: the first fee it receives keeps it alive, and
		// that part of the dataset's fund cannot be paid out.
		let _ = <Balances as Mutate<AccountId>>::set_balance(&pot(), 0);
		assert_eq!(free(pot()), 0);
		// A sale at 200: fee 20, 10 to the pot and to the fund.
		let d = list_with(1, listing(200, 0), &[]);
		assert_eq!(sell(d, 5), 10);
		assert_eq!(free(pot()), 10);
		let now = System::block_number();
		claim(2, d, RootHash);
		claim(3, d, Schema);
		run_to_block(now + CLAIM_PERIOD + 1);

		// The fund holds 10, the pot can give 9.
		assert_ok!(conclude(d, RootHash));
		assert_eq!(free(2), ENDOWMENT + 9);
		assert_eq!(free(pot()), ED);
		assert_eq!(fund_of(d), ED);
		assert_eq!(
			last_event(),
			Event::ClaimResolved {
				dataset: d,
				kind: RootHash,
				state: ValidationState::Validated,
				winner: 2,
				reward: 9,
			}
		);

		// Only the existential deposit left: no reward, the claim still concludes.
		assert_ok!(conclude(d, Schema));
		assert_eq!(free(3), ENDOWMENT);
		assert_eq!(held(HoldReason::ClaimStake, 3), 0);
		assert_eq!(free(pot()), ED);
		assert_eq!(fund_of(d), ED);
		assert_eq!(state(d, Schema), ValidationState::Validated);
		assert_eq!(
			last_event(),
			Event::ClaimResolved {
				dataset: d,
				kind: Schema,
				state: ValidationState::Validated,
				winner: 3,
				reward: 0,
			}
		);
	});
}

#[test]
fn sale_fees_feed_the_pot() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		deliver(1, p);
		claim(3, d, License);
		run_to_block(2 + CLAIM_PERIOD);
		assert_ok!(DataMarket::complete_sale(signed(4), p));
		// Half of the 100 fee, credited to the dataset sold.
		assert_eq!(free(pot()), ED + 50);
		assert_eq!(fund_of(d), 50);
		assert_ok!(conclude(d, License));
		assert_eq!(free(3), ENDOWMENT + CURATOR_REWARD);
		assert_eq!(free(pot()), ED + 50 - CURATOR_REWARD);
		assert_eq!(fund_of(d), 50 - CURATOR_REWARD);
	});
}

// ---------------------------------------------------------------- curation funds

#[test]
fn self_curation_through_a_second_account_earns_no_reward() {
	build_and_execute(|| {
		// Owner 1 lists a dataset nobody buys; its second account 2 claims every property.
		let d = list(1);
		// The pot holds money, but none of it was paid by this dataset's sales.
		fund_pot(1_000);
		let (pot_free, owner_free) = (free(pot()), free(1));
		for kind in [RootHash, Schema, License] {
			claim(2, d, kind);
		}
		assert_eq!(held(HoldReason::ClaimStake, 2), 3 * MIN_CLAIM_STAKE);
		run_to_block(2 + CLAIM_PERIOD);

		for kind in [RootHash, Schema, License] {
			assert_ok!(conclude(d, kind));
			assert_eq!(state(d, kind), ValidationState::Validated);
			assert_eq!(
				last_event(),
				Event::ClaimResolved {
					dataset: d,
					kind,
					state: ValidationState::Validated,
					winner: 2,
					reward: 0,
				}
			);
		}
		// The stakes are back and nothing else was paid.
		assert_eq!(held(HoldReason::ClaimStake, 2), 0);
		assert_eq!(free(2), ENDOWMENT);
		assert_eq!(free(1), owner_free);
		assert_eq!(free(pot()), pot_free);
		assert!(!CurationFunds::<Test>::contains_key(d));
	});
}

#[test]
fn a_claim_is_rewarded_from_its_datasets_sales() {
	build_and_execute(|| {
		let d = list_with(1, listing(600, 0), &[]);
		let e = list(3);
		// Unattributed money in the pot changes nothing below.
		fund_pot(1_000);
		// A sale of `d` (fee 60) funds 30, one of `e` (fee 100) funds 50.
		assert_eq!(sell(d, 5), 30);
		assert_eq!(sell(e, 5), 50);
		assert_eq!((fund_of(d), fund_of(e)), (30, 50));
		let pot_free = free(pot());
		let now = System::block_number();
		claim(2, d, RootHash);
		claim(4, d, Schema);
		claim(7, d, License);
		assert_ok!(counter(8, d, License, MIN_CLAIM_STAKE));
		run_to_block(now + CLAIM_PERIOD + 1);

		// The full reward while the fund allows it, taken out of the fund.
		assert_ok!(conclude(d, RootHash));
		assert_eq!(free(2), ENDOWMENT + CURATOR_REWARD);
		assert_eq!(fund_of(d), 30 - CURATOR_REWARD);

		// Then what is left of the fund, which is used up.
		assert_ok!(conclude(d, Schema));
		assert_eq!(free(4), ENDOWMENT + 10);
		assert_eq!(
			last_event(),
			Event::ClaimResolved {
				dataset: d,
				kind: Schema,
				state: ValidationState::Validated,
				winner: 4,
				reward: 10,
			}
		);
		assert!(!CurationFunds::<Test>::contains_key(d));

		// An exhausted fund pays nothing: an upheld claim gets only its share of the counter
		// bond.
		let share = Perbill::from_percent(50).mul_floor(MIN_CLAIM_STAKE);
		assert_ok!(resolve(d, License, true));
		assert_eq!(free(7), ENDOWMENT + share);
		assert_eq!(
			last_event(),
			Event::ClaimResolved {
				dataset: d,
				kind: License,
				state: ValidationState::Validated,
				winner: 7,
				reward: share,
			}
		);

		// The pot paid `d`'s fund and nothing more; `e`'s fund is untouched.
		assert_eq!(free(pot()), pot_free - 30);
		assert_eq!(fund_of(e), 50);
	});
}

#[test]
fn buying_ones_own_dataset_costs_more_than_the_rewards_it_funds() {
	build_and_execute(|| {
		// Owner 1 and its second account 2, counted together (held deposits included).
		let wealth =
			|| [1, 2].iter().map(|a| free(*a) + Balances::reserved_balance(*a)).sum::<Balance>();
		let d = list(1);
		fund_pot(1_000);
		let before = wealth();

		// 2 buys the dataset: the pair pays the whole fee, the fund gets its curators' part.
		let fee = fee_of(1_000);
		let funded = sell(d, 2);
		assert_eq!((fee, funded), (100, pot_part(fee)));
		assert_eq!(wealth(), before - fee);

		// 2 then claims every property and collects all the rewards the sale funded.
		let now = System::block_number();
		for kind in [RootHash, Schema, License] {
			claim(2, d, kind);
		}
		run_to_block(now + CLAIM_PERIOD + 1);
		let mut rewards = 0;
		for kind in [RootHash, Schema, License] {
			assert_ok!(conclude(d, kind));
			match last_event() {
				Event::ClaimResolved { reward, .. } => rewards += reward,
				e => panic!("unexpected event {e:?}"),
			}
		}
		// 20 + 20 + the 10 left: exactly the fund, never more.
		assert_eq!(rewards, funded);
		assert!(!CurationFunds::<Test>::contains_key(d));

		// The pair is poorer by the fee less its curators' part.
		assert_eq!(wealth(), before - (fee - funded));
		assert!(wealth() < before);
	});
}

// ---------------------------------------------------------------- resolve_claim

#[test]
fn resolve_claim_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(resolve(d, RootHash, true), Error::<Test>::UnknownClaim);
		claim(2, d, RootHash);
		assert_noop!(resolve(d, RootHash, true), Error::<Test>::NotCountered);
		assert_noop!(resolve(d, RootHash, false), Error::<Test>::NotCountered);
		assert_ok!(counter(3, d, RootHash, MIN_CLAIM_STAKE));
		assert_noop!(
			DataMarket::resolve_claim(signed(1), d, RootHash, true),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DataMarket::resolve_claim(signed(2), d, RootHash, true),
			DispatchError::BadOrigin
		);
		assert_noop!(resolve(d, Schema, true), Error::<Test>::UnknownClaim);
		// The decision does not wait for the window to end.
		assert_ok!(resolve(d, RootHash, true));
		assert_noop!(resolve(d, RootHash, true), Error::<Test>::UnknownClaim);
	});
}

#[test]
fn an_upheld_claim_slashes_the_challenger() {
	build_and_execute(|| {
		let d = list(1);
		// A sale of `d` funds 50.
		assert_eq!(sell(d, 5), 50);
		claim(2, d, RootHash);
		assert_ok!(counter(3, d, RootHash, 101));
		let issuance = Balances::total_issuance();
		let (treasury, pot_free) = (free(TREASURY), free(pot()));

		assert_ok!(resolve(d, RootHash, true));
		// Stake back, half of the 101 bond (rounded down) and the pot's reward.
		assert_eq!(free(2), ENDOWMENT + 50 + CURATOR_REWARD);
		assert_eq!(held(HoldReason::ClaimStake, 2), 0);
		assert_eq!(free(3), ENDOWMENT - 101);
		assert_eq!(held(HoldReason::ClaimStake, 3), 0);
		assert_eq!(free(TREASURY), treasury + 51);
		assert_eq!(free(pot()), pot_free - CURATOR_REWARD);
		assert_eq!(fund_of(d), 50 - CURATOR_REWARD);
		assert_eq!(state(d, RootHash), ValidationState::Validated);
		assert!(Claims::<Test>::get(d, RootHash).is_none());
		assert_eq!(
			last_event(),
			Event::ClaimResolved {
				dataset: d,
				kind: RootHash,
				state: ValidationState::Validated,
				winner: 2,
				reward: 50 + CURATOR_REWARD,
			}
		);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn a_rejected_claim_slashes_the_curator() {
	build_and_execute(|| {
		let d = list(1);
		fund_pot(1_000);
		assert_ok!(submit(2, d, RootHash, 101));
		assert_ok!(counter(3, d, RootHash, 150));
		let issuance = Balances::total_issuance();
		let treasury = free(TREASURY);

		assert_ok!(resolve(d, RootHash, false));
		// The challenger's bond back and half of the 101 stake (rounded down).
		assert_eq!(free(3), ENDOWMENT + 50);
		assert_eq!(held(HoldReason::ClaimStake, 3), 0);
		assert_eq!(free(2), ENDOWMENT - 101);
		assert_eq!(held(HoldReason::ClaimStake, 2), 0);
		assert_eq!(free(TREASURY), treasury + 51);
		// The pot pays nothing.
		assert_eq!(free(pot()), ED + 1_000);
		assert!(!CurationFunds::<Test>::contains_key(d));
		assert_eq!(state(d, RootHash), ValidationState::Refuted);
		assert!(Claims::<Test>::get(d, RootHash).is_none());
		assert_eq!(
			last_event(),
			Event::ClaimResolved {
				dataset: d,
				kind: RootHash,
				state: ValidationState::Refuted,
				winner: 3,
				reward: 50,
			}
		);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn a_property_can_be_claimed_again_and_the_previous_state_is_recorded() {
	build_and_execute(|| {
		let d = list(1);
		claim(2, d, RootHash);
		assert_ok!(counter(3, d, RootHash, MIN_CLAIM_STAKE));
		assert_ok!(resolve(d, RootHash, false));
		assert_eq!(state(d, RootHash), ValidationState::Refuted);

		run_to_block(5);
		claim(4, d, RootHash);
		let c = open_claim(d, RootHash);
		assert_eq!(c.curator, 4);
		assert_eq!(c.previous, ValidationState::Refuted);
		assert_eq!(c.until, 5 + CLAIM_PERIOD);
		assert_eq!(state(d, RootHash), ValidationState::Pending);

		run_to_block(6 + CLAIM_PERIOD);
		assert_ok!(conclude(d, RootHash));
		assert_eq!(state(d, RootHash), ValidationState::Validated);

		// A validated property takes no new claim: the reward cannot be collected twice.
		assert_noop!(
			DataMarket::submit_claim(RuntimeOrigin::signed(5), d, RootHash, MIN_CLAIM_STAKE),
			Error::<Test>::AlreadyValidated
		);
		claim(5, d, Schema);
		assert_eq!(open_claim(d, Schema).previous, ValidationState::Unchecked);
		assert_noop!(counter(1, d, Schema, MIN_CLAIM_STAKE), Error::<Test>::OwnerCannotCurate);
	});
}
