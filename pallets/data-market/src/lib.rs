//! # Data market pallet
//!
//! Owners list datasets, buyers pay AIR for access and receive the dataset's key sealed to their
//! own key, compute jobs that read a dataset pay its owner a royalty, curators stake on claims
//! about datasets, and every dataset carries its lineage.
//!
//! ## Overview
//!
//! A **listing** (`list_dataset`) records a dataset's merkle root (blake2-256 over its chunks,
//! see `airtime_primitives::data`, so anyone holding a chunk can check it against the chain), its
//! size and chunk count, a licence (a bounded enum, plus the hash of a licence text for
//! `Custom`), an access *price*, a per-job *royalty*, a metadata hash and up to `MaxParents`
//! *parents* it was derived from. The owner — any account, a multisig or a proxy — pays a deposit
//! proportional to the record's encoded size. `update_price` changes price and royalty for
//! purchases and jobs that come later; `delist` stops sales (grants already given stay valid,
//! and jobs of accounts with access still run); `relist` resumes them. `set_agent` names an
//! account that may deliver keys for the owner (a seller's delivery service).
//!
//! A **purchase** is a small lifecycle, like a referendum's:
//!
//! 1. *Escrow.* `buy_access(dataset, max_price)` holds the price on the buyer under
//!    [`HoldReason::PurchaseEscrow`] and an `AccessDeposit`. The buyer must have registered an
//!    x25519 delivery key (`set_delivery_key`); the key is copied into the purchase so a later
//!    change does not redirect an ongoing delivery. `max_price` protects the buyer from a price
//!    raised in the same block.
//! 2. *Delivery.* Within `DeliveryPeriod` blocks the owner or its agent calls
//!    `deliver_key(purchase, sealed_key)` with the dataset key sealed to the buyer's key (at most
//!    `MaxSealedKeyLen` bytes, bounded in the call's type: a longer key does not decode). The
//!    escrowed price moves to the seller, where it stays on hold during the dispute window; the
//!    buyer has access from this block.
//! 3. *No delivery.* After `DeliveryPeriod` the buyer `reclaim`s the escrow and deposit, and the
//!    seller's record counts a missed delivery.
//! 4. *Dispute.* Within `DisputePeriod` blocks of delivery a buyer whose key does not open the
//!    data `dispute`s with a bond of at least `MinDisputeBond`. `DisputeOrigin` (the
//!    `MarketAdmin` track in this runtime) decides with `resolve_dispute`: if the buyer is right,
//!    the price returns to it with its bond and deposit, its access is withdrawn, and the
//!    seller's record counts a lost dispute; otherwise the buyer's bond is slashed
//!    (`SlashRewardShare` to the seller, the rest to `OnSlash`) and the sale completes.
//! 5. *Completion.* After the dispute window anyone calls `complete_sale`: the protocol fee is
//!    taken from the seller's proceeds (`FeeToCurators` of it to the curator reward pot, the rest
//!    to `OnFee`) and the rest is released to the seller.
//!
//! **Compute-to-data.** A compute job may name datasets. pallet-compute calls this pallet through
//! [`airtime_primitives::data::DatasetUsage`] when the job is submitted: for each dataset the
//! job's owner owes nothing if it owns the dataset, the royalty if it has access from a completed
//! purchase, and the royalty plus the price (the *per-use price*) otherwise — including while its
//! own purchase can still be disputed — which needs the dataset to be listed.
//! The charges are held on the job's owner under [`HoldReason::UseEscrow`] with a `UseDeposit`.
//! When the job settles each owner is paid its charge minus the protocol fee; when the job ends
//! without a result the charges return. A settled job's record keeps its output hash until its
//! owner registers the output as a **derived dataset** (`register_derived`, whose parents are the
//! job's datasets and whose record links the job) or drops it (`release_job_record`).
//!
//! **Validation.** A curator `submit_claim`s that one property of a dataset holds (its root hash,
//! its schema, its licence) with a stake of at least `MinClaimStake`. During `ClaimPeriod` blocks
//! anyone else may `counter_claim` with a bond at least as large. An uncontested claim is
//! concluded by anyone afterwards (`conclude_claim`): the stake returns with a curator reward
//! from the pot and the property is *Validated*. A contested claim is decided by `DisputeOrigin`
//! (`resolve_claim`): the losing side's stake or bond is slashed, `SlashRewardShare` of it to the
//! winner and the rest to `OnSlash`; the property becomes *Validated* or *Refuted*, and an upheld
//! claim's curator also receives the curator reward. The dataset record shows each property's
//! state. A validated property takes no new claims (a curator could otherwise collect the reward
//! again and again); an unchecked or refuted one does.
//!
//! **Curation funds.** The pot is fed by the `FeeToCurators` part of each protocol fee, and each
//! such part is credited to the [`CurationFunds`] of the dataset whose completed sale or settled
//! job use paid the fee. A curator's reward is `CuratorReward` capped by its dataset's fund (and
//! by what the pot can pay and stay alive), and is taken out of that fund: a dataset nobody paid
//! for funds no reward, and a dataset's curators together receive at most what its own sales and
//! uses paid into the pot. Curating one's own dataset through a second account (which
//! `OwnerCannotCurate` cannot tell apart from a stranger) therefore does not pay: the owner earns
//! nothing from a dataset without sales, and buying its own dataset through a second account
//! costs it the whole protocol fee while the claims it funds return at most the fee's
//! `FeeToCurators` part. What reaches the pot otherwise (a plain transfer to its account) belongs
//! to no dataset and funds no reward.
//!
//! **Provenance.** Parents must exist when a dataset is listed, so every parent is older than its
//! child and the lineage graph is acyclic by construction. The `lineage(dataset, depth)` runtime
//! API walks it breadth first, bounded by the depth asked and `MaxLineageNodes`.
//!
//! ## Terminology
//!
//! - *Access*: the right to the dataset's key, held by an account after a delivery (an [`Access`]
//!   record, with the deposit that pays for it, until `relinquish_access`).
//! - *Proceeds*: a delivered purchase's price, on hold on the seller until the sale completes.
//! - *Pot*: the account of `PalletId`, fed by `FeeToCurators` of every protocol fee, paying
//!   curator rewards.
//! - *Curation fund*: the part of the pot a dataset's own fees paid in and its curators have not
//!   yet been paid ([`CurationFunds`]); it caps the rewards of claims about that dataset.
//!
//! ## Design notes
//!
//! - Escrow, proceeds, stakes, bonds and deposits are holds on their owners' accounts, never
//!   transfers to a pallet account, so `try_state` checks each hold against the records.
//! - Nothing happens in hooks: every deadline is acted on by a call (`reclaim`, `complete_sale`,
//!   `conclude_claim`) of whoever is owed money, so no block iterates over purchases.
//! - Disputes over keys are decided by a governance origin, not by compute's verifier quorum:
//!   whether a sealed key opens the data can only be checked with the buyer's secret key or the
//!   plaintext, which verifiers do not have. The buyer supports its dispute off-chain (it can
//!   reveal the unsealed key, which anyone can then test against the published ciphertext and
//!   the listing's merkle root).
//!
//! ## Limitations
//!
//! - Dataset records and their deposits are permanent: grants, jobs and lineage refer to them. So
//!   are their curation funds: a fund is spent only by rewards for claims about its dataset.
//! - A curator reward needs sales or uses of its dataset first: claims about a dataset nobody has
//!   paid for conclude without a reward (the stake still returns).
//! - The chain cannot check that a sealed key is well formed or that the root hash matches data
//!   it never sees; disputes and root-hash claims cover both.
//! - A derived dataset's root hash is the registrant's statement; the record keeps the job's
//!   output hash so anyone can compare it with the data.
//! - Royalties are per job, not per unit of compute: a large job pays the same as a small one.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod functions;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use airtime_primitives::{
	compute::JobId,
	data::{ClaimKind, DatasetId, DeliveryKey, License, PurchaseId, ValidationState},
};
pub use types::*;
pub use weights::WeightInfo;

// The pallet macros expand storage and hook code that calls `expect`; the pallet's own logic
// lives in `functions.rs`, where the lints apply. `list_dataset` and `register_derived` take a
// listing's fields one by one, as apps' Extrinsics tab shows them.
#[allow(clippy::expect_used, clippy::too_many_arguments)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, BalancedHold, MutateHold},
			OnUnbalanced,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;
	use sp_runtime::Perbill;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A purchase's price: on the buyer until delivery, then on the seller until the sale
		/// completes.
		PurchaseEscrow,
		/// A buyer's dispute bond.
		DisputeBond,
		/// A curator's stake or a counter-claimant's bond.
		ClaimStake,
		/// What a running job owes dataset owners, held on the job's owner.
		UseEscrow,
		/// Deposits for dataset, access, delivery-key and job-use records.
		StorageDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency: escrow, bonds, stakes and deposits are holds on it.
		type Currency: fungible::Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Decides disputed purchases and contested claims.
		type DisputeOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Receives the part of protocol fees that does not go to the curator pot.
		type OnFee: OnUnbalanced<CreditOf<Self>>;
		/// Receives what slashes take beyond the winner's share.
		type OnSlash: OnUnbalanced<CreditOf<Self>>;

		/// The curator reward pot's id.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Fee taken from sale proceeds and royalties.
		#[pallet::constant]
		type ProtocolFee: Get<Perbill>;
		/// Part of the protocol fee paid into the curator reward pot.
		#[pallet::constant]
		type FeeToCurators: Get<Perbill>;
		/// The most paid from the pot to a curator whose claim stands. The reward is also capped
		/// by the [`CurationFunds`] of the claim's dataset (what the `FeeToCurators` part of its
		/// own sales' and uses' protocol fees paid into the pot, less rewards already paid for
		/// it) and by what the pot can pay and stay alive, so buying one's own dataset through
		/// a second account costs the whole protocol fee and funds at most its `FeeToCurators`
		/// part in rewards.
		#[pallet::constant]
		type CuratorReward: Get<BalanceOf<Self>>;
		/// The smallest curator stake.
		#[pallet::constant]
		type MinClaimStake: Get<BalanceOf<Self>>;
		/// The smallest dispute bond.
		#[pallet::constant]
		type MinDisputeBond: Get<BalanceOf<Self>>;
		/// Part of a slashed stake or bond paid to the winning side.
		#[pallet::constant]
		type SlashRewardShare: Get<Perbill>;

		/// Deposit for a dataset record: base part.
		#[pallet::constant]
		type DepositBase: Get<BalanceOf<Self>>;
		/// Deposit for a dataset record: per byte of its encoding.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;
		/// Deposit for an access record (and the purchase that creates it).
		#[pallet::constant]
		type AccessDeposit: Get<BalanceOf<Self>>;
		/// Deposit for a delivery key.
		#[pallet::constant]
		type KeyDeposit: Get<BalanceOf<Self>>;
		/// Deposit for a job's dataset-use record.
		#[pallet::constant]
		type UseDeposit: Get<BalanceOf<Self>>;

		/// Blocks a seller has to deliver a key.
		#[pallet::constant]
		type DeliveryPeriod: Get<BlockNumberFor<Self>>;
		/// Blocks after delivery in which the buyer may dispute.
		#[pallet::constant]
		type DisputePeriod: Get<BlockNumberFor<Self>>;
		/// Blocks in which a claim may be countered.
		#[pallet::constant]
		type ClaimPeriod: Get<BlockNumberFor<Self>>;

		/// The most parents of a dataset (at least `MaxDatasetsPerJob`, so a job's datasets fit).
		#[pallet::constant]
		type MaxParents: Get<u32>;
		/// The longest sealed key.
		#[pallet::constant]
		type MaxSealedKeyLen: Get<u32>;
		/// The most datasets one job reads.
		#[pallet::constant]
		type MaxDatasetsPerJob: Get<u32>;
		/// The most datasets a lineage walk returns.
		#[pallet::constant]
		type MaxLineageNodes: Get<u32>;
		/// The most records a search reads.
		#[pallet::constant]
		type MaxSearchScan: Get<u32>;

		/// Weights of the calls and of the compute glue.
		type WeightInfo: WeightInfo;
	}

	/// The next dataset id.
	#[pallet::storage]
	pub type NextDatasetId<T: Config> = StorageValue<_, DatasetId, ValueQuery>;

	/// Dataset records.
	///
	/// Twox64Concat: ids are sequential and assigned by the chain; the search iterates keys.
	#[pallet::storage]
	pub type Datasets<T: Config> = StorageMap<_, Twox64Concat, DatasetId, Dataset<T>>;

	/// Accounts' x25519 delivery keys and the deposits paid for them.
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type DeliveryKeys<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (DeliveryKey, BalanceOf<T>)>;

	/// The next purchase id.
	#[pallet::storage]
	pub type NextPurchaseId<T: Config> = StorageValue<_, PurchaseId, ValueQuery>;

	/// Purchases not yet completed or refunded.
	///
	/// Twox64Concat: ids are sequential and assigned by the chain.
	#[pallet::storage]
	pub type Purchases<T: Config> = StorageMap<_, Twox64Concat, PurchaseId, Purchase<T>>;

	/// Accounts' access to datasets (open purchases and grants).
	///
	/// Blake2_128Concat on the account (chosen by users; a buyer's grants are listed by prefix),
	/// Twox64Concat on the dataset id (assigned by the chain).
	#[pallet::storage]
	pub type Accesses<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, DatasetId, Access<T>>;

	/// Sellers' track records, created with their first listing (paid by its deposit).
	///
	/// Blake2_128Concat: accounts are chosen by users.
	#[pallet::storage]
	pub type Sellers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, SellerRecord>;

	/// Open curation claims, one per dataset and property.
	///
	/// Twox64Concat on both: dataset ids are assigned by the chain, kinds are three values.
	#[pallet::storage]
	pub type Claims<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatasetId, Twox64Concat, ClaimKind, Claim<T>>;

	/// Records of jobs that read datasets.
	///
	/// Twox64Concat: job ids are sequential and assigned by pallet-compute.
	#[pallet::storage]
	pub type JobUses<T: Config> = StorageMap<_, Twox64Concat, JobId, JobUse<T>>;

	/// Each dataset's curation fund: what the `FeeToCurators` part of the protocol fees of its
	/// completed sales and settled job uses paid into the curator pot, less the curator rewards
	/// paid for claims about it. A reward is at most the fund of its claim's dataset and is taken
	/// out of it; an entry is removed when it reaches zero. Their sum never exceeds the pot's
	/// balance (the pot may hold more: its existential deposit and unattributed transfers).
	///
	/// Twox64Concat: dataset ids are sequential and assigned by the chain.
	#[pallet::storage]
	pub type CurationFunds<T: Config> =
		StorageMap<_, Twox64Concat, DatasetId, BalanceOf<T>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A dataset was listed (`source_job`: registered as a job's output).
		DatasetListed {
			dataset: DatasetId,
			owner: T::AccountId,
			root_hash: H256,
			price: BalanceOf<T>,
			royalty: BalanceOf<T>,
			deposit: BalanceOf<T>,
			source_job: Option<JobId>,
		},
		/// A dataset's price and royalty changed (for later purchases and jobs).
		PriceUpdated { dataset: DatasetId, price: BalanceOf<T>, royalty: BalanceOf<T> },
		/// A dataset was taken off sale.
		DatasetDelisted { dataset: DatasetId },
		/// A dataset was put on sale again.
		DatasetRelisted { dataset: DatasetId },
		/// A dataset's delivery agent changed.
		AgentSet { dataset: DatasetId, agent: Option<T::AccountId> },
		/// An account registered or replaced its delivery key.
		DeliveryKeySet { who: T::AccountId, key: DeliveryKey },
		/// An account removed its delivery key.
		DeliveryKeyCleared { who: T::AccountId },
		/// A buyer put a dataset's price in escrow; the key is due by `deliver_by`.
		AccessBought {
			purchase: PurchaseId,
			dataset: DatasetId,
			buyer: T::AccountId,
			seller: T::AccountId,
			price: BalanceOf<T>,
			deliver_by: BlockNumberFor<T>,
		},
		/// The seller delivered the sealed key; the buyer may dispute until `dispute_until`.
		KeyDelivered {
			purchase: PurchaseId,
			dataset: DatasetId,
			buyer: T::AccountId,
			sealed_key: SealedKeyOf<T>,
			dispute_until: BlockNumberFor<T>,
		},
		/// No key came in time: the buyer took back its escrow.
		PurchaseReclaimed {
			purchase: PurchaseId,
			dataset: DatasetId,
			buyer: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// A buyer disputed the key it received.
		PurchaseDisputed { purchase: PurchaseId, buyer: T::AccountId, bond: BalanceOf<T> },
		/// A dispute was decided: `buyer_won` refunded the buyer, otherwise the sale completed.
		DisputeResolved { purchase: PurchaseId, buyer_won: bool, slashed: BalanceOf<T> },
		/// A sale completed: the seller received `amount` after `fee`.
		SaleCompleted {
			purchase: PurchaseId,
			dataset: DatasetId,
			seller: T::AccountId,
			amount: BalanceOf<T>,
			fee: BalanceOf<T>,
		},
		/// An account gave up its access record and got its deposit back.
		AccessRelinquished { dataset: DatasetId, who: T::AccountId },
		/// A curator staked on a property of a dataset; it may be countered until `until`.
		ClaimSubmitted {
			dataset: DatasetId,
			kind: ClaimKind,
			curator: T::AccountId,
			stake: BalanceOf<T>,
			until: BlockNumberFor<T>,
		},
		/// Someone contested a claim.
		ClaimCountered {
			dataset: DatasetId,
			kind: ClaimKind,
			challenger: T::AccountId,
			bond: BalanceOf<T>,
		},
		/// A claim was decided: `state` is the property's new state, `reward` what the winner
		/// received beyond its own stake or bond.
		ClaimResolved {
			dataset: DatasetId,
			kind: ClaimKind,
			state: ValidationState,
			winner: T::AccountId,
			reward: BalanceOf<T>,
		},
		/// A compute job started reading datasets; `charged` is held on its owner.
		DatasetUseStarted { job: JobId, user: T::AccountId, charged: BalanceOf<T> },
		/// A dataset owner was paid for a settled job (`amount` after `fee`).
		RoyaltyPaid {
			job: JobId,
			dataset: DatasetId,
			owner: T::AccountId,
			amount: BalanceOf<T>,
			fee: BalanceOf<T>,
		},
		/// A job ended without a result; its charges returned to its owner.
		DatasetUseRefunded { job: JobId, user: T::AccountId, amount: BalanceOf<T> },
		/// A settled job's record was dropped and its deposit returned.
		JobRecordReleased { job: JobId, user: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No dataset with this id.
		UnknownDataset,
		/// Only the dataset's owner may do this.
		NotDatasetOwner,
		/// Only the dataset's owner or its agent may deliver keys.
		NotSellerOrAgent,
		/// The dataset is not for sale.
		DatasetNotListed,
		/// The dataset is already for sale.
		DatasetAlreadyListed,
		/// A dataset must have at least one byte and one chunk, and no more chunks than bytes.
		InvalidSize,
		/// A `Custom` licence needs a licence URI hash.
		CustomLicenseNeedsUri,
		/// A price must be above zero.
		ZeroPrice,
		/// A parent dataset does not exist.
		UnknownParent,
		/// A dataset appears twice among the parents or a job's datasets.
		DuplicateDataset,
		/// A job names more than `MaxDatasetsPerJob` datasets.
		TooManyDatasets,
		/// The account has no delivery key; register one with `set_delivery_key`.
		NoDeliveryKey,
		/// The owner cannot buy its own dataset.
		SelfPurchase,
		/// The account already has access to this dataset.
		AlreadyHasAccess,
		/// The account already has an open purchase of this dataset.
		PurchasePending,
		/// The price is above the buyer's `max_price`.
		PriceAboveLimit,
		/// No such purchase (unknown, or already completed or refunded).
		UnknownPurchase,
		/// Only the buyer may do this.
		NotBuyer,
		/// The key was already delivered.
		AlreadyDelivered,
		/// The key has not been delivered.
		NotDelivered,
		/// The sealed key is empty.
		EmptySealedKey,
		/// The sealed key is longer than `MaxSealedKeyLen`. No longer returned: `deliver_key`
		/// takes a bounded key, which does not decode past `MaxSealedKeyLen` bytes. Kept so that
		/// the indexes of the errors after it do not change.
		SealedKeyTooLong,
		/// The delivery period is over; the buyer may reclaim.
		DeliveryPeriodOver,
		/// The delivery period has not ended.
		DeliveryPeriodNotOver,
		/// The dispute window is over.
		DisputePeriodOver,
		/// The dispute window has not ended.
		DisputePeriodNotOver,
		/// The purchase is disputed.
		PurchaseDisputed,
		/// The purchase is not disputed.
		NotDisputed,
		/// The bond is below `MinDisputeBond`.
		BondTooLow,
		/// The account has no access record for this dataset.
		NoAccess,
		/// The access record belongs to an open purchase; wait until it completes.
		AccessInUse,
		/// The stake is below `MinClaimStake`.
		StakeTooLow,
		/// A claim about this property of this dataset is open.
		ClaimOpen,
		/// No open claim about this property of this dataset.
		UnknownClaim,
		/// The owner cannot curate its own dataset, nor counter a claim about it in its favour.
		OwnerCannotCurate,
		/// The curator cannot counter its own claim.
		SelfCounter,
		/// The claim is already countered.
		AlreadyCountered,
		/// The claim is not countered; it concludes by itself after its window.
		NotCountered,
		/// The claim is countered; `DisputeOrigin` decides it.
		ClaimContested,
		/// The counter-claim window is over.
		ClaimPeriodOver,
		/// The counter-claim window has not ended.
		ClaimPeriodNotOver,
		/// The counter bond is below the claim's stake.
		CounterBondTooLow,
		/// The account cannot cover the amount to hold (free balance minus existential deposit).
		InsufficientBalance,
		/// No record of this job reading datasets.
		UnknownJob,
		/// Only the job's owner may do this.
		NotJobOwner,
		/// The job has not settled.
		JobNotSettled,
		/// An amount overflowed.
		Overflow,
		/// No more ids.
		IdsExhausted,
		/// The property is already validated; only unchecked or refuted properties are claimed.
		AlreadyValidated,
		/// The data market already has a record of this job.
		JobAlreadyRecorded,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			Pallet::<T>::check_config();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// List a dataset for sale.
		///
		/// - `origin`: signed; the owner (any account, a multisig or a proxy).
		/// - `root_hash`: merkle root of the chunks (blake2-256, see `airtime_primitives::data`).
		/// - `size`, `chunk_count`: bytes and chunks, `1 <= chunk_count <= size`.
		/// - `license`, `license_uri`: the licence; `Custom` needs `license_uri`.
		/// - `price`: access price, above zero. `royalty`: per settled job reading it.
		/// - `metadata_hash`: hash of the off-chain metadata.
		/// - `parents`: datasets it was derived from (existing, distinct, `MaxParents` at most).
		///
		/// Holds a deposit proportional to the record. Emits [`Event::DatasetListed`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::list_dataset(parents.len() as u32))]
		pub fn list_dataset(
			origin: OriginFor<T>,
			root_hash: H256,
			size: u64,
			chunk_count: u32,
			license: License,
			license_uri: Option<H256>,
			price: BalanceOf<T>,
			royalty: BalanceOf<T>,
			metadata_hash: H256,
			parents: ParentsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let listing = Listing {
				root_hash,
				size,
				chunk_count,
				license,
				license_uri,
				price,
				royalty,
				metadata_hash,
			};
			Self::do_list_dataset(who, listing, parents, None).map(|_| ())
		}

		/// Change a dataset's price and royalty. Purchases and jobs already made keep theirs.
		///
		/// - `origin`: signed; the owner.
		///
		/// Emits [`Event::PriceUpdated`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_price())]
		pub fn update_price(
			origin: OriginFor<T>,
			dataset: DatasetId,
			price: BalanceOf<T>,
			royalty: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_price(who, dataset, price, royalty)
		}

		/// Take a dataset off sale. Access already granted, open purchases and lineage stay.
		///
		/// - `origin`: signed; the owner.
		///
		/// Emits [`Event::DatasetDelisted`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::delist())]
		pub fn delist(origin: OriginFor<T>, dataset: DatasetId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_listed(who, dataset, false)
		}

		/// Put a delisted dataset on sale again.
		///
		/// - `origin`: signed; the owner.
		///
		/// Emits [`Event::DatasetRelisted`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::delist())]
		pub fn relist(origin: OriginFor<T>, dataset: DatasetId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_listed(who, dataset, true)
		}

		/// Name (or remove, with `None`) an account that may deliver keys for the owner.
		///
		/// - `origin`: signed; the owner.
		///
		/// Emits [`Event::AgentSet`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_agent())]
		pub fn set_agent(
			origin: OriginFor<T>,
			dataset: DatasetId,
			agent: Option<T::AccountId>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_agent(who, dataset, agent)
		}

		/// Register or replace the caller's x25519 delivery key. Purchases already made keep the
		/// key they were made with.
		///
		/// - `origin`: signed.
		/// - `key`: the x25519 public key.
		///
		/// Holds `KeyDeposit` the first time. Emits [`Event::DeliveryKeySet`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_delivery_key())]
		pub fn set_delivery_key(origin: OriginFor<T>, key: DeliveryKey) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_delivery_key(who, key)
		}

		/// Remove the caller's delivery key and release its deposit.
		///
		/// - `origin`: signed; an account with a delivery key.
		///
		/// Emits [`Event::DeliveryKeyCleared`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::clear_delivery_key())]
		pub fn clear_delivery_key(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_clear_delivery_key(who)
		}

		/// Buy access to a dataset: its price goes into escrow until the key is delivered.
		///
		/// - `origin`: signed; the buyer, with a delivery key, not the owner, without access or
		///   an open purchase of this dataset.
		/// - `dataset`: a listed dataset.
		/// - `max_price`: the most the buyer pays (fails with `PriceAboveLimit` otherwise).
		///
		/// Holds the price and `AccessDeposit`. Emits [`Event::AccessBought`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::buy_access())]
		pub fn buy_access(
			origin: OriginFor<T>,
			dataset: DatasetId,
			max_price: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_buy_access(who, dataset, max_price)
		}

		/// Deliver a purchase's dataset key, sealed to the buyer's delivery key. The price moves
		/// to the seller (held until the sale completes) and the buyer has access.
		///
		/// - `origin`: signed; the dataset's owner or agent.
		/// - `purchase`: awaiting delivery, within `DeliveryPeriod`.
		/// - `sealed_key`: non-empty, at most `MaxSealedKeyLen` bytes (bounded in the type, so a
		///   longer key does not decode and the transaction is invalid).
		///
		/// Emits [`Event::KeyDelivered`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::deliver_key())]
		pub fn deliver_key(
			origin: OriginFor<T>,
			purchase: PurchaseId,
			sealed_key: SealedKeyOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deliver_key(who, purchase, sealed_key)
		}

		/// Take back the escrow and deposit of a purchase whose key did not come in time.
		///
		/// - `origin`: signed; the buyer.
		/// - `purchase`: awaiting delivery, after `DeliveryPeriod`.
		///
		/// Emits [`Event::PurchaseReclaimed`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::reclaim())]
		pub fn reclaim(origin: OriginFor<T>, purchase: PurchaseId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reclaim(who, purchase)
		}

		/// Dispute a delivered key that does not open the data.
		///
		/// - `origin`: signed; the buyer.
		/// - `purchase`: delivered, within `DisputePeriod`.
		/// - `bond`: at least `MinDisputeBond`, held.
		///
		/// Emits [`Event::PurchaseDisputed`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::dispute())]
		pub fn dispute(
			origin: OriginFor<T>,
			purchase: PurchaseId,
			bond: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_dispute(who, purchase, bond)
		}

		/// Decide a disputed purchase.
		///
		/// - `origin`: `DisputeOrigin`.
		/// - `buyer_won`: `true` refunds the buyer and withdraws its access; `false` slashes its
		///   bond and completes the sale.
		///
		/// Emits [`Event::DisputeResolved`] (and [`Event::SaleCompleted`] when the seller wins).
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::resolve_dispute())]
		pub fn resolve_dispute(
			origin: OriginFor<T>,
			purchase: PurchaseId,
			buyer_won: bool,
		) -> DispatchResult {
			T::DisputeOrigin::ensure_origin(origin)?;
			Self::do_resolve_dispute(purchase, buyer_won)
		}

		/// Complete a delivered purchase after its dispute window: the seller receives the price
		/// minus the protocol fee.
		///
		/// - `origin`: signed; anyone.
		///
		/// Emits [`Event::SaleCompleted`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::complete_sale())]
		pub fn complete_sale(origin: OriginFor<T>, purchase: PurchaseId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_complete_sale(purchase)
		}

		/// Give up access to a dataset and release the access deposit.
		///
		/// - `origin`: signed; an account with access and no open purchase of the dataset.
		///
		/// Emits [`Event::AccessRelinquished`].
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::relinquish_access())]
		pub fn relinquish_access(origin: OriginFor<T>, dataset: DatasetId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_relinquish_access(who, dataset)
		}

		/// Vouch for a property of a dataset with a stake.
		///
		/// - `origin`: signed; a curator other than the owner.
		/// - `kind`: the property; no other claim about it may be open.
		/// - `stake`: at least `MinClaimStake`, held.
		///
		/// Emits [`Event::ClaimSubmitted`].
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::submit_claim())]
		pub fn submit_claim(
			origin: OriginFor<T>,
			dataset: DatasetId,
			kind: ClaimKind,
			stake: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_claim(who, dataset, kind, stake)
		}

		/// Contest an open claim with a bond at least as large as its stake.
		///
		/// - `origin`: signed; not the curator, not the owner.
		/// - within `ClaimPeriod` of the claim.
		///
		/// Emits [`Event::ClaimCountered`].
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::counter_claim())]
		pub fn counter_claim(
			origin: OriginFor<T>,
			dataset: DatasetId,
			kind: ClaimKind,
			bond: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_counter_claim(who, dataset, kind, bond)
		}

		/// Conclude an uncontested claim after its window: the stake returns with the curator
		/// reward (capped by the dataset's curation fund) and the property is validated.
		///
		/// - `origin`: signed; anyone.
		///
		/// Emits [`Event::ClaimResolved`].
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::conclude_claim())]
		pub fn conclude_claim(
			origin: OriginFor<T>,
			dataset: DatasetId,
			kind: ClaimKind,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_conclude_claim(dataset, kind)
		}

		/// Decide a contested claim.
		///
		/// - `origin`: `DisputeOrigin`.
		/// - `upheld`: `true` validates the property, slashes the counter bond and pays the
		///   curator reward (capped by the dataset's curation fund); `false` refutes it and
		///   slashes the curator's stake.
		///
		/// Emits [`Event::ClaimResolved`].
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::resolve_claim())]
		pub fn resolve_claim(
			origin: OriginFor<T>,
			dataset: DatasetId,
			kind: ClaimKind,
			upheld: bool,
		) -> DispatchResult {
			T::DisputeOrigin::ensure_origin(origin)?;
			Self::do_resolve_claim(dataset, kind, upheld)
		}

		/// Register a settled job's output as a dataset derived from the job's datasets.
		///
		/// - `origin`: signed; the job's owner.
		/// - `job`: a settled job that read datasets (its record is consumed).
		/// - the listing fields as in `list_dataset`.
		///
		/// Holds the listing deposit and releases the job record's. Emits
		/// [`Event::DatasetListed`] with `source_job`.
		#[pallet::call_index(18)]
		#[pallet::weight(T::WeightInfo::register_derived(T::MaxDatasetsPerJob::get()))]
		pub fn register_derived(
			origin: OriginFor<T>,
			job: JobId,
			root_hash: H256,
			size: u64,
			chunk_count: u32,
			license: License,
			license_uri: Option<H256>,
			price: BalanceOf<T>,
			royalty: BalanceOf<T>,
			metadata_hash: H256,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let listing = Listing {
				root_hash,
				size,
				chunk_count,
				license,
				license_uri,
				price,
				royalty,
				metadata_hash,
			};
			Self::do_register_derived(who, job, listing)
		}

		/// Drop a settled job's record without registering its output, releasing its deposit.
		///
		/// - `origin`: signed; the job's owner.
		///
		/// Emits [`Event::JobRecordReleased`].
		#[pallet::call_index(19)]
		#[pallet::weight(T::WeightInfo::release_job_record())]
		pub fn release_job_record(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_release_job_record(who, job)
		}
	}
}
