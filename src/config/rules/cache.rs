//! ElastiCache Redis of §6: engine version, shards and replicas, windows.

use super::Sections;
use super::windows::DAYS;
use super::{at, check_daily, check_weekly};
use crate::config::Finding;

pub use crate::config::model::values::REDIS_VERSIONS;

/// ElastiCache shards (node groups) per cluster-mode replication group.
const MAX_SHARDS: u32 = 500;
/// Read replicas per shard.
const MAX_REPLICAS: u32 = 5;
/// Nodes per cluster-mode replication group (primaries and replicas together).
const MAX_NODES: u64 = 500;
/// ElastiCache snapshot and maintenance windows must each be at least 60 minutes.
const MIN_WINDOW_MINUTES: u32 = 60;

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let Some(cache) = &s.cache else {
        return;
    };
    if !REDIS_VERSIONS.contains(&cache.engine_version.as_str()) {
        out.push(Finding::error(
            at("cache.engine_version"),
            format!(
                "Redis {} is not one of the ElastiCache Redis OSS versions the platform supports ({}); use {}",
                cache.engine_version,
                REDIS_VERSIONS.join(", "),
                REDIS_VERSIONS[0]
            ),
        ));
    }

    let shards_ok = (1..=MAX_SHARDS).contains(&cache.shards);
    if !shards_ok {
        out.push(Finding::error(
            at("cache.shards"),
            format!("{} shards is outside what ElastiCache allows; use 1-{MAX_SHARDS}", cache.shards),
        ));
    }
    let replicas_ok = cache.replicas_per_shard <= MAX_REPLICAS;
    if !replicas_ok {
        out.push(Finding::error(
            at("cache.replicas_per_shard"),
            format!(
                "{} replicas per shard is more than ElastiCache allows; use 0-{MAX_REPLICAS}",
                cache.replicas_per_shard
            ),
        ));
    }
    let nodes = u64::from(cache.shards) * (u64::from(cache.replicas_per_shard) + 1);
    if shards_ok && replicas_ok && nodes > MAX_NODES {
        out.push(Finding::error(
            at("cache.shards"),
            format!(
                "{} shards × {} nodes each is {nodes} nodes; an ElastiCache cluster holds at most {MAX_NODES}, so use \
                 at most {} shards with {} replicas",
                cache.shards,
                cache.replicas_per_shard + 1,
                MAX_NODES / (u64::from(cache.replicas_per_shard) + 1),
                cache.replicas_per_shard
            ),
        ));
    }
    if cache.multi_az && cache.replicas_per_shard == 0 {
        out.push(Finding::error(
            at("cache.multi_az"),
            "multi_az needs a replica to fail over to, but replicas_per_shard is 0; set replicas_per_shard to 1-5 or \
             turn multi_az off",
        ));
    }

    let snapshot = check_daily(
        &cache.snapshot_window,
        "cache.snapshot_window",
        "snapshot",
        MIN_WINDOW_MINUTES,
        "ElastiCache",
        out,
    );
    let maintenance =
        check_weekly(&cache.maintenance_window, "cache.maintenance_window", MIN_WINDOW_MINUTES, "ElastiCache", out);
    if let (Some(snapshot), Some(maintenance)) = (snapshot, maintenance)
        && let Some(day) = snapshot.first_overlap(maintenance)
    {
        out.push(Finding::error(
            at("cache.snapshot_window"),
            format!(
                "snapshot window {} overlaps the maintenance window {} (on {}); ElastiCache requires them apart, so \
                 pick a daily snapshot window that never meets the weekly maintenance window",
                cache.snapshot_window, cache.maintenance_window, DAYS[day as usize]
            ),
        ));
    }
}
