//! The four-validator `local` network of `zombienet/local.toml`, on loopback: it finalizes; with
//! one validator stopped finality continues (3 of 4 is above GRANDPA's two-thirds); the stopped
//! validator restarts on its old database and catches up.

use std::{path::Path, time::Duration};

use aetron_e2e::{free_port, generate_node_key, zombienet::Spec, Finalized, Node, NodeConfig};

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

	// Every node knows every other from the start: identities and ports are fixed up front.
	let mut configs = Vec::new();
	let mut dirs = Vec::new();
	for spec_node in &spec.relaychain.nodes {
		let dir = tempfile::tempdir().unwrap();
		let args = spec.args_of(spec_node);
		let args: Vec<&str> = args.iter().map(String::as_str).collect();
		let mut config = NodeConfig::new(&spec_node.name, &args);
		config.base_path = Some(dir.path().to_path_buf());
		config.p2p_port = Some(free_port());
		config.rpc_port = Some(free_port());
		let (secret, peer_id) = generate_node_key().unwrap();
		config.node_key = Some(secret);
		configs.push((config, peer_id));
		dirs.push(dir);
	}
	let addresses: Vec<String> = configs
		.iter()
		.map(|(c, peer)| format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer}", c.p2p_port.unwrap()))
		.collect();
	let mut nodes: Vec<Node> = Vec::new();
	for (i, (mut config, _)) in configs.into_iter().enumerate() {
		config.bootnodes =
			addresses.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, a)| a.clone()).collect();
		nodes.push(Node::start(config).unwrap());
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
