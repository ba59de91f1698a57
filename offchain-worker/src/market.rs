//! Which neuronets this machine can serve, and which pays best (`aetron-worker neuronets`).
//!
//! A neuronet *fits* when it is open (Active), this machine has its model (a directory under
//! `--models` whose three files hash to the spec's hashes: models are never downloaded),
//! enough memory for it, and a backend that honours its execution parameters (dtype,
//! quantization, attention; the reason names the one it cannot) for which the re-check has
//! a calibrated tolerance (a neuronet created without one would see honest miners disputed).
//!
//! ## The earnings estimate
//! What a unit of this machine's throughput would earn: AET per confirmed work unit, from what
//! the chain paid in the last epoch whose pot was split (DESIGN §8, §9). A neuronet's miners
//! earn their pool in proportion to the capacity they fill (its stake times
//! `capacity_per_stake`), and work beyond capacity shares the same pool, so a work unit earns
//! `miner_pool / max(work, capacity)`: the pool over the capacity while the neuronet has room,
//! over the work done once it is full. That is before the newcomer's uptime and reputation
//! weights, which scale its score against the others' (a new slot starts at a reputation of
//! 0.10; DESIGN §4). A neuronet without stake earns nothing. Ties go to the lower registration
//! price.

use std::path::{Path, PathBuf};

use pallet_neuronets::{NeuronetSpec, NeuronetStatus};

use crate::{
	emission::aet,
	inference::{
		execution::Name, fingerprint::calibrated_tolerance, BackendKind, ModelHashes, Placement,
	},
	registration::NeuronetInfo,
};

/// What the chain says a neuronet pays its miners.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Income {
	/// Its miners' pool in the last epoch whose pot was split, in plancks.
	pub miner_pool: u128,
	/// Work units its slots had confirmed in that epoch.
	pub work: u64,
	/// Work units an epoch its stake backs now.
	pub capacity: u64,
}

impl Income {
	/// AET a confirmed work unit earns at these figures: `miner_pool / max(work, capacity)`.
	pub fn per_unit(&self) -> f64 {
		let units = self.work.max(self.capacity);
		if units == 0 {
			return 0.0;
		}
		aet(self.miner_pool) / units as f64
	}
}

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
	/// What the chain paid its miners lately.
	pub income: Income,
	/// AET per confirmed work unit this machine's throughput would earn (0 when unfit).
	pub aet_per_unit: f64,
}

impl Candidate {
	/// Whether this machine can serve it.
	pub fn fits(&self) -> bool {
		self.unfit.is_none()
	}
}

/// Why this machine cannot serve a neuronet of `spec` with `backend` as its execution
/// parameters say, if it cannot: the backend lacks one, or no tolerance for them is fair to
/// honest workers (a neuronet created through another tool than `neuronet create`).
pub fn execution_unfit(spec: &NeuronetSpec<u128>, backend: BackendKind) -> Option<String> {
	let execution = &spec.model.execution;
	if let Err(why) = Placement::new(backend, execution) {
		return Some(format!("{why:#}"));
	}
	calibrated_tolerance(spec.task, execution).is_none().then(|| {
		format!(
			"{:?} with {} cannot be re-checked fairly (docs/measurements.md)",
			spec.task,
			Name(*execution)
		)
	})
}

/// Every neuronet, best first: those that fit by AET per work unit, then the rest. `incomes`
/// holds what the chain paid each neuronet's miners (none: nothing yet); `backend` is what
/// this machine would serve with.
pub fn rank(
	neuronets: Vec<NeuronetInfo>,
	incomes: &std::collections::BTreeMap<u32, Income>,
	models: &[LocalModel],
	memory_mib: u64,
	backend: BackendKind,
) -> Vec<Candidate> {
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
			} else if let Some(why) = execution_unfit(spec, backend) {
				Some(why)
			} else {
				None
			};
			let income = incomes.get(&info.id).copied().unwrap_or_default();
			let aet_per_unit = if unfit.is_none() { income.per_unit() } else { 0.0 };
			Candidate { info, model_dir, unfit, income, aet_per_unit }
		})
		.collect();
	candidates.sort_by(|a, b| {
		b.fits()
			.cmp(&a.fits())
			.then(b.aet_per_unit.total_cmp(&a.aet_per_unit))
			.then(a.info.registration_price.cmp(&b.info.registration_price))
			.then(a.info.id.cmp(&b.info.id))
	});
	candidates
}
