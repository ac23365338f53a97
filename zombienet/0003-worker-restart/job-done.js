// zombienet js-script, step (5), run on Alice after the restart: follows the finalized chain
// block by block from the job's submission until it settles, then checks that the restarted
// worker completed it exactly once:
//   - over every finalized block from the submission to the head (past the settlement), the job
//     has exactly one JobSubmitted, JobAssigned, AttestationSubmitted (by Dave, usage = units),
//     ChallengePeriodStarted, ProviderPaid (to Dave, price · units less the protocol fee) and
//     JobSettled (owner Eve, the rest of the budget refunded), none of FailureReported,
//     ProviderSlashed, JobRefunded, JobChallenged, DisputeOpened, and nothing after it settled;
//   - Dave is never slashed (no ProviderSlashed for him since his registration), his stake is
//     still on hold in full, and `compute_provider` reports 1 completed, 0 failed, 0 timed out,
//     0 slashed, 0 active jobs;
//   - the restarted worker executed the job once (one `job executed job=<id>` line, none in the
//     killed run's log) and logged `attestation finalized` once;
//   - it serves the output to the job's owner: `GET /v1/outputs/0x<hash>` with Eve's signed
//     headers answers 200 with m·n·4 bytes hashing to the attested hash, spot-checked against
//     A · B computed here (64 entries: the full product is too slow in JavaScript); Ferdie's
//     signed request gets 403, and Eve's request sent again 401 (a replay). Requests are signed
//     for the worker that ran the job (its provider account, Dave: the JobAssigned provider).
// Returns the number of AttestationSubmitted events for the job (test.zndsl requires exactly 1).
const lib = require('./lib.js');

const SETTLE_TIMEOUT_MS = 200_000; // within the step's 300 s, with the checks after it

async function run(nodeName, networkInfo) {
  const node = networkInfo.nodesByName[nodeName];
  const dir = lib.workDir(networkInfo);
  const state = lib.loadState(dir);
  lib.need(state, 'restarted', 'the worker restart (step 4)');
  const job = state.job;
  const units = BigInt(state.units);
  const budget = BigInt(state.budget);
  const w2 = lib.workerRun(2);
  const w1 = lib.workerRun(1);
  if (!w2) throw new Error('worker run 2 was not started by this zombienet process');
  const { provider, owner, stranger } = await lib.accounts();

  const api = await lib.connect(node);
  let attestations;
  try {
    const challengePeriod = api.consts.compute.challengePeriod.toNumber();
    const protocolFeePpb = api.consts.compute.protocolFee.toBigInt(); // Perbill
    const follow = lib.follower(api, state.submittedAt);
    const seen = () => lib.jobEvents(follow.blocks, job).map((e) => `${e.name}@#${e.number}`).join(', ') || 'nothing';

    // Until JobSettled; any failure event, or the worker dying, ends the wait at once.
    const t0 = Date.now();
    let settled;
    for (;;) {
      await follow.poll();
      const events = lib.jobEvents(follow.blocks, job);
      const bad = events.find((e) => lib.FAILURES.includes(e.name));
      if (bad) throw new Error(`job ${job}: ${bad.name} at #${bad.number} ${JSON.stringify(bad.event.toHuman())} (seen: ${seen()})`);
      settled = events.find((e) => e.name === 'JobSettled');
      if (settled) break;
      if (w2.exitInfo) throw new Error(`the restarted worker exited (${JSON.stringify(w2.exitInfo)}) before job ${job} settled (seen: ${seen()}); log:\n${lib.tail(w2.logFile)}`);
      if (Date.now() - t0 > SETTLE_TIMEOUT_MS) {
        throw new Error(`job ${job}: not settled within ${SETTLE_TIMEOUT_MS / 1000} s of the restart step (seen: ${seen()}); worker log:\n${lib.tail(w2.logFile)}`);
      }
      await lib.sleep(1000);
    }
    // Two more finalized blocks, so that "nothing after the settlement" looks past it.
    await lib.until('two more finalized blocks', async () => (await lib.finalizedNumber(api)) >= settled.number + 2, 60_000);
    await follow.poll();

    const events = lib.jobEvents(follow.blocks, job);
    const named = (name) => events.filter((e) => e.name === name);
    const exactlyOne = (name) => {
      const list = named(name);
      if (list.length !== 1) throw new Error(`job ${job}: ${list.length} ${name} events, expected exactly 1 (seen: ${seen()})`);
      return list[0];
    };
    exactlyOne('JobSubmitted');
    const assigned = exactlyOne('JobAssigned');
    attestations = named('AttestationSubmitted');
    const ourAttestations = attestations.filter((e) => e.event.data.provider.toString() === provider.address);
    if (ourAttestations.length !== 1 || attestations.length !== 1) {
      throw new Error(`job ${job}: ${attestations.length} AttestationSubmitted (${ourAttestations.length} by ${provider.address}), expected exactly 1 (seen: ${seen()})`);
    }
    const attested = attestations[0];
    const window = exactlyOne('ChallengePeriodStarted');
    const paid = exactlyOne('ProviderPaid');
    exactlyOne('JobSettled');
    for (const name of lib.FAILURES) {
      if (named(name).length) throw new Error(`job ${job}: ${name} (seen: ${seen()})`);
    }
    const after = events.filter((e) => e.number > settled.number);
    if (after.length) throw new Error(`job ${job}: events after its settlement at #${settled.number}: ${seen()}`);
    if (assigned.event.data.provider.toString() !== provider.address) throw new Error(`job ${job} assigned to ${assigned.event.data.provider}`);
    if (assigned.number > state.finalizedAtKill) throw new Error(`JobAssigned at #${assigned.number}, after the kill (finalized #${state.finalizedAtKill} then)`);
    if (attested.number <= state.finalizedAtKill) throw new Error(`the attestation at #${attested.number} was finalized before the kill`);
    if (attested.event.data.usage.toBigInt() !== units) throw new Error(`attested usage ${attested.event.data.usage}, expected ${units}`);
    const outputHash = attested.event.data.outputHash.toHex();
    if (window.number !== attested.number || window.event.data.outputHash.toHex() !== outputHash) {
      throw new Error(`the challenge window (#${window.number}, ${window.event.data.outputHash}) does not follow the attestation (#${attested.number}, ${outputHash})`);
    }
    if (window.event.data.until.toNumber() !== attested.number + challengePeriod) {
      throw new Error(`challenge window until #${window.event.data.until}, expected #${attested.number + challengePeriod}`);
    }
    if (settled.number <= window.event.data.until.toNumber()) throw new Error(`settled at #${settled.number}, inside the window until #${window.event.data.until}`);

    // The payment: price · units less the protocol fee (Perbill::mul_ceil), the rest refunded.
    const payment = units * lib.PRICE;
    const fee = (payment * protocolFeePpb + 999_999_999n) / 1_000_000_000n;
    if (paid.event.data.provider.toString() !== provider.address) throw new Error(`ProviderPaid to ${paid.event.data.provider}`);
    if (paid.event.data.amount.toBigInt() !== payment - fee || paid.event.data.fee.toBigInt() !== fee) {
      throw new Error(`ProviderPaid amount ${paid.event.data.amount} fee ${paid.event.data.fee}, expected ${payment - fee} and ${fee}`);
    }
    const s = settled.event.data;
    if (s.owner.toString() !== owner.address) throw new Error(`JobSettled owner ${s.owner}`);
    if (s.paid.toBigInt() !== payment - fee || s.fee.toBigInt() !== fee || s.refunded.toBigInt() !== budget - payment) {
      throw new Error(`JobSettled paid ${s.paid} fee ${s.fee} refunded ${s.refunded}, expected ${payment - fee}, ${fee}, ${budget - payment}`);
    }

    // Never slashed: no ProviderSlashed for Dave since his registration, stake intact.
    const since = await lib.finalizedBlocks(api, state.registeredAt);
    const slashes = since.flatMap((b) => b.events.filter((e) => lib.isCompute(e, 'ProviderSlashed') && e.data.provider.toString() === provider.address)
      .map((e) => `#${b.number} ${JSON.stringify(e.toHuman())}`));
    if (slashes.length) throw new Error(`${provider.address} was slashed: ${slashes.join('; ')}`);
    const head = since[since.length - 1].blockHash;
    const held = await lib.heldAt(api, head, provider.address, 'Compute', 'ProviderStake');
    if (held !== lib.STAKE) throw new Error(`${held} held as ProviderStake after the job, expected ${lib.STAKE}`);
    const view = await lib.rpc(node, 'compute_provider', [provider.address, head.toHex()]);
    const want = { status: 'Active', completed: 1, failed: 0, timedOut: 0, slashed: 0, activeJobs: 0, stake: lib.STAKE.toString() };
    for (const [key, value] of Object.entries(want)) {
      if (!view || view[key] !== value) throw new Error(`compute_provider ${key}: ${view && JSON.stringify(view[key])}, expected ${JSON.stringify(value)} (${JSON.stringify(view)})`);
    }
    if ((await lib.rpc(node, 'compute_job', [job, head.toHex()])) !== null) throw new Error(`compute_job ${job} still answers after the settlement`);

    // One execution to the end and one attestation, both by the restarted worker.
    const executedBefore = w1 ? lib.countLines(w1.logFile, lib.jobLine('job executed', job)) : 0;
    const executedAfter = lib.countLines(w2.logFile, lib.jobLine('job executed', job));
    if (executedBefore !== 0 || executedAfter !== 1) {
      throw new Error(`'job executed job=${job}': ${executedBefore} line(s) before the kill and ${executedAfter} after the restart, expected 0 and 1`);
    }
    const attestedLine = lib.jobLine('attestation finalized', job);
    await lib.until(`the restarted worker to log ${attestedLine}`, async () => lib.countLines(w2.logFile, attestedLine) >= 1, 30_000);
    if (lib.countLines(w2.logFile, attestedLine) !== 1) throw new Error(`the restarted worker logged ${lib.countLines(w2.logFile, attestedLine)} 'attestation finalized job=${job}' lines`);

    // The restarted worker serves the output to its owner, and only to its owner.
    const { m, n, k } = lib.SHAPE;
    // Downloads are signed for the worker that ran the job: its provider account's key.
    const workerKey = assigned.event.data.provider.toU8a();
    const ownerHeaders = lib.signedHeaders(owner, outputHash, workerKey);
    const got = await lib.download(state.url, outputHash, ownerHeaders);
    if (got.status !== 200) throw new Error(`owner's download: ${got.status} ${got.body.subarray(0, 200).toString()}`);
    if (got.body.length !== m * n * 4) throw new Error(`the output has ${got.body.length} bytes, expected ${m * n * 4}`);
    const servedHash = lib.toHex(zombie.util.blake2AsU8a(got.body, 256));
    if (servedHash !== outputHash) throw new Error(`the served output hashes to ${servedHash}, the attested hash is ${outputHash}`);
    const { a, b } = lib.matrices();
    const probes = [[0, 0], [0, n - 1], [m - 1, 0], [m - 1, n - 1]];
    for (let i = 1; i <= 60; i++) probes.push([(i * 7919) % m, (i * 104_729) % n]);
    for (const [i, j] of probes) {
      const value = got.body.readInt32LE((i * n + j) * 4);
      const expected = lib.entry(a, b, n, k, i, j);
      if (value !== expected) throw new Error(`C[${i}][${j}] is ${value}, A · B gives ${expected}`);
    }
    const refused = await lib.download(state.url, outputHash, lib.signedHeaders(stranger, outputHash, workerKey));
    if (refused.status !== 403) throw new Error(`a stranger's signed download: ${refused.status}, expected 403`);
    // The owner's request sent again is a replay.
    const replayed = await lib.download(state.url, outputHash, ownerHeaders);
    if (replayed.status !== 401) throw new Error(`the owner's request sent again: ${replayed.status}, expected 401 (Replayed)`);

    lib.saveState(dir, { done: true, settledAt: settled.number, outputHash });
    lib.log('job-done', `job ${job}: submitted #${state.submittedAt}, assigned #${assigned.number}, killed (finalized #${state.finalizedAtKill}), ` +
      `attested #${attested.number}, settled #${settled.number}, ${Math.round((Date.now() - state.killedAt) / 1000)} s after the kill; ` +
      `one attestation, one payment of ${paid.event.data.amount}, no slash; output ${outputHash} served (${got.body.length} bytes, ${probes.length} entries checked)`);
  } finally {
    await api.disconnect();
  }
  return attestations.length;
}

module.exports = { run };
