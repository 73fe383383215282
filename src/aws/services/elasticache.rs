//! ElastiCache: the Redis replication group (shards, replicas, node type, encryption,
//! AUTH, snapshots), its first member cluster for what only clusters report (engine
//! version, security groups, parameter group: write-only for CloudFormation's own drift
//! detection), and cache parameter groups' user-set values.

use aws_sdk_elasticache::Client;
use aws_sdk_elasticache::types::{AutomaticFailoverStatus, CacheCluster, MultiAzStatus, ReplicationGroup};
use serde_json::{Map, Value, json};

use super::{LiveProperties, LiveState, UNREAD, present_or_absent, put, strings};
use crate::aws::AwsError;

pub async fn read_replication_group(client: &Client, id: &str) -> Result<LiveState, AwsError> {
    let result = client
        .describe_replication_groups()
        .replication_group_id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("DescribeReplicationGroups", e));
    let group = match result {
        Ok(out) => match out.replication_groups().first() {
            Some(g) => g.clone(),
            None => return Ok(LiveState::Absent),
        },
        Err(e) => return present_or_absent(Err(e)),
    };
    let mut props = replication_group(&group);
    if let Some(member) = group.member_clusters().first() {
        // The group was read: a member cluster that cannot be read leaves only its own
        // properties unread, with why.
        match client
            .describe_cache_clusters()
            .cache_cluster_id(member)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeCacheClusters", e))
        {
            Ok(clusters) => {
                if let Some(c) = clusters.cache_clusters().first() {
                    props.extend(member_cluster(c));
                }
            }
            Err(e) => {
                let why = format!("member cluster {member} unreadable: {e}");
                let unread: Map<String, Value> =
                    MEMBER_CLUSTER_PROPERTIES.iter().map(|p| ((*p).to_owned(), Value::String(why.clone()))).collect();
                props.insert(UNREAD.into(), Value::Object(unread));
            }
        }
    }
    Ok(LiveState::Present(props))
}

/// User-set parameter values of a cache parameter group, as `Properties`.
pub async fn read_parameter_group(client: &Client, name: &str) -> Result<LiveState, AwsError> {
    let mut values = Map::new();
    let mut marker: Option<String> = None;
    loop {
        let result = client
            .describe_cache_parameters()
            .cache_parameter_group_name(name)
            .source("user")
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeCacheParameters", e));
        let out = match result {
            Ok(out) => out,
            Err(e) => return present_or_absent(Err(e)),
        };
        for p in out.parameters() {
            if let (Some(k), Some(v)) = (p.parameter_name(), p.parameter_value()) {
                values.insert(k.to_owned(), Value::String(v.to_owned()));
            }
        }
        marker = out.marker().map(str::to_owned);
        if marker.is_none() {
            let mut m = Map::new();
            m.insert("Properties".into(), Value::Object(values));
            return Ok(LiveState::Present(m));
        }
    }
}

pub fn replication_group(g: &ReplicationGroup) -> LiveProperties {
    let mut m = Map::new();
    put(&mut m, "ReplicationGroupDescription", g.description());
    put(&mut m, "CacheNodeType", g.cache_node_type());
    put(&mut m, "Engine", g.engine());
    let groups = g.node_groups();
    m.insert("NumNodeGroups".into(), json!(groups.len()));
    if let Some(first) = groups.first() {
        m.insert("ReplicasPerNodeGroup".into(), json!(first.node_group_members().len().saturating_sub(1)));
    }
    put(&mut m, "AtRestEncryptionEnabled", g.at_rest_encryption_enabled());
    put(&mut m, "TransitEncryptionEnabled", g.transit_encryption_enabled());
    put(&mut m, "AuthTokenEnabled", g.auth_token_enabled());
    put(&mut m, "SnapshotRetentionLimit", g.snapshot_retention_limit());
    put(&mut m, "SnapshotWindow", g.snapshot_window());
    put(&mut m, "KmsKeyId", g.kms_key_id());
    put(&mut m, "AutoMinorVersionUpgrade", g.auto_minor_version_upgrade());
    put(&mut m, "MultiAZEnabled", g.multi_az().map(|s| *s == MultiAzStatus::Enabled));
    put(
        &mut m,
        "AutomaticFailoverEnabled",
        g.automatic_failover()
            .map(|s| matches!(s, AutomaticFailoverStatus::Enabled | AutomaticFailoverStatus::Enabling)),
    );
    put(&mut m, "ClusterMode", g.cluster_mode().map(|c| c.as_str().to_ascii_lowercase()));
    if g.cluster_mode().is_none() {
        put(&mut m, "ClusterMode", g.cluster_enabled().map(|e| if e { "enabled" } else { "disabled" }));
    }
    m
}

/// The properties only a member cluster reports.
pub const MEMBER_CLUSTER_PROPERTIES: [&str; 5] = [
    "EngineVersion",
    "PreferredMaintenanceWindow",
    "CacheParameterGroupName",
    "CacheSubnetGroupName",
    "SecurityGroupIds",
];

/// What a member cluster adds: properties the replication group does not report.
pub fn member_cluster(c: &CacheCluster) -> LiveProperties {
    let mut m = Map::new();
    put(&mut m, "EngineVersion", c.engine_version());
    put(&mut m, "PreferredMaintenanceWindow", c.preferred_maintenance_window());
    put(&mut m, "CacheParameterGroupName", c.cache_parameter_group().and_then(|p| p.cache_parameter_group_name()));
    put(&mut m, "CacheSubnetGroupName", c.cache_subnet_group_name());
    if !c.security_groups().is_empty() {
        m.insert("SecurityGroupIds".into(), strings(c.security_groups().iter().filter_map(|s| s.security_group_id())));
    }
    m
}
