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

/// How costly a signature is to check, so the calls that check one are weighed by its scheme.
pub trait SignatureCost {
	/// Whether checking it recovers the public key from the signature (ECDSA, benchmarked on its
	/// own); sr25519 and ed25519 verify against a known key.
	fn recovers_key(&self) -> bool;
}

/// ECDSA, under either address derivation (`Ecdsa`: blake2, `Eth`: keccak), recovers the key.
impl SignatureCost for sp_runtime::MultiSignature {
	fn recovers_key(&self) -> bool {
		match self {
			Self::Ed25519(_) | Self::Sr25519(_) => false,
			Self::Ecdsa(_) | Self::Eth(_) => true,
		}
	}
}

/// Test signatures (signer id and the signed bytes) are compared, never recovered.
#[cfg(feature = "std")]
impl SignatureCost for sp_runtime::testing::TestSignature {
	fn recovers_key(&self) -> bool {
		false
	}
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

/// A tier level: 0 is no tier, `n` the `n`-th tier governance defined (thresholds increase).
pub type TierLevel = u8;

/// A service as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ServiceView<AccountId, Balance> {
	/// The service's id.
	pub id: ServiceId,
	/// Who runs the service and redeems its channels' vouchers.
	pub owner: AccountId,
	/// Hash of the off-chain description (model, API, terms).
	pub metadata_hash: H256,
	/// Hash of the endpoint URL.
	pub endpoint_hash: H256,
	/// Price per call for channels opened from now on.
	pub price_per_call: Balance,
	/// The tier a caller needs to open a channel.
	pub tier_required: TierLevel,
	/// Whether the service takes new channels.
	pub retired: bool,
	/// Channels not yet closed.
	pub open_channels: u32,
}

/// A payment channel as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ChannelView<AccountId, Balance, BlockNumber> {
	/// The channel's id.
	pub id: ChannelId,
	/// The service it pays.
	pub service: ServiceId,
	/// Whose funds are locked in it.
	pub payer: AccountId,
	/// Whose signature its vouchers carry (the payer, or the delegate that opened it).
	pub signer: AccountId,
	/// The nonce vouchers must carry.
	pub nonce: u32,
	/// Price per call agreed when the channel opened.
	pub price_per_call: Balance,
	/// Everything ever locked in the channel.
	pub locked: Balance,
	/// What the service has redeemed so far (the highest voucher total it presented).
	pub redeemed: Balance,
	/// From this block the service can no longer redeem and the payer can close.
	pub expiry: BlockNumber,
	/// The payer asked the service to close early.
	pub close_requested: bool,
}

/// A spending ceiling as clients see it, with the current period rolled over if it ended.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct BudgetView<Balance, BlockNumber> {
	/// The most the account may lock into channels per period.
	pub limit: Balance,
	/// The period's length in blocks.
	pub period: BlockNumber,
	/// When the current period started.
	pub period_start: BlockNumber,
	/// What the account locked in the current period.
	pub spent: Balance,
	/// What it may still lock in the current period.
	pub remaining: Balance,
}

/// An account's tier lock as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct TierView<Balance, BlockNumber> {
	/// The tier the active lock earns.
	pub tier: TierLevel,
	/// Frozen and counting toward the tier.
	pub active: Balance,
	/// Frozen, no longer counting, free to withdraw from `unlock_at`.
	pub unlocking: Balance,
	/// When the unlocking amount can be withdrawn.
	pub unlock_at: Option<BlockNumber>,
}

/// Whether an account may use a service, and if not, why.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallEligibility {
	/// The account may open channels to the service.
	Allowed,
	/// No such service.
	UnknownService,
	/// The service takes no new channels (open ones still work until they close).
	ServiceRetired,
	/// The account's tier is below what the service requires.
	TierTooLow {
		/// The account's tier.
		has: TierLevel,
		/// The service's requirement.
		needs: TierLevel,
	},
}

sp_api::decl_runtime_apis! {
	/// Read access to services, channels, budgets and tiers for callers, services and wallets.
	pub trait CreditsApi<AccountId, Balance, BlockNumber> where
		AccountId: codec::Codec,
		Balance: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// A service.
		fn service(id: ServiceId) -> Option<ServiceView<AccountId, Balance>>;
		/// A channel.
		fn channel(id: ChannelId) -> Option<ChannelView<AccountId, Balance, BlockNumber>>;
		/// Up to `limit` channels paid by `payer`, in id order after `start_after`.
		fn channels_of(
			payer: AccountId,
			start_after: Option<ChannelId>,
			limit: u32,
		) -> alloc::vec::Vec<ChannelView<AccountId, Balance, BlockNumber>>;
		/// Up to `limit` channels paying `service`, in id order after `start_after`.
		fn service_channels(
			service: ServiceId,
			start_after: Option<ChannelId>,
			limit: u32,
		) -> alloc::vec::Vec<ChannelView<AccountId, Balance, BlockNumber>>;
		/// An account's spending ceiling, if it set one.
		fn budget(who: AccountId) -> Option<BudgetView<Balance, BlockNumber>>;
		/// An account's tier and tier lock.
		fn tier_of(who: AccountId) -> TierView<Balance, BlockNumber>;
		/// Whether `who` may open channels to `service`, in one call.
		fn can_call(who: AccountId, service: ServiceId) -> CallEligibility;
		/// The tiers governance defined: name and threshold, lowest first (tier 1 first).
		fn tiers() -> alloc::vec::Vec<(alloc::vec::Vec<u8>, Balance)>;
	}
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

	#[test]
	fn only_ecdsa_signatures_recover_the_key() {
		use sp_core::{ecdsa, ed25519};
		let recovering = [
			MultiSignature::Ecdsa(ecdsa::Signature::from_raw([0u8; 65])),
			MultiSignature::Eth(ecdsa::KeccakSignature::from_raw([0u8; 65])),
		];
		let verifying = [
			MultiSignature::Sr25519(sr25519::Signature::from_raw([0u8; 64])),
			MultiSignature::Ed25519(ed25519::Signature::from_raw([0u8; 64])),
		];
		assert!(recovering.iter().all(SignatureCost::recovers_key));
		assert!(!verifying.iter().any(SignatureCost::recovers_key));
		assert!(!sp_runtime::testing::TestSignature(1, vec![]).recovers_key());
	}
}
