// Applies a runtime upgrade that a `root` referendum authorized (`system.authorizeUpgrade` with
// the code's blake2-256 hash): sends `system.applyAuthorizedUpgrade(code)`, which anyone may
// send and which is free when the code matches. Prints one JSON line: the block it landed in.
//
// Usage: node apply-upgrade.mjs <ws-url> <runtime blob file> [suri, default //Ferdie]
import { readFileSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

const [url, file, suri = '//Ferdie'] = process.argv.slice(2);
if (!url || !file) {
  console.error('usage: node apply-upgrade.mjs <ws-url> <runtime blob file> [suri]');
  process.exit(2);
}
await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(suri);
const code = u8aToHex(readFileSync(file));
const block = await new Promise((resolve, reject) => {
  api.tx.system.applyAuthorizedUpgrade(code).signAndSend(pair, ({ status, dispatchError }) => {
    if (dispatchError) {
      const detail = dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule) : null;
      reject(new Error(detail ? `${detail.section}.${detail.name}` : dispatchError.toString()));
    } else if (status.isInBlock) {
      resolve(status.asInBlock.toHex());
    }
  }).catch(reject);
});
const number = (await api.rpc.chain.getHeader(block)).number.toNumber();
console.log(JSON.stringify({ block, number }));
await api.disconnect();
process.exit(0);
