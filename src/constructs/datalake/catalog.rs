//! The Glue catalog tables over `curated/` (§7 "Athena Query Optimization"): Parquet.
//! The ETL tables are partitioned by `year=/month=/day=` with Athena partition
//! projection, so queries prune partitions without a crawler or `MSCK REPAIR TABLE`; the
//! aggregates are small and rewritten whole, so they are not partitioned.
//!
//! §7 lists more curated prefixes (`facts/fact_*`, `dimensions/dim_*`,
//! `aggregates/user_segments`) but names no columns for them, so they get no table: a
//! table with invented columns would answer queries wrongly once real data arrives.

use std::collections::BTreeMap;

use crate::cfn::resources::glue::{Column, StorageDescriptor, Table, TableInput, TableType};
use crate::cfn::{Handle, Pseudo, Str, Template};
use crate::config::model::PartitionYears;

/// A curated table: its name, prefix below `curated/`, what it holds and its columns.
struct Curated {
    id: &'static str,
    name: &'static str,
    prefix: &'static str,
    description: &'static str,
    columns: &'static [(&'static str, &'static str)],
    /// Partitioned by `year=/month=/day=` (projected), or all files under the prefix.
    partitioned: bool,
}

/// The design's two tables. `business_partners_curated` has the columns of its
/// `CREATE EXTERNAL TABLE` (what the ETL job writes); the design names no DDL for
/// `visibility_check_results_curated`, so it has the columns its queries use
/// (`business_id`, `created_date`) and §2's KPI view reads (`lead_id`, `overall_score`).
/// The aggregates have the columns of the design's queries that compute them: §2's
/// `mv_daily_kpis` and §7's `monthly_cohorts` step.
const TABLES: [Curated; 4] = [
    Curated {
        id: "BusinessPartnersCuratedTable",
        name: "business_partners_curated",
        prefix: "business_partners",
        description: "business_partners exported daily by the RDS-to-S3 Glue job",
        columns: &[
            ("business_id", "string"),
            ("user_id", "string"),
            ("business_name", "string"),
            ("status", "string"),
            ("created_date", "timestamp"),
            ("last_modified", "timestamp"),
        ],
        partitioned: true,
    },
    Curated {
        id: "VisibilityCheckResultsCuratedTable",
        name: "visibility_check_results_curated",
        prefix: "visibility_check_results",
        description: "Results of visibility checks by business",
        columns: &[
            ("lead_id", "string"),
            ("business_id", "string"),
            ("overall_score", "double"),
            ("created_date", "timestamp"),
        ],
        partitioned: true,
    },
    Curated {
        id: "DailyKpisTable",
        name: "daily_kpis",
        prefix: "aggregates/daily_kpis",
        description: "Leads, completed leads and average score per day (the columns of mv_daily_kpis)",
        columns: &[("date", "date"), ("total_leads", "bigint"), ("completed_leads", "bigint"), ("avg_score", "double")],
        partitioned: false,
    },
    Curated {
        id: "MonthlyCohortsTable",
        name: "monthly_cohorts",
        prefix: "aggregates/monthly_cohorts",
        description: "New businesses per signup month (the design's cohort query)",
        columns: &[("cohort_month", "timestamp"), ("new_businesses", "bigint")],
        partitioned: false,
    },
];

/// The partition keys, in path order, with the projection range of each.
const PARTITION_KEYS: [&str; 3] = ["year", "month", "day"];

/// Adds the tables to `database` (its `Ref`) over `s3://<bucket>/curated/`.
pub fn add(t: &mut Template, database: Str, bucket: &str, years: &PartitionYears) -> Vec<Handle<Table>> {
    TABLES
        .iter()
        .map(|table| {
            let location = format!("s3://{bucket}/curated/{}/", table.prefix);
            t.add(
                table.id,
                Table {
                    catalog_id: Pseudo::AccountId.into(),
                    database_name: database.clone(),
                    table_input: TableInput {
                        name: table.name.to_owned(),
                        description: table.description.to_owned(),
                        table_type: TableType::ExternalTable,
                        parameters: if table.partitioned { projection(&location, years) } else { parquet() },
                        partition_keys: if table.partitioned {
                            PARTITION_KEYS.iter().map(|k| Column::new(k, "int")).collect()
                        } else {
                            Vec::new()
                        },
                        storage_descriptor: StorageDescriptor::parquet(
                            location,
                            table.columns.iter().map(|(name, kind)| Column::new(name, kind)).collect(),
                        ),
                    },
                },
            )
        })
        .collect()
}

/// The design's TBLPROPERTIES: integer projections of year (the configured years),
/// month (1-12) and day (1-31), and where a partition's files are. Spark's partitionBy
/// writes `month=1`, not `month=01`, which is what an integer projection without
/// `digits` reads.
fn projection(location: &str, years: &PartitionYears) -> BTreeMap<String, String> {
    let mut p = parquet();
    let mut set = |k: &str, v: String| p.insert(k.to_owned(), v);
    set("projection.enabled", "true".into());
    for (key, range) in
        PARTITION_KEYS.iter().zip([format!("{},{}", years.first, years.last), "1,12".into(), "1,31".into()])
    {
        set(&format!("projection.{key}.type"), "integer".into());
        set(&format!("projection.{key}.range"), range);
    }
    set("storage.location.template", format!("{location}year=${{year}}/month=${{month}}/day=${{day}}/"));
    p
}

/// The properties of every table here: snappy-compressed Parquet, data outside the catalog.
fn parquet() -> BTreeMap<String, String> {
    BTreeMap::from(
        [("classification", "parquet"), ("parquet.compression", "SNAPPY"), ("EXTERNAL", "TRUE")]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
    )
}
