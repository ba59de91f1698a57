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

# The runtime one `spec_version` higher (feature `upgrade-test`), as a wasm blob for the
# end-to-end runtime-upgrade test: `$AETRON_TARGET/release/aetron-runtime-upgrade.wasm`. It is
# built the way substrate-wasm-builder builds the runtime (same target, flags, profile and
# target directory), so every dependency is reused from the wasm build `build_all` made and only
# the runtime crate itself is compiled again. Run after `build_all`.
build_upgrade_runtime() {
	echo "==> building the upgrade-test runtime (spec_version + 1) for the runtime-upgrade test"
	local wbuild="$AETRON_TARGET/release/wbuild/aetron-runtime"
	local project="$AETRON_TARGET/release/wbuild/aetron-runtime-upgrade"
	mkdir -p "$project/src"
	cat >"$project/Cargo.toml" <<TOML
[package]
name = "aetron-runtime-upgrade-blob"
version = "1.0.0"
edition = "2021"

[lib]
name = "aetron_runtime_upgrade"
crate-type = ["cdylib"]

[dependencies.wasm-project]
package = "aetron-runtime"
path = "$AETRON_ROOT/runtime"
default-features = false
features = ["fast-runtime", "upgrade-test"]

[profile.release]
lto = "thin"
panic = "abort"

[workspace]
resolver = "2"
TOML
	printf '#![no_std]\npub use wasm_project::*;\n' >"$project/src/lib.rs"
	cp "$wbuild/Cargo.lock" "$project/Cargo.lock"
	(cd "$project" && env -u CARGO_ENCODED_RUSTFLAGS -u RUSTC SKIP_WASM_BUILD= \
		CARGO_TARGET_DIR="$wbuild/target" \
		RUSTFLAGS="-C link-arg=--export-table -C link-arg=--export=__heap_base -C link-arg=--import-memory --cfg substrate_runtime" \
		cargo rustc --target=wasm32v1-none --manifest-path "$project/Cargo.toml" --profile release)
	cp "$wbuild/target/wasm32v1-none/release/aetron_runtime_upgrade.wasm" \
		"$AETRON_TARGET/release/aetron-runtime-upgrade.wasm"
}
