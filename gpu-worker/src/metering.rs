//! Metering: which vouchers a service accepts for a call.
//!
//! A service serves call `n + 1` on a channel only for a voucher that
//! - is for this chain (genesis), this channel and its nonce, signed by the channel's signer;
//! - is not older than the latest voucher accepted (`total` not below it: replayed old vouchers
//!   are refused);
//! - pays for every call so far and this one: `total ≥ (n + 1) · price` (a caller may prepay, and
//!   then the same voucher covers later calls until it no longer does);
//! - is within the channel's lock (the chain would refuse to redeem more);
//! - leaves the service time to redeem: the channel does not expire within the margin.
//!
//! The payer's tier is checked separately (`can_call` on the chain, cached per channel).
//!
//! # A voucher is a bearer token for what it prepays
//!
//! The service authenticates nothing but the voucher: a call carries no signature of its own, and
//! [`Meter::check`] asks only whether the voucher pays for it. So whoever holds a voucher whose
//! `total` covers more calls than were served (a caller that prepaid, or anyone who saw such a
//! voucher on the wire or in a log) can spend the prepaid calls, `price_per_call` each, until the
//! total no longer pays for the next one. What bounds it: a voucher names one chain (genesis), one
//! channel and the channel's nonce, and a channel pays one service, so it is worth nothing at
//! another service, on another chain or channel; the chain never pays out more than its `total`;
//! and a voucher that pays exactly for its own call (what `client::Caller::next_voucher` signs) is
//! worth nothing once accepted, as the next call needs a higher total. Callers should send
//! vouchers only over TLS (e.g. a reverse proxy in front of the service), only to the service
//! they pay, and prepay no more than they would let whoever sees a voucher spend. Calls are not
//! authenticated apart from the voucher (unlike output downloads, see [`crate::store`], whose
//! requests are signed for one worker and single-use).
//!
//! [`Meter`] is pure state: the chain and the journal are the caller's business, so every rule
//! is unit-tested here.

use airtime_primitives::credits::{ChannelId, ServiceId, SignedVoucher};
use sp_core::H256;
use sp_runtime::{AccountId32, MultiSignature};
use std::collections::HashMap;
use thiserror::Error;

/// A voucher as the runtime takes it.
pub type SignedVoucherOf = SignedVoucher<u128, MultiSignature>;

/// A channel's on-chain terms, as the service last read them from a finalized block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelTerms {
	/// The channel.
	pub id: ChannelId,
	/// The service it pays.
	pub service: ServiceId,
	/// Whose funds it locks.
	pub payer: AccountId32,
	/// Whose signature vouchers carry.
	pub signer: AccountId32,
	/// The nonce vouchers carry.
	pub nonce: u32,
	/// Agreed price per call.
	pub price_per_call: u128,
	/// Everything locked.
	pub locked: u128,
	/// What the service already redeemed.
	pub redeemed: u128,
	/// The block from which it can no longer be redeemed.
	pub expiry: u32,
}

/// Why a voucher was refused. Each maps to one HTTP status and one stable `code`.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Refusal {
	/// The channel does not exist on the chain (or is closed).
	#[error("channel {0} does not exist")]
	UnknownChannel(ChannelId),
	/// The channel pays another service.
	#[error("channel {channel} pays service {service}, not this one")]
	OtherService { channel: ChannelId, service: ServiceId },
	/// The voucher names another chain.
	#[error("the voucher is for chain {0:?}, not this one")]
	WrongChain(H256),
	/// The voucher names another channel than the request.
	#[error("the voucher is for channel {voucher}, the request for channel {request}")]
	WrongChannel { voucher: ChannelId, request: ChannelId },
	/// The voucher carries another nonce.
	#[error("the voucher carries nonce {got}, the channel has {expected}")]
	WrongNonce { expected: u32, got: u32 },
	/// The signature is not the channel signer's.
	#[error("the voucher is not signed by the channel's signer")]
	BadSignature,
	/// An older voucher than one already accepted.
	#[error("stale voucher: total {got} is below the latest accepted total {latest}")]
	Stale { latest: u128, got: u128 },
	/// The voucher does not pay for this call.
	#[error("the voucher's total {got} does not pay for call {call} at {price} each ({needed})")]
	Underpaid { call: u64, price: u128, needed: u128, got: u128 },
	/// More than the channel locks.
	#[error("the voucher's total {got} exceeds the channel's lock {locked}")]
	OverLimit { locked: u128, got: u128 },
	/// Too close to the expiry to redeem safely.
	#[error("channel expires at block {expiry}; block {now} is within the redeem margin")]
	Expiring { expiry: u32, now: u32 },
	/// The payer's tier is below the service's requirement.
	#[error("the payer's tier {has} is below the service's {needs}")]
	TierTooLow { has: u8, needs: u8 },
	/// The service's chain view is unavailable.
	#[error("the chain is unreachable: {0}")]
	ChainUnavailable(String),
}

impl Refusal {
	/// A stable machine-readable code.
	pub fn code(&self) -> &'static str {
		match self {
			Refusal::UnknownChannel(_) => "UnknownChannel",
			Refusal::OtherService { .. } => "OtherService",
			Refusal::WrongChain(_) => "WrongChain",
			Refusal::WrongChannel { .. } => "WrongChannel",
			Refusal::WrongNonce { .. } => "WrongNonce",
			Refusal::BadSignature => "BadSignature",
			Refusal::Stale { .. } => "StaleVoucher",
			Refusal::Underpaid { .. } => "Underpaid",
			Refusal::OverLimit { .. } => "OverLimit",
			Refusal::Expiring { .. } => "ChannelExpiring",
			Refusal::TierTooLow { .. } => "TierTooLow",
			Refusal::ChainUnavailable(_) => "ChainUnavailable",
		}
	}
}

/// A channel as the service tracks it.
#[derive(Clone, Debug)]
pub struct ChannelState {
	/// The on-chain terms.
	pub terms: ChannelTerms,
	/// The latest voucher accepted (the one to redeem).
	pub latest: Option<SignedVoucherOf>,
	/// Calls served on the channel.
	pub calls: u64,
}

impl ChannelState {
	/// The latest accepted total (0 before the first call).
	pub fn latest_total(&self) -> u128 {
		self.latest.as_ref().map_or(0, |v| v.voucher.total)
	}
}

/// The service's metering state.
#[derive(Debug)]
pub struct Meter {
	/// The chain's genesis hash.
	pub genesis: H256,
	/// This service.
	pub service: ServiceId,
	/// Blocks before expiry from which calls are refused (the redeemer needs them).
	pub expiry_margin: u32,
	/// Channels seen, by id.
	pub channels: HashMap<ChannelId, ChannelState>,
}

impl Meter {
	/// An empty meter.
	pub fn new(genesis: H256, service: ServiceId, expiry_margin: u32) -> Self {
		Self { genesis, service, expiry_margin, channels: HashMap::new() }
	}

	/// Check `signed` for the next call on `channel` at finalized block `now`. Whoever sends a
	/// voucher that pays is served: a prepaying voucher is a bearer token (see the
	/// [module docs](self)).
	pub fn check(
		&self,
		channel: ChannelId,
		signed: &SignedVoucherOf,
		now: u32,
	) -> Result<(), Refusal> {
		let state = self.channels.get(&channel).ok_or(Refusal::UnknownChannel(channel))?;
		let terms = &state.terms;
		let v = &signed.voucher;
		if terms.service != self.service {
			return Err(Refusal::OtherService { channel, service: terms.service });
		}
		if v.genesis != self.genesis {
			return Err(Refusal::WrongChain(v.genesis));
		}
		if v.channel != channel {
			return Err(Refusal::WrongChannel { voucher: v.channel, request: channel });
		}
		if v.channel_nonce != terms.nonce {
			return Err(Refusal::WrongNonce { expected: terms.nonce, got: v.channel_nonce });
		}
		if now.saturating_add(self.expiry_margin) >= terms.expiry {
			return Err(Refusal::Expiring { expiry: terms.expiry, now });
		}
		if !v.verify::<MultiSignature>(&signed.signature, &terms.signer) {
			return Err(Refusal::BadSignature);
		}
		let latest = state.latest_total();
		if v.total < latest {
			return Err(Refusal::Stale { latest, got: v.total });
		}
		let call = state.calls.saturating_add(1);
		let needed = terms.price_per_call.saturating_mul(u128::from(call));
		if v.total < needed {
			return Err(Refusal::Underpaid {
				call,
				price: terms.price_per_call,
				needed,
				got: v.total,
			});
		}
		if v.total > terms.locked {
			return Err(Refusal::OverLimit { locked: terms.locked, got: v.total });
		}
		Ok(())
	}

	/// Record a served call paid by `signed` (checked with [`Self::check`]).
	pub fn record(&mut self, channel: ChannelId, signed: SignedVoucherOf) {
		if let Some(state) = self.channels.get_mut(&channel) {
			state.calls = state.calls.saturating_add(1);
			state.latest = Some(signed);
		}
	}

	/// Learn or refresh a channel's terms; keeps what was served.
	pub fn update_terms(&mut self, terms: ChannelTerms) {
		match self.channels.get_mut(&terms.id) {
			Some(state) => state.terms = terms,
			None => {
				self.channels.insert(terms.id, ChannelState { terms, latest: None, calls: 0 });
			},
		}
	}

	/// Restore a channel's latest voucher and call count (from the journal).
	pub fn restore(&mut self, channel: ChannelId, signed: SignedVoucherOf, calls: u64) {
		if let Some(state) = self.channels.get_mut(&channel) {
			if signed.voucher.total >= state.latest_total() {
				state.latest = Some(signed);
				state.calls = state.calls.max(calls);
			}
		}
	}

	/// Forget a channel (closed on chain).
	pub fn forget(&mut self, channel: ChannelId) {
		self.channels.remove(&channel);
	}
}

/// Whether the redeemer should redeem a channel now: something unredeemed, and either the
/// schedule is due or the expiry is within the margin.
pub fn should_redeem(
	state: &ChannelState,
	now: u32,
	expiry_margin: u32,
	schedule_due: bool,
) -> bool {
	let unredeemed = state.latest_total() > state.terms.redeemed;
	let near_expiry = now.saturating_add(expiry_margin) >= state.terms.expiry;
	let not_expired = now < state.terms.expiry;
	unredeemed && not_expired && (schedule_due || near_expiry)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
	use super::*;
	use airtime_primitives::credits::{sign_sr25519, Voucher};
	use sp_core::{sr25519, Pair};

	const PRICE: u128 = 10;

	fn pair(seed: &str) -> sr25519::Pair {
		sr25519::Pair::from_string(seed, None).unwrap()
	}

	fn meter() -> Meter {
		let mut m = Meter::new(H256::repeat_byte(1), 3, 5);
		let signer: AccountId32 = pair("//Alice").public().into();
		m.update_terms(ChannelTerms {
			id: 7,
			service: 3,
			payer: signer.clone(),
			signer,
			nonce: 42,
			price_per_call: PRICE,
			locked: 100,
			redeemed: 0,
			expiry: 1_000,
		});
		m
	}

	fn voucher(total: u128) -> Voucher<u128> {
		Voucher { genesis: H256::repeat_byte(1), channel: 7, channel_nonce: 42, total }
	}

	fn signed(total: u128) -> SignedVoucherOf {
		sign_sr25519(voucher(total), &pair("//Alice"))
	}

	#[test]
	fn accepts_a_paying_voucher_per_call_and_refuses_replays() {
		let mut m = meter();
		m.check(7, &signed(10), 1).unwrap();
		m.record(7, signed(10));
		// The same voucher again does not pay for call 2.
		assert_eq!(
			m.check(7, &signed(10), 1),
			Err(Refusal::Underpaid { call: 2, price: PRICE, needed: 20, got: 10 })
		);
		m.check(7, &signed(20), 1).unwrap();
		m.record(7, signed(20));
		// An older voucher is stale even if it were enough.
		assert_eq!(m.check(7, &signed(10), 1), Err(Refusal::Stale { latest: 20, got: 10 }));
		// Prepaying covers later calls with the same voucher.
		m.check(7, &signed(50), 1).unwrap();
		m.record(7, signed(50));
		m.check(7, &signed(50), 1).unwrap();
	}

	#[test]
	fn refuses_forged_foreign_and_over_limit_vouchers() {
		let m = meter();
		let forged = sign_sr25519(voucher(10), &pair("//Mallory"));
		assert_eq!(m.check(7, &forged, 1), Err(Refusal::BadSignature));
		let other_chain = sign_sr25519(
			Voucher { genesis: H256::repeat_byte(2), ..voucher(10) },
			&pair("//Alice"),
		);
		assert_eq!(m.check(7, &other_chain, 1), Err(Refusal::WrongChain(H256::repeat_byte(2))));
		let other_channel = sign_sr25519(Voucher { channel: 8, ..voucher(10) }, &pair("//Alice"));
		assert_eq!(
			m.check(7, &other_channel, 1),
			Err(Refusal::WrongChannel { voucher: 8, request: 7 })
		);
		let other_nonce =
			sign_sr25519(Voucher { channel_nonce: 1, ..voucher(10) }, &pair("//Alice"));
		assert_eq!(m.check(7, &other_nonce, 1), Err(Refusal::WrongNonce { expected: 42, got: 1 }));
		assert_eq!(m.check(7, &signed(110), 1), Err(Refusal::OverLimit { locked: 100, got: 110 }));
		assert_eq!(m.check(8, &signed(10), 1), Err(Refusal::UnknownChannel(8)));
		assert_eq!(
			m.check(7, &signed(10), 995),
			Err(Refusal::Expiring { expiry: 1_000, now: 995 })
		);
		// A signature over a changed total does not verify.
		let mut tampered = signed(10);
		tampered.voucher.total = 90;
		assert_eq!(m.check(7, &tampered, 1), Err(Refusal::BadSignature));
	}

	#[test]
	fn channels_of_other_services_are_refused() {
		let mut m = meter();
		let mut terms = m.channels.get(&7).unwrap().terms.clone();
		terms.service = 4;
		m.update_terms(terms);
		assert_eq!(
			m.check(7, &signed(10), 1),
			Err(Refusal::OtherService { channel: 7, service: 4 })
		);
	}

	#[test]
	fn redeems_on_schedule_or_near_expiry_only_when_something_is_owed() {
		let mut m = meter();
		let state = m.channels.get(&7).unwrap().clone();
		assert!(!should_redeem(&state, 1, 5, true), "nothing to redeem");
		m.record(7, signed(30));
		let state = m.channels.get(&7).unwrap().clone();
		assert!(should_redeem(&state, 1, 5, true));
		assert!(!should_redeem(&state, 1, 5, false), "not due, far from expiry");
		assert!(should_redeem(&state, 995, 5, false), "near expiry");
		assert!(!should_redeem(&state, 1_000, 5, true), "expired: the chain refuses");
		let mut redeemed = state.clone();
		redeemed.terms.redeemed = 30;
		assert!(!should_redeem(&redeemed, 995, 5, true), "already redeemed");
	}

	#[test]
	fn restore_keeps_the_highest_voucher() {
		let mut m = meter();
		m.restore(7, signed(40), 4);
		m.restore(7, signed(20), 2);
		let state = m.channels.get(&7).unwrap();
		assert_eq!((state.latest_total(), state.calls), (40, 4));
	}
}
