//! Runtime tests on the native runtime: genesis presets, a fee-paying transfer, issuance.

use crate::{
	genesis_config_presets::{endowed_accounts, ENDOWMENT},
	*,
};
use aetron_primitives::traits::ReputationOf;
use codec::Encode;
use frame_support::{assert_ok, genesis_builder_helper::build_state};
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, traits::Header as _};

/// Applies a JSON patch onto `base` the way the node's chain-spec builder does: objects merge
/// key by key, everything else is replaced.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// Externalities holding the genesis state that `preset` describes: the preset is a patch on
/// the runtime's default genesis config, as in a chain spec.
fn genesis_ext(preset: &str) -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&PresetId::from(preset))
		.unwrap_or_else(|| panic!("preset {preset} exists"));
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, serde_json::from_slice(&patch).expect("the preset is JSON"));
	let json = serde_json::to_vec(&config).expect("serializes");
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("genesis builds"));
	ext
}

/// What genesis mints: every endowed account's endowment plus the treasury's existential deposit.
fn genesis_issuance() -> Balance {
	ENDOWMENT * endowed_accounts().len() as Balance + EXISTENTIAL_DEPOSIT
}

#[test]
fn runtime_lists_both_presets() {
	let names = genesis_config_presets::preset_names();
	assert!(names.contains(&PresetId::from(DEV_RUNTIME_PRESET)));
	assert!(names.contains(&PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)));
	assert!(genesis_config_presets::get_preset(&PresetId::from("mainnet")).is_none());
}

#[test]
fn development_genesis_has_alice_as_only_authority_and_sudo() {
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice;
		assert_eq!(pallet_session::Validators::<Runtime>::get(), vec![alice.to_account_id()]);
		let babe: Vec<_> = Babe::authorities().iter().map(|(id, _)| id.clone()).collect();
		assert_eq!(babe, vec![sp_consensus_babe::AuthorityId::from(alice.public())]);
		let grandpa = Grandpa::grandpa_authorities();
		assert_eq!(grandpa.len(), 1);
		assert_eq!(grandpa[0].0, sp_keyring::Ed25519Keyring::Alice.public().into());
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice.to_account_id()));
	});
}

#[test]
fn local_testnet_genesis_has_four_authorities() {
	genesis_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let expected: Vec<AccountId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.to_account_id())
		.collect();
		assert_eq!(pallet_session::Validators::<Runtime>::get(), expected);
		assert_eq!(Babe::authorities().len(), 4);
		assert_eq!(Grandpa::grandpa_authorities().len(), 4);
	});
}

#[test]
fn genesis_funds_dev_accounts_and_treasury_and_issuance_matches() {
	for preset in [DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET] {
		genesis_ext(preset).execute_with(|| {
			for account in endowed_accounts() {
				assert_eq!(Balances::free_balance(&account), ENDOWMENT, "{preset}");
			}
			assert_eq!(Balances::free_balance(TreasuryAccount::get()), EXISTENTIAL_DEPOSIT);
			assert_eq!(Balances::total_issuance(), genesis_issuance(), "{preset}");
		});
	}
}

/// Signs `call` as `signer` with nonce `nonce`, the way a wallet does.
fn signed(call: RuntimeCall, signer: Sr25519Keyring, nonce: Nonce) -> UncheckedExtrinsic {
	let tx_ext: TxExtension = (
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_skip_feeless_payment::SkipCheckIfFeeless::from(
			pallet_transaction_payment::ChargeTransactionPayment::from(0),
		),
		frame_system::WeightReclaim::new(),
	);
	let payload = SignedPayload::new(call.clone(), tx_ext.clone()).expect("implicit data exists");
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(signer.to_account_id()),
		Signature::Sr25519(signature),
		tx_ext,
	)
}

/// Starts block 1 on top of genesis.
fn start_block_one() {
	let header = Header::new(
		1,
		Default::default(),
		Default::default(),
		frame_system::Pallet::<Runtime>::block_hash(0),
		Default::default(),
	);
	Executive::initialize_block(&header);
}

#[test]
fn signed_transfer_moves_funds_and_charges_a_fee_to_the_treasury() {
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_one();
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let amount = 10 * AET;
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: MultiAddress::Id(bob.clone()),
			value: amount,
		});

		let outcome = Executive::apply_extrinsic(signed(call, Sr25519Keyring::Alice, 0));
		assert_ok!(outcome.expect("the extrinsic is valid"));

		let fee = frame_system::Pallet::<Runtime>::events()
			.into_iter()
			.find_map(|record| match record.event {
				RuntimeEvent::TransactionPayment(
					pallet_transaction_payment::Event::TransactionFeePaid {
						who, actual_fee, ..
					},
				) if who == alice => Some(actual_fee),
				_ => None,
			})
			.expect("a fee was paid");
		assert!(fee > 0, "a transfer costs a fee");
		assert_eq!(Balances::free_balance(&alice), ENDOWMENT - amount - fee);
		assert_eq!(Balances::free_balance(&bob), ENDOWMENT + amount);
		assert_eq!(Balances::free_balance(TreasuryAccount::get()), EXISTENTIAL_DEPOSIT + fee);
		assert_eq!(frame_system::Pallet::<Runtime>::account_nonce(&alice), 1);
		// Fees move to the treasury: nothing is minted or burned.
		assert_eq!(Balances::total_issuance(), genesis_issuance());
	});
}

#[test]
fn transfer_with_a_bad_signature_is_refused_and_changes_nothing() {
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_one();
		let alice = Sr25519Keyring::Alice.to_account_id();
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: MultiAddress::Id(Sr25519Keyring::Bob.to_account_id()),
			value: AET,
		});
		// Signed by Bob but claiming to come from Alice.
		let mut xt = signed(call, Sr25519Keyring::Bob, 0);
		if let sp_runtime::generic::Preamble::Signed(address, _, _) = &mut xt.preamble {
			*address = MultiAddress::Id(alice.clone());
		}
		assert!(Executive::apply_extrinsic(xt).is_err());
		assert_eq!(Balances::free_balance(&alice), ENDOWMENT);
		assert_eq!(frame_system::Pallet::<Runtime>::account_nonce(&alice), 0);
	});
}

/// A one-check embedding spec.
fn embedding_spec() -> pallet_neuronets::NeuronetSpec<Balance> {
	use frame_support::BoundedVec;
	use pallet_neuronets::*;
	NeuronetSpec {
		name: BoundedVec::truncate_from(b"minilm".to_vec()),
		task: Task::Embedding,
		model: ModelSpec {
			weights_hash: [1; 32],
			config_hash: [2; 32],
			tokenizer_hash: [3; 32],
			min_memory_mib: 1,
		},
		economics: Economics {
			units_per_input_token: 1,
			units_per_output_token: 1,
			fee_floor: AET,
			fee_cap: 10 * AET,
			max_slots: 0,
			pow_difficulty: 1024,
		},
		tolerance: Tolerance::default(),
		reference_checks: BoundedVec::truncate_from(vec![ReferenceCheck {
			input: BoundedVec::truncate_from(b"hello".to_vec()),
			max_tokens: 0,
			expected: Fingerprint::Embedding {
				scale: 0,
				values: BoundedVec::truncate_from(vec![3, -4, 5]),
			},
		}]),
	}
}

#[test]
fn a_hotkey_without_balance_proves_and_heartbeats_for_free_and_strangers_cannot() {
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_one();
		let hot = Sr25519Keyring::One;
		assert_eq!(System::providers(&hot.to_account_id()), 0, "the hotkey does not exist");
		register_slot_zero(hot);
		let issuance = Balances::total_issuance();
		assert_ok!(
			Executive::apply_extrinsic(signed(reference_checks(), hot, 0)).expect("valid and free")
		);
		let heartbeat = RuntimeCall::Neuronets(pallet_neuronets::Call::heartbeat { slot: 0 });
		assert_ok!(Executive::apply_extrinsic(signed(heartbeat.clone(), hot, 1)).expect("free"));
		let slot = pallet_neuronets::Slots::<Runtime>::get(0).unwrap();
		assert_eq!((slot.state, slot.heartbeats), (pallet_neuronets::SlotState::Active, 1));
		assert_eq!(Balances::free_balance(hot.to_account_id()), 0, "nothing was charged");
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(Reputation::reputation(0), Perbill::from_percent(10));

		// Too soon: no longer free, and the hotkey cannot pay, so it is not even included.
		assert!(Executive::apply_extrinsic(signed(heartbeat.clone(), hot, 2)).is_err());
		// A stranger without funds cannot send a heartbeat for the slot.
		assert!(Executive::apply_extrinsic(signed(heartbeat, Sr25519Keyring::Two, 0)).is_err());
		assert_eq!(pallet_neuronets::Slots::<Runtime>::get(0).unwrap().heartbeats, 1);
	});
}

#[test]
fn a_hotkey_without_balance_commits_batches_for_free_but_not_twice() {
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_one();
		let hot = Sr25519Keyring::One;
		register_slot_zero(hot);
		assert_ok!(
			Executive::apply_extrinsic(signed(reference_checks(), hot, 0)).expect("valid and free")
		);
		assert_eq!(pallet_work::ActiveCount::<Runtime>::get(0), 1, "the active slot is drawable");
		let commit = |number: u64| {
			RuntimeCall::Work(pallet_work::Call::commit_batch {
				slot: 0,
				batch_number: number,
				root: [7; 32],
				leaf_count: 1 << 20,
				total_work: 5_000,
			})
		};
		let issuance = Balances::total_issuance();
		assert_ok!(Executive::apply_extrinsic(signed(commit(0), hot, 1)).expect("valid and free"));
		let batch = pallet_work::Batches::<Runtime>::get(0).expect("committed");
		assert_eq!((batch.slot, batch.leaf_count, batch.root.sum), (0, 1 << 20, 5_000));
		assert_eq!(batch.status, pallet_work::BatchStatus::AwaitingSeed);
		assert_eq!(Balances::free_balance(hot.to_account_id()), 0, "nothing was charged");
		assert_eq!(Balances::total_issuance(), issuance);
		// The same batch number again: not free, and the hotkey cannot pay, so not included.
		assert!(Executive::apply_extrinsic(signed(commit(0), hot, 2)).is_err());
		assert!(pallet_work::Batches::<Runtime>::get(1).is_none());
	});
}

/// DESIGN §12: a block holds at least 500 `commit_batch` or `reveal_verdict` transactions, by
/// the weights the benchmarks give (a reveal is charged what it did: one position unless it
/// settles the batch; here the settling reveal of a two-re-checker batch).
#[test]
fn a_block_holds_five_hundred_commits_or_reveals() {
	use frame_support::dispatch::DispatchClass;
	use pallet_work::WeightInfo;
	type W = <Runtime as pallet_work::Config>::WeightInfo;
	let weights = RuntimeBlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let limit = normal.max_total.expect("a normal limit").ref_time();
	let base = normal.base_extrinsic.ref_time();
	let commit = W::commit_batch(1 << 20).ref_time() + base;
	let reveal = W::reveal_verdict(0, 2).ref_time() + base;
	println!(
		"normal block {} ms: commit {} µs ({} a block), settling reveal {} µs ({} a block)",
		limit / 1_000_000_000,
		commit / 1_000_000,
		limit / commit,
		reveal / 1_000_000,
		limit / reveal
	);
	assert!(limit / commit >= 500);
	assert!(limit / reveal >= 500);
}

/// Alice creates the embedding neuronet and Bob registers slot 0 in it, run by `hot`.
fn register_slot_zero(hot: Sr25519Keyring) {
	let (alice, bob) = (Sr25519Keyring::Alice.to_account_id(), Sr25519Keyring::Bob.to_account_id());
	assert_ok!(Neuronets::create_neuronet(RuntimeOrigin::signed(alice), embedding_spec()));
	assert_ok!(Neuronets::register(
		RuntimeOrigin::signed(bob),
		0,
		hot.to_account_id(),
		Default::default(),
		AET,
	));
}

/// Slot 0's reference checks, passing: the expected fingerprint itself.
fn reference_checks() -> RuntimeCall {
	RuntimeCall::Neuronets(pallet_neuronets::Call::submit_reference_checks {
		slot: 0,
		results: frame_support::BoundedVec::truncate_from(vec![embedding_spec().reference_checks
			[0]
		.expected
		.clone()]),
		benchmark: pallet_neuronets::Benchmark { units_per_second: 7 },
	})
}
