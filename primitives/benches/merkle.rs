//! The Merkle-sum tree budget (DESIGN §12): building the tree over 2^20 leaves costs at most 1.5×
//! its hashes alone. `hashes_only` computes the same 2^20 leaf hashes and 2^20 − 1 parent hashes
//! without keeping anything; `build_tree` hashes the leaves and builds the kept tree.
//!
//! Run: `cargo bench -p aetron-primitives --bench merkle`.

use aetron_primitives::merkle::{MerkleSumTree, SumNode, MAX_LEAVES};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

/// A stand-in artefact of a realistic size (an encoded header with a 256-byte fingerprint).
fn artefact(i: u32) -> Vec<u8> {
	let mut bytes = vec![0u8; 420];
	bytes[..4].copy_from_slice(&i.to_le_bytes());
	bytes
}

fn merkle(c: &mut Criterion) {
	let artefacts: Vec<Vec<u8>> = (0..MAX_LEAVES).map(artefact).collect();
	let mut group = c.benchmark_group("merkle_2^20");
	group.sample_size(10);

	group.bench_function("hashes_only", |b| {
		b.iter(|| {
			let mut acc = SumNode::default();
			for (i, a) in artefacts.iter().enumerate() {
				acc = SumNode::leaf(i as u32, a, 1);
			}
			// As many parent hashes as a tree of 2^20 leaves has.
			let right = SumNode::default();
			for _ in 1..MAX_LEAVES {
				acc = SumNode::parent(&acc, &right).unwrap_or_default();
			}
			black_box(acc)
		})
	});

	group.bench_function("build_tree", |b| {
		b.iter(|| {
			let leaves =
				artefacts.iter().enumerate().map(|(i, a)| SumNode::leaf(i as u32, a, 1)).collect();
			black_box(MerkleSumTree::from_leaves(leaves).map(|t| t.root()))
		})
	});
	group.finish();
}

criterion_group!(benches, merkle);
criterion_main!(benches);
