#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! The runtime API's views: `service_view`, `channel_view`, `channels_of`, `service_channels`,
//! `budget_view`, `tier_view` and `tiers_view`.

use super::*;
use crate::{Budgets, TierDefinition, TierName, TiersOf};
use airtime_primitives::credits::{BudgetView, ChannelView, ServiceView, TierView};
use frame_support::assert_ok;

fn ids_of(payer: AccountId, start_after: Option<ChannelId>, limit: u32) -> Vec<ChannelId> {
	Credits::channels_of(&payer, start_after, limit).iter().map(|v| v.id).collect()
}

fn ids_paying(s: ServiceId, start_after: Option<ChannelId>, limit: u32) -> Vec<ChannelId> {
	Credits::service_channels(s, start_after, limit).iter().map(|v| v.id).collect()
}

// ---------------------------------------------------------------- service_view

#[test]
fn service_view_shows_the_record() {
	build_and_execute(|| {
		assert_eq!(Credits::service_view(0), None);
		let s = register(1, 10, 2);
		assert_eq!(
			Credits::service_view(s),
			Some(ServiceView {
				id: s,
				owner: 1,
				metadata_hash: H256::repeat_byte(1),
				endpoint_hash: H256::repeat_byte(2),
				price_per_call: 10,
				tier_required: 2,
				retired: false,
				open_channels: 0,
			})
		);

		assert_ok!(Credits::lock_for_tier(signed(2), 1_000));
		open(2, s, 100, 50);
		assert_ok!(Credits::set_service_price(signed(1), s, 25));
		assert_ok!(Credits::retire_service(signed(1), s));
		let view = Credits::service_view(s).expect("kept by its channel");
		assert_eq!(view.price_per_call, 25);
		assert!(view.retired);
		assert_eq!(view.open_channels, 1);
		assert_eq!(Credits::service_view(s + 1), None);
	});
}

// ---------------------------------------------------------------- channel_view

#[test]
fn channel_view_shows_the_record() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		assert_eq!(Credits::channel_view(0), None);
		run_to(4);
		let c = open(2, s, 500, 80);
		assert_ok!(Credits::top_up(signed(2), c, 100));
		assert_ok!(Credits::redeem(signed(1), c, voucher(2, c, 120)));
		assert_ok!(Credits::request_close(signed(2), c));
		assert_ok!(Credits::set_service_price(signed(1), s, 30));
		assert_eq!(
			Credits::channel_view(c),
			Some(ChannelView {
				id: c,
				service: s,
				payer: 2,
				signer: 2,
				nonce: 4,
				price_per_call: 10,
				locked: 600,
				redeemed: 120,
				expiry: 80,
				close_requested: true,
			})
		);

		// A delegated channel shows its signer; a closed one is gone.
		assert_ok!(Credits::approve(signed(3), 4, 1_000, 100, 1));
		let d = open_for(4, 3, s, 300, 90);
		let view = Credits::channel_view(d).expect("open");
		assert_eq!((view.payer, view.signer, view.price_per_call), (3, 4, 30));
		assert_ok!(Credits::cooperative_close(signed(1), c, None));
		assert_eq!(Credits::channel_view(c), None);
		assert!(Credits::channel_view(d).is_some());
	});
}

// ---------------------------------------------------------------- channels_of, service_channels

#[test]
fn channel_lists_page_in_id_order() {
	build_and_execute(|| {
		let s = register(1, 10, 0);
		let t = register(5, 10, 0);
		// Interleaved: 2 pays s with the even ids 0..=10, 3 pays t with the odd ids 1..=11.
		for _ in 0..6 {
			open(2, s, 100, 100);
			open(3, t, 100, 100);
		}
		assert_eq!(NextChannelId::<Test>::get(), 12);

		// At most MAX_PAGE_SIZE per page, in id order.
		assert_eq!(ids_of(2, None, 100), vec![0, 2, 4, 6]);
		assert_eq!(ids_of(2, None, u32::MAX), vec![0, 2, 4, 6]);
		assert_eq!(ids_of(2, None, 2), vec![0, 2]);
		assert_eq!(ids_of(2, None, 0), Vec::<ChannelId>::new());
		// Continue after the last id seen, or any id.
		assert_eq!(ids_of(2, Some(6), 100), vec![8, 10]);
		assert_eq!(ids_of(2, Some(3), 2), vec![4, 6]);
		assert_eq!(ids_of(2, Some(10), 4), Vec::<ChannelId>::new());
		assert_eq!(ids_of(3, None, 4), vec![1, 3, 5, 7]);
		assert_eq!(ids_of(3, Some(7), 4), vec![9, 11]);
		assert_eq!(ids_of(4, None, 4), Vec::<ChannelId>::new());

		assert_eq!(ids_paying(s, None, 100), vec![0, 2, 4, 6]);
		assert_eq!(ids_paying(s, Some(0), 3), vec![2, 4, 6]);
		assert_eq!(ids_paying(t, Some(1), 4), vec![3, 5, 7, 9]);
		assert_eq!(ids_paying(t, Some(9), 4), vec![11]);
		assert_eq!(ids_paying(t + 1, None, 4), Vec::<ChannelId>::new());

		// The pages carry the views.
		let page = Credits::channels_of(&2, Some(8), 4);
		assert_eq!(page, vec![Credits::channel_view(10).expect("open")]);
		assert_eq!(page[0].payer, 2);

		// Closed channels leave the lists.
		assert_ok!(Credits::cooperative_close(signed(1), 2, None));
		assert_ok!(Credits::cooperative_close(signed(5), 3, None));
		assert_eq!(ids_of(2, None, 4), vec![0, 4, 6, 8]);
		assert_eq!(ids_paying(t, None, 4), vec![1, 5, 7, 9]);
		run_to(100);
		for id in [0, 4, 6] {
			assert_ok!(Credits::close(signed(9), id));
		}
		assert_eq!(ids_of(2, None, 4), vec![8, 10]);
		assert_eq!(ids_paying(s, None, 4), vec![8, 10]);
	});
}

// ---------------------------------------------------------------- budget_view

#[test]
fn budget_view_rolls_the_period_over() {
	build_and_execute(|| {
		assert_eq!(Credits::budget_view(&2), None);
		let s = register(1, 10, 0);
		assert_ok!(Credits::set_budget(signed(2), 500, 100));
		open(2, s, 300, 500);
		assert_eq!(
			Credits::budget_view(&2),
			Some(BudgetView {
				limit: 500,
				period: 100,
				period_start: 1,
				spent: 300,
				remaining: 200
			})
		);
		run_to(100);
		assert_eq!(Credits::budget_view(&2).map(|b| (b.spent, b.remaining)), Some((300, 200)));

		// From the end of the period the view shows a fresh one, without writing it.
		run_to(101);
		assert_eq!(
			Credits::budget_view(&2),
			Some(BudgetView {
				limit: 500,
				period: 100,
				period_start: 101,
				spent: 0,
				remaining: 500
			})
		);
		assert_eq!(Budgets::<Test>::get(2).map(|b| (b.period_start, b.spent)), Some((1, 300)));

		// A ceiling below what was spent shows nothing remaining.
		run_to(150);
		open(2, s, 400, 500);
		assert_ok!(Credits::set_budget(signed(2), 100, 100));
		assert_eq!(
			Credits::budget_view(&2),
			Some(BudgetView {
				limit: 100,
				period: 100,
				period_start: 150,
				spent: 400,
				remaining: 0
			})
		);
		assert_ok!(Credits::clear_budget(signed(2)));
		assert_eq!(Credits::budget_view(&2), None);
	});
}

// ---------------------------------------------------------------- tier_view, tiers_view

#[test]
fn tier_views_show_locks_and_the_table() {
	build_and_execute(|| {
		assert_eq!(
			Credits::tiers_view(),
			vec![
				(b"Basic".to_vec(), TIER_THRESHOLDS[0]),
				(b"Pro".to_vec(), TIER_THRESHOLDS[1]),
				(b"Enterprise".to_vec(), TIER_THRESHOLDS[2]),
			]
		);

		assert_eq!(Credits::tier_view(&2), TierView::default());
		assert_ok!(Credits::lock_for_tier(signed(2), 2_000));
		run_to(7);
		assert_ok!(Credits::unlock_tier(signed(2), 1_500));
		assert_eq!(
			Credits::tier_view(&2),
			TierView { tier: 1, active: 500, unlocking: 1_500, unlock_at: Some(7 + TIER_COOLDOWN) }
		);

		let tiers: TiersOf<Test> = TiersOf::<Test>::truncate_from(vec![
			TierDefinition { name: TierName::truncate_from(b"Small".to_vec()), threshold: 400 },
			TierDefinition { name: TierName::truncate_from(b"Big".to_vec()), threshold: 500 },
		]);
		assert_ok!(Credits::set_tiers(RuntimeOrigin::root(), tiers));
		assert_eq!(Credits::tiers_view(), vec![(b"Small".to_vec(), 400), (b"Big".to_vec(), 500)]);
		// The same lock reaches the new second tier.
		assert_eq!(Credits::tier_view(&2).tier, 2);
	});
}
