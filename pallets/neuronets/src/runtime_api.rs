//! What a worker or UI asks the runtime about neuronets: figures that are computed, not stored
//! (the decayed registration price, the adjusted proof-of-work difficulty).

use crate::NeuronetId;
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// Neuronet figures for clients.
	pub trait NeuronetsApi<Balance: Codec> {
		/// What registering in `neuronet` by fee costs in this block, if it exists.
		fn registration_price(neuronet: NeuronetId) -> Option<Balance>;
		/// The proof-of-work difficulty a seal must meet in this block, if the neuronet exists.
		fn pow_difficulty(neuronet: NeuronetId) -> Option<u64>;
	}
}
