//! A runtime with only System and the origins pallet, enough to build real `OriginCaller`s.

use frame_support::{construct_runtime, derive_impl};

use crate as pallet_governance;

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Origins: pallet_governance,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_governance::Config for Test {
	type RuntimeParameters = u32;
	type GenesisParameters = RecordParameters;
}

frame_support::parameter_types! {
	/// What `RecordParameters` was given, in order.
	pub static Recorded: Vec<u32> = vec![];
}

/// Records each genesis parameter; refuses 0.
pub struct RecordParameters;
impl crate::SetParameter<u32> for RecordParameters {
	fn set(parameter: u32) -> frame_support::dispatch::DispatchResult {
		frame_support::ensure!(parameter != 0, "zero is refused");
		Recorded::mutate(|r| r.push(parameter));
		Ok(())
	}
}

/// The tracks as the Airtime runtime builds them, for the mock's origins.
pub type ProductionTracks =
	crate::tracks::AirtimeTracks<OriginCaller, u64, crate::tracks::Production>;
/// The `fast-runtime` tracks for the mock's origins.
pub type FastTracks = crate::tracks::AirtimeTracks<OriginCaller, u64, crate::tracks::Fast>;
