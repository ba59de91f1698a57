//! # Re-check sampling and verdicts (DESIGN §6)
//!
//! Everything here is a pure function of on-chain data, so the runtime, every worker and any
//! outside verifier derive the same samples, re-checker draws and verdict hashes:
//!
//! - a batch's seed: `blake2_256(randomness ‖ batch_id)`, with randomness that became known only
//!   after the batch was committed ([`batch_seed`]);
//! - `m` samples ([`sample_count`]); sample `r ∈ [0, m)` is leaf
//!   `u64(blake2_256(seed ‖ "leaf" ‖ r)) mod leaf_count` ([`sample_leaf`]);
//! - `k` re-checkers ([`rechecker_count`]); sample `r` belongs to re-checker position `r mod k`
//!   ([`samples_of`]); a draw for position `j` in round `round` (0 first, then one per
//!   reassignment) tries slots `u64(blake2_256(seed ‖ "rechecker" ‖ round ‖ j ‖ try)) mod n`
//!   of the neuronet's active-slot index ([`draw_position`]);
//! - a verdict's commitment: `blake2_256(SCALE(verdict) ‖ salt ‖ rechecker_slot ‖ batch_id)`
//!   ([`verdict_hash`]); the slot stops a re-checker from copying another's commitment.
//!
//! All integers are hashed little-endian (their SCALE encoding).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{bounded::BoundedVec, ConstU32};
use sp_runtime::Perbill;

use crate::{merkle::blake2_256, traits::SlotId};

/// A committed batch's id on-chain, unique and never reused.
pub type BatchId = u64;

/// The most re-checkers one batch may have at once (the bound of `k`).
pub const MAX_RECHECKERS: u32 = 16;

/// The most samples one re-checker may be assigned in a batch, and so the most failures one
/// verdict may list. The governed `MaxSamplesPerRechecker` lies within it.
pub const MAX_SAMPLES_PER_RECHECKER: u32 = 256;

/// Why a sampled leaf failed its re-check. Every kind is a reason for a dispute.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum FailureKind {
	/// The proof does not lead to the committed root, or the served bytes are not the ones the
	/// artefact commits to.
	BadProof,
	/// The response is not what the model gives for the request.
	WrongOutput,
	/// The fingerprint is further from the re-computed one than honest runs ever are.
	FingerprintOutOfTolerance,
	/// The miner did not serve the leaf.
	Unavailable,
	/// The leaf was served under another slot or in another batch than the one committed (a
	/// second commitment over the same leaves), or its client signed for another slot.
	Misattributed,
	/// The leaf claims other work units than the neuronet's pricing gives for its request and
	/// response.
	WorkMismatch,
	/// The committed total work is not the tree's sum: the proof reaches the root's hash with
	/// another sum.
	TotalMismatch,
}

/// One failed sample of a verdict.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Failure {
	/// The sample `r` (not the leaf index: the chain derives that from the seed).
	pub sample: u32,
	/// Why it failed.
	pub kind: FailureKind,
}

/// A re-checker's verdict on its share of a batch's samples.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Verdict {
	/// How many samples it checked: exactly the number assigned to it.
	pub checked: u32,
	/// The samples that failed, by strictly increasing sample number.
	pub failures: BoundedVec<Failure, ConstU32<MAX_SAMPLES_PER_RECHECKER>>,
}

/// The seed of batch `batch` from randomness unknown when it was committed.
pub fn batch_seed(randomness: &[u8], batch: BatchId) -> [u8; 32] {
	blake2_256(&[randomness, &batch.to_le_bytes()])
}

fn u64_of(hash: &[u8; 32]) -> u64 {
	let mut bytes = [0u8; 8];
	bytes.copy_from_slice(hash.get(..8).unwrap_or(&[0; 8]));
	u64::from_le_bytes(bytes)
}

/// `m`: how many leaves of a batch of `leaf_count` leaves are sampled at the miner's sampling
/// rate `p(R)`: `max(1, ⌈p·leaf_count⌉)`, every leaf while on probation; at most `max_samples`
/// and never more than the batch has.
pub fn sample_count(rate: Perbill, leaf_count: u32, on_probation: bool, max_samples: u32) -> u32 {
	let wanted = if on_probation { leaf_count } else { rate.mul_ceil(leaf_count).max(1) };
	wanted.min(max_samples).min(leaf_count).max(1)
}

/// The leaf that sample `r` of a batch with `seed` and `leaf_count` leaves re-checks.
pub fn sample_leaf(seed: &[u8; 32], r: u32, leaf_count: u32) -> u32 {
	let draw = u64_of(&blake2_256(&[seed, b"leaf", &r.to_le_bytes()]));
	// The remainder is below `leaf_count`, a `u32`.
	(draw % u64::from(leaf_count.max(1))) as u32
}

/// `k`: how many re-checkers a batch with `samples` samples gets: 2 while the miner's
/// reputation is below one half, else 1, more where `samples / k` would exceed
/// `max_per_rechecker`; never more than [`MAX_RECHECKERS`] or than there are samples.
pub fn rechecker_count(reputation: Perbill, samples: u32, max_per_rechecker: u32) -> u32 {
	let base = if reputation < Perbill::from_percent(50) { 2 } else { 1 };
	let needed = samples.div_ceil(max_per_rechecker.max(1));
	base.max(needed).min(MAX_RECHECKERS).min(samples).max(1)
}

/// How many of `samples` samples re-checker position `position` of `k` holds: those `r` with
/// `r mod k = position`.
pub fn samples_of(samples: u32, k: u32, position: u32) -> u32 {
	if k == 0 || position >= k {
		return 0;
	}
	(samples.saturating_sub(position)).div_ceil(k)
}

/// Whether sample `r` belongs to re-checker position `position` of `k`.
pub fn sample_belongs(r: u32, samples: u32, k: u32, position: u32) -> bool {
	k > 0 && r < samples && r % k == position
}

/// Try `attempt` of the draw for re-checker position `position` in round `round`: an index
/// into the neuronet's `active` slots.
pub fn draw_position(seed: &[u8; 32], round: u32, position: u32, attempt: u32, active: u32) -> u32 {
	let draw = u64_of(&blake2_256(&[
		seed,
		b"rechecker",
		&round.to_le_bytes(),
		&position.to_le_bytes(),
		&attempt.to_le_bytes(),
	]));
	(draw % u64::from(active.max(1))) as u32
}

/// The commitment to `verdict` by re-checker `slot` on `batch`.
pub fn verdict_hash(verdict: &Verdict, salt: &[u8; 32], slot: SlotId, batch: BatchId) -> [u8; 32] {
	blake2_256(&[&verdict.encode(), salt, &slot.to_le_bytes(), &batch.to_le_bytes()])
}

/// The work units a neuronet's pricing gives a request: `units_per_input × input_units +
/// units_per_output × output_units`, saturating (each product of two `u32`s fits 64 bits; only
/// their sum can exceed it, and no real request comes near).
pub fn priced_work(input_units: u32, output_units: u32, per_input: u32, per_output: u32) -> u64 {
	(u64::from(input_units) * u64::from(per_input))
		.saturating_add(u64::from(output_units) * u64::from(per_output))
}

#[cfg(test)]
mod tests {
	use super::*;
	use alloc::vec::Vec;

	#[test]
	fn sample_counts_follow_the_rate_and_the_bounds() {
		let p = Perbill::from_percent(7);
		assert_eq!(sample_count(p, 1, false, 64), 1);
		assert_eq!(sample_count(p, 100, false, 64), 7);
		assert_eq!(sample_count(p, 101, false, 64), 8, "rounded up");
		assert_eq!(sample_count(p, 1 << 20, false, 64), 64, "capped");
		assert_eq!(sample_count(Perbill::zero(), 50, false, 64), 1, "at least one");
		assert_eq!(sample_count(p, 30, true, 64), 30, "every leaf on probation");
		assert_eq!(sample_count(p, 300, true, 64), 64, "up to the bound");
	}

	#[test]
	fn rechecker_counts() {
		let low = Perbill::from_percent(10);
		let high = Perbill::from_percent(80);
		assert_eq!(rechecker_count(low, 7, 32), 2);
		assert_eq!(rechecker_count(high, 7, 32), 1);
		assert_eq!(rechecker_count(low, 1, 32), 1, "no more re-checkers than samples");
		assert_eq!(rechecker_count(high, 100, 32), 4, "100 / 32 rounded up");
		assert_eq!(rechecker_count(high, 100_000, 32), MAX_RECHECKERS);
	}

	#[test]
	fn positions_partition_the_samples() {
		for m in 1..40u32 {
			for k in 1..=m.min(MAX_RECHECKERS) {
				let total: u32 = (0..k).map(|j| samples_of(m, k, j)).sum();
				assert_eq!(total, m);
				for j in 0..k {
					let owned = (0..m).filter(|&r| sample_belongs(r, m, k, j)).count() as u32;
					assert_eq!(owned, samples_of(m, k, j));
				}
			}
		}
	}

	#[test]
	fn samples_are_reproducible_and_spread() {
		let seed = batch_seed(&[7; 32], 42);
		let a: Vec<u32> = (0..64).map(|r| sample_leaf(&seed, r, 1000)).collect();
		let b: Vec<u32> = (0..64).map(|r| sample_leaf(&seed, r, 1000)).collect();
		assert_eq!(a, b);
		assert!(a.iter().all(|&i| i < 1000));
		let distinct: alloc::collections::BTreeSet<_> = a.iter().collect();
		assert!(distinct.len() > 55, "64 draws of 1000 rarely collide much");
		assert_ne!(batch_seed(&[7; 32], 43), seed, "the batch id enters the seed");
	}

	#[test]
	fn the_slot_and_batch_enter_the_verdict_hash() {
		let verdict = Verdict { checked: 3, failures: BoundedVec::new() };
		let h = verdict_hash(&verdict, &[1; 32], 5, 9);
		assert_ne!(h, verdict_hash(&verdict, &[1; 32], 6, 9));
		assert_ne!(h, verdict_hash(&verdict, &[1; 32], 5, 10));
		assert_ne!(h, verdict_hash(&verdict, &[2; 32], 5, 9));
		let failing = Verdict {
			checked: 3,
			failures: BoundedVec::truncate_from(alloc::vec![Failure {
				sample: 1,
				kind: FailureKind::WrongOutput
			}]),
		};
		assert_ne!(h, verdict_hash(&failing, &[1; 32], 5, 9));
	}

	#[test]
	fn pricing() {
		assert_eq!(priced_work(12, 1, 1, 1), 13);
		assert_eq!(priced_work(12, 30, 2, 5), 174);
		assert_eq!(
			priced_work(u32::MAX, 0, u32::MAX, 9),
			u64::from(u32::MAX) * u64::from(u32::MAX)
		);
		assert_eq!(priced_work(u32::MAX, u32::MAX, u32::MAX, u32::MAX), u64::MAX, "saturates");
	}

	/// DESIGN §6: a batch with a fraction `f` of corrupted leaves is sampled into at least one
	/// of them at the rate `1 − (1 − f)^m`. Over 4 000 seeds per cell the measured rate is
	/// within four standard errors of the formula.
	#[test]
	fn detection_rate_matches_the_formula() {
		let leaf_count = 1000u32;
		let seeds = 4000u32;
		for &(corrupted, m) in &[(10u32, 10u32), (10, 50), (50, 10), (50, 30), (100, 20)] {
			let f = f64::from(corrupted) / f64::from(leaf_count);
			// Corrupt a spread-out set of leaves; which ones does not matter to a fair sampler.
			let bad = |i: u32| (i.wrapping_mul(7919) % leaf_count) < corrupted;
			let caught = (0..seeds)
				.filter(|&s| {
					let seed = batch_seed(&[3; 32], u64::from(s));
					(0..m).any(|r| bad(sample_leaf(&seed, r, leaf_count)))
				})
				.count();
			let measured = caught as f64 / f64::from(seeds);
			let expected = 1.0 - (1.0 - f).powi(m as i32);
			let error = (expected * (1.0 - expected) / f64::from(seeds)).sqrt();
			assert!(
				(measured - expected).abs() <= 4.0 * error + 1e-9,
				"f = {f}, m = {m}: measured {measured:.4}, formula {expected:.4}"
			);
		}
	}
}
