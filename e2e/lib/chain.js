// Helpers shared by the e2e tests: submitting transactions until finalized, waiting for events
// in finalized blocks, and reading balances and holds at a given block.

import assert from 'node:assert/strict';

export const AIR = 10n ** 12n;
export const TX_TIMEOUT_MS = 120_000;

/**
 * Signs and sends `tx`, resolves when its block is finalized with { blockHash, events,
 * dispatchError }, rejects on an invalid/dropped transaction or after a deadline. `logTail`
 * (optional) adds the node's log to the timeout error; `options` go to `signAndSend` (e.g. an
 * explicit `nonce` to send several transactions at once).
 */
export function sendAndFinalize(tx, signer, logTail = () => '', options = {}) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    const timer = setTimeout(() => {
      unsub();
      reject(new Error(`not finalized within ${TX_TIMEOUT_MS} ms; node log:\n${logTail()}`));
    }, TX_TIMEOUT_MS);
    tx.signAndSend(signer, options, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        clearTimeout(timer);
        unsub();
        reject(new Error(`transaction ${status.type}`));
      } else if (status.isFinalized) {
        clearTimeout(timer);
        unsub();
        resolve({ blockHash: status.asFinalized, events, dispatchError });
      }
    }).then((u) => { unsub = u; }, (e) => { clearTimeout(timer); reject(e); });
  });
}

/** Like `sendAndFinalize`, and asserts that the dispatch succeeded (naming the module error). */
export async function sendOk(api, tx, signer, logTail) {
  const r = await sendAndFinalize(tx, signer, logTail);
  if (r.dispatchError) {
    let what = r.dispatchError.type;
    if (r.dispatchError.isModule) {
      const meta = api.registry.findMetaError(r.dispatchError.asModule);
      what = `${meta.section}.${meta.name}`;
    }
    assert.fail(`${tx.method.section}.${tx.method.method} failed: ${what}`);
  }
  return r;
}

/**
 * Waits until a finalized block holds an event for which `predicate(event)` is true; resolves
 * with { blockHash, event, events }. Scans every finalized block from the current one on.
 */
export function waitForEvent(api, predicate, timeoutMs = 180_000) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    let done = false;
    let lastError;
    const timer = setTimeout(() => {
      done = true;
      unsub();
      reject(new Error(`no matching event within ${timeoutMs} ms${lastError ? `; last error: ${lastError}` : ''}`));
    }, timeoutMs);
    api.rpc.chain.subscribeFinalizedHeads(async (header) => {
      if (done) return;
      const blockHash = header.hash;
      try {
        const events = await (await api.at(blockHash)).query.system.events();
        const found = events.find(({ event }) => predicate(event));
        if (found && !done) {
          done = true;
          clearTimeout(timer);
          unsub();
          resolve({ blockHash, event: found.event, events });
        }
      } catch (e) {
        // A block whose events cannot be read (e.g. while @polkadot/api swaps metadata around a
        // runtime upgrade) is reported with the timeout, not thrown from this callback, where
        // nothing could catch it.
        lastError = `block ${blockHash.toHex()}: ${e.message}`;
      }
    }).then((u) => { unsub = u; if (done) u(); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

/** The fee the signer paid, from a TransactionFeePaid event. */
export function feePaid(api, events, who) {
  const ev = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event)
    && event.data.who.toString() === who);
  assert.ok(ev, 'a TransactionFeePaid event for the signer');
  return ev.event.data.actualFee.toBigInt();
}

/**
 * Total issuance at a block, net of the era inflation staking has minted so far
 * (`staking.totalInflationMinted`), so a difference between two blocks counts only what
 * transactions created or destroyed even when an era ended in between.
 */
export async function issuanceAt(api, blockHash) {
  const at = await api.at(blockHash);
  const issuance = (await at.query.balances.totalIssuance()).toBigInt();
  return issuance - (await at.query.staking.totalInflationMinted()).toBigInt();
}

/** The era inflation minted to the treasury in a block (`staking.EraPaid`; 0 when no era ended). */
export async function treasuryInflationAt(api, blockHash) {
  const events = await (await api.at(blockHash)).query.system.events();
  return events
    .filter(({ event }) => event.section === 'staking' && event.method === 'EraPaid')
    .reduce((sum, { event }) => sum + event.data.toTreasury.toBigInt(), 0n);
}

/** The staking pot's share of a protocol fee that pallet-compute's `FeeToStakers` (40 %) splits. */
export function toStakers(fee) {
  return (fee * 40n) / 100n;
}

export async function freeAt(api, blockHash, address) {
  const at = await api.at(blockHash);
  return (await at.query.system.account(address)).data.free.toBigInt();
}

/** The amount `address` has on hold for `{ [pallet]: reason }` at `blockHash` (0 if none). */
export async function heldAt(api, blockHash, address, pallet, reason) {
  const at = await api.at(blockHash);
  const holds = await at.query.balances.holds(address);
  const hold = holds.find((h) => {
    // `{ compute: 'ProviderStake' }`: the runtime's hold reason, keyed by pallet.
    const [key, value] = Object.entries(h.id.toJSON() ?? {})[0] ?? [];
    return key?.toLowerCase() === pallet.toLowerCase() && value === reason;
  });
  return hold ? hold.amount.toBigInt() : 0n;
}

/** The parent of `blockHash`. */
export async function parentOf(api, blockHash) {
  return (await api.rpc.chain.getHeader(blockHash)).parentHash;
}
