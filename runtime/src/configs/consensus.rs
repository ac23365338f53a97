//! Consensus: timestamp, Aura (block production), GRANDPA (finality) and authorship (who
//! authored the current block, for fee rewards and era points).
//!
//! The authority sets come from pallet-session (`configs/staking.rs`): each session's validators
//! and their registered keys. GRANDPA equivocations are reported with a session-historical
//! key-ownership proof and become offences that pallet-staking slashes (deferred).

use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64, KeyOwnerProofSystem},
};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_core::crypto::KeyTypeId;

use crate::{
	configs::staking::{ReportLongevity, BONDING_DURATION, SESSIONS_PER_ERA},
	Aura, Historical, Offences, Runtime, RuntimeEvent, Session, SLOT_DURATION,
};

/// Most validators the chain supports (Aura and GRANDPA authority sets).
pub const MAX_AUTHORITIES: u32 = 32;

impl pallet_timestamp::Config for Runtime {
	/// A timestamp: milliseconds since the unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = crate::weights::pallet_timestamp::WeightInfo<Runtime>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	/// Validators disabled for an offence produce no blocks.
	type DisabledValidators = Session;
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

parameter_types! {
	/// GRANDPA set ids are remembered per session for as long as an offence can be reported.
	pub const MaxSetIdSessionEntries: u64 =
		(BONDING_DURATION as u64).saturating_mul(SESSIONS_PER_ERA as u64);
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	/// Nominators per validator exposure (bounds the weight of an equivocation report).
	type MaxNominators = ConstU32<128>;
	type MaxSetIdSessionEntries = MaxSetIdSessionEntries;
	type KeyOwnerProof = <Historical as KeyOwnerProofSystem<(KeyTypeId, GrandpaId)>>::Proof;
	type EquivocationReportSystem =
		pallet_grandpa::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_authorship::Config for Runtime {
	/// The author is the session validator (stash) whose Aura slot the block is in.
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	type EventHandler = crate::configs::staking::AuthorPoints;
}
