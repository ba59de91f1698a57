//! Neuronets on a dev node: an owner creates one; one worker registers by fee, another by proof
//! of work; heartbeats count in the slot; bad registrations are refused by name.

use std::process::Command;

use aetron_e2e::{dev_node, worker_binary};
use subxt::{dynamic, ext::scale_encode::EncodeAsType, OnlineClient, SubstrateConfig};
use subxt_signer::sr25519::dev;

const AET: u128 = 1_000_000_000_000;

#[derive(EncodeAsType)]
#[encode_as_type(crate_path = "subxt::ext::scale_encode")]
struct Spec {
	name: Vec<u8>,
	task: Task,
	model: ModelSpec,
	economics: Economics,
}

#[derive(EncodeAsType)]
#[encode_as_type(crate_path = "subxt::ext::scale_encode")]
#[allow(dead_code)]
enum Task {
	Embedding,
	TextGeneration,
}

#[derive(EncodeAsType)]
#[encode_as_type(crate_path = "subxt::ext::scale_encode")]
struct ModelSpec {
	weights_hash: [u8; 32],
	config_hash: [u8; 32],
	tokenizer_hash: [u8; 32],
	min_memory_mib: u32,
}

#[derive(EncodeAsType)]
#[encode_as_type(crate_path = "subxt::ext::scale_encode")]
struct Economics {
	units_per_input_token: u32,
	units_per_output_token: u32,
	fee_floor: u128,
	fee_cap: u128,
	max_slots: u32,
	pow_difficulty: u64,
}

#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Slot {
	neuronet: u32,
	coldkey: [u8; 32],
	hotkey: [u8; 32],
	endpoint: Vec<u8>,
	heartbeats: u32,
}

fn worker(args: &[&str]) -> std::process::Output {
	Command::new(worker_binary()).args(args).output().expect("worker runs")
}

async fn slot(api: &OnlineClient<SubstrateConfig>, id: u64) -> Option<Slot> {
	let at = api.at_current_block().await.unwrap();
	let address = dynamic::storage::<(u64,), Slot>("Neuronets", "Slots");
	at.storage().try_fetch(address, (id,)).await.unwrap().map(|v| v.decode().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn workers_register_by_fee_and_by_pow_and_heartbeat() {
	let (node, _rpc, _) = dev_node().await;
	let url = node.ws_url();
	let api = OnlineClient::<SubstrateConfig>::from_insecure_url(&url).await.unwrap();

	let spec = Spec {
		name: b"all-MiniLM-L6-v2".to_vec(),
		task: Task::Embedding,
		model: ModelSpec {
			weights_hash: [1; 32],
			config_hash: [2; 32],
			tokenizer_hash: [3; 32],
			min_memory_mib: 256,
		},
		economics: Economics {
			units_per_input_token: 1,
			units_per_output_token: 1,
			fee_floor: AET,
			fee_cap: 100 * AET,
			max_slots: 0,
			pow_difficulty: 2048,
		},
	};
	let tx = dynamic::transaction("Neuronets", "create_neuronet", (spec,));
	api.at_current_block()
		.await
		.unwrap()
		.transactions()
		.sign_and_submit_then_watch_default(&tx, &dev::alice())
		.await
		.unwrap()
		.wait_for_finalized_success()
		.await
		.unwrap_or_else(|e| panic!("create_neuronet failed: {e}\n{}", node.log_tail(30)));

	// Bob pays the fee (1 AET at the floor); Charlie proves work.
	let out = worker(&[
		"register",
		"--url",
		&url,
		"--neuronet",
		"0",
		"--suri",
		"//Bob",
		"--hotkey-suri",
		"//Bob//worker",
		"--endpoint",
		"http://127.0.0.1:8080",
		"--fee",
		"2",
	]);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let text = String::from_utf8(out.stdout).unwrap();
	assert_eq!(text.trim(), "registered slot 0 in neuronet 0 (fee 1 AET)");
	let out = worker(&[
		"register",
		"--url",
		&url,
		"--neuronet",
		"0",
		"--suri",
		"//Charlie",
		"--hotkey-suri",
		"//Charlie//worker",
		"--pow",
		"--threads",
		"2",
	]);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let text = String::from_utf8(out.stdout).unwrap();
	assert!(
		text.starts_with("registered slot 1 in neuronet 0 (proof of work at difficulty"),
		"{text}"
	);

	let bob = slot(&api, 0).await.expect("slot 0");
	assert_eq!((bob.neuronet, bob.coldkey, bob.heartbeats), (0, dev::bob().public_key().0, 0));
	assert_eq!(bob.endpoint, b"http://127.0.0.1:8080".to_vec());
	let charlie = slot(&api, 1).await.expect("slot 1");
	assert_eq!(charlie.coldkey, dev::charlie().public_key().0);
	let hot: subxt_signer::SecretUri = "//Charlie//worker".parse().unwrap();
	assert_eq!(
		charlie.hotkey,
		subxt_signer::sr25519::Keypair::from_uri(&hot).unwrap().public_key().0
	);

	// The hotkey holds a little AET: a heartbeat's fee is charged up front and refunded when the
	// heartbeat is valid (`Pays::No`).
	let hot_id = charlie.hotkey;
	let fund = dynamic::transaction(
		"Balances",
		"transfer_keep_alive",
		(subxt::utils::MultiAddress::<[u8; 32], ()>::Id(hot_id), AET),
	);
	api.at_current_block()
		.await
		.unwrap()
		.transactions()
		.sign_and_submit_then_watch_default(&fund, &dev::charlie())
		.await
		.unwrap()
		.wait_for_finalized_success()
		.await
		.unwrap();
	let free = |api: OnlineClient<SubstrateConfig>| async move {
		#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
		#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
		struct Info {
			data: Data,
		}
		#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
		#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
		struct Data {
			free: u128,
		}
		let at = api.at_current_block().await.unwrap();
		let address = dynamic::storage::<([u8; 32],), Info>("System", "Account");
		at.storage().fetch(address, (hot_id,)).await.unwrap().decode().unwrap().data.free
	};
	let before = free(api.clone()).await;

	// A heartbeat from the hotkey counts and costs nothing; a second one at once is too soon; a
	// stranger's fails.
	let out =
		worker(&["heartbeat", "--url", &url, "--hotkey-suri", "//Charlie//worker", "--slot", "1"]);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	assert_eq!(slot(&api, 1).await.unwrap().heartbeats, 1);
	assert_eq!(free(api.clone()).await, before, "a valid heartbeat is free");
	let out =
		worker(&["heartbeat", "--url", &url, "--hotkey-suri", "//Charlie//worker", "--slot", "1"]);
	assert_eq!(out.status.code(), Some(1));
	assert!(
		String::from_utf8_lossy(&out.stderr).contains("HeartbeatTooSoon"),
		"{}",
		String::from_utf8_lossy(&out.stderr)
	);
	let out = worker(&["heartbeat", "--url", &url, "--hotkey-suri", "//Dave", "--slot", "1"]);
	assert!(
		String::from_utf8_lossy(&out.stderr).contains("NotSlotKey"),
		"{}",
		String::from_utf8_lossy(&out.stderr)
	);

	// The same hotkey twice, a fee above the maximum, an unknown neuronet.
	let out = worker(&[
		"register",
		"--url",
		&url,
		"--neuronet",
		"0",
		"--suri",
		"//Bob",
		"--hotkey-suri",
		"//Bob//worker",
		"--fee",
		"5",
	]);
	assert!(
		String::from_utf8_lossy(&out.stderr).contains("HotkeyTaken"),
		"{}",
		String::from_utf8_lossy(&out.stderr)
	);
	let out = worker(&[
		"register",
		"--url",
		&url,
		"--neuronet",
		"0",
		"--suri",
		"//Bob",
		"--hotkey-suri",
		"//Bob//second",
		"--fee",
		"0.5",
	]);
	assert!(
		String::from_utf8_lossy(&out.stderr).contains("above --fee"),
		"{}",
		String::from_utf8_lossy(&out.stderr)
	);
	let out = worker(&[
		"register",
		"--url",
		&url,
		"--neuronet",
		"7",
		"--suri",
		"//Bob",
		"--hotkey-suri",
		"//Bob//second",
		"--fee",
		"5",
	]);
	assert!(
		String::from_utf8_lossy(&out.stderr).contains("no neuronet 7"),
		"{}",
		String::from_utf8_lossy(&out.stderr)
	);
}
