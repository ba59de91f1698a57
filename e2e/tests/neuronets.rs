//! Neuronets on a dev node, driven by the worker binary as owners and miners use it:
//! - an owner creates a MiniLM embedding neuronet from a TOML spec (its reference checks
//!   computed by running the model);
//! - the node's RPC returns the neuronet and its slots as JSON;
//! - one worker registers by fee, another by proof of work; both become Active after their
//!   reference checks;
//! - heartbeats from a hotkey without any balance are free and show in the slot;
//! - polkadot.js (@polkadot/api) reads the neuronet and slot storage and decodes the
//!   registration events;
//! - bad registrations and heartbeats are refused by name.

use std::process::Command;

use aetron_e2e::{dev_node, minilm_spec as spec_file, models, worker_binary, Rpc};
use serde_json::Value;
use subxt::{dynamic, ext::scale_value::At, rpcs::rpc_params, OnlineClient, SubstrateConfig};
use subxt_signer::{sr25519::Keypair, SecretUri};

fn worker(args: &[&str]) -> std::process::Output {
	Command::new(worker_binary()).args(args).output().expect("worker runs")
}

fn stdout(out: &std::process::Output) -> String {
	String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
	String::from_utf8_lossy(&out.stderr).into_owned()
}

fn account(suri: &str) -> [u8; 32] {
	let uri: SecretUri = suri.parse().unwrap();
	Keypair::from_uri(&uri).unwrap().public_key().0
}

/// Alice creates the MiniLM neuronet from its spec file with `aetron-worker neuronet create`.
fn create_neuronet(url: &str, dir: &std::path::Path) -> std::process::Output {
	let spec = spec_file(dir);
	worker(&[
		"neuronet",
		"create",
		"--url",
		url,
		"--suri",
		"//Alice",
		"--spec",
		spec.to_str().unwrap(),
	])
}

async fn slot_json(rpc: &Rpc, id: u64) -> Value {
	rpc.call("neuronets_slot", rpc_params![id]).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn owners_create_and_workers_join_by_fee_and_by_pow() {
	let (node, rpc, _) = dev_node().await;
	let url = node.ws_url();
	let scratch = tempfile::tempdir().unwrap();
	let minilm = models().join("all-minilm-l6-v2");
	let minilm = minilm.to_str().unwrap();

	// The owner (Alice) creates the neuronet from its spec file.
	let out = create_neuronet(&url, scratch.path());
	assert!(out.status.success(), "{}\n{}", stderr(&out), node.log_tail(20));
	assert_eq!(
		stdout(&out).trim(),
		"created neuronet 0 (all-MiniLM-L6-v2) with 2 reference checks"
	);

	// The RPC answers JSON: the neuronet, its price as a decimal string, its checks.
	let list = rpc.call("neuronets_list", rpc_params![]).await.unwrap();
	let n = &list[0];
	assert_eq!(n["id"], 0);
	assert_eq!(n["name"], "all-MiniLM-L6-v2");
	assert_eq!(n["status"], "Active");
	assert_eq!(n["task"], "Embedding");
	assert_eq!(n["registrationPrice"], "1000000000000");
	assert_eq!(n["referenceChecks"].as_array().unwrap().len(), 2);
	assert_eq!(n["referenceChecks"][0]["input"], "The quick brown fox jumps over the lazy dog.");
	assert_eq!(rpc.call("neuronets_get", rpc_params![0]).await.unwrap(), *n);
	assert_eq!(rpc.call("neuronets_get", rpc_params![9]).await.unwrap(), Value::Null);

	// The worker sees that this machine fits it (the model is here).
	let out =
		worker(&["neuronets", "--url", &url, "--models", models().to_str().unwrap(), "--json"]);
	assert!(out.status.success(), "{}", stderr(&out));
	let ranked: Value = serde_json::from_str(&stdout(&out)).unwrap();
	assert_eq!(ranked[0]["id"], 0);
	assert_eq!(ranked[0]["fits"], true, "{ranked}");
	assert_eq!(ranked[0]["aetPerWorkUnit"], 0.0, "no stake yet, so no income");

	// Bob pays the fee; his worker proves the model and the slot becomes Active.
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
		"--model-dir",
		minilm,
		"--endpoint",
		"http://127.0.0.1:8080",
		"--fee",
		"2",
	]);
	assert!(out.status.success(), "{}", stderr(&out));
	let text = stdout(&out);
	assert!(text.contains("registered slot 0 in neuronet 0 (fee 1 AET)"), "{text}");
	assert!(text.contains("slot 0 is Active"), "{text}");

	// Charlie proves work; his hotkey has no balance at all and still sends its reference
	// checks and heartbeats, which are free.
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
		"--model-dir",
		minilm,
		"--pow",
		"--threads",
		"2",
	]);
	assert!(out.status.success(), "{}", stderr(&out));
	let text = stdout(&out);
	assert!(
		text.contains("registered slot 1 in neuronet 0 (proof of work at difficulty"),
		"{text}"
	);
	assert!(text.contains("slot 1 is Active"), "{text}");

	let bob = slot_json(&rpc, 0).await;
	assert_eq!(bob["status"], "Active");
	assert_eq!(bob["endpoint"], "http://127.0.0.1:8080");
	// New slots start at the initial reputation, 0.1, which decays 0.5 % an epoch (ten blocks
	// in the fast-runtime build these tests run).
	let reputation = bob["reputation"].as_f64().unwrap();
	assert!(reputation <= 0.1 && reputation > 0.09, "{bob}");
	assert!(bob["benchmarkUnitsPerSecond"].as_u64().unwrap() > 0, "{bob}");
	let bobs = rpc
		.call("neuronets_slotsOf", rpc_params![format!("0x{}", hex(&account("//Bob")))])
		.await
		.unwrap();
	assert_eq!(bobs.as_array().unwrap().len(), 1);
	assert_eq!(bobs[0]["id"], 0);

	let api = OnlineClient::<SubstrateConfig>::from_insecure_url(&url).await.unwrap();
	let hot = account("//Charlie//worker");
	let free = || async {
		let at = api.at_current_block().await.unwrap();
		let address =
			dynamic::storage::<([u8; 32],), subxt::ext::scale_value::Value>("System", "Account");
		let info = at.storage().fetch(address, (hot,)).await.unwrap().decode().unwrap();
		info.at("data").and_then(|d| d.at("free")).and_then(|f| f.as_u128()).unwrap()
	};
	assert_eq!(free().await, 0, "the hotkey holds nothing");
	let charlie_hot =
		["heartbeat", "--url", &url, "--hotkey-suri", "//Charlie//worker", "--slot", "1"];
	let out = worker(&charlie_hot);
	assert!(out.status.success(), "{}", stderr(&out));
	let charlie = slot_json(&rpc, 1).await;
	assert_eq!(
		(charlie["status"].as_str(), charlie["heartbeats"].as_u64()),
		(Some("Active"), Some(1))
	);
	assert_eq!(charlie["uptime"], 1.0, "one heartbeat within the first period");
	assert_eq!(free().await, 0, "valid heartbeats are free");

	// polkadot.js reads the storage and decodes the events.
	let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("js/inspect.mjs");
	let out = Command::new("node").arg(&script).arg(&url).output().expect("node.js runs");
	assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
	let seen: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
	assert_eq!(seen["neuronets"][0]["name"], "all-MiniLM-L6-v2");
	assert_eq!(seen["slots"].as_array().unwrap().len(), 2);
	assert!(seen["slots"].as_array().unwrap().iter().all(|s| s["state"] == "Active"), "{seen}");
	let events = seen["registrations"].as_array().unwrap();
	assert_eq!(events.len(), 2, "{seen}");
	assert_eq!(events[0]["payment"]["fee"], "1000000000000");
	assert!(events[1]["payment"]["pow"].as_u64().unwrap() >= 1024);

	// Refusals, by name, and nothing changes.
	// A heartbeat too soon is not free, and this hotkey cannot pay: it is not even included.
	let out = worker(&charlie_hot);
	assert_eq!(out.status.code(), Some(1));
	assert!(stderr(&out).contains("Inability to pay some fees"), "{}", stderr(&out));
	let out = worker(&["heartbeat", "--url", &url, "--hotkey-suri", "//Dave", "--slot", "1"]);
	assert!(stderr(&out).contains("NotHotkey"), "{}", stderr(&out));
	assert_eq!(slot_json(&rpc, 1).await["heartbeats"], 1);
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
		"--model-dir",
		minilm,
		"--fee",
		"0.5",
	]);
	assert!(stderr(&out).contains("above the 0.5 AET allowed"), "{}", stderr(&out));
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
		"--model-dir",
		minilm,
		"--fee",
		"5",
	]);
	assert!(stderr(&out).contains("no neuronet 7"), "{}", stderr(&out));
	let list = rpc.call("neuronets_list", rpc_params![]).await.unwrap();
	assert_eq!(list[0]["liveSlots"], 2);
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Polls `check` every 500 ms for up to `secs` seconds.
async fn eventually(what: &str, secs: u64, mut check: impl AsyncFnMut() -> bool) {
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
	while std::time::Instant::now() < deadline {
		if check().await {
			return;
		}
		tokio::time::sleep(std::time::Duration::from_millis(500)).await;
	}
	panic!("timed out waiting for {what}");
}

fn start_miner(
	url: &str,
	data_dir: &std::path::Path,
	port: u16,
	log: &std::path::Path,
) -> std::process::Child {
	let log = std::fs::File::create(log).unwrap();
	Command::new(worker_binary())
		.args(["mine", "--url", url, "--suri", "//Dave", "--models"])
		.arg(models())
		.arg("--data-dir")
		.arg(data_dir)
		.args(["--listen", &format!("127.0.0.1:{port}"), "--fee", "10"])
		.stdout(log.try_clone().unwrap())
		.stderr(log)
		.spawn()
		.expect("the worker starts")
}

#[tokio::test(flavor = "multi_thread")]
async fn mine_picks_registers_serves_heartbeats_and_resumes_after_a_kill() {
	let (node, rpc, _) = dev_node().await;
	let url = node.ws_url();
	let scratch = tempfile::tempdir().unwrap();
	let out = create_neuronet(&url, scratch.path());
	assert!(out.status.success(), "{}", stderr(&out));

	let data_dir = scratch.path().join("worker");
	let port = aetron_e2e::free_port();
	let log = scratch.path().join("mine.log");
	let mut miner = start_miner(&url, &data_dir, port, &log);
	let dave = format!("0x{}", hex(&account("//Dave")));
	eventually("an Active slot with a heartbeat", 240, async || {
		let slots = rpc.call("neuronets_slotsOf", rpc_params![dave.clone()]).await.unwrap();
		slots[0]["status"] == "Active" && slots[0]["heartbeats"].as_u64() >= Some(1)
	})
	.await;
	let embed = || {
		Command::new("curl")
			.args(["-sf", "-H", "Content-Type: application/json", "-d"])
			.arg(r#"{"model":"all-minilm-l6-v2","input":"mined"}"#)
			.arg(format!("http://127.0.0.1:{port}/v1/embeddings"))
			.output()
			.unwrap()
	};
	eventually("the API", 60, async || embed().status.success()).await;
	let answer: Value = serde_json::from_slice(&embed().stdout).unwrap();
	assert_eq!(answer["data"][0]["embedding"].as_array().unwrap().len(), 384);
	let hotkey = std::fs::read_to_string(data_dir.join("hotkey")).unwrap();
	assert!(!hotkey.trim().is_empty(), "the hotkey is kept in the data directory");

	// Killed and restarted, it finds its slot by its hotkey and serves again: no second slot.
	miner.kill().unwrap();
	miner.wait().unwrap();
	let mut miner = start_miner(&url, &data_dir, port, &scratch.path().join("mine2.log"));
	eventually("the API after a restart", 120, async || embed().status.success()).await;
	let text = std::fs::read_to_string(scratch.path().join("mine2.log")).unwrap();
	assert!(text.contains("resuming slot 0"), "{text}");
	let slots = rpc.call("neuronets_slotsOf", rpc_params![dave.clone()]).await.unwrap();
	assert_eq!(slots.as_array().unwrap().len(), 1, "{slots}");
	miner.kill().unwrap();
	miner.wait().unwrap();
	let first = std::fs::read_to_string(&log).unwrap();
	assert!(first.contains("mining neuronet 0 (all-MiniLM-L6-v2)"), "{first}");
}

/// The MiniLM spec file with `[execution]` `section` and another name, written beside the
/// plain one.
fn minilm_spec_as(dir: &std::path::Path, name: &str, section: &str) -> std::path::PathBuf {
	let plain = std::fs::read_to_string(spec_file(dir)).unwrap();
	let path = dir.join(format!("{name}.toml"));
	let text = plain
		.replace("name = \"all-MiniLM-L6-v2\"", &format!("name = \"{name}\""))
		.replace("[economics]", &format!("[execution]\n{section}\n\n[economics]"));
	std::fs::write(&path, text).unwrap();
	path
}

#[tokio::test(flavor = "multi_thread")]
async fn half_precision_and_int8_neuronets_are_joined_and_served_as_their_spec_says() {
	let (node, rpc, _) = dev_node().await;
	let url = node.ws_url();
	let scratch = tempfile::tempdir().unwrap();
	let minilm = models().join("all-minilm-l6-v2");
	let minilm = minilm.to_str().unwrap();
	let models_dir = models();
	let models_dir = models_dir.to_str().unwrap();

	// Alice creates an f16 neuronet and an int8 one over the same MiniLM files; their
	// reference checks run on the reference backend with those parameters, and their specs
	// get the tolerance calibrated for them.
	for (name, section) in [
		("minilm-f16", "dtype = \"f16\""),
		("minilm-int8", "quantization = \"int8-per-block-32\"\nattention = \"plain\""),
	] {
		let spec = minilm_spec_as(scratch.path(), name, section);
		let out = worker(&[
			"neuronet",
			"create",
			"--url",
			&url,
			"--suri",
			"//Alice",
			"--spec",
			spec.to_str().unwrap(),
		]);
		assert!(out.status.success(), "{}", stderr(&out));
	}
	let f16 = rpc.call("neuronets_get", rpc_params![0]).await.unwrap();
	assert_eq!(
		f16["model"]["execution"],
		serde_json::json!({ "dtype": "F16", "quantization": "None", "attention": "Fused" })
	);
	assert_eq!(f16["tolerance"]["maxCosineDistance"], 0.00005, "{f16}");
	let int8 = rpc.call("neuronets_get", rpc_params![1]).await.unwrap();
	assert_eq!(
		int8["model"]["execution"],
		serde_json::json!({
			"dtype": "F32", "quantization": "Int8PerBlock", "quantBlock": 32, "attention": "Plain"
		})
	);

	// The reference backend (burn-ndarray) has no f16 arithmetic: that neuronet does not fit
	// it, by name; the CPU backend fits both.
	let ranked = |backend: &str| -> Value {
		let out = worker(&[
			"neuronets",
			"--url",
			&url,
			"--models",
			models_dir,
			"--backend",
			backend,
			"--json",
		]);
		assert!(out.status.success(), "{}", stderr(&out));
		serde_json::from_str(&stdout(&out)).unwrap()
	};
	let of = |ranked: &Value, id: u64| {
		ranked.as_array().unwrap().iter().find(|n| n["id"] == id).unwrap().clone()
	};
	let on_reference = ranked("reference");
	assert_eq!(of(&on_reference, 0)["unfit"], "the reference backend cannot compute in f16");
	assert_eq!(of(&on_reference, 1)["fits"], true, "{on_reference}");
	let on_cpu = ranked("cpu");
	assert_eq!(of(&on_cpu, 0)["execution"], "f16/none/fused");
	assert_eq!(of(&on_cpu, 1)["execution"], "f32/int8-per-block-32/plain");
	assert!(on_cpu.as_array().unwrap().iter().all(|n| n["fits"] == true), "{on_cpu}");

	// Registering with a backend that cannot honour the spec is refused before anything is paid.
	let register = |neuronet: &str, suri: &str, backend: &str| {
		worker(&[
			"register",
			"--url",
			&url,
			"--neuronet",
			neuronet,
			"--suri",
			suri,
			"--hotkey-suri",
			&format!("{suri}//worker"),
			"--model-dir",
			minilm,
			"--backend",
			backend,
			"--fee",
			"5",
		])
	};
	let out = register("0", "//Bob", "reference");
	assert_eq!(out.status.code(), Some(1));
	assert!(
		stderr(&out).contains(
			"this worker cannot serve neuronet 0: the reference backend cannot compute in f16"
		),
		"{}",
		stderr(&out)
	);
	assert_eq!(rpc.call("neuronets_get", rpc_params![0]).await.unwrap()["liveSlots"], 0);

	// On the CPU, Bob's worker computes in f16 and passes the owner's reference checks.
	let out = register("0", "//Bob", "cpu");
	assert!(out.status.success(), "{}", stderr(&out));
	let text = stdout(&out);
	assert!(text.contains("running 2 reference checks and a benchmark (f16/none/fused)"), "{text}");
	assert!(text.contains("slot 0 is Active"), "{text}");

	// Dave mines the int8 neuronet: it registers, proves, and serves with int8 weights.
	let data_dir = scratch.path().join("dave");
	let port = aetron_e2e::free_port();
	let log = std::fs::File::create(scratch.path().join("dave.log")).unwrap();
	let mut miner = Command::new(worker_binary())
		.args(["mine", "--url", &url, "--suri", "//Dave", "--neuronet", "1", "--models"])
		.arg(models())
		.arg("--data-dir")
		.arg(&data_dir)
		.args(["--listen", &format!("127.0.0.1:{port}"), "--fee", "10"])
		.stdout(log.try_clone().unwrap())
		.stderr(log)
		.spawn()
		.expect("the worker starts");
	let health = || {
		let out = Command::new("curl")
			.args(["-sf", &format!("http://127.0.0.1:{port}/health")])
			.output()
			.unwrap();
		serde_json::from_slice::<Value>(&out.stdout).ok()
	};
	eventually("Dave's worker serving", 240, async || health().is_some()).await;
	assert_eq!(health().unwrap()["execution"], "f32/int8-per-block-32/plain");
	let out = Command::new("curl")
		.args(["-sf", "-H", "Content-Type: application/json", "-d"])
		.arg(r#"{"model":"all-minilm-l6-v2","input":"served with int8 weights"}"#)
		.arg(format!("http://127.0.0.1:{port}/v1/embeddings"))
		.output()
		.unwrap();
	assert!(out.status.success());
	let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
	assert_eq!(answer["data"][0]["embedding"].as_array().unwrap().len(), 384);
	let slot = slot_json(&rpc, 1).await;
	assert_eq!((slot["neuronet"].as_u64(), slot["status"].as_str()), (Some(1), Some("Active")));
	miner.kill().unwrap();
	miner.wait().unwrap();
}
