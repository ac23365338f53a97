//! `data_*` RPC methods: pallet-data-market's runtime API over JSON-RPC, for buyers, sellers,
//! curators and wallets. Balances are decimal strings (JSON numbers lose precision above 2^53).

use std::sync::Arc;

use airtime_primitives::{
	data::{
		DataMarketApi as DataMarketRuntimeApi, DatasetFilter, DatasetId, DatasetView, GrantView,
		LineageNode, PurchaseId, PurchaseView,
	},
	AccountId, Balance, BlockNumber,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

use super::compute::{invalid, runtime_error};

/// The most datasets one `data_search` call returns.
pub const MAX_PAGE: u32 = 100;
/// The most generations one `data_lineage` call walks.
pub const MAX_DEPTH: u32 = 32;

/// One page of a dataset search.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
	/// The matching datasets, in id order.
	pub datasets: Vec<DatasetView<AccountId, Balance>>,
	/// Where to continue (`startAfter`) when the scan stopped before the last dataset;
	/// `null` when everything after `startAfter` was read.
	pub next: Option<DatasetId>,
}

/// pallet-data-market's read API.
#[rpc(server)]
pub trait DataMarketApi<BlockHash> {
	/// A dataset (listed or not), or `null`.
	#[method(name = "data_dataset")]
	fn dataset(
		&self,
		id: DatasetId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<DatasetView<AccountId, Balance>>>;

	/// Up to `limit` (at most 100) datasets matching `filter` (`license`, `maxPrice`,
	/// `validation: [kind, state]`, `listedOnly`), after `startAfter`.
	#[method(name = "data_search")]
	fn search(
		&self,
		filter: Option<DatasetFilter<Balance>>,
		start_after: Option<DatasetId>,
		limit: u32,
		at: Option<BlockHash>,
	) -> RpcResult<SearchPage>;

	/// The datasets `buyer` has access to or an open purchase of.
	#[method(name = "data_grants")]
	fn grants(
		&self,
		buyer: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<GrantView<BlockNumber>>>;

	/// An open purchase (awaiting delivery, disputable or disputed), or `null`.
	#[method(name = "data_purchase")]
	fn purchase(
		&self,
		id: PurchaseId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<PurchaseView<AccountId, Balance, BlockNumber>>>;

	/// The ancestors of `dataset` up to `depth` (at most 32) generations, itself first.
	#[method(name = "data_lineage")]
	fn lineage(
		&self,
		dataset: DatasetId,
		depth: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<LineageNode>>;
}

/// Serves [`DataMarketApiServer`] from a client's runtime API.
pub struct DataMarket<C, B> {
	client: Arc<C>,
	_block: std::marker::PhantomData<B>,
}

impl<C, B> DataMarket<C, B> {
	/// A server reading through `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _block: Default::default() }
	}
}

impl<C, Block> DataMarketApiServer<<Block as BlockT>::Hash> for DataMarket<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DataMarketRuntimeApi<Block, AccountId, Balance, BlockNumber>,
{
	fn dataset(
		&self,
		id: DatasetId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<DatasetView<AccountId, Balance>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().dataset(at, id).map_err(runtime_error)
	}

	fn search(
		&self,
		filter: Option<DatasetFilter<Balance>>,
		start_after: Option<DatasetId>,
		limit: u32,
		at: Option<Block::Hash>,
	) -> RpcResult<SearchPage> {
		if limit == 0 || limit > MAX_PAGE {
			return Err(invalid("limit must be between 1 and 100"));
		}
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let (datasets, next) = self
			.client
			.runtime_api()
			.search(at, filter.unwrap_or_default(), start_after, limit)
			.map_err(runtime_error)?;
		Ok(SearchPage { datasets, next })
	}

	fn grants(
		&self,
		buyer: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<GrantView<BlockNumber>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().grants(at, buyer).map_err(runtime_error)
	}

	fn purchase(
		&self,
		id: PurchaseId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<PurchaseView<AccountId, Balance, BlockNumber>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().purchase(at, id).map_err(runtime_error)
	}

	fn lineage(
		&self,
		dataset: DatasetId,
		depth: u32,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<LineageNode>> {
		if depth > MAX_DEPTH {
			return Err(invalid("depth must be at most 32"));
		}
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().lineage(at, dataset, depth).map_err(runtime_error)
	}
}
