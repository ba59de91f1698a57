//! The HTTP API end to end: start `aetron-worker serve`, call it as an OpenAI client would,
//! check answers, errors and the artefacts re-checkers fetch.

mod common;

use aetron_primitives::{artefact::ArtefactHeader, merkle::verify_proof};
use aetron_worker::{
	api::{openai::EmbeddingResponse, ArtefactAnswer},
	inference::fingerprint::cosine,
	recheck::Leaf,
};
use base64::Engine as _;
use codec::Decode;
use common::Server;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sp_core::{crypto::Pair as _, sr25519};

async fn post(
	client: &Client,
	server: &Server,
	path: &str,
	body: Value,
) -> (StatusCode, Value, Option<(u64, u32)>) {
	post_raw(client, server, path, body.to_string().into_bytes(), &[]).await
}

async fn post_raw(
	client: &Client,
	server: &Server,
	path: &str,
	body: Vec<u8>,
	headers: &[(&str, String)],
) -> (StatusCode, Value, Option<(u64, u32)>) {
	let mut request = client
		.post(format!("{}{path}", server.url))
		.header("content-type", "application/json")
		.body(body);
	for (name, value) in headers {
		request = request.header(*name, value);
	}
	let response = request.send().await.unwrap();
	let status = response.status();
	let header =
		|name| response.headers().get(name).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
	let position =
		header("x-aetron-batch").zip(header("x-aetron-index")).map(|(b, i)| (b, i as u32));
	let text = response.text().await.unwrap();
	(status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")), position)
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
	assert_eq!(status, expected, "{body}");
	let error = &body["error"];
	assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
	assert!(error["type"].is_string(), "{body}");
	assert_eq!(error["code"], code, "{body}");
}

fn proves(answer: &ArtefactAnswer) -> Leaf {
	let leaf = Leaf::from_answer(answer).unwrap();
	let root = (&answer.root).try_into().unwrap();
	verify_proof(&root, leaf.leaf_count, leaf.index, &leaf.artefact.leaf(leaf.index), &leaf.proof)
		.unwrap();
	leaf
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embeddings_answer_like_openai_and_leave_proven_artefacts() {
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(&common::minilm_dir(), data.path(), &["--batch-max-age-secs", "1"]);
	let client = Client::new();

	let health: Value =
		client.get(format!("{}/health", server.url)).send().await.unwrap().json().await.unwrap();
	assert_eq!(health["status"], "ok");
	assert_eq!(health["model"], "all-minilm-l6-v2");
	assert_eq!(health["kind"], "embedding");
	assert_eq!(
		(health["kept_verdicts"].as_u64(), health["kept_votes"].as_u64()),
		(Some(0), Some(0))
	);
	let models: Value =
		client.get(format!("{}/v1/models", server.url)).send().await.unwrap().json().await.unwrap();
	assert_eq!(models["data"][0]["id"], "all-minilm-l6-v2");

	let texts = ["The quick brown fox jumps over the lazy dog.", "Wie spät ist es?"];
	let request = json!({ "model": "all-minilm-l6-v2", "input": texts });
	let (status, body, position) = post(&client, &server, "/v1/embeddings", request.clone()).await;
	assert_eq!(status, StatusCode::OK, "{body}");
	let response: EmbeddingResponse = serde_json::from_value(body.clone()).unwrap();
	assert_eq!(response.object, "list");
	assert_eq!(response.model, "all-minilm-l6-v2");
	assert_eq!(response.data.len(), 2);
	let reference: Value = serde_json::from_str(
		&std::fs::read_to_string(common::testdata("minilm_reference.json")).unwrap(),
	)
	.unwrap();
	let sentence = |text: &str| {
		reference["sentences"]
			.as_array()
			.unwrap()
			.iter()
			.find(|s| s["text"] == text)
			.unwrap()
			.clone()
	};
	let expected = |text: &str| -> Vec<f32> {
		serde_json::from_value(sentence(text)["embedding"].clone()).unwrap()
	};
	let tokens: usize =
		texts.iter().map(|t| sentence(t)["token_ids"].as_array().unwrap().len()).sum();
	assert_eq!(response.usage.prompt_tokens, tokens);
	assert_eq!(response.usage.total_tokens, tokens);
	for (data, text) in response.data.iter().zip(texts) {
		assert_eq!(data.object, "embedding");
		let values: Vec<f32> = serde_json::from_value(data.embedding.clone()).unwrap();
		assert!(cosine(&values, &expected(text)) >= 0.9999);
	}

	// base64, as the official Python client asks by default.
	let (status, b64, _) = post(
		&client,
		&server,
		"/v1/embeddings",
		json!({ "model": "all-minilm-l6-v2", "input": texts[0], "encoding_format": "base64" }),
	)
	.await;
	assert_eq!(status, StatusCode::OK);
	let bytes = base64::engine::general_purpose::STANDARD
		.decode(b64["data"][0]["embedding"].as_str().unwrap())
		.unwrap();
	let decoded: Vec<f32> =
		bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
	assert!(cosine(&decoded, &expected(texts[0])) >= 0.9999);

	// Too many inputs in one request.
	let many = vec!["a"; aetron_worker::api::MAX_INPUTS + 1];
	let (status, body_many, _) = post(
		&client,
		&server,
		"/v1/embeddings",
		json!({ "model": "all-minilm-l6-v2", "input": many }),
	)
	.await;
	assert_eq!(status, StatusCode::BAD_REQUEST, "{body_many}");
	assert_eq!(body_many["error"]["param"], "input");

	// The artefact: exactly the bytes exchanged, committed by a valid proof.
	let answer = common::closed_artefact(
		&client,
		&server,
		position.expect("the answer says where its artefact is"),
	)
	.await;
	let leaf = proves(&answer);
	assert_eq!(leaf.request, request.to_string().into_bytes());
	assert_eq!(serde_json::from_slice::<Value>(&leaf.response).unwrap(), body);
	assert_eq!(leaf.artefact.input_units as usize, tokens);
	assert_eq!(leaf.artefact.output_units, 2);
	assert_eq!(leaf.artefact.work_units as usize, tokens + 2);
	assert_eq!(leaf.artefact.client_signature_hash, [0; 32], "unsigned");
	assert_eq!(
		ArtefactHeader::decode(&mut &hex::decode(&answer.artefact[2..]).unwrap()[..]).unwrap(),
		leaf.artefact
	);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_openai_errors() {
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(&common::minilm_dir(), data.path(), &["--max-body-bytes", "4096"]);
	let client = Client::new();
	let model = "all-minilm-l6-v2";

	let (status, body, _) =
		post_raw(&client, &server, "/v1/embeddings", b"{\"model\": ".to_vec(), &[]).await;
	assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_json");
	let (status, body, _) =
		post(&client, &server, "/v1/embeddings", json!({ "model": model })).await;
	assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_json");
	let (status, body, _) =
		post(&client, &server, "/v1/embeddings", json!({ "model": "gpt-4", "input": "x" })).await;
	assert_error(status, &body, StatusCode::NOT_FOUND, "model_not_found");
	for empty in [json!(""), json!([]), json!(["fine", ""])] {
		let (status, body, _) =
			post(&client, &server, "/v1/embeddings", json!({ "model": model, "input": empty }))
				.await;
		assert_error(status, &body, StatusCode::BAD_REQUEST, "empty_input");
	}
	let long = "word ".repeat(300);
	let (status, body, _) =
		post(&client, &server, "/v1/embeddings", json!({ "model": model, "input": long })).await;
	assert_error(status, &body, StatusCode::BAD_REQUEST, "context_length_exceeded");
	assert_eq!(body["error"]["param"], "input");
	let huge = "word ".repeat(2000);
	let (status, body, _) =
		post(&client, &server, "/v1/embeddings", json!({ "model": model, "input": huge })).await;
	assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "request_too_large");
	let (status, body, _) = post(
		&client,
		&server,
		"/v1/embeddings",
		json!({ "model": model, "input": "x", "encoding_format": "int4" }),
	)
	.await;
	assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
	assert_eq!(body["error"]["param"], "encoding_format");
	let (status, body, _) =
		post(&client, &server, "/v1/completions", json!({ "model": model, "prompt": "x" })).await;
	assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
	let response = client.get(format!("{}/v2/nothing", server.url)).send().await.unwrap();
	assert_eq!(response.status(), StatusCode::NOT_FOUND);
	let body: Value = response.json().await.unwrap();
	assert_error(StatusCode::NOT_FOUND, &body, StatusCode::NOT_FOUND, "not_found");

	// Nothing was stored for any of them.
	let response =
		client.get(format!("{}/aetron/v1/artefacts/0/0", server.url)).send().await.unwrap();
	assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_are_checked_and_their_hash_is_committed() {
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(
		&common::minilm_dir(),
		data.path(),
		&["--require-signature", "--batch-max-age-secs", "1", "--slot", "7"],
	);
	let client = Client::new();
	let body = json!({ "model": "all-minilm-l6-v2", "input": "signed" }).to_string().into_bytes();
	let alice = sr25519::Pair::from_string("//Alice", None).unwrap();
	let signature = alice.sign(&aetron_worker::api::signature::message(7, &body));
	// A signature for another slot does not open this one.
	let for_other_slot = alice.sign(&aetron_worker::api::signature::message(8, &body));
	let signer = ("x-aetron-signer", format!("0x{}", hex::encode(alice.public().0)));
	let sig = ("x-aetron-signature", format!("0x{}", hex::encode(signature.0)));

	let (status, reply, _) = post_raw(&client, &server, "/v1/embeddings", body.clone(), &[]).await;
	assert_error(status, &reply, StatusCode::UNAUTHORIZED, "invalid_signature");
	let (status, reply, _) =
		post_raw(&client, &server, "/v1/embeddings", body.clone(), &[signer.clone()]).await;
	assert_error(status, &reply, StatusCode::UNAUTHORIZED, "invalid_signature");
	let mut other = body.clone();
	other.push(b' ');
	let (status, reply, _) =
		post_raw(&client, &server, "/v1/embeddings", other, &[signer.clone(), sig.clone()]).await;
	assert_error(status, &reply, StatusCode::UNAUTHORIZED, "invalid_signature");
	let bob = (
		"x-aetron-signer",
		format!("0x{}", hex::encode(sr25519::Pair::from_string("//Bob", None).unwrap().public().0)),
	);
	let (status, reply, _) =
		post_raw(&client, &server, "/v1/embeddings", body.clone(), &[bob, sig.clone()]).await;
	assert_error(status, &reply, StatusCode::UNAUTHORIZED, "invalid_signature");

	let other_slot = ("x-aetron-signature", format!("0x{}", hex::encode(for_other_slot.0)));
	let (status, reply, _) =
		post_raw(&client, &server, "/v1/embeddings", body.clone(), &[signer.clone(), other_slot])
			.await;
	assert_error(status, &reply, StatusCode::UNAUTHORIZED, "invalid_signature");

	let (status, reply, position) =
		post_raw(&client, &server, "/v1/embeddings", body.clone(), &[signer, sig]).await;
	assert_eq!(status, StatusCode::OK, "{reply}");
	let leaf = proves(&common::closed_artefact(&client, &server, position.unwrap()).await);
	assert_eq!(leaf.artefact.client_signature_hash, sp_crypto_hashing::blake2_256(&signature.0));
	assert_eq!(leaf.artefact.slot, 7);
	assert_eq!(leaf.client, Some((alice.public().0, signature.0)));
	assert_eq!(leaf.request, body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_are_reproducible_and_committed() {
	let (_models, model_dir) = common::tiny_gpt2(42);
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(&model_dir, data.path(), &["--batch-max-age-secs", "1"]);
	let client = Client::new();
	let reference: Value = serde_json::from_str(
		&std::fs::read_to_string(common::testdata("gpt2_reference.json")).unwrap(),
	)
	.unwrap();
	let prompt = reference["prompt"].as_str().unwrap();
	let greedy: Vec<u32> = serde_json::from_value(reference["greedy_tokens"].clone()).unwrap();

	let (status, body, position) = post(
		&client,
		&server,
		"/v1/completions",
		json!({
			"model": "tiny-gpt2", "prompt": prompt, "max_tokens": greedy.len(), "temperature": 0
		}),
	)
	.await;
	assert_eq!(status, StatusCode::OK, "{body}");
	assert_eq!(body["object"], "text_completion");
	assert_eq!(body["choices"][0]["finish_reason"], "length");
	assert_eq!(body["usage"]["prompt_tokens"], prompt.len());
	assert_eq!(body["usage"]["completion_tokens"], greedy.len());
	assert_eq!(body["usage"]["total_tokens"], prompt.len() + greedy.len());
	let tokens: Vec<u32> = serde_json::from_value(body["aetron"]["tokens"].clone()).unwrap();
	assert_eq!(tokens, greedy, "the API's greedy tokens are transformers' greedy tokens");

	let sampled = json!({ "model": "tiny-gpt2", "prompt": prompt, "max_tokens": 20, "temperature": 0.8, "top_p": 0.9, "seed": 7 });
	let (_, first, _) = post(&client, &server, "/v1/completions", sampled.clone()).await;
	let (_, again, _) = post(&client, &server, "/v1/completions", sampled).await;
	assert_eq!(first["choices"][0]["text"], again["choices"][0]["text"]);
	assert_eq!(first["aetron"]["seed"], 7);

	let leaf = proves(&common::closed_artefact(&client, &server, position.unwrap()).await);
	assert_eq!(leaf.artefact.input_units as usize, prompt.len());
	assert_eq!(leaf.artefact.output_units as usize, greedy.len());

	for (bad, param) in [
		(json!({ "model": "tiny-gpt2", "prompt": prompt, "stream": true }), "stream"),
		(json!({ "model": "tiny-gpt2", "prompt": prompt, "n": 2 }), "n"),
		(json!({ "model": "tiny-gpt2", "prompt": [prompt, prompt] }), "prompt"),
		(json!({ "model": "tiny-gpt2", "prompt": prompt, "max_tokens": 0 }), "max_tokens"),
		(json!({ "model": "tiny-gpt2", "prompt": prompt, "temperature": 3.0 }), "temperature"),
	] {
		let (status, body, _) = post(&client, &server, "/v1/completions", bad).await;
		assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
		assert_eq!(body["error"]["param"], param, "{body}");
	}
	let (status, body, _) = post(
		&client,
		&server,
		"/v1/completions",
		json!({ "model": "tiny-gpt2", "prompt": prompt, "max_tokens": 120 }),
	)
	.await;
	assert_error(status, &body, StatusCode::BAD_REQUEST, "context_length_exceeded");
	let (status, body, _) =
		post(&client, &server, "/v1/completions", json!({ "model": "tiny-gpt2", "prompt": "" }))
			.await;
	assert_error(status, &body, StatusCode::BAD_REQUEST, "empty_input");
}

/// `serve` keeps a batch for `--retention-secs` after it opened, then prunes it: its artefacts
/// answer 410 Gone by name, `/metrics` counts it, and serving goes on in the next batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_older_than_the_retention_are_pruned_and_answer_gone() {
	let (_models, model_dir) = common::tiny_gpt2(42);
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(
		&model_dir,
		data.path(),
		&["--batch-max-age-secs", "0.5", "--retention-secs", "3", "--tree-cache-leaves", "1"],
	);
	let client = Client::new();
	let request = json!({ "model": "tiny-gpt2", "prompt": "hello", "max_tokens": 2 });
	let (status, body, position) = post(&client, &server, "/v1/completions", request.clone()).await;
	assert_eq!(status, StatusCode::OK, "{body}");
	let (batch, index) = position.unwrap();
	proves(&common::closed_artefact(&client, &server, (batch, index)).await);

	let url = format!("{}/aetron/v1/artefacts/{batch}/{index}", server.url);
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
	let gone = loop {
		let response = client.get(&url).send().await.unwrap();
		if response.status() != StatusCode::OK {
			break (response.status(), response.json::<Value>().await.unwrap());
		}
		assert!(std::time::Instant::now() < deadline, "batch {batch} was never pruned");
		tokio::time::sleep(std::time::Duration::from_millis(500)).await;
	};
	assert_error(gone.0, &gone.1, StatusCode::GONE, "artefact_pruned");
	let metrics = client.get(format!("{}/metrics", server.url)).send().await.unwrap();
	let metrics = metrics.text().await.unwrap();
	let pruned = metrics
		.lines()
		.find_map(|l| l.strip_prefix("aetron_worker_batches_pruned "))
		.and_then(|v| v.parse::<u64>().ok())
		.unwrap_or_else(|| panic!("no batches_pruned gauge:\n{metrics}"));
	assert!(pruned > batch, "{metrics}");

	// Serving goes on, in a batch of its own that proves as before.
	let (status, body, position) = post(&client, &server, "/v1/completions", request).await;
	assert_eq!(status, StatusCode::OK, "{body}");
	let later = position.unwrap();
	assert!(later.0 > batch);
	proves(&common::closed_artefact(&client, &server, later).await);
}
