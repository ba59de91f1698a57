//! # Neuronets and miner slots
//!
//! A *neuronet* is one network per model (DESIGN §3). Its owner publishes a spec — the task, the
//! model's file hashes, work pricing and the registration fee's bounds — and reserves a deposit.
//! Miners open *slots* in it: the signer (the *coldkey*) pays and is paid, and names the *hotkey*
//! its worker signs with. One coldkey may hold any number of slots across neuronets; a hotkey
//! holds at most one slot per neuronet.
//!
//! ## Registration price
//! Each neuronet has a price that halves its distance to the neuronet's floor every
//! `fee_half_life` blocks and is multiplied by `fee_multiplier` on every registration (subtensor's ×1.26), within the neuronet's floor and cap. The fee is burned;
//! the caller's `max_fee` bounds what it may cost.
//!
//! ## Life cycles
//! - Neuronet: `Active` ⇄ `Paused` → `Retired` (deposit returned). The owner or
//!   [`Config::GovernanceOrigin`] moves it; a paused or retired neuronet takes no registrations.
//! - Slot: `Pending` (registered) → `Active` (its worker reproduced the neuronet's reference
//!   checks within tolerance) → deregistered (removed from storage; its id is never reused, so
//!   an id below [`NextSlotId`] that has no slot was deregistered). The hotkey sends a
//!   `heartbeat` at most once per `heartbeat_period` blocks.
//!
//! ## Hotkeys need no balance
//! A worker's hotkey only signs `submit_reference_checks` and `heartbeat`, and both are free
//! when valid (`feeless_if`, honoured by the runtime's `SkipCheckIfFeeless`). So that a hotkey
//! with no balance can still sign (the nonce check wants the account to exist), a slot gives
//! its hotkey a provider reference for as long as it lives.
//!
//! ## Proof of work
//! `register_with_pow` takes a nonce whose seal (DESIGN §3) meets the neuronet's difficulty on
//! a block at most `pow_validity` old; each seal counts once, and the difficulty moves toward
//! `pow_target` registrations every `pow_interval` blocks.
//!
//! ## Parameters
//! Every tunable above is in [`Params`] ([`NeuronetsParams`]), set by
//! [`Config::GovernanceOrigin`] through `set_params` within [`bounds`].
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aetron_primitives::{fingerprint, traits::OnSlotChange};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation},
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{One, Saturating, UniqueSaturatedFrom, UniqueSaturatedInto, Zero},
		FixedU128, Perbill,
	};

	/// The balance type of [`Config::Currency`].
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A stored neuronet.
	pub type NeuronetOf<T> =
		Neuronet<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// The parameters with the runtime's balance.
	pub type ParamsOf<T> = NeuronetsParams<BalanceOf<T>>;
	/// A stored slot.
	pub type SlotOf<T> = Slot<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// 1: `ModelSpec` gained `execution` ([`migrations::v1`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A neuronet owner's deposit.
		NeuronetDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency: deposits are held, registration fees burned.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// May pause, resume and retire any neuronet, and sets the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The most neuronets that can ever be created (retired ones included). It stays in the
		/// code: the runtime API that lists neuronets, and restaking's pools, are sized by it,
		/// so raising it is a runtime upgrade's decision rather than a parameter's.
		#[pallet::constant]
		type MaxNeuronets: Get<u32>;
		/// Told when slots open, become active and close (reputation and work keep per-slot
		/// state).
		type OnSlotChange: OnSlotChange;
		/// Told of each accepted heartbeat (emission counts uptime per epoch).
		type OnHeartbeat: aetron_primitives::traits::OnHeartbeat;
		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// The parameters in force.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, ParamsOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first parameters.
		pub params: ParamsOf<T>,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(
				Pallet::<T>::check(&self.params).is_ok(),
				"genesis neuronets params out of bounds"
			);
			Params::<T>::put(self.params);
		}
	}

	/// The id the next neuronet gets.
	#[pallet::storage]
	pub type NextNeuronetId<T> = StorageValue<_, NeuronetId, ValueQuery>;

	/// Every neuronet, retired ones included.
	#[pallet::storage]
	pub type Neuronets<T: Config> = StorageMap<_, Blake2_128Concat, NeuronetId, NeuronetOf<T>>;

	/// Each neuronet's registration price.
	#[pallet::storage]
	pub type FeeStates<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		NeuronetId,
		FeeState<BalanceOf<T>, BlockNumberFor<T>>,
		ValueQuery,
	>;

	/// Each neuronet's proof-of-work difficulty and current interval.
	#[pallet::storage]
	pub type PowStates<T: Config> =
		StorageMap<_, Blake2_128Concat, NeuronetId, PowState<BlockNumberFor<T>>, ValueQuery>;

	/// Seals used, by the block they were made on; pruned once that block is too old for any
	/// proof of work.
	#[pallet::storage]
	pub type UsedSeals<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Identity, [u8; 32], (), OptionQuery>;

	/// The id the next slot gets.
	#[pallet::storage]
	pub type NextSlotId<T> = StorageValue<_, SlotId, ValueQuery>;

	/// Every live slot.
	#[pallet::storage]
	pub type Slots<T: Config> = StorageMap<_, Blake2_128Concat, SlotId, SlotOf<T>>;

	/// The slot a hotkey holds in a neuronet.
	#[pallet::storage]
	pub type SlotByHotkey<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, NeuronetId, Blake2_128Concat, T::AccountId, SlotId>;

	/// The slots of a coldkey, for listing them.
	#[pallet::storage]
	pub type SlotsByColdkey<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		SlotId,
		(),
		OptionQuery,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance set new parameters.
		ParamsSet {
			/// The parameters now in force.
			params: ParamsOf<T>,
		},
		/// A neuronet was created and its deposit held.
		NeuronetCreated {
			/// The new neuronet.
			neuronet: NeuronetId,
			/// Its owner.
			owner: T::AccountId,
			/// What was held from the owner.
			deposit: BalanceOf<T>,
		},
		/// A neuronet's spec changed.
		NeuronetUpdated {
			/// The neuronet.
			neuronet: NeuronetId,
		},
		/// A neuronet's status changed.
		NeuronetStatusChanged {
			/// The neuronet.
			neuronet: NeuronetId,
			/// Its new status.
			status: NeuronetStatus,
		},
		/// A slot was registered; its fee was burned.
		SlotRegistered {
			/// The new slot.
			slot: SlotId,
			/// Its neuronet.
			neuronet: NeuronetId,
			/// Who paid and is paid.
			coldkey: T::AccountId,
			/// The worker's key.
			hotkey: T::AccountId,
			/// What paid for it.
			payment: Payment<BalanceOf<T>>,
		},
		/// A slot was removed.
		SlotDeregistered {
			/// The slot.
			slot: SlotId,
			/// Its neuronet.
			neuronet: NeuronetId,
		},
		/// A slot's worker is alive.
		Heartbeat {
			/// The slot.
			slot: SlotId,
			/// Its heartbeats so far.
			count: u32,
		},
		/// A slot's endpoint changed.
		EndpointSet {
			/// The slot.
			slot: SlotId,
		},
		/// A slot's worker reproduced the reference checks; the slot is `Active`.
		SlotActivated {
			/// The slot.
			slot: SlotId,
			/// The throughput its worker reported.
			benchmark: Benchmark,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A parameter is outside its bounds, or the difficulty bounds are inverted.
		ParamOutOfBounds,
		/// No neuronet has this id.
		UnknownNeuronet,
		/// Only the neuronet's owner may do this.
		NotOwner,
		/// The neuronet is retired.
		Retired,
		/// The neuronet takes no registrations while paused.
		Paused,
		/// The status asked for is the current one, or cannot be reached from it.
		BadStatusChange,
		/// The name is empty.
		EmptyName,
		/// The fee floor is above the fee cap.
		FeeBoundsInverted,
		/// No more neuronets can be created.
		TooManyNeuronets,
		/// The neuronet has as many slots as its spec allows.
		NeuronetFull,
		/// The hotkey already holds a slot in this neuronet.
		HotkeyTaken,
		/// The registration would cost more than `max_fee`.
		FeeAboveMax,
		/// The account cannot pay the deposit or fee.
		InsufficientBalance,
		/// No slot has this id.
		UnknownSlot,
		/// Only the slot's coldkey may do this.
		NotColdkey,
		/// Only the slot's hotkey or coldkey may do this.
		NotSlotKey,
		/// The last heartbeat was less than a heartbeat period ago.
		HeartbeatTooSoon,
		/// The proof of work's block is not among the recent ones.
		PowBlockNotRecent,
		/// The seal is above the difficulty's target.
		PowTooEasy,
		/// The seal was used before.
		SealUsed,
		/// Only the slot's hotkey may do this.
		NotHotkey,
		/// A spec must list at least one reference check.
		NoReferenceChecks,
		/// A reference check's fingerprint is not of the kind the task produces.
		ReferenceCheckKind,
		/// The slot already passed its reference checks.
		NotPending,
		/// One result per reference check of the neuronet, in its order, is needed.
		ReferenceCheckCount,
		/// A result is not within the neuronet's tolerance of the expected fingerprint.
		ReferenceCheckFailed,
		/// A quantization block is not a power of two within `MIN_QUANT_BLOCK` and
		/// `MAX_QUANT_BLOCK`.
		BadQuantizationBlock,
		/// The update changes what the neuronet's slots serve or how their work is judged
		/// (task, model, execution, pricing or tolerance) while it has slots.
		SpecInUse,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Forgets the seals of the block that just became too old for any proof of work under
		/// any validity governance may set ([`bounds::MAX_POW_VALIDITY`]): at most one
		/// registration's worth of entries per registration made then.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let horizon: BlockNumberFor<T> = bounds::MAX_POW_VALIDITY.saturating_add(1).into();
			if now <= horizon {
				return T::DbWeight::get().reads(1);
			}
			let removed = UsedSeals::<T>::clear_prefix(now.saturating_sub(horizon), u32::MAX, None);
			T::WeightInfo::on_initialize_prune(removed.unique)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates a neuronet owned by the signer, holding the `neuronet_deposit` parameter.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_neuronet())]
		pub fn create_neuronet(
			origin: OriginFor<T>,
			spec: NeuronetSpec<BalanceOf<T>>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::validate(&spec)?;
			let id = NextNeuronetId::<T>::get();
			ensure!(id < T::MaxNeuronets::get(), Error::<T>::TooManyNeuronets);
			let params = Params::<T>::get();
			let deposit = params.neuronet_deposit;
			T::Currency::hold(&HoldReason::NeuronetDeposit.into(), &owner, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let now = frame_system::Pallet::<T>::block_number();
			FeeStates::<T>::insert(id, FeeState { price: spec.economics.fee_floor, updated: now });
			PowStates::<T>::insert(
				id,
				PowState {
					difficulty: spec
						.economics
						.pow_difficulty
						.clamp(params.min_pow_difficulty, params.max_pow_difficulty),
					interval_start: now,
					registrations: 0,
				},
			);
			Neuronets::<T>::insert(
				id,
				Neuronet {
					owner: owner.clone(),
					deposit,
					spec,
					status: NeuronetStatus::Active,
					live_slots: 0,
					created: now,
				},
			);
			NextNeuronetId::<T>::put(id.saturating_add(1));
			Self::deposit_event(Event::NeuronetCreated { neuronet: id, owner, deposit });
			Ok(())
		}

		/// Replaces a neuronet's spec (owner only; not once retired).
		///
		/// While the neuronet has slots, only what no served or unsettled work depends on may
		/// change: the name, registration's fees, cap and difficulty, and the reference checks
		/// new slots prove. Every slot proved the model and execution it serves with, and its
		/// batches are re-checked and arbitrated by the task, pricing and tolerance they were
		/// served under; changing those under it would fail honest work. A new model is a new
		/// neuronet.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_neuronet())]
		pub fn update_neuronet(
			origin: OriginFor<T>,
			neuronet: NeuronetId,
			spec: NeuronetSpec<BalanceOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::validate(&spec)?;
			Neuronets::<T>::try_mutate(neuronet, |entry| {
				let n = entry.as_mut().ok_or(Error::<T>::UnknownNeuronet)?;
				ensure!(n.owner == who, Error::<T>::NotOwner);
				ensure!(n.status != NeuronetStatus::Retired, Error::<T>::Retired);
				ensure!(n.live_slots == 0 || n.spec.judges_work_as(&spec), Error::<T>::SpecInUse);
				n.spec = spec;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::NeuronetUpdated { neuronet });
			Ok(())
		}

		/// Pauses, resumes or retires a neuronet (owner only). Retiring returns the deposit.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_status())]
		pub fn set_status(
			origin: OriginFor<T>,
			neuronet: NeuronetId,
			status: NeuronetStatus,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::change_status(neuronet, status, Some(who))
		}

		/// [`Pallet::set_status`] for [`Config::GovernanceOrigin`], on any neuronet.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_status())]
		pub fn force_set_status(
			origin: OriginFor<T>,
			neuronet: NeuronetId,
			status: NeuronetStatus,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::change_status(neuronet, status, None)
		}

		/// Opens a slot in `neuronet` run by `hotkey`, burning the current registration price
		/// from the signer if it is at most `max_fee`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			neuronet: NeuronetId,
			hotkey: T::AccountId,
			endpoint: BoundedVec<u8, MaxEndpointLen>,
			max_fee: BalanceOf<T>,
		) -> DispatchResult {
			let coldkey = ensure_signed(origin)?;
			let n = Self::open_for_registration(neuronet, &hotkey)?;
			let fee = Self::registration_price(neuronet).ok_or(Error::<T>::UnknownNeuronet)?;
			ensure!(fee <= max_fee, Error::<T>::FeeAboveMax);
			T::Currency::burn_from(
				&coldkey,
				fee,
				Preservation::Preserve,
				Precision::Exact,
				Fortitude::Polite,
			)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
			let economics = &n.spec.economics;
			let price = bumped_price(
				fee.unique_saturated_into(),
				Params::<T>::get().fee_multiplier,
				economics.fee_floor.unique_saturated_into(),
				economics.fee_cap.unique_saturated_into(),
			);
			let now = frame_system::Pallet::<T>::block_number();
			FeeStates::<T>::insert(
				neuronet,
				FeeState { price: BalanceOf::<T>::unique_saturated_from(price), updated: now },
			);
			Self::open_slot(n, neuronet, coldkey, hotkey, endpoint, Payment::Fee(fee));
			Ok(())
		}

		/// Opens a slot in `neuronet` run by `hotkey`, paid by a proof of work: `nonce` such that
		/// `seal(neuronet, hotkey, block_hash(block_number), nonce)` meets the neuronet's current
		/// difficulty, for a block at most `pow_validity` blocks old. Each seal counts once.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::register_with_pow())]
		pub fn register_with_pow(
			origin: OriginFor<T>,
			neuronet: NeuronetId,
			hotkey: T::AccountId,
			endpoint: BoundedVec<u8, MaxEndpointLen>,
			block_number: BlockNumberFor<T>,
			nonce: u64,
		) -> DispatchResult {
			let coldkey = ensure_signed(origin)?;
			let n = Self::open_for_registration(neuronet, &hotkey)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				block_number < now
					&& now.saturating_sub(block_number) <= Params::<T>::get().pow_validity.into(),
				Error::<T>::PowBlockNotRecent
			);
			let block_hash = frame_system::BlockHash::<T>::get(block_number);
			ensure!(block_hash != T::Hash::default(), Error::<T>::PowBlockNotRecent);
			let seal = seal(neuronet, &hotkey, &block_hash, nonce);
			ensure!(!UsedSeals::<T>::contains_key(block_number, seal), Error::<T>::SealUsed);
			let mut pow = Self::pow_state(neuronet);
			ensure!(seal_meets(&seal, pow.difficulty), Error::<T>::PowTooEasy);
			UsedSeals::<T>::insert(block_number, seal, ());
			pow.registrations = pow.registrations.saturating_add(1);
			let difficulty = pow.difficulty;
			PowStates::<T>::insert(neuronet, pow);
			Self::open_slot(n, neuronet, coldkey, hotkey, endpoint, Payment::Pow(difficulty));
			Ok(())
		}

		/// Removes a slot (its coldkey only). Its open re-checks and seats elsewhere are given
		/// up (bounded; [`OnSlotChange::slot_closed_weight`]).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::deregister().saturating_add(
			<T::OnSlotChange as OnSlotChange>::slot_closed_weight()
		))]
		pub fn deregister(origin: OriginFor<T>, slot: SlotId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let s = Slots::<T>::get(slot).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(s.coldkey == who, Error::<T>::NotColdkey);
			Slots::<T>::remove(slot);
			SlotByHotkey::<T>::remove(s.neuronet, &s.hotkey);
			SlotsByColdkey::<T>::remove(&s.coldkey, slot);
			if let Err(e) = frame_system::Pallet::<T>::dec_providers(&s.hotkey) {
				// Only when the hotkey has consumers and no other provider; it keeps this one.
				log::warn!(target: "runtime::neuronets", "hotkey of slot {slot} keeps a provider: {e:?}");
			}
			T::OnSlotChange::slot_closed(slot, s.neuronet);
			Neuronets::<T>::mutate(s.neuronet, |n| {
				if let Some(n) = n {
					n.live_slots = n.live_slots.saturating_sub(1);
				}
			});
			Self::deposit_event(Event::SlotDeregistered { slot, neuronet: s.neuronet });
			Ok(())
		}

		/// The slot's worker is alive (its hotkey only, at most once per heartbeat period; free
		/// when valid).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::heartbeat().saturating_add(
			<T::OnHeartbeat as aetron_primitives::traits::OnHeartbeat>::heartbeat_weight()
		))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, slot: &SlotId| -> bool {
			Pallet::<T>::heartbeat_due(origin, *slot).is_ok()
		})]
		pub fn heartbeat(origin: OriginFor<T>, slot: SlotId) -> DispatchResultWithPostInfo {
			let mut s = Self::heartbeat_due(&origin, slot)?;
			s.last_heartbeat = frame_system::Pallet::<T>::block_number();
			s.heartbeats = s.heartbeats.saturating_add(1);
			let count = s.heartbeats;
			let neuronet = s.neuronet;
			Slots::<T>::insert(slot, s);
			<T::OnHeartbeat as aetron_primitives::traits::OnHeartbeat>::heartbeat(slot, neuronet);
			Self::deposit_event(Event::Heartbeat { slot, count });
			Ok(Pays::No.into())
		}

		/// The slot's worker reports the fingerprints it got for the neuronet's reference checks
		/// (one per check, in order) and its benchmark; if every one is within the neuronet's
		/// tolerance of the expected fingerprint the slot becomes `Active`. Hotkey only; free
		/// when it succeeds.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::submit_reference_checks())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, slot: &SlotId, results: &BoundedVec<Fingerprint, MaxReferenceChecks>, _benchmark: &Benchmark| -> bool {
			Pallet::<T>::reference_checks_pass(origin, *slot, results).is_ok()
		})]
		pub fn submit_reference_checks(
			origin: OriginFor<T>,
			slot: SlotId,
			results: BoundedVec<Fingerprint, MaxReferenceChecks>,
			benchmark: Benchmark,
		) -> DispatchResultWithPostInfo {
			let mut s = Self::reference_checks_pass(&origin, slot, &results)?;
			s.state = SlotState::Active;
			s.benchmark = benchmark;
			let neuronet = s.neuronet;
			Slots::<T>::insert(slot, s);
			T::OnSlotChange::slot_activated(slot, neuronet);
			Self::deposit_event(Event::SlotActivated { slot, benchmark });
			Ok(Pays::No.into())
		}

		/// Sets the worker's public endpoint (the slot's hotkey or coldkey).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_endpoint())]
		pub fn set_endpoint(
			origin: OriginFor<T>,
			slot: SlotId,
			endpoint: BoundedVec<u8, MaxEndpointLen>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Slots::<T>::try_mutate(slot, |entry| {
				let s = entry.as_mut().ok_or(Error::<T>::UnknownSlot)?;
				ensure!(s.hotkey == who || s.coldkey == who, Error::<T>::NotSlotKey);
				s.endpoint = endpoint;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::EndpointSet { slot });
			Ok(())
		}

		/// Sets the parameters (governance only), within [`bounds`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: ParamsOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check(&params)?;
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Refuses parameters outside [`bounds`] or inconsistent with each other.
		pub fn check(p: &ParamsOf<T>) -> Result<(), Error<T>> {
			use bounds::*;
			let within = |v: u32, lo: u32, hi: u32| (lo..=hi).contains(&v);
			let ok = !p.neuronet_deposit.is_zero()
				&& within(p.heartbeat_period, 1, MAX_HEARTBEAT_PERIOD)
				&& within(p.fee_half_life, 1, MAX_FEE_HALF_LIFE)
				&& p.fee_multiplier >= FixedU128::one()
				&& p.fee_multiplier <= MAX_FEE_MULTIPLIER
				&& within(p.pow_validity, 1, MAX_POW_VALIDITY)
				&& within(p.pow_interval, 1, MAX_POW_INTERVAL)
				&& within(p.pow_target, 1, MAX_POW_TARGET)
				&& p.min_pow_difficulty >= 1
				&& p.min_pow_difficulty <= p.max_pow_difficulty;
			ok.then_some(()).ok_or(Error::<T>::ParamOutOfBounds)
		}

		/// The neuronet, if it takes a registration for `hotkey` now.
		fn open_for_registration(
			neuronet: NeuronetId,
			hotkey: &T::AccountId,
		) -> Result<NeuronetOf<T>, DispatchError> {
			let n = Neuronets::<T>::get(neuronet).ok_or(Error::<T>::UnknownNeuronet)?;
			match n.status {
				NeuronetStatus::Active => {}
				NeuronetStatus::Paused => return Err(Error::<T>::Paused.into()),
				NeuronetStatus::Retired => return Err(Error::<T>::Retired.into()),
			}
			let cap = n.spec.economics.max_slots;
			ensure!(cap == 0 || n.live_slots < cap, Error::<T>::NeuronetFull);
			ensure!(!SlotByHotkey::<T>::contains_key(neuronet, hotkey), Error::<T>::HotkeyTaken);
			Ok(n)
		}

		/// Writes a new slot once it is paid for.
		fn open_slot(
			mut n: NeuronetOf<T>,
			neuronet: NeuronetId,
			coldkey: T::AccountId,
			hotkey: T::AccountId,
			endpoint: BoundedVec<u8, MaxEndpointLen>,
			payment: Payment<BalanceOf<T>>,
		) {
			let now = frame_system::Pallet::<T>::block_number();
			let slot = NextSlotId::<T>::get();
			NextSlotId::<T>::put(slot.saturating_add(1));
			Slots::<T>::insert(
				slot,
				Slot {
					neuronet,
					coldkey: coldkey.clone(),
					hotkey: hotkey.clone(),
					state: SlotState::Pending,
					endpoint,
					registered: now,
					last_heartbeat: now,
					heartbeats: 0,
					benchmark: Benchmark::default(),
				},
			);
			SlotByHotkey::<T>::insert(neuronet, &hotkey, slot);
			SlotsByColdkey::<T>::insert(&coldkey, slot, ());
			frame_system::Pallet::<T>::inc_providers(&hotkey);
			T::OnSlotChange::slot_opened(slot, neuronet);
			n.live_slots = n.live_slots.saturating_add(1);
			Neuronets::<T>::insert(neuronet, n);
			Self::deposit_event(Event::SlotRegistered { slot, neuronet, coldkey, hotkey, payment });
		}

		/// A neuronet's proof-of-work state now: the difficulty adjusted for every interval that
		/// ended since the last registration (at most 64 steps; by then any difficulty has
		/// reached a bound).
		pub fn pow_state(neuronet: NeuronetId) -> PowState<BlockNumberFor<T>> {
			let mut pow = PowStates::<T>::get(neuronet);
			let params = Params::<T>::get();
			let interval: BlockNumberFor<T> = params.pow_interval.max(1).into();
			let now = frame_system::Pallet::<T>::block_number();
			let elapsed: u64 =
				(now.saturating_sub(pow.interval_start) / interval).unique_saturated_into();
			for step in 0..elapsed.min(64) {
				let registrations = if step == 0 { pow.registrations } else { 0 };
				pow.difficulty = adjusted_difficulty(
					pow.difficulty,
					registrations,
					params.pow_target,
					params.min_pow_difficulty,
					params.max_pow_difficulty,
				);
			}
			if elapsed > 0 {
				let elapsed: BlockNumberFor<T> = elapsed.unique_saturated_into();
				pow.interval_start =
					pow.interval_start.saturating_add(elapsed.saturating_mul(interval));
				pow.registrations = 0;
			}
			pow
		}

		/// The proof-of-work difficulty of `neuronet` now, if it exists.
		pub fn pow_difficulty(neuronet: NeuronetId) -> Option<u64> {
			Neuronets::<T>::contains_key(neuronet).then(|| Self::pow_state(neuronet).difficulty)
		}

		/// What registering in `neuronet` costs now.
		pub fn registration_price(neuronet: NeuronetId) -> Option<BalanceOf<T>> {
			let n = Neuronets::<T>::get(neuronet)?;
			let state = FeeStates::<T>::get(neuronet);
			let now = frame_system::Pallet::<T>::block_number();
			let elapsed: u64 = now.saturating_sub(state.updated).unique_saturated_into();
			let price = decayed_price(
				state.price.unique_saturated_into(),
				elapsed,
				u64::from(Params::<T>::get().fee_half_life),
				n.spec.economics.fee_floor.unique_saturated_into(),
				n.spec.economics.fee_cap.unique_saturated_into(),
			);
			Some(BalanceOf::<T>::unique_saturated_from(price))
		}

		fn validate(spec: &NeuronetSpec<BalanceOf<T>>) -> DispatchResult {
			ensure!(!spec.name.is_empty(), Error::<T>::EmptyName);
			ensure!(
				spec.economics.fee_floor <= spec.economics.fee_cap,
				Error::<T>::FeeBoundsInverted
			);
			ensure!(!spec.reference_checks.is_empty(), Error::<T>::NoReferenceChecks);
			ensure!(spec.model.execution.quantization.is_valid(), Error::<T>::BadQuantizationBlock);
			let kind_fits = |c: &ReferenceCheck| match (&c.expected, spec.task) {
				(Fingerprint::Embedding { .. }, crate::types::Task::Embedding) => c.max_tokens == 0,
				(Fingerprint::Completion(_), crate::types::Task::TextGeneration) => {
					c.max_tokens > 0
				}
				_ => false,
			};
			ensure!(spec.reference_checks.iter().all(kind_fits), Error::<T>::ReferenceCheckKind);
			Ok(())
		}

		/// The slot, if `origin` is its hotkey and a heartbeat is due.
		pub fn heartbeat_due(
			origin: &OriginFor<T>,
			slot: SlotId,
		) -> Result<SlotOf<T>, DispatchError> {
			let who = ensure_signed(origin.clone())?;
			let s = Slots::<T>::get(slot).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(s.hotkey == who, Error::<T>::NotHotkey);
			let now = frame_system::Pallet::<T>::block_number();
			let due = s.last_heartbeat.saturating_add(Params::<T>::get().heartbeat_period.into());
			ensure!(s.heartbeats == 0 || now >= due, Error::<T>::HeartbeatTooSoon);
			Ok(s)
		}

		/// The slot, if `origin` is its hotkey, it is `Pending`, and `results` match its
		/// neuronet's reference checks within tolerance.
		pub fn reference_checks_pass(
			origin: &OriginFor<T>,
			slot: SlotId,
			results: &[Fingerprint],
		) -> Result<SlotOf<T>, DispatchError> {
			let who = ensure_signed(origin.clone())?;
			let s = Slots::<T>::get(slot).ok_or(Error::<T>::UnknownSlot)?;
			ensure!(s.hotkey == who, Error::<T>::NotHotkey);
			ensure!(s.state == SlotState::Pending, Error::<T>::NotPending);
			let n = Neuronets::<T>::get(s.neuronet).ok_or(Error::<T>::UnknownNeuronet)?;
			ensure!(n.status != NeuronetStatus::Retired, Error::<T>::Retired);
			let checks = &n.spec.reference_checks;
			ensure!(checks.len() == results.len(), Error::<T>::ReferenceCheckCount);
			let tolerance = &n.spec.tolerance;
			let pass = checks.iter().zip(results).all(|(check, result)| {
				fingerprint::distance(&check.expected, result).is_some_and(|d| d.within(tolerance))
			});
			ensure!(pass, Error::<T>::ReferenceCheckFailed);
			Ok(s)
		}

		/// A neuronet with its current registration figures.
		pub fn neuronet_details(
			id: NeuronetId,
		) -> Option<runtime_api::NeuronetDetails<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
			let neuronet = Neuronets::<T>::get(id)?;
			Some(runtime_api::NeuronetDetails {
				id,
				registration_price: Self::registration_price(id)?,
				pow_difficulty: Self::pow_state(id).difficulty,
				neuronet,
			})
		}

		/// Every neuronet with its current registration figures (bounded by
		/// [`Config::MaxNeuronets`]).
		pub fn all_neuronet_details() -> alloc::vec::Vec<
			runtime_api::NeuronetDetails<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>,
		> {
			(0..NextNeuronetId::<T>::get()).filter_map(Self::neuronet_details).collect()
		}

		/// A slot with its status and uptime; `reputation` fills in the reputation (kept by
		/// another pallet). `None` for an id never issued.
		pub fn slot_details(
			id: SlotId,
			reputation: impl Fn(SlotId) -> Perbill,
		) -> Option<runtime_api::SlotDetails<T::AccountId, BlockNumberFor<T>>> {
			use runtime_api::SlotStatus;
			if id >= NextSlotId::<T>::get() {
				return None;
			}
			let slot = Slots::<T>::get(id);
			let status = match slot.as_ref().map(|s| s.state) {
				Some(SlotState::Pending) => SlotStatus::Pending,
				Some(SlotState::Active) => SlotStatus::Active,
				None => SlotStatus::Deregistered,
			};
			Some(runtime_api::SlotDetails {
				id,
				status,
				uptime: slot.as_ref().map(Self::uptime).unwrap_or_default(),
				reputation: if slot.is_some() { reputation(id) } else { Perbill::zero() },
				slot,
			})
		}

		/// The live slots of `coldkey`.
		pub fn slots_of(coldkey: &T::AccountId) -> alloc::vec::Vec<SlotId> {
			SlotsByColdkey::<T>::iter_key_prefix(coldkey).collect()
		}

		/// The share of the heartbeats expected since the slot registered that arrived (one
		/// per `heartbeat_period`; a slot younger than one period has full uptime).
		pub fn uptime(slot: &SlotOf<T>) -> Perbill {
			let now = frame_system::Pallet::<T>::block_number();
			let period: BlockNumberFor<T> = Params::<T>::get().heartbeat_period.max(1).into();
			let expected: u32 =
				(now.saturating_sub(slot.registered) / period).unique_saturated_into();
			if expected == 0 {
				return Perbill::one();
			}
			Perbill::from_rational(slot.heartbeats.min(expected), expected)
		}

		fn change_status(
			neuronet: NeuronetId,
			status: NeuronetStatus,
			by: Option<T::AccountId>,
		) -> DispatchResult {
			Neuronets::<T>::try_mutate(neuronet, |entry| {
				let n = entry.as_mut().ok_or(Error::<T>::UnknownNeuronet)?;
				if let Some(who) = by {
					ensure!(n.owner == who, Error::<T>::NotOwner);
				}
				ensure!(n.status != NeuronetStatus::Retired, Error::<T>::Retired);
				ensure!(n.status != status, Error::<T>::BadStatusChange);
				if status == NeuronetStatus::Retired {
					T::Currency::release(
						&HoldReason::NeuronetDeposit.into(),
						&n.owner,
						n.deposit,
						Precision::BestEffort,
					)?;
					n.deposit = Default::default();
				}
				n.status = status;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::NeuronetStatusChanged { neuronet, status });
			Ok(())
		}

		/// The pallet's invariants: every slot's neuronet exists and counts it; the hotkey and
		/// coldkey indexes match the slots; each owner's held deposit is the sum of the deposits
		/// of its neuronets.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			let mut live: BTreeMap<NeuronetId, u32> = BTreeMap::new();
			for (id, s) in Slots::<T>::iter() {
				ensure!(
					Neuronets::<T>::contains_key(s.neuronet),
					"a slot's neuronet does not exist"
				);
				ensure!(
					SlotByHotkey::<T>::get(s.neuronet, &s.hotkey) == Some(id),
					"hotkey index out of step"
				);
				ensure!(
					SlotsByColdkey::<T>::contains_key(&s.coldkey, id),
					"coldkey index out of step"
				);
				ensure!(id < NextSlotId::<T>::get(), "a slot id from the future");
				ensure!(
					frame_system::Pallet::<T>::providers(&s.hotkey) > 0,
					"a slot's hotkey lost its provider"
				);
				*live.entry(s.neuronet).or_default() += 1;
			}
			ensure!(
				SlotByHotkey::<T>::iter().count() == Slots::<T>::iter().count(),
				"stale hotkey index"
			);
			ensure!(
				SlotsByColdkey::<T>::iter().count() == Slots::<T>::iter().count(),
				"stale coldkey index"
			);
			let mut held: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			for (id, n) in Neuronets::<T>::iter() {
				ensure!(id < NextNeuronetId::<T>::get(), "a neuronet id from the future");
				ensure!(
					live.get(&id).copied().unwrap_or(0) == n.live_slots,
					"live slot count out of step"
				);
				let entry = held.entry(n.owner.clone()).or_default();
				*entry = entry.saturating_add(n.deposit);
			}
			for (owner, deposit) in held {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::NeuronetDeposit.into(), &owner)
						== deposit,
					"held deposit differs from the neuronets' deposits"
				);
			}
			Ok(())
		}
	}
}

extern crate alloc;

impl<T: Config> aetron_primitives::traits::NeuronetsInspect<T::AccountId> for Pallet<T> {
	fn slot(slot: SlotId) -> Option<aetron_primitives::traits::SlotInfo<T::AccountId>> {
		Slots::<T>::get(slot).map(|s| aetron_primitives::traits::SlotInfo {
			neuronet: s.neuronet,
			coldkey: s.coldkey,
			hotkey: s.hotkey,
			active: s.state == SlotState::Active,
		})
	}

	fn neuronet_is_open(neuronet: NeuronetId) -> bool {
		Neuronets::<T>::get(neuronet).is_some_and(|n| n.status == NeuronetStatus::Active)
	}

	fn neuronet_owner(neuronet: NeuronetId) -> Option<T::AccountId> {
		Neuronets::<T>::get(neuronet).map(|n| n.owner)
	}
}
