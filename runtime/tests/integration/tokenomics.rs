//! The issuance table of `docs/tokenomics.md`, computed by the real reward code.
//!
//! Starting from the `local_testnet` genesis (four validators), it runs five years of eras of the
//! production length (6 hours) through pallet-session's rotation and pallet-staking's era end,
//! exactly as blocks do, with every validator earning the same points. It then checks:
//! - total issuance grows by exactly what `staking.EraPaid` reports, and by nothing else;
//! - each era mints `rate(year) × issuance × 6 h / year` (the closed form below, in f64, agrees
//!   to 1e-9), the yearly rate following the governed curve (8 %, falling 15 % a year, floor
//!   2 %), and 10 % of it goes to the treasury;
//! - the table in `docs/tokenomics.md` is the one computed here (`AIRTIME_BLESS_TOKENOMICS=1`
//!   rewrites it).

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::arithmetic_side_effects,
	clippy::indexing_slicing
)]

use airtime_runtime::{
	configs::parameters::launch, Balances, Runtime, RuntimeEvent, Session, Staking, System, AIR,
};
use frame_support::traits::{Get, Hooks};
use pallet_staking::{ActiveEra, TotalInflationMinted};
use sp_runtime::Perquintill;

const HOUR_MS: u64 = 3_600_000;
/// The production era: 6 sessions of 1 hour.
const ERA_MS: u64 = 6 * HOUR_MS;
const YEAR_MS: u64 = 31_557_600_000;
const ERAS_PER_YEAR: u64 = YEAR_MS / ERA_MS;
const YEARS: u64 = 5;
const BEGIN: &str = "<!-- tokenomics-table:begin (runtime/tests/integration/tokenomics.rs) -->";
const END: &str = "<!-- tokenomics-table:end -->";

fn air(x: u128) -> String {
	let whole = x / AIR;
	let s = whole.to_string();
	let mut out = String::new();
	for (i, c) in s.chars().enumerate() {
		if i > 0 && (s.len() - i).is_multiple_of(3) {
			out.push(',');
		}
		out.push(c);
	}
	out
}

fn pct(x: f64) -> String {
	format!("{:.3} %", x * 100.0)
}

/// The yearly rate in `year` as the launch parameters define it (f64).
fn rate_f64(year: u64) -> f64 {
	let to_f = |p: Perquintill| p.deconstruct() as f64 / 1e18;
	let mut r = to_f(launch::YEARLY_INFLATION);
	for _ in 0..year {
		r *= 1.0 - to_f(launch::INFLATION_DECAY);
	}
	r.max(to_f(launch::MIN_INFLATION))
}

/// What one era's end paid, from its `EraPaid` event.
struct EraPaid {
	inflation: u128,
	to_stakers: u128,
	to_treasury: u128,
}

/// Ends the active era at `now` as blocks do (points for every validator, sessions rotated
/// until the next era starts, its start stamped in `on_finalize`), and returns what it paid.
fn end_era(now: u64, block: u32, validators: &[airtime_runtime::AccountId]) -> EraPaid {
	let sessions_per_era: u32 = <Runtime as pallet_staking::Config>::SessionsPerEra::get();
	System::set_block_number(block);
	System::reset_events();
	// The clock is set directly: `Timestamp::set` would make Aura check the slot.
	pallet_timestamp::Now::<Runtime>::put(now);
	Staking::reward_by_ids(validators.iter().map(|v| (v.clone(), 20)));
	let before = Balances::total_issuance();
	let active = ActiveEra::<Runtime>::get().unwrap().index;
	let mut rotations = 0;
	while ActiveEra::<Runtime>::get().unwrap().index == active {
		Session::rotate_session();
		rotations += 1;
		assert!(rotations <= 2 * sessions_per_era, "era {active} never ended");
	}
	Staking::on_finalize(block);
	let paid: Vec<_> = System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Staking(pallet_staking::Event::EraPaid {
				inflation,
				to_stakers,
				to_treasury,
				from_fees,
				..
			}) => Some((inflation, to_stakers, to_treasury, from_fees)),
			_ => None,
		})
		.collect();
	assert_eq!(paid.len(), 1, "one EraPaid per era");
	let (inflation, to_stakers, to_treasury, from_fees) = paid[0];
	assert_eq!(from_fees, 0, "no transactions, no fees");
	assert_eq!(to_stakers + to_treasury, inflation);
	assert_eq!(Balances::total_issuance() - before, inflation, "issuance grows by EraPaid");
	// 10 % of the era's inflation to the treasury (rounded down), the rest to stakers.
	assert_eq!(to_treasury, launch::INFLATION_TO_TREASURY.mul_floor(inflation));
	EraPaid { inflation, to_stakers, to_treasury }
}

#[test]
fn five_years_of_issuance_follow_the_curve() {
	let mut ext = crate::common::new_ext("local_testnet");
	let mut now = 1_700_000_000_000u64;
	let (validators, genesis) = ext.execute_with(|| {
		assert_eq!(TotalInflationMinted::<Runtime>::get(), 0);
		pallet_timestamp::Now::<Runtime>::put(now);
		Staking::on_finalize(1);
		(Session::validators(), Balances::total_issuance())
	});
	assert_eq!(validators.len(), 4);

	let mut model = genesis as f64;
	let mut rows = Vec::new();
	let mut year_start_issuance = genesis;
	for year in 0..YEARS {
		let (mut year_stakers, mut year_treasury) = (0u128, 0u128);
		for era in 0..ERAS_PER_YEAR {
			now += ERA_MS;
			let block = (year * ERAS_PER_YEAR + era + 2) as u32;
			let paid = ext.execute_with(|| end_era(now, block, &validators));
			assert!(paid.inflation > 0);
			model *= 1.0 + rate_f64(year) * ERA_MS as f64 / YEAR_MS as f64;
			year_stakers += paid.to_stakers;
			year_treasury += paid.to_treasury;
			// Keep the overlay small: a long run of uncommitted changes slows every access.
			if era % 64 == 0 {
				ext.commit_all().unwrap();
			}
		}
		let issuance = ext.execute_with(Balances::total_issuance);
		let rel = (issuance as f64 - model).abs() / model;
		assert!(rel < 1e-9, "year {}: simulated {issuance} vs closed form {model}", year + 1);
		rows.push(format!(
			"| {} | {} | {} | {} | {} | {} | {} |",
			year + 1,
			pct(rate_f64(year)),
			air(year_stakers),
			air(year_treasury),
			air(issuance),
			pct(issuance as f64 / year_start_issuance as f64 - 1.0),
			pct(issuance as f64 / genesis as f64 - 1.0),
		));
		year_start_issuance = issuance;
	}
	ext.execute_with(|| {
		assert_eq!(
			TotalInflationMinted::<Runtime>::get(),
			Balances::total_issuance() - genesis,
			"TotalInflationMinted counts every minted planck"
		);
	});

	let table = format!(
		"{BEGIN}\n\nGenesis supply (`local_testnet` preset): **{} AIR**.\n\n\
		 | year | yearly rate | to stakers (AIR) | to treasury (AIR) | total issuance at year end (AIR) | growth in the year | growth since genesis |\n\
		 |---|---|---|---|---|---|---|\n{}\n\n{END}",
		air(genesis),
		rows.join("\n"),
	);
	let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/tokenomics.md");
	let doc = std::fs::read_to_string(path).expect("docs/tokenomics.md exists");
	let start = doc.find(BEGIN).expect("the doc has the table's begin marker");
	let end = doc.find(END).expect("the doc has the table's end marker") + END.len();
	if std::env::var_os("AIRTIME_BLESS_TOKENOMICS").is_some() {
		let updated = format!("{}{}{}", &doc[..start], table, &doc[end..]);
		std::fs::write(path, updated).unwrap();
	} else {
		assert_eq!(
			&doc[start..end],
			table,
			"docs/tokenomics.md's table is stale: rerun with AIRTIME_BLESS_TOKENOMICS=1"
		);
	}
	println!("{table}");
}
