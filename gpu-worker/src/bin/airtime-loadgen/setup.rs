//! Setup before a measurement, in a few waves of transactions, each submitted at once and
//! awaited to finality (with every extrinsic's outcome checked):
//!
//! 1. **Funding**: the dev accounts (`//Alice` .. `//Ferdie`, a million AIR each) send
//!    `utility.batch_all` batches of `balances.transfer_keep_alive`, [`BATCH`] transfers each.
//! 2. **Roles** (mixed scenario): providers `compute.register_provider` (skipped for one already
//!    registered by an earlier run), sellers `data_market.list_dataset`, service owners
//!    `credits.register_service`, users `data_market.set_delivery_key`.
//! 3. **Channels** (mixed scenario): every user `credits.open_channel`s to one service.
//!
//! Which account plays which part is fixed by its index ([`Layout`]).

use crate::{
	mixed::{self, Channel, Roles},
	tracker,
	txs::{self, Account, Accounts, Chain, LoadError},
};
use airtime_worker::{chain::airtime, AIR};
use std::{collections::HashMap, ops::Range, time::Duration};
use subxt::{client::Blocks, events::Events, transactions::Payload, PolkadotConfig};

/// Transfers per funding batch.
pub const BATCH: usize = 250;
/// The dev accounts that fund the load accounts.
pub const FUNDERS: [&str; 6] = ["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"];
/// What they can give away in all (of their six million AIR).
pub const FUNDING_LIMIT: u128 = 4_000_000 * AIR;
/// A provider's stake: collateral for 64 slots at 10 AIR, and some.
pub const PROVIDER_STAKE: u128 = 700 * AIR;
/// What a provider gets on top of the others: its stake and fees.
const PROVIDER_EXTRA: u128 = PROVIDER_STAKE + 10 * AIR;
/// What each user locks in its channel.
pub const CHANNEL_AMOUNT: u128 = 10 * AIR;
/// Blocks a channel stays open (within `MinChannelDuration`..`MaxChannelDuration`).
pub const CHANNEL_LIFETIME: u32 = 14_400;
/// Finalized blocks a wave may take.
const WAVE_BLOCKS: u32 = 40;

/// Which load accounts play which part in the mixed scenario.
#[derive(Clone, Debug)]
pub struct Layout {
	/// Compute providers (a tenth, 1 to 64).
	pub providers: Range<usize>,
	/// Dataset sellers (a twentieth, 1 to 32).
	pub sellers: Range<usize>,
	/// Service owners (a twentieth, 1 to 32).
	pub services: Range<usize>,
	/// Everyone else.
	pub users: Range<usize>,
}

impl Layout {
	/// The layout of `n` accounts; `None` when too few for the mixed scenario (8).
	pub fn new(n: usize) -> Option<Self> {
		let p = (n / 10).clamp(1, 64);
		let s = (n / 20).clamp(1, 32);
		let v = (n / 20).clamp(1, 32);
		let roles = p.saturating_add(s).saturating_add(v);
		if n < 8 || n < roles.saturating_add(2) {
			return None;
		}
		let sellers_end = p.saturating_add(s);
		let services_end = sellers_end.saturating_add(v);
		Some(Layout {
			providers: 0..p,
			sellers: p..sellers_end,
			services: sellers_end..services_end,
			users: services_end..n,
		})
	}
}

/// A set of transactions submitted together and awaited to finality.
struct Wave {
	blocks: Blocks<PolkadotConfig>,
	pending: HashMap<[u8; 32], String>,
	name: &'static str,
}

impl Wave {
	/// Subscribe to finalized blocks first, so none holding the wave is missed.
	async fn start(chain: &Chain, name: &'static str) -> Result<Self, LoadError> {
		let blocks = chain.client.stream_blocks().await.map_err(LoadError::chain)?;
		Ok(Wave { blocks, pending: HashMap::new(), name })
	}

	async fn push<P: Payload>(
		&mut self,
		chain: &Chain,
		account: &Account,
		call: &P,
		label: String,
	) -> Result<(), LoadError> {
		let hash = txs::send(chain, account, call)
			.await
			.map_err(|e| LoadError::Setup(format!("{label}: {e}")))?;
		self.pending.insert(hash, label);
		Ok(())
	}

	/// Wait until every transaction is in a finalized block; the events of those blocks. Fails
	/// when one failed or the wave takes more than [`WAVE_BLOCKS`] blocks.
	async fn finish(mut self) -> Result<Vec<Events<PolkadotConfig>>, LoadError> {
		let total = self.pending.len();
		tracing::info!(wave = self.name, transactions = total, "waiting for finality");
		let mut events = Vec::new();
		let mut failed = Vec::new();
		let mut seen = 0u32;
		while !self.pending.is_empty() {
			let next =
				tokio::time::timeout(Duration::from_secs(90), self.blocks.next()).await.map_err(
					|_| LoadError::Setup(format!("{}: no finalized block for 90 s", self.name)),
				)?;
			let block = match next {
				Some(Ok(b)) => b,
				Some(Err(e)) => return Err(LoadError::chain(e)),
				None => return Err(LoadError::Setup("the finalized block stream ended".into())),
			};
			seen = seen.saturating_add(1);
			if seen > WAVE_BLOCKS {
				let first = self.pending.values().next().cloned().unwrap_or_default();
				return Err(LoadError::Setup(format!(
					"{}: {} of {total} transactions not finalized after {WAVE_BLOCKS} blocks \
					 (e.g. {first}): dropped from the pool?",
					self.name,
					self.pending.len()
				)));
			}
			let at = block.at().await.map_err(LoadError::chain)?;
			let exts = at.extrinsics().fetch().await.map_err(LoadError::chain)?;
			let mut ours = Vec::new();
			for ext in exts.iter().flatten() {
				let hash = sp_crypto_hashing::blake2_256(ext.bytes());
				if let Some(label) = self.pending.remove(&hash) {
					ours.push((u32::try_from(ext.index()).unwrap_or(u32::MAX), label));
				}
			}
			if ours.is_empty() {
				continue;
			}
			let evs = at.events().fetch().await.map_err(LoadError::chain)?;
			let outcomes = tracker::outcomes(&evs, at.metadata_ref());
			for (index, label) in ours {
				match outcomes.get(&index) {
					Some(None) => {},
					Some(Some(reason)) => failed.push(format!("{label}: {reason}")),
					None => failed.push(format!("{label}: no outcome event")),
				}
			}
			events.push(evs);
		}
		if !failed.is_empty() {
			let shown: Vec<&str> = failed.iter().take(5).map(String::as_str).collect();
			return Err(LoadError::Setup(format!(
				"{}: {} transactions failed: {}",
				self.name,
				failed.len(),
				shown.join("; ")
			)));
		}
		tracing::info!(wave = self.name, transactions = total, "finalized");
		Ok(events)
	}
}

/// Give each load account `per_account` (providers also their stake), from the dev accounts.
pub async fn fund(
	chain: &Chain,
	accounts: &Accounts,
	layout: Option<&Layout>,
	per_account: u128,
) -> Result<(), LoadError> {
	use airtime::runtime_types::{
		airtime_runtime::RuntimeCall, pallet_balances::pallet::Call as BalancesCall,
	};
	let targets: Vec<(subxt::utils::AccountId32, u128)> = accounts
		.iter()
		.enumerate()
		.map(|(i, a)| {
			let provider = layout.is_some_and(|l| l.providers.contains(&i));
			(a.id, if provider { per_account.saturating_add(PROVIDER_EXTRA) } else { per_account })
		})
		.collect();
	let total = targets.iter().fold(0u128, |sum, (_, v)| sum.saturating_add(*v));
	if total > FUNDING_LIMIT {
		return Err(LoadError::Usage(format!(
			"funding {} accounts needs {} AIR, more than the dev accounts can give ({} AIR): \
			 lower --accounts or --fund",
			accounts.len(),
			total.checked_div(AIR).unwrap_or_default(),
			FUNDING_LIMIT.checked_div(AIR).unwrap_or_default()
		)));
	}
	let funders =
		FUNDERS.iter().map(|uri| Account::from_uri(uri)).collect::<Result<Vec<_>, _>>()?;
	let mut wave = Wave::start(chain, "funding").await?;
	for (k, chunk) in targets.chunks(BATCH).enumerate() {
		let funder = k
			.checked_rem(funders.len())
			.and_then(|f| funders.get(f))
			.ok_or_else(|| LoadError::Setup("no funder".into()))?;
		let calls = chunk
			.iter()
			.map(|(id, value)| {
				RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
					dest: subxt::utils::MultiAddress::Id(*id),
					value: *value,
				})
			})
			.collect::<Vec<_>>();
		let call = airtime::transactions().utility().batch_all(calls);
		wave.push(chain, funder, &call, format!("funding batch {k}")).await?;
	}
	wave.finish().await?;
	Ok(())
}

/// Set up the mixed scenario's parts: providers, datasets, services, delivery keys, channels.
pub async fn roles(
	chain: &Chain,
	accounts: &Accounts,
	layout: &Layout,
	datasets: usize,
) -> Result<Roles, LoadError> {
	use airtime::{credits::events as ke, data_market::events as de};
	let at = chain.client.at_current_block().await.map_err(LoadError::chain)?;
	match at.constants().entry(airtime::constants().compute().challenge_period()) {
		Ok(period) if period > 10 => tracing::warn!(
			period,
			"the node's challenge window is {period} blocks (not a fast-runtime build): jobs \
			 settle only after it, most of them after the run"
		),
		Ok(period) => tracing::info!(period, "challenge window in blocks"),
		Err(e) => tracing::warn!(error = %e, "cannot read compute's ChallengePeriod"),
	}
	drop(at);
	let mut wave = Wave::start(chain, "roles").await?;
	for i in layout.providers.clone() {
		let a = accounts.get(i)?;
		if airtime_worker::chain::provider(&chain.client, &a.runtime_id()).await?.is_some() {
			tracing::info!(account = i, "already a provider (earlier run)");
			continue;
		}
		let (caps, prices) = mixed::provider_offer();
		let call =
			airtime::transactions().compute().register_provider(caps, prices, PROVIDER_STAKE);
		wave.push(chain, a, &call, format!("register provider {i}")).await?;
	}
	let sellers: Vec<usize> = layout.sellers.clone().collect();
	for d in 0..datasets.max(1) {
		let seller = d
			.checked_rem(sellers.len())
			.and_then(|s| sellers.get(s))
			.copied()
			.ok_or_else(|| LoadError::Setup("no seller".into()))?;
		let seed = format!("airtime-loadgen dataset {d} {}", rand::random::<u64>());
		let root = subxt::utils::H256(sp_crypto_hashing::blake2_256(seed.as_bytes()));
		let meta = subxt::utils::H256(sp_crypto_hashing::blake2_256(root.as_bytes()));
		let call = airtime::transactions().data_market().list_dataset(
			root,
			1_048_576,
			16,
			airtime::runtime_types::airtime_primitives::data::License::Mit,
			None,
			mixed::DATASET_PRICE,
			0,
			meta,
			airtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(Vec::new()),
		);
		wave.push(chain, accounts.get(seller)?, &call, format!("list dataset {d}")).await?;
	}
	for i in layout.services.clone() {
		let h = |s: &str| subxt::utils::H256(sp_crypto_hashing::blake2_256(s.as_bytes()));
		let call = airtime::transactions().credits().register_service(
			h(&format!("airtime-loadgen service {i}")),
			h(&format!("http://127.0.0.1/loadgen/{i}")),
			mixed::SERVICE_PRICE,
			0,
		);
		wave.push(chain, accounts.get(i)?, &call, format!("register service {i}")).await?;
	}
	for i in layout.users.clone() {
		// Stands for the user's x25519 public key.
		let key = sp_crypto_hashing::blake2_256(format!("loadgen delivery key {i}").as_bytes());
		let call = airtime::transactions().data_market().set_delivery_key(key);
		wave.push(chain, accounts.get(i)?, &call, format!("delivery key {i}")).await?;
	}
	let evs = wave.finish().await?;

	let mut roles = Roles {
		providers: layout.providers.clone().collect(),
		sellers,
		services: layout.services.clone().collect(),
		users: layout.users.clone().collect(),
		..Roles::default()
	};
	let mut services = Vec::new();
	for e in &evs {
		for ev in e.find::<de::DatasetListed>().flatten() {
			if let Some(owner) = accounts.index_of(&ev.owner).filter(|o| layout.sellers.contains(o))
			{
				roles.datasets.push((ev.dataset, owner));
			}
		}
		for ev in e.find::<ke::ServiceRegistered>().flatten() {
			if let Some(owner) =
				accounts.index_of(&ev.owner).filter(|o| layout.services.contains(o))
			{
				services.push((ev.service, owner, ev.price_per_call));
			}
		}
	}
	if roles.datasets.is_empty() || services.is_empty() {
		return Err(LoadError::Setup("no dataset or service events found".into()));
	}

	let now = u32::try_from(chain.finalized_number().await?).map_err(LoadError::chain)?;
	let expiry = now.saturating_add(CHANNEL_LIFETIME);
	let mut wave = Wave::start(chain, "channels").await?;
	for (k, i) in layout.users.clone().enumerate() {
		let (service, _, _) = k
			.checked_rem(services.len())
			.and_then(|s| services.get(s))
			.copied()
			.ok_or_else(|| LoadError::Setup("no service".into()))?;
		let call = airtime::transactions().credits().open_channel(service, CHANNEL_AMOUNT, expiry);
		wave.push(chain, accounts.get(i)?, &call, format!("open channel {i}")).await?;
	}
	let evs = wave.finish().await?;
	let owners: HashMap<u64, usize> = services.iter().map(|(s, o, _)| (*s, *o)).collect();
	for e in &evs {
		for ev in e.find::<ke::ChannelOpened>().flatten() {
			let payer = accounts.index_of(&ev.payer).filter(|p| layout.users.contains(p));
			if let (Some(payer), Some(&owner)) = (payer, owners.get(&ev.service)) {
				roles.channels.push(Channel {
					id: ev.channel,
					nonce: ev.nonce,
					price: ev.price_per_call,
					payer,
					owner,
				});
			}
		}
	}
	tracing::info!(
		providers = roles.providers.len(),
		sellers = roles.sellers.len(),
		datasets = roles.datasets.len(),
		service_owners = roles.services.len(),
		services = services.len(),
		channels = roles.channels.len(),
		users = roles.users.len(),
		"mixed scenario set up"
	);
	Ok(roles)
}
