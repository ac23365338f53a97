//! `airtime-worker`: a compute provider's worker (leased jobs of pallet-compute), the metered AI
//! service of pallet-credits, and its callers' client.
//!
//! ```text
//! airtime-worker --config worker.toml register        # once: stake and offers on chain
//! airtime-worker --config worker.toml run             # take, run, attest and verify jobs
//! airtime-worker --config worker.toml status          # provider record, open jobs, earnings
//! airtime-worker --config worker.toml unregister      # start leaving (stake unbonds)
//!
//! airtime-worker register-service --seed //Bob --price 1000000000 [--tier 0]
//! airtime-worker serve --seed //Bob --service 0 --listen 127.0.0.1:8480 --journal ./vouchers.log
//! airtime-worker open-channel --seed //Charlie --service 0 --amount 20000000000000 --expiry-in 600
//! airtime-worker call --seed //Charlie --url http://127.0.0.1:8480 --channel 0 --count 10000
//! ```
//! Every subcommand prints one JSON object on stdout; logs go to stderr (`RUST_LOG`).

use airtime_worker::{
	chain,
	client::{Caller, ServiceClient},
	config::{self, Backend, FileConfig},
	mlp::Mlp,
	provider::{self, Settings},
	service::{self, ServiceConfig},
	signer::{self, Op, Outcome},
};
use clap::{Args, Parser, Subcommand};
use sp_core::{sr25519, Pair, H256};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Parser)]
#[command(
	name = "airtime-worker",
	version,
	about = "Airtime's off-chain worker: run leased GPU/CPU jobs for AIR, serve metered AI calls",
	long_about = "Airtime's off-chain worker.\n\n\
		A compute provider writes a TOML config (see `--config`), registers once with \
		`register` (its stake goes on hold, its device and prices on chain), then keeps `run` \
		going beside a node: it takes jobs it can hold, runs them on the GPU (CUDA) or the CPU, \
		attests the output hash on chain, serves outputs to their owners over HTTP, verifies \
		other providers' results when drawn for a dispute, and is paid when results stand. \
		`status` shows the provider record, open jobs and earnings; `unregister` starts \
		leaving.\n\nKeys come from `seed_file` (or AIRTIME_SEED_FILE); they are never printed."
)]
struct Cli {
	/// The provider's TOML configuration file (rpc, seed_file, data_dir, listen, backend,
	/// inputs, stake, [[offers]] kind/max_units/price_per_unit); before or after the command.
	#[arg(long, short, global = true, env = "AIRTIME_CONFIG")]
	config: Option<PathBuf>,
	#[command(subcommand)]
	command: Command,
}

/// The provider commands' settings: a TOML file, overridden by environment and flags.
#[derive(Args, Clone)]
struct ProviderArgs {
	/// The node's WebSocket RPC endpoint [config: rpc; default ws://127.0.0.1:9944].
	#[arg(long, env = "AIRTIME_RPC")]
	rpc: Option<String>,
	/// A secret URI (prefer --seed-file: command lines are visible to other users).
	#[arg(long, env = "AIRTIME_SEED", hide_env_values = true)]
	seed: Option<String>,
	/// A file holding the secret URI, mnemonic or hex seed [config: seed_file].
	#[arg(long, env = "AIRTIME_SEED_FILE")]
	seed_file: Option<PathBuf>,
	/// The journal and output store directory [config: data_dir; default ./airtime-worker].
	#[arg(long, env = "AIRTIME_DATA_DIR")]
	data_dir: Option<PathBuf>,
	/// HTTP address for outputs, /metrics, /health [config: listen; default 127.0.0.1:8490].
	#[arg(long, env = "AIRTIME_LISTEN")]
	listen: Option<SocketAddr>,
	/// Executor backend [config: backend; default auto].
	#[arg(long, env = "AIRTIME_BACKEND", value_enum)]
	backend: Option<Backend>,
}

impl ProviderArgs {
	fn settings(
		&self,
		config: Option<&std::path::Path>,
	) -> Result<Settings, Box<dyn std::error::Error + Send + Sync>> {
		let file = match config {
			Some(path) => FileConfig::load(path)?,
			None => FileConfig::default(),
		};
		let secret = config::secret(self.seed.as_deref(), self.seed_file.as_deref(), &file)?;
		Ok(Settings {
			rpc: self
				.rpc
				.clone()
				.or_else(|| file.rpc.clone())
				.unwrap_or_else(|| "ws://127.0.0.1:9944".into()),
			secret,
			data_dir: self
				.data_dir
				.clone()
				.or_else(|| file.data_dir.clone())
				.unwrap_or_else(|| PathBuf::from("airtime-worker")),
			listen: self
				.listen
				.or(file.listen)
				.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8490))),
			backend: self.backend.or(file.backend).unwrap_or_default(),
			file,
		})
	}
}

#[derive(Args, Clone)]
struct Chain {
	/// The node's WebSocket RPC endpoint.
	#[arg(long, env = "AIRTIME_RPC", default_value = "ws://127.0.0.1:9944")]
	rpc: String,
	/// The account's secret URI (`//Alice`, a mnemonic, or a hex seed).
	#[arg(long, env = "AIRTIME_SEED")]
	seed: String,
}

#[derive(Subcommand)]
enum Command {
	/// Register this account as a compute provider: device capabilities are detected, offers
	/// and prices come from the config, the stake is held.
	Register {
		#[command(flatten)]
		args: ProviderArgs,
		/// Stake in planck [config: stake].
		#[arg(long)]
		stake: Option<u128>,
	},
	/// Run the provider: take jobs, run them, attest, serve outputs, verify disputes.
	Run {
		#[command(flatten)]
		args: ProviderArgs,
	},
	/// Show the provider record, the jobs in the journal and the earnings (JSON).
	Status {
		#[command(flatten)]
		args: ProviderArgs,
	},
	/// Start leaving: no new jobs; the stake is released after the unbonding period.
	Unregister {
		#[command(flatten)]
		args: ProviderArgs,
	},
	/// Serve MLP inference paid by vouchers (the service's owner account signs redemptions).
	Serve {
		#[command(flatten)]
		chain: Chain,
		/// The registered service to serve.
		#[arg(long)]
		service: u64,
		#[arg(long, default_value = "127.0.0.1:8480")]
		listen: SocketAddr,
		/// The voucher journal.
		#[arg(long, default_value = "airtime-vouchers.log")]
		journal: PathBuf,
		/// Blocks before a channel's expiry from which calls are refused and it is redeemed.
		#[arg(long, default_value_t = 20)]
		expiry_margin: u32,
		/// Seconds between scheduled redemptions.
		#[arg(long, default_value_t = 600)]
		redeem_every: u64,
		/// Seconds a payer's tier check is trusted.
		#[arg(long, default_value_t = 60)]
		tier_ttl: u64,
		/// Token required by `POST /v1/redeem`.
		#[arg(long, env = "AIRTIME_ADMIN_TOKEN")]
		admin_token: Option<String>,
		/// Seed of the model's weights.
		#[arg(long, default_value_t = 2026)]
		model_seed: u64,
		/// Layer widths, input first.
		#[arg(long, value_delimiter = ',', default_value = "16,64,64,8")]
		model_dims: Vec<usize>,
	},
	/// Register a service owned by the signing account.
	RegisterService {
		#[command(flatten)]
		chain: Chain,
		/// Price per call in planck.
		#[arg(long)]
		price: u128,
		/// Required tier (0: none).
		#[arg(long, default_value_t = 0)]
		tier: u8,
		/// The service's description (its hash goes on chain).
		#[arg(long, default_value = "airtime MLP inference")]
		metadata: String,
		/// The endpoint URL (its hash goes on chain).
		#[arg(long, default_value = "http://127.0.0.1:8480")]
		endpoint: String,
	},
	/// Open a channel from the signing account to a service.
	OpenChannel {
		#[command(flatten)]
		chain: Chain,
		#[arg(long)]
		service: u64,
		/// Planck to lock.
		#[arg(long)]
		amount: u128,
		/// Blocks from the latest finalized block to the expiry.
		#[arg(long, default_value_t = 600)]
		expiry_in: u32,
	},
	/// Make paid calls: one voucher per call, resuming where the service left off.
	Call {
		#[command(flatten)]
		chain: Chain,
		/// The service's base URL.
		#[arg(long, default_value = "http://127.0.0.1:8480")]
		url: String,
		#[arg(long)]
		channel: u64,
		/// Number of calls.
		#[arg(long, default_value_t = 1)]
		count: u64,
		/// Seed of the inputs (each call gets the next input).
		#[arg(long, default_value_t = 1)]
		input_seed: u64,
		/// The model's input width.
		#[arg(long, default_value_t = 16)]
		input_len: usize,
	},
}

type MainResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn pair(seed: &str) -> Result<sr25519::Pair, String> {
	sr25519::Pair::from_string(seed, None).map_err(|e| format!("bad --seed: {e:?}"))
}

fn input(seed: u64, call: u64, len: usize) -> Vec<i8> {
	let mut state = seed.wrapping_add(call.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1;
	(0..len)
		.map(|_| {
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			(state >> 56) as u8 as i8
		})
		.collect()
}

#[tokio::main]
async fn main() -> MainResult {
	airtime_worker::init_tracing();
	let cli = Cli::parse();
	let config = cli.config.as_deref();
	match cli.command {
		Command::Register { args, stake } => {
			let out = provider::register(&args.settings(config)?, stake).await?;
			println!("{out}");
		},
		Command::Run { args } => provider::run(&args.settings(config)?).await?,
		Command::Status { args } => {
			println!("{}", provider::status(&args.settings(config)?).await?)
		},
		Command::Unregister { args } => {
			println!("{}", provider::unregister(&args.settings(config)?).await?)
		},
		Command::Serve {
			chain: c,
			service,
			listen,
			journal,
			expiry_margin,
			redeem_every,
			tier_ttl,
			admin_token,
			model_seed,
			model_dims,
		} => {
			let pair = pair(&c.seed)?;
			// Refuse a bad model before touching the chain.
			Mlp::from_seed(model_seed, &model_dims)?;
			let (client, rpc) = chain::connect_with_retry(&c.rpc).await;
			let signer = signer::spawn(client.clone(), rpc, pair);
			let config = ServiceConfig {
				service,
				listen,
				journal,
				expiry_margin,
				redeem_every: Duration::from_secs(redeem_every),
				tier_ttl: Duration::from_secs(tier_ttl),
				admin_token,
				model_seed,
				model_dims,
			};
			service::run(config, client, signer).await?;
		},
		Command::RegisterService { chain: c, price, tier, metadata, endpoint } => {
			let (client, rpc) = chain::connect(&c.rpc).await?;
			let signer = signer::spawn(client, rpc, pair(&c.seed)?);
			let op = Op::RegisterService {
				metadata_hash: H256(sp_crypto_hashing::blake2_256(metadata.as_bytes())),
				endpoint_hash: H256(sp_crypto_hashing::blake2_256(endpoint.as_bytes())),
				price_per_call: price,
				tier_required: tier,
			};
			if let Outcome::ServiceRegistered { service } = signer.submit(op).await? {
				println!("{}", serde_json::json!({ "service": service }));
			}
		},
		Command::OpenChannel { chain: c, service, amount, expiry_in } => {
			let (client, rpc) = chain::connect(&c.rpc).await?;
			let expiry = chain::finalized_number(&client).await?.saturating_add(expiry_in);
			let signer = signer::spawn(client, rpc, pair(&c.seed)?);
			if let Outcome::ChannelOpened { channel, nonce } =
				signer.submit(Op::OpenChannel { service, amount, expiry }).await?
			{
				println!(
					"{}",
					serde_json::json!({ "channel": channel, "nonce": nonce, "expiry": expiry })
				);
			}
		},
		Command::Call { chain: c, url, channel, count, input_seed, input_len } => {
			let (client, _rpc) = chain::connect(&c.rpc).await?;
			let terms = chain::channel(&client, channel)
				.await?
				.ok_or_else(|| format!("channel {channel} does not exist"))?;
			let pair = pair(&c.seed)?;
			let me: sp_runtime::AccountId32 = pair.public().into();
			if me != terms.signer {
				return Err(
					format!("channel {channel}'s vouchers are signed by {}", terms.signer).into()
				);
			}
			let service = ServiceClient::new(&url);
			// Resume after what the service already accepted.
			let (start_total, start_calls) = match service.channel(channel).await? {
				Some(r) => (r.latest_total.parse::<u128>().unwrap_or(0), r.calls),
				None => (0, 0),
			};
			let start_total =
				start_total.max(terms.price_per_call.saturating_mul(u128::from(start_calls)));
			let mut caller = Caller::new(
				pair,
				chain::genesis(&client),
				channel,
				terms.nonce,
				terms.price_per_call,
				start_total,
			);
			let started = std::time::Instant::now();
			let mut last = None;
			for call in 0..count {
				let voucher = caller.next_voucher();
				last = Some(
					service.infer(channel, &input(input_seed, call, input_len), &voucher).await?,
				);
			}
			let seconds = started.elapsed().as_secs_f64();
			println!(
				"{}",
				serde_json::json!({
					"calls": count,
					"total": caller.total().to_string(),
					"paid": caller.total().saturating_sub(start_total).to_string(),
					"seconds": seconds,
					"callsPerSecond": if seconds > 0.0 { count as f64 / seconds } else { 0.0 },
					"last": last,
				})
			);
		},
	}
	Ok(())
}
