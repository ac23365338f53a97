//! Helpers shared by the test modules.

#![allow(clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::{mock::*, DisputePhase, Event, Job, JobId, Provider};
use airtime_primitives::compute::{attestation_commitment, vote_commitment};
use frame_support::assert_ok;
use sp_core::H256;

/// A hash made of one repeated byte.
pub fn h(byte: u8) -> H256 {
	H256::repeat_byte(byte)
}

/// A salt made of `who`'s low byte.
pub fn salt(who: AccountId) -> [u8; 32] {
	[who as u8; 32]
}

pub fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

/// What `who` has on hold for `reason`.
pub fn held(reason: crate::HoldReason, who: AccountId) -> Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&reason.into(), &who)
}

pub fn job_of(id: JobId) -> Job<Test> {
	crate::Jobs::<Test>::get(id).expect("the job exists")
}

pub fn provider_of(who: AccountId) -> Provider<Test> {
	crate::Providers::<Test>::get(who).expect("a registered provider")
}

pub fn has_event(e: Event<Test>) -> bool {
	compute_events().contains(&e)
}

pub fn count_events(f: impl Fn(&Event<Test>) -> bool) -> usize {
	compute_events().iter().filter(|e| f(e)).count()
}

/// `who` commits to `(hash, usage)` for a redundant job, salted with [`salt`].
pub fn commit(who: AccountId, job: JobId, hash: H256, usage: u64) {
	assert_ok!(Compute::commit_attestation(
		signed(who),
		job,
		attestation_commitment(job, &who, &hash, usage, &salt(who))
	));
}

/// `who` reveals what [`commit`] committed.
pub fn reveal(who: AccountId, job: JobId, hash: H256, usage: u64) {
	assert_ok!(Compute::reveal_attestation(signed(who), job, hash, usage, salt(who)));
}

/// `verifier` commits its vote for `hash`, salted with [`salt`].
pub fn commit_vote(verifier: AccountId, job: JobId, hash: H256) {
	assert_ok!(Compute::commit_vote(
		signed(verifier),
		job,
		vote_commitment(job, &verifier, &hash, &salt(verifier))
	));
}

/// `verifier` reveals what [`commit_vote`] committed.
pub fn reveal_vote(verifier: AccountId, job: JobId, hash: H256) {
	assert_ok!(Compute::reveal_vote(signed(verifier), job, hash, salt(verifier)));
}

/// Run to the block whose `on_initialize` draws the verifiers of `job`'s pending dispute (the one
/// after its `DisputePhase::Draw { at }`); nothing when they are drawn already.
pub fn draw(job: JobId) {
	if let Some(crate::Dispute { phase: DisputePhase::Draw { at }, .. }) =
		crate::Disputes::<Test>::get(job)
	{
		run_to_block(at + 1);
	}
}

/// The verifiers drawn for `job`, from its `DisputeOpened` event (after running to its draw,
/// see [`draw`]).
pub fn verifiers_of(job: JobId) -> Vec<AccountId> {
	draw(job);
	compute_events()
		.into_iter()
		.rev()
		.find_map(|e| match e {
			Event::DisputeOpened { job: j, verifiers, .. } if j == job => {
				Some(verifiers.into_inner())
			},
			_ => None,
		})
		.expect("a dispute was opened")
}
