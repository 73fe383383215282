//! WAFv2 (§9).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `edge` stack: the regional web ACL in front of the API stage.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Requests one IP may send in 5 minutes before it is blocked (10-2000000000).
    #[schemars(range(min = 10, max = 2000000000))]
    pub rate_limit_per_ip: u64,
    /// ISO 3166 alpha-2 country codes to block, e.g. `CN`.
    pub blocked_countries: Vec<String>,
    /// Days WAF logs are kept.
    pub log_retention_days: u32,
}
