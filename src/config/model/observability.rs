//! CloudWatch dashboard, alarms and SNS alerting (§8).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::*;

/// The `observability` stack.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Observability {
    /// Thresholds of the alarms.
    pub alarms: Alarms,
    /// Subscribers of the `alerts-critical` topic, the alarms' actions.
    pub critical: CriticalSubscribers,
    /// Subscribers of the `alerts-warning` topic.
    pub warning: WarningSubscribers,
}

/// Thresholds of the four alarms of §8.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Alarms {
    /// HighAPILatency: average API latency in ms over 2 × 5 minutes.
    #[schemars(range(min = 1), extend("examples" = [1000]))]
    pub api_latency_ms: u32,
    /// HighErrorRate: 5XX responses in percent over 2 × 5 minutes (1-100).
    #[schemars(range(min = 1, max = 100), extend("examples" = [5]))]
    pub api_5xx_percent: u32,
    /// DatabaseConnections: average connections over 3 × 5 minutes.
    #[schemars(range(min = 1), extend("examples" = [80]))]
    pub database_connections: u32,
    /// LambdaErrors: errors summed over 2 × 5 minutes.
    #[schemars(range(min = 1), extend("examples" = [10]))]
    pub lambda_errors: u32,
    /// Function the LambdaErrors alarm watches (§8: `vc-start`), one of
    /// `functions.definitions`.
    #[schemars(extend("examples" = ["vc-start"]))]
    pub lambda_errors_function: String,
    /// ReplicaLag: seconds a read replica may trail the primary (average over 2 × 5
    /// minutes) before the critical topic is told; one alarm per replica (§2: target
    /// under 1 s, alert above 5 s).
    #[serde(default = "default_replica_lag_seconds")]
    #[schemars(range(min = 1, max = 3600), extend("examples" = [5]))]
    pub replica_lag_seconds: u32,
}

fn default_replica_lag_seconds() -> u32 {
    5
}

/// Who is told about critical alerts.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CriticalSubscribers {
    /// Email addresses subscribed to the topic (each confirms the subscription once).
    #[serde(default)]
    #[schemars(extend("examples" = [["oncall@matbakh.app"]]))]
    pub emails: Vec<String>,
    /// E.164 phone numbers, e.g. `+49123456789`.
    #[serde(default)]
    #[schemars(inner(regex(pattern = E164_PHONE.pattern)), extend("examples" = [["+49123456789"]]))]
    pub sms: Vec<String>,
    /// Names of Secrets Manager secrets holding an HTTPS webhook URL under the key `url`
    /// (a webhook URL is a credential, so it never goes in YAML).
    #[serde(default)]
    #[schemars(extend("examples" = [["matbakh-prod/alerts-slack-webhook"]]))]
    pub https_secret_names: Vec<String>,
}

/// Who is told about warnings.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WarningSubscribers {
    /// Email addresses subscribed to the topic (each confirms the subscription once).
    #[serde(default)]
    #[schemars(extend("examples" = [["dev-team@matbakh.app"]]))]
    pub emails: Vec<String>,
}
