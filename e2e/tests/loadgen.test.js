// The load generator (gpu-worker/src/bin/airtime-loadgen) against a real dev node: its bad input
// is refused with the named RPC errors and the node keeps working, and a short mixed run (light
// load, far below capacity: this checks behaviour, not throughput) gets every transaction into a
// finalized block with no dispatch failure and completes purchases and redeems. The throughput
// figures come from scripts/load.sh, not from here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeBinary, startNode } from '../lib/node.js';

const loadgen = () => join(dirname(nodeBinary()), 'airtime-loadgen');

/** Runs the load generator to completion; resolves with its exit code and output. */
function runLoadgen(args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(loadgen(), args, { timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, RUST_LOG: 'warn' } },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 'killed') : 0, stdout, stderr }));
  });
}

test('the load generator: bad input is refused by name, a mixed run is included in full', { timeout: 720_000 }, async () => {
  const node = await startNode();
  const dir = mkdtempSync(join(tmpdir(), 'airtime-loadgen-'));
  try {
    const bad = join(dir, 'bad.json');
    const r1 = await runLoadgen(['--url', node.wsUrl, '--scenario', 'bad-input', '--no-fund', '--json', bad], 240_000);
    assert.equal(r1.code, 0, `bad-input failed:\n${r1.stdout}\n${r1.stderr}`);
    const { cases, node_alive: alive, liveness } = JSON.parse(readFileSync(bad, 'utf8')).bad_input;
    // Every case the generator knows, each with the error it expects, and the node alive after.
    assert.ok(cases.length >= 11, `only ${cases.length} bad-input cases ran`);
    for (const c of cases) assert.equal(c.pass, true, `${c.case}: expected ${c.expected}, got ${c.got}`);
    assert.equal(alive, true, `the node after the bad input: ${liveness}`);
    assert.ok(cases.some((c) => /^1010/.test(c.got) && /bad signature/i.test(c.got)));
    assert.ok(cases.some((c) => /outdated/i.test(c.got)));

    const mixed = join(dir, 'mixed.json');
    const r2 = await runLoadgen(['--url', node.wsUrl, '--scenario', 'mixed', '--accounts', '40',
      '--rate', '60', '--duration', '30', '--senders', '8', '--json', mixed], 420_000);
    assert.equal(r2.code, 0, `mixed run failed:\n${r2.stdout}\n${r2.stderr}`);
    const [run] = JSON.parse(readFileSync(mixed, 'utf8')).runs;
    assert.equal(run.scenario, 'mixed');
    assert.ok(run.sent > 0);
    assert.equal(run.rejected, 0, `refused at submission: ${JSON.stringify(run.rejected_by_reason)}`);
    assert.deepEqual(run.transport_errors, {}, 'no submission was lost on the way to the node');
    assert.equal(run.included, run.accepted, 'every accepted transaction reached a block');
    assert.equal(run.finalized, run.included, 'and a finalized one');
    assert.equal(run.dispatch_failed, 0, `dispatch failures: ${JSON.stringify(run.dispatch_failures)}`);
    for (const call of ['balances.transfer_keep_alive', 'compute.submit_job', 'credits.redeem', 'data_market.buy_access']) {
      assert.ok((run.sent_by_call[call] ?? 0) > 0, `no ${call} sent: ${JSON.stringify(run.sent_by_call)}`);
    }
    assert.ok(run.completed.redeems > 0);
    assert.ok(run.completed.purchases_completed > 0, 'a purchase went through to the key delivery');
    assert.ok(run.finality_lag_blocks.max <= 3, `finality lag ${run.finality_lag_blocks.max} blocks`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await node.stop();
  }
});
