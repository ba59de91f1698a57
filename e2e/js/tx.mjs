// What the governance scripts share: a connection with the crypto ready, the name a dispatch
// error decodes to, and sending a signed transaction until it is in a block.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

// Connects to `url` (the chain's metadata types everything) once sr25519 is ready for signing.
export async function connect(url) {
  await cryptoWaitReady();
  return ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
}

// `pallet.Error` for a module error, the error's own text otherwise.
export function errorName(api, err) {
  if (err.isModule) {
    const detail = api.registry.findMetaError(err.asModule);
    return `${detail.section}.${detail.name}`;
  }
  return err.toString();
}

// Signs and sends `tx` as `pair` (with `options`, e.g. a nonce); resolves with the block hash it
// landed in and its events, rejects with the error's name if it failed.
export function send(api, tx, pair, options = {}) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(pair, options, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        reject(new Error(errorName(api, dispatchError)));
      } else if (status.isInBlock) {
        resolve({ block: status.asInBlock.toHex(), events });
      }
    }).catch(reject);
  });
}
