//! Purchases: `buy_access`, `deliver_key`, `reclaim`, `dispute`, `resolve_dispute`,
//! `complete_sale` and `relinquish_access`, with the money flows of each.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{
	mock::*, types::*, Accesses, CurationFunds, DatasetId, Datasets, Error, Event, HoldReason,
	NextPurchaseId, PurchaseId, Purchases, Sellers,
};
use codec::{Decode, Encode};
use frame_support::{assert_noop, assert_ok, traits::fungible::Mutate, BoundedVec};
use sp_runtime::{DispatchError, DispatchResult, Perbill};

// ---------------------------------------------------------------- helpers

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn now() -> u64 {
	System::block_number()
}

fn dataset(id: DatasetId) -> Dataset<Test> {
	Datasets::<Test>::get(id).expect("the dataset exists")
}

fn purchase(id: PurchaseId) -> Purchase<Test> {
	Purchases::<Test>::get(id).expect("the purchase is open")
}

fn last_event() -> Event<Test> {
	market_events().pop().expect("an event of the data market")
}

fn set_free(who: AccountId, amount: Balance) {
	let _ = <Balances as Mutate<AccountId>>::set_balance(&who, amount);
}

fn buy_access(who: AccountId, dataset: DatasetId, max_price: Balance) -> DispatchResult {
	DataMarket::buy_access(signed(who), dataset, max_price)
}

/// `deliver_key` with `key` (at most `MaxSealedKeyLen` bytes: a longer one does not decode, see
/// `an_oversized_sealed_key_does_not_decode`).
fn deliver_key(who: AccountId, p: PurchaseId, key: Vec<u8>) -> DispatchResult {
	let key: SealedKeyOf<Test> = key.try_into().expect("at most MaxSealedKeyLen bytes");
	DataMarket::deliver_key(signed(who), p, key)
}

fn reclaim(who: AccountId, p: PurchaseId) -> DispatchResult {
	DataMarket::reclaim(signed(who), p)
}

fn dispute(who: AccountId, p: PurchaseId, bond: Balance) -> DispatchResult {
	DataMarket::dispute(signed(who), p, bond)
}

fn resolve(p: PurchaseId, buyer_won: bool) -> DispatchResult {
	DataMarket::resolve_dispute(RuntimeOrigin::root(), p, buyer_won)
}

fn complete(p: PurchaseId) -> DispatchResult {
	DataMarket::complete_sale(signed(9), p)
}

fn relinquish(who: AccountId, dataset: DatasetId) -> DispatchResult {
	DataMarket::relinquish_access(signed(who), dataset)
}

fn fee_of(amount: Balance) -> Balance {
	Perbill::from_percent(PROTOCOL_FEE_PERCENT).mul_ceil(amount)
}

fn pot_part(fee: Balance) -> Balance {
	Perbill::from_percent(FEE_TO_CURATORS_PERCENT).mul_floor(fee)
}

fn count(f: impl Fn(&Event<Test>) -> bool) -> usize {
	market_events().iter().filter(|e| f(e)).count()
}

// ---------------------------------------------------------------- buy_access

#[test]
fn buy_access_escrows_the_price() {
	build_and_execute(|| {
		let d = list(1);
		set_key(2);
		run_to_block(3);
		assert_ok!(buy_access(2, d, 1_000));
		let p: PurchaseId = 0;
		assert_eq!(NextPurchaseId::<Test>::get(), 1);

		assert_eq!(held(HoldReason::PurchaseEscrow, 2), 1_000);
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT + ACCESS_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - KEY_DEPOSIT - 1_000 - ACCESS_DEPOSIT);
		// The seller is not touched before delivery.
		assert_eq!(held(HoldReason::PurchaseEscrow, 1), 0);

		assert_eq!(
			Accesses::<Test>::get(2, d),
			Some(Access::<Test> { purchase: Some(p), since: None, deposit: ACCESS_DEPOSIT })
		);
		assert_eq!(
			purchase(p),
			Purchase::<Test> {
				dataset: d,
				buyer: 2,
				seller: 1,
				price: 1_000,
				buyer_key: [2u8; 32],
				state: PurchaseState::AwaitingDelivery { until: 3 + DELIVERY_PERIOD },
			}
		);
		assert_eq!(dataset(d).open_purchases, 1);
		assert_eq!(
			last_event(),
			Event::AccessBought {
				purchase: p,
				dataset: d,
				buyer: 2,
				seller: 1,
				price: 1_000,
				deliver_by: 3 + DELIVERY_PERIOD,
			}
		);

		// Another buyer: the next id, and the dataset counts both.
		let q = buy(3, d);
		assert_eq!(q, 1);
		assert_eq!(dataset(d).open_purchases, 2);
	});
}

#[test]
fn buy_access_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(buy_access(2, d, u128::MAX), Error::<Test>::NoDeliveryKey);
		set_key(2);
		assert_noop!(buy_access(2, 99, u128::MAX), Error::<Test>::UnknownDataset);
		set_key(1);
		assert_noop!(buy_access(1, d, u128::MAX), Error::<Test>::SelfPurchase);
		assert_noop!(buy_access(2, d, 999), Error::<Test>::PriceAboveLimit);

		let p = buy(2, d);
		assert_noop!(buy_access(2, d, u128::MAX), Error::<Test>::PurchasePending);
		deliver(1, p);
		assert_noop!(buy_access(2, d, u128::MAX), Error::<Test>::AlreadyHasAccess);
		run_to_block(now() + DISPUTE_PERIOD + 1);
		assert_ok!(complete(p));
		assert_noop!(buy_access(2, d, u128::MAX), Error::<Test>::AlreadyHasAccess);

		assert_ok!(DataMarket::delist(signed(1), d));
		set_key(3);
		assert_noop!(buy_access(3, d, u128::MAX), Error::<Test>::DatasetNotListed);
	});
}

#[test]
fn max_price_protects_against_a_price_rise() {
	build_and_execute(|| {
		let d = list(1);
		set_key(2);
		assert_ok!(DataMarket::update_price(signed(1), d, 1_001, 100));
		assert_noop!(buy_access(2, d, 1_000), Error::<Test>::PriceAboveLimit);
		assert_ok!(buy_access(2, d, 1_001));
		assert_eq!(held(HoldReason::PurchaseEscrow, 2), 1_001);
	});
}

#[test]
fn buy_access_needs_price_deposit_and_existential_deposit() {
	build_and_execute(|| {
		let d = list(1);
		set_free(21, 100);
		set_key(21);
		assert_noop!(buy_access(21, d, u128::MAX), Error::<Test>::InsufficientBalance);
		set_free(21, 1_000 + ACCESS_DEPOSIT);
		assert_noop!(buy_access(21, d, u128::MAX), Error::<Test>::InsufficientBalance);
		set_free(21, 1_000 + ACCESS_DEPOSIT + ED);
		assert_ok!(buy_access(21, d, u128::MAX));
		assert_eq!(free(21), ED);
		assert_eq!(held(HoldReason::PurchaseEscrow, 21), 1_000);
		assert_eq!(held(HoldReason::StorageDeposit, 21), KEY_DEPOSIT + ACCESS_DEPOSIT);
	});
}

// ---------------------------------------------------------------- deliver_key

#[test]
fn deliver_key_moves_the_escrow_to_the_seller_and_grants_access() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		let (free1, free2) = (free(1), free(2));
		run_to_block(4);
		deliver(1, p);

		assert_eq!(held(HoldReason::PurchaseEscrow, 2), 0);
		assert_eq!(held(HoldReason::PurchaseEscrow, 1), 1_000);
		assert_eq!((free(1), free(2)), (free1, free2));
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT + ACCESS_DEPOSIT);

		let a = Accesses::<Test>::get(2, d).unwrap();
		assert!(a.granted());
		assert_eq!(a.since, Some(4));
		assert_eq!(a.purchase, Some(p));

		assert_eq!(
			purchase(p).state,
			PurchaseState::<Test>::Delivered {
				sealed_key: sealed_key(),
				dispute_until: 4 + DISPUTE_PERIOD
			}
		);
		assert_eq!(dataset(d).open_purchases, 1);
		assert_eq!(
			last_event(),
			Event::KeyDelivered {
				purchase: p,
				dataset: d,
				buyer: 2,
				sealed_key: sealed_key(),
				dispute_until: 4 + DISPUTE_PERIOD,
			}
		);
	});
}

#[test]
fn an_agent_may_deliver_and_a_stranger_may_not() {
	build_and_execute(|| {
		let d = list(1);
		assert_ok!(DataMarket::set_agent(signed(1), d, Some(3)));
		let p = buy(2, d);
		assert_noop!(deliver_key(4, p, sealed()), Error::<Test>::NotSellerOrAgent);
		// Not even the buyer.
		assert_noop!(deliver_key(2, p, sealed()), Error::<Test>::NotSellerOrAgent);
		assert_ok!(deliver_key(3, p, sealed()));
		assert_eq!(held(HoldReason::PurchaseEscrow, 1), 1_000);
		assert_eq!(held(HoldReason::PurchaseEscrow, 3), 0);
		assert!(Accesses::<Test>::get(2, d).unwrap().granted());
	});
}

#[test]
fn deliver_key_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(deliver_key(1, 0, sealed()), Error::<Test>::UnknownPurchase);
		let p = buy(2, d);
		assert_noop!(deliver_key(1, p + 1, sealed()), Error::<Test>::UnknownPurchase);
		assert_noop!(deliver_key(1, p, vec![]), Error::<Test>::EmptySealedKey);
		// The longest key is accepted (a longer one does not decode, see below).
		assert_ok!(deliver_key(1, p, vec![1u8; MAX_SEALED_KEY_LEN as usize]));
		assert_noop!(deliver_key(1, p, sealed()), Error::<Test>::AlreadyDelivered);
		// A one-byte key too (the chain does not check the format).
		let q = buy(3, d);
		assert_ok!(deliver_key(1, q, vec![0u8]));
	});
}

#[test]
fn an_oversized_sealed_key_does_not_decode() {
	let max = MAX_SEALED_KEY_LEN as usize;
	let p: PurchaseId = 3;
	let call = crate::Call::<Test>::deliver_key {
		purchase: p,
		sealed_key: BoundedVec::truncate_from(vec![1u8; max]),
	};
	// A pallet call encodes as its call index (8), then its arguments in order; the key as a
	// `Vec<u8>` would (compact length, then the bytes).
	let encoded = call.encode();
	assert_eq!(encoded, (8u8, p, vec![1u8; max]).encode());
	// The longest key round-trips, as a pallet call and as a runtime call.
	assert_eq!(crate::Call::<Test>::decode(&mut &encoded[..]).ok(), Some(call.clone()));
	let runtime_call = RuntimeCall::DataMarket(call);
	let runtime_encoded = runtime_call.encode();
	assert_eq!(RuntimeCall::decode(&mut &runtime_encoded[..]).ok(), Some(runtime_call));

	// One byte more does not decode: the transaction is invalid, and the key is not read.
	let oversized = (8u8, p, vec![1u8; max + 1]).encode();
	assert!(crate::Call::<Test>::decode(&mut &oversized[..]).is_err());
	// Nor as a runtime call (the pallet's index, then the pallet call).
	let runtime_oversized = [&runtime_encoded[..1], &oversized[..]].concat();
	assert!(RuntimeCall::decode(&mut &runtime_oversized[..]).is_err());
}

#[test]
fn the_delivery_period_ends() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		let q = buy(3, d);
		assert_eq!(
			purchase(p).state,
			PurchaseState::<Test>::AwaitingDelivery { until: 1 + DELIVERY_PERIOD }
		);
		// The last block of the period is still in time.
		run_to_block(1 + DELIVERY_PERIOD);
		deliver(1, p);
		run_to_block(2 + DELIVERY_PERIOD);
		assert_noop!(deliver_key(1, q, sealed()), Error::<Test>::DeliveryPeriodOver);
	});
}

#[test]
fn a_later_key_change_does_not_redirect_a_delivery() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		assert_eq!(purchase(p).buyer_key, [2u8; 32]);
		assert_ok!(DataMarket::set_delivery_key(signed(2), [9u8; 32]));
		assert_eq!(purchase(p).buyer_key, [2u8; 32]);
		deliver(1, p);
		assert_eq!(purchase(p).buyer_key, [2u8; 32]);
		assert_eq!(DataMarket::purchase_view(p).unwrap().buyer_key, [2u8; 32]);

		// Clearing the key does not stop an open purchase either.
		let e = list(3);
		let q = buy(2, e);
		assert_eq!(purchase(q).buyer_key, [9u8; 32]);
		assert_ok!(DataMarket::clear_delivery_key(signed(2)));
		deliver(3, q);
		assert_eq!(purchase(q).buyer_key, [9u8; 32]);
	});
}

// ---------------------------------------------------------------- reclaim

#[test]
fn reclaim_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(reclaim(2, 0), Error::<Test>::UnknownPurchase);
		let p = buy(2, d);
		assert_noop!(reclaim(3, p), Error::<Test>::NotBuyer);
		assert_noop!(reclaim(1, p), Error::<Test>::NotBuyer);
		run_to_block(1 + DELIVERY_PERIOD);
		assert_noop!(reclaim(2, p), Error::<Test>::DeliveryPeriodNotOver);
		deliver(1, p);
		run_to_block(2 + DELIVERY_PERIOD);
		assert_noop!(reclaim(2, p), Error::<Test>::AlreadyDelivered);
	});
}

#[test]
fn reclaim_returns_the_escrow_after_the_delivery_period() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		let seller_free = free(1);
		run_to_block(2 + DELIVERY_PERIOD);
		assert_ok!(reclaim(2, p));

		assert_eq!(free(2), ENDOWMENT - KEY_DEPOSIT);
		assert_eq!(held(HoldReason::PurchaseEscrow, 2), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT);
		assert_eq!(free(1), seller_free);
		assert_eq!(
			Sellers::<Test>::get(1),
			Some(SellerRecord { sales: 0, missed_deliveries: 1, disputes_lost: 0 })
		);
		assert!(Purchases::<Test>::get(p).is_none());
		assert!(Accesses::<Test>::get(2, d).is_none());
		assert_eq!(dataset(d).open_purchases, 0);
		assert_eq!(
			last_event(),
			Event::PurchaseReclaimed { purchase: p, dataset: d, buyer: 2, amount: 1_000 }
		);

		assert_noop!(reclaim(2, p), Error::<Test>::UnknownPurchase);
		assert_noop!(deliver_key(1, p, sealed()), Error::<Test>::UnknownPurchase);
		// The buyer may buy again.
		let q = buy(2, d);
		assert_eq!(q, p + 1);
	});
}

// ---------------------------------------------------------------- dispute

#[test]
fn dispute_errors() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		assert_noop!(dispute(2, 99, MIN_DISPUTE_BOND), Error::<Test>::UnknownPurchase);
		assert_noop!(dispute(2, p, MIN_DISPUTE_BOND), Error::<Test>::NotDelivered);
		deliver(1, p);
		assert_noop!(dispute(3, p, MIN_DISPUTE_BOND), Error::<Test>::NotBuyer);
		assert_noop!(dispute(1, p, MIN_DISPUTE_BOND), Error::<Test>::NotBuyer);
		assert_noop!(dispute(2, p, MIN_DISPUTE_BOND - 1), Error::<Test>::BondTooLow);
		assert_noop!(dispute(2, p, 0), Error::<Test>::BondTooLow);
		assert_noop!(dispute(2, p, ENDOWMENT), Error::<Test>::InsufficientBalance);

		// The last block of the window is still in time.
		run_to_block(1 + DISPUTE_PERIOD);
		assert_ok!(dispute(2, p, MIN_DISPUTE_BOND));
		assert_noop!(dispute(2, p, MIN_DISPUTE_BOND), Error::<Test>::PurchaseDisputed);

		let q = buy(3, d);
		deliver(1, q);
		run_to_block(now() + DISPUTE_PERIOD + 1);
		assert_noop!(dispute(3, q, MIN_DISPUTE_BOND), Error::<Test>::DisputePeriodOver);
	});
}

#[test]
fn dispute_holds_the_bond() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		deliver(1, p);
		let before = free(2);
		assert_ok!(dispute(2, p, 80));
		assert_eq!(held(HoldReason::DisputeBond, 2), 80);
		assert_eq!(free(2), before - 80);
		assert_eq!(
			purchase(p).state,
			PurchaseState::<Test>::Disputed { sealed_key: sealed_key(), bond: 80 }
		);
		assert_eq!(last_event(), Event::PurchaseDisputed { purchase: p, buyer: 2, bond: 80 });
		// The proceeds stay on hold on the seller, and access stays until the decision.
		assert_eq!(held(HoldReason::PurchaseEscrow, 1), 1_000);
		assert!(Accesses::<Test>::get(2, d).unwrap().granted());
		// A disputed sale cannot be completed, even after the window.
		run_to_block(100);
		assert_noop!(complete(p), Error::<Test>::PurchaseDisputed);
	});
}

// ---------------------------------------------------------------- resolve_dispute

#[test]
fn resolve_dispute_needs_the_dispute_origin_and_a_dispute() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		assert_noop!(resolve(p, true), Error::<Test>::NotDisputed);
		deliver(1, p);
		assert_noop!(resolve(p, true), Error::<Test>::NotDisputed);
		assert_noop!(resolve(p, false), Error::<Test>::NotDisputed);
		assert_ok!(dispute(2, p, MIN_DISPUTE_BOND));
		assert_noop!(DataMarket::resolve_dispute(signed(1), p, false), DispatchError::BadOrigin);
		assert_noop!(DataMarket::resolve_dispute(signed(2), p, true), DispatchError::BadOrigin);
		assert_noop!(
			DataMarket::resolve_dispute(RuntimeOrigin::none(), p, true),
			DispatchError::BadOrigin
		);
		assert_noop!(resolve(99, true), Error::<Test>::UnknownPurchase);
	});
}

#[test]
fn the_buyer_wins_a_dispute() {
	build_and_execute(|| {
		let d = list(1);
		let seller_free = free(1);
		let p = buy(2, d);
		deliver(1, p);
		assert_ok!(dispute(2, p, 60));
		let issuance = Balances::total_issuance();
		let (treasury, pot_free) = (free(TREASURY), free(pot()));

		assert_ok!(resolve(p, true));
		// Price, bond and access deposit are back; only the key deposit stays.
		assert_eq!(free(2), ENDOWMENT - KEY_DEPOSIT);
		assert_eq!(held(HoldReason::DisputeBond, 2), 0);
		assert_eq!(held(HoldReason::PurchaseEscrow, 2), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT);
		// The seller's proceeds are gone.
		assert_eq!(held(HoldReason::PurchaseEscrow, 1), 0);
		assert_eq!(free(1), seller_free);

		assert!(Accesses::<Test>::get(2, d).is_none());
		assert!(Purchases::<Test>::get(p).is_none());
		assert_eq!(dataset(d).open_purchases, 0);
		assert_eq!(dataset(d).sales, 0);
		assert_eq!(
			Sellers::<Test>::get(1),
			Some(SellerRecord { sales: 0, missed_deliveries: 0, disputes_lost: 1 })
		);
		assert_eq!(
			last_event(),
			Event::DisputeResolved { purchase: p, buyer_won: true, slashed: 0 }
		);
		assert_eq!(count(|e| matches!(e, Event::SaleCompleted { .. })), 0);
		assert_eq!((free(TREASURY), free(pot())), (treasury, pot_free));
		assert!(!CurationFunds::<Test>::contains_key(d), "a refunded sale funds no curator");
		assert_eq!(Balances::total_issuance(), issuance);

		// The buyer may buy again.
		buy(2, d);
	});
}

#[test]
fn the_seller_wins_a_dispute() {
	build_and_execute(|| {
		let d = list(1);
		let seller_free = free(1);
		let p = buy(2, d);
		deliver(1, p);
		assert_ok!(dispute(2, p, 51));
		let issuance = Balances::total_issuance();
		let (treasury, pot_free) = (free(TREASURY), free(pot()));

		assert_ok!(resolve(p, false));
		// The bond is slashed: half (rounded down) to the seller, the rest to the treasury.
		let share = Perbill::from_percent(50).mul_floor(51u128);
		assert_eq!(share, 25);
		// The sale completes with the protocol fee.
		let fee = fee_of(1_000);
		assert_eq!(fee, 100);
		assert_eq!(pot_part(fee), 50);

		assert_eq!(free(1), seller_free + share + 1_000 - fee);
		assert_eq!(held(HoldReason::PurchaseEscrow, 1), 0);
		assert_eq!(free(TREASURY), treasury + (51 - share) + (fee - pot_part(fee)));
		assert_eq!(free(pot()), pot_free + pot_part(fee));
		// The pot's part is credited to the dataset sold.
		assert_eq!(CurationFunds::<Test>::get(d), pot_part(fee));
		assert_eq!(free(2), ENDOWMENT - KEY_DEPOSIT - ACCESS_DEPOSIT - 1_000 - 51);
		assert_eq!(held(HoldReason::DisputeBond, 2), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT + ACCESS_DEPOSIT);

		// The buyer keeps its access, no longer tied to a purchase.
		let a = Accesses::<Test>::get(2, d).unwrap();
		assert!(a.granted());
		assert_eq!(a.purchase, None);
		assert!(Purchases::<Test>::get(p).is_none());
		assert_eq!(dataset(d).sales, 1);
		assert_eq!(dataset(d).open_purchases, 0);
		assert_eq!(
			Sellers::<Test>::get(1),
			Some(SellerRecord { sales: 1, missed_deliveries: 0, disputes_lost: 0 })
		);

		let events = market_events();
		let n = events.len();
		assert_eq!(
			events[n - 2],
			Event::DisputeResolved { purchase: p, buyer_won: false, slashed: 51 }
		);
		assert_eq!(
			events[n - 1],
			Event::SaleCompleted { purchase: p, dataset: d, seller: 1, amount: 900, fee: 100 }
		);
		assert_eq!(Balances::total_issuance(), issuance);

		// Nothing left to complete or resolve.
		assert_noop!(complete(p), Error::<Test>::UnknownPurchase);
		assert_noop!(resolve(p, true), Error::<Test>::UnknownPurchase);
	});
}

// ---------------------------------------------------------------- complete_sale

#[test]
fn complete_sale_errors() {
	build_and_execute(|| {
		let d = list(1);
		let p = buy(2, d);
		assert_noop!(complete(p), Error::<Test>::NotDelivered);
		deliver(1, p);
		// The last block of the dispute window is too early.
		run_to_block(1 + DISPUTE_PERIOD);
		assert_noop!(complete(p), Error::<Test>::DisputePeriodNotOver);
		run_to_block(2 + DISPUTE_PERIOD);
		assert_ok!(complete(p));
		// Paid once only.
		assert_noop!(complete(p), Error::<Test>::UnknownPurchase);
		assert_noop!(complete(99), Error::<Test>::UnknownPurchase);
		assert_eq!(count(|e| matches!(e, Event::SaleCompleted { .. })), 1);
	});
}

#[test]
fn complete_sale_pays_the_seller_minus_the_fee() {
	build_and_execute(|| {
		let d = list_with(1, listing(1_001, 0), &[]);
		let seller_free = free(1);
		let (treasury, pot_free) = (free(TREASURY), free(pot()));
		let issuance = Balances::total_issuance();
		let p = buy(2, d);
		deliver(1, p);
		run_to_block(2 + DISPUTE_PERIOD);
		// Anyone may complete, at no cost.
		assert_ok!(DataMarket::complete_sale(signed(7), p));
		assert_eq!(free(7), ENDOWMENT);

		// 10% of 1_001 rounded up; half of it rounded down to the pot.
		let fee = fee_of(1_001);
		assert_eq!(fee, 101);
		assert_eq!(pot_part(fee), 50);
		assert_eq!(free(1), seller_free + 900);
		assert_eq!(held(HoldReason::PurchaseEscrow, 1), 0);
		assert_eq!(free(pot()), pot_free + 50);
		assert_eq!(free(TREASURY), treasury + 51);
		assert_eq!(CurationFunds::<Test>::get(d), 50);

		assert_eq!(dataset(d).sales, 1);
		assert_eq!(dataset(d).open_purchases, 0);
		assert_eq!(Sellers::<Test>::get(1).unwrap().sales, 1);
		assert!(Purchases::<Test>::get(p).is_none());
		assert_eq!(
			Accesses::<Test>::get(2, d),
			Some(Access::<Test> { purchase: None, since: Some(1), deposit: ACCESS_DEPOSIT })
		);
		assert_eq!(free(2), ENDOWMENT - KEY_DEPOSIT - ACCESS_DEPOSIT - 1_001);
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT + ACCESS_DEPOSIT);
		assert_eq!(
			last_event(),
			Event::SaleCompleted { purchase: p, dataset: d, seller: 1, amount: 900, fee: 101 }
		);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn the_smallest_price_pays_only_the_fee() {
	build_and_execute(|| {
		let d = list_with(1, listing(1, 0), &[]);
		let seller_free = free(1);
		let treasury = free(TREASURY);
		let p = buy(2, d);
		deliver(1, p);
		run_to_block(2 + DISPUTE_PERIOD);
		assert_ok!(complete(p));
		// ceil(10% of 1) = 1: the seller gets nothing, the pot's half rounds to zero.
		assert_eq!(free(1), seller_free);
		assert_eq!(free(TREASURY), treasury + 1);
		assert_eq!(free(pot()), ED);
		assert!(!CurationFunds::<Test>::contains_key(d));
		assert_eq!(
			last_event(),
			Event::SaleCompleted { purchase: p, dataset: d, seller: 1, amount: 0, fee: 1 }
		);
	});
}

// ---------------------------------------------------------------- relinquish_access

#[test]
fn relinquish_access_releases_the_deposit() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(relinquish(2, d), Error::<Test>::NoAccess);
		let p = buy(2, d);
		assert_noop!(relinquish(2, d), Error::<Test>::AccessInUse);
		deliver(1, p);
		assert_noop!(relinquish(2, d), Error::<Test>::AccessInUse);
		run_to_block(2 + DISPUTE_PERIOD);
		assert_ok!(complete(p));

		assert_ok!(relinquish(2, d));
		assert_eq!(held(HoldReason::StorageDeposit, 2), KEY_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - KEY_DEPOSIT - 1_000);
		assert!(Accesses::<Test>::get(2, d).is_none());
		assert_eq!(last_event(), Event::AccessRelinquished { dataset: d, who: 2 });
		assert_noop!(relinquish(2, d), Error::<Test>::NoAccess);

		// Buying again is a new purchase.
		let q = buy(2, d);
		assert_eq!(q, p + 1);
	});
}

// ---------------------------------------------------------------- issuance

#[test]
fn full_flows_conserve_issuance() {
	build_and_execute(|| {
		let issuance = Balances::total_issuance();
		let a = list(1);
		let b = list_with(3, listing(777, 11), &[a]);

		// A sale that completes.
		let p1 = buy(2, a);
		deliver(1, p1);
		// A dispute the buyer wins.
		let p2 = buy(4, a);
		deliver(1, p2);
		assert_ok!(dispute(4, p2, 55));
		// A dispute the seller wins.
		let p3 = buy(5, b);
		deliver(3, p3);
		assert_ok!(dispute(5, p3, 77));
		// A purchase never delivered.
		let p4 = buy(6, b);
		assert_eq!(Balances::total_issuance(), issuance);

		assert_ok!(resolve(p2, true));
		assert_ok!(resolve(p3, false));
		run_to_block(2 + DELIVERY_PERIOD);
		assert_ok!(complete(p1));
		assert_ok!(reclaim(6, p4));
		assert_eq!(Balances::total_issuance(), issuance);

		// Every unit is in some account.
		let sum: Balance = (1..=ACCOUNTS)
			.chain([TREASURY, pot()])
			.map(|who| free(who) + Balances::reserved_balance(who))
			.sum();
		assert_eq!(sum, issuance);

		// Fees: 100 on p1, ceil(77.7) = 78 on p3; the 77 bond: 38 to the seller, 39 to the
		// treasury.
		assert_eq!(fee_of(777), 78);
		assert_eq!(free(pot()), ED + 50 + 39);
		assert_eq!(free(TREASURY), ED + 50 + 39 + 39);
		// Each completed sale's part is its dataset's.
		assert_eq!((CurationFunds::<Test>::get(a), CurationFunds::<Test>::get(b)), (50, 39));
		assert_eq!(count(|e| matches!(e, Event::SaleCompleted { .. })), 2);
		assert_eq!(
			Sellers::<Test>::get(3),
			Some(SellerRecord { sales: 1, missed_deliveries: 1, disputes_lost: 0 })
		);
		assert_eq!(
			Sellers::<Test>::get(1),
			Some(SellerRecord { sales: 1, missed_deliveries: 0, disputes_lost: 1 })
		);
		assert_eq!(NextPurchaseId::<Test>::get(), 4);
		assert_eq!(Purchases::<Test>::iter().count(), 0);
	});
}
