// End to end: pallet-credits ("AI minutes") on the dev node with the real worker. Bob runs the
// metered MLP service (`airtime-worker serve`), Charlie pays for calls to it through a payment
// channel (`airtime-worker open-channel`, `airtime-worker call`), and vouchers are also built and
// signed in JavaScript with @polkadot/api. It proves that:
//
// - a service registered with the worker's CLI is on chain (`CreditsApi::service`) with its owner
//   and price, and a caller without a tier may use it (`CreditsApi::can_call`);
// - a channel opened with the CLI locks the amount on the caller (plus a record deposit), the
//   caller paying only the transaction fee besides;
// - 10,000 paid calls, each with its own signed cumulative voucher, are served without a single
//   transaction, and what the service accepted survives a crash (SIGKILL) through its journal;
// - the service refuses a forged voucher, a replayed older one, the latest one again (it does not
//   pay for one more call), one over the lock and one for another chain, each with its stable
//   code, and none of them changes what it holds for the channel; the JavaScript encoding of a
//   signed voucher is the runtime's `SignedVoucher` type;
// - one `redeem` settles all 10,000 calls: one `VoucherRedeemed`, the 2 % protocol fee rounded
//   down, 40 % of it to the staking pot and the rest to the treasury, the rest to Bob (less his transaction fee), and Charlie out of exactly
//   the calls' price and his transaction fee;
// - the chain refuses the same bad vouchers (and a redemption by someone else than the service's
//   owner) with the named errors, and none of them moves funds or the redeemed total;
// - a cooperative close after the caller's request returns the rest of the lock and the deposit
//   to Charlie, and the service forgets the channel.
//
// Alice authors every block of the dev chain and gets 20 % of each transaction fee (see
// dev-transfer.test.js), so balances are checked on Bob and Charlie only, who sign nothing but
// what the test accounts for. The node runs the `fast-runtime` build (shortest channel: 2 blocks);
// blocks come every 6 s, so a channel expiring 400 blocks after opening outlives the test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { cryptoWaitReady, encodeAddress, randomAsU8a } from '@polkadot/util-crypto';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { startNode, freePort } from '../lib/node.js';
import {
  sendOk,
  sendAndFinalize,
  feePaid,
  freeAt,
  heldAt,
  parentOf,
  toStakers,
  treasuryInflationAt,
} from '../lib/chain.js';
import { runWorker, startService, stopAll } from '../lib/worker.js';

const PRICE = 1_000_000_000n; // 0.001 AIR per call
const CALLS = 10_000;
const SPENT = BigInt(CALLS) * PRICE; // what 10,000 calls cost
const LOCK = SPENT + 100n * PRICE; // what Charlie locks: 100 calls to spare
const EXPIRY_IN = 400; // blocks from the finalized head to the channel's expiry
const EXPIRY_MARGIN = 3;
const PROTOCOL_FEE_PPB = 20_000_000n; // 2 %, `Perbill::mul_floor`
const MIN_CHANNEL_DURATION = 2; // `fast-runtime`
const VOUCHER_TAG = 'airtime/voucher1';
const INPUT = Array.from({ length: 16 }, (_, i) => i - 8); // the model's 16 i8 inputs

let node;
let provider;
let api;
let bob; // the service's owner
let charlie; // the caller
let dave; // a forger
let worker; // the running `airtime-worker serve` (startService)
let dir; // temp dir: the journal and the service's logs

// State carried from test to test (they run in order).
const s = {};

/** The account of `PalletId(id)` (`into_account_truncating`: "modl" ++ id, zero-padded). */
function palletAccount(id) {
  const raw = u8aConcat(stringToU8a('modl'), stringToU8a(id), new Uint8Array(32));
  return encodeAddress(raw.subarray(0, 32), 42);
}
const TREASURY = palletAccount('py/trsry');

before(async () => {
  await cryptoWaitReady();
  dir = mkdtempSync(join(tmpdir(), 'airtime-credits-'));
  node = await startNode({ chain: 'dev' });
  provider = new WsProvider(node.wsUrl);
  api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  bob = keyring.addFromUri('//Bob');
  charlie = keyring.addFromUri('//Charlie');
  dave = keyring.addFromUri('//Dave');

  // The `fast-runtime` build's values (the fee is a governed parameter at its launch value).
  const c = api.consts.credits;
  assert.equal(c.protocolFee.toBigInt(), PROTOCOL_FEE_PPB);
  assert.equal(c.minChannelDuration.toNumber(), MIN_CHANNEL_DURATION);
  assert.ok(EXPIRY_IN > MIN_CHANNEL_DURATION);
});

after(async () => {
  // Whatever happened: no worker process outlives the test, then the API and the node go.
  await worker?.kill('SIGKILL').catch(() => {});
  await stopAll();
  await api?.disconnect();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tail = () => node?.logTail() ?? '';
const fee = (events, who) => feePaid(api, events, who);
const finalizedHead = () => api.rpc.chain.getFinalizedHead();
const numberOf = async (hash) => (await api.rpc.chain.getHeader(hash)).number.toNumber();
const creditsEvent = (events, name) => events.find(({ event }) => api.events.credits[name].is(event))?.event;
const channelFunds = (at, who) => heldAt(api, at, who, 'Credits', 'ChannelFunds');
const deposits = (at, who) => heldAt(api, at, who, 'Credits', 'StorageDeposit');

/** An account's free and reserved balances at `blockHash`. */
async function accountAt(blockHash, address) {
  const { data } = await (await api.at(blockHash)).query.system.account(address);
  return { free: data.free.toBigInt(), reserved: data.reserved.toBigInt() };
}
const totalOf = ({ free, reserved }) => free + reserved;

/** The channel as `CreditsApi::channel` shows it at `blockHash` (default: the finalized head). */
async function channelView(blockHash) {
  const at = await api.at(blockHash ?? (await finalizedHead()));
  const view = await at.call.creditsApi.channel(s.channel);
  return view.isSome ? view.unwrap() : null;
}

/**
 * Every event matching `predicate` in the finalized blocks numbered `fromNumber` up to the
 * finalized head, block by block (finality notifications may skip blocks; this does not).
 */
async function scanFinalized(fromNumber, predicate) {
  const toNumber = await numberOf(await finalizedHead());
  const found = [];
  for (let n = fromNumber; n <= toNumber; n++) {
    const blockHash = await api.rpc.chain.getBlockHash(n);
    const events = await (await api.at(blockHash)).query.system.events();
    for (const { event } of events) {
      if (predicate(event)) found.push({ blockHash, number: n, event, events });
    }
  }
  return found;
}

const isOurs = (name) => (e) => api.events.credits[name].is(e) && e.data.channel.toNumber() === s.channel;

// ---------------------------------------------------------------- vouchers, built in JavaScript

/** `value` as `bytes` little-endian bytes (SCALE's fixed-width integers). */
function le(value, bytes) {
  let v = BigInt(value);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  assert.equal(v, 0n, `${value} does not fit in ${bytes} bytes`);
  return out;
}

/**
 * A voucher for `total` on our channel, signed by `pair`: the signed message is
 * `SCALE(VOUCHER_TAG, genesis, channel, nonce, total)`, the tag a `[u8; 16]` (no length prefix).
 */
function voucher(total, { pair = charlie, genesis = api.genesisHash.toU8a(), channel = s.channel, nonce = s.nonce } = {}) {
  const payload = u8aConcat(stringToU8a(VOUCHER_TAG), genesis, le(channel, 8), le(nonce, 4), le(total, 16));
  assert.equal(payload.length, 16 + 32 + 8 + 4 + 16);
  const signature = pair.sign(payload);
  assert.equal(signature.length, 64);
  return { genesis, channel, nonce, total, signature };
}

/** SCALE of `SignedVoucher`: the voucher's fields, then `MultiSignature::Sr25519` (variant 1). */
function encodeVoucher(v) {
  return u8aConcat(v.genesis, le(v.channel, 8), le(v.nonce, 4), le(v.total, 16), new Uint8Array([1]), v.signature);
}

/** The voucher as @polkadot/api takes it for `credits.redeem`. */
function voucherArg(v) {
  return {
    voucher: { genesis: u8aToHex(v.genesis), channel: v.channel, channelNonce: v.nonce, total: v.total },
    signature: { Sr25519: u8aToHex(v.signature) },
  };
}

// ---------------------------------------------------------------- the service over HTTP

async function http(method, path, body) {
  const res = await fetch(`${worker.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(180_000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

/** What the service holds for our channel (`GET /v1/channels/<id>`), asserting it knows it. */
async function serviceReport() {
  const r = await http('GET', `/v1/channels/${s.channel}`);
  assert.equal(r.status, 200, `GET /v1/channels/${s.channel}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const serveArgs = (port) => [
  '--rpc', node.wsUrl, '--seed', '//Bob', '--service', String(s.serviceId),
  '--listen', `127.0.0.1:${port}`, '--journal', join(dir, 'vouchers.log'),
  '--redeem-every', '3600', '--expiry-margin', String(EXPIRY_MARGIN),
];
let starts = 0;
const serve = async () => startService(serveArgs(await freePort()), { logFile: join(dir, `service-${++starts}.log`) });
const serviceTail = () => worker?.logTail() ?? '';

/** Sends `tx` and asserts that it fails with `credits.<name>`. */
async function sendFails(tx, signer, name, options = {}) {
  const r = await sendAndFinalize(tx, signer, tail, options);
  const label = `${tx.method.section}.${tx.method.method} by ${signer.address}`;
  assert.ok(r.dispatchError, `${label} should have failed with credits.${name}`);
  assert.ok(r.dispatchError.isModule, `${label}: a module error, got ${r.dispatchError.type}`);
  const meta = api.registry.findMetaError(r.dispatchError.asModule);
  assert.equal(`${meta.section}.${meta.name}`, `credits.${name}`, label);
  assert.ok(r.events.some(({ event }) => api.events.system.ExtrinsicFailed.is(event)), `${label}: ExtrinsicFailed`);
  assert.ok(!creditsEvent(r.events, 'VoucherRedeemed'), `${label}: nothing redeemed`);
  return r;
}

// ---------------------------------------------------------------- the steps

test('Bob registers a service with the worker CLI: on chain with his account and price, open to Charlie', async () => {
  const out = await runWorker(['register-service', '--rpc', node.wsUrl, '--seed', '//Bob', '--price', String(PRICE)]);
  assert.equal(typeof out.service, 'number', `register-service printed ${JSON.stringify(out)}`);
  s.serviceId = out.service;

  // The CLI waited for finalization: the service is in the finalized state.
  const at = await api.at(await finalizedHead());
  const view = await at.call.creditsApi.service(s.serviceId);
  assert.ok(view.isSome, 'CreditsApi::service knows it');
  const service = view.unwrap();
  assert.equal(service.id.toNumber(), s.serviceId);
  assert.equal(service.owner.toString(), bob.address);
  assert.equal(service.pricePerCall.toBigInt(), PRICE);
  assert.equal(service.tierRequired.toNumber(), 0);
  assert.equal(service.retired.isTrue, false);
  assert.equal(service.openChannels.toNumber(), 0);

  const eligibility = await at.call.creditsApi.canCall(charlie.address, s.serviceId);
  assert.ok(eligibility.isAllowed, `can_call(Charlie): ${JSON.stringify(eligibility.toJSON())}`);
  assert.equal(eligibility.type, 'Allowed');
  assert.ok((await at.call.creditsApi.canCall(charlie.address, s.serviceId + 1000)).isUnknownService);
});

test('Bob starts the metered service: /health and /v1/info answer with the service and its price', async () => {
  worker = await serve();
  const info = await http('GET', '/v1/info');
  assert.equal(info.status, 200);
  assert.equal(info.body.service, s.serviceId);
  assert.equal(info.body.pricePerCall, String(PRICE));
  assert.equal(info.body.owner, bob.address);
  assert.equal(info.body.genesis.toLowerCase(), api.genesisHash.toHex());
  assert.deepEqual(info.body.modelDims, [16, 64, 64, 8]);
});

test('Charlie opens a channel with the CLI: the amount is on hold, he pays only the fee besides', async () => {
  const head = await finalizedHead();
  s.beforeOpen = await accountAt(head, charlie.address);
  const from = (await numberOf(head)) + 1;

  const out = await runWorker([
    'open-channel', '--rpc', node.wsUrl, '--seed', '//Charlie', '--service', String(s.serviceId),
    '--amount', String(LOCK), '--expiry-in', String(EXPIRY_IN),
  ]);
  assert.equal(typeof out.channel, 'number', `open-channel printed ${JSON.stringify(out)}`);
  s.channel = out.channel;
  s.nonce = out.nonce;
  s.expiry = out.expiry;

  // The CLI waited for finalization: the event is in a finalized block after `head`.
  const opened = await scanFinalized(from, isOurs('ChannelOpened'));
  assert.equal(opened.length, 1, 'one ChannelOpened for the channel');
  const { blockHash, number, event, events } = opened[0];
  s.openedAt = number;
  s.openFee = fee(events, charlie.address);
  assert.equal(event.data.service.toNumber(), s.serviceId);
  assert.equal(event.data.payer.toString(), charlie.address);
  assert.equal(event.data.signer.toString(), charlie.address);
  assert.equal(event.data.nonce.toNumber(), s.nonce);
  assert.equal(s.nonce, number, 'the nonce is the opening block');
  assert.equal(event.data.amount.toBigInt(), LOCK);
  assert.equal(event.data.pricePerCall.toBigInt(), PRICE);
  assert.equal(event.data.expiry.toNumber(), s.expiry);
  // The CLI takes the expiry EXPIRY_IN blocks after the finalized head it saw, before the open.
  assert.ok(s.expiry >= from - 1 + EXPIRY_IN && s.expiry < number + EXPIRY_IN, `expiry #${s.expiry}, opened at #${number}`);

  const view = await channelView(blockHash);
  assert.ok(view, 'CreditsApi::channel knows it');
  assert.equal(view.id.toNumber(), s.channel);
  assert.equal(view.service.toNumber(), s.serviceId);
  assert.equal(view.payer.toString(), charlie.address);
  assert.equal(view.signer.toString(), charlie.address);
  assert.equal(view.nonce.toNumber(), s.nonce);
  assert.equal(view.pricePerCall.toBigInt(), PRICE);
  assert.equal(view.locked.toBigInt(), LOCK);
  assert.equal(view.redeemed.toBigInt(), 0n);
  assert.equal(view.expiry.toNumber(), s.expiry);
  assert.equal(view.closeRequested.isTrue, false);

  // The lock and the record deposit are on hold; the account lost only the transaction fee.
  const recordDeposit = api.consts.credits.recordDeposit.toBigInt();
  s.recordDeposit = recordDeposit;
  const after = await accountAt(blockHash, charlie.address);
  assert.equal(await channelFunds(blockHash, charlie.address), LOCK);
  assert.equal(await deposits(blockHash, charlie.address), recordDeposit);
  assert.equal(after.reserved - s.beforeOpen.reserved, LOCK + recordDeposit);
  assert.equal(s.beforeOpen.free - after.free, LOCK + recordDeposit + s.openFee);
  assert.equal(totalOf(s.beforeOpen) - totalOf(after), s.openFee);
});

test('Charlie makes 10,000 paid calls with the CLI, one voucher each, no transaction', async (t) => {
  const out = await runWorker([
    'call', '--rpc', node.wsUrl, '--seed', '//Charlie', '--url', worker.url,
    '--channel', String(s.channel), '--count', String(CALLS),
  ], { timeoutMs: 10 * 60_000 });
  t.diagnostic(`${out.calls} calls in ${Number(out.seconds).toFixed(1)} s: ${Number(out.callsPerSecond).toFixed(0)} calls/s`);
  assert.equal(out.calls, CALLS);
  assert.equal(out.total, String(SPENT));
  assert.equal(out.paid, String(SPENT));
  assert.equal(out.last.calls, CALLS);
  assert.equal(out.last.total, String(SPENT));
  assert.equal(out.last.pricePerCall, String(PRICE));
  assert.equal(out.last.output.length, 8, 'the model answers 8 outputs');

  assert.deepEqual(await serviceReport(), {
    channel: s.channel,
    calls: CALLS,
    latestTotal: String(SPENT),
    redeemed: '0',
    pricePerCall: String(PRICE),
    expiry: s.expiry,
  });
  const view = await channelView();
  assert.equal(view.redeemed.toBigInt(), 0n, 'nothing was redeemed yet');
  assert.equal(view.locked.toBigInt(), LOCK);
});

test('the service crashes (SIGKILL) and restarts from its journal with all 10,000 calls', async () => {
  const killed = await worker.kill('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL', `the service was killed, not stopped: ${JSON.stringify(killed)}`);
  worker = await serve();

  const report = await serviceReport();
  assert.equal(report.calls, CALLS);
  assert.equal(report.latestTotal, String(SPENT));
  assert.equal(report.redeemed, '0');
  assert.equal(report.expiry, s.expiry);
});

test('the service refuses forged, replayed, underpaying, over-the-lock and foreign vouchers and changes nothing', async () => {
  // The JavaScript encoding is the runtime's `SignedVoucher` (the type `credits.redeem` takes).
  const type = api.tx.credits.redeem.meta.args[1].type.toString();
  const sample = voucher(SPENT + PRICE);
  assert.equal(api.createType(type, voucherArg(sample)).toHex(), u8aToHex(encodeVoucher(sample)), `SCALE of ${type}`);
  assert.equal(encodeVoucher(sample).length, 32 + 8 + 4 + 16 + 1 + 64);

  const before = await serviceReport();
  const refusals = [
    // Signed by Dave, not the channel's signer.
    ['a forged voucher', voucher(SPENT + PRICE, { pair: dave }), 'BadSignature'],
    // An older voucher of Charlie's: below the latest total accepted.
    ['a replayed older voucher', voucher(5n * PRICE), 'StaleVoucher'],
    // The latest voucher again: it pays for 10,000 calls, not for call 10,001.
    ['the latest voucher again', voucher(SPENT), 'Underpaid'],
    // More than the channel locks.
    ['a voucher over the lock', voucher(LOCK + PRICE), 'OverLimit'],
    // For another chain.
    ['a voucher for another chain', voucher(SPENT + PRICE, { genesis: randomAsU8a(32) }), 'WrongChain'],
  ];
  for (const [what, v, code] of refusals) {
    const r = await http('POST', '/v1/infer', { channel: s.channel, input: INPUT, voucher: u8aToHex(encodeVoucher(v)) });
    assert.ok(r.status >= 400 && r.status < 500, `${what}: a 4xx, got ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, code, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(typeof r.body.error, 'string');
    assert.deepEqual(await serviceReport(), before, `${what} changes nothing`);
  }
  // Stale, Underpaid and OverLimit come after the signature check: the JS signatures verify.
});

test('one redeem settles all 10,000 calls: 2 % fee, the rest to Bob, Charlie pays exactly the calls', async () => {
  const head = await finalizedHead();
  const from = (await numberOf(head)) + 1;
  const bobBefore = await freeAt(api, head, bob.address);

  const r = await http('POST', '/v1/redeem');
  assert.equal(r.status, 200, `POST /v1/redeem: ${JSON.stringify(r.body)}; service log:\n${serviceTail()}`);
  assert.ok(Array.isArray(r.body), JSON.stringify(r.body));
  assert.equal(r.body.length, 1, `one report: ${JSON.stringify(r.body)}`);
  const [report] = r.body;
  assert.equal(report.channel, s.channel);
  assert.equal(report.total, String(SPENT));
  assert.equal(report.error ?? null, null, `the redemption failed: ${report.error}`);
  assert.equal(typeof report.paid, 'string');

  // The worker waited for finalization: the event is in a finalized block after `head`.
  const redeemed = await scanFinalized(from, isOurs('VoucherRedeemed'));
  assert.equal(redeemed.length, 1, 'one VoucherRedeemed');
  const { blockHash, event, events } = redeemed[0];
  const protocolFee = (SPENT * PROTOCOL_FEE_PPB) / 1_000_000_000n; // rounded down
  assert.equal(event.data.service.toNumber(), s.serviceId);
  assert.equal(event.data.total.toBigInt(), SPENT);
  assert.equal(event.data.fee.toBigInt(), protocolFee);
  assert.equal(event.data.paid.toBigInt(), SPENT - protocolFee);
  assert.equal(report.paid, String(SPENT - protocolFee));
  s.paid = SPENT - protocolFee;

  // Bob gets what was paid, less his fee for the redeem transaction (he authors no block).
  const bobFee = fee(events, bob.address);
  assert.equal((await freeAt(api, blockHash, bob.address)) - bobBefore, s.paid - bobFee);
  const prev = await parentOf(api, blockHash);
  assert.equal(
    (await freeAt(api, blockHash, TREASURY)) - (await freeAt(api, prev, TREASURY))
      - (await treasuryInflationAt(api, blockHash)),
    protocolFee - toStakers(protocolFee),
    'the fee goes to the treasury, less the staking pot\'s 40 %',
  );

  // Charlie is out of exactly the 10,000 calls and his fee for opening, relative to before the open.
  const charlie1 = await accountAt(blockHash, charlie.address);
  assert.equal(totalOf(s.beforeOpen) - totalOf(charlie1), SPENT + s.openFee);
  assert.equal(await channelFunds(blockHash, charlie.address), LOCK - SPENT);
  assert.equal(await deposits(blockHash, charlie.address), s.recordDeposit);

  const view = await channelView(blockHash);
  assert.equal(view.redeemed.toBigInt(), SPENT);
  assert.equal(view.locked.toBigInt(), LOCK);
  assert.equal((await serviceReport()).redeemed, String(SPENT), 'the service knows what was redeemed');

  // One transaction settled everything: one redemption since the channel opened.
  const all = await scanFinalized(s.openedAt, isOurs('VoucherRedeemed'));
  assert.equal(all.length, 1, 'exactly one VoucherRedeemed since the open');
  s.charlieReserved = charlie1.reserved;
});

test('the chain refuses forged, replayed, over-the-lock and foreign vouchers, and a stranger\'s redeem', async () => {
  s.charlieFees = 0n; // Charlie's transaction fees after the redeem
  const cases = [
    ['a forged voucher', bob, voucher(SPENT + PRICE, { pair: dave }), 'BadSignature'],
    ['a replayed older voucher', bob, voucher(5n * PRICE), 'StaleVoucher'],
    ['the redeemed total again', bob, voucher(SPENT), 'StaleVoucher'],
    ['a voucher over the lock', bob, voucher(LOCK + PRICE), 'VoucherExceedsLock'],
    ['a voucher for another chain', bob, voucher(SPENT + PRICE, { genesis: randomAsU8a(32) }), 'WrongChain'],
    // A valid, higher voucher, but only the service's owner redeems.
    ['a redeem by the payer', charlie, voucher(SPENT + PRICE), 'NotServiceOwner'],
  ];
  // All at once, with explicit nonces, so they share a block or two instead of one each.
  const nonces = new Map();
  for (const signer of [bob, charlie]) {
    nonces.set(signer.address, (await api.rpc.system.accountNextIndex(signer.address)).toNumber());
  }
  const results = await Promise.all(cases.map(([, signer, v, error]) => {
    const nonce = nonces.get(signer.address);
    nonces.set(signer.address, nonce + 1);
    return sendFails(api.tx.credits.redeem(s.channel, voucherArg(v)), signer, error, { nonce });
  }));
  results.forEach((r, i) => {
    if (cases[i][1] === charlie) s.charlieFees += fee(r.events, charlie.address);
  });
  const at = await finalizedHead();
  const { reserved } = await accountAt(at, charlie.address);
  assert.equal(reserved, s.charlieReserved, 'Charlie\'s reserved balance is unchanged');
  assert.equal(await channelFunds(at, charlie.address), LOCK - SPENT, 'the lock is unchanged');
  assert.equal((await channelView(at)).redeemed.toBigInt(), SPENT, 'the redeemed total is unchanged');
});

test('cooperative close: Charlie asks, Bob closes, the rest and the deposit go back, the service forgets it', async () => {
  const asked = await sendOk(api, api.tx.credits.requestClose(s.channel), charlie, tail);
  assert.ok(creditsEvent(asked.events, 'CloseRequested'), 'CloseRequested');
  const requestFee = fee(asked.events, charlie.address);
  assert.equal((await channelView(asked.blockHash)).closeRequested.isTrue, true);

  const { blockHash, events } = await sendOk(api, api.tx.credits.cooperativeClose(s.channel, null), bob, tail);
  const closed = creditsEvent(events, 'ChannelClosed');
  assert.ok(closed, 'ChannelClosed');
  assert.equal(closed.data.channel.toNumber(), s.channel);
  assert.equal(closed.data.payer.toString(), charlie.address);
  assert.equal(closed.data.redeemed.toBigInt(), SPENT);
  assert.equal(closed.data.refunded.toBigInt(), LOCK - SPENT);
  assert.equal(closed.data.cooperative.isTrue, true);
  assert.ok(!creditsEvent(events, 'VoucherRedeemed'), 'no final voucher, nothing more redeemed');

  // Charlie: nothing on hold, and everything he had before the open less the calls and his fees.
  const charlie2 = await accountAt(blockHash, charlie.address);
  assert.equal(charlie2.reserved, 0n);
  assert.equal(await channelFunds(blockHash, charlie.address), 0n);
  assert.equal(await deposits(blockHash, charlie.address), 0n);
  assert.equal(charlie2.free, totalOf(s.beforeOpen) - SPENT - s.openFee - s.charlieFees - requestFee);
  assert.equal(await channelView(blockHash), null, 'the channel is gone');
  const service = (await (await api.at(blockHash)).call.creditsApi.service(s.serviceId)).unwrap();
  assert.equal(service.openChannels.toNumber(), 0);

  // The service follows finalized blocks and forgets the closed channel.
  const deadline = Date.now() + 120_000;
  let last;
  for (;;) {
    last = await http('GET', `/v1/channels/${s.channel}`);
    if (last.status === 404) break;
    assert.ok(Date.now() < deadline, `the service still reports the channel: ${JSON.stringify(last.body)}; log:\n${serviceTail()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(last.body.code, 'UnknownChannel');
});
