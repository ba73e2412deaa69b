//! One loaded adapter file: compiled, type-checked against the adapter world, described.

use crate::bindings::adapter_world::ChainAdapterFull;
use crate::bindings::{adapter_api, blocks_api, peers_api, services_api, signing_keys_api, testing_api};
use crate::engine::{LoadSource, WasmEngine};
use crate::error::{Result, RuntimeError};
use crate::http_policy::HttpPolicy;
use crate::imports::AdapterData;
use crate::limits::Limits;
use crate::signer::{AdapterSigner, Signer};
use crate::state::HostState;
use std::path::Path;
use wasmtime::component::{HasSelf, InstancePre, Linker};

/// What an adapter says about itself, plus where it came from: the wire type the APIs show.
pub use wavs_types::aggregator_health::AdapterInfo;

/// The adapter world this host serves. Older worlds are refused rather than run: 0.1.0
/// signed digests that named no destination, and 0.2.0 knew one signature scheme and
/// read a skipped height as one not produced yet.
pub const ADAPTER_WORLD: &str = "wavs:adapter@0.3.0";

/// Refuses a component built against another version of the adapter world, naming it.
fn check_world_version(engine: &WasmEngine, component: &wasmtime::component::Component) -> Result<()> {
    let ty = component.component_type();
    let names = ty.imports(engine.engine()).map(|(n, _)| n).chain(ty.exports(engine.engine()).map(|(n, _)| n));
    for name in names {
        let Some(rest) = name.strip_prefix("wavs:adapter/") else { continue };
        let version = rest.split_once('@').map(|(_, v)| v).unwrap_or("");
        if version != "0.3.0" {
            return Err(RuntimeError::InvalidComponent(format!(
                "built against wavs:adapter@{version} ({name}); this host serves {ADAPTER_WORLD}: rebuild the adapter \
                 against wit/adapter (adapters/README.md, \"Versions\", says what changed)"
            )));
        }
    }
    Ok(())
}

/// A compiled adapter ready to be instantiated once per chain.
pub struct AdapterProgram {
    pub(crate) info: AdapterInfo,
    pub(crate) pre: InstancePre<HostState<AdapterData>>,
    pub(crate) adapter: adapter_api::GuestIndices,
    pub(crate) testing: Option<testing_api::GuestIndices>,
    /// The optional `services` export (services defined on chain).
    pub(crate) services: Option<services_api::GuestIndices>,
    /// The optional `blocks` export, which deterministic workflows need.
    pub(crate) blocks: Option<blocks_api::GuestIndices>,
    /// The optional `signing-keys` export (registering per-service signing keys).
    pub(crate) signing_keys: Option<signing_keys_api::GuestIndices>,
    /// The optional `peers` export (operators' p2p addresses at a manager).
    pub(crate) peers: Option<peers_api::GuestIndices>,
}

impl AdapterProgram {
    /// The adapter's description.
    pub fn info(&self) -> &AdapterInfo {
        &self.info
    }

    /// Whether the adapter exports the optional `services` interface.
    pub fn has_services(&self) -> bool {
        self.services.is_some()
    }

    /// Builds the linker adapters are instantiated with.
    pub(crate) fn linker(engine: &WasmEngine) -> Result<Linker<HostState<AdapterData>>> {
        let mut linker = crate::http_link::base_linker::<AdapterData>(engine.engine())
            .map_err(|e| RuntimeError::InvalidComponent(format!("linker: {e:#}")))?;
        ChainAdapterFull::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::InvalidComponent(format!("linker: {e:#}")))?;
        Ok(linker)
    }

    /// Loads, type-checks and describes the adapter in `path`.
    pub(crate) async fn load(
        engine: &WasmEngine,
        linker: &Linker<HostState<AdapterData>>,
        path: &Path,
    ) -> Result<(AdapterProgram, LoadSource)> {
        let (component, digest, source) = engine.load_file(path)?;
        check_world_version(engine, &component)?;
        let pre = linker.instantiate_pre(&component).map_err(|e| {
            RuntimeError::InvalidComponent(format!(
                "imports something the adapter world does not offer: {e:#}"
            ))
        })?;
        let adapter = adapter_api::GuestIndices::new(&pre).map_err(|e| {
            RuntimeError::InvalidComponent(format!("not a chain adapter: {e:#}"))
        })?;
        let testing = testing_api::GuestIndices::new(&pre).ok();
        let services = services_api::GuestIndices::new(&pre).ok();
        let blocks = blocks_api::GuestIndices::new(&pre).ok();
        let signing_keys = signing_keys_api::GuestIndices::new(&pre).ok();
        let peers = peers_api::GuestIndices::new(&pre).ok();
        let mut program = AdapterProgram {
            info: AdapterInfo {
                family: String::new(),
                name: String::new(),
                version: String::new(),
                trigger_kinds: vec![],
                schemes: vec![],
                has_testing: testing.is_some(),
                digest,
                path: path.to_path_buf(),
            },
            pre,
            adapter,
            testing,
            services,
            blocks,
            signing_keys,
            peers,
        };
        let description = program.describe(engine).await?;
        if description.family.is_empty()
            || !description.family.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(RuntimeError::InvalidComponent(format!(
                "describe() returned family {:?}; expected lowercase letters, digits and '-'",
                description.family
            )));
        }
        program.info.family = description.family;
        program.info.name = description.name;
        program.info.version = description.version;
        program.info.trigger_kinds = description.trigger_kinds;
        program.info.schemes = description.schemes.into_iter().map(Into::into).collect();
        Ok((program, source))
    }

    /// Calls `describe()` in a throw-away store under tight limits.
    async fn describe(&self, engine: &WasmEngine) -> Result<adapter_api::Description> {
        let limits = Limits { time_ms: 5_000, ..Limits::ADAPTER_DEFAULT };
        // describe() must not do I/O: no hosts granted, and no key to sign with.
        let data = AdapterData { signer: describe_signer()? };
        let origin = format!("adapter:{}", self.info.path.display());
        let mut store =
            HostState::new_store(engine.engine(), origin, HttpPolicy::default(), &limits, data)
                .map_err(|e| RuntimeError::InvalidComponent(format!("{e:#}")))?;
        let call = async {
            let instance = self.pre.instantiate_async(&mut store).await?;
            let guest = self.adapter.load(&mut store, &instance)?;
            guest.call_describe(&mut store).await
        };
        let outcome = tokio::time::timeout(limits.time(), call).await;
        let failure = match outcome {
            Ok(Ok(d)) => return Ok(d),
            Err(_) => RuntimeError::LimitExceeded("did not return within 5 s".into()),
            Ok(Err(e)) => store.data().explain(crate::error::classify_call_error(e, "describe()")),
        };
        Err(RuntimeError::InvalidComponent(format!("describe() failed: {failure}")))
    }
}

/// The public keys `describe()` may see: of a fixed throw-away key, derived once per
/// process (a BN254 key costs two scalar multiplications) rather than per adapter load.
fn describe_signer() -> Result<AdapterSigner> {
    static KEYS: std::sync::OnceLock<AdapterSigner> = std::sync::OnceLock::new();
    if let Some(keys) = KEYS.get() {
        return Ok(keys.clone());
    }
    let keys = AdapterSigner::public_only(&Signer::from_hex(&"11".repeat(32))?)?;
    Ok(KEYS.get_or_init(|| keys).clone())
}
