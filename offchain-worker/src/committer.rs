//! The commit loop of `mine`: every closed batch of the store is committed on-chain once, in
//! order (DESIGN §5).
//!
//! Restart-safe in both directions: the store records each batch's commit after the chain
//! accepted it, and before committing the loop asks the chain for the slot's last committed
//! batch number, so a crash between the chain's acceptance and the store's record neither
//! loses the commit nor repeats it (the chain refuses a batch number that is not above the
//! last one anyway).

use std::{sync::Arc, time::Duration};

use anyhow::{Context, Result};
use subxt_signer::sr25519::Keypair;

use crate::{registration::Registrar, store::ArtefactStore};

/// Recorded as a batch's on-chain id when the chain had it before the store did (a crash
/// between the two); `status` shows it as committed with an unknown id.
pub const UNKNOWN_ID: u64 = u64::MAX;

/// How often the loop looks for closed batches.
pub const POLL: Duration = Duration::from_secs(2);

/// Commits what is closed and not yet committed; returns how many batches it committed.
pub async fn commit_closed(
	registrar: &Registrar,
	store: &Arc<ArtefactStore>,
	hotkey: &Keypair,
	slot: u64,
) -> Result<usize> {
	let from = store.last_committed()?.map_or(0, |last| last + 1);
	let closed = {
		let store = store.clone();
		tokio::task::spawn_blocking(move || store.closed_batches(from)).await??
	};
	if closed.is_empty() {
		return Ok(0);
	}
	let on_chain = registrar.slot_ledger(slot).await?.and_then(|l| l.last_batch_number);
	let mut committed = 0;
	for (number, info) in closed {
		if on_chain.is_some_and(|last| number <= last) {
			store.mark_committed(number, UNKNOWN_ID)?;
			tracing::info!(slot, batch = number, "the chain already has this batch");
			continue;
		}
		let root = info.root.context("a closed batch without a root")?;
		let id = registrar
			.commit_batch(hotkey, slot, number, root.hash, info.leaf_count, root.sum)
			.await
			.with_context(|| format!("committing batch {number}"))?;
		store.mark_committed(number, id)?;
		committed += 1;
		tracing::info!(
			slot,
			batch = number,
			id,
			leaves = info.leaf_count,
			work = root.sum,
			"committed batch"
		);
	}
	Ok(committed)
}

/// Runs until cancelled: commits each batch as it closes. Errors (a full epoch allowance, a
/// node restart) are logged and retried.
pub async fn run(registrar: Arc<Registrar>, store: Arc<ArtefactStore>, hotkey: Keypair, slot: u64) {
	loop {
		if let Err(e) = commit_closed(&registrar, &store, &hotkey, slot).await {
			tracing::warn!(slot, "commit: {e:#}");
		}
		tokio::time::sleep(POLL).await;
	}
}
