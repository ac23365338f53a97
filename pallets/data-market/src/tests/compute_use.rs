//! The compute glue (`DatasetUsage`: `begin_use`, `job_settled`, `job_refunded`) and what a job's
//! owner does with a settled job's record (`register_derived`, `release_job_record`).

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{
	mock::*, types::*, CurationFunds, DatasetId, Datasets, Error, Event, HoldReason, JobId,
	JobUses, NextDatasetId, Sellers,
};
use airtime_primitives::data::DatasetUsage;
use codec::Encode;
use frame_support::{assert_noop, assert_ok, traits::fungible::Mutate, BoundedVec};
use sp_core::H256;
use sp_runtime::{DispatchResult, Perbill, StateVersion};

// ---------------------------------------------------------------- helpers

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn begin(job: JobId, who: AccountId, ids: &[DatasetId]) -> DispatchResult {
	<DataMarket as DatasetUsage<AccountId, Balance>>::begin_use(job, &who, ids)
}

fn settle(job: JobId, output: H256) {
	<DataMarket as DatasetUsage<AccountId, Balance>>::job_settled(job, output)
}

fn refund(job: JobId) {
	<DataMarket as DatasetUsage<AccountId, Balance>>::job_refunded(job)
}

fn register(who: AccountId, job: JobId, l: Listing<Test>) -> DispatchResult {
	try_register(who, job, l)
}

fn release(who: AccountId, job: JobId) -> DispatchResult {
	DataMarket::release_job_record(signed(who), job)
}

fn record(job: JobId) -> JobUse<Test> {
	JobUses::<Test>::get(job).expect("a job-use record")
}

fn dataset(id: DatasetId) -> Dataset<Test> {
	Datasets::<Test>::get(id).expect("the dataset exists")
}

fn last_event() -> Event<Test> {
	market_events().pop().expect("an event of the data market")
}

fn state_root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

fn set_free(who: AccountId, amount: Balance) {
	let _ = <Balances as Mutate<AccountId>>::set_balance(&who, amount);
}

fn charges(list: &[(DatasetId, AccountId, Balance)]) -> Vec<Charge<Test>> {
	list.iter()
		.map(|(dataset, owner, amount)| Charge::<Test> {
			dataset: *dataset,
			owner: *owner,
			amount: *amount,
		})
		.collect()
}

fn fee_of(amount: Balance) -> Balance {
	Perbill::from_percent(PROTOCOL_FEE_PERCENT).mul_ceil(amount)
}

fn pot_part(fee: Balance) -> Balance {
	Perbill::from_percent(FEE_TO_CURATORS_PERCENT).mul_floor(fee)
}

/// `buyer` buys `dataset` from `seller`, receives the key, and the sale completes after the
/// dispute window (only then does the buyer's access count for jobs).
fn grant(buyer: AccountId, seller: AccountId, dataset: DatasetId) {
	let p = buy(buyer, dataset);
	deliver(seller, p);
	run_to_block(System::block_number() + DISPUTE_PERIOD + 1);
	assert_ok!(DataMarket::complete_sale(signed(buyer), p));
}

// ---------------------------------------------------------------- begin_use

#[test]
fn a_job_without_datasets_changes_nothing() {
	build_and_execute(|| {
		list(1);
		let before = state_root();
		assert_ok!(begin(1, 2, &[]));
		assert_eq!(state_root(), before);
		assert!(JobUses::<Test>::get(1).is_none());
	});
}

#[test]
fn the_owner_uses_its_dataset_for_free() {
	build_and_execute(|| {
		let d = list(1);
		let deposits = held(HoldReason::StorageDeposit, 1);
		let before = free(1);
		assert_ok!(begin(7, 1, &[d]));
		assert_eq!(
			record(7),
			JobUse::<Test> {
				user: 1,
				charges: BoundedVec::truncate_from(charges(&[(d, 1, 0)])),
				deposit: USE_DEPOSIT,
				state: UseState::Running,
			}
		);
		assert_eq!(record(7).total(), 0);
		assert_eq!(held(HoldReason::UseEscrow, 1), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 1), deposits + USE_DEPOSIT);
		assert_eq!(free(1), before - USE_DEPOSIT);
		assert_eq!(last_event(), Event::DatasetUseStarted { job: 7, user: 1, charged: 0 });

		// Settling pays nobody.
		System::reset_events();
		settle(7, H256::repeat_byte(1));
		assert!(market_events().is_empty());
		assert_eq!(record(7).state, UseState::Settled(H256::repeat_byte(1)));
		assert_eq!(free(1), before - USE_DEPOSIT);
	});
}

#[test]
fn an_account_with_access_pays_the_royalty() {
	build_and_execute(|| {
		let d = list(1);
		grant(2, 1, d);
		let before = free(2);
		assert_ok!(begin(3, 2, &[d]));
		assert_eq!(record(3).charges.to_vec(), charges(&[(d, 1, 100)]));
		assert_eq!(held(HoldReason::UseEscrow, 2), 100);
		assert_eq!(free(2), before - 100 - USE_DEPOSIT);
		assert_eq!(last_event(), Event::DatasetUseStarted { job: 3, user: 2, charged: 100 });
	});
}

#[test]
fn an_account_without_access_pays_royalty_and_price() {
	build_and_execute(|| {
		let d = list(1);
		assert_ok!(begin(3, 4, &[d]));
		assert_eq!(record(3).charges.to_vec(), charges(&[(d, 1, 1_100)]));
		assert_eq!(held(HoldReason::UseEscrow, 4), 1_100);
		assert_eq!(held(HoldReason::StorageDeposit, 4), USE_DEPOSIT);
		assert_eq!(free(4), ENDOWMENT - 1_100 - USE_DEPOSIT);

		// A purchase not yet delivered is no access.
		let purchase = buy(5, d);
		assert_ok!(begin(4, 5, &[d]));
		assert_eq!(record(4).charges.to_vec(), charges(&[(d, 1, 1_100)]));

		// Nor is a delivered one that can still be disputed: a buyer who wins its dispute gets
		// the price back, so jobs in the meantime pay the per-use price.
		deliver(1, purchase);
		assert_ok!(begin(5, 5, &[d]));
		assert_eq!(record(5).charges.to_vec(), charges(&[(d, 1, 1_100)]));
	});
}

#[test]
fn a_job_id_is_recorded_once() {
	build_and_execute(|| {
		let d = list(1);
		assert_ok!(begin(3, 4, &[d]));
		let root = state_root();
		assert_noop!(begin(3, 5, &[d]), Error::<Test>::JobAlreadyRecorded);
		assert_eq!(state_root(), root);
		assert_eq!(record(3).user, 4);
	});
}

#[test]
fn charges_follow_the_job_order_and_sum_up() {
	build_and_execute(|| {
		let a = list(1);
		let b = list_with(3, listing(500, 33), &[]);
		let c = list_with(2, listing(10, 10), &[]);
		grant(2, 1, a);
		assert_ok!(begin(5, 2, &[b, c, a]));
		assert_eq!(record(5).charges.to_vec(), charges(&[(b, 3, 533), (c, 2, 0), (a, 1, 100)]));
		assert_eq!(record(5).total(), 633);
		assert_eq!(held(HoldReason::UseEscrow, 2), 633);
		assert_eq!(last_event(), Event::DatasetUseStarted { job: 5, user: 2, charged: 633 });

		// Several running jobs add up.
		assert_ok!(begin(6, 2, &[b]));
		assert_eq!(held(HoldReason::UseEscrow, 2), 633 + 533);
	});
}

#[test]
fn a_delisted_dataset_needs_access() {
	build_and_execute(|| {
		let d = list(1);
		grant(2, 1, d);
		assert_ok!(DataMarket::delist(signed(1), d));
		assert_noop!(begin(1, 4, &[d]), Error::<Test>::DatasetNotListed);
		assert_ok!(begin(2, 2, &[d]));
		assert_eq!(record(2).charges.to_vec(), charges(&[(d, 1, 100)]));
		assert_ok!(begin(3, 1, &[d]));
		assert_eq!(record(3).charges.to_vec(), charges(&[(d, 1, 0)]));
	});
}

#[test]
fn begin_use_errors_change_nothing() {
	build_and_execute(|| {
		let d = list(1);
		let e = list(3);
		assert_noop!(begin(1, 2, &[99]), Error::<Test>::UnknownDataset);
		assert_noop!(begin(1, 2, &[d, 99]), Error::<Test>::UnknownDataset);
		assert_noop!(begin(1, 2, &[d, d]), Error::<Test>::DuplicateDataset);
		assert_noop!(begin(1, 2, &[d, e, d]), Error::<Test>::DuplicateDataset);
		// The count is checked first.
		assert_noop!(begin(1, 2, &[90, 91, 92, 93, 94]), Error::<Test>::TooManyDatasets);
		assert!(JobUses::<Test>::get(1).is_none());
	});
}

#[test]
fn a_job_reads_at_most_max_datasets_per_job() {
	build_and_execute(|| {
		let ids: Vec<DatasetId> = (0..=MAX_DATASETS_PER_JOB).map(|_| list(1)).collect();
		assert_eq!(ids.len(), MAX_DATASETS_PER_JOB as usize + 1);
		assert_noop!(begin(1, 2, &ids), Error::<Test>::TooManyDatasets);
		assert_ok!(begin(1, 2, &ids[..MAX_DATASETS_PER_JOB as usize]));
		assert_eq!(record(1).charges.len(), MAX_DATASETS_PER_JOB as usize);
		assert_eq!(held(HoldReason::UseEscrow, 2), Balance::from(MAX_DATASETS_PER_JOB) * 1_100);
	});
}

#[test]
fn begin_use_needs_charges_deposit_and_existential_deposit() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(begin(1, 21, &[d]), Error::<Test>::InsufficientBalance);
		set_free(21, 1_100 + USE_DEPOSIT);
		assert_noop!(begin(1, 21, &[d]), Error::<Test>::InsufficientBalance);
		set_free(21, 1_100 + USE_DEPOSIT + ED);
		assert_ok!(begin(1, 21, &[d]));
		assert_eq!(free(21), ED);
		assert_eq!(held(HoldReason::UseEscrow, 21), 1_100);
		assert_eq!(held(HoldReason::StorageDeposit, 21), USE_DEPOSIT);
		refund(1);
		assert_eq!(free(21), 1_100 + USE_DEPOSIT + ED);
	});
}

// ---------------------------------------------------------------- job_settled

#[test]
fn job_settled_pays_the_owners_minus_the_fee() {
	build_and_execute(|| {
		let a = list(1);
		let b = list_with(3, listing(500, 33), &[]);
		let c = list_with(2, listing(10, 10), &[]);
		grant(2, 1, a);
		// The sale that granted access funded `a`.
		assert_eq!(CurationFunds::<Test>::get(a), 50);
		let issuance = Balances::total_issuance();
		let (free1, free3) = (free(1), free(3));
		let (treasury, pot_free) = (free(TREASURY), free(pot()));
		let deposits = held(HoldReason::StorageDeposit, 2);

		assert_ok!(begin(5, 2, &[a, b, c]));
		let user_free = free(2);
		let out = H256::repeat_byte(9);
		System::reset_events();
		settle(5, out);

		// 100: fee 10, 90 to the owner; 533: fee ceil(53.3) = 54, 479 to the owner.
		assert_eq!((fee_of(100), fee_of(533)), (10, 54));
		assert_eq!((pot_part(10), pot_part(54)), (5, 27));
		assert_eq!(free(1), free1 + 90);
		assert_eq!(free(3), free3 + 479);
		assert_eq!(free(pot()), pot_free + 5 + 27);
		assert_eq!(free(TREASURY), treasury + 5 + 27);
		// Each charge's part is credited to its dataset; the free use of `c` funds nothing.
		assert_eq!(CurationFunds::<Test>::get(a), 50 + 5);
		assert_eq!(CurationFunds::<Test>::get(b), 27);
		assert!(!CurationFunds::<Test>::contains_key(c));
		assert_eq!(
			market_events(),
			vec![
				Event::RoyaltyPaid { job: 5, dataset: a, owner: 1, amount: 90, fee: 10 },
				Event::RoyaltyPaid { job: 5, dataset: b, owner: 3, amount: 479, fee: 54 },
			]
		);

		// The escrow is gone, the record and its deposit stay.
		assert_eq!(held(HoldReason::UseEscrow, 2), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 2), deposits + USE_DEPOSIT);
		assert_eq!(free(2), user_free);
		assert_eq!(record(5).state, UseState::Settled(out));
		assert_eq!(record(5).charges.len(), 3);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn a_one_unit_royalty_is_all_fee() {
	build_and_execute(|| {
		let d = list_with(1, listing(1_000, 1), &[]);
		grant(2, 1, d);
		let (owner_free, treasury, pot_free) = (free(1), free(TREASURY), free(pot()));
		assert_ok!(begin(1, 2, &[d]));
		settle(1, H256::zero());
		assert_eq!(free(1), owner_free);
		assert_eq!(free(TREASURY), treasury + 1);
		assert_eq!(free(pot()), pot_free);
		// Only the granting sale's part: the royalty's fee left nothing for curators.
		assert_eq!(CurationFunds::<Test>::get(d), 50);
		assert_eq!(
			last_event(),
			Event::RoyaltyPaid { job: 1, dataset: d, owner: 1, amount: 0, fee: 1 }
		);
	});
}

#[test]
fn a_settled_job_pays_the_price_fixed_when_it_began() {
	build_and_execute(|| {
		let d = list(1);
		assert_ok!(begin(1, 2, &[d]));
		assert_ok!(DataMarket::update_price(signed(1), d, 5_000, 500));
		let owner_free = free(1);
		settle(1, H256::zero());
		assert_eq!(free(1), owner_free + 1_100 - fee_of(1_100));
		assert_eq!(
			last_event(),
			Event::RoyaltyPaid { job: 1, dataset: d, owner: 1, amount: 990, fee: 110 }
		);
	});
}

// ---------------------------------------------------------------- job_refunded

#[test]
fn job_refunded_releases_everything() {
	build_and_execute(|| {
		let a = list(1);
		let b = list_with(3, listing(500, 33), &[]);
		let (free1, free3) = (free(1), free(3));
		assert_ok!(begin(6, 4, &[a, b]));
		refund(6);
		assert!(JobUses::<Test>::get(6).is_none());
		assert_eq!(held(HoldReason::UseEscrow, 4), 0);
		assert_eq!(held(HoldReason::StorageDeposit, 4), 0);
		assert_eq!(free(4), ENDOWMENT);
		assert_eq!((free(1), free(3)), (free1, free3));
		assert_eq!(
			last_event(),
			Event::DatasetUseRefunded { job: 6, user: 4, amount: 1_100 + 533 }
		);
	});
}

#[test]
fn an_unknown_job_ends_without_effect() {
	build_and_execute(|| {
		let d = list(1);
		assert_ok!(begin(1, 2, &[d]));
		let before = state_root();
		settle(42, H256::zero());
		refund(42);
		assert_eq!(state_root(), before);
		// A job without datasets has no record either.
		assert_ok!(begin(2, 2, &[]));
		settle(2, H256::zero());
		refund(2);
		assert_eq!(state_root(), before);
	});
}

// ---------------------------------------------------------------- register_derived

#[test]
fn register_derived_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(register(2, 9, listing(300, 3)), Error::<Test>::UnknownJob);
		assert_ok!(begin(5, 2, &[d]));
		assert_noop!(register(3, 5, listing(300, 3)), Error::<Test>::NotJobOwner);
		assert_noop!(register(2, 5, listing(300, 3)), Error::<Test>::JobNotSettled);
		settle(5, H256::repeat_byte(4));
		assert_noop!(register(3, 5, listing(300, 3)), Error::<Test>::NotJobOwner);
		// Listing errors come through, and the record stays.
		assert_noop!(register(2, 5, listing(0, 3)), Error::<Test>::ZeroPrice);
		let mut l = listing(300, 3);
		l.chunk_count = 0;
		assert_noop!(register(2, 5, l), Error::<Test>::InvalidSize);
		assert!(JobUses::<Test>::get(5).is_some());

		// A refunded job leaves no record to register.
		assert_ok!(begin(6, 2, &[d]));
		refund(6);
		assert_noop!(register(2, 6, listing(300, 3)), Error::<Test>::UnknownJob);
	});
}

#[test]
fn register_derived_lists_the_output_with_its_lineage() {
	build_and_execute(|| {
		let a = list(1);
		let b = list_with(3, listing(500, 33), &[]);
		assert_ok!(begin(5, 2, &[a, b]));
		let out = H256::repeat_byte(0x77);
		settle(5, out);
		assert_eq!(held(HoldReason::StorageDeposit, 2), USE_DEPOSIT);
		assert!(Sellers::<Test>::get(2).is_none());

		let id = NextDatasetId::<Test>::get();
		assert_ok!(register(2, 5, listing(300, 3)));
		let d = dataset(id);
		assert_eq!(d.owner, 2);
		assert_eq!(d.parents.to_vec(), vec![a, b]);
		assert_eq!(d.source_job, Some((5, out)));
		assert_eq!(d.listing, listing(300, 3));
		assert!(d.listed);
		assert_eq!(d.deposit, DEPOSIT_BASE + DEPOSIT_PER_BYTE * d.encoded_size() as Balance);

		// The record's deposit is released, the listing's held.
		assert!(JobUses::<Test>::get(5).is_none());
		assert_eq!(held(HoldReason::StorageDeposit, 2), d.deposit);
		assert_eq!(Sellers::<Test>::get(2), Some(SellerRecord::default()));
		assert_eq!(
			last_event(),
			Event::DatasetListed {
				dataset: id,
				owner: 2,
				root_hash: H256::repeat_byte(0xab),
				price: 300,
				royalty: 3,
				deposit: d.deposit,
				source_job: Some(5),
			}
		);
		assert!(!market_events().iter().any(|e| matches!(e, Event::JobRecordReleased { .. })));

		let lineage = DataMarket::lineage(id, 1);
		assert_eq!(lineage.len(), 3);
		assert_eq!(lineage[0].dataset, id);
		assert_eq!(lineage[0].source_job, Some(5));
		assert_eq!(lineage[0].parents, vec![a, b]);

		// Once only.
		assert_noop!(register(2, 5, listing(300, 3)), Error::<Test>::UnknownJob);
		assert_noop!(release(2, 5), Error::<Test>::UnknownJob);
	});
}

// ---------------------------------------------------------------- release_job_record

#[test]
fn release_job_record_errors() {
	build_and_execute(|| {
		let d = list(1);
		assert_noop!(release(2, 9), Error::<Test>::UnknownJob);
		assert_ok!(begin(5, 2, &[d]));
		assert_noop!(release(3, 5), Error::<Test>::NotJobOwner);
		assert_noop!(release(2, 5), Error::<Test>::JobNotSettled);
		settle(5, H256::zero());
		assert_noop!(release(3, 5), Error::<Test>::NotJobOwner);
	});
}

#[test]
fn release_job_record_returns_the_deposit() {
	build_and_execute(|| {
		let d = list(1);
		assert_ok!(begin(5, 2, &[d]));
		settle(5, H256::zero());
		assert_eq!(held(HoldReason::StorageDeposit, 2), USE_DEPOSIT);
		let before = free(2);
		assert_ok!(release(2, 5));
		assert!(JobUses::<Test>::get(5).is_none());
		assert_eq!(held(HoldReason::StorageDeposit, 2), 0);
		assert_eq!(free(2), before + USE_DEPOSIT);
		assert_eq!(free(2), ENDOWMENT - 1_100);
		assert_eq!(last_event(), Event::JobRecordReleased { job: 5, user: 2 });
		assert_noop!(release(2, 5), Error::<Test>::UnknownJob);
		assert_noop!(register(2, 5, listing(300, 3)), Error::<Test>::UnknownJob);
	});
}
