//! Which neuronets this machine can serve, and which pays best (`aetron-worker neuronets`).
//!
//! A neuronet *fits* when it is open (Active), this machine has its model (a directory under
//! `--models` whose three files hash to the spec's hashes: models are never downloaded) and
//! enough memory for it.
//!
//! ## The earnings estimate
//! Until the restaking and emission pallets land there is no stake to split emission by, so the
//! estimate uses only what the chain holds today: emission is split equally among the open
//! neuronets, 80 % of a neuronet's share goes to its miners (DESIGN §9), and a newcomer with
//! the same work, uptime and reputation as the others gets an equal part of that. The expected
//! share of network emission is therefore `0.8 / (open neuronets × (live slots + 1))`. Ties go
//! to the lower registration price.

use std::path::{Path, PathBuf};

use pallet_neuronets::NeuronetStatus;

use crate::{inference::ModelHashes, registration::NeuronetInfo};

/// The miners' part of a neuronet's emission (DESIGN §9).
pub const MINER_SHARE: f64 = 0.8;

/// A model directory on this machine and its hashes.
#[derive(Clone, Debug)]
pub struct LocalModel {
	/// The directory.
	pub dir: PathBuf,
	/// Its files' hashes.
	pub hashes: ModelHashes,
}

/// `root` itself and each directory under it that holds a model (`config.json`,
/// `model.safetensors`, `tokenizer.json`).
pub fn local_models(root: &Path) -> Vec<LocalModel> {
	let mut dirs = vec![root.to_path_buf()];
	if let Ok(entries) = std::fs::read_dir(root) {
		let mut children: Vec<PathBuf> =
			entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
		children.sort();
		dirs.extend(children);
	}
	dirs.into_iter()
		.filter(|dir| dir.join("model.safetensors").is_file())
		.filter_map(|dir| ModelHashes::of(&dir).ok().map(|hashes| LocalModel { dir, hashes }))
		.collect()
}

/// A neuronet as this machine sees it.
#[derive(Clone, Debug)]
pub struct Candidate {
	/// The neuronet.
	pub info: NeuronetInfo,
	/// The local model directory that matches its spec.
	pub model_dir: Option<PathBuf>,
	/// Why it does not fit, if it does not.
	pub unfit: Option<String>,
	/// The expected share of network emission a new slot would earn (0 when unfit).
	pub expected_share: f64,
}

impl Candidate {
	/// Whether this machine can serve it.
	pub fn fits(&self) -> bool {
		self.unfit.is_none()
	}
}

/// Every neuronet, best first: those that fit by expected share, then the rest.
pub fn rank(
	neuronets: Vec<NeuronetInfo>,
	models: &[LocalModel],
	memory_mib: u64,
) -> Vec<Candidate> {
	let open = neuronets.iter().filter(|n| n.neuronet.status == NeuronetStatus::Active).count();
	let mut candidates: Vec<Candidate> = neuronets
		.into_iter()
		.map(|info| {
			let spec = &info.neuronet.spec;
			let model_dir = models
				.iter()
				.find(|m| {
					m.hashes.weights == spec.model.weights_hash
						&& m.hashes.config == spec.model.config_hash
						&& m.hashes.tokenizer == spec.model.tokenizer_hash
				})
				.map(|m| m.dir.clone());
			let unfit = if info.neuronet.status != NeuronetStatus::Active {
				Some(format!("{:?}", info.neuronet.status).to_lowercase())
			} else if model_dir.is_none() {
				Some("model not on this machine".to_string())
			} else if u64::from(spec.model.min_memory_mib) > memory_mib {
				Some(format!("needs {} MiB, has {memory_mib}", spec.model.min_memory_mib))
			} else {
				None
			};
			let expected_share = if unfit.is_none() {
				MINER_SHARE / (open as f64 * (f64::from(info.neuronet.live_slots) + 1.0))
			} else {
				0.0
			};
			Candidate { info, model_dir, unfit, expected_share }
		})
		.collect();
	candidates.sort_by(|a, b| {
		b.fits()
			.cmp(&a.fits())
			.then(b.expected_share.total_cmp(&a.expected_share))
			.then(a.info.registration_price.cmp(&b.info.registration_price))
			.then(a.info.id.cmp(&b.info.id))
	});
	candidates
}
