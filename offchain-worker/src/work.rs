//! The work pallet from the worker's side (DESIGN §5, §6): committing batches, reading a
//! re-checker's assignments, committing and revealing verdicts, and the figures `status` shows.
//!
//! Like [`crate::registration`], runtime-API answers are decoded with the pallet's own types
//! and call arguments the pallet defines (verdicts) are encoded by them.

use anyhow::{bail, Context, Result};
use codec::{Decode, Encode};
use pallet_work::{
	runtime_api::{AssignmentDetails, BatchDetails, EpochIndex, EpochWork},
	BatchId, SlotLedger,
};
use subxt::dynamic;
use subxt_signer::sr25519::Keypair;

use aetron_primitives::work::Verdict;

use crate::registration::{Registrar, Scale};

/// An assignment as the runtime API reports it.
pub type Assignment = AssignmentDetails<u32>;
/// A batch as the runtime API reports it.
pub type BatchInfo = BatchDetails<u32>;

impl Registrar {
	/// Calls `WorkApi_{method}` at the best block and decodes the answer.
	async fn work_api<R: Decode>(&self, method: &str, args: impl Encode) -> Result<R> {
		self.api_call("WorkApi", method, args).await
	}

	/// The open re-check assignments of `slot`.
	pub async fn assignments(&self, slot: u64) -> Result<Vec<Assignment>> {
		self.work_api("assignments", slot).await
	}

	/// A committed batch, until it is pruned.
	pub async fn batch(&self, id: BatchId) -> Result<Option<BatchInfo>> {
		self.work_api("batch", id).await
	}

	/// A slot's running figures.
	pub async fn slot_ledger(&self, slot: u64) -> Result<Option<SlotLedger>> {
		self.work_api("slot_ledger", slot).await
	}

	/// A slot's confirmed work and missed re-checks in `epoch`.
	pub async fn epoch_work(&self, slot: u64, epoch: EpochIndex) -> Result<EpochWork> {
		self.work_api("epoch_work", (slot, epoch)).await
	}

	/// The current emission epoch.
	pub async fn epoch(&self) -> Result<EpochIndex> {
		self.work_api("epoch", ()).await
	}

	/// The best block's number.
	pub async fn best_block(&self) -> Result<u32> {
		Ok(self.api.at_current_block().await?.block_number() as u32)
	}

	/// Commits batch `batch_number` of `slot` (signed by its hotkey, free when valid); returns
	/// the batch's on-chain id.
	pub async fn commit_batch(
		&self,
		hotkey: &Keypair,
		slot: u64,
		batch_number: u64,
		root: [u8; 32],
		leaf_count: u32,
		total_work: u64,
	) -> Result<BatchId> {
		let tx = dynamic::transaction(
			"Work",
			"commit_batch",
			(slot, batch_number, root, leaf_count, total_work),
		);
		let events = self.submit_and_watch(hotkey, &tx).await.context("commit_batch")?;
		for event in events.iter().filter_map(Result::ok) {
			if event.pallet_name() == "Work" && event.event_name() == "BatchCommitted" {
				let (id, _slot, _number, _leaves, _work) =
					event.decode_fields_unchecked_as::<(u64, u64, u64, u32, u64)>()?;
				return Ok(id);
			}
		}
		bail!("commit_batch went through without a BatchCommitted event")
	}

	/// Commits re-checker `slot`'s verdict hash on `batch`.
	pub async fn commit_verdict(
		&self,
		hotkey: &Keypair,
		slot: u64,
		batch: BatchId,
		commitment: [u8; 32],
	) -> Result<()> {
		let tx = dynamic::transaction("Work", "commit_verdict", (slot, batch, commitment));
		self.submit_in_block(hotkey, &tx).await.context("commit_verdict")?;
		Ok(())
	}

	/// Reveals re-checker `slot`'s verdict on `batch`.
	pub async fn reveal_verdict(
		&self,
		hotkey: &Keypair,
		slot: u64,
		batch: BatchId,
		verdict: &Verdict,
		salt: [u8; 32],
	) -> Result<()> {
		let tx = dynamic::transaction(
			"Work",
			"reveal_verdict",
			(slot, batch, Scale(verdict.encode()), salt),
		);
		self.submit_in_block(hotkey, &tx).await.context("reveal_verdict")?;
		Ok(())
	}
}
