//! The pallet's domain types: its tunables, disputes with their panels and phases, the
//! per-batch tally and the forfeit ledger's records.

use aetron_primitives::{
	arbitration::{Vote, MAX_PANEL},
	merkle::SumNode,
	traits::{EpochIndex, SlotId},
	work::FailureKind,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

pub use aetron_primitives::{arbitration::DisputeId, artefact::NeuronetId, work::BatchId};

/// The tunables of arbitration (DESIGN §7), set by governance within [`bounds`]. Block counts
/// are `u32` whatever the runtime's block number type.
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
pub struct ArbitrationParams<Balance> {
	/// What a challenger's coldkey puts on hold to open a dispute (zero: disputes cost only the
	/// epoch a challenger forfeits when it loses).
	pub challenger_bond: Balance,
	/// Arbiters on a panel: odd, so a full panel cannot tie.
	pub panel_size: u32,
	/// Blocks a miner has, from the dispute's opening, to post an unavailable leaf on-chain.
	pub answer_window: u32,
	/// Blocks an arbiter has, from the panel's draw, to commit its vote.
	pub commit_window: u32,
	/// Blocks after the commit deadline to reveal it.
	pub reveal_window: u32,
	/// Tries of the draw for one seat before the most reputable slot drawn is taken.
	pub max_draw_tries: u32,
	/// The challenger's share of the emission a losing miner forfeits (DESIGN §7: 20 %).
	pub bounty_share: Perbill,
	/// The share of its reputation a losing challenger loses.
	pub challenger_penalty: Perbill,
	/// The share of its reputation an absent or minority arbiter loses.
	pub arbiter_penalty: Perbill,
	/// Open panel seats one slot may hold; a busier slot is skipped by the draw.
	pub max_open_panels: u32,
	/// Timers (answer deadlines, draws, decisions, pruning) the block hook runs at most.
	pub max_timers_per_block: u32,
	/// Blocks a decided dispute stays readable (for workers and UIs) before it is pruned.
	pub keep_decided: u32,
	/// Epochs a forfeit stays on the ledger, for emission's claims, before it is pruned.
	pub forfeit_history_epochs: u32,
	/// Forfeit entries the block hook prunes at most.
	pub max_prunes_per_block: u32,
	/// The request and response bytes an answer may post together.
	pub max_answer_bytes: u32,
}

impl<Balance: Default> Default for ArbitrationParams<Balance> {
	/// Defaults for 6-second blocks: five minutes to answer, five to commit a vote and five to
	/// reveal it, so a dispute is decided within about a quarter of an hour of its opening,
	/// inside the two epochs before its batch's epoch settles. The bond is the runtime's to
	/// set (its genesis does), as only it knows what a unit of its currency is worth.
	fn default() -> Self {
		Self {
			challenger_bond: Balance::default(),
			panel_size: 3,
			answer_window: 50,
			commit_window: 50,
			reveal_window: 50,
			max_draw_tries: 8,
			bounty_share: Perbill::from_percent(20),
			challenger_penalty: Perbill::from_percent(50),
			arbiter_penalty: Perbill::from_percent(10),
			max_open_panels: 16,
			max_timers_per_block: 32,
			keep_decided: 600,
			forfeit_history_epochs: 48,
			max_prunes_per_block: 32,
			max_answer_bytes: 256 * 1024,
		}
	}
}

/// The bounds [`crate::Pallet::set_params`] enforces.
pub mod bounds {
	use super::*;
	/// The largest panel.
	pub const MAX_PANEL_SIZE: u32 = MAX_PANEL;
	/// Longest answer, commit or reveal window, in blocks.
	pub const MAX_WINDOW: u32 = 10_000;
	/// Most draw tries per seat.
	pub const MAX_DRAW_TRIES: u32 = 64;
	/// Most open panel seats per slot.
	pub const MAX_OPEN_PANELS: u32 = 256;
	/// Most timers or prunes per block.
	pub const MAX_PER_BLOCK: u32 = 512;
	/// Longest a decided dispute is kept, in blocks.
	pub const MAX_KEEP_DECIDED: u32 = 100_000;
	/// Fewest and most epochs of forfeit history: emission reads a forfeit when a payout of
	/// its epoch is claimed, so the history must outlast settlement.
	pub const MIN_FORFEIT_HISTORY: u32 = 4;
	/// Most epochs of forfeit history.
	pub const MAX_FORFEIT_HISTORY: u32 = 10_000;
	/// The most an answer may post: both bodies at their bound.
	pub const MAX_ANSWER_BYTES: u32 = 2 * aetron_primitives::arbitration::MAX_ANSWER_BODY;
	/// Blocks a dispute waits for randomness from after its opening (a block or two on a live
	/// chain) before it ends no-fault.
	pub const MAX_DRAW_WAIT: u32 = 16;
}

/// A panel seat's vote so far.
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
pub enum VoteState {
	/// Drawn; no commitment yet.
	Waiting,
	/// Committed to this vote hash.
	Committed([u8; 32]),
	/// Revealed.
	Revealed(Vote),
	/// The arbiter's slot closed before it revealed; it is neither counted nor blamed.
	Left,
}

impl VoteState {
	/// Whether the seat still owes a vote.
	pub fn is_open(&self) -> bool {
		matches!(self, Self::Waiting | Self::Committed(_))
	}
}

/// One arbiter's seat on a panel.
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
pub struct Seat {
	/// The arbiter's slot.
	pub slot: SlotId,
	/// Its vote.
	pub vote: VoteState,
}

/// How a dispute ended.
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
pub enum Ruling {
	/// The panel's majority found the miner cheated, or the miner never answered an
	/// unavailable-data dispute: the miner forfeits the batch's epoch, the challenger gets its
	/// bond back and a bounty.
	MinerLost,
	/// The panel's majority found the miner honest: the challenger forfeits the batch's
	/// epoch and its bond goes to the treasury.
	ChallengerLost,
	/// No panel could be drawn, or its revealed votes tied: nobody is at fault; the bond goes
	/// back and the batch counts without the disputed leaf's work.
	NoFault,
	/// An unavailable-data dispute the miner answered on-chain with a leaf the panel's
	/// majority found honest: the challenger was right that the leaf was unavailable and the
	/// miner cured it, so nobody loses; the bond goes back and the batch counts in full.
	Cured,
}

/// Where a dispute is.
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
pub enum Phase<BlockNumber> {
	/// An unavailable-data dispute: the miner may post the leaf on-chain until `deadline`.
	Answering {
		/// The last block to answer in.
		deadline: BlockNumber,
	},
	/// Waiting for randomness from after `since` to draw the panel.
	Drawing {
		/// The block the dispute became ready for its panel.
		since: BlockNumber,
	},
	/// The panel commits and reveals its votes.
	Voting {
		/// The last block to commit in.
		commit_deadline: BlockNumber,
		/// The last block to reveal in.
		reveal_deadline: BlockNumber,
	},
	/// Decided; kept readable until pruned.
	Decided {
		/// The ruling.
		ruling: Ruling,
		/// Revealed votes for the miner.
		honest: u32,
		/// Revealed votes against it.
		guilty: u32,
		/// The block of the decision.
		at: BlockNumber,
	},
}

/// A dispute over one failed sample of a batch.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Dispute<AccountId, Balance, BlockNumber> {
	/// The disputed batch (the work pallet's id).
	pub batch: BatchId,
	/// The batch's emission epoch, which the loser forfeits.
	pub epoch: EpochIndex,
	/// The batch's neuronet, whose slots sit on the panel.
	pub neuronet: NeuronetId,
	/// The miner's number of the batch (the artefact endpoint's `{batch}`).
	pub batch_number: u64,
	/// The committed root.
	pub root: SumNode,
	/// The batch's leaves.
	pub leaf_count: u32,
	/// The failed sample.
	pub sample: u32,
	/// The leaf it names.
	pub leaf_index: u32,
	/// Why the challenger failed it.
	pub kind: FailureKind,
	/// The miner's slot.
	pub miner: SlotId,
	/// The miner's coldkey when the dispute opened (kept if the slot closes).
	pub miner_coldkey: AccountId,
	/// The challenger's slot.
	pub challenger: SlotId,
	/// The challenger's coldkey, which holds the bond.
	pub challenger_coldkey: AccountId,
	/// The bond held.
	pub bond: Balance,
	/// The block it opened in.
	pub opened_at: BlockNumber,
	/// Where it is.
	pub phase: Phase<BlockNumber>,
	/// The disputed leaf's work units, once the miner posted the leaf.
	pub leaf_work: Option<u64>,
	/// The panel, once drawn.
	pub panel: BoundedVec<Seat, ConstU32<MAX_PANEL>>,
	/// The block its next timer fires in.
	pub timer: BlockNumber,
}

impl<AccountId, Balance, BlockNumber> Dispute<AccountId, Balance, BlockNumber> {
	/// Whether it is decided.
	pub fn is_decided(&self) -> bool {
		matches!(self.phase, Phase::Decided { .. })
	}

	/// The work units a no-fault ruling leaves out of the batch: the leaf's own when it was
	/// posted, otherwise the batch's average leaf rounded up (the chain knows nothing finer).
	pub fn excluded_work(&self) -> u64 {
		self.leaf_work.unwrap_or_else(|| {
			let leaves = u64::from(self.leaf_count.max(1));
			self.root.sum.div_ceil(leaves)
		})
	}
}

/// What a slot is in a dispute.
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
pub enum Role {
	/// Its batch is disputed.
	Miner,
	/// It revealed the failure.
	Challenger,
	/// It sits on the panel.
	Arbiter,
}

/// The open disputes of one batch and what the decided ones found, so the batch is resolved
/// once, when the last is decided.
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
pub struct Tally {
	/// Disputes not yet decided.
	pub open: u32,
	/// Whether one found the miner cheated.
	pub guilty: bool,
	/// Work units no-fault rulings left out.
	pub excluded: u64,
}

/// A slot's forfeit of one epoch's emission.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Forfeit<AccountId> {
	/// Who is owed a bounty from the forfeited emission, and its share (the first challenger
	/// that proved the slot cheated in the epoch; none for a losing challenger).
	pub bounty: Option<(AccountId, Perbill)>,
}

/// What the block hook did, for its weight.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct HookWork {
	/// Answer deadlines passed unanswered.
	pub unanswered: u32,
	/// Panel draws, with the tries they used.
	pub draws: u32,
	/// Draw tries in all.
	pub tries: u32,
	/// Decisions by the votes.
	pub decisions: u32,
	/// Decided disputes pruned.
	pub pruned: u32,
	/// Timers that found nothing to do.
	pub idle: u32,
	/// Forfeit entries pruned.
	pub forfeits_pruned: u32,
}
