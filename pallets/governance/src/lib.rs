//! # Governance origins and tracks
//!
//! AIR holders govern Airtime through OpenGov-style referenda (`pallet-referenda` with
//! `pallet-conviction-voting`). This crate holds the two Airtime-specific pieces of that machinery:
//!
//! - the **origins pallet** ([`pallet`]): the custom origins a referendum can dispatch its call
//!   with ([`Origin`]), and the `EnsureOrigin` types the other pallets use to demand them
//!   ([`ComputeAdmin`], [`MarketAdmin`], [`StakingAdmin`], [`Treasurer`], [`Spender`],
//!   [`ReferendumCanceller`], [`ReferendumKiller`]);
//! - the **track table** ([`tracks`]): which origin is decided on which track, and each track's
//!   deposit, periods and approval/support curves ([`tracks::AirtimeTracks`]).
//!
//! ## Terminology
//! - *Origin*: who a call is dispatched as. Root can do anything; a custom origin only what the
//!   pallets that accept it allow (e.g. `ComputeAdmin` sets pallet-compute's parameters through
//!   pallet-parameters, nothing else).
//! - *Track*: the rules a referendum for one origin is decided under. A referendum's track follows
//!   from the origin its proposal asks for, so asking for more power means passing a harder vote.
//! - *Approval*: conviction-weighted ayes over all conviction-weighted votes. *Support*: ayes
//!   without conviction over the active issuance. Both must stay above their track's curves for
//!   the whole confirm period.
//!
//! ## Lifecycle (as `pallet-referenda` runs it)
//! A proposer `submit`s a call (usually as a preimage hash) with the origin it needs and pays the
//! small *submission deposit*. During the *prepare period* the referendum collects votes but
//! cannot pass. Someone then places the track's *decision deposit*; when a deciding slot of the
//! track is free (`max_deciding`) the *decision period* starts. While approval and support are
//! both above their curves the referendum is *confirming*; staying there for the *confirm period*
//! approves it, and the call is scheduled at least *min enactment period* later. Falling below
//! restarts confirmation; reaching the end of the decision period unconfirmed rejects it.
//! Approved and cancelled (`ReferendumCanceller`) referenda give both deposits back
//! (`refund_*_deposit`); rejected and timed-out ones give back the decision deposit only, the
//! submission deposit being the price of a failed proposal (it stays reserved, as
//! pallet-referenda does); a referendum killed by `ReferendumKiller` loses both, the decision
//! deposit to the treasury.
//!
//! ## Design: the track table
//! Deposits rise with the power an origin holds, so spam costs more where it could hurt more; the
//! periods give voters days to notice before anything powerful is enacted. All figures are in
//! [`tracks::PRODUCTION`]; [`tracks::FAST`] keeps the same curves and deposits with periods of a
//! few blocks, for the `fast-runtime` build the end-to-end tests use.
//!
//! | id | track | max deciding | decision deposit | prepare | decision | confirm | enactment |
//! |----|-------|-------------:|-----------------:|--------:|---------:|--------:|----------:|
//! | 0 | root | 1 | 10 000 AIR | 2 h | 14 d | 1 d | 1 d |
//! | 1 | referendum_canceller | 10 | 1 000 AIR | 2 h | 7 d | 3 h | 10 min |
//! | 2 | referendum_killer | 10 | 5 000 AIR | 2 h | 14 d | 3 h | 10 min |
//! | 10 | treasurer | 2 | 1 000 AIR | 2 h | 14 d | 3 h | 1 d |
//! | 11 | small_spender | 10 | 100 AIR | 2 h | 7 d | 2 h | 1 d |
//! | 12 | big_spender | 5 | 1 000 AIR | 4 h | 14 d | 1 d | 1 d |
//! | 20 | compute_admin | 5 | 1 000 AIR | 2 h | 14 d | 3 h | 1 d |
//! | 21 | market_admin | 5 | 1 000 AIR | 2 h | 14 d | 3 h | 1 d |
//! | 22 | staking_admin | 5 | 1 000 AIR | 2 h | 14 d | 3 h | 1 d |
//!
//! Curves (x = time into the decision period, as a fraction of it):
//! - **root**: approval falls reciprocally from 100 % to 50 % (about 78 % after 4 of 14 days), support
//!   linearly from 50 % to 0: a code change needs either a landslide early or a long, visible
//!   vote. Only one root referendum decides at a time.
//! - **referendum_canceller / referendum_killer**: approval linear from 100 % to 50 %, support
//!   reciprocal from 50 % to 0 (1 % after one day): stopping a bad referendum must be quick, so
//!   little support suffices once a day has passed, but only with a clear majority.
//! - **treasurer, compute/market/staking_admin**: approval reciprocal from 100 % to 50 % (about 78 % after
//!   4 days), support reciprocal from 50 % to 0 (10 % after 7 days): economic parameters move
//!   money, so they ask for real turnout, but not the root track's caution.
//! - **small_spender / big_spender**: approval linear 100 % → 50 %, support reciprocal 50 % → 0
//!   (1 % after one day for small, 5 % after 7 days for big): small grants should be cheap to pass,
//!   large ones visible.
//!
//! Spending limits per origin ([`Spender`]): small spender 10 000 AIR, big spender 100 000 AIR,
//! treasurer 1 000 000 AIR; Root is unlimited.
//!
//! ## Limitations
//! - There is no technical fellowship, so no whitelisted fast track: every runtime upgrade goes
//!   through the root track's full periods.
//! - The origins pallet has no calls and no storage of its own (only a storage version, which the
//!   runtime's governance migration uses, and a genesis config that seeds the governed
//!   parameters), hence no weights or benchmarks.
//! - Curve and deposit figures are reasoned, not simulated against a real token distribution;
//!   governance can replace the whole table only by a runtime upgrade.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod tracks;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use airtime_primitives::{Balance, AIR};
use frame_support::traits::EnsureOrigin;

pub use pallet::*;

#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use frame_support::pallet_prelude::*;

	/// The storage version. Version 1 is the first: the runtime's governance migration moves the
	/// parameters that sudo used to set into pallet-parameters and bumps it.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The runtime's governed parameters (pallet-parameters' aggregated `RuntimeParameters`).
		type RuntimeParameters: Parameter;
		/// Writes a governed parameter at genesis (the runtime passes it to pallet-parameters
		/// as Root).
		type GenesisParameters: crate::SetParameter<Self::RuntimeParameters>;
	}

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The governed parameters a network starts with, chosen by its genesis preset. Each entry is a
	/// SCALE-encoded `RuntimeParameters` (key and value); an entry that does not decode or is
	/// refused fails the genesis build, so a broken preset cannot start a chain.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The encoded parameters, applied in order.
		pub parameters: alloc::vec::Vec<alloc::vec::Vec<u8>>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (i, raw) in self.parameters.iter().enumerate() {
				let parameter = T::RuntimeParameters::decode(&mut &raw[..])
					.unwrap_or_else(|e| panic!("genesis parameter {i} does not decode: {e:?}"));
				<T::GenesisParameters as crate::SetParameter<_>>::set(parameter)
					.unwrap_or_else(|e| panic!("genesis parameter {i} refused: {e:?}"));
			}
		}
	}

	/// The custom origins a referendum can dispatch its call with. Each is decided on its own
	/// track (see [`crate::tracks`]).
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		MaxEncodedLen,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// Cancels an ongoing referendum (deposits refunded).
		#[codec(index = 0)]
		ReferendumCanceller,
		/// Kills an ongoing referendum (decision deposit slashed).
		#[codec(index = 1)]
		ReferendumKiller,
		/// Spends from the treasury up to 1 000 000 AIR, and rejects spends.
		#[codec(index = 2)]
		Treasurer,
		/// Spends from the treasury up to 10 000 AIR.
		#[codec(index = 3)]
		SmallSpender,
		/// Spends from the treasury up to 100 000 AIR.
		#[codec(index = 4)]
		BigSpender,
		/// Sets pallet-compute's parameters: fee rate and split, slash rates, minimum stake and
		/// bond, periods.
		#[codec(index = 5)]
		ComputeAdmin,
		/// Sets the data market's and the credits pallet's parameters, tiers included.
		#[codec(index = 6)]
		MarketAdmin,
		/// Sets staking parameters: inflation, validator count.
		#[codec(index = 7)]
		StakingAdmin,
	}
}

/// Sets one governed parameter (used at genesis; the runtime implements it with
/// pallet-parameters' `set_parameter` as Root).
pub trait SetParameter<P> {
	/// Stores `parameter`.
	fn set(parameter: P) -> frame_support::dispatch::DispatchResult;
}

/// Declares an `EnsureOrigin` that accepts exactly one custom origin.
macro_rules! decl_unit_ensure {
	($(#[$doc:meta])* $name:ident) => {
		$(#[$doc])*
		pub struct $name;
		impl<O: Into<Result<Origin, O>> + From<Origin>> EnsureOrigin<O> for $name {
			type Success = ();
			fn try_origin(o: O) -> Result<Self::Success, O> {
				o.into().and_then(|o| match o {
					Origin::$name => Ok(()),
					other => Err(O::from(other)),
				})
			}
			#[cfg(feature = "runtime-benchmarks")]
			fn try_successful_origin() -> Result<O, ()> {
				Ok(O::from(Origin::$name))
			}
		}
	};
}

decl_unit_ensure!(
	/// Accepts only [`Origin::ReferendumCanceller`].
	ReferendumCanceller
);
decl_unit_ensure!(
	/// Accepts only [`Origin::ReferendumKiller`].
	ReferendumKiller
);
decl_unit_ensure!(
	/// Accepts only [`Origin::Treasurer`].
	Treasurer
);
decl_unit_ensure!(
	/// Accepts only [`Origin::ComputeAdmin`].
	ComputeAdmin
);
decl_unit_ensure!(
	/// Accepts only [`Origin::MarketAdmin`].
	MarketAdmin
);
decl_unit_ensure!(
	/// Accepts only [`Origin::StakingAdmin`].
	StakingAdmin
);

/// The most [`Origin::SmallSpender`] may spend from the treasury in one spend.
pub const SMALL_SPEND_LIMIT: Balance = 10_000 * AIR;
/// The most [`Origin::BigSpender`] may spend from the treasury in one spend.
pub const BIG_SPEND_LIMIT: Balance = 100_000 * AIR;
/// The most [`Origin::Treasurer`] may spend from the treasury in one spend.
pub const TREASURER_SPEND_LIMIT: Balance = 1_000_000 * AIR;

/// Accepts the spending origins and yields the most each may spend (pallet-treasury's
/// `SpendOrigin`): small spender, big spender, treasurer.
pub struct Spender;
impl<O: Into<Result<Origin, O>> + From<Origin>> EnsureOrigin<O> for Spender {
	type Success = Balance;
	fn try_origin(o: O) -> Result<Self::Success, O> {
		o.into().and_then(|o| match o {
			Origin::SmallSpender => Ok(SMALL_SPEND_LIMIT),
			Origin::BigSpender => Ok(BIG_SPEND_LIMIT),
			Origin::Treasurer => Ok(TREASURER_SPEND_LIMIT),
			other => Err(O::from(other)),
		})
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		Ok(O::from(Origin::Treasurer))
	}
}
