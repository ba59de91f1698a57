//! A mock runtime: System, Balances and Arbitration, with slots, the active index, reputation,
//! randomness and the work pallet's resolution played by thread-local tables the tests set.
//!
//! - Randomness is the parent block's, as BABE's VRF output is: [`advance_to`] publishes a
//!   fresh value known since the block before, unless a test withholds it;
//! - emission epochs are [`EPOCH`] blocks.

use crate as pallet_arbitration;
use aetron_primitives::{
	artefact::NeuronetId,
	traits::{
		ActiveSlots, DisputeOutcome, DisputeResolution, EpochClock, EpochIndex, NeuronetsInspect,
		OnSlotChange, ReputationOf, ReputationUpdate, SlotId, SlotInfo,
	},
	work::BatchId,
};
use core::cell::RefCell;
use frame_support::{
	derive_impl,
	traits::{ConstU128, Hooks, VariantCountOf},
	weights::Weight,
};
use sp_core::H256;
use sp_runtime::{BuildStorage, Perbill};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Arbitration: pallet_arbitration,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

/// Blocks per emission epoch.
pub const EPOCH: u64 = 20;
/// The treasury account.
pub const TREASURY: AccountId = 999;
/// The challenger bond in the tests.
pub const BOND: Balance = 100;

#[derive(Clone, Debug)]
pub struct MockSlot {
	pub info: SlotInfo<AccountId>,
	pub reputation: Perbill,
	pub probation: bool,
}

thread_local! {
	pub static SLOTS: RefCell<BTreeMap<SlotId, MockSlot>> = Default::default();
	/// The active index, in order of activation, with swap-remove.
	pub static ACTIVE: RefCell<Vec<SlotId>> = Default::default();
	pub static RANDOMNESS: RefCell<(Option<H256>, u64)> = Default::default();
	pub static WITHHOLD_RANDOMNESS: RefCell<bool> = const { RefCell::new(false) };
	pub static RESOLVED: RefCell<Vec<(BatchId, DisputeOutcome)>> = Default::default();
	pub static LOST: RefCell<Vec<SlotId>> = Default::default();
	pub static PENALIZED: RefCell<Vec<(SlotId, Perbill)>> = Default::default();
}

pub struct MockNeuronets;
impl NeuronetsInspect<AccountId> for MockNeuronets {
	fn slot(slot: SlotId) -> Option<SlotInfo<AccountId>> {
		SLOTS.with(|s| s.borrow().get(&slot).map(|s| s.info.clone()))
	}
	fn neuronet_is_open(_: NeuronetId) -> bool {
		true
	}
}

pub struct MockActive;
impl ActiveSlots for MockActive {
	fn active_count(_: NeuronetId) -> u32 {
		ACTIVE.with(|a| a.borrow().len() as u32)
	}
	fn active_at(_: NeuronetId, position: u32) -> Option<SlotId> {
		ACTIVE.with(|a| a.borrow().get(position as usize).copied())
	}
}

pub struct MockReputation;
impl ReputationOf for MockReputation {
	fn reputation(slot: SlotId) -> Perbill {
		SLOTS.with(|s| s.borrow().get(&slot).map(|s| s.reputation).unwrap_or_default())
	}
	fn emission_weight(slot: SlotId) -> Perbill {
		Self::reputation(slot)
	}
	fn sampling_rate(_: SlotId) -> Perbill {
		Perbill::from_percent(10)
	}
	fn may_recheck(slot: SlotId) -> bool {
		!Self::on_probation(slot) && Self::reputation(slot) >= Perbill::from_percent(30)
	}
	fn may_arbitrate(slot: SlotId) -> bool {
		!Self::on_probation(slot) && Self::reputation(slot) >= Perbill::from_percent(60)
	}
	fn on_probation(slot: SlotId) -> bool {
		SLOTS.with(|s| s.borrow().get(&slot).is_some_and(|s| s.probation))
	}
}
impl ReputationUpdate for MockReputation {
	fn recheck_passed(_: SlotId) {}
	fn arbitration_lost(slot: SlotId) {
		LOST.with(|l| l.borrow_mut().push(slot));
		SLOTS.with(|s| {
			if let Some(s) = s.borrow_mut().get_mut(&slot) {
				s.reputation = Perbill::zero();
				s.probation = true;
			}
		});
	}
	fn penalize(slot: SlotId, share: Perbill) {
		PENALIZED.with(|p| p.borrow_mut().push((slot, share)));
	}
}

pub struct MockEpochs;
impl EpochClock for MockEpochs {
	fn current_epoch() -> EpochIndex {
		(System::block_number() / EPOCH) as EpochIndex
	}
}

pub struct MockRandomness;
impl frame_support::traits::Randomness<Option<H256>, u64> for MockRandomness {
	fn random(subject: &[u8]) -> (Option<H256>, u64) {
		let (value, known_since) = RANDOMNESS.with(|r| *r.borrow());
		let value = value.map(|v| {
			let mut preimage = subject.to_vec();
			preimage.extend_from_slice(v.as_bytes());
			H256(sp_io::hashing::blake2_256(&preimage))
		});
		(value, known_since)
	}
}

pub struct MockResolution;
impl DisputeResolution for MockResolution {
	fn resolve(batch: BatchId, outcome: DisputeOutcome) {
		RESOLVED.with(|r| r.borrow_mut().push((batch, outcome)));
	}
	fn resolve_weight() -> Weight {
		Weight::from_parts(1_000, 0)
	}
}

frame_support::parameter_types! {
	pub const Treasury: AccountId = TREASURY;
}

impl pallet_arbitration::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Neuronets = MockNeuronets;
	type ActiveSlots = MockActive;
	type Reputation = MockReputation;
	type EpochClock = MockEpochs;
	type Randomness = MockRandomness;
	type Resolution = MockResolution;
	type Treasury = Treasury;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Slots and randomness for the benchmarks, in the mock's tables.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn active_slot(
		neuronet: NeuronetId,
		coldkey: AccountId,
		hotkey: AccountId,
		reputation: Perbill,
	) -> SlotId {
		let slot = SLOTS.with(|s| s.borrow().keys().next_back().map_or(0, |k| k + 1));
		insert_slot(slot, neuronet, coldkey, hotkey, reputation);
		slot
	}
	fn fresh_randomness() {
		let now = System::block_number();
		RANDOMNESS.with(|r| *r.borrow_mut() = (Some(H256::repeat_byte(now as u8)), now - 1));
	}
}

/// The neuronet of every test slot.
pub const NET: NeuronetId = 0;

/// A slot's hotkey in the tests: `100 + slot`.
pub fn hotkey(slot: SlotId) -> AccountId {
	100 + slot
}

fn insert_slot(
	slot: SlotId,
	neuronet: NeuronetId,
	coldkey: AccountId,
	hotkey: AccountId,
	reputation: Perbill,
) {
	SLOTS.with(|s| {
		s.borrow_mut().insert(
			slot,
			MockSlot {
				info: SlotInfo { neuronet, coldkey, hotkey, active: true },
				reputation,
				probation: false,
			},
		)
	});
	ACTIVE.with(|a| a.borrow_mut().push(slot));
}

/// Opens an active slot with `coldkey` and `reputation` (percent), indexed as active.
pub fn add_slot(slot: SlotId, coldkey: AccountId, reputation: u32) {
	insert_slot(slot, NET, coldkey, hotkey(slot), Perbill::from_percent(reputation));
}

/// Deregisters a slot, telling the pallet as the neuronets pallet would.
pub fn remove_slot(slot: SlotId) {
	SLOTS.with(|s| s.borrow_mut().remove(&slot));
	ACTIVE.with(|a| {
		let mut a = a.borrow_mut();
		if let Some(i) = a.iter().position(|&s| s == slot) {
			a.swap_remove(i);
		}
	});
	Arbitration::slot_closed(slot, NET);
}

pub fn reputation_of(slot: SlotId) -> Perbill {
	SLOTS.with(|s| s.borrow().get(&slot).map(|s| s.reputation).unwrap_or_default())
}
pub fn resolved() -> Vec<(BatchId, DisputeOutcome)> {
	RESOLVED.with(|r| r.borrow().clone())
}
pub fn lost() -> Vec<SlotId> {
	LOST.with(|l| l.borrow().clone())
}
pub fn penalized() -> Vec<(SlotId, Perbill)> {
	PENALIZED.with(|p| p.borrow().clone())
}
/// Stops (or resumes) fresh randomness, as a chain that produces no blocks would.
pub fn withhold_randomness(on: bool) {
	WITHHOLD_RANDOMNESS.with(|w| *w.borrow_mut() = on);
}

/// Coldkeys 1 … 20 start with 1 000 units; coldkey 50 has too little for a bond.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=20).map(|a| (a, 1_000)).collect();
	balances.push((50, 10));
	balances.push((TREASURY, 1));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_arbitration::GenesisConfig::<Test> {
		params: test_params(),
		_config: Default::default(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	SLOTS.with(|s| s.borrow_mut().clear());
	ACTIVE.with(|a| a.borrow_mut().clear());
	RANDOMNESS.with(|r| *r.borrow_mut() = (Some(H256::repeat_byte(1)), 0));
	WITHHOLD_RANDOMNESS.with(|w| *w.borrow_mut() = false);
	RESOLVED.with(|r| r.borrow_mut().clear());
	LOST.with(|l| l.borrow_mut().clear());
	PENALIZED.with(|p| p.borrow_mut().clear());
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Small windows so tests move quickly: answer 4 blocks, commit 3, reveal 3.
pub fn test_params() -> crate::ParamsOf<Test> {
	crate::ArbitrationParams {
		challenger_bond: BOND,
		answer_window: 4,
		commit_window: 3,
		reveal_window: 3,
		keep_decided: 5,
		forfeit_history_epochs: 4,
		..Default::default()
	}
}

/// Moves to block `n` as block import would: the parent block's randomness, then the
/// pallet's hook.
pub fn advance_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		if !WITHHOLD_RANDOMNESS.with(|w| *w.borrow()) {
			let value = H256(sp_io::hashing::blake2_256(&next.to_le_bytes()));
			RANDOMNESS.with(|r| *r.borrow_mut() = (Some(value), next - 1));
		}
		Arbitration::on_initialize(next);
	}
}

/// Runs `test`, then checks the pallet's invariants.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Arbitration::do_try_state().unwrap();
	});
}
