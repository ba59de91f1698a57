//! The soak benchmark (issue 13): a few hundred thousand requests through the HTTP API of an
//! `aetron-worker serve` process with a short retention, sampling the worker's resident memory
//! and the store's size as they go. With pruning and a bounded tree cache both level off; before
//! them both grew with every request.
//!
//! `cargo bench --bench soak` (300 000 requests); `AETRON_SOAK_REQUESTS`, `AETRON_SOAK_CLIENTS`
//! change the load, and `AETRON_SOAK_KEEP=1` keeps everything (a retention of a year and an
//! unbounded tree cache: the worker as it was before pruning, for the comparison). The model is
//! a tiny random GPT-2 answering one token, so the run measures the serving path and the store,
//! not the model. Prints one line per sample and a summary.

use std::{
	path::Path,
	process::{Child, Command, Stdio},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

use aetron_worker::inference::random_gpt2::RandomGpt2;

/// Seconds a batch stays open, and is kept after it opened.
const BATCH_AGE: &str = "1";
const RETENTION: &str = "5";
/// With `AETRON_SOAK_KEEP`: a year, and every tree.
const KEEP_RETENTION: &str = "31536000";
const KEEP_TREES: &str = "18446744073709551615";
/// A batch closes at this many leaves even sooner.
const BATCH_LEAVES: &str = "20000";

fn env_or(name: &str, default: u64) -> u64 {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn free_port() -> u16 {
	std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The process's resident set, from `/proc`.
fn rss_bytes(pid: u32) -> u64 {
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
	status
		.lines()
		.find_map(|l| l.strip_prefix("VmRSS:"))
		.and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
		.map_or(0, |kb| kb * 1024)
}

/// A gauge's value from `/metrics`.
async fn gauge(client: &reqwest::Client, url: &str, name: &str) -> u64 {
	let Ok(response) = client.get(format!("{url}/metrics")).send().await else { return 0 };
	let text = response.text().await.unwrap_or_default();
	text.lines()
		.find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<u64>().ok())
		.unwrap_or(0)
}

struct Server(Child);

impl Drop for Server {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

fn start(model_dir: &Path, data_dir: &Path, port: u16, keep: bool) -> Server {
	let default_trees = aetron_worker::store::trees::DEFAULT_CAPACITY_LEAVES.to_string();
	let (retention, trees) =
		if keep { (KEEP_RETENTION, KEEP_TREES) } else { (RETENTION, default_trees.as_str()) };
	let child = Command::new(env!("CARGO_BIN_EXE_aetron-worker"))
		.args(["serve", "--model-dir"])
		.arg(model_dir)
		.arg("--data-dir")
		.arg(data_dir)
		.args(["--listen", &format!("127.0.0.1:{port}")])
		.args(["--batch-max-age-secs", BATCH_AGE, "--retention-secs", retention])
		.args(["--tree-cache-leaves", trees])
		.args(["--batch-max-leaves", BATCH_LEAVES])
		.stdout(Stdio::null())
		.stderr(Stdio::null())
		.spawn()
		.expect("aetron-worker starts");
	let deadline = Instant::now() + Duration::from_secs(60);
	while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
		assert!(Instant::now() < deadline, "the worker did not listen within 60 s");
		std::thread::sleep(Duration::from_millis(50));
	}
	Server(child)
}

fn main() {
	// `cargo bench` passes `--bench`; no other arguments are taken.
	let requests = env_or("AETRON_SOAK_REQUESTS", 300_000);
	let clients = env_or("AETRON_SOAK_CLIENTS", 32);
	let keep = env_or("AETRON_SOAK_KEEP", 0) == 1;
	let scratch = tempfile::tempdir().unwrap();
	let model_dir = scratch.path().join("tiny-gpt2");
	RandomGpt2::tiny(7).write(&model_dir).unwrap();
	let data_dir = scratch.path().join("data");
	let port = free_port();
	let server = start(&model_dir, &data_dir, port, keep);
	let pid = server.0.id();
	let url = format!("http://127.0.0.1:{port}");
	let store = data_dir.join("artefacts.redb");

	let rt = tokio::runtime::Runtime::new().unwrap();
	rt.block_on(async {
		let client = reqwest::Client::new();
		let done = Arc::new(AtomicU64::new(0));
		let next = Arc::new(AtomicU64::new(0));
		let started = Instant::now();
		let mut tasks = Vec::new();
		for c in 0..clients {
			let (client, url, done, next) =
				(client.clone(), url.clone(), done.clone(), next.clone());
			tasks.push(tokio::spawn(async move {
				while next.fetch_add(1, Ordering::Relaxed) < requests {
					let body = serde_json::json!({
						"model": "tiny-gpt2",
						"prompt": format!("client {c} says hello"),
						"max_tokens": 1,
					});
					let url = format!("{url}/v1/completions");
					let response = client.post(url).json(&body).send().await.unwrap();
					assert!(response.status().is_success(), "{}", response.status());
					done.fetch_add(1, Ordering::Relaxed);
				}
			}));
		}
		println!("seconds,requests,requests_per_s,rss_mib,store_mib,batches_closed,batches_pruned");
		let mut samples = Vec::new();
		let mut last = (Instant::now(), 0u64);
		loop {
			tokio::time::sleep(Duration::from_secs(5)).await;
			let now = Instant::now();
			let served = done.load(Ordering::Relaxed);
			let rate = (served - last.1) as f64 / now.duration_since(last.0).as_secs_f64();
			last = (now, served);
			let rss = rss_bytes(pid) as f64 / (1 << 20) as f64;
			let size = std::fs::metadata(&store).map_or(0, |m| m.len()) as f64 / (1 << 20) as f64;
			let closed = gauge(&client, &url, "aetron_worker_batches_closed").await;
			let pruned = gauge(&client, &url, "aetron_worker_batches_pruned").await;
			let secs = now.duration_since(started).as_secs();
			println!("{secs},{served},{rate:.0},{rss:.1},{size:.1},{closed},{pruned}");
			samples.push((served, rss, size));
			if tasks.iter().all(|t| t.is_finished()) {
				break;
			}
		}
		for task in tasks {
			task.await.unwrap();
		}
		let elapsed = started.elapsed().as_secs_f64();
		let peak = |f: fn(&(u64, f64, f64)) -> f64, from: usize| {
			samples.iter().skip(from).map(f).fold(0.0, f64::max)
		};
		let half = samples.len() / 2;
		println!(
			"{requests} requests in {elapsed:.0} s ({:.0}/s) by {clients} clients; \
			 peak RSS {:.1} MiB (second half {:.1}), peak store {:.1} MiB (second half {:.1})",
			requests as f64 / elapsed,
			peak(|s| s.1, 0),
			peak(|s| s.1, half),
			peak(|s| s.2, 0),
			peak(|s| s.2, half),
		);
	});
	drop(server);
}
