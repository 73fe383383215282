//! RDS: DB instances (with their replica links) and DB parameter groups.

use aws_sdk_rds::Client;
use aws_sdk_rds::types::DbInstance;
use serde_json::{Map, Value};

use super::{LiveProperties, LiveState, present_or_absent, put, strings};
use crate::aws::AwsError;

pub async fn read_instance(client: &Client, id: &str) -> Result<LiveState, AwsError> {
    let result = client
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("DescribeDBInstances", e));
    match result {
        Ok(out) => Ok(out.db_instances().first().map_or(LiveState::Absent, |i| LiveState::Present(instance(i)))),
        Err(e) => present_or_absent(Err(e)),
    }
}

/// The user-set parameters of a DB parameter group, as `Parameters`.
pub async fn read_parameter_group(client: &Client, name: &str) -> Result<LiveState, AwsError> {
    let mut params = Map::new();
    let mut marker: Option<String> = None;
    loop {
        let result = client
            .describe_db_parameters()
            .db_parameter_group_name(name)
            .source("user")
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeDBParameters", e));
        let out = match result {
            Ok(out) => out,
            Err(e) => return present_or_absent(Err(e)),
        };
        for p in out.parameters() {
            if let (Some(k), Some(v)) = (p.parameter_name(), p.parameter_value()) {
                params.insert(k.to_owned(), Value::String(v.to_owned()));
            }
        }
        marker = out.marker().map(str::to_owned);
        if marker.is_none() {
            let mut m = Map::new();
            m.insert("Parameters".into(), Value::Object(params));
            return Ok(LiveState::Present(m));
        }
    }
}

pub fn instance(i: &DbInstance) -> LiveProperties {
    let mut m = Map::new();
    put(&mut m, "DBInstanceClass", i.db_instance_class());
    put(&mut m, "Engine", i.engine());
    put(&mut m, "EngineVersion", i.engine_version());
    put(&mut m, "DBName", i.db_name());
    put(&mut m, "MultiAZ", i.multi_az());
    put(&mut m, "AllocatedStorage", i.allocated_storage());
    put(&mut m, "MaxAllocatedStorage", i.max_allocated_storage());
    put(&mut m, "StorageType", i.storage_type());
    put(&mut m, "Iops", i.iops());
    put(&mut m, "StorageThroughput", i.storage_throughput());
    put(&mut m, "BackupRetentionPeriod", i.backup_retention_period());
    put(&mut m, "PreferredBackupWindow", i.preferred_backup_window());
    put(&mut m, "PreferredMaintenanceWindow", i.preferred_maintenance_window());
    put(&mut m, "StorageEncrypted", i.storage_encrypted());
    put(&mut m, "KmsKeyId", i.kms_key_id());
    put(&mut m, "DeletionProtection", i.deletion_protection());
    put(&mut m, "PubliclyAccessible", i.publicly_accessible());
    put(&mut m, "EnablePerformanceInsights", i.performance_insights_enabled());
    put(&mut m, "PerformanceInsightsRetentionPeriod", i.performance_insights_retention_period());
    put(&mut m, "MonitoringInterval", i.monitoring_interval());
    put(&mut m, "MonitoringRoleArn", i.monitoring_role_arn());
    put(&mut m, "AutoMinorVersionUpgrade", i.auto_minor_version_upgrade());
    put(&mut m, "CopyTagsToSnapshot", i.copy_tags_to_snapshot());
    put(&mut m, "CACertificateIdentifier", i.ca_certificate_identifier());
    if !i.multi_az().unwrap_or(false) {
        put(&mut m, "AvailabilityZone", i.availability_zone());
    }
    put(&mut m, "DBParameterGroupName", i.db_parameter_groups().first().and_then(|g| g.db_parameter_group_name()));
    put(&mut m, "DBSubnetGroupName", i.db_subnet_group().and_then(|g| g.db_subnet_group_name()));
    m.insert(
        "VPCSecurityGroups".into(),
        strings(i.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id())),
    );
    m.insert(
        "EnableCloudwatchLogsExports".into(),
        strings(i.enabled_cloudwatch_logs_exports().iter().map(String::as_str)),
    );
    // A replica names its source; the source lists its replicas.
    m.insert(
        "SourceDBInstanceIdentifier".into(),
        i.read_replica_source_db_instance_identifier().map_or(Value::Null, |s| Value::String(s.to_owned())),
    );
    m.insert("ReadReplicas".into(), strings(i.read_replica_db_instance_identifiers().iter().map(String::as_str)));
    // As the template declares them; a role RDS cannot assume (status not ACTIVE) is left
    // out, so drift reports it missing.
    let roles = i.associated_roles().iter().filter(|r| r.status() == Some("ACTIVE")).map(|r| {
        let mut role = Map::new();
        put(&mut role, "RoleArn", r.role_arn());
        put(&mut role, "FeatureName", r.feature_name());
        Value::Object(role)
    });
    m.insert("AssociatedRoles".into(), Value::Array(roles.collect()));
    m
}
