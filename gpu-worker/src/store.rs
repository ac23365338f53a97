//! Content-addressed blobs: the [`Store`] of job inputs and outputs on disk, the [`Fetcher`] that
//! brings a job's inputs from directories and HTTP(S) mirrors, and the [`OutputAccess`] routes
//! that serve a job's output to its owner alone.
//!
//! # Layout and crash safety
//!
//! A blob is named by the lowercase hex (no `0x`) of its BLAKE2b-256 hash and fanned out by the
//! hash's first byte: `<dir>/ab/abcdef…` (64 hex digits), so no directory holds more than a
//! 256th of the blobs. [`Store::open`] creates the 256 fan-out directories once (and syncs the
//! store directory), so writing never creates a directory. [`Store::put`] writes to a unique
//! `<dir>/<hex>.<pid>.<n>.tmp`, syncs it, renames it into place and syncs the fan-out directory:
//! after a crash a blob either exists complete or not at all (an attested output is never lost
//! once `put` returned), and the leftover `*.tmp` files are removed by the next `open`.
//! [`Store::get`] verifies the hash on every read; a file that does not match is moved aside to
//! `<hex>.corrupt` and reported as [`StoreError::Corrupt`], never served.
//!
//! One process owns a store directory (`open` removes every `*.tmp` in it).
//!
//! # Fetching inputs
//!
//! A [`Source`] is a directory (files named by the hex hash, with or without `0x`) or a base URL
//! (`http://` or `https://`; the blob is `GET <base>/<hex>`, redirects are not followed). The
//! [`Fetcher`] answers from the store when it can, otherwise tries each source in order, reading
//! at most `max_bytes` (the `Content-Length` is checked first and the body is counted while it
//! streams) within `timeout` per source, verifies the hash, stores the blob and returns it. A
//! source serving other bytes is skipped; when every source fails the most specific failure is
//! returned: [`FetchError::HashMismatch`] over [`FetchError::TooLarge`] over
//! [`FetchError::Unreachable`] over [`FetchError::NotFound`]. HTTPS uses rustls (ring) with the
//! system's root certificates, loaded when the fetcher has an `https://` source; without any,
//! HTTPS sources fail as unreachable and plain HTTP still works.
//!
//! # Serving outputs
//!
//! [`OutputAccess::router`] serves `GET /v1/outputs/{hash}` (and `HEAD`; the hash `0x`-prefixed
//! or bare). The caller proves it is the output's owner with four headers:
//! - [`ACCOUNT_HEADER`] `x-airtime-account`: the owner's account, SS58 or `0x`-hex 32 bytes;
//! - [`EXPIRES_HEADER`] `x-airtime-expires`: unix seconds (decimal) after which the request is
//!   refused, at most [`MAX_EXPIRY_AHEAD_SECS`] ahead;
//! - [`NONCE_HEADER`] `x-airtime-nonce`: `0x`-hex of [`NONCE_LEN`] (16) random bytes, fresh for
//!   every request;
//! - [`SIGNATURE_HEADER`] `x-airtime-signature`: `0x`-hex of the 64-byte sr25519 signature of
//!   [`output_message`] (version 2, 104 bytes):
//!   `b"airtime/output/2" ++ worker (32 bytes) ++ hash (32 bytes) ++ expires (u64 LE) ++ nonce
//!   (16 bytes)`, made by [`sign_request`] (or [`request_headers`], which draws the nonce).
//!
//! `worker` is the public key of the worker's provider account (the account its secret signs
//! transactions with). A client learns it from the chain: it is the `provider` of the job's
//! `JobAssigned` event (and of its `AttestationSubmitted`); the worker also logs it at start
//! (`worker running … worker=<SS58>`), reports it as `worker` in `GET /v1/status` and names it
//! in its `BadSignature` answers. A request signed for another worker does not verify here (401
//! `BadSignature`), so a request captured at one worker opens nothing at another.
//!
//! Each request is single-use: the worker remembers every (account, nonce) it accepted until that
//! request's expiry and refuses the same pair again (401 `Replayed`), so a captured request cannot
//! be sent again, even to the same worker. A client therefore signs every request anew, each
//! `HEAD` and each piece of a `Range` download included; 16 random bytes make a repeat between
//! two requests of one account negligible. The memory of accepted requests is bounded (see
//! [`SeenNonces`]): entries are dropped once expired, and when [`MAX_SEEN_REQUESTS`] unexpired
//! ones are held new requests get 503 `Busy` with `Retry-After` rather than an entry being
//! forgotten early (which would reopen its replay). Only requests that verify and come from an
//! output's owner are remembered, so strangers cannot fill it (an owner who floods the worker with
//! fresh requests can, for up to an hour). The memory is not persisted: a request accepted before
//! a restart of the worker can be replayed after it until its expiry (at most
//! [`MAX_EXPIRY_AHEAD_SECS`]), to that same worker only.
//!
//! Version 1 messages (`b"airtime/output/1" ++ hash ++ expires`, no worker, no nonce) are no longer
//! accepted: they were valid at any worker holding the output and any number of times until their
//! expiry. Clients must sign version 2.
//!
//! Answers: 200 with the whole blob (verified against its hash before it is sent); 206 for one
//! `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` (streamed from disk); 400 for missing or
//! malformed headers or hash; 401 when expired, too far ahead, badly signed (including signed for
//! another worker, output, expiry or nonce) or replayed; 403 when the signer is not the owner,
//! whether the hash is unknown or another account's (the two are not told apart, so a non-owner
//! learns nothing about which outputs exist); 404 when the owner asks for an allowed output whose
//! blob is gone; 413 when the body would exceed `max_response_bytes` (fetch such outputs in pieces
//! with `Range`); 416 (with `Content-Range: bytes */total`) for a malformed, unsatisfiable or
//! multi-range `Range`; 503 `Busy` when the memory of accepted requests is full. Errors carry the
//! service's JSON [`ErrorBody`]. A request that passed the owner check uses up its nonce whatever
//! the answer (a 404, 413 or 416 included): retry with a new one.

use crate::service::ErrorBody;
use axum::{
	body::Body,
	extract::{Path as UrlPath, State},
	http::{header, HeaderMap, HeaderValue, Method, StatusCode},
	response::{IntoResponse, Response},
	routing::get,
	Json, Router,
};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::{
	client::legacy::{connect::HttpConnector, Client},
	rt::TokioExecutor,
};
use sp_core::{crypto::Ss58Codec, sr25519, Pair as PairT, H256};
use sp_crypto_hashing::blake2_256;
use sp_runtime::AccountId32;
use std::{
	collections::{BTreeSet, HashMap},
	fmt,
	fs::{self, File, OpenOptions},
	io::{self, Write},
	path::{Path, PathBuf},
	str::FromStr,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex, PoisonError, RwLock,
	},
	time::{Duration, SystemTime, UNIX_EPOCH},
};
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

/// The header naming the account that asks for an output (SS58 or `0x`-hex 32 bytes).
pub const ACCOUNT_HEADER: &str = "x-airtime-account";
/// The header with the request's expiry, unix seconds in decimal.
pub const EXPIRES_HEADER: &str = "x-airtime-expires";
/// The header with the `0x`-hex 64-byte sr25519 signature of [`output_message`].
pub const SIGNATURE_HEADER: &str = "x-airtime-signature";
/// The header with the request's single-use nonce, `0x`-hex [`NONCE_LEN`] bytes.
pub const NONCE_HEADER: &str = "x-airtime-nonce";
/// How far in the future a request's expiry may be, in seconds.
pub const MAX_EXPIRY_AHEAD_SECS: u64 = 3600;
/// The context that starts every signed output request: version 2, bound to the worker and
/// single-use (version 1, `b"airtime/output/1"`, is no longer accepted).
pub const OUTPUT_CONTEXT: &[u8] = b"airtime/output/2";
/// The length of a request's nonce, in bytes.
pub const NONCE_LEN: usize = 16;
/// The most unexpired requests an [`OutputAccess`] remembers (see [`SeenNonces`]): some 15 MB at
/// most, reached at 28 accepted requests a second sustained for an hour.
pub const MAX_SEEN_REQUESTS: usize = 100_000;

/// A request's single-use nonce: [`NONCE_LEN`] random bytes.
pub type Nonce = [u8; NONCE_LEN];

/// The chunk size of streamed range responses.
const STREAM_CHUNK: usize = 65_536;

/// Makes temp file names unique within the process (the pid makes them unique across processes).
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

/// Store failures.
#[derive(Debug, Error)]
pub enum StoreError {
	/// Reading or writing a file of the store failed.
	#[error("store {path}: {source}")]
	Io {
		/// The file or directory.
		path: PathBuf,
		/// The error.
		source: io::Error,
	},
	/// A blob's content does not hash to its name; it was moved aside to `<hex>.corrupt`.
	#[error("blob {hash:?} is corrupt (moved aside)")]
	Corrupt {
		/// The blob's name.
		hash: H256,
	},
}

fn io_error(path: &Path, source: io::Error) -> StoreError {
	StoreError::Io { path: path.to_path_buf(), source }
}

fn len64(n: usize) -> u64 {
	u64::try_from(n).unwrap_or(u64::MAX)
}

fn hex_of(hash: &H256) -> String {
	hex::encode(hash.as_bytes())
}

fn hash_of(bytes: &[u8]) -> H256 {
	H256::from(blake2_256(bytes))
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
	File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error(dir, e))
}

/// Runs a store operation on the blocking pool.
async fn blocking<T, F>(dir: &Path, task: F) -> Result<T, StoreError>
where
	T: Send + 'static,
	F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
	tokio::task::spawn_blocking(task)
		.await
		.map_err(|e| io_error(dir, io::Error::other(e.to_string())))?
}

/// A content-addressed blob store in a directory (see the [module docs](self) for the layout).
#[derive(Clone, Debug)]
pub struct Store {
	dir: PathBuf,
}

impl Store {
	/// Opens (creating it and its fan-out directories if needed) the store in `dir`, and removes
	/// the `*.tmp` files a crash left behind.
	pub fn open(dir: impl Into<PathBuf>) -> Result<Store, StoreError> {
		let dir = dir.into();
		fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
		for byte in 0..=u8::MAX {
			let fan = dir.join(format!("{byte:02x}"));
			fs::create_dir_all(&fan).map_err(|e| io_error(&fan, e))?;
		}
		let mut removed = 0u32;
		for entry in fs::read_dir(&dir).map_err(|e| io_error(&dir, e))? {
			let entry = entry.map_err(|e| io_error(&dir, e))?;
			let path = entry.path();
			let is_tmp = entry.file_name().to_string_lossy().ends_with(".tmp");
			if is_tmp && entry.file_type().is_ok_and(|t| t.is_file()) {
				fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
				removed = removed.saturating_add(1);
			}
		}
		sync_dir(&dir)?;
		if removed > 0 {
			tracing::info!(dir = %dir.display(), removed, "removed temp files left by a crash");
		}
		Ok(Store { dir })
	}

	/// The store's directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	/// Where the blob named `hash` lives (whether or not it exists): `<dir>/ab/abcdef…`.
	pub fn path(&self, hash: &H256) -> PathBuf {
		let first = hash.as_bytes().first().copied().unwrap_or_default();
		self.dir.join(format!("{first:02x}")).join(hex_of(hash))
	}

	/// Whether a blob named `hash` exists (its content is not verified; [`Store::get`] does).
	pub fn contains(&self, hash: &H256) -> bool {
		self.path(hash).is_file()
	}

	/// The length of the blob named `hash`, `None` when it does not exist.
	pub fn len_of(&self, hash: &H256) -> Result<Option<u64>, StoreError> {
		let path = self.path(hash);
		match fs::metadata(&path) {
			Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
			Ok(_) => Ok(None),
			Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
			Err(e) => Err(io_error(&path, e)),
		}
	}

	/// Stores `bytes` durably and returns their hash: written to a temp file, synced, renamed
	/// into place, the directory synced. Does nothing when an intact copy is already stored (a
	/// damaged one is replaced).
	pub fn put(&self, bytes: &[u8]) -> Result<H256, StoreError> {
		let hash = hash_of(bytes);
		let path = self.path(&hash);
		if self.holds_intact(&hash, &path, bytes.len())? {
			return Ok(hash);
		}
		let tmp = self.dir.join(format!(
			"{}.{}.{}.tmp",
			hex_of(&hash),
			std::process::id(),
			NEXT_TMP.fetch_add(1, Ordering::Relaxed)
		));
		let written = self.write_new(&tmp, &path, bytes);
		if written.is_err() {
			let _ = fs::remove_file(&tmp);
		}
		written?;
		Ok(hash)
	}

	fn holds_intact(&self, hash: &H256, path: &Path, len: usize) -> Result<bool, StoreError> {
		if self.len_of(hash)? != Some(len64(len)) {
			return Ok(false);
		}
		Ok(fs::read(path).is_ok_and(|existing| hash_of(&existing) == *hash))
	}

	fn write_new(&self, tmp: &Path, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
		let mut file = OpenOptions::new()
			.write(true)
			.create_new(true)
			.open(tmp)
			.map_err(|e| io_error(tmp, e))?;
		file.write_all(bytes).map_err(|e| io_error(tmp, e))?;
		file.sync_all().map_err(|e| io_error(tmp, e))?;
		drop(file);
		let parent = path.parent().unwrap_or(&self.dir);
		if !parent.is_dir() {
			// Someone removed a fan-out directory since `open`.
			fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
			sync_dir(&self.dir)?;
		}
		fs::rename(tmp, path).map_err(|e| io_error(path, e))?;
		sync_dir(parent)
	}

	/// The blob named `hash`, verified: `None` when it does not exist, [`StoreError::Corrupt`]
	/// (and the file moved aside to `<hex>.corrupt`) when its content does not match its name.
	pub fn get(&self, hash: &H256) -> Result<Option<Vec<u8>>, StoreError> {
		let path = self.path(hash);
		let bytes = match fs::read(&path) {
			Ok(bytes) => bytes,
			Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
			Err(e) => return Err(io_error(&path, e)),
		};
		let got = hash_of(&bytes);
		if got == *hash {
			return Ok(Some(bytes));
		}
		let aside = path.with_extension("corrupt");
		match fs::rename(&path, &aside) {
			Ok(()) => tracing::error!(
				?hash,
				?got,
				aside = %aside.display(),
				"corrupt blob moved aside"
			),
			Err(e) => {
				tracing::error!(?hash, ?got, error = %e, "corrupt blob cannot be moved aside")
			},
		}
		Err(StoreError::Corrupt { hash: *hash })
	}
}

/// Where a job's inputs can be fetched from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
	/// A directory whose files are named by the blob's hex hash, with or without `0x`.
	Dir(PathBuf),
	/// A base URL (`http://` or `https://`, no trailing `/`); a blob is `GET <base>/<hex>`.
	Http(String),
}

fn is_https(url: &str) -> bool {
	url.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

fn is_http(url: &str) -> bool {
	url.get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

impl Source {
	/// Whether fetching from this source needs TLS.
	pub fn is_https(&self) -> bool {
		matches!(self, Source::Http(base) if is_https(base))
	}
}

impl FromStr for Source {
	type Err = String;

	/// `http://…` or `https://…` is a base URL (a trailing `/` is dropped), anything else a
	/// directory.
	fn from_str(s: &str) -> Result<Self, String> {
		let s = s.trim();
		if s.is_empty() {
			return Err("an empty source".into());
		}
		let rest = if is_https(s) {
			s.get(8..)
		} else if is_http(s) {
			s.get(7..)
		} else {
			return Ok(Source::Dir(PathBuf::from(s)));
		};
		if rest.unwrap_or_default().trim_matches('/').is_empty() {
			return Err(format!("{s}: no host"));
		}
		let base = s.trim_end_matches('/');
		let uri = base.parse::<hyper::Uri>().map_err(|e| format!("{s}: {e}"))?;
		if uri.authority().is_none() {
			return Err(format!("{s}: no host"));
		}
		Ok(Source::Http(base.to_string()))
	}
}

impl fmt::Display for Source {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Source::Dir(dir) => write!(f, "{}", dir.display()),
			Source::Http(base) => f.write_str(base),
		}
	}
}

/// Input fetching failures.
#[derive(Debug, Error)]
pub enum FetchError {
	/// No source has the blob (each answered "not found").
	#[error("blob {hash:?} not found (tried: {tried:?})")]
	NotFound {
		/// The blob asked for.
		hash: H256,
		/// The sources tried, in order.
		tried: Vec<String>,
	},
	/// A source's blob is larger than the fetcher's limit.
	#[error("blob {hash:?} is larger than the {limit}-byte limit")]
	TooLarge {
		/// The blob asked for.
		hash: H256,
		/// The limit, in bytes.
		limit: u64,
	},
	/// A source served bytes that do not hash to the blob asked for.
	#[error("{origin} served bytes hashing to {got:?} for blob {expected:?}")]
	HashMismatch {
		/// The blob asked for.
		expected: H256,
		/// The hash of what the source served.
		got: H256,
		/// The source (`source` would make `thiserror` take the field for the error's cause).
		origin: String,
	},
	/// A source failed: connection error, timeout, a status neither 2xx nor 404, or an I/O
	/// error other than "not found".
	#[error("{origin} unreachable: {reason}")]
	Unreachable {
		/// The source.
		origin: String,
		/// What failed.
		reason: String,
	},
	/// The store failed.
	#[error(transparent)]
	Store(#[from] StoreError),
}

/// How specific a failure is; the fetcher reports the most specific one.
fn rank(error: &FetchError) -> u8 {
	match error {
		FetchError::HashMismatch { .. } => 3,
		FetchError::TooLarge { .. } => 2,
		FetchError::Unreachable { .. } => 1,
		FetchError::NotFound { .. } | FetchError::Store(_) => 0,
	}
}

/// An error and its causes on one line.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
	let mut text = error.to_string();
	let mut next = error.source();
	while let Some(cause) = next {
		text.push_str(": ");
		text.push_str(&cause.to_string());
		next = cause.source();
	}
	text
}

/// Fetches job inputs by hash from its sources into a [`Store`].
pub struct Fetcher {
	sources: Vec<Source>,
	max_bytes: u64,
	timeout: Duration,
	http: Client<HttpConnector, Empty<Bytes>>,
	https: Result<Client<HttpsConnector<HttpConnector>, Empty<Bytes>>, String>,
}

impl Fetcher {
	/// A fetcher trying `sources` in order, refusing blobs above `max_bytes` and giving each
	/// source `timeout`. The system's root certificates are loaded here when a source is
	/// `https://`; if none can be loaded, HTTPS sources fail as unreachable (and a warning is
	/// logged).
	pub fn new(sources: Vec<Source>, max_bytes: u64, timeout: Duration) -> Fetcher {
		let http = Client::builder(TokioExecutor::new()).build_http();
		let https = if sources.iter().any(Source::is_https) {
			hyper_rustls::HttpsConnectorBuilder::new()
				.with_native_roots()
				.map(|builder| {
					let connector = builder.https_or_http().enable_http1().build();
					Client::builder(TokioExecutor::new()).build(connector)
				})
				.map_err(|e| format!("no root certificates: {e}"))
		} else {
			Err("no https source was configured".to_string())
		};
		if let Err(reason) = &https {
			if sources.iter().any(Source::is_https) {
				tracing::warn!(%reason, "HTTPS input sources will fail");
			}
		}
		Fetcher { sources, max_bytes, timeout, http, https }
	}

	/// The blob named `hash`: from the store when it holds an intact copy, otherwise from the
	/// first source that serves it (verified, then stored before it is returned).
	pub async fn fetch(&self, store: &Store, hash: H256) -> Result<Vec<u8>, FetchError> {
		let cached = store.clone();
		match blocking(store.dir(), move || cached.get(&hash)).await {
			Ok(Some(bytes)) => {
				tracing::debug!(?hash, outcome = "stored", "input already in the store");
				return Ok(bytes);
			},
			Ok(None) => {},
			Err(StoreError::Corrupt { .. }) => {
				tracing::warn!(?hash, "the stored copy was corrupt: fetching it again");
			},
			Err(e) => return Err(e.into()),
		}
		let mut tried = Vec::with_capacity(self.sources.len());
		let mut best: Option<FetchError> = None;
		for source in &self.sources {
			let origin = source.to_string();
			tried.push(origin.clone());
			let attempt = tokio::time::timeout(self.timeout, self.attempt(source, &origin, hash));
			let result = match attempt.await {
				Ok(result) => result,
				Err(_) => Err(FetchError::Unreachable {
					origin: origin.clone(),
					reason: format!("timed out after {:?}", self.timeout),
				}),
			};
			let error = match result {
				Ok(bytes) => {
					let got = hash_of(&bytes);
					if got == hash {
						tracing::info!(
							?hash,
							source = %origin,
							bytes = bytes.len(),
							outcome = "fetched",
							"input fetched"
						);
						let keeper = store.clone();
						let (stored, bytes) = tokio::task::spawn_blocking(move || {
							let stored = keeper.put(&bytes);
							(stored, bytes)
						})
						.await
						.map_err(|e| io_error(store.dir(), io::Error::other(e.to_string())))?;
						stored?;
						return Ok(bytes);
					}
					FetchError::HashMismatch { expected: hash, got, origin: origin.clone() }
				},
				Err(error) => error,
			};
			match &error {
				FetchError::NotFound { .. } => {
					tracing::debug!(?hash, source = %origin, outcome = "not found", "input fetch")
				},
				other => {
					tracing::warn!(?hash, source = %origin, outcome = %other, "input fetch failed")
				},
			}
			if rank(&error) > best.as_ref().map_or(0, rank) {
				best = Some(error);
			}
		}
		Err(best.unwrap_or(FetchError::NotFound { hash, tried }))
	}

	async fn attempt(
		&self,
		source: &Source,
		origin: &str,
		hash: H256,
	) -> Result<Vec<u8>, FetchError> {
		match source {
			Source::Dir(dir) => read_from_dir(dir, origin, hash, self.max_bytes).await,
			Source::Http(base) => self.download(base, origin, hash).await,
		}
	}

	async fn download(&self, base: &str, origin: &str, hash: H256) -> Result<Vec<u8>, FetchError> {
		let down = |reason: String| FetchError::Unreachable { origin: origin.to_string(), reason };
		let url = format!("{base}/{}", hex_of(&hash));
		let uri = url.parse::<hyper::Uri>().map_err(|e| down(format!("bad URL {url}: {e}")))?;
		let sent = if is_https(base) {
			match &self.https {
				Ok(client) => client.get(uri).await,
				Err(reason) => return Err(down(format!("HTTPS unavailable: {reason}"))),
			}
		} else {
			self.http.get(uri).await
		};
		let response = sent.map_err(|e| down(describe(&e)))?;
		let status = response.status();
		if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
			return Err(FetchError::NotFound { hash, tried: vec![origin.to_string()] });
		}
		if !status.is_success() {
			return Err(down(format!("HTTP status {status}")));
		}
		let too_large = FetchError::TooLarge { hash, limit: self.max_bytes };
		let declared = response
			.headers()
			.get(header::CONTENT_LENGTH)
			.and_then(|v| v.to_str().ok())
			.and_then(|v| v.trim().parse::<u64>().ok());
		if declared.is_some_and(|len| len > self.max_bytes) {
			return Err(too_large);
		}
		let mut out =
			Vec::with_capacity(declared.map_or(0, |len| usize::try_from(len).unwrap_or(0)));
		let mut body = response.into_body();
		while let Some(frame) = body.frame().await {
			let frame = frame.map_err(|e| down(describe(&e)))?;
			if let Ok(data) = frame.into_data() {
				if len64(out.len()).saturating_add(len64(data.len())) > self.max_bytes {
					return Err(too_large);
				}
				out.extend_from_slice(&data);
			}
		}
		Ok(out)
	}
}

/// Reads `<dir>/<hex>` or `<dir>/0x<hex>`, at most `max_bytes`.
async fn read_from_dir(
	dir: &Path,
	origin: &str,
	hash: H256,
	max_bytes: u64,
) -> Result<Vec<u8>, FetchError> {
	let hex = hex_of(&hash);
	for name in [hex.clone(), format!("0x{hex}")] {
		let path = dir.join(name);
		let failed = |e: io::Error| FetchError::Unreachable {
			origin: origin.to_string(),
			reason: format!("{}: {e}", path.display()),
		};
		let file = match tokio::fs::File::open(&path).await {
			Ok(file) => file,
			Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
			Err(e) => return Err(failed(e)),
		};
		let len = file.metadata().await.map_err(&failed)?.len();
		if len > max_bytes {
			return Err(FetchError::TooLarge { hash, limit: max_bytes });
		}
		let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
		file.take(max_bytes.saturating_add(1)).read_to_end(&mut out).await.map_err(&failed)?;
		if len64(out.len()) > max_bytes {
			return Err(FetchError::TooLarge { hash, limit: max_bytes });
		}
		return Ok(out);
	}
	Err(FetchError::NotFound { hash, tried: vec![origin.to_string()] })
}

/// The message an output's owner signs to fetch it from one worker, once (version 2, 104 bytes):
/// `b"airtime/output/2" ++ worker (32 bytes: the worker's provider account) ++ hash (32 bytes) ++
/// expires (u64 little-endian) ++ nonce (16 bytes)`.
pub fn output_message(worker: &AccountId32, hash: &H256, expires: u64, nonce: &Nonce) -> Vec<u8> {
	let mut message = Vec::with_capacity(OUTPUT_CONTEXT.len().saturating_add(88));
	message.extend_from_slice(OUTPUT_CONTEXT);
	let worker: &[u8; 32] = worker.as_ref();
	message.extend_from_slice(worker);
	message.extend_from_slice(hash.as_bytes());
	message.extend_from_slice(&expires.to_le_bytes());
	message.extend_from_slice(nonce);
	message
}

/// The sr25519 signature of [`output_message`]`(worker, hash, expires, nonce)` by `pair`.
pub fn sign_request(
	pair: &sr25519::Pair,
	worker: &AccountId32,
	hash: &H256,
	expires: u64,
	nonce: &Nonce,
) -> [u8; 64] {
	pair.sign(&output_message(worker, hash, expires, nonce)).0
}

/// A fresh random nonce for one request.
pub fn random_nonce() -> Nonce {
	rand::random()
}

/// The four headers of one request to `worker` for the output `hash` by `pair`'s account, valid
/// until `expires` (unix seconds), with a fresh random nonce: `(name, value)` pairs in the order
/// account (`0x`-hex), expires, signature, nonce. Single-use: build new ones for every request.
pub fn request_headers(
	pair: &sr25519::Pair,
	worker: &AccountId32,
	hash: &H256,
	expires: u64,
) -> [(&'static str, String); 4] {
	let nonce = random_nonce();
	let signature = sign_request(pair, worker, hash, expires, &nonce);
	[
		(ACCOUNT_HEADER, format!("0x{}", hex::encode(pair.public().0))),
		(EXPIRES_HEADER, expires.to_string()),
		(SIGNATURE_HEADER, format!("0x{}", hex::encode(signature))),
		(NONCE_HEADER, format!("0x{}", hex::encode(nonce))),
	]
}

/// Why [`SeenNonces::admit`] refused a request.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum NonceError {
	/// The account's nonce was already accepted in a request that has not expired.
	#[error("this request was already accepted: sign a new one with a fresh nonce")]
	Replayed,
	/// The request expired before the latest clock reading the memory was pruned at (the clock
	/// went back since).
	#[error("the request expired at {expires}, it is {now}")]
	Expired {
		/// The request's expiry.
		expires: u64,
		/// The latest clock reading seen.
		now: u64,
	},
	/// As many unexpired requests as allowed are remembered; the oldest expires in `retry_after`
	/// seconds.
	#[error("{held} unexpired requests remembered, the most allowed: retry in {retry_after} s")]
	Busy {
		/// The requests remembered.
		held: usize,
		/// Seconds until the first of them expires and frees a place.
		retry_after: u64,
	},
}

/// The (account, nonce) pairs of the requests accepted, each remembered until its request's
/// expiry, so that every signed request is accepted once.
///
/// Bounded: an entry is kept only until its request's expiry (at most [`MAX_EXPIRY_AHEAD_SECS`]
/// ahead, which the caller checks first); the expired ones are pruned, oldest first through an
/// index by expiry, on every [`SeenNonces::admit`]; and at most `capacity` are held. When full, a
/// new request is refused ([`NonceError::Busy`]) rather than an unexpired entry forgotten, which
/// would let its request be replayed. The clock it prunes by never goes back: a request that
/// expired before the latest reading is refused even if the system clock is set back.
#[derive(Debug)]
pub struct SeenNonces {
	capacity: usize,
	seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
	/// The expiry of every remembered (account, nonce).
	expiry_of: HashMap<(AccountId32, Nonce), u64>,
	/// The same entries ordered by expiry, for pruning.
	by_expiry: BTreeSet<(u64, AccountId32, Nonce)>,
	/// The latest clock reading seen (entries that expired before it are gone).
	now: u64,
}

impl Seen {
	/// Forgets the entries whose request expired before `now` (one expiring at `now` is still
	/// accepted by the expiry check, so it is kept).
	fn prune(&mut self, now: u64) {
		while self.by_expiry.first().is_some_and(|(expires, _, _)| *expires < now) {
			if let Some((_, account, nonce)) = self.by_expiry.pop_first() {
				self.expiry_of.remove(&(account, nonce));
			}
		}
	}
}

impl SeenNonces {
	/// An empty memory of at most `capacity` unexpired requests.
	pub fn new(capacity: usize) -> Self {
		Self { capacity, seen: Mutex::new(Seen::default()) }
	}

	/// Accepts `account`'s request with `nonce`, valid until `expires`, at the clock `now`
	/// (unix seconds): forgets the expired entries, then refuses a pair already remembered
	/// ([`NonceError::Replayed`]) or a new one when `capacity` are held ([`NonceError::Busy`]),
	/// else remembers it until `expires`.
	pub fn admit(
		&self,
		account: &AccountId32,
		nonce: &Nonce,
		expires: u64,
		now: u64,
	) -> Result<(), NonceError> {
		let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
		let now = now.max(seen.now);
		seen.now = now;
		seen.prune(now);
		if expires < now {
			return Err(NonceError::Expired { expires, now });
		}
		let key = (account.clone(), *nonce);
		if seen.expiry_of.contains_key(&key) {
			return Err(NonceError::Replayed);
		}
		let held = seen.expiry_of.len();
		if held >= self.capacity {
			let retry_after = seen
				.by_expiry
				.first()
				.map_or(1, |(first, _, _)| first.saturating_sub(now).saturating_add(1));
			return Err(NonceError::Busy { held, retry_after });
		}
		seen.by_expiry.insert((expires, account.clone(), *nonce));
		seen.expiry_of.insert(key, expires);
		Ok(())
	}

	/// The requests remembered (expired ones included until the next [`SeenNonces::admit`]).
	pub fn len(&self) -> usize {
		self.seen.lock().unwrap_or_else(PoisonError::into_inner).expiry_of.len()
	}

	/// Whether no request is remembered.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

/// Who may fetch which output, and the routes that serve them.
pub struct OutputAccess {
	store: Arc<Store>,
	worker: AccountId32,
	owners: RwLock<HashMap<H256, Vec<AccountId32>>>,
	seen: SeenNonces,
	max_response_bytes: u64,
}

fn error_response(status: StatusCode, code: &str, error: impl ToString) -> Response {
	(status, Json(ErrorBody { code: code.into(), error: error.to_string() })).into_response()
}

fn unix_now() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

fn strip_0x(s: &str) -> &str {
	s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s)
}

fn parse_hash(s: &str) -> Option<H256> {
	let bytes = hex::decode(strip_0x(s.trim())).ok()?;
	let raw: [u8; 32] = bytes.as_slice().try_into().ok()?;
	Some(H256::from(raw))
}

fn parse_account(s: &str) -> Option<AccountId32> {
	if s.starts_with("0x") || s.starts_with("0X") {
		let bytes = hex::decode(strip_0x(s)).ok()?;
		let raw: [u8; 32] = bytes.as_slice().try_into().ok()?;
		Some(AccountId32::new(raw))
	} else {
		AccountId32::from_ss58check(s).ok()
	}
}

fn parse_signature(s: &str) -> Option<sr25519::Signature> {
	let bytes = hex::decode(strip_0x(s)).ok()?;
	let raw: [u8; 64] = bytes.as_slice().try_into().ok()?;
	Some(sr25519::Signature::from_raw(raw))
}

/// A decimal number without sign or spaces.
fn digits(s: &str) -> Option<u64> {
	if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
		return None;
	}
	s.parse().ok()
}

/// The inclusive byte range one `Range` header asks for out of `total` bytes, `None` when it is
/// malformed, unsatisfiable or asks for several ranges.
fn parse_range(value: &str, total: u64) -> Option<(u64, u64)> {
	let value = value.trim();
	if !value.get(..6)?.eq_ignore_ascii_case("bytes=") {
		return None;
	}
	let spec = value.get(6..)?.trim();
	if spec.contains(',') {
		return None;
	}
	let (first, last) = spec.split_once('-')?;
	let (first, last) = (first.trim(), last.trim());
	let last_index = total.checked_sub(1)?;
	if first.is_empty() {
		let suffix = digits(last)?;
		if suffix == 0 {
			return None;
		}
		return Some((total.saturating_sub(suffix), last_index));
	}
	let start = digits(first)?;
	if start > last_index {
		return None;
	}
	let end = if last.is_empty() {
		last_index
	} else {
		let end = digits(last)?;
		if end < start {
			return None;
		}
		end.min(last_index)
	};
	Some((start, end))
}

#[allow(clippy::result_large_err)] // the error is the HTTP response itself, built once
fn required<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, Response> {
	let value = headers.get(name).ok_or_else(|| {
		error_response(StatusCode::BAD_REQUEST, "MissingHeader", format!("{name} is required"))
	})?;
	value.to_str().map(str::trim).map_err(|_| {
		error_response(StatusCode::BAD_REQUEST, "BadHeader", format!("{name} is not ASCII"))
	})
}

fn bad_header(name: &str, expected: &str) -> Response {
	error_response(StatusCode::BAD_REQUEST, "BadHeader", format!("{name} must be {expected}"))
}

fn parse_nonce(s: &str) -> Option<Nonce> {
	let bytes = hex::decode(strip_0x(s)).ok()?;
	bytes.as_slice().try_into().ok()
}

/// A request whose signature verified: who signed it, until when, with which nonce.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Signed {
	account: AccountId32,
	expires: u64,
	nonce: Nonce,
}

/// The request for `hash` to `worker`, its signature checked, against the clock `now`.
#[allow(clippy::result_large_err)] // the error is the HTTP response itself, built once
fn authenticate(
	worker: &AccountId32,
	hash: &H256,
	headers: &HeaderMap,
	now: u64,
) -> Result<Signed, Response> {
	let account = parse_account(required(headers, ACCOUNT_HEADER)?)
		.ok_or_else(|| bad_header(ACCOUNT_HEADER, "an SS58 address or 0x-hex 32 bytes"))?;
	let expires = digits(required(headers, EXPIRES_HEADER)?)
		.ok_or_else(|| bad_header(EXPIRES_HEADER, "unix seconds in decimal"))?;
	let signature = parse_signature(required(headers, SIGNATURE_HEADER)?)
		.ok_or_else(|| bad_header(SIGNATURE_HEADER, "0x-hex 64 bytes"))?;
	let nonce = parse_nonce(required(headers, NONCE_HEADER)?)
		.ok_or_else(|| bad_header(NONCE_HEADER, "0x-hex 16 bytes"))?;
	if expires < now {
		return Err(error_response(
			StatusCode::UNAUTHORIZED,
			"Expired",
			format!("the request expired at {expires}, it is {now}"),
		));
	}
	if expires > now.saturating_add(MAX_EXPIRY_AHEAD_SECS) {
		return Err(error_response(
			StatusCode::UNAUTHORIZED,
			"ExpiryTooFar",
			format!("the expiry may be at most {MAX_EXPIRY_AHEAD_SECS} s ahead"),
		));
	}
	let raw: &[u8; 32] = account.as_ref();
	let public = sr25519::Public::from_raw(*raw);
	let message = output_message(worker, hash, expires, &nonce);
	if !<sr25519::Pair as PairT>::verify(&signature, message, &public) {
		return Err(error_response(
			StatusCode::UNAUTHORIZED,
			"BadSignature",
			format!(
				"the signature does not match the account, this worker ({worker}), the hash, \
				 the expiry and the nonce (sign version 2: {})",
				String::from_utf8_lossy(OUTPUT_CONTEXT)
			),
		));
	}
	Ok(Signed { account, expires, nonce })
}

/// The answer to a request [`SeenNonces::admit`] refused.
fn not_admitted(refusal: NonceError) -> Response {
	match refusal {
		NonceError::Replayed => error_response(StatusCode::UNAUTHORIZED, "Replayed", refusal),
		NonceError::Expired { .. } => error_response(StatusCode::UNAUTHORIZED, "Expired", refusal),
		NonceError::Busy { retry_after, .. } => {
			let mut response = error_response(StatusCode::SERVICE_UNAVAILABLE, "Busy", refusal);
			response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
			response
		},
	}
}

fn missing() -> Response {
	error_response(StatusCode::NOT_FOUND, "OutputMissing", "the output is no longer stored")
}

fn unsatisfiable(total: u64) -> Response {
	let mut response = error_response(
		StatusCode::RANGE_NOT_SATISFIABLE,
		"RangeNotSatisfiable",
		format!("ask for one range of bytes within 0-{}", total.saturating_sub(1)),
	);
	let headers = response.headers_mut();
	if let Ok(value) = HeaderValue::from_str(&format!("bytes */{total}")) {
		headers.insert(header::CONTENT_RANGE, value);
	}
	headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
	response
}

fn blob_response(
	status: StatusCode,
	hash: &H256,
	len: u64,
	content_range: Option<String>,
	body: Body,
) -> Response {
	let mut response = Response::new(body);
	*response.status_mut() = status;
	let headers = response.headers_mut();
	headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
	headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
	headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
	if let Ok(value) = HeaderValue::from_str(&format!("\"0x{}\"", hex_of(hash))) {
		headers.insert(header::ETAG, value);
	}
	if let Some(value) = content_range.and_then(|r| HeaderValue::from_str(&r).ok()) {
		headers.insert(header::CONTENT_RANGE, value);
	}
	response
}

impl OutputAccess {
	/// Serves the outputs in `store` as the worker whose provider account is `worker` (requests
	/// must be signed for it), refusing response bodies above `max_response_bytes` and
	/// remembering at most [`MAX_SEEN_REQUESTS`] unexpired requests.
	pub fn new(store: Arc<Store>, worker: AccountId32, max_response_bytes: u64) -> Self {
		Self {
			store,
			worker,
			owners: RwLock::new(HashMap::new()),
			seen: SeenNonces::new(MAX_SEEN_REQUESTS),
			max_response_bytes,
		}
	}

	/// The same, remembering at most `capacity` unexpired requests instead.
	pub fn with_replay_capacity(mut self, capacity: usize) -> Self {
		self.seen = SeenNonces::new(capacity);
		self
	}

	/// The worker's provider account, which requests are signed for.
	pub fn worker(&self) -> &AccountId32 {
		&self.worker
	}

	/// Lets `owner` fetch the output `hash` (the job runner calls this when it stores a job's
	/// output). Two jobs of different owners may have the same output: both may fetch it.
	pub fn allow(&self, hash: H256, owner: AccountId32) {
		let mut owners = self.owners.write().unwrap_or_else(PoisonError::into_inner);
		let list = owners.entry(hash).or_default();
		if !list.contains(&owner) {
			list.push(owner);
		}
	}

	/// The first account allowed to fetch the output `hash`, if any.
	pub fn owner(&self, hash: &H256) -> Option<AccountId32> {
		self.owners
			.read()
			.unwrap_or_else(PoisonError::into_inner)
			.get(hash)
			.and_then(|l| l.first().cloned())
	}

	/// Whether `who` may fetch the output `hash`.
	pub fn is_allowed(&self, hash: &H256, who: &AccountId32) -> bool {
		self.owners
			.read()
			.unwrap_or_else(PoisonError::into_inner)
			.get(hash)
			.is_some_and(|l| l.contains(who))
	}

	/// The routes (`GET`/`HEAD /v1/outputs/{hash}`), state applied, ready to `.merge()`.
	pub fn router(access: Arc<OutputAccess>) -> Router {
		Router::new().route("/v1/outputs/{hash}", get(serve_output)).with_state(access)
	}

	async fn answer(
		&self,
		raw_hash: &str,
		method: &Method,
		headers: &HeaderMap,
	) -> Result<Response, Response> {
		let hash = parse_hash(raw_hash).ok_or_else(|| {
			error_response(StatusCode::BAD_REQUEST, "BadHash", "the hash must be 32 bytes of hex")
		})?;
		let now = unix_now();
		let Signed { account, expires, nonce } = authenticate(&self.worker, &hash, headers, now)?;
		if !self.is_allowed(&hash, &account) {
			tracing::debug!(?hash, %account, "output refused: not the owner");
			return Err(error_response(
				StatusCode::FORBIDDEN,
				"NotOwner",
				"this account owns no output with that hash",
			));
		}
		// Only an owner's verified requests are remembered: strangers cannot fill the memory.
		if let Err(refusal) = self.seen.admit(&account, &nonce, expires, now) {
			if matches!(refusal, NonceError::Busy { .. }) {
				tracing::warn!(?hash, %account, %refusal, "output refused: too many requests");
			} else {
				tracing::debug!(?hash, %account, %refusal, "output refused");
			}
			return Err(not_admitted(refusal));
		}
		let total = match self.store.len_of(&hash) {
			Ok(Some(total)) => total,
			Ok(None) => return Err(missing()),
			Err(e) => {
				tracing::error!(?hash, error = %e, "cannot read an output");
				return Err(error_response(StatusCode::INTERNAL_SERVER_ERROR, "StoreFailed", e));
			},
		};
		let range = match headers.get(header::RANGE) {
			None => None,
			Some(value) => match value.to_str().ok().and_then(|v| parse_range(v, total)) {
				Some(range) => Some(range),
				None => return Err(unsatisfiable(total)),
			},
		};
		let (start, len) = match range {
			Some((first, last)) => (first, last.saturating_sub(first).saturating_add(1)),
			None => (0, total),
		};
		if len > self.max_response_bytes {
			return Err(error_response(
				StatusCode::PAYLOAD_TOO_LARGE,
				"TooLarge",
				format!(
					"{len} bytes is above the {}-byte response limit: fetch the {total}-byte \
					 output in pieces with Range: bytes=first-last",
					self.max_response_bytes
				),
			));
		}
		let status = if range.is_some() { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
		let content_range = range.map(|(first, last)| format!("bytes {first}-{last}/{total}"));
		let body = if *method == Method::HEAD {
			Body::empty()
		} else if range.is_none() {
			self.whole(hash).await?
		} else {
			self.part(&hash, total, start, len).await?
		};
		tracing::debug!(?hash, %account, start, len, "serving an output");
		Ok(blob_response(status, &hash, len, content_range, body))
	}

	/// The whole blob, verified against its hash (it is at most `max_response_bytes`).
	async fn whole(&self, hash: H256) -> Result<Body, Response> {
		let store = Arc::clone(&self.store);
		match blocking(self.store.dir(), move || store.get(&hash)).await {
			Ok(Some(bytes)) => Ok(Body::from(bytes)),
			Ok(None) => Err(missing()),
			Err(e) => {
				tracing::error!(?hash, error = %e, "cannot serve an output");
				let code = if matches!(e, StoreError::Corrupt { .. }) {
					"OutputCorrupt"
				} else {
					"StoreFailed"
				};
				Err(error_response(StatusCode::INTERNAL_SERVER_ERROR, code, e))
			},
		}
	}

	/// `len` bytes from `start`, streamed from disk, once the file is seen to be `total` long.
	async fn part(&self, hash: &H256, total: u64, start: u64, len: u64) -> Result<Body, Response> {
		let path = self.store.path(hash);
		let failed = |e: io::Error| {
			tracing::error!(?hash, error = %e, "cannot read an output");
			error_response(StatusCode::INTERNAL_SERVER_ERROR, "StoreFailed", e)
		};
		let mut file = match tokio::fs::File::open(&path).await {
			Ok(file) => file,
			Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(missing()),
			Err(e) => return Err(failed(e)),
		};
		let actual = file.metadata().await.map_err(&failed)?.len();
		if actual != total {
			tracing::error!(?hash, actual, total, "an output changed length while served");
			return Err(error_response(
				StatusCode::INTERNAL_SERVER_ERROR,
				"OutputChanged",
				"the output changed while it was served",
			));
		}
		file.seek(io::SeekFrom::Start(start)).await.map_err(&failed)?;
		Ok(Body::from_stream(ReaderStream::with_capacity(file.take(len), STREAM_CHUNK)))
	}
}

async fn serve_output(
	State(access): State<Arc<OutputAccess>>,
	UrlPath(hash): UrlPath<String>,
	method: Method,
	headers: HeaderMap,
) -> Response {
	access.answer(&hash, &method, &headers).await.unwrap_or_else(|refusal| refusal)
}

#[cfg(test)]
#[allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
mod tests {
	use super::*;
	use axum::http::Request;
	use std::io::Cursor;
	use tower::ServiceExt;

	fn files(dir: &Path) -> Vec<PathBuf> {
		let mut out = Vec::new();
		for entry in fs::read_dir(dir).unwrap() {
			let path = entry.unwrap().path();
			if path.is_dir() {
				out.extend(files(&path));
			} else {
				out.push(path);
			}
		}
		out
	}

	fn blob(n: usize, seed: u8) -> Vec<u8> {
		(0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
	}

	#[test]
	fn put_get_round_trip() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let bytes = blob(1000, 1);
		let hash = store.put(&bytes).unwrap();
		assert_eq!(hash, H256::from(blake2_256(&bytes)));
		let name = hex::encode(hash.as_bytes());
		assert_eq!(store.path(&hash), dir.path().join(&name[..2]).join(&name));
		assert!(store.contains(&hash));
		assert_eq!(store.len_of(&hash).unwrap(), Some(1000));
		assert_eq!(store.get(&hash).unwrap(), Some(bytes.clone()));
		// Idempotent.
		assert_eq!(store.put(&bytes).unwrap(), hash);
		assert_eq!(store.get(&hash).unwrap(), Some(bytes));
		let absent = H256::repeat_byte(7);
		assert!(!store.contains(&absent));
		assert_eq!(store.len_of(&absent).unwrap(), None);
		assert_eq!(store.get(&absent).unwrap(), None);
		// The empty blob is a blob too.
		let empty = store.put(&[]).unwrap();
		assert_eq!(store.get(&empty).unwrap(), Some(Vec::new()));
	}

	#[test]
	fn a_corrupt_blob_is_refused_and_moved_aside() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let bytes = blob(64, 2);
		let hash = store.put(&bytes).unwrap();
		let path = store.path(&hash);
		let mut damaged = bytes.clone();
		damaged[10] ^= 1;
		fs::write(&path, &damaged).unwrap();
		assert!(matches!(store.get(&hash), Err(StoreError::Corrupt { hash: h }) if h == hash));
		assert!(!path.exists());
		assert_eq!(fs::read(path.with_extension("corrupt")).unwrap(), damaged);
		assert!(!store.contains(&hash));
		assert_eq!(store.get(&hash).unwrap(), None);
		// Storing it again restores it; a damaged copy of the same length is replaced too.
		store.put(&bytes).unwrap();
		fs::write(&path, &damaged).unwrap();
		store.put(&bytes).unwrap();
		assert_eq!(store.get(&hash).unwrap(), Some(bytes));
	}

	#[test]
	fn put_leaves_no_temp_files_and_open_removes_stale_ones() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let hash = store.put(&blob(5000, 3)).unwrap();
		let all = files(dir.path());
		assert_eq!(all, vec![store.path(&hash)]);

		fs::write(dir.path().join("deadbeef.1.2.tmp"), b"torn").unwrap();
		fs::write(dir.path().join("other.tmp"), b"torn").unwrap();
		let reopened = Store::open(dir.path()).unwrap();
		assert_eq!(files(dir.path()), vec![reopened.path(&hash)]);
		assert!(reopened.get(&hash).unwrap().is_some());
	}

	#[test]
	fn sources_parse() {
		assert_eq!(
			"http://127.0.0.1:9/blobs/".parse::<Source>().unwrap(),
			Source::Http("http://127.0.0.1:9/blobs".into())
		);
		let https: Source = "https://mirror.example/x".parse().unwrap();
		assert!(https.is_https());
		assert_eq!(https.to_string(), "https://mirror.example/x");
		assert_eq!("/var/inputs".parse::<Source>().unwrap(), Source::Dir("/var/inputs".into()));
		assert!("".parse::<Source>().is_err());
		assert!("http://".parse::<Source>().is_err());
	}

	/// Serves `blobs` by name under `/blobs/`, chunked (no Content-Length) when asked; returns
	/// the base URL with a trailing slash.
	async fn serve_blobs(blobs: HashMap<String, Vec<u8>>, chunked: bool) -> String {
		let blobs = Arc::new(blobs);
		let app = Router::new().route(
			"/blobs/{name}",
			get(move |UrlPath(name): UrlPath<String>| {
				let blobs = blobs.clone();
				async move {
					match blobs.get(&name) {
						Some(bytes) if chunked => Body::from_stream(ReaderStream::with_capacity(
							Cursor::new(bytes.clone()),
							7,
						))
						.into_response(),
						Some(bytes) => bytes.clone().into_response(),
						None => StatusCode::NOT_FOUND.into_response(),
					}
				}
			}),
		);
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let addr = listener.local_addr().unwrap();
		tokio::spawn(async move {
			axum::serve(listener, app).await.unwrap();
		});
		format!("http://{addr}/blobs/")
	}

	fn fetcher<S: AsRef<str>>(sources: &[S], max_bytes: u64) -> Fetcher {
		let sources = sources.iter().map(|s| s.as_ref().parse().unwrap()).collect();
		Fetcher::new(sources, max_bytes, Duration::from_secs(5))
	}

	fn dead_url() -> String {
		let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let port = listener.local_addr().unwrap().port();
		drop(listener);
		format!("http://127.0.0.1:{port}/blobs")
	}

	#[tokio::test]
	async fn fetches_from_directories() {
		let store_dir = tempfile::tempdir().unwrap();
		let store = Store::open(store_dir.path()).unwrap();
		let plain = tempfile::tempdir().unwrap();
		let prefixed = tempfile::tempdir().unwrap();
		let (a, b) = (blob(300, 4), blob(200, 5));
		let (ha, hb) = (hash_of(&a), hash_of(&b));
		fs::write(plain.path().join(hex_of(&ha)), &a).unwrap();
		fs::write(prefixed.path().join(format!("0x{}", hex_of(&hb))), &b).unwrap();
		let dirs = [plain.path().to_str().unwrap(), prefixed.path().to_str().unwrap()];
		let f = fetcher(&dirs, 1 << 20);
		assert_eq!(f.fetch(&store, ha).await.unwrap(), a);
		assert_eq!(f.fetch(&store, hb).await.unwrap(), b);
		assert!(store.contains(&ha) && store.contains(&hb));
		// From the store now, even with the sources gone.
		drop((plain, prefixed));
		assert_eq!(f.fetch(&store, ha).await.unwrap(), a);

		// Wrong bytes under the name, then too large.
		let bad = tempfile::tempdir().unwrap();
		let c = blob(100, 6);
		let hc = hash_of(&c);
		fs::write(bad.path().join(hex_of(&hc)), blob(100, 7)).unwrap();
		let f = fetcher(&[bad.path().to_str().unwrap()], 1 << 20);
		let err = f.fetch(&store, hc).await.unwrap_err();
		assert!(matches!(err, FetchError::HashMismatch { expected, .. } if expected == hc));
		fs::write(bad.path().join(hex_of(&hc)), &c).unwrap();
		let f = fetcher(&[bad.path().to_str().unwrap()], 99);
		assert!(matches!(f.fetch(&store, hc).await, Err(FetchError::TooLarge { limit: 99, .. })));
		assert!(!store.contains(&hc));
	}

	#[tokio::test]
	async fn fetches_over_http() {
		let store_dir = tempfile::tempdir().unwrap();
		let store = Store::open(store_dir.path()).unwrap();
		let good = blob(4096, 8);
		let hash = hash_of(&good);
		let big = blob(10_000, 9);
		let big_hash = hash_of(&big);
		let good_url = serve_blobs(
			HashMap::from([(hex_of(&hash), good.clone()), (hex_of(&big_hash), big.clone())]),
			false,
		)
		.await;
		let wrong_url = serve_blobs(HashMap::from([(hex_of(&hash), blob(4096, 10))]), false).await;
		let chunked_url =
			serve_blobs(HashMap::from([(hex_of(&big_hash), big.clone())]), true).await;
		let empty_url = serve_blobs(HashMap::new(), false).await;

		// A source serving wrong bytes is skipped, the next good one wins.
		let f = fetcher(&[&wrong_url, &good_url], 1 << 20);
		assert_eq!(f.fetch(&store, hash).await.unwrap(), good);
		assert_eq!(store.get(&hash).unwrap(), Some(good.clone()));

		// Only wrong bytes (and a 404): the mismatch is reported.
		let other = tempfile::tempdir().unwrap();
		let other_store = Store::open(other.path()).unwrap();
		let f = fetcher(&[&empty_url, &wrong_url], 1 << 20);
		match f.fetch(&other_store, hash).await {
			Err(FetchError::HashMismatch { expected, got, origin }) => {
				assert_eq!(expected, hash);
				assert_eq!(got, hash_of(&blob(4096, 10)));
				assert_eq!(origin, wrong_url.trim_end_matches('/'));
			},
			other => panic!("expected a mismatch, got {other:?}"),
		}
		assert!(!other_store.contains(&hash));

		// Too large, by Content-Length and while streaming.
		let f = fetcher(&[&good_url], 5000);
		assert!(matches!(
			f.fetch(&store, big_hash).await,
			Err(FetchError::TooLarge { limit: 5000, .. })
		));
		let f = fetcher(&[&chunked_url], 5000);
		assert!(matches!(
			f.fetch(&store, big_hash).await,
			Err(FetchError::TooLarge { limit: 5000, .. })
		));
		let f = fetcher(&[&chunked_url], 10_000);
		assert_eq!(f.fetch(&store, big_hash).await.unwrap(), big);

		// Not found anywhere: every source tried is listed.
		let missing = tempfile::tempdir().unwrap();
		let missing_dir = missing.path().to_str().unwrap().to_string();
		let f = fetcher(&[&empty_url, &missing_dir], 1 << 20);
		let absent = H256::repeat_byte(0xab);
		match f.fetch(&store, absent).await {
			Err(FetchError::NotFound { hash: h, tried }) => {
				assert_eq!(h, absent);
				assert_eq!(tried, vec![empty_url.trim_end_matches('/').to_string(), missing_dir]);
			},
			other => panic!("expected not found, got {other:?}"),
		}

		// An unreachable source is reported over "not found", and is skipped when another has it.
		let dead = dead_url();
		let f = fetcher(&[&empty_url, &dead], 1 << 20);
		match f.fetch(&store, absent).await {
			Err(FetchError::Unreachable { origin, .. }) => assert_eq!(origin, dead),
			other => panic!("expected unreachable, got {other:?}"),
		}
		let fresh = tempfile::tempdir().unwrap();
		let fresh_store = Store::open(fresh.path()).unwrap();
		let f = fetcher(&[&dead, &good_url], 1 << 20);
		assert_eq!(f.fetch(&fresh_store, hash).await.unwrap(), good);
	}

	struct Outputs {
		_dir: tempfile::TempDir,
		store: Arc<Store>,
		access: Arc<OutputAccess>,
		/// The worker's provider account, which requests are signed for.
		worker: AccountId32,
		app: Router,
	}

	fn outputs(max_response_bytes: u64) -> Outputs {
		outputs_with(max_response_bytes, MAX_SEEN_REQUESTS)
	}

	fn outputs_with(max_response_bytes: u64, replay_capacity: usize) -> Outputs {
		let dir = tempfile::tempdir().unwrap();
		let store = Arc::new(Store::open(dir.path()).unwrap());
		let worker = account(&pair("//Worker"));
		let access = Arc::new(
			OutputAccess::new(store.clone(), worker.clone(), max_response_bytes)
				.with_replay_capacity(replay_capacity),
		);
		let app = OutputAccess::router(access.clone());
		Outputs { _dir: dir, store, access, worker, app }
	}

	impl Outputs {
		/// The headers of a new request to this worker (a fresh nonce each time).
		fn auth(
			&self,
			pair: &sr25519::Pair,
			hash: &H256,
			expires: u64,
		) -> [(&'static str, String); 4] {
			request_headers(pair, &self.worker, hash, expires)
		}
	}

	/// The headers of a request to `worker` with the given `nonce`.
	fn headers_with(
		pair: &sr25519::Pair,
		worker: &AccountId32,
		hash: &H256,
		expires: u64,
		nonce: &Nonce,
	) -> [(&'static str, String); 4] {
		let signature = sign_request(pair, worker, hash, expires, nonce);
		[
			(ACCOUNT_HEADER, format!("0x{}", hex::encode(pair.public().0))),
			(EXPIRES_HEADER, expires.to_string()),
			(SIGNATURE_HEADER, format!("0x{}", hex::encode(signature))),
			(NONCE_HEADER, format!("0x{}", hex::encode(nonce))),
		]
	}

	fn pair(seed: &str) -> sr25519::Pair {
		sr25519::Pair::from_string(seed, None).unwrap()
	}

	fn account(pair: &sr25519::Pair) -> AccountId32 {
		pair.public().into()
	}

	fn request(
		method: Method,
		path: &str,
		headers: &[(&str, String)],
		range: Option<&str>,
	) -> Request<Body> {
		let mut builder = Request::builder().method(method).uri(path);
		for (name, value) in headers {
			builder = builder.header(*name, value.as_str());
		}
		if let Some(range) = range {
			builder = builder.header(header::RANGE, range);
		}
		builder.body(Body::empty()).unwrap()
	}

	async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
		let response = app.clone().oneshot(request).await.unwrap();
		let status = response.status();
		let headers = response.headers().clone();
		let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
		(status, headers, body.to_vec())
	}

	fn code(body: &[u8]) -> String {
		serde_json::from_slice::<ErrorBody>(body).unwrap().code
	}

	fn uri(hash: &H256) -> String {
		format!("/v1/outputs/0x{}", hex_of(hash))
	}

	#[tokio::test]
	async fn serves_outputs_to_their_owner() {
		let o = outputs(1 << 20);
		let alice = pair("//Alice");
		let bytes = blob(100, 11);
		let hash = o.store.put(&bytes).unwrap();
		o.access.allow(hash, account(&alice));
		assert_eq!(o.access.owner(&hash), Some(account(&alice)));
		assert_eq!(o.access.worker(), &o.worker);
		let expires = unix_now() + 60;
		// Every request is signed anew: a nonce is accepted once.
		let auth = || o.auth(&alice, &hash, expires);

		let (status, headers, body) =
			send(&o.app, request(Method::GET, &uri(&hash), &auth(), None)).await;
		assert_eq!(status, StatusCode::OK);
		assert_eq!(body, bytes);
		assert_eq!(headers[header::CONTENT_LENGTH], "100");
		assert_eq!(headers[header::CONTENT_TYPE], "application/octet-stream");
		assert_eq!(headers[header::ACCEPT_RANGES], "bytes");
		assert_eq!(headers[header::ETAG].to_str().unwrap(), format!("\"0x{}\"", hex_of(&hash)));

		// Bare hex and an SS58 account work too.
		let mut ss58 = auth();
		ss58[0].1 = account(&alice).to_ss58check();
		let bare = format!("/v1/outputs/{}", hex_of(&hash));
		let (status, _, body) = send(&o.app, request(Method::GET, &bare, &ss58, None)).await;
		assert_eq!((status, body), (StatusCode::OK, bytes.clone()));

		// HEAD: the headers, no body.
		let (status, headers, body) =
			send(&o.app, request(Method::HEAD, &uri(&hash), &auth(), None)).await;
		assert_eq!(status, StatusCode::OK);
		assert_eq!(headers[header::CONTENT_LENGTH], "100");
		assert!(body.is_empty());

		// Ranges.
		let get = |range: &str| request(Method::GET, &uri(&hash), &auth(), Some(range));
		let (status, headers, body) = send(&o.app, get("bytes=10-19")).await;
		assert_eq!(status, StatusCode::PARTIAL_CONTENT);
		assert_eq!(body, bytes[10..20].to_vec());
		assert_eq!(headers[header::CONTENT_RANGE], "bytes 10-19/100");
		assert_eq!(headers[header::CONTENT_LENGTH], "10");
		assert_eq!(headers[header::ACCEPT_RANGES], "bytes");
		let (status, headers, body) = send(&o.app, get("bytes=-4")).await;
		assert_eq!(status, StatusCode::PARTIAL_CONTENT);
		assert_eq!(body, bytes[96..].to_vec());
		assert_eq!(headers[header::CONTENT_RANGE], "bytes 96-99/100");
		let (status, headers, body) = send(&o.app, get("bytes=90-")).await;
		assert_eq!(status, StatusCode::PARTIAL_CONTENT);
		assert_eq!(body, bytes[90..].to_vec());
		assert_eq!(headers[header::CONTENT_RANGE], "bytes 90-99/100");
		// An end past the blob is clamped.
		let (status, _, body) = send(&o.app, get("bytes=95-500")).await;
		assert_eq!((status, body), (StatusCode::PARTIAL_CONTENT, bytes[95..].to_vec()));
		for unsatisfiable in
			["bytes=100-", "bytes=100-200", "bytes=5-2", "bytes=0-1,4-5", "items=0-1"]
		{
			let (status, headers, body) = send(&o.app, get(unsatisfiable)).await;
			assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE, "{unsatisfiable}");
			assert_eq!(headers[header::CONTENT_RANGE], "bytes */100");
			assert_eq!(code(&body), "RangeNotSatisfiable");
		}
	}

	#[tokio::test]
	async fn refuses_everyone_else() {
		let o = outputs(1 << 20);
		let (alice, bob) = (pair("//Alice"), pair("//Bob"));
		let hash = o.store.put(&blob(50, 12)).unwrap();
		o.access.allow(hash, account(&alice));
		let now = unix_now();
		let get = |headers: &[(&str, String)]| request(Method::GET, &uri(&hash), headers, None);

		// Another account's valid signature: 403, same as for a hash nobody was allowed.
		let (status, _, body) = send(&o.app, get(&o.auth(&bob, &hash, now + 60))).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::FORBIDDEN, "NotOwner"));
		let unknown = H256::repeat_byte(1);
		let headers = o.auth(&alice, &unknown, now + 60);
		let (status, _, _) =
			send(&o.app, request(Method::GET, &uri(&unknown), &headers, None)).await;
		assert_eq!(status, StatusCode::FORBIDDEN);

		// Expired, or too far ahead.
		let (status, _, body) = send(&o.app, get(&o.auth(&alice, &hash, now - 10))).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "Expired"));
		let far = now + MAX_EXPIRY_AHEAD_SECS + 100;
		let (status, _, body) = send(&o.app, get(&o.auth(&alice, &hash, far))).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "ExpiryTooFar"));

		// A tampered signature, a signature for another expiry or another nonce, Bob's signature
		// as Alice.
		let mut tampered = o.auth(&alice, &hash, now + 60);
		let mut sig = hex::decode(&tampered[2].1[2..]).unwrap();
		sig[5] ^= 0x20;
		tampered[2].1 = format!("0x{}", hex::encode(sig));
		let (status, _, body) = send(&o.app, get(&tampered)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "BadSignature"));
		let mut moved = o.auth(&alice, &hash, now + 60);
		moved[1].1 = (now + 61).to_string();
		let (status, _, _) = send(&o.app, get(&moved)).await;
		assert_eq!(status, StatusCode::UNAUTHORIZED);
		let mut renonced = o.auth(&alice, &hash, now + 60);
		renonced[3].1 = format!("0x{}", hex::encode(random_nonce()));
		let (status, _, body) = send(&o.app, get(&renonced)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "BadSignature"));
		let mut posing = o.auth(&bob, &hash, now + 60);
		posing[0].1 = account(&alice).to_ss58check();
		let (status, _, _) = send(&o.app, get(&posing)).await;
		assert_eq!(status, StatusCode::UNAUTHORIZED);

		// Missing or malformed headers: 400.
		let good = o.auth(&alice, &hash, now + 60);
		for skip in 0..4 {
			let partial: Vec<(&str, String)> = good
				.iter()
				.enumerate()
				.filter(|(i, _)| *i != skip)
				.map(|(_, h)| h.clone())
				.collect();
			let (status, _, body) = send(&o.app, get(&partial)).await;
			assert_eq!((status, code(&body).as_str()), (StatusCode::BAD_REQUEST, "MissingHeader"));
		}
		for (index, value) in [
			(0, "0x1234"),
			(0, "not-an-address"),
			(1, "-5"),
			(2, "0xzz"),
			(3, "0x1234"),
			(3, "0xzz"),
		] {
			let mut bad = good.clone();
			bad[index].1 = value.to_string();
			let (status, _, body) = send(&o.app, get(&bad)).await;
			assert_eq!((status, code(&body).as_str()), (StatusCode::BAD_REQUEST, "BadHeader"));
		}
		let (status, _, body) =
			send(&o.app, request(Method::GET, "/v1/outputs/0x1234", &good, None)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::BAD_REQUEST, "BadHash"));

		// The owner asking for an allowed output whose blob is gone: 404.
		let gone = H256::repeat_byte(2);
		o.access.allow(gone, account(&alice));
		let headers = o.auth(&alice, &gone, now + 60);
		let (status, _, body) =
			send(&o.app, request(Method::GET, &uri(&gone), &headers, None)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::NOT_FOUND, "OutputMissing"));

		// None of the refusals above used up the good request: it is served once.
		let (status, _, _) = send(&o.app, get(&good)).await;
		assert_eq!(status, StatusCode::OK);
	}

	#[tokio::test]
	async fn a_signature_for_one_output_does_not_open_another() {
		let o = outputs(1 << 20);
		let alice = pair("//Alice");
		let (first, second) = (blob(30, 18), blob(30, 19));
		let (h1, h2) = (o.store.put(&first).unwrap(), o.store.put(&second).unwrap());
		o.access.allow(h1, account(&alice));
		o.access.allow(h2, account(&alice));
		let headers = o.auth(&alice, &h1, unix_now() + 60);
		let (status, _, body) = send(&o.app, request(Method::GET, &uri(&h2), &headers, None)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "BadSignature"));
		// The headers still open the output they were signed for.
		let (status, _, body) = send(&o.app, request(Method::GET, &uri(&h1), &headers, None)).await;
		assert_eq!((status, body), (StatusCode::OK, first));
	}

	#[tokio::test]
	async fn a_request_signed_for_another_worker_is_refused() {
		let o = outputs(1 << 20);
		let alice = pair("//Alice");
		let bytes = blob(20, 15);
		let hash = o.store.put(&bytes).unwrap();
		o.access.allow(hash, account(&alice));
		let expires = unix_now() + 60;
		let get = |headers: &[(&str, String)]| request(Method::GET, &uri(&hash), headers, None);

		// Signed for another worker that holds the same output: a bad signature here.
		let elsewhere = account(&pair("//OtherWorker"));
		let foreign = request_headers(&alice, &elsewhere, &hash, expires);
		let (status, _, body) = send(&o.app, get(&foreign)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "BadSignature"));
		// It is good at that worker (here over the same store).
		let other = Arc::new(OutputAccess::new(o.store.clone(), elsewhere, 1 << 20));
		other.allow(hash, account(&alice));
		let (status, _, body) = send(&OutputAccess::router(other), get(&foreign)).await;
		assert_eq!((status, body), (StatusCode::OK, bytes.clone()));

		// A version 1 request (no worker, no nonce) is no longer accepted, nonce header or not.
		let mut v1 = o.auth(&alice, &hash, expires);
		let mut message = b"airtime/output/1".to_vec();
		message.extend_from_slice(hash.as_bytes());
		message.extend_from_slice(&expires.to_le_bytes());
		v1[2].1 = format!("0x{}", hex::encode(alice.sign(&message).0));
		let (status, _, body) = send(&o.app, get(&v1)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "BadSignature"));
		let (status, _, body) = send(&o.app, get(&v1[..3])).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::BAD_REQUEST, "MissingHeader"));

		// Signed for this worker: served.
		let (status, _, body) = send(&o.app, get(&o.auth(&alice, &hash, expires))).await;
		assert_eq!((status, body), (StatusCode::OK, bytes));
	}

	#[tokio::test]
	async fn a_replayed_request_is_refused() {
		let o = outputs(1 << 20);
		let (alice, bob) = (pair("//Alice"), pair("//Bob"));
		let bytes = blob(20, 16);
		let hash = o.store.put(&bytes).unwrap();
		o.access.allow(hash, account(&alice));
		let expires = unix_now() + 60;
		let headers = o.auth(&alice, &hash, expires);
		let get = |range: Option<&str>| request(Method::GET, &uri(&hash), &headers, range);

		let (status, _, body) = send(&o.app, get(None)).await;
		assert_eq!((status, body), (StatusCode::OK, bytes.clone()));
		// The same headers again, for the whole output, a piece of it or a HEAD: refused.
		let (status, _, body) = send(&o.app, get(None)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "Replayed"));
		let (status, _, body) = send(&o.app, get(Some("bytes=0-3"))).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "Replayed"));
		let (status, _, _) = send(&o.app, request(Method::HEAD, &uri(&hash), &headers, None)).await;
		assert_eq!(status, StatusCode::UNAUTHORIZED);
		// A new request is served.
		let fresh = o.auth(&alice, &hash, expires);
		let (status, _, body) = send(&o.app, request(Method::GET, &uri(&hash), &fresh, None)).await;
		assert_eq!((status, body), (StatusCode::OK, bytes.clone()));

		// The nonce is Alice's alone: Bob, once an owner too, may use the same bytes. His request
		// refused while he owned nothing was not remembered.
		let nonce = parse_nonce(&headers[3].1).unwrap();
		let bobs = headers_with(&bob, &o.worker, &hash, expires, &nonce);
		let (status, _, _) = send(&o.app, request(Method::GET, &uri(&hash), &bobs, None)).await;
		assert_eq!(status, StatusCode::FORBIDDEN);
		o.access.allow(hash, account(&bob));
		let (status, _, body) = send(&o.app, request(Method::GET, &uri(&hash), &bobs, None)).await;
		assert_eq!((status, body), (StatusCode::OK, bytes));
		let (status, _, body) = send(&o.app, request(Method::GET, &uri(&hash), &bobs, None)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "Replayed"));
		assert_eq!(o.access.seen.len(), 3);
	}

	#[test]
	fn the_seen_nonces_are_pruned_after_their_expiry() {
		let seen = SeenNonces::new(10);
		let (alice, bob) = (account(&pair("//Alice")), account(&pair("//Bob")));
		let (n1, n2) = ([1u8; NONCE_LEN], [2u8; NONCE_LEN]);
		assert!(seen.is_empty());
		seen.admit(&alice, &n1, 100, 50).unwrap();
		seen.admit(&alice, &n2, 200, 50).unwrap();
		// Another account may use the same nonce.
		seen.admit(&bob, &n1, 100, 50).unwrap();
		assert_eq!(seen.len(), 3);
		// Refused until the request's expiry, the expiry itself included, whatever the expiry
		// the pair comes back with.
		assert_eq!(seen.admit(&alice, &n1, 100, 60), Err(NonceError::Replayed));
		assert_eq!(seen.admit(&alice, &n1, 100, 100), Err(NonceError::Replayed));
		assert_eq!(seen.admit(&alice, &n1, 150, 100), Err(NonceError::Replayed));
		assert_eq!(seen.len(), 3);
		// After it, the expired entries are gone on the next admit (the old request itself is
		// expired), and the pair may sign a new request.
		assert_eq!(
			seen.admit(&alice, &n1, 100, 101),
			Err(NonceError::Expired { expires: 100, now: 101 })
		);
		assert_eq!(seen.len(), 1);
		seen.admit(&alice, &n1, 160, 101).unwrap();
		assert_eq!(seen.len(), 2);
		// The clock going back does not bring the forgotten requests back to life.
		assert_eq!(
			seen.admit(&bob, &n1, 100, 90),
			Err(NonceError::Expired { expires: 100, now: 101 })
		);
		// Past every expiry, only the new entry is left.
		seen.admit(&bob, &n2, 500, 300).unwrap();
		assert_eq!(seen.len(), 1);
		assert_eq!(seen.admit(&bob, &n2, 500, 400), Err(NonceError::Replayed));
	}

	#[test]
	fn the_seen_nonces_are_capped_and_never_forgotten_early() {
		let seen = SeenNonces::new(2);
		let alice = account(&pair("//Alice"));
		seen.admit(&alice, &[1; NONCE_LEN], 110, 100).unwrap();
		seen.admit(&alice, &[2; NONCE_LEN], 120, 100).unwrap();
		// Full: a new request is refused until the first remembered one expires.
		assert_eq!(
			seen.admit(&alice, &[3; NONCE_LEN], 130, 100),
			Err(NonceError::Busy { held: 2, retry_after: 11 })
		);
		assert_eq!(
			seen.admit(&alice, &[3; NONCE_LEN], 130, 110),
			Err(NonceError::Busy { held: 2, retry_after: 1 })
		);
		// Nothing was forgotten to make room: the remembered requests are still replays.
		assert_eq!(seen.admit(&alice, &[1; NONCE_LEN], 110, 110), Err(NonceError::Replayed));
		assert_eq!(seen.len(), 2);
		// Once the first expired, its place is free.
		seen.admit(&alice, &[3; NONCE_LEN], 130, 111).unwrap();
		assert_eq!(seen.admit(&alice, &[2; NONCE_LEN], 120, 111), Err(NonceError::Replayed));
		assert_eq!(seen.len(), 2);
		// No room at all: every request is refused.
		let none = SeenNonces::new(0);
		assert_eq!(
			none.admit(&alice, &[1; NONCE_LEN], 110, 100),
			Err(NonceError::Busy { held: 0, retry_after: 1 })
		);
	}

	#[tokio::test]
	async fn a_worker_with_a_full_memory_of_requests_answers_busy() {
		let o = outputs_with(1 << 20, 2);
		let (alice, bob) = (pair("//Alice"), pair("//Bob"));
		let hash = o.store.put(&blob(10, 17)).unwrap();
		o.access.allow(hash, account(&alice));
		let expires = unix_now() + 60;
		let get = |headers: &[(&str, String)]| request(Method::GET, &uri(&hash), headers, None);

		// A stranger's valid requests are not remembered: they cannot fill the memory.
		for _ in 0..3 {
			let (status, _, _) = send(&o.app, get(&o.auth(&bob, &hash, expires))).await;
			assert_eq!(status, StatusCode::FORBIDDEN);
		}
		let first = o.auth(&alice, &hash, expires);
		assert_eq!(send(&o.app, get(&first)).await.0, StatusCode::OK);
		assert_eq!(send(&o.app, get(&o.auth(&alice, &hash, expires))).await.0, StatusCode::OK);
		let (status, headers, body) = send(&o.app, get(&o.auth(&alice, &hash, expires))).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::SERVICE_UNAVAILABLE, "Busy"));
		let retry: u64 = headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
		assert!((1..=61).contains(&retry), "Retry-After: {retry}");
		// The remembered requests are still refused as replays, not forgotten to make room.
		let (status, _, body) = send(&o.app, get(&first)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::UNAUTHORIZED, "Replayed"));
		assert_eq!(o.access.seen.len(), 2);
	}

	#[tokio::test]
	async fn large_outputs_are_fetched_in_ranges() {
		let o = outputs(16);
		let alice = pair("//Alice");
		let bytes = blob(40, 13);
		let hash = o.store.put(&bytes).unwrap();
		o.access.allow(hash, account(&alice));
		let expires = unix_now() + 60;
		// Each piece is a request of its own, signed with a fresh nonce.
		let get = |range: Option<&str>| {
			request(Method::GET, &uri(&hash), &o.auth(&alice, &hash, expires), range)
		};

		let (status, _, body) = send(&o.app, get(None)).await;
		assert_eq!((status, code(&body).as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "TooLarge"));
		let (status, _, _) = send(&o.app, get(Some("bytes=0-16"))).await;
		assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
		let mut fetched = Vec::new();
		for (first, last) in [(0, 15), (16, 31), (32, 39)] {
			let range = format!("bytes={first}-{last}");
			let (status, headers, body) = send(&o.app, get(Some(range.as_str()))).await;
			assert_eq!(status, StatusCode::PARTIAL_CONTENT);
			assert_eq!(
				headers[header::CONTENT_RANGE].to_str().unwrap(),
				format!("bytes {first}-{last}/40")
			);
			fetched.extend(body);
		}
		assert_eq!(fetched, bytes);
	}

	#[tokio::test]
	async fn a_corrupt_output_is_not_served_whole() {
		let o = outputs(1 << 20);
		let alice = pair("//Alice");
		let bytes = blob(30, 14);
		let hash = o.store.put(&bytes).unwrap();
		o.access.allow(hash, account(&alice));
		let mut damaged = bytes;
		damaged[0] ^= 1;
		fs::write(o.store.path(&hash), damaged).unwrap();
		let expires = unix_now() + 60;
		let get = || request(Method::GET, &uri(&hash), &o.auth(&alice, &hash, expires), None);
		let (status, _, body) = send(&o.app, get()).await;
		assert_eq!(
			(status, code(&body).as_str()),
			(StatusCode::INTERNAL_SERVER_ERROR, "OutputCorrupt")
		);
		let (status, _, _) = send(&o.app, get()).await;
		assert_eq!(status, StatusCode::NOT_FOUND);
	}

	#[test]
	fn the_signed_message_is_context_worker_hash_expiry_nonce() {
		let worker = account(&pair("//Worker"));
		let hash = H256::repeat_byte(9);
		let nonce: Nonce = core::array::from_fn(|i| i as u8 + 0x40);
		let message = output_message(&worker, &hash, 0x0102, &nonce);
		assert_eq!(message.len(), 16 + 32 + 32 + 8 + 16);
		assert_eq!(&message[..16], b"airtime/output/2");
		let raw: &[u8; 32] = worker.as_ref();
		assert_eq!(&message[16..48], raw);
		assert_eq!(&message[48..80], hash.as_bytes());
		assert_eq!(&message[80..88], &[2, 1, 0, 0, 0, 0, 0, 0]);
		assert_eq!(&message[88..], &nonce);
		let alice = pair("//Alice");
		let signature =
			sr25519::Signature::from_raw(sign_request(&alice, &worker, &hash, 0x0102, &nonce));
		assert!(<sr25519::Pair as PairT>::verify(&signature, &message, &alice.public()));
		let elsewhere = output_message(&account(&pair("//OtherWorker")), &hash, 0x0102, &nonce);
		assert!(!<sr25519::Pair as PairT>::verify(&signature, &elsewhere, &alice.public()));

		// The headers carry the account, the expiry, the signature and a fresh nonce each time.
		let headers = request_headers(&alice, &worker, &hash, 0x0102);
		let names: Vec<&str> = headers.iter().map(|(name, _)| *name).collect();
		assert_eq!(names, [ACCOUNT_HEADER, EXPIRES_HEADER, SIGNATURE_HEADER, NONCE_HEADER]);
		assert_eq!(NONCE_HEADER, "x-airtime-nonce");
		let sent = parse_nonce(&headers[3].1).unwrap();
		let signature = parse_signature(&headers[2].1).unwrap();
		let signed = output_message(&worker, &hash, 0x0102, &sent);
		assert!(<sr25519::Pair as PairT>::verify(&signature, &signed, &alice.public()));
		assert_ne!(parse_nonce(&request_headers(&alice, &worker, &hash, 0x0102)[3].1), Some(sent));
	}
}
