//! all-MiniLM-L6-v2 in burn against the model's own Python implementation.

use aetron_worker::inference::Placement;
mod common;

use aetron_worker::inference::{fingerprint::cosine, BackendKind, Model};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
	sentences: Vec<Sentence>,
}

#[derive(Deserialize)]
struct Sentence {
	text: String,
	token_ids: Vec<u32>,
	embedding: Vec<f32>,
}

fn reference() -> Reference {
	let text = std::fs::read_to_string(common::testdata("minilm_reference.json")).unwrap();
	serde_json::from_str(&text).unwrap()
}

fn load(backend: BackendKind) -> aetron_worker::inference::EmbeddingModel {
	match Model::load(&common::minilm_dir(), &Placement::plain(backend.device().unwrap())).unwrap()
	{
		Model::Embedding(model) => model,
		Model::Completion(_) => panic!("MiniLM loaded as a completion model"),
	}
}

#[test]
fn tokens_and_embeddings_match_sentence_transformers() {
	let reference = reference();
	for backend in [BackendKind::Cpu, BackendKind::Reference] {
		let model = load(backend);
		assert_eq!(model.dimensions(), 384);
		assert_eq!(model.max_tokens(), 256);
		let batch: Vec<Vec<u32>> =
			reference.sentences.iter().map(|s| model.tokenize(&s.text).unwrap()).collect();
		for (ids, s) in batch.iter().zip(&reference.sentences) {
			assert_eq!(ids, &s.token_ids, "tokens of {:?}", s.text);
		}
		// All sentences in one padded batch, and each alone: padding must not change a result.
		let together = model.embed(&batch).unwrap();
		for (i, s) in reference.sentences.iter().enumerate() {
			let alone = model.embed(&batch[i..=i]).unwrap().remove(0);
			for ours in [&together[i], &alone] {
				let similarity = cosine(ours, &s.embedding);
				eprintln!("{backend}: 1 - cos to sentence-transformers {:.1e}", 1.0 - similarity);
				assert!(similarity >= 0.9999, "{backend}: cosine {similarity} for {:?}", s.text);
				let max_diff =
					ours.iter().zip(&s.embedding).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
				assert!(max_diff < 1e-4, "{backend}: max difference {max_diff} for {:?}", s.text);
			}
			let norm: f32 = together[i].iter().map(|v| v * v).sum::<f32>().sqrt();
			assert!((norm - 1.0).abs() < 1e-5, "embeddings are L2-normalised");
		}
	}
}

#[test]
fn over_long_and_empty_inputs_are_refused() {
	let model = load(BackendKind::Cpu);
	let long = "word ".repeat(300);
	match model.tokenize(&long) {
		Err(aetron_worker::inference::InputError::TooLong { requested, max }) => {
			assert_eq!(max, 256);
			assert!(requested > 256);
		}
		other => panic!("expected TooLong, got {other:?}"),
	}
	assert!(matches!(model.tokenize(""), Err(aetron_worker::inference::InputError::Empty)));
}

#[test]
fn the_reference_backend_is_bit_identical_across_runs_and_thread_counts() {
	let reference = reference();
	let model = load(BackendKind::Reference);
	let batch: Vec<Vec<u32>> =
		reference.sentences.iter().map(|s| model.tokenize(&s.text).unwrap()).collect();
	let digest = |embeddings: Vec<Vec<f32>>| {
		let bytes: Vec<u8> = embeddings.iter().flatten().flat_map(|v| v.to_le_bytes()).collect();
		sp_crypto_hashing::blake2_256(&bytes)
	};
	let first = digest(model.embed(&batch).unwrap());
	assert_eq!(first, digest(model.embed(&batch).unwrap()), "same run twice");
	// Other rayon pools around the call must not matter: the reference backend uses none.
	for threads in [1, 2, 4] {
		let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
		let again = pool.install(|| digest(model.embed(&batch).unwrap()));
		assert_eq!(first, again, "{threads} threads");
	}
	// From other OS threads at once.
	let model = std::sync::Arc::new(model);
	let handles: Vec<_> = (0..3)
		.map(|_| {
			let (model, batch) = (model.clone(), batch.clone());
			std::thread::spawn(move || digest(model.embed(&batch).unwrap()))
		})
		.collect();
	for handle in handles {
		assert_eq!(first, handle.join().unwrap());
	}
}
