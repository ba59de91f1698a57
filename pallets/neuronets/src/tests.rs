//! Every call's success path with its events and storage, and every refusal with
//! `assert_noop!` (nothing changed).

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold, BoundedVec};
use sp_runtime::{DispatchError, FixedU128, Perbill, TokenError};

fn spec(floor: Balance, cap: Balance, max_slots: u32) -> NeuronetSpec<Balance> {
	NeuronetSpec {
		name: BoundedVec::truncate_from(b"all-MiniLM-L6-v2".to_vec()),
		task: Task::Embedding,
		model: ModelSpec {
			weights_hash: [1; 32],
			config_hash: [2; 32],
			tokenizer_hash: [3; 32],
			min_memory_mib: 512,
			execution: Execution::default(),
		},
		economics: Economics {
			units_per_input_token: 1,
			units_per_output_token: 1,
			fee_floor: floor,
			fee_cap: cap,
			max_slots,
			pow_difficulty: 16,
		},
		tolerance: Tolerance::default(),
		reference_checks: BoundedVec::truncate_from(vec![
			ReferenceCheck {
				input: BoundedVec::truncate_from(b"The quick brown fox".to_vec()),
				max_tokens: 0,
				expected: print(&[100, -50, 25, 7]),
			},
			ReferenceCheck {
				input: BoundedVec::truncate_from(b"jumps over the lazy dog".to_vec()),
				max_tokens: 0,
				expected: print(&[-3, 90, 41, 0]),
			},
		]),
	}
}

/// An embedding fingerprint with these quantized values.
fn print(values: &[i8]) -> Fingerprint {
	Fingerprint::Embedding { scale: 0, values: BoundedVec::truncate_from(values.to_vec()) }
}

/// What a worker running the neuronet's model reports for [`spec`]'s reference checks.
fn honest_results() -> BoundedVec<Fingerprint, MaxReferenceChecks> {
	BoundedVec::truncate_from(vec![print(&[100, -50, 25, 7]), print(&[-3, 90, 41, 0])])
}

fn endpoint(url: &str) -> BoundedVec<u8, MaxEndpointLen> {
	BoundedVec::truncate_from(url.as_bytes().to_vec())
}

fn create() -> NeuronetId {
	let id = NextNeuronetId::<Test>::get();
	assert_ok!(NeuronetsPallet::create_neuronet(
		RuntimeOrigin::signed(OWNER),
		spec(100, 10_000, 0)
	));
	NeuronetsPallet::do_try_state().unwrap();
	id
}

fn register(coldkey: AccountId, hotkey: AccountId, neuronet: NeuronetId) -> SlotId {
	let id = NextSlotId::<Test>::get();
	assert_ok!(NeuronetsPallet::register(
		RuntimeOrigin::signed(coldkey),
		neuronet,
		hotkey,
		endpoint("http://w:8080"),
		1_000_000
	));
	NeuronetsPallet::do_try_state().unwrap();
	id
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::NeuronetDeposit.into(), &who)
}

#[test]
fn create_holds_the_deposit_and_records_the_spec() {
	run(|| {
		let id = create();
		assert_eq!(id, 0);
		let n = Neuronets::<Test>::get(0).unwrap();
		assert_eq!(
			(n.owner, n.deposit, n.status, n.live_slots),
			(OWNER, 1_000, NeuronetStatus::Active, 0)
		);
		assert_eq!(n.spec, spec(100, 10_000, 0));
		assert_eq!(held(OWNER), 1_000);
		assert_eq!(
			NeuronetsPallet::registration_price(0),
			Some(100),
			"the price starts at the floor"
		);
		System::assert_last_event(
			Event::NeuronetCreated { neuronet: 0, owner: OWNER, deposit: 1_000 }.into(),
		);
		assert_eq!(create(), 1);
	});
}

#[test]
fn create_refuses_bad_specs_and_unfunded_owners() {
	run(|| {
		let mut empty = spec(1, 2, 0);
		empty.name = BoundedVec::new();
		assert_noop!(
			NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), empty),
			Error::<Test>::EmptyName
		);
		assert_noop!(
			NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), spec(5, 4, 0)),
			Error::<Test>::FeeBoundsInverted
		);
		let mut unchecked = spec(1, 2, 0);
		unchecked.reference_checks = BoundedVec::new();
		assert_noop!(
			NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), unchecked),
			Error::<Test>::NoReferenceChecks
		);
		let mut other_kind = spec(1, 2, 0);
		other_kind.task = Task::TextGeneration;
		assert_noop!(
			NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), other_kind),
			Error::<Test>::ReferenceCheckKind
		);
		let mut tokens_for_an_embedding = spec(1, 2, 0);
		tokens_for_an_embedding.reference_checks[0].max_tokens = 16;
		assert_noop!(
			NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), tokens_for_an_embedding),
			Error::<Test>::ReferenceCheckKind
		);
		for block in [0, 4, 48, 256] {
			let mut bad_block = spec(1, 2, 0);
			bad_block.model.execution.quantization = Quantization::Int8PerBlock { block };
			assert_noop!(
				NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), bad_block),
				Error::<Test>::BadQuantizationBlock
			);
		}
		assert_noop!(
			NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(POOR), spec(1, 2, 0)),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			NeuronetsPallet::create_neuronet(RuntimeOrigin::none(), spec(1, 2, 0)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn no_more_than_max_neuronets() {
	run(|| {
		<Balances as frame_support::traits::fungible::Mutate<AccountId>>::set_balance(
			&OWNER, 100_000,
		);
		for _ in 0..8 {
			create();
		}
		assert_noop!(
			NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), spec(1, 2, 0)),
			Error::<Test>::TooManyNeuronets
		);
	});
}

#[test]
fn the_owner_updates_the_spec() {
	run(|| {
		let id = create();
		assert_ok!(NeuronetsPallet::update_neuronet(
			RuntimeOrigin::signed(OWNER),
			id,
			spec(7, 70, 3)
		));
		assert_eq!(Neuronets::<Test>::get(id).unwrap().spec, spec(7, 70, 3));
		System::assert_last_event(Event::NeuronetUpdated { neuronet: id }.into());
		assert_noop!(
			NeuronetsPallet::update_neuronet(RuntimeOrigin::signed(MINER), id, spec(1, 2, 0)),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			NeuronetsPallet::update_neuronet(RuntimeOrigin::signed(OWNER), 9, spec(1, 2, 0)),
			Error::<Test>::UnknownNeuronet
		);
		assert_noop!(
			NeuronetsPallet::update_neuronet(RuntimeOrigin::signed(OWNER), id, spec(3, 2, 0)),
			Error::<Test>::FeeBoundsInverted
		);
	});
}

/// While slots serve a neuronet, what their work is served and judged by cannot change under
/// them (a miner who proved the old model would fail re-checks by the new one; a batch served
/// at the old price would fail the new pricing); registration, the name and the reference
/// checks still may. Once the last slot has left, anything may.
#[test]
fn while_slots_serve_it_only_what_no_work_depends_on_changes() {
	type Change = fn(&mut NeuronetSpec<Balance>);
	run(|| {
		let id = create();
		let slot = register(MINER, 10, id);
		let mut open = spec(50, 5_000, 9);
		open.name = BoundedVec::truncate_from(b"renamed".to_vec());
		open.economics.pow_difficulty = 64;
		open.reference_checks.pop();
		assert_ok!(NeuronetsPallet::update_neuronet(
			RuntimeOrigin::signed(OWNER),
			id,
			open.clone()
		));
		assert_eq!(Neuronets::<Test>::get(id).unwrap().spec, open);
		System::assert_last_event(Event::NeuronetUpdated { neuronet: id }.into());

		let judged: [(&str, Change); 8] = [
			("task", |s| {
				s.task = Task::TextGeneration;
				for check in s.reference_checks.iter_mut() {
					check.max_tokens = 8;
					check.expected = Fingerprint::Completion(BoundedVec::new());
				}
			}),
			("weights", |s| s.model.weights_hash = [9; 32]),
			("tokenizer", |s| s.model.tokenizer_hash = [9; 32]),
			("memory", |s| s.model.min_memory_mib = 4096),
			("dtype", |s| s.model.execution.dtype = DType::F16),
			("input price", |s| s.economics.units_per_input_token = 100),
			("output price", |s| s.economics.units_per_output_token = 100),
			("tolerance", |s| s.tolerance.max_cosine_distance = Perbill::from_percent(50)),
		];
		for (what, change) in judged {
			let mut changed = open.clone();
			change(&mut changed);
			assert!(!changed.judges_work_as(&open), "{what}");
			assert_noop!(
				NeuronetsPallet::update_neuronet(RuntimeOrigin::signed(OWNER), id, changed),
				Error::<Test>::SpecInUse
			);
		}

		assert_ok!(NeuronetsPallet::deregister(RuntimeOrigin::signed(MINER), slot));
		let mut new_model = open.clone();
		new_model.model.weights_hash = [9; 32];
		new_model.economics.units_per_output_token = 3;
		assert_ok!(NeuronetsPallet::update_neuronet(
			RuntimeOrigin::signed(OWNER),
			id,
			new_model.clone()
		));
		assert_eq!(Neuronets::<Test>::get(id).unwrap().spec, new_model);
		NeuronetsPallet::do_try_state().unwrap();
	});
}

#[test]
fn pause_resume_and_retire() {
	run(|| {
		let id = create();
		assert_ok!(NeuronetsPallet::set_status(
			RuntimeOrigin::signed(OWNER),
			id,
			NeuronetStatus::Paused
		));
		System::assert_last_event(
			Event::NeuronetStatusChanged { neuronet: id, status: NeuronetStatus::Paused }.into(),
		);
		assert_noop!(
			NeuronetsPallet::register(RuntimeOrigin::signed(MINER), id, 10, endpoint("x"), 1_000),
			Error::<Test>::Paused
		);
		assert_noop!(
			NeuronetsPallet::set_status(RuntimeOrigin::signed(OWNER), id, NeuronetStatus::Paused),
			Error::<Test>::BadStatusChange
		);
		assert_ok!(NeuronetsPallet::set_status(
			RuntimeOrigin::signed(OWNER),
			id,
			NeuronetStatus::Active
		));
		let slot = register(MINER, 10, id);
		assert_noop!(
			NeuronetsPallet::set_status(RuntimeOrigin::signed(MINER), id, NeuronetStatus::Retired),
			Error::<Test>::NotOwner
		);
		assert_ok!(NeuronetsPallet::set_status(
			RuntimeOrigin::signed(OWNER),
			id,
			NeuronetStatus::Retired
		));
		assert_eq!(held(OWNER), 0, "retiring returns the deposit");
		assert_eq!(Balances::free_balance(OWNER), 10_000);
		assert_eq!(Neuronets::<Test>::get(id).unwrap().deposit, 0);
		assert!(Slots::<Test>::contains_key(slot), "slots outlive their neuronet's retirement");
		NeuronetsPallet::do_try_state().unwrap();
		for status in [NeuronetStatus::Active, NeuronetStatus::Paused, NeuronetStatus::Retired] {
			assert_noop!(
				NeuronetsPallet::set_status(RuntimeOrigin::signed(OWNER), id, status),
				Error::<Test>::Retired
			);
		}
		assert_noop!(
			NeuronetsPallet::update_neuronet(RuntimeOrigin::signed(OWNER), id, spec(1, 2, 0)),
			Error::<Test>::Retired
		);
		assert_noop!(
			NeuronetsPallet::register(RuntimeOrigin::signed(MINER), id, 11, endpoint("x"), 1_000),
			Error::<Test>::Retired
		);
		assert_ok!(NeuronetsPallet::deregister(RuntimeOrigin::signed(MINER), slot));
	});
}

#[test]
fn governance_forces_any_status() {
	run(|| {
		let id = create();
		assert_noop!(
			NeuronetsPallet::force_set_status(
				RuntimeOrigin::signed(OWNER),
				id,
				NeuronetStatus::Paused
			),
			DispatchError::BadOrigin
		);
		assert_ok!(NeuronetsPallet::force_set_status(
			RuntimeOrigin::root(),
			id,
			NeuronetStatus::Paused
		));
		assert_ok!(NeuronetsPallet::force_set_status(
			RuntimeOrigin::root(),
			id,
			NeuronetStatus::Retired
		));
		assert_eq!(held(OWNER), 0);
		assert_noop!(
			NeuronetsPallet::force_set_status(RuntimeOrigin::root(), 7, NeuronetStatus::Paused),
			Error::<Test>::UnknownNeuronet
		);
	});
}

#[test]
fn registering_burns_the_fee_and_raises_the_price() {
	run(|| {
		let id = create();
		let issuance = Balances::total_issuance();
		let slot = register(MINER, 10, id);
		let s = Slots::<Test>::get(slot).unwrap();
		assert_eq!((s.neuronet, s.coldkey, s.hotkey, s.state), (id, MINER, 10, SlotState::Pending));
		assert_eq!(s.endpoint.to_vec(), b"http://w:8080".to_vec());
		assert_eq!(Balances::free_balance(MINER), 1_000_000 - 100);
		assert_eq!(Balances::total_issuance(), issuance - 100, "the fee is burned");
		assert_eq!(SlotByHotkey::<Test>::get(id, 10), Some(slot));
		assert!(SlotsByColdkey::<Test>::contains_key(MINER, slot));
		assert_eq!(Neuronets::<Test>::get(id).unwrap().live_slots, 1);
		System::assert_last_event(
			Event::SlotRegistered {
				slot,
				neuronet: id,
				coldkey: MINER,
				hotkey: 10,
				payment: Payment::Fee(100),
			}
			.into(),
		);
		assert_eq!(NeuronetsPallet::registration_price(id), Some(126), "×1.26 per registration");
		register(OTHER_MINER, 11, id);
		assert_eq!(NeuronetsPallet::registration_price(id), Some(158));
		// It decays back toward the floor with a half-life of 100 blocks.
		System::set_block_number(101);
		assert_eq!(NeuronetsPallet::registration_price(id), Some(100 + 58 / 2));
		System::set_block_number(100_000);
		assert_eq!(NeuronetsPallet::registration_price(id), Some(100));
	});
}

#[test]
fn the_price_stays_under_the_cap_and_max_fee_is_respected() {
	run(|| {
		assert_ok!(NeuronetsPallet::create_neuronet(
			RuntimeOrigin::signed(OWNER),
			spec(100, 150, 0)
		));
		register(MINER, 10, 0);
		register(MINER, 11, 0);
		assert_eq!(NeuronetsPallet::registration_price(0), Some(150), "capped");
		assert_noop!(
			NeuronetsPallet::register(RuntimeOrigin::signed(MINER), 0, 12, endpoint("x"), 149),
			Error::<Test>::FeeAboveMax
		);
		assert_noop!(
			NeuronetsPallet::register(RuntimeOrigin::signed(POOR), 0, 12, endpoint("x"), 1_000),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn one_slot_per_hotkey_per_neuronet_and_a_cap() {
	run(|| {
		let a = create();
		assert_ok!(NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), spec(1, 10, 2)));
		let b = 1;
		register(MINER, 10, a);
		assert_noop!(
			NeuronetsPallet::register(
				RuntimeOrigin::signed(OTHER_MINER),
				a,
				10,
				endpoint("x"),
				1_000
			),
			Error::<Test>::HotkeyTaken
		);
		register(MINER, 10, b);
		register(OTHER_MINER, 11, b);
		assert_noop!(
			NeuronetsPallet::register(RuntimeOrigin::signed(MINER), b, 12, endpoint("x"), 1_000),
			Error::<Test>::NeuronetFull
		);
		assert_noop!(
			NeuronetsPallet::register(RuntimeOrigin::signed(MINER), 9, 12, endpoint("x"), 1_000),
			Error::<Test>::UnknownNeuronet
		);
	});
}

#[test]
fn a_coldkey_holds_200_slots() {
	run(|| {
		let a = create();
		let b = create();
		// At the cap each registration costs 10 000.
		<Balances as frame_support::traits::fungible::Mutate<AccountId>>::set_balance(
			&MINER, 10_000_000,
		);
		for hotkey in 100..300u64 {
			let neuronet = if hotkey % 2 == 0 { a } else { b };
			assert_ok!(NeuronetsPallet::register(
				RuntimeOrigin::signed(MINER),
				neuronet,
				hotkey,
				endpoint("x"),
				Balance::MAX
			));
		}
		assert_eq!(SlotsByColdkey::<Test>::iter_prefix(MINER).count(), 200);
		assert_eq!(Neuronets::<Test>::get(a).unwrap().live_slots, 100);
		assert_eq!(Neuronets::<Test>::get(b).unwrap().live_slots, 100);
	});
}

#[test]
fn deregister_frees_the_hotkey() {
	run(|| {
		let id = create();
		let slot = register(MINER, 10, id);
		assert_noop!(
			NeuronetsPallet::deregister(RuntimeOrigin::signed(10), slot),
			Error::<Test>::NotColdkey
		);
		assert_noop!(
			NeuronetsPallet::deregister(RuntimeOrigin::signed(MINER), 99),
			Error::<Test>::UnknownSlot
		);
		assert_ok!(NeuronetsPallet::deregister(RuntimeOrigin::signed(MINER), slot));
		System::assert_last_event(Event::SlotDeregistered { slot, neuronet: id }.into());
		assert!(!Slots::<Test>::contains_key(slot));
		assert_eq!(SlotByHotkey::<Test>::get(id, 10), None);
		assert_eq!(Neuronets::<Test>::get(id).unwrap().live_slots, 0);
		let again = register(OTHER_MINER, 10, id);
		assert_ne!(again, slot, "slot ids are never reused");
	});
}

/// `deregister` declares its own benchmarked weight and the most its slot-change hooks may take
/// to give up the slot's open re-checks and seats.
#[test]
fn deregister_declares_what_closing_the_slot_may_take() {
	use frame_support::dispatch::GetDispatchInfo;
	let declared = crate::Call::<Test>::deregister { slot: 0 }.get_dispatch_info().call_weight;
	assert_eq!(
		declared,
		<() as crate::WeightInfo>::deregister().saturating_add(mock::SLOT_CLOSED_WEIGHT)
	);
}

#[test]
fn heartbeats_are_rate_limited_and_free() {
	run(|| {
		let id = create();
		let slot = register(MINER, 10, id);
		let info = NeuronetsPallet::heartbeat(RuntimeOrigin::signed(10), slot).unwrap();
		assert_eq!(info.pays_fee, frame_support::dispatch::Pays::No);
		System::assert_last_event(Event::Heartbeat { slot, count: 1 }.into());
		assert_noop!(
			NeuronetsPallet::heartbeat(RuntimeOrigin::signed(10), slot),
			Error::<Test>::HeartbeatTooSoon
		);
		System::set_block_number(10);
		assert_noop!(
			NeuronetsPallet::heartbeat(RuntimeOrigin::signed(10), slot),
			Error::<Test>::HeartbeatTooSoon
		);
		System::set_block_number(11);
		assert_ok!(NeuronetsPallet::heartbeat(RuntimeOrigin::signed(10), slot));
		let s = Slots::<Test>::get(slot).unwrap();
		assert_eq!((s.heartbeats, s.last_heartbeat), (2, 11));
		// Emission is told of each accepted heartbeat, and of no refused one.
		assert_eq!(heartbeats(), vec![(slot, id), (slot, id)]);
		assert_noop!(
			NeuronetsPallet::heartbeat(RuntimeOrigin::signed(MINER), slot),
			Error::<Test>::NotHotkey
		);
		assert_noop!(
			NeuronetsPallet::heartbeat(RuntimeOrigin::signed(10), 42),
			Error::<Test>::UnknownSlot
		);
	});
}

#[test]
fn endpoints_are_set_by_the_slots_keys() {
	run(|| {
		let id = create();
		let slot = register(MINER, 10, id);
		assert_ok!(NeuronetsPallet::set_endpoint(
			RuntimeOrigin::signed(10),
			slot,
			endpoint("http://a:1")
		));
		assert_ok!(NeuronetsPallet::set_endpoint(
			RuntimeOrigin::signed(MINER),
			slot,
			endpoint("http://b:2")
		));
		assert_eq!(Slots::<Test>::get(slot).unwrap().endpoint.to_vec(), b"http://b:2".to_vec());
		System::assert_last_event(Event::EndpointSet { slot }.into());
		assert_noop!(
			NeuronetsPallet::set_endpoint(RuntimeOrigin::signed(OTHER_MINER), slot, endpoint("x")),
			Error::<Test>::NotSlotKey
		);
		assert_noop!(
			NeuronetsPallet::set_endpoint(RuntimeOrigin::signed(10), 5, endpoint("x")),
			Error::<Test>::UnknownSlot
		);
	});
}

#[test]
fn a_token_error_never_leaks() {
	// Registration failures from the currency come back as this pallet's named error.
	run(|| {
		let id = create();
		let result =
			NeuronetsPallet::register(RuntimeOrigin::signed(POOR), id, 10, endpoint("x"), 1_000);
		assert_eq!(result, Err(Error::<Test>::InsufficientBalance.into()));
		assert_ne!(result, Err(DispatchError::Token(TokenError::FundsUnavailable)));
	});
}

/// A nonce whose seal meets `difficulty` for `hotkey` on `block`'s hash.
fn mine(neuronet: NeuronetId, hotkey: AccountId, block: u64, difficulty: u64) -> u64 {
	let hash = frame_system::BlockHash::<Test>::get(block);
	(0..).find(|&nonce| seal_meets(&seal(neuronet, &hotkey, &hash, nonce), difficulty)).unwrap()
}

/// A nonce whose seal does *not* meet `difficulty`.
fn miss(neuronet: NeuronetId, hotkey: AccountId, block: u64, difficulty: u64) -> u64 {
	let hash = frame_system::BlockHash::<Test>::get(block);
	(0..).find(|&nonce| !seal_meets(&seal(neuronet, &hotkey, &hash, nonce), difficulty)).unwrap()
}

fn pow(
	coldkey: AccountId,
	neuronet: NeuronetId,
	hotkey: AccountId,
	block: u64,
	nonce: u64,
) -> sp_runtime::DispatchResult {
	NeuronetsPallet::register_with_pow(
		RuntimeOrigin::signed(coldkey),
		neuronet,
		hotkey,
		endpoint("x"),
		block,
		nonce,
	)
}

#[test]
fn a_valid_proof_of_work_registers_for_free() {
	run(|| {
		let id = create();
		advance_to(10);
		let nonce = mine(id, 20, 8, 16);
		let (balance, issuance) = (Balances::free_balance(POOR), Balances::total_issuance());
		assert_ok!(pow(POOR, id, 20, 8, nonce));
		assert_eq!(
			(Balances::free_balance(POOR), Balances::total_issuance()),
			(balance, issuance),
			"no fee"
		);
		let slot = SlotByHotkey::<Test>::get(id, 20).unwrap();
		assert_eq!(Slots::<Test>::get(slot).unwrap().coldkey, POOR);
		System::assert_last_event(
			Event::SlotRegistered {
				slot,
				neuronet: id,
				coldkey: POOR,
				hotkey: 20,
				payment: Payment::Pow(16),
			}
			.into(),
		);
		assert_eq!(NeuronetsPallet::pow_state(id).registrations, 1);
		assert_eq!(
			NeuronetsPallet::registration_price(id),
			Some(100),
			"PoW leaves the fee price alone"
		);
	});
}

#[test]
fn wrong_stale_and_replayed_proofs_are_refused() {
	run(|| {
		let id = create();
		advance_to(10);
		let bad = miss(id, 20, 8, 16);
		assert_noop!(pow(POOR, id, 20, 8, bad), Error::<Test>::PowTooEasy);
		// A seal mined for another hotkey does not serve this one.
		let theirs = mine(id, 21, 8, 16);
		if !seal_meets(&seal(id, &20u64, &frame_system::BlockHash::<Test>::get(8), theirs), 16) {
			assert_noop!(pow(POOR, id, 20, 8, theirs), Error::<Test>::PowTooEasy);
		}
		// Too old (more than 5 blocks back), the current block, a future one.
		let old = mine(id, 20, 4, 16);
		assert_noop!(pow(POOR, id, 20, 4, old), Error::<Test>::PowBlockNotRecent);
		assert_noop!(pow(POOR, id, 20, 10, 0), Error::<Test>::PowBlockNotRecent);
		assert_noop!(pow(POOR, id, 20, 11, 0), Error::<Test>::PowBlockNotRecent);
		// Replayed: the hotkey deregisters and tries the same seal again.
		let nonce = mine(id, 20, 8, 16);
		assert_ok!(pow(POOR, id, 20, 8, nonce));
		assert_noop!(pow(POOR, id, 20, 8, nonce), Error::<Test>::HotkeyTaken);
		let slot = SlotByHotkey::<Test>::get(id, 20).unwrap();
		assert_ok!(NeuronetsPallet::deregister(RuntimeOrigin::signed(POOR), slot));
		assert_noop!(pow(POOR, id, 20, 8, nonce), Error::<Test>::SealUsed);
		assert_noop!(pow(POOR, 9, 20, 8, nonce), Error::<Test>::UnknownNeuronet);
	});
}

#[test]
fn used_seals_are_forgotten_once_too_old_to_matter() {
	run(|| {
		let id = create();
		advance_to(10);
		let nonce = mine(id, 20, 8, 16);
		assert_ok!(pow(POOR, id, 20, 8, nonce));
		assert_eq!(UsedSeals::<Test>::iter_prefix(8).count(), 1);
		// The validity in force is 5 blocks, but governance may raise it to the bound at any
		// time: a seal is kept until no validity within bounds could accept its block.
		let horizon = u64::from(crate::bounds::MAX_POW_VALIDITY) + 1;
		advance_to(8 + horizon - 1);
		assert_eq!(UsedSeals::<Test>::iter_prefix(8).count(), 1, "block 8 could still be valid");
		advance_to(8 + horizon);
		assert_eq!(UsedSeals::<Test>::iter_prefix(8).count(), 0);
	});
}

#[test]
fn governance_sets_the_parameters_within_bounds_and_they_apply_at_once() {
	run(|| {
		let params =
			crate::NeuronetsParams { heartbeat_period: 30, pow_validity: 50, ..mock_params() };
		assert_noop!(
			NeuronetsPallet::set_params(RuntimeOrigin::signed(OWNER), params),
			DispatchError::BadOrigin
		);
		assert_ok!(NeuronetsPallet::set_params(RuntimeOrigin::root(), params));
		assert_eq!(crate::Params::<Test>::get(), params);
		System::assert_last_event(Event::ParamsSet { params }.into());
		// A proof of work on a block 40 back is valid now (it was not with a validity of 5).
		let id = create();
		advance_to(60);
		let nonce = mine(id, 20, 15, 16);
		assert_ok!(pow(POOR, id, 20, 15, nonce));
	});
}

#[test]
fn out_of_bounds_parameters_are_refused_and_change_nothing() {
	use crate::bounds::*;
	run(|| {
		let base = mock_params();
		let bad = [
			crate::NeuronetsParams { neuronet_deposit: 0, ..base },
			crate::NeuronetsParams { heartbeat_period: 0, ..base },
			crate::NeuronetsParams { heartbeat_period: MAX_HEARTBEAT_PERIOD + 1, ..base },
			crate::NeuronetsParams { fee_half_life: 0, ..base },
			crate::NeuronetsParams { fee_multiplier: FixedU128::from_rational(99, 100), ..base },
			crate::NeuronetsParams {
				fee_multiplier: MAX_FEE_MULTIPLIER + FixedU128::from_rational(1, 100),
				..base
			},
			crate::NeuronetsParams { pow_validity: 0, ..base },
			crate::NeuronetsParams { pow_validity: MAX_POW_VALIDITY + 1, ..base },
			crate::NeuronetsParams { pow_interval: 0, ..base },
			crate::NeuronetsParams { pow_target: MAX_POW_TARGET + 1, ..base },
			crate::NeuronetsParams { min_pow_difficulty: 0, ..base },
			crate::NeuronetsParams { min_pow_difficulty: 10, max_pow_difficulty: 9, ..base },
		];
		for params in bad {
			assert_noop!(
				NeuronetsPallet::set_params(RuntimeOrigin::root(), params),
				Error::<Test>::ParamOutOfBounds
			);
		}
	});
}

#[test]
fn difficulty_adjusts_every_interval_toward_the_target() {
	run(|| {
		let id = create();
		advance_to(10);
		// Eight registrations in the first interval: twice the target of four.
		for hotkey in 30..38 {
			let nonce = mine(id, hotkey, 9, 16);
			assert_ok!(pow(POOR, id, hotkey, 9, nonce));
		}
		assert_eq!(NeuronetsPallet::pow_state(id).difficulty, 16);
		advance_to(101);
		assert_eq!(NeuronetsPallet::pow_state(id).difficulty, 32, "doubled");
		// A seal good for the old difficulty but not the new one is refused.
		let hash = frame_system::BlockHash::<Test>::get(100);
		let easy = (0..)
			.find(|&n| {
				let s = seal(id, &40u64, &hash, n);
				seal_meets(&s, 16) && !seal_meets(&s, 32)
			})
			.unwrap();
		assert_noop!(pow(POOR, id, 40, 100, easy), Error::<Test>::PowTooEasy);
		let nonce = mine(id, 40, 100, 32);
		assert_ok!(pow(POOR, id, 40, 100, nonce));
		// One registration in the second interval, none in the three after: ÷4 each, to the floor.
		advance_to(201);
		assert_eq!(NeuronetsPallet::pow_state(id).difficulty, 8);
		advance_to(501);
		assert_eq!(NeuronetsPallet::pow_state(id).difficulty, 2, "the minimum");
	});
}

/// A 384-dimensional reference fingerprint, like MiniLM's.
fn wide(seed: i32) -> Vec<i8> {
	(0..384).map(|i| (((i * 37 + seed * 11) % 255) - 127) as i8).collect()
}

fn create_wide() -> NeuronetId {
	let mut s = spec(100, 10_000, 0);
	s.reference_checks = BoundedVec::truncate_from(vec![ReferenceCheck {
		input: BoundedVec::truncate_from(b"A sentence".to_vec()),
		max_tokens: 0,
		expected: print(&wide(1)),
	}]);
	let id = NextNeuronetId::<Test>::get();
	assert_ok!(NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), s));
	id
}

#[test]
fn reference_checks_within_tolerance_make_the_slot_active_for_free() {
	run(|| {
		let id = create_wide();
		let slot = register(MINER, 10, id);
		assert_eq!(Slots::<Test>::get(slot).unwrap().state, SlotState::Pending);
		// Another backend's rounding: one quantization step off in a few coordinates.
		let mut rounded = wide(1);
		for i in [3, 100, 200] {
			rounded[i] = rounded[i].saturating_add(1);
		}
		let results = BoundedVec::truncate_from(vec![print(&rounded)]);
		let benchmark = Benchmark { units_per_second: 4_321 };
		let info = NeuronetsPallet::submit_reference_checks(
			RuntimeOrigin::signed(10),
			slot,
			results,
			benchmark,
		)
		.unwrap();
		assert_eq!(info.pays_fee, frame_support::dispatch::Pays::No);
		let s = Slots::<Test>::get(slot).unwrap();
		assert_eq!((s.state, s.benchmark), (SlotState::Active, benchmark));
		System::assert_last_event(Event::SlotActivated { slot, benchmark }.into());
		assert_eq!(slot_changes().last(), Some(&(slot, SlotChange::Activated)));
		assert_noop!(
			NeuronetsPallet::submit_reference_checks(
				RuntimeOrigin::signed(10),
				slot,
				BoundedVec::truncate_from(vec![print(&wide(1))]),
				benchmark
			),
			Error::<Test>::NotPending
		);
	});
}

#[test]
fn reference_checks_outside_tolerance_or_from_strangers_are_refused() {
	run(|| {
		let id = create_wide();
		let slot = register(MINER, 10, id);
		let submit = |who: AccountId, results: Vec<Fingerprint>| {
			NeuronetsPallet::submit_reference_checks(
				RuntimeOrigin::signed(who),
				slot,
				BoundedVec::truncate_from(results),
				Benchmark::default(),
			)
		};
		// Another model: a different vector.
		assert_noop!(submit(10, vec![print(&wide(2))]), Error::<Test>::ReferenceCheckFailed);
		// A perturbed model: every coordinate a few steps off.
		let perturbed: Vec<i8> =
			wide(1).iter().enumerate().map(|(i, v)| v.saturating_add((i % 7) as i8 - 3)).collect();
		assert_noop!(submit(10, vec![print(&perturbed)]), Error::<Test>::ReferenceCheckFailed);
		assert_noop!(submit(10, vec![print(&wide(1)[..383])]), Error::<Test>::ReferenceCheckFailed);
		assert_noop!(
			submit(10, vec![print(&wide(1)), print(&wide(1))]),
			Error::<Test>::ReferenceCheckCount
		);
		assert_noop!(submit(10, vec![]), Error::<Test>::ReferenceCheckCount);
		assert_noop!(submit(MINER, vec![print(&wide(1))]), Error::<Test>::NotHotkey);
		assert_noop!(
			NeuronetsPallet::submit_reference_checks(
				RuntimeOrigin::signed(10),
				99,
				BoundedVec::new(),
				Benchmark::default()
			),
			Error::<Test>::UnknownSlot
		);
		assert_eq!(Slots::<Test>::get(slot).unwrap().state, SlotState::Pending);
	});
}

#[test]
fn the_feeless_checks_match_the_calls() {
	run(|| {
		let id = create();
		let slot = register(MINER, 10, id);
		let hotkey = RuntimeOrigin::signed(10);
		assert!(NeuronetsPallet::heartbeat_due(&hotkey, slot).is_ok());
		assert!(NeuronetsPallet::heartbeat_due(&RuntimeOrigin::signed(MINER), slot).is_err());
		assert!(NeuronetsPallet::reference_checks_pass(&hotkey, slot, &honest_results()).is_ok());
		assert!(NeuronetsPallet::reference_checks_pass(&hotkey, slot, &[]).is_err());
		assert_ok!(NeuronetsPallet::heartbeat(hotkey.clone(), slot));
		assert!(NeuronetsPallet::heartbeat_due(&hotkey, slot).is_err(), "too soon now");
	});
}

#[test]
fn a_hotkey_without_balance_exists_while_it_holds_a_slot() {
	run(|| {
		let id = create();
		assert_eq!(System::providers(&10), 0);
		let slot = register(MINER, 10, id);
		assert_eq!(System::providers(&10), 1, "so the nonce check accepts its transactions");
		let second = register(OTHER_MINER, 10, create());
		assert_eq!(System::providers(&10), 2);
		assert_ok!(NeuronetsPallet::deregister(RuntimeOrigin::signed(MINER), slot));
		assert_ok!(NeuronetsPallet::deregister(RuntimeOrigin::signed(OTHER_MINER), second));
		assert_eq!(System::providers(&10), 0);
		assert_eq!(
			slot_changes(),
			vec![
				(slot, SlotChange::Opened),
				(second, SlotChange::Opened),
				(slot, SlotChange::Closed),
				(second, SlotChange::Closed)
			]
		);
	});
}

#[test]
fn uptime_counts_heartbeats_against_periods() {
	run(|| {
		let id = create();
		let slot = register(MINER, 10, id);
		let uptime = || NeuronetsPallet::uptime(&Slots::<Test>::get(slot).unwrap());
		assert_eq!(uptime(), Perbill::one(), "younger than one period");
		assert_ok!(NeuronetsPallet::heartbeat(RuntimeOrigin::signed(10), slot));
		advance_to(41);
		// Four periods expected, one heartbeat so far.
		assert_eq!(uptime(), Perbill::from_percent(25));
		assert_ok!(NeuronetsPallet::heartbeat(RuntimeOrigin::signed(10), slot));
		advance_to(51);
		assert_ok!(NeuronetsPallet::heartbeat(RuntimeOrigin::signed(10), slot));
		assert_eq!(uptime(), Perbill::from_percent(60));
	});
}

mod randomized {
	//! Random sequences of calls from random accounts: after every step the invariants hold,
	//! and every refused call leaves the state exactly as it was.
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Step {
		Create { owner: AccountId, max_slots: u32 },
		SetStatus { who: AccountId, neuronet: NeuronetId, status: u8 },
		Register { coldkey: AccountId, hotkey: AccountId, neuronet: NeuronetId, max_fee: Balance },
		RegisterWithPow { coldkey: AccountId, hotkey: AccountId, neuronet: NeuronetId },
		Deregister { who: AccountId, slot: SlotId },
		Heartbeat { who: AccountId, slot: SlotId },
		Check { who: AccountId, slot: SlotId, honest: bool },
		SetEndpoint { who: AccountId, slot: SlotId },
		Advance { blocks: u64 },
	}

	fn account() -> impl Strategy<Value = AccountId> {
		prop_oneof![Just(OWNER), Just(MINER), Just(OTHER_MINER), Just(POOR), 10u64..14]
	}

	fn step() -> impl Strategy<Value = Step> {
		prop_oneof![
			(account(), 0u32..3).prop_map(|(owner, max_slots)| Step::Create { owner, max_slots }),
			(account(), 0u32..4, 0u8..3).prop_map(|(who, neuronet, status)| Step::SetStatus {
				who,
				neuronet,
				status
			}),
			(account(), account(), 0u32..4, 0u128..400).prop_map(
				|(coldkey, hotkey, neuronet, max_fee)| Step::Register {
					coldkey,
					hotkey,
					neuronet,
					max_fee
				}
			),
			(account(), account(), 0u32..4).prop_map(|(coldkey, hotkey, neuronet)| {
				Step::RegisterWithPow { coldkey, hotkey, neuronet }
			}),
			(account(), 0u64..8).prop_map(|(who, slot)| Step::Deregister { who, slot }),
			(account(), 0u64..8).prop_map(|(who, slot)| Step::Heartbeat { who, slot }),
			(account(), 0u64..8, any::<bool>()).prop_map(|(who, slot, honest)| Step::Check {
				who,
				slot,
				honest
			}),
			(account(), 0u64..8).prop_map(|(who, slot)| Step::SetEndpoint { who, slot }),
			(1u64..15).prop_map(|blocks| Step::Advance { blocks }),
		]
	}

	fn apply(step: &Step) -> Option<sp_runtime::DispatchResult> {
		let signed = RuntimeOrigin::signed;
		Some(match step.clone() {
			Step::Create { owner, max_slots } => {
				NeuronetsPallet::create_neuronet(signed(owner), spec(100, 10_000, max_slots))
			}
			Step::SetStatus { who, neuronet, status } => {
				let status =
					[NeuronetStatus::Active, NeuronetStatus::Paused, NeuronetStatus::Retired]
						[usize::from(status)];
				NeuronetsPallet::set_status(signed(who), neuronet, status)
			}
			Step::Register { coldkey, hotkey, neuronet, max_fee } => NeuronetsPallet::register(
				signed(coldkey),
				neuronet,
				hotkey,
				endpoint("http://w"),
				max_fee,
			),
			Step::RegisterWithPow { coldkey, hotkey, neuronet } => {
				let block = System::block_number().saturating_sub(1).max(1);
				if System::block_number() <= 1 {
					return None;
				}
				let difficulty = NeuronetsPallet::pow_difficulty(neuronet).unwrap_or(1);
				let nonce = mine(neuronet, hotkey, block, difficulty);
				NeuronetsPallet::register_with_pow(
					signed(coldkey),
					neuronet,
					hotkey,
					endpoint("http://p"),
					block,
					nonce,
				)
			}
			Step::Deregister { who, slot } => NeuronetsPallet::deregister(signed(who), slot),
			Step::Heartbeat { who, slot } => {
				NeuronetsPallet::heartbeat(signed(who), slot).map(|_| ()).map_err(|e| e.error)
			}
			Step::Check { who, slot, honest } => {
				let results = if honest {
					honest_results()
				} else {
					BoundedVec::truncate_from(vec![print(&[1, 2, 3, 4]), print(&[4, 3, 2, 1])])
				};
				NeuronetsPallet::submit_reference_checks(
					signed(who),
					slot,
					results,
					Benchmark { units_per_second: 10 },
				)
				.map(|_| ())
				.map_err(|e| e.error)
			}
			Step::SetEndpoint { who, slot } => {
				NeuronetsPallet::set_endpoint(signed(who), slot, endpoint("http://e"))
			}
			Step::Advance { blocks } => {
				advance_to(System::block_number() + blocks);
				return None;
			}
		})
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
		#[test]
		fn invariants_hold_after_any_sequence_of_calls(steps in prop::collection::vec(step(), 1..60)) {
			new_test_ext().execute_with(|| {
				advance_to(2);
				for step in &steps {
					let before = sp_io::storage::root(sp_runtime::StateVersion::V1);
					let events = System::event_count();
					if let Some(Err(_)) = apply(step) {
						assert_eq!(
							sp_io::storage::root(sp_runtime::StateVersion::V1),
							before,
							"a refused {step:?} changed the state"
						);
						assert_eq!(System::event_count(), events);
					}
					NeuronetsPallet::do_try_state().unwrap();
				}
			});
		}
	}
}

#[test]
fn specs_over_their_bounds_do_not_decode() {
	use codec::{Decode, Encode};
	// The same layout with unbounded vectors: what an over-long submission carries.
	let good = spec(1, 2, 0);
	let mut bytes = good.encode();
	assert_eq!(NeuronetSpec::<Balance>::decode(&mut &bytes[..]).unwrap(), good);
	// A 65-byte name: the compact length prefix and the bytes of the name change.
	let long_name = (vec![b'n'; 65], good.task, good.model.clone()).encode();
	bytes.splice(..(1 + good.name.len() + 1 + good.model.encode().len()), long_name);
	assert!(NeuronetSpec::<Balance>::decode(&mut &bytes[..]).is_err(), "a 65-byte name");
	let check = &good.reference_checks[0];
	let five: Vec<ReferenceCheck> = vec![check.clone(); 5];
	assert!(
		BoundedVec::<ReferenceCheck, MaxReferenceChecks>::decode(&mut &five.encode()[..]).is_err()
	);
	let long_input = (vec![b'a'; 513], check.max_tokens, check.expected.clone()).encode();
	assert!(ReferenceCheck::decode(&mut &long_input[..]).is_err(), "a 513-byte input");
	let long_endpoint = vec![b'e'; 257].encode();
	assert!(BoundedVec::<u8, MaxEndpointLen>::decode(&mut &long_endpoint[..]).is_err());
}

#[test]
fn a_spec_keeps_its_execution_parameters_and_updates_them() {
	run(|| {
		let mut f16 = spec(1, 2, 0);
		f16.model.execution = Execution {
			dtype: DType::F16,
			quantization: Quantization::Int8PerBlock { block: 32 },
			attention: Attention::Plain,
		};
		let id = NextNeuronetId::<Test>::get();
		assert_ok!(NeuronetsPallet::create_neuronet(RuntimeOrigin::signed(OWNER), f16.clone()));
		assert_eq!(Neuronets::<Test>::get(id).unwrap().spec.model.execution, f16.model.execution);
		let mut bad = f16.clone();
		bad.model.execution.quantization = Quantization::Int8PerBlock { block: 12 };
		assert_noop!(
			NeuronetsPallet::update_neuronet(RuntimeOrigin::signed(OWNER), id, bad),
			Error::<Test>::BadQuantizationBlock
		);
		let mut per_tensor = f16;
		per_tensor.model.execution.quantization = Quantization::Int8PerTensor;
		assert_ok!(NeuronetsPallet::update_neuronet(
			RuntimeOrigin::signed(OWNER),
			id,
			per_tensor.clone()
		));
		assert_eq!(Neuronets::<Test>::get(id).unwrap().spec, per_tensor);
		for block in [8, 32, 128] {
			assert!(Quantization::Int8PerBlock { block }.is_valid());
		}
	});
}

#[test]
fn migration_v1_gives_every_stored_neuronet_the_default_execution_once() {
	use crate::migrations::v1::{v0, MigrateV0ToV1};
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	run(|| {
		// Two neuronets made through the calls (so every index and hold is real), stored back
		// the way version 0 laid them out, with the version 0 marker.
		let ids = [create(), create()];
		let made = ids.map(|id| Neuronets::<Test>::get(id).unwrap());
		for (id, n) in ids.iter().zip(&made) {
			let old = v0::Neuronet {
				owner: n.owner,
				deposit: n.deposit,
				spec: v0::NeuronetSpec {
					name: n.spec.name.clone(),
					task: n.spec.task,
					model: v0::ModelSpec {
						weights_hash: n.spec.model.weights_hash,
						config_hash: n.spec.model.config_hash,
						tokenizer_hash: n.spec.model.tokenizer_hash,
						min_memory_mib: n.spec.model.min_memory_mib,
					},
					economics: n.spec.economics.clone(),
					tolerance: n.spec.tolerance,
					reference_checks: n.spec.reference_checks.clone(),
				},
				status: n.status,
				live_slots: n.live_slots,
				created: n.created,
			};
			frame_support::storage::unhashed::put_raw(
				&Neuronets::<Test>::hashed_key_for(id),
				&old.encode(),
			);
		}
		StorageVersion::new(0).put::<NeuronetsPallet>();
		assert!(Neuronets::<Test>::get(ids[0]).is_none(), "version 0 does not decode as version 1");

		let weight = MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(NeuronetsPallet::on_chain_storage_version(), StorageVersion::new(1));
		// One read and one write per neuronet, plus the version marker read and written.
		let db = <Test as frame_system::Config>::DbWeight::get();
		assert_eq!(weight, db.reads_writes(3, 3));
		for (id, n) in ids.iter().zip(&made) {
			let migrated = Neuronets::<Test>::get(id).expect("decodes after the migration");
			assert_eq!(&migrated, n, "everything is kept");
			assert_eq!(migrated.spec.model.execution, Execution::default());
		}
		// Run again (a later upgrade that still lists it): only the marker is read.
		let before = Neuronets::<Test>::iter().collect::<Vec<_>>();
		assert_eq!(MigrateV0ToV1::<Test>::on_runtime_upgrade(), db.reads(1));
		assert_eq!(Neuronets::<Test>::iter().collect::<Vec<_>>(), before);
	});
}
