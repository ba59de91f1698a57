//! # How pallets talk to each other (DESIGN §1)
//!
//! Each pallet depends on these traits, never on another pallet; the runtime wires the real
//! pallets in and every mock runtime wires in what its tests need (`()` does nothing).

use crate::artefact::NeuronetId;
use sp_runtime::Perbill;

/// A miner slot's id, unique across neuronets and never reused.
pub type SlotId = u64;

/// An emission epoch's index (`block / EpochLength`).
pub type EpochIndex = u32;

/// What other pallets may know of a slot.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SlotInfo<AccountId> {
	/// The neuronet it serves.
	pub neuronet: NeuronetId,
	/// Who registered it and is paid.
	pub coldkey: AccountId,
	/// The worker's signing key.
	pub hotkey: AccountId,
	/// Whether it passed its reference checks and serves.
	pub active: bool,
}

/// Reads the neuronet registry (implemented by `pallets/neuronets`).
pub trait NeuronetsInspect<AccountId> {
	/// The slot, if it exists.
	fn slot(slot: SlotId) -> Option<SlotInfo<AccountId>>;
	/// Whether the neuronet exists and is neither paused nor retired.
	fn neuronet_is_open(neuronet: NeuronetId) -> bool;
}

/// Told when slots open and close, so per-slot state elsewhere starts and ends with the slot.
pub trait OnSlotChange {
	/// A slot was registered.
	fn slot_opened(slot: SlotId);
	/// A slot was deregistered.
	fn slot_closed(slot: SlotId);
}

impl OnSlotChange for () {
	fn slot_opened(_: SlotId) {}
	fn slot_closed(_: SlotId) {}
}

/// Reads reputation (implemented by `pallets/reputation`; used by `work`, `arbitration` and
/// `emission`).
pub trait ReputationOf {
	/// The slot's reputation now, decay applied; zero for an unknown slot.
	fn reputation(slot: SlotId) -> Perbill;
	/// The slot's emission weight: its reputation, floored at the minimum weight.
	fn emission_weight(slot: SlotId) -> Perbill;
	/// The chance that one of the slot's batches is re-checked: `p(R)`, or certainty while on
	/// probation.
	fn sampling_rate(slot: SlotId) -> Perbill;
	/// Whether the slot is reputable enough to be assigned re-checks.
	fn may_recheck(slot: SlotId) -> bool;
	/// Whether the slot is reputable enough to sit on an arbitration panel.
	fn may_arbitrate(slot: SlotId) -> bool;
	/// Whether the slot is on probation after a lost arbitration.
	fn on_probation(slot: SlotId) -> bool;
}

/// Moves reputation (implemented by `pallets/reputation`; called by `work` and `arbitration`).
pub trait ReputationUpdate {
	/// A re-check of the slot's work passed: `R ← R + g·(1 − R)`.
	fn recheck_passed(slot: SlotId);
	/// The slot lost an arbitration: `R ← 0` and probation.
	fn arbitration_lost(slot: SlotId);
}

/// The emission epoch clock (implemented by the runtime today, by `emission` later).
pub trait EpochClock {
	/// The current epoch.
	fn current_epoch() -> EpochIndex;
}
