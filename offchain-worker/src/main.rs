//! `aetron-worker`: the command line of the miner's worker.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use aetron_primitives::merkle::SumNode;
use aetron_worker::{
	api::{self, ServeConfig},
	bench,
	chain::Chain,
	hardware,
	inference::{BackendKind, Model, ModelHashes},
	recheck::{self, Verdict},
	registration::Registrar,
};
use anyhow::Context as _;
use clap::{Parser, Subcommand};

/// The AETRON miner's worker.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// Connect to a node and print its chain, runtime version and best and finalized blocks.
	ChainInfo {
		/// The node's WebSocket RPC endpoint.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
		/// Print JSON instead of text.
		#[arg(long)]
		json: bool,
	},
	/// Serve a model over the OpenAI-compatible HTTP API, keeping an artefact of every answer.
	Serve {
		/// The model directory (config.json, model.safetensors, tokenizer.json).
		#[arg(long)]
		model_dir: PathBuf,
		/// Where the artefact store lives.
		#[arg(long)]
		data_dir: PathBuf,
		/// The address to listen on.
		#[arg(long, default_value = "127.0.0.1:8080")]
		listen: SocketAddr,
		/// The compute backend.
		#[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
		backend: BackendKind,
		/// The neuronet the artefacts belong to.
		#[arg(long, default_value_t = 0)]
		neuronet: u32,
		/// Refuse requests without a valid client signature.
		#[arg(long)]
		require_signature: bool,
		/// Larger request bodies get 413.
		#[arg(long, default_value_t = 1 << 20)]
		max_body_bytes: usize,
		/// A batch closes at this many leaves (at most 2^20)…
		#[arg(long, default_value_t = 1 << 20, value_parser = clap::value_parser!(u32).range(1..=1 << 20))]
		batch_max_leaves: u32,
		/// …or when its first leaf is this many seconds old.
		#[arg(long, default_value_t = 60.0)]
		batch_max_age_secs: f64,
	},
	/// Re-check one leaf another worker served: fetch it, verify its proof, recompute, compare.
	Recheck {
		/// The model directory of the neuronet.
		#[arg(long)]
		model_dir: PathBuf,
		/// The other worker's HTTP endpoint, e.g. http://127.0.0.1:8080.
		#[arg(long)]
		endpoint: String,
		#[arg(long)]
		batch: u64,
		#[arg(long)]
		index: u32,
		/// The batch root committed on-chain (0x + 64 hex digits). Without it, the root the
		/// worker serves is used, which proves only that the leaf is in *some* batch.
		#[arg(long)]
		root: Option<String>,
		/// The batch's committed total work, with --root.
		#[arg(long, requires = "root")]
		root_sum: Option<u64>,
		/// The compute backend.
		#[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
		backend: BackendKind,
	},
	/// Open a slot in a neuronet, paying by fee or by proof of work on every core.
	Register {
		/// The node's WebSocket RPC endpoint.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
		/// The neuronet to join.
		#[arg(long)]
		neuronet: u32,
		/// The coldkey's secret URI: it signs, pays and is paid (`//Alice` on a dev chain).
		#[arg(long)]
		suri: String,
		/// The hotkey's secret URI: the worker signs heartbeats and commitments with it.
		#[arg(long)]
		hotkey_suri: String,
		/// The worker's public HTTP endpoint, for clients and re-checkers.
		#[arg(long, default_value = "")]
		endpoint: String,
		/// Pay the registration fee, up to this many AET.
		#[arg(long, conflicts_with = "pow", required_unless_present = "pow")]
		fee: Option<f64>,
		/// Pay by proof of work instead.
		#[arg(long)]
		pow: bool,
		/// Threads for the proof of work (default: every core).
		#[arg(long)]
		threads: Option<usize>,
	},
	/// Print the hashes a neuronet spec names a model directory's files by.
	ModelHash {
		/// The model directory (config.json, model.safetensors, tokenizer.json).
		dir: PathBuf,
	},
	/// Send one heartbeat for a slot, signed by its hotkey.
	Heartbeat {
		/// The node's WebSocket RPC endpoint.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
		/// The hotkey's secret URI.
		#[arg(long)]
		hotkey_suri: String,
		/// The slot.
		#[arg(long)]
		slot: u64,
	},
	/// List the GPUs (through wgpu) and the CPU this worker can compute with.
	Hardware {
		/// Print JSON instead of text.
		#[arg(long)]
		json: bool,
	},
	/// Measure inference, re-check and store speed on this machine and print a table.
	Bench {
		/// The all-MiniLM-L6-v2 directory (scripts/fetch-models.sh); skipped when absent.
		#[arg(long)]
		minilm_dir: Option<PathBuf>,
		/// The backends to measure.
		#[arg(long, value_enum, value_delimiter = ',', default_value = "cpu,reference")]
		backends: Vec<BackendKind>,
	},
}

#[tokio::main]
async fn main() {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.with_writer(std::io::stderr)
		.init();
	let cli = Cli::parse();
	if let Err(error) = run(cli).await {
		// One line, no backtrace: `{:#}` joins the context chain with ": ".
		eprintln!("error: {error:#}");
		std::process::exit(1);
	}
}

async fn run(cli: Cli) -> anyhow::Result<()> {
	match cli.command {
		Command::ChainInfo { url, json } => {
			let info = Chain::connect(&url).await?.info().await?;
			if json {
				let value = serde_json::json!({
					"chain": info.chain,
					"specName": info.spec_name,
					"specVersion": info.spec_version,
					"transactionVersion": info.transaction_version,
					"best": { "number": info.best_number, "hash": info.best_hash },
					"finalized": { "number": info.finalized_number, "hash": info.finalized_hash },
				});
				println!("{value}");
			} else {
				println!("{info}");
			}
		}
		Command::Serve {
			model_dir,
			data_dir,
			listen,
			backend,
			neuronet,
			require_signature,
			max_body_bytes,
			batch_max_leaves,
			batch_max_age_secs,
		} => {
			let batch_max_age = Duration::try_from_secs_f64(batch_max_age_secs)
				.map_err(|e| anyhow::anyhow!("--batch-max-age-secs: {e}"))?;
			api::serve(ServeConfig {
				model_dir,
				data_dir,
				listen,
				backend,
				neuronet,
				require_signature,
				max_body_bytes,
				batch_max_leaves,
				batch_max_age,
			})
			.await?;
		}
		Command::Recheck { model_dir, endpoint, batch, index, root, root_sum, backend } => {
			let client = reqwest::Client::new();
			let leaf = match recheck::fetch(&client, &endpoint, batch, index).await {
				Ok(leaf) => leaf,
				Err(verdict) => {
					println!("{verdict}");
					std::process::exit(2);
				}
			};
			let (root, leaf_count) = match root {
				Some(hash) => {
					let bytes = hex::decode(hash.trim_start_matches("0x"))?;
					let hash =
						bytes.try_into().map_err(|_| anyhow::anyhow!("--root is not 32 bytes"))?;
					(SumNode { hash, sum: root_sum.unwrap_or_default() }, leaf.leaf_count)
				}
				None => {
					let answer: api::ArtefactAnswer = client
						.get(format!(
							"{}/aetron/v1/artefacts/{batch}/{index}",
							endpoint.trim_end_matches('/')
						))
						.send()
						.await?
						.json()
						.await?;
					(SumNode::try_from(&answer.root)?, answer.leaf_count)
				}
			};
			let verdict = tokio::task::spawn_blocking(move || {
				let model = Model::load(&model_dir, &backend.device()?)?;
				Ok::<_, anyhow::Error>(recheck::check(&leaf, &root, leaf_count, &model))
			})
			.await??;
			println!("{verdict}");
			if verdict != Verdict::Pass {
				std::process::exit(2);
			}
		}
		Command::Register { url, neuronet, suri, hotkey_suri, endpoint, fee, pow, threads } => {
			let coldkey = keypair(&suri)?;
			let hotkey = keypair(&hotkey_suri)?;
			let registrar = Registrar::connect(&url).await?;
			let registered = if pow {
				let threads = threads
					.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
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
						&coldkey,
						neuronet,
						hotkey.public_key().0,
						&endpoint,
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
			} else {
				let max = fee.unwrap_or_default();
				if !(max.is_finite() && max >= 0.0) {
					anyhow::bail!("--fee must be a non-negative number of AET");
				}
				let price = registrar
					.price(neuronet)
					.await?
					.with_context(|| format!("no neuronet {neuronet}"))?;
				let max_fee = (max * 1e12) as u128;
				if price > max_fee {
					anyhow::bail!(
						"registration costs {} AET now, above --fee {max}",
						price as f64 / 1e12
					);
				}
				registrar
					.register_by_fee(&coldkey, neuronet, hotkey.public_key().0, &endpoint, max_fee)
					.await?
			};
			println!(
				"registered slot {} in neuronet {neuronet} ({})",
				registered.slot,
				match registered.pow_difficulty {
					Some(difficulty) => format!("proof of work at difficulty {difficulty}"),
					None => format!("fee {} AET", registered.fee as f64 / 1e12),
				}
			);
		}
		Command::ModelHash { dir } => {
			let hashes = tokio::task::spawn_blocking(move || ModelHashes::of(&dir)).await??;
			let hex = |h: [u8; 32]| format!("0x{}", hex::encode(h));
			println!(
				"{}",
				serde_json::json!({
					"weights_hash": hex(hashes.weights),
					"config_hash": hex(hashes.config),
					"tokenizer_hash": hex(hashes.tokenizer),
				})
			);
		}
		Command::Heartbeat { url, hotkey_suri, slot } => {
			Registrar::connect(&url).await?.heartbeat(&keypair(&hotkey_suri)?, slot).await?;
			println!("heartbeat sent for slot {slot}");
		}
		Command::Hardware { json } => {
			let (gpus, cpu) = (hardware::gpus(), hardware::cpu());
			if json {
				println!("{}", serde_json::json!({ "gpus": gpus, "cpu": cpu }));
			} else {
				println!("CPU: {} ({} threads, {} MiB)", cpu.model, cpu.threads, cpu.memory_mib);
				if gpus.is_empty() {
					let why = if cfg!(feature = "wgpu") {
						"no adapter found"
					} else {
						"built without the `wgpu` feature"
					};
					println!("GPUs: none ({why})");
				}
				for gpu in gpus {
					println!(
						"GPU: {} — {} {}, {} ({})",
						gpu.name, gpu.vendor, gpu.kind, gpu.backend, gpu.driver
					);
				}
			}
		}
		Command::Bench { minilm_dir, backends } => {
			let scratch = tempfile::tempdir()?;
			let rows = tokio::task::spawn_blocking(move || {
				bench::run(minilm_dir.as_deref(), &backends, scratch.path())
			})
			.await??;
			bench::print(&rows);
		}
	}
	Ok(())
}

/// A keypair from a secret URI (`//Alice`, a mnemonic, a hex seed, with derivations).
fn keypair(suri: &str) -> anyhow::Result<subxt_signer::sr25519::Keypair> {
	let uri: subxt_signer::SecretUri =
		suri.parse().map_err(|e| anyhow::anyhow!("bad secret URI: {e}"))?;
	subxt_signer::sr25519::Keypair::from_uri(&uri)
		.map_err(|e| anyhow::anyhow!("bad secret URI: {e}"))
}
