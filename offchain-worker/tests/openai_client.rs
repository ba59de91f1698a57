//! The official OpenAI Python client against the worker, unchanged. Needs a Python with the
//! `openai` package in `AETRON_OPENAI_PYTHON` (scripts/test.sh sets one up); without it the test
//! says so and skips.

mod common;

use aetron_worker::inference::{fingerprint::cosine, random_gpt2::RandomGpt2};
use common::Server;
use serde_json::Value;

#[test]
fn the_openai_python_client_works_unchanged() {
	let Some(python) = std::env::var_os("AETRON_OPENAI_PYTHON") else {
		eprintln!("SKIPPED: set AETRON_OPENAI_PYTHON to a Python with the `openai` package (scripts/test.sh does)");
		return;
	};
	let data = tempfile::tempdir().unwrap();
	let embeddings = Server::start(&common::minilm_dir(), data.path(), &[]);
	let models = tempfile::tempdir().unwrap();
	let gpt2 = models.path().join("tiny-gpt2");
	RandomGpt2::tiny(42).write(&gpt2).unwrap();
	let data2 = tempfile::tempdir().unwrap();
	let completions = Server::start(&gpt2, data2.path(), &[]);

	let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
		.join("../scripts/reference/openai_client.py");
	let out = std::process::Command::new(python)
		.arg(script)
		.arg(&embeddings.url)
		.arg(&completions.url)
		.output()
		.unwrap();
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let result: Value = serde_json::from_slice(&out.stdout).unwrap();

	let reference: Value = serde_json::from_str(
		&std::fs::read_to_string(common::testdata("minilm_reference.json")).unwrap(),
	)
	.unwrap();
	let expected: Vec<f32> =
		serde_json::from_value(reference["sentences"][0]["embedding"].clone()).unwrap();
	let first: Vec<f32> = serde_json::from_value(result["embeddings"][0].clone()).unwrap();
	assert!(
		cosine(&first, &expected) >= 0.9999,
		"the client decoded base64 to the right embedding"
	);
	assert_eq!(result["embeddings"].as_array().unwrap().len(), 2);
	assert_eq!(result["float_embedding"].as_array().unwrap().len(), 384);
	assert_eq!(result["models"], serde_json::json!(["all-minilm-l6-v2"]));
	assert_eq!(result["not_found"], "model_not_found");
	assert_eq!(result["bad_request"], "empty_input");

	let gpt2_reference: Value = serde_json::from_str(
		&std::fs::read_to_string(common::testdata("gpt2_reference.json")).unwrap(),
	)
	.unwrap();
	let greedy: Vec<u8> = serde_json::from_value(gpt2_reference["greedy_tokens"].clone()).unwrap();
	assert_eq!(result["completion_text"], String::from_utf8_lossy(&greedy).as_ref());
	assert_eq!(result["completion_finish"], "length");
	assert_eq!(result["completion_usage"], serde_json::json!([27, 24, 51]));
}
