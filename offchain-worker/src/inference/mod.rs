//! The inference engine: real model architectures in burn, loaded from standard weight files.
//!
//! A model directory holds `config.json`, `model.safetensors` and `tokenizer.json`, as Hugging
//! Face and sentence-transformers write them. `config.json`'s `model_type` picks the family:
//! `bert` serves embeddings, `gpt2` serves completions. Nothing is ever downloaded.

pub mod backend;
pub mod bert;
pub mod engine;
pub mod execution;
pub mod fingerprint;
mod gelu;
pub mod gpt2;
mod layers;
pub mod random_gpt2;
pub mod sampling;
pub mod weights;

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;
use tokenizers::Tokenizer;

pub use backend::BackendKind;
use bert::BertEncoder;
pub use execution::{Execution, Placement};
use fingerprint::Fingerprint;
use gpt2::Gpt2;
pub use sampling::SamplingParams;
use sampling::{choose, Draws};

/// The hashes a neuronet's spec names its model by (DESIGN §3): BLAKE2b-256 of
/// `model.safetensors`, `config.json` and `tokenizer.json`, streamed from disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelHashes {
	/// Of `model.safetensors`.
	pub weights: [u8; 32],
	/// Of `config.json`.
	pub config: [u8; 32],
	/// Of `tokenizer.json`.
	pub tokenizer: [u8; 32],
}

impl ModelHashes {
	/// Hashes the three files of the model in `dir`.
	pub fn of(dir: &Path) -> anyhow::Result<Self> {
		let hash = |name: &str| -> anyhow::Result<[u8; 32]> {
			let path = dir.join(name);
			let mut file = std::fs::File::open(&path)
				.with_context(|| format!("opening {}", path.display()))?;
			let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
			std::io::copy(&mut file, &mut state)
				.with_context(|| format!("reading {}", path.display()))?;
			let mut out = [0u8; 32];
			out.copy_from_slice(state.finalize().as_bytes());
			Ok(out)
		};
		Ok(Self {
			weights: hash("model.safetensors")?,
			config: hash("config.json")?,
			tokenizer: hash("tokenizer.json")?,
		})
	}
}

/// Why a request cannot be served; each maps to a client error in the API.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
	/// Nothing to tokenize.
	#[error("the input is empty")]
	Empty,
	/// More tokens than the model's context.
	#[error(
		"this model's maximum context length is {max} tokens, however you requested {requested} tokens"
	)]
	TooLong {
		/// Tokens asked for (input, plus new tokens for completions).
		requested: usize,
		/// The model's limit.
		max: usize,
	},
	/// The tokenizer refused the text.
	#[error("the input cannot be tokenized: {0}")]
	Tokenizer(String),
}

/// A loaded model of either family.
pub enum Model {
	/// A sentence encoder (`model_type` `bert`).
	Embedding(EmbeddingModel),
	/// A causal language model (`model_type` `gpt2`).
	Completion(CompletionModel),
}

#[derive(Deserialize)]
struct ModelType {
	model_type: String,
}

impl Model {
	/// Loads the model in `dir`, placed (device, dtype, quantization, attention) as `place`
	/// says. Its name is the directory's name.
	pub fn load(dir: &Path, place: &Placement) -> anyhow::Result<Self> {
		let kind: ModelType = weights::read_config(dir)?;
		let name = dir
			.file_name()
			.and_then(|n| n.to_str())
			.context("the model directory has no name")?
			.to_string();
		let tokenizer = load_tokenizer(dir)?;
		Ok(match kind.model_type.as_str() {
			"bert" => Model::Embedding(EmbeddingModel::new(name, dir, tokenizer, place)?),
			"gpt2" => Model::Completion(CompletionModel::new(name, dir, tokenizer, place)?),
			other => anyhow::bail!("unsupported model_type `{other}` (bert or gpt2)"),
		})
	}

	/// The name clients ask for.
	pub fn name(&self) -> &str {
		match self {
			Model::Embedding(m) => &m.name,
			Model::Completion(m) => &m.name,
		}
	}

	/// The execution parameters it runs with.
	pub fn execution(&self) -> Execution {
		match self {
			Model::Embedding(m) => m.execution,
			Model::Completion(m) => m.execution,
		}
	}
}

fn load_tokenizer(dir: &Path) -> anyhow::Result<Tokenizer> {
	let path = dir.join("tokenizer.json");
	let mut tokenizer = Tokenizer::from_file(&path)
		.map_err(|e| anyhow::anyhow!("loading {}: {e}", path.display()))?;
	// Over-long input is refused with an error, never silently cut.
	tokenizer
		.with_truncation(None)
		.map_err(|e| anyhow::anyhow!("configuring the tokenizer: {e}"))?;
	tokenizer.with_padding(None);
	Ok(tokenizer)
}

fn tokenize(tokenizer: &Tokenizer, text: &str, special: bool) -> Result<Vec<u32>, InputError> {
	if text.is_empty() {
		return Err(InputError::Empty);
	}
	let encoding =
		tokenizer.encode(text, special).map_err(|e| InputError::Tokenizer(e.to_string()))?;
	Ok(encoding.get_ids().to_vec())
}

/// The most sequences one forward pass takes.
pub const MAX_BATCH: usize = 32;

/// Turns text into a sentence encoder's token ids. Cheap to clone: the API tokenizes on the
/// request's own thread, so the model thread spends its time on forward passes.
#[derive(Clone)]
pub struct EmbeddingInput {
	tokenizer: Tokenizer,
	/// The longest input in tokens: sentence-transformers' `max_seq_length` where the directory
	/// has one, else the position table's size.
	pub max_tokens: usize,
	/// The embedding dimension.
	pub dimensions: usize,
}

impl EmbeddingInput {
	/// The token ids of `text`, with `[CLS]` and `[SEP]`.
	pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, InputError> {
		let ids = tokenize(&self.tokenizer, text, true)?;
		if ids.len() > self.max_tokens {
			return Err(InputError::TooLong { requested: ids.len(), max: self.max_tokens });
		}
		Ok(ids)
	}
}

/// A sentence encoder serving embeddings.
pub struct EmbeddingModel {
	/// The name clients ask for: the directory's name.
	pub name: String,
	encoder: BertEncoder,
	input: EmbeddingInput,
	/// Where the model was loaded from.
	pub dir: PathBuf,
	/// The execution parameters it runs with.
	pub execution: Execution,
}

#[derive(Deserialize)]
struct SentenceBertConfig {
	max_seq_length: usize,
}

impl EmbeddingModel {
	fn new(
		name: String,
		dir: &Path,
		tokenizer: Tokenizer,
		place: &Placement,
	) -> anyhow::Result<Self> {
		let encoder = BertEncoder::load(dir, place)?;
		let positions = encoder.config().max_position_embeddings;
		let max_tokens = std::fs::read_to_string(dir.join("sentence_bert_config.json"))
			.ok()
			.and_then(|text| serde_json::from_str::<SentenceBertConfig>(&text).ok())
			.map_or(positions, |c| c.max_seq_length.min(positions));
		let dimensions = encoder.config().hidden_size;
		let input = EmbeddingInput { tokenizer, max_tokens, dimensions };
		Ok(Self { name, encoder, input, dir: dir.to_path_buf(), execution: place.execution })
	}

	/// The token ids of `text`, with `[CLS]` and `[SEP]`.
	pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, InputError> {
		self.input.tokenize(text)
	}

	/// The tokenizer and limits, to tokenize away from the model.
	pub fn input(&self) -> &EmbeddingInput {
		&self.input
	}

	/// The longest input in tokens.
	pub fn max_tokens(&self) -> usize {
		self.input.max_tokens
	}

	/// The embedding dimension.
	pub fn dimensions(&self) -> usize {
		self.input.dimensions
	}

	/// Embeddings of tokenized inputs, computed in padded batches of at most [`MAX_BATCH`]
	/// so that memory stays bounded whatever a request holds.
	pub fn embed(&self, inputs: &[Vec<u32>]) -> anyhow::Result<Vec<Vec<f32>>> {
		let mut out = Vec::with_capacity(inputs.len());
		for batch in inputs.chunks(MAX_BATCH) {
			out.extend(self.encoder.embed(batch)?);
		}
		Ok(out)
	}
}

/// Why generation stopped, in OpenAI's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinishReason {
	/// The model produced its end-of-text token.
	Stop,
	/// `max_tokens` were generated.
	Length,
}

impl FinishReason {
	/// OpenAI's `finish_reason` string.
	pub fn as_str(self) -> &'static str {
		match self {
			FinishReason::Stop => "stop",
			FinishReason::Length => "length",
		}
	}
}

/// A finished generation.
pub struct Generation {
	/// The generated token ids.
	pub tokens: Vec<u32>,
	/// Why generation stopped.
	pub finish_reason: FinishReason,
	/// `hidden[p]` is the final hidden state that chose `tokens[p]`.
	pub hidden: Vec<Vec<f32>>,
}

impl Generation {
	/// The fingerprint of this generation.
	pub fn fingerprint(&self) -> Fingerprint {
		fingerprint::completion(&self.hidden)
	}
}

/// Turns text into a language model's token ids and back, and checks lengths. Cheap to share:
/// the API tokenizes and decodes on the request's own thread.
#[derive(Clone)]
pub struct CompletionInput {
	tokenizer: Tokenizer,
	/// The context length in tokens.
	pub max_tokens: usize,
}

impl CompletionInput {
	/// The token ids of a prompt.
	pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, InputError> {
		tokenize(&self.tokenizer, text, false)
	}

	/// Checks that a prompt of `prompt` tokens plus `max_new` new tokens fits the context.
	pub fn check_length(&self, prompt: usize, max_new: usize) -> Result<(), InputError> {
		let requested = prompt.saturating_add(max_new);
		if requested > self.max_tokens {
			return Err(InputError::TooLong { requested, max: self.max_tokens });
		}
		Ok(())
	}

	/// Text of generated tokens.
	pub fn decode(&self, tokens: &[u32]) -> anyhow::Result<String> {
		self.tokenizer.decode(tokens, true).map_err(|e| anyhow::anyhow!("decoding: {e}"))
	}
}

/// One completion being generated: its cache, its draws and what it has chosen so far.
/// [`CompletionModel::start`] prefills it; [`CompletionModel::step`] advances many at once.
pub struct Sequence {
	cache: gpt2::KvCache,
	draws: Draws,
	params: SamplingParams,
	max_new: usize,
	eos: Option<u32>,
	generation: Generation,
	done: bool,
}

impl Sequence {
	/// Whether it stopped (end-of-text or `max_new` tokens).
	pub fn is_done(&self) -> bool {
		self.done
	}

	/// The finished generation.
	pub fn into_generation(self) -> Generation {
		self.generation
	}

	/// Chooses the next token from the state the model returned for the last position.
	fn choose(&mut self, hidden: Vec<f32>, logits: Vec<f32>) {
		let token = choose(&logits, self.params, self.draws.next()).token;
		self.generation.tokens.push(token);
		self.generation.hidden.push(hidden);
		if Some(token) == self.eos {
			self.generation.finish_reason = FinishReason::Stop;
			self.done = true;
		} else if self.generation.tokens.len() >= self.max_new {
			self.done = true;
		}
	}

	fn last_token(&self) -> Option<u32> {
		self.generation.tokens.last().copied()
	}
}

/// A causal language model serving completions.
pub struct CompletionModel {
	/// The name clients ask for: the directory's name.
	pub name: String,
	lm: Gpt2,
	input: CompletionInput,
	/// Where the model was loaded from.
	pub dir: PathBuf,
	/// The execution parameters it runs with.
	pub execution: Execution,
}

impl CompletionModel {
	fn new(
		name: String,
		dir: &Path,
		tokenizer: Tokenizer,
		place: &Placement,
	) -> anyhow::Result<Self> {
		let lm = Gpt2::load(dir, place)?;
		let input = CompletionInput { tokenizer, max_tokens: lm.config().n_positions };
		Ok(Self { name, lm, input, dir: dir.to_path_buf(), execution: place.execution })
	}

	/// The tokenizer and limits, to tokenize and decode away from the model.
	pub fn input(&self) -> &CompletionInput {
		&self.input
	}

	/// The context length in tokens.
	pub fn max_tokens(&self) -> usize {
		self.input.max_tokens
	}

	/// The token ids of a prompt.
	pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, InputError> {
		self.input.tokenize(text)
	}

	/// Checks that a prompt of `prompt` tokens plus `max_new` new tokens fits the context.
	pub fn check_length(&self, prompt: usize, max_new: usize) -> Result<(), InputError> {
		self.input.check_length(prompt, max_new)
	}

	/// Text of generated tokens.
	pub fn decode(&self, tokens: &[u32]) -> anyhow::Result<String> {
		self.input.decode(tokens)
	}

	/// Generates up to `max_new` tokens after `prompt`, stopping early at end-of-text: a
	/// sequence of its own, stepped alone.
	pub fn generate(
		&self,
		prompt: &[u32],
		max_new: usize,
		params: SamplingParams,
		seed: u64,
	) -> anyhow::Result<Generation> {
		let mut sequence = self.start(prompt, max_new, params, seed)?;
		while !sequence.is_done() {
			self.step(&mut [&mut sequence])?;
		}
		Ok(sequence.into_generation())
	}

	/// Prefills `prompt` into a fresh cache and chooses the first token (drawn from `seed`'s
	/// stream, as every later one is).
	pub fn start(
		&self,
		prompt: &[u32],
		max_new: usize,
		params: SamplingParams,
		seed: u64,
	) -> anyhow::Result<Sequence> {
		self.check_length(prompt.len(), max_new)?;
		anyhow::ensure!(!prompt.is_empty() && max_new > 0, InputError::Empty);
		let mut cache = self.lm.new_cache();
		let mut out = self.lm.forward(prompt, &mut cache, prompt.len() - 1)?;
		let mut sequence = Sequence {
			cache,
			draws: Draws::new(seed),
			params,
			max_new,
			eos: self.lm.config().eos_token_id,
			generation: Generation {
				tokens: Vec::new(),
				finish_reason: FinishReason::Length,
				hidden: Vec::new(),
			},
			done: false,
		};
		let (Some(hidden), Some(logits)) = (out.hidden.pop(), out.logits.pop()) else {
			anyhow::bail!("the model returned no state");
		};
		sequence.choose(hidden, logits);
		Ok(sequence)
	}

	/// One decoding step for every unfinished sequence in `sequences`, in one batched forward
	/// pass: each gets its next token. A sequence's tokens do not depend on its neighbours
	/// beyond floating-point rounding (measured in docs/measurements.md).
	pub fn step(&self, sequences: &mut [&mut Sequence]) -> anyhow::Result<()> {
		let mut running: Vec<&mut Sequence> =
			sequences.iter_mut().map(|s| &mut **s).filter(|s| !s.done).collect();
		if running.is_empty() {
			return Ok(());
		}
		let tokens = running
			.iter()
			.map(|s| s.last_token().ok_or_else(|| anyhow::anyhow!("a sequence not started")))
			.collect::<anyhow::Result<Vec<u32>>>()?;
		let mut caches: Vec<&mut gpt2::KvCache> =
			running.iter_mut().map(|s| &mut s.cache).collect();
		let out = self.lm.forward_step(&tokens, &mut caches)?;
		for ((sequence, hidden), logits) in running.into_iter().zip(out.hidden).zip(out.logits) {
			sequence.choose(hidden, logits);
		}
		Ok(())
	}

	/// Teacher-forced prefill: one forward pass over the prompt and the claimed tokens, giving
	/// the hidden state and logits that chose each claimed token.
	pub fn prefill(&self, prompt: &[u32], generated: &[u32]) -> anyhow::Result<gpt2::Outputs> {
		anyhow::ensure!(!prompt.is_empty() && !generated.is_empty(), InputError::Empty);
		self.check_length(prompt.len(), generated.len())?;
		let mut sequence = prompt.to_vec();
		sequence.extend_from_slice(&generated[..generated.len() - 1]);
		self.lm.forward(&sequence, &mut self.lm.new_cache(), prompt.len() - 1)
	}
}
