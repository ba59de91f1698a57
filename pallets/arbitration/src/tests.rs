//! Every call's success path with its events and storage, every refusal with `assert_noop!`,
//! each ruling's effect on reputation, holds, the forfeit ledger and the batch, no-fault on an
//! unfilled panel and on a tie, pruning, and random sequences after which the invariants hold.

use crate::{mock::*, *};
use aetron_primitives::traits::NeuronetsInspect;
use aetron_primitives::{
	arbitration::{vote_hash, LeafAnswer, Vote},
	artefact::{ArtefactHeader, ARTEFACT_VERSION},
	merkle::{MerkleSumTree, SumNode},
	traits::{DisputeOutcome, Forfeits},
	work::FailureKind,
};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::Pays,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use sp_runtime::{DispatchError, Perbill};

/// The disputed batch in most tests.
const BATCH: BatchId = 7;

/// Miner slot 0 (coldkey 1), challenger slot 1 (coldkey 2), and `arbiters` reputable slots
/// 2, 3, … of coldkeys 3, 4, ….
fn network(arbiters: u64) {
	add_slot(0, 1, 10);
	add_slot(1, 2, 50);
	for a in 0..arbiters {
		add_slot(2 + a, 3 + a, 70);
	}
}

fn request(kind: FailureKind) -> DisputeRequest {
	DisputeRequest {
		batch: BATCH,
		epoch: 0,
		neuronet: NET,
		batch_number: 3,
		root: SumNode { hash: [5; 32], sum: 1_000 },
		leaf_count: 10,
		sample: 2,
		leaf_index: 4,
		kind,
		miner: 0,
		challenger: 1,
	}
}

fn open(request: DisputeRequest) -> DisputeId {
	<Arbitration as DisputeHook>::open_dispute(request).expect("opened")
}

fn dispute(id: DisputeId) -> crate::DisputeOf<Test> {
	Disputes::<Test>::get(id).expect("dispute")
}

fn panel(id: DisputeId) -> Vec<SlotId> {
	dispute(id).panel.iter().map(|s| s.slot).collect()
}

fn origin(slot: SlotId) -> RuntimeOrigin {
	RuntimeOrigin::signed(hotkey(slot))
}

fn salt(slot: SlotId) -> [u8; 32] {
	[slot as u8 + 11; 32]
}

fn vote(honest: bool) -> Vote {
	Vote { miner_honest: honest, digest: [honest as u8; 32] }
}

fn commit_vote(id: DisputeId, arbiter: SlotId, honest: bool) {
	let hash = vote_hash(&vote(honest), &salt(arbiter), arbiter, id);
	let info = Arbitration::commit_vote(origin(arbiter), arbiter, id, hash).expect("commit");
	assert_eq!(info.pays_fee, Pays::No);
}

fn reveal_vote(id: DisputeId, arbiter: SlotId, honest: bool) {
	let info = Arbitration::reveal_vote(origin(arbiter), arbiter, id, vote(honest), salt(arbiter))
		.expect("reveal");
	assert_eq!(info.pays_fee, Pays::No);
}

/// Advances until the dispute's panel is drawn.
fn drawn(id: DisputeId) -> Vec<SlotId> {
	advance_to(dispute(id).timer);
	assert!(matches!(dispute(id).phase, Phase::Voting { .. }), "{:?}", dispute(id).phase);
	panel(id)
}

/// Opens a wrong-output dispute, draws its panel and has each arbiter vote as `votes` says
/// (`None`: absent); every present arbiter commits, then reveals.
fn decided_with(votes: &[Option<bool>]) -> DisputeId {
	let id = open(request(FailureKind::WrongOutput));
	let arbiters = drawn(id);
	for (&a, v) in arbiters.iter().zip(votes) {
		if let Some(honest) = v {
			commit_vote(id, a, *honest);
		}
	}
	if votes.iter().any(Option::is_none) {
		let Phase::Voting { commit_deadline, .. } = dispute(id).phase else { unreachable!() };
		advance_to(commit_deadline + 1);
	}
	for (&a, v) in arbiters.iter().zip(votes) {
		if let Some(honest) = v {
			reveal_vote(id, a, *honest);
		}
	}
	if votes.iter().any(Option::is_none) {
		let Phase::Voting { reveal_deadline, .. } = dispute(id).phase else { unreachable!() };
		advance_to(reveal_deadline + 1);
	}
	id
}

fn ruling(id: DisputeId) -> (Ruling, u32, u32) {
	match dispute(id).phase {
		Phase::Decided { ruling, honest, guilty, .. } => (ruling, honest, guilty),
		other => panic!("not decided: {other:?}"),
	}
}

/// Of two disputes whose timers ran in one block (in storage order), the one now voting and
/// the other.
fn voting_first(a: DisputeId, b: DisputeId) -> (DisputeId, DisputeId) {
	if matches!(dispute(a).phase, Phase::Voting { .. }) {
		(a, b)
	} else {
		(b, a)
	}
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ChallengerBond.into(), &who)
}

#[test]
fn a_failure_opens_a_dispute_and_holds_the_bond() {
	run(|| {
		network(3);
		let id = open(request(FailureKind::WrongOutput));
		assert_eq!(id, 0);
		System::assert_last_event(
			Event::DisputeOpened {
				dispute: 0,
				batch: BATCH,
				miner: 0,
				challenger: 1,
				leaf_index: 4,
				kind: FailureKind::WrongOutput,
				bond: BOND,
			}
			.into(),
		);
		assert_eq!(held(2), BOND);
		assert_eq!(Balances::balance(&2), 1_000 - BOND);
		let d = dispute(id);
		assert_eq!((d.miner_coldkey, d.challenger_coldkey), (1, 2));
		assert_eq!(d.phase, Phase::Drawing { since: 1 });
		assert_eq!(Parties::<Test>::get(0, id), Some(Role::Miner));
		assert_eq!(Parties::<Test>::get(1, id), Some(Role::Challenger));
		assert_eq!(Tallies::<Test>::get(BATCH).unwrap().open, 1);
		assert_eq!(
			<Arbitration as DisputeHook>::open_dispute_weight(),
			<() as WeightInfo>::open_dispute()
		);
	});
}

#[test]
fn a_bond_the_challenger_cannot_pay_or_a_gone_party_opens_nothing() {
	run(|| {
		network(3);
		add_slot(9, 50, 50);
		let poor = DisputeRequest { challenger: 9, ..request(FailureKind::WrongOutput) };
		assert_eq!(
			<Arbitration as DisputeHook>::open_dispute(poor),
			Err(DisputeRefused::BondUnpaid)
		);
		let stranger = DisputeRequest { miner: 42, ..request(FailureKind::WrongOutput) };
		assert_eq!(
			<Arbitration as DisputeHook>::open_dispute(stranger),
			Err(DisputeRefused::UnknownParty)
		);
		assert_eq!(NextDisputeId::<Test>::get(), 0);
		assert!(Tallies::<Test>::get(BATCH).is_none());
		assert_eq!(held(50), 0);
		assert_eq!(Timers::<Test>::iter().count(), 0);
	});
}

#[test]
fn the_panel_is_drawn_with_later_randomness_from_eligible_slots_only() {
	run(|| {
		network(6);
		// Never drawn: the miner's and the challenger's coldkeys, a slot on probation.
		add_slot(20, 1, 90);
		add_slot(21, 2, 90);
		add_slot(22, 30, 90);
		SLOTS.with(|s| s.borrow_mut().get_mut(&22).unwrap().probation = true);
		// A second slot of arbiter coldkey 3: never on the same panel as slot 2.
		add_slot(23, 3, 90);
		// Enough tries that every draw fills its panel despite the excluded slots.
		Params::<Test>::mutate(|p| p.max_draw_tries = 64);
		let id = open(request(FailureKind::WrongOutput));
		// The randomness known in the opening block's child is the opening block's own.
		advance_to(2);
		assert_eq!(dispute(id).phase, Phase::Drawing { since: 1 });
		advance_to(3);
		let Phase::Voting { commit_deadline, reveal_deadline } = dispute(id).phase else {
			panic!("not voting")
		};
		assert_eq!((commit_deadline, reveal_deadline), (6, 9));
		assert_eq!(dispute(id).timer, 10);
		let arbiters = panel(id);
		assert_eq!(arbiters.len(), 3);
		System::assert_last_event(
			Event::PanelDrawn {
				dispute: id,
				arbiters: BoundedVec::truncate_from(arbiters.clone()),
			}
			.into(),
		);
		for &a in &arbiters {
			assert_eq!(OpenSeats::<Test>::get(a, id), Some(()));
			assert_eq!(Parties::<Test>::get(a, id), Some(Role::Arbiter));
		}
		// Over many disputes: never a party's coldkey, never probation, never two seats of
		// one coldkey.
		for n in 0..30 {
			let id = open(DisputeRequest { batch: 100 + n, ..request(FailureKind::WrongOutput) });
			for a in drawn(id) {
				assert!(![0, 1, 20, 21, 22].contains(&a), "slot {a} drawn");
			}
			let coldkeys: std::collections::BTreeSet<_> =
				panel(id).iter().map(|&a| MockNeuronets::slot(a).unwrap().coldkey).collect();
			assert_eq!(coldkeys.len(), 3);
		}
	});
}

#[test]
fn without_reputable_arbiters_the_most_reputable_drawn_sit() {
	run(|| {
		add_slot(0, 1, 10);
		add_slot(1, 2, 50);
		for a in 2..5 {
			add_slot(a, a + 1, 20);
		}
		let id = open(request(FailureKind::WrongOutput));
		let mut arbiters = drawn(id);
		arbiters.sort();
		assert_eq!(arbiters, vec![2, 3, 4]);
	});
}

#[test]
fn an_epoch_is_decided_only_once_its_last_dispute_is() {
	run(|| {
		network(3);
		assert!(Arbitration::epoch_decided(0));
		let id = open(request(FailureKind::WrongOutput));
		// Emission may not pay epoch 0 while a forfeit of it can still appear.
		assert!(!Arbitration::epoch_decided(0));
		assert!(Arbitration::epoch_decided(1));
		let arbiters = drawn(id);
		for &a in &arbiters {
			commit_vote(id, a, false);
		}
		for &a in &arbiters {
			reveal_vote(id, a, false);
		}
		assert!(dispute(id).is_decided());
		assert!(Arbitration::epoch_decided(0));
		assert_eq!(Arbitration::retention_epochs(), 4);
	});
}

#[test]
fn a_miner_outvoted_three_to_nothing_forfeits_its_epoch_to_the_challenger() {
	run(|| {
		network(3);
		let id = decided_with(&[Some(false), Some(false), Some(false)]);
		assert_eq!(ruling(id), (Ruling::MinerLost, 0, 3));
		System::assert_has_event(
			Event::DisputeDecided {
				dispute: id,
				batch: BATCH,
				ruling: Ruling::MinerLost,
				honest: 0,
				guilty: 3,
			}
			.into(),
		);
		// The miner: no emission for the batch's epoch, a bounty owed from it, reputation
		// zero and probation.
		assert!(Arbitration::is_forfeited(0, 0));
		assert_eq!(Arbitration::bounty(0, 0), Some((2, Perbill::from_percent(20))));
		assert_eq!(lost(), vec![0]);
		assert_eq!(reputation_of(0), Perbill::zero());
		// The challenger: its bond back, nothing forfeited; the arbiters: nothing lost.
		assert_eq!((held(2), Balances::balance(&2)), (0, 1_000));
		assert!(!Arbitration::is_forfeited(1, 0));
		assert!(penalized().is_empty());
		assert_eq!(resolved(), vec![(BATCH, DisputeOutcome::MinerGuilty)]);
		assert!(Tallies::<Test>::get(BATCH).is_none());
		assert!(OpenSeats::<Test>::iter().next().is_none());
	});
}

#[test]
fn a_challenger_outvoted_loses_its_bond_to_the_treasury_and_its_epoch() {
	run(|| {
		network(3);
		let id = decided_with(&[Some(true), Some(false), Some(true)]);
		assert_eq!(ruling(id), (Ruling::ChallengerLost, 2, 1));
		assert!(Arbitration::is_forfeited(1, 0));
		assert_eq!(Arbitration::bounty(1, 0), None);
		assert!(!Arbitration::is_forfeited(0, 0));
		assert_eq!((held(2), Balances::balance(&2)), (0, 1_000 - BOND));
		assert_eq!(Balances::balance(&TREASURY), 1 + BOND);
		// The challenger and the minority arbiter lose reputation.
		let minority = panel(id)[1];
		assert_eq!(
			penalized(),
			vec![(minority, Perbill::from_percent(10)), (1, Perbill::from_percent(50))]
		);
		System::assert_has_event(
			Event::ArbiterPenalized { dispute: id, arbiter: minority, revealed: true }.into(),
		);
		assert!(lost().is_empty());
		assert_eq!(resolved(), vec![(BATCH, DisputeOutcome::MinerHonest)]);
	});
}

#[test]
fn a_tie_is_no_fault_and_the_absent_arbiter_is_blamed() {
	run(|| {
		network(3);
		let id = decided_with(&[Some(true), Some(false), None]);
		assert_eq!(ruling(id), (Ruling::NoFault, 1, 1));
		let absent = panel(id)[2];
		assert_eq!(penalized(), vec![(absent, Perbill::from_percent(10))]);
		System::assert_has_event(
			Event::ArbiterPenalized { dispute: id, arbiter: absent, revealed: false }.into(),
		);
		assert_eq!((held(2), Balances::balance(&2)), (0, 1_000));
		assert!(!Arbitration::is_forfeited(0, 0) && !Arbitration::is_forfeited(1, 0));
		// The batch counts without the disputed leaf: its average, 1 000 / 10.
		assert_eq!(resolved(), vec![(BATCH, DisputeOutcome::NoFault { excluded: 100 })]);
	});
}

#[test]
fn no_reveal_at_all_is_no_fault_and_every_arbiter_is_blamed() {
	run(|| {
		network(3);
		let id = decided_with(&[None, None, None]);
		assert_eq!(ruling(id), (Ruling::NoFault, 0, 0));
		assert_eq!(penalized().len(), 3);
		assert_eq!(held(2), 0);
	});
}

#[test]
fn one_arbiter_offline_the_other_two_decide() {
	run(|| {
		network(3);
		let id = decided_with(&[Some(false), None, Some(false)]);
		assert_eq!(ruling(id), (Ruling::MinerLost, 0, 2));
		assert_eq!(penalized(), vec![(panel(id)[1], Perbill::from_percent(10))]);
	});
}

#[test]
fn a_panel_that_cannot_be_filled_ends_no_fault() {
	run(|| {
		network(2);
		let id = open(request(FailureKind::WrongOutput));
		advance_to(dispute(id).timer);
		assert_eq!(ruling(id), (Ruling::NoFault, 0, 0));
		assert!(dispute(id).panel.is_empty());
		assert_eq!(held(2), 0);
		assert_eq!(resolved(), vec![(BATCH, DisputeOutcome::NoFault { excluded: 100 })]);
	});
}

#[test]
fn busy_arbiters_are_skipped() {
	run(|| {
		network(3);
		Params::<Test>::mutate(|p| p.max_open_panels = 1);
		let first = open(request(FailureKind::WrongOutput));
		let second = open(DisputeRequest { batch: 8, ..request(FailureKind::WrongOutput) });
		advance_to(dispute(first).timer);
		let (voting, unfilled) = voting_first(first, second);
		assert_eq!(panel(voting).len(), 3);
		// Every arbiter holds a seat: the other panel cannot be filled.
		assert_eq!(ruling(unfilled), (Ruling::NoFault, 0, 0));
	});
}

#[test]
fn randomness_that_never_comes_ends_no_fault() {
	run(|| {
		network(3);
		withhold_randomness(true);
		let id = open(request(FailureKind::WrongOutput));
		advance_to(1 + bounds::MAX_DRAW_WAIT as u64 - 1);
		assert!(matches!(dispute(id).phase, Phase::Drawing { .. }));
		advance_to(1 + bounds::MAX_DRAW_WAIT as u64);
		assert_eq!(ruling(id), (Ruling::NoFault, 0, 0));
	});
}

#[test]
fn an_unanswered_unavailable_leaf_loses_without_a_panel() {
	run(|| {
		network(3);
		let id = open(request(FailureKind::Unavailable));
		assert_eq!(dispute(id).phase, Phase::Answering { deadline: 5 });
		advance_to(5);
		assert!(matches!(dispute(id).phase, Phase::Answering { .. }));
		advance_to(6);
		assert_eq!(ruling(id), (Ruling::MinerLost, 0, 0));
		assert!(dispute(id).panel.is_empty());
		assert!(Arbitration::is_forfeited(0, 0));
		assert_eq!(resolved(), vec![(BATCH, DisputeOutcome::MinerGuilty)]);
	});
}

/// A batch of `n` leaves served by slot 0 (neuronet 0, batch number 3), leaf 4 signed, and
/// the answer for leaf 4 with the dispute request over it.
fn answered_batch() -> (LeafAnswer, DisputeRequest) {
	let leaf = |i: u32| {
		let (req, resp) = (format!("request {i}"), format!("response {i}"));
		let signature = [i as u8; 64];
		let header = ArtefactHeader {
			version: ARTEFACT_VERSION,
			neuronet: NET,
			slot: 0,
			batch: 3,
			request_id: [i as u8; 16],
			client_signature_hash: sp_io::hashing::blake2_256(&signature),
			input_hash: sp_io::hashing::blake2_256(req.as_bytes()),
			output_hash: sp_io::hashing::blake2_256(resp.as_bytes()),
			input_units: 10,
			output_units: 20,
			work_units: 90 + u64::from(i),
			seed: 0,
			fingerprint: BoundedVec::truncate_from(vec![i as u8; 32]),
		};
		(header, req, resp, signature)
	};
	let leaves: Vec<_> = (0..10).map(leaf).collect();
	let tree =
		MerkleSumTree::from_leaves(leaves.iter().zip(0..).map(|((h, ..), i)| h.leaf(i)).collect())
			.unwrap();
	let (header, req, resp, signature) = leaves[4].clone();
	let answer = LeafAnswer {
		artefact: header,
		request: BoundedVec::truncate_from(req.into_bytes()),
		response: BoundedVec::truncate_from(resp.into_bytes()),
		client: Some(([9; 32], signature)),
		proof: BoundedVec::truncate_from(tree.proof(4).unwrap()),
	};
	(answer, DisputeRequest { root: tree.root(), ..request(FailureKind::Unavailable) })
}

#[test]
fn an_answered_leaf_goes_to_the_panel_and_an_honest_one_cures_the_dispute() {
	run(|| {
		network(3);
		let (answer, r) = answered_batch();
		let id = open(r);
		advance_to(3);
		let info = Arbitration::answer(origin(0), id, Box::new(answer.clone())).expect("answer");
		assert_eq!(info.pays_fee, Pays::No);
		System::assert_last_event(Event::LeafAnswered { dispute: id, work_units: 94 }.into());
		assert_eq!(Answers::<Test>::get(id), Some(answer));
		let d = dispute(id);
		assert_eq!((d.phase, d.leaf_work, d.timer), (Phase::Drawing { since: 3 }, Some(94), 5));
		let arbiters = drawn(id);
		for &a in &arbiters {
			commit_vote(id, a, true);
		}
		for &a in &arbiters {
			reveal_vote(id, a, true);
		}
		// The challenger reported the truth (the leaf was unavailable) and the miner cured it:
		// nobody loses, and the batch counts in full.
		assert_eq!(ruling(id), (Ruling::Cured, 3, 0));
		assert!(Answers::<Test>::get(id).is_none(), "the answer goes with the decision");
		assert_eq!(resolved(), vec![(BATCH, DisputeOutcome::MinerHonest)]);
		assert_eq!((held(2), Balances::balance(&2)), (0, 1_000));
		assert!(!Arbitration::is_forfeited(0, 0) && !Arbitration::is_forfeited(1, 0));
		assert!(penalized().is_empty());
	});
}

#[test]
fn a_tie_on_an_answered_leaf_leaves_out_its_own_work() {
	run(|| {
		network(3);
		let (answer, r) = answered_batch();
		let id = open(r);
		assert_ok!(Arbitration::answer(origin(0), id, Box::new(answer)));
		let arbiters = drawn(id);
		commit_vote(id, arbiters[0], true);
		commit_vote(id, arbiters[1], false);
		let Phase::Voting { commit_deadline, reveal_deadline } = dispute(id).phase else {
			unreachable!()
		};
		advance_to(commit_deadline + 1);
		reveal_vote(id, arbiters[0], true);
		reveal_vote(id, arbiters[1], false);
		advance_to(reveal_deadline + 1);
		assert_eq!(ruling(id), (Ruling::NoFault, 1, 1));
		assert_eq!(resolved(), vec![(BATCH, DisputeOutcome::NoFault { excluded: 94 })]);
	});
}

#[test]
fn bad_answers_are_refused_by_name() {
	run(|| {
		network(3);
		let (answer, r) = answered_batch();
		let id = open(r.clone());
		let refused = |f: &dyn Fn(&mut LeafAnswer), error: Error<Test>| {
			let mut a = answer.clone();
			f(&mut a);
			assert_noop!(Arbitration::answer(origin(0), id, Box::new(a)), error);
		};
		refused(&|a| a.artefact.work_units += 1, Error::AnswerBadProof);
		refused(&|a| a.proof.truncate(1), Error::AnswerBadProof);
		refused(&|a| a.artefact.slot = 1, Error::AnswerMisattributed);
		refused(&|a| a.artefact.batch = 4, Error::AnswerMisattributed);
		refused(
			&|a| a.response = BoundedVec::truncate_from(b"other".to_vec()),
			Error::AnswerBodyMismatch,
		);
		refused(&|a| a.client = None, Error::AnswerSignatureMismatch);
		// From a stranger: the challenger's hotkey, an account with no slot.
		assert_noop!(
			Arbitration::answer(origin(1), id, Box::new(answer.clone())),
			Error::<Test>::NotMiner
		);
		assert_noop!(
			Arbitration::answer(RuntimeOrigin::signed(77), id, Box::new(answer.clone())),
			Error::<Test>::NotMiner
		);
		assert_noop!(
			Arbitration::answer(origin(0), 99, Box::new(answer.clone())),
			Error::<Test>::UnknownDispute
		);
		// Too large for the governed bound.
		Params::<Test>::mutate(|p| p.max_answer_bytes = 10);
		assert_noop!(
			Arbitration::answer(origin(0), id, Box::new(answer.clone())),
			Error::<Test>::AnswerTooLarge
		);
		Params::<Test>::put(test_params());
		// Not an unavailable-data dispute; then past the deadline.
		let other = open(DisputeRequest { kind: FailureKind::WrongOutput, batch: 8, ..r });
		assert_noop!(
			Arbitration::answer(origin(0), other, Box::new(answer.clone())),
			Error::<Test>::NotAnswering
		);
		advance_to(6);
		assert_noop!(
			Arbitration::answer(origin(0), id, Box::new(answer)),
			Error::<Test>::NotAnswering
		);
	});
}

#[test]
fn vote_refusals_change_nothing() {
	run(|| {
		network(4);
		let id = open(request(FailureKind::WrongOutput));
		let hash = vote_hash(&vote(true), &salt(2), 2, id);
		assert_noop!(Arbitration::commit_vote(origin(2), 2, id, hash), Error::<Test>::NotVoting);
		let arbiters = drawn(id);
		let outsider = (2..6).find(|s| !arbiters.contains(s)).unwrap();
		let (a, b, c) = (arbiters[0], arbiters[1], arbiters[2]);
		assert_noop!(
			Arbitration::commit_vote(origin(outsider), outsider, id, hash),
			Error::<Test>::NotOnPanel
		);
		assert_noop!(Arbitration::commit_vote(origin(b), a, id, hash), Error::<Test>::NotHotkey);
		assert_noop!(Arbitration::commit_vote(origin(a), 42, id, hash), Error::<Test>::UnknownSlot);
		assert_noop!(
			Arbitration::commit_vote(origin(a), a, 99, hash),
			Error::<Test>::UnknownDispute
		);
		assert_noop!(
			Arbitration::reveal_vote(origin(a), a, id, vote(true), salt(a)),
			Error::<Test>::NotCommitted
		);
		commit_vote(id, a, true);
		assert_noop!(
			Arbitration::commit_vote(origin(a), a, id, hash),
			Error::<Test>::AlreadyCommitted
		);
		// Reveals wait for the commit deadline while a seat has not committed.
		assert_noop!(
			Arbitration::reveal_vote(origin(a), a, id, vote(true), salt(a)),
			Error::<Test>::RevealNotOpen
		);
		commit_vote(id, b, false);
		let Phase::Voting { commit_deadline, reveal_deadline } = dispute(id).phase else {
			unreachable!()
		};
		advance_to(commit_deadline + 1);
		let late = vote_hash(&vote(true), &salt(c), c, id);
		assert_noop!(Arbitration::commit_vote(origin(c), c, id, late), Error::<Test>::CommitClosed);
		assert_noop!(
			Arbitration::reveal_vote(origin(a), a, id, vote(false), salt(a)),
			Error::<Test>::HashMismatch
		);
		assert_noop!(
			Arbitration::reveal_vote(origin(a), a, id, vote(true), salt(b)),
			Error::<Test>::HashMismatch
		);
		reveal_vote(id, a, true);
		assert_noop!(
			Arbitration::reveal_vote(origin(a), a, id, vote(true), salt(a)),
			Error::<Test>::AlreadyRevealed
		);
		System::set_block_number(reveal_deadline + 1);
		assert_noop!(
			Arbitration::reveal_vote(origin(b), b, id, vote(false), salt(b)),
			Error::<Test>::RevealClosed
		);
	});
}

#[test]
fn a_vote_copied_from_another_arbiter_does_not_reveal() {
	run(|| {
		network(3);
		let id = open(request(FailureKind::WrongOutput));
		let arbiters = drawn(id);
		let (a, b) = (arbiters[0], arbiters[1]);
		let hash = vote_hash(&vote(false), &salt(a), a, id);
		assert_ok!(Arbitration::commit_vote(origin(a), a, id, hash));
		// `b` copies `a`'s commitment; revealing `a`'s vote and salt fails for `b`'s slot.
		assert_ok!(Arbitration::commit_vote(origin(b), b, id, hash));
		let Phase::Voting { commit_deadline, .. } = dispute(id).phase else { unreachable!() };
		advance_to(commit_deadline + 1);
		assert_noop!(
			Arbitration::reveal_vote(origin(b), b, id, vote(false), salt(a)),
			Error::<Test>::HashMismatch
		);
	});
}

#[test]
fn a_batch_with_two_disputes_is_resolved_once_by_the_worst() {
	run(|| {
		network(4);
		add_slot(9, 10, 50);
		let first = open(request(FailureKind::WrongOutput));
		let second =
			open(DisputeRequest { challenger: 9, sample: 3, ..request(FailureKind::WrongOutput) });
		assert_eq!(Tallies::<Test>::get(BATCH).unwrap().open, 2);
		// One ends no-fault (an unfilled panel is simplest: everyone busy).
		Params::<Test>::mutate(|p| p.max_open_panels = 1);
		advance_to(dispute(first).timer);
		let (voting, unfilled) = voting_first(first, second);
		assert_eq!(ruling(unfilled), (Ruling::NoFault, 0, 0));
		assert!(resolved().is_empty(), "one dispute still open");
		let a = panel(voting);
		for &s in &a {
			commit_vote(voting, s, false);
		}
		for &s in &a {
			reveal_vote(voting, s, false);
		}
		assert_eq!(ruling(voting), (Ruling::MinerLost, 0, 3));
		assert_eq!(resolved(), vec![(BATCH, DisputeOutcome::MinerGuilty)]);
		assert!(Tallies::<Test>::get(BATCH).is_none());
	});
}

#[test]
fn a_second_loss_in_an_epoch_keeps_the_first_bounty() {
	run(|| {
		network(6);
		add_slot(9, 10, 50);
		decided_with(&[Some(false), Some(false), Some(false)]);
		let id =
			open(DisputeRequest { batch: 8, challenger: 9, ..request(FailureKind::WrongOutput) });
		for &a in &drawn(id) {
			commit_vote(id, a, false);
		}
		for &a in &panel(id) {
			reveal_vote(id, a, false);
		}
		assert_eq!(Arbitration::bounty(0, 0), Some((2, Perbill::from_percent(20))));
	});
}

#[test]
fn an_arbiter_that_leaves_is_neither_counted_nor_blamed() {
	run(|| {
		network(3);
		let id = open(request(FailureKind::WrongOutput));
		let arbiters = drawn(id);
		commit_vote(id, arbiters[0], false);
		remove_slot(arbiters[2]);
		System::assert_last_event(Event::ArbiterLeft { dispute: id, arbiter: arbiters[2] }.into());
		assert!(OpenSeats::<Test>::get(arbiters[2], id).is_none());
		commit_vote(id, arbiters[1], false);
		// Every seat left committed: reveals open at once, and the last decides.
		reveal_vote(id, arbiters[0], false);
		reveal_vote(id, arbiters[1], false);
		assert_eq!(ruling(id), (Ruling::MinerLost, 0, 2));
		assert!(penalized().is_empty());
	});
}

#[test]
fn decided_disputes_are_pruned_and_old_forfeits_expire() {
	run(|| {
		network(3);
		let id = decided_with(&[Some(false), Some(false), Some(false)]);
		let arbiters = panel(id);
		let Phase::Decided { at, .. } = dispute(id).phase else { unreachable!() };
		advance_to(at + 4);
		assert!(Disputes::<Test>::get(id).is_some());
		advance_to(at + 5);
		assert!(Disputes::<Test>::get(id).is_none());
		assert!(Parties::<Test>::iter_prefix(0).next().is_none());
		assert!(Parties::<Test>::iter_prefix(1).next().is_none());
		assert!(arbiters.iter().all(|&a| Parties::<Test>::iter_prefix(a).next().is_none()));
		assert!(Arbitration::is_forfeited(0, 0));
		// Epoch 0's forfeits go once `forfeit_history_epochs` (4) epochs have begun.
		advance_to(4 * EPOCH - 1);
		assert!(Arbitration::is_forfeited(0, 0));
		advance_to(4 * EPOCH);
		assert!(!Arbitration::is_forfeited(0, 0));
		assert_eq!(ForfeitPruneCursor::<Test>::get(), 1);
	});
}

#[test]
fn the_runtime_api_lists_a_slots_disputes_by_role() {
	run(|| {
		network(3);
		let id = open(request(FailureKind::WrongOutput));
		let arbiters = drawn(id);
		let endpoint = |slot: SlotId| format!("http://miner-{slot}").into_bytes();
		let roles = |slot| {
			Arbitration::disputes_of(slot, endpoint)
				.into_iter()
				.map(|d| (d.id, d.role, d.endpoint))
				.collect::<Vec<_>>()
		};
		let miner_endpoint = b"http://miner-0".to_vec();
		assert_eq!(roles(0), vec![(id, Some(Role::Miner), miner_endpoint.clone())]);
		assert_eq!(roles(1), vec![(id, Some(Role::Challenger), miner_endpoint.clone())]);
		assert_eq!(roles(arbiters[0]), vec![(id, Some(Role::Arbiter), miner_endpoint)]);
		assert!(roles(42).is_empty());
		assert_eq!(Arbitration::dispute_details(id, endpoint).unwrap().dispute, dispute(id));
	});
}

#[test]
fn only_governance_sets_parameters_within_bounds() {
	run(|| {
		let params = ArbitrationParams { panel_size: 5, ..test_params() };
		assert_noop!(
			Arbitration::set_params(RuntimeOrigin::signed(1), params),
			DispatchError::BadOrigin
		);
		for bad in [
			ArbitrationParams { panel_size: 4, ..params },
			ArbitrationParams { panel_size: 17, ..params },
			ArbitrationParams { commit_window: 0, ..params },
			ArbitrationParams { forfeit_history_epochs: 1, ..params },
			ArbitrationParams { max_answer_bytes: bounds::MAX_ANSWER_BYTES + 1, ..params },
		] {
			assert_noop!(
				Arbitration::set_params(RuntimeOrigin::root(), bad),
				Error::<Test>::ParamOutOfBounds
			);
		}
		assert_ok!(Arbitration::set_params(RuntimeOrigin::root(), params));
		assert_eq!(Params::<Test>::get(), params);
		System::assert_last_event(Event::ParamsSet { params }.into());
	});
}

mod sequences {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Op {
		Open { challenger: u64, kind: u8, batch: u64 },
		Answer { dispute: u64 },
		Commit { dispute: u64, seat: usize, honest: bool },
		Reveal { dispute: u64, seat: usize, honest: bool },
		Advance { blocks: u64 },
		Remove { slot: u64 },
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			(1u64..4, 0u8..3, 0u64..3).prop_map(|(challenger, kind, batch)| Op::Open {
				challenger,
				kind,
				batch
			}),
			(0u64..8).prop_map(|dispute| Op::Answer { dispute }),
			(0u64..8, 0usize..3, any::<bool>()).prop_map(|(dispute, seat, honest)| Op::Commit {
				dispute,
				seat,
				honest
			}),
			(0u64..8, 0usize..3, any::<bool>()).prop_map(|(dispute, seat, honest)| Op::Reveal {
				dispute,
				seat,
				honest
			}),
			(1u64..8).prop_map(|blocks| Op::Advance { blocks }),
			(2u64..10).prop_map(|slot| Op::Remove { slot }),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]
		#[test]
		fn invariants_hold_after_any_sequence(ops in proptest::collection::vec(op(), 1..40)) {
			new_test_ext().execute_with(|| {
				network(8);
				add_slot(12, 50, 50); // a challenger that cannot pay
				add_slot(13, 13, 50);
				let (answer, r) = answered_batch();
				for op in ops {
					match op {
						Op::Open { challenger, kind, batch } => {
							let challenger = [1, 12, 13][(challenger - 1) as usize];
							let kind = [FailureKind::WrongOutput, FailureKind::Unavailable, FailureKind::BadProof][kind as usize];
							let _ = <Arbitration as DisputeHook>::open_dispute(DisputeRequest { challenger, kind, batch, ..r.clone() });
						}
						Op::Answer { dispute } => {
							let _ = Arbitration::answer(origin(0), dispute, Box::new(answer.clone()));
						}
						Op::Commit { dispute, seat, honest } => {
							if let Some(a) = Disputes::<Test>::get(dispute).and_then(|d| d.panel.get(seat).map(|s| s.slot)) {
								let hash = vote_hash(&vote(honest), &salt(a), a, dispute);
								let _ = Arbitration::commit_vote(origin(a), a, dispute, hash);
							}
						}
						Op::Reveal { dispute, seat, honest } => {
							if let Some(a) = Disputes::<Test>::get(dispute).and_then(|d| d.panel.get(seat).map(|s| s.slot)) {
								let _ = Arbitration::reveal_vote(origin(a), a, dispute, vote(honest), salt(a));
							}
						}
						Op::Advance { blocks } => advance_to(System::block_number() + blocks),
						Op::Remove { slot } => {
							if MockNeuronets::slot(slot).is_some() {
								remove_slot(slot);
							}
						}
					}
					Arbitration::do_try_state().unwrap();
				}
				// Every dispute ends: after the longest life, none is open.
				advance_to(System::block_number() + 40);
				prop_assert!(Disputes::<Test>::iter().all(|(_, d)| d.is_decided()));
				prop_assert!(Tallies::<Test>::iter().next().is_none());
				Arbitration::do_try_state().unwrap();
				Ok(())
			})?;
		}
	}
}
