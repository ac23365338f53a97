// The node's command line and the test harness' failure handling: chain specs come from the
// runtime presets with AIR's properties, and a node that cannot start fails fast with its log.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBinary, startNode } from '../lib/node.js';

function exportSpec(chain) {
  const out = execFileSync(nodeBinary(), ['export-chain-spec', '--chain', chain], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20,
  });
  return JSON.parse(out);
}

for (const [chain, id, validators] of [['dev', 'airtime_dev', 1], ['local', 'airtime_local', 4]]) {
  test(`export-chain-spec --chain ${chain} is built from the runtime preset`, () => {
    const spec = exportSpec(chain);
    assert.equal(spec.id, id);
    assert.deepEqual(spec.properties, { tokenSymbol: 'AIR', tokenDecimals: 12, ss58Format: 42 });
    assert.deepEqual(spec.telemetryEndpoints ?? null, null, 'no telemetry unless asked for');
    const patch = spec.genesis.runtimeGenesis.patch;
    // The validators are staking candidates whose Aura and GRANDPA keys pallet-session hands to
    // the consensus pallets (which have no genesis authorities of their own).
    assert.equal(patch.session.keys.length, validators);
    assert.equal(patch.staking.stakers.length, validators);
    assert.equal(patch.staking.validatorCount, validators);
    for (const [stash, controller, , role] of patch.staking.stakers) {
      assert.equal(stash, controller);
      assert.equal(role, 'Validator');
    }
    assert.equal(patch.aura, undefined);
    assert.equal(patch.grandpa, undefined);
    assert.equal(patch.sudo, undefined, 'no sudo: Root is a referendum');
  });
}

test('a bad chain spec makes the node fail fast, with its log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtime-bad-spec-'));
  try {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"name": "broken"');
    await assert.rejects(startNode({ chain: bad, readyTimeoutMs: 60_000 }), (err) => {
      assert.match(err.message, /exited/);
      assert.match(err.message, /log tail/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a taken RPC port makes the node fail fast, with its log', async () => {
  const blocker = createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const { port } = blocker.address();
  try {
    await assert.rejects(startNode({ chain: 'dev', rpcPort: port, readyTimeoutMs: 60_000 }), (err) => {
      assert.match(err.message, new RegExp(`could not bind RPC port ${port} \\(taken\\)`));
      assert.match(err.message, /log tail/);
      return true;
    });
  } finally {
    blocker.close();
  }
});
