// Staking against a real dev node (`fast-runtime`: a session is 5 blocks, an era 2 sessions), as
// a user does it from polkadot.js apps' Extrinsics tab, with @polkadot/api:
// - bad input is refused with the named error and changes nothing: bonding below the minimum,
//   nominating an account that is not a validator candidate, unbonding more than bonded, a
//   payout for an era that has not ended;
// - Bob bonds 1,000 AIR and nominates Alice (the dev chain's only validator); from the next
//   planned era his share is in Alice's paged exposure;
// - when that era ends, `EraPaid` records its reward, Charlie (anyone) pays out Alice's page 0,
//   and Alice and Bob get exactly their pro-rata parts (Alice authored every point, commission
//   0 %), computed here from the exposure; a second payout of the page is `AlreadyClaimed`;
// - the `StakingApi` runtime API reports Bob's ledger and, before the payout, his pending reward;
// - Bob unbonds half: the ledger shows the unlocking chunk and withdrawing early is refused.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode } from '../lib/node.js';
import { AIR, sendAndFinalize, sendOk, waitForEvent } from '../lib/chain.js';

const BOND = 1_000n * AIR;

let node;
let api;
let alice;
let bob;
let charlie;
const s = {};

before(async () => {
  await cryptoWaitReady();
  node = await startNode({ chain: 'dev' });
  api = await ApiPromise.create({ provider: new WsProvider(node.wsUrl), throwOnConnect: true, noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  charlie = keyring.addFromUri('//Charlie');
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

const tail = () => node?.logTail() ?? '';

/** Sends `tx` and asserts it failed with `staking.<name>` and left Bob's ledger as it was. */
async function refused(tx, signer, name) {
  const before = (await api.query.staking.ledger(signer.address)).toJSON();
  const { dispatchError } = await sendAndFinalize(tx, signer, tail);
  assert.ok(dispatchError?.isModule, `${tx.method.method} must fail`);
  const meta = api.registry.findMetaError(dispatchError.asModule);
  assert.equal(`${meta.section}.${meta.name}`, `staking.${name}`);
  assert.deepEqual((await api.query.staking.ledger(signer.address)).toJSON(), before, 'nothing changed');
}

test('bad staking input is refused with the named error and changes nothing', async () => {
  await refused(api.tx.staking.bond(1n), bob, 'InsufficientBond');
  await sendOk(api, api.tx.staking.bond(BOND), bob, tail);
  await refused(api.tx.staking.nominate([charlie.address]), bob, 'NotACandidate');
  await refused(api.tx.staking.unbond(BOND + 1n), bob, 'NotEnoughBonded');
  // An era that has not ended (the next one: the active era may end while the test runs).
  const active = (await api.query.staking.activeEra()).unwrap().index.toNumber();
  await refused(api.tx.staking.payoutStakers(alice.address, active + 1, 0), bob, 'EraNotFinished');
});

test('a nominator is exposed from the next era and paid its pro-rata share', async () => {
  const { blockHash } = await sendOk(api, api.tx.staking.nominate([alice.address]), bob, tail);
  const nominatedIn = (await (await api.at(blockHash)).query.staking.currentEra()).unwrap().toNumber();

  // The first era planned after the nomination exposes Bob behind Alice.
  const planned = await waitForEvent(api, (event) =>
    event.section === 'staking' && event.method === 'EraPlanned' && event.data.era.toNumber() > nominatedIn);
  const era = planned.event.data.era.toNumber();
  const overview = (await api.query.staking.erasStakersOverview(era, alice.address)).unwrap();
  const page = (await api.query.staking.erasStakersPaged(era, alice.address, 0)).unwrap();
  const bobExposure = page.find((e) => e.who.toString() === bob.address);
  assert.ok(bobExposure, 'Bob is in page 0 of Alice\'s exposure');
  assert.equal(bobExposure.value.toBigInt(), BOND, 'one target: his whole bond backs Alice');
  assert.equal(overview.total.toBigInt(), overview.own.toBigInt() + BOND);

  // Era `era` ends: its reward is fixed.
  const paid = await waitForEvent(api, (event) =>
    event.section === 'staking' && event.method === 'EraPaid' && event.data.era.toNumber() === era);
  const reward = paid.event.data.toStakers.toBigInt();
  assert.ok(reward > 0n, 'the era minted a reward');
  assert.ok(paid.event.data.inflation.toBigInt() >= reward - paid.event.data.fromFees.toBigInt());

  // Alice authored every block of the era, so she earned every point: the whole reward is hers
  // and her nominators', pro rata to stake (commission 0 %).
  const points = await api.query.staking.erasRewardPoints(era);
  assert.equal(points.unwrap().total.toNumber(), points.unwrap().individual.toJSON()[alice.address]);
  const total = overview.total.toBigInt();
  const expectBob = (reward * BOND) / total;
  const expectAlice = (reward * overview.own.toBigInt()) / total;

  const pending = (await api.call.stakingApi.pendingRewards(bob.address)).toJSON();
  const mine = pending.find((p) => p.era === era);
  assert.ok(mine, `Bob has a pending reward for era ${era}: ${JSON.stringify(pending)}`);
  assert.equal(BigInt(mine.amount), expectBob);

  const r = await sendOk(api, api.tx.staking.payoutStakers(alice.address, era, 0), charlie, tail);
  const rewarded = r.events
    .filter(({ event }) => event.section === 'staking' && event.method === 'Rewarded')
    .map(({ event }) => [event.data.stash.toString(), event.data.amount.toBigInt()]);
  assert.deepEqual(new Map(rewarded), new Map([[alice.address, expectAlice], [bob.address, expectBob]]));
  await refused(api.tx.staking.payoutStakers(alice.address, era, 0), charlie, 'AlreadyClaimed');
  s.era = era;
});

test('the runtime API shows the ledger; unbonding queues a chunk that cannot leave early', async () => {
  await sendOk(api, api.tx.staking.unbond(BOND / 2n), bob, tail);
  const view = (await api.call.stakingApi.ledger(bob.address)).toJSON();
  assert.equal(BigInt(view.active), BOND / 2n);
  assert.equal(BigInt(view.total), BOND);
  assert.equal(view.unlocking.length, 1);
  assert.equal(BigInt(view.unlocking[0][0]), BOND / 2n);
  assert.ok(view.role.nominator, 'still nominating');
  await refused(api.tx.staking.withdrawUnbonded(), bob, 'NothingToWithdraw');
  const summary = (await api.call.stakingApi.summary()).toJSON();
  assert.ok(summary.activeEra > s.era);
  assert.ok(BigInt(summary.totalStaked) > 0n);
});
