//! Weights of `pallet_arbitration`.
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

/// The weight of each benchmarked operation of `pallet_arbitration`.
pub trait WeightInfo {
	fn open_dispute() -> Weight;
	fn answer(b: u32, ) -> Weight;
	fn commit_vote() -> Weight;
	fn reveal_vote(p: u32, ) -> Weight;
	fn set_params() -> Weight;
	fn on_initialize_idle() -> Weight;
	fn timer_unanswered() -> Weight;
	fn timer_draw(t: u32, ) -> Weight;
	fn timer_decide(p: u32, ) -> Weight;
	fn timer_prune() -> Weight;
	fn timer_idle() -> Weight;
	fn prune_forfeit() -> Weight;
}

/// Weights with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn open_dispute() -> Weight {
		Weight::from_parts(35_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(5))
			.saturating_add(T::DbWeight::get().writes(7))
	}
	fn answer(b: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(b.into()))
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn commit_vote() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn reveal_vote(p: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(3))
			.saturating_add(T::DbWeight::get().reads((4_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(p.into())))
	}
	fn set_params() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(6_000_000, 1_500)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(2))
	}
	fn timer_unanswered() -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	fn timer_draw(t: u32, ) -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(t.into()))
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(3))
			.saturating_add(T::DbWeight::get().reads((4_u64).saturating_mul(t.into())))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(t.into())))
	}
	fn timer_decide(p: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
			.saturating_add(T::DbWeight::get().reads((4_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(p.into())))
	}
	fn timer_prune() -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(18))
	}
	fn timer_idle() -> Weight {
		Weight::from_parts(5_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn prune_forfeit() -> Weight {
		Weight::from_parts(5_000_000, 2_600)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
}

/// The same figures with RocksDB's weights, for mock runtimes.
impl WeightInfo for () {
	fn open_dispute() -> Weight {
		Weight::from_parts(35_000_000, 3_600)
			.saturating_add(RocksDbWeight::get().reads(5))
			.saturating_add(RocksDbWeight::get().writes(7))
	}
	fn answer(b: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(b.into()))
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
	fn commit_vote() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn reveal_vote(p: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(p.into()))
			.saturating_add(RocksDbWeight::get().reads(3))
			.saturating_add(RocksDbWeight::get().writes(3))
			.saturating_add(RocksDbWeight::get().reads((4_u64).saturating_mul(p.into())))
			.saturating_add(RocksDbWeight::get().writes((4_u64).saturating_mul(p.into())))
	}
	fn set_params() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(6_000_000, 1_500)
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(2))
	}
	fn timer_unanswered() -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().writes(8))
	}
	fn timer_draw(t: u32, ) -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(t.into()))
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(3))
			.saturating_add(RocksDbWeight::get().reads((4_u64).saturating_mul(t.into())))
			.saturating_add(RocksDbWeight::get().writes((4_u64).saturating_mul(t.into())))
	}
	fn timer_decide(p: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(p.into()))
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().writes(8))
			.saturating_add(RocksDbWeight::get().reads((4_u64).saturating_mul(p.into())))
			.saturating_add(RocksDbWeight::get().writes((4_u64).saturating_mul(p.into())))
	}
	fn timer_prune() -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(18))
	}
	fn timer_idle() -> Weight {
		Weight::from_parts(5_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn prune_forfeit() -> Weight {
		Weight::from_parts(5_000_000, 2_600)
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
}
