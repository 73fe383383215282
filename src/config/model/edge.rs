//! WAFv2 (§9).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::*;

/// The `edge` stack: the regional web ACL in front of the API stage.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Requests one IP may send in 5 minutes before it is blocked (10-2000000000).
    #[schemars(range(min = 10, max = 2000000000), extend("examples" = [2000]))]
    pub rate_limit_per_ip: u64,
    /// ISO 3166 alpha-2 country codes to block, e.g. `CN`; at least one, each once.
    #[schemars(length(min = 1), inner(regex(pattern = COUNTRY_CODE.pattern)))]
    #[schemars(extend("uniqueItems" = true, "examples" = [["CN", "RU", "KP"]]))]
    pub blocked_countries: Vec<String>,
    /// Days WAF logs are kept; a value CloudWatch Logs accepts.
    #[schemars(extend("enum" = LOG_RETENTION_DAYS, "examples" = [30]))]
    pub log_retention_days: u32,
}
