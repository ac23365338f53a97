//! The data market on the whole runtime, blocks built through `frame_executive`: a compute job
//! that reads a dataset pays the dataset's owner its royalty (and per-use price) when it
//! settles, its output becomes a derived dataset with lineage, a cancelled job returns the
//! charges; disputes are decided only by Root or a `MarketAdmin` referendum, and the market's
//! parameters are written at genesis and governed by `MarketAdmin`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::common::{advance, int8_job_spec, new_ext, register_int8_provider};
use airtime_primitives::data::{DatasetUsage, License};
use airtime_runtime::{
	configs::{
		compute::treasury_account,
		data_market::curator_pot_account,
		parameters::{dynamic_params::market, RuntimeParameters},
	},
	AccountId, Balance, Balances, Compute, DataMarket, Parameters, Runtime, RuntimeOrigin, AIR,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, Get},
	BoundedVec,
};
use pallet_governance::Origin as GovOrigin;
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave};
use sp_runtime::{DispatchError, Perbill};

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
const PRICE: Balance = 10 * AIR;
const ROYALTY: Balance = 2 * AIR;

fn free(who: &AccountId) -> Balance {
	Balances::free_balance(who)
}

fn check_invariants() {
	DataMarket::do_try_state().expect("data market invariants");
	Compute::do_try_state().expect("compute invariants");
}

/// Alice lists a 4-chunk dataset; returns its id.
fn list_dataset() -> u64 {
	let id = pallet_data_market::NextDatasetId::<Runtime>::get();
	assert_ok!(DataMarket::list_dataset(
		RuntimeOrigin::signed(Alice.to_account_id()),
		H256::repeat_byte(1),
		4_096,
		4,
		License::CcBy,
		None,
		PRICE,
		ROYALTY,
		H256::repeat_byte(2),
		BoundedVec::new(),
	));
	id
}

/// Bob registers as an int8 GEMM provider at 1 milli-AIR per unit.
fn register_provider() {
	register_int8_provider(&Bob.to_account_id());
}

/// Charlie submits an int8 GEMM job of 100 units reading `datasets`, due in 20 blocks.
fn try_submit_job(datasets: Vec<u64>) -> sp_runtime::DispatchResult {
	Compute::submit_job(
		RuntimeOrigin::signed(Charlie.to_account_id()),
		int8_job_spec(datasets),
		AIR,
		20,
		1,
	)
	.map(|_| ())
	.map_err(|e| e.error)
}

/// Charlie submits a job reading `dataset`; returns the job id.
fn submit_job(dataset: u64) -> u64 {
	let id = pallet_compute::NextJobId::<Runtime>::get();
	assert_ok!(try_submit_job(vec![dataset]));
	id
}

fn use_escrow(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&pallet_data_market::HoldReason::UseEscrow.into(), who)
}

#[test]
fn a_job_on_a_dataset_pays_the_owner_and_its_output_becomes_a_derived_dataset() {
	new_ext(DEV).execute_with(|| {
		advance(1);
		let dataset = list_dataset();
		register_provider();
		let alice = Alice.to_account_id();
		let charlie = Charlie.to_account_id();
		let alice_before = free(&alice);
		let pot_before = free(&curator_pot_account());
		let treasury_before = free(&treasury_account());

		// Charlie has no access: the job owes the royalty and the per-use price.
		let job = submit_job(dataset);
		assert_eq!(use_escrow(&charlie), ROYALTY + PRICE);
		check_invariants();

		assert_ok!(Compute::accept_job(RuntimeOrigin::signed(Bob.to_account_id()), job));
		let output = H256::repeat_byte(0x0f);
		assert_ok!(Compute::submit_attestation(
			RuntimeOrigin::signed(Bob.to_account_id()),
			job,
			output,
			50
		));
		let challenge: u32 = <Runtime as pallet_compute::Config>::ChallengePeriod::get();
		advance(challenge + 2);
		assert!(pallet_compute::Jobs::<Runtime>::get(job).is_none(), "the job settled");

		let charge = ROYALTY + PRICE;
		let fee_rate: Perbill = market::ProtocolFee::get();
		let fee = fee_rate.mul_ceil(charge);
		assert_eq!(free(&alice) - alice_before, charge - fee, "owner paid net of the fee");
		let to_pot = <Runtime as pallet_data_market::Config>::FeeToCurators::get().mul_floor(fee);
		assert_eq!(free(&curator_pot_account()) - pot_before, to_pot);
		// The rest is split by `ProtocolFeeSplit`: 40 % to the staking pot, the remainder to the
		// treasury.
		let rest = fee - to_pot;
		assert!(
			free(&treasury_account()) - treasury_before
				>= rest - Perbill::from_percent(40).mul_floor(rest)
		);
		assert_eq!(use_escrow(&charlie), 0);
		check_invariants();

		// The output is registered as a dataset derived from the one the job read.
		let derived = pallet_data_market::NextDatasetId::<Runtime>::get();
		assert_ok!(DataMarket::register_derived(
			RuntimeOrigin::signed(charlie.clone()),
			job,
			output,
			1_024,
			1,
			License::CcBy,
			None,
			PRICE,
			0,
			H256::repeat_byte(4),
		));
		let view = DataMarket::dataset_view(derived).unwrap();
		assert_eq!(view.parents, vec![dataset]);
		assert_eq!(view.source_job, Some((job, output)));
		let lineage = DataMarket::lineage(derived, 4);
		assert_eq!(lineage.iter().map(|n| n.dataset).collect::<Vec<_>>(), vec![derived, dataset]);
		check_invariants();
	});
}

#[test]
fn a_cancelled_job_returns_the_dataset_charges() {
	new_ext(DEV).execute_with(|| {
		advance(1);
		let dataset = list_dataset();
		let charlie = Charlie.to_account_id();
		let before = free(&charlie);
		let job = submit_job(dataset);
		assert!(use_escrow(&charlie) > 0);
		assert_ok!(Compute::cancel_job(RuntimeOrigin::signed(charlie.clone()), job));
		assert_eq!(use_escrow(&charlie), 0);
		assert_eq!(free(&charlie), before, "budget, deposits and charges all returned");
		assert!(pallet_data_market::JobUses::<Runtime>::get(job).is_none());
		check_invariants();
	});
}

#[test]
fn a_job_naming_an_unknown_dataset_is_refused() {
	new_ext(DEV).execute_with(|| {
		advance(1);
		assert_noop!(
			try_submit_job(vec![42]),
			pallet_data_market::Error::<Runtime>::UnknownDataset
		);
	});
}

#[test]
fn the_glue_weights_are_charged_to_compute_calls() {
	type D = DataMarket;
	let begin = <D as DatasetUsage<AccountId, Balance>>::begin_use_weight(16);
	let end = <D as DatasetUsage<AccountId, Balance>>::end_use_weight(16);
	assert!(begin.ref_time() > 0 && end.ref_time() > 0);
	assert!(
		Compute::due_job_weight().ref_time() >= end.ref_time(),
		"processing a due job includes telling the market"
	);
}

#[test]
fn disputes_are_decided_only_by_root_or_a_market_admin_referendum() {
	new_ext(DEV).execute_with(|| {
		advance(1);
		assert_noop!(
			DataMarket::resolve_dispute(RuntimeOrigin::signed(Dave.to_account_id()), 0, true),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DataMarket::resolve_dispute(RuntimeOrigin::from(GovOrigin::ComputeAdmin), 0, true),
			DispatchError::BadOrigin
		);
		// The right origin gets past the origin check to the purchase lookup.
		assert_noop!(
			DataMarket::resolve_dispute(RuntimeOrigin::from(GovOrigin::MarketAdmin), 0, true),
			pallet_data_market::Error::<Runtime>::UnknownPurchase
		);
		assert_noop!(
			DataMarket::resolve_claim(
				RuntimeOrigin::root(),
				0,
				airtime_primitives::data::ClaimKind::Schema,
				true
			),
			pallet_data_market::Error::<Runtime>::UnknownClaim
		);
	});
}

#[test]
fn market_parameters_are_set_at_genesis_and_governed_by_market_admin() {
	new_ext(DEV).execute_with(|| {
		advance(1);
		let key = RuntimeParameters::Market(market::Parameters::DeliveryPeriod(
			market::DeliveryPeriod,
			Some(77),
		));
		// Written at genesis: the key is in state, not only the compiled default.
		assert!(pallet_parameters::Parameters::<Runtime>::get(
			airtime_runtime::configs::RuntimeParametersKey::Market(
				market::ParametersKey::DeliveryPeriod(market::DeliveryPeriod)
			)
		)
		.is_some());
		assert_noop!(
			Parameters::set_parameter(RuntimeOrigin::from(GovOrigin::ComputeAdmin), key.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Parameters::set_parameter(RuntimeOrigin::signed(Alice.to_account_id()), key.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(Parameters::set_parameter(RuntimeOrigin::from(GovOrigin::MarketAdmin), key));
		let period: u32 = <Runtime as pallet_data_market::Config>::DeliveryPeriod::get();
		assert_eq!(period, 77);
	});
}
