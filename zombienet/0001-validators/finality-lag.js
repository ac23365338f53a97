// zombienet js-script: watches `blocks` new best blocks on one node and returns the largest
// finality lag (best height - finalized height) it saw. Run by test.zndsl.
async function run(nodeName, networkInfo, args) {
  const blocks = Number(args[0] || 20);
  const { wsUri, userDefinedTypes } = networkInfo.nodesByName[nodeName];
  const api = await zombie.connect(wsUri, userDefinedTypes);
  let maxLag = 0;
  let seen = 0;
  await new Promise((resolve, reject) => {
    api.rpc.chain
      .subscribeNewHeads(async (header) => {
        try {
          const finalized = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
          const lag = header.number.toNumber() - finalized.number.toNumber();
          maxLag = Math.max(maxLag, lag);
          console.log(`${nodeName}: best #${header.number} finalized #${finalized.number} lag ${lag}`);
          seen += 1;
          if (seen >= blocks) resolve();
        } catch (e) {
          reject(e);
        }
      })
      .catch(reject);
  });
  await api.disconnect();
  return maxLag;
}

module.exports = { run };
