//! Benchmarks of every call and of each kind of work the block hook does, each in its worst
//! case: commits at 1 and 2^20 leaves (the component `l`, whose slope should be zero), a reveal
//! with 0 to the maximum failures that settles a batch of 1 to [`MAX_RECHECKERS`] positions, a
//! sampling timer that draws `d` times and fills every position, a deadline timer that
//! reassigns every position, and pruning a batch with every position open.

use super::*;
use aetron_primitives::{
	merkle::MAX_LEAVES,
	traits::EpochClock,
	work::{samples_of, verdict_hash, Failure, FailureKind, MAX_SAMPLES_PER_RECHECKER},
};
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{traits::EnsureOrigin, BoundedVec};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{Perbill, Saturating};

const NET: NeuronetId = 0;

fn slot<T: Config>(name: &'static str, index: u32, reputation: u32) -> (SlotId, T::AccountId) {
	let coldkey: T::AccountId = account(name, index, 0);
	let hotkey: T::AccountId = account(name, index, 1);
	let slot = T::BenchmarkHelper::active_slot(
		NET,
		coldkey,
		hotkey.clone(),
		Perbill::from_percent(reputation),
	);
	(slot, hotkey)
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn advance<T: Config>(blocks: u32) {
	frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(blocks.into()));
}

/// Moves the block number on until the emission epoch is at least `epoch`.
fn to_epoch<T: Config>(epoch: EpochIndex) {
	while T::EpochClock::current_epoch() < epoch {
		advance::<T>(1);
	}
}

/// Room for the largest batches: every position full.
fn wide_params<T: Config>() -> WorkParams {
	let params = WorkParams {
		max_samples_per_batch: bounds::MAX_PER_BATCH,
		max_samples_per_rechecker: MAX_SAMPLES_PER_RECHECKER,
		max_reassignments: bounds::MAX_REASSIGNMENTS,
		max_open_assignments: bounds::MAX_OPEN_ASSIGNMENTS,
		..Params::<T>::get()
	};
	Params::<T>::put(params);
	params
}

/// A batch of a miner with `k` positions held by fresh re-checkers, all waiting, written
/// straight to storage. Returns the batch and the re-checkers with their hotkeys.
fn sampled<T: Config>(k: u32) -> (BatchId, Vec<(SlotId, T::AccountId)>) {
	wide_params::<T>();
	let (miner, _) = slot::<T>("miner", 0, 10);
	let recheckers: Vec<_> = (0..k).map(|i| slot::<T>("rechecker", i, 50)).collect();
	let slots: Vec<SlotId> = recheckers.iter().map(|(slot, _)| *slot).collect();
	(held_by::<T>(miner, &slots), recheckers)
}

/// A batch of `miner` whose positions `recheckers` hold, all waiting, written straight to
/// storage.
fn held_by<T: Config>(miner: SlotId, recheckers: &[SlotId]) -> BatchId {
	let params = Params::<T>::get();
	let k = recheckers.len() as u32;
	let id = NextBatchId::<T>::get();
	NextBatchId::<T>::put(id.saturating_add(1));
	let commit_deadline = now::<T>().saturating_add(params.commit_window.into());
	let reveal_deadline = commit_deadline.saturating_add(params.reveal_window.into());
	let rechecks = recheckers
		.iter()
		.map(|rechecker| Assignment {
			rechecker: *rechecker,
			round: 0,
			commit_deadline,
			reveal_deadline,
			state: AssignmentState::Waiting,
		})
		.collect::<Vec<_>>();
	let epoch = T::EpochClock::current_epoch();
	Batches::<T>::insert(
		id,
		Batch {
			slot: miner,
			neuronet: NET,
			batch_number: 0,
			root: aetron_primitives::merkle::SumNode { hash: [1; 32], sum: 1 << 40 },
			leaf_count: MAX_LEAVES,
			epoch,
			committed_at: now::<T>(),
			status: BatchStatus::Rechecking,
			seed: Some([7; 32]),
			samples: k.saturating_mul(MAX_SAMPLES_PER_RECHECKER),
			retries: 0,
			confirmed_work: 0,
			rechecks: BoundedVec::truncate_from(rechecks),
		},
	);
	BatchesByEpoch::<T>::insert(epoch, id, ());
	for rechecker in recheckers {
		Pallet::<T>::open_assignment(*rechecker, id);
	}
	id
}

/// Position 0's verdict in a batch of `k` full positions, failing `failures` samples.
fn verdict(failures: u32, k: u32) -> Verdict {
	let checked = samples_of(k.saturating_mul(MAX_SAMPLES_PER_RECHECKER), k, 0);
	Verdict {
		checked,
		failures: BoundedVec::truncate_from(
			(0..failures)
				.map(|i| Failure { sample: i.saturating_mul(k), kind: FailureKind::WrongOutput })
				.collect(),
		),
	}
}

/// Sets a timer for `id` at the current block and points the hook at it.
fn due_now<T: Config>(id: BatchId) {
	Timers::<T>::insert(now::<T>(), id, ());
	TimerCursor::<T>::put(now::<T>());
	BatchPruneCursor::<T>::put(T::EpochClock::current_epoch());
	LedgerPruneCursor::<T>::put(T::EpochClock::current_epoch());
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A commit at `l` leaves: nothing in it depends on `l`.
	#[benchmark]
	fn commit_batch(l: Linear<1, MAX_LEAVES>) {
		let (miner, hotkey) = slot::<T>("miner", 0, 10);
		#[extrinsic_call]
		_(RawOrigin::Signed(hotkey), miner, 0, [1; 32], l, 1_000);
		assert_eq!(Batches::<T>::get(0).map(|b| b.leaf_count), Some(l));
	}

	/// The last of [`MAX_RECHECKERS`] positions commits (the longest search).
	#[benchmark]
	fn commit_verdict() {
		let (id, recheckers) = sampled::<T>(MAX_RECHECKERS);
		let (last, hotkey) = recheckers.last().cloned().expect("positions");
		#[extrinsic_call]
		_(RawOrigin::Signed(hotkey), last, id, [3; 32]);
		let b = Batches::<T>::get(id).expect("batch");
		assert!(matches!(b.rechecks.last().map(|a| a.state), Some(AssignmentState::Committed(_))));
	}

	/// The last reveal of a batch of `k` positions: with no failure it confirms the batch and
	/// pays every re-checker; with `f` failures it checks and reports each and hands the first
	/// to arbitration.
	#[benchmark]
	fn reveal_verdict(f: Linear<0, MAX_SAMPLES_PER_RECHECKER>, k: Linear<1, MAX_RECHECKERS>) {
		let (id, recheckers) = sampled::<T>(k);
		let (first, hotkey) = recheckers.first().cloned().expect("positions");
		let v = verdict(f, k);
		let salt = [5; 32];
		Batches::<T>::mutate(id, |b| {
			if let Some(b) = b {
				for (position, a) in b.rechecks.iter_mut().enumerate() {
					a.state = if position == 0 {
						AssignmentState::Committed(verdict_hash(&v, &salt, first, id))
					} else {
						AssignmentState::Revealed { failures: 0 }
					};
				}
			}
		});
		for (rechecker, _) in recheckers.iter().skip(1) {
			Pallet::<T>::close_assignment(*rechecker, id);
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(hotkey), first, id, v, salt);
		// With a failure the batch is disputed; or, when the challenger's bond is unpaid (as a
		// benchmark account's is), the position is missed and reassigned, and the others'
		// passes may confirm the batch. Arbitration's side is weighed by
		// `DisputeHook::open_dispute_weight`.
		if f == 0 {
			assert_eq!(Batches::<T>::get(id).map(|b| b.status), Some(BatchStatus::Confirmed));
		}
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = WorkParams { max_commits_per_epoch: 7, ..WorkParams::default() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	/// The hook with nothing to do.
	#[benchmark]
	fn on_initialize_idle() {
		TimerCursor::<T>::put(now::<T>());
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
	}

	/// A sampling timer of a probation miner's batch: [`MAX_RECHECKERS`] positions, each filled
	/// by the fallback after `d / MAX_RECHECKERS` tries (no slot meets the re-check threshold),
	/// so `d` draws in all.
	#[benchmark]
	fn timer_sample(d: Linear<MAX_RECHECKERS, { MAX_RECHECKERS * bounds::MAX_DRAW_TRIES }>) {
		let tries = d / MAX_RECHECKERS;
		Params::<T>::put(WorkParams { max_draw_tries: tries, ..wide_params::<T>() });
		let (miner, hotkey) = slot::<T>("miner", 0, 10);
		T::BenchmarkHelper::probation(miner);
		for i in 0..64 {
			slot::<T>("rechecker", i, 10);
		}
		let id = NextBatchId::<T>::get();
		Pallet::<T>::commit_batch(
			RawOrigin::Signed(hotkey).into(),
			miner,
			0,
			[1; 32],
			MAX_LEAVES,
			1,
		)
		.expect("commit");
		advance::<T>(1);
		T::BenchmarkHelper::fresh_randomness(now::<T>());
		due_now::<T>(id);
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
		let b = Batches::<T>::get(id).expect("batch");
		assert_eq!(b.status, BatchStatus::Rechecking);
		// With few tries a draw may repeat a slot already taken; with more every position fills.
		assert!(b.positions() >= 1);
	}

	/// A deadline timer where every one of [`MAX_RECHECKERS`] positions missed and is
	/// reassigned (one draw each; draws are weighed by `timer_sample`'s slope).
	#[benchmark]
	fn timer_deadline() {
		let (id, _) = sampled::<T>(MAX_RECHECKERS);
		for i in 0..64 {
			slot::<T>("spare", i, 50);
		}
		let params = Params::<T>::get();
		advance::<T>(params.commit_window.saturating_add(params.reveal_window).saturating_add(1));
		due_now::<T>(id);
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
		let b = Batches::<T>::get(id).expect("batch");
		assert!(b.rechecks.iter().all(|a| a.round == 1 || a.state == AssignmentState::Missed));
	}

	/// A timer whose batch is gone.
	#[benchmark]
	fn timer_idle() {
		due_now::<T>(u64::MAX);
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
	}

	/// Pruning a batch of a closed epoch with every position open.
	#[benchmark]
	fn prune_batch() {
		let (id, _) = sampled::<T>(MAX_RECHECKERS);
		let epoch = T::EpochClock::current_epoch();
		to_epoch::<T>(epoch.saturating_add(Params::<T>::get().settlement_epochs));
		TimerCursor::<T>::put(now::<T>());
		BatchPruneCursor::<T>::put(epoch);
		LedgerPruneCursor::<T>::put(T::EpochClock::current_epoch());
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
		assert!(Batches::<T>::get(id).is_none());
	}

	/// Pruning one ledger entry past its history.
	#[benchmark]
	fn prune_ledger() {
		let epoch = T::EpochClock::current_epoch();
		EpochWorks::<T>::insert(
			epoch,
			1,
			EpochWork { served: 1, rechecked: 1, missed_rechecks: 1 },
		);
		let params = Params::<T>::get();
		to_epoch::<T>(
			epoch.saturating_add(params.settlement_epochs).saturating_add(params.history_epochs),
		);
		TimerCursor::<T>::put(now::<T>());
		BatchPruneCursor::<T>::put(T::EpochClock::current_epoch());
		LedgerPruneCursor::<T>::put(epoch);
		#[block]
		{
			Pallet::<T>::hook(now::<T>());
		}
		assert_eq!(EpochWorks::<T>::iter_prefix(epoch).count(), 0);
	}

	/// A closing slot's `a` open assignments, each the last open position of a batch of
	/// [`MAX_RECHECKERS`] whose others passed and whose reassignments are spent: each position
	/// is missed and its batch confirmed, paying every other re-checker. A reassignment's
	/// fresh draw instead is weighed by `timer_sample`'s slope (`slot_closed_weight` adds both).
	#[benchmark]
	fn vacate(a: Linear<0, { bounds::MAX_OPEN_ASSIGNMENTS }>) {
		let params = wide_params::<T>();
		let (miner, _) = slot::<T>("miner", 0, 10);
		let recheckers: Vec<SlotId> =
			(0..MAX_RECHECKERS).map(|i| slot::<T>("rechecker", i, 50).0).collect();
		let leaving = *recheckers.first().expect("positions");
		let batches: Vec<BatchId> = (0..a)
			.map(|_| {
				let id = held_by::<T>(miner, &recheckers);
				Batches::<T>::mutate(id, |b| {
					for (position, x) in
						b.iter_mut().flat_map(|b| b.rechecks.iter_mut()).enumerate()
					{
						if position == 0 {
							x.round = params.max_reassignments;
						} else {
							x.state = AssignmentState::Revealed { failures: 0 };
						}
					}
				});
				for rechecker in recheckers.iter().skip(1) {
					Pallet::<T>::close_assignment(*rechecker, id);
				}
				id
			})
			.collect();
		#[block]
		{
			Pallet::<T>::vacate(leaving);
		}
		for id in batches {
			assert_eq!(Batches::<T>::get(id).map(|b| b.status), Some(BatchStatus::Confirmed));
		}
		assert_eq!(AssignmentsOf::<T>::iter_key_prefix(leaving).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
