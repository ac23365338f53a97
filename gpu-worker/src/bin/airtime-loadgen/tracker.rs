//! Following the chain while the load runs.
//!
//! Two tasks follow the node: one its best blocks, one its finalized blocks. For every block they
//! hash each extrinsic (blake2-256 of its encoding, the hash `author_submitExtrinsic` returned)
//! and look it up among the transactions sent ([`Ledger`]): a best block marks ours included (at
//! the time the block was received) and records whether each dispatched (`System.ExtrinsicSuccess`
//! or `ExtrinsicFailed`, with the pallet error), a finalized block marks them finalized. Each best
//! block also records its timestamp (`Timestamp::Now`), extrinsic count, encoded length and
//! `System::BlockWeight`, and while recording, the finality lag (best minus finalized number).
//! The mixed scenario's state machine ([`Mix`]) sees every best block's events.

use crate::{
	engine::OpKind,
	mixed::Mix,
	txs::{Chain, LoadError},
};
use airtime_worker::chain::airtime;
use std::{
	collections::{BTreeMap, HashMap},
	sync::{Arc, Mutex, MutexGuard},
	time::{Duration, Instant},
};
use subxt::{
	client::{Block, Blocks},
	events::{Events, Phase},
	PolkadotConfig,
};

/// One transaction sent.
pub struct SentTx {
	/// What it does.
	pub kind: OpKind,
	/// When it was submitted.
	pub sent_at: Instant,
	/// When its block was received, and the block number.
	pub included: Option<(Instant, u32)>,
	/// When its block was seen finalized.
	pub finalized: Option<Instant>,
	/// Whether it dispatched successfully (`None`: outcome not seen).
	pub ok: Option<bool>,
	/// Given up as dropped by the pool (its sender re-read the nonce after a stall), until it
	/// shows up in a block after all.
	pub abandoned: bool,
	/// Its submission failed below the RPC layer: whether the node got it is unknown.
	pub transport_failed: bool,
}

impl SentTx {
	/// Note that it is in block `number`, seen at `seen`: the first time, it stops counting as
	/// pending (and as abandoned).
	fn include(&mut self, seen: Instant, number: u32, counts: &mut Counts) {
		if self.included.is_some() {
			return;
		}
		self.included = Some((seen, number));
		counts.included = counts.included.saturating_add(1);
		if self.abandoned {
			self.abandoned = false;
			counts.abandoned = counts.abandoned.saturating_sub(1);
		}
	}
}

/// Running counts over [`LedgerState::sent`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
	/// Seen in a block.
	pub included: u64,
	/// Not seen in a block and given up as dropped.
	pub abandoned: u64,
}

/// One block.
#[derive(Clone, Debug, Default)]
pub struct BlockStat {
	/// Its timestamp (ms since the epoch; 0 if unread).
	pub timestamp_ms: u64,
	/// Extrinsics of ours in it.
	pub ours: u32,
	/// Extrinsics of ours in it, counted when it was seen finalized.
	pub ours_finalized: u32,
	/// All extrinsics in it.
	pub extrinsics: u32,
	/// Their encoded length.
	pub bytes: u64,
	/// `System::BlockWeight`, ref time of all classes.
	pub weight_ref_time: u64,
}

/// Everything recorded during one scenario.
#[derive(Default)]
pub struct LedgerState {
	/// Transactions the node accepted (and those being submitted).
	pub sent: HashMap<[u8; 32], SentTx>,
	/// Transactions attempted, by call.
	pub attempted: BTreeMap<&'static str, u64>,
	/// Refusals by reason.
	pub rejected: BTreeMap<String, u64>,
	/// Submissions that failed below the RPC layer (connection lost, timeout), by error.
	pub transport_errors: BTreeMap<String, u64>,
	/// Dispatch failures of ours by error.
	pub failures: BTreeMap<String, u64>,
	/// Blocks seen.
	pub blocks: BTreeMap<u32, BlockStat>,
	/// Finality lag samples (blocks).
	pub lag: Vec<u32>,
	/// The latest best block number.
	pub best: u32,
	/// The latest finalized block number.
	pub finalized: u32,
	/// Whether finality lag is sampled.
	pub recording: bool,
	/// Nonces read again after a stall.
	pub resyncs: u64,
	/// How many of `sent` have been seen in a block or given up.
	pub counts: Counts,
}

impl LedgerState {
	/// Accepted transactions not seen in a block yet, abandoned ones included.
	pub fn unincluded(&self) -> u64 {
		(self.sent.len() as u64).saturating_sub(self.counts.included)
	}

	/// Accepted transactions that may still be in the pool: not seen in a block and not given up
	/// (the pacer's back-pressure reads it, so dropped transactions do not hold it back forever).
	pub fn in_flight(&self) -> u64 {
		self.unincluded().saturating_sub(self.counts.abandoned)
	}

	/// Give up `hash` as dropped by the pool unless it was seen in a block.
	pub fn abandon(&mut self, hash: &[u8; 32]) {
		if let Some(tx) = self.sent.get_mut(hash) {
			if tx.included.is_none() && !tx.abandoned {
				tx.abandoned = true;
				self.counts.abandoned = self.counts.abandoned.saturating_add(1);
			}
		}
	}
}

/// Notes a transaction's dispatch outcome (`None`: ok, `Some(reason)`: failed) the first time
/// its block's events show it.
fn record_outcome(
	tx: &mut SentTx,
	outcome: Option<&Option<String>>,
	failures: &mut BTreeMap<String, u64>,
) {
	if tx.ok.is_some() {
		return;
	}
	match outcome {
		Some(None) => tx.ok = Some(true),
		Some(Some(reason)) => {
			tx.ok = Some(false);
			bump(failures, format!("{}: {reason}", tx.kind.label()));
		},
		None => {},
	}
}

fn bump<K: Ord>(map: &mut BTreeMap<K, u64>, key: K) {
	let n = map.entry(key).or_default();
	*n = n.saturating_add(1);
}

/// The shared record of one scenario.
#[derive(Clone, Default)]
pub struct Ledger(Arc<Mutex<LedgerState>>);

impl Ledger {
	/// Lock it (a poisoned lock is taken over: the data stays usable).
	pub fn lock(&self) -> MutexGuard<'_, LedgerState> {
		self.0.lock().unwrap_or_else(|p| p.into_inner())
	}

	/// A transaction is about to be submitted.
	pub fn sending(&self, hash: [u8; 32], kind: OpKind) {
		let mut l = self.lock();
		bump(&mut l.attempted, kind.label());
		l.sent.insert(
			hash,
			SentTx {
				kind,
				sent_at: Instant::now(),
				included: None,
				finalized: None,
				ok: None,
				abandoned: false,
				transport_failed: false,
			},
		);
	}

	/// The node refused it.
	pub fn refused(&self, hash: &[u8; 32], reason: String) {
		let mut l = self.lock();
		l.sent.remove(hash);
		bump(&mut l.rejected, reason);
	}

	/// Its submission failed below the RPC layer, so whether the node got it is unknown: not a
	/// refusal. It stays sent, given up at once (the pacer does not wait for it), and counts as
	/// included if a block holds it after all.
	pub fn transport_failed(&self, hash: &[u8; 32], reason: String) {
		let mut l = self.lock();
		if let Some(tx) = l.sent.get_mut(hash) {
			tx.transport_failed = true;
		}
		l.abandon(hash);
		bump(&mut l.transport_errors, reason);
	}

	/// It could not even be signed or its nonce read.
	pub fn failed_locally(&self, kind: OpKind, reason: String) {
		let mut l = self.lock();
		bump(&mut l.attempted, kind.label());
		bump(&mut l.rejected, format!("local: {reason}"));
	}
}

/// The two follower tasks.
pub struct Tracker {
	handles: Vec<tokio::task::JoinHandle<()>>,
}

impl Tracker {
	/// Subscribe to best and finalized blocks (before returning, so no block of the load is
	/// missed) and follow them until [`Tracker::stop`].
	pub async fn spawn(
		chain: Arc<Chain>,
		ledger: Ledger,
		mix: Option<Arc<Mix>>,
	) -> Result<Self, LoadError> {
		let best = chain.client.stream_best_blocks().await.map_err(LoadError::chain)?;
		let finalized = chain.client.stream_blocks().await.map_err(LoadError::chain)?;
		let handles = vec![
			tokio::spawn(follow(chain.clone(), ledger.clone(), mix, Some(best), false)),
			tokio::spawn(follow(chain, ledger, None, Some(finalized), true)),
		];
		Ok(Tracker { handles })
	}

	/// Stop following.
	pub fn stop(self) {
		for h in self.handles {
			h.abort();
		}
	}
}

async fn follow(
	chain: Arc<Chain>,
	ledger: Ledger,
	mix: Option<Arc<Mix>>,
	mut first: Option<Blocks<PolkadotConfig>>,
	finalized: bool,
) {
	let what = if finalized { "finalized" } else { "best" };
	loop {
		let stream = match first.take() {
			Some(s) => Ok(s),
			None if finalized => chain.client.stream_blocks().await,
			None => chain.client.stream_best_blocks().await,
		};
		match stream {
			Ok(mut blocks) => {
				while let Some(block) = blocks.next().await {
					let block = match block {
						Ok(b) => b,
						Err(e) => {
							tracing::warn!(error = %e, "{what} block stream failed");
							break;
						},
					};
					let result = if finalized {
						on_finalized(&ledger, block).await
					} else {
						on_best(&ledger, mix.as_deref(), block).await
					};
					if let Err(e) = result {
						tracing::warn!(error = %e, "cannot read a {what} block");
					}
				}
			},
			Err(e) => tracing::warn!(error = %e, "cannot subscribe to {what} blocks"),
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}

/// A block's extrinsics: (index, blake2-256 of the encoding), and their total length.
struct Body {
	hashes: Vec<(u32, [u8; 32])>,
	count: u32,
	bytes: u64,
}

async fn body(
	at: &subxt::client::OnlineClientAtBlock<PolkadotConfig>,
	number: u32,
) -> Result<Body, LoadError> {
	let exts = at.extrinsics().fetch().await.map_err(LoadError::chain)?;
	let mut body = Body { hashes: Vec::with_capacity(exts.len()), count: 0, bytes: 0 };
	for ext in exts.iter() {
		body.count = body.count.saturating_add(1);
		match ext {
			Ok(ext) => {
				let bytes = ext.bytes();
				body.bytes = body.bytes.saturating_add(bytes.len() as u64);
				let index = u32::try_from(ext.index()).unwrap_or(u32::MAX);
				body.hashes.push((index, sp_crypto_hashing::blake2_256(bytes)));
			},
			Err(e) => tracing::debug!(block = number, error = ?e, "undecodable extrinsic"),
		}
	}
	Ok(body)
}

/// Timestamp (ms) and `System::BlockWeight` (ref time, all classes) at a block; 0 if unreadable.
async fn block_info(at: &subxt::client::OnlineClientAtBlock<PolkadotConfig>) -> (u64, u64) {
	let timestamp = match at.storage().fetch(airtime::storage().timestamp().now(), ()).await {
		Ok(v) => v.decode().unwrap_or(0),
		Err(e) => {
			tracing::debug!(error = %e, "cannot read Timestamp::Now");
			0
		},
	};
	let weight = match at.storage().fetch(airtime::storage().system().block_weight(), ()).await {
		Ok(v) => v
			.decode()
			.map(|w| {
				w.normal
					.ref_time
					.saturating_add(w.operational.ref_time)
					.saturating_add(w.mandatory.ref_time)
			})
			.unwrap_or(0),
		Err(e) => {
			tracing::debug!(error = %e, "cannot read System::BlockWeight");
			0
		},
	};
	(timestamp, weight)
}

/// Each applied extrinsic's outcome by index: `None` dispatched, `Some(error)` failed.
pub fn outcomes(
	evs: &Events<PolkadotConfig>,
	metadata: &subxt::Metadata,
) -> HashMap<u32, Option<String>> {
	let mut out = HashMap::new();
	for ev in evs.iter().flatten() {
		let Phase::ApplyExtrinsic(index) = ev.phase() else { continue };
		if ev.pallet_name() != "System" {
			continue;
		}
		match ev.event_name() {
			"ExtrinsicSuccess" => {
				out.insert(index, None);
			},
			"ExtrinsicFailed" => {
				let reason = match ev.decode_fields_as::<airtime::system::events::ExtrinsicFailed>()
				{
					Some(Ok(f)) => describe(&f.dispatch_error, metadata),
					_ => "ExtrinsicFailed (undecodable)".to_string(),
				};
				out.insert(index, Some(reason));
			},
			_ => {},
		}
	}
	out
}

/// A dispatch error by name: `Compute.JobNotDue`, `BadOrigin`, ...
pub fn describe(
	error: &airtime::runtime_types::sp_runtime::DispatchError,
	metadata: &subxt::Metadata,
) -> String {
	use airtime::runtime_types::sp_runtime::DispatchError as D;
	match error {
		D::Module(m) => m
			.error
			.first()
			.and_then(|variant| {
				let pallet = metadata.pallet_by_error_index(m.index)?;
				let v = pallet.error_variant_by_index(*variant)?;
				Some(format!("{}.{}", pallet.name(), v.name))
			})
			.unwrap_or_else(|| format!("Module {{ index: {}, error: {:?} }}", m.index, m.error)),
		other => format!("{other:?}"),
	}
}

fn number_of(block: &Block<PolkadotConfig>) -> Result<u32, LoadError> {
	u32::try_from(block.number()).map_err(LoadError::chain)
}

async fn on_best(
	ledger: &Ledger,
	mix: Option<&Mix>,
	block: Block<PolkadotConfig>,
) -> Result<(), LoadError> {
	let seen = Instant::now();
	let number = number_of(&block)?;
	let at = block.at().await.map_err(LoadError::chain)?;
	let body = body(&at, number).await?;
	let evs = at.events().fetch().await.map_err(LoadError::chain)?;
	let outcomes = outcomes(&evs, at.metadata_ref());
	let (timestamp_ms, weight_ref_time) = block_info(&at).await;
	{
		let mut guard = ledger.lock();
		let l = &mut *guard;
		let mut stat = BlockStat {
			timestamp_ms,
			extrinsics: body.count,
			bytes: body.bytes,
			weight_ref_time,
			ours_finalized: l.blocks.get(&number).map(|b| b.ours_finalized).unwrap_or(0),
			ours: 0,
		};
		for (index, hash) in &body.hashes {
			let Some(tx) = l.sent.get_mut(hash) else { continue };
			stat.ours = stat.ours.saturating_add(1);
			tx.include(seen, number, &mut l.counts);
			record_outcome(tx, outcomes.get(index), &mut l.failures);
		}
		l.blocks.insert(number, stat);
		l.best = number;
		if l.recording && l.finalized > 0 {
			let lag = number.saturating_sub(l.finalized);
			l.lag.push(lag);
		}
	}
	if let Some(mix) = mix {
		mix.on_block(number, &evs);
	}
	Ok(())
}

async fn on_finalized(ledger: &Ledger, block: Block<PolkadotConfig>) -> Result<(), LoadError> {
	let seen = Instant::now();
	let number = number_of(&block)?;
	let at = block.at().await.map_err(LoadError::chain)?;
	let body = body(&at, number).await?;
	let (ours, unknown_outcome, known_block) = {
		let mut guard = ledger.lock();
		let l = &mut *guard;
		let mut ours = 0u32;
		let mut unknown = false;
		for (_, hash) in &body.hashes {
			let Some(tx) = l.sent.get_mut(hash) else { continue };
			ours = ours.saturating_add(1);
			if tx.finalized.is_none() {
				tx.finalized = Some(seen);
			}
			// Included here if never seen in a best block (the best stream skipped it).
			tx.include(seen, number, &mut l.counts);
			unknown |= tx.ok.is_none();
		}
		l.finalized = l.finalized.max(number);
		let known = match l.blocks.get_mut(&number) {
			Some(b) => {
				b.ours_finalized = ours;
				true
			},
			None => false,
		};
		(ours, unknown, known)
	};
	if ours == 0 || (known_block && !unknown_outcome) {
		return Ok(());
	}
	// A block the best stream missed: read what the best path would have.
	let evs = at.events().fetch().await.map_err(LoadError::chain)?;
	let outcomes = outcomes(&evs, at.metadata_ref());
	let (timestamp_ms, weight_ref_time) = block_info(&at).await;
	let mut guard = ledger.lock();
	let l = &mut *guard;
	for (index, hash) in &body.hashes {
		let Some(tx) = l.sent.get_mut(hash) else { continue };
		record_outcome(tx, outcomes.get(index), &mut l.failures);
	}
	l.blocks.entry(number).or_insert(BlockStat {
		timestamp_ms,
		ours,
		ours_finalized: ours,
		extrinsics: body.count,
		bytes: body.bytes,
		weight_ref_time,
	});
	Ok(())
}
