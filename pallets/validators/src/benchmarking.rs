//! Benchmarks of every call and of an offence report, each with the set at its bound (the
//! membership scan and the list's re-encoding are linear in its length).

use super::*;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};

/// What the benchmarks need of the session pallet.
pub trait BenchmarkHelper<AccountId> {
	/// Gives `who` session keys, so `add_validator` accepts it.
	fn register_keys(who: &AccountId);
	/// Makes `validators` the current session's set, so disabling an offender among them does
	/// all of the session pallet's work.
	fn seat(validators: &[AccountId]);
}

/// A set of `n` validators, with the minimum at one.
fn fill<T: Config>(n: u32) -> Vec<T::AccountId> {
	let set: Vec<T::AccountId> = (0..n).map(|i| account("validator", i, 0)).collect();
	Validators::<T>::put(BoundedVec::<_, T::MaxValidators>::truncate_from(set.clone()));
	MinValidators::<T>::put(1);
	set
}

#[benchmarks]
mod benches {
	use super::*;

	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		fill::<T>(T::MaxValidators::get() - 1);
		let new: T::AccountId = account("new", 0, 0);
		T::BenchmarkHelper::register_keys(&new);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());
		assert!(Validators::<T>::get().contains(&new));
		Ok(())
	}

	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let set = fill::<T>(T::MaxValidators::get());
		let last = set.last().cloned().ok_or(BenchmarkError::Weightless)?;
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, last.clone());
		assert!(!Validators::<T>::get().contains(&last));
		Ok(())
	}

	#[benchmark]
	fn set_min_validators() -> Result<(), BenchmarkError> {
		fill::<T>(T::MaxValidators::get());
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 2);
		assert_eq!(MinValidators::<T>::get(), 2);
		Ok(())
	}

	/// One offender, the last of a full set that is also the session's: disabled and removed.
	#[benchmark]
	fn report_offender() -> Result<(), BenchmarkError> {
		let set = fill::<T>(T::MaxValidators::get());
		T::BenchmarkHelper::seat(&set);
		let last = set.last().cloned().ok_or(BenchmarkError::Weightless)?;
		let details = [OffenceDetails { offender: (last.clone(), ()), reporters: Vec::new() }];
		#[block]
		{
			<Pallet<T> as OnOffenceHandler<_, _, _>>::on_offence(
				&details,
				&[sp_runtime::Perbill::zero()],
				0,
			);
		}
		assert!(!Validators::<T>::get().contains(&last));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
