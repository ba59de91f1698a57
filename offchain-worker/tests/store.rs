//! The artefact store: positions, batch closing, proofs, persistence, group commit of
//! concurrent appends, and a `kill -9` in the middle of concurrent streams of appends.

use std::{
	io::{BufRead, BufReader},
	process::{Command, Stdio},
};

use aetron_primitives::{
	artefact::{ArtefactHeader, ARTEFACT_VERSION},
	merkle::{verify_proof, MerkleSumTree},
};
use aetron_worker::store::{
	ArtefactStore, Entry, Lookup, Position, VerdictPhase, VerdictRecord, VoteRecord, SWEEP_CHUNK,
};

fn entry(n: u64) -> Entry {
	let artefact = ArtefactHeader {
		version: ARTEFACT_VERSION,
		neuronet: 1,
		slot: 3,
		batch: 0,
		request_id: (n as u128).to_le_bytes(),
		client_signature_hash: [0; 32],
		input_hash: [n as u8; 32],
		output_hash: [(n >> 8) as u8; 32],
		input_units: 10,
		output_units: 20,
		work_units: 30 + n,
		seed: n,
		fingerprint: Default::default(),
	};
	Entry {
		request: format!("request {n}").into_bytes(),
		response: b"ok".to_vec(),
		artefact,
		client: None,
	}
}

/// `entry(n)` as the store keeps it in `batch`: the store writes the batch number into the
/// artefact, so a leaf names the batch it is committed in.
fn entry_in(n: u64, batch: u64) -> Entry {
	let mut e = entry(n);
	e.artefact.batch = batch;
	e
}

fn assert_proves(store: &ArtefactStore, position: Position) {
	let proven = store.proven_entry(position).unwrap().expect("closed batch serves proofs");
	assert_eq!(proven.leaf, proven.entry.artefact.leaf(position.index));
	assert_eq!(
		verify_proof(&proven.root, proven.leaf_count, position.index, &proven.leaf, &proven.proof),
		Ok(())
	);
}

#[test]
fn appends_fill_batches_in_order_and_a_full_batch_closes_with_the_right_root() {
	let dir = tempfile::tempdir().unwrap();
	let store = ArtefactStore::open(&dir.path().join("a.redb"), 4).unwrap();
	let positions: Vec<_> = (0..6).map(|n| store.append(&entry(n)).unwrap()).collect();
	let expected: Vec<_> = [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1)]
		.map(|(batch, index)| Position { batch, index })
		.to_vec();
	assert_eq!(positions, expected);

	let info = store.batch(0).unwrap().unwrap();
	assert_eq!(info.leaf_count, 4);
	let tree =
		MerkleSumTree::from_leaves((0..4).map(|n| entry(n).artefact.leaf(n as u32)).collect())
			.unwrap();
	assert_eq!(info.root, Some(tree.root()));
	assert_eq!(tree.root().sum, 30 + 31 + 32 + 33);
	for index in 0..4 {
		assert_proves(&store, Position { batch: 0, index });
	}
	// The open batch serves entries but no proofs yet.
	assert_eq!(store.entry(Position { batch: 1, index: 1 }).unwrap(), Some(entry_in(5, 1)));
	assert_eq!(store.proven_entry(Position { batch: 1, index: 0 }).unwrap(), None);
	assert_eq!(store.open_batch().unwrap(), 1);
}

#[test]
fn an_old_batch_closes_by_age_and_an_empty_one_does_not() {
	let dir = tempfile::tempdir().unwrap();
	let store = ArtefactStore::open(&dir.path().join("a.redb"), 1 << 20).unwrap();
	assert_eq!(store.close_if_older_than(0).unwrap(), None, "nothing to close");
	store.append(&entry(0)).unwrap();
	store.append(&entry(1)).unwrap();
	assert_eq!(store.close_if_older_than(60_000).unwrap(), None, "too young");
	let (batch, root) = store.close_if_older_than(0).unwrap().expect("closes");
	assert_eq!((batch, root.sum), (0, 30 + 31));
	assert_proves(&store, Position { batch: 0, index: 1 });
	assert_eq!(store.append(&entry(2)).unwrap(), Position { batch: 1, index: 0 });
}

#[test]
fn a_reopened_store_keeps_everything_and_continues_without_gaps() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("a.redb");
	{
		let store = ArtefactStore::open(&path, 3).unwrap();
		for n in 0..4 {
			store.append(&entry(n)).unwrap();
		}
	}
	let store = ArtefactStore::open(&path, 3).unwrap();
	assert_proves(&store, Position { batch: 0, index: 2 });
	assert_eq!(store.entry(Position { batch: 1, index: 0 }).unwrap(), Some(entry_in(3, 1)));
	assert_eq!(store.append(&entry(4)).unwrap(), Position { batch: 1, index: 1 });
}

#[test]
fn kept_verdicts_and_votes_list_oldest_first_survive_a_reopen_and_are_forgotten_one_by_one() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("a.redb");
	let verdict = |checked| VerdictRecord {
		verdict: aetron_primitives::work::Verdict { checked, failures: Default::default() },
		salt: [checked as u8; 32],
		phase: VerdictPhase::Committed,
	};
	let vote = VoteRecord {
		vote: aetron_primitives::arbitration::Vote { miner_honest: true, digest: [7; 32] },
		salt: [9; 32],
		phase: VerdictPhase::Decided,
	};
	{
		let store = ArtefactStore::open(&path, 3).unwrap();
		assert_eq!(store.kept_records().unwrap(), (0, 0));
		// Written out of order: listed by id.
		for id in [12, 3, 40, 7] {
			store.put_verdict(id, &verdict(id as u32)).unwrap();
		}
		store.put_vote(5, &vote).unwrap();
	}
	let store = ArtefactStore::open(&path, 3).unwrap();
	assert_eq!(store.kept_records().unwrap(), (4, 1));
	assert_eq!(store.verdict_ids(3).unwrap(), vec![3, 7, 12], "the oldest three");
	assert_eq!(store.vote_ids(10).unwrap(), vec![5]);

	store.remove_verdict(7).unwrap();
	// Forgetting what is not kept changes nothing.
	store.remove_verdict(8).unwrap();
	assert_eq!(store.verdict_ids(10).unwrap(), vec![3, 12, 40]);
	assert_eq!(store.verdict(7).unwrap(), None);
	assert_eq!(store.verdict(12).unwrap(), Some(verdict(12)), "the others untouched");
	store.remove_vote(5).unwrap();
	assert_eq!(store.vote(5).unwrap(), None);
	assert_eq!(store.kept_records().unwrap(), (3, 0));
}

#[test]
fn a_pruned_batch_is_gone_for_readers_at_once_and_from_disk_after_the_sweep() {
	let dir = tempfile::tempdir().unwrap();
	let store = ArtefactStore::open(&dir.path().join("a.redb"), 4).unwrap();
	for n in 0..10 {
		store.append(&entry(n)).unwrap();
	}
	store.mark_committed(0, 100).unwrap();
	store.mark_committed(1, 101).unwrap();
	// Batches 0 and 1 are closed; 2 is open with two entries.
	let oldest = store.oldest_kept().unwrap().expect("batch 0 is closed");
	assert_eq!((oldest.number, oldest.committed_as, oldest.info.leaf_count), (0, Some(100), 4));

	// Only the oldest closed batch may go, and only once.
	assert!(store.prune(1).is_err(), "not the oldest");
	store.prune(0).unwrap();
	assert!(store.prune(0).is_err(), "already gone");
	assert_eq!(store.pruned_below().unwrap(), 1);
	let position = Position { batch: 0, index: 2 };
	assert_eq!(store.lookup(position).unwrap(), Lookup::Pruned);
	assert_eq!(store.entry(position).unwrap(), None);
	assert_eq!(store.batch(0).unwrap(), None);
	// Its rows are still on disk until swept, then gone; the sweep never touches batch 1.
	assert_eq!(store.sweep().unwrap(), 4);
	assert_eq!(store.sweep().unwrap(), 0);
	assert_proves(&store, Position { batch: 1, index: 3 });
	// The commit record of the last committed batch stays: the commit loop goes on from it.
	assert_eq!(store.oldest_kept().unwrap().unwrap().number, 1);
	store.prune(1).unwrap();
	assert_eq!(store.last_committed().unwrap(), Some(1));
	assert_eq!(store.committed_as(0).unwrap(), None);
	// The open batch is never pruned, and appends go on where they were.
	assert_eq!(store.oldest_kept().unwrap(), None);
	assert!(store.prune(2).is_err(), "open");
	assert_eq!(store.append(&entry(10)).unwrap(), Position { batch: 2, index: 2 });
	assert_eq!(store.lookup(Position { batch: 2, index: 0 }).unwrap(), Lookup::Open);
	assert_eq!(store.lookup(Position { batch: 2, index: 9 }).unwrap(), Lookup::Missing);
}

#[test]
fn a_large_pruned_batch_is_swept_a_chunk_to_a_transaction_and_the_store_stops_growing() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("a.redb");
	let leaves = SWEEP_CHUNK * 2 + 10;
	let store = ArtefactStore::open(&path, leaves).unwrap();
	let fill = |from: u64| {
		std::thread::scope(|scope| {
			for t in 0..8u64 {
				let store = &store;
				scope.spawn(move || {
					for n in (from + t..from + u64::from(leaves)).step_by(8) {
						store.append(&entry(n)).unwrap();
					}
				});
			}
		});
	};
	fill(0);
	let one_batch = std::fs::metadata(&path).unwrap().len();
	store.prune(0).unwrap();
	let mut chunks = Vec::new();
	loop {
		match store.sweep().unwrap() {
			0 => break,
			n => chunks.push(n),
		}
	}
	assert_eq!(chunks, vec![SWEEP_CHUNK, SWEEP_CHUNK, 10]);
	// Batch after batch, each pruned and swept: the file reuses the freed pages. Its size moves
	// with the page allocator (measured: 0.3 to 1.7 times the file that held one batch, in no
	// order, as redb trims and regrows its end), so the bound is on the largest size seen, not
	// on a trend: a store that kept everything would hold eleven batches after ten rounds.
	let mut sizes = Vec::new();
	for batch in 1..=10u64 {
		fill(batch * u64::from(leaves));
		store.prune(batch).unwrap();
		while store.sweep().unwrap() > 0 {}
		sizes.push(std::fs::metadata(&path).unwrap().len());
	}
	let largest = sizes.iter().copied().max().unwrap_or_default();
	assert!(
		largest <= one_batch * 3,
		"the store grew batch after batch: {sizes:?}, one batch's file {one_batch}"
	);
}

#[test]
fn proofs_come_from_a_bounded_tree_cache_and_a_miss_rebuilds_the_same_tree() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("a.redb");
	// Room for one batch's tree of 8 leaves.
	let store = ArtefactStore::open(&path, 8).unwrap().with_tree_cache(8);
	for n in 0..24 {
		store.append(&entry(n)).unwrap();
	}
	assert_eq!(store.cached_trees(), (8, 1), "only the last batch closed is cached");
	for batch in [0, 1, 2, 0] {
		for index in 0..8 {
			assert_proves(&store, Position { batch, index });
		}
		assert_eq!(store.cached_trees(), (8, 1));
	}
	// The same proofs as an unbounded cache that built every tree once.
	let roomy = ArtefactStore::open(&dir.path().join("b.redb"), 8).unwrap();
	for n in 0..24 {
		roomy.append(&entry(n)).unwrap();
	}
	for index in 0..8 {
		let position = Position { batch: 1, index };
		assert_eq!(store.proven_entry(position).unwrap(), roomy.proven_entry(position).unwrap());
	}
}

#[test]
fn bad_batch_sizes_are_refused() {
	let dir = tempfile::tempdir().unwrap();
	assert!(ArtefactStore::open(&dir.path().join("a.redb"), 0).is_err());
	assert!(ArtefactStore::open(&dir.path().join("b.redb"), (1 << 20) + 1).is_err());
}

const CHILD_ENV: &str = "AETRON_STORE_CRASH_PATH";
const CHILD_LEAVES: u32 = 16;

/// Appending threads in the crash test's child: concurrent requests, whose appends group commit
/// writes together.
const CHILD_THREADS: u64 = 8;

/// Runs only as the child of the crash test: [`CHILD_THREADS`] threads append forever, each
/// printing a position once `append` has returned (the moment a server would acknowledge the
/// response).
#[test]
fn crash_child() {
	let Ok(path) = std::env::var(CHILD_ENV) else { return };
	let store = ArtefactStore::open(path.as_ref(), CHILD_LEAVES).unwrap();
	std::thread::scope(|scope| {
		for thread in 0..CHILD_THREADS {
			let store = &store;
			scope.spawn(move || {
				for n in (thread..).step_by(CHILD_THREADS as usize) {
					let p = store.append(&entry(n)).unwrap();
					println!("ack {} {} {n}", p.batch, p.index);
				}
			});
		}
	});
}

#[test]
fn concurrent_appends_share_transactions_and_each_gets_its_own_position() {
	let dir = tempfile::tempdir().unwrap();
	let store = ArtefactStore::open(&dir.path().join("s.redb"), 64).unwrap();
	let (threads, each) = (16u64, 40u64);
	let mut positions: Vec<(Position, u64)> = std::thread::scope(|scope| {
		let handles: Vec<_> = (0..threads)
			.map(|t| {
				let store = &store;
				scope.spawn(move || {
					(0..each)
						.map(|i| {
							let n = t * each + i;
							(store.append(&entry(n)).unwrap(), n)
						})
						.collect::<Vec<_>>()
				})
			})
			.collect();
		handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
	});
	// Every position from (0, 0) on is taken exactly once, 64 to a batch, by the entry
	// that was told it.
	positions.sort_by_key(|(p, _)| (p.batch, p.index));
	for (k, (position, n)) in positions.iter().enumerate() {
		assert_eq!(*position, Position { batch: k as u64 / 64, index: (k % 64) as u32 });
		assert_eq!(store.entry(*position).unwrap().unwrap(), entry_in(*n, position.batch));
	}
	// Ten full batches closed on the way, inside groups, each with its proofs.
	assert_eq!(store.open_batch().unwrap(), threads * each / 64);
	for batch in 0..10 {
		assert!(store.batch(batch).unwrap().unwrap().root.is_some());
		assert_proves(&store, Position { batch, index: 63 });
	}
	let stats = store.group_stats();
	assert_eq!(stats.items, threads * each);
	assert!(stats.groups < stats.items && stats.largest > 1, "no fsync was shared: {stats:?}");
}

#[test]
fn kill_9_loses_no_acknowledged_artefact_and_batches_continue_without_gaps() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("crash.redb");
	let mut acked = Vec::new();
	for round in 0..3 {
		let mut child = Command::new(std::env::current_exe().unwrap())
			.args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
			.env(CHILD_ENV, &path)
			.stdout(Stdio::piped())
			.stderr(Stdio::null())
			.spawn()
			.unwrap();
		let stdout = BufReader::new(child.stdout.take().unwrap());
		// Kill at a different point each round, mid-batch and across batch boundaries.
		let kill_after = 37 + round * 23;
		let mut seen = 0;
		for line in stdout.lines() {
			let line = line.unwrap();
			let Some(rest) = line.strip_prefix("ack ") else { continue };
			let f: Vec<u64> = rest.split(' ').map(|x| x.parse().unwrap()).collect();
			acked.push((Position { batch: f[0], index: f[1] as u32 }, f[2]));
			seen += 1;
			if seen == kill_after {
				child.kill().unwrap(); // SIGKILL
				break;
			}
		}
		child.wait().unwrap();
		assert_eq!(seen, kill_after, "the child acknowledged appends before it was killed");
	}

	let store = ArtefactStore::open(&path, CHILD_LEAVES).unwrap();
	// Every acknowledged entry is there, with the content its child wrote.
	for (position, n) in &acked {
		let stored = store.entry(*position).unwrap().expect("acknowledged entry survives");
		assert_eq!(stored.artefact.seed, entry(*n).artefact.seed);
	}
	// Positions run without gaps or duplicates across the crashes: each round continues where
	// the store's durable state stopped, and every batch below the open one is full and closed
	// with valid proofs.
	let open = store.open_batch().unwrap();
	let mut total = 0;
	for batch in 0..open {
		let info = store.batch(batch).unwrap().unwrap();
		assert_eq!(info.leaf_count, CHILD_LEAVES);
		assert!(info.root.is_some());
		for index in 0..CHILD_LEAVES {
			assert_proves(&store, Position { batch, index });
		}
		total += CHILD_LEAVES;
	}
	let open_count = store.batch(open).unwrap().map_or(0, |b| b.leaf_count);
	for index in 0..open_count {
		assert!(store.entry(Position { batch: open, index }).unwrap().is_some());
	}
	assert!(store.entry(Position { batch: open, index: open_count }).unwrap().is_none());
	total += open_count;
	assert!(total as usize >= acked.len(), "{total} stored < {} acknowledged", acked.len());
	// Concurrent threads acknowledge in any order, but never one position twice.
	let mut positions: Vec<_> = acked.iter().map(|(p, _)| (p.batch, p.index)).collect();
	positions.sort();
	assert!(positions.windows(2).all(|w| w[0] < w[1]), "acknowledged positions repeat");
	// The next append continues the sequence.
	assert_eq!(store.append(&entry(0)).unwrap(), Position { batch: open, index: open_count });
}
