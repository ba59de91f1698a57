//! JSON RPC methods for emission and restaking (DESIGN §8, §9, §11): plain JSON, not SCALE
//! bytes.
//!
//! | method                     | params                  | result                                  |
//! |----------------------------|-------------------------|-----------------------------------------|
//! | `emission_status`          | `[at?]`                 | the epoch, the pot, what was minted, genesis issuance, the parameters |
//! | `emission_epoch`           | `[epoch, at?]`          | an epoch's emission (minted, to validators, pot, distributed, stake), or `null` once expired |
//! | `emission_neuronetEpoch`   | `[epoch, neuronet, at?]`| a neuronet's emission in an epoch (miners' pool, stakers, owner, capacity, work, Σ score, paid), or `null` |
//! | `emission_slotPayouts`     | `[slot, at?]`           | a slot's payout per epoch not yet expired, with its score and state |
//! | `emission_capacity`        | `[neuronet, at?]`       | a neuronet's bonded stake and the work units an epoch it backs |
//! | `restaking_positionsOf`    | `[account, at?]`        | a staker's positions: stake, pending rewards, unbonding chunks |
//! | `restaking_pool`           | `[neuronet, at?]`       | a neuronet's pool (stake, reward per share, owed), or `null` |
//!
//! `at` is a block hash (default: the best block); accounts are SS58 or 0x-hex. Balances and
//! scores are decimal strings (they exceed JSON's safe integers); shares are fractions.

use std::sync::Arc;

use aetron_primitives::{AccountId, BlockNumber, OpaqueBlock as Block};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use pallet_emission::{
	runtime_api::{EmissionApi, PayoutState, SlotPayout},
	EmissionParams, EpochSummary, NeuronetEpoch,
};
use pallet_restaking::runtime_api::RestakingApi;
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;

use crate::neuronets_rpc::{account, api_error, block, fraction, nth, optional_hash, ss58};

/// The methods, on `client`.
pub fn module<C>(client: Arc<C>) -> Result<RpcModule<Arc<C>>, jsonrpsee::core::RegisterMethodError>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: EmissionApi<Block, AccountId> + RestakingApi<Block, AccountId, BlockNumber>,
{
	let mut module = RpcModule::new(client);
	module.register_method("emission_status", |params, client, _| {
		let at = block(client, optional_hash(&params, 0)?);
		let s = client.runtime_api().status(at).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(json!({
			"epoch": s.epoch,
			"pot": s.pot.to_string(),
			"minted": s.minted.to_string(),
			"genesisIssuance": s.genesis_issuance.to_string(),
			"params": params_json(&s.params),
		}))
	})?;
	module.register_method("emission_epoch", |params, client, _| {
		let epoch: u32 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let s = client.runtime_api().epoch_summary(at, epoch).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(s.as_ref().map(summary_json).unwrap_or(Value::Null))
	})?;
	module.register_method("emission_neuronetEpoch", |params, client, _| {
		let epoch: u32 = nth(&params, 0)?;
		let neuronet: u32 = nth(&params, 1)?;
		let at = block(client, optional_hash(&params, 2)?);
		let ne = client.runtime_api().neuronet_epoch(at, epoch, neuronet).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(ne.as_ref().map(neuronet_epoch_json).unwrap_or(Value::Null))
	})?;
	module.register_method("emission_slotPayouts", |params, client, _| {
		let slot: u64 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let all = client.runtime_api().slot_payouts(at, slot).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(Value::Array(all.iter().map(payout_json).collect()))
	})?;
	module.register_method("emission_capacity", |params, client, _| {
		let neuronet: u32 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let (stake, capacity) = client.runtime_api().capacity(at, neuronet).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(json!({
			"neuronet": neuronet,
			"stake": stake.to_string(),
			"capacity": capacity,
		}))
	})?;
	module.register_method("restaking_positionsOf", |params, client, _| {
		let who = account(&nth::<String>(&params, 0)?)?;
		let at = block(client, optional_hash(&params, 1)?);
		let all = client.runtime_api().positions_of(at, who).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(Value::Array(
			all.iter()
				.map(|p| {
					json!({
						"neuronet": p.neuronet,
						"stake": p.stake.to_string(),
						"pendingRewards": p.pending_rewards.to_string(),
						"unbonding": p.unbonding.iter().map(|(amount, until)| json!({
							"amount": amount.to_string(),
							"until": until,
						})).collect::<Vec<_>>(),
					})
				})
				.collect(),
		))
	})?;
	module.register_method("restaking_pool", |params, client, _| {
		let neuronet: u32 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let pool = client.runtime_api().pool(at, neuronet).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(pool.map_or(Value::Null, |p| {
			json!({
				"neuronet": neuronet,
				"stake": p.stake.to_string(),
				"rewardPerShare": p.reward_per_share.to_string(),
				"owed": p.owed.to_string(),
				"positions": p.positions,
			})
		}))
	})?;
	Ok(module)
}

fn params_json(p: &EmissionParams) -> Value {
	json!({
		"initialBlockReward": p.initial_block_reward.to_string(),
		"halvingInterval": p.halving_interval,
		"supplyCap": p.supply_cap.to_string(),
		"validatorShare": fraction(p.validator_share),
		"minerShare": fraction(p.miner_share),
		"stakerShare": fraction(p.staker_share),
		"ownerShare": fraction(p.owner_share),
		"maxNeuronetShare": fraction(p.max_neuronet_share),
		"capacityPerStake": p.capacity_per_stake,
		"fullUptimeHeartbeats": p.full_uptime_heartbeats,
		"settlementDelay": p.settlement_delay,
		"claimWindow": p.claim_window,
		"maxExpiriesPerBlock": p.max_expiries_per_block,
	})
}

fn summary_json(s: &EpochSummary) -> Value {
	json!({
		"minted": s.minted.to_string(),
		"toValidators": s.to_validators.to_string(),
		"pot": s.pot.to_string(),
		"distributed": s.distributed.to_string(),
		"stake": s.stake.to_string(),
	})
}

fn neuronet_epoch_json(ne: &NeuronetEpoch) -> Value {
	json!({
		"stake": ne.stake.to_string(),
		"capacity": ne.capacity,
		"emission": ne.emission.to_string(),
		"minerPool": ne.miner_pool.to_string(),
		"toStakers": ne.to_stakers.to_string(),
		"toOwner": ne.to_owner.to_string(),
		"work": ne.work,
		"score": ne.score.to_string(),
		"earned": ne.earned().to_string(),
		"paid": ne.paid.to_string(),
	})
}

fn state_name(state: PayoutState) -> &'static str {
	match state {
		PayoutState::Pending => "Pending",
		PayoutState::Claimable => "Claimable",
		PayoutState::Claimed => "Claimed",
		PayoutState::Forfeited => "Forfeited",
		PayoutState::Expired => "Expired",
	}
}

fn payout_json(p: &SlotPayout<AccountId>) -> Value {
	let r = &p.record;
	json!({
		"epoch": p.epoch,
		"neuronet": r.neuronet,
		"coldkey": ss58(&r.coldkey),
		"work": r.work,
		"heartbeats": r.heartbeats,
		"weight": fraction(r.weight),
		"score": r.score.to_string(),
		"missedRechecks": r.missed_rechecks,
		"claimed": r.claimed,
		"amount": p.amount.to_string(),
		"state": state_name(p.state),
		"settled": p.settled,
		"neuronetEpoch": neuronet_epoch_json(&p.neuronet),
	})
}
