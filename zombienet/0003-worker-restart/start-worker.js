// zombienet js-script, steps (2) and (4), run on Alice with the run number: "1" starts the
// provider's worker, "2" starts it again after the SIGKILL, with the same config file and so the
// same data_dir (job journal and output store), key and port.
//
// `airtime-worker --config <file> run` runs in the background (lib.js startWorker: stdout and
// stderr appended to run-<n>.log, pid in worker.pid), and the script returns once its
// `GET /health` answers. Run 1 requires the registration of step (1); run 2 requires the kill of
// step (3) and checks that the new process read the journal and picked the killed job up where
// the kill left it: its log has `resuming job job=<id> ... stage=Assigned` (the slot was taken and
// journaled; `Executed`, written only once the output is stored, was not). Returns the run
// number.
const lib = require('./lib.js');

async function run(nodeName, networkInfo, args) {
  const runNo = Number(args[0] || 1);
  const dir = lib.workDir(networkInfo);
  const state = lib.loadState(dir);
  if (runNo === 1) {
    lib.need(state, 'registered', 'the provider registration (step 1)');
  } else {
    lib.need(state, 'killed', 'the SIGKILL of the first worker mid-job (step 3)');
  }

  const w = await lib.startWorker(dir, runNo);
  const started = { run: runNo, pid: w.pid, at: Date.now() };

  if (runNo > 1) {
    const job = state.job;
    // `resume()` reads the journal before the HTTP server starts, so the line is there already;
    // a few seconds' grace in case the log is slow to reach the file.
    const { line } = await lib.waitForLine(w.logFile, lib.jobLine('resuming job', job), {
      timeoutMs: 10_000,
      pollMs: 50,
      dead: () => Boolean(w.exitInfo),
    });
    lib.log('start-worker', `run ${runNo}: ${line.trim()}`);
    if (!/\bstage=Assigned\b/.test(line)) {
      throw new Error(`the restarted worker resumed job ${job} at a stage other than Assigned: ${line.trim()}`);
    }
    const others = lib.pidsWithConfig(state.config).filter((pid) => pid !== w.pid);
    if (others.length) throw new Error(`another worker with this config runs beside pid ${w.pid}: ${others.join(', ')}`);
    lib.saveState(dir, { restarted: started, resumedLine: line.trim() });
  } else {
    lib.saveState(dir, { started });
  }
  lib.log('start-worker', `run ${runNo}: pid ${w.pid} answers ${state.url}/health`);
  return runNo;
}

module.exports = { run };
