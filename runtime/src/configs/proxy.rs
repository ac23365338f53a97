//! `pallet_proxy`: accounts that act for others, restricted by [`ProxyType`].

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{parameter_types, traits::InstanceFilter};
use scale_info::TypeInfo;

use sp_runtime::traits::BlakeTwo256;

use crate::{deposit, Balance, Balances, Runtime, RuntimeCall, RuntimeEvent, System};

/// What a proxy may do on behalf of its delegator. The encoding of each variant is fixed forever
/// (explicit `codec(index)`): new kinds are appended.
#[derive(
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Default,
)]
pub enum ProxyType {
	/// Any call.
	#[default]
	#[codec(index = 0)]
	Any,
	/// Any call that cannot move funds: no balance transfers.
	#[codec(index = 1)]
	NonTransfer,
	/// Only rejecting announcements of other proxies (a safety net for time-delayed proxies).
	#[codec(index = 2)]
	CancelProxy,
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	fn filter(&self, call: &RuntimeCall) -> bool {
		match self {
			ProxyType::Any => true,
			ProxyType::NonTransfer => !matches!(call, RuntimeCall::Balances(..)),
			ProxyType::CancelProxy => matches!(
				call,
				RuntimeCall::Proxy(pallet_proxy::Call::reject_announcement { .. })
					| RuntimeCall::Utility(pallet_utility::Call::batch { .. })
					| RuntimeCall::Utility(pallet_utility::Call::batch_all { .. })
			),
		}
	}

	fn is_superset(&self, o: &Self) -> bool {
		match (self, o) {
			(x, y) if x == y => true,
			(ProxyType::Any, _) => true,
			(_, ProxyType::Any) => false,
			(ProxyType::NonTransfer, _) => true,
			_ => false,
		}
	}
}

parameter_types! {
	/// Reserved for an account's proxy list: one storage item of 8 bytes.
	pub const ProxyDepositBase: Balance = deposit(1, 8);
	/// Reserved per proxy: 33 bytes (account + proxy type).
	pub const ProxyDepositFactor: Balance = deposit(0, 33);
	/// Reserved for an account's announcement list.
	pub const AnnouncementDepositBase: Balance = deposit(1, 8);
	/// Reserved per announcement: 68 bytes (account + call hash + block number).
	pub const AnnouncementDepositFactor: Balance = deposit(0, 68);
	pub const MaxProxies: u32 = 32;
	pub const MaxPending: u32 = 32;
}

impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	type ProxyDepositBase = ProxyDepositBase;
	type ProxyDepositFactor = ProxyDepositFactor;
	type MaxProxies = MaxProxies;
	type WeightInfo = pallet_proxy::weights::SubstrateWeight<Runtime>;
	type MaxPending = MaxPending;
	type CallHasher = BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	type BlockNumberProvider = System;
}
