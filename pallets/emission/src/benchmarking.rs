//! Benchmarks of every call and of each kind of work the block hook does, each in its worst
//! case: a forfeited claim that pays a bounty and the treasury, a score record created, a
//! block's mint, the epoch split over `n` staked neuronets, an expired pool and score. The
//! `extra` benchmark claims among 1 to 10 000 other slots of the epoch to show the weight does
//! not depend on them (`docs/measurements.md`).

use super::*;
use aetron_primitives::traits::MAX_STAKED_NEURONETS;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, EnsureOrigin, Hooks};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};

const NET: NeuronetId = 0;

fn unit() -> Balance {
	T_UNIT
}
const T_UNIT: Balance = 1_000_000_000_000;

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

/// Moves blocks on until `epoch` is settled.
fn settle<T: Config>(epoch: EpochIndex) {
	let mut steps = 0u32;
	while !Pallet::<T>::settled(epoch) && steps < 100_000 {
		frame_system::Pallet::<T>::set_block_number(now::<T>() + 1u32.into());
		steps += 1;
	}
	assert!(Pallet::<T>::settled(epoch), "the epoch never settled");
}

/// A slot with a score in epoch 0 among `others` slots of the same neuronet, a staked neuronet
/// with a pool for the epoch, and the pallet's account funded for it.
fn scored<T: Config>(others: u32) -> SlotId {
	let staker: T::AccountId = account("staker", 0, 0);
	T::BenchmarkHelper::staked_neuronet(NET, staker, 100 * unit());
	let coldkey: T::AccountId = account("miner", 0, 0);
	let slot = T::BenchmarkHelper::active_slot(NET, coldkey.clone());
	let record = |coldkey| SlotScore {
		neuronet: NET,
		coldkey,
		work: 1_000,
		heartbeats: 4,
		weight: Perbill::from_percent(50),
		score: score(1_000, 4, 4, Perbill::from_percent(50)),
		missed_rechecks: false,
		claimed: false,
	};
	Scores::<T>::insert(0, slot, record(coldkey));
	for i in 0..others {
		Scores::<T>::insert(
			0,
			SlotId::from(u32::MAX) + SlotId::from(i),
			record(account("crowd", i, 0)),
		);
	}
	let pool = 1_000 * unit();
	NeuronetEpochs::<T>::insert(
		0,
		NET,
		NeuronetEpoch {
			stake: 100 * unit(),
			capacity: 1_000,
			miner_pool: pool,
			work: 1_000 * u64::from(others.saturating_add(1)),
			score: record(account("x", 0, 0)).score.saturating_mul(u128::from(others) + 1),
			..Default::default()
		},
	);
	MinersOwed::<T>::put(pool);
	T::Currency::set_balance(&Pallet::<T>::account(), pool.saturating_add(unit()));
	T::Currency::set_balance(&T::Treasury::get(), unit());
	settle::<T>(0);
	slot
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A forfeited payout: the bounty to the challenger (a new account) and the rest to the
	/// treasury.
	#[benchmark]
	fn claim() {
		let slot = scored::<T>(1);
		let challenger: T::AccountId = account("challenger", 0, 0);
		T::BenchmarkHelper::forfeit(slot, 0, challenger.clone());
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), slot, 0);
		assert!(Scores::<T>::get(0, slot).is_some_and(|s| s.claimed));
		assert!(T::Currency::balance(&challenger) > 0);
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = EmissionParams { claim_window: 7, ..Params::<T>::get() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	/// A slot's first event of an epoch: its record created (slot and reputation read) and its
	/// neuronet's totals created.
	#[benchmark]
	fn update_score() {
		let coldkey: T::AccountId = account("miner", 0, 0);
		let slot = T::BenchmarkHelper::active_slot(NET, coldkey);
		let epoch = T::EpochClock::current_epoch();
		#[block]
		{
			<Pallet<T> as OnWork>::work_confirmed(slot, NET, epoch, 100);
		}
		assert!(Scores::<T>::get(epoch, slot).is_some());
	}

	/// A block's mint in an epoch already begun, with no expiry due.
	#[benchmark]
	fn on_initialize_mint() {
		frame_system::Pallet::<T>::set_block_number(1u32.into());
		Pallet::<T>::on_initialize(1u32.into());
		let minted = Minted::<T>::get();
		frame_system::Pallet::<T>::set_block_number(2u32.into());
		#[block]
		{
			Pallet::<T>::on_initialize(2u32.into());
		}
		assert!(Minted::<T>::get() > minted);
	}

	/// The split of an epoch's pot over `n` staked open neuronets, each paying its owner and
	/// its stakers.
	#[benchmark]
	fn split_epoch(n: Linear<1, MAX_STAKED_NEURONETS>) {
		for i in 0..n {
			let staker: T::AccountId = account("staker", i, 0);
			T::BenchmarkHelper::staked_neuronet(i, staker, 10 * unit());
		}
		Pot::<T>::put(1_000_000 * unit());
		T::Currency::set_balance(&Pallet::<T>::account(), 1_000_001 * unit());
		T::Currency::set_balance(&T::Treasury::get(), unit());
		let params = Params::<T>::get();
		#[block]
		{
			Pallet::<T>::split_epoch(0, &params);
		}
		assert_eq!(NeuronetEpochs::<T>::iter_prefix(0).count() as u32, n);
	}

	/// An expired pool with earned and unearned emission left.
	#[benchmark]
	fn expire_pool() {
		scored::<T>(0);
		NeuronetEpochs::<T>::mutate(0, NET, |ne| {
			if let Some(ne) = ne {
				ne.work = 500;
			}
		});
		let at = Pallet::<T>::expires_at(0);
		let params = Params::<T>::get();
		#[block]
		{
			Pallet::<T>::expire(at, &params);
		}
		assert!(NeuronetEpochs::<T>::get(0, NET).is_none());
	}

	/// An expired score.
	#[benchmark]
	fn expire_score() {
		let slot = scored::<T>(0);
		NeuronetEpochs::<T>::remove(0, NET);
		MinersOwed::<T>::kill();
		let at = Pallet::<T>::expires_at(0);
		let params = Params::<T>::get();
		#[block]
		{
			Pallet::<T>::expire(at, &params);
		}
		assert!(Scores::<T>::get(0, slot).is_none());
	}

	/// `claim` among `s` other scored slots of the epoch: the same weight whatever `s`.
	#[benchmark(extra)]
	fn claim_among(s: Linear<1, 10_000>) {
		let slot = scored::<T>(s);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		claim(RawOrigin::Signed(caller), slot, 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
