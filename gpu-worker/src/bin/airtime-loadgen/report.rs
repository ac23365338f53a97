//! The figures of one scenario, from its [`Ledger`], and their rendering: a human table, Markdown
//! rows for the README, JSON.
//!
//! - **Included / finalized TPS**: the measurement window runs from the first block holding our
//!   extrinsics (after skipping `--warmup-blocks` of them) to the last one. Our extrinsics in the
//!   window's blocks after its first, divided by the time between the first and the last
//!   block's timestamps (`Timestamp::Now`, set by the block author): each block's extrinsics
//!   count for the slot before it. Finalized TPS counts those of them seen in finalized blocks.
//! - **Latency**: submit to the block received as best (inclusion) or as finalized
//!   (finalization), on this machine's clock, for every transaction that got there.
//! - **Finality lag**: best minus finalized block number, sampled at every new best block from
//!   the start of sending until the pool drained.

use crate::{
	engine::Sent,
	mixed::Completed,
	tracker::{BlockStat, LedgerState},
};
use serde::Serialize;
use std::collections::BTreeMap;

/// The chain's block limits, read from its constants, which the blocks' fill is measured against.
#[derive(Clone, Copy, Debug)]
pub struct BlockLimits {
	/// `System::BlockWeights::max_block` ref time.
	pub max_ref_time: u64,
	/// `System::BlockLength`: the largest length of any dispatch class.
	pub max_length: u32,
}

/// Percentiles of a sample (nearest rank).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Percentiles {
	/// Sample size.
	pub count: usize,
	/// Median.
	pub p50: f64,
	/// 90th percentile.
	pub p90: f64,
	/// 99th percentile.
	pub p99: f64,
	/// Largest.
	pub max: f64,
}

/// The `p`th percentile (0 to 100) of `sorted` by nearest rank; the default when it is empty.
fn rank<T: Copy + Default>(sorted: &[T], p: usize) -> T {
	let n = sorted.len();
	let rank = p.saturating_mul(n).div_ceil(100);
	sorted.get(rank.saturating_sub(1).min(n.saturating_sub(1))).copied().unwrap_or_default()
}

/// The percentiles of `v`.
pub fn percentiles(mut v: Vec<f64>) -> Percentiles {
	v.sort_by(f64::total_cmp);
	Percentiles {
		count: v.len(),
		p50: rank(&v, 50),
		p90: rank(&v, 90),
		p99: rank(&v, 99),
		max: v.last().copied().unwrap_or(0.0),
	}
}

/// The measurement window.
#[derive(Clone, Debug, Serialize)]
pub struct Window {
	/// Its first block (its extrinsics are not counted).
	pub first_block: u32,
	/// Its last block.
	pub last_block: u32,
	/// Seconds between their timestamps.
	pub seconds: f64,
	/// Our extrinsics counted (blocks after the first, up to the last).
	pub included: u64,
	/// Of those, seen in finalized blocks.
	pub finalized: u64,
	/// How the window and the rates are defined.
	pub basis: &'static str,
}

/// Finality lag in blocks.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Lag {
	/// Samples (one per best block).
	pub samples: usize,
	/// Median.
	pub p50: u32,
	/// 95th percentile.
	pub p95: u32,
	/// Largest.
	pub max: u32,
}

/// Blocks that held our extrinsics.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Blocks {
	/// How many.
	pub count: usize,
	/// Our extrinsics per block, mean.
	pub ours_mean: f64,
	/// Our extrinsics per block, most.
	pub ours_max: u32,
	/// All extrinsics per block, mean.
	pub extrinsics_mean: f64,
	/// `System::BlockWeight` in % of the 2 s block, mean.
	pub weight_pct_mean: f64,
	/// ... and most.
	pub weight_pct_max: f64,
	/// Encoded length in % of the 5 MiB block, mean.
	pub length_pct_mean: f64,
	/// ... and most.
	pub length_pct_max: f64,
}

/// One scenario's results.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
	/// `transfers` or `mixed`.
	pub scenario: String,
	/// Load accounts.
	pub accounts: usize,
	/// Target rate (tx/s).
	pub target_rate: u32,
	/// Seconds spent sending.
	pub send_seconds: f64,
	/// Transactions attempted.
	pub sent: u64,
	/// Attempted, by call.
	pub sent_by_call: BTreeMap<String, u64>,
	/// Accepted by the pool.
	pub accepted: u64,
	/// Refused at submission.
	pub rejected: u64,
	/// Refusals by RPC error.
	pub rejected_by_reason: BTreeMap<String, u64>,
	/// Submissions that failed below the RPC layer (the node may or may not have them; not
	/// counted as accepted unless a block holds them), by error.
	pub transport_errors: BTreeMap<String, u64>,
	/// Accepted and seen in a block.
	pub included: u64,
	/// Seen in a finalized block.
	pub finalized: u64,
	/// Accepted but never seen in a block (dropped, or still pending at the end).
	pub never_included: u64,
	/// Included and dispatched successfully.
	pub dispatch_ok: u64,
	/// Included but the call failed.
	pub dispatch_failed: u64,
	/// Dispatch failures by call and error.
	pub dispatch_failures: BTreeMap<String, u64>,
	/// Nonces re-read after a stalled transaction.
	pub nonce_resyncs: u64,
	/// The measurement window (`None`: fewer than two blocks held our extrinsics).
	pub window: Option<Window>,
	/// Our extrinsics per second in blocks of the window.
	pub included_tps: f64,
	/// ... of them finalized.
	pub finalized_tps: f64,
	/// Submit to best block, ms.
	pub inclusion_latency_ms: Percentiles,
	/// Submit to finalized block, ms.
	pub finalization_latency_ms: Percentiles,
	/// Best minus finalized number.
	pub finality_lag_blocks: Lag,
	/// Blocks holding our extrinsics.
	pub blocks: Blocks,
	/// Lifecycles completed (mixed).
	pub completed: Option<Completed>,
}

/// The parameters a report states.
pub struct Params<'a> {
	/// Scenario name.
	pub scenario: &'a str,
	/// Load accounts.
	pub accounts: usize,
	/// Target rate.
	pub rate: u32,
	/// Blocks skipped at the start of the window.
	pub warmup_blocks: usize,
	/// The chain's block limits.
	pub limits: BlockLimits,
}

fn window(blocks: &BTreeMap<u32, BlockStat>, warmup: usize) -> Option<Window> {
	let with_ours: Vec<(u32, &BlockStat)> =
		blocks.iter().filter(|(_, b)| b.ours > 0).map(|(n, b)| (*n, b)).skip(warmup).collect();
	let (first, first_stat) = *with_ours.first()?;
	let (last, last_stat) = *with_ours.last()?;
	if last <= first || last_stat.timestamp_ms <= first_stat.timestamp_ms {
		return None;
	}
	let seconds = last_stat.timestamp_ms.saturating_sub(first_stat.timestamp_ms) as f64 / 1000.0;
	let counted = blocks.range(first.saturating_add(1)..=last).map(|(_, b)| b);
	let (included, finalized) = counted.fold((0u64, 0u64), |(i, f), b| {
		(i.saturating_add(u64::from(b.ours)), f.saturating_add(u64::from(b.ours_finalized)))
	});
	Some(Window {
		first_block: first,
		last_block: last,
		seconds,
		included,
		finalized,
		basis: "our extrinsics in the blocks after the first of the window, over the span of \
		        the first and last blocks' timestamps; the window runs from the first block \
		        holding our extrinsics (after the warm-up blocks) to the last",
	})
}

fn blocks_summary(blocks: &BTreeMap<u32, BlockStat>, limits: BlockLimits) -> Blocks {
	let ours: Vec<&BlockStat> = blocks.values().filter(|b| b.ours > 0).collect();
	let n = ours.len();
	if n == 0 {
		return Blocks::default();
	}
	let mean = |f: &dyn Fn(&BlockStat) -> f64| ours.iter().copied().map(f).sum::<f64>() / n as f64;
	let max = |f: &dyn Fn(&BlockStat) -> f64| ours.iter().copied().map(f).fold(0.0, f64::max);
	let (max_ref_time, max_length) =
		(limits.max_ref_time.max(1) as f64, f64::from(limits.max_length.max(1)));
	let weight = |b: &BlockStat| b.weight_ref_time as f64 / max_ref_time * 100.0;
	let length = |b: &BlockStat| b.bytes as f64 / max_length * 100.0;
	Blocks {
		count: n,
		ours_mean: mean(&|b| f64::from(b.ours)),
		ours_max: ours.iter().map(|b| b.ours).max().unwrap_or(0),
		extrinsics_mean: mean(&|b| f64::from(b.extrinsics)),
		weight_pct_mean: mean(&weight),
		weight_pct_max: max(&weight),
		length_pct_mean: mean(&length),
		length_pct_max: max(&length),
	}
}

/// Build the report of one scenario.
pub fn build(
	params: &Params<'_>,
	ledger: &LedgerState,
	sent: &Sent,
	completed: Option<Completed>,
) -> Report {
	let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
	let mut inclusion = Vec::new();
	let mut finalization = Vec::new();
	let (mut ok, mut failed) = (0u64, 0u64);
	for tx in ledger.sent.values() {
		if let Some((at, _)) = tx.included {
			inclusion.push(ms(at.saturating_duration_since(tx.sent_at)));
		}
		if let Some(at) = tx.finalized {
			finalization.push(ms(at.saturating_duration_since(tx.sent_at)));
		}
		match tx.ok {
			Some(true) => ok = ok.saturating_add(1),
			Some(false) => failed = failed.saturating_add(1),
			None => {},
		}
	}
	let mut lag = ledger.lag.clone();
	lag.sort_unstable();
	let window = window(&ledger.blocks, params.warmup_blocks);
	let (included_tps, finalized_tps) = window
		.as_ref()
		.filter(|w| w.seconds > 0.0)
		.map(|w| (w.included as f64 / w.seconds, w.finalized as f64 / w.seconds))
		.unwrap_or((0.0, 0.0));
	let rejected = ledger.rejected.values().fold(0u64, |s, n| s.saturating_add(*n));
	let attempted = ledger.attempted.values().fold(0u64, |s, n| s.saturating_add(*n));
	let included = inclusion.len() as u64;
	// Submissions whose transport failed count as accepted only if a block holds them.
	let unknown_fate =
		ledger.sent.values().filter(|t| t.transport_failed && t.included.is_none()).count() as u64;
	let accepted = (ledger.sent.len() as u64).saturating_sub(unknown_fate);
	Report {
		scenario: params.scenario.to_string(),
		accounts: params.accounts,
		target_rate: params.rate,
		send_seconds: sent.stopped.saturating_duration_since(sent.started).as_secs_f64(),
		sent: attempted.max(sent.attempted),
		sent_by_call: ledger.attempted.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
		accepted,
		rejected,
		rejected_by_reason: ledger.rejected.clone(),
		transport_errors: ledger.transport_errors.clone(),
		included,
		finalized: finalization.len() as u64,
		never_included: accepted.saturating_sub(included),
		dispatch_ok: ok,
		dispatch_failed: failed,
		dispatch_failures: ledger.failures.clone(),
		nonce_resyncs: ledger.resyncs,
		window,
		included_tps,
		finalized_tps,
		inclusion_latency_ms: percentiles(inclusion),
		finalization_latency_ms: percentiles(finalization),
		finality_lag_blocks: Lag {
			samples: lag.len(),
			p50: rank(&lag, 50),
			p95: rank(&lag, 95),
			max: lag.last().copied().unwrap_or(0),
		},
		blocks: blocks_summary(&ledger.blocks, params.limits),
		completed,
	}
}

fn secs(ms: f64) -> String {
	format!("{:.2}", ms / 1000.0)
}

/// Print a report as a table on stdout.
pub fn print_human(r: &Report) {
	let row = |k: &str, v: String| println!("  {k:<34} {v}");
	println!();
	println!("== {} ({} accounts, target {} tx/s) ==", r.scenario, r.accounts, r.target_rate);
	row("sent / accepted / rejected", format!("{} / {} / {}", r.sent, r.accepted, r.rejected));
	for (reason, n) in &r.rejected_by_reason {
		row("  rejected", format!("{n} × {reason}"));
	}
	for (reason, n) in &r.transport_errors {
		row("  not sent (transport)", format!("{n} × {reason}"));
	}
	row("included / finalized", format!("{} / {}", r.included, r.finalized));
	row("never included", r.never_included.to_string());
	row("dispatched ok / failed", format!("{} / {}", r.dispatch_ok, r.dispatch_failed));
	for (reason, n) in &r.dispatch_failures {
		row("  failed", format!("{n} × {reason}"));
	}
	match &r.window {
		Some(w) => row(
			"window (by block timestamps)",
			format!(
				"blocks #{}..#{}, {:.1} s, {} extrinsics",
				w.first_block, w.last_block, w.seconds, w.included
			),
		),
		None => row("window", "fewer than two blocks held our extrinsics".into()),
	}
	row("included TPS", format!("{:.1}", r.included_tps));
	row("finalized TPS", format!("{:.1}", r.finalized_tps));
	let pct = |p: &Percentiles| {
		format!(
			"{} / {} / {} / {} s (n={})",
			secs(p.p50),
			secs(p.p90),
			secs(p.p99),
			secs(p.max),
			p.count
		)
	};
	row("inclusion p50/p90/p99/max", pct(&r.inclusion_latency_ms));
	row("finalization p50/p90/p99/max", pct(&r.finalization_latency_ms));
	let l = &r.finality_lag_blocks;
	row("finality lag p50/p95/max", format!("{} / {} / {} blocks", l.p50, l.p95, l.max));
	let b = &r.blocks;
	row(
		"ours per block mean / max",
		format!("{:.0} / {} (all extrinsics {:.0})", b.ours_mean, b.ours_max, b.extrinsics_mean),
	);
	row(
		"block weight mean / max",
		format!("{:.1} % / {:.1} % of 2 s", b.weight_pct_mean, b.weight_pct_max),
	);
	row(
		"block length mean / max",
		format!("{:.1} % / {:.1} % of 5 MiB", b.length_pct_mean, b.length_pct_max),
	);
	if r.nonce_resyncs > 0 {
		row("nonce re-reads", r.nonce_resyncs.to_string());
	}
	if let Some(c) = &r.completed {
		row("jobs submitted / settled", format!("{} / {}", c.jobs_submitted, c.jobs_settled));
		row("jobs refunded / unmatched", format!("{} / {}", c.jobs_refunded, c.jobs_unmatched));
		row(
			"purchases started / completed",
			format!("{} / {}", c.purchases_started, c.purchases_completed),
		);
		row("vouchers redeemed", c.redeems.to_string());
	}
}

/// Markdown rows for the README's results table.
pub fn markdown(reports: &[Report], ratio: Option<f64>, command: &str) -> String {
	let mut out = String::from(
		"| Scenario | Accounts | Target tx/s | Sent | Rejected | Included TPS | Finalized TPS \
		 | Inclusion p50 / p99 (s) | Finality p50 / p99 (s) | Finality lag p95 / max (blocks) \
		 | Dispatch ok / failed |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
	);
	for r in reports {
		out.push_str(&format!(
			"| {} | {} | {} | {} | {} | {:.1} | {:.1} | {} / {} | {} / {} | {} / {} | {} / {} |\n",
			r.scenario,
			r.accounts,
			r.target_rate,
			r.sent,
			r.rejected,
			r.included_tps,
			r.finalized_tps,
			secs(r.inclusion_latency_ms.p50),
			secs(r.inclusion_latency_ms.p99),
			secs(r.finalization_latency_ms.p50),
			secs(r.finalization_latency_ms.p99),
			r.finality_lag_blocks.p95,
			r.finality_lag_blocks.max,
			r.dispatch_ok,
			r.dispatch_failed,
		));
	}
	if let Some(ratio) = ratio {
		out.push_str(&format!(
			"\nMixed / transfer-only included TPS: **{ratio:.2}** (goal ≥ 0.9)\n"
		));
	}
	if let Some(c) = reports.iter().find_map(|r| r.completed.as_ref()) {
		out.push_str(&format!(
			"\nMixed run completed {} compute jobs (of {} submitted), {} purchases, {} redeems.\n",
			c.jobs_settled, c.jobs_submitted, c.purchases_completed, c.redeems
		));
	}
	out.push_str(&format!("\nCommand: `{command}`\n"));
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn nearest_rank_percentiles() {
		let p = percentiles((1..=100).map(f64::from).collect());
		assert_eq!((p.p50, p.p90, p.p99, p.max, p.count), (50.0, 90.0, 99.0, 100.0, 100));
		let empty = percentiles(Vec::new());
		assert_eq!((empty.p50, empty.max, empty.count), (0.0, 0.0, 0));
	}

	#[test]
	fn the_window_skips_warm_up_and_counts_after_its_first_block() {
		let stat = |ts: u64, ours: u32| BlockStat {
			timestamp_ms: ts,
			ours,
			ours_finalized: ours,
			..BlockStat::default()
		};
		let blocks: BTreeMap<u32, BlockStat> = [
			(10, stat(60_000, 5)),
			(11, stat(66_000, 100)),
			(12, stat(72_000, 0)),
			(13, stat(78_000, 300)),
			(14, stat(84_000, 300)),
		]
		.into_iter()
		.collect();
		let w = window(&blocks, 1).map(|w| (w.first_block, w.last_block, w.seconds, w.included));
		assert_eq!(w, Some((11, 14, 18.0, 600)));
		assert!(window(&blocks, 4).is_none());
	}
}
