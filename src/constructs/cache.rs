//! The `cache` stack (§6): Redis with cluster mode enabled, encrypted at rest and in
//! transit, AUTH token from Secrets Manager, in the private subnets behind Redis-SG.

use std::collections::BTreeMap;

use crate::cfn::resources::elasticache::{ParameterGroup, ReplicationGroup, SubnetGroup};
use crate::cfn::resources::secretsmanager::resolve_secret_key;
use crate::cfn::{DeletionPolicy, Export, ResourceOptions, Stack};

use super::context::Context;
use super::network::NetworkExports;
use super::security::SecurityExports;

/// What other stacks import from `cache`.
pub struct CacheExports {
    pub endpoint_address: Export,
    pub endpoint_port: Export,
}

pub fn build(ctx: &Context, network: &NetworkExports, security: &SecurityExports) -> (Stack, CacheExports) {
    let env = ctx.env;
    let cache = &env.cache;
    let mut stack = Stack::new(
        "cache",
        ctx.stack_name("cache"),
        format!("matbakh {}: ElastiCache Redis, cluster mode enabled (design section 6)", env.name),
    );
    let subnet_ids = stack.import_list(&network.private_subnet_ids);
    let redis_sg = stack.import(&network.redis_sg);
    let token_arn = stack.import(&security.redis_auth_token_arn);
    let t = &mut stack.template;

    let subnet_group = t.add(
        "CacheSubnetGroup",
        SubnetGroup { description: format!("matbakh {} Redis subnets", env.name), subnet_ids, tags: ctx.tags("redis") },
    );
    let major = cache.engine_version.split('.').next().unwrap_or_default();
    let p = &cache.parameters;
    let properties = BTreeMap::from([
        ("cluster-enabled".to_owned(), "yes".to_owned()),
        ("maxmemory-policy".to_owned(), p.maxmemory_policy.as_str().to_owned()),
        ("tcp-keepalive".to_owned(), p.tcp_keepalive_seconds.to_string()),
        ("timeout".to_owned(), p.timeout_seconds.to_string()),
    ]);
    let parameter_group = t.add(
        "RedisParameters",
        ParameterGroup {
            cache_parameter_group_family: format!("redis{major}"),
            description: format!("matbakh {} Redis {major}, cluster mode", env.name),
            properties,
            tags: ctx.tags("redis"),
        },
    );
    let group = t.add_with(
        "RedisCluster",
        ReplicationGroup {
            replication_group_id: ctx.name("redis"),
            replication_group_description: format!("matbakh {} cache and sessions", env.name),
            engine: "redis",
            engine_version: cache.engine_version.clone(),
            cache_node_type: cache.node_type.clone(),
            cluster_mode: "enabled",
            num_node_groups: cache.shards,
            replicas_per_node_group: cache.replicas_per_shard,
            // Cluster mode enabled requires automatic failover; Multi-AZ is the choice.
            automatic_failover_enabled: true,
            multi_az_enabled: cache.multi_az,
            at_rest_encryption_enabled: true,
            transit_encryption_enabled: true,
            auth_token: resolve_secret_key(token_arn, "token"),
            cache_parameter_group_name: parameter_group.r#ref(),
            cache_subnet_group_name: subnet_group.r#ref(),
            security_group_ids: vec![redis_sg],
            port: cache.port,
            snapshot_retention_limit: cache.snapshot_retention_days,
            snapshot_window: cache.snapshot_window.clone(),
            preferred_maintenance_window: cache.maintenance_window.clone(),
            auto_minor_version_upgrade: true,
            tags: ctx.tags("redis"),
        },
        ResourceOptions::keep(DeletionPolicy::Snapshot),
    );

    let exports = CacheExports {
        endpoint_address: stack.export(
            "RedisConfigurationEndpointAddress",
            "Configuration endpoint of the Redis cluster",
            group.configuration_endpoint_address(),
        ),
        endpoint_port: stack.export("RedisPort", "Port of the Redis cluster", group.configuration_endpoint_port()),
    };
    (stack, exports)
}
