//! The runtime API's views: `dataset_view`, `search`, `grants`, `purchase_view` and `lineage`.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{mock::*, ClaimKind, DatasetId, License, PurchaseId, ValidationState};
use airtime_primitives::data::{
	DatasetFilter, DatasetView, GrantView, LineageNode, PurchasePhase, PurchaseView, Validation,
};
use frame_support::assert_ok;
use sp_core::H256;

// ---------------------------------------------------------------- helpers

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// The ids a search returns, and where to continue.
fn search(
	filter: DatasetFilter<Balance>,
	start_after: Option<DatasetId>,
	limit: u32,
) -> (Vec<DatasetId>, Option<DatasetId>) {
	let (found, more) = DataMarket::search(filter, start_after, limit);
	(found.iter().map(|v| v.id).collect(), more)
}

fn all() -> DatasetFilter<Balance> {
	DatasetFilter::default()
}

fn grants(who: AccountId) -> Vec<GrantView<u64>> {
	let mut g = DataMarket::grants(&who);
	g.sort_by_key(|g| g.dataset);
	g
}

fn node(dataset: DatasetId, depth: u32, parents: &[DatasetId]) -> LineageNode {
	LineageNode { dataset, depth, parents: parents.to_vec(), source_job: None }
}

fn lineage_ids(id: DatasetId, depth: u32) -> Vec<(DatasetId, u32)> {
	DataMarket::lineage(id, depth).iter().map(|n| (n.dataset, n.depth)).collect()
}

// ---------------------------------------------------------------- dataset_view

#[test]
fn dataset_view_shows_the_record() {
	build_and_execute(|| {
		assert_eq!(DataMarket::dataset_view(0), None);
		let a = list(1);
		let mut l = listing(700, 70);
		l.license = License::Custom;
		l.license_uri = Some(H256::repeat_byte(0x11));
		l.size = 64;
		l.chunk_count = 2;
		l.root_hash = H256::repeat_byte(0x22);
		l.metadata_hash = H256::repeat_byte(0x33);
		let b = list_with(3, l, &[a]);
		assert_ok!(DataMarket::set_agent(signed(3), b, Some(4)));
		claim(5, b, ClaimKind::Schema);
		let p = buy(2, b);
		deliver(4, p);
		run_to_block(2 + DISPUTE_PERIOD);
		assert_ok!(DataMarket::complete_sale(signed(6), p));

		assert_eq!(
			DataMarket::dataset_view(b),
			Some(DatasetView {
				id: b,
				owner: 3,
				agent: Some(4),
				root_hash: H256::repeat_byte(0x22),
				size: 64,
				chunk_count: 2,
				license: License::Custom,
				license_uri: Some(H256::repeat_byte(0x11)),
				price: 700,
				royalty: 70,
				metadata_hash: H256::repeat_byte(0x33),
				listed: true,
				parents: vec![a],
				source_job: None,
				validation: Validation {
					root_hash: ValidationState::Unchecked,
					schema: ValidationState::Pending,
					license: ValidationState::Unchecked,
				},
				sales: 1,
			})
		);

		assert_ok!(DataMarket::delist(signed(3), b));
		assert!(!DataMarket::dataset_view(b).unwrap().listed);
		assert_eq!(DataMarket::dataset_view(a).unwrap().parents, Vec::<DatasetId>::new());
		assert_eq!(DataMarket::dataset_view(b + 1), None);
	});
}

// ---------------------------------------------------------------- search

/// 0: MIT at 1_000; 1: CC0 at 500; 2: MIT at 2_000, delisted; 3: MIT at 300 with a validated
/// root hash.
fn four_datasets() {
	list(1);
	let mut l = listing(500, 5);
	l.license = License::Cc0;
	list_with(2, l, &[]);
	list_with(1, listing(2_000, 0), &[]);
	assert_ok!(DataMarket::delist(signed(1), 2));
	list_with(3, listing(300, 0), &[]);
	claim(4, 3, ClaimKind::RootHash);
	run_to_block(2 + CLAIM_PERIOD);
	assert_ok!(DataMarket::conclude_claim(signed(4), 3, ClaimKind::RootHash));
}

#[test]
fn search_filters() {
	build_and_execute(|| {
		assert_eq!(search(all(), None, 10), (vec![], None));
		four_datasets();
		assert_eq!(search(all(), None, 10), (vec![0, 1, 2, 3], None));

		let by_license = |l| DatasetFilter { license: Some(l), ..all() };
		assert_eq!(search(by_license(License::Mit), None, 10), (vec![0, 2, 3], None));
		assert_eq!(search(by_license(License::Cc0), None, 10), (vec![1], None));
		assert_eq!(search(by_license(License::Odbl), None, 10), (vec![], None));

		let cheaper = |p| DatasetFilter { max_price: Some(p), ..all() };
		assert_eq!(search(cheaper(500), None, 10), (vec![1, 3], None));
		assert_eq!(search(cheaper(300), None, 10), (vec![3], None));
		assert_eq!(search(cheaper(299), None, 10), (vec![], None));
		assert_eq!(search(cheaper(u128::MAX), None, 10), (vec![0, 1, 2, 3], None));

		let in_state = |k, s| DatasetFilter { validation: Some((k, s)), ..all() };
		assert_eq!(
			search(in_state(ClaimKind::RootHash, ValidationState::Validated), None, 10),
			(vec![3], None)
		);
		assert_eq!(
			search(in_state(ClaimKind::RootHash, ValidationState::Unchecked), None, 10),
			(vec![0, 1, 2], None)
		);
		assert_eq!(
			search(in_state(ClaimKind::Schema, ValidationState::Validated), None, 10),
			(vec![], None)
		);

		let listed = DatasetFilter { listed_only: true, ..all() };
		assert_eq!(search(listed, None, 10), (vec![0, 1, 3], None));

		let combined = DatasetFilter {
			license: Some(License::Mit),
			max_price: Some(1_500),
			validation: None,
			listed_only: true,
		};
		assert_eq!(search(combined, None, 10), (vec![0, 3], None));
	});
}

#[test]
fn search_pages() {
	build_and_execute(|| {
		four_datasets();
		assert_eq!(search(all(), None, 2), (vec![0, 1], Some(1)));
		assert_eq!(search(all(), Some(1), 2), (vec![2, 3], None));
		assert_eq!(search(all(), Some(0), 10), (vec![1, 2, 3], None));
		assert_eq!(search(all(), Some(2), 1), (vec![3], None));
		assert_eq!(search(all(), Some(3), 2), (vec![], None));
		assert_eq!(search(all(), None, 1), (vec![0], Some(0)));
		assert_eq!(search(all(), Some(0), 1), (vec![1], Some(1)));

		let listed = DatasetFilter { listed_only: true, ..all() };
		assert_eq!(search(listed.clone(), None, 2), (vec![0, 1], Some(1)));
		assert_eq!(search(listed, Some(1), 2), (vec![3], None));

		// Past the end.
		assert_eq!(search(all(), Some(100), 10), (vec![], None));
		assert_eq!(search(all(), Some(u64::MAX), 10), (vec![], None));
	});
}

#[test]
fn search_reads_at_most_max_search_scan_records() {
	build_and_execute(|| {
		let n = MAX_SEARCH_SCAN as u64 + 4;
		for _ in 0..n - 1 {
			list(1);
		}
		let mut l = listing(1_000, 100);
		l.license = License::Cc0;
		let last = list_with(2, l, &[]);
		assert_eq!(last, n - 1);

		// Only the last matches: the first call reads MaxSearchScan records and says where to
		// continue.
		let cc0 = DatasetFilter { license: Some(License::Cc0), ..all() };
		let (found, more) = search(cc0.clone(), None, 10);
		assert!(found.is_empty());
		assert_eq!(more, Some(MAX_SEARCH_SCAN as u64 - 1));
		let (found, more) = search(cc0, more, 10);
		assert_eq!(found, vec![last]);
		assert_eq!(more, None);

		// Without a filter a call still returns at most MaxSearchScan records.
		let (found, more) = search(all(), None, 100);
		assert_eq!(found, (0..MAX_SEARCH_SCAN as u64).collect::<Vec<_>>());
		assert_eq!(more, Some(MAX_SEARCH_SCAN as u64 - 1));
		let (found, more) = search(all(), more, 100);
		assert_eq!(found, (MAX_SEARCH_SCAN as u64..n).collect::<Vec<_>>());
		assert_eq!(more, None);

		// The bound counts from where the search starts.
		let (found, more) = search(all(), Some(1), 100);
		assert_eq!(found.len(), MAX_SEARCH_SCAN as usize);
		assert_eq!(more, Some(MAX_SEARCH_SCAN as u64 + 1));
	});
}

// ---------------------------------------------------------------- grants

#[test]
fn grants_lists_open_purchases_and_access() {
	build_and_execute(|| {
		let a = list(1);
		let b = list(1);
		let c = list(3);
		assert!(grants(2).is_empty());
		let pa = buy(2, a);
		let pb = buy(2, b);
		run_to_block(3);
		deliver(1, pb);
		assert_eq!(
			grants(2),
			vec![
				GrantView { dataset: a, purchase: Some(pa), since: None },
				GrantView { dataset: b, purchase: Some(pb), since: Some(3) },
			]
		);
		assert!(grants(3).is_empty());
		assert!(grants(1).is_empty());

		// Completed: access without a purchase.
		run_to_block(4 + DISPUTE_PERIOD);
		assert_ok!(DataMarket::complete_sale(signed(5), pb));
		// Reclaimed: gone.
		run_to_block(2 + DELIVERY_PERIOD);
		assert_ok!(DataMarket::reclaim(signed(2), pa));
		let pc = buy(2, c);
		assert_eq!(
			grants(2),
			vec![
				GrantView { dataset: b, purchase: None, since: Some(3) },
				GrantView { dataset: c, purchase: Some(pc), since: None },
			]
		);

		// Relinquished: gone.
		assert_ok!(DataMarket::relinquish_access(signed(2), b));
		assert_eq!(grants(2), vec![GrantView { dataset: c, purchase: Some(pc), since: None }]);
	});
}

// ---------------------------------------------------------------- purchase_view

#[test]
fn purchase_view_follows_the_phases() {
	build_and_execute(|| {
		let d = list(1);
		assert_eq!(DataMarket::purchase_view(0), None);
		let p: PurchaseId = buy(2, d);
		assert_eq!(
			DataMarket::purchase_view(p),
			Some(PurchaseView {
				id: p,
				dataset: d,
				buyer: 2,
				seller: 1,
				price: 1_000,
				buyer_key: [2u8; 32],
				sealed_key: None,
				phase: PurchasePhase::AwaitingDelivery(1 + DELIVERY_PERIOD),
			})
		);

		run_to_block(3);
		deliver(1, p);
		let v = DataMarket::purchase_view(p).unwrap();
		assert_eq!(v.sealed_key, Some(sealed()));
		assert_eq!(v.phase, PurchasePhase::Delivered(3 + DISPUTE_PERIOD));
		assert_eq!((v.id, v.dataset, v.buyer, v.seller, v.price), (p, d, 2, 1, 1_000));

		assert_ok!(DataMarket::dispute(signed(2), p, MIN_DISPUTE_BOND));
		let v = DataMarket::purchase_view(p).unwrap();
		assert_eq!(v.sealed_key, Some(sealed()));
		assert_eq!(v.phase, PurchasePhase::Disputed);

		assert_ok!(DataMarket::resolve_dispute(RuntimeOrigin::root(), p, false));
		assert_eq!(DataMarket::purchase_view(p), None);
	});
}

// ---------------------------------------------------------------- lineage

#[test]
fn lineage_walks_a_chain_up_to_the_depth_asked() {
	build_and_execute(|| {
		let a = list(1);
		let b = list_with(1, listing(1_000, 100), &[a]);
		let c = list_with(2, listing(1_000, 100), &[b]);
		let d = list_with(3, listing(1_000, 100), &[c]);
		assert_eq!(
			DataMarket::lineage(d, 10),
			vec![node(d, 0, &[c]), node(c, 1, &[b]), node(b, 2, &[a]), node(a, 3, &[])]
		);
		assert_eq!(DataMarket::lineage(d, 3), DataMarket::lineage(d, 10));
		assert_eq!(DataMarket::lineage(d, 1), vec![node(d, 0, &[c]), node(c, 1, &[b])]);
		// Depth 0: the dataset alone (with its parents named).
		assert_eq!(DataMarket::lineage(d, 0), vec![node(d, 0, &[c])]);
		assert_eq!(DataMarket::lineage(a, 5), vec![node(a, 0, &[])]);
		assert_eq!(DataMarket::lineage(99, 5), vec![]);
		assert_eq!(DataMarket::lineage(99, 0), vec![]);
	});
}

#[test]
fn lineage_names_a_shared_ancestor_once() {
	build_and_execute(|| {
		let a = list(1);
		let b = list_with(1, listing(1_000, 100), &[a]);
		let c = list_with(2, listing(1_000, 100), &[a]);
		let d = list_with(3, listing(1_000, 100), &[b, c]);
		assert_eq!(
			DataMarket::lineage(d, 5),
			vec![node(d, 0, &[b, c]), node(b, 1, &[a]), node(c, 1, &[a]), node(a, 2, &[])]
		);
		// A parent that is also a grandparent keeps its shortest depth.
		let e = list_with(4, listing(1_000, 100), &[d, a]);
		assert_eq!(lineage_ids(e, 5), vec![(e, 0u32), (d, 1), (a, 1), (b, 2), (c, 2)]);
	});
}

#[test]
fn lineage_returns_at_most_max_lineage_nodes() {
	build_and_execute(|| {
		let mut prev = list(1);
		for _ in 0..11 {
			prev = list_with(1, listing(1_000, 100), &[prev]);
		}
		let walk = lineage_ids(prev, u32::MAX);
		assert_eq!(walk.len(), MAX_LINEAGE_NODES as usize);
		let expected: Vec<(DatasetId, u32)> =
			(0..MAX_LINEAGE_NODES).map(|i| (prev - u64::from(i), i)).collect();
		assert_eq!(walk, expected);

		// A wide graph is bounded too: four parents, each with four parents of its own.
		let roots: Vec<DatasetId> = (0..4).map(|_| list(2)).collect();
		let mids: Vec<DatasetId> =
			(0..4).map(|_| list_with(2, listing(1_000, 100), &roots)).collect();
		let top = list_with(2, listing(1_000, 100), &mids);
		let walk = lineage_ids(top, 2);
		assert_eq!(walk.len(), MAX_LINEAGE_NODES as usize);
		assert_eq!(walk[0], (top, 0));
		assert_eq!(walk[1..5].to_vec(), mids.iter().map(|m| (*m, 1u32)).collect::<Vec<_>>());
		assert_eq!(walk[5..].to_vec(), roots[..3].iter().map(|r| (*r, 2u32)).collect::<Vec<_>>());
	});
}
