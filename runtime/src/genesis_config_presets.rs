//! Genesis presets: the only source of the node's chain specs.
//!
//! - `dev`: Alice is the single validator; the well-known dev accounts (Alice, Bob, Charlie, Dave,
//!   Eve, Ferdie and their `//stash` accounts) are endowed; the treasury and the staking reward
//!   pot get the existential deposit.
//! - `local_testnet` (`local`): four validators, Alice, Bob, Charlie and Dave (GRANDPA needs 3 of
//!   4 to finalize); same endowments.
//!
//! There is no sudo key: Root is reached only through a root-track referendum. Both presets write
//! the credits tier table (Basic, Pro, Enterprise) and every governed parameter at its launch value (`configs/parameters.rs`) into pallet-parameters,
//! through the governance pallet's genesis config (pallet-parameters has none at stable2609).

use crate::{AccountId, Balance, BalancesConfig, RuntimeGenesisConfig, AIR, EXISTENTIAL_DEPOSIT};
use alloc::{vec, vec::Vec};
use codec::Encode;
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each endowed dev account starts with: one million AIR.
pub const ENDOWMENT: Balance = 1_000_000 * AIR;

/// The dev keyring accounts (sr25519), without the `One`/`Two` test keys.
pub fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| k != &Sr25519Keyring::One && k != &Sr25519Keyring::Two)
		.map(|k| k.to_account_id())
		.collect()
}

/// Aura (sr25519) and GRANDPA (ed25519) keys of a dev keyring validator, both derived from the
/// same well-known seed (`//Alice`, ...), as `--alice` etc. insert them into the keystore.
fn authority_keys((aura, grandpa): (Sr25519Keyring, Ed25519Keyring)) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

fn testnet_genesis(
	initial_authorities: Vec<(AuraId, GrandpaId)>,
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
		aura: pallet_aura::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
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
