//! The pallet's domain types and the pure functions over them.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::{FixedPointNumber, FixedU128};

pub use aetron_primitives::{
	artefact::NeuronetId,
	fingerprint::{Fingerprint, Tolerance},
	traits::SlotId,
};
/// The longest neuronet name, in bytes.
pub type MaxNameLen = ConstU32<64>;
/// The longest worker endpoint URL, in bytes.
pub type MaxEndpointLen = ConstU32<256>;
/// The most reference checks a spec lists.
pub type MaxReferenceChecks = ConstU32<4>;
/// The longest reference input, in bytes.
pub type MaxReferenceInputLen = ConstU32<512>;

/// What a neuronet's model does.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum Task {
	/// Sentence embeddings (`/v1/embeddings`).
	Embedding,
	/// Text generation (`/v1/completions`).
	TextGeneration,
}

/// Which model a neuronet runs: the hashes a worker checks its files against.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct ModelSpec {
	/// BLAKE2b-256 of `model.safetensors`.
	pub weights_hash: [u8; 32],
	/// BLAKE2b-256 of `config.json`.
	pub config_hash: [u8; 32],
	/// BLAKE2b-256 of `tokenizer.json`.
	pub tokenizer_hash: [u8; 32],
	/// The least device memory the model needs, in MiB.
	pub min_memory_mib: u32,
	/// How every worker must run the model: its dtype, quantization and attention kernel.
	pub execution: Execution,
}

/// How a neuronet's model is run (DESIGN §16). Every worker serves with exactly these, or does
/// not join; reference checks, re-checks and arbitration run with them too, and the neuronet's
/// tolerance is calibrated for them (docs/measurements.md).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub struct Execution {
	/// The floating-point type the weights are held and computed in.
	pub dtype: DType,
	/// How the dense layers' weights are quantized.
	pub quantization: Quantization,
	/// Which attention kernel runs.
	pub attention: Attention,
}

/// A floating-point type.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub enum DType {
	/// IEEE 754 single precision: what every neuronet ran before execution parameters existed.
	#[default]
	F32,
	/// IEEE 754 half precision.
	F16,
	/// bfloat16: f32's exponent range with 8 bits of mantissa.
	BF16,
}

/// How the dense (linear) layers' weight matrices are stored: embedding tables, norms and biases
/// stay in the neuronet's dtype. Symmetric int8 as burn implements it (`QuantValue::Q8S`), the
/// matmul reading the packed weight.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub enum Quantization {
	/// Weights in the dtype.
	#[default]
	None,
	/// int8 with one scale per weight matrix.
	Int8PerTensor,
	/// int8 with one scale per `block` consecutive values of a row (a power of two within
	/// [`MIN_QUANT_BLOCK`] and [`MAX_QUANT_BLOCK`]).
	Int8PerBlock {
		/// Values per scale.
		block: u16,
	},
}

/// The smallest quantization block.
pub const MIN_QUANT_BLOCK: u16 = 8;
/// The largest quantization block: the largest that GGUF- and AWQ-style formats use, and that
/// burn (a byte per block dimension) can describe.
pub const MAX_QUANT_BLOCK: u16 = 128;

impl Quantization {
	/// Whether the parameters are well formed: a block is a power of two within the bounds.
	pub fn is_valid(&self) -> bool {
		match self {
			Quantization::None | Quantization::Int8PerTensor => true,
			Quantization::Int8PerBlock { block } => {
				block.is_power_of_two() && (MIN_QUANT_BLOCK..=MAX_QUANT_BLOCK).contains(block)
			}
		}
	}
}

/// Which scaled-dot-product attention kernel runs.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub enum Attention {
	/// The backend's fused kernel (burn's `attention`: tiled with an online softmax on the
	/// CPU for long sequences, cubecl's kernel on GPUs). What every neuronet ran before
	/// execution parameters existed.
	#[default]
	Fused,
	/// `softmax(Q·Kᵀ/√d)·V` as two matmuls and a softmax over the whole score matrix (burn's
	/// `attention_fallback`), as PyTorch's eager attention computes it.
	Plain,
}

/// How a neuronet prices work and registration.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Economics<Balance> {
	/// Work units per input token.
	pub units_per_input_token: u32,
	/// Work units per output token (or embedding).
	pub units_per_output_token: u32,
	/// The registration fee's floor: the price decays toward it.
	pub fee_floor: Balance,
	/// The registration fee's cap.
	pub fee_cap: Balance,
	/// At most this many live slots (0: no cap).
	pub max_slots: u32,
	/// The proof-of-work difficulty registration starts at; it adjusts from there.
	pub pow_difficulty: u64,
}

/// What an owner publishes.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct NeuronetSpec<Balance> {
	/// A human-readable name (UTF-8).
	pub name: BoundedVec<u8, MaxNameLen>,
	/// What the model does.
	pub task: Task,
	/// The model's files.
	pub model: ModelSpec,
	/// Work pricing and registration.
	pub economics: Economics<Balance>,
	/// How far a worker's fingerprints may be from the expected ones.
	pub tolerance: Tolerance,
	/// What a new slot's worker must reproduce before it becomes `Active`.
	pub reference_checks: BoundedVec<ReferenceCheck, MaxReferenceChecks>,
}

impl<Balance> NeuronetSpec<Balance> {
	/// Whether work is served and judged the same under `other` as under `self`: the same
	/// task, model (files, memory and execution), pricing and tolerance. Name, registration
	/// and reference checks may differ.
	pub fn judges_work_as(&self, other: &Self) -> bool {
		self.task == other.task
			&& self.model == other.model
			&& self.economics.units_per_input_token == other.economics.units_per_input_token
			&& self.economics.units_per_output_token == other.economics.units_per_output_token
			&& self.tolerance == other.tolerance
	}
}

/// One reference check: an input every worker runs, and the fingerprint the owner got for it.
///
/// The input itself is stored (not only its hash) so that a worker needs nothing but the chain
/// to run it.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct ReferenceCheck {
	/// The input text (UTF-8): a sentence to embed, or a prompt to complete greedily.
	pub input: BoundedVec<u8, MaxReferenceInputLen>,
	/// For text generation, the tokens to generate greedily; 0 for embeddings.
	pub max_tokens: u16,
	/// The fingerprint the owner's run produced.
	pub expected: Fingerprint,
}

/// A worker's throughput on its neuronet's model, measured when it joined.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub struct Benchmark {
	/// Work units per second (by the neuronet's pricing).
	pub units_per_second: u64,
}

/// Where a neuronet is in its life.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum NeuronetStatus {
	/// Open for registrations and work.
	Active,
	/// Closed to new registrations for now; existing slots keep working.
	Paused,
	/// Closed for good; its deposit was returned.
	Retired,
}

/// A neuronet as stored.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Neuronet<AccountId, Balance, BlockNumber> {
	/// Who created it and may update, pause and retire it.
	pub owner: AccountId,
	/// What the owner has reserved for it (zero once retired).
	pub deposit: Balance,
	/// The published spec.
	pub spec: NeuronetSpec<Balance>,
	/// Its status.
	pub status: NeuronetStatus,
	/// Slots not yet deregistered.
	pub live_slots: u32,
	/// When it was created.
	pub created: BlockNumber,
}

/// Where a slot is in its life.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum SlotState {
	/// Registered; waiting for its reference checks.
	Pending,
	/// Passed its reference checks; serving.
	Active,
}

/// A miner's slot in one neuronet.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct Slot<AccountId, BlockNumber> {
	/// The neuronet it serves.
	pub neuronet: NeuronetId,
	/// The account that registered and paid, and is paid.
	pub coldkey: AccountId,
	/// The worker's signing key.
	pub hotkey: AccountId,
	/// Its state.
	pub state: SlotState,
	/// The worker's public endpoint.
	pub endpoint: BoundedVec<u8, MaxEndpointLen>,
	/// When it registered.
	pub registered: BlockNumber,
	/// The block of the last heartbeat (the registration counts as one).
	pub last_heartbeat: BlockNumber,
	/// Heartbeats received since registration.
	pub heartbeats: u32,
	/// What the worker reported with its reference checks (zero while `Pending`).
	pub benchmark: Benchmark,
}

/// How a slot's registration was paid for.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum Payment<Balance> {
	/// This fee was burned.
	Fee(Balance),
	/// A proof of work at this difficulty.
	Pow(u64),
}

/// A neuronet's registration price and when it last changed.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub struct FeeState<Balance, BlockNumber> {
	/// The price right after the last registration.
	pub price: Balance,
	/// The block of the last registration.
	pub updated: BlockNumber,
}

/// A neuronet's proof-of-work difficulty and the registrations of the current interval.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub struct PowState<BlockNumber> {
	/// A seal must be at most `U256::MAX / difficulty`.
	pub difficulty: u64,
	/// When the current interval began.
	pub interval_start: BlockNumber,
	/// Proof-of-work registrations in the current interval.
	pub registrations: u32,
}

/// The proof-of-work seal of DESIGN §3: `blake2_256(SCALE(neuronet, hotkey, block_hash, nonce))`.
pub fn seal<AccountId: Encode, Hash: Encode>(
	neuronet: NeuronetId,
	hotkey: &AccountId,
	block_hash: &Hash,
	nonce: u64,
) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(&(neuronet, hotkey, block_hash, nonce).encode())
}

/// Whether `seal`, read as a big-endian 256-bit number, is at most `U256::MAX / difficulty`.
pub fn seal_meets(seal: &[u8; 32], difficulty: u64) -> bool {
	sp_core::U256::from_big_endian(seal)
		<= sp_core::U256::MAX / sp_core::U256::from(difficulty.max(1))
}

/// The difficulty for the next interval: scaled by `registrations / target`, by at most ×4 or
/// ÷4 an interval, within `[min, max]`.
pub fn adjusted_difficulty(
	current: u64,
	registrations: u32,
	target: u32,
	min: u64,
	max: u64,
) -> u64 {
	let current = u128::from(current.max(1));
	let scaled = current.saturating_mul(u128::from(registrations)) / u128::from(target.max(1));
	let bounded = scaled.clamp((current / 4).max(1), current.saturating_mul(4));
	u64::try_from(bounded).unwrap_or(u64::MAX).clamp(min.max(1), max.max(min.max(1)))
}

/// The price now: it halves its distance to `floor` every `half_life` blocks (linear between
/// halvings, so integer arithmetic suffices), and never leaves `[floor, cap]`.
pub fn decayed_price(price: u128, elapsed: u64, half_life: u64, floor: u128, cap: u128) -> u128 {
	let price = price.min(cap);
	if price <= floor || half_life == 0 {
		return price.max(floor).min(cap.max(floor));
	}
	let halvings = elapsed / half_life;
	let above = if halvings >= 128 { 0 } else { (price - floor) >> halvings };
	// Within the current half-life the excess falls linearly from `above` to `above / 2`.
	let into = u128::from(elapsed % half_life);
	let drop = (above / 2).saturating_mul(into) / u128::from(half_life);
	floor.saturating_add(above.saturating_sub(drop))
}

/// The price after one more registration: times `multiplier`, within `[floor, cap]`.
pub fn bumped_price(price: u128, multiplier: FixedU128, floor: u128, cap: u128) -> u128 {
	multiplier.saturating_mul_int(price).max(floor).min(cap.max(floor))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_price_halves_toward_the_floor() {
		assert_eq!(decayed_price(1_000, 0, 100, 0, u128::MAX), 1_000);
		assert_eq!(decayed_price(1_000, 100, 100, 0, u128::MAX), 500);
		assert_eq!(decayed_price(1_000, 50, 100, 0, u128::MAX), 750);
		assert_eq!(decayed_price(1_000, 200, 100, 0, u128::MAX), 250);
		assert_eq!(decayed_price(1_100, 100, 100, 100, u128::MAX), 600);
		assert_eq!(decayed_price(1_000, 100_000, 100, 100, u128::MAX), 100);
		assert_eq!(decayed_price(1_000, u64::MAX, 1, 7, u128::MAX), 7);
		assert_eq!(decayed_price(50, 10, 100, 100, 1_000), 100, "never below the floor");
		assert_eq!(decayed_price(5_000, 0, 100, 100, 1_000), 1_000, "never above the cap");
		for elapsed in 0..1_000 {
			assert!(
				decayed_price(1_000, elapsed + 1, 100, 10, 2_000)
					<= decayed_price(1_000, elapsed, 100, 10, 2_000)
			);
		}
	}

	#[test]
	fn difficulty_moves_toward_the_target() {
		assert_eq!(adjusted_difficulty(1_000, 10, 10, 1, u64::MAX), 1_000);
		assert_eq!(adjusted_difficulty(1_000, 20, 10, 1, u64::MAX), 2_000);
		assert_eq!(adjusted_difficulty(1_000, 5, 10, 1, u64::MAX), 500);
		assert_eq!(adjusted_difficulty(1_000, 100, 10, 1, u64::MAX), 4_000, "at most ×4");
		assert_eq!(adjusted_difficulty(1_000, 0, 10, 1, u64::MAX), 250, "at most ÷4");
		assert_eq!(adjusted_difficulty(1_000, 0, 10, 600, u64::MAX), 600, "the floor");
		assert_eq!(adjusted_difficulty(1_000, 100, 10, 1, 1_500), 1_500, "the ceiling");
		assert_eq!(adjusted_difficulty(u64::MAX, u32::MAX, 1, 1, u64::MAX), u64::MAX);
	}

	#[test]
	fn seals_bind_every_input_and_meet_difficulty() {
		let a = seal(1, &7u64, &[9u8; 32], 5);
		assert_ne!(a, seal(2, &7u64, &[9u8; 32], 5));
		assert_ne!(a, seal(1, &8u64, &[9u8; 32], 5));
		assert_ne!(a, seal(1, &7u64, &[8u8; 32], 5));
		assert_ne!(a, seal(1, &7u64, &[9u8; 32], 6));
		assert!(seal_meets(&a, 1), "difficulty 1 takes any seal");
		assert!(seal_meets(&[0; 32], u64::MAX));
		assert!(!seal_meets(&[0xff; 32], 2));
		let mut half = [0u8; 32];
		half[0] = 0x7f;
		half[1..].fill(0xff);
		assert!(seal_meets(&half, 2), "U256::MAX / 2 itself passes");
		half[31] = 0xff;
		half[0] = 0x80;
		assert!(!seal_meets(&half, 2));
	}

	#[test]
	fn a_registration_multiplies_the_price_within_bounds() {
		let m = FixedU128::from_rational(126, 100);
		assert_eq!(bumped_price(1_000, m, 0, 10_000), 1_260);
		assert_eq!(bumped_price(9_000, m, 0, 10_000), 10_000);
		assert_eq!(bumped_price(0, m, 50, 10_000), 50);
		assert_eq!(bumped_price(u128::MAX, m, 0, u128::MAX), u128::MAX);
	}
}

/// The pallet's tunables, set by governance (`set_params`) within [`bounds`]
/// (`docs/parameters.md`).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase", deny_unknown_fields)]
pub struct NeuronetsParams<Balance> {
	/// What creating a neuronet holds from its owner (a retired neuronet's owner gets back what
	/// was held then, whatever this is now).
	pub neuronet_deposit: Balance,
	/// The fewest blocks between two heartbeats of a slot.
	pub heartbeat_period: u32,
	/// Blocks for the registration price to halve its distance to the floor.
	pub fee_half_life: u32,
	/// What each registration multiplies the price by (at least 1).
	pub fee_multiplier: FixedU128,
	/// How many blocks back a proof of work's block may be.
	pub pow_validity: u32,
	/// Blocks between difficulty adjustments.
	pub pow_interval: u32,
	/// Proof-of-work registrations per interval the difficulty steers toward.
	pub pow_target: u32,
	/// The lowest difficulty.
	pub min_pow_difficulty: u64,
	/// The highest difficulty.
	pub max_pow_difficulty: u64,
}

impl<Balance: From<u8>> Default for NeuronetsParams<Balance> {
	/// Defaults for 6-second blocks: a heartbeat a minute at most, a registration price that
	/// halves its distance to the floor every hour and rises ×1.26 a registration (subtensor's
	/// figure), a proof of work valid for two minutes and a difficulty steering toward four
	/// registrations an hour. The deposit is the runtime's to set (its genesis does), as only
	/// it knows what a unit of its currency is worth; the default is one unit, the least the
	/// bounds allow.
	fn default() -> Self {
		Self {
			neuronet_deposit: Balance::from(1u8),
			heartbeat_period: 10,
			fee_half_life: 600,
			fee_multiplier: FixedU128::from_rational(126, 100),
			pow_validity: 20,
			pow_interval: 600,
			pow_target: 4,
			min_pow_difficulty: 1024,
			max_pow_difficulty: u64::MAX,
		}
	}
}

/// The bounds [`crate::Pallet::set_params`] enforces.
pub mod bounds {
	use sp_runtime::FixedU128;
	/// The longest heartbeat period: a day of 6-second blocks.
	pub const MAX_HEARTBEAT_PERIOD: u32 = 14_400;
	/// The longest fee half-life: about 70 days.
	pub const MAX_FEE_HALF_LIFE: u32 = 1_000_000;
	/// The largest fee multiplier: ×10 a registration.
	pub const MAX_FEE_MULTIPLIER: FixedU128 = FixedU128::from_u32(10);
	/// The longest proof-of-work validity, in blocks. The block hook forgets seals this far
	/// back (plus one) whatever the validity in force, so lowering it never strands a seal.
	pub const MAX_POW_VALIDITY: u32 = 100;
	/// The longest difficulty interval: about 70 days.
	pub const MAX_POW_INTERVAL: u32 = 1_000_000;
	/// The most registrations an interval steers toward.
	pub const MAX_POW_TARGET: u32 = 10_000;
}
