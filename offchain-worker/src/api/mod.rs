//! The worker's HTTP API (DESIGN §10): OpenAI-compatible inference, artefacts for re-checkers,
//! health.
//!
//! Every answered inference request leaves an artefact in the store, and the client gets its
//! answer only after that artefact is durable: a response a client has seen is never lost to a
//! crash. The answer's `x-aetron-batch` and `x-aetron-index` headers say where it went.

pub mod error;
pub mod metrics;
pub mod openai;
pub mod signature;

use std::{
	net::SocketAddr,
	path::PathBuf,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use aetron_primitives::{
	artefact::{ArtefactHeader, NeuronetId, ARTEFACT_VERSION},
	merkle::SumNode,
};
use anyhow::Context;
use axum::{
	body::Bytes,
	extract::{rejection::BytesRejection, DefaultBodyLimit, Path, State},
	http::{header, HeaderMap, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use base64::Engine as _;
use codec::Encode;
use serde_json::json;

use crate::{
	inference::{
		engine::{Batching, Engine, EngineError},
		fingerprint::{self, Fingerprint},
		sampling::SamplingParams,
		BackendKind, CompletionInput, EmbeddingInput, Execution, InputError, Model, Placement,
	},
	pruner::{Pruner, Settlement},
	recheck::Pricing,
	store::{ArtefactStore, Entry, Keeping, Lookup, Position},
};
use error::ApiError;
use metrics::Metrics;
use openai::*;

/// The most inputs one embeddings request may hold, as OpenAI's API allows.
pub const MAX_INPUTS: usize = 2048;

/// How to run `aetron-worker serve`.
#[derive(Clone, Debug)]
pub struct ServeConfig {
	/// The model directory (config.json, model.safetensors, tokenizer.json).
	pub model_dir: PathBuf,
	/// Where the artefact store lives.
	pub data_dir: PathBuf,
	/// The address to listen on.
	pub listen: SocketAddr,
	/// The compute backend.
	pub backend: BackendKind,
	/// The neuronet's execution parameters, which the backend must honour.
	pub execution: Execution,
	/// The neuronet the artefacts belong to.
	pub neuronet: NeuronetId,
	/// The slot serving (artefacts and client signatures name it; `NO_SLOT` off-chain).
	pub slot: u64,
	/// The neuronet's work pricing, which every artefact's work units follow.
	pub pricing: Pricing,
	/// Refuse requests without a valid client signature.
	pub require_signature: bool,
	/// Larger bodies get 413.
	pub max_body_bytes: usize,
	/// A batch closes when it holds this many leaves…
	pub batch_max_leaves: u32,
	/// …or when its first leaf is this old.
	pub batch_max_age: Duration,
	/// Serve stored leaves at the artefact endpoint (off only in tests, to play a miner that
	/// stops serving them: `AETRON_TEST_HIDE_ARTEFACTS`).
	pub serve_artefacts: bool,
	/// How concurrent requests share forward passes, and how many may wait.
	pub batching: Batching,
	/// How long batches are kept, and how many trees are cached.
	pub keeping: Keeping,
}

/// The served model, the store and the settings, shared by all handlers.
pub struct App {
	/// The model's own thread: it batches embeddings and runs everything else in turn.
	engine: Engine,
	model_name: String,
	/// `embedding` or `completion`, for `/health` without waiting for the model.
	model_kind: &'static str,
	/// The embedding model's tokenizer, so requests tokenize on their own threads (shared:
	/// a tokenizer's vocabulary is far too large to copy per request).
	embedding_input: Option<Arc<EmbeddingInput>>,
	/// The language model's tokenizer, likewise.
	completion_input: Option<Arc<CompletionInput>>,
	store: Arc<ArtefactStore>,
	config: ServeConfig,
	requests: AtomicU64,
	metrics: Arc<Metrics>,
}

impl App {
	/// Loads the model and opens the store.
	pub fn open(config: ServeConfig) -> anyhow::Result<Arc<Self>> {
		let place = Placement::new(config.backend, &config.execution)?;
		let model = Model::load(&config.model_dir, &place)
			.with_context(|| format!("loading the model in {}", config.model_dir.display()))?;
		std::fs::create_dir_all(&config.data_dir)?;
		let store = Arc::new(
			ArtefactStore::open(&config.data_dir.join("artefacts.redb"), config.batch_max_leaves)?
				.with_tree_cache(config.keeping.tree_cache_leaves),
		);
		let (model_kind, embedding_input, completion_input) = match &model {
			Model::Embedding(m) => ("embedding", Some(Arc::new(m.input().clone())), None),
			Model::Completion(m) => ("completion", None, Some(Arc::new(m.input().clone()))),
		};
		let model_name = model.name().to_string();
		let metrics = Arc::new(Metrics::default());
		let observer = metrics.clone();
		let engine = Engine::start(
			model,
			config.batching,
			Box::new(move |sequences, took| observer.pass(sequences, took)),
		)?;
		Ok(Arc::new(Self {
			engine,
			model_name,
			model_kind,
			embedding_input,
			completion_input,
			store,
			config,
			requests: AtomicU64::new(0),
			metrics,
		}))
	}

	/// The artefact store.
	pub fn store(&self) -> &ArtefactStore {
		&self.store
	}

	/// The artefact store, shared (the commit and re-check loops hold it).
	pub fn store_handle(&self) -> Arc<ArtefactStore> {
		self.store.clone()
	}

	/// Runs the worker's own `job` (a completion's re-check, an arbiter's vote) alone on the
	/// served model, in its turn between requests; its model time counts as re-checking.
	pub async fn with_model<T: Send + 'static>(
		&self,
		job: impl FnOnce(&Model) -> T + Send + 'static,
	) -> anyhow::Result<T> {
		self.engine.run(job).await.map_err(anyhow::Error::from)
	}

	/// The engine that runs the model.
	pub fn engine(&self) -> &Engine {
		&self.engine
	}

	/// The execution parameters the served model runs with.
	pub fn execution(&self) -> Execution {
		self.config.execution
	}

	/// The embedding model's tokenizer, when the served model embeds.
	pub fn embedding_input(&self) -> Option<Arc<EmbeddingInput>> {
		self.embedding_input.clone()
	}

	/// A fresh request id: BLAKE2b-128 of the body, the time and a counter.
	fn request_id(&self, body: &[u8]) -> [u8; 16] {
		let n = self.requests.fetch_add(1, Ordering::Relaxed);
		let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
		let hash = blake2b_simd::Params::new()
			.hash_length(16)
			.to_state()
			.update(body)
			.update(&nanos.to_le_bytes())
			.update(&n.to_le_bytes())
			.finalize();
		let mut id = [0u8; 16];
		id.copy_from_slice(hash.as_bytes());
		id
	}

	/// Makes the artefact of an answered request durable and returns the answer with its
	/// position.
	async fn commit(self: &Arc<Self>, record: Record) -> Result<Response, ApiError> {
		let fingerprint = record.fingerprint.encode();
		let artefact = ArtefactHeader {
			version: ARTEFACT_VERSION,
			neuronet: self.config.neuronet,
			slot: self.config.slot,
			// The store writes the batch the entry goes into.
			batch: 0,
			request_id: record.request_id,
			client_signature_hash: record.signature_hash,
			input_hash: sp_crypto_hashing::blake2_256(&record.request),
			output_hash: sp_crypto_hashing::blake2_256(&record.response),
			input_units: record.input_units,
			output_units: record.output_units,
			work_units: self.config.pricing.work(record.input_units, record.output_units),
			seed: record.seed,
			fingerprint: fingerprint
				.try_into()
				.map_err(|_| ApiError::internal(anyhow::anyhow!("fingerprint over its bound")))?,
		};
		let entry = Entry {
			request: record.request,
			response: record.response.clone(),
			artefact,
			client: record.client,
		};
		let app = self.clone();
		let position = tokio::task::spawn_blocking(move || app.store.append(&entry))
			.await
			.map_err(|e| ApiError::internal(e.into()))?
			.map_err(ApiError::internal)?;
		let mut response = (
			[(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
			record.response,
		)
			.into_response();
		let headers = response.headers_mut();
		headers.insert("x-aetron-batch", HeaderValue::from(position.batch));
		headers.insert("x-aetron-index", HeaderValue::from(position.index));
		Ok(response)
	}
}

/// What [`App::commit`] stores for one answered request.
struct Record {
	request_id: [u8; 16],
	signature_hash: [u8; 32],
	client: signature::ClientSignature,
	request: Vec<u8>,
	response: Vec<u8>,
	input_units: u32,
	output_units: u32,
	seed: u64,
	fingerprint: Fingerprint,
}

/// The routes.
pub fn router(app: Arc<App>) -> Router {
	let limit = app.config.max_body_bytes;
	Router::new()
		.route("/health", get(health))
		.route("/metrics", get(metrics_text))
		.route("/v1/models", get(models))
		.route("/v1/embeddings", post(embeddings))
		.route("/v1/completions", post(completions))
		.route("/aetron/v1/artefacts/{batch}/{index}", get(artefact))
		.fallback(|| async { ApiError::not_found("No such route.") })
		.layer(DefaultBodyLimit::max(limit))
		.layer(axum::middleware::from_fn_with_state(app.clone(), track))
		.with_state(app)
}

/// Counts every request in `/metrics`, by endpoint and status, with its latency.
async fn track(
	State(app): State<Arc<App>>,
	request: axum::extract::Request,
	next: axum::middleware::Next,
) -> Response {
	let path = request.uri().path();
	let endpoint = match path {
		"/v1/embeddings" => "embeddings",
		"/v1/completions" => "completions",
		_ if path.starts_with("/aetron/v1/artefacts/") => "artefacts",
		"/health" | "/metrics" | "/v1/models" => return next.run(request).await,
		_ => "other",
	};
	let started = Instant::now();
	let response = next.run(request).await;
	app.metrics.answered(endpoint, response.status().as_u16(), started.elapsed());
	if response.status() == StatusCode::TOO_MANY_REQUESTS {
		app.metrics.overloaded.inc();
	}
	response
}

/// Serves until Ctrl-C or SIGTERM, closing aged batches once a second and pruning those older
/// than the retention.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
	let app = tokio::task::spawn_blocking(move || App::open(config)).await??;
	serve_app(app, Settlement::Offline).await
}

/// [`serve`] for an app already open (`mine` shares it with its loops, and the chain tells
/// when its batches settle).
pub async fn serve_app(app: Arc<App>, settlement: Settlement) -> anyhow::Result<()> {
	let listen = app.config.listen;
	let max_age = app.config.batch_max_age;
	let listener =
		tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
	tracing::info!(
		"serving `{}` on http://{}",
		app.model_name,
		listener.local_addr().unwrap_or(listen)
	);
	let closer = app.clone();
	tokio::spawn(async move {
		let mut tick = tokio::time::interval(Duration::from_secs(1));
		loop {
			tick.tick().await;
			let store = closer.clone();
			let max_age_ms = u64::try_from(max_age.as_millis()).unwrap_or(u64::MAX);
			match tokio::task::spawn_blocking(move || store.store.close_if_older_than(max_age_ms))
				.await
			{
				Ok(Ok(Some((batch, root)))) => {
					tracing::info!(
						"closed batch {batch}: {} work units, root 0x{}",
						root.sum,
						hex::encode(root.hash)
					)
				}
				Ok(Ok(None)) => {}
				Ok(Err(e)) => tracing::error!("closing a batch: {e:#}"),
				Err(e) => tracing::error!("closing a batch: {e}"),
			}
		}
	});
	let pruner =
		Pruner { store: app.store.clone(), retention: app.config.keeping.retention, settlement };
	tokio::spawn(pruner.run());
	axum::serve(listener, router(app)).with_graceful_shutdown(shutdown()).await?;
	Ok(())
}

async fn shutdown() {
	let terminate = async {
		if let Ok(mut signal) =
			tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
		{
			signal.recv().await;
		}
	};
	tokio::select! {
		_ = tokio::signal::ctrl_c() => {},
		_ = terminate => {},
	}
}

async fn health(State(app): State<Arc<App>>) -> Result<Json<serde_json::Value>, ApiError> {
	let open_batch = app.store.open_batch().map_err(ApiError::internal)?;
	let (kept_verdicts, kept_votes) = app.store.kept_records().map_err(ApiError::internal)?;
	Ok(Json(json!({
		"status": "ok",
		"model": app.model_name,
		"kind": app.model_kind,
		"backend": app.config.backend,
		// `f32/none/fused`: dtype, quantization, attention.
		"execution": crate::inference::execution::Name(app.config.execution).to_string(),
		"neuronet": app.config.neuronet,
		"slot": app.config.slot,
		"open_batch": open_batch,
		"requests": app.requests.load(Ordering::Relaxed),
		"queued_inputs": app.engine.queued(),
		// Verdicts and votes kept to reveal; each goes once its batch or dispute leaves the chain.
		"kept_verdicts": kept_verdicts,
		"kept_votes": kept_votes,
		// Model time: client requests, and the worker's own re-checks (the 8 % budget).
		"serving_seconds": nanos_secs(&app.engine.counters().serving_nanos),
		"rechecking_seconds": nanos_secs(&app.engine.counters().internal_nanos),
	})))
}

fn nanos_secs(counter: &AtomicU64) -> f64 {
	counter.load(Ordering::Relaxed) as f64 / 1e9
}

async fn metrics_text(State(app): State<Arc<App>>) -> Response {
	let text = app.metrics.render(&app.engine, &app.store);
	(
		[(
			header::CONTENT_TYPE,
			HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
		)],
		text,
	)
		.into_response()
}

/// The API's answer to an engine that did not run a job.
fn engine_error(error: EngineError) -> ApiError {
	match error {
		EngineError::Overloaded { retry_after, .. } => {
			ApiError::overloaded(error.to_string(), retry_after)
		}
		EngineError::Lost => ApiError::internal(error.into()),
		EngineError::Failed(e) => ApiError::internal(e),
	}
}

async fn models(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
	Json(json!({
		"object": "list",
		"data": [{ "id": app.model_name, "object": "model", "created": 0, "owned_by": "aetron" }],
	}))
}

/// The body, or 413 when it is over the limit.
fn body(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
	body.map_err(|rejection| {
		if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
			ApiError {
				status: StatusCode::PAYLOAD_TOO_LARGE,
				kind: "invalid_request_error",
				message: format!("The request body is over this worker's limit of {limit} bytes."),
				param: None,
				code: Some("request_too_large"),
				retry_after: None,
			}
		} else {
			ApiError::invalid(rejection.body_text(), None)
		}
	})
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
	serde_json::from_slice(body).map_err(|e| {
		ApiError::invalid(
			format!("The request body is not valid JSON for this endpoint: {e}"),
			None,
		)
		.with_code("invalid_json")
	})
}

fn input_error(error: InputError, param: &'static str) -> ApiError {
	let code = match error {
		InputError::Empty => "empty_input",
		InputError::TooLong { .. } => "context_length_exceeded",
		InputError::Tokenizer(_) => "invalid_input",
	};
	ApiError::invalid(error.to_string(), Some(param)).with_code(code)
}

fn units(n: usize) -> Result<u32, ApiError> {
	u32::try_from(n).map_err(|_| ApiError::invalid("The request is too large.", None))
}

async fn embeddings(
	State(app): State<Arc<App>>,
	headers: HeaderMap,
	raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
	let raw = body(raw, app.config.max_body_bytes)?;
	let (signature_hash, client) =
		signature::check(&headers, &raw, app.config.slot, app.config.require_signature)?;
	let request: EmbeddingRequest = parse(&raw)?;
	if request.model != app.model_name {
		return Err(ApiError::unknown_model(&request.model, &app.model_name));
	}
	let base64 = match request.encoding_format.as_deref() {
		None | Some("float") => false,
		Some("base64") => true,
		Some(other) => {
			return Err(ApiError::invalid(
				format!("Unsupported encoding_format `{other}`: use `float` or `base64`."),
				Some("encoding_format"),
			))
		}
	};
	let inputs = request.input.into_vec();
	if inputs.is_empty() {
		return Err(input_error(InputError::Empty, "input"));
	}
	if inputs.len() > MAX_INPUTS {
		return Err(ApiError::invalid(
			format!("At most {MAX_INPUTS} inputs per request."),
			Some("input"),
		));
	}
	let Some(input) = app.embedding_input.clone() else {
		return Err(ApiError::invalid(
			"This worker serves completions, not embeddings.",
			Some("model"),
		));
	};
	if request.dimensions.is_some_and(|d| d != input.dimensions) {
		return Err(ApiError::invalid(
			format!("This model's embeddings have {} dimensions.", input.dimensions),
			Some("dimensions"),
		));
	}
	// Tokenized here, off the model's thread, which batches the forward passes.
	let batch = tokio::task::spawn_blocking(move || {
		inputs.iter().map(|text| input.tokenize(text)).collect::<Result<Vec<_>, _>>()
	})
	.await
	.map_err(|e| ApiError::internal(e.into()))?
	.map_err(|e| input_error(e, "input"))?;
	let tokens = batch.iter().map(Vec::len).sum::<usize>();
	let embeddings = app.engine.embed(batch).await.map_err(engine_error)?;

	let mut sum = vec![0f32; embeddings.first().map_or(0, Vec::len)];
	for embedding in &embeddings {
		for (s, v) in sum.iter_mut().zip(embedding) {
			*s += v;
		}
	}
	let data = embeddings
		.iter()
		.enumerate()
		.map(|(index, values)| EmbeddingData {
			object: "embedding".into(),
			index,
			embedding: if base64 {
				let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
				json!(base64::engine::general_purpose::STANDARD.encode(bytes))
			} else {
				json!(values)
			},
		})
		.collect();
	let response = EmbeddingResponse {
		object: "list".into(),
		data,
		model: app.model_name.clone(),
		usage: Usage { prompt_tokens: tokens, completion_tokens: None, total_tokens: tokens },
	};
	let record = Record {
		request_id: app.request_id(&raw),
		signature_hash,
		client,
		response: serde_json::to_vec(&response).map_err(|e| ApiError::internal(e.into()))?,
		request: raw.to_vec(),
		input_units: units(tokens)?,
		output_units: units(embeddings.len())?,
		seed: 0,
		fingerprint: fingerprint::embedding(&sum),
	};
	app.commit(record).await
}

async fn completions(
	State(app): State<Arc<App>>,
	headers: HeaderMap,
	raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
	let raw = body(raw, app.config.max_body_bytes)?;
	let (signature_hash, client) =
		signature::check(&headers, &raw, app.config.slot, app.config.require_signature)?;
	let request: CompletionRequest = parse(&raw)?;
	if request.model != app.model_name {
		return Err(ApiError::unknown_model(&request.model, &app.model_name));
	}
	let refuse = |what: &str, param| {
		Err(ApiError::invalid(format!("{what} is not supported by this worker."), Some(param)))
	};
	if request.stream == Some(true) {
		return refuse("Streaming", "stream");
	}
	if request.n.is_some_and(|n| n != 1) {
		return refuse("More than one choice (`n`)", "n");
	}
	if request.stop.as_ref().is_some_and(|s| !s.is_null()) {
		return refuse("`stop`", "stop");
	}
	if request.logprobs.as_ref().is_some_and(|l| !l.is_null()) {
		return refuse("`logprobs`", "logprobs");
	}
	if request.echo == Some(true) {
		return refuse("`echo`", "echo");
	}
	if !(0.0..=2.0).contains(&request.temperature) || !(request.top_p > 0.0 && request.top_p <= 1.0)
	{
		return Err(ApiError::invalid(
			"temperature must be in [0, 2] and top_p in (0, 1].",
			Some("temperature"),
		));
	}
	let mut prompts = request.prompt.into_vec();
	if prompts.len() != 1 {
		return Err(ApiError::invalid("Send exactly one prompt per request.", Some("prompt")));
	}
	let prompt = prompts.pop().unwrap_or_default();
	let request_id = app.request_id(&raw);
	// Without a seed from the client, the request id supplies one; either way it is recorded.
	let seed = request
		.seed
		.unwrap_or_else(|| u64::from_le_bytes(request_id[..8].try_into().unwrap_or_default()));
	let params = SamplingParams {
		temperature: request.temperature,
		top_k: request.top_k,
		top_p: request.top_p,
	};
	let max_tokens = request.max_tokens;
	let Some(input) = app.completion_input.clone() else {
		return Err(ApiError::invalid(
			"This worker serves embeddings, not completions.",
			Some("model"),
		));
	};
	let prompt_tokens = {
		let input = input.clone();
		tokio::task::spawn_blocking(move || input.tokenize(&prompt))
			.await
			.map_err(|e| ApiError::internal(e.into()))?
			.map_err(|e| input_error(e, "prompt"))?
	};
	let prompt_len = prompt_tokens.len();
	input.check_length(prompt_len, max_tokens).map_err(|e| input_error(e, "max_tokens"))?;
	if max_tokens == 0 {
		return Err(ApiError::invalid("max_tokens must be at least 1.", Some("max_tokens")));
	}
	let generation =
		app.engine.complete(prompt_tokens, max_tokens, params, seed).await.map_err(engine_error)?;
	let text = input.decode(&generation.tokens).map_err(ApiError::internal)?;
	let completion_tokens = generation.tokens.len();
	let response = CompletionResponse {
		id: format!("cmpl-{}", hex::encode(request_id)),
		object: "text_completion".into(),
		created: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
		model: app.model_name.clone(),
		system_fingerprint: format!("aetron-{}", app.config.backend),
		choices: vec![CompletionChoice {
			text,
			index: 0,
			logprobs: None,
			finish_reason: generation.finish_reason.as_str().into(),
		}],
		usage: Usage {
			prompt_tokens: prompt_len,
			completion_tokens: Some(completion_tokens),
			total_tokens: prompt_len + completion_tokens,
		},
		aetron: AetronCompletion { tokens: generation.tokens.clone(), seed },
	};
	let record = Record {
		request_id,
		signature_hash,
		client,
		response: serde_json::to_vec(&response).map_err(|e| ApiError::internal(e.into()))?,
		request: raw.to_vec(),
		input_units: units(prompt_len)?,
		output_units: units(completion_tokens)?,
		seed,
		fingerprint: generation.fingerprint(),
	};
	app.commit(record).await
}

/// `GET /aetron/v1/artefacts/{batch}/{index}` body.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ArtefactAnswer {
	/// The batch.
	pub batch: u64,
	/// The leaf's index in it.
	pub index: u32,
	/// The batch's leaf count.
	pub leaf_count: u32,
	/// The batch's root, as committed.
	pub root: NodeJson,
	/// The leaf node.
	pub leaf: NodeJson,
	/// Siblings from the leaf up.
	pub proof: Vec<NodeJson>,
	/// The SCALE-encoded artefact header, hex with `0x`.
	pub artefact: String,
	/// The request body as received, base64.
	pub request: String,
	/// The response body as sent, base64.
	pub response: String,
	/// The client's public key (hex with `0x`), when the request was signed.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub signer: Option<String>,
	/// The client's signature (hex with `0x`), when the request was signed.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub signature: Option<String>,
}

/// A Merkle-sum node in JSON.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NodeJson {
	/// `0x` + 64 hex digits.
	pub hash: String,
	/// The work units below the node.
	pub sum: u64,
}

impl From<SumNode> for NodeJson {
	fn from(node: SumNode) -> Self {
		Self { hash: format!("0x{}", hex::encode(node.hash)), sum: node.sum }
	}
}

impl TryFrom<&NodeJson> for SumNode {
	type Error = anyhow::Error;
	fn try_from(node: &NodeJson) -> anyhow::Result<Self> {
		let bytes = hex::decode(node.hash.trim_start_matches("0x"))?;
		let hash: [u8; 32] =
			bytes.try_into().map_err(|_| anyhow::anyhow!("a node hash is not 32 bytes"))?;
		Ok(SumNode { hash, sum: node.sum })
	}
}

async fn artefact(
	State(app): State<Arc<App>>,
	Path((batch, index)): Path<(u64, u32)>,
) -> Result<Json<ArtefactAnswer>, ApiError> {
	if !app.config.serve_artefacts {
		return Err(ApiError {
			status: StatusCode::SERVICE_UNAVAILABLE,
			kind: "server_error",
			message: "This worker does not serve artefacts.".into(),
			param: None,
			code: Some("artefacts_unavailable"),
			retry_after: None,
		});
	}
	let position = Position { batch, index };
	let store_app = app.clone();
	let lookup = tokio::task::spawn_blocking(move || store_app.store.lookup(position))
		.await
		.map_err(|e| ApiError::internal(e.into()))?
		.map_err(ApiError::internal)?;
	let proven = match lookup {
		Lookup::Proven(proven) => *proven,
		Lookup::Missing => {
			return Err(ApiError::not_found(format!(
				"No artefact at batch {batch}, index {index}."
			)))
		}
		Lookup::Open => {
			return Err(ApiError {
				status: StatusCode::CONFLICT,
				kind: "invalid_request_error",
				message: format!(
					"Batch {batch} is still open; its proofs are served once it closes."
				),
				param: None,
				code: Some("batch_open"),
				retry_after: None,
			})
		}
		Lookup::Pruned => {
			return Err(ApiError {
				status: StatusCode::GONE,
				kind: "invalid_request_error",
				message: format!("Batch {batch} was pruned: its epoch is settled."),
				param: None,
				code: Some("artefact_pruned"),
				retry_after: None,
			})
		}
	};
	let b64 = base64::engine::general_purpose::STANDARD;
	Ok(Json(ArtefactAnswer {
		batch,
		index,
		leaf_count: proven.leaf_count,
		root: proven.root.into(),
		leaf: proven.leaf.into(),
		proof: proven.proof.into_iter().map(NodeJson::from).collect(),
		artefact: format!("0x{}", hex::encode(proven.entry.artefact.encode())),
		request: b64.encode(&proven.entry.request),
		response: b64.encode(&proven.entry.response),
		signer: proven.entry.client.map(|(key, _)| format!("0x{}", hex::encode(key))),
		signature: proven.entry.client.map(|(_, sig)| format!("0x{}", hex::encode(sig))),
	}))
}
