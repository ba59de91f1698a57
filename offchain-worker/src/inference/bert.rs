//! A BERT-family sentence encoder (all-MiniLM-L6-v2 and its relatives).
//!
//! The forward pass is Hugging Face's `BertModel` in inference mode: word + position + token-type
//! embeddings, LayerNorm, then post-LayerNorm encoder layers with exact (erf) GELU. The sentence
//! embedding is what sentence-transformers' `Pooling(mean)` + `Normalize` produce: the mean of the
//! token states over the attention mask, divided by its L2 norm.

use std::path::Path;

use anyhow::{bail, Context};
use burn::tensor::{
	module::embedding, ops::AttentionModuleOptions, FloatDType, Int, Tensor, TensorData,
};
use serde::Deserialize;

use super::{
	execution::{read_f32, Placement},
	gelu::gelu_exact,
	layers::{Dense, Norm},
	weights::{read_config, Weights},
};

/// The fields of `config.json` the encoder uses (Hugging Face's names and meanings).
#[allow(missing_docs)]
#[derive(Clone, Debug, Deserialize)]
pub struct BertConfig {
	pub vocab_size: usize,
	pub hidden_size: usize,
	pub num_hidden_layers: usize,
	pub num_attention_heads: usize,
	pub intermediate_size: usize,
	pub max_position_embeddings: usize,
	pub type_vocab_size: usize,
	pub layer_norm_eps: f64,
	#[serde(default = "default_act")]
	pub hidden_act: String,
}

fn default_act() -> String {
	"gelu".into()
}

/// A PyTorch `nn.Linear` (weights stored `[out, in]`).
fn dense(
	w: &Weights,
	name: &str,
	d_in: usize,
	d_out: usize,
	place: &Placement,
) -> anyhow::Result<Dense> {
	Ok(Dense {
		weight: w.linear_weight(&format!("{name}.weight"), d_in, d_out, place)?,
		bias: w.tensor(&format!("{name}.bias"), [d_out], place)?,
	})
}

struct Layer {
	query: Dense,
	key: Dense,
	value: Dense,
	attn_out: Dense,
	attn_norm: Norm,
	intermediate: Dense,
	output: Dense,
	out_norm: Norm,
}

/// The encoder with its weights on one device.
pub struct BertEncoder {
	config: BertConfig,
	word: Tensor<2>,
	position: Tensor<2>,
	token_type: Tensor<2>,
	embed_norm: Norm,
	layers: Vec<Layer>,
	place: Placement,
}

impl BertEncoder {
	/// Loads `config.json` and `model.safetensors` from `dir`, placed as `place` says.
	pub fn load(dir: &Path, place: &Placement) -> anyhow::Result<Self> {
		let config: BertConfig = read_config(dir)?;
		if config.hidden_act != "gelu" {
			bail!("unsupported hidden_act `{}` (only `gelu`)", config.hidden_act);
		}
		if config.num_attention_heads == 0 || config.hidden_size % config.num_attention_heads != 0 {
			bail!("hidden_size is not a multiple of num_attention_heads");
		}
		let mut w = Weights::open(&dir.join("model.safetensors"))?;
		w.strip_prefix_if_present("bert.", "embeddings.word_embeddings.weight");
		Self::from_weights(config, &w, place).context("loading the BERT weights")
	}

	fn from_weights(config: BertConfig, w: &Weights, place: &Placement) -> anyhow::Result<Self> {
		let (h, i, eps) = (config.hidden_size, config.intermediate_size, config.layer_norm_eps);
		let layers = (0..config.num_hidden_layers)
			.map(|n| {
				let p = format!("encoder.layer.{n}");
				Ok(Layer {
					query: dense(w, &format!("{p}.attention.self.query"), h, h, place)?,
					key: dense(w, &format!("{p}.attention.self.key"), h, h, place)?,
					value: dense(w, &format!("{p}.attention.self.value"), h, h, place)?,
					attn_out: dense(w, &format!("{p}.attention.output.dense"), h, h, place)?,
					attn_norm: Norm::load(
						w,
						&format!("{p}.attention.output.LayerNorm"),
						h,
						eps,
						place,
					)?,
					intermediate: dense(w, &format!("{p}.intermediate.dense"), h, i, place)?,
					output: dense(w, &format!("{p}.output.dense"), i, h, place)?,
					out_norm: Norm::load(w, &format!("{p}.output.LayerNorm"), h, eps, place)?,
				})
			})
			.collect::<anyhow::Result<Vec<_>>>()?;
		Ok(Self {
			word: w.tensor("embeddings.word_embeddings.weight", [config.vocab_size, h], place)?,
			position: w.tensor(
				"embeddings.position_embeddings.weight",
				[config.max_position_embeddings, h],
				place,
			)?,
			token_type: w.tensor(
				"embeddings.token_type_embeddings.weight",
				[config.type_vocab_size, h],
				place,
			)?,
			embed_norm: Norm::load(w, "embeddings.LayerNorm", h, eps, place)?,
			layers,
			config,
			place: place.clone(),
		})
	}

	/// The configuration the weights were loaded with.
	pub fn config(&self) -> &BertConfig {
		&self.config
	}

	/// Sentence embeddings (mean-pooled, L2-normalised) of a batch of token sequences, each
	/// at most `max_position_embeddings` long. Shorter sequences are padded and masked.
	pub fn embed(&self, batch: &[Vec<u32>]) -> anyhow::Result<Vec<Vec<f32>>> {
		let b = batch.len();
		let t = batch.iter().map(Vec::len).max().unwrap_or(0);
		if b == 0 || t == 0 {
			return Ok(Vec::new());
		}
		if t > self.config.max_position_embeddings {
			bail!(
				"a sequence of {t} tokens exceeds the model's {}",
				self.config.max_position_embeddings
			);
		}
		let (h, heads) = (self.config.hidden_size, self.config.num_attention_heads);
		let d = h / heads;
		let mut ids = Vec::with_capacity(b * t);
		let mut keep = Vec::with_capacity(b * t);
		for seq in batch {
			for p in 0..t {
				ids.push(seq.get(p).map_or(0, |&id| i64::from(id)));
				keep.push(if p < seq.len() { 1f32 } else { 0f32 });
			}
		}
		if ids.iter().any(|&id| id as usize >= self.config.vocab_size) {
			bail!("a token id is outside the vocabulary");
		}
		let dev = &self.place.device;
		let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [b, t]), dev);
		// The mask stays f32: pooling runs in f32 whatever the model computes in.
		let keep = Tensor::<2>::from_data(TensorData::new(keep, [b, t]), dev);
		let positions = self.position.clone().slice([0..t]).unsqueeze::<3>();
		// Token type 0 everywhere: sentence-transformers encodes single sentences.
		let token_type = self.token_type.clone().slice([0..1]).unsqueeze::<3>();
		let mut x =
			self.embed_norm.forward(embedding(self.word.clone(), ids) + positions + token_type);

		// Padding keys are masked out of every query's attention.
		let pad = keep.clone().equal_elem(0.0).reshape([b, 1, 1, t]).expand([b, heads, t, t]);
		let options = AttentionModuleOptions { scale: None, softcap: None, is_causal: false };
		for layer in &self.layers {
			let split = |y: Tensor<3>| y.reshape([b, t, heads, d]).swap_dims(1, 2);
			let q = split(layer.query.forward(x.clone()));
			let k = split(layer.key.forward(x.clone()));
			let v = split(layer.value.forward(x.clone()));
			let ctx = self
				.place
				.attention(q, k, v, Some(pad.clone()), options)
				.swap_dims(1, 2)
				.reshape([b, t, h]);
			x = layer.attn_norm.forward(layer.attn_out.forward(ctx) + x);
			let inner = gelu_exact(layer.intermediate.forward(x.clone()));
			x = layer.out_norm.forward(layer.output.forward(inner) + x);
		}

		let x = x.cast(FloatDType::F32);
		let mask = keep.unsqueeze_dim::<3>(2);
		let summed = (x * mask.clone()).sum_dim(1).reshape([b, h]);
		let counts = mask.sum_dim(1).reshape([b, 1]).clamp_min(1e-9);
		let mean = summed / counts;
		let norm = mean.clone().powf_scalar(2.0).sum_dim(1).sqrt().clamp_min(1e-12);
		let pooled = mean / norm;
		let values = read_f32(pooled)?;
		Ok(values.chunks_exact(h).map(<[f32]>::to_vec).collect())
	}
}
