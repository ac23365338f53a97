use crate::{mock::*, Event};
use frame_support::assert_ok;
use sp_core::H256;

#[test]
fn one_job_settles() {
	build_and_execute(|| {
		register(2, 3);
		let job = submit(1, 1_000, 10, 1);
		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(2), job));
		assert_ok!(Compute::submit_attestation(
			RuntimeOrigin::signed(2),
			job,
			H256::repeat_byte(7),
			50
		));
		run_to_block(10);
		assert!(compute_events().iter().any(|e| matches!(e, Event::JobSettled { .. })));
	})
}
