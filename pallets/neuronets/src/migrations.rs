//! Storage migrations.

/// Version 1: every neuronet's `ModelSpec` gains [`Execution`](crate::Execution). The neuronets
/// created before served f32 weights without quantization through the backends' fused
/// attention, so that is what they get: [`Execution::default`](crate::Execution). At most
/// [`Config::MaxNeuronets`](crate::Config::MaxNeuronets) entries are rewritten, in one block.
pub mod v1 {
	use crate::{Config, Execution, Neuronets, Pallet};
	use frame_support::{
		migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
	};

	/// The types as version 0 stored them.
	pub mod v0 {
		use crate::{Economics, NeuronetStatus, ReferenceCheck, Task, Tolerance};
		use codec::{Decode, Encode};
		use frame_support::BoundedVec;

		/// `ModelSpec` without `execution`.
		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
		#[allow(missing_docs)]
		pub struct ModelSpec {
			pub weights_hash: [u8; 32],
			pub config_hash: [u8; 32],
			pub tokenizer_hash: [u8; 32],
			pub min_memory_mib: u32,
		}

		/// `NeuronetSpec` over the old `ModelSpec`.
		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
		#[allow(missing_docs)]
		pub struct NeuronetSpec<Balance> {
			pub name: BoundedVec<u8, crate::MaxNameLen>,
			pub task: Task,
			pub model: ModelSpec,
			pub economics: Economics<Balance>,
			pub tolerance: Tolerance,
			pub reference_checks: BoundedVec<ReferenceCheck, crate::MaxReferenceChecks>,
		}

		/// `Neuronet` over the old spec.
		#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
		#[allow(missing_docs)]
		pub struct Neuronet<AccountId, Balance, BlockNumber> {
			pub owner: AccountId,
			pub deposit: Balance,
			pub spec: NeuronetSpec<Balance>,
			pub status: NeuronetStatus,
			pub live_slots: u32,
			pub created: BlockNumber,
		}
	}

	type OldNeuronetOf<T> = v0::Neuronet<
		<T as frame_system::Config>::AccountId,
		crate::BalanceOf<T>,
		frame_system::pallet_prelude::BlockNumberFor<T>,
	>;

	fn upgrade<T: Config>(old: OldNeuronetOf<T>) -> crate::NeuronetOf<T> {
		let v0::NeuronetSpec { name, task, model, economics, tolerance, reference_checks } =
			old.spec;
		crate::Neuronet {
			owner: old.owner,
			deposit: old.deposit,
			spec: crate::NeuronetSpec {
				name,
				task,
				model: crate::ModelSpec {
					weights_hash: model.weights_hash,
					config_hash: model.config_hash,
					tokenizer_hash: model.tokenizer_hash,
					min_memory_mib: model.min_memory_mib,
					execution: Execution::default(),
				},
				economics,
				tolerance,
				reference_checks,
			},
			status: old.status,
			live_slots: old.live_slots,
			created: old.created,
		}
	}

	/// Rewrites every stored neuronet; [`MigrateV0ToV1`] runs it once, at version 0 only.
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut rewritten = 0u64;
			Neuronets::<T>::translate::<OldNeuronetOf<T>, _>(|_, old| {
				rewritten = rewritten.saturating_add(1);
				Some(upgrade::<T>(old))
			});
			T::DbWeight::get().reads_writes(rewritten, rewritten)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Neuronets::<T>::iter_keys().count() as u32).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u32::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("pre_upgrade state"))?;
			let after = Neuronets::<T>::iter_values().count() as u32;
			ensure!(before == after, "a neuronet was lost or failed to decode");
			Ok(())
		}
	}

	/// Version 0 → 1, run by the runtime's `Migrations`; at any other version it does nothing.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
