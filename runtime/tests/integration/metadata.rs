//! The worker's subxt interface is generated from `gpu-worker/artifacts/metadata.scale`: this
//! test fails when the runtime's metadata no longer matches the committed file, so the worker
//! never compiles against a stale interface. Regenerate with
//! `AIRTIME_BLESS_METADATA=1 cargo test --release -p airtime-runtime --features
//! fast-runtime,try-runtime --test integration -- metadata::`.
//!
//! The committed file is the `fast-runtime` runtime's metadata (the one the tests and the e2e run
//! use); constants differ in a production build, which the worker reads from the chain anyway.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "fast-runtime")]
#[test]
fn worker_metadata_is_current() {
	// Governed constants (pallet-parameters) read storage: empty storage gives their compiled-in
	// launch values, which the genesis presets also write.
	let metadata = sp_io::TestExternalities::default()
		.execute_with(|| airtime_runtime::Runtime::metadata_at_version(15))
		.expect("metadata v15");
	let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../gpu-worker/artifacts/metadata.scale");
	if std::env::var_os("AIRTIME_BLESS_METADATA").is_some() {
		std::fs::write(path, &*metadata).expect("write the metadata file");
	}
	let committed = std::fs::read(path).expect("gpu-worker/artifacts/metadata.scale exists");
	assert!(
		committed == *metadata,
		"gpu-worker/artifacts/metadata.scale is out of date: regenerate it with \
		 AIRTIME_BLESS_METADATA=1 cargo test --release -p airtime-runtime \
		 --features fast-runtime,try-runtime --test integration -- metadata::"
	);
}
