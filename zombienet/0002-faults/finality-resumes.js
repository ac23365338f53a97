// zombienet js-script, step (d), run on Alice after one of the two stopped validators came
// back (`charlie: restart`), with the number of blocks: "3". With 3 validators of 4 up
// again GRANDPA finalizes again: waits until Alice's finalized height is at least <blocks>
// above the height it stalled at (finality-stalls.js) and past the best block at the pause, so
// blocks authored while finality stalled are finalized too. Returns how far it advanced;
// test.zndsl asserts at least <blocks>.
const lib = require('./lib.js');

async function run(nodeName, networkInfo, args) {
  const blocks = Number(args[0] || 3);
  const node = networkInfo.nodesByName[nodeName];
  const stall = lib.state.stall;
  if (!stall) throw new Error('finality-stalls.js did not run before this step');
  const start = Date.now();
  const h = await lib.until(`${nodeName}'s finality to resume past #${stall.finalized}`, async () => {
    const now = await lib.heights(node);
    return now.finalized >= stall.finalized + blocks && now.finalized > stall.bestAtPause ? now : false;
  }, 110_000);
  const advanced = h.finalized - stall.finalized;
  lib.log('finality-resumes', `finality resumed after ${((Date.now() - start) / 1000).toFixed(1)} s: ` +
    `finalized #${stall.finalized} -> #${h.finalized} (best #${h.best}; best at the pause #${stall.bestAtPause})`);
  return advanced;
}

module.exports = { run };
