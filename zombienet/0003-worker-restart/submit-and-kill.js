// zombienet js-script, step (3), run on Alice once the first worker runs: //Eve submits the int8
// GEMM job (A, B 3072 × 3072, seeds in lib.js; the inputs written to the worker's inputs
// directory under their blake2-256, as e2e/tests/jobs.test.js does), then the worker is killed
// with SIGKILL in the middle of it.
//
// The kill point is the worker's log line `executing job job=<id>`: by then the worker has seen
// the submission finalized, sent `accept_job`, seen its `JobAssigned` finalized and journaled
// `Assigned`, fetched and hash-checked both inputs, and handed the multiplication to its executor
// thread (gpu-worker/src/jobs.rs `run_and_store`); the output is not computed, stored or
// journaled yet. This script reads what the worker appends to its log every 5 ms and sends
// SIGKILL as soon as the line is there; the multiplication takes seconds on the CPU backend.
// After the process is reaped it checks where the kill landed:
//   - the killed run's log has no `job executed job=<id>` (the output was never stored, so
//     `Executed` was never journaled) and no `attestation finalized job=<id>`;
//   - the finalized chain has the job's `JobAssigned` to Dave and no `AttestationSubmitted`.
// Returns 1.
const fs = require('fs');
const path = require('path');
const lib = require('./lib.js');

async function run(nodeName, networkInfo) {
  const node = networkInfo.nodesByName[nodeName];
  const dir = lib.workDir(networkInfo);
  const state = lib.loadState(dir);
  lib.need(state, 'started', 'the first worker start (step 2)');
  const w = lib.workerRun(1);
  if (!w) throw new Error('worker run 1 was not started by this zombienet process');
  if (w.exitInfo) throw new Error(`worker run 1 exited before the job was submitted: ${JSON.stringify(w.exitInfo)}; log:\n${lib.tail(w.logFile)}`);

  const { provider, owner } = await lib.accounts();
  const { a, b } = lib.matrices();
  const inputs = [];
  for (const matrix of [a, b]) {
    const bytes = lib.bytesOf(matrix);
    const hash = lib.toHex(zombie.util.blake2AsU8a(bytes, 256));
    fs.writeFileSync(path.join(state.inputsDir, hash.slice(2)), bytes);
    inputs.push(hash);
  }
  const { m, n, k } = lib.SHAPE;
  const units = lib.unitsOf(lib.SHAPE);
  const budget = units * lib.PRICE + lib.AIR;
  const spec = {
    kind: 'GemmInt8',
    inputs,
    datasets: [],
    params: lib.toHex(Buffer.concat([lib.le(m, 4), lib.le(n, 4), lib.le(k, 4)])), // SCALE { m, n, k: u32 }
    maxUnits: units.toString(),
    outputSize: m * n * 4,
    minReputation: 0,
  };

  const api = await lib.connect(node);
  let job;
  try {
    const sub = await lib.sendOk(api, api.tx.compute.submitJob(spec, budget.toString(), lib.DEADLINE, 1), owner);
    const submitted = sub.events.map(({ event }) => event).find((e) => lib.isCompute(e, 'JobSubmitted'));
    if (!submitted) throw new Error('no JobSubmitted in the submission block');
    job = submitted.data.job.toNumber();
    if (submitted.data.owner.toString() !== owner.address) throw new Error(`job ${job} is owned by ${submitted.data.owner}`);
    const submittedAt = (await api.rpc.chain.getHeader(sub.blockHash)).number.toNumber();
    lib.saveState(dir, { job, submittedAt, budget: budget.toString(), units: units.toString() });
    lib.log('submit-and-kill', `job ${job} (${m}×${n}×${k} int8 GEMM, ${units} units, budget ${budget}) submitted at #${submittedAt}; waiting for the worker to execute it`);

    // The kill point. (The submission may take up to 120 s and this 110 s: within the step's 240.)
    const { line, seenAt } = await lib.waitForLine(w.logFile, lib.jobLine('executing job', job), {
      timeoutMs: 110_000,
      pollMs: 5,
      dead: () => Boolean(w.exitInfo),
      // The worker refusing or giving up the job ends the wait at once.
      failOn: new RegExp(['not taking the job', 'job cannot run', 'reporting failure', 'accept_job failed']
        .map((t) => lib.jobLine(t, job).source).join('|')),
    });
    process.kill(w.pid, 'SIGKILL');
    const killedAt = Date.now();
    const exit = await Promise.race([w.exited, lib.sleep(10_000).then(() => null)]);
    if (!exit || exit.signal !== 'SIGKILL') {
      throw new Error(`worker run 1 (pid ${w.pid}) did not die of the SIGKILL: ${JSON.stringify(exit)}`);
    }
    if (!lib.isGone(w.pid)) throw new Error(`pid ${w.pid} still runs after the SIGKILL`);
    lib.log('submit-and-kill', `SIGKILL to pid ${w.pid} ${killedAt - seenAt} ms after seeing: ${line.trim()}`);

    // Where the kill landed.
    const executed = lib.countLines(w.logFile, lib.jobLine('job executed', job));
    const attested = lib.countLines(w.logFile, lib.jobLine('attestation finalized', job));
    if (executed || attested) {
      throw new Error(`the kill came too late: the killed worker logged ${executed} 'job executed' and ${attested} 'attestation finalized' line(s) for job ${job}`);
    }
    const blocks = await lib.finalizedBlocks(api, submittedAt);
    const events = lib.jobEvents(blocks, job);
    const assigned = events.filter((e) => e.name === 'JobAssigned');
    if (assigned.length !== 1 || assigned[0].event.data.provider.toString() !== provider.address) {
      throw new Error(`job ${job}: expected one JobAssigned to ${provider.address} before the kill, got ${JSON.stringify(assigned.map((e) => e.event.toHuman()))}`);
    }
    const early = events.filter((e) => e.name !== 'JobSubmitted' && e.name !== 'JobAssigned');
    if (early.length) throw new Error(`job ${job}: already ${early.map((e) => `${e.name}@#${e.number}`).join(', ')} at the kill`);
    lib.saveState(dir, {
      killed: true,
      killedAt,
      killLagMs: killedAt - seenAt,
      assignedAt: assigned[0].number,
      finalizedAtKill: blocks.length ? blocks[blocks.length - 1].number : submittedAt - 1,
    });
    lib.log('submit-and-kill', `job ${job}: assigned at #${assigned[0].number}; the worker died executing it (no output stored, no attestation)`);
  } finally {
    await api.disconnect();
  }
  return 1;
}

module.exports = { run };
