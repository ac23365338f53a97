//! `compute_*` RPC methods: pallet-compute's runtime API over JSON-RPC, for wallets, matchers
//! and the worker. Balances are decimal strings (JSON numbers lose precision above 2^53).

use std::sync::Arc;

use airtime_primitives::{
	compute::{
		ComputeApi as ComputeRuntimeApi, ExecutorKind, JobId, JobView, ProviderView, QuoteView,
	},
	AccountId, Balance, BlockNumber,
};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::error::{ErrorObject, ErrorObjectOwned},
};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::{traits::Block as BlockT, Permill};

/// The most providers one `compute_providers` call returns.
pub const MAX_PAGE: u32 = 100;

/// Error code of a failed runtime API call (shared by every Airtime RPC module).
pub const RUNTIME_ERROR: i32 = 1;
/// Error code of an invalid argument.
pub const INVALID_ARGUMENT: i32 = 2;

/// pallet-compute's read API.
#[rpc(server)]
pub trait ComputeApi<BlockHash> {
	/// The price of a job of `kind` and `maxUnits` run by `redundancy` providers scoring at
	/// least `minReputation` (parts per million), or `null` when too few providers qualify.
	#[method(name = "compute_quote")]
	fn quote(
		&self,
		kind: ExecutorKind,
		max_units: u64,
		redundancy: u8,
		min_reputation: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Option<QuoteView<AccountId, Balance>>>;

	/// An open job, or `null` when it is unknown or has ended.
	#[method(name = "compute_job")]
	fn job(
		&self,
		id: JobId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<JobView<AccountId, Balance, BlockNumber>>>;

	/// A registered provider, or `null`.
	#[method(name = "compute_provider")]
	fn provider(
		&self,
		who: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<ProviderView<AccountId, Balance, BlockNumber>>>;

	/// Up to `limit` (at most 100) providers offering `kind` (any when `null`), after
	/// `startAfter`.
	#[method(name = "compute_providers")]
	fn providers(
		&self,
		kind: Option<ExecutorKind>,
		start_after: Option<AccountId>,
		limit: u32,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ProviderView<AccountId, Balance, BlockNumber>>>;
}

/// Serves [`ComputeApiServer`] from a client's runtime API.
pub struct Compute<C, B> {
	client: Arc<C>,
	_block: std::marker::PhantomData<B>,
}

impl<C, B> Compute<C, B> {
	/// A server reading through `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _block: Default::default() }
	}
}

pub(crate) fn runtime_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "runtime API call failed", Some(e.to_string()))
}

pub(crate) fn invalid(message: &str) -> ErrorObjectOwned {
	ErrorObject::owned(INVALID_ARGUMENT, message, None::<()>)
}

impl<C, Block> ComputeApiServer<<Block as BlockT>::Hash> for Compute<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ComputeRuntimeApi<Block, AccountId, Balance, BlockNumber>,
{
	fn quote(
		&self,
		kind: ExecutorKind,
		max_units: u64,
		redundancy: u8,
		min_reputation: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<QuoteView<AccountId, Balance>>> {
		let min_reputation = min_reputation.unwrap_or(0);
		if min_reputation > 1_000_000 {
			return Err(invalid("minReputation is in parts per million: at most 1000000"));
		}
		if redundancy == 0 || max_units == 0 {
			return Err(invalid("redundancy and maxUnits must be at least 1"));
		}
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client
			.runtime_api()
			.quote(at, kind, max_units, redundancy, Permill::from_parts(min_reputation))
			.map_err(runtime_error)
	}

	fn job(
		&self,
		id: JobId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<JobView<AccountId, Balance, BlockNumber>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().job(at, id).map_err(runtime_error)
	}

	fn provider(
		&self,
		who: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<ProviderView<AccountId, Balance, BlockNumber>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().provider(at, who).map_err(runtime_error)
	}

	fn providers(
		&self,
		kind: Option<ExecutorKind>,
		start_after: Option<AccountId>,
		limit: u32,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<ProviderView<AccountId, Balance, BlockNumber>>> {
		if limit == 0 || limit > MAX_PAGE {
			return Err(invalid("limit must be between 1 and 100"));
		}
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().providers(at, kind, start_after, limit).map_err(runtime_error)
	}
}
