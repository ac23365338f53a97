// zombienet js-script, step (d), run on Alice right after `charlie: pause` and `dave: pause`
// (native provider: `kill -STOP <pid>`; a stopped validator sends and answers nothing, like a
// dead one, and keeps its process and database for the `restart` that follows), with the
// number of blocks and the stopped nodes: "5,charlie,dave".
//
// Checks that both processes are stopped (state T in /proc), lets 6 s pass for a GRANDPA round
// that already had their votes, then watches Alice until her best height has advanced by
// <blocks> new blocks: Aura still authors in Alice's and Bob's slots, while GRANDPA, with 2
// votes of 4 (it needs 3), finalizes nothing: the finalized height must not move during the
// window and never reach a block authored after the pause. Returns the number of new best
// blocks seen with finality stalled; test.zndsl asserts it is at least <blocks>.
const lib = require('./lib.js');

const SETTLE_MS = 6000; // one slot

async function run(nodeName, networkInfo, args) {
  const blocks = Number(args[0] || 5);
  const stopped = args.slice(1).length ? args.slice(1) : ['charlie', 'dave'];
  const node = networkInfo.nodesByName[nodeName];
  const tag = 'finality-stalls';

  for (const name of stopped) {
    const pid = lib.findPid(networkInfo, name);
    const st = pid && lib.procState(pid);
    if (st !== 'T') throw new Error(`${name} should be paused (stopped, state T), found pid ${pid} in state ${st}`);
  }
  const atPause = await lib.heights(node);
  lib.log(tag, `${stopped.join(' and ')} are stopped; ${nodeName} best #${atPause.best} finalized #${atPause.finalized}`);
  await lib.sleep(SETTLE_MS);
  const start = await lib.heights(node);
  lib.state.stall = { bestAtPause: atPause.best, finalized: start.finalized };
  lib.log(tag, `after ${SETTLE_MS / 1000} s: best #${start.best} finalized #${start.finalized}; ` +
    `watching ${blocks} new best blocks`);

  let last = start.best;
  return lib.until(`${blocks} new best blocks on ${nodeName}`, async () => {
    const h = await lib.heights(node);
    if (h.finalized !== start.finalized || h.finalized > atPause.best) {
      throw Object.assign(new Error(`finality moved from #${start.finalized} to #${h.finalized} ` +
        `(best #${h.best}) with only 2 of 4 validators up`), { fatal: true });
    }
    if (h.best !== last) {
      lib.log(tag, `best #${h.best}, finalized still #${h.finalized}`);
      last = h.best;
    }
    return h.best - start.best >= blocks ? h.best - start.best : false;
  }, 135_000);
}

module.exports = { run };
