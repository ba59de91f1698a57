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

use codec::{Decode, Encode};

/// Coordinates kept per chunk.
pub const TOP_K: usize = 8;
/// Chunks at most, so a fingerprint stays under the artefact's 1024-byte bound.
pub const MAX_CHUNKS: usize = 24;
/// Chunks are at least this many positions long.
pub const MIN_CHUNK: usize = 16;

/// Completion chunks: at least this many of the claimed top-k indices must be in the
/// re-computed top-k.
pub const MIN_INDEX_OVERLAP: usize = 6;
/// Completion chunks: the largest allowed difference on a shared index, relative to the
/// chunk's largest magnitude.
pub const MAX_VALUE_DEVIATION: f32 = 0.01;
/// Embeddings: the smallest allowed cosine similarity between a served embedding and the
/// re-computed one.
pub const MIN_EMBEDDING_COSINE: f64 = 1.0 - 1e-8;
/// Embeddings: the smallest allowed cosine similarity between the claimed fingerprint and the
/// re-computed one (both quantized to i8).
pub const MIN_FINGERPRINT_COSINE: f64 = 1.0 - 1e-5;

/// A fingerprint, SCALE-encoded into the artefact header.
#[derive(Clone, Debug, PartialEq, Encode, Decode)]
pub enum Fingerprint {
	/// One chunk per stretch of generated positions.
	#[codec(index = 0)]
	Completion(Vec<Chunk>),
	/// The sum of the request's embeddings, quantized: `value = q · scale`.
	#[codec(index = 1)]
	Embedding {
		/// The quantization step.
		scale: f32,
		/// One i8 per dimension.
		values: Vec<i8>,
	},
}

/// The top-k coordinates of the hidden state at one position.
#[derive(Clone, Debug, PartialEq, Encode, Decode)]
pub struct Chunk {
	/// The position in the generated sequence (0 = the state that chose the first token).
	pub position: u16,
	/// `(coordinate, f16 bits)`, largest magnitude first.
	pub top: Vec<(u16, u16)>,
}

/// How two fingerprints differ, for calibration and verdicts.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Distance {
	/// Completions: the fewest shared top-k indices over the chunks. Embeddings: `TOP_K`.
	pub min_overlap: usize,
	/// Completions: the largest relative deviation on a shared index.
	pub max_deviation: f32,
	/// Embeddings: the cosine similarity. Completions: 1.
	pub cosine: f64,
}

impl Distance {
	/// Whether the distance is within the tolerance of honest runs.
	pub fn within_tolerance(&self) -> bool {
		self.min_overlap >= MIN_INDEX_OVERLAP
			&& self.max_deviation <= MAX_VALUE_DEVIATION
			&& self.cosine >= MIN_EMBEDDING_COSINE
	}
}

/// The generated positions whose states a completion fingerprint keeps.
pub fn chunk_positions(generated: usize) -> Vec<usize> {
	if generated == 0 {
		return Vec::new();
	}
	let size = generated.div_ceil(MAX_CHUNKS).max(MIN_CHUNK);
	let mut positions: Vec<usize> =
		(1..=generated.div_ceil(size)).map(|c| (c * size).min(generated) - 1).collect();
	positions.dedup();
	positions
}

/// The fingerprint of a completion from the hidden states of its generated positions
/// (`hidden[p]` chose generated token `p`).
pub fn completion(hidden: &[Vec<f32>]) -> Fingerprint {
	Fingerprint::Completion(
		chunk_positions(hidden.len())
			.into_iter()
			.filter_map(|p| hidden.get(p).map(|h| Chunk { position: p as u16, top: top_k(h) }))
			.collect(),
	)
}

fn top_k(state: &[f32]) -> Vec<(u16, u16)> {
	let mut order: Vec<usize> = (0..state.len()).collect();
	order.sort_by(|&a, &b| state[b].abs().total_cmp(&state[a].abs()).then(a.cmp(&b)));
	order
		.into_iter()
		.take(TOP_K)
		.map(|i| (i as u16, half::f16::from_f32(state[i]).to_bits()))
		.collect()
}

/// The fingerprint of an embedding.
pub fn embedding(values: &[f32]) -> Fingerprint {
	let max = values.iter().fold(0f32, |m, v| m.max(v.abs()));
	let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
	Fingerprint::Embedding {
		scale,
		values: values.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8).collect(),
	}
}

impl Fingerprint {
	/// The distance between a claimed fingerprint (`self`) and a re-computed one.
	/// `None` when they are of different kinds or shapes, which no honest run produces.
	pub fn distance(&self, recomputed: &Fingerprint) -> Option<Distance> {
		match (self, recomputed) {
			(Fingerprint::Completion(claimed), Fingerprint::Completion(ours)) => {
				if claimed.len() != ours.len() {
					return None;
				}
				let mut distance = Distance { min_overlap: TOP_K, max_deviation: 0.0, cosine: 1.0 };
				for (a, b) in claimed.iter().zip(ours) {
					if a.position != b.position || a.top.len() != b.top.len() {
						return None;
					}
					let scale =
						b.top.iter().map(|&(_, v)| f16(v).abs()).fold(f32::MIN_POSITIVE, f32::max);
					let mut overlap = 0;
					for &(index, value) in &a.top {
						if let Some(&(_, other)) = b.top.iter().find(|(i, _)| *i == index) {
							overlap += 1;
							let deviation = (f16(value) - f16(other)).abs() / scale;
							distance.max_deviation = distance.max_deviation.max(deviation);
						}
					}
					distance.min_overlap = distance.min_overlap.min(overlap);
				}
				Some(distance)
			}
			(Fingerprint::Embedding { .. }, Fingerprint::Embedding { .. }) => {
				let (a, b) = (self.dequantized()?, recomputed.dequantized()?);
				(a.len() == b.len()).then(|| Distance {
					min_overlap: TOP_K,
					max_deviation: 0.0,
					cosine: cosine(&a, &b),
				})
			}
			_ => None,
		}
	}

	/// An embedding fingerprint's values as floats.
	pub fn dequantized(&self) -> Option<Vec<f32>> {
		match self {
			Fingerprint::Embedding { scale, values } => {
				Some(values.iter().map(|&q| f32::from(q) * scale).collect())
			}
			Fingerprint::Completion(_) => None,
		}
	}
}

fn f16(bits: u16) -> f32 {
	half::f16::from_bits(bits).to_f32()
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

	#[test]
	fn chunks_cover_the_generation_and_stay_few() {
		assert!(chunk_positions(0).is_empty());
		assert_eq!(chunk_positions(1), vec![0]);
		assert_eq!(chunk_positions(16), vec![15]);
		assert_eq!(chunk_positions(40), vec![15, 31, 39]);
		for n in 1..3000 {
			let p = chunk_positions(n);
			assert!(p.len() <= MAX_CHUNKS);
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
		let same = completion(&[state.clone()]);
		let d = same.distance(&same).unwrap();
		assert_eq!((d.min_overlap, d.max_deviation), (TOP_K, 0.0));
		assert!(d.within_tolerance());
		let nudged: Vec<f32> = state.iter().map(|v| v * 1.0005).collect();
		assert!(same.distance(&completion(&[nudged])).unwrap().within_tolerance());
		let other: Vec<f32> = state.iter().rev().copied().collect();
		assert!(!same.distance(&completion(&[other])).unwrap().within_tolerance());
		assert_eq!(
			same.distance(&completion(&[state.clone(), state.clone()])),
			None,
			"other shape"
		);
		assert_eq!(same.distance(&embedding(&state)), None, "other kind");
	}
}
