//! Arbitration end to end on one `fast-runtime` dev node with eight mining workers of eight
//! coldkeys on one MiniLM neuronet, each running the dispute loop beside serving and
//! re-checking (panels judge on the reference backend):
//!
//! 1. Ferdie serves f16-rounded weights: a re-check catches it, the panel finds it guilty
//!    3–0, its epoch is forfeited with a bounty owed to the challenger, its reputation is zero
//!    and it is on probation (its next batch is sampled in full). Eve re-checks dishonestly
//!    (fails every leaf): against an honest miner she loses, her bond goes to the treasury and
//!    her epoch is forfeited.
//! 2. Two miners stop serving their artefacts: one posts the disputed leaf on-chain and is
//!    cleared (the dispute is cured), the other does not and loses. Dave is stopped: a panel
//!    it sits on is decided by the other two, and it loses reputation for its absence.

use std::time::Instant;

use aetron_e2e::{
	dev_node,
	miner::FailureKind as Kind,
	miner::{
		create_minilm_neuronet, eventually, run_worker, set_arbitration_params, sudo_set_params,
		within, Miner,
	},
	models, Rpc,
};
use serde_json::Value;
use subxt::{ext::scale_decode::DecodeAsType, rpcs::rpc_params, OnlineClient, SubstrateConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
enum Ruling {
	MinerLost,
	ChallengerLost,
	NoFault,
	Cured,
}

#[derive(Debug, Clone, DecodeAsType)]
#[allow(dead_code)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Opened {
	dispute: u64,
	batch: u64,
	miner: u64,
	challenger: u64,
	leaf_index: u32,
	kind: Kind,
	bond: u128,
}

#[derive(Debug, Clone, DecodeAsType)]
#[allow(dead_code)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Decided {
	dispute: u64,
	batch: u64,
	ruling: Ruling,
	honest: u32,
	guilty: u32,
}

#[derive(Debug, Clone, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Penalized {
	dispute: u64,
	arbiter: u64,
	revealed: bool,
}

#[derive(Debug, Clone, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Forfeited {
	slot: u64,
	epoch: u32,
}

#[derive(Debug, Clone, DecodeAsType)]
#[allow(dead_code)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Answered {
	dispute: u64,
	work_units: u64,
}

/// Every arbitration event so far, read block by block.
#[derive(Default, Debug)]
struct Events {
	next_block: u64,
	opened: Vec<Opened>,
	decided: Vec<(u64, Decided)>,
	penalized: Vec<Penalized>,
	forfeited: Vec<Forfeited>,
	answered: Vec<Answered>,
	/// Slots put on probation (`Reputation::ProbationStarted`).
	probation: Vec<u64>,
}

impl Events {
	fn opened(&self, dispute: u64) -> &Opened {
		self.opened.iter().find(|o| o.dispute == dispute).expect("opened before decided")
	}

	/// The decided disputes over `miner`'s batches (with the block of the decision).
	fn against(&self, miner: u64) -> impl Iterator<Item = &(u64, Decided)> {
		self.decided.iter().filter(move |(_, d)| self.opened(d.dispute).miner == miner)
	}
}

async fn update(all: &mut Events, api: &OnlineClient<SubstrateConfig>) {
	let best = api.at_current_block().await.unwrap().block_number();
	for number in all.next_block.max(1)..=best {
		all.next_block = number + 1;
		let at = api.at_block(number).await.unwrap();
		for event in at.events().fetch().await.unwrap().iter().filter_map(Result::ok) {
			if event.pallet_name() == "Reputation" && event.event_name() == "ProbationStarted" {
				let (slot, _until) = event.decode_fields_unchecked_as::<(u64, u32)>().unwrap();
				all.probation.push(slot);
			}
			if event.pallet_name() != "Arbitration" {
				continue;
			}
			match event.event_name() {
				"DisputeOpened" => all.opened.push(event.decode_fields_unchecked_as().unwrap()),
				"DisputeDecided" => {
					all.decided.push((number, event.decode_fields_unchecked_as().unwrap()))
				}
				"ArbiterPenalized" => {
					all.penalized.push(event.decode_fields_unchecked_as().unwrap())
				}
				"Forfeited" => all.forfeited.push(event.decode_fields_unchecked_as().unwrap()),
				"LeafAnswered" => all.answered.push(event.decode_fields_unchecked_as().unwrap()),
				_ => {}
			}
		}
	}
}

/// Windows of several blocks for re-checks and votes (workers poll every two seconds) and
/// enough draw tries that panels fill among eight slots (the arbitration side is shared with
/// the work test).
async fn set_params(api: &OnlineClient<SubstrateConfig>) {
	use subxt::ext::scale_value::value;
	sudo_set_params(
		api,
		"Work",
		value!({
			max_commits_per_epoch: 20u32,
			max_samples_per_batch: 64u32,
			max_samples_per_rechecker: 32u32,
			max_draw_tries: 16u32,
			max_reassignments: 2u32,
			commit_window: 6u32,
			reveal_window: 6u32,
			sampling_retry: 2u32,
			settlement_epochs: 30u32,
			history_epochs: 16u32,
			max_open_assignments: 128u32,
			max_timers_per_block: 64u32,
			max_prunes_per_block: 32u32,
		}),
	)
	.await;
	set_arbitration_params(api).await;
}

async fn dispute(rpc: &Rpc, id: u64) -> Value {
	rpc.call("arbitration_dispute", rpc_params![id]).await.unwrap()
}

/// What the chain and the workers say, for a failure message.
async fn dump(rpc: &Rpc, all: &Events, miners: &[&Miner]) -> String {
	let mut out = format!("opened: {:?}\ndecided: {:?}\n", all.opened, all.decided);
	for o in all.opened.iter().rev().take(6) {
		out += &format!("dispute {}: {}\n", o.dispute, dispute(rpc, o.dispute).await);
	}
	for m in miners {
		let log = m.log_text();
		let lines: Vec<&str> = log
			.lines()
			.filter(|l| l.contains("dispute") || l.contains("vote") || l.contains("answer"))
			.collect();
		out += &format!(
			"--- {} ---\n{}\n",
			m.name,
			lines[lines.len().saturating_sub(15)..].join("\n")
		);
	}
	out
}

#[tokio::test(flavor = "multi_thread")]
async fn disputes_are_judged_by_panels_and_losers_pay() {
	let (node, rpc, _) = dev_node().await;
	let url = node.ws_url();
	let api = OnlineClient::<SubstrateConfig>::from_insecure_url(&url).await.unwrap();
	let scratch = tempfile::tempdir().unwrap();
	create_minilm_neuronet(&url, scratch.path());
	set_params(&api).await;
	let started = Instant::now();

	// 1. Four honest miners, a cheat and a dishonest re-checker.
	let substituted = scratch.path().join("f16").join("all-minilm-l6-v2");
	run_worker(&[
		"test-round-weights",
		"--from",
		models().join("all-minilm-l6-v2").to_str().unwrap(),
		"--to",
		substituted.to_str().unwrap(),
	]);
	let mut alice = Miner::new("alice", "//Alice", &url, scratch.path());
	let mut bob = Miner::new("bob", "//Bob", &url, scratch.path());
	let mut charlie = Miner::new("charlie", "//Charlie", &url, scratch.path());
	let mut dave = Miner::new("dave", "//Dave", &url, scratch.path());
	let mut eve = Miner::new("eve", "//Eve", &url, scratch.path());
	eve.env.push(("AETRON_TEST_DISHONEST_RECHECKER", "1".into()));
	let mut ferdie = Miner::new("ferdie", "//Ferdie", &url, scratch.path());
	ferdie.env.push(("AETRON_TEST_SERVE_MODEL_DIR", substituted.display().to_string()));
	for m in [&mut alice, &mut bob, &mut charlie, &mut dave, &mut eve, &mut ferdie] {
		m.start();
	}
	let honest =
		[alice.serving().await, bob.serving().await, charlie.serving().await, dave.serving().await];
	let (e, f) = (eve.serving().await, ferdie.serving().await);
	let mut all = Events::default();
	let mut round = 0u32;
	let phase_one = within(600, async || {
		// A little load every quarter minute: a batch or two per miner.
		round += 1;
		if round % 15 == 1 {
			for m in [&alice, &bob, &charlie, &dave, &eve, &ferdie] {
				m.load(4);
			}
		}
		update(&mut all, &api).await;
		let ferdie_lost = all
			.against(f)
			.any(|(_, d)| d.ruling == Ruling::MinerLost && d.guilty == 3 && d.honest == 0);
		let eve_lost = all.decided.iter().any(|(_, d)| {
			let o = all.opened(d.dispute);
			o.challenger == e && honest.contains(&o.miner) && d.ruling == Ruling::ChallengerLost
		});
		ferdie_lost && eve_lost
	})
	.await;
	if !phase_one {
		panic!(
			"phase one incomplete:\n{}",
			dump(&rpc, &all, &[&alice, &bob, &charlie, &dave, &eve, &ferdie]).await
		);
	}
	println!("cheat and dishonest re-checker decided after {:?}", started.elapsed());

	// Ferdie: the batch rejected, the epoch forfeited with a bounty to the challenger,
	// reputation zero, on probation.
	let (at, lost) = all
		.against(f)
		.find(|(_, d)| d.ruling == Ruling::MinerLost && d.guilty == 3)
		.cloned()
		.unwrap();
	let opened = all.opened(lost.dispute).clone();
	let batch = rpc.call("work_batch", rpc_params![lost.batch]).await.unwrap();
	assert_eq!(batch["status"], "Rejected", "{batch}");
	let epoch = batch["epoch"].as_u64().unwrap() as u32;
	assert!(all.forfeited.iter().any(|x| x.slot == f && x.epoch == epoch), "{:?}", all.forfeited);
	let forfeit = rpc.call("arbitration_forfeit", rpc_params![f, epoch]).await.unwrap();
	assert_eq!(forfeit["forfeited"], true, "{forfeit}");
	assert!((forfeit["bounty"]["share"].as_f64().unwrap() - 0.2).abs() < 1e-9, "{forfeit}");
	let challenger_coldkey = dispute(&rpc, lost.dispute).await["challengerColdkey"].clone();
	assert_eq!(forfeit["bounty"]["to"], challenger_coldkey);
	assert!(all.probation.contains(&f), "reputation zero and probation: {:?}", all.probation);
	let ferdie_status = ferdie.status(&url, &["--epochs", "40"]);
	assert!(ferdie_status["reputation"].as_f64() < Some(0.05), "{ferdie_status}");
	assert!(
		ferdie_status["disputes"].as_array().unwrap().iter().any(|d| d["phase"] == "MinerLost"),
		"{ferdie_status}"
	);
	assert!(
		ferdie_status["epochs"]
			.as_array()
			.unwrap()
			.iter()
			.any(|x| x["epoch"] == epoch && x["forfeited"] == true),
		"{ferdie_status}"
	);
	println!(
		"Ferdie lost dispute {} (challenger slot {}) at block {at}",
		lost.dispute, opened.challenger
	);
	// On probation every leaf of its next batch is sampled.
	let mut round = 0u32;
	eventually("Ferdie's next batch sampled in full", 240, async || {
		round += 1;
		if round % 15 == 1 {
			ferdie.load(3);
		}
		let mut sampled_in_full = false;
		for id in lost.batch + 1..lost.batch + 60 {
			let b = rpc.call("work_batch", rpc_params![id]).await.unwrap();
			if b.is_null()
				|| b["slot"] != f
				|| b["committedAt"].as_u64() <= Some(at)
				|| b["seed"].is_null()
			{
				continue;
			}
			assert_eq!(b["samples"], b["leafCount"], "probation samples every leaf: {b}");
			sampled_in_full = true;
		}
		sampled_in_full
	})
	.await;
	// Eve lost a challenge of an honest miner's batch: her epoch is forfeited (her bond went
	// to the treasury: the runtime and mock tests check the balances).
	let (_, eve_lost) = all
		.decided
		.iter()
		.find(|(_, d)| all.opened(d.dispute).challenger == e && d.ruling == Ruling::ChallengerLost)
		.cloned()
		.unwrap();
	let b = rpc.call("work_batch", rpc_params![eve_lost.batch]).await.unwrap();
	assert_eq!(b["status"], "Confirmed", "an honest batch counts after a lost challenge: {b}");
	let eve_epoch = b["epoch"].as_u64().unwrap() as u32;
	assert!(
		all.forfeited.iter().any(|x| x.slot == e && x.epoch == eve_epoch),
		"{:?}",
		all.forfeited
	);
	let eve_status = eve.status(&url, &["--epochs", "40"]);
	assert!(
		eve_status["disputes"]
			.as_array()
			.unwrap()
			.iter()
			.any(|d| d["role"] == "Challenger" && d["phase"] == "ChallengerLost"),
		"{eve_status}"
	);
	// Both go on honestly: their slots stay active and may sit on panels.
	for m in [&mut eve, &mut ferdie] {
		m.kill();
		m.env.clear();
		m.start();
	}

	// 2. Unavailable leaves, and an arbiter offline.
	let mut hider = Miner::new("alice-stash", "//Alice//stash", &url, scratch.path());
	hider.env.push(("AETRON_TEST_HIDE_ARTEFACTS", "1".into()));
	let mut silent = Miner::new("bob-stash", "//Bob//stash", &url, scratch.path());
	silent.env.push(("AETRON_TEST_HIDE_ARTEFACTS", "1".into()));
	silent.env.push(("AETRON_TEST_NEVER_ANSWER", "1".into()));
	hider.start();
	silent.start();
	let (h, s) = (hider.serving().await, silent.serving().await);
	let d = honest[3];
	dave.kill();
	let absent_from = all.next_block;
	// A panel Dave sat on after it stopped, decided by the two others' votes.
	let decided_without_dave = |all: &Events| {
		all.penalized
			.iter()
			.filter(|p| p.arbiter == d && !p.revealed)
			.find_map(|p| {
				all.decided.iter().find(|(n, x)| {
					x.dispute == p.dispute && *n >= absent_from && x.honest + x.guilty == 2
				})
			})
			.cloned()
	};
	let mut round = 0u32;
	let phase_two = within(600, async || {
		round += 1;
		if round % 15 == 1 {
			for m in [&alice, &bob, &charlie, &eve, &ferdie, &hider, &silent] {
				m.load(4);
			}
		}
		update(&mut all, &api).await;
		let cured = all.against(h).any(|(_, x)| x.ruling == Ruling::Cured);
		let unanswered = all.against(s).any(|(_, x)| x.ruling == Ruling::MinerLost);
		cured && unanswered && decided_without_dave(&all).is_some()
	})
	.await;
	if !phase_two {
		panic!(
			"phase two incomplete:\n{}",
			dump(&rpc, &all, &[&alice, &bob, &charlie, &eve, &ferdie, &hider, &silent]).await
		);
	}
	// The hider answered on-chain and was cleared; its challenger lost nothing.
	let (_, cured) = all.against(h).find(|(_, x)| x.ruling == Ruling::Cured).cloned().unwrap();
	assert_eq!(all.opened(cured.dispute).kind, Kind::Unavailable);
	assert!(all.answered.iter().any(|a| a.dispute == cured.dispute), "{:?}", all.answered);
	assert!(cured.honest >= 2, "{cured:?}");
	assert!(!all.forfeited.iter().any(|x| x.slot == h), "{:?}", all.forfeited);
	let b = rpc.call("work_batch", rpc_params![cured.batch]).await.unwrap();
	assert_ne!(b["status"], "Rejected", "{b}");
	// The silent one never answered: it lost without a panel.
	let (_, unanswered) =
		all.against(s).find(|(_, x)| x.ruling == Ruling::MinerLost).cloned().unwrap();
	assert_eq!((unanswered.honest, unanswered.guilty), (0, 0));
	assert!(!all.answered.iter().any(|a| a.dispute == unanswered.dispute));
	assert!(all.forfeited.iter().any(|x| x.slot == s), "{:?}", all.forfeited);
	// Dave, offline, sat on a panel that the other two decided, and lost reputation for it.
	let (_, decided) = decided_without_dave(&all).unwrap();
	let panel = dispute(&rpc, decided.dispute).await["panel"].clone();
	assert!(
		panel
			.as_array()
			.unwrap()
			.iter()
			.any(|x| x["slot"] == d && x["vote"].get("Revealed").is_none()),
		"{panel}"
	);
	println!("all phases done after {:?}", started.elapsed());
	drop((alice, bob, charlie, dave, eve, ferdie, hider, silent));
	drop(node);
}
