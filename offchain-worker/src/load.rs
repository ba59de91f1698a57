//! `aetron-worker load`: a small client load for a mining worker, as a devnet or a test wants
//! it: `requests` embedding requests (or completions), `concurrency` at a time, each signed by
//! the client key for the worker's slot (read from its `/health`), so every leaf proves its
//! client. Reports the work units served by the worker's own count (`usage`) priced by the
//! neuronet's pricing, which the chain's confirmed work must equal.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use sp_core::{crypto::Pair as _, sr25519};

use crate::{api::signature, recheck::Pricing};

/// What a load run did.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadReport {
	/// Requests answered with 200.
	pub ok: u64,
	/// Requests refused or failed.
	pub failed: u64,
	/// Work units of the answered requests by the given pricing.
	pub work_units: u64,
	/// Wall time, seconds.
	pub seconds: f64,
}

/// The sentences the load cycles through.
const SENTENCES: &[&str] = &[
	"Useful work, not empty hashing.",
	"Miners are paid for confirmed inference.",
	"A re-checker recomputes a sample of leaves.",
	"The Merkle-sum root binds the total work.",
	"Commit, then reveal, so nobody copies a verdict.",
	"Reputation grows with every passed re-check.",
];

/// Sends the load to `endpoint` and waits for every answer.
pub async fn run(
	endpoint: &str,
	model: &str,
	client_key: &sr25519::Pair,
	requests: u64,
	concurrency: usize,
	pricing: Pricing,
) -> Result<LoadReport> {
	let endpoint = endpoint.trim_end_matches('/').to_string();
	let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
	let health: serde_json::Value = http
		.get(format!("{endpoint}/health"))
		.send()
		.await
		.with_context(|| format!("{endpoint}/health"))?
		.json()
		.await?;
	let slot = health["slot"].as_u64().context("the worker's /health names no slot")?;
	let started = Instant::now();
	let mut report = LoadReport::default();
	let mut next = 0u64;
	while next < requests {
		let wave = (requests - next).min(concurrency as u64);
		let mut tasks = Vec::new();
		for i in next..next + wave {
			let body = serde_json::json!({
				"model": model,
				"input": format!("{} ({i})", SENTENCES[i as usize % SENTENCES.len()]),
			})
			.to_string()
			.into_bytes();
			let signed = client_key.sign(&signature::message(slot, &body));
			let request = http
				.post(format!("{endpoint}/v1/embeddings"))
				.header("content-type", "application/json")
				.header(
					signature::SIGNER_HEADER,
					format!("0x{}", hex::encode(client_key.public().0)),
				)
				.header(signature::SIGNATURE_HEADER, format!("0x{}", hex::encode(signed.0)))
				.body(body);
			tasks.push(tokio::spawn(async move {
				let response = request.send().await?;
				if !response.status().is_success() {
					bail!("HTTP {}", response.status());
				}
				let answer: serde_json::Value = response.json().await?;
				let tokens = answer["usage"]["prompt_tokens"].as_u64().unwrap_or(0) as u32;
				let outputs = answer["data"].as_array().map_or(0, Vec::len) as u32;
				Ok::<_, anyhow::Error>(pricing.work(tokens, outputs))
			}));
		}
		for task in tasks {
			match task.await? {
				Ok(units) => {
					report.ok += 1;
					report.work_units += units;
				}
				Err(e) => {
					report.failed += 1;
					tracing::warn!("request failed: {e:#}");
				}
			}
		}
		next += wave;
	}
	report.seconds = started.elapsed().as_secs_f64();
	Ok(report)
}
