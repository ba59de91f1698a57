//! The origins a referendum can dispatch with, one a track (DESIGN §14).
//!
//! Each origin is as narrow as the calls it exists for: `ParamAdmin` moves protocol tunables and
//! nothing else, `ValidatorAdmin` changes the validator set and nothing else, and so on. A pallet
//! names the origin it accepts in its `Config` (for example `GovernanceOrigin =
//! EitherOf<EnsureRoot<AccountId>, ParamAdmin>`), so what a track can do is read off the runtime's
//! configuration, and `runtime/src/tests.rs` checks it.

pub use pallet_custom_origins::*;

#[frame_support::pallet]
pub mod pallet_custom_origins {
	use crate::Balance;
	use frame_support::pallet_prelude::*;

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The governance origins besides `Root`.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// Sets the tunables of the AETRON pallets (`set_params` and the like).
		ParamAdmin,
		/// Adds and removes validators.
		ValidatorAdmin,
		/// Spends from the treasury, up to [`TREASURER_SPEND_LIMIT`] at once.
		Treasurer,
		/// Cancels a referendum (its deposits are refunded).
		ReferendumCanceller,
		/// Kills a referendum (its deposits are slashed).
		ReferendumKiller,
	}

	/// The most one `Treasurer` referendum may spend; larger spends go by `Root`.
	pub const TREASURER_SPEND_LIMIT: Balance = 100_000 * crate::AET;

	/// Declares, for each named origin, an `EnsureOrigin` that accepts exactly that origin and
	/// succeeds with the given value.
	macro_rules! ensure_custom_origin {
		($($name:ident: $success:ty = $value:expr;)+) => {$(
			#[doc = concat!("Accepts only the `", stringify!($name), "` origin.")]
			pub struct $name;
			impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for $name
			where
				for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
			{
				type Success = $success;
				fn try_origin(o: O) -> Result<Self::Success, O> {
					if matches!(o.caller().try_into(), Ok(Origin::$name)) {
						return Ok($value);
					}
					Err(o)
				}
				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$name))
				}
			}
		)+};
	}

	ensure_custom_origin! {
		ParamAdmin: () = ();
		ValidatorAdmin: () = ();
		Treasurer: Balance = TREASURER_SPEND_LIMIT;
		ReferendumCanceller: () = ();
		ReferendumKiller: () = ();
	}
}
