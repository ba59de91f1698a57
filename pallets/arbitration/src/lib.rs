//! # Arbitration: disputes, arbiter panels and what winners and losers get
//!
//! A re-checker that reveals a failure opens a dispute (DESIGN §7) through the work pallet's
//! [`DisputeHook`]: the dispute names the batch, the sample and leaf, the miner slot and the
//! challenger slot, and the challenger's coldkey puts `challenger_bond` on hold (a coldkey that
//! cannot pay opens nothing: [`DisputeRefused::BondUnpaid`]).
//!
//! ## Life of a dispute
//! - `Answering` (unavailable-data disputes only): the miner may post the leaf with
//!   [`Pallet::answer`] within `answer_window`; the chain checks the proof against the
//!   committed root and the header's hashes ([`aetron_primitives::arbitration::check_answer`]).
//!   No answer: the miner loses without a panel; an answer the panel finds honest cures the
//!   dispute (nobody loses).
//! - `Drawing`: once randomness from a block after the dispute became ready is known, a panel
//!   of `panel_size` arbiters is drawn from the neuronet's active slots (through
//!   [`ActiveSlots`], the work pallet's O(1) index): `may_arbitrate`, not on probation, of
//!   other coldkeys than both parties and each other, at most `max_draw_tries` tries a seat,
//!   the most reputable slot drawn when no try meets the threshold. A panel that cannot be
//!   filled ends no-fault.
//! - `Voting`: arbiters re-execute the leaf on the reference backend, then
//!   [`Pallet::commit_vote`] and [`Pallet::reveal_vote`] `{miner_honest, digest}`. The
//!   majority of revealed votes decides; a tie (no reveal at all included) is no-fault.
//! - `Decided`: kept `keep_decided` blocks for workers and UIs, then pruned.
//!
//! ## Outcomes
//! - Miner lost: the miner forfeits the batch's epoch ([`Forfeits`], with a bounty of
//!   `bounty_share` of the forfeited emission owed to the challenger's coldkey), reputation
//!   zero and probation (`arbitration_lost`); the bond goes back.
//! - Challenger lost: the challenger forfeits the batch's epoch, loses
//!   `challenger_penalty` of its reputation, and its bond goes to the treasury.
//! - No fault: the bond goes back; the batch counts without the disputed leaf's work.
//! - Cured (an unavailable leaf the miner posted and the panel found honest): nobody loses,
//!   as the challenger reported the truth and the miner mended it; the bond goes back and the
//!   batch counts in full.
//! - Arbiters absent or in the minority lose `arbiter_penalty` of their reputation.
//!
//! When the last open dispute of a batch is decided the batch is resolved through
//! [`DisputeResolution`]: rejected if any found the miner cheated, otherwise confirmed less
//! what no-fault rulings left out.
//!
//! ## Bounded work
//! Every call is O(1) in the number of disputes and slots (O(panel size) at most, a bounded
//! constant). Deadlines, draws and pruning run from a per-block timer map drained up to
//! `max_timers_per_block`; the forfeit ledger is pruned up to `max_prunes_per_block` a block.
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

use aetron_primitives::traits::{
	ActiveSlots, DisputeHook, DisputeRefused, DisputeRequest, DisputeResolution, EpochIndex,
	Forfeits, SlotId,
};

/// What the benchmarks need from the runtime: slots in the registry and the active index,
/// and randomness.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Opens an active slot in `neuronet` with these keys and `reputation`, indexed as active.
	fn active_slot(
		neuronet: NeuronetId,
		coldkey: AccountId,
		hotkey: AccountId,
		reputation: sp_runtime::Perbill,
	) -> SlotId;
	/// Makes randomness from the parent block known.
	fn fresh_randomness();
}

/// The subject the panel randomness is asked for.
pub const PANEL_SUBJECT: &[u8] = b"aetron/arbitration/panel";

/// Timer blocks (and epochs, when pruning) the hook steps over at most per block.
pub const MAX_TIMER_STEPS: u32 = 16;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aetron_primitives::{
		arbitration::{
			check_answer, panel_position, panel_seed, vote_hash, DisputedLeaf, LeafAnswer, Vote,
			MAX_PANEL,
		},
		traits::{DisputeOutcome, EpochClock, NeuronetsInspect, ReputationOf, ReputationUpdate},
		work::FailureKind,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
			Randomness,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{Saturating, Zero},
		Perbill,
	};

	/// The balance type of [`Config::Currency`].
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// The parameters with the runtime's balance.
	pub type ParamsOf<T> = ArbitrationParams<BalanceOf<T>>;
	/// A stored dispute.
	pub type DisputeOf<T> =
		Dispute<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A challenger's bond on an open dispute.
		ChallengerBond,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency bonds are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ InspectHold<Self::AccountId>
			+ Mutate<Self::AccountId>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// The slots and their keys.
		type Neuronets: NeuronetsInspect<Self::AccountId>;
		/// Each neuronet's active slots, for the panel draw.
		type ActiveSlots: ActiveSlots;
		/// Reputation: who may arbitrate, and what losers lose.
		type Reputation: ReputationOf + ReputationUpdate;
		/// The emission epoch (for pruning the forfeit ledger).
		type EpochClock: EpochClock;
		/// Randomness with the block it became known (BABE's VRF output of the parent block):
		/// a panel is drawn with randomness known only after its dispute became ready.
		type Randomness: Randomness<Option<Self::Hash>, BlockNumberFor<Self>>;
		/// Settles a batch once its disputes are decided (the work pallet).
		type Resolution: DisputeResolution;
		/// Where a losing challenger's bond goes.
		type Treasury: Get<Self::AccountId>;
		/// May change the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Weights of the calls and the hook.
		type WeightInfo: WeightInfo;
		/// Makes slots and randomness for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The parameters in force.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, ParamsOf<T>, ValueQuery>;

	/// The id the next dispute gets.
	#[pallet::storage]
	pub type NextDisputeId<T> = StorageValue<_, DisputeId, ValueQuery>;

	/// Every dispute not yet pruned.
	#[pallet::storage]
	pub type Disputes<T: Config> = StorageMap<_, Twox64Concat, DisputeId, DisputeOf<T>>;

	/// Leaves miners posted, until their dispute is decided.
	#[pallet::storage]
	pub type Answers<T> = StorageMap<_, Twox64Concat, DisputeId, LeafAnswer>;

	/// Every slot's disputes by role (miner, challenger, arbiter), until pruned.
	#[pallet::storage]
	pub type Parties<T> =
		StorageDoubleMap<_, Twox64Concat, SlotId, Twox64Concat, DisputeId, Role, OptionQuery>;

	/// Open panel seats (owing a vote) by arbiter slot.
	#[pallet::storage]
	pub type OpenSeats<T> =
		StorageDoubleMap<_, Twox64Concat, SlotId, Twox64Concat, DisputeId, (), OptionQuery>;

	/// How many open seats each slot holds (the draw skips busy slots in O(1)).
	#[pallet::storage]
	pub type OpenSeatCount<T> = StorageMap<_, Twox64Concat, SlotId, u32, ValueQuery>;

	/// The open disputes of each batch with a disputed leaf.
	#[pallet::storage]
	pub type Tallies<T> = StorageMap<_, Twox64Concat, BatchId, Tally>;

	/// The forfeit ledger: slots that get no emission for an epoch.
	#[pallet::storage]
	pub type Forfeited<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Twox64Concat,
		SlotId,
		Forfeit<T::AccountId>,
		OptionQuery,
	>;

	/// How many disputes over batches of each epoch are not yet decided (emission pays an epoch
	/// only once none is).
	#[pallet::storage]
	pub type OpenByEpoch<T> = StorageMap<_, Twox64Concat, EpochIndex, u32, ValueQuery>;

	/// Disputes to look at in a block.
	#[pallet::storage]
	pub type Timers<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Twox64Concat,
		DisputeId,
		(),
		OptionQuery,
	>;

	/// The earliest block whose timers may not all have run.
	#[pallet::storage]
	pub type TimerCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The earliest epoch whose forfeits may not all be pruned.
	#[pallet::storage]
	pub type ForfeitPruneCursor<T> = StorageValue<_, EpochIndex, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first parameters.
		pub params: ParamsOf<T>,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(
				Pallet::<T>::check(&self.params).is_ok(),
				"genesis arbitration params out of bounds"
			);
			Params::<T>::put(self.params);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance set new parameters.
		ParamsSet {
			/// The parameters now in force.
			params: ParamsOf<T>,
		},
		/// A revealed failure opened a dispute; the challenger's bond is held.
		DisputeOpened {
			/// The dispute.
			dispute: DisputeId,
			/// The batch.
			batch: BatchId,
			/// The miner's slot.
			miner: SlotId,
			/// The challenger's slot.
			challenger: SlotId,
			/// The disputed leaf.
			leaf_index: u32,
			/// Why it failed.
			kind: FailureKind,
			/// The bond held from the challenger's coldkey.
			bond: BalanceOf<T>,
		},
		/// The miner posted the disputed leaf and the chain accepted it.
		LeafAnswered {
			/// The dispute.
			dispute: DisputeId,
			/// The leaf's work units.
			work_units: u64,
		},
		/// The panel was drawn.
		PanelDrawn {
			/// The dispute.
			dispute: DisputeId,
			/// The arbiters' slots.
			arbiters: BoundedVec<SlotId, ConstU32<MAX_PANEL>>,
		},
		/// An arbiter committed its vote.
		VoteCommitted {
			/// The dispute.
			dispute: DisputeId,
			/// The arbiter.
			arbiter: SlotId,
		},
		/// An arbiter revealed its vote.
		VoteRevealed {
			/// The dispute.
			dispute: DisputeId,
			/// The arbiter.
			arbiter: SlotId,
			/// Its vote.
			vote: Vote,
		},
		/// An arbiter's slot closed with its vote owed; its seat is neither counted nor blamed.
		ArbiterLeft {
			/// The dispute.
			dispute: DisputeId,
			/// The arbiter.
			arbiter: SlotId,
		},
		/// The dispute was decided.
		DisputeDecided {
			/// The dispute.
			dispute: DisputeId,
			/// The batch.
			batch: BatchId,
			/// The ruling.
			ruling: Ruling,
			/// Revealed votes for the miner.
			honest: u32,
			/// Revealed votes against it.
			guilty: u32,
		},
		/// A slot forfeited its emission for an epoch.
		Forfeited {
			/// The slot.
			slot: SlotId,
			/// The epoch.
			epoch: EpochIndex,
		},
		/// An arbiter did not reveal, or voted with the minority, and lost reputation.
		ArbiterPenalized {
			/// The dispute.
			dispute: DisputeId,
			/// The arbiter.
			arbiter: SlotId,
			/// Whether it revealed (and so was in the minority) or not.
			revealed: bool,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No dispute has this id (or it was pruned).
		UnknownDispute,
		/// No slot has this id.
		UnknownSlot,
		/// Only the slot's hotkey may do this.
		NotHotkey,
		/// Only the disputed batch's miner may answer.
		NotMiner,
		/// The dispute does not wait for an answer (not about unavailable data, answered, or
		/// past its answer deadline).
		NotAnswering,
		/// The answer posts more bytes than `max_answer_bytes`.
		AnswerTooLarge,
		/// The answer's proof does not lead to the committed root.
		AnswerBadProof,
		/// The answer's header names another slot, neuronet or batch.
		AnswerMisattributed,
		/// The answer's request or response is not the one its header hashes.
		AnswerBodyMismatch,
		/// The answer's client signature is not the one its header hashes.
		AnswerSignatureMismatch,
		/// The dispute's panel is not voting.
		NotVoting,
		/// The slot holds no seat on this panel.
		NotOnPanel,
		/// The arbiter already committed.
		AlreadyCommitted,
		/// The commit deadline passed.
		CommitClosed,
		/// Nothing was committed to reveal.
		NotCommitted,
		/// The vote was revealed already.
		AlreadyRevealed,
		/// Reveals open once the commit deadline passed or every arbiter committed.
		RevealNotOpen,
		/// The reveal deadline passed.
		RevealClosed,
		/// The vote and salt do not hash to the commitment.
		HashMismatch,
		/// A parameter is outside its bounds (see [`bounds`]).
		ParamOutOfBounds,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Runs due timers (answer deadlines, panel draws, decisions, pruning) and prunes the
		/// forfeit ledger, each up to its per-block bound.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let params = Params::<T>::get();
			let mut work = HookWork::default();
			let steps = Self::run_timers(now, &params, &mut work);
			Self::prune_forfeits(&params, &mut work);
			Self::hook_weight(&work, steps)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Posts the leaf of an unavailable-data dispute over `dispute`'s batch: the artefact
		/// header, request, response, client signature and proof. The miner's hotkey only,
		/// within the answer window; the chain checks the proof against the committed root
		/// and the header's hashes. Free when valid.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::answer(
			answer.request.len().saturating_add(answer.response.len()) as u32
		))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, dispute: &DisputeId, answer: &alloc::boxed::Box<LeafAnswer>| -> bool {
			Pallet::<T>::answer_allowed(origin, *dispute, answer).is_ok()
		})]
		pub fn answer(
			origin: OriginFor<T>,
			dispute: DisputeId,
			answer: alloc::boxed::Box<LeafAnswer>,
		) -> DispatchResultWithPostInfo {
			let (mut d, work_units) = Self::answer_allowed(&origin, dispute, &answer)?;
			let now = frame_system::Pallet::<T>::block_number();
			d.leaf_work = Some(work_units);
			d.phase = Phase::Drawing { since: now };
			Self::reschedule(dispute, &mut d, Self::draw_at(now));
			Disputes::<T>::insert(dispute, d);
			Answers::<T>::insert(dispute, *answer);
			Self::deposit_event(Event::LeafAnswered { dispute, work_units });
			Ok(Pays::No.into())
		}

		/// Commits arbiter `arbiter`'s vote on `dispute` as
		/// `blake2_256(SCALE(vote) ‖ salt ‖ arbiter ‖ dispute)`. Its hotkey only, before the
		/// commit deadline; free when valid.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::commit_vote())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, arbiter: &SlotId, dispute: &DisputeId, _commitment: &[u8; 32]| -> bool {
			Pallet::<T>::commit_vote_allowed(origin, *arbiter, *dispute).is_ok()
		})]
		pub fn commit_vote(
			origin: OriginFor<T>,
			arbiter: SlotId,
			dispute: DisputeId,
			commitment: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let (mut d, seat) = Self::commit_vote_allowed(&origin, arbiter, dispute)?;
			if let Some(s) = d.panel.get_mut(seat) {
				s.vote = VoteState::Committed(commitment);
			}
			Disputes::<T>::insert(dispute, d);
			Self::deposit_event(Event::VoteCommitted { dispute, arbiter });
			Ok(Pays::No.into())
		}

		/// Reveals the vote `arbiter` committed on `dispute`. After the commit deadline (or
		/// once every arbiter committed) and before the reveal deadline; free when valid. The
		/// last reveal decides the dispute.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reveal_vote(MAX_PANEL).saturating_add(T::Resolution::resolve_weight()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, arbiter: &SlotId, dispute: &DisputeId, vote: &Vote, salt: &[u8; 32]| -> bool {
			Pallet::<T>::reveal_vote_allowed(origin, *arbiter, *dispute, vote, salt).is_ok()
		})]
		pub fn reveal_vote(
			origin: OriginFor<T>,
			arbiter: SlotId,
			dispute: DisputeId,
			vote: Vote,
			salt: [u8; 32],
		) -> DispatchResultWithPostInfo {
			let (mut d, seat) = Self::reveal_vote_allowed(&origin, arbiter, dispute, &vote, &salt)?;
			if let Some(s) = d.panel.get_mut(seat) {
				s.vote = VoteState::Revealed(vote);
			}
			Self::close_seat(arbiter, dispute);
			Self::deposit_event(Event::VoteRevealed { dispute, arbiter, vote });
			let decided = !d.panel.iter().any(|s| s.vote.is_open());
			let weight = if decided {
				let now = frame_system::Pallet::<T>::block_number();
				Self::decide_by_votes(dispute, &mut d, now, &Params::<T>::get());
				T::WeightInfo::reveal_vote(d.panel.len() as u32)
					.saturating_add(T::Resolution::resolve_weight())
			} else {
				T::WeightInfo::reveal_vote(0)
			};
			Disputes::<T>::insert(dispute, d);
			Ok(frame_support::dispatch::PostDispatchInfo {
				actual_weight: Some(weight),
				pays_fee: Pays::No,
			})
		}

		/// Sets the parameters ([`Config::GovernanceOrigin`] only), within their bounds.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: ParamsOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check(&params)?;
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Refuses parameters outside [`bounds`].
		pub fn check(p: &ParamsOf<T>) -> Result<(), Error<T>> {
			use bounds::*;
			let within = |v: u32, lo: u32, hi: u32| (lo..=hi).contains(&v);
			let ok = within(p.panel_size, 1, MAX_PANEL_SIZE)
				&& p.panel_size % 2 == 1
				&& within(p.answer_window, 1, MAX_WINDOW)
				&& within(p.commit_window, 1, MAX_WINDOW)
				&& within(p.reveal_window, 1, MAX_WINDOW)
				&& within(p.max_draw_tries, 1, MAX_DRAW_TRIES)
				&& within(p.max_open_panels, 1, MAX_OPEN_PANELS)
				&& within(p.max_timers_per_block, 1, MAX_PER_BLOCK)
				&& within(p.keep_decided, 1, MAX_KEEP_DECIDED)
				&& within(p.forfeit_history_epochs, MIN_FORFEIT_HISTORY, MAX_FORFEIT_HISTORY)
				&& within(p.max_prunes_per_block, 1, MAX_PER_BLOCK)
				&& within(p.max_answer_bytes, 1, MAX_ANSWER_BYTES);
			ok.then_some(()).ok_or(Error::<T>::ParamOutOfBounds)
		}

		/// The dispute and the leaf's work units, if `origin` (the miner's hotkey) may post
		/// `answer` now and it checks out.
		pub fn answer_allowed(
			origin: &OriginFor<T>,
			dispute: DisputeId,
			answer: &LeafAnswer,
		) -> Result<(DisputeOf<T>, u64), DispatchError> {
			let who = ensure_signed(origin.clone())?;
			let d = Disputes::<T>::get(dispute).ok_or(Error::<T>::UnknownDispute)?;
			let miner = T::Neuronets::slot(d.miner).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(miner.hotkey == who, Error::<T>::NotMiner);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				matches!(d.phase, Phase::Answering { deadline } if now <= deadline),
				Error::<T>::NotAnswering
			);
			let bytes = answer.request.len().saturating_add(answer.response.len());
			ensure!(
				bytes <= Params::<T>::get().max_answer_bytes as usize,
				Error::<T>::AnswerTooLarge
			);
			let leaf = DisputedLeaf {
				root: d.root,
				leaf_count: d.leaf_count,
				leaf_index: d.leaf_index,
				slot: d.miner,
				neuronet: d.neuronet,
				batch_number: d.batch_number,
			};
			use aetron_primitives::arbitration::AnswerError;
			let work = check_answer(answer, &leaf).map_err(|e| match e {
				AnswerError::BadProof => Error::<T>::AnswerBadProof,
				AnswerError::Misattributed => Error::<T>::AnswerMisattributed,
				AnswerError::BodyMismatch => Error::<T>::AnswerBodyMismatch,
				AnswerError::SignatureMismatch => Error::<T>::AnswerSignatureMismatch,
			})?;
			Ok((d, work))
		}

		/// The dispute and `arbiter`'s seat, if `origin` (its hotkey) may commit now.
		pub fn commit_vote_allowed(
			origin: &OriginFor<T>,
			arbiter: SlotId,
			dispute: DisputeId,
		) -> Result<(DisputeOf<T>, usize), DispatchError> {
			let (d, seat, commit_deadline, _) = Self::seated(origin, arbiter, dispute)?;
			let s = d.panel.get(seat).ok_or(Error::<T>::NotOnPanel)?;
			ensure!(s.vote == VoteState::Waiting, Error::<T>::AlreadyCommitted);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now <= commit_deadline, Error::<T>::CommitClosed);
			Ok((d, seat))
		}

		/// The dispute and `arbiter`'s seat, if `origin` (its hotkey) may reveal `vote` with
		/// `salt` now.
		pub fn reveal_vote_allowed(
			origin: &OriginFor<T>,
			arbiter: SlotId,
			dispute: DisputeId,
			vote: &Vote,
			salt: &[u8; 32],
		) -> Result<(DisputeOf<T>, usize), DispatchError> {
			let (d, seat, commit_deadline, reveal_deadline) =
				Self::seated(origin, arbiter, dispute)?;
			let s = d.panel.get(seat).ok_or(Error::<T>::NotOnPanel)?;
			let commitment = match s.vote {
				VoteState::Committed(hash) => hash,
				VoteState::Waiting => return Err(Error::<T>::NotCommitted.into()),
				VoteState::Revealed(_) => return Err(Error::<T>::AlreadyRevealed.into()),
				VoteState::Left => return Err(Error::<T>::NotOnPanel.into()),
			};
			let now = frame_system::Pallet::<T>::block_number();
			let all_committed = !d.panel.iter().any(|s| s.vote == VoteState::Waiting);
			ensure!(now > commit_deadline || all_committed, Error::<T>::RevealNotOpen);
			ensure!(now <= reveal_deadline, Error::<T>::RevealClosed);
			ensure!(
				vote_hash(vote, salt, arbiter, dispute) == commitment,
				Error::<T>::HashMismatch
			);
			Ok((d, seat))
		}

		/// The voting dispute, the seat `arbiter` holds on its panel and the commit and reveal
		/// deadlines, if `origin` is the arbiter's hotkey.
		#[allow(clippy::type_complexity)]
		fn seated(
			origin: &OriginFor<T>,
			arbiter: SlotId,
			dispute: DisputeId,
		) -> Result<(DisputeOf<T>, usize, BlockNumberFor<T>, BlockNumberFor<T>), DispatchError> {
			let who = ensure_signed(origin.clone())?;
			let info = T::Neuronets::slot(arbiter).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(info.hotkey == who, Error::<T>::NotHotkey);
			let d = Disputes::<T>::get(dispute).ok_or(Error::<T>::UnknownDispute)?;
			let Phase::Voting { commit_deadline, reveal_deadline } = d.phase else {
				return Err(Error::<T>::NotVoting.into());
			};
			let seat =
				d.panel.iter().position(|s| s.slot == arbiter).ok_or(Error::<T>::NotOnPanel)?;
			Ok((d, seat, commit_deadline, reveal_deadline))
		}

		/// The first block whose parent's randomness was unknown at `now`.
		fn draw_at(now: BlockNumberFor<T>) -> BlockNumberFor<T> {
			now.saturating_add(2u32.into())
		}

		/// Moves the dispute's timer to `at`.
		fn reschedule(id: DisputeId, d: &mut DisputeOf<T>, at: BlockNumberFor<T>) {
			Timers::<T>::remove(d.timer, id);
			Timers::<T>::insert(at, id, ());
			d.timer = at;
		}

		fn close_seat(arbiter: SlotId, dispute: DisputeId) {
			if OpenSeats::<T>::take(arbiter, dispute).is_some() {
				OpenSeatCount::<T>::mutate_exists(arbiter, |c| {
					let left = c.unwrap_or(0).saturating_sub(1);
					*c = (left > 0).then_some(left);
				});
			}
		}

		/// Opens a dispute for `request` (the [`DisputeHook`]).
		pub(crate) fn open(request: DisputeRequest) -> Result<DisputeId, DisputeRefused> {
			let params = Params::<T>::get();
			let miner = T::Neuronets::slot(request.miner).ok_or(DisputeRefused::UnknownParty)?;
			let challenger =
				T::Neuronets::slot(request.challenger).ok_or(DisputeRefused::UnknownParty)?;
			let bond = params.challenger_bond;
			if !bond.is_zero() {
				T::Currency::hold(&HoldReason::ChallengerBond.into(), &challenger.coldkey, bond)
					.map_err(|_| DisputeRefused::BondUnpaid)?;
			}
			let now = frame_system::Pallet::<T>::block_number();
			let id = NextDisputeId::<T>::get();
			NextDisputeId::<T>::put(id.saturating_add(1));
			OpenByEpoch::<T>::mutate(request.epoch, |n| *n = n.saturating_add(1));
			let (phase, timer) = if request.kind == FailureKind::Unavailable {
				let deadline = now.saturating_add(params.answer_window.into());
				(Phase::Answering { deadline }, deadline.saturating_add(1u32.into()))
			} else {
				(Phase::Drawing { since: now }, Self::draw_at(now))
			};
			Disputes::<T>::insert(
				id,
				Dispute {
					batch: request.batch,
					epoch: request.epoch,
					neuronet: request.neuronet,
					batch_number: request.batch_number,
					root: request.root,
					leaf_count: request.leaf_count,
					sample: request.sample,
					leaf_index: request.leaf_index,
					kind: request.kind,
					miner: request.miner,
					miner_coldkey: miner.coldkey,
					challenger: request.challenger,
					challenger_coldkey: challenger.coldkey,
					bond,
					opened_at: now,
					phase,
					leaf_work: None,
					panel: BoundedVec::new(),
					timer,
				},
			);
			Timers::<T>::insert(timer, id, ());
			Parties::<T>::insert(request.miner, id, Role::Miner);
			Parties::<T>::insert(request.challenger, id, Role::Challenger);
			Tallies::<T>::mutate(request.batch, |t| {
				let t = t.get_or_insert_with(Default::default);
				t.open = t.open.saturating_add(1);
			});
			Self::deposit_event(Event::DisputeOpened {
				dispute: id,
				batch: request.batch,
				miner: request.miner,
				challenger: request.challenger,
				leaf_index: request.leaf_index,
				kind: request.kind,
				bond,
			});
			Ok(id)
		}

		/// Draws seat `seat`: the first of up to `max_draw_tries` random active slots of the
		/// neuronet that may arbitrate, else the most reputable slot drawn. A candidate is
		/// active, not on probation, not busy, and of another coldkey than both parties and
		/// the seats drawn before. Returns the slot, its coldkey and the tries used.
		fn draw_seat(
			d: &DisputeOf<T>,
			seed: &[u8; 32],
			seat: u32,
			taken: &[(SlotId, T::AccountId)],
			params: &ParamsOf<T>,
		) -> (Option<(SlotId, T::AccountId)>, u32) {
			let active = T::ActiveSlots::active_count(d.neuronet);
			if active == 0 {
				return (None, 0);
			}
			let mut fallback: Option<(Perbill, SlotId, T::AccountId)> = None;
			for attempt in 0..params.max_draw_tries {
				let index = panel_position(seed, seat, attempt, active);
				let Some(slot) = T::ActiveSlots::active_at(d.neuronet, index) else { continue };
				let Some(info) = T::Neuronets::slot(slot) else { continue };
				let excluded = info.coldkey == d.miner_coldkey
					|| info.coldkey == d.challenger_coldkey
					|| taken.iter().any(|(s, c)| *s == slot || *c == info.coldkey);
				if excluded || !info.active || T::Reputation::on_probation(slot) {
					continue;
				}
				if OpenSeatCount::<T>::get(slot) >= params.max_open_panels {
					continue;
				}
				if T::Reputation::may_arbitrate(slot) {
					return (Some((slot, info.coldkey)), attempt.saturating_add(1));
				}
				let reputation = T::Reputation::reputation(slot);
				if fallback.as_ref().map_or(true, |(best, ..)| reputation > *best) {
					fallback = Some((reputation, slot, info.coldkey));
				}
			}
			(fallback.map(|(_, slot, coldkey)| (slot, coldkey)), params.max_draw_tries)
		}

		/// Draws the panel of a `Drawing` dispute if randomness from after it became ready is
		/// known; a panel that cannot be filled ends the dispute no-fault. Returns the tries.
		fn draw_panel(
			id: DisputeId,
			d: &mut DisputeOf<T>,
			now: BlockNumberFor<T>,
			params: &ParamsOf<T>,
		) -> u32 {
			let Phase::Drawing { since } = d.phase else { return 0 };
			let (random, known_since) = T::Randomness::random(PANEL_SUBJECT);
			let random = match random {
				Some(random) if known_since > since => random,
				_ => {
					let waited = now.saturating_sub(since);
					if waited >= bounds::MAX_DRAW_WAIT.into() {
						Self::decide(id, d, Ruling::NoFault, 0, 0, now, params);
					} else {
						Self::reschedule(id, d, now.saturating_add(1u32.into()));
					}
					return 0;
				}
			};
			let seed = panel_seed(random.as_ref(), id);
			let mut taken: alloc::vec::Vec<(SlotId, T::AccountId)> = alloc::vec::Vec::new();
			let mut tries = 0u32;
			for seat in 0..params.panel_size {
				let (drawn, used) = Self::draw_seat(d, &seed, seat, &taken, params);
				tries = tries.saturating_add(used);
				match drawn {
					Some(arbiter) => taken.push(arbiter),
					None => break,
				}
			}
			if (taken.len() as u32) < params.panel_size {
				Self::decide(id, d, Ruling::NoFault, 0, 0, now, params);
				return tries;
			}
			d.panel = BoundedVec::truncate_from(
				taken
					.iter()
					.map(|(slot, _)| Seat { slot: *slot, vote: VoteState::Waiting })
					.collect(),
			);
			for (slot, _) in &taken {
				OpenSeats::<T>::insert(slot, id, ());
				OpenSeatCount::<T>::mutate(slot, |c| *c = c.saturating_add(1));
				Parties::<T>::insert(slot, id, Role::Arbiter);
			}
			let commit_deadline = now.saturating_add(params.commit_window.into());
			let reveal_deadline = commit_deadline.saturating_add(params.reveal_window.into());
			d.phase = Phase::Voting { commit_deadline, reveal_deadline };
			Self::reschedule(id, d, reveal_deadline.saturating_add(1u32.into()));
			Self::deposit_event(Event::PanelDrawn {
				dispute: id,
				arbiters: BoundedVec::truncate_from(taken.into_iter().map(|(s, _)| s).collect()),
			});
			tries
		}

		/// Decides a `Voting` dispute by its revealed votes: the majority wins, a tie is
		/// no-fault. Arbiters that owe a vote, and those in a majority's minority, lose
		/// reputation.
		fn decide_by_votes(
			id: DisputeId,
			d: &mut DisputeOf<T>,
			now: BlockNumberFor<T>,
			params: &ParamsOf<T>,
		) {
			let (mut honest, mut guilty) = (0u32, 0u32);
			for s in d.panel.iter() {
				if let VoteState::Revealed(vote) = s.vote {
					if vote.miner_honest {
						honest = honest.saturating_add(1);
					} else {
						guilty = guilty.saturating_add(1);
					}
				}
			}
			let ruling = match honest.cmp(&guilty) {
				// An answered unavailable leaf: the challenger reported the truth.
				core::cmp::Ordering::Greater if d.kind == FailureKind::Unavailable => Ruling::Cured,
				core::cmp::Ordering::Greater => Ruling::ChallengerLost,
				core::cmp::Ordering::Less => Ruling::MinerLost,
				core::cmp::Ordering::Equal => Ruling::NoFault,
			};
			for s in d.panel.iter() {
				let blamed = match s.vote {
					VoteState::Waiting | VoteState::Committed(_) => Some(false),
					VoteState::Revealed(vote) => {
						let minority = match ruling {
							Ruling::ChallengerLost | Ruling::Cured => !vote.miner_honest,
							Ruling::MinerLost => vote.miner_honest,
							Ruling::NoFault => false,
						};
						minority.then_some(true)
					}
					VoteState::Left => None,
				};
				Self::close_seat(s.slot, id);
				if let Some(revealed) = blamed {
					T::Reputation::penalize(s.slot, params.arbiter_penalty);
					Self::deposit_event(Event::ArbiterPenalized {
						dispute: id,
						arbiter: s.slot,
						revealed,
					});
				}
			}
			Self::decide(id, d, ruling, honest, guilty, now, params);
		}

		/// Applies `ruling` to the parties, tallies the batch (resolving it when this was its
		/// last open dispute) and keeps the dispute readable until `keep_decided` has passed.
		fn decide(
			id: DisputeId,
			d: &mut DisputeOf<T>,
			ruling: Ruling,
			honest: u32,
			guilty: u32,
			now: BlockNumberFor<T>,
			params: &ParamsOf<T>,
		) {
			let reason = HoldReason::ChallengerBond.into();
			match ruling {
				Ruling::MinerLost => {
					Self::forfeit(
						d.miner,
						d.epoch,
						Some((d.challenger_coldkey.clone(), params.bounty_share)),
					);
					T::Reputation::arbitration_lost(d.miner);
					let _ = T::Currency::release(
						&reason,
						&d.challenger_coldkey,
						d.bond,
						Precision::BestEffort,
					);
				}
				Ruling::ChallengerLost => {
					Self::forfeit(d.challenger, d.epoch, None);
					T::Reputation::penalize(d.challenger, params.challenger_penalty);
					let _ = T::Currency::transfer_on_hold(
						&reason,
						&d.challenger_coldkey,
						&T::Treasury::get(),
						d.bond,
						Precision::BestEffort,
						Restriction::Free,
						Fortitude::Force,
					);
				}
				Ruling::NoFault | Ruling::Cured => {
					let _ = T::Currency::release(
						&reason,
						&d.challenger_coldkey,
						d.bond,
						Precision::BestEffort,
					);
				}
			}
			let tally = Tallies::<T>::mutate_exists(d.batch, |t| {
				let mut tally = t.unwrap_or_default();
				tally.open = tally.open.saturating_sub(1);
				tally.guilty |= ruling == Ruling::MinerLost;
				if ruling == Ruling::NoFault {
					tally.excluded = tally.excluded.saturating_add(d.excluded_work());
				}
				*t = (tally.open > 0).then_some(tally);
				tally
			});
			if tally.open == 0 {
				let outcome = if tally.guilty {
					DisputeOutcome::MinerGuilty
				} else if tally.excluded > 0 {
					DisputeOutcome::NoFault { excluded: tally.excluded }
				} else {
					DisputeOutcome::MinerHonest
				};
				T::Resolution::resolve(d.batch, outcome);
			}
			Answers::<T>::remove(id);
			OpenByEpoch::<T>::mutate_exists(d.epoch, |n| {
				*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0)
			});
			d.phase = Phase::Decided { ruling, honest, guilty, at: now };
			Self::reschedule(id, d, now.saturating_add(params.keep_decided.into()));
			Self::deposit_event(Event::DisputeDecided {
				dispute: id,
				batch: d.batch,
				ruling,
				honest,
				guilty,
			});
		}

		/// Records that `slot` forfeits `epoch` (a bounty already owed stays: the first
		/// challenger to prove the slot cheated in the epoch is the one paid).
		fn forfeit(slot: SlotId, epoch: EpochIndex, bounty: Option<(T::AccountId, Perbill)>) {
			Forfeited::<T>::mutate(epoch, slot, |f| match f {
				Some(f) if f.bounty.is_some() => {}
				_ => *f = Some(Forfeit { bounty }),
			});
			Self::deposit_event(Event::Forfeited { slot, epoch });
		}

		/// Processes the timers due by `now`, up to `max_timers_per_block`. Returns the timer
		/// blocks stepped over.
		fn run_timers(now: BlockNumberFor<T>, params: &ParamsOf<T>, work: &mut HookWork) -> u32 {
			let mut cursor = TimerCursor::<T>::get();
			let mut budget = params.max_timers_per_block;
			let mut steps = 0u32;
			while cursor <= now && budget > 0 && steps < MAX_TIMER_STEPS {
				let due: alloc::vec::Vec<DisputeId> =
					Timers::<T>::iter_key_prefix(cursor).take(budget as usize).collect();
				let exhausted = (due.len() as u32) < budget;
				for id in due {
					Timers::<T>::remove(cursor, id);
					budget = budget.saturating_sub(1);
					Self::run_timer(id, cursor, now, params, work);
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
			id: DisputeId,
			at: BlockNumberFor<T>,
			now: BlockNumberFor<T>,
			params: &ParamsOf<T>,
			work: &mut HookWork,
		) {
			let Some(mut d) = Disputes::<T>::get(id) else {
				work.idle = work.idle.saturating_add(1);
				return;
			};
			if d.timer != at {
				// A stale entry: the dispute was rescheduled.
				work.idle = work.idle.saturating_add(1);
				return;
			}
			match d.phase {
				Phase::Answering { .. } => {
					Self::decide(id, &mut d, Ruling::MinerLost, 0, 0, now, params);
					work.unanswered = work.unanswered.saturating_add(1);
				}
				Phase::Drawing { .. } => {
					let tries = Self::draw_panel(id, &mut d, now, params);
					work.draws = work.draws.saturating_add(1);
					work.tries = work.tries.saturating_add(tries);
				}
				Phase::Voting { .. } => {
					Self::decide_by_votes(id, &mut d, now, params);
					work.decisions = work.decisions.saturating_add(1);
				}
				Phase::Decided { .. } => {
					Self::prune(id, &d);
					work.pruned = work.pruned.saturating_add(1);
					return;
				}
			}
			Disputes::<T>::insert(id, d);
		}

		/// Removes a decided dispute and its index entries.
		fn prune(id: DisputeId, d: &DisputeOf<T>) {
			Parties::<T>::remove(d.miner, id);
			Parties::<T>::remove(d.challenger, id);
			for s in d.panel.iter() {
				Parties::<T>::remove(s.slot, id);
			}
			Disputes::<T>::remove(id);
		}

		/// Prunes forfeits older than `forfeit_history_epochs`, up to `max_prunes_per_block`.
		fn prune_forfeits(params: &ParamsOf<T>, work: &mut HookWork) {
			let current = T::EpochClock::current_epoch();
			let mut cursor = ForfeitPruneCursor::<T>::get();
			let mut budget = params.max_prunes_per_block;
			let mut steps = 0u32;
			while budget > 0
				&& steps < MAX_TIMER_STEPS
				&& cursor.saturating_add(params.forfeit_history_epochs) <= current
			{
				steps = steps.saturating_add(1);
				let slots: alloc::vec::Vec<SlotId> =
					Forfeited::<T>::iter_key_prefix(cursor).take(budget as usize).collect();
				let exhausted = (slots.len() as u32) < budget;
				for slot in slots {
					Forfeited::<T>::remove(cursor, slot);
					budget = budget.saturating_sub(1);
					work.forfeits_pruned = work.forfeits_pruned.saturating_add(1);
				}
				if !exhausted {
					break;
				}
				cursor = cursor.saturating_add(1);
			}
			ForfeitPruneCursor::<T>::put(cursor);
		}

		/// The weight of what the hook did, by the benchmarked figures.
		fn hook_weight(work: &HookWork, steps: u32) -> Weight {
			let per_try = T::WeightInfo::timer_draw(1).saturating_sub(T::WeightInfo::timer_draw(0));
			let times = |w: Weight, n: u32| w.saturating_mul(u64::from(n));
			let resolve = T::Resolution::resolve_weight();
			T::WeightInfo::on_initialize_idle()
				.saturating_add(T::DbWeight::get().reads(u64::from(steps)))
				.saturating_add(times(
					T::WeightInfo::timer_unanswered().saturating_add(resolve),
					work.unanswered,
				))
				.saturating_add(times(
					T::WeightInfo::timer_draw(0).saturating_add(resolve),
					work.draws,
				))
				.saturating_add(times(per_try, work.tries))
				.saturating_add(times(
					T::WeightInfo::timer_decide(MAX_PANEL).saturating_add(resolve),
					work.decisions,
				))
				.saturating_add(times(T::WeightInfo::timer_prune(), work.pruned))
				.saturating_add(times(T::WeightInfo::timer_idle(), work.idle))
				.saturating_add(times(T::WeightInfo::prune_forfeit(), work.forfeits_pruned))
		}

		/// Runs the block hook's work for `now` (the benchmarks measure it).
		#[cfg(feature = "runtime-benchmarks")]
		pub fn hook(now: BlockNumberFor<T>) -> HookWork {
			let params = Params::<T>::get();
			let mut work = HookWork::default();
			Self::run_timers(now, &params, &mut work);
			Self::prune_forfeits(&params, &mut work);
			work
		}

		/// Gives up every open seat of a closing slot (bounded by `max_open_panels`): it is
		/// neither counted nor blamed. Its disputes as a party go on with the coldkeys stored.
		pub(crate) fn vacate(slot: SlotId) {
			let limit = Params::<T>::get().max_open_panels as usize;
			let seats: alloc::vec::Vec<DisputeId> =
				OpenSeats::<T>::iter_key_prefix(slot).take(limit).collect();
			for id in seats {
				Self::close_seat(slot, id);
				let Some(mut d) = Disputes::<T>::get(id) else { continue };
				if let Some(s) = d.panel.iter_mut().find(|s| s.slot == slot && s.vote.is_open()) {
					s.vote = VoteState::Left;
					Disputes::<T>::insert(id, d);
					Self::deposit_event(Event::ArbiterLeft { dispute: id, arbiter: slot });
				}
			}
			OpenSeatCount::<T>::remove(slot);
		}

		/// The pallet's invariants: held bonds equal the open disputes' bonds; every open seat
		/// is a live slot, indexed and counted; every dispute has its timer, no later than its
		/// phase's deadline allows; each batch's tally counts its open disputes; answers exist
		/// only for open disputes.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			let mut bonds: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let mut seats: BTreeMap<SlotId, u32> = BTreeMap::new();
			let mut open: BTreeMap<BatchId, u32> = BTreeMap::new();
			let mut by_epoch: BTreeMap<EpochIndex, u32> = BTreeMap::new();
			for (id, d) in Disputes::<T>::iter() {
				ensure!(id < NextDisputeId::<T>::get(), "a dispute id from the future");
				ensure!(Timers::<T>::contains_key(d.timer, id), "a dispute without its timer");
				let one = BlockNumberFor::<T>::from(1u32);
				let latest = match d.phase {
					Phase::Answering { deadline } => deadline.saturating_add(one),
					Phase::Drawing { since } => since.saturating_add(bounds::MAX_DRAW_WAIT.into()),
					Phase::Voting { reveal_deadline, .. } => reveal_deadline.saturating_add(one),
					Phase::Decided { at, .. } => {
						at.saturating_add(Params::<T>::get().keep_decided.into())
					}
				};
				ensure!(d.timer <= latest, "a dispute outlives its deadline");
				ensure!(
					Parties::<T>::get(d.miner, id) == Some(Role::Miner)
						&& Parties::<T>::get(d.challenger, id) == Some(Role::Challenger),
					"a party not indexed"
				);
				if d.is_decided() {
					ensure!(!Answers::<T>::contains_key(id), "an answer kept past its decision");
					ensure!(
						!d.panel.iter().any(|s| OpenSeats::<T>::contains_key(s.slot, id)),
						"a decided dispute's seat still indexed"
					);
					continue;
				}
				let bond = bonds.entry(d.challenger_coldkey.clone()).or_default();
				*bond = bond.saturating_add(d.bond);
				*open.entry(d.batch).or_default() += 1;
				*by_epoch.entry(d.epoch).or_default() += 1;
				for s in d.panel.iter().filter(|s| s.vote.is_open()) {
					ensure!(T::Neuronets::slot(s.slot).is_some(), "a panel member is no live slot");
					ensure!(OpenSeats::<T>::contains_key(s.slot, id), "an open seat not indexed");
					*seats.entry(s.slot).or_default() += 1;
				}
			}
			for (who, bond) in bonds {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::ChallengerBond.into(), &who) == bond,
					"held bonds differ from the open disputes' bonds"
				);
			}
			ensure!(
				OpenSeats::<T>::iter().count() == seats.values().sum::<u32>() as usize,
				"a stale open-seat entry"
			);
			for (slot, count) in OpenSeatCount::<T>::iter() {
				ensure!(seats.get(&slot).copied() == Some(count), "open seat count out of step");
			}
			ensure!(
				OpenSeatCount::<T>::iter().count() == seats.len(),
				"a slot's open seats not counted"
			);
			for (batch, tally) in Tallies::<T>::iter() {
				ensure!(open.get(&batch).copied() == Some(tally.open), "a tally out of step");
			}
			ensure!(Tallies::<T>::iter().count() == open.len(), "a batch's disputes not tallied");
			ensure!(
				OpenByEpoch::<T>::iter().collect::<BTreeMap<_, _>>() == by_epoch,
				"open disputes per epoch out of step"
			);
			for id in Answers::<T>::iter_keys() {
				ensure!(Disputes::<T>::contains_key(id), "an answer without its dispute");
			}
			Self::check(&Params::<T>::get()).map_err(|_| "parameters out of bounds")?;
			Ok(())
		}
	}
}

impl<T: Config> DisputeHook for Pallet<T> {
	fn open_dispute(request: DisputeRequest) -> Result<DisputeId, DisputeRefused> {
		Self::open(request)
	}

	fn open_dispute_weight() -> frame_support::weights::Weight {
		T::WeightInfo::open_dispute()
	}
}

impl<T: Config> Forfeits<T::AccountId> for Pallet<T> {
	fn is_forfeited(slot: SlotId, epoch: EpochIndex) -> bool {
		Forfeited::<T>::contains_key(epoch, slot)
	}

	fn bounty(slot: SlotId, epoch: EpochIndex) -> Option<(T::AccountId, sp_runtime::Perbill)> {
		Forfeited::<T>::get(epoch, slot).and_then(|f| f.bounty)
	}

	fn epoch_decided(epoch: EpochIndex) -> bool {
		!OpenByEpoch::<T>::contains_key(epoch)
	}

	fn retention_epochs() -> EpochIndex {
		Params::<T>::get().forfeit_history_epochs
	}
}

impl<T: Config> aetron_primitives::traits::OnSlotChange for Pallet<T> {
	fn slot_opened(_: SlotId, _: NeuronetId) {}

	fn slot_activated(_: SlotId, _: NeuronetId) {}

	fn slot_closed(slot: SlotId, _: NeuronetId) {
		Self::vacate(slot);
	}

	/// Each of up to `max_open_panels` open seats given up (`vacate`'s slope), and the read
	/// of the parameters this takes.
	fn slot_closed_weight() -> frame_support::weights::Weight {
		use frame_support::traits::Get as _;
		let seats = Params::<T>::get().max_open_panels;
		T::WeightInfo::vacate(seats)
			.saturating_sub(T::WeightInfo::vacate(0))
			.saturating_add(T::DbWeight::get().reads(1))
	}
}
