//! The referenda track table: one track per origin, in two timing profiles.
//!
//! [`PRODUCTION`] is what a public network runs; [`FAST`] has the same ids, names, deposits and
//! curves with periods of a few blocks, so an end-to-end referendum finishes in minutes (the
//! runtime's `fast-runtime` feature picks it, as Polkadot's runtimes do). Both tables are always
//! compiled, so the tests check both whichever the runtime picks.

use alloc::borrow::Cow;
use core::marker::PhantomData;

use airtime_primitives::{Balance, BlockNumber, AIR, DAYS, HOURS, MINUTES};
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{str_array as name, FixedI64};

use crate::Origin;

/// A track's identifier (pallet-referenda's `TrackIdOf`).
pub type TrackId = u16;

/// One row of the table.
pub type AirtimeTrack = Track<TrackId, Balance, BlockNumber>;

/// Track ids. Stable: they are stored in every referendum and vote.
pub mod ids {
	use super::TrackId;
	/// Root: runtime upgrades and anything else.
	pub const ROOT: TrackId = 0;
	/// Cancels a referendum, refunding its deposits.
	pub const REFERENDUM_CANCELLER: TrackId = 1;
	/// Kills a referendum, slashing its decision deposit.
	pub const REFERENDUM_KILLER: TrackId = 2;
	/// Treasury spends up to the treasurer's limit, spend rejection.
	pub const TREASURER: TrackId = 10;
	/// Small treasury spends.
	pub const SMALL_SPENDER: TrackId = 11;
	/// Large treasury spends.
	pub const BIG_SPENDER: TrackId = 12;
	/// pallet-compute's parameters.
	pub const COMPUTE_ADMIN: TrackId = 20;
	/// Data market and credits parameters.
	pub const MARKET_ADMIN: TrackId = 21;
	/// Staking parameters.
	pub const STAKING_ADMIN: TrackId = 22;
}

/// The periods of one profile, per kind of track.
#[derive(Clone, Copy, Debug)]
pub struct Timings {
	/// Prepare period of every track but big spender.
	pub prepare: BlockNumber,
	/// Prepare period of the big spender track.
	pub prepare_long: BlockNumber,
	/// Decision period of the root, killer, treasurer, big spender and admin tracks.
	pub decision_long: BlockNumber,
	/// Decision period of the canceller and small spender tracks.
	pub decision_short: BlockNumber,
	/// Confirm period of the root and big spender tracks.
	pub confirm_long: BlockNumber,
	/// Confirm period of the canceller, killer, treasurer and admin tracks.
	pub confirm: BlockNumber,
	/// Confirm period of the small spender track.
	pub confirm_short: BlockNumber,
	/// Minimum enactment period of the root, spending and admin tracks.
	pub enactment: BlockNumber,
	/// Minimum enactment period of the canceller and killer tracks.
	pub enactment_short: BlockNumber,
}

/// Production periods (6-second blocks).
pub const PRODUCTION_TIMINGS: Timings = Timings {
	prepare: 2 * HOURS,
	prepare_long: 4 * HOURS,
	decision_long: 14 * DAYS,
	decision_short: 7 * DAYS,
	confirm_long: DAYS,
	confirm: 3 * HOURS,
	confirm_short: 2 * HOURS,
	enactment: DAYS,
	enactment_short: 10 * MINUTES,
};

/// `fast-runtime` periods: a referendum is decided within a few minutes.
pub const FAST_TIMINGS: Timings = Timings {
	prepare: 2,
	prepare_long: 3,
	decision_long: 40,
	decision_short: 20,
	confirm_long: 3,
	confirm: 2,
	confirm_short: 2,
	enactment: 2,
	enactment_short: 1,
};

const fn percent(x: u128) -> FixedI64 {
	FixedI64::from_rational(x, 100)
}

// The curves; the delay arguments are in days of a 14- or 7-day decision period, so the same
// shapes apply (scaled) to the fast profile.
const ROOT_APPROVAL: Curve = Curve::make_reciprocal(4, 14, percent(80), percent(50), percent(100));
const ROOT_SUPPORT: Curve = Curve::make_linear(14, 14, percent(0), percent(50));
const CANCEL_APPROVAL: Curve = Curve::make_linear(7, 7, percent(50), percent(100));
const CANCEL_SUPPORT: Curve = Curve::make_reciprocal(1, 7, percent(1), percent(0), percent(50));
const KILL_APPROVAL: Curve = Curve::make_linear(14, 14, percent(50), percent(100));
const KILL_SUPPORT: Curve = Curve::make_reciprocal(1, 14, percent(1), percent(0), percent(50));
const ADMIN_APPROVAL: Curve = Curve::make_reciprocal(4, 14, percent(80), percent(50), percent(100));
const ADMIN_SUPPORT: Curve = Curve::make_reciprocal(7, 14, percent(10), percent(0), percent(50));
const SMALL_SPEND_APPROVAL: Curve = Curve::make_linear(7, 7, percent(50), percent(100));
const SMALL_SPEND_SUPPORT: Curve =
	Curve::make_reciprocal(1, 7, percent(1), percent(0), percent(50));
const BIG_SPEND_APPROVAL: Curve = Curve::make_linear(14, 14, percent(50), percent(100));
const BIG_SPEND_SUPPORT: Curve = Curve::make_reciprocal(7, 14, percent(5), percent(0), percent(50));

/// A track row with the admin tracks' deposit, periods and curves (the treasurer's too).
const fn admin_track(
	id: TrackId,
	track_name: &str,
	max_deciding: u32,
	t: &Timings,
) -> AirtimeTrack {
	Track {
		id,
		info: TrackInfo {
			name: name(track_name),
			max_deciding,
			decision_deposit: 1_000 * AIR,
			prepare_period: t.prepare,
			decision_period: t.decision_long,
			confirm_period: t.confirm,
			min_enactment_period: t.enactment,
			min_approval: ADMIN_APPROVAL,
			min_support: ADMIN_SUPPORT,
		},
	}
}

/// The whole table for one profile, sorted by id.
pub const fn track_table(t: &Timings) -> [AirtimeTrack; 9] {
	[
		Track {
			id: ids::ROOT,
			info: TrackInfo {
				name: name("root"),
				max_deciding: 1,
				decision_deposit: 10_000 * AIR,
				prepare_period: t.prepare,
				decision_period: t.decision_long,
				confirm_period: t.confirm_long,
				min_enactment_period: t.enactment,
				min_approval: ROOT_APPROVAL,
				min_support: ROOT_SUPPORT,
			},
		},
		Track {
			id: ids::REFERENDUM_CANCELLER,
			info: TrackInfo {
				name: name("referendum_canceller"),
				max_deciding: 10,
				decision_deposit: 1_000 * AIR,
				prepare_period: t.prepare,
				decision_period: t.decision_short,
				confirm_period: t.confirm,
				min_enactment_period: t.enactment_short,
				min_approval: CANCEL_APPROVAL,
				min_support: CANCEL_SUPPORT,
			},
		},
		Track {
			id: ids::REFERENDUM_KILLER,
			info: TrackInfo {
				name: name("referendum_killer"),
				max_deciding: 10,
				decision_deposit: 5_000 * AIR,
				prepare_period: t.prepare,
				decision_period: t.decision_long,
				confirm_period: t.confirm,
				min_enactment_period: t.enactment_short,
				min_approval: KILL_APPROVAL,
				min_support: KILL_SUPPORT,
			},
		},
		admin_track(ids::TREASURER, "treasurer", 2, t),
		Track {
			id: ids::SMALL_SPENDER,
			info: TrackInfo {
				name: name("small_spender"),
				max_deciding: 10,
				decision_deposit: 100 * AIR,
				prepare_period: t.prepare,
				decision_period: t.decision_short,
				confirm_period: t.confirm_short,
				min_enactment_period: t.enactment,
				min_approval: SMALL_SPEND_APPROVAL,
				min_support: SMALL_SPEND_SUPPORT,
			},
		},
		Track {
			id: ids::BIG_SPENDER,
			info: TrackInfo {
				name: name("big_spender"),
				max_deciding: 5,
				decision_deposit: 1_000 * AIR,
				prepare_period: t.prepare_long,
				decision_period: t.decision_long,
				confirm_period: t.confirm_long,
				min_enactment_period: t.enactment,
				min_approval: BIG_SPEND_APPROVAL,
				min_support: BIG_SPEND_SUPPORT,
			},
		},
		admin_track(ids::COMPUTE_ADMIN, "compute_admin", 5, t),
		admin_track(ids::MARKET_ADMIN, "market_admin", 5, t),
		admin_track(ids::STAKING_ADMIN, "staking_admin", 5, t),
	]
}

/// The production table.
pub static PRODUCTION: [AirtimeTrack; 9] = track_table(&PRODUCTION_TIMINGS);
/// The `fast-runtime` table.
pub static FAST: [AirtimeTrack; 9] = track_table(&FAST_TIMINGS);

/// A timing profile: which table [`AirtimeTracks`] serves.
pub trait TrackProfile {
	/// The table, sorted by id.
	fn table() -> &'static [AirtimeTrack];
}

/// Serves [`PRODUCTION`].
pub struct Production;
impl TrackProfile for Production {
	fn table() -> &'static [AirtimeTrack] {
		&PRODUCTION
	}
}

/// Serves [`FAST`].
pub struct Fast;
impl TrackProfile for Fast {
	fn table() -> &'static [AirtimeTrack] {
		&FAST
	}
}

/// The track a (pallets-)origin is decided on: Root on the root track, each custom origin on its
/// own, anything else (a signed account, `None`) on none, so it cannot be proposed.
///
/// `Err(())` is what pallet-referenda's `TracksInfo::track_for` returns for "no track".
#[allow(clippy::result_unit_err)]
pub fn track_for_origin<AccountId, O>(origin: &O) -> Result<TrackId, ()>
where
	O: Clone + TryInto<frame_system::RawOrigin<AccountId>> + TryInto<Origin>,
{
	if let Ok(system) = TryInto::<frame_system::RawOrigin<AccountId>>::try_into(origin.clone()) {
		return match system {
			frame_system::RawOrigin::Root => Ok(ids::ROOT),
			_ => Err(()),
		};
	}
	match TryInto::<Origin>::try_into(origin.clone()) {
		Ok(Origin::ReferendumCanceller) => Ok(ids::REFERENDUM_CANCELLER),
		Ok(Origin::ReferendumKiller) => Ok(ids::REFERENDUM_KILLER),
		Ok(Origin::Treasurer) => Ok(ids::TREASURER),
		Ok(Origin::SmallSpender) => Ok(ids::SMALL_SPENDER),
		Ok(Origin::BigSpender) => Ok(ids::BIG_SPENDER),
		Ok(Origin::ComputeAdmin) => Ok(ids::COMPUTE_ADMIN),
		Ok(Origin::MarketAdmin) => Ok(ids::MARKET_ADMIN),
		Ok(Origin::StakingAdmin) => Ok(ids::STAKING_ADMIN),
		Err(_) => Err(()),
	}
}

/// pallet-referenda's `Tracks`: the table of profile `P` for the runtime's pallets-origin `O`
/// (`OriginCaller`) with account type `A`.
pub struct AirtimeTracks<O, A, P>(PhantomData<(O, A, P)>);

impl<O, A, P> pallet_referenda::TracksInfo<Balance, BlockNumber> for AirtimeTracks<O, A, P>
where
	O: Clone + TryInto<frame_system::RawOrigin<A>> + TryInto<Origin>,
	P: TrackProfile,
{
	type Id = TrackId;
	type RuntimeOrigin = O;

	fn tracks() -> impl Iterator<Item = Cow<'static, AirtimeTrack>> {
		P::table().iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &Self::RuntimeOrigin) -> Result<Self::Id, ()> {
		track_for_origin::<A, O>(origin)
	}
}
