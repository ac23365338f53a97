//! Genesis presets: the only source of the node's chain specs.
//!
//! - `dev`: Alice is the single validator; the well-known dev accounts (Alice, Bob, Charlie, Dave,
//!   Eve, Ferdie and their `//stash` accounts) are endowed; the treasury and the staking reward
//!   pot get the existential deposit (the staking pallet mints it into its own reward account).
//! - `local_testnet` (`local`): four validators, Alice, Bob, Charlie and Dave (GRANDPA needs 3 of
//!   4 to finalize); same endowments.
//!
//! Each validator is a staking candidate bonded with [`VALIDATOR_BOND`] from its own account
//! (stash = the dev account), with its Aura and GRANDPA keys registered in pallet-session; the
//! staking pallet elects them at genesis and pallet-session hands the keys to Aura and GRANDPA
//! (whose own genesis authority lists stay empty). `validator_count` is the number of genesis
//! validators (governance raises it with `staking.set_validator_count`).
//!
//! There is no sudo key: Root is reached only through a root-track referendum. Both presets write
//! the credits tier table (Basic, Pro, Enterprise) and every governed parameter at its launch value (`configs/parameters.rs`) into pallet-parameters,
//! through the governance pallet's genesis config (pallet-parameters has none at stable2609).

use crate::{
	AccountId, Balance, BalancesConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys,
	StakingConfig, AIR, EXISTENTIAL_DEPOSIT,
};
use alloc::{vec, vec::Vec};
use codec::Encode;
use frame_support::build_struct_json_patch;
use pallet_staking::StakerStatus;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each endowed dev account starts with: one million AIR.
pub const ENDOWMENT: Balance = 1_000_000 * AIR;

/// What each genesis validator bonds: one hundred thousand AIR.
pub const VALIDATOR_BOND: Balance = 100_000 * AIR;

/// The dev keyring accounts (sr25519), without the `One`/`Two` test keys.
pub fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| k != &Sr25519Keyring::One && k != &Sr25519Keyring::Two)
		.map(|k| k.to_account_id())
		.collect()
}

/// A dev keyring validator: its account (the stash) and its Aura (sr25519) and GRANDPA (ed25519)
/// session keys, both derived from the same well-known seed (`//Alice`, ...), as `--alice` etc.
/// insert them into the keystore.
fn authority_keys(
	(aura, grandpa): (Sr25519Keyring, Ed25519Keyring),
) -> (AccountId, AuraId, GrandpaId) {
	(aura.to_account_id(), aura.public().into(), grandpa.public().into())
}

fn testnet_genesis(
	initial_authorities: Vec<(AccountId, AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.iter()
				.cloned()
				.map(|k| (k, ENDOWMENT))
				.chain([
					(crate::configs::compute::treasury_account(), EXISTENTIAL_DEPOSIT),
					(crate::configs::compute::staking_pot_account(), EXISTENTIAL_DEPOSIT),
					(crate::configs::data_market::curator_pot_account(), EXISTENTIAL_DEPOSIT),
				])
				.collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: initial_authorities
				.iter()
				.map(|(stash, aura, grandpa)| {
					(
						stash.clone(),
						stash.clone(),
						SessionKeys { aura: aura.clone(), grandpa: grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		staking: StakingConfig {
			stakers: initial_authorities
				.iter()
				.map(|(stash, ..)| {
					(stash.clone(), stash.clone(), VALIDATOR_BOND, StakerStatus::Validator)
				})
				.collect::<Vec<_>>(),
			validator_count: initial_authorities.len() as u32,
		},
		credits: pallet_credits::GenesisConfig { tiers: crate::configs::credits::launch_tiers() },
		origins: pallet_governance::GenesisConfig {
			parameters: crate::configs::parameters::launch_parameters()
				.iter()
				.map(Encode::encode)
				.collect::<Vec<_>>(),
		},
	})
}

/// The `dev` preset: Alice alone.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority_keys((Sr25519Keyring::Alice, Ed25519Keyring::Alice))],
		dev_accounts(),
	)
}

/// The `local_testnet` preset: Alice, Bob, Charlie and Dave.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority_keys((Sr25519Keyring::Alice, Ed25519Keyring::Alice)),
			authority_keys((Sr25519Keyring::Bob, Ed25519Keyring::Bob)),
			authority_keys((Sr25519Keyring::Charlie, Ed25519Keyring::Charlie)),
			authority_keys((Sr25519Keyring::Dave, Ed25519Keyring::Dave)),
		],
		dev_accounts(),
	)
}

/// The JSON patch of the preset `id`, or `None` for an unknown preset.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(|s| s.into_bytes())
}

/// The presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
