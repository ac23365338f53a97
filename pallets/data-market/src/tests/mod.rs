//! Unit tests of the data market.

mod smoke;
