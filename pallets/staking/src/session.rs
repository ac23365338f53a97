//! The pallet's side of `pallet-session` (eras planned and started at session boundaries) and of
//! `pallet-offences` (slashing).
//!
//! The session pallet asks for the validator set of session `n + 1` when session `n` starts
//! (`new_session(n + 1)`), then starts session `n + 1` one rotation later
//! (`start_session(n + 1)`). An era that started at session `s` therefore plans its successor in
//! `new_session(s + SessionsPerEra)`, and the successor becomes active in
//! `start_session(s + SessionsPerEra)`, which also ends the old era and fixes its reward.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use frame_support::{traits::Get, weights::Weight};
use sp_runtime::Perbill;
use sp_staking::offence::{OffenceDetails, OnOffenceHandler};

impl<T: Config> Pallet<T> {
	fn plan_session(new_index: SessionIndex, is_genesis: bool) -> Option<Vec<T::AccountId>> {
		let Some(current) = CurrentEra::<T>::get() else {
			// The first era.
			return Self::plan_era(new_index, is_genesis);
		};
		if ActiveEra::<T>::get().map(|a| a.index) != Some(current) {
			// The planned era has not started yet.
			return None;
		}
		let start = ErasStartSessionIndex::<T>::get(current).unwrap_or(0);
		if new_index < start.saturating_add(T::SessionsPerEra::get()) {
			return None;
		}
		// After a failed election this is retried at every session.
		Self::plan_era(new_index, is_genesis)
	}

	fn begin_session(index: SessionIndex) {
		let Some(current) = CurrentEra::<T>::get() else {
			return;
		};
		if ErasStartSessionIndex::<T>::get(current) != Some(index) {
			return;
		}
		if ActiveEra::<T>::get().is_some_and(|a| a.index >= current) {
			return;
		}
		Self::start_era(current);
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::plan_session(new_index, false)
	}

	fn new_session_genesis(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::plan_session(new_index, true)
	}

	fn end_session(_end_index: SessionIndex) {}

	fn start_session(start_index: SessionIndex) {
		Self::begin_session(start_index)
	}
}

impl<T: Config> pallet_session::historical::SessionManager<T::AccountId, ()> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<(T::AccountId, ())>> {
		<Self as pallet_session::SessionManager<_>>::new_session(new_index)
			.map(|set| set.into_iter().map(|v| (v, ())).collect())
	}

	fn new_session_genesis(new_index: SessionIndex) -> Option<Vec<(T::AccountId, ())>> {
		<Self as pallet_session::SessionManager<_>>::new_session_genesis(new_index)
			.map(|set| set.into_iter().map(|v| (v, ())).collect())
	}

	fn start_session(start_index: SessionIndex) {
		<Self as pallet_session::SessionManager<_>>::start_session(start_index)
	}

	fn end_session(end_index: SessionIndex) {
		<Self as pallet_session::SessionManager<_>>::end_session(end_index)
	}
}

impl<T: Config> OnOffenceHandler<T::AccountId, (T::AccountId, ()), Weight> for Pallet<T> {
	fn on_offence(
		offenders: &[OffenceDetails<T::AccountId, (T::AccountId, ())>],
		slash_fraction: &[Perbill],
		session: SessionIndex,
	) -> Weight {
		Self::do_on_offence(
			offenders.iter().zip(slash_fraction.iter()).map(|(o, f)| (o.offender.0.clone(), *f)),
			session,
		)
	}
}
