//! A mock runtime: System and Validators, with session keys and disabling played by
//! thread-local sets the tests read and change.

use crate as pallet_validators;
use core::cell::RefCell;
use frame_support::{derive_impl, traits::ConstU32};
use sp_runtime::BuildStorage;
use std::collections::BTreeSet;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Validators: pallet_validators,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The most validators in the tests.
pub const MAX_VALIDATORS: u32 = 6;
/// The genesis set.
pub const GENESIS: [AccountId; 4] = [1, 2, 3, 4];

thread_local! {
	/// Accounts that registered session keys: the genesis set and 5, 6, 7.
	pub static KEYS: RefCell<BTreeSet<AccountId>> = RefCell::new(BTreeSet::new());
	/// Accounts disabled this session.
	pub static DISABLED: RefCell<BTreeSet<AccountId>> = RefCell::new(BTreeSet::new());
}

pub struct MockKeys;
impl frame_support::traits::Contains<AccountId> for MockKeys {
	fn contains(who: &AccountId) -> bool {
		KEYS.with(|k| k.borrow().contains(who))
	}
}

pub struct MockDisabler;
impl crate::DisableValidator<AccountId> for MockDisabler {
	fn disable(who: &AccountId) -> bool {
		DISABLED.with(|d| d.borrow_mut().insert(*who))
	}
}

/// Whether `who` is disabled this session.
pub fn disabled(who: AccountId) -> bool {
	DISABLED.with(|d| d.borrow().contains(&who))
}

impl pallet_validators::Config for Test {
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type HasSessionKeys = MockKeys;
	type Disabler = MockDisabler;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockKeysHelper;
}

/// Gives benchmark accounts session keys.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockKeysHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<AccountId> for MockKeysHelper {
	fn register_keys(who: &AccountId) {
		KEYS.with(|k| k.borrow_mut().insert(*who));
	}
	fn seat(_validators: &[AccountId]) {}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_validators::GenesisConfig::<Test> { validators: GENESIS.to_vec(), min_validators: 3 }
		.assimilate_storage(&mut storage)
		.unwrap();
	KEYS.with(|k| *k.borrow_mut() = [1, 2, 3, 4, 5, 6, 7].into());
	DISABLED.with(|d| d.borrow_mut().clear());
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
