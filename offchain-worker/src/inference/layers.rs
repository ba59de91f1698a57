//! The two building blocks both model families share.

use burn::tensor::{
	module::{layer_norm, linear},
	Tensor,
};

use super::{execution::Placement, weights::Weights};

/// An affine map `x · W + b`, with `W` kept `[in, out]` as burn's `linear` wants it.
pub struct Dense {
	pub weight: Tensor<2>,
	pub bias: Tensor<1>,
}

impl Dense {
	pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
		linear(x, self.weight.clone(), Some(self.bias.clone()))
	}
}

/// LayerNorm over the last axis.
pub struct Norm {
	gamma: Tensor<1>,
	beta: Tensor<1>,
	eps: f64,
}

impl Norm {
	/// Loads `{name}.weight` and `{name}.bias`.
	pub fn load(
		w: &Weights,
		name: &str,
		d: usize,
		eps: f64,
		place: &Placement,
	) -> anyhow::Result<Self> {
		Ok(Self {
			gamma: w.tensor(&format!("{name}.weight"), [d], place)?,
			beta: w.tensor(&format!("{name}.bias"), [d], place)?,
			eps,
		})
	}

	pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
		layer_norm(x, self.gamma.clone(), Some(self.beta.clone()), self.eps)
	}
}
