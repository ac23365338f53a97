//! The pallet's logic: `do_*` helpers behind the thin dispatchables, the read-only views of the
//! runtime API and the `try_state` invariants.

use crate::{pallet::*, types::*, ChannelId, ServiceId, SignatureCost, TierLevel, WeightInfo};
use airtime_primitives::{
	credits::{BudgetView, CallEligibility, ChannelView, ServiceView, TierView, Voucher},
	holds,
};
use alloc::{collections::BTreeMap, vec::Vec};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, InspectFreeze, MutateFreeze, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
		OnUnbalanced,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::traits::{CheckedAdd, CheckedSub, Saturating, UniqueSaturatedInto, Zero};

impl<T: Config> Pallet<T> {
	// ---------------------------------------------------------------- helpers

	fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// The chain's genesis hash, as vouchers carry it.
	pub fn genesis_hash() -> H256 {
		let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		H256::from_slice(hash.as_ref())
	}

	/// What `who` has frozen for tiers.
	fn tier_frozen(who: &T::AccountId) -> BalanceOf<T> {
		T::Currency::balance_frozen(&FreezeReason::TierLock.into(), who)
	}

	/// Hold `amount` on `who` for `reason`, leaving its free balance able to back its tier lock
	/// (and its account alive).
	fn hold(who: &T::AccountId, reason: HoldReason, amount: BalanceOf<T>) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		ensure!(holds::can_hold::<T::Currency, _>(who, amount), Error::<T>::InsufficientBalance);
		let free_after = T::Currency::balance(who)
			.checked_sub(&amount)
			.ok_or(Error::<T>::InsufficientBalance)?;
		ensure!(free_after >= Self::tier_frozen(who), Error::<T>::InsufficientBalance);
		T::Currency::hold(&reason.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Ok(())
	}

	fn release(who: &T::AccountId, reason: HoldReason, amount: BalanceOf<T>) {
		holds::release_exact::<T::Currency, _>(&reason.into(), who, amount)
	}

	fn service_of(id: ServiceId) -> Result<Service<T>, DispatchError> {
		Ok(Services::<T>::get(id).ok_or(Error::<T>::UnknownService)?)
	}

	fn channel_of(id: ChannelId) -> Result<Channel<T>, DispatchError> {
		Ok(Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?)
	}

	fn ensure_party(who: &T::AccountId, channel: &Channel<T>) -> DispatchResult {
		ensure!(*who == channel.payer || *who == channel.signer, Error::<T>::NotChannelParty);
		Ok(())
	}

	fn ensure_expiry_in_range(expiry: BlockNumberFor<T>) -> DispatchResult {
		let now = Self::now();
		let earliest = now.saturating_add(T::MinChannelDuration::get());
		let latest = now.saturating_add(T::MaxChannelDuration::get());
		ensure!(expiry >= earliest && expiry <= latest, Error::<T>::ExpiryOutOfRange);
		Ok(())
	}

	/// Count `amount` against `who`'s ceiling for the current period (rolled over if it ended).
	/// Writes nothing on failure.
	fn charge_budget(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let Some(mut budget) = Budgets::<T>::get(who) else { return Ok(()) };
		Self::roll_budget(&mut budget);
		let spent = budget.spent.checked_add(&amount).ok_or(Error::<T>::BudgetExceeded)?;
		ensure!(spent <= budget.limit, Error::<T>::BudgetExceeded);
		budget.spent = spent;
		Budgets::<T>::insert(who, budget);
		Ok(())
	}

	/// Start a new period if the current one has ended.
	fn roll_budget(budget: &mut Budget<T>) {
		let now = Self::now();
		if now >= budget.period_start.saturating_add(budget.period) {
			budget.period_start = now;
			budget.spent = Zero::zero();
		}
	}

	/// Draw `amount` (and a channel, if `new_channel`) from `owner`'s allowance to `delegate`.
	/// Writes nothing on failure.
	fn charge_allowance(
		owner: &T::AccountId,
		delegate: &T::AccountId,
		amount: BalanceOf<T>,
		new_channel: bool,
	) -> DispatchResult {
		let mut allowance = Allowances::<T>::get(owner, delegate).ok_or(Error::<T>::NoAllowance)?;
		ensure!(Self::now() < allowance.expires, Error::<T>::AllowanceExpired);
		allowance.remaining =
			allowance.remaining.checked_sub(&amount).ok_or(Error::<T>::AllowanceExceeded)?;
		if new_channel {
			allowance.channels_left =
				allowance.channels_left.checked_sub(1).ok_or(Error::<T>::AllowanceChannelsUsed)?;
		}
		Allowances::<T>::insert(owner, delegate, allowance);
		Ok(())
	}

	/// The tier an active lock of `active` reaches under the current table.
	pub fn tier_for(active: BalanceOf<T>) -> TierLevel {
		let reached = Tiers::<T>::get().iter().take_while(|t| t.threshold <= active).count();
		reached.try_into().unwrap_or(TierLevel::MAX)
	}

	/// `who`'s tier: its active lock, counted at most up to its total balance.
	pub fn tier_of(who: &T::AccountId) -> TierLevel {
		let active = TierLocks::<T>::get(who).map(|l| l.active).unwrap_or_default();
		Self::tier_for(active.min(T::Currency::total_balance(who)))
	}

	/// Whether `who` may open channels to `service`.
	pub fn can_call(who: &T::AccountId, service: ServiceId) -> CallEligibility {
		let Some(s) = Services::<T>::get(service) else { return CallEligibility::UnknownService };
		if s.retired {
			return CallEligibility::ServiceRetired;
		}
		let has = Self::tier_of(who);
		if has < s.tier_required {
			return CallEligibility::TierTooLow { has, needs: s.tier_required };
		}
		CallEligibility::Allowed
	}

	/// Check a tier table: names fit, thresholds above zero and strictly increasing.
	pub fn check_tier_table(tiers: &TiersOf<T>) -> DispatchResult {
		let mut last = BalanceOf::<T>::zero();
		for tier in tiers.iter() {
			ensure!(tier.threshold > last, Error::<T>::BadTierTable);
			last = tier.threshold;
		}
		Ok(())
	}

	/// Build a tier table from names and thresholds (the genesis config's form).
	pub fn tier_table(tiers: Vec<(Vec<u8>, BalanceOf<T>)>) -> Result<TiersOf<T>, DispatchError> {
		let mut table = TiersOf::<T>::default();
		for (name, threshold) in tiers {
			let name = TierName::try_from(name).map_err(|_| Error::<T>::BadTierTable)?;
			table
				.try_push(TierDefinition { name, threshold })
				.map_err(|_| Error::<T>::TooManyTiers)?;
		}
		Self::check_tier_table(&table)?;
		Ok(table)
	}

	/// Remove a channel's record and indexes, return its rest and deposit to the payer and
	/// remove a retired service whose last channel this was.
	fn remove_channel(id: ChannelId, channel: Channel<T>, cooperative: bool) {
		let refunded = channel.unredeemed();
		Self::release(&channel.payer, HoldReason::ChannelFunds, refunded);
		Self::release(&channel.payer, HoldReason::StorageDeposit, channel.deposit);
		Channels::<T>::remove(id);
		PayerChannels::<T>::remove(&channel.payer, id);
		ServiceChannels::<T>::remove(channel.service, id);
		Self::deposit_event(Event::ChannelClosed {
			channel: id,
			payer: channel.payer.clone(),
			redeemed: channel.redeemed,
			refunded,
			cooperative,
		});
		match Services::<T>::get(channel.service) {
			Some(mut service) => {
				service.open_channels = service.open_channels.saturating_sub(1);
				if service.retired && service.open_channels == 0 {
					Self::remove_service(channel.service, service);
				} else {
					Services::<T>::insert(channel.service, service);
				}
			},
			None => {
				frame_support::defensive!("an open channel's service record is missing");
			},
		}
	}

	fn remove_service(id: ServiceId, service: Service<T>) {
		Self::release(&service.owner, HoldReason::StorageDeposit, service.deposit);
		Services::<T>::remove(id);
		Self::deposit_event(Event::ServiceRemoved { service: id, owner: service.owner });
	}

	/// Check a voucher for `channel` and return the amount it adds to what was redeemed.
	fn check_voucher(
		id: ChannelId,
		channel: &Channel<T>,
		signed: &SignedVoucherOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let Voucher { genesis, channel: voucher_channel, channel_nonce, total } = signed.voucher;
		ensure!(genesis == Self::genesis_hash(), Error::<T>::WrongChain);
		ensure!(voucher_channel == id, Error::<T>::WrongChannel);
		ensure!(channel_nonce == channel.nonce, Error::<T>::WrongNonce);
		ensure!(total <= channel.locked, Error::<T>::VoucherExceedsLock);
		let due = total.checked_sub(&channel.redeemed).unwrap_or_default();
		ensure!(!due.is_zero(), Error::<T>::StaleVoucher);
		ensure!(
			signed.voucher.verify::<T::Signature>(&signed.signature, &channel.signer),
			Error::<T>::BadSignature
		);
		Ok(due)
	}

	/// Pay `due` from the payer's channel hold: the fee to `OnFee`, the rest to `owner`.
	fn pay_out(
		channel: &Channel<T>,
		owner: &T::AccountId,
		due: BalanceOf<T>,
	) -> Result<(BalanceOf<T>, BalanceOf<T>), DispatchError> {
		let fee = T::ProtocolFee::get().mul_floor(due);
		let paid = due.saturating_sub(fee);
		let reason = HoldReason::ChannelFunds.into();
		if !paid.is_zero() {
			T::Currency::transfer_on_hold(
				&reason,
				&channel.payer,
				owner,
				paid,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
		}
		if !fee.is_zero() {
			let credit = holds::slash_exact::<T::Currency, _>(&reason, &channel.payer, fee);
			T::OnFee::on_unbalanced(credit);
		}
		Ok((paid, fee))
	}

	// ---------------------------------------------------------------- weights

	/// The weight of `redeem` with `signed`: a signature that recovers the public key (ECDSA)
	/// is charged `redeem_recovering`, the other schemes (sr25519, ed25519) `redeem`. The
	/// scheme is part of the call's arguments, so the weight is known before dispatch.
	pub fn redeem_weight(signed: &SignedVoucherOf<T>) -> Weight {
		if SignatureCost::recovers_key(&signed.signature) {
			T::WeightInfo::redeem_recovering()
		} else {
			T::WeightInfo::redeem()
		}
	}

	/// The weight of `cooperative_close` with `voucher`: without one, `cooperative_close`;
	/// with one, `cooperative_close_with_voucher` or, for a signature that recovers the public
	/// key (ECDSA), `cooperative_close_with_voucher_recovering`, never below the branch without.
	pub fn cooperative_close_weight(voucher: Option<&SignedVoucherOf<T>>) -> Weight {
		let without = T::WeightInfo::cooperative_close();
		let Some(signed) = voucher else { return without };
		let with_voucher = if SignatureCost::recovers_key(&signed.signature) {
			T::WeightInfo::cooperative_close_with_voucher_recovering()
		} else {
			T::WeightInfo::cooperative_close_with_voucher()
		};
		with_voucher.max(without)
	}

	// ---------------------------------------------------------------- services

	pub(crate) fn do_register_service(
		owner: T::AccountId,
		metadata_hash: H256,
		endpoint_hash: H256,
		price_per_call: BalanceOf<T>,
		tier_required: TierLevel,
	) -> DispatchResult {
		ensure!(!price_per_call.is_zero(), Error::<T>::ZeroPrice);
		ensure!(
			usize::from(tier_required) <= Tiers::<T>::decode_len().unwrap_or_default(),
			Error::<T>::UnknownTier
		);
		let id = NextServiceId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let deposit = T::ServiceDeposit::get();
		Self::hold(&owner, HoldReason::StorageDeposit, deposit)?;
		NextServiceId::<T>::put(next);
		Services::<T>::insert(
			id,
			Service {
				owner: owner.clone(),
				metadata_hash,
				endpoint_hash,
				price_per_call,
				tier_required,
				deposit,
				retired: false,
				open_channels: 0,
			},
		);
		Self::deposit_event(Event::ServiceRegistered {
			service: id,
			owner,
			price_per_call,
			tier_required,
			deposit,
		});
		Ok(())
	}

	pub(crate) fn do_set_service_price(
		who: T::AccountId,
		id: ServiceId,
		price_per_call: BalanceOf<T>,
	) -> DispatchResult {
		let mut service = Self::service_of(id)?;
		ensure!(service.owner == who, Error::<T>::NotServiceOwner);
		ensure!(!service.retired, Error::<T>::ServiceRetired);
		ensure!(!price_per_call.is_zero(), Error::<T>::ZeroPrice);
		service.price_per_call = price_per_call;
		Services::<T>::insert(id, service);
		Self::deposit_event(Event::ServicePriceSet { service: id, price_per_call });
		Ok(())
	}

	pub(crate) fn do_retire_service(who: T::AccountId, id: ServiceId) -> DispatchResult {
		let mut service = Self::service_of(id)?;
		ensure!(service.owner == who, Error::<T>::NotServiceOwner);
		ensure!(!service.retired, Error::<T>::AlreadyRetired);
		service.retired = true;
		Self::deposit_event(Event::ServiceRetired { service: id });
		if service.open_channels == 0 {
			Self::remove_service(id, service);
		} else {
			Services::<T>::insert(id, service);
		}
		Ok(())
	}

	// ---------------------------------------------------------------- channels

	pub(crate) fn do_open_channel(
		payer: T::AccountId,
		signer: T::AccountId,
		service_id: ServiceId,
		amount: BalanceOf<T>,
		expiry: BlockNumberFor<T>,
	) -> DispatchResult {
		let mut service = Self::service_of(service_id)?;
		ensure!(!service.retired, Error::<T>::ServiceRetired);
		ensure!(Self::tier_of(&payer) >= service.tier_required, Error::<T>::TierTooLow);
		ensure!(amount >= service.price_per_call, Error::<T>::AmountBelowPrice);
		Self::ensure_expiry_in_range(expiry)?;
		let id = NextChannelId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		service.open_channels = service.open_channels.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let deposit = T::RecordDeposit::get();
		let total = amount.checked_add(&deposit).ok_or(Error::<T>::Overflow)?;
		ensure!(holds::can_hold::<T::Currency, _>(&payer, total), Error::<T>::InsufficientBalance);

		// Every check that can fail before a write: the ceiling and the allowance (each writes
		// only on success), then the holds, which were checked above.
		frame_support::storage::with_storage_layer(|| -> DispatchResult {
			if signer != payer {
				Self::charge_allowance(&payer, &signer, amount, true)?;
			}
			Self::charge_budget(&payer, amount)?;
			Self::hold(&payer, HoldReason::ChannelFunds, amount)?;
			Self::hold(&payer, HoldReason::StorageDeposit, deposit)?;
			Ok(())
		})?;

		let nonce: u32 = Self::now().unique_saturated_into();
		let price_per_call = service.price_per_call;
		NextChannelId::<T>::put(next);
		Services::<T>::insert(service_id, service);
		Channels::<T>::insert(
			id,
			Channel {
				service: service_id,
				payer: payer.clone(),
				signer: signer.clone(),
				nonce,
				price_per_call,
				locked: amount,
				redeemed: Zero::zero(),
				expiry,
				close_requested: false,
				deposit,
			},
		);
		PayerChannels::<T>::insert(&payer, id, ());
		ServiceChannels::<T>::insert(service_id, id, ());
		Self::deposit_event(Event::ChannelOpened {
			channel: id,
			service: service_id,
			payer,
			signer,
			nonce,
			amount,
			price_per_call,
			expiry,
		});
		Ok(())
	}

	pub(crate) fn do_top_up(
		who: T::AccountId,
		id: ChannelId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let mut channel = Self::channel_of(id)?;
		Self::ensure_party(&who, &channel)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(Self::now() < channel.expiry, Error::<T>::ChannelExpired);
		ensure!(!Self::service_of(channel.service)?.retired, Error::<T>::ServiceRetired);
		channel.locked = channel.locked.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		frame_support::storage::with_storage_layer(|| -> DispatchResult {
			if who != channel.payer {
				Self::charge_allowance(&channel.payer, &who, amount, false)?;
			}
			Self::charge_budget(&channel.payer, amount)?;
			Self::hold(&channel.payer, HoldReason::ChannelFunds, amount)
		})?;
		let locked = channel.locked;
		Channels::<T>::insert(id, channel);
		Self::deposit_event(Event::ChannelToppedUp { channel: id, amount, locked });
		Ok(())
	}

	pub(crate) fn do_extend_channel(
		who: T::AccountId,
		id: ChannelId,
		expiry: BlockNumberFor<T>,
	) -> DispatchResult {
		let mut channel = Self::channel_of(id)?;
		// Only the payer: a delegate must not keep the owner's funds locked past its allowance.
		ensure!(who == channel.payer, Error::<T>::NotPayer);
		ensure!(Self::now() < channel.expiry, Error::<T>::ChannelExpired);
		ensure!(!Self::service_of(channel.service)?.retired, Error::<T>::ServiceRetired);
		ensure!(expiry > channel.expiry, Error::<T>::ExpiryNotLater);
		ensure!(
			expiry <= Self::now().saturating_add(T::MaxChannelDuration::get()),
			Error::<T>::ExpiryOutOfRange
		);
		channel.expiry = expiry;
		Channels::<T>::insert(id, channel);
		Self::deposit_event(Event::ChannelExtended { channel: id, expiry });
		Ok(())
	}

	/// Redeem `signed` on channel `id` for the service's owner `who`; returns the updated
	/// channel.
	fn redeem_voucher(
		who: &T::AccountId,
		id: ChannelId,
		mut channel: Channel<T>,
		signed: &SignedVoucherOf<T>,
	) -> Result<Channel<T>, DispatchError> {
		let service = Self::service_of(channel.service)?;
		ensure!(service.owner == *who, Error::<T>::NotServiceOwner);
		ensure!(Self::now() < channel.expiry, Error::<T>::ChannelExpired);
		let due = Self::check_voucher(id, &channel, signed)?;
		let (paid, fee) = Self::pay_out(&channel, &service.owner, due)?;
		channel.redeemed = signed.voucher.total;
		Self::deposit_event(Event::VoucherRedeemed {
			channel: id,
			service: channel.service,
			total: channel.redeemed,
			paid,
			fee,
		});
		Ok(channel)
	}

	pub(crate) fn do_redeem(
		who: T::AccountId,
		id: ChannelId,
		signed: SignedVoucherOf<T>,
	) -> DispatchResult {
		let channel = Self::channel_of(id)?;
		let channel = Self::redeem_voucher(&who, id, channel, &signed)?;
		Channels::<T>::insert(id, channel);
		Ok(())
	}

	pub(crate) fn do_request_close(who: T::AccountId, id: ChannelId) -> DispatchResult {
		let mut channel = Self::channel_of(id)?;
		Self::ensure_party(&who, &channel)?;
		ensure!(Self::now() < channel.expiry, Error::<T>::ChannelExpired);
		channel.close_requested = true;
		Channels::<T>::insert(id, channel);
		Self::deposit_event(Event::CloseRequested { channel: id });
		Ok(())
	}

	pub(crate) fn do_cooperative_close(
		who: T::AccountId,
		id: ChannelId,
		signed: Option<SignedVoucherOf<T>>,
	) -> DispatchResult {
		let mut channel = Self::channel_of(id)?;
		let service = Self::service_of(channel.service)?;
		ensure!(service.owner == who, Error::<T>::NotServiceOwner);
		if let Some(signed) = signed {
			channel = Self::redeem_voucher(&who, id, channel, &signed)?;
		}
		Self::remove_channel(id, channel, true);
		Ok(())
	}

	pub(crate) fn do_close(id: ChannelId) -> DispatchResult {
		let channel = Self::channel_of(id)?;
		ensure!(Self::now() >= channel.expiry, Error::<T>::ChannelNotExpired);
		Self::remove_channel(id, channel, false);
		Ok(())
	}

	// ---------------------------------------------------------------- budgets and allowances

	pub(crate) fn do_set_budget(
		who: T::AccountId,
		limit: BalanceOf<T>,
		period: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(!period.is_zero(), Error::<T>::ZeroPeriod);
		let budget = match Budgets::<T>::get(&who) {
			Some(mut budget) => {
				Self::roll_budget(&mut budget);
				budget.limit = limit;
				budget.period = period;
				budget
			},
			None => {
				let deposit = T::RecordDeposit::get();
				Self::hold(&who, HoldReason::StorageDeposit, deposit)?;
				Budget { limit, period, period_start: Self::now(), spent: Zero::zero(), deposit }
			},
		};
		Budgets::<T>::insert(&who, budget);
		Self::deposit_event(Event::BudgetSet { who, limit, period });
		Ok(())
	}

	pub(crate) fn do_clear_budget(who: T::AccountId) -> DispatchResult {
		let budget = Budgets::<T>::take(&who).ok_or(Error::<T>::NoBudget)?;
		Self::release(&who, HoldReason::StorageDeposit, budget.deposit);
		Self::deposit_event(Event::BudgetCleared { who });
		Ok(())
	}

	pub(crate) fn do_approve(
		owner: T::AccountId,
		delegate: T::AccountId,
		amount: BalanceOf<T>,
		expires: BlockNumberFor<T>,
		channels: u32,
	) -> DispatchResult {
		ensure!(owner != delegate, Error::<T>::SelfDelegation);
		ensure!(expires > Self::now(), Error::<T>::AllowanceExpiryInPast);
		let deposit = match Allowances::<T>::get(&owner, &delegate) {
			Some(existing) => existing.deposit,
			None => {
				let deposit = T::RecordDeposit::get();
				Self::hold(&owner, HoldReason::StorageDeposit, deposit)?;
				deposit
			},
		};
		Allowances::<T>::insert(
			&owner,
			&delegate,
			Allowance { remaining: amount, expires, channels_left: channels, deposit },
		);
		Self::deposit_event(Event::AllowanceApproved {
			owner,
			delegate,
			amount,
			expires,
			channels,
		});
		Ok(())
	}

	pub(crate) fn do_revoke(owner: T::AccountId, delegate: T::AccountId) -> DispatchResult {
		let allowance = Allowances::<T>::take(&owner, &delegate).ok_or(Error::<T>::NoAllowance)?;
		Self::release(&owner, HoldReason::StorageDeposit, allowance.deposit);
		Self::deposit_event(Event::AllowanceRevoked { owner, delegate });
		Ok(())
	}

	// ---------------------------------------------------------------- tiers

	pub(crate) fn do_lock_for_tier(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let tiers = Tiers::<T>::get();
		let lowest = tiers.first().map(|t| t.threshold).ok_or(Error::<T>::NoTiers)?;
		let mut lock = TierLocks::<T>::get(&who).unwrap_or_default();
		lock.active = lock.active.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		ensure!(lock.active >= lowest, Error::<T>::BelowLowestTier);
		let frozen = lock.active.checked_add(&lock.unlocking).ok_or(Error::<T>::Overflow)?;
		// The free balance (not held) must back every frozen unit.
		ensure!(T::Currency::balance(&who) >= frozen, Error::<T>::InsufficientBalance);
		T::Currency::set_freeze(&FreezeReason::TierLock.into(), &who, frozen)?;
		let active = lock.active;
		TierLocks::<T>::insert(&who, lock);
		let tier = Self::tier_for(active);
		Self::deposit_event(Event::TierLocked { who, amount, active, tier });
		Ok(())
	}

	pub(crate) fn do_unlock_tier(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut lock = TierLocks::<T>::get(&who).ok_or(Error::<T>::NoTierLock)?;
		lock.active = lock.active.checked_sub(&amount).ok_or(Error::<T>::UnlockExceedsLock)?;
		// What stays active must still reach a tier: a lock below the lowest is a partial unlock
		// in disguise, and tier records carry no deposit beyond their frozen funds.
		let lowest = Tiers::<T>::get().first().map(|t| t.threshold).unwrap_or_default();
		ensure!(lock.active.is_zero() || lock.active >= lowest, Error::<T>::BelowLowestTier);
		lock.unlocking = lock.unlocking.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		lock.unlock_at = Self::now().saturating_add(T::TierCooldown::get());
		let (unlock_at, tier) = (lock.unlock_at, Self::tier_for(lock.active));
		TierLocks::<T>::insert(&who, lock);
		Self::deposit_event(Event::TierUnlocking { who, amount, unlock_at, tier });
		Ok(())
	}

	pub(crate) fn do_withdraw_tier(who: T::AccountId) -> DispatchResult {
		let mut lock = TierLocks::<T>::get(&who).ok_or(Error::<T>::NoTierLock)?;
		ensure!(
			!lock.unlocking.is_zero() && Self::now() >= lock.unlock_at,
			Error::<T>::NothingToWithdraw
		);
		let amount = core::mem::take(&mut lock.unlocking);
		let reason = FreezeReason::TierLock.into();
		if lock.active.is_zero() {
			T::Currency::thaw(&reason, &who)?;
			TierLocks::<T>::remove(&who);
		} else {
			T::Currency::set_freeze(&reason, &who, lock.active)?;
			TierLocks::<T>::insert(&who, lock);
		}
		Self::deposit_event(Event::TierWithdrawn { who, amount });
		Ok(())
	}

	// ---------------------------------------------------------------- views

	/// A service as the runtime API shows it.
	pub fn service_view(id: ServiceId) -> Option<ServiceView<T::AccountId, BalanceOf<T>>> {
		Services::<T>::get(id).map(|s| ServiceView {
			id,
			owner: s.owner,
			metadata_hash: s.metadata_hash,
			endpoint_hash: s.endpoint_hash,
			price_per_call: s.price_per_call,
			tier_required: s.tier_required,
			retired: s.retired,
			open_channels: s.open_channels,
		})
	}

	/// A channel as the runtime API shows it.
	pub fn channel_view(
		id: ChannelId,
	) -> Option<ChannelView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Channels::<T>::get(id).map(|c| ChannelView {
			id,
			service: c.service,
			payer: c.payer,
			signer: c.signer,
			nonce: c.nonce,
			price_per_call: c.price_per_call,
			locked: c.locked,
			redeemed: c.redeemed,
			expiry: c.expiry,
			close_requested: c.close_requested,
		})
	}

	fn page(
		ids: impl Iterator<Item = ChannelId>,
		start_after: Option<ChannelId>,
		limit: u32,
	) -> Vec<ChannelView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let mut ids: Vec<ChannelId> =
			ids.filter(|id| start_after.is_none_or(|after| *id > after)).collect();
		ids.sort_unstable();
		ids.into_iter()
			.take(limit.min(T::MaxPageSize::get()) as usize)
			.filter_map(Self::channel_view)
			.collect()
	}

	/// Channels paid by `payer`, a page at a time.
	pub fn channels_of(
		payer: &T::AccountId,
		start_after: Option<ChannelId>,
		limit: u32,
	) -> Vec<ChannelView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Self::page(PayerChannels::<T>::iter_key_prefix(payer), start_after, limit)
	}

	/// Channels paying `service`, a page at a time.
	pub fn service_channels(
		service: ServiceId,
		start_after: Option<ChannelId>,
		limit: u32,
	) -> Vec<ChannelView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Self::page(ServiceChannels::<T>::iter_key_prefix(service), start_after, limit)
	}

	/// A budget as the runtime API shows it.
	pub fn budget_view(who: &T::AccountId) -> Option<BudgetView<BalanceOf<T>, BlockNumberFor<T>>> {
		Budgets::<T>::get(who).map(|mut b| {
			Self::roll_budget(&mut b);
			BudgetView {
				limit: b.limit,
				period: b.period,
				period_start: b.period_start,
				spent: b.spent,
				remaining: b.limit.saturating_sub(b.spent),
			}
		})
	}

	/// A tier lock as the runtime API shows it.
	pub fn tier_view(who: &T::AccountId) -> TierView<BalanceOf<T>, BlockNumberFor<T>> {
		let lock = TierLocks::<T>::get(who).unwrap_or_default();
		TierView {
			tier: Self::tier_of(who),
			active: lock.active,
			unlocking: lock.unlocking,
			unlock_at: (!lock.unlocking.is_zero()).then_some(lock.unlock_at),
		}
	}

	/// The tier table as the runtime API shows it.
	pub fn tiers_view() -> Vec<(Vec<u8>, BalanceOf<T>)> {
		Tiers::<T>::get().into_iter().map(|t| (t.name.into_inner(), t.threshold)).collect()
	}

	// ---------------------------------------------------------------- invariants

	/// Config sanity, checked by `integrity_test`.
	pub(crate) fn check_config() {
		assert!(
			T::MinChannelDuration::get() <= T::MaxChannelDuration::get(),
			"MinChannelDuration must not exceed MaxChannelDuration"
		);
		assert!(!T::MaxChannelDuration::get().is_zero(), "MaxChannelDuration must be positive");
		assert!(T::MaxTiers::get() <= u32::from(TierLevel::MAX), "MaxTiers must fit a TierLevel");
		assert!(T::MaxPageSize::get() > 0, "MaxPageSize must be positive");
		assert!(
			T::ProtocolFee::get() < sp_runtime::Perbill::one(),
			"the protocol fee must leave services something"
		);
	}

	/// What each account should hold for each reason, from the records.
	pub fn expected_holds() -> BTreeMap<T::AccountId, (BalanceOf<T>, BalanceOf<T>)> {
		let mut expected: BTreeMap<T::AccountId, (BalanceOf<T>, BalanceOf<T>)> = BTreeMap::new();
		let mut add = |who: &T::AccountId, funds: BalanceOf<T>, deposit: BalanceOf<T>| {
			let entry = expected.entry(who.clone()).or_default();
			entry.0 = entry.0.saturating_add(funds);
			entry.1 = entry.1.saturating_add(deposit);
		};
		for (_, s) in Services::<T>::iter() {
			add(&s.owner, Zero::zero(), s.deposit);
		}
		for (_, c) in Channels::<T>::iter() {
			add(&c.payer, c.unredeemed(), c.deposit);
		}
		for (who, b) in Budgets::<T>::iter() {
			add(&who, Zero::zero(), b.deposit);
		}
		for (owner, _, a) in Allowances::<T>::iter() {
			add(&owner, Zero::zero(), a.deposit);
		}
		expected
	}

	/// The pallet's invariants:
	/// - each account holds exactly its open channels' unredeemed funds and its records'
	///   deposits; no channel redeemed more than it locked;
	/// - each tier lock is frozen exactly and is not empty;
	/// - the channel indexes and the services' open-channel counts match the channels; a retired
	///   service has open channels; ids are below the counters;
	/// - the tier table is valid.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use frame_support::traits::fungible::InspectHold;
		let funds_reason = HoldReason::ChannelFunds.into();
		let deposit_reason = HoldReason::StorageDeposit.into();
		for (who, (funds, deposit)) in Self::expected_holds() {
			ensure!(
				T::Currency::balance_on_hold(&funds_reason, &who) == funds,
				"channel funds held differ from the open channels' unredeemed balances"
			);
			ensure!(
				T::Currency::balance_on_hold(&deposit_reason, &who) == deposit,
				"deposits held differ from the records' deposits"
			);
		}

		let next_channel = NextChannelId::<T>::get();
		let mut per_service: BTreeMap<ServiceId, u32> = BTreeMap::new();
		let mut channels = 0u32;
		for (id, c) in Channels::<T>::iter() {
			ensure!(id < next_channel, "a channel id is not below the counter");
			ensure!(c.redeemed <= c.locked, "a channel redeemed more than it locked");
			ensure!(PayerChannels::<T>::contains_key(&c.payer, id), "payer index misses a channel");
			ensure!(
				ServiceChannels::<T>::contains_key(c.service, id),
				"service index misses a channel"
			);
			ensure!(Services::<T>::contains_key(c.service), "a channel's service is missing");
			let n = per_service.entry(c.service).or_default();
			*n = n.saturating_add(1);
			channels = channels.saturating_add(1);
		}
		ensure!(
			PayerChannels::<T>::iter_keys().count() == channels as usize,
			"payer index has stale entries"
		);
		ensure!(
			ServiceChannels::<T>::iter_keys().count() == channels as usize,
			"service index has stale entries"
		);
		let next_service = NextServiceId::<T>::get();
		for (id, s) in Services::<T>::iter() {
			ensure!(id < next_service, "a service id is not below the counter");
			ensure!(
				per_service.get(&id).copied().unwrap_or_default() == s.open_channels,
				"a service's open-channel count is wrong"
			);
			ensure!(!s.retired || s.open_channels > 0, "a retired service without channels stayed");
		}

		let freeze = FreezeReason::TierLock.into();
		for (who, lock) in TierLocks::<T>::iter() {
			ensure!(
				T::Currency::balance_frozen(&freeze, &who)
					== lock.active.saturating_add(lock.unlocking),
				"a tier freeze differs from its record"
			);
			ensure!(
				!(lock.active.is_zero() && lock.unlocking.is_zero()),
				"an empty tier lock record stayed"
			);
		}
		Self::check_tier_table(&Tiers::<T>::get()).map_err(|_| "the tier table is invalid")?;
		Ok(())
	}
}
