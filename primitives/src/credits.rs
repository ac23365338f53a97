//! The interface of pallet-credits ("AI minutes"): payment-channel vouchers, their signing and
//! verification, shared by the runtime, the worker's metered service mode and callers' clients.
//!
//! ## Vouchers
//!
//! A caller opens a channel to one service and locks AIR in it. For every call it signs a
//! [`Voucher`]: "on channel `channel` (opened as the `channel_nonce`-th channel between us, on the
//! chain with genesis `genesis`), the cumulative total I owe is `total`". The service keeps the
//! latest voucher and redeems it whenever it likes; the chain pays the difference between `total`
//! and what it already paid. Because totals are cumulative, a lost or replayed older voucher is
//! worth nothing more, and the caller's exposure is never more than the last total it signed nor
//! more than what it locked.
//!
//! The signed message is `SCALE(VOUCHER_TAG, genesis, channel, channel_nonce, total)`
//! ([`Voucher::signing_payload`]): the domain tag keeps a voucher signature from ever being valid
//! as a transaction or another message, the genesis hash binds it to one chain, and the channel
//! id and nonce bind it to one channel (ids are never reused, and the nonce distinguishes a
//! channel reopened under a reused id on a chain that reset its counter). Signatures are
//! `MultiSignature` (sr25519, ed25519 or ecdsa), checked against the caller's account.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::traits::{IdentifyAccount, Verify};

/// Identifies a payment channel. Allocated sequentially by pallet-credits, never reused.
pub type ChannelId = u64;

/// Identifies a registered service.
pub type ServiceId = u64;

/// Domain tag of a voucher's signed message.
pub const VOUCHER_TAG: &[u8; 16] = b"airtime/voucher1";

/// A caller's promise to pay a channel's service a cumulative total.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "Balance: core::fmt::Display",
			deserialize = "Balance: core::str::FromStr"
		)
	)
)]
pub struct Voucher<Balance> {
	/// Genesis hash of the chain the voucher is for.
	pub genesis: H256,
	/// The channel.
	pub channel: ChannelId,
	/// The channel's nonce (see the module docs).
	pub channel_nonce: u32,
	/// The cumulative total owed on the channel.
	#[cfg_attr(feature = "std", serde(with = "crate::balance_string"))]
	pub total: Balance,
}

impl<Balance: Encode> Voucher<Balance> {
	/// The bytes the caller signs.
	pub fn signing_payload(&self) -> alloc::vec::Vec<u8> {
		(VOUCHER_TAG, self.genesis, self.channel, self.channel_nonce, &self.total).encode()
	}

	/// Whether `signature` is `signer`'s signature of this voucher.
	pub fn verify<S>(
		&self,
		signature: &S,
		signer: &<S::Signer as IdentifyAccount>::AccountId,
	) -> bool
	where
		S: Verify,
	{
		signature.verify(&self.signing_payload()[..], signer)
	}
}

/// A voucher with its signature, as a caller sends it to a service and a service redeems it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct SignedVoucher<Balance, Signature> {
	/// The voucher.
	pub voucher: Voucher<Balance>,
	/// The caller's signature of [`Voucher::signing_payload`].
	pub signature: Signature,
}

/// Sign a voucher with an sr25519 key (clients, the worker's tests).
#[cfg(feature = "std")]
pub fn sign_sr25519<Balance: Encode>(
	voucher: Voucher<Balance>,
	pair: &sp_core::sr25519::Pair,
) -> SignedVoucher<Balance, sp_runtime::MultiSignature> {
	use sp_core::Pair;
	let signature = pair.sign(&voucher.signing_payload()).into();
	SignedVoucher { voucher, signature }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;
	use crate::{AccountId, Balance};
	use sp_core::{sr25519, Pair};
	use sp_runtime::MultiSignature;

	fn voucher(total: Balance) -> Voucher<Balance> {
		Voucher { genesis: H256::repeat_byte(7), channel: 3, channel_nonce: 1, total }
	}

	#[test]
	fn a_signed_voucher_verifies_only_for_its_signer_and_contents() {
		let caller = sr25519::Pair::from_string("//Alice", None).unwrap();
		let other = sr25519::Pair::from_string("//Bob", None).unwrap();
		let who: AccountId = caller.public().into();
		let signed = sign_sr25519(voucher(100), &caller);
		assert!(signed.voucher.verify::<MultiSignature>(&signed.signature, &who));

		let bob: AccountId = other.public().into();
		assert!(!signed.voucher.verify::<MultiSignature>(&signed.signature, &bob));

		// Any changed field breaks the signature: total, channel, nonce, chain.
		for changed in [
			Voucher { total: 101, ..signed.voucher },
			Voucher { channel: 4, ..signed.voucher },
			Voucher { channel_nonce: 2, ..signed.voucher },
			Voucher { genesis: H256::repeat_byte(8), ..signed.voucher },
		] {
			assert!(!changed.verify::<MultiSignature>(&signed.signature, &who));
		}
	}

	#[test]
	fn the_payload_is_tagged() {
		let payload = voucher(5).signing_payload();
		assert!(payload.starts_with(VOUCHER_TAG));
	}
}
