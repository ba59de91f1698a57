//! JSON RPC methods for the work protocol (DESIGN §11): plain JSON, not SCALE bytes.
//!
//! | method             | params                | result                                         |
//! |--------------------|-----------------------|------------------------------------------------|
//! | `work_assignments` | `[slot, at?]`         | a re-checker's open assignments: batch, root, leaf count, samples, the miner's endpoint, deadlines |
//! | `work_batch`       | `[id, at?]`           | a batch's status, seed, re-checkers and verdicts, or `null` |
//! | `work_slot`        | `[slot, at?]`         | a slot's batches and re-checks so far, or `null` |
//! | `work_epochWork`   | `[slot, epoch?, at?]` | a slot's confirmed work and missed re-checks in an epoch (default: the current one) |
//!
//! `at` is a block hash (default: the best block). Hashes are 0x-hex; work units are numbers.

use std::sync::Arc;

use aetron_primitives::{BlockNumber, OpaqueBlock as Block};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use pallet_work::{
	runtime_api::{AssignmentDetails, BatchDetails, WorkApi},
	Assignment, AssignmentState, BatchStatus, SlotLedger,
};
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;

use crate::neuronets_rpc::{api_error, block, hex, nth, optional_hash, text};

/// The methods, on `client`.
pub fn module<C>(client: Arc<C>) -> Result<RpcModule<Arc<C>>, jsonrpsee::core::RegisterMethodError>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: WorkApi<Block, BlockNumber>,
{
	let mut module = RpcModule::new(client);
	module.register_method("work_assignments", |params, client, _| {
		let slot: u64 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let all = client.runtime_api().assignments(at, slot).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(Value::Array(all.iter().map(assignment_details_json).collect()))
	})?;
	module.register_method("work_batch", |params, client, _| {
		let id: u64 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let batch = client.runtime_api().batch(at, id).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(batch.as_ref().map(batch_json).unwrap_or(Value::Null))
	})?;
	module.register_method("work_slot", |params, client, _| {
		let slot: u64 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let ledger = client.runtime_api().slot_ledger(at, slot).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(ledger.as_ref().map(ledger_json).unwrap_or(Value::Null))
	})?;
	module.register_method("work_epochWork", |params, client, _| {
		let slot: u64 = nth(&params, 0)?;
		let epoch: Option<u32> = nth(&params, 1).ok().flatten();
		let at = block(client, optional_hash(&params, 2)?);
		let api = client.runtime_api();
		let epoch = match epoch {
			Some(e) => e,
			None => api.epoch(at).map_err(api_error)?,
		};
		let w = api.epoch_work(at, slot, epoch).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(json!({
			"slot": slot,
			"epoch": epoch,
			"served": w.served,
			"rechecked": w.rechecked,
			"total": w.total(),
			"missedRechecks": w.missed_rechecks,
		}))
	})?;
	Ok(module)
}

fn state_json(state: &AssignmentState) -> Value {
	match state {
		AssignmentState::Waiting => json!("Waiting"),
		AssignmentState::Committed(hash) => json!({ "Committed": hex(hash) }),
		AssignmentState::Revealed { failures } => json!({ "Revealed": { "failures": failures } }),
		AssignmentState::Missed => json!("Missed"),
	}
}

fn assignment_json(a: &Assignment<BlockNumber>) -> Value {
	json!({
		"rechecker": a.rechecker,
		"round": a.round,
		"commitDeadline": a.commit_deadline,
		"revealDeadline": a.reveal_deadline,
		"state": state_json(&a.state),
	})
}

fn assignment_details_json(d: &AssignmentDetails<BlockNumber>) -> Value {
	json!({
		"batch": d.batch,
		"miner": d.miner,
		"batchNumber": d.batch_number,
		"root": hex(&d.root),
		"totalWork": d.total_work,
		"leafCount": d.leaf_count,
		"samples": d.samples.iter().map(|(r, leaf)| json!({ "sample": r, "leaf": leaf })).collect::<Vec<_>>(),
		"endpoint": text(&d.endpoint),
		"assignment": assignment_json(&d.assignment),
	})
}

fn batch_json(d: &BatchDetails<BlockNumber>) -> Value {
	let b = &d.batch;
	json!({
		"id": d.id,
		"slot": b.slot,
		"neuronet": b.neuronet,
		"batchNumber": b.batch_number,
		"root": hex(&b.root.hash),
		"totalWork": b.root.sum,
		"leafCount": b.leaf_count,
		"epoch": b.epoch,
		"committedAt": b.committed_at,
		"status": match b.status {
			BatchStatus::AwaitingSeed => "AwaitingSeed",
			BatchStatus::Rechecking => "Rechecking",
			BatchStatus::Confirmed => "Confirmed",
			BatchStatus::Disputed => "Disputed",
			BatchStatus::Rejected => "Rejected",
			BatchStatus::Expired => "Expired",
		},
		"seed": b.seed.map(|s| hex(&s)),
		"samples": b.samples,
		"retries": b.retries,
		"confirmedWork": b.confirmed_work,
		"rechecks": b.rechecks.iter().map(assignment_json).collect::<Vec<_>>(),
	})
}

fn ledger_json(l: &SlotLedger) -> Value {
	json!({
		"epoch": l.epoch,
		"commitsInEpoch": l.commits_in_epoch,
		"lastBatchNumber": l.last_batch_number,
		"committed": l.committed,
		"confirmed": l.confirmed,
		"disputed": l.disputed,
		"rechecksDone": l.rechecks_done,
		"rechecksPassed": l.rechecks_passed,
		"rechecksMissed": l.rechecks_missed,
		"openAssignments": l.open_assignments,
	})
}
