// zombienet js-script, step (b), run on the restarted node (Dave) with the reference node
// ("alice"): waits until the restarted node has caught up with the finalized head, i.e. in
// one poll its finalized height is at least the reference's, is at least the reference's
// finalized height when this step started, and is above the finalized height at the kill
// (the reference's, recorded by down-watch.js when that watched this node); and its block hash
// at that height equals the reference's. Returns the seconds it took; test.zndsl asserts it is below a bound.
const lib = require('./lib.js');

async function run(nodeName, networkInfo, args) {
  const node = networkInfo.nodesByName[nodeName];
  const ref = networkInfo.nodesByName[args[0] || 'alice'];
  const start = Date.now();
  const target = (await lib.heights(ref)).finalized;
  const w = lib.state.downWatch;
  const atKill = w && w.victim === nodeName ? w.finalizedAtKill : null;
  lib.log('catch-up', `${ref.name} has finalized #${target}; waiting for ${nodeName} to reach it`);

  let polls = 0;
  const caughtUp = await lib.until(`${nodeName} to catch up with ${ref.name}'s finalized head`, async () => {
    const [mine, theirs] = await Promise.all([lib.heights(node), lib.heights(ref)]);
    if (++polls % 10 === 1) {
      lib.log('catch-up', `${nodeName} best #${mine.best} finalized #${mine.finalized}; ` +
        `${ref.name} best #${theirs.best} finalized #${theirs.finalized}`);
    }
    if (mine.finalized < theirs.finalized || mine.finalized < target) return false;
    if (atKill !== null && mine.finalized <= atKill) return false;
    return { mine, theirs };
  }, 110_000);

  const h = caughtUp.mine.finalized;
  const refHash = await lib.hashAt(ref, h);
  if (refHash !== caughtUp.mine.finalizedHash) {
    throw new Error(`${nodeName} finalized #${h} ${caughtUp.mine.finalizedHash} but ${ref.name} has ${refHash} there`);
  }
  const secs = (Date.now() - start) / 1000;
  lib.log('catch-up', `${nodeName} caught up in ${secs.toFixed(1)} s: finalized #${h} ` +
    `(${ref.name} #${caughtUp.theirs.finalized}), same hash ${refHash}` +
    (atKill !== null ? `; the finalized head was #${atKill} when it was killed` : ''));
  return secs;
}

module.exports = { run };
