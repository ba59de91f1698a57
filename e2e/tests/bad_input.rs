//! Bad input to the binaries gets a clear message and a failing exit code, never a panic.

use std::process::Command;

use aetron_e2e::{free_port, node_binary, worker_binary};

fn assert_no_panic(stderr: &str) {
	assert!(!stderr.contains("panicked"), "panic instead of an error:\n{stderr}");
}

#[test]
fn node_refuses_an_unknown_chain_name() {
	let output = Command::new(node_binary())
		.args(["--chain", "no-such-chain", "--tmp", "--no-mdns", "--no-telemetry"])
		.output()
		.expect("node runs");
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert_eq!(output.status.code(), Some(1), "{stderr}");
	assert!(stderr.contains("unknown chain `no-such-chain`"), "{stderr}");
	assert_no_panic(&stderr);
}

#[test]
fn node_refuses_a_malformed_chain_spec() {
	let dir = tempfile::tempdir().unwrap();
	let spec = dir.path().join("broken.json");
	std::fs::write(&spec, br#"{"name": "broken", "id": 7, "genesis": "#).unwrap();
	let output = Command::new(node_binary())
		.args(["--chain"])
		.arg(&spec)
		.args(["--tmp", "--no-mdns", "--no-telemetry"])
		.output()
		.expect("node runs");
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert_eq!(output.status.code(), Some(1), "{stderr}");
	assert!(stderr.contains("invalid chain spec"), "{stderr}");
	assert_no_panic(&stderr);
}

#[test]
fn node_exports_the_dev_chain_spec_with_token_properties() {
	let output = Command::new(node_binary())
		.args(["export-chain-spec", "--chain", "dev"])
		.output()
		.expect("node runs");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let spec: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON spec");
	assert_eq!(spec["properties"]["tokenSymbol"], "AET");
	assert_eq!(spec["properties"]["tokenDecimals"], 12);
	assert_eq!(spec["bootNodes"], serde_json::json!([]));
}

#[test]
fn worker_chain_info_against_a_closed_port_fails_in_one_line() {
	let port = free_port();
	let output = Command::new(worker_binary())
		.args(["chain-info", "--url", &format!("ws://127.0.0.1:{port}")])
		.output()
		.expect("worker runs");
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert_eq!(output.status.code(), Some(1), "{stderr}");
	assert_eq!(stderr.trim_end().lines().count(), 1, "one line expected:\n{stderr}");
	assert!(stderr.starts_with("error: cannot connect to the node at ws://127.0.0.1:"), "{stderr}");
	assert_no_panic(&stderr);
}
