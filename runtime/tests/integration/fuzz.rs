//! Whole-runtime fuzzer: random sequences of signed `RuntimeCall`s from many accounts, across
//! every pallet that has signed-origin calls, executed block by block on the real runtime
//! (`frame_executive` over `TestExternalities`, as a block author builds blocks), with the
//! runtime's invariants checked after every block. A second test runs each kind of bad input once
//! and shows the exact error it is refused with.
//!
//! # Design
//!
//! - **Genesis once.** The `dev` preset (Alice validates; Alice..Ferdie and their stashes are
//!   endowed) is built once and kept as a raw trie snapshot; every sequence starts from a fresh
//!   copy of it (`TestExternalities::from_raw_snapshot`, nothing re-hashed), so sequences are
//!   independent and cheap.
//! - **Sequences.** 1..=24 blocks, most of them short, about a fifth 11 or more so that they cross
//!   an era boundary (`fast-runtime`: sessions of 5 blocks, eras of 2 sessions). Each block holds
//!   the timestamp inherent and 0..=12 extrinsics. Two sequences in five are *focused* ([`Focus`]):
//!   half of their top-level calls go to compute or to the data market, they are 3..=24 blocks
//!   long (three in ten of them 11 or more, so that delivery, dispute and claim windows of 5 and
//!   10 blocks elapse), and now and then skip 2..=5 empty blocks (about a tenth of their blocks),
//!   letting time pass cheaply.
//! - **Actors.** 8 endowed dev accounts and 2 fresh keys nobody funded (a sequence may fund them).
//!   Every transaction's nonce is read from state when it is built.
//! - **Calls** are generated from the live state for every pallet with signed calls (the `gen_*`
//!   functions). The signer is biased towards accounts that hold a role in the chosen pallet
//!   (providers, job owners, verifiers, dataset owners and buyers, service owners and payers, pool
//!   owners and members, proxies). Arguments come from small domains so that objects collide and
//!   are reused: amounts such as 0, 1, ED - 1, ED, 10 AIR, 1 000 AIR, half or all of the free
//!   balance and `u128::MAX`; ids around each pallet's next id; a handful of hashes; bounded
//!   vectors empty, typical and at their bound. Utility, multisig and proxy calls nest two levels
//!   deep. Root-only calls are sent signed and fail with `BadOrigin`; referenda may enact a small
//!   set of safe calls ([`safe_proposal`]).
//! - **Lifecycles.** Compute and data-market calls are, 70 % of the time at the top level and half
//!   of the time nested, the plausible next step of an object that exists ([`plan`]), sent by the
//!   account that may take it: providers register with an offer jobs fit, owners submit jobs,
//!   providers accept them, attest or commit and then reveal with the salt the sequence kept,
//!   challengers challenge within the window, drawn verifiers commit and reveal their votes,
//!   anyone claims a job whose stage timed out; owners list datasets, buyers register a delivery
//!   key and buy, sellers or agents deliver the key, buyers dispute or reclaim, anyone completes
//!   a sale or concludes a claim after its window, curators claim and others counter, job owners
//!   register a settled job's output as a derived dataset. The other 30 % (and half of the nested
//!   ones) are the random, mostly invalid calls of [`gen_compute`] and [`gen_market`].
//! - **Raw and bad input** (about 5 % of extrinsics): random or mutated bytes decoded as a
//!   `RuntimeCall` (submitted signed when they decode) or as an `UncheckedExtrinsic` (validated as
//!   the transaction pool does, applied when valid); and the cases of [`BadInput`], each asserted
//!   to be refused with its exact error, at the pool and in a block, without touching the state.
//! - **Blocks** are built as `sc-block-builder` builds them: each extrinsic is applied in a storage
//!   transaction that is rolled back when the extrinsic is refused.
//! - **After every block**: every pallet's `try_state` (`AllPalletsWithSystem`, all of them); the
//!   total issuance moved exactly by the mints and burns the block's pallet-balances events report
//!   (see [`issuance_change`] for the rules and where they come from) and equals the sum of all
//!   accounts' balances; the block's weight is within `max_block` and its length within the limit
//!   of each included extrinsic's dispatch class.
//!
//! # Running and reproducing
//!
//! - `AIRTIME_FUZZ_SEQUENCES` (default 10 000) sequences from `AIRTIME_FUZZ_SEED` (decimal or `0x`
//!   hex, default [`DEFAULT_SEED`]); sequence `i` is seeded from the seed and `i` alone.
//! - A failure panics with the seed, sequence, block and extrinsic, prints the last extrinsics of
//!   the sequence, and replays with `AIRTIME_FUZZ_SEED=<seed> AIRTIME_FUZZ_ONLY=<sequence>`
//!   (`AIRTIME_FUZZ_VERBOSE=1` prints every call in full).
//! - `scripts/fuzz.sh` runs a long campaign on every core.
//! - The summary counts, per pallet and per call of the top-level call, the extrinsics submitted
//!   and those dispatched successfully, with each call's most frequent failures, and counts the
//!   compute and data-market events (settlements, expiries and dispute phases that hooks carry
//!   out show there only).
//!
//! sr25519 signatures are randomised and the runtime draws compute verifiers from the parent block
//! hash, so for a sequence to replay exactly each block's parent hash is the hash of the previous
//! header with its extrinsics root zeroed (its state root, covering everything the runtime stored,
//! stays in).
//!
//! Needs `try-runtime` (every pallet's `try_state`); CI runs it with `fast-runtime,try-runtime`.

#![cfg(feature = "try-runtime")]
#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use std::{collections::BTreeMap, fmt, time::Instant};

use crate::common::{apply_transactional, aura_digest, sign_payload, FIRST_SLOT};
use airtime_primitives::{
	compute::{attestation_commitment, vote_commitment},
	credits::{SignedVoucher, Voucher},
	data::{ClaimKind, License, ValidationState, SEALED_KEY_LEN},
};
use airtime_runtime::{
	configs::{
		compute::{staking_pot_account, treasury_account},
		data_market::curator_pot_account,
		parameters::dynamic_params::compute as compute_params,
		ProxyType, RuntimeParameters, MAX_BLOCK_LENGTH,
	},
	AccountId, Address, AllPalletsWithSystem, Balance, Balances, BlockNumber, Executive, Header,
	Nonce, OriginCaller, Runtime, RuntimeCall, RuntimeEvent, SessionKeys, SignedPayload, System,
	UncheckedExtrinsic, AIR, DAYS, EXISTENTIAL_DEPOSIT, MICRO_AIR, MILLI_AIR, SLOT_DURATION,
};
use codec::{Compact, Decode, DecodeLimit, Encode};
use frame_support::{
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::{
		fungible,
		schedule::DispatchTime,
		tokens::{Fortitude, Preservation},
		Bounded, BoundedInline, Get, GetCallMetadata, TryState, TryStateSelect,
	},
	weights::Weight,
	BoundedVec,
};
use pallet_compute::{
	Capabilities, ExecutorCapability, ExecutorKind, ExecutorPrice, JobId, JobSpec,
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use sp_core::{ed25519, sr25519, Pair, H256};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{
	generic::Era,
	traits::{BlakeTwo256, Header as HeaderT},
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidity, TransactionValidityError,
	},
	ApplyExtrinsicResult, DispatchError, MultiAddress, MultiSignature, Perbill, Permill,
};

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;

/// The seed when `AIRTIME_FUZZ_SEED` is not set (below 2^63, so shell arithmetic handles it).
const DEFAULT_SEED: u64 = 0x5eed_a1e7_2609_0001;
/// Sequences when `AIRTIME_FUZZ_SEQUENCES` is not set: the CI run.
const DEFAULT_SEQUENCES: u64 = 10_000;
/// Most extrinsics in a block (besides the timestamp inherent).
const MAX_EXTRINSICS_PER_BLOCK: u64 = 12;
/// Nesting levels of utility, multisig and proxy calls below the top-level call.
const MAX_DEPTH: u32 = 2;
/// The first `FUNDED` actors are endowed at genesis; the rest are fresh keys.
const FUNDED: usize = 8;
/// How deep random bytes may nest when decoded (deeper input is refused by the decoder, as the
/// executive refuses input deeper than its own limit; native recursion is kept shallow).
const FUZZ_DECODE_DEPTH: u32 = 32;
/// The executive's own decoding depth limit (`frame_executive`'s `MAX_EXTRINSIC_DEPTH`).
const EXECUTIVE_DECODE_DEPTH: u32 = 256;
/// Most entries each per-sequence memory list keeps.
const MEMO_CAP: usize = 16;
/// Most commitments (attestations and votes, with their salts) a sequence remembers.
const COMMITMENT_CAP: usize = 64;
/// Top-level compute and data-market calls that are the next step of an existing object's
/// lifecycle ([`plan`]), in percent; the rest come from the random generators.
const PLANNED_PERCENT: u64 = 70;
/// Nested compute and data-market calls that are a step their origin may take, in percent.
const NESTED_PLANNED_PERCENT: u64 = 50;
/// In a focused sequence ([`Focus`]), the top-level calls drawn from its focus, in percent.
const FOCUS_PERCENT: u64 = 50;
/// In a focused sequence, the chance (in percent) that a block starts a stretch of 2..=5 empty
/// blocks, so that windows elapse cheaply: about a tenth of its blocks are empty.
const IDLE_STRETCH_PERCENT: u64 = 3;
/// Lines of the sequence's log printed on failure.
const LOG_CAP: usize = 64;

/// The construct_runtime pallet indices and names (`runtime/src/lib.rs`): module error names in
/// the summary, and the per-pallet `try_state` report on failure.
const PALLETS: [(u8, &str); 24] = [
	(0, "System"),
	(1, "Timestamp"),
	(2, "Aura"),
	(3, "Grandpa"),
	(4, "Balances"),
	(5, "TransactionPayment"),
	(6, "Authorship"),
	(7, "Utility"),
	(8, "Multisig"),
	(9, "Proxy"),
	(10, "Staking"),
	(11, "Session"),
	(12, "Historical"),
	(13, "Offences"),
	(20, "Scheduler"),
	(21, "Preimage"),
	(22, "Referenda"),
	(23, "ConvictionVoting"),
	(24, "Origins"),
	(25, "Treasury"),
	(26, "Parameters"),
	(30, "Compute"),
	(31, "DataMarket"),
	(32, "Credits"),
];

// ------------------------------------------------------------------------------------------------
// Configuration, PRNG, failure context
// ------------------------------------------------------------------------------------------------

struct FuzzConfig {
	seed: u64,
	sequences: u64,
	only: Option<u64>,
	verbose: bool,
}

fn env_u64(name: &str) -> Option<u64> {
	let value = std::env::var(name).ok()?;
	let value = value.trim().replace('_', "");
	let parsed = match value.strip_prefix("0x").or_else(|| value.strip_prefix("0X")) {
		Some(hex) => u64::from_str_radix(hex, 16),
		None => value.parse(),
	};
	Some(parsed.unwrap_or_else(|e| panic!("{name}={value} is not a u64 (decimal or 0x hex): {e}")))
}

impl FuzzConfig {
	fn from_env() -> Self {
		FuzzConfig {
			seed: env_u64("AIRTIME_FUZZ_SEED").unwrap_or(DEFAULT_SEED),
			sequences: env_u64("AIRTIME_FUZZ_SEQUENCES").unwrap_or(DEFAULT_SEQUENCES),
			only: env_u64("AIRTIME_FUZZ_ONLY"),
			verbose: std::env::var("AIRTIME_FUZZ_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0"),
		}
	}
}

fn splitmix64(state: &mut u64) -> u64 {
	*state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
	let mut z = *state;
	z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
	z ^ (z >> 31)
}

/// xoshiro256** seeded through SplitMix64: small, fast and the same everywhere, so a sequence
/// replays from its seed alone.
struct Rng([u64; 4]);

impl Rng {
	fn new(seed: u64) -> Self {
		let mut state = seed;
		Rng([
			splitmix64(&mut state),
			splitmix64(&mut state),
			splitmix64(&mut state),
			splitmix64(&mut state),
		])
	}

	/// The generator of sequence `index` of a run seeded with `seed`.
	fn for_sequence(seed: u64, index: u64) -> Self {
		let mut state = seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
		Self::new(splitmix64(&mut state))
	}

	fn next_u64(&mut self) -> u64 {
		let s = &mut self.0;
		let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
		let t = s[1] << 17;
		s[2] ^= s[0];
		s[3] ^= s[1];
		s[1] ^= s[2];
		s[0] ^= s[3];
		s[2] ^= t;
		s[3] = s[3].rotate_left(45);
		result
	}

	/// Uniform-enough in `0..n` (0 when `n` is 0).
	fn below(&mut self, n: u64) -> u64 {
		if n == 0 {
			0
		} else {
			self.next_u64() % n
		}
	}

	fn index(&mut self, len: usize) -> usize {
		self.below(len as u64) as usize
	}

	fn chance(&mut self, percent: u64) -> bool {
		self.below(100) < percent
	}

	/// One of `items`, which must not be empty.
	fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
		let i = self.index(items.len());
		&items[i]
	}

	fn bytes(&mut self, len: usize) -> Vec<u8> {
		(0..len).map(|_| self.next_u64() as u8).collect()
	}

	fn array32(&mut self) -> [u8; 32] {
		let mut out = [0u8; 32];
		for byte in out.iter_mut() {
			*byte = self.next_u64() as u8;
		}
		out
	}
}

/// Where the fuzzer is: every assertion message starts with it, and when anything panics (an
/// assertion or the runtime itself) its `Drop` prints it with the sequence's last extrinsics.
struct Guard {
	seed: u64,
	sequence: u64,
	replayable: bool,
	block: BlockNumber,
	extrinsic: Option<usize>,
	log: Vec<String>,
}

impl Guard {
	fn new(seed: u64, sequence: u64, replayable: bool) -> Self {
		Guard { seed, sequence, replayable, block: 0, extrinsic: None, log: Vec::new() }
	}

	fn note(&mut self, line: String) {
		if self.log.len() >= LOG_CAP {
			self.log.remove(0);
		}
		self.log.push(line);
	}
}

impl fmt::Display for Guard {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "[seed {:#x} sequence {} block {}", self.seed, self.sequence, self.block)?;
		if let Some(i) = self.extrinsic {
			write!(f, " extrinsic {i}")?;
		}
		if self.replayable {
			write!(
				f,
				"; replay: AIRTIME_FUZZ_SEED={:#x} AIRTIME_FUZZ_ONLY={}",
				self.seed, self.sequence
			)?;
		}
		write!(f, "]")
	}
}

impl Drop for Guard {
	fn drop(&mut self) {
		if std::thread::panicking() {
			eprintln!("\nwhole-runtime fuzz failure {self}");
			eprintln!(
				"the sequence's last extrinsics (AIRTIME_FUZZ_VERBOSE=1 prints each call in full):"
			);
			for line in &self.log {
				eprintln!("  {line}");
			}
		}
	}
}

fn clip(mut text: String, max: usize) -> String {
	if text.len() > max {
		let mut end = max;
		while !text.is_char_boundary(end) {
			end -= 1;
		}
		text.truncate(end);
		text.push_str("...");
	}
	text
}

// ------------------------------------------------------------------------------------------------
// Genesis snapshot, actors, per-sequence memory
// ------------------------------------------------------------------------------------------------

/// A raw trie snapshot: each node's key and its (encoded node, reference count).
type RawSnapshot = Vec<(Vec<u8>, (Vec<u8>, i32))>;

/// The `dev` genesis state as a raw trie snapshot.
struct Genesis {
	raw: RawSnapshot,
	root: H256,
}

impl Genesis {
	fn build() -> Self {
		let mut ext = crate::common::new_ext(DEV);
		ext.commit_all().expect("no storage transaction is open after the genesis build");
		let (raw, root) = ext.into_raw_snapshot();
		Genesis { raw, root }
	}

	/// Fresh externalities holding the genesis state.
	fn ext(&self) -> sp_io::TestExternalities {
		sp_io::TestExternalities::from_raw_snapshot(
			self.raw.clone(),
			self.root,
			sp_runtime::StateVersion::default(),
		)
	}
}

struct Actor {
	name: &'static str,
	pair: sr25519::Pair,
	account: AccountId,
}

impl Actor {
	fn from_seed(seed: &str, name: &'static str) -> Self {
		let pair = sr25519::Pair::from_string(seed, None).expect("a valid derivation path");
		Actor { name, account: pair.public().into(), pair }
	}
}

struct World {
	/// `FUNDED` endowed dev accounts, then fresh keys.
	actors: Vec<Actor>,
	/// Nobody ever sends it anything: the unfunded signer of the bad-input case.
	never_funded: Actor,
	/// Multisig set-ups: threshold and sorted signatories.
	multisigs: Vec<(u16, Vec<AccountId>)>,
	/// Pallet accounts and multisig accounts, as destinations and targets.
	specials: Vec<AccountId>,
}

impl World {
	fn new() -> Self {
		use Sr25519Keyring::*;
		let keyring = [
			(Alice, "Alice"),
			(Bob, "Bob"),
			(Charlie, "Charlie"),
			(Dave, "Dave"),
			(Eve, "Eve"),
			(Ferdie, "Ferdie"),
			(AliceStash, "AliceStash"),
			(BobStash, "BobStash"),
		];
		let mut actors: Vec<Actor> = keyring
			.iter()
			.map(|&(key, name)| Actor { name, pair: key.pair(), account: key.to_account_id() })
			.collect();
		assert_eq!(actors.len(), FUNDED);
		actors.push(Actor::from_seed("//AirtimeFuzzFresh1", "Fresh1"));
		actors.push(Actor::from_seed("//AirtimeFuzzFresh2", "Fresh2"));
		let never_funded = Actor::from_seed("//AirtimeFuzzNeverFunded", "NeverFunded");
		let sorted = |indices: &[usize]| {
			let mut accounts: Vec<AccountId> =
				indices.iter().map(|&i| actors[i].account.clone()).collect();
			accounts.sort();
			accounts
		};
		let multisigs = vec![
			(2, sorted(&[0, 1, 2])),
			(2, sorted(&[1, 3])),
			(3, sorted(&[0, 1, 2])),
			(2, sorted(&[2, FUNDED])),
		];
		let mut specials = vec![
			treasury_account(),
			staking_pot_account(),
			curator_pot_account(),
			airtime_runtime::Staking::account_id(),
		];
		for (threshold, signatories) in &multisigs {
			specials.push(pallet_multisig::Pallet::<Runtime>::multi_account_id(
				signatories,
				*threshold,
			));
		}
		World { actors, never_funded, multisigs, specials }
	}

	fn actor_index(&self, who: &AccountId) -> Option<usize> {
		self.actors.iter().position(|a| &a.account == who)
	}
}

#[derive(Clone)]
struct PureProxy {
	pure: AccountId,
	spawner: AccountId,
	proxy_type: ProxyType,
	index: u16,
	height: BlockNumber,
	ext_index: u32,
}

/// What a sequence concentrates on. Most sequences spread their calls over every area; a focused
/// one draws [`FOCUS_PERCENT`] of its top-level calls from one lifecycle, so that its objects get
/// far (jobs settled or disputed, sales completed, claims concluded, derived datasets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Focus {
	/// Providers, jobs, attestations, challenges and disputes.
	Compute,
	/// Listings, purchases and claims; a quarter of the focused calls are compute calls, so that
	/// jobs reading datasets settle and their output is registered as a derived dataset.
	DataMarket,
}

/// The focus of a sequence: two in ten on compute, two in ten on the data market.
fn draw_focus(rng: &mut Rng) -> Option<Focus> {
	match rng.below(10) {
		0 | 1 => Some(Focus::Compute),
		2 | 3 => Some(Focus::DataMarket),
		_ => None,
	}
}

/// What a sequence remembers to build later calls from: pure proxies it created, preimages it
/// noted, commitments it made (with their salts, so that they can be revealed), announcements.
struct Memo {
	parent_hash: H256,
	/// What the sequence concentrates on, if anything.
	focus: Option<Focus>,
	/// Empty blocks still to come in the current idle stretch.
	idle: u32,
	/// Net `TotalIssuanceForced` adjustments (root only): they change the issuance without
	/// touching any account.
	issuance_forced: i128,
	pures: Vec<PureProxy>,
	preimages: Vec<(H256, u32)>,
	attestations: Vec<(JobId, AccountId, H256, u64, [u8; 32])>,
	votes: Vec<(JobId, AccountId, H256, [u8; 32])>,
	/// (delegate, real, call) of proxy announcements.
	announcements: Vec<(AccountId, AccountId, RuntimeCall)>,
}

impl Memo {
	fn new(parent_hash: H256) -> Self {
		Memo {
			parent_hash,
			focus: None,
			idle: 0,
			issuance_forced: 0,
			pures: Vec::new(),
			preimages: Vec::new(),
			attestations: Vec::new(),
			votes: Vec::new(),
			announcements: Vec::new(),
		}
	}

	/// Learns from the block's events: pure proxies created and killed.
	fn learn_from_events(&mut self) {
		for record in System::events() {
			match record.event {
				RuntimeEvent::Proxy(pallet_proxy::Event::PureCreated {
					pure,
					who,
					proxy_type,
					disambiguation_index,
					at,
					extrinsic_index,
				}) => remember(
					&mut self.pures,
					PureProxy {
						pure,
						spawner: who,
						proxy_type,
						index: disambiguation_index,
						height: at,
						ext_index: extrinsic_index,
					},
				),
				RuntimeEvent::Proxy(pallet_proxy::Event::PureKilled { pure, .. }) => {
					self.pures.retain(|p| p.pure != pure)
				},
				RuntimeEvent::Balances(pallet_balances::Event::TotalIssuanceForced {
					old,
					new,
				}) => self.issuance_forced += new as i128 - old as i128,
				_ => {},
			}
		}
	}
}

fn remember<T>(list: &mut Vec<T>, item: T) {
	remember_within(list, item, MEMO_CAP);
}

/// Appends `item`, dropping the oldest entry when `list` holds `cap` already.
fn remember_within<T>(list: &mut Vec<T>, item: T, cap: usize) {
	if list.len() >= cap {
		list.remove(0);
	}
	list.push(item);
}

// ------------------------------------------------------------------------------------------------
// Statistics
// ------------------------------------------------------------------------------------------------

#[derive(Default)]
struct Stats {
	sequences: u64,
	era_changes: u64,
	blocks: u64,
	extrinsics: u64,
	ok: u64,
	dispatch_failed: u64,
	refused: u64,
	dispatch_errors: BTreeMap<String, u64>,
	refusals: BTreeMap<String, u64>,
	pool_refusals: BTreeMap<String, u64>,
	/// Per pallet of the top-level call: submitted, dispatched successfully.
	per_pallet: BTreeMap<&'static str, (u64, u64)>,
	/// Per (pallet, call) of the top-level call: submitted, dispatched successfully.
	per_call: BTreeMap<(&'static str, &'static str), (u64, u64)>,
	/// Per (pallet, call) of the top-level call: its dispatch errors and refusals.
	per_call_failures: BTreeMap<(&'static str, &'static str), BTreeMap<String, u64>>,
	/// Compute and data-market events by name: how far their lifecycles got, hooks included.
	events: BTreeMap<String, u64>,
	raw_calls: u64,
	raw_calls_decoded: u64,
	raw_extrinsics: u64,
	raw_extrinsics_decoded: u64,
	bad_inputs: BTreeMap<String, u64>,
}

impl Stats {
	fn record(&mut self, pallet: &'static str, call: &'static str, result: &ApplyExtrinsicResult) {
		self.extrinsics += 1;
		let entry = self.per_pallet.entry(pallet).or_default();
		entry.0 += 1;
		let per_call = self.per_call.entry((pallet, call)).or_default();
		per_call.0 += 1;
		let failure = match result {
			Ok(Ok(())) => {
				self.ok += 1;
				entry.1 += 1;
				per_call.1 += 1;
				None
			},
			Ok(Err(error)) => {
				self.dispatch_failed += 1;
				let name = error_name(error);
				*self.dispatch_errors.entry(name.clone()).or_default() += 1;
				Some(name)
			},
			Err(error) => {
				self.refused += 1;
				let name = format!("{error:?}");
				*self.refusals.entry(name.clone()).or_default() += 1;
				Some(format!("refused {name}"))
			},
		};
		if let Some(name) = failure {
			*self.per_call_failures.entry((pallet, call)).or_default().entry(name).or_default() +=
				1;
		}
	}

	/// Counts the compute and data-market events of the block just finalized: settlements,
	/// expiries and dispute phases that hooks carry out show only here.
	fn count_events(&mut self) {
		for record in System::events() {
			let (pallet, debug) = match &record.event {
				RuntimeEvent::Compute(event) => ("Compute", format!("{event:?}")),
				RuntimeEvent::DataMarket(event) => ("DataMarket", format!("{event:?}")),
				_ => continue,
			};
			// FRAME's derived `Debug` prints `Event::JobSettled { .. }`.
			let name = debug.strip_prefix("Event::").unwrap_or(&debug);
			let variant: String =
				name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
			*self.events.entry(format!("{pallet}::{variant}")).or_default() += 1;
		}
	}

	fn print(&self, config: &FuzzConfig, elapsed: std::time::Duration) {
		let per_sequence_ms = if self.sequences == 0 {
			0.0
		} else {
			elapsed.as_secs_f64() * 1_000.0 / self.sequences as f64
		};
		println!(
			"fuzz summary: seed {:#x}, {} sequences ({} changed era), {} blocks, {} extrinsics: \
			 {} dispatched ok, {} dispatch errors, {} refused; raw calls {} (decoded {}), raw \
			 extrinsics {} (decoded {}); bad inputs {}; {:.1} s ({:.2} ms per sequence)",
			config.seed,
			self.sequences,
			self.era_changes,
			self.blocks,
			self.extrinsics,
			self.ok,
			self.dispatch_failed,
			self.refused,
			self.raw_calls,
			self.raw_calls_decoded,
			self.raw_extrinsics,
			self.raw_extrinsics_decoded,
			self.bad_inputs.values().sum::<u64>(),
			elapsed.as_secs_f64(),
			per_sequence_ms,
		);
		println!("  top dispatch errors: {}", top(&self.dispatch_errors, 25));
		println!("  refused (validity): {}", top(&self.refusals, 10));
		println!("  refused by the pool (raw extrinsics): {}", top(&self.pool_refusals, 10));
		println!("  bad inputs: {}", top(&self.bad_inputs, 10));
		let pallets: Vec<String> = self
			.per_pallet
			.iter()
			.map(|(pallet, (submitted, ok))| format!("{pallet} {ok}/{submitted}"))
			.collect();
		println!("  per pallet (ok/submitted): {}", pallets.join(", "));
		let mut calls: BTreeMap<&str, Vec<String>> = BTreeMap::new();
		for (&(pallet, call), &(submitted, ok)) in &self.per_call {
			let mut line = format!("{call} {ok}/{submitted}");
			if let Some(failures) = self.per_call_failures.get(&(pallet, call)) {
				line.push_str(&format!(" ({})", top(failures, 2)));
			}
			calls.entry(pallet).or_default().push(line);
		}
		println!("  per call (ok/submitted, most frequent failures):");
		for (pallet, lines) in &calls {
			println!("    {pallet}: {}", lines.join("; "));
		}
		println!("  compute and data-market events: {}", top(&self.events, 80));
		println!(
			"FUZZ-SUMMARY seed={:#x} sequences={} blocks={} extrinsics={} ok={} \
			 dispatch_errors={} refused={} elapsed_s={:.1}",
			config.seed,
			self.sequences,
			self.blocks,
			self.extrinsics,
			self.ok,
			self.dispatch_failed,
			self.refused,
			elapsed.as_secs_f64(),
		);
	}

	/// Each pallet's happy path is reached: a generator that stopped producing useful calls (an
	/// argument domain gone stale after a pallet change) fails here rather than fuzzing nothing.
	fn assert_coverage(&self) {
		for pallet in [
			"System",
			"Balances",
			"Utility",
			"Multisig",
			"Proxy",
			"Staking",
			"Session",
			"Compute",
			"DataMarket",
			"Credits",
			"Preimage",
			"Referenda",
			"ConvictionVoting",
		] {
			let (submitted, ok) = self.per_pallet.get(pallet).copied().unwrap_or_default();
			assert!(
				ok > 0,
				"no {pallet} call dispatched successfully ({submitted} submitted): the fuzzer's \
				 generator for it no longer reaches the pallet's happy path"
			);
		}
		assert!(self.era_changes > 0, "no sequence crossed an era boundary");
	}
}

fn top(map: &BTreeMap<String, u64>, n: usize) -> String {
	let mut entries: Vec<(&String, &u64)> = map.iter().collect();
	entries.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
	let shown: Vec<String> =
		entries.iter().take(n).map(|(name, count)| format!("{name} {count}")).collect();
	if shown.is_empty() {
		"none".into()
	} else {
		shown.join(", ")
	}
}

fn pallet_name(index: u8) -> &'static str {
	PALLETS.iter().find(|(i, _)| *i == index).map_or("?", |(_, name)| *name)
}

fn error_name(error: &DispatchError) -> String {
	match error {
		DispatchError::Module(module) => {
			format!("{}::{}", pallet_name(module.index), module.message.unwrap_or("?"))
		},
		other => format!("{other:?}"),
	}
}

fn outcome(result: &ApplyExtrinsicResult) -> String {
	match result {
		Ok(Ok(())) => "ok".into(),
		Ok(Err(error)) => format!("dispatch error {}", error_name(error)),
		Err(error) => format!("refused {error:?}"),
	}
}

// ------------------------------------------------------------------------------------------------
// Blocks
// ------------------------------------------------------------------------------------------------

/// The next Aura slot after the current one whose author is not disabled (pallet-aura panics on a
/// block by a disabled author, which a real author never produces).
fn next_slot(number: BlockNumber) -> u64 {
	let authorities = pallet_aura::Authorities::<Runtime>::get().len() as u64;
	let disabled = airtime_runtime::Session::disabled_validators();
	let mut slot =
		(*pallet_aura::CurrentSlot::<Runtime>::get() + 1).max(FIRST_SLOT + u64::from(number));
	for _ in 0..=authorities {
		if authorities == 0 || !disabled.contains(&((slot % authorities) as u32)) {
			break;
		}
		slot += 1;
	}
	slot
}

struct OpenBlock {
	number: BlockNumber,
	issuance_before: Balance,
}

/// Initializes the next block on `parent_hash` and applies its timestamp inherent.
fn begin_block(parent_hash: H256, guard: &Guard) -> OpenBlock {
	let number = System::block_number() + 1;
	// pallet-aura divides the slot by the authority count in `on_initialize`: with none left the
	// chain is halted, which is a finding of its own (say so rather than divide by zero).
	assert!(
		!pallet_aura::Authorities::<Runtime>::get().is_empty(),
		"{guard}: Aura has no authorities left; no block can be produced"
	);
	let slot = next_slot(number);
	let issuance_before = Balances::total_issuance();
	let header = Header::new(number, H256::zero(), H256::zero(), parent_hash, aura_digest(slot));
	let _mode = Executive::initialize_block(&header);
	let timestamp =
		UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
			now: slot * SLOT_DURATION,
		}));
	assert_eq!(
		Executive::apply_extrinsic(timestamp),
		Ok(Ok(())),
		"{guard}: the timestamp inherent"
	);
	// What applying the first transaction would do; done here so that a refused extrinsic leaves
	// exactly nothing behind (see `expect_refused`).
	Executive::inherents_applied();
	OpenBlock { number, issuance_before }
}

/// Validates `xt` as the transaction pool does (against the current state), leaving no trace.
fn validate_at_pool(xt: UncheckedExtrinsic) -> TransactionValidity {
	sp_io::storage::start_transaction();
	let result =
		Executive::validate_transaction(TransactionSource::External, xt, System::parent_hash());
	sp_io::storage::rollback_transaction();
	result
}

fn block_length_limit(class: DispatchClass) -> u32 {
	*<Runtime as frame_system::Config>::BlockLength::get().max.get(class)
}

/// Finalizes the block and checks it: length, weight, issuance, `try_state`. Returns nothing; the
/// next block's parent hash goes into `memo`.
fn end_block(block: OpenBlock, memo: &mut Memo, guard: &Guard) {
	let size = System::block_size();
	let max_length = [DispatchClass::Normal, DispatchClass::Operational, DispatchClass::Mandatory]
		.into_iter()
		.map(block_length_limit)
		.max()
		.unwrap_or_default();
	assert!(size <= max_length, "{guard}: the block is {size} bytes, above the limit {max_length}");

	let header = Executive::finalize_block();

	let weights = <Runtime as frame_system::Config>::BlockWeights::get();
	let consumed = System::block_weight();
	for class in [DispatchClass::Normal, DispatchClass::Operational] {
		let used = *consumed.get(class);
		if let Some(limit) = weights.get(class).max_total {
			assert!(
				used.all_lte(limit),
				"{guard}: {class:?} extrinsics weigh {used:?}, above their limit {limit:?}"
			);
		}
	}
	// pallet-session charges a whole `max_block` of mandatory weight for a session rotation
	// (pallet-session 50.0.0 `on_initialize`, L671-674: "assume it takes the whole block"), so a
	// rotation block is over `max_block` by whatever else ran; every other block must fit.
	let rotated = System::events().iter().any(|r| {
		matches!(r.event, RuntimeEvent::Session(pallet_session::Event::NewSession { .. }))
	});
	let weight = consumed.total();
	assert!(
		rotated || weight.all_lte(weights.max_block),
		"{guard}: the block weighs {weight:?}, above max_block {:?}",
		weights.max_block
	);

	// First: a forced issuance adjustment in this block is part of what the sum check expects.
	memo.learn_from_events();
	check_issuance(block.issuance_before, memo, guard);
	check_try_state(block.number, guard);

	let mut next_parent = header;
	next_parent.extrinsics_root = H256::zero();
	memo.parent_hash = next_parent.hash();
}

/// The change of total issuance the block's pallet-balances events account for: (increase,
/// decrease).
///
/// pallet-balances 51.0.2 changes `TotalIssuance` in these places only, each with an event:
/// - `fungible::Mutate::mint_into` and `restore` (frame-support 49.0.1
///   `traits/tokens/fungible/regular.rs` L256 and L316, `Exact`, so the event's amount is what was
///   added) emit `Minted` and `Restored` (`impl_fungible.rs` L195, L204); `burn_from` and `shelve`
///   (regular.rs L270, L296) emit `Burned` and `Suspended` with the amount actually removed
///   (L198, L201). The `balances.burn` call and the staking pallet's inflation mint go through
///   these.
/// - `fungible::Balanced::issue` and `rescind` (regular.rs L424, L409) emit `Issued` (when
///   non-zero) and `Rescinded` with the delta (`impl_fungible.rs` L407, L412). Staking's era
///   inflation to the treasury is issued this way.
/// - Dropping a `fungible::Credit` calls `OnDropCredit` = `NegativeImbalance::handle`
///   (`impl_fungible.rs` L398, `impl_currency.rs` L280): issuance falls, event `BurnedDebt`.
///   That is how the 80 % of each fee `DealWithFees` does not pay the author, compute's protocol-
///   fee burn (pallet-compute `functions.rs` `drop(burn)`), a credit an account could not take
///   (`ResolveTo`, `pay_author`) and dust are burnt. Dropping a `fungible::Debt` calls
///   `PositiveImbalance::handle` (L289): issuance rises, event `MintedCredit`.
/// - `fungible::hold::Mutate::burn_held` (frame-support `fungible/hold.rs` L292) emits
///   `BurnedHeld`.
/// - The legacy `Currency` imbalances: dropping a `PositiveImbalance` or `NegativeImbalance`
///   (`impl_currency.rs` L259, L269) emits `Issued` or `Rescinded`; `Currency::burn` and `issue`
///   (L338, L356) emit `Rescinded` and `Issued` and return the opposite imbalance, whose drop is
///   evented in turn. `force_set_balance` adjusts the issuance by dropping such an imbalance
///   (`lib.rs` L792).
/// - `force_adjust_total_issuance` (`lib.rs` L831) emits `TotalIssuanceForced { old, new }`.
///
/// Not counted, because they do not change the issuance by themselves: `Deposit` and `Withdraw`
/// (they create the debt or credit whose drop, if any, is evented as above), `Slashed`,
/// `Transfer`, holds, freezes, reserves and locks. `DustLost` is not counted either: the dust is
/// burnt by handing a `Credit` to `DustRemoval = ()` (`impl_fungible.rs` L154, regular.rs L139),
/// which drops it and emits `BurnedDebt`; counting `DustLost` too would count the dust twice.
/// Every issuance change in pallet-balances 51.0.2 is evented; none is left out here.
fn issuance_change(events: &[frame_system::EventRecord<RuntimeEvent, H256>]) -> (Balance, Balance) {
	use pallet_balances::Event as E;
	let mut increase: Balance = 0;
	let mut decrease: Balance = 0;
	for record in events {
		let RuntimeEvent::Balances(event) = &record.event else { continue };
		match event {
			E::Minted { amount, .. }
			| E::MintedCredit { amount }
			| E::Issued { amount }
			| E::Restored { amount, .. } => {
				increase = increase.checked_add(*amount).expect("the increases fit a u128")
			},
			E::Burned { amount, .. }
			| E::BurnedDebt { amount }
			| E::Rescinded { amount }
			| E::Suspended { amount, .. }
			| E::BurnedHeld { amount, .. } => {
				decrease = decrease.checked_add(*amount).expect("the decreases fit a u128")
			},
			E::TotalIssuanceForced { old, new } => {
				if new >= old {
					increase += new - old;
				} else {
					decrease += old - new;
				}
			},
			_ => {},
		}
	}
	(increase, decrease)
}

fn check_issuance(before: Balance, memo: &Memo, guard: &Guard) {
	let after = Balances::total_issuance();
	let events = System::events();
	let (increase, decrease) = issuance_change(&events);
	let explained = before.checked_add(increase).and_then(|v| v.checked_sub(decrease));
	if explained != Some(after) {
		let balances_events: Vec<String> = events
			.iter()
			.filter(|r| matches!(r.event, RuntimeEvent::Balances(_)))
			.map(|r| format!("{:?}", r.event))
			.collect();
		panic!(
			"{guard}: the total issuance went from {before} to {after}, but the block's \
			 pallet-balances events account for +{increase} -{decrease} (expected {explained:?}); \
			 its balances events: {}",
			clip(balances_events.join("; "), 8_000)
		);
	}
	let accounts = frame_system::Account::<Runtime>::iter_values()
		.fold(0u128, |sum, a| sum.saturating_add(a.data.free).saturating_add(a.data.reserved));
	assert_eq!(
		accounts as i128 + memo.issuance_forced,
		after as i128,
		"{guard}: the total issuance {after} is not the sum of all accounts' free and reserved \
		 balances {accounts} (plus forced adjustments {})",
		memo.issuance_forced
	);
}

fn check_try_state(number: BlockNumber, guard: &Guard) {
	sp_io::storage::start_transaction();
	let result =
		<AllPalletsWithSystem as TryState<BlockNumber>>::try_state(number, TryStateSelect::All);
	let failures: Vec<String> = if result.is_err() {
		PALLETS
			.iter()
			.filter_map(|(_, name)| {
				<AllPalletsWithSystem as TryState<BlockNumber>>::try_state(
					number,
					TryStateSelect::Only(vec![name.as_bytes().to_vec()]),
				)
				.err()
				.map(|e| format!("{name}: {e:?}"))
			})
			.collect()
	} else {
		Vec::new()
	};
	sp_io::storage::rollback_transaction();
	assert!(result.is_ok(), "{guard}: try_state failed after the block: {failures:?}");
}

// ------------------------------------------------------------------------------------------------
// Signing
// ------------------------------------------------------------------------------------------------

fn remark_call(remark: Vec<u8>) -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark })
}

/// A signed extrinsic of `call`, as a wallet builds it.
fn sign_with(
	call: RuntimeCall,
	signer: &sr25519::Pair,
	nonce: Nonce,
	tip: Balance,
	era: Era,
) -> UncheckedExtrinsic {
	let tx_ext = airtime_runtime::tx_extension(nonce, era, tip);
	let payload = SignedPayload::new(call, tx_ext)
		.expect("the extensions' implicit data (genesis and birth block hashes) is in state");
	sign_payload(payload, signer, signer.public().into())
}

/// The encoding of a signed, immortal extrinsic from `signer` whose call is the raw bytes
/// `call`, which need not decode: the wire format of a signed extrinsic (format version 4), built
/// by hand. Checked against a valid call in `fuzz_bad_input_rejected`.
fn encode_signed_raw(call: &[u8], signer: &sr25519::Pair, nonce: Nonce) -> Vec<u8> {
	let tx_ext = airtime_runtime::tx_extension(nonce, Era::Immortal, 0);
	// The data the extensions add to the signed payload: spec and transaction versions, genesis
	// and birth block hashes, metadata hash mode.
	let (_, _, implicit) = SignedPayload::new(remark_call(Vec::new()), tx_ext.clone())
		.expect("the extensions' implicit data is in state")
		.deconstruct();
	let mut payload = call.to_vec();
	tx_ext.encode_to(&mut payload);
	implicit.encode_to(&mut payload);
	// `SignedPayload` signs the blake2-256 hash of payloads longer than 256 bytes.
	let signature = if payload.len() > 256 {
		signer.sign(&sp_io::hashing::blake2_256(&payload))
	} else {
		signer.sign(&payload)
	};
	let who: AccountId = signer.public().into();
	// Signed bit (0x80) | extrinsic format version 4.
	let mut body = vec![0x84u8];
	Address::from(who).encode_to(&mut body);
	MultiSignature::from(signature).encode_to(&mut body);
	tx_ext.encode_to(&mut body);
	body.extend_from_slice(call);
	let mut encoded = Compact(body.len() as u32).encode();
	encoded.extend(body);
	encoded
}

// ------------------------------------------------------------------------------------------------
// Call generation
// ------------------------------------------------------------------------------------------------

struct Gen<'a> {
	rng: &'a mut Rng,
	world: &'a World,
	memo: &'a mut Memo,
}

impl Gen<'_> {
	/// Any actor, funded or not.
	fn actor(&mut self) -> AccountId {
		let i = self.rng.index(self.world.actors.len());
		self.world.actors[i].account.clone()
	}

	/// An account to send to or name: mostly actors, sometimes pallet, multisig or pure proxy
	/// accounts.
	fn account(&mut self) -> AccountId {
		match self.rng.below(10) {
			0 => {
				let i = self.rng.index(self.world.specials.len());
				self.world.specials[i].clone()
			},
			1 if !self.memo.pures.is_empty() => {
				let i = self.rng.index(self.memo.pures.len());
				self.memo.pures[i].pure.clone()
			},
			_ => self.actor(),
		}
	}

	/// A lookup source: mostly an account id, sometimes a variant the runtime cannot look up.
	fn addr(&mut self) -> Address {
		match self.rng.below(40) {
			0 => MultiAddress::Index(()),
			1 => MultiAddress::Raw(self.rng.bytes(3)),
			2 => MultiAddress::Address32(self.rng.array32()),
			_ => MultiAddress::Id(self.account()),
		}
	}

	/// An amount from the small domain, relative to `who`'s free balance where it matters.
	fn amount(&mut self, who: &AccountId) -> Balance {
		let free = Balances::free_balance(who);
		match self.rng.below(13) {
			0 => 0,
			1 => 1,
			2 => EXISTENTIAL_DEPOSIT - 1,
			3 => EXISTENTIAL_DEPOSIT,
			4 => AIR,
			5 => 10 * AIR,
			6 => 100 * AIR,
			7 => 1_000 * AIR,
			8 => 10_000 * AIR,
			9 => free / 2,
			10 => free,
			11 => u128::MAX,
			_ => free.saturating_sub(EXISTENTIAL_DEPOSIT),
		}
	}

	/// A price or small fee.
	fn price(&mut self) -> Balance {
		*self.rng.pick(&[0, 1, MICRO_AIR, MILLI_AIR, AIR, 10 * AIR, u128::MAX])
	}

	fn hash(&mut self) -> H256 {
		match self.rng.below(4) {
			0 => H256::zero(),
			1 => H256::repeat_byte(1),
			2 => H256::repeat_byte(2),
			_ => H256(self.rng.array32()),
		}
	}

	fn opt_hash(&mut self) -> Option<H256> {
		if self.rng.chance(70) {
			Some(self.hash())
		} else {
			None
		}
	}

	fn perbill(&mut self) -> Perbill {
		match self.rng.below(6) {
			0 => Perbill::zero(),
			1 => Perbill::from_percent(1),
			2 => Perbill::from_percent(10),
			3 => Perbill::from_percent(50),
			4 => Perbill::one(),
			_ => Perbill::from_parts(self.rng.below(1_000_000_001) as u32),
		}
	}

	/// An id around a pallet's next id: mostly existing ones, sometimes the next, rarely huge.
	fn id(&mut self, next: u64) -> u64 {
		match self.rng.below(20) {
			0 => u64::MAX,
			1..=4 => next + self.rng.below(2),
			_ => {
				if next == 0 {
					self.rng.below(3)
				} else {
					self.rng.below(next)
				}
			},
		}
	}

	fn id32(&mut self, next: u32) -> u32 {
		self.id(u64::from(next)).min(u64::from(u32::MAX)) as u32
	}

	/// One of `candidates` most of the time, else an id around `next`.
	fn choose(&mut self, candidates: Vec<u64>, next: u64) -> u64 {
		if !candidates.is_empty() && self.rng.chance(80) {
			candidates[self.rng.index(candidates.len())]
		} else {
			self.id(next)
		}
	}

	/// A block number from now to far ahead.
	fn blocks_ahead(&mut self) -> BlockNumber {
		System::block_number()
			.saturating_add(*self.rng.pick(&[0u32, 1, 2, 3, 5, 10, 20, 100, 10_000]))
	}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Area {
	System,
	Balances,
	Utility,
	Multisig,
	Proxy,
	Staking,
	Session,
	Compute,
	DataMarket,
	Credits,
	Preimage,
	Referenda,
	Voting,
	Treasury,
	Scheduler,
	/// Root- or none-origin calls of pallets without signed calls (timestamp, GRANDPA,
	/// parameters) and root-only calls of the others.
	Privileged,
}

impl Area {
	fn nests(self) -> bool {
		matches!(self, Area::Utility | Area::Multisig | Area::Proxy)
	}
}

/// How often each area is chosen.
const AREAS: [(Area, u64); 16] = [
	(Area::Balances, 10),
	(Area::System, 3),
	(Area::Utility, 6),
	(Area::Multisig, 5),
	(Area::Proxy, 6),
	(Area::Staking, 10),
	(Area::Session, 3),
	(Area::Compute, 14),
	(Area::DataMarket, 10),
	(Area::Credits, 10),
	(Area::Preimage, 3),
	(Area::Referenda, 5),
	(Area::Voting, 5),
	(Area::Treasury, 2),
	(Area::Scheduler, 1),
	(Area::Privileged, 2),
];

fn pick_area(rng: &mut Rng, depth: u32) -> Area {
	let nesting = depth < MAX_DEPTH;
	let allowed = |area: &Area| nesting || !area.nests();
	let total: u64 = AREAS.iter().filter(|(a, _)| allowed(a)).map(|(_, w)| *w).sum();
	let mut roll = rng.below(total);
	for (area, weight) in AREAS.iter() {
		if !allowed(area) {
			continue;
		}
		if roll < *weight {
			return *area;
		}
		roll -= *weight;
	}
	Area::Balances
}

/// Accounts holding a role in `area`'s pallet: preferred signers for its calls.
fn role_holders(area: Area) -> Vec<AccountId> {
	let mut holders = Vec::new();
	match area {
		Area::Compute => {
			holders.extend(pallet_compute::Providers::<Runtime>::iter_keys());
			for job in pallet_compute::Jobs::<Runtime>::iter_values() {
				holders.push(job.owner.clone());
				holders.extend(job.slots.iter().map(|s| s.provider.clone()));
			}
			for dispute in pallet_compute::Disputes::<Runtime>::iter_values() {
				holders.extend(dispute.votes.iter().map(|(verifier, _)| verifier.clone()));
			}
		},
		Area::DataMarket => {
			for dataset in pallet_data_market::Datasets::<Runtime>::iter_values() {
				holders.push(dataset.owner.clone());
				holders.extend(dataset.agent.clone());
			}
			for purchase in pallet_data_market::Purchases::<Runtime>::iter_values() {
				holders.push(purchase.buyer.clone());
				holders.push(purchase.seller.clone());
			}
		},
		Area::Credits => {
			for service in pallet_credits::Services::<Runtime>::iter_values() {
				holders.push(service.owner.clone());
			}
			for id in pallet_credits::Channels::<Runtime>::iter_keys() {
				if let Some(view) = pallet_credits::Pallet::<Runtime>::channel_view(id) {
					holders.push(view.payer);
					holders.push(view.signer);
				}
			}
		},
		Area::Staking => {
			holders.extend(pallet_staking::Pools::<Runtime>::iter_keys());
			holders.extend(
				pallet_staking::PoolMembers::<Runtime>::iter_keys().map(|(_, member)| member),
			);
			holders.extend(pallet_staking::Ledger::<Runtime>::iter_keys());
		},
		Area::Proxy => {
			for (definitions, _) in pallet_proxy::Proxies::<Runtime>::iter_values() {
				holders.extend(definitions.iter().map(|d| d.delegate.clone()));
			}
		},
		_ => {},
	}
	holders
}

/// A signer (actor index): for `area`, half of the time an actor holding a role in it.
fn pick_signer(g: &mut Gen, area: Option<Area>) -> usize {
	let world = g.world;
	if let Some(area) = area {
		if g.rng.chance(50) {
			let holders: Vec<usize> =
				role_holders(area).iter().filter_map(|a| world.actor_index(a)).collect();
			if !holders.is_empty() {
				return holders[g.rng.index(holders.len())];
			}
		}
	}
	if g.rng.chance(92) {
		g.rng.index(FUNDED)
	} else {
		FUNDED + g.rng.index(world.actors.len() - FUNDED)
	}
}

/// The area of a top-level call: in a focused sequence [`FOCUS_PERCENT`] of the time its focus.
fn top_area(g: &mut Gen) -> Area {
	let focus = g.memo.focus;
	match focus {
		Some(Focus::Compute) if g.rng.chance(FOCUS_PERCENT) => Area::Compute,
		Some(Focus::DataMarket) if g.rng.chance(FOCUS_PERCENT) => {
			if g.rng.chance(75) {
				Area::DataMarket
			} else {
				Area::Compute
			}
		},
		_ => pick_area(g.rng, 0),
	}
}

/// Whether `area` has lifecycles [`plan`] steps through.
fn planned_area(area: Area) -> bool {
	matches!(area, Area::Compute | Area::DataMarket)
}

/// A top-level call and who signs it: for compute and the data market, [`PLANNED_PERCENT`] of
/// the time the next step of an existing object's lifecycle, signed by whoever may take it.
fn top_level(g: &mut Gen) -> (usize, RuntimeCall) {
	let area = top_area(g);
	if planned_area(area) && g.rng.chance(PLANNED_PERCENT) {
		if let Some((who, call)) = plan(g, area, None) {
			if let Some(signer) = g.world.actor_index(&who) {
				return (signer, call);
			}
		}
	}
	let signer = pick_signer(g, Some(area));
	let me = g.world.actors[signer].account.clone();
	let call = gen_area(g, area, &me, 0);
	(signer, call)
}

/// A call dispatched as `me` at nesting `depth`: for compute and the data market, now and then
/// a lifecycle step `me` may take.
fn gen_call(g: &mut Gen, me: &AccountId, depth: u32) -> RuntimeCall {
	let area = pick_area(g.rng, depth);
	if planned_area(area) && g.rng.chance(NESTED_PLANNED_PERCENT) {
		if let Some((_, call)) = plan(g, area, Some(me)) {
			return call;
		}
	}
	gen_area(g, area, me, depth)
}

fn gen_area(g: &mut Gen, area: Area, me: &AccountId, depth: u32) -> RuntimeCall {
	match area {
		Area::System => gen_system(g),
		Area::Balances => gen_balances(g, me),
		Area::Utility => gen_utility(g, me, depth),
		Area::Multisig => gen_multisig(g, me, depth),
		Area::Proxy => gen_proxy(g, me, depth),
		Area::Staking => gen_staking(g, me),
		Area::Session => gen_session(g, me),
		Area::Compute => gen_compute(g, me),
		Area::DataMarket => gen_market(g, me),
		Area::Credits => gen_credits(g, me),
		Area::Preimage => gen_preimage(g),
		Area::Referenda => gen_referenda(g, me),
		Area::Voting => gen_voting(g, me),
		Area::Treasury => gen_treasury(g),
		Area::Scheduler => gen_scheduler(g),
		Area::Privileged => gen_privileged(g),
	}
}

fn gen_system(g: &mut Gen) -> RuntimeCall {
	use frame_system::Call as S;
	let remark_len = *g.rng.pick(&[0usize, 1, 32, 256, 1_024, 100_000]);
	let call = match g.rng.below(11) {
		0..=2 => S::remark { remark: vec![0x5a; remark_len] },
		3 | 4 => S::remark_with_event { remark: vec![0x5b; remark_len] },
		5 => S::set_heap_pages { pages: 64 },
		6 => S::set_code { code: g.rng.bytes(64) },
		7 => S::set_code_without_checks { code: g.rng.bytes(64) },
		8 => S::apply_authorized_upgrade { code: g.rng.bytes(64) },
		9 => match g.rng.below(3) {
			0 => S::set_storage { items: vec![(b":fuzz".to_vec(), vec![1])] },
			1 => S::kill_storage { keys: vec![b":code".to_vec()] },
			_ => S::kill_prefix { prefix: Vec::new(), subkeys: 10 },
		},
		_ => {
			if g.rng.chance(50) {
				S::authorize_upgrade { code_hash: g.hash() }
			} else {
				S::authorize_upgrade_without_checks { code_hash: g.hash() }
			}
		},
	};
	RuntimeCall::System(call)
}

fn gen_balances(g: &mut Gen, me: &AccountId) -> RuntimeCall {
	use pallet_balances::{AdjustmentDirection, Call as B};
	let call = match g.rng.below(12) {
		0..=2 => B::transfer_allow_death { dest: g.addr(), value: g.amount(me) },
		3 | 4 => B::transfer_keep_alive { dest: g.addr(), value: g.amount(me) },
		5 => B::transfer_all { dest: g.addr(), keep_alive: g.rng.chance(50) },
		6 => B::burn { value: g.amount(me), keep_alive: g.rng.chance(70) },
		7 => {
			let n = g.rng.below(3);
			B::upgrade_accounts { who: (0..n).map(|_| g.account()).collect() }
		},
		// Root only: refused with `BadOrigin`.
		8 => B::force_transfer { source: g.addr(), dest: g.addr(), value: g.amount(me) },
		9 => B::force_unreserve { who: g.addr(), amount: g.amount(me) },
		10 => B::force_set_balance { who: g.addr(), new_free: g.amount(me) },
		_ => B::force_adjust_total_issuance {
			direction: if g.rng.chance(50) {
				AdjustmentDirection::Increase
			} else {
				AdjustmentDirection::Decrease
			},
			delta: g.amount(me),
		},
	};
	RuntimeCall::Balances(call)
}

fn nested_calls(g: &mut Gen, me: &AccountId, depth: u32) -> Vec<RuntimeCall> {
	let max = if depth == 0 { 4 } else { 2 };
	let n = g.rng.below(max + 1);
	(0..n).map(|_| gen_call(g, me, depth + 1)).collect()
}

fn gen_utility(g: &mut Gen, me: &AccountId, depth: u32) -> RuntimeCall {
	use pallet_utility::Call as U;
	let call = match g.rng.below(9) {
		0 | 1 => U::batch { calls: nested_calls(g, me, depth) },
		2 | 3 => U::batch_all { calls: nested_calls(g, me, depth) },
		4 => U::force_batch { calls: nested_calls(g, me, depth) },
		5 => {
			let index = g.rng.below(2) as u16;
			let derived = pallet_utility::derivative_account_id(me.clone(), index);
			U::as_derivative { index, call: Box::new(gen_call(g, &derived, depth + 1)) }
		},
		6 => U::if_else {
			main: Box::new(gen_call(g, me, depth + 1)),
			fallback: Box::new(gen_call(g, me, depth + 1)),
		},
		// Root only: refused with `BadOrigin`.
		7 => U::dispatch_as {
			as_origin: Box::new(OriginCaller::system(frame_system::RawOrigin::Root)),
			call: Box::new(gen_call(g, me, depth + 1)),
		},
		_ => {
			if g.rng.chance(50) {
				U::with_weight {
					call: Box::new(gen_call(g, me, depth + 1)),
					weight: Weight::from_parts(1_000_000, 0),
				}
			} else {
				U::dispatch_as_fallible {
					as_origin: Box::new(OriginCaller::system(frame_system::RawOrigin::Signed(
						me.clone(),
					))),
					call: Box::new(gen_call(g, me, depth + 1)),
				}
			}
		},
	};
	RuntimeCall::Utility(call)
}

/// The call a multisig set-up operates on: a few fixed ones per set-up, so that different
/// signatories approve the same call hash, or a generated one.
fn multisig_inner(g: &mut Gen, setup: usize, multi: &AccountId, depth: u32) -> RuntimeCall {
	let world = g.world;
	match g.rng.below(4) {
		0 => {
			RuntimeCall::System(frame_system::Call::remark_with_event { remark: vec![setup as u8] })
		},
		1 => RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: world.actors[setup % FUNDED].account.clone().into(),
			value: AIR,
		}),
		2 => remark_call(vec![0xab, setup as u8]),
		_ => gen_call(g, multi, depth + 1),
	}
}

fn gen_multisig(g: &mut Gen, me: &AccountId, depth: u32) -> RuntimeCall {
	use pallet_multisig::{Call as Ms, Timepoint};
	let world = g.world;
	let setup = g.rng.index(world.multisigs.len());
	let (threshold, signatories) = &world.multisigs[setup];
	let threshold = *threshold;
	let mut others: Vec<AccountId> = signatories.iter().filter(|a| *a != me).cloned().collect();
	if g.rng.chance(5) {
		// Out of order: `SignatoriesOutOfOrder`.
		others.reverse();
	}
	let mut all = others.clone();
	all.push(me.clone());
	all.sort();
	let multi = pallet_multisig::Pallet::<Runtime>::multi_account_id(&all, threshold);
	let inner = multisig_inner(g, setup, &multi, depth);
	let call_hash = sp_io::hashing::blake2_256(&inner.encode());
	let opened = pallet_multisig::Multisigs::<Runtime>::get(&multi, call_hash).map(|m| m.when);
	let timepoint = match g.rng.below(10) {
		0 => None,
		1 => Some(Timepoint { height: System::block_number(), index: 7 }),
		_ => opened,
	};
	let max_weight =
		if g.rng.chance(90) { inner.get_dispatch_info().call_weight } else { Weight::zero() };
	let call = match g.rng.below(8) {
		0 | 1 => {
			let n = 1 + g.rng.below(2);
			let mut single: Vec<AccountId> =
				(0..n).map(|_| g.actor()).filter(|a| a != me).collect();
			single.sort();
			single.dedup();
			let mut all_single = single.clone();
			all_single.push(me.clone());
			all_single.sort();
			let multi_single = pallet_multisig::Pallet::<Runtime>::multi_account_id(&all_single, 1);
			Ms::as_multi_threshold_1 {
				other_signatories: single,
				call: Box::new(gen_call(g, &multi_single, depth + 1)),
			}
		},
		2 | 3 => Ms::as_multi {
			threshold,
			other_signatories: others,
			maybe_timepoint: timepoint,
			call: Box::new(inner),
			max_weight,
		},
		4 | 5 => Ms::approve_as_multi {
			threshold,
			other_signatories: others,
			maybe_timepoint: timepoint,
			call_hash,
			max_weight,
		},
		6 => Ms::cancel_as_multi {
			threshold,
			other_signatories: others,
			timepoint: timepoint.unwrap_or(Timepoint { height: 0, index: 0 }),
			call_hash,
		},
		_ => Ms::poke_deposit { threshold, other_signatories: others, call_hash },
	};
	RuntimeCall::Multisig(call)
}

fn proxy_type(g: &mut Gen) -> ProxyType {
	match g.rng.below(3) {
		0 => ProxyType::Any,
		1 => ProxyType::NonTransfer,
		_ => ProxyType::CancelProxy,
	}
}

fn forced_proxy_type(g: &mut Gen) -> Option<ProxyType> {
	if g.rng.chance(80) {
		None
	} else {
		Some(proxy_type(g))
	}
}

fn proxy_delay(g: &mut Gen) -> BlockNumber {
	*g.rng.pick(&[0u32, 0, 0, 1, 2])
}

/// An account `me` may act for: one that added `me` as a proxy, most of the time.
fn real_for(g: &mut Gen, me: &AccountId) -> AccountId {
	let reals: Vec<AccountId> = pallet_proxy::Proxies::<Runtime>::iter()
		.filter(|(_, (definitions, _))| definitions.iter().any(|d| &d.delegate == me))
		.map(|(real, _)| real)
		.collect();
	if !reals.is_empty() && g.rng.chance(80) {
		reals[g.rng.index(reals.len())].clone()
	} else {
		g.account()
	}
}

/// What `me` dispatches through `proxy`: the real account and the call, sometimes killing a pure
/// proxy with its exact creation data.
fn proxied_call(g: &mut Gen, me: &AccountId, depth: u32) -> (AccountId, RuntimeCall) {
	let real = real_for(g, me);
	let pure = g.memo.pures.iter().find(|p| p.pure == real).cloned();
	if let Some(p) = pure {
		if g.rng.chance(30) {
			let kill = RuntimeCall::Proxy(pallet_proxy::Call::kill_pure {
				spawner: p.spawner.into(),
				proxy_type: p.proxy_type,
				index: p.index,
				height: p.height,
				ext_index: p.ext_index,
			});
			return (real, kill);
		}
	}
	let inner = gen_call(g, &real, depth + 1);
	(real, inner)
}

fn picked_announcement(g: &mut Gen) -> Option<(AccountId, AccountId, RuntimeCall)> {
	if g.memo.announcements.is_empty() || g.rng.chance(20) {
		None
	} else {
		let i = g.rng.index(g.memo.announcements.len());
		Some(g.memo.announcements[i].clone())
	}
}

fn gen_proxy(g: &mut Gen, me: &AccountId, depth: u32) -> RuntimeCall {
	use pallet_proxy::Call as P;
	let call = match g.rng.below(14) {
		0 | 1 => {
			P::add_proxy { delegate: g.addr(), proxy_type: proxy_type(g), delay: proxy_delay(g) }
		},
		2 => {
			P::remove_proxy { delegate: g.addr(), proxy_type: proxy_type(g), delay: proxy_delay(g) }
		},
		3 => P::remove_proxies {},
		4 | 5 => P::create_pure {
			proxy_type: proxy_type(g),
			delay: proxy_delay(g),
			index: g.rng.below(3) as u16,
		},
		6 => {
			// Signed by an actor, not by the pure proxy: refused unless it happens to match.
			let p = if g.memo.pures.is_empty() {
				None
			} else {
				let i = g.rng.index(g.memo.pures.len());
				Some(g.memo.pures[i].clone())
			};
			match p {
				Some(p) => P::kill_pure {
					spawner: p.spawner.into(),
					proxy_type: p.proxy_type,
					index: p.index,
					height: p.height,
					ext_index: p.ext_index,
				},
				None => P::kill_pure {
					spawner: g.addr(),
					proxy_type: proxy_type(g),
					index: 0,
					height: System::block_number(),
					ext_index: 1,
				},
			}
		},
		7..=9 => {
			let (real, inner) = proxied_call(g, me, depth);
			P::proxy {
				real: real.into(),
				force_proxy_type: forced_proxy_type(g),
				call: Box::new(inner),
			}
		},
		10 => {
			let real = real_for(g, me);
			let inner = gen_call(g, &real, depth + 1);
			let call_hash = H256(sp_io::hashing::blake2_256(&inner.encode()));
			remember(&mut g.memo.announcements, (me.clone(), real.clone(), inner));
			P::announce { real: real.into(), call_hash }
		},
		11 => {
			let (delegate, real, call_hash) = match picked_announcement(g) {
				Some((delegate, real, call)) => {
					(delegate, real, H256(sp_io::hashing::blake2_256(&call.encode())))
				},
				None => (g.actor(), g.actor(), g.hash()),
			};
			if g.rng.chance(50) {
				P::remove_announcement { real: real.into(), call_hash }
			} else {
				P::reject_announcement { delegate: delegate.into(), call_hash }
			}
		},
		12 => {
			let (delegate, real, call) = match picked_announcement(g) {
				Some(announced) => announced,
				None => {
					let real = g.actor();
					let delegate = g.actor();
					let call = gen_call(g, &real, depth + 1);
					(delegate, real, call)
				},
			};
			P::proxy_announced {
				delegate: delegate.into(),
				real: real.into(),
				force_proxy_type: forced_proxy_type(g),
				call: Box::new(call),
			}
		},
		_ => P::poke_deposit {},
	};
	RuntimeCall::Proxy(call)
}

fn active_era() -> u32 {
	pallet_staking::ActiveEra::<Runtime>::get().map_or(0, |e| e.index)
}

fn era_index(g: &mut Gen) -> u32 {
	let active = active_era();
	match g.rng.below(4) {
		0 => active,
		1 => active.saturating_sub(1),
		2 => active + 1,
		_ => 0,
	}
}

fn bond_amount(g: &mut Gen, me: &AccountId) -> Balance {
	match g.rng.below(6) {
		0 => 100 * AIR,
		1 => 99 * AIR,
		2 => 10_000 * AIR,
		3 => 20_000 * AIR,
		_ => g.amount(me),
	}
}

/// A validator candidate, most of the time.
fn validator_target(g: &mut Gen) -> AccountId {
	let candidates: Vec<AccountId> = pallet_staking::Validators::<Runtime>::iter_keys().collect();
	if !candidates.is_empty() && g.rng.chance(80) {
		candidates[g.rng.index(candidates.len())].clone()
	} else {
		g.account()
	}
}

/// A provider with an open pool, else a compute provider, else anyone.
fn pool_provider(g: &mut Gen) -> AccountId {
	let pools: Vec<AccountId> = pallet_staking::Pools::<Runtime>::iter_keys().collect();
	if !pools.is_empty() && g.rng.chance(70) {
		return pools[g.rng.index(pools.len())].clone();
	}
	let providers: Vec<AccountId> = pallet_compute::Providers::<Runtime>::iter_keys().collect();
	if !providers.is_empty() && g.rng.chance(70) {
		return providers[g.rng.index(providers.len())].clone();
	}
	g.account()
}

fn gen_staking(g: &mut Gen, me: &AccountId) -> RuntimeCall {
	use pallet_staking::Call as S;
	let active = pallet_staking::Ledger::<Runtime>::get(me).map_or(0, |l| l.active);
	let delegation = |g: &mut Gen| -> Balance {
		match g.rng.below(4) {
			0 => 10 * AIR,
			1 => 9 * AIR,
			2 => 1_000 * AIR,
			_ => g.amount(me),
		}
	};
	let call = match g.rng.below(21) {
		0 | 1 => S::bond { value: bond_amount(g, me) },
		2 => S::bond_extra { max_additional: g.amount(me) },
		3 => S::unbond { value: if g.rng.chance(50) { active / 2 } else { g.amount(me) } },
		4 => S::withdraw_unbonded {},
		5 => S::rebond { value: g.amount(me) },
		6 => S::validate { commission: g.perbill() },
		7 => {
			let n = *g.rng.pick(&[0usize, 1, 1, 2, 3, 16]);
			let targets: Vec<AccountId> = (0..n).map(|_| validator_target(g)).collect();
			S::nominate { targets: BoundedVec::truncate_from(targets) }
		},
		8 => S::chill {},
		9 | 10 => S::payout_stakers {
			validator: validator_target(g),
			era: era_index(g),
			page: g.rng.below(2) as u32,
		},
		11 => S::open_pool { income_share: g.perbill() },
		12 => S::set_pool_share { income_share: g.perbill() },
		13 | 14 => S::delegate { provider: pool_provider(g), amount: delegation(g) },
		15 => S::undelegate { provider: pool_provider(g), points: delegation(g) },
		16 => S::withdraw_delegation { provider: pool_provider(g) },
		17 => S::claim_pool_rewards { provider: pool_provider(g) },
		18 => S::close_pool {},
		// Admin (Root or StakingAdmin): refused with `BadOrigin`.
		_ => match g.rng.below(4) {
			0 => S::cancel_deferred_slash {
				era: era_index(g),
				slash_indices: BoundedVec::truncate_from(vec![0]),
			},
			1 => S::set_validator_count { count: 2 },
			2 => {
				S::set_invulnerables { invulnerables: BoundedVec::truncate_from(vec![me.clone()]) }
			},
			_ => S::cancel_deferred_pool_slash {
				era: era_index(g),
				slash_indices: BoundedVec::truncate_from(vec![0]),
			},
		},
	};
	RuntimeCall::Staking(call)
}

/// Session key pairs derived from `who` (and `salt`, for key rotation).
fn session_pairs(who: &AccountId, salt: u8) -> (sr25519::Pair, ed25519::Pair) {
	let seed = sp_io::hashing::blake2_256(&(b"airtime-fuzz-session", who, salt).encode());
	(sr25519::Pair::from_seed(&seed), ed25519::Pair::from_seed(&seed))
}

/// The ownership proof `set_keys` checks: each key's signature of `b"POP_" ++ owner`
/// (sp-core 43 `proof_of_possession::statement_of_ownership`), SCALE-encoded in key order.
fn ownership_proof(aura: &sr25519::Pair, grandpa: &ed25519::Pair, owner: &[u8]) -> Vec<u8> {
	let statement = [b"POP_".as_slice(), owner].concat();
	(aura.sign(&statement), grandpa.sign(&statement)).encode()
}

fn session_keys_of(aura: &sr25519::Pair, grandpa: &ed25519::Pair) -> SessionKeys {
	SessionKeys { aura: aura.public().into(), grandpa: grandpa.public().into() }
}

fn gen_session(g: &mut Gen, me: &AccountId) -> RuntimeCall {
	if g.rng.chance(15) {
		return RuntimeCall::Session(pallet_session::Call::purge_keys {});
	}
	let owner = me.encode();
	let (keys, proof) = match g.rng.below(10) {
		// Its own keys (two generations), properly proven.
		0..=5 => {
			let (aura, grandpa) = session_pairs(me, g.rng.below(2) as u8);
			(session_keys_of(&aura, &grandpa), ownership_proof(&aura, &grandpa, &owner))
		},
		// Proven for another owner: `InvalidProof`.
		6 => {
			let (aura, grandpa) = session_pairs(me, 0);
			let other = g.actor().encode();
			(session_keys_of(&aura, &grandpa), ownership_proof(&aura, &grandpa, &other))
		},
		// A garbage proof: `InvalidProof`.
		7 => {
			let (aura, grandpa) = session_pairs(me, 0);
			let len = *g.rng.pick(&[0usize, 64, 128, 129]);
			(session_keys_of(&aura, &grandpa), g.rng.bytes(len))
		},
		// Alice's validator keys: `DuplicatedKey` for anyone but Alice.
		8 => {
			let (aura, grandpa) = (Sr25519Keyring::Alice.pair(), Ed25519Keyring::Alice.pair());
			(session_keys_of(&aura, &grandpa), ownership_proof(&aura, &grandpa, &owner))
		},
		// Another actor's keys: `DuplicatedKey` once that actor registered them.
		_ => {
			let other = g.actor();
			let (aura, grandpa) = session_pairs(&other, 0);
			(session_keys_of(&aura, &grandpa), ownership_proof(&aura, &grandpa, &owner))
		},
	};
	RuntimeCall::Session(pallet_session::Call::set_keys { keys, proof })
}

fn executor_kind(g: &mut Gen) -> ExecutorKind {
	match g.rng.below(4) {
		0 => ExecutorKind::GemmInt8,
		1 => ExecutorKind::GemmF32,
		2 => ExecutorKind::MlpFixedPoint,
		_ => ExecutorKind::VectorSearch,
	}
}

/// Capabilities and a price list: one price per executor most of the time.
fn provider_offer(g: &mut Gen) -> (Capabilities<Runtime>, pallet_compute::PricesOf<Runtime>) {
	let n = *g.rng.pick(&[0usize, 1, 1, 1, 2, 4]);
	let kinds: Vec<ExecutorKind> = (0..n).map(|_| executor_kind(g)).collect();
	let executors: Vec<ExecutorCapability> = kinds
		.iter()
		.map(|&kind| ExecutorCapability {
			kind,
			max_units: *g.rng.pick(&[0u64, 1, 1_000, 1_000_000, u64::MAX]),
		})
		.collect();
	let mut prices: Vec<ExecutorPrice<Runtime>> =
		kinds.iter().map(|&kind| ExecutorPrice { kind, price_per_unit: g.price() }).collect();
	match g.rng.below(10) {
		0 => {
			prices.pop();
		},
		1 => prices.push(ExecutorPrice { kind: executor_kind(g), price_per_unit: MILLI_AIR }),
		_ => {},
	}
	let model_len = *g.rng.pick(&[0usize, 11, 64]);
	let capabilities = Capabilities {
		gpu_model: BoundedVec::truncate_from(vec![b'g'; model_len]),
		vram_mib: *g.rng.pick(&[0u32, 24_576, 81_920, u32::MAX]),
		devices: *g.rng.pick(&[0u16, 1, 8, u16::MAX]),
		executors: BoundedVec::truncate_from(executors),
	};
	(capabilities, BoundedVec::truncate_from(prices))
}

fn job_spec(g: &mut Gen) -> JobSpec<Runtime> {
	let next_dataset = pallet_data_market::NextDatasetId::<Runtime>::get();
	let inputs = *g.rng.pick(&[0usize, 1, 1, 2, 16]);
	let datasets = *g.rng.pick(&[0usize, 0, 0, 1, 2]);
	let params = *g.rng.pick(&[0usize, 16, 1_024]);
	JobSpec {
		kind: executor_kind(g),
		inputs: BoundedVec::truncate_from(
			(0..inputs).map(|i| H256::repeat_byte(i as u8 + 1)).collect(),
		),
		datasets: BoundedVec::truncate_from((0..datasets).map(|_| g.id(next_dataset)).collect()),
		params: BoundedVec::truncate_from(vec![7u8; params]),
		max_units: *g.rng.pick(&[0u64, 1, 100, 1_000, u64::MAX]),
		output_size: *g.rng.pick(&[0u64, 1_024, 4 << 30, (4 << 30) + 1]),
		min_reputation: *g.rng.pick(&[Permill::zero(), Permill::from_percent(50), Permill::one()]),
	}
}

fn output_hash(g: &mut Gen) -> H256 {
	*g.rng.pick(&[H256::repeat_byte(1), H256::repeat_byte(1), H256::repeat_byte(2), H256::zero()])
}

fn usage(g: &mut Gen) -> u64 {
	*g.rng.pick(&[0u64, 1, 50, 100, 1_000, u64::MAX])
}

fn jobs_where(keep: impl Fn(&pallet_compute::Job<Runtime>) -> bool) -> Vec<JobId> {
	pallet_compute::Jobs::<Runtime>::iter().filter(|(_, job)| keep(job)).map(|(id, _)| id).collect()
}

fn gen_compute(g: &mut Gen, me: &AccountId) -> RuntimeCall {
	use pallet_compute::Call as C;
	let next_job = pallet_compute::NextJobId::<Runtime>::get();
	let all_jobs = jobs_where(|_| true);
	let owned = jobs_where(|job| &job.owner == me);
	let held = jobs_where(|job| job.slots.iter().any(|s| &s.provider == me));
	let verifying: Vec<JobId> = pallet_compute::Disputes::<Runtime>::iter()
		.filter(|(_, dispute)| dispute.votes.iter().any(|(verifier, _)| verifier == me))
		.map(|(id, _)| id)
		.collect();
	let providers: Vec<AccountId> = pallet_compute::Providers::<Runtime>::iter_keys().collect();
	// Annotated: a `Get` type may implement `Get<T>` and `Get<Option<T>>`.
	let min_stake: Balance = <Runtime as pallet_compute::Config>::MinProviderStake::get();
	let min_bond: Balance = <Runtime as pallet_compute::Config>::MinChallengeBond::get();
	let call = match g.rng.below(24) {
		0 | 1 => {
			let (capabilities, prices) = provider_offer(g);
			let stake = match g.rng.below(5) {
				0 | 1 => min_stake,
				2 => min_stake.saturating_sub(1),
				3 => min_stake.saturating_mul(5),
				_ => g.amount(me),
			};
			C::register_provider { capabilities, prices, stake }
		},
		2 => {
			let (capabilities, prices) = provider_offer(g);
			C::update_provider { capabilities, prices }
		},
		3 => C::pause_provider {},
		4 => C::resume_provider {},
		5 => C::increase_stake { amount: g.amount(me) },
		6 => C::unregister_provider {},
		7 => C::withdraw_provider {},
		8 | 9 => C::submit_job {
			spec: job_spec(g),
			budget: match g.rng.below(5) {
				0 => AIR,
				1 => 10 * AIR,
				2 => 100 * AIR,
				3 => 0,
				_ => g.amount(me),
			},
			deadline: *g.rng.pick(&[0u32, 2, 3, 5, 10, 20, 7 * DAYS, 7 * DAYS + 1]),
			redundancy: *g.rng.pick(&[0u8, 1, 1, 1, 2, 3, 5, 6]),
		},
		10 => C::cancel_job { job: g.choose(owned, next_job) },
		11 => C::top_up_job { job: g.choose(owned, next_job), amount: g.amount(me) },
		12 | 13 => C::accept_job { job: g.choose(all_jobs, next_job) },
		14 => {
			let provider = if !providers.is_empty() && g.rng.chance(80) {
				providers[g.rng.index(providers.len())].clone()
			} else {
				g.account()
			};
			C::assign { job: g.choose(all_jobs, next_job), provider }
		},
		15 => C::submit_attestation {
			job: g.choose(held, next_job),
			output_hash: output_hash(g),
			usage: usage(g),
		},
		16 => {
			let job = g.choose(held, next_job);
			let (output, units, salt) = (output_hash(g), usage(g), g.rng.array32());
			let commitment = if g.rng.chance(90) {
				attestation_commitment(job, me, &output, units, &salt)
			} else {
				g.hash()
			};
			remember_within(
				&mut g.memo.attestations,
				(job, me.clone(), output, units, salt),
				COMMITMENT_CAP,
			);
			C::commit_attestation { job, commitment }
		},
		17 => {
			let mine: Vec<(JobId, AccountId, H256, u64, [u8; 32])> =
				g.memo.attestations.iter().filter(|a| &a.1 == me).cloned().collect();
			if !mine.is_empty() && g.rng.chance(85) {
				let (job, _, output_hash, usage, salt) = mine[g.rng.index(mine.len())].clone();
				C::reveal_attestation { job, output_hash, usage, salt }
			} else {
				C::reveal_attestation {
					job: g.choose(held, next_job),
					output_hash: output_hash(g),
					usage: usage(g),
					salt: g.rng.array32(),
				}
			}
		},
		18 => C::report_failure { job: g.choose(held, next_job) },
		19 => C::challenge {
			job: g.choose(all_jobs, next_job),
			claimed_output_hash: output_hash(g),
			bond: match g.rng.below(4) {
				0 | 1 => min_bond,
				2 => min_bond.saturating_sub(1),
				_ => g.amount(me),
			},
		},
		20 => {
			let job = g.choose(verifying, next_job);
			let (output, salt) = (output_hash(g), g.rng.array32());
			let commitment =
				if g.rng.chance(90) { vote_commitment(job, me, &output, &salt) } else { g.hash() };
			remember_within(&mut g.memo.votes, (job, me.clone(), output, salt), COMMITMENT_CAP);
			C::commit_vote { job, commitment }
		},
		21 => {
			let mine: Vec<(JobId, AccountId, H256, [u8; 32])> =
				g.memo.votes.iter().filter(|v| &v.1 == me).cloned().collect();
			if !mine.is_empty() && g.rng.chance(85) {
				let (job, _, output_hash, salt) = mine[g.rng.index(mine.len())].clone();
				C::reveal_vote { job, output_hash, salt }
			} else {
				C::reveal_vote {
					job: g.choose(verifying, next_job),
					output_hash: output_hash(g),
					salt: g.rng.array32(),
				}
			}
		},
		22 => C::set_matching {
			min_lead: if g.rng.chance(70) { Some(*g.rng.pick(&[0u32, 1, 5, 100])) } else { None },
		},
		_ => C::claim_expired { job: g.choose(all_jobs, next_job) },
	};
	RuntimeCall::Compute(call)
}

fn license(g: &mut Gen) -> License {
	match g.rng.below(9) {
		0 => License::Cc0,
		1 => License::CcBy,
		2 => License::CcBySa,
		3 => License::CcByNc,
		4 => License::Apache2,
		5 => License::Mit,
		6 => License::Odbl,
		7 => License::Proprietary,
		_ => License::Custom,
	}
}

fn claim_kind(g: &mut Gen) -> ClaimKind {
	match g.rng.below(3) {
		0 => ClaimKind::RootHash,
		1 => ClaimKind::Schema,
		_ => ClaimKind::License,
	}
}

/// An open claim, most of the time.
fn claim_target(g: &mut Gen, next_dataset: u64) -> (u64, ClaimKind) {
	let open: Vec<(u64, ClaimKind)> = pallet_data_market::Claims::<Runtime>::iter_keys().collect();
	if !open.is_empty() && g.rng.chance(70) {
		open[g.rng.index(open.len())]
	} else {
		(g.id(next_dataset), claim_kind(g))
	}
}

fn gen_market(g: &mut Gen, me: &AccountId) -> RuntimeCall {
	use pallet_data_market::Call as M;
	let next_dataset = pallet_data_market::NextDatasetId::<Runtime>::get();
	let next_purchase = pallet_data_market::NextPurchaseId::<Runtime>::get();
	let next_job = pallet_compute::NextJobId::<Runtime>::get();
	let all: Vec<u64> = pallet_data_market::Datasets::<Runtime>::iter_keys().collect();
	let mine: Vec<u64> = pallet_data_market::Datasets::<Runtime>::iter()
		.filter(|(_, d)| &d.owner == me || d.agent.as_ref() == Some(me))
		.map(|(id, _)| id)
		.collect();
	let selling: Vec<u64> = pallet_data_market::Purchases::<Runtime>::iter()
		.filter(|(_, p)| &p.seller == me)
		.map(|(id, _)| id)
		.collect();
	let buying: Vec<u64> = pallet_data_market::Purchases::<Runtime>::iter()
		.filter(|(_, p)| &p.buyer == me)
		.map(|(id, _)| id)
		.collect();
	let accessed: Vec<u64> =
		pallet_data_market::Accesses::<Runtime>::iter_prefix(me).map(|(id, _)| id).collect();
	let owned_jobs = jobs_where(|job| &job.owner == me);
	let stake = |g: &mut Gen| -> Balance {
		match g.rng.below(4) {
			0 => 20 * AIR,
			1 => 10 * AIR,
			2 => 9 * AIR,
			_ => g.amount(me),
		}
	};
	let call = match g.rng.below(22) {
		0 | 1 => {
			let parents = *g.rng.pick(&[0usize, 0, 1, 2, 16]);
			M::list_dataset {
				root_hash: g.hash(),
				size: *g.rng.pick(&[0u64, 1, 4_096, 1 << 30, u64::MAX]),
				chunk_count: *g.rng.pick(&[0u32, 1, 4, u32::MAX]),
				license: license(g),
				license_uri: g.opt_hash(),
				price: g.price(),
				royalty: g.price(),
				metadata_hash: g.hash(),
				parents: BoundedVec::truncate_from(
					(0..parents).map(|_| g.id(next_dataset)).collect(),
				),
			}
		},
		2 => M::update_price {
			dataset: g.choose(mine, next_dataset),
			price: g.price(),
			royalty: g.price(),
		},
		3 => M::delist { dataset: g.choose(mine, next_dataset) },
		4 => M::relist { dataset: g.choose(mine, next_dataset) },
		5 => M::set_agent {
			dataset: g.choose(mine, next_dataset),
			agent: if g.rng.chance(70) { Some(g.account()) } else { None },
		},
		6 => M::set_delivery_key { key: g.rng.array32() },
		7 => M::clear_delivery_key {},
		8 | 9 => {
			let dataset = g.choose(all, next_dataset);
			let max_price = if g.rng.chance(50) { g.price() } else { g.amount(me) };
			M::buy_access { dataset, max_price }
		},
		10 => {
			// Up to `MaxSealedKeyLen` (128): a longer key does not decode (the pallet's
			// `an_oversized_sealed_key_does_not_decode`; undecodable bounded arguments are
			// `BadInput::OversizeBoundedArgument`).
			let len = *g.rng.pick(&[0usize, SEALED_KEY_LEN, SEALED_KEY_LEN, 128]);
			M::deliver_key {
				purchase: g.choose(selling, next_purchase),
				sealed_key: BoundedVec::truncate_from(vec![9; len]),
			}
		},
		11 => M::reclaim { purchase: g.choose(buying, next_purchase) },
		12 => M::dispute { purchase: g.choose(buying, next_purchase), bond: stake(g) },
		13 => M::complete_sale {
			purchase: {
				let any: Vec<u64> = pallet_data_market::Purchases::<Runtime>::iter_keys().collect();
				g.choose(any, next_purchase)
			},
		},
		14 => M::relinquish_access { dataset: g.choose(accessed, next_dataset) },
		15 => {
			let dataset = g.choose(all, next_dataset);
			M::submit_claim { dataset, kind: claim_kind(g), stake: stake(g) }
		},
		16 => {
			let (dataset, kind) = claim_target(g, next_dataset);
			M::counter_claim { dataset, kind, bond: stake(g) }
		},
		17 => {
			let (dataset, kind) = claim_target(g, next_dataset);
			M::conclude_claim { dataset, kind }
		},
		18 => M::register_derived {
			job: g.choose(owned_jobs, next_job),
			root_hash: output_hash(g),
			size: *g.rng.pick(&[0u64, 1_024]),
			chunk_count: *g.rng.pick(&[0u32, 1]),
			license: license(g),
			license_uri: g.opt_hash(),
			price: g.price(),
			royalty: g.price(),
			metadata_hash: g.hash(),
		},
		19 => M::release_job_record { job: g.choose(owned_jobs, next_job) },
		// Root or MarketAdmin: refused with `BadOrigin`.
		20 => M::resolve_dispute { purchase: g.id(next_purchase), buyer_won: g.rng.chance(50) },
		_ => {
			let (dataset, kind) = claim_target(g, next_dataset);
			M::resolve_claim { dataset, kind, upheld: g.rng.chance(50) }
		},
	};
	RuntimeCall::DataMarket(call)
}

// ------------------------------------------------------------------------------------------------
// Lifecycle steps: compute and the data market
// ------------------------------------------------------------------------------------------------

/// The output every honest provider and verifier computes in the fuzzer's world (the most likely
/// hash of [`output_hash`]'s domain); any other hash is a wrong result.
const TRUE_OUTPUT: H256 = H256([1; 32]);
/// Wrong outputs: what a challenger claims against a correct result, what a faulty provider
/// attests or a faulty verifier votes.
const WRONG_OUTPUTS: [H256; 2] = [H256([2; 32]), H256([3; 32])];
/// What a signer keeps spendable beyond what a step puts on hold: fees and the existential
/// deposit.
const FEE_MARGIN: Balance = AIR;

/// What a planned step leaves the sequence to remember: a commitment's values and salt, to reveal
/// them later.
enum Note {
	/// Job, provider, output hash, usage, salt.
	Attestation(JobId, AccountId, H256, u64, [u8; 32]),
	/// Job, verifier, output hash, salt.
	Vote(JobId, AccountId, H256, [u8; 32]),
}

/// Candidate steps: weight, signer, call, and what to remember when it is the one taken.
#[derive(Default)]
struct Steps(Vec<(u64, AccountId, RuntimeCall, Option<Note>)>);

impl Steps {
	fn add(&mut self, weight: u64, who: &AccountId, call: RuntimeCall) {
		self.noted(weight, who, call, None);
	}

	fn noted(&mut self, weight: u64, who: &AccountId, call: RuntimeCall, note: Option<Note>) {
		if weight > 0 {
			self.0.push((weight, who.clone(), call, note));
		}
	}

	/// One step, drawn by weight; `None` when there is none.
	fn pick(mut self, rng: &mut Rng) -> Option<(AccountId, RuntimeCall, Option<Note>)> {
		let total: u64 = self.0.iter().map(|step| step.0).sum();
		if total == 0 {
			return None;
		}
		let mut roll = rng.below(total);
		let mut index = 0;
		for (i, step) in self.0.iter().enumerate() {
			if roll < step.0 {
				index = i;
				break;
			}
			roll -= step.0;
		}
		let (_, who, call, note) = self.0.swap_remove(index);
		Some((who, call, note))
	}
}

/// The accounts that may sign a planned step, each with what it can spend.
type Pool = [(AccountId, Balance)];

fn in_pool(pool: &Pool, who: &AccountId) -> bool {
	pool.iter().any(|(account, _)| account == who)
}

/// Whether `who` may sign and can put `amount` on hold and pay the fees.
fn affords(pool: &Pool, who: &AccountId, amount: Balance) -> bool {
	pool.iter().any(|(account, free)| account == who && *free >= amount.saturating_add(FEE_MARGIN))
}

/// An account of the pool that passes `keep` and can put `amount` on hold and pay the fees.
fn payer(
	g: &mut Gen,
	pool: &Pool,
	amount: Balance,
	keep: impl Fn(&AccountId) -> bool,
) -> Option<AccountId> {
	let able: Vec<&AccountId> = pool
		.iter()
		.filter(|(account, free)| *free >= amount.saturating_add(FEE_MARGIN) && keep(account))
		.map(|(account, _)| account)
		.collect();
	if able.is_empty() {
		None
	} else {
		Some(able[g.rng.index(able.len())].clone())
	}
}

/// The next step of an existing compute or data-market object's lifecycle, and who signs it.
///
/// The candidates are read from the live state, each valid in it as far as the planner checks
/// (balances only roughly), and drawn by weight: steps that move an object forward weigh most,
/// those that abandon one (cancel, report failure, pause, dispute, counter) little, and new
/// objects are created while there are few. `only` restricts the signer to one account (a nested
/// call's origin); otherwise any actor may sign. `None` when no step is possible. A commitment's
/// values and salt go into `g.memo`, to be revealed later.
fn plan(g: &mut Gen, area: Area, only: Option<&AccountId>) -> Option<(AccountId, RuntimeCall)> {
	let world = g.world;
	let pool: Vec<(AccountId, Balance)> = match only {
		Some(me) => vec![(me.clone(), spendable(me))],
		None => world.actors.iter().map(|a| (a.account.clone(), spendable(&a.account))).collect(),
	};
	let mut steps = Steps::default();
	match area {
		Area::Compute => compute_steps(g, &pool, &mut steps),
		Area::DataMarket => market_steps(g, &pool, &mut steps),
		_ => return None,
	}
	let (who, call, note) = steps.pick(g.rng)?;
	match note {
		Some(Note::Attestation(job, provider, output, usage, salt)) => remember_within(
			&mut g.memo.attestations,
			(job, provider, output, usage, salt),
			COMMITMENT_CAP,
		),
		Some(Note::Vote(job, verifier, output, salt)) => {
			remember_within(&mut g.memo.votes, (job, verifier, output, salt), COMMITMENT_CAP)
		},
		None => {},
	}
	Some((who, call))
}

/// An offer every planned job fits: all executors (most of the time) up to a million units, at
/// prices a planned budget covers for three slots.
fn planned_offer(g: &mut Gen) -> (Capabilities<Runtime>, pallet_compute::PricesOf<Runtime>) {
	let all = [
		ExecutorKind::GemmInt8,
		ExecutorKind::GemmF32,
		ExecutorKind::MlpFixedPoint,
		ExecutorKind::VectorSearch,
	];
	let mut kinds: Vec<ExecutorKind> = if g.rng.chance(80) {
		all.to_vec()
	} else {
		all.iter().copied().filter(|_| g.rng.chance(50)).collect()
	};
	if kinds.is_empty() {
		kinds.push(executor_kind(g));
	}
	let executors: Vec<ExecutorCapability> =
		kinds.iter().map(|&kind| ExecutorCapability { kind, max_units: 1_000_000 }).collect();
	let prices: Vec<ExecutorPrice<Runtime>> = kinds
		.iter()
		.map(|&kind| ExecutorPrice {
			kind,
			price_per_unit: *g.rng.pick(&[MICRO_AIR, 10 * MICRO_AIR, MILLI_AIR]),
		})
		.collect();
	let capabilities = Capabilities {
		gpu_model: BoundedVec::truncate_from(b"NVIDIA H100 80GB HBM3".to_vec()),
		vram_mib: 81_920,
		devices: *g.rng.pick(&[1u16, 8]),
		executors: BoundedVec::truncate_from(executors),
	};
	(capabilities, BoundedVec::truncate_from(prices))
}

/// A job `active` providers can run: a budget covering three slots at any planned price, a
/// deadline a few blocks ahead, redundancy up to the providers there are (bit-exact executors
/// only), no reputation floor most of the time, and now and then (most of the time in a sequence
/// focused on the data market) one or two datasets its owner may use (its own, granted or listed
/// ones), so that it pays royalties and its output can become a derived dataset.
fn planned_job(g: &mut Gen, owner: &AccountId, active: usize) -> RuntimeCall {
	let kind = executor_kind(g);
	let most = active.min(3) as u64;
	let redundancy = if kind.is_bit_exact() && most >= 2 && g.rng.chance(40) {
		2 + g.rng.below(most - 1) as u8
	} else {
		1
	};
	let usable: Vec<u64> = pallet_data_market::Datasets::<Runtime>::iter()
		.filter(|(id, d)| {
			let granted = pallet_data_market::Accesses::<Runtime>::get(owner, *id)
				.is_some_and(|a| a.granted() && a.purchase.is_none());
			&d.owner == owner || d.listed || granted
		})
		.map(|(id, _)| id)
		.collect();
	let mut datasets: Vec<u64> = Vec::new();
	let reads = if g.memo.focus == Some(Focus::DataMarket) { 70 } else { 35 };
	if !usable.is_empty() && g.rng.chance(reads) {
		for _ in 0..1 + g.rng.below(2) {
			let id = usable[g.rng.index(usable.len())];
			if !datasets.contains(&id) {
				datasets.push(id);
			}
		}
	}
	let spec: JobSpec<Runtime> = JobSpec {
		kind,
		inputs: BoundedVec::truncate_from(vec![H256::repeat_byte(0x11)]),
		datasets: BoundedVec::truncate_from(datasets),
		params: BoundedVec::truncate_from(vec![7u8; 16]),
		max_units: *g.rng.pick(&[100u64, 1_000]),
		output_size: 1_024,
		min_reputation: if g.rng.chance(90) { Permill::zero() } else { Permill::from_percent(40) },
	};
	RuntimeCall::Compute(pallet_compute::Call::submit_job {
		spec,
		budget: *g.rng.pick(&[10 * AIR, 50 * AIR]),
		deadline: *g.rng.pick(&[4u32, 6, 8, 12, 20]),
		redundancy,
	})
}

/// What a provider attests or a verifier votes: the true output `truthful` percent of the time.
fn planned_output(g: &mut Gen, truthful: u64) -> H256 {
	if g.rng.chance(truthful) {
		TRUE_OUTPUT
	} else {
		*g.rng.pick(&WRONG_OUTPUTS)
	}
}

/// Whether provider `who` (record `p`) may take a slot of `job`: active, not the owner nor
/// already in the job, offering the executor for the job's size, at a price that fits the
/// unreserved budget, with enough reputation and collateral (its stake plus its pool's,
/// `CollateralPerSlot` for each slot it will hold) — what pallet-compute's `do_take_slot` checks.
fn fits(
	job: &pallet_compute::Job<Runtime>,
	who: &AccountId,
	p: &pallet_compute::Provider<Runtime>,
) -> bool {
	let kind = job.spec.kind;
	let reserved = p
		.price(kind)
		.and_then(|price| price.checked_mul(Balance::from(job.spec.max_units)))
		.and_then(|cost| cost.checked_add(job.reserved));
	let per_slot: Balance = <Runtime as pallet_compute::Config>::CollateralPerSlot::get();
	let pooled = <<Runtime as pallet_compute::Config>::Pools as pallet_compute::ProviderPools<
		AccountId,
		Balance,
	>>::pooled_stake(who);
	let collateral = per_slot
		.checked_mul(Balance::from(p.active_jobs.saturating_add(1)))
		.is_some_and(|needed| needed <= p.stake.saturating_add(pooled));
	p.status == pallet_compute::ProviderStatus::Active
		&& &job.owner != who
		&& job.slot_of(who).is_none()
		&& p.capability(kind).is_some_and(|c| c.max_units >= job.spec.max_units)
		&& reserved.is_some_and(|reserved| reserved <= job.budget)
		&& p.reputation.score() >= job.spec.min_reputation
		&& collateral
}

/// Compute's candidate steps (see [`plan`]): providers register (until there are enough to run
/// redundant jobs and draw a quorum of three verifiers outside a job), resume or restore their
/// stake after a slash, opt in to matching; owners submit jobs, rarely cancel or top one up;
/// providers accept (or matchers assign) open slots, attest (redundancy 1) or commit and then
/// reveal with the salt the sequence kept, now and then report failure; challengers challenge a
/// result within its window (a wrong one far more often than a right one); drawn verifiers commit
/// and then reveal their votes; anyone claims a job whose stage timed out.
fn compute_steps(g: &mut Gen, pool: &Pool, steps: &mut Steps) {
	use pallet_compute::{
		Attestation, Call as C, DisputePhase, JobState, ProviderStatus, Vote as VerifierVote,
	};
	let now = System::block_number();
	// Annotated: a `Get` type may implement `Get<T>` and `Get<Option<T>>`.
	let min_stake: Balance = <Runtime as pallet_compute::Config>::MinProviderStake::get();
	let min_bond: Balance = <Runtime as pallet_compute::Config>::MinChallengeBond::get();
	let providers: Vec<(AccountId, pallet_compute::Provider<Runtime>)> =
		pallet_compute::Providers::<Runtime>::iter().collect();
	let jobs: Vec<(JobId, pallet_compute::Job<Runtime>)> =
		pallet_compute::Jobs::<Runtime>::iter().collect();
	let disputes: Vec<(JobId, pallet_compute::Dispute<Runtime>)> =
		pallet_compute::Disputes::<Runtime>::iter().collect();
	let active = providers.iter().filter(|(_, p)| p.status == ProviderStatus::Active).count();
	let is_provider = |who: &AccountId| providers.iter().any(|(account, _)| account == who);

	// Providers: up to six active ones, so that two funded actors stay free to own and challenge
	// jobs without shrinking the verifiers to draw from.
	let weight = match active {
		0..=3 => 40,
		4 | 5 => 6,
		_ => 0,
	};
	if weight > 0 {
		if let Some(who) = payer(g, pool, 5 * min_stake, |a| !is_provider(a)) {
			let (capabilities, prices) = planned_offer(g);
			let stake = min_stake * *g.rng.pick(&[1u128, 2, 5]);
			let call = C::register_provider { capabilities, prices, stake };
			steps.add(weight, &who, RuntimeCall::Compute(call));
		}
	}
	for (who, p) in &providers {
		if !in_pool(pool, who) {
			continue;
		}
		match p.status {
			ProviderStatus::Active => {
				if p.matching_lead.is_none() {
					let min_lead = Some(*g.rng.pick(&[0u32, 1, 3]));
					steps.add(2, who, RuntimeCall::Compute(C::set_matching { min_lead }));
				}
				if p.active_jobs == 0 && active > 4 {
					let call = if g.rng.chance(50) {
						C::pause_provider {}
					} else {
						C::unregister_provider {}
					};
					steps.add(1, who, RuntimeCall::Compute(call));
				}
			},
			// Paused or leaving: a slash may have left the stake below the minimum.
			_ if p.stake < min_stake => {
				if affords(pool, who, min_stake) {
					let call = C::increase_stake { amount: min_stake };
					steps.add(8, who, RuntimeCall::Compute(call));
				}
			},
			_ => steps.add(8, who, RuntimeCall::Compute(C::resume_provider {})),
		}
	}

	// Jobs.
	let weight = match jobs.len() {
		0 | 1 => 30,
		2..=5 => 10,
		_ => 2,
	};
	let weight = if active == 0 { weight / 3 } else { weight };
	// Owners that are not providers leave more verifiers to draw.
	let owner = match payer(g, pool, 100 * AIR, |a| !is_provider(a)) {
		Some(owner) if g.rng.chance(75) => Some(owner),
		_ => payer(g, pool, 100 * AIR, |_| true),
	};
	if let Some(owner) = owner {
		let call = planned_job(g, &owner, active);
		steps.add(weight, &owner, call);
	}
	for (id, job) in &jobs {
		let id = *id;
		match job.state {
			JobState::Open => {
				let live = now <= job.deadline;
				if in_pool(pool, &job.owner) {
					if job.slots.is_empty() {
						steps.add(2, &job.owner, RuntimeCall::Compute(C::cancel_job { job: id }));
					}
					if affords(pool, &job.owner, 10 * AIR) {
						let call = C::top_up_job { job: id, amount: 10 * AIR };
						steps.add(1, &job.owner, RuntimeCall::Compute(call));
					}
				}
				if live && !job.is_full() {
					let takers: Vec<&AccountId> = providers
						.iter()
						.filter(|(account, p)| in_pool(pool, account) && fits(job, account, p))
						.map(|(account, _)| account)
						.collect();
					if !takers.is_empty() {
						let who = takers[g.rng.index(takers.len())].clone();
						steps.add(20, &who, RuntimeCall::Compute(C::accept_job { job: id }));
					}
					let matched: Vec<&AccountId> = providers
						.iter()
						.filter(|(account, p)| {
							fits(job, account, p)
								&& p.matching_lead
									.is_some_and(|lead| job.deadline >= now.saturating_add(lead))
						})
						.map(|(account, _)| account)
						.collect();
					if !matched.is_empty() {
						let provider = matched[g.rng.index(matched.len())].clone();
						if let Some(matcher) = payer(g, pool, 0, |_| true) {
							let call = C::assign { job: id, provider };
							steps.add(5, &matcher, RuntimeCall::Compute(call));
						}
					}
				}
				for slot in job.slots.iter() {
					let who = &slot.provider;
					if !live || slot.attestation != Attestation::Pending || !in_pool(pool, who) {
						continue;
					}
					let output = planned_output(g, 85);
					let max_units = job.spec.max_units;
					let usage = *g.rng.pick(&[1, max_units / 2, max_units]);
					if job.redundancy == 1 {
						let call = C::submit_attestation { job: id, output_hash: output, usage };
						steps.add(25, who, RuntimeCall::Compute(call));
					} else {
						let salt = g.rng.array32();
						let commitment = attestation_commitment(id, who, &output, usage, &salt);
						let note = Note::Attestation(id, who.clone(), output, usage, salt);
						let call = C::commit_attestation { job: id, commitment };
						steps.noted(25, who, RuntimeCall::Compute(call), Some(note));
					}
					steps.add(2, who, RuntimeCall::Compute(C::report_failure { job: id }));
				}
			},
			JobState::Revealing { until } if now <= until => {
				for slot in job.slots.iter() {
					let who = &slot.provider;
					let Attestation::Committed(commitment) = slot.attestation else { continue };
					if !in_pool(pool, who) {
						continue;
					}
					let kept = g
						.memo
						.attestations
						.iter()
						.rev()
						.find(|e| {
							let made = attestation_commitment(id, who, &e.2, e.3, &e.4);
							e.0 == id && &e.1 == who && made == commitment
						})
						.map(|e| (e.2, e.3, e.4));
					if let Some((output_hash, usage, salt)) = kept {
						let call = C::reveal_attestation { job: id, output_hash, usage, salt };
						steps.add(30, who, RuntimeCall::Compute(call));
					}
				}
			},
			JobState::Challengeable { until, output_hash } if now <= until => {
				let in_job = |a: &AccountId| job.slot_of(a).is_some();
				// Challengers that are not providers leave more verifiers to draw.
				let most = 2 * min_bond;
				let challenger = match payer(g, pool, most, |a| !in_job(a) && !is_provider(a)) {
					Some(challenger) => Some(challenger),
					None => payer(g, pool, most, |a| !in_job(a)),
				};
				if let Some(challenger) = challenger {
					let (weight, claimed_output_hash) = if output_hash == TRUE_OUTPUT {
						(6, *g.rng.pick(&WRONG_OUTPUTS))
					} else {
						(40, TRUE_OUTPUT)
					};
					let bond = if g.rng.chance(80) { min_bond } else { 2 * min_bond };
					let call = C::challenge { job: id, claimed_output_hash, bond };
					steps.add(weight, &challenger, RuntimeCall::Compute(call));
				}
			},
			_ => {},
		}
		// `on_initialize` processes due jobs first, so this is there only when more than
		// `MaxExpiriesPerBlock` were due.
		if job.timeout < now {
			if let Some(anyone) = payer(g, pool, 0, |_| true) {
				steps.add(20, &anyone, RuntimeCall::Compute(C::claim_expired { job: id }));
			}
		}
	}

	// Disputes.
	for (id, dispute) in &disputes {
		let id = *id;
		match dispute.phase {
			DisputePhase::Commit { until } if now <= until => {
				for (verifier, vote) in dispute.votes.iter() {
					if *vote != VerifierVote::Pending || !in_pool(pool, verifier) {
						continue;
					}
					let output = planned_output(g, 80);
					let salt = g.rng.array32();
					let commitment = vote_commitment(id, verifier, &output, &salt);
					let note = Note::Vote(id, verifier.clone(), output, salt);
					let call = C::commit_vote { job: id, commitment };
					steps.noted(30, verifier, RuntimeCall::Compute(call), Some(note));
				}
			},
			DisputePhase::Reveal { until } if now <= until => {
				for (verifier, vote) in dispute.votes.iter() {
					let VerifierVote::Committed(commitment) = *vote else { continue };
					if !in_pool(pool, verifier) {
						continue;
					}
					let kept = g
						.memo
						.votes
						.iter()
						.rev()
						.find(|e| {
							let made = vote_commitment(id, verifier, &e.2, &e.3);
							e.0 == id && &e.1 == verifier && made == commitment
						})
						.map(|e| (e.2, e.3));
					if let Some((output_hash, salt)) = kept {
						let call = C::reveal_vote { job: id, output_hash, salt };
						steps.add(30, verifier, RuntimeCall::Compute(call));
					}
				}
			},
			_ => {},
		}
	}
}

/// A valid listing's fields: sizes that fit, a licence URI where `Custom` needs one, a price
/// above zero.
struct ListingArgs {
	root_hash: H256,
	size: u64,
	chunk_count: u32,
	license: License,
	license_uri: Option<H256>,
	price: Balance,
	royalty: Balance,
	metadata_hash: H256,
}

fn planned_listing(g: &mut Gen) -> ListingArgs {
	let license = license(g);
	let license_uri =
		if license == License::Custom || g.rng.chance(30) { Some(g.hash()) } else { None };
	let (size, chunk_count) = *g.rng.pick(&[(4_096u64, 4u32), (1 << 20, 16), (1, 1)]);
	ListingArgs {
		root_hash: H256(g.rng.array32()),
		size,
		chunk_count,
		license,
		license_uri,
		price: *g.rng.pick(&[MILLI_AIR, AIR, 10 * AIR]),
		royalty: *g.rng.pick(&[0, MILLI_AIR, AIR]),
		metadata_hash: g.hash(),
	}
}

/// The data market's candidate steps (see [`plan`]): owners list datasets (until a few are on
/// sale, sometimes derived from existing ones), relist, reprice or name an agent; would-be buyers
/// register a delivery key and buy; the owner, its agent or the seller delivers the key within
/// the delivery period; buyers reclaim after it, now and then dispute within the dispute window;
/// anyone completes a sale after it; curators claim a property others may counter within the
/// claim period, and anyone concludes an uncontested claim after it; buyers relinquish access
/// they hold; owners of settled jobs that read datasets register the output as a derived dataset
/// or release the record. Disputed purchases and contested claims wait for `DisputeOrigin`
/// (Root or a `MarketAdmin` referendum), which no planned step reaches.
fn market_steps(g: &mut Gen, pool: &Pool, steps: &mut Steps) {
	use pallet_data_market::{Call as M, PurchaseState, UseState};
	let now = System::block_number();
	let min_bond: Balance = <Runtime as pallet_data_market::Config>::MinDisputeBond::get();
	let min_stake: Balance = <Runtime as pallet_data_market::Config>::MinClaimStake::get();
	let access_deposit: Balance = <Runtime as pallet_data_market::Config>::AccessDeposit::get();
	let datasets: Vec<(u64, pallet_data_market::Dataset<Runtime>)> =
		pallet_data_market::Datasets::<Runtime>::iter().collect();
	let purchases: Vec<(u64, pallet_data_market::Purchase<Runtime>)> =
		pallet_data_market::Purchases::<Runtime>::iter().collect();
	let has_key = |who: &AccountId| pallet_data_market::DeliveryKeys::<Runtime>::contains_key(who);
	let price = |g: &mut Gen| -> Balance { *g.rng.pick(&[MILLI_AIR, AIR, 10 * AIR]) };

	// Listings and delivery keys.
	let listed = datasets.iter().filter(|(_, d)| d.listed).count();
	let weight = match listed {
		0 | 1 => 30,
		2..=4 => 8,
		_ => 2,
	};
	if let Some(owner) = payer(g, pool, 10 * AIR, |_| true) {
		let l = planned_listing(g);
		let mut parents: Vec<u64> = Vec::new();
		if !datasets.is_empty() && g.rng.chance(30) {
			for _ in 0..1 + g.rng.below(2) {
				let parent = datasets[g.rng.index(datasets.len())].0;
				if !parents.contains(&parent) {
					parents.push(parent);
				}
			}
		}
		let call = M::list_dataset {
			root_hash: l.root_hash,
			size: l.size,
			chunk_count: l.chunk_count,
			license: l.license,
			license_uri: l.license_uri,
			price: l.price,
			royalty: l.royalty,
			metadata_hash: l.metadata_hash,
			parents: BoundedVec::truncate_from(parents),
		};
		steps.add(weight, &owner, RuntimeCall::DataMarket(call));
	}
	let could_buy = |who: &AccountId| datasets.iter().any(|(_, d)| d.listed && &d.owner != who);
	if let Some(who) = payer(g, pool, AIR, |a| !has_key(a) && could_buy(a)) {
		let call = M::set_delivery_key { key: g.rng.array32() };
		steps.add(15, &who, RuntimeCall::DataMarket(call));
	}
	if let Some(who) = payer(g, pool, 0, has_key) {
		steps.add(1, &who, RuntimeCall::DataMarket(M::clear_delivery_key {}));
	}

	for (id, d) in &datasets {
		let id = *id;
		if d.listed {
			let cost = d.listing.price.saturating_add(access_deposit);
			let buyer = payer(g, pool, cost, |a| {
				a != &d.owner
					&& has_key(a) && pallet_data_market::Accesses::<Runtime>::get(a, id).is_none()
			});
			if let Some(buyer) = buyer {
				let max_price = if g.rng.chance(85) {
					d.listing.price
				} else {
					d.listing.price.saturating_mul(2)
				};
				let call = M::buy_access { dataset: id, max_price };
				steps.add(20, &buyer, RuntimeCall::DataMarket(call));
			}
		}
		if in_pool(pool, &d.owner) {
			let owner = &d.owner;
			if d.listed {
				steps.add(1, owner, RuntimeCall::DataMarket(M::delist { dataset: id }));
			} else {
				steps.add(8, owner, RuntimeCall::DataMarket(M::relist { dataset: id }));
			}
			let (new_price, royalty) = (price(g), *g.rng.pick(&[0, MILLI_AIR, AIR]));
			let call = M::update_price { dataset: id, price: new_price, royalty };
			steps.add(2, owner, RuntimeCall::DataMarket(call));
			if affords(pool, owner, AIR) {
				let agent = if g.rng.chance(80) { Some(g.actor()) } else { None };
				steps.add(2, owner, RuntimeCall::DataMarket(M::set_agent { dataset: id, agent }));
			}
		}
		let kinds: Vec<ClaimKind> = [ClaimKind::RootHash, ClaimKind::Schema, ClaimKind::License]
			.into_iter()
			.filter(|&kind| {
				!pallet_data_market::Claims::<Runtime>::contains_key(id, kind)
					&& d.validation.get(kind) != ValidationState::Validated
			})
			.collect();
		if !kinds.is_empty() {
			let kind = kinds[g.rng.index(kinds.len())];
			if let Some(curator) = payer(g, pool, 2 * min_stake, |a| a != &d.owner) {
				let stake = if g.rng.chance(80) { min_stake } else { 2 * min_stake };
				let call = M::submit_claim { dataset: id, kind, stake };
				steps.add(6, &curator, RuntimeCall::DataMarket(call));
			}
		}
	}

	// Purchases.
	for (purchase, p) in &purchases {
		let purchase = *purchase;
		match &p.state {
			PurchaseState::AwaitingDelivery { until } if now <= *until => {
				let mut sellers: Vec<&AccountId> = vec![&p.seller];
				if let Some((_, d)) = datasets.iter().find(|(id, _)| *id == p.dataset) {
					sellers.push(&d.owner);
					sellers.extend(d.agent.as_ref());
				}
				sellers.retain(|a| in_pool(pool, a));
				if !sellers.is_empty() {
					let who = sellers[g.rng.index(sellers.len())].clone();
					let call = M::deliver_key {
						purchase,
						sealed_key: BoundedVec::truncate_from(vec![9; SEALED_KEY_LEN]),
					};
					steps.add(25, &who, RuntimeCall::DataMarket(call));
				}
			},
			PurchaseState::AwaitingDelivery { .. } => {
				if in_pool(pool, &p.buyer) {
					steps.add(30, &p.buyer, RuntimeCall::DataMarket(M::reclaim { purchase }));
				}
			},
			PurchaseState::Delivered { dispute_until, .. } if now <= *dispute_until => {
				if affords(pool, &p.buyer, 2 * min_bond) {
					let call = M::dispute { purchase, bond: min_bond };
					steps.add(3, &p.buyer, RuntimeCall::DataMarket(call));
				}
			},
			PurchaseState::Delivered { .. } => {
				if let Some(anyone) = payer(g, pool, 0, |_| true) {
					let call = M::complete_sale { purchase };
					steps.add(30, &anyone, RuntimeCall::DataMarket(call));
				}
			},
			PurchaseState::Disputed { .. } => {},
		}
	}
	for (who, _) in pool {
		let idle: Vec<u64> = pallet_data_market::Accesses::<Runtime>::iter_prefix(who)
			.filter(|(_, access)| access.purchase.is_none())
			.map(|(dataset, _)| dataset)
			.collect();
		if !idle.is_empty() {
			let dataset = idle[g.rng.index(idle.len())];
			steps.add(2, who, RuntimeCall::DataMarket(M::relinquish_access { dataset }));
		}
	}

	// Claims.
	let claims: Vec<(u64, ClaimKind, pallet_data_market::Claim<Runtime>)> =
		pallet_data_market::Claims::<Runtime>::iter().collect();
	for (dataset, kind, claim) in &claims {
		let (dataset, kind) = (*dataset, *kind);
		if claim.counter.is_some() {
			continue;
		}
		if now <= claim.until {
			let owner = datasets.iter().find(|(id, _)| *id == dataset).map(|(_, d)| &d.owner);
			let bond = claim.stake;
			let challenger = payer(g, pool, bond, |a| a != &claim.curator && Some(a) != owner);
			if let Some(challenger) = challenger {
				let call = M::counter_claim { dataset, kind, bond };
				steps.add(3, &challenger, RuntimeCall::DataMarket(call));
			}
		} else if let Some(anyone) = payer(g, pool, 0, |_| true) {
			let call = M::conclude_claim { dataset, kind };
			steps.add(30, &anyone, RuntimeCall::DataMarket(call));
		}
	}

	// Settled jobs that read datasets.
	let uses: Vec<(JobId, pallet_data_market::JobUse<Runtime>)> =
		pallet_data_market::JobUses::<Runtime>::iter().collect();
	for (job, record) in &uses {
		let (job, user) = (*job, &record.user);
		if !matches!(record.state, UseState::Settled(_)) || !in_pool(pool, user) {
			continue;
		}
		if g.rng.chance(75) && affords(pool, user, AIR) {
			let l = planned_listing(g);
			let call = M::register_derived {
				job,
				root_hash: l.root_hash,
				size: l.size,
				chunk_count: l.chunk_count,
				license: l.license,
				license_uri: l.license_uri,
				price: l.price,
				royalty: l.royalty,
				metadata_hash: l.metadata_hash,
			};
			steps.add(20, user, RuntimeCall::DataMarket(call));
		} else {
			steps.add(20, user, RuntimeCall::DataMarket(M::release_job_record { job }));
		}
	}
}

/// A voucher for `channel`: signed by the channel's signer most of the time, else by a wrong key
/// or not at all, for the right or a wrong total, nonce or genesis.
fn voucher(g: &mut Gen, channel: u64) -> SignedVoucher<Balance, MultiSignature> {
	let world = g.world;
	let view = pallet_credits::Pallet::<Runtime>::channel_view(channel);
	let (nonce, redeemed, locked, price, signer) = match &view {
		Some(v) => (v.nonce, v.redeemed, v.locked, v.price_per_call, Some(v.signer.clone())),
		None => (0, 0, AIR, MILLI_AIR, None),
	};
	let total = match g.rng.below(8) {
		0 => redeemed,
		1 | 2 => redeemed.saturating_add(price),
		3 => redeemed.saturating_add(price.saturating_mul(10)),
		4 => locked,
		5 => locked.saturating_add(1),
		6 => u128::MAX,
		_ => 0,
	};
	let voucher = Voucher {
		genesis: if g.rng.chance(95) {
			pallet_credits::Pallet::<Runtime>::genesis_hash()
		} else {
			H256::repeat_byte(9)
		},
		channel,
		channel_nonce: if g.rng.chance(90) { nonce } else { nonce.wrapping_add(1) },
		total,
	};
	let payload = voucher.signing_payload();
	let signature: MultiSignature = match g.rng.below(10) {
		0..=6 => {
			let index = signer.as_ref().and_then(|s| world.actor_index(s)).unwrap_or(0);
			world.actors[index].pair.sign(&payload).into()
		},
		7 => world.actors[g.rng.index(world.actors.len())].pair.sign(&payload).into(),
		8 => ed25519::Pair::from_seed(&[7u8; 32]).sign(&payload).into(),
		_ => MultiSignature::Sr25519(sr25519::Signature::from_raw([7u8; 64])),
	};
	SignedVoucher { voucher, signature }
}

fn gen_credits(g: &mut Gen, me: &AccountId) -> RuntimeCall {
	use pallet_credits::Call as Cr;
	let next_service = pallet_credits::NextServiceId::<Runtime>::get();
	let next_channel = pallet_credits::NextChannelId::<Runtime>::get();
	let services: Vec<u64> = pallet_credits::Services::<Runtime>::iter()
		.filter(|(_, s)| !s.retired)
		.map(|(id, _)| id)
		.collect();
	let my_services: Vec<u64> = pallet_credits::Services::<Runtime>::iter()
		.filter(|(_, s)| &s.owner == me)
		.map(|(id, _)| id)
		.collect();
	let channels: Vec<u64> = pallet_credits::Channels::<Runtime>::iter_keys().collect();
	let my_channels: Vec<u64> =
		pallet_credits::PayerChannels::<Runtime>::iter_prefix(me).map(|(id, _)| id).collect();
	let served: Vec<u64> = channels
		.iter()
		.copied()
		.filter(|id| {
			pallet_credits::Pallet::<Runtime>::channel_view(*id)
				.and_then(|v| pallet_credits::Services::<Runtime>::get(v.service))
				.is_some_and(|s| &s.owner == me)
		})
		.collect();
	let expiry = |g: &mut Gen| -> BlockNumber {
		let now = System::block_number();
		now.saturating_add(*g.rng.pick(&[0u32, 1, 2, 3, 10, 100, 90 * DAYS + 1]))
	};
	let funds = |g: &mut Gen| -> Balance {
		match g.rng.below(4) {
			0 => AIR,
			1 => 100 * MILLI_AIR,
			2 => 0,
			_ => g.amount(me),
		}
	};
	let call = match g.rng.below(22) {
		0 | 1 => Cr::register_service {
			metadata_hash: g.hash(),
			endpoint_hash: g.hash(),
			price_per_call: g.price(),
			tier_required: *g.rng.pick(&[0u8, 0, 0, 1, 2, 3, 4, u8::MAX]),
		},
		2 => Cr::set_service_price {
			service: g.choose(my_services, next_service),
			price_per_call: g.price(),
		},
		3 => Cr::retire_service { service: g.choose(my_services, next_service) },
		4 | 5 => Cr::open_channel {
			service: g.choose(services, next_service),
			amount: funds(g),
			expiry: expiry(g),
		},
		6 => Cr::open_channel_for {
			owner: g.account(),
			service: g.choose(services, next_service),
			amount: funds(g),
			expiry: expiry(g),
		},
		7 => Cr::top_up { channel: g.choose(my_channels, next_channel), amount: funds(g) },
		8 => Cr::extend_channel { channel: g.choose(my_channels, next_channel), expiry: expiry(g) },
		9..=11 => {
			let channel = g.choose(served, next_channel);
			Cr::redeem { channel, voucher: voucher(g, channel) }
		},
		12 => Cr::request_close { channel: g.choose(my_channels, next_channel) },
		13 => {
			let channel = g.choose(served, next_channel);
			let voucher = if g.rng.chance(50) { Some(voucher(g, channel)) } else { None };
			Cr::cooperative_close { channel, voucher }
		},
		14 => Cr::close { channel: g.choose(channels, next_channel) },
		15 => Cr::set_budget { limit: g.amount(me), period: *g.rng.pick(&[0u32, 1, 10, 100]) },
		16 => Cr::clear_budget {},
		17 => Cr::approve {
			delegate: g.account(),
			amount: funds(g),
			expires: expiry(g),
			max_channels: *g.rng.pick(&[0u32, 1, 3, u32::MAX]),
		},
		18 => Cr::revoke { delegate: g.account() },
		19 => Cr::lock_for_tier {
			amount: match g.rng.below(5) {
				0 => 1_000 * AIR,
				1 => 10_000 * AIR,
				2 => 100_000 * AIR,
				3 => 1,
				_ => g.amount(me),
			},
		},
		20 => {
			if g.rng.chance(50) {
				Cr::unlock_tier { amount: g.amount(me) }
			} else {
				Cr::withdraw_tier {}
			}
		},
		// Root or MarketAdmin: refused with `BadOrigin`.
		_ => Cr::set_tiers {
			tiers: pallet_credits::TiersOf::<Runtime>::truncate_from(vec![
				pallet_credits::TierDefinition {
					name: BoundedVec::truncate_from(b"Fuzz".to_vec()),
					threshold: AIR,
				},
			]),
		},
	};
	RuntimeCall::Credits(call)
}

/// The calls referenda may enact (and preimages hold): nothing that needs host functions the test
/// externalities lack (a runtime upgrade reads the new code's version), and no `timestamp.set`.
fn safe_proposal(g: &mut Gen) -> RuntimeCall {
	use compute_params::{ChallengePeriod, Parameters as ComputeParameter, ProtocolFee};
	let world = g.world;
	let count = pallet_referenda::ReferendumCount::<Runtime>::get();
	match g.rng.below(11) {
		0 | 1 => {
			RuntimeCall::System(frame_system::Call::remark_with_event { remark: g.rng.bytes(8) })
		},
		2 => RuntimeCall::Referenda(pallet_referenda::Call::cancel { index: g.id32(count) }),
		3 => RuntimeCall::Referenda(pallet_referenda::Call::kill { index: g.id32(count) }),
		4 => RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: *g.rng.pick(&[AIR, 10_000 * AIR, 10_001 * AIR, 1_000_000 * AIR]),
			beneficiary: Box::new(g.actor().into()),
			valid_from: None,
		}),
		5 => RuntimeCall::Parameters(pallet_parameters::Call::set_parameter {
			key_value: RuntimeParameters::Compute(ComputeParameter::ProtocolFee(
				ProtocolFee,
				Some(g.perbill()),
			)),
		}),
		6 => RuntimeCall::Parameters(pallet_parameters::Call::set_parameter {
			key_value: RuntimeParameters::Compute(ComputeParameter::ChallengePeriod(
				ChallengePeriod,
				Some(*g.rng.pick(&[0u32, 1, 3, 10])),
			)),
		}),
		7 => RuntimeCall::Staking(pallet_staking::Call::set_validator_count {
			count: *g.rng.pick(&[0u32, 1, 2, 3, 33]),
		}),
		8 => RuntimeCall::Balances(pallet_balances::Call::force_transfer {
			source: world.actors[g.rng.index(FUNDED)].account.clone().into(),
			dest: g.actor().into(),
			value: AIR,
		}),
		9 => RuntimeCall::Balances(pallet_balances::Call::force_set_balance {
			who: g.actor().into(),
			new_free: *g.rng.pick(&[0, EXISTENTIAL_DEPOSIT - 1, AIR, 2_000_000 * AIR]),
		}),
		_ => RuntimeCall::Balances(pallet_balances::Call::force_adjust_total_issuance {
			direction: if g.rng.chance(50) {
				pallet_balances::AdjustmentDirection::Increase
			} else {
				pallet_balances::AdjustmentDirection::Decrease
			},
			delta: *g.rng.pick(&[0, 1, AIR]),
		}),
	}
}

/// Preimage bytes: safe calls (a referendum may look them up), empty, or bytes that never decode
/// as a call (the leading 0xff is no pallet's index), up to the 4 MiB limit and one byte past it.
fn preimage_bytes(g: &mut Gen) -> Vec<u8> {
	let junk = |g: &mut Gen, len: usize| {
		let mut bytes = vec![0xff];
		bytes.extend(g.rng.bytes(len));
		bytes
	};
	match g.rng.below(20) {
		0..=9 => safe_proposal(g).encode(),
		10 => Vec::new(),
		11..=14 => junk(g, 32),
		15 | 16 => junk(g, 1_024),
		17 | 18 => vec![0xff; 100_000],
		_ => {
			if g.rng.chance(10) {
				// Past `pallet_preimage::MAX_SIZE`; also past the normal-class block length, so
				// the transaction is refused (`ExhaustsResources`) before dispatch.
				vec![0xff; pallet_preimage::MAX_SIZE as usize + 1]
			} else {
				junk(g, 300)
			}
		},
	}
}

fn known_preimage(g: &mut Gen) -> H256 {
	if !g.memo.preimages.is_empty() && g.rng.chance(80) {
		let i = g.rng.index(g.memo.preimages.len());
		g.memo.preimages[i].0
	} else {
		g.hash()
	}
}

fn gen_preimage(g: &mut Gen) -> RuntimeCall {
	use pallet_preimage::Call as Pre;
	let call = match g.rng.below(8) {
		0..=2 => {
			let bytes = preimage_bytes(g);
			let hash = H256(sp_io::hashing::blake2_256(&bytes));
			remember(&mut g.memo.preimages, (hash, bytes.len() as u32));
			Pre::note_preimage { bytes }
		},
		3 => Pre::unnote_preimage { hash: known_preimage(g) },
		// Root only: refused with `BadOrigin`.
		4 => Pre::request_preimage { hash: known_preimage(g) },
		5 => Pre::unrequest_preimage { hash: known_preimage(g) },
		_ => {
			let n = g.rng.below(4);
			Pre::ensure_updated { hashes: (0..n).map(|_| known_preimage(g)).collect() }
		},
	};
	RuntimeCall::Preimage(call)
}

fn lookup(encoded: &[u8]) -> Bounded<RuntimeCall, BlakeTwo256> {
	Bounded::Lookup { hash: H256(sp_io::hashing::blake2_256(encoded)), len: encoded.len() as u32 }
}

fn proposal(g: &mut Gen) -> Bounded<RuntimeCall, BlakeTwo256> {
	match g.rng.below(5) {
		0 | 1 => {
			let encoded = safe_proposal(g).encode();
			match BoundedInline::try_from(encoded.clone()) {
				Ok(inline) => Bounded::Inline(inline),
				Err(_) => lookup(&encoded),
			}
		},
		// Usually never noted: enactment finds no call.
		2 => lookup(&safe_proposal(g).encode()),
		3 if !g.memo.preimages.is_empty() => {
			let i = g.rng.index(g.memo.preimages.len());
			let (hash, len) = g.memo.preimages[i];
			Bounded::Lookup { hash, len }
		},
		_ => Bounded::Lookup {
			hash: g.hash(),
			len: *g.rng.pick(&[0u32, 40, pallet_preimage::MAX_SIZE + 1]),
		},
	}
}

fn proposal_origin(g: &mut Gen, me: &AccountId) -> OriginCaller {
	use pallet_governance::Origin as Gov;
	match g.rng.below(11) {
		0 | 1 => OriginCaller::system(frame_system::RawOrigin::Root),
		// No track: `NoTrack`.
		2 => OriginCaller::system(frame_system::RawOrigin::Signed(me.clone())),
		3 => OriginCaller::Origins(Gov::ReferendumCanceller),
		4 => OriginCaller::Origins(Gov::ReferendumKiller),
		5 => OriginCaller::Origins(Gov::SmallSpender),
		6 => OriginCaller::Origins(Gov::BigSpender),
		7 => OriginCaller::Origins(Gov::Treasurer),
		8 => OriginCaller::Origins(Gov::ComputeAdmin),
		9 => OriginCaller::Origins(Gov::MarketAdmin),
		_ => OriginCaller::Origins(Gov::StakingAdmin),
	}
}

fn track(g: &mut Gen) -> u16 {
	*g.rng.pick(&[0u16, 1, 2, 10, 11, 12, 20, 21, 22, 99])
}

fn gen_referenda(g: &mut Gen, me: &AccountId) -> RuntimeCall {
	use pallet_referenda::Call as R;
	let count = pallet_referenda::ReferendumCount::<Runtime>::get();
	let call = match g.rng.below(11) {
		0..=2 => R::submit {
			proposal_origin: Box::new(proposal_origin(g, me)),
			proposal: proposal(g),
			enactment_moment: if g.rng.chance(80) {
				DispatchTime::After(g.rng.below(3) as u32)
			} else {
				DispatchTime::At(System::block_number() + g.rng.below(5) as u32)
			},
		},
		3 | 4 => R::place_decision_deposit { index: g.id32(count) },
		5 => R::refund_decision_deposit { index: g.id32(count) },
		6 => R::refund_submission_deposit { index: g.id32(count) },
		7 => R::set_metadata { index: g.id32(count), maybe_hash: g.opt_hash() },
		// Root or a governance origin: refused with `BadOrigin`.
		8 => R::cancel { index: g.id32(count) },
		9 => R::kill { index: g.id32(count) },
		_ => {
			if g.rng.chance(50) {
				R::nudge_referendum { index: g.id32(count) }
			} else {
				R::one_fewer_deciding { track: track(g) }
			}
		},
	};
	RuntimeCall::Referenda(call)
}

fn conviction(g: &mut Gen) -> Conviction {
	match g.rng.below(7) {
		0 => Conviction::None,
		1 => Conviction::Locked1x,
		2 => Conviction::Locked2x,
		3 => Conviction::Locked3x,
		4 => Conviction::Locked4x,
		5 => Conviction::Locked5x,
		_ => Conviction::Locked6x,
	}
}

fn gen_voting(g: &mut Gen, me: &AccountId) -> RuntimeCall {
	use pallet_conviction_voting::Call as V;
	let count = pallet_referenda::ReferendumCount::<Runtime>::get();
	let call = match g.rng.below(10) {
		0..=4 => {
			let vote = match g.rng.below(5) {
				0..=2 => AccountVote::Standard {
					vote: Vote { aye: g.rng.chance(60), conviction: conviction(g) },
					balance: g.amount(me),
				},
				3 => AccountVote::Split { aye: g.amount(me), nay: g.amount(me) },
				_ => AccountVote::SplitAbstain {
					aye: g.amount(me),
					nay: g.amount(me),
					abstain: g.amount(me),
				},
			};
			V::vote { poll_index: g.id32(count), vote }
		},
		5 => V::delegate {
			class: track(g),
			to: g.addr(),
			conviction: conviction(g),
			balance: g.amount(me),
		},
		6 => V::undelegate { class: track(g) },
		7 => V::unlock {
			class: track(g),
			target: if g.rng.chance(70) { me.clone().into() } else { g.addr() },
		},
		8 => V::remove_vote {
			class: if g.rng.chance(50) { Some(track(g)) } else { None },
			index: g.id32(count),
		},
		_ => V::remove_other_vote { target: g.addr(), class: track(g), index: g.id32(count) },
	};
	RuntimeCall::ConvictionVoting(call)
}

// `spend_local` and `remove_approval` are deprecated upstream; they are still calls of this
// runtime, so a signed account must still be refused them.
#[allow(deprecated)]
fn gen_treasury(g: &mut Gen) -> RuntimeCall {
	use pallet_treasury::Call as Tr;
	let count = pallet_treasury::SpendCount::<Runtime>::get();
	let call = match g.rng.below(7) {
		0 | 1 => Tr::payout { index: g.id32(count) },
		2 => Tr::check_status { index: g.id32(count) },
		// Spend and reject origins only: refused with `BadOrigin`.
		3 => Tr::spend {
			asset_kind: Box::new(()),
			amount: AIR,
			beneficiary: Box::new(g.actor().into()),
			valid_from: None,
		},
		4 => Tr::void_spend { index: g.id32(count) },
		5 => Tr::spend_local { amount: AIR, beneficiary: g.addr() },
		_ => Tr::remove_approval { proposal_id: 0 },
	};
	RuntimeCall::Treasury(call)
}

/// Every scheduler call needs Root: refused with `BadOrigin`.
fn gen_scheduler(g: &mut Gen) -> RuntimeCall {
	use pallet_scheduler::Call as Sc;
	let when = g.blocks_ahead();
	let task = Box::new(remark_call(vec![1]));
	let id = g.rng.array32();
	let call = match g.rng.below(10) {
		0 => Sc::schedule { when, maybe_periodic: None, priority: 0, call: task },
		1 => Sc::cancel { when, index: 0 },
		2 => Sc::schedule_named { id, when, maybe_periodic: Some((2, 2)), priority: 1, call: task },
		3 => Sc::cancel_named { id },
		4 => Sc::schedule_after { after: 1, maybe_periodic: None, priority: 0, call: task },
		5 => {
			Sc::schedule_named_after { id, after: 2, maybe_periodic: None, priority: 0, call: task }
		},
		6 => Sc::set_retry { task: (when, 0), retries: 3, period: 2 },
		7 => Sc::set_retry_named { id, retries: 1, period: 1 },
		8 => Sc::cancel_retry { task: (when, 0) },
		_ => Sc::cancel_retry_named { id },
	};
	RuntimeCall::Scheduler(call)
}

/// Calls of pallets without signed calls (timestamp needs None, GRANDPA's `note_stalled` and
/// pallet-parameters need Root or a governance origin) and root-only calls of the others.
fn gen_privileged(g: &mut Gen) -> RuntimeCall {
	match g.rng.below(4) {
		// Mandatory class: a signed one is refused with `BadMandatory` after failing dispatch.
		0 => RuntimeCall::Timestamp(pallet_timestamp::Call::set {
			now: u64::from(System::block_number()) * SLOT_DURATION,
		}),
		1 => RuntimeCall::Grandpa(pallet_grandpa::Call::note_stalled {
			delay: 5,
			best_finalized_block_number: 0,
		}),
		2 => RuntimeCall::Parameters(pallet_parameters::Call::set_parameter {
			key_value: RuntimeParameters::Compute(compute_params::Parameters::ProtocolFee(
				compute_params::ProtocolFee,
				Some(Perbill::from_percent(99)),
			)),
		}),
		_ => safe_proposal(g),
	}
}

// ------------------------------------------------------------------------------------------------
// Submitting extrinsics
// ------------------------------------------------------------------------------------------------

/// The only refusals a correctly signed transaction from the live nonce may meet: an unfunded or
/// drained signer, a full block or an overweight or oversize call, and a Mandatory-class call
/// (`timestamp.set`) sent signed.
fn expected_refusal(error: &TransactionValidityError) -> bool {
	matches!(
		error,
		TransactionValidityError::Invalid(
			InvalidTransaction::Payment
				| InvalidTransaction::ExhaustsResources
				| InvalidTransaction::BadMandatory
		)
	)
}

/// Signs `call` by actor `signer` with its live nonce, applies it and records the outcome.
fn submit(
	g: &mut Gen,
	signer: usize,
	call: RuntimeCall,
	kind: &str,
	guard: &mut Guard,
	stats: &mut Stats,
	verbose: bool,
) {
	let world = g.world;
	let actor = &world.actors[signer];
	let meta = call.get_call_metadata();
	let nonce = System::account_nonce(&actor.account);
	let tip = if g.rng.chance(10) { *g.rng.pick(&[1, MILLI_AIR, AIR]) } else { 0 };
	// Mortal transactions born in the parent block, now and then.
	let era = if g.rng.chance(10) {
		Era::mortal(64, u64::from(System::block_number() - 1))
	} else {
		Era::Immortal
	};
	let described = if verbose { clip(format!("{call:?}"), 2_000) } else { String::new() };
	let xt = sign_with(call, &actor.pair, nonce, tip, era);
	let class = xt.get_dispatch_info().class;
	let result = apply_transactional(xt);
	let line = format!(
		"#{}.{} {} {kind}{}::{} -> {}",
		guard.block,
		guard.extrinsic.unwrap_or_default(),
		actor.name,
		meta.pallet_name,
		meta.function_name,
		outcome(&result)
	);
	if verbose {
		println!("{line}\n    {described}");
	}
	guard.note(line);
	match &result {
		Ok(_) => {
			let size = System::block_size();
			let limit = block_length_limit(class);
			assert!(
				size <= limit,
				"{guard}: the block reached {size} bytes with a {class:?} extrinsic, above that \
				 class's limit {limit}"
			);
		},
		Err(error) => assert!(
			expected_refusal(error),
			"{guard}: {}::{} from {} with its live nonce was refused with {error:?}",
			meta.pallet_name,
			meta.function_name,
			actor.name
		),
	}
	stats.record(meta.pallet_name, meta.function_name, &result);
}

fn generated(g: &mut Gen, guard: &mut Guard, stats: &mut Stats, verbose: bool) {
	let (signer, call) = top_level(g);
	submit(g, signer, call, "", guard, stats, verbose);
}

/// Mutates `bytes` a little: flipped, replaced, inserted, truncated or appended bytes.
fn mutate(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
	let edits = 1 + rng.below(3);
	for _ in 0..edits {
		if bytes.is_empty() {
			bytes.push(rng.next_u64() as u8);
			continue;
		}
		let at = rng.index(bytes.len());
		match rng.below(5) {
			0 => bytes[at] ^= 1u8 << rng.below(8),
			1 => bytes[at] = rng.next_u64() as u8,
			2 => bytes.truncate(at),
			3 => bytes.insert(at, rng.next_u64() as u8),
			_ => {
				let n = 1 + rng.index(8);
				bytes.extend(rng.bytes(n));
			},
		}
	}
	bytes
}

/// Random or mutated bytes decoded as a call; submitted signed when they decode.
fn raw_call(g: &mut Gen, guard: &mut Guard, stats: &mut Stats, verbose: bool) {
	stats.raw_calls += 1;
	let bytes = if g.rng.chance(50) {
		let len = g.rng.index(301);
		g.rng.bytes(len)
	} else {
		let (_, call) = top_level(g);
		mutate(g.rng, call.encode())
	};
	let Ok(call) =
		<RuntimeCall as DecodeLimit>::decode_with_depth_limit(FUZZ_DECODE_DEPTH, &mut &bytes[..])
	else {
		return;
	};
	stats.raw_calls_decoded += 1;
	let signer = pick_signer(g, None);
	submit(g, signer, call, "raw ", guard, stats, verbose);
}

/// Random or mutated bytes decoded as an extrinsic; validated as the pool does, applied when
/// valid. Nothing is asserted but that nothing panics.
///
/// The length prefix is kept below 16 KiB: `UncheckedExtrinsic::decode_with_len` reserves the
/// length the prefix claims before decoding the call (sp-runtime 49
/// `generic/unchecked_extrinsic.rs` L543, `Vec::with_capacity(len)`), and a test process should
/// not be made to reserve gigabytes for 300 bytes of noise.
fn raw_extrinsic(g: &mut Gen, guard: &mut Guard, stats: &mut Stats, verbose: bool) {
	stats.raw_extrinsics += 1;
	let bytes = match g.rng.below(3) {
		0 => {
			let len = g.rng.index(300);
			let mut bytes = Compact(len as u32).encode();
			bytes.extend(g.rng.bytes(len));
			bytes
		},
		1 => {
			let len = g.rng.index(301);
			let mut bytes = g.rng.bytes(len);
			if let Some(first) = bytes.first_mut() {
				// Compact modes 0b00 and 0b01 only: a prefix below 2^14.
				*first &= !0b10;
			}
			bytes
		},
		_ => {
			let (signer, call) = top_level(g);
			let world = g.world;
			let actor = &world.actors[signer];
			let nonce = System::account_nonce(&actor.account);
			let valid = sign_with(call, &actor.pair, nonce, 0, Era::Immortal).encode();
			let mut input = &valid[..];
			let _prefix = Compact::<u32>::decode(&mut input).expect("an extrinsic's length prefix");
			let body = mutate(g.rng, input.to_vec());
			let mut bytes = Compact(body.len() as u32).encode();
			bytes.extend(body);
			bytes
		},
	};
	let Ok(xt) = <UncheckedExtrinsic as DecodeLimit>::decode_all_with_depth_limit(
		FUZZ_DECODE_DEPTH,
		&mut &bytes[..],
	) else {
		return;
	};
	stats.raw_extrinsics_decoded += 1;
	let meta = xt.function.get_call_metadata();
	match validate_at_pool(xt.clone()) {
		Err(error) => {
			*stats.pool_refusals.entry(format!("{error:?}")).or_default() += 1;
			guard.note(format!(
				"#{}.{} raw extrinsic {}::{} refused by the pool: {error:?}",
				guard.block,
				guard.extrinsic.unwrap_or_default(),
				meta.pallet_name,
				meta.function_name
			));
		},
		Ok(_) => {
			let result = apply_transactional(xt);
			let line = format!(
				"#{}.{} raw extrinsic {}::{} -> {}",
				guard.block,
				guard.extrinsic.unwrap_or_default(),
				meta.pallet_name,
				meta.function_name,
				outcome(&result)
			);
			if verbose {
				println!("{line}");
			}
			guard.note(line);
			stats.record(meta.pallet_name, meta.function_name, &result);
		},
	}
}

// ------------------------------------------------------------------------------------------------
// Bad input
// ------------------------------------------------------------------------------------------------

/// Input that must be refused, at the pool and in a block, with an exact error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BadInput {
	/// Signed by another key than the sender's: `BadProof`.
	BadSignature,
	/// A nonce already used: `Stale`.
	StaleNonce,
	/// A nonce ahead of the account's: valid at the pool (it waits for its predecessors),
	/// `Future` in a block.
	FutureNonce,
	/// From an account that does not exist: `Payment`.
	UnfundedSigner,
	/// Longer than a block may be (a 6 MiB remark): `ExhaustsResources`.
	OversizeExtrinsic,
	/// Bytes that are no extrinsic: refused by the decoder.
	GarbageBytes,
	/// Signed for another runtime version: `BadProof`.
	WrongSpecVersion,
	/// Signed for another chain: `BadProof`.
	WrongGenesisHash,
	/// A bounded argument past its bound (17 nomination targets, 16 allowed): refused by the
	/// decoder.
	OversizeBoundedArgument,
}

impl BadInput {
	const ALL: [BadInput; 9] = [
		BadInput::BadSignature,
		BadInput::StaleNonce,
		BadInput::FutureNonce,
		BadInput::UnfundedSigner,
		BadInput::OversizeExtrinsic,
		BadInput::GarbageBytes,
		BadInput::WrongSpecVersion,
		BadInput::WrongGenesisHash,
		BadInput::OversizeBoundedArgument,
	];
	/// The cases the fuzz loop draws (the oversize extrinsic, costly to sign, only rarely).
	const CHEAP: [BadInput; 8] = [
		BadInput::BadSignature,
		BadInput::StaleNonce,
		BadInput::FutureNonce,
		BadInput::UnfundedSigner,
		BadInput::GarbageBytes,
		BadInput::WrongSpecVersion,
		BadInput::WrongGenesisHash,
		BadInput::OversizeBoundedArgument,
	];
}

fn providers(who: &AccountId) -> u32 {
	frame_system::Account::<Runtime>::get(who).providers
}

fn spendable(who: &AccountId) -> Balance {
	<Balances as fungible::Inspect<AccountId>>::reducible_balance(
		who,
		Preservation::Preserve,
		Fortitude::Polite,
	)
}

fn pick_actor<'w>(g: &mut Gen<'w>, eligible: impl Fn(&Actor) -> bool) -> Option<&'w Actor> {
	let world: &'w World = g.world;
	let candidates: Vec<&'w Actor> = world.actors.iter().filter(|&a| eligible(a)).collect();
	if candidates.is_empty() {
		None
	} else {
		Some(candidates[g.rng.index(candidates.len())])
	}
}

fn state_root() -> Vec<u8> {
	sp_io::storage::root(airtime_runtime::VERSION.state_version())
}

/// Removes what `Executive::apply_extrinsic` writes before it validates an extrinsic: its
/// encoding under `System::ExtrinsicData` at the extrinsic's index (frame-executive 49
/// `do_apply_extrinsic`, `note_extrinsic` before `apply`; a block author's storage transaction
/// discards it). After this, a refused extrinsic must have left the state exactly as it was.
fn forget_noted_extrinsic(index: u32) {
	let mut key = frame_support::storage::storage_prefix(b"System", b"ExtrinsicData").to_vec();
	key.extend(sp_io::hashing::twox_64(&index.encode()));
	key.extend(index.encode());
	sp_io::storage::clear(&key);
	assert!(System::extrinsic_data(index).is_empty(), "the key of System::ExtrinsicData is right");
}

/// Asserts that `xt` is refused by the pool with `at_pool` (`None`: accepted, to wait there) and
/// in a block with `in_block`, and that the refusal changed nothing. Returns what happened.
fn expect_refused(
	case: BadInput,
	xt: UncheckedExtrinsic,
	at_pool: Option<InvalidTransaction>,
	in_block: InvalidTransaction,
	ctx: &dyn fmt::Display,
) -> String {
	let pool = validate_at_pool(xt.clone());
	match at_pool {
		Some(expected) => assert_eq!(
			pool,
			Err(TransactionValidityError::Invalid(expected)),
			"{ctx}: {case:?} must be refused by the pool with {expected:?}"
		),
		None => assert!(pool.is_ok(), "{ctx}: {case:?} must wait in the pool, got {pool:?}"),
	}
	let index = System::extrinsic_index().unwrap_or_default();
	let before = state_root();
	let result = Executive::apply_extrinsic(xt);
	forget_noted_extrinsic(index);
	let after = state_root();
	assert_eq!(
		result,
		Err(TransactionValidityError::Invalid(in_block)),
		"{ctx}: {case:?} must be refused in a block with {in_block:?}"
	);
	assert_eq!(before, after, "{ctx}: {case:?} was refused but changed the state");
	let pool = match pool {
		Ok(_) => "valid (waits for its predecessors)".to_string(),
		Err(error) => format!("{error:?}"),
	};
	format!("pool: {pool}; block: {result:?}; state unchanged")
}

/// Runs one bad-input case; `None` when no actor can send it in the current state.
fn bad_input(case: BadInput, g: &mut Gen, ctx: &dyn fmt::Display) -> Option<String> {
	use InvalidTransaction::{BadProof, ExhaustsResources, Future, Payment, Stale};
	let world = g.world;
	match case {
		BadInput::BadSignature => {
			let victim = g.rng.index(world.actors.len());
			let forger = &world.actors[(victim + 1) % world.actors.len()];
			let victim = &world.actors[victim];
			let tx_ext = airtime_runtime::tx_extension(
				System::account_nonce(&victim.account),
				Era::Immortal,
				0,
			);
			let call = remark_call(b"forged".to_vec());
			let payload = SignedPayload::new(call, tx_ext)
				.expect("the extensions' implicit data is in state");
			let xt = sign_payload(payload, &forger.pair, victim.account.clone());
			Some(expect_refused(case, xt, Some(BadProof), BadProof, ctx))
		},
		BadInput::StaleNonce => {
			let actor = pick_actor(g, |a| {
				providers(&a.account) > 0 && System::account_nonce(&a.account) > 0
			})?;
			let current = System::account_nonce(&actor.account);
			let nonce = current - 1 - g.rng.below(u64::from(current)) as Nonce;
			let xt =
				sign_with(remark_call(b"stale".to_vec()), &actor.pair, nonce, 0, Era::Immortal);
			Some(expect_refused(case, xt, Some(Stale), Stale, ctx))
		},
		BadInput::FutureNonce => {
			let actor =
				pick_actor(g, |a| providers(&a.account) > 0 && spendable(&a.account) >= 10 * AIR)?;
			let nonce = System::account_nonce(&actor.account) + 1 + g.rng.below(3) as Nonce;
			let xt =
				sign_with(remark_call(b"future".to_vec()), &actor.pair, nonce, 0, Era::Immortal);
			Some(expect_refused(case, xt, None, Future, ctx))
		},
		BadInput::UnfundedSigner => {
			let actor = &world.never_funded;
			let info = frame_system::Account::<Runtime>::get(&actor.account);
			if info.providers > 0 || info.sufficients > 0 {
				return None;
			}
			let xt = sign_with(remark_call(b"unfunded".to_vec()), &actor.pair, 0, 0, Era::Immortal);
			Some(expect_refused(case, xt, Some(Payment), Payment, ctx))
		},
		BadInput::OversizeExtrinsic => {
			let actor = pick_actor(g, |a| providers(&a.account) > 0)?;
			let nonce = System::account_nonce(&actor.account);
			let remark = vec![0u8; MAX_BLOCK_LENGTH as usize + 1024 * 1024];
			let xt = sign_with(remark_call(remark), &actor.pair, nonce, 0, Era::Immortal);
			Some(expect_refused(case, xt, Some(ExhaustsResources), ExhaustsResources, ctx))
		},
		BadInput::GarbageBytes => {
			let actor = &world.actors[g.rng.index(FUNDED)];
			let nonce = System::account_nonce(&actor.account);
			let valid =
				sign_with(remark_call(b"garbage".to_vec()), &actor.pair, nonce, 0, Era::Immortal)
					.encode();
			let mut wrong_prefix = valid.clone();
			// One more byte claimed than the extrinsic has.
			wrong_prefix[0] = wrong_prefix[0].wrapping_add(4);
			let mut trailing = valid.clone();
			trailing.push(0);
			let patterns: [(&str, Vec<u8>); 5] = [
				("no bytes", Vec::new()),
				("an unknown extrinsic version", vec![0x0c, 0xff, 0x00, 0x00]),
				("a truncated transaction", valid[..valid.len() - 10].to_vec()),
				("a wrong length prefix", wrong_prefix),
				("a transaction with a trailing byte", trailing),
			];
			for (what, bytes) in &patterns {
				let decoded = <UncheckedExtrinsic as DecodeLimit>::decode_all_with_depth_limit(
					EXECUTIVE_DECODE_DEPTH,
					&mut &bytes[..],
				);
				assert!(decoded.is_err(), "{ctx}: {what} decoded as an extrinsic: {decoded:?}");
			}
			Some(format!(
				"{} malformed encodings (no bytes, unknown version, truncated, wrong length \
				 prefix, trailing byte) refused by the decoder",
				patterns.len()
			))
		},
		BadInput::WrongSpecVersion | BadInput::WrongGenesisHash => {
			let actor = &world.actors[g.rng.index(world.actors.len())];
			let nonce = System::account_nonce(&actor.account);
			let tx_ext = airtime_runtime::tx_extension(nonce, Era::Immortal, 0);
			let (call, tx_ext, mut implicit) =
				SignedPayload::new(remark_call(b"elsewhere".to_vec()), tx_ext)
					.expect("the extensions' implicit data is in state")
					.deconstruct();
			// The implicit data of `TxExtension`, in order: (), spec version, transaction
			// version, genesis hash, birth block hash, (), (), (), metadata hash, ().
			if case == BadInput::WrongSpecVersion {
				implicit.1 = implicit.1.wrapping_add(1);
			} else {
				implicit.3 = H256::repeat_byte(0x42);
			}
			let payload = SignedPayload::from_raw(call, tx_ext, implicit);
			let xt = sign_payload(payload, &actor.pair, actor.account.clone());
			Some(expect_refused(case, xt, Some(BadProof), BadProof, ctx))
		},
		BadInput::OversizeBoundedArgument => {
			let actor = &world.actors[g.rng.index(FUNDED)];
			// `ConstU32` is `Get<u32>` and `Get<Option<u32>>`: the annotation picks one.
			let bound: u32 = <Runtime as pallet_staking::Config>::MaxNominations::get();
			let bound = bound as usize;
			let targets: Vec<AccountId> =
				(0..=bound).map(|i| world.actors[i % world.actors.len()].account.clone()).collect();
			let at_bound = RuntimeCall::Staking(pallet_staking::Call::nominate {
				targets: BoundedVec::truncate_from(targets[..bound].to_vec()),
			})
			.encode();
			assert!(
				RuntimeCall::decode(&mut &at_bound[..]).is_ok(),
				"{ctx}: a nomination of {bound} targets decodes"
			);
			// The same call, pallet and call index, with one target more.
			let mut call = at_bound[..2].to_vec();
			targets.encode_to(&mut call);
			assert!(
				RuntimeCall::decode(&mut &call[..]).is_err(),
				"{ctx}: a nomination of {} targets decoded",
				bound + 1
			);
			let bytes =
				encode_signed_raw(&call, &actor.pair, System::account_nonce(&actor.account));
			let decoded = <UncheckedExtrinsic as DecodeLimit>::decode_all_with_depth_limit(
				EXECUTIVE_DECODE_DEPTH,
				&mut &bytes[..],
			);
			assert!(
				decoded.is_err(),
				"{ctx}: a signed extrinsic nominating {} targets decoded",
				bound + 1
			);
			Some(format!(
				"staking.nominate with {} targets (bound {bound}), signed, refused by the decoder",
				bound + 1
			))
		},
	}
}

fn run_bad_input(g: &mut Gen, guard: &mut Guard, stats: &mut Stats) {
	let case =
		if g.rng.chance(2) { BadInput::OversizeExtrinsic } else { *g.rng.pick(&BadInput::CHEAP) };
	if let Some(outcome) = bad_input(case, g, &*guard) {
		let line = format!(
			"#{}.{} bad input {case:?}: {outcome}",
			guard.block,
			guard.extrinsic.unwrap_or_default()
		);
		guard.note(line);
		*stats.bad_inputs.entry(format!("{case:?}")).or_default() += 1;
	}
}

// ------------------------------------------------------------------------------------------------
// Sequences
// ------------------------------------------------------------------------------------------------

/// 1..=24 blocks: mostly 1..=10, a fifth 11..=24 (past an era boundary). A focused sequence is
/// 3..=24 blocks, three in ten 11 or more: its lifecycles need a few blocks to get anywhere, and
/// their windows (challenge 3 blocks, dispute 5, delivery and claims 10) must be able to elapse.
fn sequence_length(rng: &mut Rng, focus: Option<Focus>) -> u32 {
	let long = if focus.is_some() { 30 } else { 20 };
	if rng.chance(long) {
		11 + rng.below(14) as u32
	} else if focus.is_some() {
		3 + rng.below(8) as u32
	} else {
		1 + rng.below(10) as u32
	}
}

fn run_block(
	rng: &mut Rng,
	world: &World,
	memo: &mut Memo,
	guard: &mut Guard,
	stats: &mut Stats,
	verbose: bool,
) {
	guard.block = System::block_number() + 1;
	guard.extrinsic = None;
	let block = begin_block(memo.parent_hash, guard);
	// A focused sequence now and then skips a few empty blocks: time passes (windows close, jobs
	// settle or expire) at the cost of the checks alone.
	if memo.idle == 0 && memo.focus.is_some() && rng.chance(IDLE_STRETCH_PERCENT) {
		memo.idle = 2 + rng.below(4) as u32;
	}
	let count = if memo.idle > 0 {
		memo.idle -= 1;
		0
	} else {
		rng.below(MAX_EXTRINSICS_PER_BLOCK + 1) as usize
	};
	for i in 0..count {
		guard.extrinsic = Some(i);
		let mut g = Gen { rng: &mut *rng, world, memo: &mut *memo };
		let roll = g.rng.below(1_000);
		if roll < 25 {
			raw_call(&mut g, guard, stats, verbose);
		} else if roll < 40 {
			raw_extrinsic(&mut g, guard, stats, verbose);
		} else if roll < 52 {
			run_bad_input(&mut g, guard, stats);
		} else {
			generated(&mut g, guard, stats, verbose);
		}
	}
	guard.extrinsic = None;
	end_block(block, memo, guard);
	stats.count_events();
	stats.blocks += 1;
}

fn run_sequence(
	config: &FuzzConfig,
	genesis: &Genesis,
	world: &World,
	index: u64,
	stats: &mut Stats,
) {
	let mut rng = Rng::for_sequence(config.seed, index);
	let mut guard = Guard::new(config.seed, index, true);
	let mut ext = genesis.ext();
	ext.execute_with(|| {
		let mut memo = Memo::new(System::block_hash(0));
		memo.focus = draw_focus(&mut rng);
		let era_before = active_era();
		for _ in 0..sequence_length(&mut rng, memo.focus) {
			// A panic in the runtime carries only the runtime's message: add where it happened.
			let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
				run_block(&mut rng, world, &mut memo, &mut guard, stats, config.verbose)
			}));
			if let Err(payload) = built {
				panic!("{guard}: {}", panic_message(payload.as_ref()));
			}
		}
		stats.sequences += 1;
		if active_era() != era_before {
			stats.era_changes += 1;
		}
	});
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
	if let Some(message) = payload.downcast_ref::<&str>() {
		(*message).to_string()
	} else if let Some(message) = payload.downcast_ref::<String>() {
		message.clone()
	} else {
		"a panic without a message".to_string()
	}
}

/// Test threads the sequences are spread over: sequence `i` runs in shard `i % SHARDS`, so the
/// test harness runs the shards side by side (one per core on the CI machine).
const SHARDS: u64 = 2;

#[test]
fn fuzz_runtime_sequences_shard_0() {
	fuzz_shard(0);
}

#[test]
fn fuzz_runtime_sequences_shard_1() {
	fuzz_shard(1);
}

/// The sequences of `shard` (see [`SHARDS`]); `AIRTIME_FUZZ_ONLY` runs in the shard that owns it.
fn fuzz_shard(shard: u64) {
	let config = FuzzConfig::from_env();
	let (first, count) = match config.only {
		Some(index) => (index, 1),
		None => (0, config.sequences),
	};
	let mine: Vec<u64> = (first..first + count).filter(|i| i % SHARDS == shard).collect();
	if mine.is_empty() {
		return;
	}
	let genesis = Genesis::build();
	let world = genesis.ext().execute_with(World::new);
	let mut stats = Stats::default();
	let started = Instant::now();
	let total = mine.len() as u64;
	let progress_every = if total >= 50_000 { total / 20 } else { 0 };
	for (done, index) in mine.into_iter().enumerate() {
		run_sequence(&config, &genesis, &world, index, &mut stats);
		let done = done as u64 + 1;
		if progress_every > 0 && done.is_multiple_of(progress_every) {
			println!(
				"fuzz: seed {:#x} shard {shard}: {done} of {total} sequences, {:.0} s",
				config.seed,
				started.elapsed().as_secs_f64()
			);
		}
	}
	stats.print(&config, started.elapsed());
	if config.only.is_none() && total >= 2_000 {
		stats.assert_coverage();
	}
}

/// Each bad input once, with the exact error it is refused with at the pool and in a block, and the
/// state left untouched.
#[test]
fn fuzz_bad_input_rejected() {
	let genesis = Genesis::build();
	let mut ext = genesis.ext();
	let mut guard = Guard::new(DEFAULT_SEED, 0, false);
	ext.execute_with(|| {
		let world = World::new();
		let mut rng = Rng::new(DEFAULT_SEED);
		let mut memo = Memo::new(System::block_hash(0));
		guard.block = 1;
		let block = begin_block(memo.parent_hash, &guard);

		// Bob's first transaction: his nonce becomes 1, so 0 is stale.
		let bob = &world.actors[1];
		let first = sign_with(remark_call(b"first".to_vec()), &bob.pair, 0, 0, Era::Immortal);
		assert_eq!(apply_transactional(first), Ok(Ok(())), "{guard}: Bob's first transaction");

		// The hand-built encoding the oversize-argument case signs, checked on a valid call.
		let charlie = &world.actors[2];
		let remark = remark_call(b"hand-built".to_vec());
		let bytes = encode_signed_raw(&remark.encode(), &charlie.pair, 0);
		let decoded = <UncheckedExtrinsic as DecodeLimit>::decode_all_with_depth_limit(
			EXECUTIVE_DECODE_DEPTH,
			&mut &bytes[..],
		)
		.expect("the hand-built encoding of a valid signed extrinsic decodes");
		assert_eq!(decoded.function, remark);
		assert_eq!(
			apply_transactional(decoded),
			Ok(Ok(())),
			"{guard}: the hand-built signed extrinsic applies"
		);

		let mut g = Gen { rng: &mut rng, world: &world, memo: &mut memo };
		for (i, case) in BadInput::ALL.into_iter().enumerate() {
			guard.extrinsic = Some(i + 2);
			let outcome = bad_input(case, &mut g, &guard)
				.unwrap_or_else(|| panic!("{guard}: no actor can send {case:?} at genesis"));
			println!("bad input {case:?}: {outcome}");
		}
		guard.extrinsic = None;
		end_block(block, &mut memo, &guard);
	});
}
