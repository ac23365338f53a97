//! # airtime-loadgen
//!
//! A load generator for an Airtime node on this machine (issue 9). It sends signed transactions
//! from many pre-funded accounts at a target rate, bounded by a duration and a count, and
//! reports what the chain made of them.
//!
//! ```text
//! airtime-loadgen --scenario both --accounts 200 --rate 1000 --duration 60 --markdown
//! airtime-loadgen --scenario bad-input
//! ```
//!
//! **How.** Setup funds `--accounts` accounts (`//load//<i>`, sr25519) from the dev accounts in
//! `utility.batch_all` batches and, for the mixed scenario, gives them parts (providers, sellers,
//! service owners, users: see [`setup`]), each wave awaited to finality. Then [`engine`] sends at
//! the target rate from `--senders` tasks: every transaction is signed offline (mortal, 64
//! blocks, the nonce counted locally per account) and submitted with `author_submitExtrinsic`,
//! never watched. [`tracker`] follows best and finalized blocks and finds our extrinsics in them
//! by hash. After sending, it waits for the pool to drain and the last block to finalize.
//!
//! **What** ([`report`]): transactions sent, refused at submission (by RPC error), included,
//! finalized, dispatched ok or failed (by pallet error); included and finalized TPS over the
//! measurement window (our extrinsics per second by block timestamps, after `--warmup-blocks`);
//! inclusion and finalization latency p50/p90/p99/max (submit to block received, on this
//! machine's clock); finality lag (best minus finalized number at every best block) p50/p95/max;
//! extrinsics per block, block weight and length. For `both` (transfers, then the mixed workload,
//! on the same node): the ratio of mixed to transfer-only included TPS, the headline figure
//! (goal ≥ 0.9), and the finality lag under load (goal ≤ 3 blocks).
//!
//! Throughput only means the chain's capacity when the target rate is above it: then the pool
//! stays full and blocks are as full as the chain lets them be. Below capacity both scenarios
//! include what is sent and the ratio says nothing.
//!
//! **Scenarios.** `transfers`: `balances.transfer_keep_alive` between load accounts. `mixed`:
//! transfers plus whole compute-job lifecycles, credits redeems and data-market purchases, by
//! `--mix` weights (see [`mixed`]). `both`. `bad-input`: malformed and invalid transactions that
//! must be refused with a named error, then a check that the node still works (see
//! [`bad_input`]); the exit status is non-zero when an expectation fails.

mod bad_input;
mod engine;
mod mixed;
mod report;
mod setup;
mod tracker;
mod txs;

use clap::{Parser, ValueEnum};
use engine::{Load, Weights};
use report::Report;
use serde::Serialize;
use std::{path::PathBuf, process::ExitCode, sync::Arc, time::Duration};
use tracker::{Ledger, Tracker};
use txs::{Accounts, Chain, LoadError};

/// The headline goal: mixed TPS at least this share of transfer-only TPS.
const RATIO_GOAL: f64 = 0.9;
/// The finality goal under full load, in blocks.
const LAG_GOAL: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Scenario {
	/// Transfers only.
	Transfers,
	/// Transfers, compute jobs, redeems and purchases.
	Mixed,
	/// Transfers, then mixed, on the same node, and their ratio.
	Both,
	/// Malformed and invalid transactions must be refused; the node must survive.
	BadInput,
}

#[derive(Parser, Debug)]
#[command(
	name = "airtime-loadgen",
	version,
	about = "Load generator for an Airtime node: transfer and mixed TPS, latency, finality lag, \
	         and bad input"
)]
struct Cli {
	/// The node's WebSocket RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// What to send.
	#[arg(long, value_enum, default_value_t = Scenario::Both)]
	scenario: Scenario,
	/// Load accounts (`<seed-prefix>//<i>`), funded from the dev accounts.
	#[arg(long, default_value_t = 200)]
	accounts: usize,
	/// Target rate, transactions per second over all senders.
	#[arg(long, default_value_t = 1000)]
	rate: u32,
	/// Seconds of sending per scenario.
	#[arg(long, default_value_t = 60)]
	duration: u64,
	/// At most this many transactions per scenario.
	#[arg(long)]
	max_tx: Option<u64>,
	/// At most this many transactions sent and not yet in a block (0: no limit): keeps the
	/// pool a few blocks deep, so blocks stay full while lifecycles move on.
	#[arg(long, default_value_t = 6000)]
	max_pending: u64,
	/// Blocks holding our extrinsics left out at the start of the measurement window.
	#[arg(long, default_value_t = 2)]
	warmup_blocks: usize,
	/// Write the results as JSON to this file.
	#[arg(long)]
	json: Option<PathBuf>,
	/// Also print the results as Markdown rows (for the README).
	#[arg(long)]
	markdown: bool,
	/// Weights of the mixed workload: transfers,compute,redeem,data.
	#[arg(long, default_value = "70,10,10,10")]
	mix: Weights,
	/// Concurrent sending tasks.
	#[arg(long, default_value_t = 64)]
	senders: usize,
	/// WebSocket connections to submit over.
	#[arg(long, default_value_t = 4)]
	connections: usize,
	/// AIR given to each load account (providers get their stake on top).
	#[arg(long, default_value_t = 1000)]
	fund: u64,
	/// Skip funding (an earlier run funded the same accounts).
	#[arg(long)]
	no_fund: bool,
	/// Datasets listed for the mixed workload's purchases.
	#[arg(long, default_value_t = 64)]
	datasets: usize,
	/// Seconds to wait after sending for the pool to drain and blocks to finalize.
	#[arg(long, default_value_t = 120)]
	drain: u64,
	/// Derivation prefix of the load accounts.
	#[arg(long, default_value = "//load")]
	seed_prefix: String,
}

#[derive(Serialize)]
struct Output<'a> {
	command: String,
	url: &'a str,
	runs: &'a [Report],
	mixed_over_transfers_tps: Option<f64>,
	ratio_goal_met: Option<bool>,
	max_finality_lag_blocks: Option<u32>,
	lag_goal_met: Option<bool>,
	#[serde(skip_serializing_if = "Option::is_none")]
	bad_input: Option<&'a bad_input::BadInputReport>,
}

#[tokio::main]
async fn main() -> ExitCode {
	airtime_worker::init_tracing();
	let cli = Cli::parse();
	match run(&cli).await {
		Ok(true) => ExitCode::SUCCESS,
		Ok(false) => ExitCode::FAILURE,
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::FAILURE
		},
	}
}

fn command_line() -> String {
	std::env::args().collect::<Vec<_>>().join(" ")
}

/// Run the chosen scenario(s); whether every expectation held (bad input only).
async fn run(cli: &Cli) -> Result<bool, LoadError> {
	if cli.rate == 0 || cli.senders == 0 {
		return Err(LoadError::Usage("--rate and --senders must be positive".into()));
	}
	let chain = Chain::connect(&cli.url, cli.connections).await?;
	let refresher = chain.spawn_anchor_refresh();
	let result = scenarios(cli, &chain).await;
	refresher.abort();
	result
}

async fn scenarios(cli: &Cli, chain: &Arc<Chain>) -> Result<bool, LoadError> {
	if cli.scenario == Scenario::BadInput {
		let report = bad_input::run(chain).await?;
		report.print();
		write_json(cli, &[], Some(&report))?;
		return Ok(report.passed());
	}
	let run_mixed = matches!(cli.scenario, Scenario::Mixed | Scenario::Both);
	let layout = setup::Layout::new(cli.accounts);
	if run_mixed && layout.is_none() {
		return Err(LoadError::Usage("the mixed scenario needs at least 8 accounts".into()));
	}
	if cli.accounts < 2 {
		return Err(LoadError::Usage("at least two accounts are needed".into()));
	}
	let accounts = Arc::new(Accounts::derive(&cli.seed_prefix, cli.accounts)?);
	if !cli.no_fund {
		let per_account = u128::from(cli.fund).saturating_mul(airtime_worker::AIR);
		tracing::info!(accounts = accounts.len(), air = cli.fund, "funding the load accounts");
		setup::fund(chain, &accounts, layout.as_ref(), per_account).await?;
	}
	let mut reports = Vec::new();
	if matches!(cli.scenario, Scenario::Transfers | Scenario::Both) {
		reports.push(scenario(cli, chain, &accounts, None).await?);
	}
	if let (true, Some(layout)) = (run_mixed, layout.as_ref()) {
		tracing::info!("setting up the mixed scenario");
		let roles = setup::roles(chain, &accounts, layout, cli.datasets).await?;
		let mix = Arc::new(mixed::Mix::new(roles, accounts.clone()));
		reports.push(scenario(cli, chain, &accounts, Some(mix)).await?);
	}
	for r in &reports {
		report::print_human(r);
	}
	let (ratio, max_lag) = headline(&reports);
	println!();
	if let Some(ratio) = ratio {
		let met = if ratio >= RATIO_GOAL { "met" } else { "NOT met" };
		println!("mixed / transfer-only included TPS: {ratio:.3} (goal >= {RATIO_GOAL}: {met})");
	}
	if let Some(lag) = max_lag {
		let met = if lag <= LAG_GOAL { "met" } else { "NOT met" };
		println!("max finality lag under load: {lag} blocks (goal <= {LAG_GOAL}: {met})");
	}
	if cli.markdown {
		println!();
		print!("{}", report::markdown(&reports, ratio, &command_line()));
	}
	write_json(cli, &reports, None)?;
	Ok(true)
}

/// One measured scenario: track, send, drain, report.
async fn scenario(
	cli: &Cli,
	chain: &Arc<Chain>,
	accounts: &Arc<Accounts>,
	mix: Option<Arc<mixed::Mix>>,
) -> Result<Report, LoadError> {
	let name = if mix.is_some() { "mixed" } else { "transfers" };
	accounts.forget_nonces().await;
	chain.refresh_anchor().await?;
	let ledger = Ledger::default();
	// The finalized height before any sample: a best block that reaches the tracker before the
	// first finalized one must not count as lagging behind block 0.
	let finalized = u32::try_from(chain.finalized_number().await?).unwrap_or(u32::MAX);
	ledger.lock().finalized = finalized;
	let tracker = Tracker::spawn(chain.clone(), ledger.clone(), mix.clone()).await?;
	ledger.lock().recording = true;
	tracing::info!(scenario = name, rate = cli.rate, seconds = cli.duration, "sending");
	let load = Load {
		rate: cli.rate,
		duration: Duration::from_secs(cli.duration),
		max_tx: cli.max_tx,
		max_pending: cli.max_pending,
		senders: cli.senders,
		mix: mix.clone(),
		weights: cli.mix,
	};
	let sent = engine::run(chain.clone(), accounts.clone(), ledger.clone(), load).await;
	let sent = match sent {
		Ok(s) => s,
		Err(e) => {
			tracker.stop();
			return Err(e);
		},
	};
	tracing::info!(
		scenario = name,
		attempted = sent.attempted,
		"sent; waiting for the pool to drain"
	);
	engine::drain(&ledger, Duration::from_secs(cli.drain)).await;
	ledger.lock().recording = false;
	tracker.stop();
	let params = report::Params {
		scenario: name,
		accounts: accounts.len(),
		rate: cli.rate,
		warmup_blocks: cli.warmup_blocks,
		limits: chain.block_limits().await?,
	};
	let report = report::build(&params, &ledger.lock(), &sent, mix.map(|m| m.completed()));
	Ok(report)
}

/// The headline figures: mixed over transfer-only included TPS (when both ran), and the largest
/// finality lag of any run.
fn headline(reports: &[Report]) -> (Option<f64>, Option<u32>) {
	let find = |name: &str| reports.iter().find(|r| r.scenario == name);
	let ratio = match (find("transfers"), find("mixed")) {
		(Some(t), Some(m)) if t.included_tps > 0.0 => Some(m.included_tps / t.included_tps),
		_ => None,
	};
	(ratio, reports.iter().map(|r| r.finality_lag_blocks.max).max())
}

fn write_json(
	cli: &Cli,
	reports: &[Report],
	bad_input: Option<&bad_input::BadInputReport>,
) -> Result<(), LoadError> {
	let Some(path) = &cli.json else { return Ok(()) };
	let (ratio, max_lag) = headline(reports);
	let out = Output {
		command: command_line(),
		url: &cli.url,
		runs: reports,
		mixed_over_transfers_tps: ratio,
		ratio_goal_met: ratio.map(|r| r >= RATIO_GOAL),
		max_finality_lag_blocks: max_lag,
		lag_goal_met: max_lag.map(|l| l <= LAG_GOAL),
		bad_input,
	};
	let io = |error: std::io::Error| LoadError::Io { path: path.display().to_string(), error };
	let json = serde_json::to_string_pretty(&out)
		.map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
	std::fs::write(path, format!("{json}\n")).map_err(io)?;
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn mix_weights_parse() {
		let w: Weights = "70,10,10,10".parse().unwrap_or(Weights {
			transfer: 0,
			compute: 0,
			redeem: 0,
			data: 0,
		});
		assert_eq!((w.transfer, w.compute, w.redeem, w.data), (70, 10, 10, 10));
		assert!("1,2,3".parse::<Weights>().is_err());
		assert!("0,0,0,0".parse::<Weights>().is_err());
	}

	#[test]
	fn the_cli_parses() {
		let cli =
			Cli::try_parse_from(["airtime-loadgen", "--scenario", "bad-input", "--mix", "1,0,0,0"]);
		assert!(cli.is_ok_and(|c| c.scenario == Scenario::BadInput && c.mix.transfer == 1));
	}
}
