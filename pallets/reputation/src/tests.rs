//! The rules of DESIGN §4 through the traits other pallets use, and governance's call.

use crate::{mock::*, *};
use aetron_primitives::traits::{OnSlotChange, ReputationOf, ReputationUpdate};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn percent(p: u32) -> Perbill {
	Perbill::from_percent(p)
}

#[test]
fn a_new_slot_starts_low_and_is_sampled_often() {
	run(|| {
		Reputation::slot_opened(7, 0);
		assert_eq!(Reputation::reputation(7), percent(10));
		// p(0.1) = 3 % + 22 % · 0.9 = 22.8 %.
		assert_eq!(Reputation::sampling_rate(7), Perbill::from_parts(228_000_000));
		assert_eq!(Reputation::emission_weight(7), percent(10));
		assert!(!Reputation::may_recheck(7));
		assert!(!Reputation::may_arbitrate(7));
		assert!(!Reputation::on_probation(7));
		assert_eq!(Reputation::reputation(8), Perbill::zero(), "unknown slots have none");
		assert_eq!(Reputation::emission_weight(8), Perbill::zero());
		Reputation::slot_closed(7, 0);
		assert_eq!(Reputations::<Test>::get(7), None);
	});
}

#[test]
fn passed_rechecks_close_a_share_of_the_gap() {
	run(|| {
		Reputation::slot_opened(1, 0);
		Reputation::recheck_passed(1);
		// 0.1 + 0.02 · 0.9 = 0.118.
		assert_eq!(Reputation::reputation(1), Perbill::from_parts(118_000_000));
		System::assert_last_event(
			Event::ReputationGained { slot: 1, reputation: Perbill::from_parts(118_000_000) }
				.into(),
		);
		let mut passes = 1;
		while !Reputation::may_recheck(1) {
			Reputation::recheck_passed(1);
			passes += 1;
		}
		assert_eq!(passes, 13, "0.3 is reached after 13 passes");
		while !Reputation::may_arbitrate(1) {
			Reputation::recheck_passed(1);
			passes += 1;
		}
		assert_eq!(passes, 41, "0.6 after 41");
		for _ in 0..2_000 {
			Reputation::recheck_passed(1);
		}
		assert!(Reputation::reputation(1) <= Perbill::one());
		assert!(Reputation::reputation(1) > percent(99));
		// Perbill rounding leaves R a few parts per billion below 1: p(R) is p_min to 1e-6.
		let p = Reputation::sampling_rate(1);
		assert!(p >= percent(3) && p <= Perbill::from_parts(30_001_000), "{p:?}");
		Reputation::recheck_passed(99);
		assert_eq!(Reputations::<Test>::get(99), None, "unknown slots stay unknown");
	});
}

#[test]
fn reputation_decays_every_epoch_without_a_loop() {
	run(|| {
		Reputation::slot_opened(1, 0);
		set_epoch(1);
		// 0.1 · 0.995.
		assert_eq!(Reputation::reputation(1), Perbill::from_parts(99_500_000));
		set_epoch(139);
		let r = Reputation::reputation(1);
		assert!(
			r > Perbill::from_parts(49_800_000) && r < Perbill::from_parts(50_000_000),
			"{r:?}"
		);
		assert_eq!(Reputations::<Test>::get(1).unwrap().epoch, 0, "nothing was written");
		// Gaining brings the stored record up to date first.
		Reputation::recheck_passed(1);
		let stored = Reputations::<Test>::get(1).unwrap();
		assert_eq!(stored.epoch, 139);
		assert_eq!(stored.value, gained(r, percent(2)));
		set_epoch(100_000);
		assert_eq!(Reputation::reputation(1), Perbill::zero());
		assert_eq!(Reputation::emission_weight(1), percent(1), "floored at the minimum weight");
	});
}

#[test]
fn emission_weighs_an_epoch_by_the_reputation_it_started_with() {
	run(|| {
		Reputation::slot_opened(1, 0);
		Reputation::recheck_passed(1);
		// Gains within epoch 0 count from epoch 1 on.
		assert_eq!(Reputation::epoch_start_weight(1), percent(10));
		assert_eq!(Reputation::emission_weight(1), Perbill::from_parts(118_000_000));
		set_epoch(1);
		// Epoch 1 starts with epoch 0's value less one epoch's decay (0.5 %).
		let start = Perbill::from_parts(117_410_000);
		assert_eq!(Reputation::epoch_start_weight(1), start);
		Reputation::arbitration_lost(1);
		assert_eq!(Reputation::epoch_start_weight(1), start);
		assert_eq!(Reputation::reputation(1), Perbill::zero());
		set_epoch(2);
		// Floored at the minimum weight, as emission weights always are.
		assert_eq!(Reputation::epoch_start_weight(1), percent(1));
		assert_eq!(
			Reputation::epoch_start_weight(9),
			Perbill::zero(),
			"unknown slots weigh nothing"
		);
	});
}

#[test]
fn a_lost_arbitration_zeroes_reputation_and_starts_probation() {
	run(|| {
		Reputation::slot_opened(1, 0);
		for _ in 0..100 {
			Reputation::recheck_passed(1);
		}
		assert!(Reputation::may_arbitrate(1));
		set_epoch(10);
		Reputation::arbitration_lost(1);
		System::assert_last_event(Event::ProbationStarted { slot: 1, until: 14 }.into());
		assert_eq!(Reputation::reputation(1), Perbill::zero());
		assert!(Reputation::on_probation(1));
		assert_eq!(Reputation::sampling_rate(1), Perbill::one(), "every batch re-checked");
		assert!(!Reputation::may_recheck(1));
		Reputation::recheck_passed(1);
		assert!(Reputation::on_probation(1), "passing does not end probation early");
		set_epoch(14);
		assert!(!Reputation::on_probation(1));
		assert_eq!(
			Reputation::sampling_rate(1),
			sampling_rate(Reputation::reputation(1), percent(3), percent(25))
		);
	});
}

#[test]
fn a_penalty_takes_its_share_of_reputation_and_ignores_closed_slots() {
	run(|| {
		Reputation::slot_opened(1, 0);
		Reputation::penalize(1, percent(50));
		System::assert_last_event(Event::ReputationLost { slot: 1, reputation: percent(5) }.into());
		assert_eq!(Reputation::reputation(1), percent(5));
		Reputation::penalize(1, Perbill::one());
		assert_eq!(Reputation::reputation(1), Perbill::zero());
		assert!(!Reputation::on_probation(1), "a penalty is not probation");
		// A slot that is gone is left alone.
		Reputation::penalize(9, percent(50));
		assert!(Reputations::<Test>::get(9).is_none());
	});
}

#[test]
fn only_governance_sets_parameters_within_bounds() {
	run(|| {
		let params = ReputationParams { gain: percent(5), ..Default::default() };
		assert_noop!(
			Reputation::set_params(RuntimeOrigin::signed(1), params),
			DispatchError::BadOrigin
		);
		assert_ok!(Reputation::set_params(RuntimeOrigin::root(), params));
		assert_eq!(Params::<Test>::get(), params);
		System::assert_last_event(Event::ParamsSet { params }.into());
		let bad = |f: fn(&mut ReputationParams)| {
			let mut p = ReputationParams::default();
			f(&mut p);
			p
		};
		for (params, error) in [
			(bad(|p| p.p_min = percent(30)), Error::<Test>::SamplingRatesInverted),
			(bad(|p| p.gain = percent(51)), Error::<Test>::GainTooLarge),
			(bad(|p| p.decay = percent(60)), Error::<Test>::DecayTooLarge),
			(bad(|p| p.probation_epochs = 1_001), Error::<Test>::ProbationTooLong),
			(bad(|p| p.recheck_threshold = percent(70)), Error::<Test>::ThresholdsInverted),
		] {
			assert_noop!(Reputation::set_params(RuntimeOrigin::root(), params), error);
		}
		// New slots start at the new initial value.
		let params = ReputationParams { initial: percent(20), ..params };
		assert_ok!(Reputation::set_params(RuntimeOrigin::root(), params));
		Reputation::slot_opened(3, 0);
		assert_eq!(Reputation::reputation(3), percent(20));
	});
}

#[test]
fn the_formulas() {
	assert_eq!(sampling_rate(Perbill::zero(), percent(3), percent(25)), percent(25));
	assert_eq!(sampling_rate(Perbill::one(), percent(3), percent(25)), percent(3));
	assert_eq!(sampling_rate(percent(50), percent(3), percent(25)), percent(14));
	assert_eq!(gained(Perbill::zero(), percent(2)), percent(2));
	assert_eq!(gained(Perbill::one(), percent(50)), Perbill::one());
	assert_eq!(gained(percent(50), percent(50)), percent(75));
}
