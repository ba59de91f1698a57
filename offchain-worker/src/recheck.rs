//! Re-checking a leaf another worker served (DESIGN §6).
//!
//! The re-checker fetches the leaf (request, response, artefact, proof) and checks, cheapest
//! first, everything that decides what the leaf is paid ([`Commitment`] is what the chain says
//! of the batch):
//! 1. the proof reaches the committed root's hash ([`FailKind::BadProof`]) and its sum, the
//!    committed total work ([`FailKind::TotalMismatch`]);
//! 2. the served bytes are the ones the artefact commits to ([`FailKind::BadProof`]);
//! 3. the artefact names the committing slot, its batch number and neuronet, and a client
//!    signature signs the request for that slot ([`FailKind::Misattributed`]: a second tree over
//!    another slot's or another batch's leaves);
//! 4. its work units are the neuronet's pricing of its input and output units, and those units
//!    are what the request and response really hold ([`FailKind::WorkMismatch`]);
//! 5. the response is what the model gives — by re-embedding, or by one teacher-forced prefill
//!    over prompt and claimed tokens — within the neuronet's tolerance (calibrated for its
//!    execution parameters; [`crate::inference::fingerprint`]) ([`FailKind::WrongOutput`],
//!    [`FailKind::FingerprintOutOfTolerance`]).

use std::fmt;

use aetron_primitives::{
	artefact::{ArtefactHeader, NeuronetId, ARTEFACT_VERSION},
	merkle::{root_from_proof, SumNode},
	work::priced_work,
};
use base64::Engine as _;
use codec::Decode;

use crate::{
	api::{openai::*, ArtefactAnswer},
	inference::{
		fingerprint::{self, Fingerprint, Tolerance, MIN_EMBEDDING_COSINE},
		sampling::{consistent, Draws, SamplingParams},
		Execution, Model,
	},
};

/// How far a claimed token may be from the re-computed choice: a logit difference (greedy) or
/// a probability mass (sampling). Honest backends differ by far less (docs/measurements.md).
pub const TOKEN_TOLERANCE: f64 = 1e-3;

/// Why a leaf failed its re-check: the kinds a verdict reports on-chain.
pub use aetron_primitives::work::FailureKind as FailKind;

/// A neuronet's work pricing (DESIGN §3): what a request's units are worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pricing {
	/// Work units per input token.
	pub per_input: u32,
	/// Work units per output token (or embedding).
	pub per_output: u32,
}

impl Default for Pricing {
	/// One unit a token in and a token (or embedding) out.
	fn default() -> Self {
		Self { per_input: 1, per_output: 1 }
	}
}

impl Pricing {
	/// The pricing of a neuronet's spec, or why a worker cannot apply it.
	pub fn of(economics: &pallet_neuronets::Economics<u128>) -> anyhow::Result<Self> {
		let pricing = Self {
			per_input: economics.units_per_input_token,
			per_output: economics.units_per_output_token,
		};
		if pricing.per_input == 0 && pricing.per_output == 0 {
			anyhow::bail!(
				"the neuronet prices neither input nor output tokens, so no request would ever carry work"
			);
		}
		Ok(pricing)
	}

	/// The work units of a request with these units.
	pub fn work(&self, input_units: u32, output_units: u32) -> u64 {
		priced_work(input_units, output_units, self.per_input, self.per_output)
	}
}

/// What the chain says of the batch a leaf is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commitment {
	/// The committed root: hash and total work.
	pub root: SumNode,
	/// Its leaf count.
	pub leaf_count: u32,
	/// The slot that committed it.
	pub slot: u64,
	/// Its batch number (the slot's own).
	pub batch_number: u64,
	/// Its neuronet.
	pub neuronet: NeuronetId,
	/// The neuronet's pricing.
	pub pricing: Pricing,
	/// How far the neuronet lets a re-computation be from what was served.
	pub tolerance: Tolerance,
	/// The neuronet's execution parameters.
	pub execution: Execution,
}

impl Commitment {
	/// The commitment a leaf claims for itself: its own slot, batch and neuronet with the
	/// default pricing, tolerance and execution, against `root`. For checking a worker's
	/// answers off-chain.
	pub fn claimed_by(leaf: &Leaf, root: SumNode, leaf_count: u32) -> Self {
		Self {
			root,
			leaf_count,
			slot: leaf.artefact.slot,
			batch_number: leaf.artefact.batch,
			neuronet: leaf.artefact.neuronet,
			pricing: Pricing::default(),
			tolerance: Tolerance::default(),
			execution: Execution::default(),
		}
	}
}

/// The outcome of one re-check.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
	/// The leaf is what the model gives.
	Pass,
	/// The leaf failed; the string says how, for logs and transcripts.
	Fail(FailKind, String),
}

impl fmt::Display for Verdict {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Verdict::Pass => f.write_str("pass"),
			Verdict::Fail(kind, why) => write!(f, "fail ({kind:?}): {why}"),
		}
	}
}

/// A leaf as a worker serves it.
#[derive(Clone, Debug)]
pub struct Leaf {
	/// The batch the worker says the leaf is in.
	pub batch: u64,
	/// Its index there.
	pub index: u32,
	/// The batch's leaf count, as the worker serves it.
	pub leaf_count: u32,
	/// Siblings from the leaf up.
	pub proof: Vec<SumNode>,
	/// The artefact header (the leaf preimage).
	pub artefact: ArtefactHeader,
	/// The request body as the worker received it.
	pub request: Vec<u8>,
	/// The response body as the worker sent it.
	pub response: Vec<u8>,
	/// The client's key and signature, when the request was signed.
	pub client: crate::api::signature::ClientSignature,
}

impl Leaf {
	/// A leaf of this worker's own store, with its proof.
	pub fn from_proven(
		position: crate::store::Position,
		proven: crate::store::ProvenEntry,
	) -> Self {
		Self {
			batch: position.batch,
			index: position.index,
			leaf_count: proven.leaf_count,
			proof: proven.proof,
			artefact: proven.entry.artefact,
			request: proven.entry.request,
			response: proven.entry.response,
			client: proven.entry.client,
		}
	}

	/// Decodes the artefact endpoint's answer.
	pub fn from_answer(answer: &ArtefactAnswer) -> anyhow::Result<Self> {
		let b64 = base64::engine::general_purpose::STANDARD;
		let artefact = hex::decode(answer.artefact.trim_start_matches("0x"))?;
		let hex_of = |text: &Option<String>| -> anyhow::Result<Option<Vec<u8>>> {
			text.as_deref()
				.map(|t| hex::decode(t.trim_start_matches("0x")))
				.transpose()
				.map_err(Into::into)
		};
		let client = match (hex_of(&answer.signer)?, hex_of(&answer.signature)?) {
			(Some(key), Some(sig)) => Some((
				key.try_into().map_err(|_| anyhow::anyhow!("the signer is not 32 bytes"))?,
				sig.try_into().map_err(|_| anyhow::anyhow!("the signature is not 64 bytes"))?,
			)),
			(None, None) => None,
			_ => anyhow::bail!("a signer without a signature, or the reverse"),
		};
		Ok(Self {
			client,
			batch: answer.batch,
			index: answer.index,
			leaf_count: answer.leaf_count,
			proof: answer.proof.iter().map(SumNode::try_from).collect::<anyhow::Result<_>>()?,
			artefact: ArtefactHeader::decode(&mut &artefact[..])?,
			request: b64.decode(&answer.request)?,
			response: b64.decode(&answer.response)?,
		})
	}
}

/// Fetches leaf `(batch, index)` from a worker's endpoint (`http://host:port`). A worker that
/// does not answer, or answers with anything but the leaf, yields `Unavailable`.
pub async fn fetch(
	client: &reqwest::Client,
	endpoint: &str,
	batch: u64,
	index: u32,
) -> Result<Leaf, Verdict> {
	let url = format!("{}/aetron/v1/artefacts/{batch}/{index}", endpoint.trim_end_matches('/'));
	let unavailable = |why: String| Verdict::Fail(FailKind::Unavailable, why);
	let response = client.get(&url).send().await.map_err(|e| unavailable(format!("{url}: {e}")))?;
	if !response.status().is_success() {
		return Err(unavailable(format!("{url}: HTTP {}", response.status())));
	}
	let answer: ArtefactAnswer =
		response.json().await.map_err(|e| unavailable(format!("{url}: {e}")))?;
	Leaf::from_answer(&answer).map_err(|e| unavailable(format!("{url}: {e}")))
}

fn fail(kind: FailKind, why: impl Into<String>) -> Verdict {
	Verdict::Fail(kind, why.into())
}

/// Re-checks `leaf` (at index `leaf.index`) against the batch the chain committed.
pub fn check(leaf: &Leaf, commitment: &Commitment, model: &Model) -> Verdict {
	check_claims(leaf, commitment)
		.map_or_else(|verdict| verdict, |()| check_output(leaf, commitment, model))
}

/// Everything but the model: proof, served bytes, attribution, pricing (steps 1–4 above).
pub fn check_claims(leaf: &Leaf, commitment: &Commitment) -> Result<(), Verdict> {
	let artefact = &leaf.artefact;
	if artefact.version != ARTEFACT_VERSION {
		return Err(fail(FailKind::BadProof, format!("artefact version {}", artefact.version)));
	}
	let node = artefact.leaf(leaf.index);
	let root = &commitment.root;
	match root_from_proof(commitment.leaf_count, leaf.index, &node, &leaf.proof) {
		Err(e) => {
			return Err(fail(
				FailKind::BadProof,
				format!("the proof does not reach the root: {e:?}"),
			))
		}
		Ok(reached) if reached.hash != root.hash => {
			return Err(fail(FailKind::BadProof, "the proof reaches another root"))
		}
		Ok(reached) if reached.sum != root.sum => {
			return Err(fail(
				FailKind::TotalMismatch,
				format!(
					"the tree's leaves add up to {} work units, the commitment claims {}",
					reached.sum, root.sum
				),
			))
		}
		Ok(_) => {}
	}
	if sp_crypto_hashing::blake2_256(&leaf.request) != artefact.input_hash {
		return Err(fail(FailKind::BadProof, "the served request is not the committed one"));
	}
	if sp_crypto_hashing::blake2_256(&leaf.response) != artefact.output_hash {
		return Err(fail(FailKind::BadProof, "the served response is not the committed one"));
	}
	if artefact.slot != commitment.slot
		|| artefact.batch != commitment.batch_number
		|| artefact.neuronet != commitment.neuronet
	{
		return Err(fail(
			FailKind::Misattributed,
			format!(
				"served by slot {} in its batch {} of neuronet {}, committed by slot {} as batch {} of neuronet {}",
				artefact.slot, artefact.batch, artefact.neuronet,
				commitment.slot, commitment.batch_number, commitment.neuronet
			),
		));
	}
	match (&leaf.client, artefact.client_signature_hash == [0; 32]) {
		(None, true) => {}
		(Some((signer, signature)), false) => {
			if sp_crypto_hashing::blake2_256(signature) != artefact.client_signature_hash {
				return Err(fail(
					FailKind::Misattributed,
					"the served signature is not the committed one",
				));
			}
			if !crate::api::signature::verify(signer, signature, commitment.slot, &leaf.request) {
				return Err(fail(
					FailKind::Misattributed,
					"the client's signature does not sign this request for this slot",
				));
			}
		}
		_ => {
			return Err(fail(
				FailKind::Misattributed,
				"the client's signature is missing or unexpected",
			))
		}
	}
	let priced = commitment.pricing.work(artefact.input_units, artefact.output_units);
	if artefact.work_units != priced {
		return Err(fail(
			FailKind::WorkMismatch,
			format!(
				"the leaf claims {} work units; the neuronet's pricing gives {priced} for {} in and {} out",
				artefact.work_units, artefact.input_units, artefact.output_units
			),
		));
	}
	Ok(())
}

/// Recomputes the response with `model` and compares (step 5; also re-derives the units).
/// Only what [`check_claims`] passed may come here, and `model` runs with the commitment's
/// execution parameters (the callers load it so; [`ensure_runs_as`] says so before judging).
pub fn check_output(leaf: &Leaf, commitment: &Commitment, model: &Model) -> Verdict {
	let result = match model {
		Model::Embedding(model) => check_embedding(leaf, commitment, model),
		Model::Completion(model) => claimed_fingerprint(leaf)
			.and_then(|claimed| check_completion(leaf, &claimed, &commitment.tolerance, model)),
	};
	result.unwrap_or_else(|verdict| verdict)
}

/// Refuses to judge with a model that does not run as the neuronet says: its verdict would
/// blame the miner for the checker's own difference. The caller skips the assignment instead.
pub fn ensure_runs_as(model: Execution, commitment: &Commitment) -> anyhow::Result<()> {
	anyhow::ensure!(
		model == commitment.execution,
		"the model runs as {}, the neuronet says {}",
		crate::inference::execution::Name(model),
		crate::inference::execution::Name(commitment.execution)
	);
	Ok(())
}

fn claimed_fingerprint(leaf: &Leaf) -> Result<Fingerprint, Verdict> {
	Fingerprint::decode(&mut &leaf.artefact.fingerprint[..])
		.map_err(|_| fail(FailKind::WrongOutput, "the fingerprint does not decode"))
}

fn work_mismatch(why: impl Into<String>) -> Verdict {
	fail(FailKind::WorkMismatch, why)
}

fn wrong(why: impl Into<String>) -> Verdict {
	fail(FailKind::WrongOutput, why)
}

fn out_of_tolerance(
	claimed: &Fingerprint,
	ours: &Fingerprint,
	tolerance: &Tolerance,
) -> Option<Verdict> {
	match fingerprint::distance(claimed, ours) {
		Some(d) if d.within(tolerance) => None,
		Some(d) => Some(fail(FailKind::FingerprintOutOfTolerance, format!("{d:?}"))),
		None => Some(fail(
			FailKind::FingerprintOutOfTolerance,
			"the fingerprints do not have the same shape",
		)),
	}
}

fn check_embedding(
	leaf: &Leaf,
	commitment: &Commitment,
	model: &crate::inference::EmbeddingModel,
) -> Result<Verdict, Verdict> {
	let check = EmbeddingCheck::prepare(leaf, commitment, model.input())?;
	let ours = model
		.embed(check.inputs())
		.map_err(|e| fail(FailKind::Unavailable, format!("re-computing: {e:#}")))?;
	Ok(check.judge(&ours))
}

/// An embedding leaf's re-check around its one re-computation, so that the re-computation can
/// run anywhere: alone on a model ([`check`]), or in the serving engine's shared forward
/// passes (the re-check loop, [`crate::rechecker`]).
pub struct EmbeddingCheck {
	claimed: Fingerprint,
	inputs: Vec<Vec<u32>>,
	served: Vec<EmbeddingData>,
	tolerance: Tolerance,
	/// The least cosine similarity a served embedding may have to the re-computed one.
	min_output_cosine: f64,
}

impl EmbeddingCheck {
	/// Everything before the re-computation: parses the leaf, tokenizes its inputs and
	/// re-derives its units. `Err` is the leaf's verdict already. Only what [`check_claims`]
	/// passed may come here.
	pub fn prepare(
		leaf: &Leaf,
		commitment: &Commitment,
		input: &crate::inference::EmbeddingInput,
	) -> Result<Self, Verdict> {
		let claimed = claimed_fingerprint(leaf)?;
		let request: EmbeddingRequest = serde_json::from_slice(&leaf.request)
			.map_err(|e| wrong(format!("the request does not parse: {e}")))?;
		let response: EmbeddingResponse = serde_json::from_slice(&leaf.response)
			.map_err(|e| wrong(format!("the response does not parse: {e}")))?;
		let texts = request.input.into_vec();
		let inputs = texts
			.iter()
			.map(|text| input.tokenize(text))
			.collect::<Result<Vec<_>, _>>()
			.map_err(|e| wrong(format!("the request cannot have been served: {e}")))?;
		let tokens: usize = inputs.iter().map(Vec::len).sum();
		if tokens != leaf.artefact.input_units as usize || response.usage.prompt_tokens != tokens {
			return Err(work_mismatch(format!(
				"{tokens} input tokens, the artefact claims {}",
				leaf.artefact.input_units
			)));
		}
		if leaf.artefact.output_units as usize != inputs.len() {
			return Err(work_mismatch(
				"the artefact claims another number of embeddings than inputs",
			));
		}
		if response.data.len() != inputs.len() {
			return Err(wrong("the number of embeddings does not match the inputs"));
		}
		Ok(Self {
			claimed,
			inputs,
			served: response.data,
			tolerance: commitment.tolerance,
			min_output_cosine: min_output_cosine(commitment),
		})
	}

	/// The tokenized inputs to re-compute.
	pub fn inputs(&self) -> &[Vec<u32>] {
		&self.inputs
	}

	/// The verdict, given the re-computed embeddings of [`Self::inputs`].
	pub fn judge(&self, ours: &[Vec<f32>]) -> Verdict {
		self.compare(ours).unwrap_or_else(|verdict| verdict)
	}

	fn compare(&self, ours: &[Vec<f32>]) -> Result<Verdict, Verdict> {
		if ours.len() != self.inputs.len() {
			return Err(fail(
				FailKind::Unavailable,
				"re-computing gave another number of embeddings",
			));
		}
		let mut sum = vec![0f32; ours.first().map_or(0, Vec::len)];
		for (i, (served, recomputed)) in self.served.iter().zip(ours).enumerate() {
			let served = decode_embedding(&served.embedding)
				.ok_or_else(|| wrong(format!("embedding {i} does not decode")))?;
			let cosine = fingerprint::cosine(&served, recomputed);
			if served.len() != recomputed.len() || cosine < self.min_output_cosine {
				return Err(wrong(format!(
					"embedding {i}: cosine similarity {cosine:.6} to the re-computed one"
				)));
			}
			for (s, v) in sum.iter_mut().zip(recomputed) {
				*s += v;
			}
		}
		Ok(out_of_tolerance(&self.claimed, &fingerprint::embedding(&sum), &self.tolerance)
			.unwrap_or(Verdict::Pass))
	}
}

/// How close a served embedding must be to the re-computed one. f32 neuronets keep the
/// calibrated [`MIN_EMBEDDING_COSINE`] (honest runs differ by 1e-12, f16 weights by 5e-7);
/// reduced precision and quantization are honestly farther apart than that, so their served
/// floats are held to the neuronet's own fingerprint tolerance, calibrated for them.
fn min_output_cosine(commitment: &Commitment) -> f64 {
	if crate::inference::execution::is_full_precision(&commitment.execution) {
		MIN_EMBEDDING_COSINE
	} else {
		1.0 - f64::from(commitment.tolerance.max_cosine_distance.deconstruct()) / 1e9
	}
}

fn decode_embedding(value: &serde_json::Value) -> Option<Vec<f32>> {
	match value {
		serde_json::Value::String(text) => {
			let bytes = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
			(bytes.len() % 4 == 0).then(|| {
				bytes
					.chunks_exact(4)
					.map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
					.collect()
			})
		}
		other => serde_json::from_value(other.clone()).ok(),
	}
}

fn check_completion(
	leaf: &Leaf,
	claimed: &Fingerprint,
	tolerance: &Tolerance,
	model: &crate::inference::CompletionModel,
) -> Result<Verdict, Verdict> {
	let request: CompletionRequest = serde_json::from_slice(&leaf.request)
		.map_err(|e| wrong(format!("the request does not parse: {e}")))?;
	let response: CompletionResponse = serde_json::from_slice(&leaf.response)
		.map_err(|e| wrong(format!("the response does not parse: {e}")))?;
	let prompt = request.prompt.into_vec().pop().unwrap_or_default();
	let prompt = model
		.tokenize(&prompt)
		.map_err(|e| wrong(format!("the prompt cannot have been served: {e}")))?;
	let tokens = &response.aetron.tokens;
	let choice = response.choices.first().ok_or_else(|| wrong("the response has no choice"))?;
	if response.aetron.seed != leaf.artefact.seed {
		return Err(wrong("the response's seed is not the committed one"));
	}
	if prompt.len() != leaf.artefact.input_units as usize
		|| tokens.len() != leaf.artefact.output_units as usize
	{
		return Err(work_mismatch(format!(
			"{} prompt and {} generated tokens, the artefact claims {} and {}",
			prompt.len(),
			tokens.len(),
			leaf.artefact.input_units,
			leaf.artefact.output_units
		)));
	}
	if tokens.is_empty() || tokens.len() > request.max_tokens {
		return Err(wrong("the number of generated tokens is outside 1..=max_tokens"));
	}
	let text =
		model.decode(tokens).map_err(|e| wrong(format!("the tokens do not decode: {e:#}")))?;
	if text != choice.text {
		return Err(wrong("the text is not the decoding of the tokens"));
	}
	let outputs = model
		.prefill(&prompt, tokens)
		.map_err(|e| wrong(format!("the tokens cannot be re-computed: {e:#}")))?;
	let params = SamplingParams {
		temperature: request.temperature,
		top_k: request.top_k,
		top_p: request.top_p,
	};
	let mut draws = Draws::new(response.aetron.seed);
	for (p, (logits, &token)) in outputs.logits.iter().zip(tokens).enumerate() {
		if !consistent(logits, params, draws.next(), token, TOKEN_TOLERANCE) {
			return Err(wrong(format!("token {p} ({token}) is not the model's choice")));
		}
	}
	Ok(out_of_tolerance(claimed, &fingerprint::completion(&outputs.hidden), tolerance)
		.unwrap_or(Verdict::Pass))
}
