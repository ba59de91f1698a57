//! Choosing the next token: greedy, or seeded sampling with temperature, top-k and top-p.
//!
//! Every random number comes from a ChaCha20 stream keyed by the request's seed, one draw per
//! generated token, so a re-checker who knows the seed reproduces every choice. A choice also
//! reports the slice of `[0, 1)` that picked it, which lets a re-checker whose logits differ by
//! rounding tell a near-tie (excusable) from a substituted token (not).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

/// How to pick tokens. `temperature == 0` is greedy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SamplingParams {
	/// Softmax temperature; 0 is greedy.
	pub temperature: f32,
	/// Keep only the `k` most likely tokens (0: all).
	pub top_k: u32,
	/// Keep the smallest set of most likely tokens whose probability reaches `p` (1: all).
	pub top_p: f32,
}

impl SamplingParams {
	/// Greedy decoding.
	pub const GREEDY: Self = Self { temperature: 0.0, top_k: 0, top_p: 1.0 };

	/// Whether decoding is greedy.
	pub fn is_greedy(&self) -> bool {
		self.temperature <= 0.0
	}
}

/// The random stream of one request.
pub struct Draws(ChaCha20Rng);

impl Draws {
	/// The stream for `seed`.
	pub fn new(seed: u64) -> Self {
		Self(ChaCha20Rng::seed_from_u64(seed))
	}

	/// The next number in `[0, 1)`.
	pub fn next(&mut self) -> f64 {
		self.0.random::<f64>()
	}
}

/// A chosen token and the part of `[0, 1)` (or, when greedy, the logit margin) that chose it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Choice {
	/// The token.
	pub token: u32,
	/// Sampling: the cumulative-probability interval `[lo, hi)` of the token.
	/// Greedy: `lo = hi =` the token's logit.
	pub lo: f64,
	/// See `lo`.
	pub hi: f64,
}

/// Picks a token from `logits` with the draw `u`.
pub fn choose(logits: &[f32], params: SamplingParams, u: f64) -> Choice {
	if params.is_greedy() {
		// The first maximum wins ties, as `argmax` does in PyTorch.
		let (token, best) =
			logits.iter().enumerate().fold((0usize, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
				if v > bv {
					(i, v)
				} else {
					(bi, bv)
				}
			});
		return Choice { token: token as u32, lo: f64::from(best), hi: f64::from(best) };
	}
	for candidate in candidates(logits, params) {
		if u < candidate.hi {
			return candidate;
		}
	}
	candidates(logits, params).last().copied().unwrap_or(Choice { token: 0, lo: 0.0, hi: 1.0 })
}

/// The tokens sampling may pick, most likely first, with their cumulative intervals.
pub fn candidates(logits: &[f32], params: SamplingParams) -> Vec<Choice> {
	let t = f64::from(params.temperature.max(1e-6));
	let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
	let mut probs: Vec<(usize, f64)> = logits
		.iter()
		.enumerate()
		.map(|(i, &l)| (i, ((f64::from(l) - f64::from(max)) / t).exp()))
		.collect();
	// Most likely first; equal probabilities by lower id, so the order is total.
	probs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
	if params.top_k > 0 {
		probs.truncate(params.top_k as usize);
	}
	let total: f64 = probs.iter().map(|p| p.1).sum();
	let top_p = f64::from(params.top_p.clamp(0.0, 1.0));
	let mut kept = Vec::new();
	let mut mass = 0.0;
	for (i, p) in probs {
		kept.push((i, p / total));
		mass += p / total;
		if mass >= top_p {
			break;
		}
	}
	let kept_total: f64 = kept.iter().map(|p| p.1).sum();
	let mut lo = 0.0;
	kept.into_iter()
		.map(|(i, p)| {
			let hi = lo + p / kept_total;
			let choice = Choice { token: i as u32, lo, hi };
			lo = hi;
			choice
		})
		.collect()
}

/// Whether `claimed` is a choice that `logits` and `u` could give, allowing `tolerance` for the
/// rounding differences between honest backends: the claimed token's logit is within
/// `tolerance` of the best (greedy), or its interval widened by `tolerance` holds `u` (sampling).
pub fn consistent(
	logits: &[f32],
	params: SamplingParams,
	u: f64,
	claimed: u32,
	tolerance: f64,
) -> bool {
	if params.is_greedy() {
		let best = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
		return logits
			.get(claimed as usize)
			.is_some_and(|&l| f64::from(best) - f64::from(l) <= tolerance);
	}
	candidates(logits, params)
		.iter()
		.find(|c| c.token == claimed)
		.is_some_and(|c| u >= c.lo - tolerance && u < c.hi + tolerance)
}

#[cfg(test)]
mod tests {
	use super::*;

	const LOGITS: [f32; 5] = [1.0, 3.0, 2.0, 3.0, -1.0];

	#[test]
	fn greedy_takes_the_first_maximum() {
		assert_eq!(choose(&LOGITS, SamplingParams::GREEDY, 0.7).token, 1);
		assert!(
			consistent(&LOGITS, SamplingParams::GREEDY, 0.0, 3, 1e-3),
			"an exact tie is consistent"
		);
		assert!(!consistent(&LOGITS, SamplingParams::GREEDY, 0.0, 2, 1e-3));
		assert!(
			!consistent(&LOGITS, SamplingParams::GREEDY, 0.0, 99, 1e-3),
			"outside the vocabulary"
		);
	}

	#[test]
	fn candidates_partition_the_unit_interval() {
		let params = SamplingParams { temperature: 0.7, top_k: 0, top_p: 1.0 };
		let c = candidates(&LOGITS, params);
		assert_eq!(c.len(), 5);
		assert_eq!(c[0].lo, 0.0);
		assert!((c[4].hi - 1.0).abs() < 1e-12);
		for pair in c.windows(2) {
			assert_eq!(pair[0].hi, pair[1].lo);
			assert!(pair[0].hi - pair[0].lo >= pair[1].hi - pair[1].lo, "most likely first");
		}
		assert_eq!((c[0].token, c[1].token), (1, 3), "ties by lower id");
		for u in [0.0, 0.3, 0.6, 0.999] {
			let choice = choose(&LOGITS, params, u);
			assert!(choice.lo <= u && u < choice.hi);
			assert!(consistent(&LOGITS, params, u, choice.token, 0.0));
		}
	}

	#[test]
	fn top_k_and_top_p_cut_the_tail() {
		let top2 = SamplingParams { temperature: 1.0, top_k: 2, top_p: 1.0 };
		assert_eq!(
			candidates(&LOGITS, top2).iter().map(|c| c.token).collect::<Vec<_>>(),
			vec![1, 3]
		);
		let nucleus = SamplingParams { temperature: 1.0, top_k: 0, top_p: 0.5 };
		// The two tied maxima hold 2e³/(2e³+e²+e+e⁻¹) ≈ 0.83 of the mass; the first alone 0.42.
		assert_eq!(candidates(&LOGITS, nucleus).len(), 2);
		assert!(!consistent(&LOGITS, nucleus, 0.5, 2, 1e-3), "a token outside the nucleus");
	}

	#[test]
	fn draws_are_a_function_of_the_seed() {
		let a: Vec<f64> = {
			let mut d = Draws::new(5);
			(0..4).map(|_| d.next()).collect()
		};
		let b: Vec<f64> = {
			let mut d = Draws::new(5);
			(0..4).map(|_| d.next()).collect()
		};
		let c: Vec<f64> = {
			let mut d = Draws::new(6);
			(0..4).map(|_| d.next()).collect()
		};
		assert_eq!(a, b);
		assert_ne!(a, c);
		assert!(a.iter().all(|u| (0.0..1.0).contains(u)));
	}
}
