//! The signer task: the only place that signs transactions for the worker's account.
//!
//! One task owns the key and the nonce. It takes the nonce from the node's pool view
//! (`system_accountNextIndex`) the first time and after any failed submission, and otherwise
//! counts up itself, so transactions submitted back to back never reuse a nonce. Each submitted
//! transaction is followed to its **finalized** block in a separate task, whose outcome (the
//! pallet's events, or the dispatch error) goes back to the requester.

use crate::chain::{self, airtime, ChainError, Client};
use crate::metering::SignedVoucherOf;
use airtime_primitives::{
	compute::JobId,
	credits::{ChannelId, ServiceId},
};
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
	/// `compute.register_provider(capabilities, prices, stake)`.
	RegisterProvider {
		/// What the device runs.
		capabilities: chain::Capabilities,
		/// The stake to hold.
		stake: u128,
	},
	/// `compute.unregister_provider()`.
	UnregisterProvider,
	/// `compute.accept_job(job)`.
	AcceptJob(JobId),
	/// `compute.submit_attestation(job, output_hash, usage)`.
	SubmitAttestation {
		/// The job.
		job: JobId,
		/// blake2-256 of the output.
		output: H256,
		/// Units billed.
		usage: u64,
	},
	/// `compute.commit_attestation(job, commitment)`.
	CommitAttestation {
		/// The job.
		job: JobId,
		/// The commitment.
		commitment: H256,
	},
	/// `compute.reveal_attestation(job, output_hash, usage, salt)`.
	RevealAttestation {
		/// The job.
		job: JobId,
		/// blake2-256 of the output.
		output: H256,
		/// Units billed.
		usage: u64,
		/// The commitment's salt.
		salt: [u8; 32],
	},
	/// `compute.report_failure(job)`.
	ReportFailure(JobId),
	/// `compute.commit_vote(job, commitment)`.
	CommitVote {
		/// The disputed job.
		job: JobId,
		/// The commitment.
		commitment: H256,
	},
	/// `compute.reveal_vote(job, output_hash, salt)`.
	RevealVote {
		/// The disputed job.
		job: JobId,
		/// The output hash voted for.
		output: H256,
		/// The commitment's salt.
		salt: [u8; 32],
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
	/// A compute call succeeded in a finalized block.
	Done {
		/// The finalized block's hash.
		block: H256,
	},
}

impl Op {
	/// The call's name, for logs.
	pub fn label(&self) -> &'static str {
		match self {
			Op::Redeem { .. } => "credits.redeem",
			Op::RegisterService { .. } => "credits.register_service",
			Op::OpenChannel { .. } => "credits.open_channel",
			Op::RegisterProvider { .. } => "compute.register_provider",
			Op::UnregisterProvider => "compute.unregister_provider",
			Op::AcceptJob(_) => "compute.accept_job",
			Op::SubmitAttestation { .. } => "compute.submit_attestation",
			Op::CommitAttestation { .. } => "compute.commit_attestation",
			Op::RevealAttestation { .. } => "compute.reveal_attestation",
			Op::ReportFailure(_) => "compute.report_failure",
			Op::CommitVote { .. } => "compute.commit_vote",
			Op::RevealVote { .. } => "compute.reveal_vote",
		}
	}
}

/// Blocks a transaction stays valid for.
pub const MORTALITY: u64 = 64;
/// Attempts of [`SignerHandle::submit_with_retry`].
pub const ATTEMPTS: u32 = 4;

type Reply = oneshot::Sender<Result<Outcome, ChainError>>;

/// A handle to the signer task.
#[derive(Clone)]
pub struct SignerHandle {
	tx: mpsc::Sender<(Op, Reply)>,
	account: AccountId32,
}

/// Set by a follower whose transaction left the pool without a block (dropped, invalid, usurped,
/// or its status stream lost): its nonce may be a gap, so the next submission re-reads the nonce.
type NonceReset = std::sync::Arc<std::sync::atomic::AtomicBool>;

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

	/// Submit `op`, retrying up to [`ATTEMPTS`] times with backoff (1 s, 2 s, 4 s) when it did not
	/// reach a finalized block (connection lost, dropped or invalid in the pool, e.g. after a
	/// nonce race with another tool using the same key). A call that failed in its block (a
	/// dispatch error) is final and returned at once.
	pub async fn submit_with_retry(&self, op: Op) -> Result<Outcome, ChainError> {
		let mut delay = std::time::Duration::from_secs(1);
		let mut attempt = 1u32;
		loop {
			match self.submit(op.clone()).await {
				Err(e @ (ChainError::Rpc(_) | ChainError::Transaction(_)))
					if attempt < ATTEMPTS =>
				{
					tracing::warn!(call = op.label(), attempt, error = %e, retry_in = ?delay, "retrying");
					tokio::time::sleep(delay).await;
					delay = delay.saturating_mul(2);
					attempt = attempt.saturating_add(1);
				},
				other => return other,
			}
		}
	}
}

/// sp-core's sr25519 pair, owned or borrowed, as a subxt signer.
pub struct PairSigner<P>(pub P);

impl<P: core::borrow::Borrow<sr25519::Pair>> Signer<PolkadotConfig> for PairSigner<P> {
	fn account_id(&self) -> subxt::utils::AccountId32 {
		subxt::utils::AccountId32(self.0.borrow().public().0)
	}

	fn sign(&self, payload: &[u8]) -> subxt::utils::MultiSignature {
		subxt::utils::MultiSignature::Sr25519(self.0.borrow().sign(payload).0)
	}
}

/// Start the signer task for `pair`.
pub fn spawn(client: Client, rpc: RpcClient, pair: sr25519::Pair) -> SignerHandle {
	let account: AccountId32 = pair.public().into();
	let (tx, mut rx) = mpsc::channel::<(Op, Reply)>(64);
	let signer = PairSigner(pair);
	let reset = NonceReset::default();
	tokio::spawn(async move {
		let methods = LegacyRpcMethods::<RpcConfigFor<PolkadotConfig>>::new(rpc);
		let mut next_nonce: Option<u64> = None;
		while let Some((op, reply)) = rx.recv().await {
			if reset.swap(false, std::sync::atomic::Ordering::Relaxed) {
				next_nonce = None;
			}
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
				compute => submit_compute(&client, &signer, nonce, compute).await,
			};
			match submitted {
				Ok(progress) => {
					next_nonce = nonce.checked_add(1);
					let reset = reset.clone();
					tokio::spawn(async move {
						let outcome = follow(progress, &op).await;
						if matches!(outcome, Err(ChainError::Transaction(_))) {
							reset.store(true, std::sync::atomic::Ordering::Relaxed);
						}
						let _ = reply.send(outcome);
					});
				},
				Err(e) => {
					tracing::warn!(error = %e, nonce, "submission refused; re-reading the nonce");
					next_nonce = None;
					let _ = reply.send(Err(e));
				},
			}
			tracing::debug!(nonce, "submitted");
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
	signer: &PairSigner<sr25519::Pair>,
	nonce: u64,
	call: &P,
) -> Result<Progress, ChainError> {
	let mut txs = client.tx().await.map_err(ChainError::rpc)?;
	// Mortal: a transaction that is not included within `MORTALITY` blocks becomes invalid,
	// instead of lingering in pools and landing long after the worker gave up on it.
	let params = DefaultExtrinsicParamsBuilder::<PolkadotConfig>::new()
		.nonce(nonce)
		.mortal(MORTALITY)
		.build();
	txs.sign_and_submit_then_watch(call, signer, params)
		.await
		.map_err(|e| ChainError::Transaction(e.to_string()))
}

async fn submit_compute(
	client: &Client,
	signer: &PairSigner<sr25519::Pair>,
	nonce: u64,
	op: &Op,
) -> Result<Progress, ChainError> {
	let tx = airtime::transactions().compute();
	let h = |h: &H256| subxt::utils::H256(h.0);
	match op {
		Op::RegisterProvider { capabilities, stake } => {
			let (caps, prices) = chain::to_generated_capabilities(capabilities);
			submit(client, signer, nonce, &tx.register_provider(caps, prices, *stake)).await
		},
		Op::UnregisterProvider => submit(client, signer, nonce, &tx.unregister_provider()).await,
		Op::AcceptJob(job) => submit(client, signer, nonce, &tx.accept_job(*job)).await,
		Op::SubmitAttestation { job, output, usage } => {
			submit(client, signer, nonce, &tx.submit_attestation(*job, h(output), *usage)).await
		},
		Op::CommitAttestation { job, commitment } => {
			submit(client, signer, nonce, &tx.commit_attestation(*job, h(commitment))).await
		},
		Op::RevealAttestation { job, output, usage, salt } => {
			submit(client, signer, nonce, &tx.reveal_attestation(*job, h(output), *usage, *salt))
				.await
		},
		Op::ReportFailure(job) => submit(client, signer, nonce, &tx.report_failure(*job)).await,
		Op::CommitVote { job, commitment } => {
			submit(client, signer, nonce, &tx.commit_vote(*job, h(commitment))).await
		},
		Op::RevealVote { job, output, salt } => {
			submit(client, signer, nonce, &tx.reveal_vote(*job, h(output), *salt)).await
		},
		Op::Redeem { .. } | Op::RegisterService { .. } | Op::OpenChannel { .. } => {
			Err(ChainError::Transaction(format!("not a compute call: {op:?}")))
		},
	}
}

/// Wait for the finalized block and read the outcome from its events.
async fn follow(progress: Progress, op: &Op) -> Result<Outcome, ChainError> {
	use airtime::credits::events;
	use subxt::transactions::TransactionStatus as S;
	let mut progress = progress;
	let label = op.label();
	let finalized = loop {
		let status = progress
			.next()
			.await
			.ok_or_else(|| ChainError::Transaction(format!("{label}: the status stream ended")))?;
		match status.map_err(|e| ChainError::Transaction(e.to_string()))? {
			S::InBestBlock(b) => {
				tracing::info!(call = label, block = ?b.block_hash(), "transaction in block")
			},
			S::NoLongerInBestBlock => {
				tracing::info!(call = label, "transaction retracted from the best chain")
			},
			S::InFinalizedBlock(b) => break b,
			S::Error { message } | S::Invalid { message } | S::Dropped { message } => {
				tracing::warn!(call = label, %message, "transaction not included");
				return Err(ChainError::Transaction(format!("{label}: {message}")));
			},
			S::Validated | S::Broadcasted => {},
		}
	};
	let events = finalized.wait_for_success().await.map_err(|e| {
		tracing::warn!(call = label, error = %e, "transaction failed in its finalized block");
		ChainError::Dispatch(e.to_string())
	})?;
	tracing::info!(call = label, block = ?finalized.block_hash(), "transaction finalized");
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
		_ => Ok(Outcome::Done { block: H256(finalized.block_hash().0) }),
	}
}
