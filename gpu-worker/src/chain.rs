//! The chain, through subxt: a static interface generated from the committed runtime metadata
//! (`artifacts/metadata.scale`, kept current by the runtime's `metadata` test), a reconnecting
//! RPC client with exponential backoff, and reads at the latest **finalized** block only.

use crate::metering::{ChannelTerms, SignedVoucherOf};
use airtime_primitives::credits::{CallEligibility, ChannelId, ServiceId};
use sp_core::H256;
use sp_runtime::{AccountId32, MultiSignature};
use std::time::Duration;
use subxt::{
	rpcs::client::{reconnecting_rpc_client::ExponentialBackoff, ReconnectingRpcClient, RpcClient},
	OnlineClient, PolkadotConfig,
};
use thiserror::Error;

/// The runtime's interface, generated at compile time.
#[subxt::subxt(runtime_metadata_path = "artifacts/metadata.scale")]
pub mod airtime {}

use airtime::runtime_types::airtime_primitives::credits as gen;

/// The client type: Airtime's extrinsic format is Polkadot's (`MultiAddress<AccountId32, ()>`,
/// `MultiSignature`, the standard extensions).
pub type Client = OnlineClient<PolkadotConfig>;

/// Chain failures.
#[derive(Debug, Error)]
pub enum ChainError {
	/// Connecting or an RPC failed.
	#[error("rpc: {0}")]
	Rpc(String),
	/// A transaction was refused by the pool or failed in its block.
	#[error("transaction failed: {0}")]
	Transaction(String),
	/// The signer task is gone.
	#[error("the signer task has stopped")]
	SignerGone,
}

impl ChainError {
	pub(crate) fn rpc(e: impl std::fmt::Display) -> Self {
		ChainError::Rpc(e.to_string())
	}
}

/// Connect to `url` with a client that reconnects with exponential backoff (100 ms doubling to
/// 10 s, forever); subxt resubscribes after a reconnection.
pub async fn connect(url: &str) -> Result<(Client, RpcClient), ChainError> {
	let inner = ReconnectingRpcClient::builder()
		.retry_policy(ExponentialBackoff::from_millis(100).max_delay(Duration::from_secs(10)))
		.build(url)
		.await
		.map_err(ChainError::rpc)?;
	let rpc = RpcClient::new(inner);
	let client = Client::from_rpc_client(rpc.clone()).await.map_err(ChainError::rpc)?;
	Ok((client, rpc))
}

/// Connect, retrying with backoff until the node answers (a service may start before its node).
pub async fn connect_with_retry(url: &str) -> (Client, RpcClient) {
	let mut delay = Duration::from_millis(200);
	loop {
		match connect(url).await {
			Ok(c) => return c,
			Err(e) => {
				tracing::warn!(%url, error = %e, retry_in = ?delay, "cannot reach the node");
				tokio::time::sleep(delay).await;
				delay = delay.saturating_mul(2).min(Duration::from_secs(10));
			},
		}
	}
}

/// The chain's genesis hash.
pub fn genesis(client: &Client) -> H256 {
	H256(client.genesis_hash().0)
}

pub(crate) fn to_subxt_account(a: &AccountId32) -> subxt::utils::AccountId32 {
	subxt::utils::AccountId32(*<AccountId32 as AsRef<[u8; 32]>>::as_ref(a))
}

fn from_subxt_account(a: &subxt::utils::AccountId32) -> AccountId32 {
	AccountId32::new(a.0)
}

/// The latest finalized block number.
pub async fn finalized_number(client: &Client) -> Result<u32, ChainError> {
	let at = client.at_current_block().await.map_err(ChainError::rpc)?;
	u32::try_from(at.block_number()).map_err(ChainError::rpc)
}

/// A channel's terms at the latest finalized block, or `None` if it does not exist.
pub async fn channel(client: &Client, id: ChannelId) -> Result<Option<ChannelTerms>, ChainError> {
	let at = client.at_current_block().await.map_err(ChainError::rpc)?;
	let view = at
		.runtime_apis()
		.call(airtime::runtime_apis().credits_api().channel(id))
		.await
		.map_err(ChainError::rpc)?;
	Ok(view.map(|c| ChannelTerms {
		id: c.id,
		service: c.service,
		payer: from_subxt_account(&c.payer),
		signer: from_subxt_account(&c.signer),
		nonce: c.nonce,
		price_per_call: c.price_per_call,
		locked: c.locked,
		redeemed: c.redeemed,
		expiry: c.expiry,
	}))
}

/// A service's price and required tier at the latest finalized block.
pub async fn service(
	client: &Client,
	id: ServiceId,
) -> Result<Option<(AccountId32, u128, u8)>, ChainError> {
	let at = client.at_current_block().await.map_err(ChainError::rpc)?;
	let view = at
		.runtime_apis()
		.call(airtime::runtime_apis().credits_api().service(id))
		.await
		.map_err(ChainError::rpc)?;
	Ok(view.map(|s| (from_subxt_account(&s.owner), s.price_per_call, s.tier_required)))
}

/// Whether `who` may use `service`, at the latest finalized block.
pub async fn can_call(
	client: &Client,
	who: &AccountId32,
	service: ServiceId,
) -> Result<CallEligibility, ChainError> {
	let at = client.at_current_block().await.map_err(ChainError::rpc)?;
	let e = at
		.runtime_apis()
		.call(airtime::runtime_apis().credits_api().can_call(to_subxt_account(who), service))
		.await
		.map_err(ChainError::rpc)?;
	Ok(match e {
		gen::CallEligibility::Allowed => CallEligibility::Allowed,
		gen::CallEligibility::UnknownService => CallEligibility::UnknownService,
		gen::CallEligibility::ServiceRetired => CallEligibility::ServiceRetired,
		gen::CallEligibility::TierTooLow { has, needs } => {
			CallEligibility::TierTooLow { has, needs }
		},
	})
}

/// The generated form of a voucher, as `redeem` takes it.
pub(crate) fn to_generated_voucher(
	v: &SignedVoucherOf,
) -> gen::SignedVoucher<u128, airtime::runtime_types::sp_runtime::MultiSignature> {
	use airtime::runtime_types::sp_runtime::MultiSignature as G;
	let signature = match &v.signature {
		MultiSignature::Sr25519(s) => G::Sr25519(s.0),
		MultiSignature::Ed25519(s) => G::Ed25519(s.0),
		MultiSignature::Ecdsa(s) => G::Ecdsa(s.0),
		// Unknown to the runtime's metadata: the chain will refuse it as a bad signature.
		_ => G::Sr25519([0; 64]),
	};
	gen::SignedVoucher {
		voucher: gen::Voucher {
			genesis: subxt::utils::H256(v.voucher.genesis.0),
			channel: v.voucher.channel,
			channel_nonce: v.voucher.channel_nonce,
			total: v.voucher.total,
		},
		signature,
	}
}
