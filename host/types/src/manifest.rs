//! Service manifests: a service is a set of workflows, each `trigger -> component ->
//! submit`. Parsing refuses unknown fields; [`ServiceManifest::validate`] checks
//! references and values and names the exact field at fault.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A service as builders deploy it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServiceManifest {
    /// Unique id of the service on this node (letters, digits, `-`, `_`).
    pub id: String,
    /// Human-readable name.
    #[serde(default)]
    pub name: String,
    /// Components by the name workflows use for them.
    pub components: BTreeMap<String, ComponentSpec>,
    /// Workflows by id.
    pub workflows: BTreeMap<String, WorkflowSpec>,
}

/// One component of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ComponentSpec {
    /// sha256 (hex) of the component's `.wasm`: uploaded to the node beforehand, or fetched
    /// from `source`. Whatever serves the bytes, a node runs only bytes with this digest.
    pub digest: String,
    /// Where a node that does not have the component yet fetches it at deploy:
    /// `https://…`, `http://…`, `ipfs://CID` (through the operator's IPFS gateway) or
    /// `oci://registry[:port]/repository:tag` (an artifact whose layer is the `.wasm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Limits for each execution; unset values take the operator's defaults.
    #[serde(default)]
    pub limits: LimitOverrides,
    /// What the component may reach.
    #[serde(default)]
    pub permissions: Permissions,
    /// Configuration variables, read with `config-var`. Public: every node shows them;
    /// put keys in `secrets` instead.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// Names of the operator-held secrets the component reads with `secret` (values are
    /// set on each node with `wavs secrets set SERVICE NAME`, never in the manifest). A
    /// node refuses the deploy while one is not set; other names read as none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
}

/// Per-component limits; each must stay within the operator's maxima.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitOverrides {
    /// Fuel per execution.
    pub fuel: Option<u64>,
    /// Wall-clock milliseconds per execution.
    pub time_ms: Option<u64>,
    /// Linear memory in bytes.
    pub memory_bytes: Option<u64>,
    /// Total output bytes.
    pub output_bytes: Option<u64>,
    /// Live host resources (HTTP requests, headers, streams) held at once.
    pub host_handles: Option<u64>,
    /// Log lines per execution.
    pub log_lines: Option<u64>,
    /// Log bytes per execution.
    pub log_bytes: Option<u64>,
}

/// Capabilities granted to a component.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Permissions {
    /// `host` or `host:port` entries reachable over HTTP (no port: the scheme's default);
    /// empty means none. A node refuses `*`, loopback, private and its own services unless
    /// its operator allows them (`http-allow-private`).
    #[serde(default)]
    pub allowed_http_hosts: Vec<String>,
}

/// `trigger -> component -> submit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WorkflowSpec {
    /// What starts the workflow.
    pub trigger: TriggerSpec,
    /// The name of the component (a key of `components`) to run.
    pub component: String,
    /// Where results go; `none` keeps them local (visible through the API).
    pub submit: SubmitSpec,
}

/// What starts a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum TriggerSpec {
    /// A contract event on a configured chain.
    ChainEvent {
        /// The chain: its name in the node configuration, or its shared id
        /// `family:chain-id` (e.g. `evm:31337`), which every operator's node resolves
        /// whatever it calls the chain.
        chain: String,
        /// The contract address, in the chain's canonical text form.
        contract: String,
        /// The event, as the chain's adapter names it.
        event: String,
    },
    /// Every `every`-th block from `start` on.
    BlockInterval {
        /// The chain: a local name or `family:chain-id`, as for `chain-event`.
        chain: String,
        /// Distance between blocks; at least 1.
        every: u64,
        /// First height; default 0.
        #[serde(default)]
        start: u64,
    },
    /// A trigger kind the chain's adapter defines (one of its `trigger-kinds` beyond
    /// `contract-event` and `block-interval`), with the parameters its guide describes;
    /// the adapter checks them at deploy. The component gets its events as chain events.
    Custom {
        /// The chain: a local name or `family:chain-id`, as for `chain-event`.
        chain: String,
        /// The adapter's name for the kind (`tick`, `program-log` ...).
        kind: String,
        /// Its parameters.
        #[serde(default)]
        params: std::collections::BTreeMap<String, String>,
    },
    /// Only manual tasks (API / CLI `add-task`).
    Manual,
    /// A schedule: each tick runs the workflow on every operator, named by its time.
    Cron {
        /// A five-field cron expression in UTC (`*/5 * * * *`), or `@hourly`, `@daily`...
        schedule: String,
    },
}

/// Where a workflow's results go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum SubmitSpec {
    /// Keep results on the node only.
    None,
    /// Sign and send to the aggregator, which submits to `handler` on `chain` once the
    /// operator set held by `manager` reaches its threshold.
    Aggregator {
        /// The chain: a name both the node's and the aggregator's configurations use,
        /// or its shared id `family:chain-id`, which both resolve.
        chain: String,
        /// The service handler contract.
        handler: String,
        /// The service manager contract holding operators and threshold.
        manager: String,
    },
}

impl TriggerSpec {
    /// The trigger's kind as manifests spell it (`chain-event`, `cron` ...).
    pub fn kind(&self) -> &'static str {
        match self {
            TriggerSpec::ChainEvent { .. } => "chain-event",
            TriggerSpec::BlockInterval { .. } => "block-interval",
            TriggerSpec::Custom { .. } => "custom",
            TriggerSpec::Manual => "manual",
            TriggerSpec::Cron { .. } => "cron",
        }
    }

    /// The chain this trigger reads, if any.
    pub fn chain(&self) -> Option<&str> {
        match self {
            TriggerSpec::ChainEvent { chain, .. } | TriggerSpec::BlockInterval { chain, .. } | TriggerSpec::Custom { chain, .. } => {
                Some(chain)
            }
            TriggerSpec::Manual | TriggerSpec::Cron { .. } => None,
        }
    }
}

/// Whether `id` is a valid service, workflow or secret name: 1-64 letters, digits, `-`
/// or `_`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl ServiceManifest {
    /// Parses JSON, refusing unknown fields, with the position of any error.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("invalid service manifest: {e}"))
    }

    /// Checks ids, references and values. `known_chain` says whether a chain name is
    /// configured on this node.
    pub fn validate(&self, known_chain: impl Fn(&str) -> bool) -> Result<(), String> {
        if !valid_id(&self.id) {
            return Err(format!("id {:?}: use 1-64 letters, digits, '-' or '_'", self.id));
        }
        if self.workflows.is_empty() {
            return Err("workflows: a service needs at least one workflow".into());
        }
        for (name, c) in &self.components {
            if c.digest.len() != 64 || !c.digest.chars().all(|ch| ch.is_ascii_hexdigit()) {
                return Err(format!("components.{name}.digest: expected 64 hex characters (sha256), got {:?}", c.digest));
            }
            if let Some(source) = &c.source {
                crate::source::parse_source(source).map_err(|e| format!("components.{name}.source: {e}"))?;
            }
            if let Some(bad) = c.secrets.iter().find(|s| !valid_id(s)) {
                return Err(format!("components.{name}.secrets: {bad:?}: use 1-64 letters, digits, '-' or '_' for secret names"));
            }
        }
        for (id, wf) in &self.workflows {
            let at = format!("workflows.{id}");
            if !valid_id(id) {
                return Err(format!("{at}: use 1-64 letters, digits, '-' or '_' for workflow ids"));
            }
            if !self.components.contains_key(&wf.component) {
                return Err(format!("{at}.component: no component named {:?} in `components`", wf.component));
            }
            if let Some(chain) = wf.trigger.chain() {
                if !known_chain(chain) {
                    return Err(format!("{at}.trigger.chain: chain {chain:?} is not configured on this node"));
                }
            }
            if let TriggerSpec::BlockInterval { every: 0, .. } = wf.trigger {
                return Err(format!("{at}.trigger.block-interval.every: must be at least 1"));
            }
            if let TriggerSpec::Custom { kind, .. } = &wf.trigger
                && kind.is_empty()
            {
                return Err(format!("{at}.trigger.custom.kind: name one of the chain adapter's trigger kinds"));
            }
            if let TriggerSpec::Cron { schedule } = &wf.trigger {
                crate::cron::Schedule::parse(schedule).map_err(|e| format!("{at}.trigger.cron.schedule: {e}"))?;
            }
            if let SubmitSpec::Aggregator { handler, manager, chain } = &wf.submit {
                if handler.is_empty() || manager.is_empty() || chain.is_empty() {
                    return Err(format!("{at}.submit.aggregator: chain, handler and manager are required"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
