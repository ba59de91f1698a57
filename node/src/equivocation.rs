//! BABE equivocations reported with sealed headers.
//!
//! sc-consensus-babe 0.60 looks for equivocations in its block import. By then its verifier
//! has moved each header's seal into `post_digests`, so the two headers of its proof carry no
//! seal, the runtime cannot check the offender's signature on them, and every report it sends
//! fails on-chain with `InvalidEquivocationProof` (seen in the governance end-to-end test: a
//! validator authoring two blocks a slot was never disabled). This block import goes in front
//! of BABE's: it sees each block with its seal still at hand, remembers the sealed headers of
//! recent slots, and reports an equivocation with both headers sealed. Its report is in the
//! pool first and takes the pool's tag for (offender, slot), so BABE's unverifiable report of
//! the same equivocation is refused there.
//!
//! The memory is in-process: after a restart, an equivocation is seen once a third header
//! arrives. It covers [`SLOTS_KEPT`] slots, the same horizon as BABE's own store.

use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex},
};

use aetron_primitives::OpaqueBlock as Block;
use sc_consensus::{BlockCheckParams, BlockImport, BlockImportParams, ImportResult};
use sc_transaction_pool_api::OffchainTransactionPoolFactory;
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_consensus::{BlockOrigin, Error as ConsensusError, SelectChain};
use sp_consensus_babe::{
	digests::CompatibleDigestItem, AuthorityId, BabeApi, EquivocationProof, Slot,
};
use sp_runtime::traits::{Block as BlockT, Header as _};

use crate::service::{FullClient, FullSelectChain};

type Header = <Block as BlockT>::Header;

/// Slots of sealed headers kept, counted back from the newest seen.
pub const SLOTS_KEPT: u64 = 1000;

/// Sealed headers seen, by slot, with their author's index in the epoch.
#[derive(Default)]
struct Seen {
	headers: BTreeMap<Slot, Vec<(u32, Header)>>,
}

impl Seen {
	/// Records `header` (sealed) by authority `index` at `slot`; returns the other header that
	/// authority sealed at `slot`, the first time it differs from one already kept.
	fn note(&mut self, slot: Slot, index: u32, header: Header) -> Option<Header> {
		let newest = self.headers.keys().next_back().copied().unwrap_or(slot).max(slot);
		if *slot + SLOTS_KEPT < *newest {
			return None;
		}
		let at_slot = self.headers.entry(slot).or_default();
		let hash = header.hash();
		let mut by_author = at_slot.iter().filter(|(i, _)| *i == index);
		if by_author.any(|(_, h)| h.hash() == hash) {
			return None;
		}
		let earlier = at_slot.iter().find(|(i, _)| *i == index).map(|(_, h)| h.clone());
		at_slot.push((index, header));
		let oldest_kept = Slot::from(newest.saturating_sub(SLOTS_KEPT));
		self.headers = self.headers.split_off(&oldest_kept);
		earlier
	}
}

/// Wraps BABE's block import; see the module documentation.
#[derive(Clone)]
pub struct EquivocationReporter<I> {
	inner: I,
	client: Arc<FullClient>,
	select_chain: FullSelectChain,
	pool: OffchainTransactionPoolFactory<Block>,
	seen: Arc<Mutex<Seen>>,
}

impl<I> EquivocationReporter<I> {
	/// `inner` with equivocations reported in front of it.
	pub fn new(
		inner: I,
		client: Arc<FullClient>,
		select_chain: FullSelectChain,
		pool: OffchainTransactionPoolFactory<Block>,
	) -> Self {
		Self { inner, client, select_chain, pool, seen: Default::default() }
	}

	/// Remembers `block`'s sealed header; returns an equivocation proof if its author sealed
	/// another header at the same slot.
	fn note(
		&self,
		block: &BlockImportParams<Block>,
	) -> Result<Option<EquivocationProof<Header>>, String> {
		if block.origin == BlockOrigin::NetworkInitialSync || block.header.number() == &0 {
			return Ok(None);
		}
		let pre_digest = sc_consensus_babe::find_pre_digest::<Block>(&block.header)
			.map_err(|e| e.to_string())?;
		let Some(seal) = block.post_digests.iter().rev().find(|d| d.as_babe_seal().is_some())
		else {
			return Ok(None);
		};
		let mut sealed = block.header.clone();
		sealed.digest_mut().push(seal.clone());
		let (slot, index) = (pre_digest.slot(), pre_digest.authority_index());
		let earlier = self
			.seen
			.lock()
			.map_err(|_| "the equivocation memory is poisoned".to_string())?
			.note(slot, index, sealed.clone());
		let Some(first_header) = earlier else { return Ok(None) };
		let offender = self.author(*block.header.parent_hash(), slot, index)?;
		let proof = EquivocationProof { offender, slot, first_header, second_header: sealed };
		// Both sealed by that authority, or nothing the chain would accept.
		Ok(sp_consensus_babe::check_equivocation_proof(proof.clone()).then_some(proof))
	}

	/// Reports `proof` in an unsigned transaction, as BABE would.
	async fn report(&self, proof: EquivocationProof<Header>) -> Result<(), String> {
		log::info!(
			target: "babe",
			"Slot author {:?} is equivocating at slot {}: reporting it with sealed headers",
			proof.offender,
			proof.slot
		);
		let parent = *proof.second_header.parent_hash();
		let best = self.select_chain.best_chain().await.map_err(|e| e.to_string())?.hash();
		let api = self.client.runtime_api();
		// The proof is generated in the session of the equivocation where it can be.
		let mut key_owner_proof = None;
		for at in [parent, best] {
			key_owner_proof = api
				.generate_key_ownership_proof(at, proof.slot, proof.offender.clone())
				.map_err(|e| e.to_string())?;
			if key_owner_proof.is_some() {
				break;
			}
		}
		let Some(key_owner_proof) = key_owner_proof else {
			return Err("the offender is not in the authority set".into());
		};
		let mut api = self.client.runtime_api();
		api.register_extension(self.pool.offchain_transaction_pool(best));
		api.submit_report_equivocation_unsigned_extrinsic(best, proof, key_owner_proof)
			.map_err(|e| e.to_string())?;
		Ok(())
	}

	/// The authority `index` of the epoch `slot` is in, as the chain at `parent` knows it.
	fn author(
		&self,
		parent: <Block as BlockT>::Hash,
		slot: Slot,
		index: u32,
	) -> Result<AuthorityId, String> {
		let api = self.client.runtime_api();
		let current = api.current_epoch(parent).map_err(|e| e.to_string())?;
		let epoch = if slot < current.start_slot + current.duration {
			current
		} else {
			api.next_epoch(parent).map_err(|e| e.to_string())?
		};
		epoch
			.authorities
			.get(index as usize)
			.map(|(id, _)| id.clone())
			.ok_or_else(|| format!("no authority {index} in epoch {}", epoch.epoch_index))
	}
}

#[async_trait::async_trait]
impl<I> BlockImport<Block> for EquivocationReporter<I>
where
	I: BlockImport<Block, Error = ConsensusError> + Send + Sync,
{
	type Error = ConsensusError;

	async fn check_block(
		&self,
		block: BlockCheckParams<Block>,
	) -> Result<ImportResult, Self::Error> {
		self.inner.check_block(block).await
	}

	async fn import_block(
		&self,
		block: BlockImportParams<Block>,
	) -> Result<ImportResult, Self::Error> {
		// The proof is made before any await: the import parameters are not `Sync`.
		let proof = self.note(&block);
		match proof {
			Ok(Some(proof)) => {
				if let Err(e) = self.report(proof).await {
					log::warn!(target: "babe", "Reporting a BABE equivocation: {e}");
				}
			}
			Ok(None) => {}
			Err(e) => log::warn!(target: "babe", "Checking for a BABE equivocation: {e}"),
		}
		self.inner.import_block(block).await
	}
}

#[cfg(test)]
mod tests {
	use sp_runtime::{Digest, DigestItem};

	use super::*;

	fn header(number: u32, tag: u8) -> Header {
		let digest = Digest { logs: vec![DigestItem::Other(vec![tag])] };
		Header::new(number, Default::default(), Default::default(), Default::default(), digest)
	}

	#[test]
	fn a_second_header_of_one_author_at_one_slot_is_an_equivocation_once() {
		let mut seen = Seen::default();
		let slot = Slot::from(100);
		assert_eq!(seen.note(slot, 2, header(1, 1)), None);
		// The same header again (a re-import), and another author's, are not.
		assert_eq!(seen.note(slot, 2, header(1, 1)), None);
		assert_eq!(seen.note(slot, 3, header(1, 2)), None);
		assert_eq!(seen.note(slot, 2, header(1, 3)), Some(header(1, 1)));
		// Another slot is not.
		assert_eq!(seen.note(Slot::from(101), 2, header(2, 4)), None);
	}

	#[test]
	fn only_recent_slots_are_kept() {
		let mut seen = Seen::default();
		seen.note(Slot::from(10), 0, header(1, 1));
		seen.note(Slot::from(10 + SLOTS_KEPT + 1), 0, header(2, 2));
		assert_eq!(seen.headers.len(), 1, "slot 10 fell out");
		// A header from before the horizon is neither kept nor compared.
		assert_eq!(seen.note(Slot::from(10), 0, header(1, 3)), None);
		assert_eq!(seen.headers.len(), 1);
	}
}
