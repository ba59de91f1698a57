//! Genesis presets: `development` (Alice alone), `local_testnet` (Alice, Bob, Charlie, Dave) and
//! `production` (the shape of a live chain's genesis).
//!
//! The first two fund the well-known dev accounts. Only `development` has a `sudo` key (Alice):
//! `local_testnet` and `production` are governed by referendum alone (DESIGN §14).
//! The treasury account starts with the existential deposit so that it exists before the first
//! fee or dust arrives.

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{
	opaque::SessionKeys, AccountId, ArbitrationConfig, BabeConfig, Balance, BalancesConfig,
	EmissionConfig, NeuronetsConfig, RestakingConfig, RuntimeGenesisConfig, SessionConfig,
	SudoConfig, TreasuryAccount, ValidatorsConfig, WorkConfig, AET, BABE_GENESIS_EPOCH_CONFIG,
	EXISTENTIAL_DEPOSIT,
};

/// The neuronets pallet's first parameters: its defaults (a heartbeat a minute at most, an
/// hourly fee half-life, ×1.26 a registration, proofs of work valid two minutes and steering
/// toward four an hour, a difficulty of at least 1024) with a 100 AET neuronet deposit.
pub fn neuronets_params() -> pallet_neuronets::NeuronetsParams<Balance> {
	pallet_neuronets::NeuronetsParams { neuronet_deposit: 100 * AET, ..Default::default() }
}

/// The work protocol's first parameters: the pallet's defaults, or with `fast-runtime` windows
/// of a few blocks so a devnet or a test sees a batch confirmed within minutes (minute-long
/// BABE epochs, 10-block emission epochs; settlement after six of them).
pub fn work_params() -> pallet_work::WorkParams {
	let defaults = pallet_work::WorkParams::default();
	if cfg!(feature = "fast-runtime") {
		pallet_work::WorkParams {
			max_commits_per_epoch: 20,
			commit_window: 4,
			reveal_window: 4,
			sampling_retry: 2,
			settlement_epochs: 6,
			..defaults
		}
	} else {
		defaults
	}
}

/// Arbitration's first parameters: the pallet's defaults with a bond of 10 AET (a tenth of a
/// neuronet deposit: enough that a challenge is not free, little next to what a caught cheat
/// forfeits), or with `fast-runtime` windows of a few blocks so a test sees a dispute decided
/// within a minute or two.
pub fn arbitration_params() -> pallet_arbitration::ArbitrationParams<Balance> {
	let defaults =
		pallet_arbitration::ArbitrationParams { challenger_bond: 10 * AET, ..Default::default() };
	if cfg!(feature = "fast-runtime") {
		pallet_arbitration::ArbitrationParams {
			answer_window: 6,
			commit_window: 4,
			reveal_window: 4,
			keep_decided: 100,
			..defaults
		}
	} else {
		defaults
	}
}

/// Restaking's first parameters: the pallet's defaults (one AET at least, a week to unbond), or
/// with `fast-runtime` two minutes to unbond so a test sees a withdrawal.
pub fn restaking_params() -> pallet_restaking::RestakingParams {
	let defaults = pallet_restaking::RestakingParams::default();
	if cfg!(feature = "fast-runtime") {
		pallet_restaking::RestakingParams { unbonding_period: 20, ..defaults }
	} else {
		defaults
	}
}

/// Emission's first parameters: the pallet's defaults (10 AET a block halving every four
/// years, 80 / 15 / 5 inside a neuronet), or with `fast-runtime` 10-block epochs' figures: full
/// uptime at the one heartbeat a 10-block heartbeat period allows, 10 work units an epoch per
/// AET staked, claims open for 30 epochs (the work pallet settles after 6).
pub fn emission_params() -> pallet_emission::EmissionParams {
	let defaults = pallet_emission::EmissionParams::default();
	if cfg!(feature = "fast-runtime") {
		pallet_emission::EmissionParams {
			full_uptime_heartbeats: 1,
			capacity_per_stake: 10,
			claim_window: 30,
			..defaults
		}
	} else {
		defaults
	}
}

/// What each well-known dev account holds at genesis: one million AET.
pub const ENDOWMENT: Balance = 1_000_000 * AET;

/// A validator's identity at genesis: its account and its session keys.
pub struct Authority {
	/// The validator's account (also its session `ValidatorId`).
	pub account: AccountId,
	/// BABE key.
	pub babe: BabeId,
	/// GRANDPA key.
	pub grandpa: GrandpaId,
}

impl Authority {
	/// The authority derived from a well-known dev seed (`//Alice`, …).
	pub fn from_keyring(sr: Sr25519Keyring, ed: Ed25519Keyring) -> Self {
		Self { account: sr.to_account_id(), babe: sr.public().into(), grandpa: ed.public().into() }
	}
}

/// The well-known dev accounts that genesis funds.
pub fn endowed_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// [`ENDOWMENT`] for each well-known dev account.
fn dev_endowments() -> Vec<(AccountId, Balance)> {
	endowed_accounts().into_iter().map(|account| (account, ENDOWMENT)).collect()
}

/// The JSON patch of a genesis with these authorities, balances and `sudo` key (none: no sudo,
/// governance by referendum only).
pub fn genesis(
	authorities: Vec<Authority>,
	endowed: Vec<(AccountId, Balance)>,
	sudo: Option<AccountId>,
) -> Value {
	// The set may never shrink below three validators on a multi-validator chain (one offline
	// or disabled of four still finalizes); a one-validator dev chain keeps its one.
	let min_validators = authorities.len().clamp(1, 3) as u32;
	let validators: Vec<AccountId> = authorities.iter().map(|a| a.account.clone()).collect();
	let mut balances = endowed;
	balances.push((TreasuryAccount::get(), EXISTENTIAL_DEPOSIT));
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances },
		babe: BabeConfig { epoch_config: BABE_GENESIS_EPOCH_CONFIG },
		session: SessionConfig {
			keys: authorities
				.into_iter()
				.map(|a| {
					(a.account.clone(), a.account, SessionKeys { babe: a.babe, grandpa: a.grandpa })
				})
				.collect::<Vec<_>>(),
		},
		validators: ValidatorsConfig { validators, min_validators },
		sudo: SudoConfig { key: sudo },
		neuronets: NeuronetsConfig { params: neuronets_params() },
		work: WorkConfig { params: work_params() },
		arbitration: ArbitrationConfig { params: arbitration_params() },
		restaking: RestakingConfig { params: restaking_params() },
		emission: EmissionConfig { params: emission_params() },
	})
}

/// Alice, Bob, Charlie and Dave as authorities.
fn four_dev_authorities() -> Vec<Authority> {
	vec![
		Authority::from_keyring(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		Authority::from_keyring(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		Authority::from_keyring(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		Authority::from_keyring(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	]
}

/// `development`: Alice is the only authority and the sudo key.
pub fn development() -> Value {
	genesis(
		vec![Authority::from_keyring(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_endowments(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// `local_testnet`: Alice, Bob, Charlie and Dave are authorities; no sudo key.
pub fn local_testnet() -> Value {
	genesis(four_dev_authorities(), dev_endowments(), None)
}

/// The name of the production-style preset.
pub const PRODUCTION_RUNTIME_PRESET: &str = "production";

/// What each genesis validator of the `production` preset holds: enough to propose, place
/// decision deposits and vote until the chain has other stakeholders.
pub const PRODUCTION_VALIDATOR_ENDOWMENT: Balance = 100_000 * AET;

/// `production`: the shape of a live chain's genesis. No sudo key and no dev endowments; the
/// validators (here the four dev authorities, as placeholders) each hold
/// [`PRODUCTION_VALIDATOR_ENDOWMENT`] and are the first electorate. An operator exports it
/// (`aetron-node export-chain-spec --chain production`), replaces the authorities' accounts and
/// session keys with real ones, and launches from that file.
pub fn production() -> Value {
	let authorities = four_dev_authorities();
	let balances =
		authorities.iter().map(|a| (a.account.clone(), PRODUCTION_VALIDATOR_ENDOWMENT)).collect();
	genesis(authorities, balances, None)
}

/// The JSON of the preset `id`, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
		PRODUCTION_RUNTIME_PRESET => production(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(|s| s.into_bytes())
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEV_RUNTIME_PRESET),
		PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(PRODUCTION_RUNTIME_PRESET),
	]
}
