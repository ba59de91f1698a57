//! What a worker, a UI or the node's JSON RPC asks the runtime about neuronets and slots:
//! stored records together with the figures computed from them (the decayed registration
//! price, the adjusted proof-of-work difficulty, a slot's uptime and reputation).

use crate::{Neuronet, NeuronetId, Slot, SlotId};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// A neuronet with its current registration figures.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct NeuronetDetails<AccountId, Balance, BlockNumber> {
	/// Its id.
	pub id: NeuronetId,
	/// The stored record.
	pub neuronet: Neuronet<AccountId, Balance, BlockNumber>,
	/// What registering by fee costs in this block.
	pub registration_price: Balance,
	/// The difficulty a proof of work must meet in this block.
	pub pow_difficulty: u64,
}

/// Where a slot is in its life, deregistration included.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub enum SlotStatus {
	/// Registered; waiting for its reference checks.
	Pending,
	/// Passed its reference checks; serving.
	Active,
	/// Deregistered (its record is gone; ids are never reused).
	Deregistered,
}

/// A slot with its status, uptime and reputation.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct SlotDetails<AccountId, BlockNumber> {
	/// Its id.
	pub id: SlotId,
	/// Its status.
	pub status: SlotStatus,
	/// The stored record (`None` once deregistered).
	pub slot: Option<Slot<AccountId, BlockNumber>>,
	/// Heartbeats received over heartbeats expected since registration.
	pub uptime: Perbill,
	/// Its reputation now.
	pub reputation: Perbill,
}

sp_api::decl_runtime_apis! {
	/// Neuronets and slots for clients.
	pub trait NeuronetsApi<AccountId: Codec, Balance: Codec, BlockNumber: Codec> {
		/// What registering in `neuronet` by fee costs in this block, if it exists.
		fn registration_price(neuronet: NeuronetId) -> Option<Balance>;
		/// The proof-of-work difficulty a seal must meet in this block, if the neuronet exists.
		fn pow_difficulty(neuronet: NeuronetId) -> Option<u64>;
		/// Every neuronet (at most `MaxNeuronets`), retired ones included.
		fn neuronets() -> Vec<NeuronetDetails<AccountId, Balance, BlockNumber>>;
		/// One neuronet.
		fn neuronet(neuronet: NeuronetId) -> Option<NeuronetDetails<AccountId, Balance, BlockNumber>>;
		/// The live slots `coldkey` holds.
		fn slots_of(coldkey: AccountId) -> Vec<SlotDetails<AccountId, BlockNumber>>;
		/// One slot, if its id was ever issued.
		fn slot(slot: SlotId) -> Option<SlotDetails<AccountId, BlockNumber>>;
	}
}
