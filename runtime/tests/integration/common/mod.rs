//! Helpers shared by the runtime's integration tests: genesis from a preset, signed extrinsics,
//! and block production through `frame_executive`.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use airtime_runtime::{
	AccountId, Balance, Block, Executive, Header, RuntimeCall, RuntimeGenesisConfig, SignedPayload,
	UncheckedExtrinsic, SLOT_DURATION,
};
use codec::Encode;
use frame_support::genesis_builder_helper::build_state;
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{
	generic::{Digest, DigestItem, Era},
	traits::{Block as BlockT, Header as HeaderT},
};

/// Recursively merges `patch` into `base`, as the node does when it builds a chain spec from a
/// preset (objects merge key by key, anything else is replaced).
pub fn json_merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				json_merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The full genesis config JSON of a runtime preset (default config merged with the patch).
pub fn preset_config(preset: &str) -> serde_json::Value {
	let patch = airtime_runtime::genesis_config_presets::get_preset(&preset.into())
		.unwrap_or_else(|| panic!("preset {preset} is missing"));
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	json_merge(&mut config, serde_json::from_slice(&patch).unwrap());
	config
}

/// Externalities holding the genesis state of `preset`, built through the runtime's genesis
/// builder (`build_state`), exactly as the `GenesisBuilder` runtime API does.
pub fn new_ext(preset: &str) -> sp_io::TestExternalities {
	let config = preset_config(preset);
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&config).unwrap()).unwrap();
	});
	ext
}

/// A signed, immortal extrinsic of `call` from `signer` with `nonce`, built like a wallet does.
/// Must run inside externalities (the genesis hash is read from state).
pub fn signed(
	call: RuntimeCall,
	signer: &sr25519::Pair,
	nonce: u32,
	tip: Balance,
) -> UncheckedExtrinsic {
	let tx_ext = airtime_runtime::tx_extension(nonce, Era::Immortal, tip);
	let payload = SignedPayload::new(call, tx_ext).expect("valid extensions");
	sign_payload(payload, signer, signer.public().into())
}

/// The extrinsic of `payload` signed by `signer` and claimed to come from `who` (the two differ
/// only when a test forges a signature).
pub fn sign_payload(
	payload: SignedPayload,
	signer: &sr25519::Pair,
	who: AccountId,
) -> UncheckedExtrinsic {
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	let (call, tx_ext, _) = payload.deconstruct();
	UncheckedExtrinsic::new_signed(call, who.into(), signature.into(), tx_ext)
}

/// Applies `xt` as a block author does: in a storage transaction, rolled back when it is refused
/// (so neither the nonce `CheckNonce` raised nor the length `frame_executive` noted remain).
pub fn apply_transactional(xt: UncheckedExtrinsic) -> sp_runtime::ApplyExtrinsicResult {
	sp_io::storage::start_transaction();
	let result = Executive::apply_extrinsic(xt);
	if result.is_ok() {
		sp_io::storage::commit_transaction();
	} else {
		sp_io::storage::rollback_transaction();
	}
	result
}

/// The header digest an Aura author puts in a block of `slot`.
pub fn aura_digest(slot: u64) -> Digest {
	Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())] }
}

/// Builds block `number` on `parent_hash` in the given Aura `slot`: the timestamp inherent plus
/// `extrinsics` (those that fail validity are left out). Returns the block and each extrinsic's
/// apply result.
pub fn build_block(
	parent_hash: H256,
	number: u32,
	slot: u64,
	extrinsics: Vec<UncheckedExtrinsic>,
) -> (Block, Vec<sp_runtime::ApplyExtrinsicResult>) {
	let header = Header::new(number, H256::zero(), H256::zero(), parent_hash, aura_digest(slot));
	Executive::initialize_block(&header);

	let timestamp =
		UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
			now: slot * SLOT_DURATION,
		}));
	let mut applied = Vec::new();
	Executive::apply_extrinsic(timestamp.clone()).unwrap().unwrap();
	let mut included = vec![timestamp];
	for xt in extrinsics {
		let result = Executive::apply_extrinsic(xt.clone());
		if result.is_ok() {
			included.push(xt);
		}
		applied.push(result);
	}
	let header = Executive::finalize_block();
	(Block::new(header, included), applied)
}

/// The slot of the first block of a test chain: any slot works, as long as it increases.
pub const FIRST_SLOT: u64 = 1_000;

/// Builds `n` empty blocks after the current one (hooks, the scheduler and referenda alarms run
/// as on a real chain).
pub fn advance(n: u32) {
	use airtime_runtime::System;
	for _ in 0..n {
		let number = System::block_number() + 1;
		let parent = System::parent_hash();
		build_block(parent, number, FIRST_SLOT + u64::from(number), vec![]);
	}
}

/// `who` registers as an int8 GEMM provider (1,000 units at most) at 1 milli-AIR per unit, with
/// the minimum stake.
pub fn register_int8_provider(who: &AccountId) {
	use airtime_runtime::{Compute, Runtime, RuntimeOrigin, AIR};
	use frame_support::{traits::Get, BoundedVec};
	use pallet_compute::{Capabilities, ExecutorCapability, ExecutorKind, ExecutorPrice};
	let min_stake: Balance = <Runtime as pallet_compute::Config>::MinProviderStake::get();
	frame_support::assert_ok!(Compute::register_provider(
		RuntimeOrigin::signed(who.clone()),
		Capabilities {
			gpu_model: BoundedVec::truncate_from(b"NVIDIA H100".to_vec()),
			vram_mib: 81_920,
			devices: 1,
			executors: BoundedVec::truncate_from(vec![ExecutorCapability {
				kind: ExecutorKind::GemmInt8,
				max_units: 1_000,
			}]),
		},
		BoundedVec::truncate_from(vec![ExecutorPrice {
			kind: ExecutorKind::GemmInt8,
			price_per_unit: AIR / 1_000,
		}]),
		min_stake,
	));
}

/// A small int8 GEMM job spec: one input, 100 units, 1 KiB of output, reading `datasets`.
pub fn int8_job_spec(datasets: Vec<u64>) -> pallet_compute::JobSpec<airtime_runtime::Runtime> {
	use frame_support::BoundedVec;
	pallet_compute::JobSpec {
		kind: pallet_compute::ExecutorKind::GemmInt8,
		inputs: BoundedVec::truncate_from(vec![H256::repeat_byte(3)]),
		datasets: BoundedVec::truncate_from(datasets),
		params: BoundedVec::new(),
		max_units: 100,
		output_size: 1_024,
		min_reputation: sp_runtime::Permill::zero(),
	}
}
