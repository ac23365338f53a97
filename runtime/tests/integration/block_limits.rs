//! Block limits against the heaviest calls. For each custom pallet (Compute, DataMarket, Credits,
//! Staking; Governance has no calls of its own, only origins) the dispatchable with the largest
//! declared weight, at its worst-case parameters and largest encoding, is signed (fee-paying) and
//! applied through `frame_executive` into one block, as an author does (each in a storage
//! transaction, rolled back when refused), until the block refuses one with `ExhaustsResources`.
//! Every such block:
//! - takes at least one: the call fits a block at all (below the normal class's `max_extrinsic`);
//! - stays within `RuntimeBlockWeights` (the normal class's `max_total` and `max_block`, ref time
//!   and proof size) and the normal class's `RuntimeBlockLength` (`System::block_size`, header
//!   overhead included);
//! - books exactly its declared ref time per extrinsic (call and extensions, plus the base
//!   extrinsic weight; nothing reclaimed), and holds the number of them that this weight (with
//!   the length as proof size) and the length predict, ±1;
//! - finalizes, and imports: `Executive::execute_block` on a fresh copy of the pre-state accepts
//!   it (state root, extrinsics root, digest).
//!
//! `the_filled_calls_are_the_heaviest_of_their_pallets` lists every dispatchable of the four
//! pallets (checked against their call-name lists) and checks the choice, so re-benchmarked
//! weights that change the order fail there. Where the heaviest call can succeed a block's worth
//! of times it does (Compute's `claim_expired` on due jobs, Credits' `cooperative_close` with a
//! voucher of whichever signature scheme declares more); where it cannot (DataMarket's `resolve_dispute` needs Root or `MarketAdmin`,
//! Staking's `payout_stakers` pays each page once) it fails after being charged, which weighs
//! the same. The heaviest calls that do succeed repeatedly are rows too (`list_dataset` with the
//! most parents, `nominate` with the most targets), and so are a block of
//! `balances.transfer_keep_alive` for reference and `system.remark` blocks that hit the length
//! limit first, one of them a single remark that fills the normal class's length to the byte.
//! Each row prints the call, its declared weight and length, how many fit and which limit bound
//! it (`-- --nocapture`).
//!
//! Proof size is not limited on this solochain: `RuntimeBlockWeights` gives `max_block` a proof
//! size of `u64::MAX`, so the proof-size checks hold by construction; the rows print the proof
//! size a full block declares, for the record.

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::arithmetic_side_effects,
	clippy::indexing_slicing
)]

use crate::common::{advance, apply_transactional, aura_digest, new_ext, signed, FIRST_SLOT};
use airtime_primitives::{
	compute::JobId,
	credits::{SignedVoucher, Voucher},
	data::{ClaimKind, License},
};
use airtime_runtime::{
	AccountId, Balance, Balances, Block, BlockNumber, Compute, Credits, DataMarket, Executive,
	Header, Runtime, RuntimeCall, RuntimeOrigin, Staking, System, UncheckedExtrinsic, AIR,
	SLOT_DURATION,
};
use codec::Encode;
use core::cmp::Reverse;
use frame_support::{
	assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::{Get, GetCallName},
	weights::Weight,
	BoundedVec,
};
use pallet_compute::{Capabilities, ExecutorCapability, ExecutorKind, ExecutorPrice, JobSpec};
use pallet_session::ShouldEndSession;
use sp_core::{ecdsa, sr25519, Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{Header as HeaderT, IdentifyAccount},
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	ApplyExtrinsicResult, DispatchError, MultiSignature, MultiSigner, Perbill, Permill,
};

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;

/// A credits service's price per call.
const PRICE: Balance = AIR / 1_000;

const FULL: ApplyExtrinsicResult =
	Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources));

// ------------------------------------------------------------------------------------------------
// Limits
// ------------------------------------------------------------------------------------------------

fn block_weights() -> frame_system::limits::BlockWeights {
	<Runtime as frame_system::Config>::BlockWeights::get()
}

/// The runtime's limits build from the measured base weights (its fallback never serves), and
/// keep two seconds of compute, three quarters for normal extrinsics.
#[test]
fn the_block_weights_build() {
	use airtime_runtime::{
		configs::system::{try_block_weights, MAXIMUM_BLOCK_WEIGHT},
		weights::{block_weights::BlockExecutionWeight, extrinsic_weights::ExtrinsicBaseWeight},
	};
	let built = try_block_weights().expect("the block weights are valid");
	assert_eq!(built.encode(), block_weights().encode());
	assert_eq!(built.base_block, BlockExecutionWeight::get());
	assert_eq!(built.max_block, MAXIMUM_BLOCK_WEIGHT);
	for class in [DispatchClass::Normal, DispatchClass::Operational, DispatchClass::Mandatory] {
		assert_eq!(built.get(class).base_extrinsic, ExtrinsicBaseWeight::get());
	}
	assert_eq!(normal_max_total().ref_time(), MAXIMUM_BLOCK_WEIGHT.ref_time() / 4 * 3);
}

/// The normal class's `max_total`: what signed transactions may book in one block.
fn normal_max_total() -> Weight {
	block_weights().get(DispatchClass::Normal).max_total.expect("the normal class is limited")
}

/// The normal class's length limit, which `CheckWeight` compares the whole block size with.
fn normal_length_limit() -> u32 {
	*<Runtime as frame_system::Config>::BlockLength::get().max.get(DispatchClass::Normal)
}

fn ms(w: Weight) -> f64 {
	w.ref_time() as f64 / 1e9
}

/// How many `each` fit in `room`, and which dimension runs out first.
fn how_many(room: Weight, each: Weight) -> (u64, &'static str) {
	let by_ref = room.ref_time().checked_div(each.ref_time()).unwrap_or(u64::MAX);
	let by_proof = room.proof_size().checked_div(each.proof_size()).unwrap_or(u64::MAX);
	if by_ref <= by_proof {
		(by_ref, "ref time")
	} else {
		(by_proof, "proof size")
	}
}

// ------------------------------------------------------------------------------------------------
// Signing and blocks
// ------------------------------------------------------------------------------------------------

/// The keys of the twelve endowed dev accounts (Alice to Ferdie and their stashes).
fn dev_pairs() -> Vec<sr25519::Pair> {
	Sr25519Keyring::iter()
		.filter(|k| *k != Sr25519Keyring::One && *k != Sr25519Keyring::Two)
		.map(|k| k.pair())
		.collect()
}

/// `call` signed by `pair` with its account's current nonce (earlier extrinsics of the same block
/// from the same account have already raised it).
fn sign_next(call: RuntimeCall, pair: &sr25519::Pair) -> UncheckedExtrinsic {
	let who = AccountId::from(pair.public());
	signed(call, pair, System::account_nonce(&who), 0)
}

/// Initializes the next block and applies its timestamp inherent; returns the inherent.
fn begin_block() -> UncheckedExtrinsic {
	let number = System::block_number() + 1;
	let slot = FIRST_SLOT + u64::from(number);
	let header =
		Header::new(number, H256::zero(), H256::zero(), System::parent_hash(), aura_digest(slot));
	let _mode = Executive::initialize_block(&header);
	let timestamp =
		UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
			now: slot * SLOT_DURATION,
		}));
	assert_eq!(Executive::apply_extrinsic(timestamp.clone()), Ok(Ok(())), "the timestamp");
	// What the first signed extrinsic would do, done here so that a refused one leaves nothing.
	Executive::inherents_applied();
	timestamp
}

/// Genesis, one empty block, `setup` (direct dispatches), then empty blocks until the next block
/// is not a session rotation: pallet-session books a whole `max_block` of mandatory weight for a
/// rotation, which leaves no room for any normal transaction in that block.
fn prepare<S>(setup: &impl Fn() -> S) -> S {
	advance(1);
	let context = setup();
	while <Runtime as pallet_session::Config>::ShouldEndSession::should_end_session(
		System::block_number() + 1,
	) {
		advance(1);
	}
	context
}

/// What one filled block took and why it stopped.
struct Filled {
	row: String,
	/// One extrinsic's declared weight: its call's and its extensions'.
	declared: Weight,
	/// What `CheckWeight` books for one: `declared`, the base extrinsic weight, the length as
	/// proof size.
	booked: Weight,
	/// Encoded length of the first one.
	len: usize,
	included: u64,
	succeeded: u64,
	first_error: Option<DispatchError>,
	predicted: u64,
	bound: String,
	/// The normal class's consumption, the block's total (before `on_idle`), its size.
	normal: Weight,
	total: Weight,
	size: u32,
}

impl Filled {
	fn failed(&self) -> u64 {
		self.included - self.succeeded
	}

	fn bound_by_weight(&self) -> bool {
		self.bound.contains("weight")
	}

	fn print(&self) {
		let weights = block_weights();
		println!(
			"{:<46} declared {:>7.3} ms {:>6} B proof, booked {:>7.3} ms | {:>7} B | {:>5} per \
			 block (predicted {:>5}) | bound by {} | {} ok, {} failed{}",
			self.row,
			ms(self.declared),
			self.declared.proof_size(),
			ms(self.booked),
			self.len,
			self.included,
			self.predicted,
			self.bound,
			self.succeeded,
			self.failed(),
			self.first_error.as_ref().map(|e| format!(" ({e:?})")).unwrap_or_default(),
		);
		println!(
			"{:<46} block: normal {:.1}/{:.1} ms, total {:.1}/{:.1} ms, proof {} B, \
			 length {}/{} B",
			"",
			ms(self.normal),
			ms(normal_max_total()),
			ms(self.total),
			ms(weights.max_block),
			self.total.proof_size(),
			self.size,
			normal_length_limit(),
		);
	}
}

/// Fills the next block with `next(0)`, `next(1)`, … until one is refused with
/// `ExhaustsResources`, checks the block against the limits, finalizes it and returns it.
fn fill_block(row: &str, mut next: impl FnMut(u32) -> UncheckedExtrinsic) -> (Block, Filled) {
	let mut included = vec![begin_block()];
	let weights = block_weights();
	let normal_limits = weights.get(DispatchClass::Normal);
	let normal_max = normal_max_total();
	let length_limit = normal_length_limit();
	let before = System::block_weight();
	let normal_before = *before.get(DispatchClass::Normal);
	let size_before = System::block_size();

	// The prediction, from the first extrinsic's declared weight and length.
	let first = next(0);
	let info = first.get_dispatch_info();
	assert_eq!(info.class, DispatchClass::Normal, "{row}: a normal transaction");
	let declared = info.total_weight();
	let len = first.encoded_size();
	let as_proof = Weight::from_parts(0, len as u64);
	let booked = declared.saturating_add(normal_limits.base_extrinsic).saturating_add(as_proof);
	let (by_class, class_dim) = how_many(normal_max.saturating_sub(normal_before), booked);
	let (by_block, block_dim) = how_many(weights.max_block.saturating_sub(before.total()), booked);
	let by_length = u64::from(length_limit.saturating_sub(size_before)) / len as u64;
	let (predicted, bound) = if declared
		.saturating_add(as_proof)
		.any_gt(normal_limits.max_extrinsic.unwrap_or(Weight::MAX))
	{
		(0, "max_extrinsic".to_string())
	} else {
		[
			(by_class, format!("normal-class weight ({class_dim})")),
			(by_block, format!("block weight ({block_dim})")),
			(by_length, "normal-class length".to_string()),
		]
		.into_iter()
		.min_by_key(|(n, _)| *n)
		.unwrap()
	};

	let (mut succeeded, mut first_error) = (0u64, None);
	let mut pending = Some(first);
	let mut i = 0u32;
	loop {
		let xt = pending.take().unwrap_or_else(|| next(i));
		assert_eq!(
			xt.get_dispatch_info().total_weight(),
			declared,
			"{row}: extrinsic {i} declares another weight than the first"
		);
		match apply_transactional(xt.clone()) {
			Ok(Ok(())) => succeeded += 1,
			Ok(Err(e)) => {
				first_error.get_or_insert(e);
			},
			Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources)) => break,
			Err(e) => panic!("{row}: extrinsic {i} is refused, not for a full block: {e:?}"),
		}
		included.push(xt);
		i += 1;
		assert!(
			u64::from(i) <= predicted + 2,
			"{row}: {i} extrinsics in and the block is not full (predicted {predicted})"
		);
	}

	let n = u64::from(i);
	let consumed = System::block_weight();
	let normal = *consumed.get(DispatchClass::Normal);
	let size = System::block_size();
	assert!(n >= 1, "{row}: not even one fits in a block ({info:?}, {len} bytes)");
	assert!(normal.all_lte(normal_max), "{row}: normal class {normal:?} above {normal_max:?}");
	assert!(
		consumed.total().all_lte(weights.max_block),
		"{row}: the block weighs {:?}, above max_block {:?}",
		consumed.total(),
		weights.max_block
	);
	assert!(size <= length_limit, "{row}: {size} bytes, above the normal limit {length_limit}");
	assert_eq!(
		normal.saturating_sub(normal_before).ref_time(),
		n * booked.ref_time(),
		"{row}: each extrinsic books its declared weight plus the base weight, no more, no less"
	);
	assert!(
		n.abs_diff(predicted) <= 1,
		"{row}: {n} fit, the declared weight and length predict {predicted} ({bound})"
	);

	let header = Executive::finalize_block();
	let after = System::block_weight().total();
	assert!(
		after.all_lte(weights.max_block),
		"{row}: with on_idle and on_finalize the block weighs {after:?}, above max_block"
	);
	let filled = Filled {
		row: row.to_string(),
		declared,
		booked,
		len,
		included: n,
		succeeded,
		first_error,
		predicted,
		bound,
		normal,
		total: consumed.total(),
		size,
	};
	(Block { header, extrinsics: included }, filled)
}

/// Builds a full block of `make`'s extrinsics on the dev genesis prepared by `setup`, then
/// imports it on a second, identically prepared copy. Prints and returns the row.
fn run_row<S>(
	row: &str,
	setup: impl Fn() -> S,
	mut make: impl FnMut(&S, u32) -> UncheckedExtrinsic,
) -> Filled {
	let (block, filled) = new_ext(DEV).execute_with(|| {
		let context = prepare(&setup);
		fill_block(row, |i| make(&context, i))
	});
	new_ext(DEV).execute_with(|| {
		prepare(&setup);
		Executive::execute_block(block.into());
	});
	filled.print();
	filled
}

// ------------------------------------------------------------------------------------------------
// Every dispatchable of each custom pallet, at its largest encoding
// ------------------------------------------------------------------------------------------------

/// A bounded vector at its bound, item `i` being `item(i)`.
fn full<T, S: Get<u32>>(item: impl Fn(u32) -> T) -> BoundedVec<T, S> {
	BoundedVec::truncate_from((0..S::get()).map(item).collect())
}

fn account(i: u32) -> AccountId {
	let mut raw = [0xa1; 32];
	raw[..4].copy_from_slice(&i.to_le_bytes());
	AccountId::new(raw)
}

/// A voucher signed under `scheme`'s signature kind (the bytes are not a valid signature).
fn voucher_of(scheme: Scheme) -> pallet_credits::SignedVoucherOf<Runtime> {
	let signature = match scheme {
		Scheme::Ecdsa => MultiSignature::from(ecdsa::Signature::from_raw([0xab; 65])),
		Scheme::Sr25519 => MultiSignature::from(sr25519::Signature::from_raw([0xab; 64])),
	};
	SignedVoucher {
		voucher: Voucher {
			genesis: H256::repeat_byte(0xab),
			channel: u64::MAX,
			channel_nonce: u32::MAX,
			total: Balance::MAX,
		},
		signature,
	}
}

/// The two ways of checking a voucher's signature, which are benchmarked apart: recovering the
/// key (ecdsa) and verifying against it (sr25519; ed25519 is weighed the same).
#[derive(Clone, Copy, Debug)]
enum Scheme {
	Ecdsa,
	Sr25519,
}

/// The scheme whose vouchers make `cooperative_close` (and `redeem`) declare the most: which one
/// depends on the benchmark run, so the heaviest-call rows take whichever it is.
fn costliest_scheme() -> Scheme {
	let weight =
		|s| pallet_credits::Pallet::<Runtime>::cooperative_close_weight(Some(&voucher_of(s)));
	if weight(Scheme::Ecdsa).ref_time() >= weight(Scheme::Sr25519).ref_time() {
		Scheme::Ecdsa
	} else {
		Scheme::Sr25519
	}
}

fn job_spec() -> JobSpec<Runtime> {
	JobSpec::<Runtime> {
		kind: ExecutorKind::GemmInt8,
		inputs: full(|_| H256::repeat_byte(3)),
		datasets: full(u64::from),
		params: full(|_| 0xab),
		max_units: u64::MAX,
		output_size: 1 << 30,
		min_reputation: Permill::one(),
	}
}

fn compute_calls() -> Vec<pallet_compute::Call<Runtime>> {
	type C = pallet_compute::Call<Runtime>;
	let capabilities = || Capabilities::<Runtime> {
		gpu_model: full(|_| b'x'),
		vram_mib: u32::MAX,
		devices: u16::MAX,
		executors: BoundedVec::truncate_from(vec![ExecutorCapability {
			kind: ExecutorKind::GemmInt8,
			max_units: u64::MAX,
		}]),
	};
	let prices = || {
		BoundedVec::truncate_from(vec![ExecutorPrice::<Runtime> {
			kind: ExecutorKind::GemmInt8,
			price_per_unit: AIR,
		}])
	};
	let (job, h, salt) = (JobId::MAX, H256::repeat_byte(0xab), [0xcd; 32]);
	vec![
		C::register_provider { capabilities: capabilities(), prices: prices(), stake: AIR },
		C::update_provider { capabilities: capabilities(), prices: prices() },
		C::pause_provider {},
		C::resume_provider {},
		C::increase_stake { amount: AIR },
		C::unregister_provider {},
		C::withdraw_provider {},
		C::submit_job { spec: job_spec(), budget: AIR, deadline: BlockNumber::MAX, redundancy: 5 },
		C::cancel_job { job },
		C::top_up_job { job, amount: AIR },
		C::accept_job { job },
		C::assign { job, provider: account(0) },
		C::submit_attestation { job, output_hash: h, usage: u64::MAX },
		C::commit_attestation { job, commitment: h },
		C::reveal_attestation { job, output_hash: h, usage: u64::MAX, salt },
		C::report_failure { job },
		C::challenge { job, claimed_output_hash: h, bond: AIR },
		C::commit_vote { job, commitment: h },
		C::reveal_vote { job, output_hash: h, salt },
		C::set_matching { min_lead: Some(BlockNumber::MAX) },
		C::claim_expired { job },
	]
}

/// `list_dataset` under a custom licence (so with a licence URI) naming `parents`.
fn list_dataset(parents: Vec<u64>) -> pallet_data_market::Call<Runtime> {
	pallet_data_market::Call::<Runtime>::list_dataset {
		root_hash: H256::repeat_byte(0xab),
		size: 1 << 40,
		chunk_count: 1 << 20,
		license: License::Custom,
		license_uri: Some(H256::repeat_byte(0xcd)),
		price: AIR,
		royalty: AIR / 10,
		metadata_hash: H256::repeat_byte(0xef),
		parents: BoundedVec::truncate_from(parents),
	}
}

fn data_market_calls() -> Vec<pallet_data_market::Call<Runtime>> {
	type D = pallet_data_market::Call<Runtime>;
	let max_parents: u32 = <Runtime as pallet_data_market::Config>::MaxParents::get();
	let max_sealed: u32 = <Runtime as pallet_data_market::Config>::MaxSealedKeyLen::get();
	let (dataset, purchase, job) = (u64::MAX, u64::MAX, JobId::MAX);
	let (h, kind) = (H256::repeat_byte(0xab), ClaimKind::Schema);
	vec![
		list_dataset((0..u64::from(max_parents)).collect()),
		D::update_price { dataset, price: AIR, royalty: AIR },
		D::delist { dataset },
		D::relist { dataset },
		D::set_agent { dataset, agent: Some(account(0)) },
		D::set_delivery_key { key: [0xab; 32] },
		D::clear_delivery_key {},
		D::buy_access { dataset, max_price: AIR },
		D::deliver_key {
			purchase,
			sealed_key: BoundedVec::truncate_from(vec![0xab; max_sealed as usize]),
		},
		D::reclaim { purchase },
		D::dispute { purchase, bond: AIR },
		D::resolve_dispute { purchase, buyer_won: true },
		D::complete_sale { purchase },
		D::relinquish_access { dataset },
		D::submit_claim { dataset, kind, stake: AIR },
		D::counter_claim { dataset, kind, bond: AIR },
		D::conclude_claim { dataset, kind },
		D::resolve_claim { dataset, kind, upheld: true },
		D::register_derived {
			job,
			root_hash: h,
			size: 1 << 40,
			chunk_count: 1 << 20,
			license: License::Custom,
			license_uri: Some(h),
			price: AIR,
			royalty: AIR,
			metadata_hash: h,
		},
		D::release_job_record { job },
	]
}

fn credits_calls() -> Vec<pallet_credits::Call<Runtime>> {
	type K = pallet_credits::Call<Runtime>;
	let (service, channel, h, never) = (u64::MAX, u64::MAX, H256::repeat_byte(0xab), u32::MAX);
	vec![
		K::register_service {
			metadata_hash: h,
			endpoint_hash: h,
			price_per_call: AIR,
			tier_required: u8::MAX,
		},
		K::set_service_price { service, price_per_call: AIR },
		K::retire_service { service },
		K::open_channel { service, amount: AIR, expiry: never },
		K::open_channel_for { owner: account(0), service, amount: AIR, expiry: never },
		K::top_up { channel, amount: AIR },
		K::extend_channel { channel, expiry: never },
		K::redeem { channel, voucher: voucher_of(costliest_scheme()) },
		K::request_close { channel },
		K::cooperative_close { channel, voucher: Some(voucher_of(costliest_scheme())) },
		K::close { channel },
		K::set_budget { limit: AIR, period: never },
		K::clear_budget {},
		K::approve { delegate: account(0), amount: AIR, expires: never, max_channels: u32::MAX },
		K::revoke { delegate: account(0) },
		K::lock_for_tier { amount: AIR },
		K::unlock_tier { amount: AIR },
		K::withdraw_tier {},
		K::set_tiers {
			tiers: full(|i| pallet_credits::TierDefinition {
				name: full(|_| b'x'),
				threshold: AIR * Balance::from(i + 1),
			}),
		},
	]
}

fn staking_calls() -> Vec<pallet_staking::Call<Runtime>> {
	type S = pallet_staking::Call<Runtime>;
	let provider = account(0);
	vec![
		S::bond { value: AIR },
		S::bond_extra { max_additional: AIR },
		S::unbond { value: AIR },
		S::withdraw_unbonded {},
		S::rebond { value: AIR },
		S::validate { commission: Perbill::one() },
		S::nominate { targets: full(account) },
		S::chill {},
		S::payout_stakers { validator: account(0), era: u32::MAX, page: u32::MAX },
		S::cancel_deferred_slash { era: u32::MAX, slash_indices: full(|i| i) },
		S::set_validator_count { count: u32::MAX },
		S::set_invulnerables { invulnerables: full(account) },
		S::open_pool { income_share: Perbill::one() },
		S::set_pool_share { income_share: Perbill::one() },
		S::delegate { provider: provider.clone(), amount: AIR },
		S::undelegate { provider: provider.clone(), points: AIR },
		S::withdraw_delegation { provider: provider.clone() },
		S::claim_pool_rewards { provider },
		S::close_pool {},
		S::cancel_deferred_pool_slash { era: u32::MAX, slash_indices: full(|i| i) },
	]
}

/// Checks that `calls` holds every dispatchable of the pallet once and that `expected` declares
/// the most weight (ref time, then proof size); prints the three heaviest.
fn check_heaviest<C: GetDispatchInfo + GetCallName>(pallet: &str, calls: Vec<C>, expected: &str) {
	let mut listed: Vec<&str> = calls.iter().map(GetCallName::get_call_name).collect();
	listed.sort_unstable();
	let mut all = C::get_call_names().to_vec();
	all.sort_unstable();
	assert_eq!(listed, all, "{pallet}: the list must hold every dispatchable once");

	let mut ranked: Vec<(&str, Weight)> =
		calls.iter().map(|c| (c.get_call_name(), c.get_dispatch_info().call_weight)).collect();
	ranked.sort_by_key(|(_, w)| Reverse((w.ref_time(), w.proof_size())));
	for (name, w) in ranked.iter().take(3) {
		println!("{pallet:<10} {name:<22} {:>8.3} ms {:>7} B proof", ms(*w), w.proof_size());
	}
	assert_eq!(
		ranked[0].0, expected,
		"{pallet}: {} is now the heaviest dispatchable; fill its block with it instead",
		ranked[0].0
	);
}

#[test]
fn the_filled_calls_are_the_heaviest_of_their_pallets() {
	new_ext(DEV).execute_with(|| {
		check_heaviest("Compute", compute_calls(), "claim_expired");
		check_heaviest("DataMarket", data_market_calls(), "resolve_dispute");
		check_heaviest("Credits", credits_calls(), "cooperative_close");
		check_heaviest("Staking", staking_calls(), "payout_stakers");
	});
}

// ------------------------------------------------------------------------------------------------
// Reference rows: transfers (weight-bound) and remarks (length-bound)
// ------------------------------------------------------------------------------------------------

fn remark(bytes: usize) -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: vec![0x42; bytes] })
}

/// The longest remark `pair` can add to the current block: its extrinsic fills what is left of
/// the normal class's length. (The overhead is measured on a 1 MiB remark, whose length prefixes
/// have the same width.)
fn longest_remark(pair: &sr25519::Pair) -> usize {
	const PROBE: usize = 1 << 20;
	let overhead = sign_next(remark(PROBE), pair).encoded_size() - PROBE;
	(normal_length_limit() - System::block_size()) as usize - overhead
}

#[test]
fn a_block_of_transfers_is_bound_by_weight() {
	let sink = AccountId::new([0x5e; 32]);
	let filled = run_row("balances.transfer_keep_alive", dev_pairs, |pairs, i| {
		let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: sink.clone().into(),
			value: AIR,
		});
		sign_next(call, &pairs[i as usize % pairs.len()])
	});
	assert!(filled.bound_by_weight(), "{}", filled.bound);
	assert_eq!(filled.failed(), 0);
}

#[test]
fn a_block_of_64_kib_remarks_is_bound_by_length() {
	let filled = run_row("system.remark (64 KiB)", dev_pairs, |pairs, i| {
		sign_next(remark(64 * 1024), &pairs[i as usize % pairs.len()])
	});
	assert_eq!(filled.bound, "normal-class length");
	assert_eq!(filled.failed(), 0);
}

#[test]
fn a_block_takes_one_remark_of_the_largest_size() {
	let mut size = None;
	let filled = run_row("system.remark (largest)", dev_pairs, |pairs, _| {
		let bob = &pairs[1];
		let bytes = *size.get_or_insert_with(|| longest_remark(bob));
		sign_next(remark(bytes), bob)
	});
	assert_eq!(filled.bound, "normal-class length");
	assert_eq!((filled.included, filled.succeeded), (1, 1));
	assert_eq!(filled.size, normal_length_limit(), "the remark fills the block to the byte");
}

/// The length limit to the byte: a remark one byte over what is left is refused (and leaves
/// nothing behind), the one that fills the block exactly is taken, and then not even an empty
/// remark fits.
#[test]
fn a_remark_one_byte_over_the_length_limit_is_refused() {
	new_ext(DEV).execute_with(|| {
		advance(1);
		begin_block();
		let bob = Sr25519Keyring::Bob.pair();
		let bytes = longest_remark(&bob);
		let size = System::block_size();
		assert_eq!(apply_transactional(sign_next(remark(bytes + 1), &bob)), FULL);
		assert_eq!(System::block_size(), size, "the refused remark left nothing");
		let exact = sign_next(remark(bytes), &bob);
		assert_eq!(size + exact.encoded_size() as u32, normal_length_limit());
		assert_eq!(apply_transactional(exact), Ok(Ok(())));
		assert_eq!(System::block_size(), normal_length_limit());
		assert_eq!(apply_transactional(sign_next(remark(0), &bob)), FULL);
		Executive::finalize_block();
	});
}

// ------------------------------------------------------------------------------------------------
// Compute: `claim_expired`, succeeding on due jobs
// ------------------------------------------------------------------------------------------------

/// Signers, and jobs whose deadline has passed, more of them still queued than a block can claim
/// (`on_initialize` settles at most `MaxExpiriesPerBlock` a block; the jobs time out 32 a block).
fn due_jobs() -> (Vec<sr25519::Pair>, Vec<JobId>) {
	let call = RuntimeCall::Compute(pallet_compute::Call::claim_expired { job: 0 });
	let per_block = normal_max_total().ref_time() / call.get_dispatch_info().call_weight.ref_time();
	let count = 3 * (per_block + 32);
	let owner = RuntimeOrigin::signed(Sr25519Keyring::Charlie.to_account_id());
	let min_deadline: BlockNumber = <Runtime as pallet_compute::Config>::MinDeadline::get();
	let first = pallet_compute::NextJobId::<Runtime>::get();
	for k in 0..count {
		let spec = crate::common::int8_job_spec(vec![]);
		let deadline = min_deadline + (k / 32) as BlockNumber;
		assert_ok!(Compute::submit_job(owner.clone(), spec, AIR / 1_000, deadline, 1));
	}
	let jobs: Vec<JobId> = (first..first + count).collect();
	let last = jobs.iter().map(|j| pallet_compute::Jobs::<Runtime>::get(j).unwrap().timeout).max();
	while System::block_number() <= last.unwrap() {
		advance(1);
	}
	let due = jobs.iter().filter(|j| pallet_compute::Jobs::<Runtime>::contains_key(**j)).count();
	assert!(due as u64 > per_block + 16, "{due} due jobs left, a block claims up to {per_block}");
	(dev_pairs(), jobs)
}

#[test]
fn a_block_of_the_heaviest_compute_call_stays_within_the_limits() {
	let mut cursor = 0;
	let filled = run_row("compute.claim_expired (due jobs)", due_jobs, |(pairs, jobs), i| {
		// The next job neither `on_initialize` nor an earlier claim has settled.
		while !pallet_compute::Jobs::<Runtime>::contains_key(jobs[cursor]) {
			cursor += 1;
		}
		let job = jobs[cursor];
		cursor += 1;
		let call = RuntimeCall::Compute(pallet_compute::Call::claim_expired { job });
		sign_next(call, &pairs[i as usize % pairs.len()])
	});
	assert!(filled.bound_by_weight(), "{}", filled.bound);
	assert_eq!(filled.failed(), 0, "every claim settles a due job");
}

// ------------------------------------------------------------------------------------------------
// DataMarket: `resolve_dispute` (origin refused), and `list_dataset` with the most parents
// ------------------------------------------------------------------------------------------------

#[test]
fn a_block_of_the_heaviest_data_market_call_stays_within_the_limits() {
	// Only Root or a `MarketAdmin` referendum resolves a dispute: signed, it is charged its full
	// weight and fails.
	let filled = run_row("data_market.resolve_dispute (signed)", dev_pairs, |pairs, i| {
		let call = RuntimeCall::DataMarket(pallet_data_market::Call::resolve_dispute {
			purchase: u64::from(i),
			buyer_won: true,
		});
		sign_next(call, &pairs[i as usize % pairs.len()])
	});
	assert!(filled.bound_by_weight(), "{}", filled.bound);
	assert_eq!(filled.succeeded, 0);
	assert_eq!(filled.first_error, Some(DispatchError::BadOrigin));
}

/// Signers, and `MaxParents` datasets listed by Bob.
fn parent_datasets() -> (Vec<sr25519::Pair>, Vec<u64>) {
	let max: u32 = <Runtime as pallet_data_market::Config>::MaxParents::get();
	let bob = RuntimeOrigin::signed(Sr25519Keyring::Bob.to_account_id());
	let parents: Vec<u64> = (0..max)
		.map(|i| {
			let id = pallet_data_market::NextDatasetId::<Runtime>::get();
			assert_ok!(DataMarket::list_dataset(
				bob.clone(),
				H256::repeat_byte(i as u8),
				4_096,
				4,
				License::CcBy,
				None,
				AIR,
				AIR / 10,
				H256::repeat_byte(2),
				BoundedVec::new(),
			));
			id
		})
		.collect();
	(dev_pairs(), parents)
}

#[test]
fn a_block_of_listings_with_the_most_parents_stays_within_the_limits() {
	let filled = run_row("data_market.list_dataset (16 parents)", parent_datasets, |c, i| {
		let (pairs, parents) = c;
		let call = RuntimeCall::DataMarket(list_dataset(parents.clone()));
		sign_next(call, &pairs[i as usize % pairs.len()])
	});
	assert!(filled.bound_by_weight(), "{}", filled.bound);
	assert_eq!(filled.failed(), 0, "every listing succeeds");
}

// ------------------------------------------------------------------------------------------------
// Credits: `cooperative_close` with a voucher of the costliest scheme, succeeding
// ------------------------------------------------------------------------------------------------

/// A channel payer and voucher signer of either scheme.
enum Payer {
	Ecdsa(ecdsa::Pair),
	Sr25519(sr25519::Pair),
}

impl Payer {
	fn new(scheme: Scheme) -> Self {
		match scheme {
			Scheme::Ecdsa => Payer::Ecdsa(ecdsa::Pair::from_string("//BlockLimits", None).unwrap()),
			Scheme::Sr25519 => {
				Payer::Sr25519(sr25519::Pair::from_string("//BlockLimits", None).unwrap())
			},
		}
	}

	fn account(&self) -> AccountId {
		match self {
			Payer::Ecdsa(p) => MultiSigner::from(p.public()).into_account(),
			Payer::Sr25519(p) => MultiSigner::from(p.public()).into_account(),
		}
	}

	fn sign(&self, payload: &[u8]) -> MultiSignature {
		match self {
			Payer::Ecdsa(p) => MultiSignature::from(p.sign(payload)),
			Payer::Sr25519(p) => MultiSignature::from(p.sign(payload)),
		}
	}
}

struct OpenChannels {
	/// The service's owner, who closes the channels.
	owner: sr25519::Pair,
	/// The channels' payer and signer, of the scheme whose vouchers cost the most to check.
	payer: Payer,
	ids: Vec<u64>,
}

/// Bob's service, and more channels to it than a block can close, opened by an account of the
/// costliest voucher scheme.
fn open_channels() -> OpenChannels {
	let owner = Sr25519Keyring::Bob;
	let payer = Payer::new(costliest_scheme());
	let payer_id = payer.account();
	assert_ok!(Balances::transfer_keep_alive(
		RuntimeOrigin::signed(Sr25519Keyring::Charlie.to_account_id()),
		payer_id.clone().into(),
		10_000 * AIR
	));
	let service = pallet_credits::NextServiceId::<Runtime>::get();
	assert_ok!(Credits::register_service(
		RuntimeOrigin::signed(owner.to_account_id()),
		H256::repeat_byte(1),
		H256::repeat_byte(2),
		PRICE,
		0
	));
	let close = RuntimeCall::Credits(pallet_credits::Call::cooperative_close {
		channel: 0,
		voucher: Some(voucher_of(costliest_scheme())),
	});
	let count =
		normal_max_total().ref_time() / close.get_dispatch_info().call_weight.ref_time() + 4;
	let expiry = System::block_number() + 100;
	let ids: Vec<u64> = (0..count)
		.map(|_| {
			let id = pallet_credits::NextChannelId::<Runtime>::get();
			assert_ok!(Credits::open_channel(
				RuntimeOrigin::signed(payer_id.clone()),
				service,
				PRICE,
				expiry
			));
			id
		})
		.collect();
	OpenChannels { owner: owner.pair(), payer, ids }
}

#[test]
fn a_block_of_the_heaviest_credits_call_stays_within_the_limits() {
	let row = format!("credits.cooperative_close ({:?} voucher)", costliest_scheme());
	let filled = run_row(&row, open_channels, |c, i| {
		let channel = *c.ids.get(i as usize).expect("more channels than a block closes");
		let voucher = Voucher {
			genesis: Credits::genesis_hash(),
			channel,
			channel_nonce: Credits::channel_view(channel).expect("open").nonce,
			total: PRICE,
		};
		let signature = c.payer.sign(&voucher.signing_payload());
		let call = RuntimeCall::Credits(pallet_credits::Call::cooperative_close {
			channel,
			voucher: Some(SignedVoucher { voucher, signature }),
		});
		sign_next(call, &c.owner)
	});
	assert!(filled.bound_by_weight(), "{}", filled.bound);
	assert_eq!(filled.failed(), 0, "every close redeems its voucher");
}

// ------------------------------------------------------------------------------------------------
// Staking: `payout_stakers` (each page pays once), and `nominate` with the most targets
// ------------------------------------------------------------------------------------------------

#[test]
fn a_block_of_the_heaviest_staking_call_stays_within_the_limits() {
	// Charged for a full page of 64 nominators plus the validator; the active era has not ended,
	// so each one fails after being charged.
	let filled = run_row("staking.payout_stakers (era not ended)", dev_pairs, |pairs, i| {
		let era = pallet_staking::ActiveEra::<Runtime>::get().map(|e| e.index).unwrap_or(0);
		let call = RuntimeCall::Staking(pallet_staking::Call::payout_stakers {
			validator: Sr25519Keyring::Alice.to_account_id(),
			era,
			page: 0,
		});
		sign_next(call, &pairs[i as usize % pairs.len()])
	});
	assert!(filled.bound_by_weight(), "{}", filled.bound);
	assert_eq!(filled.succeeded, 0);
	assert_eq!(
		filled.first_error,
		Some(DispatchError::from(pallet_staking::Error::<Runtime>::EraNotFinished))
	);
}

/// Nominators (the dev accounts but Alice, who validates), each bonded, and `MaxNominations`
/// validator candidates to nominate.
fn candidates() -> (Vec<sr25519::Pair>, Vec<AccountId>) {
	let max: u32 = <Runtime as pallet_staking::Config>::MaxNominations::get();
	let min_validator: Balance = <Runtime as pallet_staking::Config>::MinValidatorBond::get();
	let min_nominator: Balance = <Runtime as pallet_staking::Config>::MinNominatorBond::get();
	let funder = RuntimeOrigin::signed(Sr25519Keyring::Ferdie.to_account_id());
	let targets: Vec<AccountId> = (0..max).map(|i| account(1_000 + i)).collect();
	for t in &targets {
		assert_ok!(Balances::transfer_keep_alive(
			funder.clone(),
			t.clone().into(),
			min_validator + 10 * AIR
		));
		assert_ok!(Staking::bond(RuntimeOrigin::signed(t.clone()), min_validator));
		assert_ok!(Staking::validate(RuntimeOrigin::signed(t.clone()), Perbill::zero()));
	}
	let alice = Sr25519Keyring::Alice.to_account_id();
	let nominators: Vec<sr25519::Pair> =
		dev_pairs().into_iter().filter(|p| AccountId::from(p.public()) != alice).collect();
	for p in &nominators {
		assert_ok!(Staking::bond(RuntimeOrigin::signed(p.public().into()), min_nominator));
	}
	(nominators, targets)
}

#[test]
fn a_block_of_nominations_with_the_most_targets_stays_within_the_limits() {
	let filled = run_row("staking.nominate (16 targets)", candidates, |(pairs, targets), i| {
		let call = RuntimeCall::Staking(pallet_staking::Call::nominate {
			targets: BoundedVec::truncate_from(targets.clone()),
		});
		sign_next(call, &pairs[i as usize % pairs.len()])
	});
	assert!(filled.bound_by_weight(), "{}", filled.bound);
	assert_eq!(filled.failed(), 0, "every nomination succeeds");
}
