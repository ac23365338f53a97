//! Listings: `list_dataset`, `update_price`, `delist` / `relist`, `set_agent` and delivery keys.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{
	mock::*, types::*, Accesses, DatasetId, Datasets, DeliveryKeys, Error, Event, HoldReason,
	License, NextDatasetId, Purchases, Sellers,
};
use airtime_primitives::data::Validation;
use codec::Encode;
use frame_support::{assert_noop, assert_ok, traits::fungible::Mutate};
use sp_core::H256;

// ---------------------------------------------------------------- helpers

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn dataset(id: DatasetId) -> Dataset<Test> {
	Datasets::<Test>::get(id).expect("the dataset exists")
}

fn last_event() -> Event<Test> {
	market_events().pop().expect("an event of the data market")
}

/// Set `who`'s free balance (creating the account if needed).
fn set_free(who: AccountId, amount: Balance) {
	let _ = <Balances as Mutate<AccountId>>::set_balance(&who, amount);
}

// ---------------------------------------------------------------- list_dataset

#[test]
fn list_dataset_stores_the_record_and_holds_its_deposit() {
	build_and_execute(|| {
		assert!(Sellers::<Test>::get(1).is_none());
		let id = list_with(1, listing(1_000, 100), &[]);
		assert_eq!(id, 0);
		assert_eq!(NextDatasetId::<Test>::get(), 1);

		let d = dataset(id);
		assert_eq!(d.owner, 1);
		assert_eq!(d.agent, None);
		assert_eq!(d.listing, listing(1_000, 100));
		assert!(d.listed);
		assert!(d.parents.is_empty());
		assert_eq!(d.source_job, None);
		assert_eq!(d.validation, Validation::default());
		assert_eq!(d.sales, 0);
		assert_eq!(d.open_purchases, 0);

		let expected = DEPOSIT_BASE + DEPOSIT_PER_BYTE * d.encoded_size() as Balance;
		assert_eq!(d.deposit, expected);
		assert_eq!(DataMarket::dataset_deposit(&d).unwrap(), expected);
		assert_eq!(held(HoldReason::StorageDeposit, 1), expected);
		assert_eq!(free(1), ENDOWMENT - expected);

		assert_eq!(Sellers::<Test>::get(1), Some(SellerRecord::default()));
		assert_eq!(
			last_event(),
			Event::DatasetListed {
				dataset: 0,
				owner: 1,
				root_hash: H256::repeat_byte(0xab),
				price: 1_000,
				royalty: 100,
				deposit: expected,
				source_job: None,
			}
		);

		// A second listing gets the next id and a deposit of its own.
		let id2 = list(1);
		assert_eq!(id2, 1);
		assert_eq!(held(HoldReason::StorageDeposit, 1), 2 * expected);
		assert_eq!(Sellers::<Test>::get(1), Some(SellerRecord::default()));
	});
}

#[test]
fn the_deposit_follows_the_record_size() {
	build_and_execute(|| {
		let a = list(1);
		let b = list(2);
		let c = list_with(1, listing(1_000, 100), &[a, b]);
		assert_eq!(dataset(c).parents.to_vec(), vec![a, b]);
		// Two parents: 16 more bytes (the length prefix stays one byte).
		assert_eq!(dataset(c).deposit, dataset(a).deposit + 16 * DEPOSIT_PER_BYTE);

		let mut l = listing(1_000, 100);
		l.license = License::Custom;
		l.license_uri = Some(H256::repeat_byte(1));
		let d = list_with(1, l, &[]);
		// A licence URI hash: 32 more bytes.
		assert_eq!(dataset(d).deposit, dataset(a).deposit + 32 * DEPOSIT_PER_BYTE);
		for id in [a, b, c, d] {
			let record = dataset(id);
			assert_eq!(
				record.deposit,
				DEPOSIT_BASE + DEPOSIT_PER_BYTE * record.encoded_size() as Balance
			);
		}

		assert_eq!(
			held(HoldReason::StorageDeposit, 1),
			dataset(a).deposit + dataset(c).deposit + dataset(d).deposit
		);
		assert_eq!(held(HoldReason::StorageDeposit, 2), dataset(b).deposit);
	});
}

#[test]
fn list_dataset_rejects_invalid_sizes() {
	build_and_execute(|| {
		for (size, chunks) in [(0u64, 0u32), (0, 1), (1_000, 0), (3, 4), (1, 2)] {
			let mut l = listing(1_000, 100);
			l.size = size;
			l.chunk_count = chunks;
			assert_noop!(try_list(1, l, &[]), Error::<Test>::InvalidSize);
		}
		// One chunk per byte is the most.
		let mut l = listing(1_000, 100);
		l.size = 4;
		l.chunk_count = 4;
		assert_ok!(try_list(1, l, &[]));
		let mut l = listing(1_000, 100);
		l.size = 1;
		l.chunk_count = 1;
		assert_ok!(try_list(1, l, &[]));
	});
}

#[test]
fn a_custom_licence_needs_a_uri() {
	build_and_execute(|| {
		let mut l = listing(1_000, 100);
		l.license = License::Custom;
		assert_noop!(try_list(1, l.clone(), &[]), Error::<Test>::CustomLicenseNeedsUri);
		l.license_uri = Some(H256::repeat_byte(3));
		assert_ok!(try_list(1, l, &[]));
		assert_eq!(dataset(0).listing.license, License::Custom);
		assert_eq!(dataset(0).listing.license_uri, Some(H256::repeat_byte(3)));

		// Other licences may carry a URI too.
		let mut l = listing(1_000, 100);
		l.license_uri = Some(H256::repeat_byte(4));
		assert_ok!(try_list(1, l, &[]));
	});
}

#[test]
fn list_dataset_rejects_a_zero_price() {
	build_and_execute(|| {
		assert_noop!(try_list(1, listing(0, 100), &[]), Error::<Test>::ZeroPrice);
		assert_noop!(try_list(1, listing(0, 0), &[]), Error::<Test>::ZeroPrice);
		// A zero royalty is fine.
		assert_ok!(try_list(1, listing(1, 0), &[]));
	});
}

#[test]
fn parents_must_exist_and_be_distinct() {
	build_and_execute(|| {
		assert_noop!(try_list(1, listing(1_000, 100), &[0]), Error::<Test>::UnknownParent);
		let a = list(1);
		assert_noop!(try_list(1, listing(1_000, 100), &[a, a + 1]), Error::<Test>::UnknownParent);
		assert_noop!(try_list(1, listing(1_000, 100), &[a, a]), Error::<Test>::DuplicateDataset);
		let b = list_with(2, listing(1_000, 100), &[a]);
		assert_noop!(try_list(3, listing(1_000, 100), &[a, b, a]), Error::<Test>::DuplicateDataset);
		let c = list_with(3, listing(1_000, 100), &[b, a]);
		assert_eq!(dataset(b).parents.to_vec(), vec![a]);
		// Parents are stored in the order given.
		assert_eq!(dataset(c).parents.to_vec(), vec![b, a]);
	});
}

#[test]
fn list_dataset_needs_the_deposit_and_the_existential_deposit() {
	build_and_execute(|| {
		let a = list(1);
		let deposit = dataset(a).deposit;

		// Account 21 does not exist.
		assert_noop!(try_list(21, listing(1_000, 100), &[]), Error::<Test>::InsufficientBalance);

		// Exactly the deposit: the account would fall below the existential deposit.
		set_free(21, deposit);
		assert_noop!(try_list(21, listing(1_000, 100), &[]), Error::<Test>::InsufficientBalance);
		assert!(Sellers::<Test>::get(21).is_none());

		set_free(21, deposit + ED);
		let id = list(21);
		assert_eq!(dataset(id).deposit, deposit);
		assert_eq!(free(21), ED);
		assert_eq!(held(HoldReason::StorageDeposit, 21), deposit);
		assert_eq!(Sellers::<Test>::get(21), Some(SellerRecord::default()));
	});
}

// ---------------------------------------------------------------- update_price

#[test]
fn update_price_changes_later_purchases_only() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		assert_ok!(DataMarket::update_price(signed(1), d, 2_000, 5));
		assert_eq!(dataset(d).listing.price, 2_000);
		assert_eq!(dataset(d).listing.royalty, 5);
		assert_eq!(last_event(), Event::PriceUpdated { dataset: d, price: 2_000, royalty: 5 });

		// The open purchase keeps its price and escrow.
		assert_eq!(Purchases::<Test>::get(p).unwrap().price, 1_000);
		assert_eq!(held(HoldReason::PurchaseEscrow, 2), 1_000);

		// A later purchase pays the new price.
		let q = buy(3, d);
		assert_eq!(Purchases::<Test>::get(q).unwrap().price, 2_000);
		assert_eq!(held(HoldReason::PurchaseEscrow, 3), 2_000);

		// The first sale completes at its old price.
		deliver(1, p);
		run_to_block(System::block_number() + DISPUTE_PERIOD + 1);
		assert_ok!(DataMarket::complete_sale(signed(9), p));
		assert_eq!(
			last_event(),
			Event::SaleCompleted { purchase: p, dataset: d, seller: 1, amount: 900, fee: 100 }
		);

		// A zero royalty is allowed.
		assert_ok!(DataMarket::update_price(signed(1), d, 3, 0));
		assert_eq!(dataset(d).listing.royalty, 0);
	});
}

#[test]
fn update_price_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(
			DataMarket::update_price(signed(2), d, 2_000, 5),
			Error::<Test>::NotDatasetOwner
		);
		assert_noop!(
			DataMarket::update_price(signed(1), 99, 2_000, 5),
			Error::<Test>::UnknownDataset
		);
		assert_noop!(DataMarket::update_price(signed(1), d, 0, 5), Error::<Test>::ZeroPrice);
		// An agent is not the owner.
		assert_ok!(DataMarket::set_agent(signed(1), d, Some(3)));
		assert_noop!(
			DataMarket::update_price(signed(3), d, 2_000, 5),
			Error::<Test>::NotDatasetOwner
		);
	});
}

// ---------------------------------------------------------------- delist / relist

#[test]
fn delist_and_relist() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(DataMarket::relist(signed(1), d), Error::<Test>::DatasetAlreadyListed);
		assert_noop!(DataMarket::delist(signed(2), d), Error::<Test>::NotDatasetOwner);
		assert_noop!(DataMarket::delist(signed(1), 99), Error::<Test>::UnknownDataset);
		assert_noop!(DataMarket::relist(signed(1), 99), Error::<Test>::UnknownDataset);

		assert_ok!(DataMarket::delist(signed(1), d));
		assert!(!dataset(d).listed);
		assert_eq!(last_event(), Event::DatasetDelisted { dataset: d });
		assert_noop!(DataMarket::delist(signed(1), d), Error::<Test>::DatasetNotListed);
		assert_noop!(DataMarket::relist(signed(2), d), Error::<Test>::NotDatasetOwner);

		// A delisted dataset cannot be bought.
		set_key(2);
		assert_noop!(
			DataMarket::buy_access(signed(2), d, u128::MAX),
			Error::<Test>::DatasetNotListed
		);

		assert_ok!(DataMarket::relist(signed(1), d));
		assert!(dataset(d).listed);
		assert_eq!(last_event(), Event::DatasetRelisted { dataset: d });
		let p = buy(2, d);
		assert_eq!(Purchases::<Test>::get(p).unwrap().buyer, 2);
	});
}

#[test]
fn grants_and_open_purchases_survive_a_delisting() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		deliver(1, p);
		let q = buy(3, d);
		assert_ok!(DataMarket::delist(signed(1), d));

		// The grant stays.
		let a = Accesses::<Test>::get(2, d).unwrap();
		assert!(a.granted());
		assert_eq!(a.purchase, Some(p));

		// The open purchase can still be delivered.
		deliver(1, q);
		assert!(Accesses::<Test>::get(3, d).unwrap().granted());

		// And both sales complete.
		run_to_block(System::block_number() + DISPUTE_PERIOD + 1);
		assert_ok!(DataMarket::complete_sale(signed(5), p));
		assert_ok!(DataMarket::complete_sale(signed(5), q));
		let a = Accesses::<Test>::get(2, d).unwrap();
		assert!(a.granted());
		assert_eq!(a.purchase, None);
		assert_eq!(dataset(d).sales, 2);
		assert!(!dataset(d).listed);
	});
}

// ---------------------------------------------------------------- set_agent

#[test]
fn set_agent_lets_the_agent_deliver() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(DataMarket::set_agent(signed(2), d, Some(3)), Error::<Test>::NotDatasetOwner);
		assert_noop!(DataMarket::set_agent(signed(1), 99, Some(3)), Error::<Test>::UnknownDataset);

		let deposit = dataset(d).deposit;
		assert_ok!(DataMarket::set_agent(signed(1), d, Some(3)));
		assert_eq!(dataset(d).agent, Some(3));
		assert_eq!(last_event(), Event::AgentSet { dataset: d, agent: Some(3) });
		// The record grew by an account id (8 bytes in the mock): so did its deposit.
		assert_eq!(dataset(d).deposit, deposit + 8 * DEPOSIT_PER_BYTE);
		assert_eq!(held(HoldReason::StorageDeposit, 1), deposit + 8 * DEPOSIT_PER_BYTE);
		// The agent cannot name another agent.
		assert_noop!(DataMarket::set_agent(signed(3), d, Some(4)), Error::<Test>::NotDatasetOwner);

		let p = buy(2, d);
		assert_ok!(DataMarket::deliver_key(signed(3), p, sealed_key()));
		// The proceeds go to the seller, not the agent.
		assert_eq!(held(HoldReason::PurchaseEscrow, 1), 1_000);
		assert_eq!(held(HoldReason::PurchaseEscrow, 3), 0);

		// Removing the agent stops it.
		let q = buy(4, d);
		assert_ok!(DataMarket::set_agent(signed(1), d, None));
		assert_eq!(dataset(d).agent, None);
		assert_eq!(dataset(d).deposit, deposit, "the deposit shrinks back");
		assert_eq!(last_event(), Event::AgentSet { dataset: d, agent: None });
		assert_noop!(
			DataMarket::deliver_key(signed(3), q, sealed_key()),
			Error::<Test>::NotSellerOrAgent
		);
		deliver(1, q);
	});
}

// ---------------------------------------------------------------- delivery keys

#[test]
fn set_delivery_key_holds_one_deposit() {
	build_and_execute(|| {
		assert_eq!(held(HoldReason::StorageDeposit, 2), 0);
		assert_ok!(DataMarket::set_delivery_key(signed(2), [5u8; 32]));
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - KEY_DEPOSIT);
		assert_eq!(DeliveryKeys::<Test>::get(2), Some(([5u8; 32], KEY_DEPOSIT)));
		assert_eq!(last_event(), Event::DeliveryKeySet { who: 2, key: [5u8; 32] });

		// Replacing the key does not hold a second deposit.
		assert_ok!(DataMarket::set_delivery_key(signed(2), [6u8; 32]));
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - KEY_DEPOSIT);
		assert_eq!(DeliveryKeys::<Test>::get(2), Some(([6u8; 32], KEY_DEPOSIT)));
		assert_eq!(last_event(), Event::DeliveryKeySet { who: 2, key: [6u8; 32] });
	});
}

#[test]
fn set_delivery_key_needs_the_deposit() {
	build_and_execute(|| {
		assert_noop!(
			DataMarket::set_delivery_key(signed(21), [1u8; 32]),
			Error::<Test>::InsufficientBalance
		);
		set_free(21, KEY_DEPOSIT);
		assert_noop!(
			DataMarket::set_delivery_key(signed(21), [1u8; 32]),
			Error::<Test>::InsufficientBalance
		);
		set_free(21, KEY_DEPOSIT + ED);
		assert_ok!(DataMarket::set_delivery_key(signed(21), [1u8; 32]));
		assert_eq!(free(21), ED);
		assert_eq!(held(HoldReason::StorageDeposit, 21), KEY_DEPOSIT);
		// Replacing it costs nothing more, even with only the existential deposit left.
		assert_ok!(DataMarket::set_delivery_key(signed(21), [2u8; 32]));
		assert_eq!(held(HoldReason::StorageDeposit, 21), KEY_DEPOSIT);
	});
}

#[test]
fn clear_delivery_key_releases_the_deposit() {
	build_and_execute(|| {
		assert_noop!(DataMarket::clear_delivery_key(signed(2)), Error::<Test>::NoDeliveryKey);
		set_key(2);
		assert_ok!(DataMarket::clear_delivery_key(signed(2)));
		assert_eq!(held(HoldReason::StorageDeposit, 2), 0);
		assert_eq!(free(2), ENDOWMENT);
		assert_eq!(DeliveryKeys::<Test>::get(2), None);
		assert_eq!(last_event(), Event::DeliveryKeyCleared { who: 2 });
		assert_noop!(DataMarket::clear_delivery_key(signed(2)), Error::<Test>::NoDeliveryKey);

		// A new key holds the deposit again.
		set_key(2);
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT);
	});
}
