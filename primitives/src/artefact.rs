//! # The artefact of one served request (DESIGN §5)
//!
//! After each response a worker keeps the request, the response and this header. Its SCALE
//! encoding is the leaf preimage of the batch's Merkle-sum tree ([`ArtefactHeader::leaf`]), so
//! the on-chain root commits to every field: which slot served it and in which of its batches
//! (so a leaf cannot be committed twice, by another slot or under another batch number), who
//! asked (the hash of the client's signature, which covers the slot), what was asked and
//! answered (input and output hashes), how much work it was, the seed that makes sampling
//! reproducible, and the fingerprint a re-checker compares within tolerance.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{bounded::BoundedVec, ConstU32};

use crate::{merkle::SumNode, traits::SlotId};

/// Identifies a neuronet (one network per model).
pub type NeuronetId = u32;

/// The header layout this code writes; readers refuse versions they do not know. Version 2 added
/// the serving slot and batch number.
pub const ARTEFACT_VERSION: u8 = 2;

/// The slot of a worker that serves without a chain (`aetron-worker serve`): such leaves can
/// never be committed, as no slot has this id.
pub const NO_SLOT: SlotId = SlotId::MAX;

/// Upper bound of a fingerprint's encoding: a TOPLOC-style top-k encoding is a few hundred bytes.
pub const MAX_FINGERPRINT_LEN: u32 = 1024;

/// A fingerprint of the model's final hidden state, compared by re-checkers with tolerance.
pub type Fingerprint = BoundedVec<u8, ConstU32<MAX_FINGERPRINT_LEN>>;

/// The SCALE header of one request's artefact.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ArtefactHeader {
	/// Layout version ([`ARTEFACT_VERSION`]).
	pub version: u8,
	/// The neuronet whose model served the request.
	pub neuronet: NeuronetId,
	/// The slot that served it ([`NO_SLOT`] off-chain).
	pub slot: SlotId,
	/// The serving worker's batch number (its store's, the one `commit_batch` names).
	pub batch: u64,
	/// The worker's id of the request.
	pub request_id: [u8; 16],
	/// blake2-256 of the client's signature over the request, or zeros when unsigned.
	pub client_signature_hash: [u8; 32],
	/// blake2-256 of the request body the model saw.
	pub input_hash: [u8; 32],
	/// blake2-256 of the response body.
	pub output_hash: [u8; 32],
	/// Input units (tokens, pixels·steps, …) by the neuronet's pricing.
	pub input_units: u32,
	/// Output units.
	pub output_units: u32,
	/// Work units claimed for this request: the leaf's sum in the batch tree.
	pub work_units: u64,
	/// Seed of any sampling, so a re-checker reproduces every choice.
	pub seed: u64,
	/// Fingerprint of the final hidden state.
	pub fingerprint: Fingerprint,
}

impl ArtefactHeader {
	/// This artefact as leaf `index` of a batch.
	pub fn leaf(&self, index: u32) -> SumNode {
		SumNode::leaf(index, &self.encode(), self.work_units)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::merkle::{verify_proof, MerkleSumTree};

	fn header(i: u8) -> ArtefactHeader {
		ArtefactHeader {
			version: ARTEFACT_VERSION,
			neuronet: 7,
			slot: 3,
			batch: 11,
			request_id: [i; 16],
			client_signature_hash: [1; 32],
			input_hash: [2; 32],
			output_hash: [i; 32],
			input_units: 12,
			output_units: 30,
			work_units: 42 + u64::from(i),
			seed: 99,
			fingerprint: BoundedVec::truncate_from(vec![i; 64]),
		}
	}

	#[test]
	fn header_round_trips_and_stays_within_its_bound() {
		let h = header(3);
		let bytes = h.encode();
		assert_eq!(ArtefactHeader::decode(&mut &bytes[..]), Ok(h));
		assert!(bytes.len() <= ArtefactHeader::max_encoded_len());
	}

	#[test]
	fn a_changed_field_changes_the_leaf_and_breaks_the_proof() {
		let headers: Vec<_> = (0..5).map(header).collect();
		let tree =
			MerkleSumTree::from_leaves(headers.iter().zip(0..).map(|(h, i)| h.leaf(i)).collect())
				.unwrap();
		let proof = tree.proof(2).unwrap();
		assert_eq!(verify_proof(&tree.root(), 5, 2, &headers[2].leaf(2), &proof), Ok(()));

		let mut tampered = headers[2].clone();
		tampered.output_hash[0] ^= 1;
		assert!(verify_proof(&tree.root(), 5, 2, &tampered.leaf(2), &proof).is_err());
		let mut inflated = headers[2].clone();
		inflated.work_units += 1;
		assert!(verify_proof(&tree.root(), 5, 2, &inflated.leaf(2), &proof).is_err());
	}
}
