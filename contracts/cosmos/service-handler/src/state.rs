use cosmwasm_std::{Addr, Binary};
use cw_storage_plus::{Item, Map};

/// The manager that validates signatures.
pub const SERVICE_MANAGER: Item<Addr> = Item::new("service_manager");
/// Event id (20 bytes) -> payload, for every handled envelope.
pub const PAYLOADS: Map<&[u8], Binary> = Map::new("payloads");
/// How many envelopes were handled.
pub const HANDLED_COUNT: Item<u64> = Item::new("handled_count");
