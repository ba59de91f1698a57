//! The command line: `hardware`, `bench`, `recheck`, and `serve`'s refusal of a bad model.

mod common;

use std::process::Command;

use aetron_worker::inference::random_gpt2::RandomGpt2;
use common::Server;

fn worker(args: &[&str]) -> std::process::Output {
	Command::new(env!("CARGO_BIN_EXE_aetron-worker"))
		.args(args)
		.env("RUST_LOG", "warn")
		.output()
		.unwrap()
}

#[test]
fn hardware_reports_the_cpu_and_the_gpus() {
	let out = worker(&["hardware", "--json"]);
	assert!(out.status.success());
	let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
	assert!(report["cpu"]["threads"].as_u64().unwrap() >= 1);
	assert!(report["cpu"]["memory_mib"].as_u64().unwrap() > 0);
	assert!(report["gpus"].is_array());
	let text = String::from_utf8(worker(&["hardware"]).stdout).unwrap();
	assert!(text.starts_with("CPU: "), "{text}");
}

#[test]
fn bench_prints_a_table() {
	let out = worker(&["bench", "--backends", "reference"]);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let table = String::from_utf8(out.stdout).unwrap();
	for row in [
		"GPT-2 (random, 4×256) generation",
		"re-check prefill / generation",
		"artefact + durable store append",
	] {
		let line = table
			.lines()
			.find(|l| l.starts_with(row))
			.unwrap_or_else(|| panic!("no `{row}` in\n{table}"));
		let value: f64 = line.split_whitespace().rev().nth(1).unwrap().parse().unwrap();
		assert!(value > 0.0, "{line}");
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recheck_passes_an_honest_leaf_and_reports_an_absent_worker() {
	let (_models, dir) = common::tiny_gpt2(42);
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(&dir, data.path(), &["--batch-max-age-secs", "0.2"]);
	let body =
		serde_json::json!({ "model": "tiny-gpt2", "prompt": "CLI", "max_tokens": 12, "seed": 3 });
	let response = reqwest::Client::new()
		.post(format!("{}/v1/completions", server.url))
		.json(&body)
		.send()
		.await
		.unwrap();
	assert!(response.status().is_success());
	tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
	let model_dir = dir.display().to_string();
	let out = worker(&[
		"recheck",
		"--model-dir",
		&model_dir,
		"--endpoint",
		&server.url,
		"--batch",
		"0",
		"--index",
		"0",
	]);
	assert!(
		out.status.success(),
		"{}{}",
		String::from_utf8_lossy(&out.stdout),
		String::from_utf8_lossy(&out.stderr)
	);
	assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "pass");

	let closed = format!("http://127.0.0.1:{}", common::free_port());
	let out = worker(&[
		"recheck",
		"--model-dir",
		&model_dir,
		"--endpoint",
		&closed,
		"--batch",
		"0",
		"--index",
		"0",
	]);
	assert_eq!(out.status.code(), Some(2));
	assert!(String::from_utf8(out.stdout).unwrap().starts_with("fail (Unavailable)"));
}

#[test]
fn serve_refuses_a_directory_without_a_model() {
	let empty = tempfile::tempdir().unwrap();
	let data = tempfile::tempdir().unwrap();
	let port = common::free_port().to_string();
	let out = worker(&[
		"serve",
		"--model-dir",
		&empty.path().display().to_string(),
		"--data-dir",
		&data.path().display().to_string(),
		"--listen",
		&format!("127.0.0.1:{port}"),
	]);
	assert_eq!(out.status.code(), Some(1));
	let stderr = String::from_utf8(out.stderr).unwrap();
	assert!(stderr.starts_with("error: loading the model in"), "{stderr}");
	assert!(stderr.contains("config.json"), "{stderr}");
	assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn model_hash_prints_the_hashes_of_the_three_files() {
	let dir = tempfile::tempdir().unwrap();
	RandomGpt2::tiny(1).write(dir.path()).unwrap();
	let out = worker(&["model-hash", &dir.path().display().to_string()]);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let hashes: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
	let expected = |name: &str| {
		format!(
			"0x{}",
			hex::encode(sp_crypto_hashing::blake2_256(
				&std::fs::read(dir.path().join(name)).unwrap()
			))
		)
	};
	assert_eq!(hashes["weights_hash"], expected("model.safetensors"));
	assert_eq!(hashes["config_hash"], expected("config.json"));
	assert_eq!(hashes["tokenizer_hash"], expected("tokenizer.json"));
	let out = worker(&["model-hash", "/nonexistent/model"]);
	assert_eq!(out.status.code(), Some(1));
	assert!(String::from_utf8_lossy(&out.stderr)
		.starts_with("error: opening /nonexistent/model/model.safetensors"));
}
