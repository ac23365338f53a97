//! Runtime migrations.
//!
//! ## Staking: the validator set moves into pallet-session
//! Before staking, Aura's and GRANDPA's genesis authority lists were the validator set, fixed.
//! Staking adds pallet-session (and pallet-staking) in the same upgrade; on a chain upgraded from
//! before, session would start with no validators and no keys. [`staking::InitSessionFromAuthorities`]
//! registers each current authority's Aura and GRANDPA keys in pallet-session under the account
//! whose id is the Aura key's bytes (the account the old runtime paid block rewards to), makes
//! them the session's validators, sets the staking validator count to their number and makes
//! them invulnerable. Until candidates bond and validate, every election finds fewer than
//! `MinimumValidatorCount` and the set stays as it is. It is guarded by state, not by a storage
//! version: pallets new in an upgrade get their in-code storage version written before any
//! migration runs (`BeforeAllRuntimeMigrations`), so a `VersionedMigration` keyed on them would
//! never run; this one runs only while pallet-session has no validators and Aura has
//! authorities, so it is a no-op on every later upgrade and on chains that start with staking.
//!
//! ## v1: compute periods move into pallet-parameters
//! Before governance, pallet-compute's periods were `parameter_types!` storage items that sudo set
//! with `system.set_storage` at the well-known keys `twox_128(":Name:")`. Governance replaced them
//! with pallet-parameters entries (`configs/parameters.rs`), which a `ComputeAdmin` referendum
//! sets. A chain upgraded from before governance would silently fall back to the defaults and
//! keep dead keys; this migration carries every value that was set over to pallet-parameters
//! and removes the old keys. It is versioned on the governance origins pallet, which arrives in
//! the same upgrade (on-chain version 0 → 1); chains that start with governance begin at 1 and
//! skip it.

use alloc::vec::Vec;
use codec::Decode;
use frame_support::{
	migrations::VersionedMigration,
	storage::unhashed,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::{constants::ParityDbWeight, Weight},
};

use crate::{
	configs::parameters::{dynamic_params::compute, RuntimeParameters},
	BlockNumber, Runtime, RuntimeOrigin,
};

/// The v1 migration and its pieces.
pub mod v1 {
	use super::*;

	/// Builds the pallet-parameters entry of one period from its old value.
	pub type PeriodSetter = fn(BlockNumber) -> compute::Parameters;
	/// Reads one period as the runtime does.
	pub type PeriodGetter = fn() -> BlockNumber;

	/// The periods that lived at `twox_128(":Name:")`: name, how to set each in
	/// pallet-parameters, and how the runtime reads it.
	pub const OLD_PERIODS: [(&str, PeriodSetter, PeriodGetter); 7] = [
		(
			"UnbondingPeriod",
			|v| compute::Parameters::UnbondingPeriod(compute::UnbondingPeriod, Some(v)),
			<compute::UnbondingPeriod as Get<BlockNumber>>::get,
		),
		(
			"MinDeadline",
			|v| compute::Parameters::MinDeadline(compute::MinDeadline, Some(v)),
			<compute::MinDeadline as Get<BlockNumber>>::get,
		),
		(
			"MaxDeadline",
			|v| compute::Parameters::MaxDeadline(compute::MaxDeadline, Some(v)),
			<compute::MaxDeadline as Get<BlockNumber>>::get,
		),
		(
			"RevealPeriod",
			|v| compute::Parameters::RevealPeriod(compute::RevealPeriod, Some(v)),
			<compute::RevealPeriod as Get<BlockNumber>>::get,
		),
		(
			"ChallengePeriod",
			|v| compute::Parameters::ChallengePeriod(compute::ChallengePeriod, Some(v)),
			<compute::ChallengePeriod as Get<BlockNumber>>::get,
		),
		(
			"VoteCommitPeriod",
			|v| compute::Parameters::VoteCommitPeriod(compute::VoteCommitPeriod, Some(v)),
			<compute::VoteCommitPeriod as Get<BlockNumber>>::get,
		),
		(
			"VoteRevealPeriod",
			|v| compute::Parameters::VoteRevealPeriod(compute::VoteRevealPeriod, Some(v)),
			<compute::VoteRevealPeriod as Get<BlockNumber>>::get,
		),
	];

	/// The storage key `parameter_types! { pub storage Name: T = ..; }` used.
	pub fn old_key(name: &str) -> [u8; 16] {
		sp_crypto_hashing::twox_128(alloc::format!(":{name}:").as_bytes())
	}

	/// Moves every set period into pallet-parameters and deletes the old key. A value that does
	/// not decode is dropped (the default applies) and logged.
	pub struct MoveComputeParametersInner;

	impl UncheckedOnRuntimeUpgrade for MoveComputeParametersInner {
		fn on_runtime_upgrade() -> Weight {
			let mut reads = 0u64;
			let mut writes = 0u64;
			for (name, setter, _) in OLD_PERIODS {
				let key = old_key(name);
				reads = reads.saturating_add(1);
				let Some(raw) = unhashed::get_raw(&key) else { continue };
				match BlockNumber::decode(&mut &raw[..]) {
					Ok(value) => {
						let set = pallet_parameters::Pallet::<Runtime>::set_parameter(
							RuntimeOrigin::root(),
							RuntimeParameters::Compute(setter(value)),
						);
						if let Err(e) = set {
							log::error!(target: "runtime::migrations", "{name}: {e:?}");
						}
						writes = writes.saturating_add(1);
					},
					Err(_) => log::error!(
						target: "runtime::migrations",
						"{name}: undecodable value {raw:?} dropped; the default applies"
					),
				}
				unhashed::kill(&key);
				writes = writes.saturating_add(1);
			}
			ParityDbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			let old: Vec<(u32, Option<BlockNumber>)> = OLD_PERIODS
				.iter()
				.enumerate()
				.map(|(i, (name, _, _))| {
					let value = unhashed::get_raw(&old_key(name))
						.and_then(|raw| BlockNumber::decode(&mut &raw[..]).ok());
					(i as u32, value)
				})
				.collect();
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let old: Vec<(u32, Option<BlockNumber>)> = Decode::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("pre-upgrade state"))?;
			for (i, value) in old {
				let (name, _, read) = OLD_PERIODS
					.get(i as usize)
					.ok_or(sp_runtime::TryRuntimeError::Other("period index"))?;
				frame_support::ensure!(
					unhashed::get_raw(&old_key(name)).is_none(),
					"an old period key is left"
				);
				if let Some(value) = value {
					frame_support::ensure!(read() == value, "a migrated period does not read back");
				}
			}
			Ok(())
		}
	}

	/// [`MoveComputeParametersInner`], run once: governance origins pallet version 0 → 1.
	pub type MoveComputeParameters = VersionedMigration<
		0,
		1,
		MoveComputeParametersInner,
		pallet_governance::Pallet<Runtime>,
		ParityDbWeight,
	>;
}

/// The validator set moves into pallet-session (see the module docs).
pub mod staking {
	use super::*;
	use crate::{AccountId, SessionKeys};
	use sp_core::crypto::{ByteArray, KeyTypeId};
	use sp_runtime::traits::OpaqueKeys;

	/// Registers the current Aura/GRANDPA authorities as pallet-session's validators.
	pub struct InitSessionFromAuthorities;

	impl InitSessionFromAuthorities {
		/// The authorities as (account, session keys), when the migration has work to do.
		fn pending() -> Option<Vec<(AccountId, SessionKeys)>> {
			if !pallet_session::Validators::<Runtime>::get().is_empty() {
				return None;
			}
			let aura = pallet_aura::Authorities::<Runtime>::get();
			let grandpa = pallet_grandpa::Pallet::<Runtime>::grandpa_authorities();
			if aura.is_empty() || aura.len() != grandpa.len() {
				return None;
			}
			aura.into_iter()
				.zip(grandpa)
				.map(|(aura, (grandpa, _weight))| {
					let account = AccountId::from_slice(aura.as_slice()).ok()?;
					Some((account, SessionKeys { aura, grandpa }))
				})
				.collect()
		}
	}

	impl frame_support::traits::OnRuntimeUpgrade for InitSessionFromAuthorities {
		fn on_runtime_upgrade() -> Weight {
			let Some(validators) = Self::pending() else {
				return ParityDbWeight::get().reads(3);
			};
			let count = validators.len() as u64;
			for (account, keys) in &validators {
				for id in <SessionKeys as OpaqueKeys>::key_ids() {
					let key: KeyTypeId = *id;
					pallet_session::KeyOwner::<Runtime>::insert(
						(key, keys.get_raw(key).to_vec()),
						account.clone(),
					);
				}
				pallet_session::NextKeys::<Runtime>::insert(account, keys.clone());
			}
			let accounts: Vec<AccountId> = validators.iter().map(|(a, _)| a.clone()).collect();
			pallet_session::QueuedKeys::<Runtime>::put(validators);
			pallet_session::Validators::<Runtime>::put(accounts.clone());
			pallet_staking::ValidatorCount::<Runtime>::put(count as u32);
			let invulnerables = frame_support::BoundedVec::truncate_from(accounts);
			pallet_staking::Invulnerables::<Runtime>::put(invulnerables);
			log::info!(target: "runtime::migrations", "session: {count} validators from Aura/GRANDPA");
			ParityDbWeight::get().reads_writes(3, 4u64.saturating_mul(count).saturating_add(4))
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			frame_support::ensure!(
				!pallet_session::Validators::<Runtime>::get().is_empty(),
				"pallet-session has validators"
			);
			Ok(())
		}
	}
}
