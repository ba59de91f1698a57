//! Small GPT-2 models with seeded random weights, written in the standard layout.
//!
//! No pretrained GPT-2 weights are at hand, so tests and benchmarks write a model directory
//! (`config.json`, `model.safetensors`, `tokenizer.json`) and load it like any other model.
//! The weights come from a tiny portable generator (SplitMix64 seeded per tensor with
//! BLAKE2b-256 of the seed and the tensor's name), which `scripts/reference/gpt2.py` repeats in
//! numpy to compute reference logits with `transformers`' own GPT-2.

use std::{collections::BTreeMap, path::Path};

use anyhow::Context;
use safetensors::{tensor::TensorView, Dtype};
use serde_json::json;

/// The shape of a random model.
#[derive(Clone, Copy, Debug)]
pub struct RandomGpt2 {
	/// Width.
	pub n_embd: usize,
	/// Blocks.
	pub n_layer: usize,
	/// Attention heads.
	pub n_head: usize,
	/// Context length.
	pub n_positions: usize,
	/// The seed every weight derives from.
	pub seed: u64,
}

/// The vocabulary: the 256 bytes (id = byte value) and `<|endoftext|>`.
pub const VOCAB_SIZE: usize = 257;
/// The id of `<|endoftext|>`.
pub const EOS: u32 = 256;

impl RandomGpt2 {
	/// The model the tests use: 2 layers, 64 wide, 4 heads, 128 positions.
	pub fn tiny(seed: u64) -> Self {
		Self { n_embd: 64, n_layer: 2, n_head: 4, n_positions: 128, seed }
	}

	/// A larger model for benchmarks: 4 layers, 256 wide, 8 heads, 512 positions.
	pub fn small(seed: u64) -> Self {
		Self { n_embd: 256, n_layer: 4, n_head: 8, n_positions: 512, seed }
	}

	/// GPT-2 base's shape (12 layers, 768 wide, 12 heads, 1024 positions; 85 M parameters
	/// besides the byte vocabulary), for benchmarks where the model's size matters.
	pub fn base(seed: u64) -> Self {
		Self { n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, seed }
	}

	/// Every tensor's name, shape and scale, in a fixed order.
	fn tensors(&self) -> Vec<(String, Vec<usize>, Init)> {
		let e = self.n_embd;
		let mut out = vec![
			("wte.weight".to_string(), vec![VOCAB_SIZE, e], Init::Uniform(0.5)),
			("wpe.weight".to_string(), vec![self.n_positions, e], Init::Uniform(1.0)),
		];
		for n in 0..self.n_layer {
			let p = format!("h.{n}");
			for (name, shape, init) in [
				("ln_1.weight", vec![e], Init::One),
				("ln_1.bias", vec![e], Init::Uniform(0.02)),
				("attn.c_attn.weight", vec![e, 3 * e], Init::Uniform(0.5)),
				("attn.c_attn.bias", vec![3 * e], Init::Uniform(0.02)),
				("attn.c_proj.weight", vec![e, e], Init::Uniform(0.2)),
				("attn.c_proj.bias", vec![e], Init::Uniform(0.02)),
				("ln_2.weight", vec![e], Init::One),
				("ln_2.bias", vec![e], Init::Uniform(0.02)),
				("mlp.c_fc.weight", vec![e, 4 * e], Init::Uniform(0.3)),
				("mlp.c_fc.bias", vec![4 * e], Init::Uniform(0.02)),
				("mlp.c_proj.weight", vec![4 * e, e], Init::Uniform(0.1)),
				("mlp.c_proj.bias", vec![e], Init::Uniform(0.02)),
			] {
				out.push((format!("{p}.{name}"), shape, init));
			}
		}
		out.push(("ln_f.weight".to_string(), vec![e], Init::One));
		out.push(("ln_f.bias".to_string(), vec![e], Init::Uniform(0.02)));
		out
	}

	/// The values of one tensor.
	pub fn values(&self, name: &str, len: usize, init: Init) -> Vec<f32> {
		let mut state = tensor_seed(self.seed, name);
		(0..len)
			.map(|_| {
				// 24 random bits → u in [-1, 1), exactly representable in f32.
				let u = (splitmix64(&mut state) >> 40) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0;
				match init {
					Init::Uniform(scale) => u * scale,
					Init::One => 1.0 + u * 0.1,
				}
			})
			.collect()
	}

	/// Writes `config.json`, `model.safetensors` and `tokenizer.json` into `dir`.
	pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
		std::fs::create_dir_all(dir)?;
		let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = self
			.tensors()
			.into_iter()
			.map(|(name, shape, init)| {
				let len = shape.iter().product();
				let bytes =
					self.values(&name, len, init).iter().flat_map(|v| v.to_le_bytes()).collect();
				(name, shape, bytes)
			})
			.collect();
		let views = tensors
			.iter()
			.map(|(name, shape, bytes)| {
				Ok((name.clone(), TensorView::new(Dtype::F32, shape.clone(), bytes)?))
			})
			.collect::<anyhow::Result<Vec<_>>>()?;
		safetensors::serialize_to_file(views, None, &dir.join("model.safetensors"))
			.context("writing model.safetensors")?;
		let config = json!({
			"architectures": ["GPT2LMHeadModel"],
			"model_type": "gpt2",
			"vocab_size": VOCAB_SIZE,
			"n_positions": self.n_positions,
			"n_ctx": self.n_positions,
			"n_embd": self.n_embd,
			"n_layer": self.n_layer,
			"n_head": self.n_head,
			"activation_function": "gelu_new",
			"layer_norm_epsilon": 1e-5,
			"bos_token_id": EOS,
			"eos_token_id": EOS,
			"tie_word_embeddings": true,
		});
		std::fs::write(dir.join("config.json"), serde_json::to_vec_pretty(&config)?)?;
		std::fs::write(
			dir.join("tokenizer.json"),
			serde_json::to_vec_pretty(&byte_level_tokenizer())?,
		)?;
		Ok(())
	}
}

/// How a tensor's values are drawn.
#[derive(Clone, Copy, Debug)]
pub enum Init {
	/// Uniform in `[-scale, scale)`.
	Uniform(f32),
	/// `1 + 0.1·u`: LayerNorm gains.
	One,
}

fn tensor_seed(seed: u64, name: &str) -> u64 {
	let hash = blake2b_simd::Params::new()
		.hash_length(32)
		.to_state()
		.update(&seed.to_le_bytes())
		.update(name.as_bytes())
		.finalize();
	let mut first = [0u8; 8];
	first.copy_from_slice(&hash.as_bytes()[..8]);
	u64::from_le_bytes(first)
}

fn splitmix64(state: &mut u64) -> u64 {
	*state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
	let mut z = *state;
	z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
	z ^ (z >> 31)
}

/// GPT-2's byte-to-character table: printable bytes map to themselves, the rest to `U+0100…`.
fn byte_chars() -> Vec<char> {
	let printable = |b: u32| {
		(0x21..=0x7E).contains(&b) || (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b)
	};
	let mut next = 0x100;
	(0u32..256)
		.map(|b| {
			if printable(b) {
				char::from_u32(b).unwrap_or('?')
			} else {
				let c = char::from_u32(next).unwrap_or('?');
				next += 1;
				c
			}
		})
		.collect()
}

/// A byte-level BPE tokenizer without merges: every byte is one token, so token ids are the
/// UTF-8 bytes of the text.
fn byte_level_tokenizer() -> serde_json::Value {
	let vocab: BTreeMap<String, u32> =
		byte_chars().into_iter().enumerate().map(|(b, c)| (c.to_string(), b as u32)).collect();
	let byte_level = json!({ "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true });
	json!({
		"version": "1.0",
		"truncation": null,
		"padding": null,
		"added_tokens": [{
			"id": EOS, "content": "<|endoftext|>", "single_word": false, "lstrip": false,
			"rstrip": false, "normalized": false, "special": true
		}],
		"normalizer": null,
		"pre_tokenizer": byte_level,
		"post_processor": byte_level,
		"decoder": byte_level,
		"model": {
			"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
			"end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
			"vocab": vocab, "merges": []
		}
	})
}
