//! The emission and restaking pallets from the worker's side (DESIGN §8, §9): the pot and the
//! parameters, a slot's payouts per epoch, a neuronet's emission, stake and capacity, a
//! staker's positions; claiming a payout and the staking calls.
//!
//! Like [`crate::work`], runtime-API answers are decoded with the pallets' own types.

use anyhow::{Context, Result};
use pallet_emission::{
	runtime_api::{EmissionStatus, SlotPayout},
	NeuronetEpoch,
};
use pallet_restaking::runtime_api::PositionDetails;
use subxt::dynamic;
use subxt_signer::sr25519::Keypair;

use crate::registration::{AccountId, NeuronetId, Registrar};

/// A slot's payout for one epoch, as the runtime API reports it.
pub type Payout = SlotPayout<AccountId>;
/// A staker's position, as the runtime API reports it.
pub type Position = PositionDetails<u32>;

impl Registrar {
	/// The epoch, the pot, the supply figures and the emission parameters.
	pub async fn emission_status(&self) -> Result<EmissionStatus> {
		self.api_call("EmissionApi", "status", ()).await
	}

	/// `slot`'s payouts in every epoch not yet expired, oldest first.
	pub async fn slot_payouts(&self, slot: u64) -> Result<Vec<Payout>> {
		self.api_call("EmissionApi", "slot_payouts", slot).await
	}

	/// A neuronet's emission and totals in an epoch, until the epoch expires.
	pub async fn neuronet_epoch(
		&self,
		epoch: u32,
		neuronet: NeuronetId,
	) -> Result<Option<NeuronetEpoch>> {
		self.api_call("EmissionApi", "neuronet_epoch", (epoch, neuronet)).await
	}

	/// A neuronet's bonded stake and the work units an epoch it backs.
	pub async fn capacity(&self, neuronet: NeuronetId) -> Result<(u128, u64)> {
		self.api_call("EmissionApi", "capacity", neuronet).await
	}

	/// Every position of `who`.
	pub async fn positions_of(&self, who: [u8; 32]) -> Result<Vec<Position>> {
		self.api_call("RestakingApi", "positions_of", AccountId::from(who)).await
	}

	/// Claims `slot`'s payout for `epoch` (anyone may; free when it pays something).
	pub async fn claim(&self, signer: &Keypair, slot: u64, epoch: u32) -> Result<()> {
		let tx = dynamic::transaction("Emission", "claim", (slot, epoch));
		self.submit_in_block(signer, &tx).await.context("claim")?;
		Ok(())
	}

	/// Bonds `amount` plancks of `coldkey`'s to `neuronet`.
	pub async fn stake(&self, coldkey: &Keypair, neuronet: NeuronetId, amount: u128) -> Result<()> {
		let tx = dynamic::transaction("Restaking", "stake", (neuronet, amount));
		self.submit_in_block(coldkey, &tx).await.context("stake")?;
		Ok(())
	}

	/// Starts unbonding `amount` plancks of `coldkey`'s stake in `neuronet`.
	pub async fn unstake(
		&self,
		coldkey: &Keypair,
		neuronet: NeuronetId,
		amount: u128,
	) -> Result<()> {
		let tx = dynamic::transaction("Restaking", "unstake", (neuronet, amount));
		self.submit_in_block(coldkey, &tx).await.context("unstake")?;
		Ok(())
	}

	/// Releases `coldkey`'s unbonded stake in `neuronet`.
	pub async fn withdraw_unbonded(&self, coldkey: &Keypair, neuronet: NeuronetId) -> Result<()> {
		let tx = dynamic::transaction("Restaking", "withdraw_unbonded", (neuronet,));
		self.submit_in_block(coldkey, &tx).await.context("withdraw_unbonded")?;
		Ok(())
	}

	/// Pays `coldkey`'s staking rewards in `neuronet`.
	pub async fn claim_staking(&self, coldkey: &Keypair, neuronet: NeuronetId) -> Result<()> {
		let tx = dynamic::transaction("Restaking", "claim_staking", (neuronet,));
		self.submit_in_block(coldkey, &tx).await.context("claim_staking")?;
		Ok(())
	}

	/// Bonds `coldkey`'s staking rewards in `neuronet` into it.
	pub async fn restake_rewards(&self, coldkey: &Keypair, neuronet: NeuronetId) -> Result<()> {
		let tx = dynamic::transaction("Restaking", "restake_rewards", (neuronet,));
		self.submit_in_block(coldkey, &tx).await.context("restake_rewards")?;
		Ok(())
	}
}

/// Plancks as AET, for people.
pub fn aet(plancks: u128) -> f64 {
	plancks as f64 / 1e12
}

/// An amount of AET (a decimal, up to 12 places) in plancks.
pub fn plancks(aet: &str) -> Result<u128> {
	let (whole, fraction) = aet.trim().split_once('.').unwrap_or((aet.trim(), ""));
	anyhow::ensure!(
		!whole.is_empty() || !fraction.is_empty(),
		"an amount of AET is a number such as 12.5"
	);
	anyhow::ensure!(fraction.len() <= 12, "AET has 12 decimals");
	let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
	anyhow::ensure!(digits(whole) && digits(fraction), "{aet:?} is not an amount of AET");
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse()? };
	let fraction: u128 = format!("{fraction:0<12}").parse()?;
	whole
		.checked_mul(1_000_000_000_000)
		.and_then(|w| w.checked_add(fraction))
		.context("the amount is too large")
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_of_aet_parse_to_the_planck() {
		assert_eq!(plancks("1").unwrap(), 1_000_000_000_000);
		assert_eq!(plancks("12.5").unwrap(), 12_500_000_000_000);
		assert_eq!(plancks("0.000000000001").unwrap(), 1);
		assert_eq!(plancks(".5").unwrap(), 500_000_000_000);
		for bad in ["", "-1", "1.0000000000001", "1e3", "abc", "."] {
			assert!(plancks(bad).is_err(), "{bad}");
		}
	}
}
