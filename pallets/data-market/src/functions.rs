//! The pallet's logic: `do_*` helpers behind the thin dispatchables, the compute glue
//! ([`DatasetUsage`]), the read-only views of the runtime API and the `try_state` invariants.

use crate::{pallet::*, types::*, weights::WeightInfo, JobId};
use airtime_primitives::{
	data::{
		ClaimKind, DatasetFilter, DatasetId, DatasetUsage, DatasetView, DeliveryKey, GrantView,
		LineageNode, PurchaseId, PurchasePhase, PurchaseView, ValidationState,
	},
	holds,
};
use alloc::{
	collections::{BTreeMap, BTreeSet, VecDeque},
	vec::Vec,
};
use codec::Encode;
use frame_support::{
	defensive,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Imbalance, OnUnbalanced,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::{
	traits::{AccountIdConversion, CheckedAdd, Saturating, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	// ---------------------------------------------------------------- helpers

	/// The curator reward pot.
	pub fn pot() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// `who` can put `amount` on hold and keep its account alive.
	fn ensure_can_hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(holds::can_hold::<T::Currency, _>(who, amount), Error::<T>::InsufficientBalance);
		Ok(())
	}

	fn hold(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::hold(&reason.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Ok(())
	}

	/// Release exactly `amount` held for `reason` (a shortfall is reported defensively).
	fn release(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) {
		holds::release_exact::<T::Currency, _>(&reason.into(), who, amount)
	}

	/// Take exactly `amount` held for `reason` on `who` out of circulation.
	fn slash(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> CreditOf<T> {
		holds::slash_exact::<T::Currency, _>(&reason.into(), who, amount)
	}

	/// Pay `credit` to `who`, or to `OnSlash` if the account cannot take it (it would stay below
	/// the existential deposit), so nothing is lost. Returns whether `who` received it.
	fn pay_credit(who: &T::AccountId, credit: CreditOf<T>) -> bool {
		match <T::Currency as frame_support::traits::fungible::Balanced<_>>::resolve(who, credit) {
			Ok(()) => true,
			Err(rest) => {
				T::OnSlash::on_unbalanced(rest);
				false
			},
		}
	}

	/// Split a protocol fee paid by a sale or use of `dataset` between the curator pot and
	/// `OnFee`; what the pot receives is credited to the dataset's curation fund.
	fn distribute_fee(dataset: DatasetId, fee: CreditOf<T>) {
		let total = fee.peek();
		let (curators, rest) = fee.split(T::FeeToCurators::get().mul_floor(total));
		let amount = curators.peek();
		// Only what the pot actually received is attributed: a credit the pot cannot take goes
		// to `OnSlash` and funds nothing.
		if Self::pay_credit(&Self::pot(), curators) && !amount.is_zero() {
			CurationFunds::<T>::mutate(dataset, |fund| *fund = fund.saturating_add(amount));
		}
		T::OnFee::on_unbalanced(rest);
	}

	/// Slash `amount` held on `loser`: `SlashRewardShare` to `winner`, the rest to `OnSlash`.
	/// Returns the winner's share.
	fn slash_to(
		reason: HoldReason,
		loser: &T::AccountId,
		amount: BalanceOf<T>,
		winner: &T::AccountId,
	) -> BalanceOf<T> {
		let credit = Self::slash(reason, loser, amount);
		let share = T::SlashRewardShare::get().mul_floor(credit.peek());
		let (reward, rest) = credit.split(share);
		let paid = reward.peek();
		Self::pay_credit(winner, reward);
		T::OnSlash::on_unbalanced(rest);
		paid
	}

	fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	fn after(period: BlockNumberFor<T>) -> BlockNumberFor<T> {
		Self::now().saturating_add(period)
	}

	fn dataset(id: DatasetId) -> Result<Dataset<T>, Error<T>> {
		Datasets::<T>::get(id).ok_or(Error::<T>::UnknownDataset)
	}

	fn owned_dataset(who: &T::AccountId, id: DatasetId) -> Result<Dataset<T>, Error<T>> {
		let d = Self::dataset(id)?;
		ensure!(d.owner == *who, Error::<T>::NotDatasetOwner);
		Ok(d)
	}

	fn purchase(id: PurchaseId) -> Result<Purchase<T>, Error<T>> {
		Purchases::<T>::get(id).ok_or(Error::<T>::UnknownPurchase)
	}

	/// The deposit for a dataset record: base plus per byte of its encoding.
	pub(crate) fn dataset_deposit(d: &Dataset<T>) -> Result<BalanceOf<T>, Error<T>> {
		let len = BalanceOf::<T>::from(d.encoded_size() as u32);
		T::DepositPerByte::get()
			.checked_mul(&len)
			.and_then(|b| b.checked_add(&T::DepositBase::get()))
			.ok_or(Error::<T>::Overflow)
	}

	fn check_listing(listing: &Listing<T>) -> DispatchResult {
		ensure!(
			listing.size > 0
				&& listing.chunk_count > 0
				&& u64::from(listing.chunk_count) <= listing.size,
			Error::<T>::InvalidSize
		);
		ensure!(
			listing.license != crate::License::Custom || listing.license_uri.is_some(),
			Error::<T>::CustomLicenseNeedsUri
		);
		ensure!(!listing.price.is_zero(), Error::<T>::ZeroPrice);
		Ok(())
	}

	fn check_distinct_existing(ids: &[DatasetId], unknown: Error<T>) -> DispatchResult {
		let mut seen = BTreeSet::new();
		for id in ids {
			ensure!(seen.insert(*id), Error::<T>::DuplicateDataset);
			ensure!(Datasets::<T>::contains_key(id), unknown);
		}
		Ok(())
	}

	fn seller_record(who: &T::AccountId, f: impl FnOnce(&mut SellerRecord)) {
		Sellers::<T>::mutate(who, |r| {
			let mut rec = r.unwrap_or_default();
			f(&mut rec);
			*r = Some(rec);
		});
	}

	// ---------------------------------------------------------------- listings

	/// Create a dataset record; returns its id.
	pub(crate) fn do_list_dataset(
		who: T::AccountId,
		listing: Listing<T>,
		parents: ParentsOf<T>,
		source_job: Option<(JobId, H256)>,
	) -> Result<DatasetId, DispatchError> {
		Self::check_listing(&listing)?;
		Self::check_distinct_existing(&parents, Error::<T>::UnknownParent)?;
		let id = NextDatasetId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
		let mut record = Dataset {
			owner: who.clone(),
			agent: None,
			listing,
			listed: true,
			parents,
			source_job,
			validation: Default::default(),
			sales: 0,
			open_purchases: 0,
			deposit: Zero::zero(),
		};
		let deposit = Self::dataset_deposit(&record)?;
		record.deposit = deposit;
		Self::ensure_can_hold(&who, deposit)?;
		Self::hold(HoldReason::StorageDeposit, &who, deposit)?;
		Self::seller_record(&who, |_| {});
		Self::deposit_event(Event::DatasetListed {
			dataset: id,
			owner: who,
			root_hash: record.listing.root_hash,
			price: record.listing.price,
			royalty: record.listing.royalty,
			deposit,
			source_job: source_job.map(|(job, _)| job),
		});
		Datasets::<T>::insert(id, record);
		NextDatasetId::<T>::put(next);
		Ok(id)
	}

	pub(crate) fn do_update_price(
		who: T::AccountId,
		id: DatasetId,
		price: BalanceOf<T>,
		royalty: BalanceOf<T>,
	) -> DispatchResult {
		let mut d = Self::owned_dataset(&who, id)?;
		ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
		d.listing.price = price;
		d.listing.royalty = royalty;
		Datasets::<T>::insert(id, d);
		Self::deposit_event(Event::PriceUpdated { dataset: id, price, royalty });
		Ok(())
	}

	pub(crate) fn do_set_listed(who: T::AccountId, id: DatasetId, listed: bool) -> DispatchResult {
		let mut d = Self::owned_dataset(&who, id)?;
		if listed {
			ensure!(!d.listed, Error::<T>::DatasetAlreadyListed);
		} else {
			ensure!(d.listed, Error::<T>::DatasetNotListed);
		}
		d.listed = listed;
		Datasets::<T>::insert(id, d);
		Self::deposit_event(if listed {
			Event::DatasetRelisted { dataset: id }
		} else {
			Event::DatasetDelisted { dataset: id }
		});
		Ok(())
	}

	pub(crate) fn do_set_agent(
		who: T::AccountId,
		id: DatasetId,
		agent: Option<T::AccountId>,
	) -> DispatchResult {
		let mut d = Self::owned_dataset(&who, id)?;
		d.agent = agent.clone();
		// The record grows or shrinks by an account id: its deposit follows.
		let deposit = Self::dataset_deposit(&d)?;
		if deposit > d.deposit {
			let more = deposit.saturating_sub(d.deposit);
			Self::ensure_can_hold(&who, more)?;
			Self::hold(HoldReason::StorageDeposit, &who, more)?;
		} else {
			Self::release(HoldReason::StorageDeposit, &who, d.deposit.saturating_sub(deposit));
		}
		d.deposit = deposit;
		Datasets::<T>::insert(id, d);
		Self::deposit_event(Event::AgentSet { dataset: id, agent });
		Ok(())
	}

	// ---------------------------------------------------------------- delivery keys

	pub(crate) fn do_set_delivery_key(who: T::AccountId, key: DeliveryKey) -> DispatchResult {
		let deposit = match DeliveryKeys::<T>::get(&who) {
			Some((_, deposit)) => deposit,
			None => {
				let deposit = T::KeyDeposit::get();
				Self::ensure_can_hold(&who, deposit)?;
				Self::hold(HoldReason::StorageDeposit, &who, deposit)?;
				deposit
			},
		};
		DeliveryKeys::<T>::insert(&who, (key, deposit));
		Self::deposit_event(Event::DeliveryKeySet { who, key });
		Ok(())
	}

	pub(crate) fn do_clear_delivery_key(who: T::AccountId) -> DispatchResult {
		let (_, deposit) = DeliveryKeys::<T>::take(&who).ok_or(Error::<T>::NoDeliveryKey)?;
		Self::release(HoldReason::StorageDeposit, &who, deposit);
		Self::deposit_event(Event::DeliveryKeyCleared { who });
		Ok(())
	}

	// ---------------------------------------------------------------- purchases

	pub(crate) fn do_buy_access(
		who: T::AccountId,
		id: DatasetId,
		max_price: BalanceOf<T>,
	) -> DispatchResult {
		let mut d = Self::dataset(id)?;
		ensure!(d.listed, Error::<T>::DatasetNotListed);
		ensure!(d.owner != who, Error::<T>::SelfPurchase);
		if let Some(access) = Accesses::<T>::get(&who, id) {
			return Err(if access.granted() {
				Error::<T>::AlreadyHasAccess
			} else {
				Error::<T>::PurchasePending
			}
			.into());
		}
		let price = d.listing.price;
		ensure!(price <= max_price, Error::<T>::PriceAboveLimit);
		let (buyer_key, _) = DeliveryKeys::<T>::get(&who).ok_or(Error::<T>::NoDeliveryKey)?;
		let deposit = T::AccessDeposit::get();
		Self::ensure_can_hold(&who, price.checked_add(&deposit).ok_or(Error::<T>::Overflow)?)?;
		let purchase = NextPurchaseId::<T>::get();
		let next = purchase.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
		d.open_purchases = d.open_purchases.checked_add(1).ok_or(Error::<T>::Overflow)?;
		Self::hold(HoldReason::PurchaseEscrow, &who, price)?;
		Self::hold(HoldReason::StorageDeposit, &who, deposit)?;
		let until = Self::after(T::DeliveryPeriod::get());
		Purchases::<T>::insert(
			purchase,
			Purchase {
				dataset: id,
				buyer: who.clone(),
				seller: d.owner.clone(),
				price,
				buyer_key,
				state: PurchaseState::AwaitingDelivery { until },
			},
		);
		Accesses::<T>::insert(&who, id, Access { purchase: Some(purchase), since: None, deposit });
		NextPurchaseId::<T>::put(next);
		let seller = d.owner.clone();
		Datasets::<T>::insert(id, d);
		Self::deposit_event(Event::AccessBought {
			purchase,
			dataset: id,
			buyer: who,
			seller,
			price,
			deliver_by: until,
		});
		Ok(())
	}

	pub(crate) fn do_deliver_key(
		who: T::AccountId,
		id: PurchaseId,
		sealed_key: SealedKeyOf<T>,
	) -> DispatchResult {
		let mut p = Self::purchase(id)?;
		let d = Self::dataset(p.dataset)?;
		ensure!(
			who == d.owner || d.agent.as_ref() == Some(&who) || who == p.seller,
			Error::<T>::NotSellerOrAgent
		);
		let PurchaseState::AwaitingDelivery { until } = p.state else {
			return Err(Error::<T>::AlreadyDelivered.into());
		};
		ensure!(Self::now() <= until, Error::<T>::DeliveryPeriodOver);
		// The length bound (`MaxSealedKeyLen`) is in the type: a longer key does not decode.
		ensure!(!sealed_key.is_empty(), Error::<T>::EmptySealedKey);
		T::Currency::transfer_on_hold(
			&HoldReason::PurchaseEscrow.into(),
			&p.buyer,
			&p.seller,
			p.price,
			Precision::Exact,
			Restriction::OnHold,
			Fortitude::Force,
		)?;
		let dispute_until = Self::after(T::DisputePeriod::get());
		p.state = PurchaseState::Delivered { sealed_key: sealed_key.clone(), dispute_until };
		let now = Self::now();
		Accesses::<T>::mutate(&p.buyer, p.dataset, |a| match a {
			Some(a) => a.since = Some(now),
			None => {
				defensive!("an open purchase has an access record");
			},
		});
		Self::deposit_event(Event::KeyDelivered {
			purchase: id,
			dataset: p.dataset,
			buyer: p.buyer.clone(),
			sealed_key,
			dispute_until,
		});
		Purchases::<T>::insert(id, p);
		Ok(())
	}

	/// Remove a finished purchase from its dataset's count.
	fn close_purchase(id: PurchaseId, p: &Purchase<T>) {
		Purchases::<T>::remove(id);
		Datasets::<T>::mutate(p.dataset, |d| match d {
			Some(d) => d.open_purchases = d.open_purchases.saturating_sub(1),
			None => {
				defensive!("a purchase's dataset exists");
			},
		});
	}

	/// Withdraw the buyer's access record of a refunded purchase and release its deposit.
	fn remove_access(p: &Purchase<T>) {
		match Accesses::<T>::take(&p.buyer, p.dataset) {
			Some(a) => Self::release(HoldReason::StorageDeposit, &p.buyer, a.deposit),
			None => {
				defensive!("an open purchase has an access record");
			},
		}
	}

	pub(crate) fn do_reclaim(who: T::AccountId, id: PurchaseId) -> DispatchResult {
		let p = Self::purchase(id)?;
		ensure!(p.buyer == who, Error::<T>::NotBuyer);
		let PurchaseState::AwaitingDelivery { until } = p.state else {
			return Err(Error::<T>::AlreadyDelivered.into());
		};
		ensure!(Self::now() > until, Error::<T>::DeliveryPeriodNotOver);
		Self::release(HoldReason::PurchaseEscrow, &who, p.price);
		Self::remove_access(&p);
		Self::close_purchase(id, &p);
		Self::seller_record(&p.seller, |r| {
			r.missed_deliveries = r.missed_deliveries.saturating_add(1)
		});
		Self::deposit_event(Event::PurchaseReclaimed {
			purchase: id,
			dataset: p.dataset,
			buyer: who,
			amount: p.price,
		});
		Ok(())
	}

	pub(crate) fn do_dispute(
		who: T::AccountId,
		id: PurchaseId,
		bond: BalanceOf<T>,
	) -> DispatchResult {
		let mut p = Self::purchase(id)?;
		ensure!(p.buyer == who, Error::<T>::NotBuyer);
		let (sealed_key, dispute_until) = match p.state {
			PurchaseState::AwaitingDelivery { .. } => return Err(Error::<T>::NotDelivered.into()),
			PurchaseState::Disputed { .. } => return Err(Error::<T>::PurchaseDisputed.into()),
			PurchaseState::Delivered { ref sealed_key, dispute_until } => {
				(sealed_key.clone(), dispute_until)
			},
		};
		ensure!(Self::now() <= dispute_until, Error::<T>::DisputePeriodOver);
		ensure!(bond >= T::MinDisputeBond::get(), Error::<T>::BondTooLow);
		Self::ensure_can_hold(&who, bond)?;
		Self::hold(HoldReason::DisputeBond, &who, bond)?;
		p.state = PurchaseState::Disputed { sealed_key, bond };
		Purchases::<T>::insert(id, p);
		Self::deposit_event(Event::PurchaseDisputed { purchase: id, buyer: who, bond });
		Ok(())
	}

	pub(crate) fn do_resolve_dispute(id: PurchaseId, buyer_won: bool) -> DispatchResult {
		let p = Self::purchase(id)?;
		let PurchaseState::Disputed { bond, .. } = p.state else {
			return Err(Error::<T>::NotDisputed.into());
		};
		if buyer_won {
			T::Currency::transfer_on_hold(
				&HoldReason::PurchaseEscrow.into(),
				&p.seller,
				&p.buyer,
				p.price,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
			Self::release(HoldReason::DisputeBond, &p.buyer, bond);
			Self::remove_access(&p);
			Self::close_purchase(id, &p);
			Self::seller_record(&p.seller, |r| r.disputes_lost = r.disputes_lost.saturating_add(1));
			Self::deposit_event(Event::DisputeResolved {
				purchase: id,
				buyer_won,
				slashed: Zero::zero(),
			});
		} else {
			Self::slash_to(HoldReason::DisputeBond, &p.buyer, bond, &p.seller);
			Self::deposit_event(Event::DisputeResolved { purchase: id, buyer_won, slashed: bond });
			Self::finish_sale(id, p);
		}
		Ok(())
	}

	/// Pay a delivered purchase's seller (price minus fee) and close the purchase.
	fn finish_sale(id: PurchaseId, p: Purchase<T>) {
		let fee = T::ProtocolFee::get().mul_ceil(p.price);
		let credit = Self::slash(HoldReason::PurchaseEscrow, &p.seller, fee);
		let fee = credit.peek();
		Self::distribute_fee(p.dataset, credit);
		let amount = p.price.saturating_sub(fee);
		Self::release(HoldReason::PurchaseEscrow, &p.seller, amount);
		Accesses::<T>::mutate(&p.buyer, p.dataset, |a| match a {
			Some(a) => a.purchase = None,
			None => {
				defensive!("an open purchase has an access record");
			},
		});
		Self::close_purchase(id, &p);
		Datasets::<T>::mutate(p.dataset, |d| {
			if let Some(d) = d {
				d.sales = d.sales.saturating_add(1);
			}
		});
		Self::seller_record(&p.seller, |r| r.sales = r.sales.saturating_add(1));
		Self::deposit_event(Event::SaleCompleted {
			purchase: id,
			dataset: p.dataset,
			seller: p.seller,
			amount,
			fee,
		});
	}

	pub(crate) fn do_complete_sale(id: PurchaseId) -> DispatchResult {
		let p = Self::purchase(id)?;
		match p.state {
			PurchaseState::AwaitingDelivery { .. } => Err(Error::<T>::NotDelivered.into()),
			PurchaseState::Disputed { .. } => Err(Error::<T>::PurchaseDisputed.into()),
			PurchaseState::Delivered { dispute_until, .. } => {
				ensure!(Self::now() > dispute_until, Error::<T>::DisputePeriodNotOver);
				Self::finish_sale(id, p);
				Ok(())
			},
		}
	}

	pub(crate) fn do_relinquish_access(who: T::AccountId, id: DatasetId) -> DispatchResult {
		let access = Accesses::<T>::get(&who, id).ok_or(Error::<T>::NoAccess)?;
		ensure!(access.purchase.is_none(), Error::<T>::AccessInUse);
		Accesses::<T>::remove(&who, id);
		Self::release(HoldReason::StorageDeposit, &who, access.deposit);
		Self::deposit_event(Event::AccessRelinquished { dataset: id, who });
		Ok(())
	}

	// ---------------------------------------------------------------- validation

	fn set_validation(id: DatasetId, kind: ClaimKind, state: ValidationState) {
		Datasets::<T>::mutate(id, |d| match d {
			Some(d) => d.validation.set(kind, state),
			None => {
				defensive!("a claim's dataset exists");
			},
		});
	}

	pub(crate) fn do_submit_claim(
		who: T::AccountId,
		id: DatasetId,
		kind: ClaimKind,
		stake: BalanceOf<T>,
	) -> DispatchResult {
		let d = Self::dataset(id)?;
		ensure!(d.owner != who, Error::<T>::OwnerCannotCurate);
		ensure!(!Claims::<T>::contains_key(id, kind), Error::<T>::ClaimOpen);
		ensure!(d.validation.get(kind) != ValidationState::Validated, Error::<T>::AlreadyValidated);
		ensure!(stake >= T::MinClaimStake::get(), Error::<T>::StakeTooLow);
		Self::ensure_can_hold(&who, stake)?;
		Self::hold(HoldReason::ClaimStake, &who, stake)?;
		let until = Self::after(T::ClaimPeriod::get());
		Claims::<T>::insert(
			id,
			kind,
			Claim {
				curator: who.clone(),
				stake,
				until,
				counter: None,
				previous: d.validation.get(kind),
			},
		);
		Self::set_validation(id, kind, ValidationState::Pending);
		Self::deposit_event(Event::ClaimSubmitted {
			dataset: id,
			kind,
			curator: who,
			stake,
			until,
		});
		Ok(())
	}

	pub(crate) fn do_counter_claim(
		who: T::AccountId,
		id: DatasetId,
		kind: ClaimKind,
		bond: BalanceOf<T>,
	) -> DispatchResult {
		let d = Self::dataset(id)?;
		let mut claim = Claims::<T>::get(id, kind).ok_or(Error::<T>::UnknownClaim)?;
		ensure!(claim.curator != who, Error::<T>::SelfCounter);
		ensure!(d.owner != who, Error::<T>::OwnerCannotCurate);
		ensure!(claim.counter.is_none(), Error::<T>::AlreadyCountered);
		ensure!(Self::now() <= claim.until, Error::<T>::ClaimPeriodOver);
		ensure!(bond >= claim.stake, Error::<T>::CounterBondTooLow);
		Self::ensure_can_hold(&who, bond)?;
		Self::hold(HoldReason::ClaimStake, &who, bond)?;
		claim.counter = Some((who.clone(), bond));
		Claims::<T>::insert(id, kind, claim);
		Self::set_validation(id, kind, ValidationState::Contested);
		Self::deposit_event(Event::ClaimCountered { dataset: id, kind, challenger: who, bond });
		Ok(())
	}

	/// Pay `curator` the reward for a claim about `dataset` that stands, from the pot:
	/// `CuratorReward`, at most the dataset's curation fund (what its own sales and uses paid
	/// into the pot and no curator has been paid yet) and at most what the pot can pay and stay
	/// alive. What is paid is taken out of the fund; returns it.
	fn reward_curator(dataset: DatasetId, curator: &T::AccountId) -> BalanceOf<T> {
		let fund = CurationFunds::<T>::get(dataset);
		if fund.is_zero() {
			return Zero::zero();
		}
		let pot = Self::pot();
		let available =
			T::Currency::reducible_balance(&pot, Preservation::Preserve, Fortitude::Polite);
		let reward = T::CuratorReward::get().min(fund).min(available);
		if reward.is_zero() {
			return reward;
		}
		if T::Currency::transfer(&pot, curator, reward, Preservation::Preserve).is_err() {
			return Zero::zero();
		}
		let rest = fund.saturating_sub(reward);
		if rest.is_zero() {
			CurationFunds::<T>::remove(dataset);
		} else {
			CurationFunds::<T>::insert(dataset, rest);
		}
		reward
	}

	pub(crate) fn do_conclude_claim(id: DatasetId, kind: ClaimKind) -> DispatchResult {
		let claim = Claims::<T>::get(id, kind).ok_or(Error::<T>::UnknownClaim)?;
		ensure!(claim.counter.is_none(), Error::<T>::ClaimContested);
		ensure!(Self::now() > claim.until, Error::<T>::ClaimPeriodNotOver);
		Claims::<T>::remove(id, kind);
		Self::release(HoldReason::ClaimStake, &claim.curator, claim.stake);
		let reward = Self::reward_curator(id, &claim.curator);
		Self::set_validation(id, kind, ValidationState::Validated);
		Self::deposit_event(Event::ClaimResolved {
			dataset: id,
			kind,
			state: ValidationState::Validated,
			winner: claim.curator,
			reward,
		});
		Ok(())
	}

	pub(crate) fn do_resolve_claim(id: DatasetId, kind: ClaimKind, upheld: bool) -> DispatchResult {
		let claim = Claims::<T>::get(id, kind).ok_or(Error::<T>::UnknownClaim)?;
		let (challenger, bond) = claim.counter.clone().ok_or(Error::<T>::NotCountered)?;
		Claims::<T>::remove(id, kind);
		let (state, winner, reward) = if upheld {
			Self::release(HoldReason::ClaimStake, &claim.curator, claim.stake);
			let share = Self::slash_to(HoldReason::ClaimStake, &challenger, bond, &claim.curator);
			let pot_reward = Self::reward_curator(id, &claim.curator);
			(ValidationState::Validated, claim.curator, share.saturating_add(pot_reward))
		} else {
			Self::release(HoldReason::ClaimStake, &challenger, bond);
			let share =
				Self::slash_to(HoldReason::ClaimStake, &claim.curator, claim.stake, &challenger);
			(ValidationState::Refuted, challenger, share)
		};
		Self::set_validation(id, kind, state);
		Self::deposit_event(Event::ClaimResolved { dataset: id, kind, state, winner, reward });
		Ok(())
	}

	// ---------------------------------------------------------------- compute glue

	pub(crate) fn do_begin_use(
		job: JobId,
		who: &T::AccountId,
		ids: &[DatasetId],
	) -> DispatchResult {
		if ids.is_empty() {
			return Ok(());
		}
		ensure!(!JobUses::<T>::contains_key(job), Error::<T>::JobAlreadyRecorded);
		ensure!(ids.len() <= T::MaxDatasetsPerJob::get() as usize, Error::<T>::TooManyDatasets);
		let mut seen = BTreeSet::new();
		let mut charges = BoundedVec::<Charge<T>, T::MaxDatasetsPerJob>::new();
		let mut total = BalanceOf::<T>::zero();
		for id in ids {
			ensure!(seen.insert(*id), Error::<T>::DuplicateDataset);
			let d = Self::dataset(*id)?;
			let amount = if d.owner == *who {
				Zero::zero()
			} else if Accesses::<T>::get(who, id)
				.is_some_and(|a| a.granted() && a.purchase.is_none())
			{
				d.listing.royalty
			} else {
				ensure!(d.listed, Error::<T>::DatasetNotListed);
				d.listing.royalty.checked_add(&d.listing.price).ok_or(Error::<T>::Overflow)?
			};
			total = total.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			charges
				.try_push(Charge { dataset: *id, owner: d.owner, amount })
				.map_err(|_| Error::<T>::TooManyDatasets)?;
		}
		let deposit = T::UseDeposit::get();
		Self::ensure_can_hold(who, total.checked_add(&deposit).ok_or(Error::<T>::Overflow)?)?;
		Self::hold(HoldReason::UseEscrow, who, total)?;
		Self::hold(HoldReason::StorageDeposit, who, deposit)?;
		JobUses::<T>::insert(
			job,
			JobUse { user: who.clone(), charges, deposit, state: UseState::Running },
		);
		Self::deposit_event(Event::DatasetUseStarted { job, user: who.clone(), charged: total });
		Ok(())
	}

	pub(crate) fn do_job_settled(job: JobId, output_hash: H256) {
		let Some(mut record) = JobUses::<T>::get(job) else { return };
		if record.state != UseState::Running {
			defensive!("a job settles once");
			return;
		}
		for charge in record.charges.iter() {
			if charge.amount.is_zero() {
				continue;
			}
			let fee = T::ProtocolFee::get().mul_ceil(charge.amount);
			let net = charge.amount.saturating_sub(fee);
			let fee_credit = Self::slash(HoldReason::UseEscrow, &record.user, fee);
			let fee = fee_credit.peek();
			Self::distribute_fee(charge.dataset, fee_credit);
			let paid = T::Currency::transfer_on_hold(
				&HoldReason::UseEscrow.into(),
				&record.user,
				&charge.owner,
				net,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			);
			if paid.is_err() {
				// The owner's account cannot receive it (it would stay below the existential
				// deposit): the payment goes to `OnSlash` rather than being lost.
				let credit = Self::slash(HoldReason::UseEscrow, &record.user, net);
				T::OnSlash::on_unbalanced(credit);
			}
			Self::deposit_event(Event::RoyaltyPaid {
				job,
				dataset: charge.dataset,
				owner: charge.owner.clone(),
				amount: if paid.is_ok() { net } else { Zero::zero() },
				fee,
			});
		}
		record.state = UseState::Settled(output_hash);
		JobUses::<T>::insert(job, record);
	}

	pub(crate) fn do_job_refunded(job: JobId) {
		let Some(record) = JobUses::<T>::take(job) else { return };
		if record.state != UseState::Running {
			defensive!("only a running job is refunded");
			JobUses::<T>::insert(job, record);
			return;
		}
		let total = record.total();
		Self::release(HoldReason::UseEscrow, &record.user, total);
		Self::release(HoldReason::StorageDeposit, &record.user, record.deposit);
		Self::deposit_event(Event::DatasetUseRefunded { job, user: record.user, amount: total });
	}

	fn settled_use(who: &T::AccountId, job: JobId) -> Result<(JobUse<T>, H256), DispatchError> {
		let record = JobUses::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		ensure!(record.user == *who, Error::<T>::NotJobOwner);
		let UseState::Settled(output) = record.state else {
			return Err(Error::<T>::JobNotSettled.into());
		};
		Ok((record, output))
	}

	pub(crate) fn do_register_derived(
		who: T::AccountId,
		job: JobId,
		listing: Listing<T>,
	) -> DispatchResult {
		let (record, output) = Self::settled_use(&who, job)?;
		let parents: ParentsOf<T> = record
			.charges
			.iter()
			.map(|c| c.dataset)
			.collect::<Vec<_>>()
			.try_into()
			.map_err(|_| Error::<T>::TooManyDatasets)?;
		// The record's deposit is released first, so it can pay towards the listing's; a failed
		// listing reverts both (dispatchables are transactional).
		JobUses::<T>::remove(job);
		Self::release(HoldReason::StorageDeposit, &who, record.deposit);
		Self::do_list_dataset(who, listing, parents, Some((job, output)))?;
		Ok(())
	}

	pub(crate) fn do_release_job_record(who: T::AccountId, job: JobId) -> DispatchResult {
		let (record, _) = Self::settled_use(&who, job)?;
		JobUses::<T>::remove(job);
		Self::release(HoldReason::StorageDeposit, &who, record.deposit);
		Self::deposit_event(Event::JobRecordReleased { job, user: who });
		Ok(())
	}

	// ---------------------------------------------------------------- config

	pub(crate) fn check_config() {
		assert!(
			T::MaxParents::get() >= T::MaxDatasetsPerJob::get(),
			"a derived dataset's parents are its job's datasets: MaxParents >= MaxDatasetsPerJob"
		);
		assert!(T::MaxSealedKeyLen::get() as usize >= airtime_primitives::data::SEALED_KEY_LEN);
		assert!(T::MaxLineageNodes::get() > 0 && T::MaxSearchScan::get() > 0);
		assert!(!T::DeliveryPeriod::get().is_zero(), "sellers need time to deliver");
		assert!(!T::DisputePeriod::get().is_zero(), "buyers need time to check a key");
		assert!(!T::ClaimPeriod::get().is_zero(), "claims need a window to be countered");
		assert!(T::FeeToCurators::get() <= Perbill::one());
	}

	// ---------------------------------------------------------------- views

	fn to_view(id: DatasetId, d: Dataset<T>) -> DatasetView<T::AccountId, BalanceOf<T>> {
		DatasetView {
			id,
			owner: d.owner,
			agent: d.agent,
			root_hash: d.listing.root_hash,
			size: d.listing.size,
			chunk_count: d.listing.chunk_count,
			license: d.listing.license,
			license_uri: d.listing.license_uri,
			price: d.listing.price,
			royalty: d.listing.royalty,
			metadata_hash: d.listing.metadata_hash,
			listed: d.listed,
			parents: d.parents.into_inner(),
			source_job: d.source_job,
			validation: d.validation,
			sales: d.sales,
		}
	}

	/// A dataset as the runtime API returns it.
	pub fn dataset_view(id: DatasetId) -> Option<DatasetView<T::AccountId, BalanceOf<T>>> {
		Datasets::<T>::get(id).map(|d| Self::to_view(id, d))
	}

	fn matches(d: &Dataset<T>, f: &DatasetFilter<BalanceOf<T>>) -> bool {
		f.license.is_none_or(|l| l == d.listing.license)
			&& f.max_price.is_none_or(|p| d.listing.price <= p)
			&& f.validation.is_none_or(|(kind, state)| d.validation.get(kind) == state)
			&& (!f.listed_only || d.listed)
	}

	/// Up to `limit` matching datasets after `start_after`, reading at most `MaxSearchScan`
	/// records, and the last id read (to continue from) when the scan stopped early.
	pub fn search(
		filter: DatasetFilter<BalanceOf<T>>,
		start_after: Option<DatasetId>,
		limit: u32,
	) -> SearchPageOf<T> {
		let mut found = Vec::new();
		if limit == 0 {
			return (found, start_after);
		}
		let first = match start_after {
			Some(id) => match id.checked_add(1) {
				Some(first) => first,
				None => return (found, None),
			},
			None => 0,
		};
		let end = NextDatasetId::<T>::get();
		let mut id = first;
		let mut scanned = 0u32;
		while id < end && (found.len() as u32) < limit {
			if scanned >= T::MaxSearchScan::get() {
				return (found, id.checked_sub(1));
			}
			scanned = scanned.saturating_add(1);
			if let Some(d) = Datasets::<T>::get(id) {
				if Self::matches(&d, &filter) {
					found.push(Self::to_view(id, d));
				}
			}
			id = id.saturating_add(1);
		}
		let more = if id < end { id.checked_sub(1) } else { None };
		(found, more)
	}

	/// The datasets `who` has access to or an open purchase of (at most `MaxSearchScan`).
	pub fn grants(who: &T::AccountId) -> Vec<GrantView<BlockNumberFor<T>>> {
		Accesses::<T>::iter_prefix(who)
			.take(T::MaxSearchScan::get() as usize)
			.map(|(dataset, a)| GrantView { dataset, purchase: a.purchase, since: a.since })
			.collect()
	}

	/// An open purchase as the runtime API returns it.
	pub fn purchase_view(
		id: PurchaseId,
	) -> Option<PurchaseView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Purchases::<T>::get(id).map(|p| {
			let (phase, sealed_key) = match p.state {
				PurchaseState::AwaitingDelivery { until } => {
					(PurchasePhase::AwaitingDelivery(until), None)
				},
				PurchaseState::Delivered { sealed_key, dispute_until } => {
					(PurchasePhase::Delivered(dispute_until), Some(sealed_key.into_inner()))
				},
				PurchaseState::Disputed { sealed_key, .. } => {
					(PurchasePhase::Disputed, Some(sealed_key.into_inner()))
				},
			};
			PurchaseView {
				id,
				dataset: p.dataset,
				buyer: p.buyer,
				seller: p.seller,
				price: p.price,
				buyer_key: p.buyer_key,
				sealed_key,
				phase,
			}
		})
	}

	/// The ancestors of `id`, breadth first, up to `depth` generations and `MaxLineageNodes`.
	pub fn lineage(id: DatasetId, depth: u32) -> Vec<LineageNode> {
		let mut out = Vec::new();
		let mut seen = BTreeSet::new();
		let mut queue = VecDeque::from([(id, 0u32)]);
		let max = T::MaxLineageNodes::get() as usize;
		while let Some((id, level)) = queue.pop_front() {
			if out.len() >= max {
				break;
			}
			if !seen.insert(id) {
				continue;
			}
			let Some(d) = Datasets::<T>::get(id) else { continue };
			if level < depth {
				for parent in d.parents.iter() {
					queue.push_back((*parent, level.saturating_add(1)));
				}
			}
			out.push(LineageNode {
				dataset: id,
				depth: level,
				parents: d.parents.into_inner(),
				source_job: d.source_job.map(|(job, _)| job),
			});
		}
		out
	}

	// ---------------------------------------------------------------- invariants

	/// The amounts each account should hold, per reason, according to the records:
	/// `[escrow, dispute bonds, claim stakes, use escrow, deposits]`.
	pub fn expected_holds() -> BTreeMap<T::AccountId, [BalanceOf<T>; 5]> {
		let mut m: BTreeMap<T::AccountId, [BalanceOf<T>; 5]> = BTreeMap::new();
		let mut add = |who: &T::AccountId, i: usize, amount: BalanceOf<T>| {
			let e = m.entry(who.clone()).or_insert_with(|| [Zero::zero(); 5]);
			if let Some(slot) = e.get_mut(i) {
				*slot = slot.saturating_add(amount);
			}
		};
		for (_, d) in Datasets::<T>::iter() {
			add(&d.owner, 4, d.deposit);
		}
		for (who, (_, deposit)) in DeliveryKeys::<T>::iter() {
			add(&who, 4, deposit);
		}
		for (who, _, a) in Accesses::<T>::iter() {
			add(&who, 4, a.deposit);
		}
		for (_, p) in Purchases::<T>::iter() {
			match p.state {
				PurchaseState::AwaitingDelivery { .. } => add(&p.buyer, 0, p.price),
				PurchaseState::Delivered { .. } => add(&p.seller, 0, p.price),
				PurchaseState::Disputed { bond, .. } => {
					add(&p.seller, 0, p.price);
					add(&p.buyer, 1, bond);
				},
			}
		}
		for (_, _, c) in Claims::<T>::iter() {
			add(&c.curator, 2, c.stake);
			if let Some((who, bond)) = c.counter {
				add(&who, 2, bond);
			}
		}
		for (_, u) in JobUses::<T>::iter() {
			if u.state == UseState::Running {
				add(&u.user, 3, u.total());
			}
			add(&u.user, 4, u.deposit);
		}
		m
	}

	/// Invariants: every hold of this pallet equals what the records account for; purchases,
	/// accesses and datasets agree; the lineage graph points only to older datasets; curation
	/// funds belong to datasets, are never zero and together fit in the pot.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let reasons = [
			HoldReason::PurchaseEscrow,
			HoldReason::DisputeBond,
			HoldReason::ClaimStake,
			HoldReason::UseEscrow,
			HoldReason::StorageDeposit,
		];
		let expected = Self::expected_holds();
		for (who, amounts) in expected.iter() {
			for (reason, amount) in reasons.iter().zip(amounts.iter()) {
				let held = T::Currency::balance_on_hold(&(*reason).into(), who);
				ensure!(held == *amount, "a hold differs from what the records account for");
			}
		}
		let next = NextDatasetId::<T>::get();
		let mut open = BTreeMap::<DatasetId, u32>::new();
		for (id, p) in Purchases::<T>::iter() {
			ensure!(id < NextPurchaseId::<T>::get(), "a purchase id is not allocated");
			let e = open.entry(p.dataset).or_default();
			*e = e.saturating_add(1);
			let access = Accesses::<T>::get(&p.buyer, p.dataset)
				.ok_or("an open purchase has no access record")?;
			ensure!(access.purchase == Some(id), "an access record does not name its purchase");
			let delivered = !matches!(p.state, PurchaseState::AwaitingDelivery { .. });
			ensure!(access.granted() == delivered, "access is granted exactly on delivery");
		}
		for (who, dataset, a) in Accesses::<T>::iter() {
			ensure!(Datasets::<T>::contains_key(dataset), "access to an unknown dataset");
			match a.purchase {
				Some(id) => ensure!(
					Purchases::<T>::get(id).is_some_and(|p| p.buyer == who && p.dataset == dataset),
					"an access record names a purchase that is not its own"
				),
				None => ensure!(a.granted(), "a closed access record without delivery"),
			}
		}
		let mut count = 0u64;
		for (id, d) in Datasets::<T>::iter() {
			count = count.saturating_add(1);
			ensure!(id < next, "a dataset id is not allocated");
			ensure!(
				open.get(&id).copied().unwrap_or_default() == d.open_purchases,
				"a dataset's open purchase count is wrong"
			);
			let mut parents = BTreeSet::new();
			for parent in d.parents.iter() {
				ensure!(*parent < id, "a parent is not older than its child (cycle possible)");
				ensure!(Datasets::<T>::contains_key(parent), "a parent does not exist");
				ensure!(parents.insert(*parent), "a parent appears twice");
			}
			ensure!(Sellers::<T>::contains_key(&d.owner), "a dataset owner has no seller record");
			for kind in [ClaimKind::RootHash, ClaimKind::Schema, ClaimKind::License] {
				let state = d.validation.get(kind);
				match Claims::<T>::get(id, kind) {
					Some(c) => ensure!(
						state
							== if c.counter.is_some() {
								ValidationState::Contested
							} else {
								ValidationState::Pending
							},
						"a dataset's validation state disagrees with its open claim"
					),
					None => ensure!(
						!matches!(state, ValidationState::Pending | ValidationState::Contested),
						"a dataset is pending validation without a claim"
					),
				}
			}
		}
		ensure!(count == next, "dataset records are never removed");
		for (id, _, _) in Claims::<T>::iter() {
			ensure!(Datasets::<T>::contains_key(id), "a claim about an unknown dataset");
		}
		for (_, u) in JobUses::<T>::iter() {
			ensure!(!u.charges.is_empty(), "a job-use record without datasets");
		}
		let mut funds = BalanceOf::<T>::zero();
		for (id, fund) in CurationFunds::<T>::iter() {
			ensure!(Datasets::<T>::contains_key(id), "a curation fund of an unknown dataset");
			ensure!(!fund.is_zero(), "an empty curation fund is stored");
			funds = funds.checked_add(&fund).ok_or("the curation funds overflow")?;
		}
		ensure!(
			funds <= T::Currency::total_balance(&Self::pot()),
			"the curation funds exceed the curator pot"
		);
		Ok(())
	}
}

impl<T: Config> DatasetUsage<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn begin_use(job: JobId, who: &T::AccountId, datasets: &[DatasetId]) -> DispatchResult {
		Self::do_begin_use(job, who, datasets)
	}

	fn job_settled(job: JobId, output_hash: H256) {
		Self::do_job_settled(job, output_hash)
	}

	fn job_refunded(job: JobId) {
		Self::do_job_refunded(job)
	}

	fn begin_use_weight(datasets: u32) -> Weight {
		T::WeightInfo::begin_use(datasets)
	}

	fn end_use_weight(datasets: u32) -> Weight {
		T::WeightInfo::job_settled(datasets).max(T::WeightInfo::job_refunded(datasets))
	}
}
