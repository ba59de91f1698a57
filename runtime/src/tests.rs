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
pub(crate) fn genesis_ext(preset: &str) -> sp_io::TestExternalities {
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
/// The endowments and the existential deposits of the treasury, the restaking rewards account
/// and the emission account.
fn genesis_issuance() -> Balance {
	ENDOWMENT * endowed_accounts().len() as Balance + 3 * EXISTENTIAL_DEPOSIT
}

#[test]
fn runtime_lists_both_presets() {
	let names = genesis_config_presets::preset_names();
	assert!(names.contains(&PresetId::from(DEV_RUNTIME_PRESET)));
	assert!(names.contains(&PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)));
	assert!(names.contains(&PresetId::from(genesis_config_presets::PRODUCTION_RUNTIME_PRESET)));
	assert!(genesis_config_presets::get_preset(&PresetId::from("mainnet")).is_none());
}

#[test]
fn production_genesis_has_no_sudo_and_funds_only_its_validators() {
	use genesis_config_presets::{PRODUCTION_RUNTIME_PRESET, PRODUCTION_VALIDATOR_ENDOWMENT};
	genesis_ext(PRODUCTION_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		let validators = pallet_session::Validators::<Runtime>::get();
		assert_eq!(validators.len(), 4);
		assert_eq!(pallet_validators::MinValidators::<Runtime>::get(), 3);
		for v in &validators {
			assert_eq!(Balances::free_balance(v), PRODUCTION_VALIDATOR_ENDOWMENT);
		}
		// No dev account beyond the validators holds anything.
		assert_eq!(Balances::free_balance(Sr25519Keyring::Eve.to_account_id()), 0);
		assert_eq!(
			Balances::total_issuance(),
			4 * PRODUCTION_VALIDATOR_ENDOWMENT + 3 * EXISTENTIAL_DEPOSIT
		);
		// The protocol's parameters are the runtime's defaults.
		assert_eq!(pallet_work::Params::<Runtime>::get(), genesis_config_presets::work_params());
	});
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
fn genesis_starts_at_the_current_storage_versions_so_the_migrations_do_nothing() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade};
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(
			Neuronets::on_chain_storage_version(),
			Neuronets::in_code_storage_version(),
			"genesis writes the in-code version"
		);
		let neuronets = pallet_neuronets::Neuronets::<Runtime>::iter().collect::<Vec<_>>();
		let weight = Migrations::on_runtime_upgrade();
		assert_eq!(pallet_neuronets::Neuronets::<Runtime>::iter().collect::<Vec<_>>(), neuronets);
		assert_eq!(weight, <Runtime as frame_system::Config>::DbWeight::get().reads(1));
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
pub(crate) fn start_block_one() {
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
		// Fees move to the treasury: nothing is burned, and only emission mints (block 1's
		// reward, into the pot: this block has no author).
		let minted = pallet_emission::Minted::<Runtime>::get();
		assert_eq!(minted, pallet_emission::EmissionParams::default().initial_block_reward);
		assert_eq!(Balances::total_issuance(), genesis_issuance() + minted);
		assert_eq!(pallet_emission::Pot::<Runtime>::get(), minted);
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
			execution: Default::default(),
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

/// `deregister` declares what giving up the slot's open re-checks (work) and seats
/// (arbitration) may take, by the parameters in force; at the genesis parameters it fits a
/// normal block with room to spare.
#[test]
fn deregister_declares_what_closing_a_slot_may_take() {
	use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
	genesis_ext(genesis_config_presets::PRODUCTION_RUNTIME_PRESET).execute_with(|| {
		let declared =
			RuntimeCall::Neuronets(pallet_neuronets::Call::deregister { slot: 0 })
				.get_dispatch_info()
				.call_weight;
		let own = <<Runtime as pallet_neuronets::Config>::WeightInfo as pallet_neuronets::WeightInfo>::deregister();
		let work = Work::closing_weight(&pallet_work::Params::<Runtime>::get());
		assert!(declared.ref_time() > own.saturating_add(work).ref_time(), "{declared:?}");
		let normal = RuntimeBlockWeights::get().get(DispatchClass::Normal).max_total.unwrap();
		println!(
			"deregister declares {} µs: its own {} µs, the open assignments' {} µs; a normal \
			 block {} ms",
			declared.ref_time() / 1_000_000,
			own.ref_time() / 1_000_000,
			work.ref_time() / 1_000_000,
			normal.ref_time() / 1_000_000_000
		);
		assert!(declared.ref_time() < normal.ref_time() / 4);
	});
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

/// The neuronet's five slots: their coldkeys, their hotkeys, and the keyring key of the hotkeys
/// that are keyring accounts (those sign real transactions).
struct FiveSlots {
	coldkeys: [Sr25519Keyring; 5],
	hotkeys: Vec<AccountId>,
	keyring_hot: [Option<Sr25519Keyring>; 5],
}

/// Alice creates the embedding neuronet; Bob, Charlie, Dave, Eve and Ferdie register slots 0
/// to 4 and each passes its reference checks.
fn five_active_slots() -> FiveSlots {
	let alice = Sr25519Keyring::Alice.to_account_id();
	assert_ok!(Neuronets::create_neuronet(RuntimeOrigin::signed(alice), embedding_spec()));
	// Five slots of five coldkeys; the hotkeys of slots 2 and 3 are keyring accounts with
	// no balance, so their votes go in as free signed transactions.
	let coldkeys = [
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
	];
	let keyring_hot = [None, None, Some(Sr25519Keyring::One), Some(Sr25519Keyring::Two), None];
	let hotkeys: Vec<AccountId> = (0..5u8)
		.map(|i| {
			keyring_hot[i as usize].map_or(AccountId::from([i + 1; 32]), |k| k.to_account_id())
		})
		.collect();
	for (coldkey, hotkey) in coldkeys.iter().zip(&hotkeys) {
		assert_ok!(Neuronets::register(
			RuntimeOrigin::signed(coldkey.to_account_id()),
			0,
			hotkey.clone(),
			Default::default(),
			10 * AET,
		));
	}
	let RuntimeCall::Neuronets(pallet_neuronets::Call::submit_reference_checks {
		results,
		benchmark,
		..
	}) = reference_checks()
	else {
		unreachable!()
	};
	for (slot, hotkey) in hotkeys.iter().enumerate() {
		assert_ok!(Neuronets::submit_reference_checks(
			RuntimeOrigin::signed(hotkey.clone()),
			slot as u64,
			results.clone(),
			benchmark,
		));
	}
	assert_eq!(pallet_work::ActiveCount::<Runtime>::get(0), 5);
	FiveSlots { coldkeys, hotkeys, keyring_hot }
}

/// The protocol across pallets: a re-checker's failure on a batch opens a dispute with its
/// coldkey's bond held; a panel drawn from the other coldkeys' slots votes the miner guilty
/// (the votes sent as free transactions by hotkeys that hold nothing); the batch is rejected,
/// the miner forfeits the batch's epoch with a bounty owed to the challenger, loses its
/// reputation and goes on probation, and the challenger's bond comes back.
#[test]
fn a_failed_reveal_is_arbitrated_into_a_rejected_batch_and_a_forfeit() {
	use aetron_primitives::{
		arbitration::{vote_hash, Vote},
		traits::Forfeits,
		work::{samples_of, verdict_hash, Failure, FailureKind, Verdict},
	};
	use frame_support::{traits::Hooks, BoundedVec};
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_one();
		let FiveSlots { coldkeys, hotkeys, keyring_hot } = five_active_slots();
		// Enough draw tries that a panel of the three uninvolved coldkeys always fills.
		let params = pallet_arbitration::Params::<Runtime>::get();
		assert_ok!(Arbitration::set_params(
			RuntimeOrigin::root(),
			pallet_arbitration::ArbitrationParams { max_draw_tries: 64, ..params }
		));
		let bond = params.challenger_bond;
		assert_eq!(bond, 10 * AET);

		// Slot 0 commits; BABE's next epoch brings randomness unknown at the commit.
		assert_ok!(Work::commit_batch(
			RuntimeOrigin::signed(hotkeys[0].clone()),
			0,
			1,
			[7; 32],
			10,
			1_000
		));
		let advance = |n: BlockNumber| {
			System::set_block_number(n);
			Work::on_initialize(n);
			Arbitration::on_initialize(n);
		};
		// The batch is sampled at its timer, the next BABE epoch's first block.
		let (sampled_at, _) = pallet_work::Timers::<Runtime>::iter_keys().next().expect("a timer");
		pallet_babe::EpochStart::<Runtime>::put((0, sampled_at));
		pallet_babe::NextRandomness::<Runtime>::put([9u8; 32]);
		for n in 2..=sampled_at {
			advance(n);
		}
		let batch = pallet_work::Batches::<Runtime>::get(0).expect("batch");
		assert_eq!(batch.status, pallet_work::BatchStatus::Rechecking);
		let recheckers: Vec<u64> = batch.rechecks.iter().map(|a| a.rechecker).collect();
		assert_eq!(recheckers.len(), 2, "a new miner gets two re-checkers");
		let (challenger, other) = (recheckers[0], recheckers[1]);
		let verdict = |position: u32, failing: bool| Verdict {
			checked: samples_of(batch.samples, 2, position),
			failures: BoundedVec::truncate_from(if failing {
				vec![Failure { sample: position, kind: FailureKind::WrongOutput }]
			} else {
				vec![]
			}),
		};
		for (position, (r, failing)) in [(challenger, true), (other, false)].into_iter().enumerate()
		{
			let v = verdict(position as u32, failing);
			let hash = verdict_hash(&v, &[r as u8; 32], r, 0);
			assert_ok!(Work::commit_verdict(
				RuntimeOrigin::signed(hotkeys[r as usize].clone()),
				r,
				0,
				hash
			));
		}
		let challenger_coldkey = coldkeys[challenger as usize].to_account_id();
		let free_before = Balances::free_balance(&challenger_coldkey);
		for (position, (r, failing)) in [(challenger, true), (other, false)].into_iter().enumerate()
		{
			let v = verdict(position as u32, failing);
			assert_ok!(Work::reveal_verdict(
				RuntimeOrigin::signed(hotkeys[r as usize].clone()),
				r,
				0,
				v,
				[r as u8; 32]
			));
		}
		assert_eq!(
			pallet_work::Batches::<Runtime>::get(0).unwrap().status,
			pallet_work::BatchStatus::Disputed
		);
		let d = pallet_arbitration::Disputes::<Runtime>::get(0).expect("a dispute opened");
		assert_eq!((d.miner, d.challenger, d.batch), (0, challenger, 0));
		assert_eq!(
			Balances::free_balance(&challenger_coldkey),
			free_before - bond,
			"the bond is held"
		);

		// The parent block's VRF output, unknown when the dispute opened, seats the panel.
		pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some([3u8; 32]));
		advance(sampled_at + 1);
		advance(sampled_at + 2);
		let d = pallet_arbitration::Disputes::<Runtime>::get(0).unwrap();
		let panel: Vec<u64> = d.panel.iter().map(|s| s.slot).collect();
		let mut sorted = panel.clone();
		sorted.sort();
		let mut expected: Vec<u64> = (1..5).filter(|&s| s != challenger).collect();
		expected.sort();
		assert_eq!(sorted, expected, "every slot of another coldkey than the parties");
		let guilty = Vote { miner_honest: false, digest: [0; 32] };
		let mut nonces = std::collections::BTreeMap::new();
		let mut send =
			|slot: u64, call: pallet_arbitration::Call<Runtime>| match keyring_hot[slot as usize] {
				Some(key) => {
					let nonce = nonces.entry(slot).or_insert(0);
					let xt = signed(RuntimeCall::Arbitration(call), key, *nonce);
					*nonce += 1;
					assert_ok!(Executive::apply_extrinsic(xt).expect("valid and free"));
				}
				None => {
					use frame_support::traits::UnfilteredDispatchable;
					let origin = RuntimeOrigin::signed(hotkeys[slot as usize].clone());
					assert_ok!(call.dispatch_bypass_filter(origin));
				}
			};
		for &a in &panel {
			let commitment = vote_hash(&guilty, &[a as u8; 32], a, 0);
			send(a, pallet_arbitration::Call::commit_vote { arbiter: a, dispute: 0, commitment });
		}
		for &a in &panel {
			send(
				a,
				pallet_arbitration::Call::reveal_vote {
					arbiter: a,
					dispute: 0,
					vote: guilty,
					salt: [a as u8; 32],
				},
			);
		}
		for key in [Sr25519Keyring::One, Sr25519Keyring::Two] {
			assert_eq!(Balances::free_balance(key.to_account_id()), 0, "votes are free");
		}
		let d = pallet_arbitration::Disputes::<Runtime>::get(0).unwrap();
		assert!(matches!(
			d.phase,
			pallet_arbitration::Phase::Decided {
				ruling: pallet_arbitration::Ruling::MinerLost,
				honest: 0,
				guilty: 3,
				..
			}
		));
		assert_eq!(
			pallet_work::Batches::<Runtime>::get(0).unwrap().status,
			pallet_work::BatchStatus::Rejected
		);
		assert_eq!(pallet_work::EpochWorks::<Runtime>::get(0, 0).served, 0);
		assert!(Arbitration::is_forfeited(0, 0));
		assert_eq!(
			Arbitration::bounty(0, 0),
			Some((challenger_coldkey.clone(), Perbill::from_percent(20)))
		);
		assert_eq!(Reputation::reputation(0), Perbill::zero());
		assert!(Reputation::on_probation(0));
		assert_eq!(Balances::free_balance(&challenger_coldkey), free_before, "the bond is back");
	});
}

/// The whole loop through `Executive` and the real pallets: five slots heartbeat through epoch
/// 0; slot 0's batch is confirmed by its two re-checkers; a staker's stake sets the neuronet's
/// share and capacity; once epoch 0 settles, a hotkey that holds nothing claims slot 0's payout
/// for free, and Bob (its coldkey) receives exactly what the formula of DESIGN §9 gives from
/// the stored totals; the staker's rewards are its share; issuance is genesis plus minted less
/// the registration fees burned.
#[test]
fn confirmed_work_is_paid_by_a_free_claim_and_the_staker_earns_its_share() {
	use aetron_primitives::work::{samples_of, verdict_hash, Verdict};
	use frame_support::traits::Hooks;
	genesis_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_one();
		let FiveSlots { coldkeys, hotkeys, keyring_hot } = five_active_slots();
		let staker = Sr25519Keyring::AliceStash.to_account_id();
		let stake = 1_000 * AET;
		assert_ok!(Restaking::stake(RuntimeOrigin::signed(staker.clone()), 0, stake));
		let heartbeats = |n: BlockNumber| {
			if n % 10 == 1 {
				for (slot, hotkey) in hotkeys.iter().enumerate() {
					assert_ok!(Neuronets::heartbeat(
						RuntimeOrigin::signed(hotkey.clone()),
						slot as u64
					));
				}
			}
		};
		heartbeats(1);
		let advance = |n: BlockNumber| {
			System::set_block_number(n);
			Emission::on_initialize(n);
			Work::on_initialize(n);
			Arbitration::on_initialize(n);
			heartbeats(n);
		};
		assert_ok!(Work::commit_batch(
			RuntimeOrigin::signed(hotkeys[0].clone()),
			0,
			1,
			[7; 32],
			10,
			1_000
		));
		let (sampled_at, _) = pallet_work::Timers::<Runtime>::iter_keys().next().expect("a timer");
		pallet_babe::EpochStart::<Runtime>::put((0, sampled_at));
		pallet_babe::NextRandomness::<Runtime>::put([9u8; 32]);
		for n in 2..=sampled_at {
			advance(n);
		}
		let batch = pallet_work::Batches::<Runtime>::get(0).expect("batch");
		let recheckers: Vec<u64> = batch.rechecks.iter().map(|a| a.rechecker).collect();
		let k = recheckers.len() as u32;
		for step in 0..2 {
			for (position, &r) in recheckers.iter().enumerate() {
				let verdict = Verdict {
					checked: samples_of(batch.samples, k, position as u32),
					failures: Default::default(),
				};
				let origin = RuntimeOrigin::signed(hotkeys[r as usize].clone());
				if step == 0 {
					let hash = verdict_hash(&verdict, &[r as u8; 32], r, 0);
					assert_ok!(Work::commit_verdict(origin, r, 0, hash));
				} else {
					assert_ok!(Work::reveal_verdict(origin, r, 0, verdict, [r as u8; 32]));
				}
			}
		}
		assert_eq!(
			pallet_work::Batches::<Runtime>::get(0).unwrap().status,
			pallet_work::BatchStatus::Confirmed
		);

		let mut n = sampled_at;
		while !Emission::settled(0) {
			n += 1;
			advance(n);
		}
		assert!(n / EPOCH_LENGTH >= 2, "settled no earlier than two epochs after");
		let ne =
			pallet_emission::NeuronetEpochs::<Runtime>::get(0, 0).expect("neuronet 0 was paid");
		let record = pallet_emission::Scores::<Runtime>::get(0, 0).expect("slot 0 scored");
		let params = pallet_emission::Params::<Runtime>::get();
		// The formula, from the stored totals.
		assert_eq!(record.work, 1_000);
		// One heartbeat every ten blocks of epoch 0 (60, or 1 with `fast-runtime`).
		let sent = (1..EPOCH_LENGTH).filter(|n| n % 10 == 1).count() as u32;
		assert_eq!(record.heartbeats, sent);
		assert!(sent >= params.full_uptime_heartbeats, "full uptime");
		assert_eq!(
			record.score,
			1_000
				* u128::from(params.full_uptime_heartbeats)
				* u128::from(record.weight.deconstruct())
		);
		assert_eq!(ne.capacity, 1_000 * params.capacity_per_stake, "1 000 AET staked");
		let earned = ne.miner_pool * u128::from(ne.work.min(ne.capacity)) / u128::from(ne.capacity);
		let expected = earned * record.score / ne.score;
		assert!(expected > 0);
		// Slot 2's hotkey holds nothing and claims for slot 0: free, paid to Bob.
		let bob = coldkeys[0].to_account_id();
		let before = Balances::free_balance(&bob);
		let hot = keyring_hot[2].expect("a keyring hotkey");
		let claim = RuntimeCall::Emission(pallet_emission::Call::claim { slot: 0, epoch: 0 });
		assert_ok!(Executive::apply_extrinsic(signed(claim, hot, 0)).expect("valid and free"));
		assert_eq!(Balances::free_balance(hot.to_account_id()), 0, "the claim was free");
		assert_eq!(Balances::free_balance(&bob) - before, expected);
		// The staker's rewards: the stakers' share of every epoch so far (it is the only
		// staker), less at most a unit a share-out.
		let pending = Restaking::position_of(&staker, 0).expect("a position").unclaimed;
		let shared: Balance = pallet_emission::NeuronetEpochs::<Runtime>::iter()
			.map(|(_, _, ne)| ne.to_stakers)
			.sum();
		let epochs = pallet_emission::NeuronetEpochs::<Runtime>::iter().count() as Balance;
		assert!(pending <= shared && shared - pending <= epochs, "{shared} vs {pending}");
		// Issuance: genesis plus minted less the five registration fees burned.
		let burned: Balance = System::events()
			.into_iter()
			.filter_map(|r| match r.event {
				RuntimeEvent::Balances(pallet_balances::Event::Burned { amount, .. }) => {
					Some(amount)
				}
				_ => None,
			})
			.sum();
		assert!(burned > 0);
		assert_eq!(
			Balances::total_issuance(),
			pallet_emission::GenesisIssuance::<Runtime>::get()
				+ pallet_emission::Minted::<Runtime>::get()
				- burned
		);
	});
}
