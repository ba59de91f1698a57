#!/usr/bin/env bash
# Sets up the machine, builds the node and worker, and runs a single-node dev chain (Alice, BABE
# + GRANDPA, fresh state). RPC on ws://127.0.0.1:9944 (polkadot.js: Apps, "Development", local
# node). Ctrl-C stops it. Later issues add a mining worker here.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/env.sh

echo "==> building aetron-node and aetron-worker (release; the first build takes a while)"
# `--workspace` resolves features as scripts/test.sh does, so the two share one build.
cargo build --release --locked --workspace --bins
cargo build --release --locked --manifest-path offchain-worker/Cargo.toml --bins

node="$AETRON_TARGET/release/aetron-node"
echo "==> starting the dev chain: $node --dev --tmp"
exec "$node" --dev --tmp --no-mdns --no-telemetry \
	--listen-addr /ip4/127.0.0.1/tcp/30333 --rpc-port 9944 --rpc-cors all "$@"
