//! Re-checking a leaf another worker served (DESIGN §6).
//!
//! The re-checker fetches the leaf (request, response, artefact, proof), verifies the proof
//! against the batch root it was given (on-chain, in production), checks that the served bytes
//! are the ones the artefact commits to, recomputes the response — by re-embedding, or by one
//! teacher-forced prefill over prompt and claimed tokens — and compares outputs and
//! fingerprints within the tolerances of [`crate::inference::fingerprint`].

use std::fmt;

use aetron_primitives::{
	artefact::ArtefactHeader,
	merkle::{verify_proof, SumNode},
};
use base64::Engine as _;
use codec::Decode;

use crate::{
	api::{openai::*, ArtefactAnswer},
	inference::{
		fingerprint::{self, Fingerprint, Tolerance, MIN_EMBEDDING_COSINE},
		sampling::{consistent, Draws, SamplingParams},
		Model,
	},
};

/// How far a claimed token may be from the re-computed choice: a logit difference (greedy) or
/// a probability mass (sampling). Honest backends differ by far less (docs/measurements.md).
pub const TOKEN_TOLERANCE: f64 = 1e-3;

/// Why a leaf failed its re-check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
	/// The proof does not lead to the root, or the served bytes are not the committed ones.
	BadProof,
	/// The response is not what the model gives for the request.
	WrongOutput,
	/// The fingerprint is further from the re-computed one than honest runs ever are.
	FingerprintOutOfTolerance,
	/// The worker did not serve the leaf.
	Unavailable,
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
}

impl Leaf {
	/// Decodes the artefact endpoint's answer.
	pub fn from_answer(answer: &ArtefactAnswer) -> anyhow::Result<Self> {
		let b64 = base64::engine::general_purpose::STANDARD;
		let artefact = hex::decode(answer.artefact.trim_start_matches("0x"))?;
		Ok(Self {
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

/// Re-checks `leaf` against the batch `root` of `leaf_count` leaves.
pub fn check(leaf: &Leaf, root: &SumNode, leaf_count: u32, model: &Model) -> Verdict {
	let node = leaf.artefact.leaf(leaf.index);
	if let Err(e) = verify_proof(root, leaf_count, leaf.index, &node, &leaf.proof) {
		return fail(FailKind::BadProof, format!("the proof does not reach the root: {e:?}"));
	}
	if sp_crypto_hashing::blake2_256(&leaf.request) != leaf.artefact.input_hash {
		return fail(FailKind::BadProof, "the served request is not the committed one");
	}
	if sp_crypto_hashing::blake2_256(&leaf.response) != leaf.artefact.output_hash {
		return fail(FailKind::BadProof, "the served response is not the committed one");
	}
	let Ok(claimed) = Fingerprint::decode(&mut &leaf.artefact.fingerprint[..]) else {
		return fail(FailKind::WrongOutput, "the fingerprint does not decode");
	};
	let result = match model {
		Model::Embedding(model) => check_embedding(leaf, &claimed, model),
		Model::Completion(model) => check_completion(leaf, &claimed, model),
	};
	result.unwrap_or_else(|verdict| verdict)
}

fn wrong(why: impl Into<String>) -> Verdict {
	fail(FailKind::WrongOutput, why)
}

fn out_of_tolerance(claimed: &Fingerprint, ours: &Fingerprint) -> Option<Verdict> {
	match fingerprint::distance(claimed, ours) {
		Some(d) if d.within(&Tolerance::default()) => None,
		Some(d) => Some(fail(FailKind::FingerprintOutOfTolerance, format!("{d:?}"))),
		None => Some(fail(
			FailKind::FingerprintOutOfTolerance,
			"the fingerprints do not have the same shape",
		)),
	}
}

fn check_embedding(
	leaf: &Leaf,
	claimed: &Fingerprint,
	model: &crate::inference::EmbeddingModel,
) -> Result<Verdict, Verdict> {
	let request: EmbeddingRequest = serde_json::from_slice(&leaf.request)
		.map_err(|e| wrong(format!("the request does not parse: {e}")))?;
	let response: EmbeddingResponse = serde_json::from_slice(&leaf.response)
		.map_err(|e| wrong(format!("the response does not parse: {e}")))?;
	let inputs = request.input.into_vec();
	let batch = inputs
		.iter()
		.map(|text| model.tokenize(text))
		.collect::<Result<Vec<_>, _>>()
		.map_err(|e| wrong(format!("the request cannot have been served: {e}")))?;
	let tokens: usize = batch.iter().map(Vec::len).sum();
	if tokens != leaf.artefact.input_units as usize || response.usage.prompt_tokens != tokens {
		return Err(wrong(format!(
			"{tokens} input tokens, the artefact claims {}",
			leaf.artefact.input_units
		)));
	}
	if response.data.len() != inputs.len() || leaf.artefact.output_units as usize != inputs.len() {
		return Err(wrong("the number of embeddings does not match the inputs"));
	}
	let ours = model
		.embed(&batch)
		.map_err(|e| fail(FailKind::Unavailable, format!("re-computing: {e:#}")))?;
	let mut sum = vec![0f32; ours.first().map_or(0, Vec::len)];
	for (i, (served, recomputed)) in response.data.iter().zip(&ours).enumerate() {
		let served = decode_embedding(&served.embedding)
			.ok_or_else(|| wrong(format!("embedding {i} does not decode")))?;
		let cosine = fingerprint::cosine(&served, recomputed);
		if served.len() != recomputed.len() || cosine < MIN_EMBEDDING_COSINE {
			return Err(wrong(format!(
				"embedding {i}: cosine similarity {cosine:.6} to the re-computed one"
			)));
		}
		for (s, v) in sum.iter_mut().zip(recomputed) {
			*s += v;
		}
	}
	Ok(out_of_tolerance(claimed, &fingerprint::embedding(&sum)).unwrap_or(Verdict::Pass))
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
		return Err(wrong("the token counts are not the committed ones"));
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
	Ok(out_of_tolerance(claimed, &fingerprint::completion(&outputs.hidden))
		.unwrap_or(Verdict::Pass))
}
