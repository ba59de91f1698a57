//! A mock runtime: System, Balances and Neuronets.

use crate as pallet_neuronets;
use crate::SlotId;
use frame_support::{derive_impl, parameter_types, traits::VariantCountOf};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, FixedU128};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		NeuronetsPallet: pallet_neuronets,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	/// Real database weights, so that a migration's weight is a figure worth asserting.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = frame_support::traits::ConstU128<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

parameter_types! {
	pub const MaxNeuronets: u32 = 8;
}

/// The mock's genesis parameters.
pub fn mock_params() -> crate::NeuronetsParams<Balance> {
	crate::NeuronetsParams {
		neuronet_deposit: 1_000,
		heartbeat_period: 10,
		fee_half_life: 100,
		fee_multiplier: FixedU128::from_rational(126, 100),
		pow_validity: 5,
		pow_interval: 100,
		pow_target: 4,
		min_pow_difficulty: 2,
		max_pow_difficulty: 1 << 40,
	}
}

impl pallet_neuronets::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type MaxNeuronets = MaxNeuronets;
	type OnSlotChange = SlotChanges;
	type OnHeartbeat = Heartbeats;
	type WeightInfo = ();
}

thread_local! {
	/// What [`SlotChanges`] was told: `(slot, change)`.
	pub static SLOT_CHANGES: core::cell::RefCell<Vec<(SlotId, SlotChange)>> = Default::default();
}

/// What a slot went through.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SlotChange {
	Opened,
	Activated,
	Closed,
}

/// Records slot openings, activations and closings.
pub struct SlotChanges;
impl aetron_primitives::traits::OnSlotChange for SlotChanges {
	fn slot_opened(slot: SlotId, _: crate::NeuronetId) {
		SLOT_CHANGES.with(|c| c.borrow_mut().push((slot, SlotChange::Opened)));
	}
	fn slot_activated(slot: SlotId, _: crate::NeuronetId) {
		SLOT_CHANGES.with(|c| c.borrow_mut().push((slot, SlotChange::Activated)));
	}
	fn slot_closed(slot: SlotId, _: crate::NeuronetId) {
		SLOT_CHANGES.with(|c| c.borrow_mut().push((slot, SlotChange::Closed)));
	}
	fn slot_closed_weight() -> frame_support::weights::Weight {
		SLOT_CLOSED_WEIGHT
	}
}

/// What [`SlotChanges`] says closing a slot may take beyond the benchmark's: `deregister`
/// declares it.
pub const SLOT_CLOSED_WEIGHT: frame_support::weights::Weight =
	frame_support::weights::Weight::from_parts(7_000_000, 700);

thread_local! {
	/// The slots [`Heartbeats`] was told of, in order.
	pub static HEARTBEATS: core::cell::RefCell<Vec<(SlotId, crate::NeuronetId)>> = Default::default();
}

/// Records accepted heartbeats.
pub struct Heartbeats;
impl aetron_primitives::traits::OnHeartbeat for Heartbeats {
	fn heartbeat(slot: SlotId, neuronet: crate::NeuronetId) {
		HEARTBEATS.with(|h| h.borrow_mut().push((slot, neuronet)));
	}
	fn heartbeat_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// The heartbeats [`Heartbeats`] was told of so far.
pub fn heartbeats() -> Vec<(SlotId, crate::NeuronetId)> {
	HEARTBEATS.with(|h| h.borrow().clone())
}

/// What [`SlotChanges`] was told so far.
pub fn slot_changes() -> Vec<(SlotId, SlotChange)> {
	SLOT_CHANGES.with(|c| c.borrow().clone())
}

/// Owner 1, miners 2 and 3, hotkeys 10.. (unfunded), and 4 with almost nothing.
pub const OWNER: AccountId = 1;
pub const MINER: AccountId = 2;
pub const OTHER_MINER: AccountId = 3;
pub const POOR: AccountId = 4;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(OWNER, 10_000), (MINER, 1_000_000), (OTHER_MINER, 1_000_000), (POOR, 10)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_neuronets::GenesisConfig::<Test> { params: mock_params(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	SLOT_CHANGES.with(|c| c.borrow_mut().clear());
	HEARTBEATS.with(|h| h.borrow_mut().clear());
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Moves to block `n` as a block import would: records the parent's hash and runs the hooks.
pub fn advance_to(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let parent = System::block_number();
		frame_system::BlockHash::<Test>::insert(
			parent,
			sp_core::H256::repeat_byte(parent as u8 ^ 0x5a),
		);
		System::set_block_number(parent + 1);
		NeuronetsPallet::on_initialize(parent + 1);
	}
}

/// Runs `test`, then checks the pallet's invariants.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		NeuronetsPallet::do_try_state().unwrap();
	});
}
