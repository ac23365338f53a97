#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::mock::*;

#[test]
fn a_listing_is_stored() {
	build_and_execute(|| {
		let id = list(1);
		assert!(crate::Datasets::<Test>::contains_key(id));
	});
}
