//! `AWS::ElastiCache::*`: the Redis replication group (cluster mode) and its groups.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Tag;
use crate::attributes;
use crate::cfn::{List, Resource, Str};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetGroup {
    pub description: String,
    pub subnet_ids: List,
    pub tags: Vec<Tag>,
}
impl Resource for SubnetGroup {
    const TYPE: &'static str = "AWS::ElastiCache::SubnetGroup";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParameterGroup {
    /// e.g. `redis7`
    pub cache_parameter_group_family: String,
    pub description: String,
    /// Parameter name → value; ElastiCache takes every value as a string.
    pub properties: BTreeMap<String, String>,
    pub tags: Vec<Tag>,
}
impl Resource for ParameterGroup {
    const TYPE: &'static str = "AWS::ElastiCache::ParameterGroup";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicationGroup {
    pub replication_group_id: String,
    pub replication_group_description: String,
    pub engine: &'static str,
    pub engine_version: String,
    pub cache_node_type: String,
    /// `enabled`: data is sharded over node groups.
    pub cluster_mode: &'static str,
    pub num_node_groups: u32,
    pub replicas_per_node_group: u32,
    pub automatic_failover_enabled: bool,
    #[serde(rename = "MultiAZEnabled")]
    pub multi_az_enabled: bool,
    pub at_rest_encryption_enabled: bool,
    pub transit_encryption_enabled: bool,
    /// A `{{resolve:secretsmanager:…}}` dynamic reference, never a value.
    pub auth_token: Str,
    pub cache_parameter_group_name: Str,
    pub cache_subnet_group_name: Str,
    pub security_group_ids: Vec<Str>,
    pub port: u16,
    pub snapshot_retention_limit: u32,
    pub snapshot_window: String,
    pub preferred_maintenance_window: String,
    pub auto_minor_version_upgrade: bool,
    pub tags: Vec<Tag>,
}
impl Resource for ReplicationGroup {
    const TYPE: &'static str = "AWS::ElastiCache::ReplicationGroup";
}
attributes!(ReplicationGroup {
    configuration_endpoint_address => "ConfigurationEndPoint.Address",
    configuration_endpoint_port => "ConfigurationEndPoint.Port",
});
