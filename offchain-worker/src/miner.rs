//! `aetron-worker mine`: one command that picks the best neuronet this machine fits, holds a
//! slot there, proves the model, serves requests, keeps the slot alive, commits each closed
//! batch ([`crate::committer`]), re-checks other miners' batches ([`crate::rechecker`]), and
//! sits on arbitration panels and answers disputes over its own leaves ([`crate::arbiter`]),
//! and claims each settled epoch's payout ([`crate::claimer`]).
//! The loops share the chain client and the store, never each other's state.
//!
//! Restart-safe by construction: the hotkey lives in a keystore file in the data directory, the
//! slot is found on-chain by that hotkey (so a restarted worker never registers twice), the
//! reference checks are sent only while the slot is `Pending`, and the artefact store resumes
//! where it stopped.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use anyhow::{bail, Context, Result};
use pallet_neuronets::runtime_api::SlotStatus;
use subxt_signer::sr25519::Keypair;

use crate::{
	api::{self, App, ServeConfig},
	arbiter::Arbiter,
	claimer, committer,
	emission::aet,
	hardware,
	inference::{engine::Batching, execution::Name, BackendKind, Model, Placement},
	joining, keys,
	market::{self, Candidate},
	pruner::Settlement,
	recheck::Pricing,
	rechecker::Rechecker,
	registration::{NeuronetId, Registrar},
	store::Keeping,
};

/// How a registration is paid.
#[derive(Clone, Copy, Debug)]
pub enum Payment {
	/// A fee of at most this many plancks.
	Fee(u128),
	/// A proof of work on this many threads.
	Pow(usize),
}

/// Where and how to mine.
pub struct MineConfig {
	/// The node's WebSocket RPC endpoint.
	pub url: String,
	/// Registers and pays.
	pub coldkey: Keypair,
	/// Signs heartbeats and reference checks.
	pub hotkey: Keypair,
	/// The directory of model directories.
	pub models: PathBuf,
	/// The artefact store's directory.
	pub data_dir: PathBuf,
	/// Where the HTTP API listens.
	pub listen: SocketAddr,
	/// The public URL clients and re-checkers reach the API at.
	pub endpoint: String,
	/// Mine this neuronet instead of the best fitting one.
	pub neuronet: Option<NeuronetId>,
	/// How to pay a registration.
	pub payment: Payment,
	/// The compute backend.
	pub backend: BackendKind,
	/// A batch closes when its first leaf is this old.
	pub batch_max_age: Duration,
	/// How concurrent requests share forward passes.
	pub batching: Batching,
	/// How long batches are kept, and how many trees are cached.
	pub keeping: Keeping,
	/// Test-only misbehaviour (off in production).
	pub test: TestHooks,
}

/// Test-only misbehaviour, so the end-to-end tests can show each cheat caught; read from
/// `AETRON_TEST_*` environment variables and all off unless set.
#[derive(Clone, Debug, Default)]
pub struct TestHooks {
	/// Serve this model directory instead of the one that passed the hash and reference
	/// checks (`AETRON_TEST_SERVE_MODEL_DIR`): substituted weights.
	pub serve_model_dir: Option<PathBuf>,
	/// Claim work by this pricing instead of the neuronet's (`AETRON_TEST_PRICING=in,out`):
	/// inflated work units.
	pub pricing: Option<Pricing>,
	/// Reveal only once the commit deadline passed (`AETRON_TEST_REVEAL_AT_DEADLINE`), so a
	/// test can kill the worker between commit and reveal.
	pub reveal_at_deadline: bool,
	/// Fail every re-checked leaf, honest or not (`AETRON_TEST_DISHONEST_RECHECKER`).
	pub dishonest_rechecker: bool,
	/// Refuse to serve stored leaves at the artefact endpoint (`AETRON_TEST_HIDE_ARTEFACTS`):
	/// a miner whose leaves are unavailable.
	pub hide_artefacts: bool,
	/// Never answer an unavailable-data dispute on-chain (`AETRON_TEST_NEVER_ANSWER`).
	pub never_answer: bool,
}

impl TestHooks {
	/// The hooks the environment sets.
	pub fn from_env() -> Result<Self> {
		let pricing = match std::env::var("AETRON_TEST_PRICING") {
			Ok(text) => {
				let (input, output) =
					text.split_once(',').context("AETRON_TEST_PRICING is `in,out`")?;
				Some(Pricing {
					per_input: input.trim().parse()?,
					per_output: output.trim().parse()?,
				})
			}
			Err(_) => None,
		};
		Ok(Self {
			serve_model_dir: std::env::var_os("AETRON_TEST_SERVE_MODEL_DIR").map(PathBuf::from),
			pricing,
			reveal_at_deadline: std::env::var_os("AETRON_TEST_REVEAL_AT_DEADLINE").is_some(),
			dishonest_rechecker: std::env::var_os("AETRON_TEST_DISHONEST_RECHECKER").is_some(),
			hide_artefacts: std::env::var_os("AETRON_TEST_HIDE_ARTEFACTS").is_some(),
			never_answer: std::env::var_os("AETRON_TEST_NEVER_ANSWER").is_some(),
		})
	}
}

/// The neuronets, ranked for this machine.
pub async fn candidates(
	registrar: &Registrar,
	models: &std::path::Path,
	backend: BackendKind,
) -> Result<Vec<Candidate>> {
	let neuronets = registrar.neuronets().await?;
	let epoch = registrar.emission_status().await?.epoch;
	let mut incomes = std::collections::BTreeMap::new();
	for n in &neuronets {
		let last = match epoch.checked_sub(1) {
			Some(e) => registrar.neuronet_epoch(e, n.id).await?,
			None => None,
		};
		let (_, capacity) = registrar.capacity(n.id).await?;
		let (miner_pool, work) = last.map_or((0, 0), |ne| (ne.miner_pool, ne.work));
		incomes.insert(n.id, market::Income { miner_pool, work, capacity });
	}
	let models = models.to_path_buf();
	let local = tokio::task::spawn_blocking(move || market::local_models(&models)).await?;
	Ok(market::rank(neuronets, &incomes, &local, hardware::cpu().memory_mib, backend))
}

/// Opens a slot for `hotkey` in `neuronet`, paid as asked; returns the slot.
pub async fn register(
	registrar: &Registrar,
	coldkey: &Keypair,
	hotkey: &Keypair,
	neuronet: NeuronetId,
	endpoint: &str,
	payment: Payment,
) -> Result<u64> {
	let hotkey = hotkey.public_key().0;
	let registered = match payment {
		Payment::Fee(max_fee) => {
			let price = registrar
				.price(neuronet)
				.await?
				.with_context(|| format!("no neuronet {neuronet}"))?;
			if price > max_fee {
				bail!(
					"registration costs {} AET now, above the {} AET allowed",
					aet(price),
					aet(max_fee)
				);
			}
			registrar.register_by_fee(coldkey, neuronet, hotkey, endpoint, max_fee).await?
		}
		Payment::Pow(threads) => {
			let difficulty = registrar
				.difficulty(neuronet)
				.await?
				.with_context(|| format!("no neuronet {neuronet}"))?;
			let bar = indicatif::ProgressBar::new_spinner();
			bar.set_style(
				indicatif::ProgressStyle::with_template(
					"{spinner} proof of work, difficulty {msg}",
				)
				.unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
			);
			bar.set_message(format!("{difficulty} on {threads} threads"));
			let shown = bar.clone();
			let result = registrar
				.register_by_pow(
					coldkey,
					neuronet,
					hotkey,
					endpoint,
					threads,
					move |hashes, rate| {
						shown.set_message(format!(
							"{difficulty} on {threads} threads: {hashes} hashes, {:.0} kH/s",
							rate / 1e3
						));
						shown.tick();
					},
				)
				.await;
			bar.finish_and_clear();
			result?
		}
	};
	println!(
		"registered slot {} in neuronet {neuronet} ({})",
		registered.slot,
		match registered.pow_difficulty {
			Some(difficulty) => format!("proof of work at difficulty {difficulty}"),
			None => format!("fee {} AET", aet(registered.fee)),
		}
	);
	Ok(registered.slot)
}

/// Runs the neuronet's reference checks and a benchmark with the model in `model_dir`, and
/// submits them for `slot` unless it is already `Active`; returns once the chain shows it
/// `Active`.
pub async fn prove(
	registrar: &Registrar,
	hotkey: &Keypair,
	slot: u64,
	model_dir: PathBuf,
	backend: BackendKind,
) -> Result<()> {
	let details = registrar.slot(slot).await?.with_context(|| format!("no slot {slot}"))?;
	match details.status {
		SlotStatus::Active => return Ok(()),
		SlotStatus::Deregistered => bail!("slot {slot} was deregistered"),
		SlotStatus::Pending => {}
	}
	let neuronet = details.slot.as_ref().map(|s| s.neuronet).context("slot record missing")?;
	let info =
		registrar.neuronet(neuronet).await?.with_context(|| format!("no neuronet {neuronet}"))?;
	let checks = info.neuronet.spec.reference_checks.to_vec();
	let execution = info.neuronet.spec.model.execution;
	println!("running {} reference checks and a benchmark ({})…", checks.len(), Name(execution));
	let (results, benchmark) = tokio::task::spawn_blocking(move || {
		let place = Placement::new(backend, &execution)
			.with_context(|| format!("this worker cannot serve neuronet {neuronet}"))?;
		let model = Model::load(&model_dir, &place)?;
		let results = joining::reference_results(&model, &checks)?;
		let benchmark = joining::benchmark(&model, &checks, Duration::from_secs(2))?;
		Ok::<_, anyhow::Error>((results, benchmark))
	})
	.await??;
	registrar.submit_reference_checks(hotkey, slot, &results, benchmark).await?;
	let status = registrar.slot(slot).await?.map(|d| d.status);
	if status != Some(SlotStatus::Active) {
		bail!("slot {slot} is {status:?} after its reference checks");
	}
	println!("slot {slot} is Active (benchmark: {} work units/s)", benchmark.units_per_second);
	Ok(())
}

/// Mines until interrupted (Ctrl-C) or the server fails.
pub async fn mine(config: MineConfig) -> Result<()> {
	let registrar = Arc::new(Registrar::connect(&config.url).await?);
	let hotkey_id = config.hotkey.public_key().0;
	let candidates = candidates(&registrar, &config.models, config.backend).await?;
	// A fitting neuronet where this hotkey already holds a slot wins over a better-paying one,
	// so a restart never opens a second slot even if the ranking changed meanwhile.
	let mut held = None;
	for c in candidates.iter().filter(|c| c.fits()) {
		if registrar.slot_of_hotkey(c.info.id, hotkey_id).await?.is_some() {
			held = Some(c.info.id);
			break;
		}
	}
	let chosen = match config.neuronet.or(held) {
		Some(id) => candidates
			.into_iter()
			.find(|c| c.info.id == id)
			.with_context(|| format!("no neuronet {id}"))?,
		None => candidates
			.into_iter()
			.next()
			.filter(Candidate::fits)
			.context("no open neuronet fits this machine (see `aetron-worker neuronets`)")?,
	};
	if let Some(why) = &chosen.unfit {
		bail!("neuronet {} does not fit this machine: {why}", chosen.info.id);
	}
	let neuronet = chosen.info.id;
	let pricing = Pricing::of(&chosen.info.neuronet.spec.economics)
		.with_context(|| format!("this worker cannot serve neuronet {neuronet}"))?;
	let execution = chosen.info.neuronet.spec.model.execution;
	let tolerance = chosen.info.neuronet.spec.tolerance;
	let model_dir = chosen.model_dir.clone().context("no model directory")?;
	println!(
		"mining neuronet {neuronet} ({}) with hotkey {}",
		String::from_utf8_lossy(&chosen.info.neuronet.spec.name),
		keys::address(&hotkey_id)
	);
	let slot = match registrar.slot_of_hotkey(neuronet, hotkey_id).await? {
		Some(slot) => {
			println!("resuming slot {slot}");
			slot
		}
		None => {
			register(
				&registrar,
				&config.coldkey,
				&config.hotkey,
				neuronet,
				&config.endpoint,
				config.payment,
			)
			.await?
		}
	};
	prove(&registrar, &config.hotkey, slot, model_dir.clone(), config.backend).await?;

	let t = &config.test;
	if t.serve_model_dir.is_some()
		|| t.pricing.is_some()
		|| t.dishonest_rechecker
		|| t.hide_artefacts
		|| t.never_answer
	{
		tracing::warn!("test hooks on: {:?}", config.test);
	}
	let serve = ServeConfig {
		model_dir: config.test.serve_model_dir.clone().unwrap_or_else(|| model_dir.clone()),
		data_dir: config.data_dir.clone(),
		listen: config.listen,
		backend: config.backend,
		execution,
		neuronet,
		slot,
		pricing: config.test.pricing.unwrap_or(pricing),
		require_signature: false,
		max_body_bytes: 1 << 20,
		batch_max_leaves: 1 << 20,
		batch_max_age: config.batch_max_age,
		batching: config.batching,
		keeping: config.keeping,
		serve_artefacts: !config.test.hide_artefacts,
	};
	let app = tokio::task::spawn_blocking(move || App::open(serve)).await??;
	let settlement = Settlement::Chain { registrar: registrar.clone(), slot };
	let server = tokio::spawn(api::serve_app(app.clone(), settlement));
	let committer = tokio::spawn(committer::run(
		registrar.clone(),
		app.store_handle(),
		config.hotkey.clone(),
		slot,
	));
	let claimer = tokio::spawn(claimer::run(
		registrar.clone(),
		app.store_handle(),
		config.hotkey.clone(),
		slot,
	));
	let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
	let arbiter = tokio::spawn(
		Arbiter {
			registrar: registrar.clone(),
			app: app.clone(),
			hotkey: config.hotkey.clone(),
			slot,
			neuronet,
			pricing,
			tolerance,
			execution,
			model_dir,
			http: http.clone(),
			never_answer: config.test.never_answer,
			reference: Default::default(),
		}
		.run(),
	);
	let rechecker = tokio::spawn(
		Rechecker {
			registrar: registrar.clone(),
			app,
			http,
			hotkey: config.hotkey.clone(),
			slot,
			neuronet,
			pricing,
			tolerance,
			execution,
			dishonest: config.test.dishonest_rechecker,
			reveal_at_deadline: config.test.reveal_at_deadline,
		}
		.run(),
	);
	let period = registrar.heartbeat_period().await?;
	let block = Duration::from_millis(aetron_primitives::time::MILLISECS_PER_BLOCK);
	// Each heartbeat goes out a period after the last was sent, not after it was finalized, so
	// the chain counts one every period (emission pays by heartbeats per epoch); one that comes
	// a block early is refused and sent again a block later. The period is read again after
	// each heartbeat: governance may change it.
	let heartbeats = {
		let (registrar, hotkey) = (registrar.clone(), config.hotkey.clone());
		tokio::spawn(async move {
			let mut failures = 0u32;
			let mut period = period;
			loop {
				let sent = tokio::time::Instant::now();
				match registrar.heartbeat(&hotkey, slot).await {
					Ok(()) => {
						failures = 0;
						tracing::info!(slot, "heartbeat");
						period = registrar.heartbeat_period().await.unwrap_or(period);
						tokio::time::sleep_until(sent + block * period).await;
					}
					Err(e) => {
						// A block early is expected now and then; more is worth a warning.
						failures += 1;
						if failures > 2 {
							tracing::warn!(slot, "heartbeat failed: {e:#}");
						}
						tokio::time::sleep(block).await;
					}
				}
			}
		})
	};
	println!("serving on http://{} (heartbeat every {period} blocks); Ctrl-C stops", config.listen);
	let result = tokio::select! {
		served = server => match served {
			Ok(Ok(())) => Ok(()),
			Ok(Err(e)) => Err(e),
			Err(e) => Err(e.into()),
		},
		_ = tokio::signal::ctrl_c() => Ok(()),
	};
	heartbeats.abort();
	committer.abort();
	claimer.abort();
	rechecker.abort();
	arbiter.abort();
	result
}
