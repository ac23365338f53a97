//! The interface of pallet-staking: the views its runtime API returns to wallets and dashboards.
//!
//! Eras are numbered from 0 (`u32`); balances cross JSON as decimal strings.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::{Perbill, Perquintill};

#[cfg(feature = "std")]
use crate::balance_string;

/// Unlocking chunks as `[["<decimal balance>", era], ...]` (see [`crate::balance_string`]).
#[cfg(feature = "std")]
mod unlocking_string {
	use alloc::{string::String, vec::Vec};
	use serde::{Deserialize, Deserializer, Serialize, Serializer};

	#[allow(clippy::ptr_arg)]
	pub fn serialize<S: Serializer, B: core::fmt::Display>(
		chunks: &Vec<(B, u32)>,
		s: S,
	) -> Result<S::Ok, S::Error> {
		chunks.iter().map(|(b, era)| (alloc::format!("{b}"), *era)).collect::<Vec<_>>().serialize(s)
	}

	pub fn deserialize<'de, D: Deserializer<'de>, B: core::str::FromStr>(
		d: D,
	) -> Result<Vec<(B, u32)>, D::Error> {
		Vec::<(String, u32)>::deserialize(d)?
			.into_iter()
			.map(|(b, era)| {
				b.parse()
					.map(|b| (b, era))
					.map_err(|_| serde::de::Error::custom("not a decimal balance"))
			})
			.collect()
	}
}

/// What a bonded stash does.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize",
			deserialize = "AccountId: serde::Deserialize<'de>"
		)
	)
)]
pub enum StakerRole<AccountId> {
	/// Bonded only.
	Idle,
	/// A validator candidate.
	Validator {
		/// Its commission.
		commission: Perbill,
	},
	/// A nominator.
	Nominator {
		/// The candidates it backs.
		targets: Vec<AccountId>,
	},
}

/// A stash's bond as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize, Balance: core::fmt::Display",
			deserialize = "AccountId: serde::Deserialize<'de>, Balance: core::str::FromStr"
		)
	)
)]
pub struct StakerView<AccountId, Balance> {
	/// Everything on hold: active plus unlocking.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub total: Balance,
	/// The stake that counts.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub active: Balance,
	/// Unlocking chunks: amount, and the era from which it can be withdrawn.
	#[cfg_attr(feature = "std", serde(with = "unlocking_string"))]
	pub unlocking: Vec<(Balance, u32)>,
	/// Its role.
	pub role: StakerRole<AccountId>,
}

/// A reward a staker can claim with `payout_stakers(validator, era, page)`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize, Balance: core::fmt::Display",
			deserialize = "AccountId: serde::Deserialize<'de>, Balance: core::str::FromStr"
		)
	)
)]
pub struct PendingReward<AccountId, Balance> {
	/// The era.
	pub era: u32,
	/// The validator whose exposure pays it.
	pub validator: AccountId,
	/// The page of the exposure.
	pub page: u32,
	/// The amount.
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub amount: Balance,
}

/// The state of staking at a glance.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
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
pub struct StakingSummary<Balance> {
	/// The era being rewarded (0 before the first).
	pub active_era: u32,
	/// The stake exposed in the active era (validators' own and their nominators').
	#[cfg_attr(feature = "std", serde(with = "balance_string"))]
	pub total_staked: Balance,
	/// The yearly inflation rate now.
	pub yearly_inflation: Perquintill,
	/// Estimated yearly return on stake: the stakers' share of a year's inflation plus the last
	/// era's fees annualised, over the stake (capped at 100 %; 0 with nothing staked).
	pub apy_estimate: Perquintill,
	/// Validators in the active era.
	pub validator_count: u32,
	/// Validator candidates.
	pub candidates: u32,
	/// Nominators.
	pub nominators: u32,
}

sp_api::decl_runtime_apis! {
	/// Read access to pallet-staking for wallets and dashboards.
	pub trait StakingApi<AccountId, Balance> where
		AccountId: codec::Codec,
		Balance: codec::Codec,
	{
		/// A stash's bond and role, if it is bonded.
		fn ledger(who: AccountId) -> Option<StakerView<AccountId, Balance>>;
		/// What `who` can still claim, as a validator and as a nominator of its current targets,
		/// over the eras whose rewards are still claimable.
		fn pending_rewards(who: AccountId) -> Vec<PendingReward<AccountId, Balance>>;
		/// The state of staking at a glance.
		fn summary() -> StakingSummary<Balance>;
	}
}
