"""Reference embeddings of all-MiniLM-L6-v2 from the model's own Python implementation.

sentence-transformers loads the model directory that scripts/fetch-models.sh unpacked and embeds
the sentences below; the worker's tests compare its burn implementation with these values
(cosine similarity >= 0.9999). Run it through scripts/reference.sh, which sets up the Python side.

Usage: python minilm.py MODEL_DIR OUT_JSON
"""

import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import sentence_transformers  # noqa: E402
import torch  # noqa: E402

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "AETRON pays miners for useful AI compute instead of empty hashing.",
    "A Merkle-sum tree binds each leaf to its index and the total claimed work.",
    "Wie spät ist es?",
    "Ünïcödé, emoji 🚀 and CAPITALS are normalised by the tokenizer.",
    "short",
    " ".join(["a long sentence that repeats itself"] * 20),
]


def main() -> None:
    model_dir, out = sys.argv[1], sys.argv[2]
    torch.manual_seed(0)
    model = sentence_transformers.SentenceTransformer(model_dir, device="cpu")
    embeddings = model.encode(SENTENCES, convert_to_numpy=True, normalize_embeddings=False)
    tokens = [model.tokenizer(s)["input_ids"] for s in SENTENCES]
    record = {
        "model": "all-MiniLM-L6-v2",
        "produced_by": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}",
        "sentences": [
            {"text": s, "token_ids": t, "embedding": [float(x) for x in e]}
            for s, t, e in zip(SENTENCES, tokens, embeddings)
        ],
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
