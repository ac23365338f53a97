// zombienet js-script, step (c), run on the crashed node (Charlie) after its last
// `restart`, with the reference node and the number of kills: "alice,3". Checks that every
// SIGKILL left a ParityDB the node could reopen and go on with:
//
// 1. the node comes back and its best and finalized heights pass the highest ones it announced
//    before any of the kills;
// 2. it is on the reference's chain: for every height up to the lower of the two finalized
//    heights its block hash equals the reference's (no fork, no lost or rewritten block);
// 3. its state is readable and right at the blocks that were finalized just before each kill
//    and at its current finalized block (System::Number is the block's height, Timestamp::Now
//    equals the reference's);
// 4. the database is ParityDB (`<base-path>/chains/*/paritydb/full`, no RocksDB `db/full`,
//    every start logged "Database: ParityDb"), and it was reopened, not recreated, after every
//    kill: the log, which the native provider appends across restarts, holds one
//    "Highest known block at #N" line per start, N > 0 after each kill, and a single
//    "Initializing Genesis block/state"; no line says "panicked" or "corrupt".
// Returns the number of restarts that reopened a non-empty database; test.zndsl asserts it is
// at least the number of kills.
const fs = require('fs');
const path = require('path');
const lib = require('./lib.js');
const { describe } = require('./kill-at-import.js');

// twox128("System") ++ twox128("Number"), twox128("Timestamp") ++ twox128("Now")
const SYSTEM_NUMBER = '0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac';
const TIMESTAMP_NOW = '0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb';

const u32le = (hex) => Buffer.from(hex.slice(2), 'hex').readUInt32LE(0);

async function run(nodeName, networkInfo, args) {
  const node = networkInfo.nodesByName[nodeName];
  const ref = networkInfo.nodesByName[args[0] || 'alice'];
  const expectedKills = Number(args[1] || 3);
  const tag = 'db-intact';
  const kills = lib.state.kills;
  if (kills.length < expectedKills) {
    throw new Error(`${kills.length} kill(s) were armed by kill-at-import.js, expected ${expectedKills}`);
  }
  await kills[kills.length - 1].done;
  for (const k of kills) lib.log(tag, describe(k));
  const failed = kills.find((k) => k.error);
  if (failed) throw new Error(describe(failed));

  // 1. Back, and past the heights it had before the kills.
  const preBest = Math.max(...kills.map((k) => k.bestBeforeKill));
  const preFinalized = Math.max(...kills.map((k) => k.finalizedBeforeKill));
  const now = await lib.until(`${nodeName} to pass best #${preBest} and finalized #${preFinalized}`, async () => {
    const h = await lib.heights(node);
    return h.best > preBest && h.finalized > preFinalized ? h : false;
  }, 100_000);
  lib.log(tag, `${nodeName} is at best #${now.best} finalized #${now.finalized} ` +
    `(before the kills at most best #${preBest} finalized #${preFinalized})`);

  // 2. The same chain as the reference, block by block.
  const top = Math.min(now.finalized, (await lib.heights(ref)).finalized);
  for (let h = 0; h <= top; h++) {
    const [mine, theirs] = await Promise.all([lib.hashAt(node, h), lib.hashAt(ref, h)]);
    if (!mine || mine !== theirs) {
      throw new Error(`#${h}: ${nodeName} has ${mine}, ${ref.name} has ${theirs}`);
    }
  }
  lib.log(tag, `blocks #0..#${top}: ${nodeName}'s hashes equal ${ref.name}'s`);

  // 3. State at the blocks finalized right before each kill, and at the current finalized one.
  const heightsToRead = [...new Set([...kills.map((k) => k.finalizedBeforeKill), now.finalized])];
  for (const h of heightsToRead) {
    const hash = await lib.hashAt(ref, h);
    const [number, mineNow, theirNow] = await Promise.all([
      lib.rpc(node, 'state_getStorage', [SYSTEM_NUMBER, hash]),
      lib.rpc(node, 'state_getStorage', [TIMESTAMP_NOW, hash]),
      lib.rpc(ref, 'state_getStorage', [TIMESTAMP_NOW, hash]),
    ]);
    if (!number || u32le(number) !== h) throw new Error(`${nodeName}: System::Number at #${h} is ${number}`);
    if (!mineNow || mineNow !== theirNow) {
      throw new Error(`${nodeName}: Timestamp::Now at #${h} is ${mineNow}, ${ref.name} has ${theirNow}`);
    }
  }
  lib.log(tag, `state read back at #${heightsToRead.join(', #')}`);

  // 4. ParityDB, reopened after every kill.
  const chains = path.join(networkInfo.tmpDir, nodeName, 'data', 'chains');
  const chainDirs = fs.readdirSync(chains).map((c) => path.join(chains, c));
  const parity = chainDirs.filter((d) => fs.existsSync(path.join(d, 'paritydb', 'full')));
  const rocks = chainDirs.filter((d) => fs.existsSync(path.join(d, 'db', 'full')));
  if (parity.length !== 1 || rocks.length) {
    throw new Error(`expected one ParityDB and no RocksDB under ${chains}: paritydb ${parity}, rocksdb ${rocks}`);
  }
  const text = lib.nodeLog(networkInfo, nodeName);
  const dbLines = text.match(/💾 Database: \S+/g) || [];
  const highest = [...text.matchAll(/Highest known block at #(\d+)/g)].map((m) => Number(m[1]));
  const genesisInits = (text.match(/Initializing Genesis block\/state/g) || []).length;
  const bad = text.split('\n').filter((l) => /panicked|corrupt/i.test(l));
  lib.log(tag, `${nodeName}.log: ${dbLines.length} start(s) [${dbLines.join('; ')}], highest known block at ` +
    `start: #${highest.join(', #')}; genesis initialized ${genesisInits} time(s)`);
  kills.forEach((k, i) => {
    if (highest[i + 1] !== undefined) {
      lib.log(tag, `after kill ${k.cycle} the database reopened at best #${highest[i + 1]} ` +
        `(announced before the kill: best #${k.bestBeforeKill}; ParityDB commits are queued and ` +
        'written by background threads, so a SIGKILL may drop the last ones)');
    }
  });
  if (bad.length) throw new Error(`${nodeName}.log: ${bad.slice(0, 5).join(' | ')}`);
  if (dbLines.length !== highest.length || dbLines.some((l) => !l.endsWith('ParityDb'))) {
    throw new Error(`not every start used ParityDb: ${dbLines.join('; ')}`);
  }
  if (highest.length !== kills.length + 1) {
    throw new Error(`${highest.length} start(s) in ${nodeName}.log, expected ${kills.length + 1} (the first and one per kill)`);
  }
  if (genesisInits !== 1) throw new Error(`genesis was initialized ${genesisInits} times: a database was recreated`);
  return highest.slice(1).filter((n) => n > 0).length;
}

module.exports = { run };
