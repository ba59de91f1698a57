//! Benchmarks of every call and of sharing a reward, each in its worst case (a position that
//! exists and has rewards to settle, a chunk list one short of full), and `extra` benchmarks
//! that run the same calls in pools of 1 to 10 000 other stakers to show the weight does not
//! depend on them (`docs/measurements.md`).

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, EnsureOrigin};
use frame_system::RawOrigin;

const NET: NeuronetId = 0;

fn min_stake<T: Config>() -> Balance {
	Params::<T>::get().min_stake
}

/// A funded staker.
fn staker<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, min_stake::<T>().saturating_mul(1_000_000));
	who
}

/// `others` positions of the minimum stake in the pool, written directly (their holds are not
/// needed: the calls measured never touch another position).
fn crowd<T: Config>(others: u32) {
	let mut pool = Pools::<T>::get(NET).unwrap_or_default();
	for i in 0..others {
		let who: T::AccountId = account("crowd", i, 0);
		Positions::<T>::insert(
			&who,
			NET,
			Position { stake: min_stake::<T>(), ..Default::default() },
		);
		pool.stake = pool.stake.saturating_add(min_stake::<T>());
		pool.positions = pool.positions.saturating_add(1);
	}
	Pools::<T>::insert(NET, pool);
}

/// The rewards account funded and a reward shared, so positions have rewards to settle.
fn rewarded<T: Config>() {
	let source = staker::<T>("emission", 0);
	T::Currency::set_balance(&Pallet::<T>::account(), min_stake::<T>());
	let left = Pallet::<T>::reward_stakers(NET, &source, min_stake::<T>().saturating_mul(100));
	assert_eq!(left, 0);
}

/// A staker with a position of ten times the minimum that has rewards to settle.
fn staked<T: Config>(others: u32) -> T::AccountId {
	T::BenchmarkHelper::open_neuronet(NET);
	crowd::<T>(others);
	let who = staker::<T>("staker", 0);
	Pallet::<T>::stake(RawOrigin::Signed(who.clone()).into(), NET, min_stake::<T>() * 10)
		.expect("stake");
	rewarded::<T>();
	who
}

/// Fills the position's unbonding chunks but one, each due now.
fn unbonding<T: Config>(who: &T::AccountId) {
	let until = frame_system::Pallet::<T>::block_number();
	Positions::<T>::mutate(who, NET, |p| {
		if let Some(p) = p {
			for _ in 1..bounds::MAX_UNBONDING_CHUNKS {
				let _ = p.unbonding.try_push(Unbonding { amount: 1, until });
			}
		}
	});
	let held = bounds::MAX_UNBONDING_CHUNKS.saturating_sub(1);
	T::Currency::hold(&HoldReason::Staked.into(), who, Balance::from(held)).expect("hold");
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Adding to a position with rewards to settle.
	#[benchmark]
	fn stake() {
		let who = staked::<T>(1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), NET, min_stake::<T>());
		assert_eq!(Positions::<T>::get(&who, NET).map(|p| p.stake), Some(min_stake::<T>() * 11));
	}

	/// Unbonding with rewards to settle, into a chunk list one short of full.
	#[benchmark]
	fn unstake() {
		let who = staked::<T>(1);
		unbonding::<T>(&who);
		frame_system::Pallet::<T>::set_block_number(1u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), NET, min_stake::<T>());
		assert_eq!(
			Positions::<T>::get(&who, NET).map(|p| p.unbonding.len() as u32),
			Some(bounds::MAX_UNBONDING_CHUNKS)
		);
	}

	/// Releasing a full chunk list.
	#[benchmark]
	fn withdraw_unbonded() {
		let who = staked::<T>(1);
		unbonding::<T>(&who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), NET);
		assert_eq!(Positions::<T>::get(&who, NET).map(|p| p.unbonding.len()), Some(0));
	}

	/// Paying a position's rewards.
	#[benchmark]
	fn claim_staking() {
		let who = staked::<T>(1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), NET);
		assert_eq!(Positions::<T>::get(&who, NET).map(|p| p.unclaimed), Some(0));
	}

	/// Bonding a position's rewards.
	#[benchmark]
	fn restake_rewards() {
		let who = staked::<T>(1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), NET);
		assert!(Positions::<T>::get(&who, NET).is_some_and(|p| p.stake > min_stake::<T>() * 10));
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = RestakingParams { unbonding_period: 5, ..Params::<T>::get() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	/// Sharing an epoch's staker emission among a pool's stakers.
	#[benchmark]
	fn reward_stakers() {
		staked::<T>(1);
		let source = staker::<T>("emission", 1);
		let before = Pools::<T>::get(NET).map(|p| p.reward_per_share);
		#[block]
		{
			Pallet::<T>::reward_stakers(NET, &source, min_stake::<T>());
		}
		assert!(Pools::<T>::get(NET).map(|p| p.reward_per_share) > before);
	}

	/// `stake` in a pool of `s` other stakers: the same weight whatever `s`.
	#[benchmark(extra)]
	fn stake_among(s: Linear<1, 10_000>) {
		let who = staked::<T>(s);
		#[extrinsic_call]
		stake(RawOrigin::Signed(who), NET, min_stake::<T>());
	}

	/// `claim_staking` in a pool of `s` other stakers.
	#[benchmark(extra)]
	fn claim_staking_among(s: Linear<1, 10_000>) {
		let who = staked::<T>(s);
		#[extrinsic_call]
		claim_staking(RawOrigin::Signed(who), NET);
	}

	/// `unstake` in a pool of `s` other stakers.
	#[benchmark(extra)]
	fn unstake_among(s: Linear<1, 10_000>) {
		let who = staked::<T>(s);
		#[extrinsic_call]
		unstake(RawOrigin::Signed(who), NET, min_stake::<T>());
	}

	/// Sharing a reward in a pool of `s` other stakers.
	#[benchmark(extra)]
	fn reward_stakers_among(s: Linear<1, 10_000>) {
		staked::<T>(s);
		let source = staker::<T>("emission", 1);
		#[block]
		{
			Pallet::<T>::reward_stakers(NET, &source, min_stake::<T>());
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
