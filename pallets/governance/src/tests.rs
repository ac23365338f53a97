#![allow(clippy::arithmetic_side_effects, clippy::expect_used, clippy::indexing_slicing)]

use frame_support::traits::EnsureOrigin;
use pallet_referenda::{Curve, TracksInfo};
use sp_runtime::Perbill;

use crate::{
	mock::*,
	tracks::{self, ids, AirtimeTrack, TrackId, FAST, PRODUCTION},
	ComputeAdmin, MarketAdmin, Origin, ReferendumCanceller, ReferendumKiller, Spender,
	StakingAdmin, Treasurer, BIG_SPEND_LIMIT, SMALL_SPEND_LIMIT, TREASURER_SPEND_LIMIT,
};

const ALL_ORIGINS: [(Origin, TrackId, &str); 8] = [
	(Origin::ReferendumCanceller, ids::REFERENDUM_CANCELLER, "referendum_canceller"),
	(Origin::ReferendumKiller, ids::REFERENDUM_KILLER, "referendum_killer"),
	(Origin::Treasurer, ids::TREASURER, "treasurer"),
	(Origin::SmallSpender, ids::SMALL_SPENDER, "small_spender"),
	(Origin::BigSpender, ids::BIG_SPENDER, "big_spender"),
	(Origin::ComputeAdmin, ids::COMPUTE_ADMIN, "compute_admin"),
	(Origin::MarketAdmin, ids::MARKET_ADMIN, "market_admin"),
	(Origin::StakingAdmin, ids::STAKING_ADMIN, "staking_admin"),
];

fn name_of(track: &AirtimeTrack) -> &str {
	let end = track.info.name.iter().position(|b| *b == 0).unwrap_or(track.info.name.len());
	core::str::from_utf8(&track.info.name[..end]).expect("track names are ASCII")
}

fn track_name<T: TracksInfo<u128, u32, Id = TrackId>>(id: TrackId) -> String {
	let info = T::info(id).expect("known track");
	let end = info.name.iter().position(|b| *b == 0).unwrap_or(info.name.len());
	String::from_utf8(info.name[..end].to_vec()).expect("ASCII")
}

#[test]
fn each_custom_origin_is_decided_on_its_own_track() {
	for (origin, id, name) in ALL_ORIGINS {
		let caller = OriginCaller::Origins(origin);
		assert_eq!(ProductionTracks::track_for(&caller), Ok(id), "{origin:?}");
		assert_eq!(FastTracks::track_for(&caller), Ok(id), "{origin:?}");
		assert_eq!(track_name::<ProductionTracks>(id), name);
		assert_eq!(track_name::<FastTracks>(id), name);
	}
}

#[test]
fn root_is_decided_on_the_root_track_and_nothing_else_has_a_track() {
	let root = OriginCaller::system(frame_system::RawOrigin::Root);
	assert_eq!(ProductionTracks::track_for(&root), Ok(ids::ROOT));
	assert_eq!(track_name::<ProductionTracks>(ids::ROOT), "root");
	for not_proposable in [
		OriginCaller::system(frame_system::RawOrigin::Signed(1)),
		OriginCaller::system(frame_system::RawOrigin::None),
	] {
		assert_eq!(ProductionTracks::track_for(&not_proposable), Err(()));
		assert_eq!(FastTracks::track_for(&not_proposable), Err(()));
	}
}

#[test]
fn every_track_has_an_origin_and_the_tables_are_sorted_and_unique() {
	ProductionTracks::check_integrity().expect("production table sorted");
	FastTracks::check_integrity().expect("fast table sorted");
	for table in [&PRODUCTION, &FAST] {
		assert_eq!(table.len(), ALL_ORIGINS.len() + 1, "one track per origin plus root");
		for pair in table.windows(2) {
			assert!(pair[0].id < pair[1].id, "ids strictly increasing");
		}
		let mut names: Vec<_> = table.iter().map(name_of).collect();
		names.sort();
		names.dedup();
		assert_eq!(names.len(), table.len(), "names unique");
		for track in table.iter() {
			let reachable = track.id == ids::ROOT
				|| ALL_ORIGINS
					.iter()
					.any(|(_, id, name)| *id == track.id && *name == name_of(track));
			assert!(reachable, "track {} has no origin", name_of(track));
		}
	}
}

/// Samples a curve's threshold across the decision period.
fn samples(curve: &Curve) -> Vec<Perbill> {
	(0..=100u32).map(|x| curve.threshold(Perbill::from_percent(x))).collect()
}

#[test]
fn curves_are_valid() {
	for track in PRODUCTION.iter() {
		let info = &track.info;
		let approval = samples(&info.min_approval);
		let support = samples(&info.min_support);
		for series in [&approval, &support] {
			assert!(series.windows(2).all(|w| w[0] >= w[1]), "{}: never rises", name_of(track));
			assert!(series[0] <= Perbill::from_percent(100));
		}
		// A minority can never pass anything: approval stays at one half or above (reciprocal
		// curves reach their floor to within rounding: 1e-6).
		let floor = approval.iter().min().copied().unwrap_or_default();
		assert!(
			floor >= Perbill::from_parts(499_999_000),
			"{}: approval floor {floor:?}",
			name_of(track)
		);
		// At the start nothing passes on a sliver of turnout.
		assert!(support[0] >= Perbill::from_percent(50), "{}: initial support", name_of(track));
		assert!(info.max_deciding >= 1);
		assert!(info.decision_deposit > 0);
		assert!(info.decision_period > 0 && info.confirm_period > 0);
		assert!(info.confirm_period < info.decision_period);
	}
	// The curves reach the levels the crate docs promise (the reciprocal constructor lands within a
	// few points of the level it is asked for: 77.8 % for 80 %).
	let root = &PRODUCTION[0].info;
	let at = |days: u32| Perbill::from_rational(days, 14);
	let approval_4d = root.min_approval.threshold(at(4));
	assert!(
		approval_4d >= Perbill::from_percent(77) && approval_4d <= Perbill::from_percent(81),
		"{approval_4d:?}"
	);
	assert_eq!(root.min_support.threshold(Perbill::one()), Perbill::zero());
	let compute = PRODUCTION.iter().find(|t| t.id == ids::COMPUTE_ADMIN).expect("present");
	let support_7d = compute.info.min_support.threshold(at(7));
	assert!(
		support_7d >= Perbill::from_percent(8) && support_7d <= Perbill::from_percent(11),
		"{support_7d:?}"
	);
}

#[test]
fn fast_profile_only_shortens_periods() {
	for (prod, fast) in PRODUCTION.iter().zip(FAST.iter()) {
		assert_eq!(prod.id, fast.id);
		assert_eq!(prod.info.name, fast.info.name);
		assert_eq!(prod.info.decision_deposit, fast.info.decision_deposit);
		assert_eq!(prod.info.max_deciding, fast.info.max_deciding);
		assert_eq!(prod.info.min_approval, fast.info.min_approval);
		assert_eq!(prod.info.min_support, fast.info.min_support);
		assert!(fast.info.prepare_period <= prod.info.prepare_period);
		assert!(fast.info.decision_period <= prod.info.decision_period);
		assert!(fast.info.confirm_period <= prod.info.confirm_period);
		assert!(fast.info.min_enactment_period <= prod.info.min_enactment_period);
		// Minutes, not days: a referendum on a fast chain ends within 10 minutes of 6 s blocks.
		let total =
			fast.info.prepare_period + fast.info.decision_period + fast.info.min_enactment_period;
		assert!(total <= 100, "{} takes {total} blocks", name_of(fast));
	}
	const { assert!(tracks::FAST_TIMINGS.decision_long < tracks::PRODUCTION_TIMINGS.confirm) };
}

#[test]
fn deposits_rise_with_power() {
	let deposit =
		|id| PRODUCTION.iter().find(|t| t.id == id).expect("present").info.decision_deposit;
	assert!(deposit(ids::ROOT) > deposit(ids::REFERENDUM_KILLER));
	assert!(deposit(ids::REFERENDUM_KILLER) > deposit(ids::REFERENDUM_CANCELLER));
	assert!(deposit(ids::BIG_SPENDER) > deposit(ids::SMALL_SPENDER));
	assert_eq!(PRODUCTION[0].info.max_deciding, 1, "one root referendum at a time");
}

#[test]
fn unit_ensures_accept_exactly_their_origin() {
	fn check<E: EnsureOrigin<RuntimeOrigin, Success = ()>>(wanted: Origin) {
		for (origin, _, _) in ALL_ORIGINS {
			let accepted = E::try_origin(RuntimeOrigin::from(origin)).is_ok();
			assert_eq!(accepted, origin == wanted, "{wanted:?} vs {origin:?}");
		}
		assert!(E::try_origin(RuntimeOrigin::root()).is_err(), "Root is not {wanted:?}");
		assert!(E::try_origin(RuntimeOrigin::signed(7)).is_err());
		assert!(E::try_origin(RuntimeOrigin::none()).is_err());
	}
	check::<ComputeAdmin>(Origin::ComputeAdmin);
	check::<MarketAdmin>(Origin::MarketAdmin);
	check::<StakingAdmin>(Origin::StakingAdmin);
	check::<Treasurer>(Origin::Treasurer);
	check::<ReferendumCanceller>(Origin::ReferendumCanceller);
	check::<ReferendumKiller>(Origin::ReferendumKiller);
}

#[test]
fn spenders_yield_their_limits() {
	let limit = |o: Origin| Spender::try_origin(RuntimeOrigin::from(o)).ok();
	assert_eq!(limit(Origin::SmallSpender), Some(SMALL_SPEND_LIMIT));
	assert_eq!(limit(Origin::BigSpender), Some(BIG_SPEND_LIMIT));
	assert_eq!(limit(Origin::Treasurer), Some(TREASURER_SPEND_LIMIT));
	assert_eq!(limit(Origin::ComputeAdmin), None);
	assert!(<Spender as EnsureOrigin<RuntimeOrigin>>::try_origin(RuntimeOrigin::signed(1)).is_err());
	const { assert!(SMALL_SPEND_LIMIT < BIG_SPEND_LIMIT && BIG_SPEND_LIMIT < TREASURER_SPEND_LIMIT) };
}

mod genesis {
	use super::*;
	use codec::Encode;
	use sp_runtime::BuildStorage;

	fn build(parameters: Vec<Vec<u8>>) -> Result<sp_runtime::Storage, String> {
		RuntimeGenesisConfig {
			system: Default::default(),
			origins: crate::GenesisConfig { parameters, _config: Default::default() },
		}
		.build_storage()
	}

	#[test]
	fn the_preset_parameters_are_set_in_order() {
		Recorded::take();
		build(vec![7u32.encode(), 9u32.encode()]).expect("builds");
		assert_eq!(Recorded::get(), vec![7, 9]);
	}

	#[test]
	#[should_panic(expected = "genesis parameter 1 does not decode")]
	fn an_undecodable_parameter_fails_the_genesis_build() {
		let _ = build(vec![7u32.encode(), vec![1, 2]]);
	}

	#[test]
	#[should_panic(expected = "genesis parameter 0 refused")]
	fn a_refused_parameter_fails_the_genesis_build() {
		let _ = build(vec![0u32.encode()]);
	}
}
