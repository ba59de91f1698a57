//! A neuronet's execution parameters (DESIGN §16) through the API: MiniLM served in f16, bf16,
//! with int8 weights and with plain attention answers close to sentence-transformers, says what
//! it runs in `/health`, and its leaves pass a re-check with the same parameters, on the CPU (a
//! re-checker) and on the reference backend (an arbiter), within the tolerance calibrated for
//! them, while the same leaf fails a re-check for an f32 neuronet (a miner paid for f32 that
//! serves cheaper parameters is caught); a worker whose backend cannot honour a parameter
//! refuses to serve, by name.

mod common;

use aetron_worker::{
	inference::{
		execution::{Execution, Name},
		fingerprint::{calibrated_tolerance, cosine},
		BackendKind, Model, Placement,
	},
	recheck::{self, Commitment, FailKind, Leaf, Verdict},
};
use common::Server;
use pallet_neuronets::Task;
use reqwest::Client;
use serde_json::{json, Value};

/// The parameter sets served, as `--dtype/--quantization/--attention` names, with the least
/// cosine similarity their embeddings keep to sentence-transformers' f32 ones. One scale for a
/// whole weight matrix costs MiniLM accuracy (down to 0.942 measured, on the longest sentence);
/// blocks of 32 keep it.
const SETS: [(&str, f64); 4] = [
	("f16/none/fused", 0.9999),
	("bf16/none/fused", 0.999),
	("f32/int8-per-block-32/fused", 0.999),
	("f32/int8-per-tensor/plain", 0.93),
];

fn parse(set: &str) -> Execution {
	let mut parts = set.split('/');
	let mut next = || parts.next().unwrap();
	Execution {
		dtype: next().parse::<Name<_>>().unwrap().0,
		quantization: next().parse::<Name<_>>().unwrap().0,
		attention: next().parse::<Name<_>>().unwrap().0,
	}
}

fn flags(set: &str) -> Vec<String> {
	let mut parts = set.split('/');
	["--dtype", "--quantization", "--attention"]
		.into_iter()
		.flat_map(|flag| [flag.to_string(), parts.next().unwrap().to_string()])
		.collect()
}

/// The reference sentences (sentence-transformers' embeddings).
fn reference() -> Vec<Value> {
	let reference: Value = serde_json::from_str(
		&std::fs::read_to_string(common::testdata("minilm_reference.json")).unwrap(),
	)
	.unwrap();
	reference["sentences"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reduced_precision_and_int8_neuronets_serve_and_their_leaves_pass_a_recheck() {
	let client = Client::new();
	let sentences = reference();
	let texts: Vec<&str> = sentences.iter().map(|s| s["text"].as_str().unwrap()).collect();
	for (set, least_cosine) in SETS {
		let execution = parse(set);
		let data = tempfile::tempdir().unwrap();
		let mut extra = flags(set);
		extra.extend(["--batch-max-age-secs".into(), "1".into()]);
		let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
		let server = Server::start(&common::minilm_dir(), data.path(), &extra);

		let health: Value = client
			.get(format!("{}/health", server.url))
			.send()
			.await
			.unwrap()
			.json()
			.await
			.unwrap();
		assert_eq!(health["execution"], set, "{health}");

		let response = client
			.post(format!("{}/v1/embeddings", server.url))
			.json(&json!({ "model": "all-minilm-l6-v2", "input": texts }))
			.send()
			.await
			.unwrap();
		assert!(response.status().is_success(), "{set}: {}", response.status());
		let header =
			|name: &str| -> u64 { response.headers()[name].to_str().unwrap().parse().unwrap() };
		let position = (header("x-aetron-batch"), header("x-aetron-index") as u32);
		let body: Value = response.json().await.unwrap();
		let mut worst = 1f64;
		for (sentence, data) in sentences.iter().zip(body["data"].as_array().unwrap()) {
			let ours: Vec<f32> = serde_json::from_value(data["embedding"].clone()).unwrap();
			let theirs: Vec<f32> = serde_json::from_value(sentence["embedding"].clone()).unwrap();
			worst = worst.min(cosine(&ours, &theirs));
		}
		println!("{set}: least cosine to sentence-transformers {worst:.6}");
		assert!(worst >= least_cosine, "{set}: an embedding has cosine {worst}");

		let answer = common::closed_artefact(&client, &server, position).await;
		let leaf = Leaf::from_answer(&answer).unwrap();
		let root = (&answer.root).try_into().unwrap();
		let commitment = Commitment {
			tolerance: calibrated_tolerance(Task::Embedding, &execution).unwrap(),
			execution,
			..Commitment::claimed_by(&leaf, root, answer.leaf_count)
		};
		// Served with cheaper parameters than an f32 neuronet's, the same leaf fails there.
		let as_f32 = Commitment {
			execution: Execution::default(),
			tolerance: Default::default(),
			..commitment
		};
		let f32_checker = Model::load(
			&common::minilm_dir(),
			&Placement::new(BackendKind::Cpu, &Execution::default()).unwrap(),
		)
		.unwrap();
		let verdict = recheck::check(&leaf, &as_f32, &f32_checker);
		assert!(
			matches!(
				verdict,
				Verdict::Fail(FailKind::WrongOutput | FailKind::FingerprintOutOfTolerance, _)
			),
			"{set} served for an f32 neuronet: {verdict}"
		);
		for (checker, place) in [
			("a re-checker", Placement::new(BackendKind::Cpu, &execution).unwrap()),
			("an arbiter", Placement::reference(&execution).unwrap()),
		] {
			let model = Model::load(&common::minilm_dir(), &place).unwrap();
			assert_eq!(model.execution(), execution);
			let verdict = recheck::check(&leaf, &commitment, &model);
			assert_eq!(verdict, Verdict::Pass, "{set}: {checker}");
		}
	}
}

/// What `aetron-worker serve` prints when it will not start.
fn refusal(model_dir: &std::path::Path, args: &[&str]) -> String {
	let data = tempfile::tempdir().unwrap();
	let out = std::process::Command::new(env!("CARGO_BIN_EXE_aetron-worker"))
		.arg("serve")
		.arg("--model-dir")
		.arg(model_dir)
		.arg("--data-dir")
		.arg(data.path())
		.args(["--listen", &format!("127.0.0.1:{}", common::free_port())])
		.args(args)
		.output()
		.unwrap();
	assert!(!out.status.success(), "{args:?} started");
	assert!(std::fs::read_dir(data.path()).unwrap().next().is_none(), "{args:?} stored something");
	String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn parameters_a_backend_cannot_honour_are_refused_by_name() {
	let minilm = common::minilm_dir();
	// burn-ndarray has no half-precision arithmetic.
	let err = refusal(&minilm, &["--backend", "reference", "--dtype", "f16"]);
	assert!(err.contains("the reference backend cannot compute in f16"), "{err}");
	let err = refusal(&minilm, &["--backend", "reference", "--dtype", "bf16"]);
	assert!(err.contains("the reference backend cannot compute in bf16"), "{err}");
	// The tiny GPT-2 is 64 wide: a block of 128 does not split its rows.
	let (_guard, tiny) = common::tiny_gpt2(1);
	let err = refusal(&tiny, &["--quantization", "int8-per-block-128"]);
	assert!(
		err.contains("int8-per-block-128: `h.0.attn.c_attn.weight` has rows of 192 values"),
		"{err}"
	);
	// Names outside the sets never parse.
	let err = refusal(&minilm, &["--quantization", "int8-per-block-48"]);
	assert!(err.contains("a block is a power of two from 8 to 128"), "{err}");
	let err = refusal(&minilm, &["--dtype", "f8"]);
	assert!(err.contains("unknown dtype `f8`"), "{err}");
}
