//! Prometheus metrics of the metered service and of the job runner, served at `GET /metrics`.

use prometheus::{
	Counter, Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec,
	IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The service's metrics.
pub struct Metrics {
	registry: Registry,
	/// Calls served (paid).
	pub calls: IntCounter,
	/// Vouchers refused, by code.
	pub refusals: IntCounterVec,
	/// Redeem transactions, by result (`ok`, `error`).
	pub redeems: IntCounterVec,
	/// AIR paid to the service by redemptions (after fees), in AIR.
	pub redeemed_air: Gauge,
	/// Seconds to append and sync a voucher to the journal.
	pub journal_sync: Histogram,
	/// The latest finalized block seen.
	pub finalized: IntGauge,
}

impl Metrics {
	/// Create and register the metrics.
	pub fn new() -> Result<Self, prometheus::Error> {
		let registry = Registry::new_custom(Some("airtime_worker".into()), None)?;
		let calls = IntCounter::new("calls_total", "Calls served and paid by a voucher")?;
		let refusals = IntCounterVec::new(
			Opts::new("refusals_total", "Vouchers refused, by reason"),
			&["code"],
		)?;
		let redeems =
			IntCounterVec::new(Opts::new("redeems_total", "Redeem transactions"), &["result"])?;
		let redeemed_air =
			Gauge::new("redeemed_air", "AIR received from redemptions after protocol fees")?;
		let journal_sync = Histogram::with_opts(
			HistogramOpts::new("journal_sync_seconds", "Journal append and fdatasync time")
				.buckets(vec![0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5]),
		)?;
		let finalized = IntGauge::new("finalized_block", "Latest finalized block seen")?;
		registry.register(Box::new(calls.clone()))?;
		registry.register(Box::new(refusals.clone()))?;
		registry.register(Box::new(redeems.clone()))?;
		registry.register(Box::new(redeemed_air.clone()))?;
		registry.register(Box::new(journal_sync.clone()))?;
		registry.register(Box::new(finalized.clone()))?;
		Ok(Self { registry, calls, refusals, redeems, redeemed_air, journal_sync, finalized })
	}

	/// The text exposition.
	pub fn render(&self) -> String {
		render(&self.registry)
	}
}

/// The job runner's metrics, served at `GET /metrics` by `airtime-worker run`.
pub struct JobMetrics {
	registry: Registry,
	/// Jobs held and not finished.
	pub jobs_running: IntGauge,
	/// Jobs completed and paid.
	pub jobs_completed: IntCounter,
	/// Jobs that failed in the worker, by reason.
	pub jobs_failed: IntCounterVec,
	/// Seconds an executor ran a job, by kind and backend.
	pub executor_seconds: HistogramVec,
	/// Seconds from assignment to the finalized attestation.
	pub attestation_latency: Histogram,
	/// AIR earned (net of protocol fees).
	pub earnings: Counter,
	/// Dispute verifications, by result.
	pub verifications: IntCounterVec,
	/// The latest finalized block seen.
	pub finalized: IntGauge,
	/// Device memory a job may use, bytes.
	pub device_memory: IntGauge,
	/// 1 for the active backend (`cpu` or `cuda`).
	pub backend: IntGaugeVec,
}

impl JobMetrics {
	/// Create and register the metrics.
	pub fn new() -> Result<Self, prometheus::Error> {
		let registry = Registry::new_custom(Some("airtime_worker".into()), None)?;
		let jobs_running = IntGauge::new("jobs_running", "Jobs held and not finished")?;
		let jobs_completed = IntCounter::new("jobs_completed_total", "Jobs completed and paid")?;
		let jobs_failed = IntCounterVec::new(
			Opts::new("jobs_failed_total", "Jobs that failed in the worker, by reason"),
			&["code"],
		)?;
		let executor_seconds = HistogramVec::new(
			HistogramOpts::new("executor_seconds", "Executor time per job")
				.buckets(vec![0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 60.0, 300.0, 1800.0]),
			&["kind", "backend"],
		)?;
		let attestation_latency = Histogram::with_opts(
			HistogramOpts::new(
				"attestation_latency_seconds",
				"From assignment to the finalized attestation",
			)
			.buckets(vec![5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0]),
		)?;
		let earnings = Counter::new("earnings_air_total", "AIR earned, net of protocol fees")?;
		let verifications = IntCounterVec::new(
			Opts::new("verifications_total", "Dispute verifications, by result"),
			&["result"],
		)?;
		let finalized = IntGauge::new("finalized_block", "Latest finalized block seen")?;
		let device_memory = IntGauge::new("device_memory_bytes", "Device memory a job may use")?;
		let backend =
			IntGaugeVec::new(Opts::new("backend", "The active executor backend"), &["backend"])?;
		for c in [
			Box::new(jobs_running.clone()) as Box<dyn prometheus::core::Collector>,
			Box::new(jobs_completed.clone()),
			Box::new(jobs_failed.clone()),
			Box::new(executor_seconds.clone()),
			Box::new(attestation_latency.clone()),
			Box::new(earnings.clone()),
			Box::new(verifications.clone()),
			Box::new(finalized.clone()),
			Box::new(device_memory.clone()),
			Box::new(backend.clone()),
		] {
			registry.register(c)?;
		}
		Ok(Self {
			registry,
			jobs_running,
			jobs_completed,
			jobs_failed,
			executor_seconds,
			attestation_latency,
			earnings,
			verifications,
			finalized,
			device_memory,
			backend,
		})
	}

	/// The text exposition.
	pub fn render(&self) -> String {
		render(&self.registry)
	}
}

fn render(registry: &Registry) -> String {
	let mut out = Vec::new();
	if let Err(e) = TextEncoder::new().encode(&registry.gather(), &mut out) {
		tracing::warn!(error = %e, "cannot encode metrics");
	}
	String::from_utf8(out).unwrap_or_default()
}
