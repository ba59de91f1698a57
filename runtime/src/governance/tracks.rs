//! The referendum tracks: one an origin, with periods, curves and deposits for a small chain.
//!
//! Polkadot's tracks assume thousands of voters and a month to decide. AETRON starts with a few
//! validators, miners and stakers, so a track decides within days (a week for `Root`), and the
//! support a referendum needs falls toward zero over its decision period: a quiet electorate
//! cannot stall a parameter change for ever, while approval never falls below half of the votes.
//! The reasons for each figure are in `docs/decisions.md` ("Governance"). With `fast-runtime`
//! every period is a handful of blocks, so tests and devnets see a referendum enacted in about a
//! minute and a half, and one voted down rejected in two and a half.

use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{str_array as name, FixedI64};

use super::{origins::Origin, period};
use crate::{time::*, Balance, BlockNumber, RuntimeOrigin, AET};

const fn percent(x: i32) -> FixedI64 {
	FixedI64::from_rational(x as u128, 100)
}

/// Approval (ayes over ayes and nays, with conviction) starts at 100 % and falls toward 50 % by
/// the end of the decision period: a contested referendum needs a clear majority early on.
const APPROVAL: Curve = Curve::make_reciprocal(4, 28, percent(80), percent(50), percent(100));
/// `Root` (runtime upgrades, anything) needs half the issuance's support at first, falling
/// linearly to none by the end of its decision period.
const SUPPORT_ROOT: Curve = Curve::make_linear(28, 28, percent(0), percent(50));
/// The other tracks start at 20 % support and fall faster, toward none.
const SUPPORT_ADMIN: Curve = Curve::make_reciprocal(7, 28, percent(5), percent(0), percent(20));

/// Track ids, as `referenda.submit` and polkadot.js show them.
pub mod id {
	/// `Root`: runtime upgrades and anything else.
	pub const ROOT: u16 = 0;
	/// `ParamAdmin`: protocol tunables.
	pub const PARAM_ADMIN: u16 = 1;
	/// `ValidatorAdmin`: the validator set.
	pub const VALIDATOR_ADMIN: u16 = 2;
	/// `Treasurer`: treasury spends.
	pub const TREASURER: u16 = 3;
	/// `ReferendumCanceller`: cancel a referendum, refunding its deposits.
	pub const REFERENDUM_CANCELLER: u16 = 4;
	/// `ReferendumKiller`: kill a referendum, slashing its deposits.
	pub const REFERENDUM_KILLER: u16 = 5;
}

const TRACKS: [Track<u16, Balance, BlockNumber>; 6] = [
	Track {
		id: id::ROOT,
		info: TrackInfo {
			name: name("root"),
			max_deciding: 1,
			decision_deposit: 10_000 * AET,
			prepare_period: period(2 * HOURS, 5),
			decision_period: period(7 * DAYS, 20),
			confirm_period: period(DAYS, 5),
			min_enactment_period: period(DAYS, 1),
			min_approval: APPROVAL,
			min_support: SUPPORT_ROOT,
		},
	},
	Track {
		id: id::PARAM_ADMIN,
		info: TrackInfo {
			name: name("param_admin"),
			max_deciding: 10,
			decision_deposit: 1_000 * AET,
			prepare_period: period(HOURS, 5),
			decision_period: period(5 * DAYS, 20),
			confirm_period: period(3 * HOURS, 5),
			min_enactment_period: period(HOURS, 1),
			min_approval: APPROVAL,
			min_support: SUPPORT_ADMIN,
		},
	},
	Track {
		id: id::VALIDATOR_ADMIN,
		info: TrackInfo {
			name: name("validator_admin"),
			max_deciding: 5,
			decision_deposit: 2_000 * AET,
			prepare_period: period(HOURS, 5),
			decision_period: period(7 * DAYS, 20),
			confirm_period: period(6 * HOURS, 5),
			min_enactment_period: period(HOURS, 1),
			min_approval: APPROVAL,
			min_support: SUPPORT_ADMIN,
		},
	},
	Track {
		id: id::TREASURER,
		info: TrackInfo {
			name: name("treasurer"),
			max_deciding: 10,
			decision_deposit: 2_000 * AET,
			prepare_period: period(2 * HOURS, 5),
			decision_period: period(7 * DAYS, 20),
			confirm_period: period(DAYS, 5),
			min_enactment_period: period(DAYS, 1),
			min_approval: APPROVAL,
			min_support: SUPPORT_ADMIN,
		},
	},
	Track {
		id: id::REFERENDUM_CANCELLER,
		info: TrackInfo {
			name: name("referendum_canceller"),
			max_deciding: 10,
			decision_deposit: 1_000 * AET,
			prepare_period: period(HOURS, 5),
			decision_period: period(3 * DAYS, 20),
			confirm_period: period(HOURS, 5),
			min_enactment_period: period(10 * MINUTES, 1),
			min_approval: APPROVAL,
			min_support: SUPPORT_ADMIN,
		},
	},
	Track {
		id: id::REFERENDUM_KILLER,
		info: TrackInfo {
			name: name("referendum_killer"),
			max_deciding: 10,
			decision_deposit: 5_000 * AET,
			prepare_period: period(HOURS, 5),
			decision_period: period(3 * DAYS, 20),
			confirm_period: period(HOURS, 5),
			min_enactment_period: period(10 * MINUTES, 1),
			min_approval: APPROVAL,
			min_support: SUPPORT_ADMIN,
		},
	},
];

/// The tracks, and which origin each one dispatches with.
pub struct TracksInfo;
impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = <RuntimeOrigin as frame_support::traits::OriginTrait>::PalletsOrigin;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<Self::Id, Balance, BlockNumber>>> {
		TRACKS.iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &Self::RuntimeOrigin) -> Result<Self::Id, ()> {
		if let Ok(system) = frame_system::RawOrigin::try_from(origin.clone()) {
			return match system {
				frame_system::RawOrigin::Root => Ok(id::ROOT),
				_ => Err(()),
			};
		}
		match Origin::try_from(origin.clone()) {
			Ok(Origin::ParamAdmin) => Ok(id::PARAM_ADMIN),
			Ok(Origin::ValidatorAdmin) => Ok(id::VALIDATOR_ADMIN),
			Ok(Origin::Treasurer) => Ok(id::TREASURER),
			Ok(Origin::ReferendumCanceller) => Ok(id::REFERENDUM_CANCELLER),
			Ok(Origin::ReferendumKiller) => Ok(id::REFERENDUM_KILLER),
			Err(_) => Err(()),
		}
	}
}
