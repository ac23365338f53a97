//! Prometheus metrics of the metered service, served at `GET /metrics`.

use prometheus::{
	Encoder, Gauge, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
	TextEncoder,
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
		let mut out = Vec::new();
		if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
			tracing::warn!(error = %e, "cannot encode metrics");
		}
		String::from_utf8(out).unwrap_or_default()
	}
}
