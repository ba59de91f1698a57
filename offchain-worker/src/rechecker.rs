//! The re-check loop of `mine` (DESIGN §6): polls the slot's assignments, fetches each sampled
//! leaf from the miner's endpoint, checks it against the on-chain commitment with the re-check
//! core ([`crate::recheck`]), commits the verdict's hash and reveals it in time.
//!
//! Restart-safe: the verdict and its salt are stored durably before the commitment is sent, so
//! a worker killed between commit and reveal reveals, after restarting, exactly what it
//! committed.
//!
//! Each assignment with something due runs in a task of its own ([`Claims`]), at most
//! [`CONCURRENT_ASSIGNMENTS`] judged at once, so no reveal waits behind another assignment's
//! work. An assignment's samples are fetched and checked together, at most
//! [`CONCURRENT_LEAVES`] at a time, and everything but the model runs off the model's thread.
//! The re-computation of all its embedding leaves goes to the engine as one request, which
//! rides in the serving engine's forward passes, behind client inputs, and may wait for client
//! traffic for up to a third of the time left to its commit deadline ([`hold`]) and the
//! engine's `own_wait` ([`crate::inference::engine::Engine::embed_own`]); a completion leaf's
//! one teacher-forced prefill runs alone between decoding steps. The engine counts the model
//! time of both as re-checking (`/health`, `/metrics`: the 8 % budget).

use std::{
	sync::Arc,
	time::{Duration, Instant},
};

use futures::StreamExt as _;

use aetron_primitives::{
	merkle::SumNode,
	work::{verdict_hash, Failure, Verdict},
};
use anyhow::{Context, Result};
use pallet_work::AssignmentState;
use subxt_signer::sr25519::Keypair;
use tokio::sync::Semaphore;

use crate::{
	api::App,
	claims::Claims,
	inference::{execution::Execution, fingerprint::Tolerance},
	recheck::{self, Commitment, Pricing},
	registration::Registrar,
	store::{VerdictPhase, VerdictRecord},
	work::Assignment,
};

/// How often the loop polls the chain.
pub const POLL: Duration = Duration::from_secs(2);

/// The most assignments judged at once: their re-computations share forward passes, their
/// fetches stay few.
pub const CONCURRENT_ASSIGNMENTS: usize = 4;

/// The most sampled leaves of one assignment fetched and checked at once: enough to fill a
/// forward pass's spare rows, few enough that a burst of re-checks never crowds out clients.
pub const CONCURRENT_LEAVES: usize = 8;

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
	/// The neuronet's tolerance.
	pub tolerance: Tolerance,
	/// The neuronet's execution parameters.
	pub execution: Execution,
	/// Fetches leaves from miners' endpoints.
	pub http: reqwest::Client,
	/// Test-only: report a failure on every leaf, honest or not.
	pub dishonest: bool,
	/// Test-only: reveal only once the commit deadline passed.
	pub reveal_at_deadline: bool,
}

impl Rechecker {
	/// Checks `assignment`'s samples and returns the verdict; their re-computation waits for
	/// client traffic to share a forward pass with until `hold_until` at the latest.
	pub async fn judge(&self, a: &Assignment, hold_until: Instant) -> Result<Verdict> {
		let endpoint = String::from_utf8_lossy(&a.endpoint).into_owned();
		let commitment = Commitment {
			root: SumNode { hash: a.root, sum: a.total_work },
			leaf_count: a.leaf_count,
			slot: a.miner,
			batch_number: a.batch_number,
			neuronet: self.neuronet,
			pricing: self.pricing,
			tolerance: self.tolerance,
			execution: self.execution,
		};
		recheck::ensure_runs_as(self.app.execution(), &commitment)?;
		let prepared = futures::stream::iter(a.samples.clone())
			.map(|(_, index)| self.prepare_leaf(&endpoint, a.batch_number, index, commitment))
			.buffered(CONCURRENT_LEAVES)
			.collect::<Vec<_>>()
			.await
			.into_iter()
			.collect::<Result<Vec<_>>>()?;
		let verdicts = self.recompute(prepared, commitment, hold_until).await?;
		let mut failures = Vec::new();
		for (&(sample, index), verdict) in a.samples.iter().zip(verdicts) {
			let kind = match verdict {
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

	/// Leaf `index` of the miner's batch `batch_number`, fetched from `endpoint`, its claims
	/// and inputs checked off the model's thread: decided already, or what its re-computation
	/// needs.
	async fn prepare_leaf(
		&self,
		endpoint: &str,
		batch_number: u64,
		index: u32,
		commitment: Commitment,
	) -> Result<Prepared> {
		let leaf = match recheck::fetch(&self.http, endpoint, batch_number, index).await {
			Err(unavailable) => return Ok(Prepared::Decided(unavailable)),
			Ok(leaf) => leaf,
		};
		let input = self.app.embedding_input();
		Ok(tokio::task::spawn_blocking(move || {
			let prepared = recheck::check_claims(&leaf, &commitment).and_then(|()| {
				input
					.map(|input| recheck::EmbeddingCheck::prepare(&leaf, &commitment, &input))
					.transpose()
			});
			match prepared {
				Err(verdict) => Prepared::Decided(verdict),
				Ok(Some(check)) => Prepared::Embedding(check),
				Ok(None) => Prepared::Completion(Box::new(leaf)),
			}
		})
		.await?)
	}

	/// The verdicts of `prepared` leaves, in order. Every embedding leaf's inputs go to the
	/// engine in one request, so they share forward passes with each other and with client
	/// traffic instead of each running alone; a completion leaf's re-computation runs alone.
	async fn recompute(
		&self,
		prepared: Vec<Prepared>,
		commitment: Commitment,
		hold_until: Instant,
	) -> Result<Vec<recheck::Verdict>> {
		let inputs: Vec<Vec<u32>> = prepared
			.iter()
			.filter_map(|p| match p {
				Prepared::Embedding(check) => Some(check.inputs().iter().cloned()),
				_ => None,
			})
			.flatten()
			.collect();
		let mut ours = if inputs.is_empty() {
			Ok(Vec::new().into_iter())
		} else {
			let hold = hold_until.saturating_duration_since(Instant::now());
			self.app.engine().embed_own(inputs, hold).await.map(Vec::into_iter)
		};
		let mut verdicts = Vec::with_capacity(prepared.len());
		for p in prepared {
			verdicts.push(match p {
				Prepared::Decided(verdict) => verdict,
				Prepared::Embedding(check) => match &mut ours {
					Ok(ours) => {
						let own: Vec<Vec<f32>> = ours.by_ref().take(check.inputs().len()).collect();
						check.judge(&own)
					}
					Err(e) => recheck::Verdict::Fail(
						recheck::FailKind::Unavailable,
						format!("re-computing: {e:#}"),
					),
				},
				Prepared::Completion(leaf) => {
					self.app
						.with_model(move |model| recheck::check_output(&leaf, &commitment, model))
						.await?
				}
			});
		}
		Ok(verdicts)
	}

	/// One pass over the open assignments: each one with a reveal or a commitment due, and
	/// not already being handled, gets a task of its own, nearest commit deadline first.
	///
	/// Nothing waits for anything else: a reveal (whose window is a few blocks) never waits
	/// behind another assignment's fetches, hold and forward passes, and an assignment's
	/// commitment never waits behind another's. At most [`CONCURRENT_ASSIGNMENTS`] are judged
	/// at once (`judging`), so their re-computations share passes while fetches stay few. The
	/// registrar signs one transaction at a time with the next nonce, so the tasks'
	/// transactions may wait for their blocks together. One assignment's error is logged; the
	/// next pass retries it.
	async fn step(self: &Arc<Self>, claims: &Claims, judging: &Arc<Semaphore>) -> Result<()> {
		let now = self.registrar.best_block().await?;
		let mut due: Vec<Assignment> = self
			.registrar
			.assignments(self.slot)
			.await?
			.into_iter()
			.filter(|a| match a.assignment.state {
				AssignmentState::Waiting => now < a.assignment.commit_deadline,
				AssignmentState::Committed(_) => now < a.assignment.reveal_deadline,
				_ => false,
			})
			.collect();
		due.sort_by_key(|a| a.assignment.commit_deadline);
		for a in due {
			let (this, judging) = (self.clone(), judging.clone());
			claims.spawn(a.batch, async move {
				if let Err(e) = this.reveal_if_due(&a, now).await {
					tracing::warn!(batch = a.batch, "reveal: {e:#}");
				}
				if let Err(e) = this.commit_if_due(&a, now, &judging).await {
					tracing::warn!(batch = a.batch, "re-check: {e:#}");
				}
			});
		}
		Ok(())
	}

	/// Reveals `a`'s committed verdict once every re-checker committed or the commit deadline
	/// passed, and only while it can still land by the reveal deadline.
	async fn reveal_if_due(&self, a: &Assignment, now: u32) -> Result<()> {
		let id = a.batch;
		let store = self.app.store_handle();
		let (AssignmentState::Committed(_), Some(record)) =
			(a.assignment.state, store.verdict(id)?)
		else {
			return Ok(());
		};
		if now >= a.assignment.reveal_deadline {
			return Ok(());
		}
		let early = !self.reveal_at_deadline && self.all_committed(id).await?;
		if now > a.assignment.commit_deadline || early {
			self.registrar
				.reveal_verdict(&self.hotkey, self.slot, id, &record.verdict, record.salt)
				.await?;
			store.put_verdict(id, &VerdictRecord { phase: VerdictPhase::Revealed, ..record })?;
			tracing::info!(batch = id, "revealed verdict");
		}
		Ok(())
	}

	/// Judges `a` if it waits for this re-checker's verdict and none is kept, and commits the
	/// kept or new verdict before the commit deadline. A verdict kept from before a restart may
	/// never have been sent, so it is sent again.
	async fn commit_if_due(&self, a: &Assignment, now: u32, judging: &Semaphore) -> Result<()> {
		if a.assignment.state != AssignmentState::Waiting || now >= a.assignment.commit_deadline {
			return Ok(());
		}
		let store = self.app.store_handle();
		let record = match store.verdict(a.batch)? {
			Some(record) => record,
			None => {
				let _turn = judging.acquire().await?;
				// Other assignments' judging may have taken time: the hold counts from now.
				let now = self.registrar.best_block().await?;
				if now >= a.assignment.commit_deadline {
					anyhow::bail!("the commit deadline passed while other assignments were judged");
				}
				let hold_until = Instant::now() + hold(a.assignment.commit_deadline, now);
				let record = VerdictRecord {
					verdict: self.judge(a, hold_until).await?,
					salt: rand_salt()?,
					phase: VerdictPhase::Decided,
				};
				// Durable before the commitment leaves this machine.
				store.put_verdict(a.batch, &record)?;
				record
			}
		};
		self.commit(a.batch, record).await
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
		let this = Arc::new(self);
		let claims = Claims::default();
		let judging = Arc::new(Semaphore::new(CONCURRENT_ASSIGNMENTS));
		loop {
			if let Err(e) = this.step(&claims, &judging).await {
				tracing::warn!(slot = this.slot, "re-check: {e:#}");
			}
			tokio::time::sleep(POLL).await;
		}
	}
}

/// How long an assignment's re-computation may wait for client traffic to share a forward
/// pass with (DESIGN §16), at block `now` with its commit deadline at block `deadline`: a third
/// of the time left, so two thirds remain for the re-computation and the commitment's
/// transaction.
pub fn hold(deadline: u32, now: u32) -> Duration {
	let block = Duration::from_millis(aetron_primitives::time::MILLISECS_PER_BLOCK);
	block * deadline.saturating_sub(now) / HOLD_SHARE
}

/// The share of an assignment's time left that its re-computation may wait: one in this many.
const HOLD_SHARE: u32 = 3;

/// A sampled leaf after its fetch and the checks that need no model.
enum Prepared {
	/// Its verdict is known already (unavailable, or a claim that fails).
	Decided(recheck::Verdict),
	/// An embedding leaf, waiting for its inputs' re-computation.
	Embedding(recheck::EmbeddingCheck),
	/// A completion leaf, re-computed alone on the model.
	Completion(Box<recheck::Leaf>),
}

/// A salt from the operating system's randomness: nobody can guess a verdict or a vote from
/// its hash.
pub(crate) fn rand_salt() -> Result<[u8; 32]> {
	let mut salt = [0u8; 32];
	getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
	Ok(salt)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_re_computation_waits_a_third_of_the_time_left_and_never_past_the_deadline() {
		let block = aetron_primitives::time::MILLISECS_PER_BLOCK;
		assert_eq!(hold(104, 100), Duration::from_millis(4 * block / 3));
		assert_eq!(hold(100, 100), Duration::ZERO);
		assert_eq!(hold(100, 120), Duration::ZERO, "a late step waits for nothing");
	}
}
