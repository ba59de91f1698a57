//! A neuronet owner's spec file (TOML) and the on-chain spec built from it
//! (`aetron-worker neuronet create --spec FILE`).
//!
//! ```toml
//! name = "all-MiniLM-L6-v2"
//! task = "embedding"            # or "text-generation"
//! model_dir = "models/minilm"   # relative to this file; its hashes go on-chain
//! min_memory_mib = 512
//!
//! [execution]                   # optional; these are the defaults
//! dtype = "f32"                 # f32, f16 or bf16
//! quantization = "none"         # none, int8-per-tensor or int8-per-block-N (N = 8 … 128)
//! attention = "fused"           # fused (the backend's kernel) or plain (matmul, softmax, matmul)
//!
//! [economics]
//! units_per_input_token = 1
//! units_per_output_token = 1
//! fee_floor = 1.0               # AET
//! fee_cap = 100.0               # AET
//! max_slots = 0                 # 0: no cap
//! pow_difficulty = 100000
//!
//! [tolerance]                   # optional; these are the calibrated defaults for f32
//!                               # (other [execution] sets get theirs: calibrated_tolerance)
//! min_index_overlap = 6
//! max_value_deviation = 0.01
//! max_cosine_distance = 1e-5
//!
//! [[reference_checks]]
//! input = "The quick brown fox jumps over the lazy dog."
//! # max_tokens = 16            # text generation: tokens to generate greedily
//! ```
//!
//! The expected fingerprints are computed here, by running the model on each input on the
//! reference backend with the `[execution]` parameters. Reduced precision and quantization move
//! honest results further from the reference than f32 does: set `[tolerance]` from the
//! calibration of the same parameters (docs/measurements.md).

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use pallet_neuronets::{Economics, ModelSpec, NeuronetSpec, ReferenceCheck, Task, Tolerance};
use serde::Deserialize;
use sp_core::bounded::BoundedVec;
use sp_runtime::Perbill;

use crate::{
	inference::{
		execution::{Attention, DType, Execution, Name, Quantization},
		fingerprint::calibrated_tolerance,
		Model, ModelHashes,
	},
	joining,
};

/// Plancks per AET.
const AET: f64 = 1e12;

/// The file's contents.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
	/// The neuronet's name (at most 64 bytes).
	pub name: String,
	/// `embedding` or `text-generation`.
	pub task: TaskName,
	/// The model directory, relative to the spec file.
	pub model_dir: PathBuf,
	/// The least memory the model needs, in MiB.
	pub min_memory_mib: u32,
	/// How every worker runs the model (default: f32, no quantization, fused attention).
	#[serde(default)]
	pub execution: ExecutionFile,
	/// Pricing and registration.
	pub economics: EconomicsFile,
	/// How close a worker's fingerprints must be to the expected ones.
	#[serde(default)]
	pub tolerance: Option<ToleranceFile>,
	/// The inputs every joining worker runs (1 to 4).
	pub reference_checks: Vec<CheckFile>,
}

/// The task, as written in the file.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TaskName {
	/// Sentence embeddings.
	Embedding,
	/// Text generation.
	TextGeneration,
}

/// `[execution]`, in the names [`Name`] parses.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutionFile {
	/// `f32`, `f16` or `bf16`.
	#[serde(default, deserialize_with = "named")]
	pub dtype: Option<Name<DType>>,
	/// `none`, `int8-per-tensor` or `int8-per-block-N`.
	#[serde(default, deserialize_with = "named")]
	pub quantization: Option<Name<Quantization>>,
	/// `fused` or `plain`.
	#[serde(default, deserialize_with = "named")]
	pub attention: Option<Name<Attention>>,
}

fn named<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
	D: serde::Deserializer<'de>,
	T: std::str::FromStr<Err = String>,
{
	let text = String::deserialize(deserializer)?;
	text.parse().map(Some).map_err(serde::de::Error::custom)
}

/// `[economics]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EconomicsFile {
	/// Work units per input token.
	pub units_per_input_token: u32,
	/// Work units per output token or embedding.
	pub units_per_output_token: u32,
	/// The registration fee's floor, in AET.
	pub fee_floor: f64,
	/// The registration fee's cap, in AET.
	pub fee_cap: f64,
	/// At most this many slots (0: no cap).
	#[serde(default)]
	pub max_slots: u32,
	/// The proof-of-work difficulty to start at.
	pub pow_difficulty: u64,
}

/// `[tolerance]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToleranceFile {
	/// Completions: shared top-k indices needed per chunk.
	pub min_index_overlap: u8,
	/// Completions: the largest relative deviation on a shared index.
	pub max_value_deviation: f64,
	/// Embeddings: the largest `1 − cosine`.
	pub max_cosine_distance: f64,
}

/// `[[reference_checks]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckFile {
	/// The input text.
	pub input: String,
	/// Text generation: tokens to generate greedily.
	#[serde(default)]
	pub max_tokens: u16,
}

impl SpecFile {
	/// Reads and parses a spec file.
	pub fn read(path: &Path) -> Result<Self> {
		let text =
			std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
		toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
	}

	/// The execution parameters, defaults filled in.
	pub fn execution(&self) -> Execution {
		let e = &self.execution;
		let default = Execution::default();
		Execution {
			dtype: e.dtype.map_or(default.dtype, |n| n.0),
			quantization: e.quantization.map_or(default.quantization, |n| n.0),
			attention: e.attention.map_or(default.attention, |n| n.0),
		}
	}

	/// The model directory, resolved against the spec file's directory.
	pub fn model_dir(&self, spec_path: &Path) -> PathBuf {
		spec_path.parent().unwrap_or(Path::new(".")).join(&self.model_dir)
	}

	/// The on-chain spec: the model's hashes, and the expected fingerprints from running
	/// `model` (loaded from [`SpecFile::model_dir`] with [`SpecFile::execution`]) on every
	/// reference input.
	pub fn build(&self, hashes: ModelHashes, model: &Model) -> Result<NeuronetSpec<u128>> {
		let task = match (self.task, model) {
			(TaskName::Embedding, Model::Embedding(_)) => Task::Embedding,
			(TaskName::TextGeneration, Model::Completion(_)) => Task::TextGeneration,
			_ => bail!("the model in model_dir does not do task {:?}", self.task),
		};
		let execution = self.execution();
		let calibrated = calibrated_tolerance(task, &execution).with_context(|| {
			format!(
				"{task:?} with {} has no calibrated tolerance: honest workers would fail their \
				 re-checks (docs/measurements.md)",
				Name(execution)
			)
		})?;
		ensure!(
			model.execution() == self.execution(),
			"the model was loaded as {}, the spec says {}",
			Name(model.execution()),
			Name(self.execution())
		);
		ensure!(
			(1..=4).contains(&self.reference_checks.len()),
			"a spec lists 1 to 4 reference checks, not {}",
			self.reference_checks.len()
		);
		let e = &self.economics;
		let checks = self
			.reference_checks
			.iter()
			.map(|c| {
				let expected = joining::reference_fingerprint(model, &c.input, c.max_tokens)
					.with_context(|| format!("running reference input {:?}", c.input))?;
				Ok(ReferenceCheck {
					input: bounded(c.input.as_bytes(), "a reference input")?,
					max_tokens: c.max_tokens,
					expected,
				})
			})
			.collect::<Result<Vec<_>>>()?;
		Ok(NeuronetSpec {
			name: bounded(self.name.as_bytes(), "name")?,
			task,
			model: ModelSpec {
				weights_hash: hashes.weights,
				config_hash: hashes.config,
				tokenizer_hash: hashes.tokenizer,
				min_memory_mib: self.min_memory_mib,
				execution: self.execution(),
			},
			economics: Economics {
				units_per_input_token: e.units_per_input_token,
				units_per_output_token: e.units_per_output_token,
				fee_floor: plancks(e.fee_floor, "fee_floor")?,
				fee_cap: plancks(e.fee_cap, "fee_cap")?,
				max_slots: e.max_slots,
				pow_difficulty: e.pow_difficulty,
			},
			tolerance: match &self.tolerance {
				None => calibrated,
				Some(t) => Tolerance {
					min_index_overlap: t.min_index_overlap,
					max_value_deviation: fraction(t.max_value_deviation, "max_value_deviation")?,
					max_cosine_distance: fraction(t.max_cosine_distance, "max_cosine_distance")?,
				},
			},
			reference_checks: BoundedVec::truncate_from(checks),
		})
	}
}

fn bounded<S: sp_core::Get<u32>>(bytes: &[u8], what: &str) -> Result<BoundedVec<u8, S>> {
	BoundedVec::try_from(bytes.to_vec())
		.map_err(|_| anyhow::anyhow!("{what} is longer than {} bytes", S::get()))
}

fn plancks(aet: f64, what: &str) -> Result<u128> {
	ensure!(aet.is_finite() && aet >= 0.0, "{what} must be a non-negative number of AET");
	Ok((aet * AET).round() as u128)
}

fn fraction(value: f64, what: &str) -> Result<Perbill> {
	ensure!((0.0..=1.0).contains(&value), "{what} must be between 0 and 1");
	Ok(Perbill::from_parts((value * 1e9).round() as u32))
}
