//! `pallet_balances`: the AIR token.
//!
//! Holds (`RuntimeHoldReason`) and freezes (`RuntimeFreezeReason`) are the runtime-wide
//! aggregates, so each later pallet (compute stakes and escrow, staking, credits, data market)
//! adds its own reason without touching this file. Reserves and locks are kept only for the
//! FRAME pallets that still use them (multisig, proxy deposits).

use frame_support::traits::{ConstU128, ConstU32, VariantCountOf};

use crate::{
	Balance, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, System,
	EXISTENTIAL_DEPOSIT,
};

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	/// Dust from reaped accounts is burned (total issuance falls by it).
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = crate::weights::pallet_balances::WeightInfo<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}
