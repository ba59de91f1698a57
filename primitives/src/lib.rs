//! # AETRON primitives
//!
//! The types every part of AETRON agrees on: the runtime and its pallets, the node and the
//! worker. The crate is `no_std` so the runtime can use it. It holds the Merkle-sum tree of work
//! batches ([`merkle`]), the artefact header its leaves commit to ([`artefact`]), fingerprints
//! and their integer comparison ([`fingerprint`]), re-check sampling and verdicts ([`work`]),
//! the rounding-down arithmetic of payouts and rewards ([`arith`]),
//! arbitration's panels, votes and answers ([`arbitration`]) and the cross-pallet traits
//! ([`traits`]).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod arbitration;
pub mod arith;
pub mod artefact;
pub mod fingerprint;
pub mod merkle;
pub mod traits;
pub mod work;

use sp_runtime::{
	generic,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiSignature, OpaqueExtrinsic,
};

/// Block number: `u32` lasts 800 years at 6-second blocks.
pub type BlockNumber = u32;

/// A transaction signature (sr25519 by default; ed25519 and ecdsa also accepted).
pub type Signature = MultiSignature;

/// An account id: the public key behind a [`Signature`].
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// A balance in plancks of AET (10^-12 AET).
pub type Balance = u128;

/// An account's transaction index.
pub type Nonce = u32;

/// A hash of a block or extrinsic.
pub type Hash = sp_core::H256;

/// Milliseconds since the Unix epoch.
pub type Moment = u64;

/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// An opaque block, as the node sees it without knowing the runtime's types.
pub type OpaqueBlock = generic::Block<Header, OpaqueExtrinsic>;

/// Token figures: AET has 12 decimals, like DOT's planck.
pub mod currency {
	use super::Balance;

	/// Decimal places of AET.
	pub const DECIMALS: u8 = 12;
	/// Ticker shown by wallets and polkadot.js.
	pub const SYMBOL: &str = "AET";
	/// One AET in plancks.
	pub const AET: Balance = 1_000_000_000_000;
	/// One thousandth of an AET.
	pub const MILLI_AET: Balance = AET / 1_000;
	/// One millionth of an AET.
	pub const MICRO_AET: Balance = MILLI_AET / 1_000;
	/// Smallest balance an account may hold; below it the account is reaped.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_AET;
}

/// Block time and the lengths derived from it.
pub mod time {
	use super::{BlockNumber, Moment};

	/// Target time between blocks (DESIGN §2: 6 s).
	pub const MILLISECS_PER_BLOCK: Moment = 6_000;
	/// Slot length for BABE, equal to the block time.
	pub const SLOT_DURATION: Moment = MILLISECS_PER_BLOCK;
	/// Blocks per minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;
	/// BABE epoch (session) length in slots. Short, so authority-set changes and BABE randomness
	/// arrive quickly on dev and test chains; a production chain spec would lengthen it.
	pub const EPOCH_DURATION_IN_SLOTS: u64 = 10 * MINUTES as u64;
	/// Probability that a slot has a primary BABE author: 1/4.
	pub const PRIMARY_PROBABILITY: (u64, u64) = (1, 4);
}
