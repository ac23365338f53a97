// zombienet js-script, step (1), run on Alice: writes the worker's config (provider //Dave,
// Alice's RPC, its own data_dir and inputs directory under zombienet's tmpDir, the CPU backend,
// a 2,000 AIR stake and an int8 GEMM offer at 0.001 AIR per unit: e2e/tests/jobs.test.js's
// values) and registers the provider with the worker's CLI, `airtime-worker --config <file>
// register`, which waits for finalization and prints one JSON object. Checks that Dave is then a
// provider in a finalized block: one ProviderRegistered with the configured stake, the stake on
// hold, `compute_provider` reporting him Active with the configured price. Returns 1.
const fs = require('fs');
const path = require('path');
const lib = require('./lib.js');

async function run(nodeName, networkInfo) {
  const node = networkInfo.nodesByName[nodeName];
  const dir = lib.workDir(networkInfo);
  fs.mkdirSync(dir, { recursive: true });
  const port = await lib.freePort();
  const config = lib.writeConfig(dir, { wsUri: node.wsUri, port });
  const url = `http://127.0.0.1:${port}`;
  lib.saveState(dir, { config, url, wsUri: node.wsUri, dataDir: path.join(dir, 'data'), inputsDir: path.join(dir, 'inputs') });
  lib.log('register', `worker config ${config} (listen ${url}, worker ${lib.workerBinary()})`);

  const { provider } = await lib.accounts();
  const api = await lib.connect(node);
  try {
    const minStake = api.consts.compute.minProviderStake.toBigInt();
    if (lib.STAKE < minStake) throw new Error(`the stake ${lib.STAKE} is below MinProviderStake ${minStake}`);
    if ((await lib.rpc(node, 'compute_provider', [provider.address])) !== null) {
      throw new Error(`${provider.address} is a provider already: this network is not fresh`);
    }
    const from = (await lib.finalizedNumber(api)) + 1;

    const out = await lib.runCli(['--config', config, 'register'], { timeoutMs: 130_000, logFile: path.join(dir, 'register.log') });
    lib.log('register', `airtime-worker register printed ${JSON.stringify(out)}`);
    if (out.provider !== provider.address) throw new Error(`register printed provider ${out.provider}, expected ${provider.address}`);
    if (String(out.stake) !== String(lib.STAKE)) throw new Error(`register printed stake ${out.stake}, expected ${lib.STAKE}`);

    // The CLI waited for finalization; allow a block or two for this node's view to catch up.
    const found = await lib.until('ProviderRegistered for the provider in a finalized block', async () => {
      const blocks = await lib.finalizedBlocks(api, from);
      const hits = [];
      for (const b of blocks) {
        for (const e of b.events) {
          if (lib.isCompute(e, 'ProviderRegistered') && e.data.provider.toString() === provider.address) hits.push({ ...b, event: e });
        }
      }
      return hits.length ? hits : null;
    }, 30_000);
    if (found.length !== 1) throw new Error(`${found.length} ProviderRegistered events for the provider, expected 1`);
    const { blockHash, number, event } = found[0];
    if (event.data.stake.toBigInt() !== lib.STAKE) throw new Error(`registered with stake ${event.data.stake}, expected ${lib.STAKE}`);
    const held = await lib.heldAt(api, blockHash, provider.address, 'Compute', 'ProviderStake');
    if (held !== lib.STAKE) throw new Error(`${held} held as ProviderStake, expected ${lib.STAKE}`);
    const view = await lib.rpc(node, 'compute_provider', [provider.address, blockHash.toHex()]);
    if (!view || view.status !== 'Active') throw new Error(`compute_provider: ${JSON.stringify(view)}`);
    const offer = (view.offers || []).find((o) => o.kind === 'GemmInt8');
    if (!offer || offer.pricePerUnit !== lib.PRICE.toString()) throw new Error(`no GemmInt8 offer at ${lib.PRICE}: ${JSON.stringify(view.offers)}`);
    if (BigInt(offer.maxUnits) < lib.unitsOf(lib.SHAPE)) throw new Error(`the offer's maxUnits ${offer.maxUnits} is below the job's ${lib.unitsOf(lib.SHAPE)}`);

    lib.saveState(dir, { registered: true, registeredAt: number });
    lib.log('register', `${provider.address} registered at #${number}: stake ${held} on hold, GemmInt8 at ${offer.pricePerUnit} per unit`);
  } finally {
    await api.disconnect();
  }
  return 1;
}

module.exports = { run };
