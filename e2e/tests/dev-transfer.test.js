// End to end: the built `airtime-node --chain dev` through @polkadot/api, with nothing but the
// chain's metadata (no custom types).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { mnemonicGenerate, cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode } from '../lib/node.js';
import {
  AIR,
  sendAndFinalize as sendAndFinalizeTx,
  feePaid as feePaidBy,
  issuanceAt as issuanceAtBlock,
  freeAt as freeAtBlock,
} from '../lib/chain.js';

let node;
let api;
let keyring;

before(async () => {
  await cryptoWaitReady();
  node = await startNode({ chain: 'dev' });
  api = await ApiPromise.create({ provider: new WsProvider(node.wsUrl), throwOnConnect: true, noInitWarn: true });
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

function sendAndFinalize(tx, signer) {
  return sendAndFinalizeTx(tx, signer, () => node.logTail());
}

function feePaid(events, who) {
  return feePaidBy(api, events, who);
}

function issuanceAt(blockHash) {
  return issuanceAtBlock(api, blockHash);
}

function freeAt(blockHash, address) {
  return freeAtBlock(api, blockHash, address);
}

test('chain properties announce AIR with 12 decimals and SS58 42', async () => {
  const props = await api.rpc.system.properties();
  assert.deepEqual(props.tokenSymbol.unwrap().map(String), ['AIR']);
  assert.deepEqual(props.tokenDecimals.unwrap().map((d) => d.toNumber()), [12]);
  assert.equal(props.ss58Format.unwrap().toNumber(), 42);
  assert.deepEqual(api.registry.chainTokens, ['AIR']);
  assert.deepEqual(api.registry.chainDecimals, [12]);
  assert.equal(api.runtimeVersion.specName.toString(), 'airtime');
  assert.equal(api.consts.balances.existentialDeposit.toBigInt(), AIR / 100n);
});

test('a transfer from Alice to a new account is finalized; the fee goes 20 % to the author, 80 % burned', async () => {
  const alice = keyring.addFromUri('//Alice');
  const fresh = keyring.addFromUri(mnemonicGenerate());
  const amount = 5n * AIR;

  const head = await api.rpc.chain.getFinalizedHead();
  const aliceBefore = await freeAt(head, alice.address);
  const issuanceBefore = await issuanceAt(head);
  assert.equal(await freeAt(head, fresh.address), 0n);

  const tx = api.tx.balances.transferKeepAlive(fresh.address, amount);
  const estimate = (await tx.paymentInfo(alice)).partialFee.toBigInt();
  const { blockHash, events, dispatchError } = await sendAndFinalize(tx, alice);
  assert.equal(dispatchError, undefined);
  assert.ok(events.some(({ event }) => api.events.balances.Transfer.is(event)
    && event.data.to.toString() === fresh.address && event.data.amount.toBigInt() === amount));

  const fee = feePaid(events, alice.address);
  assert.ok(fee > 0n, 'a fee is charged');
  assert.ok(fee <= estimate, `fee ${fee} within the estimate ${estimate}`);

  // On the dev chain Alice authors every block, so she gets the author's 20 % of her own fee
  // back; the other 80 % is burned. No other transaction ran in between (tests run in order).
  const toAuthor = (fee * 20n) / 100n;
  assert.equal(await freeAt(blockHash, fresh.address), amount);
  assert.equal(aliceBefore - (await freeAt(blockHash, alice.address)), amount + fee - toAuthor);
  assert.equal(issuanceBefore - (await issuanceAt(blockHash)), fee - toAuthor);
});

test('a transfer beyond the balance fails with a decoded token error and moves only the fee', async () => {
  const charlie = keyring.addFromUri('//Charlie');
  const dest = keyring.addFromUri(mnemonicGenerate());
  const head = await api.rpc.chain.getFinalizedHead();
  const before = await freeAt(head, charlie.address);

  const tx = api.tx.balances.transferAllowDeath(dest.address, before + 1n);
  const { blockHash, events, dispatchError } = await sendAndFinalize(tx, charlie);
  assert.ok(dispatchError, 'the dispatch failed');
  assert.ok(dispatchError.isToken, `a token error, got ${dispatchError.type}`);
  assert.equal(dispatchError.asToken.type, 'FundsUnavailable');
  assert.ok(events.some(({ event }) => api.events.system.ExtrinsicFailed.is(event)));

  const fee = feePaid(events, charlie.address);
  assert.equal(before - (await freeAt(blockHash, charlie.address)), fee);
  assert.equal(await freeAt(blockHash, dest.address), 0n);
});

test('a transfer through a proxy that was never granted fails with the decoded module error', async () => {
  const dave = keyring.addFromUri('//Dave');
  const eve = keyring.addFromUri('//Eve');
  const dest = keyring.addFromUri(mnemonicGenerate());
  const head = await api.rpc.chain.getFinalizedHead();
  const eveBefore = await freeAt(head, eve.address);
  const daveBefore = await freeAt(head, dave.address);

  // Dave tries to move Eve's AIR without being her proxy.
  const inner = api.tx.balances.transferKeepAlive(dest.address, AIR);
  const { blockHash, events, dispatchError } = await sendAndFinalize(api.tx.proxy.proxy(eve.address, null, inner), dave);
  assert.ok(dispatchError?.isModule, `a module error, got ${dispatchError?.type}`);
  const meta = api.registry.findMetaError(dispatchError.asModule);
  assert.equal(meta.section, 'proxy');
  assert.equal(meta.name, 'NotProxy');
  assert.ok(meta.docs.join(' ').length > 0, 'the error carries its docs from metadata');

  assert.equal(await freeAt(blockHash, eve.address), eveBefore, "Eve's AIR did not move");
  assert.equal(await freeAt(blockHash, dest.address), 0n);
  assert.equal(daveBefore - (await freeAt(blockHash, dave.address)), feePaid(events, dave.address));
});
