//! `pallet_transaction_payment`: how fees are computed and where they go.
//!
//! ## Fee
//! `fee = base + length_fee + multiplier * weight_fee (+ tip)`, with
//! - weight fee: [`WEIGHT_FEE_PER_REF_TIME`] plancks per unit of ref-time weight (a picosecond of
//!   reference execution time), so the base extrinsic weight (~0.1 ms) costs about 1 milli-AIR;
//! - length fee: [`LENGTH_FEE_PER_BYTE`] = 1 micro-AIR per encoded byte;
//! - multiplier: a targeted fee adjustment that rises when blocks are fuller than
//!   [`TargetBlockFullness`] (25 %) and falls back, never below [`MinimumMultiplier`] (0.1),
//!   so congestion prices out spam without pricing out normal use.
//!
//! ## Where fees go ([`DealWithFees`])
//! Until the treasury and staking pot arrive (governance and staking issues), fees are split:
//! [`FEE_TO_AUTHOR`] (20 %) to the block author, the rest burned. Tips go to the author in full.

use frame_support::{
	parameter_types,
	traits::{
		fungible::{Balanced, Credit},
		Imbalance, OnUnbalanced,
	},
	weights::ConstantMultiplier,
};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_runtime::{traits::Bounded, FixedPointNumber, Perquintill};

use crate::{AccountId, Authorship, Balance, Balances, Runtime, RuntimeEvent, MICRO_AIR};

/// Plancks charged per unit of ref-time weight (before the fee multiplier).
pub const WEIGHT_FEE_PER_REF_TIME: Balance = 10;
/// Plancks charged per encoded byte of an extrinsic.
pub const LENGTH_FEE_PER_BYTE: Balance = MICRO_AIR;
/// Percentage of each fee paid to the block author; the rest is burned.
pub const FEE_TO_AUTHOR: u32 = 20;

parameter_types! {
	pub const WeightFeePerRefTime: Balance = WEIGHT_FEE_PER_REF_TIME;
	pub const LengthFeePerByte: Balance = LENGTH_FEE_PER_BYTE;
	/// Operational extrinsics pay 5x the priority per fee of normal ones.
	pub const OperationalFeeMultiplier: u8 = 5;
	/// Block fullness the fee multiplier steers towards.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// How fast the multiplier reacts: at 100 % fullness it roughly doubles in ~ 1 hour.
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	/// The multiplier never falls below 0.1.
	pub MinimumMultiplier: Multiplier = Multiplier::saturating_from_rational(1, 10u128);
	/// No upper bound other than the fixed-point range.
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

/// Splits transaction fees: [`FEE_TO_AUTHOR`] percent of the fee and all of the tip to the block
/// author, the rest burned (dropping a `Credit` reduces total issuance).
pub struct DealWithFees;

impl OnUnbalanced<Credit<AccountId, Balances>> for DealWithFees {
	fn on_unbalanceds(mut fees_then_tips: impl Iterator<Item = Credit<AccountId, Balances>>) {
		let Some(fees) = fees_then_tips.next() else { return };
		let (mut to_author, _burned) =
			fees.ration(FEE_TO_AUTHOR, 100u32.saturating_sub(FEE_TO_AUTHOR));
		if let Some(tips) = fees_then_tips.next() {
			to_author.subsume(tips);
		}
		pay_author(to_author);
	}
}

/// Pays a credit to the current block's author. Where there is no author (e.g. off-chain fee
/// estimation) or the author's account cannot take it, the credit is burned.
fn pay_author(credit: Credit<AccountId, Balances>) {
	if let Some(author) = Authorship::author() {
		// On failure `resolve` hands the credit back; dropping it burns it.
		let _ = <Balances as Balanced<AccountId>>::resolve(&author, credit);
	}
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, DealWithFees>;
	type OperationalFeeMultiplier = OperationalFeeMultiplier;
	type WeightToFee = ConstantMultiplier<Balance, WeightFeePerRefTime>;
	type LengthToFee = ConstantMultiplier<Balance, LengthFeePerByte>;
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}
