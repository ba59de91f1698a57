//! A GPT-2-family causal language model with a key/value cache.
//!
//! Hugging Face's `GPT2LMHeadModel` in inference mode: token + position embeddings, pre-LayerNorm
//! blocks (`ln_1` → attention → residual, `ln_2` → MLP with tanh-GELU → residual), a final
//! `ln_f`, and the head tied to the token embedding. Weights load from safetensors in the usual
//! GPT-2 naming (`wte`, `wpe`, `h.{i}.attn.c_attn`, …, with or without a `transformer.` prefix);
//! GPT-2's `Conv1D` stores weights `[in, out]`, which is the layout burn's `linear` multiplies by.

use std::path::Path;

use anyhow::{bail, Context};
use burn::tensor::{
	activation::gelu_approximate, module::embedding, ops::AttentionModuleOptions, Bool, Device,
	Int, Tensor, TensorData,
};
use serde::Deserialize;

use super::{
	execution::{read_f32, Placement},
	layers::{Dense, Norm},
	weights::{read_config, Weights},
};

/// The fields of `config.json` the model uses (Hugging Face's names and meanings).
#[allow(missing_docs)]
#[derive(Clone, Debug, Deserialize)]
pub struct Gpt2Config {
	pub vocab_size: usize,
	pub n_positions: usize,
	pub n_embd: usize,
	pub n_layer: usize,
	pub n_head: usize,
	#[serde(default = "default_eps")]
	pub layer_norm_epsilon: f64,
	#[serde(default = "default_act")]
	pub activation_function: String,
	#[serde(default)]
	pub eos_token_id: Option<u32>,
}

fn default_eps() -> f64 {
	1e-5
}

fn default_act() -> String {
	"gelu_new".into()
}

struct Block {
	ln_1: Norm,
	c_attn: Dense,
	attn_proj: Dense,
	ln_2: Norm,
	c_fc: Dense,
	mlp_proj: Dense,
}

/// Keys and values of every layer for the tokens seen so far, so each new token costs one
/// position's work instead of the whole sequence's.
pub struct KvCache {
	layers: Vec<Option<(Tensor<4>, Tensor<4>)>>,
	len: usize,
}

impl KvCache {
	/// How many positions the cache holds.
	pub fn len(&self) -> usize {
		self.len
	}

	/// Whether the cache is empty.
	pub fn is_empty(&self) -> bool {
		self.len == 0
	}
}

/// Final hidden states (after `ln_f`) and logits of some positions of one forward call.
pub struct Outputs {
	/// One row of `n_embd` values per requested position.
	pub hidden: Vec<Vec<f32>>,
	/// One row of `vocab_size` logits per requested position.
	pub logits: Vec<Vec<f32>>,
}

/// The model with its weights on one device.
pub struct Gpt2 {
	config: Gpt2Config,
	wte: Tensor<2>,
	/// `wte` transposed once, `[n_embd, vocab]`: the tied head as a contiguous matmul operand.
	head: Tensor<2>,
	wpe: Tensor<2>,
	blocks: Vec<Block>,
	ln_f: Norm,
	place: Placement,
}

impl Gpt2 {
	/// Loads `config.json` and `model.safetensors` from `dir`, placed as `place` says.
	pub fn load(dir: &Path, place: &Placement) -> anyhow::Result<Self> {
		let config: Gpt2Config = read_config(dir)?;
		if config.activation_function != "gelu_new" {
			bail!(
				"unsupported activation_function `{}` (only `gelu_new`)",
				config.activation_function
			);
		}
		if config.n_head == 0 || config.n_embd % config.n_head != 0 {
			bail!("n_embd is not a multiple of n_head");
		}
		let mut w = Weights::open(&dir.join("model.safetensors"))?;
		w.strip_prefix_if_present("transformer.", "wte.weight");
		Self::from_weights(config, &w, place).context("loading the GPT-2 weights")
	}

	fn from_weights(config: Gpt2Config, w: &Weights, place: &Placement) -> anyhow::Result<Self> {
		let (e, eps) = (config.n_embd, config.layer_norm_epsilon);
		let conv1d = |name: &str, d_in: usize, d_out: usize| -> anyhow::Result<Dense> {
			Ok(Dense {
				weight: w.conv1d_weight(&format!("{name}.weight"), d_in, d_out, place)?,
				bias: w.tensor(&format!("{name}.bias"), [d_out], place)?,
			})
		};
		let blocks = (0..config.n_layer)
			.map(|n| {
				let p = format!("h.{n}");
				Ok(Block {
					ln_1: Norm::load(w, &format!("{p}.ln_1"), e, eps, place)?,
					c_attn: conv1d(&format!("{p}.attn.c_attn"), e, 3 * e)?,
					attn_proj: conv1d(&format!("{p}.attn.c_proj"), e, e)?,
					ln_2: Norm::load(w, &format!("{p}.ln_2"), e, eps, place)?,
					c_fc: conv1d(&format!("{p}.mlp.c_fc"), e, 4 * e)?,
					mlp_proj: conv1d(&format!("{p}.mlp.c_proj"), 4 * e, e)?,
				})
			})
			.collect::<anyhow::Result<Vec<_>>>()?;
		let wte: Tensor<2> = w.tensor("wte.weight", [config.vocab_size, e], place)?;
		Ok(Self {
			head: wte.clone().transpose(),
			wte,
			wpe: w.tensor("wpe.weight", [config.n_positions, e], place)?,
			blocks,
			ln_f: Norm::load(w, "ln_f", e, eps, place)?,
			config,
			place: place.clone(),
		})
	}

	/// The configuration the weights were loaded with.
	pub fn config(&self) -> &Gpt2Config {
		&self.config
	}

	/// An empty cache for one sequence.
	pub fn new_cache(&self) -> KvCache {
		KvCache { layers: (0..self.config.n_layer).map(|_| None).collect(), len: 0 }
	}

	/// Runs `tokens` after what `cache` holds, appends them to the cache, and returns the final
	/// hidden states and logits of the positions `from..tokens.len()` of this call.
	pub fn forward(
		&self,
		tokens: &[u32],
		cache: &mut KvCache,
		from: usize,
	) -> anyhow::Result<Outputs> {
		let t = tokens.len();
		let start = cache.len;
		if t == 0 || from >= t {
			bail!("nothing to run");
		}
		if start + t > self.config.n_positions {
			bail!("{} positions exceed the model's {}", start + t, self.config.n_positions);
		}
		self.check_vocabulary(tokens)?;
		let (e, heads) = (self.config.n_embd, self.config.n_head);
		let dev = &self.place.device;
		let ids: Vec<i64> = tokens.iter().map(|&id| i64::from(id)).collect();
		let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [1, t]), dev);
		let positions = self.wpe.clone().slice([start..start + t]).unsqueeze::<3>();
		let mut x = embedding(self.wte.clone(), ids) + positions;

		// Query `i` (absolute position `start + i`) may see keys `0..=start + i`. A prefill into
		// an empty cache is the plain causal case; a single new token sees everything.
		let (mask, is_causal) = match (start, t) {
			(0, _) => (None, true),
			(_, 1) => (None, false),
			_ => (Some(causal_mask(start, t, heads, dev)), false),
		};
		let options = AttentionModuleOptions { scale: None, softcap: None, is_causal };
		for (block, slot) in self.blocks.iter().zip(cache.layers.iter_mut()) {
			let qkv = block.c_attn.forward(block.ln_1.forward(x.clone()));
			let (q, k, v) = append_to_cache(slot, split_heads(&qkv, 0, heads));
			let ctx = self
				.place
				.attention(q, k, v, mask.clone(), options)
				.swap_dims(1, 2)
				.reshape([1, t, e]);
			x = block.attention_out_and_mlp(x, ctx);
		}
		cache.len = start + t;
		self.outputs(self.ln_f.forward(x).reshape([t, e]).slice([from..t]))
	}

	/// One decoding step for several sequences at once: `tokens[b]` follows what `caches[b]`
	/// holds. The dense layers (projections, MLP, head) run once for the whole batch, so their
	/// weights are read once per step instead of once per sequence; attention runs per sequence
	/// over its own cache. Returns one row of hidden state and logits per sequence.
	pub fn forward_step(
		&self,
		tokens: &[u32],
		caches: &mut [&mut KvCache],
	) -> anyhow::Result<Outputs> {
		let b = tokens.len();
		if b == 0 || caches.len() != b {
			bail!("one token per cache, at least one");
		}
		if caches.iter().any(|c| c.len == 0 || c.len >= self.config.n_positions) {
			bail!("a step needs a prefilled cache with room for one more position");
		}
		self.check_vocabulary(tokens)?;
		let (e, heads) = (self.config.n_embd, self.config.n_head);
		let dev = &self.place.device;
		let ids: Vec<i64> = tokens.iter().map(|&id| i64::from(id)).collect();
		let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [b, 1]), dev);
		let positions = Tensor::cat(
			caches.iter().map(|c| self.wpe.clone().slice([c.len..c.len + 1])).collect(),
			0,
		)
		.reshape([b, 1, e]);
		let mut x = embedding(self.wte.clone(), ids) + positions;
		// A single new token sees every key in its cache: no mask.
		let options = AttentionModuleOptions { scale: None, softcap: None, is_causal: false };
		for (layer, block) in self.blocks.iter().enumerate() {
			let qkv = block.c_attn.forward(block.ln_1.forward(x.clone()));
			let mut contexts = Vec::with_capacity(b);
			for (i, cache) in caches.iter_mut().enumerate() {
				let slot = cache
					.layers
					.get_mut(layer)
					.ok_or_else(|| anyhow::anyhow!("a cache of another model"))?;
				let (q, k, v) = append_to_cache(slot, split_heads(&qkv, i, heads));
				contexts.push(self.place.attention(q, k, v, None, options).swap_dims(1, 2));
			}
			let ctx = Tensor::cat(contexts, 0).reshape([b, 1, e]);
			x = block.attention_out_and_mlp(x, ctx);
		}
		for cache in caches.iter_mut() {
			cache.len += 1;
		}
		self.outputs(self.ln_f.forward(x).reshape([b, e]))
	}

	/// Refuses token ids outside the vocabulary.
	fn check_vocabulary(&self, tokens: &[u32]) -> anyhow::Result<()> {
		if tokens.iter().any(|&id| id as usize >= self.config.vocab_size) {
			bail!("a token id is outside the vocabulary");
		}
		Ok(())
	}

	/// The outputs of final hidden states (after `ln_f`), one row a position: the rows and
	/// their logits through the tied head.
	fn outputs(&self, hidden: Tensor<2>) -> anyhow::Result<Outputs> {
		let logits = hidden.clone().matmul(self.head.clone());
		Ok(Outputs {
			hidden: rows(hidden, self.config.n_embd)?,
			logits: rows(logits, self.config.vocab_size)?,
		})
	}
}

impl Block {
	/// The rest of the block after attention: the output projection and the MLP, each with
	/// its residual.
	fn attention_out_and_mlp(&self, x: Tensor<3>, ctx: Tensor<3>) -> Tensor<3> {
		let x = x + self.attn_proj.forward(ctx);
		let inner = gelu_approximate(self.c_fc.forward(self.ln_2.forward(x.clone())));
		x + self.mlp_proj.forward(inner)
	}
}

/// Query, key and value of row `row` of a `[rows, t, 3 · n_embd]` projection, each
/// `[1, heads, t, n_embd / heads]`.
fn split_heads(qkv: &Tensor<3>, row: usize, heads: usize) -> [Tensor<4>; 3] {
	let [_, t, width] = qkv.dims();
	let e = width / 3;
	[0, 1, 2].map(|n| {
		qkv.clone()
			.slice([row..row + 1, 0..t, n * e..(n + 1) * e])
			.reshape([1, t, heads, e / heads])
			.swap_dims(1, 2)
	})
}

/// Appends this call's keys and values to a layer's cache and returns the query with all keys
/// and values seen so far.
fn append_to_cache(
	slot: &mut Option<(Tensor<4>, Tensor<4>)>,
	[q, mut k, mut v]: [Tensor<4>; 3],
) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
	if let Some((past_k, past_v)) = slot.take() {
		k = Tensor::cat(vec![past_k, k], 2);
		v = Tensor::cat(vec![past_v, v], 2);
	}
	*slot = Some((k.clone(), v.clone()));
	(q, k, v)
}

/// `true` where query `i` (at `start + i`) must not see key `j`, broadcast over batch and heads.
fn causal_mask(start: usize, t: usize, heads: usize, device: &Device) -> Tensor<4, Bool> {
	let total = start + t;
	let mask: Vec<bool> = (0..t).flat_map(|i| (0..total).map(move |j| j > start + i)).collect();
	Tensor::<2, Bool>::from_data(TensorData::new(mask, [t, total]), device)
		.reshape([1, 1, t, total])
		.expand([1, heads, t, total])
}

fn rows(tensor: Tensor<2>, width: usize) -> anyhow::Result<Vec<Vec<f32>>> {
	let values = read_f32(tensor)?;
	Ok(values.chunks_exact(width).map(<[f32]>::to_vec).collect())
}
