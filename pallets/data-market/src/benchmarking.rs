//! Benchmarks for pallet-data-market: one per [`WeightInfo`] function, each in its worst case.
//!
//! Every benchmark builds its state through the pallet's own `do_*` functions (so records and
//! holds agree), at block 1 unless it needs time to pass. Datasets are listed under a `Custom`
//! licence with a licence URI (the largest listing); amounts come from the configuration: the
//! price is at least a thousand existential deposits and at least the smallest stake and bond,
//! so every payment, fee and reward is a real transfer. The curator pot is kept alive (and holds
//! twice `CuratorReward`) wherever fees are distributed or rewards paid. Where a fee is
//! distributed, the benchmark checks that the pot's part was credited to the dataset's curation
//! fund; where a reward is paid, the claim's dataset has a curation fund of twice
//! `CuratorReward`, so the full reward is paid and the fund is written (not just read).
//!
//! `relist` is charged `delist`'s weight (the same work in the other direction).

// Benchmarks panic on a setup that does not go as planned.
#![allow(clippy::expect_used)]

use crate::*;
use alloc::{vec, vec::Vec};
use codec::MaxEncodedLen;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::H256;
use sp_runtime::traits::{One, Saturating, Zero};

const SEED: u32 = 0;
/// The job every compute-glue benchmark uses.
const JOB: JobId = 7;
/// The output the benchmark job settles with.
const OUTPUT: H256 = H256([0x0f; 32]);
const ROOT: H256 = H256([0xab; 32]);
const METADATA: H256 = H256([0xcd; 32]);
const LICENSE_URI: H256 = H256([0xef; 32]);
const SIZE: u64 = 1_073_741_824;
const CHUNKS: u32 = 4_096;
/// The buyers' delivery key.
const KEY: DeliveryKey = [0x42; 32];
/// The property claims are about.
const KIND: ClaimKind = ClaimKind::RootHash;

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event.into());
}

/// For calls whose own event is followed by others (a hold released after it).
fn assert_has_event<T: Config>(event: Event<T>) {
	let event: <T as Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_has_event(event.into());
}

/// Go to block 1 (events are not recorded at block 0) and return it.
fn start<T: Config>() -> BlockNumberFor<T> {
	let now: BlockNumberFor<T> = 1u32.into();
	frame_system::Pallet::<T>::set_block_number(now);
	now
}

/// Go to block `n`.
fn go_to<T: Config>(n: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(n);
}

fn ed<T: Config>() -> BalanceOf<T> {
	<T::Currency as Inspect<T::AccountId>>::minimum_balance()
}

/// The access price of every benchmark dataset.
fn price<T: Config>() -> BalanceOf<T> {
	let floor: BalanceOf<T> = 1_000u32.into();
	ed::<T>()
		.saturating_mul(1_000u32.into())
		.max(floor)
		.max(T::MinClaimStake::get())
		.max(T::MinDisputeBond::get())
}

/// The royalty of every benchmark dataset.
fn royalty<T: Config>() -> BalanceOf<T> {
	let floor: BalanceOf<T> = 100u32.into();
	ed::<T>().saturating_mul(100u32.into()).max(floor)
}

/// What a job of an account without access pays per dataset: royalty plus price.
fn per_use<T: Config>() -> BalanceOf<T> {
	price::<T>().saturating_add(royalty::<T>())
}

/// A curator's stake (and a counter bond): the minimum, at least the existential deposit.
fn stake<T: Config>() -> BalanceOf<T> {
	T::MinClaimStake::get().max(ed::<T>())
}

/// A buyer's dispute bond: the minimum, at least the existential deposit.
fn bond<T: Config>() -> BalanceOf<T> {
	T::MinDisputeBond::get().max(ed::<T>())
}

/// The deposit of the largest dataset record.
fn max_dataset_deposit<T: Config>() -> BalanceOf<T> {
	let len = u32::try_from(Dataset::<T>::max_encoded_len()).unwrap_or(u32::MAX);
	T::DepositPerByte::get().saturating_mul(len.into()).saturating_add(T::DepositBase::get())
}

/// Far more than any benchmark holds from one account.
fn plenty<T: Config>() -> BalanceOf<T> {
	let records: BalanceOf<T> =
		T::MaxParents::get().saturating_add(T::MaxDatasetsPerJob::get()).saturating_add(10).into();
	let deposits = max_dataset_deposit::<T>()
		.saturating_add(T::AccessDeposit::get())
		.saturating_add(T::KeyDeposit::get())
		.saturating_add(T::UseDeposit::get());
	per_use::<T>()
		.saturating_add(stake::<T>())
		.saturating_add(bond::<T>())
		.saturating_add(deposits)
		.saturating_mul(records)
		.saturating_mul(10u32.into())
		.saturating_add(ed::<T>())
}

/// Set `who`'s free balance to [`plenty`].
fn fund<T: Config>(who: &T::AccountId) {
	<T::Currency as Mutate<T::AccountId>>::set_balance(who, plenty::<T>());
}

/// A funded account.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	fund::<T>(&who);
	who
}

/// Keep the curator pot alive with twice `CuratorReward` to give.
fn fund_pot<T: Config>() {
	let amount = ed::<T>().saturating_add(T::CuratorReward::get().saturating_mul(2u32.into()));
	<T::Currency as Mutate<T::AccountId>>::set_balance(&Pallet::<T>::pot(), amount);
}

/// Keep the curator pot alive with twice `CuratorReward` to give (as [`fund_pot`]), all of it
/// attributed to `dataset`'s curation fund as if the dataset's sales had paid it in: a claim
/// about it is paid the full reward and leaves the rest in the fund. Returns the fund.
fn fund_curation<T: Config>(dataset: DatasetId) -> BalanceOf<T> {
	fund_pot::<T>();
	let fund = T::CuratorReward::get().saturating_mul(2u32.into());
	if !fund.is_zero() {
		CurationFunds::<T>::insert(dataset, fund);
	}
	fund
}

/// The largest listing: a `Custom` licence with its URI.
fn listing<T: Config>() -> Listing<T> {
	Listing {
		root_hash: ROOT,
		size: SIZE,
		chunk_count: CHUNKS,
		license: License::Custom,
		license_uri: Some(LICENSE_URI),
		price: price::<T>(),
		royalty: royalty::<T>(),
		metadata_hash: METADATA,
	}
}

/// List a dataset of `owner` (funded beforehand) derived from `parents`.
fn list_one<T: Config>(owner: &T::AccountId, parents: Vec<DatasetId>) -> DatasetId {
	Pallet::<T>::do_list_dataset(
		owner.clone(),
		listing::<T>(),
		BoundedVec::truncate_from(parents),
		None,
	)
	.expect("the dataset is listed")
}

/// `n` listed datasets, the `i`th owned by `owner(i)` (funded here), and `user` given enough on
/// top of what it has to pay the per-use price of each and the use deposit.
fn datasets_owned_by<T: Config>(
	user: &T::AccountId,
	n: u32,
	owner: impl Fn(u32) -> T::AccountId,
) -> Vec<DatasetId> {
	let ids = (0..n)
		.map(|i| {
			let who = owner(i);
			fund::<T>(&who);
			list_one::<T>(&who, Vec::new())
		})
		.collect();
	let need = per_use::<T>()
		.saturating_mul(n.into())
		.saturating_add(T::UseDeposit::get())
		.saturating_add(ed::<T>())
		.saturating_mul(2u32.into());
	<T::Currency as Mutate<T::AccountId>>::mint_into(user, need).expect("the user is funded");
	ids
}

/// Create `n` datasets `user` may use: listed, with a price and a royalty, owned by a fresh
/// funded account other than `user`; `user` has no access to them (so a job pays royalty plus
/// price for each, the worst case) and is given enough to pay for all of them.
pub fn datasets_for<T: Config>(user: &T::AccountId, n: u32) -> Vec<DatasetId> {
	let mut owner: T::AccountId = account("dataset_owner", 0, SEED);
	if owner == *user {
		owner = account("dataset_owner", 1, SEED);
	}
	datasets_owned_by::<T>(user, n, |_| owner.clone())
}

/// `n` datasets of distinct owners (so settlement pays `n` accounts) read by job [`JOB`] of
/// `user`, running.
fn running_job<T: Config>(user: &T::AccountId, n: u32) -> Vec<DatasetId> {
	let ids = datasets_owned_by::<T>(user, n, |i| account("owner", i, SEED));
	Pallet::<T>::do_begin_use(JOB, user, &ids).expect("the job's datasets are charged");
	ids
}

/// As [`running_job`], settled with [`OUTPUT`].
fn settled_job<T: Config>(user: &T::AccountId, n: u32) -> Vec<DatasetId> {
	let ids = running_job::<T>(user, n);
	Pallet::<T>::do_job_settled(JOB, OUTPUT);
	ids
}

/// A purchase and what it is about.
struct Sale<T: Config> {
	dataset: DatasetId,
	purchase: PurchaseId,
	seller: T::AccountId,
}

/// A funded seller lists a dataset; `buyer`, funded and with a delivery key, buys it.
fn bought<T: Config>(buyer: &T::AccountId) -> Sale<T> {
	let seller = funded::<T>("seller", 0);
	let dataset = list_one::<T>(&seller, Vec::new());
	fund::<T>(buyer);
	Pallet::<T>::do_set_delivery_key(buyer.clone(), KEY).expect("the buyer registers a key");
	let purchase = NextPurchaseId::<T>::get();
	Pallet::<T>::do_buy_access(buyer.clone(), dataset, price::<T>())
		.expect("the buyer buys access");
	Sale { dataset, purchase, seller }
}

/// A sealed key of the largest length.
fn sealed_key<T: Config>() -> SealedKeyOf<T> {
	BoundedVec::truncate_from(vec![0x5a; T::MaxSealedKeyLen::get() as usize])
}

/// As [`bought`], and the seller delivered the key (at the current block).
fn delivered<T: Config>(buyer: &T::AccountId) -> Sale<T> {
	let sale = bought::<T>(buyer);
	Pallet::<T>::do_deliver_key(sale.seller.clone(), sale.purchase, sealed_key::<T>())
		.expect("the seller delivers the key");
	sale
}

/// A dataset of a funded seller, and a funded curator's claim about its [`KIND`] with
/// [`stake`]; returns the dataset and the curator.
fn claimed<T: Config>() -> (DatasetId, T::AccountId) {
	let seller = funded::<T>("seller", 0);
	let dataset = list_one::<T>(&seller, Vec::new());
	let curator = funded::<T>("curator", 0);
	Pallet::<T>::do_submit_claim(curator.clone(), dataset, KIND, stake::<T>())
		.expect("the curator claims");
	(dataset, curator)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	// ------------------------------------------------------------------------ listings

	/// `p` existing parents, each read; the caller's first listing (its seller record is
	/// created).
	#[benchmark]
	fn list_dataset(p: Linear<0, { T::MaxParents::get() }>) {
		start::<T>();
		let parent_owner = funded::<T>("seller", 0);
		let parents: Vec<DatasetId> =
			(0..p).map(|_| list_one::<T>(&parent_owner, Vec::new())).collect();
		let parents: ParentsOf<T> = BoundedVec::truncate_from(parents);
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let id = NextDatasetId::<T>::get();
		let price = price::<T>();
		let royalty = royalty::<T>();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			ROOT,
			SIZE,
			CHUNKS,
			License::Custom,
			Some(LICENSE_URI),
			price,
			royalty,
			METADATA,
			parents,
		);

		let dataset = Datasets::<T>::get(id).expect("the dataset is stored");
		assert_eq!(dataset.parents.len() as u32, p);
		assert!(Sellers::<T>::contains_key(&caller));
		assert_last_event::<T>(Event::DatasetListed {
			dataset: id,
			owner: caller,
			root_hash: ROOT,
			price,
			royalty,
			deposit: dataset.deposit,
			source_job: None,
		});
	}

	#[benchmark]
	fn update_price() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let dataset = list_one::<T>(&caller, Vec::new());
		let price = price::<T>().saturating_mul(2u32.into());
		let royalty = royalty::<T>().saturating_mul(2u32.into());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), dataset, price, royalty);

		assert_eq!(Datasets::<T>::get(dataset).map(|d| d.listing.price), Some(price));
		assert_last_event::<T>(Event::PriceUpdated { dataset, price, royalty });
	}

	/// Also the weight of `relist`.
	#[benchmark]
	fn delist() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let dataset = list_one::<T>(&caller, Vec::new());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), dataset);

		assert_eq!(Datasets::<T>::get(dataset).map(|d| d.listed), Some(false));
		assert_last_event::<T>(Event::DatasetDelisted { dataset });
	}

	#[benchmark]
	fn set_agent() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let dataset = list_one::<T>(&caller, Vec::new());
		let agent: T::AccountId = account("agent", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), dataset, Some(agent.clone()));

		assert_eq!(Datasets::<T>::get(dataset).and_then(|d| d.agent), Some(agent.clone()));
		assert_last_event::<T>(Event::AgentSet { dataset, agent: Some(agent) });
	}

	// ------------------------------------------------------------------------ delivery keys

	/// The first key: its deposit is held.
	#[benchmark]
	fn set_delivery_key() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), KEY);

		assert_eq!(DeliveryKeys::<T>::get(&caller).map(|(key, _)| key), Some(KEY));
		assert_last_event::<T>(Event::DeliveryKeySet { who: caller, key: KEY });
	}

	#[benchmark]
	fn clear_delivery_key() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		Pallet::<T>::do_set_delivery_key(caller.clone(), KEY).expect("the caller registers a key");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!DeliveryKeys::<T>::contains_key(&caller));
		assert_last_event::<T>(Event::DeliveryKeyCleared { who: caller });
	}

	// ------------------------------------------------------------------------ purchases

	#[benchmark]
	fn buy_access() {
		let now = start::<T>();
		let seller = funded::<T>("seller", 0);
		let dataset = list_one::<T>(&seller, Vec::new());
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		Pallet::<T>::do_set_delivery_key(caller.clone(), KEY).expect("the caller registers a key");
		let purchase = NextPurchaseId::<T>::get();
		let price = price::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), dataset, price);

		assert!(Purchases::<T>::contains_key(purchase));
		assert_eq!(Datasets::<T>::get(dataset).map(|d| d.open_purchases), Some(1));
		assert_last_event::<T>(Event::AccessBought {
			purchase,
			dataset,
			buyer: caller,
			seller,
			price,
			deliver_by: now.saturating_add(T::DeliveryPeriod::get()),
		});
	}

	/// The seller's agent delivers a `MaxSealedKeyLen`-byte key.
	#[benchmark]
	fn deliver_key() {
		let now = start::<T>();
		let buyer: T::AccountId = account("buyer", 0, SEED);
		let sale = bought::<T>(&buyer);
		let caller: T::AccountId = whitelisted_caller();
		Pallet::<T>::do_set_agent(sale.seller.clone(), sale.dataset, Some(caller.clone()))
			.expect("the seller names an agent");
		let key = sealed_key::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), sale.purchase, key.clone());

		assert_eq!(Accesses::<T>::get(&buyer, sale.dataset).and_then(|a| a.since), Some(now));
		assert_last_event::<T>(Event::KeyDelivered {
			purchase: sale.purchase,
			dataset: sale.dataset,
			buyer,
			sealed_key: key,
			dispute_until: now.saturating_add(T::DisputePeriod::get()),
		});
	}

	/// The buyer takes back its escrow after the delivery period.
	#[benchmark]
	fn reclaim() {
		let now = start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let sale = bought::<T>(&caller);
		go_to::<T>(now.saturating_add(T::DeliveryPeriod::get()).saturating_add(One::one()));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), sale.purchase);

		assert!(!Purchases::<T>::contains_key(sale.purchase));
		assert!(!Accesses::<T>::contains_key(&caller, sale.dataset));
		assert_eq!(Sellers::<T>::get(&sale.seller).map(|r| r.missed_deliveries), Some(1));
		assert_last_event::<T>(Event::PurchaseReclaimed {
			purchase: sale.purchase,
			dataset: sale.dataset,
			buyer: caller,
			amount: price::<T>(),
		});
	}

	#[benchmark]
	fn dispute() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let sale = delivered::<T>(&caller);
		let bond = bond::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), sale.purchase, bond);

		assert!(matches!(
			Purchases::<T>::get(sale.purchase).map(|p| p.state),
			Some(PurchaseState::Disputed { .. })
		));
		assert_last_event::<T>(Event::PurchaseDisputed {
			purchase: sale.purchase,
			buyer: caller,
			bond,
		});
	}

	/// The seller wins (`buyer_won = false`), the heavier branch: the buyer's bond is slashed (a
	/// share paid to the seller, the rest to `OnSlash`) and the sale completes, its protocol fee
	/// slashed from the seller and split between the curator pot and `OnFee`. A buyer's win only
	/// moves the price back and releases the bond and the access deposit.
	#[benchmark]
	fn resolve_dispute() -> Result<(), BenchmarkError> {
		start::<T>();
		fund_pot::<T>();
		let buyer: T::AccountId = account("buyer", 0, SEED);
		let sale = delivered::<T>(&buyer);
		Pallet::<T>::do_dispute(buyer.clone(), sale.purchase, bond::<T>())
			.expect("the buyer disputes");
		let origin = <T::DisputeOrigin as EnsureOrigin<T::RuntimeOrigin>>::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let price = price::<T>();
		let fee = T::ProtocolFee::get().mul_ceil(price);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, sale.purchase, false);

		assert!(!Purchases::<T>::contains_key(sale.purchase));
		assert_eq!(
			CurationFunds::<T>::get(sale.dataset),
			T::FeeToCurators::get().mul_floor(fee),
			"the pot's part of the fee is credited to the dataset"
		);
		assert_eq!(Accesses::<T>::get(&buyer, sale.dataset).map(|a| a.purchase), Some(None));
		assert_last_event::<T>(Event::SaleCompleted {
			purchase: sale.purchase,
			dataset: sale.dataset,
			seller: sale.seller,
			amount: price.saturating_sub(fee),
			fee,
		});
		Ok(())
	}

	/// After the dispute window: the fee is distributed (the pot's part credited to the dataset's
	/// curation fund) and the rest released to the seller.
	#[benchmark]
	fn complete_sale() {
		let now = start::<T>();
		fund_pot::<T>();
		let buyer: T::AccountId = account("buyer", 0, SEED);
		let sale = delivered::<T>(&buyer);
		go_to::<T>(now.saturating_add(T::DisputePeriod::get()).saturating_add(One::one()));
		let caller: T::AccountId = whitelisted_caller();
		let price = price::<T>();
		let fee = T::ProtocolFee::get().mul_ceil(price);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), sale.purchase);

		assert!(!Purchases::<T>::contains_key(sale.purchase));
		assert_eq!(Datasets::<T>::get(sale.dataset).map(|d| d.sales), Some(1));
		assert_eq!(
			CurationFunds::<T>::get(sale.dataset),
			T::FeeToCurators::get().mul_floor(fee),
			"the pot's part of the fee is credited to the dataset"
		);
		assert_last_event::<T>(Event::SaleCompleted {
			purchase: sale.purchase,
			dataset: sale.dataset,
			seller: sale.seller,
			amount: price.saturating_sub(fee),
			fee,
		});
	}

	/// The access of a completed sale.
	#[benchmark]
	fn relinquish_access() {
		let now = start::<T>();
		fund_pot::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let sale = delivered::<T>(&caller);
		go_to::<T>(now.saturating_add(T::DisputePeriod::get()).saturating_add(One::one()));
		Pallet::<T>::do_complete_sale(sale.purchase).expect("the sale completes");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), sale.dataset);

		assert!(!Accesses::<T>::contains_key(&caller, sale.dataset));
		assert_last_event::<T>(Event::AccessRelinquished { dataset: sale.dataset, who: caller });
	}

	// ------------------------------------------------------------------------ validation

	#[benchmark]
	fn submit_claim() {
		let now = start::<T>();
		let seller = funded::<T>("seller", 0);
		let dataset = list_one::<T>(&seller, Vec::new());
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let stake = stake::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), dataset, KIND, stake);

		assert!(Claims::<T>::contains_key(dataset, KIND));
		assert_eq!(
			Datasets::<T>::get(dataset).map(|d| d.validation.get(KIND)),
			Some(ValidationState::Pending)
		);
		assert_last_event::<T>(Event::ClaimSubmitted {
			dataset,
			kind: KIND,
			curator: caller,
			stake,
			until: now.saturating_add(T::ClaimPeriod::get()),
		});
	}

	#[benchmark]
	fn counter_claim() {
		start::<T>();
		let (dataset, _curator) = claimed::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let bond = stake::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), dataset, KIND, bond);

		assert_eq!(
			Datasets::<T>::get(dataset).map(|d| d.validation.get(KIND)),
			Some(ValidationState::Contested)
		);
		assert_last_event::<T>(Event::ClaimCountered {
			dataset,
			kind: KIND,
			challenger: caller,
			bond,
		});
	}

	/// An uncontested claim after its window about a dataset with a curation fund: the pot pays
	/// the full `CuratorReward` and the fund is reduced by it.
	#[benchmark]
	fn conclude_claim() {
		let now = start::<T>();
		let (dataset, curator) = claimed::<T>();
		let fund = fund_curation::<T>(dataset);
		go_to::<T>(now.saturating_add(T::ClaimPeriod::get()).saturating_add(One::one()));
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), dataset, KIND);

		assert!(!Claims::<T>::contains_key(dataset, KIND));
		assert_eq!(CurationFunds::<T>::get(dataset), fund.saturating_sub(T::CuratorReward::get()));
		assert_last_event::<T>(Event::ClaimResolved {
			dataset,
			kind: KIND,
			state: ValidationState::Validated,
			winner: curator,
			reward: T::CuratorReward::get(),
		});
	}

	/// The claim is upheld (`upheld = true`), the heavier branch: the curator's stake is
	/// released, the counter bond slashed (a share to the curator, the rest to `OnSlash`) and the
	/// pot pays the full curator reward out of the dataset's curation fund. A refuted claim only
	/// releases one side and slashes the other.
	#[benchmark]
	fn resolve_claim() -> Result<(), BenchmarkError> {
		start::<T>();
		let (dataset, curator) = claimed::<T>();
		let fund = fund_curation::<T>(dataset);
		let challenger = funded::<T>("challenger", 0);
		let bond = stake::<T>();
		Pallet::<T>::do_counter_claim(challenger, dataset, KIND, bond)
			.expect("the challenger counters");
		let origin = <T::DisputeOrigin as EnsureOrigin<T::RuntimeOrigin>>::try_successful_origin()
			.map_err(|_| BenchmarkError::Weightless)?;
		let reward =
			T::SlashRewardShare::get().mul_floor(bond).saturating_add(T::CuratorReward::get());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, dataset, KIND, true);

		assert!(!Claims::<T>::contains_key(dataset, KIND));
		assert_eq!(CurationFunds::<T>::get(dataset), fund.saturating_sub(T::CuratorReward::get()));
		assert_last_event::<T>(Event::ClaimResolved {
			dataset,
			kind: KIND,
			state: ValidationState::Validated,
			winner: curator,
			reward,
		});
		Ok(())
	}

	// ------------------------------------------------------------------------ derived datasets

	/// The output of a settled job that read `n` datasets: `n` parents, each read.
	#[benchmark]
	fn register_derived(n: Linear<1, { T::MaxDatasetsPerJob::get() }>) {
		start::<T>();
		fund_pot::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		let ids = settled_job::<T>(&caller, n);
		let id = NextDatasetId::<T>::get();
		let price = price::<T>();
		let royalty = royalty::<T>();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			JOB,
			ROOT,
			SIZE,
			CHUNKS,
			License::Custom,
			Some(LICENSE_URI),
			price,
			royalty,
			METADATA,
		);

		assert!(!JobUses::<T>::contains_key(JOB));
		let dataset = Datasets::<T>::get(id).expect("the derived dataset is stored");
		assert_eq!(dataset.parents.iter().copied().collect::<Vec<_>>(), ids);
		assert_eq!(dataset.source_job, Some((JOB, OUTPUT)));
		// The job record's deposit is released after the listing's event.
		assert_has_event::<T>(Event::DatasetListed {
			dataset: id,
			owner: caller,
			root_hash: ROOT,
			price,
			royalty,
			deposit: dataset.deposit,
			source_job: Some(JOB),
		});
	}

	/// The record of a settled job that read `MaxDatasetsPerJob` datasets.
	#[benchmark]
	fn release_job_record() {
		start::<T>();
		fund_pot::<T>();
		let caller: T::AccountId = whitelisted_caller();
		fund::<T>(&caller);
		settled_job::<T>(&caller, T::MaxDatasetsPerJob::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), JOB);

		assert!(!JobUses::<T>::contains_key(JOB));
		assert_last_event::<T>(Event::JobRecordReleased { job: JOB, user: caller });
	}

	// ------------------------------------------------------------------------ compute glue

	/// `n` listed datasets the user has no access to: royalty plus price is charged for each.
	#[benchmark]
	fn begin_use(n: Linear<0, { T::MaxDatasetsPerJob::get() }>) {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let ids = datasets_for::<T>(&caller, n);

		#[block]
		{
			Pallet::<T>::do_begin_use(JOB, &caller, &ids).expect("the job's datasets are charged");
		}

		assert_eq!(JobUses::<T>::contains_key(JOB), n > 0);
		if n > 0 {
			assert_last_event::<T>(Event::DatasetUseStarted {
				job: JOB,
				user: caller,
				charged: per_use::<T>().saturating_mul(n.into()),
			});
		}
	}

	/// `n` charges of royalty plus price, each to a different owner: each pays a fee (split
	/// between the pot, credited to the charge's dataset's curation fund, and `OnFee`) and a
	/// transfer.
	#[benchmark]
	fn job_settled(n: Linear<1, { T::MaxDatasetsPerJob::get() }>) {
		start::<T>();
		fund_pot::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let ids = running_job::<T>(&caller, n);
		let last = *ids.last().expect("n >= 1");
		let owner = Datasets::<T>::get(last).map(|d| d.owner).expect("the dataset exists");
		let amount = per_use::<T>();
		let fee = T::ProtocolFee::get().mul_ceil(amount);

		#[block]
		{
			Pallet::<T>::do_job_settled(JOB, OUTPUT);
		}

		assert_eq!(JobUses::<T>::get(JOB).map(|u| u.state), Some(UseState::Settled(OUTPUT)));
		assert_eq!(CurationFunds::<T>::get(last), T::FeeToCurators::get().mul_floor(fee));
		assert_last_event::<T>(Event::RoyaltyPaid {
			job: JOB,
			dataset: last,
			owner,
			amount: amount.saturating_sub(fee),
			fee,
		});
	}

	/// `n` charges of royalty plus price returned.
	#[benchmark]
	fn job_refunded(n: Linear<1, { T::MaxDatasetsPerJob::get() }>) {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		running_job::<T>(&caller, n);

		#[block]
		{
			Pallet::<T>::do_job_refunded(JOB);
		}

		assert!(!JobUses::<T>::contains_key(JOB));
		assert_last_event::<T>(Event::DatasetUseRefunded {
			job: JOB,
			user: caller,
			amount: per_use::<T>().saturating_mul(n.into()),
		});
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
