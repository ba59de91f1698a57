//! The re-check loop of `mine` (DESIGN §6): polls the slot's assignments, fetches each sampled
//! leaf from the miner's endpoint, checks it against the on-chain commitment with the re-check
//! core ([`crate::recheck`]), commits the verdict's hash and reveals it in time.
//!
//! Restart-safe: the verdict and its salt are stored durably before the commitment is sent, so
//! a worker killed between commit and reveal reveals, after restarting, exactly what it
//! committed.
//!
//! An assignment's samples are fetched and checked together, at most [`CONCURRENT_LEAVES`] at
//! a time, and everything but the model runs off the model's thread. An embedding leaf's
//! re-computation rides in the serving engine's forward passes, behind client inputs
//! ([`crate::inference::engine::Engine::embed_own`]); a completion leaf's one teacher-forced
//! prefill runs alone between decoding steps. The engine counts the model time of both as
//! re-checking (`/health`, `/metrics`: the 8 % budget).

use std::{sync::Arc, time::Duration};

use futures::StreamExt as _;

use aetron_primitives::{
	merkle::SumNode,
	work::{verdict_hash, Failure, Verdict},
};
use anyhow::{Context, Result};
use pallet_work::AssignmentState;
use subxt_signer::sr25519::Keypair;

use crate::{
	api::App,
	recheck::{self, Commitment, Pricing},
	registration::Registrar,
	store::{VerdictPhase, VerdictRecord},
	work::Assignment,
};

/// How often the loop polls the chain.
pub const POLL: Duration = Duration::from_secs(2);

/// The most sampled leaves of one assignment fetched and checked at once: enough to fill a
/// forward pass's spare rows, few enough that a burst of re-checks never crowds out clients.
pub const CONCURRENT_LEAVES: usize = 8;

/// The most assignments judged at once (so at most this many times [`CONCURRENT_LEAVES`]
/// leaves, one full forward pass, are in flight).
pub const CONCURRENT_ASSIGNMENTS: usize = 4;

/// What the loop needs.
pub struct Rechecker {
	/// The chain.
	pub registrar: Arc<Registrar>,
	/// The serving app: its model re-computes, its store keeps verdicts.
	pub app: Arc<App>,
	/// The re-checker's hotkey.
	pub hotkey: Keypair,
	/// Its slot.
	pub slot: u64,
	/// The neuronet, whose every batch it may be assigned.
	pub neuronet: u32,
	/// The neuronet's pricing.
	pub pricing: Pricing,
	/// Fetches leaves from miners' endpoints.
	pub http: reqwest::Client,
	/// Test-only: report a failure on every leaf, honest or not.
	pub dishonest: bool,
	/// Test-only: reveal only once the commit deadline passed.
	pub reveal_at_deadline: bool,
}

impl Rechecker {
	/// Checks `assignment`'s samples and returns the verdict.
	pub async fn judge(&self, a: &Assignment) -> Result<Verdict> {
		let endpoint = String::from_utf8_lossy(&a.endpoint).into_owned();
		let commitment = Commitment {
			root: SumNode { hash: a.root, sum: a.total_work },
			leaf_count: a.leaf_count,
			slot: a.miner,
			batch_number: a.batch_number,
			neuronet: self.neuronet,
			pricing: self.pricing,
		};
		let verdicts = futures::stream::iter(a.samples.clone())
			.map(|(_, index)| self.judge_leaf(&endpoint, a.batch_number, index, commitment))
			.buffered(CONCURRENT_LEAVES)
			.collect::<Vec<_>>()
			.await;
		let mut failures = Vec::new();
		for (&(sample, index), verdict) in a.samples.iter().zip(verdicts) {
			let kind = match verdict? {
				recheck::Verdict::Fail(kind, why) => {
					tracing::warn!(batch = a.batch, sample, index, "leaf fails: {kind:?}: {why}");
					Some(kind)
				}
				recheck::Verdict::Pass if self.dishonest => Some(recheck::FailKind::WrongOutput),
				recheck::Verdict::Pass => None,
			};
			if let Some(kind) = kind {
				failures.push(Failure { sample, kind });
			}
		}
		Ok(Verdict {
			checked: a.samples.len() as u32,
			failures: failures
				.try_into()
				.map_err(|_| anyhow::anyhow!("more failures than a verdict holds"))?,
		})
	}

	/// The verdict on `a`, with its batch id.
	async fn judged(&self, a: Assignment) -> (u64, Result<Verdict>) {
		(a.batch, self.judge(&a).await)
	}

	/// Leaf `index` of the miner's batch `batch_number`, fetched from `endpoint` and checked.
	async fn judge_leaf(
		&self,
		endpoint: &str,
		batch_number: u64,
		index: u32,
		commitment: Commitment,
	) -> Result<recheck::Verdict> {
		match recheck::fetch(&self.http, endpoint, batch_number, index).await {
			Err(unavailable) => Ok(unavailable),
			Ok(leaf) => self.check(leaf, commitment).await,
		}
	}

	/// One leaf's verdict: its claims and inputs checked off the model's thread, its output
	/// re-computed on the model.
	async fn check(&self, leaf: recheck::Leaf, commitment: Commitment) -> Result<recheck::Verdict> {
		let input = self.app.embedding_input();
		let (leaf, prepared) = tokio::task::spawn_blocking(move || {
			let prepared = recheck::check_claims(&leaf, &commitment).and_then(|()| {
				input.map(|input| recheck::EmbeddingCheck::prepare(&leaf, &input)).transpose()
			});
			(leaf, prepared)
		})
		.await?;
		match prepared {
			Err(verdict) => Ok(verdict),
			Ok(Some(check)) => {
				Ok(match self.app.engine().embed_own(check.inputs().to_vec()).await {
					Ok(ours) => check.judge(&ours),
					Err(e) => recheck::Verdict::Fail(
						recheck::FailKind::Unavailable,
						format!("re-computing: {e:#}"),
					),
				})
			}
			Ok(None) => self.app.with_model(move |model| recheck::check_output(&leaf, model)).await,
		}
	}

	/// One pass over the open assignments: decides, commits and reveals what is due.
	pub async fn step(&self) -> Result<()> {
		let now = self.registrar.best_block().await?;
		let assignments = self.registrar.assignments(self.slot).await?;
		let store = self.app.store_handle();
		// Every assignment still to judge, judged together: the samples of batches sampled at
		// one epoch's start share forward passes.
		let mut due = Vec::new();
		for a in &assignments {
			let open = now < a.assignment.commit_deadline;
			let waiting = a.assignment.state == AssignmentState::Waiting;
			if open && waiting && store.verdict(a.batch)?.is_none() {
				due.push(a.clone());
			}
		}
		let judged = futures::stream::iter(due)
			.map(|a| self.judged(a))
			.buffer_unordered(CONCURRENT_ASSIGNMENTS)
			.collect::<Vec<_>>()
			.await;
		let mut just_committed = std::collections::BTreeSet::new();
		for (id, verdict) in judged {
			just_committed.insert(id);
			let record = VerdictRecord {
				verdict: verdict?,
				salt: rand_salt()?,
				phase: VerdictPhase::Decided,
			};
			// Durable before the commitment leaves this machine.
			store.put_verdict(id, &record)?;
			self.commit(id, record).await?;
		}
		for a in assignments.into_iter().filter(|a| !just_committed.contains(&a.batch)) {
			let id = a.batch;
			let deadlines = (a.assignment.commit_deadline, a.assignment.reveal_deadline);
			let kept = store.verdict(id)?;
			match (a.assignment.state, kept) {
				(AssignmentState::Waiting, Some(record)) if now < deadlines.0 => {
					// Decided before a restart; the commitment may never have been sent.
					self.commit(id, record).await?;
				}
				// Sent only while it can still land by the deadline (the next block at the latest).
				(AssignmentState::Committed(_), Some(record)) if now < deadlines.1 => {
					let early = !self.reveal_at_deadline && self.all_committed(id).await?;
					if now > deadlines.0 || early {
						self.registrar
							.reveal_verdict(
								&self.hotkey,
								self.slot,
								id,
								&record.verdict,
								record.salt,
							)
							.await?;
						store.put_verdict(
							id,
							&VerdictRecord { phase: VerdictPhase::Revealed, ..record },
						)?;
						tracing::info!(batch = id, "revealed verdict");
					}
				}
				_ => {}
			}
		}
		Ok(())
	}

	async fn commit(&self, id: u64, record: VerdictRecord) -> Result<()> {
		let hash = verdict_hash(&record.verdict, &record.salt, self.slot, id);
		self.registrar.commit_verdict(&self.hotkey, self.slot, id, hash).await?;
		let failures = record.verdict.failures.len();
		self.app
			.store_handle()
			.put_verdict(id, &VerdictRecord { phase: VerdictPhase::Committed, ..record })?;
		tracing::info!(batch = id, failures, "committed verdict");
		Ok(())
	}

	async fn all_committed(&self, id: u64) -> Result<bool> {
		let batch = self.registrar.batch(id).await?.context("the batch is gone")?;
		Ok(batch.batch.rechecks.iter().all(|a| !matches!(a.state, AssignmentState::Waiting)))
	}

	/// Runs until cancelled; errors are logged and retried.
	pub async fn run(self) {
		loop {
			if let Err(e) = self.step().await {
				tracing::warn!(slot = self.slot, "re-check: {e:#}");
			}
			tokio::time::sleep(POLL).await;
		}
	}
}

/// A salt from the operating system's randomness: nobody can guess a verdict or a vote from
/// its hash.
pub(crate) fn rand_salt() -> Result<[u8; 32]> {
	let mut salt = [0u8; 32];
	getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
	Ok(salt)
}
