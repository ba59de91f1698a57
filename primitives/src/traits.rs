//! # How pallets talk to each other (DESIGN §1)
//!
//! Each pallet depends on these traits, never on another pallet; the runtime wires the real
//! pallets in and every mock runtime wires in what its tests need (`()` does nothing).

use crate::{
	arbitration::DisputeId,
	artefact::NeuronetId,
	merkle::SumNode,
	work::{BatchId, FailureKind},
};
use sp_runtime::{Perbill, Weight};

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
	/// Who owns the neuronet (paid its `OwnerShare` of emission), if it exists.
	fn neuronet_owner(_neuronet: NeuronetId) -> Option<AccountId> {
		None
	}
}

/// Told of each accepted heartbeat, so uptime is counted per epoch as heartbeats arrive
/// (implemented by `pallets/emission`; called by `pallets/neuronets`).
pub trait OnHeartbeat {
	/// `slot` of `neuronet` sent a heartbeat in the current block.
	fn heartbeat(slot: SlotId, neuronet: NeuronetId);
	/// The most weight [`Self::heartbeat`] uses, which the caller's weight includes.
	fn heartbeat_weight() -> Weight;
}

impl OnHeartbeat for () {
	fn heartbeat(_: SlotId, _: NeuronetId) {}
	fn heartbeat_weight() -> Weight {
		Weight::zero()
	}
}

/// Told when slots open, become active and close, so per-slot state elsewhere starts and ends
/// with the slot.
pub trait OnSlotChange {
	/// A slot was registered in `neuronet`.
	fn slot_opened(slot: SlotId, neuronet: NeuronetId);
	/// A slot passed its reference checks and serves.
	fn slot_activated(slot: SlotId, neuronet: NeuronetId);
	/// A slot was deregistered.
	fn slot_closed(slot: SlotId, neuronet: NeuronetId);
	/// The most weight [`Self::slot_closed`] may use beyond what it uses for a slot that holds
	/// nothing open (which the caller's benchmark measures already): the bounded work of
	/// giving up the slot's open re-checks or seats, by the parameters in force.
	fn slot_closed_weight() -> Weight;
}

impl OnSlotChange for () {
	fn slot_opened(_: SlotId, _: NeuronetId) {}
	fn slot_activated(_: SlotId, _: NeuronetId) {}
	fn slot_closed(_: SlotId, _: NeuronetId) {}
	fn slot_closed_weight() -> Weight {
		Weight::zero()
	}
}

/// Tells each member of a tuple in order (the runtime tells every pallet that keeps per-slot
/// state).
macro_rules! impl_on_slot_change_for_tuple {
	($($member:ident),+) => {
		impl<$($member: OnSlotChange),+> OnSlotChange for ($($member,)+) {
			fn slot_opened(slot: SlotId, neuronet: NeuronetId) {
				$($member::slot_opened(slot, neuronet);)+
			}
			fn slot_activated(slot: SlotId, neuronet: NeuronetId) {
				$($member::slot_activated(slot, neuronet);)+
			}
			fn slot_closed(slot: SlotId, neuronet: NeuronetId) {
				$($member::slot_closed(slot, neuronet);)+
			}
			fn slot_closed_weight() -> Weight {
				Weight::zero()$(.saturating_add($member::slot_closed_weight()))+
			}
		}
	};
}
impl_on_slot_change_for_tuple!(A, B);
impl_on_slot_change_for_tuple!(A, B, C);
impl_on_slot_change_for_tuple!(A, B, C, D);

/// Reads reputation (implemented by `pallets/reputation`; used by `work`, `arbitration` and
/// `emission`).
pub trait ReputationOf {
	/// The slot's reputation now, decay applied; zero for an unknown slot.
	fn reputation(slot: SlotId) -> Perbill;
	/// The slot's emission weight: its reputation, floored at the minimum weight.
	fn emission_weight(slot: SlotId) -> Perbill;
	/// The slot's emission weight as it stood at the start of the current epoch, before this
	/// epoch's gains and losses (what emission scores the epoch with, DESIGN §9).
	fn epoch_start_weight(slot: SlotId) -> Perbill {
		Self::emission_weight(slot)
	}
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
	/// The slot loses `share` of its reputation (a challenger that lost its dispute, an
	/// arbiter that was absent or in the minority).
	fn penalize(slot: SlotId, share: Perbill);
}

/// The emission epoch clock (implemented by the runtime today, by `emission` later).
pub trait EpochClock {
	/// The current epoch.
	fn current_epoch() -> EpochIndex;
}

/// A slot's confirmed work in one epoch (kept by `pallets/work`).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
)]
pub struct EpochWork {
	/// Work units of the slot's own batches that its re-checkers confirmed.
	pub served: u64,
	/// Work units of other miners' leaves the slot re-checked in batches that were confirmed.
	pub rechecked: u64,
	/// Re-checks the slot was assigned and did not commit and reveal in time. Any at all
	/// forfeits the slot's emission for the epoch (the seed's rule; `pallets/emission`).
	pub missed_rechecks: u32,
}

impl EpochWork {
	/// Served and re-checked work together: what emission scores.
	pub fn total(&self) -> u64 {
		self.served.saturating_add(self.rechecked)
	}
}

/// Reads the confirmed-work ledger (implemented by `pallets/work`; read by `emission`).
pub trait WorkLedger {
	/// The slot's confirmed work in `epoch`.
	fn epoch_work(slot: SlotId, epoch: EpochIndex) -> EpochWork;
	/// Whether `epoch`'s figures are final: no batch of it can be confirmed any more.
	fn epoch_closed(epoch: EpochIndex) -> bool;
}

/// Told as the ledger moves, so emission can keep scores up to date in O(1) per event
/// (implemented by `pallets/emission`; `()` ignores it).
pub trait OnWork {
	/// `units` of work by `slot` were confirmed for `epoch` (served or re-checked).
	fn work_confirmed(slot: SlotId, neuronet: NeuronetId, epoch: EpochIndex, units: u64);
	/// `slot` missed a re-check in `epoch`.
	fn recheck_missed(slot: SlotId, epoch: EpochIndex);
	/// The most weight either call uses, which the caller's weight includes.
	fn on_work_weight() -> Weight;
}

impl OnWork for () {
	fn work_confirmed(_: SlotId, _: NeuronetId, _: EpochIndex, _: u64) {}
	fn recheck_missed(_: SlotId, _: EpochIndex) {}
	fn on_work_weight() -> Weight {
		Weight::zero()
	}
}

/// A re-checker's revealed failure, handed to arbitration with everything it needs to judge the
/// leaf and check a miner's answer, so arbitration never reads the work pallet's storage.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DisputeRequest {
	/// The disputed batch.
	pub batch: BatchId,
	/// Its epoch.
	pub epoch: EpochIndex,
	/// Its neuronet.
	pub neuronet: NeuronetId,
	/// The miner's number of the batch (the artefact endpoint's `{batch}`).
	pub batch_number: u64,
	/// The committed root.
	pub root: SumNode,
	/// Its leaves.
	pub leaf_count: u32,
	/// The sample that failed.
	pub sample: u32,
	/// The leaf it names.
	pub leaf_index: u32,
	/// Why it failed.
	pub kind: FailureKind,
	/// The slot whose batch it is.
	pub miner: SlotId,
	/// The re-checker that found the failure.
	pub challenger: SlotId,
}

/// Why arbitration could not open a dispute for a revealed failure.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
)]
pub enum DisputeRefused {
	/// The challenger's coldkey cannot pay the bond: the failure is not backed, and the
	/// re-check counts as missed (`pallets/work`).
	BondUnpaid,
	/// The miner's or the challenger's slot is gone.
	UnknownParty,
	/// Arbitration is not in the runtime.
	NoArbitration,
}

/// Opens disputes (implemented by `pallets/arbitration`; called by `work` on a revealed failure).
pub trait DisputeHook {
	/// Opens a dispute over one failed sample.
	fn open_dispute(request: DisputeRequest) -> Result<DisputeId, DisputeRefused>;
	/// The most weight [`Self::open_dispute`] uses, which the caller's weight includes.
	fn open_dispute_weight() -> Weight;
}

/// Without arbitration a failure opens no dispute and its batch stays `Disputed`.
impl DisputeHook for () {
	fn open_dispute(_: DisputeRequest) -> Result<DisputeId, DisputeRefused> {
		Err(DisputeRefused::NoArbitration)
	}
	fn open_dispute_weight() -> Weight {
		Weight::zero()
	}
}

/// Random access to each neuronet's active slots (implemented by `pallets/work`, which keeps
/// the index for its re-checker draw; read by arbitration for its panel draw).
pub trait ActiveSlots {
	/// How many active slots `neuronet` has.
	fn active_count(neuronet: NeuronetId) -> u32;
	/// The active slot at `position` (`0 .. active_count`).
	fn active_at(neuronet: NeuronetId, position: u32) -> Option<SlotId>;
}

/// How arbitration decided a disputed batch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DisputeOutcome {
	/// The miner was honest: the batch is confirmed with all its work.
	MinerHonest,
	/// The miner cheated: the batch pays nothing.
	MinerGuilty,
	/// No fault found (no panel, or a tie): the batch is confirmed without `excluded` work units
	/// (the disputed leaf's).
	NoFault {
		/// Work units left out.
		excluded: u64,
	},
}

/// Settles disputed batches (implemented by `pallets/work`; called by `arbitration` when every
/// dispute of a batch is decided).
pub trait DisputeResolution {
	/// Ends `batch`'s dispute with `outcome`.
	fn resolve(batch: BatchId, outcome: DisputeOutcome);
	/// The most weight [`Self::resolve`] uses, which the caller's weight includes.
	fn resolve_weight() -> Weight;
}

/// The forfeit ledger: slots that get no emission for an epoch (kept by `pallets/arbitration`
/// for the losers of disputes; read by `emission` when the epoch's payouts are claimed).
pub trait Forfeits<AccountId> {
	/// Whether `slot` forfeited its emission for `epoch`.
	fn is_forfeited(slot: SlotId, epoch: EpochIndex) -> bool;
	/// Who is owed a bounty from `slot`'s forfeited emission of `epoch`, and what share of it
	/// (the challenger that proved it cheated).
	fn bounty(slot: SlotId, epoch: EpochIndex) -> Option<(AccountId, Perbill)>;
	/// Whether every dispute over a batch of `epoch` is decided, so no forfeit of `epoch` can
	/// still appear (emission pays an epoch only then).
	fn epoch_decided(epoch: EpochIndex) -> bool;
	/// How many epochs after an epoch its forfeits are kept: emission lets claims expire
	/// before the ledger forgets, so a cheater cannot wait out its forfeit.
	fn retention_epochs() -> EpochIndex;
}

/// No forfeits (a runtime without arbitration).
impl<AccountId> Forfeits<AccountId> for () {
	fn is_forfeited(_: SlotId, _: EpochIndex) -> bool {
		false
	}
	fn bounty(_: SlotId, _: EpochIndex) -> Option<(AccountId, Perbill)> {
		None
	}
	fn epoch_decided(_: EpochIndex) -> bool {
		true
	}
	fn retention_epochs() -> EpochIndex {
		EpochIndex::MAX
	}
}

/// The most neuronets that may hold stake at once: emission's epoch split visits each, so its
/// benchmark runs up to this many.
pub const MAX_STAKED_NEURONETS: u32 = 256;

/// A neuronet's stake and its stakers' rewards (implemented by `pallets/restaking`; used by
/// `emission` to split emission by stake, size capacity and pay the `StakerShare`).
pub trait NeuronetStake<AccountId, Balance> {
	/// The stake bonded to `neuronet` (unbonding stake excluded).
	fn stake_of(neuronet: NeuronetId) -> Balance;
	/// Every neuronet with bonded stake and its stake, in no particular order. Bounded by
	/// [`Self::max_staked_neuronets`].
	fn staked_neuronets() -> alloc::vec::Vec<(NeuronetId, Balance)>;
	/// The most neuronets [`Self::staked_neuronets`] returns.
	fn max_staked_neuronets() -> u32;
	/// Moves `amount` from `source` to `neuronet`'s stakers, shared pro rata to their bonded
	/// stake. Returns what could not be shared (all of it when nobody is staked or the amount
	/// is too small to share), which stays with `source`.
	fn reward_stakers(neuronet: NeuronetId, source: &AccountId, amount: Balance) -> Balance;
	/// The most weight [`Self::reward_stakers`] uses.
	fn reward_stakers_weight() -> Weight;
}
