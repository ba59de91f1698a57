//! JSON RPC methods for neuronets and slots (DESIGN §11): plain JSON, not SCALE bytes.
//!
//! | method                 | params            | result                                  |
//! |------------------------|-------------------|-----------------------------------------|
//! | `neuronets_list`       | `[at?]`           | every neuronet with its current price   |
//! | `neuronets_get`        | `[id, at?]`       | one neuronet, or `null`                 |
//! | `neuronets_slotsOf`    | `[account, at?]`  | the live slots of a coldkey             |
//! | `neuronets_slot`       | `[id, at?]`       | a slot's status, uptime and reputation  |
//!
//! `at` is a block hash (default: the best block). Accounts are SS58 (prefix 42) or 0x-hex;
//! balances are decimal strings (they exceed JavaScript's safe integers); hashes and
//! fingerprints are 0x-hex; `uptime` and `reputation` are fractions in [0, 1].

use std::sync::Arc;

use aetron_primitives::{AccountId, Balance, BlockNumber, Hash, OpaqueBlock as Block};
use jsonrpsee::{
	types::{ErrorObject, ErrorObjectOwned, Params},
	RpcModule,
};
use pallet_neuronets::{
	runtime_api::{NeuronetDetails, NeuronetsApi, SlotDetails, SlotStatus},
	Attention, DType, Execution, NeuronetStatus, Quantization, ReferenceCheck, SlotState, Task,
};
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
use sp_runtime::Perbill;

/// The methods, on `client`.
pub fn module<C>(client: Arc<C>) -> Result<RpcModule<Arc<C>>, jsonrpsee::core::RegisterMethodError>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: NeuronetsApi<Block, AccountId, Balance, BlockNumber>,
{
	let mut module = RpcModule::new(client);
	module.register_method("neuronets_list", |params, client, _| {
		let at = block(client, optional_hash(&params, 0)?);
		let all = client.runtime_api().neuronets(at).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(Value::Array(all.iter().map(neuronet_json).collect()))
	})?;
	module.register_method("neuronets_get", |params, client, _| {
		let id: u32 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let one = client.runtime_api().neuronet(at, id).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(one.as_ref().map(neuronet_json).unwrap_or(Value::Null))
	})?;
	module.register_method("neuronets_slotsOf", |params, client, _| {
		let account = account(&nth::<String>(&params, 0)?)?;
		let at = block(client, optional_hash(&params, 1)?);
		let slots = client.runtime_api().slots_of(at, account).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(Value::Array(slots.iter().map(slot_json).collect()))
	})?;
	module.register_method("neuronets_slot", |params, client, _| {
		let id: u64 = nth(&params, 0)?;
		let at = block(client, optional_hash(&params, 1)?);
		let slot = client.runtime_api().slot(at, id).map_err(api_error)?;
		Ok::<_, ErrorObjectOwned>(slot.as_ref().map(slot_json).unwrap_or(Value::Null))
	})?;
	Ok(module)
}

pub(crate) fn block<C: HeaderBackend<Block>>(client: &Arc<C>, at: Option<Hash>) -> Hash {
	at.unwrap_or_else(|| client.info().best_hash)
}

pub(crate) fn invalid(message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(jsonrpsee::types::error::INVALID_PARAMS_CODE, message.into(), None::<()>)
}

pub(crate) fn api_error(e: sp_api::ApiError) -> ErrorObjectOwned {
	ErrorObject::owned(
		jsonrpsee::types::error::INTERNAL_ERROR_CODE,
		format!("runtime API: {e}"),
		None::<()>,
	)
}

pub(crate) fn nth<T: serde::de::DeserializeOwned>(
	params: &Params,
	index: usize,
) -> Result<T, ErrorObjectOwned> {
	let all: Vec<Value> = params.parse().map_err(|_| invalid("params must be an array"))?;
	let value = all.get(index).cloned().ok_or_else(|| invalid(format!("param {index} missing")))?;
	serde_json::from_value(value).map_err(|e| invalid(format!("param {index}: {e}")))
}

pub(crate) fn optional_hash(
	params: &Params,
	index: usize,
) -> Result<Option<Hash>, ErrorObjectOwned> {
	let all: Vec<Value> = params.parse().unwrap_or_default();
	match all.get(index) {
		None | Some(Value::Null) => Ok(None),
		Some(v) => serde_json::from_value(v.clone())
			.map(Some)
			.map_err(|e| invalid(format!("block hash: {e}"))),
	}
}

pub(crate) fn account(text: &str) -> Result<AccountId, ErrorObjectOwned> {
	if let Some(hex) = text.strip_prefix("0x") {
		let bytes: [u8; 32] = sp_core::bytes::from_hex(hex)
			.ok()
			.and_then(|b| b.try_into().ok())
			.ok_or_else(|| invalid("an account in hex is 32 bytes"))?;
		return Ok(AccountId::from(bytes));
	}
	AccountId::from_ss58check(text).map_err(|e| invalid(format!("account: {e:?}")))
}

pub(crate) fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(42))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
	sp_core::bytes::to_hex(bytes, false)
}

pub(crate) fn fraction(p: Perbill) -> f64 {
	f64::from(p.deconstruct()) / 1e9
}

pub(crate) fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

fn neuronet_json(d: &NeuronetDetails<AccountId, Balance, BlockNumber>) -> Value {
	let n = &d.neuronet;
	let spec = &n.spec;
	let e = &spec.economics;
	json!({
		"id": d.id,
		"name": text(&spec.name),
		"owner": ss58(&n.owner),
		"status": match n.status {
			NeuronetStatus::Active => "Active",
			NeuronetStatus::Paused => "Paused",
			NeuronetStatus::Retired => "Retired",
		},
		"deposit": n.deposit.to_string(),
		"created": n.created,
		"liveSlots": n.live_slots,
		"task": match spec.task { Task::Embedding => "Embedding", Task::TextGeneration => "TextGeneration" },
		"model": {
			"weightsHash": hex(&spec.model.weights_hash),
			"configHash": hex(&spec.model.config_hash),
			"tokenizerHash": hex(&spec.model.tokenizer_hash),
			"minMemoryMib": spec.model.min_memory_mib,
			"execution": execution_json(&spec.model.execution),
		},
		"economics": {
			"unitsPerInputToken": e.units_per_input_token,
			"unitsPerOutputToken": e.units_per_output_token,
			"feeFloor": e.fee_floor.to_string(),
			"feeCap": e.fee_cap.to_string(),
			"maxSlots": e.max_slots,
		},
		"tolerance": {
			"minIndexOverlap": spec.tolerance.min_index_overlap,
			"maxValueDeviation": fraction(spec.tolerance.max_value_deviation),
			"maxCosineDistance": fraction(spec.tolerance.max_cosine_distance),
		},
		"referenceChecks": spec.reference_checks.iter().map(check_json).collect::<Vec<_>>(),
		"registrationPrice": d.registration_price.to_string(),
		"powDifficulty": d.pow_difficulty.to_string(),
	})
}

/// `{"dtype": "F16", "quantization": "Int8PerBlock", "quantBlock": 32, "attention": "Fused"}`
/// (`quantBlock` only for per-block quantization), in the variants' own names as `task` and
/// `status` are.
fn execution_json(x: &Execution) -> Value {
	let mut value = json!({
		"dtype": match x.dtype { DType::F32 => "F32", DType::F16 => "F16", DType::BF16 => "BF16" },
		"quantization": match x.quantization {
			Quantization::None => "None",
			Quantization::Int8PerTensor => "Int8PerTensor",
			Quantization::Int8PerBlock { .. } => "Int8PerBlock",
		},
		"attention": match x.attention { Attention::Fused => "Fused", Attention::Plain => "Plain" },
	});
	if let Quantization::Int8PerBlock { block } = x.quantization {
		value["quantBlock"] = json!(block);
	}
	value
}

fn check_json(c: &ReferenceCheck) -> Value {
	use codec::Encode;
	json!({
		"input": text(&c.input),
		"inputHash": hex(&sp_io::hashing::blake2_256(&c.input)),
		"maxTokens": c.max_tokens,
		"expected": hex(&c.expected.encode()),
	})
}

fn slot_json(d: &SlotDetails<AccountId, BlockNumber>) -> Value {
	let status = match d.status {
		SlotStatus::Pending => "Pending",
		SlotStatus::Active => "Active",
		SlotStatus::Deregistered => "Deregistered",
	};
	let mut v = json!({
		"id": d.id,
		"status": status,
		"uptime": fraction(d.uptime),
		"reputation": fraction(d.reputation),
	});
	if let Some(s) = &d.slot {
		debug_assert_eq!(s.state == SlotState::Active, d.status == SlotStatus::Active);
		v["neuronet"] = json!(s.neuronet);
		v["coldkey"] = json!(ss58(&s.coldkey));
		v["hotkey"] = json!(ss58(&s.hotkey));
		v["endpoint"] = json!(text(&s.endpoint));
		v["registered"] = json!(s.registered);
		v["lastHeartbeat"] = json!(s.last_heartbeat);
		v["heartbeats"] = json!(s.heartbeats);
		v["benchmarkUnitsPerSecond"] = json!(s.benchmark.units_per_second);
	}
	v
}
