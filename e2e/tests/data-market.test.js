// End to end: the data market on the dev node, driven by @polkadot/api with real cryptography
// on the client side (lib/data.js). It proves that:
//
// - the JavaScript merkle commitment is the runtime's (the shared test vector of
//   `airtime_primitives::data`), and a 32-byte key sealed to an x25519 key is 104 bytes and opens
//   only with the buyer's secret;
// - a seller lists a real file (written to disk, chunked, committed to by its merkle root,
//   encrypted under a random dataset key), a buyer with a registered x25519 delivery key buys
//   access (the price in escrow on the buyer), the seller seals the dataset key to the buyer's
//   key read from the chain and delivers it (the price moves to the seller, still on hold), and
//   the buyer opens the key from the `KeyDelivered` event, decrypts the file, re-chunks it and
//   gets back the listed root and the original bytes;
// - bad input (buying twice or one's own dataset, buying without a key or above one's limit,
//   delivering as a stranger, delivering twice, completing early) is refused with the named
//   error, an oversize sealed key (which does not decode) by the pool, and it changes nothing;
// - after the dispute window anyone completes the sale: the seller gets the price minus the 5 %
//   protocol fee (rounded up), the curator pot 20 % of the fee (rounded down, credited to the
//   dataset's curation fund, which caps its curators' rewards), the staking pot
//   40 % of the rest and the treasury the remainder, and no AIR is created or destroyed beyond the burnt part of transaction fees;
// - compute-to-data: a job of an account without access that names the dataset escrows royalty
//   plus price, pays the owner (net of the fee) when it settles, and its output is registered as
//   a derived dataset whose lineage (`data_lineage`) leads back to the original.
//
// Balances, holds, total issuance and the `data_*` RPC are checked at each step. Alice authors
// every block of the dev chain, so her balance also gets the author's 20 % of each transaction
// fee in a block (see dev-transfer.test.js); the accounting below adds it where she is checked.
// The node runs the `fast-runtime` build: delivery window 10 blocks, dispute window 5, compute
// challenge window 3.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { cryptoWaitReady, blake2AsHex, blake2AsU8a, encodeAddress, randomAsU8a } from '@polkadot/util-crypto';
import { hexToU8a, stringToU8a, u8aConcat, u8aEq, u8aToHex } from '@polkadot/util';
import { startNode } from '../lib/node.js';
import {
  AIR,
  sendOk,
  sendAndFinalize,
  waitForEvent,
  feePaid,
  freeAt,
  heldAt,
  issuanceAt,
  toStakers,
  treasuryInflationAt,
  parentOf,
} from '../lib/chain.js';
import {
  SEALED_KEY_LEN,
  chunk,
  chunkHash,
  merkleRoot,
  datasetKey,
  encryptFile,
  decryptFile,
  x25519Keypair,
  x25519Public,
  sealKey,
  unsealKey,
} from '../lib/data.js';

const MILLI = AIR / 1000n;
// Odd plancks so that the 5 % fee has to be rounded up.
const PRICE = 10n * AIR + 7n;
const ROYALTY = 2n * AIR + 3n;
const FILE_SIZE = 10 * 1024 + 300; // 10 KiB and a short last chunk: 11 chunks, an odd count
const CHUNK_SIZE = 1024;
const DELIVERY_PERIOD = 10;
const DISPUTE_PERIOD = 5;
const CHALLENGE_PERIOD = 3;
const PROTOCOL_FEE_PPB = 50_000_000n; // 5 %
const FEE_TO_CURATORS_PPB = 200_000_000n; // 20 %
const FEE_TO_AUTHOR_PCT = 20n; // of each transaction fee (configs/transaction_payment.rs)
const COMPUTE_PRICE = MILLI; // per unit
const STAKE = 200n * AIR;

let node;
let provider;
let api;
let alice; // seller, block author
let bob; // buyer
let charlie; // user of compute-to-data, bystander
let dave; // compute provider
let dir; // temp dir with the file and its ciphertext

// State carried from test to test (they run in order).
const s = {};

/** The account of `PalletId(id)` (`into_account_truncating`: "modl" ++ id, zero-padded). */
function palletAccount(id) {
  const raw = u8aConcat(stringToU8a('modl'), stringToU8a(id), new Uint8Array(32));
  return encodeAddress(raw.subarray(0, 32), 42);
}
const CURATOR_POT = palletAccount('air/data');
const TREASURY = palletAccount('py/trsry');

before(async () => {
  await cryptoWaitReady();
  node = await startNode({ chain: 'dev' });
  provider = new WsProvider(node.wsUrl);
  api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  charlie = keyring.addFromUri('//Charlie');
  dave = keyring.addFromUri('//Dave');
  dir = mkdtempSync(join(tmpdir(), 'airtime-data-'));

  // The `fast-runtime` build's values (governed parameters, at their launch values at genesis).
  const c = api.consts.dataMarket;
  assert.equal(c.deliveryPeriod.toNumber(), DELIVERY_PERIOD);
  assert.equal(c.disputePeriod.toNumber(), DISPUTE_PERIOD);
  assert.equal(c.protocolFee.toBigInt(), PROTOCOL_FEE_PPB);
  assert.equal(c.feeToCurators.toBigInt(), FEE_TO_CURATORS_PPB);
  assert.equal(c.maxSealedKeyLen.toNumber(), 128);
  assert.ok(u8aEq(c.palletId.toU8a(), stringToU8a('air/data')), 'the curator pot is PalletId "air/data"');
  assert.equal(api.consts.compute.challengePeriod.toNumber(), CHALLENGE_PERIOD);
  // Alice alone authors blocks: the author's share of fees is hers.
  const authorities = (await api.query.aura.authorities()).map((a) => a.toHex());
  assert.deepEqual(authorities, [u8aToHex(alice.publicKey)]);
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tail = () => node?.logTail() ?? '';
const fee = (events, who) => feePaid(api, events, who);
const marketEvent = (events, name) => events.find(({ event }) => api.events.dataMarket[name].is(event))?.event;
const held = (at, who, reason) => heldAt(api, at, who, 'DataMarket', reason);
const rpc = (method, ...params) => provider.send(method, params);
const numberOf = async (hash) => (await api.rpc.chain.getHeader(hash)).number.toNumber();
/** All events of a block (a transaction's result carries only its own). */
const blockEvents = async (hash) => (await api.at(hash)).query.system.events();
const hex = (u8a) => u8aToHex(u8a);
/** Bytes from the RPC's JSON: serde writes `[u8; N]` and `Vec<u8>` as arrays of numbers. */
const bytesOf = (json) => (Array.isArray(json) ? Uint8Array.from(json) : hexToU8a(json));

/** The protocol fee on `amount`: 5 %, rounded up (`Perbill::mul_ceil`). */
const protocolFee = (amount) => (amount * PROTOCOL_FEE_PPB + 999_999_999n) / 1_000_000_000n;
/** The curator pot's part of a protocol fee: 20 %, rounded down (`Perbill::mul_floor`). */
const toCurators = (f) => (f * FEE_TO_CURATORS_PPB) / 1_000_000_000n;
/** A dataset's curation fund at block `hash`: what its own fees paid into the curator pot, less
 * the curator rewards paid for claims about it (the cap on those rewards). */
const curationFundAt = async (hash, dataset) =>
  (await (await api.at(hash)).query.dataMarket.curationFunds(dataset)).toBigInt();

function txFees(events) {
  return events
    .filter(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event))
    .map(({ event }) => event.data.actualFee.toBigInt());
}
/** What the block author (Alice) got from the transaction fees of a block. */
const authorShare = (events) => txFees(events).reduce((sum, f) => sum + (f * FEE_TO_AUTHOR_PCT) / 100n, 0n);
/** What the transaction fees of a block burnt. */
const feesBurnt = (events) => txFees(events).reduce((sum, f) => sum + f - (f * FEE_TO_AUTHOR_PCT) / 100n, 0n);

/** Sends `tx` and asserts that it fails with `dataMarket.<name>` (or `<section>.<name>`). */
async function sendFails(tx, signer, name) {
  const r = await sendAndFinalize(tx, signer, tail);
  const label = `${tx.method.section}.${tx.method.method} by ${signer.meta?.name ?? signer.address}`;
  assert.ok(r.dispatchError, `${label} should have failed with ${name}`);
  assert.ok(r.dispatchError.isModule, `${label}: a module error, got ${r.dispatchError.type}`);
  const meta = api.registry.findMetaError(r.dispatchError.asModule);
  const expected = name.includes('.') ? name : `dataMarket.${name}`;
  assert.equal(`${meta.section}.${meta.name}`, expected, label);
  assert.ok(r.events.some(({ event }) => api.events.system.ExtrinsicFailed.is(event)), `${label}: ExtrinsicFailed`);
  return r;
}

/** Resolves with the hash of the first finalized block numbered `n` or more. */
function waitForFinalizedNumber(n, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      unsub();
      reject(new Error(`block #${n} not finalized within ${timeoutMs} ms; node log:\n${tail()}`));
    }, timeoutMs);
    api.rpc.chain.subscribeFinalizedHeads((header) => {
      if (done || header.number.toNumber() < n) return;
      done = true;
      clearTimeout(timer);
      unsub();
      resolve(header.hash);
    }).then((u) => { unsub = u; if (done) u(); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

test('the JS merkle commitment matches the runtime (shared test vector) and sealed keys are 104 bytes', () => {
  // primitives/src/data.rs `shared_test_vector`: chunks [i; 3] for i in 0..5.
  const chunks = [0, 1, 2, 3, 4].map((i) => new Uint8Array(3).fill(i));
  assert.equal(hex(merkleRoot(chunks)), '0x1337cace9a51a98586ffd31c93c56ed7e72e3a7707b822bfebb24f57bf8a3056');
  // One chunk's root is its leaf; an odd last node is carried up unchanged.
  const l = [0, 1, 2].map((i) => chunkHash(new Uint8Array(7).fill(i)));
  const pair = (a, b) => blake2AsU8a(u8aConcat(a, b), 256);
  assert.equal(hex(merkleRoot([new Uint8Array(7)])), hex(l[0]));
  assert.equal(hex(merkleRoot([0, 1, 2].map((i) => new Uint8Array(7).fill(i)))), hex(pair(pair(l[0], l[1]), l[2])));
  assert.deepEqual(chunk(new Uint8Array(2500), 1024).map((c) => c.length), [1024, 1024, 452]);

  // Sealing: 32 + 24 + 32 + 16 bytes; only the buyer's secret opens it, and tampering is caught.
  const buyer = x25519Keypair();
  const key = datasetKey();
  const sealed = sealKey(key, buyer.publicKey);
  assert.equal(sealed.length, SEALED_KEY_LEN);
  assert.equal(sealed.length, 104);
  assert.ok(u8aEq(unsealKey(sealed, buyer.secretKey), key));
  assert.throws(() => unsealKey(sealed, x25519Keypair().secretKey), /does not open/);
  const tampered = sealed.slice();
  tampered[70] ^= 1;
  assert.throws(() => unsealKey(tampered, buyer.secretKey), /does not open/);
  assert.ok(!u8aEq(sealKey(key, buyer.publicKey), sealed), 'each seal uses a fresh ephemeral key and nonce');
});

test('Alice lists a real encrypted file: DatasetListed, deposit on hold, data_dataset and data_search', async () => {
  // The seller's side, off-chain: a file on disk, its chunks and root, its ciphertext.
  const filePath = join(dir, 'dataset.bin');
  writeFileSync(filePath, randomBytes(FILE_SIZE));
  s.file = new Uint8Array(readFileSync(filePath));
  assert.equal(s.file.length, FILE_SIZE);
  s.chunks = chunk(s.file, CHUNK_SIZE);
  assert.equal(s.chunks.length, Math.ceil(FILE_SIZE / CHUNK_SIZE));
  s.root = hex(merkleRoot(s.chunks));
  s.key = datasetKey();
  s.encPath = join(dir, 'dataset.bin.enc');
  writeFileSync(s.encPath, encryptFile(s.file, s.key)); // what the seller publishes
  s.metadataHash = blake2AsHex(JSON.stringify({ name: 'e2e random bytes', chunkSize: CHUNK_SIZE, cipher: 'xsalsa20poly1305' }));

  const head = await api.rpc.chain.getFinalizedHead();
  const depositBefore = await held(head, alice.address, 'StorageDeposit');
  const tx = api.tx.dataMarket.listDataset(
    s.root, FILE_SIZE, s.chunks.length, 'CcBy', null, PRICE, ROYALTY, s.metadataHash, [],
  );
  const { blockHash, events } = await sendOk(api, tx, alice, tail);
  const ev = marketEvent(events, 'DatasetListed');
  assert.ok(ev, 'DatasetListed');
  s.dataset = ev.data.dataset.toNumber();
  assert.equal(ev.data.owner.toString(), alice.address);
  assert.equal(ev.data.rootHash.toHex(), s.root);
  assert.equal(ev.data.price.toBigInt(), PRICE);
  assert.equal(ev.data.royalty.toBigInt(), ROYALTY);
  assert.ok(ev.data.sourceJob.isNone);
  const deposit = ev.data.deposit.toBigInt();
  assert.ok(deposit > 0n);
  s.listingDeposit = deposit;

  const prev = await parentOf(api, blockHash);
  assert.equal((await held(blockHash, alice.address, 'StorageDeposit')) - depositBefore, deposit);
  assert.equal(
    (await freeAt(api, prev, alice.address)) - (await freeAt(api, blockHash, alice.address)),
    deposit + fee(events, alice.address) - authorShare(await blockEvents(blockHash)),
  );

  const view = await rpc('data_dataset', s.dataset, blockHash);
  assert.deepEqual(view, {
    id: s.dataset,
    owner: alice.address,
    agent: null,
    rootHash: s.root,
    size: FILE_SIZE,
    chunkCount: s.chunks.length,
    license: 'CcBy',
    licenseUri: null,
    price: PRICE.toString(),
    royalty: ROYALTY.toString(),
    metadataHash: s.metadataHash,
    listed: true,
    parents: [],
    sourceJob: null,
    validation: { rootHash: 'Unchecked', schema: 'Unchecked', license: 'Unchecked' },
    sales: 0,
  });
  assert.equal(await rpc('data_dataset', s.dataset + 1000, blockHash), null);

  const filter = (maxPrice) => ({ license: 'CcBy', maxPrice: maxPrice.toString(), validation: null, listedOnly: true });
  const page = await rpc('data_search', filter(PRICE), null, 10, blockHash);
  assert.ok(page.datasets.some((d) => d.id === s.dataset && d.rootHash === s.root));
  const cheaper = await rpc('data_search', filter(PRICE - 1n), null, 10, blockHash);
  assert.ok(!cheaper.datasets.some((d) => d.id === s.dataset), 'maxPrice filters it out');
  await assert.rejects(rpc('data_search', null, null, 0, blockHash), /limit/);
});

test('buying one\'s own dataset, without a delivery key or above one\'s limit is refused and changes nothing', async () => {
  const head = await api.rpc.chain.getFinalizedHead();
  const nextPurchase = (await api.query.dataMarket.nextPurchaseId()).toNumber();
  const charlieBefore = await freeAt(api, head, charlie.address);
  const daveBefore = await freeAt(api, head, dave.address);

  // Different signers: one block, or a few, whatever the pool makes of it.
  const [, noKey, limit] = await Promise.all([
    sendFails(api.tx.dataMarket.buyAccess(s.dataset, PRICE), alice, 'SelfPurchase'),
    sendFails(api.tx.dataMarket.buyAccess(s.dataset, PRICE), charlie, 'NoDeliveryKey'),
    sendFails(api.tx.dataMarket.buyAccess(s.dataset, PRICE - 1n), dave, 'PriceAboveLimit'),
  ]);

  const at = await api.rpc.chain.getFinalizedHead();
  const atApi = await api.at(at);
  assert.equal((await atApi.query.dataMarket.nextPurchaseId()).toNumber(), nextPurchase, 'no purchase was made');
  for (const who of [alice, charlie, dave]) {
    assert.equal(await held(at, who.address, 'PurchaseEscrow'), 0n);
    assert.deepEqual(await rpc('data_grants', who.address, at), []);
  }
  assert.equal(await held(at, alice.address, 'StorageDeposit'), s.listingDeposit);
  assert.equal(charlieBefore - (await freeAt(api, at, charlie.address)), fee(noKey.events, charlie.address), 'only the fee');
  assert.equal(daveBefore - (await freeAt(api, at, dave.address)), fee(limit.events, dave.address), 'only the fee');
});

test('Bob registers an x25519 delivery key and buys access: price in escrow, data_grants and data_purchase', async () => {
  s.bobKeys = x25519Keypair();
  const k = await sendOk(api, api.tx.dataMarket.setDeliveryKey(hex(s.bobKeys.publicKey)), bob, tail);
  const set = marketEvent(k.events, 'DeliveryKeySet');
  assert.equal(set.data.who.toString(), bob.address);
  assert.equal(set.data.key.toHex(), hex(s.bobKeys.publicKey));
  const keyDeposit = api.consts.dataMarket.keyDeposit.toBigInt();
  const accessDeposit = api.consts.dataMarket.accessDeposit.toBigInt();
  assert.equal(await held(k.blockHash, bob.address, 'StorageDeposit'), keyDeposit);

  const { blockHash, events } = await sendOk(api, api.tx.dataMarket.buyAccess(s.dataset, PRICE), bob, tail);
  const ev = marketEvent(events, 'AccessBought');
  assert.ok(ev, 'AccessBought');
  s.purchase = ev.data.purchase.toNumber();
  const bought = await numberOf(blockHash);
  s.deliverBy = ev.data.deliverBy.toNumber();
  assert.equal(ev.data.dataset.toNumber(), s.dataset);
  assert.equal(ev.data.buyer.toString(), bob.address);
  assert.equal(ev.data.seller.toString(), alice.address);
  assert.equal(ev.data.price.toBigInt(), PRICE);
  assert.equal(s.deliverBy, bought + DELIVERY_PERIOD);

  const prev = await parentOf(api, blockHash);
  assert.equal(await held(blockHash, bob.address, 'PurchaseEscrow'), PRICE, 'the price is in escrow on the buyer');
  assert.equal(await held(blockHash, bob.address, 'StorageDeposit'), keyDeposit + accessDeposit);
  assert.equal(
    (await freeAt(api, prev, bob.address)) - (await freeAt(api, blockHash, bob.address)),
    PRICE + accessDeposit + fee(events, bob.address),
  );
  assert.equal(await held(blockHash, alice.address, 'PurchaseEscrow'), 0n, 'nothing reaches the seller yet');

  assert.deepEqual(await rpc('data_grants', bob.address, blockHash), [
    { dataset: s.dataset, purchase: s.purchase, since: null },
  ]);
  const view = await rpc('data_purchase', s.purchase, blockHash);
  assert.equal(view.id, s.purchase);
  assert.equal(view.dataset, s.dataset);
  assert.equal(view.buyer, bob.address);
  assert.equal(view.seller, alice.address);
  assert.equal(view.price, PRICE.toString());
  assert.ok(u8aEq(bytesOf(view.buyerKey), s.bobKeys.publicKey), 'the buyer key is copied into the purchase');
  assert.equal(view.sealedKey, null);
  assert.deepEqual(view.phase, { AwaitingDelivery: s.deliverBy });
});

test('a second buy, a stranger\'s delivery and an oversize sealed key are refused and change nothing', async () => {
  // Sent together (three signers) so that the delivery window is not spent on them.
  const head = await api.rpc.chain.getFinalizedHead();
  const purchaseBefore = await rpc('data_purchase', s.purchase, head);
  const bobBefore = await freeAt(api, head, bob.address);
  const charlieBefore = await freeAt(api, head, charlie.address);
  const nextPurchase = (await (await api.at(head)).query.dataMarket.nextPurchaseId()).toNumber();

  // The sealed key is a `BoundedVec<u8, MaxSealedKeyLen>` (128): a longer one does not decode, so
  // the pool refuses the transaction (RPC error 1002, or 1001/1040) and no fee is paid.
  const [again, stranger] = await Promise.all([
    sendFails(api.tx.dataMarket.buyAccess(s.dataset, PRICE), bob, 'PurchasePending'),
    sendFails(api.tx.dataMarket.deliverKey(s.purchase, hex(randomAsU8a(SEALED_KEY_LEN))), charlie, 'NotSellerOrAgent'),
    assert.rejects(
      sendAndFinalize(api.tx.dataMarket.deliverKey(s.purchase, hex(randomAsU8a(129))), alice, tail),
      /\b(1001|1002|1040):/,
      'a 129-byte sealed key is refused by the pool',
    ),
  ]);

  const at = await api.rpc.chain.getFinalizedHead();
  assert.deepEqual(await rpc('data_purchase', s.purchase, at), purchaseBefore, 'the purchase is unchanged');
  assert.equal((await (await api.at(at)).query.dataMarket.nextPurchaseId()).toNumber(), nextPurchase);
  assert.equal(await held(at, bob.address, 'PurchaseEscrow'), PRICE);
  assert.equal(await held(at, alice.address, 'PurchaseEscrow'), 0n);
  assert.equal(bobBefore - (await freeAt(api, at, bob.address)), fee(again.events, bob.address), 'only the fee');
  assert.equal(charlieBefore - (await freeAt(api, at, charlie.address)), fee(stranger.events, charlie.address));
});

test('Alice seals the key to Bob\'s delivery key and delivers: the price moves to her, on hold', async () => {
  // The seller reads the buyer's key from the purchase (RPC and storage agree) and seals to it.
  const view = await rpc('data_purchase', s.purchase, null);
  const buyerKey = bytesOf(view.buyerKey);
  const stored = (await api.query.dataMarket.purchases(s.purchase)).unwrap();
  assert.ok(u8aEq(stored.buyerKey.toU8a(), buyerKey));
  const sealed = sealKey(s.key, buyerKey);
  assert.equal(sealed.length, 104);

  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  assert.ok(best < s.deliverBy, `block #${best}: the delivery window (until #${s.deliverBy}) must still be open`);
  const head = await api.rpc.chain.getFinalizedHead();
  const bobBefore = await freeAt(api, head, bob.address);
  const { blockHash, events } = await sendOk(api, api.tx.dataMarket.deliverKey(s.purchase, hex(sealed)), alice, tail);
  const ev = marketEvent(events, 'KeyDelivered');
  assert.ok(ev, 'KeyDelivered');
  s.delivered = await numberOf(blockHash);
  s.disputeUntil = ev.data.disputeUntil.toNumber();
  assert.equal(ev.data.purchase.toNumber(), s.purchase);
  assert.equal(ev.data.dataset.toNumber(), s.dataset);
  assert.equal(ev.data.buyer.toString(), bob.address);
  assert.equal(s.disputeUntil, s.delivered + DISPUTE_PERIOD);
  s.sealedFromEvent = ev.data.sealedKey.toU8a(true); // raw bytes, without the length prefix
  assert.ok(u8aEq(s.sealedFromEvent, sealed));

  assert.equal(await held(blockHash, bob.address, 'PurchaseEscrow'), 0n);
  assert.equal(await held(blockHash, alice.address, 'PurchaseEscrow'), PRICE, 'the proceeds are on hold on the seller');
  assert.equal(await freeAt(api, blockHash, bob.address), bobBefore, 'the buyer pays nothing more');
  const prev = await parentOf(api, blockHash);
  assert.equal(
    (await issuanceAt(api, prev)) - (await issuanceAt(api, blockHash)),
    feesBurnt(await blockEvents(blockHash)),
    'moving the escrow to the seller creates and destroys nothing',
  );
  assert.deepEqual(await rpc('data_grants', bob.address, blockHash), [
    { dataset: s.dataset, purchase: s.purchase, since: s.delivered },
  ]);
  const after = await rpc('data_purchase', s.purchase, blockHash);
  assert.deepEqual(after.phase, { Delivered: s.disputeUntil });
  assert.ok(u8aEq(bytesOf(after.sealedKey), sealed));

  // A second delivery, and completing the sale inside the dispute window, are refused.
  await Promise.all([
    sendFails(api.tx.dataMarket.deliverKey(s.purchase, hex(sealKey(datasetKey(), buyerKey))), alice, 'AlreadyDelivered'),
    sendFails(api.tx.dataMarket.completeSale(s.purchase), charlie, 'DisputePeriodNotOver'),
  ]);
  const at = await api.rpc.chain.getFinalizedHead();
  assert.ok(u8aEq(bytesOf((await rpc('data_purchase', s.purchase, at)).sealedKey), sealed), 'the first key stands');
  assert.equal(await held(at, alice.address, 'PurchaseEscrow'), PRICE);
});

test('Bob opens the key with his x25519 secret, decrypts the file and checks it against the listed root', async () => {
  const key = unsealKey(s.sealedFromEvent, s.bobKeys.secretKey);
  assert.ok(u8aEq(key, s.key));
  assert.ok(u8aEq(x25519Public(s.bobKeys.secretKey), s.bobKeys.publicKey));

  const plain = decryptFile(new Uint8Array(readFileSync(s.encPath)), key);
  const listing = await rpc('data_dataset', s.dataset, null);
  const chunks = chunk(plain, CHUNK_SIZE);
  assert.equal(plain.length, listing.size);
  assert.equal(chunks.length, listing.chunkCount);
  assert.equal(hex(merkleRoot(chunks)), listing.rootHash, 'the data matches the listed merkle root');
  assert.ok(u8aEq(plain, s.file), 'the decrypted bytes are the original file');

  // Someone else's secret opens nothing; a flipped byte of the file is caught by the root.
  assert.throws(() => unsealKey(s.sealedFromEvent, x25519Keypair().secretKey), /does not open/);
  const corrupt = plain.slice();
  corrupt[5000] ^= 0xff;
  assert.notEqual(hex(merkleRoot(chunk(corrupt, CHUNK_SIZE))), listing.rootHash);
});

test('after the dispute window anyone completes the sale: price minus 5 % to Alice, 20 % of the fee to the curator pot', async () => {
  // `complete_sale` needs a block after `dispute_until`: the next block after this one is.
  await waitForFinalizedNumber(s.disputeUntil);
  const { blockHash, events } = await sendOk(api, api.tx.dataMarket.completeSale(s.purchase), charlie, tail);
  assert.ok((await numberOf(blockHash)) > s.disputeUntil);
  const ev = marketEvent(events, 'SaleCompleted');
  assert.ok(ev, 'SaleCompleted');
  const saleFee = protocolFee(PRICE);
  assert.equal(ev.data.purchase.toNumber(), s.purchase);
  assert.equal(ev.data.dataset.toNumber(), s.dataset);
  assert.equal(ev.data.seller.toString(), alice.address);
  assert.equal(ev.data.fee.toBigInt(), saleFee);
  assert.equal(ev.data.amount.toBigInt(), PRICE - saleFee);
  assert.equal(ev.data.amount.toBigInt() + ev.data.fee.toBigInt(), PRICE);
  assert.equal(saleFee, PRICE / 20n + 1n, 'rounded up');

  const prev = await parentOf(api, blockHash);
  const all = await blockEvents(blockHash);
  const delta = async (who) => (await freeAt(api, blockHash, who)) - (await freeAt(api, prev, who));
  assert.equal(await delta(alice.address), PRICE - saleFee + authorShare(all), 'the seller is paid');
  assert.equal(await held(blockHash, alice.address, 'PurchaseEscrow'), 0n);
  assert.equal(await delta(CURATOR_POT), toCurators(saleFee), 'the curator pot gets 20 % of the fee');
  assert.equal(
    (await curationFundAt(blockHash, s.dataset)) - (await curationFundAt(prev, s.dataset)),
    toCurators(saleFee),
    "the pot's part is credited to the dataset's curation fund",
  );
  const afterCurators = saleFee - toCurators(saleFee);
  assert.equal(
    (await delta(TREASURY)) - (await treasuryInflationAt(api, blockHash)),
    afterCurators - toStakers(afterCurators),
    'the staking pot gets 40 % of the rest, the treasury the remainder',
  );
  assert.equal(await delta(charlie.address), -fee(events, charlie.address), 'completing costs only the fee');
  // The sale moves AIR only: total issuance falls by the burnt part of transaction fees alone.
  assert.equal((await issuanceAt(api, prev)) - (await issuanceAt(api, blockHash)), feesBurnt(all));

  assert.equal(await rpc('data_purchase', s.purchase, blockHash), null, 'a completed purchase is gone');
  assert.deepEqual(await rpc('data_grants', bob.address, blockHash), [
    { dataset: s.dataset, purchase: null, since: s.delivered },
  ]);
  assert.equal((await rpc('data_dataset', s.dataset, blockHash)).sales, 1);
  const seller = (await (await api.at(blockHash)).query.dataMarket.sellers(alice.address)).unwrap();
  assert.equal(seller.sales.toNumber(), 1);
  const accessDeposit = api.consts.dataMarket.accessDeposit.toBigInt();
  const keyDeposit = api.consts.dataMarket.keyDeposit.toBigInt();
  assert.equal(await held(blockHash, bob.address, 'StorageDeposit'), keyDeposit + accessDeposit, 'the access record stays');
});

test('compute-to-data: a job reading the dataset escrows royalty + price and pays Alice when it settles', async () => {
  // Dave is the provider (scripted, as in compute.test.js).
  const caps = {
    gpuModel: 'CPU (reference backend)',
    vramMib: 0,
    devices: 1,
    executors: [{ kind: 'GemmInt8', maxUnits: 1_000_000 }],
  };
  await sendOk(api, api.tx.compute.registerProvider(caps, [{ kind: 'GemmInt8', pricePerUnit: COMPUTE_PRICE }], STAKE), dave, tail);

  // Charlie has no access: the job owes the royalty and the per-use price.
  const budget = 10n * AIR;
  const spec = {
    kind: 'GemmInt8',
    inputs: [blake2AsHex('matrix A')],
    datasets: [s.dataset],
    params: '0x',
    maxUnits: 1000,
    outputSize: 4096,
    minReputation: 0,
  };
  const sub = await sendOk(api, api.tx.compute.submitJob(spec, budget, 20, 1), charlie, tail);
  s.job = sub.events.find(({ event }) => api.events.compute.JobSubmitted.is(event)).event.data.job.toNumber();
  const started = marketEvent(sub.events, 'DatasetUseStarted');
  assert.ok(started, 'DatasetUseStarted');
  assert.equal(started.data.job.toNumber(), s.job);
  assert.equal(started.data.user.toString(), charlie.address);
  assert.equal(started.data.charged.toBigInt(), ROYALTY + PRICE);
  const useDeposit = api.consts.dataMarket.useDeposit.toBigInt();
  assert.equal(await held(sub.blockHash, charlie.address, 'UseEscrow'), ROYALTY + PRICE);
  assert.equal(await held(sub.blockHash, charlie.address, 'StorageDeposit'), useDeposit);
  const jobDeposit = await heldAt(api, sub.blockHash, charlie.address, 'Compute', 'StorageDeposit');
  const subPrev = await parentOf(api, sub.blockHash);
  assert.equal(
    (await freeAt(api, subPrev, charlie.address)) - (await freeAt(api, sub.blockHash, charlie.address)),
    budget + jobDeposit + ROYALTY + PRICE + useDeposit + fee(sub.events, charlie.address),
  );

  // The provider "computes" an index of the dataset (its chunks' leaf hashes) and attests it.
  s.output = u8aConcat(...s.chunks.map(chunkHash));
  s.outputHash = blake2AsHex(s.output);
  await sendOk(api, api.tx.compute.acceptJob(s.job), dave, tail);
  await sendOk(api, api.tx.compute.submitAttestation(s.job, s.outputHash, 600), dave, tail);

  const settled = await waitForEvent(api, (e) => api.events.compute.JobSettled.is(e) && e.data.job.toNumber() === s.job);
  const paid = marketEvent(settled.events, 'RoyaltyPaid');
  assert.ok(paid, 'RoyaltyPaid in the settlement block');
  const charge = ROYALTY + PRICE;
  const useFee = protocolFee(charge);
  assert.equal(paid.data.job.toNumber(), s.job);
  assert.equal(paid.data.dataset.toNumber(), s.dataset);
  assert.equal(paid.data.owner.toString(), alice.address);
  assert.equal(paid.data.fee.toBigInt(), useFee);
  assert.equal(paid.data.amount.toBigInt() + paid.data.fee.toBigInt(), charge);

  const prev = await parentOf(api, settled.blockHash);
  const delta = async (who) => (await freeAt(api, settled.blockHash, who)) - (await freeAt(api, prev, who));
  assert.equal(await delta(alice.address), charge - useFee + authorShare(settled.events), 'the owner is paid');
  assert.equal(await delta(CURATOR_POT), toCurators(useFee), 'the curator pot gets 20 % of the fee');
  assert.equal(
    (await curationFundAt(settled.blockHash, s.dataset)) - (await curationFundAt(prev, s.dataset)),
    toCurators(useFee),
    "the pot's part is credited to the dataset's curation fund",
  );
  assert.equal(await held(settled.blockHash, charlie.address, 'UseEscrow'), 0n);
  assert.equal(await held(settled.blockHash, charlie.address, 'StorageDeposit'), useDeposit, 'the job record stays until registered');
});

test('Charlie registers the job output as a derived dataset; data_lineage leads back to the original', async () => {
  const outChunks = chunk(s.output, 64);
  const root = hex(merkleRoot(outChunks));
  const derivedPrice = AIR;
  const metadata = blake2AsHex('index of the e2e dataset');
  const head = await api.rpc.chain.getFinalizedHead();
  const useDeposit = api.consts.dataMarket.useDeposit.toBigInt();
  const tx = api.tx.dataMarket.registerDerived(
    s.job, root, s.output.length, outChunks.length, 'Cc0', null, derivedPrice, 0, metadata,
  );
  const { blockHash, events } = await sendOk(api, tx, charlie, tail);
  const ev = marketEvent(events, 'DatasetListed');
  assert.ok(ev, 'DatasetListed');
  const derived = ev.data.dataset.toNumber();
  assert.equal(ev.data.owner.toString(), charlie.address);
  assert.equal(ev.data.rootHash.toHex(), root);
  assert.equal(ev.data.sourceJob.unwrap().toNumber(), s.job);
  const deposit = ev.data.deposit.toBigInt();
  assert.equal(await held(blockHash, charlie.address, 'StorageDeposit'), deposit, 'the job record\'s deposit is released');
  assert.equal(
    (await freeAt(api, head, charlie.address)) - (await freeAt(api, blockHash, charlie.address)),
    deposit - useDeposit + fee(events, charlie.address),
  );

  const view = await rpc('data_dataset', derived, blockHash);
  assert.equal(view.owner, charlie.address);
  assert.equal(view.license, 'Cc0');
  assert.deepEqual(view.parents, [s.dataset]);
  assert.deepEqual(view.sourceJob, [s.job, s.outputHash]);

  const lineage = await rpc('data_lineage', derived, 2, blockHash);
  assert.deepEqual(lineage.map((n) => n.dataset), [derived, s.dataset]);
  assert.deepEqual(lineage, [
    { dataset: derived, depth: 0, parents: [s.dataset], sourceJob: s.job },
    { dataset: s.dataset, depth: 1, parents: [], sourceJob: null },
  ]);
  assert.deepEqual((await rpc('data_lineage', derived, 0, blockHash)).map((n) => n.dataset), [derived]);
  await assert.rejects(rpc('data_lineage', derived, 33, blockHash), /depth/);

  // The job's record was consumed: it cannot be registered twice.
  await sendFails(api.tx.dataMarket.registerDerived(
    s.job, root, s.output.length, outChunks.length, 'Cc0', null, derivedPrice, 0, metadata,
  ), charlie, 'UnknownJob');
});
