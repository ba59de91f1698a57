//! What a worker proves when it joins a neuronet (DESIGN §3): it runs the neuronet's reference
//! checks with its model and reports their fingerprints, with a benchmark of its throughput.
//! The owner computes the expected fingerprints with the same function
//! (`aetron-worker neuronet create`), so honest workers differ from them only by rounding.

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use pallet_neuronets::{Benchmark, ReferenceCheck};

use crate::inference::{fingerprint, fingerprint::Fingerprint, Model, SamplingParams};

/// The fingerprint of one reference input: the embedding of the text, or the greedy completion
/// of `max_tokens` tokens.
pub fn reference_fingerprint(model: &Model, input: &str, max_tokens: u16) -> Result<Fingerprint> {
	Ok(run(model, input, max_tokens)?.0)
}

/// The fingerprints of every check, in order.
pub fn reference_results(model: &Model, checks: &[ReferenceCheck]) -> Result<Vec<Fingerprint>> {
	checks
		.iter()
		.map(|check| {
			let input = std::str::from_utf8(&check.input)
				.map_err(|_| anyhow::anyhow!("a reference input is not UTF-8"))?;
			reference_fingerprint(model, input, check.max_tokens)
		})
		.collect()
}

/// Work units a second on the reference inputs (input tokens plus outputs, as the API counts
/// them), over at least `at_least` of repeated runs.
pub fn benchmark(
	model: &Model,
	checks: &[ReferenceCheck],
	at_least: Duration,
) -> Result<Benchmark> {
	ensure!(!checks.is_empty(), "no reference inputs to measure with");
	let start = Instant::now();
	let mut units = 0u64;
	while start.elapsed() < at_least || units == 0 {
		for check in checks {
			let input = String::from_utf8_lossy(&check.input);
			units += run(model, &input, check.max_tokens)?.1;
		}
	}
	let per_second = units as f64 / start.elapsed().as_secs_f64();
	Ok(Benchmark { units_per_second: per_second as u64 })
}

/// The fingerprint and the work units of one input.
fn run(model: &Model, input: &str, max_tokens: u16) -> Result<(Fingerprint, u64)> {
	match model {
		Model::Embedding(m) => {
			ensure!(max_tokens == 0, "an embedding check asks for no tokens");
			let tokens = m.tokenize(input)?;
			let embedding = m.embed(std::slice::from_ref(&tokens))?.remove(0);
			Ok((fingerprint::embedding(&embedding), tokens.len() as u64 + 1))
		}
		Model::Completion(m) => {
			ensure!(max_tokens > 0, "a completion check asks for at least one token");
			let tokens = m.tokenize(input)?;
			// Greedy, so the result does not depend on a seed's draws.
			let generation =
				m.generate(&tokens, usize::from(max_tokens), SamplingParams::GREEDY, 0)?;
			let units = (tokens.len() + generation.tokens.len()) as u64;
			Ok((generation.fingerprint(), units))
		}
	}
}
