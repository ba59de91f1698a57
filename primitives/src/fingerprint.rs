//! # Fingerprints and their comparison within tolerance (DESIGN §3, §5)
//!
//! A fingerprint is a compact summary of the model's internal state while it served a request:
//! - completions (TOPLOC-style): for the last position of each of at most [`MAX_CHUNKS`]
//!   stretches of the generated tokens, the [`TOP_K`] largest-magnitude coordinates of the final
//!   hidden state, as `(index, f16 bits)`;
//! - embeddings: the sum of the request's embeddings, quantized to `i8` with one `f32` scale.
//!
//! Honest runs on other hardware differ by rounding only; other weights differ far more. The
//! worker (re-checks) and the runtime (a slot's reference checks) compare fingerprints with the
//! same function, [`distance`], in integer arithmetic only, so the runtime never touches floats:
//! f16 values are exact integers in units of 2⁻²⁴, and the cosine of two `i8` vectors does not
//! depend on their scales.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{bounded::BoundedVec, ConstU32};
use sp_runtime::Perbill;

/// Coordinates kept per completion chunk.
pub const TOP_K: u32 = 8;
/// Completion chunks at most.
pub const MAX_CHUNKS: u32 = 24;
/// Embedding dimensions at most, so an embedding fingerprint fits an artefact's 1024 bytes.
pub const MAX_DIMENSIONS: u32 = 1016;

/// The top-k coordinates of the hidden state at one generated position.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Chunk {
	/// The position in the generated sequence (0 = the state that chose the first token).
	pub position: u16,
	/// `(coordinate, f16 bits)`, largest magnitude first.
	pub top: BoundedVec<(u16, u16), ConstU32<TOP_K>>,
}

/// A fingerprint; its SCALE encoding is what artefacts and reference checks carry.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum Fingerprint {
	/// One chunk per stretch of generated positions.
	#[codec(index = 0)]
	Completion(BoundedVec<Chunk, ConstU32<MAX_CHUNKS>>),
	/// The sum of the request's embeddings, quantized: `value = q · scale`.
	#[codec(index = 1)]
	Embedding {
		/// The quantization step, as the bits of an IEEE-754 `f32` (the comparison ignores it).
		scale: u32,
		/// One `i8` per dimension.
		values: BoundedVec<i8, ConstU32<MAX_DIMENSIONS>>,
	},
}

/// How far apart two fingerprints may be and still come from the same model.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Tolerance {
	/// Completions: at least this many claimed top-k indices must be among the recomputed ones,
	/// in every chunk.
	pub min_index_overlap: u8,
	/// Completions: the largest difference on a shared index, as a fraction of the chunk's
	/// largest recomputed magnitude.
	pub max_value_deviation: Perbill,
	/// Embeddings: the largest `1 − cosine` between the two quantized vectors.
	pub max_cosine_distance: Perbill,
}

impl Default for Tolerance {
	/// The thresholds calibrated in docs/measurements.md: honest runs stay within a tenth of
	/// them, the nearest substitute model (f16 weights) lands five times beyond.
	fn default() -> Self {
		Self {
			min_index_overlap: 6,
			max_value_deviation: Perbill::from_percent(1),
			max_cosine_distance: Perbill::from_parts(10_000),
		}
	}
}

/// How two fingerprints differ.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Distance {
	/// Completions: the fewest shared top-k indices over the chunks. Embeddings: [`TOP_K`].
	pub min_overlap: u32,
	/// Completions: the largest deviation on a shared index, in parts per billion of the
	/// chunk's largest magnitude (rounded up). Embeddings: 0.
	pub max_deviation_ppb: u64,
	/// Embeddings: `1 − cosine` in parts per billion (rounded up; 2·10⁹ for opposite
	/// vectors). Completions: 0.
	pub cosine_distance_ppb: u64,
}

impl Distance {
	/// Whether this distance is within `tolerance`.
	pub fn within(&self, tolerance: &Tolerance) -> bool {
		self.min_overlap >= u32::from(tolerance.min_index_overlap)
			&& self.max_deviation_ppb <= u64::from(tolerance.max_value_deviation.deconstruct())
			&& self.cosine_distance_ppb <= u64::from(tolerance.max_cosine_distance.deconstruct())
	}
}

const BILLION: u128 = 1_000_000_000;

/// The distance from a `claimed` fingerprint to a `recomputed` one; `None` when they are of
/// different kinds or shapes, which no honest run produces.
pub fn distance(claimed: &Fingerprint, recomputed: &Fingerprint) -> Option<Distance> {
	match (claimed, recomputed) {
		(Fingerprint::Completion(claimed), Fingerprint::Completion(ours)) => {
			if claimed.len() != ours.len() {
				return None;
			}
			let mut d =
				Distance { min_overlap: TOP_K, max_deviation_ppb: 0, cosine_distance_ppb: 0 };
			for (a, b) in claimed.iter().zip(ours.iter()) {
				if a.position != b.position || a.top.len() != b.top.len() {
					return None;
				}
				let scale = b.top.iter().map(|&(_, v)| f16_units(v).unsigned_abs()).max()?.max(1);
				let mut overlap = 0u32;
				for &(index, value) in a.top.iter() {
					if let Some(&(_, other)) = b.top.iter().find(|(i, _)| *i == index) {
						overlap = overlap.saturating_add(1);
						let diff = u128::from(f16_units(value).abs_diff(f16_units(other)));
						let ppb = diff.saturating_mul(BILLION).div_ceil(u128::from(scale));
						d.max_deviation_ppb =
							d.max_deviation_ppb.max(u64::try_from(ppb).unwrap_or(u64::MAX));
					}
				}
				d.min_overlap = d.min_overlap.min(overlap);
			}
			Some(d)
		}
		(Fingerprint::Embedding { values: a, .. }, Fingerprint::Embedding { values: b, .. }) => {
			if a.len() != b.len() {
				return None;
			}
			Some(Distance {
				min_overlap: TOP_K,
				max_deviation_ppb: 0,
				cosine_distance_ppb: cosine_distance_ppb(a, b),
			})
		}
		_ => None,
	}
}

/// `1 − cos(a, b)` in parts per billion, rounded up, in integers: with `n = ⌊√(|a|²|b|²·10¹⁸)⌋`
/// (≈ `|a||b|·10⁹`), `cos·10⁹ = dot·10¹⁸ / n`. For `i8` vectors of at most [`MAX_DIMENSIONS`]
/// every product fits in 128 bits. A zero vector is at distance 10⁹ from everything.
fn cosine_distance_ppb(a: &[i8], b: &[i8]) -> u64 {
	let (mut dot, mut aa, mut bb) = (0i128, 0u128, 0u128);
	for (&x, &y) in a.iter().zip(b) {
		let (x, y) = (i128::from(x), i128::from(y));
		dot = dot.saturating_add(x.saturating_mul(y));
		aa = aa.saturating_add(x.unsigned_abs().saturating_pow(2));
		bb = bb.saturating_add(y.unsigned_abs().saturating_pow(2));
	}
	let norms = aa.saturating_mul(bb).saturating_mul(BILLION * BILLION).isqrt();
	if norms == 0 {
		return BILLION as u64;
	}
	// `floor(cos·10⁹)`, so the distance rounds up.
	let cos = dot.saturating_mul((BILLION * BILLION) as i128).div_euclid(norms as i128);
	let distance = (BILLION as i128).saturating_sub(cos).clamp(0, 2 * BILLION as i128);
	u64::try_from(distance).unwrap_or(u64::MAX)
}

/// An f16 value as an exact integer in units of 2⁻²⁴ (the smallest subnormal): at most
/// 65504·2²⁴ < 2⁴¹ in magnitude. Infinities and NaNs count as the largest finite value.
pub fn f16_units(bits: u16) -> i64 {
	let exponent = i64::from((bits >> 10) & 0x1f);
	let mantissa = i64::from(bits & 0x3ff);
	let magnitude = match exponent {
		0 => mantissa,
		31 => 0x7ff << 29,
		e => (0x400 | mantissa) << (e - 1),
	};
	if bits & 0x8000 == 0 {
		magnitude
	} else {
		-magnitude
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn chunk(position: u16, top: &[(u16, u16)]) -> Chunk {
		Chunk { position, top: top.to_vec().try_into().unwrap() }
	}

	fn embedding(values: &[i8]) -> Fingerprint {
		Fingerprint::Embedding { scale: 0, values: values.to_vec().try_into().unwrap() }
	}

	#[test]
	fn f16_units_are_exact() {
		assert_eq!(f16_units(0x0000), 0);
		assert_eq!(f16_units(0x0001), 1, "the smallest subnormal is one unit");
		assert_eq!(f16_units(0x3c00), 1 << 24, "1.0");
		assert_eq!(f16_units(0xbc00), -(1 << 24), "-1.0");
		assert_eq!(f16_units(0x3e00), 3 << 23, "1.5");
		assert_eq!(f16_units(0x7bff), 65504 << 24, "the largest finite value");
		assert_eq!(f16_units(0x0400), 1 << 10, "the smallest normal, 2^-14");
		assert_eq!(f16_units(0x7c00), f16_units(0x7bff), "infinity saturates");
	}

	#[test]
	fn embeddings_compare_by_cosine_whatever_their_scale() {
		let a = embedding(&[100, -50, 25, 0]);
		let d = distance(&a, &a).unwrap();
		assert_eq!(d.cosine_distance_ppb, 0);
		assert!(d.within(&Tolerance::default()));
		let nudged = embedding(&[100, -50, 26, 0]);
		let d = distance(&a, &nudged).unwrap();
		// 1 − cos = 1 − 13650 / √(13125 · 13176) ≈ 3.64e-5.
		assert!((36_000..37_000).contains(&d.cosine_distance_ppb), "{d:?}");
		assert!(!d.within(&Tolerance::default()));
		assert!(d.within(&Tolerance {
			max_cosine_distance: Perbill::from_parts(40_000),
			..Default::default()
		}));
		assert_eq!(
			distance(&a, &embedding(&[-100, 50, -25, 0])).unwrap().cosine_distance_ppb,
			2 * BILLION as u64
		);
		assert_eq!(
			distance(&a, &embedding(&[0, 0, 0, 0])).unwrap().cosine_distance_ppb,
			BILLION as u64
		);
		assert_eq!(distance(&a, &embedding(&[1, 2, 3])), None, "other shape");
		let big: Vec<i8> =
			(0..MAX_DIMENSIONS).map(|i| if i % 2 == 0 { 127 } else { -128 }).collect();
		assert_eq!(
			distance(&embedding(&big), &embedding(&big)).unwrap().cosine_distance_ppb,
			0,
			"no overflow"
		);
	}

	#[test]
	fn completions_compare_by_overlap_and_relative_deviation() {
		let one = 0x3c00; // 1.0
		let half = 0x3800; // 0.5
		let base: Vec<(u16, u16)> = (0..8).map(|i| (i, if i == 0 { one } else { half })).collect();
		let a = Fingerprint::Completion(vec![chunk(15, &base)].try_into().unwrap());
		assert_eq!(
			distance(&a, &a),
			Some(Distance { min_overlap: 8, max_deviation_ppb: 0, cosine_distance_ppb: 0 })
		);
		// 0.5 → 0.50390625 (f16 0x3808): 0.39 % of the largest magnitude 1.0.
		let mut nudged = base.clone();
		nudged[1].1 = 0x3808;
		let b = Fingerprint::Completion(vec![chunk(15, &nudged)].try_into().unwrap());
		let d = distance(&a, &b).unwrap();
		assert_eq!(d.max_deviation_ppb, 3_906_250);
		assert!(d.within(&Tolerance::default()));
		// Three indices replaced: an overlap of 5 is below the default 6.
		let mut moved = base.clone();
		for (k, entry) in moved.iter_mut().enumerate().skip(5) {
			entry.0 = 100 + k as u16;
		}
		let c = Fingerprint::Completion(vec![chunk(15, &moved)].try_into().unwrap());
		assert_eq!(distance(&a, &c).unwrap().min_overlap, 5);
		assert!(!distance(&a, &c).unwrap().within(&Tolerance::default()));
		let other_position = Fingerprint::Completion(vec![chunk(14, &base)].try_into().unwrap());
		assert_eq!(distance(&a, &other_position), None);
		assert_eq!(distance(&a, &embedding(&[1])), None, "other kind");
	}

	#[test]
	fn fingerprints_fit_an_artefact() {
		assert!(Fingerprint::max_encoded_len() <= crate::artefact::MAX_FINGERPRINT_LEN as usize);
	}
}
