//! pallet-compute on the whole runtime, blocks built through `frame_executive` and chained by
//! their real header hashes: a dispute's verifiers are drawn from the hash of a block made after
//! the dispute was requested, so the challenger cannot know them when it commits its bond
//! (security finding F-2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::common::{build_block, int8_job_spec, new_ext, register_int8_provider, FIRST_SLOT};
use airtime_runtime::{AccountId, Compute, Runtime, RuntimeEvent, RuntimeOrigin, System, AIR};
use frame_support::{assert_noop, assert_ok};
use pallet_compute::{DisputePhase, Event};
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{
	Alice, AliceStash, Bob, BobStash, Charlie, CharlieStash, Dave, DaveStash, Eve, EveStash,
	Ferdie, FerdieStash,
};

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;

/// Builds the next block on the block hashed `parent`, in its own slot shifted by `skew` (a
/// different slot gives a different header, hence hash); returns its hash.
fn next_block(parent: H256, skew: u64) -> H256 {
	let number = System::block_number() + 1;
	let (block, _) = build_block(parent, number, FIRST_SLOT + u64::from(number) + skew, vec![]);
	block.header.hash()
}

fn compute_events() -> Vec<Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Compute(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// What one chain saw of a challenged job's draw.
struct Draw {
	/// The block hash the draw's seed came from (the block before the one that drew).
	seed_block: H256,
	/// The verifiers drawn.
	verifiers: Vec<AccountId>,
}

/// On a fresh dev chain: Charlie's job, run by Bob, is challenged by Alice in block 1 (nine
/// other providers could verify). Block 3 is built in a slot shifted by `skew` (0 or 1); the
/// verifiers are drawn in block 4.
fn challenge_and_draw(skew: u64) -> Draw {
	new_ext(DEV).execute_with(|| {
		let genesis = System::parent_hash();
		let block1 = next_block(genesis, 0);
		for who in [
			Bob,
			Dave,
			Eve,
			Ferdie,
			AliceStash,
			BobStash,
			CharlieStash,
			DaveStash,
			EveStash,
			FerdieStash,
		] {
			register_int8_provider(&who.to_account_id());
		}
		let job = pallet_compute::NextJobId::<Runtime>::get();
		assert_ok!(Compute::submit_job(
			RuntimeOrigin::signed(Charlie.to_account_id()),
			int8_job_spec(vec![]),
			AIR,
			20,
			1,
		));
		let bob = RuntimeOrigin::signed(Bob.to_account_id());
		assert_ok!(Compute::accept_job(bob.clone(), job));
		assert_ok!(Compute::submit_attestation(bob, job, H256::repeat_byte(0x0f), 50));
		let alice = RuntimeOrigin::signed(Alice.to_account_id());
		assert_ok!(Compute::challenge(alice, job, H256::repeat_byte(0x0e), 100 * AIR));

		// Requested in block 1; drawn by the first `on_initialize` after block 1 + 2.
		assert_eq!(System::block_number(), 1);
		assert!(compute_events().contains(&Event::VerifierDrawScheduled { job, at: 3 }));
		assert!(!compute_events().iter().any(|e| matches!(e, Event::DisputeOpened { .. })));
		let dispute = pallet_compute::Disputes::<Runtime>::get(job).expect("a dispute");
		assert_eq!(dispute.phase, DisputePhase::Draw { at: 3 });
		assert!(dispute.votes.is_empty());
		// Nobody can make the draw happen, or vote, before it.
		let dave = RuntimeOrigin::signed(Dave.to_account_id());
		assert_noop!(
			Compute::commit_vote(dave, job, H256::zero()),
			pallet_compute::Error::<Runtime>::VerifiersNotDrawn
		);

		let block2 = next_block(block1, 0);
		assert!(!compute_events().iter().any(|e| matches!(e, Event::DisputeOpened { .. })));
		let block3 = next_block(block2, skew);
		assert!(!compute_events().iter().any(|e| matches!(e, Event::DisputeOpened { .. })));
		// A slot after block 3's, whichever `skew` it took (Aura's slots must increase).
		next_block(block3, 1);
		assert_eq!(System::block_number(), 4);
		assert_eq!(System::parent_hash(), block3);
		let verifiers = compute_events()
			.into_iter()
			.find_map(|e| match e {
				Event::DisputeOpened { job: j, verifiers, .. } if j == job => {
					Some(verifiers.into_inner())
				},
				_ => None,
			})
			.expect("block 4 drew the verifiers");
		assert_eq!(verifiers.len(), 3);
		for v in verifiers.iter() {
			assert!(
				![Alice, Bob, Charlie].map(|k| k.to_account_id()).contains(v),
				"neither the challenger, the provider nor the owner verifies"
			);
		}
		Compute::do_try_state().expect("compute invariants");
		Draw { seed_block: block3, verifiers }
	})
}

#[test]
fn the_verifiers_are_drawn_from_a_block_made_after_the_challenge() {
	// Two chains, identical up to and including the challenge and the block after it, that
	// differ from block 3 on: everything the challenger could see when it challenged is the
	// same, yet the draws differ, because they come from block 3's hash.
	let one = challenge_and_draw(0);
	let other = challenge_and_draw(1);
	assert_ne!(one.seed_block, other.seed_block);
	assert_ne!(one.verifiers, other.verifiers, "the draw follows the later block's hash");
	// And the same chain draws the same verifiers (the draw is a function of the chain).
	assert_eq!(challenge_and_draw(0).verifiers, one.verifiers);
}
