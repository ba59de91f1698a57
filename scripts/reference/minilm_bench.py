"""Times all-MiniLM-L6-v2 in PyTorch (sentence-transformers) on the CPU, for the side-by-side
comparison in scripts/bench-pytorch.sh. Same 32 sentences and batch as `aetron-worker bench`.

Usage: python minilm_bench.py MODEL_DIR THREADS
"""

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import sentence_transformers  # noqa: E402
import torch  # noqa: E402
from minilm_timing import report  # noqa: E402


def main():
    model_dir, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    model = sentence_transformers.SentenceTransformer(model_dir, device="cpu")
    with torch.inference_mode():
        report(
            f"pytorch {torch.__version__}",
            threads,
            lambda sentences: model.encode(sentences, batch_size=32),
        )


if __name__ == "__main__":
    main()
