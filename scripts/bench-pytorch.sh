#!/usr/bin/env bash
# MiniLM embeddings on the CPU: burn (aetron-worker bench) against PyTorch (sentence-transformers)
# side by side, with the same thread count, sentences and batch size. Sets up both sides: the
# worker build, and a Python venv with sentence-transformers and torch from PyPI (several GB,
# once, in ~/.cache/aetron-py).
#
# Usage: scripts/bench-pytorch.sh [THREADS]      (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/env.sh
threads="${1:-$(nproc)}"

models="$(./scripts/fetch-models.sh | tail -n 1)"
venv="$HOME/.cache/aetron-py/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sentence_transformers' 2>/dev/null; then
	echo "==> installing sentence-transformers and torch into $venv (once)"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet sentence-transformers
fi
cargo build --release --locked --manifest-path offchain-worker/Cargo.toml --bins

echo "==> PyTorch"
"$venv/bin/python" scripts/reference/minilm_bench.py "$models/all-minilm-l6-v2" "$threads" 2>/dev/null
echo "==> burn (aetron-worker bench, cpu backend)"
RAYON_NUM_THREADS="$threads" "$AETRON_WORKER_BIN" bench --minilm-dir "$models/all-minilm-l6-v2" --backends cpu \
	| grep -E 'benchmark|MiniLM'
