//! `AWS::Glue::*`: the Data Catalog database and its tables, a JDBC connection, an ETL
//! job and its trigger.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::tag_map;
use crate::cfn::{Resource, Str};

/// `Ref` returns the database name.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Database {
    /// The account id: the account's own Data Catalog.
    pub catalog_id: Str,
    pub database_input: DatabaseInput,
}
impl Resource for Database {
    const TYPE: &'static str = "AWS::Glue::Database";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DatabaseInput {
    /// Lowercase letters, digits and `_` (Athena cannot query names with `-`).
    pub name: String,
    pub description: String,
}

/// `Ref` returns the table name. A table over files in S3 (Athena reads it).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Table {
    pub catalog_id: Str,
    /// The database's name (a `Ref` of it orders the table after the database).
    pub database_name: Str,
    pub table_input: TableInput,
}
impl Resource for Table {
    const TYPE: &'static str = "AWS::Glue::Table";
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TableType {
    /// Data stays where it is; dropping the table leaves the files.
    ExternalTable,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableInput {
    /// Lowercase letters, digits and `_`.
    pub name: String,
    pub description: String,
    pub table_type: TableType,
    /// Table properties, e.g. Athena's partition projection (`projection.*`,
    /// `storage.location.template`) and `classification`.
    pub parameters: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partition_keys: Vec<Column>,
    pub storage_descriptor: StorageDescriptor,
}

/// A column and its Hive type (`string`, `int`, `timestamp`, `double`, ...).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Column {
    pub name: String,
    #[serde(rename = "Type")]
    pub column_type: String,
}

impl Column {
    pub fn new(name: &str, column_type: &str) -> Self {
        Column { name: name.to_owned(), column_type: column_type.to_owned() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StorageDescriptor {
    pub columns: Vec<Column>,
    /// `s3://bucket/prefix/` of the table's files.
    pub location: String,
    pub input_format: &'static str,
    pub output_format: &'static str,
    pub serde_info: SerdeInfo,
    /// Whether the files are compressed (Parquet with Snappy: true).
    pub compressed: bool,
}

impl StorageDescriptor {
    /// Parquet files under `location`, read and written by Hive's Parquet SerDe.
    pub fn parquet(location: String, columns: Vec<Column>) -> Self {
        StorageDescriptor {
            columns,
            location,
            input_format: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            output_format: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            serde_info: SerdeInfo {
                serialization_library: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            },
            compressed: true,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SerdeInfo {
    pub serialization_library: &'static str,
}

/// `Ref` returns the connection name.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Connection {
    pub catalog_id: Str,
    pub connection_input: ConnectionInput,
}
impl Resource for Connection {
    const TYPE: &'static str = "AWS::Glue::Connection";
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum ConnectionType {
    Jdbc,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionInput {
    pub name: String,
    pub description: String,
    pub connection_type: ConnectionType,
    /// e.g. `JDBC_CONNECTION_URL`, `SECRET_ID` (credentials come from the secret, never
    /// from `USERNAME`/`PASSWORD` properties), `JDBC_ENFORCE_SSL`.
    pub connection_properties: BTreeMap<&'static str, Str>,
    pub physical_connection_requirements: PhysicalConnectionRequirements,
}

/// Where Glue puts the network interfaces of a job that uses the connection.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PhysicalConnectionRequirements {
    pub subnet_id: Str,
    /// Must be the subnet's zone.
    pub availability_zone: Str,
    pub security_group_id_list: Vec<Str>,
}

/// `Ref` returns the job name.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Job {
    pub name: String,
    pub description: String,
    /// ARN (or name) of the role the job runs as.
    pub role: Str,
    pub command: JobCommand,
    pub glue_version: String,
    pub worker_type: String,
    pub number_of_workers: u32,
    /// Minutes.
    pub timeout: u32,
    pub max_retries: u32,
    pub execution_property: ExecutionProperty,
    /// `--NAME` → value; the script reads them with `getResolvedOptions`.
    pub default_arguments: BTreeMap<String, Str>,
    pub connections: ConnectionsList,
    pub tags: BTreeMap<String, Str>,
}
impl Resource for Job {
    const TYPE: &'static str = "AWS::Glue::Job";
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CommandName {
    /// A Spark ETL job.
    Glueetl,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobCommand {
    pub name: CommandName,
    /// `3`
    pub python_version: &'static str,
    /// `s3://bucket/key` of the script.
    pub script_location: Str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutionProperty {
    pub max_concurrent_runs: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionsList {
    /// Connection names.
    pub connections: Vec<Str>,
}

/// When a trigger fires; only a scheduled trigger has a schedule.
#[derive(Serialize)]
#[serde(tag = "Type")]
pub enum TriggerKind {
    #[serde(rename = "SCHEDULED")]
    Scheduled {
        /// `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, in UTC.
        #[serde(rename = "Schedule")]
        schedule: String,
        /// A scheduled trigger is created deactivated unless this is set.
        #[serde(rename = "StartOnCreation")]
        start_on_creation: bool,
    },
    #[serde(rename = "ON_DEMAND")]
    OnDemand,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Trigger {
    pub name: String,
    pub description: String,
    #[serde(flatten)]
    pub kind: TriggerKind,
    pub actions: Vec<TriggerAction>,
    pub tags: BTreeMap<String, Str>,
}
impl Resource for Trigger {
    const TYPE: &'static str = "AWS::Glue::Trigger";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TriggerAction {
    pub job_name: Str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scheduled_triggers_carry_type_schedule_and_start_on_creation() {
        let trigger = Trigger {
            name: "t".into(),
            description: "d".into(),
            kind: TriggerKind::Scheduled { schedule: "cron(0 2 * * ? *)".into(), start_on_creation: true },
            actions: vec![TriggerAction { job_name: Str::lit("job") }],
            tags: BTreeMap::new(),
        };
        let v = serde_json::to_value(trigger).unwrap();
        assert_eq!(v["Type"], "SCHEDULED");
        assert_eq!(v["Schedule"], "cron(0 2 * * ? *)");
        assert_eq!(v["StartOnCreation"], true);
        assert_eq!(v["Actions"], json!([{"JobName": "job"}]));
    }

    #[test]
    fn tags_become_an_object() {
        let tags = super::super::tags([("b", Str::lit("2")), ("a", Str::lit("1"))]);
        assert_eq!(serde_json::to_value(tag_map(tags)).unwrap(), json!({"a": "1", "b": "2"}));
    }
}
