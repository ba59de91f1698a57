//! Governance end to end on the `fast-runtime` `local` network: four validators, no sudo key,
//! every change by referendum (`e2e/js/referendum.mjs`, polkadot.js, the dev accounts voting).
//!
//! - A `param_admin` referendum doubles emission's block reward: the next epochs' pots grow by
//!   twice as much. Another, voted down, changes nothing.
//! - A fifth node registers session keys (`e2e/js/set-keys.mjs`), a `validator_admin`
//!   referendum adds it, and it authors blocks; another referendum removes a validator, which
//!   leaves the session's set while blocks keep finalizing.
//! - A `root` referendum authorizes a runtime upgrade (the same runtime built one
//!   `spec_version` higher, `scripts/env.sh`), anyone applies it, and the chain runs on with the
//!   new version while blocks keep finalizing.
//! - A second node with Dave's keys makes Dave equivocate: the other nodes report it, Dave is
//!   disabled at once and removed from the set.

use std::{process::Command, time::Duration};

use aetron_e2e::{
	miner::{eventually, keypair, submit_finalized, within},
	Finalized, Network,
};
use serde_json::{json, Value};
use subxt::{
	dynamic::{self, At},
	OnlineClient, SubstrateConfig,
};
use subxt_signer::sr25519::dev;

const AET: u128 = 1_000_000_000_000;

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}
/// `fast-runtime` emission epochs, in blocks.
const EPOCH: u128 = 10;

type Api = OnlineClient<SubstrateConfig>;

/// Runs one of the polkadot.js scripts in `e2e/js` and parses the JSON line it prints.
fn js(script: &str, args: &[&str]) -> Value {
	let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("js").join(script);
	let out = Command::new("node").arg(&path).args(args).output().expect("node.js runs");
	assert!(
		out.status.success(),
		"{script} failed: {}{}",
		String::from_utf8_lossy(&out.stdout),
		String::from_utf8_lossy(&out.stderr)
	);
	let stdout = String::from_utf8_lossy(&out.stdout);
	let line = stdout.lines().last().expect("the script prints a line");
	serde_json::from_str(line).unwrap_or_else(|e| panic!("{script} printed {line}: {e}"))
}

/// Keeps the twin's blocks different from Dave's own. BABE sees an equivocation only in two
/// *pre-seal* headers of one slot that differ; two nodes on one machine wake at the same slot
/// boundary, often stamp the same millisecond and hold the same transactions, so their blocks
/// can be equal but for the seal, and nothing is reported. A remark sent to the twin every
/// 700 ms (gossip forwards a transaction only after about three seconds) puts a transaction
/// into the twin's blocks that Dave's do not hold. The sender is an account of its own, funded
/// first, so its nonces never race the referendum script's voters.
async fn feed_remarks(api: &Api, twin: &mut aetron_e2e::Node) -> tokio::task::JoinHandle<()> {
	let feeder = keypair("//DaveTwinFeeder");
	let fund = dynamic::transaction(
		"Balances",
		"transfer_keep_alive",
		(subxt::utils::MultiAddress::<[u8; 32], ()>::Id(feeder.public_key().0), 1_000 * AET),
	);
	submit_finalized(api, &fund, &dev::alice()).await.unwrap();
	twin.rpc(Duration::from_secs(60)).await.unwrap();
	let twin_api = Api::from_url(twin.ws_url()).await.unwrap();
	tokio::spawn(async move {
		for n in 0u64.. {
			let remark = dynamic::transaction("System", "remark", (n.to_le_bytes().to_vec(),));
			// A failure (the twin still syncing, a nonce taken meanwhile) only skips a beat.
			if let Ok(at) = twin_api.at_current_block().await {
				let _ = at.transactions().sign_and_submit_default(&remark, &feeder).await;
			}
			tokio::time::sleep(Duration::from_millis(700)).await;
		}
	})
}

/// Takes `proposals` through referenda together; returns each one's result.
fn referenda(url: &str, proposals: &[Value]) -> Vec<Value> {
	let specs: Vec<String> = proposals.iter().map(Value::to_string).collect();
	let mut args = vec![url];
	args.extend(specs.iter().map(String::as_str));
	js("referendum.mjs", &args).as_array().expect("an array of results").clone()
}

/// The runtime-upgrade blob (`build_upgrade_runtime` in `scripts/env.sh`), next to the node
/// binary, compressed as a chain stores its code; and its blake2-256 hash.
fn upgrade_blob(dir: &std::path::Path) -> (std::path::PathBuf, [u8; 32]) {
	let wasm = aetron_e2e::node_binary().with_file_name("aetron-runtime-upgrade.wasm");
	let code = std::fs::read(&wasm).unwrap_or_else(|e| {
		panic!("{}: {e} (scripts/test.sh builds it with build_upgrade_runtime)", wasm.display())
	});
	let compressed = sp_maybe_compressed_blob::compress_strongly(
		&code,
		sp_maybe_compressed_blob::CODE_BLOB_BOMB_LIMIT,
	)
	.expect("the blob compresses within the bomb limit");
	let path = dir.join("aetron-runtime-upgrade.compressed.wasm");
	std::fs::write(&path, &compressed).unwrap();
	(path, sp_crypto_hashing::blake2_256(&compressed))
}

/// The chain's `spec_version` now.
async fn spec_version(rpc: &aetron_e2e::Rpc) -> u64 {
	let version = rpc.call("state_getRuntimeVersion", subxt::rpcs::rpc_params![]).await.unwrap();
	version["specVersion"].as_u64().expect("specVersion")
}

fn ss58(who: [u8; 32]) -> String {
	subxt::utils::AccountId32(who).to_string()
}

/// The storage value `pallet.item` at block `number` (the best block if `None`), decoded as `V`.
async fn value_at<V: subxt::ext::scale_decode::DecodeAsType>(
	api: &Api,
	number: Option<u64>,
	pallet: &str,
	item: &str,
) -> V {
	let at = match number {
		Some(number) => api.at_block(number).await.unwrap(),
		None => api.at_current_block().await.unwrap(),
	};
	let address = dynamic::storage::<(), V>(pallet, item);
	at.storage().fetch(address, ()).await.unwrap().decode().unwrap()
}

/// A storage value at the best block, as a dynamic value.
async fn storage(api: &Api, pallet: &str, item: &str) -> dynamic::Value {
	value_at(api, None, pallet, item).await
}

/// The accounts of a `Vec<AccountId>` storage value at the best block.
async fn accounts(api: &Api, pallet: &str, item: &str) -> Vec<[u8; 32]> {
	value_at(api, None, pallet, item).await
}

/// Emission's block reward in force.
async fn block_reward(api: &Api) -> u128 {
	storage(api, "Emission", "Params")
		.await
		.at("initial_block_reward")
		.and_then(|v| v.as_u128())
		.unwrap()
}

/// `(block, pot, rolled_over)` of every `EpochSplit` in blocks `from..=to`.
async fn epoch_splits(api: &Api, from: u64, to: u64) -> Vec<(u64, u128, u128)> {
	let mut splits = Vec::new();
	for number in from..=to {
		let at = api.at_block(number).await.unwrap();
		for event in at.events().fetch().await.unwrap().iter() {
			let event = event.unwrap_or_else(|e| panic!("an event of block {number} decodes: {e}"));
			if event.pallet_name() == "Emission" && event.event_name() == "EpochSplit" {
				let (_epoch, pot, _distributed, rolled_over) =
					event.decode_fields_unchecked_as::<(u32, u128, u128, u128)>().unwrap();
				splits.push((number, pot, rolled_over));
			}
		}
	}
	splits
}

/// What the pot gained from one split to the next, for consecutive splits in `splits`.
fn pot_growth(splits: &[(u64, u128, u128)]) -> Vec<u128> {
	splits.windows(2).map(|w| w[1].1 - w[0].2).collect()
}

/// The first block in `from..=to` with an event `pallet.name` whose encoded fields satisfy
/// `matches`.
async fn find_event(
	api: &Api,
	(from, to): (u64, u64),
	(pallet, name): (&str, &str),
	matches: impl Fn(&[u8]) -> bool,
) -> Option<u64> {
	for number in from..=to {
		let at = api.at_block(number).await.unwrap();
		for event in at.events().fetch().await.unwrap().iter() {
			let event = event.unwrap_or_else(|e| panic!("an event of block {number} decodes: {e}"));
			if event.pallet_name() == pallet
				&& event.event_name() == name
				&& matches(event.field_bytes())
			{
				return Some(number);
			}
		}
	}
	None
}

/// Every event of the pallets in `pallets` (and failed extrinsics) from block `from` to `to`,
/// a line each: what a failed equivocation step needs to be understood.
async fn events_of(api: &Api, (from, to): (u64, u64), pallets: &[&str]) -> String {
	let mut lines = Vec::new();
	for number in from..=to {
		let Ok(at) = api.at_block(number).await else { continue };
		let Ok(events) = at.events().fetch().await else { continue };
		for event in events.iter().filter_map(Result::ok) {
			let (pallet, name) = (event.pallet_name(), event.event_name());
			if pallets.contains(&pallet) || name == "ExtrinsicFailed" {
				lines.push(format!("#{number} {pallet}.{name} 0x{}", hex(event.field_bytes())));
			}
		}
	}
	lines.join("\n")
}

/// Whether encoded event fields start with the account `who`.
fn starts_with(who: [u8; 32]) -> impl Fn(&[u8]) -> bool {
	move |bytes| bytes.len() >= 32 && bytes[..32] == who
}

#[tokio::test(flavor = "multi_thread")]
async fn referenda_change_parameters_and_the_validator_set_and_an_equivocator_is_removed() {
	let mut network = Network::from_spec("local.toml").await;
	let url = network.nodes[0].ws_url();
	let rpc = network.nodes[0].rpc(Duration::from_secs(60)).await.unwrap();
	rpc.wait_for("the network to finalize", Duration::from_secs(120), Finalized, |n| n >= 1)
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", network.logs(20)));
	let api = Api::from_url(&url).await.unwrap();
	let [alice, bob, charlie, dave, eve] =
		[dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::eve()]
			.map(|k| k.public_key().0);
	assert_eq!(accounts(&api, "Session", "Validators").await, vec![alice, bob, charlie, dave]);
	let at = api.at_current_block().await.unwrap();
	let sudo =
		at.storage().try_fetch(dynamic::storage::<(), [u8; 32]>("Sudo", "Key"), ()).await.unwrap();
	assert!(sudo.is_none(), "the local chain has no sudo key");
	let best = async || rpc.best_number().await.unwrap();

	// Eve's node joins as a would-be validator and registers keys only it holds.
	let eve_node = network.add("eve", &["--chain", "local", "--validator", "--name", "eve"]);
	network.nodes[eve_node].rpc(Duration::from_secs(60)).await.unwrap();
	let eve_url = network.nodes[eve_node].ws_url();
	let keys = js("set-keys.mjs", &[&eve_url, "//Eve"]);
	assert_eq!(keys["account"], ss58(eve));

	let reward = block_reward(&api).await;
	assert_eq!(reward, 10 * AET);
	let claim_window =
		storage(&api, "Emission", "Params").await.at("claim_window").and_then(|v| v.as_u128());
	let dir = tempfile::tempdir().unwrap();
	let (upgrade, code_hash) = upgrade_blob(dir.path());
	let old_spec = spec_version(&rpc).await;
	let results = referenda(
		&url,
		&[
			json!({"origin": "Root", "call": "system.authorizeUpgrade",
				"args": [format!("0x{}", hex(&code_hash))]}),
			json!({"origin": "ParamAdmin", "call": "emission.setParams",
				"patch": {"initialBlockReward": (2 * reward).to_string()}}),
			json!({"origin": "ParamAdmin", "call": "emission.setParams",
				"patch": {"claimWindow": 77}, "aye": false}),
			json!({"origin": "ValidatorAdmin", "call": "validators.addValidator", "args": [ss58(eve)]}),
		],
	);
	let outcome =
		|i: usize| (results[i]["outcome"].as_str().unwrap(), results[i]["dispatched"].as_str());
	assert_eq!(outcome(0), ("approved", Some("ok")), "{results:?}");
	assert_eq!(outcome(1), ("approved", Some("ok")), "{results:?}");
	assert_eq!(outcome(2), ("rejected", None), "{results:?}");
	assert_eq!(outcome(3), ("approved", Some("ok")), "{results:?}");
	let results = &results[1..];
	let enacted = results[0]["enactedAt"].as_u64().unwrap();
	let before = epoch_splits(&api, 1, enacted).await;

	// The upgrade: anyone sends the authorized code; the chain runs on with the new version.
	let applied = js("apply-upgrade.mjs", &[&url, upgrade.to_str().unwrap()]);
	let applied_at = applied["number"].as_u64().unwrap();
	eventually("the new spec_version", 60, async || spec_version(&rpc).await == old_spec + 1).await;
	rpc.wait_for("finality past the upgrade", Duration::from_secs(120), Finalized, |n| {
		n >= applied_at + 3
	})
	.await
	.unwrap_or_else(|e| panic!("{e}\n{}", network.logs(20)));
	let api = Api::from_url(&url).await.unwrap();

	// The reward doubled, and the epochs after the enactment show it: each pot grows by ten
	// blocks' rewards less the author's 10 % (no neuronet is staked, so the pot rolls over).
	assert_eq!(block_reward(&api).await, 2 * reward);
	// Before it: the first split holds the blocks before it (the split precedes its block's
	// mint), each later one ten blocks more, at the old reward.
	let old = reward * 9 / 10;
	let (first, _, _) = before.first().copied().expect("an epoch split before the change");
	assert_eq!(before[0].1, u128::from(first - 1) * old, "{before:?}");
	assert!(pot_growth(&before).iter().all(|g| *g == EPOCH * old), "{before:?}");
	eventually("two epochs after the new reward", 120, async || {
		epoch_splits(&api, enacted + 1, best().await).await.len() >= 3
	})
	.await;
	let after = pot_growth(&epoch_splits(&api, enacted + 1, best().await).await);
	assert!(
		!after.is_empty() && after.iter().all(|g| *g == EPOCH * 2 * reward * 9 / 10),
		"after: {after:?}"
	);
	// The rejected referendum changed nothing.
	assert_eq!(
		storage(&api, "Emission", "Params").await.at("claim_window").and_then(|v| v.as_u128()),
		claim_window
	);

	// Eve validates from the second session boundary on, and authors (is minted the author's
	// share of) a block.
	let added = results[2]["enactedAt"].as_u64().unwrap();
	eventually("Eve in the session's validators", 240, async || {
		accounts(&api, "Session", "Validators").await.contains(&eve)
	})
	.await;
	let mut authored = None;
	eventually("a block authored by Eve", 180, async || {
		authored =
			find_event(&api, (added, best().await), ("Balances", "Minted"), starts_with(eve)).await;
		authored.is_some()
	})
	.await;

	// Charlie is voted out while Dave's keys run on a second node, which makes Dave equivocate.
	// The search starts before the twin does: its first equivocation may be reported while the
	// feeder is still being funded.
	let since = best().await;
	let twin = network.add("dave-twin", &["--chain", "local", "--validator", "--dave"]);
	let mut feeder = feed_remarks(&api, &mut network.nodes[twin]).await;
	let removal = referenda(
		&url,
		&[
			json!({"origin": "ValidatorAdmin", "call": "validators.removeValidator", "args": [ss58(charlie)]}),
		],
	);
	assert_eq!(removal[0]["outcome"], "approved", "{removal:?}");
	assert_eq!(removal[0]["dispatched"], "ok", "{removal:?}");
	// The twin runs until the other nodes have reported Dave, then stops: left running, it forks
	// the chain at each of Dave's slots while the report is on its way into a block. Should no
	// removal follow within two minutes, it starts again for a fresh equivocation.
	let count = |node: &aetron_e2e::Node, needle| node.log_matching(needle).lines().count();
	let reports = |network: &Network| -> usize {
		let honest = network.nodes.iter().enumerate().filter(|(i, _)| *i != twin);
		honest.map(|(_, node)| count(node, "Submitted equivocation report for")).sum()
	};
	let removed_since = async || {
		find_event(
			&api,
			(since, best().await),
			("Validators", "OffenderRemoved"),
			starts_with(dave),
		)
		.await
	};
	let mut reported = None;
	for round in 1..=3 {
		let before = if round == 1 { 0 } else { reports(&network) };
		within(180, async || reports(&network) > before).await;
		feeder.abort();
		network.nodes[twin].stop();
		within(120, async || {
			reported = removed_since().await;
			reported.is_some()
		})
		.await;
		if reported.is_some() || round == 3 {
			break;
		}
		network.nodes[twin].restart().expect("the twin starts again");
		feeder = feed_remarks(&api, &mut network.nodes[twin]).await;
	}
	if reported.is_none() {
		let events =
			events_of(&api, (since, best().await), &["Offences", "Validators", "Session"]).await;
		let seen: Vec<String> = network
			.nodes
			.iter()
			.map(|node| {
				format!(
					"{}: {} equivocations seen, {} reports submitted, {} refused as not local, \
					 {} reorgs",
					node.config.name,
					count(node, "is equivocating"),
					count(node, "Submitted equivocation report for"),
					count(node, "not local/in-block"),
					count(node, "Reorg"),
				)
			})
			.collect();
		panic!(
			"Dave was not reported and removed.\nEvents since #{since}:\n{events}\n{}\n\
			 Last lines:\n{}",
			seen.join("\n"),
			network.logs(8)
		);
	}
	let reported = reported.expect("found above");
	// Disabled in the session it offended in: BABE takes no more blocks from it.
	let disabled: Vec<(u32, u32)> =
		value_at(&api, Some(reported), "Session", "DisabledValidators").await;
	let validators: Vec<[u8; 32]> = value_at(&api, Some(reported), "Session", "Validators").await;
	let dave_index =
		validators.iter().position(|v| *v == dave).expect("Dave validates then") as u32;
	assert!(disabled.iter().any(|(i, _)| *i == dave_index), "{disabled:?}");
	// Reported as a BABE or a GRANDPA equivocation (the offence kind is the first field).
	let equivocation = find_event(&api, (since, reported), ("Offences", "Offence"), |b| {
		b.starts_with(b"babe:equivocatio") || b.starts_with(b"grandpa:equivoca")
	});
	assert!(equivocation.await.is_some(), "an equivocation offence");

	// Both changes reach the session's set; the three left keep finalizing.
	eventually("Charlie and Dave out of the session's validators", 240, async || {
		accounts(&api, "Session", "Validators").await == vec![alice, bob, eve]
	})
	.await;
	let finalized = rpc.finalized_number().await.unwrap();
	rpc.wait_for("finality with the new set", Duration::from_secs(120), Finalized, |n| {
		n >= finalized + 3
	})
	.await
	.unwrap_or_else(|e| panic!("{e}\n{}", network.logs(20)));
}
