//! Helpers shared by the worker's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The all-MiniLM-L6-v2 directory that `scripts/fetch-models.sh` unpacks.
pub fn minilm_dir() -> PathBuf {
	let models = std::env::var_os("AETRON_MODELS").map(PathBuf::from).unwrap_or_else(|| {
		PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/aetron-models")
	});
	let dir = models.join("all-minilm-l6-v2");
	assert!(
		dir.join("model.safetensors").exists(),
		"{} has no model: run scripts/fetch-models.sh (scripts/test.sh does)",
		dir.display()
	);
	dir
}

/// The repository's test data.
pub fn testdata(name: &str) -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata").join(name)
}
