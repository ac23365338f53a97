//! Governance on the whole runtime, blocks built through `frame_executive`: a `ComputeAdmin`
//! referendum changes a compute parameter while plain accounts cannot; a rejected referendum gives
//! its deposits back; a small-spender referendum pays from the treasury within its limit; the
//! tracks and every pallet's `integrity_test` hold; the v1 migration moves sudo-era periods into
//! pallet-parameters. Works with either track profile (the loops are bounded by the tracks' own
//! periods), though `scripts/test.sh` runs it with `fast-runtime`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::common::{advance, new_ext};
use airtime_runtime::{
	configs::{
		compute::treasury_account,
		governance::Tracks,
		parameters::{dynamic_params::compute, RuntimeParameters},
	},
	AccountId, AllPalletsWithSystem, Balance, Balances, OriginCaller, Preimage, Referenda, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, System, Treasury, AIR,
};
use codec::Encode;
use frame_support::traits::{
	fungible::{Inspect, InspectHold},
	schedule::DispatchTime,
	Get, IntegrityTest, StorePreimage,
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_governance::Origin as GovOrigin;
use pallet_referenda::{ReferendumInfo, TracksInfo};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, DispatchError, Perbill};

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

fn signed(k: Sr25519Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(account(k))
}

/// Builds blocks until `done` holds, at most the whole life of a referendum on `track`.
fn advance_until(track: u16, mut done: impl FnMut() -> bool) {
	let info = Tracks::info(track).expect("known track");
	let bound = info.prepare_period
		+ info.decision_period
		+ info.confirm_period
		+ info.min_enactment_period
		+ 10;
	for _ in 0..bound {
		if done() {
			return;
		}
		advance(1);
	}
	assert!(done(), "not done within {bound} blocks on track {track}");
}

fn set_protocol_fee(fee: Perbill) -> RuntimeCall {
	RuntimeCall::Parameters(pallet_parameters::Call::set_parameter {
		key_value: RuntimeParameters::Compute(compute::Parameters::ProtocolFee(
			compute::ProtocolFee,
			Some(fee),
		)),
	})
}

/// Submits `call` as a referendum for `origin`, places the decision deposit, and has four dev
/// accounts vote `aye` (or nay) with 900 000 AIR each at 1x conviction. Returns its index.
fn propose_and_vote(origin: OriginCaller, call: RuntimeCall, aye: bool) -> u32 {
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	let proposal = <Preimage as StorePreimage>::bound(call).expect("small call");
	Referenda::submit(
		signed(Sr25519Keyring::Alice),
		Box::new(origin),
		proposal,
		DispatchTime::After(0),
	)
	.expect("submitted");
	Referenda::place_decision_deposit(signed(Sr25519Keyring::Alice), index).expect("deposit");
	for voter in
		[Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave, Sr25519Keyring::Eve]
	{
		pallet_conviction_voting::Pallet::<Runtime>::vote(
			signed(voter),
			index,
			AccountVote::Standard {
				vote: Vote { aye, conviction: Conviction::Locked1x },
				balance: 900_000 * AIR,
			},
		)
		.expect("voted");
	}
	index
}

/// Alice proposes setting the compute protocol fee to `percent` as `ComputeAdmin`; the dev
/// accounts vote `aye` or nay. Returns Alice's balance before and the referendum index.
fn fee_referendum(percent: u32, aye: bool) -> (Balance, u32) {
	let free_before = Balances::balance(&account(Sr25519Keyring::Alice));
	let index = propose_and_vote(
		OriginCaller::Origins(GovOrigin::ComputeAdmin),
		set_protocol_fee(Perbill::from_percent(percent)),
		aye,
	);
	(free_before, index)
}

fn approved(index: u32) -> bool {
	matches!(
		pallet_referenda::ReferendumInfoFor::<Runtime>::get(index),
		Some(ReferendumInfo::Approved(..))
	)
}

fn dispatched_ok() -> usize {
	System::events()
		.iter()
		.filter(|r| {
			matches!(
				&r.event,
				RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched { result: Ok(()), .. })
			)
		})
		.count()
}

fn start() {
	advance(1);
}

#[test]
fn every_pallet_passes_its_integrity_test_and_the_tracks_are_sorted() {
	new_ext(DEV).execute_with(|| {
		<AllPalletsWithSystem as IntegrityTest>::integrity_test();
		Tracks::check_integrity().expect("sorted");
		let ids: Vec<_> = Tracks::track_ids().collect();
		assert_eq!(ids, vec![0, 1, 2, 10, 11, 12, 20, 21, 22]);
	});
}

#[test]
fn the_presets_write_every_governed_parameter_at_genesis() {
	let launch = airtime_runtime::configs::parameters::launch_parameters();
	let compute = launch.iter().filter(|p| matches!(p, RuntimeParameters::Compute(_))).count();
	let market = launch.iter().filter(|p| matches!(p, RuntimeParameters::Market(_))).count();
	let credits = launch.iter().filter(|p| matches!(p, RuntimeParameters::Credits(_))).count();
	let staking = launch.iter().filter(|p| matches!(p, RuntimeParameters::Staking(_))).count();
	assert_eq!(
		(compute, market, credits, staking),
		(18, 9, 2, 9),
		"every compute, data market, credits and staking parameter"
	);
	assert_eq!(launch.len(), compute + market + credits + staking);
	for preset in [DEV, sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET] {
		new_ext(preset).execute_with(|| {
			let stored: Vec<_> = pallet_parameters::Parameters::<Runtime>::iter().collect();
			assert_eq!(stored.len(), launch.len(), "{preset}: one entry per parameter");
			for parameter in &launch {
				let (key, value) =
					frame_support::traits::dynamic_params::AggregatedKeyValue::into_parts(
						parameter.clone(),
					);
				assert_eq!(
					pallet_parameters::Parameters::<Runtime>::get(&key),
					value,
					"{preset}: {key:?}"
				);
			}
			assert_eq!(
				compute::ChallengePeriod::get(),
				airtime_runtime::configs::parameters::launch::CHALLENGE_PERIOD
			);
		});
	}
}

#[test]
fn compute_parameters_need_compute_admin_or_root() {
	new_ext(DEV).execute_with(|| {
		start();
		let call = set_protocol_fee(Perbill::from_percent(7));
		for origin in [
			signed(Sr25519Keyring::Alice),
			RuntimeOrigin::from(GovOrigin::MarketAdmin),
			RuntimeOrigin::from(GovOrigin::StakingAdmin),
			RuntimeOrigin::from(GovOrigin::Treasurer),
		] {
			let err = call.clone().dispatch(origin).unwrap_err().error;
			assert_eq!(err, DispatchError::BadOrigin);
			assert_eq!(compute::ProtocolFee::get(), Perbill::from_percent(5), "unchanged");
		}
		call.clone().dispatch(RuntimeOrigin::from(GovOrigin::ComputeAdmin)).unwrap();
		assert_eq!(compute::ProtocolFee::get(), Perbill::from_percent(7));
		set_protocol_fee(Perbill::from_percent(6)).dispatch(RuntimeOrigin::root()).unwrap();
		assert_eq!(compute::ProtocolFee::get(), Perbill::from_percent(6));
	});
}

#[test]
fn a_compute_admin_referendum_changes_the_protocol_fee() {
	new_ext(DEV).execute_with(|| {
		start();
		let alice = account(Sr25519Keyring::Alice);
		let (free_before, index) = fee_referendum(8, true);
		let info = Tracks::info(pallet_governance::tracks::ids::COMPUTE_ADMIN).unwrap();
		let deposits =
			info.decision_deposit + <Runtime as pallet_referenda::Config>::SubmissionDeposit::get();
		assert_eq!(free_before - Balances::balance(&alice), deposits, "both deposits reserved");

		advance_until(20, || approved(index));
		assert_eq!(compute::ProtocolFee::get(), Perbill::from_percent(5), "not before enactment");
		advance_until(20, || compute::ProtocolFee::get() == Perbill::from_percent(8));
		assert_eq!(dispatched_ok(), 1);

		// Approved: both deposits come back.
		Referenda::refund_decision_deposit(signed(Sr25519Keyring::Bob), index).unwrap();
		Referenda::refund_submission_deposit(signed(Sr25519Keyring::Bob), index).unwrap();
		assert_eq!(Balances::balance(&alice), free_before);
	});
}

#[test]
fn a_rejected_referendum_refunds_its_decision_deposit_and_changes_nothing() {
	new_ext(DEV).execute_with(|| {
		start();
		let alice = account(Sr25519Keyring::Alice);
		let (free_before, index) = fee_referendum(50, false);
		advance_until(20, || {
			matches!(
				pallet_referenda::ReferendumInfoFor::<Runtime>::get(index),
				Some(ReferendumInfo::Rejected(..))
			)
		});
		assert_eq!(compute::ProtocolFee::get(), Perbill::from_percent(5));
		// The decision deposit comes back; the submission deposit is the price of a rejected
		// proposal (pallet-referenda refunds it only for approved or cancelled referenda).
		Referenda::refund_decision_deposit(signed(Sr25519Keyring::Bob), index).unwrap();
		assert_eq!(
			Referenda::refund_submission_deposit(signed(Sr25519Keyring::Bob), index).unwrap_err(),
			pallet_referenda::Error::<Runtime>::BadStatus.into()
		);
		let submission = <Runtime as pallet_referenda::Config>::SubmissionDeposit::get();
		assert_eq!(free_before - Balances::balance(&alice), submission);
		// Votes stay locked for the conviction period, then unlock.
		let bob = account(Sr25519Keyring::Bob);
		let class = pallet_governance::tracks::ids::COMPUTE_ADMIN;
		pallet_conviction_voting::Pallet::<Runtime>::remove_vote(
			signed(Sr25519Keyring::Bob),
			Some(class),
			index,
		)
		.unwrap();
		advance(<Runtime as pallet_conviction_voting::Config>::VoteLockingPeriod::get() + 1);
		pallet_conviction_voting::Pallet::<Runtime>::unlock(
			signed(Sr25519Keyring::Bob),
			class,
			bob.clone().into(),
		)
		.unwrap();
		assert!(pallet_balances::Locks::<Runtime>::get(&bob).is_empty(), "lock released");
	});
}

#[test]
fn a_small_spender_referendum_pays_from_the_treasury_within_its_limit() {
	new_ext(DEV).execute_with(|| {
		start();
		let treasury = treasury_account();
		let ferdie = account(Sr25519Keyring::Ferdie);
		pallet_balances::Pallet::<Runtime>::transfer_keep_alive(
			signed(Sr25519Keyring::Alice),
			treasury.clone().into(),
			50_000 * AIR,
		)
		.unwrap();
		let amount: Balance = 5_000 * AIR;
		let spend = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount,
			beneficiary: Box::new(ferdie.clone().into()),
			valid_from: None,
		});
		// Above the small spender's limit, the origin is refused.
		let too_much = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: pallet_governance::SMALL_SPEND_LIMIT + 1,
			beneficiary: Box::new(ferdie.clone().into()),
			valid_from: None,
		});
		let err = too_much.dispatch(RuntimeOrigin::from(GovOrigin::SmallSpender)).unwrap_err();
		assert_eq!(err.error, pallet_treasury::Error::<Runtime>::InsufficientPermission.into());

		let index = propose_and_vote(OriginCaller::Origins(GovOrigin::SmallSpender), spend, true);
		advance_until(11, || pallet_treasury::SpendCount::<Runtime>::get() == 1);
		assert!(approved(index));
		let before = Balances::balance(&ferdie);
		Treasury::payout(signed(Sr25519Keyring::Charlie), 0).unwrap();
		assert_eq!(Balances::balance(&ferdie) - before, amount);
		assert_eq!(
			Balances::balance(&treasury),
			50_000 * AIR + airtime_runtime::EXISTENTIAL_DEPOSIT - amount
		);
		// Paid once only.
		assert!(Treasury::payout(signed(Sr25519Keyring::Charlie), 0).is_err());
	});
}

#[test]
fn a_preimage_holds_its_deposit_until_unnoted() {
	new_ext(DEV).execute_with(|| {
		start();
		let alice = account(Sr25519Keyring::Alice);
		let bytes = set_protocol_fee(Perbill::from_percent(9)).encode();
		let hash = sp_io::hashing::blake2_256(&bytes).into();
		Preimage::note_preimage(signed(Sr25519Keyring::Alice), bytes.clone()).unwrap();
		let reason =
			airtime_runtime::RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
		let held = Balances::balance_on_hold(&reason, &alice);
		assert_eq!(
			held,
			airtime_runtime::deposit(2, 64) + airtime_runtime::deposit(0, bytes.len() as u32)
		);
		Preimage::unnote_preimage(signed(Sr25519Keyring::Alice), hash).unwrap();
		assert_eq!(Balances::balance_on_hold(&reason, &alice), 0);
	});
}

mod migration_v1 {
	use super::*;
	use airtime_runtime::migrations::v1::{old_key, MoveComputeParameters};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	fn put_old(name: &str, value: u32) {
		frame_support::storage::unhashed::put_raw(&old_key(name), &value.encode());
	}

	#[test]
	fn moves_set_periods_into_pallet_parameters_once() {
		new_ext(DEV).execute_with(|| {
			start();
			// A chain from before governance: the origins pallet is new (version 0) and sudo had
			// set two periods at their old keys.
			StorageVersion::new(0).put::<pallet_governance::Pallet<Runtime>>();
			put_old("ChallengePeriod", 77);
			put_old("UnbondingPeriod", 1_234);
			let default_reveal = compute::RevealPeriod::get();

			#[cfg(feature = "try-runtime")]
			MoveComputeParameters::try_on_runtime_upgrade(true).expect("pre and post checks pass");
			#[cfg(not(feature = "try-runtime"))]
			MoveComputeParameters::on_runtime_upgrade();

			assert_eq!(compute::ChallengePeriod::get(), 77);
			assert_eq!(compute::UnbondingPeriod::get(), 1_234);
			assert_eq!(compute::RevealPeriod::get(), default_reveal, "unset stays default");
			for name in ["ChallengePeriod", "UnbondingPeriod"] {
				assert!(frame_support::storage::unhashed::get_raw(&old_key(name)).is_none());
			}
			assert_eq!(
				pallet_governance::Pallet::<Runtime>::on_chain_storage_version(),
				StorageVersion::new(1)
			);

			// Run again (version 1): skipped, a stray old key is left alone.
			put_old("ChallengePeriod", 5);
			MoveComputeParameters::on_runtime_upgrade();
			assert_eq!(compute::ChallengePeriod::get(), 77);
		});
	}

	#[test]
	fn a_new_chain_starts_at_version_1() {
		new_ext(DEV).execute_with(|| {
			assert_eq!(
				pallet_governance::Pallet::<Runtime>::on_chain_storage_version(),
				StorageVersion::new(1)
			);
		});
	}

	/// The whole runtime's upgrade path as `try-runtime` runs it on a live chain: every
	/// migration's pre/post checks and every pallet's `try_state`.
	#[cfg(feature = "try-runtime")]
	#[test]
	fn try_runtime_upgrade_passes_on_the_dev_genesis() {
		new_ext(DEV).execute_with(|| {
			start();
			airtime_runtime::Executive::try_runtime_upgrade(
				frame_try_runtime::UpgradeCheckSelect::All,
			)
			.expect("migrations and try_state pass");
		});
	}
}

#[test]
fn bad_input_is_refused_with_the_pallets_own_errors() {
	new_ext(DEV).execute_with(|| {
		start();
		let remark = RuntimeCall::System(frame_system::Call::remark_with_event { remark: vec![1] });
		let bound = || <Preimage as StorePreimage>::bound(remark.clone()).unwrap();
		// Unknown track: a signed origin has none, so it cannot be proposed.
		let signed_origin =
			OriginCaller::system(frame_system::RawOrigin::Signed(account(Sr25519Keyring::Bob)));
		let err = Referenda::submit(
			signed(Sr25519Keyring::Alice),
			Box::new(signed_origin),
			bound(),
			DispatchTime::After(0),
		)
		.unwrap_err();
		assert_eq!(err, pallet_referenda::Error::<Runtime>::NoTrack.into());
		assert_eq!(pallet_referenda::ReferendumCount::<Runtime>::get(), 0, "nothing created");

		// Insufficient deposit: an account that cannot reserve the submission deposit.
		let pauper = AccountId::new([9u8; 32]);
		pallet_balances::Pallet::<Runtime>::transfer_keep_alive(
			signed(Sr25519Keyring::Alice),
			pauper.clone().into(),
			AIR,
		)
		.unwrap();
		let root = || Box::new(OriginCaller::system(frame_system::RawOrigin::Root));
		assert!(Referenda::submit(
			RuntimeOrigin::signed(pauper.clone()),
			root(),
			bound(),
			DispatchTime::After(0)
		)
		.is_err());
		assert_eq!(Balances::balance(&pauper), AIR, "nothing taken");

		// A referendum whose preimage is never noted: it can pass, but enactment finds no call;
		// nothing is locked for good (both deposits come back).
		let missing = frame_support::traits::Bounded::Lookup {
			hash: sp_core::H256::repeat_byte(0xab),
			len: 40,
		};
		Referenda::submit(signed(Sr25519Keyring::Alice), root(), missing, DispatchTime::After(0))
			.unwrap();
		Referenda::place_decision_deposit(signed(Sr25519Keyring::Alice), 0).unwrap();
		assert_eq!(
			Referenda::place_decision_deposit(signed(Sr25519Keyring::Bob), 0).unwrap_err(),
			pallet_referenda::Error::<Runtime>::HasDeposit.into()
		);
		// Voting beyond one's balance, or on a referendum that does not exist.
		let vote = |balance| AccountVote::Standard {
			vote: Vote { aye: true, conviction: Conviction::Locked6x },
			balance,
		};
		assert_eq!(
			pallet_conviction_voting::Pallet::<Runtime>::vote(
				signed(Sr25519Keyring::Bob),
				0,
				vote(2_000_000 * AIR)
			)
			.unwrap_err(),
			pallet_conviction_voting::Error::<Runtime>::InsufficientFunds.into()
		);
		assert_eq!(
			pallet_conviction_voting::Pallet::<Runtime>::vote(
				signed(Sr25519Keyring::Bob),
				7,
				vote(AIR)
			)
			.unwrap_err(),
			pallet_conviction_voting::Error::<Runtime>::NotOngoing.into()
		);
		for voter in [Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave] {
			pallet_conviction_voting::Pallet::<Runtime>::vote(
				signed(voter),
				0,
				vote(900_000 * AIR),
			)
			.unwrap();
		}
		advance_until(0, || {
			System::events().iter().any(|r| {
				matches!(
					r.event,
					RuntimeEvent::Scheduler(pallet_scheduler::Event::CallUnavailable { .. })
				)
			})
		});
		assert!(approved(0));
		let alice = account(Sr25519Keyring::Alice);
		Referenda::refund_decision_deposit(signed(Sr25519Keyring::Bob), 0).unwrap();
		Referenda::refund_submission_deposit(signed(Sr25519Keyring::Bob), 0).unwrap();
		// Only her validator bond stays on hold.
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::reserved_balance(&alice),
			airtime_runtime::genesis_config_presets::VALIDATOR_BOND
		);

		// A preimage above pallet-preimage's 4 MiB limit is refused.
		let too_big = vec![0u8; pallet_preimage::MAX_SIZE as usize + 1];
		assert_eq!(
			Preimage::note_preimage(signed(Sr25519Keyring::Alice), too_big).unwrap_err(),
			pallet_preimage::Error::<Runtime>::TooBig.into()
		);
	});
}

/// pallet-compute's treasury share of protocol fees (and its slashes) land in the treasury
/// pallet's pot, which the spender tracks spend from.
#[test]
fn compute_fees_and_slashes_flow_into_the_treasury_pot() {
	use frame_support::traits::{fungible::Balanced, OnUnbalanced};
	new_ext(DEV).execute_with(|| {
		start();
		let pot_before = Treasury::pot();
		let fee = <Balances as Balanced<AccountId>>::issue(70 * AIR);
		<Runtime as pallet_compute::Config>::OnProtocolFeeTreasury::on_unbalanced(fee);
		let slash = <Balances as Balanced<AccountId>>::issue(30 * AIR);
		<Runtime as pallet_compute::Config>::OnSlash::on_unbalanced(slash);
		assert_eq!(Treasury::pot() - pot_before, 100 * AIR);
		assert_eq!(treasury_account(), pallet_treasury::Pallet::<Runtime>::account_id());
	});
}
