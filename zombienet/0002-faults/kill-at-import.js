// zombienet js-script, step (c), run on the node to crash (Charlie) with the kill's number and
// a reference node: "<cycle>,alice". The next DSL line, `charlie: restart after 3 seconds`,
// sends the SIGKILL (native provider: `kill -9 <pid>`, then the same command line, same
// --base-path, so the same ParityDB, again). This script picks *when* that happens:
//
// 1. After an earlier kill, it first waits until the node is back: its best and finalized
//    heights above the ones it had announced before that kill, within one block of the
//    reference's, and its finalized block hash equal to the reference's.
// 2. It returns at a random moment around the next Aura slot boundary: boundary + U(-200, 800)
//    ms. A block is authored at the slot boundary and every node imports it (execution, then a
//    ParityDB commit, whose write-ahead log and table writes finish on ParityDB's background
//    threads) within the next few hundred ms; GRANDPA votes and finalizes (another commit)
//    right after. A kill in that window is a kill during import and finalization writes.
//    Exactly where it lands is chance; the kill reports below say where it did.
// 3. In the background it keeps a WebSocket subscription to the node's best and finalized
//    heads (the heights the node announced before it died) and polls /proc every 2 ms for the
//    process to disappear, to report when the SIGKILL landed relative to the slot boundary and
//    to the node's last import and finality notifications.
// Returns the cycle number.
const lib = require('./lib.js');

const JITTER_FROM_MS = -200;
const JITTER_SPAN_MS = 1000;

function describe(k) {
  if (k.error) return `kill ${k.cycle}: ${k.error}`;
  // Every notification was sent before the process died; one received after the death was
  // seen shows a negative "ms before".
  const last = (kind) => k.events.filter((e) => e.kind === kind).pop();
  const imp = last('best');
  const fin = last('finalized');
  return `kill ${k.cycle}: SIGKILL landed ${k.deathAt - k.boundary} ms after the slot boundary ` +
    `(aimed at ${k.offset} ms, ${k.deathAt - k.armedAt} ms after this script returned); ` +
    `last import notification #${imp ? imp.n : '?'} ${imp ? k.deathAt - imp.t : '?'} ms before, ` +
    `last finality notification #${fin ? fin.n : '?'} ${fin ? k.deathAt - fin.t : '?'} ms before; ` +
    `announced before the kill: best #${k.bestBeforeKill} finalized #${k.finalizedBeforeKill}`;
}

async function run(nodeName, networkInfo, args) {
  const cycle = Number(args[0] || 1);
  const node = networkInfo.nodesByName[nodeName];
  const ref = networkInfo.nodesByName[args[1] || 'alice'];
  const { WsProvider } = zombie; // the `zombie` global is removed when this script returns

  const prev = lib.state.kills[lib.state.kills.length - 1];
  if (prev) {
    await prev.done;
    lib.log('kill-at-import', describe(prev));
    if (prev.error) throw new Error(describe(prev));
  }

  const back = await lib.until(`${nodeName} to be up and caught up with ${ref.name}`, async () => {
    const [mine, theirs] = await Promise.all([lib.heights(node), lib.heights(ref)]);
    if (prev && (mine.best <= prev.bestBeforeKill || mine.finalized <= prev.finalizedBeforeKill)) return false;
    if (mine.best < theirs.best - 1 || mine.finalized < theirs.finalized - 1) return false;
    return mine;
  }, 100_000);
  const refHash = await lib.hashAt(ref, back.finalized);
  if (refHash !== back.finalizedHash) {
    throw new Error(`${nodeName} finalized #${back.finalized} ${back.finalizedHash} but ${ref.name} has ${refHash}`);
  }
  const pid = lib.findPid(networkInfo, nodeName);
  if (!pid) throw new Error(`no running process found for ${nodeName}`);
  lib.log('kill-at-import', `kill ${cycle}: ${nodeName} (pid ${pid}) is at best #${back.best} ` +
    `finalized #${back.finalized}` + (prev ? ', past its heights before the last kill' : ''));

  const k = {
    cycle,
    pid,
    events: [],
    bestBeforeKill: back.best,
    finalizedBeforeKill: back.finalized,
    error: null,
  };
  const provider = await lib.subscribeHeads(WsProvider, node, (kind, n) => {
    k.events.push({ kind, n, t: Date.now() });
    if (kind === 'best') k.bestBeforeKill = Math.max(k.bestBeforeKill, n);
    else k.finalizedBeforeKill = Math.max(k.finalizedBeforeKill, n);
  });
  const closed = new Promise((resolve) => provider.on('disconnected', resolve));

  const now = Date.now();
  k.offset = Math.round(JITTER_FROM_MS + Math.random() * JITTER_SPAN_MS);
  k.boundary = Math.ceil(now / lib.SLOT_MS) * lib.SLOT_MS;
  if (k.boundary + k.offset - now < 300) k.boundary += lib.SLOT_MS;
  await lib.sleep(k.boundary + k.offset - Date.now());
  k.armedAt = Date.now();

  k.done = new Promise((resolve) => {
    const timer = setInterval(() => {
      if (lib.isGone(pid)) {
        k.deathAt = Date.now();
      } else if (Date.now() - k.armedAt > 30_000) {
        k.error = `${nodeName} (pid ${pid}) still runs 30 s after the kill was due`;
      } else {
        return;
      }
      clearInterval(timer);
      // Notifications the node sent just before it died may still be in flight: take them in.
      Promise.race([closed, lib.sleep(2000)])
        .then(() => provider.disconnect())
        .catch(() => {})
        .then(resolve);
    }, 2);
  });
  lib.state.kills.push(k);
  lib.log('kill-at-import', `kill ${cycle}: armed at slot boundary ${k.offset >= 0 ? '+' : ''}${k.offset} ms`);
  return cycle;
}

module.exports = { run, describe };
