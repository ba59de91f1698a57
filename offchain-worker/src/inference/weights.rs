//! Reading standard safetensors weight files into burn tensors.
//!
//! The models name their tensors as Hugging Face `transformers` does, so the files that
//! `transformers`, `sentence-transformers` or `safetensors` write load unchanged. Everything is
//! decoded to `f32` on the host (half-precision files widened), then placed on the device in
//! the neuronet's float type and quantization ([`Placement`]).

use std::{collections::HashMap, path::Path};

use anyhow::{anyhow, bail, Context};
use burn::tensor::Tensor;
use safetensors::{Dtype, SafeTensors};

use super::execution::Placement;

/// The tensors of one weight file, decoded to `f32` on the host, ready to be placed on a device.
pub struct Weights {
	tensors: HashMap<String, (Vec<usize>, Vec<f32>)>,
	/// A prefix some exporters put in front of every name (`bert.`, `transformer.`).
	prefix: String,
}

impl Weights {
	/// Reads and decodes `path`.
	pub fn open(path: &Path) -> anyhow::Result<Self> {
		let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
		Self::from_bytes(&bytes).with_context(|| format!("decoding {}", path.display()))
	}

	/// Decodes a safetensors buffer.
	pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Self> {
		let file = SafeTensors::deserialize(bytes)?;
		let mut tensors = HashMap::new();
		for (name, view) in file.tensors() {
			let values =
				decode(view.dtype(), view.data()).with_context(|| format!("tensor `{name}`"))?;
			tensors.insert(name, (view.shape().to_vec(), values));
		}
		Ok(Self { tensors, prefix: String::new() })
	}

	/// Uses `prefix` for every later lookup when the file names its tensors with it.
	pub fn strip_prefix_if_present(&mut self, prefix: &str, probe: &str) {
		if !self.tensors.contains_key(probe)
			&& self.tensors.contains_key(&format!("{prefix}{probe}"))
		{
			self.prefix = prefix.to_string();
		}
	}

	fn raw(&self, name: &str) -> anyhow::Result<&(Vec<usize>, Vec<f32>)> {
		let full = format!("{}{name}", self.prefix);
		self.tensors.get(&full).ok_or_else(|| anyhow!("missing tensor `{full}`"))
	}

	/// Whether the file holds `name`.
	pub fn contains(&self, name: &str) -> bool {
		self.raw(name).is_ok()
	}

	/// A tensor of rank `D` with exactly the `expected` shape, placed as `place` says.
	pub fn tensor<const D: usize>(
		&self,
		name: &str,
		expected: [usize; D],
		place: &Placement,
	) -> anyhow::Result<Tensor<D>> {
		let (shape, values) = self.raw(name)?;
		if shape.as_slice() != expected.as_slice() {
			bail!("tensor `{name}` has shape {shape:?}, the configuration says {expected:?}");
		}
		Ok(place.float(values.clone(), expected))
	}

	/// A PyTorch `nn.Linear` weight, stored `[out, in]`, as the `[in, out]` matrix burn's
	/// `linear` multiplies by (quantized when the neuronet says so). The transpose is done once
	/// here, on the host, so the matrix is contiguous in the layout the matmul reads.
	pub fn linear_weight(
		&self,
		name: &str,
		d_in: usize,
		d_out: usize,
		place: &Placement,
	) -> anyhow::Result<Tensor<2>> {
		let (shape, values) = self.raw(name)?;
		if shape.as_slice() != [d_out, d_in] {
			bail!("tensor `{name}` has shape {shape:?}, expected [{d_out}, {d_in}]");
		}
		let mut transposed = vec![0f32; values.len()];
		for (o, row) in values.chunks_exact(d_in).enumerate() {
			for (i, value) in row.iter().enumerate() {
				transposed[i * d_out + o] = *value;
			}
		}
		place.dense_weight(name, transposed, [d_in, d_out])
	}

	/// A GPT-2 `Conv1D` weight, stored `[in, out]` already (quantized when the neuronet says so).
	pub fn conv1d_weight(
		&self,
		name: &str,
		d_in: usize,
		d_out: usize,
		place: &Placement,
	) -> anyhow::Result<Tensor<2>> {
		let (shape, values) = self.raw(name)?;
		if shape.as_slice() != [d_in, d_out] {
			bail!("tensor `{name}` has shape {shape:?}, expected [{d_in}, {d_out}]");
		}
		place.dense_weight(name, values.clone(), [d_in, d_out])
	}
}

fn decode(dtype: Dtype, data: &[u8]) -> anyhow::Result<Vec<f32>> {
	Ok(match dtype {
		Dtype::F32 => {
			data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
		}
		Dtype::F16 => {
			data.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect()
		}
		Dtype::BF16 => {
			data.chunks_exact(2).map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect()
		}
		// Integer buffers (`position_ids`, GPT-2's causal `attn.bias`) are not weights.
		Dtype::I64 | Dtype::I32 | Dtype::U8 | Dtype::BOOL => Vec::new(),
		other => bail!("unsupported dtype {other:?}"),
	})
}

/// Reads a model directory's `config.json`.
pub fn read_config<T: serde::de::DeserializeOwned>(dir: &Path) -> anyhow::Result<T> {
	let path = dir.join("config.json");
	let text =
		std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
	serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Writes a copy of the model directory `src` to `dst` whose `f32` tensors went through `f`
/// (config and tokenizer copied as they are): the substituted models of the calibration and
/// of the end-to-end tests. Returns `dst`.
pub fn write_variant(
	src: &Path,
	dst: &Path,
	f: impl Fn(&str, &mut [f32]),
) -> anyhow::Result<std::path::PathBuf> {
	use safetensors::tensor::TensorView;
	std::fs::create_dir_all(dst)?;
	for file in std::fs::read_dir(src)? {
		let file = file?;
		if file.file_type()?.is_file() && file.file_name() != "model.safetensors" {
			std::fs::copy(file.path(), dst.join(file.file_name()))?;
		}
	}
	let bytes = std::fs::read(src.join("model.safetensors"))?;
	let tensors = SafeTensors::deserialize(&bytes)?;
	let mut out: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
	for (name, view) in tensors.tensors() {
		if view.dtype() != Dtype::F32 {
			continue;
		}
		let mut values: Vec<f32> = view
			.data()
			.chunks_exact(4)
			.map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
			.collect();
		f(&name, &mut values);
		out.push((
			name,
			view.shape().to_vec(),
			values.iter().flat_map(|v| v.to_le_bytes()).collect(),
		));
	}
	let views = out
		.iter()
		.map(|(n, s, b)| Ok((n.clone(), TensorView::new(Dtype::F32, s.clone(), b)?)))
		.collect::<anyhow::Result<Vec<_>>>()?;
	safetensors::serialize_to_file(views, None, &dst.join("model.safetensors"))?;
	Ok(dst.to_path_buf())
}

/// Rounds every value to the nearest f16.
pub fn f16_round(_: &str, values: &mut [f32]) {
	values.iter_mut().for_each(|v| *v = half::f16::from_f32(*v).to_f32());
}
