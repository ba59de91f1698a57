#!/usr/bin/env bash
# Installs what building and testing AETRON needs on a fresh Debian machine. Idempotent: a second
# run changes nothing and takes seconds.
set -euo pipefail

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

sudo_if_needed() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: protoc for libp2p's protobufs; a C/C++ toolchain, perl and pkg-config for the
# C parts (binaryen in wasm-opt, the vendored OpenSSL of litep2p's WebRTC, zstd); python3 for the
# scripts' small JSON reads, pip and venv for the test model (scripts/fetch-models.sh) and the
# OpenAI client of the compatibility test; Mesa's
# Vulkan drivers (lavapipe) so the worker's wgpu tests have an adapter on a machine without a GPU.
packages=(build-essential perl pkg-config protobuf-compiler git curl python3 python3-pip python3-venv mesa-vulkan-drivers)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing Debian packages: ${missing[*]}"
	sudo_if_needed apt-get update -qq
	DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${missing[@]}"
fi

# Node.js and npm, for the polkadot.js (@polkadot/api) end-to-end check. Debian's packages only
# when the commands are missing (a NodeSource nodejs already carries npm and conflicts with them).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	log "installing Debian packages: nodejs npm"
	sudo_if_needed apt-get update -qq
	DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq nodejs npm
fi

# Rust: the machine's toolchain plus the wasm target and rust-src the runtime's wasm build needs.
if ! command -v cargo >/dev/null; then
	echo "cargo not found: install Rust with rustup first" >&2
	exit 1
fi
rustup target list --installed | grep -qx wasm32v1-none || { log "adding target wasm32v1-none"; rustup target add wasm32v1-none; }
rustup component list --installed | grep -q '^rust-src' || { log "adding component rust-src"; rustup component add rust-src; }

# One cargo target directory outside the work tree, shared by every clone on this machine, so a
# second build (or CI on a fresh clone) is incremental.
mkdir -p "$HOME/.cargo"
if ! grep -q 'target-dir' "$HOME/.cargo/config.toml" 2>/dev/null; then
	log "setting the shared cargo target dir to $HOME/.cache/aetron-target"
	printf '[build]\ntarget-dir = "%s/.cache/aetron-target"\n' "$HOME" >> "$HOME/.cargo/config.toml"
fi
log "setup done"
