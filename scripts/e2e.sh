#!/usr/bin/env bash
# The end-to-end tests (e2e/tests), against binaries `build_all` built. `scripts/test.sh` runs it;
# alone, it needs AETRON_MODELS (scripts/fetch-models.sh) and e2e/js's node_modules.
#
# These tests wait on the chain far more than they compute: epochs, re-check and dispute windows,
# referenda. Through the full-loop ones two cores stay mostly idle (load under 0.5, eight workers
# and a node included). So they run in three lanes side by side, balanced by their measured times
# (docs/measurements.md). Each lane runs its tests one after another; each test writes its own log,
# printed whole when it ends, and a table of times and results closes the run. Every file in
# e2e/tests must be in exactly one lane: a new one that is not fails the run before anything starts.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

lanes=(
	"governance emission"
	"work neuronets"
	"arbitration local_network dev_node bad_input"
)

# Every test file in one lane, and nothing in a lane that is not a test file.
listed=$(printf '%s\n' ${lanes[*]} | sort)
present=$(cd e2e/tests && ls ./*.rs | sed 's|^\./||; s|\.rs$||' | sort)
if [ "$listed" != "$present" ] || [ "$(printf '%s\n' "$listed" | uniq -d)" != "" ]; then
	echo "scripts/e2e.sh: the lanes list $(echo $listed), e2e/tests holds $(echo $present)" >&2
	exit 1
fi

logs="$(mktemp -d)"
run_test() {
	local name=$1 start status elapsed
	start=$(date +%s)
	status=0
	cargo test --release --locked --workspace --features aetron-node/fast-runtime --test "$name" \
		-- --test-threads 2 >"$logs/$name.log" 2>&1 || status=$?
	elapsed=$(($(date +%s) - start))
	# One lane prints at a time, so two tests ending together do not interleave.
	(
		flock 9
		echo "$name $status $elapsed" >>"$logs/results"
		echo "==> e2e $name: $([ "$status" = 0 ] && echo ok || echo "FAILED ($status)") after $elapsed s"
		cat "$logs/$name.log"
	) 9>"$logs/print.lock"
}

start=$(date +%s)
pids=()
for lane in "${lanes[@]}"; do
	# A lane goes on after a failure: the other tests' results are worth having.
	(for name in $lane; do run_test "$name"; done) &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
done

echo "==> end-to-end tests, three lanes, $(($(date +%s) - start)) s in all:"
awk '{ printf "    %-14s %-8s %5d s\n", $1, ($2 == 0 ? "ok" : "FAILED"), $3 }' "$logs/results"
failed=$(awk '$2 != 0 { print $1 }' "$logs/results")
rm -rf "$logs"
if [ -n "$failed" ]; then
	echo "==> FAILED: $(echo $failed)" >&2
	exit 1
fi
