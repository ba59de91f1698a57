//! Weights of `pallet_restaking`. Placeholder figures until `scripts/benchmark.sh` generates
//! this file from `src/benchmarking.rs`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// The weight of each benchmarked operation of `pallet_restaking`.
pub trait WeightInfo {
	fn stake() -> Weight;
	fn unstake() -> Weight;
	fn withdraw_unbonded() -> Weight;
	fn claim_staking() -> Weight;
	fn restake_rewards() -> Weight;
	fn set_params() -> Weight;
	fn reward_stakers() -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn stake() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(6, 5)) }
	fn unstake() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(4, 3)) }
	fn withdraw_unbonded() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(5, 4)) }
	fn claim_staking() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(5, 4)) }
	fn restake_rewards() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(7, 6)) }
	fn set_params() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().writes(1)) }
	fn reward_stakers() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(3, 3)) }
}

/// The same figures with RocksDB's database weights, for tests and mocks.
impl WeightInfo for () {
	fn stake() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(6, 5)) }
	fn unstake() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(4, 3)) }
	fn withdraw_unbonded() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(5, 4)) }
	fn claim_staking() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(5, 4)) }
	fn restake_rewards() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(7, 6)) }
	fn set_params() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(RocksDbWeight::get().writes(1)) }
	fn reward_stakers() -> Weight { Weight::from_parts(100_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(3, 3)) }
}
