// Reads the neuronets pallet's storage and decodes its registration events with @polkadot/api,
// using nothing but the chain's metadata, and prints what it saw as one JSON line.
//
// Usage: node inspect.mjs ws://127.0.0.1:9944
import { ApiPromise, WsProvider } from '@polkadot/api';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });

const neuronets = (await api.query.neuronets.neuronets.entries()).map(([key, value]) => {
  const n = value.unwrap();
  return {
    id: key.args[0].toNumber(),
    name: n.spec.name.toUtf8(),
    owner: n.owner.toString(),
    status: n.status.toString(),
    liveSlots: n.liveSlots.toNumber(),
    referenceChecks: n.spec.referenceChecks.length,
  };
});

const slots = (await api.query.neuronets.slots.entries()).map(([key, value]) => {
  const s = value.unwrap();
  return {
    id: key.args[0].toNumber(),
    neuronet: s.neuronet.toNumber(),
    coldkey: s.coldkey.toString(),
    hotkey: s.hotkey.toString(),
    state: s.state.toString(),
    heartbeats: s.heartbeats.toNumber(),
  };
}).sort((a, b) => a.id - b.id);

// Every SlotRegistered event from genesis to the best block.
const registrations = [];
const best = (await api.rpc.chain.getHeader()).number.toNumber();
for (let number = 1; number <= best; number++) {
  const hash = await api.rpc.chain.getBlockHash(number);
  const events = await (await api.at(hash)).query.system.events();
  for (const { event } of events) {
    if (api.events.neuronets.SlotRegistered.is(event)) {
      const [slot, neuronet, coldkey, hotkey, payment] = event.data;
      registrations.push({
        block: number,
        slot: slot.toNumber(),
        neuronet: neuronet.toNumber(),
        coldkey: coldkey.toString(),
        hotkey: hotkey.toString(),
        payment: payment.isFee ? { fee: payment.asFee.toString() } : { pow: payment.asPow.toNumber() },
      });
    }
  }
}

console.log(JSON.stringify({ neuronets, slots, registrations }));
await api.disconnect();
