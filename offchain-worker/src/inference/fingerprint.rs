//! Compact, tolerance-comparable fingerprints of a response (DESIGN §5).
//!
//! - Completions (TOPLOC-style): the generated positions are cut into at most
//!   [`MAX_CHUNKS`] chunks; for the last position of each chunk the fingerprint keeps the
//!   [`TOP_K`] largest-magnitude coordinates of the final hidden state (index and f16 value).
//!   A re-checker gets the same hidden states from one teacher-forced prefill.
//! - Embeddings: the embedding itself, quantized to i8 with one f32 scale.
//!
//! Honest runs on different backends, thread counts and batch sizes differ only by rounding;
//! other or perturbed weights move the hidden state far more. The thresholds below come from
//! the measurements in docs/measurements.md (`cargo run --release --example calibrate`).

pub use aetron_primitives::fingerprint::{
	distance, Chunk, Distance, Fingerprint, Tolerance, MAX_CHUNKS, TOP_K,
};
use sp_runtime::Perbill;

use pallet_neuronets::Task;

use super::execution::{is_full_precision, DType, Execution, Quantization};

/// Chunks are at least this many positions long.
pub const MIN_CHUNK: usize = 16;

/// Embeddings: the smallest allowed cosine similarity between a served embedding and the
/// re-computed one (fingerprints are compared by [`Tolerance`]).
pub const MIN_EMBEDDING_COSINE: f64 = 1.0 - 1e-8;

/// The tolerance calibrated for a neuronet of `task` with these execution parameters, or
/// `None` where no tolerance both passes honest workers and catches substitutes, so that no
/// such neuronet should exist (docs/measurements.md, "per execution parameter set";
/// `examples/calibrate.rs`). A spec file without `[tolerance]` gets this.
///
/// - f32 embeddings and completions, either attention kernel: [`Tolerance::default`].
/// - Embeddings with int8 weights in f32: the default too (honest 1.1e-6, substitutes ≥ 1e-4).
/// - f16 embeddings: 5e-5 (honest ≤ 2.5e-5; weights perturbed by 1e-3: 8.9e-5), 1.2e-4 with
///   int8 weights (honest 9.1e-5; perturbed 1.4e-4).
/// - bf16 embeddings: 3e-4 (honest 1.5e-4, int8 substitutes 4e-2; weights perturbed by 1e-3,
///   at 1.8e-4, pass: bf16 cannot tell them apart).
/// - Completions in f16, bf16 or with int8 weights: none. Honest generations fail the token
///   check against an arbiter's re-computation (2 % of sampled tokens with int8 weights, 36 %
///   in f16 on burn-flex), so honest miners would lose disputes.
pub fn calibrated_tolerance(task: Task, execution: &Execution) -> Option<Tolerance> {
	let int8 = execution.quantization != Quantization::None;
	let embedding = |max_cosine_distance: u32| Tolerance {
		max_cosine_distance: Perbill::from_parts(max_cosine_distance),
		..Tolerance::default()
	};
	match (task, execution.dtype) {
		_ if is_full_precision(execution) => Some(Tolerance::default()),
		(Task::TextGeneration, _) => None,
		(Task::Embedding, DType::F32) => Some(Tolerance::default()),
		(Task::Embedding, DType::F16) if int8 => Some(embedding(120_000)),
		(Task::Embedding, DType::F16) => Some(embedding(50_000)),
		(Task::Embedding, DType::BF16) => Some(embedding(300_000)),
	}
}

/// The generated positions whose states a completion fingerprint keeps.
pub fn chunk_positions(generated: usize) -> Vec<usize> {
	if generated == 0 {
		return Vec::new();
	}
	let size = generated.div_ceil(MAX_CHUNKS as usize).max(MIN_CHUNK);
	let mut positions: Vec<usize> =
		(1..=generated.div_ceil(size)).map(|c| (c * size).min(generated) - 1).collect();
	positions.dedup();
	positions
}

/// The fingerprint of a completion from the hidden states of its generated positions
/// (`hidden[p]` chose generated token `p`).
pub fn completion(hidden: &[Vec<f32>]) -> Fingerprint {
	let chunks: Vec<Chunk> = chunk_positions(hidden.len())
		.into_iter()
		.filter_map(|p| hidden.get(p).map(|h| Chunk { position: p as u16, top: top_k(h) }))
		.collect();
	// `chunk_positions` yields at most `MAX_CHUNKS` positions.
	Fingerprint::Completion(chunks.try_into().expect("at most MAX_CHUNKS chunks"))
}

fn top_k(state: &[f32]) -> sp_core::bounded::BoundedVec<(u16, u16), sp_core::ConstU32<TOP_K>> {
	let mut order: Vec<usize> = (0..state.len()).collect();
	order.sort_by(|&a, &b| state[b].abs().total_cmp(&state[a].abs()).then(a.cmp(&b)));
	sp_core::bounded::BoundedVec::truncate_from(
		order
			.into_iter()
			.take(TOP_K as usize)
			.map(|i| (i as u16, half::f16::from_f32(state[i]).to_bits()))
			.collect(),
	)
}

/// The fingerprint of an embedding (at most [`aetron_primitives::fingerprint::MAX_DIMENSIONS`]
/// dimensions are kept; the models served have 384 or 768).
pub fn embedding(values: &[f32]) -> Fingerprint {
	let max = values.iter().fold(0f32, |m, v| m.max(v.abs()));
	let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
	Fingerprint::Embedding {
		scale: scale.to_bits(),
		values: sp_core::bounded::BoundedVec::truncate_from(
			values.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8).collect(),
		),
	}
}

/// An embedding fingerprint's values as floats.
pub fn dequantized(print: &Fingerprint) -> Option<Vec<f32>> {
	match print {
		Fingerprint::Embedding { scale, values } => {
			Some(values.iter().map(|&q| f32::from(q) * f32::from_bits(*scale)).collect())
		}
		Fingerprint::Completion(_) => None,
	}
}

/// The cosine similarity of two vectors (0 when either is zero).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
	let dot: f64 = a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
	let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
	let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
	if na == 0.0 || nb == 0.0 {
		0.0
	} else {
		dot / (na * nb)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use aetron_primitives::artefact::MAX_FINGERPRINT_LEN;
	use codec::{Decode, Encode};

	#[test]
	fn chunks_cover_the_generation_and_stay_few() {
		assert!(chunk_positions(0).is_empty());
		assert_eq!(chunk_positions(1), vec![0]);
		assert_eq!(chunk_positions(16), vec![15]);
		assert_eq!(chunk_positions(40), vec![15, 31, 39]);
		for n in 1..3000 {
			let p = chunk_positions(n);
			assert!(p.len() <= MAX_CHUNKS as usize);
			assert_eq!(p.last(), Some(&(n - 1)), "the last position is always kept");
			assert!(p.windows(2).all(|w| w[0] < w[1]));
		}
	}

	#[test]
	fn fingerprints_fit_the_artefact_bound() {
		let hidden: Vec<Vec<f32>> = (0..4096)
			.map(|p| (0..768).map(|i| ((p * 31 + i) % 97) as f32 - 48.0).collect())
			.collect();
		let print = completion(&hidden);
		assert!(print.encode().len() <= MAX_FINGERPRINT_LEN as usize, "{}", print.encode().len());
		let embedding: Vec<f32> = (0..1016).map(|i| (i as f32).sin()).collect();
		assert!(super::embedding(&embedding).encode().len() <= MAX_FINGERPRINT_LEN as usize);
		assert_eq!(Fingerprint::decode(&mut &print.encode()[..]).unwrap(), print);
	}

	#[test]
	fn distances_tell_small_from_large_changes() {
		let state: Vec<f32> = (0..64).map(|i| ((i * 37) % 64) as f32 / 8.0 - 4.0).collect();
		let tolerance = Tolerance::default();
		let same = completion(&[state.clone()]);
		let d = distance(&same, &same).unwrap();
		assert_eq!((d.min_overlap, d.max_deviation_ppb), (TOP_K, 0));
		assert!(d.within(&tolerance));
		let nudged: Vec<f32> = state.iter().map(|v| v * 1.0005).collect();
		assert!(distance(&same, &completion(&[nudged])).unwrap().within(&tolerance));
		let other: Vec<f32> = state.iter().rev().copied().collect();
		assert!(!distance(&same, &completion(&[other])).unwrap().within(&tolerance));
		assert_eq!(
			distance(&same, &completion(&[state.clone(), state.clone()])),
			None,
			"other shape"
		);
		assert_eq!(distance(&same, &embedding(&state)), None, "other kind");
		let print = embedding(&state);
		let back = dequantized(&print).unwrap();
		assert!(cosine(&state, &back) > 0.9999);
	}
}
