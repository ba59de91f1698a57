//! The claim loop of `mine` (DESIGN §9, §10): once an epoch settles, the slot's payout for it is
//! claimed, signed by the hotkey (free when it pays; the chain pays the coldkey); and so is the
//! payout of a miner this slot proved cheated, whose claim pays this slot's coldkey the bounty.
//!
//! Restart-safe: the chain records each claim, so a payout is claimed once whatever the loop
//! does; bounties are remembered in the store from the moment arbitration decides (it forgets
//! its disputes before their epoch settles) until they are claimed or expire.

use std::{sync::Arc, time::Duration};

use anyhow::Result;
use pallet_arbitration::{Phase, Role, Ruling};
use pallet_emission::runtime_api::PayoutState;
use subxt_signer::sr25519::Keypair;

use crate::{emission::aet, registration::Registrar, store::ArtefactStore};

/// How often the loop looks for settled epochs (a few blocks).
pub const POLL: Duration = Duration::from_secs(12);

/// A payout claimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claimed {
	/// Whose payout.
	pub slot: u64,
	/// Of which epoch.
	pub epoch: u32,
	/// The payout (to the slot's coldkey; or, for a bounty, a share of it to ours).
	pub amount: u128,
	/// Whether it was a cheater's forfeited payout claimed for the bounty it owes us.
	pub bounty: bool,
}

/// Claims what is settled and unclaimed: the slot's own payouts and the bounties it is owed.
pub async fn claim_settled(
	registrar: &Registrar,
	store: &ArtefactStore,
	hotkey: &Keypair,
	slot: u64,
) -> Result<Vec<Claimed>> {
	let mut claimed = Vec::new();
	for p in registrar.slot_payouts(slot).await? {
		// A forfeited payout of our own is not ours to move (its claim pays others).
		if p.state == PayoutState::Claimable && p.amount > 0 {
			registrar.claim(hotkey, slot, p.epoch).await?;
			claimed.push(Claimed { slot, epoch: p.epoch, amount: p.amount, bounty: false });
		}
	}
	for d in registrar.disputes_of(slot).await? {
		let won = matches!(d.dispute.phase, Phase::Decided { ruling: Ruling::MinerLost, .. });
		if d.role == Some(Role::Challenger) && won {
			store.put_bounty(d.dispute.miner, d.dispute.epoch)?;
		}
	}
	for (miner, epoch) in store.bounties()? {
		let payouts = registrar.slot_payouts(miner).await?;
		let Some(p) = payouts.iter().find(|p| p.epoch == epoch) else {
			// Expired (or never scored): nothing left to claim.
			store.remove_bounty(miner, epoch)?;
			continue;
		};
		if p.record.claimed || p.amount == 0 || p.state == PayoutState::Expired {
			store.remove_bounty(miner, epoch)?;
		} else if p.settled {
			registrar.claim(hotkey, miner, epoch).await?;
			store.remove_bounty(miner, epoch)?;
			claimed.push(Claimed { slot: miner, epoch, amount: p.amount, bounty: true });
		}
	}
	Ok(claimed)
}

/// Runs until cancelled, claiming each epoch as it settles. Errors (a node restart, a
/// transaction the pool dropped) are logged and retried.
pub async fn run(registrar: Arc<Registrar>, store: Arc<ArtefactStore>, hotkey: Keypair, slot: u64) {
	loop {
		match claim_settled(&registrar, &store, &hotkey, slot).await {
			Ok(claimed) => {
				for c in claimed {
					let what = if c.bounty {
						"claimed a forfeited payout for its bounty"
					} else {
						"claimed"
					};
					tracing::info!(slot = c.slot, epoch = c.epoch, aet = aet(c.amount), "{what}");
				}
			}
			Err(e) => tracing::warn!(slot, "claim: {e:#}"),
		}
		tokio::time::sleep(POLL).await;
	}
}
