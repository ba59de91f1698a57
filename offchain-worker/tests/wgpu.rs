//! The same models on a GPU through wgpu (feature `wgpu`): they must give what the CPU gives,
//! within the fingerprint tolerances. Without an adapter (no GPU and no software Vulkan such as
//! Mesa's lavapipe) the tests say so and skip.
#![cfg(feature = "wgpu")]

use aetron_worker::inference::Placement;
mod common;

use aetron_worker::{
	hardware,
	inference::{
		fingerprint, random_gpt2::RandomGpt2, sampling::SamplingParams, BackendKind, Model,
	},
};

fn adapter() -> bool {
	let gpus = hardware::gpus();
	if gpus.is_empty() {
		eprintln!("SKIPPED: no wgpu adapter on this machine (install a GPU driver or mesa-vulkan-drivers)");
		return false;
	}
	eprintln!("wgpu adapters: {gpus:?}");
	true
}

#[test]
fn minilm_on_wgpu_matches_the_reference_backend() {
	if !adapter() {
		return;
	}
	let load = |backend: BackendKind| match Model::load(
		&common::minilm_dir(),
		&Placement::plain(backend.device().unwrap()),
	)
	.unwrap()
	{
		Model::Embedding(m) => m,
		Model::Completion(_) => unreachable!(),
	};
	let (gpu, reference) = (load(BackendKind::Wgpu), load(BackendKind::Reference));
	let texts = ["The quick brown fox jumps over the lazy dog.", "Wie spät ist es?", "short"];
	let batch: Vec<Vec<u32>> = texts.iter().map(|t| gpu.tokenize(t).unwrap()).collect();
	for (ours, theirs) in gpu.embed(&batch).unwrap().iter().zip(reference.embed(&batch).unwrap()) {
		let cos = fingerprint::cosine(ours, &theirs);
		eprintln!("1 - cos(wgpu, reference) = {:.2e}", 1.0 - cos);
		assert!(cos >= fingerprint::MIN_EMBEDDING_COSINE, "{cos}");
	}
}

#[test]
fn gpt2_on_wgpu_passes_the_reference_re_check() {
	if !adapter() {
		return;
	}
	let dir = tempfile::tempdir().unwrap();
	RandomGpt2::small(7).write(dir.path()).unwrap();
	let load = |backend: BackendKind| match Model::load(
		dir.path(),
		&Placement::plain(backend.device().unwrap()),
	)
	.unwrap()
	{
		Model::Completion(m) => m,
		Model::Embedding(_) => unreachable!(),
	};
	let (gpu, reference) = (load(BackendKind::Wgpu), load(BackendKind::Reference));
	let prompt = gpu.tokenize("A GPU serves, a CPU re-checks.").unwrap();
	let params = SamplingParams { temperature: 0.8, top_k: 0, top_p: 0.95 };
	let generation = gpu.generate(&prompt, 64, params, 9).unwrap();
	let prefill = reference.prefill(&prompt, &generation.tokens).unwrap();
	let d =
		fingerprint::distance(&generation.fingerprint(), &fingerprint::completion(&prefill.hidden))
			.unwrap();
	eprintln!("wgpu against the reference prefill: {d:?}");
	assert!(d.within(&fingerprint::Tolerance::default()), "{d:?}");
}
