//! A mock runtime: System, Balances and Restaking, with neuronets opened and closed by a
//! thread-local set the tests change.

use crate as pallet_restaking;
use aetron_primitives::{
	artefact::NeuronetId,
	traits::{NeuronetsInspect, SlotId, SlotInfo},
};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, VariantCountOf},
	PalletId,
};
use sp_runtime::BuildStorage;
use std::collections::BTreeSet;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Restaking: pallet_restaking,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// The existential deposit.
pub const ED: Balance = 1;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<ED>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

/// The treasury account.
pub const TREASURY: AccountId = 999;
/// Emission's pot, which pays the stakers' share in the tests.
pub const POT: AccountId = 900;
/// Stakers with funds.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CAROL: AccountId = 3;
/// The most pools at once.
pub const MAX_POOLS: u32 = 4;
/// What each funded account starts with.
pub const FUNDS: Balance = 1_000_000_000_000;
/// The least stake of a position in the tests.
pub const MIN_STAKE: Balance = 1_000_000;
/// Blocks of unbonding in the tests.
pub const UNBONDING: u32 = 10;

thread_local! {
	pub static OPEN: RefCell<BTreeSet<NeuronetId>> = RefCell::new([0, 1, 2, 3, 4, 5].into());
}

/// Opens or closes `neuronet` to stake.
pub fn set_open(neuronet: NeuronetId, open: bool) {
	OPEN.with(|o| {
		let mut o = o.borrow_mut();
		if open {
			o.insert(neuronet);
		} else {
			o.remove(&neuronet);
		}
	});
}

pub struct MockNeuronets;
impl NeuronetsInspect<AccountId> for MockNeuronets {
	fn slot(_: SlotId) -> Option<SlotInfo<AccountId>> {
		None
	}
	fn neuronet_is_open(neuronet: NeuronetId) -> bool {
		OPEN.with(|o| o.borrow().contains(&neuronet))
	}
}

parameter_types! {
	pub const RestakingPalletId: PalletId = PalletId(*b"aet/rstk");
	pub const Treasury: AccountId = TREASURY;
}

impl pallet_restaking::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Neuronets = MockNeuronets;
	type PalletId = RestakingPalletId;
	type Treasury = Treasury;
	type MaxPools = ConstU32<MAX_POOLS>;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Neuronets for the benchmarks: every id the mock knows is open already.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockBenchmarkHelper {
	fn open_neuronet(neuronet: NeuronetId) {
		set_open(neuronet, true);
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, FUNDS), (BOB, FUNDS), (CAROL, FUNDS), (POT, FUNDS), (TREASURY, ED)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_restaking::GenesisConfig::<Test> {
		params: crate::RestakingParams { min_stake: MIN_STAKE, unbonding_period: UNBONDING },
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	OPEN.with(|o| *o.borrow_mut() = [0, 1, 2, 3, 4, 5].into());
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Moves to block `n`.
pub fn advance_to(n: u64) {
	System::set_block_number(n);
}

/// Runs `test`, then checks the pallet's invariants.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Restaking::do_try_state().unwrap();
	});
}
