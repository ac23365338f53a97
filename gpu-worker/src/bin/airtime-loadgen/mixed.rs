//! The mixed scenario's workload: whole compute-job lifecycles, credits redeems and data-market
//! purchases, besides transfers. The load generator plays every part: users, providers, sellers
//! and service owners are load accounts ([`Roles`], set up by [`crate::setup::roles`]).
//!
//! - **Compute job** (pallet-compute, the shortest complete lifecycle it has, `redundancy` 1):
//!   a user `submit_job`s (GemmInt8, 1,000 units at most, a small budget, a deadline 40 to 120
//!   blocks ahead); when `JobSubmitted` is seen the least busy provider `accept_job`s; when
//!   `JobAssigned` is seen it `submit_attestation`s a made-up output hash (nothing executes:
//!   no worker is needed); the challenge window (`ChallengePeriod`, 3 blocks with
//!   `fast-runtime`) then runs out and `on_initialize` settles the job (`JobSettled`, the
//!   provider paid). `on_initialize` settles at most 16 jobs a block, so a job not settled
//!   [`CLAIM_GRACE`] blocks after its window closed is settled by a `claim_expired` from a user:
//!   three or four extrinsics per job. A provider holds at most [`SLOTS_PER_PROVIDER`] jobs
//!   (64 allowed, each needing 10 AIR of its 700 AIR stake); with all slots taken new
//!   submissions wait and the draw falls back to a transfer.
//! - **Redeem** (pallet-credits): each user has a payment channel to one service; a redeem is
//!   the service owner's `redeem` of the user's next cumulative voucher (signed off chain by
//!   the user, one call's price more than the last). One extrinsic.
//! - **Purchase** (pallet-data-market): a user `buy_access`es a listed dataset it has not
//!   bought yet (price in escrow); when `AccessBought` is seen the seller `deliver_key`s a
//!   sealed key (random bytes of the right size): the buyer has access (`KeyDelivered`). Two
//!   extrinsics. Each user buys each dataset at most once (`--datasets` of them).
//!
//! Steps that wait on an event sit in queues filled by the tracker from best blocks; a compute
//! or data draw takes a waiting step first and starts a new lifecycle only when none waits.

use crate::txs::Accounts;
use airtime_worker::chain::airtime;
use rand::{rngs::StdRng, Rng};
use serde::Serialize;
use sp_core::{sr25519, Pair};
use std::{
	collections::{BTreeMap, HashMap, HashSet, VecDeque},
	ops::RangeInclusive,
	sync::{Arc, Mutex, MutexGuard},
	time::{Duration, Instant},
};
use subxt::{events::Events, PolkadotConfig};

use airtime::runtime_types::{
	airtime_primitives::{compute::ExecutorKind, credits as gen_credits},
	bounded_collections::bounded_vec::BoundedVec,
	pallet_compute::types as gen_compute,
	sp_arithmetic::per_things::Permill,
	sp_runtime::MultiSignature,
};

/// Jobs a provider holds at once (pallet-compute allows 64).
pub const SLOTS_PER_PROVIDER: u32 = 60;
/// Blocks after a challenge window closes before the load settles a job with `claim_expired`.
pub const CLAIM_GRACE: u32 = 2;
/// A job's deadline, in blocks from submission.
pub const JOB_DEADLINE: RangeInclusive<u32> = 40..=120;
/// The most units a job may bill.
pub const JOB_MAX_UNITS: u64 = 1_000;
/// The units a provider attests.
pub const JOB_USAGE: u64 = 600;
/// A provider's price per unit.
pub const PRICE_PER_UNIT: u128 = 1_000;
/// A job's escrowed budget (twice the worst-case bill).
pub const JOB_BUDGET: u128 = 2_000_000;
/// A dataset's access price.
pub const DATASET_PRICE: u128 = 1_000_000_000;
/// A service's price per call (each redeem adds one call).
pub const SERVICE_PRICE: u128 = 1_000_000;
/// Length of a key sealed for a buyer: the data market's own constant.
pub use airtime_primitives::data::SEALED_KEY_LEN;
/// A submission that has not shown up as `JobSubmitted` within this stops counting as open.
const RESERVATION_TTL: Duration = Duration::from_secs(60);

/// A user's payment channel to a service.
#[derive(Clone, Debug)]
pub struct Channel {
	/// Its id.
	pub id: u64,
	/// Its nonce (the opening block).
	pub nonce: u32,
	/// Price per call.
	pub price: u128,
	/// The paying user (account index).
	pub payer: usize,
	/// The service owner, who redeems (account index).
	pub owner: usize,
}

/// Who plays which part, by load-account index.
#[derive(Clone, Debug, Default)]
pub struct Roles {
	/// Registered compute providers.
	pub providers: Vec<usize>,
	/// Dataset sellers.
	pub sellers: Vec<usize>,
	/// Service owners.
	pub services: Vec<usize>,
	/// Users: submit jobs, buy datasets, pay through channels.
	pub users: Vec<usize>,
	/// Listed datasets and their sellers.
	pub datasets: Vec<(u64, usize)>,
	/// One channel per user.
	pub channels: Vec<Channel>,
}

/// A compute step to send.
#[derive(Clone, Copy, Debug)]
pub enum ComputeOp {
	/// A user submits a new job.
	Submit {
		/// The user.
		owner: usize,
	},
	/// A provider takes the job.
	Accept {
		/// The job.
		job: u64,
		/// The provider (account index).
		provider: usize,
	},
	/// The provider attests.
	Attest {
		/// The job.
		job: u64,
		/// The provider (account index).
		provider: usize,
	},
	/// Anyone settles a job whose window closed.
	Claim {
		/// The job.
		job: u64,
		/// Who sends it (account index).
		by: usize,
	},
}

/// A data-market step to send.
#[derive(Clone, Copy, Debug)]
pub enum DataOp {
	/// A user buys access.
	Buy {
		/// The user.
		buyer: usize,
		/// The dataset.
		dataset: u64,
	},
	/// The seller delivers the key.
	Deliver {
		/// The purchase.
		purchase: u64,
		/// The seller.
		seller: usize,
	},
}

/// What the mixed workload completed, from the chain's events.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Completed {
	/// `JobSubmitted` for our users' jobs.
	pub jobs_submitted: u64,
	/// Jobs settled with the provider paid: complete lifecycles.
	pub jobs_settled: u64,
	/// Jobs refunded (deadline missed, no verdict).
	pub jobs_refunded: u64,
	/// Jobs no provider had a slot for.
	pub jobs_unmatched: u64,
	/// `AccessBought` for our users.
	pub purchases_started: u64,
	/// `KeyDelivered` for them: complete purchases.
	pub purchases_completed: u64,
	/// `VoucherRedeemed` on our channels.
	pub redeems: u64,
}

/// A step waiting to be sent (providers by account index).
enum Step {
	Accept { job: u64, provider: usize },
	Attest { job: u64, provider: usize },
	Claim { job: u64 },
}

#[derive(Default)]
struct State {
	steps: VecDeque<Step>,
	deliveries: VecDeque<(u64, usize)>,
	/// Jobs held per provider (by position in `Roles::providers`).
	load: Vec<u32>,
	/// Our matched jobs and their provider's position.
	jobs: HashMap<u64, usize>,
	/// Submissions not yet seen on chain.
	reservations: VecDeque<Instant>,
	/// Jobs in their challenge window, and when it closes.
	windows: BTreeMap<u64, u32>,
	/// Purchases awaiting their key.
	purchases: HashSet<u64>,
	/// Per user position: datasets bought so far.
	bought: Vec<usize>,
	/// Per channel: the last voucher total signed.
	totals: Vec<u128>,
	done: Completed,
}

/// The mixed workload's shared state.
pub struct Mix {
	roles: Roles,
	accounts: Arc<Accounts>,
	channel_ids: HashSet<u64>,
	users: HashSet<usize>,
	state: Mutex<State>,
}

fn bump(n: &mut u64) {
	*n = n.saturating_add(1);
}

impl Mix {
	/// The workload for `roles`.
	pub fn new(roles: Roles, accounts: Arc<Accounts>) -> Self {
		let state = State {
			load: vec![0; roles.providers.len()],
			bought: vec![0; roles.users.len()],
			totals: vec![0; roles.channels.len()],
			..State::default()
		};
		Mix {
			channel_ids: roles.channels.iter().map(|c| c.id).collect(),
			users: roles.users.iter().copied().collect(),
			roles,
			accounts,
			state: Mutex::new(state),
		}
	}

	fn lock(&self) -> MutexGuard<'_, State> {
		self.state.lock().unwrap_or_else(|p| p.into_inner())
	}

	fn random_user(&self, rng: &mut StdRng) -> Option<usize> {
		let n = self.roles.users.len();
		if n == 0 {
			return None;
		}
		self.roles.users.get(rng.gen_range(0..n)).copied()
	}

	/// What completed so far.
	pub fn completed(&self) -> Completed {
		self.lock().done.clone()
	}

	/// The next compute step: one waiting on an event, else a new job while providers have
	/// room; `None` when neither.
	pub fn next_compute(&self, rng: &mut StdRng) -> Option<ComputeOp> {
		let mut s = self.lock();
		if let Some(step) = s.steps.pop_front() {
			return match step {
				Step::Accept { job, provider } => Some(ComputeOp::Accept { job, provider }),
				Step::Attest { job, provider } => Some(ComputeOp::Attest { job, provider }),
				Step::Claim { job } => self.random_user(rng).map(|by| ComputeOp::Claim { job, by }),
			};
		}
		while s.reservations.front().is_some_and(|t| t.elapsed() > RESERVATION_TTL) {
			s.reservations.pop_front();
		}
		let open = s.jobs.len().saturating_add(s.reservations.len());
		let capacity = self.roles.providers.len().saturating_mul(SLOTS_PER_PROVIDER as usize);
		if open >= capacity {
			return None;
		}
		let owner = self.random_user(rng)?;
		s.reservations.push_back(Instant::now());
		Some(ComputeOp::Submit { owner })
	}

	/// A job submission was refused by the pool: it will not show up.
	pub fn submit_refused(&self) {
		self.lock().reservations.pop_back();
	}

	/// A step the pool refused goes back in its queue: a job left unattested would be
	/// refunded at its deadline and its provider slashed.
	pub fn retry_compute(&self, op: ComputeOp) {
		let step = match op {
			ComputeOp::Submit { .. } => return self.submit_refused(),
			ComputeOp::Accept { job, provider } => Step::Accept { job, provider },
			ComputeOp::Attest { job, provider } => Step::Attest { job, provider },
			ComputeOp::Claim { job, .. } => Step::Claim { job },
		};
		self.lock().steps.push_back(step);
	}

	/// A data step the pool refused: a key to deliver goes back in its queue.
	pub fn retry_data(&self, op: DataOp) {
		if let DataOp::Deliver { purchase, seller } = op {
			self.lock().deliveries.push_back((purchase, seller));
		}
	}

	/// A random channel (its position).
	pub fn pick_channel(&self, rng: &mut StdRng) -> Option<usize> {
		let n = self.roles.channels.len();
		(n > 0).then(|| rng.gen_range(0..n))
	}

	/// Channel `c`.
	pub fn channel(&self, c: usize) -> Option<&Channel> {
		self.roles.channels.get(c)
	}

	/// The next cumulative total of channel `c` (call with its owner's nonce locked).
	pub fn next_total(&self, c: usize) -> Option<u128> {
		let price = self.roles.channels.get(c)?.price;
		let mut s = self.lock();
		let total = s.totals.get_mut(c)?;
		*total = total.saturating_add(price);
		Some(*total)
	}

	/// The next data-market step: a key to deliver, else a new purchase; `None` when every
	/// user tried has bought every dataset.
	pub fn next_data(&self, rng: &mut StdRng) -> Option<DataOp> {
		let mut s = self.lock();
		if let Some((purchase, seller)) = s.deliveries.pop_front() {
			return Some(DataOp::Deliver { purchase, seller });
		}
		let users = self.roles.users.len();
		let datasets = self.roles.datasets.len();
		if users == 0 || datasets == 0 {
			return None;
		}
		for _ in 0..4 {
			let pos = rng.gen_range(0..users);
			let Some(bought) = s.bought.get_mut(pos) else { continue };
			if *bought >= datasets {
				continue;
			}
			// Each user walks the datasets from its own offset, so sales spread over sellers.
			let k = pos.wrapping_add(*bought).checked_rem(datasets)?;
			*bought = bought.saturating_add(1);
			let (dataset, _) = *self.roles.datasets.get(k)?;
			let buyer = *self.roles.users.get(pos)?;
			return Some(DataOp::Buy { buyer, dataset });
		}
		None
	}

	/// Follow one best block's events: queue the steps they unblock, count what completed.
	pub fn on_block(&self, number: u32, evs: &Events<PolkadotConfig>) {
		use airtime::{compute::events as ce, credits::events as ke, data_market::events as de};
		let mut guard = self.lock();
		let s = &mut *guard;
		for e in evs.find::<ce::JobSubmitted>().flatten() {
			let ours = self.accounts.index_of(&e.owner).is_some_and(|i| self.users.contains(&i));
			if !ours {
				continue;
			}
			s.reservations.pop_front();
			bump(&mut s.done.jobs_submitted);
			let least =
				s.load.iter().enumerate().min_by_key(|(_, held)| **held).map(|(p, h)| (p, *h));
			match least {
				Some((slot, held)) if held < SLOTS_PER_PROVIDER => {
					let Some(&provider) = self.roles.providers.get(slot) else { continue };
					if let Some(h) = s.load.get_mut(slot) {
						*h = h.saturating_add(1);
					}
					s.jobs.insert(e.job, slot);
					s.steps.push_back(Step::Accept { job: e.job, provider });
				},
				_ => bump(&mut s.done.jobs_unmatched),
			}
		}
		for e in evs.find::<ce::JobAssigned>().flatten() {
			let Some(&slot) = s.jobs.get(&e.job) else { continue };
			let Some(&provider) = self.roles.providers.get(slot) else { continue };
			if self.accounts.get(provider).is_ok_and(|p| p.id == e.provider) {
				s.steps.push_back(Step::Attest { job: e.job, provider });
			}
		}
		for e in evs.find::<ce::ChallengePeriodStarted>().flatten() {
			if s.jobs.contains_key(&e.job) {
				s.windows.insert(e.job, e.until);
			}
		}
		for e in evs.find::<ce::JobSettled>().flatten() {
			if end_job(s, e.job) {
				bump(&mut s.done.jobs_settled);
			}
		}
		for e in evs.find::<ce::JobRefunded>().flatten() {
			if end_job(s, e.job) {
				bump(&mut s.done.jobs_refunded);
			}
		}
		let due: Vec<u64> = s
			.windows
			.iter()
			.filter(|(_, until)| until.saturating_add(CLAIM_GRACE) <= number)
			.map(|(job, _)| *job)
			.collect();
		for job in due {
			s.windows.remove(&job);
			s.steps.push_back(Step::Claim { job });
		}
		for e in evs.find::<de::AccessBought>().flatten() {
			let buyer = self.accounts.index_of(&e.buyer).filter(|i| self.users.contains(i));
			let seller = self.accounts.index_of(&e.seller);
			if let (Some(_), Some(seller)) = (buyer, seller) {
				s.purchases.insert(e.purchase);
				s.deliveries.push_back((e.purchase, seller));
				bump(&mut s.done.purchases_started);
			}
		}
		for e in evs.find::<de::KeyDelivered>().flatten() {
			if s.purchases.remove(&e.purchase) {
				bump(&mut s.done.purchases_completed);
			}
		}
		for e in evs.find::<ke::VoucherRedeemed>().flatten() {
			if self.channel_ids.contains(&e.channel) {
				bump(&mut s.done.redeems);
			}
		}
	}
}

/// A job of ours ended: free its provider's slot. Whether it was ours.
fn end_job(s: &mut State, job: u64) -> bool {
	s.windows.remove(&job);
	match s.jobs.remove(&job) {
		Some(slot) => {
			if let Some(h) = s.load.get_mut(slot) {
				*h = h.saturating_sub(1);
			}
			true
		},
		None => false,
	}
}

/// The job every load user submits: a small GemmInt8 job nobody needs to run.
pub fn job_spec() -> gen_compute::JobSpec {
	gen_compute::JobSpec {
		kind: ExecutorKind::GemmInt8,
		inputs: BoundedVec(vec![subxt::utils::H256(sp_crypto_hashing::blake2_256(b"loadgen A"))]),
		datasets: BoundedVec(Vec::new()),
		params: BoundedVec(Vec::new()),
		max_units: JOB_MAX_UNITS,
		output_size: 4096,
		min_reputation: Permill(0),
	}
}

/// What a provider registers: GemmInt8 up to a million units at [`PRICE_PER_UNIT`].
pub fn provider_offer() -> (gen_compute::Capabilities, BoundedVec<gen_compute::ExecutorPrice>) {
	(
		gen_compute::Capabilities {
			gpu_model: BoundedVec(b"airtime-loadgen (no device)".to_vec()),
			vram_mib: 0,
			devices: 1,
			executors: BoundedVec(vec![gen_compute::ExecutorCapability {
				kind: ExecutorKind::GemmInt8,
				max_units: 1_000_000,
			}]),
		},
		BoundedVec(vec![gen_compute::ExecutorPrice {
			kind: ExecutorKind::GemmInt8,
			price_per_unit: PRICE_PER_UNIT,
		}]),
	)
}

/// The payer's voucher for `total` on `channel`, as `credits.redeem` takes it.
pub fn voucher(
	genesis: sp_core::H256,
	channel: &Channel,
	total: u128,
	payer: &sr25519::Pair,
) -> gen_credits::SignedVoucher<u128, MultiSignature> {
	let v = airtime_primitives::credits::Voucher {
		genesis,
		channel: channel.id,
		channel_nonce: channel.nonce,
		total,
	};
	let signature = payer.sign(&v.signing_payload());
	gen_credits::SignedVoucher {
		voucher: gen_credits::Voucher {
			genesis: subxt::utils::H256(genesis.0),
			channel: channel.id,
			channel_nonce: channel.nonce,
			total,
		},
		signature: MultiSignature::Sr25519(signature.0),
	}
}
