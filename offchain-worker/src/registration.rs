//! The neuronets pallet from the worker's side (DESIGN §3): reading neuronets and slots,
//! registration by fee or by proof of work, reference checks, heartbeats, and creating a
//! neuronet.
//!
//! Calls go through subxt's dynamic API against the node's metadata, so the worker needs no
//! generated bindings. Arguments and answers whose types the pallet defines (a neuronet's spec,
//! fingerprints, the runtime API's records) are SCALE-encoded and decoded with the pallet's own
//! types, so worker and runtime cannot disagree about them. The proof of work is the seal of DESIGN §3,
//! `blake2_256(SCALE(neuronet, hotkey, block_hash, nonce))` read as a big-endian number, searched
//! on every core against the difficulty the runtime reports for the current block.

use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use codec::{Decode, Encode};
use pallet_neuronets::{
	runtime_api::{NeuronetDetails, SlotDetails},
	Benchmark, NeuronetSpec,
};
use subxt::{
	config::RpcConfigFor,
	dynamic,
	rpcs::{methods::LegacyRpcMethods, RpcClient},
	OnlineClient, SubstrateConfig,
};
use subxt_signer::sr25519::Keypair;

use crate::inference::fingerprint::Fingerprint;

/// A neuronet's id.
pub type NeuronetId = u32;
/// An account id as the runtime stores it.
pub type AccountId = sp_core::crypto::AccountId32;
/// A neuronet as the runtime API reports it.
pub type NeuronetInfo = NeuronetDetails<AccountId, u128, u32>;
/// A slot as the runtime API reports it.
pub type SlotInfo = SlotDetails<AccountId, u32>;

/// A client for the neuronets pallet (and, in [`crate::work`], the work pallet).
pub struct Registrar {
	pub(crate) api: OnlineClient<SubstrateConfig>,
	pub(crate) rpc: LegacyRpcMethods<RpcConfigFor<SubstrateConfig>>,
	/// The next nonce of each signer this client handed a transaction to the pool for, and
	/// when. Locked while a transaction is signed and handed over, so the loops that share a
	/// hotkey (heartbeats, commits, verdicts, votes) never sign two with the same nonce.
	nonces: tokio::sync::Mutex<HashMap<[u8; 32], (u64, Instant)>>,
}

/// A transaction handed to the pool, as its status stream.
type Progress = subxt::transactions::TransactionProgress<
	SubstrateConfig,
	subxt::client::OnlineClientAtBlockImpl<SubstrateConfig>,
>;

/// How long a nonce this client handed out may run ahead of the node's count: longer than the
/// pool takes to count a transaction it accepted, short enough that a transaction lost without
/// an error stalls the signer's next ones only briefly.
const LOCAL_NONCE_TTL: Duration = Duration::from_secs(60);

/// How many blocks' time [`Registrar::submit_in_block`] waits for its transaction's block:
/// more than a verdict's or vote's reveal window under `fast-runtime`. A transaction given up
/// on may still land; the loops re-read the chain, and a repeat of one that landed is refused.
const IN_BLOCK_WAIT: u32 = 10;

/// How many blocks' time [`Registrar::submit_and_watch`] waits for its transaction to be
/// finalized: GRANDPA finalizes within a few blocks, so this is a stall or a lost transaction.
/// Giving up is safe for each caller. Heartbeats and commits are sent again by their loops (the
/// commit loop first asks the chain for the slot's last batch). `mine` stops, and on its next
/// start finds a registration that did land by its hotkey (the pallet refuses a second one,
/// `HotkeyTaken`) and skips reference checks for a slot already `Active`. A person who ran
/// `neuronet create` is told to look before running it again.
const FINALIZED_WAIT: u32 = 50;

/// A call argument that is already SCALE-encoded by the pallet's own type.
pub(crate) struct Scale(pub(crate) Vec<u8>);

impl subxt::ext::scale_encode::EncodeAsType for Scale {
	fn encode_as_type_to<R: subxt::ext::scale_type_resolver::TypeResolver>(
		&self,
		_type_id: R::TypeId,
		_types: &R,
		out: &mut Vec<u8>,
	) -> Result<(), subxt::ext::scale_encode::Error> {
		out.extend_from_slice(&self.0);
		Ok(())
	}
}

/// A registered slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registered {
	/// The slot's id.
	pub slot: u64,
	/// The fee burned, or 0 for a proof of work.
	pub fee: u128,
	/// The difficulty of the proof of work, if it paid.
	pub pow_difficulty: Option<u64>,
}

#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct SlotRegistered {
	slot: u64,
	neuronet: u32,
	coldkey: [u8; 32],
	hotkey: [u8; 32],
	payment: Payment,
}

#[derive(Debug, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
enum Payment {
	Fee(u128),
	Pow(u64),
}

/// The seal a proof of work is judged by.
pub fn seal(
	neuronet: NeuronetId,
	hotkey: &[u8; 32],
	block_hash: &[u8; 32],
	nonce: u64,
) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(&(neuronet, hotkey, block_hash, nonce).encode())
}

/// Whether a seal meets `difficulty` (`seal ≤ U256::MAX / difficulty`, big-endian).
pub fn seal_meets(seal: &[u8; 32], difficulty: u64) -> bool {
	sp_core::U256::from_big_endian(seal)
		<= sp_core::U256::MAX / sp_core::U256::from(difficulty.max(1))
}

/// Searches nonces on `threads` threads until one meets `difficulty` or `stop` is set. Reports
/// the hashes tried through `hashes`.
pub fn solve(
	neuronet: NeuronetId,
	hotkey: [u8; 32],
	block_hash: [u8; 32],
	difficulty: u64,
	threads: usize,
	hashes: &AtomicU64,
	stop: &AtomicBool,
) -> Option<u64> {
	let found = AtomicU64::new(u64::MAX);
	std::thread::scope(|scope| {
		for t in 0..threads.max(1) as u64 {
			let found = &found;
			scope.spawn(move || {
				let mut nonce = t;
				let mut batch = 0u64;
				while found.load(Ordering::Relaxed) == u64::MAX && !stop.load(Ordering::Relaxed) {
					if seal_meets(&seal(neuronet, &hotkey, &block_hash, nonce), difficulty) {
						found.fetch_min(nonce, Ordering::Relaxed);
					}
					nonce = nonce.wrapping_add(threads as u64);
					batch += 1;
					if batch == 1024 {
						hashes.fetch_add(batch, Ordering::Relaxed);
						batch = 0;
					}
				}
				hashes.fetch_add(batch, Ordering::Relaxed);
			});
		}
	});
	Some(found.load(Ordering::Relaxed)).filter(|&n| n != u64::MAX)
}

impl Registrar {
	/// Connects to a node.
	pub async fn connect(url: &str) -> Result<Self> {
		let client = RpcClient::from_insecure_url(url)
			.await
			.with_context(|| format!("cannot connect to the node at {url}"))?;
		let api = OnlineClient::<SubstrateConfig>::from_rpc_client(client.clone())
			.await
			.with_context(|| format!("cannot read the chain at {url}"))?;
		Ok(Self { api, rpc: LegacyRpcMethods::new(client), nonces: Default::default() })
	}

	/// Calls the runtime API method `{api}_{method}` at the best block and decodes the answer
	/// with the pallet's own type (every pallet's client module goes through here).
	pub(crate) async fn api_call<R: Decode>(
		&self,
		api: &str,
		method: &str,
		args: impl Encode,
	) -> Result<R> {
		let name = format!("{api}_{method}");
		let bytes = self
			.rpc
			.state_call(&name, Some(&args.encode()), None)
			.await
			.with_context(|| name.clone())?;
		R::decode(&mut &bytes[..]).with_context(|| format!("decoding {name}"))
	}

	/// Calls `NeuronetsApi_{method}`.
	async fn runtime_api<R: Decode>(&self, method: &str, args: impl Encode) -> Result<R> {
		self.api_call("NeuronetsApi", method, args).await
	}

	/// Every neuronet with its current price and difficulty.
	pub async fn neuronets(&self) -> Result<Vec<NeuronetInfo>> {
		self.runtime_api("neuronets", ()).await
	}

	/// One neuronet.
	pub async fn neuronet(&self, id: NeuronetId) -> Result<Option<NeuronetInfo>> {
		self.runtime_api("neuronet", id).await
	}

	/// One slot, with its status, uptime and reputation.
	pub async fn slot(&self, id: u64) -> Result<Option<SlotInfo>> {
		self.runtime_api("slot", id).await
	}

	/// The slots a coldkey holds.
	pub async fn slots_of(&self, coldkey: [u8; 32]) -> Result<Vec<SlotInfo>> {
		self.runtime_api("slots_of", AccountId::from(coldkey)).await
	}

	/// The slot `hotkey` holds in `neuronet`, if any.
	pub async fn slot_of_hotkey(
		&self,
		neuronet: NeuronetId,
		hotkey: [u8; 32],
	) -> Result<Option<u64>> {
		let address = dynamic::storage::<(u32, [u8; 32]), u64>("Neuronets", "SlotByHotkey");
		let at = self.api.at_current_block().await?;
		let value = at.storage().try_fetch(address, (neuronet, hotkey)).await?;
		value.map(|v| v.decode()).transpose().map_err(Into::into)
	}

	/// The neuronets pallet's parameters in force (governance may change them).
	pub async fn neuronets_params(&self) -> Result<pallet_neuronets::NeuronetsParams<u128>> {
		let at = self.api.at_current_block().await?;
		// A plain storage value's key: the pallet's and the item's twox-128 hashes.
		let key =
			[sp_crypto_hashing::twox_128(b"Neuronets"), sp_crypto_hashing::twox_128(b"Params")]
				.concat();
		let bytes = at.storage().fetch_raw(key).await.context("Neuronets.Params")?;
		Ok(Decode::decode(&mut &bytes[..])?)
	}

	/// The heartbeat period in force, in blocks.
	pub async fn heartbeat_period(&self) -> Result<u32> {
		Ok(self.neuronets_params().await?.heartbeat_period)
	}

	/// Creates a neuronet owned (and paid for) by `owner`; returns its id.
	pub async fn create_neuronet(
		&self,
		owner: &Keypair,
		spec: &NeuronetSpec<u128>,
	) -> Result<NeuronetId> {
		let tx = dynamic::transaction("Neuronets", "create_neuronet", (Scale(spec.encode()),));
		let events = self.submit_and_watch(owner, &tx).await.context("create_neuronet")?;
		for event in events.iter().filter_map(Result::ok) {
			if event.pallet_name() == "Neuronets" && event.event_name() == "NeuronetCreated" {
				let (id, _, _) = event.decode_fields_unchecked_as::<(u32, [u8; 32], u128)>()?;
				return Ok(id);
			}
		}
		bail!("create_neuronet went through without a NeuronetCreated event")
	}

	/// Reports the reference checks' fingerprints and the benchmark for `slot`, signed by its
	/// hotkey (free when they pass).
	pub async fn submit_reference_checks(
		&self,
		hotkey: &Keypair,
		slot: u64,
		results: &[Fingerprint],
		benchmark: Benchmark,
	) -> Result<()> {
		let tx = dynamic::transaction(
			"Neuronets",
			"submit_reference_checks",
			(slot, Scale(results.to_vec().encode()), Scale(benchmark.encode())),
		);
		self.submit_and_watch(hotkey, &tx).await.context("submit_reference_checks")?;
		Ok(())
	}

	/// The fee a registration in `neuronet` costs now (None: no such neuronet).
	pub async fn price(&self, neuronet: NeuronetId) -> Result<Option<u128>> {
		let call = dynamic::runtime_api_call::<_, Option<u128>>(
			"NeuronetsApi",
			"registration_price",
			(neuronet,),
		);
		Ok(self.api.at_current_block().await?.runtime_apis().call(call).await?)
	}

	/// The proof-of-work difficulty in `neuronet` now (None: no such neuronet).
	pub async fn difficulty(&self, neuronet: NeuronetId) -> Result<Option<u64>> {
		let call = dynamic::runtime_api_call::<_, Option<u64>>(
			"NeuronetsApi",
			"pow_difficulty",
			(neuronet,),
		);
		Ok(self.api.at_current_block().await?.runtime_apis().call(call).await?)
	}

	/// Registers `hotkey` in `neuronet`, paying at most `max_fee` from `coldkey`.
	pub async fn register_by_fee(
		&self,
		coldkey: &Keypair,
		neuronet: NeuronetId,
		hotkey: [u8; 32],
		endpoint: &str,
		max_fee: u128,
	) -> Result<Registered> {
		let tx = dynamic::transaction(
			"Neuronets",
			"register",
			(neuronet, hotkey, endpoint.as_bytes().to_vec(), max_fee),
		);
		self.submit(coldkey, &tx).await
	}

	/// Registers `hotkey` in `neuronet` by proof of work on `threads` threads; `progress` is
	/// called about once a second with the hashes tried so far and the hash rate.
	pub async fn register_by_pow(
		&self,
		coldkey: &Keypair,
		neuronet: NeuronetId,
		hotkey: [u8; 32],
		endpoint: &str,
		threads: usize,
		progress: impl Fn(u64, f64) + Send + Sync + 'static,
	) -> Result<Registered> {
		let progress = Arc::new(progress);
		let total = Arc::new(AtomicU64::new(0));
		loop {
			let at = self.api.at_current_block().await?;
			let (number, hash) = (at.block_number(), at.block_hash());
			let difficulty = self
				.difficulty(neuronet)
				.await?
				.with_context(|| format!("no neuronet {neuronet}"))?;
			let block_hash: [u8; 32] = hash.0;
			// Give up on this block once it is about to be too old (20 blocks on AETRON).
			let stop = Arc::new(AtomicBool::new(false));
			let (stop2, total2, progress2) = (stop.clone(), total.clone(), progress.clone());
			let reporter = tokio::spawn(async move {
				let start = Instant::now();
				let before = total2.load(Ordering::Relaxed);
				for _ in 0..90 {
					tokio::time::sleep(Duration::from_secs(1)).await;
					let done = total2.load(Ordering::Relaxed);
					progress2(done, (done - before) as f64 / start.elapsed().as_secs_f64());
				}
				stop2.store(true, Ordering::Relaxed);
			});
			let (stop3, total3) = (stop.clone(), total.clone());
			let nonce = tokio::task::spawn_blocking(move || {
				solve(neuronet, hotkey, block_hash, difficulty, threads, &total3, &stop3)
			})
			.await?;
			reporter.abort();
			let Some(nonce) = nonce else { continue };
			let tx = dynamic::transaction(
				"Neuronets",
				"register_with_pow",
				(neuronet, hotkey, endpoint.as_bytes().to_vec(), number as u32, nonce),
			);
			return self.submit(coldkey, &tx).await;
		}
	}

	/// Sends a heartbeat for `slot`, signed by its hotkey.
	pub async fn heartbeat(&self, hotkey: &Keypair, slot: u64) -> Result<()> {
		let tx = dynamic::transaction("Neuronets", "heartbeat", (slot,));
		self.submit_and_watch(hotkey, &tx).await.context("heartbeat")?;
		Ok(())
	}

	/// Signs and hands the transaction to the pool, one at a time, with the signer's next
	/// nonce: the node's (`system_accountNextIndex`, which counts transactions in the pool) or,
	/// if higher, the one after the last this client handed over. The node's count can lag a
	/// transaction its pool has just accepted, and a second transaction signed with the same
	/// nonce is refused ("priority too low"); the two loops that send most (commits and
	/// verdicts) did so on the devnet. A failed transaction may have left its nonce unused,
	/// so its caller forgets the local count ([`Self::forget_nonce`]) and the node's is used
	/// again.
	async fn send<Call: subxt::transactions::Payload>(
		&self,
		signer: &Keypair,
		tx: &Call,
	) -> Result<Progress> {
		let mut nonces = self.nonces.lock().await;
		let account = <Keypair as subxt::transactions::Signer<SubstrateConfig>>::account_id(signer);
		let pool = self.rpc.system_account_next_index(&account).await.context("the next nonce")?;
		let nonce = match nonces.get(&account.0) {
			Some(&(local, at)) if at.elapsed() < LOCAL_NONCE_TTL => pool.max(local),
			_ => pool,
		};
		let params = subxt::config::SubstrateExtrinsicParamsBuilder::new().nonce(nonce).build();
		let progress: Result<Progress> = async {
			Ok(self
				.api
				.at_current_block()
				.await?
				.transactions()
				.sign_and_submit_then_watch(tx, signer, params)
				.await?)
		}
		.await;
		match progress {
			Ok(progress) => {
				nonces.insert(account.0, (nonce.saturating_add(1), Instant::now()));
				Ok(progress)
			}
			Err(e) => {
				nonces.remove(&account.0);
				Err(e)
			}
		}
	}

	/// Forgets `signer`'s local nonce after one of its transactions failed: the next one is
	/// signed with the node's count.
	async fn forget_nonce(&self, signer: &Keypair) {
		let account = <Keypair as subxt::transactions::Signer<SubstrateConfig>>::account_id(signer);
		self.nonces.lock().await.remove(&account.0);
	}

	/// Signs, submits and waits until the transaction is finalized and succeeded, for at most
	/// [`FINALIZED_WAIT`] blocks.
	pub(crate) async fn submit_and_watch<Call: subxt::transactions::Payload>(
		&self,
		signer: &Keypair,
		tx: &Call,
	) -> Result<subxt::extrinsics::ExtrinsicEvents<SubstrateConfig>> {
		let progress = self.send(signer, tx).await?;
		let wait = async { Ok::<_, anyhow::Error>(progress.wait_for_finalized_success().await?) };
		self.forget_nonce_unless(signer, give_up_after(FINALIZED_WAIT, "finalized", wait).await)
			.await
	}

	/// Signs, submits and waits until the transaction is in a best block and succeeded: for
	/// verdicts, whose deadlines are a few blocks away and whose state the loops re-read anyway.
	/// It gives up after [`IN_BLOCK_WAIT`] blocks.
	pub(crate) async fn submit_in_block<Call: subxt::transactions::Payload>(
		&self,
		signer: &Keypair,
		tx: &Call,
	) -> Result<subxt::extrinsics::ExtrinsicEvents<SubstrateConfig>> {
		let progress = self.send(signer, tx).await?;
		let wait = Self::in_block(progress);
		self.forget_nonce_unless(signer, give_up_after(IN_BLOCK_WAIT, "in a block", wait).await)
			.await
	}

	/// Passes `outcome` on, forgetting `signer`'s local nonce if it failed: the transaction may
	/// have left its nonce unused.
	async fn forget_nonce_unless<T>(&self, signer: &Keypair, outcome: Result<T>) -> Result<T> {
		if outcome.is_err() {
			self.forget_nonce(signer).await;
		}
		outcome
	}

	/// Waits until the transaction is in a best block and succeeded.
	async fn in_block(
		mut progress: Progress,
	) -> Result<subxt::extrinsics::ExtrinsicEvents<SubstrateConfig>> {
		use subxt::transactions::TransactionStatus;
		while let Some(status) = progress.next().await {
			match status? {
				TransactionStatus::InBestBlock(block)
				| TransactionStatus::InFinalizedBlock(block) => return Ok(block.wait_for_success().await?),
				TransactionStatus::Error { message }
				| TransactionStatus::Invalid { message }
				| TransactionStatus::Dropped { message } => bail!("{message}"),
				_ => continue,
			}
		}
		bail!("the transaction's status stream ended before it was in a block")
	}

	async fn submit<Call: subxt::transactions::Payload>(
		&self,
		signer: &Keypair,
		tx: &Call,
	) -> Result<Registered> {
		let events = self.submit_and_watch(signer, tx).await.context("the registration failed")?;
		for event in events.iter().filter_map(Result::ok) {
			if event.pallet_name() == "Neuronets" && event.event_name() == "SlotRegistered" {
				let e = event.decode_fields_unchecked_as::<SlotRegistered>()?;
				let _ = (e.neuronet, e.coldkey, e.hotkey);
				let (fee, pow_difficulty) = match e.payment {
					Payment::Fee(fee) => (fee, None),
					Payment::Pow(difficulty) => (0, Some(difficulty)),
				};
				return Ok(Registered { slot: e.slot, fee, pow_difficulty });
			}
		}
		bail!("the registration went through without a SlotRegistered event")
	}
}

/// Waits for `wait` for `blocks` blocks' time, and then gives up on it. Without a limit a
/// transaction that never gets a status (one signed behind a nonce that was never used sits in
/// the pool's future queue) would hold its caller, and every loop behind it, forever.
async fn give_up_after<T>(
	blocks: u32,
	what: &str,
	wait: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
	let block = Duration::from_millis(aetron_primitives::time::MILLISECS_PER_BLOCK);
	tokio::time::timeout(block * blocks, wait).await.unwrap_or_else(|_| {
		Err(anyhow::anyhow!(
			"not {what} after {blocks} blocks; it may still land, so look at the chain before \
				 sending it again"
		))
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn a_wait_that_never_ends_is_given_up() {
		let e = give_up_after(0, "finalized", std::future::pending::<Result<()>>()).await;
		assert!(e.unwrap_err().to_string().starts_with("not finalized after 0 blocks"));
	}

	#[tokio::test]
	async fn a_finished_wait_passes_its_outcome_on() {
		assert_eq!(give_up_after(0, "in a block", async { Ok(7) }).await.unwrap(), 7);
		let e = give_up_after(0, "in a block", async { Err::<(), _>(anyhow::anyhow!("Invalid")) });
		assert_eq!(e.await.unwrap_err().to_string(), "Invalid");
	}
}
