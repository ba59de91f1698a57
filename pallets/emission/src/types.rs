//! The pallet's domain types and its arithmetic (the block reward, the split of an epoch's pot,
//! a slot's score and payout), as functions without side effects so the calls and the hook
//! show every storage change.

use aetron_primitives::{arith::mul_div, artefact::NeuronetId, Balance};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// The tunables of emission (DESIGN §9), set by governance within [`bounds`]. Block counts are
/// `u32` whatever the runtime's block number type.
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
pub struct EmissionParams {
	/// The block reward before the first halving.
	pub initial_block_reward: Balance,
	/// Blocks between two halvings of the block reward.
	pub halving_interval: u32,
	/// The most AET that may ever be issued (genesis included); minting stops there.
	pub supply_cap: Balance,
	/// The block author's share of each block reward (the rest accrues in the pot).
	pub validator_share: Perbill,
	/// A neuronet's miners' share of its emission (the seed's 80 %).
	pub miner_share: Perbill,
	/// Its stakers' share.
	pub staker_share: Perbill,
	/// Its owner's share. The three sum to 100 %.
	pub owner_share: Perbill,
	/// The most of an epoch's pot one neuronet may take, whatever its stake.
	pub max_neuronet_share: Perbill,
	/// Work units an epoch that each `StakeUnit` of a neuronet's stake backs: the neuronet's
	/// capacity. Confirmed work beyond it is not rewarded; below it the miners earn the pool in
	/// proportion to the capacity they filled.
	pub capacity_per_stake: u64,
	/// Heartbeats in an epoch that count as full uptime.
	pub full_uptime_heartbeats: u32,
	/// Epochs after an epoch before it is paid, so its re-checks and disputes close first.
	pub settlement_delay: u32,
	/// Epochs a settled epoch may be claimed in; then what is unclaimed goes to the treasury.
	pub claim_window: u32,
	/// Expired entries (neuronet pools and slot scores) the block hook removes at most.
	pub max_expiries_per_block: u32,
}

impl Default for EmissionParams {
	/// Defaults for 6-second blocks and hour-long epochs: 10 AET a block halving every four
	/// years, so emission approaches 420 M AET (`2 · 10 · 21 024 000`) under a 1 G cap; 10 % to
	/// validators; inside a neuronet 80 % to miners, 15 % to stakers and 5 % to the owner; no
	/// neuronet above half the pot; 1 000 work units an epoch per AET staked; full uptime at 45
	/// of the 60 heartbeats an epoch allows (a worker's heartbeat lands a block or two late);
	/// paid two epochs after, claimable for a day.
	fn default() -> Self {
		use aetron_primitives::currency::AET;
		Self {
			initial_block_reward: 10 * AET,
			halving_interval: 21_024_000,
			supply_cap: 1_000_000_000 * AET,
			validator_share: Perbill::from_percent(10),
			miner_share: Perbill::from_percent(80),
			staker_share: Perbill::from_percent(15),
			owner_share: Perbill::from_percent(5),
			max_neuronet_share: Perbill::from_percent(50),
			capacity_per_stake: 1_000,
			full_uptime_heartbeats: 45,
			settlement_delay: 2,
			claim_window: 24,
			max_expiries_per_block: 32,
		}
	}
}

/// The bounds [`crate::Pallet::set_params`] enforces.
pub mod bounds {
	/// The shortest halving interval, in blocks (a day of 6-second blocks).
	pub const MIN_HALVING_INTERVAL: u32 = 14_400;
	/// The fewest epochs before an epoch is paid (DESIGN §9: at least two).
	pub const MIN_SETTLEMENT_DELAY: u32 = 2;
	/// The most.
	pub const MAX_SETTLEMENT_DELAY: u32 = 100;
	/// The shortest and longest claim window, in epochs.
	pub const MIN_CLAIM_WINDOW: u32 = 1;
	/// The longest: a slot's pending payouts are listed by scanning the open epochs.
	pub const MAX_CLAIM_WINDOW: u32 = 1_000;
	/// The most heartbeats an epoch for full uptime.
	pub const MAX_FULL_UPTIME_HEARTBEATS: u32 = 10_000;
	/// Most expired entries removed per block.
	pub const MAX_PER_BLOCK: u32 = 512;
}

/// What an epoch's emission came to, network-wide.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct EpochSummary {
	/// Minted in the epoch's blocks, validators' share included.
	pub minted: Balance,
	/// Of it, paid to block authors.
	pub to_validators: Balance,
	/// The pot when the epoch closed (its own accrual and earlier epochs' rollover).
	pub pot: Balance,
	/// What the pot gave the neuronets.
	pub distributed: Balance,
	/// Bonded stake of the open neuronets the pot was split by.
	pub stake: Balance,
}

/// One neuronet's emission in one epoch, and the totals its miners' payouts go by.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct NeuronetEpoch {
	/// Its bonded stake when the epoch closed.
	pub stake: Balance,
	/// Work units its stake backed in the epoch.
	pub capacity: u64,
	/// Its share of the pot.
	pub emission: Balance,
	/// Of it, the miners' pool.
	pub miner_pool: Balance,
	/// Of it, its stakers'.
	pub to_stakers: Balance,
	/// Of it, its owner's.
	pub to_owner: Balance,
	/// Work units confirmed for its slots in the epoch (served and re-checked).
	pub work: u64,
	/// The sum of its slots' scores.
	pub score: u128,
	/// What claims of the miners' pool paid out (forfeits included).
	pub paid: Balance,
}

impl NeuronetEpoch {
	/// What the miners earned: the whole pool when their work filled the capacity (work beyond
	/// it is not rewarded, pro rata), the filled share of it below; nothing without a score.
	pub fn earned(&self) -> Balance {
		if self.score == 0 || self.capacity == 0 {
			return 0;
		}
		mul_div(
			self.miner_pool,
			u128::from(self.work.min(self.capacity)),
			u128::from(self.capacity),
		)
	}

	/// A slot's payout: its share of what the miners earned, by score.
	pub fn payout(&self, score: u128) -> Balance {
		mul_div(self.earned(), score, self.score)
	}
}

/// A slot's record for one epoch.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct SlotScore<AccountId> {
	/// Its neuronet.
	pub neuronet: NeuronetId,
	/// Who is paid (kept, so a slot deregistered since is still paid).
	pub coldkey: AccountId,
	/// Its confirmed work in the epoch.
	pub work: u64,
	/// Heartbeats it sent in the epoch.
	pub heartbeats: u32,
	/// Its emission weight at the start of the epoch.
	pub weight: Perbill,
	/// Its score as last computed ([`score`]); the neuronet's total moves by its changes.
	pub score: u128,
	/// Whether it missed a re-check assigned in the epoch (which forfeits its payout).
	pub missed_rechecks: bool,
	/// Whether its payout was claimed.
	pub claimed: bool,
}

/// The block reward at `block`: `initial` halved once per `interval` blocks, and never past
/// the cap (`issued` is everything issued so far).
pub fn block_reward(block: u64, p: &EmissionParams, issued: Balance) -> Balance {
	let halvings = block / u64::from(p.halving_interval.max(1));
	let reward = if halvings >= 128 { 0 } else { p.initial_block_reward >> halvings };
	reward.min(p.supply_cap.saturating_sub(issued))
}

/// A slot's score: confirmed work × uptime × weight, in units of work × heartbeats × parts per
/// billion (exact integers, so the neuronet's total is the sum of its slots' to the unit).
/// Uptime is `min(heartbeats, full) / full`; dividing by `full` is left out, as every slot of
/// the epoch shares it.
pub fn score(work: u64, heartbeats: u32, full_uptime: u32, weight: Perbill) -> u128 {
	u128::from(work)
		.saturating_mul(u128::from(heartbeats.min(full_uptime)))
		.saturating_mul(u128::from(weight.deconstruct()))
}

/// How a neuronet's emission divides: `(miners, stakers, owner)`. The miners take the
/// remainder, so the three add up to `emission` exactly.
pub fn split(emission: Balance, p: &EmissionParams) -> (Balance, Balance, Balance) {
	let stakers = p.staker_share.mul_floor(emission);
	let owner = p.owner_share.mul_floor(emission);
	(emission.saturating_sub(stakers).saturating_sub(owner), stakers, owner)
}

/// A neuronet's share of a `pot` split by `stake` out of `total` stake, at most
/// `max_neuronet_share` of it.
pub fn neuronet_share(pot: Balance, stake: Balance, total: Balance, p: &EmissionParams) -> Balance {
	mul_div(pot, stake, total).min(p.max_neuronet_share.mul_floor(pot))
}

/// A neuronet's capacity: `capacity_per_stake` work units per `unit` of stake.
pub fn capacity(stake: Balance, unit: Balance, p: &EmissionParams) -> u64 {
	u64::try_from(mul_div(stake, u128::from(p.capacity_per_stake), unit)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_reward_halves_on_schedule_and_stops_at_the_cap() {
		let p = EmissionParams {
			initial_block_reward: 1_000,
			halving_interval: 100,
			supply_cap: 10_000,
			..Default::default()
		};
		assert_eq!(block_reward(0, &p, 0), 1_000);
		assert_eq!(block_reward(99, &p, 0), 1_000);
		assert_eq!(block_reward(100, &p, 0), 500);
		assert_eq!(block_reward(250, &p, 0), 250);
		assert_eq!(block_reward(100 * 200, &p, 0), 0, "no shift overflow");
		assert_eq!(block_reward(0, &p, 9_700), 300, "the last reward fills the cap exactly");
		assert_eq!(block_reward(0, &p, 10_000), 0);
		assert_eq!(block_reward(0, &p, 20_000), 0, "a cap lowered below the supply mints nothing");
	}

	#[test]
	fn a_neuronets_emission_splits_exactly() {
		let p = EmissionParams::default();
		for emission in [0, 1, 7, 99, 1_000_003, u128::MAX / 3] {
			let (m, s, o) = split(emission, &p);
			assert_eq!(m + s + o, emission);
			assert!(m >= p.miner_share.mul_floor(emission));
		}
	}

	#[test]
	fn capacity_caps_what_the_miners_earn() {
		let ne = |work, capacity| NeuronetEpoch {
			miner_pool: 1_000,
			capacity,
			work,
			score: 1,
			..Default::default()
		};
		assert_eq!(ne(50, 100).earned(), 500, "half the capacity filled, half the pool");
		assert_eq!(ne(100, 100).earned(), 1_000);
		assert_eq!(ne(1_000, 100).earned(), 1_000, "beyond capacity, nothing more");
		assert_eq!(ne(100, 0).earned(), 0);
		assert_eq!(NeuronetEpoch { score: 0, ..ne(100, 100) }.earned(), 0);
		// Payouts by score never add up to more than was earned.
		let n = NeuronetEpoch {
			miner_pool: 1_000,
			capacity: 10,
			work: 10,
			score: 3,
			..Default::default()
		};
		assert_eq!(n.payout(1) * 3, 999);
	}

	#[test]
	fn a_neuronet_takes_its_stake_share_up_to_the_cap() {
		let p =
			EmissionParams { max_neuronet_share: Perbill::from_percent(50), ..Default::default() };
		assert_eq!(neuronet_share(1_000, 1, 4, &p), 250);
		assert_eq!(neuronet_share(1_000, 3, 4, &p), 500);
		assert_eq!(neuronet_share(1_000, 0, 0, &p), 0);
	}

	#[test]
	fn scores_weigh_work_by_uptime_and_reputation() {
		let w = Perbill::from_percent(50);
		assert_eq!(score(100, 45, 45, w), 100 * 45 * 500_000_000);
		assert_eq!(score(100, 60, 45, w), score(100, 45, 45, w), "uptime caps at full");
		assert_eq!(score(100, 0, 45, w), 0);
		// The largest possible score fits: no overflow whatever the inputs.
		let most = u128::from(u64::MAX) * u128::from(u32::MAX) * 1_000_000_000;
		assert_eq!(score(u64::MAX, u32::MAX, u32::MAX, Perbill::one()), most);
	}
}
