// Applies a runtime upgrade that a `root` referendum authorized (`system.authorizeUpgrade` with
// the code's blake2-256 hash): sends `system.applyAuthorizedUpgrade(code)`, which anyone may
// send and which is free when the code matches. Prints one JSON line: the block it landed in.
//
// Usage: node apply-upgrade.mjs <ws-url> <runtime blob file> [suri, default //Ferdie]
import { readFileSync } from 'node:fs';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { connect, send } from './tx.mjs';

const [url, file, suri = '//Ferdie'] = process.argv.slice(2);
if (!url || !file) {
  console.error('usage: node apply-upgrade.mjs <ws-url> <runtime blob file> [suri]');
  process.exit(2);
}
const api = await connect(url);
const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(suri);
const code = u8aToHex(readFileSync(file));
const { block } = await send(api, api.tx.system.applyAuthorizedUpgrade(code), pair);
const number = (await api.rpc.chain.getHeader(block)).number.toNumber();
console.log(JSON.stringify({ block, number }));
await api.disconnect();
process.exit(0);
