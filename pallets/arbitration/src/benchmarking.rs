//! Benchmarks of every call and of each kind of work the block hook does, each in its worst
//! case: opening a dispute (the hold), an answer posting `b` bytes of request and response,
//! commits, the reveal that decides a panel of `p` seats, a draw of [`MAX_PANEL`] seats with
//! `t` tries in all, a decision by the votes of `p` seats that all but one missed, an answer
//! deadline passed, pruning a decided dispute and a forfeit entry.

use super::*;
use aetron_primitives::{
	arbitration::{vote_hash, AnswerBody, LeafAnswer, Vote, MAX_PANEL},
	artefact::{ArtefactHeader, ARTEFACT_VERSION},
	merkle::{MerkleSumTree, SumNode},
	traits::EpochClock,
	work::FailureKind,
};
use alloc::{boxed::Box, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{traits::Saturating, Perbill};

const NET: NeuronetId = 0;

fn blake2(data: &[u8]) -> [u8; 32] {
	<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(data).0
}

fn slot<T: Config>(name: &'static str, index: u32, reputation: u32) -> (SlotId, T::AccountId) {
	let coldkey: T::AccountId = account(name, index, 0);
	let hotkey: T::AccountId = account(name, index, 1);
	let slot = T::BenchmarkHelper::active_slot(
		NET,
		coldkey.clone(),
		hotkey.clone(),
		Perbill::from_percent(reputation),
	);
	// Enough for bonds (the treasury too, which receives them).
	let plenty = T::Currency::minimum_balance()
		.saturating_mul(1_000u32.into())
		.saturating_add(Params::<T>::get().challenger_bond.saturating_mul(10u32.into()));
	T::Currency::set_balance(&coldkey, plenty);
	T::Currency::set_balance(&T::Treasury::get(), plenty);
	(slot, hotkey)
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

/// The dispute request over leaf 0 of a batch of `root` by `miner`, challenged by
/// `challenger`.
fn request(miner: SlotId, challenger: SlotId, root: SumNode, kind: FailureKind) -> DisputeRequest {
	DisputeRequest {
		batch: 1,
		epoch: T0,
		neuronet: NET,
		batch_number: 0,
		root,
		leaf_count: 2,
		sample: 0,
		leaf_index: 0,
		kind,
		miner,
		challenger,
	}
}

const T0: EpochIndex = 0;

/// A dispute opened through the hook, with the miner's hotkey.
fn disputed<T: Config>(kind: FailureKind, root: SumNode) -> (DisputeId, T::AccountId) {
	let (miner, miner_hotkey) = slot::<T>("miner", 0, 10);
	let (challenger, _) = slot::<T>("challenger", 0, 50);
	let id = Pallet::<T>::open(request(miner, challenger, root, kind)).expect("opened");
	(id, miner_hotkey)
}

/// A voting dispute with `p` fresh arbiters, each committed to `vote(seat)`, written straight
/// to storage. Returns the dispute and the arbiters with their hotkeys.
fn voting<T: Config>(
	p: u32,
	vote: impl Fn(u32) -> Vote,
) -> (DisputeId, Vec<(SlotId, T::AccountId)>) {
	let (id, _) = disputed::<T>(FailureKind::WrongOutput, SumNode { hash: [1; 32], sum: 100 });
	let arbiters: Vec<_> = (0..p).map(|i| slot::<T>("arbiter", i, 70)).collect();
	let mut d = Disputes::<T>::get(id).expect("dispute");
	d.panel = BoundedVec::truncate_from(
		arbiters
			.iter()
			.enumerate()
			.map(|(seat, (a, _))| Seat {
				slot: *a,
				vote: VoteState::Committed(vote_hash(
					&vote(seat as u32),
					&[seat as u8; 32],
					*a,
					id,
				)),
			})
			.collect(),
	);
	let commit_deadline = now::<T>();
	let reveal_deadline = commit_deadline.saturating_add(10u32.into());
	d.phase = Phase::Voting { commit_deadline, reveal_deadline };
	for (a, _) in &arbiters {
		OpenSeats::<T>::insert(a, id, ());
		OpenSeatCount::<T>::mutate(a, |c| *c = c.saturating_add(1));
		Parties::<T>::insert(a, id, Role::Arbiter);
	}
	Disputes::<T>::insert(id, d);
	(id, arbiters)
}

/// Points the hook at `id`'s timer, now.
fn due_now<T: Config>(id: DisputeId) {
	Disputes::<T>::mutate(id, |d| {
		if let Some(d) = d {
			Timers::<T>::remove(d.timer, id);
			d.timer = now::<T>();
		}
	});
	Timers::<T>::insert(now::<T>(), id, ());
	TimerCursor::<T>::put(now::<T>());
	ForfeitPruneCursor::<T>::put(T::EpochClock::current_epoch());
}

/// A two-leaf batch by the benchmark's miner slot whose leaf 0 carries `b` bytes of request
/// and response, and the answer for it.
fn answer_of_size(miner: SlotId, b: u32) -> (LeafAnswer, SumNode) {
	let half = (b / 2) as usize;
	let request: AnswerBody = BoundedVec::truncate_from(vec![7u8; half]);
	let response: AnswerBody =
		BoundedVec::truncate_from(vec![9u8; (b as usize).saturating_sub(half)]);
	let header = |i: u8| ArtefactHeader {
		version: ARTEFACT_VERSION,
		neuronet: NET,
		slot: miner,
		batch: 0,
		request_id: [i; 16],
		client_signature_hash: blake2(&[i; 64]),
		input_hash: blake2(&request),
		output_hash: blake2(&response),
		input_units: 1,
		output_units: 1,
		work_units: 10,
		seed: 0,
		fingerprint: BoundedVec::truncate_from(vec![i; 1024]),
	};
	let tree =
		MerkleSumTree::from_leaves(vec![header(0).leaf(0), header(1).leaf(1)]).expect("tree");
	let answer = LeafAnswer {
		artefact: header(0),
		request,
		response,
		client: Some(([1; 32], [0; 64])),
		proof: BoundedVec::truncate_from(tree.proof(0).expect("proof")),
	};
	(answer, tree.root())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The dispute hook: both slots read, the bond held, the dispute and its indexes written.
	#[benchmark]
	fn open_dispute() {
		let (miner, _) = slot::<T>("miner", 0, 10);
		let (challenger, _) = slot::<T>("challenger", 0, 50);
		let r = request(
			miner,
			challenger,
			SumNode { hash: [1; 32], sum: 100 },
			FailureKind::WrongOutput,
		);
		#[block]
		{
			Pallet::<T>::open(r).expect("opened");
		}
		assert!(Disputes::<T>::contains_key(0));
	}

	/// An answer posting `b` bytes of request and response (hashed on-chain), with a full
	/// fingerprint.
	#[benchmark]
	fn answer(b: Linear<2, { bounds::MAX_ANSWER_BYTES }>) {
		Params::<T>::mutate(|p| p.max_answer_bytes = bounds::MAX_ANSWER_BYTES);
		let (miner, miner_hotkey) = slot::<T>("miner", 0, 10);
		let (challenger, _) = slot::<T>("challenger", 0, 50);
		let (leaf, root) = answer_of_size(miner, b);
		let id = Pallet::<T>::open(request(miner, challenger, root, FailureKind::Unavailable))
			.expect("opened");
		#[extrinsic_call]
		_(RawOrigin::Signed(miner_hotkey), id, Box::new(leaf));
		assert!(Answers::<T>::contains_key(id));
	}

	#[benchmark]
	fn commit_vote() {
		let (id, arbiters) =
			voting::<T>(MAX_PANEL, |_| Vote { miner_honest: true, digest: [0; 32] });
		let (arbiter, hotkey) = arbiters.first().cloned().expect("panel");
		Disputes::<T>::mutate(id, |d| {
			if let Some(d) = d {
				if let Some(s) = d.panel.get_mut(0) {
					s.vote = VoteState::Waiting;
				}
				if let Phase::Voting { commit_deadline, .. } = &mut d.phase {
					*commit_deadline = now::<T>().saturating_add(5u32.into());
				}
			}
		});
		#[extrinsic_call]
		_(RawOrigin::Signed(hotkey), arbiter, id, [3; 32]);
		let d = Disputes::<T>::get(id).expect("dispute");
		assert_eq!(d.panel.first().map(|s| s.vote), Some(VoteState::Committed([3; 32])));
	}

	/// The last reveal of a panel of `p` seats, which decides the dispute: votes alternate, so
	/// the minority is as large as it can be and each of it loses reputation.
	#[benchmark]
	fn reveal_vote(p: Linear<1, MAX_PANEL>) {
		let vote = |seat: u32| Vote { miner_honest: seat % 2 == 0, digest: [0; 32] };
		let (id, arbiters) = voting::<T>(p, vote);
		Disputes::<T>::mutate(id, |d| {
			if let Some(d) = d {
				for (seat, s) in d.panel.iter_mut().enumerate().skip(1) {
					s.vote = VoteState::Revealed(vote(seat as u32));
				}
			}
		});
		let (arbiter, hotkey) = arbiters.first().cloned().expect("panel");
		frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(1u32.into()));
		#[extrinsic_call]
		_(RawOrigin::Signed(hotkey), arbiter, id, vote(0), [0; 32]);
		assert!(Disputes::<T>::get(id).is_some_and(|d| d.is_decided()));
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = ArbitrationParams { panel_size: 5, ..Params::<T>::get() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	/// The hook with nothing to do.
	#[benchmark]
	fn on_initialize_idle() {
		TimerCursor::<T>::put(now::<T>());
		ForfeitPruneCursor::<T>::put(T::EpochClock::current_epoch());
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
	}

	/// An unavailable-data dispute past its answer deadline: the miner loses without a panel.
	#[benchmark]
	fn timer_unanswered() {
		let (id, _) = disputed::<T>(FailureKind::Unavailable, SumNode { hash: [1; 32], sum: 100 });
		due_now::<T>(id);
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
		assert!(Disputes::<T>::get(id).is_some_and(|d| d.is_decided()));
	}

	/// A draw of [`MAX_PANEL`] seats from 64 slots none of which meets the panel threshold, so
	/// each seat uses all `t / MAX_PANEL` tries and takes the most reputable slot drawn.
	#[benchmark]
	fn timer_draw(t: Linear<MAX_PANEL, { MAX_PANEL * bounds::MAX_DRAW_TRIES }>) {
		Params::<T>::mutate(|p| {
			p.panel_size = MAX_PANEL;
			p.max_draw_tries = t / MAX_PANEL;
		});
		let (id, _) = disputed::<T>(FailureKind::WrongOutput, SumNode { hash: [1; 32], sum: 100 });
		for i in 0..64 {
			slot::<T>("candidate", i, 20);
		}
		frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(2u32.into()));
		T::BenchmarkHelper::fresh_randomness();
		due_now::<T>(id);
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
		// With few tries a panel may not fill (and the dispute ends no-fault); either way the
		// draw ran.
		assert!(Disputes::<T>::get(id).is_some_and(|d| !matches!(d.phase, Phase::Drawing { .. })));
	}

	/// A decision by the votes of `p` seats of which only the first revealed (for the miner):
	/// the challenger loses its bond to the treasury and reputation, and every absent arbiter
	/// loses reputation.
	#[benchmark]
	fn timer_decide(p: Linear<1, MAX_PANEL>) {
		let (id, _) = voting::<T>(p, |_| Vote { miner_honest: true, digest: [0; 32] });
		Disputes::<T>::mutate(id, |d| {
			if let Some(d) = d {
				if let Some(s) = d.panel.get_mut(0) {
					s.vote = VoteState::Revealed(Vote { miner_honest: true, digest: [0; 32] });
				}
			}
		});
		due_now::<T>(id);
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
		let d = Disputes::<T>::get(id).expect("dispute");
		assert!(matches!(d.phase, Phase::Decided { ruling: Ruling::ChallengerLost, .. }));
	}

	/// Pruning a decided dispute with a full panel.
	#[benchmark]
	fn timer_prune() {
		let (id, _) = voting::<T>(MAX_PANEL, |_| Vote { miner_honest: true, digest: [0; 32] });
		due_now::<T>(id);
		Pallet::<T>::hook(now::<T>());
		frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(1u32.into()));
		due_now::<T>(id);
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
		assert!(!Disputes::<T>::contains_key(id));
	}

	/// A timer whose dispute is gone.
	#[benchmark]
	fn timer_idle() {
		Timers::<T>::insert(now::<T>(), u64::MAX, ());
		TimerCursor::<T>::put(now::<T>());
		ForfeitPruneCursor::<T>::put(T::EpochClock::current_epoch());
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
	}

	/// Pruning one forfeit past its history.
	#[benchmark]
	fn prune_forfeit() {
		let epoch = T::EpochClock::current_epoch();
		let challenger: T::AccountId = account("challenger", 0, 0);
		Forfeited::<T>::insert(epoch, 1, Forfeit { bounty: Some((challenger, Perbill::one())) });
		let history = Params::<T>::get().forfeit_history_epochs;
		while T::EpochClock::current_epoch() < epoch.saturating_add(history) {
			frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(1u32.into()));
		}
		TimerCursor::<T>::put(now::<T>());
		ForfeitPruneCursor::<T>::put(epoch);
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
		assert!(Forfeited::<T>::get(epoch, 1).is_none());
	}

	/// A closing slot's `s` open seats, each the last seat of a full panel, still to vote:
	/// each is given up and its dispute rewritten.
	#[benchmark]
	fn vacate(s: Linear<0, { bounds::MAX_OPEN_PANELS }>) {
		Params::<T>::mutate(|p| p.max_open_panels = bounds::MAX_OPEN_PANELS);
		let (template, arbiters) =
			voting::<T>(MAX_PANEL, |_| Vote { miner_honest: true, digest: [0; 32] });
		let (leaving, _) = arbiters.last().cloned().expect("panel");
		let dispute = Disputes::<T>::get(template).expect("dispute");
		OpenSeats::<T>::remove(leaving, template);
		OpenSeatCount::<T>::remove(leaving);
		let disputes: Vec<DisputeId> = (0..s)
			.map(|_| {
				let id = NextDisputeId::<T>::get();
				NextDisputeId::<T>::put(id.saturating_add(1));
				Disputes::<T>::insert(id, dispute.clone());
				OpenSeats::<T>::insert(leaving, id, ());
				OpenSeatCount::<T>::mutate(leaving, |c| *c = c.saturating_add(1));
				id
			})
			.collect();
		#[block]
		{
			Pallet::<T>::vacate(leaving);
		}
		for id in disputes {
			let d = Disputes::<T>::get(id).expect("dispute");
			assert!(d
				.panel
				.iter()
				.any(|seat| seat.slot == leaving && seat.vote == VoteState::Left));
		}
		assert_eq!(OpenSeatCount::<T>::get(leaving), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
