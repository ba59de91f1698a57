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

use std::{sync::Arc, time::Duration};

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
		Ok(pruned)
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
