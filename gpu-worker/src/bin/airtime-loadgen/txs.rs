//! Signing and submitting: the load accounts and their nonces, mortal transactions signed offline
//! against one anchor block, `author_submitExtrinsic` over several connections, and the node's
//! refusals sorted by reason.
//!
//! Each account's nonce is read once from the node (`system_accountNextIndex`, which counts the
//! pool) and then counted up locally, under the account's lock so that its transactions reach the
//! node in nonce order. It advances only when the node accepts a transaction; a refusal that
//! says the nonce is wrong (stale, replaced, already imported) or a lost connection makes the
//! next send read it again. Transactions are mortal ([`MORTALITY`] blocks from the anchor, the
//! latest finalized block, refreshed every [`ANCHOR_REFRESH`]), so one dropped by the pool leaves
//! no transaction lingering for long.

use airtime_worker::chain::{self, Client};
use sp_core::{sr25519, Pair};
use std::{
	collections::{HashMap, VecDeque},
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, RwLock,
	},
	time::{Duration, Instant},
};
use subxt::{
	client::OnlineClientAtBlockImpl,
	config::{DefaultExtrinsicParams, DefaultExtrinsicParamsBuilder, HashFor, RpcConfigFor},
	rpcs::{
		client::{reconnecting_rpc_client::ExponentialBackoff, ReconnectingRpcClient, RpcClient},
		methods::LegacyRpcMethods,
	},
	transactions::{Payload, TransactionsClient},
	PolkadotConfig,
};
use thiserror::Error;

/// Blocks a load transaction stays valid for, counted from its anchor block.
pub const MORTALITY: u64 = 64;
/// How often the anchor block (the latest finalized one) is read again.
pub const ANCHOR_REFRESH: Duration = Duration::from_secs(30);

/// The transactions client at one block: signs offline with that block's metadata and versions.
pub type Txs = TransactionsClient<PolkadotConfig, OnlineClientAtBlockImpl<PolkadotConfig>>;
/// A block hash as subxt types it.
pub type Hash = HashFor<PolkadotConfig>;
type Methods = LegacyRpcMethods<RpcConfigFor<PolkadotConfig>>;

/// What can go wrong outside of a refused transaction.
#[derive(Debug, Error)]
pub enum LoadError {
	/// An RPC, a subscription or decoding failed.
	#[error("chain: {0}")]
	Chain(String),
	/// Setting up accounts, roles or funds failed.
	#[error("setup failed: {0}")]
	Setup(String),
	/// The arguments do not make sense.
	#[error("invalid arguments: {0}")]
	Usage(String),
	/// Writing a result file failed.
	#[error("cannot write {path}: {error}")]
	Io {
		/// The file.
		path: String,
		/// Why.
		error: std::io::Error,
	},
}

impl LoadError {
	/// A chain error from anything printable.
	pub fn chain(e: impl std::fmt::Display) -> Self {
		LoadError::Chain(e.to_string())
	}
}

impl From<chain::ChainError> for LoadError {
	fn from(e: chain::ChainError) -> Self {
		LoadError::Chain(e.to_string())
	}
}

/// The node refused a transaction: its JSON-RPC error (`None` code: the transport failed).
#[derive(Clone, Debug)]
pub struct Refusal {
	/// The JSON-RPC error code (1010 invalid, 1002 verification, 1016 pool full, ...).
	pub code: Option<i32>,
	/// The error message (`Invalid Transaction`, ...).
	pub message: String,
	/// The error data (`Transaction is outdated`, ...), unquoted.
	pub data: String,
}

impl Refusal {
	fn from_rpc(e: subxt::rpcs::Error) -> Self {
		match e {
			subxt::rpcs::Error::User(u) => Refusal {
				code: Some(u.code),
				message: u.message,
				data: u
					.data
					.map(|d| {
						serde_json::from_str::<String>(d.get())
							.unwrap_or_else(|_| d.get().to_string())
					})
					.unwrap_or_default(),
			},
			other => Refusal { code: None, message: other.to_string(), data: String::new() },
		}
	}

	/// A short, stable reason for counting (`1010 Invalid Transaction: Transaction is outdated`).
	pub fn reason(&self) -> String {
		let mut reason = match self.code {
			Some(code) if self.data.is_empty() => format!("{code} {}", self.message),
			Some(code) => format!("{code} {}: {}", self.message, self.data),
			None => format!("transport: {}", self.message),
		};
		if reason.len() > 120 {
			let cut = (0..=120).rev().find(|i| reason.is_char_boundary(*i)).unwrap_or(0);
			reason.truncate(cut);
		}
		reason
	}

	/// Whether the refusal means our nonce is wrong or unknown: stale, replaced, already known,
	/// or the connection failed (the transaction may or may not have reached the pool).
	pub fn nonce_suspect(&self) -> bool {
		match self.code {
			Some(1010) => self.data.contains("outdated") || self.data.contains("future"),
			// Temporarily banned, already imported, too low priority, future rejected.
			Some(1012 | 1013 | 1014 | 1021) => true,
			None => true,
			_ => false,
		}
	}

	/// Whether it failed below the RPC layer (no JSON-RPC error from the node): the node may or
	/// may not have the transaction.
	pub fn is_transport(&self) -> bool {
		self.code.is_none()
	}

	/// Whether the pool is full (`1016 Immediately Dropped`): back off a little.
	pub fn pool_full(&self) -> bool {
		self.code == Some(1016)
	}
}

/// The block transactions are signed against, with its transactions client.
pub struct Anchor {
	/// Signs offline with the metadata and versions at the anchor.
	pub txs: Txs,
	/// The anchor's number (the mortality's start).
	pub number: u64,
	/// The anchor's hash.
	pub hash: Hash,
}

/// The connection to the node: a subxt client for blocks, and connections for submitting.
pub struct Chain {
	/// The subxt client (reconnecting).
	pub client: Client,
	/// The chain's genesis hash.
	pub genesis: sp_core::H256,
	main: Methods,
	submitters: Vec<Methods>,
	next: AtomicUsize,
	anchor: RwLock<Arc<Anchor>>,
}

impl Chain {
	/// The chain's block limits (`System::BlockWeights`, `System::BlockLength`) at the current
	/// block.
	pub async fn block_limits(&self) -> Result<crate::report::BlockLimits, LoadError> {
		let at = self.client.at_current_block().await.map_err(LoadError::chain)?;
		let system = chain::airtime::constants().system();
		let weights = at.constants().entry(system.block_weights()).map_err(LoadError::chain)?;
		let length = at.constants().entry(system.block_length()).map_err(LoadError::chain)?;
		let max = length.max;
		Ok(crate::report::BlockLimits {
			max_ref_time: weights.max_block.ref_time,
			max_length: max.normal.max(max.operational).max(max.mandatory),
		})
	}

	/// Connect to `url` with one client and `connections` more WebSockets for submissions.
	pub async fn connect(url: &str, connections: usize) -> Result<Arc<Self>, LoadError> {
		let (client, rpc) = chain::connect(url).await?;
		let mut submitters = Vec::new();
		for _ in 0..connections.max(1) {
			let inner = ReconnectingRpcClient::builder()
				.retry_policy(
					ExponentialBackoff::from_millis(100).max_delay(Duration::from_secs(5)),
				)
				.build(url)
				.await
				.map_err(LoadError::chain)?;
			submitters.push(Methods::new(RpcClient::new(inner)));
		}
		let anchor = Arc::new(Self::read_anchor(&client).await?);
		Ok(Arc::new(Chain {
			genesis: chain::genesis(&client),
			client,
			main: Methods::new(rpc),
			submitters,
			next: AtomicUsize::new(0),
			anchor: RwLock::new(anchor),
		}))
	}

	async fn read_anchor(client: &Client) -> Result<Anchor, LoadError> {
		let at = client.at_current_block().await.map_err(LoadError::chain)?;
		Ok(Anchor { number: at.block_number(), hash: at.block_hash(), txs: at.tx() })
	}

	/// The current anchor.
	pub fn anchor(&self) -> Arc<Anchor> {
		self.anchor.read().unwrap_or_else(|p| p.into_inner()).clone()
	}

	/// Read the anchor again (the latest finalized block).
	pub async fn refresh_anchor(&self) -> Result<(), LoadError> {
		let fresh = Arc::new(Self::read_anchor(&self.client).await?);
		*self.anchor.write().unwrap_or_else(|p| p.into_inner()) = fresh;
		Ok(())
	}

	/// Refresh the anchor every [`ANCHOR_REFRESH`] until the task is aborted.
	pub fn spawn_anchor_refresh(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
		let chain = self.clone();
		tokio::spawn(async move {
			loop {
				tokio::time::sleep(ANCHOR_REFRESH).await;
				if let Err(e) = chain.refresh_anchor().await {
					tracing::warn!(error = %e, "cannot refresh the signing anchor");
				}
			}
		})
	}

	/// The account's next nonce as the node sees it (chain state plus ready pool transactions).
	pub async fn next_index(&self, who: &subxt::utils::AccountId32) -> Result<u64, LoadError> {
		self.main.system_account_next_index(who).await.map_err(LoadError::chain)
	}

	/// The latest finalized block number.
	pub async fn finalized_number(&self) -> Result<u64, LoadError> {
		Ok(u64::from(chain::finalized_number(&self.client).await?))
	}

	/// The account's nonce in the latest finalized state.
	pub async fn finalized_nonce(&self, who: &subxt::utils::AccountId32) -> Result<u64, LoadError> {
		let at = self.client.at_current_block().await.map_err(LoadError::chain)?;
		at.tx().account_nonce(who).await.map_err(LoadError::chain)
	}

	/// `author_submitExtrinsic`, round robin over the submitting connections.
	pub async fn submit(&self, bytes: &[u8]) -> Result<(), Refusal> {
		let i = self.next.fetch_add(1, Ordering::Relaxed);
		let m = i
			.checked_rem(self.submitters.len())
			.and_then(|i| self.submitters.get(i))
			.unwrap_or(&self.main);
		m.author_submit_extrinsic(bytes).await.map(|_| ()).map_err(Refusal::from_rpc)
	}
}

use airtime_worker::signer::PairSigner;

/// The extensions' parameters: `nonce`, mortal for [`MORTALITY`] blocks from the anchor.
pub fn params(anchor: &Anchor, nonce: u64) -> DefaultExtrinsicParams<PolkadotConfig> {
	DefaultExtrinsicParamsBuilder::<PolkadotConfig>::new()
		.nonce(nonce)
		.mortal_from_unchecked(MORTALITY, anchor.number, anchor.hash)
		.build()
}

/// Sign `call` offline with `pair` at `nonce`; the encoded extrinsic.
pub fn sign<P: Payload>(
	anchor: &Anchor,
	pair: &sr25519::Pair,
	nonce: u64,
	call: &P,
) -> Result<Vec<u8>, LoadError> {
	sign_with(anchor, pair, call, params(anchor, nonce))
}

/// Sign `call` offline with `pair` and the given extension parameters.
pub fn sign_with<P: Payload>(
	anchor: &Anchor,
	pair: &sr25519::Pair,
	call: &P,
	params: DefaultExtrinsicParams<PolkadotConfig>,
) -> Result<Vec<u8>, LoadError> {
	let mut signable =
		anchor.txs.create_signable_offline(call, params).map_err(LoadError::chain)?;
	let tx = signable.sign(&PairSigner(pair)).map_err(LoadError::chain)?;
	Ok(tx.into_encoded())
}

/// An account's nonce as this process tracks it.
#[derive(Default)]
pub struct NonceState {
	/// The next nonce to use (`None`: read it from the node first).
	pub next: Option<u64>,
	/// Accepted transactions not yet seen in a block, oldest first (hash, when sent).
	pub inflight: VecDeque<([u8; 32], Instant)>,
}

/// A load (or dev) account.
pub struct Account {
	/// Its key.
	pub pair: sr25519::Pair,
	/// Its account id.
	pub id: subxt::utils::AccountId32,
	/// Its nonce, locked while one of its transactions is signed and submitted.
	pub state: tokio::sync::Mutex<NonceState>,
}

impl Account {
	/// The account of a secret URI (`//Alice`, `//load//3`).
	pub fn from_uri(uri: &str) -> Result<Self, LoadError> {
		let pair = sr25519::Pair::from_string(uri, None)
			.map_err(|e| LoadError::Usage(format!("bad secret URI {uri}: {e:?}")))?;
		let id = subxt::utils::AccountId32(pair.public().0);
		Ok(Account { pair, id, state: tokio::sync::Mutex::new(NonceState::default()) })
	}

	/// The account id as the runtime's types have it.
	pub fn runtime_id(&self) -> sp_runtime::AccountId32 {
		sp_runtime::AccountId32::new(self.id.0)
	}
}

/// The load accounts, `<prefix>//0` .. `<prefix>//n-1`.
pub struct Accounts {
	list: Vec<Account>,
	by_id: HashMap<[u8; 32], usize>,
}

impl Accounts {
	/// Derive `n` accounts.
	pub fn derive(prefix: &str, n: usize) -> Result<Self, LoadError> {
		let list = (0..n)
			.map(|i| Account::from_uri(&format!("{prefix}//{i}")))
			.collect::<Result<Vec<_>, _>>()?;
		let by_id = list.iter().enumerate().map(|(i, a)| (a.id.0, i)).collect();
		Ok(Accounts { list, by_id })
	}

	/// How many.
	pub fn len(&self) -> usize {
		self.list.len()
	}

	/// All of them.
	pub fn iter(&self) -> impl Iterator<Item = &Account> {
		self.list.iter()
	}

	/// Account `i`.
	pub fn get(&self, i: usize) -> Result<&Account, LoadError> {
		self.list.get(i).ok_or_else(|| LoadError::Usage(format!("no load account {i}")))
	}

	/// The index of an account id, if it is a load account.
	pub fn index_of(&self, id: &subxt::utils::AccountId32) -> Option<usize> {
		self.by_id.get(&id.0).copied()
	}

	/// Forget every nonce: the next send reads it from the node.
	pub async fn forget_nonces(&self) {
		for a in &self.list {
			let mut s = a.state.lock().await;
			s.next = None;
			s.inflight.clear();
		}
	}
}

/// A signed transaction ready to submit.
pub struct Prepared {
	/// The nonce it uses.
	pub nonce: u64,
	/// Its encoding.
	pub bytes: Vec<u8>,
	/// blake2-256 of the encoding: the pool's and the block's hash of it.
	pub hash: [u8; 32],
}

/// Sign `call` for `account` at its next nonce (read from the node when unknown). The caller
/// holds the account's lock (`state`) until [`settle`].
pub async fn prepare<P: Payload>(
	chain: &Chain,
	account: &Account,
	state: &mut NonceState,
	call: &P,
) -> Result<Prepared, LoadError> {
	let nonce = match state.next {
		Some(n) => n,
		None => {
			let n = chain.next_index(&account.id).await?;
			state.next = Some(n);
			n
		},
	};
	let bytes = sign(&chain.anchor(), &account.pair, nonce, call)?;
	let hash = sp_crypto_hashing::blake2_256(&bytes);
	Ok(Prepared { nonce, bytes, hash })
}

/// Update the nonce after a submission: advance when accepted, re-read when suspect.
pub fn settle(state: &mut NonceState, prepared: &Prepared, refusal: Option<&Refusal>) {
	match refusal {
		None => {
			state.next = prepared.nonce.checked_add(1);
			state.inflight.push_back((prepared.hash, Instant::now()));
		},
		Some(r) if r.nonce_suspect() => {
			state.next = None;
			state.inflight.clear();
		},
		Some(_) => {},
	}
}

/// Sign, submit and settle one transaction of `account` (setup): the hash, or the refusal as
/// an error.
pub async fn send<P: Payload>(
	chain: &Chain,
	account: &Account,
	call: &P,
) -> Result<[u8; 32], LoadError> {
	let mut state = account.state.lock().await;
	let prepared = prepare(chain, account, &mut state, call).await?;
	let result = chain.submit(&prepared.bytes).await;
	settle(&mut state, &prepared, result.as_ref().err());
	match result {
		Ok(()) => Ok(prepared.hash),
		Err(r) => Err(LoadError::Setup(format!("transaction refused: {}", r.reason()))),
	}
}
