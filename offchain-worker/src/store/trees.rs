//! The bounded cache of closed batches' Merkle-sum trees.
//!
//! A proof needs the batch's whole tree (80 bytes a leaf: every level's nodes), and a miner
//! that keeps every tree it ever closed grows without bound. The cache keeps the trees proofs
//! were asked of most recently, up to a total number of leaves; a miss rebuilds the tree from
//! the stored leaf nodes (40 bytes each, read in one range scan: about half a second for a full
//! batch of 2^20), so a re-checker asking for an old batch's leaf is served a little later,
//! never refused.

use std::sync::Arc;

use aetron_primitives::merkle::MerkleSumTree;
use lru::LruCache;

/// The default bound: two full batches (2^21 leaves, about 160 MiB of trees).
pub const DEFAULT_CAPACITY_LEAVES: u64 = 2 << 20;

/// Trees by batch number, least recently used first out.
pub struct TreeCache {
	trees: LruCache<u64, Arc<MerkleSumTree>>,
	/// Leaves of the trees held.
	leaves: u64,
	/// Most leaves held, except that the most recently used tree always stays.
	capacity: u64,
}

impl TreeCache {
	/// An empty cache of at most `capacity` leaves.
	pub fn new(capacity: u64) -> Self {
		Self { trees: LruCache::unbounded(), leaves: 0, capacity }
	}

	/// `batch`'s tree, if held; it becomes the most recently used.
	pub fn get(&mut self, batch: u64) -> Option<Arc<MerkleSumTree>> {
		self.trees.get(&batch).cloned()
	}

	/// Holds `tree` as `batch`'s, the most recently used, and lets the least recently used go
	/// until the cache is within its bound again. A tree larger than the bound is still held,
	/// alone: the batch being asked about is the one most likely to be asked about next.
	pub fn insert(&mut self, batch: u64, tree: Arc<MerkleSumTree>) {
		self.leaves = self.leaves.saturating_add(u64::from(tree.leaf_count()));
		if let Some(old) = self.trees.put(batch, tree) {
			self.leaves = self.leaves.saturating_sub(u64::from(old.leaf_count()));
		}
		while self.leaves > self.capacity && self.trees.len() > 1 {
			if let Some((_, evicted)) = self.trees.pop_lru() {
				self.leaves = self.leaves.saturating_sub(u64::from(evicted.leaf_count()));
			}
		}
	}

	/// Forgets `batch`'s tree (the batch was pruned).
	pub fn remove(&mut self, batch: u64) {
		if let Some(tree) = self.trees.pop(&batch) {
			self.leaves = self.leaves.saturating_sub(u64::from(tree.leaf_count()));
		}
	}

	/// Leaves of the trees held.
	pub fn leaves(&self) -> u64 {
		self.leaves
	}

	/// Trees held.
	pub fn len(&self) -> usize {
		self.trees.len()
	}

	/// Whether no tree is held.
	pub fn is_empty(&self) -> bool {
		self.trees.is_empty()
	}
}

#[cfg(test)]
mod tests {
	use aetron_primitives::merkle::SumNode;

	use super::*;

	fn tree(leaves: u32) -> Arc<MerkleSumTree> {
		let nodes = (0..leaves).map(|i| SumNode::leaf(i, &i.to_le_bytes(), 1)).collect();
		Arc::new(MerkleSumTree::from_leaves(nodes).unwrap())
	}

	#[test]
	fn the_least_recently_used_trees_go_first_and_the_bound_holds() {
		let mut cache = TreeCache::new(10);
		cache.insert(0, tree(4));
		cache.insert(1, tree(4));
		assert_eq!(cache.leaves(), 8);
		// Batch 0 is used, so batch 1 is the one to go when batch 2 arrives.
		assert!(cache.get(0).is_some());
		cache.insert(2, tree(4));
		assert_eq!((cache.len(), cache.leaves()), (2, 8));
		assert!(cache.get(1).is_none());
		assert!(cache.get(0).is_some() && cache.get(2).is_some());
	}

	#[test]
	fn a_tree_larger_than_the_bound_is_held_alone() {
		let mut cache = TreeCache::new(10);
		cache.insert(0, tree(4));
		cache.insert(1, tree(16));
		assert_eq!((cache.len(), cache.leaves()), (1, 16));
		assert!(cache.get(1).is_some());
		cache.insert(2, tree(2));
		assert_eq!((cache.len(), cache.leaves()), (1, 2));
	}

	#[test]
	fn replacing_and_removing_keep_the_count() {
		let mut cache = TreeCache::new(100);
		cache.insert(0, tree(4));
		cache.insert(0, tree(8));
		assert_eq!((cache.len(), cache.leaves()), (1, 8));
		cache.remove(0);
		cache.remove(7);
		assert!(cache.is_empty());
		assert_eq!(cache.leaves(), 0);
	}
}
