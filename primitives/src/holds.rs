//! Hold helpers shared by Airtime's pallets, which keep escrow, stakes, bonds and deposits as
//! holds on their owners' accounts and tie every hold to a record (so `try_state` can check
//! them). A release or slash that finds less on hold than the records say is a bug: these helpers
//! report it defensively instead of failing the call that ends a record.

use frame_support::{
	defensive,
	traits::{
		fungible::{BalancedHold, Credit, Inspect, MutateHold},
		tokens::{Fortitude, Precision, Preservation},
	},
};
use sp_runtime::traits::Zero;

/// Whether `who` can put `amount` on hold and keep its account alive (its free balance minus
/// the existential deposit covers it).
pub fn can_hold<C: Inspect<A>, A>(who: &A, amount: C::Balance) -> bool {
	C::reducible_balance(who, Preservation::Preserve, Fortitude::Polite) >= amount
}

/// Release exactly `amount` held for `reason` on `who`.
pub fn release_exact<C: MutateHold<A>, A>(reason: &C::Reason, who: &A, amount: C::Balance) {
	if amount.is_zero() {
		return;
	}
	match C::release(reason, who, amount, Precision::BestEffort) {
		Ok(released) if released == amount => {},
		_ => {
			defensive!("a hold the records account for could not be released in full");
		},
	}
}

/// Take `amount` held for `reason` on `who` out of circulation, as a credit for the caller to
/// place.
pub fn slash_exact<C: BalancedHold<A>, A>(
	reason: &C::Reason,
	who: &A,
	amount: C::Balance,
) -> Credit<A, C> {
	let (credit, missing) = C::slash(reason, who, amount);
	if !missing.is_zero() {
		defensive!("a hold the records account for was short when slashed");
	}
	credit
}
