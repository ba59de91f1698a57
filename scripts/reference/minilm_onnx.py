"""all-MiniLM-L6-v2 in ONNX Runtime on the CPU, for the side-by-side comparison in
scripts/bench-pytorch.sh: what fastembed and text-embeddings-inference run on, so what a CPU user
would pick instead of the worker.

Two steps, each in its own process so that neither's threads or allocations colour the other's:

    python minilm_onnx.py export MODEL_DIR OUT.onnx
        Exports the model's transformer from PyTorch (eager attention, dynamic batch and sequence
        axes) and checks the exported graph against sentence-transformers before anything is
        timed, at the bench's batch, one sentence alone and a batch of very different lengths:
        mean-pooled, normalised embeddings at cosine >= 0.9999.

    python minilm_onnx.py bench MODEL_DIR OUT.onnx THREADS
        Times it: the same 32 sentences, batch and repeats as minilm_bench.py and
        `aetron-worker bench`, tokenized with the model's own tokenizer.json.
"""

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from minilm_timing import SENTENCES, report  # noqa: E402


def pooled(hidden, mask):
    """sentence-transformers' pooling for this model: mean over real tokens, then L2 norm."""
    mask = mask[..., None].astype(np.float32)
    summed = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
    return summed / np.linalg.norm(summed, axis=1, keepdims=True)


def export(model_dir, out):
    import onnxruntime
    import sentence_transformers
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    bert = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()

    class Transformer(torch.nn.Module):
        """The transformer with its inputs by name and its last hidden state out (its
        positional signature differs across transformers releases)."""

        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                use_cache=False,
            ).last_hidden_state

    model = Transformer().eval()
    batch = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    inputs = (batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            model,
            inputs,
            out,
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    # The traced graph must hold for other shapes than the one it was traced at: the bench's
    # batch, one sentence alone, and a batch padded around sentences of very different lengths.
    st = sentence_transformers.SentenceTransformer(model_dir, device="cpu")
    session = onnxruntime.InferenceSession(out, providers=["CPUExecutionProvider"])
    worst = 1.0
    for sentences in [SENTENCES, SENTENCES[:1], ["Hi.", SENTENCES[3] * 3, "What time is it?"]]:
        reference = st.encode(sentences, convert_to_numpy=True, normalize_embeddings=True)
        batch = tokenizer(sentences, padding=True, return_tensors="np")
        feed = {n: batch[n].astype(np.int64) for n in names}
        ours = pooled(session.run(None, feed)[0], feed["attention_mask"])
        worst = min(worst, float((ours * reference).sum(axis=1).min()))
    print(f"exported {out}: worst cosine to sentence-transformers {worst:.7f}")
    if worst < 0.9999:
        sys.exit(f"the exported model disagrees with PyTorch (cosine {worst} < 0.9999)")


def bench(model_dir, out, threads):
    import onnxruntime
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tokenizer.enable_padding()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = onnxruntime.InferenceSession(out, options, providers=["CPUExecutionProvider"])

    def encode(sentences):
        encoded = tokenizer.encode_batch(sentences)
        feed = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        return pooled(session.run(None, feed)[0], feed["attention_mask"])

    report(f"onnxruntime {onnxruntime.__version__}", threads, encode)


def main():
    match sys.argv[1:]:
        case ["export", model_dir, out]:
            export(model_dir, out)
        case ["bench", model_dir, out, threads]:
            bench(model_dir, out, int(threads))
        case _:
            sys.exit(__doc__)


if __name__ == "__main__":
    main()
