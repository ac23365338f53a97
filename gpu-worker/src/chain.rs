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
	/// A transaction reached a finalized block but its call failed (the pallet's error).
	#[error("call failed: {0}")]
	Dispatch(String),
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

/// What a provider registers: its device and what it offers at which price.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
	/// GPU model (or CPU description), UTF-8.
	pub gpu_model: String,
	/// Memory per device in MiB.
	pub vram_mib: u32,
	/// Number of devices.
	pub devices: u16,
	/// The offers.
	pub offers: Vec<Offer>,
}

/// One executor offered (snake_case in the TOML config, camelCase in JSON output).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all(serialize = "camelCase"), deny_unknown_fields)]
pub struct Offer {
	/// The executor.
	pub kind: ExecutorKind,
	/// The largest job, in units, it takes.
	pub max_units: u64,
	/// Price per unit in planck.
	#[serde(with = "airtime_primitives::balance_string")]
	pub price_per_unit: u128,
}

use airtime::runtime_types::{
	airtime_primitives::compute as gen_compute, bounded_collections::bounded_vec::BoundedVec,
	pallet_compute::types as gen_types,
};
pub use airtime_primitives::compute::{ExecutorKind, JobId, JobPhase};

fn to_generated_kind(k: ExecutorKind) -> gen_compute::ExecutorKind {
	match k {
		ExecutorKind::GemmInt8 => gen_compute::ExecutorKind::GemmInt8,
		ExecutorKind::GemmF32 => gen_compute::ExecutorKind::GemmF32,
		ExecutorKind::MlpFixedPoint => gen_compute::ExecutorKind::MlpFixedPoint,
		ExecutorKind::VectorSearch => gen_compute::ExecutorKind::VectorSearch,
	}
}

fn from_generated_kind(k: &gen_compute::ExecutorKind) -> ExecutorKind {
	match k {
		gen_compute::ExecutorKind::GemmInt8 => ExecutorKind::GemmInt8,
		gen_compute::ExecutorKind::GemmF32 => ExecutorKind::GemmF32,
		gen_compute::ExecutorKind::MlpFixedPoint => ExecutorKind::MlpFixedPoint,
		gen_compute::ExecutorKind::VectorSearch => ExecutorKind::VectorSearch,
	}
}

/// The generated `(capabilities, prices)` arguments of `register_provider`.
pub(crate) fn to_generated_capabilities(
	c: &Capabilities,
) -> (gen_types::Capabilities, BoundedVec<gen_types::ExecutorPrice>) {
	let executors = c
		.offers
		.iter()
		.map(|o| gen_types::ExecutorCapability {
			kind: to_generated_kind(o.kind),
			max_units: o.max_units,
		})
		.collect();
	let prices = c
		.offers
		.iter()
		.map(|o| gen_types::ExecutorPrice {
			kind: to_generated_kind(o.kind),
			price_per_unit: o.price_per_unit,
		})
		.collect();
	(
		gen_types::Capabilities {
			gpu_model: BoundedVec(c.gpu_model.as_bytes().to_vec()),
			vram_mib: c.vram_mib,
			devices: c.devices,
			executors: BoundedVec(executors),
		},
		BoundedVec(prices),
	)
}

/// One provider's slot in a job, as the worker reads it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
	/// The provider.
	pub provider: AccountId32,
	/// Its locked price per unit.
	#[serde(with = "airtime_primitives::balance_string")]
	pub price_per_unit: u128,
	/// Whether it attested or committed.
	pub committed: bool,
	/// The revealed output hash.
	pub output_hash: Option<H256>,
}

/// An open job, as the worker reads it (pallet-compute's `JobView`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
	/// Its id.
	pub id: JobId,
	/// Who pays for it and may download its output.
	pub owner: AccountId32,
	/// What it runs.
	pub kind: ExecutorKind,
	/// Input hashes.
	pub inputs: Vec<H256>,
	/// Data-market datasets it reads (this worker does not fetch them yet).
	pub datasets: Vec<u64>,
	/// SCALE parameters.
	#[serde(skip)]
	pub params: Vec<u8>,
	/// The most units a slot may bill.
	pub max_units: u64,
	/// Expected output size.
	pub output_size: u64,
	/// Escrowed budget.
	#[serde(with = "airtime_primitives::balance_string")]
	pub budget: u128,
	/// The part of the budget taken slots may bill at most.
	#[serde(with = "airtime_primitives::balance_string")]
	pub reserved: u128,
	/// The block by which every slot must attest.
	pub deadline: u32,
	/// Independent runs.
	pub redundancy: u8,
	/// The phase.
	pub phase: JobPhase,
	/// When the phase times out.
	pub phase_ends: u32,
	/// The slots taken.
	pub slots: Vec<Slot>,
	/// The lowest reputation (parts per million) a provider needs.
	pub min_reputation: u32,
}

impl Job {
	/// `who`'s slot, if it holds one.
	pub fn slot_of(&self, who: &AccountId32) -> Option<&Slot> {
		self.slots.iter().find(|s| &s.provider == who)
	}
}

/// An open job at the latest finalized block (`None` once it has ended).
pub async fn job(client: &Client, id: JobId) -> Result<Option<Job>, ChainError> {
	let at = client.at_current_block().await.map_err(ChainError::rpc)?;
	let view = at
		.runtime_apis()
		.call(airtime::runtime_apis().compute_api().job(id))
		.await
		.map_err(ChainError::rpc)?;
	Ok(view.map(|j| Job {
		id: j.id,
		owner: from_subxt_account(&j.owner),
		kind: from_generated_kind(&j.kind),
		inputs: j.inputs.iter().map(|h| H256(h.0)).collect(),
		datasets: j.datasets,
		params: j.params,
		max_units: j.max_units,
		output_size: j.output_size,
		budget: j.budget,
		reserved: j.reserved,
		deadline: j.deadline,
		redundancy: j.redundancy,
		phase: match j.phase {
			gen_compute::JobPhase::Open => JobPhase::Open,
			gen_compute::JobPhase::Revealing => JobPhase::Revealing,
			gen_compute::JobPhase::Challengeable => JobPhase::Challengeable,
			gen_compute::JobPhase::Disputed => JobPhase::Disputed,
		},
		phase_ends: j.phase_ends,
		slots: j
			.slots
			.iter()
			.map(|s| Slot {
				provider: from_subxt_account(&s.provider),
				price_per_unit: s.price_per_unit,
				committed: s.committed,
				output_hash: s.output_hash.as_ref().map(|h| H256(h.0)),
			})
			.collect(),
		min_reputation: j.min_reputation.0,
	}))
}

/// A provider's record at the latest finalized block, as JSON-ready fields.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
	/// The account.
	pub account: AccountId32,
	/// Stake on hold.
	#[serde(with = "airtime_primitives::balance_string")]
	pub stake: u128,
	/// `Active`, `Paused` or `Unbonding until <block>`.
	pub status: String,
	/// GPU model.
	pub gpu_model: String,
	/// Slots held in open jobs.
	pub active_jobs: u32,
	/// Reputation in parts per million.
	pub reputation: u32,
	/// Jobs completed and paid.
	pub completed: u32,
	/// Jobs reported failed.
	pub failed: u32,
	/// Jobs timed out.
	pub timed_out: u32,
	/// Times slashed.
	pub slashed: u32,
	/// The offers.
	pub offers: Vec<Offer>,
}

/// `who`'s provider record, if registered.
pub async fn provider(client: &Client, who: &AccountId32) -> Result<Option<Provider>, ChainError> {
	let at = client.at_current_block().await.map_err(ChainError::rpc)?;
	let view = at
		.runtime_apis()
		.call(airtime::runtime_apis().compute_api().provider(to_subxt_account(who)))
		.await
		.map_err(ChainError::rpc)?;
	Ok(view.map(|p| Provider {
		account: from_subxt_account(&p.account),
		stake: p.stake,
		status: match p.status {
			gen_compute::ProviderStatusView::Active => "Active".into(),
			gen_compute::ProviderStatusView::Paused => "Paused".into(),
			gen_compute::ProviderStatusView::Unbonding(at) => format!("Unbonding until {at}"),
		},
		gpu_model: String::from_utf8_lossy(&p.gpu_model).into_owned(),
		active_jobs: p.active_jobs,
		reputation: p.reputation.0,
		completed: p.completed,
		failed: p.failed,
		timed_out: p.timed_out,
		slashed: p.slashed,
		offers: p
			.offers
			.iter()
			.map(|o| Offer {
				kind: from_generated_kind(&o.kind),
				max_units: o.max_units,
				price_per_unit: o.price_per_unit,
			})
			.collect(),
	}))
}

/// A finalized block, as [`follow_finalized`] hands it over.
pub type FinalizedBlock = subxt::client::Block<PolkadotConfig>;

/// What [`follow_finalized`] reports.
pub enum Followed {
	/// A (re)subscription started: blocks finalized while unsubscribed are not replayed, so a
	/// follower reconciles its state with the chain here.
	Subscribed,
	/// The next finalized block.
	Block(FinalizedBlock),
}

/// Follow finalized blocks forever: subscribe, hand each block to `handle`, and resubscribe with
/// backoff (500 ms doubling to 10 s) when the subscription fails or the connection is lost. A
/// block `handle` fails on is logged and skipped.
pub async fn follow_finalized<F, Fut>(client: &Client, mut handle: F)
where
	F: FnMut(Followed) -> Fut,
	Fut: std::future::Future<Output = Result<(), ChainError>>,
{
	let mut delay = Duration::from_millis(500);
	loop {
		match client.stream_blocks().await {
			Ok(mut blocks) => {
				delay = Duration::from_millis(500);
				if let Err(e) = handle(Followed::Subscribed).await {
					tracing::warn!(error = %e, "cannot reconcile after subscribing");
				}
				while let Some(block) = blocks.next().await {
					match block {
						Ok(block) => {
							if let Err(e) = handle(Followed::Block(block)).await {
								tracing::warn!(error = %e, "cannot read a finalized block");
							}
						},
						Err(e) => {
							tracing::warn!(error = %e, "finalized block stream failed");
							break;
						},
					}
				}
			},
			Err(e) => tracing::warn!(error = %e, "cannot subscribe to finalized blocks"),
		}
		tokio::time::sleep(delay).await;
		delay = delay.saturating_mul(2).min(Duration::from_secs(10));
	}
}
