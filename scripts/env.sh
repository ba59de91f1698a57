# Sourced by the other scripts.
AETRON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AETRON_ROOT
# Where cargo puts its output (a shared directory outside the work tree when setup.sh set it up).
AETRON_TARGET="$(cd "$AETRON_ROOT" && cargo metadata --format-version 1 --no-deps \
	| python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
export AETRON_TARGET
# The worker is its own workspace (see the root Cargo.toml); its binaries land here.
AETRON_WORKER_TARGET="$(cd "$AETRON_ROOT/offchain-worker" && cargo metadata --format-version 1 --no-deps \
	| python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
export AETRON_WORKER_TARGET
export AETRON_WORKER_BIN="$AETRON_WORKER_TARGET/release/aetron-worker"

# The one build both `scripts/test.sh` and `scripts/devnet.sh` run: the same packages, targets
# and features, so running either after the other rebuilds nothing. The node carries the
# runtime's `fast-runtime` (minute-long epochs, short re-check windows) that devnets and the
# end-to-end tests need. AETRON_TIMINGS=1 writes cargo's per-crate build-time reports.
build_all() {
	echo "==> building the worker (its own workspace): binary, library and test harnesses"
	cargo build --release --locked --manifest-path "$AETRON_ROOT/offchain-worker/Cargo.toml" \
		--all-targets ${AETRON_TIMINGS:+--timings}
	echo "==> building the chain workspace (fast-runtime): binaries, libraries and test harnesses"
	(cd "$AETRON_ROOT" && cargo build --release --locked --workspace --all-targets \
		--features aetron-node/fast-runtime ${AETRON_TIMINGS:+--timings})
}
