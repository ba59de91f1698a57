//! `aetron-node`: the AETRON chain's node. BABE produces blocks, GRANDPA finalizes them, state
//! lives in ParityDb, and the standard JSON-RPC methods are served over jsonrpsee.
#![warn(missing_docs)]

mod arbitration_rpc;
mod chain_spec;
mod cli;
mod command;
mod emission_rpc;
mod equivocation;
mod neuronets_rpc;
mod rpc;
mod service;
mod work_rpc;

fn main() -> sc_cli::Result<()> {
	command::run()
}
