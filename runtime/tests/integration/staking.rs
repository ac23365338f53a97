//! Slashing on the whole runtime, blocks built through `frame_executive` from the `local_testnet`
//! genesis (Alice, Bob, Charlie and Dave validate, each bonded with `VALIDATOR_BOND`):
//! - a GRANDPA equivocation by Bob, reported by Charlie with a session-historical key-ownership
//!   proof, becomes a pallet-offences offence and a deferred staking slash: Bob is chilled and
//!   disabled at once, his bond is untouched until the slash's era starts, then loses the reported
//!   fraction of his exposure to the treasury; the same report again is refused;
//! - a deferred slash cancelled by governance never applies, and only governance can cancel it;
//! - an invulnerable validator's offence is recorded but not slashed;
//! - the staking runtime API's ledger and summary views.
//!
//! The slash tests need the `fast-runtime` eras (2 sessions of 5 blocks, a deferral of 1 era), as
//! `scripts/test.sh` builds them; without it they would build tens of thousands of blocks.

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::arithmetic_side_effects,
	clippy::indexing_slicing
)]

use crate::common::{advance, build_block, new_ext, signed, FIRST_SLOT};
use airtime_primitives::staking::StakerRole;
use airtime_runtime::{
	configs::{
		compute::treasury_account,
		parameters::launch,
		staking::{SESSIONS_PER_ERA, SESSION_PERIOD, SLASH_DEFER_DURATION},
	},
	genesis_config_presets::VALIDATOR_BOND,
	AccountId, Balance, Balances, BlockNumber, Grandpa, Header, Historical, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, Session, Staking, System, UncheckedExtrinsic,
};
use codec::{DecodeAll, Encode};
use frame_support::{
	traits::{fungible::InspectHold, KeyOwnerProofSystem},
	BoundedVec,
};
use sp_consensus_grandpa::{
	AuthorityId as GrandpaId, AuthoritySignature, EquivocationProof, RoundNumber, SetId,
};
use sp_core::H256;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{ApplyExtrinsicResult, DispatchError, Perbill, Perquintill};

const LOCAL: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;

/// The GRANDPA round the equivocation is in.
const ROUND: RoundNumber = 1;

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

fn free(who: &AccountId) -> Balance {
	Balances::free_balance(who)
}

fn staking_hold(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&pallet_staking::HoldReason::Staking.into(), who)
}

fn active_era() -> u32 {
	pallet_staking::ActiveEra::<Runtime>::get().expect("an era is active from genesis").index
}

/// `who`'s genesis bond, checked: `VALIDATOR_BOND` active, all of it on hold, nothing unlocking.
fn genesis_bond(who: &AccountId) -> pallet_staking::StakingLedger<Runtime> {
	let ledger =
		pallet_staking::Ledger::<Runtime>::get(who).expect("a genesis validator is bonded");
	assert_eq!(ledger.total, VALIDATOR_BOND);
	assert_eq!(ledger.active, VALIDATOR_BOND);
	assert!(ledger.unlocking.is_empty());
	assert_eq!(staking_hold(who), VALIDATOR_BOND);
	ledger
}

/// `who`'s index in the active session's validator set (the index Aura and the disabled list
/// use).
fn session_index_of(who: &AccountId) -> u32 {
	Session::validators().iter().position(|v| v == who).expect("in the active set") as u32
}

/// Builds the next block with `extrinsics`, in the first slot after the current one whose Aura
/// author is not disabled: pallet-aura refuses (panics on) a block of a disabled author, and an
/// offender stays disabled until the validator set changes. Returns each extrinsic's result.
fn produce(extrinsics: Vec<UncheckedExtrinsic>) -> Vec<ApplyExtrinsicResult> {
	let number = System::block_number() + 1;
	let authorities = pallet_aura::Authorities::<Runtime>::get().len() as u64;
	assert!(authorities > 0, "Aura has authorities");
	let disabled = Session::disabled_validators();
	let mut slot =
		(*pallet_aura::CurrentSlot::<Runtime>::get() + 1).max(FIRST_SLOT + u64::from(number));
	while disabled.contains(&((slot % authorities) as u32)) {
		slot += 1;
	}
	build_block(System::parent_hash(), number, slot, extrinsics).1
}

fn produce_blocks(n: u32) {
	for _ in 0..n {
		produce(vec![]);
	}
}

/// The staking events of the last block.
fn staking_events() -> Vec<pallet_staking::Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Staking(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// The offences pallet-offences reported in the last block: kind and time slot.
fn offences_reported() -> Vec<([u8; 16], Vec<u8>)> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Offences(pallet_offences::Event::Offence { kind, slot }) => {
				Some((kind, slot))
			},
			_ => None,
		})
		.collect()
}

/// `SlashReported` for `who` among `events`: fraction, slash era, apply era.
fn slash_reported(
	events: &[pallet_staking::Event<Runtime>],
	who: &AccountId,
) -> Option<(Perbill, u32, u32)> {
	events.iter().find_map(|e| match e {
		pallet_staking::Event::SlashReported { validator, fraction, slash_era, apply_era }
			if validator == who =>
		{
			Some((*fraction, *slash_era, *apply_era))
		},
		_ => None,
	})
}

/// What an empty block did to the treasury and the issuance, and the staking events behind it.
#[derive(Debug)]
struct Effects {
	/// How much the treasury's free balance grew.
	treasury_gain: Balance,
	/// How much the total issuance grew.
	issuance_gain: Balance,
	/// The eras whose end (`EraPaid`) the block paid.
	eras_paid: Vec<u32>,
	/// `EraPaid.to_treasury`, summed.
	to_treasury: Balance,
	/// `EraPaid.inflation`, summed.
	inflation: Balance,
	/// `Slashed`: staker and amount.
	slashed: Vec<(AccountId, Balance)>,
}

fn produce_empty() -> Effects {
	let treasury = treasury_account();
	let treasury_before = free(&treasury);
	let issuance_before = Balances::total_issuance();
	produce(vec![]);
	let treasury_after = free(&treasury);
	let issuance_after = Balances::total_issuance();
	assert!(treasury_after >= treasury_before, "nothing leaves the treasury");
	assert!(issuance_after >= issuance_before, "an empty block burns nothing");
	let mut effects = Effects {
		treasury_gain: treasury_after - treasury_before,
		issuance_gain: issuance_after - issuance_before,
		eras_paid: Vec::new(),
		to_treasury: 0,
		inflation: 0,
		slashed: Vec::new(),
	};
	for event in staking_events() {
		match event {
			pallet_staking::Event::EraPaid { era, inflation, to_treasury, .. } => {
				effects.eras_paid.push(era);
				effects.to_treasury += to_treasury;
				effects.inflation += inflation;
			},
			pallet_staking::Event::Slashed { staker, amount } => {
				effects.slashed.push((staker, amount))
			},
			_ => {},
		}
	}
	effects
}

/// Bob's GRANDPA key (the session key the `local_testnet` preset registers for him).
fn bob_grandpa() -> GrandpaId {
	Ed25519Keyring::Bob.public().into()
}

/// A prevote for `target` signed by `keyring` in `round` of set `set_id`, as a GRANDPA voter
/// signs it: the `localized_payload` of the prevote message.
fn signed_prevote(
	keyring: Ed25519Keyring,
	round: RoundNumber,
	set_id: SetId,
	(hash, number): (H256, BlockNumber),
) -> (sp_consensus_grandpa::Prevote<Header>, AuthoritySignature) {
	let prevote = <sp_consensus_grandpa::Prevote<Header>>::new(hash, number);
	let message = sp_consensus_grandpa::Message::<Header>::Prevote(prevote.clone());
	let payload = sp_consensus_grandpa::localized_payload(round, set_id, &message);
	(prevote, keyring.sign(&payload).into())
}

/// Bob prevoting for two different blocks at the current height in round [`ROUND`] of set
/// `set_id`, as pallet-grandpa's mock builds an equivocation (`generate_equivocation_proof`).
///
/// The proof wraps a `finality_grandpa::Equivocation`, which `sp_consensus_grandpa` does not
/// re-export and the runtime does not depend on, so it is decoded from its SCALE encoding: the
/// set id, the `Prevote` variant (index 0), then the equivocation's fields in their declared order
/// (`round_number`, `identity`, `first`, `second`). The checks make sure the proof decoded whole
/// to exactly that equivocation and that its signatures verify.
fn bob_equivocation_proof(set_id: SetId) -> EquivocationProof<H256, BlockNumber> {
	let number = System::block_number();
	let first =
		signed_prevote(Ed25519Keyring::Bob, ROUND, set_id, (H256::repeat_byte(0xaa), number));
	let second =
		signed_prevote(Ed25519Keyring::Bob, ROUND, set_id, (H256::repeat_byte(0xbb), number));
	let encoded = (set_id, 0u8, ROUND, bob_grandpa(), first, second).encode();
	let proof = EquivocationProof::<H256, BlockNumber>::decode_all(&mut &encoded[..])
		.expect("a prevote equivocation proof");
	assert_eq!(proof.set_id(), set_id);
	assert_eq!(proof.round(), ROUND);
	assert_eq!(proof.offender(), &bob_grandpa());
	assert!(
		sp_consensus_grandpa::check_equivocation_proof(proof.clone()),
		"two validly signed prevotes for different blocks"
	);
	proof
}

/// The `report_equivocation` call for Bob's equivocation in set `set_id`, with the key-ownership
/// proof of the current session (what the `GrandpaApi::generate_key_ownership_proof` runtime API
/// returns, opaquely, to the node).
fn bob_report(set_id: SetId) -> RuntimeCall {
	let equivocation_proof = bob_equivocation_proof(set_id);
	let key_owner_proof = Historical::prove((sp_consensus_grandpa::KEY_TYPE, bob_grandpa()))
		.expect("Bob's GRANDPA key is in the current session");
	assert_eq!(key_owner_proof.session, Session::current_index());
	assert_eq!(key_owner_proof.validator_count, 4);
	RuntimeCall::Grandpa(pallet_grandpa::Call::report_equivocation {
		equivocation_proof: Box::new(equivocation_proof),
		key_owner_proof,
	})
}

/// Charlie's signed report (`nonce`) of `call` in a new block; its apply result.
fn charlie_reports(call: RuntimeCall, nonce: u32) -> Vec<ApplyExtrinsicResult> {
	produce(vec![signed(call, &Sr25519Keyring::Charlie.pair(), nonce, 0)])
}

#[test]
#[cfg_attr(not(feature = "fast-runtime"), ignore = "needs the fast-runtime eras")]
fn a_grandpa_equivocation_is_reported_slashed_after_the_deferral_and_paid_to_the_treasury() {
	new_ext(LOCAL).execute_with(|| {
		let bob = account(Sr25519Keyring::Bob);
		let untouched = genesis_bond(&bob);
		produce_blocks(2);
		let era = active_era();
		let set_id = Grandpa::current_set_id();
		let call = bob_report(set_id);
		assert_eq!(charlie_reports(call.clone(), 0), vec![Ok(Ok(()))], "the report is accepted");
		assert!(
			System::block_number() < SESSION_PERIOD,
			"reported in the first session, before the next era is planned"
		);

		// pallet-offences recorded a GRANDPA equivocation at (set, round).
		assert_eq!(
			offences_reported(),
			vec![(
				*b"grandpa:equivoca",
				pallet_grandpa::TimeSlot { set_id, round: ROUND }.encode()
			)]
		);
		// Staking took it as a slash of Bob's exposure in the active era, deferred.
		let events = staking_events();
		let (fraction, slash_era, apply_era) = slash_reported(&events, &bob)
			.unwrap_or_else(|| panic!("staking reports Bob's slash: {events:?}"));
		assert_eq!(slash_era, era, "the offence is in the active era");
		assert_eq!(apply_era, slash_era + SLASH_DEFER_DURATION);
		// GRANDPA's fraction for one offender in a set of four: (3 × 1 / 4)².
		assert_eq!(fraction, Perbill::from_rational(3u32, 4u32).square());
		let expected = fraction.mul_floor(VALIDATOR_BOND);
		assert!(expected > 0 && expected < VALIDATOR_BOND);
		// Bob is chilled (no longer a candidate) and, the offence being in the active era,
		// disabled in pallet-session.
		assert!(events.contains(&pallet_staking::Event::Chilled { stash: bob.clone() }));
		assert!(!pallet_staking::Validators::<Runtime>::contains_key(&bob));
		assert_eq!(Session::disabled_validators(), vec![session_index_of(&bob)]);
		// The slash waits for its era; Bob's bond is untouched.
		let pending = pallet_staking::UnappliedSlashes::<Runtime>::get(apply_era);
		assert_eq!(pending.len(), 1);
		assert_eq!(pending[0].validator, bob);
		assert_eq!(pending[0].era, slash_era);
		assert_eq!(pending[0].own, expected);
		assert!(pending[0].others.is_empty(), "Bob has no nominators");
		assert_eq!(pallet_staking::Ledger::<Runtime>::get(&bob).as_ref(), Some(&untouched));
		assert_eq!(staking_hold(&bob), VALIDATOR_BOND);

		// The same equivocation again: refused as a duplicate, and nothing changes.
		let slash_in_era = pallet_staking::ValidatorSlashInEra::<Runtime>::get(slash_era, &bob);
		assert_eq!(slash_in_era, Some(fraction));
		let disabled = Session::disabled_validators();
		let outcome = charlie_reports(call, 1)
			.into_iter()
			.next()
			.expect("one extrinsic")
			.expect("a valid transaction");
		assert_eq!(
			outcome.expect_err("a duplicate report fails").stripped(),
			DispatchError::from(pallet_grandpa::Error::<Runtime>::DuplicateOffenceReport)
				.stripped()
		);
		assert!(offences_reported().is_empty());
		assert!(slash_reported(&staking_events(), &bob).is_none());
		assert_eq!(pallet_staking::UnappliedSlashes::<Runtime>::get(apply_era), pending);
		assert_eq!(
			pallet_staking::ValidatorSlashInEra::<Runtime>::get(slash_era, &bob),
			slash_in_era
		);
		assert_eq!(Session::disabled_validators(), disabled);
		assert_eq!(pallet_staking::Ledger::<Runtime>::get(&bob).as_ref(), Some(&untouched));

		// Until the apply era starts, nothing is slashed and the treasury gets only its share of
		// inflation.
		let bound = SESSIONS_PER_ERA * SESSION_PERIOD * (SLASH_DEFER_DURATION + 1);
		let mut apply_block = None;
		for _ in 0..bound {
			assert_eq!(
				pallet_staking::Ledger::<Runtime>::get(&bob).as_ref(),
				Some(&untouched),
				"no slash before era {apply_era}"
			);
			assert_eq!(staking_hold(&bob), VALIDATOR_BOND);
			let bob_free = free(&bob);
			let effects = produce_empty();
			if active_era() >= apply_era {
				apply_block = Some((effects, bob_free));
				break;
			}
			assert!(effects.slashed.is_empty(), "slashed before its era: {effects:?}");
			assert_eq!(effects.treasury_gain, effects.to_treasury);
		}
		let (effects, bob_free) = apply_block.expect("the apply era started");
		assert_eq!(active_era(), apply_era);

		// The block that started the apply era slashed Bob's bond by the fraction of his
		// exposure, and the treasury got it besides the ended era's inflation share.
		assert_eq!(effects.eras_paid, vec![apply_era - 1]);
		assert_eq!(effects.slashed, vec![(bob.clone(), expected)]);
		assert_eq!(effects.treasury_gain, effects.to_treasury + expected);
		assert_eq!(effects.issuance_gain, effects.inflation, "the slash moved funds, burnt none");
		let ledger = pallet_staking::Ledger::<Runtime>::get(&bob).expect("Bob is still bonded");
		assert_eq!(ledger.active, VALIDATOR_BOND - expected);
		assert_eq!(ledger.total, VALIDATOR_BOND - expected);
		assert!(ledger.unlocking.is_empty());
		assert_eq!(staking_hold(&bob), VALIDATOR_BOND - expected);
		assert_eq!(free(&bob), bob_free, "the slash is taken from the hold");
		assert!(pallet_staking::UnappliedSlashes::<Runtime>::get(apply_era).is_empty());
		// Chilled before the election, Bob is not in the new era's set.
		let elected =
			pallet_staking::ErasElected::<Runtime>::get(apply_era).expect("the era was planned");
		assert_eq!(elected.len(), 3);
		assert!(!elected.contains(&bob));
		assert!(!Session::validators().contains(&bob));
	});
}

#[test]
#[cfg_attr(not(feature = "fast-runtime"), ignore = "needs the fast-runtime eras")]
fn a_deferred_slash_cancelled_by_governance_never_applies() {
	new_ext(LOCAL).execute_with(|| {
		let bob = account(Sr25519Keyring::Bob);
		let untouched = genesis_bond(&bob);
		produce_blocks(2);
		let call = bob_report(Grandpa::current_set_id());
		assert_eq!(charlie_reports(call, 0), vec![Ok(Ok(()))]);
		let (_, _, apply_era) =
			slash_reported(&staking_events(), &bob).expect("staking reports Bob's slash");
		let pending = pallet_staking::UnappliedSlashes::<Runtime>::get(apply_era);
		assert_eq!(pending.len(), 1);
		assert_eq!(pending[0].validator, bob);

		// A signed origin cannot cancel it.
		assert_eq!(
			Staking::cancel_deferred_slash(
				RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
				apply_era,
				BoundedVec::truncate_from(vec![0]),
			),
			Err(DispatchError::BadOrigin)
		);
		assert_eq!(pallet_staking::UnappliedSlashes::<Runtime>::get(apply_era), pending);

		// Governance (Root; a `StakingAdmin` referendum on a live chain) cancels it.
		assert_eq!(
			Staking::cancel_deferred_slash(
				RuntimeOrigin::root(),
				apply_era,
				BoundedVec::truncate_from(vec![0]),
			),
			Ok(())
		);
		assert!(staking_events().contains(&pallet_staking::Event::SlashCancelled {
			era: apply_era,
			validator: bob.clone(),
		}));
		assert!(pallet_staking::UnappliedSlashes::<Runtime>::get(apply_era).is_empty());

		// Past the apply era: nothing is slashed, Bob's bond and hold are whole, and the treasury
		// only gets its inflation share.
		let bound = SESSIONS_PER_ERA * SESSION_PERIOD * (SLASH_DEFER_DURATION + 2);
		let mut passed = false;
		for _ in 0..bound {
			let effects = produce_empty();
			assert!(effects.slashed.is_empty(), "a cancelled slash applied: {effects:?}");
			assert_eq!(effects.treasury_gain, effects.to_treasury);
			assert_eq!(pallet_staking::Ledger::<Runtime>::get(&bob).as_ref(), Some(&untouched));
			assert_eq!(staking_hold(&bob), VALIDATOR_BOND);
			if active_era() > apply_era {
				passed = true;
				break;
			}
		}
		assert!(passed, "era {apply_era} ended within {bound} blocks");
	});
}

#[test]
#[cfg_attr(not(feature = "fast-runtime"), ignore = "needs the fast-runtime eras")]
fn an_invulnerable_validator_is_not_slashed() {
	new_ext(LOCAL).execute_with(|| {
		let bob = account(Sr25519Keyring::Bob);
		let untouched = genesis_bond(&bob);
		produce_blocks(2);
		assert_eq!(
			Staking::set_invulnerables(
				RuntimeOrigin::root(),
				BoundedVec::truncate_from(vec![bob.clone()]),
			),
			Ok(())
		);
		assert_eq!(pallet_staking::Invulnerables::<Runtime>::get().into_inner(), vec![bob.clone()]);

		let era = active_era();
		let session = Session::current_index();
		let call = bob_report(Grandpa::current_set_id());
		assert_eq!(charlie_reports(call, 0), vec![Ok(Ok(()))], "the report itself is valid");
		assert_eq!(offences_reported().len(), 1, "pallet-offences records the offence");
		let events = staking_events();
		assert!(events
			.contains(&pallet_staking::Event::OffenceIgnored { validator: bob.clone(), session }));
		assert!(slash_reported(&events, &bob).is_none());
		assert!(!events.iter().any(|e| matches!(e, pallet_staking::Event::Chilled { .. })));
		assert!(pallet_staking::Validators::<Runtime>::contains_key(&bob), "still a candidate");
		assert!(Session::disabled_validators().is_empty(), "not disabled");
		assert_eq!(pallet_staking::UnappliedSlashes::<Runtime>::iter().count(), 0);
		assert_eq!(pallet_staking::ValidatorSlashInEra::<Runtime>::get(era, &bob), None);

		// Through the next era's start: nothing is slashed and Bob is elected again.
		let bound = SESSIONS_PER_ERA * SESSION_PERIOD * 2;
		for _ in 0..bound {
			if active_era() > era {
				break;
			}
			let effects = produce_empty();
			assert!(effects.slashed.is_empty(), "an invulnerable was slashed: {effects:?}");
			assert_eq!(effects.treasury_gain, effects.to_treasury);
		}
		assert_eq!(active_era(), era + 1);
		assert_eq!(pallet_staking::Ledger::<Runtime>::get(&bob), Some(untouched));
		assert_eq!(staking_hold(&bob), VALIDATOR_BOND);
		let elected =
			pallet_staking::ErasElected::<Runtime>::get(era + 1).expect("the era was planned");
		assert!(elected.contains(&bob));
	});
}

#[test]
#[cfg_attr(not(feature = "fast-runtime"), ignore = "needs the fast-runtime eras")]
fn the_staking_runtime_api_reports_ledgers_and_the_summary() {
	new_ext(LOCAL).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		advance(2 * SESSIONS_PER_ERA * SESSION_PERIOD);
		let active = active_era();
		assert!(active >= 1, "eras went by");

		// What `StakingApi::ledger` returns.
		let view = pallet_staking::Pallet::<Runtime>::ledger_view(&alice).expect("Alice is bonded");
		assert_eq!(view.total, VALIDATOR_BOND);
		assert_eq!(view.active, VALIDATOR_BOND);
		assert!(view.unlocking.is_empty());
		assert_eq!(view.role, StakerRole::Validator { commission: Perbill::zero() });
		assert_eq!(
			pallet_staking::Pallet::<Runtime>::ledger_view(&account(Sr25519Keyring::Eve)),
			None,
			"Eve is endowed but not bonded"
		);

		// What `StakingApi::summary` returns.
		let summary = pallet_staking::Pallet::<Runtime>::summary_view();
		assert_eq!(summary.active_era, active);
		assert_eq!(summary.total_staked, 4 * VALIDATOR_BOND);
		assert_eq!(summary.yearly_inflation, launch::YEARLY_INFLATION);
		assert!(summary.apy_estimate > Perquintill::zero());
		assert_eq!(summary.validator_count, 4);
		assert_eq!(summary.candidates, 4);
		assert_eq!(summary.nominators, 0);
	});
}

#[test]
fn the_genesis_stakers_are_elected_for_era_zero_with_their_exposures() {
	// Genesis builds run in pallet-index order: staking bonds its stakers before pallet-session
	// asks it for the first set, so era 0 is a real election, not session's key fallback.
	new_ext(LOCAL).execute_with(|| {
		let elected = pallet_staking::ErasElected::<Runtime>::get(0).expect("era 0 was elected");
		let mut elected = elected.into_inner();
		elected.sort();
		let mut session = Session::validators();
		session.sort();
		assert_eq!(elected, session);
		assert_eq!(elected.len(), 4);
		for v in &elected {
			let overview = pallet_staking::ErasStakersOverview::<Runtime>::get(0, v)
				.expect("each genesis validator has an era-0 exposure");
			assert_eq!(overview.own, VALIDATOR_BOND);
			assert_eq!(overview.total, VALIDATOR_BOND);
		}
	});
}
