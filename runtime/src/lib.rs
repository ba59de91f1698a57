//! # The AETRON runtime
//!
//! The state-transition function of the AETRON chain: block production by BABE, finality by
//! GRANDPA with the validator set that `pallets/validators` keeps for `pallet-session` (changed
//! by governance, offenders reported through `pallet-offences`), balances in AET, fees, batched
//! calls, the pallets of DESIGN §3–§9 (neuronets, reputation, work, arbitration, restaking,
//! emission), and OpenGov with the treasury (`governance`). `sudo` has a key only in the `dev`
//! preset.
//!
//! Fees, balance dust, forfeited emission and slashed referendum deposits go to the treasury
//! account ([`TreasuryAccount`]), never nowhere: see `docs/decisions.md`.
#![cfg_attr(not(feature = "std"), no_std)]
// `#[frame_support::runtime]` recurses deeply.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

// The pallets `benchmark pallet` measures (defines `list_benchmarks!` and `add_benchmarks!`
// for the `Benchmark` runtime API in `apis`, so it must come first).
#[cfg(feature = "runtime-benchmarks")]
frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[pallet_neuronets, Neuronets]
	[pallet_reputation, Reputation]
	[pallet_work, Work]
	[pallet_arbitration, Arbitration]
	[pallet_restaking, Restaking]
	[pallet_emission, Emission]
	[pallet_preimage, Preimage]
	[pallet_scheduler, Scheduler]
	[pallet_referenda, Referenda]
	[pallet_conviction_voting, ConvictionVoting]
	[pallet_treasury, Treasury]
	[pallet_validators, Validators]
);

mod apis;
pub use apis::RuntimeApi;
pub mod genesis_config_presets;
pub mod governance;

pub use aetron_primitives::{
	currency::{self, AET, EXISTENTIAL_DEPOSIT, MILLI_AET},
	time, AccountId, Balance, BlockNumber, Hash, Moment, Nonce, Signature,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU64, ConstU8},
	weights::{
		constants::{RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		IdentityFee, Weight,
	},
	PalletId,
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{AccountIdConversion, BlakeTwo256, ConvertInto, One},
	MultiAddress, Perbill,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Types the node needs without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;

	pub use aetron_primitives::{Header, OpaqueBlock as Block};
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	impl_opaque_keys! {
		/// The keys a validator registers with `session.set_keys`.
		pub struct SessionKeys {
			/// Block production.
			pub babe: Babe,
			/// Finality.
			pub grandpa: Grandpa,
		}
	}
}

/// Declares [`VERSION`] with `spec_version` `$spec`.
macro_rules! runtime_version {
	($spec:tt) => {
		/// The runtime's version. Bump `spec_version` with every change of logic and
		/// `transaction_version` with every change of call encoding.
		#[sp_version::runtime_version]
		pub const VERSION: RuntimeVersion = RuntimeVersion {
			spec_name: alloc::borrow::Cow::Borrowed("aetron"),
			impl_name: alloc::borrow::Cow::Borrowed("aetron-node"),
			authoring_version: 1,
			spec_version: $spec,
			impl_version: 1,
			apis: apis::RUNTIME_API_VERSIONS,
			transaction_version: 1,
			system_version: 1,
		};
	};
}
#[cfg(not(feature = "upgrade-test"))]
runtime_version!(106);
// The same runtime one `spec_version` higher: what the end-to-end runtime-upgrade test
// (`e2e/tests/governance.rs`) upgrades to by referendum (`scripts/env.sh` builds it).
#[cfg(feature = "upgrade-test")]
runtime_version!(107);

/// BABE epoch (session) length in slots: ten minutes, or one with `fast-runtime`, so that a
/// batch's sampling randomness (from the BABE epoch after its commit) arrives within a minute
/// on devnets and in tests.
pub const BABE_EPOCH_DURATION: u64 = if cfg!(feature = "fast-runtime") {
	time::MINUTES as u64
} else {
	time::EPOCH_DURATION_IN_SLOTS
};

/// BABE's epoch configuration at genesis: primary and secondary-VRF slots, so every slot has an
/// author even with a single validator (dev chain).
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
	sp_consensus_babe::BabeEpochConfiguration {
		c: time::PRIMARY_PROBABILITY,
		allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
	};

/// Share of a block's weight that normal (user) extrinsics may use; the rest is reserved for
/// operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Treasury: the account that receives fees, balance dust and (later) forfeits.
pub const TREASURY_PALLET_ID: PalletId = PalletId(*b"aet/trsy");

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// Two seconds of compute per 6-second block.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, of which normal extrinsics may fill `NORMAL_DISPATCH_RATIO`.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	pub const SS58Prefix: u16 = 42;
	pub const EpochDuration: u64 = BABE_EPOCH_DURATION;
	pub const ExpectedBlockTime: Moment = time::MILLISECS_PER_BLOCK;
	pub TreasuryAccount: AccountId = TREASURY_PALLET_ID.into_account_truncating();
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	type DbWeight = RocksDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = EpochDuration;
	type ExpectedBlockTime = ExpectedBlockTime;
	// Epochs change on session rotation, so BABE and GRANDPA authorities move together.
	type EpochChangeTrigger = pallet_babe::ExternalTrigger;
	type DisabledValidators = Session;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<100>;
	type MaxNominators = ConstU32<0>;
	// An equivocation (two blocks in one slot) is reported with a proof that the key belonged
	// to the session's validator set (`Historical`); `Offences` hands it to `Validators`,
	// which disables the offender and removes it (DESIGN §14).
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_babe::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

parameter_types! {
	/// An equivocation report stays valid (and in the pool) for ten sessions.
	pub ReportLongevity: u64 = 10 * BABE_EPOCH_DURATION;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<100>;
	type MaxNominators = ConstU32<0>;
	// GRANDPA set ids are mapped to sessions for as long as a report stays valid.
	type MaxSetIdSessionEntries = ConstU64<168>;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_grandpa::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Babe;
	type NextSessionRotation = Babe;
	// Governance's validator set (`pallets/validators`), with each session's set recorded for
	// key-ownership proofs.
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, Validators>;
	type SessionHandler =
		<opaque::SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = opaque::SessionKeys;
	// An offender is disabled at once; at most a third of the set can be disabled.
	type DisablingStrategy = pallet_session::disabling::UpToLimitDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = ();
}

/// Each validator's full identification in historical session proofs: nothing beyond its
/// account (AETRON validators have no stake behind them to slash).
pub struct NoIdentification;
impl sp_runtime::traits::Convert<AccountId, Option<()>> for NoIdentification {
	fn convert(_: AccountId) -> Option<()> {
		Some(())
	}
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = NoIdentification;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = Validators;
}

impl pallet_authorship::Config for Runtime {
	// The BABE author, by its authority index in the session's validators.
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Babe>;
	type EventHandler = ();
}

/// Whether an account registered session keys (`session.set_keys`).
pub struct HasSessionKeys;
impl frame_support::traits::Contains<AccountId> for HasSessionKeys {
	fn contains(who: &AccountId) -> bool {
		pallet_session::NextKeys::<Runtime>::contains_key(who)
	}
}

/// Disables a validator of the current session with the session pallet's disabling strategy.
pub struct SessionDisabler;
impl pallet_validators::DisableValidator<AccountId> for SessionDisabler {
	fn disable(who: &AccountId) -> bool {
		let Some(index) = Session::validators().iter().position(|v| v == who) else {
			return false;
		};
		Session::report_offence(who.clone(), sp_staking::offence::OffenceSeverity::max_severity());
		Session::disabled_validators().contains(&(index as u32))
	}
}

impl pallet_validators::Config for Runtime {
	type AdminOrigin = governance::ValidatorsOrigin;
	type HasSessionKeys = HasSessionKeys;
	type Disabler = SessionDisabler;
	type MaxValidators = ConstU32<100>;
	type WeightInfo = pallet_validators::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ValidatorsBenchmarkHelper;
}

/// Session keys and the session's set for the validators pallet's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct ValidatorsBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_validators::benchmarking::BenchmarkHelper<AccountId> for ValidatorsBenchmarkHelper {
	fn register_keys(who: &AccountId) {
		use codec::Decode;
		let keys =
			opaque::SessionKeys::decode(&mut sp_runtime::traits::TrailingZeroInput::zeroes())
				.expect("zeroes decode as keys");
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}

	fn seat(validators: &[AccountId]) {
		pallet_session::Validators::<Runtime>::put(validators.to_vec());
	}
}

/// Unsigned extrinsics the runtime builds itself (equivocation reports).
impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}

impl pallet_timestamp::Config for Runtime {
	type Moment = Moment;
	type OnTimestampSet = Babe;
	type MinimumPeriod = ConstU64<{ time::SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	// Dust of reaped accounts goes to the treasury instead of vanishing.
	type DustRemoval = ResolveTo<TreasuryAccount, Balances>;
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = ConstU32<50>;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// One micro-AET per byte of an extrinsic.
	pub const TransactionByteFee: Balance = currency::MICRO_AET;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// Fees (and tips) go to the treasury.
	type OnChargeTransaction = FungibleAdapter<Balances, ResolveTo<TreasuryAccount, Balances>>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = frame_support::weights::ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_neuronets::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = governance::ParamsOrigin;
	type MaxNeuronets = ConstU32<1024>;
	type OnSlotChange = (Reputation, Work, Arbitration);
	// Emission counts each slot's uptime per epoch as heartbeats arrive.
	type OnHeartbeat = Emission;
	type WeightInfo = pallet_neuronets::weights::SubstrateWeight<Runtime>;
}

/// Blocks per emission epoch (DESIGN §2): an hour, or a minute with `fast-runtime`.
pub const EPOCH_LENGTH: BlockNumber =
	if cfg!(feature = "fast-runtime") { time::MINUTES } else { time::HOURS };

/// The emission epoch clock: `block / EPOCH_LENGTH` (the emission pallet takes it over).
pub struct EpochClock;
impl aetron_primitives::traits::EpochClock for EpochClock {
	fn current_epoch() -> aetron_primitives::traits::EpochIndex {
		System::block_number() / EPOCH_LENGTH
	}
}

impl pallet_reputation::Config for Runtime {
	type GovernanceOrigin = governance::ParamsOrigin;
	type EpochClock = EpochClock;
	type WeightInfo = pallet_reputation::weights::SubstrateWeight<Runtime>;
}

impl pallet_work::Config for Runtime {
	type Neuronets = Neuronets;
	type Reputation = Reputation;
	type EpochClock = EpochClock;
	// Randomness of the BABE epoch before the current one, known since the current epoch began:
	// a batch committed in epoch N is sampled once N + 1 has begun (DESIGN §6).
	type Randomness = pallet_babe::RandomnessFromOneEpochAgo<Runtime>;
	type NextRandomness = Babe;
	type Disputes = Arbitration;
	// Emission keeps each slot's score as its work is confirmed.
	type OnWork = Emission;
	type GovernanceOrigin = governance::ParamsOrigin;
	type WeightInfo = pallet_work::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = WorkBenchmarkHelper;
}

/// Slots and BABE randomness for the work pallet's benchmarks, written to the real pallets'
/// storage.
#[cfg(feature = "runtime-benchmarks")]
pub struct WorkBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_work::BenchmarkHelper<AccountId, BlockNumber> for WorkBenchmarkHelper {
	fn active_slot(
		neuronet: pallet_neuronets::NeuronetId,
		coldkey: AccountId,
		hotkey: AccountId,
		reputation: Perbill,
	) -> pallet_neuronets::SlotId {
		use aetron_primitives::traits::OnSlotChange;
		let slot = pallet_neuronets::NextSlotId::<Runtime>::get();
		pallet_neuronets::NextSlotId::<Runtime>::put(slot + 1);
		pallet_neuronets::Slots::<Runtime>::insert(
			slot,
			pallet_neuronets::Slot {
				neuronet,
				coldkey,
				hotkey,
				state: pallet_neuronets::SlotState::Active,
				endpoint: Default::default(),
				registered: 0,
				last_heartbeat: 0,
				heartbeats: 0,
				benchmark: Default::default(),
			},
		);
		<(Reputation, Work, Arbitration) as OnSlotChange>::slot_opened(slot, neuronet);
		<(Reputation, Work, Arbitration) as OnSlotChange>::slot_activated(slot, neuronet);
		pallet_reputation::Reputations::<Runtime>::mutate(slot, |r| {
			if let Some(r) = r {
				r.value = reputation;
			}
		});
		slot
	}

	fn probation(slot: pallet_neuronets::SlotId) {
		pallet_reputation::Reputations::<Runtime>::mutate(slot, |r| {
			if let Some(r) = r {
				r.probation_until = r.epoch.saturating_add(10);
			}
		});
	}

	fn fresh_randomness(block: BlockNumber) {
		pallet_babe::EpochStart::<Runtime>::put((0, block));
		pallet_babe::NextRandomness::<Runtime>::put([9u8; 32]);
	}
}

impl pallet_arbitration::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Neuronets = Neuronets;
	type ActiveSlots = Work;
	type Reputation = Reputation;
	type EpochClock = EpochClock;
	// The VRF output of the parent block: a dispute's panel is drawn from randomness first
	// known a block after the dispute opened, so a panel is seated within seconds instead of
	// waiting an epoch (docs/decisions.md).
	type Randomness = pallet_babe::ParentBlockRandomness<Runtime>;
	type Resolution = Work;
	type Treasury = TreasuryAccount;
	type GovernanceOrigin = governance::ParamsOrigin;
	type WeightInfo = pallet_arbitration::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ArbitrationBenchmarkHelper;
}

/// Slots and BABE's block randomness for the arbitration pallet's benchmarks, written to the
/// real pallets' storage.
#[cfg(feature = "runtime-benchmarks")]
pub struct ArbitrationBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_arbitration::BenchmarkHelper<AccountId> for ArbitrationBenchmarkHelper {
	fn active_slot(
		neuronet: pallet_neuronets::NeuronetId,
		coldkey: AccountId,
		hotkey: AccountId,
		reputation: Perbill,
	) -> pallet_neuronets::SlotId {
		<WorkBenchmarkHelper as pallet_work::BenchmarkHelper<AccountId, BlockNumber>>::active_slot(
			neuronet, coldkey, hotkey, reputation,
		)
	}

	fn fresh_randomness() {
		pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some([7u8; 32]));
	}
}

/// Restaking: the account that holds stakers' rewards.
pub const RESTAKING_PALLET_ID: PalletId = PalletId(*b"aet/rstk");
/// Emission: the account that holds the pot and the miners' pools.
pub const EMISSION_PALLET_ID: PalletId = PalletId(*b"aet/emit");

parameter_types! {
	pub const RestakingPalletId: PalletId = RESTAKING_PALLET_ID;
	pub const EmissionPalletId: PalletId = EMISSION_PALLET_ID;
	/// The stake that backs `capacity_per_stake` work units an epoch.
	pub const StakeUnit: Balance = AET;
}

impl pallet_restaking::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Neuronets = Neuronets;
	type PalletId = RestakingPalletId;
	type Treasury = TreasuryAccount;
	type MaxPools = ConstU32<{ aetron_primitives::traits::MAX_STAKED_NEURONETS }>;
	type GovernanceOrigin = governance::ParamsOrigin;
	type WeightInfo = pallet_restaking::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = EmissionBenchmarkHelper;
}

impl pallet_emission::Config for Runtime {
	type Currency = Balances;
	type Neuronets = Neuronets;
	type Reputation = Reputation;
	type Work = Work;
	type Forfeits = Arbitration;
	type Stake = Restaking;
	type EpochClock = EpochClock;
	// The author of a BABE block, by its authority index in the session's validators.
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Runtime, Babe>;
	type PalletId = EmissionPalletId;
	type Treasury = TreasuryAccount;
	type StakeUnit = StakeUnit;
	type GovernanceOrigin = governance::ParamsOrigin;
	type WeightInfo = pallet_emission::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = EmissionBenchmarkHelper;
}

/// Open neuronets, slots, stake and forfeits for the restaking and emission benchmarks,
/// written to the real pallets' storage.
#[cfg(feature = "runtime-benchmarks")]
pub struct EmissionBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_restaking::BenchmarkHelper for EmissionBenchmarkHelper {
	fn open_neuronet(neuronet: pallet_neuronets::NeuronetId) {
		use frame_support::traits::fungible::Mutate;
		let owner: AccountId = frame_benchmarking::account("owner", neuronet, 0);
		pallet_neuronets::Neuronets::<Runtime>::insert(
			neuronet,
			pallet_neuronets::Neuronet {
				owner: owner.clone(),
				deposit: 0,
				spec: pallet_neuronets::NeuronetSpec {
					name: Default::default(),
					task: pallet_neuronets::Task::Embedding,
					model: pallet_neuronets::ModelSpec {
						weights_hash: [1; 32],
						config_hash: [2; 32],
						tokenizer_hash: [3; 32],
						min_memory_mib: 512,
						execution: Default::default(),
					},
					economics: pallet_neuronets::Economics {
						units_per_input_token: 1,
						units_per_output_token: 1,
						fee_floor: AET,
						fee_cap: AET,
						max_slots: 0,
						pow_difficulty: 1,
					},
					tolerance: Default::default(),
					reference_checks: Default::default(),
				},
				status: pallet_neuronets::NeuronetStatus::Active,
				live_slots: 0,
				created: 0,
			},
		);
		let _ = Balances::set_balance(&owner, EXISTENTIAL_DEPOSIT);
	}
}
#[cfg(feature = "runtime-benchmarks")]
impl pallet_emission::BenchmarkHelper<AccountId> for EmissionBenchmarkHelper {
	fn active_slot(neuronet: pallet_neuronets::NeuronetId, coldkey: AccountId) -> u64 {
		<Self as pallet_restaking::BenchmarkHelper>::open_neuronet(neuronet);
		let hotkey = frame_benchmarking::account("hotkey", neuronet, 0);
		<WorkBenchmarkHelper as pallet_work::BenchmarkHelper<AccountId, BlockNumber>>::active_slot(
			neuronet,
			coldkey,
			hotkey,
			Perbill::from_percent(50),
		)
	}

	fn staked_neuronet(neuronet: pallet_neuronets::NeuronetId, staker: AccountId, stake: Balance) {
		use frame_support::traits::fungible::Mutate;
		<Self as pallet_restaking::BenchmarkHelper>::open_neuronet(neuronet);
		let _ = Balances::set_balance(&staker, stake.saturating_mul(2));
		let _ = Restaking::stake(RuntimeOrigin::signed(staker), neuronet, stake);
	}

	fn forfeit(slot: u64, epoch: u32, challenger: AccountId) {
		pallet_arbitration::Forfeited::<Runtime>::insert(
			epoch,
			slot,
			pallet_arbitration::Forfeit { bounty: Some((challenger, Perbill::from_percent(20))) },
		);
	}
}

impl pallet_skip_feeless_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

// `legacy_ordering`: hooks and genesis run in declaration order, not index order, so that
// `Validators` (a later index) builds its genesis before `Session` asks it for the first set.
#[frame_support::runtime(legacy_ordering)]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;
	#[runtime::pallet_index(3)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(4)]
	pub type TransactionPayment = pallet_transaction_payment;
	// Before `Session`: the session pallet's genesis asks it for the first validator set.
	#[runtime::pallet_index(22)]
	pub type Validators = pallet_validators;
	#[runtime::pallet_index(5)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(6)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(7)]
	pub type Utility = pallet_utility;
	#[runtime::pallet_index(8)]
	pub type Sudo = pallet_sudo;
	#[runtime::pallet_index(9)]
	pub type Neuronets = pallet_neuronets;
	#[runtime::pallet_index(10)]
	pub type Reputation = pallet_reputation;
	#[runtime::pallet_index(11)]
	pub type SkipFeelessPayment = pallet_skip_feeless_payment;
	#[runtime::pallet_index(12)]
	pub type Work = pallet_work;
	#[runtime::pallet_index(13)]
	pub type Arbitration = pallet_arbitration;
	#[runtime::pallet_index(14)]
	pub type Restaking = pallet_restaking;
	#[runtime::pallet_index(15)]
	pub type Emission = pallet_emission;

	// Governance (DESIGN §14, `governance/`).
	#[runtime::pallet_index(16)]
	pub type Preimage = pallet_preimage;
	#[runtime::pallet_index(17)]
	pub type Scheduler = pallet_scheduler;
	#[runtime::pallet_index(18)]
	pub type Referenda = pallet_referenda;
	#[runtime::pallet_index(19)]
	pub type ConvictionVoting = pallet_conviction_voting;
	#[runtime::pallet_index(20)]
	pub type Origins = governance::pallet_custom_origins;
	#[runtime::pallet_index(21)]
	pub type Treasury = pallet_treasury;

	// Equivocation reports (DESIGN §14).
	#[runtime::pallet_index(23)]
	pub type Historical = pallet_session::historical;
	#[runtime::pallet_index(24)]
	pub type Offences = pallet_offences;
	#[runtime::pallet_index(25)]
	pub type Authorship = pallet_authorship;
}

/// Address format of extrinsics.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// The checks every signed extrinsic passes (order matters: it is part of the signed payload).
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	// Valid heartbeats, reference checks, batch commits and verdicts pay nothing (`feeless_if`),
	// so a hotkey needs no balance.
	pallet_skip_feeless_payment::SkipCheckIfFeeless<
		Runtime,
		pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	>,
	frame_system::WeightReclaim<Runtime>,
);
/// Extrinsic as it arrives in a block.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;
/// Storage migrations to run on the next runtime upgrade. Each is versioned: on a chain already
/// at its target version (every chain started from this runtime's genesis) it does nothing.
pub type Migrations = (pallet_neuronets::migrations::v1::MigrateV0ToV1<Runtime>,);
/// Dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[cfg(test)]
mod tests;
