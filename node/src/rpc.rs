//! The node's RPC methods beyond Substrate's defaults (chain, state, author, system, offchain):
//! account nonces (`system_accountNextIndex`), fee queries (`payment_*`), BABE's
//! `babe_epochAuthorship` and GRANDPA's `grandpa_*` (round state, finality proofs, justification
//! subscription), the set a polkadot.js user expects of a BABE + GRANDPA chain; and AETRON's
//! own `neuronets_*`, `work_*`, `arbitration_*`, `emission_*` and `restaking_*` methods, which
//! answer in JSON ([`crate::neuronets_rpc`], [`crate::work_rpc`], [`crate::arbitration_rpc`],
//! [`crate::emission_rpc`]).

use std::sync::Arc;

use aetron_primitives::{AccountId, Balance, BlockNumber, Hash, Nonce, OpaqueBlock as Block};
use jsonrpsee::RpcModule;
use sc_consensus_babe::BabeWorkerHandle;
use sc_consensus_grandpa::{
	FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
};
use sc_rpc::SubscriptionTaskExecutor;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_consensus::SelectChain;
use sp_keystore::KeystorePtr;

/// What the BABE RPC needs.
pub struct BabeDeps {
	/// Handle on BABE's worker (epoch data).
	pub worker_handle: BabeWorkerHandle<Block>,
	/// The keystore that holds this node's BABE keys.
	pub keystore: KeystorePtr,
}

/// What the GRANDPA RPC needs.
pub struct GrandpaDeps<B> {
	/// The voter's state, for `grandpa_roundState`.
	pub shared_voter_state: SharedVoterState,
	/// The current authority set.
	pub shared_authority_set: SharedAuthoritySet<Hash, BlockNumber>,
	/// Finality justifications as they are produced.
	pub justification_stream: GrandpaJustificationStream<Block>,
	/// Task executor for subscriptions.
	pub subscription_executor: SubscriptionTaskExecutor,
	/// Builds finality proofs for `grandpa_proveFinality`.
	pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

/// What the RPC extensions need.
pub struct FullDeps<C, P, SC, B> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// The chain selection rule.
	pub select_chain: SC,
	/// BABE's dependencies.
	pub babe: BabeDeps,
	/// GRANDPA's dependencies.
	pub grandpa: GrandpaDeps<B>,
}

/// Builds the RPC extensions of a full node.
pub fn create_full<C, P, SC, B>(
	deps: FullDeps<C, P, SC, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ sp_consensus_babe::BabeApi<Block>
		+ pallet_neuronets::runtime_api::NeuronetsApi<Block, AccountId, Balance, BlockNumber>
		+ pallet_work::runtime_api::WorkApi<Block, BlockNumber>
		+ pallet_arbitration::runtime_api::ArbitrationApi<Block, AccountId, Balance, BlockNumber>
		+ pallet_emission::runtime_api::EmissionApi<Block, AccountId>
		+ pallet_restaking::runtime_api::RestakingApi<Block, AccountId, BlockNumber>
		+ BlockBuilder<Block>,
	P: TransactionPool + 'static,
	SC: SelectChain<Block> + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: sc_client_api::StateBackend<sp_runtime::traits::HashingFor<Block>>,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use sc_consensus_babe_rpc::{Babe, BabeApiServer};
	use sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let FullDeps { client, pool, select_chain, babe, grandpa } = deps;
	let mut module = RpcModule::new(());
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(crate::neuronets_rpc::module(client.clone())?)?;
	module.merge(crate::work_rpc::module(client.clone())?)?;
	module.merge(crate::arbitration_rpc::module(client.clone())?)?;
	module.merge(crate::emission_rpc::module(client.clone())?)?;
	module.merge(Babe::new(client, babe.worker_handle, babe.keystore, select_chain).into_rpc())?;
	module.merge(
		Grandpa::new(
			grandpa.subscription_executor,
			grandpa.shared_authority_set,
			grandpa.shared_voter_state,
			grandpa.justification_stream,
			grandpa.finality_provider,
		)
		.into_rpc(),
	)?;
	Ok(module)
}
