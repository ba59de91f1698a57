//! # Reputation
//!
//! Per miner slot, a reputation `R ∈ [0, 1]` (DESIGN §4):
//! - a new slot starts at [`ReputationParams::initial`] (0.10), low, so a newcomer's work is
//!   sampled often and weighs little;
//! - each passed re-check of its work: `R ← R + g·(1 − R)`;
//! - every epoch it decays: `R ← R·(1 − decay)`, so reputation must be kept up;
//! - losing an arbitration: `R ← 0` and probation for [`ReputationParams::probation_epochs`],
//!   during which every batch of the slot is re-checked.
//!
//! Other pallets read and move it only through [`aetron_primitives::traits::ReputationOf`] and
//! [`aetron_primitives::traits::ReputationUpdate`]; the neuronets pallet tells it when slots open
//! and close ([`aetron_primitives::traits::OnSlotChange`]).
//!
//! ## No per-epoch loop
//! Decay is applied lazily: each slot stores its value and the epoch it was last brought up to
//! date, and a read applies `(1 − decay)^(epochs since)`. Nothing iterates over slots.
//!
//! ## Governance
//! [`Config::GovernanceOrigin`] alone sets the parameters with [`Pallet::set_params`], which
//! refuses values outside their bounds; the genesis config sets the first ones.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

use aetron_primitives::traits::{EpochIndex, SlotId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{PerThing, Perbill, Saturating};

/// The tunables of reputation (DESIGN §4), set by governance.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase", deny_unknown_fields)]
pub struct ReputationParams {
	/// What a new slot starts with.
	pub initial: Perbill,
	/// `g`: a passed re-check closes this share of the gap to 1.
	pub gain: Perbill,
	/// The share of reputation lost each epoch.
	pub decay: Perbill,
	/// The floor of a slot's emission weight.
	pub min_weight: Perbill,
	/// Epochs of probation after a lost arbitration.
	pub probation_epochs: u32,
	/// `p_min`: the sampling rate of a fully reputable slot.
	pub p_min: Perbill,
	/// `p_max`: the sampling rate of a slot with no reputation.
	pub p_max: Perbill,
	/// The least reputation to be assigned re-checks.
	pub recheck_threshold: Perbill,
	/// The least reputation to sit on an arbitration panel.
	pub panel_threshold: Perbill,
}

impl Default for ReputationParams {
	/// DESIGN §4's defaults. With `g` = 2 % a new slot may re-check after 13 passed re-checks
	/// (0.3), sit on panels after 41 (0.6) and reaches 0.9 after about 110; 0.5 % decay an epoch
	/// halves an idle slot's reputation in 139 epochs (about six days of 600-block epochs).
	fn default() -> Self {
		Self {
			initial: Perbill::from_percent(10),
			gain: Perbill::from_percent(2),
			decay: Perbill::from_parts(5_000_000),
			min_weight: Perbill::from_percent(1),
			probation_epochs: 4,
			p_min: Perbill::from_percent(3),
			p_max: Perbill::from_percent(25),
			recheck_threshold: Perbill::from_percent(30),
			panel_threshold: Perbill::from_percent(60),
		}
	}
}

/// The bounds [`Pallet::set_params`] enforces.
pub mod bounds {
	use sp_runtime::Perbill;
	/// The largest gain: one re-check may close at most half the gap.
	pub const MAX_GAIN: Perbill = Perbill::from_percent(50);
	/// The largest decay an epoch.
	pub const MAX_DECAY: Perbill = Perbill::from_percent(50);
	/// The longest probation, in epochs.
	pub const MAX_PROBATION_EPOCHS: u32 = 1_000;
}

/// A slot's reputation as stored.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct SlotReputation {
	/// The value now, with `epoch`'s gains and losses so far.
	pub value: Perbill,
	/// The value at the start of `epoch`, before its gains and losses: what emission weighs
	/// the epoch's work by.
	pub start: Perbill,
	/// The epoch `value` is up to date for; later epochs' decay is still to apply.
	pub epoch: EpochIndex,
	/// Probation lasts while the current epoch is below this one.
	pub probation_until: EpochIndex,
}

impl SlotReputation {
	/// The value in `epoch`, decay applied.
	pub fn value_at(&self, epoch: EpochIndex, decay: Perbill) -> Perbill {
		let epochs = epoch.saturating_sub(self.epoch);
		decay.left_from_one().saturating_pow(epochs as usize) * self.value
	}
}

/// `p(R) = p_min + (p_max − p_min)(1 − R)`.
pub fn sampling_rate(reputation: Perbill, p_min: Perbill, p_max: Perbill) -> Perbill {
	p_min.saturating_add(reputation.left_from_one() * p_max.saturating_sub(p_min))
}

/// `R + g·(1 − R)`.
pub fn gained(reputation: Perbill, gain: Perbill) -> Perbill {
	reputation.saturating_add(gain * reputation.left_from_one())
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aetron_primitives::traits::EpochClock;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// May change the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The emission epoch.
		type EpochClock: EpochClock;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// The parameters in force.
	#[pallet::storage]
	pub type Params<T> = StorageValue<_, ReputationParams, ValueQuery>;

	/// Each live slot's reputation.
	#[pallet::storage]
	pub type Reputations<T> = StorageMap<_, Blake2_128Concat, SlotId, SlotReputation>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first parameters.
		pub params: ReputationParams,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(
				Pallet::<T>::check(&self.params).is_ok(),
				"genesis reputation params out of bounds"
			);
			Params::<T>::put(self.params);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance set new parameters.
		ParamsSet {
			/// The parameters now in force.
			params: ReputationParams,
		},
		/// A passed re-check raised a slot's reputation.
		ReputationGained {
			/// The slot.
			slot: SlotId,
			/// Its reputation now.
			reputation: Perbill,
		},
		/// A slot lost an arbitration: its reputation is zero and it is on probation.
		ProbationStarted {
			/// The slot.
			slot: SlotId,
			/// The first epoch after probation.
			until: EpochIndex,
		},
		/// A slot was penalized (a lost challenge, an absent or minority arbiter vote).
		ReputationLost {
			/// The slot.
			slot: SlotId,
			/// Its reputation now.
			reputation: Perbill,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// `p_min` is above `p_max`.
		SamplingRatesInverted,
		/// The gain is above [`bounds::MAX_GAIN`].
		GainTooLarge,
		/// The decay is above [`bounds::MAX_DECAY`].
		DecayTooLarge,
		/// The probation is longer than [`bounds::MAX_PROBATION_EPOCHS`].
		ProbationTooLong,
		/// The panel threshold is below the re-check threshold (arbiters are chosen among
		/// re-checkers).
		ThresholdsInverted,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Sets the parameters ([`Config::GovernanceOrigin`] only), within their bounds.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: ReputationParams) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check(&params)?;
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		fn check(params: &ReputationParams) -> Result<(), Error<T>> {
			ensure!(params.p_min <= params.p_max, Error::<T>::SamplingRatesInverted);
			ensure!(params.gain <= bounds::MAX_GAIN, Error::<T>::GainTooLarge);
			ensure!(params.decay <= bounds::MAX_DECAY, Error::<T>::DecayTooLarge);
			ensure!(
				params.probation_epochs <= bounds::MAX_PROBATION_EPOCHS,
				Error::<T>::ProbationTooLong
			);
			ensure!(
				params.recheck_threshold <= params.panel_threshold,
				Error::<T>::ThresholdsInverted
			);
			Ok(())
		}

		/// The slot's reputation record brought up to the current epoch.
		pub fn current(slot: SlotId) -> Option<SlotReputation> {
			let epoch = T::EpochClock::current_epoch();
			Reputations::<T>::get(slot).map(|r| {
				if epoch <= r.epoch {
					return r;
				}
				let value = r.value_at(epoch, Params::<T>::get().decay);
				SlotReputation { value, start: value, epoch, probation_until: r.probation_until }
			})
		}

		/// The invariants: nobody's probation outlasts the longest possible one.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let epoch = T::EpochClock::current_epoch();
			for (_, r) in Reputations::<T>::iter() {
				ensure!(r.epoch <= epoch, "a reputation from a future epoch");
				ensure!(
					r.probation_until <= epoch.saturating_add(bounds::MAX_PROBATION_EPOCHS),
					"a probation beyond its bound"
				);
			}
			Self::check(&Params::<T>::get()).map_err(|_| "parameters out of bounds")?;
			Ok(())
		}
	}
}

impl<T: Config> aetron_primitives::traits::ReputationOf for Pallet<T> {
	fn reputation(slot: SlotId) -> Perbill {
		Self::current(slot).map(|r| r.value).unwrap_or_default()
	}

	fn emission_weight(slot: SlotId) -> Perbill {
		Self::current(slot).map(|r| r.value.max(Params::<T>::get().min_weight)).unwrap_or_default()
	}

	fn epoch_start_weight(slot: SlotId) -> Perbill {
		Self::current(slot).map(|r| r.start.max(Params::<T>::get().min_weight)).unwrap_or_default()
	}

	fn sampling_rate(slot: SlotId) -> Perbill {
		if Self::on_probation(slot) {
			return Perbill::one();
		}
		let params = Params::<T>::get();
		sampling_rate(Self::reputation(slot), params.p_min, params.p_max)
	}

	fn may_recheck(slot: SlotId) -> bool {
		!Self::on_probation(slot)
			&& Self::current(slot).is_some_and(|r| r.value >= Params::<T>::get().recheck_threshold)
	}

	fn may_arbitrate(slot: SlotId) -> bool {
		!Self::on_probation(slot)
			&& Self::current(slot).is_some_and(|r| r.value >= Params::<T>::get().panel_threshold)
	}

	fn on_probation(slot: SlotId) -> bool {
		use aetron_primitives::traits::EpochClock;
		Reputations::<T>::get(slot)
			.is_some_and(|r| T::EpochClock::current_epoch() < r.probation_until)
	}
}

impl<T: Config> aetron_primitives::traits::ReputationUpdate for Pallet<T> {
	fn recheck_passed(slot: SlotId) {
		let Some(mut r) = Self::current(slot) else { return };
		r.value = gained(r.value, Params::<T>::get().gain);
		Reputations::<T>::insert(slot, r);
		Self::deposit_event(Event::ReputationGained { slot, reputation: r.value });
	}

	fn arbitration_lost(slot: SlotId) {
		let Some(mut r) = Self::current(slot) else { return };
		r.value = Perbill::zero();
		r.probation_until = r.epoch.saturating_add(Params::<T>::get().probation_epochs);
		Reputations::<T>::insert(slot, r);
		Self::deposit_event(Event::ProbationStarted { slot, until: r.probation_until });
	}

	fn penalize(slot: SlotId, share: Perbill) {
		let Some(mut r) = Self::current(slot) else { return };
		r.value = r.value.saturating_sub(share * r.value);
		Reputations::<T>::insert(slot, r);
		Self::deposit_event(Event::ReputationLost { slot, reputation: r.value });
	}
}

impl<T: Config> aetron_primitives::traits::OnSlotChange for Pallet<T> {
	fn slot_opened(slot: SlotId, _: aetron_primitives::artefact::NeuronetId) {
		use aetron_primitives::traits::EpochClock;
		let epoch = T::EpochClock::current_epoch();
		Reputations::<T>::insert(
			slot,
			SlotReputation {
				value: Params::<T>::get().initial,
				start: Params::<T>::get().initial,
				epoch,
				probation_until: epoch,
			},
		);
	}

	fn slot_activated(_: SlotId, _: aetron_primitives::artefact::NeuronetId) {}

	fn slot_closed(slot: SlotId, _: aetron_primitives::artefact::NeuronetId) {
		Reputations::<T>::remove(slot);
	}

	/// Nothing beyond the one removal every closing takes.
	fn slot_closed_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}
