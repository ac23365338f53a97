//! `pallet_credits`: metered pay-per-call services paid through payment channels, spending
//! ceilings, allowances and token-gated tiers.
//!
//! The protocol fee and the tier cool-down are governed parameters (`configs/parameters.rs`,
//! `MarketAdmin`); the tier table is set by Root or a `MarketAdmin` referendum (`set_tiers`) and
//! starts as [`launch_tiers`]. Fees are split by `configs::staking::ProtocolFeeSplit`: the
//! compute fee's staking share to the staking pot, the rest to the treasury. Vouchers carry the
//! runtime's `MultiSignature` (sr25519, ed25519 or ecdsa), checked against the channel's signer
//! account; `redeem` and `cooperative_close` are weighed by the voucher's scheme (ecdsa, which
//! recovers the key, has its own benchmarks).

use frame_support::{
	parameter_types,
	traits::{ConstU32, EitherOf},
};
use frame_system::EnsureRoot;
use pallet_governance::MarketAdmin;

use crate::{
	configs::parameters::dynamic_params::credits as params, deposit, prod_or_fast, AccountId,
	Balance, Balances, BlockNumber, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
	Signature, AIR, DAYS, MINUTES,
};

parameter_types! {
	/// A service record: one item, 130 bytes.
	pub const ServiceDeposit: Balance = deposit(1, 130);
	/// A channel (with its two index entries), budget or allowance record: up to three items,
	/// 200 bytes.
	pub const RecordDeposit: Balance = deposit(3, 200);
	/// A channel lasts at least 10 minutes (2 blocks with `fast-runtime`) ...
	pub const MinChannelDuration: BlockNumber = prod_or_fast!(10 * MINUTES, 2);
	/// ... and at most 90 days.
	pub const MaxChannelDuration: BlockNumber = 90 * DAYS;
}

/// The tiers a network launches with: Basic, Pro and Enterprise at 1 000, 10 000 and 100 000 AIR
/// frozen.
pub fn launch_tiers() -> alloc::vec::Vec<(alloc::vec::Vec<u8>, Balance)> {
	alloc::vec![
		(b"Basic".to_vec(), 1_000 * AIR),
		(b"Pro".to_vec(), 10_000 * AIR),
		(b"Enterprise".to_vec(), 100_000 * AIR),
	]
}

impl pallet_credits::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type Signature = Signature;
	type TierOrigin = EitherOf<EnsureRoot<AccountId>, MarketAdmin>;
	type OnFee = crate::configs::staking::ProtocolFeeSplit;
	type ProtocolFee = params::ProtocolFee;
	type ServiceDeposit = ServiceDeposit;
	type RecordDeposit = RecordDeposit;
	type MinChannelDuration = MinChannelDuration;
	type MaxChannelDuration = MaxChannelDuration;
	type TierCooldown = params::TierCooldown;
	type MaxTiers = ConstU32<16>;
	type MaxPageSize = ConstU32<256>;
	type WeightInfo = pallet_credits::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = VoucherSigner;
}

/// Signs benchmark vouchers with a keystore key: ecdsa when `recovering` (public key recovery,
/// then hashing the key into the account id), else sr25519, the scheme most users sign with. The two keys are different accounts.
#[cfg(feature = "runtime-benchmarks")]
pub struct VoucherSigner;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_credits::BenchmarkHelper<AccountId, Signature> for VoucherSigner {
	fn sign(recovering: bool, payload: &[u8]) -> (AccountId, Signature) {
		use sp_runtime::{traits::IdentifyAccount, MultiSigner};
		const KEY: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"bcrd");
		let seed = || Some(b"//credits-bench".to_vec());
		if recovering {
			let public = sp_io::crypto::ecdsa_generate(KEY, seed());
			let signature = sp_io::crypto::ecdsa_sign(KEY, &public, payload)
				.unwrap_or_else(|| sp_core::ecdsa::Signature::from_raw([0; 65]));
			(MultiSigner::from(public).into_account(), Signature::Ecdsa(signature))
		} else {
			let public = sp_io::crypto::sr25519_generate(KEY, seed());
			let signature = sp_io::crypto::sr25519_sign(KEY, &public, payload)
				.unwrap_or_else(|| sp_core::sr25519::Signature::from_raw([0; 64]));
			(MultiSigner::from(public).into_account(), Signature::Sr25519(signature))
		}
	}
}
