//! The provider's configuration: a TOML file, overridden by environment variables and flags.
//!
//! ```toml
//! rpc = "ws://127.0.0.1:9944"
//! seed_file = "/etc/airtime/provider.seed"   # or, on a dev chain only, seed = "//Bob"
//! data_dir = "/var/lib/airtime-worker"       # the job journal and the output store
//! listen = "0.0.0.0:8490"                    # outputs, /metrics, /health, /v1/status
//! backend = "auto"                           # auto | cpu | cuda
//! inputs = ["/srv/blobs", "https://blobs.example.com/v1"]
//! stake = "2000000000000000"                 # planck, for `register`
//!
//! [[offers]]
//! kind = "GemmInt8"
//! max_units = 1000000
//! price_per_unit = "1000000000"              # planck per unit
//! ```

use crate::chain::Offer;
use serde::Deserialize;
use std::{net::SocketAddr, path::PathBuf, str::FromStr};
use thiserror::Error;

/// Which executor backend to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
	/// CUDA where a device answers, else the CPU.
	#[default]
	Auto,
	/// The CPU backend only.
	Cpu,
	/// CUDA; refuse to start without a device.
	Cuda,
}

/// The configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
	/// The node's WebSocket RPC endpoint.
	pub rpc: Option<String>,
	/// A development seed (`//Name`). Real keys go in `seed_file`.
	pub seed: Option<String>,
	/// A file holding the account's secret URI (a mnemonic, a hex seed, or `//Dev` paths).
	pub seed_file: Option<PathBuf>,
	/// Where the journal and the content-addressed store live.
	pub data_dir: Option<PathBuf>,
	/// The HTTP listen address.
	pub listen: Option<SocketAddr>,
	/// The backend.
	pub backend: Option<Backend>,
	/// Input sources: directories, or http(s) base URLs.
	#[serde(default)]
	pub inputs: Vec<String>,
	/// The largest input fetched, in bytes.
	pub max_input_bytes: Option<u64>,
	/// The largest HTTP response body; larger outputs are served in ranges.
	pub max_response_bytes: Option<u64>,
	/// Seconds an input fetch may take.
	pub fetch_timeout_secs: Option<u64>,
	/// The stake `register` holds, planck, as a decimal string.
	pub stake: Option<String>,
	/// Take open jobs automatically (default true).
	pub accept: Option<bool>,
	/// Report failure when a job is not done this many blocks before its deadline (default 6:
	/// the report must be finalized before the deadline, and finality lags a few blocks).
	pub deadline_margin: Option<u32>,
	/// Freivalds rounds for verifying GEMM results (error probability 2^-rounds).
	pub verify_rounds: Option<u32>,
	/// GPU model to register, instead of the detected one.
	pub gpu_model: Option<String>,
	/// What the provider offers.
	#[serde(default)]
	pub offers: Vec<Offer>,
}

/// Configuration failures.
#[derive(Debug, Error)]
pub enum ConfigError {
	/// The file cannot be read.
	#[error("cannot read {path}: {source}")]
	Read {
		/// The file.
		path: PathBuf,
		/// The error.
		source: std::io::Error,
	},
	/// The file is not valid TOML or has unknown keys.
	#[error("{path}: {reason}")]
	Parse {
		/// The file.
		path: PathBuf,
		/// The parser's message.
		reason: String,
	},
	/// A value is invalid.
	#[error("invalid configuration: {0}")]
	Invalid(String),
	/// No key was configured.
	#[error("no key: set seed_file (or AIRTIME_SEED_FILE / --seed-file), or a dev seed")]
	NoKey,
}

impl FileConfig {
	/// Read and parse `path`.
	pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
		let text = std::fs::read_to_string(path)
			.map_err(|source| ConfigError::Read { path: path.into(), source })?;
		Self::parse(&text).map_err(|reason| ConfigError::Parse { path: path.into(), reason })
	}

	/// Parse TOML text and check it.
	pub fn parse(text: &str) -> Result<Self, String> {
		let config: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
		if let Some(seed) = &config.seed {
			if !seed.starts_with("//") {
				return Err("`seed` takes development seeds (`//Name`) only: put a real secret \
					in a file named by `seed_file`, so it is never in the config"
					.into());
			}
		}
		let mut kinds: Vec<_> = config.offers.iter().map(|o| o.kind).collect();
		kinds.sort();
		kinds.dedup();
		if kinds.len() != config.offers.len() {
			return Err("an executor kind is offered twice".into());
		}
		if let Some(o) = config.offers.iter().find(|o| o.max_units == 0 || o.price_per_unit == 0) {
			return Err(format!(
				"offer {:?}: max_units and price_per_unit must be positive",
				o.kind
			));
		}
		if config.deadline_margin == Some(0) {
			return Err("deadline_margin must be at least 1 block: a failure report must land \
				before the deadline"
				.into());
		}
		if let Some(stake) = &config.stake {
			u128::from_str(stake).map_err(|_| format!("stake {stake:?} is not a planck amount"))?;
		}
		Ok(config)
	}

	/// The stake in planck.
	pub fn stake(&self) -> Option<u128> {
		self.stake.as_deref().and_then(|s| s.parse().ok())
	}
}

/// The account's secret URI: `--seed`/`AIRTIME_SEED`, then `--seed-file`/`AIRTIME_SEED_FILE`,
/// then the file's `seed_file`, then its dev `seed`. The secret is never logged or printed.
pub fn secret(
	flag_seed: Option<&str>,
	flag_seed_file: Option<&std::path::Path>,
	file: &FileConfig,
) -> Result<String, ConfigError> {
	if let Some(s) = flag_seed {
		return Ok(s.to_owned());
	}
	if let Some(path) = flag_seed_file.or(file.seed_file.as_deref()) {
		let text = std::fs::read_to_string(path)
			.map_err(|source| ConfigError::Read { path: path.into(), source })?;
		let secret = text.trim();
		if secret.is_empty() {
			return Err(ConfigError::Invalid(format!("{} is empty", path.display())));
		}
		return Ok(secret.to_owned());
	}
	file.seed.clone().ok_or(ConfigError::NoKey)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
	use super::*;
	use crate::exec::ExecutorKind;

	#[test]
	fn a_full_config_parses() {
		let c = FileConfig::parse(
			r#"
			rpc = "ws://127.0.0.1:9944"
			seed = "//Bob"
			data_dir = "/tmp/w"
			listen = "127.0.0.1:8490"
			backend = "cpu"
			inputs = ["/tmp/in", "http://127.0.0.1:1/blobs"]
			stake = "2000000000000000"
			[[offers]]
			kind = "GemmInt8"
			max_units = 1000000
			price_per_unit = "1000000000"
			"#,
		)
		.unwrap();
		assert_eq!(c.backend, Some(Backend::Cpu));
		assert_eq!(c.stake(), Some(2_000_000_000_000_000));
		assert_eq!(c.offers[0].kind, ExecutorKind::GemmInt8);
		assert_eq!(c.offers[0].price_per_unit, 1_000_000_000);
	}

	#[test]
	fn bad_configs_are_refused_with_a_reason() {
		let err = FileConfig::parse("seed = \"bottom drive obey lake curtain\"").unwrap_err();
		assert!(err.contains("seed_file"), "{err}");
		let err = FileConfig::parse("rpc = 1").unwrap_err();
		assert!(err.contains("rpc"), "{err}");
		let err = FileConfig::parse("unknown = true").unwrap_err();
		assert!(err.contains("unknown"), "{err}");
		let twice = "[[offers]]\nkind = \"GemmInt8\"\nmax_units = 1\nprice_per_unit = \"1\"\n";
		let err = FileConfig::parse(&format!("{twice}{twice}")).unwrap_err();
		assert!(err.contains("twice"), "{err}");
		let zero = "[[offers]]\nkind = \"GemmF32\"\nmax_units = 0\nprice_per_unit = \"1\"\n";
		assert!(FileConfig::parse(zero).unwrap_err().contains("positive"));
		assert!(FileConfig::parse("stake = \"12a\"").unwrap_err().contains("planck"));
		assert!(FileConfig::parse("deadline_margin = 0").unwrap_err().contains("at least 1"));
	}

	#[test]
	fn the_secret_comes_from_flag_then_file_then_dev_seed() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("seed");
		std::fs::write(&path, "//Charlie\n").unwrap();
		let file = FileConfig { seed: Some("//Bob".into()), ..Default::default() };
		assert_eq!(secret(Some("//Alice"), Some(&path), &file).unwrap(), "//Alice");
		assert_eq!(secret(None, Some(&path), &file).unwrap(), "//Charlie");
		assert_eq!(secret(None, None, &file).unwrap(), "//Bob");
		assert!(matches!(secret(None, None, &FileConfig::default()), Err(ConfigError::NoKey)));
		std::fs::write(&path, "  \n").unwrap();
		assert!(matches!(secret(None, Some(&path), &file), Err(ConfigError::Invalid(_))));
	}
}
