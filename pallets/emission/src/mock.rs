//! A mock runtime: System, Balances and Emission, with slots, owners, reputation weights, the
//! work pallet's closed epochs, the forfeit ledger, stake and the block author played by
//! thread-local tables the tests set.
//!
//! - Stakers' rewards go to one account ([`STAKERS`]); the mock keeps back the last digit of
//!   each reward as if it were rounding dust, so the dust's way to the treasury is exercised;
//!
//! - Emission epochs are [`EPOCH`] blocks; [`advance_to`] runs every block's hooks;
//! - an epoch is closed for the work pallet once [`WORK_SETTLEMENT`] epochs have begun after
//!   it (as `pallets/work` does), unless a test holds it open.

use crate as pallet_emission;
use aetron_primitives::{
	artefact::NeuronetId,
	traits::{
		EpochClock, EpochIndex, Forfeits, NeuronetStake, NeuronetsInspect, ReputationOf, SlotId,
		SlotInfo, WorkLedger, MAX_STAKED_NEURONETS,
	},
};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::Mutate, tokens::Preservation, ConstU128, FindAuthor, Hooks, VariantCountOf,
	},
	PalletId,
};
use sp_runtime::{BuildStorage, ConsensusEngineId, Perbill};
use std::collections::{BTreeMap, BTreeSet};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Emission: pallet_emission,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

pub const ED: Balance = 1;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<ED>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

/// Blocks per emission epoch.
pub const EPOCH: u64 = 10;
/// Epochs after which the work pallet closes an epoch.
pub const WORK_SETTLEMENT: EpochIndex = 2;
pub const TREASURY: AccountId = 999;
/// The block author (a validator).
pub const AUTHOR: AccountId = 500;
/// The neuronet owner.
pub const OWNER: AccountId = 400;
/// Where stakers' rewards go.
pub const STAKERS: AccountId = 300;
/// One AET in the tests: the unit of stake `capacity_per_stake` counts by.
pub const UNIT: Balance = 1_000_000;
pub const FUNDS: Balance = 1_000_000 * UNIT;

#[derive(Clone, Debug)]
pub struct MockSlot {
	pub info: SlotInfo<AccountId>,
	pub weight: Perbill,
}

thread_local! {
	pub static SLOTS: RefCell<BTreeMap<SlotId, MockSlot>> = Default::default();
	pub static OPEN: RefCell<BTreeSet<NeuronetId>> = Default::default();
	pub static HELD_OPEN: RefCell<BTreeSet<EpochIndex>> = Default::default();
	pub static UNDECIDED: RefCell<BTreeSet<EpochIndex>> = Default::default();
	pub static FORFEITS: RefCell<BTreeMap<(SlotId, EpochIndex), Option<(AccountId, Perbill)>>> = Default::default();
	pub static BLOCK_AUTHOR: RefCell<Option<AccountId>> = const { RefCell::new(Some(AUTHOR)) };
	pub static STAKES: RefCell<BTreeMap<NeuronetId, Balance>> = Default::default();
}

/// Sets `neuronet`'s bonded stake.
pub fn set_stake(neuronet: NeuronetId, stake: Balance) {
	STAKES.with(|s| s.borrow_mut().insert(neuronet, stake));
}

/// Adds an active slot of `neuronet` paid to `coldkey`, with emission weight `weight`.
pub fn add_slot(slot: SlotId, neuronet: NeuronetId, coldkey: AccountId, weight: Perbill) {
	let info = SlotInfo { neuronet, coldkey, hotkey: coldkey + 1_000, active: true };
	SLOTS.with(|s| s.borrow_mut().insert(slot, MockSlot { info, weight }));
}

pub fn remove_slot(slot: SlotId) {
	SLOTS.with(|s| s.borrow_mut().remove(&slot));
}

pub fn set_open(neuronet: NeuronetId, open: bool) {
	OPEN.with(|o| {
		if open {
			o.borrow_mut().insert(neuronet);
		} else {
			o.borrow_mut().remove(&neuronet);
		}
	});
}

/// Keeps `epoch` open in the work pallet (its batches may still be confirmed).
pub fn hold_open(epoch: EpochIndex, held: bool) {
	HELD_OPEN.with(|h| {
		if held {
			h.borrow_mut().insert(epoch);
		} else {
			h.borrow_mut().remove(&epoch);
		}
	});
}

/// Leaves a dispute over `epoch` undecided.
pub fn undecided(epoch: EpochIndex, open: bool) {
	UNDECIDED.with(|u| {
		if open {
			u.borrow_mut().insert(epoch);
		} else {
			u.borrow_mut().remove(&epoch);
		}
	});
}

/// Records that `slot` forfeited `epoch`, with a bounty owed.
pub fn forfeit(slot: SlotId, epoch: EpochIndex, bounty: Option<(AccountId, Perbill)>) {
	FORFEITS.with(|f| f.borrow_mut().insert((slot, epoch), bounty));
}

pub fn set_author(author: Option<AccountId>) {
	BLOCK_AUTHOR.with(|a| *a.borrow_mut() = author);
}

pub struct MockNeuronets;
impl NeuronetsInspect<AccountId> for MockNeuronets {
	fn slot(slot: SlotId) -> Option<SlotInfo<AccountId>> {
		SLOTS.with(|s| s.borrow().get(&slot).map(|s| s.info.clone()))
	}
	fn neuronet_is_open(neuronet: NeuronetId) -> bool {
		OPEN.with(|o| o.borrow().contains(&neuronet))
	}
	fn neuronet_owner(neuronet: NeuronetId) -> Option<AccountId> {
		Self::neuronet_is_open(neuronet).then_some(OWNER + AccountId::from(neuronet))
	}
}

pub struct MockReputation;
impl ReputationOf for MockReputation {
	fn reputation(slot: SlotId) -> Perbill {
		Self::emission_weight(slot)
	}
	fn emission_weight(slot: SlotId) -> Perbill {
		SLOTS.with(|s| s.borrow().get(&slot).map(|s| s.weight).unwrap_or_default())
	}
	fn sampling_rate(_: SlotId) -> Perbill {
		Perbill::one()
	}
	fn may_recheck(_: SlotId) -> bool {
		true
	}
	fn may_arbitrate(_: SlotId) -> bool {
		true
	}
	fn on_probation(_: SlotId) -> bool {
		false
	}
}

pub struct MockEpochs;
impl EpochClock for MockEpochs {
	fn current_epoch() -> EpochIndex {
		(System::block_number() / EPOCH) as EpochIndex
	}
}

pub struct MockWork;
impl WorkLedger for MockWork {
	fn epoch_work(_: SlotId, _: EpochIndex) -> aetron_primitives::traits::EpochWork {
		Default::default()
	}
	fn epoch_closed(epoch: EpochIndex) -> bool {
		MockEpochs::current_epoch() >= epoch + WORK_SETTLEMENT
			&& !HELD_OPEN.with(|h| h.borrow().contains(&epoch))
	}
}

/// Forfeits are kept this many epochs.
pub const RETENTION: EpochIndex = 10;

pub struct MockForfeits;
impl Forfeits<AccountId> for MockForfeits {
	fn is_forfeited(slot: SlotId, epoch: EpochIndex) -> bool {
		FORFEITS.with(|f| f.borrow().contains_key(&(slot, epoch)))
	}
	fn bounty(slot: SlotId, epoch: EpochIndex) -> Option<(AccountId, Perbill)> {
		FORFEITS.with(|f| f.borrow().get(&(slot, epoch)).cloned().flatten())
	}
	fn epoch_decided(epoch: EpochIndex) -> bool {
		!UNDECIDED.with(|u| u.borrow().contains(&epoch))
	}
	fn retention_epochs() -> EpochIndex {
		RETENTION
	}
}

pub struct MockAuthor;
impl FindAuthor<AccountId> for MockAuthor {
	fn find_author<'a, I>(_: I) -> Option<AccountId>
	where
		I: 'a + IntoIterator<Item = (ConsensusEngineId, &'a [u8])>,
	{
		BLOCK_AUTHOR.with(|a| *a.borrow())
	}
}

parameter_types! {
	pub const EmissionPalletId: PalletId = PalletId(*b"aet/emit");
	pub const Treasury: AccountId = TREASURY;
	pub const StakeUnit: Balance = UNIT;
}

pub struct MockStake;
impl NeuronetStake<AccountId, Balance> for MockStake {
	fn stake_of(neuronet: NeuronetId) -> Balance {
		STAKES.with(|s| s.borrow().get(&neuronet).copied().unwrap_or_default())
	}
	fn staked_neuronets() -> Vec<(NeuronetId, Balance)> {
		STAKES.with(|s| s.borrow().iter().filter(|(_, s)| **s > 0).map(|(n, s)| (*n, *s)).collect())
	}
	fn max_staked_neuronets() -> u32 {
		MAX_STAKED_NEURONETS
	}
	fn reward_stakers(neuronet: NeuronetId, source: &AccountId, amount: Balance) -> Balance {
		let dust = amount % 10;
		let shared = amount - dust;
		if Self::stake_of(neuronet) == 0 || shared == 0 {
			return amount;
		}
		match Balances::transfer(source, &STAKERS, shared, Preservation::Preserve) {
			Ok(_) => dust,
			Err(_) => amount,
		}
	}
	fn reward_stakers_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

impl pallet_emission::Config for Test {
	type Currency = Balances;
	type Neuronets = MockNeuronets;
	type Reputation = MockReputation;
	type Work = MockWork;
	type Forfeits = MockForfeits;
	type Stake = MockStake;
	type EpochClock = MockEpochs;
	type FindAuthor = MockAuthor;
	type PalletId = EmissionPalletId;
	type Treasury = Treasury;
	type StakeUnit = StakeUnit;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Slots, stake and forfeits for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn active_slot(neuronet: NeuronetId, coldkey: AccountId) -> SlotId {
		let slot = SLOTS.with(|s| s.borrow().len() as SlotId);
		add_slot(slot, neuronet, coldkey, Perbill::from_percent(50));
		slot
	}
	fn staked_neuronet(neuronet: NeuronetId, _staker: AccountId, stake: Balance) {
		set_open(neuronet, true);
		set_stake(neuronet, stake);
	}
	fn forfeit(slot: SlotId, epoch: EpochIndex, challenger: AccountId) {
		forfeit(slot, epoch, Some((challenger, Perbill::from_percent(20))));
	}
}

/// Block reward and shares of the tests: 1 000 units a block, 10 % to the author; inside a
/// neuronet 80 / 15 / 5; a neuronet at most half the pot; 100 work units an epoch per unit of
/// stake; full uptime at 4 heartbeats; paid two epochs after, claimable for three.
pub fn params() -> crate::EmissionParams {
	crate::EmissionParams {
		initial_block_reward: 1_000,
		halving_interval: crate::bounds::MIN_HALVING_INTERVAL,
		supply_cap: FUNDS * 100,
		validator_share: Perbill::from_percent(10),
		miner_share: Perbill::from_percent(80),
		staker_share: Perbill::from_percent(15),
		owner_share: Perbill::from_percent(5),
		max_neuronet_share: Perbill::from_percent(50),
		capacity_per_stake: 100,
		full_uptime_heartbeats: 4,
		settlement_delay: 2,
		claim_window: 3,
		max_expiries_per_block: 4,
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let funded = (1..=20).map(|a| (a, FUNDS));
	pallet_balances::GenesisConfig::<Test> { balances: funded.collect(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_emission::GenesisConfig::<Test> { params: params(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	SLOTS.with(|s| s.borrow_mut().clear());
	STAKES.with(|s| s.borrow_mut().clear());
	OPEN.with(|o| *o.borrow_mut() = [0, 1, 2].into());
	HELD_OPEN.with(|h| h.borrow_mut().clear());
	UNDECIDED.with(|u| u.borrow_mut().clear());
	FORFEITS.with(|f| f.borrow_mut().clear());
	set_author(Some(AUTHOR));
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Emission::on_initialize(1);
	});
	ext
}

/// Moves to block `n`, running each block's hooks and checking the invariants after every
/// block.
pub fn advance_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Emission::on_initialize(next);
		Emission::do_try_state().unwrap();
	}
}

/// The first block of `epoch`.
pub fn epoch_start(epoch: EpochIndex) -> u64 {
	u64::from(epoch) * EPOCH
}

/// Runs `test`, then checks the invariants and that issuance is genesis plus minted.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Emission::do_try_state().unwrap();
		assert_eq!(
			Balances::total_issuance(),
			crate::GenesisIssuance::<Test>::get() + crate::Minted::<Test>::get(),
			"nothing burns in the mock: issuance is genesis plus what emission minted"
		);
	});
}
