//! `GET /metrics`: the worker's counters in the Prometheus text format, for a miner's
//! Prometheus and Grafana (requests by endpoint and status, forward-pass sizes, queue depth,
//! latency, artefacts stored, batches closed, model time serving and re-checking).

use std::{
	sync::{atomic::Ordering, Arc},
	time::Duration,
};

use prometheus_client::{
	encoding::{text::encode, EncodeLabelSet},
	metrics::{
		counter::Counter,
		family::Family,
		gauge::Gauge,
		histogram::{exponential_buckets, Histogram},
	},
	registry::Registry,
};

use crate::{inference::engine::Engine, store::ArtefactStore};

/// The labels of a finished request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
	/// `embeddings`, `completions` or `artefacts`.
	pub endpoint: &'static str,
	/// The HTTP status answered.
	pub status: u16,
}

/// The labels of a latency observation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
	/// `embeddings` or `completions`.
	pub endpoint: &'static str,
}

/// Every metric the worker exports. Counters kept elsewhere (the engine's, the store's) are
/// copied in when `/metrics` is read.
pub struct Metrics {
	registry: Registry,
	/// Requests answered, by endpoint and status.
	pub requests: Family<RequestLabels, Counter>,
	/// Seconds from a request's arrival to its durable answer, by endpoint.
	pub latency: Family<EndpointLabels, Histogram>,
	/// Sequences in each batched forward pass (embeddings, or a decoding step).
	pub pass_sequences: Histogram,
	/// Seconds each batched forward pass took.
	pub pass_seconds: Histogram,
	/// Client requests refused because the queue was full.
	pub overloaded: Counter,
	queue_depth: Gauge,
	batches_closed: Gauge,
	batches_pruned: Gauge,
	tree_cache_leaves: Gauge,
	artefacts: Gauge,
	store_fsyncs: Gauge,
	serving_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
	rechecking_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
}

impl Default for Metrics {
	fn default() -> Self {
		let mut registry = Registry::with_prefix("aetron_worker");
		let requests = Family::<RequestLabels, Counter>::default();
		registry.register(
			"requests",
			"Requests answered, by endpoint and status",
			requests.clone(),
		);
		let latency = Family::<EndpointLabels, Histogram>::new_with_constructor(|| {
			Histogram::new(exponential_buckets(0.001, 2.0, 16))
		});
		registry.register(
			"request_duration_seconds",
			"Seconds from a request's arrival to its durable answer",
			latency.clone(),
		);
		let pass_sequences = Histogram::new(exponential_buckets(1.0, 2.0, 11));
		registry.register(
			"forward_pass_sequences",
			"Sequences in each batched forward pass (embeddings, or one decoding step)",
			pass_sequences.clone(),
		);
		let pass_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
		registry.register(
			"forward_pass_seconds",
			"Seconds each batched forward pass took",
			pass_seconds.clone(),
		);
		let overloaded = Counter::default();
		registry.register(
			"overloaded",
			"Client requests refused with 429 because the queue was full",
			overloaded.clone(),
		);
		let batches_closed = Gauge::default();
		registry.register(
			"batches_closed",
			"Batches this store has closed (each is committed on-chain)",
			batches_closed.clone(),
		);
		let batches_pruned = Gauge::default();
		registry.register(
			"batches_pruned",
			"Batches this store has pruned (every batch below this number is gone)",
			batches_pruned.clone(),
		);
		let tree_cache_leaves = Gauge::default();
		registry.register(
			"tree_cache_leaves",
			"Leaves of the Merkle-sum trees cached to serve proofs (80 bytes each)",
			tree_cache_leaves.clone(),
		);
		let queue_depth = Gauge::default();
		registry.register("queue_inputs", "Inputs waiting for the model", queue_depth.clone());
		let artefacts = Gauge::default();
		registry.register(
			"artefacts_stored",
			"Artefacts made durable since the worker started",
			artefacts.clone(),
		);
		let store_fsyncs = Gauge::default();
		registry.register(
			"store_write_transactions",
			"Durable store transactions (one fsync each) since the worker started",
			store_fsyncs.clone(),
		);
		let serving_seconds = Gauge::<f64, _>::default();
		registry.register(
			"model_serving_seconds",
			"Seconds the model spent on client requests",
			serving_seconds.clone(),
		);
		let rechecking_seconds = Gauge::<f64, _>::default();
		registry.register(
			"model_rechecking_seconds",
			"Seconds the model spent re-checking and arbitrating",
			rechecking_seconds.clone(),
		);
		Self {
			registry,
			requests,
			latency,
			pass_sequences,
			pass_seconds,
			overloaded,
			batches_closed,
			batches_pruned,
			tree_cache_leaves,
			queue_depth,
			artefacts,
			store_fsyncs,
			serving_seconds,
			rechecking_seconds,
		}
	}
}

impl Metrics {
	/// Counts a finished request.
	pub fn answered(&self, endpoint: &'static str, status: u16, took: Duration) {
		self.requests.get_or_create(&RequestLabels { endpoint, status }).inc();
		if status < 300 {
			self.latency.get_or_create(&EndpointLabels { endpoint }).observe(took.as_secs_f64());
		}
	}

	/// Counts one batched forward pass.
	pub fn pass(&self, sequences: usize, took: Duration) {
		self.pass_sequences.observe(sequences as f64);
		self.pass_seconds.observe(took.as_secs_f64());
	}

	/// The text exposition, with the engine's and the store's counters read now.
	pub fn render(&self, engine: &Engine, store: &ArtefactStore) -> String {
		let counters = engine.counters();
		let groups = store.group_stats();
		self.queue_depth.set(i64::try_from(engine.queued()).unwrap_or(i64::MAX));
		// Batch numbers count from 0, so the open batch's number is how many closed before it.
		if let Ok(open) = store.open_batch() {
			self.batches_closed.set(i64::try_from(open).unwrap_or(i64::MAX));
		}
		if let Ok(pruned) = store.pruned_below() {
			self.batches_pruned.set(i64::try_from(pruned).unwrap_or(i64::MAX));
		}
		let (cached_leaves, _) = store.cached_trees();
		self.tree_cache_leaves.set(i64::try_from(cached_leaves).unwrap_or(i64::MAX));
		self.artefacts.set(i64::try_from(groups.items).unwrap_or(i64::MAX));
		self.store_fsyncs.set(i64::try_from(groups.groups).unwrap_or(i64::MAX));
		self.serving_seconds.set(counters.serving_nanos.load(Ordering::Relaxed) as f64 / 1e9);
		self.rechecking_seconds.set(counters.internal_nanos.load(Ordering::Relaxed) as f64 / 1e9);
		let mut text = String::new();
		// Writing into a String cannot fail.
		let _ = encode(&mut text, &self.registry);
		text
	}
}

/// Shared by the handlers and the engine's pass observer.
pub type SharedMetrics = Arc<Metrics>;
