//! # Airtime primitives
//!
//! The types and constants every Airtime crate agrees on: the account, balance, block number and
//! nonce types of the chain, and the AIR token's denomination. The runtime, the node, the custom
//! pallets' glue traits and the off-chain `airtime-worker` all take them from here, so a change
//! happens in one place.
//!
//! ## The AIR token
//!
//! AIR has [`TOKEN_DECIMALS`] = 12 decimals: one AIR is [`AIR`] = 10^12 plancks (the smallest
//! unit). Balances are `u128`, enough for 3.4 * 10^26 AIR.
//!
//! ## Address format
//!
//! Accounts are shown in SS58 with prefix [`SS58_PREFIX`] = 42, the generic Substrate prefix, so
//! dev accounts (`5Grw...` for Alice) look the same in polkadot.js apps, subxt and the node's
//! `key` subcommand. A production network registers its own prefix in the ss58-registry and
//! changes this one constant.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod compute;
pub mod credits;
pub mod data;
pub mod holds;
pub mod staking;

/// Balances cross the RPC as decimal strings: JSON numbers lose precision above 2^53.
#[cfg(feature = "std")]
pub mod balance_string {
	use serde::{Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer, B: core::fmt::Display>(b: &B, s: S) -> Result<S::Ok, S::Error> {
		s.collect_str(b)
	}

	pub fn deserialize<'de, D: Deserializer<'de>, B: core::str::FromStr>(
		d: D,
	) -> Result<B, D::Error> {
		let s = alloc::string::String::deserialize(d)?;
		s.parse().map_err(|_| serde::de::Error::custom("not a decimal balance"))
	}
}

/// Optional balances as decimal strings (see [`balance_string`]).
#[cfg(feature = "std")]
pub(crate) mod balance_string_opt {
	use serde::{Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer, B: core::fmt::Display>(
		b: &Option<B>,
		s: S,
	) -> Result<S::Ok, S::Error> {
		match b {
			Some(b) => s.collect_str(b),
			None => s.serialize_none(),
		}
	}

	pub fn deserialize<'de, D: Deserializer<'de>, B: core::str::FromStr>(
		d: D,
	) -> Result<Option<B>, D::Error> {
		match Option::<alloc::string::String>::deserialize(d)? {
			Some(s) => {
				s.parse().map(Some).map_err(|_| serde::de::Error::custom("not a decimal balance"))
			},
			None => Ok(None),
		}
	}
}

use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature,
};

/// Signature type of a transaction: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;

/// An account on the chain: the public key of the transaction signing scheme (32 bytes).
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// A balance in plancks (10^-12 AIR).
pub type Balance = u128;

/// A block number.
pub type BlockNumber = u32;

/// The number of transactions an account has sent.
pub type Nonce = u32;

/// A hash (blake2-256) of a block, extrinsic or piece of content.
pub type Hash = sp_core::H256;

/// The token's ticker, as chain properties announce it.
pub const TOKEN_SYMBOL: &str = "AIR";
/// Decimal places of the token, as chain properties announce them.
pub const TOKEN_DECIMALS: u8 = 12;
/// SS58 address prefix (see the crate docs).
pub const SS58_PREFIX: u16 = 42;

/// One AIR in plancks.
pub const AIR: Balance = 1_000_000_000_000;
/// One thousandth of an AIR.
pub const MILLI_AIR: Balance = 1_000_000_000;
/// One millionth of an AIR.
pub const MICRO_AIR: Balance = 1_000_000;

/// Existential deposit: 0.01 AIR.
///
/// An account whose free balance (plus holds) would fall below this is reaped: its storage is
/// removed and the remaining dust burned. Transfers that would leave the sender below it fail
/// with `Token(FundsUnavailable)` / `Token(BelowMinimum)` instead of silently reaping when sent
/// with `transfer_keep_alive`. Small enough to be negligible for users, large enough that creating
/// accounts to bloat state costs real AIR.
pub const EXISTENTIAL_DEPOSIT: Balance = 10 * MILLI_AIR;

/// Target block time in milliseconds (Aura slot duration): 6 seconds.
pub const MILLISECS_PER_BLOCK: u64 = 6000;

/// Blocks per minute, hour and day at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn denominations_are_consistent() {
		assert_eq!(AIR, 10u128.pow(TOKEN_DECIMALS as u32));
		assert_eq!(MILLI_AIR * 1000, AIR);
		assert_eq!(MICRO_AIR * 1000, MILLI_AIR);
		assert_eq!(MINUTES, 10);
		assert_eq!(DAYS, 14_400);
	}
}
