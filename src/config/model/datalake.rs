//! The S3 data lake, Glue ETL and Athena (§7).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `datalake` stack: bucket `matbakh-data-lake-<env>`, Glue database and ETL job,
/// Athena workgroup.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataLake {
    /// Days after which objects under `archive/` move to Glacier Flexible Retrieval.
    pub archive_to_glacier_days: u32,
    /// Days old object versions are kept after being overwritten or deleted.
    pub noncurrent_version_expiration_days: u32,
    pub etl: Etl,
    pub athena: Athena,
}

/// The RDS-to-S3 Glue job of §7.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Etl {
    /// Local path of the job script; uploaded as an asset to the bucket's `scripts/` prefix.
    pub script: String,
    /// AWS Glue version, e.g. `4.0`.
    pub glue_version: String,
    /// `G.1X`, `G.2X`, …
    pub worker_type: String,
    #[schemars(range(min = 2, max = 299))]
    pub number_of_workers: u32,
    /// Schedule as a Glue cron expression, e.g. `cron(0 2 * * ? *)`; omit to run on demand.
    #[serde(default)]
    pub schedule: Option<String>,
    /// Minutes before a run is stopped.
    #[schemars(range(min = 1, max = 2880))]
    pub timeout_minutes: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Athena {
    /// Cancel queries that would scan more than this many bytes (cost guard).
    pub bytes_scanned_cutoff_per_query: u64,
    /// Days query results are kept under `athena-results/`.
    pub results_expiration_days: u32,
}
