# Sourced by the other scripts: where cargo puts its output.
AETRON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AETRON_ROOT
# The wasm builder runs a nested cargo; point it at this workspace.
export WASM_BUILD_WORKSPACE_HINT="$AETRON_ROOT"
AETRON_TARGET="$(cd "$AETRON_ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null \
	| python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
export AETRON_TARGET
