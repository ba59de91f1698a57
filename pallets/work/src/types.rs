//! The pallet's domain types: its tunables, batches and their re-check assignments, and each
//! slot's running ledger.

use aetron_primitives::{
	merkle::{SumNode, MAX_LEAVES},
	traits::{EpochIndex, SlotId},
	work::{MAX_RECHECKERS, MAX_SAMPLES_PER_RECHECKER},
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::ConstU32, BoundedVec};
use scale_info::TypeInfo;

pub use aetron_primitives::{artefact::NeuronetId, work::BatchId};

/// The tunables of the work protocol (DESIGN §5, §6), set by governance within [`bounds`].
/// Block counts are `u32` whatever the runtime's block number type.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkParams {
	/// Commits a slot may make per emission epoch (commits are free, so this bounds spam).
	pub max_commits_per_epoch: u32,
	/// Samples of one batch at most (`m`'s bound, also while on probation).
	pub max_samples_per_batch: u32,
	/// Samples one re-checker is given at most; more samples mean more re-checkers.
	pub max_samples_per_rechecker: u32,
	/// Tries of the re-checker draw before the most reputable slot drawn is taken.
	pub max_draw_tries: u32,
	/// Times one re-checker position may be handed to a fresh draw after a missed deadline.
	pub max_reassignments: u32,
	/// Blocks a re-checker has, from its assignment, to commit its verdict.
	pub commit_window: u32,
	/// Blocks after the commit deadline to reveal it.
	pub reveal_window: u32,
	/// Blocks between tries to sample a batch that found no re-checker.
	pub sampling_retry: u32,
	/// A batch of epoch `e` can be confirmed only before epoch `e + settlement_epochs` begins;
	/// from then its epoch's figures are final, and its batches are pruned.
	pub settlement_epochs: u32,
	/// Epochs the ledger of a closed epoch stays readable before it is pruned.
	pub history_epochs: u32,
	/// Open assignments one slot may hold; a busier slot is skipped by the draw.
	pub max_open_assignments: u32,
	/// Timers (sampling, deadlines) the block hook processes at most; the rest wait a block.
	pub max_timers_per_block: u32,
	/// Batches and ledger entries the block hook prunes at most.
	pub max_prunes_per_block: u32,
}

impl Default for WorkParams {
	/// Defaults for 6-second blocks and 600-block epochs: five minutes to commit a verdict and
	/// five to reveal it, so a batch is decided within about 40 minutes even after two
	/// reassignments, well inside the two epochs before settlement.
	fn default() -> Self {
		Self {
			max_commits_per_epoch: 120,
			max_samples_per_batch: 64,
			max_samples_per_rechecker: 32,
			max_draw_tries: 8,
			max_reassignments: 2,
			commit_window: 50,
			reveal_window: 50,
			sampling_retry: 10,
			settlement_epochs: 2,
			history_epochs: 16,
			max_open_assignments: 128,
			max_timers_per_block: 64,
			max_prunes_per_block: 32,
		}
	}
}

/// The bounds [`crate::Pallet::set_params`] enforces.
pub mod bounds {
	use super::*;
	/// Most commits a slot may make in an epoch.
	pub const MAX_COMMITS_PER_EPOCH: u32 = 10_000;
	/// Most samples per re-checker: the length bound of a verdict's failures.
	pub const MAX_PER_RECHECKER: u32 = MAX_SAMPLES_PER_RECHECKER;
	/// Most samples per batch: every re-checker position full.
	pub const MAX_PER_BATCH: u32 = MAX_RECHECKERS * MAX_SAMPLES_PER_RECHECKER;
	/// Most draw tries.
	pub const MAX_DRAW_TRIES: u32 = 64;
	/// Most reassignments of one position.
	pub const MAX_REASSIGNMENTS: u32 = 8;
	/// Longest commit or reveal window, in blocks.
	pub const MAX_WINDOW: u32 = 10_000;
	/// Fewest epochs before settlement (emission settles after at least two).
	pub const MIN_SETTLEMENT_EPOCHS: u32 = 2;
	/// Most epochs before settlement.
	pub const MAX_SETTLEMENT_EPOCHS: u32 = 100;
	/// Most epochs of ledger history.
	pub const MAX_HISTORY_EPOCHS: u32 = 1_000;
	/// Most open assignments per slot.
	pub const MAX_OPEN_ASSIGNMENTS: u32 = 1_024;
	/// Most timers or prunes per block.
	pub const MAX_PER_BLOCK: u32 = 1_024;
	/// Most leaves a batch may have (DESIGN §5).
	pub const MAX_BATCH_LEAVES: u32 = MAX_LEAVES;
}

/// Where a batch is in its life.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum BatchStatus {
	/// Committed; waiting for randomness from after its commit, or for an eligible re-checker.
	AwaitingSeed,
	/// Sampled; its re-checkers are committing and revealing verdicts.
	Rechecking,
	/// Every re-checker revealed and none found a failure (or arbitration cleared it): its work
	/// counts for its epoch.
	Confirmed,
	/// A re-checker revealed a failure; arbitration decides.
	Disputed,
	/// Arbitration found the miner cheated: nothing counts.
	Rejected,
	/// Its epoch closed before it was decided, or nobody ever re-checked it: nothing counts.
	Expired,
}

impl BatchStatus {
	/// Whether nothing can change the batch any more.
	pub fn is_final(self) -> bool {
		matches!(self, Self::Confirmed | Self::Rejected | Self::Expired)
	}
}

/// Where one re-checker is with its verdict.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum AssignmentState {
	/// Assigned; no commitment yet.
	Waiting,
	/// Committed to this verdict hash.
	Committed([u8; 32]),
	/// Revealed, with this many failures.
	Revealed {
		/// Failed samples.
		failures: u32,
	},
	/// Missed its deadline and no reassignment was left (or its slot is gone): its samples
	/// stay unchecked.
	Missed,
}

/// One re-checker position of a batch: its current holder and deadlines.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct Assignment<BlockNumber> {
	/// The re-checker's slot.
	pub rechecker: SlotId,
	/// 0 for the first draw, one more for each reassignment.
	pub round: u32,
	/// The last block to commit in.
	pub commit_deadline: BlockNumber,
	/// The last block to reveal in.
	pub reveal_deadline: BlockNumber,
	/// Its verdict so far.
	pub state: AssignmentState,
}

/// A committed batch.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Batch<BlockNumber> {
	/// The miner's slot.
	pub slot: SlotId,
	/// Its neuronet.
	pub neuronet: NeuronetId,
	/// The worker's own number for the batch.
	pub batch_number: u64,
	/// The root: its hash and the total work (the committed `total_work` is the root's sum,
	/// so a proof can only reach it if the tree adds up to the committed figure).
	pub root: SumNode,
	/// Leaves in the tree.
	pub leaf_count: u32,
	/// The emission epoch it was committed in.
	pub epoch: EpochIndex,
	/// The block it was committed in.
	pub committed_at: BlockNumber,
	/// Where it is.
	pub status: BatchStatus,
	/// The sampling seed, once drawn.
	pub seed: Option<[u8; 32]>,
	/// `m`: samples (0 until sampled).
	pub samples: u32,
	/// Sampling tries that found no re-checker.
	pub retries: u32,
	/// Work units that counted once confirmed (the root's sum, less any leaf arbitration left
	/// out).
	pub confirmed_work: u64,
	/// The `k` re-checker positions; sample `r` belongs to position `r mod k`.
	pub rechecks: BoundedVec<Assignment<BlockNumber>, ConstU32<MAX_RECHECKERS>>,
}

impl<BlockNumber> Batch<BlockNumber> {
	/// `k`: the number of re-checker positions.
	pub fn positions(&self) -> u32 {
		self.rechecks.len() as u32
	}
}

/// A slot's running figures, kept while it lives.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub struct SlotLedger {
	/// The epoch `commits_in_epoch` counts for.
	pub epoch: EpochIndex,
	/// Commits in that epoch.
	pub commits_in_epoch: u32,
	/// The highest batch number committed; a commit must name a higher one.
	pub last_batch_number: Option<u64>,
	/// Batches committed.
	pub committed: u32,
	/// Batches confirmed.
	pub confirmed: u32,
	/// Batches disputed.
	pub disputed: u32,
	/// Verdicts revealed as a re-checker.
	pub rechecks_done: u32,
	/// Revealed verdicts that found no failure.
	pub rechecks_passed: u32,
	/// Assignments missed.
	pub rechecks_missed: u32,
	/// Assignments held now (waiting, committed).
	pub open_assignments: u32,
}

/// What the block hook did, for its weight.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct HookWork {
	/// Timers that sampled a batch, with the draw tries they used.
	pub samplings: u32,
	/// Draw tries in all.
	pub draws: u32,
	/// Timers that checked deadlines.
	pub deadlines: u32,
	/// Timers that found nothing to do (batch gone or decided).
	pub idle: u32,
	/// Batches pruned.
	pub batches_pruned: u32,
	/// Ledger entries pruned.
	pub ledger_pruned: u32,
}
