#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! Property tests: random sequences of channel, budget and tier calls and block advances from a
//! few payers over two services (0: owner 5, price 10, no tier; 1: owner 6, price 7, tier 1).
//!
//! Every call's result is checked against a model where it can be predicted (the channel calls
//! entirely, `open_channel` and `top_up` up to the balance and ceiling checks, the tier calls),
//! and a call that failed must have left the storage root unchanged. After every op:
//!
//! - `check_invariants()`: every hold and freeze matches the records;
//! - the model keeps, per channel, the highest total its payer signed in a voucher for it; no
//!   channel ever redeemed more than that, and each redemption paid the difference less the
//!   protocol fee (10%, rounded down) to the service's owner and the fee to the treasury;
//! - a service owner never received more than the totals signed on its channels less the fees,
//!   and exactly what was redeemed on them less the fees; a payer lost exactly what was redeemed
//!   on its channels;
//! - the total issuance never changes (fees go to `TREASURY`, nothing is minted or burned), and
//!   the endowed accounts and the treasury always hold what they held at the start.

use super::*;
use crate::{Error, TierLocks};
use ::proptest::{
	arbitrary::any,
	collection::vec as vec_of,
	proptest,
	strategy::{BoxedStrategy, Just, Strategy, Union},
	test_runner::Config as ProptestConfig,
};
use airtime_primitives::credits::Voucher;
use frame_support::assert_ok;
use sp_runtime::{DispatchError, DispatchResult, StateVersion};
use std::collections::{BTreeMap, BTreeSet};

/// Accounts 1..=PAYERS open channels, lock tiers and set budgets.
const PAYERS: AccountId = 4;
/// The owners of services 0 and 1; they never pay.
const OWNERS: [AccountId; 2] = [5, 6];
/// Calls `close` (anyone may), tops up channels it is no party of.
const BYSTANDER: AccountId = 7;
/// The longest sequence.
const MAX_OPS: usize = 60;

/// Sequences per run: `CREDITS_PROPTEST_CASES`, default 300.
fn cases() -> u32 {
	std::env::var("CREDITS_PROPTEST_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(300)
}

type VoucherOf = crate::SignedVoucherOf<Test>;

/// One step of a sequence. `pick` fields choose an open channel when the op runs (one pick in
/// sixteen, an arbitrary id instead); `kind` chooses the voucher (see `Model::voucher_for`).
#[derive(Clone, Copy, Debug)]
enum Op {
	Open { payer: AccountId, service: ServiceId, amount: Balance, duration: u64 },
	TopUp { pick: u8, by_payer: bool, amount: Balance },
	Redeem { pick: u8, kind: u8, by_owner: bool, total: Balance },
	CoopClose { pick: u8, kind: u8, with_voucher: bool, total: Balance },
	Close { pick: u8 },
	Advance { blocks: u64 },
	SetBudget { who: AccountId, limit: Balance, period: u64 },
	Lock { who: AccountId, amount: Balance },
	Unlock { who: AccountId, amount: Balance },
	Withdraw { who: AccountId },
}

// ------------------------------------------------------------------------ helpers

fn state_root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

fn err(e: Error<Test>) -> DispatchError {
	e.into()
}

fn expected(e: Option<Error<Test>>) -> DispatchResult {
	e.map_or(Ok(()), |e| Err(err(e)))
}

/// Run a call; a call that fails must leave the storage root as it was.
fn attempt(name: &str, f: impl FnOnce() -> DispatchResult) -> DispatchResult {
	let before = state_root();
	let result = f();
	if let Err(e) = &result {
		assert_eq!(state_root(), before, "{name} failed with {e:?} but changed storage");
	}
	result
}

fn owner_of(service: ServiceId) -> AccountId {
	if service == 0 {
		OWNERS[0]
	} else {
		OWNERS[1]
	}
}

/// An open channel; one pick in sixteen, or when none is open, any id up to the next (closed,
/// unknown or open).
fn pick_channel(pick: u8) -> ChannelId {
	let mut open: Vec<ChannelId> = Channels::<Test>::iter_keys().collect();
	open.sort_unstable();
	if pick % 16 == 15 || open.is_empty() {
		return u64::from(pick / 16) % (NextChannelId::<Test>::get() + 1);
	}
	open[usize::from(pick) % open.len()]
}

/// Why redeeming `v` on `c` by its service's owner must fail, if it must.
fn voucher_error(c: &Channel<Test>, v: &VoucherOf) -> Option<Error<Test>> {
	let total = v.voucher.total;
	if System::block_number() >= c.expiry {
		Some(Error::<Test>::ChannelExpired)
	} else if v.voucher.channel_nonce != c.nonce {
		Some(Error::<Test>::WrongNonce)
	} else if total > c.locked {
		Some(Error::<Test>::VoucherExceedsLock)
	} else if total <= c.redeemed {
		Some(Error::<Test>::StaleVoucher)
	} else if v.signature.0 != c.signer {
		Some(Error::<Test>::BadSignature)
	} else {
		None
	}
}

fn event_name(e: &Event<Test>) -> String {
	let debug = format!("{e:?}");
	let debug = debug.strip_prefix("Event::").unwrap_or(&debug);
	debug.chars().take_while(|c| c.is_alphanumeric()).collect()
}

// ------------------------------------------------------------------------ the model

/// What the model knows of a channel (kept after it closes).
#[derive(Clone, Copy, Debug)]
struct Shadow {
	payer: AccountId,
	owner: AccountId,
	locked: Balance,
	redeemed: Balance,
	/// The highest total the payer signed in a voucher for this channel.
	signed: Balance,
}

struct Model {
	issuance: Balance,
	/// The endowed accounts' and the treasury's balances, summed.
	sum: Balance,
	channels: BTreeMap<ChannelId, Shadow>,
	closed: BTreeSet<ChannelId>,
	/// What each owner was paid, from the events.
	paid: BTreeMap<AccountId, Balance>,
	/// The fees taken from each owner's redemptions, from the events.
	fees: BTreeMap<AccountId, Balance>,
	/// Events seen, by name.
	stats: BTreeMap<String, u32>,
}

fn known_sum() -> Balance {
	(1..=ACCOUNTS).chain([TREASURY]).map(total_of).sum()
}

impl Model {
	fn new() -> Self {
		Model {
			issuance: Balances::total_issuance(),
			sum: known_sum(),
			channels: BTreeMap::new(),
			closed: BTreeSet::new(),
			paid: BTreeMap::new(),
			fees: BTreeMap::new(),
			stats: BTreeMap::new(),
		}
	}

	/// A voucher for channel `id`: mostly a fresh total (above what was redeemed, within the
	/// lock), else a stale total, one over the lock, a fresh one signed by another account, or
	/// one with the wrong nonce. Records what the channel's signer signs.
	fn voucher_for(&mut self, id: ChannelId, kind: u8, raw: Balance) -> VoucherOf {
		let Some(c) = Channels::<Test>::get(id) else { return voucher(1, id, raw) };
		let fresh = if c.locked > c.redeemed {
			c.redeemed + 1 + raw % (c.locked - c.redeemed)
		} else {
			c.redeemed
		};
		let (signer, nonce, total) = match kind % 8 {
			0..=3 => (c.signer, c.nonce, fresh),
			4 => (c.signer, c.nonce, raw % (c.redeemed + 1)),
			5 => (c.signer, c.nonce, c.locked + 1 + raw % 100),
			6 => (c.signer % PAYERS + 1, c.nonce, fresh),
			_ => (c.signer, c.nonce.wrapping_add(1), fresh),
		};
		assert!(signer != c.signer || kind % 8 != 6, "the wrong signer is the signer");
		if signer == c.signer && nonce == c.nonce {
			let shadow = self.channels.get_mut(&id).expect("every open channel was seen opening");
			shadow.signed = shadow.signed.max(total);
		}
		voucher_with(
			signer,
			Voucher { genesis: genesis(), channel: id, channel_nonce: nonce, total },
		)
	}

	/// Follow one of the pallet's events.
	fn see(&mut self, event: Event<Test>) {
		*self.stats.entry(event_name(&event)).or_default() += 1;
		match event {
			Event::ChannelOpened { channel, service, payer, signer, amount, .. } => {
				assert_eq!(signer, payer, "no delegates in these sequences");
				let shadow = Shadow {
					payer,
					owner: owner_of(service),
					locked: amount,
					redeemed: 0,
					signed: 0,
				};
				assert!(
					self.channels.insert(channel, shadow).is_none(),
					"channel {channel} reused"
				);
			},
			Event::ChannelToppedUp { channel, amount, locked } => {
				let s = self.channels.get_mut(&channel).expect("a known channel");
				assert_eq!(s.locked + amount, locked);
				s.locked = locked;
			},
			Event::VoucherRedeemed { channel, service, total, paid, fee } => {
				let s = self.channels.get_mut(&channel).expect("a known channel");
				assert_eq!(owner_of(service), s.owner);
				assert!(total > s.redeemed, "channel {channel} redeemed {total} again");
				assert!(total <= s.locked, "channel {channel} redeemed {total} above its lock");
				assert!(
					total <= s.signed,
					"channel {channel} redeemed {total}, more than its payer signed ({})",
					s.signed
				);
				let due = total - s.redeemed;
				assert_eq!(fee, fee_of(due), "the fee of {due}");
				assert_eq!(paid + fee, due);
				s.redeemed = total;
				let owner = s.owner;
				*self.paid.entry(owner).or_default() += paid;
				*self.fees.entry(owner).or_default() += fee;
			},
			Event::ChannelClosed { channel, payer, redeemed, refunded, .. } => {
				assert!(self.closed.insert(channel), "channel {channel} closed twice");
				let s = self.channels[&channel];
				assert_eq!(payer, s.payer);
				assert_eq!(redeemed, s.redeemed);
				assert_eq!(redeemed + refunded, s.locked, "channel {channel} lost funds");
			},
			_ => {},
		}
	}

	/// The checks run after every op.
	fn check(&mut self) {
		check_invariants();

		assert_eq!(Balances::total_issuance(), self.issuance, "total issuance moved");
		assert_eq!(known_sum(), self.sum, "funds were lost or created");
		let all: Balance = frame_system::Account::<Test>::iter()
			.map(|(_, info)| info.data.free + info.data.reserved)
			.sum();
		assert_eq!(all, self.issuance, "the accounts do not add up to the total issuance");

		for event in credit_events() {
			self.see(event);
		}
		System::reset_events();

		for (id, c) in Channels::<Test>::iter() {
			let s = self.channels.get(&id).expect("every open channel was seen opening");
			assert!(!self.closed.contains(&id), "channel {id} came back after it closed");
			assert_eq!((c.payer, c.locked, c.redeemed), (s.payer, s.locked, s.redeemed));
		}
		for (id, s) in self.channels.iter() {
			assert!(s.redeemed <= s.signed, "channel {id} redeemed more than was signed");
		}

		let mut all_fees: Balance = 0;
		for owner in OWNERS {
			let received = total_of(owner) - ENDOWMENT;
			let paid = self.paid.get(&owner).copied().unwrap_or_default();
			let fees = self.fees.get(&owner).copied().unwrap_or_default();
			let (signed, redeemed) = self
				.channels
				.values()
				.filter(|s| s.owner == owner)
				.fold((0, 0), |(signed, redeemed), s| (signed + s.signed, redeemed + s.redeemed));
			assert_eq!(received, paid, "owner {owner} got other than what the events say");
			assert_eq!(received + fees, redeemed, "owner {owner}: paid and fees are not redeemed");
			assert!(
				received <= signed.saturating_sub(fees),
				"owner {owner} received {received}, more than signed {signed} less fees {fees}"
			);
			all_fees += fees;
		}
		assert_eq!(total_of(TREASURY), ED + all_fees, "the treasury got other than the fees");

		for payer in 1..=PAYERS {
			let spent = ENDOWMENT - total_of(payer);
			let (signed, redeemed) = self
				.channels
				.values()
				.filter(|s| s.payer == payer)
				.fold((0, 0), |(signed, redeemed), s| (signed + s.signed, redeemed + s.redeemed));
			assert_eq!(spent, redeemed, "payer {payer} lost other than what was redeemed");
			assert!(spent <= signed, "payer {payer} paid {spent}, more than it signed ({signed})");
		}
	}

	fn apply(&mut self, op: Op) {
		let now = System::block_number();
		match op {
			Op::Open { payer, service, amount, duration } => {
				let expiry = now + duration;
				let id = NextChannelId::<Test>::get();
				let predicted = match Services::<Test>::get(service) {
					None => Some(Error::<Test>::UnknownService),
					Some(s) if Credits::tier_of(&payer) < s.tier_required => {
						Some(Error::<Test>::TierTooLow)
					},
					Some(s) if amount < s.price_per_call => Some(Error::<Test>::AmountBelowPrice),
					Some(_)
						if !(MIN_CHANNEL_DURATION..=MAX_CHANNEL_DURATION).contains(&duration) =>
					{
						Some(Error::<Test>::ExpiryOutOfRange)
					},
					Some(_) => None,
				};
				let result = attempt("open_channel", || {
					Credits::open_channel(signed(payer), service, amount, expiry)
				});
				match (predicted, result) {
					(Some(e), r) => assert_eq!(r, Err(err(e)), "open_channel"),
					(None, Ok(())) => {
						let c = Channels::<Test>::get(id).expect("the channel opened");
						assert_eq!(
							(c.service, c.payer, c.signer, c.locked, c.redeemed, c.expiry),
							(service, payer, payer, amount, 0, expiry)
						);
						assert_eq!(u64::from(c.nonce), now);
					},
					(None, Err(e)) => assert!(
						e == err(Error::<Test>::InsufficientBalance)
							|| e == err(Error::<Test>::BudgetExceeded),
						"open_channel failed with {e:?}"
					),
				}
			},
			Op::TopUp { pick, by_payer, amount } => {
				let id = pick_channel(pick);
				let c = Channels::<Test>::get(id);
				let who = match &c {
					Some(c) if by_payer => c.payer,
					_ => BYSTANDER,
				};
				let predicted = match &c {
					None => Some(Error::<Test>::UnknownChannel),
					Some(c) if who != c.payer && who != c.signer => {
						Some(Error::<Test>::NotChannelParty)
					},
					Some(_) if amount == 0 => Some(Error::<Test>::ZeroAmount),
					Some(c) if now >= c.expiry => Some(Error::<Test>::ChannelExpired),
					Some(_) => None,
				};
				let result = attempt("top_up", || Credits::top_up(signed(who), id, amount));
				match (predicted, result) {
					(Some(e), r) => assert_eq!(r, Err(err(e)), "top_up"),
					(None, Ok(())) => {
						let before = c.expect("the channel was open").locked;
						assert_eq!(
							Channels::<Test>::get(id).map(|c| c.locked),
							Some(before + amount)
						);
					},
					(None, Err(e)) => assert!(
						e == err(Error::<Test>::InsufficientBalance)
							|| e == err(Error::<Test>::BudgetExceeded),
						"top_up failed with {e:?}"
					),
				}
			},
			Op::Redeem { pick, kind, by_owner, total } => {
				let id = pick_channel(pick);
				let c = Channels::<Test>::get(id);
				let v = self.voucher_for(id, kind, total);
				let who = match &c {
					Some(c) if by_owner => owner_of(c.service),
					Some(c) => c.payer,
					None => OWNERS[0],
				};
				let predicted = match &c {
					None => Some(Error::<Test>::UnknownChannel),
					Some(_) if !by_owner => Some(Error::<Test>::NotServiceOwner),
					Some(c) => voucher_error(c, &v),
				};
				let result = attempt("redeem", || Credits::redeem(signed(who), id, v.clone()));
				assert_eq!(result, expected(predicted), "redeem of {:?}", v.voucher);
				if result.is_ok() {
					assert_eq!(
						Channels::<Test>::get(id).map(|c| c.redeemed),
						Some(v.voucher.total)
					);
				}
			},
			Op::CoopClose { pick, kind, with_voucher, total } => {
				let id = pick_channel(pick);
				let c = Channels::<Test>::get(id);
				let v = if with_voucher { Some(self.voucher_for(id, kind, total)) } else { None };
				let who = c.as_ref().map_or(OWNERS[0], |c| owner_of(c.service));
				let predicted = match (&c, &v) {
					(None, _) => Some(Error::<Test>::UnknownChannel),
					(Some(c), Some(v)) => voucher_error(c, v),
					(Some(_), None) => None,
				};
				let result = attempt("cooperative_close", || {
					Credits::cooperative_close(signed(who), id, v.clone())
						.map(|_| ())
						.map_err(|e| e.error)
				});
				assert_eq!(result, expected(predicted), "cooperative_close");
				if result.is_ok() {
					assert!(!Channels::<Test>::contains_key(id));
				}
			},
			Op::Close { pick } => {
				let id = pick_channel(pick);
				let predicted = match Channels::<Test>::get(id) {
					None => Some(Error::<Test>::UnknownChannel),
					Some(c) if now < c.expiry => Some(Error::<Test>::ChannelNotExpired),
					Some(_) => None,
				};
				let result = attempt("close", || Credits::close(signed(BYSTANDER), id));
				assert_eq!(result, expected(predicted), "close");
				if result.is_ok() {
					assert!(!Channels::<Test>::contains_key(id));
				}
			},
			Op::Advance { blocks } => run_to(now + blocks),
			Op::SetBudget { who, limit, period } => {
				let result =
					attempt("set_budget", || Credits::set_budget(signed(who), limit, period));
				if period == 0 {
					assert_eq!(result, Err(err(Error::<Test>::ZeroPeriod)));
				} else if let Err(e) = result {
					assert_eq!(e, err(Error::<Test>::InsufficientBalance));
				} else {
					let b = crate::Budgets::<Test>::get(who).expect("a budget was set");
					assert_eq!((b.limit, b.period), (limit, period));
				}
			},
			Op::Lock { who, amount } => {
				let lock = TierLocks::<Test>::get(who).unwrap_or_default();
				let predicted = if amount == 0 {
					Some(Error::<Test>::ZeroAmount)
				} else if lock.active + amount < TIER_THRESHOLDS[0] {
					Some(Error::<Test>::BelowLowestTier)
				} else if free(who) < lock.active + amount + lock.unlocking {
					Some(Error::<Test>::InsufficientBalance)
				} else {
					None
				};
				let result =
					attempt("lock_for_tier", || Credits::lock_for_tier(signed(who), amount));
				assert_eq!(result, expected(predicted), "lock_for_tier");
			},
			Op::Unlock { who, amount } => {
				let predicted = match TierLocks::<Test>::get(who) {
					_ if amount == 0 => Some(Error::<Test>::ZeroAmount),
					None => Some(Error::<Test>::NoTierLock),
					Some(l) if amount > l.active => Some(Error::<Test>::UnlockExceedsLock),
					Some(l) if l.active > amount && l.active - amount < TIER_THRESHOLDS[0] => {
						Some(Error::<Test>::BelowLowestTier)
					},
					Some(_) => None,
				};
				let result = attempt("unlock_tier", || Credits::unlock_tier(signed(who), amount));
				assert_eq!(result, expected(predicted), "unlock_tier");
				if result.is_ok() {
					let lock = TierLocks::<Test>::get(who).expect("still locked");
					assert_eq!(lock.unlock_at, now + TIER_COOLDOWN);
				}
			},
			Op::Withdraw { who } => {
				let predicted = match TierLocks::<Test>::get(who) {
					None => Some(Error::<Test>::NoTierLock),
					Some(l) if l.unlocking == 0 || now < l.unlock_at => {
						Some(Error::<Test>::NothingToWithdraw)
					},
					Some(_) => None,
				};
				let result = attempt("withdraw_tier", || Credits::withdraw_tier(signed(who)));
				assert_eq!(result, expected(predicted), "withdraw_tier");
			},
		}
		self.check();
	}
}

/// The two services.
fn setup() {
	assert_ok!(Credits::register_service(
		signed(OWNERS[0]),
		H256::repeat_byte(1),
		H256::repeat_byte(2),
		10,
		0
	));
	assert_ok!(Credits::register_service(
		signed(OWNERS[1]),
		H256::repeat_byte(3),
		H256::repeat_byte(4),
		7,
		1
	));
}

/// Run `ops` in fresh externalities; return the events seen, by name.
fn run_sequence(ops: &[Op]) -> BTreeMap<String, u32> {
	new_test_ext().execute_with(|| {
		setup();
		let mut model = Model::new();
		model.check();
		for op in ops {
			model.apply(*op);
		}
		model.stats
	})
}

// ------------------------------------------------------------------------ strategies

/// Mostly an amount in `lo..=hi`, sometimes `low` (too little) or more than anyone holds.
fn amount(lo: Balance, hi: Balance, low: Balance) -> BoxedStrategy<Balance> {
	Union::new_weighted(vec![
		(14, (lo..=hi).boxed()),
		(1, Just(low).boxed()),
		(1, Just(2 * ENDOWMENT).boxed()),
	])
	.boxed()
}

/// Mostly a valid channel duration, sometimes too short or around the longest.
fn duration() -> BoxedStrategy<u64> {
	Union::new_weighted(vec![
		(12, (MIN_CHANNEL_DURATION..=200).boxed()),
		(1, (0..MIN_CHANNEL_DURATION).boxed()),
		(1, (MAX_CHANNEL_DURATION - 2..=MAX_CHANNEL_DURATION + 2).boxed()),
	])
	.boxed()
}

fn op_strategy() -> BoxedStrategy<Op> {
	let pick = any::<u8>;
	let payer = || 1..=PAYERS;
	let mostly = || ::proptest::bool::weighted(0.9);
	Union::new_weighted(vec![
		(
			6,
			(payer(), 0u64..=2, amount(1, 2_000, 5), duration())
				.prop_map(|(payer, service, amount, duration)| Op::Open {
					payer,
					service,
					amount,
					duration,
				})
				.boxed(),
		),
		(
			3,
			(pick(), mostly(), amount(1, 500, 0))
				.prop_map(|(pick, by_payer, amount)| Op::TopUp { pick, by_payer, amount })
				.boxed(),
		),
		(
			10,
			(pick(), pick(), mostly(), 0u128..=5_000)
				.prop_map(|(pick, kind, by_owner, total)| Op::Redeem {
					pick,
					kind,
					by_owner,
					total,
				})
				.boxed(),
		),
		(
			3,
			(pick(), pick(), any::<bool>(), 0u128..=5_000)
				.prop_map(|(pick, kind, with_voucher, total)| Op::CoopClose {
					pick,
					kind,
					with_voucher,
					total,
				})
				.boxed(),
		),
		(3, pick().prop_map(|pick| Op::Close { pick }).boxed()),
		(4, (1u64..=80).prop_map(|blocks| Op::Advance { blocks }).boxed()),
		(
			2,
			(payer(), 0u128..=4_000, 0u64..=60)
				.prop_map(|(who, limit, period)| Op::SetBudget { who, limit, period })
				.boxed(),
		),
		(
			3,
			(payer(), amount(1, 1_500, 0))
				.prop_map(|(who, amount)| Op::Lock { who, amount })
				.boxed(),
		),
		(2, (payer(), 0u128..=1_500).prop_map(|(who, amount)| Op::Unlock { who, amount }).boxed()),
		(1, payer().prop_map(|who| Op::Withdraw { who }).boxed()),
	])
	.boxed()
}

// ------------------------------------------------------------------------ the properties

proptest! {
	#![proptest_config(ProptestConfig {
		cases: cases(),
		failure_persistence: None,
		..ProptestConfig::default()
	})]

	/// Random sequences of 1 to `MAX_OPS` ops keep the invariants, conserve the funds and never
	/// pay a service more than its callers signed.
	#[test]
	fn random_sequences_keep_the_invariants(ops in vec_of(op_strategy(), 1..=MAX_OPS)) {
		run_sequence(&ops);
	}
}

/// The model itself follows a known sequence: it predicts each result (`apply` asserts them) and
/// sees the redemptions and closes.
#[test]
fn the_model_follows_a_known_sequence() {
	let stats = run_sequence(&[
		Op::Open { payer: 1, service: 0, amount: 1_000, duration: 50 },
		// Fresh: 0 + 1 + 299 = 300.
		Op::Redeem { pick: 0, kind: 0, by_owner: true, total: 299 },
		// Stale, signed by another account, redeemed by the payer, over the lock, wrong nonce.
		Op::Redeem { pick: 0, kind: 4, by_owner: true, total: 7 },
		Op::Redeem { pick: 0, kind: 6, by_owner: true, total: 0 },
		Op::Redeem { pick: 0, kind: 0, by_owner: false, total: 0 },
		Op::Redeem { pick: 0, kind: 5, by_owner: true, total: 0 },
		Op::Redeem { pick: 0, kind: 7, by_owner: true, total: 0 },
		Op::TopUp { pick: 0, by_payer: true, amount: 500 },
		Op::TopUp { pick: 0, by_payer: false, amount: 500 },
		// Fresh: 300 + 1 + 99 = 400; the rest (1_100) goes back.
		Op::CoopClose { pick: 0, kind: 0, with_voucher: true, total: 99 },
		Op::Lock { who: 2, amount: 100 },
		Op::Open { payer: 2, service: 1, amount: 70, duration: 10 },
		Op::Open { payer: 3, service: 1, amount: 70, duration: 10 },
		Op::Advance { blocks: 10 },
		Op::Redeem { pick: 0, kind: 0, by_owner: true, total: 5 },
		Op::Close { pick: 0 },
		Op::Close { pick: 0 },
	]);
	assert_eq!(stats.get("ChannelOpened"), Some(&2));
	assert_eq!(stats.get("VoucherRedeemed"), Some(&2));
	assert_eq!(stats.get("ChannelToppedUp"), Some(&1));
	assert_eq!(stats.get("ChannelClosed"), Some(&2));
	assert_eq!(stats.get("TierLocked"), Some(&1));
}
