// End to end: leased compute jobs run by the real provider worker (`airtime-worker run`) on the
// dev node, on its CPU backend. Bob is the provider (he registers with the worker's CLI, from a
// TOML config), Charlie submits int8 GEMM jobs whose inputs the worker reads from a directory of
// content-addressed files. It proves that:
//
// - `airtime-worker register` puts Bob on chain with the configured stake on hold and his price;
// - the worker accepts a job, fetches its inputs, runs it, attests the blake2-256 of the output
//   and the units `ceil(m·n·k / 10^6)`, and after the challenge window Bob is paid exactly
//   `price · units` less the protocol fee (less his own transaction fees), Charlie gets the rest
//   of the escrow and the deposit back and is out of exactly the payment and his fee;
// - the output the worker serves to the job's owner (a request signed for this worker, with a
//   fresh nonce) is the product computed here in JavaScript and hashes to the attested hash; a
//   byte range is served with 206; the same request again gets 401 Replayed, one signed for
//   another worker 401 BadSignature; another account's valid signature gets 403; `status` and
//   `/metrics` report the completed job;
// - a worker killed with SIGKILL while it executes a job is restarted with the same config and
//   data directory and completes the job exactly once: one attestation, one payment, no failure
//   report, slash or refund, the output still served, and no funds lost.
//
// Alice authors every block of the dev chain and gets 20 % of each transaction fee (see
// dev-transfer.test.js), so the job owner is Charlie, not Alice: his balance moves only by what
// the test accounts for. Dave is the stranger whose signed download is refused. The node runs the
// `fast-runtime` build: 6 s blocks, a challenge window of 3 blocks.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { cryptoWaitReady, blake2AsU8a, blake2AsHex, randomAsU8a } from '@polkadot/util-crypto';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { startNode, freePort } from '../lib/node.js';
import { AIR, sendOk, freeAt, heldAt, parentOf } from '../lib/chain.js';
import { runWorker, startRunner, stopAll } from '../lib/worker.js';

const PRICE = 1_000_000_000n; // 0.001 AIR per unit (10^6 multiply-accumulates)
const STAKE = 2_000n * AIR; // the provider's stake (MinProviderStake is 100 AIR)
const OFFER_MAX_UNITS = 1_000_000; // the largest job the worker offers to run
const CHALLENGE_PERIOD = 3; // `fast-runtime`
const PROTOCOL_FEE_PPB = 50_000_000n; // 5 %, `Perbill::mul_ceil` of each payment
const OUTPUT_TAG = 'airtime/output/2'; // domain tag of a signed output download (version 2)
// The job the worker is killed in the middle of: 2048³ multiply-accumulates, a second or two on a
// 2-core CPU; 8590 units.
const BIG = { m: 2048, n: 2048, k: 2048 };
const BIG_UNITS = 8590n;
const WORKER_ENV = { RUST_LOG: 'info', NO_COLOR: '1' };
// Compute events that must never appear for a job run by an honest, working provider.
const FAILURES = [
  'FailureReported',
  'ProviderSlashed',
  'JobRefunded',
  'JobChallenged',
  'VerifierDrawScheduled',
  'DisputeOpened',
];

let node;
let provider;
let api;
let bob; // the provider (the worker's seed)
let charlie; // the job owner
let dave; // a stranger
let dir; // temp dir: the worker's config, data_dir and inputs dir
let config; // path of worker.toml
let inputsDir;
let workerUrl; // http://<listen>
let worker; // the running `airtime-worker run` (startRunner)
const runners = []; // every runner started, for their logs on failure

before(async () => {
  await cryptoWaitReady();
  dir = mkdtempSync(join(tmpdir(), 'airtime-jobs-'));
  inputsDir = join(dir, 'inputs');
  mkdirSync(inputsDir, { recursive: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  node = await startNode({ chain: 'dev' });
  provider = new WsProvider(node.wsUrl);
  api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  bob = keyring.addFromUri('//Bob');
  charlie = keyring.addFromUri('//Charlie');
  dave = keyring.addFromUri('//Dave');

  // The `fast-runtime` build's values (governed parameters at their launch values).
  const c = api.consts.compute;
  assert.equal(c.challengePeriod.toNumber(), CHALLENGE_PERIOD);
  assert.equal(c.protocolFee.toBigInt(), PROTOCOL_FEE_PPB);
  assert.ok(STAKE >= c.minProviderStake.toBigInt(), 'the stake is at least MinProviderStake');

  const port = await freePort();
  workerUrl = `http://127.0.0.1:${port}`;
  config = join(dir, 'worker.toml');
  const q = (s) => JSON.stringify(String(s)); // a TOML basic string
  writeFileSync(config, [
    `rpc = ${q(node.wsUrl)}`,
    'seed = "//Bob"',
    `data_dir = ${q(join(dir, 'data'))}`,
    `listen = ${q(`127.0.0.1:${port}`)}`,
    'backend = "cpu"',
    `inputs = [${q(inputsDir)}]`,
    `stake = ${q(STAKE)}`,
    '',
    '[[offers]]',
    'kind = "GemmInt8"',
    `max_units = ${OFFER_MAX_UNITS}`,
    `price_per_unit = ${q(PRICE)}`,
    '',
  ].join('\n'));
});

after(async () => {
  // Whatever happened: no worker process outlives the test, then the API and the node go.
  await stopAll();
  await api?.disconnect();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tail = () => node?.logTail() ?? '';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const finalizedHead = () => api.rpc.chain.getFinalizedHead();
const numberOf = async (hash) => (await api.rpc.chain.getHeader(hash)).number.toNumber();
const computeEvent = (events, name) => events.find(({ event }) => api.events.compute[name].is(event))?.event;

/** An account's free and reserved (holds included) balances at `blockHash`. */
async function accountAt(blockHash, address) {
  const { data } = await (await api.at(blockHash)).query.system.account(address);
  return { free: data.free.toBigInt(), reserved: data.reserved.toBigInt() };
}
const totalOf = ({ free, reserved }) => free + reserved;

/**
 * Runs `fn`; when it throws, throws again with the tails of every worker's log and the node's
 * (an assertion's actual and expected values kept in the message).
 */
async function withLogs(fn) {
  try {
    return await fn();
  } catch (e) {
    const values = e instanceof assert.AssertionError && !e.generatedMessage && e.operator !== 'fail'
      ? `\n  actual:   ${inspect(e.actual)}\n  expected: ${inspect(e.expected)}`
      : '';
    const logs = runners.map((r, i) => {
      const exit = r.exitInfo();
      return `--- airtime-worker run #${i + 1} (pid ${r.pid}${exit ? `, exited ${JSON.stringify(exit)}` : ''}), last lines ---\n${r.logTail(80)}`;
    }).join('\n');
    throw new Error(
      `${e.message}${values}\n${logs || '(no airtime-worker run was started)'}\n--- airtime-node, last lines ---\n${tail()}`,
      { cause: e },
    );
  }
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

/** The transaction fees `who` paid (`TransactionFeePaid`) in `blocks`. */
function feesOf(blocks, who) {
  let sum = 0n;
  let count = 0;
  for (const { events } of blocks) {
    for (const { event } of events) {
      if (api.events.transactionPayment.TransactionFeePaid.is(event) && event.data.who.toString() === who) {
        sum += event.data.actualFee.toBigInt();
        count += 1;
      }
    }
  }
  return { sum, count };
}

/**
 * Follows the finalized chain block by block from `fromNumber`, keeping every block's events and
 * the compute events of `job` in order. `until(name)` resolves with the first such event named
 * `name` ({ name, event, blockHash, number, events }); it fails at once on any of `FAILURES`.
 */
function followJob(job, fromNumber) {
  const blocks = []; // { number, blockHash, events }
  const jobEvents = []; // { name, event, blockHash, number, events }
  let next = fromNumber;
  const poll = async () => {
    const head = await numberOf(await finalizedHead());
    for (; next <= head; next++) {
      const blockHash = await api.rpc.chain.getBlockHash(next);
      const events = await (await api.at(blockHash)).query.system.events();
      blocks.push({ number: next, blockHash, events });
      for (const { event } of events) {
        if (event.section === 'compute' && event.data.job?.toNumber() === job) {
          jobEvents.push({ name: event.method, event, blockHash, number: next, events });
        }
      }
    }
  };
  const seen = () => jobEvents.map((e) => `${e.name}@#${e.number}`).join(', ') || 'nothing';
  const until = async (name, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await poll();
      const bad = jobEvents.find((e) => FAILURES.includes(e.name));
      if (bad) assert.fail(`job ${job}: ${bad.name} at #${bad.number} ${JSON.stringify(bad.event.toHuman())} (waiting for ${name}; seen: ${seen()})`);
      const hit = jobEvents.find((e) => e.name === name);
      if (hit) return hit;
      if (Date.now() > deadline) assert.fail(`job ${job}: no ${name} in a finalized block within ${timeoutMs / 1000} s (seen: ${seen()})`);
      await sleep(1000);
    }
  };
  /** The blocks followed, from `fromNumber` to `toNumber` inclusive. */
  const between = (from, to) => blocks.filter((b) => b.number >= from && b.number <= to);
  return { poll, until, between, jobEvents, named: (name) => jobEvents.filter((e) => e.name === name) };
}

/** Polls `check` (async) every second until it returns a truthy value, which it resolves with. */
async function eventually(check, timeoutMs, describe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs / 1000} s: ${describe()}`);
    await sleep(1000);
  }
}

// ---------------------------------------------------------------- int8 GEMM jobs, built here

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

/** A `rows × cols` int8 matrix of deterministic pseudo-random values (xorshift32 from `seed`). */
function int8Matrix(rows, cols, seed) {
  const out = new Int8Array(rows * cols);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = (x >>> 24) - 128;
  }
  // The extremes, so that the product's range is exercised.
  out[0] = -128;
  out[out.length - 1] = 127;
  return out;
}
const bytesOf = (int8) => new Uint8Array(int8.buffer, int8.byteOffset, int8.byteLength);

/** `C[i][j]` of `A (m × k) · B (k × n)`, both int8 row-major. */
function entry(a, b, n, k, i, j) {
  let acc = 0;
  for (let p = 0; p < k; p++) acc += a[i * k + p] * b[p * n + j];
  return acc;
}

/** `A · B` as the worker's output: `m × n` int32 little-endian, row-major. */
function gemm(a, b, m, n, k) {
  const out = new Uint8Array(m * n * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) view.setInt32((i * n + j) * 4, entry(a, b, n, k, i, j), true);
  }
  return out;
}

/** Units billed for an `m × n × k` GEMM: `ceil(m·n·k / 10^6)`, at least 1. */
function unitsOf(m, n, k) {
  const u = (BigInt(m) * BigInt(n) * BigInt(k) + 999_999n) / 1_000_000n;
  return u < 1n ? 1n : u;
}

/** Writes `bytes` into the worker's inputs directory under its blake2-256 hex; returns `0x…`. */
function putInput(bytes) {
  const hash = blake2AsU8a(bytes, 256);
  writeFileSync(join(inputsDir, u8aToHex(hash).slice(2)), bytes);
  return u8aToHex(hash);
}

/** The spec of `C = A · B`, with the inputs written where the worker reads them. */
function gemmSpec(a, b, { m, n, k }, maxUnits) {
  return {
    kind: 'GemmInt8',
    inputs: [putInput(bytesOf(a)), putInput(bytesOf(b))],
    datasets: [],
    params: u8aToHex(u8aConcat(le(m, 4), le(n, 4), le(k, 4))), // SCALE { m: u32, n: u32, k: u32 }
    maxUnits,
    outputSize: m * n * 4,
    minReputation: 0,
  };
}

/** Index of the first byte where `a` and `b` differ (-1 when equal). */
function firstDifference(a, b) {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : len;
}

// ---------------------------------------------------------------- the worker, over HTTP

/**
 * The headers of one download of `hashHex` from the worker whose provider account is `workerKey`
 * (32 bytes: the job's `JobAssigned` provider), signed by `pair`: sr25519 over
 * `"airtime/output/2" ++ worker (32) ++ hash (32) ++ expires (u64 LE) ++ nonce (16)`, with a
 * fresh random nonce. Single-use: the worker refuses the same headers again (401 Replayed).
 */
function signedHeaders(pair, hashHex, workerKey, { expires = Math.floor(Date.now() / 1000) + 300, account = pair.address } = {}) {
  const nonce = randomAsU8a(16);
  const message = u8aConcat(stringToU8a(OUTPUT_TAG), workerKey, hexToU8a(hashHex), le(expires, 8), nonce);
  assert.equal(message.length, 16 + 32 + 32 + 8 + 16);
  return {
    'x-airtime-account': account,
    'x-airtime-expires': String(expires),
    'x-airtime-nonce': u8aToHex(nonce),
    'x-airtime-signature': u8aToHex(pair.sign(message)),
  };
}

/** `GET /v1/outputs/<hash>` with `headers`; resolves with { status, headers, body (bytes) }. */
async function download(hashHex, headers) {
  const res = await fetch(`${worker.url}/v1/outputs/${hashHex}`, { headers, signal: AbortSignal.timeout(120_000) });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/** The sum of a Prometheus metric's samples in `text` (all label sets), or null when absent. */
function metric(text, name) {
  let total = null;
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) total = (total ?? 0) + Number(m[2]);
  }
  return total;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A worker log line with `text` and the field `job=<job>` (in the message or in a span). */
function jobLine(text, job) {
  const id = `\\bjob=${job}\\b`;
  return new RegExp(`${escapeRe(text)}.*${id}|${id}.*${escapeRe(text)}`);
}

const workerCli = (subcommand, opts = {}) => runWorker(['--config', config, subcommand], { env: WORKER_ENV, ...opts });

async function startWorker() {
  worker = await startRunner(config, { url: workerUrl, env: WORKER_ENV });
  runners.push(worker);
  return worker;
}

/** Bob registered (with the CLI) and his worker running, whatever the previous test left. */
async function ensureWorker() {
  const head = await finalizedHead();
  if ((await provider.send('compute_provider', [bob.address, head])) === null) {
    await workerCli('register', { timeoutMs: 180_000 });
  }
  if (!worker || worker.exitInfo()) await startWorker();
}

// ---------------------------------------------------------------- a job's life, checked

/**
 * Submits `spec` for Charlie and follows it to its settlement by Bob's worker, checking each
 * step's events and every balance that moves: Bob gets exactly `price · units` less the
 * protocol fee, less his own transaction fees; Charlie gets the rest and his deposit back and
 * is out of exactly the payment and his transaction fees; every hold is back where it was.
 * Returns what later checks need. `onSubmitted(job, follow)` runs right after the submission.
 */
async function runJob(t, { spec, budget, deadline, units, onSubmitted = async () => {} }) {
  const started = Date.now();
  const sub = await sendOk(api, api.tx.compute.submitJob(spec, budget, deadline, 1), charlie, tail);
  const submitted = computeEvent(sub.events, 'JobSubmitted');
  assert.ok(submitted, 'JobSubmitted');
  const job = submitted.data.job.toNumber();
  assert.equal(submitted.data.owner.toString(), charlie.address);
  assert.equal(submitted.data.kind.toString(), 'GemmInt8');
  assert.equal(submitted.data.budget.toBigInt(), budget);
  assert.equal(submitted.data.redundancy.toNumber(), 1);
  const submittedAt = await numberOf(sub.blockHash);
  const beforeJob = await parentOf(api, sub.blockHash);
  const charlieBefore = await accountAt(beforeJob, charlie.address);
  const escrowBefore = await heldAt(api, beforeJob, charlie.address, 'Compute', 'JobEscrow');
  const depositBefore = await heldAt(api, beforeJob, charlie.address, 'Compute', 'StorageDeposit');
  const bobBefore = await freeAt(api, beforeJob, bob.address);
  assert.equal(await heldAt(api, sub.blockHash, charlie.address, 'Compute', 'JobEscrow'), escrowBefore + budget);

  const follow = followJob(job, submittedAt);
  await onSubmitted(job, follow);

  // The worker takes the slot at its price.
  const assigned = await follow.until('JobAssigned');
  assert.equal(assigned.event.data.provider.toString(), bob.address);
  assert.equal(assigned.event.data.pricePerUnit.toBigInt(), PRICE);
  assert.ok(assigned.event.data.matcher.isNone, 'Bob accepted it himself');

  // It attests the output's hash and the units; the challenge window opens.
  const attested = await follow.until('AttestationSubmitted', 240_000);
  assert.equal(attested.event.data.provider.toString(), bob.address);
  assert.equal(attested.event.data.usage.toBigInt(), units, 'usage: ceil(m·n·k / 10^6)');
  const outputHash = attested.event.data.outputHash.toHex();
  const window = await follow.until('ChallengePeriodStarted');
  assert.equal(window.number, attested.number, 'the window opens with the attestation');
  assert.equal(window.event.data.outputHash.toHex(), outputHash);
  assert.equal(window.event.data.until.toNumber(), attested.number + CHALLENGE_PERIOD);

  // Nobody challenges: the job settles when the window closes.
  const settled = await follow.until('JobSettled', 120_000);
  assert.ok(settled.number > window.event.data.until.toNumber(), `settled at #${settled.number}, window until #${window.event.data.until}`);
  t.diagnostic(`job ${job}: submitted at #${submittedAt}, assigned #${assigned.number}, attested #${attested.number}, settled #${settled.number}, ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const payment = units * PRICE;
  const protocolFee = (payment * PROTOCOL_FEE_PPB + 999_999_999n) / 1_000_000_000n; // rounded up
  const paid = computeEvent(settled.events, 'ProviderPaid');
  assert.ok(paid, 'ProviderPaid in the settlement block');
  assert.equal(paid.data.job.toNumber(), job);
  assert.equal(paid.data.provider.toString(), bob.address);
  assert.equal(paid.data.amount.toBigInt(), payment - protocolFee, 'Bob is paid price · units less the fee');
  assert.equal(paid.data.fee.toBigInt(), protocolFee);
  const ev = settled.event.data;
  assert.equal(ev.owner.toString(), charlie.address);
  assert.equal(ev.paid.toBigInt(), payment - protocolFee);
  assert.equal(ev.fee.toBigInt(), protocolFee);
  assert.equal(ev.refunded.toBigInt(), budget - payment);

  // Bob: the payment lands in his free balance; over the job's life he is up by exactly the
  // payment less his own transaction fees (accept, attest); his stake is untouched.
  const at = settled.blockHash;
  const prev = await parentOf(api, at);
  const span = follow.between(submittedAt, settled.number);
  const bobFees = feesOf(span, bob.address);
  const bobFeesThen = feesOf(follow.between(settled.number, settled.number), bob.address).sum;
  assert.equal((await freeAt(api, at, bob.address)) - (await freeAt(api, prev, bob.address)), paid.data.amount.toBigInt() - bobFeesThen, 'Bob is paid at settlement');
  assert.equal((await freeAt(api, at, bob.address)) - bobBefore, paid.data.amount.toBigInt() - bobFees.sum, 'Bob over the job: the payment less his fees');
  assert.equal(await heldAt(api, at, bob.address, 'Compute', 'ProviderStake'), STAKE);
  t.diagnostic(`job ${job}: Bob paid ${bobFees.count} transaction fee(s), ${bobFees.sum} planck`);

  // Charlie: the rest of the escrow and the deposit come back at settlement; over the job's
  // life he is out of exactly the payment (`paid + fee`) and his transaction fees.
  const jobDeposit = (await heldAt(api, prev, charlie.address, 'Compute', 'StorageDeposit')) - depositBefore;
  assert.ok(jobDeposit > 0n, 'a job deposit was held');
  assert.equal(await heldAt(api, prev, charlie.address, 'Compute', 'JobEscrow'), escrowBefore + budget);
  assert.equal((await freeAt(api, at, charlie.address)) - (await freeAt(api, prev, charlie.address)), budget - payment + jobDeposit, 'the rest of the escrow and the deposit return');
  const charlieAfter = await accountAt(at, charlie.address);
  const charlieFees = feesOf(span, charlie.address);
  assert.ok(charlieFees.count >= 1, 'Charlie paid the submission fee');
  assert.equal(totalOf(charlieBefore) - totalOf(charlieAfter), ev.paid.toBigInt() + ev.fee.toBigInt() + charlieFees.sum, 'Charlie is out of the payment and his fees, nothing else');
  assert.equal(charlieAfter.reserved, charlieBefore.reserved, 'Charlie\'s reserved balance is back to its pre-job level');
  assert.equal(await heldAt(api, at, charlie.address, 'Compute', 'JobEscrow'), escrowBefore);
  assert.equal(await heldAt(api, at, charlie.address, 'Compute', 'StorageDeposit'), depositBefore);

  assert.equal(await provider.send('compute_job', [job, at]), null, 'an ended job is gone');
  // The worker that ran it: output downloads are signed for its provider account's key.
  const workerKey = assigned.event.data.provider.toU8a();
  assert.equal(workerKey.length, 32);
  return { job, follow, outputHash, settled, paid, submittedAt, workerKey };
}

// ---------------------------------------------------------------- the tests

test('a provider\'s worker runs an int8 GEMM job on the CPU, attests, is paid, and serves the output to its owner', async (t) => withLogs(async () => {
  // Register with the CLI: one JSON object, and Bob on chain with the stake on hold.
  const head = await finalizedHead();
  const from = (await numberOf(head)) + 1;
  const bobFree = await freeAt(api, head, bob.address);
  const out = await workerCli('register', { timeoutMs: 180_000 });
  assert.equal(out.provider, bob.address, `register printed ${JSON.stringify(out)}`);
  assert.equal(String(out.stake), String(STAKE));
  assert.equal(typeof out.gpuModel, 'string');
  assert.ok(Array.isArray(out.offers), `offers: ${JSON.stringify(out.offers)}`);
  assert.ok(out.offers.some((o) => JSON.stringify(o).includes('GemmInt8')), `offers: ${JSON.stringify(out.offers)}`);

  // The CLI waited for finalization: the event is in a finalized block after `head`.
  const registered = await scanFinalized(from, (e) => api.events.compute.ProviderRegistered.is(e) && e.data.provider.toString() === bob.address);
  assert.equal(registered.length, 1, 'one ProviderRegistered for Bob');
  const { blockHash, number, event } = registered[0];
  assert.equal(event.data.stake.toBigInt(), STAKE);
  const deposit = event.data.deposit.toBigInt();
  assert.equal(await heldAt(api, blockHash, bob.address, 'Compute', 'ProviderStake'), STAKE);
  assert.equal(await heldAt(api, blockHash, bob.address, 'Compute', 'StorageDeposit'), deposit);
  const regBlocks = [];
  for (let n = from; n <= number; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    regBlocks.push({ events: await (await api.at(hash)).query.system.events() });
  }
  assert.equal(bobFree - (await freeAt(api, blockHash, bob.address)), STAKE + deposit + feesOf(regBlocks, bob.address).sum);

  const view = await provider.send('compute_provider', [bob.address, blockHash]);
  assert.ok(view, 'compute_provider knows Bob');
  assert.equal(view.stake, STAKE.toString());
  assert.equal(view.status, 'Active');
  const offer = view.offers.find((o) => o.kind === 'GemmInt8');
  assert.ok(offer, `a GemmInt8 offer: ${JSON.stringify(view.offers)}`);
  assert.equal(offer.pricePerUnit, PRICE.toString(), 'the price from the config');
  assert.ok(offer.maxUnits >= Number(BIG_UNITS) && offer.maxUnits <= OFFER_MAX_UNITS, `maxUnits ${offer.maxUnits}`);
  const viaApi = (await (await api.at(blockHash)).call.computeApi.provider(bob.address)).unwrap();
  assert.equal(viaApi.gpuModel.toUtf8(), out.gpuModel, 'the GPU model the CLI printed');

  // Run the worker; Charlie submits C (160 × 96) = A (160 × 130) · B (130 × 96): 1,996,800
  // multiply-accumulates, 2 units.
  await startWorker();
  const shape = { m: 160, n: 96, k: 130 };
  const units = unitsOf(shape.m, shape.n, shape.k);
  assert.equal(units, 2n);
  const a = int8Matrix(shape.m, shape.k, 0x5eed_0001);
  const b = int8Matrix(shape.k, shape.n, 0x5eed_0002);
  const budget = AIR; // well above price · max_units
  const { job, outputHash, workerKey } = await runJob(t, {
    spec: gemmSpec(a, b, shape, 3), budget, deadline: 50, units,
  });
  await worker.waitForLog(jobLine('executing job', job), { timeoutMs: 5_000 });
  await worker.waitForLog(jobLine('attestation finalized', job), { timeoutMs: 60_000 });

  // The owner downloads the output: the product computed here, hashing to the attested hash.
  const expected = gemm(a, b, shape.m, shape.n, shape.k);
  assert.equal(blake2AsHex(expected, 256), outputHash, 'the attested hash is the hash of A · B');
  const ownerHeaders = signedHeaders(charlie, outputHash, workerKey);
  const full = await download(outputHash, ownerHeaders);
  assert.equal(full.status, 200, `owner's download: ${full.status} ${Buffer.from(full.body).toString().slice(0, 200)}`);
  assert.equal(full.body.length, shape.m * shape.n * 4);
  assert.equal(blake2AsHex(full.body, 256), outputHash);
  assert.equal(firstDifference(full.body, expected), -1, 'the output is A · B, int32 LE row-major');

  // A byte range: bytes 4..11 (C[0][1] and C[0][2]), a request of its own (a fresh nonce).
  const part = await download(outputHash, { ...signedHeaders(charlie, outputHash, workerKey), range: 'bytes=4-11' });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 4-11/${expected.length}`);
  assert.deepEqual([...part.body], [...expected.subarray(4, 12)]);

  // The owner's request sent again is a replay: refused, and not the output.
  const replayed = await download(outputHash, ownerHeaders);
  assert.equal(replayed.status, 401, `a replayed request: 401, got ${replayed.status}`);
  assert.equal(JSON.parse(Buffer.from(replayed.body).toString()).code, 'Replayed');
  // A request the owner signed for another worker (Dave's key) is refused here.
  const elsewhere = await download(outputHash, signedHeaders(charlie, outputHash, dave.publicKey));
  assert.equal(elsewhere.status, 401, `signed for another worker: 401, got ${elsewhere.status}`);
  assert.equal(JSON.parse(Buffer.from(elsewhere.body).toString()).code, 'BadSignature');
  // The worker also tells its key: `worker` in /v1/status is Bob, the job's provider.
  const live = await (await fetch(`${worker.url}/v1/status`, { signal: AbortSignal.timeout(10_000) })).json();
  assert.equal(live.worker, bob.address, `/v1/status worker: ${JSON.stringify(live.worker)}`);
  assert.equal(u8aToHex(workerKey), u8aToHex(bob.publicKey));

  // Someone else's valid signature is refused; so are a forged and an expired one.
  const stranger = await download(outputHash, signedHeaders(dave, outputHash, workerKey));
  assert.equal(stranger.status, 403, 'a non-owner gets 403');
  assert.notEqual(firstDifference(stranger.body, expected), -1, 'and not the output');
  const forged = await download(outputHash, signedHeaders(dave, outputHash, workerKey, { account: charlie.address }));
  assert.ok(forged.status >= 400 && forged.status < 500, `a forged signature: 4xx, got ${forged.status}`);
  const expired = await download(outputHash, signedHeaders(charlie, outputHash, workerKey, { expires: Math.floor(Date.now() / 1000) - 60 }));
  assert.ok(expired.status >= 400 && expired.status < 500, `an expired signature: 4xx, got ${expired.status}`);

  // `status` lists the job as settled and earnings; /metrics counts it (the worker follows
  // finalized blocks too, so both may lag the event by a block or two).
  let last;
  const status = await eventually(async () => {
    last = await workerCli('status');
    const listed = (last.jobs ?? []).find((j) => String(j.id ?? j.job ?? j.jobId) === String(job));
    if (!listed) return null;
    const state = listed.state ?? listed.status ?? listed.phase ?? listed;
    return /settled|completed/i.test(typeof state === 'string' ? state : JSON.stringify(state)) ? last : null;
  }, 60_000, () => `status lists job ${job} as settled: ${JSON.stringify(last)}`);
  assert.ok(status.provider && typeof status.provider === 'object', `status.provider: ${JSON.stringify(status.provider)}`);
  assert.ok(BigInt(status.earnings) > 0n, `earnings: ${status.earnings}`);
  let text = '';
  await eventually(async () => {
    const res = await fetch(`${worker.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    text = await res.text();
    return res.ok && (metric(text, 'airtime_worker_jobs_completed_total') ?? 0) >= 1;
  }, 60_000, () => `airtime_worker_jobs_completed_total >= 1 in /metrics:\n${text.split('\n').filter((l) => l.startsWith('airtime_worker_jobs')).join('\n') || text.slice(0, 2000)}`);

  const p = await provider.send('compute_provider', [bob.address, await finalizedHead()]);
  assert.equal(p.completed, 1);
  assert.equal(p.activeJobs, 0);
}));

test('a worker killed with SIGKILL mid-job is restarted and completes the job exactly once, with no funds lost', async (t) => withLogs(async () => {
  await ensureWorker();

  // A job of a second or two on a small CPU, so that the kill lands while it runs.
  const shape = BIG;
  const units = unitsOf(shape.m, shape.n, shape.k);
  assert.equal(units, BIG_UNITS);
  const a = int8Matrix(shape.m, shape.k, 0x5eed_0003);
  const b = int8Matrix(shape.k, shape.n, 0x5eed_0004);
  const budget = units * PRICE + AIR;

  let killedAt;
  const { job, follow, outputHash, settled, submittedAt, workerKey } = await runJob(t, {
    spec: gemmSpec(a, b, shape, units), budget, deadline: 100, units,
    // As soon as the worker says it executes the job: SIGKILL, then a restart.
    onSubmitted: async (id, follower) => {
      const victim = worker;
      await victim.waitForLog(jobLine('executing job', id), { timeoutMs: 150_000 });
      process.kill(victim.pid, 'SIGKILL');
      killedAt = Date.now();
      const gone = await victim.exited;
      assert.equal(gone.signal, 'SIGKILL', `the worker was killed: ${JSON.stringify(gone)}`);
      assert.throws(() => process.kill(victim.pid, 0), { code: 'ESRCH' }, 'the process is gone');
      assert.ok(!victim.lines.some((l) => jobLine('attestation finalized', id).test(l)), 'killed before its attestation was finalized');
      await follower.poll();
      t.diagnostic(`job ${id}: killed the worker (pid ${victim.pid}) while executing; attestations finalized by then: ${follower.named('AttestationSubmitted').length}`);
      await startWorker();
    },
  });
  t.diagnostic(`job ${job}: settled ${((Date.now() - killedAt) / 1000).toFixed(0)} s after the kill`);

  // Exactly once, over every finalized block from the submission to the settlement.
  await follow.poll();
  const count = (name) => follow.jobEvents.filter((e) => e.name === name && e.number <= settled.number).length;
  assert.equal(count('JobSubmitted'), 1);
  assert.equal(count('JobAssigned'), 1, 'one slot taken');
  assert.equal(count('AttestationSubmitted'), 1, 'one attestation');
  assert.equal(count('ChallengePeriodStarted'), 1);
  assert.equal(count('ProviderPaid'), 1, 'one payment');
  assert.equal(count('JobSettled'), 1, 'one settlement');
  for (const name of FAILURES) assert.equal(count(name), 0, `no ${name}`);
  const slashes = await scanFinalized(submittedAt, (e) => api.events.compute.ProviderSlashed.is(e) && e.data.provider.toString() === bob.address);
  assert.equal(slashes.length, 0, 'Bob is never slashed');
  assert.equal(follow.jobEvents.filter((e) => e.number > settled.number).length, 0, 'nothing about the job after it settled');

  // The restarted worker saw the attestation finalized and still serves the output, which
  // hashes to the attested hash and is A · B (spot-checked here: the full product is too slow
  // in JavaScript).
  const attestedLine = jobLine('attestation finalized', job);
  await eventually(
    async () => runners.some((r) => r.lines.some((l) => attestedLine.test(l))),
    60_000,
    () => `a worker logs ${attestedLine}`,
  );
  const got = await download(outputHash, signedHeaders(charlie, outputHash, workerKey));
  assert.equal(got.status, 200, `owner's download from the restarted worker: ${got.status} ${Buffer.from(got.body.subarray(0, 200)).toString()}`);
  assert.equal(got.body.length, shape.m * shape.n * 4);
  assert.equal(blake2AsHex(got.body, 256), outputHash, 'the output survived the crash');
  const view = new DataView(got.body.buffer, got.body.byteOffset, got.body.byteLength);
  const probes = [[0, 0], [0, shape.n - 1], [shape.m - 1, 0], [shape.m - 1, shape.n - 1]];
  for (let s = 1; s <= 60; s++) probes.push([(s * 7919) % shape.m, (s * 104_729) % shape.n]);
  for (const [i, j] of probes) {
    assert.equal(view.getInt32((i * shape.n + j) * 4, true), entry(a, b, shape.n, shape.k, i, j), `C[${i}][${j}]`);
  }

  const p = await provider.send('compute_provider', [bob.address, settled.blockHash]);
  assert.equal(p.activeJobs, 0);
  assert.equal(p.failed, 0);
  assert.equal(p.timedOut, 0);
}));
