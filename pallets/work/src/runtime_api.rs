//! What a worker, a UI or the node's JSON RPC asks the runtime about work: a re-checker's
//! assignments with everything needed to carry them out (the samples' leaf indices, the
//! miner's endpoint, the deadlines), a batch with its verdicts, a slot's running figures and
//! its confirmed work per epoch.

use crate::{Assignment, Batch, BatchId, Config, Pallet, SlotLedger};
pub use aetron_primitives::traits::{EpochIndex, EpochWork, SlotId};
use aetron_primitives::work::{sample_belongs, sample_leaf};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;

/// One open re-check assignment of a slot.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct AssignmentDetails<BlockNumber> {
	/// The batch.
	pub batch: BatchId,
	/// The miner's slot.
	pub miner: SlotId,
	/// The miner's batch number (the artefact endpoint's `{batch}`).
	pub batch_number: u64,
	/// The committed root's hash.
	pub root: [u8; 32],
	/// The committed total work (the root's sum).
	pub total_work: u64,
	/// Leaves in the batch.
	pub leaf_count: u32,
	/// The samples this re-checker holds, as `(sample r, leaf index)`.
	pub samples: Vec<(u32, u32)>,
	/// The miner's endpoint (UTF-8), where the leaves are fetched.
	pub endpoint: Vec<u8>,
	/// The assignment itself: deadlines and state.
	pub assignment: Assignment<BlockNumber>,
}

/// A batch with its id.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct BatchDetails<BlockNumber> {
	/// Its id.
	pub id: BatchId,
	/// The stored record (status, seed, re-checkers and their verdicts).
	pub batch: Batch<BlockNumber>,
}

sp_api::decl_runtime_apis! {
	/// Work for clients.
	pub trait WorkApi<BlockNumber: Codec> {
		/// The open assignments of re-checker `slot` (at most `max_open_assignments`).
		fn assignments(slot: SlotId) -> Vec<AssignmentDetails<BlockNumber>>;
		/// One batch, until it is pruned.
		fn batch(batch: BatchId) -> Option<BatchDetails<BlockNumber>>;
		/// A slot's running figures (`None` for a slot that is not live).
		fn slot_ledger(slot: SlotId) -> Option<SlotLedger>;
		/// A slot's confirmed work and missed re-checks in `epoch`.
		fn epoch_work(slot: SlotId, epoch: EpochIndex) -> EpochWork;
		/// The current emission epoch.
		fn epoch() -> EpochIndex;
	}
}

impl<T: Config> Pallet<T> {
	/// The open assignments of `slot`, with the samples and the miner's endpoint (`endpoint`
	/// reads it from the neuronets pallet).
	pub fn assignments_of(
		slot: SlotId,
		endpoint: impl Fn(SlotId) -> Vec<u8>,
	) -> Vec<AssignmentDetails<BlockNumberFor<T>>> {
		let limit = crate::Params::<T>::get().max_open_assignments as usize;
		crate::AssignmentsOf::<T>::iter_key_prefix(slot)
			.take(limit)
			.filter_map(|id| {
				let b = crate::Batches::<T>::get(id)?;
				let position = b.rechecks.iter().position(|a| a.rechecker == slot)?;
				let assignment = *b.rechecks.get(position)?;
				let seed = b.seed?;
				let k = b.positions();
				let samples = (0..b.samples)
					.filter(|&r| sample_belongs(r, b.samples, k, position as u32))
					.map(|r| (r, sample_leaf(&seed, r, b.leaf_count)))
					.collect();
				Some(AssignmentDetails {
					batch: id,
					miner: b.slot,
					batch_number: b.batch_number,
					root: b.root.hash,
					total_work: b.root.sum,
					leaf_count: b.leaf_count,
					samples,
					endpoint: endpoint(b.slot),
					assignment,
				})
			})
			.collect()
	}

	/// One batch with its id.
	pub fn batch_details(id: BatchId) -> Option<BatchDetails<BlockNumberFor<T>>> {
		crate::Batches::<T>::get(id).map(|batch| BatchDetails { id, batch })
	}
}
