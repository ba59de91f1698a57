//! Emission end to end on one `fast-runtime` dev node (10-block epochs): Dave stakes into the
//! MiniLM neuronet with `aetron-worker stake`; Bob and Charlie mine honestly, Eve mines but
//! hides her artefacts and never answers for them. Over several epochs:
//!
//! - the workers' claim loops claim every settled epoch: Bob's and Charlie's coldkeys receive
//!   exactly what the chain's Claimed events say, and nothing else;
//! - Eve's unavailable leaves lose their disputes: her epoch is forfeited, the challenger's
//!   worker claims her payout and its coldkey receives the bounty (20 %), the treasury the rest;
//! - Dave's staking rewards are the stakers' share of every epoch (he is the only staker), and
//!   `aetron-worker restake --claim` pays them;
//! - once an epoch settles, its batches leave the chain and then the miners' stores (a pruned
//!   leaf answers 410 Gone), and so do the verdicts the re-checkers kept on them;
//! - `status` shows the income; and the independent check (`e2e/js/payouts.mjs`, polkadot.js)
//!   recomputes every payout from the formula and finds total issuance = genesis + minted −
//!   burned.

use std::{process::Command, time::Instant};

use aetron_e2e::{
	dev_node,
	miner::{
		create_minilm_neuronet, eventually, keypair, run_worker, set_arbitration_params,
		sudo_set_params, Miner,
	},
	Rpc,
};
use serde_json::Value;
use subxt::{dynamic, rpcs::rpc_params, OnlineClient, SubstrateConfig};

/// Free plus held balance of `who` at the current finalized block.
async fn total_balance(api: &OnlineClient<SubstrateConfig>, who: [u8; 32]) -> u128 {
	#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
	#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
	struct AccountInfo {
		data: AccountData,
	}
	#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
	#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
	struct AccountData {
		free: u128,
		reserved: u128,
	}
	let at = api.at_current_block().await.unwrap();
	let address = dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account");
	let info = at.storage().fetch(address, (who,)).await.unwrap().decode().unwrap();
	info.data.free + info.data.reserved
}

fn ss58(suri: &str) -> String {
	subxt::utils::AccountId32(keypair(suri).public_key().0).to_string()
}

/// Work settles after three epochs (the fewest that leave a batch time to be sampled,
/// re-checked and disputed), so the first payouts come within minutes.
async fn set_work_params(api: &OnlineClient<SubstrateConfig>) {
	use subxt::ext::scale_value::value;
	let params = value!({
		max_commits_per_epoch: 20u32,
		max_samples_per_batch: 64u32,
		max_samples_per_rechecker: 32u32,
		max_draw_tries: 8u32,
		max_reassignments: 2u32,
		commit_window: 4u32,
		reveal_window: 4u32,
		sampling_retry: 2u32,
		settlement_epochs: 3u32,
		history_epochs: 16u32,
		max_open_assignments: 128u32,
		max_timers_per_block: 64u32,
		max_prunes_per_block: 32u32,
	});
	sudo_set_params(api, "Work", params).await;
	set_arbitration_params(api).await;
}

async fn payouts(rpc: &Rpc, slot: u64) -> Vec<Value> {
	rpc.call("emission_slotPayouts", rpc_params![slot]).await.unwrap().as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn miners_are_paid_for_confirmed_work_cheats_forfeit_and_stakers_earn_their_share() {
	let (node, rpc, _) = dev_node().await;
	let url = node.ws_url();
	let api = OnlineClient::<SubstrateConfig>::from_insecure_url(&url).await.unwrap();
	let scratch = tempfile::tempdir().unwrap();
	create_minilm_neuronet(&url, scratch.path());
	set_work_params(&api).await;
	let started = Instant::now();

	// Dave stakes 100 AET: capacity 1 000 work units an epoch (10 per AET with fast-runtime).
	let out = run_worker(&[
		"stake",
		"--url",
		&url,
		"--suri",
		"//Dave",
		"--neuronet",
		"0",
		"--amount",
		"100",
		"--json",
	]);
	let positions: Value = serde_json::from_slice(&out.stdout).unwrap();
	assert_eq!(positions[0]["stake"], "100000000000000", "{positions}");
	let capacity = rpc.call("emission_capacity", rpc_params![0]).await.unwrap();
	assert_eq!(capacity["capacity"], 1_000);

	let mut bob = Miner::new("bob", "//Bob", &url, scratch.path());
	let mut charlie = Miner::new("charlie", "//Charlie", &url, scratch.path());
	let mut eve = Miner::new("eve", "//Eve", &url, scratch.path());
	eve.env.push(("AETRON_TEST_HIDE_ARTEFACTS", "1".into()));
	eve.env.push(("AETRON_TEST_NEVER_ANSWER", "1".into()));
	for m in [&mut bob, &mut charlie, &mut eve] {
		m.start();
	}
	let (b, c, e) = (bob.serving().await, charlie.serving().await, eve.serving().await);
	let coldkeys = [("//Bob", b), ("//Charlie", c), ("//Eve", e)];
	let mut before = Vec::new();
	for (suri, _) in coldkeys {
		before.push(total_balance(&api, keypair(suri).public_key().0).await);
	}
	// Four rounds of requests for everyone over two epochs. Eve's batches are caught; until her
	// first loss puts her on probation she also re-checks the others' batches, which is work
	// her forfeited epochs would have paid.
	for _ in 0..4 {
		for m in [&bob, &charlie, &eve] {
			m.load(8);
		}
		tokio::time::sleep(std::time::Duration::from_secs(20)).await;
	}

	// Both honest miners are paid, and a challenger claims Eve's forfeited payout.
	eventually("Bob's and Charlie's first claims and Eve's forfeit claimed", 900, async || {
		let claimed =
			|p: &Vec<Value>| p.iter().any(|p| p["state"] == "Claimed" && p["amount"] != "0");
		let forfeit_claimed = payouts(&rpc, e)
			.await
			.iter()
			.any(|p| p["state"] == "Forfeited" && p["claimed"] == true && p["amount"] != "0");
		claimed(&payouts(&rpc, b).await) && claimed(&payouts(&rpc, c).await) && forfeit_claimed
	})
	.await;
	// A settled epoch's batches leave the chain, and then the miner's store: Bob's first batch
	// answers 410 Gone.
	eventually("Bob's first batch pruned once its epoch settled", 120, async || {
		bob.artefact_status(0, 0) == 410
	})
	.await;
	// So do the verdicts Bob kept as a re-checker: each goes once its batch left the chain, so
	// fewer are kept than Bob ever revealed.
	eventually("Bob forgot the verdicts on batches that left the chain", 120, async || {
		let kept = bob.health().await.and_then(|h| h["kept_verdicts"].as_u64());
		let revealed = bob.status(&url, &[])["rechecksDone"].as_u64().unwrap();
		kept.is_some_and(|kept| kept < revealed)
	})
	.await;
	let status = bob.status(&url, &[]);
	assert!(status["claimedAet"].as_f64().unwrap() > 0.0, "{status}");
	assert!(
		status["epochs"].as_array().unwrap().iter().any(|e| e["payout"] == "Claimed"),
		"{status}"
	);

	// Everything stops; the chain goes on a few blocks so finality catches up.
	for m in [&mut bob, &mut charlie, &mut eve] {
		m.kill();
	}
	let best = rpc.best_number().await.unwrap();
	eventually("finality past the last claim", 120, async || {
		rpc.finalized_number().await.unwrap() >= best + 2
	})
	.await;

	// The independent check: every payout recomputed from the formula, issuance conserved.
	let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("js/payouts.mjs");
	let out = Command::new("node").arg(&script).arg(&url).output().expect("node.js runs");
	let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
		panic!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
	});
	assert!(out.status.success(), "{report}");
	assert!(report["checked"].as_u64().unwrap() >= 3, "{report}");

	// Each coldkey received exactly its claims and bounties, and nothing else.
	let received = |to: &str| -> u128 {
		let sum = |key: &str| {
			report[key]
				.as_array()
				.unwrap()
				.iter()
				.filter(|p| p["to"] == to)
				.map(|p| p["amount"].as_str().unwrap().parse::<u128>().unwrap())
				.sum::<u128>()
		};
		sum("paid") + sum("bounties")
	};
	for ((suri, slot), before) in coldkeys.iter().zip(&before) {
		let after = total_balance(&api, keypair(suri).public_key().0).await;
		assert_eq!(after - before, received(&ss58(suri)), "{suri} (slot {slot}): {report}");
	}
	assert!(received(&ss58("//Bob")) > 0 && received(&ss58("//Charlie")) > 0, "{report}");
	let bounties = report["bounties"].as_array().unwrap();
	assert!(
		bounties
			.iter()
			.any(|x| x["slot"] == e && (x["to"] == ss58("//Bob") || x["to"] == ss58("//Charlie"))),
		"a challenger was paid a bounty out of Eve's forfeit: {report}"
	);
	// Eve is never paid for an epoch she forfeited.
	for p in payouts(&rpc, e).await.iter().filter(|p| p["state"] == "Forfeited") {
		let epoch = &p["epoch"];
		assert!(
			!report["paid"]
				.as_array()
				.unwrap()
				.iter()
				.any(|x| x["slot"] == e && &x["epoch"] == epoch),
			"Eve was paid for forfeited epoch {epoch}: {report}"
		);
	}

	// Dave's rewards: the stakers' share of every epoch so far, read at one block.
	let hash: Value = rpc.call("chain_getFinalizedHead", rpc_params![]).await.unwrap();
	let dave = ss58("//Dave");
	let position =
		&rpc.call("restaking_positionsOf", rpc_params![dave.clone(), hash.clone()]).await.unwrap()
			[0];
	let pending: u128 = position["pendingRewards"].as_str().unwrap().parse().unwrap();
	let epoch = rpc.call("emission_status", rpc_params![hash.clone()]).await.unwrap()["epoch"]
		.as_u64()
		.unwrap();
	let mut shared = 0u128;
	for past in 0..epoch {
		let ne =
			rpc.call("emission_neuronetEpoch", rpc_params![past, 0, hash.clone()]).await.unwrap();
		if !ne.is_null() {
			shared += ne["toStakers"].as_str().unwrap().parse::<u128>().unwrap();
		}
	}
	assert!(
		pending > 0 && pending <= shared && shared - pending <= u128::from(epoch),
		"{pending} of {shared}"
	);
	let dave_before = total_balance(&api, keypair("//Dave").public_key().0).await;
	run_worker(&["restake", "--url", &url, "--suri", "//Dave", "--neuronet", "0", "--claim"]);
	// Paid at least what was pending (more if an epoch closed meanwhile), less the call's fee,
	// once the claim is finalized (balances are read at the finalized block).
	let paid = async || {
		let after = total_balance(&api, keypair("//Dave").public_key().0).await;
		after + 1_000_000_000_000 > dave_before + pending
	};
	eventually("Dave's staking rewards paid", 60, paid).await;
	println!("emission e2e: {} s", started.elapsed().as_secs());
}
