//! Calibrates the fingerprint tolerances: how far apart honest runs are (other backend,
//! thread count, batch size, KV-cache generation against the re-checker's prefill) against how
//! far a substituted model is (other weights, perturbed weights, lower precision).
//!
//! `cargo run --release --example calibrate -- [MINILM_DIR]` prints one table for completions
//! (a random GPT-2, 4 layers × 256) and, given the MiniLM directory, one for embeddings, then
//! the same per execution parameter set (f16, bf16, int8, plain attention): honest runs with
//! those parameters against the re-checker's (same parameters, batch 1) and the arbiter's
//! (reference backend), against substitutes that run cheaper parameters or other weights. The
//! figures are in docs/measurements.md; the thresholds in src/inference/fingerprint.rs.

use aetron_worker::inference::Placement;
use std::path::{Path, PathBuf};

use aetron_worker::{
	inference::{
		execution::{DType, Execution, Name, Quantization},
		fingerprint::{self, Distance},
		random_gpt2::RandomGpt2,
		sampling::{consistent, Draws, SamplingParams},
		BackendKind, CompletionModel, EmbeddingModel, Generation, Model,
	},
	recheck::TOKEN_TOLERANCE,
};

/// Writes a copy of the model in `src` whose float tensors went through `f`.
fn variant(src: &Path, dst: &Path, f: impl Fn(&str, &mut [f32])) -> PathBuf {
	aetron_worker::inference::weights::write_variant(src, dst, f).unwrap()
}

fn perturb(relative: f32) -> impl Fn(&str, &mut [f32]) {
	move |name, values| {
		let mut state = name.len() as u64 ^ 0x5eed;
		for v in values {
			state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
			let u = (state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0;
			*v *= 1.0 + relative * u;
		}
	}
}

use aetron_worker::inference::weights::f16_round;

fn bf16_round(_: &str, values: &mut [f32]) {
	values.iter_mut().for_each(|v| *v = half::bf16::from_f32(*v).to_f32());
}

fn completion(dir: &Path, backend: BackendKind) -> CompletionModel {
	completion_as(dir, &Placement::plain(backend.device().unwrap()))
}

fn embedding(dir: &Path, backend: BackendKind) -> EmbeddingModel {
	embedding_as(dir, &Placement::plain(backend.device().unwrap()))
}

fn completion_as(dir: &Path, place: &Placement) -> CompletionModel {
	match Model::load(dir, place).unwrap() {
		Model::Completion(m) => m,
		Model::Embedding(_) => unreachable!(),
	}
}

fn embedding_as(dir: &Path, place: &Placement) -> EmbeddingModel {
	match Model::load(dir, place).unwrap() {
		Model::Embedding(m) => m,
		Model::Completion(_) => unreachable!(),
	}
}

/// The parameter sets calibrated, by name.
fn parameter_sets() -> Vec<Execution> {
	[
		"f32/none/plain",
		"f16/none/fused",
		"bf16/none/fused",
		"f32/int8-per-tensor/fused",
		"f32/int8-per-block-32/fused",
		"f16/int8-per-block-32/fused",
	]
	.iter()
	.map(|name| {
		let mut parts = name.split('/');
		let mut next = || parts.next().unwrap();
		Execution {
			dtype: next().parse::<Name<_>>().unwrap().0,
			quantization: next().parse::<Name<_>>().unwrap().0,
			attention: next().parse::<Name<_>>().unwrap().0,
		}
	})
	.collect()
}

fn cpu(execution: &Execution) -> Placement {
	Placement::new(BackendKind::Cpu, execution).unwrap()
}

fn reference(execution: &Execution) -> Placement {
	Placement::reference(execution).unwrap()
}

/// Completions per parameter set: honest (cpu with the set, against a re-checker with the set
/// and against the arbiter's reference) and substitutes (cheaper sets, other weights).
fn completions_per_parameter_set(honest_dir: &Path, other_dir: &Path) {
	println!("\n## Completions per execution parameter set (random GPT-2 4×256)");
	println!(
		"{:<28} {:<44} {:>9} {:>11} {:>12}",
		"neuronet", "served by / checked by", "overlap", "deviation", "bad tokens"
	);
	for set in parameter_sets() {
		let name = Name(set).to_string();
		let server = completion_as(honest_dir, &cpu(&set));
		let row = |what: &str, (d, bad, total): (Distance, usize, usize)| {
			println!(
				"{name:<28} {what:<44} {:>7}/{} {:>11.5} {:>7}/{total}",
				d.min_overlap,
				fingerprint::TOP_K,
				d.max_deviation_ppb as f64 * 1e-9,
				bad
			);
		};
		let rechecker = completion_as(honest_dir, &cpu(&set));
		let arbiter = completion_as(honest_dir, &reference(&set));
		row("honest / re-checker (cpu, same set)", sampled_against(&server, &rechecker));
		row("honest / arbiter (reference)", sampled_against(&server, &arbiter));
		for cheaper in cheaper_than(&set) {
			let substitute = completion_as(honest_dir, &cpu(&cheaper));
			row(&format!("{} / arbiter", Name(cheaper)), sampled_against(&substitute, &arbiter));
		}
		let other = completion_as(other_dir, &cpu(&set));
		row("other weights / arbiter", sampled_against(&other, &arbiter));
	}
}

/// What a miner paid for `set` might serve instead to save work: int8 weights when the set is
/// unquantized, and f16 when it is f32.
fn cheaper_than(set: &Execution) -> Vec<Execution> {
	let mut out = Vec::new();
	if set.quantization == Quantization::None {
		out.push(Execution { quantization: Quantization::Int8PerTensor, ..*set });
	}
	if set.dtype == DType::F32 {
		out.push(Execution { dtype: DType::F16, ..*set });
	}
	out
}

/// Embeddings per parameter set, as [`completions_per_parameter_set`].
fn embeddings_per_parameter_set(minilm: &Path, perturbed: &Path) {
	println!("\n## Embeddings per execution parameter set (all-MiniLM-L6-v2, 6 sentences)");
	println!(
		"{:<28} {:<44} {:>16} {:>18}",
		"neuronet", "served by / checked by", "1 - cos (output)", "1 - cos (fingerpr.)"
	);
	for set in parameter_sets() {
		let name = Name(set).to_string();
		let row = |what: &str, (output, print): (f64, f64)| {
			println!("{name:<28} {what:<44} {:>16.2e} {:>18.2e}", 1.0 - output, 1.0 - print);
		};
		let server = embedding_as(minilm, &cpu(&set));
		let rechecker = embedding_as(minilm, &cpu(&set));
		let arbiter = embedding_as(minilm, &reference(&set));
		row(
			"honest, batch 6 / re-checker (cpu, same set)",
			embedding_cosine(&server, &rechecker, 6, None),
		);
		row("honest, batch 6 / arbiter (reference)", embedding_cosine(&server, &arbiter, 6, None));
		row("honest, batch 1 / arbiter (reference)", embedding_cosine(&server, &arbiter, 1, None));
		for cheaper in cheaper_than(&set) {
			let substitute = embedding_as(minilm, &cpu(&cheaper));
			row(
				&format!("{} / arbiter", Name(cheaper)),
				embedding_cosine(&substitute, &arbiter, 1, None),
			);
		}
		let substitute = embedding_as(perturbed, &cpu(&set));
		row(
			"weights perturbed by 1e-3 / arbiter",
			embedding_cosine(&substitute, &arbiter, 1, None),
		);
	}
}

/// How every calibration completion samples: prompt `i` with seed `i`, 96 tokens.
const SAMPLED: SamplingParams = SamplingParams { temperature: 0.8, top_k: 0, top_p: 0.95 };

/// The worst distance over the prompts between what `server` generated each alone and what
/// the honest re-checker's prefill gives, optionally inside a rayon pool of `threads`.
fn completion_distance(
	server: &CompletionModel,
	checker: &CompletionModel,
	threads: Option<usize>,
) -> Distance {
	let run = || {
		let generations = PROMPTS.iter().enumerate().map(|(i, prompt)| {
			server.generate(&server.tokenize(prompt).unwrap(), 96, SAMPLED, i as u64).unwrap()
		});
		worst_against_prefill(server, checker, generations.collect())
	};
	match threads {
		Some(n) => rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(run),
		None => run(),
	}
}

/// [`completion_distance`] with every prompt generated in one continuous batch (all six
/// stepped together, as the serving engine steps concurrent completions).
fn batched_completion_distance(server: &CompletionModel, checker: &CompletionModel) -> Distance {
	let mut sequences: Vec<_> = PROMPTS
		.iter()
		.enumerate()
		.map(|(i, p)| server.start(&server.tokenize(p).unwrap(), 96, SAMPLED, i as u64).unwrap())
		.collect();
	while sequences.iter().any(|s| !s.is_done()) {
		let mut batch: Vec<_> = sequences.iter_mut().collect();
		server.step(&mut batch).unwrap();
	}
	let generations = sequences.into_iter().map(|s| s.into_generation()).collect();
	worst_against_prefill(server, checker, generations)
}

/// The worst distance between `generations[i]` (of `PROMPTS[i]`) and the checker's
/// teacher-forced prefill of it.
fn worst_against_prefill(
	server: &CompletionModel,
	checker: &CompletionModel,
	generations: Vec<Generation>,
) -> Distance {
	worst_against_prefill_counting_tokens(server, checker, generations).0
}

/// [`worst_against_prefill`], and how many generated tokens the checker's logits do not make
/// the sampled choice (the re-check's token step, within `recheck::TOKEN_TOLERANCE`).
fn worst_against_prefill_counting_tokens(
	server: &CompletionModel,
	checker: &CompletionModel,
	generations: Vec<Generation>,
) -> (Distance, usize, usize) {
	let mut worst =
		Distance { min_overlap: fingerprint::TOP_K, max_deviation_ppb: 0, cosine_distance_ppb: 0 };
	let (mut inconsistent, mut total) = (0, 0);
	for (i, (prompt, generation)) in PROMPTS.iter().zip(generations).enumerate() {
		let tokens = server.tokenize(prompt).unwrap();
		let recomputed = checker.prefill(&tokens, &generation.tokens).unwrap();
		let mut draws = Draws::new(i as u64);
		for (logits, &token) in recomputed.logits.iter().zip(&generation.tokens) {
			total += 1;
			if !consistent(logits, SAMPLED, draws.next(), token, TOKEN_TOLERANCE) {
				inconsistent += 1;
			}
		}
		let d = fingerprint::distance(
			&generation.fingerprint(),
			&fingerprint::completion(&recomputed.hidden),
		)
		.unwrap();
		worst.min_overlap = worst.min_overlap.min(d.min_overlap);
		worst.max_deviation_ppb = worst.max_deviation_ppb.max(d.max_deviation_ppb);
	}
	(worst, inconsistent, total)
}

/// Every prompt generated alone by `server`, then checked against `checker`'s prefill.
fn sampled_against(
	server: &CompletionModel,
	checker: &CompletionModel,
) -> (Distance, usize, usize) {
	let generations = PROMPTS
		.iter()
		.enumerate()
		.map(|(i, prompt)| {
			server.generate(&server.tokenize(prompt).unwrap(), 96, SAMPLED, i as u64).unwrap()
		})
		.collect();
	worst_against_prefill_counting_tokens(server, checker, generations)
}

const PROMPTS: [&str; 6] = [
	"The miner's worker answers a request",
	"Useful compute instead of empty hashing",
	"0123456789 abcdefghij",
	"A re-checker recomputes the response with one prefill",
	"Ünïcödé bytes are tokens too",
	"Short",
];

const SENTENCES: [&str; 6] = [
	"The quick brown fox jumps over the lazy dog.",
	"AETRON pays miners for useful AI compute.",
	"A Merkle-sum tree binds each leaf to its index.",
	"Wie spät ist es?",
	"short",
	"Embeddings of honest runs differ only by rounding, substituted models by far more.",
];

/// The smallest cosines over the sentences between `server`'s embeddings (in batches of
/// `batch`) and the checker's (one at a time): of the served floats, and of the i8 fingerprint.
fn embedding_cosine(
	server: &EmbeddingModel,
	checker: &EmbeddingModel,
	batch: usize,
	threads: Option<usize>,
) -> (f64, f64) {
	let run = || {
		let ids: Vec<Vec<u32>> = SENTENCES.iter().map(|s| server.tokenize(s).unwrap()).collect();
		let served: Vec<Vec<f32>> =
			ids.chunks(batch).flat_map(|c| server.embed(c).unwrap()).collect();
		let (mut output, mut print) = (1.0f64, 1.0f64);
		for (i, s) in served.iter().enumerate() {
			let ours = checker.embed(&ids[i..=i]).unwrap().remove(0);
			output = output.min(fingerprint::cosine(s, &ours));
			// The re-checker compares the served fingerprint with its own.
			let d =
				fingerprint::distance(&fingerprint::embedding(s), &fingerprint::embedding(&ours))
					.unwrap();
			print = print.min(1.0 - d.cosine_distance_ppb as f64 * 1e-9);
		}
		(output, print)
	};
	match threads {
		Some(n) => rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(run),
		None => run(),
	}
}

fn main() {
	let scratch = tempfile::tempdir().unwrap();
	let root = scratch.path();
	let honest_dir = root.join("honest/gpt2");
	RandomGpt2::small(7).write(&honest_dir).unwrap();
	let other_dir = root.join("other/gpt2");
	RandomGpt2::small(8).write(&other_dir).unwrap();
	let checker = completion(&honest_dir, BackendKind::Reference);
	let cpu = completion(&honest_dir, BackendKind::Cpu);

	println!("## Completions: random GPT-2 4×256, 6 prompts × 96 sampled tokens");
	println!("{:<44} {:>12} {:>14} {:>8}", "served by", "min overlap", "max deviation", "passes");
	let row = |what: &str, d: Distance| {
		println!(
			"{what:<44} {:>10}/{} {:>14.5} {:>8}",
			d.min_overlap,
			fingerprint::TOP_K,
			d.max_deviation_ppb as f64 * 1e-9,
			d.within(&fingerprint::Tolerance::default())
		);
	};
	row(
		"honest: reference backend (same as checker)",
		completion_distance(&checker, &checker, None),
	);
	row("honest: cpu backend, 1 thread", completion_distance(&cpu, &checker, Some(1)));
	row("honest: cpu backend, 2 threads", completion_distance(&cpu, &checker, Some(2)));
	row("honest: cpu backend, 4 threads", completion_distance(&cpu, &checker, Some(4)));
	row("honest: cpu backend, 6 stepped together", batched_completion_distance(&cpu, &checker));
	for (name, dir) in [
		("other weights (another seed)", other_dir.clone()),
		("weights perturbed by 1e-2", variant(&honest_dir, &root.join("p2/gpt2"), perturb(1e-2))),
		("weights perturbed by 1e-3", variant(&honest_dir, &root.join("p3/gpt2"), perturb(1e-3))),
		("weights rounded to f16", variant(&honest_dir, &root.join("f16/gpt2"), f16_round)),
		("weights rounded to bf16", variant(&honest_dir, &root.join("bf16/gpt2"), bf16_round)),
	] {
		row(
			&format!("substitute: {name}"),
			completion_distance(&completion(&dir, BackendKind::Cpu), &checker, None),
		);
	}

	let Some(minilm) = std::env::args().nth(1).map(PathBuf::from) else {
		completions_per_parameter_set(&honest_dir, &other_dir);
		println!("\n(no MiniLM directory given: embeddings skipped)");
		return;
	};
	println!("\n## Embeddings: all-MiniLM-L6-v2, 6 sentences");
	println!(
		"{:<44} {:>16} {:>18} {:>8}",
		"served by", "1 - cos (output)", "1 - cos (fingerpr.)", "passes"
	);
	let checker = embedding(&minilm, BackendKind::Reference);
	let cpu = embedding(&minilm, BackendKind::Cpu);
	let row = |what: &str, (output, print): (f64, f64)| {
		let max_print_distance =
			fingerprint::Tolerance::default().max_cosine_distance.deconstruct() as f64 * 1e-9;
		let passes =
			output >= fingerprint::MIN_EMBEDDING_COSINE && 1.0 - print <= max_print_distance;
		println!("{what:<44} {:>16.2e} {:>18.2e} {passes:>8}", 1.0 - output, 1.0 - print);
	};
	row("honest: reference backend, batch 1", embedding_cosine(&checker, &checker, 1, None));
	row("honest: cpu backend, batch 1, 1 thread", embedding_cosine(&cpu, &checker, 1, Some(1)));
	row("honest: cpu backend, batch 6, 2 threads", embedding_cosine(&cpu, &checker, 6, Some(2)));
	row("honest: cpu backend, batch 3, 4 threads", embedding_cosine(&cpu, &checker, 3, Some(4)));
	for (name, dir) in [
		(
			"weights perturbed by 1e-1",
			variant(&minilm, &root.join("m1/all-minilm-l6-v2"), perturb(1e-1)),
		),
		(
			"weights perturbed by 1e-2",
			variant(&minilm, &root.join("m2/all-minilm-l6-v2"), perturb(1e-2)),
		),
		(
			"weights perturbed by 1e-3",
			variant(&minilm, &root.join("m3/all-minilm-l6-v2"), perturb(1e-3)),
		),
		(
			"weights rounded to f16",
			variant(&minilm, &root.join("mf16/all-minilm-l6-v2"), f16_round),
		),
		(
			"weights rounded to bf16",
			variant(&minilm, &root.join("mbf16/all-minilm-l6-v2"), bf16_round),
		),
	] {
		row(
			&format!("substitute: {name}"),
			embedding_cosine(&embedding(&dir, BackendKind::Cpu), &checker, 1, None),
		);
	}
	completions_per_parameter_set(&honest_dir, &other_dir);
	embeddings_per_parameter_set(&minilm, &root.join("m3/all-minilm-l6-v2"));
}
