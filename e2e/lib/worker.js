// Runs the real `airtime-worker` for end-to-end tests: its one-shot subcommands
// (`register-service`, `open-channel`, `call`, and `--config <file> register|status`), which
// print one JSON object on stdout; its metered service (`serve`), started on a given port with its
// log in a file; and its compute job runner (`--config <file> run`), whose log is kept in memory
// line by line so that a test can wait for a line.
//
// Readiness of the service and the runner is awaited by polling `GET /health` with a bounded
// deadline (no fixed sleeps); one that exits early or never becomes ready fails the test with the
// tail of its log. Every process started here is tracked: `stopAll()` (call it from `after()`)
// kills whatever is still running and removes the temporary directories this module created,
// whatever the outcome of the tests.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeBinary, freePort } from './node.js';

/** Path of the built worker: $AIRTIME_WORKER, else next to the node (`<target>/release`). */
export function workerBinary() {
  if (process.env.AIRTIME_WORKER) return process.env.AIRTIME_WORKER;
  return join(dirname(nodeBinary()), 'airtime-worker');
}

// Children still running, and temporary directories to remove, for `stopAll()`.
const live = new Set();
const tempDirs = [];
// A last resort if the test process ends without `after()` (a crash): no orphaned worker.
process.once('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

function ensureBinary() {
  const bin = workerBinary();
  if (!existsSync(bin)) {
    throw new Error(`airtime-worker not found at ${bin}: build it with scripts/test.sh (or set AIRTIME_WORKER)`);
  }
  return bin;
}

function tailOf(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

function fileTail(file, lines = 40) {
  try {
    return tailOf(readFileSync(file, 'utf8'), lines);
  } catch {
    return '(no log)';
  }
}

/** Resolves with { code, signal } (or { error }) when `child` has exited; tracks it meanwhile. */
function track(child) {
  live.add(child);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => { live.delete(child); resolve({ code, signal }); });
    child.once('error', (error) => { live.delete(child); resolve({ code: null, signal: null, error }); });
  });
}

/**
 * Runs `airtime-worker <args...>` to completion and resolves with the JSON object it printed on
 * stdout. Rejects, with the tail of stderr, on a non-zero exit, on output that is not JSON, or
 * when it runs past `timeoutMs` (then it is killed).
 */
export function runWorker(args, { timeoutMs = 120_000, env = {} } = {}) {
  const bin = ensureBinary();
  // The subcommand, after a leading `--config <file>` if there is one.
  const what = `airtime-worker ${(args[0] === '--config' ? args[2] : args[0]) ?? ''}`;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const exited = track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { stdout += d; });
    // Keep the end of stderr only: a long run may log a lot.
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-64 * 1024); });

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    timer.unref();

    exited.then(({ code, signal, error }) => {
      clearTimeout(timer);
      if (error) {
        reject(new Error(`${what} could not start: ${error.message}`));
      } else if (timedOut) {
        reject(new Error(`${what} did not finish within ${timeoutMs} ms; stderr tail:\n${tailOf(stderr)}`));
      } else if (code !== 0) {
        reject(new Error(`${what} exited with ${code ?? signal}; stderr tail:\n${tailOf(stderr)}`));
      } else {
        // Every subcommand prints one JSON object on a line of its own (the whole of stdout is
        // tried too, should one print it over several lines).
        const line = stdout.trim().split('\n').filter((l) => l.trim()).pop() ?? '';
        try {
          resolve(JSON.parse(line));
        } catch (e) {
          try {
            resolve(JSON.parse(stdout));
          } catch {
            reject(new Error(`${what} printed no JSON (${e.message}); stdout: ${JSON.stringify(stdout)}; stderr tail:\n${tailOf(stderr)}`));
          }
        }
      }
    });
  });
}

async function healthy(url) {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok && (await res.text()).trim() === 'ok';
  } catch {
    return false;
  }
}

/**
 * Starts `airtime-worker serve <args...>` with stdout and stderr in `logFile` (default: a new
 * temporary directory) and resolves once `GET /health` answers. The port is the one of
 * `--listen` in `args`; without one, a free port is picked and `--listen 127.0.0.1:<port>` added.
 * Returns { url, port, logFile, kill(signal), logTail(), exited } where `exited` resolves with
 * { code, signal } when the process ends and `kill` resolves with the same once it has.
 */
export async function startService(args, { readyTimeoutMs = 90_000, logFile, env = {} } = {}) {
  const bin = ensureBinary();
  args = [...args];
  let listenAt = args.indexOf('--listen');
  if (listenAt < 0) {
    args.push('--listen', `127.0.0.1:${await freePort()}`);
    listenAt = args.length - 2;
  }
  const listen = args[listenAt + 1];
  const port = Number(listen.split(':').pop());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`startService: bad --listen ${listen}`);
  const url = `http://127.0.0.1:${port}`;

  if (!logFile) {
    const dir = mkdtempSync(join(tmpdir(), 'airtime-worker-'));
    tempDirs.push(dir);
    logFile = join(dir, 'worker.log');
  }
  const fd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(bin, ['serve', ...args], { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  } finally {
    closeSync(fd);
  }
  let exitInfo = null;
  const exited = track(child).then((info) => { exitInfo = info; return info; });

  const kill = async (signal = 'SIGTERM') => {
    if (!exitInfo) {
      child.kill(signal);
      const done = await Promise.race([
        exited,
        new Promise((r) => setTimeout(() => r(null), 10_000).unref()),
      ]);
      if (!done) child.kill('SIGKILL');
    }
    return exited;
  };
  const logTail = () => fileTail(logFile);

  const deadline = Date.now() + readyTimeoutMs;
  while (!(await healthy(url))) {
    if (exitInfo || Date.now() > deadline) {
      const why = exitInfo
        ? `exited (${exitInfo.error ? exitInfo.error.message : JSON.stringify({ code: exitInfo.code, signal: exitInfo.signal })})`
        : `not healthy after ${readyTimeoutMs} ms`;
      await kill('SIGKILL');
      throw new Error(`airtime-worker serve on ${listen} ${why}; log tail:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // Something else answering on the port would pass the health check: make sure ours runs.
  if (exitInfo) {
    throw new Error(`airtime-worker serve exited (${JSON.stringify(exitInfo)}) although ${url} answers; log tail:\n${logTail()}`);
  }
  return { url, port, logFile, kill, logTail, exited };
}

// ANSI colour codes, which tracing's fmt layer may write even to a pipe.
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * Starts `airtime-worker --config <config> run` (the compute job runner) with `RUST_LOG=info` and
 * resolves once `GET <url>/health` answers 2xx; `url` is the runner's HTTP address
 * (`http://` + the config's `listen`). Its stdout and stderr are kept in memory as lines, ANSI
 * colours removed (the last `maxLines`).
 *
 * Returns { url, pid, lines, logTail(n), waitForLog(predicate, { timeoutMs, fromStart }),
 * kill(signal), exited, exitInfo() }: `waitForLog` resolves with the first line for which
 * `predicate` (a RegExp or a function) holds, looking at the lines already logged first unless
 * `fromStart` is false, and rejects with the log's tail after `timeoutMs` or when the process has
 * ended; `exited` resolves with { code, signal } when the process ends and `kill` resolves with
 * the same once it has (SIGKILL 10 s after any other signal that did not stop it).
 */
export async function startRunner(config, { url, readyTimeoutMs = 90_000, env = {}, maxLines = 50_000 } = {}) {
  const bin = ensureBinary();
  if (!url) throw new Error('startRunner: the runner\'s url (http://<listen>) is needed');
  const child = spawn(bin, ['--config', config, 'run'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'info', NO_COLOR: '1', ...env },
  });
  let exitInfo = null;
  const exited = track(child).then((info) => { exitInfo = info; return info; });

  const lines = [];
  const listeners = new Set(); // called with each new line, and with `null` once output ended
  const push = (raw) => {
    const line = raw.replace(ANSI, '').replace(/\r$/, '');
    lines.push(line);
    if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
    for (const l of [...listeners]) l(line);
  };
  const streams = [child.stdout, child.stderr];
  let open = streams.length;
  let outputEnded;
  const closed = new Promise((r) => { outputEnded = r; });
  for (const stream of streams) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      const parts = (partial + d).split('\n');
      partial = parts.pop();
      for (const p of parts) push(p);
    });
    stream.on('close', () => {
      if (partial) push(partial);
      partial = '';
      if (--open === 0) {
        outputEnded();
        for (const l of [...listeners]) l(null);
      }
    });
  }
  const ended = () => open === 0;

  const logTail = (n = 60) => (lines.length ? lines.slice(-n).join('\n') : '(no log)');

  const waitForLog = (predicate, { timeoutMs = 120_000, fromStart = true } = {}) => {
    const matches = typeof predicate === 'function' ? predicate : (l) => predicate.test(l);
    return new Promise((resolve, reject) => {
      if (fromStart) {
        const hit = lines.find(matches);
        if (hit !== undefined) {
          resolve(hit);
          return;
        }
      }
      let listener;
      const fail = (why) => {
        clearTimeout(timer);
        listeners.delete(listener);
        reject(new Error(`airtime-worker run (pid ${child.pid}): no log line matching ${predicate} (${why}); log tail:\n${logTail()}`));
      };
      const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
      timer.unref();
      listener = (line) => {
        if (line === null) {
          fail(`the process ended: ${JSON.stringify(exitInfo)}`);
        } else if (matches(line)) {
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(line);
        }
      };
      listeners.add(listener);
      if (ended()) listener(null);
    });
  };

  const kill = async (signal = 'SIGTERM') => {
    if (!exitInfo) {
      child.kill(signal);
      const done = await Promise.race([
        exited,
        new Promise((r) => setTimeout(() => r(null), 10_000).unref()),
      ]);
      if (!done) child.kill('SIGKILL');
    }
    return exited;
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (!(await answers(url))) {
    if (exitInfo || Date.now() > deadline) {
      const why = exitInfo
        ? `exited (${exitInfo.error ? exitInfo.error.message : JSON.stringify({ code: exitInfo.code, signal: exitInfo.signal })})`
        : `not healthy after ${readyTimeoutMs} ms`;
      await kill('SIGKILL');
      // Let the last lines arrive.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
      throw new Error(`airtime-worker run at ${url} ${why}; log tail:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // Something else answering on the port would pass the health check: make sure ours runs.
  if (exitInfo) {
    throw new Error(`airtime-worker run exited (${JSON.stringify(exitInfo)}) although ${url} answers; log tail:\n${logTail()}`);
  }
  return { url, pid: child.pid, lines, logTail, waitForLog, kill, exited, exitInfo: () => exitInfo };
}

/** Whether `GET <url>/health` answers 2xx (whatever the body). */
async function answers(url) {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Kills every worker process started here that still runs and removes this module's temp dirs. */
export async function stopAll() {
  const waits = [...live].map((child) => new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 10_000);
    timer.unref();
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  }));
  await Promise.all(waits);
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
