use cosmwasm_std::Addr;
use cw_storage_plus::{Item, Map};

/// The instantiator; the only one allowed to change the set and the service URI.
pub const OWNER: Item<Addr> = Item::new("owner");
/// The total weight an envelope's signers must reach.
pub const THRESHOLD: Item<u64> = Item::new("threshold");
/// The sum of all operators' weights.
pub const TOTAL_WEIGHT: Item<u64> = Item::new("total_weight");
/// Operator public key (33 bytes) -> weight; only non-zero weights are stored, so a range
/// over this map yields the operators sorted by key.
pub const WEIGHTS: Map<&[u8], u64> = Map::new("weights");
/// Where the service's definition lives; absent until the owner sets it.
pub const SERVICE_URI: Item<String> = Item::new("service_uri");
/// Each operator's current signing key; absent: it signs with its own key.
pub const SIGNING_KEYS: Map<&[u8], Vec<u8>> = Map::new("signing_keys");
/// The operator a signing key was registered by, kept after a rotation so that no other
/// operator can take the key over.
pub const KEY_OWNERS: Map<&[u8], Vec<u8>> = Map::new("key_owners");
/// Each operator's published p2p address (non-empty; an empty one is removed).
pub const PEER_ADDRESSES: Map<&[u8], String> = Map::new("peer_addresses");
