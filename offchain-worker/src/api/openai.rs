//! The OpenAI request and response bodies this worker speaks.
//!
//! Unknown fields are accepted and ignored, as OpenAI's own server does with fields it does not
//! use; fields whose meaning this worker cannot honour (`stream`, `n > 1`, `stop`, `logprobs`,
//! `echo`) are refused with a named error rather than silently ignored.

// The fields are OpenAI's, named and meant as in its API reference.
#![allow(missing_docs)]

use serde::{Deserialize, Serialize};

/// `POST /v1/embeddings`.
#[derive(Debug, Deserialize)]
pub struct EmbeddingRequest {
	pub model: String,
	pub input: TextInput,
	/// `float` (default) or `base64` (little-endian f32), as the Python client asks by default.
	#[serde(default)]
	pub encoding_format: Option<String>,
	#[serde(default)]
	pub dimensions: Option<usize>,
}

/// One text or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TextInput {
	One(String),
	Many(Vec<String>),
}

impl TextInput {
	pub fn into_vec(self) -> Vec<String> {
		match self {
			TextInput::One(text) => vec![text],
			TextInput::Many(texts) => texts,
		}
	}
}

/// One embedding in a response.
#[derive(Debug, Serialize, Deserialize)]
pub struct EmbeddingData {
	pub object: String,
	pub index: usize,
	/// A list of floats, or a base64 string of little-endian f32.
	pub embedding: serde_json::Value,
}

/// Token counts.
#[derive(Debug, Serialize, Deserialize)]
pub struct Usage {
	pub prompt_tokens: usize,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub completion_tokens: Option<usize>,
	pub total_tokens: usize,
}

/// The `POST /v1/embeddings` response.
#[derive(Debug, Serialize, Deserialize)]
pub struct EmbeddingResponse {
	pub object: String,
	pub data: Vec<EmbeddingData>,
	pub model: String,
	pub usage: Usage,
}

/// `POST /v1/completions`.
#[derive(Debug, Deserialize)]
pub struct CompletionRequest {
	pub model: String,
	pub prompt: TextInput,
	#[serde(default = "default_max_tokens")]
	pub max_tokens: usize,
	#[serde(default = "one")]
	pub temperature: f32,
	#[serde(default = "one")]
	pub top_p: f32,
	/// Not in OpenAI's API; common in compatible servers. 0 keeps all tokens.
	#[serde(default)]
	pub top_k: u32,
	#[serde(default)]
	pub seed: Option<u64>,
	#[serde(default)]
	pub n: Option<u32>,
	#[serde(default)]
	pub stream: Option<bool>,
	#[serde(default)]
	pub stop: Option<serde_json::Value>,
	#[serde(default)]
	pub logprobs: Option<serde_json::Value>,
	#[serde(default)]
	pub echo: Option<bool>,
}

fn default_max_tokens() -> usize {
	16
}

fn one() -> f32 {
	1.0
}

/// One completion choice.
#[derive(Debug, Serialize, Deserialize)]
pub struct CompletionChoice {
	pub text: String,
	pub index: usize,
	pub logprobs: Option<serde_json::Value>,
	pub finish_reason: String,
}

/// What a re-checker needs beyond OpenAI's fields: the generated token ids (text does not
/// always re-tokenize to the same ids) and the seed of the sampler.
#[derive(Debug, Serialize, Deserialize)]
pub struct AetronCompletion {
	pub tokens: Vec<u32>,
	pub seed: u64,
}

/// The `POST /v1/completions` response.
#[derive(Debug, Serialize, Deserialize)]
pub struct CompletionResponse {
	pub id: String,
	pub object: String,
	pub created: u64,
	pub model: String,
	pub system_fingerprint: String,
	pub choices: Vec<CompletionChoice>,
	pub usage: Usage,
	pub aetron: AetronCompletion,
}
