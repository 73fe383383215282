//! The S3 data lake, Glue ETL and Athena (§7).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::*;

/// The `datalake` stack: bucket `matbakh-data-lake-<env>`, Glue database and ETL job,
/// Athena workgroup.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataLake {
    /// Days after which objects under `archive/` move to Glacier Flexible Retrieval.
    #[schemars(range(min = 1), extend("examples" = [90]))]
    pub archive_to_glacier_days: u32,
    /// Days old object versions are kept after being overwritten or deleted.
    #[schemars(range(min = 1), extend("examples" = [30]))]
    pub noncurrent_version_expiration_days: u32,
    /// The Glue job that copies the database to the lake.
    pub etl: Etl,
    /// The Athena workgroup that queries the lake.
    pub athena: Athena,
    /// Years the curated tables' partition projection covers (§7: 2024-2030); Athena
    /// finds no rows in years outside it.
    #[serde(default)]
    pub partition_years: PartitionYears,
    /// A QuickSight data source on the Athena workgroup (§1 Analytics). Needs a QuickSight
    /// subscription of the account; off unless enabled.
    #[serde(default)]
    pub quicksight: QuickSight,
}

/// The QuickSight data source `matbakh-<env>-athena`: queries run in the environment's
/// workgroup as a role of the stack that reads `curated/` only.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuickSight {
    /// Whether the environment has the data source (the account must subscribe to
    /// QuickSight first).
    #[serde(default)]
    pub enabled: bool,
    /// ARN of the QuickSight group (or user) that may build datasets on the data source;
    /// required when enabled.
    #[serde(default)]
    #[schemars(
        regex(pattern = QUICKSIGHT_PRINCIPAL_ARN.pattern),
        extend("examples" = ["arn:aws:quicksight:eu-central-1:123456789012:group/default/analysts"])
    )]
    pub principal_arn: Option<String>,
}

/// A range of years, both included.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartitionYears {
    /// The first year with data.
    #[schemars(range(min = 1970, max = 9999), extend("examples" = [2024]))]
    pub first: u32,
    /// The last year queries may ask for; raise it before that year ends.
    #[schemars(range(min = 1970, max = 9999), extend("examples" = [2030]))]
    pub last: u32,
}

impl Default for PartitionYears {
    /// The design's `projection.year.range` `2024,2030`.
    fn default() -> Self {
        PartitionYears { first: 2024, last: 2030 }
    }
}

/// The RDS-to-S3 Glue job of §7.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Etl {
    /// Path of the job's Python script, relative to the repository root; uploaded as an
    /// asset to the bucket's `scripts/` prefix.
    #[schemars(extend("examples" = ["examples/glue/rds_to_s3.py"]))]
    pub script: String,
    /// AWS Glue version, quoted (e.g. "4.0").
    #[schemars(extend("enum" = GLUE_VERSIONS))]
    pub glue_version: String,
    /// Glue worker type: `G.1X` (4 vCPU, 16 GB), `G.2X`, `G.4X`, `G.8X` run the Spark
    /// job; `G.025X` (streaming only) and `Z.2X` (Ray only) do not.
    #[schemars(extend("enum" = GLUE_WORKER_TYPES))]
    pub worker_type: String,
    /// Workers a run gets (2-299).
    #[schemars(range(min = 2, max = 299), extend("examples" = [2, 10]))]
    pub number_of_workers: u32,
    /// Schedule as a Glue cron expression, e.g. `cron(0 2 * * ? *)`; omit to run on demand.
    #[serde(default)]
    #[schemars(regex(pattern = GLUE_CRON.pattern), extend("examples" = ["cron(0 2 * * ? *)"]))]
    pub schedule: Option<String>,
    /// Minutes before a run is stopped.
    #[schemars(range(min = 1, max = 2880), extend("examples" = [120]))]
    pub timeout_minutes: u32,
}

/// The Athena workgroup of the lake.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Athena {
    /// Cancel queries that would scan more than this many bytes (cost guard; Athena's
    /// minimum is 10 MB).
    #[schemars(range(min = 10_000_000), extend("examples" = [10_737_418_240_u64]))]
    pub bytes_scanned_cutoff_per_query: u64,
    /// Days query results are kept under `athena-results/`.
    #[schemars(range(min = 1), extend("examples" = [30]))]
    pub results_expiration_days: u32,
}
