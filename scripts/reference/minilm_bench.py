"""Times all-MiniLM-L6-v2 in PyTorch (sentence-transformers) on the CPU, for the side-by-side
comparison in scripts/bench-pytorch.sh. Same 32 sentences and batch as `aetron-worker bench`.

Usage: python minilm_bench.py MODEL_DIR THREADS
"""

import os
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import sentence_transformers  # noqa: E402
import torch  # noqa: E402


def main():
    model_dir, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    model = sentence_transformers.SentenceTransformer(model_dir, device="cpu")
    sentences = [
        f"Sentence number {i} asks the worker to embed a short, ordinary piece of English text."
        for i in range(32)
    ]
    with torch.inference_mode():
        model.encode(sentences, batch_size=32)  # warm-up
        times = []
        for _ in range(5):
            start = time.perf_counter()
            model.encode(sentences, batch_size=32)
            times.append(time.perf_counter() - start)
        one = []
        for _ in range(10):
            start = time.perf_counter()
            model.encode(sentences[:1], batch_size=1)
            one.append(time.perf_counter() - start)
    print(f"pytorch {torch.__version__}, {threads} threads")
    print(f"MiniLM embeddings, batch 32: {32 / statistics.median(times):.2f} sentences/s")
    print(f"MiniLM embedding, one sentence: {statistics.median(one) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
