//! Proxies on the whole runtime: a `NonTransfer` proxy cannot pay its delegator's funds to any
//! other account, directly or inside a batch, while the calls it exists for still work.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::common::{advance, new_ext};
use airtime_runtime::{
	configs::proxy::ProxyType, AccountId, Balances, Proxy, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeOrigin, System, AIR,
};
use frame_support::{assert_ok, traits::fungible::Inspect};
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie};
use sp_runtime::DispatchError;

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;

/// Alice makes Bob her `NonTransfer` proxy.
fn with_non_transfer_proxy(test: impl FnOnce(AccountId, AccountId)) {
	new_ext(DEV).execute_with(|| {
		advance(1);
		let (alice, bob) = (Alice.to_account_id(), Bob.to_account_id());
		assert_ok!(Proxy::add_proxy(
			RuntimeOrigin::signed(alice.clone()),
			bob.clone().into(),
			ProxyType::NonTransfer,
			0
		));
		test(alice, bob)
	})
}

/// Bob dispatches `call` as Alice; returns the inner result from `ProxyExecuted`.
fn as_alice(bob: &AccountId, alice: &AccountId, call: RuntimeCall) -> Result<(), DispatchError> {
	System::reset_events();
	assert_ok!(Proxy::proxy(
		RuntimeOrigin::signed(bob.clone()),
		alice.clone().into(),
		None,
		Box::new(call)
	));
	System::events()
		.into_iter()
		.find_map(|r| match r.event {
			RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result }) => Some(result),
			_ => None,
		})
		.expect("the proxy call ran")
}

fn filtered() -> Result<(), DispatchError> {
	Err(frame_system::Error::<Runtime>::CallFiltered.into())
}

#[test]
fn a_non_transfer_proxy_cannot_pay_the_delegators_funds_away() {
	with_non_transfer_proxy(|alice, bob| {
		let charlie = Charlie.to_account_id();
		let free_before = Balances::balance(&alice);
		let paying_calls = [
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: bob.clone().into(),
				value: AIR,
			}),
			// An allowance lets the delegate open channels it signs the vouchers of.
			RuntimeCall::Credits(pallet_credits::Call::approve {
				delegate: bob.clone(),
				amount: 1_000 * AIR,
				expires: 1_000,
				max_channels: 1,
			}),
			RuntimeCall::DataMarket(pallet_data_market::Call::buy_access {
				dataset: 0,
				max_price: 1_000 * AIR,
			}),
			RuntimeCall::Multisig(pallet_multisig::Call::as_multi_threshold_1 {
				other_signatories: vec![bob.clone()],
				call: Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![] })),
			}),
			RuntimeCall::Staking(pallet_staking::Call::delegate {
				provider: charlie.clone(),
				amount: 1_000 * AIR,
			}),
		];
		for call in paying_calls {
			assert_eq!(as_alice(&bob, &alice, call.clone()), filtered(), "{call:?}");
		}

		// Inside a batch the filter still applies, call by call.
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![
				RuntimeCall::System(frame_system::Call::remark { remark: vec![1] }),
				RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
					dest: bob.clone().into(),
					value: AIR,
				}),
			],
		});
		assert_eq!(as_alice(&bob, &alice, batch), filtered());

		// Only Bob's fees moved, nothing of Alice's.
		assert_eq!(Balances::balance(&alice), free_before);
	})
}

#[test]
fn a_non_transfer_proxy_still_stakes_votes_and_remarks() {
	with_non_transfer_proxy(|alice, bob| {
		let remark = RuntimeCall::System(frame_system::Call::remark_with_event {
			remark: b"airtime".to_vec(),
		});
		assert_eq!(as_alice(&bob, &alice, remark), Ok(()));
		let note = RuntimeCall::Preimage(pallet_preimage::Call::note_preimage {
			bytes: H256::repeat_byte(7).as_bytes().to_vec(),
		});
		assert_eq!(as_alice(&bob, &alice, note), Ok(()));
		// Staking calls reach the staking pallet (Alice is a genesis validator: already bonded).
		let bond_extra =
			RuntimeCall::Staking(pallet_staking::Call::bond_extra { max_additional: AIR });
		assert_eq!(as_alice(&bob, &alice, bond_extra), Ok(()));
	})
}
