//! The pallet's stored types: services, payment channels, spending ceilings, allowances and
//! tier locks.

use crate::Config;
use airtime_primitives::credits::{ServiceId, TierLevel};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{self, Inspect},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_core::H256;

/// A balance of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// An amount taken out of circulation, to be handed to an `OnUnbalanced` handler.
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
/// A voucher of the runtime's balance and signature types, as `redeem` takes it.
pub type SignedVoucherOf<T> =
	airtime_primitives::credits::SignedVoucher<BalanceOf<T>, <T as Config>::Signature>;
/// The longest tier name.
pub type MaxTierNameLen = ConstU32<32>;
/// A tier's name.
pub type TierName = BoundedVec<u8, MaxTierNameLen>;
/// The tiers, lowest first.
pub type TiersOf<T> = BoundedVec<TierDefinition<BalanceOf<T>>, <T as Config>::MaxTiers>;

/// A registered service.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Service<T: Config> {
	/// Who runs the service, redeems its vouchers and paid its deposit.
	pub owner: T::AccountId,
	/// Hash of the off-chain description.
	pub metadata_hash: H256,
	/// Hash of the endpoint URL.
	pub endpoint_hash: H256,
	/// Price per call for channels opened from now on.
	pub price_per_call: BalanceOf<T>,
	/// The tier a payer needs to open a channel.
	pub tier_required: TierLevel,
	/// The deposit held on the owner.
	pub deposit: BalanceOf<T>,
	/// Retired services take no new channels; the record goes when the last channel closes.
	pub retired: bool,
	/// Channels not yet closed.
	pub open_channels: u32,
}

/// A payment channel from a payer to one service.
///
/// Funds: `locked - redeemed` is held on the payer for [`crate::HoldReason::ChannelFunds`],
/// `deposit` for [`crate::HoldReason::StorageDeposit`].
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Channel<T: Config> {
	/// The service paid.
	pub service: ServiceId,
	/// Whose funds are locked.
	pub payer: T::AccountId,
	/// Whose signature vouchers carry: the payer, or the delegate that opened the channel.
	pub signer: T::AccountId,
	/// The nonce vouchers carry: the block the channel was opened in.
	pub nonce: u32,
	/// Price per call when the channel opened (informational for the chain; services charge it).
	pub price_per_call: BalanceOf<T>,
	/// Everything ever locked.
	pub locked: BalanceOf<T>,
	/// The highest voucher total redeemed; the service has been paid this much (before fees).
	pub redeemed: BalanceOf<T>,
	/// From this block the service cannot redeem and anyone can close.
	pub expiry: BlockNumberFor<T>,
	/// The payer asked for an early close.
	pub close_requested: bool,
	/// The record's deposit, held on the payer.
	pub deposit: BalanceOf<T>,
}

impl<T: Config> Channel<T> {
	/// What is still locked for the service.
	pub fn unredeemed(&self) -> BalanceOf<T> {
		sp_runtime::traits::Saturating::saturating_sub(self.locked, self.redeemed)
	}
}

/// An account's spending ceiling: what it may lock into channels per period.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Budget<T: Config> {
	/// The ceiling per period.
	pub limit: BalanceOf<T>,
	/// The period's length in blocks.
	pub period: BlockNumberFor<T>,
	/// When the current period started.
	pub period_start: BlockNumberFor<T>,
	/// What was locked in the current period.
	pub spent: BalanceOf<T>,
	/// The record's deposit.
	pub deposit: BalanceOf<T>,
}

/// What a delegate may spend from an owner's account on channels.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Allowance<T: Config> {
	/// What the delegate may still lock (opening and topping up).
	pub remaining: BalanceOf<T>,
	/// From this block the allowance is void.
	pub expires: BlockNumberFor<T>,
	/// How many more channels the delegate may open.
	pub channels_left: u32,
	/// The record's deposit, held on the owner.
	pub deposit: BalanceOf<T>,
}

/// An account's tier lock: frozen funds, some of them on their way out.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct TierLock<Balance, BlockNumber> {
	/// Frozen and counting toward the tier.
	pub active: Balance,
	/// Frozen, not counting, withdrawable from `unlock_at`.
	pub unlocking: Balance,
	/// When `unlocking` can be withdrawn.
	pub unlock_at: BlockNumber,
}

/// A tier: a name and the AIR a holder must freeze to reach it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct TierDefinition<Balance> {
	/// Display name ("Basic", "Pro", "Enterprise").
	pub name: TierName,
	/// The frozen amount that reaches the tier.
	pub threshold: Balance,
}
