//! `aetron-worker`: the command line of the miner's worker.

use aetron_worker::chain::Chain;
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
}

#[tokio::main]
async fn main() {
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
	}
	Ok(())
}
