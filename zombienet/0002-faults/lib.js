// Helpers shared by the 0002-faults js-scripts (not a js-script itself).
//
// zombienet `require`s every js-script into its own Node process (test-runner/assertions.js,
// CustomJs), so this module is loaded once per test run and `state` carries what one step
// recorded (a kill time, pre-kill heights) to a later step.
//
// Nodes are queried with plain JSON-RPC over HTTP (the node serves HTTP and WebSocket on its RPC
// port): every call stands alone, fails fast while a node is down or restarting, and never
// leaves a reconnecting WebSocket behind.
const fs = require('fs');
const path = require('path');

/** `MILLISECS_PER_BLOCK` (primitives/src/lib.rs): the Aura slot. */
const SLOT_MS = 6000;

/** Carried between steps: see the scripts that set each field. */
const state = { kills: [] };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function log(tag, msg) {
  console.log(`[0002-faults ${new Date().toISOString().slice(11, 23)}] ${tag}: ${msg}`);
}

let rpcId = 0;
async function rpc(node, method, params = [], timeoutMs = 3000) {
  const res = await fetch(node.wsUri.replace(/^ws/, 'http'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${node.name} ${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** Best and finalized height of a node (finalized read first, so finalized <= best). */
async function heights(node, timeoutMs = 3000) {
  const finalizedHash = await rpc(node, 'chain_getFinalizedHead', [], timeoutMs);
  const [best, finalized] = await Promise.all([
    rpc(node, 'chain_getHeader', [], timeoutMs),
    rpc(node, 'chain_getHeader', [finalizedHash], timeoutMs),
  ]);
  return { best: Number(best.number), finalized: Number(finalized.number), finalizedHash };
}

const hashAt = (node, number) => rpc(node, 'chain_getBlockHash', [number]);

/**
 * Polls `check` every `everyMs` until it returns something other than undefined/false and
 * returns that. A throwing `check` (node down, RPC not up yet) counts as "not yet", unless the
 * error has `fatal: true`, which ends the wait. The DSL's
 * `within N seconds` bounds the whole script; `timeoutMs` gives a clearer error first.
 */
async function until(what, check, timeoutMs, everyMs = 500) {
  const start = Date.now();
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      if (e.fatal) throw e;
      lastError = e;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}` +
        (lastError ? ` (last error: ${lastError.message})` : ''));
    }
    await sleep(everyMs);
  }
}

// ---- the node processes (native provider) ---------------------------------------------------
//
// The native provider runs `bash -c "<node command line>"`; bash execs a single simple command,
// so the pid zombienet keeps (and signals) is the airtime-node process itself. Each node's command
// line holds `--base-path <tmpDir>/<name>/data`, unique to this network, which is how we find it.

function procState(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2]; // R, S, D, T (stopped), Z (zombie), ...
  } catch (e) {
    return null; // gone
  }
}

const isGone = (pid) => ['Z', 'X', null].includes(procState(pid));

function findPid(networkInfo, name) {
  const want = path.resolve(networkInfo.tmpDir, name, 'data');
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv;
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch (e) {
      continue;
    }
    const i = argv.indexOf('--base-path');
    const basePath = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith('--base-path=')) || '').slice(12);
    if (basePath && path.resolve(basePath) === want && !isGone(Number(entry))) return Number(entry);
  }
  return null;
}

/** The node's log file: the native provider appends every (re)start's output to it. */
const nodeLog = (networkInfo, name) =>
  fs.readFileSync(path.join(networkInfo.tmpDir, `${name}.log`), 'utf8');

/**
 * Subscribes to a node's best and finalized heads over a WebSocket that does not reconnect
 * (autoConnectMs 0): when the node dies the socket just closes. `onHead(kind, number)`.
 */
async function subscribeHeads(WsProvider, node, onHead) {
  const provider = new WsProvider(node.wsUri, 0);
  await provider.connect();
  await Promise.race([
    provider.isReady,
    sleep(10_000).then(() => {
      throw new Error(`${node.name}: WebSocket did not open within 10 s`);
    }),
  ]);
  const cb = (kind) => (error, header) => {
    if (!error && header) onHead(kind, Number(header.number));
  };
  await provider.subscribe('chain_newHead', 'chain_subscribeNewHeads', [], cb('best'));
  await provider.subscribe('chain_finalizedHead', 'chain_subscribeFinalizedHeads', [], cb('finalized'));
  return provider;
}

module.exports = {
  SLOT_MS,
  state,
  sleep,
  log,
  rpc,
  heights,
  hashAt,
  until,
  procState,
  isGone,
  findPid,
  nodeLog,
  subscribeHeads,
};
