//! `AWS::RDS::*`: the PostgreSQL instances, their subnet and parameter groups.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Tag, is_false};
use crate::attributes;
use crate::cfn::{List, Resource, Str};

#[derive(Serialize)]
pub struct DbSubnetGroup {
    #[serde(rename = "DBSubnetGroupDescription")]
    pub description: String,
    #[serde(rename = "SubnetIds")]
    pub subnet_ids: List,
    #[serde(rename = "Tags")]
    pub tags: Vec<Tag>,
}
impl Resource for DbSubnetGroup {
    const TYPE: &'static str = "AWS::RDS::DBSubnetGroup";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DbParameterGroup {
    pub description: String,
    /// e.g. `postgres15`
    pub family: String,
    pub parameters: BTreeMap<String, String>,
    pub tags: Vec<Tag>,
}
impl Resource for DbParameterGroup {
    const TYPE: &'static str = "AWS::RDS::DBParameterGroup";
}

/// Storage of a primary instance (replicas inherit storage from their source).
#[derive(Serialize)]
pub struct Storage {
    /// The registry types `AllocatedStorage` as a string (GiB).
    #[serde(rename = "AllocatedStorage")]
    pub allocated_gib: String,
    #[serde(rename = "MaxAllocatedStorage")]
    pub max_allocated_gib: u32,
    #[serde(rename = "StorageType")]
    pub storage_type: &'static str,
    #[serde(rename = "Iops", skip_serializing_if = "Option::is_none")]
    pub iops: Option<u32>,
    #[serde(rename = "StorageThroughput", skip_serializing_if = "Option::is_none")]
    pub throughput_mibps: Option<u32>,
    #[serde(rename = "StorageEncrypted")]
    pub encrypted: bool,
}

/// The master user. Its password is generated, stored and rotated by RDS in a secret of
/// its own (`ManageMasterUserPassword`), encrypted with `secret_kms_key_id`: there is no
/// field for a password, so none can reach a template.
pub struct ManagedMaster {
    pub username: String,
    pub secret_kms_key_id: Str,
}

impl Serialize for ManagedMaster {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("MasterUsername", &self.username)?;
        map.serialize_entry("ManageMasterUserPassword", &true)?;
        map.serialize_entry("MasterUserSecret", &serde_json::json!({ "KmsKeyId": self.secret_kms_key_id }))?;
        map.end()
    }
}

/// What only the primary has: its database, credentials, backups and storage.
#[derive(Serialize)]
pub struct Primary {
    #[serde(rename = "DBName")]
    pub db_name: String,
    #[serde(flatten)]
    pub master: ManagedMaster,
    #[serde(rename = "DBSubnetGroupName")]
    pub db_subnet_group_name: Str,
    #[serde(rename = "BackupRetentionPeriod")]
    pub backup_retention_days: u32,
    #[serde(rename = "PreferredBackupWindow")]
    pub backup_window: String,
    #[serde(rename = "MultiAZ")]
    pub multi_az: bool,
    #[serde(flatten)]
    pub storage: Storage,
    #[serde(rename = "KmsKeyId")]
    pub kms_key_id: Str,
    #[serde(rename = "Port")]
    pub port: String,
    /// Roles RDS assumes for a feature of the engine (one role per feature).
    #[serde(rename = "AssociatedRoles", skip_serializing_if = "Vec::is_empty")]
    pub associated_roles: Vec<AssociatedRole>,
}

/// A role associated with an instance for one engine feature, e.g. `Lambda` (the
/// `aws_lambda` extension of RDS for PostgreSQL invokes functions with it).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociatedRole {
    pub role_arn: Str,
    pub feature_name: &'static str,
}

/// A primary instance or a read replica of one; the role decides which properties exist.
#[derive(Serialize)]
pub enum Role {
    #[serde(rename = "SourceDBInstanceIdentifier")]
    ReplicaOf(Str),
    #[serde(untagged)]
    Primary(Box<Primary>),
}

#[derive(Serialize)]
pub struct DbInstance {
    #[serde(rename = "DBInstanceIdentifier")]
    pub identifier: String,
    #[serde(rename = "DBInstanceClass")]
    pub instance_class: String,
    #[serde(rename = "Engine")]
    pub engine: &'static str,
    #[serde(rename = "EngineVersion")]
    pub engine_version: String,
    #[serde(flatten)]
    pub role: Role,
    #[serde(rename = "AvailabilityZone", skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<Str>,
    #[serde(rename = "DBParameterGroupName")]
    pub db_parameter_group_name: Str,
    /// On replicas too: without it a replica gets the VPC's default group, which the
    /// functions' and Glue's security groups cannot reach.
    #[serde(rename = "VPCSecurityGroups")]
    pub vpc_security_groups: Vec<Str>,
    #[serde(rename = "PreferredMaintenanceWindow")]
    pub maintenance_window: String,
    #[serde(rename = "MonitoringInterval")]
    pub monitoring_interval: u32,
    #[serde(rename = "MonitoringRoleArn", skip_serializing_if = "Option::is_none")]
    pub monitoring_role_arn: Option<Str>,
    #[serde(rename = "EnablePerformanceInsights")]
    pub enable_performance_insights: bool,
    #[serde(rename = "PerformanceInsightsKMSKeyId", skip_serializing_if = "Option::is_none")]
    pub performance_insights_kms_key_id: Option<Str>,
    #[serde(rename = "PerformanceInsightsRetentionPeriod", skip_serializing_if = "Option::is_none")]
    pub performance_insights_retention_days: Option<u32>,
    #[serde(rename = "EnableCloudwatchLogsExports")]
    pub cloudwatch_logs_exports: Vec<&'static str>,
    #[serde(rename = "DeletionProtection")]
    pub deletion_protection: bool,
    #[serde(rename = "PubliclyAccessible")]
    pub publicly_accessible: bool,
    #[serde(rename = "AutoMinorVersionUpgrade")]
    pub auto_minor_version_upgrade: bool,
    #[serde(rename = "CopyTagsToSnapshot")]
    pub copy_tags_to_snapshot: bool,
    #[serde(rename = "EnableIAMDatabaseAuthentication", skip_serializing_if = "is_false")]
    pub iam_database_authentication: bool,
    #[serde(rename = "Tags")]
    pub tags: Vec<Tag>,
}
impl Resource for DbInstance {
    const TYPE: &'static str = "AWS::RDS::DBInstance";
}
attributes!(DbInstance {
    endpoint_address => "Endpoint.Address",
    endpoint_port => "Endpoint.Port",
    arn => "DBInstanceArn",
    resource_id => "DbiResourceId",
});
