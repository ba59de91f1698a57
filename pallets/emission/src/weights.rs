//! Weights of `pallet_emission`. Placeholder figures until `scripts/benchmark.sh` generates
//! this file from `src/benchmarking.rs`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// The weight of each benchmarked operation of `pallet_emission`.
pub trait WeightInfo {
	fn claim() -> Weight;
	fn set_params() -> Weight;
	fn update_score() -> Weight;
	fn on_initialize_mint() -> Weight;
	fn split_epoch(n: u32, ) -> Weight;
	fn expire_pool() -> Weight;
	fn expire_score() -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn claim() -> Weight { Weight::from_parts(150_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(10, 6)) }
	fn set_params() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().writes(1)) }
	fn update_score() -> Weight { Weight::from_parts(50_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(5, 2)) }
	fn on_initialize_mint() -> Weight { Weight::from_parts(80_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(10, 6)) }
	fn split_epoch(n: u32, ) -> Weight { Weight::from_parts(50_000_000, 8_000).saturating_add(Weight::from_parts(150_000_000, 8_000).saturating_mul(n.into())).saturating_add(T::DbWeight::get().reads_writes(8, 4)).saturating_add(T::DbWeight::get().reads_writes(8, 8).saturating_mul(n.into())) }
	fn expire_pool() -> Weight { Weight::from_parts(60_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(5, 4)) }
	fn expire_score() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1)) }
}

/// The same figures with RocksDB's database weights, for tests and mocks.
impl WeightInfo for () {
	fn claim() -> Weight { Weight::from_parts(150_000_000, 10_000).saturating_add(RocksDbWeight::get().reads_writes(10, 6)) }
	fn set_params() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(RocksDbWeight::get().writes(1)) }
	fn update_score() -> Weight { Weight::from_parts(50_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(5, 2)) }
	fn on_initialize_mint() -> Weight { Weight::from_parts(80_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(10, 6)) }
	fn split_epoch(n: u32, ) -> Weight { Weight::from_parts(50_000_000, 8_000).saturating_add(Weight::from_parts(150_000_000, 8_000).saturating_mul(n.into())).saturating_add(RocksDbWeight::get().reads_writes(8, 4)).saturating_add(RocksDbWeight::get().reads_writes(8, 8).saturating_mul(n.into())) }
	fn expire_pool() -> Weight { Weight::from_parts(60_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(5, 4)) }
	fn expire_score() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(RocksDbWeight::get().writes(1)) }
}
