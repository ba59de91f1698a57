//! `aetron-worker status`: what the chain says of a hotkey's slots (DESIGN §10): batches
//! committed, confirmed and disputed; re-checks done, passed and missed; per epoch the confirmed
//! work, heartbeats, forfeits and the payout in AET with where it stands (pending, claimable,
//! claimed, forfeited); payouts pending and claimed in all; the stake behind the neuronet and
//! the capacity it backs; disputes as miner, challenger or arbiter with their phase or ruling;
//! reputation and uptime. Everything is read from the chain, nothing from the worker, so
//! it tells a miner what it will be paid for.

use anyhow::Result;
use serde::Serialize;

use crate::{emission::aet, registration::Registrar};

/// One slot's figures.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotStatus {
	/// The slot.
	pub slot: u64,
	/// Its neuronet.
	pub neuronet: u32,
	/// `Pending`, `Active` or `Deregistered`.
	pub status: String,
	/// Reputation, 0 to 1.
	pub reputation: f64,
	/// Heartbeats received over heartbeats expected, 0 to 1.
	pub uptime: f64,
	/// Batches committed.
	pub batches_committed: u32,
	/// Batches confirmed.
	pub batches_confirmed: u32,
	/// Batches disputed.
	pub batches_disputed: u32,
	/// Verdicts revealed on others' batches.
	pub rechecks_done: u32,
	/// Of those, verdicts without a failure.
	pub rechecks_passed: u32,
	/// Assignments missed.
	pub rechecks_missed: u32,
	/// Assignments open now.
	pub open_assignments: u32,
	/// Payouts not yet claimed (pending or claimable), in AET.
	pub pending_aet: f64,
	/// Payouts claimed, in AET (of the epochs the chain still keeps).
	pub claimed_aet: f64,
	/// Stake bonded to the slot's neuronet, in AET.
	pub neuronet_stake_aet: f64,
	/// Work units an epoch that stake backs.
	pub neuronet_capacity: u64,
	/// Confirmed work per epoch, the latest last.
	pub epochs: Vec<EpochStatus>,
	/// Disputes the slot is in (until the chain prunes them).
	pub disputes: Vec<DisputeStatus>,
}

/// One dispute of a slot.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DisputeStatus {
	/// The dispute.
	pub id: u64,
	/// `Miner`, `Challenger` or `Arbiter`.
	pub role: String,
	/// The disputed batch (on-chain id).
	pub batch: u64,
	/// The failure it is about.
	pub kind: String,
	/// Where it is: `Answering`, `Drawing`, `Voting`, or its ruling (`MinerLost`,
	/// `ChallengerLost`, `NoFault`).
	pub phase: String,
	/// Revealed votes for the miner and against it, once decided.
	pub votes: Option<(u32, u32)>,
}

/// One epoch of a slot.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochStatus {
	/// The epoch.
	pub epoch: u32,
	/// Work units of its own batches confirmed.
	pub served: u64,
	/// Work units of others' leaves it re-checked in confirmed batches.
	pub rechecked: u64,
	/// Re-checks missed (any forfeits the epoch's emission).
	pub missed_rechecks: u32,
	/// Whether a lost dispute forfeited the epoch's emission.
	pub forfeited: bool,
	/// Heartbeats the chain counted in the epoch.
	pub heartbeats: u32,
	/// The epoch's payout in AET at the figures as they stand.
	pub income_aet: f64,
	/// Where the payout stands: `Pending`, `Claimable`, `Claimed`, `Forfeited`, `Expired`, or
	/// none without a score.
	pub payout: Option<String>,
}

/// The figures of every slot `hotkey` holds, with the last `epochs` epochs.
pub async fn of_hotkey(
	registrar: &Registrar,
	hotkey: [u8; 32],
	epochs: u32,
) -> Result<Vec<SlotStatus>> {
	let current = registrar.epoch().await?;
	let mut out = Vec::new();
	for neuronet in registrar.neuronets().await? {
		let Some(slot) = registrar.slot_of_hotkey(neuronet.id, hotkey).await? else { continue };
		out.push(of_slot(registrar, slot, current, epochs).await?);
	}
	Ok(out)
}

/// One slot's figures.
pub async fn of_slot(
	registrar: &Registrar,
	slot: u64,
	current: u32,
	epochs: u32,
) -> Result<SlotStatus> {
	use pallet_emission::runtime_api::PayoutState;
	let details = registrar.slot(slot).await?;
	let ledger = registrar.slot_ledger(slot).await?.unwrap_or_default();
	let payouts = registrar.slot_payouts(slot).await?;
	let mut per_epoch = Vec::new();
	for epoch in current.saturating_sub(epochs.saturating_sub(1))..=current {
		let w = registrar.epoch_work(slot, epoch).await?;
		let payout = payouts.iter().find(|p| p.epoch == epoch);
		per_epoch.push(EpochStatus {
			epoch,
			served: w.served,
			rechecked: w.rechecked,
			missed_rechecks: w.missed_rechecks,
			forfeited: registrar.forfeited(slot, epoch).await?,
			heartbeats: payout.map_or(0, |p| p.record.heartbeats),
			income_aet: payout.map_or(0.0, |p| aet(p.amount)),
			payout: payout.map(|p| format!("{:?}", p.state)),
		});
	}
	let total = |states: &[PayoutState]| {
		aet(payouts.iter().filter(|p| states.contains(&p.state)).map(|p| p.amount).sum())
	};
	let neuronet = details.as_ref().and_then(|d| d.slot.as_ref()).map_or(0, |s| s.neuronet);
	let (stake, capacity) = registrar.capacity(neuronet).await?;
	let disputes = registrar
		.disputes_of(slot)
		.await?
		.into_iter()
		.map(|d| {
			use pallet_arbitration::Phase;
			let (phase, votes) = match d.dispute.phase {
				Phase::Answering { .. } => ("Answering".to_string(), None),
				Phase::Drawing { .. } => ("Drawing".to_string(), None),
				Phase::Voting { .. } => ("Voting".to_string(), None),
				Phase::Decided { ruling, honest, guilty, .. } => {
					(format!("{ruling:?}"), Some((honest, guilty)))
				}
			};
			DisputeStatus {
				id: d.id,
				role: d.role.map_or_else(|| "-".into(), |r| format!("{r:?}")),
				batch: d.dispute.batch,
				kind: format!("{:?}", d.dispute.kind),
				phase,
				votes,
			}
		})
		.collect();
	let fraction = |p: sp_runtime::Perbill| f64::from(p.deconstruct()) / 1e9;
	Ok(SlotStatus {
		slot,
		neuronet,
		status: details.as_ref().map_or_else(|| "Unknown".into(), |d| format!("{:?}", d.status)),
		reputation: details.as_ref().map_or(0.0, |d| fraction(d.reputation)),
		uptime: details.as_ref().map_or(0.0, |d| fraction(d.uptime)),
		batches_committed: ledger.committed,
		batches_confirmed: ledger.confirmed,
		batches_disputed: ledger.disputed,
		rechecks_done: ledger.rechecks_done,
		rechecks_passed: ledger.rechecks_passed,
		rechecks_missed: ledger.rechecks_missed,
		open_assignments: ledger.open_assignments,
		pending_aet: total(&[PayoutState::Pending, PayoutState::Claimable]),
		claimed_aet: total(&[PayoutState::Claimed]),
		neuronet_stake_aet: aet(stake),
		neuronet_capacity: capacity,
		epochs: per_epoch,
		disputes,
	})
}

/// The figures as text.
pub fn print(slots: &[SlotStatus]) {
	if slots.is_empty() {
		println!("this hotkey holds no slot");
	}
	for s in slots {
		println!(
			"slot {} (neuronet {}): {}, reputation {:.3}, uptime {:.1} %",
			s.slot,
			s.neuronet,
			s.status,
			s.reputation,
			s.uptime * 100.0
		);
		println!(
			"  batches: {} committed, {} confirmed, {} disputed",
			s.batches_committed, s.batches_confirmed, s.batches_disputed
		);
		println!(
			"  re-checks: {} done, {} passed, {} missed, {} open",
			s.rechecks_done, s.rechecks_passed, s.rechecks_missed, s.open_assignments
		);
		println!(
			"  payouts: {:.6} AET pending, {:.6} AET claimed; the neuronet has {:.3} AET staked, \
			 backing {} work units an epoch",
			s.pending_aet, s.claimed_aet, s.neuronet_stake_aet, s.neuronet_capacity
		);
		println!(
			"  {:>6} {:>12} {:>12} {:>7} {:>10} {:>10} {:>14}  payout",
			"epoch", "served", "re-checked", "missed", "forfeited", "heartbeats", "income (AET)"
		);
		for e in &s.epochs {
			println!(
				"  {:>6} {:>12} {:>12} {:>7} {:>10} {:>10} {:>14.6}  {}",
				e.epoch,
				e.served,
				e.rechecked,
				e.missed_rechecks,
				if e.forfeited { "yes" } else { "" },
				e.heartbeats,
				e.income_aet,
				e.payout.as_deref().unwrap_or("-"),
			);
		}
		for d in &s.disputes {
			let votes = d.votes.map_or(String::new(), |(h, g)| format!(" ({h} for, {g} against)"));
			println!(
				"  dispute {} as {}: batch {}, {}: {}{votes}",
				d.id, d.role, d.batch, d.kind, d.phase
			);
		}
	}
}
