//! # Emission: AET minted by block and paid for confirmed work
//!
//! DESIGN §9. Every block mints a reward on a halving schedule toward a supply cap: the block
//! author takes `validator_share`, the rest accrues in the *pot*. When an epoch ends the pot
//! splits across the open neuronets by bonded stake (`pallets/restaking`), no neuronet above
//! `max_neuronet_share`; inside a neuronet `miner_share` forms its miners' pool, `staker_share`
//! goes to its stakers' accumulator and `owner_share` to its owner. What no neuronet can take
//! (no stake anywhere, a closed neuronet's share, the cap) stays in the pot for the next epoch.
//!
//! ## Scores without a loop over slots
//! A slot's *score* in an epoch is confirmed work × uptime × reputation weight (the weight at
//! the start of the epoch, uptime `min(heartbeats, full) / full`). It is stored when it changes
//! (the work pallet confirms a batch through [`OnWork`], the neuronets pallet accepts a heartbeat
//! through [`OnHeartbeat`]) and the neuronet's total moves by the difference, so every event is
//! O(1). Nothing iterates over slots: the split visits each staked neuronet once an epoch (at
//! most [`NeuronetStake::max_staked_neuronets`]), expiry removes a bounded number of entries a
//! block.
//!
//! ## Payouts
//! Epoch `e` is paid once `settlement_delay` epochs have passed, the work pallet has closed it
//! and arbitration has decided every dispute over it ([`Forfeits::epoch_decided`]), so no
//! confirmation or forfeit of `e` can still come. Then anyone may [`Pallet::claim`] a slot's
//! payout (the worker does it for its own slot; it is free when valid):
//!
//! `payout = miner_pool · min(work, capacity) / capacity · score / Σ score`
//!
//! where `work` is the neuronet's confirmed work in `e` and `capacity` is what its stake backs
//! (`capacity_per_stake` per `StakeUnit`): work beyond capacity is not rewarded, pro rata, and
//! miners that fill half the capacity earn half the pool. A slot that missed a re-check in `e`
//! or lost an arbitration over it ([`Forfeits`]) is paid nothing: the challenger's bounty comes
//! out of its payout and the rest goes to the treasury, never to the other miners. After
//! `claim_window` epochs an epoch expires: what was earned and not claimed (rounding dust
//! included) goes to the treasury, what the miners did not earn returns to the pot.
//!
//! ## Conservation
//! Total issuance is the genesis issuance plus what this pallet minted, less what others burned
//! (registration fees). The pallet's account holds the pot and every miners' pool not yet paid
//! or expired, to the unit; `try_state` checks both every block in the tests.
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
	artefact::NeuronetId,
	traits::{
		EpochClock, EpochIndex, Forfeits, NeuronetStake, NeuronetsInspect, OnHeartbeat, OnWork,
		ReputationOf, SlotId, WorkLedger,
	},
	Balance,
};
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		FindAuthor, Get,
	},
	weights::Weight,
	PalletId,
};
use sp_runtime::{
	traits::{AccountIdConversion, SaturatedConversion},
	Perbill,
};

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// An active slot of `neuronet` owned by `coldkey`, with a reputation.
	fn active_slot(neuronet: NeuronetId, coldkey: AccountId) -> SlotId;
	/// Opens `neuronet` and bonds `stake` of `staker`'s (funded here) to it.
	fn staked_neuronet(neuronet: NeuronetId, staker: AccountId, stake: Balance);
	/// Records that `slot` forfeited `epoch`, with a bounty owed to `challenger`.
	fn forfeit(slot: SlotId, epoch: EpochIndex, challenger: AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// A slot's epoch record as stored.
	pub type SlotScoreOf<T> = SlotScore<<T as frame_system::Config>::AccountId>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// AET: minted, and paid from the pallet's account.
		type Currency: Mutate<Self::AccountId, Balance = Balance>;
		/// Slots (their coldkeys) and neuronets (open or not, their owners).
		type Neuronets: NeuronetsInspect<Self::AccountId>;
		/// Each slot's emission weight at the start of an epoch.
		type Reputation: ReputationOf;
		/// Whether an epoch's confirmations are over.
		type Work: WorkLedger;
		/// Who forfeited an epoch, the bounty owed, and whether any dispute is still open.
		type Forfeits: Forfeits<Self::AccountId>;
		/// Stake per neuronet; pays the stakers' share.
		type Stake: NeuronetStake<Self::AccountId, Balance>;
		/// The emission epoch.
		type EpochClock: EpochClock;
		/// The block's author, from the pre-runtime digest (BABE's).
		type FindAuthor: FindAuthor<Self::AccountId>;
		/// The account holding the pot and the miners' pools.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Receives forfeited and unclaimed payouts and rounding dust.
		type Treasury: Get<Self::AccountId>;
		/// The stake that backs `capacity_per_stake` work units an epoch (one AET).
		#[pallet::constant]
		type StakeUnit: Get<Balance>;
		/// May change the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Weights of the calls and the hook.
		type WeightInfo: WeightInfo;
		/// Slots, stake and settled epochs for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The parameters in force.
	#[pallet::storage]
	pub type Params<T> = StorageValue<_, EmissionParams, ValueQuery>;

	/// Total issuance when the chain started.
	#[pallet::storage]
	pub type GenesisIssuance<T> = StorageValue<_, Balance, ValueQuery>;

	/// Everything this pallet minted.
	#[pallet::storage]
	pub type Minted<T> = StorageValue<_, Balance, ValueQuery>;

	/// Emission not yet given to a neuronet.
	#[pallet::storage]
	pub type Pot<T> = StorageValue<_, Balance, ValueQuery>;

	/// The miners' pools not yet paid out or expired, together.
	#[pallet::storage]
	pub type MinersOwed<T> = StorageValue<_, Balance, ValueQuery>;

	/// The epoch the hook last saw begin.
	#[pallet::storage]
	pub type CurrentEpoch<T> = StorageValue<_, EpochIndex, ValueQuery>;

	/// The earliest epoch not yet expired.
	#[pallet::storage]
	pub type ExpiryCursor<T> = StorageValue<_, EpochIndex, ValueQuery>;

	/// Each epoch's emission, until it expires.
	#[pallet::storage]
	pub type EpochSummaries<T> = StorageMap<_, Twox64Concat, EpochIndex, EpochSummary>;

	/// Each neuronet's emission and totals per epoch, until the epoch expires.
	#[pallet::storage]
	pub type NeuronetEpochs<T> =
		StorageDoubleMap<_, Twox64Concat, EpochIndex, Twox64Concat, NeuronetId, NeuronetEpoch>;

	/// Each slot's score per epoch, until the epoch expires.
	#[pallet::storage]
	pub type Scores<T: Config> =
		StorageDoubleMap<_, Twox64Concat, EpochIndex, Twox64Concat, SlotId, SlotScoreOf<T>>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first parameters.
		pub params: EmissionParams,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(
				Pallet::<T>::check(&self.params).is_ok(),
				"genesis emission params out of bounds"
			);
			Params::<T>::put(self.params);
			// The pallet's account and the treasury hold the existential deposit for good, so
			// paying out never reaps the one and paying in always reaches the other.
			let ed = T::Currency::minimum_balance();
			for account in [Pallet::<T>::account(), T::Treasury::get()] {
				if T::Currency::balance(&account) < ed {
					let _ = T::Currency::mint_into(&account, ed);
				}
			}
			GenesisIssuance::<T>::put(T::Currency::total_issuance());
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An epoch's pot was split across the neuronets.
		EpochSplit {
			/// The epoch that closed.
			epoch: EpochIndex,
			/// The pot.
			pot: Balance,
			/// What the neuronets took.
			distributed: Balance,
			/// What stays in the pot.
			rolled_over: Balance,
		},
		/// A neuronet's share of an epoch's pot.
		NeuronetEmission {
			/// The epoch.
			epoch: EpochIndex,
			/// The neuronet.
			neuronet: NeuronetId,
			/// Its miners' pool.
			miners: Balance,
			/// Shared among its stakers.
			stakers: Balance,
			/// Paid to its owner.
			owner: Balance,
			/// Work units its stake backed.
			capacity: u64,
		},
		/// A slot's payout for an epoch was paid to its coldkey.
		Claimed {
			/// The slot.
			slot: SlotId,
			/// The epoch.
			epoch: EpochIndex,
			/// Who was paid.
			coldkey: T::AccountId,
			/// What.
			amount: Balance,
		},
		/// A slot's payout for an epoch was forfeited (a lost arbitration or a missed
		/// re-check): the bounty to the challenger, the rest to the treasury.
		PayoutForfeited {
			/// The slot.
			slot: SlotId,
			/// The epoch.
			epoch: EpochIndex,
			/// The payout it would have had.
			amount: Balance,
			/// The challenger paid from it, and how much.
			bounty: Option<(T::AccountId, Balance)>,
		},
		/// An epoch's claims closed for one neuronet: the unclaimed went to the treasury, the
		/// unearned back to the pot.
		EpochExpired {
			/// The epoch.
			epoch: EpochIndex,
			/// The neuronet.
			neuronet: NeuronetId,
			/// Earned and never claimed (rounding dust included).
			to_treasury: Balance,
			/// Never earned: the capacity the miners did not fill.
			to_pot: Balance,
		},
		/// Governance set new parameters.
		ParamsSet {
			/// The parameters now in force.
			params: EmissionParams,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The slot has no score in that epoch (no work, no heartbeat, or expired).
		NoScore,
		/// The payout was claimed already.
		AlreadyClaimed,
		/// The epoch is not settled yet: its settlement delay has not passed, its batches can
		/// still be confirmed, or a dispute over it is open.
		NotSettled,
		/// The epoch's claims have expired.
		Expired,
		/// The payout is zero.
		NothingToClaim,
		/// A parameter is outside its bounds, or the shares do not sum to 100 %.
		ParamOutOfBounds,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Closes the epoch that ended (the split), mints the block's reward, expires old
		/// epochs up to `max_expiries_per_block` entries.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let params = Params::<T>::get();
			// The benchmark mints without a block author; crediting one is an account more.
			let mut weight = T::WeightInfo::on_initialize_mint()
				.saturating_add(T::DbWeight::get().reads_writes(1, 1));
			let epoch = T::EpochClock::current_epoch();
			let last = CurrentEpoch::<T>::get();
			if epoch > last {
				let neuronets = Self::split_epoch(last, &params);
				CurrentEpoch::<T>::put(epoch);
				weight = weight.saturating_add(T::WeightInfo::split_epoch(neuronets));
			}
			Self::mint(now, &params);
			let (pools, scores) = Self::expire(epoch, &params);
			weight
				.saturating_add(T::WeightInfo::expire_pool().saturating_mul(u64::from(pools)))
				.saturating_add(T::WeightInfo::expire_score().saturating_mul(u64::from(scores)))
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Pays `slot`'s payout for the settled `epoch` to its coldkey, or, when it forfeited
		/// the epoch, the bounty to its challenger and the rest to the treasury. Anyone may
		/// call it for any slot; free when it pays something.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::claim())]
		#[pallet::feeless_if(|_: &OriginFor<T>, slot: &SlotId, epoch: &EpochIndex| -> bool {
			Pallet::<T>::claimable(*slot, *epoch).is_ok()
		})]
		pub fn claim(origin: OriginFor<T>, slot: SlotId, epoch: EpochIndex) -> DispatchResult {
			ensure_signed(origin)?;
			let (mut score, mut pool, amount) = Self::claimable(slot, epoch)?;
			let forfeited = score.missed_rechecks || T::Forfeits::is_forfeited(slot, epoch);
			if forfeited {
				let bounty = T::Forfeits::bounty(slot, epoch).and_then(|(challenger, share)| {
					let bounty = share.mul_floor(amount);
					Self::pay(&challenger, bounty).then_some((challenger, bounty))
				});
				let paid = bounty.as_ref().map(|(_, b)| *b).unwrap_or_default();
				Self::to_treasury(amount.saturating_sub(paid));
				Self::deposit_event(Event::PayoutForfeited { slot, epoch, amount, bounty });
			} else {
				// A coldkey that cannot receive it (a new account below the existential
				// deposit) leaves it to the treasury rather than to nobody.
				if !Self::pay(&score.coldkey, amount) {
					Self::to_treasury(amount);
				}
				Self::deposit_event(Event::Claimed {
					slot,
					epoch,
					coldkey: score.coldkey.clone(),
					amount,
				});
			}
			score.claimed = true;
			pool.paid = pool.paid.saturating_add(amount);
			MinersOwed::<T>::mutate(|o| *o = o.saturating_sub(amount));
			NeuronetEpochs::<T>::insert(epoch, score.neuronet, pool);
			Scores::<T>::insert(epoch, slot, score);
			Ok(())
		}

		/// Sets the parameters ([`Config::GovernanceOrigin`] only), within their bounds.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: EmissionParams) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check(&params)?;
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The account holding the pot and the miners' pools.
		pub fn account() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// Refuses parameters outside [`bounds`] or shares that do not sum to 100 %.
		pub fn check(p: &EmissionParams) -> Result<(), Error<T>> {
			use bounds::*;
			let shares = u64::from(p.miner_share.deconstruct())
				+ u64::from(p.staker_share.deconstruct())
				+ u64::from(p.owner_share.deconstruct());
			let ok = shares == u64::from(Perbill::one().deconstruct())
				&& p.halving_interval >= MIN_HALVING_INTERVAL
				&& (MIN_SETTLEMENT_DELAY..=MAX_SETTLEMENT_DELAY).contains(&p.settlement_delay)
				&& (MIN_CLAIM_WINDOW..=MAX_CLAIM_WINDOW).contains(&p.claim_window)
				&& (1..=MAX_FULL_UPTIME_HEARTBEATS).contains(&p.full_uptime_heartbeats)
				&& (1..=MAX_PER_BLOCK).contains(&p.max_expiries_per_block)
				&& p.capacity_per_stake > 0
				&& !p.max_neuronet_share.is_zero();
			ok.then_some(()).ok_or(Error::<T>::ParamOutOfBounds)
		}

		/// Whether `epoch` may be paid: its settlement delay passed, the work pallet closed it
		/// and arbitration decided every dispute over it.
		pub fn settled(epoch: EpochIndex) -> bool {
			T::EpochClock::current_epoch()
				>= epoch.saturating_add(Params::<T>::get().settlement_delay)
				&& T::Work::epoch_closed(epoch)
				&& T::Forfeits::epoch_decided(epoch)
		}

		/// The first epoch in which `epoch` can no longer be claimed: after its claim window,
		/// and before arbitration forgets its forfeits (so a cheater cannot wait them out).
		pub fn expires_at(epoch: EpochIndex) -> EpochIndex {
			let p = Params::<T>::get();
			epoch
				.saturating_add(p.settlement_delay)
				.saturating_add(p.claim_window)
				.min(epoch.saturating_add(T::Forfeits::retention_epochs()))
		}

		/// The slot's record, its neuronet's pool and its payout for `epoch`, if it may be
		/// claimed now.
		pub fn claimable(
			slot: SlotId,
			epoch: EpochIndex,
		) -> Result<(SlotScoreOf<T>, NeuronetEpoch, Balance), Error<T>> {
			let score = Scores::<T>::get(epoch, slot).ok_or(Error::<T>::NoScore)?;
			ensure!(!score.claimed, Error::<T>::AlreadyClaimed);
			ensure!(T::EpochClock::current_epoch() < Self::expires_at(epoch), Error::<T>::Expired);
			ensure!(Self::settled(epoch), Error::<T>::NotSettled);
			let pool = NeuronetEpochs::<T>::get(epoch, score.neuronet).unwrap_or_default();
			let amount = pool.payout(score.score);
			ensure!(amount > 0, Error::<T>::NothingToClaim);
			Ok((score, pool, amount))
		}

		/// Mints the block's reward: the author's share to the author, the rest to the pot.
		fn mint(now: BlockNumberFor<T>, p: &EmissionParams) {
			let issued = GenesisIssuance::<T>::get().saturating_add(Minted::<T>::get());
			let block: u64 = now.saturated_into();
			let reward = block_reward(block, p, issued);
			if reward == 0 {
				return;
			}
			let digests = frame_system::Pallet::<T>::digest();
			let author =
				T::FindAuthor::find_author(digests.logs.iter().filter_map(|d| d.as_pre_runtime()));
			let share = p.validator_share.mul_floor(reward);
			// An author that cannot receive its share (a new account below the existential
			// deposit) leaves it to the pot.
			let to_validator = match author {
				Some(author) if share > 0 => {
					T::Currency::mint_into(&author, share).map(|_| share).unwrap_or_default()
				}
				_ => 0,
			};
			let to_pot = reward.saturating_sub(to_validator);
			if T::Currency::mint_into(&Self::account(), to_pot).is_err() {
				return;
			}
			Pot::<T>::mutate(|pot| *pot = pot.saturating_add(to_pot));
			Minted::<T>::mutate(|m| *m = m.saturating_add(reward));
			EpochSummaries::<T>::mutate(T::EpochClock::current_epoch(), |s| {
				let s = s.get_or_insert_with(Default::default);
				s.minted = s.minted.saturating_add(reward);
				s.to_validators = s.to_validators.saturating_add(to_validator);
			});
		}

		/// Splits the pot at the end of `epoch` across the open staked neuronets. Returns how
		/// many neuronets it visited.
		pub(crate) fn split_epoch(epoch: EpochIndex, p: &EmissionParams) -> u32 {
			let staked = T::Stake::staked_neuronets();
			let visited = staked.len() as u32;
			let open: alloc::vec::Vec<(NeuronetId, Balance)> =
				staked.into_iter().filter(|(n, _)| T::Neuronets::neuronet_is_open(*n)).collect();
			let total = open.iter().fold(0, |sum: Balance, (_, s)| sum.saturating_add(*s));
			let pot = Pot::<T>::get();
			let mut distributed: Balance = 0;
			for (neuronet, stake) in open {
				let emission = neuronet_share(pot, stake, total, p);
				if emission == 0 {
					continue;
				}
				distributed = distributed.saturating_add(emission);
				let (miners, stakers, owner) = split(emission, p);
				let owner_paid = T::Neuronets::neuronet_owner(neuronet)
					.is_some_and(|owner_account| Self::pay(&owner_account, owner));
				if !owner_paid {
					Self::to_treasury(owner);
				}
				let back = T::Stake::reward_stakers(neuronet, &Self::account(), stakers);
				Self::to_treasury(back);
				let capacity = capacity(stake, T::StakeUnit::get(), p);
				NeuronetEpochs::<T>::mutate(epoch, neuronet, |ne| {
					let ne = ne.get_or_insert_with(Default::default);
					ne.stake = stake;
					ne.capacity = capacity;
					ne.emission = emission;
					ne.miner_pool = miners;
					ne.to_stakers = stakers.saturating_sub(back);
					ne.to_owner = owner;
				});
				MinersOwed::<T>::mutate(|o| *o = o.saturating_add(miners));
				Self::deposit_event(Event::NeuronetEmission {
					epoch,
					neuronet,
					miners,
					stakers,
					owner,
					capacity,
				});
			}
			let rolled_over = pot.saturating_sub(distributed);
			Pot::<T>::put(rolled_over);
			EpochSummaries::<T>::mutate(epoch, |s| {
				let s = s.get_or_insert_with(Default::default);
				s.pot = pot;
				s.distributed = distributed;
				s.stake = total;
			});
			Self::deposit_event(Event::EpochSplit { epoch, pot, distributed, rolled_over });
			visited
		}

		/// Removes up to `max_expiries_per_block` entries of epochs whose claims closed:
		/// neuronet pools first (the unclaimed to the treasury, the unearned to the pot), then
		/// slot scores. Returns how many of each it removed.
		pub(crate) fn expire(current: EpochIndex, p: &EmissionParams) -> (u32, u32) {
			let mut cursor = ExpiryCursor::<T>::get();
			let mut budget = p.max_expiries_per_block;
			let (mut pools, mut scores) = (0u32, 0u32);
			// One epoch a block at most: expiry trails by many epochs, never by many blocks.
			if budget == 0 || Self::expires_at(cursor) > current {
				return (0, 0);
			}
			let due: alloc::vec::Vec<(NeuronetId, NeuronetEpoch)> =
				NeuronetEpochs::<T>::iter_prefix(cursor).take(budget as usize).collect();
			for (neuronet, ne) in due {
				NeuronetEpochs::<T>::remove(cursor, neuronet);
				let earned = ne.earned().min(ne.miner_pool);
				let to_treasury = earned.saturating_sub(ne.paid);
				let to_pot = ne.miner_pool.saturating_sub(earned.max(ne.paid));
				Self::to_treasury(to_treasury);
				Pot::<T>::mutate(|pot| *pot = pot.saturating_add(to_pot));
				MinersOwed::<T>::mutate(|o| {
					*o = o.saturating_sub(to_treasury).saturating_sub(to_pot)
				});
				budget = budget.saturating_sub(1);
				pools = pools.saturating_add(1);
				Self::deposit_event(Event::EpochExpired {
					epoch: cursor,
					neuronet,
					to_treasury,
					to_pot,
				});
			}
			if budget == 0 {
				return (pools, scores);
			}
			let slots: alloc::vec::Vec<SlotId> =
				Scores::<T>::iter_key_prefix(cursor).take(budget as usize).collect();
			for slot in &slots {
				Scores::<T>::remove(cursor, slot);
				scores = scores.saturating_add(1);
			}
			if (slots.len() as u32) < budget {
				EpochSummaries::<T>::remove(cursor);
				cursor = cursor.saturating_add(1);
				ExpiryCursor::<T>::put(cursor);
			}
			(pools, scores)
		}

		/// Pays `amount` from the pallet's account; whether it went.
		fn pay(to: &T::AccountId, amount: Balance) -> bool {
			amount == 0
				|| T::Currency::transfer(&Self::account(), to, amount, Preservation::Preserve)
					.is_ok()
		}

		/// Sends `amount` to the treasury (which genesis funded, so it always arrives).
		fn to_treasury(amount: Balance) {
			let _ = Self::pay(&T::Treasury::get(), amount);
		}

		/// Applies `change` to `slot`'s record for `epoch` (created if need be, when the slot is
		/// known) and moves its neuronet's totals by the difference.
		pub(crate) fn update_score(
			slot: SlotId,
			epoch: EpochIndex,
			change: impl FnOnce(&mut SlotScoreOf<T>) -> u64,
		) {
			let record = Scores::<T>::get(epoch, slot).or_else(|| {
				let info = T::Neuronets::slot(slot)?;
				Some(SlotScore {
					neuronet: info.neuronet,
					coldkey: info.coldkey,
					work: 0,
					heartbeats: 0,
					weight: T::Reputation::epoch_start_weight(slot),
					score: 0,
					missed_rechecks: false,
					claimed: false,
				})
			});
			let Some(mut record) = record else { return };
			let before = record.score;
			let added_work = change(&mut record);
			let full = Params::<T>::get().full_uptime_heartbeats;
			record.score = score(record.work, record.heartbeats, full, record.weight);
			NeuronetEpochs::<T>::mutate(epoch, record.neuronet, |ne| {
				let ne = ne.get_or_insert_with(Default::default);
				ne.work = ne.work.saturating_add(added_work);
				ne.score = ne.score.saturating_sub(before).saturating_add(record.score);
			});
			Scores::<T>::insert(epoch, slot, record);
		}

		/// The invariants: the pallet's account holds the pot and the miners' pools owed; the
		/// owed total is the pools'; each neuronet's work and score are its slots'; total
		/// issuance is at most the genesis issuance plus what was minted (others only burn).
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			let mut sums: BTreeMap<(EpochIndex, NeuronetId), (u64, u128)> = BTreeMap::new();
			for (epoch, _, s) in Scores::<T>::iter() {
				let e = sums.entry((epoch, s.neuronet)).or_default();
				e.0 = e.0.saturating_add(s.work);
				e.1 = e.1.saturating_add(s.score);
			}
			let mut owed: Balance = 0;
			for (epoch, neuronet, ne) in NeuronetEpochs::<T>::iter() {
				let (work, score) = sums.remove(&(epoch, neuronet)).unwrap_or_default();
				// Expiry removes pools before scores, so an epoch being expired may have one
				// without the other for a few blocks.
				if epoch >= ExpiryCursor::<T>::get() {
					ensure!(
						ne.work == work && ne.score == score,
						"a neuronet's totals are not its slots'"
					);
				}
				ensure!(ne.paid <= ne.earned(), "paid more than the miners earned");
				ensure!(ne.earned() <= ne.miner_pool, "earned more than the pool");
				owed = owed.saturating_add(ne.miner_pool.saturating_sub(ne.paid));
			}
			let current = T::EpochClock::current_epoch();
			ensure!(
				sums.keys().all(|(epoch, _)| Self::expires_at(*epoch) <= current),
				"scores without their neuronet's totals"
			);
			ensure!(MinersOwed::<T>::get() == owed, "owed is not the pools'");
			let held =
				T::Currency::minimum_balance().saturating_add(Pot::<T>::get()).saturating_add(owed);
			ensure!(
				T::Currency::balance(&Self::account()) == held,
				"the pallet's account is not the pot plus what the pools owe"
			);
			ensure!(
				T::Currency::total_issuance()
					<= GenesisIssuance::<T>::get().saturating_add(Minted::<T>::get()),
				"more issued than genesis and emission"
			);
			Self::check(&Params::<T>::get()).map_err(|_| "parameters out of bounds")?;
			Ok(())
		}
	}
}

impl<T: Config> OnWork for Pallet<T> {
	fn work_confirmed(slot: SlotId, _neuronet: NeuronetId, epoch: EpochIndex, units: u64) {
		Self::update_score(slot, epoch, |s| {
			s.work = s.work.saturating_add(units);
			units
		});
	}

	fn recheck_missed(slot: SlotId, epoch: EpochIndex) {
		Self::update_score(slot, epoch, |s| {
			s.missed_rechecks = true;
			0
		});
	}

	fn on_work_weight() -> Weight {
		T::WeightInfo::update_score()
	}
}

impl<T: Config> OnHeartbeat for Pallet<T> {
	fn heartbeat(slot: SlotId, _neuronet: NeuronetId) {
		Self::update_score(slot, T::EpochClock::current_epoch(), |s| {
			s.heartbeats = s.heartbeats.saturating_add(1);
			0
		});
	}

	fn heartbeat_weight() -> Weight {
		T::WeightInfo::update_score()
	}
}
