//! Property tests: random sequences of calls and block advances from many accounts.
//!
//! Every sequence runs in fresh externalities. After each call and after each block:
//!
//! - `check_invariants()`: the pallet's `do_try_state` and every endowed account's holds;
//! - a call that returned an error left the storage root unchanged (calls are transactional, and
//!   the events of a failed call are rolled back with the rest); a call that succeeded emitted an
//!   event;
//! - job states only move forward (`JobState::rank` never decreases while the job exists), an
//!   ended job never comes back and `NextJobId` never goes back;
//! - total issuance moved only by the burn: `issuance at the start - issuance now` equals the sum
//!   of `burned` over every `Event::JobSettled` so far.
//!
//! Why the burn is the only change of issuance in this runtime: escrow, stakes, bonds and
//! deposits are holds (no issuance change); payments are `transfer_on_hold`; every other credit
//! (slashes, the treasury's and the stakers' parts of the fee, slash rewards) is resolved into an
//! existing account: `ResolveTo<TREASURY>` / `ResolveTo<STAKERS>` (both endowed with the
//! existential deposit, and nothing can take it from them) or a winner that holds funds. With
//! `ED = 1` no dust is ever removed. Only the `burn` part of the fee in `settle` is dropped.
//!
//! Job and slot choices are indices resolved against the current state when the op runs, and
//! prefer the jobs (slots, verifiers) for which the op makes sense, so that deep states are
//! reached; one pick in sixteen names an arbitrary id or account instead, to exercise the error
//! paths.
//!
//! `COMPUTE_PROPTEST_CASES` sets the number of cases (default 10 000).

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{
	mock::*,
	types::{Attestation, Job, JobState, Vote},
	Disputes, Event, ExecutorKind, JobId, Jobs, NextJobId,
};
use ::proptest::{
	arbitrary::any,
	collection::vec as vec_of,
	strategy::{BoxedStrategy, Just, Strategy, Union},
	test_runner::{Config as ProptestConfig, TestRunner},
};
use airtime_primitives::compute::{attestation_commitment, vote_commitment};
use sp_core::H256;
use sp_runtime::{DispatchResult, Permill, StateVersion};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Accounts taking part: a small range, so that roles collide.
const MAX_ACCOUNT: AccountId = 12;
/// `max_units` of every job.
const MAX_UNITS: u64 = 100;
/// Registered stakes are `STAKE_BASE + stake_extra` (a little below `MinProviderStake` at worst).
const STAKE_BASE: Balance = 950;
/// Ops in each long deterministic sequence.
const LONG_OPS: usize = 500;

/// One step of a sequence. `*_pick` fields are resolved against the state when the op runs.
#[derive(Clone, Copy, Debug)]
enum Op {
	RegisterProvider {
		who: AccountId,
		price: Balance,
		stake_extra: Balance,
	},
	Pause {
		who: AccountId,
	},
	Resume {
		who: AccountId,
	},
	IncreaseStake {
		who: AccountId,
		amount: Balance,
	},
	Unregister {
		who: AccountId,
	},
	Withdraw {
		who: AccountId,
	},
	SubmitJob {
		who: AccountId,
		budget: Balance,
		deadline: u64,
		redundancy: u8,
		kind_f32: bool,
		min_rep: u32,
	},
	/// `who == 0`: the job's owner.
	Cancel {
		who: AccountId,
		job_pick: u8,
	},
	/// `who == 0`: the job's owner.
	TopUp {
		who: AccountId,
		job_pick: u8,
		amount: Balance,
	},
	Accept {
		who: AccountId,
		job_pick: u8,
	},
	Assign {
		matcher: AccountId,
		provider: AccountId,
		job_pick: u8,
	},
	Attest {
		job_pick: u8,
		slot_pick: u8,
		honest: bool,
		usage: u64,
	},
	Commit {
		job_pick: u8,
		slot_pick: u8,
		honest: bool,
		usage: u64,
	},
	Reveal {
		job_pick: u8,
		slot_pick: u8,
		tamper: bool,
	},
	ReportFailure {
		job_pick: u8,
		slot_pick: u8,
	},
	Challenge {
		who: AccountId,
		job_pick: u8,
		claim_correct: bool,
		bond: Balance,
	},
	CommitVote {
		job_pick: u8,
		verifier_pick: u8,
		honest: bool,
	},
	RevealVote {
		job_pick: u8,
		verifier_pick: u8,
	},
	ClaimExpired {
		job_pick: u8,
	},
	Advance {
		blocks: u64,
	},
}

// ------------------------------------------------------------------------ state helpers

/// The output an honest provider or verifier computes for `job`.
fn correct_hash(job: JobId) -> H256 {
	H256::from_low_u64_be(0xC0DE_0000_0000 + job)
}

/// The output every dishonest party agrees on for `job`.
fn wrong_hash(job: JobId) -> H256 {
	H256::from_low_u64_be(0xBAD0_0000_0000 + job)
}

fn answer(job: JobId, honest: bool) -> H256 {
	if honest {
		correct_hash(job)
	} else {
		wrong_hash(job)
	}
}

fn issuance() -> Balance {
	<Balances as frame_support::traits::fungible::Inspect<AccountId>>::total_issuance()
}

/// A job id: one of the live jobs `want` accepts (any live job when none does); one pick in
/// sixteen, or when no job lives, an arbitrary id (ended, unknown or live).
fn pick_job(pick: u8, want: impl Fn(&Job<Test>) -> bool) -> JobId {
	let next = NextJobId::<Test>::get();
	if pick % 16 == 15 {
		return u64::from(pick / 16) % (next + 2);
	}
	let mut live: Vec<(JobId, Job<Test>)> = Jobs::<Test>::iter().collect();
	live.sort_by_key(|(id, _)| *id);
	let wanted: Vec<JobId> = live.iter().filter(|(_, j)| want(j)).map(|(id, _)| *id).collect();
	let pool = if wanted.is_empty() { live.iter().map(|(id, _)| *id).collect() } else { wanted };
	if pool.is_empty() {
		return next;
	}
	pool[usize::from(pick) % pool.len()]
}

/// An account from the small range.
fn any_account(pick: u8) -> AccountId {
	1 + u64::from(pick) % MAX_ACCOUNT
}

/// The provider of one of `job`'s slots whose attestation `want` accepts (any slot when none
/// does); one pick in sixteen, or without slots, an arbitrary account.
fn slot_holder(job: JobId, pick: u8, want: fn(&Attestation) -> bool) -> AccountId {
	if pick % 16 == 15 {
		return any_account(pick);
	}
	let Some(j) = Jobs::<Test>::get(job) else { return any_account(pick) };
	let wanted: Vec<AccountId> =
		j.slots.iter().filter(|s| want(&s.attestation)).map(|s| s.provider).collect();
	let pool: Vec<AccountId> =
		if wanted.is_empty() { j.slots.iter().map(|s| s.provider).collect() } else { wanted };
	if pool.is_empty() {
		return any_account(pick);
	}
	pool[usize::from(pick) % pool.len()]
}

/// One of the drawn verifiers of `job`'s dispute whose vote `want` accepts (any verifier when
/// none does); one pick in sixteen, or without a dispute, an arbitrary account.
fn verifier(job: JobId, pick: u8, want: fn(&Vote) -> bool) -> AccountId {
	if pick % 16 == 15 {
		return any_account(pick);
	}
	let Some(d) = Disputes::<Test>::get(job) else { return any_account(pick) };
	let wanted: Vec<AccountId> = d.votes.iter().filter(|(_, v)| want(v)).map(|(a, _)| *a).collect();
	let pool: Vec<AccountId> =
		if wanted.is_empty() { d.votes.iter().map(|(a, _)| *a).collect() } else { wanted };
	if pool.is_empty() {
		return any_account(pick);
	}
	pool[usize::from(pick) % pool.len()]
}

fn owner_or(who: AccountId, job: JobId) -> AccountId {
	if who == 0 {
		Jobs::<Test>::get(job).map(|j| j.owner).unwrap_or(1)
	} else {
		who
	}
}

fn is_pending(a: &Attestation) -> bool {
	matches!(a, Attestation::Pending)
}

fn is_committed(a: &Attestation) -> bool {
	matches!(a, Attestation::Committed(_))
}

fn has_slot(j: &Job<Test>, want: fn(&Attestation) -> bool) -> bool {
	j.slots.iter().any(|s| want(&s.attestation))
}

/// The executors `who` offers: accounts divisible by 3 offer only int8 GEMM.
fn offered(who: AccountId) -> &'static [ExecutorKind] {
	if who.is_multiple_of(3) {
		&[ExecutorKind::GemmInt8]
	} else {
		&[ExecutorKind::GemmInt8, ExecutorKind::GemmF32]
	}
}

// ------------------------------------------------------------------------ the model

/// What a sequence remembers between ops, and the checks run after each.
struct Model {
	/// Attestation commitments made: (job, provider) -> (salt, output hash, usage).
	attestations: HashMap<(JobId, AccountId), ([u8; 32], H256, u64)>,
	/// Vote commitments made: (job, verifier) -> (salt, output hash).
	votes: HashMap<(JobId, AccountId), ([u8; 32], H256)>,
	/// Source of fresh salts.
	nonce: u64,
	/// The state rank last seen for each live job.
	ranks: HashMap<JobId, u8>,
	/// Jobs seen alive, then gone.
	ended: BTreeSet<JobId>,
	/// `NextJobId` last seen.
	next_job: JobId,
	/// Total issuance before the first op.
	issuance_start: Balance,
	/// Sum of `burned` over the `JobSettled` events so far.
	burned: Balance,
	/// Per call and per event kind counts, when collected.
	stats: Option<BTreeMap<String, u32>>,
}

impl Model {
	fn new(collect_stats: bool) -> Self {
		System::reset_events();
		Model {
			attestations: HashMap::new(),
			votes: HashMap::new(),
			nonce: 0,
			ranks: HashMap::new(),
			ended: BTreeSet::new(),
			next_job: NextJobId::<Test>::get(),
			issuance_start: issuance(),
			burned: 0,
			stats: collect_stats.then(BTreeMap::new),
		}
	}

	fn count(&mut self, what: String) {
		if let Some(stats) = &mut self.stats {
			*stats.entry(what).or_default() += 1;
		}
	}

	fn salt(&mut self) -> [u8; 32] {
		self.nonce += 1;
		let mut salt = [0x5A; 32];
		salt[..8].copy_from_slice(&self.nonce.to_le_bytes());
		salt
	}

	/// Dispatch a call: an error must leave the storage root as it was, a success must emit an
	/// event. Returns whether it succeeded.
	fn call(&mut self, name: &'static str, f: impl FnOnce() -> DispatchResult) -> bool {
		let before = sp_io::storage::root(StateVersion::V1);
		let result = f();
		match &result {
			Ok(()) => assert!(!compute_events().is_empty(), "{name} succeeded without an event"),
			Err(e) => assert_eq!(
				sp_io::storage::root(StateVersion::V1),
				before,
				"{name} failed with {e:?} but changed storage"
			),
		}
		if self.stats.is_some() {
			let outcome = match &result {
				Ok(()) => "ok".to_string(),
				Err(e) => format!("{e:?}"),
			};
			self.count(format!("call {name}: {outcome}"));
		}
		result.is_ok()
	}

	/// The checks run after every op and every block.
	fn check(&mut self) {
		check_invariants();

		let next = NextJobId::<Test>::get();
		assert!(next >= self.next_job, "NextJobId went back from {} to {next}", self.next_job);
		self.next_job = next;

		let mut live = BTreeSet::new();
		for (id, job) in Jobs::<Test>::iter() {
			assert!(id < next, "job {id} is not below NextJobId {next}");
			assert!(!self.ended.contains(&id), "job {id} came back after it ended");
			let rank = job.state.rank();
			if let Some(before) = self.ranks.insert(id, rank) {
				assert!(
					rank >= before,
					"job {id} moved back from rank {before} to {:?}",
					job.state
				);
			}
			live.insert(id);
		}
		let gone: Vec<JobId> =
			self.ranks.keys().filter(|id| !live.contains(*id)).copied().collect();
		for id in gone {
			self.ranks.remove(&id);
			self.ended.insert(id);
		}

		for event in compute_events() {
			if let Event::JobSettled { burned, .. } = &event {
				self.burned += *burned;
			}
			if self.stats.is_some() {
				let name = match &event {
					Event::JobRefunded { reason, .. } => format!("event JobRefunded::{reason:?}"),
					e => {
						let debug = format!("{e:?}");
						let debug = debug.strip_prefix("Event::").unwrap_or(&debug);
						let name: String =
							debug.chars().take_while(|c| c.is_alphanumeric()).collect();
						format!("event {name}")
					},
				};
				self.count(name);
			}
		}
		System::reset_events();

		let now = issuance();
		assert_eq!(
			self.issuance_start.checked_sub(now),
			Some(self.burned),
			"total issuance moved by something other than the burn (start {}, now {now})",
			self.issuance_start
		);
	}

	fn apply(&mut self, op: Op) {
		let now = System::block_number();
		match op {
			Op::RegisterProvider { who, price, stake_extra } => {
				let kinds = offered(who);
				self.call("register_provider", || {
					Compute::register_provider(
						RuntimeOrigin::signed(who),
						caps(kinds, 1_000),
						prices(kinds, price),
						STAKE_BASE + stake_extra,
					)
				});
			},
			Op::Pause { who } => {
				self.call("pause_provider", || Compute::pause_provider(RuntimeOrigin::signed(who)));
			},
			Op::Resume { who } => {
				self.call("resume_provider", || {
					Compute::resume_provider(RuntimeOrigin::signed(who))
				});
			},
			Op::IncreaseStake { who, amount } => {
				self.call("increase_stake", || {
					Compute::increase_stake(RuntimeOrigin::signed(who), amount)
				});
			},
			Op::Unregister { who } => {
				self.call("unregister_provider", || {
					Compute::unregister_provider(RuntimeOrigin::signed(who))
				});
			},
			Op::Withdraw { who } => {
				self.call("withdraw_provider", || {
					Compute::withdraw_provider(RuntimeOrigin::signed(who))
				});
			},
			Op::SubmitJob { who, budget, deadline, redundancy, kind_f32, min_rep } => {
				let kind = if kind_f32 { ExecutorKind::GemmF32 } else { ExecutorKind::GemmInt8 };
				let mut job_spec = spec(kind, MAX_UNITS);
				job_spec.min_reputation = Permill::from_parts(min_rep);
				self.call("submit_job", || {
					Compute::submit_job(
						RuntimeOrigin::signed(who),
						job_spec,
						budget,
						deadline,
						redundancy,
					)
					.map(|_| ())
					.map_err(|e| e.error)
				});
			},
			Op::Cancel { who, job_pick } => {
				let job = pick_job(job_pick, |j| j.state == JobState::Open && j.slots.is_empty());
				let who = owner_or(who, job);
				self.call("cancel_job", || Compute::cancel_job(RuntimeOrigin::signed(who), job));
			},
			Op::TopUp { who, job_pick, amount } => {
				let job = pick_job(job_pick, |j| j.state == JobState::Open);
				let who = owner_or(who, job);
				self.call("top_up_job", || {
					Compute::top_up_job(RuntimeOrigin::signed(who), job, amount)
				});
			},
			Op::Accept { who, job_pick } => {
				let job = pick_job(job_pick, |j| j.state == JobState::Open && !j.is_full());
				self.call("accept_job", || Compute::accept_job(RuntimeOrigin::signed(who), job));
			},
			Op::Assign { matcher, provider, job_pick } => {
				let job = pick_job(job_pick, |j| j.state == JobState::Open && !j.is_full());
				self.call("assign", || {
					Compute::assign(RuntimeOrigin::signed(matcher), job, provider)
				});
			},
			Op::Attest { job_pick, slot_pick, honest, usage } => {
				let job = pick_job(job_pick, |j| {
					j.state == JobState::Open && j.redundancy == 1 && has_slot(j, is_pending)
				});
				let who = slot_holder(job, slot_pick, is_pending);
				let output_hash = answer(job, honest);
				self.call("submit_attestation", || {
					Compute::submit_attestation(RuntimeOrigin::signed(who), job, output_hash, usage)
				});
			},
			Op::Commit { job_pick, slot_pick, honest, usage } => {
				let job = pick_job(job_pick, |j| {
					j.state == JobState::Open && j.redundancy > 1 && has_slot(j, is_pending)
				});
				let who = slot_holder(job, slot_pick, is_pending);
				let output_hash = answer(job, honest);
				let salt = self.salt();
				let commitment = attestation_commitment(job, &who, &output_hash, usage, &salt);
				if self.call("commit_attestation", || {
					Compute::commit_attestation(RuntimeOrigin::signed(who), job, commitment)
				}) {
					self.attestations.insert((job, who), (salt, output_hash, usage));
				}
			},
			Op::Reveal { job_pick, slot_pick, tamper } => {
				let job = pick_job(job_pick, |j| matches!(j.state, JobState::Revealing { .. }));
				let who = slot_holder(job, slot_pick, is_committed);
				let (mut salt, output_hash, usage) = self
					.attestations
					.get(&(job, who))
					.copied()
					.unwrap_or(([0xAA; 32], correct_hash(job), 1));
				if tamper {
					salt[31] ^= 1;
				}
				self.call("reveal_attestation", || {
					Compute::reveal_attestation(
						RuntimeOrigin::signed(who),
						job,
						output_hash,
						usage,
						salt,
					)
					.map(|_| ())
					.map_err(|e| e.error)
				});
			},
			Op::ReportFailure { job_pick, slot_pick } => {
				let job =
					pick_job(job_pick, |j| j.state == JobState::Open && has_slot(j, is_pending));
				let who = slot_holder(job, slot_pick, is_pending);
				self.call("report_failure", || {
					Compute::report_failure(RuntimeOrigin::signed(who), job)
				});
			},
			Op::Challenge { who, job_pick, claim_correct, bond } => {
				let job = pick_job(job_pick, |j| matches!(j.state, JobState::Challengeable { .. }));
				let claimed = answer(job, claim_correct);
				self.call("challenge", || {
					Compute::challenge(RuntimeOrigin::signed(who), job, claimed, bond)
				});
			},
			Op::CommitVote { job_pick, verifier_pick, honest } => {
				let job = pick_job(job_pick, |j| j.state == JobState::Disputed);
				let who = verifier(job, verifier_pick, |v| *v == Vote::Pending);
				let output_hash = answer(job, honest);
				let salt = self.salt();
				let commitment = vote_commitment(job, &who, &output_hash, &salt);
				if self.call("commit_vote", || {
					Compute::commit_vote(RuntimeOrigin::signed(who), job, commitment)
				}) {
					self.votes.insert((job, who), (salt, output_hash));
				}
			},
			Op::RevealVote { job_pick, verifier_pick } => {
				let job = pick_job(job_pick, |j| j.state == JobState::Disputed);
				let who = verifier(job, verifier_pick, |v| matches!(v, Vote::Committed(_)));
				let (salt, output_hash) =
					self.votes.get(&(job, who)).copied().unwrap_or(([0xBB; 32], correct_hash(job)));
				self.call("reveal_vote", || {
					Compute::reveal_vote(RuntimeOrigin::signed(who), job, output_hash, salt)
						.map(|_| ())
						.map_err(|e| e.error)
				});
			},
			Op::ClaimExpired { job_pick } => {
				let job = pick_job(job_pick, move |j| j.timeout < now);
				self.call("claim_expired", || {
					Compute::claim_expired(RuntimeOrigin::signed(1), job)
				});
			},
			Op::Advance { blocks } => {
				for _ in 0..blocks {
					run_to_block(System::block_number() + 1);
					self.check();
				}
				return;
			},
		}
		self.check();
	}
}

/// Run `ops` in fresh externalities with `seed` as the mock's extra randomness; return the
/// statistics when collected.
fn run_sequence(seed: u64, ops: &[Op], collect_stats: bool) -> Option<BTreeMap<String, u32>> {
	new_test_ext().execute_with(|| {
		SEED.with(|s| *s.borrow_mut() = seed);
		let mut model = Model::new(collect_stats);
		model.check();
		for op in ops {
			model.apply(*op);
		}
		model.stats
	})
}

// ------------------------------------------------------------------------ strategies

fn account() -> impl Strategy<Value = AccountId> {
	1..=MAX_ACCOUNT
}

/// The job's owner (0) three times in four, else any account.
fn owner_or_account() -> BoxedStrategy<AccountId> {
	Union::new_weighted(vec![(3, Just(0u64).boxed()), (1, account().boxed())]).boxed()
}

/// Mostly in `lo..=hi`, sometimes more than an account holds.
fn amount(lo: Balance, hi: Balance) -> BoxedStrategy<Balance> {
	Union::new_weighted(vec![(15, (lo..=hi).boxed()), (1, Just(2 * ENDOWMENT).boxed())]).boxed()
}

fn register_op(stake_extra: std::ops::RangeInclusive<Balance>) -> BoxedStrategy<Op> {
	(account(), 1u128..=20, stake_extra)
		.prop_map(|(who, price, stake_extra)| Op::RegisterProvider { who, price, stake_extra })
		.boxed()
}

fn op_strategy() -> BoxedStrategy<Op> {
	let pick = any::<u8>;
	let honest = || ::proptest::bool::weighted(0.75);
	let submit = (
		account(),
		amount(0, 6_000),
		Union::new_weighted(vec![(9, (2u64..=20).boxed()), (1, (0u64..=120).boxed())]),
		Union::new_weighted(vec![(9, (1u8..=3).boxed()), (1, (0u8..=4).boxed())]),
		::proptest::bool::weighted(0.2),
		::proptest::sample::select(vec![0u32, 0, 0, 500_000, 600_000]),
	)
		.prop_map(|(who, budget, deadline, redundancy, kind_f32, min_rep)| Op::SubmitJob {
			who,
			budget,
			deadline,
			redundancy,
			kind_f32,
			min_rep,
		});
	Union::new_weighted(vec![
		(6, register_op(0..=1_100)),
		(2, account().prop_map(|who| Op::Pause { who }).boxed()),
		(3, account().prop_map(|who| Op::Resume { who }).boxed()),
		(
			3,
			(account(), amount(0, 1_500))
				.prop_map(|(who, amount)| Op::IncreaseStake { who, amount })
				.boxed(),
		),
		(2, account().prop_map(|who| Op::Unregister { who }).boxed()),
		(2, account().prop_map(|who| Op::Withdraw { who }).boxed()),
		(10, submit.boxed()),
		(
			2,
			(owner_or_account(), pick())
				.prop_map(|(who, job_pick)| Op::Cancel { who, job_pick })
				.boxed(),
		),
		(
			2,
			(owner_or_account(), pick(), amount(0, 2_000))
				.prop_map(|(who, job_pick, amount)| Op::TopUp { who, job_pick, amount })
				.boxed(),
		),
		(8, (account(), pick()).prop_map(|(who, job_pick)| Op::Accept { who, job_pick }).boxed()),
		(
			4,
			(account(), account(), pick())
				.prop_map(|(matcher, provider, job_pick)| Op::Assign {
					matcher,
					provider,
					job_pick,
				})
				.boxed(),
		),
		(
			6,
			(pick(), pick(), honest(), 0u64..=MAX_UNITS + 10)
				.prop_map(|(job_pick, slot_pick, honest, usage)| Op::Attest {
					job_pick,
					slot_pick,
					honest,
					usage,
				})
				.boxed(),
		),
		(
			8,
			(pick(), pick(), honest(), 0u64..=MAX_UNITS + 10)
				.prop_map(|(job_pick, slot_pick, honest, usage)| Op::Commit {
					job_pick,
					slot_pick,
					honest,
					usage,
				})
				.boxed(),
		),
		(
			8,
			(pick(), pick(), ::proptest::bool::weighted(0.1))
				.prop_map(|(job_pick, slot_pick, tamper)| Op::Reveal {
					job_pick,
					slot_pick,
					tamper,
				})
				.boxed(),
		),
		(
			2,
			(pick(), pick())
				.prop_map(|(job_pick, slot_pick)| Op::ReportFailure { job_pick, slot_pick })
				.boxed(),
		),
		(
			5,
			(account(), pick(), any::<bool>(), amount(50, 400))
				.prop_map(|(who, job_pick, claim_correct, bond)| Op::Challenge {
					who,
					job_pick,
					claim_correct,
					bond,
				})
				.boxed(),
		),
		(
			8,
			(pick(), pick(), honest())
				.prop_map(|(job_pick, verifier_pick, honest)| Op::CommitVote {
					job_pick,
					verifier_pick,
					honest,
				})
				.boxed(),
		),
		(
			8,
			(pick(), pick())
				.prop_map(|(job_pick, verifier_pick)| Op::RevealVote { job_pick, verifier_pick })
				.boxed(),
		),
		(3, pick().prop_map(|job_pick| Op::ClaimExpired { job_pick }).boxed()),
		(10, (1u64..8).prop_map(|blocks| Op::Advance { blocks }).boxed()),
	])
	.boxed()
}

fn cases() -> u32 {
	std::env::var("COMPUTE_PROPTEST_CASES")
		.ok()
		.and_then(|v| v.trim().parse().ok())
		.unwrap_or(10_000)
}

/// Random sequences of 1 to 39 ops (up to six registrations first, then any op), each in fresh
/// externalities with its own randomness seed.
#[test]
fn random_call_sequences_keep_the_invariants() {
	let config =
		ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() };
	let mut runner = TestRunner::new(config);
	let strategy =
		(any::<u64>(), vec_of(register_op(50..=1_100), 0..=6), vec_of(op_strategy(), 1..34));
	let result = runner.run(&strategy, |(seed, setup, ops)| {
		let mut all = setup;
		all.extend(ops);
		run_sequence(seed, &all, false);
		Ok(())
	});
	if let Err(e) = result {
		panic!("{e}");
	}
}

// ------------------------------------------------------------------------ long sequences

/// xorshift64: a fixed, dependency-free source for the long sequences.
struct XorShift(u64);

impl XorShift {
	fn next_u64(&mut self) -> u64 {
		let mut x = self.0;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		self.0 = x;
		x
	}

	fn below(&mut self, n: u64) -> u64 {
		self.next_u64() % n
	}

	/// Uniform in `lo..=hi`.
	fn range(&mut self, lo: u64, hi: u64) -> u64 {
		lo + self.below(hi - lo + 1)
	}

	fn byte(&mut self) -> u8 {
		(self.next_u64() >> 24) as u8
	}

	/// True with probability `num / den`.
	fn chance(&mut self, num: u64, den: u64) -> bool {
		self.below(den) < num
	}
}

/// The `n`th op of a long sequence: eight well-staked providers (accounts 5..=12) first, then
/// ops weighted towards the stages that need several steps (commit-reveal, votes).
fn long_op(rng: &mut XorShift, n: usize) -> Op {
	if n < 8 {
		return Op::RegisterProvider {
			who: 5 + n as AccountId,
			price: Balance::from(rng.range(1, 20)),
			stake_extra: Balance::from(rng.range(1_050, 2_050)),
		};
	}
	let who = rng.range(1, MAX_ACCOUNT);
	let job_pick = rng.byte();
	let pick = rng.byte();
	let honest = rng.chance(3, 4);
	match rng.below(100) {
		0..=2 => Op::RegisterProvider {
			who,
			price: Balance::from(rng.range(1, 20)),
			stake_extra: Balance::from(rng.range(0, 1_100)),
		},
		3..=4 => Op::Pause { who },
		5..=7 => Op::Resume { who },
		8..=9 => Op::IncreaseStake { who, amount: Balance::from(rng.range(0, 1_500)) },
		10 => Op::Unregister { who },
		11..=13 => Op::Withdraw { who },
		14..=23 => Op::SubmitJob {
			who,
			budget: Balance::from(rng.range(100, 6_000)),
			deadline: rng.range(2, 20),
			redundancy: [1, 1, 2, 3][rng.below(4) as usize],
			kind_f32: rng.chance(1, 5),
			min_rep: if rng.chance(1, 8) { 500_000 } else { 0 },
		},
		24..=25 => Op::Cancel { who: if rng.chance(3, 4) { 0 } else { who }, job_pick },
		26..=27 => Op::TopUp {
			who: if rng.chance(3, 4) { 0 } else { who },
			job_pick,
			amount: Balance::from(rng.range(0, 2_000)),
		},
		28..=35 => Op::Accept { who, job_pick },
		36..=39 => Op::Assign { matcher: rng.range(1, MAX_ACCOUNT), provider: who, job_pick },
		40..=45 => {
			Op::Attest { job_pick, slot_pick: pick, honest, usage: rng.range(0, MAX_UNITS + 5) }
		},
		46..=52 => {
			Op::Commit { job_pick, slot_pick: pick, honest, usage: rng.range(0, MAX_UNITS + 5) }
		},
		53..=59 => Op::Reveal { job_pick, slot_pick: pick, tamper: rng.chance(1, 8) },
		60..=61 => Op::ReportFailure { job_pick, slot_pick: pick },
		62..=67 => Op::Challenge {
			who,
			job_pick,
			claim_correct: rng.chance(1, 2),
			bond: Balance::from(rng.range(80, 400)),
		},
		68..=80 => Op::CommitVote { job_pick, verifier_pick: pick, honest },
		81..=93 => Op::RevealVote { job_pick, verifier_pick: pick },
		94..=95 => Op::ClaimExpired { job_pick },
		_ => Op::Advance { blocks: rng.range(1, 3) },
	}
}

/// Fixed long sequences that reach disputes, verifier votes, slashes and settlements, with every
/// check after every op and block. Run with `--nocapture` to see what they covered.
#[test]
fn long_fixed_sequences_keep_the_invariants() {
	const SEEDS: [u64; 8] = [
		0x9E37_79B9_7F4A_7C15,
		0xD1B5_4A32_D192_ED03,
		0xA076_1D64_78BD_642F,
		0xE703_7ED1_A0B4_28DB,
		0x8EBC_6AF0_9C88_C6E3,
		0x5899_65CC_7537_4CC3,
		0x1D8E_4E27_C47D_124F,
		0x2545_F491_4F6C_DD1D,
	];
	let mut totals: BTreeMap<String, u32> = BTreeMap::new();
	for seed in SEEDS {
		let mut rng = XorShift(seed);
		let ops: Vec<Op> = (0..LONG_OPS).map(|n| long_op(&mut rng, n)).collect();
		let stats = run_sequence(seed, &ops, true).expect("statistics are collected");
		for (what, n) in stats {
			*totals.entry(what).or_default() += n;
		}
	}
	for (what, n) in totals.iter() {
		eprintln!("{n:>6}  {what}");
	}
	for needed in [
		"event JobSettled",
		"event RevealPeriodStarted",
		"event ChallengePeriodStarted",
		"event VerifierDrawScheduled",
		"event DisputeOpened",
		"event VoteRevealStarted",
		"event DisputeResolved",
		"event ProviderSlashed",
	] {
		assert!(
			totals.get(needed).copied().unwrap_or_default() > 0,
			"the long sequences never reached {needed} (tune long_op's weights): {totals:#?}"
		);
	}
}
