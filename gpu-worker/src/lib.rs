//! # airtime-worker
//!
//! Airtime's off-chain worker, in two roles:
//!
//! - **Compute provider** (pallet-compute): `airtime-worker register` puts the provider's stake,
//!   device and prices on chain; `airtime-worker run` follows finalized blocks, takes jobs its
//!   device can hold, fetches their inputs by hash, runs them on the GPU (cudarc: cuBLAS and
//!   NVRTC kernels) or the CPU (blocked, multi-threaded), stores the output, attests its hash,
//!   serves it to the job's owner, and verifies other providers' results when drawn for a
//!   dispute. See [`jobs`] for the life of a job and its crash safety, [`exec`] for which
//!   results are bit-exact and which are checked with a tolerance.
//! - **Metered service** (pallet-credits, "AI minutes"): serves MLP inference over HTTP paid per
//!   call by cumulative payment-channel vouchers, kept durably and redeemed on chain; and the
//!   callers' client.
//!
//! Modules:
//! - [`exec`]: the `Executor` trait, job parameters and formats, `run_job`; [`exec::cpu`] and
//!   [`exec::cuda`] backends.
//! - [`freivalds`]: probabilistic verification of GEMM results.
//! - [`fixtures`]: shared test vectors (inputs and pinned output hashes) for every backend.
//! - [`store`]: the content-addressed store, input fetching, and output serving.
//! - [`jobs`]: the job runner (accept, execute, attest, verify) and its journal records.
//! - [`provider`]: the `register`, `run`, `status` and `unregister` commands.
//! - [`config`]: the TOML configuration.
//! - [`mlp`]: the fixed-point model (bit-exact on every machine).
//! - [`metering`]: which vouchers pay for a call (pure rules, unit-tested).
//! - [`journal`]: durable append-only journals (vouchers, jobs), synced before acting.
//! - [`chain`]: subxt, statically generated from `artifacts/metadata.scale`; reads at finalized
//!   blocks; reconnects with backoff.
//! - [`signer`]: the one task that signs, with explicit nonces, mortal transactions and bounded
//!   retries.
//! - [`service`]: the metered HTTP service, the finalized-block follower and the redeemer.
//! - [`client`]: the callers' voucher signer and HTTP client.
//! - [`metrics`]: the Prometheus metrics.

pub mod chain;
pub mod client;
pub mod config;
pub mod exec;
pub mod fixtures;
pub mod freivalds;
pub mod jobs;
pub mod journal;
pub mod metering;
pub mod metrics;
pub mod mlp;
pub mod provider;
pub mod service;
pub mod signer;
pub mod store;

/// Logs to stderr through `tracing`, filtered by `RUST_LOG` (default `info`): the worker's and
/// the load generator's binaries start with it.
pub fn init_tracing() {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.with_writer(std::io::stderr)
		.init();
}

pub use airtime_primitives::{AccountId, Balance, BlockNumber, AIR, TOKEN_DECIMALS, TOKEN_SYMBOL};

/// Renders a planck amount as a human AIR string with all 12 decimals, e.g. `1.500000000000 AIR`.
pub fn format_air(amount: Balance) -> String {
	let whole = amount / AIR;
	let frac = amount % AIR;
	format!("{whole}.{frac:0width$} {TOKEN_SYMBOL}", width = usize::from(TOKEN_DECIMALS))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn formats_whole_and_fractional_air() {
		assert_eq!(format_air(0), "0.000000000000 AIR");
		assert_eq!(format_air(AIR + AIR / 2), "1.500000000000 AIR");
		assert_eq!(format_air(7), "0.000000000007 AIR");
	}
}
