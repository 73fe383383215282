//! CloudWatch dashboard, alarms and SNS alerting (§8).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `observability` stack.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Observability {
    pub alarms: Alarms,
    /// `alerts-critical`: alarm actions.
    pub critical: CriticalSubscribers,
    /// `alerts-warning`.
    pub warning: WarningSubscribers,
}

/// Thresholds of the four alarms of §8.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Alarms {
    /// HighAPILatency: average API latency in ms over 2 × 5 minutes.
    pub api_latency_ms: u32,
    /// HighErrorRate: 5XX responses in percent over 2 × 5 minutes.
    pub api_5xx_percent: u32,
    /// DatabaseConnections: average connections over 3 × 5 minutes.
    pub database_connections: u32,
    /// LambdaErrors: errors summed over 2 × 5 minutes.
    pub lambda_errors: u32,
    /// Function the LambdaErrors alarm watches (§8: `vc-start`).
    pub lambda_errors_function: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CriticalSubscribers {
    #[serde(default)]
    pub emails: Vec<String>,
    /// E.164 phone numbers, e.g. `+49123456789`.
    #[serde(default)]
    pub sms: Vec<String>,
    /// Names of Secrets Manager secrets holding an HTTPS webhook URL under the key `url`
    /// (a webhook URL is a credential, so it never goes in YAML).
    #[serde(default)]
    pub https_secret_names: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WarningSubscribers {
    #[serde(default)]
    pub emails: Vec<String>,
}
