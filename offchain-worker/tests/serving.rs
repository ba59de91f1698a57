//! The serving engine through the API (DESIGN §16): concurrent embedding requests share
//! forward passes yet each gets exactly its own answer and artefact, a full queue answers 429
//! with `Retry-After`, and `/metrics` is valid Prometheus text.

use aetron_worker::inference::Placement;
mod common;

use std::{
	collections::{BTreeMap, BTreeSet},
	time::Duration,
};

use aetron_worker::{
	inference::{fingerprint::cosine, random_gpt2::RandomGpt2, BackendKind, Model},
	recheck::{self, Commitment, Leaf, Verdict},
};
use common::Server;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const MODEL: &str = "all-minilm-l6-v2";

/// The reference sentences (sentence-transformers' embeddings and token ids).
fn reference() -> Vec<Value> {
	let reference: Value = serde_json::from_str(
		&std::fs::read_to_string(common::testdata("minilm_reference.json")).unwrap(),
	)
	.unwrap();
	reference["sentences"].as_array().unwrap().clone()
}

fn floats(value: &Value) -> Vec<f32> {
	serde_json::from_value(value.clone()).unwrap()
}

struct Answer {
	status: StatusCode,
	body: Value,
	position: Option<(u64, u32)>,
	retry_after: Option<u64>,
}

async fn embed(client: Client, url: String, input: Value) -> Answer {
	let response = client
		.post(format!("{url}/v1/embeddings"))
		.json(&json!({ "model": MODEL, "input": input }))
		.send()
		.await
		.unwrap();
	let header = |name: &str| {
		response.headers().get(name).and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
	};
	let position =
		header("x-aetron-batch").zip(header("x-aetron-index")).map(|(b, i)| (b, i as u32));
	let retry_after = header("retry-after");
	let status = response.status();
	Answer { status, body: response.json().await.unwrap(), position, retry_after }
}

async fn metrics(client: &Client, server: &Server) -> Exposition {
	let response = client.get(format!("{}/metrics", server.url)).send().await.unwrap();
	assert_eq!(response.status(), StatusCode::OK);
	let kind = response.headers()["content-type"].to_str().unwrap().to_string();
	assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
	Exposition::parse(&response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_share_forward_passes_and_each_gets_its_own_answer() {
	let data = tempfile::tempdir().unwrap();
	// A window long enough that 32 requests sent at once meet in it on a loaded machine.
	let server = Server::start(
		&common::minilm_dir(),
		data.path(),
		&["--batch-max-age-secs", "1", "--max-wait-ms", "50"],
	);
	let client = Client::new();
	let sentences = reference();
	let texts: Vec<String> = (0..32)
		.map(|i| sentences[i % sentences.len()]["text"].as_str().unwrap().to_string())
		.collect();

	// Each sentence alone first: the unbatched answers.
	let mut alone = BTreeMap::new();
	for text in texts.iter().collect::<BTreeSet<_>>() {
		let answer = embed(client.clone(), server.url.clone(), json!(text)).await;
		assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
		alone.insert(text.clone(), floats(&answer.body["data"][0]["embedding"]));
	}
	let before = metrics(&client, &server).await;

	let answers = futures_join_all(
		texts.iter().map(|text| embed(client.clone(), server.url.clone(), json!(text))),
	)
	.await;
	let after = metrics(&client, &server).await;

	let mut positions = BTreeSet::new();
	for (text, answer) in texts.iter().zip(&answers) {
		assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
		let data = answer.body["data"].as_array().unwrap();
		assert_eq!(data.len(), 1);
		assert_eq!(data[0]["index"], 0);
		let sentence = sentences.iter().find(|s| s["text"] == text.as_str()).unwrap();
		let tokens = sentence["token_ids"].as_array().unwrap().len();
		assert_eq!(answer.body["usage"]["prompt_tokens"], tokens, "its own usage");
		let values = floats(&data[0]["embedding"]);
		// Its own embedding: as sentence-transformers computes it, and as served alone to
		// within the calibrated tolerance for honest runs (1 − cos ≤ 1e-8).
		assert!(cosine(&values, &floats(&sentence["embedding"])) >= 0.9999, "{text}");
		let distance = 1.0 - cosine(&values, &alone[text]);
		assert!(distance <= 1e-8, "{text}: batched vs alone 1 − cos = {distance:e}");
		assert!(positions.insert(answer.position.unwrap()), "each answer has its own leaf");
	}

	// They shared forward passes: fewer passes than requests.
	let passes = after.value("aetron_worker_forward_pass_sequences_count", &[])
		- before.value("aetron_worker_forward_pass_sequences_count", &[]);
	let sequences = after.value("aetron_worker_forward_pass_sequences_sum", &[])
		- before.value("aetron_worker_forward_pass_sequences_sum", &[]);
	assert_eq!(sequences, 32.0);
	assert!(passes < 32.0, "32 concurrent requests took {passes} forward passes");
	let ok = [("endpoint", "embeddings"), ("status", "200")];
	assert_eq!(after.value("aetron_worker_requests_total", &ok), 32.0 + alone.len() as f64);
	assert_eq!(after.value("aetron_worker_artefacts_stored", &[]), 32.0 + alone.len() as f64);

	// A re-checker recomputes a batched leaf alone and passes it.
	let answer = common::closed_artefact(&client, &server, *positions.iter().next().unwrap()).await;
	let leaf = Leaf::from_answer(&answer).unwrap();
	let root = (&answer.root).try_into().unwrap();
	let model = Model::load(
		&common::minilm_dir(),
		&Placement::plain(BackendKind::Reference.device().unwrap()),
	)
	.unwrap();
	let verdict =
		recheck::check(&leaf, &Commitment::claimed_by(&leaf, root, answer.leaf_count), &model);
	assert_eq!(verdict, Verdict::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_queue_answers_429_with_retry_after_and_nothing_is_stored() {
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(
		&common::minilm_dir(),
		data.path(),
		&["--batch-max-age-secs", "1", "--max-queue", "8", "--max-batch", "8"],
	);
	let client = Client::new();
	let text = reference()[0]["text"].as_str().unwrap().to_string();
	let input = json!(vec![text; 8]);
	// 24 requests of 8 inputs at once against room for 8 waiting inputs.
	let answers =
		futures_join_all((0..24).map(|_| embed(client.clone(), server.url.clone(), input.clone())))
			.await;
	let (ok, refused): (Vec<_>, Vec<_>) = answers.iter().partition(|a| a.status == StatusCode::OK);
	assert!(!ok.is_empty(), "some are served");
	assert!(!refused.is_empty(), "some are refused");
	for answer in &refused {
		assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{}", answer.body);
		let error = &answer.body["error"];
		assert_eq!(error["type"], "requests", "{}", answer.body);
		assert_eq!(error["code"], "rate_limit_exceeded", "{}", answer.body);
		assert!(error["message"].as_str().unwrap().contains("capacity"), "{}", answer.body);
		assert!(answer.retry_after.is_some_and(|s| s >= 1), "Retry-After in seconds");
		assert!(answer.position.is_none(), "a refused request leaves no artefact");
	}
	let after = metrics(&client, &server).await;
	assert_eq!(after.value("aetron_worker_overloaded_total", &[]), refused.len() as f64);
	let status = |code| [("endpoint", "embeddings"), ("status", code)];
	assert_eq!(after.value("aetron_worker_requests_total", &status("429")), refused.len() as f64);
	assert_eq!(after.value("aetron_worker_requests_total", &status("200")), ok.len() as f64);
	assert_eq!(after.value("aetron_worker_artefacts_stored", &[]), ok.len() as f64);
	assert_eq!(after.value("aetron_worker_queue_inputs", &[]), 0.0, "the queue drained");

	// Once it has drained, the worker serves again.
	let answer = embed(client.clone(), server.url.clone(), input).await;
	assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_completions_share_decoding_steps_and_each_gets_its_own_answer() {
	let dir = tempfile::tempdir().unwrap();
	let model_dir = dir.path().join("random-gpt2-small");
	RandomGpt2::small(4).write(&model_dir).unwrap();
	let data = tempfile::tempdir().unwrap();
	let server = Server::start(&model_dir, data.path(), &["--batch-max-age-secs", "1"]);
	let client = Client::new();
	let request = |i: usize| {
		let mut body = json!({
			"model": "random-gpt2-small",
			"prompt": format!("Request number {i} wants {} tokens", 8 + 4 * i),
			"max_tokens": 8 + 4 * i,
			"seed": i,
		});
		// Half greedy, half sampled.
		body["temperature"] = json!(if i % 2 == 0 { 0.0 } else { 0.9 });
		body
	};
	let complete = |body: Value| {
		let (client, url) = (client.clone(), server.url.clone());
		async move {
			let response =
				client.post(format!("{url}/v1/completions")).json(&body).send().await.unwrap();
			assert_eq!(response.status(), StatusCode::OK);
			response.json::<Value>().await.unwrap()
		}
	};
	// Each alone, then all eight at once.
	let mut alone = Vec::new();
	for i in 0..8 {
		alone.push(complete(request(i)).await);
	}
	let before = metrics(&client, &server).await;
	let together = futures_join_all((0..8).map(|i| complete(request(i)))).await;
	let after = metrics(&client, &server).await;
	let mut ids = BTreeSet::new();
	for (i, (together, alone)) in together.iter().zip(&alone).enumerate() {
		assert_eq!(together["aetron"]["tokens"], alone["aetron"]["tokens"], "request {i}");
		assert_eq!(together["choices"][0]["text"], alone["choices"][0]["text"]);
		assert_eq!(together["usage"], alone["usage"], "its own usage");
		let generated = together["aetron"]["tokens"].as_array().unwrap().len();
		assert_eq!(together["usage"]["completion_tokens"], generated);
		assert!(generated <= 8 + 4 * i);
		assert!(ids.insert(together["id"].as_str().unwrap().to_string()), "its own id");
	}
	// They shared decoding steps: fewer steps than tokens generated after the first ones.
	let steps = after.value("aetron_worker_forward_pass_sequences_count", &[])
		- before.value("aetron_worker_forward_pass_sequences_count", &[]);
	let stepped = after.value("aetron_worker_forward_pass_sequences_sum", &[])
		- before.value("aetron_worker_forward_pass_sequences_sum", &[]);
	let decoded: f64 =
		together.iter().map(|t| (t["aetron"]["tokens"].as_array().unwrap().len() - 1) as f64).sum();
	assert_eq!(stepped, decoded, "every token after the first is one sequence in one step");
	assert!(steps < decoded, "{steps} steps for {decoded} tokens");
}

async fn futures_join_all<F: std::future::Future>(
	futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
	F: Send + 'static,
	F::Output: Send + 'static,
{
	// Spawned, so the requests really are in flight together on the runtime's threads.
	let handles: Vec<_> = futures.map(tokio::spawn).collect();
	let mut out = Vec::with_capacity(handles.len());
	for handle in handles {
		out.push(handle.await.unwrap());
	}
	out
}

/// A parsed OpenMetrics text exposition, checked line by line against the format: `# HELP`,
/// `# TYPE` and `# EOF` comments, samples `name{label="value",…} number` of declared metric
/// families, histogram buckets cumulative and ending at `+Inf` = `_count`.
struct Exposition {
	samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

impl Exposition {
	fn parse(text: &str) -> Self {
		let name_ok = |name: &str| {
			!name.is_empty()
				&& name.chars().enumerate().all(|(i, c)| {
					c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
				})
		};
		let mut types: BTreeMap<String, String> = BTreeMap::new();
		let mut samples = Vec::new();
		let lines: Vec<&str> = text.lines().collect();
		assert_eq!(lines.last(), Some(&"# EOF"), "the exposition ends with # EOF");
		for line in &lines[..lines.len() - 1] {
			if let Some(rest) = line.strip_prefix("# TYPE ") {
				let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
				assert!(name_ok(name), "{line}");
				assert!(
					["counter", "gauge", "histogram", "summary", "info", "unknown"].contains(&kind),
					"{line}"
				);
				assert!(types.insert(name.into(), kind.into()).is_none(), "declared twice: {line}");
				continue;
			}
			if let Some(rest) = line.strip_prefix("# HELP ") {
				assert!(name_ok(rest.split(' ').next().unwrap()), "{line}");
				continue;
			}
			assert!(!line.starts_with('#'), "unknown comment: {line}");
			let (series, value) = line.rsplit_once(' ').expect("name value");
			let value: f64 = match value {
				"+Inf" => f64::INFINITY,
				v => v.parse().unwrap_or_else(|_| panic!("not a number: {line}")),
			};
			let (name, labels) = match series.split_once('{') {
				None => (series, BTreeMap::new()),
				Some((name, rest)) => {
					let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("{line}"));
					let mut labels = BTreeMap::new();
					for pair in body.split(',').filter(|p| !p.is_empty()) {
						let (key, quoted) =
							pair.split_once('=').unwrap_or_else(|| panic!("{line}"));
						assert!(name_ok(key), "{line}");
						let value = quoted
							.strip_prefix('"')
							.and_then(|q| q.strip_suffix('"'))
							.unwrap_or_else(|| panic!("unquoted label: {line}"));
						labels.insert(key.to_string(), value.to_string());
					}
					(name, labels)
				}
			};
			assert!(name_ok(name), "{line}");
			let family = ["_total", "_bucket", "_count", "_sum", "_created"]
				.iter()
				.find_map(|suffix| name.strip_suffix(suffix).filter(|f| types.contains_key(*f)))
				.unwrap_or(name);
			assert!(types.contains_key(family), "a sample of an undeclared family: {line}");
			samples.push((name.to_string(), labels, value));
		}
		let exposition = Self { samples };
		for (family, kind) in &types {
			if kind == "histogram" {
				exposition.check_histogram(family);
			}
		}
		exposition
	}

	/// Buckets cumulative, the last at `+Inf`, equal to `_count`, per label set.
	fn check_histogram(&self, family: &str) {
		let bucket = format!("{family}_bucket");
		let mut series: BTreeMap<BTreeMap<String, String>, Vec<(f64, f64)>> = BTreeMap::new();
		for (name, labels, value) in &self.samples {
			if *name == bucket {
				let mut rest = labels.clone();
				let le = rest.remove("le").expect("a bucket has le");
				let le = if le == "+Inf" { f64::INFINITY } else { le.parse().unwrap() };
				series.entry(rest).or_default().push((le, *value));
			}
		}
		for (labels, buckets) in series {
			assert!(buckets.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1), "{family}");
			let last = buckets.last().unwrap();
			assert_eq!(last.0, f64::INFINITY, "{family} ends at +Inf");
			let pairs: Vec<(&str, &str)> =
				labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
			assert_eq!(last.1, self.value(&format!("{family}_count"), &pairs), "{family}");
		}
	}

	/// The value of the sample `name` with exactly these labels (0 when absent, as
	/// Prometheus treats a series not yet created).
	fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
		let want: BTreeMap<String, String> =
			labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
		self.samples.iter().find(|(n, l, _)| n == name && *l == want).map_or(0.0, |(_, _, v)| *v)
	}
}

/// A re-check's embeddings ride in the passes of client requests, behind them: the clients'
/// inputs fill the first pass, the worker's own take its spare row and then a pass of their
/// own; every input gets its own answer, a full queue refuses clients but never the worker,
/// and each pass's time splits between serving and re-checking by rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn own_embeddings_ride_behind_client_ones_and_count_as_rechecking() {
	use aetron_worker::inference::engine::{Batching, Engine, EngineError};
	use std::sync::{Arc, Mutex};

	let model = Model::load(
		&common::minilm_dir(),
		&Placement::plain(BackendKind::Reference.device().unwrap()),
	)
	.unwrap();
	let Model::Embedding(reference) = Model::load(
		&common::minilm_dir(),
		&Placement::plain(BackendKind::Reference.device().unwrap()),
	)
	.unwrap() else {
		panic!("MiniLM embeds");
	};
	let passes = Arc::new(Mutex::new(Vec::new()));
	let seen = passes.clone();
	// A window long enough that everything sent below meets in one gathered group, and a
	// queue of three inputs.
	let config = Batching {
		max_batch: 4,
		max_wait: std::time::Duration::from_millis(500),
		max_queue: 3,
		..Batching::default()
	};
	let engine =
		Engine::start(model, config, Box::new(move |rows, _| seen.lock().unwrap().push(rows)))
			.unwrap();
	let tokens = |text: &str| reference.tokenize(text).unwrap();
	let texts = ["a client", "another client's sentence", "three", "own one", "own two is longer"];
	let (c0, c1, c2, overfull, o0, o1) = tokio::join!(
		engine.embed(vec![tokens(texts[0])]),
		engine.embed(vec![tokens(texts[1])]),
		engine.embed(vec![tokens(texts[2])]),
		engine.embed(vec![tokens("refused")]),
		engine.embed_own(vec![tokens(texts[3])], Duration::ZERO),
		engine.embed_own(vec![tokens(texts[4])], Duration::ZERO),
	);
	assert!(
		matches!(overfull, Err(EngineError::Overloaded { capacity: 3, .. })),
		"a fourth client input overfills the queue: {overfull:?}"
	);
	assert_eq!(*passes.lock().unwrap(), vec![4, 1], "clients first, one own row beside them");
	for (text, got) in texts.iter().zip([c0, c1, c2, o0, o1]) {
		let got = got.unwrap();
		let alone = reference.embed(&[tokens(text)]).unwrap();
		assert_eq!(got.len(), 1);
		let cosine = cosine(&got[0], &alone[0]);
		assert!(cosine > 0.9999, "{text}: {cosine}");
	}
	let counters = engine.counters();
	let serving = counters.serving_nanos.load(std::sync::atomic::Ordering::Relaxed);
	let rechecking = counters.internal_nanos.load(std::sync::atomic::Ordering::Relaxed);
	assert!(serving > 0 && rechecking > 0, "serving {serving} ns, re-checking {rechecking} ns");
}

/// While clients are being served, a group of only the worker's own inputs waits for one to
/// share its forward pass: a client request sent while a re-check waits shares its pass (one
/// pass of two rows, not two passes of one) and is answered without waiting out the
/// re-check's hold; with no client coming, the re-check runs alone once its hold ends. On an
/// idle worker it does not wait at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn own_embeddings_wait_for_client_traffic_to_share_a_pass() {
	use aetron_worker::inference::engine::{Batching, Engine};
	use std::{
		sync::{Arc, Mutex},
		time::Instant,
	};

	let placement = Placement::plain(BackendKind::Reference.device().unwrap());
	let Model::Embedding(reference) = Model::load(&common::minilm_dir(), &placement).unwrap()
	else {
		panic!("MiniLM embeds");
	};
	let tokens = |text: &str| reference.tokenize(text).unwrap();
	let own_wait = Duration::from_secs(20);
	let start = || {
		let model = Model::load(&common::minilm_dir(), &placement).unwrap();
		let passes = Arc::new(Mutex::new(Vec::new()));
		let seen = passes.clone();
		let config = Batching { own_wait, ..Batching::default() };
		let observe = Box::new(move |rows, _| seen.lock().unwrap().push(rows));
		(Arc::new(Engine::start(model, config, observe).unwrap()), passes)
	};

	// An idle worker: nobody is coming, so the re-check runs at once.
	let (engine, passes) = start();
	let sent = Instant::now();
	engine.embed_own(vec![tokens("idle")], own_wait).await.unwrap();
	assert!(sent.elapsed() < own_wait / 2, "no wait when idle: {:?}", sent.elapsed());
	assert_eq!(*passes.lock().unwrap(), vec![1]);

	// A client was served: the next re-check waits for the next client, and shares its pass.
	engine.embed(vec![tokens("traffic")]).await.unwrap();
	let waiting = engine.clone();
	let recheck = vec![tokens("a re-check")];
	let own = tokio::spawn(async move { waiting.embed_own(recheck, own_wait).await });
	tokio::time::sleep(Duration::from_millis(300)).await;
	assert_eq!(*passes.lock().unwrap(), vec![1, 1], "the re-check waits for traffic");
	let sent = Instant::now();
	let client = engine.embed(vec![tokens("a client")]).await.unwrap();
	assert!(
		sent.elapsed() < own_wait / 2,
		"the client does not wait out the re-check's hold: {:?}",
		sent.elapsed()
	);
	let own = own.await.unwrap().unwrap();
	assert_eq!(*passes.lock().unwrap(), vec![1, 1, 2], "one pass of both rows");
	for (text, got) in [("a client", &client), ("a re-check", &own)] {
		let alone = reference.embed(&[tokens(text)]).unwrap();
		assert!(cosine(&got[0], &alone[0]) > 0.9999, "{text}");
	}

	// No client comes: the re-check runs alone once its (here short) hold ends.
	let hold = Duration::from_millis(200);
	let sent = Instant::now();
	engine.embed_own(vec![tokens("alone")], hold).await.unwrap();
	assert!(sent.elapsed() >= hold, "it waited its hold: {:?}", sent.elapsed());
	assert_eq!(*passes.lock().unwrap(), vec![1, 1, 2, 1]);
}
