//! Weights of the pallet's calls (replaced by the output of the frame-benchmarking benchmarks).

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// The weight of each call and of the trait operations other pallets invoke.
pub trait WeightInfo {
	/// `set_params`.
	fn set_params() -> Weight;
	/// `ReputationUpdate::recheck_passed`.
	fn recheck_passed() -> Weight;
	/// `ReputationUpdate::arbitration_lost`.
	fn arbitration_lost() -> Weight;
}

/// The runtime's weights (same placeholders until the benchmarks generate them).
pub struct SubstrateWeight<T>(core::marker::PhantomData<T>);
impl<T> WeightInfo for SubstrateWeight<T> {
	fn set_params() -> Weight { <() as WeightInfo>::set_params() }
	fn recheck_passed() -> Weight { <() as WeightInfo>::recheck_passed() }
	fn arbitration_lost() -> Weight { <() as WeightInfo>::arbitration_lost() }
}

impl WeightInfo for () {
	fn set_params() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(RocksDbWeight::get().writes(1))
	}
	fn recheck_passed() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(3, 1))
	}
	fn arbitration_lost() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(3, 1))
	}
}
