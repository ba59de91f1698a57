//! How a neuronet's model runs (DESIGN §16): the floating-point type its weights are held and
//! computed in, the quantization of its dense weights, and its attention kernel. The chain's
//! [`Execution`] names them; a [`Placement`] carries them with the device into the model code,
//! so that every tensor a model creates is made the way the neuronet says.
//!
//! A backend either honours a parameter set natively or the worker refuses it by name
//! ([`Unsupported`]); it never silently runs something else. The one exception is the
//! reference backend of arbiters and owners ([`Placement::reference`]): burn-ndarray has no
//! half-precision arithmetic, so for f16 and bf16 neuronets it runs the same rounded weights
//! (and the same quantized ones) with f32 arithmetic. That keeps votes bit-identical across
//! machines; the neuronet's tolerance, calibrated per parameter set (docs/measurements.md),
//! covers what half-precision arithmetic adds on top.

use std::{fmt, str::FromStr};

use burn::tensor::{
	module::{attention, attention_fallback},
	ops::AttentionModuleOptions,
	quantization::{QuantScheme, QuantStore, QuantValue, ScaleDtype},
	Bool, DType as BurnDType, Device, FloatDType, Tensor, TensorData,
};
pub use pallet_neuronets::{Attention, DType, Execution, Quantization};

use super::BackendKind;

/// Why a backend cannot run a model as a neuronet's execution parameters say.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unsupported {
	/// The backend has no arithmetic in this floating-point type.
	#[error("the {backend} backend cannot compute in {dtype}")]
	DType {
		/// The backend.
		backend: BackendKind,
		/// What the neuronet asks for.
		dtype: Name<DType>,
	},
	/// The backend cannot hold weights quantized this way.
	#[error("the {backend} backend cannot hold {quantization} weights")]
	Quantization {
		/// The backend.
		backend: BackendKind,
		/// What the neuronet asks for.
		quantization: Name<Quantization>,
	},
	/// burn describes a block by a byte per dimension.
	#[error("{quantization}: burn quantizes in blocks of at most 255 values")]
	BlockTooLarge {
		/// What the neuronet asks for.
		quantization: Name<Quantization>,
	},
	/// A weight matrix's rows do not split into whole blocks.
	#[error("{quantization}: `{tensor}` has rows of {width} values, not a multiple of the block")]
	BlockDoesNotDivide {
		/// What the neuronet asks for.
		quantization: Name<Quantization>,
		/// The weight.
		tensor: String,
		/// Its row length.
		width: usize,
	},
}

/// Where and how a model's tensors live: the device, the float type, the quantization of the
/// dense weights and the attention kernel.
#[derive(Clone, Debug)]
pub struct Placement {
	/// The device every tensor is on.
	pub device: Device,
	/// The parameters this placement honours.
	pub execution: Execution,
	/// The float type tensors are held in on the device.
	float: FloatDType,
	/// Reduced precision emulated: values rounded to the neuronet's dtype on the host, held
	/// and computed in f32 (the reference backend only).
	rounding: Option<DType>,
	/// How dense weights are quantized, if they are.
	scheme: Option<QuantScheme>,
}

impl Placement {
	/// Runs `execution` natively on `backend`, or says by name why it cannot.
	pub fn new(backend: BackendKind, execution: &Execution) -> anyhow::Result<Self> {
		let device = backend.device()?;
		let float = float_dtype(execution.dtype);
		if !device.supports_dtype(float) {
			return Err(Unsupported::DType { backend, dtype: Name(execution.dtype) }.into());
		}
		let scheme = Self::scheme_on(backend, &device, execution)?;
		Ok(Self { device, execution: *execution, float, rounding: None, scheme })
	}

	/// The reference backend for `execution`: natively where burn-ndarray can, with f16 and
	/// bf16 emulated by rounding (see the module's doc).
	pub fn reference(execution: &Execution) -> anyhow::Result<Self> {
		let backend = BackendKind::Reference;
		let device = backend.device()?;
		let scheme = Self::scheme_on(backend, &device, execution)?;
		let rounding = (execution.dtype != DType::F32).then_some(execution.dtype);
		Ok(Self { device, execution: *execution, float: FloatDType::F32, rounding, scheme })
	}

	/// f32, unquantized, fused attention on `device`: what every model ran before execution
	/// parameters existed, for tools and tests that serve no neuronet.
	pub fn plain(device: Device) -> Self {
		Self {
			device,
			execution: Execution::default(),
			float: FloatDType::F32,
			rounding: None,
			scheme: None,
		}
	}

	fn scheme_on(
		backend: BackendKind,
		device: &Device,
		execution: &Execution,
	) -> anyhow::Result<Option<QuantScheme>> {
		let quantization = execution.quantization;
		let int8 =
			QuantScheme::default().with_value(QuantValue::Q8S).with_store(QuantStore::Native);
		let scheme = match quantization {
			Quantization::None => return Ok(None),
			Quantization::Int8PerTensor => int8.per_tensor(ScaleDtype::F32),
			Quantization::Int8PerBlock { block } => {
				let block = u8::try_from(block)
					.map_err(|_| Unsupported::BlockTooLarge { quantization: Name(quantization) })?;
				int8.per_block([block], ScaleDtype::F32)
			}
		};
		// The matmul reads a quantized weight as it is stored: storage is what it needs.
		let usage = <burn_dispatch::Dispatch as burn_backend::Backend>::dtype_usage(
			device.as_dispatch(),
			BurnDType::QFloat(scheme),
		);
		if !usage.contains(burn_backend::DTypeUsage::Storage) {
			return Err(
				Unsupported::Quantization { backend, quantization: Name(quantization) }.into()
			);
		}
		Ok(Some(scheme))
	}

	/// A float tensor of `values` (row-major, `shape`) in this placement's float type.
	pub fn float<const D: usize>(&self, mut values: Vec<f32>, shape: [usize; D]) -> Tensor<D> {
		if let Some(dtype) = self.rounding {
			round_to(dtype, &mut values);
		}
		let tensor = Tensor::from_data(TensorData::new(values, shape), &self.device);
		if self.float == FloatDType::F32 {
			tensor
		} else {
			tensor.cast(self.float)
		}
	}

	/// A dense layer's `[in, out]` weight matrix `name`: in the float type, then quantized
	/// (blocks run along the rows) when the neuronet says so.
	pub fn dense_weight(
		&self,
		name: &str,
		values: Vec<f32>,
		shape: [usize; 2],
	) -> anyhow::Result<Tensor<2>> {
		let weight = self.float(values, shape);
		let Some(scheme) = &self.scheme else {
			return Ok(weight);
		};
		if let Quantization::Int8PerBlock { block } = self.execution.quantization {
			if shape[1] % usize::from(block) != 0 {
				return Err(Unsupported::BlockDoesNotDivide {
					quantization: Name(self.execution.quantization),
					tensor: name.to_string(),
					width: shape[1],
				}
				.into());
			}
		}
		Ok(weight.quantize_dynamic(scheme))
	}

	/// Scaled dot-product attention with the neuronet's kernel.
	pub fn attention(
		&self,
		q: Tensor<4>,
		k: Tensor<4>,
		v: Tensor<4>,
		mask: Option<Tensor<4, Bool>>,
		options: AttentionModuleOptions,
	) -> Tensor<4> {
		match self.execution.attention {
			Attention::Fused => attention(q, k, v, mask, None, options),
			Attention::Plain => attention_fallback(q, k, v, mask, None, options),
		}
	}
}

/// Whether `execution` computes as every neuronet did before execution parameters existed:
/// f32 with unquantized weights (either attention kernel). Tolerances are tightest there.
pub fn is_full_precision(execution: &Execution) -> bool {
	execution.dtype == DType::F32 && execution.quantization == Quantization::None
}

/// A tensor's values as f32, whatever float type it is held in.
pub fn read_f32<const D: usize>(tensor: Tensor<D>) -> anyhow::Result<Vec<f32>> {
	tensor
		.cast(FloatDType::F32)
		.into_data()
		.try_into_vec()
		.map_err(|e| anyhow::anyhow!("reading a tensor back: {e:?}"))
}

fn float_dtype(dtype: DType) -> FloatDType {
	match dtype {
		DType::F32 => FloatDType::F32,
		DType::F16 => FloatDType::F16,
		DType::BF16 => FloatDType::BF16,
	}
}

fn round_to(dtype: DType, values: &mut [f32]) {
	match dtype {
		DType::F32 => {}
		DType::F16 => values.iter_mut().for_each(|v| *v = half::f16::from_f32(*v).to_f32()),
		DType::BF16 => values.iter_mut().for_each(|v| *v = half::bf16::from_f32(*v).to_f32()),
	}
}

/// An execution parameter by its written name: the one spelling spec files, flags, tables and
/// errors use (`f16`, `int8-per-block-32`, `plain`, and `f32/none/fused` for a whole set).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name<T>(pub T);

impl fmt::Display for Name<DType> {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self.0 {
			DType::F32 => "f32",
			DType::F16 => "f16",
			DType::BF16 => "bf16",
		})
	}
}

impl fmt::Display for Name<Quantization> {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self.0 {
			Quantization::None => f.write_str("none"),
			Quantization::Int8PerTensor => f.write_str("int8-per-tensor"),
			Quantization::Int8PerBlock { block } => write!(f, "int8-per-block-{block}"),
		}
	}
}

impl fmt::Display for Name<Attention> {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self.0 {
			Attention::Fused => "fused",
			Attention::Plain => "plain",
		})
	}
}

impl fmt::Display for Name<Execution> {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		let x = self.0;
		write!(f, "{}/{}/{}", Name(x.dtype), Name(x.quantization), Name(x.attention))
	}
}

impl FromStr for Name<DType> {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, String> {
		Ok(Name(match s {
			"f32" => DType::F32,
			"f16" => DType::F16,
			"bf16" => DType::BF16,
			_ => return Err(format!("unknown dtype `{s}` (f32, f16 or bf16)")),
		}))
	}
}

impl FromStr for Name<Quantization> {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, String> {
		let quantization = match s {
			"none" => Quantization::None,
			"int8-per-tensor" => Quantization::Int8PerTensor,
			_ => match s.strip_prefix("int8-per-block-").map(str::parse::<u16>) {
				Some(Ok(block)) => Quantization::Int8PerBlock { block },
				_ => {
					return Err(format!(
						"unknown quantization `{s}` (none, int8-per-tensor or int8-per-block-N)"
					))
				}
			},
		};
		if !quantization.is_valid() {
			return Err(format!(
				"`{s}`: a block is a power of two from {} to {}",
				pallet_neuronets::MIN_QUANT_BLOCK,
				pallet_neuronets::MAX_QUANT_BLOCK
			));
		}
		Ok(Name(quantization))
	}
}

impl FromStr for Name<Attention> {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, String> {
		Ok(Name(match s {
			"fused" => Attention::Fused,
			"plain" => Attention::Plain,
			_ => return Err(format!("unknown attention `{s}` (fused or plain)")),
		}))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn names_round_trip_and_bad_ones_are_refused() {
		for dtype in [DType::F32, DType::F16, DType::BF16] {
			assert_eq!(Name(dtype).to_string().parse::<Name<DType>>(), Ok(Name(dtype)));
		}
		for q in [
			Quantization::None,
			Quantization::Int8PerTensor,
			Quantization::Int8PerBlock { block: 32 },
		] {
			assert_eq!(Name(q).to_string().parse::<Name<Quantization>>(), Ok(Name(q)));
		}
		for a in [Attention::Fused, Attention::Plain] {
			assert_eq!(Name(a).to_string().parse::<Name<Attention>>(), Ok(Name(a)));
		}
		assert_eq!(Name(Execution::default()).to_string(), "f32/none/fused");
		assert!("f8".parse::<Name<DType>>().is_err());
		assert!("int4".parse::<Name<Quantization>>().is_err());
		assert!("int8-per-block-48"
			.parse::<Name<Quantization>>()
			.unwrap_err()
			.contains("power of two"));
		assert!("flash".parse::<Name<Attention>>().is_err());
	}

	#[test]
	fn the_reference_backend_refuses_nothing_and_rounds_half_precision() {
		let f16 = Execution { dtype: DType::F16, ..Execution::default() };
		let place = Placement::reference(&f16).unwrap();
		let t = place.float(vec![1.0 + 1e-4, 3.0], [2]);
		assert_eq!(read_f32(t).unwrap(), vec![1.0, 3.0], "1 + 1e-4 is 1 in f16");
		let err = Placement::new(BackendKind::Reference, &f16).unwrap_err();
		assert_eq!(err.to_string(), "the reference backend cannot compute in f16");
	}
}
