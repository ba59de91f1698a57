// Makes a node's account ready to be voted in as a validator: asks the node for fresh session
// keys with a proof that `suri`'s account owns them (`author_rotateKeysWithOwner`, the keys stay
// in the node's keystore), and registers them on-chain (`session.setKeys`, signed by `suri`).
// Prints one JSON line: the account and its keys.
//
// Usage: node set-keys.mjs <ws-url of the validator's node> <suri, e.g. //Eve>
import { Keyring } from '@polkadot/keyring';
import { decodeAddress } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { connect, send } from './tx.mjs';

const [url, suri] = process.argv.slice(2);
if (!url || !suri) {
  console.error('usage: node set-keys.mjs <ws-url> <suri>');
  process.exit(2);
}
const api = await connect(url);
const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(suri);
const owner = u8aToHex(decodeAddress(pair.address));
// polkadot.js 16 predates this RPC, so it goes to the provider by name.
const generated = await api._rpcCore.provider.send('author_rotateKeysWithOwner', [owner]);
const { keys, proof } = generated;
if (!proof) throw new Error('the runtime made no ownership proof');
await send(api, api.tx.session.setKeys(keys, proof), pair);
console.log(JSON.stringify({ account: pair.address, keys }));
await api.disconnect();
process.exit(0);
