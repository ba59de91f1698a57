//! `aetron-worker`: the command line of the miner's worker.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use aetron_primitives::merkle::SumNode;
use aetron_worker::{
	api::{self, ServeConfig},
	bench,
	chain::Chain,
	emission, hardware,
	inference::{
		engine::Batching,
		execution::{Attention, DType, Execution, Name, Quantization},
		BackendKind, Model, ModelHashes, Placement,
	},
	keys, load,
	market::{self, Candidate},
	miner::{self, MineConfig, Payment},
	recheck::{self, Verdict},
	registration::Registrar,
	spec::SpecFile,
	status,
	store::Keeping,
};
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
		#[command(flatten)]
		execution: ExecutionArgs,
		/// The neuronet the artefacts belong to.
		#[arg(long, default_value_t = 0)]
		neuronet: u32,
		/// The slot the artefacts name (default: none, so they can never be committed).
		#[arg(long, default_value_t = aetron_primitives::artefact::NO_SLOT)]
		slot: u64,
		/// Work units per input token (the neuronet's pricing).
		#[arg(long, default_value_t = 1)]
		units_per_input_token: u32,
		/// Work units per output token or embedding.
		#[arg(long, default_value_t = 1)]
		units_per_output_token: u32,
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
		#[command(flatten)]
		batching: BatchingArgs,
		#[command(flatten)]
		keeping: KeepingArgs,
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
		#[command(flatten)]
		execution: ExecutionArgs,
	},
	/// List the neuronets: which this machine fits, best expected earnings first.
	Neuronets {
		/// The node's WebSocket RPC endpoint.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
		/// The directory of model directories this machine has.
		#[arg(long, default_value = "models")]
		models: PathBuf,
		/// The compute backend this machine would serve with.
		#[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
		backend: BackendKind,
		/// Print JSON instead of a table.
		#[arg(long)]
		json: bool,
	},
	/// Open a slot in a neuronet (fee, or proof of work on every core), run its reference
	/// checks and benchmark, and submit them: the slot becomes Active.
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
		#[command(flatten)]
		hotkey: HotkeyArgs,
		/// The neuronet's model, for the reference checks.
		#[arg(long)]
		model_dir: PathBuf,
		/// The compute backend.
		#[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
		backend: BackendKind,
		/// The worker's public HTTP endpoint, for clients and re-checkers.
		#[arg(long, default_value = "")]
		endpoint: String,
		#[command(flatten)]
		payment: PaymentArgs,
	},
	/// Mine: pick the best neuronet this machine fits, register if this hotkey holds no slot
	/// there, prove the model, serve requests and send heartbeats. Safe to restart.
	Mine {
		/// The node's WebSocket RPC endpoint.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
		/// The coldkey's secret URI (registers and pays).
		#[arg(long)]
		suri: String,
		#[command(flatten)]
		hotkey: HotkeyArgs,
		/// The directory of model directories this machine has.
		#[arg(long, default_value = "models")]
		models: PathBuf,
		/// The worker's data directory (artefact store; default hotkey file).
		#[arg(long)]
		data_dir: PathBuf,
		/// The address the HTTP API listens on.
		#[arg(long, default_value = "127.0.0.1:8080")]
		listen: SocketAddr,
		/// The public URL of the API (default: http:// and the listen address).
		#[arg(long)]
		endpoint: Option<String>,
		/// Mine this neuronet instead of the best fitting one.
		#[arg(long)]
		neuronet: Option<u32>,
		/// The compute backend.
		#[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
		backend: BackendKind,
		/// A batch closes when its first leaf is this many seconds old.
		#[arg(long, default_value_t = 60.0)]
		batch_max_age_secs: f64,
		#[command(flatten)]
		batching: BatchingArgs,
		#[command(flatten)]
		keeping: KeepingArgs,
		#[command(flatten)]
		payment: PaymentArgs,
	},
	/// Show what the chain says of this hotkey's slots: batches, re-checks, confirmed work per
	/// epoch, reputation and uptime.
	Status {
		/// The node's WebSocket RPC endpoint.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
		#[command(flatten)]
		hotkey: HotkeyArgs,
		/// The worker's data directory, whose `hotkey` file is the default hotkey.
		#[arg(long)]
		data_dir: Option<PathBuf>,
		/// Epochs of confirmed work to show.
		#[arg(long, default_value_t = 6)]
		epochs: u32,
		/// Print JSON instead of text.
		#[arg(long)]
		json: bool,
	},
	/// Bond AET to a neuronet (stakers, and miners restaking what they mined).
	Stake {
		#[command(flatten)]
		staker: StakerArgs,
		/// The neuronet.
		#[arg(long)]
		neuronet: u32,
		/// How much, in AET (e.g. 12.5).
		#[arg(long)]
		amount: String,
	},
	/// Start unbonding stake: it stops earning now and may be withdrawn after the unbonding
	/// period.
	Unstake {
		#[command(flatten)]
		staker: StakerArgs,
		/// The neuronet.
		#[arg(long)]
		neuronet: u32,
		/// How much, in AET.
		#[arg(long)]
		amount: String,
	},
	/// Release the stake whose unbonding period has passed.
	Withdraw {
		#[command(flatten)]
		staker: StakerArgs,
		/// The neuronet.
		#[arg(long)]
		neuronet: u32,
	},
	/// Bond a position's staking rewards into the same neuronet (`--claim`: pay them instead).
	Restake {
		#[command(flatten)]
		staker: StakerArgs,
		/// The neuronet.
		#[arg(long)]
		neuronet: u32,
		/// Pay the rewards to the account instead of bonding them.
		#[arg(long)]
		claim: bool,
	},
	/// Send a client load to a worker: signed embedding requests for its slot.
	Load {
		/// The worker's HTTP endpoint.
		#[arg(long, default_value = "http://127.0.0.1:8080")]
		endpoint: String,
		/// The model name the worker serves.
		#[arg(long, default_value = "all-minilm-l6-v2")]
		model: String,
		/// The client key's secret URI (it signs every request).
		#[arg(long, default_value = "//Alice")]
		suri: String,
		/// Requests to send.
		#[arg(long, default_value_t = 100)]
		requests: u64,
		/// Requests in flight at once.
		#[arg(long, default_value_t = 4)]
		concurrency: usize,
		/// Keep sending, this many requests every `--every-secs`, until interrupted.
		#[arg(long)]
		forever: bool,
		/// Seconds between rounds with `--forever`.
		#[arg(long, default_value_t = 5.0)]
		every_secs: f64,
		/// The neuronet's work units per input token, to count the work served.
		#[arg(long, default_value_t = 1)]
		units_per_input_token: u32,
		/// Work units per output.
		#[arg(long, default_value_t = 1)]
		units_per_output_token: u32,
	},
	/// Test-only: write a copy of a model directory with its weights rounded to f16 (the
	/// substituted model of the end-to-end tests).
	#[command(hide = true)]
	TestRoundWeights {
		/// The model directory.
		#[arg(long)]
		from: PathBuf,
		/// Where the copy goes.
		#[arg(long)]
		to: PathBuf,
	},
	/// Neuronet owners' tools.
	#[command(subcommand)]
	Neuronet(NeuronetCommand),
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
		#[command(flatten)]
		hotkey: HotkeyArgs,
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

#[derive(Debug, Subcommand)]
enum NeuronetCommand {
	/// Create a neuronet from a spec file (TOML): hashes its model, computes the reference
	/// checks' fingerprints by running the model, and submits it with the deposit.
	Create {
		/// The node's WebSocket RPC endpoint.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
		/// The owner's secret URI (pays the deposit).
		#[arg(long)]
		suri: String,
		/// The spec file.
		#[arg(long)]
		spec: PathBuf,
		/// The model directory (overrides the spec's `model_dir`).
		#[arg(long)]
		model_dir: Option<PathBuf>,
	},
}

/// Who stakes.
#[derive(Debug, clap::Args)]
struct StakerArgs {
	/// The node's WebSocket RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// The staker's secret URI (a coldkey: it holds the AET; `//Dave` on a dev chain).
	#[arg(long)]
	suri: String,
	/// Print the positions as JSON instead of text.
	#[arg(long)]
	json: bool,
}

impl StakerArgs {
	/// The node and the staker's key.
	async fn connect(&self) -> anyhow::Result<(Registrar, subxt_signer::sr25519::Keypair)> {
		Ok((Registrar::connect(&self.url).await?, keys::from_suri(&self.suri)?))
	}

	/// Prints the staker's positions after a call.
	async fn report(
		&self,
		registrar: &Registrar,
		key: &subxt_signer::sr25519::Keypair,
	) -> anyhow::Result<()> {
		let positions = registrar.positions_of(key.public_key().0).await?;
		if self.json {
			let rows: Vec<_> = positions
				.iter()
				.map(|p| {
					serde_json::json!({
						"neuronet": p.neuronet,
						"stake": p.stake.to_string(),
						"pendingRewards": p.pending_rewards.to_string(),
						"unbonding": p.unbonding.iter().map(|(amount, until)| {
							serde_json::json!({ "amount": amount.to_string(), "until": until })
						}).collect::<Vec<_>>(),
					})
				})
				.collect();
			println!("{}", serde_json::Value::Array(rows));
			return Ok(());
		}
		if positions.is_empty() {
			println!("no stake");
		}
		for p in positions {
			let unbonding: Vec<String> = p
				.unbonding
				.iter()
				.map(|(amount, until)| {
					format!("{:.6} AET from block {until}", emission::aet(*amount))
				})
				.collect();
			println!(
				"neuronet {}: {:.6} AET staked, {:.6} AET rewards pending{}",
				p.neuronet,
				emission::aet(p.stake),
				emission::aet(p.pending_rewards),
				if unbonding.is_empty() {
					String::new()
				} else {
					format!(", unbonding {}", unbonding.join(", "))
				}
			);
		}
		Ok(())
	}
}

/// How the model runs, as a neuronet's execution parameters say (DESIGN §16); `mine` and
/// `register` read them from the chain instead.
#[derive(Debug, clap::Args)]
struct ExecutionArgs {
	/// The float type: f32, f16 or bf16.
	#[arg(long, default_value = "f32")]
	dtype: Name<DType>,
	/// The dense weights' quantization: none, int8-per-tensor or int8-per-block-N.
	#[arg(long, default_value = "none")]
	quantization: Name<Quantization>,
	/// The attention kernel: fused or plain.
	#[arg(long, default_value = "fused")]
	attention: Name<Attention>,
}

impl ExecutionArgs {
	fn execution(&self) -> Execution {
		Execution {
			dtype: self.dtype.0,
			quantization: self.quantization.0,
			attention: self.attention.0,
		}
	}
}

/// How concurrent requests share the model's forward passes (DESIGN §16).
#[derive(Debug, clap::Args)]
struct BatchingArgs {
	/// The most sequences one forward pass takes (at most 32, the bound that keeps a pass's
	/// memory in check whatever the inputs' lengths).
	#[arg(long, default_value_t = 32,
		value_parser = clap::value_parser!(u32).range(1..=aetron_worker::inference::MAX_BATCH as i64))]
	max_batch: u32,
	/// How long, in milliseconds, a forward pass smaller than --max-batch waits for more
	/// requests to join it.
	#[arg(long, default_value_t = 2.0)]
	max_wait_ms: f64,
	/// The most inputs that may wait for the model; client requests beyond it get 429 with
	/// Retry-After.
	#[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
	max_queue: u32,
	/// The longest, in milliseconds, a re-check's re-computation waits for client requests to
	/// share its forward pass (a lone row costs about three of a full pass's rows); it waits
	/// only if a client was served this recently, and never past a third of the time left to
	/// its commit deadline.
	#[arg(long, default_value_t = 1_000.0)]
	own_wait_ms: f64,
}

impl BatchingArgs {
	fn batching(&self) -> anyhow::Result<Batching> {
		Ok(Batching {
			max_batch: self.max_batch as usize,
			max_wait: Duration::try_from_secs_f64(self.max_wait_ms / 1e3)
				.map_err(|e| anyhow::anyhow!("--max-wait-ms: {e}"))?,
			max_queue: self.max_queue as usize,
			own_wait: Duration::try_from_secs_f64(self.own_wait_ms / 1e3)
				.map_err(|e| anyhow::anyhow!("--own-wait-ms: {e}"))?,
		})
	}
}

/// How much the artefact store keeps (DESIGN §16).
#[derive(Debug, clap::Args)]
struct KeepingArgs {
	/// Seconds a batch is kept after it opened when the chain cannot say it is settled
	/// (`serve`, or a batch never committed); `mine` drops a committed batch once the chain has
	/// settled and pruned it.
	#[arg(long, default_value_t = aetron_worker::pruner::DEFAULT_RETENTION.as_secs_f64())]
	retention_secs: f64,
	/// The most leaves of Merkle-sum trees kept in memory to serve proofs (80 bytes a leaf); a
	/// tree not kept is rebuilt from the store when asked for.
	#[arg(long, default_value_t = aetron_worker::store::trees::DEFAULT_CAPACITY_LEAVES)]
	tree_cache_leaves: u64,
}

impl KeepingArgs {
	fn keeping(&self) -> anyhow::Result<Keeping> {
		Ok(Keeping {
			retention: Duration::try_from_secs_f64(self.retention_secs)
				.map_err(|e| anyhow::anyhow!("--retention-secs: {e}"))?,
			tree_cache_leaves: self.tree_cache_leaves,
		})
	}
}

/// Where the hotkey comes from.
#[derive(Debug, clap::Args)]
struct HotkeyArgs {
	/// The hotkey's secret URI (overrides the keystore file; `//Bob` on a dev chain).
	#[arg(long)]
	hotkey_suri: Option<String>,
	/// The keystore file holding the hotkey's secret phrase; created if absent (default:
	/// `hotkey` in the data directory, or `./hotkey`).
	#[arg(long)]
	hotkey_file: Option<PathBuf>,
}

impl HotkeyArgs {
	fn load(
		&self,
		data_dir: Option<&std::path::Path>,
	) -> anyhow::Result<subxt_signer::sr25519::Keypair> {
		let default = data_dir.map_or_else(|| PathBuf::from("hotkey"), |d| d.join("hotkey"));
		keys::hotkey(self.hotkey_suri.as_deref(), self.hotkey_file.as_deref().unwrap_or(&default))
	}
}

/// How a registration is paid.
#[derive(Debug, clap::Args)]
struct PaymentArgs {
	/// Pay the registration fee, up to this many AET.
	#[arg(long, conflicts_with = "pow", required_unless_present = "pow")]
	fee: Option<f64>,
	/// Pay by proof of work instead.
	#[arg(long)]
	pow: bool,
	/// Threads for the proof of work (default: every core).
	#[arg(long)]
	threads: Option<usize>,
}

impl PaymentArgs {
	fn payment(&self) -> anyhow::Result<Payment> {
		if self.pow {
			let threads = self
				.threads
				.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
			return Ok(Payment::Pow(threads));
		}
		let max = self.fee.unwrap_or_default();
		if !(max.is_finite() && max >= 0.0) {
			anyhow::bail!("--fee must be a non-negative number of AET");
		}
		Ok(Payment::Fee((max * 1e12) as u128))
	}
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
			execution,
			neuronet,
			slot,
			units_per_input_token,
			units_per_output_token,
			require_signature,
			max_body_bytes,
			batch_max_leaves,
			batch_max_age_secs,
			batching,
			keeping,
		} => {
			let batch_max_age = Duration::try_from_secs_f64(batch_max_age_secs)
				.map_err(|e| anyhow::anyhow!("--batch-max-age-secs: {e}"))?;
			api::serve(ServeConfig {
				serve_artefacts: true,
				model_dir,
				data_dir,
				listen,
				backend,
				execution: execution.execution(),
				neuronet,
				slot,
				pricing: recheck::Pricing {
					per_input: units_per_input_token,
					per_output: units_per_output_token,
				},
				require_signature,
				max_body_bytes,
				batch_max_leaves,
				batch_max_age,
				batching: batching.batching()?,
				keeping: keeping.keeping()?,
			})
			.await?;
		}
		Command::Recheck {
			model_dir,
			endpoint,
			batch,
			index,
			root,
			root_sum,
			backend,
			execution,
		} => {
			let execution = execution.execution();
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
				let model = Model::load(&model_dir, &Placement::new(backend, &execution)?)?;
				let commitment = recheck::Commitment::claimed_by(&leaf, root, leaf_count);
				Ok::<_, anyhow::Error>(recheck::check(&leaf, &commitment, &model))
			})
			.await??;
			println!("{verdict}");
			if verdict != Verdict::Pass {
				std::process::exit(2);
			}
		}
		Command::Neuronets { url, models, backend, json } => {
			let registrar = Registrar::connect(&url).await?;
			let ranked = miner::candidates(&registrar, &models, backend).await?;
			print_neuronets(&ranked, json);
		}
		Command::Register {
			url,
			neuronet,
			suri,
			hotkey,
			model_dir,
			backend,
			endpoint,
			payment,
		} => {
			let coldkey = keys::from_suri(&suri)?;
			let hotkey = hotkey.load(None)?;
			let registrar = Registrar::connect(&url).await?;
			// Refused before anything is paid.
			let info = registrar
				.neuronet(neuronet)
				.await?
				.ok_or_else(|| anyhow::anyhow!("no neuronet {neuronet}"))?;
			if let Some(why) = market::execution_unfit(&info.neuronet.spec, backend) {
				anyhow::bail!("this worker cannot serve neuronet {neuronet}: {why}");
			}
			let slot = match registrar.slot_of_hotkey(neuronet, hotkey.public_key().0).await? {
				Some(slot) => {
					println!("this hotkey already holds slot {slot} in neuronet {neuronet}");
					slot
				}
				None => {
					miner::register(
						&registrar,
						&coldkey,
						&hotkey,
						neuronet,
						&endpoint,
						payment.payment()?,
					)
					.await?
				}
			};
			miner::prove(&registrar, &hotkey, slot, model_dir, backend).await?;
		}
		Command::Mine {
			url,
			suri,
			hotkey,
			models,
			data_dir,
			listen,
			endpoint,
			neuronet,
			backend,
			batch_max_age_secs,
			batching,
			keeping,
			payment,
		} => {
			let batch_max_age = Duration::try_from_secs_f64(batch_max_age_secs)
				.map_err(|e| anyhow::anyhow!("--batch-max-age-secs: {e}"))?;
			miner::mine(MineConfig {
				url,
				coldkey: keys::from_suri(&suri)?,
				hotkey: hotkey.load(Some(&data_dir))?,
				models,
				data_dir,
				listen,
				endpoint: endpoint.unwrap_or_else(|| format!("http://{listen}")),
				neuronet,
				payment: payment.payment()?,
				backend,
				batch_max_age,
				batching: batching.batching()?,
				keeping: keeping.keeping()?,
				test: miner::TestHooks::from_env()?,
			})
			.await?;
		}
		Command::Stake { staker, neuronet, amount } => {
			let (registrar, key) = staker.connect().await?;
			registrar.stake(&key, neuronet, emission::plancks(&amount)?).await?;
			staker.report(&registrar, &key).await?;
		}
		Command::Unstake { staker, neuronet, amount } => {
			let (registrar, key) = staker.connect().await?;
			registrar.unstake(&key, neuronet, emission::plancks(&amount)?).await?;
			staker.report(&registrar, &key).await?;
		}
		Command::Withdraw { staker, neuronet } => {
			let (registrar, key) = staker.connect().await?;
			registrar.withdraw_unbonded(&key, neuronet).await?;
			staker.report(&registrar, &key).await?;
		}
		Command::Restake { staker, neuronet, claim } => {
			let (registrar, key) = staker.connect().await?;
			if claim {
				registrar.claim_staking(&key, neuronet).await?;
			} else {
				registrar.restake_rewards(&key, neuronet).await?;
			}
			staker.report(&registrar, &key).await?;
		}
		Command::Load {
			endpoint,
			model,
			suri,
			requests,
			concurrency,
			forever,
			every_secs,
			units_per_input_token,
			units_per_output_token,
		} => {
			use sp_core::crypto::Pair as _;
			let key = sp_core::sr25519::Pair::from_string(&suri, None)
				.map_err(|e| anyhow::anyhow!("--suri: {e:?}"))?;
			let pricing = recheck::Pricing {
				per_input: units_per_input_token,
				per_output: units_per_output_token,
			};
			loop {
				let report =
					load::run(&endpoint, &model, &key, requests, concurrency, pricing).await?;
				println!("{}", serde_json::to_string(&report)?);
				if !forever {
					break;
				}
				tokio::time::sleep(Duration::from_secs_f64(every_secs)).await;
			}
		}
		Command::TestRoundWeights { from, to } => {
			aetron_worker::inference::weights::write_variant(
				&from,
				&to,
				aetron_worker::inference::weights::f16_round,
			)?;
			println!("{}", to.display());
		}
		Command::Status { url, hotkey, data_dir, epochs, json } => {
			let hotkey = hotkey.load(data_dir.as_deref())?;
			let registrar = Registrar::connect(&url).await?;
			let slots = status::of_hotkey(&registrar, hotkey.public_key().0, epochs).await?;
			if json {
				println!("{}", serde_json::to_string_pretty(&slots)?);
			} else {
				status::print(&slots);
			}
		}
		Command::Neuronet(NeuronetCommand::Create { url, suri, spec, model_dir }) => {
			let owner = keys::from_suri(&suri)?;
			let file = SpecFile::read(&spec)?;
			let model_dir = model_dir.unwrap_or_else(|| file.model_dir(&spec));
			let built = tokio::task::spawn_blocking(move || {
				let hashes = ModelHashes::of(&model_dir)?;
				// The owner's fingerprints come from the deterministic reference backend, run
				// with the spec's execution parameters.
				let model = Model::load(&model_dir, &Placement::reference(&file.execution())?)?;
				file.build(hashes, &model)
			})
			.await??;
			let id = Registrar::connect(&url).await?.create_neuronet(&owner, &built).await?;
			println!(
				"created neuronet {id} ({}) with {} reference checks",
				String::from_utf8_lossy(&built.name),
				built.reference_checks.len()
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
		Command::Heartbeat { url, hotkey, slot } => {
			Registrar::connect(&url).await?.heartbeat(&hotkey.load(None)?, slot).await?;
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

/// The ranked neuronets as a table or JSON.
fn print_neuronets(ranked: &[Candidate], json: bool) {
	let name = |c: &Candidate| String::from_utf8_lossy(&c.info.neuronet.spec.name).into_owned();
	if json {
		let rows: Vec<_> = ranked
			.iter()
			.map(|c| {
				serde_json::json!({
					"id": c.info.id,
					"name": name(c),
					"task": format!("{:?}", c.info.neuronet.spec.task),
					"execution": Name(c.info.neuronet.spec.model.execution).to_string(),
					"status": format!("{:?}", c.info.neuronet.status),
					"liveSlots": c.info.neuronet.live_slots,
					"registrationPrice": c.info.registration_price.to_string(),
					"powDifficulty": c.info.pow_difficulty,
					"fits": c.fits(),
					"unfit": c.unfit,
					"modelDir": c.model_dir,
					"minerPool": c.income.miner_pool.to_string(),
					"work": c.income.work,
					"capacity": c.income.capacity,
					"aetPerWorkUnit": c.aet_per_unit,
				})
			})
			.collect();
		println!("{}", serde_json::Value::Array(rows));
		return;
	}
	println!(
		"{:>4}  {:<28} {:<15} {:<24} {:>6} {:>14} {:>12} {:>12}  fits",
		"id", "name", "task", "execution", "slots", "price (AET)", "PoW diff.", "AET/1k units"
	);
	for c in ranked {
		println!(
			"{:>4}  {:<28} {:<15} {:<24} {:>6} {:>14.6} {:>12} {:>12.6}  {}",
			c.info.id,
			name(c),
			format!("{:?}", c.info.neuronet.spec.task),
			Name(c.info.neuronet.spec.model.execution).to_string(),
			c.info.neuronet.live_slots,
			emission::aet(c.info.registration_price),
			c.info.pow_difficulty,
			c.aet_per_unit * 1e3,
			c.unfit.as_deref().map_or_else(|| "yes".to_string(), |why| format!("no: {why}")),
		);
	}
	println!(
		"AET/1k units: what 1 000 confirmed work units earned in the last split epoch, \
		 miner pool / max(work, stake-backed capacity), before uptime and reputation"
	);
	println!("execution: dtype/quantization/attention, which every worker of the neuronet runs");
}
