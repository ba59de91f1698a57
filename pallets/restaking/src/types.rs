//! The pallet's domain types and the reward-per-share arithmetic, as functions without side
//! effects so the calls show every storage change.

use aetron_primitives::{arith::mul_div, Balance};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::ConstU32, BoundedVec};
use scale_info::TypeInfo;

pub use aetron_primitives::artefact::NeuronetId;

/// The tunables of restaking (DESIGN §8), set by governance within [`bounds`].
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
pub struct RestakingParams {
	/// The least a position may bond (a position is empty or holds at least this much). It
	/// keeps positions worth their storage and bounds the reward-per-share step.
	pub min_stake: Balance,
	/// Blocks between `unstake` and the stake's `withdraw_unbonded`.
	pub unbonding_period: u32,
}

impl Default for RestakingParams {
	/// One AET at least; a week of 6-second blocks to unbond (the runtime's genesis sets its
	/// own figures).
	fn default() -> Self {
		Self { min_stake: aetron_primitives::currency::AET, unbonding_period: 7 * 14_400 }
	}
}

/// The bounds [`crate::Pallet::set_params`] enforces.
pub mod bounds {
	use super::Balance;
	/// The least `min_stake`: one millionth of an AET, so one reward-per-share step is at most
	/// `amount · 10^18 / 10^6` and the accumulator cannot overflow within the supply.
	pub const MIN_MIN_STAKE: Balance = aetron_primitives::currency::MICRO_AET;
	/// The longest unbonding period, in blocks (about 70 days of 6-second blocks).
	pub const MAX_UNBONDING_PERIOD: u32 = 1_000_000;
	/// Unbonding chunks a position may have at once (unstaking again in the same block adds to
	/// the last chunk).
	pub const MAX_UNBONDING_CHUNKS: u32 = 16;
}

/// The precision of the reward-per-share accumulator: rewards per unit of stake, times 10^18.
pub const SHARE_PRECISION: u128 = 1_000_000_000_000_000_000;

/// A neuronet's stakers together.
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
pub struct Pool {
	/// Stake bonded (unbonding stake excluded): what the neuronet's share of emission, its
	/// capacity and each staker's reward go by.
	pub stake: Balance,
	/// Rewards per unit of bonded stake since the pool opened, times [`SHARE_PRECISION`].
	pub reward_per_share: u128,
	/// Rewards shared out and not yet claimed or restaked, held by the pallet's account.
	pub owed: Balance,
	/// Positions in the pool (with stake, unbonding stake or unclaimed rewards).
	pub positions: u32,
}

/// One staker's unbonding stake, withdrawable from `until` on.
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
pub struct Unbonding<BlockNumber> {
	/// What is unbonding.
	pub amount: Balance,
	/// The first block it may be withdrawn.
	pub until: BlockNumber,
}

/// The unbonding chunks of a position.
pub type UnbondingChunks<BlockNumber> =
	BoundedVec<Unbonding<BlockNumber>, ConstU32<{ bounds::MAX_UNBONDING_CHUNKS }>>;

/// One staker's stake in one neuronet.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Position<BlockNumber> {
	/// Bonded stake.
	pub stake: Balance,
	/// The pool's reward per share when this position's rewards were last brought up to date.
	pub reward_per_share_paid: u128,
	/// Rewards earned up to then and not yet claimed.
	pub unclaimed: Balance,
	/// Stake unbonding, still on hold, earning nothing.
	pub unbonding: UnbondingChunks<BlockNumber>,
}

impl<BlockNumber> Default for Position<BlockNumber> {
	fn default() -> Self {
		Self { stake: 0, reward_per_share_paid: 0, unclaimed: 0, unbonding: BoundedVec::new() }
	}
}

impl<BlockNumber> Position<BlockNumber> {
	/// Everything on hold for the position: bonded and unbonding stake.
	pub fn held(&self) -> Balance {
		self.unbonding.iter().fold(self.stake, |sum, c| sum.saturating_add(c.amount))
	}

	/// Whether nothing is left in it.
	pub fn is_empty(&self) -> bool {
		self.stake == 0 && self.unclaimed == 0 && self.unbonding.is_empty()
	}

	/// Its rewards at the pool's `reward_per_share`: what it had plus what its stake earned
	/// since it was last brought up to date.
	pub fn pending(&self, reward_per_share: u128) -> Balance {
		self.unclaimed.saturating_add(earned(
			self.stake,
			reward_per_share.saturating_sub(self.reward_per_share_paid),
		))
	}

	/// Brings its rewards up to the pool's `reward_per_share`.
	pub fn settle(&mut self, reward_per_share: u128) {
		self.unclaimed = self.pending(reward_per_share);
		self.reward_per_share_paid = reward_per_share;
	}
}

/// What `stake` earned while the reward per share grew by `per_share`, rounded down.
pub fn earned(stake: Balance, per_share: u128) -> Balance {
	mul_div(stake, per_share, SHARE_PRECISION)
}

/// How sharing `amount` among `stake` moves the accumulator: the reward-per-share step, and
/// what the pool takes (all of `amount`, or nothing when the step rounds to zero or there is no
/// stake).
///
/// Why the pool stays solvent: the step is rounded down, so `stake · step ≤ amount`; between
/// two of its updates a position's stake is constant, so the positions together earn at most
/// `Σ stake · step` over the steps; and each position's earnings are rounded down once more.
/// What rounding leaves over stays in the pool until its last position closes, then goes to
/// the treasury.
pub fn share_out(amount: Balance, stake: Balance) -> (u128, Balance) {
	let step = mul_div(amount, SHARE_PRECISION, stake);
	if step == 0 {
		return (0, 0);
	}
	(step, amount)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn positions_never_earn_more_than_was_shared() {
		for (amounts, stakes) in [
			(vec![2u128, 2, 2], vec![1_001_000u128]),
			(vec![1_000, 7, 13], vec![1, 2, 3]),
			(vec![7, 7, 7, 7], vec![3, 3, 3]),
			(vec![10u128.pow(18); 5], vec![10u128.pow(12), 3 * 10u128.pow(12) + 1]),
			(vec![1], vec![10u128.pow(27)]),
		] {
			let total: u128 = stakes.iter().sum();
			let mut per_share = 0u128;
			let mut shared = 0u128;
			for amount in &amounts {
				let (step, took) = share_out(*amount, total);
				per_share += step;
				shared += took;
			}
			let paid: u128 = stakes.iter().map(|s| earned(*s, per_share)).sum();
			assert!(paid <= shared, "{amounts:?} {stakes:?}: {paid} > {shared}");
			// Each position loses less than one unit, and each step less than one.
			assert!(shared - paid <= (stakes.len() + amounts.len()) as u128 || shared == 0);
		}
		assert_eq!(share_out(100, 0), (0, 0), "no stake, nothing shared");
	}
}
