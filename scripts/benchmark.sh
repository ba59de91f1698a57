#!/usr/bin/env bash
# Measures the pallets' weights with frame-benchmarking and writes each pallet's weights.rs
# (template: scripts/pallet-weights.hbs). Builds the node with `runtime-benchmarks` (a heavy
# build, kept out of the default one), then rebuilds the default node so the binaries the tests
# and the devnet use are not the benchmarking build.
#
#   scripts/benchmark.sh                 # every AETRON pallet, 50 steps, 20 repeats
#   STEPS=2 REPEAT=1 scripts/benchmark.sh   # a quick check that every benchmark runs
#   PALLETS="work arbitration" scripts/benchmark.sh   # only these
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/env.sh

steps="${STEPS:-50}"
repeat="${REPEAT:-20}"
# The storage benchmark's own test runtime cannot find itself in this workspace's metadata and is
# not needed by `benchmark pallet` (docs/decisions.md).
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
cargo build --release --locked -p aetron-node --features runtime-benchmarks
node="$AETRON_TARGET/release/aetron-node"
for pallet in ${PALLETS:-neuronets reputation work arbitration restaking emission validators}; do
	echo "==> benchmarking pallet_$pallet"
	"$node" benchmark pallet --chain dev --pallet "pallet_$pallet" --extrinsic '*' \
		--steps "$steps" --repeat "$repeat" --wasm-execution compiled \
		--template scripts/pallet-weights.hbs --output "pallets/$pallet/src/weights.rs"
done
# The `extra` benchmarks: claims and staking calls among 1 to 10 000 other slots or stakers,
# which must weigh the same (DESIGN §12: O(1)); printed, and recorded in docs/measurements.md.
for pallet in ${PALLETS:-restaking emission}; do
	case "$pallet" in
	restaking) extras="stake_among,unstake_among,claim_staking_among,reward_stakers_among" ;;
	emission) extras="claim_among" ;;
	*) continue ;;
	esac
	echo "==> pallet_$pallet at 1 … 10 000 others: $extras"
	"$node" benchmark pallet --chain dev --pallet "pallet_$pallet" --extrinsic "$extras" --extra \
		--steps "${EXTRA_STEPS:-5}" --repeat "${EXTRA_REPEAT:-5}" --wasm-execution compiled \
		--json-file "$AETRON_TARGET/bench-$pallet-extra.json"
done
echo "==> rebuilding the default build (the one scripts/test.sh and scripts/devnet.sh use)"
build_all
