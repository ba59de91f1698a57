//! Weights of `pallet_work`.
//!
//! PROVISIONAL: counted from the storage each operation touches (reads and writes at the
//! runtime's database weights) plus a compute allowance, until `scripts/benchmark.sh` replaces
//! this file with figures measured by `src/benchmarking.rs`. Do not tune by hand: re-run the
//! script.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// The weight of each benchmarked operation of `pallet_work`.
pub trait WeightInfo {
	fn commit_batch(l: u32, ) -> Weight;
	fn commit_verdict() -> Weight;
	fn reveal_verdict(f: u32, k: u32, ) -> Weight;
	fn set_params() -> Weight;
	fn on_initialize_idle() -> Weight;
	fn timer_sample(d: u32, ) -> Weight;
	fn timer_deadline() -> Weight;
	fn timer_idle() -> Weight;
	fn prune_batch() -> Weight;
	fn prune_ledger() -> Weight;
}

/// Weights with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn commit_batch(_l: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(5))
	}
	fn commit_verdict() -> Weight {
		Weight::from_parts(25_000_000, 3_800)
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn reveal_verdict(f: u32, k: u32, ) -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(Weight::from_parts(3_000_000, 0).saturating_mul(f.into()))
			.saturating_add(Weight::from_parts(4_000_000, 2_600).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(6))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(k.into())))
	}
	fn set_params() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(6_000_000, 1_500)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	fn timer_sample(d: u32, ) -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(Weight::from_parts(6_000_000, 2_600).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().reads((5_u64).saturating_mul(d.into())))
			.saturating_add(T::DbWeight::get().writes(36))
	}
	fn timer_deadline() -> Weight {
		Weight::from_parts(120_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(40))
			.saturating_add(T::DbWeight::get().writes(70))
	}
	fn timer_idle() -> Weight {
		Weight::from_parts(5_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn prune_batch() -> Weight {
		Weight::from_parts(20_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(17))
			.saturating_add(T::DbWeight::get().writes(34))
	}
	fn prune_ledger() -> Weight {
		Weight::from_parts(5_000_000, 2_600)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
}

/// The same figures with RocksDB's weights, for mock runtimes.
impl WeightInfo for () {
	fn commit_batch(_l: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads(6))
			.saturating_add(RocksDbWeight::get().writes(5))
	}
	fn commit_verdict() -> Weight {
		Weight::from_parts(25_000_000, 3_800)
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn reveal_verdict(f: u32, k: u32, ) -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(Weight::from_parts(3_000_000, 0).saturating_mul(f.into()))
			.saturating_add(Weight::from_parts(4_000_000, 2_600).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(6))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(k.into())))
	}
	fn set_params() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(6_000_000, 1_500)
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn timer_sample(d: u32, ) -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(Weight::from_parts(6_000_000, 2_600).saturating_mul(d.into()))
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().reads((5_u64).saturating_mul(d.into())))
			.saturating_add(RocksDbWeight::get().writes(36))
	}
	fn timer_deadline() -> Weight {
		Weight::from_parts(120_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(40))
			.saturating_add(RocksDbWeight::get().writes(70))
	}
	fn timer_idle() -> Weight {
		Weight::from_parts(5_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn prune_batch() -> Weight {
		Weight::from_parts(20_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads(17))
			.saturating_add(RocksDbWeight::get().writes(34))
	}
	fn prune_ledger() -> Weight {
		Weight::from_parts(5_000_000, 2_600)
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
}
