// zombienet js-script, step (a), run on Alice with the name of the validator about to be
// killed ("dave"): starts a background watcher and returns at once (1), so the next DSL line,
// `dave: restart after N seconds` (native provider: `kill -9`, N s down, same command line
// again), runs while it watches.
//
// Every 250 ms the watcher checks whether the victim's process exists (/proc, found by its
// --base-path) and reads Alice's best and finalized heights. It records:
//   - bestAtKill: Alice's best height at the first sample that found the victim dead. Every
//     block above it was authored after the victim died, so the victim never voted for it;
//   - maxFinalizedWhileDown: the highest finalized height Alice reported in a sample taken
//     while the victim was dead (checked both before and after the RPC call);
//   - deadSince / respawnedAt: when the process disappeared and when one came back.
// finalized-while-down.js reads the result after the restart.
const lib = require('./lib.js');

const POLL_MS = 250;
const MAX_WATCH_MS = 300_000;

async function run(nodeName, networkInfo, args) {
  const victim = args[0] || 'dave';
  const watched = networkInfo.nodesByName[nodeName];
  const pid = lib.findPid(networkInfo, victim);
  if (!pid) throw new Error(`no running process found for ${victim} (--base-path under ${networkInfo.tmpDir})`);
  const start = await lib.heights(watched);
  lib.log('down-watch', `${victim} runs as pid ${pid}; ${nodeName} best #${start.best} finalized #${start.finalized}`);

  const w = {
    victim,
    pid,
    deadSince: null,
    respawnedAt: null,
    newPid: null,
    bestAtKill: null,
    finalizedAtKill: null,
    maxFinalizedWhileDown: null,
    samplesWhileDown: 0,
    error: null,
  };
  lib.state.downWatch = w;
  w.done = (async () => {
    const t0 = Date.now();
    while (Date.now() - t0 < MAX_WATCH_MS) {
      const deadBefore = lib.isGone(pid);
      let h = null;
      try {
        h = await lib.heights(watched, 2000);
      } catch (e) {
        // Alice unreachable for a moment: skip this sample.
      }
      const respawned = deadBefore ? lib.findPid(networkInfo, victim) : null;
      if (deadBefore && w.deadSince === null) {
        w.deadSince = Date.now();
        lib.log('down-watch', `${victim} (pid ${pid}) is gone`);
      }
      if (respawned) {
        w.respawnedAt = Date.now();
        w.newPid = respawned;
        lib.log('down-watch', `${victim} is back as pid ${respawned}`);
        return;
      }
      if (deadBefore && h) {
        if (w.bestAtKill === null) {
          w.bestAtKill = h.best;
          w.finalizedAtKill = h.finalized;
        }
        w.maxFinalizedWhileDown = Math.max(w.maxFinalizedWhileDown ?? h.finalized, h.finalized);
        w.samplesWhileDown += 1;
      }
      await lib.sleep(POLL_MS);
    }
    w.error = `watched for ${MAX_WATCH_MS / 1000} s without seeing ${victim} die and come back`;
  })().catch((e) => {
    w.error = e.message;
  });
  return 1;
}

module.exports = { run };
