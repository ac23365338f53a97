//! Builds the runtime's wasm (`WASM_BINARY`). With the `fast-runtime` feature it also builds the
//! `upgrade-test` wasm (same code, `spec_version` one higher, file
//! `upgrade_test_wasm_binary.rs.compact.compressed.wasm` next to the main one under
//! `<target>/release/wbuild/airtime-runtime/`) for the end-to-end runtime-upgrade referendum,
//! so the tests need no second cargo invocation with other features.

#[cfg(feature = "std")]
fn main() {
	#[cfg(feature = "metadata-hash")]
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("AIR", 12)
		.build();
	#[cfg(not(feature = "metadata-hash"))]
	substrate_wasm_builder::WasmBuilder::build_using_defaults();

	#[cfg(all(feature = "fast-runtime", not(feature = "upgrade-test")))]
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_feature("upgrade-test")
		.set_file_name("upgrade_test_wasm_binary.rs")
		.build();
}

/// The wasm builder is deactivated when compiling
/// this crate for wasm to speed up the compilation.
#[cfg(not(feature = "std"))]
fn main() {}
