//! Consensus: timestamp, Aura (block production), GRANDPA (finality) and authorship (who
//! authored the current block, for fee rewards).

use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64, FindAuthor},
	ConsensusEngineId,
};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::crypto::ByteArray;

use crate::{AccountId, Aura, Runtime, RuntimeEvent, SLOT_DURATION};

/// Most validators the chain supports (Aura and GRANDPA authority sets).
pub const MAX_AUTHORITIES: u32 = 32;

impl pallet_timestamp::Config for Runtime {
	/// A timestamp: milliseconds since the unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

parameter_types! {
	pub const MaxSetIdSessionEntries: u64 = 0;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = MaxSetIdSessionEntries;
	// Equivocation reports need session-historical key ownership proofs; they arrive with the
	// staking issue (pallet-session + historical). Until then reports are not accepted.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

/// Finds the account of the block's author: the Aura authority that owns the block's slot, whose
/// sr25519 public key is also an account id.
pub struct AuraAuthorAccount;

impl FindAuthor<AccountId> for AuraAuthorAccount {
	fn find_author<'a, I>(digests: I) -> Option<AccountId>
	where
		I: 'a + IntoIterator<Item = (ConsensusEngineId, &'a [u8])>,
	{
		let authority = pallet_aura::AuraAuthorId::<Runtime>::find_author(digests)?;
		AccountId::from_slice(authority.as_slice()).ok()
	}
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = AuraAuthorAccount;
	type EventHandler = ();
}
