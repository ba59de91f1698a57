//! What this machine can compute with: its GPUs (through wgpu) and its CPU.

use serde::Serialize;

/// One GPU adapter wgpu found.
#[derive(Clone, Debug, Serialize)]
pub struct Gpu {
	/// The adapter's name, e.g. "NVIDIA GeForce RTX 4090" or "llvmpipe (LLVM 15.0.6, 256 bits)".
	pub name: String,
	/// The PCI vendor, by name where known.
	pub vendor: String,
	/// Discrete, integrated, virtual or CPU (software rasterizers such as lavapipe).
	pub kind: String,
	/// The graphics API: Vulkan, Metal, Dx12 or Gl.
	pub backend: String,
	/// The driver and its version.
	pub driver: String,
}

/// The CPU.
#[derive(Clone, Debug, Serialize)]
pub struct Cpu {
	/// The model name the kernel reports.
	pub model: String,
	/// Threads available to this process.
	pub threads: usize,
	/// Physical memory in MiB.
	pub memory_mib: u64,
}

/// The PCI vendor ids of the GPU makers miners use.
pub fn vendor_name(id: u32) -> String {
	match id {
		0x10de => "NVIDIA".into(),
		0x1002 | 0x1022 => "AMD".into(),
		0x8086 => "Intel".into(),
		0x106b => "Apple".into(),
		0x13b5 => "ARM".into(),
		0x5143 => "Qualcomm".into(),
		0x10005 => "Mesa".into(),
		other => format!("{other:#06x}"),
	}
}

/// The GPUs wgpu can reach through the APIs cubecl computes on (Vulkan, Metal, DX12).
#[cfg(feature = "wgpu")]
pub fn gpus() -> Vec<Gpu> {
	use burn::tensor::wgpu::wgpu;
	let instance =
		wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
	let adapters =
		futures_lite::future::block_on(instance.enumerate_adapters(wgpu::Backends::PRIMARY));
	adapters
		.into_iter()
		.map(|adapter| {
			let info = adapter.get_info();
			Gpu {
				name: info.name,
				vendor: vendor_name(info.vendor),
				kind: format!("{:?}", info.device_type),
				backend: format!("{:?}", info.backend),
				driver: format!("{} {}", info.driver, info.driver_info).trim().to_string(),
			}
		})
		.collect()
}

/// Without the `wgpu` feature no GPU can be used, so none is reported.
#[cfg(not(feature = "wgpu"))]
pub fn gpus() -> Vec<Gpu> {
	Vec::new()
}

/// The CPU, from `/proc` on Linux (the model name is "unknown" elsewhere).
pub fn cpu() -> Cpu {
	let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
	let model = cpuinfo
		.lines()
		.find_map(|line| line.strip_prefix("model name").and_then(|rest| rest.split(':').nth(1)))
		.map_or_else(|| "unknown".to_string(), |name| name.trim().to_string());
	let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
	let memory_mib = meminfo
		.lines()
		.find_map(|line| line.strip_prefix("MemTotal:"))
		.and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
		.map_or(0, |kib| kib / 1024);
	Cpu { model, threads: std::thread::available_parallelism().map_or(1, usize::from), memory_mib }
}
