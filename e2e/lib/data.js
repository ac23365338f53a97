// Client-side helpers of the data market, as a seller and a buyer run them off-chain: cutting a
// file into chunks and committing to them with the merkle root the listing carries, encrypting
// the file under a dataset key, and sealing that key to a buyer's x25519 delivery key. Both
// formats are the ones `airtime_primitives::data` documents (primitives/src/data.rs):
//
// - merkle root: leaf = blake2_256(chunk), inner node = blake2_256(left ++ right), a level with an
//   odd number of nodes carries its last node up unchanged; one chunk's root is its leaf hash.
// - sealed key: ephemeral_public (32) ++ nonce (24) ++ secretbox(key, nonce, k) with
//   k = blake2_256(x25519(ephemeral_secret, buyer_public) ++ ephemeral_public ++ buyer_public);
//   a 32-byte key seals to 104 bytes.
//
// The encrypted file is this test's own container (the chain never sees it): nonce (24) ++
// secretbox(file, nonce, dataset_key).
//
// `@polkadot/util-crypto` must be initialised (`await cryptoWaitReady()`) before these are used.

import { u8aConcat, u8aEq } from '@polkadot/util';
import { blake2AsU8a, naclDecrypt, naclEncrypt, randomAsU8a } from '@polkadot/util-crypto';
// The `.js` subpath is exported by @noble/curves 1.x and is the only form 2.x accepts.
import { x25519 } from '@noble/curves/ed25519.js';

/** Length of a 32-byte key sealed as above (`airtime_primitives::data::SEALED_KEY_LEN`). */
export const SEALED_KEY_LEN = 32 + 24 + 32 + 16;
const NONCE_LEN = 24;
const KEY_LEN = 32;

const blake2 = (data) => blake2AsU8a(data, 256);

/** `bytes` cut into `size`-byte chunks (the last may be shorter); subarrays, not copies. */
export function chunk(bytes, size) {
  if (!Number.isInteger(size) || size <= 0) throw new Error(`chunk size must be a positive integer, got ${size}`);
  const chunks = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

/** The leaf hash of a chunk. */
export function chunkHash(c) {
  return blake2(c);
}

/** The merkle root (32 bytes) of `chunks`, as the runtime computes it; throws for no chunks. */
export function merkleRoot(chunks) {
  if (chunks.length === 0) throw new Error('no chunks, no root');
  let level = chunks.map(chunkHash);
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? blake2(u8aConcat(level[i], level[i + 1])) : level[i]);
    }
    level = next;
  }
  return level[0];
}

/** A fresh random 32-byte dataset key. */
export function datasetKey() {
  return randomAsU8a(KEY_LEN);
}

/** `bytes` encrypted under the 32-byte `key`: nonce (24) ++ secretbox (XSalsa20-Poly1305). */
export function encryptFile(bytes, key) {
  if (key.length !== KEY_LEN) throw new Error(`a dataset key has ${KEY_LEN} bytes, got ${key.length}`);
  const { encrypted, nonce } = naclEncrypt(bytes, key, randomAsU8a(NONCE_LEN));
  return u8aConcat(nonce, encrypted);
}

/** The plaintext of `encryptFile`'s output; throws if `key` does not open it. */
export function decryptFile(sealed, key) {
  if (sealed.length < NONCE_LEN + 16) throw new Error('not an encrypted file: too short');
  const plain = naclDecrypt(sealed.subarray(NONCE_LEN), sealed.subarray(0, NONCE_LEN), key);
  if (!plain) throw new Error('the key does not open the file (authentication failed)');
  return plain;
}

/** A fresh x25519 key pair: { secretKey, publicKey }, 32 bytes each. */
export function x25519Keypair() {
  const secretKey = randomAsU8a(32);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** The x25519 public key of `secretKey`. */
export function x25519Public(secretKey) {
  return x25519.getPublicKey(secretKey);
}

function boxKey(shared, ephemeralPublic, buyerPublic) {
  return blake2(u8aConcat(shared, ephemeralPublic, buyerPublic));
}

/**
 * `key` sealed to the buyer's x25519 public key with a fresh ephemeral key pair:
 * ephemeral_public (32) ++ nonce (24) ++ secretbox (key.length + 16).
 */
export function sealKey(key, buyerPublic) {
  if (buyerPublic.length !== 32) throw new Error(`an x25519 public key has 32 bytes, got ${buyerPublic.length}`);
  const ephemeral = x25519Keypair();
  const shared = x25519.getSharedSecret(ephemeral.secretKey, buyerPublic);
  const { encrypted, nonce } = naclEncrypt(key, boxKey(shared, ephemeral.publicKey, buyerPublic), randomAsU8a(NONCE_LEN));
  return u8aConcat(ephemeral.publicKey, nonce, encrypted);
}

/** The key in `sealed`, opened with the buyer's x25519 secret key; throws if it does not open. */
export function unsealKey(sealed, buyerSecret) {
  if (sealed.length < 32 + NONCE_LEN + 16) throw new Error(`a sealed key has at least ${32 + NONCE_LEN + 16} bytes, got ${sealed.length}`);
  const ephemeralPublic = sealed.subarray(0, 32);
  const nonce = sealed.subarray(32, 32 + NONCE_LEN);
  const box = sealed.subarray(32 + NONCE_LEN);
  const buyerPublic = x25519.getPublicKey(buyerSecret);
  const shared = x25519.getSharedSecret(buyerSecret, ephemeralPublic);
  const key = naclDecrypt(box, nonce, boxKey(shared, ephemeralPublic, buyerPublic));
  if (!key) throw new Error('the sealed key does not open with this secret (authentication failed)');
  return key;
}

/** Whether two byte arrays are equal. */
export const bytesEqual = u8aEq;
