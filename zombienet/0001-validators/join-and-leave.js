// zombienet js-script, run on Eve's node: Eve (//Eve, endowed by the `local` preset) joins the
// validator set through staking and leaves it again. Every step is a plain extrinsic, as a user
// sends it from polkadot.js apps' Extrinsics tab:
//   staking.bond(150,000 AIR) -> session.setKeys(keys, proof) -> staking.validate(5 %)
// with the keys from `author_rotateKeysWithOwner` on Eve's node (they stay in its keystore, so
// the node authors and votes once the keys are active). Then staking.chill().
// Meanwhile it watches finality on every new head and returns the largest best-finalized gap.
const AIR = 10n ** 12n;
const BOND = 150_000n * AIR; // more than a genesis validator's 100,000 AIR: Eve wins a seat
const ERA_TIMEOUT_MS = 4 * 60_000; // two eras (2 sessions of 5 blocks of 6 s) and some slack

async function run(nodeName, networkInfo) {
  const { wsUri, userDefinedTypes } = networkInfo.nodesByName[nodeName];
  // Our own provider: `author_rotateKeysWithOwner` is sent raw (polkadot.js has no wrapper).
  const provider = new zombie.WsProvider(wsUri);
  const api = await zombie.ApiPromise.create({ provider, types: userDefinedTypes });
  const keyring = new zombie.Keyring({ type: 'sr25519' });
  const eve = keyring.addFromUri('//Eve');
  const log = (msg) => console.log(`[join-and-leave] ${msg}`);

  let maxLag = 0;
  const unsub = await api.rpc.chain.subscribeNewHeads(async (header) => {
    const finalized = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
    maxLag = Math.max(maxLag, header.number.toNumber() - finalized.number.toNumber());
  });

  const send = (tx) => new Promise((resolve, reject) => {
    tx.signAndSend(eve, ({ status, dispatchError }) => {
      if (dispatchError) {
        const d = dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule) : null;
        reject(new Error(d ? `${d.section}.${d.name}` : dispatchError.toString()));
      } else if (status.isFinalized) {
        resolve(status.asFinalized);
      }
    }).catch(reject);
  });
  const inSet = async () => (await api.query.session.validators()).map(String).includes(eve.address);
  const waitFor = async (what, cond) => {
    const start = Date.now();
    while (!(await cond())) {
      if (Date.now() - start > ERA_TIMEOUT_MS) throw new Error(`timed out waiting for: ${what}`);
      await new Promise((r) => setTimeout(r, 3000));
    }
    log(`${what} (after ${Math.round((Date.now() - start) / 1000)} s)`);
  };

  // The owner the proof binds the keys to is the account that registers them (its 32 bytes).
  const owner = `0x${Buffer.from(eve.publicKey).toString('hex')}`;
  const { keys, proof } = await provider.send('author_rotateKeysWithOwner', [owner]);
  const before = (await api.query.session.validators()).map(String);
  const count = (await api.query.staking.validatorCount()).toNumber();
  log(`${before.length} validators, ValidatorCount ${count}`);
  await send(api.tx.staking.bond(BOND));
  await send(api.tx.session.setKeys(keys, proof));
  await send(api.tx.staking.validate(50_000_000)); // 5 % commission (Perbill)
  log(`bonded, keys set and validating at era ${(await api.query.staking.activeEra()).toString()}`);
  if (await inSet()) throw new Error('Eve must not enter before an era boundary');

  await waitFor('Eve is in the validator set', inSet);
  const era = (await api.query.staking.activeEra()).unwrap().index.toNumber();
  const exposure = await api.query.staking.erasStakersOverview(era, eve.address);
  if (exposure.isNone || exposure.unwrap().total.toBigInt() !== BOND) {
    throw new Error(`Eve's exposure in era ${era} is not her bond: ${exposure.toString()}`);
  }
  // Eve joined the genesis set, or displaced its weakest member if `ValidatorCount` was reached.
  const expected = Math.min(count, before.length + 1);
  const validators = (await api.query.session.validators()).length;
  if (validators !== expected) throw new Error(`the set has ${validators} validators, expected ${expected}`);

  await send(api.tx.staking.chill());
  log('chilled');
  await waitFor('Eve left the validator set', async () => !(await inSet()));
  const after = (await api.query.session.validators()).map(String).sort();
  if (JSON.stringify(after) !== JSON.stringify([...before].sort())) {
    throw new Error(`the set after Eve left is not the genesis set: ${after} vs ${before}`);
  }

  unsub();
  await api.disconnect();
  log(`largest finality lag seen: ${maxLag}`);
  return maxLag;
}

module.exports = { run };
