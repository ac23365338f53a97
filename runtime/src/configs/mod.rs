//! Pallet configurations: one module per pallet (or per tightly coupled group, e.g. consensus).

pub mod balances;
pub mod compute;
pub mod consensus;
pub mod credits;
pub mod data_market;
pub mod governance;
pub mod multisig;
pub mod parameters;
pub mod proxy;
pub mod staking;
pub mod system;
pub mod transaction_payment;
pub mod utility;

pub use consensus::*;
pub use parameters::{RuntimeParameters, RuntimeParametersKey, RuntimeParametersValue};
pub use proxy::ProxyType;
pub use system::*;
pub use transaction_payment::*;
