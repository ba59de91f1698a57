//! # Work: batch commitments, re-checks and the confirmed-work ledger
//!
//! The middle of the protocol (DESIGN §5, §6): a miner's worker commits each closed batch of
//! artefacts as the root of a Merkle-sum tree; once randomness from after the commit is known
//! the chain samples the batch and draws re-checkers from other miners; they commit and reveal
//! verdicts on their samples; a batch every re-checker passed is *confirmed* and its work counts
//! for its epoch. Emission pays only for confirmed work.
//!
//! ## Calls
//! - [`Pallet::commit_batch`] by an `Active` slot's hotkey: one constant-weight transaction for
//!   1 … 2^20 leaves, free when valid, at most `max_commits_per_epoch` per slot and epoch, and
//!   only for a batch number above the slot's last (a restarted worker cannot count a batch
//!   twice).
//! - [`Pallet::commit_verdict`] and [`Pallet::reveal_verdict`] by an assigned re-checker's
//!   hotkey, free when valid: commit-reveal stops re-checkers copying each other, and the
//!   re-checker's slot in the hash stops one copying another's commitment.
//! - [`Pallet::set_params`] by [`Config::GovernanceOrigin`], within [`bounds`].
//!
//! ## Life of a batch
//! `AwaitingSeed` → (randomness known after the commit block; re-checkers drawn) `Rechecking`
//! → `Confirmed` when every position revealed and none found a failure; `Disputed` when one
//! did (arbitration decides through [`DisputeResolution`]: `Confirmed` or `Rejected`);
//! `Expired` when its epoch closes first or nobody ever re-checks it. A re-checker that misses
//! its reveal deadline is recorded as having missed re-checks in the batch's epoch, and its
//! position goes to a fresh draw (at most `max_reassignments` times), so a miner does not
//! suffer for an absent re-checker. A batch with no eligible re-checker waits and is retried
//! every `sampling_retry` blocks.
//!
//! ## Nothing per sample is stored; every hook is bounded
//! The samples are a function of the seed ([`aetron_primitives::work`]); the chain checks a
//! claimed failure's sample in O(1). The re-checker draw reads an index of each neuronet's
//! active slots with O(1) random access (swap-remove on deregistration). Sampling and deadlines
//! run from a per-block timer map drained up to `max_timers_per_block` entries; batches of
//! closed epochs and old ledger entries are pruned up to `max_prunes_per_block` a block. No
//! hook loops over batches or slots.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use aetron_primitives::{
	arbitration::DisputeId,
	traits::{DisputeOutcome, DisputeRefused, DisputeResolution, EpochIndex, EpochWork, SlotId},
	work::{Verdict, MAX_RECHECKERS},
};

/// What the benchmarks need from the runtime: slots in the neuronet registry, and randomness.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, BlockNumber> {
	/// Opens an active slot in `neuronet` with these keys and `reputation`, telling this pallet
	/// as the registry would (`OnSlotChange`).
	fn active_slot(
		neuronet: NeuronetId,
		coldkey: AccountId,
		hotkey: AccountId,
		reputation: sp_runtime::Perbill,
	) -> SlotId;
	/// Puts `slot` on probation (every leaf sampled).
	fn probation(slot: SlotId);
	/// Makes randomness known since `block` the current one.
	fn fresh_randomness(block: BlockNumber);
}

/// The subject the seed randomness is asked for.
pub const SEED_SUBJECT: &[u8] = b"aetron/work/seed";

/// Timer blocks (and epochs, when pruning) the hook steps over at most per block, so it catches
/// up 16 a block after any pause.
pub const MAX_TIMER_STEPS: u32 = 16;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aetron_primitives::{
		merkle::SumNode,
		traits::{
			DisputeHook, DisputeRequest, EpochClock, NeuronetsInspect, OnWork, ReputationOf,
			ReputationUpdate,
		},
		work::{
			batch_seed, draw_position, rechecker_count, sample_belongs, sample_count, sample_leaf,
			samples_of, verdict_hash,
		},
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{EstimateNextSessionRotation, Randomness},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{traits::Saturating, Perbill};

	/// A stored batch.
	pub type BatchOf<T> = Batch<BlockNumberFor<T>>;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The slots and their keys.
		type Neuronets: NeuronetsInspect<Self::AccountId>;
		/// Reputation: sampling rates, who may re-check, and a miner's gain for a passed batch.
		type Reputation: ReputationOf + ReputationUpdate;
		/// The emission epoch.
		type EpochClock: EpochClock;
		/// Randomness with the block it became known (BABE's from one epoch ago); a batch is
		/// sampled once it became known after the batch's commit.
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;
		/// When fresh randomness arrives next (BABE's next epoch), so a batch's sampling timer
		/// is set for then instead of polling.
		type NextRandomness: EstimateNextSessionRotation<BlockNumberFor<Self>>;
		/// Where revealed failures go (arbitration).
		type Disputes: DisputeHook;
		/// Told of confirmed work and missed re-checks (emission).
		type OnWork: OnWork;
		/// May change the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Weights of the calls and the hook.
		type WeightInfo: WeightInfo;
		/// Makes slots and randomness for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, BlockNumberFor<Self>>;
	}

	/// The parameters in force.
	#[pallet::storage]
	pub type Params<T> = StorageValue<_, WorkParams, ValueQuery>;

	/// The id the next batch gets.
	#[pallet::storage]
	pub type NextBatchId<T> = StorageValue<_, BatchId, ValueQuery>;

	/// Every batch not yet pruned.
	#[pallet::storage]
	pub type Batches<T: Config> = StorageMap<_, Twox64Concat, BatchId, BatchOf<T>>;

	/// The batches of each epoch, for pruning once it closes.
	#[pallet::storage]
	pub type BatchesByEpoch<T> =
		StorageDoubleMap<_, Twox64Concat, EpochIndex, Twox64Concat, BatchId, (), OptionQuery>;

	/// Each live slot's running figures.
	#[pallet::storage]
	pub type SlotLedgers<T> = StorageMap<_, Twox64Concat, SlotId, SlotLedger>;

	/// Confirmed work and missed re-checks per epoch and slot.
	#[pallet::storage]
	pub type EpochWorks<T> =
		StorageDoubleMap<_, Twox64Concat, EpochIndex, Twox64Concat, SlotId, EpochWork, ValueQuery>;

	/// Open assignments (waiting for or holding a commitment) by re-checker slot.
	#[pallet::storage]
	pub type AssignmentsOf<T> =
		StorageDoubleMap<_, Twox64Concat, SlotId, Twox64Concat, BatchId, (), OptionQuery>;

	/// Each neuronet's active slots by position `0 .. ActiveCount`, for O(1) random draws.
	#[pallet::storage]
	pub type ActiveSlots<T> =
		StorageDoubleMap<_, Twox64Concat, NeuronetId, Twox64Concat, u32, SlotId, OptionQuery>;

	/// How many active slots each neuronet's index holds.
	#[pallet::storage]
	pub type ActiveCount<T> = StorageMap<_, Twox64Concat, NeuronetId, u32, ValueQuery>;

	/// Where an active slot sits in its neuronet's index.
	#[pallet::storage]
	pub type ActivePosition<T> = StorageMap<_, Twox64Concat, SlotId, (NeuronetId, u32)>;

	/// Batches to look at in a block: sampling once randomness is known, deadlines once they
	/// pass.
	#[pallet::storage]
	pub type Timers<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Twox64Concat,
		BatchId,
		(),
		OptionQuery,
	>;

	/// The earliest block whose timers may not all have run.
	#[pallet::storage]
	pub type TimerCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The earliest epoch whose batches may not all be pruned.
	#[pallet::storage]
	pub type BatchPruneCursor<T> = StorageValue<_, EpochIndex, ValueQuery>;

	/// The earliest epoch whose ledger may not all be pruned.
	#[pallet::storage]
	pub type LedgerPruneCursor<T> = StorageValue<_, EpochIndex, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first parameters.
		pub params: WorkParams,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(Pallet::<T>::check(&self.params).is_ok(), "genesis work params out of bounds");
			Params::<T>::put(self.params);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance set new parameters.
		ParamsSet {
			/// The parameters now in force.
			params: WorkParams,
		},
		/// A slot committed a batch.
		BatchCommitted {
			/// The batch's id on-chain.
			batch: BatchId,
			/// The miner's slot.
			slot: SlotId,
			/// The worker's number for it.
			batch_number: u64,
			/// Its leaves.
			leaf_count: u32,
			/// Its total work, the root's sum.
			total_work: u64,
		},
		/// A batch was sampled and its re-checkers drawn.
		BatchSampled {
			/// The batch.
			batch: BatchId,
			/// `m`.
			samples: u32,
			/// The re-checkers, by position.
			recheckers: BoundedVec<SlotId, ConstU32<MAX_RECHECKERS>>,
		},
		/// No eligible re-checker was found; the batch waits and is tried again.
		BatchWaiting {
			/// The batch.
			batch: BatchId,
		},
		/// A re-checker committed its verdict.
		VerdictCommitted {
			/// The batch.
			batch: BatchId,
			/// The re-checker.
			rechecker: SlotId,
		},
		/// A re-checker revealed its verdict.
		VerdictRevealed {
			/// The batch.
			batch: BatchId,
			/// The re-checker.
			rechecker: SlotId,
			/// Samples it checked.
			checked: u32,
			/// Samples that failed.
			failures: u32,
		},
		/// A re-checker revealed a failure. The first of a verdict goes to arbitration (one
		/// proven bad leaf is enough to reject the batch); the others are recorded.
		FailureReported {
			/// The batch.
			batch: BatchId,
			/// The re-checker that found it.
			rechecker: SlotId,
			/// The sample.
			sample: u32,
			/// The leaf it names.
			leaf_index: u32,
			/// Why it failed.
			kind: aetron_primitives::work::FailureKind,
			/// The dispute arbitration opened over it, if any.
			dispute: Option<DisputeId>,
		},
		/// Arbitration opened no dispute for a revealed failure. With the bond unpaid the
		/// failure is not backed: the re-check counts as missed and its samples go to a fresh
		/// draw; otherwise the batch stays `Disputed` until its epoch closes.
		DisputeRefused {
			/// The batch.
			batch: BatchId,
			/// The re-checker.
			rechecker: SlotId,
			/// Why.
			reason: DisputeRefused,
		},
		/// Every re-checker passed the batch: its work counts.
		BatchConfirmed {
			/// The batch.
			batch: BatchId,
			/// The miner's slot.
			slot: SlotId,
			/// The emission epoch the work counts for.
			epoch: EpochIndex,
			/// Work units confirmed.
			work: u64,
		},
		/// Arbitration found the miner cheated: nothing counts.
		BatchRejected {
			/// The batch.
			batch: BatchId,
		},
		/// The batch's epoch closed before it was decided, or nobody re-checked it.
		BatchExpired {
			/// The batch.
			batch: BatchId,
		},
		/// A re-checker did not commit and reveal in time.
		RecheckMissed {
			/// The batch.
			batch: BatchId,
			/// The re-checker.
			rechecker: SlotId,
			/// The epoch it is recorded in.
			epoch: EpochIndex,
		},
		/// A re-checker position went to a freshly drawn slot.
		RecheckReassigned {
			/// The batch.
			batch: BatchId,
			/// Who held it.
			from: SlotId,
			/// Who holds it now.
			to: SlotId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No slot has this id.
		UnknownSlot,
		/// Only the slot's hotkey may do this.
		NotHotkey,
		/// The slot has not passed its reference checks.
		SlotNotActive,
		/// The batch number is not above the slot's last committed one.
		BatchNumberNotNew,
		/// The slot made as many commits this epoch as `max_commits_per_epoch` allows.
		TooManyCommits,
		/// A batch has between 1 and 2^20 leaves.
		BadLeafCount,
		/// A batch must claim some work.
		NoWork,
		/// No batch has this id (or it was pruned).
		UnknownBatch,
		/// The slot holds no re-check position in this batch.
		NotAssigned,
		/// The batch is not being re-checked.
		NotRechecking,
		/// The re-checker already committed its verdict.
		AlreadyCommitted,
		/// The commit deadline passed.
		CommitClosed,
		/// Nothing was committed to reveal.
		NotCommitted,
		/// The verdict was revealed already.
		AlreadyRevealed,
		/// Reveals open once the commit deadline passed or every re-checker committed.
		RevealNotOpen,
		/// The reveal deadline passed.
		RevealClosed,
		/// The verdict and salt do not hash to the commitment.
		HashMismatch,
		/// `checked` is not the number of samples assigned to this re-checker.
		WrongChecked,
		/// A failure names a sample not assigned to this re-checker.
		FailureNotAssigned,
		/// Failures must list samples in strictly increasing order.
		FailuresUnordered,
		/// A parameter is outside its bounds (see [`bounds`]).
		ParamOutOfBounds,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Runs due timers (sampling, deadlines) and prunes closed epochs, each up to its
		/// per-block bound.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let params = Params::<T>::get();
			let mut work = HookWork::default();
			let steps = Self::run_timers(now, &params, &mut work);
			Self::prune(&params, &mut work);
			Self::hook_weight(&work, steps)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Commits a closed batch of `slot`: the Merkle-sum `root` over `leaf_count` artefacts
		/// whose work units add up to `total_work` (the root's sum). The slot's hotkey only;
		/// the slot must be `Active`; free when valid. Weight is the same for any leaf count.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::commit_batch(bounds::MAX_BATCH_LEAVES))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, slot: &SlotId, batch_number: &u64, _root: &[u8; 32], leaf_count: &u32, total_work: &u64| -> bool {
			Pallet::<T>::commit_allowed(origin, *slot, *batch_number, *leaf_count, *total_work).is_ok()
		})]
		pub fn commit_batch(
			origin: OriginFor<T>,
			slot: SlotId,
			batch_number: u64,
			root: [u8; 32],
			leaf_count: u32,
			total_work: u64,
		) -> DispatchResultWithPostInfo {
			let (neuronet, mut ledger, epoch) =
				Self::commit_allowed(&origin, slot, batch_number, leaf_count, total_work)?;
			let now = frame_system::Pallet::<T>::block_number();
			let id = NextBatchId::<T>::get();
			NextBatchId::<T>::put(id.saturating_add(1));
			ledger.epoch = epoch;
			ledger.commits_in_epoch = ledger.commits_in_epoch.saturating_add(1);
			ledger.last_batch_number = Some(batch_number);
			ledger.committed = ledger.committed.saturating_add(1);
			SlotLedgers::<T>::insert(slot, ledger);
			Batches::<T>::insert(
				id,
				Batch {
					slot,
					neuronet,
					batch_number,
					root: SumNode { hash: root, sum: total_work },
					leaf_count,
					epoch,
					committed_at: now,
					status: BatchStatus::AwaitingSeed,
					seed: None,
					samples: 0,
					retries: 0,
					confirmed_work: 0,
					rechecks: BoundedVec::new(),
				},
			);
			BatchesByEpoch::<T>::insert(epoch, id, ());
			Timers::<T>::insert(Self::next_randomness_at(now), id, ());
			Self::deposit_event(Event::BatchCommitted {
				batch: id,
				slot,
				batch_number,
				leaf_count,
				total_work,
			});
			Ok(Pays::No.into())
		}

		/// Commits re-checker `rechecker`'s verdict on `batch` as
		/// `blake2_256(SCALE(verdict) ‖ salt ‖ rechecker ‖ batch)`. Its hotkey only, before the
		/// commit deadline; free when valid.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::commit_verdict())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, rechecker: &SlotId, batch: &BatchId, _commitment: &[u8; 32]| -> bool {
			Pallet::<T>::commit_verdict_allowed(origin, *rechecker, *batch).is_ok()
		})]
		pub fn commit_verdict(
			origin: OriginFor<T>,
			rechecker: SlotId,
			batch: BatchId,
			commitment: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let (mut b, position) = Self::commit_verdict_allowed(&origin, rechecker, batch)?;
			if let Some(a) = b.rechecks.get_mut(position) {
				a.state = AssignmentState::Committed(commitment);
			}
			Batches::<T>::insert(batch, b);
			Self::deposit_event(Event::VerdictCommitted { batch, rechecker });
			Ok(Pays::No.into())
		}

		/// Reveals the verdict `rechecker` committed on `batch`: `checked` must be the number
		/// of samples assigned to it, and each failure one of its samples. After the commit
		/// deadline (or once every re-checker committed) and before the reveal deadline; free
		/// when valid. A failure disputes the batch; the last reveal of a clean batch confirms
		/// it.
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::reveal_weight(verdict.failures.len() as u32, MAX_RECHECKERS))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, rechecker: &SlotId, batch: &BatchId, verdict: &Verdict, salt: &[u8; 32]| -> bool {
			Pallet::<T>::reveal_allowed(origin, *rechecker, *batch, verdict, salt).is_ok()
		})]
		pub fn reveal_verdict(
			origin: OriginFor<T>,
			rechecker: SlotId,
			batch: BatchId,
			verdict: Verdict,
			salt: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let (mut b, position) =
				Self::reveal_allowed(&origin, rechecker, batch, &verdict, &salt)?;
			let failures = verdict.failures.len() as u32;
			if let Some(a) = b.rechecks.get_mut(position) {
				a.state = AssignmentState::Revealed { failures };
			}
			Self::close_assignment(rechecker, batch);
			Self::update_ledger(rechecker, |l| {
				l.rechecks_done = l.rechecks_done.saturating_add(1);
				if failures == 0 {
					l.rechecks_passed = l.rechecks_passed.saturating_add(1);
				}
			});
			Self::deposit_event(Event::VerdictRevealed {
				batch,
				rechecker,
				checked: verdict.checked,
				failures,
			});
			if failures > 0 {
				let now = frame_system::Pallet::<T>::block_number();
				Self::report_failures(batch, &mut b, position, rechecker, &verdict, now);
			}
			let settling = b.status;
			Self::maybe_settle(batch, &mut b);
			// Settling pays every position; a reveal that settles nothing is charged as one.
			let positions = if settling != b.status { b.positions() } else { 1 };
			Batches::<T>::insert(batch, b);
			Ok(frame_support::dispatch::PostDispatchInfo {
				actual_weight: Some(Self::reveal_weight(failures, positions)),
				pays_fee: Pays::No,
			})
		}

		/// Sets the parameters ([`Config::GovernanceOrigin`] only), within their bounds.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: WorkParams) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check(&params)?;
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Refuses parameters outside [`bounds`] or inconsistent with each other.
		pub fn check(p: &WorkParams) -> Result<(), Error<T>> {
			use bounds::*;
			let within = |v: u32, lo: u32, hi: u32| (lo..=hi).contains(&v);
			let ok = within(p.max_commits_per_epoch, 1, MAX_COMMITS_PER_EPOCH) &&
				within(p.max_samples_per_rechecker, 1, MAX_PER_RECHECKER) &&
				within(p.max_samples_per_batch, 1, MAX_PER_BATCH) &&
				// Every sample of a full batch must find a re-checker position.
				p.max_samples_per_batch <=
					p.max_samples_per_rechecker.saturating_mul(MAX_RECHECKERS) &&
				within(p.max_draw_tries, 1, MAX_DRAW_TRIES) &&
				p.max_reassignments <= MAX_REASSIGNMENTS &&
				within(p.commit_window, 1, MAX_WINDOW) &&
				within(p.reveal_window, 1, MAX_WINDOW) &&
				within(p.sampling_retry, 1, MAX_WINDOW) &&
				within(p.settlement_epochs, MIN_SETTLEMENT_EPOCHS, MAX_SETTLEMENT_EPOCHS) &&
				within(p.history_epochs, 1, MAX_HISTORY_EPOCHS) &&
				within(p.max_open_assignments, 1, MAX_OPEN_ASSIGNMENTS) &&
				within(p.max_timers_per_block, 1, MAX_PER_BLOCK) &&
				within(p.max_prunes_per_block, 1, MAX_PER_BLOCK) &&
				// A slot must always be able to deregister: giving up its open assignments
				// takes at most half a block.
				Self::closing_weight(p).ref_time() <=
					T::BlockWeights::get().max_block.ref_time() / 2;
			ok.then_some(()).ok_or(Error::<T>::ParamOutOfBounds)
		}

		/// The most a closing slot's open assignments take under `p` beyond a slot with none:
		/// up to `max_open_assignments`, each at its worst, its batch settled by it
		/// (`vacate`'s slope) and a fresh draw of `max_draw_tries` tries (`timer_sample`'s
		/// slope).
		pub fn closing_weight(p: &WorkParams) -> Weight {
			let assignments = p.max_open_assignments;
			T::WeightInfo::vacate(assignments)
				.saturating_sub(T::WeightInfo::vacate(0))
				.saturating_add(Self::draw_try_weight().saturating_mul(
					u64::from(assignments).saturating_mul(u64::from(p.max_draw_tries)),
				))
		}

		/// One try of a re-checker draw: the slope of `timer_sample`.
		fn draw_try_weight() -> Weight {
			T::WeightInfo::timer_sample(1).saturating_sub(T::WeightInfo::timer_sample(0))
		}

		/// A reveal with `failures` that settles `positions`: with a failure, arbitration's
		/// opening of a dispute and, when it refuses, a reassignment (weighed as a deadline
		/// timer, which reassigns every position).
		pub fn reveal_weight(failures: u32, positions: u32) -> Weight {
			let weight = T::WeightInfo::reveal_verdict(failures, positions)
				.saturating_add(Self::on_work_weight(positions));
			if failures == 0 {
				return weight;
			}
			weight
				.saturating_add(T::Disputes::open_dispute_weight())
				.saturating_add(T::WeightInfo::timer_deadline())
		}

		/// What telling emission of a settled batch with `positions` re-checkers costs: the
		/// miner's work and each re-checker's (confirmed or missed).
		pub fn on_work_weight(positions: u32) -> Weight {
			T::OnWork::on_work_weight().saturating_mul(u64::from(positions.saturating_add(1)))
		}

		/// Whether `epoch`'s figures are final: epoch `epoch + settlement_epochs` has begun.
		pub fn epoch_closed(epoch: EpochIndex) -> bool {
			T::EpochClock::current_epoch()
				>= epoch.saturating_add(Params::<T>::get().settlement_epochs)
		}

		/// The slot's neuronet, ledger and the current epoch, if `origin` (its hotkey) may
		/// commit this batch now.
		pub fn commit_allowed(
			origin: &OriginFor<T>,
			slot: SlotId,
			batch_number: u64,
			leaf_count: u32,
			total_work: u64,
		) -> Result<(NeuronetId, SlotLedger, EpochIndex), DispatchError> {
			let who = ensure_signed(origin.clone())?;
			let info = T::Neuronets::slot(slot).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(info.hotkey == who, Error::<T>::NotHotkey);
			ensure!(info.active, Error::<T>::SlotNotActive);
			ensure!((1..=bounds::MAX_BATCH_LEAVES).contains(&leaf_count), Error::<T>::BadLeafCount);
			ensure!(total_work > 0, Error::<T>::NoWork);
			let mut ledger = SlotLedgers::<T>::get(slot).unwrap_or_default();
			ensure!(
				ledger.last_batch_number.map_or(true, |last| batch_number > last),
				Error::<T>::BatchNumberNotNew
			);
			let epoch = T::EpochClock::current_epoch();
			if ledger.epoch != epoch {
				ledger.commits_in_epoch = 0;
			}
			ensure!(
				ledger.commits_in_epoch < Params::<T>::get().max_commits_per_epoch,
				Error::<T>::TooManyCommits
			);
			Ok((info.neuronet, ledger, epoch))
		}

		/// The batch and `rechecker`'s position in it, if `origin` (its hotkey) may commit a
		/// verdict now.
		pub fn commit_verdict_allowed(
			origin: &OriginFor<T>,
			rechecker: SlotId,
			batch: BatchId,
		) -> Result<(BatchOf<T>, usize), DispatchError> {
			let (b, position) = Self::assigned(origin, rechecker, batch)?;
			let a = b.rechecks.get(position).ok_or(Error::<T>::NotAssigned)?;
			ensure!(a.state == AssignmentState::Waiting, Error::<T>::AlreadyCommitted);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now <= a.commit_deadline, Error::<T>::CommitClosed);
			Ok((b, position))
		}

		/// The batch and `rechecker`'s position in it, if `origin` (its hotkey) may reveal
		/// `verdict` with `salt` now.
		pub fn reveal_allowed(
			origin: &OriginFor<T>,
			rechecker: SlotId,
			batch: BatchId,
			verdict: &Verdict,
			salt: &[u8; 32],
		) -> Result<(BatchOf<T>, usize), DispatchError> {
			let (b, position) = Self::assigned(origin, rechecker, batch)?;
			let a = b.rechecks.get(position).ok_or(Error::<T>::NotAssigned)?;
			let commitment = match a.state {
				AssignmentState::Committed(hash) => hash,
				AssignmentState::Waiting => return Err(Error::<T>::NotCommitted.into()),
				_ => return Err(Error::<T>::AlreadyRevealed.into()),
			};
			let now = frame_system::Pallet::<T>::block_number();
			let all_committed =
				b.rechecks.iter().all(|a| !matches!(a.state, AssignmentState::Waiting));
			ensure!(now > a.commit_deadline || all_committed, Error::<T>::RevealNotOpen);
			ensure!(now <= a.reveal_deadline, Error::<T>::RevealClosed);
			ensure!(
				verdict_hash(verdict, salt, rechecker, batch) == commitment,
				Error::<T>::HashMismatch
			);
			let (k, position32) = (b.positions(), position as u32);
			ensure!(
				verdict.checked == samples_of(b.samples, k, position32),
				Error::<T>::WrongChecked
			);
			let mut previous: Option<u32> = None;
			for failure in &verdict.failures {
				ensure!(
					previous.map_or(true, |p| failure.sample > p),
					Error::<T>::FailuresUnordered
				);
				ensure!(
					sample_belongs(failure.sample, b.samples, k, position32),
					Error::<T>::FailureNotAssigned
				);
				previous = Some(failure.sample);
			}
			Ok((b, position))
		}

		/// The batch and the position `rechecker` holds in it, if `origin` is its hotkey.
		fn assigned(
			origin: &OriginFor<T>,
			rechecker: SlotId,
			batch: BatchId,
		) -> Result<(BatchOf<T>, usize), DispatchError> {
			let who = ensure_signed(origin.clone())?;
			let info = T::Neuronets::slot(rechecker).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(info.hotkey == who, Error::<T>::NotHotkey);
			let b = Batches::<T>::get(batch).ok_or(Error::<T>::UnknownBatch)?;
			ensure!(
				matches!(b.status, BatchStatus::Rechecking | BatchStatus::Disputed),
				Error::<T>::NotRechecking
			);
			let position = b
				.rechecks
				.iter()
				.position(|a| a.rechecker == rechecker)
				.ok_or(Error::<T>::NotAssigned)?;
			Ok((b, position))
		}

		/// The block at which randomness unknown now is expected: the next BABE epoch.
		fn next_randomness_at(now: BlockNumberFor<T>) -> BlockNumberFor<T> {
			let next = now.saturating_add(1u32.into());
			T::NextRandomness::estimate_next_session_rotation(now).0.unwrap_or(next).max(next)
		}

		fn update_ledger(slot: SlotId, f: impl FnOnce(&mut SlotLedger)) {
			SlotLedgers::<T>::mutate_extant(slot, f);
		}

		pub(crate) fn close_assignment(rechecker: SlotId, batch: BatchId) {
			if AssignmentsOf::<T>::take(rechecker, batch).is_some() {
				Self::update_ledger(rechecker, |l| {
					l.open_assignments = l.open_assignments.saturating_sub(1)
				});
			}
		}

		pub(crate) fn open_assignment(rechecker: SlotId, batch: BatchId) {
			AssignmentsOf::<T>::insert(rechecker, batch, ());
			SlotLedgers::<T>::mutate(rechecker, |l| {
				let l = l.get_or_insert_with(Default::default);
				l.open_assignments = l.open_assignments.saturating_add(1);
			});
		}

		/// Draws one re-checker for `position` of a batch of `miner` (coldkey `miner_coldkey`)
		/// in `neuronet`, not one of `taken`: the first of up to `max_draw_tries` random active
		/// slots that may re-check, else the most reputable slot drawn that is not on probation
		/// (so a new neuronet, where nobody has the threshold yet, bootstraps). Returns the slot
		/// and the tries used.
		fn draw(
			neuronet: NeuronetId,
			seed: &[u8; 32],
			round: u32,
			position: u32,
			miner_coldkey: &T::AccountId,
			taken: &[SlotId],
			params: &WorkParams,
		) -> (Option<SlotId>, u32) {
			let active = ActiveCount::<T>::get(neuronet);
			if active == 0 {
				return (None, 0);
			}
			let mut fallback: Option<(Perbill, SlotId)> = None;
			for attempt in 0..params.max_draw_tries {
				let index = draw_position(seed, round, position, attempt, active);
				let Some(slot) = ActiveSlots::<T>::get(neuronet, index) else { continue };
				if taken.contains(&slot) {
					continue;
				}
				let Some(info) = T::Neuronets::slot(slot) else { continue };
				if info.coldkey == *miner_coldkey
					|| !info.active || T::Reputation::on_probation(slot)
				{
					continue;
				}
				let busy = SlotLedgers::<T>::get(slot)
					.is_some_and(|l| l.open_assignments >= params.max_open_assignments);
				if busy {
					continue;
				}
				if T::Reputation::may_recheck(slot) {
					return (Some(slot), attempt.saturating_add(1));
				}
				let reputation = T::Reputation::reputation(slot);
				if fallback.map_or(true, |(best, _)| reputation > best) {
					fallback = Some((reputation, slot));
				}
			}
			(fallback.map(|(_, slot)| slot), params.max_draw_tries)
		}

		/// Samples an `AwaitingSeed` batch if randomness from after its commit is known and
		/// re-checkers can be drawn; otherwise sets its timer for later. Returns the draw tries.
		fn sample(
			id: BatchId,
			b: &mut BatchOf<T>,
			now: BlockNumberFor<T>,
			params: &WorkParams,
		) -> u32 {
			let (random, known_since) = T::Randomness::random(SEED_SUBJECT);
			if known_since <= b.committed_at {
				Timers::<T>::insert(Self::next_randomness_at(now), id, ());
				return 0;
			}
			let Some(miner) = T::Neuronets::slot(b.slot) else {
				Self::expire(id, b);
				return 0;
			};
			let seed = batch_seed(random.as_ref(), id);
			let wanted = sample_count(
				T::Reputation::sampling_rate(b.slot),
				b.leaf_count,
				T::Reputation::on_probation(b.slot),
				params.max_samples_per_batch,
			);
			let k = rechecker_count(
				T::Reputation::reputation(b.slot),
				wanted,
				params.max_samples_per_rechecker,
			);
			let mut drawn: BoundedVec<SlotId, ConstU32<MAX_RECHECKERS>> = BoundedVec::new();
			let mut tries = 0u32;
			for position in 0..k {
				let (slot, used) = Self::draw(
					b.neuronet,
					&seed,
					b.retries,
					position,
					&miner.coldkey,
					&drawn,
					params,
				);
				tries = tries.saturating_add(used);
				if let Some(slot) = slot {
					// `k` is at most `MAX_RECHECKERS`, the bound.
					let _ = drawn.try_push(slot);
				}
			}
			if drawn.is_empty() {
				b.retries = b.retries.saturating_add(1);
				Timers::<T>::insert(now.saturating_add(params.sampling_retry.into()), id, ());
				Self::deposit_event(Event::BatchWaiting { batch: id });
				return tries;
			}
			// Fewer re-checkers than wanted hold at most their share of samples each.
			let positions = drawn.len() as u32;
			b.samples = wanted.min(positions.saturating_mul(params.max_samples_per_rechecker));
			b.seed = Some(seed);
			let (commit_deadline, reveal_deadline) = Self::deadlines(now, params);
			b.rechecks = BoundedVec::truncate_from(
				drawn
					.iter()
					.map(|&rechecker| Assignment {
						rechecker,
						round: b.retries,
						commit_deadline,
						reveal_deadline,
						state: AssignmentState::Waiting,
					})
					.collect(),
			);
			for &rechecker in drawn.iter() {
				Self::open_assignment(rechecker, id);
			}
			b.status = BatchStatus::Rechecking;
			Timers::<T>::insert(reveal_deadline.saturating_add(1u32.into()), id, ());
			Self::deposit_event(Event::BatchSampled {
				batch: id,
				samples: b.samples,
				recheckers: drawn,
			});
			tries
		}

		fn deadlines(
			now: BlockNumberFor<T>,
			params: &WorkParams,
		) -> (BlockNumberFor<T>, BlockNumberFor<T>) {
			let commit = now.saturating_add(params.commit_window.into());
			(commit, commit.saturating_add(params.reveal_window.into()))
		}

		/// Hands `position` of the batch to a fresh draw (or marks it missed for good when no
		/// reassignment is left or nobody can be drawn). Returns the draw tries.
		fn reassign(
			id: BatchId,
			b: &mut BatchOf<T>,
			position: usize,
			now: BlockNumberFor<T>,
			params: &WorkParams,
		) -> u32 {
			let Some(current) = b.rechecks.get(position).copied() else { return 0 };
			Self::close_assignment(current.rechecker, id);
			let reassignments = current.round.saturating_sub(b.retries);
			let replacement = match (b.seed, T::Neuronets::slot(b.slot)) {
				(Some(seed), Some(miner)) if reassignments < params.max_reassignments => {
					let taken: alloc::vec::Vec<SlotId> =
						b.rechecks.iter().map(|a| a.rechecker).collect();
					let round = current.round.saturating_add(1);
					let (slot, tries) = Self::draw(
						b.neuronet,
						&seed,
						round,
						position as u32,
						&miner.coldkey,
						&taken,
						params,
					);
					(slot.map(|s| (s, round)), tries)
				}
				_ => (None, 0),
			};
			let Some(a) = b.rechecks.get_mut(position) else { return replacement.1 };
			match replacement.0 {
				Some((to, round)) => {
					let (commit_deadline, reveal_deadline) = Self::deadlines(now, params);
					*a = Assignment {
						rechecker: to,
						round,
						commit_deadline,
						reveal_deadline,
						state: AssignmentState::Waiting,
					};
					Self::open_assignment(to, id);
					Timers::<T>::insert(reveal_deadline.saturating_add(1u32.into()), id, ());
					Self::deposit_event(Event::RecheckReassigned {
						batch: id,
						from: current.rechecker,
						to,
					});
				}
				None => a.state = AssignmentState::Missed,
			}
			replacement.1
		}

		/// Records that `rechecker` missed a re-check of batch `id` in `epoch`.
		fn record_missed(id: BatchId, rechecker: SlotId, epoch: EpochIndex) {
			EpochWorks::<T>::mutate(epoch, rechecker, |w| {
				w.missed_rechecks = w.missed_rechecks.saturating_add(1)
			});
			Self::update_ledger(rechecker, |l| {
				l.rechecks_missed = l.rechecks_missed.saturating_add(1)
			});
			T::OnWork::recheck_missed(rechecker, epoch);
			Self::deposit_event(Event::RecheckMissed { batch: id, rechecker, epoch });
		}

		/// Deadline timer: every position past its reveal deadline without a reveal is missed
		/// and reassigned. Returns the draw tries.
		fn check_deadlines(
			id: BatchId,
			b: &mut BatchOf<T>,
			now: BlockNumberFor<T>,
			params: &WorkParams,
		) -> u32 {
			let mut tries = 0u32;
			for position in 0..b.rechecks.len() {
				let Some(a) = b.rechecks.get(position).copied() else { continue };
				let open =
					matches!(a.state, AssignmentState::Waiting | AssignmentState::Committed(_));
				if open && now > a.reveal_deadline {
					Self::record_missed(id, a.rechecker, b.epoch);
					tries = tries.saturating_add(Self::reassign(id, b, position, now, params));
				}
			}
			Self::maybe_settle(id, b);
			tries
		}

		/// Reports a verdict's failures and hands the first to arbitration. An opened dispute
		/// (or no arbitration at all) makes the batch `Disputed`. A failure whose bond the
		/// challenger cannot pay is not backed: the re-check counts as missed and the position
		/// goes to a fresh draw, so a re-checker cannot hold up an honest batch for free.
		fn report_failures(
			id: BatchId,
			b: &mut BatchOf<T>,
			position: usize,
			rechecker: SlotId,
			verdict: &Verdict,
			now: BlockNumberFor<T>,
		) {
			let seed = b.seed.unwrap_or_default();
			let mut refused = None;
			for (i, failure) in verdict.failures.iter().enumerate() {
				let leaf_index = sample_leaf(&seed, failure.sample, b.leaf_count);
				let dispute = if i == 0 {
					T::Disputes::open_dispute(DisputeRequest {
						batch: id,
						epoch: b.epoch,
						neuronet: b.neuronet,
						batch_number: b.batch_number,
						root: b.root,
						leaf_count: b.leaf_count,
						sample: failure.sample,
						leaf_index,
						kind: failure.kind,
						miner: b.slot,
						challenger: rechecker,
					})
					.map_err(|reason| refused = Some(reason))
					.ok()
				} else {
					None
				};
				Self::deposit_event(Event::FailureReported {
					batch: id,
					rechecker,
					sample: failure.sample,
					leaf_index,
					kind: failure.kind,
					dispute,
				});
			}
			if let Some(reason) = refused {
				Self::deposit_event(Event::DisputeRefused { batch: id, rechecker, reason });
			}
			if refused == Some(DisputeRefused::BondUnpaid) {
				Self::record_missed(id, rechecker, b.epoch);
				Self::reassign(id, b, position, now, &Params::<T>::get());
			} else if b.status == BatchStatus::Rechecking {
				b.status = BatchStatus::Disputed;
				Self::update_ledger(b.slot, |l| l.disputed = l.disputed.saturating_add(1));
			}
		}

		/// Settles a `Rechecking` batch once every position revealed or was missed for good.
		fn maybe_settle(id: BatchId, b: &mut BatchOf<T>) {
			if b.status != BatchStatus::Rechecking {
				return;
			}
			let decided = b.rechecks.iter().all(|a| {
				matches!(a.state, AssignmentState::Revealed { .. } | AssignmentState::Missed)
			});
			if !decided {
				return;
			}
			let revealed =
				b.rechecks.iter().any(|a| matches!(a.state, AssignmentState::Revealed { .. }));
			if revealed && !Self::epoch_closed(b.epoch) {
				Self::confirm(id, b, b.root.sum);
			} else {
				Self::expire(id, b);
			}
		}

		/// Confirms the batch with `work` units: the miner's confirmed work for the batch's
		/// epoch grows, its reputation gains, and each re-checker that passed it earns the work
		/// of the leaves it re-checked (the batch's average leaf times its samples).
		pub(crate) fn confirm(id: BatchId, b: &mut BatchOf<T>, work: u64) {
			b.status = BatchStatus::Confirmed;
			b.confirmed_work = work;
			EpochWorks::<T>::mutate(b.epoch, b.slot, |w| w.served = w.served.saturating_add(work));
			T::OnWork::work_confirmed(b.slot, b.neuronet, b.epoch, work);
			Self::update_ledger(b.slot, |l| l.confirmed = l.confirmed.saturating_add(1));
			T::Reputation::recheck_passed(b.slot);
			let k = b.positions();
			for (position, a) in b.rechecks.iter().enumerate() {
				// A disputed batch cleared by arbitration may still have re-checkers pending.
				Self::close_assignment(a.rechecker, id);
				if a.state != (AssignmentState::Revealed { failures: 0 }) {
					continue;
				}
				let samples = samples_of(b.samples, k, position as u32);
				let units = (u128::from(work) * u128::from(samples)
					/ u128::from(b.leaf_count.max(1))) as u64;
				EpochWorks::<T>::mutate(b.epoch, a.rechecker, |w| {
					w.rechecked = w.rechecked.saturating_add(units)
				});
				T::OnWork::work_confirmed(a.rechecker, b.neuronet, b.epoch, units);
			}
			Self::deposit_event(Event::BatchConfirmed {
				batch: id,
				slot: b.slot,
				epoch: b.epoch,
				work,
			});
		}

		/// Ends the batch without work; its open assignments close (nobody is blamed).
		pub(crate) fn expire(id: BatchId, b: &mut BatchOf<T>) {
			b.status = BatchStatus::Expired;
			for a in b.rechecks.iter() {
				Self::close_assignment(a.rechecker, id);
			}
			Self::deposit_event(Event::BatchExpired { batch: id });
		}

		/// Processes the timers due by `now`, up to `max_timers_per_block`. Returns the timer
		/// blocks stepped over.
		fn run_timers(now: BlockNumberFor<T>, params: &WorkParams, work: &mut HookWork) -> u32 {
			let mut cursor = TimerCursor::<T>::get();
			let mut budget = params.max_timers_per_block;
			let mut steps = 0u32;
			while cursor <= now && budget > 0 && steps < MAX_TIMER_STEPS {
				let due: alloc::vec::Vec<BatchId> =
					Timers::<T>::iter_key_prefix(cursor).take(budget as usize).collect();
				let exhausted = (due.len() as u32) < budget;
				for id in due {
					Timers::<T>::remove(cursor, id);
					budget = budget.saturating_sub(1);
					Self::run_timer(id, now, params, work);
				}
				if !exhausted {
					break;
				}
				cursor = cursor.saturating_add(1u32.into());
				steps = steps.saturating_add(1);
			}
			TimerCursor::<T>::put(cursor);
			steps
		}

		fn run_timer(
			id: BatchId,
			now: BlockNumberFor<T>,
			params: &WorkParams,
			work: &mut HookWork,
		) {
			let Some(mut b) = Batches::<T>::get(id) else {
				work.idle = work.idle.saturating_add(1);
				return;
			};
			let closed = Self::epoch_closed(b.epoch);
			match b.status {
				BatchStatus::AwaitingSeed | BatchStatus::Rechecking if closed => {
					Self::expire(id, &mut b);
					work.deadlines = work.deadlines.saturating_add(1);
				}
				BatchStatus::AwaitingSeed => {
					let tries = Self::sample(id, &mut b, now, params);
					work.samplings = work.samplings.saturating_add(1);
					work.draws = work.draws.saturating_add(tries);
				}
				BatchStatus::Rechecking | BatchStatus::Disputed => {
					let tries = Self::check_deadlines(id, &mut b, now, params);
					work.deadlines = work.deadlines.saturating_add(1);
					work.draws = work.draws.saturating_add(tries);
				}
				_ => {
					work.idle = work.idle.saturating_add(1);
					return;
				}
			}
			Batches::<T>::insert(id, b);
		}

		/// Prunes batches of closed epochs and ledger entries past their history, up to
		/// `max_prunes_per_block` of each.
		fn prune(params: &WorkParams, work: &mut HookWork) {
			let current = T::EpochClock::current_epoch();
			// Batches: epochs `e` with `e + settlement_epochs <= current`.
			let mut cursor = BatchPruneCursor::<T>::get();
			let mut budget = params.max_prunes_per_block;
			let mut steps = 0u32;
			while budget > 0
				&& steps < MAX_TIMER_STEPS
				&& cursor.saturating_add(params.settlement_epochs) <= current
			{
				steps = steps.saturating_add(1);
				let ids: alloc::vec::Vec<BatchId> =
					BatchesByEpoch::<T>::iter_key_prefix(cursor).take(budget as usize).collect();
				let exhausted = (ids.len() as u32) < budget;
				for id in ids {
					BatchesByEpoch::<T>::remove(cursor, id);
					if let Some(b) = Batches::<T>::take(id) {
						for a in b.rechecks.iter() {
							Self::close_assignment(a.rechecker, id);
						}
					}
					budget = budget.saturating_sub(1);
					work.batches_pruned = work.batches_pruned.saturating_add(1);
				}
				if !exhausted {
					break;
				}
				cursor = cursor.saturating_add(1);
			}
			BatchPruneCursor::<T>::put(cursor);
			// Ledger: epochs past settlement and history.
			let keep = params.settlement_epochs.saturating_add(params.history_epochs);
			let mut cursor = LedgerPruneCursor::<T>::get();
			let mut budget = params.max_prunes_per_block;
			let mut steps = 0u32;
			while budget > 0 && steps < MAX_TIMER_STEPS && cursor.saturating_add(keep) <= current {
				steps = steps.saturating_add(1);
				let slots: alloc::vec::Vec<SlotId> =
					EpochWorks::<T>::iter_key_prefix(cursor).take(budget as usize).collect();
				let exhausted = (slots.len() as u32) < budget;
				for slot in slots {
					EpochWorks::<T>::remove(cursor, slot);
					budget = budget.saturating_sub(1);
					work.ledger_pruned = work.ledger_pruned.saturating_add(1);
				}
				if !exhausted {
					break;
				}
				cursor = cursor.saturating_add(1);
			}
			LedgerPruneCursor::<T>::put(cursor);
		}

		/// The weight of what the hook did, by the benchmarked figures: a base, each timer by
		/// its kind, each draw try by the slope of `timer_sample`, each pruned entry.
		fn hook_weight(work: &HookWork, steps: u32) -> Weight {
			let per_draw = Self::draw_try_weight();
			let times = |w: Weight, n: u32| w.saturating_mul(u64::from(n));
			T::WeightInfo::on_initialize_idle()
				.saturating_add(T::DbWeight::get().reads(u64::from(steps)))
				.saturating_add(times(T::WeightInfo::timer_sample(0), work.samplings))
				.saturating_add(times(
					T::WeightInfo::timer_deadline()
						.saturating_add(Self::on_work_weight(MAX_RECHECKERS)),
					work.deadlines,
				))
				.saturating_add(times(per_draw, work.draws))
				.saturating_add(times(T::WeightInfo::timer_idle(), work.idle))
				.saturating_add(times(T::WeightInfo::prune_batch(), work.batches_pruned))
				.saturating_add(times(T::WeightInfo::prune_ledger(), work.ledger_pruned))
		}

		/// Runs the block hook's work for `now` (the benchmarks measure it).
		#[cfg(feature = "runtime-benchmarks")]
		pub fn hook(now: BlockNumberFor<T>) -> HookWork {
			let params = Params::<T>::get();
			let mut work = HookWork::default();
			Self::run_timers(now, &params, &mut work);
			Self::prune(&params, &mut work);
			work
		}

		/// Adds `slot` to its neuronet's active index.
		pub(crate) fn index_active(slot: SlotId, neuronet: NeuronetId) {
			if ActivePosition::<T>::contains_key(slot) {
				return;
			}
			let count = ActiveCount::<T>::get(neuronet);
			ActiveSlots::<T>::insert(neuronet, count, slot);
			ActivePosition::<T>::insert(slot, (neuronet, count));
			ActiveCount::<T>::insert(neuronet, count.saturating_add(1));
		}

		/// Removes `slot` from its neuronet's active index: the last entry takes its place.
		pub(crate) fn unindex_active(slot: SlotId) {
			let Some((neuronet, position)) = ActivePosition::<T>::take(slot) else { return };
			let last = ActiveCount::<T>::get(neuronet).saturating_sub(1);
			if position != last {
				if let Some(moved) = ActiveSlots::<T>::get(neuronet, last) {
					ActiveSlots::<T>::insert(neuronet, position, moved);
					ActivePosition::<T>::insert(moved, (neuronet, position));
				}
			}
			ActiveSlots::<T>::remove(neuronet, last);
			ActiveCount::<T>::insert(neuronet, last);
		}

		/// Gives each open assignment of a closing slot to a fresh draw (bounded by
		/// `max_open_assignments`); the slot is not blamed.
		pub(crate) fn vacate(slot: SlotId) {
			let params = Params::<T>::get();
			let now = frame_system::Pallet::<T>::block_number();
			let batches: alloc::vec::Vec<BatchId> = AssignmentsOf::<T>::iter_key_prefix(slot)
				.take(params.max_open_assignments as usize)
				.collect();
			for id in batches {
				let Some(mut b) = Batches::<T>::get(id) else {
					AssignmentsOf::<T>::remove(slot, id);
					continue;
				};
				if let Some(position) = b.rechecks.iter().position(|a| a.rechecker == slot) {
					Self::reassign(id, &mut b, position, now, &params);
					Self::maybe_settle(id, &mut b);
					Batches::<T>::insert(id, b);
				}
				AssignmentsOf::<T>::remove(slot, id);
			}
		}

		/// The pallet's invariants: the active index is a permutation of its positions; every
		/// batch is indexed under its epoch; every open assignment names a live slot and is
		/// indexed, and each ledger counts its slot's open assignments; the served work of
		/// every epoch still held equals the total of its confirmed batches.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			for (neuronet, count) in ActiveCount::<T>::iter() {
				for position in 0..count {
					let slot = ActiveSlots::<T>::get(neuronet, position)
						.ok_or("a hole in the active index")?;
					ensure!(
						ActivePosition::<T>::get(slot) == Some((neuronet, position)),
						"active position out of step"
					);
					ensure!(
						T::Neuronets::slot(slot)
							.is_some_and(|s| s.active && s.neuronet == neuronet),
						"an indexed slot is not an active slot of the neuronet"
					);
				}
				ensure!(
					ActiveSlots::<T>::get(neuronet, count).is_none(),
					"an entry beyond the active count"
				);
			}
			let mut open: BTreeMap<SlotId, u32> = BTreeMap::new();
			let mut served: BTreeMap<(EpochIndex, SlotId), u64> = BTreeMap::new();
			for (id, b) in Batches::<T>::iter() {
				ensure!(id < NextBatchId::<T>::get(), "a batch id from the future");
				ensure!(BatchesByEpoch::<T>::contains_key(b.epoch, id), "batch not in its epoch");
				let live = matches!(b.status, BatchStatus::Rechecking | BatchStatus::Disputed);
				for a in b.rechecks.iter() {
					let is_open =
						matches!(a.state, AssignmentState::Waiting | AssignmentState::Committed(_));
					if live && is_open {
						ensure!(
							T::Neuronets::slot(a.rechecker).is_some(),
							"a re-checker is no live slot"
						);
						ensure!(
							AssignmentsOf::<T>::contains_key(a.rechecker, id),
							"an open assignment not indexed"
						);
						*open.entry(a.rechecker).or_default() += 1;
					}
				}
				if b.status == BatchStatus::Confirmed {
					let entry = served.entry((b.epoch, b.slot)).or_default();
					*entry = entry.saturating_add(b.confirmed_work);
				}
			}
			ensure!(
				AssignmentsOf::<T>::iter().count() == open.values().sum::<u32>() as usize,
				"a stale assignment index entry"
			);
			for (slot, ledger) in SlotLedgers::<T>::iter() {
				ensure!(
					ledger.open_assignments == open.get(&slot).copied().unwrap_or(0),
					"open assignment count out of step"
				);
			}
			// Epochs whose batches are all still held: their served work is exactly the
			// confirmed batches' total.
			for (epoch, slot, w) in EpochWorks::<T>::iter() {
				if epoch >= BatchPruneCursor::<T>::get() {
					ensure!(
						w.served == served.get(&(epoch, slot)).copied().unwrap_or(0),
						"served work differs from the confirmed batches"
					);
				}
			}
			for ((epoch, slot), total) in served {
				ensure!(
					EpochWorks::<T>::get(epoch, slot).served == total,
					"a confirmed batch's work is not in the ledger"
				);
			}
			Self::check(&Params::<T>::get()).map_err(|_| "parameters out of bounds")?;
			Ok(())
		}
	}
}

impl<T: Config> aetron_primitives::traits::OnSlotChange for Pallet<T> {
	fn slot_opened(slot: SlotId, _: NeuronetId) {
		SlotLedgers::<T>::insert(slot, SlotLedger::default());
	}

	fn slot_activated(slot: SlotId, neuronet: NeuronetId) {
		Self::index_active(slot, neuronet);
	}

	fn slot_closed(slot: SlotId, _: NeuronetId) {
		Self::unindex_active(slot);
		Self::vacate(slot);
		SlotLedgers::<T>::remove(slot);
	}

	/// [`Pallet::closing_weight`] by the parameters in force, and the read of them.
	fn slot_closed_weight() -> frame_support::weights::Weight {
		use frame_support::traits::Get as _;
		Self::closing_weight(&Params::<T>::get()).saturating_add(T::DbWeight::get().reads(1))
	}
}

impl<T: Config> aetron_primitives::traits::ActiveSlots for Pallet<T> {
	fn active_count(neuronet: NeuronetId) -> u32 {
		ActiveCount::<T>::get(neuronet)
	}

	fn active_at(neuronet: NeuronetId, position: u32) -> Option<SlotId> {
		ActiveSlots::<T>::get(neuronet, position)
	}
}

impl<T: Config> aetron_primitives::traits::WorkLedger for Pallet<T> {
	fn epoch_work(slot: SlotId, epoch: EpochIndex) -> EpochWork {
		EpochWorks::<T>::get(epoch, slot)
	}

	fn epoch_closed(epoch: EpochIndex) -> bool {
		Self::epoch_closed(epoch)
	}
}

impl<T: Config> DisputeResolution for Pallet<T> {
	fn resolve(batch: BatchId, outcome: DisputeOutcome) {
		let Some(mut b) = Batches::<T>::get(batch) else { return };
		if b.status != BatchStatus::Disputed {
			return;
		}
		let total = b.root.sum;
		match outcome {
			_ if Self::epoch_closed(b.epoch) => Self::expire(batch, &mut b),
			DisputeOutcome::MinerHonest => Self::confirm(batch, &mut b, total),
			DisputeOutcome::NoFault { excluded } => {
				Self::confirm(batch, &mut b, total.saturating_sub(excluded))
			}
			DisputeOutcome::MinerGuilty => {
				b.status = BatchStatus::Rejected;
				for a in b.rechecks.iter() {
					Self::close_assignment(a.rechecker, batch);
				}
				Self::deposit_event(Event::BatchRejected { batch });
			}
		}
		Batches::<T>::insert(batch, b);
	}

	/// Confirming pays every position as the reveal that settles a batch does, so that reveal's
	/// benchmark bounds it.
	fn resolve_weight() -> frame_support::weights::Weight {
		T::WeightInfo::reveal_verdict(0, MAX_RECHECKERS)
			.saturating_add(Self::on_work_weight(MAX_RECHECKERS))
	}
}
