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
	pub token: u32,
	/// Sampling: the cumulative-probability interval `[lo, hi)` of the token.
	/// Greedy: `lo = hi =` the token's logit.
	pub lo: f64,
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
