//! Weights of the pallet's calls.
//!
//! Placeholders until the frame-benchmarking benchmarks of issue 4 generate this file: each
//! call is charged the reads and writes it makes, with a fixed execution cost. Every call is
//! O(1) in storage accesses.

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// The weight of each call.
pub trait WeightInfo {
	/// `create_neuronet`.
	fn create_neuronet() -> Weight;
	/// `update_neuronet`.
	fn update_neuronet() -> Weight;
	/// `set_status` and `force_set_status`.
	fn set_status() -> Weight;
	/// `register`.
	fn register() -> Weight;
	/// `deregister`.
	fn deregister() -> Weight;
	/// `heartbeat`.
	fn heartbeat() -> Weight;
	/// `set_endpoint`.
	fn set_endpoint() -> Weight;
	/// `register_with_pow`.
	fn register_with_pow() -> Weight;
	/// `submit_reference_checks`.
	fn submit_reference_checks() -> Weight;
	/// `on_initialize` pruning `s` used seals.
	fn on_initialize_prune(s: u32) -> Weight;
}

/// The runtime's weights (same placeholders until the benchmarks generate them).
pub struct SubstrateWeight<T>(core::marker::PhantomData<T>);
impl<T> WeightInfo for SubstrateWeight<T> {
	fn create_neuronet() -> Weight { <() as WeightInfo>::create_neuronet() }
	fn update_neuronet() -> Weight { <() as WeightInfo>::update_neuronet() }
	fn set_status() -> Weight { <() as WeightInfo>::set_status() }
	fn register() -> Weight { <() as WeightInfo>::register() }
	fn deregister() -> Weight { <() as WeightInfo>::deregister() }
	fn heartbeat() -> Weight { <() as WeightInfo>::heartbeat() }
	fn set_endpoint() -> Weight { <() as WeightInfo>::set_endpoint() }
	fn register_with_pow() -> Weight { <() as WeightInfo>::register_with_pow() }
	fn submit_reference_checks() -> Weight { <() as WeightInfo>::submit_reference_checks() }
	fn on_initialize_prune(s: u32) -> Weight { <() as WeightInfo>::on_initialize_prune(s) }
}

const EXECUTION: u64 = 50_000_000;

impl WeightInfo for () {
	fn create_neuronet() -> Weight {
		Weight::from_parts(EXECUTION, 4_000).saturating_add(RocksDbWeight::get().reads_writes(3, 4))
	}
	fn update_neuronet() -> Weight {
		Weight::from_parts(EXECUTION, 2_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn set_status() -> Weight {
		Weight::from_parts(EXECUTION, 3_000).saturating_add(RocksDbWeight::get().reads_writes(2, 2))
	}
	fn register() -> Weight {
		Weight::from_parts(EXECUTION, 6_000).saturating_add(RocksDbWeight::get().reads_writes(6, 7))
	}
	fn deregister() -> Weight {
		Weight::from_parts(EXECUTION, 3_000).saturating_add(RocksDbWeight::get().reads_writes(2, 4))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(EXECUTION, 1_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn set_endpoint() -> Weight {
		Weight::from_parts(EXECUTION, 1_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn register_with_pow() -> Weight {
		Weight::from_parts(EXECUTION, 6_000).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
	}
	fn submit_reference_checks() -> Weight {
		Weight::from_parts(EXECUTION, 8_000).saturating_add(RocksDbWeight::get().reads_writes(2, 1))
	}
	fn on_initialize_prune(s: u32) -> Weight {
		RocksDbWeight::get().reads_writes(1, u64::from(s))
	}
}
