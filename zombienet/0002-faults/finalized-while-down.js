// zombienet js-script, step (a), run on Alice after `dave: restart after N seconds` returned:
// reads what down-watch.js saw while Dave's process was gone and returns how many blocks
// authored after the kill Alice finalized before Dave's process came back:
//     maxFinalizedWhileDown - bestAtKill
// Dave never voted for any of them (they did not exist while he ran), so GRANDPA finalized
// them with the 3 remaining votes of 4. test.zndsl asserts the count is at least 3.
const lib = require('./lib.js');

async function run() {
  const w = lib.state.downWatch;
  if (!w) throw new Error('down-watch.js did not run before this step');
  // The restart step returned only after the new process started, and the watcher polls every
  // 250 ms, so it has seen the respawn by now or within a moment.
  await w.done;
  if (w.error) throw new Error(`down-watch: ${w.error}`);
  if (w.deadSince === null || w.respawnedAt === null) {
    throw new Error(`down-watch did not see ${w.victim} die and come back`);
  }
  const downS = ((w.respawnedAt - w.deadSince) / 1000).toFixed(1);
  if (w.maxFinalizedWhileDown === null) throw new Error(`no sample of the finalized height while ${w.victim} was down`);
  const count = w.maxFinalizedWhileDown - w.bestAtKill;
  lib.log(
    'finalized-while-down',
    `${w.victim} was down ~${downS} s (pid ${w.pid} -> ${w.newPid}); at the kill the best block was ` +
      `#${w.bestAtKill} and the finalized #${w.finalizedAtKill}; while down the finalized height ` +
      `reached #${w.maxFinalizedWhileDown} (${w.samplesWhileDown} samples): ${count} block(s) ` +
      `authored after the kill were finalized without ${w.victim}`,
  );
  return count;
}

module.exports = { run };
