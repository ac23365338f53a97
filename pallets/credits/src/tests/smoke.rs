#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{mock::*, Error};
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;

#[test]
fn a_channel_pays_the_latest_voucher_and_returns_the_rest() {
	build_and_execute(|| {
		assert_ok!(Credits::register_service(
			RuntimeOrigin::signed(1),
			H256::zero(),
			H256::zero(),
			10,
			0
		));
		assert_ok!(Credits::open_channel(RuntimeOrigin::signed(2), 0, 1_000, 50));
		assert_noop!(
			Credits::redeem(RuntimeOrigin::signed(1), 0, voucher(3, 0, 100)),
			Error::<Test>::BadSignature
		);
		assert_ok!(Credits::redeem(RuntimeOrigin::signed(1), 0, voucher(2, 0, 100)));
		assert_noop!(
			Credits::redeem(RuntimeOrigin::signed(1), 0, voucher(2, 0, 100)),
			Error::<Test>::StaleVoucher
		);
		assert_eq!(Balances::free_balance(1), ENDOWMENT - SERVICE_DEPOSIT + 90);
		run_to(50);
		assert_ok!(Credits::close(RuntimeOrigin::signed(9), 0));
		assert_eq!(Balances::free_balance(2), ENDOWMENT - 100);
		assert_eq!(Balances::free_balance(TREASURY), ED + 10);
	})
}
