//! The re-check core against honest and tampered leaves: wrong output, other weights, a bad
//! proof, a fingerprint that does not match, and a worker that does not answer.

use aetron_worker::inference::Placement;
mod common;

use aetron_primitives::merkle::SumNode;
use aetron_worker::{
	inference::{fingerprint, random_gpt2::RandomGpt2, BackendKind, Model},
	recheck::{self, Commitment, FailKind, Leaf, Verdict},
	store::{ArtefactStore, Entry},
};
use codec::Encode;
use common::Server;
use reqwest::Client;
use serde_json::{json, Value};

/// Serves one request and returns its leaf, with the root and leaf count the worker committed.
async fn served_leaf(server: &Server, path: &str, body: Value) -> (Leaf, SumNode, u32) {
	let client = Client::new();
	let response = client.post(format!("{}{path}", server.url)).json(&body).send().await.unwrap();
	assert!(response.status().is_success(), "{}", response.text().await.unwrap());
	let header = |name| response.headers()[name].to_str().unwrap().parse::<u64>().unwrap();
	let (batch, index) = (header("x-aetron-batch"), header("x-aetron-index") as u32);
	for _ in 0..100 {
		match recheck::fetch(&client, &server.url, batch, index).await {
			Ok(leaf) => {
				let answer: aetron_worker::api::ArtefactAnswer = client
					.get(format!("{}/aetron/v1/artefacts/{batch}/{index}", server.url))
					.send()
					.await
					.unwrap()
					.json()
					.await
					.unwrap();
				return (leaf, SumNode::try_from(&answer.root).unwrap(), answer.leaf_count);
			}
			Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
		}
	}
	panic!("the batch did not close");
}

/// What a cheating worker does: commits `entry` in a batch of its own, with a valid proof.
fn committed(entry: Entry) -> (Leaf, SumNode, u32) {
	let dir = tempfile::tempdir().unwrap();
	let store = ArtefactStore::open(&dir.path().join("cheat.redb"), 16).unwrap();
	let position = store.append(&entry).unwrap();
	store.close_if_older_than(0).unwrap().unwrap();
	let proven = store.proven_entry(position).unwrap().unwrap();
	let (root, leaf_count) = (proven.root, proven.leaf_count);
	(Leaf::from_proven(position, proven), root, leaf_count)
}

/// `leaf` with another response, its hash updated as a cheater would.
fn with_response(leaf: &Leaf, response: Value) -> Entry {
	let response = serde_json::to_vec(&response).unwrap();
	let mut artefact = leaf.artefact.clone();
	artefact.output_hash = sp_crypto_hashing::blake2_256(&response);
	Entry { request: leaf.request.clone(), response, artefact, client: leaf.client }
}

fn kind(verdict: &Verdict) -> Option<FailKind> {
	match verdict {
		Verdict::Pass => None,
		Verdict::Fail(kind, _) => Some(*kind),
	}
}

fn gpt2(seed: u64, parent: &std::path::Path) -> std::path::PathBuf {
	// The same directory name, so a cheater's model answers to the same model name.
	let dir = parent.join(format!("{seed}")).join("tiny-gpt2");
	RandomGpt2::tiny(seed).write(&dir).unwrap();
	dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_pass_honest_and_fail_tampered() {
	let models = tempfile::tempdir().unwrap();
	let (honest_dir, other_dir) = (gpt2(42, models.path()), gpt2(43, models.path()));
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(&honest_dir, data.path(), &["--batch-max-age-secs", "0.5"]);
	let cheat_data = tempfile::tempdir().unwrap();
	let cheater = Server::start(&other_dir, cheat_data.path(), &["--batch-max-age-secs", "0.5"]);
	// The re-checker runs the reference backend: honest work from the CPU backend must pass it.
	let model =
		Model::load(&honest_dir, &Placement::plain(BackendKind::Reference.device().unwrap()))
			.unwrap();

	let sampled = json!({ "model": "tiny-gpt2", "prompt": "Re-check me, please.", "max_tokens": 48, "temperature": 0.9, "top_k": 50, "top_p": 0.95, "seed": 99 });
	let greedy = json!({ "model": "tiny-gpt2", "prompt": "Greedy text.", "max_tokens": 32, "temperature": 0 });
	for request in [&sampled, &greedy] {
		let (leaf, root, count) = served_leaf(&server, "/v1/completions", request.clone()).await;
		assert_eq!(
			recheck::check(&leaf, &Commitment::claimed_by(&leaf, root, count), &model),
			Verdict::Pass,
			"{request}"
		);
	}

	// Other weights.
	for request in [&sampled, &greedy] {
		let (leaf, root, count) = served_leaf(&cheater, "/v1/completions", request.clone()).await;
		assert_eq!(
			kind(&recheck::check(&leaf, &Commitment::claimed_by(&leaf, root, count), &model)),
			Some(FailKind::WrongOutput),
			"{request}"
		);
	}

	let (leaf, root, count) = served_leaf(&server, "/v1/completions", sampled.clone()).await;
	let response: Value = serde_json::from_slice(&leaf.response).unwrap();

	// A bad proof: a flipped bit in a sibling, another index, another root, a tampered request.
	let mut bad = leaf.clone();
	if let Some(sibling) = bad.proof.first_mut() {
		sibling.hash[0] ^= 1;
	} else {
		bad.proof.push(SumNode { hash: [1; 32], sum: 1 });
	}
	assert_eq!(
		kind(&recheck::check(&bad, &Commitment::claimed_by(&bad, root, count), &model)),
		Some(FailKind::BadProof)
	);
	let other_root = SumNode { hash: [9; 32], sum: root.sum };
	assert_eq!(
		kind(&recheck::check(&leaf, &Commitment::claimed_by(&leaf, other_root, count), &model)),
		Some(FailKind::BadProof)
	);
	let mut bad = leaf.clone();
	bad.response.push(b' ');
	assert_eq!(
		kind(&recheck::check(&bad, &Commitment::claimed_by(&bad, root, count), &model)),
		Some(FailKind::BadProof)
	);

	// Wrong output, committed with a valid proof: one token swapped.
	let mut tokens: Vec<u32> =
		serde_json::from_value(response["aetron"]["tokens"].clone()).unwrap();
	tokens[10] = (tokens[10] + 1) % 256;
	let text = match &model {
		Model::Completion(m) => m.decode(&tokens).unwrap(),
		Model::Embedding(_) => unreachable!(),
	};
	let mut wrong = response.clone();
	wrong["aetron"]["tokens"] = json!(tokens);
	wrong["choices"][0]["text"] = json!(text);
	let (cheat, root, count) = committed(with_response(&leaf, wrong));
	assert_eq!(
		kind(&recheck::check(&cheat, &Commitment::claimed_by(&cheat, root, count), &model)),
		Some(FailKind::WrongOutput)
	);

	// Text that is not the decoding of the tokens.
	let mut wrong = response.clone();
	wrong["choices"][0]["text"] = json!("something else entirely");
	let (cheat, root, count) = committed(with_response(&leaf, wrong));
	assert_eq!(
		kind(&recheck::check(&cheat, &Commitment::claimed_by(&cheat, root, count), &model)),
		Some(FailKind::WrongOutput)
	);

	// The right tokens with another model's fingerprint.
	let (other_leaf, _, _) = served_leaf(&cheater, "/v1/completions", sampled.clone()).await;
	let mut entry = with_response(&leaf, response.clone());
	entry.artefact.fingerprint = other_leaf.artefact.fingerprint.clone();
	let (cheat, root, count) = committed(entry);
	assert_eq!(
		kind(&recheck::check(&cheat, &Commitment::claimed_by(&cheat, root, count), &model)),
		Some(FailKind::FingerprintOutOfTolerance)
	);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embeddings_pass_honest_and_fail_tampered() {
	let data = tempfile::tempdir().unwrap();
	let server =
		Server::start(&common::minilm_dir(), data.path(), &["--batch-max-age-secs", "0.5"]);
	let model = Model::load(
		&common::minilm_dir(),
		&Placement::plain(BackendKind::Reference.device().unwrap()),
	)
	.unwrap();
	let request = json!({ "model": "all-minilm-l6-v2", "input": ["Re-check this embedding.", "And this one."] });
	let (leaf, root, count) = served_leaf(&server, "/v1/embeddings", request.clone()).await;
	assert_eq!(
		recheck::check(&leaf, &Commitment::claimed_by(&leaf, root, count), &model),
		Verdict::Pass
	);
	let b64 =
		json!({ "model": "all-minilm-l6-v2", "input": "base64 too", "encoding_format": "base64" });
	let (b64_leaf, b64_root, b64_count) = served_leaf(&server, "/v1/embeddings", b64).await;
	assert_eq!(
		recheck::check(&b64_leaf, &Commitment::claimed_by(&b64_leaf, b64_root, b64_count), &model),
		Verdict::Pass
	);

	// Another sentence's embedding in place of the first.
	let response: Value = serde_json::from_slice(&leaf.response).unwrap();
	let mut wrong = response.clone();
	wrong["data"][0]["embedding"] = response["data"][1]["embedding"].clone();
	let (cheat, cheat_root, cheat_count) = committed(with_response(&leaf, wrong));
	assert_eq!(
		kind(&recheck::check(
			&cheat,
			&Commitment::claimed_by(&cheat, cheat_root, cheat_count),
			&model
		)),
		Some(FailKind::WrongOutput)
	);

	// Honest embeddings, but a fingerprint of something else.
	let mut entry = with_response(&leaf, response);
	entry.artefact.fingerprint =
		fingerprint::embedding(&vec![0.05; 384]).encode().try_into().unwrap();
	let (cheat, cheat_root, cheat_count) = committed(entry);
	assert_eq!(
		kind(&recheck::check(
			&cheat,
			&Commitment::claimed_by(&cheat, cheat_root, cheat_count),
			&model
		)),
		Some(FailKind::FingerprintOutOfTolerance)
	);

	// A proof for another index.
	let mut moved = leaf.clone();
	moved.index += 1;
	assert_eq!(
		kind(&recheck::check(&moved, &Commitment::claimed_by(&moved, root, count), &model)),
		Some(FailKind::BadProof)
	);
}

#[tokio::test]
async fn a_worker_that_does_not_serve_the_leaf_is_unavailable() {
	let client = Client::new();
	let closed = format!("http://127.0.0.1:{}", common::free_port());
	let verdict = recheck::fetch(&client, &closed, 0, 0).await.unwrap_err();
	assert_eq!(kind(&verdict), Some(FailKind::Unavailable));

	let models = tempfile::tempdir().unwrap();
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(&gpt2(1, models.path()), data.path(), &[]);
	let verdict = recheck::fetch(&client, &server.url, 5, 0).await.unwrap_err();
	assert_eq!(kind(&verdict), Some(FailKind::Unavailable));
}

/// Everything that decides pay is checked against the chain's commitment, each cheat by its
/// own kind: a leaf claimed by another slot or under another batch number, a committed total
/// that is not the tree's sum, work units off the neuronet's pricing, a client signature for
/// another slot or not the committed one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_is_rederived_from_the_commitment() {
	use aetron_worker::recheck::Pricing;
	use sp_core::{crypto::Pair as _, sr25519};
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(
		&common::minilm_dir(),
		data.path(),
		&["--batch-max-age-secs", "0.5", "--slot", "7", "--units-per-input-token", "2"],
	);
	let model = Model::load(
		&common::minilm_dir(),
		&Placement::plain(BackendKind::Reference.device().unwrap()),
	)
	.unwrap();
	let body = json!({ "model": "all-minilm-l6-v2", "input": "Pay me for this." }).to_string();
	let client = sr25519::Pair::from_string("//Alice", None).unwrap();
	let signed = client.sign(&aetron_worker::api::signature::message(7, body.as_bytes()));
	let response = Client::new()
		.post(format!("{}/v1/embeddings", server.url))
		.header("content-type", "application/json")
		.header("x-aetron-signer", format!("0x{}", hex::encode(client.public().0)))
		.header("x-aetron-signature", format!("0x{}", hex::encode(signed.0)))
		.body(body)
		.send()
		.await
		.unwrap();
	assert!(response.status().is_success());
	let batch: u64 = response.headers()["x-aetron-batch"].to_str().unwrap().parse().unwrap();
	let index: u32 = response.headers()["x-aetron-index"].to_str().unwrap().parse().unwrap();
	let mut leaf = None;
	for _ in 0..100 {
		if let Ok(l) = recheck::fetch(&Client::new(), &server.url, batch, index).await {
			leaf = Some(l);
			break;
		}
		tokio::time::sleep(std::time::Duration::from_millis(100)).await;
	}
	let leaf = leaf.expect("the batch closes");
	let answer: aetron_worker::api::ArtefactAnswer = Client::new()
		.get(format!("{}/aetron/v1/artefacts/{batch}/{index}", server.url))
		.send()
		.await
		.unwrap()
		.json()
		.await
		.unwrap();
	let committed = Commitment {
		root: SumNode::try_from(&answer.root).unwrap(),
		leaf_count: answer.leaf_count,
		slot: 7,
		batch_number: batch,
		neuronet: 0,
		pricing: Pricing { per_input: 2, per_output: 1 },
		tolerance: Default::default(),
		execution: Default::default(),
	};
	assert_eq!(leaf.artefact.slot, 7);
	assert_eq!(leaf.artefact.batch, batch);
	assert_eq!(leaf.artefact.work_units, 2 * u64::from(leaf.artefact.input_units) + 1);
	assert_eq!(recheck::check(&leaf, &committed, &model), Verdict::Pass);

	let check = |c: &Commitment, l: &Leaf| kind(&recheck::check(l, c, &model));
	// Another slot commits these leaves, or the same slot under another batch number.
	assert_eq!(check(&Commitment { slot: 8, ..committed }, &leaf), Some(FailKind::Misattributed));
	assert_eq!(
		check(&Commitment { batch_number: batch + 1, ..committed }, &leaf),
		Some(FailKind::Misattributed)
	);
	// The committed total is not the tree's sum.
	let inflated = SumNode { sum: committed.root.sum + 1_000, ..committed.root };
	assert_eq!(
		check(&Commitment { root: inflated, ..committed }, &leaf),
		Some(FailKind::TotalMismatch)
	);
	// The neuronet prices input at one unit: the leaf claims twice what it is worth.
	let pricing = Pricing { per_input: 1, per_output: 1 };
	assert_eq!(check(&Commitment { pricing, ..committed }, &leaf), Some(FailKind::WorkMismatch));
	// A signature for another slot, and one that is not the committed one.
	let (signer, _) = leaf.client.unwrap();
	let mut other_slot = leaf.clone();
	other_slot.client =
		Some((signer, client.sign(&aetron_worker::api::signature::message(8, &leaf.request)).0));
	assert_eq!(check(&committed, &other_slot), Some(FailKind::Misattributed));
	let mut unsigned = leaf.clone();
	unsigned.client = None;
	assert_eq!(check(&committed, &unsigned), Some(FailKind::Misattributed));
}

/// The arbiter's path (DESIGN §7): a vote on a leaf is a function of the leaf alone on the
/// reference backend, so every arbiter's vote and digest on it agree to the bit, whatever the
/// thread pool around it and from several OS threads at once, for an honest leaf and for one
/// served with other weights.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbiter_votes_are_identical_across_runs_and_thread_counts() {
	use aetron_worker::arbiter::vote_on;
	let models = tempfile::tempdir().unwrap();
	let (honest_dir, other_dir) = (gpt2(42, models.path()), gpt2(43, models.path()));
	let (data, cheat_data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
	let server = Server::start(&honest_dir, data.path(), &["--batch-max-age-secs", "0.5"]);
	let cheater = Server::start(&other_dir, cheat_data.path(), &["--batch-max-age-secs", "0.5"]);
	let model = std::sync::Arc::new(
		Model::load(&honest_dir, &Placement::plain(BackendKind::Reference.device().unwrap()))
			.unwrap(),
	);
	let request = json!({ "model": "tiny-gpt2", "prompt": "Arbitrate me.", "max_tokens": 24, "temperature": 0.8, "seed": 5 });
	for (server, honest) in [(&server, true), (&cheater, false)] {
		let (leaf, root, count) = served_leaf(server, "/v1/completions", request.clone()).await;
		let commitment = Commitment::claimed_by(&leaf, root, count);
		let first = vote_on(Ok(&leaf), &commitment, Some(&model));
		assert_eq!(first.0.miner_honest, honest, "{}", first.1);
		assert_eq!(first, vote_on(Ok(&leaf), &commitment, Some(&model)), "same run twice");
		for threads in [1, 2, 4] {
			let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
			let again = pool.install(|| vote_on(Ok(&leaf), &commitment, Some(&model)));
			assert_eq!(first, again, "{threads} threads");
		}
		let handles: Vec<_> = (0..3)
			.map(|_| {
				let (model, leaf) = (model.clone(), leaf.clone());
				std::thread::spawn(move || vote_on(Ok(&leaf), &commitment, Some(&model)))
			})
			.collect();
		for handle in handles {
			assert_eq!(first, handle.join().unwrap());
		}
	}
	// A leaf nobody can get is judged against the miner.
	let unavailable = Verdict::Fail(FailKind::Unavailable, "HTTP 503".into());
	let (leaf, root, count) = served_leaf(&server, "/v1/completions", request).await;
	let (vote, _) = vote_on(Err(&unavailable), &Commitment::claimed_by(&leaf, root, count), None);
	assert!(!vote.miner_honest);
}
