//! What a miner, a staker, a UI or the node's JSON RPC asks the runtime about emission: the
//! pot and supply, an epoch's emission overall and per neuronet, a slot's payouts per epoch
//! (pending, claimable, claimed or forfeited), and a neuronet's capacity now.

use crate::{
	capacity, Config, CurrentEpoch, EmissionParams, EpochSummary, ExpiryCursor, GenesisIssuance,
	Minted, NeuronetEpoch, NeuronetEpochs, Pallet, Params, Pot, Scores, SlotScore,
};
use aetron_primitives::{
	artefact::NeuronetId,
	traits::{EpochIndex, Forfeits, NeuronetStake, SlotId},
	Balance,
};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use frame_support::traits::Get;
use scale_info::TypeInfo;

/// Where a slot's payout for an epoch stands.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub enum PayoutState {
	/// The epoch is not settled: the figure may still grow.
	Pending,
	/// It may be claimed now.
	Claimable,
	/// It was claimed.
	Claimed,
	/// The slot forfeited it (a lost arbitration or a missed re-check).
	Forfeited,
	/// Its epoch expired unclaimed.
	Expired,
}

/// A slot's payout for one epoch.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct SlotPayout<AccountId> {
	/// The epoch.
	pub epoch: EpochIndex,
	/// The stored record (work, heartbeats, weight, score).
	pub record: SlotScore<AccountId>,
	/// Its neuronet's totals and pool for the epoch.
	pub neuronet: NeuronetEpoch,
	/// The payout at the figures as they stand.
	pub amount: Balance,
	/// Where it stands.
	pub state: PayoutState,
	/// Whether the epoch is settled, so the payout may be claimed (a forfeited one too: the
	/// claim pays the challenger's bounty).
	pub settled: bool,
}

/// The network's emission figures now.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct EmissionStatus {
	/// The epoch in progress.
	pub epoch: EpochIndex,
	/// The pot (not yet given to a neuronet).
	pub pot: Balance,
	/// Everything minted so far.
	pub minted: Balance,
	/// Total issuance at genesis.
	pub genesis_issuance: Balance,
	/// The parameters in force.
	pub params: EmissionParams,
}

sp_api::decl_runtime_apis! {
	/// Emission for clients.
	pub trait EmissionApi<AccountId: Codec> {
		/// The pot, the supply figures and the parameters.
		fn status() -> EmissionStatus;
		/// An epoch's emission, until it expires.
		fn epoch_summary(epoch: EpochIndex) -> Option<EpochSummary>;
		/// A neuronet's emission and totals in an epoch, until it expires.
		fn neuronet_epoch(epoch: EpochIndex, neuronet: NeuronetId) -> Option<NeuronetEpoch>;
		/// A slot's payouts in every epoch not yet expired, oldest first.
		fn slot_payouts(slot: SlotId) -> Vec<SlotPayout<AccountId>>;
		/// A neuronet's bonded stake and the work units an epoch it backs now.
		fn capacity(neuronet: NeuronetId) -> (Balance, u64);
	}
}

impl<T: Config> Pallet<T> {
	/// The figures of [`EmissionApi::status`].
	pub fn status() -> EmissionStatus {
		EmissionStatus {
			epoch: CurrentEpoch::<T>::get(),
			pot: Pot::<T>::get(),
			minted: Minted::<T>::get(),
			genesis_issuance: GenesisIssuance::<T>::get(),
			params: Params::<T>::get(),
		}
	}

	/// A slot's payouts in every epoch from the expiry cursor to the current one (a bounded
	/// range: settlement delay plus claim window, a few more while expiry catches up).
	pub fn slot_payouts(slot: SlotId) -> Vec<SlotPayout<T::AccountId>> {
		let current = CurrentEpoch::<T>::get();
		(ExpiryCursor::<T>::get()..=current)
			.filter_map(|epoch| {
				let record = Scores::<T>::get(epoch, slot)?;
				let neuronet = NeuronetEpochs::<T>::get(epoch, record.neuronet).unwrap_or_default();
				let amount = neuronet.payout(record.score);
				let forfeited = record.missed_rechecks || T::Forfeits::is_forfeited(slot, epoch);
				let settled = Self::settled(epoch);
				let state = if forfeited {
					PayoutState::Forfeited
				} else if record.claimed {
					PayoutState::Claimed
				} else if current >= Self::expires_at(epoch) {
					PayoutState::Expired
				} else if settled {
					PayoutState::Claimable
				} else {
					PayoutState::Pending
				};
				Some(SlotPayout { epoch, record, neuronet, amount, state, settled })
			})
			.collect()
	}

	/// A neuronet's bonded stake and its capacity at the parameters in force.
	pub fn capacity_of(neuronet: NeuronetId) -> (Balance, u64) {
		let stake = T::Stake::stake_of(neuronet);
		(stake, capacity(stake, T::StakeUnit::get(), &Params::<T>::get()))
	}
}
