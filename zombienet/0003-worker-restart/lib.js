// Helpers shared by the 0003-worker-restart js-scripts (not a js-script itself).
//
// zombienet `require`s every js-script into its own Node process (test-runner/assertions.js,
// CustomJs), so this module is loaded once per test run: `live` below holds the worker processes
// this run started (their ChildProcess objects, for their exit status). Everything a later step
// needs (the job id, block numbers, the config's path) also goes to `<tmpDir>/worker-0003/
// state.json`, and the running worker's pid to `worker.pid` beside it, so that the final step
// (stop-worker.js) finds the worker even if this module's memory were lost.
//
// The worker is `airtime-worker --config <dir>/worker.toml run`, started as e2e/lib/worker.js
// does it (RUST_LOG=info, NO_COLOR=1), its stdout and stderr appended to `<dir>/run-<n>.log`.
// It is a child of zombienet's process in zombienet's process group (not `detached`): it does
// not block the js-script that started it (`unref`), and whatever ends zombienet ends it too:
//   - the last step, stop-worker.js, sends SIGTERM (SIGKILL after 20 s) to every process whose
//     command line names this run's config;
//   - on `process.exit` (zombienet exits that way once the tests and the teardown are done, pass
//     or fail) the 'exit' handler below SIGKILLs any that still runs;
//   - `timeout 900` in scripts/test.sh signals zombienet's whole process group, and Ctrl-C the
//     terminal's foreground group, the worker included.
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');
const { randomBytes } = require('crypto');

const TAG = '0003-worker-restart';

const AIR = 10n ** 12n;
/** 0.001 AIR per unit (10^6 multiply-accumulates), as e2e/tests/jobs.test.js. */
const PRICE = 1_000_000_000n;
/** The provider's stake (MinProviderStake is 100 AIR). */
const STAKE = 2_000n * AIR;
/** The largest job the worker offers to run. */
const OFFER_MAX_UNITS = 1_000_000;
/**
 * The job the worker is killed in the middle of: C (3072 × 3072) = A (3072 × 3072) · B, int8,
 * 2.9·10^10 multiply-accumulates, 28,992 units: about 4 s on the 2-core CPU of the README's
 * benchmark (15 GOP/s), longer with three nodes beside it. Its output is 36 MiB, served in one
 * response (the worker's default `max_response_bytes` is 64 MiB).
 */
const SHAPE = { m: 3072, n: 3072, k: 3072 };
const SEEDS = { a: 0x5eed_0301, b: 0x5eed_0302 };
/** The job's deadline, in blocks after its submission (10 minutes). */
const DEADLINE = 100;
/** The provider (the worker's seed), the job owner and a stranger whose download is refused. */
const PROVIDER = '//Dave';
const OWNER = '//Eve';
const STRANGER = '//Ferdie';
/** Domain tag of a signed output download (version 2: bound to the worker, single-use). */
const OUTPUT_TAG = 'airtime/output/2';
/** Compute events that must never appear for a job run by an honest provider. */
const FAILURES = [
  'FailureReported',
  'ProviderSlashed',
  'JobRefunded',
  'JobChallenged',
  'VerifierDrawScheduled',
  'DisputeOpened',
];
const WORKER_ENV = { RUST_LOG: 'info', NO_COLOR: '1' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function log(tag, msg) {
  console.log(`[${TAG} ${new Date().toISOString().slice(11, 23)}] ${tag}: ${msg}`);
}

/**
 * Polls `check` every `everyMs` until it returns something other than undefined/false and
 * returns that. A throwing `check` counts as "not yet" unless the error has `fatal: true`.
 */
async function until(what, check, timeoutMs, everyMs = 1000) {
  const start = Date.now();
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false && value !== null) return value;
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

function fatal(message) {
  const e = new Error(message);
  e.fatal = true;
  return e;
}

// ---- this run's directory and state ---------------------------------------------------------

/** `<zombienet tmpDir>/worker-0003`: config, data_dir, inputs, logs, state.json, worker.pid. */
function workDir(networkInfo) {
  return path.join(networkInfo.tmpDir, 'worker-0003');
}

const stateFile = (dir) => path.join(dir, 'state.json');
const pidFile = (dir) => path.join(dir, 'worker.pid');

function loadState(dir) {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), 'utf8'));
  } catch (e) {
    return {};
  }
}

/** Merges `patch` into state.json (written to a temporary file, then renamed). */
function saveState(dir, patch) {
  const next = { ...loadState(dir), ...patch };
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${stateFile(dir)}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(next, null, 2));
  fs.renameSync(tmp, stateFile(dir));
  return next;
}

/** Throws at once (so a failed step does not make the next ones wait out their timeouts). */
function need(state, key, what) {
  if (state[key] === undefined || state[key] === null || state[key] === false) {
    throw new Error(`${what} did not happen (an earlier step failed): nothing to do`);
  }
  return state[key];
}

// ---- the worker binary and its processes ------------------------------------------------------

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch (e) {
    return false;
  }
}

/**
 * `$AIRTIME_WORKER`, else `airtime-worker` on PATH (scripts/test.sh puts the build's release
 * directory there), else next to the first `airtime-node` on PATH.
 */
function workerBinary() {
  if (process.env.AIRTIME_WORKER) {
    if (isExecutable(process.env.AIRTIME_WORKER)) return process.env.AIRTIME_WORKER;
    throw new Error(`AIRTIME_WORKER=${process.env.AIRTIME_WORKER} is not an executable file`);
  }
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  for (const d of dirs) {
    if (isExecutable(path.join(d, 'airtime-worker'))) return path.join(d, 'airtime-worker');
  }
  for (const d of dirs) {
    if (isExecutable(path.join(d, 'airtime-node')) && isExecutable(path.join(d, 'airtime-worker'))) {
      return path.join(d, 'airtime-worker');
    }
  }
  throw new Error('airtime-worker is not on PATH (build it with scripts/test.sh, or set AIRTIME_WORKER)');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function procState(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2]; // R, S, D, T, Z (zombie), X (dead)
  } catch (e) {
    return null; // gone
  }
}

const isGone = (pid) => ['Z', 'X', null].includes(procState(pid));

/** Pids of live processes whose command line has `--config <config>` (any subcommand). */
function pidsWithConfig(config) {
  const want = path.resolve(config);
  const found = [];
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch (e) {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv;
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch (e) {
      continue;
    }
    const i = argv.indexOf('--config');
    const value = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith('--config=')) || '').slice(9);
    if (value && path.resolve(value) === want && !isGone(Number(entry))) found.push(Number(entry));
  }
  return found;
}

/** Worker processes this module started: { run, pid, child, exitInfo, exited, config }. */
const live = [];
/** Configs of this run, for the exit handler's /proc scan. */
const configs = new Set();

// Last resort: zombienet ends with process.exit() (mocha's exit, after the teardown), pass or
// fail; no worker may outlive it. Synchronous, as 'exit' handlers must be.
process.once('exit', () => {
  for (const w of live) {
    if (!w.exitInfo && w.pid) {
      try { process.kill(w.pid, 'SIGKILL'); } catch (e) { /* already gone */ }
    }
  }
  for (const config of configs) {
    for (const pid of pidsWithConfig(config)) {
      try { process.kill(pid, 'SIGKILL'); } catch (e) { /* already gone */ }
    }
  }
});

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** A log file's text, ANSI colours removed ('' when absent). */
function readLog(file) {
  try {
    return fs.readFileSync(file, 'utf8').replace(ANSI, '');
  } catch (e) {
    return '';
  }
}

const logLines = (file) => readLog(file).split('\n');
const tail = (file, n = 40) => logLines(file).slice(-n).join('\n');

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A worker log line with `text` and the field `job=<job>` (in the message or in a span). */
function jobLine(text, job) {
  const id = `\\bjob=${job}\\b`;
  return new RegExp(`${escapeRe(text)}.*${id}|${id}.*${escapeRe(text)}`);
}
const countLines = (file, re) => logLines(file).filter((l) => re.test(l)).length;

/**
 * Waits for a line matching `re` in `file`, reading what was appended every `pollMs` (a few ms:
 * this is how the kill point is caught). Rejects after `timeoutMs`, at a line matching `failOn`,
 * or once `dead()` is true and the file has nothing new. Resolves with { line, seenAt }.
 */
async function waitForLine(file, re, { timeoutMs, pollMs = 5, dead = () => false, failOn = null }) {
  const start = Date.now();
  let offset = 0;
  let partial = '';
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    // Whether the writer was gone before this read: then nothing new will come after it.
    const wasDead = dead();
    let chunk = '';
    let fd = null;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      // not created yet
    }
    if (fd !== null) {
      try {
        for (;;) {
          const n = fs.readSync(fd, buf, 0, buf.length, offset);
          if (n <= 0) break;
          offset += n;
          chunk += buf.toString('latin1', 0, n);
        }
      } finally {
        fs.closeSync(fd);
      }
    }
    if (chunk) {
      // Bytes read as latin1 and decoded as UTF-8 per line, so that a character split between
      // two reads is not mangled.
      const parts = (partial + chunk).split('\n');
      partial = parts.pop();
      for (const raw of parts) {
        const line = Buffer.from(raw, 'latin1').toString('utf8').replace(ANSI, '');
        if (re.test(line)) return { line, seenAt: Date.now() };
        if (failOn && failOn.test(line)) {
          throw new Error(`${path.basename(file)}: ${line.trim()} (while waiting for ${re})`);
        }
      }
    } else if (wasDead) {
      throw new Error(`the process ended without logging a line matching ${re}; ${path.basename(file)} ends:\n${tail(file)}`);
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`no line matching ${re} in ${path.basename(file)} within ${Math.round(timeoutMs / 1000)} s; it ends:\n${tail(file)}`);
    }
    await sleep(pollMs);
  }
}

/** Writes the worker's config (as e2e/tests/jobs.test.js does) and returns its path. */
function writeConfig(dir, { wsUri, port }) {
  const q = (s) => JSON.stringify(String(s)); // a TOML basic string
  const config = path.join(dir, 'worker.toml');
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'inputs'), { recursive: true });
  fs.writeFileSync(config, [
    `rpc = ${q(wsUri)}`,
    `seed = ${q(PROVIDER)}`,
    `data_dir = ${q(path.join(dir, 'data'))}`,
    `listen = ${q(`127.0.0.1:${port}`)}`,
    'backend = "cpu"',
    `inputs = [${q(path.join(dir, 'inputs'))}]`,
    `stake = ${q(STAKE)}`,
    '',
    '[[offers]]',
    'kind = "GemmInt8"',
    `max_units = ${OFFER_MAX_UNITS}`,
    `price_per_unit = ${q(PRICE)}`,
    '',
  ].join('\n'));
  configs.add(config);
  return config;
}

/**
 * Runs `airtime-worker <args>` to completion (stderr appended to `logFile`) and resolves with the
 * JSON object it printed on stdout; rejects on a non-zero exit, no JSON, or after `timeoutMs`.
 */
function runCli(args, { timeoutMs, logFile }) {
  const bin = workerBinary();
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(logFile, 'a');
    let child;
    try {
      child = spawn(bin, args, { stdio: ['ignore', 'pipe', fd], env: { ...process.env, ...WORKER_ENV } });
    } finally {
      fs.closeSync(fd);
    }
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => { stdout += d; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`airtime-worker ${args.join(' ')} could not start: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const what = `airtime-worker ${args.join(' ')}`;
      if (timedOut) return reject(new Error(`${what} did not finish within ${timeoutMs / 1000} s; log:\n${tail(logFile)}`));
      if (code !== 0) return reject(new Error(`${what} exited with ${code ?? signal}; log:\n${tail(logFile)}`));
      const line = stdout.trim().split('\n').filter((l) => l.trim()).pop() || '';
      try {
        resolve(JSON.parse(line));
      } catch (e) {
        reject(new Error(`${what} printed no JSON: ${JSON.stringify(stdout)}; log:\n${tail(logFile)}`));
      }
    });
  });
}

/** Whether `GET <url>/health` answers 2xx. */
async function healthy(url) {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch (e) {
    return false;
  }
}

/**
 * Starts `airtime-worker --config <config> run` as run number `run` (log: `<dir>/run-<run>.log`),
 * records its pid in `<dir>/worker.pid`, and resolves with its entry once `GET /health`
 * answers. Refuses to start while another process runs with this config (one journal, one
 * worker) or once the final step has stopped the worker.
 */
async function startWorker(dir, run, { readyTimeoutMs = 90_000 } = {}) {
  const state = loadState(dir);
  if (state.stopped) throw new Error('the final step already stopped the worker: not starting another');
  const config = need(state, 'config', 'writing the worker config');
  configs.add(config);
  const others = pidsWithConfig(config);
  if (others.length) throw new Error(`a worker with this config still runs (pid ${others.join(', ')}): not starting a second`);
  const bin = workerBinary();
  const logFile = path.join(dir, `run-${run}.log`);
  const fd = fs.openSync(logFile, 'a');
  let child;
  try {
    child = spawn(bin, ['--config', config, 'run'], {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...WORKER_ENV },
    });
  } finally {
    fs.closeSync(fd);
  }
  const w = { run, pid: child.pid, child, exitInfo: null, logFile, config };
  w.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => { w.exitInfo = { code, signal }; resolve(w.exitInfo); });
    child.once('error', (error) => { w.exitInfo = { code: null, signal: null, error: error.message }; resolve(w.exitInfo); });
  });
  child.unref();
  live.push(w);
  if (w.pid) fs.writeFileSync(pidFile(dir), `${w.pid}\n`);
  log('worker', `run ${run}: ${bin} --config ${config} run, pid ${w.pid}, log ${logFile}`);

  const deadline = Date.now() + readyTimeoutMs;
  while (!(await healthy(state.url))) {
    if (w.exitInfo || Date.now() > deadline) {
      const why = w.exitInfo ? `exited (${JSON.stringify(w.exitInfo)})` : `not healthy after ${readyTimeoutMs / 1000} s`;
      if (!w.exitInfo) child.kill('SIGKILL');
      throw new Error(`airtime-worker run ${run} at ${state.url} ${why}; log:\n${tail(logFile)}`);
    }
    await sleep(200);
  }
  // Something else answering on the port would pass the health check: make sure ours runs.
  if (w.exitInfo) throw new Error(`airtime-worker run ${run} exited (${JSON.stringify(w.exitInfo)}) although ${state.url} answers`);
  return w;
}

/** The entry of worker run `run` started by this module, if any. */
const workerRun = (run) => live.find((w) => w.run === run);

/**
 * Stops every process running with `config`: SIGTERM, then SIGKILL for those still running
 * after `graceMs`. Returns [{ pid, run, signal: 'SIGTERM' | 'SIGKILL', exit }], where `exit` is
 * the exit status when this module started the process ({ code, signal }).
 */
async function stopAll(dir, config, graceMs = 20_000) {
  const pids = new Set(pidsWithConfig(config));
  for (const w of live) if (!w.exitInfo && w.pid && !isGone(w.pid)) pids.add(w.pid);
  try {
    const recorded = Number(fs.readFileSync(pidFile(dir), 'utf8').trim());
    // Only if it is still one of ours: a pid can be reused once its process is gone.
    if (recorded && pidsWithConfig(config).includes(recorded)) pids.add(recorded);
  } catch (e) {
    // no pid file
  }
  const gone = (pid) => {
    const w = live.find((x) => x.pid === pid);
    return w ? Boolean(w.exitInfo) || isGone(pid) : isGone(pid);
  };
  const results = [];
  for (const pid of pids) {
    const w = live.find((x) => x.pid === pid);
    let signal = 'SIGTERM';
    try { process.kill(pid, 'SIGTERM'); } catch (e) { /* gone already */ }
    const t0 = Date.now();
    while (!gone(pid) && Date.now() - t0 < graceMs) await sleep(50);
    if (!gone(pid)) {
      signal = 'SIGKILL';
      try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone already */ }
      const t1 = Date.now();
      while (!gone(pid) && Date.now() - t1 < 5000) await sleep(50);
    }
    if (w) await Promise.race([w.exited, sleep(2000)]);
    results.push({ pid, run: w ? w.run : null, signal, exit: w ? w.exitInfo : null, ms: Date.now() - t0, gone: gone(pid) });
  }
  try { fs.unlinkSync(pidFile(dir)); } catch (e) { /* none */ }
  return results;
}

// ---- the chain ---------------------------------------------------------------------------------

let rpcId = 0;
/** Plain JSON-RPC over HTTP on the node's RPC port (for the node's custom `compute_*` methods). */
async function rpc(node, method, params = [], timeoutMs = 10_000) {
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

/** An @polkadot/api connection (zombienet's own, from the `zombie` global) to `node`. */
async function connect(node) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${node.name}: no API connection within 30 s`)), 30_000);
  });
  try {
    return await Promise.race([zombie.connect(node.wsUri, node.userDefinedTypes), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The dev accounts used here (sr25519 keyring, SS58 prefix 42). */
async function accounts() {
  await zombie.util.cryptoWaitReady();
  const keyring = new zombie.Keyring({ type: 'sr25519', ss58Format: 42 });
  return {
    provider: keyring.addFromUri(PROVIDER),
    owner: keyring.addFromUri(OWNER),
    stranger: keyring.addFromUri(STRANGER),
  };
}

/**
 * Signs and sends `tx`, resolves when its block is finalized with { blockHash, events }; rejects
 * when it is invalid or dropped, fails to dispatch (naming the module error), or is not
 * finalized within `timeoutMs`.
 */
function sendOk(api, tx, signer, timeoutMs = 120_000) {
  const what = `${tx.method.section}.${tx.method.method}`;
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    let done = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { unsub(); } catch (e) { /* ignore */ }
      fn(value);
    };
    const timer = setTimeout(() => finish(reject, new Error(`${what} not finalized within ${timeoutMs / 1000} s`)), timeoutMs);
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(reject, new Error(`${what}: transaction ${status.type}`));
      } else if (status.isFinalized) {
        if (dispatchError) {
          let why = dispatchError.type;
          if (dispatchError.isModule) {
            const meta = api.registry.findMetaError(dispatchError.asModule);
            why = `${meta.section}.${meta.name}`;
          }
          finish(reject, new Error(`${what} failed: ${why}`));
        } else {
          finish(resolve, { blockHash: status.asFinalized, events });
        }
      }
    }).then((u) => { unsub = u; if (done) u(); }, (e) => finish(reject, e));
  });
}

async function finalizedNumber(api) {
  return (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
}

/** { number, blockHash, events } of every finalized block numbered `from` up to the head. */
async function finalizedBlocks(api, from) {
  const to = await finalizedNumber(api);
  const out = [];
  for (let n = from; n <= to; n++) {
    const blockHash = await api.rpc.chain.getBlockHash(n);
    const events = await (await api.at(blockHash)).query.system.events();
    out.push({ number: n, blockHash, events: events.map(({ event }) => event) });
  }
  return out;
}

/**
 * Follows the finalized chain block by block (finality notifications may skip blocks; this does
 * not) from `from`: `poll()` reads the blocks finalized since the last call and returns the new
 * ones; `blocks` holds them all.
 */
function follower(api, from) {
  const f = { next: from, blocks: [] };
  f.poll = async () => {
    const to = await finalizedNumber(api);
    const fresh = [];
    for (; f.next <= to; f.next++) {
      const blockHash = await api.rpc.chain.getBlockHash(f.next);
      const events = (await (await api.at(blockHash)).query.system.events()).map(({ event }) => event);
      const b = { number: f.next, blockHash, events };
      f.blocks.push(b);
      fresh.push(b);
    }
    return fresh;
  };
  return f;
}

const isCompute = (event, name) => event.section === 'compute' && event.method === name;

/** The compute events about `job` in `blocks`: [{ name, number, blockHash, event }]. */
function jobEvents(blocks, job) {
  const out = [];
  for (const b of blocks) {
    for (const event of b.events) {
      if (event.section === 'compute' && event.data.job !== undefined && event.data.job.toNumber() === job) {
        out.push({ name: event.method, number: b.number, blockHash: b.blockHash, event });
      }
    }
  }
  return out;
}

/** The amount `address` has on hold for `{ [pallet]: reason }` at `blockHash` (0 if none). */
async function heldAt(api, blockHash, address, pallet, reason) {
  const holds = await (await api.at(blockHash)).query.balances.holds(address);
  const hold = holds.find((h) => {
    const [key, value] = Object.entries(h.id.toJSON() || {})[0] || [];
    return key && key.toLowerCase() === pallet.toLowerCase() && value === reason;
  });
  return hold ? hold.amount.toBigInt() : 0n;
}

// ---- the int8 GEMM job, built here (as e2e/tests/jobs.test.js) --------------------------------

/** `value` as `bytes` little-endian bytes. */
function le(value, bytes) {
  let v = BigInt(value);
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new Error(`${value} does not fit in ${bytes} bytes`);
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
  out[0] = -128;
  out[out.length - 1] = 127;
  return out;
}

const bytesOf = (int8) => new Uint8Array(int8.buffer, int8.byteOffset, int8.byteLength);
const toHex = (bytes) => `0x${Buffer.from(bytes).toString('hex')}`;

/** `C[i][j]` of `A (m × k) · B (k × n)`, both int8 row-major. */
function entry(a, b, n, k, i, j) {
  let acc = 0;
  for (let p = 0; p < k; p++) acc += a[i * k + p] * b[p * n + j];
  return acc;
}

/** Units billed for an `m × n × k` GEMM: `ceil(m·n·k / 10^6)`, at least 1. */
function unitsOf({ m, n, k }) {
  const u = (BigInt(m) * BigInt(n) * BigInt(k) + 999_999n) / 1_000_000n;
  return u < 1n ? 1n : u;
}

/** A and B of the job (deterministic, so every step can rebuild them). */
function matrices() {
  return {
    a: int8Matrix(SHAPE.m, SHAPE.k, SEEDS.a),
    b: int8Matrix(SHAPE.k, SHAPE.n, SEEDS.b),
  };
}

/**
 * The headers of one download of `hashHex` from the worker whose provider account's public key
 * is `workerKey` (32 bytes: the job's `JobAssigned` provider), signed by `pair`: sr25519 over
 * `"airtime/output/2" ++ worker (32) ++ hash (32) ++ expires (u64 LE) ++ nonce (16)`, with a
 * fresh random nonce. Single-use: the worker refuses the same headers again (401 Replayed).
 */
function signedHeaders(pair, hashHex, workerKey, expires = Math.floor(Date.now() / 1000) + 300) {
  const worker = Buffer.from(workerKey);
  if (worker.length !== 32) throw new Error(`a worker key of ${worker.length} bytes, expected 32`);
  const nonce = randomBytes(16);
  const message = Buffer.concat([Buffer.from(OUTPUT_TAG, 'utf8'), worker, Buffer.from(hashHex.replace(/^0x/, ''), 'hex'), le(expires, 8), nonce]);
  if (message.length !== 16 + 32 + 32 + 8 + 16) throw new Error(`signed message of ${message.length} bytes`);
  return {
    'x-airtime-account': pair.address,
    'x-airtime-expires': String(expires),
    'x-airtime-nonce': toHex(nonce),
    'x-airtime-signature': toHex(pair.sign(message)),
  };
}

/** `GET <url>/v1/outputs/<hash>` with `headers`: { status, body (Buffer) }. */
async function download(url, hashHex, headers) {
  const res = await fetch(`${url}/v1/outputs/${hashHex}`, { headers, signal: AbortSignal.timeout(120_000) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

module.exports = {
  TAG,
  AIR,
  PRICE,
  STAKE,
  OFFER_MAX_UNITS,
  SHAPE,
  DEADLINE,
  FAILURES,
  sleep,
  log,
  until,
  fatal,
  workDir,
  loadState,
  saveState,
  need,
  workerBinary,
  freePort,
  isGone,
  pidsWithConfig,
  readLog,
  logLines,
  tail,
  jobLine,
  countLines,
  waitForLine,
  writeConfig,
  runCli,
  startWorker,
  workerRun,
  stopAll,
  rpc,
  connect,
  accounts,
  sendOk,
  finalizedNumber,
  finalizedBlocks,
  follower,
  isCompute,
  jobEvents,
  heldAt,
  le,
  bytesOf,
  toHex,
  entry,
  unitsOf,
  matrices,
  signedHeaders,
  download,
};
