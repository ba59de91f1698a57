#!/usr/bin/env bash
# MiniLM embeddings on the CPU: burn (aetron-worker bench) against PyTorch (sentence-transformers)
# and ONNX Runtime (what fastembed and text-embeddings-inference run on), side by side, with the
# same thread count, sentences and batch size, the three alternating for ROUNDS rounds. Sets up
# every side: the worker build, and a Python venv with sentence-transformers, torch, onnx and
# onnxruntime from PyPI (several GB, once, in ~/.cache/aetron-py). The ONNX model is exported
# from PyTorch once, in its own process, and checked against PyTorch before it is timed
# (scripts/reference/minilm_onnx.py).
#
# Usage: [ROUNDS=3] scripts/bench-pytorch.sh [THREADS]      (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. scripts/env.sh
threads="${1:-$(nproc)}"
rounds="${ROUNDS:-3}"

models="$(./scripts/fetch-models.sh | tail -n 1)"
minilm="$models/all-minilm-l6-v2"
venv="$HOME/.cache/aetron-py/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sentence_transformers, onnx, onnxruntime' 2>/dev/null; then
	echo "==> installing sentence-transformers, torch, onnx and onnxruntime into $venv (once)"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet sentence-transformers onnxruntime onnx
fi
onnx="$HOME/.cache/aetron-py/all-minilm-l6-v2.onnx"
if [ ! -f "$onnx" ]; then
	echo "==> exporting MiniLM to ONNX (once) and checking it against PyTorch"
	"$venv/bin/python" scripts/reference/minilm_onnx.py export "$minilm" "$onnx.tmp" 2>/dev/null
	mv "$onnx.tmp" "$onnx"
fi
# --all-targets, as build_all builds it: another target set would change features and rebuild burn.
cargo build --release --locked --manifest-path offchain-worker/Cargo.toml --all-targets

for round in $(seq "$rounds"); do
	echo "==> round $round: PyTorch"
	"$venv/bin/python" scripts/reference/minilm_bench.py "$minilm" "$threads" 2>/dev/null
	echo "==> round $round: ONNX Runtime"
	"$venv/bin/python" scripts/reference/minilm_onnx.py bench "$minilm" "$onnx" "$threads" 2>/dev/null
	echo "==> round $round: burn (aetron-worker bench, cpu backend)"
	RAYON_NUM_THREADS="$threads" "$AETRON_WORKER_BIN" bench --minilm-dir "$minilm" --backends cpu \
		| grep -E 'benchmark|MiniLM'
done
