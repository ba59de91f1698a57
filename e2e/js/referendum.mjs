// Takes proposals through OpenGov with @polkadot/api, the way a person would in polkadot.js
// Apps: note each call's preimage, submit a referendum on the track of its origin, place the
// decision deposit, vote with the dev accounts, and watch each referendum until it is decided
// and, if approved, enacted. Prints one JSON line: for each proposal its referendum index, the
// outcome (`approved`, `rejected`, …), the blocks it was submitted, decided and enacted at, and
// the enacted call's result.
//
// Usage:
//   node referendum.mjs <ws-url> '<proposal JSON>' ['<proposal JSON>' …]
// A proposal is {"origin": "ParamAdmin" | "ValidatorAdmin" | "Treasurer" | "Root" | …,
//                "call": "pallet.method", "args": [...]            // the call's arguments, or
//                "patch": {...}                                   // for `setParams`: fields
//                                                                 // changed on `pallet.params()`
//                "aye": true}                                     // how everyone votes
// Example: node referendum.mjs ws://127.0.0.1:9944 \
//   '{"origin":"ParamAdmin","call":"work.setParams","patch":{"maxCommitsPerEpoch":77}}'
import { Keyring } from '@polkadot/keyring';
import { connect, errorName, send as sendTx } from './tx.mjs';

const [url, ...specs] = process.argv.slice(2);
if (!url || specs.length === 0) {
  console.error('usage: node referendum.mjs <ws-url> <proposal JSON> [<proposal JSON> …]');
  process.exit(2);
}
const proposals = specs.map((s) => JSON.parse(s));
const AET = 10n ** 12n;
// Each voter votes 900 000 of its 1 000 000 AET: together the twelve dev accounts hold most of
// the issuance, so every track's support curve is met at once.
const VOTE = 900_000n * AET;
// How long a referendum may take in `fast-runtime` blocks before the script gives up.
const MAX_BLOCKS = Number(process.env.REFERENDUM_MAX_BLOCKS ?? 200);

const api = await connect(url);
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const names = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
const voters = [...names, ...names.map((n) => `${n}//stash`)].map((n) => keyring.addFromUri(`//${n}`));
const [alice, bob] = voters;

// Nonces are counted here, so one account's transactions can be in flight together: the
// first use of an account fetches its next index once, every later one counts on from it.
const nonces = new Map();
function nextNonce(pair) {
  const previous = nonces.get(pair.address);
  const next = previous
    ? previous.then((n) => n + 1)
    : api.rpc.system.accountNextIndex(pair.address).then((n) => n.toNumber());
  nonces.set(pair.address, next);
  return next;
}

// Sends `tx` signed by `pair` with the next nonce counted here.
async function send(tx, pair) {
  return sendTx(api, tx, pair, { nonce: await nextNonce(pair) });
}

async function blockNumber() {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

// The call each proposal enacts.
async function callOf(p) {
  const [section, method] = p.call.split('.');
  let args = p.args ?? [];
  if (p.patch) {
    const current = (await api.query[section].params()).toJSON();
    args = [{ ...current, ...p.patch }];
  }
  return api.tx[section][method](...args);
}

// Note every preimage and submit every referendum (Alice), then place every decision deposit
// (Bob): a round of blocks each, whatever the number of proposals.
const submitted = await Promise.all(
  proposals.map(async (p) => {
    const call = await callOf(p);
    const hash = call.method.hash.toHex();
    const len = call.method.encodedLength;
    const origin = p.origin === 'Root' ? { system: 'Root' } : { Origins: p.origin };
    const [, { events }] = await Promise.all([
      send(api.tx.preimage.notePreimage(call.method.toHex()), alice),
      send(api.tx.referenda.submit(origin, { Lookup: { hash, len } }, { After: 0 }), alice),
    ]);
    const event = events.find(({ event }) => api.events.referenda.Submitted.is(event));
    if (!event) throw new Error(`no Submitted event for ${p.call}`);
    return { index: event.event.data.index.toNumber(), proposal: p, submittedAt: await blockNumber() };
  }),
);
await Promise.all(submitted.map(({ index }) => send(api.tx.referenda.placeDecisionDeposit(index), bob)));
const referenda = submitted;

// Everyone votes on every referendum, all at once.
await Promise.all(
  voters.flatMap((voter) =>
    referenda.map(({ index, proposal }) =>
      send(
        api.tx.convictionVoting.vote(index, {
          Standard: { vote: { aye: proposal.aye !== false, conviction: 'Locked1x' }, balance: VOTE },
        }),
        voter,
      ),
    ),
  ),
);

// Watch the blocks until every referendum is decided and every approved one enacted.
const results = new Map(referenda.map((r) => [r.index, { index: r.index, call: r.proposal.call, submittedAt: r.submittedAt }]));
const start = await blockNumber();
await new Promise((resolve, reject) => {
  let unsubscribe = () => {};
  // Blocks are looked at one after another, in order.
  let queue = Promise.resolve();
  const look = async (header) => {
    const number = header.number.toNumber();
    const at = await api.at(header.hash);
    for (const { event } of await at.query.system.events()) {
      if (api.events.scheduler.Dispatched.is(event)) {
        // The enactment of referendum i is the scheduled task named after it.
        const id = event.data.id.isSome ? event.data.id.unwrap().toHex() : null;
        for (const r of results.values()) {
          if (r.enactmentId && r.enactmentId === id) {
            r.enactedAt = number;
            const result = event.data.result;
            r.dispatched = result.isOk ? 'ok' : errorName(api, result.asErr);
          }
        }
      }
    }
    for (const r of results.values()) {
      if (r.outcome) continue;
      const info = (await at.query.referenda.referendumInfoFor(r.index)).unwrap();
      if (!info.isOngoing) {
        r.outcome = info.type.toLowerCase();
        r.decidedAt = number;
        if (info.isApproved) {
          r.enactmentId = enactmentId(r.index);
        }
      }
    }
    const done = [...results.values()].every((r) => r.outcome && (r.outcome !== 'approved' || r.dispatched));
    if (done) {
      unsubscribe();
      resolve();
    } else if (number - start > MAX_BLOCKS) {
      unsubscribe();
      reject(new Error(`undecided after ${MAX_BLOCKS} blocks: ${JSON.stringify([...results.values()])}`));
    }
  };
  api.rpc.chain
    .subscribeNewHeads((header) => {
      queue = queue.then(() => look(header)).catch(reject);
    })
    .then((u) => (unsubscribe = u))
    .catch(reject);
});

// The scheduler task name referenda enacts referendum `index` under: blake2_256 of the SCALE
// encoding of (*b"assembly", "enactment", index).
function enactmentId(index) {
  return api.registry.createType('([u8; 8], Text, u32)', ['assembly', 'enactment', index]).hash.toHex();
}

console.log(JSON.stringify([...results.values()].map(({ enactmentId: _, ...r }) => r)));
await api.disconnect();
process.exit(0);
