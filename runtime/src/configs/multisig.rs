//! `pallet_multisig`: k-of-n accounts (a dataset owner or a provider may be a multisig).

use frame_support::{parameter_types, traits::ConstU32};

use crate::{deposit, Balance, Balances, Runtime, RuntimeCall, RuntimeEvent, System};

parameter_types! {
	/// Reserved when a multisig operation is opened: one storage item of 88 bytes.
	pub const DepositBase: Balance = deposit(1, 88);
	/// Reserved per additional signatory (32 bytes each).
	pub const DepositFactor: Balance = deposit(0, 32);
}

impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = DepositBase;
	type DepositFactor = DepositFactor;
	type MaxSignatories = ConstU32<100>;
	type WeightInfo = crate::weights::pallet_multisig::WeightInfo<Runtime>;
	type BlockNumberProvider = System;
}
