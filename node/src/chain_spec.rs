//! The built-in chain specs (`dev`, `local`, `production`) and loading of chain-spec files.

use aetron_primitives::currency::{DECIMALS, SYMBOL};
use aetron_runtime::WASM_BINARY;
use sc_service::ChainType;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use std::path::PathBuf;

/// Chain spec of an AETRON chain: the runtime's genesis presets plus node-side fields.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Properties that wallets and polkadot.js read to show balances right.
fn properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	properties.insert("tokenSymbol".into(), SYMBOL.into());
	properties.insert("tokenDecimals".into(), DECIMALS.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the wasm runtime is not available: this node was built with SKIP_WASM_BUILD".to_string()
	})
}

/// `dev`: one authority (Alice), for a single-node development chain.
pub fn development() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("AETRON Development")
		.with_id("aetron_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `local`: four authorities (Alice, Bob, Charlie, Dave) for a local test network.
pub fn local_testnet() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("AETRON Local Testnet")
		.with_id("aetron_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `production`: the shape of a live chain (no sudo, only the validators funded, with the dev
/// authorities as placeholders): export it, put real validators in, launch from the file.
pub fn production() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("AETRON")
		.with_id("aetron")
		.with_chain_type(ChainType::Live)
		.with_genesis_config_preset_name(
			aetron_runtime::genesis_config_presets::PRODUCTION_RUNTIME_PRESET,
		)
		.with_properties(properties())
		.build())
}

/// Resolves `--chain ID`: a built-in name or the path of a chain-spec JSON file.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"" | "dev" => Box::new(development()?),
		"local" => Box::new(local_testnet()?),
		"production" => Box::new(production()?),
		path => {
			let path = PathBuf::from(path);
			if !path.is_file() {
				return Err(format!(
					"unknown chain `{id}`: expected `dev`, `local`, `production` or the path of a chain-spec JSON file"
				));
			}
			Box::new(
				ChainSpec::from_json_file(path.clone())
					.map_err(|e| format!("invalid chain spec {}: {e}", path.display()))?,
			)
		}
	})
}
