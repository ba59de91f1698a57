"""Reference logits and greedy tokens of a seeded random GPT-2, from `transformers`' own GPT-2.

The worker's tests write a small GPT-2 with seeded random weights
(offchain-worker/src/inference/random_gpt2.rs). This script draws the same weights with the same
generator (SplitMix64 seeded per tensor by BLAKE2b-256 of the seed and the tensor's name), loads
them into `transformers.GPT2LMHeadModel`, and records the logits of a prompt and a greedy
continuation. Run it through scripts/reference.sh.

Usage: python gpt2.py OUT_JSON
"""

import hashlib
import json
import sys

import numpy as np
import torch
import transformers

SEED = 42
N_EMBD, N_LAYER, N_HEAD, N_POSITIONS, VOCAB = 64, 2, 4, 128, 257
PROMPT = "Hello, AETRON! Useful work."
GREEDY_TOKENS = 24
MASK64 = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def values(name, shape, init):
    state = int.from_bytes(hashlib.blake2b(SEED.to_bytes(8, "little") + name.encode(), digest_size=32).digest()[:8], "little")
    n = int(np.prod(shape))
    out = np.empty(n, dtype=np.float32)
    for i in range(n):
        state, x = splitmix64(state)
        u = np.float32(x >> 40) / np.float32(1 << 24) * np.float32(2.0) - np.float32(1.0)
        out[i] = u * np.float32(init) if init != "one" else np.float32(1.0) + u * np.float32(0.1)
    return out.reshape(shape)


def tensors():
    e = N_EMBD
    yield "wte.weight", (VOCAB, e), 0.5
    yield "wpe.weight", (N_POSITIONS, e), 1.0
    for n in range(N_LAYER):
        for name, shape, init in [
            ("ln_1.weight", (e,), "one"), ("ln_1.bias", (e,), 0.02),
            ("attn.c_attn.weight", (e, 3 * e), 0.5), ("attn.c_attn.bias", (3 * e,), 0.02),
            ("attn.c_proj.weight", (e, e), 0.2), ("attn.c_proj.bias", (e,), 0.02),
            ("ln_2.weight", (e,), "one"), ("ln_2.bias", (e,), 0.02),
            ("mlp.c_fc.weight", (e, 4 * e), 0.3), ("mlp.c_fc.bias", (4 * e,), 0.02),
            ("mlp.c_proj.weight", (4 * e, e), 0.1), ("mlp.c_proj.bias", (e,), 0.02),
        ]:
            yield f"h.{n}.{name}", shape, init
    yield "ln_f.weight", (e,), "one"
    yield "ln_f.bias", (e,), 0.02


def main():
    out = sys.argv[1]
    config = transformers.GPT2Config(
        vocab_size=VOCAB, n_positions=N_POSITIONS, n_embd=N_EMBD, n_layer=N_LAYER, n_head=N_HEAD,
        activation_function="gelu_new", layer_norm_epsilon=1e-5, bos_token_id=256, eos_token_id=256,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, tie_word_embeddings=True,
    )
    model = transformers.GPT2LMHeadModel(config).eval()
    state = {name: torch.from_numpy(values(name, shape, init)) for name, shape, init in tensors()}
    missing, unexpected = model.transformer.load_state_dict(state, strict=False)
    assert not unexpected and all(".attn.bias" in m or "masked_bias" in m for m in missing), (missing, unexpected)
    model.tie_weights()
    ids = list(PROMPT.encode("utf-8"))
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
        greedy = model.generate(
            torch.tensor([ids]), max_new_tokens=GREEDY_TOKENS, do_sample=False, pad_token_id=256,
            eos_token_id=None,
        )[0][len(ids):]
    record = {
        "produced_by": f"transformers {transformers.__version__}, torch {torch.__version__}",
        "seed": SEED,
        "config": {"n_embd": N_EMBD, "n_layer": N_LAYER, "n_head": N_HEAD, "n_positions": N_POSITIONS},
        "prompt": PROMPT,
        "prompt_ids": ids,
        "logits": [[float(x) for x in row] for row in logits],
        "greedy_tokens": [int(t) for t in greedy],
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(record, f)
        f.write("\n")


if __name__ == "__main__":
    main()
