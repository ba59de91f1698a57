"""Calls a running `aetron-worker serve` with the official OpenAI Python client, unchanged.

The worker's test `tests/openai_client.rs` runs it against an embeddings worker and a completions
worker and checks what it prints (one JSON object). scripts/test.sh sets up the client in a venv.

Usage: python openai_client.py EMBEDDINGS_URL COMPLETIONS_URL
"""

import json
import sys

import openai


def main():
    embeddings_url, completions_url = sys.argv[1], sys.argv[2]
    out = {}
    client = openai.OpenAI(base_url=f"{embeddings_url}/v1", api_key="unused", max_retries=0)
    out["models"] = [m.id for m in client.models.list()]
    # The client asks for base64 by default and decodes it itself.
    result = client.embeddings.create(model="all-minilm-l6-v2", input=["The quick brown fox jumps over the lazy dog.", "Wie spät ist es?"])
    out["embeddings"] = [d.embedding for d in result.data]
    out["embedding_tokens"] = result.usage.prompt_tokens
    floats = client.embeddings.create(model="all-minilm-l6-v2", input="short", encoding_format="float")
    out["float_embedding"] = floats.data[0].embedding
    try:
        client.embeddings.create(model="no-such-model", input="x")
    except openai.NotFoundError as e:
        out["not_found"] = e.body["code"] if isinstance(e.body, dict) else str(e.body)
    try:
        client.embeddings.create(model="all-minilm-l6-v2", input="")
    except openai.BadRequestError as e:
        out["bad_request"] = e.body["code"] if isinstance(e.body, dict) else str(e.body)

    client = openai.OpenAI(base_url=f"{completions_url}/v1", api_key="unused", max_retries=0)
    completion = client.completions.create(model="tiny-gpt2", prompt="Hello, AETRON! Useful work.", max_tokens=24, temperature=0)
    out["completion_text"] = completion.choices[0].text
    out["completion_finish"] = completion.choices[0].finish_reason
    out["completion_usage"] = [completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
