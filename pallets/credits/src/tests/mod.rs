//! Unit and property tests of the credits pallet.

mod smoke;
