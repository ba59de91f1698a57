//! The four-validator `local` network of `zombienet/local.toml`, on loopback: it finalizes; with
//! one validator stopped finality continues (3 of 4 is above GRANDPA's two-thirds); the stopped
//! validator restarts on its old database and catches up.

use std::{path::Path, time::Duration};

use aetron_e2e::{zombienet::Spec, Finalized, Node, NodeConfig};

fn logs(nodes: &[Node]) -> String {
	nodes
		.iter()
		.map(|node| format!("--- {} ---\n{}", node.config.name, node.log_tail(20)))
		.collect::<Vec<_>>()
		.join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn local_network_finalizes_survives_a_stopped_validator_and_it_catches_up() {
	let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../zombienet/local.toml");
	let spec = Spec::load(&spec_path).expect("zombienet/local.toml parses");
	assert_eq!(spec.relaychain.default_command, "aetron-node");
	assert_eq!(spec.relaychain.nodes.len(), 4, "four validators");

	let dirs: Vec<_> = spec.relaychain.nodes.iter().map(|_| tempfile::tempdir().unwrap()).collect();
	let mut nodes: Vec<Node> = Vec::new();
	let mut bootnodes = Vec::new();
	for (spec_node, dir) in spec.relaychain.nodes.iter().zip(&dirs) {
		let args = spec.args_of(spec_node);
		let args: Vec<&str> = args.iter().map(String::as_str).collect();
		let mut config = NodeConfig::new(&spec_node.name, &args);
		config.base_path = Some(dir.path().to_path_buf());
		config.bootnodes = bootnodes.clone();
		let mut node = Node::start(config).unwrap();
		if bootnodes.is_empty() {
			// The first node is everyone's bootnode.
			let rpc = node.rpc(Duration::from_secs(60)).await.unwrap();
			bootnodes.push(format!("{}/p2p/{}", node.p2p_addr(), rpc.peer_id().await.unwrap()));
		}
		nodes.push(node);
	}
	let first_rpc = nodes[0].rpc(Duration::from_secs(60)).await.unwrap();

	let finalized = first_rpc
		.wait_for("the network to finalize", Duration::from_secs(120), Finalized, |n| n >= 2)
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", logs(&nodes)));

	// Stop the last validator: three of four still finalize.
	nodes.last_mut().unwrap().stop();
	let without_last = first_rpc
		.wait_for("finality with one validator down", Duration::from_secs(120), Finalized, |n| {
			n >= finalized + 3
		})
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", logs(&nodes)));

	// Restart it on its old database: it syncs and follows finality again.
	let last = nodes.last_mut().unwrap();
	last.restart().unwrap();
	let last_rpc = last.rpc(Duration::from_secs(60)).await.unwrap();
	last_rpc
		.wait_for("the restarted validator to catch up", Duration::from_secs(120), Finalized, |n| {
			n > without_last
		})
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", logs(&nodes)));
}
