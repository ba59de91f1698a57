//! `aetron-worker bench`: the worker's performance on this machine, as a table.
//!
//! Quick medians for a miner sizing a machine; the budgets in DESIGN §12 are measured with the
//! criterion benches in `benches/`, which this mirrors.

use std::{
	path::{Path, PathBuf},
	time::Instant,
};

use aetron_primitives::artefact::{ArtefactHeader, ARTEFACT_VERSION};
use codec::Encode;

use crate::{
	inference::{
		fingerprint, random_gpt2::RandomGpt2, sampling::SamplingParams, BackendKind, Model,
		Placement,
	},
	store::{ArtefactStore, Entry},
};

/// One measured figure.
pub struct Row {
	/// The benchmark.
	pub what: String,
	/// The backend it ran on, or `-`.
	pub backend: String,
	/// The figure.
	pub value: f64,
	/// Its unit.
	pub unit: &'static str,
}

/// The median of `runs` timings of `f`, in seconds.
pub fn median_secs(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
	f()?; // warm-up
	let mut times = Vec::with_capacity(runs);
	for _ in 0..runs {
		let start = Instant::now();
		f()?;
		times.push(start.elapsed().as_secs_f64());
	}
	times.sort_by(f64::total_cmp);
	Ok(times[times.len() / 2])
}

/// The all-MiniLM-L6-v2 directory that `scripts/fetch-models.sh` unpacks (under
/// `AETRON_MODELS`, else `~/.cache/aetron-models`), if it holds the model: the benches and
/// tests that need a real model find it here.
pub fn minilm_dir() -> Option<PathBuf> {
	let models = std::env::var_os("AETRON_MODELS").map(PathBuf::from).or_else(|| {
		std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/aetron-models"))
	})?;
	let dir = models.join("all-minilm-l6-v2");
	dir.join("model.safetensors").exists().then_some(dir)
}

/// Sentences of typical length for embedding benchmarks.
pub fn sentences(n: usize) -> Vec<String> {
	(0..n)
		.map(|i| {
			format!("Sentence number {i} asks the worker to embed a short, ordinary piece of English text.")
		})
		.collect()
}

/// Runs every benchmark that the machine and the given model directory allow.
pub fn run(
	minilm: Option<&Path>,
	backends: &[BackendKind],
	scratch: &Path,
) -> anyhow::Result<Vec<Row>> {
	let mut rows = Vec::new();
	let gpt2_dir = scratch.join("random-gpt2-small");
	RandomGpt2::small(7).write(&gpt2_dir)?;
	for &backend in backends {
		let device = backend.device()?;
		if let Some(dir) = minilm {
			if let Model::Embedding(model) = Model::load(dir, &Placement::plain(device.clone()))? {
				let texts = sentences(32);
				let batch: Vec<Vec<u32>> =
					texts.iter().map(|t| model.tokenize(t)).collect::<Result<_, _>>()?;
				let secs = median_secs(5, || model.embed(&batch).map(drop))?;
				rows.push(Row {
					what: "MiniLM embeddings, batch 32".into(),
					backend: backend.to_string(),
					value: 32.0 / secs,
					unit: "sentences/s",
				});
				let one = vec![batch[0].clone()];
				let single = median_secs(10, || model.embed(&one).map(drop))?;
				rows.push(Row {
					what: "MiniLM embedding, one sentence".into(),
					backend: backend.to_string(),
					value: single * 1e3,
					unit: "ms",
				});
			}
		}
		if let Model::Completion(model) = Model::load(&gpt2_dir, &Placement::plain(device.clone()))?
		{
			let prompt = model.tokenize("The worker generates text for a benchmark prompt.")?;
			let mut generated = Vec::new();
			let generate = median_secs(3, || {
				generated = model.generate(&prompt, 128, SamplingParams::GREEDY, 1)?.tokens;
				Ok(())
			})?;
			let prefill = median_secs(5, || model.prefill(&prompt, &generated).map(drop))?;
			rows.push(Row {
				what: "GPT-2 (random, 4×256) generation".into(),
				backend: backend.to_string(),
				value: generated.len() as f64 / generate,
				unit: "tokens/s",
			});
			rows.push(Row {
				what: "re-check prefill / generation".into(),
				backend: backend.to_string(),
				value: 100.0 * prefill / generate,
				unit: "%",
			});
		}
	}
	let store = ArtefactStore::open(&scratch.join("bench.redb"), 1 << 20)?;
	let embedding = vec![0.05f32; 384];
	let append = median_secs(200, || {
		let entry = Entry {
			request: vec![b'x'; 200],
			response: vec![b'y'; 8000],
			artefact: ArtefactHeader {
				version: ARTEFACT_VERSION,
				neuronet: 0,
				slot: 3,
				batch: 0,
				request_id: [7; 16],
				client_signature_hash: [0; 32],
				input_hash: sp_crypto_hashing::blake2_256(b"request"),
				output_hash: sp_crypto_hashing::blake2_256(b"response"),
				input_units: 20,
				output_units: 1,
				work_units: 21,
				seed: 0,
				fingerprint: fingerprint::embedding(&embedding)
					.encode()
					.try_into()
					.map_err(|_| anyhow::anyhow!("bound"))?,
			},
			client: None,
		};
		store.append(&entry).map(drop)
	})?;
	rows.push(Row {
		what: "artefact + durable store append".into(),
		backend: "-".into(),
		value: append * 1e6,
		unit: "µs",
	});
	Ok(rows)
}

/// Prints rows as an aligned table.
pub fn print(rows: &[Row]) {
	println!("{:<40} {:<10} {:>12}  unit", "benchmark", "backend", "value");
	for row in rows {
		println!("{:<40} {:<10} {:>12.2}  {}", row.what, row.backend, row.value, row.unit);
	}
}
