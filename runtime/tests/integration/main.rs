//! The runtime's integration tests, one module per area, compiled into one test binary.
//!
//! One binary rather than one per file: in release every test binary instantiates and optimises
//! the runtime's generic dispatch code again, so each extra binary cost CI minutes of build time.
//! Run one area with a filter, e.g.
//! `cargo test --release -p airtime-runtime --features airtime-runtime/fast-runtime,airtime-runtime/try-runtime --test integration -- metadata::`.

mod common;

mod block_limits;
mod compute;
mod credits;
mod data_market;
mod fuzz;
mod governance;
mod metadata;
mod proxy;
mod runtime;
mod staking;
mod tokenomics;
mod wasm;
