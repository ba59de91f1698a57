//! The arbitration pallet from the worker's side (DESIGN §7): a slot's disputes, a miner's
//! posted leaf, answering an unavailable-data dispute, committing and revealing votes.
//!
//! Like [`crate::work`], runtime-API answers are decoded with the pallet's own types and call
//! arguments the pallet defines (answers, votes) are encoded by them.

use anyhow::{Context, Result};
use codec::{Decode, Encode};
use pallet_arbitration::{runtime_api::DisputeDetails, DisputeId};
use subxt::dynamic;
use subxt_signer::sr25519::Keypair;

use aetron_primitives::arbitration::{LeafAnswer, Vote};

use crate::{
	recheck::Leaf,
	registration::{AccountId, Registrar, Scale},
};

/// A dispute as the runtime API reports it.
pub type DisputeInfo = DisputeDetails<AccountId, u128, u32>;

impl Registrar {
	/// Calls `ArbitrationApi_{method}` at the best block and decodes the answer.
	async fn arbitration_api<R: Decode>(&self, method: &str, args: impl Encode) -> Result<R> {
		self.api_call("ArbitrationApi", method, args).await
	}

	/// The disputes `slot` is in, as miner, challenger or arbiter.
	pub async fn disputes_of(&self, slot: u64) -> Result<Vec<DisputeInfo>> {
		self.arbitration_api("disputes_of", slot).await
	}

	/// Whether `slot` forfeited `epoch`'s emission (a lost dispute).
	pub async fn forfeited(&self, slot: u64, epoch: u32) -> Result<bool> {
		let forfeit: Option<pallet_arbitration::Forfeit<AccountId>> =
			self.arbitration_api("forfeit", (slot, epoch)).await?;
		Ok(forfeit.is_some())
	}

	/// The leaf a miner posted for dispute `id`.
	pub async fn posted_leaf(&self, id: DisputeId) -> Result<Option<LeafAnswer>> {
		self.arbitration_api("answer", id).await
	}

	/// Posts the disputed leaf of dispute `id` (signed by the miner's hotkey, free when valid).
	pub async fn answer_dispute(
		&self,
		hotkey: &Keypair,
		id: DisputeId,
		leaf: &LeafAnswer,
	) -> Result<()> {
		let tx = dynamic::transaction("Arbitration", "answer", (id, Scale(leaf.encode())));
		self.submit_in_block(hotkey, &tx).await.context("answer")?;
		Ok(())
	}

	/// Commits arbiter `slot`'s vote hash on dispute `id`.
	pub async fn commit_vote(
		&self,
		hotkey: &Keypair,
		slot: u64,
		id: DisputeId,
		commitment: [u8; 32],
	) -> Result<()> {
		let tx = dynamic::transaction("Arbitration", "commit_vote", (slot, id, commitment));
		self.submit_in_block(hotkey, &tx).await.context("commit_vote")?;
		Ok(())
	}

	/// Reveals arbiter `slot`'s vote on dispute `id`.
	pub async fn reveal_vote(
		&self,
		hotkey: &Keypair,
		slot: u64,
		id: DisputeId,
		vote: &Vote,
		salt: [u8; 32],
	) -> Result<()> {
		let tx = dynamic::transaction(
			"Arbitration",
			"reveal_vote",
			(slot, id, Scale(vote.encode()), salt),
		);
		self.submit_in_block(hotkey, &tx).await.context("reveal_vote")?;
		Ok(())
	}
}

/// The on-chain answer for a leaf kept in this worker's store.
pub fn answer_of(leaf: &Leaf) -> Result<LeafAnswer> {
	let too_large = || anyhow::anyhow!("the leaf is larger than an on-chain answer may be");
	Ok(LeafAnswer {
		artefact: leaf.artefact.clone(),
		request: leaf.request.clone().try_into().map_err(|_| too_large())?,
		response: leaf.response.clone().try_into().map_err(|_| too_large())?,
		client: leaf.client,
		proof: leaf.proof.clone().try_into().map_err(|_| too_large())?,
	})
}

/// A leaf posted on-chain for dispute `d`, as an arbiter checks it.
pub fn leaf_of(answer: LeafAnswer, d: &DisputeInfo) -> Leaf {
	Leaf {
		batch: d.dispute.batch_number,
		index: d.dispute.leaf_index,
		leaf_count: d.dispute.leaf_count,
		proof: answer.proof.into_inner(),
		artefact: answer.artefact,
		request: answer.request.into_inner(),
		response: answer.response.into_inner(),
		client: answer.client,
	}
}
