//! Joining a neuronet, off-chain: an owner's spec file becomes an on-chain spec whose reference
//! checks a worker on another backend reproduces within tolerance (with the runtime's own
//! integer comparison), while a worker with other weights does not; and the ranking of
//! neuronets by fit and expected share.

use aetron_worker::inference::Placement;
mod common;

use aetron_worker::{
	inference::{fingerprint, BackendKind, Model, ModelHashes},
	joining,
	market::{self, Income, LocalModel},
	registration::NeuronetInfo,
	spec::SpecFile,
};
use pallet_neuronets::{Neuronet, NeuronetStatus, Task};

fn load(dir: &std::path::Path, backend: BackendKind) -> Model {
	Model::load(dir, &Placement::plain(backend.device().unwrap())).unwrap()
}

const SPEC: &str = r#"
name = "tiny-gpt2"
task = "text-generation"
model_dir = "model"
min_memory_mib = 64

[economics]
units_per_input_token = 1
units_per_output_token = 2
fee_floor = 0.5
fee_cap = 10
pow_difficulty = 5000

[[reference_checks]]
input = "The miner's worker answers"
max_tokens = 12

[[reference_checks]]
input = "Useful compute"
max_tokens = 20
"#;

fn owner_spec(dir: &std::path::Path) -> pallet_neuronets::NeuronetSpec<u128> {
	let path = dir.join("spec.toml");
	std::fs::write(&path, SPEC).unwrap();
	let file = SpecFile::read(&path).unwrap();
	let model_dir = file.model_dir(&path);
	let model = load(&model_dir, BackendKind::Reference);
	file.build(ModelHashes::of(&model_dir).unwrap(), &model).unwrap()
}

#[test]
fn a_worker_on_another_backend_reproduces_the_owners_reference_checks() {
	let dir = tempfile::tempdir().unwrap();
	aetron_worker::inference::random_gpt2::RandomGpt2::tiny(3)
		.write(&dir.path().join("model"))
		.unwrap();
	let spec = owner_spec(dir.path());
	assert_eq!(spec.task, Task::TextGeneration);
	assert_eq!(spec.economics.fee_floor, 500_000_000_000);
	assert_eq!(spec.reference_checks.len(), 2);
	assert_eq!(
		spec.model.weights_hash,
		ModelHashes::of(&dir.path().join("model")).unwrap().weights
	);

	let worker = load(&dir.path().join("model"), BackendKind::Cpu);
	let results = joining::reference_results(&worker, &spec.reference_checks).unwrap();
	for (check, result) in spec.reference_checks.iter().zip(&results) {
		let d = fingerprint::distance(&check.expected, result).unwrap();
		assert!(d.within(&spec.tolerance), "{d:?}");
	}
	let benchmark =
		joining::benchmark(&worker, &spec.reference_checks, std::time::Duration::from_millis(200))
			.unwrap();
	assert!(benchmark.units_per_second > 0);

	// Other weights of the same shape: refused.
	let other = tempfile::tempdir().unwrap();
	aetron_worker::inference::random_gpt2::RandomGpt2::tiny(4).write(other.path()).unwrap();
	let impostor = load(other.path(), BackendKind::Cpu);
	let results = joining::reference_results(&impostor, &spec.reference_checks).unwrap();
	assert!(spec.reference_checks.iter().zip(&results).any(|(check, result)| {
		!fingerprint::distance(&check.expected, result).is_some_and(|d| d.within(&spec.tolerance))
	}));
}

#[test]
fn minilm_reference_checks_pass_across_backends() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("spec.toml");
	std::fs::write(
		&path,
		format!(
			"name = \"minilm\"\ntask = \"embedding\"\nmodel_dir = \"{}\"\nmin_memory_mib = 1\n\
			 [economics]\nunits_per_input_token = 1\nunits_per_output_token = 1\nfee_floor = 1\n\
			 fee_cap = 2\npow_difficulty = 1\n[[reference_checks]]\ninput = \"Wie spät ist es?\"\n",
			common::minilm_dir().display()
		),
	)
	.unwrap();
	let file = SpecFile::read(&path).unwrap();
	let reference = load(&common::minilm_dir(), BackendKind::Reference);
	let spec = file.build(ModelHashes::of(&common::minilm_dir()).unwrap(), &reference).unwrap();
	let cpu = load(&common::minilm_dir(), BackendKind::Cpu);
	let results = joining::reference_results(&cpu, &spec.reference_checks).unwrap();
	let d = fingerprint::distance(&spec.reference_checks[0].expected, &results[0]).unwrap();
	assert!(d.within(&spec.tolerance), "{d:?}");
	// A task that does not match the model is refused.
	let text =
		std::fs::read_to_string(&path).unwrap().replace("\"embedding\"", "\"text-generation\"");
	std::fs::write(&path, text).unwrap();
	let err = SpecFile::read(&path)
		.unwrap()
		.build(ModelHashes::of(&common::minilm_dir()).unwrap(), &reference);
	assert!(err.unwrap_err().to_string().contains("does not do task"));
}

#[test]
fn bad_spec_files_are_refused_with_their_reason() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("spec.toml");
	std::fs::write(&path, SPEC.replace("min_memory_mib = 64", "min_memory_mib = 64\ncolour = 3"))
		.unwrap();
	let err = format!("{:#}", SpecFile::read(&path).unwrap_err());
	assert!(err.contains("unknown field `colour`"), "{err}");
	aetron_worker::inference::random_gpt2::RandomGpt2::tiny(3)
		.write(&dir.path().join("model"))
		.unwrap();
	let model = load(&dir.path().join("model"), BackendKind::Reference);
	let hashes = ModelHashes::of(&dir.path().join("model")).unwrap();
	let long = SPEC.replace("tiny-gpt2", &"n".repeat(65));
	std::fs::write(&path, long).unwrap();
	let err = SpecFile::read(&path).unwrap().build(hashes, &model).unwrap_err();
	assert!(err.to_string().contains("name is longer than 64 bytes"), "{err}");
	std::fs::write(&path, SPEC.replace("fee_floor = 0.5", "fee_floor = -1")).unwrap();
	let err = SpecFile::read(&path).unwrap().build(hashes, &model).unwrap_err();
	assert!(err.to_string().contains("fee_floor"), "{err}");
}

fn info(
	id: u32,
	spec: pallet_neuronets::NeuronetSpec<u128>,
	live_slots: u32,
	status: NeuronetStatus,
	price: u128,
) -> NeuronetInfo {
	NeuronetInfo {
		id,
		neuronet: Neuronet {
			owner: [0u8; 32].into(),
			deposit: 0,
			spec,
			status,
			live_slots,
			created: 0,
		},
		registration_price: price,
		pow_difficulty: 1,
	}
}

#[test]
fn neuronets_rank_by_fit_then_income_per_work_unit() {
	let dir = tempfile::tempdir().unwrap();
	let models = dir.path().join("models");
	aetron_worker::inference::random_gpt2::RandomGpt2::tiny(3)
		.write(&models.join("model"))
		.unwrap();
	let spec = owner_spec(&models);
	let mut big = spec.clone();
	big.model.min_memory_mib = u32::MAX;
	let mut missing = spec.clone();
	missing.model.weights_hash = [9; 32];
	let mut half = spec.clone();
	half.model.execution.dtype = pallet_neuronets::DType::F16;
	let local = market::local_models(&models);
	assert_eq!(local.len(), 1);
	let LocalModel { dir: found, .. } = &local[0];
	assert_eq!(found, &models.join("model"));
	let ranked = market::rank(
		vec![
			info(0, spec.clone(), 9, NeuronetStatus::Active, 5),
			info(1, missing, 0, NeuronetStatus::Active, 1),
			info(2, spec.clone(), 1, NeuronetStatus::Active, 7),
			info(3, big, 0, NeuronetStatus::Active, 1),
			info(4, spec.clone(), 0, NeuronetStatus::Paused, 1),
			info(5, spec, 1, NeuronetStatus::Active, 3),
			info(6, half, 0, NeuronetStatus::Active, 1),
		],
		&[
			// Below capacity: the pool over the capacity, 100 AET / 1 000 units.
			(0, Income { miner_pool: 100_000_000_000_000, work: 400, capacity: 1_000 }),
			// Beyond capacity: the pool over the work, 100 AET / 4 000 units.
			(2, Income { miner_pool: 100_000_000_000_000, work: 4_000, capacity: 1_000 }),
			// Unfit, however rich.
			(3, Income { miner_pool: u128::MAX, work: 1, capacity: 1 }),
		]
		.into_iter()
		.collect(),
		&local,
		16_384,
		// burn-ndarray has no f16 arithmetic, so neuronet 6 does not fit.
		BackendKind::Reference,
	);
	let order: Vec<u32> = ranked.iter().map(|c| c.info.id).collect();
	assert_eq!(&order[..3], &[0, 2, 5], "fitting first, by AET per unit, then by price");
	assert!(ranked[..3].iter().all(|c| c.fits()));
	assert!((ranked[0].aet_per_unit - 0.1).abs() < 1e-12);
	assert!((ranked[1].aet_per_unit - 0.025).abs() < 1e-12);
	assert_eq!(ranked[2].aet_per_unit, 0.0, "no stake, no income");
	assert_eq!(ranked.iter().find(|c| c.info.id == 3).unwrap().aet_per_unit, 0.0);
	let why = |id| ranked.iter().find(|c| c.info.id == id).unwrap().unfit.clone().unwrap();
	assert_eq!(why(1), "model not on this machine");
	assert!(why(3).starts_with("needs 4294967295 MiB"));
	assert_eq!(why(4), "paused");
	assert_eq!(why(6), "the reference backend cannot compute in f16");
}

#[test]
fn a_spec_names_its_execution_parameters_and_gets_their_calibrated_tolerance() {
	use aetron_worker::inference::execution::{Attention, DType, Execution, Quantization};
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("spec.toml");
	let minilm = format!(
		"name = \"minilm\"\ntask = \"embedding\"\nmodel_dir = \"{}\"\nmin_memory_mib = 1\n\
		 [execution]\ndtype = \"f16\"\nquantization = \"int8-per-block-32\"\nattention = \"plain\"\n\
		 [economics]\nunits_per_input_token = 1\nunits_per_output_token = 1\nfee_floor = 1\n\
		 fee_cap = 2\npow_difficulty = 1\n[[reference_checks]]\ninput = \"Wie spät ist es?\"\n",
		common::minilm_dir().display()
	);
	std::fs::write(&path, &minilm).unwrap();
	let file = SpecFile::read(&path).unwrap();
	let execution = Execution {
		dtype: DType::F16,
		quantization: Quantization::Int8PerBlock { block: 32 },
		attention: Attention::Plain,
	};
	assert_eq!(file.execution(), execution);
	let hashes = ModelHashes::of(&common::minilm_dir()).unwrap();
	// The owner's fingerprints come from the reference backend run with the spec's parameters.
	let plain = load(&common::minilm_dir(), BackendKind::Reference);
	let err = file.build(hashes, &plain).unwrap_err().to_string();
	assert!(err.contains("loaded as f32/none/fused, the spec says f16/int8-per-block-32/plain"));
	let reference =
		Model::load(&common::minilm_dir(), &Placement::reference(&execution).unwrap()).unwrap();
	let spec = file.build(hashes, &reference).unwrap();
	assert_eq!(spec.model.execution, execution);
	assert_eq!(spec.tolerance.max_cosine_distance, sp_runtime::Perbill::from_parts(120_000));
	// A worker serving those parameters on the CPU passes the owner's checks.
	let cpu =
		Model::load(&common::minilm_dir(), &Placement::new(BackendKind::Cpu, &execution).unwrap())
			.unwrap();
	let results = joining::reference_results(&cpu, &spec.reference_checks).unwrap();
	let d = fingerprint::distance(&spec.reference_checks[0].expected, &results[0]).unwrap();
	assert!(d.within(&spec.tolerance), "{d:?}");

	// Text generation in f16 has no tolerance that is fair to honest workers: refused.
	let (_guard, tiny) = common::tiny_gpt2(3);
	let text =
		SPEC.replace("min_memory_mib = 64", "min_memory_mib = 64\n[execution]\ndtype = \"f16\"");
	std::fs::write(&path, text).unwrap();
	let file = SpecFile::read(&path).unwrap();
	let model = Model::load(&tiny, &Placement::reference(&file.execution()).unwrap()).unwrap();
	let err = file.build(ModelHashes::of(&tiny).unwrap(), &model).unwrap_err().to_string();
	assert!(
		err.contains("TextGeneration with f16/none/fused has no calibrated tolerance"),
		"{err}"
	);
	// Unknown names are refused where they are written.
	std::fs::write(&path, minilm.replace("\"plain\"", "\"flash\"")).unwrap();
	let err = format!("{:#}", SpecFile::read(&path).unwrap_err());
	assert!(err.contains("unknown attention `flash` (fused or plain)"), "{err}");
}
