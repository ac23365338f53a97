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
	/// Calls that cannot pay the delegator's funds to another account: no transfers, multisig,
	/// compute, data-market or credits calls, no pool delegation (governance, staking, session
	/// keys, proxies, batches of those).
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
			// An allow-list, and a match without a wildcard: a new pallet must be placed on one
			// side before the runtime compiles.
			ProxyType::NonTransfer => match call {
				// Exposes the delegator's stake to a provider the proxy may control.
				RuntimeCall::Staking(pallet_staking::Call::delegate { .. }) => false,
				RuntimeCall::System(..)
				| RuntimeCall::Timestamp(..)
				| RuntimeCall::Grandpa(..)
				| RuntimeCall::Staking(..)
				| RuntimeCall::Session(..)
				| RuntimeCall::Utility(..)
				| RuntimeCall::Proxy(..)
				| RuntimeCall::Scheduler(..)
				| RuntimeCall::Preimage(..)
				| RuntimeCall::Referenda(..)
				| RuntimeCall::ConvictionVoting(..)
				| RuntimeCall::Treasury(..)
				| RuntimeCall::Parameters(..) => true,
				// Each of these pays from the delegator to an account the proxy can name or
				// control: a transfer; a multisig the delegator co-signs; a job taken by the
				// proxy's own provider (or a matching change that gets it slashed); a dataset the
				// proxy priced; a credits approval or channel whose vouchers the proxy signs.
				RuntimeCall::Balances(..)
				| RuntimeCall::Multisig(..)
				| RuntimeCall::Compute(..)
				| RuntimeCall::DataMarket(..)
				| RuntimeCall::Credits(..) => false,
			},
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
	type WeightInfo = crate::weights::pallet_proxy::WeightInfo<Runtime>;
	type MaxPending = MaxPending;
	type CallHasher = BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	type BlockNumberProvider = System;
}
