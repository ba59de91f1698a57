//! Pruning the artefact store (DESIGN §5, §16): a closed batch's requests, responses, artefacts
//! and leaf nodes are dropped once nobody may ask for them any more, oldest batch first.
//!
//! Who may still ask: a re-checker sampled into the batch (until its verdict is revealed), an
//! arbiter judging a dispute over one of its leaves, and the miner answering an
//! unavailable-data dispute, all before the batch's epoch settles. So under `mine` a committed
//! batch goes once the chain has pruned it, which the work pallet does only once its epoch is
//! settled (and arbitration forgets its disputes before that). A batch the chain cannot tell
//! about (never committed, or committed before a crash recorded its id), and every batch under
//! `serve` with no chain, goes once it is older than the retention, whose default covers the
//! default re-check and dispute windows many times over.
//!
//! Pruning stops at the first batch that may not go yet: batches settle in order, and a
//! watermark ([`ArtefactStore::pruned_below`]) is all the store needs to know what is gone.
//!
//! Under `mine` the verdicts this slot kept as a re-checker and the votes it kept as an arbiter
//! go the same way: a verdict once its batch left the chain, a vote once its dispute did. Each
//! is needed only to reveal what was committed, and nothing can be revealed on a batch or
//! dispute the chain no longer holds.

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use anyhow::Result;

use crate::{
	committer::UNKNOWN_ID,
	registration::Registrar,
	store::{ArtefactStore, KeptBatch},
};

/// The default retention: a day, against re-check and dispute windows of minutes and a
/// settlement two hour-long epochs after a batch's epoch.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// How often the loop looks for batches to prune.
pub const POLL: Duration = Duration::from_secs(10);

/// The most kept verdicts (and, apart, votes) one pass asks the chain about, oldest first: a
/// pass costs at most this many runtime calls, and ten seconds apart they outrun any rate at
/// which a slot is assigned batches or seated on panels.
pub const RECORDS_PER_POLL: usize = 64;

/// Who tells when a batch is settled.
#[derive(Clone)]
pub enum Settlement {
	/// Nobody (`serve`): the retention alone.
	Offline,
	/// The chain (`mine`): `slot`'s committed batches go once the chain has pruned them.
	Chain {
		/// The chain client.
		registrar: Arc<Registrar>,
		/// The slot whose batches these are.
		slot: u64,
	},
}

/// Prunes one store.
#[derive(Clone)]
pub struct Pruner {
	/// The store.
	pub store: Arc<ArtefactStore>,
	/// How long a batch the chain cannot tell about is kept after it opened.
	pub retention: Duration,
	/// Who tells when a batch is settled.
	pub settlement: Settlement,
}

impl Pruner {
	/// Prunes every batch that may go, oldest first, up to the first that may not; then deletes
	/// their rows a chunk at a time. Returns the batches pruned.
	pub async fn prune_due(&self) -> Result<u64> {
		let mut pruned = 0;
		while let Some(kept) = self.blocking(|store| store.oldest_kept()).await? {
			if !self.may_go(&kept).await? {
				break;
			}
			let number = kept.number;
			self.blocking(move |store| store.prune(number)).await?;
			tracing::info!(batch = number, leaves = kept.info.leaf_count, "pruned batch");
			pruned += 1;
		}
		// Each chunk is its own transaction, so appends interleave with the sweep.
		while self.blocking(|store| store.sweep()).await? > 0 {
			tokio::task::yield_now().await;
		}
		if let Settlement::Chain { registrar, slot } = &self.settlement {
			self.forget_settled_records(registrar, *slot).await?;
		}
		Ok(pruned)
	}

	/// Forgets the kept verdicts whose batch left the chain and the kept votes whose dispute
	/// did, at most [`RECORDS_PER_POLL`] of each looked at. Returns `(verdicts, votes)` forgotten.
	///
	/// The ids are read before the chain is asked, so a record written in between, for a batch
	/// or dispute newer than the chain's answer, is never taken for one that left it.
	async fn forget_settled_records(&self, registrar: &Registrar, slot: u64) -> Result<(u64, u64)> {
		let mut forgotten = (0, 0);
		for id in self.blocking(|store| store.verdict_ids(RECORDS_PER_POLL)).await? {
			if registrar.batch(id).await?.is_none() {
				self.blocking(move |store| store.remove_verdict(id)).await?;
				forgotten.0 += 1;
			}
		}
		let votes = self.blocking(|store| store.vote_ids(RECORDS_PER_POLL)).await?;
		if !votes.is_empty() {
			let open: BTreeSet<u64> =
				registrar.disputes_of(slot).await?.iter().map(|d| d.id).collect();
			for id in votes.into_iter().filter(|id| !open.contains(id)) {
				self.blocking(move |store| store.remove_vote(id)).await?;
				forgotten.1 += 1;
			}
		}
		if forgotten != (0, 0) {
			tracing::info!(verdicts = forgotten.0, votes = forgotten.1, "forgot settled records");
		}
		Ok(forgotten)
	}

	/// Whether nobody may ask for `kept`'s leaves any more.
	async fn may_go(&self, kept: &KeptBatch) -> Result<bool> {
		let old = || {
			let opened = Duration::from_millis(kept.info.opened_at_ms);
			let now = Duration::from_millis(crate::store::now_ms());
			now.saturating_sub(opened) >= self.retention
		};
		let Settlement::Chain { registrar, slot } = &self.settlement else { return Ok(old()) };
		match kept.committed_as {
			Some(id) if id != UNKNOWN_ID => {
				if registrar.batch(id).await?.is_some() {
					// Still on-chain: its epoch is not settled.
					return Ok(false);
				}
				// Gone from the chain, and the chain did take it: settled and pruned.
				let ledger = registrar.slot_ledger(*slot).await?;
				Ok(ledger.and_then(|l| l.last_batch_number).is_some_and(|last| last >= kept.number))
			}
			_ => Ok(old()),
		}
	}

	async fn blocking<R: Send + 'static>(
		&self,
		f: impl FnOnce(&ArtefactStore) -> Result<R> + Send + 'static,
	) -> Result<R> {
		let store = self.store.clone();
		tokio::task::spawn_blocking(move || f(&store)).await?
	}

	/// Runs until cancelled. Errors (a node restart) are logged and retried.
	pub async fn run(self) {
		loop {
			if let Err(e) = self.prune_due().await {
				tracing::warn!("pruning: {e:#}");
			}
			tokio::time::sleep(POLL).await;
		}
	}
}
