//! A `--dev --tmp` node: it produces and finalizes blocks, takes a signed transfer from a Rust
//! client (subxt) into a finalized block with the right balances, and the worker reads it.

use std::time::Duration;

use aetron_e2e::{dev_node, miner::submit_finalized, worker_binary, Best, Finalized};
use subxt::{dynamic, utils::MultiAddress, OnlineClient, SubstrateConfig};
use subxt_signer::sr25519::dev;

const AET: u128 = 1_000_000_000_000;

#[tokio::test(flavor = "multi_thread")]
async fn dev_node_produces_and_finalizes_blocks() {
	let (node, rpc, first_finality) = dev_node().await;
	let finalized = rpc.finalized_number().await.expect("finalized block");
	// The budget (first finality within 30 s) is reported, not asserted: timing on a shared
	// 2-core machine is not a test.
	println!("first finalized block #{finalized} {first_finality:.1?} after start");

	let best = rpc.best_number().await.expect("best block");
	rpc.wait_for("more blocks", Duration::from_secs(60), Best, |n| n >= best + 2)
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", node.log_tail(40)));
	rpc.wait_for("finality to advance", Duration::from_secs(60), Finalized, |n| n > finalized)
		.await
		.unwrap_or_else(|e| panic!("{e}\n{}", node.log_tail(40)));

	// Prometheus serves the node's metrics, finality among them.
	let metrics = node.metrics().expect("metrics page");
	let finalized_metric = metrics
		.lines()
		.find(|l| l.starts_with("substrate_block_height{status=\"finalized\""))
		.unwrap_or_else(|| panic!("no finalized block height in metrics:\n{metrics}"));
	let value: f64 = finalized_metric.rsplit(' ').next().unwrap().parse().unwrap();
	assert!(value >= 1.0, "{finalized_metric}");

	let props = rpc.call("system_properties", subxt::rpcs::rpc_params![]).await.unwrap();
	assert_eq!(props["tokenSymbol"], "AET");
	assert_eq!(props["tokenDecimals"], 12);
}

/// `System.Account` of `who` at the client's current finalized block: (free, nonce).
async fn account(api: &OnlineClient<SubstrateConfig>, who: [u8; 32]) -> (u128, u64) {
	#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
	#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
	struct AccountInfo {
		nonce: u32,
		data: AccountData,
	}
	#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
	#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
	struct AccountData {
		free: u128,
	}
	let at = api.at_current_block().await.expect("finalized block");
	let address = dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account");
	let info = at.storage().fetch(address, (who,)).await.expect("account exists");
	let info = info.decode().expect("AccountInfo decodes");
	(info.data.free, info.nonce as u64)
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_transfer_lands_in_a_finalized_block_with_the_right_balances() {
	let (node, _rpc, _) = dev_node().await;

	let api = OnlineClient::<SubstrateConfig>::from_insecure_url(node.ws_url())
		.await
		.expect("subxt connects");
	// Bob pays Charlie: neither authors blocks, so only the transfer moves their balances (the
	// author, Alice, is minted the validator share of every block).
	let payer = dev::bob();
	let payee = dev::charlie();
	let payer_id: [u8; 32] = payer.public_key().0;
	let payee_id: [u8; 32] = payee.public_key().0;
	let (payer_before, payer_nonce) = account(&api, payer_id).await;
	let (payee_before, _) = account(&api, payee_id).await;

	let amount = 42 * AET;
	let tx = dynamic::transaction(
		"Balances",
		"transfer_keep_alive",
		(MultiAddress::<[u8; 32], ()>::Id(payee_id), amount),
	);
	let events = submit_finalized(&api, &tx, &payer)
		.await
		.unwrap_or_else(|e| panic!("transfer failed: {e}\n{}", node.log_tail(40)));

	#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
	#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
	struct FeePaid {
		who: [u8; 32],
		actual_fee: u128,
		tip: u128,
	}
	let fee = events
		.iter()
		.filter_map(Result::ok)
		.find(|e| e.pallet_name() == "TransactionPayment" && e.event_name() == "TransactionFeePaid")
		.map(|e| e.decode_fields_unchecked_as::<FeePaid>().expect("fee event decodes"))
		.expect("a fee was paid");
	assert_eq!(fee.who, payer_id);
	assert_eq!(fee.tip, 0);
	assert!(fee.actual_fee > 0);
	assert!(events
		.iter()
		.filter_map(Result::ok)
		.any(|e| e.pallet_name() == "Balances" && e.event_name() == "Transfer"));

	let (payer_after, payer_nonce_after) = account(&api, payer_id).await;
	let (payee_after, _) = account(&api, payee_id).await;
	assert_eq!(payee_after, payee_before + amount);
	assert_eq!(payer_after, payer_before - amount - fee.actual_fee);
	assert_eq!(payer_nonce_after, payer_nonce + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn worker_chain_info_reports_the_node() {
	let (node, _rpc, _) = dev_node().await;

	let output = std::process::Command::new(worker_binary())
		.args(["chain-info", "--json", "--url", &node.ws_url()])
		.output()
		.expect("worker runs");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let info: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
	assert_eq!(info["chain"], "AETRON Development");
	assert_eq!(info["specName"], "aetron");
	assert!(info["specVersion"].as_u64().unwrap() >= 100);
	let best = info["best"]["number"].as_u64().unwrap();
	let finalized = info["finalized"]["number"].as_u64().unwrap();
	assert!(finalized >= 1 && best >= finalized, "{info}");
	assert!(info["finalized"]["hash"].as_str().unwrap().starts_with("0x"));
}
