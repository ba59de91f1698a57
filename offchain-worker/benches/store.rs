//! Cost of keeping one served request: building its artefact leaf and appending the entry
//! durably (`fsync` before the response may be acknowledged). DESIGN §12 allows this 5 % of the
//! request's inference time. The store lives in the target directory, on the machine's disk.
//!
//! `..._one_client` appends one entry at a time (one `fsync` each); `..._N_clients` has N
//! threads appending at once, as N concurrent requests do, so group commit shares each `fsync`
//! among what arrives meanwhile: its time is per entry (criterion's iterations count entries).
//!
//! Run: `cargo bench -p aetron-worker --bench store`.

use aetron_primitives::artefact::{ArtefactHeader, ARTEFACT_VERSION};
use aetron_worker::store::{ArtefactStore, Entry};
use criterion::{criterion_group, criterion_main, Criterion};

fn entry(n: u64) -> Entry {
	Entry {
		// An embeddings request and its response, roughly as large as real ones.
		request: vec![b'x'; 1024],
		response: vec![b'y'; 4096],
		artefact: ArtefactHeader {
			version: ARTEFACT_VERSION,
			neuronet: 1,
			slot: 3,
			batch: 0,
			request_id: (n as u128).to_le_bytes(),
			client_signature_hash: [1; 32],
			input_hash: [2; 32],
			output_hash: [3; 32],
			input_units: 64,
			output_units: 384,
			work_units: 448,
			seed: n,
			fingerprint: vec![7u8; 256].try_into().unwrap_or_default(),
		},
		client: None,
	}
}

fn store(c: &mut Criterion) {
	let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
	let store = ArtefactStore::open(&dir.path().join("bench.redb"), 1 << 20).unwrap();
	let mut n = 0u64;
	c.bench_function("artefact_leaf_and_durable_append_one_client", |b| {
		b.iter(|| {
			n += 1;
			store.append(&entry(n)).unwrap()
		})
	});
}

fn concurrent(c: &mut Criterion) {
	let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
	let store =
		std::sync::Arc::new(ArtefactStore::open(&dir.path().join("bench.redb"), 1 << 20).unwrap());
	for clients in [8u64, 32] {
		c.bench_function(&format!("artefact_leaf_and_durable_append_{clients}_clients"), |b| {
			b.iter_custom(|entries| {
				let each = entries.div_ceil(clients);
				let start = std::time::Instant::now();
				std::thread::scope(|scope| {
					for t in 0..clients {
						let store = store.clone();
						scope.spawn(move || {
							for n in 0..each {
								store.append(&entry(t << 40 | n)).unwrap();
							}
						});
					}
				});
				start.elapsed().mul_f64(entries as f64 / (each * clients) as f64)
			})
		});
	}
	let stats = store.group_stats();
	eprintln!(
		"group commit: {} entries in {} transactions (largest group {})",
		stats.items, stats.groups, stats.largest
	);
}

criterion_group!(benches, store, concurrent);
criterion_main!(benches);
