// This file is part of Airtime. PLACEHOLDER until scripts/bench.sh data-market regenerates it.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions of `pallet_data_market`.
pub trait WeightInfo {
	fn list_dataset(p: u32) -> Weight;
	fn update_price() -> Weight;
	fn delist() -> Weight;
	fn set_agent() -> Weight;
	fn set_delivery_key() -> Weight;
	fn clear_delivery_key() -> Weight;
	fn buy_access() -> Weight;
	fn deliver_key() -> Weight;
	fn reclaim() -> Weight;
	fn dispute() -> Weight;
	fn resolve_dispute() -> Weight;
	fn complete_sale() -> Weight;
	fn relinquish_access() -> Weight;
	fn submit_claim() -> Weight;
	fn counter_claim() -> Weight;
	fn conclude_claim() -> Weight;
	fn resolve_claim() -> Weight;
	fn register_derived(n: u32) -> Weight;
	fn release_job_record() -> Weight;
	fn begin_use(n: u32) -> Weight;
	fn job_settled(n: u32) -> Weight;
	fn job_refunded(n: u32) -> Weight;
}

/// Weights measured with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn list_dataset(p: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn update_price() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn delist() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn set_agent() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn set_delivery_key() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn clear_delivery_key() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn buy_access() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn deliver_key() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn reclaim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn dispute() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn complete_sale() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn relinquish_access() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn submit_claim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn counter_claim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn conclude_claim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn resolve_claim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn register_derived(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn release_job_record() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn begin_use(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn job_settled(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn job_refunded(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn list_dataset(p: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn update_price() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn delist() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn set_agent() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn set_delivery_key() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn clear_delivery_key() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn buy_access() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn deliver_key() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn reclaim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn dispute() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn complete_sale() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn relinquish_access() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn submit_claim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn counter_claim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn conclude_claim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn resolve_claim() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn register_derived(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn release_job_record() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn begin_use(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn job_settled(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn job_refunded(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
}
