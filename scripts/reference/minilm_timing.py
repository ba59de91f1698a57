"""What every side of scripts/bench-pytorch.sh times, and how: the same 32 sentences as
`aetron-worker bench`, one batch of 32 (median of 5 after a warm-up) and one sentence alone
(median of 10). Imports nothing heavy, so each side's process holds only its own runtime."""

import statistics
import time

SENTENCES = [
    f"Sentence number {i} asks the worker to embed a short, ordinary piece of English text."
    for i in range(32)
]


def report(name, threads, encode):
    """Times `encode(sentences)` and prints the two figures under `name`."""
    encode(SENTENCES)  # warm-up
    batch = []
    for _ in range(5):
        start = time.perf_counter()
        encode(SENTENCES)
        batch.append(time.perf_counter() - start)
    one = []
    for _ in range(10):
        start = time.perf_counter()
        encode(SENTENCES[:1])
        one.append(time.perf_counter() - start)
    print(f"{name}, {threads} threads")
    print(f"MiniLM embeddings, batch 32: {32 / statistics.median(batch):.2f} sentences/s")
    print(f"MiniLM embedding, one sentence: {statistics.median(one) * 1e3:.2f} ms")
