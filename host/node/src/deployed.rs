//! The services deployed on this node, as every stage sees them: the service registry
//! (`services.rs`) writes the map, the readers, cron, the executor and the component
//! sweep read it.

use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::sync::Arc;
use wavs_types::ServiceManifest;

/// The services deployed on this node, by id.
pub type Deployed = Arc<RwLock<BTreeMap<String, Arc<ServiceManifest>>>>;
