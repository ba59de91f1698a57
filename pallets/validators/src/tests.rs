//! Every call, event and error of the validator set, the session manager's hand-over and the
//! offence handler, on the mock runtime.

use crate::{mock::*, Changed, Error, Event, MinValidators, Validators as List};
use frame_support::{assert_noop, assert_ok};
use pallet_session::SessionManager;
use sp_runtime::{DispatchError, Perbill};
use sp_staking::offence::{OffenceDetails, OnOffenceHandler};

fn set() -> Vec<AccountId> {
	List::<Test>::get().into_inner()
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

/// Reports `offenders` the way `pallet-offences` does.
fn report(offenders: &[AccountId]) {
	let details: Vec<OffenceDetails<AccountId, (AccountId, ())>> = offenders
		.iter()
		.map(|o| OffenceDetails { offender: (*o, ()), reporters: vec![99] })
		.collect();
	let fractions = vec![Perbill::zero(); details.len()];
	let _ = <Validators as OnOffenceHandler<_, _, _>>::on_offence(&details, &fractions, 0);
}

#[test]
fn genesis_hands_its_set_to_both_genesis_sessions_and_nothing_has_changed() {
	new_test_ext().execute_with(|| {
		assert_eq!(set(), GENESIS.to_vec());
		assert_eq!(MinValidators::<Test>::get(), 3);
		assert_eq!(
			<Validators as SessionManager<_>>::new_session_genesis(0),
			Some(GENESIS.to_vec())
		);
		assert_eq!(
			<Validators as SessionManager<_>>::new_session_genesis(1),
			Some(GENESIS.to_vec())
		);
		assert_eq!(<Validators as SessionManager<_>>::new_session(2), None);
		assert_ok!(Validators::do_try_state());
	});
}

#[test]
fn an_added_validator_is_handed_over_at_the_next_planned_session_only() {
	new_test_ext().execute_with(|| {
		assert_ok!(Validators::add_validator(root(), 5));
		assert_eq!(last_event(), Event::ValidatorAdded { validator: 5 }.into());
		assert_eq!(set(), vec![1, 2, 3, 4, 5]);
		assert!(Changed::<Test>::get());
		// The session pallet plans session 3 (during session 1): it gets the new set once.
		assert_eq!(<Validators as SessionManager<_>>::new_session(3), Some(vec![1, 2, 3, 4, 5]));
		assert_eq!(last_event(), Event::NewSetPlanned { session: 3, validators: 5 }.into());
		assert!(!Changed::<Test>::get());
		assert_eq!(<Validators as SessionManager<_>>::new_session(4), None);
		assert_ok!(Validators::do_try_state());
	});
}

#[test]
fn a_removed_validator_leaves_at_the_next_planned_session() {
	new_test_ext().execute_with(|| {
		assert_ok!(Validators::remove_validator(root(), 2));
		assert_eq!(last_event(), Event::ValidatorRemoved { validator: 2 }.into());
		assert_eq!(<Validators as SessionManager<_>>::new_session(3), Some(vec![1, 3, 4]));
		assert_ok!(Validators::do_try_state());
	});
}

#[test]
fn historical_sessions_get_the_same_sets_with_empty_identifications() {
	use pallet_session::historical::SessionManager as Historical;
	new_test_ext().execute_with(|| {
		assert_eq!(
			<Validators as Historical<_, ()>>::new_session_genesis(0),
			Some(GENESIS.iter().map(|v| (*v, ())).collect())
		);
		assert_eq!(<Validators as Historical<_, ()>>::new_session(2), None);
		assert_ok!(Validators::add_validator(root(), 6));
		assert_eq!(
			<Validators as Historical<_, ()>>::new_session(3),
			Some([1, 2, 3, 4, 6].iter().map(|v| (*v, ())).collect())
		);
	});
}

#[test]
fn only_the_admin_origin_changes_the_set_or_its_minimum() {
	new_test_ext().execute_with(|| {
		let signed = RuntimeOrigin::signed(1);
		assert_noop!(Validators::add_validator(signed.clone(), 5), DispatchError::BadOrigin);
		assert_noop!(Validators::remove_validator(signed.clone(), 2), DispatchError::BadOrigin);
		assert_noop!(Validators::set_min_validators(signed, 2), DispatchError::BadOrigin);
	});
}

#[test]
fn adding_is_refused_for_a_member_an_account_without_keys_and_a_full_set() {
	new_test_ext().execute_with(|| {
		assert_noop!(Validators::add_validator(root(), 3), Error::<Test>::AlreadyValidator);
		// 8 never called `session.set_keys`.
		assert_noop!(Validators::add_validator(root(), 8), Error::<Test>::NoSessionKeys);
		assert_ok!(Validators::add_validator(root(), 5));
		assert_ok!(Validators::add_validator(root(), 6));
		assert_eq!(set().len() as u32, MAX_VALIDATORS);
		assert_noop!(Validators::add_validator(root(), 7), Error::<Test>::TooManyValidators);
	});
}

#[test]
fn removing_is_refused_for_a_stranger_and_below_the_minimum() {
	new_test_ext().execute_with(|| {
		assert_noop!(Validators::remove_validator(root(), 9), Error::<Test>::NotValidator);
		assert_ok!(Validators::remove_validator(root(), 4));
		// Three left, the minimum.
		assert_noop!(Validators::remove_validator(root(), 3), Error::<Test>::TooFewValidators);
		assert_ok!(Validators::do_try_state());
	});
}

#[test]
fn the_minimum_is_set_within_one_and_the_sets_size() {
	new_test_ext().execute_with(|| {
		assert_noop!(Validators::set_min_validators(root(), 0), Error::<Test>::MinOutOfBounds);
		assert_noop!(Validators::set_min_validators(root(), 5), Error::<Test>::MinOutOfBounds);
		assert_ok!(Validators::set_min_validators(root(), 4));
		assert_eq!(last_event(), Event::MinValidatorsSet { min: 4 }.into());
		assert_eq!(MinValidators::<Test>::get(), 4);
		assert_noop!(Validators::remove_validator(root(), 1), Error::<Test>::TooFewValidators);
		assert_ok!(Validators::set_min_validators(root(), 1));
		assert_ok!(Validators::remove_validator(root(), 1));
		assert_ok!(Validators::do_try_state());
	});
}

#[test]
fn an_offender_is_disabled_at_once_and_removed_from_the_next_set() {
	new_test_ext().execute_with(|| {
		report(&[2]);
		assert!(disabled(2));
		assert_eq!(last_event(), Event::OffenderRemoved { validator: 2 }.into());
		assert_eq!(<Validators as SessionManager<_>>::new_session(3), Some(vec![1, 3, 4]));
		// A later report names earlier offenders again: nothing more happens to them.
		let events = System::events().len();
		report(&[2]);
		assert_eq!(System::events().len(), events);
		assert_ok!(Validators::do_try_state());
	});
}

#[test]
fn an_offender_stays_in_a_set_at_its_minimum_but_is_disabled() {
	new_test_ext().execute_with(|| {
		report(&[1, 2]);
		// 1 is removed (four to three); 2 would leave two, below the minimum of three.
		assert!(disabled(1) && disabled(2));
		assert_eq!(set(), vec![2, 3, 4]);
		assert_eq!(last_event(), Event::RemovalRefused { validator: 2 }.into());
		assert_ok!(Validators::do_try_state());
	});
}

#[test]
fn an_offence_by_someone_outside_the_set_only_disables() {
	new_test_ext().execute_with(|| {
		report(&[7]);
		assert!(disabled(7));
		assert_eq!(set(), GENESIS.to_vec());
		assert!(!Changed::<Test>::get());
		assert!(System::events().is_empty());
	});
}
