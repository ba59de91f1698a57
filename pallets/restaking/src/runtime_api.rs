//! What a staker, a worker, a UI or the node's JSON RPC asks the runtime about restaking: a
//! staker's positions with their pending rewards, and a neuronet's pool.

use crate::{Config, NeuronetId, Pallet, Pool, Pools, Position, Positions};
use aetron_primitives::Balance;
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;

/// A staker's position in one neuronet, its rewards brought up to date.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct PositionDetails<BlockNumber> {
	/// The neuronet.
	pub neuronet: NeuronetId,
	/// Bonded stake.
	pub stake: Balance,
	/// Rewards claimable now.
	pub pending_rewards: Balance,
	/// Unbonding stake: `(amount, first block it may be withdrawn)`.
	pub unbonding: Vec<(Balance, BlockNumber)>,
}

impl<BlockNumber> PositionDetails<BlockNumber> {
	fn new(neuronet: NeuronetId, pool: &Pool, p: Position<BlockNumber>) -> Self {
		Self {
			neuronet,
			stake: p.stake,
			pending_rewards: p.pending(pool.reward_per_share),
			unbonding: p.unbonding.into_iter().map(|c| (c.amount, c.until)).collect(),
		}
	}
}

sp_api::decl_runtime_apis! {
	/// Restaking for clients.
	pub trait RestakingApi<AccountId: Codec, BlockNumber: Codec> {
		/// Every position of `who` (at most one per pool).
		fn positions_of(who: AccountId) -> Vec<PositionDetails<BlockNumber>>;
		/// The pool of `neuronet`, if it has stakers.
		fn pool(neuronet: NeuronetId) -> Option<Pool>;
	}
}

impl<T: Config> Pallet<T> {
	/// Every position of `who`, with rewards brought up to date.
	pub fn positions_details(who: &T::AccountId) -> Vec<PositionDetails<BlockNumberFor<T>>> {
		Positions::<T>::iter_prefix(who)
			.filter_map(|(neuronet, p)| {
				Pools::<T>::get(neuronet).map(|pool| PositionDetails::new(neuronet, &pool, p))
			})
			.collect()
	}
}
