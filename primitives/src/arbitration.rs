//! # Arbitration (DESIGN §7): what the chain, the arbiters and the miners agree on
//!
//! Pure functions of on-chain data, like [`crate::work`], so the runtime, every worker and any
//! outside verifier derive the same panels, vote hashes and answer checks:
//!
//! - a dispute's panel seed: `blake2_256(randomness ‖ "panel" ‖ dispute_id)`, with randomness
//!   that became known only after the dispute opened ([`panel_seed`]); try `t` for panel seat
//!   `j` is slot `u64(blake2_256(seed ‖ "arbiter" ‖ j ‖ t)) mod n` of the neuronet's
//!   active-slot index ([`panel_position`]);
//! - a vote's commitment: `blake2_256(SCALE(vote) ‖ salt ‖ arbiter_slot ‖ dispute_id)`
//!   ([`vote_hash`]);
//! - a miner's on-chain answer to an unavailable-data dispute ([`LeafAnswer`]) is accepted
//!   when [`check_answer`] finds the leaf at its index under the committed root, served by the
//!   miner's slot in the committed batch, with the request, response and client signature the
//!   header hashes.
//!
//! All integers are hashed little-endian (their SCALE encoding).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{bounded::BoundedVec, ConstU32};

use crate::{
	artefact::{ArtefactHeader, NeuronetId},
	merkle::{blake2_256, root_from_proof, SumNode, MAX_PROOF_LEN},
	traits::SlotId,
};

/// A dispute's id on-chain, unique and never reused.
pub type DisputeId = u64;

/// The largest panel (the governed `PanelSize` is odd and at most this).
pub const MAX_PANEL: u32 = 15;

/// The largest request or response body an answer may post (1 MiB each): an embedding request
/// and its answer are a few kilobytes, a long completion some tens.
pub const MAX_ANSWER_BODY: u32 = 1 << 20;

/// A posted body.
pub type AnswerBody = BoundedVec<u8, ConstU32<MAX_ANSWER_BODY>>;

/// An arbiter's judgement of the disputed leaf.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Vote {
	/// Whether the leaf is what the neuronet's model gives (within tolerance) and everything
	/// that pays re-derives.
	pub miner_honest: bool,
	/// blake2-256 of what the arbiter re-computed (its fingerprint encoding), so votes can be
	/// audited and compared afterwards.
	pub digest: [u8; 32],
}

/// The commitment to `vote` by arbiter `slot` on `dispute`.
pub fn vote_hash(vote: &Vote, salt: &[u8; 32], slot: SlotId, dispute: DisputeId) -> [u8; 32] {
	blake2_256(&[&vote.encode(), salt, &slot.to_le_bytes(), &dispute.to_le_bytes()])
}

/// The seed of `dispute`'s panel from randomness unknown when it opened.
pub fn panel_seed(randomness: &[u8], dispute: DisputeId) -> [u8; 32] {
	blake2_256(&[randomness, b"panel", &dispute.to_le_bytes()])
}

/// Try `attempt` of the draw for panel seat `seat`: an index into the neuronet's `active`
/// slots.
pub fn panel_position(seed: &[u8; 32], seat: u32, attempt: u32, active: u32) -> u32 {
	let hash = blake2_256(&[seed, b"arbiter", &seat.to_le_bytes(), &attempt.to_le_bytes()]);
	let mut bytes = [0u8; 8];
	bytes.copy_from_slice(hash.get(..8).unwrap_or(&[0; 8]));
	(u64::from_le_bytes(bytes) % u64::from(active.max(1))) as u32
}

/// A miner's answer to an unavailable-data dispute: the disputed leaf, posted on-chain so the
/// panel judges it from there.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct LeafAnswer {
	/// The artefact header (the leaf preimage).
	pub artefact: ArtefactHeader,
	/// The request body the model saw.
	pub request: AnswerBody,
	/// The response body the worker sent.
	pub response: AnswerBody,
	/// The client's key and signature, when the request was signed.
	pub client: Option<([u8; 32], [u8; 64])>,
	/// Siblings from the leaf up to the root.
	pub proof: BoundedVec<SumNode, ConstU32<MAX_PROOF_LEN>>,
}

/// What the chain knows of the disputed leaf, to check an answer against.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DisputedLeaf {
	/// The committed root.
	pub root: SumNode,
	/// The batch's leaves.
	pub leaf_count: u32,
	/// The disputed leaf's index.
	pub leaf_index: u32,
	/// The miner's slot.
	pub slot: SlotId,
	/// The batch's neuronet.
	pub neuronet: NeuronetId,
	/// The miner's number of the batch.
	pub batch_number: u64,
}

/// Why an answer was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum AnswerError {
	/// The proof does not lead from the leaf to the committed root (hash and sum).
	BadProof,
	/// The header names another slot, neuronet or batch than the committed one.
	Misattributed,
	/// The request or response is not the one the header hashes.
	BodyMismatch,
	/// The client signature is not the one the header hashes (or is missing or extra).
	SignatureMismatch,
}

/// Checks `answer` against the committed batch and returns the leaf's work units.
pub fn check_answer(answer: &LeafAnswer, leaf: &DisputedLeaf) -> Result<u64, AnswerError> {
	let header = &answer.artefact;
	if header.slot != leaf.slot
		|| header.neuronet != leaf.neuronet
		|| header.batch != leaf.batch_number
	{
		return Err(AnswerError::Misattributed);
	}
	if blake2_256(&[&answer.request[..]]) != header.input_hash
		|| blake2_256(&[&answer.response[..]]) != header.output_hash
	{
		return Err(AnswerError::BodyMismatch);
	}
	let signature_hash =
		answer.client.map_or([0; 32], |(_, signature)| blake2_256(&[&signature[..]]));
	if signature_hash != header.client_signature_hash {
		return Err(AnswerError::SignatureMismatch);
	}
	let node = header.leaf(leaf.leaf_index);
	match root_from_proof(leaf.leaf_count, leaf.leaf_index, &node, &answer.proof) {
		Ok(root) if root == leaf.root => Ok(header.work_units),
		_ => Err(AnswerError::BadProof),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{artefact::ARTEFACT_VERSION, merkle::MerkleSumTree};

	fn header(
		i: u32,
		request: &[u8],
		response: &[u8],
		signature: Option<&[u8; 64]>,
	) -> ArtefactHeader {
		ArtefactHeader {
			version: ARTEFACT_VERSION,
			neuronet: 4,
			slot: 9,
			batch: 17,
			request_id: [i as u8; 16],
			client_signature_hash: signature.map_or([0; 32], |s| blake2_256(&[&s[..]])),
			input_hash: blake2_256(&[request]),
			output_hash: blake2_256(&[response]),
			input_units: 3,
			output_units: 5,
			work_units: 10 + u64::from(i),
			seed: 1,
			fingerprint: BoundedVec::truncate_from(vec![i as u8; 16]),
		}
	}

	/// A batch of five leaves, leaf 3 signed, and the answer for leaf 3 with what the chain knows.
	fn answered() -> (LeafAnswer, DisputedLeaf) {
		let signature = [7u8; 64];
		let headers: Vec<_> = (0..5)
			.map(|i| {
				let sig = (i == 3).then_some(&signature);
				header(i, format!("req {i}").as_bytes(), format!("resp {i}").as_bytes(), sig)
			})
			.collect();
		let tree =
			MerkleSumTree::from_leaves(headers.iter().zip(0..).map(|(h, i)| h.leaf(i)).collect())
				.unwrap();
		let answer = LeafAnswer {
			artefact: headers[3].clone(),
			request: BoundedVec::truncate_from(b"req 3".to_vec()),
			response: BoundedVec::truncate_from(b"resp 3".to_vec()),
			client: Some(([1; 32], signature)),
			proof: BoundedVec::truncate_from(tree.proof(3).unwrap()),
		};
		let leaf = DisputedLeaf {
			root: tree.root(),
			leaf_count: 5,
			leaf_index: 3,
			slot: 9,
			neuronet: 4,
			batch_number: 17,
		};
		(answer, leaf)
	}

	#[test]
	fn a_true_answer_is_accepted_with_its_work() {
		let (answer, leaf) = answered();
		assert_eq!(check_answer(&answer, &leaf), Ok(13));
	}

	#[test]
	fn every_tampered_field_is_refused_by_name() {
		let (answer, leaf) = answered();
		let refused = |f: &dyn Fn(&mut LeafAnswer, &mut DisputedLeaf)| {
			let (mut a, mut l) = (answer.clone(), leaf);
			f(&mut a, &mut l);
			check_answer(&a, &l).unwrap_err()
		};
		assert_eq!(refused(&|a, _| a.artefact.work_units += 1), AnswerError::BadProof);
		assert_eq!(refused(&|_, l| l.leaf_index = 2), AnswerError::BadProof);
		assert_eq!(refused(&|_, l| l.root.sum -= 1), AnswerError::BadProof);
		assert_eq!(
			refused(&|a, _| {
				a.proof.pop();
			}),
			AnswerError::BadProof
		);
		assert_eq!(refused(&|_, l| l.slot = 8), AnswerError::Misattributed);
		assert_eq!(refused(&|_, l| l.batch_number = 18), AnswerError::Misattributed);
		assert_eq!(refused(&|_, l| l.neuronet = 5), AnswerError::Misattributed);
		assert_eq!(
			refused(&|a, _| a.response = BoundedVec::truncate_from(b"resp 4".to_vec())),
			AnswerError::BodyMismatch
		);
		assert_eq!(
			refused(&|a, _| a.request = BoundedVec::truncate_from(b"req".to_vec())),
			AnswerError::BodyMismatch
		);
		assert_eq!(refused(&|a, _| a.client = None), AnswerError::SignatureMismatch);
		assert_eq!(
			refused(&|a, _| a.client = Some(([1; 32], [8; 64]))),
			AnswerError::SignatureMismatch
		);
	}

	#[test]
	fn vote_hashes_bind_vote_salt_slot_and_dispute() {
		let vote = Vote { miner_honest: true, digest: [3; 32] };
		let h = vote_hash(&vote, &[1; 32], 5, 6);
		assert_ne!(h, vote_hash(&Vote { miner_honest: false, ..vote }, &[1; 32], 5, 6));
		assert_ne!(h, vote_hash(&vote, &[2; 32], 5, 6));
		assert_ne!(h, vote_hash(&vote, &[1; 32], 4, 6));
		assert_ne!(h, vote_hash(&vote, &[1; 32], 5, 7));
	}

	#[test]
	fn panel_draws_cover_the_index_and_depend_on_the_seed() {
		let seed = panel_seed(&[1; 32], 3);
		assert_ne!(seed, panel_seed(&[1; 32], 4));
		let mut seen = [false; 7];
		for attempt in 0..200 {
			seen[panel_position(&seed, 0, attempt, 7) as usize] = true;
		}
		assert!(seen.iter().all(|&s| s));
		assert_eq!(panel_position(&seed, 2, 1, 0), 0);
	}
}
