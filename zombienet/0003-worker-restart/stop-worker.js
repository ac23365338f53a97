// zombienet js-script, step (6), the last line of test.zndsl: runs whatever the earlier steps did
// (mocha, which runs the steps, does not stop at a failed one), so no worker outlives the test.
//
// Marks the run stopped (startWorker then refuses to start another, should an earlier step that
// timed out still be running in the background), and stops every process whose command line
// names this run's config (found in /proc; also the pid in worker.pid, and the processes lib.js
// started): SIGTERM, then SIGKILL after 20 s. Requires that none is left, and that the
// restarted worker, when it was still running, stopped on SIGTERM by itself (exit code 0 and
// its `stopped` log line). When step (5) passed it also deletes the 54 MiB of inputs and stored
// output; the logs, the journal and state.json stay in zombienet's tmpDir. Returns 1.
const fs = require('fs');
const path = require('path');
const lib = require('./lib.js');

async function run(nodeName, networkInfo) {
  const dir = lib.workDir(networkInfo);
  const state = lib.loadState(dir);
  if (!state.config) {
    lib.log('stop-worker', 'no worker config was written (step 1 failed early): nothing to stop');
    return 1;
  }
  lib.saveState(dir, { stopped: true });
  const w2 = lib.workerRun(2);
  const w2Running = Boolean(w2 && !w2.exitInfo);

  const results = await lib.stopAll(dir, state.config, 20_000);
  for (const r of results) {
    lib.log('stop-worker', `pid ${r.pid}${r.run ? ` (run ${r.run})` : ''}: ${r.signal}, ${r.gone ? `gone after ${r.ms} ms` : 'STILL RUNNING'}` +
      (r.exit ? `, exit ${JSON.stringify(r.exit)}` : ''));
  }
  const left = lib.pidsWithConfig(state.config);
  if (left.length) throw new Error(`worker process(es) ${left.join(', ')} still run after SIGKILL`);
  if (!results.length) lib.log('stop-worker', 'no worker process was running');

  if (state.done) {
    for (const sub of ['inputs', path.join('data', 'store')]) {
      fs.rmSync(path.join(dir, sub), { recursive: true, force: true });
    }
  }

  if (w2Running) {
    const r = results.find((x) => x.pid === w2.pid);
    if (!r || r.signal !== 'SIGTERM' || !r.exit || r.exit.code !== 0) {
      throw new Error(`the restarted worker did not stop cleanly on SIGTERM: ${JSON.stringify(r)}; log:\n${lib.tail(w2.logFile)}`);
    }
    // The line the worker logs as `run` returns (gpu-worker/src/provider.rs).
    if (!lib.logLines(w2.logFile).some((l) => /\bstopped\s*$/.test(l))) {
      throw new Error(`the restarted worker exited 0 without its 'stopped' line; log:\n${lib.tail(w2.logFile)}`);
    }
  } else if (state.restarted) {
    throw new Error(`the restarted worker was not running any more at the end: ${JSON.stringify(w2 ? w2.exitInfo : 'not started by this process')}`);
  }
  return 1;
}

module.exports = { run };
