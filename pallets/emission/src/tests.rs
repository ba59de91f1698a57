//! Every call, event and refusal of emission, the hook's minting, split and expiry, and
//! conservation after every block of random sequences.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use mock::Balance;
use proptest::prelude::*;
use sp_runtime::DispatchError;
use sp_runtime::DispatchResult;

fn percent(p: u32) -> Perbill {
	Perbill::from_percent(p)
}

fn balance(who: AccountId) -> Balance {
	Balances::balance(&who)
}

type AccountId = mock::AccountId;

fn stake(neuronet: NeuronetId, amount: Balance) {
	set_stake(neuronet, amount);
}

fn heartbeat(slot: SlotId, times: u32) {
	for _ in 0..times {
		<Emission as OnHeartbeat>::heartbeat(slot, 0);
	}
}

fn confirm(slot: SlotId, epoch: EpochIndex, units: u64) {
	<Emission as OnWork>::work_confirmed(slot, 0, epoch, units);
}

fn claim(slot: SlotId, epoch: EpochIndex) -> DispatchResult {
	Emission::claim(RuntimeOrigin::signed(7), slot, epoch)
}

/// Block reward to the pot per block: 90 % of 1 000.
const TO_POT: Balance = 900;

#[test]
fn every_block_mints_the_reward_to_the_author_and_the_pot() {
	run(|| {
		// Block 1 has run its hook.
		let (author, pot) = (balance(AUTHOR), balance(Emission::account()));
		assert_eq!((author, pot), (100, ED + TO_POT));
		advance_to(4);
		assert_eq!(balance(AUTHOR), author + 3 * 100);
		assert_eq!(balance(Emission::account()), pot + 3 * TO_POT);
		assert_eq!(Pot::<Test>::get(), 4 * TO_POT);
		assert_eq!(Minted::<Test>::get(), 4_000);
		assert_eq!(
			EpochSummaries::<Test>::get(0).unwrap(),
			EpochSummary { minted: 4_000, to_validators: 400, ..Default::default() }
		);
		// Without an author, the validators' share goes to the pot.
		set_author(None);
		advance_to(5);
		assert_eq!(Pot::<Test>::get(), 4 * TO_POT + 1_000);
		assert_eq!(Minted::<Test>::get(), 5_000);
	});
}

#[test]
fn the_reward_halves_on_schedule_and_minting_stops_at_the_cap() {
	run(|| {
		let interval = u64::from(params().halving_interval);
		System::set_block_number(interval - 2);
		advance_to(interval - 1);
		assert_eq!(Minted::<Test>::get(), 2_000, "block 1, then the last full reward");
		advance_to(interval);
		assert_eq!(Minted::<Test>::get(), 2_500, "halved at the interval");
		System::set_block_number(interval * 2 - 1);
		advance_to(interval * 2);
		assert_eq!(Minted::<Test>::get(), 2_750);
		// A cap 1 100 units above what is issued: one quarter-reward of 250 at a time, the
		// last one cut to fit.
		let issued = GenesisIssuance::<Test>::get() + Minted::<Test>::get();
		assert_ok!(Emission::set_params(
			RuntimeOrigin::root(),
			EmissionParams { supply_cap: issued + 1_100, ..params() }
		));
		advance_to(interval * 2 + 10);
		assert_eq!(GenesisIssuance::<Test>::get() + Minted::<Test>::get(), issued + 1_100);
		assert_eq!(Balances::total_issuance(), issued + 1_100);
	});
}

#[test]
fn an_epochs_pot_splits_by_stake_with_the_cap_and_the_rest_rolls_over() {
	run(|| {
		stake(0, 10 * UNIT);
		stake(1, 30 * UNIT);
		stake(2, 60 * UNIT);
		// Neuronet 2 is paused: its stake takes no share.
		set_open(2, false);
		let owner0 = balance(OWNER);
		advance_to(epoch_start(1));
		// Epoch 0 minted in blocks 1..=9.
		let pot = 9 * TO_POT;
		// 1 : 3 of the pot, 3/4 capped at 1/2.
		let (e0, e1) = (pot / 4, pot / 2);
		System::assert_has_event(
			Event::EpochSplit { epoch: 0, pot, distributed: e0 + e1, rolled_over: pot - e0 - e1 }
				.into(),
		);
		let (m0, s0, o0) = split(e0, &params());
		assert_eq!((m0, s0, o0), (e0 - s0 - o0, e0 * 15 / 100, e0 * 5 / 100));
		System::assert_has_event(
			Event::NeuronetEmission {
				epoch: 0,
				neuronet: 0,
				miners: m0,
				stakers: s0,
				owner: o0,
				capacity: 1_000,
			}
			.into(),
		);
		let ne = NeuronetEpochs::<Test>::get(0, 0).unwrap();
		assert_eq!((ne.stake, ne.capacity, ne.emission, ne.miner_pool), (10 * UNIT, 1_000, e0, m0));
		assert_eq!(NeuronetEpochs::<Test>::get(0, 2), None);
		assert_eq!(balance(OWNER), owner0 + o0);
		// The stakers' shares went to them, less the mock's dust, which went to the treasury.
		let s1 = split(e1, &params()).1;
		assert_eq!(balance(STAKERS), s0 - s0 % 10 + s1 - s1 % 10);
		assert_eq!(Pot::<Test>::get(), pot - e0 - e1 + TO_POT, "the rest plus block 10's reward");
		assert_eq!(MinersOwed::<Test>::get(), m0 + split(e1, &params()).0);
	});
}

#[test]
fn without_stake_nothing_is_given_out_and_the_pot_grows() {
	run(|| {
		advance_to(epoch_start(2));
		assert_eq!(Pot::<Test>::get(), 20 * TO_POT, "blocks 1 to 20");
		assert_eq!(MinersOwed::<Test>::get(), 0);
		System::assert_has_event(
			Event::EpochSplit {
				epoch: 0,
				pot: 9 * TO_POT,
				distributed: 0,
				rolled_over: 9 * TO_POT,
			}
			.into(),
		);
	});
}

#[test]
fn a_score_is_work_times_uptime_times_the_weight_the_epoch_started_with() {
	run(|| {
		add_slot(1, 0, 11, percent(50));
		add_slot(2, 0, 12, percent(20));
		heartbeat(1, 2);
		confirm(1, 0, 300);
		// Reputation moving later in the epoch does not change the epoch's weight.
		add_slot(1, 0, 11, percent(90));
		heartbeat(1, 5);
		heartbeat(2, 4);
		confirm(2, 0, 100);
		let s1 = Scores::<Test>::get(0, 1).unwrap();
		assert_eq!((s1.work, s1.heartbeats, s1.weight), (300, 7, percent(50)));
		// Uptime caps at full (4 heartbeats).
		assert_eq!(s1.score, 300 * 4 * 500_000_000);
		let s2 = Scores::<Test>::get(0, 2).unwrap();
		assert_eq!(s2.score, 100 * 4 * 200_000_000);
		let ne = NeuronetEpochs::<Test>::get(0, 0).unwrap();
		assert_eq!((ne.work, ne.score), (400, s1.score + s2.score));
		// Work of an unknown slot counts for nobody.
		confirm(9, 0, 1_000);
		assert_eq!(NeuronetEpochs::<Test>::get(0, 0).unwrap().work, 400);
	});
}

/// Two slots of different coldkeys, staked so that capacity is 1 000 units an epoch; both send
/// full heartbeats in epoch 0.
fn two_miners(work: (u64, u64)) {
	stake(0, 10 * UNIT);
	add_slot(1, 0, 11, percent(50));
	add_slot(2, 0, 12, percent(25));
	heartbeat(1, 4);
	heartbeat(2, 4);
	confirm(1, 0, work.0);
	confirm(2, 0, work.1);
}

#[test]
fn payouts_follow_scores_once_the_epoch_settles() {
	run(|| {
		two_miners((600, 400));
		advance_to(epoch_start(1));
		let pool = NeuronetEpochs::<Test>::get(0, 0).unwrap();
		assert_noop!(claim(1, 0), Error::<Test>::NotSettled);
		advance_to(epoch_start(2));
		// Capacity filled exactly: the whole pool, by score 600·0.5 : 400·0.25 = 3 : 1.
		let (b1, b2) = (balance(11), balance(12));
		assert_ok!(claim(1, 0));
		assert_ok!(claim(2, 0));
		let (p1, p2) = (pool.miner_pool * 3 / 4, pool.miner_pool / 4);
		assert_eq!((balance(11) - b1, balance(12) - b2), (p1, p2));
		System::assert_has_event(
			Event::Claimed { slot: 1, epoch: 0, coldkey: 11, amount: p1 }.into(),
		);
		assert_noop!(claim(1, 0), Error::<Test>::AlreadyClaimed);
		assert_eq!(NeuronetEpochs::<Test>::get(0, 0).unwrap().paid, p1 + p2);
	});
}

#[test]
fn work_beyond_capacity_is_not_rewarded_and_below_it_earns_the_filled_share() {
	run(|| {
		// 4 000 units against a capacity of 1 000: the same pool as exactly 1 000.
		two_miners((3_000, 1_000));
		advance_to(epoch_start(1));
		// Epoch 1: a quarter of the capacity filled, a quarter of the pool earned.
		heartbeat(1, 4);
		confirm(1, 1, 250);
		advance_to(epoch_start(2));
		let pool = NeuronetEpochs::<Test>::get(0, 0).unwrap();
		assert_eq!(pool.earned(), pool.miner_pool);
		advance_to(epoch_start(3));
		let pool = NeuronetEpochs::<Test>::get(1, 0).unwrap();
		let before = balance(11);
		assert_ok!(claim(1, 1));
		assert_eq!(balance(11) - before, pool.miner_pool / 4);
	});
}

#[test]
fn claims_wait_for_the_work_pallet_and_arbitration() {
	run(|| {
		two_miners((600, 400));
		hold_open(0, true);
		undecided(0, true);
		advance_to(epoch_start(3));
		assert_noop!(claim(1, 0), Error::<Test>::NotSettled);
		hold_open(0, false);
		assert_noop!(claim(1, 0), Error::<Test>::NotSettled);
		undecided(0, false);
		assert_ok!(claim(1, 0));
	});
}

#[test]
fn a_forfeited_payout_pays_the_bounty_and_the_treasury_never_the_others() {
	run(|| {
		two_miners((600, 400));
		add_slot(3, 0, 13, percent(50));
		heartbeat(3, 4);
		confirm(3, 0, 500);
		// Slot 1 lost an arbitration (challenger 20, 20 % bounty); slot 3 missed a re-check.
		forfeit(1, 0, Some((20, percent(20))));
		<Emission as OnWork>::recheck_missed(3, 0);
		advance_to(epoch_start(2));
		let pool = NeuronetEpochs::<Test>::get(0, 0).unwrap();
		let (owed1, owed2, owed3) = (
			pool.payout(Scores::<Test>::get(0, 1).unwrap().score),
			pool.payout(Scores::<Test>::get(0, 2).unwrap().score),
			pool.payout(Scores::<Test>::get(0, 3).unwrap().score),
		);
		let (treasury, challenger, b1, b2, b3) =
			(balance(TREASURY), balance(20), balance(11), balance(12), balance(13));
		for slot in 1..=3 {
			assert_ok!(claim(slot, 0));
		}
		let bounty = owed1 / 5;
		System::assert_has_event(
			Event::PayoutForfeited { slot: 1, epoch: 0, amount: owed1, bounty: Some((20, bounty)) }
				.into(),
		);
		System::assert_has_event(
			Event::PayoutForfeited { slot: 3, epoch: 0, amount: owed3, bounty: None }.into(),
		);
		assert_eq!(balance(20) - challenger, bounty);
		assert_eq!(balance(TREASURY) - treasury, owed1 - bounty + owed3);
		assert_eq!((balance(11), balance(13)), (b1, b3));
		// The honest slot gets its own share, no more.
		assert_eq!(balance(12) - b2, owed2);
	});
}

#[test]
fn bad_claims_are_refused_by_name_and_change_nothing() {
	run(|| {
		two_miners((600, 0));
		advance_to(epoch_start(2));
		assert_noop!(claim(9, 0), Error::<Test>::NoScore);
		assert_noop!(claim(1, 1), Error::<Test>::NoScore);
		// Slot 2 sent heartbeats but no work was confirmed.
		assert_noop!(claim(2, 0), Error::<Test>::NothingToClaim);
		assert_noop!(Emission::claim(RuntimeOrigin::none(), 1, 0), DispatchError::BadOrigin);
		assert!(Emission::claimable(1, 0).is_ok());
	});
}

#[test]
fn a_deregistered_slot_is_still_paid_to_its_coldkey() {
	run(|| {
		two_miners((600, 400));
		remove_slot(1);
		advance_to(epoch_start(2));
		let before = balance(11);
		assert_ok!(claim(1, 0));
		assert!(balance(11) > before);
	});
}

#[test]
fn expired_epochs_give_the_unclaimed_to_the_treasury_and_the_unearned_to_the_pot() {
	run(|| {
		// A quarter of the capacity filled: three quarters of the pool unearned.
		two_miners((200, 50));
		advance_to(epoch_start(2));
		assert_ok!(claim(1, 0));
		let pool = NeuronetEpochs::<Test>::get(0, 0).unwrap();
		let earned = pool.earned();
		assert_eq!(earned, pool.miner_pool / 4);
		// Claims of epoch 0 close when epoch 0 + 2 + 3 begins.
		advance_to(epoch_start(5) - 1);
		assert!(NeuronetEpochs::<Test>::get(0, 0).is_some());
		let treasury = balance(TREASURY);
		advance_to(epoch_start(5));
		let to_treasury = earned - pool.paid;
		let to_pot = pool.miner_pool - earned;
		System::assert_has_event(
			Event::EpochExpired { epoch: 0, neuronet: 0, to_treasury, to_pot }.into(),
		);
		// The treasury also had the dust of epoch 4's split, in the same block.
		let e4 = NeuronetEpochs::<Test>::get(4, 0).unwrap();
		let dust = split(e4.emission, &params()).1 - e4.to_stakers;
		assert_eq!(balance(TREASURY) - treasury, to_treasury + dust);
		assert_eq!(NeuronetEpochs::<Test>::get(0, 0), None);
		assert_eq!(Scores::<Test>::get(0, 2), None);
		assert_noop!(claim(2, 0), Error::<Test>::NoScore);
		assert_eq!(ExpiryCursor::<Test>::get(), 1);
	});
}

#[test]
fn claims_close_before_the_forfeit_ledger_forgets() {
	run(|| {
		// A claim window longer than the ledger keeps forfeits (10 epochs) is cut to it.
		assert_ok!(Emission::set_params(
			RuntimeOrigin::root(),
			EmissionParams { claim_window: 50, ..params() }
		));
		assert_eq!(Emission::expires_at(0), RETENTION);
		two_miners((600, 400));
		forfeit(1, 0, None);
		advance_to(epoch_start(RETENTION) - 1);
		assert!(Emission::claimable(2, 0).is_ok());
		advance_to(epoch_start(RETENTION));
		// Expired, and removed within the block.
		assert_noop!(claim(1, 0), Error::<Test>::NoScore);
		assert_noop!(claim(2, 0), Error::<Test>::NoScore);
	});
}

#[test]
fn expiry_is_bounded_per_block() {
	run(|| {
		stake(0, 10 * UNIT);
		for slot in 0..10 {
			add_slot(slot, 0, 100 + slot, percent(50));
			heartbeat(slot, 1);
		}
		advance_to(epoch_start(5));
		// Four entries a block: the pool, then three scores; the rest can no longer be claimed.
		assert_eq!(Scores::<Test>::iter_prefix(0).count(), 7);
		let left = Scores::<Test>::iter_keys().find(|(e, _)| *e == 0).unwrap().1;
		assert!(matches!(Emission::claimable(left, 0), Err(Error::<Test>::Expired)));
		advance_to(epoch_start(5) + 1);
		assert_eq!(Scores::<Test>::iter_prefix(0).count(), 3);
		advance_to(epoch_start(5) + 2);
		assert_eq!(Scores::<Test>::iter_prefix(0).count(), 0);
		assert_eq!(ExpiryCursor::<Test>::get(), 1);
	});
}

#[test]
fn only_governance_sets_parameters_within_bounds() {
	run(|| {
		let p = EmissionParams { validator_share: percent(20), ..params() };
		assert_noop!(Emission::set_params(RuntimeOrigin::signed(1), p), DispatchError::BadOrigin);
		for bad in [
			EmissionParams { miner_share: percent(81), ..p },
			EmissionParams { owner_share: percent(4), ..p },
			EmissionParams { halving_interval: bounds::MIN_HALVING_INTERVAL - 1, ..p },
			EmissionParams { settlement_delay: 1, ..p },
			EmissionParams { claim_window: 0, ..p },
			EmissionParams { claim_window: bounds::MAX_CLAIM_WINDOW + 1, ..p },
			EmissionParams { full_uptime_heartbeats: 0, ..p },
			EmissionParams { max_expiries_per_block: 0, ..p },
			EmissionParams { capacity_per_stake: 0, ..p },
			EmissionParams { max_neuronet_share: Perbill::zero(), ..p },
		] {
			assert_noop!(
				Emission::set_params(RuntimeOrigin::root(), bad),
				Error::<Test>::ParamOutOfBounds
			);
		}
		assert_ok!(Emission::set_params(RuntimeOrigin::root(), p));
		System::assert_last_event(Event::ParamsSet { params: p }.into());
		let author = balance(AUTHOR);
		advance_to(2);
		assert_eq!(balance(AUTHOR) - author, 200, "the next block uses the new share");
	});
}

#[test]
fn the_runtime_api_lists_a_slots_payouts_by_state() {
	run(|| {
		two_miners((600, 400));
		forfeit(2, 0, None);
		advance_to(epoch_start(1));
		heartbeat(1, 4);
		confirm(1, 1, 100);
		advance_to(epoch_start(2));
		let states = |slot| {
			Emission::slot_payouts(slot).into_iter().map(|p| (p.epoch, p.state)).collect::<Vec<_>>()
		};
		use runtime_api::PayoutState::*;
		assert_eq!(states(1), vec![(0, Claimable), (1, Pending)]);
		assert_eq!(states(2), vec![(0, Forfeited)]);
		assert_ok!(claim(1, 0));
		assert_eq!(states(1), vec![(0, Claimed), (1, Pending)]);
		assert_eq!(Emission::capacity_of(0), (10 * UNIT, 1_000));
		assert_eq!(Emission::status().pot, Pot::<Test>::get());
	});
}

/// One step of a random sequence.
#[derive(Clone, Debug)]
enum Op {
	Heartbeat(u8),
	Confirm(u8, u16),
	Missed(u8),
	Forfeit(u8),
	Stake(u8, u8),
	Unstake(u8, u8),
	Claim(u8, u8),
	Advance(u8),
	Close(u8),
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		4 => (0..4u8).prop_map(Op::Heartbeat),
		4 => (0..4u8, 1..2_000u16).prop_map(|(s, w)| Op::Confirm(s, w)),
		1 => (0..4u8).prop_map(Op::Missed),
		1 => (0..4u8).prop_map(Op::Forfeit),
		2 => (0..3u8, 1..50u8).prop_map(|(n, a)| Op::Stake(n, a)),
		1 => (0..3u8, 1..50u8).prop_map(|(n, a)| Op::Unstake(n, a)),
		3 => (0..4u8, 0..8u8).prop_map(|(s, e)| Op::Claim(s, e)),
		3 => (1..25u8).prop_map(Op::Advance),
		1 => (0..3u8).prop_map(Op::Close),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(48))]

	/// Random work, heartbeats, stake, forfeits, claims and epochs: after every block the
	/// pallet's account is the pot plus what the pools owe, each neuronet's totals are its
	/// slots', the staker pools can pay, and issuance is genesis plus minted; no claim pays
	/// more than its pool earned, and refused claims change nothing.
	#[test]
	fn conservation_holds_after_every_block(ops in proptest::collection::vec(op(), 1..80)) {
		new_test_ext().execute_with(|| {
			for slot in 0..4u64 {
				add_slot(slot, (slot % 3) as NeuronetId, 11 + slot, percent(10 + 20 * slot as u32));
			}
			for op in ops {
				let epoch = <MockEpochs as EpochClock>::current_epoch();
				match op {
					Op::Heartbeat(s) => heartbeat(u64::from(s), 1),
					Op::Confirm(s, w) => {
						let e = epoch.saturating_sub(u32::from(s % 2));
						if !<MockWork as WorkLedger>::epoch_closed(e) {
							<Emission as OnWork>::work_confirmed(u64::from(s), 0, e, u64::from(w));
						}
					}
					Op::Missed(s) => <Emission as OnWork>::recheck_missed(u64::from(s), epoch),
					Op::Forfeit(s) => forfeit(u64::from(s), epoch, Some((20, percent(20)))),
					Op::Stake(n, a) => {
						let n = NeuronetId::from(n);
						set_stake(n, <MockStake as NeuronetStake<_, _>>::stake_of(n) + Balance::from(a) * UNIT);
					}
					Op::Unstake(n, a) => {
						let n = NeuronetId::from(n);
						let stake = <MockStake as NeuronetStake<_, _>>::stake_of(n);
						set_stake(n, stake.saturating_sub(Balance::from(a) * UNIT));
					}
					Op::Claim(s, e) => {
						let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
						if claim(u64::from(s), EpochIndex::from(e)).is_err() {
							prop_assert_eq!(root, sp_io::storage::root(sp_runtime::StateVersion::V1));
						}
					}
					Op::Advance(b) => advance_to(System::block_number() + u64::from(b)),
					Op::Close(n) => set_open(NeuronetId::from(n), false),
				}
				prop_assert!(Emission::do_try_state().is_ok(), "{:?}", Emission::do_try_state());
				for (_, _, ne) in NeuronetEpochs::<Test>::iter() {
					prop_assert!(ne.paid <= ne.earned());
				}
			}
			prop_assert_eq!(
				Balances::total_issuance(),
				GenesisIssuance::<Test>::get() + Minted::<Test>::get()
			);
			Ok(())
		})?;
	}
}
