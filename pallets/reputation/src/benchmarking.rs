//! Benchmarks of the call and of the trait operations other pallets invoke.

use super::*;
use aetron_primitives::traits::{OnSlotChange, ReputationUpdate};
use frame_benchmarking::v2::*;
use frame_support::traits::EnsureOrigin;

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = ReputationParams { gain: Perbill::from_percent(5), ..Default::default() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	#[benchmark]
	fn recheck_passed() {
		Pallet::<T>::slot_opened(1, 0);
		#[block]
		{
			<Pallet<T> as ReputationUpdate>::recheck_passed(1);
		}
		assert!(Reputations::<T>::get(1).unwrap().value > Params::<T>::get().initial);
	}

	#[benchmark]
	fn arbitration_lost() {
		Pallet::<T>::slot_opened(1, 0);
		#[block]
		{
			<Pallet<T> as ReputationUpdate>::arbitration_lost(1);
		}
		assert_eq!(Reputations::<T>::get(1).unwrap().value, Perbill::zero());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
