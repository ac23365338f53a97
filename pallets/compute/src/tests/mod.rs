//! Unit and property tests. Every test runs in `build_and_execute`, which checks the pallet's
//! invariants (`do_try_state`) and every account's holds afterwards.

mod attestation;
mod disputes;
mod jobs;
mod pools;
mod proptest;
mod providers;
mod settlement;
mod smoke;
mod util;
