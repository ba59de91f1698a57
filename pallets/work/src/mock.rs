//! A mock runtime: System and Work, with slots, reputation, randomness and arbitration played by
//! thread-local tables the tests set.
//!
//! - BABE epochs are [`BABE_EPOCH`] blocks: at each multiple, [`advance_to`] publishes fresh
//!   randomness known since that block, as `RandomnessFromOneEpochAgo` does;
//! - emission epochs are [`EPOCH`] blocks.

use crate as pallet_work;
use aetron_primitives::{
	artefact::NeuronetId,
	traits::{
		DisputeHook, DisputeRefused, DisputeRequest, EpochClock, EpochIndex, NeuronetsInspect,
		OnSlotChange, OnWork, ReputationOf, ReputationUpdate, SlotId, SlotInfo,
	},
};
use core::cell::RefCell;
use frame_support::{derive_impl, traits::Hooks, weights::Weight};
use sp_core::H256;
use sp_runtime::{BuildStorage, PerThing, Perbill, Permill, Saturating};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Work: pallet_work,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// Blocks per BABE epoch (fresh randomness).
pub const BABE_EPOCH: u64 = 10;
/// Blocks per emission epoch.
pub const EPOCH: u64 = 20;

#[derive(Clone, Debug)]
pub struct MockSlot {
	pub info: SlotInfo<AccountId>,
	pub reputation: Perbill,
	pub probation: bool,
}

thread_local! {
	pub static SLOTS: RefCell<BTreeMap<SlotId, MockSlot>> = Default::default();
	pub static RANDOMNESS: RefCell<(H256, u64)> = Default::default();
	pub static DISPUTES: RefCell<Vec<DisputeRequest>> = Default::default();
	pub static DISPUTE_REFUSAL: RefCell<Option<DisputeRefused>> = const { RefCell::new(None) };
	pub static PASSED: RefCell<Vec<SlotId>> = Default::default();
	pub static CONFIRMED: RefCell<Vec<(SlotId, EpochIndex, u64)>> = Default::default();
	pub static MISSED: RefCell<Vec<(SlotId, EpochIndex)>> = Default::default();
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

pub struct MockReputation;
impl ReputationOf for MockReputation {
	fn reputation(slot: SlotId) -> Perbill {
		SLOTS.with(|s| s.borrow().get(&slot).map(|s| s.reputation).unwrap_or_default())
	}
	fn emission_weight(slot: SlotId) -> Perbill {
		Self::reputation(slot)
	}
	fn sampling_rate(slot: SlotId) -> Perbill {
		if Self::on_probation(slot) {
			return Perbill::one();
		}
		let (p_min, p_max) = (Perbill::from_percent(3), Perbill::from_percent(25));
		p_min.saturating_add(Self::reputation(slot).left_from_one() * (p_max - p_min))
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
	fn recheck_passed(slot: SlotId) {
		PASSED.with(|p| p.borrow_mut().push(slot));
	}
	fn arbitration_lost(_: SlotId) {}
	fn penalize(_: SlotId, _: Perbill) {}
}

pub struct MockEpochs;
impl EpochClock for MockEpochs {
	fn current_epoch() -> EpochIndex {
		(System::block_number() / EPOCH) as EpochIndex
	}
}

pub struct MockRandomness;
impl frame_support::traits::Randomness<H256, u64> for MockRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let (value, known_since) = RANDOMNESS.with(|r| *r.borrow());
		let mut preimage = subject.to_vec();
		preimage.extend_from_slice(value.as_bytes());
		(H256(sp_io::hashing::blake2_256(&preimage)), known_since)
	}
}

pub struct MockNextRandomness;
impl frame_support::traits::EstimateNextSessionRotation<u64> for MockNextRandomness {
	fn average_session_length() -> u64 {
		BABE_EPOCH
	}
	fn estimate_current_session_progress(now: u64) -> (Option<Permill>, Weight) {
		(Some(Permill::from_rational(now % BABE_EPOCH, BABE_EPOCH)), Weight::zero())
	}
	fn estimate_next_session_rotation(now: u64) -> (Option<u64>, Weight) {
		(Some((now / BABE_EPOCH + 1) * BABE_EPOCH), Weight::zero())
	}
}

pub struct MockDisputes;
impl DisputeHook for MockDisputes {
	fn open_dispute(request: DisputeRequest) -> Result<u64, DisputeRefused> {
		DISPUTES.with(|d| d.borrow_mut().push(request));
		match DISPUTE_REFUSAL.with(|r| *r.borrow()) {
			Some(reason) => Err(reason),
			None => Ok(DISPUTES.with(|d| d.borrow().len() as u64 - 1)),
		}
	}
	fn open_dispute_weight() -> Weight {
		Weight::from_parts(1_000, 0)
	}
}

pub struct MockOnWork;
impl OnWork for MockOnWork {
	fn work_confirmed(slot: SlotId, _: NeuronetId, epoch: EpochIndex, units: u64) {
		CONFIRMED.with(|c| c.borrow_mut().push((slot, epoch, units)));
	}
	fn recheck_missed(slot: SlotId, epoch: EpochIndex) {
		MISSED.with(|m| m.borrow_mut().push((slot, epoch)));
	}
	fn on_work_weight() -> Weight {
		Weight::zero()
	}
}

impl pallet_work::Config for Test {
	type Neuronets = MockNeuronets;
	type Reputation = MockReputation;
	type EpochClock = MockEpochs;
	type Randomness = MockRandomness;
	type NextRandomness = MockNextRandomness;
	type Disputes = MockDisputes;
	type OnWork = MockOnWork;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Slots and randomness for the benchmarks, in the mock's tables.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, u64> for MockBenchmarkHelper {
	fn active_slot(
		neuronet: NeuronetId,
		coldkey: AccountId,
		hotkey: AccountId,
		reputation: Perbill,
	) -> SlotId {
		let slot = SLOTS.with(|s| s.borrow().keys().next_back().map_or(0, |k| k + 1));
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
		Work::slot_opened(slot, neuronet);
		Work::slot_activated(slot, neuronet);
		slot
	}
	fn probation(slot: SlotId) {
		set_probation(slot, true);
	}
	fn fresh_randomness(block: u64) {
		RANDOMNESS.with(|r| *r.borrow_mut() = (H256::repeat_byte(block as u8), block));
	}
}

/// The neuronet of every test slot.
pub const NET: NeuronetId = 0;

/// A slot's hotkey in the tests: `100 + slot`.
pub fn hotkey(slot: SlotId) -> AccountId {
	100 + slot
}

/// Opens an active slot with `coldkey` and `reputation` (percent), as the neuronets pallet
/// would: opened, then activated.
pub fn add_slot(slot: SlotId, coldkey: AccountId, reputation: u32) {
	SLOTS.with(|s| {
		s.borrow_mut().insert(
			slot,
			MockSlot {
				info: SlotInfo { neuronet: NET, coldkey, hotkey: hotkey(slot), active: true },
				reputation: Perbill::from_percent(reputation),
				probation: false,
			},
		)
	});
	Work::slot_opened(slot, NET);
	Work::slot_activated(slot, NET);
}

/// A registered slot that has not passed its reference checks.
pub fn add_pending_slot(slot: SlotId, coldkey: AccountId) {
	SLOTS.with(|s| {
		s.borrow_mut().insert(
			slot,
			MockSlot {
				info: SlotInfo { neuronet: NET, coldkey, hotkey: hotkey(slot), active: false },
				reputation: Perbill::from_percent(10),
				probation: false,
			},
		)
	});
	Work::slot_opened(slot, NET);
}

/// Deregisters a slot.
pub fn remove_slot(slot: SlotId) {
	SLOTS.with(|s| s.borrow_mut().remove(&slot));
	Work::slot_closed(slot, NET);
}

pub fn set_probation(slot: SlotId, on: bool) {
	SLOTS.with(|s| {
		if let Some(s) = s.borrow_mut().get_mut(&slot) {
			s.probation = on;
		}
	});
}

pub fn set_reputation(slot: SlotId, percent: u32) {
	SLOTS.with(|s| {
		if let Some(s) = s.borrow_mut().get_mut(&slot) {
			s.reputation = Perbill::from_percent(percent);
		}
	});
}

pub fn disputes() -> Vec<DisputeRequest> {
	DISPUTES.with(|d| d.borrow().clone())
}
/// Makes arbitration refuse every dispute for `reason` (`None`: open them).
pub fn set_dispute_refusal(reason: Option<DisputeRefused>) {
	DISPUTE_REFUSAL.with(|r| *r.borrow_mut() = reason);
}
pub fn passed() -> Vec<SlotId> {
	PASSED.with(|p| p.borrow().clone())
}
pub fn confirmed() -> Vec<(SlotId, EpochIndex, u64)> {
	CONFIRMED.with(|c| c.borrow().clone())
}
pub fn missed() -> Vec<(SlotId, EpochIndex)> {
	MISSED.with(|m| m.borrow().clone())
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	SLOTS.with(|s| s.borrow_mut().clear());
	RANDOMNESS.with(|r| *r.borrow_mut() = (H256::repeat_byte(1), 0));
	DISPUTES.with(|d| d.borrow_mut().clear());
	DISPUTE_REFUSAL.with(|r| *r.borrow_mut() = None);
	PASSED.with(|p| p.borrow_mut().clear());
	CONFIRMED.with(|c| c.borrow_mut().clear());
	MISSED.with(|m| m.borrow_mut().clear());
	ext.execute_with(|| {
		System::set_block_number(1);
		pallet_work::Params::<Test>::put(test_params());
	});
	ext
}

/// Small windows so tests move quickly: commit 3 blocks, reveal 3 more.
pub fn test_params() -> crate::WorkParams {
	crate::WorkParams {
		max_commits_per_epoch: 5,
		commit_window: 3,
		reveal_window: 3,
		sampling_retry: 4,
		settlement_epochs: 3,
		history_epochs: 2,
		..Default::default()
	}
}

/// Moves to block `n` as block import would: fresh randomness at each BABE epoch, then the
/// pallet's hook.
pub fn advance_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		if next % BABE_EPOCH == 0 {
			RANDOMNESS.with(|r| {
				*r.borrow_mut() = (H256(sp_io::hashing::blake2_256(&next.to_le_bytes())), next)
			});
		}
		Work::on_initialize(next);
	}
}

/// Runs `test`, then checks the pallet's invariants.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Work::do_try_state().unwrap();
	});
}
