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
