//! `kill -9` in the middle of a load of eight concurrent clients (whose appends group commit
//! writes together): every response a client received has its artefact, with a valid proof once
//! its batch closes, and batches continue without gaps or duplicates.

mod common;

use std::{
	collections::{BTreeMap, HashSet},
	sync::{Arc, Mutex},
	time::Duration,
};

use aetron_worker::recheck;
use common::Server;
use reqwest::Client;
use serde_json::json;

type Acks = Arc<Mutex<BTreeMap<(u64, u32), Vec<u8>>>>;

/// Sends completions from `clients` concurrent loops until told to stop, recording every
/// acknowledged answer by its position.
async fn load(url: String, acks: Acks, stop: Arc<std::sync::atomic::AtomicBool>, clients: usize) {
	let tasks: Vec<_> = (0..clients)
		.map(|c| {
			let (url, acks, stop) = (url.clone(), acks.clone(), stop.clone());
			tokio::spawn(async move {
				let client = Client::new();
				let mut n = 0u64;
				while !stop.load(std::sync::atomic::Ordering::Relaxed) {
					n += 1;
					let body = json!({ "model": "tiny-gpt2", "prompt": format!("client {c} request {n}"), "max_tokens": 8, "seed": n });
					let Ok(response) = client.post(format!("{url}/v1/completions")).json(&body).send().await else {
						tokio::time::sleep(Duration::from_millis(20)).await;
						continue;
					};
					if !response.status().is_success() {
						continue;
					}
					let header = |name| response.headers().get(name)?.to_str().ok()?.parse::<u64>().ok();
					let Some(position) = header("x-aetron-batch").zip(header("x-aetron-index")) else { continue };
					// Acknowledged only once the whole body has arrived.
					if let Ok(bytes) = response.bytes().await {
						let previous = acks.lock().unwrap().insert((position.0, position.1 as u32), bytes.to_vec());
						assert!(previous.is_none(), "position {position:?} acknowledged twice");
					}
				}
			})
		})
		.collect();
	for task in tasks {
		task.await.unwrap();
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_no_acknowledged_artefact() {
	let (_models, model_dir) = common::tiny_gpt2(42);
	let data = tempfile::tempdir().unwrap();
	let mut server = Server::start(
		&model_dir,
		data.path(),
		&["--batch-max-leaves", "16", "--batch-max-age-secs", "2"],
	);
	let acks: Acks = Arc::default();

	for round in 0..3 {
		let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
		let loader = tokio::spawn(load(server.url.clone(), acks.clone(), stop.clone(), 8));
		let target = acks.lock().unwrap().len() + 25 + round * 7;
		while acks.lock().unwrap().len() < target {
			tokio::time::sleep(Duration::from_millis(5)).await;
		}
		server.kill_9(); // with requests in flight
		stop.store(true, std::sync::atomic::Ordering::Relaxed);
		loader.await.unwrap();
		server.restart();
	}

	let acks = acks.lock().unwrap().clone();
	let client = Client::new();
	// Every acknowledged answer is stored as sent and proven once its batch closes.
	for (&(batch, index), sent) in &acks {
		let mut leaf = None;
		for _ in 0..100 {
			match recheck::fetch(&client, &server.url, batch, index).await {
				Ok(found) => {
					leaf = Some(found);
					break;
				}
				Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
			}
		}
		let leaf =
			leaf.unwrap_or_else(|| panic!("acknowledged artefact {batch}/{index} is missing"));
		assert_eq!(&leaf.response, sent, "{batch}/{index} is stored as it was sent");
		let answer: aetron_worker::api::ArtefactAnswer = client
			.get(format!("{}/aetron/v1/artefacts/{batch}/{index}", server.url))
			.send()
			.await
			.unwrap()
			.json()
			.await
			.unwrap();
		let root = (&answer.root).try_into().unwrap();
		aetron_primitives::merkle::verify_proof(
			&root,
			leaf.leaf_count,
			index,
			&leaf.artefact.leaf(index),
			&leaf.proof,
		)
		.unwrap_or_else(|e| panic!("{batch}/{index}: {e:?}"));
	}
	// No gaps: every batch up to the last one used is full of leaves, each served with a proof.
	let last = acks.keys().map(|(b, _)| *b).max().unwrap();
	let mut request_ids = HashSet::new();
	for batch in 0..=last {
		let first = recheck::fetch(&client, &server.url, batch, 0)
			.await
			.unwrap_or_else(|v| panic!("batch {batch}: {v}"));
		for index in 0..first.leaf_count {
			let leaf = recheck::fetch(&client, &server.url, batch, index).await.unwrap();
			assert!(request_ids.insert(leaf.artefact.request_id), "a request stored twice");
		}
	}
}
