//! Spawns `../local.toml` with zombienet-sdk's native provider and waits for finality.
//!
//! Needs `aetron-node` on PATH. Ignored by default (zombienet is not part of `scripts/test.sh`;
//! the same spec is exercised there by `e2e/tests/local_network.rs`): run it with
//! `cargo test --manifest-path zombienet/tests/Cargo.toml -- --ignored`.

use zombienet_sdk::{NetworkConfig, NetworkConfigExt};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs aetron-node on PATH; run explicitly"]
async fn local_network_finalizes() {
	let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../local.toml");
	let network = NetworkConfig::load_from_toml(spec).expect("spec parses").spawn_native().await.expect("spawns");
	let alice = network.get_node("alice").expect("alice exists");
	alice
		.wait_metric_with_timeout("block_height{status=\"finalized\"}", |v| v >= 3.0, 180u64)
		.await
		.expect("finalizes");
}
