//! The interface of the data market: the glue trait pallet-compute calls when a job reads
//! datasets, the merkle commitment of a dataset's chunks, the sealed-key format, and the views
//! its runtime API, RPC and clients share.
//!
//! ## Chunk commitment
//!
//! A dataset is cut into chunks (any size, the last may be shorter). Its `root_hash` is the
//! binary merkle root of the chunks: a leaf is `blake2_256(chunk)`, an inner node is
//! `blake2_256(left ++ right)`, and a level with an odd number of nodes carries its last node up
//! unchanged. One chunk's root is its leaf hash. [`merkle_root`] computes it, [`merkle_proof`]
//! and [`verify_chunk`] let anyone check one chunk against the listing without the rest of the
//! dataset.
//!
//! ## Sealed keys
//!
//! A seller delivers the dataset's symmetric key sealed to the buyer's x25519 delivery key:
//! `sealed = ephemeral_public (32) ++ nonce (24) ++ secretbox(key, nonce, blake2_256(shared ++
//! ephemeral_public ++ buyer_public))` where `shared` is the x25519 agreement of the ephemeral
//! secret and the buyer's key, and `secretbox` is XSalsa20-Poly1305 (NaCl). A 32-byte key seals
//! to [`SEALED_KEY_LEN`] = 104 bytes. The chain stores the bytes and does not check them: only the
//! buyer can, which is why a bad key is settled by a dispute.

use crate::compute::JobId;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{DispatchResult, Weight};

pub use crate::compute::DatasetId;

/// Identifies a purchase. Allocated sequentially by the data market, never reused.
pub type PurchaseId = u64;

/// An x25519 public key to which dataset keys are sealed.
pub type DeliveryKey = [u8; 32];

/// Length of a 32-byte key sealed as the module docs describe.
pub const SEALED_KEY_LEN: usize = 32 + 24 + 32 + 16;

/// The licence a dataset is offered under. `Custom` licences are identified by the listing's
/// licence URI hash.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum License {
	/// Public domain dedication (CC0 1.0).
	Cc0,
	/// Creative Commons Attribution 4.0.
	CcBy,
	/// Creative Commons Attribution-ShareAlike 4.0.
	CcBySa,
	/// Creative Commons Attribution-NonCommercial 4.0.
	CcByNc,
	/// Apache License 2.0.
	Apache2,
	/// MIT licence.
	Mit,
	/// Open Data Commons Open Database License.
	Odbl,
	/// All rights reserved; use under the seller's terms.
	Proprietary,
	/// Another licence, named by the listing's licence URI hash.
	Custom,
}

/// The property of a dataset a curator vouches for.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum ClaimKind {
	/// The listed root hash is the merkle root of the chunks the seller delivers.
	RootHash,
	/// The data has the schema and format its metadata declares.
	Schema,
	/// The licence is consistent with the data's origin (the seller may license it).
	License,
}

/// Where a dataset stands on one [`ClaimKind`].
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum ValidationState {
	/// Nobody vouched for it.
	#[default]
	Unchecked,
	/// A curator's claim is open and uncontested.
	Pending,
	/// A claim is contested and awaits resolution.
	Contested,
	/// A claim stood (unchallenged, or upheld).
	Validated,
	/// A claim was refuted.
	Refuted,
}

/// A dataset's validation record, one state per [`ClaimKind`].
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct Validation {
	/// The root hash.
	pub root_hash: ValidationState,
	/// Schema and format.
	pub schema: ValidationState,
	/// The licence.
	pub license: ValidationState,
}

impl Validation {
	/// The state of one kind.
	pub fn get(&self, kind: ClaimKind) -> ValidationState {
		match kind {
			ClaimKind::RootHash => self.root_hash,
			ClaimKind::Schema => self.schema,
			ClaimKind::License => self.license,
		}
	}

	/// Set the state of one kind.
	pub fn set(&mut self, kind: ClaimKind, state: ValidationState) {
		match kind {
			ClaimKind::RootHash => self.root_hash = state,
			ClaimKind::Schema => self.schema = state,
			ClaimKind::License => self.license = state,
		}
	}

	/// Whether every kind is validated.
	pub fn is_fully_validated(&self) -> bool {
		[self.root_hash, self.schema, self.license].iter().all(|s| *s == ValidationState::Validated)
	}
}

/// A dataset as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize, Balance: core::fmt::Display",
			deserialize = "AccountId: serde::Deserialize<'de>, Balance: core::str::FromStr"
		)
	)
)]
pub struct DatasetView<AccountId, Balance> {
	/// The dataset's id.
	pub id: DatasetId,
	/// Who sells it and receives its payments and royalties.
	pub owner: AccountId,
	/// An account that may deliver keys on the owner's behalf.
	pub agent: Option<AccountId>,
	/// Merkle root of its chunks (see the module docs).
	pub root_hash: H256,
	/// Size in bytes.
	pub size: u64,
	/// Number of chunks.
	pub chunk_count: u32,
	/// Its licence.
	pub license: License,
	/// Hash of the licence text or URI, if given.
	pub license_uri: Option<H256>,
	/// Access price (and per-use price of a job from an account without access).
	#[cfg_attr(feature = "std", serde(with = "crate::balance_string"))]
	pub price: Balance,
	/// Royalty paid by every settled job that reads it.
	#[cfg_attr(feature = "std", serde(with = "crate::balance_string"))]
	pub royalty: Balance,
	/// Hash of its off-chain metadata (schema, description).
	pub metadata_hash: H256,
	/// Whether it is for sale (delisted datasets keep their grants and lineage).
	pub listed: bool,
	/// Datasets it was derived from.
	pub parents: Vec<DatasetId>,
	/// The compute job whose output it is, and that output's hash, if registered as derived.
	pub source_job: Option<(JobId, H256)>,
	/// Its validation record.
	pub validation: Validation,
	/// Completed sales.
	pub sales: u32,
}

/// An account's access to a dataset.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct GrantView<BlockNumber> {
	/// The dataset.
	pub dataset: DatasetId,
	/// The open purchase (awaiting delivery, or delivered and still disputable), if any.
	pub purchase: Option<PurchaseId>,
	/// The block at which the key was delivered; `None` while the purchase awaits delivery.
	pub since: Option<BlockNumber>,
}

/// The phase of an open purchase.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum PurchasePhase<BlockNumber> {
	/// The seller must deliver the key by this block.
	AwaitingDelivery(BlockNumber),
	/// The key was delivered; the buyer may dispute until this block.
	Delivered(BlockNumber),
	/// The buyer disputed the key; a governance origin decides.
	Disputed,
}

/// An open purchase as clients see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "AccountId: serde::Serialize, Balance: core::fmt::Display, BlockNumber: serde::Serialize",
			deserialize = "AccountId: serde::Deserialize<'de>, Balance: core::str::FromStr, BlockNumber: serde::Deserialize<'de>"
		)
	)
)]
pub struct PurchaseView<AccountId, Balance, BlockNumber> {
	/// The purchase's id.
	pub id: PurchaseId,
	/// The dataset bought.
	pub dataset: DatasetId,
	/// The buyer.
	pub buyer: AccountId,
	/// The seller (the dataset's owner when bought).
	pub seller: AccountId,
	/// The price in escrow.
	#[cfg_attr(feature = "std", serde(with = "crate::balance_string"))]
	pub price: Balance,
	/// The buyer's delivery key when it bought.
	pub buyer_key: DeliveryKey,
	/// The sealed key, once delivered.
	pub sealed_key: Option<Vec<u8>>,
	/// The phase.
	pub phase: PurchasePhase<BlockNumber>,
}

/// What a paged dataset search matches; every field given must match.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "Balance: core::fmt::Display",
			deserialize = "Balance: core::str::FromStr"
		)
	)
)]
pub struct DatasetFilter<Balance> {
	/// Only this licence.
	pub license: Option<License>,
	/// Only datasets priced at most this.
	#[cfg_attr(feature = "std", serde(default, with = "crate::balance_string_opt"))]
	pub max_price: Option<Balance>,
	/// Only datasets in this validation state for this kind.
	pub validation: Option<(ClaimKind, ValidationState)>,
	/// Only datasets for sale.
	pub listed_only: bool,
}

/// One dataset in a lineage walk.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct LineageNode {
	/// The dataset.
	pub dataset: DatasetId,
	/// Its distance from the dataset the walk started at.
	pub depth: u32,
	/// Its parents.
	pub parents: Vec<DatasetId>,
	/// The job that produced it, if any.
	pub source_job: Option<JobId>,
}

/// How pallet-compute asks the data market about the datasets a job names. The data market
/// implements it; compute calls it and never reads the market's storage.
///
/// A job's use of datasets has three moments: [`DatasetUsage::begin_use`] when the job is
/// submitted (check access, put the charges in escrow on the job's owner; an error refuses the
/// job), then exactly one of [`DatasetUsage::job_settled`] (pay the dataset owners) or
/// [`DatasetUsage::job_refunded`] (return the escrow) when the job ends.
pub trait DatasetUsage<AccountId, Balance> {
	/// A job of `who` names `datasets`: check `who` may use each and escrow what it owes.
	fn begin_use(job: JobId, who: &AccountId, datasets: &[DatasetId]) -> DispatchResult;
	/// The job ended with `output_hash` accepted: pay the owners their royalties.
	fn job_settled(job: JobId, output_hash: H256);
	/// The job ended without a result: return what `begin_use` escrowed.
	fn job_refunded(job: JobId);
	/// Weight of `begin_use` with `datasets` datasets.
	fn begin_use_weight(datasets: u32) -> Weight;
	/// Weight of `job_settled` or `job_refunded` (the larger) with `datasets` datasets.
	fn end_use_weight(datasets: u32) -> Weight;
}

/// No data market: every list of datasets is accepted and nothing is charged, so a pallet that
/// consumes the trait can be tested alone. A runtime wires the real market.
impl<AccountId, Balance> DatasetUsage<AccountId, Balance> for () {
	fn begin_use(_: JobId, _: &AccountId, _: &[DatasetId]) -> DispatchResult {
		Ok(())
	}
	fn job_settled(_: JobId, _: H256) {}
	fn job_refunded(_: JobId) {}
	fn begin_use_weight(_: u32) -> Weight {
		Weight::zero()
	}
	fn end_use_weight(_: u32) -> Weight {
		Weight::zero()
	}
}

fn hash_pair(left: &H256, right: &H256) -> H256 {
	let mut buf = [0u8; 64];
	buf[..32].copy_from_slice(left.as_bytes());
	buf[32..].copy_from_slice(right.as_bytes());
	H256(sp_crypto_hashing::blake2_256(&buf))
}

/// The level above `level`: pairs hashed, an odd last node carried up.
fn next_level(level: &[H256]) -> Vec<H256> {
	level
		.chunks(2)
		.map(|pair| match pair {
			[l, r] => hash_pair(l, r),
			[single] => *single,
			_ => H256::zero(),
		})
		.collect()
}

/// The leaf hash of a chunk.
pub fn chunk_hash(chunk: &[u8]) -> H256 {
	H256(sp_crypto_hashing::blake2_256(chunk))
}

/// The merkle root of leaf hashes (see the module docs); `None` for no leaves.
pub fn merkle_root(leaves: &[H256]) -> Option<H256> {
	let mut level: Vec<H256> = leaves.to_vec();
	if level.is_empty() {
		return None;
	}
	while level.len() > 1 {
		level = next_level(&level);
	}
	level.first().copied()
}

/// The sibling hashes that prove leaf `index` (bottom first; levels where the node is carried up
/// have no sibling and are skipped). `None` when `index` is out of range.
pub fn merkle_proof(leaves: &[H256], index: usize) -> Option<Vec<H256>> {
	if index >= leaves.len() {
		return None;
	}
	let mut proof = Vec::new();
	let mut level: Vec<H256> = leaves.to_vec();
	let mut i = index;
	while level.len() > 1 {
		let sibling = i ^ 1;
		if let Some(h) = level.get(sibling) {
			proof.push(*h);
		}
		level = next_level(&level);
		i /= 2;
	}
	Some(proof)
}

/// Whether `chunk` is chunk `index` of the `count`-chunk dataset with merkle root `root`.
pub fn verify_chunk(root: &H256, count: usize, index: usize, chunk: &[u8], proof: &[H256]) -> bool {
	if index >= count {
		return false;
	}
	let mut node = chunk_hash(chunk);
	let mut i = index;
	let mut width = count;
	let mut siblings = proof.iter();
	while width > 1 {
		let sibling = i ^ 1;
		if sibling < width {
			let Some(s) = siblings.next() else { return false };
			node = if i.is_multiple_of(2) { hash_pair(&node, s) } else { hash_pair(s, &node) };
		}
		i /= 2;
		width = width.div_ceil(2);
	}
	siblings.next().is_none() && node == *root
}

sp_api::decl_runtime_apis! {
	/// Read access to the data market for wallets, buyers, sellers and curators.
	pub trait DataMarketApi<AccountId, Balance, BlockNumber> where
		AccountId: codec::Codec,
		Balance: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// A dataset, listed or not.
		fn dataset(id: DatasetId) -> Option<DatasetView<AccountId, Balance>>;
		/// Up to `limit` datasets matching `filter`, in id order after `start_after`. The scan
		/// reads at most the pallet's search bound of records, so a sparse filter may return
		/// fewer than `limit`: continue after the last id scanned, returned alongside.
		fn search(
			filter: DatasetFilter<Balance>,
			start_after: Option<DatasetId>,
			limit: u32,
		) -> (Vec<DatasetView<AccountId, Balance>>, Option<DatasetId>);
		/// The datasets `buyer` has access to or an open purchase of.
		fn grants(buyer: AccountId) -> Vec<GrantView<BlockNumber>>;
		/// An open purchase.
		fn purchase(id: PurchaseId) -> Option<PurchaseView<AccountId, Balance, BlockNumber>>;
		/// The ancestors of `dataset` breadth first, up to `depth` generations (and the pallet's
		/// node bound), the dataset itself first at depth 0.
		fn lineage(dataset: DatasetId, depth: u32) -> Vec<LineageNode>;
	}
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
	use super::*;

	fn leaves(n: usize) -> Vec<H256> {
		(0..n).map(|i| chunk_hash(&[i as u8; 7])).collect()
	}

	#[test]
	fn root_of_one_chunk_is_its_hash() {
		let l = leaves(1);
		assert_eq!(merkle_root(&l), Some(l[0]));
		assert_eq!(merkle_root(&[]), None);
	}

	#[test]
	fn root_matches_the_documented_construction() {
		let l = leaves(3);
		let expected = hash_pair(&hash_pair(&l[0], &l[1]), &l[2]);
		assert_eq!(merkle_root(&l), Some(expected));
	}

	#[test]
	fn every_chunk_proves_and_a_wrong_one_does_not() {
		for n in 1..=17 {
			let l = leaves(n);
			let root = merkle_root(&l).unwrap();
			for i in 0..n {
				let proof = merkle_proof(&l, i).unwrap();
				assert!(verify_chunk(&root, n, i, &[i as u8; 7], &proof), "n={n} i={i}");
				assert!(!verify_chunk(&root, n, i, &[i as u8 ^ 1; 7], &proof));
			}
			assert_eq!(merkle_proof(&l, n), None);
			assert!(!verify_chunk(&root, n, n, &[0; 7], &[]));
		}
	}

	/// The vector the e2e test's JavaScript implementation (e2e/lib/data.js) also checks.
	#[test]
	fn shared_test_vector() {
		let chunks: Vec<Vec<u8>> = (0u8..5).map(|i| alloc::vec![i; 3]).collect();
		let l: Vec<H256> = chunks.iter().map(|c| chunk_hash(c)).collect();
		let root = merkle_root(&l).unwrap();
		assert_eq!(
			alloc::format!("{root:?}"),
			"0x1337cace9a51a98586ffd31c93c56ed7e72e3a7707b822bfebb24f57bf8a3056"
		);
	}
}
