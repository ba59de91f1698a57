//! The GPT-2 implementation against `transformers`' own GPT-2 on the same seeded random weights,
//! and the reproducibility of greedy and seeded decoding.

use aetron_worker::inference::Placement;
mod common;

use aetron_worker::inference::{
	fingerprint, random_gpt2::RandomGpt2, sampling::SamplingParams, BackendKind, CompletionModel,
	Model,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
	seed: u64,
	prompt: String,
	prompt_ids: Vec<u32>,
	logits: Vec<Vec<f32>>,
	greedy_tokens: Vec<u32>,
}

fn reference() -> Reference {
	serde_json::from_str(&std::fs::read_to_string(common::testdata("gpt2_reference.json")).unwrap())
		.unwrap()
}

fn model(dir: &std::path::Path, backend: BackendKind) -> CompletionModel {
	match Model::load(dir, &Placement::plain(backend.device().unwrap())).unwrap() {
		Model::Completion(model) => model,
		Model::Embedding(_) => panic!("GPT-2 loaded as an embedding model"),
	}
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
	assert_eq!(a.len(), b.len());
	a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn logits_and_greedy_tokens_match_transformers() {
	let reference = reference();
	let dir = tempfile::tempdir().unwrap();
	RandomGpt2::tiny(reference.seed).write(dir.path()).unwrap();
	for backend in [BackendKind::Cpu, BackendKind::Reference] {
		let model = model(dir.path(), backend);
		let ids = model.tokenize(&reference.prompt).unwrap();
		assert_eq!(ids, reference.prompt_ids, "byte-level tokens are the prompt's bytes");
		// Teacher-forced passes give the logits of every position: positions 0..n-1 as the
		// "choosers" of the prompt's own tail, and the last one as the chooser of a next token.
		let mut ours = model.prefill(&ids[..1], &ids[1..]).unwrap().logits;
		ours.extend(model.prefill(&ids, &[0]).unwrap().logits);
		assert_eq!(ours.len(), reference.logits.len());
		for (p, (row, expected)) in ours.iter().zip(&reference.logits).enumerate() {
			let diff = max_abs_diff(row, expected);
			assert!(diff < 1e-3, "{backend}: position {p} differs by {diff}");
		}
		let greedy =
			model.generate(&ids, reference.greedy_tokens.len(), SamplingParams::GREEDY, 0).unwrap();
		assert_eq!(greedy.tokens, reference.greedy_tokens, "{backend}: greedy continuation");
	}
}

#[test]
fn the_kv_cache_gives_what_a_full_prefill_gives() {
	let dir = tempfile::tempdir().unwrap();
	RandomGpt2::tiny(3).write(dir.path()).unwrap();
	let model = model(dir.path(), BackendKind::Cpu);
	let prompt = model.tokenize("Cached and uncached").unwrap();
	let sampled = SamplingParams { temperature: 0.9, top_k: 40, top_p: 0.95 };
	let generation = model.generate(&prompt, 40, sampled, 11).unwrap();
	let prefill = model.prefill(&prompt, &generation.tokens).unwrap();
	assert_eq!(prefill.hidden.len(), generation.tokens.len());
	for (p, (cached, full)) in generation.hidden.iter().zip(&prefill.hidden).enumerate() {
		let diff = max_abs_diff(cached, full);
		assert!(diff < 1e-4, "position {p}: hidden states differ by {diff}");
	}
	let d =
		fingerprint::distance(&generation.fingerprint(), &fingerprint::completion(&prefill.hidden))
			.unwrap();
	assert!(d.within(&fingerprint::Tolerance::default()), "{d:?}");
}

#[test]
fn greedy_and_seeded_generations_are_reproducible() {
	let dir = tempfile::tempdir().unwrap();
	RandomGpt2::tiny(5).write(dir.path()).unwrap();
	let cpu = model(dir.path(), BackendKind::Cpu);
	let reference = model(dir.path(), BackendKind::Reference);
	let prompt = cpu.tokenize("Seeds make sampling reproducible").unwrap();
	let sampled = SamplingParams { temperature: 1.0, top_k: 0, top_p: 1.0 };

	let greedy = cpu.generate(&prompt, 30, SamplingParams::GREEDY, 0).unwrap().tokens;
	assert_eq!(
		greedy,
		cpu.generate(&prompt, 30, SamplingParams::GREEDY, 999).unwrap().tokens,
		"greedy ignores the seed"
	);

	let a = cpu.generate(&prompt, 30, sampled, 1234).unwrap().tokens;
	assert_eq!(
		a,
		cpu.generate(&prompt, 30, sampled, 1234).unwrap().tokens,
		"same seed, same tokens"
	);
	assert_eq!(
		a,
		reference.generate(&prompt, 30, sampled, 1234).unwrap().tokens,
		"same on the reference backend"
	);
	let b = cpu.generate(&prompt, 30, sampled, 1235).unwrap().tokens;
	assert_ne!(a, b, "another seed, other tokens");
	assert_ne!(a, greedy);

	// top_k = 1 is greedy whatever the seed.
	let top1 = SamplingParams { temperature: 1.5, top_k: 1, top_p: 1.0 };
	assert_eq!(cpu.generate(&prompt, 30, top1, 77).unwrap().tokens, greedy);

	// The reference backend's output digest is bit-identical run after run.
	let digest = |m: &CompletionModel| {
		let g = m.generate(&prompt, 20, sampled, 5).unwrap();
		let bytes: Vec<u8> = g.hidden.iter().flatten().flat_map(|v| v.to_le_bytes()).collect();
		sp_crypto_hashing::blake2_256(&bytes)
	};
	assert_eq!(digest(&reference), digest(&reference));
}

#[test]
fn prompts_past_the_context_are_refused() {
	let dir = tempfile::tempdir().unwrap();
	RandomGpt2::tiny(1).write(dir.path()).unwrap();
	let model = model(dir.path(), BackendKind::Cpu);
	let prompt = model.tokenize(&"x".repeat(120)).unwrap();
	assert!(model.check_length(prompt.len(), 8).is_ok());
	assert!(matches!(
		model.check_length(prompt.len(), 9),
		Err(aetron_worker::inference::InputError::TooLong { requested: 129, max: 128 })
	));
	assert!(model.generate(&prompt, 9, SamplingParams::GREEDY, 0).is_err());
}

/// Continuous batching: sequences that start at different times and step together (each over
/// its own KV cache, with its own sampling and seed) produce exactly the tokens each produces
/// alone, and hidden states within rounding of them.
#[test]
fn sequences_stepped_together_generate_what_each_generates_alone() {
	let dir = tempfile::tempdir().unwrap();
	RandomGpt2::small(9).write(dir.path()).unwrap();
	for backend in [BackendKind::Cpu, BackendKind::Reference] {
		let model = model(dir.path(), backend);
		let sampled = SamplingParams { temperature: 0.9, top_k: 40, top_p: 0.95 };
		let jobs: Vec<(Vec<u32>, usize, SamplingParams, u64)> = (0..6)
			.map(|i| {
				let prompt = model.tokenize(&"a prompt of its own ".repeat(i + 1)).unwrap();
				let params = if i % 2 == 0 { SamplingParams::GREEDY } else { sampled };
				(prompt, 10 + 3 * i, params, i as u64)
			})
			.collect();
		let alone: Vec<_> = jobs
			.iter()
			.map(|(p, n, params, seed)| model.generate(p, *n, *params, *seed).unwrap())
			.collect();

		// Sequence i joins after i steps of the others; all step together until done.
		let mut running = Vec::new();
		for (i, (p, n, params, seed)) in jobs.iter().enumerate() {
			running.push(model.start(p, *n, *params, *seed).unwrap());
			if i > 0 {
				let mut batch: Vec<_> = running.iter_mut().collect();
				model.step(&mut batch).unwrap();
			}
		}
		while running.iter().any(|s| !s.is_done()) {
			let mut batch: Vec<_> = running.iter_mut().collect();
			model.step(&mut batch).unwrap();
		}
		for (i, (together, alone)) in running.into_iter().zip(&alone).enumerate() {
			let together = together.into_generation();
			assert_eq!(together.tokens, alone.tokens, "{backend}: sequence {i}'s tokens");
			assert_eq!(together.finish_reason, alone.finish_reason);
			for (a, b) in together.hidden.iter().zip(&alone.hidden) {
				let diff = max_abs_diff(a, b);
				assert!(diff < 1e-4, "{backend}: sequence {i}'s hidden states differ by {diff}");
			}
			let d = fingerprint::distance(&together.fingerprint(), &alone.fingerprint()).unwrap();
			assert!(d.within(&fingerprint::Tolerance::default()), "{d:?}");
		}
	}
}
