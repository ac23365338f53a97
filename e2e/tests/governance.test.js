// End to end: governance as a voter does it from polkadot.js apps (same extrinsics), on the
// `fast-runtime` dev node, where a referendum takes minutes instead of weeks.
//
// 1. A ComputeAdmin referendum changes pallet-compute's protocol fee through pallet-parameters,
//    while the same call signed by an account fails with BadOrigin.
// 2. A runtime upgrade by referendum: note the preimage of `system.setCode(upgrade wasm)`, submit
//    it on the root track, place the decision deposit, vote with conviction from several
//    accounts; it confirms, is enacted, the chain runs the new `spec_version` and keeps
//    finalizing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { cryptoWaitReady, blake2AsHex } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { startNode, upgradeWasmPath } from '../lib/node.js';
import { AIR, sendOk, sendAndFinalize, waitForEvent } from '../lib/chain.js';

const VOTE = 900_000n * AIR;

let node;
let api;
let k;

before(async () => {
  await cryptoWaitReady();
  node = await startNode({ chain: 'dev' });
  api = await ApiPromise.create({
    provider: new WsProvider(node.wsUrl),
    throwOnConnect: true,
    noInitWarn: true,
  });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  k = Object.fromEntries(
    ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]),
  );
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

const tail = () => node?.logTail() ?? '';

/**
 * Proposes `call` for `origin` as apps does: note the preimage, submit with a Lookup proposal,
 * place the decision deposit, then vote aye with conviction from the six dev accounts (900 000
 * AIR each: 45 % support, so the fast tracks' curves are met within a few blocks). Resolves with
 * the referendum index.
 */
async function propose(call, origin, convictions) {
  const bytes = call.method.toHex();
  const len = (bytes.length - 2) / 2;
  const hash = blake2AsHex(bytes);
  await sendOk(api, api.tx.preimage.notePreimage(bytes), k.Alice, tail);
  const { events } = await sendOk(
    api,
    api.tx.referenda.submit(origin, { Lookup: { hash, len } }, { After: 0 }),
    k.Alice,
    tail,
  );
  const submitted = events.find(({ event }) => api.events.referenda.Submitted.is(event)).event;
  const index = submitted.data.index.toNumber();
  await sendOk(api, api.tx.referenda.placeDecisionDeposit(index), k.Alice, tail);
  await Promise.all(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((who, i) => sendOk(
    api,
    api.tx.convictionVoting.vote(index, {
      Standard: { vote: { aye: true, conviction: convictions[i] }, balance: VOTE },
    }),
    k[who],
    tail,
  )));
  const info = await api.query.referenda.referendumInfoFor(index);
  assert.ok(info.unwrap().isOngoing, 'ongoing after the votes');
  return index;
}

test('a ComputeAdmin referendum changes the compute protocol fee; a signed account cannot', async () => {
  const newFee = 70_000_000; // 7 % as Perbill
  const call = api.tx.parameters.setParameter({ Compute: { ProtocolFee: [null, newFee] } });

  // Signed by an account, the same call is refused and changes nothing.
  const direct = await sendAndFinalize(call, k.Alice, tail);
  assert.ok(direct.dispatchError?.isBadOrigin, 'BadOrigin for a signed account');

  const index = await propose(call, { Origins: 'ComputeAdmin' },
    ['None', 'Locked1x', 'Locked1x', 'Locked2x', 'Locked3x', 'Locked6x']);
  const { event } = await waitForEvent(api, (e) => api.events.parameters.Updated.is(e), 300_000);
  assert.equal(event.data.key.toString(), api.createType('AirtimeRuntimeConfigsParametersRuntimeParametersKey', { Compute: 'ProtocolFee' }).toString());
  assert.equal(event.data.newValue.unwrap().asCompute.asProtocolFee.toNumber(), newFee);
  const stored = await api.query.parameters.parameters({ Compute: 'ProtocolFee' });
  assert.equal(stored.unwrap().asCompute.asProtocolFee.toNumber(), newFee);
  const info = (await api.query.referenda.referendumInfoFor(index)).unwrap();
  assert.ok(info.isApproved, `referendum ${index} approved`);
});

test('a root referendum upgrades the runtime; the chain runs the new spec_version and keeps finalizing', async () => {
  const path = upgradeWasmPath();
  assert.ok(existsSync(path), `${path} is built (the runtime's build script, fast-runtime)`);
  const code = u8aToHex(readFileSync(path));
  const before = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();

  await propose(api.tx.system.setCode(code), { system: 'Root' },
    ['Locked1x', 'Locked1x', 'Locked2x', 'Locked3x', 'Locked4x', 'Locked6x']);
  await waitForEvent(api, (e) => api.events.system.CodeUpdated.is(e), 480_000);

  // The next blocks run the new code.
  const deadline = Date.now() + 60_000;
  let after = before;
  while (after === before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2_000));
    after = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();
  }
  assert.equal(after, before + 1, 'spec_version bumped by the upgrade');

  // And it keeps finalizing: three more finalized blocks under the new runtime.
  const start = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  const finalDeadline = Date.now() + 90_000;
  let head = start;
  while (head < start + 3 && Date.now() < finalDeadline) {
    await new Promise((r) => setTimeout(r, 3_000));
    head = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  }
  assert.ok(head >= start + 3, `finality advanced from #${start} to #${head}; node log:\n${tail()}`);
  const version = await api.rpc.state.getRuntimeVersion(await api.rpc.chain.getFinalizedHead());
  assert.equal(version.specVersion.toNumber(), before + 1);
});
