//! The compute backends a model can run on.
//!
//! - `cpu`: burn-flex, multi-threaded through rayon; the default for serving.
//! - `reference`: burn-ndarray built without its `multi-threads` feature, so every reduction
//!   runs in one fixed order on one thread. The same input gives a bit-identical output on every
//!   run and thread count; arbiters use it so that their votes can be compared exactly.
//! - `wgpu` (feature `wgpu`): GPUs through Vulkan, Metal or DX12, including Mesa's lavapipe.

use std::fmt;

use anyhow::bail;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// Which backend runs a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
	/// Multi-threaded CPU (burn-flex).
	Cpu,
	/// Single-threaded, fixed-order CPU (burn-ndarray) for bit-identical results.
	Reference,
	/// A GPU through wgpu (needs the `wgpu` feature and an adapter).
	Wgpu,
}

impl BackendKind {
	/// The burn device of this backend.
	pub fn device(self) -> anyhow::Result<Device> {
		match self {
			BackendKind::Cpu => Ok(Device::flex()),
			// burn 0.22 deprecates burn-ndarray in favour of flex; it stays the reference until
			// flex can be built single-threaded beside a multi-threaded flex (docs/decisions.md).
			#[allow(deprecated)]
			BackendKind::Reference => Ok(Device::ndarray()),
			BackendKind::Wgpu => wgpu_device(),
		}
	}
}

impl fmt::Display for BackendKind {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self {
			BackendKind::Cpu => "cpu",
			BackendKind::Reference => "reference",
			BackendKind::Wgpu => "wgpu",
		})
	}
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> anyhow::Result<Device> {
	if crate::hardware::gpus().is_empty() {
		bail!("no wgpu adapter found (run `aetron-worker hardware`)");
	}
	Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice))
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_device() -> anyhow::Result<Device> {
	bail!("this aetron-worker was built without the `wgpu` feature")
}
