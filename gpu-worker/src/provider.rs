//! The provider's commands: `register`, `run`, `status`, `unregister`.

use crate::{
	chain::{self, Capabilities, ChainError},
	config::{Backend, ConfigError, FileConfig},
	exec::{self, Executor},
	jobs::{JobRecord, RunConfig, Runner, Stage},
	journal::{Journal, JournalError},
	metrics::JobMetrics,
	signer::{self, Op},
	store::{Fetcher, OutputAccess, Source, Store},
};
use axum::{extract::State, routing::get, Json, Router};
use sp_core::{sr25519, Pair};
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};
use thiserror::Error;

/// Resolved settings of the provider commands.
#[derive(Clone, Debug)]
pub struct Settings {
	/// Node endpoint.
	pub rpc: String,
	/// Secret URI (never logged).
	pub secret: String,
	/// Data directory.
	pub data_dir: PathBuf,
	/// HTTP listen address.
	pub listen: SocketAddr,
	/// Backend choice.
	pub backend: Backend,
	/// The configuration file's contents.
	pub file: FileConfig,
}

/// Provider command failures.
#[derive(Debug, Error)]
pub enum ProviderError {
	/// Configuration.
	#[error(transparent)]
	Config(#[from] ConfigError),
	/// Chain.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// Journal.
	#[error(transparent)]
	Journal(#[from] JournalError),
	/// The key does not parse.
	#[error("the configured secret is not a valid secret URI, mnemonic or seed")]
	BadKey,
	/// No CUDA device when `backend = "cuda"`.
	#[error("backend = \"cuda\" but no CUDA device is usable")]
	NoCuda,
	/// Other failures (store, metrics, listen).
	#[error("{0}")]
	Other(String),
}

impl Settings {
	fn pair(&self) -> Result<sr25519::Pair, ProviderError> {
		sr25519::Pair::from_string(&self.secret, None).map_err(|_| ProviderError::BadKey)
	}

	fn executor(&self) -> Result<Arc<dyn Executor>, ProviderError> {
		let exec: Arc<dyn Executor> = Arc::from(exec::select(self.backend == Backend::Cpu));
		if self.backend == Backend::Cuda && exec.backend() != "cuda" {
			return Err(ProviderError::NoCuda);
		}
		Ok(exec)
	}

	fn journal_path(&self) -> PathBuf {
		self.data_dir.join("jobs.journal")
	}
}

/// What `register` detected and registered.
pub fn capabilities(settings: &Settings, exec: &dyn Executor) -> Capabilities {
	let device = exec.device();
	Capabilities {
		gpu_model: settings.file.gpu_model.clone().unwrap_or(device.model),
		vram_mib: u32::try_from(device.memory_bytes / (1024 * 1024)).unwrap_or(u32::MAX),
		devices: device.devices,
		offers: settings.file.offers.clone(),
	}
}

/// `register`: register the account as a provider with the detected capabilities.
pub async fn register(
	settings: &Settings,
	stake: Option<u128>,
) -> Result<serde_json::Value, ProviderError> {
	let stake = stake
		.or(settings.file.stake())
		.ok_or_else(|| ConfigError::Invalid("no stake: set `stake` or pass --stake".into()))?;
	if settings.file.offers.is_empty() {
		return Err(ConfigError::Invalid("no [[offers]] in the configuration".into()).into());
	}
	let exec = settings.executor()?;
	let caps = capabilities(settings, exec.as_ref());
	let (client, rpc) = chain::connect(&settings.rpc).await?;
	let signer = signer::spawn(client.clone(), rpc, settings.pair()?);
	signer.submit_with_retry(Op::RegisterProvider { capabilities: caps.clone(), stake }).await?;
	Ok(serde_json::json!({
		"provider": signer.account().to_string(),
		"stake": stake.to_string(),
		"offers": caps.offers,
		"gpuModel": caps.gpu_model,
		"vramMib": caps.vram_mib,
		"devices": caps.devices,
		"backend": exec.backend(),
	}))
}

/// `unregister`: start leaving (the stake is released after the unbonding period).
pub async fn unregister(settings: &Settings) -> Result<serde_json::Value, ProviderError> {
	let (client, rpc) = chain::connect(&settings.rpc).await?;
	let signer = signer::spawn(client.clone(), rpc, settings.pair()?);
	signer.submit_with_retry(Op::UnregisterProvider).await?;
	let provider = chain::provider(&client, signer.account()).await?;
	Ok(serde_json::json!({ "provider": signer.account().to_string(), "record": provider }))
}

fn summary(records: &[JobRecord]) -> serde_json::Value {
	let earnings: u128 = records
		.iter()
		.map(|r| match r.stage {
			Stage::Paid { amount } => amount,
			_ => 0,
		})
		.fold(0u128, |a, b| a.saturating_add(b));
	let jobs: Vec<serde_json::Value> = records
		.iter()
		.map(|r| {
			let mut v = serde_json::to_value(r).unwrap_or_default();
			if let Some(o) = v.as_object_mut() {
				o.insert("state".into(), r.stage.state().into());
			}
			v
		})
		.collect();
	serde_json::json!({
		"jobs": jobs,
		"open": records.iter().filter(|r| !r.stage.is_terminal()).count(),
		"earnings": earnings.to_string(),
	})
}

/// `status`: the provider record on chain, the journal's jobs and the earnings.
pub async fn status(settings: &Settings) -> Result<serde_json::Value, ProviderError> {
	let account: sp_runtime::AccountId32 = settings.pair()?.public().into();
	let (client, _rpc) = chain::connect(&settings.rpc).await?;
	let provider = chain::provider(&client, &account).await?;
	// Read-only: a running worker may be appending to the journal.
	let records = Journal::<JobRecord>::read(&settings.journal_path())?;
	let mut out = summary(&records.into_values().collect::<Vec<_>>());
	if let Some(o) = out.as_object_mut() {
		o.insert("account".into(), account.to_string().into());
		o.insert("provider".into(), serde_json::to_value(provider).unwrap_or_default());
	}
	Ok(out)
}

struct HttpState {
	runner: Arc<Runner>,
	metrics: Arc<JobMetrics>,
	/// The provider account, which output requests are signed for.
	worker: sp_runtime::AccountId32,
}

async fn metrics_handler(State(s): State<Arc<HttpState>>) -> String {
	s.metrics.render()
}

async fn status_handler(State(s): State<Arc<HttpState>>) -> Json<serde_json::Value> {
	let mut out = summary(&s.runner.records().await);
	if let Some(o) = out.as_object_mut() {
		// The key output requests are signed for (`store::output_message`).
		o.insert("worker".into(), s.worker.to_string().into());
	}
	Json(out)
}

/// `run`: take, run and attest jobs, verify disputes, serve outputs, until Ctrl-C or SIGTERM.
pub async fn run(settings: &Settings) -> Result<(), ProviderError> {
	let file = &settings.file;
	let exec = settings.executor()?;
	let metrics = Arc::new(JobMetrics::new().map_err(|e| ProviderError::Other(e.to_string()))?);
	metrics.backend.with_label_values(&[exec.backend()]).set(1);
	metrics.device_memory.set(i64::try_from(exec.device().memory_bytes).unwrap_or(i64::MAX));
	let store = Arc::new(
		Store::open(settings.data_dir.join("store"))
			.map_err(|e| ProviderError::Other(e.to_string()))?,
	);
	let sources = file
		.inputs
		.iter()
		.map(|s| s.parse::<Source>())
		.collect::<Result<Vec<_>, _>>()
		.map_err(|e| ConfigError::Invalid(format!("inputs: {e}")))?;
	let fetcher = Fetcher::new(
		sources,
		file.max_input_bytes.unwrap_or(1 << 32),
		Duration::from_secs(file.fetch_timeout_secs.unwrap_or(120)),
	);
	let pair = settings.pair()?;
	// Output requests are signed for this worker's provider account (see `store`).
	let worker: sp_runtime::AccountId32 = pair.public().into();
	let access = Arc::new(OutputAccess::new(
		store.clone(),
		worker.clone(),
		file.max_response_bytes.unwrap_or(64 << 20),
	));
	let (client, rpc) = chain::connect_with_retry(&settings.rpc).await;
	let signer = signer::spawn(client.clone(), rpc, pair);
	match chain::provider(&client, signer.account()).await? {
		Some(p) => tracing::info!(provider = %p.account, status = %p.status, "provider record"),
		None => tracing::warn!(
			account = %signer.account(),
			"not a registered provider: run `airtime-worker register` first; jobs are not taken"
		),
	}
	let runner = Runner::new(
		client,
		signer,
		exec.clone(),
		store,
		fetcher,
		access.clone(),
		metrics.clone(),
		RunConfig {
			journal: settings.journal_path(),
			offers: file.offers.clone(),
			accept: file.accept.unwrap_or(true),
			deadline_margin: file.deadline_margin.unwrap_or(6),
			verify_rounds: file.verify_rounds.unwrap_or(crate::freivalds::DEFAULT_ROUNDS),
		},
	)?;
	runner.resume().await;
	tokio::spawn(runner.clone().follow());
	let state = Arc::new(HttpState { runner, metrics, worker: worker.clone() });
	let app = Router::new()
		.route("/metrics", get(metrics_handler))
		.route("/v1/status", get(status_handler))
		.route("/health", get(|| async { "ok" }))
		.with_state(state)
		.merge(OutputAccess::router(access));
	let listener = tokio::net::TcpListener::bind(settings.listen)
		.await
		.map_err(|e| ProviderError::Other(format!("cannot listen on {}: {e}", settings.listen)))?;
	tracing::info!(
		listen = %settings.listen,
		backend = exec.backend(),
		worker = %worker,
		"worker running"
	);
	axum::serve(listener, app)
		.with_graceful_shutdown(crate::service::shutdown_signal())
		.await
		.map_err(|e| ProviderError::Other(e.to_string()))?;
	tracing::info!("stopped");
	Ok(())
}
