//! Benchmarks of every call and of the seal-pruning hook, each in its worst case: the largest
//! spec (four reference checks of the widest fingerprints), the longest endpoint, and as many
//! used seals on the pruned block as there can be.

use super::*;
use aetron_primitives::fingerprint::MAX_DIMENSIONS;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Hooks},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{Hash, One, UniqueSaturatedFrom},
	Saturating,
};

/// The widest embedding fingerprint.
fn wide_print() -> Fingerprint {
	let values: alloc::vec::Vec<i8> =
		(0..MAX_DIMENSIONS).map(|i| ((i * 37 % 255) as i32 - 127) as i8).collect();
	Fingerprint::Embedding { scale: 0, values: BoundedVec::truncate_from(values) }
}

/// The largest spec: the longest name and four reference checks of the longest inputs.
fn big_spec<T: Config>() -> NeuronetSpec<BalanceOf<T>> {
	let check = ReferenceCheck {
		input: BoundedVec::truncate_from(alloc::vec![b'a'; 512]),
		max_tokens: 0,
		expected: wide_print(),
	};
	NeuronetSpec {
		name: BoundedVec::truncate_from(alloc::vec![b'n'; 64]),
		task: Task::Embedding,
		model: ModelSpec {
			weights_hash: [1; 32],
			config_hash: [2; 32],
			tokenizer_hash: [3; 32],
			min_memory_mib: 512,
			execution: Default::default(),
		},
		economics: Economics {
			units_per_input_token: 1,
			units_per_output_token: 1,
			fee_floor: BalanceOf::<T>::unique_saturated_from(1_000u128),
			fee_cap: BalanceOf::<T>::unique_saturated_from(1_000_000_000u128),
			max_slots: 0,
			pow_difficulty: 1,
		},
		tolerance: Tolerance::default(),
		reference_checks: BoundedVec::truncate_from(alloc::vec![check; 4]),
	}
}

fn endpoint() -> BoundedVec<u8, MaxEndpointLen> {
	BoundedVec::truncate_from(alloc::vec![b'e'; 256])
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let plenty = Params::<T>::get()
		.neuronet_deposit
		.saturating_mul(BalanceOf::<T>::unique_saturated_from(1_000u128))
		.saturating_add(BalanceOf::<T>::unique_saturated_from(u64::MAX as u128));
	T::Currency::set_balance(&who, plenty);
	who
}

fn create<T: Config>() -> (T::AccountId, NeuronetId) {
	let owner = funded::<T>("owner", 0);
	let id = NextNeuronetId::<T>::get();
	Pallet::<T>::create_neuronet(RawOrigin::Signed(owner.clone()).into(), big_spec::<T>())
		.expect("a funded owner creates a neuronet");
	(owner, id)
}

fn registered<T: Config>() -> (T::AccountId, T::AccountId, SlotId) {
	let (_, neuronet) = create::<T>();
	let coldkey = funded::<T>("coldkey", 0);
	let hotkey: T::AccountId = account("hotkey", 0, 0);
	let slot = NextSlotId::<T>::get();
	Pallet::<T>::register(
		RawOrigin::Signed(coldkey.clone()).into(),
		neuronet,
		hotkey.clone(),
		endpoint(),
		BalanceOf::<T>::unique_saturated_from(u128::MAX),
	)
	.expect("a funded coldkey registers");
	(coldkey, hotkey, slot)
}

/// A nonce that meets `difficulty` for `hotkey` on `block_number`'s recorded hash.
fn solve<T: Config>(
	neuronet: NeuronetId,
	hotkey: &T::AccountId,
	block_number: BlockNumberFor<T>,
	difficulty: u64,
) -> u64 {
	let hash = frame_system::BlockHash::<T>::get(block_number);
	(0..u64::MAX)
		.find(|nonce| seal_meets(&seal(neuronet, hotkey, &hash, *nonce), difficulty))
		.expect("some nonce meets any difficulty")
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_neuronet() {
		let owner = funded::<T>("owner", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), big_spec::<T>());
		assert!(Neuronets::<T>::contains_key(0));
	}

	#[benchmark]
	fn update_neuronet() {
		let (owner, id) = create::<T>();
		let mut spec = big_spec::<T>();
		spec.economics.max_slots = 7;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, spec);
		assert_eq!(Neuronets::<T>::get(id).unwrap().spec.economics.max_slots, 7);
	}

	/// Retiring, the costliest change: it releases the deposit.
	#[benchmark]
	fn set_status() -> Result<(), BenchmarkError> {
		let (_, id) = create::<T>();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		force_set_status(origin as T::RuntimeOrigin, id, NeuronetStatus::Retired);
		assert_eq!(Neuronets::<T>::get(id).unwrap().status, NeuronetStatus::Retired);
		Ok(())
	}

	#[benchmark]
	fn register() {
		let (_, neuronet) = create::<T>();
		let coldkey = funded::<T>("coldkey", 0);
		let hotkey: T::AccountId = account("hotkey", 0, 0);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(coldkey),
			neuronet,
			hotkey.clone(),
			endpoint(),
			BalanceOf::<T>::unique_saturated_from(u128::MAX),
		);
		assert!(SlotByHotkey::<T>::contains_key(neuronet, hotkey));
	}

	#[benchmark]
	fn register_with_pow() {
		let (_, neuronet) = create::<T>();
		let coldkey = funded::<T>("coldkey", 0);
		let hotkey: T::AccountId = account("hotkey", 0, 0);
		let mined: BlockNumberFor<T> = 5u32.into();
		// Any hash but the default one (which means "not recorded") will do.
		frame_system::BlockHash::<T>::insert(mined, T::Hashing::hash(b"benchmark"));
		frame_system::Pallet::<T>::set_block_number(mined + One::one());
		let difficulty = Pallet::<T>::pow_state(neuronet).difficulty;
		let nonce = solve::<T>(neuronet, &hotkey, mined, difficulty);
		#[extrinsic_call]
		_(RawOrigin::Signed(coldkey), neuronet, hotkey.clone(), endpoint(), mined, nonce);
		assert!(SlotByHotkey::<T>::contains_key(neuronet, hotkey));
	}

	#[benchmark]
	fn deregister() {
		let (coldkey, _, slot) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(coldkey), slot);
		assert!(!Slots::<T>::contains_key(slot));
	}

	#[benchmark]
	fn heartbeat() {
		let (_, hotkey, slot) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(hotkey), slot);
		assert_eq!(Slots::<T>::get(slot).unwrap().heartbeats, 1);
	}

	#[benchmark]
	fn set_endpoint() {
		let (_, hotkey, slot) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(hotkey), slot, endpoint());
		assert_eq!(Slots::<T>::get(slot).unwrap().endpoint, endpoint());
	}

	/// Four checks of the widest fingerprints, each compared in full.
	#[benchmark]
	fn submit_reference_checks() {
		let (_, hotkey, slot) = registered::<T>();
		let results = BoundedVec::truncate_from(alloc::vec![wide_print(); 4]);
		let benchmark = crate::types::Benchmark { units_per_second: 1_000 };
		#[extrinsic_call]
		_(RawOrigin::Signed(hotkey), slot, results, benchmark);
		assert_eq!(Slots::<T>::get(slot).unwrap().state, SlotState::Active);
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = NeuronetsParams { heartbeat_period: 20, ..Params::<T>::get() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get().heartbeat_period, 20);
		Ok(())
	}

	/// Pruning the seals of one block: `s` proof-of-work registrations were made on it.
	#[benchmark]
	fn on_initialize_prune(s: Linear<0, 1_000>) {
		let horizon: BlockNumberFor<T> = (bounds::MAX_POW_VALIDITY + 1).into();
		let old: BlockNumberFor<T> = 1u32.into();
		for i in 0..s {
			let mut seal = [0u8; 32];
			seal[..4].copy_from_slice(&i.to_le_bytes());
			UsedSeals::<T>::insert(old, seal, ());
		}
		let now = old + horizon;
		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
		assert_eq!(UsedSeals::<T>::iter_prefix(old).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
