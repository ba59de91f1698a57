//! The runtime APIs the node calls: the standard set for a BABE + GRANDPA chain.

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use sp_api::impl_runtime_apis;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;

use aetron_primitives::traits::ReputationOf;
use pallet_arbitration::runtime_api::DisputeDetails;
use pallet_neuronets::runtime_api::{NeuronetDetails, SlotDetails};
use pallet_work::runtime_api::{AssignmentDetails, BatchDetails};

use crate::{
	genesis_config_presets, opaque, AccountId, Arbitration, Babe, Balance, Block, BlockNumber,
	Emission, Executive, Grandpa, Historical, InherentDataExt, Neuronets, Nonce, Reputation,
	Restaking, Runtime, RuntimeCall, RuntimeGenesisConfig, System, TransactionPayment, Work,
	BABE_GENESIS_EPOCH_CONFIG, VERSION,
};

#[cfg(feature = "runtime-benchmarks")]
use crate::{ConvictionVoting, Preimage, Referenda, Scheduler, Treasury, Validators};

#[cfg(feature = "runtime-benchmarks")]
impl frame_system_benchmarking::Config for Runtime {}

/// A slot's endpoint (UTF-8 bytes, empty for an unknown slot): where re-checkers and arbiters
/// fetch its leaves.
fn endpoint_of(slot: pallet_neuronets::SlotId) -> Vec<u8> {
	pallet_neuronets::Slots::<Runtime>::get(slot)
		.map(|s| s.endpoint.into_inner())
		.unwrap_or_default()
}

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_babe::BabeApi<Block> for Runtime {
		fn configuration() -> sp_consensus_babe::BabeConfiguration {
			let epoch_config = Babe::epoch_config().unwrap_or(BABE_GENESIS_EPOCH_CONFIG);
			sp_consensus_babe::BabeConfiguration {
				slot_duration: Babe::slot_duration(),
				epoch_length: crate::EpochDuration::get(),
				c: epoch_config.c,
				authorities: Babe::authorities().to_vec(),
				randomness: Babe::randomness(),
				allowed_slots: epoch_config.allowed_slots,
			}
		}

		fn current_epoch_start() -> sp_consensus_babe::Slot {
			Babe::current_epoch_start()
		}

		fn current_epoch() -> sp_consensus_babe::Epoch {
			Babe::current_epoch()
		}

		fn next_epoch() -> sp_consensus_babe::Epoch {
			Babe::next_epoch()
		}

		fn generate_key_ownership_proof(
			_slot: sp_consensus_babe::Slot,
			authority_id: sp_consensus_babe::AuthorityId,
		) -> Option<sp_consensus_babe::OpaqueKeyOwnershipProof> {
			use codec::Encode;
			use frame_support::traits::KeyOwnerProofSystem;
			Historical::prove((sp_consensus_babe::KEY_TYPE, authority_id))
				.map(|proof| proof.encode())
				.map(sp_consensus_babe::OpaqueKeyOwnershipProof::new)
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			equivocation_proof: sp_consensus_babe::EquivocationProof<<Block as BlockT>::Header>,
			key_owner_proof: sp_consensus_babe::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			let key_owner_proof = key_owner_proof.decode()?;
			Babe::submit_unsigned_equivocation_report(equivocation_proof, key_owner_proof)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			let key_owner_proof = key_owner_proof.decode()?;
			Grandpa::submit_unsigned_equivocation_report(equivocation_proof, key_owner_proof)
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			authority_id: sp_consensus_grandpa::AuthorityId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			use codec::Encode;
			use frame_support::traits::KeyOwnerProofSystem;
			Historical::prove((sp_consensus_grandpa::KEY_TYPE, authority_id))
				.map(|proof| proof.encode())
				.map(sp_consensus_grandpa::OpaqueKeyOwnershipProof::new)
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			opaque::SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			opaque::SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl pallet_neuronets::runtime_api::NeuronetsApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn registration_price(neuronet: pallet_neuronets::NeuronetId) -> Option<Balance> {
			Neuronets::registration_price(neuronet)
		}

		fn pow_difficulty(neuronet: pallet_neuronets::NeuronetId) -> Option<u64> {
			Neuronets::pow_difficulty(neuronet)
		}

		fn neuronets() -> Vec<NeuronetDetails<AccountId, Balance, BlockNumber>> {
			Neuronets::all_neuronet_details()
		}

		fn neuronet(neuronet: pallet_neuronets::NeuronetId) -> Option<NeuronetDetails<AccountId, Balance, BlockNumber>> {
			Neuronets::neuronet_details(neuronet)
		}

		fn slots_of(coldkey: AccountId) -> Vec<SlotDetails<AccountId, BlockNumber>> {
			Neuronets::slots_of(&coldkey)
				.into_iter()
				.filter_map(|id| Neuronets::slot_details(id, Reputation::reputation))
				.collect()
		}

		fn slot(slot: pallet_neuronets::SlotId) -> Option<SlotDetails<AccountId, BlockNumber>> {
			Neuronets::slot_details(slot, Reputation::reputation)
		}
	}

	impl pallet_work::runtime_api::WorkApi<Block, BlockNumber> for Runtime {
		fn assignments(slot: pallet_work::runtime_api::SlotId) -> Vec<AssignmentDetails<BlockNumber>> {
			Work::assignments_of(slot, endpoint_of)
		}

		fn batch(batch: pallet_work::BatchId) -> Option<BatchDetails<BlockNumber>> {
			Work::batch_details(batch)
		}

		fn slot_ledger(slot: pallet_work::runtime_api::SlotId) -> Option<pallet_work::SlotLedger> {
			pallet_work::SlotLedgers::<Runtime>::get(slot)
		}

		fn epoch_work(
			slot: pallet_work::runtime_api::SlotId,
			epoch: pallet_work::runtime_api::EpochIndex,
		) -> pallet_work::runtime_api::EpochWork {
			pallet_work::EpochWorks::<Runtime>::get(epoch, slot)
		}

		fn epoch() -> pallet_work::runtime_api::EpochIndex {
			<crate::EpochClock as aetron_primitives::traits::EpochClock>::current_epoch()
		}
	}

	impl pallet_restaking::runtime_api::RestakingApi<Block, AccountId, BlockNumber> for Runtime {
		fn positions_of(
			who: AccountId,
		) -> Vec<pallet_restaking::runtime_api::PositionDetails<BlockNumber>> {
			Restaking::positions_details(&who)
		}

		fn pool(neuronet: pallet_restaking::NeuronetId) -> Option<pallet_restaking::Pool> {
			pallet_restaking::Pools::<Runtime>::get(neuronet)
		}
	}

	impl pallet_emission::runtime_api::EmissionApi<Block, AccountId> for Runtime {
		fn status() -> pallet_emission::runtime_api::EmissionStatus {
			Emission::status()
		}

		fn epoch_summary(epoch: u32) -> Option<pallet_emission::EpochSummary> {
			pallet_emission::EpochSummaries::<Runtime>::get(epoch)
		}

		fn neuronet_epoch(
			epoch: u32,
			neuronet: pallet_neuronets::NeuronetId,
		) -> Option<pallet_emission::NeuronetEpoch> {
			pallet_emission::NeuronetEpochs::<Runtime>::get(epoch, neuronet)
		}

		fn slot_payouts(
			slot: pallet_neuronets::SlotId,
		) -> Vec<pallet_emission::runtime_api::SlotPayout<AccountId>> {
			Emission::slot_payouts(slot)
		}

		fn capacity(neuronet: pallet_neuronets::NeuronetId) -> (Balance, u64) {
			Emission::capacity_of(neuronet)
		}
	}

	impl pallet_arbitration::runtime_api::ArbitrationApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn disputes_of(
			slot: pallet_arbitration::runtime_api::SlotId,
		) -> Vec<DisputeDetails<AccountId, Balance, BlockNumber>> {
			Arbitration::disputes_of(slot, endpoint_of)
		}

		fn dispute(
			id: pallet_arbitration::DisputeId,
		) -> Option<DisputeDetails<AccountId, Balance, BlockNumber>> {
			Arbitration::dispute_details(id, endpoint_of)
		}

		fn answer(id: pallet_arbitration::DisputeId) -> Option<pallet_arbitration::runtime_api::LeafAnswer> {
			pallet_arbitration::Answers::<Runtime>::get(id)
		}

		fn forfeit(
			slot: pallet_arbitration::runtime_api::SlotId,
			epoch: pallet_arbitration::runtime_api::EpochIndex,
		) -> Option<pallet_arbitration::Forfeit<AccountId>> {
			pallet_arbitration::Forfeited::<Runtime>::get(epoch, slot)
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::BenchmarkList;
			use frame_support::traits::StorageInfoTrait;
			use frame_system_benchmarking::Pallet as SystemBench;
			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);
			(list, crate::AllPalletsWithSystem::storage_info())
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::BenchmarkBatch;
			use frame_support::traits::WhitelistedStorageKeys;
			use frame_system_benchmarking::Pallet as SystemBench;
			let whitelist = crate::AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}

		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}

		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis_config_presets::preset_names()
		}
	}
}
