//! The four-validator `local` network of `zombienet/local.toml`, on loopback: it finalizes; with
//! one validator stopped finality continues (3 of 4 is above GRANDPA's two-thirds); the stopped
//! validator restarts on its old database and catches up.

use std::time::Duration;

use aetron_e2e::{Finalized, Network};

#[tokio::test(flavor = "multi_thread")]
async fn local_network_finalizes_survives_a_stopped_validator_and_it_catches_up() {
	let mut network = Network::from_spec("local.toml").await;
	assert_eq!(network.nodes.len(), 4, "four validators");
	let first_rpc = network.nodes[0].rpc(Duration::from_secs(60)).await.unwrap();

	let finalized = first_rpc
		.wait_for("the network to finalize", Duration::from_secs(120), Finalized, |n| n >= 2)
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", network.logs(20)));

	// Stop the last validator: three of four still finalize.
	network.nodes.last_mut().unwrap().stop();
	let without_last = first_rpc
		.wait_for("finality with one validator down", Duration::from_secs(120), Finalized, |n| {
			n >= finalized + 3
		})
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", network.logs(20)));

	// Restart it on its old database: it syncs and follows finality again.
	let last = network.nodes.last_mut().unwrap();
	last.restart().unwrap();
	let last_rpc = last.rpc(Duration::from_secs(60)).await.unwrap();
	last_rpc
		.wait_for("the restarted validator to catch up", Duration::from_secs(120), Finalized, |n| {
			n > without_last
		})
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", network.logs(20)));
}
