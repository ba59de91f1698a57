//! # The validator set
//!
//! The session manager of DESIGN §14: which accounts validate (author BABE blocks and vote in
//! GRANDPA) is this pallet's [`Validators`] list, and only [`Config::AdminOrigin`] (a
//! `ValidatorAdmin` referendum, or `Root`) changes it.
//!
//! ## Changes take effect at a session boundary
//! `add_validator` and `remove_validator` change the list at once, but `pallet-session` asks
//! for the next set only when it plans a session: a change made during session `s` is queued
//! at the end of `s` and validates from session `s + 2` (the session pallet announces a set one
//! session ahead so that BABE and GRANDPA know their next authorities). [`Event::NewSetPlanned`]
//! says when it was handed over.
//!
//! ## Safety rails
//! - The set never shrinks below [`MinValidators`] (by governance or by offences): a chain with
//!   too few validators halts finality, which is worse than keeping an offender.
//! - A new validator must have registered its session keys (`session.set_keys`) first, or it
//!   would join the set without keys and miss every slot.
//! - The list is bounded by [`Config::MaxValidators`] (the BABE and GRANDPA authority bound).
//!
//! ## Offences
//! The runtime's `pallet-offences` reports BABE and GRANDPA equivocations here
//! ([`OnOffenceHandler`]): each offender is disabled for the rest of the session at once
//! ([`Config::Disabler`], the session pallet's disabled list, which BABE refuses blocks from) and
//! removed from the list, so it leaves the set at the next planned session. An offender whose
//! removal would go below the minimum stays disabled for the session and in the set
//! ([`Event::RemovalRefused`]); governance decides.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use sp_staking::{
	offence::{OffenceDetails, OnOffenceHandler},
	SessionIndex,
};

/// Disables a validator for the rest of the current session (the runtime passes it to
/// `pallet-session`'s disabled list).
pub trait DisableValidator<AccountId> {
	/// Disables `who` if it is in the current session's set; whether it is disabled now.
	fn disable(who: &AccountId) -> bool;
}

impl<AccountId> DisableValidator<AccountId> for () {
	fn disable(_: &AccountId) -> bool {
		false
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::Contains};
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Adds and removes validators and sets the minimum set size.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Accounts that have registered session keys.
		type HasSessionKeys: Contains<Self::AccountId>;
		/// Disables an offender for the rest of the session.
		type Disabler: DisableValidator<Self::AccountId>;
		/// The most validators at once: a storage bound (the list is a `BoundedVec`), equal to
		/// the BABE and GRANDPA authority bound, so it stays in the code.
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
		/// Session keys for the accounts the benchmarks add.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId>;
	}

	/// The validator set the next planned session gets.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since the last planned session.
	#[pallet::storage]
	pub type Changed<T> = StorageValue<_, bool, ValueQuery>;

	/// The fewest validators the set may have.
	#[pallet::storage]
	pub type MinValidators<T> = StorageValue<_, u32, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first validators (the same accounts the session pallet's genesis keys name).
		pub validators: Vec<T::AccountId>,
		/// The fewest validators the set may have.
		pub min_validators: u32,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let validators = BoundedVec::<_, T::MaxValidators>::try_from(self.validators.clone())
				.expect("genesis validators fit MaxValidators");
			let min = self.min_validators.max(1);
			// An empty list leaves the first set to the session pallet's genesis keys.
			assert!(
				validators.is_empty() || validators.len() as u32 >= min,
				"fewer genesis validators than the minimum"
			);
			Validators::<T>::put(validators);
			MinValidators::<T>::put(min);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `validator` joins the set at the next planned session.
		ValidatorAdded {
			/// The new validator.
			validator: T::AccountId,
		},
		/// `validator` leaves the set at the next planned session.
		ValidatorRemoved {
			/// The validator leaving.
			validator: T::AccountId,
		},
		/// The minimum set size changed.
		MinValidatorsSet {
			/// The new minimum.
			min: u32,
		},
		/// The changed set was handed to the session pallet; it validates from `session`.
		NewSetPlanned {
			/// The first session the set validates.
			session: SessionIndex,
			/// How many validators it has.
			validators: u32,
		},
		/// `validator` was reported for an offence, disabled for the session and removed.
		OffenderRemoved {
			/// The offender.
			validator: T::AccountId,
		},
		/// `validator` was reported for an offence and disabled for the session, but stays in
		/// the set: removing it would leave fewer than the minimum.
		RemovalRefused {
			/// The offender.
			validator: T::AccountId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is a validator already.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The account has not registered session keys (`session.set_keys`).
		NoSessionKeys,
		/// The set is at `MaxValidators`.
		TooManyValidators,
		/// Removing the validator would leave fewer than the minimum.
		TooFewValidators,
		/// The minimum must be at least one and at most the current set's size.
		MinOutOfBounds,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds `validator` to the set from the next planned session.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let mut set = Validators::<T>::get();
			ensure!(!set.contains(&validator), Error::<T>::AlreadyValidator);
			ensure!(T::HasSessionKeys::contains(&validator), Error::<T>::NoSessionKeys);
			set.try_push(validator.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Validators::<T>::put(set);
			Changed::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { validator });
			Ok(())
		}

		/// Removes `validator` from the set from the next planned session.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(Validators::<T>::get().contains(&validator), Error::<T>::NotValidator);
			Self::remove(&validator)?;
			Self::deposit_event(Event::ValidatorRemoved { validator });
			Ok(())
		}

		/// Sets the fewest validators the set may have: at least one, at most the set's size.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_min_validators())]
		pub fn set_min_validators(origin: OriginFor<T>, min: u32) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let size = Validators::<T>::decode_len().unwrap_or(0) as u32;
			ensure!(min >= 1 && min <= size, Error::<T>::MinOutOfBounds);
			MinValidators::<T>::put(min);
			Self::deposit_event(Event::MinValidatorsSet { min });
			Ok(())
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		/// Takes `validator` out of the list unless that leaves fewer than the minimum.
		pub(crate) fn remove(validator: &T::AccountId) -> DispatchResult {
			let mut set = Validators::<T>::get();
			let at = set.iter().position(|v| v == validator).ok_or(Error::<T>::NotValidator)?;
			ensure!(set.len() as u32 > MinValidators::<T>::get(), Error::<T>::TooFewValidators);
			set.remove(at);
			Validators::<T>::put(set);
			Changed::<T>::put(true);
			Ok(())
		}

		/// The set for session `session`, if it changed since the last one planned.
		pub(crate) fn planned(session: SessionIndex) -> Option<Vec<T::AccountId>> {
			if !Changed::<T>::take() {
				return None;
			}
			let set = Validators::<T>::get().into_inner();
			Self::deposit_event(Event::NewSetPlanned { session, validators: set.len() as u32 });
			Some(set)
		}

		/// The list is at least the minimum, the minimum at least one, and nobody is listed
		/// twice.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let set = Validators::<T>::get();
			let min = MinValidators::<T>::get();
			ensure!(min >= 1, "the minimum is zero");
			ensure!(set.len() as u32 >= min, "fewer validators than the minimum");
			let mut sorted = set.into_inner();
			sorted.sort();
			let len = sorted.len();
			sorted.dedup();
			ensure!(sorted.len() == len, "a validator is listed twice");
			Ok(())
		}
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::planned(new_index)
	}

	/// At genesis the session pallet asks for sessions 0 and 1: both are the genesis list (the
	/// historical pallet needs a set for each to prove key ownership against). The runtime
	/// builds this pallet's genesis before the session pallet's, so the list is there.
	fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		let set = Validators::<T>::get().into_inner();
		(!set.is_empty()).then_some(set)
	}

	fn end_session(_: SessionIndex) {}
	fn start_session(_: SessionIndex) {}
}

/// With `pallet-session`'s historical module: the same sets, each validator with an empty full
/// identification (AETRON validators have no stake to slash; an offence disables and removes).
impl<T: Config> pallet_session::historical::SessionManager<T::AccountId, ()> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<(T::AccountId, ())>> {
		<Self as pallet_session::SessionManager<_>>::new_session(new_index)
			.map(|set| set.into_iter().map(|v| (v, ())).collect())
	}

	fn new_session_genesis(new_index: SessionIndex) -> Option<Vec<(T::AccountId, ())>> {
		<Self as pallet_session::SessionManager<_>>::new_session_genesis(new_index)
			.map(|set| set.into_iter().map(|v| (v, ())).collect())
	}

	fn end_session(_: SessionIndex) {}
	fn start_session(_: SessionIndex) {}
}

/// Offences reported by `pallet-offences` (BABE and GRANDPA equivocations): each offender is
/// disabled for the session and removed from the set, unless that would leave fewer than the
/// minimum. Slash fractions are ignored: there is no validator stake to slash.
impl<T: Config, FullIdentification>
	OnOffenceHandler<
		T::AccountId,
		(T::AccountId, FullIdentification),
		frame_support::weights::Weight,
	> for Pallet<T>
{
	fn on_offence(
		offenders: &[OffenceDetails<T::AccountId, (T::AccountId, FullIdentification)>],
		_slash_fraction: &[sp_runtime::Perbill],
		_session: SessionIndex,
	) -> frame_support::weights::Weight {
		for details in offenders {
			let validator = &details.offender.0;
			T::Disabler::disable(validator);
			if !Validators::<T>::get().contains(validator) {
				// Removed already (an earlier report, or governance).
				continue;
			}
			let validator = validator.clone();
			if Self::remove(&validator).is_ok() {
				Self::deposit_event(Event::OffenderRemoved { validator });
			} else {
				Self::deposit_event(Event::RemovalRefused { validator });
			}
		}
		T::WeightInfo::report_offender().saturating_mul(offenders.len() as u64)
	}
}
