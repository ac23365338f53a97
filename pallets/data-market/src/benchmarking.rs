//! Benchmarks (placeholder).
use crate::*;
use alloc::vec::Vec;

/// Create `n` datasets `user` may use.
pub fn datasets_for<T: Config>(_user: &T::AccountId, _n: u32) -> Vec<DatasetId> {
	Vec::new()
}
