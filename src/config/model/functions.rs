//! The application Lambdas (§5) and the Cognito triggers (§3).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::*;

/// The `app` stack: every Lambda function of the platform.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Functions {
    /// Node.js runtime of every function (arm64), e.g. `nodejs22.x`; deprecated
    /// runtimes get a warning from `validate`.
    #[schemars(transform = node_runtime_enum)]
    pub runtime: String,
    /// Days function logs are kept (a value CloudWatch Logs accepts, e.g. 14, 30, 90, 365).
    #[schemars(extend("enum" = LOG_RETENTION_DAYS, "examples" = [14]))]
    pub log_retention_days: u32,
    /// Verified SES identity (domain or address) the welcome mail is sent from.
    #[schemars(extend("examples" = ["matbakh.app"]))]
    pub ses_identity: String,
    /// Sender address of the welcome mail, in `ses_identity`.
    #[schemars(extend("examples" = ["welcome@matbakh.app"]))]
    pub email_from: String,
    /// Bedrock foundation models `vc-bedrock-run` may invoke.
    #[serde(default)]
    #[schemars(extend("examples" = [["anthropic.claude-3-5-sonnet-20240620-v1:0"]]))]
    pub bedrock_model_ids: Vec<String>,
    /// Shared layers (§5), each a folder with `nodejs/` inside.
    #[serde(default)]
    pub layers: Vec<Layer>,
    /// Every Lambda function of the platform.
    pub definitions: Vec<Function>,
}

/// A Lambda layer shared by functions.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// Layer name, e.g. `shared-utils`; published as `matbakh-<env>-<name>`.
    #[schemars(regex(pattern = RESOURCE_NAME.pattern), extend("examples" = ["shared-utils"]))]
    pub name: String,
    /// What the layer holds (the layer version's description).
    #[schemars(length(max = 256), extend("examples" = ["PostgreSQL and Redis clients"]))]
    pub description: String,
    /// Folder of the layer's content, relative to the repository root.
    #[schemars(extend("examples" = ["examples/layers/shared-utils"]))]
    pub path: String,
}

/// One Lambda function.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Function name, e.g. `vc-start`; deployed as `matbakh-<env>-<name>`.
    #[schemars(regex(pattern = RESOURCE_NAME.pattern), extend("examples" = ["vc-start"]))]
    pub name: String,
    /// What the function does (the function's description in Lambda, at most 256 characters).
    #[schemars(length(max = 256), extend("examples" = ["Starts a visibility check (POST /vc/start)"]))]
    pub description: String,
    /// What runs it; decides the timeout: `api` 30 s, `background` 15 min, `trigger` 5 s
    /// (Cognito waits at most 5 s for a trigger).
    pub kind: FunctionKind,
    /// Folder of the function's code, relative to the repository root.
    #[schemars(extend("examples" = ["examples/functions/vc-start"]))]
    pub code: String,
    /// `file.export`, e.g. `index.handler`.
    #[schemars(regex(pattern = HANDLER.pattern), extend("examples" = ["index.handler"]))]
    pub handler: String,
    /// Memory in MB (128-10240); CPU is allocated in proportion.
    #[schemars(range(min = 128, max = 10240), extend("examples" = [1024, 256]))]
    pub memory_mb: u32,
    /// Plain settings; connection settings are added from the `uses` list, never written here.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Concurrent executions reserved for this function; omit to share the account's
    /// unreserved pool.
    #[serde(default)]
    #[schemars(extend("examples" = [5]))]
    pub reserved_concurrency: Option<u32>,
    /// Pre-initialised environments on the `live` alias; omit for none.
    #[serde(default)]
    #[schemars(extend("examples" = [2]))]
    pub provisioned_concurrency: Option<u32>,
    /// Names of `functions.layers` this function uses (at most 5).
    #[serde(default)]
    #[schemars(length(max = 5), extend("examples" = [["shared-utils", "database-client"]]))]
    pub layers: Vec<String>,
    /// What the function talks to; each grants exactly the permissions it needs and sets
    /// the connection settings as environment variables.
    #[serde(default)]
    pub uses: Vec<Capability>,
}

/// What invokes a function.
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
    /// Signing users in on their behalf (§4 `/auth/*`): the ids of the user pool and of its
    /// server-side `api` app client (SSM parameters of the `auth` stack), and
    /// `cognito-idp:AdminInitiateAuth` on exactly that pool (granted by the `auth` stack).
    SignIn,
    /// Sending mail through SES from `functions.email_from`.
    Email,
    /// Invoking the Bedrock models of `functions.bedrock_model_ids`.
    Bedrock,
    /// Archiving external API responses (§7 `raw/external-apis/`): the data lake bucket's
    /// name, and `s3:PutObject` on that prefix only (granted by the `datalake` stack).
    ExternalApiArchive,
    /// Setting up the database as its master user (`database.bootstrap`): the endpoint, the
    /// master secret RDS manages and the roles' secrets, and the migrations layer. Only the
    /// function `database.bootstrap.function` may use it.
    DatabaseBootstrap,
}
