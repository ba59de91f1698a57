// The independent payout check (issue 11): with @polkadot/api and nothing but the chain's
// metadata, reads every block's emission and balance events and the emission pallet's storage,
// and recomputes every payout the chain made from DESIGN §9's formula:
//
//   score  = work × min(heartbeats, full_uptime_heartbeats) × weight (parts per billion)
//   earned = miner_pool × min(Σ work, capacity) / capacity          (0 without a score)
//   payout = earned × score / Σ score                               (rounded down, each step)
//
// It checks each Claimed and PayoutForfeited amount to the unit, each bounty against the
// forfeit ledger's share, each neuronet's Σ work and Σ score against its slots' records, and
// that total issuance is genesis + minted − burned. Prints one JSON line; exits 1 on any
// mismatch.
//
// Usage: node payouts.mjs ws://127.0.0.1:9944
import { ApiPromise, WsProvider } from '@polkadot/api';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
const errors = [];
const big = (x) => BigInt(x.toString());
const min = (a, b) => (a < b ? a : b);

// Everything is read at one finalized block: the chain goes on minting while this script walks
// it, and storage read at a later head would hold mints that the walked events do not; below a
// finalized head, block numbers name one chain.
const headHash = await api.rpc.chain.getFinalizedHead();
const head = await api.at(headHash);
const best = (await api.rpc.chain.getHeader(headHash)).number.toNumber();

const params = await head.query.emission.params();
const full = big(params.fullUptimeHeartbeats);

// Storage: every slot score and neuronet epoch not yet expired.
const scores = new Map();
for (const [key, value] of await head.query.emission.scores.entries()) {
  const [epoch, slot] = key.args.map((a) => a.toNumber());
  scores.set(`${epoch}/${slot}`, value.unwrap());
}
const pools = new Map();
for (const [key, value] of await head.query.emission.neuronetEpochs.entries()) {
  const [epoch, neuronet] = key.args.map((a) => a.toNumber());
  pools.set(`${epoch}/${neuronet}`, value.unwrap());
}

// Each neuronet's totals are its slots' records; each score is the formula's.
const sums = new Map();
for (const [key, s] of scores) {
  const epoch = key.split('/')[0];
  const expected = big(s.work) * min(big(s.heartbeats), full) * big(s.weight);
  if (expected !== big(s.score)) errors.push(`score of ${key}: ${s.score} ≠ ${expected}`);
  const k = `${epoch}/${s.neuronet.toNumber()}`;
  const sum = sums.get(k) ?? { work: 0n, score: 0n };
  sum.work += big(s.work);
  sum.score += big(s.score);
  sums.set(k, sum);
}
for (const [k, sum] of sums) {
  const ne = pools.get(k);
  if (!ne) continue;
  if (big(ne.work) !== sum.work || big(ne.score) !== sum.score) {
    errors.push(`totals of ${k}: ${ne.work}/${ne.score} ≠ ${sum.work}/${sum.score}`);
  }
}

function payout(epoch, slot) {
  const s = scores.get(`${epoch}/${slot}`);
  if (!s) return null;
  const ne = pools.get(`${epoch}/${s.neuronet.toNumber()}`);
  if (!ne) return 0n;
  const capacity = big(ne.capacity);
  const total = big(ne.score);
  if (total === 0n || capacity === 0n) return 0n;
  const earned = (big(ne.minerPool) * min(big(ne.work), capacity)) / capacity;
  return (earned * big(s.score)) / total;
}

// Events, block by block.
let minted = 0n;
let burned = 0n;
const claims = [];
for (let number = 1; number <= best; number++) {
  const hash = await api.rpc.chain.getBlockHash(number);
  const at = await api.at(hash);
  for (const { event } of await at.query.system.events()) {
    if (api.events.balances.Minted.is(event)) minted += big(event.data[1]);
    else if (api.events.balances.Burned.is(event)) burned += big(event.data[1]);
    else if (api.events.emission.Claimed.is(event)) {
      const [slot, epoch, coldkey, amount] = event.data;
      claims.push({ block: number, slot: slot.toNumber(), epoch: epoch.toNumber(), to: coldkey.toString(), amount: big(amount), forfeited: false });
    } else if (api.events.emission.PayoutForfeited.is(event)) {
      const [slot, epoch, amount, bounty] = event.data;
      const claim = { block: number, slot: slot.toNumber(), epoch: epoch.toNumber(), amount: big(amount), forfeited: true };
      if (bounty.isSome) {
        const [to, paid] = bounty.unwrap();
        claim.bounty = { to: to.toString(), amount: big(paid) };
        // The forfeit ledger's share for this slot and epoch.
        const forfeit = await at.query.arbitration.forfeited(claim.epoch, claim.slot);
        const share = forfeit.isSome && forfeit.unwrap().bounty.isSome ? big(forfeit.unwrap().bounty.unwrap()[1]) : null;
        if (share === null) errors.push(`bounty of ${claim.slot}/${claim.epoch} without a forfeit owed`);
        else if ((claim.amount * share) / 1_000_000_000n !== claim.bounty.amount) {
          errors.push(`bounty of ${claim.slot}/${claim.epoch}: ${claim.bounty.amount} ≠ ${share} ppb of ${claim.amount}`);
        }
      }
      claims.push(claim);
    }
  }
}

let checked = 0;
for (const c of claims) {
  const expected = payout(c.epoch, c.slot);
  if (expected === null) continue; // expired since: its records are gone
  checked += 1;
  if (expected !== c.amount) errors.push(`payout of slot ${c.slot} in epoch ${c.epoch}: chain ${c.amount}, formula ${expected}`);
}

const issuance = big(await head.query.balances.totalIssuance());
const genesis = big(await head.query.emission.genesisIssuance());
const mintedStored = big(await head.query.emission.minted());
if (minted !== mintedStored) errors.push(`minted: events ${minted}, storage ${mintedStored}`);
if (issuance !== genesis + minted - burned) errors.push(`issuance ${issuance} ≠ genesis ${genesis} + minted ${minted} − burned ${burned}`);

console.log(JSON.stringify({
  best,
  claims: claims.length,
  checked,
  forfeited: claims.filter((c) => c.forfeited).length,
  bounties: claims.filter((c) => c.bounty).map((c) => ({ slot: c.slot, epoch: c.epoch, to: c.bounty.to, amount: c.bounty.amount.toString() })),
  paid: claims.filter((c) => !c.forfeited).map((c) => ({ slot: c.slot, epoch: c.epoch, to: c.to, amount: c.amount.toString() })),
  minted: minted.toString(),
  burned: burned.toString(),
  issuance: issuance.toString(),
  errors,
}));
await api.disconnect();
process.exit(errors.length === 0 ? 0 : 1);
