//! The signer task: the only place that signs transactions for the worker's account.
//!
//! One task owns the key and the nonce. It takes the nonce from the node's pool view
//! (`system_accountNextIndex`) the first time and after any failed submission, and otherwise
//! counts up itself, so transactions submitted back to back never reuse a nonce. Each submitted
//! transaction is followed to its **finalized** block in a separate task, whose outcome (the
//! pallet's events, or the dispatch error) goes back to the requester.

use crate::chain::{self, airtime, ChainError, Client};
use crate::metering::SignedVoucherOf;
use airtime_primitives::credits::{ChannelId, ServiceId};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::AccountId32;
use subxt::{
	config::{DefaultExtrinsicParamsBuilder, RpcConfigFor},
	rpcs::{methods::LegacyRpcMethods, RpcClient},
	tx::{Payload, Signer},
	PolkadotConfig,
};
use tokio::sync::{mpsc, oneshot};

/// What the worker asks the chain to do.
#[derive(Clone, Debug)]
pub enum Op {
	/// `credits.redeem(channel, voucher)`.
	Redeem {
		/// The channel.
		channel: ChannelId,
		/// The latest voucher.
		voucher: SignedVoucherOf,
	},
	/// `credits.register_service(..)`.
	RegisterService {
		/// Hash of the description.
		metadata_hash: H256,
		/// Hash of the endpoint URL.
		endpoint_hash: H256,
		/// Price per call.
		price_per_call: u128,
		/// Required tier.
		tier_required: u8,
	},
	/// `credits.open_channel(service, amount, expiry)`.
	OpenChannel {
		/// The service.
		service: ServiceId,
		/// The amount to lock.
		amount: u128,
		/// The expiry block.
		expiry: u32,
	},
}

/// What a finalized transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
	/// A voucher was redeemed.
	Redeemed {
		/// The channel.
		channel: ChannelId,
		/// The voucher total now redeemed.
		total: u128,
		/// Paid to the service's owner.
		paid: u128,
		/// The protocol fee.
		fee: u128,
	},
	/// A service was registered.
	ServiceRegistered {
		/// Its id.
		service: ServiceId,
	},
	/// A channel was opened.
	ChannelOpened {
		/// Its id.
		channel: ChannelId,
		/// Its nonce.
		nonce: u32,
	},
}

type Reply = oneshot::Sender<Result<Outcome, ChainError>>;

/// A handle to the signer task.
#[derive(Clone)]
pub struct SignerHandle {
	tx: mpsc::Sender<(Op, Reply)>,
	account: AccountId32,
}

impl SignerHandle {
	/// The signing account.
	pub fn account(&self) -> &AccountId32 {
		&self.account
	}

	/// Submit `op` and wait until its block is finalized.
	pub async fn submit(&self, op: Op) -> Result<Outcome, ChainError> {
		let (reply, rx) = oneshot::channel();
		self.tx.send((op, reply)).await.map_err(|_| ChainError::SignerGone)?;
		rx.await.map_err(|_| ChainError::SignerGone)?
	}
}

/// sp-core's sr25519 pair as a subxt signer.
struct PairSigner(sr25519::Pair);

impl Signer<PolkadotConfig> for PairSigner {
	fn account_id(&self) -> subxt::utils::AccountId32 {
		subxt::utils::AccountId32(self.0.public().0)
	}

	fn sign(&self, payload: &[u8]) -> subxt::utils::MultiSignature {
		subxt::utils::MultiSignature::Sr25519(self.0.sign(payload).0)
	}
}

/// Start the signer task for `pair`.
pub fn spawn(client: Client, rpc: RpcClient, pair: sr25519::Pair) -> SignerHandle {
	let account: AccountId32 = pair.public().into();
	let (tx, mut rx) = mpsc::channel::<(Op, Reply)>(64);
	let signer = PairSigner(pair);
	tokio::spawn(async move {
		let methods = LegacyRpcMethods::<RpcConfigFor<PolkadotConfig>>::new(rpc);
		let mut next_nonce: Option<u64> = None;
		while let Some((op, reply)) = rx.recv().await {
			let nonce = match next_nonce {
				Some(n) => n,
				None => match methods.system_account_next_index(&signer.account_id()).await {
					Ok(n) => n,
					Err(e) => {
						let _ = reply.send(Err(ChainError::rpc(e)));
						continue;
					},
				},
			};
			let submitted = match &op {
				Op::Redeem { channel, voucher } => {
					let call = airtime::transactions()
						.credits()
						.redeem(*channel, chain::to_generated_voucher(voucher));
					submit(&client, &signer, nonce, &call).await
				},
				Op::RegisterService {
					metadata_hash,
					endpoint_hash,
					price_per_call,
					tier_required,
				} => {
					let call = airtime::transactions().credits().register_service(
						subxt::utils::H256(metadata_hash.0),
						subxt::utils::H256(endpoint_hash.0),
						*price_per_call,
						*tier_required,
					);
					submit(&client, &signer, nonce, &call).await
				},
				Op::OpenChannel { service, amount, expiry } => {
					let call =
						airtime::transactions().credits().open_channel(*service, *amount, *expiry);
					submit(&client, &signer, nonce, &call).await
				},
			};
			match submitted {
				Ok(progress) => {
					next_nonce = nonce.checked_add(1);
					tokio::spawn(async move {
						let _ = reply.send(follow(progress, &op).await);
					});
				},
				Err(e) => {
					tracing::warn!(error = %e, nonce, "submission refused; re-reading the nonce");
					next_nonce = None;
					let _ = reply.send(Err(e));
				},
			}
		}
		tracing::info!("signer task stopped: no more requests");
	});
	SignerHandle { tx, account }
}

type Progress = subxt::transactions::TransactionProgress<
	PolkadotConfig,
	subxt::client::OnlineClientAtBlockImpl<PolkadotConfig>,
>;

async fn submit<P: Payload>(
	client: &Client,
	signer: &PairSigner,
	nonce: u64,
	call: &P,
) -> Result<Progress, ChainError> {
	let mut txs = client.tx().await.map_err(ChainError::rpc)?;
	let params = DefaultExtrinsicParamsBuilder::<PolkadotConfig>::new().nonce(nonce).build();
	txs.sign_and_submit_then_watch(call, signer, params)
		.await
		.map_err(|e| ChainError::Transaction(e.to_string()))
}

/// Wait for the finalized block and read the outcome from its events.
async fn follow(progress: Progress, op: &Op) -> Result<Outcome, ChainError> {
	use airtime::credits::events;
	let events = progress
		.wait_for_finalized_success()
		.await
		.map_err(|e| ChainError::Transaction(e.to_string()))?;
	let missing = || ChainError::Transaction(format!("no outcome event for {op:?}"));
	match op {
		Op::Redeem { .. } => {
			let e = events.find_first::<events::VoucherRedeemed>().ok_or_else(missing)?;
			let e = e.map_err(ChainError::rpc)?;
			Ok(Outcome::Redeemed { channel: e.channel, total: e.total, paid: e.paid, fee: e.fee })
		},
		Op::RegisterService { .. } => {
			let e = events.find_first::<events::ServiceRegistered>().ok_or_else(missing)?;
			Ok(Outcome::ServiceRegistered { service: e.map_err(ChainError::rpc)?.service })
		},
		Op::OpenChannel { .. } => {
			let e = events.find_first::<events::ChannelOpened>().ok_or_else(missing)?;
			let e = e.map_err(ChainError::rpc)?;
			Ok(Outcome::ChannelOpened { channel: e.channel, nonce: e.nonce })
		},
	}
}
