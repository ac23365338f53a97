//! Leased compute jobs: take them, run them, attest, and verify others' results in disputes.
//!
//! ## A job's life in the worker
//!
//! The worker reads **finalized** blocks only. On `JobSubmitted` it checks the job against its
//! offers and its device (executor offered, `max_units` within the offer, the locked price fits
//! the unreserved budget, the parameters decode, the job's memory footprint fits the device, the
//! deadline leaves time) and calls `accept_job`. On its finalized `JobAssigned` it fetches the
//! inputs (verified by hash), runs the job, stores the output (fsynced, content-addressed), and
//! attests: `submit_attestation` for a single-provider job, `commit_attestation` then (once the
//! reveal period starts) `reveal_attestation` for a redundant one. `ProviderPaid` ends the job.
//! A job that cannot run (bad parameters, unreachable inputs, a hash mismatch, a device error,
//! too large for the device) is reported with `report_failure` before its deadline, with the
//! specific reason in the log; so is a job that is not attested `deadline_margin` blocks before
//! its deadline.
//!
//! ## Crash safety
//!
//! Every step is first written to the job journal ([`JobRecord`], fsynced): `Accepting`,
//! `Assigned`, `Executed { output, units, salt }` (only after the output is durably stored),
//! `Committed`, `Attested`, and the terminal `Paid` / `Ended`. A restarted worker replays the
//! journal and reconciles each unfinished job with the chain: it re-runs a job whose output is
//! missing, attests only if the chain shows its slot has not attested yet (and treats
//! `AlreadyAttested` as done), so a job is attested at most once and an attested output is never
//! lost; the commitment's salt is journaled before the commitment is sent, so a restarted worker
//! can still reveal.
//!
//! ## Verifier mode
//!
//! When `DisputeOpened` names this worker among the verifiers, it re-checks the job: for a GEMM
//! it looks for the claimed output (by hash, in its input sources) and checks it with Freivalds'
//! algorithm ([`crate::freivalds`], error probability ≤ 2^-rounds); otherwise, or when the claimed
//! output is not available, it re-executes the job (a bit-exact kind gives the correct hash).
//! It commits its vote (salt journaled first) and reveals it when `VoteRevealStarted` arrives. A
//! float GEMM whose claimed output cannot be fetched is not voted on (its hash cannot be
//! reproduced); silence is not punished.
//!
//! Every [`REDRIVE_EVERY`] blocks, and after the block subscription is re-established, every
//! unfinished job is reconciled with the chain again, so a step that failed on a lost
//! connection is retried and events missed meanwhile do not strand a job. A transaction that
//! fails in its block is checked against the chain too: a retried copy of one that did land
//! (`ProviderAlreadyInJob`, an already committed slot) is not mistaken for a failure.
//!
//! ## Limits
//!
//! - Submissions made while the worker was down are not back-filled; jobs it already held are.
//! - Data-market datasets named by a job are not fetched: such jobs are not accepted.
//! - One job executes at a time per device; others wait for it.

use crate::{
	chain::{self, ChainError, Client, Job, Offer},
	exec::{self, ExecError, Executor, JobParams},
	freivalds,
	journal::{Journal, JournalError, Record},
	metrics::JobMetrics,
	signer::{Op, SignerHandle},
	store::{FetchError, Fetcher, OutputAccess, Store},
};
use airtime_primitives::compute::{
	attestation_commitment, vote_commitment, ExecutorKind, JobId, JobPhase,
};
use codec::{Decode, Encode};
use sp_core::H256;
use sp_runtime::AccountId32;
use std::{
	collections::{HashMap, HashSet},
	path::PathBuf,
	sync::{
		atomic::{AtomicU32, Ordering},
		Arc,
	},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use thiserror::Error;
use tokio::sync::{Mutex, Semaphore};

/// Which side of a job this worker is on.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, serde::Serialize,
)]
pub enum Role {
	/// It holds a slot and runs the job.
	Provider,
	/// It was drawn to verify a disputed result.
	Verifier,
}

/// How far a job has come.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, serde::Serialize)]
pub enum Stage {
	/// `accept_job` sent.
	Accepting,
	/// The slot is ours (finalized `JobAssigned`), or we were drawn as a verifier.
	Assigned,
	/// The output is stored; the salt is for a commitment.
	Executed {
		/// blake2-256 of the output.
		output: H256,
		/// Units billed.
		units: u64,
		/// Commitment salt (redundant jobs).
		salt: [u8; 32],
	},
	/// The attestation commitment is sent.
	Committed {
		/// blake2-256 of the output.
		output: H256,
		/// Units billed.
		units: u64,
		/// The salt.
		salt: [u8; 32],
	},
	/// The attestation (or its reveal) is finalized.
	Attested {
		/// blake2-256 of the output.
		output: H256,
		/// Units billed.
		units: u64,
	},
	/// A dispute vote is about to be committed (salt journaled first).
	VoteCommitted {
		/// The output hash voted for.
		output: H256,
		/// The salt.
		salt: [u8; 32],
	},
	/// The vote is revealed.
	VoteRevealed {
		/// The output hash voted for.
		output: H256,
	},
	/// Paid for the job (terminal).
	Paid {
		/// Net amount received, planck.
		#[serde(with = "airtime_primitives::balance_string")]
		amount: u128,
	},
	/// Over without pay, or a verification finished (terminal).
	Ended {
		/// Why.
		reason: String,
	},
}

impl Stage {
	fn rank(&self) -> u8 {
		match self {
			Stage::Accepting => 0,
			Stage::Assigned => 1,
			Stage::Executed { .. } | Stage::VoteCommitted { .. } => 2,
			Stage::Committed { .. } => 3,
			Stage::Attested { .. } | Stage::VoteRevealed { .. } => 4,
			Stage::Paid { .. } | Stage::Ended { .. } => 9,
		}
	}

	/// `completed` (paid), `ended` (over without pay, or a verification done) or `running`.
	pub fn state(&self) -> &'static str {
		match self {
			Stage::Paid { .. } => "completed",
			Stage::Ended { .. } => "ended",
			_ => "running",
		}
	}

	/// Whether the job is over for this worker.
	pub fn is_terminal(&self) -> bool {
		self.rank() == 9
	}
}

/// One job journal record.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRecord {
	/// The job.
	pub job: JobId,
	/// Our role.
	pub role: Role,
	/// The job's owner (who may download the output).
	pub owner: AccountId32,
	/// Its executor.
	pub kind: ExecutorKind,
	/// Its deadline block.
	pub deadline: u32,
	/// Its redundancy.
	pub redundancy: u8,
	/// Unix milliseconds of the assignment (for attestation latency).
	pub since_ms: u64,
	/// The stored output, once executed (kept after the job ends, so its owner can still
	/// download it after a restart).
	pub output: Option<H256>,
	/// The stage.
	pub stage: Stage,
}

impl JobRecord {
	/// A fresh record of `job` in `role` at `stage` (`deadline`: the job's, or for a verifier the
	/// end of the vote commit period).
	pub fn new(job: &Job, role: Role, deadline: u32, stage: Stage) -> Self {
		JobRecord {
			job: job.id,
			role,
			owner: job.owner.clone(),
			kind: job.kind,
			deadline,
			redundancy: job.redundancy,
			since_ms: now_ms(),
			output: None,
			stage,
		}
	}
}

/// A journal key: a worker may hold a slot in a job and later, having lost it, verify it.
pub type JobKey = (JobId, Role);

impl Record for JobRecord {
	type Key = JobKey;
	fn key(&self) -> JobKey {
		(self.job, self.role)
	}
	fn supersedes(&self, old: &Self) -> bool {
		self.stage.rank() >= old.stage.rank()
	}
}

/// Why a job failed in the worker (each is logged, and reported on-chain for a held slot).
#[derive(Debug, Error)]
pub enum JobError {
	/// The executor refused or failed.
	#[error(transparent)]
	Exec(#[from] ExecError),
	/// An input could not be fetched or did not match its hash.
	#[error(transparent)]
	Fetch(#[from] FetchError),
	/// The job bills more units than it allows.
	#[error("the job needs {need} units, it allows {max}")]
	UnitsAboveSpec {
		/// Units the job needs.
		need: u64,
		/// Its `max_units`.
		max: u64,
	},
	/// The job reads data-market datasets, which this worker does not fetch.
	#[error("the job reads data-market datasets, which this worker does not fetch")]
	DatasetsUnsupported,
	/// The journal failed.
	#[error(transparent)]
	Journal(#[from] JournalError),
	/// The store failed.
	#[error("store: {0}")]
	Store(String),
	/// The chain failed.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// The executor task died.
	#[error("executor task failed: {0}")]
	Join(String),
}

impl JobError {
	/// A short label for metrics.
	pub fn code(&self) -> &'static str {
		match self {
			JobError::Exec(ExecError::TooLarge { .. }) => "too_large",
			JobError::Exec(ExecError::Device(_)) => "device",
			JobError::Exec(_) => "bad_spec",
			JobError::Fetch(FetchError::HashMismatch { .. }) => "hash_mismatch",
			JobError::Fetch(_) => "input_unavailable",
			JobError::UnitsAboveSpec { .. } => "units_above_spec",
			JobError::DatasetsUnsupported => "datasets",
			JobError::Journal(_) | JobError::Store(_) => "storage",
			JobError::Chain(_) => "chain",
			JobError::Join(_) => "executor_panic",
		}
	}
}

/// The runner's settings.
#[derive(Clone, Debug)]
pub struct RunConfig {
	/// The journal's path.
	pub journal: PathBuf,
	/// What this provider offers.
	pub offers: Vec<Offer>,
	/// Whether to take open jobs.
	pub accept: bool,
	/// Report failure this many blocks before a deadline if not attested.
	pub deadline_margin: u32,
	/// Freivalds rounds.
	pub verify_rounds: u32,
}

/// The job runner.
pub struct Runner {
	client: Client,
	signer: SignerHandle,
	exec: Arc<dyn Executor>,
	store: Arc<Store>,
	fetcher: Fetcher,
	access: Arc<OutputAccess>,
	journal: Mutex<Journal<JobRecord>>,
	metrics: Arc<JobMetrics>,
	cfg: RunConfig,
	/// Jobs a task is driving; `true` when an event arrived meanwhile (drive once more).
	busy: std::sync::Mutex<HashMap<JobKey, bool>>,
	/// Jobs whose failure report is in flight.
	reporting: std::sync::Mutex<HashSet<JobId>>,
	/// Disputes whose vote reveal period started (`VoteRevealStarted` seen).
	reveal_open: std::sync::Mutex<HashSet<JobId>>,
	device: Semaphore,
	finalized: AtomicU32,
}

/// Blocks between two passes that re-drive every unfinished job (a step that failed on an RPC
/// or transaction error is retried then; events missed across a resubscription are caught up).
const REDRIVE_EVERY: u32 = 5;
/// How long an `accept_job` may stay in the pool before its record is given up: its mortality
/// (64 blocks of 6 s), in milliseconds.
const ACCEPT_TIMEOUT_MS: u64 = 64 * 6_000;

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Whether a dispatch error is the pallet's `AlreadyAttested` (a previous run's attestation).
fn already_attested(e: &ChainError) -> bool {
	matches!(e, ChainError::Dispatch(m) if m.contains("AlreadyAttested"))
}

impl Runner {
	/// A runner over its parts; call [`Runner::resume`] then [`Runner::follow`].
	#[allow(clippy::too_many_arguments)]
	pub fn new(
		client: Client,
		signer: SignerHandle,
		exec: Arc<dyn Executor>,
		store: Arc<Store>,
		fetcher: Fetcher,
		access: Arc<OutputAccess>,
		metrics: Arc<JobMetrics>,
		cfg: RunConfig,
	) -> Result<Arc<Self>, JournalError> {
		let journal = Journal::open(&cfg.journal)?;
		Ok(Arc::new(Self {
			client,
			signer,
			exec,
			store,
			fetcher,
			access,
			journal: Mutex::new(journal),
			metrics,
			cfg,
			busy: std::sync::Mutex::new(HashMap::new()),
			reporting: std::sync::Mutex::new(HashSet::new()),
			reveal_open: std::sync::Mutex::new(HashSet::new()),
			device: Semaphore::new(1),
			finalized: AtomicU32::new(0),
		}))
	}

	fn me(&self) -> &AccountId32 {
		self.signer.account()
	}

	/// The journal's records, latest per job.
	pub async fn records(&self) -> Vec<JobRecord> {
		self.journal.lock().await.latest().values().cloned().collect()
	}

	async fn record(&self, job: JobId, role: Role) -> Option<JobRecord> {
		self.journal.lock().await.latest().get(&(job, role)).cloned()
	}

	async fn set_stage(&self, mut rec: JobRecord, stage: Stage) -> Result<JobRecord, JobError> {
		tracing::info!(job = rec.job, from = ?rec.stage, to = ?stage, "job stage");
		rec.stage = stage;
		self.journal.lock().await.append(rec.clone())?;
		Ok(rec)
	}

	/// Pick up every unfinished job of the journal (after a restart).
	pub async fn resume(self: &Arc<Self>) {
		match chain::finalized_number(&self.client).await {
			Ok(n) => self.finalized.store(n, Ordering::Relaxed),
			Err(e) => tracing::warn!(error = %e, "cannot read the finalized block"),
		}
		let records = self.records().await;
		let mut open = 0usize;
		for rec in records {
			if let Some(output) = rec.output {
				self.access.allow(output, rec.owner.clone());
			}
			if rec.stage.is_terminal() {
				continue;
			}
			open = open.saturating_add(1);
			tracing::info!(job = rec.job, role = ?rec.role, stage = ?rec.stage, "resuming job");
			self.start(rec.job, rec.role);
		}
		self.metrics.jobs_running.set(open as i64);
	}

	/// Re-drive every unfinished job no task is driving (see [`REDRIVE_EVERY`]).
	async fn redrive(self: &Arc<Self>) {
		let reveal_open = self.reveal_open.lock().map(|r| r.clone()).unwrap_or_default();
		let keys: Vec<JobKey> = self
			.records()
			.await
			.into_iter()
			.filter(|r| match r.stage {
				Stage::VoteCommitted { .. } => reveal_open.contains(&r.job),
				ref s => !s.is_terminal() && !matches!(s, Stage::Attested { .. }),
			})
			.map(|r| (r.job, r.role))
			.collect();
		for (job, role) in keys {
			self.start(job, role);
		}
	}

	/// Start driving a job unless a task already does; then that task drives it once more
	/// when it is done (the event that called us may be one it has not seen).
	fn start(self: &Arc<Self>, job: JobId, role: Role) {
		let key = (job, role);
		let fresh = self
			.busy
			.lock()
			.map(|mut b| match b.get_mut(&key) {
				Some(again) => {
					*again = true;
					false
				},
				None => {
					b.insert(key, false);
					true
				},
			})
			.unwrap_or(false);
		if !fresh {
			return;
		}
		let this = self.clone();
		tokio::spawn(async move {
			loop {
				if let Err(e) = this.drive(job, role).await {
					tracing::warn!(job, error = %e, "job step failed; retried within a few blocks");
				}
				let again = this
					.busy
					.lock()
					.map(|mut b| {
						if b.get(&key).copied().unwrap_or(false) {
							b.insert(key, false);
							true
						} else {
							b.remove(&key);
							false
						}
					})
					.unwrap_or(false);
				if !again {
					break;
				}
			}
		});
	}

	async fn drive(self: &Arc<Self>, job: JobId, role: Role) -> Result<(), JobError> {
		let Some(rec) = self.record(job, role).await else { return Ok(()) };
		match rec.role {
			Role::Provider => self.drive_provider(rec).await,
			Role::Verifier => self.drive_verifier(rec).await,
		}
	}

	async fn drive_provider(self: &Arc<Self>, mut rec: JobRecord) -> Result<(), JobError> {
		let job = rec.job;
		loop {
			let view = chain::job(&self.client, job).await?;
			let slot = view.as_ref().and_then(|v| v.slot_of(self.me()).cloned());
			match rec.stage.clone() {
				Stage::Accepting | Stage::Assigned => {
					let pending = rec.stage == Stage::Accepting
						&& view.is_some() && now_ms().saturating_sub(rec.since_ms)
						< ACCEPT_TIMEOUT_MS;
					let (Some(view), Some(_)) = (view, slot) else {
						if pending {
							return Ok(()); // the accept may still land: JobAssigned brings us back
						}
						self.end(rec, "no slot in the job (not assigned, or the job ended)")
							.await?;
						return Ok(());
					};
					if rec.stage == Stage::Accepting {
						rec = self.set_stage(rec, Stage::Assigned).await?;
					}
					let now = self.finalized.load(Ordering::Relaxed);
					if now.saturating_add(self.cfg.deadline_margin) >= view.deadline {
						self.fail(rec, "too close to the deadline to run").await?;
						return Ok(());
					}
					match self.execute(&view).await {
						Ok(out) => {
							let salt: [u8; 32] = rand::random();
							self.access.allow(out.hash, view.owner.clone());
							rec.output = Some(out.hash);
							rec = self
								.set_stage(
									rec,
									Stage::Executed { output: out.hash, units: out.units, salt },
								)
								.await?;
						},
						Err(e) => {
							tracing::warn!(job, error = %e, code = e.code(), "job cannot run");
							self.metrics.jobs_failed.with_label_values(&[e.code()]).inc();
							if matches!(e, JobError::Chain(_) | JobError::Journal(_)) {
								return Err(e);
							}
							self.fail(rec, &e.to_string()).await?;
							return Ok(());
						},
					}
				},
				Stage::Executed { output, units, salt } => {
					if slot.as_ref().is_some_and(|s| s.committed) {
						let next = if rec.redundancy > 1 {
							Stage::Committed { output, units, salt }
						} else {
							Stage::Attested { output, units }
						};
						rec = self.set_stage(rec, next).await?;
						continue;
					}
					if view.is_none() || slot.is_none() {
						self.end(rec, "the job ended or the slot was lost before attesting")
							.await?;
						return Ok(());
					}
					if !self.store.contains(&output) {
						tracing::warn!(job, %output, "output missing from the store: re-running");
						// In this loop only: the journal keeps `Executed` until the new one.
						rec.stage = Stage::Assigned;
						continue;
					}
					let op = if rec.redundancy > 1 {
						let commitment =
							attestation_commitment(job, self.me(), &output, units, &salt);
						Op::CommitAttestation { job, commitment }
					} else {
						Op::SubmitAttestation { job, output, usage: units }
					};
					match self.signer.submit_with_retry(op).await {
						Ok(_) => {},
						Err(e) if already_attested(&e) => {
							tracing::info!(job, "already attested by an earlier run");
						},
						Err(e @ ChainError::Dispatch(_)) => {
							// A retried copy of a transaction that did land fails this way:
							// believe the chain, not the error.
							let slot = chain::job(&self.client, job)
								.await?
								.and_then(|v| v.slot_of(self.me()).cloned());
							if !slot.is_some_and(|s| s.committed) {
								self.end(rec, &format!("attestation refused: {e}")).await?;
								return Ok(());
							}
							tracing::info!(job, error = %e, "refused, but the chain has our attestation");
						},
						Err(e) => return Err(e.into()),
					}
					let next = if rec.redundancy > 1 {
						Stage::Committed { output, units, salt }
					} else {
						self.attested(&rec);
						Stage::Attested { output, units }
					};
					rec = self.set_stage(rec, next).await?;
				},
				Stage::Committed { output, units, salt } => {
					let Some(view) = view else {
						self.end(rec, "the job ended before the reveal").await?;
						return Ok(());
					};
					if slot.as_ref().is_some_and(|s| s.output_hash.is_some()) {
						rec = self.set_stage(rec, Stage::Attested { output, units }).await?;
						continue;
					}
					if view.phase != JobPhase::Revealing {
						return Ok(()); // RevealPeriodStarted brings us back
					}
					let op = Op::RevealAttestation { job, output, usage: units, salt };
					match self.signer.submit_with_retry(op).await {
						Ok(_) => {},
						Err(e @ ChainError::Dispatch(_)) => {
							let revealed = chain::job(&self.client, job)
								.await?
								.and_then(|v| v.slot_of(self.me()).cloned())
								.is_some_and(|s| s.output_hash.is_some());
							if !revealed {
								self.end(rec, &format!("reveal refused: {e}")).await?;
								return Ok(());
							}
						},
						Err(e) => return Err(e.into()),
					}
					self.attested(&rec);
					rec = self.set_stage(rec, Stage::Attested { output, units }).await?;
				},
				Stage::Attested { .. } => {
					if view.is_none() {
						// Settled (or refunded) while we were away: the events were missed.
						self.end(rec, "the job ended while the worker was away").await?;
					}
					return Ok(());
				},
				_ => return Ok(()),
			}
		}
	}

	fn attested(&self, rec: &JobRecord) {
		let secs = now_ms().saturating_sub(rec.since_ms) as f64 / 1000.0;
		self.metrics.attestation_latency.observe(secs);
		tracing::info!(job = rec.job, latency_s = secs, "attestation finalized");
	}

	async fn end(&self, rec: JobRecord, reason: &str) -> Result<(), JobError> {
		tracing::info!(job = rec.job, reason, "job over for this worker");
		self.set_stage(rec, Stage::Ended { reason: reason.into() }).await?;
		self.refresh_running().await;
		Ok(())
	}

	/// Report failure on-chain (before the deadline) and end the job.
	async fn fail(&self, rec: JobRecord, reason: &str) -> Result<(), JobError> {
		let job = rec.job;
		let first = self.reporting.lock().map(|mut r| r.insert(job)).unwrap_or(false);
		if !first {
			return Ok(());
		}
		tracing::warn!(job, reason, "reporting failure on-chain");
		let result = self.signer.submit_with_retry(Op::ReportFailure(job)).await;
		if let Ok(mut r) = self.reporting.lock() {
			r.remove(&job);
		}
		match result {
			Ok(_) => self.end(rec, &format!("failure reported: {reason}")).await,
			Err(e @ ChainError::Dispatch(_)) => {
				self.end(rec, &format!("{reason}; failure report refused: {e}")).await
			},
			Err(e) => Err(e.into()),
		}
	}

	async fn refresh_running(&self) {
		let running =
			self.journal.lock().await.latest().values().filter(|r| !r.stage.is_terminal()).count();
		self.metrics.jobs_running.set(running as i64);
	}

	async fn fetch_inputs(&self, job: &Job) -> Result<Vec<Vec<u8>>, JobError> {
		let mut inputs = Vec::with_capacity(job.inputs.len());
		for hash in &job.inputs {
			inputs.push(self.fetcher.fetch(&self.store, *hash).await?);
		}
		Ok(inputs)
	}

	/// Fetch, check, run on the device (one job at a time), store the output durably.
	async fn execute(&self, job: &Job) -> Result<exec::JobOutput, JobError> {
		if !job.datasets.is_empty() {
			return Err(JobError::DatasetsUnsupported);
		}
		let params = JobParams::decode(job.kind, &job.params)?;
		// One job at a time fetches and runs: queued jobs do not hold their inputs in memory.
		let _device = self.device.acquire().await.map_err(|e| JobError::Join(e.to_string()))?;
		let inputs = self.fetch_inputs(job).await?;
		self.run_and_store(job, params, inputs).await
	}

	/// Run a job on the fetched `inputs` and store its output durably (the caller holds the
	/// device). The returned output's bytes are moved to the store (empty here).
	async fn run_and_store(
		&self,
		job: &Job,
		params: JobParams,
		inputs: Vec<Vec<u8>>,
	) -> Result<exec::JobOutput, JobError> {
		tracing::info!(job = job.id, kind = ?job.kind, backend = self.exec.backend(), "executing job");
		let started = Instant::now();
		let exec = self.exec.clone();
		let id = job.id;
		let ticker = tokio::spawn(async move {
			let mut tick = tokio::time::interval(Duration::from_secs(10));
			tick.tick().await;
			loop {
				tick.tick().await;
				tracing::info!(job = id, elapsed_s = started.elapsed().as_secs(), "job running");
			}
		});
		let result =
			tokio::task::spawn_blocking(move || exec::run_job(exec.as_ref(), &params, &inputs))
				.await;
		ticker.abort();
		let out = result.map_err(|e| JobError::Join(e.to_string()))??;
		let secs = started.elapsed().as_secs_f64();
		self.metrics
			.executor_seconds
			.with_label_values(&[&format!("{:?}", job.kind), self.exec.backend()])
			.observe(secs);
		if out.units > job.max_units {
			return Err(JobError::UnitsAboveSpec { need: out.units, max: job.max_units });
		}
		let mut out = out;
		let bytes = std::mem::take(&mut out.bytes);
		let store = self.store.clone();
		let stored = tokio::task::spawn_blocking(move || store.put(&bytes))
			.await
			.map_err(|e| JobError::Join(e.to_string()))?
			.map_err(|e| JobError::Store(e.to_string()))?;
		if stored != out.hash {
			return Err(JobError::Store(format!("stored {stored:?}, computed {:?}", out.hash)));
		}
		tracing::info!(job = job.id, output = ?out.hash, units = out.units, secs, "job executed");
		Ok(out)
	}

	/// Whether to take `job`: the checks a provider makes before `accept_job`.
	pub fn eligible(&self, job: &Job, now: u32) -> Result<(), String> {
		let offer = self
			.cfg
			.offers
			.iter()
			.find(|o| o.kind == job.kind)
			.ok_or_else(|| format!("{:?} is not offered", job.kind))?;
		if &job.owner == self.me() {
			return Err("own job".into());
		}
		if job.max_units > offer.max_units {
			return Err(format!("{} units above the offer's {}", job.max_units, offer.max_units));
		}
		let cost = offer.price_per_unit.saturating_mul(u128::from(job.max_units));
		if cost > job.budget.saturating_sub(job.reserved) {
			return Err("the price does not fit the unreserved budget".into());
		}
		if !job.datasets.is_empty() {
			return Err("reads data-market datasets".into());
		}
		if job.slots.len() >= usize::from(job.redundancy) {
			return Err("every slot is taken".into());
		}
		let params = JobParams::decode(job.kind, &job.params).map_err(|e| e.to_string())?;
		let sizes: u64 = params.input_sizes().iter().map(|s| s.unwrap_or(0)).sum();
		let need = params.footprint(sizes);
		let have = self.exec.device().memory_bytes;
		if need > have {
			return Err(format!("needs {need} bytes of device memory, the device has {have}"));
		}
		if now.saturating_add(self.cfg.deadline_margin.saturating_mul(2)) >= job.deadline {
			return Err("the deadline is too close".into());
		}
		Ok(())
	}

	/// Consider a newly submitted job.
	async fn consider(self: &Arc<Self>, job: JobId) -> Result<(), JobError> {
		if !self.cfg.accept || self.record(job, Role::Provider).await.is_some() {
			return Ok(());
		}
		let Some(view) = chain::job(&self.client, job).await? else { return Ok(()) };
		if let Err(why) = self.eligible(&view, self.finalized.load(Ordering::Relaxed)) {
			tracing::info!(job, why, "not taking the job");
			return Ok(());
		}
		let rec = JobRecord::new(&view, Role::Provider, view.deadline, Stage::Accepting);
		self.journal.lock().await.append(rec.clone())?;
		self.refresh_running().await;
		match self.signer.submit_with_retry(Op::AcceptJob(job)).await {
			Ok(_) => tracing::info!(job, "job accepted"),
			Err(ChainError::Dispatch(m)) if m.contains("ProviderAlreadyInJob") => {
				tracing::info!(job, "accepted by an earlier copy of the transaction");
			},
			Err(e) => {
				tracing::info!(job, error = %e, "accept_job failed");
				self.end(rec, &format!("accept refused: {e}")).await?;
			},
		}
		Ok(())
	}

	async fn drive_verifier(self: &Arc<Self>, rec: JobRecord) -> Result<(), JobError> {
		let job = rec.job;
		let Some(view) = chain::job(&self.client, job).await? else {
			self.end(rec, "the dispute ended").await?;
			return Ok(());
		};
		match rec.stage.clone() {
			Stage::Assigned => {
				let Some(vote) = self.verify(&view).await? else {
					self.end(rec, "cannot verify: no vote").await?;
					return Ok(());
				};
				let salt: [u8; 32] = rand::random();
				let commitment = vote_commitment(job, self.me(), &vote, &salt);
				let rec = self.set_stage(rec, Stage::VoteCommitted { output: vote, salt }).await?;
				match self.signer.submit_with_retry(Op::CommitVote { job, commitment }).await {
					Ok(_) => {},
					Err(ChainError::Dispatch(m)) if m.contains("AlreadyVoted") => {},
					Err(e @ ChainError::Dispatch(_)) => {
						self.end(rec, &format!("vote commit refused: {e}")).await?;
						return Ok(());
					},
					Err(e) => return Err(e.into()),
				}
				// The last verifier's commit opens the reveal in the same block: its
				// `VoteRevealStarted` may have been handled while this task was busy.
				if self.reveal_open.lock().map(|r| r.contains(&job)).unwrap_or(false) {
					self.start(job, Role::Verifier);
				}
				Ok(())
			},
			Stage::VoteCommitted { output, salt } => {
				// The reveal opens after every verifier committed; VoteRevealStarted brings us
				// back. A reveal sent too early is refused and retried then.
				match self.signer.submit_with_retry(Op::RevealVote { job, output, salt }).await {
					Ok(_) => {
						self.set_stage(rec, Stage::VoteRevealed { output }).await?;
					},
					Err(e @ ChainError::Dispatch(_)) => {
						tracing::warn!(job, error = %e, "vote reveal refused")
					},
					Err(e) => return Err(e.into()),
				}
				Ok(())
			},
			_ => Ok(()),
		}
	}

	/// The output hash this verifier votes for, or `None` when it cannot judge.
	async fn verify(&self, job: &Job) -> Result<Option<H256>, JobError> {
		let claimed = job.slots.iter().find_map(|s| s.output_hash);
		let params = JobParams::decode(job.kind, &job.params)?;
		let is_gemm = matches!(params, JobParams::GemmInt8(_) | JobParams::GemmF32(_));
		if let (true, Some(claimed)) = (is_gemm, claimed) {
			if let Ok(output) = self.fetcher.fetch(&self.store, claimed).await {
				let _device =
					self.device.acquire().await.map_err(|e| JobError::Join(e.to_string()))?;
				let inputs = self.fetch_inputs(job).await?;
				let rounds = self.cfg.verify_rounds;
				let (ok, inputs) = tokio::task::spawn_blocking(move || {
					let ok = freivalds::check_claim(
						&params,
						&inputs,
						&output,
						rounds,
						&mut rand::rngs::OsRng,
					);
					(ok, inputs)
				})
				.await
				.map_err(|e| JobError::Join(e.to_string()))?;
				match ok {
					Ok(true) => {
						self.metrics.verifications.with_label_values(&["claim_holds"]).inc();
						tracing::info!(job = job.id, %claimed, rounds, "Freivalds: the claim holds");
						return Ok(Some(claimed));
					},
					Ok(false) => {
						self.metrics.verifications.with_label_values(&["claim_wrong"]).inc();
						tracing::warn!(job = job.id, %claimed, "Freivalds: the claim is wrong");
					},
					Err(e) => tracing::warn!(job = job.id, error = %e, "Freivalds check failed"),
				}
				if !job.kind.is_bit_exact() {
					tracing::warn!(job = job.id, "a float result cannot be re-executed to a hash");
					return Ok(None);
				}
				// The inputs are here already, and the device is held: re-execute now.
				let out = self.run_and_store(job, params, inputs).await?;
				self.metrics.verifications.with_label_values(&["re_executed"]).inc();
				return Ok(Some(out.hash));
			}
		}
		if !job.kind.is_bit_exact() {
			tracing::warn!(job = job.id, "float result without its output: not voting");
			return Ok(None);
		}
		let out = self.execute(job).await?;
		self.metrics.verifications.with_label_values(&["re_executed"]).inc();
		Ok(Some(out.hash))
	}

	/// Handle one finalized block's events.
	async fn on_block(
		self: &Arc<Self>,
		block: subxt::client::Block<subxt::PolkadotConfig>,
	) -> Result<(), ChainError> {
		use chain::airtime::compute::events;
		let number = u32::try_from(block.number()).map_err(ChainError::rpc)?;
		self.finalized.store(number, Ordering::Relaxed);
		self.metrics.finalized.set(i64::from(number));
		let at = block.at().await.map_err(ChainError::rpc)?;
		let evs = at.events().fetch().await.map_err(ChainError::rpc)?;
		let me = chain::to_subxt_account(self.me());
		for e in evs.find::<events::JobSubmitted>().flatten() {
			let this = self.clone();
			let job = e.job;
			tokio::spawn(async move {
				if let Err(e) = this.consider(job).await {
					tracing::warn!(job, error = %e, "cannot consider the job");
				}
			});
		}
		for e in evs.find::<events::JobAssigned>().flatten() {
			if e.provider != me {
				continue;
			}
			if self.record(e.job, Role::Provider).await.is_none() {
				// Assigned by a matcher: adopt it.
				if let Ok(Some(view)) = chain::job(&self.client, e.job).await {
					let rec = JobRecord::new(&view, Role::Provider, view.deadline, Stage::Assigned);
					if let Err(e) = self.journal.lock().await.append(rec) {
						tracing::warn!(error = %e, "cannot journal a matched job");
						continue;
					}
				}
			}
			self.start(e.job, Role::Provider);
		}
		for e in evs.find::<events::RevealPeriodStarted>().flatten() {
			if self.record(e.job, Role::Provider).await.is_some_and(|r| !r.stage.is_terminal()) {
				self.start(e.job, Role::Provider);
			}
		}
		for e in evs.find::<events::ProviderPaid>().flatten() {
			if e.provider != me {
				continue;
			}
			if let Some(rec) = self.record(e.job, Role::Provider).await {
				self.metrics.jobs_completed.inc();
				self.metrics.earnings.inc_by(e.amount as f64 / airtime_primitives::AIR as f64);
				tracing::info!(job = e.job, amount = %crate::format_air(e.amount), "paid");
				let _ = self.set_stage(rec, Stage::Paid { amount: e.amount }).await;
				self.refresh_running().await;
			}
		}
		// A slot the settlement did not pay (found wrong in a dispute, or silent at the reveal)
		// ends with the job.
		for e in evs.find::<events::JobSettled>().flatten() {
			if let Some(rec) =
				self.record(e.job, Role::Provider).await.filter(|r| !r.stage.is_terminal())
			{
				let _ = self.end(rec, "the job settled without paying this slot").await;
			}
		}
		for e in evs.find::<events::JobRefunded>().flatten() {
			for role in [Role::Provider, Role::Verifier] {
				if let Some(rec) = self.record(e.job, role).await.filter(|r| !r.stage.is_terminal())
				{
					let _ = self.end(rec, &format!("refunded to the owner: {:?}", e.reason)).await;
				}
			}
		}
		for e in evs.find::<events::FailureReported>().flatten() {
			if e.provider == me {
				if let Some(rec) =
					self.record(e.job, Role::Provider).await.filter(|r| !r.stage.is_terminal())
				{
					let _ = self.end(rec, "failure reported").await;
				}
			}
		}
		for e in evs.find::<events::ProviderSlashed>().flatten() {
			if e.provider == me {
				tracing::warn!(job = e.job, amount = e.amount, reason = ?e.reason, "slashed");
			}
		}
		for e in evs.find::<events::DisputeOpened>().flatten() {
			if !e.verifiers.0.contains(&me) {
				continue;
			}
			tracing::info!(job = e.job, "drawn as a verifier");
			if let Ok(Some(view)) = chain::job(&self.client, e.job).await {
				let rec = JobRecord::new(&view, Role::Verifier, e.commit_until, Stage::Assigned);
				match self.journal.lock().await.append(rec) {
					Ok(()) => {},
					Err(e) => {
						tracing::warn!(error = %e, "cannot journal a verification");
						continue;
					},
				}
				self.start(e.job, Role::Verifier);
			}
		}
		for e in evs.find::<events::VoteRevealStarted>().flatten() {
			if let Ok(mut r) = self.reveal_open.lock() {
				r.insert(e.job);
			}
			if self
				.record(e.job, Role::Verifier)
				.await
				.is_some_and(|r| matches!(r.stage, Stage::VoteCommitted { .. }))
			{
				self.start(e.job, Role::Verifier);
			}
		}
		for e in evs.find::<events::DisputeResolved>().flatten() {
			if let Ok(mut r) = self.reveal_open.lock() {
				r.remove(&e.job);
			}
			if let Some(rec) =
				self.record(e.job, Role::Verifier).await.filter(|r| !r.stage.is_terminal())
			{
				let _ = self.end(rec, "dispute resolved").await;
			}
		}
		if number.is_multiple_of(REDRIVE_EVERY) {
			self.redrive().await;
		}
		self.watch_deadlines(number).await;
		Ok(())
	}

	/// Report failure for held slots that will not be attested in time.
	async fn watch_deadlines(self: &Arc<Self>, now: u32) {
		let late: Vec<JobRecord> = self
			.journal
			.lock()
			.await
			.latest()
			.values()
			.filter(|r| {
				r.role == Role::Provider
					&& matches!(r.stage, Stage::Accepting | Stage::Assigned)
					&& now.saturating_add(self.cfg.deadline_margin) >= r.deadline
			})
			.cloned()
			.collect();
		for rec in late {
			let this = self.clone();
			tokio::spawn(async move {
				let job = rec.job;
				if let Err(e) = this.fail(rec, "not done before the deadline margin").await {
					tracing::warn!(job, error = %e, "cannot report failure");
				}
			});
		}
	}

	/// Follow finalized blocks forever (resubscribing with backoff).
	pub async fn follow(self: Arc<Self>) {
		chain::follow_finalized(&self.client.clone(), |followed| {
			let this = self.clone();
			async move {
				match followed {
					chain::Followed::Block(block) => this.on_block(block).await,
					// Events of blocks finalized while unsubscribed are not replayed: reconcile
					// every unfinished job with the chain instead.
					chain::Followed::Subscribed => {
						this.redrive().await;
						Ok(())
					},
				}
			}
		})
		.await
	}
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;

	fn rec(job: JobId, stage: Stage) -> JobRecord {
		JobRecord {
			job,
			role: Role::Provider,
			owner: AccountId32::new([1; 32]),
			kind: ExecutorKind::GemmInt8,
			deadline: 100,
			redundancy: 1,
			since_ms: 0,
			output: None,
			stage,
		}
	}

	#[test]
	fn the_journal_never_moves_a_job_backwards_on_replay() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("jobs.journal");
		let executed = Stage::Executed { output: H256::repeat_byte(7), units: 3, salt: [9; 32] };
		{
			let mut j = Journal::<JobRecord>::open(&path).unwrap();
			j.append(rec(1, Stage::Accepting)).unwrap();
			j.append(rec(1, Stage::Assigned)).unwrap();
			j.append(rec(1, executed.clone())).unwrap();
			j.append(rec(2, Stage::Assigned)).unwrap();
			j.append(rec(2, Stage::Paid { amount: 5 })).unwrap();
			// A stale record written late (e.g. by a racing task) does not win on replay.
			j.append(rec(2, Stage::Accepting)).unwrap();
		}
		let j = Journal::<JobRecord>::open(&path).unwrap();
		assert_eq!(j.latest().get(&(1, Role::Provider)).unwrap().stage, executed);
		assert_eq!(j.latest().get(&(2, Role::Provider)).unwrap().stage, Stage::Paid { amount: 5 });
		// A verification of a job whose slot was lost is its own record.
		drop(j);
		let mut j = Journal::<JobRecord>::open(&path).unwrap();
		let mut verify = rec(2, Stage::Assigned);
		verify.role = Role::Verifier;
		j.append(verify).unwrap();
		assert_eq!(j.latest().get(&(2, Role::Verifier)).unwrap().stage, Stage::Assigned);
		assert_eq!(j.latest().get(&(2, Role::Provider)).unwrap().stage, Stage::Paid { amount: 5 });
	}

	#[test]
	fn stages_know_their_end_and_dispatch_errors_are_recognised() {
		let out = H256::repeat_byte(3);
		assert!(Stage::Ended { reason: "x".into() }.is_terminal());
		assert!(!Stage::Committed { output: out, units: 1, salt: [0; 32] }.is_terminal());
		assert!(already_attested(&ChainError::Dispatch("Compute::AlreadyAttested".into())));
		assert!(!already_attested(&ChainError::Transaction("AlreadyAttested".into())));
	}
}
