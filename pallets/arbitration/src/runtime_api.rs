//! What a worker, a UI or the node's JSON RPC asks the runtime about arbitration: a slot's
//! disputes (as miner, challenger or arbiter) with their phase and deadlines and the miner's
//! endpoint the leaf is fetched from, one dispute, a posted answer, and the forfeit ledger.

use crate::{Config, Dispute, DisputeId, Forfeit, Pallet, Role};
pub use aetron_primitives::{
	arbitration::LeafAnswer,
	traits::{EpochIndex, SlotId},
};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;

/// A dispute with its id, the asking slot's role in it and the miner's endpoint.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct DisputeDetails<AccountId, Balance, BlockNumber> {
	/// Its id.
	pub id: DisputeId,
	/// The asking slot's role (`None` when asked by id).
	pub role: Option<Role>,
	/// The miner's endpoint (UTF-8), where arbiters fetch the leaf.
	pub endpoint: Vec<u8>,
	/// The stored record: parties, leaf, phase and deadlines, panel and votes.
	pub dispute: Dispute<AccountId, Balance, BlockNumber>,
}

sp_api::decl_runtime_apis! {
	/// Arbitration for clients.
	pub trait ArbitrationApi<AccountId: Codec, Balance: Codec, BlockNumber: Codec> {
		/// The disputes `slot` is in, as miner, challenger or arbiter, until they are pruned.
		fn disputes_of(slot: SlotId) -> Vec<DisputeDetails<AccountId, Balance, BlockNumber>>;
		/// One dispute, until it is pruned.
		fn dispute(id: DisputeId) -> Option<DisputeDetails<AccountId, Balance, BlockNumber>>;
		/// The leaf a miner posted for an open dispute.
		fn answer(id: DisputeId) -> Option<LeafAnswer>;
		/// Whether `slot` forfeited `epoch`, and the bounty owed from it.
		fn forfeit(slot: SlotId, epoch: EpochIndex) -> Option<Forfeit<AccountId>>;
	}
}

/// The most disputes [`Pallet::disputes_of`] returns: a slot's disputes are bounded by its
/// commits and seats, and a client pages through no more than this at once.
pub const MAX_LISTED: usize = 256;

impl<T: Config> Pallet<T> {
	/// The disputes of `slot` (`endpoint` reads a slot's endpoint from the neuronets pallet).
	pub fn disputes_of(
		slot: SlotId,
		endpoint: impl Fn(SlotId) -> Vec<u8>,
	) -> Vec<DisputeDetails<T::AccountId, crate::BalanceOf<T>, BlockNumberFor<T>>> {
		crate::Parties::<T>::iter_prefix(slot)
			.take(MAX_LISTED)
			.filter_map(|(id, role)| {
				let dispute = crate::Disputes::<T>::get(id)?;
				Some(DisputeDetails {
					id,
					role: Some(role),
					endpoint: endpoint(dispute.miner),
					dispute,
				})
			})
			.collect()
	}

	/// One dispute.
	pub fn dispute_details(
		id: DisputeId,
		endpoint: impl Fn(SlotId) -> Vec<u8>,
	) -> Option<DisputeDetails<T::AccountId, crate::BalanceOf<T>, BlockNumberFor<T>>> {
		crate::Disputes::<T>::get(id).map(|dispute| DisputeDetails {
			id,
			role: None,
			endpoint: endpoint(dispute.miner),
			dispute,
		})
	}
}
