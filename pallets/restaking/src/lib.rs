//! # Restaking: AET staked into neuronets
//!
//! Anyone may bond AET to a neuronet (DESIGN §8); miners restake what they mined with the same
//! calls. A neuronet's bonded stake sets its share of network emission and its capacity
//! (`pallets/emission` reads both through [`NeuronetStake`]), and its stakers share the
//! neuronet's `StakerShare` of emission pro rata.
//!
//! ## Calls
//! - [`Pallet::stake`] puts AET on hold ([`HoldReason::Staked`]) in an open neuronet.
//! - [`Pallet::unstake`] starts unbonding: the stake stops earning at once and stays on hold
//!   for `unbonding_period` blocks; [`Pallet::withdraw_unbonded`] then releases it.
//! - [`Pallet::claim_staking`] pays a position's rewards; [`Pallet::restake_rewards`] bonds them
//!   into the same neuronet instead.
//! - [`Pallet::set_params`] ([`Config::GovernanceOrigin`]) moves the tunables within bounds.
//!
//! ## Rewards without a loop over stakers
//! Emission hands each neuronet's staker share to [`NeuronetStake::reward_stakers`] once an
//! epoch. The pool's reward per unit of stake grows by `amount / stake` (times 10^18), and the
//! amount moves into the pallet's account; each position remembers the reward per share it was
//! last brought up to date with, so what it earned since is `stake · Δ`. Every call is O(1)
//! whatever the number of stakers (the scheme of polkadot-sdk's `pallet-asset-rewards` and of
//! every staking contract since). Rounding is always down, per step and per position, so the
//! pool can always pay ([`types::share_out`] says why); what rounding leaves over goes to the
//! treasury when the pool's last position closes.
//!
//! Stake bonded in the last block of an epoch shares that epoch's rewards, but leaving costs a
//! whole unbonding period without rewards, so flash-staking loses more than it gains
//! (`docs/decisions.md`).
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

use aetron_primitives::{traits::NeuronetStake, Balance};
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Precision, Preservation},
		Get,
	},
	weights::Weight,
	PalletId,
};
use sp_runtime::traits::{AccountIdConversion, Saturating};

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Makes `neuronet` exist and open for stake.
	fn open_neuronet(neuronet: NeuronetId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aetron_primitives::traits::NeuronetsInspect;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// A staker's position as stored.
	pub type PositionOf<T> = Position<BlockNumberFor<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Stake bonded to a neuronet, or unbonding from it.
		Staked,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// AET: stake is held, rewards are transferred.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason, Balance = Balance>
			+ Mutate<Self::AccountId>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Which neuronets exist and are open for stake.
		type Neuronets: NeuronetsInspect<Self::AccountId>;
		/// The account that holds rewards owed to stakers.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Receives what closes with an emptied pool (its last rounding dust).
		type Treasury: Get<Self::AccountId>;
		/// The most neuronets with stake at once (the emission hook visits each once an epoch).
		#[pallet::constant]
		type MaxPools: Get<u32>;
		/// May change the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
		/// Opens neuronets for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// The parameters in force.
	#[pallet::storage]
	pub type Params<T> = StorageValue<_, RestakingParams, ValueQuery>;

	/// Each neuronet's pool, while it has a position.
	#[pallet::storage]
	pub type Pools<T> = CountedStorageMap<_, Twox64Concat, NeuronetId, Pool>;

	/// Each staker's position in each neuronet.
	#[pallet::storage]
	pub type Positions<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		NeuronetId,
		PositionOf<T>,
	>;

	/// Stake bonded across all pools.
	#[pallet::storage]
	pub type TotalStake<T> = StorageValue<_, Balance, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first parameters.
		pub params: RestakingParams,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(
				Pallet::<T>::check(&self.params).is_ok(),
				"genesis restaking params out of bounds"
			);
			Params::<T>::put(self.params);
			// The rewards account holds the existential deposit for good, so paying out its
			// last reward never reaps it.
			let account = Pallet::<T>::account();
			let ed = T::Currency::minimum_balance();
			if T::Currency::balance(&account) < ed {
				let _ = T::Currency::mint_into(&account, ed);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Stake was bonded to a neuronet.
		Staked {
			/// The staker.
			who: T::AccountId,
			/// The neuronet.
			neuronet: NeuronetId,
			/// What was bonded.
			amount: Balance,
			/// The position's bonded stake now.
			stake: Balance,
		},
		/// Stake started unbonding.
		Unbonding {
			/// The staker.
			who: T::AccountId,
			/// The neuronet.
			neuronet: NeuronetId,
			/// What unbonds.
			amount: Balance,
			/// The first block it may be withdrawn.
			until: BlockNumberFor<T>,
		},
		/// Unbonded stake was released.
		Withdrawn {
			/// The staker.
			who: T::AccountId,
			/// The neuronet.
			neuronet: NeuronetId,
			/// What was released.
			amount: Balance,
		},
		/// A position's rewards were paid.
		RewardsClaimed {
			/// The staker.
			who: T::AccountId,
			/// The neuronet.
			neuronet: NeuronetId,
			/// What was paid.
			amount: Balance,
		},
		/// A position's rewards were bonded into the same neuronet.
		RewardsRestaked {
			/// The staker.
			who: T::AccountId,
			/// The neuronet.
			neuronet: NeuronetId,
			/// What was bonded.
			amount: Balance,
			/// The position's bonded stake now.
			stake: Balance,
		},
		/// A neuronet's stakers were given their share of an epoch's emission.
		StakersRewarded {
			/// The neuronet.
			neuronet: NeuronetId,
			/// What was shared out.
			amount: Balance,
			/// The pool's reward per unit of stake now, times 10^18.
			reward_per_share: u128,
		},
		/// A neuronet's last position closed; its pool's rounding dust went to the treasury.
		PoolClosed {
			/// The neuronet.
			neuronet: NeuronetId,
			/// The dust.
			dust: Balance,
		},
		/// Governance set new parameters.
		ParamsSet {
			/// The parameters now in force.
			params: RestakingParams,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// The neuronet does not exist, or is paused or retired.
		NeuronetClosed,
		/// The position would bond less than `min_stake` (and more than nothing).
		BelowMinimumStake,
		/// The account has no position in this neuronet.
		NoPosition,
		/// The position bonds less than that.
		InsufficientStake,
		/// The position already has the most unbonding chunks; withdraw some first.
		TooManyUnbondingChunks,
		/// No unbonding stake of the position is withdrawable yet.
		NothingToWithdraw,
		/// The position has no rewards.
		NothingToClaim,
		/// The account cannot put that much on hold.
		CannotHold,
		/// Every pool is taken: no further neuronet can receive stake until one empties.
		TooManyPools,
		/// A parameter is outside its bounds.
		ParamOutOfBounds,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Bonds `amount` of the caller's AET to `neuronet`, which must be open.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::stake())]
		pub fn stake(
			origin: OriginFor<T>,
			neuronet: NeuronetId,
			amount: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(amount > 0, Error::<T>::ZeroAmount);
			ensure!(T::Neuronets::neuronet_is_open(neuronet), Error::<T>::NeuronetClosed);
			let (mut pool, mut position) = Self::open_position(&who, neuronet)?;
			let stake = position.stake.saturating_add(amount);
			ensure!(stake >= Params::<T>::get().min_stake, Error::<T>::BelowMinimumStake);
			T::Currency::hold(&HoldReason::Staked.into(), &who, amount)
				.map_err(|_| Error::<T>::CannotHold)?;
			position.settle(pool.reward_per_share);
			Self::bond(&mut pool, &mut position, amount);
			Self::store(&who, neuronet, pool, position);
			Self::deposit_event(Event::Staked { who, neuronet, amount, stake });
			Ok(())
		}

		/// Starts unbonding `amount` of the caller's stake in `neuronet`: it earns nothing from
		/// now on and may be withdrawn after the unbonding period. What stays bonded must be
		/// nothing or at least `min_stake`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::unstake())]
		pub fn unstake(
			origin: OriginFor<T>,
			neuronet: NeuronetId,
			amount: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(amount > 0, Error::<T>::ZeroAmount);
			let (mut pool, mut position) = Self::position(&who, neuronet)?;
			let params = Params::<T>::get();
			let left = position.stake.checked_sub(amount).ok_or(Error::<T>::InsufficientStake)?;
			ensure!(left == 0 || left >= params.min_stake, Error::<T>::BelowMinimumStake);
			let until = frame_system::Pallet::<T>::block_number()
				.saturating_add(params.unbonding_period.into());
			match position.unbonding.last_mut() {
				Some(last) if last.until == until => {
					last.amount = last.amount.saturating_add(amount)
				}
				_ => position
					.unbonding
					.try_push(Unbonding { amount, until })
					.map_err(|_| Error::<T>::TooManyUnbondingChunks)?,
			}
			position.settle(pool.reward_per_share);
			position.stake = left;
			pool.stake = pool.stake.saturating_sub(amount);
			TotalStake::<T>::mutate(|s| *s = s.saturating_sub(amount));
			Self::store(&who, neuronet, pool, position);
			Self::deposit_event(Event::Unbonding { who, neuronet, amount, until });
			Ok(())
		}

		/// Releases the caller's stake in `neuronet` whose unbonding period has passed.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>, neuronet: NeuronetId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (pool, mut position) = Self::position(&who, neuronet)?;
			let now = frame_system::Pallet::<T>::block_number();
			let before = position.unbonding.len();
			let mut amount: Balance = 0;
			position.unbonding.retain(|c| {
				let due = c.until <= now;
				if due {
					amount = amount.saturating_add(c.amount);
				}
				!due
			});
			ensure!(position.unbonding.len() < before, Error::<T>::NothingToWithdraw);
			T::Currency::release(&HoldReason::Staked.into(), &who, amount, Precision::BestEffort)?;
			Self::store(&who, neuronet, pool, position);
			Self::deposit_event(Event::Withdrawn { who, neuronet, amount });
			Ok(())
		}

		/// Pays the caller's rewards in `neuronet`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::claim_staking())]
		pub fn claim_staking(origin: OriginFor<T>, neuronet: NeuronetId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (mut pool, mut position, amount) = Self::take_rewards(&who, neuronet)?;
			T::Currency::transfer(&Self::account(), &who, amount, Preservation::Preserve)?;
			pool.owed = pool.owed.saturating_sub(amount);
			position.unclaimed = 0;
			Self::store(&who, neuronet, pool, position);
			Self::deposit_event(Event::RewardsClaimed { who, neuronet, amount });
			Ok(())
		}

		/// Bonds the caller's rewards in `neuronet` into the same neuronet, which must be open.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::restake_rewards())]
		pub fn restake_rewards(origin: OriginFor<T>, neuronet: NeuronetId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Neuronets::neuronet_is_open(neuronet), Error::<T>::NeuronetClosed);
			let (mut pool, mut position, amount) = Self::take_rewards(&who, neuronet)?;
			let stake = position.stake.saturating_add(amount);
			ensure!(stake >= Params::<T>::get().min_stake, Error::<T>::BelowMinimumStake);
			T::Currency::transfer(&Self::account(), &who, amount, Preservation::Preserve)?;
			T::Currency::hold(&HoldReason::Staked.into(), &who, amount)
				.map_err(|_| Error::<T>::CannotHold)?;
			pool.owed = pool.owed.saturating_sub(amount);
			position.unclaimed = 0;
			Self::bond(&mut pool, &mut position, amount);
			Self::store(&who, neuronet, pool, position);
			Self::deposit_event(Event::RewardsRestaked { who, neuronet, amount, stake });
			Ok(())
		}

		/// Sets the parameters ([`Config::GovernanceOrigin`] only), within their bounds.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: RestakingParams) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check(&params)?;
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The account that holds the rewards owed to stakers.
		pub fn account() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// Refuses parameters outside [`bounds`].
		pub fn check(p: &RestakingParams) -> Result<(), Error<T>> {
			let ok = p.min_stake >= bounds::MIN_MIN_STAKE
				&& p.unbonding_period <= bounds::MAX_UNBONDING_PERIOD;
			ok.then_some(()).ok_or(Error::<T>::ParamOutOfBounds)
		}

		/// The pool and the caller's position in it, opening either if needed.
		fn open_position(
			who: &T::AccountId,
			neuronet: NeuronetId,
		) -> Result<(Pool, PositionOf<T>), Error<T>> {
			let pool = match Pools::<T>::get(neuronet) {
				Some(pool) => pool,
				None => {
					ensure!(Pools::<T>::count() < T::MaxPools::get(), Error::<T>::TooManyPools);
					Pool::default()
				}
			};
			Ok(match Positions::<T>::get(who, neuronet) {
				Some(position) => (pool, position),
				None => (
					Pool { positions: pool.positions.saturating_add(1), ..pool },
					Position { reward_per_share_paid: pool.reward_per_share, ..Default::default() },
				),
			})
		}

		/// The pool and the caller's existing position in it.
		fn position(
			who: &T::AccountId,
			neuronet: NeuronetId,
		) -> Result<(Pool, PositionOf<T>), Error<T>> {
			let position = Positions::<T>::get(who, neuronet).ok_or(Error::<T>::NoPosition)?;
			let pool = Pools::<T>::get(neuronet).ok_or(Error::<T>::NoPosition)?;
			Ok((pool, position))
		}

		/// The position brought up to date and its rewards, which must be some.
		fn take_rewards(
			who: &T::AccountId,
			neuronet: NeuronetId,
		) -> Result<(Pool, PositionOf<T>, Balance), Error<T>> {
			let (pool, mut position) = Self::position(who, neuronet)?;
			position.settle(pool.reward_per_share);
			let amount = position.unclaimed;
			ensure!(amount > 0, Error::<T>::NothingToClaim);
			Ok((pool, position, amount))
		}

		/// Adds `amount` to a settled position's bonded stake and its pool's.
		fn bond(pool: &mut Pool, position: &mut PositionOf<T>, amount: Balance) {
			position.stake = position.stake.saturating_add(amount);
			pool.stake = pool.stake.saturating_add(amount);
			TotalStake::<T>::mutate(|s| *s = s.saturating_add(amount));
		}

		/// Writes the position and its pool back, removing an empty position, and an empty
		/// pool with it (its rounding dust to the treasury).
		fn store(
			who: &T::AccountId,
			neuronet: NeuronetId,
			mut pool: Pool,
			position: PositionOf<T>,
		) {
			if !position.is_empty() {
				Positions::<T>::insert(who, neuronet, position);
				Pools::<T>::insert(neuronet, pool);
				return;
			}
			Positions::<T>::remove(who, neuronet);
			pool.positions = pool.positions.saturating_sub(1);
			if pool.positions > 0 {
				Pools::<T>::insert(neuronet, pool);
				return;
			}
			Pools::<T>::remove(neuronet);
			let dust = pool.owed;
			if dust > 0 {
				let _ = T::Currency::transfer(
					&Self::account(),
					&T::Treasury::get(),
					dust,
					Preservation::Preserve,
				);
			}
			Self::deposit_event(Event::PoolClosed { neuronet, dust });
		}

		/// A staker's position in `neuronet` with its rewards brought up to date.
		pub fn position_of(who: &T::AccountId, neuronet: NeuronetId) -> Option<PositionOf<T>> {
			let pool = Pools::<T>::get(neuronet)?;
			Positions::<T>::get(who, neuronet).map(|mut p| {
				p.settle(pool.reward_per_share);
				p
			})
		}

		/// The invariants: each pool's stake and position count are its positions'; the total
		/// is the pools'; every position's hold is what it bonds and unbonds; each pool can pay
		/// every position's rewards, and the rewards account holds every pool's debt.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			let mut stake: BTreeMap<NeuronetId, (Balance, u32, Balance)> = BTreeMap::new();
			let mut held: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
			for (who, neuronet, p) in Positions::<T>::iter() {
				let pool = Pools::<T>::get(neuronet).ok_or("a position without its pool")?;
				ensure!(!p.is_empty(), "an empty position kept");
				let entry = stake.entry(neuronet).or_default();
				entry.0 = entry.0.saturating_add(p.stake);
				entry.1 = entry.1.saturating_add(1);
				entry.2 = entry.2.saturating_add(p.pending(pool.reward_per_share));
				let h = held.entry(who).or_default();
				*h = h.saturating_add(p.held());
			}
			let mut total: Balance = 0;
			let mut owed: Balance = 0;
			for (neuronet, pool) in Pools::<T>::iter() {
				let (s, n, pending) = stake.get(&neuronet).copied().unwrap_or_default();
				ensure!(pool.stake == s, "a pool's stake is not its positions'");
				ensure!(pool.positions == n && n > 0, "a pool's positions miscounted");
				ensure!(pending <= pool.owed, "a pool owes more than it holds");
				total = total.saturating_add(pool.stake);
				owed = owed.saturating_add(pool.owed);
			}
			ensure!(TotalStake::<T>::get() == total, "total stake is not the pools'");
			ensure!(Pools::<T>::count() <= T::MaxPools::get(), "more pools than allowed");
			for (who, h) in held {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::Staked.into(), &who) == h,
					"held stake differs from the positions'"
				);
			}
			let reserve = T::Currency::minimum_balance().saturating_add(owed);
			ensure!(
				T::Currency::balance(&Self::account()) >= reserve,
				"the rewards account holds less than the pools owe"
			);
			Self::check(&Params::<T>::get()).map_err(|_| "parameters out of bounds")?;
			Ok(())
		}
	}
}

impl<T: Config> NeuronetStake<T::AccountId, Balance> for Pallet<T> {
	fn stake_of(neuronet: NeuronetId) -> Balance {
		Pools::<T>::get(neuronet).map(|p| p.stake).unwrap_or_default()
	}

	fn staked_neuronets() -> alloc::vec::Vec<(NeuronetId, Balance)> {
		Pools::<T>::iter()
			.take(T::MaxPools::get() as usize)
			.filter(|(_, pool)| pool.stake > 0)
			.map(|(neuronet, pool)| (neuronet, pool.stake))
			.collect()
	}

	fn max_staked_neuronets() -> u32 {
		T::MaxPools::get()
	}

	fn reward_stakers(neuronet: NeuronetId, source: &T::AccountId, amount: Balance) -> Balance {
		let Some(mut pool) = Pools::<T>::get(neuronet) else { return amount };
		let (step, shared) = share_out(amount, pool.stake);
		if shared == 0 {
			return amount;
		}
		if T::Currency::transfer(source, &Self::account(), shared, Preservation::Preserve).is_err()
		{
			return amount;
		}
		pool.reward_per_share = pool.reward_per_share.saturating_add(step);
		pool.owed = pool.owed.saturating_add(shared);
		Pools::<T>::insert(neuronet, pool);
		Self::deposit_event(Event::StakersRewarded {
			neuronet,
			amount: shared,
			reward_per_share: pool.reward_per_share,
		});
		amount.saturating_sub(shared)
	}

	fn reward_stakers_weight() -> Weight {
		T::WeightInfo::reward_stakers()
	}
}
