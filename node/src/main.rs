//! `airtime-node`: the Airtime chain node (Aura + GRANDPA, ParityDB).
#![warn(missing_docs)]
// `sc_cli::Error` and `sc_service::Error` are upstream types of 176+ bytes that every subcommand
// returns; boxing them here would only add noise at each call site.
#![allow(clippy::result_large_err)]

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
