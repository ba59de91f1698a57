//! A mock runtime: System and Reputation, with an epoch clock the tests set.

use crate as pallet_reputation;
use aetron_primitives::traits::{EpochClock, EpochIndex};
use frame_support::derive_impl;
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Reputation: pallet_reputation,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

thread_local! {
	static EPOCH: core::cell::Cell<EpochIndex> = const { core::cell::Cell::new(0) };
}

/// The epoch is whatever [`set_epoch`] last said.
pub struct TestClock;
impl EpochClock for TestClock {
	fn current_epoch() -> EpochIndex {
		EPOCH.with(|e| e.get())
	}
}

/// Moves the epoch clock.
pub fn set_epoch(epoch: EpochIndex) {
	EPOCH.with(|e| e.set(epoch));
}

impl pallet_reputation::Config for Test {
	type GovernanceOrigin = EnsureRoot<u64>;
	type EpochClock = TestClock;
	type WeightInfo = ();
}

/// Runs `test` on genesis with the default parameters, then checks the invariants.
pub fn run(test: impl FnOnce()) {
	let storage = RuntimeGenesisConfig::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	set_epoch(0);
	ext.execute_with(|| {
		System::set_block_number(1);
		test();
		Reputation::do_try_state().unwrap();
	});
}

/// Genesis for the benchmark tests.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	RuntimeGenesisConfig::default().build_storage().unwrap().into()
}
