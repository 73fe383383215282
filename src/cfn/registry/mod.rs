//! Facts about CloudFormation resource types taken from the official registry schemas
//! (as shipped by the pinned `cfn-lint`). Plan and drift use them to decide which
//! property changes replace a resource and which properties can be compared live.
//!
//! The tables in `generated.rs` are written by `scripts/gen_registry.py`; regenerate
//! with `bash scripts/gen-registry.sh` after changing `scripts/registry-types.txt`
//! or the cfn-lint pin. A test fails when the checked-in output is stale.

mod generated;

pub use generated::{LAMBDA_RUNTIMES, POSTGRES_ENGINE_VERSIONS, REGISTRY_SOURCE, RESOURCE_SCHEMAS};

/// Property paths are the registry's JSON pointers without the leading
/// `/properties/`, e.g. `"CidrBlock"` or `"Endpoint/Address"`; array items are `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceSchema {
    pub type_name: &'static str,
    /// Changing one of these always replaces the resource.
    pub create_only: &'static [&'static str],
    /// Changing one of these may replace the resource, depending on the change.
    pub conditional_create_only: &'static [&'static str],
    /// Accepted on create/update but never returned by a read: drift cannot compare them.
    pub write_only: &'static [&'static str],
    /// Set by the service; these are the attributes `Fn::GetAtt` can read.
    pub read_only: &'static [&'static str],
    pub primary_identifier: &'static [&'static str],
    /// IAM actions CloudFormation calls with the deployer's credentials to create,
    /// read, update and delete a resource of this type (the registry's handler
    /// permissions), sorted.
    pub deploy_permissions: &'static [&'static str],
}

/// Engine versions the registry data knows for one engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineVersions {
    pub engine: &'static str,
    /// Every version cfn-lint accepts (includes deprecated ones), sorted by version.
    pub known: &'static [&'static str],
    /// Versions cfn-lint flags as deprecated, sorted by version.
    pub deprecated: &'static [&'static str],
}

/// Lifecycle of one Lambda runtime (dates as `YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeLifecycle {
    pub name: &'static str,
    pub deprecated: Option<&'static str>,
    pub create_block: Option<&'static str>,
    pub update_block: Option<&'static str>,
    pub successor: Option<&'static str>,
}

/// The registry facts for a resource type, if the type is one this tool models.
pub fn schema(type_name: &str) -> Option<&'static ResourceSchema> {
    RESOURCE_SCHEMAS.binary_search_by(|s| s.type_name.cmp(type_name)).ok().map(|i| &RESOURCE_SCHEMAS[i])
}

impl EngineVersions {
    pub fn is_known(&self, version: &str) -> bool {
        self.known.contains(&version)
    }

    pub fn is_deprecated(&self, version: &str) -> bool {
        self.deprecated.contains(&version)
    }

    /// The newest supported (known, not deprecated) plain `MAJOR.MINOR` version of a major line.
    pub fn latest_supported_minor(&self, major: &str) -> Option<&'static str> {
        self.known
            .iter()
            .filter(|v| !self.is_deprecated(v))
            .filter(|v| {
                v.split_once('.').is_some_and(|(m, minor)| m == major && minor.chars().all(|c| c.is_ascii_digit()))
            })
            .max_by_key(|v| v.split_once('.').and_then(|(_, minor)| minor.parse::<u32>().ok()))
            .copied()
    }
}

/// The lifecycle entry of a Lambda runtime, if the registry data knows it.
pub fn runtime(name: &str) -> Option<&'static RuntimeLifecycle> {
    LAMBDA_RUNTIMES.iter().find(|r| r.name == name)
}
