//! # The Merkle-sum tree of a work batch (DESIGN §5)
//!
//! A worker folds the artefacts of a batch into a binary Merkle-sum tree and commits only the
//! root, the leaf count and the total work on-chain. Every node carries the sum of the work units
//! below it, so the root binds the claimed total work to the leaves, and every leaf hash binds
//! its index, so a leaf cannot be replayed at another position.
//!
//! The construction is fixed byte for byte; the runtime, the worker and any outside verifier
//! must agree:
//!
//! - a node is `(hash: [u8; 32], sum: u64)`;
//! - leaf `i` (0-based `u32`) with artefact bytes `a` (its SCALE encoding) and work units `w`:
//!   `hash = blake2_256(b"AETRON/leaf/v1" ‖ i.to_le_bytes() ‖ a)`, `sum = w`;
//! - parent of `l` and `r`: `sum = l.sum + r.sum` (overflow makes the batch invalid),
//!   `hash = blake2_256([0x01] ‖ l.hash ‖ r.hash ‖ sum.to_le_bytes())`;
//! - a level with an odd number of nodes promotes its last node unchanged to the next level;
//! - the root is the single node left; a batch has between 1 and 2^20 leaves;
//! - a proof for leaf `i` lists the sibling nodes from the leaf level up, skipping levels where
//!   the node was promoted; a verifier recomputes the expected proof length from
//!   `(i, leaf_count)` and rejects any other length.
//!
//! [`verify_proof`] is `no_std` and allocation-free, for the runtime. [`MerkleSumTree`] keeps
//! every level (40 bytes per node, about 80 bytes per leaf in all) so a worker serves proofs
//! without rebuilding.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Most leaves a batch may hold: 2^20 (a million requests in one commitment).
pub const MAX_LEAVES: u32 = 1 << 20;

/// Most siblings a proof can have: the depth of a tree of [`MAX_LEAVES`] leaves.
pub const MAX_PROOF_LEN: u32 = 20;

/// Domain separator of leaf hashes; a parent hash starts with [`PARENT_TAG`] instead, so no
/// leaf can pass for an inner node.
pub const LEAF_DOMAIN: &[u8] = b"AETRON/leaf/v1";

/// First byte of a parent's hash preimage.
pub const PARENT_TAG: u8 = 0x01;

/// A node of the tree: a hash and the work units summed below it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct SumNode {
	/// blake2-256 of the node's preimage.
	pub hash: [u8; 32],
	/// Work units of every leaf below this node.
	pub sum: u64,
}

/// Why a batch or a proof is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum MerkleError {
	/// A batch needs at least one leaf.
	Empty,
	/// More than [`MAX_LEAVES`] leaves.
	TooManyLeaves,
	/// The work units of two nodes add up to more than `u64::MAX`: the batch is invalid.
	SumOverflow,
	/// The leaf index is not below the leaf count.
	IndexOutOfRange,
	/// The proof has another length than `(index, leaf_count)` requires.
	WrongProofLength,
	/// The proof does not lead to the committed root (hash or sum differ).
	RootMismatch,
}

/// BLAKE2b-256 of the concatenation of `parts`, without allocating.
pub(crate) fn blake2_256(parts: &[&[u8]]) -> [u8; 32] {
	let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
	for part in parts {
		state.update(part);
	}
	let mut out = [0u8; 32];
	out.copy_from_slice(state.finalize().as_bytes());
	out
}

impl SumNode {
	/// Leaf `index` of a batch, for an artefact's SCALE bytes and its work units.
	pub fn leaf(index: u32, artefact: &[u8], work_units: u64) -> Self {
		Self { hash: blake2_256(&[LEAF_DOMAIN, &index.to_le_bytes(), artefact]), sum: work_units }
	}

	/// The parent of `left` and `right`, or [`MerkleError::SumOverflow`].
	pub fn parent(left: &Self, right: &Self) -> Result<Self, MerkleError> {
		let sum = left.sum.checked_add(right.sum).ok_or(MerkleError::SumOverflow)?;
		let hash = blake2_256(&[&[PARENT_TAG], &left.hash, &right.hash, &sum.to_le_bytes()]);
		Ok(Self { hash, sum })
	}
}

fn check_count(leaf_count: u32) -> Result<(), MerkleError> {
	match leaf_count {
		0 => Err(MerkleError::Empty),
		n if n > MAX_LEAVES => Err(MerkleError::TooManyLeaves),
		_ => Ok(()),
	}
}

/// Calls `visit(has_sibling, node_is_right_child)` for each level a proof of leaf `index` climbs
/// through, from the leaves up. A node has no sibling where it is the last of an odd level and is
/// promoted.
fn walk_levels(index: u32, leaf_count: u32, mut visit: impl FnMut(bool, bool)) {
	let (mut index, mut width) = (index, leaf_count);
	while width > 1 {
		let promoted = index == width - 1 && width % 2 == 1;
		visit(!promoted, index % 2 == 1);
		index /= 2;
		width = width / 2 + width % 2;
	}
}

/// How many siblings the proof of leaf `index` in a batch of `leaf_count` leaves has.
pub fn proof_len(index: u32, leaf_count: u32) -> Result<u32, MerkleError> {
	check_count(leaf_count)?;
	if index >= leaf_count {
		return Err(MerkleError::IndexOutOfRange);
	}
	let mut len = 0u32;
	walk_levels(index, leaf_count, |has_sibling, _| len += u32::from(has_sibling));
	Ok(len)
}

/// The root that `leaf` at `index` of a batch of `leaf_count` leaves leads to through `proof`.
///
/// A re-checker compares it with the committed root: a different hash means the leaf or the
/// proof is not the committed one, the same hash with another sum means the committed total is
/// not the tree's. No allocation and at most [`MAX_PROOF_LEN`] hashes, so the runtime can run it.
pub fn root_from_proof(
	leaf_count: u32,
	index: u32,
	leaf: &SumNode,
	proof: &[SumNode],
) -> Result<SumNode, MerkleError> {
	let expected = proof_len(index, leaf_count)?;
	if u32::try_from(proof.len()).map_or(true, |len| len != expected) {
		return Err(MerkleError::WrongProofLength);
	}
	let mut node = *leaf;
	let mut siblings = proof.iter();
	let mut result = Ok(());
	walk_levels(index, leaf_count, |has_sibling, is_right| {
		if !has_sibling || result.is_err() {
			return;
		}
		// The length check above guarantees a sibling for every level that has one.
		let Some(sibling) = siblings.next() else {
			result = Err(MerkleError::WrongProofLength);
			return;
		};
		let parent = if is_right {
			SumNode::parent(sibling, &node)
		} else {
			SumNode::parent(&node, sibling)
		};
		match parent {
			Ok(parent) => node = parent,
			Err(e) => result = Err(e),
		}
	});
	result.map(|()| node)
}

/// Checks that `leaf` sits at `index` of the batch committed as `root` with `leaf_count` leaves.
pub fn verify_proof(
	root: &SumNode,
	leaf_count: u32,
	index: u32,
	leaf: &SumNode,
	proof: &[SumNode],
) -> Result<(), MerkleError> {
	if root_from_proof(leaf_count, index, leaf, proof)? == *root {
		Ok(())
	} else {
		Err(MerkleError::RootMismatch)
	}
}

/// A whole tree, every level kept, so proofs are served without rebuilding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleSumTree {
	/// `levels[0]` are the leaves, the last level is the root alone.
	levels: Vec<Vec<SumNode>>,
}

impl MerkleSumTree {
	/// Builds the tree over `leaves` (made with [`SumNode::leaf`], in index order).
	pub fn from_leaves(leaves: Vec<SumNode>) -> Result<Self, MerkleError> {
		let count = u32::try_from(leaves.len()).map_err(|_| MerkleError::TooManyLeaves)?;
		check_count(count)?;
		let mut levels = Vec::with_capacity(MAX_PROOF_LEN as usize + 1);
		levels.push(leaves);
		while let Some(level) = levels.last().filter(|level| level.len() > 1) {
			let mut next = Vec::with_capacity(level.len().div_ceil(2));
			for pair in level.chunks(2) {
				let node = match pair {
					[left, right] => SumNode::parent(left, right)?,
					[last] => *last,
					// `chunks(2)` yields one or two nodes.
					_ => continue,
				};
				next.push(node);
			}
			levels.push(next);
		}
		Ok(Self { levels })
	}

	/// The root: the commitment to the batch and its total work.
	pub fn root(&self) -> SumNode {
		self.levels.last().and_then(|level| level.first()).copied().unwrap_or_default()
	}

	/// How many leaves the batch has.
	pub fn leaf_count(&self) -> u32 {
		self.levels.first().map_or(0, |leaves| leaves.len() as u32)
	}

	/// Leaf `index`.
	pub fn leaf(&self, index: u32) -> Option<SumNode> {
		self.levels.first().and_then(|leaves| leaves.get(index as usize)).copied()
	}

	/// Bytes the tree keeps on the heap (every level's allocation).
	pub fn heap_bytes(&self) -> usize {
		let nodes: usize = self.levels.iter().map(Vec::capacity).sum();
		nodes * core::mem::size_of::<SumNode>()
			+ self.levels.capacity() * core::mem::size_of::<Vec<SumNode>>()
	}

	/// The proof of leaf `index`: its siblings from the leaf level up.
	pub fn proof(&self, index: u32) -> Result<Vec<SumNode>, MerkleError> {
		let len = proof_len(index, self.leaf_count())?;
		let mut proof = Vec::with_capacity(len as usize);
		let mut position = index as usize;
		let below_root = self.levels.split_last().map_or(&[][..], |(_, below)| below);
		for level in below_root {
			let sibling = position ^ 1;
			if let Some(node) = level.get(sibling) {
				proof.push(*node);
			}
			position /= 2;
		}
		Ok(proof)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn artefact(i: u32) -> Vec<u8> {
		(0..(i % 7 + 1)).map(|b| (b as u8).wrapping_mul(31).wrapping_add(i as u8)).collect()
	}

	fn tree(count: u32) -> MerkleSumTree {
		let leaves = (0..count).map(|i| SumNode::leaf(i, &artefact(i), u64::from(i) + 1)).collect();
		MerkleSumTree::from_leaves(leaves).expect("valid batch")
	}

	#[test]
	fn leaf_and_parent_hash_exactly_as_specified() {
		let leaf = SumNode::leaf(3, b"abc", 9);
		let mut preimage = b"AETRON/leaf/v1".to_vec();
		preimage.extend_from_slice(&3u32.to_le_bytes());
		preimage.extend_from_slice(b"abc");
		assert_eq!(leaf.hash, sp_crypto_hashing::blake2_256(&preimage));
		assert_eq!(leaf.sum, 9);

		let other = SumNode::leaf(4, b"de", 5);
		let parent = SumNode::parent(&leaf, &other).unwrap();
		let mut preimage = vec![0x01];
		preimage.extend_from_slice(&leaf.hash);
		preimage.extend_from_slice(&other.hash);
		preimage.extend_from_slice(&14u64.to_le_bytes());
		assert_eq!(parent.hash, sp_crypto_hashing::blake2_256(&preimage));
		assert_eq!(parent.sum, 14);
	}

	#[test]
	fn odd_levels_promote_their_last_node_unchanged() {
		let t = tree(3);
		let [a, b, c] = [0, 1, 2].map(|i| t.leaf(i).unwrap());
		let ab = SumNode::parent(&a, &b).unwrap();
		assert_eq!(t.root(), SumNode::parent(&ab, &c).unwrap());
		assert_eq!(t.proof(2).unwrap(), vec![ab]);
		assert_eq!(t.proof(0).unwrap(), vec![b, c]);
	}

	#[test]
	fn a_single_leaf_is_its_own_root_with_an_empty_proof() {
		let t = tree(1);
		assert_eq!(t.root(), t.leaf(0).unwrap());
		assert_eq!(t.proof(0).unwrap(), vec![]);
		assert_eq!(verify_proof(&t.root(), 1, 0, &t.leaf(0).unwrap(), &[]), Ok(()));
	}

	#[test]
	fn every_proof_verifies_for_every_leaf_count_up_to_300() {
		for count in 1..=300u32 {
			let t = tree(count);
			let root = t.root();
			assert_eq!(root.sum, u64::from(count) * (u64::from(count) + 1) / 2);
			for index in 0..count {
				let proof = t.proof(index).unwrap();
				assert_eq!(proof.len() as u32, proof_len(index, count).unwrap());
				let leaf = t.leaf(index).unwrap();
				assert_eq!(
					verify_proof(&root, count, index, &leaf, &proof),
					Ok(()),
					"{count}/{index}"
				);
			}
		}
	}

	#[test]
	fn tampered_proofs_wrong_indices_and_sums_are_refused() {
		for count in 1..=300u32 {
			let t = tree(count);
			let root = t.root();
			for index in 0..count {
				let leaf = t.leaf(index).unwrap();
				let proof = t.proof(index).unwrap();
				// Another leaf's content at this index.
				let forged = SumNode::leaf(index, b"forged", leaf.sum);
				assert_eq!(
					verify_proof(&root, count, index, &forged, &proof),
					Err(MerkleError::RootMismatch)
				);
				// The same leaf claiming more work.
				let inflated = SumNode { sum: leaf.sum + 1, ..leaf };
				assert_eq!(
					verify_proof(&root, count, index, &inflated, &proof),
					Err(MerkleError::RootMismatch)
				);
				// The leaf presented at another index (of the same proof length).
				if let Some(other) = (0..count)
					.find(|&j| j != index && proof_len(j, count).unwrap() == proof.len() as u32)
				{
					assert!(verify_proof(&root, count, other, &leaf, &proof).is_err());
				}
				for k in 0..proof.len() {
					// A flipped bit in a sibling's hash, or a changed sibling sum.
					let mut bad = proof.clone();
					bad[k].hash[k % 32] ^= 1;
					assert_eq!(
						verify_proof(&root, count, index, &leaf, &bad),
						Err(MerkleError::RootMismatch)
					);
					let mut bad = proof.clone();
					bad[k].sum = bad[k].sum.wrapping_add(1);
					assert!(verify_proof(&root, count, index, &leaf, &bad).is_err());
				}
				// A sibling too many or too few.
				let mut longer = proof.clone();
				longer.push(leaf);
				assert_eq!(
					verify_proof(&root, count, index, &leaf, &longer),
					Err(MerkleError::WrongProofLength)
				);
				if !proof.is_empty() {
					assert_eq!(
						verify_proof(&root, count, index, &leaf, &proof[1..]),
						Err(MerkleError::WrongProofLength)
					);
				}
			}
			assert_eq!(
				verify_proof(&root, count, count, &root, &[]),
				Err(MerkleError::IndexOutOfRange)
			);
		}
	}

	#[test]
	fn overflowing_work_makes_the_batch_invalid() {
		let leaves = vec![SumNode::leaf(0, b"a", u64::MAX), SumNode::leaf(1, b"b", 1)];
		assert_eq!(MerkleSumTree::from_leaves(leaves.clone()), Err(MerkleError::SumOverflow));
		// A proof that would need the overflowing sum is refused too.
		let fake_root = SumNode::default();
		assert_eq!(
			verify_proof(&fake_root, 2, 0, &leaves[0], &leaves[1..]),
			Err(MerkleError::SumOverflow)
		);
	}

	#[test]
	fn batch_sizes_outside_one_to_two_to_the_twenty_are_refused() {
		assert_eq!(MerkleSumTree::from_leaves(vec![]), Err(MerkleError::Empty));
		assert_eq!(proof_len(0, 0), Err(MerkleError::Empty));
		assert_eq!(proof_len(0, MAX_LEAVES + 1), Err(MerkleError::TooManyLeaves));
		assert_eq!(proof_len(0, MAX_LEAVES), Ok(MAX_PROOF_LEN));
		assert_eq!(proof_len(MAX_LEAVES - 1, MAX_LEAVES), Ok(MAX_PROOF_LEN));
	}

	#[test]
	fn a_full_batch_keeps_at_most_96_bytes_a_leaf() {
		let leaves: Vec<_> =
			(0..MAX_LEAVES).map(|i| SumNode::leaf(i, &i.to_le_bytes(), 1)).collect();
		let t = MerkleSumTree::from_leaves(leaves).unwrap();
		assert_eq!(t.root().sum, u64::from(MAX_LEAVES));
		let per_leaf = t.heap_bytes() as f64 / f64::from(MAX_LEAVES);
		assert!(per_leaf <= 96.0, "{per_leaf} bytes a leaf");
		let last = MAX_LEAVES - 1;
		let proof = t.proof(last).unwrap();
		assert_eq!(proof.len() as u32, MAX_PROOF_LEN);
		assert_eq!(
			verify_proof(&t.root(), MAX_LEAVES, last, &t.leaf(last).unwrap(), &proof),
			Ok(())
		);
	}

	#[test]
	fn proofs_encode_to_forty_bytes_a_sibling() {
		assert_eq!(SumNode::max_encoded_len(), 40);
		assert_eq!(SumNode::default().encode().len(), 40);
	}
}
