//! Bad input: transactions a node must refuse, sent through `author_submitExtrinsic`, each
//! expected to come back with a named RPC error, then a check that the node still works.
//!
//! - not decodable, `1001`/`1002`/`1040` (the node or the runtime cannot decode it): empty
//!   bytes, an unknown extrinsic version, random bytes, a truncated transaction, and a bounded
//!   argument past its bound (a 65-byte GPU model where 64 are allowed);
//! - `1010` bad signature (`BadProof`): Alice's transaction signed with Bob's key; one signed
//!   for another genesis hash; one mortal from the anchor's number but another block's hash
//!   (or `1010` ancient birth block);
//! - `1010` outdated (`Stale`): a nonce already used;
//! - `1010` exhausts the block limits (`ExhaustsResources`): a 4.5 MiB remark, more than a
//!   block's normal-class share of length (3.75 of 5 MiB);
//! - `1010` inability to pay fees (`Payment`): from an account that never held funds.
//!
//! The runtime side of the same cases (pool validation and block application, state unchanged)
//! is asserted by the runtime's fuzzer (`runtime/tests/integration/fuzz.rs`, `BadInput`); here
//! they go through a real node's RPC and pool. Afterwards the node must answer, finalize at
//! least two more blocks and include a valid transaction from the same sender.

use crate::{
	mixed,
	txs::{self, Account, Chain, LoadError, Refusal},
};
use airtime_worker::chain::airtime;
use codec::{Compact, Encode};
use rand::Rng;
use serde::Serialize;
use sp_core::Pair;
use std::time::{Duration, Instant};
use subxt::transactions::Payload;

/// The oversize remark: more than 75 % of the 5 MiB block length.
const OVERSIZE: usize = 4 * 1024 * 1024 + 512 * 1024;

/// One case's result.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
	/// The case.
	pub case: &'static str,
	/// The refusal expected.
	pub expected: &'static str,
	/// What the node answered.
	pub got: String,
	/// Whether it matched.
	pub pass: bool,
}

/// The bad-input run's results.
#[derive(Clone, Debug, Serialize)]
pub struct BadInputReport {
	/// Each case.
	pub cases: Vec<CaseResult>,
	/// Whether the node still finalized blocks and a valid transaction afterwards.
	pub node_alive: bool,
	/// What the liveness check saw.
	pub liveness: String,
}

impl BadInputReport {
	/// Whether every expectation held.
	pub fn passed(&self) -> bool {
		self.node_alive && self.cases.iter().all(|c| c.pass)
	}

	/// Print as a table.
	pub fn print(&self) {
		println!();
		println!("== bad input ==");
		for c in &self.cases {
			let mark = if c.pass { "ok  " } else { "FAIL" };
			println!("  {mark} {:<44} expected {:<30} got {}", c.case, c.expected, c.got);
		}
		let mark = if self.node_alive { "ok  " } else { "FAIL" };
		println!("  {mark} {:<44} {}", "node alive afterwards", self.liveness);
	}
}

const UNDECODABLE: &str = "1001/1002/1040 not decodable";

fn undecodable(r: &Refusal) -> bool {
	matches!(r.code, Some(1001 | 1002 | 1040))
}

fn invalid(r: &Refusal, needle: &str) -> bool {
	r.code == Some(1010) && r.data.contains(needle)
}

struct Case {
	name: &'static str,
	expected: &'static str,
	check: fn(&Refusal) -> bool,
	bytes: Result<Vec<u8>, LoadError>,
}

/// Sign `call` as `who` but with `key`, and let `patch` change the signed payload first.
fn sign_custom<P: Payload>(
	anchor: &txs::Anchor,
	who: &Account,
	key: &sp_core::sr25519::Pair,
	call: &P,
	params: subxt::config::DefaultExtrinsicParams<subxt::PolkadotConfig>,
	patch: impl FnOnce(Vec<u8>) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, LoadError> {
	let mut signable =
		anchor.txs.create_signable_offline(call, params).map_err(LoadError::chain)?;
	let payload = signable.signer_payload().map_err(LoadError::chain)?;
	let payload = patch(payload)
		.ok_or_else(|| LoadError::Setup("cannot find the genesis hash in the payload".into()))?;
	let signature = subxt::utils::MultiSignature::Sr25519(key.sign(&payload).0);
	let tx =
		signable.sign_with_account_and_signature(&who.id, &signature).map_err(LoadError::chain)?;
	Ok(tx.into_encoded())
}

/// Replace the first occurrence of `from` in `payload` with `to`.
fn replace(mut payload: Vec<u8>, from: &[u8; 32], to: &[u8; 32]) -> Option<Vec<u8>> {
	let at = payload.windows(32).position(|w| w == from.as_slice())?;
	payload.get_mut(at..at.checked_add(32)?)?.copy_from_slice(to);
	Some(payload)
}

fn remark(data: &[u8]) -> impl Payload {
	airtime::transactions().system().remark(data.to_vec())
}

/// Send every case, then check the node.
pub async fn run(chain: &Chain) -> Result<BadInputReport, LoadError> {
	let alice = Account::from_uri("//Alice")?;
	let bob = Account::from_uri("//Bob")?;
	let unfunded = Account::from_uri(&format!("//load//unfunded//{}", rand::random::<u64>()))?;

	// The stale case needs a nonce Alice has used.
	if chain.finalized_nonce(&alice.id).await? == 0 {
		let nonce = chain.next_index(&alice.id).await?;
		let first = txs::sign(&chain.anchor(), &alice.pair, nonce, &remark(b"loadgen: first"))?;
		chain
			.submit(&first)
			.await
			.map_err(|r| LoadError::Setup(format!("a valid remark was refused: {}", r.reason())))?;
		let alice_id = &alice.id;
		wait_until(Duration::from_secs(90), || async move {
			Ok::<bool, LoadError>(chain.finalized_nonce(alice_id).await? > 0)
		})
		.await?;
		chain.refresh_anchor().await?;
	}
	let anchor = chain.anchor();
	let nonce = chain.next_index(&alice.id).await?;

	let valid = txs::sign(&anchor, &alice.pair, nonce, &remark(b"loadgen: truncated"));
	let truncated =
		valid.map(|v| v.get(..v.len().saturating_sub(10)).map(<[u8]>::to_vec).unwrap_or_default());
	let mut junk = vec![0u8; 64];
	rand::thread_rng().fill(junk.as_mut_slice());
	let mut random = Compact(64u32).encode();
	random.extend_from_slice(&junk);
	let mut caps = mixed::provider_offer();
	caps.0.gpu_model.0 = vec![b'x'; 65];
	let too_long = airtime::transactions().compute().register_provider(
		caps.0,
		caps.1,
		crate::setup::PROVIDER_STAKE,
	);
	let genesis = chain.client.genesis_hash().0;
	// Mortal from the anchor's number but another block's hash.
	let wrong_era = subxt::config::DefaultExtrinsicParamsBuilder::<subxt::PolkadotConfig>::new()
		.nonce(nonce)
		.mortal_from_unchecked(txs::MORTALITY, anchor.number, subxt::utils::H256([0x42; 32]))
		.build();

	let cases = vec![
		Case {
			name: "empty bytes",
			expected: UNDECODABLE,
			check: undecodable,
			bytes: Ok(Vec::new()),
		},
		Case {
			name: "unknown extrinsic version",
			expected: UNDECODABLE,
			check: undecodable,
			bytes: Ok(vec![0x0c, 0xff, 0x00, 0x00]),
		},
		Case { name: "random bytes", expected: UNDECODABLE, check: undecodable, bytes: Ok(random) },
		Case {
			name: "truncated transaction",
			expected: UNDECODABLE,
			check: undecodable,
			bytes: truncated,
		},
		Case {
			name: "bounded argument past its bound",
			expected: UNDECODABLE,
			check: undecodable,
			bytes: txs::sign(&anchor, &alice.pair, nonce, &too_long),
		},
		Case {
			name: "signed by another key",
			expected: "1010 bad signature",
			check: |r| invalid(r, "bad signature"),
			bytes: sign_custom(
				&anchor,
				&alice,
				&bob.pair,
				&remark(b"loadgen: forged"),
				txs::params(&anchor, nonce),
				Some,
			),
		},
		Case {
			name: "signed for another genesis hash",
			expected: "1010 bad signature",
			check: |r| invalid(r, "bad signature"),
			bytes: sign_custom(
				&anchor,
				&alice,
				&alice.pair,
				&remark(b"loadgen: other chain"),
				txs::params(&anchor, nonce),
				|p| replace(p, &genesis, &[0x13; 32]),
			),
		},
		Case {
			name: "mortal era from an unknown block hash",
			expected: "1010 bad signature / ancient birth",
			check: |r| invalid(r, "bad signature") || invalid(r, "ancient birth block"),
			bytes: txs::sign_with(&anchor, &alice.pair, &remark(b"loadgen: era"), wrong_era),
		},
		Case {
			name: "stale nonce",
			expected: "1010 outdated",
			check: |r| invalid(r, "outdated"),
			bytes: txs::sign(
				&anchor,
				&alice.pair,
				nonce.saturating_sub(1),
				&remark(b"loadgen: stale"),
			),
		},
		Case {
			name: "oversize extrinsic (4.5 MiB remark)",
			expected: "1010 exhausts block limits",
			check: |r| invalid(r, "exhaust the block limits"),
			bytes: txs::sign(&anchor, &alice.pair, nonce, &remark(&vec![0u8; OVERSIZE])),
		},
		Case {
			name: "unfunded signer",
			expected: "1010 cannot pay fees",
			check: |r| invalid(r, "Inability to pay"),
			bytes: txs::sign(&anchor, &unfunded.pair, 0, &remark(b"loadgen: unfunded")),
		},
	];

	let mut results = Vec::new();
	for case in cases {
		let (got, pass) = match case.bytes {
			Err(e) => (format!("could not build the case: {e}"), false),
			Ok(bytes) => match chain.submit(&bytes).await {
				Ok(()) => ("accepted into the pool".to_string(), false),
				Err(r) => (r.reason(), (case.check)(&r)),
			},
		};
		if !pass {
			tracing::warn!(case = case.name, %got, "unexpected answer");
		}
		results.push(CaseResult { case: case.name, expected: case.expected, got, pass });
	}

	let (node_alive, liveness) = match liveness(chain, &alice).await {
		Ok(detail) => (true, detail),
		Err(e) => (false, e.to_string()),
	};
	Ok(BadInputReport { cases: results, node_alive, liveness })
}

/// The node finalizes two more blocks and includes a valid transaction of Alice's.
async fn liveness(chain: &Chain, alice: &Account) -> Result<String, LoadError> {
	let start = Instant::now();
	let from = chain.finalized_number().await?;
	chain.refresh_anchor().await?;
	let nonce = chain.next_index(&alice.id).await?;
	let tx = txs::sign(&chain.anchor(), &alice.pair, nonce, &remark(b"loadgen: still alive"))?;
	chain.submit(&tx).await.map_err(|r| {
		LoadError::Chain(format!("a valid transaction was refused: {}", r.reason()))
	})?;
	let alice_id = &alice.id;
	wait_until(Duration::from_secs(120), || async move {
		let finalized = chain.finalized_number().await?;
		let used = chain.finalized_nonce(alice_id).await?;
		Ok::<bool, LoadError>(finalized >= from.saturating_add(2) && used > nonce)
	})
	.await?;
	let to = chain.finalized_number().await?;
	Ok(format!(
		"finalized #{from} -> #{to} and a valid remark in {:.0} s",
		start.elapsed().as_secs_f64()
	))
}

async fn wait_until<F, Fut>(limit: Duration, mut done: F) -> Result<(), LoadError>
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Result<bool, LoadError>>,
{
	let start = Instant::now();
	loop {
		match done().await {
			Ok(true) => return Ok(()),
			Ok(false) => {},
			Err(e) => tracing::debug!(error = %e, "not yet"),
		}
		if start.elapsed() > limit {
			return Err(LoadError::Chain(format!("timed out after {} s", limit.as_secs())));
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn replace_patches_the_first_occurrence_only() {
		let mut payload = vec![1u8, 2];
		payload.extend([7u8; 32]);
		payload.extend([7u8; 32]);
		let patched = replace(payload, &[7; 32], &[9; 32]);
		let expected: Vec<u8> = [vec![1, 2], vec![9; 32], vec![7; 32]].concat();
		assert_eq!(patched, Some(expected));
		assert_eq!(replace(vec![0; 40], &[7; 32], &[9; 32]), None);
	}
}
