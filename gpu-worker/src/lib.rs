//! # airtime-worker
//!
//! The compute provider's off-chain worker: it will register the provider, take leased jobs, run
//! them on the GPU (cudarc) or the CPU, and attest results on-chain (see the gpu-worker issue).
//!
//! The foundation only gives it a place in the workspace, so the workspace's shared types already
//! reach it: this crate compiles against `airtime-primitives` and nothing else yet.

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
