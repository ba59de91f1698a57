//! Mining workers as the end-to-end tests run them: `aetron-worker mine` processes of their own
//! coldkeys on one dev node, with their logs, health and a load of signed requests; the MiniLM
//! neuronet they mine, parameters set by sudo, and the polling helpers the tests wait with.

use std::{
	path::{Path, PathBuf},
	process::{Child, Command},
	time::{Duration, Instant},
};

use serde_json::Value;
use subxt_signer::{sr25519::Keypair, SecretUri};

use crate::{free_port, minilm_spec, models, worker_binary};

/// The keypair of a secret URI (`//Alice`).
pub fn keypair(suri: &str) -> Keypair {
	let uri: SecretUri = suri.parse().unwrap();
	Keypair::from_uri(&uri).unwrap()
}

/// Runs `aetron-worker` with `args` to completion; panics with its output if it fails.
pub fn run_worker(args: &[&str]) -> std::process::Output {
	let out = Command::new(worker_binary()).args(args).output().expect("worker runs");
	assert!(
		out.status.success(),
		"aetron-worker {args:?}: {}{}",
		String::from_utf8_lossy(&out.stdout),
		String::from_utf8_lossy(&out.stderr)
	);
	out
}

/// A mining worker process; killed (SIGKILL) on drop.
pub struct Miner {
	/// A name for logs and messages.
	pub name: &'static str,
	/// Its coldkey's secret URI.
	pub coldkey: &'static str,
	/// Its API's port on 127.0.0.1.
	pub port: u16,
	/// Its data directory (keystore and artefact store).
	pub data_dir: PathBuf,
	/// The models directory.
	pub models: PathBuf,
	/// Extra environment (the `AETRON_TEST_*` hooks).
	pub env: Vec<(&'static str, String)>,
	/// The node's WebSocket URL.
	pub url: String,
	/// Its log file's stem (`.N.log` per start).
	pub log: PathBuf,
	child: Option<Child>,
	starts: u32,
}

impl Miner {
	/// A miner of `coldkey` on the node at `url`, its files under `scratch`; not started.
	pub fn new(name: &'static str, coldkey: &'static str, url: &str, scratch: &Path) -> Self {
		Self {
			name,
			coldkey,
			port: free_port(),
			data_dir: scratch.join(name),
			models: models(),
			env: Vec::new(),
			url: url.to_string(),
			log: scratch.join(format!("{name}.log")),
			child: None,
			starts: 0,
		}
	}

	/// Its API's base URL.
	pub fn endpoint(&self) -> String {
		format!("http://127.0.0.1:{}", self.port)
	}

	/// Starts `aetron-worker mine` (again, after a kill: same data directory, new log).
	pub fn start(&mut self) {
		self.starts += 1;
		let log = self.log_path(self.starts);
		let file = std::fs::File::create(&log).unwrap();
		let mut command = Command::new(worker_binary());
		command
			.args(["mine", "--url", &self.url, "--suri", self.coldkey, "--neuronet", "0"])
			.arg("--models")
			.arg(&self.models)
			.arg("--data-dir")
			.arg(&self.data_dir)
			.args(["--listen", &format!("127.0.0.1:{}", self.port), "--fee", "10"])
			.args(["--batch-max-age-secs", "8"])
			.env("RUST_LOG", "info")
			.stdout(file.try_clone().unwrap())
			.stderr(file);
		for (key, value) in &self.env {
			command.env(key, value);
		}
		self.child = Some(command.spawn().expect("the worker starts"));
	}

	/// Kills it with SIGKILL.
	pub fn kill(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	/// The log file of its `n`th start.
	fn log_path(&self, n: u32) -> PathBuf {
		self.log.with_extension(format!("{n}.log"))
	}

	/// Every log it wrote, run after run.
	pub fn log_text(&self) -> String {
		(1..=self.starts)
			.map(|n| std::fs::read_to_string(self.log_path(n)).unwrap_or_default())
			.collect::<Vec<_>>()
			.join("\n")
	}

	/// Its `/health`, if it answers.
	pub async fn health(&self) -> Option<Value> {
		let out = Command::new("curl")
			.args(["-sf", &format!("{}/health", self.endpoint())])
			.output()
			.ok()?;
		serde_json::from_slice(&out.stdout).ok()
	}

	/// Its slot's `aetron-worker status --json` against the node at `url`, with `extra`
	/// arguments (`--epochs N`).
	pub fn status(&self, url: &str, extra: &[&str]) -> Value {
		let data_dir = self.data_dir.to_str().unwrap();
		let args = [&["status", "--url", url, "--data-dir", data_dir, "--json"], extra].concat();
		let out = run_worker(&args);
		serde_json::from_slice::<Value>(&out.stdout).unwrap()[0].clone()
	}

	/// The HTTP status its artefact endpoint answers for `(batch, index)` (0 if none).
	pub fn artefact_status(&self, batch: u64, index: u32) -> u16 {
		let url = format!("{}/aetron/v1/artefacts/{batch}/{index}", self.endpoint());
		let out = Command::new("curl")
			.args(["-s", "-o", "/dev/null", "-w", "%{http_code}", &url])
			.output()
			.ok();
		out.and_then(|o| String::from_utf8_lossy(&o.stdout).parse().ok()).unwrap_or(0)
	}

	/// Waits until the worker serves, and returns its slot.
	pub async fn serving(&self) -> u64 {
		let deadline = Instant::now() + Duration::from_secs(300);
		while Instant::now() < deadline {
			if let Some(h) = self.health().await {
				if let Some(slot) = h["slot"].as_u64() {
					return slot;
				}
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		panic!("{} does not serve:\n{}", self.name, self.log_text());
	}

	/// Sends `requests` signed requests; returns the work units they were worth.
	pub fn load(&self, requests: u64) -> u64 {
		let out = run_worker(&[
			"load",
			"--endpoint",
			&self.endpoint(),
			"--suri",
			"//Alice",
			"--requests",
			&requests.to_string(),
		]);
		let report: Value = serde_json::from_slice(&out.stdout).unwrap();
		assert_eq!(report["ok"].as_u64(), Some(requests), "{report}");
		report["workUnits"].as_u64().unwrap()
	}
}

impl Drop for Miner {
	/// Kills it. When a test fails, its logs would go with the test's scratch directory, so
	/// they are copied to `$TMPDIR/aetron-e2e-logs/` and their last lines printed.
	fn drop(&mut self) {
		self.kill();
		if std::thread::panicking() {
			let kept = std::env::temp_dir().join("aetron-e2e-logs");
			let _ = std::fs::create_dir_all(&kept);
			let test = std::thread::current().name().unwrap_or("test").replace("::", "-");
			for n in 1..=self.starts {
				let copy = kept.join(format!("{test}-{}.{n}.log", self.name));
				let _ = std::fs::copy(self.log_path(n), copy);
			}
			let text = self.log_text();
			let lines: Vec<&str> = text.lines().collect();
			let tail = lines.get(lines.len().saturating_sub(LOG_TAIL_ON_FAILURE)..).unwrap_or(&[]);
			eprintln!(
				"---- {}'s log (kept in {}), last {} lines ----\n{}",
				self.name,
				kept.display(),
				tail.len(),
				tail.join("\n")
			);
		}
	}
}

/// How many of a miner's last log lines a failed test prints.
const LOG_TAIL_ON_FAILURE: usize = 80;

/// Polls `check` every second for up to `secs` seconds; panics naming `what` if it never
/// came true.
pub async fn eventually(what: &str, secs: u64, check: impl AsyncFnMut() -> bool) {
	if !within(secs, check).await {
		panic!("timed out waiting for {what}");
	}
}

/// Polls `check` every second for up to `secs` seconds; whether it came true.
pub async fn within(secs: u64, mut check: impl AsyncFnMut() -> bool) -> bool {
	let deadline = Instant::now() + Duration::from_secs(secs);
	while Instant::now() < deadline {
		if check().await {
			return true;
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
	false
}

/// Alice creates the MiniLM neuronet (id 0) from its spec file, written into `dir`.
pub fn create_minilm_neuronet(url: &str, dir: &Path) {
	let spec = minilm_spec(dir);
	run_worker(&[
		"neuronet",
		"create",
		"--url",
		url,
		"--suri",
		"//Alice",
		"--spec",
		spec.to_str().unwrap(),
	]);
}

/// Signs `tx` as `signer` and sends it; returns its events once it is finalized and succeeded.
pub async fn submit_finalized(
	api: &subxt::OnlineClient<subxt::SubstrateConfig>,
	tx: &impl subxt::tx::Payload,
	signer: &Keypair,
) -> Result<subxt::extrinsics::ExtrinsicEvents<subxt::SubstrateConfig>, subxt::Error> {
	let progress = api
		.at_current_block()
		.await?
		.transactions()
		.sign_and_submit_then_watch_default(tx, signer)
		.await?;
	Ok(progress.wait_for_finalized_success().await?)
}

/// Alice, the dev chain's sudo key, sets `pallet`'s parameters to `params`; returns once that
/// is finalized.
pub async fn sudo_set_params(
	api: &subxt::OnlineClient<subxt::SubstrateConfig>,
	pallet: &str,
	params: subxt::ext::scale_value::Value,
) {
	use subxt::ext::scale_value::Value as V;
	let call = V::unnamed_variant(pallet, [V::named_variant("set_params", [("params", params)])]);
	let tx = subxt::dynamic::transaction("Sudo", "sudo", (call,));
	submit_finalized(api, &tx, &keypair("//Alice")).await.unwrap();
}

/// Sudo sets arbitration's parameters for the end-to-end tests: windows of six blocks for
/// answers, commits and reveals (workers poll every two seconds and wait for inclusion) and
/// enough draw tries that a panel fills among a handful of slots.
pub async fn set_arbitration_params(api: &subxt::OnlineClient<subxt::SubstrateConfig>) {
	use subxt::ext::scale_value::value;
	let params = value!({
		challenger_bond: 10_000_000_000_000u128,
		panel_size: 3u32,
		answer_window: 8u32,
		commit_window: 6u32,
		reveal_window: 6u32,
		max_draw_tries: 32u32,
		bounty_share: 200_000_000u32,
		challenger_penalty: 500_000_000u32,
		arbiter_penalty: 100_000_000u32,
		max_open_panels: 16u32,
		max_timers_per_block: 32u32,
		keep_decided: 2_000u32,
		forfeit_history_epochs: 48u32,
		max_prunes_per_block: 32u32,
		max_answer_bytes: 262_144u32,
	});
	sudo_set_params(api, "Arbitration", params).await;
}

/// `aetron_primitives::work::FailureKind` as the tests decode it from events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
#[allow(missing_docs)]
pub enum FailureKind {
	BadProof,
	WrongOutput,
	FingerprintOutOfTolerance,
	Unavailable,
	Misattributed,
	WorkMismatch,
	TotalMismatch,
}
