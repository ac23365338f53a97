//! Tests against the compiled wasm runtime (`WASM_BINARY`), the code the node actually runs:
//! its version matches the native one, its genesis builder accepts the presets, and a block built
//! natively executes in it with the same state root.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::common::{build_block, new_ext, preset_config, signed, FIRST_SLOT};
use airtime_runtime::{Block, Runtime, VERSION, WASM_BINARY};
use codec::{Decode, Encode};
use sc_executor::WasmExecutor;
use sp_core::traits::{CallContext, CodeExecutor, RuntimeCode, WrappedRuntimeCode};
use sp_keyring::Sr25519Keyring;
use sp_version::RuntimeVersion;

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;

struct Wasm {
	executor: WasmExecutor<sp_io::SubstrateHostFunctions>,
	code: WrappedRuntimeCode<'static>,
	hash: Vec<u8>,
}

impl Wasm {
	fn new() -> Self {
		Self::of(WASM_BINARY.expect("the wasm runtime is built with the crate"))
	}

	fn of(wasm: &'static [u8]) -> Self {
		Self {
			executor: WasmExecutor::builder().build(),
			code: WrappedRuntimeCode(wasm.into()),
			hash: sp_io::hashing::blake2_256(wasm).to_vec(),
		}
	}

	/// Calls runtime API `method` with SCALE-encoded `data` on `ext`'s state.
	fn call(&self, ext: &mut sp_io::TestExternalities, method: &str, data: &[u8]) -> Vec<u8> {
		let runtime_code =
			RuntimeCode { code_fetcher: &self.code, heap_pages: None, hash: self.hash.clone() };
		let mut ext = ext.ext();
		let (result, _) = self.executor.call(
			&mut ext,
			&runtime_code,
			method,
			data,
			CallContext::Onchain { import: true },
		);
		result.unwrap_or_else(|e| panic!("{method} failed in wasm: {e}"))
	}
}

#[test]
fn wasm_runtime_version_matches_native() {
	let wasm = Wasm::new();
	let mut ext = sp_io::TestExternalities::default();
	let version =
		RuntimeVersion::decode(&mut &wasm.call(&mut ext, "Core_version", &[])[..]).unwrap();
	assert_eq!(version, VERSION);
}

/// The `upgrade-test` wasm the end-to-end upgrade referendum installs is this runtime with
/// `spec_version` one higher, not a stale copy of the main wasm (both come from one build script).
#[cfg(feature = "fast-runtime")]
#[test]
fn upgrade_test_wasm_is_this_runtime_one_spec_version_up() {
	let wasm =
		Wasm::of(airtime_runtime::upgrade_test::WASM_BINARY.expect("built with fast-runtime"));
	let mut ext = sp_io::TestExternalities::default();
	let version =
		RuntimeVersion::decode(&mut &wasm.call(&mut ext, "Core_version", &[])[..]).unwrap();
	assert_eq!(version.spec_name, VERSION.spec_name);
	assert_eq!(version.spec_version, VERSION.spec_version + 1);
	assert_eq!(version.transaction_version, VERSION.transaction_version);
	// Same code: the metadata (every call, event, storage item and type) is identical but for
	// the `spec_version` inside System's `Version` constant (one little-endian u32), so clients
	// keep decoding across the upgrade.
	let upgraded = wasm.call(&mut ext, "Metadata_metadata", &[]);
	let current = Wasm::new().call(&mut ext, "Metadata_metadata", &[]);
	assert_eq!(upgraded.len(), current.len());
	let differing: Vec<usize> =
		(0..current.len()).filter(|i| upgraded.get(*i) != current.get(*i)).collect();
	assert!(!differing.is_empty(), "the Version constant carries the new spec_version");
	assert!(
		differing.last().unwrap() - differing.first().unwrap() < 4,
		"only the spec_version bytes differ, not {differing:?}"
	);
	assert_ne!(airtime_runtime::upgrade_test::WASM_BINARY, WASM_BINARY, "two distinct blobs");
}

/// Genesis built by the wasm's `GenesisBuilder` equals genesis built natively, and a block
/// with a signed transfer, built natively, imports in the wasm runtime (state root, extrinsics
/// root and digest all checked by `Executive::execute_block` inside the wasm).
#[test]
fn natively_built_transfer_block_executes_in_the_wasm_runtime() {
	let wasm = Wasm::new();
	let config = serde_json::to_vec(&preset_config(DEV)).unwrap();

	let mut wasm_ext = sp_io::TestExternalities::default();
	let built = wasm.call(&mut wasm_ext, "GenesisBuilder_build_state", &config.encode());
	assert_eq!(Result::<(), String>::decode(&mut &built[..]).unwrap(), Ok(()));

	let mut native_ext = new_ext(DEV);
	assert_eq!(
		wasm_ext.as_backend().root(),
		native_ext.as_backend().root(),
		"wasm and native genesis agree"
	);

	let block: Block =
		native_ext.execute_with(|| {
			let genesis = frame_system::Pallet::<Runtime>::block_hash(0);
			let dest = Sr25519Keyring::Ferdie.to_account_id();
			let call = airtime_runtime::RuntimeCall::Balances(
				pallet_balances::Call::transfer_keep_alive { dest: dest.into(), value: 42 },
			);
			let xt = signed(call, &Sr25519Keyring::Bob.pair(), 0, 0);
			let (block, results) = build_block(genesis, 1, FIRST_SLOT, vec![xt]);
			assert_eq!(results, vec![Ok(Ok(()))]);
			block
		});

	wasm.call(&mut wasm_ext, "Core_execute_block", &block.encode());
	assert_eq!(wasm_ext.as_backend().root(), native_ext.as_backend().root());
	assert_eq!(*wasm_ext.as_backend().root(), block.header.state_root);
}
