// Starts and stops a real `airtime-node` for end-to-end tests.
//
// The node runs on free ports in its own temporary base path. Readiness is awaited by polling the
// RPC endpoint with a bounded deadline (no fixed sleeps); a node that exits early or never
// becomes ready fails the test with the tail of its log. `stop()` kills the process and removes
// the temporary directory whatever the outcome.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';

/** Path of the built node: $AIRTIME_NODE, else the shared cargo target directory. */
export function nodeBinary() {
  if (process.env.AIRTIME_NODE) return process.env.AIRTIME_NODE;
  const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'airtime', 'target');
  return join(target, 'release', 'airtime-node');
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function rpcReady(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_health', params: [] }),
      signal: AbortSignal.timeout(2000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Starts `airtime-node --chain <chain>` (default `dev`) and resolves once its RPC answers.
 * Returns { wsUrl, rpcPort, logFile, stop }.
 */
export async function startNode({ chain = 'dev', readyTimeoutMs = 120_000, extraArgs = [], rpcPort: fixedRpcPort } = {}) {
  const bin = nodeBinary();
  if (!existsSync(bin)) {
    throw new Error(`airtime-node not found at ${bin}: build it with scripts/test.sh (or set AIRTIME_NODE)`);
  }
  const base = mkdtempSync(join(tmpdir(), 'airtime-e2e-'));
  const logFile = join(base, 'node.log');
  const rpcPort = fixedRpcPort ?? (await freePort());
  const [p2pPort, promPort] = [await freePort(), await freePort()];
  const args = [
    '--chain', chain, '--alice', '--validator', '--force-authoring',
    '--base-path', join(base, 'data'),
    '--rpc-port', String(rpcPort), '--port', String(p2pPort),
    '--prometheus-port', String(promPort), '--no-telemetry', '--no-mdns',
    '--unsafe-force-node-key-generation',
    ...extraArgs,
  ];
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);

  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const killed = await Promise.race([
        new Promise((r) => child.once('exit', () => r(true))),
        new Promise((r) => setTimeout(() => r(false), 10_000).unref()),
      ]);
      if (!killed) child.kill('SIGKILL');
    }
    rmSync(base, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (!(await rpcReady(rpcPort))) {
    // When the RPC port is taken the node does not exit: it serves on a random port instead.
    // Fail at once rather than talk to whatever holds the port.
    const served = /Running JSON-RPC server: addr=(\S+)/.exec(tail(logFile, 200));
    const fellBack = served && !served[1].split(',').includes(`127.0.0.1:${rpcPort}`);
    if (exited || fellBack || Date.now() > deadline) {
      const why = exited
        ? `exited (${JSON.stringify(exited)})`
        : fellBack
          ? `could not bind RPC port ${rpcPort} (taken), it serves on ${served[1]} instead`
          : `not ready after ${readyTimeoutMs} ms`;
      const log = tail(logFile);
      await stop();
      throw new Error(`airtime-node ${why}; log tail:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { wsUrl: `ws://127.0.0.1:${rpcPort}`, rpcPort, logFile, stop, logTail: () => tail(logFile) };
}

/**
 * Path of the `upgrade-test` runtime wasm (this runtime, `spec_version` + 1) that the runtime's
 * build script writes next to the main wasm when built with `fast-runtime`:
 * $AIRTIME_UPGRADE_WASM, else `<dir of the node>/wbuild/airtime-runtime/…`.
 */
export function upgradeWasmPath() {
  if (process.env.AIRTIME_UPGRADE_WASM) return process.env.AIRTIME_UPGRADE_WASM;
  return join(
    nodeBinary(), '..', 'wbuild', 'airtime-runtime',
    'upgrade_test_wasm_binary.rs.compact.compressed.wasm',
  );
}
