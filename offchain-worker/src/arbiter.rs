//! The dispute loop of `mine` (DESIGN §7), beside serving and re-checking:
//! - as an **arbiter**, it polls the slot's panel seats, fetches the disputed leaf (from the
//!   chain when the miner posted it, otherwise from the miner's endpoint), re-executes it on the
//!   reference backend (bit-identical on every machine and thread count), judges it against
//!   the neuronet's tolerance with the re-check core, and commits and reveals its vote in time;
//! - as a **miner**, it answers an unavailable-data dispute over one of its leaves by posting
//!   the leaf from its store on-chain.
//!
//! Restart-safe like the re-check loop: the vote and its salt are stored durably before the
//! commitment is sent, so a worker killed between commit and reveal reveals what it committed.
//! Each dispute with something due runs in a task of its own ([`Claims`]), so a reveal, whose
//! window is a few blocks, never waits behind another dispute's fetch, re-computation or
//! transaction.
//! The reference model is loaded on the first seat, not before: most slots seldom sit on a
//! panel, and it costs a second copy of the weights in memory.

use std::{
	path::PathBuf,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use aetron_primitives::arbitration::{vote_hash, Vote};
use anyhow::{Context, Result};
use codec::Encode;
use pallet_arbitration::{Phase, Role, VoteState};
use subxt_signer::sr25519::Keypair;
use tokio::sync::OnceCell;

use crate::{
	api::App,
	arbitration::{answer_of, leaf_of, DisputeInfo},
	claims::Claims,
	inference::{execution::Execution, fingerprint::Tolerance, Model, Placement},
	recheck::{self, Commitment, Leaf, Pricing},
	rechecker::rand_salt,
	registration::Registrar,
	store::{Position, VerdictPhase, VoteRecord},
};

/// How often the loop polls the chain.
pub const POLL: Duration = Duration::from_secs(2);

/// What the loop needs.
pub struct Arbiter {
	/// The chain.
	pub registrar: Arc<Registrar>,
	/// The serving app: its store keeps votes and the leaves a miner may have to post.
	pub app: Arc<App>,
	/// The slot's hotkey.
	pub hotkey: Keypair,
	/// The slot.
	pub slot: u64,
	/// Its neuronet.
	pub neuronet: u32,
	/// The neuronet's pricing.
	pub pricing: Pricing,
	/// The neuronet's tolerance.
	pub tolerance: Tolerance,
	/// The neuronet's execution parameters, which the reference model runs with.
	pub execution: Execution,
	/// The model directory that passed the neuronet's checks, loaded on the reference backend.
	pub model_dir: PathBuf,
	/// Fetches leaves from miners' endpoints.
	pub http: reqwest::Client,
	/// Test-only: never answer an unavailable-data dispute.
	pub never_answer: bool,
	/// The reference model, once loaded (by one task, however many judge at once).
	pub reference: OnceCell<Arc<Mutex<Model>>>,
}

/// An arbiter's vote on `leaf` (or on a leaf it could not get: `Err` holds why), judged with
/// the re-check core on the `reference` model: honest when it passes. The digest is
/// `blake2_256(SCALE((artefact bytes, failure kind, reason)))`, so the vote names the leaf
/// judged and what was found, and two arbiters' votes on one leaf match to the bit when their
/// re-computations do (the reference backend makes them).
pub fn vote_on(
	leaf: Result<&Leaf, &recheck::Verdict>,
	commitment: &Commitment,
	reference: Option<&Model>,
) -> (Vote, recheck::Verdict) {
	let (verdict, artefact) = match (leaf, reference) {
		(Err(unavailable), _) => (unavailable.clone(), Vec::new()),
		(Ok(leaf), Some(model)) => {
			(recheck::check(leaf, commitment, model), leaf.artefact.encode())
		}
		(Ok(leaf), None) => (
			recheck::Verdict::Fail(
				recheck::FailKind::WrongOutput,
				"no model to re-compute with".into(),
			),
			leaf.artefact.encode(),
		),
	};
	let (found, why) = match &verdict {
		recheck::Verdict::Pass => (None, String::new()),
		recheck::Verdict::Fail(kind, why) => (Some(*kind), why.clone()),
	};
	let digest = sp_crypto_hashing::blake2_256(&(artefact, found, why).encode());
	(Vote { miner_honest: found.is_none(), digest }, verdict)
}

impl Arbiter {
	/// The reference model, loaded on first use.
	async fn reference(&self) -> Result<Arc<Mutex<Model>>> {
		let model = self
			.reference
			.get_or_try_init(|| async {
				let dir = self.model_dir.clone();
				let execution = self.execution;
				let model = tokio::task::spawn_blocking(move || {
					Model::load(&dir, &Placement::reference(&execution)?)
				})
				.await??;
				Ok::<_, anyhow::Error>(Arc::new(Mutex::new(model)))
			})
			.await?;
		Ok(model.clone())
	}

	/// Judges dispute `d`'s leaf: the miner is honest when everything that pays re-derives and
	/// the reference backend gives its output within tolerance. The digest binds the vote to
	/// the leaf judged and the failure found.
	pub async fn judge(&self, d: &DisputeInfo) -> Result<Vote> {
		let dispute = &d.dispute;
		let started = Instant::now();
		let leaf: Result<Leaf, recheck::Verdict> = match self.registrar.posted_leaf(d.id).await? {
			Some(answer) => Ok(leaf_of(answer, d)),
			None => {
				let endpoint = String::from_utf8_lossy(&d.endpoint).into_owned();
				recheck::fetch(&self.http, &endpoint, dispute.batch_number, dispute.leaf_index)
					.await
			}
		};
		let commitment = Commitment {
			root: dispute.root,
			leaf_count: dispute.leaf_count,
			slot: dispute.miner,
			batch_number: dispute.batch_number,
			neuronet: dispute.neuronet,
			pricing: self.pricing,
			tolerance: self.tolerance,
			execution: self.execution,
		};
		let model = match &leaf {
			Ok(_) => Some(self.reference().await?),
			Err(_) => None,
		};
		let (vote, verdict) = tokio::task::spawn_blocking(move || {
			let model = match &model {
				Some(model) => {
					Some(model.lock().map_err(|_| anyhow::anyhow!("model lock poisoned"))?)
				}
				None => None,
			};
			Ok::<_, anyhow::Error>(vote_on(leaf.as_ref(), &commitment, model.as_deref()))
		})
		.await??;
		tracing::info!(
			dispute = d.id,
			batch = dispute.batch,
			leaf = dispute.leaf_index,
			ms = started.elapsed().as_millis() as u64,
			"judged on the reference backend: {verdict}"
		);
		Ok(vote)
	}

	/// One pass over the slot's disputes: each one that asks something of it (an answer as
	/// the miner, a vote as an arbiter), and that no task is handling already, gets a task of
	/// its own, nearest deadline first. A dispute's error is logged; the next pass retries it.
	async fn step(self: &Arc<Self>, claims: &Claims) -> Result<()> {
		let now = self.registrar.best_block().await?;
		let mut due: Vec<(u32, DisputeInfo)> = self
			.registrar
			.disputes_of(self.slot)
			.await?
			.into_iter()
			.filter_map(|d| {
				let deadline = match (d.role, &d.dispute.phase) {
					(Some(Role::Miner), Phase::Answering { deadline }) => *deadline,
					(Some(Role::Arbiter), Phase::Voting { commit_deadline, reveal_deadline }) => {
						if now < *commit_deadline {
							*commit_deadline
						} else {
							*reveal_deadline
						}
					}
					_ => return None,
				};
				(now <= deadline).then_some((deadline, d))
			})
			.collect();
		due.sort_by_key(|(deadline, _)| *deadline);
		for (_, d) in due {
			let this = self.clone();
			claims.spawn(d.id, async move {
				let result = match d.role {
					Some(Role::Miner) => this.answer(&d, now).await,
					_ => this.vote(&d, now).await,
				};
				if let Err(e) = result {
					tracing::warn!(slot = this.slot, dispute = d.id, "dispute: {e:#}");
				}
			});
		}
		Ok(())
	}

	/// Posts the leaf of an unavailable-data dispute over this slot's batch.
	async fn answer(&self, d: &DisputeInfo, now: u32) -> Result<()> {
		let Phase::Answering { deadline } = d.dispute.phase else { return Ok(()) };
		if now > deadline || self.never_answer {
			return Ok(());
		}
		let position = Position { batch: d.dispute.batch_number, index: d.dispute.leaf_index };
		let store = self.app.store_handle();
		let proven = tokio::task::spawn_blocking(move || store.proven_entry(position))
			.await??
			.with_context(|| format!("no leaf {position:?} in the store"))?;
		let leaf = Leaf::from_proven(position, proven);
		self.registrar.answer_dispute(&self.hotkey, d.id, &answer_of(&leaf)?).await?;
		tracing::info!(
			dispute = d.id,
			batch = position.batch,
			leaf = position.index,
			"answered on-chain"
		);
		Ok(())
	}

	/// Decides, commits and reveals this slot's vote on `d` as its deadlines allow.
	async fn vote(&self, d: &DisputeInfo, now: u32) -> Result<()> {
		let Phase::Voting { commit_deadline, reveal_deadline } = d.dispute.phase else {
			return Ok(());
		};
		let Some(seat) = d.dispute.panel.iter().find(|s| s.slot == self.slot) else {
			return Ok(());
		};
		let store = self.app.store_handle();
		match (seat.vote, store.vote(d.id)?) {
			(VoteState::Waiting, None) if now < commit_deadline => {
				let vote = self.judge(d).await?;
				let record = VoteRecord { vote, salt: rand_salt()?, phase: VerdictPhase::Decided };
				// Durable before the commitment leaves this machine.
				store.put_vote(d.id, &record)?;
				self.commit(d.id, record).await
			}
			// Decided before a restart; the commitment may never have been sent.
			(VoteState::Waiting, Some(record)) if now < commit_deadline => {
				self.commit(d.id, record).await
			}
			(VoteState::Committed(_), Some(record)) if now < reveal_deadline => {
				let all_committed = !d.dispute.panel.iter().any(|s| s.vote == VoteState::Waiting);
				if now > commit_deadline || all_committed {
					self.registrar
						.reveal_vote(&self.hotkey, self.slot, d.id, &record.vote, record.salt)
						.await?;
					store
						.put_vote(d.id, &VoteRecord { phase: VerdictPhase::Revealed, ..record })?;
					tracing::info!(
						dispute = d.id,
						honest = record.vote.miner_honest,
						"revealed vote"
					);
				}
				Ok(())
			}
			_ => Ok(()),
		}
	}

	async fn commit(&self, id: u64, record: VoteRecord) -> Result<()> {
		let hash = vote_hash(&record.vote, &record.salt, self.slot, id);
		self.registrar.commit_vote(&self.hotkey, self.slot, id, hash).await?;
		let honest = record.vote.miner_honest;
		self.app
			.store_handle()
			.put_vote(id, &VoteRecord { phase: VerdictPhase::Committed, ..record })?;
		tracing::info!(dispute = id, honest, "committed vote");
		Ok(())
	}

	/// Runs until cancelled; errors are logged and retried.
	pub async fn run(self) {
		let this = Arc::new(self);
		let claims = Claims::default();
		loop {
			if let Err(e) = this.step(&claims).await {
				tracing::warn!(slot = this.slot, "arbitration: {e:#}");
			}
			tokio::time::sleep(POLL).await;
		}
	}
}
