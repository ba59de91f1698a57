//! Every call's success path with its events and storage, every refusal with `assert_noop!`,
//! sampling and draws, deadlines and reassignment, disputes, expiry, pruning, and random call
//! sequences after which the invariants hold.

use crate::{mock::*, *};
use aetron_primitives::{
	traits::{DisputeOutcome, DisputeRefused, DisputeResolution, WorkLedger},
	work::{batch_seed, sample_leaf, samples_of, verdict_hash, Failure, FailureKind, Verdict},
};
use frame_support::{assert_noop, assert_ok, dispatch::Pays, traits::Randomness, BoundedVec};
use sp_runtime::DispatchError;

/// Miner slot 0 (coldkey 1); re-checker slots 1, 2, 3 (coldkeys 2, 3, 4), all reputable.
fn network() {
	add_slot(0, 1, 10);
	add_slot(1, 2, 50);
	add_slot(2, 3, 50);
	add_slot(3, 4, 50);
}

fn origin(slot: SlotId) -> RuntimeOrigin {
	RuntimeOrigin::signed(hotkey(slot))
}

fn commit(slot: SlotId, number: u64, leaves: u32, work: u64) -> BatchId {
	let id = NextBatchId::<Test>::get();
	let info = Work::commit_batch(origin(slot), slot, number, [number as u8; 32], leaves, work)
		.expect("commit");
	assert_eq!(info.pays_fee, Pays::No);
	id
}

fn batch(id: BatchId) -> crate::pallet::BatchOf<Test> {
	Batches::<Test>::get(id).expect("batch")
}

/// Advances to the next BABE epoch, where the batch is sampled.
fn next_babe_epoch() {
	let now = System::block_number();
	advance_to((now / BABE_EPOCH + 1) * BABE_EPOCH);
}

fn position_of(id: BatchId, rechecker: SlotId) -> u32 {
	batch(id).rechecks.iter().position(|a| a.rechecker == rechecker).expect("assigned") as u32
}

/// A verdict for `rechecker`'s share of the batch, failing `failing` of its samples.
fn verdict(id: BatchId, rechecker: SlotId, failing: &[u32]) -> Verdict {
	let b = batch(id);
	let checked = samples_of(b.samples, b.positions(), position_of(id, rechecker));
	Verdict {
		checked,
		failures: BoundedVec::truncate_from(
			failing
				.iter()
				.map(|&sample| Failure { sample, kind: FailureKind::WrongOutput })
				.collect(),
		),
	}
}

fn salt(rechecker: SlotId) -> [u8; 32] {
	[rechecker as u8 + 7; 32]
}

fn commit_verdict(id: BatchId, rechecker: SlotId, v: &Verdict) {
	let hash = verdict_hash(v, &salt(rechecker), rechecker, id);
	let info = Work::commit_verdict(origin(rechecker), rechecker, id, hash).expect("commit");
	assert_eq!(info.pays_fee, Pays::No);
}

fn reveal(id: BatchId, rechecker: SlotId, v: Verdict) {
	let info =
		Work::reveal_verdict(origin(rechecker), rechecker, id, v, salt(rechecker)).expect("reveal");
	assert_eq!(info.pays_fee, Pays::No);
}

fn recheckers(id: BatchId) -> Vec<SlotId> {
	batch(id).rechecks.iter().map(|a| a.rechecker).collect()
}

/// Every re-checker commits and reveals a clean verdict.
fn pass_all(id: BatchId) {
	let all = recheckers(id);
	let verdicts: Vec<_> = all.iter().map(|&r| (r, verdict(id, r, &[]))).collect();
	for (r, v) in &verdicts {
		commit_verdict(id, *r, v);
	}
	for (r, v) in verdicts {
		reveal(id, r, v);
	}
}

#[test]
fn commit_batch_records_a_batch_awaiting_its_seed() {
	run(|| {
		network();
		let id = commit(0, 7, 1 << 20, 5_000);
		let b = batch(id);
		assert_eq!(b.status, BatchStatus::AwaitingSeed);
		assert_eq!((b.slot, b.batch_number, b.leaf_count), (0, 7, 1 << 20));
		assert_eq!(b.root.sum, 5_000, "the committed total is the root's sum");
		assert_eq!((b.epoch, b.committed_at), (0, 1));
		assert!(BatchesByEpoch::<Test>::contains_key(0, id));
		assert!(Timers::<Test>::contains_key(BABE_EPOCH, id), "sampled at the next BABE epoch");
		let ledger = SlotLedgers::<Test>::get(0).unwrap();
		assert_eq!(
			(ledger.committed, ledger.commits_in_epoch, ledger.last_batch_number),
			(1, 1, Some(7))
		);
		System::assert_last_event(
			Event::BatchCommitted {
				batch: id,
				slot: 0,
				batch_number: 7,
				leaf_count: 1 << 20,
				total_work: 5_000,
			}
			.into(),
		);
	});
}

#[test]
fn commit_batch_refusals() {
	run(|| {
		network();
		add_pending_slot(9, 9);
		let call = |who: AccountId, slot: SlotId, number: u64, leaves: u32, work: u64| {
			Work::commit_batch(RuntimeOrigin::signed(who), slot, number, [1; 32], leaves, work)
		};
		assert_noop!(call(hotkey(0), 42, 1, 1, 1), Error::<Test>::UnknownSlot);
		assert_noop!(call(hotkey(1), 0, 1, 1, 1), Error::<Test>::NotHotkey);
		assert_noop!(call(1, 0, 1, 1, 1), Error::<Test>::NotHotkey);
		assert_noop!(call(hotkey(9), 9, 1, 1, 1), Error::<Test>::SlotNotActive);
		assert_noop!(call(hotkey(0), 0, 1, 0, 1), Error::<Test>::BadLeafCount);
		assert_noop!(call(hotkey(0), 0, 1, (1 << 20) + 1, 1), Error::<Test>::BadLeafCount);
		assert_noop!(call(hotkey(0), 0, 1, 1, 0), Error::<Test>::NoWork);
		assert_noop!(
			Work::commit_batch(RuntimeOrigin::none(), 0, 1, [1; 32], 1, 1),
			DispatchError::BadOrigin
		);
		commit(0, 5, 4, 10);
		assert_noop!(call(hotkey(0), 0, 5, 4, 10), Error::<Test>::BatchNumberNotNew);
		assert_noop!(call(hotkey(0), 0, 4, 4, 10), Error::<Test>::BatchNumberNotNew);
		for n in 6..10 {
			commit(0, n, 4, 10);
		}
		assert_noop!(call(hotkey(0), 0, 10, 4, 10), Error::<Test>::TooManyCommits);
		// A new epoch, a new allowance.
		advance_to(EPOCH);
		assert_ok!(call(hotkey(0), 0, 10, 4, 10));
		assert_eq!(SlotLedgers::<Test>::get(0).unwrap().commits_in_epoch, 1);
	});
}

#[test]
fn commit_weight_does_not_depend_on_the_leaf_count() {
	use frame_support::dispatch::GetDispatchInfo;
	let weight = |leaves: u32| {
		crate::Call::<Test>::commit_batch {
			slot: 0,
			batch_number: 0,
			root: [0; 32],
			leaf_count: leaves,
			total_work: 1,
		}
		.get_dispatch_info()
		.call_weight
	};
	assert_eq!(weight(1), weight(1 << 20));
}

/// Closing a slot may give up `max_open_assignments` assignments, each with a fresh draw of
/// `max_draw_tries` tries: `deregister` declares that, and it follows the parameters.
#[test]
fn closing_a_slot_weighs_its_open_assignments_at_their_worst() {
	use aetron_primitives::traits::OnSlotChange;
	run(|| {
		let weight = |open: u32, tries: u32| {
			Params::<Test>::mutate(|p| {
				p.max_open_assignments = open;
				p.max_draw_tries = tries;
			});
			<Work as OnSlotChange>::slot_closed_weight()
		};
		let (few, many, more_tries) = (weight(1, 8), weight(128, 8), weight(128, 64));
		assert!(few.ref_time() < many.ref_time(), "{few:?} {many:?}");
		assert!(many.ref_time() < more_tries.ref_time(), "{many:?} {more_tries:?}");
	});
}

#[test]
fn a_batch_is_sampled_only_with_randomness_from_after_its_commit() {
	run(|| {
		network();
		advance_to(BABE_EPOCH + 3);
		let id = commit(0, 1, 100, 1_000);
		// The randomness known now (from block 10) predates the commit: no sampling yet.
		advance_to(2 * BABE_EPOCH - 1);
		assert_eq!(batch(id).status, BatchStatus::AwaitingSeed);
		advance_to(2 * BABE_EPOCH);
		let b = batch(id);
		assert_eq!(b.status, BatchStatus::Rechecking);
		// The seed is reproducible from the randomness and the batch id.
		let (random, known_since) = MockRandomness::random(SEED_SUBJECT);
		assert_eq!(known_since, 2 * BABE_EPOCH);
		assert_eq!(b.seed, Some(batch_seed(random.as_ref(), id)));
		// Reputation 10 %: p = 3 % + 22 % × 0.9 = 22.8 % of 100 leaves, rounded up.
		assert_eq!(b.samples, 23);
		assert_eq!(b.positions(), 2, "two re-checkers while the miner's reputation is below 0.5");
		let all = recheckers(id);
		assert!(all.iter().all(|r| [1, 2, 3].contains(r)));
		assert_ne!(all[0], all[1], "distinct re-checkers");
		for a in b.rechecks.iter() {
			assert_eq!(a.commit_deadline, 2 * BABE_EPOCH + 3);
			assert_eq!(a.reveal_deadline, 2 * BABE_EPOCH + 6);
			assert!(AssignmentsOf::<Test>::contains_key(a.rechecker, id));
		}
		System::assert_has_event(
			Event::BatchSampled {
				batch: id,
				samples: 23,
				recheckers: BoundedVec::truncate_from(all.clone()),
			}
			.into(),
		);
	});
}

#[test]
fn recheckers_never_share_the_miners_coldkey_and_are_not_on_probation() {
	run(|| {
		// The miner's coldkey 1 holds slots 0, 1 and 2; others hold 3 and 4; 5 is on probation.
		add_slot(0, 1, 10);
		add_slot(1, 1, 90);
		add_slot(2, 1, 90);
		add_slot(3, 2, 40);
		add_slot(4, 3, 40);
		add_slot(5, 4, 90);
		set_probation(5, true);
		let mut ids = vec![];
		for n in 0..5 {
			ids.push(commit(0, n, 50, 100));
		}
		advance_to(EPOCH - 1);
		for n in 0..5 {
			ids.push(commit(1, n, 50, 100));
		}
		advance_to(2 * EPOCH);
		for id in ids {
			for r in recheckers(id) {
				assert!([3, 4].contains(&r), "batch {id}: re-checker {r}");
			}
		}
	});
}

#[test]
fn a_batch_without_an_eligible_rechecker_waits_and_is_tried_again() {
	run(|| {
		add_slot(0, 1, 10);
		add_slot(1, 1, 90);
		let id = commit(0, 1, 10, 100);
		next_babe_epoch();
		assert_eq!(batch(id).status, BatchStatus::AwaitingSeed);
		System::assert_has_event(Event::BatchWaiting { batch: id }.into());
		let retry = System::block_number() + 4;
		assert!(Timers::<Test>::contains_key(retry, id));
		add_slot(2, 2, 5);
		advance_to(retry);
		assert_eq!(batch(id).status, BatchStatus::Rechecking);
		// Below the re-check threshold, but the most reputable slot drawn of another coldkey.
		assert_eq!(recheckers(id), vec![2]);
	});
}

#[test]
fn a_clean_batch_is_confirmed_and_pays_miner_and_recheckers() {
	run(|| {
		network();
		let id = commit(0, 1, 100, 1_000);
		next_babe_epoch();
		let all = recheckers(id);
		assert_eq!(all.len(), 2);
		pass_all(id);
		let b = batch(id);
		assert_eq!(b.status, BatchStatus::Confirmed);
		assert_eq!(Work::epoch_work(0, 0).served, 1_000);
		// Each re-checker earns the average leaf's work for each of its samples.
		for (position, r) in all.iter().enumerate() {
			let samples = u64::from(samples_of(b.samples, 2, position as u32));
			assert_eq!(Work::epoch_work(*r, 0).rechecked, 1_000 * samples / 100);
			let ledger = SlotLedgers::<Test>::get(r).unwrap();
			assert_eq!(
				(ledger.rechecks_done, ledger.rechecks_passed, ledger.open_assignments),
				(1, 1, 0)
			);
		}
		assert_eq!(passed(), vec![0], "the miner's reputation gains once");
		assert_eq!(confirmed().first(), Some(&(0, 0, 1_000)));
		assert_eq!(SlotLedgers::<Test>::get(0).unwrap().confirmed, 1);
		System::assert_has_event(
			Event::BatchConfirmed { batch: id, slot: 0, epoch: 0, work: 1_000 }.into(),
		);
	});
}

#[test]
fn verdict_refusals() {
	run(|| {
		network();
		let id = commit(0, 1, 100, 1_000);
		assert_noop!(Work::commit_verdict(origin(1), 1, id, [0; 32]), Error::<Test>::NotRechecking);
		next_babe_epoch();
		let all = recheckers(id);
		let (r, other) = (all[0], all[1]);
		let stranger = [1, 2, 3].into_iter().find(|s| !all.contains(s)).unwrap();
		let v = verdict(id, r, &[]);
		let hash = verdict_hash(&v, &salt(r), r, id);
		assert_noop!(Work::commit_verdict(origin(r), r, 99, hash), Error::<Test>::UnknownBatch);
		assert_noop!(
			Work::commit_verdict(origin(stranger), stranger, id, hash),
			Error::<Test>::NotAssigned
		);
		assert_noop!(Work::commit_verdict(origin(other), r, id, hash), Error::<Test>::NotHotkey);
		assert_noop!(Work::commit_verdict(origin(0), 0, id, hash), Error::<Test>::NotAssigned);
		assert_noop!(
			Work::reveal_verdict(origin(r), r, id, v.clone(), salt(r)),
			Error::<Test>::NotCommitted
		);
		commit_verdict(id, r, &v);
		assert_noop!(Work::commit_verdict(origin(r), r, id, hash), Error::<Test>::AlreadyCommitted);
		// The other has not committed and the commit deadline has not passed.
		assert_noop!(
			Work::reveal_verdict(origin(r), r, id, v.clone(), salt(r)),
			Error::<Test>::RevealNotOpen
		);
		let deadline = batch(id).rechecks[0].commit_deadline;
		advance_to(deadline + 1);
		let late = verdict(id, other, &[]);
		assert_noop!(
			Work::commit_verdict(
				origin(other),
				other,
				id,
				verdict_hash(&late, &salt(other), other, id)
			),
			Error::<Test>::CommitClosed
		);
		assert_noop!(
			Work::reveal_verdict(origin(r), r, id, v.clone(), [0; 32]),
			Error::<Test>::HashMismatch
		);
		// Another re-checker's commitment does not open for this one (the slot is hashed in).
		let wrong_checked = Verdict { checked: v.checked + 1, failures: v.failures.clone() };
		let p = position_of(id, r);
		let samples = batch(id).samples;
		let foreign = (0..samples).find(|s| s % 2 != p).unwrap();
		let not_mine = Verdict {
			checked: v.checked,
			failures: BoundedVec::truncate_from(vec![Failure {
				sample: foreign,
				kind: FailureKind::BadProof,
			}]),
		};
		let mine: Vec<u32> = (0..samples).filter(|s| s % 2 == p).take(2).collect();
		let unordered = Verdict {
			checked: v.checked,
			failures: BoundedVec::truncate_from(vec![
				Failure { sample: mine[1], kind: FailureKind::BadProof },
				Failure { sample: mine[0], kind: FailureKind::BadProof },
			]),
		};
		let beyond = Verdict {
			checked: v.checked,
			failures: BoundedVec::truncate_from(vec![Failure {
				sample: samples + p,
				kind: FailureKind::BadProof,
			}]),
		};
		for (bad, error) in [
			(wrong_checked, Error::<Test>::WrongChecked),
			(not_mine, Error::<Test>::FailureNotAssigned),
			(unordered, Error::<Test>::FailuresUnordered),
			(beyond, Error::<Test>::FailureNotAssigned),
		] {
			// Each as if it had been committed: replace the commitment, then reveal.
			Batches::<Test>::mutate(id, |b| {
				b.as_mut().unwrap().rechecks[p as usize].state =
					AssignmentState::Committed(verdict_hash(&bad, &salt(r), r, id))
			});
			assert_noop!(Work::reveal_verdict(origin(r), r, id, bad, salt(r)), error);
		}
		Batches::<Test>::mutate(id, |b| {
			b.as_mut().unwrap().rechecks[p as usize].state = AssignmentState::Committed(hash)
		});
		reveal(id, r, v.clone());
		assert_noop!(
			Work::reveal_verdict(origin(r), r, id, v.clone(), salt(r)),
			Error::<Test>::AlreadyRevealed
		);
		// Past the reveal deadline.
		let id2 = commit(0, 2, 100, 1_000);
		next_babe_epoch();
		let r2 = recheckers(id2)[0];
		let v2 = verdict(id2, r2, &[]);
		commit_verdict(id2, r2, &v2);
		advance_to(batch(id2).rechecks[0].reveal_deadline);
		let b = batch(id2);
		System::set_block_number(b.rechecks[0].reveal_deadline + 1);
		assert_noop!(
			Work::reveal_verdict(origin(r2), r2, id2, v2, salt(r2)),
			Error::<Test>::RevealClosed
		);
	});
}

#[test]
fn a_failure_disputes_the_batch_with_the_leaf_it_names() {
	run(|| {
		network();
		let id = commit(0, 1, 100, 1_000);
		next_babe_epoch();
		let all = recheckers(id);
		let r = all[0];
		let p = position_of(id, r);
		let sample = p; // the first sample of position p
		let failing = verdict(id, r, &[sample]);
		commit_verdict(id, r, &failing);
		let clean = verdict(id, all[1], &[]);
		commit_verdict(id, all[1], &clean);
		reveal(id, r, failing);
		let b = batch(id);
		assert_eq!(b.status, BatchStatus::Disputed);
		let leaf_index = sample_leaf(&b.seed.unwrap(), sample, 100);
		assert_eq!(
			disputes(),
			vec![aetron_primitives::traits::DisputeRequest {
				batch: id,
				epoch: 0,
				neuronet: NET,
				batch_number: 1,
				root: b.root,
				leaf_count: 100,
				sample,
				leaf_index,
				kind: FailureKind::WrongOutput,
				miner: 0,
				challenger: r,
			}]
		);
		System::assert_has_event(
			Event::FailureReported {
				batch: id,
				rechecker: r,
				sample,
				leaf_index,
				kind: FailureKind::WrongOutput,
				dispute: Some(0),
			}
			.into(),
		);
		// The other reveal does not confirm a disputed batch.
		reveal(id, all[1], clean);
		assert_eq!(batch(id).status, BatchStatus::Disputed);
		assert_eq!(Work::epoch_work(0, 0).served, 0);
		assert_eq!(SlotLedgers::<Test>::get(0).unwrap().disputed, 1);
		// Arbitration clears the miner: confirmed with all its work; the challenger earns nothing.
		Work::resolve(id, DisputeOutcome::MinerHonest);
		assert_eq!(batch(id).status, BatchStatus::Confirmed);
		assert_eq!(Work::epoch_work(0, 0).served, 1_000);
		assert_eq!(Work::epoch_work(r, 0).rechecked, 0);
		assert!(Work::epoch_work(all[1], 0).rechecked > 0);
	});
}

#[test]
fn only_the_first_failure_is_disputed_and_an_unbacked_one_counts_as_missed() {
	run(|| {
		network();
		add_slot(4, 5, 50);
		add_slot(5, 6, 50);
		let id = commit(0, 1, 100, 1_000);
		next_babe_epoch();
		let r = recheckers(id)[0];
		let p = position_of(id, r);
		let k = batch(id).positions();
		let failing = verdict(id, r, &[p, p + k]);
		commit_verdict(id, r, &failing);
		set_dispute_refusal(Some(DisputeRefused::BondUnpaid));
		advance_to(batch(id).rechecks[p as usize].commit_deadline + 1);
		reveal(id, r, failing);
		// Both failures are reported; only the first is put to arbitration.
		assert_eq!(disputes().len(), 1);
		assert_eq!(disputes()[0].sample, p);
		let reported = System::events()
			.iter()
			.filter(|e| matches!(e.event, RuntimeEvent::Work(Event::FailureReported { .. })))
			.count();
		assert_eq!(reported, 2);
		System::assert_has_event(
			Event::DisputeRefused { batch: id, rechecker: r, reason: DisputeRefused::BondUnpaid }
				.into(),
		);
		// Unbacked: the batch is still being re-checked, the re-check is missed and the
		// position goes to a fresh draw.
		let b = batch(id);
		assert_eq!(b.status, BatchStatus::Rechecking);
		assert_eq!(Work::epoch_work(r, 0).missed_rechecks, 1);
		assert_eq!(missed(), vec![(r, 0)]);
		let a = b.rechecks[p as usize];
		assert_ne!(a.rechecker, r);
		assert_eq!((a.round, a.state), (1, AssignmentState::Waiting));
		assert_eq!(SlotLedgers::<Test>::get(0).unwrap().disputed, 0);
	});
}

#[test]
fn arbitration_outcomes() {
	run(|| {
		network();
		set_dispute_refusal(Some(DisputeRefused::NoArbitration));
		let mut ids = vec![];
		for n in 0..3 {
			ids.push(commit(0, n, 10, 300));
		}
		next_babe_epoch();
		let mut verdicts = vec![];
		for &id in &ids {
			let r = recheckers(id)[0];
			let p = position_of(id, r);
			let v = verdict(id, r, &[p]);
			commit_verdict(id, r, &v);
			verdicts.push((id, r, v));
		}
		advance_to(batch(ids[0]).rechecks[0].commit_deadline + 1);
		for (id, r, v) in verdicts {
			reveal(id, r, v);
			assert_eq!(batch(id).status, BatchStatus::Disputed);
		}
		System::assert_has_event(
			Event::FailureReported {
				batch: ids[0],
				rechecker: recheckers(ids[0])[0],
				sample: position_of(ids[0], recheckers(ids[0])[0]),
				leaf_index: sample_leaf(
					&batch(ids[0]).seed.unwrap(),
					position_of(ids[0], recheckers(ids[0])[0]),
					10,
				),
				kind: FailureKind::WrongOutput,
				dispute: None,
			}
			.into(),
		);
		System::assert_has_event(
			Event::DisputeRefused {
				batch: ids[0],
				rechecker: recheckers(ids[0])[0],
				reason: DisputeRefused::NoArbitration,
			}
			.into(),
		);
		Work::resolve(ids[0], DisputeOutcome::MinerGuilty);
		assert_eq!(batch(ids[0]).status, BatchStatus::Rejected);
		Work::resolve(ids[1], DisputeOutcome::NoFault { excluded: 40 });
		assert_eq!(batch(ids[1]).status, BatchStatus::Confirmed);
		assert_eq!(Work::epoch_work(0, 0).served, 260);
		// A resolution after the epoch closed counts nothing.
		advance_to(3 * EPOCH);
		Work::resolve(ids[2], DisputeOutcome::MinerHonest);
		assert!(Batches::<Test>::get(ids[2]).map_or(true, |b| b.status != BatchStatus::Confirmed));
		assert_eq!(Work::epoch_work(0, 0).served, 260);
		// Resolving something that is not disputed changes nothing.
		Work::resolve(ids[1], DisputeOutcome::MinerGuilty);
	});
}

#[test]
fn a_missed_deadline_is_recorded_and_the_position_reassigned() {
	run(|| {
		network();
		add_slot(4, 5, 50);
		add_slot(5, 6, 50);
		let id = commit(0, 1, 100, 1_000);
		next_babe_epoch();
		let all = recheckers(id);
		let (absent, present) = (all[0], all[1]);
		let v = verdict(id, present, &[]);
		commit_verdict(id, present, &v);
		let deadline = batch(id).rechecks[0].reveal_deadline;
		advance_to(deadline);
		reveal(id, present, v);
		assert_eq!(batch(id).status, BatchStatus::Rechecking);
		advance_to(deadline + 1);
		assert_eq!(Work::epoch_work(absent, 0).missed_rechecks, 1);
		assert_eq!(missed(), vec![(absent, 0)]);
		assert_eq!(SlotLedgers::<Test>::get(absent).unwrap().rechecks_missed, 1);
		let b = batch(id);
		let replacement = b.rechecks[position_of(id, present) as usize ^ 1];
		assert!(![0, absent, present].contains(&replacement.rechecker));
		assert_eq!(replacement.round, 1);
		assert_eq!(replacement.reveal_deadline, deadline + 1 + 6);
		System::assert_has_event(
			Event::RecheckReassigned { batch: id, from: absent, to: replacement.rechecker }.into(),
		);
		// The newcomer checks the same share and the batch is confirmed.
		let v = verdict(id, replacement.rechecker, &[]);
		commit_verdict(id, replacement.rechecker, &v);
		advance_to(replacement.commit_deadline + 1);
		reveal(id, replacement.rechecker, v);
		assert_eq!(batch(id).status, BatchStatus::Confirmed);
		assert_eq!(Work::epoch_work(0, 0).served, 1_000, "the miner does not suffer");
	});
}

#[test]
fn reassignments_are_bounded_and_an_unchecked_batch_expires() {
	run(|| {
		network();
		let mut params = test_params();
		params.max_reassignments = 1;
		Params::<Test>::put(params);
		set_reputation(0, 90); // one re-checker
		let id = commit(0, 1, 10, 100);
		next_babe_epoch();
		assert_eq!(batch(id).positions(), 1);
		let first = recheckers(id)[0];
		advance_to(batch(id).rechecks[0].reveal_deadline + 1);
		let second = recheckers(id)[0];
		assert_ne!(first, second);
		advance_to(batch(id).rechecks[0].reveal_deadline + 1);
		let b = batch(id);
		assert_eq!(b.rechecks[0].state, AssignmentState::Missed);
		assert_eq!(b.status, BatchStatus::Expired, "nobody re-checked it");
		assert_eq!(missed(), vec![(first, 0), (second, 0)]);
		assert_eq!(Work::epoch_work(0, 0).served, 0);
	});
}

#[test]
fn a_closing_recheckers_positions_go_to_others_without_blame() {
	run(|| {
		network();
		add_slot(4, 5, 50);
		let id = commit(0, 1, 100, 1_000);
		next_babe_epoch();
		let gone = recheckers(id)[0];
		remove_slot(gone);
		assert!(!recheckers(id).contains(&gone));
		assert!(missed().is_empty());
		assert_eq!(AssignmentsOf::<Test>::iter_prefix(gone).count(), 0);
		pass_all(id);
		assert_eq!(batch(id).status, BatchStatus::Confirmed);
	});
}

#[test]
fn probation_samples_every_leaf_up_to_the_bound() {
	run(|| {
		network();
		set_probation(0, true);
		let small = commit(0, 1, 20, 100);
		let big = commit(0, 2, 1_000, 100);
		next_babe_epoch();
		assert_eq!(batch(small).samples, 20);
		assert_eq!(batch(big).samples, 64, "max_samples_per_batch");
		// 64 samples, 32 a re-checker at most: two positions.
		assert_eq!(batch(big).positions(), 2);
	});
}

#[test]
fn epochs_close_expire_and_prune() {
	run(|| {
		network();
		let confirmed_id = commit(0, 1, 10, 100);
		let stale = commit(0, 2, 10, 100);
		next_babe_epoch();
		pass_all(confirmed_id);
		assert!(!Work::epoch_closed(0));
		// Nobody re-checks `stale`; when epoch 0 closes (3 epochs later) it expires.
		let mut params = test_params();
		params.max_reassignments = 8;
		params.commit_window = 30;
		params.reveal_window = 30;
		Params::<Test>::put(params);
		advance_to(3 * EPOCH - 1);
		assert!(!Work::epoch_closed(0));
		advance_to(3 * EPOCH);
		assert!(Work::epoch_closed(0));
		// Closed epochs' batches are pruned at once (bounded per block); their ledger stays
		// for `history_epochs` more.
		assert!(Batches::<Test>::get(stale).is_none());
		assert!(Batches::<Test>::get(confirmed_id).is_none());
		assert_eq!(BatchesByEpoch::<Test>::iter_prefix(0).count(), 0);
		assert_eq!(Work::epoch_work(0, 0).served, 100);
		advance_to(5 * EPOCH);
		assert_eq!(Work::epoch_work(0, 0).served, 0, "pruned after its history");
		assert_eq!(AssignmentsOf::<Test>::iter().count(), 0);
	});
}

#[test]
fn set_params_is_for_governance_within_bounds() {
	run(|| {
		let mut params = WorkParams::default();
		params.max_commits_per_epoch = 7;
		assert_noop!(Work::set_params(RuntimeOrigin::signed(1), params), DispatchError::BadOrigin);
		assert_ok!(Work::set_params(RuntimeOrigin::root(), params));
		assert_eq!(Params::<Test>::get(), params);
		System::assert_last_event(Event::ParamsSet { params }.into());
		let bad: Vec<fn(&mut WorkParams)> = vec![
			|p| p.max_commits_per_epoch = 0,
			|p| p.max_samples_per_rechecker = 257,
			|p| p.max_samples_per_batch = 0,
			|p| {
				p.max_samples_per_rechecker = 2;
				p.max_samples_per_batch = 33;
			},
			|p| p.max_draw_tries = 0,
			|p| p.max_reassignments = 9,
			|p| p.commit_window = 0,
			|p| p.reveal_window = 10_001,
			|p| p.settlement_epochs = 1,
			|p| p.history_epochs = 0,
			|p| p.max_open_assignments = 0,
			|p| p.max_timers_per_block = 0,
			|p| p.max_prunes_per_block = 2_000,
			// Each within its bounds, but a slot holding that many assignments could not
			// deregister within half a block.
			|p| {
				p.max_open_assignments = 1_024;
				p.max_draw_tries = 64;
			},
		];
		for change in bad {
			let mut p = params;
			change(&mut p);
			assert_noop!(
				Work::set_params(RuntimeOrigin::root(), p),
				Error::<Test>::ParamOutOfBounds
			);
		}
	});
}

#[test]
fn the_active_index_follows_slots_in_and_out() {
	run(|| {
		for s in 0..6 {
			add_slot(s, s + 1, 50);
		}
		assert_eq!(ActiveCount::<Test>::get(NET), 6);
		remove_slot(0);
		remove_slot(3);
		assert_eq!(ActiveCount::<Test>::get(NET), 4);
		let mut indexed: Vec<_> =
			(0..4).map(|i| ActiveSlots::<Test>::get(NET, i).unwrap()).collect();
		indexed.sort();
		assert_eq!(indexed, vec![1, 2, 4, 5]);
		add_pending_slot(9, 9);
		assert_eq!(ActiveCount::<Test>::get(NET), 4, "pending slots are not drawn");
	});
}

#[test]
fn runtime_api_lists_a_recheckers_assignments_with_their_leaves() {
	run(|| {
		network();
		let id = commit(0, 4, 100, 1_000);
		next_babe_epoch();
		let r = recheckers(id)[0];
		let details = Work::assignments_of(r, |slot| format!("http://miner-{slot}").into_bytes());
		assert_eq!(details.len(), 1);
		let d = &details[0];
		assert_eq!(
			(d.batch, d.miner, d.batch_number, d.leaf_count, d.total_work),
			(id, 0, 4, 100, 1_000)
		);
		assert_eq!(d.endpoint, b"http://miner-0".to_vec());
		let b = batch(id);
		let p = position_of(id, r);
		assert_eq!(d.samples.len() as u32, samples_of(b.samples, 2, p));
		for &(sample, leaf) in &d.samples {
			assert_eq!(sample % 2, p);
			assert_eq!(leaf, sample_leaf(&b.seed.unwrap(), sample, 100));
		}
		assert_eq!(Work::batch_details(id).unwrap().batch, b);
	});
}

mod random_sequences {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Op {
		Commit { slot: u8, leaves: u32 },
		Advance(u8),
		CommitVerdict { pick: u8, fail: bool },
		Reveal { pick: u8 },
		Close(u8),
		Open(u8),
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			(0u8..6, 1u32..300).prop_map(|(slot, leaves)| Op::Commit { slot, leaves }),
			(1u8..12).prop_map(Op::Advance),
			(any::<u8>(), any::<bool>()).prop_map(|(pick, fail)| Op::CommitVerdict { pick, fail }),
			any::<u8>().prop_map(|pick| Op::Reveal { pick }),
			(0u8..6).prop_map(Op::Close),
			(6u8..9).prop_map(Op::Open),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]
		#[test]
		fn invariants_hold_after_every_step(ops in proptest::collection::vec(op(), 1..60)) {
			new_test_ext().execute_with(|| {
				for s in 0..6u64 {
					add_slot(s, s % 4 + 1, 10 + 15 * s as u32);
				}
				let mut numbers = [0u64; 9];
				let mut pending: Vec<(BatchId, SlotId, Verdict)> = vec![];
				for op in ops {
					match op {
						Op::Commit { slot, leaves } => {
							let slot = u64::from(slot);
							let n = numbers[slot as usize];
							if Work::commit_batch(origin(slot), slot, n, [1; 32], leaves, u64::from(leaves) * 3).is_ok() {
								numbers[slot as usize] += 1;
							}
						},
						Op::Advance(n) => advance_to(System::block_number() + u64::from(n)),
						Op::CommitVerdict { pick, fail } => {
							let open: Vec<_> = AssignmentsOf::<Test>::iter_keys().collect();
							if let Some(&(r, id)) = open.get(pick as usize % open.len().max(1)) {
								let Some(b) = Batches::<Test>::get(id) else { continue };
								let Some(p) = b.rechecks.iter().position(|a| a.rechecker == r) else { continue };
								let failures = if fail { vec![Failure { sample: p as u32, kind: FailureKind::Unavailable }] } else { vec![] };
								let v = Verdict { checked: samples_of(b.samples, b.positions(), p as u32), failures: BoundedVec::truncate_from(failures) };
								if Work::commit_verdict(origin(r), r, id, verdict_hash(&v, &salt(r), r, id)).is_ok() {
									pending.push((id, r, v));
								}
							}
						},
						Op::Reveal { pick } => {
							if !pending.is_empty() {
								let (id, r, v) = pending.remove(pick as usize % pending.len());
								let _ = Work::reveal_verdict(origin(r), r, id, v, salt(r));
							}
						},
						Op::Close(slot) => {
							if SLOTS.with(|s| s.borrow().contains_key(&u64::from(slot))) {
								remove_slot(u64::from(slot));
							}
						},
						Op::Open(slot) => {
							if !SLOTS.with(|s| s.borrow().contains_key(&u64::from(slot))) {
								add_slot(u64::from(slot), u64::from(slot), 60);
							}
						},
					}
					Work::do_try_state().unwrap();
				}
			});
		}
	}
}
