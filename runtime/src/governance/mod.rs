//! OpenGov for AETRON (DESIGN §14): referenda on tracks, conviction voting, the scheduler that
//! enacts what passes, preimages held by deposit, and the treasury that spends by referendum.
//!
//! The shape follows Rococo's `governance` module in polkadot-sdk stable2609; the tracks, the
//! origins and every figure are AETRON's own, chosen for a small chain (`docs/decisions.md`).
//! Referenda are the only authority of the `local` and production chains; `sudo` holds a key
//! only in the `dev` preset.

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, tokens::pay::PayFromAccount, EitherOf, EitherOfDiverse,
		EqualPrivilegeOnly, LinearStoragePrice,
	},
};
use frame_system::{EnsureRoot, EnsureRootWithSuccess, EnsureSigned};
use sp_runtime::traits::IdentityLookup;

use crate::{
	currency::{AET, MICRO_AET},
	time::*,
	AccountId, Balance, Balances, BlockNumber, OriginCaller, Preimage, Referenda, Runtime,
	RuntimeBlockWeights, RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler,
	Treasury, TreasuryAccount, TREASURY_PALLET_ID,
};

pub mod origins;
pub use origins::{
	pallet_custom_origins, ParamAdmin, ReferendumCanceller, ReferendumKiller, Treasurer,
	ValidatorAdmin,
};
pub mod tracks;
pub use tracks::TracksInfo;

/// Who may set a protocol tunable: `Root` (a `Root` referendum, or `sudo` on the dev chain) or
/// a `ParamAdmin` referendum. Every AETRON pallet's `GovernanceOrigin`.
pub type ParamsOrigin = EitherOf<EnsureRoot<AccountId>, ParamAdmin>;
/// Who may change the validator set: `Root` or a `ValidatorAdmin` referendum.
pub type ValidatorsOrigin = EitherOf<EnsureRoot<AccountId>, ValidatorAdmin>;

/// `prod` normally, `fast` with `fast-runtime`.
const fn period(prod: BlockNumber, fast: BlockNumber) -> BlockNumber {
	if cfg!(feature = "fast-runtime") {
		fast
	} else {
		prod
	}
}

impl pallet_custom_origins::Config for Runtime {}

parameter_types! {
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// A preimage's deposit: 1 AET plus 10 µAET a byte (a 2 MB runtime upgrade holds ~21 AET).
	pub const PreimageBaseDeposit: Balance = AET;
	pub const PreimageByteDeposit: Balance = 10 * MICRO_AET;
}

impl pallet_preimage::Config for Runtime {
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

parameter_types! {
	/// Enacted referenda and other scheduled calls may use 80 % of a block.
	pub MaximumSchedulerWeight: frame_support::weights::Weight =
		sp_runtime::Perbill::from_percent(80) * RuntimeBlockWeights::get().max_block;
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeEvent = RuntimeEvent;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type MaxScheduledPerBlock = frame_support::traits::ConstU32<50>;
	type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type Preimages = Preimage;
	type BlockNumberProvider = frame_system::Pallet<Runtime>;
}

parameter_types! {
	/// How long a vote's balance stays locked per conviction doubling: a week, or ten blocks
	/// with `fast-runtime`.
	pub const VoteLockingPeriod: BlockNumber = period(7 * DAYS, 10);
}

impl pallet_conviction_voting::Config for Runtime {
	type WeightInfo = pallet_conviction_voting::weights::SubstrateWeight<Runtime>;
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type VoteLockingPeriod = VoteLockingPeriod;
	type MaxVotes = frame_support::traits::ConstU32<512>;
	// Support is measured against the active issuance.
	type MaxTurnout =
		frame_support::traits::tokens::currency::ActiveIssuanceOf<Balances, AccountId>;
	type Polls = Referenda;
	type BlockNumberProvider = frame_system::Pallet<Runtime>;
	type VotingHooks = ();
}

parameter_types! {
	/// What submitting a referendum holds (the decision deposit is the track's).
	pub const SubmissionDeposit: Balance = AET;
	/// A referendum whose decision deposit nobody places times out after two weeks.
	pub const UndecidingTimeout: BlockNumber = period(14 * DAYS, 100);
}

impl pallet_referenda::Config for Runtime {
	type WeightInfo = pallet_referenda::weights::SubstrateWeight<Runtime>;
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type Scheduler = Scheduler;
	type Currency = Balances;
	type SubmitOrigin = EnsureSigned<AccountId>;
	type CancelOrigin = EitherOf<EnsureRoot<AccountId>, ReferendumCanceller>;
	type KillOrigin = EitherOf<EnsureRoot<AccountId>, ReferendumKiller>;
	// A killed referendum's deposits go to the treasury.
	type Slash = Treasury;
	type Votes = pallet_conviction_voting::VotesOf<Runtime>;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = frame_support::traits::ConstU32<100>;
	type UndecidingTimeout = UndecidingTimeout;
	type AlarmInterval = frame_support::traits::ConstU32<1>;
	type Tracks = TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = frame_system::Pallet<Runtime>;
}

parameter_types! {
	pub const TreasuryPalletId: frame_support::PalletId = TREASURY_PALLET_ID;
	/// Approved `spend_local` proposals are paid once a day (every ten blocks with
	/// `fast-runtime`).
	pub const SpendPeriod: BlockNumber = period(DAYS, 10);
	/// A `spend` must be claimed (`payout`) within thirty days of becoming valid.
	pub const PayoutPeriod: BlockNumber = period(30 * DAYS, 100);
	pub const MaxSpend: Balance = Balance::MAX;
}

impl pallet_treasury::Config for Runtime {
	// The same account fees, dust and forfeits have always gone to (`TreasuryAccount`).
	type PalletId = TreasuryPalletId;
	type Currency = Balances;
	type RejectOrigin = EitherOfDiverse<EnsureRoot<AccountId>, Treasurer>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	// Nothing is burned: unspent funds stay for later referenda.
	type Burn = ();
	type BurnDestination = ();
	type SpendFunds = ();
	type MaxApprovals = frame_support::traits::ConstU32<100>;
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	// `Root` may spend anything; `Treasurer` up to `TREASURER_SPEND_LIMIT` at once.
	type SpendOrigin = EitherOf<EnsureRootWithSuccess<AccountId, MaxSpend>, Treasurer>;
	// AET only, paid from the treasury account to an account.
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = frame_support::traits::tokens::UnityAssetBalanceConversion;
	type PayoutPeriod = PayoutPeriod;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TreasuryBenchmarkHelper;
	type BlockNumberProvider = frame_system::Pallet<Runtime>;
}

/// The treasury benchmarks' asset (AET, the only one) and beneficiaries.
#[cfg(feature = "runtime-benchmarks")]
pub struct TreasuryBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_treasury::ArgumentsFactory<(), AccountId> for TreasuryBenchmarkHelper {
	fn create_asset_kind(_seed: u32) {}
	fn create_beneficiary(seed: [u8; 32]) -> AccountId {
		AccountId::new(seed)
	}
}

#[cfg(test)]
mod tests;
