//! Property tests: random sequences of market calls, compute-glue calls and block advances from a
//! few accounts over a few datasets.
//!
//! Every sequence runs in fresh externalities that start with four datasets (one derived from two
//! others, one from that), delivery keys for all accounts but the last, a purchase in each phase
//! (awaiting delivery with its deadline two blocks away, delivered, disputed), an open and a
//! contested claim and a running job, so that short sequences reach deep states. After each op
//! and after each block:
//!
//! - `do_try_state()` and `check_invariants()`: every hold matches the records;
//! - a call that returned an error left the storage root unchanged (calls are transactional, and
//!   `begin_use` checks everything before it writes); a call that succeeded emitted an event;
//! - total issuance never changes: escrow, bonds, stakes and deposits are holds, payments are
//!   transfers, and every credit (fees, slashes) is resolved into the pot, the treasury or a
//!   winner, all existing accounts; with `ED = 1` no dust is removed. The free and reserved
//!   balances of all accounts add up to it;
//! - nothing is paid twice: at most one `SaleCompleted` per purchase, whose `amount + fee` is the
//!   purchase's price and whose fee is the protocol fee rounded up; at most one `RoyaltyPaid` per
//!   job and dataset, with the fee of the charge made when the job began; a closed purchase never
//!   comes back;
//! - curator rewards come only from the datasets' own fees: the pot holds its existential deposit
//!   plus the sum of the curation funds (every part of a fee it received was credited to the
//!   dataset that paid it, every reward was taken out of its claim's dataset's fund), and no
//!   dataset's fund exceeds the `FeeToCurators` parts of the fees its sales and uses paid.
//!
//! Picks are indices resolved against the state when the op runs, and prefer the purchases (jobs,
//! claims) for which the op makes sense; one pick in sixteen, and one actor in eight, is
//! arbitrary instead, to exercise the error paths.

#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use crate::{
	mock::*,
	types::{Claim, JobUse, Purchase, PurchaseState, SealedKeyOf, UseState},
	Accesses, ClaimKind, Claims, CurationFunds, DatasetId, Datasets, Event, JobId, JobUses,
	NextDatasetId, PurchaseId, Purchases,
};
use ::proptest::{
	arbitrary::any,
	array::uniform5,
	collection::vec as vec_of,
	strategy::{BoxedStrategy, Just, Strategy, Union},
	test_runner::{Config as ProptestConfig, TestRunner},
};
use airtime_primitives::data::DatasetUsage;
use frame_support::{assert_ok, BoundedVec};
use sp_core::H256;
use sp_runtime::{DispatchResult, Perbill, StateVersion};
use std::{
	cell::RefCell,
	collections::{BTreeMap, BTreeSet},
};

/// Accounts taking part (the last one has no delivery key at the start).
const MAX_ACCOUNT: AccountId = 6;
/// Sequences per run: `DATA_MARKET_PROPTEST_CASES`, default 500 (what CI runs, about 20 s).
fn cases() -> u32 {
	std::env::var("DATA_MARKET_PROPTEST_CASES")
		.ok()
		.and_then(|v| v.trim().parse().ok())
		.unwrap_or(500)
}
/// The longest sequence.
const MAX_OPS: usize = 60;
const KINDS: [ClaimKind; 3] = [ClaimKind::RootHash, ClaimKind::Schema, ClaimKind::License];

/// One step of a sequence. `who: u8` fields pick the natural actor (owner, buyer, job owner) seven
/// times in eight, else an arbitrary account; other `u8` fields are picks resolved when the op
/// runs.
#[derive(Clone, Copy, Debug)]
enum Op {
	List { who: AccountId, price: Balance, royalty: Balance, parents: u8 },
	UpdatePrice { ds: u8, who: u8, price: Balance, royalty: Balance },
	Delist { ds: u8, who: u8 },
	Relist { ds: u8, who: u8 },
	SetAgent { ds: u8, agent: AccountId, remove: bool },
	SetKey { who: AccountId, key: u8 },
	ClearKey { who: AccountId },
	Buy { who: AccountId, ds: u8, max_price: Balance },
	Deliver { p: u8, who: u8, key: u8 },
	Reclaim { p: u8, who: u8 },
	Dispute { p: u8, who: u8, bond: Balance },
	ResolveDispute { p: u8, buyer_won: bool, root: bool },
	Complete { p: u8 },
	Relinquish { pick: u8 },
	Advance { blocks: u64 },
	BeginUse { who: AccountId, ds: [u8; 5], n: u8 },
	Settle { pick: u8 },
	Refund { pick: u8 },
	RegisterDerived { pick: u8, who: u8, price: Balance },
	ReleaseJob { pick: u8, who: u8 },
	Submit { who: AccountId, ds: u8, kind: u8, stake: Balance },
	Counter { who: AccountId, pick: u8, bond: u8 },
	Conclude { pick: u8 },
	ResolveClaim { pick: u8, upheld: bool, root: bool },
}

// ------------------------------------------------------------------------ state helpers

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn issuance() -> Balance {
	Balances::total_issuance()
}

fn state_root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

fn account(pick: u8) -> AccountId {
	1 + u64::from(pick) % MAX_ACCOUNT
}

/// The natural actor seven times in eight (when there is one), else an arbitrary account.
fn actor(natural: Option<AccountId>, pick: u8) -> AccountId {
	match natural {
		Some(who) if pick % 8 != 7 => who,
		_ => account(pick / 8),
	}
}

/// A dataset id: any listed one, or the next (unknown) id.
fn pick_dataset(pick: u8) -> DatasetId {
	u64::from(pick) % (NextDatasetId::<Test>::get() + 1)
}

fn owner_of(ds: DatasetId) -> Option<AccountId> {
	Datasets::<Test>::get(ds).map(|d| d.owner)
}

/// An open purchase `want` accepts (any open one when none does); one pick in sixteen, or when
/// none is open, an arbitrary id (closed, unknown or open).
fn pick_purchase(pick: u8, want: impl Fn(&Purchase<Test>) -> bool) -> PurchaseId {
	let next = crate::NextPurchaseId::<Test>::get();
	if pick % 16 == 15 {
		return u64::from(pick / 16) % (next + 2);
	}
	let mut open: Vec<(PurchaseId, Purchase<Test>)> = Purchases::<Test>::iter().collect();
	open.sort_by_key(|(id, _)| *id);
	let wanted: Vec<PurchaseId> = open.iter().filter(|(_, p)| want(p)).map(|(id, _)| *id).collect();
	let pool = if wanted.is_empty() { open.iter().map(|(id, _)| *id).collect() } else { wanted };
	if pool.is_empty() {
		return next;
	}
	pool[usize::from(pick) % pool.len()]
}

/// A job record `want` accepts, with its owner.
fn pick_job(pick: u8, want: impl Fn(&JobUse<Test>) -> bool) -> Option<(JobId, AccountId)> {
	let mut jobs: Vec<(JobId, AccountId)> =
		JobUses::<Test>::iter().filter(|(_, u)| want(u)).map(|(id, u)| (id, u.user)).collect();
	jobs.sort();
	if jobs.is_empty() {
		None
	} else {
		Some(jobs[usize::from(pick) % jobs.len()])
	}
}

/// An open claim `want` accepts; one pick in sixteen, or when there is none, any dataset and kind.
fn pick_claim(pick: u8, want: impl Fn(&Claim<Test>) -> bool) -> (DatasetId, ClaimKind) {
	let mut open: Vec<(DatasetId, ClaimKind)> =
		Claims::<Test>::iter().filter(|(_, _, c)| want(c)).map(|(d, k, _)| (d, k)).collect();
	open.sort();
	if pick % 16 == 15 || open.is_empty() {
		return (pick_dataset(pick / 3), KINDS[usize::from(pick) % 3]);
	}
	open[usize::from(pick) % open.len()]
}

/// The curator pot's part of a protocol fee.
fn curators_part(fee: Balance) -> Balance {
	Perbill::from_percent(FEE_TO_CURATORS_PERCENT).mul_floor(fee)
}

fn event_name(e: &Event<Test>) -> String {
	let debug = format!("{e:?}");
	let debug = debug.strip_prefix("Event::").unwrap_or(&debug);
	debug.chars().take_while(|c| c.is_alphanumeric()).collect()
}

// ------------------------------------------------------------------------ the model

/// What a sequence remembers between ops, and the checks run after each.
struct Model {
	/// Total issuance at the start.
	issuance: Balance,
	/// The id the next `begin_use` gets (compute never reuses job ids).
	next_job: JobId,
	/// Prices of the purchases made, from `AccessBought`.
	prices: BTreeMap<PurchaseId, Balance>,
	/// What each job was charged for each dataset when it began.
	charges: BTreeMap<(JobId, DatasetId), Balance>,
	/// `SaleCompleted` events per purchase.
	sales: BTreeMap<PurchaseId, u32>,
	/// `RoyaltyPaid` events per job and dataset.
	royalties: BTreeMap<(JobId, DatasetId), u32>,
	/// The curators' parts of the fees each dataset's sales and uses paid.
	credited: BTreeMap<DatasetId, Balance>,
	/// Purchases open at the last check.
	open: BTreeSet<PurchaseId>,
	/// Purchases seen open, then closed.
	closed: BTreeSet<PurchaseId>,
	/// Events seen, by name.
	stats: BTreeMap<String, u32>,
}

impl Model {
	/// A model of the state `setup` left.
	fn new() -> Self {
		let mut charges = BTreeMap::new();
		let mut next_job: JobId = 0;
		for (job, u) in JobUses::<Test>::iter() {
			for c in u.charges.iter() {
				charges.insert((job, c.dataset), c.amount);
			}
			next_job = next_job.max(job + 1);
		}
		Model {
			issuance: issuance(),
			next_job,
			prices: BTreeMap::new(),
			charges,
			sales: BTreeMap::new(),
			royalties: BTreeMap::new(),
			credited: BTreeMap::new(),
			open: BTreeSet::new(),
			closed: BTreeSet::new(),
			stats: BTreeMap::new(),
		}
	}

	/// Dispatch a call: an error must leave the storage root as it was, a success must emit an
	/// event. Returns whether it succeeded.
	fn call(&mut self, name: &'static str, f: impl FnOnce() -> DispatchResult) -> bool {
		let before = state_root();
		let result = f();
		match &result {
			Ok(()) => assert!(!market_events().is_empty(), "{name} succeeded without an event"),
			Err(e) => {
				assert_eq!(state_root(), before, "{name} failed with {e:?} but changed storage")
			},
		}
		result.is_ok()
	}

	/// `begin_use` through the glue, with the next job id.
	fn begin_use(&mut self, who: AccountId, ids: Vec<DatasetId>) {
		let job = self.next_job;
		self.next_job += 1;
		let before = state_root();
		let result = <DataMarket as DatasetUsage<AccountId, Balance>>::begin_use(job, &who, &ids);
		match result {
			Ok(()) if ids.is_empty() => {
				assert_eq!(state_root(), before, "begin_use without datasets changed storage");
			},
			Ok(()) => {
				let record = JobUses::<Test>::get(job).expect("a job that began has a record");
				assert_eq!(record.user, who);
				assert_eq!(record.state, UseState::Running);
				let datasets: Vec<DatasetId> = record.charges.iter().map(|c| c.dataset).collect();
				assert_eq!(datasets, ids);
				for c in record.charges.iter() {
					self.charges.insert((job, c.dataset), c.amount);
				}
				assert!(market_events()
					.iter()
					.any(|e| matches!(e, Event::DatasetUseStarted { job: j, .. } if *j == job)));
			},
			Err(e) => {
				assert_eq!(state_root(), before, "begin_use failed with {e:?} but changed storage")
			},
		}
	}

	/// The checks run after every op and every block.
	fn check(&mut self) {
		DataMarket::do_try_state().expect("the pallet's invariants hold");
		check_invariants();

		let now = issuance();
		assert_eq!(now, self.issuance, "total issuance moved");
		let mut accounts: Vec<AccountId> = (1..=ACCOUNTS).collect();
		accounts.push(TREASURY);
		accounts.push(pot());
		let known: Balance =
			accounts.iter().map(|a| free(*a) + Balances::reserved_balance(*a)).sum();
		assert_eq!(known, now, "the endowed accounts, treasury and pot do not add up");
		let all: Balance = frame_system::Account::<Test>::iter()
			.map(|(_, info)| info.data.free + info.data.reserved)
			.sum();
		assert_eq!(all, now, "the accounts do not add up to the total issuance");

		for event in market_events() {
			match &event {
				Event::AccessBought { purchase, price, .. } => {
					assert!(
						self.prices.insert(*purchase, *price).is_none(),
						"purchase id {purchase} reused"
					);
				},
				Event::SaleCompleted { purchase, dataset, amount, fee, .. } => {
					let n = self.sales.entry(*purchase).or_default();
					*n += 1;
					assert!(*n <= 1, "purchase {purchase} paid twice");
					let price = self.prices[purchase];
					assert_eq!(*fee, Perbill::from_percent(PROTOCOL_FEE_PERCENT).mul_ceil(price));
					assert_eq!(*amount + *fee, price);
					*self.credited.entry(*dataset).or_default() += curators_part(*fee);
				},
				Event::RoyaltyPaid { job, dataset, amount, fee, .. } => {
					let n = self.royalties.entry((*job, *dataset)).or_default();
					*n += 1;
					assert!(*n <= 1, "job {job} paid dataset {dataset} twice");
					let charged = self.charges[&(*job, *dataset)];
					assert!(charged > 0, "a zero charge was paid");
					assert_eq!(*fee, Perbill::from_percent(PROTOCOL_FEE_PERCENT).mul_ceil(charged));
					assert!(*amount == charged - *fee || *amount == 0);
					*self.credited.entry(*dataset).or_default() += curators_part(*fee);
				},
				_ => {},
			}
			*self.stats.entry(event_name(&event)).or_default() += 1;
		}
		System::reset_events();

		// Nothing but fees reaches the pot here, and nothing but rewards leaves it.
		let funds: BTreeMap<DatasetId, Balance> = CurationFunds::<Test>::iter().collect();
		assert_eq!(
			free(pot()),
			ED + funds.values().sum::<Balance>(),
			"the pot holds more or less than its existential deposit and the curation funds"
		);
		for (ds, fund) in funds.iter() {
			let credited = self.credited.get(ds).copied().unwrap_or_default();
			assert!(
				*fund <= credited,
				"dataset {ds}'s fund {fund} exceeds the {credited} its own fees paid in"
			);
		}

		let open: BTreeSet<PurchaseId> = Purchases::<Test>::iter_keys().collect();
		for id in open.iter() {
			assert!(!self.closed.contains(id), "purchase {id} came back after it closed");
		}
		for id in self.open.difference(&open) {
			self.closed.insert(*id);
		}
		self.open = open;
	}

	fn apply(&mut self, op: Op) {
		match op {
			Op::List { who, price, royalty, parents } => {
				let next = NextDatasetId::<Test>::get();
				let first = u64::from(parents / 8) % next;
				let parents: Vec<DatasetId> = match parents % 8 {
					0..=2 => vec![],
					3 | 4 => vec![first],
					5 => vec![first, (first + 1) % next],
					6 => vec![next + 1],
					_ => vec![first, first],
				};
				let l = listing(price, royalty);
				self.call("list_dataset", move || try_list(who, l, &parents));
			},
			Op::UpdatePrice { ds, who, price, royalty } => {
				let ds = pick_dataset(ds);
				let who = actor(owner_of(ds), who);
				self.call("update_price", || {
					DataMarket::update_price(signed(who), ds, price, royalty)
				});
			},
			Op::Delist { ds, who } => {
				let ds = pick_dataset(ds);
				let who = actor(owner_of(ds), who);
				self.call("delist", || DataMarket::delist(signed(who), ds));
			},
			Op::Relist { ds, who } => {
				let ds = pick_dataset(ds);
				let who = actor(owner_of(ds), who);
				self.call("relist", || DataMarket::relist(signed(who), ds));
			},
			Op::SetAgent { ds, agent, remove } => {
				let ds = pick_dataset(ds);
				let who = owner_of(ds).unwrap_or(agent);
				let agent = if remove { None } else { Some(agent) };
				self.call("set_agent", || DataMarket::set_agent(signed(who), ds, agent));
			},
			Op::SetKey { who, key } => {
				self.call("set_delivery_key", || {
					DataMarket::set_delivery_key(signed(who), [key; 32])
				});
			},
			Op::ClearKey { who } => {
				self.call("clear_delivery_key", || DataMarket::clear_delivery_key(signed(who)));
			},
			Op::Buy { who, ds, max_price } => {
				let ds = pick_dataset(ds);
				self.call("buy_access", || DataMarket::buy_access(signed(who), ds, max_price));
			},
			Op::Deliver { p, who, key } => {
				let id =
					pick_purchase(p, |x| matches!(x.state, PurchaseState::AwaitingDelivery { .. }));
				let natural = Purchases::<Test>::get(id).map(|x| {
					let agent = Datasets::<Test>::get(x.dataset).and_then(|d| d.agent);
					if who % 2 == 1 {
						agent.unwrap_or(x.seller)
					} else {
						x.seller
					}
				});
				let by = actor(natural, who);
				// A longer key than `MaxSealedKeyLen` does not decode (`purchases.rs`,
				// `an_oversized_sealed_key_does_not_decode`).
				let sealed_key: SealedKeyOf<Test> = BoundedVec::truncate_from(match key % 8 {
					0 => vec![],
					1 => vec![1u8; MAX_SEALED_KEY_LEN as usize],
					_ => sealed(),
				});
				self.call("deliver_key", move || {
					DataMarket::deliver_key(signed(by), id, sealed_key)
				});
			},
			Op::Reclaim { p, who } => {
				let id =
					pick_purchase(p, |x| matches!(x.state, PurchaseState::AwaitingDelivery { .. }));
				let who = actor(Purchases::<Test>::get(id).map(|x| x.buyer), who);
				self.call("reclaim", || DataMarket::reclaim(signed(who), id));
			},
			Op::Dispute { p, who, bond } => {
				let id = pick_purchase(p, |x| matches!(x.state, PurchaseState::Delivered { .. }));
				let who = actor(Purchases::<Test>::get(id).map(|x| x.buyer), who);
				self.call("dispute", || DataMarket::dispute(signed(who), id, bond));
			},
			Op::ResolveDispute { p, buyer_won, root } => {
				let id = pick_purchase(p, |x| matches!(x.state, PurchaseState::Disputed { .. }));
				let origin = if root {
					RuntimeOrigin::root()
				} else {
					signed(Purchases::<Test>::get(id).map(|x| x.buyer).unwrap_or(1))
				};
				self.call("resolve_dispute", || DataMarket::resolve_dispute(origin, id, buyer_won));
			},
			Op::Complete { p } => {
				let id = pick_purchase(p, |x| matches!(x.state, PurchaseState::Delivered { .. }));
				self.call("complete_sale", || DataMarket::complete_sale(signed(account(p)), id));
			},
			Op::Relinquish { pick } => {
				let mut all: Vec<(AccountId, DatasetId, bool)> = Accesses::<Test>::iter()
					.map(|(who, ds, a)| (who, ds, a.purchase.is_none()))
					.collect();
				all.sort();
				let idle: Vec<(AccountId, DatasetId)> =
					all.iter().filter(|(_, _, idle)| *idle).map(|(w, d, _)| (*w, *d)).collect();
				let pool: Vec<(AccountId, DatasetId)> = if idle.is_empty() {
					all.iter().map(|(w, d, _)| (*w, *d)).collect()
				} else {
					idle
				};
				let (who, ds) = if pick % 16 == 15 || pool.is_empty() {
					(account(pick), pick_dataset(pick / 6))
				} else {
					pool[usize::from(pick) % pool.len()]
				};
				self.call("relinquish_access", || DataMarket::relinquish_access(signed(who), ds));
			},
			Op::Advance { blocks } => {
				for _ in 0..blocks {
					run_to_block(System::block_number() + 1);
					self.check();
				}
				return;
			},
			Op::BeginUse { who, ds, n } => {
				let count = usize::from(n) % (MAX_DATASETS_PER_JOB as usize + 2);
				let ids: Vec<DatasetId> = ds[..count].iter().map(|p| pick_dataset(*p)).collect();
				self.begin_use(who, ids);
			},
			Op::Settle { pick } => match pick_job(pick, |u| u.state == UseState::Running) {
				Some((job, _)) => {
					let output = H256::from_low_u64_be(job + 1);
					<DataMarket as DatasetUsage<AccountId, Balance>>::job_settled(job, output);
					let record = JobUses::<Test>::get(job).expect("a settled job keeps its record");
					assert_eq!(record.state, UseState::Settled(output));
				},
				None => {
					let before = state_root();
					<DataMarket as DatasetUsage<AccountId, Balance>>::job_settled(
						u64::MAX - u64::from(pick),
						H256::zero(),
					);
					assert_eq!(state_root(), before, "settling an unknown job changed storage");
				},
			},
			Op::Refund { pick } => match pick_job(pick, |u| u.state == UseState::Running) {
				Some((job, _)) => {
					<DataMarket as DatasetUsage<AccountId, Balance>>::job_refunded(job);
					assert!(JobUses::<Test>::get(job).is_none(), "a refunded job keeps a record");
				},
				None => {
					let before = state_root();
					<DataMarket as DatasetUsage<AccountId, Balance>>::job_refunded(
						u64::MAX - u64::from(pick),
					);
					assert_eq!(state_root(), before, "refunding an unknown job changed storage");
				},
			},
			Op::RegisterDerived { pick, who, price } => {
				let (job, user) = match pick_job(pick, |u| matches!(u.state, UseState::Settled(_)))
				{
					Some((job, user)) if pick % 16 != 15 => (job, Some(user)),
					_ => (u64::from(pick) % (self.next_job + 1), None),
				};
				let who = actor(user, who);
				let l = listing(price, 1);
				self.call("register_derived", move || try_register(who, job, l));
			},
			Op::ReleaseJob { pick, who } => {
				let (job, user) = match pick_job(pick, |u| matches!(u.state, UseState::Settled(_)))
				{
					Some((job, user)) if pick % 16 != 15 => (job, Some(user)),
					_ => (u64::from(pick) % (self.next_job + 1), None),
				};
				let who = actor(user, who);
				self.call("release_job_record", || {
					DataMarket::release_job_record(signed(who), job)
				});
			},
			Op::Submit { who, ds, kind, stake } => {
				let ds = pick_dataset(ds);
				let kind = KINDS[usize::from(kind) % 3];
				self.call("submit_claim", || {
					DataMarket::submit_claim(signed(who), ds, kind, stake)
				});
			},
			Op::Counter { who, pick, bond } => {
				let (ds, kind) = pick_claim(pick, |c| c.counter.is_none());
				let stake =
					Claims::<Test>::get(ds, kind).map(|c| c.stake).unwrap_or(MIN_CLAIM_STAKE);
				let bond = match bond % 16 {
					15 => 2 * ENDOWMENT,
					14 => stake - 1,
					x => stake + Balance::from(x) * 7,
				};
				self.call("counter_claim", || {
					DataMarket::counter_claim(signed(who), ds, kind, bond)
				});
			},
			Op::Conclude { pick } => {
				let (ds, kind) = pick_claim(pick, |c| c.counter.is_none());
				self.call("conclude_claim", || DataMarket::conclude_claim(signed(1), ds, kind));
			},
			Op::ResolveClaim { pick, upheld, root } => {
				let (ds, kind) = pick_claim(pick, |c| c.counter.is_some());
				let origin = if root { RuntimeOrigin::root() } else { signed(account(pick)) };
				self.call("resolve_claim", || DataMarket::resolve_claim(origin, ds, kind, upheld));
			},
		}
		self.check();
	}
}

/// Four datasets, keys for accounts 1 to 5, a purchase in each phase (the one awaiting delivery
/// close to its deadline), an open and a contested claim, and a running job (id 0).
fn setup() {
	list_with(1, listing(1_000, 100), &[]);
	list_with(2, listing(501, 7), &[]);
	list_with(3, listing(33, 0), &[0, 1]);
	list_with(1, listing(1, 1), &[2]);
	for who in 1..MAX_ACCOUNT {
		set_key(who);
	}
	buy(4, 0);
	run_to_block(DELIVERY_PERIOD - 1);
	let p = buy(5, 1);
	deliver(2, p);
	let p = buy(4, 2);
	deliver(3, p);
	assert_ok!(DataMarket::dispute(signed(4), p, MIN_DISPUTE_BOND));
	claim(2, 0, ClaimKind::RootHash);
	claim(3, 1, ClaimKind::Schema);
	assert_ok!(DataMarket::counter_claim(signed(4), 1, ClaimKind::Schema, MIN_CLAIM_STAKE));
	assert_ok!(<DataMarket as DatasetUsage<AccountId, Balance>>::begin_use(0, &5, &[0, 3]));
}

/// Run `ops` in fresh externalities; return the events seen, by name.
fn run_sequence(ops: &[Op]) -> BTreeMap<String, u32> {
	new_test_ext().execute_with(|| {
		setup();
		let mut model = Model::new();
		model.check();
		for op in ops {
			model.apply(*op);
		}
		model.stats
	})
}

// ------------------------------------------------------------------------ strategies

/// Mostly a sensible amount in `lo..=hi`, sometimes `low` (just too little) or more than anyone
/// holds.
fn amount(lo: Balance, hi: Balance, low: Balance) -> BoxedStrategy<Balance> {
	Union::new_weighted(vec![
		(14, (lo..=hi).boxed()),
		(1, Just(low).boxed()),
		(1, Just(2 * ENDOWMENT).boxed()),
	])
	.boxed()
}

fn max_price() -> BoxedStrategy<Balance> {
	Union::new_weighted(vec![(6, Just(u128::MAX).boxed()), (2, (0u128..=1_000).boxed())]).boxed()
}

fn op_strategy() -> BoxedStrategy<Op> {
	let pick = any::<u8>;
	let acc = || 1..=MAX_ACCOUNT;
	let root = || ::proptest::bool::weighted(0.9);
	Union::new_weighted(vec![
		(
			2,
			(acc(), amount(1, 3_000, 0), 0u128..=200, pick())
				.prop_map(|(who, price, royalty, parents)| Op::List {
					who,
					price,
					royalty,
					parents,
				})
				.boxed(),
		),
		(
			2,
			(pick(), pick(), amount(1, 3_000, 0), 0u128..=200)
				.prop_map(|(ds, who, price, royalty)| Op::UpdatePrice { ds, who, price, royalty })
				.boxed(),
		),
		(1, (pick(), pick()).prop_map(|(ds, who)| Op::Delist { ds, who }).boxed()),
		(1, (pick(), pick()).prop_map(|(ds, who)| Op::Relist { ds, who }).boxed()),
		(
			1,
			(pick(), acc(), ::proptest::bool::weighted(0.3))
				.prop_map(|(ds, agent, remove)| Op::SetAgent { ds, agent, remove })
				.boxed(),
		),
		(2, (acc(), pick()).prop_map(|(who, key)| Op::SetKey { who, key }).boxed()),
		(1, acc().prop_map(|who| Op::ClearKey { who }).boxed()),
		(
			10,
			(acc(), pick(), max_price())
				.prop_map(|(who, ds, max_price)| Op::Buy { who, ds, max_price })
				.boxed(),
		),
		(
			10,
			(pick(), pick(), pick()).prop_map(|(p, who, key)| Op::Deliver { p, who, key }).boxed(),
		),
		(3, (pick(), pick()).prop_map(|(p, who)| Op::Reclaim { p, who }).boxed()),
		(
			5,
			(pick(), pick(), amount(MIN_DISPUTE_BOND, 300, MIN_DISPUTE_BOND - 1))
				.prop_map(|(p, who, bond)| Op::Dispute { p, who, bond })
				.boxed(),
		),
		(
			4,
			(pick(), any::<bool>(), root())
				.prop_map(|(p, buyer_won, root)| Op::ResolveDispute { p, buyer_won, root })
				.boxed(),
		),
		(6, pick().prop_map(|p| Op::Complete { p }).boxed()),
		(3, pick().prop_map(|pick| Op::Relinquish { pick }).boxed()),
		(8, (1u64..=12).prop_map(|blocks| Op::Advance { blocks }).boxed()),
		(
			6,
			(acc(), uniform5(pick()), pick())
				.prop_map(|(who, ds, n)| Op::BeginUse { who, ds, n })
				.boxed(),
		),
		(4, pick().prop_map(|pick| Op::Settle { pick }).boxed()),
		(3, pick().prop_map(|pick| Op::Refund { pick }).boxed()),
		(
			2,
			(pick(), pick(), amount(1, 3_000, 0))
				.prop_map(|(pick, who, price)| Op::RegisterDerived { pick, who, price })
				.boxed(),
		),
		(2, (pick(), pick()).prop_map(|(pick, who)| Op::ReleaseJob { pick, who }).boxed()),
		(
			4,
			(acc(), pick(), pick(), amount(MIN_CLAIM_STAKE, 400, MIN_CLAIM_STAKE - 1))
				.prop_map(|(who, ds, kind, stake)| Op::Submit { who, ds, kind, stake })
				.boxed(),
		),
		(
			3,
			(acc(), pick(), pick())
				.prop_map(|(who, pick, bond)| Op::Counter { who, pick, bond })
				.boxed(),
		),
		(3, pick().prop_map(|pick| Op::Conclude { pick }).boxed()),
		(
			3,
			(pick(), any::<bool>(), root())
				.prop_map(|(pick, upheld, root)| Op::ResolveClaim { pick, upheld, root })
				.boxed(),
		),
	])
	.boxed()
}

// ------------------------------------------------------------------------ the property

/// Random sequences of 1 to `MAX_OPS` ops keep the invariants, conserve the total issuance and
/// never pay twice.
#[test]
fn random_sequences_keep_the_invariants() {
	let config =
		ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() };
	let mut runner = TestRunner::new(config);
	let totals: RefCell<BTreeMap<String, u32>> = RefCell::new(BTreeMap::new());
	let result = runner.run(&vec_of(op_strategy(), 1..=MAX_OPS), |ops| {
		let stats = run_sequence(&ops);
		let mut totals = totals.borrow_mut();
		for (name, n) in stats {
			*totals.entry(name).or_default() += n;
		}
		Ok(())
	});
	if let Err(e) = result {
		panic!("{e}");
	}
	let totals = totals.into_inner();
	for (name, n) in totals.iter() {
		eprintln!("{n:>6}  {name}");
	}
	// The sequences reach every ending: completed sales, royalties, both dispute outcomes,
	// reclaims, refunds and claim decisions.
	for needed in [
		"SaleCompleted",
		"RoyaltyPaid",
		"DisputeResolved",
		"PurchaseReclaimed",
		"DatasetUseRefunded",
		"ClaimResolved",
		"KeyDelivered",
		"AccessBought",
	] {
		assert!(
			totals.get(needed).copied().unwrap_or_default() > 0,
			"the sequences never reached {needed}: {totals:#?}"
		);
	}
}
