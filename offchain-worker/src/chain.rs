//! The chain client: a thin layer over subxt for what the worker reads from and sends to an
//! AETRON node.

use anyhow::{Context, Result};
use subxt::{
	config::RpcConfigFor,
	rpcs::{methods::LegacyRpcMethods, RpcClient},
	SubstrateConfig,
};

/// A connection to a node's JSON-RPC endpoint.
pub struct Chain {
	rpc: LegacyRpcMethods<RpcConfigFor<SubstrateConfig>>,
}

/// What `aetron-worker chain-info` reports about a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainInfo {
	/// Chain name from the chain spec (`system_chain`).
	pub chain: String,
	/// Runtime name (`spec_name`).
	pub spec_name: String,
	/// Runtime `spec_version`.
	pub spec_version: u32,
	/// Runtime `transaction_version`.
	pub transaction_version: u32,
	/// Number of the best block.
	pub best_number: u64,
	/// Hash of the best block.
	pub best_hash: String,
	/// Number of the last finalized block.
	pub finalized_number: u64,
	/// Hash of the last finalized block.
	pub finalized_hash: String,
}

impl Chain {
	/// Connects to `url` (`ws://` or `wss://`). Plain `ws://` is accepted because workers usually
	/// talk to a node on the same machine or network.
	pub async fn connect(url: &str) -> Result<Self> {
		let client = RpcClient::from_insecure_url(url)
			.await
			.with_context(|| format!("cannot connect to the node at {url}"))?;
		Ok(Self { rpc: LegacyRpcMethods::new(client) })
	}

	/// Reads the chain's name, runtime version and best and finalized blocks.
	pub async fn info(&self) -> Result<ChainInfo> {
		let chain = self.rpc.system_chain().await.context("system_chain")?;
		let version =
			self.rpc.state_get_runtime_version(None).await.context("state_getRuntimeVersion")?;
		let spec_name =
			version.other.get("specName").and_then(|v| v.as_str()).unwrap_or_default().to_string();
		let best = self
			.rpc
			.chain_get_header(None)
			.await
			.context("chain_getHeader")?
			.context("the node returned no best header")?;
		let best_hash = self.rpc.chain_get_block_hash(None).await.context("chain_getBlockHash")?;
		let finalized_hash =
			self.rpc.chain_get_finalized_head().await.context("chain_getFinalizedHead")?;
		let finalized = self
			.rpc
			.chain_get_header(Some(finalized_hash))
			.await
			.context("chain_getHeader")?
			.context("the node returned no finalized header")?;
		Ok(ChainInfo {
			chain,
			spec_name,
			spec_version: version.spec_version,
			transaction_version: version.transaction_version,
			best_number: best.number.into(),
			best_hash: best_hash.map(|h| format!("{h:?}")).unwrap_or_default(),
			finalized_number: finalized.number.into(),
			finalized_hash: format!("{finalized_hash:?}"),
		})
	}
}

impl std::fmt::Display for ChainInfo {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		writeln!(f, "chain:      {}", self.chain)?;
		writeln!(
			f,
			"runtime:    {} spec_version {} transaction_version {}",
			self.spec_name, self.spec_version, self.transaction_version
		)?;
		writeln!(f, "best:       #{} {}", self.best_number, self.best_hash)?;
		write!(f, "finalized:  #{} {}", self.finalized_number, self.finalized_hash)
	}
}
