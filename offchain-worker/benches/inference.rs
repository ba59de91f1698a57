//! Criterion benchmarks for the budgets of DESIGN §12 that concern inference:
//! - MiniLM embeddings on the CPU (compare with scripts/bench-pytorch.sh);
//! - artefact creation + durable store append against the inference of one request;
//! - a completion's re-check by teacher-forced prefill against its generation.
//!
//! `cargo bench --bench inference` (MiniLM from `AETRON_MODELS` or ~/.cache/aetron-models).

use aetron_primitives::artefact::{ArtefactHeader, ARTEFACT_VERSION};
use aetron_worker::inference::Placement;
use aetron_worker::{
	bench::{minilm_dir, sentences},
	inference::{
		fingerprint, random_gpt2::RandomGpt2, sampling::SamplingParams, BackendKind, Model,
	},
	store::{ArtefactStore, Entry},
};
use codec::Encode;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn embeddings(c: &mut Criterion) {
	let Some(dir) = minilm_dir() else {
		eprintln!("MiniLM not found: run scripts/fetch-models.sh; embedding benchmarks skipped");
		return;
	};
	let scratch = tempfile::tempdir().unwrap();
	let store = ArtefactStore::open(&scratch.path().join("bench.redb"), 1 << 20).unwrap();
	let mut group = c.benchmark_group("minilm");
	group.sample_size(10);
	for backend in [BackendKind::Cpu, BackendKind::Reference] {
		let Model::Embedding(model) =
			Model::load(&dir, &Placement::plain(backend.device().unwrap())).unwrap()
		else {
			unreachable!()
		};
		let batch: Vec<Vec<u32>> =
			sentences(32).iter().map(|s| model.tokenize(s).unwrap()).collect();
		group.throughput(Throughput::Elements(32));
		group.bench_function(format!("embed_batch32/{backend}"), |b| {
			b.iter(|| model.embed(&batch).unwrap())
		});
		group.throughput(Throughput::Elements(1));
		let one = vec![batch[0].clone()];
		group.bench_function(format!("embed_one/{backend}"), |b| {
			b.iter(|| model.embed(&one).unwrap())
		});
	}
	// What the API adds to one embedding request: hashes, fingerprint, SCALE, durable append.
	let Model::Embedding(model) =
		Model::load(&dir, &Placement::plain(BackendKind::Cpu.device().unwrap())).unwrap()
	else {
		unreachable!()
	};
	let embedding = model.embed(&[model.tokenize(&sentences(1)[0]).unwrap()]).unwrap().remove(0);
	let request = serde_json::to_vec(
		&serde_json::json!({ "model": "all-minilm-l6-v2", "input": sentences(1)[0] }),
	)
	.unwrap();
	let response =
		serde_json::to_vec(&serde_json::json!({ "data": [{ "embedding": embedding }] })).unwrap();
	group.bench_function("artefact_and_durable_append", |b| {
		b.iter(|| {
			let artefact = ArtefactHeader {
				version: ARTEFACT_VERSION,
				neuronet: 0,
				slot: 3,
				batch: 0,
				request_id: [1; 16],
				client_signature_hash: [0; 32],
				input_hash: sp_crypto_hashing::blake2_256(&request),
				output_hash: sp_crypto_hashing::blake2_256(&response),
				input_units: 20,
				output_units: 1,
				work_units: 21,
				seed: 0,
				fingerprint: fingerprint::embedding(&embedding).encode().try_into().unwrap(),
			};
			store
				.append(&Entry {
					request: request.clone(),
					response: response.clone(),
					artefact,
					client: None,
				})
				.unwrap()
		})
	});
	group.finish();
}

fn recheck(c: &mut Criterion) {
	let scratch = tempfile::tempdir().unwrap();
	for (name, shape, backends) in [
		("gpt2_small", RandomGpt2::small(7), &[BackendKind::Cpu, BackendKind::Reference][..]),
		("gpt2_base", RandomGpt2::base(7), &[BackendKind::Cpu][..]),
	] {
		let dir = scratch.path().join(name);
		shape.write(&dir).unwrap();
		let mut group = c.benchmark_group(name);
		group.sample_size(10);
		for &backend in backends {
			let Model::Completion(model) =
				Model::load(&dir, &Placement::plain(backend.device().unwrap())).unwrap()
			else {
				unreachable!()
			};
			let prompt =
				model.tokenize("The worker generates text for a benchmark prompt.").unwrap();
			let tokens = model.generate(&prompt, 128, SamplingParams::GREEDY, 1).unwrap().tokens;
			group.bench_function(format!("generate_128/{backend}"), |b| {
				b.iter(|| model.generate(&prompt, 128, SamplingParams::GREEDY, 1).unwrap())
			});
			group.bench_function(format!("recheck_prefill_128/{backend}"), |b| {
				b.iter(|| model.prefill(&prompt, &tokens).unwrap())
			});
		}
		group.finish();
	}
}

criterion_group!(benches, embeddings, recheck);
criterion_main!(benches);
