//! Helpers for the end-to-end tests: find the built binaries, start nodes on free loopback
//! ports, talk to them over JSON-RPC, and stop every process a test starts, also when it fails
//! (the [`Node`] handle stops its process on drop).
//!
//! The tests expect `aetron-node` and `aetron-worker` built in the same profile as the tests
//! (`cargo build --release -p aetron-node -p aetron-worker`, which `scripts/test.sh` does), or
//! their paths in `AETRON_NODE_BIN` / `AETRON_WORKER_BIN`.
#![deny(missing_docs)]

use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use serde_json::Value;
use subxt::rpcs::{rpc_params, RpcClient};

/// The path of a binary of this workspace, built in the profile the tests run in.
pub fn binary(name: &str, env_override: &str) -> PathBuf {
	if let Ok(path) = std::env::var(env_override) {
		return PathBuf::from(path);
	}
	// Test executables live in `target/<profile>/deps/`; binaries in `target/<profile>/`.
	let exe = std::env::current_exe().expect("the test knows its own path");
	let dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps");
	let path = dir.join(name);
	assert!(
		path.is_file(),
		"{} not found: build it first (cargo build --release -p {name}) or set {env_override}",
		path.display()
	);
	path
}

/// The node binary.
pub fn node_binary() -> PathBuf {
	binary("aetron-node", "AETRON_NODE_BIN")
}

/// The worker binary.
pub fn worker_binary() -> PathBuf {
	binary("aetron-worker", "AETRON_WORKER_BIN")
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|l| l.local_addr())
		.map(|a| a.port())
		.expect("the OS hands out a free port")
}

/// How to start one node.
#[derive(Debug, Clone)]
pub struct NodeConfig {
	/// Name for logs (`alice`, `dev`, …).
	pub name: String,
	/// Flags beyond the network ones this module adds (`--dev --tmp`, `--chain local --alice`…).
	pub args: Vec<String>,
	/// Database and keystore directory; `None` with `--tmp` in `args`.
	pub base_path: Option<PathBuf>,
	/// Multiaddresses of nodes to connect to at start.
	pub bootnodes: Vec<String>,
	/// RPC port; chosen free when `None`.
	pub rpc_port: Option<u16>,
	/// P2P port; chosen free when `None`.
	pub p2p_port: Option<u16>,
	/// Secret of the node's libp2p identity (hex); validators of non-dev chains need one.
	pub node_key: Option<String>,
	/// Prometheus port (on 127.0.0.1); Prometheus is off when `None`.
	pub prometheus_port: Option<u16>,
}

impl NodeConfig {
	/// A config with `args` and free ports.
	pub fn new(name: &str, args: &[&str]) -> Self {
		Self {
			name: name.into(),
			args: args.iter().map(|a| a.to_string()).collect(),
			base_path: None,
			bootnodes: Vec::new(),
			rpc_port: None,
			p2p_port: None,
			node_key: None,
			prometheus_port: None,
		}
	}
}

/// A fresh libp2p identity from `aetron-node key generate-node-key`: (secret hex, peer id).
pub fn generate_node_key() -> Result<(String, String)> {
	let output = Command::new(node_binary()).args(["key", "generate-node-key"]).output()?;
	if !output.status.success() {
		bail!("generate-node-key failed: {}", String::from_utf8_lossy(&output.stderr));
	}
	let secret = String::from_utf8(output.stdout)?.trim().to_string();
	let peer_id = String::from_utf8(output.stderr)?.trim().to_string();
	Ok((secret, peer_id))
}

/// A running node. Dropping it stops the process.
pub struct Node {
	/// How it was started (with its ports filled in), so it can be restarted.
	pub config: NodeConfig,
	child: Option<Child>,
	log: PathBuf,
	_log_dir: tempfile::TempDir,
}

impl Node {
	/// Starts a node on loopback only: no mDNS, no telemetry, Prometheus off, listening on
	/// 127.0.0.1.
	pub fn start(mut config: NodeConfig) -> Result<Self> {
		let rpc_port = *config.rpc_port.get_or_insert_with(free_port);
		let p2p_port = *config.p2p_port.get_or_insert_with(free_port);
		let log_dir = tempfile::tempdir()?;
		let log = log_dir.path().join(format!("{}.log", config.name));
		let log_file = std::fs::File::create(&log)?;
		let mut command = Command::new(node_binary());
		command.args(&config.args);
		// Loopback-only defaults, unless the caller's args already carry them.
		for flag in ["--no-mdns", "--no-telemetry"] {
			if !config.args.iter().any(|a| a == flag) {
				command.arg(flag);
			}
		}
		match config.prometheus_port {
			// Prometheus listens on 127.0.0.1 unless `--prometheus-external` is given.
			Some(port) => command.args(["--prometheus-port", &port.to_string()]),
			None => command.arg("--no-prometheus"),
		};
		command
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p_port}")])
			.args(["--rpc-port", &rpc_port.to_string()])
			.stdin(Stdio::null())
			.stdout(log_file.try_clone()?)
			.stderr(log_file);
		if let Some(base) = &config.base_path {
			command.arg("--base-path").arg(base);
		}
		if let Some(key) = &config.node_key {
			command.args(["--node-key", key]);
		}
		for bootnode in &config.bootnodes {
			command.args(["--bootnodes", bootnode]);
		}
		let child = command.spawn().context("cannot start aetron-node")?;
		Ok(Self { config, child: Some(child), log, _log_dir: log_dir })
	}

	/// The node's WebSocket RPC URL.
	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.config.rpc_port.unwrap_or_default())
	}

	/// The node's P2P multiaddress without the peer id.
	pub fn p2p_addr(&self) -> String {
		format!("/ip4/127.0.0.1/tcp/{}", self.config.p2p_port.unwrap_or_default())
	}

	/// The last `lines` lines of the node's log, for failure messages.
	pub fn log_tail(&self, lines: usize) -> String {
		let text = std::fs::read_to_string(&self.log).unwrap_or_default();
		let all: Vec<&str> = text.lines().collect();
		all[all.len().saturating_sub(lines)..].join("\n")
	}

	/// The log lines that contain `needle`, for a failure message.
	pub fn log_matching(&self, needle: &str) -> String {
		let text = std::fs::read_to_string(&self.log).unwrap_or_default();
		text.lines().filter(|l| l.contains(needle)).collect::<Vec<_>>().join("\n")
	}

	/// Connects to the node's RPC, retrying until it answers or `timeout` passes.
	pub async fn rpc(&mut self, timeout: Duration) -> Result<Rpc> {
		let deadline = Instant::now() + timeout;
		loop {
			if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
				bail!("{} exited with {status}:\n{}", self.config.name, self.log_tail(30));
			}
			match RpcClient::from_insecure_url(self.ws_url()).await {
				Ok(client) => return Ok(Rpc(client)),
				Err(_) if Instant::now() < deadline => {
					tokio::time::sleep(Duration::from_millis(250)).await
				}
				Err(e) => bail!("{} RPC not up after {timeout:?}: {e}", self.config.name),
			}
		}
	}

	/// The node's Prometheus metrics page (text exposition format).
	pub fn metrics(&self) -> Result<String> {
		use std::io::{Read, Write};
		let port = self.config.prometheus_port.context("Prometheus is off for this node")?;
		let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
		stream.set_read_timeout(Some(Duration::from_secs(10)))?;
		write!(stream, "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
		let mut response = String::new();
		stream.read_to_string(&mut response)?;
		let (head, body) = response.split_once("\r\n\r\n").context("an HTTP response")?;
		if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
			bail!("metrics answered {head}");
		}
		Ok(body.to_string())
	}

	/// Stops the node with SIGTERM, then SIGKILL if it has not exited within 20 seconds.
	pub fn stop(&mut self) {
		let Some(mut child) = self.child.take() else { return };
		let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
		let deadline = Instant::now() + Duration::from_secs(20);
		while Instant::now() < deadline {
			if let Ok(Some(_)) = child.try_wait() {
				return;
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		let _ = child.kill();
		let _ = child.wait();
	}

	/// Starts the node again with the same config (ports, base path, bootnodes).
	pub fn restart(&mut self) -> Result<()> {
		self.stop();
		let fresh = Node::start(self.config.clone())?;
		*self = fresh;
		Ok(())
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		self.stop();
	}
}

/// A JSON-RPC connection to a node.
pub struct Rpc(pub RpcClient);

impl Rpc {
	/// Calls `method` with `params` and returns the JSON result.
	pub async fn call(
		&self,
		method: &str,
		params: subxt::rpcs::client::RpcParams,
	) -> Result<Value> {
		self.0.request::<Value>(method, params).await.with_context(|| format!("RPC {method}"))
	}

	/// Number of the best block.
	pub async fn best_number(&self) -> Result<u64> {
		let header = self.call("chain_getHeader", rpc_params![]).await?;
		header_number(&header)
	}

	/// Number of the last finalized block.
	pub async fn finalized_number(&self) -> Result<u64> {
		let hash = self.call("chain_getFinalizedHead", rpc_params![]).await?;
		let header = self.call("chain_getHeader", rpc_params![hash]).await?;
		header_number(&header)
	}

	/// Waits until `check` holds for the number `read` returns, polling every 500 ms.
	pub async fn wait_for(
		&self,
		what: &str,
		timeout: Duration,
		read: impl BlockNumber,
		check: impl Fn(u64) -> bool,
	) -> Result<u64> {
		let deadline = Instant::now() + timeout;
		let mut last = None;
		while Instant::now() < deadline {
			if let Ok(n) = read.read(self).await {
				if check(n) {
					return Ok(n);
				}
				last = Some(n);
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		bail!("timed out after {timeout:?} waiting for {what} (last seen: {last:?})")
	}
}

/// A block number that [`Rpc::wait_for`] polls.
pub trait BlockNumber {
	/// Reads the number from the node.
	fn read(&self, rpc: &Rpc) -> impl std::future::Future<Output = Result<u64>>;
}

/// Polls the best block number.
pub struct Best;
/// Polls the finalized block number.
pub struct Finalized;

impl BlockNumber for Best {
	async fn read(&self, rpc: &Rpc) -> Result<u64> {
		rpc.best_number().await
	}
}

impl BlockNumber for Finalized {
	async fn read(&self, rpc: &Rpc) -> Result<u64> {
		rpc.finalized_number().await
	}
}

fn header_number(header: &Value) -> Result<u64> {
	let hex = header["number"].as_str().context("header has a number")?;
	Ok(u64::from_str_radix(hex.trim_start_matches("0x"), 16)?)
}

pub mod miner;

/// The parts of a zombienet network spec (`zombienet/*.toml`) that the launcher honours.
pub mod zombienet {
	use serde::Deserialize;
	use std::path::Path;

	/// A zombienet network spec.
	#[derive(Debug, Deserialize)]
	pub struct Spec {
		/// The chain and its nodes (zombienet calls a solo chain the relay chain).
		pub relaychain: Chain,
	}

	/// The chain section.
	#[derive(Debug, Deserialize)]
	pub struct Chain {
		/// `--chain` value.
		pub chain: String,
		/// Binary of every node unless a node names its own.
		pub default_command: String,
		/// Flags every node gets.
		#[serde(default)]
		pub default_args: Vec<String>,
		/// The nodes.
		pub nodes: Vec<SpecNode>,
	}

	/// One node of the spec.
	#[derive(Debug, Deserialize)]
	pub struct SpecNode {
		/// Node name.
		pub name: String,
		/// Whether it validates.
		#[serde(default)]
		pub validator: bool,
		/// Its own flags.
		#[serde(default)]
		pub args: Vec<String>,
	}

	impl Spec {
		/// Reads and parses a spec file.
		pub fn load(path: &Path) -> anyhow::Result<Self> {
			Ok(toml::from_str(&std::fs::read_to_string(path)?)?)
		}

		/// The node flags for `node`: chain, defaults, its own, `--validator` when it validates.
		pub fn args_of(&self, node: &SpecNode) -> Vec<String> {
			let mut args = vec!["--chain".to_string(), self.relaychain.chain.clone()];
			args.extend(self.relaychain.default_args.iter().cloned());
			args.extend(node.args.iter().cloned());
			if node.validator && !args.iter().any(|a| a == "--validator") {
				args.push("--validator".into());
			}
			args
		}
	}
}

/// A multi-node network on loopback: every node knows every other from the start (identities
/// and ports are fixed up front), and nodes added later bootstrap from all of them.
pub struct Network {
	/// The nodes, in the order they were started.
	pub nodes: Vec<Node>,
	addresses: Vec<String>,
	_dirs: Vec<tempfile::TempDir>,
}

impl Network {
	/// Starts the nodes of the zombienet spec `zombienet/<file>` (each with its own database
	/// and keystore directory) and waits until the first answers RPC.
	pub async fn from_spec(file: &str) -> Self {
		let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../zombienet").join(file);
		let spec = zombienet::Spec::load(&path).expect("the zombienet spec parses");
		let mut network = Self { nodes: Vec::new(), addresses: Vec::new(), _dirs: Vec::new() };
		let mut configs = Vec::new();
		for spec_node in &spec.relaychain.nodes {
			let args = spec.args_of(spec_node);
			let args: Vec<&str> = args.iter().map(String::as_str).collect();
			configs.push(network.config(&spec_node.name, &args));
		}
		let addresses = network.addresses.clone();
		for (i, mut config) in configs.into_iter().enumerate() {
			config.bootnodes = addresses
				.iter()
				.enumerate()
				.filter(|(j, _)| *j != i)
				.map(|(_, a)| a.clone())
				.collect();
			network.nodes.push(Node::start(config).expect("node starts"));
		}
		network.nodes[0].rpc(Duration::from_secs(60)).await.expect("RPC comes up");
		network
	}

	/// A config for one more node: fresh directory, ports and identity; its address is known
	/// to the nodes configured after it.
	fn config(&mut self, name: &str, args: &[&str]) -> NodeConfig {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let mut config = NodeConfig::new(name, args);
		config.base_path = Some(dir.path().to_path_buf());
		config.p2p_port = Some(free_port());
		config.rpc_port = Some(free_port());
		let (secret, peer_id) = generate_node_key().expect("a node key");
		config.node_key = Some(secret);
		self.addresses.push(format!(
			"/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}",
			config.p2p_port.unwrap_or_default()
		));
		self._dirs.push(dir);
		config
	}

	/// Starts one more node with `args`, bootstrapping from every node so far; returns its
	/// index in [`Network::nodes`].
	pub fn add(&mut self, name: &str, args: &[&str]) -> usize {
		let mut config = self.config(name, args);
		config.bootnodes = self.addresses[..self.addresses.len() - 1].to_vec();
		self.nodes.push(Node::start(config).expect("node starts"));
		self.nodes.len() - 1
	}

	/// Every node's log lines that contain `needle`, for a failure message.
	pub fn logs_matching(&self, needle: &str) -> String {
		self.nodes
			.iter()
			.map(|node| format!("--- {} ---\n{}", node.config.name, node.log_matching(needle)))
			.collect::<Vec<_>>()
			.join("\n")
	}

	/// The last log lines of every node, for a failure message.
	pub fn logs(&self, lines: usize) -> String {
		self.nodes
			.iter()
			.map(|node| format!("--- {} ---\n{}", node.config.name, node.log_tail(lines)))
			.collect::<Vec<_>>()
			.join("\n")
	}
}

/// Starts a `--dev --tmp` node (Prometheus on a free loopback port) and waits for its first
/// finalized block. Returns the node, its
/// RPC connection and how long the first finality took from process start.
pub async fn dev_node() -> (Node, Rpc, Duration) {
	let started = Instant::now();
	let mut config = NodeConfig::new("dev", &["--dev", "--tmp"]);
	config.prometheus_port = Some(free_port());
	let mut node = Node::start(config).expect("node starts");
	let rpc = node.rpc(Duration::from_secs(60)).await.expect("RPC comes up");
	rpc.wait_for("first finalized block", Duration::from_secs(90), Finalized, |n| n >= 1)
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", node.log_tail(40)));
	(node, rpc, started.elapsed())
}

/// `$AETRON_MODELS` (scripts/fetch-models.sh) holds `all-minilm-l6-v2/`.
pub fn models() -> PathBuf {
	PathBuf::from(std::env::var("AETRON_MODELS").expect("AETRON_MODELS (scripts/test.sh sets it)"))
}

/// Writes the owner's spec file for MiniLM and returns its path.
pub fn minilm_spec(dir: &std::path::Path) -> PathBuf {
	let path = dir.join("minilm.toml");
	let spec = format!(
		r#"name = "all-MiniLM-L6-v2"
task = "embedding"
model_dir = "{}"
min_memory_mib = 256

[economics]
units_per_input_token = 1
units_per_output_token = 1
fee_floor = 1.0
fee_cap = 100.0
pow_difficulty = 2048

[[reference_checks]]
input = "The quick brown fox jumps over the lazy dog."

[[reference_checks]]
input = "AETRON pays miners for useful AI compute."
"#,
		models().join("all-minilm-l6-v2").display()
	);
	std::fs::write(&path, spec).unwrap();
	path
}
