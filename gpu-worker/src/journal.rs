//! Durable journals: the voucher journal (every accepted voucher is on disk before the call is
//! answered) and the job journal (each leased job's progress, see [`crate::jobs`]).
//!
//! An append-only file of records `len: u32 LE | SCALE(record) | checksum`,
//! where the checksum is the first 8 bytes of BLAKE2b-256 over the encoded body. Each append is
//! followed by `fdatasync`, so a voucher the service answered for survives a crash. Opening
//! replays the file, keeps the latest record per key (a channel, a job), and cuts off a torn or corrupt tail
//! (a crash mid-append loses at most the call that was never answered). When the file holds
//! many superseded records it is compacted: the latest records are written to a temporary file,
//! synced, and renamed over the journal.

use crate::metering::SignedVoucherOf;
use airtime_primitives::credits::ChannelId;
use codec::{Decode, Encode};
use std::{
	collections::BTreeMap,
	fs::{self, File, OpenOptions},
	io::{self, Read, Write},
	path::{Path, PathBuf},
};
use thiserror::Error;

/// Compact when the file holds this many records more than there are channels.
const COMPACT_AFTER: usize = 50_000;

/// Journal failures.
#[derive(Debug, Error)]
pub enum JournalError {
	/// Reading or writing the file failed.
	#[error("journal {path}: {source}")]
	Io {
		/// The file.
		path: PathBuf,
		/// The error.
		source: io::Error,
	},
}

/// What a journal stores: SCALE records, one live record per key.
pub trait Record: Encode + Decode + Clone {
	/// The key.
	type Key: Ord + Copy;
	/// This record's key.
	fn key(&self) -> Self::Key;
	/// Whether this record replaces `old` (same key) on replay; a record that does not is stale
	/// (e.g. a voucher with a lower total) and is ignored.
	fn supersedes(&self, old: &Self) -> bool;
}

/// One voucher journal record.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Entry {
	/// The channel.
	pub channel: ChannelId,
	/// The latest voucher accepted on it.
	pub voucher: SignedVoucherOf,
	/// Calls served on it so far.
	pub calls: u64,
}

impl Record for Entry {
	type Key = ChannelId;
	fn key(&self) -> ChannelId {
		self.channel
	}
	fn supersedes(&self, old: &Self) -> bool {
		self.voucher.voucher.total >= old.voucher.voucher.total
	}
}

/// A journal of records `R`, by default the voucher journal.
pub struct Journal<R: Record = Entry> {
	path: PathBuf,
	file: File,
	latest: BTreeMap<R::Key, R>,
	records: usize,
}

fn checksum(body: &[u8]) -> [u8; 8] {
	let hash = sp_crypto_hashing::blake2_256(body);
	let mut out = [0u8; 8];
	out.copy_from_slice(hash.get(..8).unwrap_or(&[0u8; 8]));
	out
}

fn frame<R: Record>(entry: &R) -> Vec<u8> {
	let body = entry.encode();
	let len = u32::try_from(body.len()).unwrap_or(u32::MAX);
	let mut out = Vec::with_capacity(body.len().saturating_add(12));
	out.extend_from_slice(&len.to_le_bytes());
	out.extend_from_slice(&body);
	out.extend_from_slice(&checksum(&body));
	out
}

/// Parse records from `bytes`; returns them and the length of the valid prefix.
fn parse<R: Record>(bytes: &[u8]) -> (Vec<R>, usize) {
	let mut entries = Vec::new();
	let mut pos = 0usize;
	while let Some(len_bytes) = bytes.get(pos..pos.saturating_add(4)) {
		let mut len = [0u8; 4];
		len.copy_from_slice(len_bytes);
		let len = u32::from_le_bytes(len) as usize;
		let body_start = pos.saturating_add(4);
		let body_end = body_start.saturating_add(len);
		let (Some(body), Some(sum)) =
			(bytes.get(body_start..body_end), bytes.get(body_end..body_end.saturating_add(8)))
		else {
			break;
		};
		if sum != checksum(body) {
			break;
		}
		let mut input = body;
		let Ok(entry) = R::decode(&mut input) else { break };
		entries.push(entry);
		pos = body_end.saturating_add(8);
	}
	(entries, pos)
}

/// The live record per key of replayed `entries` (a record that does not supersede is stale).
fn latest_of<R: Record>(entries: Vec<R>) -> BTreeMap<R::Key, R> {
	let mut latest = BTreeMap::new();
	for entry in entries {
		if latest.get(&entry.key()).is_none_or(|e: &R| entry.supersedes(e)) {
			latest.insert(entry.key(), entry);
		}
	}
	latest
}

impl<R: Record> Journal<R> {
	/// Open (or create) the journal at `path`, replaying it.
	pub fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
		let path = path.as_ref().to_path_buf();
		let io_err = |source| JournalError::Io { path: path.clone(), source };
		if let Some(dir) = path.parent() {
			fs::create_dir_all(dir).map_err(io_err)?;
		}
		let mut file =
			OpenOptions::new().read(true).append(true).create(true).open(&path).map_err(io_err)?;
		let mut bytes = Vec::new();
		file.read_to_end(&mut bytes).map_err(io_err)?;
		let (entries, valid) = parse::<R>(&bytes);
		if valid < bytes.len() {
			tracing::warn!(
				path = %path.display(),
				dropped = bytes.len().saturating_sub(valid),
				"journal: cutting off a torn or corrupt tail"
			);
			file.set_len(valid as u64).map_err(io_err)?;
			file.sync_data().map_err(io_err)?;
		}
		let records = entries.len();
		Ok(Self { path, file, latest: latest_of(entries), records })
	}

	/// Read the latest record per key without opening for writing (another process may be
	/// appending: a torn tail is skipped, not cut off).
	pub fn read(path: &Path) -> Result<BTreeMap<R::Key, R>, JournalError> {
		let bytes = match fs::read(path) {
			Ok(b) => b,
			Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
			Err(source) => return Err(JournalError::Io { path: path.into(), source }),
		};
		Ok(latest_of(parse::<R>(&bytes).0))
	}

	/// The latest record per key.
	pub fn latest(&self) -> &BTreeMap<R::Key, R> {
		&self.latest
	}

	/// Append a record and sync it to disk.
	pub fn append(&mut self, entry: R) -> Result<(), JournalError> {
		let io_err = |source| JournalError::Io { path: self.path.clone(), source };
		self.file.write_all(&frame(&entry)).map_err(io_err)?;
		self.file.sync_data().map_err(io_err)?;
		self.records = self.records.saturating_add(1);
		// In memory as on replay: a stale record (one that does not supersede) is ignored.
		if self.latest.get(&entry.key()).is_none_or(|old| entry.supersedes(old)) {
			self.latest.insert(entry.key(), entry);
		}
		if self.records > self.latest.len().saturating_add(COMPACT_AFTER) {
			self.compact()?;
		}
		Ok(())
	}

	/// Drop a finished key's record (it stays in the file until the next compaction).
	pub fn forget(&mut self, key: R::Key) {
		self.latest.remove(&key);
	}

	/// Rewrite the file with the latest records only.
	pub fn compact(&mut self) -> Result<(), JournalError> {
		let io_err = |source| JournalError::Io { path: self.path.clone(), source };
		let tmp = self.path.with_extension("compact");
		let mut out = File::create(&tmp).map_err(io_err)?;
		for entry in self.latest.values() {
			out.write_all(&frame(entry)).map_err(io_err)?;
		}
		out.sync_all().map_err(io_err)?;
		fs::rename(&tmp, &self.path).map_err(io_err)?;
		if let Some(dir) = self.path.parent() {
			if let Ok(d) = File::open(dir) {
				let _ = d.sync_all();
			}
		}
		self.file = OpenOptions::new().read(true).append(true).open(&self.path).map_err(io_err)?;
		self.records = self.latest.len();
		Ok(())
	}
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
#[allow(clippy::indexing_slicing)]
mod tests {
	use super::*;
	use airtime_primitives::credits::{sign_sr25519, Voucher};
	use sp_core::{sr25519, Pair, H256};

	/// What identifies a record (sr25519 signatures are randomised, so entries are compared by
	/// channel, total and calls).
	fn key(e: &Entry) -> (ChannelId, u128, u64) {
		(e.channel, e.voucher.voucher.total, e.calls)
	}

	fn entry(channel: ChannelId, total: u128, calls: u64) -> Entry {
		let pair = sr25519::Pair::from_string("//Alice", None).unwrap();
		let voucher = Voucher { genesis: H256::zero(), channel, channel_nonce: 1, total };
		Entry { channel, voucher: sign_sr25519(voucher, &pair), calls }
	}

	#[test]
	fn replays_the_latest_record_per_channel() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("vouchers.log");
		{
			let mut j = Journal::open(&path).unwrap();
			j.append(entry(1, 10, 1)).unwrap();
			j.append(entry(2, 5, 1)).unwrap();
			j.append(entry(1, 20, 2)).unwrap();
		}
		let j = Journal::open(&path).unwrap();
		assert_eq!(j.latest().len(), 2);
		assert_eq!(key(&j.latest()[&1]), (1, 20, 2));
		assert_eq!(key(&j.latest()[&2]), (2, 5, 1));
	}

	#[test]
	fn a_torn_tail_is_cut_off_and_appends_continue() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("vouchers.log");
		{
			let mut j = Journal::open(&path).unwrap();
			j.append(entry(1, 10, 1)).unwrap();
			j.append(entry(1, 20, 2)).unwrap();
		}
		let len = fs::metadata(&path).unwrap().len();
		// A crash in the middle of the second record.
		OpenOptions::new().write(true).open(&path).unwrap().set_len(len - 5).unwrap();
		{
			let mut j = Journal::open(&path).unwrap();
			assert_eq!(key(&j.latest()[&1]), (1, 10, 1));
			j.append(entry(1, 30, 3)).unwrap();
		}
		assert_eq!(key(&Journal::open(&path).unwrap().latest()[&1]), (1, 30, 3));
	}

	#[test]
	fn a_corrupt_record_ends_the_replay() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("vouchers.log");
		{
			let mut j = Journal::open(&path).unwrap();
			j.append(entry(1, 10, 1)).unwrap();
			j.append(entry(1, 20, 2)).unwrap();
		}
		let mut bytes = fs::read(&path).unwrap();
		let last = bytes.len() - 1;
		bytes[last] ^= 0xff;
		fs::write(&path, bytes).unwrap();
		assert_eq!(key(&Journal::open(&path).unwrap().latest()[&1]), (1, 10, 1));
	}

	#[test]
	fn compaction_keeps_the_latest_records() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("vouchers.log");
		let mut j = Journal::open(&path).unwrap();
		for total in 1..=20 {
			j.append(entry(total as u64 % 3, total, total as u64)).unwrap();
		}
		let before = fs::metadata(&path).unwrap().len();
		j.compact().unwrap();
		assert!(fs::metadata(&path).unwrap().len() < before);
		j.append(entry(9, 1, 1)).unwrap();
		let reopened = Journal::open(&path).unwrap();
		assert_eq!(reopened.latest().len(), 4);
		assert_eq!(key(&reopened.latest()[&2]), (2, 20, 20));
		assert_eq!(key(&reopened.latest()[&9]), (9, 1, 1));
	}
}
