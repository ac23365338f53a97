//! Chain specifications. Every spec is a runtime genesis preset (see
//! `airtime_runtime::genesis_config_presets`) plus the chain's name, id and token properties; no
//! genesis state is written here.

use airtime_primitives::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL};
use airtime_runtime::WASM_BINARY;
use sc_service::{ChainType, Properties};

/// Specialized `ChainSpec`. This is a specialization of the general Substrate ChainSpec type.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token properties wallets read to show balances: `AIR`, 12 decimals, SS58 prefix 42.
pub fn chain_properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or_else(|| {
		"the runtime wasm was not built (SKIP_WASM_BUILD is set?): rebuild without it".to_string()
	})?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_protocol_id("airtime")
		.with_properties(chain_properties())
		.with_genesis_config_preset_name(preset)
		.build())
}

/// `--chain dev`: Alice alone authors and finalizes; dev accounts are endowed.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"Airtime Development",
		"airtime_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// `--chain local`: Alice, Bob, Charlie and Dave validate.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"Airtime Local Testnet",
		"airtime_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}
