//! `AWS::Glue::*`: the Data Catalog database, a JDBC connection, an ETL job and its trigger.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Tag;
use crate::cfn::{Resource, Str};

/// Glue takes tags as a `{key: value}` object, not the usual list of `Key`/`Value` pairs.
pub fn tag_map(tags: Vec<Tag>) -> BTreeMap<String, Str> {
    tags.into_iter().map(|t| (t.key, t.value)).collect()
}

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
