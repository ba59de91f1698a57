//! Every call, event and refusal of restaking, and the reward-per-share accumulator against a
//! naive per-staker computation.

use crate::{mock::*, *};
use aetron_primitives::traits::NeuronetStake;
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use mock::Balance;
use proptest::prelude::*;
use sp_runtime::DispatchError;

fn stake(who: AccountId, neuronet: NeuronetId, amount: Balance) {
	assert_ok!(Restaking::stake(RuntimeOrigin::signed(who), neuronet, amount));
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Staked.into(), &who)
}

fn pending(who: AccountId, neuronet: NeuronetId) -> Balance {
	Restaking::position_of(&who, neuronet).map(|p| p.unclaimed).unwrap_or_default()
}

/// Emission's pot hands `amount` to `neuronet`'s stakers; returns what came back.
fn reward(neuronet: NeuronetId, amount: Balance) -> Balance {
	<Restaking as NeuronetStake<_, _>>::reward_stakers(neuronet, &POT, amount)
}

fn rewards_account() -> Balance {
	Balances::balance(&Restaking::account())
}

#[test]
fn staking_holds_the_funds_and_bonds_them_to_the_neuronet() {
	run(|| {
		stake(ALICE, 0, 5 * MIN_STAKE);
		System::assert_last_event(
			Event::Staked { who: ALICE, neuronet: 0, amount: 5 * MIN_STAKE, stake: 5 * MIN_STAKE }
				.into(),
		);
		stake(ALICE, 0, MIN_STAKE);
		stake(BOB, 0, 2 * MIN_STAKE);
		stake(BOB, 1, MIN_STAKE);
		assert_eq!(held(ALICE), 6 * MIN_STAKE);
		assert_eq!(Balances::balance(&ALICE), FUNDS - 6 * MIN_STAKE);
		assert_eq!(Restaking::stake_of(0), 8 * MIN_STAKE);
		assert_eq!(Restaking::stake_of(1), MIN_STAKE);
		assert_eq!(Restaking::stake_of(2), 0);
		assert_eq!(TotalStake::<Test>::get(), 9 * MIN_STAKE);
		let mut staked = Restaking::staked_neuronets();
		staked.sort();
		assert_eq!(staked, vec![(0, 8 * MIN_STAKE), (1, MIN_STAKE)]);
		assert_eq!(Pools::<Test>::get(0).unwrap().positions, 2);
	});
}

#[test]
fn bad_stakes_are_refused_by_name_and_change_nothing() {
	run(|| {
		assert_noop!(
			Restaking::stake(RuntimeOrigin::signed(ALICE), 0, 0),
			Error::<Test>::ZeroAmount
		);
		set_open(0, false);
		assert_noop!(
			Restaking::stake(RuntimeOrigin::signed(ALICE), 0, MIN_STAKE),
			Error::<Test>::NeuronetClosed
		);
		assert_noop!(
			Restaking::stake(RuntimeOrigin::signed(ALICE), 9, MIN_STAKE),
			Error::<Test>::NeuronetClosed
		);
		assert_noop!(
			Restaking::stake(RuntimeOrigin::signed(ALICE), 1, MIN_STAKE - 1),
			Error::<Test>::BelowMinimumStake
		);
		assert_noop!(
			Restaking::stake(RuntimeOrigin::signed(ALICE), 1, FUNDS),
			Error::<Test>::CannotHold
		);
		assert_noop!(
			Restaking::stake(RuntimeOrigin::none(), 1, MIN_STAKE),
			DispatchError::BadOrigin
		);
		// Once a position holds the minimum, it may add less.
		stake(ALICE, 1, MIN_STAKE);
		stake(ALICE, 1, 1);
		// Every pool taken: a further neuronet cannot open one.
		for n in 2..(MAX_POOLS as NeuronetId + 1) {
			stake(BOB, n, MIN_STAKE);
		}
		assert_noop!(
			Restaking::stake(RuntimeOrigin::signed(BOB), 5, MIN_STAKE),
			Error::<Test>::TooManyPools
		);
	});
}

#[test]
fn unstaking_stops_rewards_at_once_and_releases_after_the_unbonding_period() {
	run(|| {
		stake(ALICE, 0, 4 * MIN_STAKE);
		assert_ok!(Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, MIN_STAKE));
		let until = 1 + u64::from(UNBONDING);
		System::assert_last_event(
			Event::Unbonding { who: ALICE, neuronet: 0, amount: MIN_STAKE, until }.into(),
		);
		// Still held, no longer bonded.
		assert_eq!(held(ALICE), 4 * MIN_STAKE);
		assert_eq!(Restaking::stake_of(0), 3 * MIN_STAKE);
		// Two unstakes in one block make one chunk.
		assert_ok!(Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, MIN_STAKE));
		assert_eq!(Positions::<Test>::get(ALICE, 0).unwrap().unbonding.len(), 1);
		assert_noop!(
			Restaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::NothingToWithdraw
		);
		advance_to(until - 1);
		assert_noop!(
			Restaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::NothingToWithdraw
		);
		advance_to(until);
		assert_ok!(Restaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE), 0));
		System::assert_last_event(
			Event::Withdrawn { who: ALICE, neuronet: 0, amount: 2 * MIN_STAKE }.into(),
		);
		assert_eq!(held(ALICE), 2 * MIN_STAKE);
		assert_eq!(Balances::balance(&ALICE), FUNDS - 2 * MIN_STAKE);
		// Leaving entirely closes the position and the pool.
		assert_ok!(Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, 2 * MIN_STAKE));
		advance_to(until + u64::from(UNBONDING));
		assert_ok!(Restaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(Positions::<Test>::get(ALICE, 0), None);
		assert_eq!(Pools::<Test>::get(0), None);
		System::assert_has_event(Event::PoolClosed { neuronet: 0, dust: 0 }.into());
		assert_eq!(Balances::balance(&ALICE), FUNDS);
	});
}

#[test]
fn bad_unstakes_are_refused_by_name_and_change_nothing() {
	run(|| {
		assert_noop!(
			Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, MIN_STAKE),
			Error::<Test>::NoPosition
		);
		stake(ALICE, 0, 2 * MIN_STAKE);
		assert_noop!(
			Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, 2 * MIN_STAKE + 1),
			Error::<Test>::InsufficientStake
		);
		assert_noop!(
			Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, MIN_STAKE + 1),
			Error::<Test>::BelowMinimumStake
		);
		assert_noop!(
			Restaking::withdraw_unbonded(RuntimeOrigin::signed(BOB), 0),
			Error::<Test>::NoPosition
		);
		// At most MAX_UNBONDING_CHUNKS chunks, one per block.
		stake(ALICE, 0, 100 * MIN_STAKE);
		for b in 0..bounds::MAX_UNBONDING_CHUNKS {
			advance_to(2 + u64::from(b));
			assert_ok!(Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, MIN_STAKE));
		}
		advance_to(100);
		assert_noop!(
			Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, MIN_STAKE),
			Error::<Test>::TooManyUnbondingChunks
		);
		// Closing a neuronet never traps stake.
		set_open(0, false);
		assert_ok!(Restaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE), 0));
		assert_ok!(Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, MIN_STAKE));
	});
}

#[test]
fn stakers_share_rewards_pro_rata_to_bonded_stake() {
	run(|| {
		stake(ALICE, 0, 3 * MIN_STAKE);
		stake(BOB, 0, MIN_STAKE);
		let account = rewards_account();
		assert_eq!(reward(0, 4_000), 0);
		System::assert_last_event(
			Event::StakersRewarded {
				neuronet: 0,
				amount: 4_000,
				reward_per_share: 4_000 * SHARE_PRECISION / (4 * MIN_STAKE),
			}
			.into(),
		);
		assert_eq!(rewards_account(), account + 4_000);
		assert_eq!(Balances::balance(&POT), FUNDS - 4_000);
		assert_eq!((pending(ALICE, 0), pending(BOB, 0)), (3_000, 1_000));
		// Carol joins after: she gets nothing of what came before.
		stake(CAROL, 0, 4 * MIN_STAKE);
		assert_eq!(reward(0, 8_000), 0);
		assert_eq!((pending(ALICE, 0), pending(BOB, 0), pending(CAROL, 0)), (6_000, 2_000, 4_000));
		// Unbonding stake earns nothing.
		assert_ok!(Restaking::unstake(RuntimeOrigin::signed(CAROL), 0, 4 * MIN_STAKE));
		assert_eq!(reward(0, 4_000), 0);
		assert_eq!((pending(ALICE, 0), pending(BOB, 0), pending(CAROL, 0)), (9_000, 3_000, 4_000));
		// Nobody staked: everything comes back.
		assert_eq!(reward(3, 500), 500);
	});
}

#[test]
fn a_reward_too_small_to_move_the_accumulator_comes_back() {
	run(|| {
		stake(ALICE, 0, MIN_STAKE);
		stake(BOB, 0, MIN_STAKE);
		stake(CAROL, 0, MIN_STAKE);
		// 10 among three equal stakes: 3 each, the unit left over stays in the pool.
		assert_eq!(reward(0, 10), 0);
		assert_eq!((pending(ALICE, 0), pending(BOB, 0), pending(CAROL, 0)), (3, 3, 3));
		assert_eq!(Pools::<Test>::get(0).unwrap().owed, 10);
		// A stake so large that the step rounds to zero takes nothing.
		stake(ALICE, 1, FUNDS / 2);
		let per_share = Pools::<Test>::get(1).unwrap().reward_per_share;
		let tiny = FUNDS / 2 / SHARE_PRECISION;
		assert_eq!(reward(1, tiny), tiny);
		assert_eq!(Pools::<Test>::get(1).unwrap().reward_per_share, per_share);
	});
}

#[test]
fn claiming_pays_the_rewards_and_restaking_bonds_them() {
	run(|| {
		stake(ALICE, 0, MIN_STAKE);
		assert_noop!(
			Restaking::claim_staking(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::NothingToClaim
		);
		assert_noop!(
			Restaking::claim_staking(RuntimeOrigin::signed(BOB), 0),
			Error::<Test>::NoPosition
		);
		reward(0, 5 * MIN_STAKE);
		let before = Balances::balance(&ALICE);
		assert_ok!(Restaking::claim_staking(RuntimeOrigin::signed(ALICE), 0));
		System::assert_last_event(
			Event::RewardsClaimed { who: ALICE, neuronet: 0, amount: 5 * MIN_STAKE }.into(),
		);
		assert_eq!(Balances::balance(&ALICE), before + 5 * MIN_STAKE);
		assert_eq!(pending(ALICE, 0), 0);
		assert_noop!(
			Restaking::claim_staking(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::NothingToClaim
		);
		reward(0, 2 * MIN_STAKE);
		assert_ok!(Restaking::restake_rewards(RuntimeOrigin::signed(ALICE), 0));
		System::assert_last_event(
			Event::RewardsRestaked {
				who: ALICE,
				neuronet: 0,
				amount: 2 * MIN_STAKE,
				stake: 3 * MIN_STAKE,
			}
			.into(),
		);
		assert_eq!(held(ALICE), 3 * MIN_STAKE);
		assert_eq!(Restaking::stake_of(0), 3 * MIN_STAKE);
		// Restaked rewards earn like any stake.
		reward(0, 3_000);
		assert_eq!(pending(ALICE, 0), 3_000);
		// A closed neuronet pays its rewards but takes no restake.
		set_open(0, false);
		assert_noop!(
			Restaking::restake_rewards(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::NeuronetClosed
		);
		assert_ok!(Restaking::claim_staking(RuntimeOrigin::signed(ALICE), 0));
	});
}

#[test]
fn a_staker_who_left_still_claims_what_it_earned() {
	run(|| {
		stake(ALICE, 0, MIN_STAKE);
		stake(BOB, 0, MIN_STAKE);
		reward(0, 1_000);
		assert_ok!(Restaking::unstake(RuntimeOrigin::signed(ALICE), 0, MIN_STAKE));
		advance_to(1 + u64::from(UNBONDING));
		assert_ok!(Restaking::withdraw_unbonded(RuntimeOrigin::signed(ALICE), 0));
		// The position stays for its unclaimed rewards.
		assert_eq!(pending(ALICE, 0), 500);
		assert_ok!(Restaking::claim_staking(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(Positions::<Test>::get(ALICE, 0), None);
		assert_eq!(Pools::<Test>::get(0).unwrap().positions, 1);
	});
}

#[test]
fn an_emptied_pool_gives_its_dust_to_the_treasury() {
	run(|| {
		stake(ALICE, 0, MIN_STAKE);
		stake(BOB, 0, 2 * MIN_STAKE);
		// 10 among 1 : 2 → 3 and 6, one unit of dust left in the pool.
		assert_eq!(reward(0, 10), 0);
		assert_eq!(Pools::<Test>::get(0).unwrap().owed, 10);
		for who in [ALICE, BOB] {
			assert_ok!(Restaking::claim_staking(RuntimeOrigin::signed(who), 0));
			let stake = Positions::<Test>::get(who, 0).unwrap().stake;
			assert_ok!(Restaking::unstake(RuntimeOrigin::signed(who), 0, stake));
		}
		advance_to(1 + u64::from(UNBONDING));
		let treasury = Balances::balance(&TREASURY);
		for who in [ALICE, BOB] {
			assert_ok!(Restaking::withdraw_unbonded(RuntimeOrigin::signed(who), 0));
		}
		let owed = 10 - 3 - 6;
		assert_eq!(Balances::balance(&TREASURY), treasury + owed);
		assert_eq!(Pools::<Test>::get(0), None);
		assert_eq!(rewards_account(), ED);
	});
}

#[test]
fn only_governance_sets_parameters_within_bounds() {
	run(|| {
		let params = RestakingParams { min_stake: 2 * MIN_STAKE, unbonding_period: 5 };
		assert_noop!(
			Restaking::set_params(RuntimeOrigin::signed(ALICE), params),
			DispatchError::BadOrigin
		);
		for bad in [
			RestakingParams { min_stake: bounds::MIN_MIN_STAKE - 1, ..params },
			RestakingParams { unbonding_period: bounds::MAX_UNBONDING_PERIOD + 1, ..params },
		] {
			assert_noop!(
				Restaking::set_params(RuntimeOrigin::root(), bad),
				Error::<Test>::ParamOutOfBounds
			);
		}
		assert_ok!(Restaking::set_params(RuntimeOrigin::root(), params));
		System::assert_last_event(Event::ParamsSet { params }.into());
		assert_eq!(Params::<Test>::get(), params);
	});
}

/// One step of a random sequence.
#[derive(Clone, Debug)]
enum Op {
	Stake(u8, u8, u32),
	Unstake(u8, u8, u32),
	Withdraw(u8, u8),
	Claim(u8, u8),
	Restake(u8, u8),
	Reward(u8, u32),
	Wait(u8),
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		(0..3u8, 0..2u8, 1..5_000u32).prop_map(|(w, n, a)| Op::Stake(w, n, a)),
		(0..3u8, 0..2u8, 1..5_000u32).prop_map(|(w, n, a)| Op::Unstake(w, n, a)),
		(0..3u8, 0..2u8).prop_map(|(w, n)| Op::Withdraw(w, n)),
		(0..3u8, 0..2u8).prop_map(|(w, n)| Op::Claim(w, n)),
		(0..3u8, 0..2u8).prop_map(|(w, n)| Op::Restake(w, n)),
		(0..2u8, 1..10_000_000u32).prop_map(|(n, a)| Op::Reward(n, a)),
		(1..8u8).prop_map(Op::Wait),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(64))]

	/// Against a naive model that pays every reward to every staker at once, each position's
	/// rewards match to within one unit per reward it shared (the accumulator rounds down per
	/// position and per step), never above; refused calls change nothing, and the invariants
	/// hold after every step.
	#[test]
	fn the_accumulator_matches_paying_every_staker_at_once(ops in proptest::collection::vec(op(), 1..60)) {
		new_test_ext().execute_with(|| {
			use std::collections::BTreeMap;
			let who = |w: u8| [ALICE, BOB, CAROL][w as usize];
			let net = |n: u8| NeuronetId::from(n);
			// Exact rewards (as rationals in units of 10^-18) and the count of shares.
			let mut naive: BTreeMap<(AccountId, NeuronetId), (u128, u32)> = BTreeMap::new();
			let mut claimed: BTreeMap<(AccountId, NeuronetId), u128> = BTreeMap::new();
			let unit = |a: u32| Balance::from(a) * 1_000;
			for op in ops {
				let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
				let result = match op.clone() {
					Op::Stake(w, n, a) => Restaking::stake(RuntimeOrigin::signed(who(w)), net(n), unit(a)),
					Op::Unstake(w, n, a) => Restaking::unstake(RuntimeOrigin::signed(who(w)), net(n), unit(a)),
					Op::Withdraw(w, n) => Restaking::withdraw_unbonded(RuntimeOrigin::signed(who(w)), net(n)),
					Op::Claim(w, n) | Op::Restake(w, n) => {
						let before = pending(who(w), net(n));
						let r = if matches!(op, Op::Claim(..)) {
							Restaking::claim_staking(RuntimeOrigin::signed(who(w)), net(n))
						} else {
							Restaking::restake_rewards(RuntimeOrigin::signed(who(w)), net(n))
						};
						if r.is_ok() {
							*claimed.entry((who(w), net(n))).or_default() += before;
						}
						r
					}
					Op::Reward(n, a) => {
						let stake = Restaking::stake_of(net(n));
						let amount = Balance::from(a);
						let back = reward(net(n), amount);
						if back < amount {
							for (w, _, p) in Positions::<Test>::iter().filter(|(_, m, _)| *m == net(n)) {
								let e = naive.entry((w, net(n))).or_default();
								e.0 += p.stake * amount * SHARE_PRECISION / stake;
								e.1 += 1;
							}
						}
						Ok(())
					}
					Op::Wait(b) => {
						advance_to(System::block_number() + u64::from(b));
						Ok(())
					}
				};
				if result.is_err() {
					prop_assert_eq!(root, sp_io::storage::root(sp_runtime::StateVersion::V1));
				}
				prop_assert!(Restaking::do_try_state().is_ok(), "{:?}", Restaking::do_try_state());
				for ((w, n), (exact, steps)) in &naive {
					let got = claimed.get(&(*w, *n)).copied().unwrap_or_default() + pending(*w, *n);
					let exact = exact / SHARE_PRECISION;
					prop_assert!(got <= exact && exact - got <= u128::from(*steps) + 1,
						"{w} in {n}: paid {got}, exact {exact}, {steps} steps");
				}
			}
			Ok(())
		})?;
	}
}
