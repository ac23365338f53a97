// End to end: a compute job through its whole life on the dev node, driven by @polkadot/api
// with a scripted provider (the worker is not needed to attest): register, submit, accept,
// attest, challenge window, settlement; and a job whose deadline passes. Balances, holds, total
// issuance and the `compute_*` RPC are checked at each step.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { cryptoWaitReady, blake2AsHex } from '@polkadot/util-crypto';
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
  parentOf,
} from '../lib/chain.js';

const MILLI = AIR / 1000n;
const PRICE = MILLI; // per unit
const STAKE = 200n * AIR;
const CHALLENGE_PERIOD = 3;

let node;
let provider;
let api;
let alice;
let bob; // provider
let charlie; // user

before(async () => {
  await cryptoWaitReady();
  node = await startNode({ chain: 'dev' });
  provider = new WsProvider(node.wsUrl);
  api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  charlie = keyring.addFromUri('//Charlie');

  // The node runs the `fast-runtime` build, whose challenge window is 3 blocks (a governed
  // parameter: see governance.test.js for changing one by referendum).
  assert.equal(api.consts.compute.challengePeriod.toNumber(), CHALLENGE_PERIOD);
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

const tail = () => node?.logTail() ?? '';
const fee = (events, who) => feePaid(api, events, who);
const computeEvent = (events, name) => events.find(({ event }) => api.events.compute[name].is(event))?.event;

function spec(maxUnits) {
  return {
    kind: 'GemmInt8',
    inputs: [blake2AsHex('matrix A'), blake2AsHex('matrix B')],
    datasets: [],
    params: '0x',
    maxUnits,
    outputSize: 4096,
    minReputation: 0,
  };
}

test('a provider registers: stake and deposit on hold, visible through compute_provider', async () => {
  const head = await api.rpc.chain.getFinalizedHead();
  const before = await freeAt(api, head, bob.address);
  const caps = {
    gpuModel: 'CPU (reference backend)',
    vramMib: 0,
    devices: 1,
    executors: [{ kind: 'GemmInt8', maxUnits: 1_000_000 }],
  };
  const prices = [{ kind: 'GemmInt8', pricePerUnit: PRICE }];
  const { blockHash, events } = await sendOk(api, api.tx.compute.registerProvider(caps, prices, STAKE), bob, tail);
  const ev = computeEvent(events, 'ProviderRegistered');
  assert.ok(ev, 'ProviderRegistered');
  const deposit = ev.data.deposit.toBigInt();
  assert.equal(ev.data.stake.toBigInt(), STAKE);
  assert.equal(await heldAt(api, blockHash, bob.address, 'Compute', 'ProviderStake'), STAKE);
  assert.equal(await heldAt(api, blockHash, bob.address, 'Compute', 'StorageDeposit'), deposit);
  assert.equal(before - (await freeAt(api, blockHash, bob.address)), STAKE + deposit + fee(events, bob.address));

  const view = await provider.send('compute_provider', [bob.address, blockHash]);
  assert.equal(view.account, bob.address);
  assert.equal(view.stake, STAKE.toString(), 'balances are decimal strings');
  assert.equal(view.status, 'Active');
  assert.equal(view.offers[0].pricePerUnit, PRICE.toString());
  const quote = await provider.send('compute_quote', ['GemmInt8', 1000, 1, null, blockHash]);
  assert.equal(quote.budget, (1000n * PRICE).toString());
  assert.equal(quote.providers[0].provider, bob.address);
  const page = await provider.send('compute_providers', ['GemmInt8', null, 10, blockHash]);
  assert.ok(page.some((p) => p.account === bob.address));
  await assert.rejects(provider.send('compute_providers', [null, null, 0, blockHash]), /limit/);
});

test('a job goes through submit, accept, attest and the challenge window, and settles', async () => {
  const budget = 10n * AIR;
  const maxUnits = 1000n;
  const usage = 600n;

  // Submit: budget in escrow, deposit on hold.
  const s = await sendOk(api, api.tx.compute.submitJob(spec(maxUnits), budget, 20, 1), charlie, tail);
  const submitted = computeEvent(s.events, 'JobSubmitted');
  const job = submitted.data.job.toNumber();
  assert.equal(await heldAt(api, s.blockHash, charlie.address, 'Compute', 'JobEscrow'), budget);
  const jobDeposit = await heldAt(api, s.blockHash, charlie.address, 'Compute', 'StorageDeposit');
  assert.ok(jobDeposit > 0n);
  const viaApi = await (await api.at(s.blockHash)).call.computeApi.job(job);
  assert.equal(viaApi.unwrap().phase.toString(), 'Open');

  // Accept: the provider's price times max_units is reserved.
  const a = await sendOk(api, api.tx.compute.acceptJob(job), bob, tail);
  const assigned = computeEvent(a.events, 'JobAssigned');
  assert.equal(assigned.data.provider.toString(), bob.address);
  assert.equal(assigned.data.pricePerUnit.toBigInt(), PRICE);
  let view = await provider.send('compute_job', [job, a.blockHash]);
  assert.equal(view.reserved, (PRICE * maxUnits).toString());
  assert.equal(view.slots.length, 1);

  // Attest: the challenge window opens.
  const outputHash = blake2AsHex('C = A x B');
  const t = await sendOk(api, api.tx.compute.submitAttestation(job, outputHash, usage), bob, tail);
  const window = computeEvent(t.events, 'ChallengePeriodStarted');
  assert.equal(window.data.outputHash.toHex(), outputHash);
  view = await provider.send('compute_job', [job, t.blockHash]);
  assert.equal(view.phase, 'Challengeable');

  // Settlement when the window closes (on_initialize), with nobody challenging.
  const settled = await waitForEvent(api, (e) => api.events.compute.JobSettled.is(e) && e.data.job.toNumber() === job);
  const prev = await parentOf(api, settled.blockHash);
  const payment = usage * PRICE;
  const protocolFee = (payment * 5n + 99n) / 100n; // 5 %, rounded up
  const paid = computeEvent(settled.events, 'ProviderPaid');
  assert.equal(paid.data.amount.toBigInt(), payment - protocolFee);
  assert.equal(paid.data.fee.toBigInt(), protocolFee);
  const ev = settled.event.data;
  assert.equal(ev.paid.toBigInt(), payment - protocolFee);
  assert.equal(ev.fee.toBigInt(), protocolFee);
  assert.equal(ev.refunded.toBigInt(), budget - payment);

  const delta = async (who) => (await freeAt(api, settled.blockHash, who)) - (await freeAt(api, prev, who));
  assert.equal(await delta(bob.address), payment - protocolFee, 'the provider is paid');
  assert.equal(await delta(charlie.address), budget - payment + jobDeposit, 'the rest and the deposit return');
  assert.equal(await heldAt(api, settled.blockHash, charlie.address, 'Compute', 'JobEscrow'), 0n);
  assert.equal(await heldAt(api, settled.blockHash, charlie.address, 'Compute', 'StorageDeposit'), 0n);
  const burned = ev.burned.toBigInt();
  assert.equal(burned, protocolFee - 2n * ((protocolFee * 40n) / 100n), '20 % of the fee is burnt');
  assert.equal((await issuanceAt(api, prev)) - (await issuanceAt(api, settled.blockHash)), burned);
  assert.equal(await provider.send('compute_job', [job, settled.blockHash]), null, 'an ended job is gone');
  const p = await provider.send('compute_provider', [bob.address, settled.blockHash]);
  assert.equal(p.completed, 1);
  assert.equal(p.activeJobs, 0);
});

test('a missed deadline refunds the user in full and slashes the provider', async () => {
  const budget = 5n * AIR;
  const s = await sendOk(api, api.tx.compute.submitJob(spec(1000n), budget, 4, 1), charlie, tail);
  const job = computeEvent(s.events, 'JobSubmitted').data.job.toNumber();
  await sendOk(api, api.tx.compute.acceptJob(job), bob, tail);
  const stakeBefore = (await api.query.compute.providers(bob.address)).unwrap().stake.toBigInt();

  // The provider never attests.
  const refunded = await waitForEvent(api, (e) => api.events.compute.JobRefunded.is(e) && e.data.job.toNumber() === job);
  assert.equal(refunded.event.data.reason.toString(), 'DeadlineMissed');
  assert.equal(refunded.event.data.amount.toBigInt(), budget, JSON.stringify(refunded.event.toHuman()));
  const slashed = computeEvent(refunded.events, 'ProviderSlashed');
  assert.equal(slashed.data.provider.toString(), bob.address);
  assert.equal(slashed.data.reason.toString(), 'Timeout');
  assert.equal(slashed.data.amount.toBigInt(), stakeBefore / 10n, 'SlashOnTimeout is 10 % of the stake');

  const at = refunded.blockHash;
  const prev = await parentOf(api, at);
  const jobDeposit = await heldAt(api, prev, charlie.address, 'Compute', 'StorageDeposit');
  assert.equal((await freeAt(api, at, charlie.address)) - (await freeAt(api, prev, charlie.address)), budget + jobDeposit);
  assert.equal(await heldAt(api, at, charlie.address, 'Compute', 'JobEscrow'), 0n);
  assert.equal(await heldAt(api, at, bob.address, 'Compute', 'ProviderStake'), stakeBefore - stakeBefore / 10n);
  const record = (await api.query.compute.providers(bob.address)).unwrap();
  assert.equal(record.reputation.timedOut.toNumber(), 1);
});

test('bad input is refused with a named error and changes nothing', async () => {
  const head = await api.rpc.chain.getFinalizedHead();
  const escrowBefore = await heldAt(api, head, charlie.address, 'Compute', 'JobEscrow');
  const r = await sendAndFinalize(api.tx.compute.submitJob(spec(1000n), AIR, 1, 1), charlie, tail);
  assert.ok(r.dispatchError?.isModule);
  const meta = api.registry.findMetaError(r.dispatchError.asModule);
  assert.equal(`${meta.section}.${meta.name}`, 'compute.DeadlineTooSoon');
  assert.equal(await heldAt(api, r.blockHash, charlie.address, 'Compute', 'JobEscrow'), escrowBefore);
});
