//! Helpers shared by the worker's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The all-MiniLM-L6-v2 directory that `scripts/fetch-models.sh` unpacks.
pub fn minilm_dir() -> PathBuf {
	aetron_worker::bench::minilm_dir().expect(
		"no all-MiniLM-L6-v2 under $AETRON_MODELS or ~/.cache/aetron-models: run \
		 scripts/fetch-models.sh (scripts/test.sh does)",
	)
}

/// A tiny random GPT-2 (`seed`) written to a fresh directory named `tiny-gpt2`, so it serves as
/// model `tiny-gpt2`; the directory lives as long as the returned guard.
pub fn tiny_gpt2(seed: u64) -> (tempfile::TempDir, PathBuf) {
	let parent = tempfile::tempdir().unwrap();
	let dir = parent.path().join("tiny-gpt2");
	aetron_worker::inference::random_gpt2::RandomGpt2::tiny(seed).write(&dir).unwrap();
	(parent, dir)
}

/// The repository's test data.
pub fn testdata(name: &str) -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata").join(name)
}

use std::{
	net::TcpListener,
	path::Path,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An `aetron-worker serve` process, killed when dropped.
pub struct Server {
	pub child: Child,
	pub url: String,
	pub port: u16,
	args: Vec<String>,
}

impl Server {
	/// Starts `aetron-worker serve` for `model_dir` with its store in `data_dir` and waits until
	/// `/health` answers.
	pub fn start(model_dir: &Path, data_dir: &Path, extra: &[&str]) -> Self {
		let port = free_port();
		let mut args = vec![
			"serve".to_string(),
			"--model-dir".into(),
			model_dir.display().to_string(),
			"--data-dir".into(),
			data_dir.display().to_string(),
			"--listen".into(),
			format!("127.0.0.1:{port}"),
		];
		args.extend(extra.iter().map(|s| s.to_string()));
		let mut server =
			Self { child: spawn(&args), url: format!("http://127.0.0.1:{port}"), port, args };
		server.wait_healthy();
		server
	}

	fn wait_healthy(&mut self) {
		let deadline = Instant::now() + Duration::from_secs(60);
		while Instant::now() < deadline {
			if let Some(status) = self.child.try_wait().unwrap() {
				panic!("aetron-worker serve exited early: {status}");
			}
			if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
				return;
			}
			std::thread::sleep(Duration::from_millis(50));
		}
		panic!("aetron-worker serve did not listen within 60 s");
	}

	/// SIGKILL, as a crash would.
	pub fn kill_9(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// Starts the same command again (same port, same store).
	pub fn restart(&mut self) {
		self.kill_9();
		self.child = spawn(&self.args);
		self.wait_healthy();
	}
}

fn spawn(args: &[String]) -> Child {
	Command::new(env!("CARGO_BIN_EXE_aetron-worker"))
		.args(args)
		.env("RUST_LOG", "warn")
		.stdout(Stdio::null())
		.stderr(Stdio::inherit())
		.spawn()
		.expect("aetron-worker starts")
}

impl Drop for Server {
	fn drop(&mut self) {
		self.kill_9();
	}
}

/// Fetches the artefact at `(batch, index)` from `server` once its batch has closed (the
/// servers in these tests close batches after a second or less).
pub async fn closed_artefact(
	client: &reqwest::Client,
	server: &Server,
	(batch, index): (u64, u32),
) -> aetron_worker::api::ArtefactAnswer {
	for _ in 0..100 {
		let response = client
			.get(format!("{}/aetron/v1/artefacts/{batch}/{index}", server.url))
			.send()
			.await
			.unwrap();
		match response.status() {
			reqwest::StatusCode::OK => return response.json().await.unwrap(),
			reqwest::StatusCode::CONFLICT => tokio::time::sleep(Duration::from_millis(100)).await,
			other => panic!("artefact {batch}/{index}: {other}"),
		}
	}
	panic!("batch {batch} did not close");
}
