//! Credits on the whole runtime: one `redeem` settles 10,000 calls for a fee that, per call, is
//! far below a thousandth of a `transfer_keep_alive`'s; vouchers signed with any of the runtime's
//! signature schemes pay, and the calls that check them are weighed by the scheme (ecdsa's key
//! recovery costs the most); the launch tier table and governed parameters are in the genesis
//! state and only Root or `MarketAdmin` change the tiers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::common::{advance, new_ext, signed};
use airtime_primitives::credits::{CallEligibility, SignatureCost, SignedVoucher, Voucher};
use airtime_runtime::{
	configs::{compute::treasury_account, parameters::dynamic_params::credits as params},
	AccountId, Balance, Balances, Credits, Runtime, RuntimeCall, RuntimeOrigin, TransactionPayment,
	AIR,
};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::GetDispatchInfo,
	traits::{fungible::InspectHold, Get},
};
use pallet_credits::WeightInfo;
use sp_core::{ecdsa, ed25519, Pair, H256};
use sp_keyring::Sr25519Keyring::{Bob, Charlie, Dave};
use sp_runtime::{traits::IdentifyAccount, DispatchError, MultiSignature, MultiSigner, Perbill};

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
const PRICE: Balance = AIR / 1_000;
const CALLS: u128 = 10_000;

fn voucher(channel: u64, total: Balance) -> Voucher<Balance> {
	let c = Credits::channel_view(channel).expect("the channel is open");
	Voucher { genesis: Credits::genesis_hash(), channel, channel_nonce: c.nonce, total }
}

fn open_service_and_channel(payer: &AccountId) -> (u64, u64) {
	let service = pallet_credits::NextServiceId::<Runtime>::get();
	assert_ok!(Credits::register_service(
		RuntimeOrigin::signed(Bob.to_account_id()),
		H256::repeat_byte(1),
		H256::repeat_byte(2),
		PRICE,
		0
	));
	let channel = pallet_credits::NextChannelId::<Runtime>::get();
	let expiry = frame_system::Pallet::<Runtime>::block_number() + 100;
	assert_ok!(Credits::open_channel(
		RuntimeOrigin::signed(payer.clone()),
		service,
		CALLS * PRICE + 5 * PRICE,
		expiry
	));
	(service, channel)
}

#[test]
fn one_redeem_settles_ten_thousand_calls_for_under_a_thousandth_of_a_transfer_each() {
	new_ext(DEV).execute_with(|| {
		advance(1);
		let charlie = Charlie.to_account_id();
		let (_, channel) = open_service_and_channel(&charlie);
		let total = CALLS * PRICE;
		let pair = Charlie.pair();
		let v = voucher(channel, total);
		let signed_voucher = SignedVoucher {
			voucher: v,
			signature: MultiSignature::from(pair.sign(&v.signing_payload())),
		};

		let redeem = RuntimeCall::Credits(pallet_credits::Call::redeem {
			channel,
			voucher: signed_voucher.clone(),
		});
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: Dave.to_account_id().into(),
			value: AIR,
		});
		let fee = |call: RuntimeCall| {
			let xt = signed(call, &Bob.pair(), 0, 0);
			let len = xt.encoded_size() as u32;
			TransactionPayment::compute_fee(len, &xt.get_dispatch_info(), 0)
		};
		let (redeem_fee, transfer_fee) = (fee(redeem), fee(transfer));
		println!(
			"redeem fee {redeem_fee}, per call {} ({} calls), transfer_keep_alive fee {transfer_fee}: \
			 per call = 1/{} of a transfer",
			redeem_fee / CALLS,
			CALLS,
			transfer_fee * CALLS / redeem_fee
		);
		assert!(
			redeem_fee * 1_000 <= transfer_fee * CALLS,
			"per-call cost {redeem_fee}/{CALLS} is above 1/1000 of a transfer ({transfer_fee})"
		);

		// And the redeem does what it costs: the owner gets the total less 2 %.
		let bob_before = Balances::free_balance(Bob.to_account_id());
		let treasury_before = Balances::free_balance(treasury_account());
		assert_ok!(Credits::redeem(
			RuntimeOrigin::signed(Bob.to_account_id()),
			channel,
			signed_voucher
		));
		let fee = Perbill::from_percent(2).mul_floor(total);
		assert_eq!(params::ProtocolFee::get(), Perbill::from_percent(2));
		assert_eq!(Balances::free_balance(Bob.to_account_id()), bob_before + total - fee);
		// 40 % of the fee (compute's `FeeToStakers`) to the staking pot, the rest to the treasury.
		let to_stakers = Perbill::from_percent(40).mul_floor(fee);
		assert_eq!(Balances::free_balance(treasury_account()), treasury_before + fee - to_stakers);
		assert_eq!(
			Balances::balance_on_hold(&pallet_credits::HoldReason::ChannelFunds.into(), &charlie),
			5 * PRICE
		);
	});
}

#[test]
fn vouchers_signed_with_ecdsa_and_ed25519_pay() {
	new_ext(DEV).execute_with(|| {
		advance(1);
		let ecdsa_pair = ecdsa::Pair::from_string("//Erin", None).unwrap();
		let ed_pair = ed25519::Pair::from_string("//Frank", None).unwrap();
		let ecdsa_who: AccountId = MultiSigner::from(ecdsa_pair.public()).into_account();
		let ed_who: AccountId = MultiSigner::from(ed_pair.public()).into_account();
		for who in [&ecdsa_who, &ed_who] {
			assert_ok!(Balances::transfer_keep_alive(
				RuntimeOrigin::signed(Charlie.to_account_id()),
				who.clone().into(),
				1_000 * AIR
			));
		}
		let (_, c1) = open_service_and_channel(&ecdsa_who);
		let (_, c2) = open_service_and_channel(&ed_who);
		let v1 = voucher(c1, 7 * PRICE);
		let v2 = voucher(c2, 9 * PRICE);
		let s1 = MultiSignature::from(ecdsa_pair.sign(&v1.signing_payload()));
		let s2 = MultiSignature::from(ed_pair.sign(&v2.signing_payload()));
		let bob = RuntimeOrigin::signed(Bob.to_account_id());
		// Swapped signatures do not pay.
		assert_noop!(
			Credits::redeem(bob.clone(), c1, SignedVoucher { voucher: v1, signature: s2.clone() }),
			pallet_credits::Error::<Runtime>::BadSignature
		);
		assert_ok!(Credits::redeem(bob.clone(), c1, SignedVoucher { voucher: v1, signature: s1 }));
		assert_ok!(Credits::redeem(bob, c2, SignedVoucher { voucher: v2, signature: s2 }));
		assert_eq!(Credits::channel_view(c1).unwrap().redeemed, 7 * PRICE);
		assert_eq!(Credits::channel_view(c2).unwrap().redeemed, 9 * PRICE);
	});
}

/// `redeem` and `cooperative_close` declare the weight of their voucher's scheme: an ecdsa
/// signature (key recovery) its `_recovering` benchmark, sr25519 and ed25519 the standard one.
#[test]
fn redeem_and_cooperative_close_are_weighed_by_the_signature_scheme() {
	type Weights = <Runtime as pallet_credits::Config>::WeightInfo;
	new_ext(DEV).execute_with(|| {
		let v = Voucher { genesis: H256::zero(), channel: 0, channel_nonce: 1, total: PRICE };
		let payload = v.signing_payload();
		let ecdsa_pair = ecdsa::Pair::from_string("//Erin", None).unwrap();
		let ed_pair = ed25519::Pair::from_string("//Frank", None).unwrap();
		let schemes = [
			("ecdsa", MultiSignature::from(ecdsa_pair.sign(&payload)), true),
			("sr25519", MultiSignature::from(Charlie.pair().sign(&payload)), false),
			("ed25519", MultiSignature::from(ed_pair.sign(&payload)), false),
		];
		for (scheme, signature, recovering) in schemes {
			assert_eq!(signature.recovers_key(), recovering, "{scheme}");
			let (redeem, with_voucher) = if recovering {
				(Weights::redeem_recovering(), Weights::cooperative_close_with_voucher_recovering())
			} else {
				(Weights::redeem(), Weights::cooperative_close_with_voucher())
			};
			let signed_voucher = SignedVoucher { voucher: v, signature };
			let call = RuntimeCall::Credits(pallet_credits::Call::redeem {
				channel: 0,
				voucher: signed_voucher.clone(),
			});
			assert_eq!(call.get_dispatch_info().call_weight, redeem, "redeem, {scheme}");
			let call = RuntimeCall::Credits(pallet_credits::Call::cooperative_close {
				channel: 0,
				voucher: Some(signed_voucher),
			});
			assert_eq!(
				call.get_dispatch_info().call_weight,
				with_voucher.max(Weights::cooperative_close()),
				"cooperative_close, {scheme}"
			);
		}
		let call = RuntimeCall::Credits(pallet_credits::Call::cooperative_close {
			channel: 0,
			voucher: None,
		});
		assert_eq!(call.get_dispatch_info().call_weight, Weights::cooperative_close());
	});
}

#[test]
fn launch_tiers_are_in_genesis_and_only_root_or_market_admin_change_them() {
	new_ext(DEV).execute_with(|| {
		advance(1);
		let tiers = Credits::tiers_view();
		assert_eq!(
			tiers,
			vec![
				(b"Basic".to_vec(), 1_000 * AIR),
				(b"Pro".to_vec(), 10_000 * AIR),
				(b"Enterprise".to_vec(), 100_000 * AIR),
			]
		);
		let dave = Dave.to_account_id();
		assert_ok!(Credits::lock_for_tier(RuntimeOrigin::signed(dave.clone()), 10_000 * AIR));
		assert_eq!(Credits::tier_view(&dave).tier, 2);
		assert_ok!(Credits::register_service(
			RuntimeOrigin::signed(Bob.to_account_id()),
			H256::zero(),
			H256::zero(),
			PRICE,
			3
		));
		assert_eq!(Credits::can_call(&dave, 0), CallEligibility::TierTooLow { has: 2, needs: 3 });

		let table = pallet_credits::TiersOf::<Runtime>::truncate_from(vec![
			pallet_credits::TierDefinition {
				name: b"Basic".to_vec().try_into().unwrap(),
				threshold: 10 * AIR,
			},
		]);
		assert_noop!(
			Credits::set_tiers(RuntimeOrigin::signed(dave.clone()), table.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(Credits::set_tiers(
			RuntimeOrigin::from(pallet_governance::Origin::MarketAdmin),
			table.clone()
		));
		assert_eq!(Credits::tier_view(&dave).tier, 1);
		assert_ok!(Credits::set_tiers(RuntimeOrigin::root(), table));
	});
}
