//! JSON RPC methods for arbitration (DESIGN §7, §11): plain JSON, not SCALE bytes.
//!
//! | method                   | params              | result                                  |
//! |--------------------------|---------------------|-----------------------------------------|
//! | `arbitration_disputesOf` | `[slot, at?]`       | the disputes a slot is in (as miner, challenger or arbiter), with phase, deadlines, panel and the miner's endpoint |
//! | `arbitration_dispute`    | `[id, at?]`         | one dispute, or `null`                  |
//! | `arbitration_answer`     | `[id, at?]`         | the leaf a miner posted, in the shape of the worker's artefact endpoint (`/aetron/v1/artefacts/{batch}/{index}`), or `null` |
//! | `arbitration_forfeit`    | `[slot, epoch, at?]`| whether the slot forfeited the epoch, and the bounty owed from it |
//!
//! `at` is a block hash (default: the best block). Hashes are 0x-hex; balances are decimal
//! strings of plancks (they exceed JSON's safe integers).

use std::sync::Arc;

use aetron_primitives::{
	arbitration::LeafAnswer, merkle::SumNode, AccountId, Balance, BlockNumber, OpaqueBlock as Block,
};
use base64::Engine;
use codec::Encode;
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use pallet_arbitration::{
	runtime_api::{ArbitrationApi, DisputeDetails},
	Phase, Role, Ruling, VoteState,
};
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;

use crate::neuronets_rpc::{api_error, block, fraction, hex, nth, optional_hash, text};

/// The methods, on `client`.
pub fn module<C>(client: Arc<C>) -> Result<RpcModule<Arc<C>>, jsonrpsee::core::RegisterMethodError>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ArbitrationApi<Block, AccountId, Balance, BlockNumber>,
{
	let mut module = RpcModule::new(client);
	module.register_method("arbitration_disputesOf", |params, client, _| {
		let slot: u64 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let all = client.runtime_api().disputes_of(at, slot).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(Value::Array(all.iter().map(dispute_json).collect()))
	})?;
	module.register_method("arbitration_dispute", |params, client, _| {
		let id: u64 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let d = client.runtime_api().dispute(at, id).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(d.as_ref().map(dispute_json).unwrap_or(Value::Null))
	})?;
	module.register_method("arbitration_answer", |params, client, _| {
		let id: u64 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let api = client.runtime_api();
		let (Some(answer), Some(d)) =
			(api.answer(at, id).map_err(api_error)?, api.dispute(at, id).map_err(api_error)?)
		else {
			return Ok::<_, ErrorObjectOwned>(Value::Null);
		};
		Ok(answer_json(&answer, &d))
	})?;
	module.register_method("arbitration_forfeit", |params, client, _| {
		let slot: u64 = nth(&params, 0)?;
		let epoch: u32 = nth(&params, 1)?;
		let at = block(client, optional_hash(&params, 2)?);
		let f = client.runtime_api().forfeit(at, slot, epoch).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(json!({
			"slot": slot,
			"epoch": epoch,
			"forfeited": f.is_some(),
			"bounty": f.and_then(|f| f.bounty).map(|(to, share)| json!({
				"to": to.to_string(),
				"share": fraction(share),
			})),
		}))
	})?;
	Ok(module)
}

fn node_json(n: &SumNode) -> Value {
	json!({ "hash": hex(&n.hash), "sum": n.sum })
}

fn role_name(role: Role) -> &'static str {
	match role {
		Role::Miner => "Miner",
		Role::Challenger => "Challenger",
		Role::Arbiter => "Arbiter",
	}
}

fn ruling_name(ruling: Ruling) -> &'static str {
	match ruling {
		Ruling::MinerLost => "MinerLost",
		Ruling::ChallengerLost => "ChallengerLost",
		Ruling::NoFault => "NoFault",
		Ruling::Cured => "Cured",
	}
}

fn phase_json(phase: &Phase<BlockNumber>) -> Value {
	match phase {
		Phase::Answering { deadline } => json!({ "Answering": { "deadline": deadline } }),
		Phase::Drawing { since } => json!({ "Drawing": { "since": since } }),
		Phase::Voting { commit_deadline, reveal_deadline } => json!({
			"Voting": { "commitDeadline": commit_deadline, "revealDeadline": reveal_deadline }
		}),
		Phase::Decided { ruling, honest, guilty, at } => json!({
			"Decided": { "ruling": ruling_name(*ruling), "honest": honest, "guilty": guilty, "at": at }
		}),
	}
}

fn vote_json(vote: &VoteState) -> Value {
	match vote {
		VoteState::Waiting => json!("Waiting"),
		VoteState::Committed(hash) => json!({ "Committed": hex(hash) }),
		VoteState::Revealed(v) => json!({
			"Revealed": { "minerHonest": v.miner_honest, "digest": hex(&v.digest) }
		}),
		VoteState::Left => json!("Left"),
	}
}

fn dispute_json(details: &DisputeDetails<AccountId, Balance, BlockNumber>) -> Value {
	let d = &details.dispute;
	json!({
		"id": details.id,
		"role": details.role.map(role_name),
		"endpoint": text(&details.endpoint),
		"batch": d.batch,
		"epoch": d.epoch,
		"neuronet": d.neuronet,
		"batchNumber": d.batch_number,
		"root": node_json(&d.root),
		"leafCount": d.leaf_count,
		"sample": d.sample,
		"leafIndex": d.leaf_index,
		"kind": format!("{:?}", d.kind),
		"miner": d.miner,
		"minerColdkey": d.miner_coldkey.to_string(),
		"challenger": d.challenger,
		"challengerColdkey": d.challenger_coldkey.to_string(),
		"bond": d.bond.to_string(),
		"openedAt": d.opened_at,
		"phase": phase_json(&d.phase),
		"leafWork": d.leaf_work,
		"panel": d.panel.iter().map(|s| json!({ "slot": s.slot, "vote": vote_json(&s.vote) })).collect::<Vec<_>>(),
		"timer": d.timer,
	})
}

/// The posted leaf in the artefact endpoint's shape, so an arbiter reads it the same way.
fn answer_json(a: &LeafAnswer, details: &DisputeDetails<AccountId, Balance, BlockNumber>) -> Value {
	let d = &details.dispute;
	let b64 = base64::engine::general_purpose::STANDARD;
	json!({
		"batch": d.batch_number,
		"index": d.leaf_index,
		"leaf_count": d.leaf_count,
		"root": node_json(&d.root),
		"leaf": node_json(&a.artefact.leaf(d.leaf_index)),
		"proof": a.proof.iter().map(node_json).collect::<Vec<_>>(),
		"artefact": hex(&a.artefact.encode()),
		"request": b64.encode(&a.request),
		"response": b64.encode(&a.response),
		"signer": a.client.map(|(key, _)| hex(&key)),
		"signature": a.client.map(|(_, signature)| hex(&signature)),
	})
}
