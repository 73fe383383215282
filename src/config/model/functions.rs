//! The application Lambdas (§5) and the Cognito triggers (§3).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `app` stack: every Lambda function of the platform.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Functions {
    /// Node.js runtime of every function (arm64), e.g. `nodejs22.x`.
    #[schemars(regex(pattern = r"^nodejs\d+\.x$"))]
    pub runtime: String,
    /// Days function logs are kept (a value CloudWatch Logs accepts, e.g. 14, 30, 90, 365).
    pub log_retention_days: u32,
    /// Verified SES identity (domain or address) the welcome mail is sent from.
    pub ses_identity: String,
    /// Sender address of the welcome mail, in `ses_identity`.
    pub email_from: String,
    /// Bedrock foundation models `vc-bedrock-run` may invoke.
    #[serde(default)]
    pub bedrock_model_ids: Vec<String>,
    /// Shared layers (§5), each a folder with `nodejs/` inside.
    #[serde(default)]
    pub layers: Vec<Layer>,
    pub definitions: Vec<Function>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// Layer name, e.g. `shared-utils`; published as `matbakh-<env>-<name>`.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{0,39}$"))]
    pub name: String,
    pub description: String,
    /// Folder of the layer's content, relative to the repository root.
    pub path: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Function name, e.g. `vc-start`; deployed as `matbakh-<env>-<name>`.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{0,39}$"))]
    pub name: String,
    pub description: String,
    /// What runs it; decides the timeout: `api` 30 s, `background` 15 min, `trigger` 5 s
    /// (Cognito waits at most 5 s for a trigger).
    pub kind: FunctionKind,
    /// Folder of the function's code, relative to the repository root.
    pub code: String,
    /// `file.export`, e.g. `index.handler`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_./-]+\.[A-Za-z_$][A-Za-z0-9_$]*$"))]
    pub handler: String,
    /// Memory in MB (128-10240).
    #[schemars(range(min = 128, max = 10240))]
    pub memory_mb: u32,
    /// Plain settings; connection settings are added from the `uses` list, never written here.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Concurrent executions reserved for this function.
    #[serde(default)]
    pub reserved_concurrency: Option<u32>,
    /// Pre-initialised environments on the `live` alias.
    #[serde(default)]
    pub provisioned_concurrency: Option<u32>,
    /// Names of `functions.layers` this function uses.
    #[serde(default)]
    pub layers: Vec<String>,
    /// What the function talks to; each grants exactly the permissions it needs and sets
    /// the connection settings as environment variables.
    #[serde(default)]
    pub uses: Vec<Capability>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FunctionKind {
    Api,
    Background,
    Trigger,
}

impl FunctionKind {
    pub fn timeout_seconds(self) -> u32 {
        match self {
            FunctionKind::Api => 30,
            FunctionKind::Background => 900,
            FunctionKind::Trigger => 5,
        }
    }
}

/// A resource a function uses.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// The PostgreSQL primary and replicas: endpoints, and read access to `rds-credentials`.
    Database,
    /// The Redis cluster: endpoint, and read access to `redis-auth-token`.
    Cache,
    /// Read access to `external-api-keys` (Google, Facebook).
    ExternalApiKeys,
    /// The Cognito user pool id (published by the `auth` stack as an SSM parameter).
    UserPool,
    /// Sending mail through SES from `functions.email_from`.
    Email,
    /// Invoking the Bedrock models of `functions.bedrock_model_ids`.
    Bedrock,
}
