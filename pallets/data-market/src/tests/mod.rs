//! Unit and property tests of the data market. Every unit test runs in `build_and_execute`, which
//! checks the pallet's invariants (`do_try_state`) and every endowed account's holds afterwards.

mod compute_use;
mod listings;
mod proptest;
mod purchases;
mod smoke;
mod validation;
mod views;
