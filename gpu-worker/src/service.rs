//! The metered service: MLP inference over HTTP, each call paid by a credits voucher.
//!
//! Routes:
//! - `POST /v1/infer` `{"channel": 3, "input": [i8...], "voucher": "0x<SCALE SignedVoucher>"}` →
//!   `{"output": [i8...], "calls": n, "total": "…", "pricePerCall": "…"}`; a refused voucher
//!   gets a 4xx status and `{"code": "StaleVoucher", "error": "…"}` (codes in
//!   [`Refusal::code`]). The voucher is the call's only credential: one that prepays later
//!   calls can be spent by whoever holds it (see [`crate::metering`]), so serve over TLS.
//! - `GET /v1/info`: service id, price, genesis, model shape. `GET /v1/channels/{id}`: what the
//!   service accepted on a channel (so a client can resume).
//! - `POST /v1/redeem`: redeem every channel with unredeemed vouchers now (needs the admin token
//!   when one is configured). `GET /metrics`: Prometheus. `GET /health`.
//!
//! A call is answered only after its voucher is in the journal (synced to disk). A background
//! task follows finalized blocks (the chain's state as no reorg can change it), updating the
//! block number and refreshing channels the `Credits` events mention; another redeems on a
//! schedule and whenever a channel nears its expiry, through the signer task.

use crate::{
	chain::{self, airtime, ChainError, Client},
	journal::{Entry, Journal},
	metering::{should_redeem, ChannelTerms, Meter, Refusal, SignedVoucherOf},
	metrics::Metrics,
	mlp::Mlp,
	signer::{Op, Outcome, SignerHandle},
};
use airtime_primitives::credits::{CallEligibility, ChannelId, ServiceId};
use axum::{
	extract::{Path, State},
	http::{HeaderMap, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use codec::Decode;
use serde::{Deserialize, Serialize};
use std::{
	collections::HashMap,
	net::SocketAddr,
	path::PathBuf,
	sync::{
		atomic::{AtomicU32, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};
use thiserror::Error;
use tokio::sync::Mutex;

/// How the service runs.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
	/// The registered service this worker serves (its owner must be the signer's account).
	pub service: ServiceId,
	/// Where to listen.
	pub listen: SocketAddr,
	/// The journal file.
	pub journal: PathBuf,
	/// Blocks before a channel's expiry from which calls are refused and redeeming is urgent.
	pub expiry_margin: u32,
	/// Redeem every channel with unredeemed vouchers this often.
	pub redeem_every: Duration,
	/// How long a payer's tier check is trusted.
	pub tier_ttl: Duration,
	/// Required on `POST /v1/redeem` when set.
	pub admin_token: Option<String>,
	/// The model: seed and layer widths.
	pub model_seed: u64,
	/// Layer widths, input first.
	pub model_dims: Vec<usize>,
}

/// Service failures (startup and serving).
#[derive(Debug, Error)]
pub enum ServiceError {
	/// The chain failed.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// The journal failed.
	#[error(transparent)]
	Journal(#[from] crate::journal::JournalError),
	/// The model is invalid.
	#[error("model: {0}")]
	Model(#[from] crate::mlp::MlpError),
	/// The service is not registered or not ours.
	#[error("service {0}: {1}")]
	NotOurs(ServiceId, String),
	/// Metrics registration failed.
	#[error("metrics: {0}")]
	Metrics(#[from] prometheus::Error),
	/// Listening failed.
	#[error("listen on {0}: {1}")]
	Listen(SocketAddr, std::io::Error),
}

/// The service's shared state.
pub struct AppState {
	config: ServiceConfig,
	client: Client,
	signer: SignerHandle,
	mlp: Mlp,
	meter: Mutex<Meter>,
	journal: Mutex<Journal>,
	tier_checked: Mutex<HashMap<ChannelId, Instant>>,
	redeeming: Mutex<()>,
	finalized: AtomicU32,
	price_per_call: u128,
	/// The metrics.
	pub metrics: Metrics,
}

/// The body of `POST /v1/infer`.
#[derive(Debug, Deserialize, Serialize)]
pub struct InferRequest {
	/// The channel paying.
	pub channel: ChannelId,
	/// The model input.
	pub input: Vec<i8>,
	/// `0x`-hex SCALE encoding of the signed voucher.
	pub voucher: String,
}

/// The answer to a paid call.
#[derive(Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InferResponse {
	/// The model output.
	pub output: Vec<i8>,
	/// Calls served on the channel, this one included.
	pub calls: u64,
	/// The voucher total accepted.
	pub total: String,
	/// The channel's price per call.
	pub price_per_call: String,
}

/// What the service accepted on a channel.
#[derive(Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChannelReport {
	/// The channel.
	pub channel: ChannelId,
	/// Calls served.
	pub calls: u64,
	/// The latest voucher total accepted.
	pub latest_total: String,
	/// What the chain says was redeemed.
	pub redeemed: String,
	/// The channel's price per call.
	pub price_per_call: String,
	/// The channel's expiry block.
	pub expiry: u32,
}

/// One channel's redemption in a redeem pass.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedeemReport {
	/// The channel.
	pub channel: ChannelId,
	/// The voucher total submitted.
	pub total: String,
	/// Paid to the owner (after fees) when it succeeded.
	pub paid: Option<String>,
	/// The error, when it failed.
	pub error: Option<String>,
}

/// An error answer.
#[derive(Debug, Deserialize, Serialize)]
pub struct ErrorBody {
	/// Stable code.
	pub code: String,
	/// Human-readable reason.
	pub error: String,
}

fn error_response(status: StatusCode, code: &str, error: impl ToString) -> Response {
	(status, Json(ErrorBody { code: code.into(), error: error.to_string() })).into_response()
}

fn refusal_status(r: &Refusal) -> StatusCode {
	match r {
		Refusal::UnknownChannel(_) | Refusal::OtherService { .. } => StatusCode::NOT_FOUND,
		Refusal::TierTooLow { .. } => StatusCode::FORBIDDEN,
		Refusal::Expiring { .. } => StatusCode::GONE,
		Refusal::ChainUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
		_ => StatusCode::PAYMENT_REQUIRED,
	}
}

impl AppState {
	/// The latest finalized block seen.
	pub fn now(&self) -> u32 {
		self.finalized.load(Ordering::Relaxed)
	}

	async fn refresh_terms(&self, channel: ChannelId) -> Result<Option<ChannelTerms>, Refusal> {
		let terms = chain::channel(&self.client, channel)
			.await
			.map_err(|e| Refusal::ChainUnavailable(e.to_string()))?;
		let mut meter = self.meter.lock().await;
		match &terms {
			Some(t) => meter.update_terms(t.clone()),
			None => meter.forget(channel),
		}
		Ok(terms)
	}

	async fn ensure_tier(
		&self,
		channel: ChannelId,
		payer: &sp_runtime::AccountId32,
	) -> Result<(), Refusal> {
		let fresh = self
			.tier_checked
			.lock()
			.await
			.get(&channel)
			.is_some_and(|at| at.elapsed() < self.config.tier_ttl);
		if fresh {
			return Ok(());
		}
		match chain::can_call(&self.client, payer, self.config.service)
			.await
			.map_err(|e| Refusal::ChainUnavailable(e.to_string()))?
		{
			CallEligibility::TierTooLow { has, needs } => Err(Refusal::TierTooLow { has, needs }),
			// A retired service still serves its open channels.
			CallEligibility::Allowed | CallEligibility::ServiceRetired => {
				self.tier_checked.lock().await.insert(channel, Instant::now());
				Ok(())
			},
			CallEligibility::UnknownService => {
				Err(Refusal::ChainUnavailable("the service is no longer registered".into()))
			},
		}
	}

	/// Serve one paid call.
	pub async fn serve(
		&self,
		channel: ChannelId,
		voucher: SignedVoucherOf,
		input: &[i8],
	) -> Result<InferResponse, Response> {
		let refused = |r: Refusal| {
			self.metrics.refusals.with_label_values(&[r.code()]).inc();
			error_response(refusal_status(&r), r.code(), &r)
		};
		let known = self.meter.lock().await.channels.get(&channel).map(|s| s.terms.payer.clone());
		let payer = match known {
			Some(p) => p,
			None => match self.refresh_terms(channel).await.map_err(refused)? {
				Some(t) => t.payer,
				None => return Err(refused(Refusal::UnknownChannel(channel))),
			},
		};
		self.ensure_tier(channel, &payer).await.map_err(refused)?;

		let now = self.now();
		let mut meter = self.meter.lock().await;
		let mut checked = meter.check(channel, &voucher, now);
		if matches!(checked, Err(Refusal::OverLimit { .. }) | Err(Refusal::Expiring { .. })) {
			// The payer may have topped up or extended since we last looked.
			drop(meter);
			self.refresh_terms(channel).await.map_err(refused)?;
			meter = self.meter.lock().await;
			checked = meter.check(channel, &voucher, now);
		}
		checked.map_err(refused)?;
		let output = self
			.mlp
			.infer(input)
			.map_err(|e| error_response(StatusCode::BAD_REQUEST, "BadInput", e))?;
		let (calls, price) = meter
			.channels
			.get(&channel)
			.map(|s| (s.calls.saturating_add(1), s.terms.price_per_call))
			.unwrap_or_default();
		let entry = Entry { channel, voucher: voucher.clone(), calls };
		let timer = self.metrics.journal_sync.start_timer();
		let appended = {
			let mut journal = self.journal.lock().await;
			tokio::task::block_in_place(|| journal.append(entry))
		};
		timer.observe_duration();
		if let Err(e) = appended {
			tracing::error!(error = %e, "journal append failed: refusing calls");
			return Err(error_response(StatusCode::SERVICE_UNAVAILABLE, "JournalUnavailable", e));
		}
		let total = voucher.voucher.total;
		meter.record(channel, voucher);
		self.metrics.calls.inc();
		Ok(InferResponse {
			output,
			calls,
			total: total.to_string(),
			price_per_call: price.to_string(),
		})
	}

	/// Redeem channels that are due (all with something unredeemed when `force`).
	pub async fn redeem_pass(&self, force: bool) -> Vec<RedeemReport> {
		let _one_at_a_time = self.redeeming.lock().await;
		let now = self.now();
		let due: Vec<(ChannelId, SignedVoucherOf)> = {
			let meter = self.meter.lock().await;
			meter
				.channels
				.iter()
				.filter(|(_, s)| should_redeem(s, now, self.config.expiry_margin, force))
				.filter_map(|(id, s)| s.latest.clone().map(|v| (*id, v)))
				.collect()
		};
		let mut reports = Vec::new();
		for (channel, voucher) in due {
			let total = voucher.voucher.total;
			let result = self.signer.submit(Op::Redeem { channel, voucher }).await;
			let report = match result {
				Ok(Outcome::Redeemed { total, paid, fee, .. }) => {
					tracing::info!(channel, total, paid, fee, "redeemed");
					self.metrics.redeems.with_label_values(&["ok"]).inc();
					self.metrics.redeemed_air.add(paid as f64 / crate::AIR as f64);
					if let Some(s) = self.meter.lock().await.channels.get_mut(&channel) {
						s.terms.redeemed = total;
					}
					RedeemReport {
						channel,
						total: total.to_string(),
						paid: Some(paid.to_string()),
						error: None,
					}
				},
				Ok(other) => RedeemReport {
					channel,
					total: total.to_string(),
					paid: None,
					error: Some(format!("unexpected outcome {other:?}")),
				},
				Err(e) => {
					tracing::warn!(channel, total, error = %e, "redeem failed");
					self.metrics.redeems.with_label_values(&["error"]).inc();
					// Re-read the channel: it may have been redeemed, closed or changed.
					let _ = self.refresh_terms(channel).await;
					RedeemReport {
						channel,
						total: total.to_string(),
						paid: None,
						error: Some(e.to_string()),
					}
				},
			};
			reports.push(report);
		}
		reports
	}

	async fn on_finalized(
		&self,
		block: subxt::client::Block<subxt::PolkadotConfig>,
	) -> Result<(), ChainError> {
		use airtime::credits::events;
		let number = u32::try_from(block.number()).map_err(ChainError::rpc)?;
		self.finalized.store(number, Ordering::Relaxed);
		self.metrics.finalized.set(i64::from(number));
		let at = block.at().await.map_err(ChainError::rpc)?;
		let evs = at.events().fetch().await.map_err(ChainError::rpc)?;
		let mut touched = Vec::new();
		let mut closed = Vec::new();
		for e in evs.find::<events::ChannelClosed>().flatten() {
			closed.push(e.channel);
		}
		for e in evs.find::<events::ChannelToppedUp>().flatten() {
			touched.push(e.channel);
		}
		for e in evs.find::<events::ChannelExtended>().flatten() {
			touched.push(e.channel);
		}
		for e in evs.find::<events::VoucherRedeemed>().flatten() {
			touched.push(e.channel);
		}
		for channel in closed {
			let mut meter = self.meter.lock().await;
			if meter.channels.contains_key(&channel) {
				tracing::info!(channel, "channel closed on chain");
				meter.forget(channel);
				self.journal.lock().await.forget(channel);
			}
		}
		for channel in touched {
			let ours = self.meter.lock().await.channels.contains_key(&channel);
			if ours {
				let _ = self.refresh_terms(channel).await;
			}
		}
		Ok(())
	}
}

async fn follow_finalized(state: Arc<AppState>) {
	chain::follow_finalized(&state.client, |followed| {
		let state = state.clone();
		async move {
			match followed {
				chain::Followed::Block(block) => state.on_finalized(block).await,
				chain::Followed::Subscribed => Ok(()),
			}
		}
	})
	.await
}

async fn redeem_on_schedule(state: Arc<AppState>) {
	let mut last = Instant::now();
	let tick = Duration::from_secs(1).min(state.config.redeem_every);
	loop {
		tokio::time::sleep(tick).await;
		let due = last.elapsed() >= state.config.redeem_every;
		if due {
			last = Instant::now();
		}
		// Near-expiry channels are redeemed on every tick, the rest when the schedule is due.
		let reports = state.redeem_pass(due).await;
		if !reports.is_empty() {
			tracing::debug!(count = reports.len(), "redeem pass");
		}
	}
}

async fn infer(State(state): State<Arc<AppState>>, Json(req): Json<InferRequest>) -> Response {
	let bytes = match hex::decode(req.voucher.trim_start_matches("0x")) {
		Ok(b) => b,
		Err(e) => return error_response(StatusCode::BAD_REQUEST, "BadVoucher", e),
	};
	let voucher = match SignedVoucherOf::decode(&mut bytes.as_slice()) {
		Ok(v) => v,
		Err(e) => return error_response(StatusCode::BAD_REQUEST, "BadVoucher", e),
	};
	if req.input.len() != state.mlp.input_len() {
		let e = crate::mlp::MlpError::BadInput {
			expected: state.mlp.input_len(),
			got: req.input.len(),
		};
		return error_response(StatusCode::BAD_REQUEST, "BadInput", e);
	}
	match state.serve(req.channel, voucher, &req.input).await {
		Ok(answer) => Json(answer).into_response(),
		Err(response) => response,
	}
}

async fn info(State(state): State<Arc<AppState>>) -> Response {
	Json(serde_json::json!({
		"service": state.config.service,
		"owner": state.signer.account().to_string(),
		"pricePerCall": state.price_per_call.to_string(),
		"genesis": format!("{:?}", chain::genesis(&state.client)),
		"modelDims": state.config.model_dims,
		"modelSeed": state.config.model_seed,
		"finalized": state.now(),
	}))
	.into_response()
}

async fn channel_report(State(state): State<Arc<AppState>>, Path(id): Path<ChannelId>) -> Response {
	let meter = state.meter.lock().await;
	match meter.channels.get(&id) {
		Some(s) => Json(ChannelReport {
			channel: id,
			calls: s.calls,
			latest_total: s.latest_total().to_string(),
			redeemed: s.terms.redeemed.to_string(),
			price_per_call: s.terms.price_per_call.to_string(),
			expiry: s.terms.expiry,
		})
		.into_response(),
		None => {
			error_response(StatusCode::NOT_FOUND, "UnknownChannel", Refusal::UnknownChannel(id))
		},
	}
}

async fn redeem_now(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
	if let Some(token) = &state.config.admin_token {
		let given = headers.get("x-admin-token").and_then(|v| v.to_str().ok());
		if given != Some(token.as_str()) {
			return error_response(
				StatusCode::UNAUTHORIZED,
				"Unauthorized",
				"admin token required",
			);
		}
	}
	Json(state.redeem_pass(true).await).into_response()
}

async fn metrics(State(state): State<Arc<AppState>>) -> String {
	state.metrics.render()
}

/// The HTTP routes.
pub fn router(state: Arc<AppState>) -> Router {
	Router::new()
		.route("/v1/infer", post(infer))
		.route("/v1/info", get(info))
		.route("/v1/channels/{id}", get(channel_report))
		.route("/v1/redeem", post(redeem_now))
		.route("/metrics", get(metrics))
		.route("/health", get(|| async { "ok" }))
		.with_state(state)
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
	let terminate = async {
		match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
			Ok(mut s) => {
				s.recv().await;
			},
			Err(e) => {
				tracing::warn!(error = %e, "cannot watch SIGTERM; stopping on Ctrl-C only");
				std::future::pending::<()>().await;
			},
		}
	};
	tokio::select! {
		_ = tokio::signal::ctrl_c() => {},
		_ = terminate => {},
	}
}

/// Run the service until Ctrl-C or SIGTERM, then redeem what is owed and stop.
pub async fn run(
	config: ServiceConfig,
	client: Client,
	signer: SignerHandle,
) -> Result<(), ServiceError> {
	let service = config.service;
	let (owner, price_per_call, _) = chain::service(&client, service)
		.await?
		.ok_or_else(|| ServiceError::NotOurs(service, "not registered".into()))?;
	if &owner != signer.account() {
		return Err(ServiceError::NotOurs(
			service,
			format!("owned by {owner}, this worker signs as {}", signer.account()),
		));
	}
	let mlp = Mlp::from_seed(config.model_seed, &config.model_dims)?;
	let mut journal = Journal::open(&config.journal)?;
	let mut meter = Meter::new(chain::genesis(&client), service, config.expiry_margin);
	let finalized = chain::finalized_number(&client).await?;
	let restored: Vec<Entry> = journal.latest().values().cloned().collect();
	for entry in restored {
		match chain::channel(&client, entry.channel).await? {
			Some(terms) => {
				meter.update_terms(terms);
				meter.restore(entry.channel, entry.voucher, entry.calls);
			},
			None => journal.forget(entry.channel),
		}
	}
	tracing::info!(service, channels = meter.channels.len(), finalized, "metered service starting");
	let state = Arc::new(AppState {
		config: config.clone(),
		client,
		signer,
		mlp,
		meter: Mutex::new(meter),
		journal: Mutex::new(journal),
		tier_checked: Mutex::new(HashMap::new()),
		redeeming: Mutex::new(()),
		finalized: AtomicU32::new(finalized),
		price_per_call,
		metrics: Metrics::new()?,
	});
	tokio::spawn(follow_finalized(state.clone()));
	tokio::spawn(redeem_on_schedule(state.clone()));
	let listener = tokio::net::TcpListener::bind(config.listen)
		.await
		.map_err(|e| ServiceError::Listen(config.listen, e))?;
	tracing::info!(listen = %config.listen, "serving");
	axum::serve(listener, router(state.clone()))
		.with_graceful_shutdown(shutdown_signal())
		.await
		.map_err(|e| ServiceError::Listen(config.listen, e))?;
	tracing::info!("shutting down: redeeming what is owed");
	let reports = state.redeem_pass(true).await;
	tracing::info!(redeemed = reports.len(), "stopped");
	Ok(())
}
