//! Governance on the native runtime: what each track's origin may do and nothing more, and
//! referenda from submission to enactment or rejection.

use super::{origins::Origin as Gov, tracks, TracksInfo};
use crate::{tests::genesis_ext, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{schedule::DispatchTime, Hooks, StorePreimage},
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_referenda::{ReferendumInfo, TracksInfo as _};
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, DispatchError};

/// Whether `System` holds an authorized upgrade (its storage item is private to the pallet).
fn upgrade_authorized() -> bool {
	frame_support::storage::unhashed::exists(&frame_support::storage::storage_prefix(
		b"System",
		b"AuthorizedUpgrade",
	))
}

fn signed(who: Sr25519Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.to_account_id())
}

/// Every origin that is not allowed to set a parameter.
fn not_param_origins() -> Vec<(&'static str, RuntimeOrigin)> {
	vec![
		("signed", signed(Sr25519Keyring::Alice)),
		("ValidatorAdmin", Gov::ValidatorAdmin.into()),
		("Treasurer", Gov::Treasurer.into()),
		("ReferendumCanceller", Gov::ReferendumCanceller.into()),
		("ReferendumKiller", Gov::ReferendumKiller.into()),
	]
}

/// For each governed pallet: a `set_params` call moving one value within its bounds, and a
/// check that reads the value back.
fn param_changes() -> Vec<(&'static str, RuntimeCall, fn() -> bool)> {
	let reputation = pallet_reputation::ReputationParams {
		probation_epochs: 7,
		..pallet_reputation::Params::<Runtime>::get()
	};
	let work = pallet_work::WorkParams {
		max_commits_per_epoch: 77,
		..pallet_work::Params::<Runtime>::get()
	};
	let arbitration = pallet_arbitration::ArbitrationParams {
		keep_decided: 777,
		..pallet_arbitration::Params::<Runtime>::get()
	};
	let restaking = pallet_restaking::RestakingParams {
		unbonding_period: 777,
		..pallet_restaking::Params::<Runtime>::get()
	};
	let emission = pallet_emission::EmissionParams {
		claim_window: 77,
		..pallet_emission::Params::<Runtime>::get()
	};
	vec![
		("reputation", pallet_reputation::Call::set_params { params: reputation }.into(), || {
			pallet_reputation::Params::<Runtime>::get().probation_epochs == 7
		}),
		("work", pallet_work::Call::set_params { params: work }.into(), || {
			pallet_work::Params::<Runtime>::get().max_commits_per_epoch == 77
		}),
		(
			"arbitration",
			pallet_arbitration::Call::set_params { params: arbitration }.into(),
			|| pallet_arbitration::Params::<Runtime>::get().keep_decided == 777,
		),
		("restaking", pallet_restaking::Call::set_params { params: restaking }.into(), || {
			pallet_restaking::Params::<Runtime>::get().unbonding_period == 777
		}),
		("emission", pallet_emission::Call::set_params { params: emission }.into(), || {
			pallet_emission::Params::<Runtime>::get().claim_window == 77
		}),
	]
}

#[test]
fn param_admin_and_root_set_every_pallets_parameters_and_no_other_origin_can() {
	for (pallet, call, applied) in
		genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(param_changes)
	{
		genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
			for (name, origin) in not_param_origins() {
				let result = call.clone().dispatch(origin).map_err(|e| e.error);
				assert_eq!(result, Err(DispatchError::BadOrigin), "{name} sets {pallet}");
				assert!(!applied(), "{name} changed {pallet}");
			}
			assert_ok!(call.clone().dispatch(Gov::ParamAdmin.into()));
			assert!(applied(), "ParamAdmin set {pallet}");
		});
		genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
			assert_ok!(call.clone().dispatch(RuntimeOrigin::root()));
			assert!(applied(), "Root set {pallet}");
		});
	}
}

/// Parameters of every governed pallet with every field moved off its genesis value (within
/// bounds, and unlike both the normal and the `fast-runtime` genesis), each set by `ParamAdmin`
/// and read back whole.
#[test]
fn every_tunable_of_every_pallet_is_settable_by_param_admin_and_read_back() {
	use sp_runtime::{FixedU128, Perbill};
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let admin = || -> RuntimeOrigin { Gov::ParamAdmin.into() };
		let neuronets = pallet_neuronets::NeuronetsParams {
			neuronet_deposit: 123 * AET,
			heartbeat_period: 11,
			fee_half_life: 601,
			fee_multiplier: FixedU128::from_rational(15, 10),
			pow_validity: 21,
			pow_interval: 601,
			pow_target: 5,
			min_pow_difficulty: 2_048,
			max_pow_difficulty: 1 << 50,
		};
		assert_ok!(Neuronets::set_params(admin(), neuronets));
		assert_eq!(pallet_neuronets::Params::<Runtime>::get(), neuronets);

		let reputation = pallet_reputation::ReputationParams {
			initial: Perbill::from_percent(11),
			gain: Perbill::from_percent(3),
			decay: Perbill::from_percent(1),
			min_weight: Perbill::from_percent(2),
			probation_epochs: 5,
			p_min: Perbill::from_percent(4),
			p_max: Perbill::from_percent(26),
			recheck_threshold: Perbill::from_percent(31),
			panel_threshold: Perbill::from_percent(61),
		};
		assert_ok!(Reputation::set_params(admin(), reputation));
		assert_eq!(pallet_reputation::Params::<Runtime>::get(), reputation);

		let work = pallet_work::WorkParams {
			max_commits_per_epoch: 121,
			max_samples_per_batch: 65,
			max_samples_per_rechecker: 33,
			max_draw_tries: 9,
			max_reassignments: 3,
			commit_window: 51,
			reveal_window: 52,
			sampling_retry: 11,
			settlement_epochs: 7,
			history_epochs: 17,
			max_open_assignments: 129,
			max_timers_per_block: 65,
			max_prunes_per_block: 33,
		};
		assert_ok!(Work::set_params(admin(), work));
		assert_eq!(pallet_work::Params::<Runtime>::get(), work);

		let arbitration = pallet_arbitration::ArbitrationParams {
			challenger_bond: 11 * AET,
			panel_size: 5,
			answer_window: 51,
			commit_window: 52,
			reveal_window: 53,
			max_draw_tries: 9,
			bounty_share: Perbill::from_percent(21),
			challenger_penalty: Perbill::from_percent(51),
			arbiter_penalty: Perbill::from_percent(11),
			max_open_panels: 17,
			max_timers_per_block: 33,
			keep_decided: 601,
			forfeit_history_epochs: 49,
			max_prunes_per_block: 33,
			max_answer_bytes: 128 * 1024,
		};
		assert_ok!(Arbitration::set_params(admin(), arbitration));
		assert_eq!(pallet_arbitration::Params::<Runtime>::get(), arbitration);

		let restaking =
			pallet_restaking::RestakingParams { min_stake: 2 * AET, unbonding_period: 1_234 };
		assert_ok!(Restaking::set_params(admin(), restaking));
		assert_eq!(pallet_restaking::Params::<Runtime>::get(), restaking);

		let emission = pallet_emission::EmissionParams {
			initial_block_reward: 11 * AET,
			halving_interval: 21_000_000,
			supply_cap: 2_000_000_000 * AET,
			validator_share: Perbill::from_percent(11),
			miner_share: Perbill::from_percent(79),
			staker_share: Perbill::from_percent(16),
			owner_share: Perbill::from_percent(5),
			max_neuronet_share: Perbill::from_percent(51),
			capacity_per_stake: 1_001,
			full_uptime_heartbeats: 46,
			settlement_delay: 3,
			claim_window: 25,
			max_expiries_per_block: 33,
		};
		assert_ok!(Emission::set_params(admin(), emission));
		assert_eq!(pallet_emission::Params::<Runtime>::get(), emission);

		// The validator set's minimum is the validator track's.
		assert_noop!(Validators::set_min_validators(admin(), 2), DispatchError::BadOrigin);
		assert_ok!(Validators::set_min_validators(Gov::ValidatorAdmin.into(), 2));
		assert_eq!(pallet_validators::MinValidators::<Runtime>::get(), 2);
	});
}

#[test]
fn out_of_bounds_parameters_are_refused_by_name_and_change_nothing() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let admin = || -> RuntimeOrigin { Gov::ParamAdmin.into() };
		let neuronets = pallet_neuronets::Params::<Runtime>::get();
		assert_noop!(
			Neuronets::set_params(
				admin(),
				pallet_neuronets::NeuronetsParams { heartbeat_period: 0, ..neuronets }
			),
			pallet_neuronets::Error::<Runtime>::ParamOutOfBounds
		);
		let reputation = pallet_reputation::Params::<Runtime>::get();
		assert_noop!(
			Reputation::set_params(
				admin(),
				pallet_reputation::ReputationParams {
					gain: sp_runtime::Perbill::from_percent(90),
					..reputation
				}
			),
			pallet_reputation::Error::<Runtime>::GainTooLarge
		);
		let work = pallet_work::Params::<Runtime>::get();
		assert_noop!(
			Work::set_params(admin(), pallet_work::WorkParams { commit_window: 0, ..work }),
			pallet_work::Error::<Runtime>::ParamOutOfBounds
		);
		let arbitration = pallet_arbitration::Params::<Runtime>::get();
		assert_noop!(
			Arbitration::set_params(
				admin(),
				// A panel of even size could tie.
				pallet_arbitration::ArbitrationParams { panel_size: 4, ..arbitration }
			),
			pallet_arbitration::Error::<Runtime>::ParamOutOfBounds
		);
		let restaking = pallet_restaking::Params::<Runtime>::get();
		assert_noop!(
			Restaking::set_params(
				admin(),
				pallet_restaking::RestakingParams { min_stake: 0, ..restaking }
			),
			pallet_restaking::Error::<Runtime>::ParamOutOfBounds
		);
		let emission = pallet_emission::Params::<Runtime>::get();
		assert_noop!(
			Emission::set_params(
				admin(),
				// Shares that add up to more than the whole.
				pallet_emission::EmissionParams {
					owner_share: sp_runtime::Perbill::from_percent(50),
					..emission
				}
			),
			pallet_emission::Error::<Runtime>::ParamOutOfBounds
		);
	});
}

#[test]
fn only_root_authorizes_a_runtime_upgrade() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let upgrade =
			|| frame_system::Call::<Runtime>::authorize_upgrade { code_hash: [7; 32].into() };
		for (name, origin) in not_param_origins()
			.into_iter()
			.chain([("ParamAdmin", RuntimeOrigin::from(Gov::ParamAdmin))])
		{
			let result = RuntimeCall::from(upgrade()).dispatch(origin).map_err(|e| e.error);
			assert_eq!(result, Err(DispatchError::BadOrigin), "{name} authorizes an upgrade");
		}
		assert!(!upgrade_authorized());
		assert_ok!(RuntimeCall::from(upgrade()).dispatch(RuntimeOrigin::root()));
		assert!(upgrade_authorized());
	});
}

#[test]
fn the_treasurer_spends_up_to_its_limit_and_nobody_else_spends() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let to = Sr25519Keyring::Eve.to_account_id();
		let spend = |origin: RuntimeOrigin, amount: Balance| {
			Treasury::spend(origin, Box::new(()), amount, Box::new(to.clone()), None)
		};
		let limit = super::origins::TREASURER_SPEND_LIMIT;
		for origin in [
			signed(Sr25519Keyring::Alice),
			Gov::ParamAdmin.into(),
			Gov::ValidatorAdmin.into(),
			Gov::ReferendumKiller.into(),
		] {
			assert_noop!(spend(origin, AET), DispatchError::BadOrigin);
		}
		assert_noop!(
			spend(Gov::Treasurer.into(), limit + 1),
			pallet_treasury::Error::<Runtime>::InsufficientPermission
		);
		assert_ok!(spend(Gov::Treasurer.into(), limit));
		assert_ok!(spend(RuntimeOrigin::root(), 10 * limit));
		assert_eq!(pallet_treasury::SpendCount::<Runtime>::get(), 2);
	});
}

#[test]
fn every_governance_origin_has_its_own_track() {
	let expected = [
		(frame_system::RawOrigin::Root.into(), tracks::id::ROOT, "root"),
		(Gov::ParamAdmin.into(), tracks::id::PARAM_ADMIN, "param_admin"),
		(Gov::ValidatorAdmin.into(), tracks::id::VALIDATOR_ADMIN, "validator_admin"),
		(Gov::Treasurer.into(), tracks::id::TREASURER, "treasurer"),
		(Gov::ReferendumCanceller.into(), tracks::id::REFERENDUM_CANCELLER, "referendum_canceller"),
		(Gov::ReferendumKiller.into(), tracks::id::REFERENDUM_KILLER, "referendum_killer"),
	];
	let all: Vec<_> = TracksInfo::tracks().collect();
	assert_eq!(all.len(), expected.len());
	for (origin, id, name) in expected {
		let origin: OriginCaller = origin;
		assert_eq!(TracksInfo::track_for(&origin), Ok(id), "{name}");
		let info = TracksInfo::info(id).expect("the track exists");
		assert_eq!(
			info.name.iter().take_while(|b| **b != 0).copied().collect::<Vec<u8>>(),
			name.as_bytes()
		);
		assert!(info.decision_deposit > SubmissionDeposit::get());
	}
	let none: OriginCaller =
		frame_system::RawOrigin::Signed(Sr25519Keyring::Alice.to_account_id()).into();
	assert_eq!(TracksInfo::track_for(&none), Err(()));
}

use super::SubmissionDeposit;

/// Submits a referendum on `call` to the track of `origin` and places its decision deposit.
fn submit(origin: OriginCaller, call: RuntimeCall) -> u32 {
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	let proposal = <Preimage as StorePreimage>::bound(call).expect("a small call inlines");
	assert_ok!(Referenda::submit(
		signed(Sr25519Keyring::Alice),
		Box::new(origin),
		proposal,
		DispatchTime::After(0),
	));
	assert_ok!(Referenda::place_decision_deposit(signed(Sr25519Keyring::Bob), index));
	index
}

/// Every well-known account votes on referendum `index` with 900 000 AET (9/10 of the
/// issuance together, so any support curve is met).
fn everyone_votes(index: u32, aye: bool) {
	for voter in Sr25519Keyring::well_known() {
		let vote = Vote { aye, conviction: Conviction::Locked1x };
		assert_ok!(ConvictionVoting::vote(
			signed(voter),
			index,
			AccountVote::Standard { vote, balance: 900_000 * AET }
		));
	}
}

/// Runs blocks (the scheduler is what moves a referendum) until referendum `index` is no longer
/// ongoing and anything it scheduled has run; returns how it ended.
fn run_until_decided_and_enacted(
	index: u32,
) -> ReferendumInfo<
	u16,
	OriginCaller,
	BlockNumber,
	frame_support::traits::Bounded<RuntimeCall, sp_runtime::traits::BlakeTwo256>,
	Balance,
	pallet_conviction_voting::TallyOf<Runtime>,
	AccountId,
	(BlockNumber, u32),
> {
	// Longer than any track's prepare, decision, confirm and enactment periods together.
	let limit = System::block_number() + 20 * time::DAYS;
	loop {
		let n = System::block_number() + 1;
		assert!(n < limit, "referendum {index} still undecided at block {n}");
		System::set_block_number(n);
		Scheduler::on_initialize(n);
		let info = pallet_referenda::ReferendumInfoFor::<Runtime>::get(index).expect("exists");
		if !matches!(info, ReferendumInfo::Ongoing(_))
			&& pallet_scheduler::Agenda::<Runtime>::iter()
				.all(|(_, agenda)| agenda.iter().all(Option::is_none))
		{
			return info;
		}
	}
}

#[test]
fn a_param_admin_referendum_passes_and_sets_work_parameters() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let work = pallet_work::WorkParams {
			max_commits_per_epoch: 77,
			..pallet_work::Params::<Runtime>::get()
		};
		let index =
			submit(Gov::ParamAdmin.into(), pallet_work::Call::set_params { params: work }.into());
		everyone_votes(index, true);
		let info = run_until_decided_and_enacted(index);
		assert!(matches!(info, ReferendumInfo::Approved(..)), "{info:?}");
		assert_eq!(pallet_work::Params::<Runtime>::get(), work);
		System::assert_has_event(pallet_work::Event::ParamsSet { params: work }.into());
	});
}

#[test]
fn a_rejected_referendum_changes_nothing() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let before = pallet_emission::Params::<Runtime>::get();
		let emission = pallet_emission::EmissionParams { claim_window: 77, ..before };
		let index = submit(
			Gov::ParamAdmin.into(),
			pallet_emission::Call::set_params { params: emission }.into(),
		);
		everyone_votes(index, false);
		let info = run_until_decided_and_enacted(index);
		assert!(matches!(info, ReferendumInfo::Rejected(..)), "{info:?}");
		assert_eq!(pallet_emission::Params::<Runtime>::get(), before);
	});
}

#[test]
fn a_root_referendum_authorizes_a_runtime_upgrade() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let code_hash = [7u8; 32].into();
		let index = submit(
			frame_system::RawOrigin::Root.into(),
			frame_system::Call::authorize_upgrade { code_hash }.into(),
		);
		everyone_votes(index, true);
		let info = run_until_decided_and_enacted(index);
		assert!(matches!(info, ReferendumInfo::Approved(..)), "{info:?}");
		assert!(upgrade_authorized());
		System::assert_has_event(
			frame_system::Event::UpgradeAuthorized { code_hash, check_version: true }.into(),
		);
	});
}

#[test]
fn a_referendum_on_a_parameter_cannot_claim_another_tracks_origin() {
	// The origin a referendum dispatches with is its track's: a `ParamAdmin` referendum that
	// tries to authorize an upgrade is enacted and fails with `BadOrigin`.
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let index = submit(
			Gov::ParamAdmin.into(),
			frame_system::Call::authorize_upgrade { code_hash: [7u8; 32].into() }.into(),
		);
		everyone_votes(index, true);
		let info = run_until_decided_and_enacted(index);
		assert!(matches!(info, ReferendumInfo::Approved(..)), "{info:?}");
		assert!(!upgrade_authorized());
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched {
				result: Err(DispatchError::BadOrigin),
				..
			})
		)));
	});
}

#[test]
fn sudo_exists_only_on_the_dev_chain() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		let call = Box::new(RuntimeCall::from(frame_system::Call::remark { remark: vec![] }));
		assert_noop!(
			Sudo::sudo(signed(Sr25519Keyring::Alice), call),
			pallet_sudo::Error::<Runtime>::RequireSudo
		);
	});
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
	});
}

#[test]
fn only_the_canceller_and_killer_tracks_stop_a_referendum() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let remark = || RuntimeCall::from(frame_system::Call::remark { remark: vec![1] });
		let first = submit(Gov::ParamAdmin.into(), remark());
		let second = submit(Gov::ParamAdmin.into(), remark());
		for origin in [signed(Sr25519Keyring::Alice), Gov::ParamAdmin.into(), Gov::Treasurer.into()]
		{
			assert_noop!(Referenda::cancel(origin.clone(), first), DispatchError::BadOrigin);
			assert_noop!(Referenda::kill(origin, first), DispatchError::BadOrigin);
		}
		// A canceller cannot kill (slash) and a killer's kill is final.
		assert_noop!(
			Referenda::kill(Gov::ReferendumCanceller.into(), first),
			DispatchError::BadOrigin
		);
		assert_ok!(Referenda::cancel(Gov::ReferendumCanceller.into(), first));
		assert!(matches!(
			pallet_referenda::ReferendumInfoFor::<Runtime>::get(first),
			Some(ReferendumInfo::Cancelled(..))
		));
		let treasury = Balances::free_balance(TreasuryAccount::get());
		assert_ok!(Referenda::kill(Gov::ReferendumKiller.into(), second));
		assert!(matches!(
			pallet_referenda::ReferendumInfoFor::<Runtime>::get(second),
			Some(ReferendumInfo::Killed(..))
		));
		// The killed referendum's submission and decision deposits go to the treasury.
		let track = TracksInfo::info(tracks::id::PARAM_ADMIN).expect("track");
		assert_eq!(
			Balances::free_balance(TreasuryAccount::get()),
			treasury + SubmissionDeposit::get() + track.decision_deposit
		);
	});
}

/// Gives `who` session keys as `session.set_keys` would (its ownership proof is the node's to
/// make; the end-to-end test makes one with `author_rotateKeysWithOwner`).
fn give_session_keys(who: &AccountId, seed: u8) {
	use codec::Decode;
	let keys = opaque::SessionKeys::decode(&mut &[seed; 64][..]).expect("64 bytes of keys");
	pallet_session::NextKeys::<Runtime>::insert(who, keys);
}

#[test]
fn only_validator_admin_and_root_change_the_validator_set() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let eve = Sr25519Keyring::Eve.to_account_id();
		assert_eq!(pallet_validators::Validators::<Runtime>::get().len(), 4);
		assert_eq!(pallet_validators::MinValidators::<Runtime>::get(), 3);
		give_session_keys(&eve, 5);
		let add =
			|| RuntimeCall::from(pallet_validators::Call::add_validator { validator: eve.clone() });
		for (name, origin) in [
			("signed", signed(Sr25519Keyring::Alice)),
			("ParamAdmin", Gov::ParamAdmin.into()),
			("Treasurer", Gov::Treasurer.into()),
			("ReferendumKiller", Gov::ReferendumKiller.into()),
		] {
			let result = add().dispatch(origin).map_err(|e| e.error);
			assert_eq!(result, Err(DispatchError::BadOrigin), "{name} adds a validator");
		}
		assert_ok!(add().dispatch(Gov::ValidatorAdmin.into()));
		assert!(pallet_validators::Validators::<Runtime>::get().contains(&eve));
		let remove = |who: Sr25519Keyring| {
			RuntimeCall::from(pallet_validators::Call::remove_validator {
				validator: who.to_account_id(),
			})
		};
		assert_eq!(
			remove(Sr25519Keyring::Bob).dispatch(Gov::ParamAdmin.into()).map_err(|e| e.error),
			Err(DispatchError::BadOrigin)
		);
		assert_ok!(remove(Sr25519Keyring::Bob).dispatch(RuntimeOrigin::root()));
		assert_ok!(remove(Sr25519Keyring::Charlie).dispatch(Gov::ValidatorAdmin.into()));
		// Three left: the minimum.
		assert_noop!(
			Validators::remove_validator(
				Gov::ValidatorAdmin.into(),
				Sr25519Keyring::Dave.to_account_id()
			),
			pallet_validators::Error::<Runtime>::TooFewValidators
		);
	});
}

#[test]
fn a_validator_without_session_keys_cannot_be_added() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_noop!(
			Validators::add_validator(
				Gov::ValidatorAdmin.into(),
				Sr25519Keyring::Eve.to_account_id()
			),
			pallet_validators::Error::<Runtime>::NoSessionKeys
		);
	});
}

#[test]
fn a_new_validator_validates_from_the_second_session_boundary() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		crate::tests::start_block_one();
		let eve = Sr25519Keyring::Eve.to_account_id();
		give_session_keys(&eve, 5);
		assert_ok!(Validators::add_validator(Gov::ValidatorAdmin.into(), eve.clone()));
		// The next rotation queues the new set; the one after makes it the session's.
		Session::rotate_session();
		assert!(!Session::validators().contains(&eve));
		assert!(pallet_session::QueuedKeys::<Runtime>::get().iter().any(|(v, _)| *v == eve));
		Session::rotate_session();
		assert!(Session::validators().contains(&eve));
		assert_eq!(Session::validators().len(), 5);
		// Historical proofs exist for the sessions the set validated.
		let count =
			|i| pallet_session::historical::HistoricalSessions::<Runtime>::get(i).map(|(_, n)| n);
		assert_eq!((count(0), count(1), count(2)), (Some(4), Some(4), Some(5)));
	});
}

#[test]
fn an_equivocation_report_disables_the_offender_and_removes_it_from_the_set() {
	use sp_staking::offence::ReportOffence;
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		crate::tests::start_block_one();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let offence = pallet_babe::EquivocationOffence {
			slot: 7u64.into(),
			session_index: Session::current_index(),
			validator_set_count: 4,
			offender: (bob.clone(), ()),
		};
		assert_ok!(Offences::report_offence(vec![Sr25519Keyring::Alice.to_account_id()], offence));
		// Disabled at once: BABE refuses its blocks for the rest of the session.
		assert_eq!(Session::disabled_validators(), vec![1]);
		System::assert_has_event(
			pallet_validators::Event::OffenderRemoved { validator: bob.clone() }.into(),
		);
		assert!(!pallet_validators::Validators::<Runtime>::get().contains(&bob));
		Session::rotate_session();
		Session::rotate_session();
		assert!(!Session::validators().contains(&bob));
		assert_eq!(Session::validators().len(), 3);
	});
}
