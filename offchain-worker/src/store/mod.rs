//! # The crash-safe artefact store
//!
//! Every served request leaves an entry: the request, the response and the SCALE artefact
//! header (DESIGN §5), at a position `(batch, index)`. [`ArtefactStore::append`] returns only
//! after its write transaction is durable on disk (redb commits with `Durability::Immediate`), so
//! a response acknowledged to a client always has its artefact, whatever happens next; a `kill -9`
//! loses at most the requests in flight, which were never acknowledged. Appends from concurrent
//! requests share their transaction and its `fsync` ([`group`]: group commit), so durability
//! costs one `fsync` per group, not per request.
//!
//! Positions are allocated inside the same transaction that writes the entry, so after a crash
//! the next append continues the open batch exactly where the last durable one stopped: no gap,
//! no duplicate. The same transaction writes the batch number into the artefact header, so a
//! leaf names the batch it was committed in.
//!
//! A batch closes when it reaches its leaf limit (2^20 by default) or, with
//! [`ArtefactStore::close_if_older_than`], when it has been open too long. Closing builds the
//! Merkle-sum tree from the stored leaf nodes (40 bytes an entry, kept beside the entry so the
//! artefacts need not be re-read or re-hashed) and records its root and total work. Trees serve
//! proofs from a bounded cache ([`trees`]), rebuilt from the stored leaves on a miss.
//!
//! Nothing is kept forever: once nobody may ask for a closed batch's leaves any more (the chain
//! settled its epoch, or it is older than the retention; [`crate::pruner`] decides),
//! [`ArtefactStore::prune`] drops it, oldest first. It is gone for readers at once; its rows are
//! deleted afterwards a chunk to a transaction ([`ArtefactStore::sweep`]), so appends waiting on
//! the write lock are never held up for long.

pub mod group;
pub mod trees;

use std::{
	path::Path,
	sync::{Arc, Mutex},
	time::{SystemTime, UNIX_EPOCH},
};

use aetron_primitives::{
	artefact::ArtefactHeader,
	merkle::{MerkleSumTree, SumNode, MAX_LEAVES},
};
use anyhow::{bail, Context, Result};
use codec::{Decode, Encode};
use group::{GroupCommit, GroupStats};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use trees::TreeCache;

/// `(batch, index)` → SCALE of [`Entry`].
const ENTRIES: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("entries");
/// `(batch, index)` → SCALE of the leaf's [`SumNode`].
const LEAVES: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("leaves");
/// `batch` → SCALE of [`BatchInfo`].
const BATCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("batches");
/// Singletons: `"open"` → the number of the batch that takes the next append; `"pruned"` →
/// the number of the oldest batch not pruned (every batch below it is gone).
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const OPEN_BATCH: &str = "open";
const PRUNED_BELOW: &str = "pruned";
/// Rows [`ArtefactStore::sweep`] deletes in one transaction: a few milliseconds of work.
pub const SWEEP_CHUNK: u32 = 4096;
/// `batch` → the on-chain id it was committed as (DESIGN §5): a batch is committed once.
const COMMITTED: TableDefinition<u64, u64> = TableDefinition::new("committed");
/// A table of SCALE records by on-chain id: [`VERDICTS`], [`VOTES`].
type Records = TableDefinition<'static, u64, &'static [u8]>;
/// On-chain batch id → SCALE of [`VerdictRecord`]: a re-checker's verdict and salt, durable
/// before its commitment is sent, so a restart reveals what it committed.
const VERDICTS: Records = TableDefinition::new("verdicts");
/// On-chain dispute id → SCALE of [`VoteRecord`]: an arbiter's vote and salt, durable before
/// its commitment is sent, so a restart reveals what it committed.
const VOTES: Records = TableDefinition::new("votes");
/// Bounties this slot is owed, by the cheating miner's slot and epoch, until claimed: arbitration
/// forgets its disputes before their epoch settles, so the worker remembers.
const BOUNTIES: TableDefinition<(u64, u32), ()> = TableDefinition::new("bounties");

/// A re-checker's verdict on one batch, as kept between commit and reveal.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct VerdictRecord {
	/// The verdict.
	pub verdict: aetron_primitives::work::Verdict,
	/// The salt of its commitment.
	pub salt: [u8; 32],
	/// Where it is.
	pub phase: VerdictPhase,
}

/// An arbiter's vote on one dispute, as kept between commit and reveal.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct VoteRecord {
	/// The vote.
	pub vote: aetron_primitives::arbitration::Vote,
	/// The salt of its commitment.
	pub salt: [u8; 32],
	/// Where it is (as a verdict's).
	pub phase: VerdictPhase,
}

/// Where a kept verdict or vote is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum VerdictPhase {
	/// Decided and stored; the commitment may or may not have reached the chain.
	Decided,
	/// The commitment is on-chain.
	Committed,
	/// Revealed on-chain.
	Revealed,
}

/// What the store keeps of one served request.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Entry {
	/// The request body as received.
	pub request: Vec<u8>,
	/// The response body as sent.
	pub response: Vec<u8>,
	/// The artefact header, the leaf preimage.
	pub artefact: ArtefactHeader,
	/// The client's key and signature, when the request was signed.
	pub client: crate::api::signature::ClientSignature,
}

/// A batch's bookkeeping.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BatchInfo {
	/// When its first entry was written (ms since the Unix epoch).
	pub opened_at_ms: u64,
	/// Entries so far.
	pub leaf_count: u32,
	/// The root once closed.
	pub root: Option<SumNode>,
}

impl BatchInfo {
	/// A batch that opens now, empty.
	fn opening() -> Self {
		Self { opened_at_ms: now_ms(), leaf_count: 0, root: None }
	}
}

/// Where an appended entry went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
	/// Batch number, from 0.
	pub batch: u64,
	/// Index inside the batch.
	pub index: u32,
}

/// An entry with what a re-checker needs to check it against the batch's on-chain root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenEntry {
	/// The entry.
	pub entry: Entry,
	/// Its leaf node.
	pub leaf: SumNode,
	/// The batch's leaf count.
	pub leaf_count: u32,
	/// The batch's root.
	pub root: SumNode,
	/// Siblings from the leaf up.
	pub proof: Vec<SumNode>,
}

/// What the store can say of one position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
	/// The entry, with its proof.
	Proven(Box<ProvenEntry>),
	/// In a batch still open: its proof comes once the batch closes.
	Open,
	/// In a batch pruned: nobody may ask for it any more.
	Pruned,
	/// No such entry.
	Missing,
}

/// The oldest batch the store keeps, once it is closed: what pruning decides on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptBatch {
	/// Its number.
	pub number: u64,
	/// Its bookkeeping.
	pub info: BatchInfo,
	/// The on-chain id it was committed as, if it was.
	pub committed_as: Option<u64>,
}

/// How much the store keeps: the flags `serve` and `mine` share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keeping {
	/// How long a batch the chain cannot tell about is kept after it opened
	/// ([`crate::pruner`]).
	pub retention: std::time::Duration,
	/// The most leaves of cached trees ([`trees`]).
	pub tree_cache_leaves: u64,
}

impl Default for Keeping {
	fn default() -> Self {
		Self {
			retention: crate::pruner::DEFAULT_RETENTION,
			tree_cache_leaves: trees::DEFAULT_CAPACITY_LEAVES,
		}
	}
}

/// The store: one redb file.
pub struct ArtefactStore {
	db: Database,
	max_leaves: u32,
	/// Trees of closed batches, the most recently used.
	trees: Mutex<TreeCache>,
	/// Concurrent appends, written a group to a transaction.
	appends: GroupCommit<Entry, Position>,
}

pub(crate) fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn decode<T: Decode>(bytes: &[u8], what: &str) -> Result<T> {
	T::decode(&mut &bytes[..]).with_context(|| format!("corrupt {what} in the artefact store"))
}

impl ArtefactStore {
	/// Opens (or creates) the store at `path`; batches close at `max_leaves` entries
	/// (1 ..= 2^20).
	pub fn open(path: &Path, max_leaves: u32) -> Result<Self> {
		if max_leaves == 0 || max_leaves > MAX_LEAVES {
			bail!("a batch holds 1 to {MAX_LEAVES} leaves, not {max_leaves}");
		}
		let db = Database::create(path)
			.with_context(|| format!("cannot open the artefact store {}", path.display()))?;
		let txn = db.begin_write()?;
		{
			txn.open_table(ENTRIES)?;
			txn.open_table(LEAVES)?;
			txn.open_table(BATCHES)?;
			txn.open_table(COMMITTED)?;
			txn.open_table(VERDICTS)?;
			txn.open_table(VOTES)?;
			txn.open_table(BOUNTIES)?;
			let mut meta = txn.open_table(META)?;
			if meta.get(OPEN_BATCH)?.is_none() {
				meta.insert(OPEN_BATCH, 0)?;
			}
		}
		txn.commit()?;
		Ok(Self {
			db,
			max_leaves,
			trees: Mutex::new(TreeCache::new(trees::DEFAULT_CAPACITY_LEAVES)),
			appends: GroupCommit::default(),
		})
	}

	/// The same store with its tree cache bounded to `leaves` leaves (80 bytes each).
	pub fn with_tree_cache(self, leaves: u64) -> Self {
		Self { trees: Mutex::new(TreeCache::new(leaves)), ..self }
	}

	/// Leaves of the trees cached now, and how many trees.
	pub fn cached_trees(&self) -> (u64, usize) {
		self.trees.lock().map_or((0, 0), |trees| (trees.leaves(), trees.len()))
	}

	/// Appends an entry and returns its position once it is durable. The artefact's `batch`
	/// is set to the batch it goes into. Concurrent calls share one write transaction.
	pub fn append(&self, entry: &Entry) -> Result<Position> {
		self.appends.submit(entry.clone(), |entries| self.append_group(entries))
	}

	/// How the appends so far were grouped into transactions.
	pub fn group_stats(&self) -> GroupStats {
		self.appends.stats()
	}

	/// Writes `entries` in order in one durable transaction: positions are allocated inside it,
	/// and a batch that fills up on the way closes and the next one opens.
	fn append_group(&self, entries: Vec<Entry>) -> Result<Vec<Position>> {
		let txn = self.db.begin_write()?;
		let mut positions = Vec::with_capacity(entries.len());
		let mut closed = Vec::new();
		{
			let mut meta = txn.open_table(META)?;
			let mut batches = txn.open_table(BATCHES)?;
			let mut entries_table = txn.open_table(ENTRIES)?;
			let mut leaves = txn.open_table(LEAVES)?;
			let mut batch = meta.get(OPEN_BATCH)?.map(|v| v.value()).unwrap_or(0);
			let mut info = match batches.get(batch)? {
				Some(bytes) => decode::<BatchInfo>(bytes.value(), "batch")?,
				None => BatchInfo::opening(),
			};
			for mut entry in entries {
				let index = info.leaf_count;
				entry.artefact.batch = batch;
				let leaf = entry.artefact.leaf(index);
				entries_table.insert((batch, index), entry.encode().as_slice())?;
				leaves.insert((batch, index), leaf.encode().as_slice())?;
				positions.push(Position { batch, index });
				info.leaf_count += 1;
				if info.leaf_count >= self.max_leaves {
					let tree = Self::tree_from(&leaves, batch, info.leaf_count)?;
					info.root = Some(tree.root());
					batches.insert(batch, info.encode().as_slice())?;
					closed.push((batch, tree));
					batch += 1;
					meta.insert(OPEN_BATCH, batch)?;
					info = BatchInfo::opening();
				}
			}
			if info.leaf_count > 0 {
				batches.insert(batch, info.encode().as_slice())?;
			}
		}
		// The default durability is `Immediate`: commit returns after fsync.
		txn.commit()?;
		for (batch, tree) in closed {
			self.keep_tree(batch, Arc::new(tree));
		}
		Ok(positions)
	}

	/// Closes the open batch if it holds entries and opened more than `max_age_ms` ago. Returns
	/// the closed batch's number and root.
	pub fn close_if_older_than(&self, max_age_ms: u64) -> Result<Option<(u64, SumNode)>> {
		let txn = self.db.begin_write()?;
		let closed = {
			let mut meta = txn.open_table(META)?;
			let mut batches = txn.open_table(BATCHES)?;
			let batch = meta.get(OPEN_BATCH)?.map(|v| v.value()).unwrap_or(0);
			let info = match batches.get(batch)? {
				Some(bytes) => decode::<BatchInfo>(bytes.value(), "batch")?,
				None => return Ok(None),
			};
			if info.leaf_count == 0 || now_ms().saturating_sub(info.opened_at_ms) < max_age_ms {
				return Ok(None);
			}
			let tree = Self::build_tree(&txn, batch, info.leaf_count)?;
			let root = tree.root();
			batches.insert(batch, BatchInfo { root: Some(root), ..info }.encode().as_slice())?;
			meta.insert(OPEN_BATCH, batch + 1)?;
			self.keep_tree(batch, Arc::new(tree));
			Some((batch, root))
		};
		txn.commit()?;
		Ok(closed)
	}

	/// A batch's bookkeeping.
	pub fn batch(&self, batch: u64) -> Result<Option<BatchInfo>> {
		let txn = self.db.begin_read()?;
		let batches = txn.open_table(BATCHES)?;
		batches.get(batch)?.map(|b| decode(b.value(), "batch")).transpose()
	}

	/// The number of the batch that takes the next append.
	pub fn open_batch(&self) -> Result<u64> {
		let txn = self.db.begin_read()?;
		Ok(txn.open_table(META)?.get(OPEN_BATCH)?.map(|v| v.value()).unwrap_or(0))
	}

	/// The entry at `position`, unless its batch was pruned.
	pub fn entry(&self, position: Position) -> Result<Option<Entry>> {
		let txn = self.db.begin_read()?;
		if position.batch < Self::pruned_below_in(&txn)? {
			return Ok(None);
		}
		let entries = txn.open_table(ENTRIES)?;
		entries
			.get((position.batch, position.index))?
			.map(|e| decode(e.value(), "entry"))
			.transpose()
	}

	/// The entry at `position` with its Merkle proof, once its batch is closed and while it is
	/// kept.
	pub fn proven_entry(&self, position: Position) -> Result<Option<ProvenEntry>> {
		Ok(match self.lookup(position)? {
			Lookup::Proven(proven) => Some(*proven),
			Lookup::Open | Lookup::Pruned | Lookup::Missing => None,
		})
	}

	/// What the store can say of `position`, read at one snapshot (pruning may run meanwhile).
	pub fn lookup(&self, position: Position) -> Result<Lookup> {
		let txn = self.db.begin_read()?;
		if position.batch < Self::pruned_below_in(&txn)? {
			return Ok(Lookup::Pruned);
		}
		let info = match txn.open_table(BATCHES)?.get(position.batch)? {
			Some(bytes) => decode::<BatchInfo>(bytes.value(), "batch")?,
			None => return Ok(Lookup::Missing),
		};
		if position.index >= info.leaf_count {
			return Ok(Lookup::Missing);
		}
		let Some(root) = info.root else { return Ok(Lookup::Open) };
		let entry = match txn.open_table(ENTRIES)?.get((position.batch, position.index))? {
			Some(bytes) => decode::<Entry>(bytes.value(), "entry")?,
			None => return Ok(Lookup::Missing),
		};
		let cached = self.trees.lock().ok().and_then(|mut trees| trees.get(position.batch));
		let tree = match cached {
			Some(tree) => tree,
			None => {
				// Rebuilt outside the cache's lock: other batches' proofs need not wait.
				let leaves = txn.open_table(LEAVES)?;
				let tree = Self::tree_from(&leaves, position.batch, info.leaf_count)?;
				if tree.root() != root {
					bail!("batch {} does not rebuild to its recorded root", position.batch);
				}
				let tree = Arc::new(tree);
				self.keep_tree(position.batch, tree.clone());
				tree
			}
		};
		let leaf = tree.leaf(position.index).context("index inside the batch")?;
		let proof = tree.proof(position.index).map_err(|e| anyhow::anyhow!("{e:?}"))?;
		Ok(Lookup::Proven(Box::new(ProvenEntry {
			entry,
			leaf,
			leaf_count: info.leaf_count,
			root,
			proof,
		})))
	}

	/// The number of the oldest batch not pruned.
	pub fn pruned_below(&self) -> Result<u64> {
		Self::pruned_below_in(&self.db.begin_read()?)
	}

	fn pruned_below_in(txn: &redb::ReadTransaction) -> Result<u64> {
		Ok(txn.open_table(META)?.get(PRUNED_BELOW)?.map_or(0, |v| v.value()))
	}

	/// The oldest batch kept, if it is closed (an open one is never pruned).
	pub fn oldest_kept(&self) -> Result<Option<KeptBatch>> {
		let txn = self.db.begin_read()?;
		let number = Self::pruned_below_in(&txn)?;
		let batches = txn.open_table(BATCHES)?;
		let Some(bytes) = batches.get(number)? else { return Ok(None) };
		let info: BatchInfo = decode(bytes.value(), "batch")?;
		if info.root.is_none() {
			return Ok(None);
		}
		let committed_as = txn.open_table(COMMITTED)?.get(number)?.map(|v| v.value());
		Ok(Some(KeptBatch { number, info, committed_as }))
	}

	/// Prunes batch `number`, which must be the oldest kept and closed: from now on its leaves
	/// are not served, and [`Self::sweep`] deletes its rows. Its commit record goes too,
	/// unless it is the last one (the commit loop goes on from it).
	pub fn prune(&self, number: u64) -> Result<()> {
		let txn = self.db.begin_write()?;
		{
			let mut meta = txn.open_table(META)?;
			let oldest = meta.get(PRUNED_BELOW)?.map_or(0, |v| v.value());
			if number != oldest {
				bail!("batch {number} is not the oldest kept (that is {oldest})");
			}
			let mut batches = txn.open_table(BATCHES)?;
			let closed = match batches.get(number)? {
				Some(bytes) => decode::<BatchInfo>(bytes.value(), "batch")?.root.is_some(),
				None => false,
			};
			if !closed {
				bail!("batch {number} is not closed");
			}
			batches.remove(number)?;
			let mut committed = txn.open_table(COMMITTED)?;
			let last = committed.last()?.map(|(k, _)| k.value());
			if last != Some(number) {
				committed.remove(number)?;
			}
			meta.insert(PRUNED_BELOW, number + 1)?;
		}
		txn.commit()?;
		if let Ok(mut trees) = self.trees.lock() {
			trees.remove(number);
		}
		Ok(())
	}

	/// Deletes up to [`SWEEP_CHUNK`] entries (and their leaf nodes) of pruned batches in one
	/// transaction; returns how many. Zero: nothing pruned is left on disk.
	pub fn sweep(&self) -> Result<u32> {
		let txn = self.db.begin_write()?;
		let swept = {
			let below = txn.open_table(META)?.get(PRUNED_BELOW)?.map_or(0, |v| v.value());
			let mut entries = txn.open_table(ENTRIES)?;
			let first = entries.first()?.map(|(k, _)| k.value());
			match first {
				Some((batch, index)) if batch < below => {
					let end = index.saturating_add(SWEEP_CHUNK);
					let range = (batch, index)..(batch, end);
					let mut swept = 0u32;
					entries.retain_in(range.clone(), |_, _| {
						swept += 1;
						false
					})?;
					txn.open_table(LEAVES)?.retain_in(range, |_, _| false)?;
					swept
				}
				_ => 0,
			}
		};
		txn.commit()?;
		Ok(swept)
	}

	/// Closed batches from `from` on, in order, with their roots.
	pub fn closed_batches(&self, from: u64) -> Result<Vec<(u64, BatchInfo)>> {
		let txn = self.db.begin_read()?;
		let batches = txn.open_table(BATCHES)?;
		let mut closed = Vec::new();
		for item in batches.range(from..)? {
			let (number, bytes) = item?;
			let info: BatchInfo = decode(bytes.value(), "batch")?;
			if info.root.is_none() {
				break;
			}
			closed.push((number.value(), info));
		}
		Ok(closed)
	}

	/// Records that `batch` was committed on-chain as `id`.
	pub fn mark_committed(&self, batch: u64, id: u64) -> Result<()> {
		let txn = self.db.begin_write()?;
		txn.open_table(COMMITTED)?.insert(batch, id)?;
		txn.commit()?;
		Ok(())
	}

	/// The on-chain id `batch` was committed as, if it was.
	pub fn committed_as(&self, batch: u64) -> Result<Option<u64>> {
		let txn = self.db.begin_read()?;
		Ok(txn.open_table(COMMITTED)?.get(batch)?.map(|v| v.value()))
	}

	/// The highest batch number recorded as committed.
	pub fn last_committed(&self) -> Result<Option<u64>> {
		let txn = self.db.begin_read()?;
		let table = txn.open_table(COMMITTED)?;
		let last = table.last()?.map(|(k, _)| k.value());
		Ok(last)
	}

	/// Stores (durably) the verdict kept for on-chain batch `id`.
	pub fn put_verdict(&self, id: u64, record: &VerdictRecord) -> Result<()> {
		self.put_record(VERDICTS, id, record)
	}

	/// The verdict kept for on-chain batch `id`.
	pub fn verdict(&self, id: u64) -> Result<Option<VerdictRecord>> {
		self.record(VERDICTS, id, "verdict")
	}

	/// Stores (durably) the vote kept for on-chain dispute `id`.
	pub fn put_vote(&self, id: u64, record: &VoteRecord) -> Result<()> {
		self.put_record(VOTES, id, record)
	}

	/// The vote kept for on-chain dispute `id`.
	pub fn vote(&self, id: u64) -> Result<Option<VoteRecord>> {
		self.record(VOTES, id, "vote")
	}

	/// The oldest `limit` on-chain batch ids a verdict is kept for, lowest first.
	pub fn verdict_ids(&self, limit: usize) -> Result<Vec<u64>> {
		self.record_ids(VERDICTS, limit)
	}

	/// Forgets the verdict kept for on-chain batch `id` (its batch left the chain).
	pub fn remove_verdict(&self, id: u64) -> Result<()> {
		self.remove_record(VERDICTS, id)
	}

	/// The oldest `limit` on-chain dispute ids a vote is kept for, lowest first.
	pub fn vote_ids(&self, limit: usize) -> Result<Vec<u64>> {
		self.record_ids(VOTES, limit)
	}

	/// Forgets the vote kept for on-chain dispute `id` (its dispute left the chain).
	pub fn remove_vote(&self, id: u64) -> Result<()> {
		self.remove_record(VOTES, id)
	}

	/// How many verdicts and votes are kept: `(verdicts, votes)`.
	pub fn kept_records(&self) -> Result<(u64, u64)> {
		let txn = self.db.begin_read()?;
		Ok((txn.open_table(VERDICTS)?.len()?, txn.open_table(VOTES)?.len()?))
	}

	fn record_ids(&self, table: Records, limit: usize) -> Result<Vec<u64>> {
		let txn = self.db.begin_read()?;
		let table = txn.open_table(table)?;
		table.iter()?.take(limit).map(|item| Ok(item?.0.value())).collect()
	}

	fn remove_record(&self, table: Records, id: u64) -> Result<()> {
		let txn = self.db.begin_write()?;
		txn.open_table(table)?.remove(id)?;
		txn.commit()?;
		Ok(())
	}

	/// Writes (durably) the SCALE of `record` at `id` in `table`.
	fn put_record(&self, table: Records, id: u64, record: &impl Encode) -> Result<()> {
		let txn = self.db.begin_write()?;
		txn.open_table(table)?.insert(id, record.encode().as_slice())?;
		txn.commit()?;
		Ok(())
	}

	/// The record at `id` in `table`, decoded; `what` names it in a corruption error.
	fn record<T: Decode>(&self, table: Records, id: u64, what: &str) -> Result<Option<T>> {
		let txn = self.db.begin_read()?;
		let table = txn.open_table(table)?;
		table.get(id)?.map(|v| decode(v.value(), what)).transpose()
	}

	/// Remembers (durably) that the payout of `miner`'s slot for `epoch` owes this slot a
	/// bounty, to claim once the epoch settles.
	pub fn put_bounty(&self, miner: u64, epoch: u32) -> Result<()> {
		let txn = self.db.begin_write()?;
		txn.open_table(BOUNTIES)?.insert((miner, epoch), ())?;
		txn.commit()?;
		Ok(())
	}

	/// The bounties remembered and not yet claimed: `(miner slot, epoch)`.
	pub fn bounties(&self) -> Result<Vec<(u64, u32)>> {
		let txn = self.db.begin_read()?;
		let table = txn.open_table(BOUNTIES)?;
		table.iter()?.map(|item| Ok(item?.0.value())).collect()
	}

	/// Forgets a bounty (claimed, or expired).
	pub fn remove_bounty(&self, miner: u64, epoch: u32) -> Result<()> {
		let txn = self.db.begin_write()?;
		txn.open_table(BOUNTIES)?.remove((miner, epoch))?;
		txn.commit()?;
		Ok(())
	}

	fn keep_tree(&self, batch: u64, tree: Arc<MerkleSumTree>) {
		if let Ok(mut trees) = self.trees.lock() {
			trees.insert(batch, tree);
		}
	}

	fn build_tree(txn: &redb::WriteTransaction, batch: u64, count: u32) -> Result<MerkleSumTree> {
		Self::tree_from(&txn.open_table(LEAVES)?, batch, count)
	}

	fn tree_from(
		leaves: &impl ReadableTable<(u64, u32), &'static [u8]>,
		batch: u64,
		count: u32,
	) -> Result<MerkleSumTree> {
		let mut nodes = Vec::with_capacity(count as usize);
		for item in leaves.range((batch, 0)..(batch, count))? {
			let (_, value) = item?;
			nodes.push(decode::<SumNode>(value.value(), "leaf")?);
		}
		if nodes.len() != count as usize {
			bail!("batch {batch} has {} stored leaves, expected {count}", nodes.len());
		}
		MerkleSumTree::from_leaves(nodes).map_err(|e| anyhow::anyhow!("batch {batch}: {e:?}"))
	}
}
