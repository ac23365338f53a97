//! The load itself.
//!
//! A pacer hands out permits at the target rate (a token bucket refilled every 5 ms from the
//! elapsed time, holding at most a tenth of a second's worth, so a slow node is not hit by a
//! burst of backlog); `--senders` tasks each take a permit, choose an operation, lock the
//! signing account, sign and submit it with `author_submitExtrinsic` (never watched: the tracker
//! finds it in blocks), and record it. Sending stops at `--duration` or after `--max-tx`
//! transactions. An account whose oldest accepted transaction has not reached a block within
//! [`STALL`] re-reads its nonce (a transaction the pool dropped leaves a gap).

use crate::{
	mixed::{ComputeOp, DataOp, Mix, SEALED_KEY_LEN},
	tracker::Ledger,
	txs::{self, Accounts, Chain, LoadError, NonceState},
};
use airtime::runtime_types::bounded_collections::bounded_vec::BoundedVec;
use airtime_worker::chain::airtime;
use rand::{rngs::StdRng, Rng, SeedableRng};
use sp_core::Pair;
use std::{
	str::FromStr,
	sync::{
		atomic::{AtomicU64, AtomicUsize, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};
use subxt::{transactions::Payload, utils::MultiAddress};
use tokio::{
	sync::{MutexGuard, Semaphore},
	task::JoinSet,
	time::MissedTickBehavior,
};

/// What one load transaction does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpKind {
	/// `balances.transfer_keep_alive` between load accounts.
	Transfer,
	/// `compute.submit_job` by a user.
	SubmitJob,
	/// `compute.accept_job` by a provider.
	AcceptJob,
	/// `compute.submit_attestation` by the provider.
	Attest,
	/// `compute.claim_expired` once the challenge window is over.
	ClaimExpired,
	/// `credits.redeem` by a service owner, with the payer's voucher.
	Redeem,
	/// `data_market.buy_access` by a user.
	BuyAccess,
	/// `data_market.deliver_key` by the seller.
	DeliverKey,
}

impl OpKind {
	/// The call's name.
	pub fn label(self) -> &'static str {
		match self {
			OpKind::Transfer => "balances.transfer_keep_alive",
			OpKind::SubmitJob => "compute.submit_job",
			OpKind::AcceptJob => "compute.accept_job",
			OpKind::Attest => "compute.submit_attestation",
			OpKind::ClaimExpired => "compute.claim_expired",
			OpKind::Redeem => "credits.redeem",
			OpKind::BuyAccess => "data_market.buy_access",
			OpKind::DeliverKey => "data_market.deliver_key",
		}
	}
}

/// Planck moved by each load transfer (the accounts exist: any amount works).
pub const TRANSFER_AMOUNT: u128 = 1_000_000;
/// An account whose oldest accepted transaction is not in a block after this re-reads its nonce.
pub const STALL: Duration = Duration::from_secs(60);

/// The mixed workload's weights (`--mix transfers,compute,redeem,data`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weights {
	/// Transfers.
	pub transfer: u32,
	/// Compute-job lifecycle steps.
	pub compute: u32,
	/// Credits redeems.
	pub redeem: u32,
	/// Data-market purchase steps.
	pub data: u32,
}

impl Weights {
	fn total(&self) -> u32 {
		self.transfer
			.saturating_add(self.compute)
			.saturating_add(self.redeem)
			.saturating_add(self.data)
	}
}

impl FromStr for Weights {
	type Err = String;

	fn from_str(s: &str) -> Result<Self, Self::Err> {
		let parts = s
			.split(',')
			.map(|p| p.trim().parse::<u32>().map_err(|e| format!("{p:?}: {e}")))
			.collect::<Result<Vec<_>, _>>()?;
		let &[transfer, compute, redeem, data] = parts.as_slice() else {
			return Err(format!("expected four weights transfers,compute,redeem,data, got {s:?}"));
		};
		let w = Weights { transfer, compute, redeem, data };
		if w.total() == 0 {
			return Err("the weights add up to zero".into());
		}
		Ok(w)
	}
}

/// How to load the node.
pub struct Load {
	/// Target transactions per second.
	pub rate: u32,
	/// How long to send.
	pub duration: Duration,
	/// At most this many transactions.
	pub max_tx: Option<u64>,
	/// At most this many sent and not yet in a block (0: no limit). The pool then always holds
	/// more than a block's worth, so blocks stay full, but the backlog (and so the inclusion
	/// latency and the wait between a lifecycle's steps) stays a few blocks long instead of
	/// growing for as long as the target rate is above what the chain includes.
	pub max_pending: u64,
	/// Concurrent senders.
	pub senders: usize,
	/// The mixed workload (`None`: transfers only).
	pub mix: Option<Arc<Mix>>,
	/// Its weights.
	pub weights: Weights,
}

/// When sending started and stopped, and how many transactions were attempted.
#[derive(Clone, Copy, Debug)]
pub struct Sent {
	/// Sending started.
	pub started: Instant,
	/// The last sender stopped.
	pub stopped: Instant,
	/// Transactions attempted.
	pub attempted: u64,
}

struct Ctx {
	chain: Arc<Chain>,
	accounts: Arc<Accounts>,
	ledger: Ledger,
	load: Load,
	permits: Semaphore,
	budget: AtomicU64,
	attempted: AtomicU64,
	round_robin: AtomicUsize,
}

/// Send the load until the duration or the count is reached.
pub async fn run(
	chain: Arc<Chain>,
	accounts: Arc<Accounts>,
	ledger: Ledger,
	load: Load,
) -> Result<Sent, LoadError> {
	if accounts.len() < 2 {
		return Err(LoadError::Usage("at least two accounts are needed".into()));
	}
	check_codegen(&chain, load.mix.is_some())?;
	let senders = load.senders.max(1);
	let duration = load.duration;
	let ctx = Arc::new(Ctx {
		chain,
		accounts,
		ledger,
		budget: AtomicU64::new(load.max_tx.unwrap_or(u64::MAX)),
		load,
		permits: Semaphore::new(0),
		attempted: AtomicU64::new(0),
		round_robin: AtomicUsize::new(0),
	});
	let started = Instant::now();
	let deadline = started.checked_add(duration).unwrap_or(started);
	let pacer = tokio::spawn(pace(ctx.clone(), deadline));
	let mut set = JoinSet::new();
	for i in 0..senders {
		let ctx = ctx.clone();
		set.spawn(sender(ctx, i as u64));
	}
	while let Some(joined) = set.join_next().await {
		if let Err(e) = joined {
			tracing::warn!(error = %e, "a sender task failed");
		}
	}
	pacer.abort();
	let attempted = ctx.attempted.load(Ordering::Relaxed);
	Ok(Sent { started, stopped: Instant::now(), attempted })
}

/// Refill the permits at the target rate until the deadline, then close them.
async fn pace(ctx: Arc<Ctx>, deadline: Instant) {
	let start = Instant::now();
	let rate = f64::from(ctx.load.rate);
	let burst = usize::try_from((ctx.load.rate / 10).max(16)).unwrap_or(16);
	let mut issued: u64 = 0;
	let mut tick = tokio::time::interval(Duration::from_millis(5));
	tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
	loop {
		tick.tick().await;
		if ctx.permits.is_closed() {
			return;
		}
		let now = Instant::now();
		if now >= deadline {
			ctx.permits.close();
			return;
		}
		let due = (rate * now.saturating_duration_since(start).as_secs_f64()) as u64;
		let fresh = due.saturating_sub(issued);
		issued = due;
		if ctx.load.max_pending > 0 {
			let pending = ctx.ledger.lock().in_flight();
			// Over the limit the tokens of this tick are dropped, not saved up.
			if pending >= ctx.load.max_pending {
				continue;
			}
		}
		let room = burst.saturating_sub(ctx.permits.available_permits());
		let add = usize::try_from(fresh).unwrap_or(usize::MAX).min(room);
		if add > 0 {
			ctx.permits.add_permits(add);
		}
	}
}

async fn sender(ctx: Arc<Ctx>, seed: u64) {
	let mut rng = StdRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
	loop {
		match ctx.permits.acquire().await {
			Ok(permit) => permit.forget(),
			Err(_) => break,
		}
		if ctx
			.budget
			.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
			.is_err()
		{
			ctx.permits.close();
			break;
		}
		ctx.attempted.fetch_add(1, Ordering::Relaxed);
		if let Err(e) = one(&ctx, &mut rng).await {
			tracing::debug!(error = %e, "operation not sent");
		}
	}
}

/// Choose and send one operation.
async fn one(ctx: &Ctx, rng: &mut StdRng) -> Result<(), LoadError> {
	let Some(mix) = ctx.load.mix.clone() else { return transfer(ctx, rng).await };
	let w = ctx.load.weights;
	let roll = rng.gen_range(0..w.total().max(1));
	if roll < w.transfer {
		return transfer(ctx, rng).await;
	}
	let roll = roll.saturating_sub(w.transfer);
	if roll < w.compute {
		return match mix.next_compute(rng) {
			Some(op) => compute(ctx, &mix, op, rng).await,
			None => transfer(ctx, rng).await,
		};
	}
	let roll = roll.saturating_sub(w.compute);
	if roll < w.redeem {
		return redeem(ctx, &mix, rng).await;
	}
	match mix.next_data(rng) {
		Some(op) => data(ctx, &mix, op, rng).await,
		None => transfer(ctx, rng).await,
	}
}

impl Ctx {
	/// Lock account `i`'s nonce.
	async fn lock(&self, i: usize) -> Result<MutexGuard<'_, NonceState>, LoadError> {
		Ok(self.accounts.get(i)?.state.lock().await)
	}

	/// Lock some account, round robin, preferring one that is free.
	async fn lock_any(&self) -> Result<(usize, MutexGuard<'_, NonceState>), LoadError> {
		let n = self.accounts.len();
		let mut i = 0;
		for _ in 0..8 {
			i = self.round_robin.fetch_add(1, Ordering::Relaxed).checked_rem(n).unwrap_or(0);
			if let Ok(guard) = self.accounts.get(i)?.state.try_lock() {
				return Ok((i, guard));
			}
		}
		Ok((i, self.lock(i).await?))
	}

	/// Re-read the nonce of an account whose oldest accepted transaction is stuck.
	fn check_stall(&self, state: &mut NonceState) {
		if state.inflight.is_empty() {
			return;
		}
		{
			let ledger = self.ledger.lock();
			while let Some(&(hash, _)) = state.inflight.front() {
				let settled = ledger.sent.get(&hash).is_none_or(|t| t.included.is_some());
				if !settled {
					break;
				}
				state.inflight.pop_front();
			}
		}
		if state.inflight.front().is_some_and(|(_, at)| at.elapsed() > STALL) {
			state.next = None;
			let mut ledger = self.ledger.lock();
			for (hash, _) in state.inflight.drain(..) {
				ledger.abandon(&hash);
			}
			ledger.resyncs = ledger.resyncs.saturating_add(1);
		}
	}

	/// Sign `call` as account `i` (whose lock is `guard`), record it and submit it. Whether the
	/// node accepted it.
	async fn send<P: Payload>(
		&self,
		i: usize,
		mut guard: MutexGuard<'_, NonceState>,
		kind: OpKind,
		call: P,
	) -> Result<bool, LoadError> {
		let account = self.accounts.get(i)?;
		self.check_stall(&mut guard);
		let prepared = match txs::prepare(&self.chain, account, &mut guard, &call).await {
			Ok(p) => p,
			Err(e) => {
				self.ledger.failed_locally(kind, e.to_string());
				return Err(e);
			},
		};
		self.ledger.sending(prepared.hash, kind);
		let result = self.chain.submit(&prepared.bytes).await;
		txs::settle(&mut guard, &prepared, result.as_ref().err());
		match result {
			Ok(()) => Ok(true),
			Err(refusal) if refusal.is_transport() => {
				self.ledger.transport_failed(&prepared.hash, refusal.reason());
				Ok(false)
			},
			Err(refusal) => {
				self.ledger.refused(&prepared.hash, refusal.reason());
				if refusal.pool_full() {
					tokio::time::sleep(Duration::from_millis(50)).await;
				}
				Ok(false)
			},
		}
	}
}

async fn transfer(ctx: &Ctx, rng: &mut StdRng) -> Result<(), LoadError> {
	let n = ctx.accounts.len();
	if n < 2 {
		return Err(LoadError::Usage("at least two accounts are needed".into()));
	}
	let (from, guard) = ctx.lock_any().await?;
	let to = from.wrapping_add(rng.gen_range(1..n)).checked_rem(n).unwrap_or(0);
	let dest = ctx.accounts.get(to)?.id;
	let call = airtime::transactions()
		.balances()
		.transfer_keep_alive(MultiAddress::Id(dest), TRANSFER_AMOUNT)
		.unvalidated();
	ctx.send(from, guard, OpKind::Transfer, call).await?;
	Ok(())
}

async fn compute(ctx: &Ctx, mix: &Mix, op: ComputeOp, rng: &mut StdRng) -> Result<(), LoadError> {
	let tx = airtime::transactions().compute();
	let accepted = match op {
		ComputeOp::Submit { owner } => {
			let deadline = rng.gen_range(crate::mixed::JOB_DEADLINE);
			let call =
				tx.submit_job(crate::mixed::job_spec(), crate::mixed::JOB_BUDGET, deadline, 1);
			let guard = ctx.lock(owner).await?;
			ctx.send(owner, guard, OpKind::SubmitJob, call.unvalidated()).await
		},
		ComputeOp::Accept { job, provider } => {
			let guard = ctx.lock(provider).await?;
			let call = tx.accept_job(job).unvalidated();
			ctx.send(provider, guard, OpKind::AcceptJob, call).await
		},
		ComputeOp::Attest { job, provider } => {
			let output = subxt::utils::H256(sp_crypto_hashing::blake2_256(&job.to_le_bytes()));
			let guard = ctx.lock(provider).await?;
			let call = tx.submit_attestation(job, output, crate::mixed::JOB_USAGE).unvalidated();
			ctx.send(provider, guard, OpKind::Attest, call).await
		},
		ComputeOp::Claim { job, by } => {
			let guard = ctx.lock(by).await?;
			let call = tx.claim_expired(job).unvalidated();
			ctx.send(by, guard, OpKind::ClaimExpired, call).await
		},
	};
	if !matches!(accepted, Ok(true)) {
		mix.retry_compute(op);
	}
	accepted.map(|_| ())
}

async fn redeem(ctx: &Ctx, mix: &Mix, rng: &mut StdRng) -> Result<(), LoadError> {
	let Some(c) = mix.pick_channel(rng) else { return transfer(ctx, rng).await };
	let Some(channel) = mix.channel(c) else { return transfer(ctx, rng).await };
	let payer = ctx.accounts.get(channel.payer)?;
	// The total is taken under the service owner's lock: its redeems of one channel reach the
	// chain in nonce order, so their totals only grow.
	let guard = ctx.lock(channel.owner).await?;
	let Some(total) = mix.next_total(c) else { return Ok(()) };
	let voucher = crate::mixed::voucher(ctx.chain.genesis, channel, total, &payer.pair);
	let call = airtime::transactions().credits().redeem(channel.id, voucher).unvalidated();
	ctx.send(channel.owner, guard, OpKind::Redeem, call).await.map(|_| ())
}

async fn data(ctx: &Ctx, mix: &Mix, op: DataOp, rng: &mut StdRng) -> Result<(), LoadError> {
	let tx = airtime::transactions().data_market();
	let accepted = match op {
		DataOp::Buy { buyer, dataset } => {
			let guard = ctx.lock(buyer).await?;
			let call = tx.buy_access(dataset, crate::mixed::DATASET_PRICE).unvalidated();
			ctx.send(buyer, guard, OpKind::BuyAccess, call).await
		},
		DataOp::Deliver { purchase, seller } => {
			// Stands for the dataset key sealed to the buyer's delivery key.
			let mut sealed = vec![0u8; SEALED_KEY_LEN];
			rng.fill(sealed.as_mut_slice());
			let guard = ctx.lock(seller).await?;
			let call = tx.deliver_key(purchase, BoundedVec(sealed)).unvalidated();
			ctx.send(seller, guard, OpKind::DeliverKey, call).await
		},
	};
	if !matches!(accepted, Ok(true)) {
		mix.retry_data(op);
	}
	accepted.map(|_| ())
}

fn incompatible(call: &'static str) -> impl Fn(subxt::error::ExtrinsicError) -> LoadError {
	move |e| LoadError::Chain(format!("{call} differs from the node's metadata: {e}"))
}

/// Refuse to run when the node's metadata no longer matches the generated calls sent unchecked.
fn check_codegen(chain: &Chain, mixed: bool) -> Result<(), LoadError> {
	let anchor = chain.anchor();
	let txs = &anchor.txs;
	let nobody = subxt::utils::AccountId32([0; 32]);
	let t = airtime::transactions();
	txs.validate(&t.balances().transfer_keep_alive(MultiAddress::Id(nobody), 0))
		.map_err(incompatible("balances.transfer_keep_alive"))?;
	if !mixed {
		return Ok(());
	}
	let key = sp_core::sr25519::Pair::from_seed(&[7; 32]);
	let channel = crate::mixed::Channel { id: 0, nonce: 0, price: 1, payer: 0, owner: 0 };
	let h = subxt::utils::H256([0; 32]);
	txs.validate(&t.compute().submit_job(crate::mixed::job_spec(), 1, 1, 1))
		.map_err(incompatible("compute.submit_job"))?;
	txs.validate(&t.compute().accept_job(0)).map_err(incompatible("compute.accept_job"))?;
	txs.validate(&t.compute().submit_attestation(0, h, 0))
		.map_err(incompatible("compute.submit_attestation"))?;
	txs.validate(&t.compute().claim_expired(0)).map_err(incompatible("compute.claim_expired"))?;
	txs.validate(&t.credits().redeem(0, crate::mixed::voucher(chain.genesis, &channel, 1, &key)))
		.map_err(incompatible("credits.redeem"))?;
	txs.validate(&t.data_market().buy_access(0, 0))
		.map_err(incompatible("data_market.buy_access"))?;
	txs.validate(&t.data_market().deliver_key(0, BoundedVec(Vec::new())))
		.map_err(incompatible("data_market.deliver_key"))?;
	Ok(())
}

/// After sending: wait until every accepted transaction is in a finalized block, or none has
/// been included for four blocks (the rest was dropped), or `limit` has passed.
pub async fn drain(ledger: &Ledger, limit: Duration) {
	let start = Instant::now();
	let mut last_included = u64::MAX;
	let mut progress_at_best = 0u32;
	loop {
		tokio::time::sleep(Duration::from_secs(1)).await;
		let (pending, included, best, finalized, last_ours) = {
			let l = ledger.lock();
			let included = l.counts.included;
			let pending = l.unincluded();
			let last_ours =
				l.blocks.iter().rev().find(|(_, b)| b.ours > 0).map(|(n, _)| *n).unwrap_or(0);
			(pending, included, l.best, l.finalized, last_ours)
		};
		let finalized_all = finalized >= last_ours;
		if pending == 0 && finalized_all {
			return;
		}
		if start.elapsed() > limit {
			tracing::warn!(pending, best, finalized, "stopped waiting for the pool to drain");
			return;
		}
		if included != last_included {
			last_included = included;
			progress_at_best = best;
		} else if best >= progress_at_best.saturating_add(4) && finalized_all {
			tracing::warn!(pending, "transactions neither included nor refused: dropped");
			return;
		}
	}
}
