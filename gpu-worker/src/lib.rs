//! # airtime-worker
//!
//! Airtime's off-chain worker. This release carries the **metered service** of pallet-credits
//! ("AI minutes"): a provider serves MLP inference over HTTP and is paid per call by cumulative
//! payment-channel vouchers, which it keeps durably and redeems on-chain on a schedule and before
//! each channel's expiry; and the **callers' client**, which opens channels and signs a voucher
//! per call. The compute executors (cudarc GPU and CPU backends for leased jobs) join it with the
//! gpu-worker issue.
//!
//! - [`mlp`]: the fixed-point model (bit-exact on every machine).
//! - [`metering`]: which vouchers pay for a call (pure rules, unit-tested).
//! - [`journal`]: the accepted vouchers on disk, synced before each answer.
//! - [`chain`]: subxt, statically generated from `artifacts/metadata.scale`; reads at finalized
//!   blocks; reconnects with backoff.
//! - [`signer`]: the one task that signs, with explicit nonces.
//! - [`service`]: the HTTP service, the finalized-block follower and the redeemer.
//! - [`client`]: the callers' voucher signer and HTTP client.
//! - [`metrics`]: the Prometheus metrics.

pub mod chain;
pub mod client;
pub mod journal;
pub mod metering;
pub mod metrics;
pub mod mlp;
pub mod service;
pub mod signer;

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
