//! The runtime APIs: what the node, polkadot.js apps and the worker call into the runtime for.

// External crates imports
use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;

// Local module imports
use super::{
	AccountId, Aura, Balance, Block, BlockNumber, Executive, Grandpa, Historical, InherentDataExt,
	Nonce, Runtime, RuntimeCall, RuntimeGenesisConfig, SessionKeys, System, TransactionPayment,
	VERSION,
};

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

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(id: frame_support::view_functions::ViewFunctionId, input: Vec<u8>) -> Result<Vec<u8>, frame_support::view_functions::ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
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

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(
			encoded: Vec<u8>,
		) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
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
			authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			use codec::Encode;
			use frame_support::traits::KeyOwnerProofSystem;
			Historical::prove((sp_consensus_grandpa::KEY_TYPE, authority_id))
				.map(|proof| proof.encode())
				.map(sp_consensus_grandpa::OpaqueKeyOwnershipProof::new)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl airtime_primitives::compute::ComputeApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn quote(
			kind: airtime_primitives::compute::ExecutorKind,
			max_units: u64,
			redundancy: u8,
			min_reputation: sp_runtime::Permill,
		) -> Option<airtime_primitives::compute::QuoteView<AccountId, Balance>> {
			pallet_compute::Pallet::<Runtime>::quote(kind, max_units, redundancy, min_reputation)
		}

		fn job(
			id: airtime_primitives::compute::JobId,
		) -> Option<airtime_primitives::compute::JobView<AccountId, Balance, BlockNumber>> {
			pallet_compute::Pallet::<Runtime>::job_view(id)
		}

		fn provider(
			who: AccountId,
		) -> Option<airtime_primitives::compute::ProviderView<AccountId, Balance, BlockNumber>> {
			pallet_compute::Pallet::<Runtime>::provider_view(who)
		}

		fn providers(
			kind: Option<airtime_primitives::compute::ExecutorKind>,
			start_after: Option<AccountId>,
			limit: u32,
		) -> Vec<airtime_primitives::compute::ProviderView<AccountId, Balance, BlockNumber>> {
			pallet_compute::Pallet::<Runtime>::providers_page(kind, start_after, limit)
		}
	}

	impl airtime_primitives::data::DataMarketApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn dataset(
			id: airtime_primitives::data::DatasetId,
		) -> Option<airtime_primitives::data::DatasetView<AccountId, Balance>> {
			pallet_data_market::Pallet::<Runtime>::dataset_view(id)
		}

		fn search(
			filter: airtime_primitives::data::DatasetFilter<Balance>,
			start_after: Option<airtime_primitives::data::DatasetId>,
			limit: u32,
		) -> (
			Vec<airtime_primitives::data::DatasetView<AccountId, Balance>>,
			Option<airtime_primitives::data::DatasetId>,
		) {
			pallet_data_market::Pallet::<Runtime>::search(filter, start_after, limit)
		}

		fn grants(buyer: AccountId) -> Vec<airtime_primitives::data::GrantView<BlockNumber>> {
			pallet_data_market::Pallet::<Runtime>::grants(&buyer)
		}

		fn purchase(
			id: airtime_primitives::data::PurchaseId,
		) -> Option<airtime_primitives::data::PurchaseView<AccountId, Balance, BlockNumber>> {
			pallet_data_market::Pallet::<Runtime>::purchase_view(id)
		}

		fn lineage(
			dataset: airtime_primitives::data::DatasetId,
			depth: u32,
		) -> Vec<airtime_primitives::data::LineageNode> {
			pallet_data_market::Pallet::<Runtime>::lineage(dataset, depth)
		}
	}

	impl airtime_primitives::staking::StakingApi<Block, AccountId, Balance> for Runtime {
		fn ledger(
			who: AccountId,
		) -> Option<airtime_primitives::staking::StakerView<AccountId, Balance>> {
			pallet_staking::Pallet::<Runtime>::ledger_view(&who)
		}

		fn pending_rewards(
			who: AccountId,
		) -> Vec<airtime_primitives::staking::PendingReward<AccountId, Balance>> {
			pallet_staking::Pallet::<Runtime>::pending_rewards(&who)
		}

		fn summary() -> airtime_primitives::staking::StakingSummary<Balance> {
			pallet_staking::Pallet::<Runtime>::summary_view()
		}
	}

	impl airtime_primitives::credits::CreditsApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn service(
			id: airtime_primitives::credits::ServiceId,
		) -> Option<airtime_primitives::credits::ServiceView<AccountId, Balance>> {
			pallet_credits::Pallet::<Runtime>::service_view(id)
		}

		fn channel(
			id: airtime_primitives::credits::ChannelId,
		) -> Option<airtime_primitives::credits::ChannelView<AccountId, Balance, BlockNumber>> {
			pallet_credits::Pallet::<Runtime>::channel_view(id)
		}

		fn channels_of(
			payer: AccountId,
			start_after: Option<airtime_primitives::credits::ChannelId>,
			limit: u32,
		) -> Vec<airtime_primitives::credits::ChannelView<AccountId, Balance, BlockNumber>> {
			pallet_credits::Pallet::<Runtime>::channels_of(&payer, start_after, limit)
		}

		fn service_channels(
			service: airtime_primitives::credits::ServiceId,
			start_after: Option<airtime_primitives::credits::ChannelId>,
			limit: u32,
		) -> Vec<airtime_primitives::credits::ChannelView<AccountId, Balance, BlockNumber>> {
			pallet_credits::Pallet::<Runtime>::service_channels(service, start_after, limit)
		}

		fn budget(
			who: AccountId,
		) -> Option<airtime_primitives::credits::BudgetView<Balance, BlockNumber>> {
			pallet_credits::Pallet::<Runtime>::budget_view(&who)
		}

		fn tier_of(who: AccountId) -> airtime_primitives::credits::TierView<Balance, BlockNumber> {
			pallet_credits::Pallet::<Runtime>::tier_view(&who)
		}

		fn can_call(
			who: AccountId,
			service: airtime_primitives::credits::ServiceId,
		) -> airtime_primitives::credits::CallEligibility {
			pallet_credits::Pallet::<Runtime>::can_call(&who, service)
		}

		fn tiers() -> Vec<(Vec<u8>, Balance)> {
			pallet_credits::Pallet::<Runtime>::tiers_view()
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

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::{baseline, BenchmarkList};
			use frame_support::traits::StorageInfoTrait;
			use frame_system_benchmarking::Pallet as SystemBench;
			use frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
			use baseline::Pallet as BaselineBench;
			use super::*;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);

			let storage_info = AllPalletsWithSystem::storage_info();

			(list, storage_info)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::{baseline, BenchmarkBatch};
			use sp_storage::TrackedStorageKey;
			use frame_system_benchmarking::Pallet as SystemBench;
			use frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
			use baseline::Pallet as BaselineBench;
			use super::*;

			impl frame_system_benchmarking::Config for Runtime {}
			impl baseline::Config for Runtime {}

			use frame_support::traits::WhitelistedStorageKeys;
			let whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();

			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);

			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// NOTE: intentional panic: we don't want to propagate the error backwards, and want to
			// have a backtrace here. If any of the pre/post migration checks fail, we shall stop
			// right here and right now.
			let weight = Executive::try_runtime_upgrade(checks)
				.unwrap_or_else(|e| panic!("try_runtime_upgrade failed: {e:?}"));
			(weight, super::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect
		) -> Weight {
			// NOTE: intentional panic: we don't want to propagate the error backwards, and want to
			// have a backtrace here.
			Executive::try_execute_block(block, state_root_check, signature_check, select).unwrap_or_else(|e| panic!("execute-block failed: {e:?}"))
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}
}
