//! Whole-runtime tests: genesis presets, a transfer block through `frame_executive`, transfer
//! failures, where fees go, and storage deposits against the worst case of their records.

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::arithmetic_side_effects,
	clippy::indexing_slicing
)]

use crate::common::{build_block, new_ext, signed, FIRST_SLOT};
use airtime_runtime::{
	configs::{FEE_TO_AUTHOR, MAX_AUTHORITIES},
	genesis_config_presets::{dev_accounts, ENDOWMENT, VALIDATOR_BOND},
	AccountId, Aura, Balance, Balances, Executive, Grandpa, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeOrigin, System, AIR, EXISTENTIAL_DEPOSIT, SLOT_DURATION, VERSION,
};
use frame_support::{dispatch::GetDispatchInfo, traits::Get};
use sp_genesis_builder::PresetId;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{traits::Dispatchable, DispatchError, TokenError};

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
const LOCAL: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

fn free(who: &AccountId) -> Balance {
	Balances::free_balance(who)
}

/// An account nobody has funded yet.
fn newcomer() -> AccountId {
	AccountId::new([7u8; 32])
}

fn transfer_keep_alive(dest: &AccountId, value: Balance) -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: dest.clone().into(),
		value,
	})
}

fn transfer_allow_death(dest: &AccountId, value: Balance) -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
		dest: dest.clone().into(),
		value,
	})
}

#[test]
fn presets_are_listed_and_unknown_ones_refused() {
	let names = airtime_runtime::genesis_config_presets::preset_names();
	assert_eq!(names, vec![PresetId::from(DEV), PresetId::from(LOCAL)]);
	assert!(airtime_runtime::genesis_config_presets::get_preset(&"mainnet".into()).is_none());
}

#[test]
fn dev_preset_has_alice_as_only_authority_and_no_sudo_key() {
	new_ext(DEV).execute_with(|| {
		let aura: Vec<_> = pallet_aura::Authorities::<Runtime>::get().into_inner();
		assert_eq!(aura, vec![Sr25519Keyring::Alice.public().into()]);
		assert_eq!(
			Grandpa::grandpa_authorities(),
			vec![(Ed25519Keyring::Alice.public().into(), 1)]
		);
		// No account holds Root: the preset has no sudo section, the runtime no sudo pallet.
		let patch: serde_json::Value = serde_json::from_slice(
			&airtime_runtime::genesis_config_presets::get_preset(&DEV.into()).unwrap(),
		)
		.unwrap();
		assert!(patch.get("sudo").is_none());
		let endowed = dev_accounts();
		assert_eq!(endowed.len(), 12, "6 dev accounts and their stashes");
		// Alice, the validator, has bonded part of hers.
		for who in &endowed {
			let bonded = if *who == account(Sr25519Keyring::Alice) { VALIDATOR_BOND } else { 0 };
			assert_eq!(free(who), ENDOWMENT - bonded);
		}
		// The treasury, the staking reward pot, the data market's curator pot and the staking
		// pallet's reward account start with the existential deposit, so small fee and slash
		// credits to them are never dropped.
		let pots = [
			airtime_runtime::configs::compute::treasury_account(),
			airtime_runtime::configs::compute::staking_pot_account(),
			airtime_runtime::configs::data_market::curator_pot_account(),
			airtime_runtime::Staking::account_id(),
		];
		for pot in &pots {
			assert_eq!(free(pot), airtime_runtime::EXISTENTIAL_DEPOSIT);
		}
		assert_eq!(
			Balances::total_issuance(),
			ENDOWMENT * endowed.len() as Balance
				+ pots.len() as Balance * airtime_runtime::EXISTENTIAL_DEPOSIT
		);
	});
}

#[test]
fn local_preset_has_four_validators() {
	new_ext(LOCAL).execute_with(|| {
		let validators = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		];
		// The genesis election orders the set (by backing, then account id); each validator's
		// Aura and GRANDPA keys come from pallet-session in that order.
		let order: Vec<usize> = airtime_runtime::Session::validators()
			.iter()
			.map(|v| validators.iter().position(|k| &k.to_account_id() == v).unwrap())
			.collect();
		assert_eq!(order.len(), 4);
		let aura: Vec<_> = pallet_aura::Authorities::<Runtime>::get().into_inner();
		assert_eq!(aura, order.iter().map(|&i| validators[i].public().into()).collect::<Vec<_>>());
		let grandpa_keys = [
			Ed25519Keyring::Alice,
			Ed25519Keyring::Bob,
			Ed25519Keyring::Charlie,
			Ed25519Keyring::Dave,
		];
		assert_eq!(
			Grandpa::grandpa_authorities(),
			order.iter().map(|&i| (grandpa_keys[i].public().into(), 1)).collect::<Vec<_>>()
		);
		assert!(aura.len() as u32 <= MAX_AUTHORITIES);
		// Each validator bonded part of its endowment.
		assert_eq!(free(&account(Sr25519Keyring::Dave)), ENDOWMENT - VALIDATOR_BOND);
	});
}

#[test]
fn token_and_chain_constants_are_as_documented() {
	new_ext(DEV).execute_with(|| {
		assert_eq!(airtime_runtime::TOKEN_SYMBOL, "AIR");
		assert_eq!(airtime_runtime::TOKEN_DECIMALS, 12);
		assert_eq!(AIR, 1_000_000_000_000);
		assert_eq!(<Runtime as frame_system::Config>::SS58Prefix::get(), 42);
		assert_eq!(
			<<Runtime as pallet_balances::Config>::ExistentialDeposit as Get<Balance>>::get(),
			EXISTENTIAL_DEPOSIT
		);
		assert_eq!(EXISTENTIAL_DEPOSIT, AIR / 100);
		assert_eq!(Aura::slot_duration(), 6_000);
		assert_eq!(SLOT_DURATION, 6_000);
		assert_eq!(VERSION.spec_name, "airtime");
	});
}

/// Builds a block with a signed transfer in one state, then executes that same block through
/// `Executive::execute_block` on a fresh copy of genesis (as an importing node does): state root,
/// extrinsics root and digest must all match, and balances must move by the amount and the fee.
#[test]
fn transfer_block_executes_through_executive_and_pays_the_fee() {
	let bob = Sr25519Keyring::Bob;
	let alice = account(Sr25519Keyring::Alice);
	let amount = 10 * AIR;

	let (block, genesis_issuance) = new_ext(DEV).execute_with(|| {
		let genesis_issuance = Balances::total_issuance();
		let genesis = System::block_hash(0);
		let xt = signed(transfer_keep_alive(&newcomer(), amount), &bob.pair(), 0, 0);
		let (block, results) = build_block(genesis, 1, FIRST_SLOT, vec![xt]);
		assert_eq!(results, vec![Ok(Ok(()))]);
		(block, genesis_issuance)
	});

	new_ext(DEV).execute_with(|| {
		Executive::execute_block(block.clone().into());

		let fee = System::events()
			.into_iter()
			.find_map(|r| match r.event {
				RuntimeEvent::TransactionPayment(
					pallet_transaction_payment::Event::TransactionFeePaid { who, actual_fee, tip },
				) if who == account(bob) => {
					assert_eq!(tip, 0);
					Some(actual_fee)
				},
				_ => None,
			})
			.expect("the transfer paid a fee");
		assert!(fee > 0);

		let to_author = fee * FEE_TO_AUTHOR as Balance / 100;
		assert_eq!(free(&newcomer()), amount);
		assert_eq!(free(&account(bob)), ENDOWMENT - amount - fee);
		assert_eq!(
			free(&alice),
			ENDOWMENT - VALIDATOR_BOND + to_author,
			"the author (Alice) gets her share"
		);
		assert_eq!(
			Balances::total_issuance(),
			genesis_issuance - (fee - to_author),
			"the rest of the fee is burned"
		);
		assert_eq!(System::block_number(), 1);
	});
}

#[test]
fn a_block_with_a_tampered_state_root_is_rejected() {
	let block = new_ext(DEV).execute_with(|| {
		let xt = signed(transfer_keep_alive(&newcomer(), AIR), &Sr25519Keyring::Bob.pair(), 0, 0);
		build_block(System::block_hash(0), 1, FIRST_SLOT, vec![xt]).0
	});
	let mut tampered = block;
	tampered.header.state_root = Default::default();
	new_ext(DEV).execute_with(|| {
		let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
			Executive::execute_block(tampered.into())
		}));
		assert!(result.is_err(), "an importing node must refuse a block with a wrong state root");
	});
}

#[test]
fn tips_go_to_the_author_in_full() {
	let bob = Sr25519Keyring::Bob;
	let alice = account(Sr25519Keyring::Alice);
	new_ext(DEV).execute_with(|| {
		let tip = 3 * AIR;
		let xt = signed(transfer_keep_alive(&newcomer(), AIR), &bob.pair(), 0, tip);
		let (_, results) = build_block(System::block_hash(0), 1, FIRST_SLOT, vec![xt]);
		assert_eq!(results, vec![Ok(Ok(()))]);
		let (fee, paid_tip) = System::events()
			.into_iter()
			.find_map(|r| match r.event {
				RuntimeEvent::TransactionPayment(
					pallet_transaction_payment::Event::TransactionFeePaid {
						actual_fee, tip, ..
					},
				) => Some((actual_fee, tip)),
				_ => None,
			})
			.unwrap();
		assert_eq!(paid_tip, tip);
		// `actual_fee` includes the tip; the author gets 20 % of the rest and all of the tip.
		let base = fee - tip;
		assert_eq!(
			free(&alice),
			ENDOWMENT - VALIDATOR_BOND + base * FEE_TO_AUTHOR as Balance / 100 + tip
		);
	});
}

/// Dispatches `call` as `who` and asserts it fails with `expected`, leaving every balance and the
/// total issuance as they were.
fn assert_fails_unchanged(who: &AccountId, call: RuntimeCall, expected: DispatchError) {
	let watched = [who.clone(), newcomer(), account(Sr25519Keyring::Charlie)];
	let before: Vec<_> = watched.iter().map(free).collect();
	let issuance = Balances::total_issuance();
	let err = call.dispatch(RuntimeOrigin::signed(who.clone())).unwrap_err();
	assert_eq!(err.error, expected);
	assert_eq!(watched.iter().map(free).collect::<Vec<_>>(), before);
	assert_eq!(Balances::total_issuance(), issuance);
}

#[test]
fn keep_alive_transfer_below_existential_deposit_fails() {
	new_ext(DEV).execute_with(|| {
		System::set_block_number(1);
		let bob = account(Sr25519Keyring::Bob);
		// Leaves Bob with half the existential deposit.
		let value = free(&bob) - EXISTENTIAL_DEPOSIT / 2;
		assert_fails_unchanged(
			&bob,
			transfer_keep_alive(&account(Sr25519Keyring::Charlie), value),
			DispatchError::Token(TokenError::NotExpendable),
		);
	});
}

#[test]
fn transfer_creating_an_account_below_existential_deposit_fails() {
	new_ext(DEV).execute_with(|| {
		System::set_block_number(1);
		assert_fails_unchanged(
			&account(Sr25519Keyring::Bob),
			transfer_allow_death(&newcomer(), EXISTENTIAL_DEPOSIT - 1),
			DispatchError::Token(TokenError::BelowMinimum),
		);
	});
}

#[test]
fn transfer_beyond_the_balance_fails() {
	new_ext(DEV).execute_with(|| {
		System::set_block_number(1);
		let bob = account(Sr25519Keyring::Bob);
		assert_fails_unchanged(
			&bob,
			transfer_allow_death(&newcomer(), free(&bob) + 1),
			DispatchError::Token(TokenError::FundsUnavailable),
		);
	});
}

/// A transaction whose dispatch fails still pays its fee (the block did the work), and nothing
/// else moves.
#[test]
fn failed_transfer_in_a_block_charges_only_the_fee() {
	let bob = Sr25519Keyring::Bob;
	new_ext(DEV).execute_with(|| {
		let value = free(&account(bob)) + 1;
		let xt = signed(transfer_allow_death(&newcomer(), value), &bob.pair(), 0, 0);
		let (_, results) = build_block(System::block_hash(0), 1, FIRST_SLOT, vec![xt]);
		let outcome = results.into_iter().next().unwrap().expect("valid transaction");
		assert_eq!(outcome.unwrap_err(), DispatchError::Token(TokenError::FundsUnavailable));
		let fee = ENDOWMENT - free(&account(bob));
		assert!(fee > 0 && fee < AIR, "only a fee was taken: {fee}");
		assert_eq!(free(&newcomer()), 0);
	});
}

#[test]
fn no_account_can_act_as_root() {
	new_ext(DEV).execute_with(|| {
		System::set_block_number(1);
		let call = RuntimeCall::System(frame_system::Call::set_storage { items: vec![] });
		for k in [Sr25519Keyring::Alice, Sr25519Keyring::Bob] {
			let err = call.clone().dispatch(RuntimeOrigin::signed(account(k))).unwrap_err();
			assert_eq!(err.error, DispatchError::BadOrigin);
		}
	});
}

#[test]
fn transfer_weight_fits_many_times_in_a_block() {
	let call = transfer_keep_alive(&newcomer(), AIR);
	let weight = call.get_dispatch_info().call_weight;
	let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	assert!(weight.ref_time() > 0);
	assert!(max.ref_time() / weight.ref_time() > 1_000);
}

/// The weight of a compute job's whole life (submit, accept, attest, settle in the hook)
/// against one `transfer_keep_alive`, both from their benchmarked weights (ref time). Printed for
/// the record; the bound catches a regression that would make jobs unaffordable.
#[test]
fn a_compute_lifecycle_weighs_a_bounded_number_of_transfers() {
	use pallet_balances::WeightInfo as _;
	use pallet_compute::WeightInfo as _;
	type C = <Runtime as pallet_compute::Config>::WeightInfo;
	type B = <Runtime as pallet_balances::Config>::WeightInfo;
	// A job whose wanted timeout queue has room (one queue read), the common case.
	let calls = C::submit_job(1) + C::accept_job() + C::submit_attestation();
	let lifecycle = calls + C::on_initialize_job();
	let transfer = B::transfer_keep_alive();
	let base = <Runtime as frame_system::Config>::BlockWeights::get()
		.get(frame_support::dispatch::DispatchClass::Normal)
		.base_extrinsic;
	let ratio = lifecycle.ref_time() as f64 / transfer.ref_time() as f64;
	let with_base = (lifecycle + base * 3).ref_time() as f64 / (transfer + base).ref_time() as f64;
	println!(
		"compute lifecycle {lifecycle:?} = {ratio:.2} x transfer_keep_alive {transfer:?}; \
		 with the extrinsic base weight: {with_base:.2} x"
	);
	assert!(ratio < 40.0, "a job costs {ratio:.1} transfers");
}

/// The most bytes one storage item takes: its key after the pallet and storage prefix (hash and
/// encoded key) and its largest value, as FRAME's storage info reports it.
fn max_size<S: frame_support::traits::StorageInfoTrait>() -> u32 {
	let info = S::storage_info();
	assert_eq!(info.len(), 1, "one storage item");
	info[0].max_size.expect("a storage item with a bounded key and value")
}

/// Each fixed storage deposit of compute and staking covers the worst case of the storage it
/// pays for (F-6 in `SECURITY.md`): `deposit(items, bytes)` with the bytes of every entry the
/// record creates, from FRAME's storage info of the pallets' storage items (the runtime configs
/// derive the deposits from `MaxEncodedLen` on their own). A record type that grows, or an entry
/// added to a record, fails here until its deposit follows.
#[test]
fn storage_deposits_cover_the_records_max_encoded_len() {
	use airtime_runtime::deposit;
	use codec::MaxEncodedLen;
	type Job = <Runtime as pallet_compute::Config>::JobDeposit;
	type Provider = <Runtime as pallet_compute::Config>::ProviderDeposit;
	type Pool = <Runtime as pallet_staking::Config>::PoolDeposit;
	type Member = <Runtime as pallet_staking::Config>::MemberDeposit;

	// A job: its `Jobs` entry and its id in one `Timeouts` queue.
	let job = max_size::<pallet_compute::Jobs<Runtime>>()
		+ pallet_compute::JobId::max_encoded_len() as u32;
	// A provider: its `Providers` entry and its `ProviderIndex` entry.
	let provider = max_size::<pallet_compute::Providers<Runtime>>()
		+ max_size::<pallet_compute::ProviderIndex<Runtime>>();
	// A provider pool: its `Pools` entry and a pending income-share cut.
	let pool = max_size::<pallet_staking::Pools<Runtime>>()
		+ max_size::<pallet_staking::PendingShareCuts<Runtime>>();
	// A pool member: its `PoolMembers` entry, with every unbonding chunk it may hold.
	let member = max_size::<pallet_staking::PoolMembers<Runtime>>();
	println!("worst-case bytes: job {job}, provider {provider}, pool {pool}, member {member}");
	let cases: [(&str, Balance, Balance); 4] = [
		("JobDeposit", Job::get(), deposit(2, job)),
		("ProviderDeposit", Provider::get(), deposit(2, provider)),
		("PoolDeposit", Pool::get(), deposit(2, pool)),
		("MemberDeposit", Member::get(), deposit(1, member)),
	];
	for (name, held, needed) in cases {
		assert!(
			held >= needed,
			"{name} is {held}, less than the {needed} its worst-case record needs"
		);
	}
}
