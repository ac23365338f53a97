//! The pallet's stored types: datasets, purchases and their state machine, access grants,
//! curation claims and the records of jobs that read datasets.

use crate::Config;
use airtime_primitives::data::{
	ClaimKind, DatasetId, DeliveryKey, License, PurchaseId, Validation,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{self, Inspect},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_core::H256;

/// A balance of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// An amount taken out of circulation, to be handed to an `OnUnbalanced` handler or dropped.
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
/// An account of the runtime.
pub type AccountIdOf<T> = <T as frame_system::Config>::AccountId;
/// A sealed dataset key.
pub type SealedKeyOf<T> = BoundedVec<u8, <T as Config>::MaxSealedKeyLen>;
/// A page of a dataset search: the matches and where to continue.
pub type SearchPageOf<T> = (
	alloc::vec::Vec<airtime_primitives::data::DatasetView<AccountIdOf<T>, BalanceOf<T>>>,
	Option<DatasetId>,
);
/// A dataset's parents.
pub type ParentsOf<T> = BoundedVec<DatasetId, <T as Config>::MaxParents>;

/// What a listing declares about a dataset (the arguments of `list_dataset`).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Listing<T: Config> {
	/// Merkle root of the chunks (see `airtime_primitives::data`).
	pub root_hash: H256,
	/// Size in bytes.
	pub size: u64,
	/// Number of chunks (at least one, at most one per byte).
	pub chunk_count: u32,
	/// Licence.
	pub license: License,
	/// Hash of the licence text or URI; required for `License::Custom`.
	pub license_uri: Option<H256>,
	/// Access price.
	pub price: BalanceOf<T>,
	/// Royalty per settled job that reads the dataset.
	pub royalty: BalanceOf<T>,
	/// Hash of the off-chain metadata.
	pub metadata_hash: H256,
}

/// A dataset record. Records are never removed: grants and lineage refer to them.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Dataset<T: Config> {
	/// Seller; receives payments and royalties.
	pub owner: T::AccountId,
	/// May deliver keys for the owner.
	pub agent: Option<T::AccountId>,
	/// What was listed.
	pub listing: Listing<T>,
	/// For sale.
	pub listed: bool,
	/// Derived from these datasets (each older than this one, so the graph is acyclic).
	pub parents: ParentsOf<T>,
	/// The job whose output this dataset is, and its output hash.
	pub source_job: Option<(airtime_primitives::compute::JobId, H256)>,
	/// Validation states.
	pub validation: Validation,
	/// Completed sales.
	pub sales: u32,
	/// Purchases not yet completed or refunded.
	pub open_purchases: u32,
	/// The deposit held on the owner for this record.
	pub deposit: BalanceOf<T>,
}

/// Where a purchase stands.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub enum PurchaseState<T: Config> {
	/// The price is held on the buyer; the key is due by `until`.
	AwaitingDelivery { until: BlockNumberFor<T> },
	/// The price is held on the seller; the buyer may dispute until `dispute_until`.
	Delivered { sealed_key: SealedKeyOf<T>, dispute_until: BlockNumberFor<T> },
	/// The buyer disputed with `bond` held; `DisputeOrigin` decides.
	Disputed { sealed_key: SealedKeyOf<T>, bond: BalanceOf<T> },
}

/// An open purchase.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Purchase<T: Config> {
	/// The dataset.
	pub dataset: DatasetId,
	/// The buyer.
	pub buyer: T::AccountId,
	/// The owner when bought; receives the price.
	pub seller: T::AccountId,
	/// The price, in escrow.
	pub price: BalanceOf<T>,
	/// The buyer's delivery key when it bought.
	pub buyer_key: DeliveryKey,
	/// The phase.
	pub state: PurchaseState<T>,
}

/// An account's access to a dataset.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Access<T: Config> {
	/// The purchase still open (awaiting delivery, or disputable).
	pub purchase: Option<PurchaseId>,
	/// When the key was delivered: from then on the account has access.
	pub since: Option<BlockNumberFor<T>>,
	/// The deposit held on the account for this record.
	pub deposit: BalanceOf<T>,
}

impl<T: Config> Access<T> {
	/// Whether the key was delivered (and not taken back by a dispute).
	pub fn granted(&self) -> bool {
		self.since.is_some()
	}
}

/// A seller's track record.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct SellerRecord {
	/// Sales completed.
	pub sales: u32,
	/// Purchases reclaimed because the key was not delivered in time.
	pub missed_deliveries: u32,
	/// Disputes the seller lost.
	pub disputes_lost: u32,
}

/// A curator's claim about one property of a dataset.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Claim<T: Config> {
	/// The curator vouching for the property.
	pub curator: T::AccountId,
	/// Its stake, held.
	pub stake: BalanceOf<T>,
	/// The end of the counter-claim window.
	pub until: BlockNumberFor<T>,
	/// Who contests the claim and its bond, held.
	pub counter: Option<(T::AccountId, BalanceOf<T>)>,
	/// The state the dataset had for this kind before the claim.
	pub previous: airtime_primitives::data::ValidationState,
}

/// What a job owes for one dataset it reads.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Charge<T: Config> {
	/// The dataset.
	pub dataset: DatasetId,
	/// Its owner when the job was submitted.
	pub owner: T::AccountId,
	/// The royalty, plus the price when the job's owner had no access.
	pub amount: BalanceOf<T>,
}

/// Where a job's use of datasets stands.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum UseState {
	/// The job runs; the charges are held on its owner.
	Running,
	/// The job settled with this output; the owners were paid. The record stays (with its
	/// deposit) until the job's owner registers the output as a derived dataset or releases it.
	Settled(H256),
}

/// The record of a job that reads datasets.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct JobUse<T: Config> {
	/// The job's owner.
	pub user: T::AccountId,
	/// One charge per dataset, in the job's order.
	pub charges: BoundedVec<Charge<T>, T::MaxDatasetsPerJob>,
	/// The deposit held on the user for this record.
	pub deposit: BalanceOf<T>,
	/// Where it stands.
	pub state: UseState,
}

impl<T: Config> JobUse<T> {
	/// The total held on the user while the job runs.
	pub fn total(&self) -> BalanceOf<T> {
		self.charges.iter().fold(BalanceOf::<T>::default(), |acc, c| {
			sp_runtime::Saturating::saturating_add(acc, c.amount)
		})
	}
}

/// The key of a claim: one open claim per dataset and kind.
pub type ClaimKey = (DatasetId, ClaimKind);
