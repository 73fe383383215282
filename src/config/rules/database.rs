//! RDS PostgreSQL of §2: engine version, placement, storage, windows, monitoring and
//! read replicas.

use super::Sections;
use super::windows::DAYS;
use super::{at, check_daily, check_weekly, distinct_zone_count, env_zones, is_env_zone};
use crate::cfn::registry::POSTGRES_ENGINE_VERSIONS as POSTGRES;
use crate::config::Finding;
use crate::config::model::{Capability, Database, DatabaseStorage, Functions, PreloadLibrary};

/// The oldest PostgreSQL major with `pg_cron` on RDS.
const PG_CRON_MIN_MAJOR: u32 = 12;

/// RDS backup and maintenance windows must each be at least 30 minutes long
/// (`PreferredBackupWindow`, `PreferredMaintenanceWindow` of `AWS::RDS::DBInstance`).
const MIN_WINDOW_MINUTES: u32 = 30;

use crate::config::model::values::{MONITORING_INTERVALS, is_insights_retention};

/// gp3 storage on RDS for PostgreSQL, from the Amazon RDS User Guide, "Amazon RDS DB
/// instance storage", section "gp3 storage"
/// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage;
/// awsdocs/amazon-rds-user-guide, doc_source/CHAP_Storage.md):
///
/// | Storage size     | Baseline                | Provisioned IOPS | Provisioned throughput |
/// |------------------|-------------------------|------------------|------------------------|
/// | below 400 GiB    | 3,000 IOPS / 125 MiBps  | N/A              | N/A                    |
/// | 400 GiB and more | 12,000 IOPS / 500 MiBps | 12,000-64,000    | 500-4,000 MiBps        |
///
/// plus: "The maximum ratio of storage throughput to IOPS is 0.25 for all supported DB
/// engines", and the IOPS-to-storage ratio may be at most 500 (also against the
/// autoscaling maximum) — never binding here, since 64,000 IOPS / 500 < 400 GiB.
mod gp3 {
    pub const STRIPING_THRESHOLD_GIB: u32 = 400;
    pub const SMALL_BASELINE: &str = "3000 IOPS / 125 MiB/s";
    pub const IOPS_MIN: u32 = 12_000;
    pub const IOPS_MAX: u32 = 64_000;
    pub const THROUGHPUT_MIN: u32 = 500;
    pub const THROUGHPUT_MAX: u32 = 4_000;
    /// At most 0.25 MiB/s of throughput per provisioned IOPS: throughput * 4 <= iops.
    pub const IOPS_PER_MIBPS: u64 = 4;
}

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let (Some(db), Some(zones)) = (&s.database, &s.availability_zones) else {
        return;
    };
    check_engine_version(db, out);
    check_placement(db, zones, out);
    check_storage(&db.storage, out);
    check_windows(db, out);
    check_monitoring(db, out);
    check_preload_libraries(db, out);
    check_read_replicas(db, zones, out);
    // Which functions exist is known only when `functions` is valid.
    if let Some(functions) = &s.functions {
        check_cache_invalidator(db, functions, out);
        check_bootstrap(db, functions, out);
    }
}

/// The major of a version string: `15` of `15.4`.
fn major_of(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

/// Majors with a supported plain minor, oldest first, each with its latest minor.
fn supported_majors() -> Vec<(u32, &'static str)> {
    let mut majors: Vec<u32> = POSTGRES.known.iter().filter_map(|v| major_of(v).parse().ok()).collect();
    majors.sort_unstable();
    majors.dedup();
    majors
        .into_iter()
        .filter_map(|m| POSTGRES.latest_supported_minor(&m.to_string()).map(|latest| (m, latest)))
        .collect()
}

/// "the supported majors are 12, 13, ..., 18 (newest: 18.6)".
fn supported_majors_text() -> String {
    let majors = supported_majors();
    match majors.last() {
        Some((_, newest)) => format!(
            "the supported majors are {} (newest: {newest})",
            majors.iter().map(|(m, _)| m.to_string()).collect::<Vec<_>>().join(", ")
        ),
        None => "the registry data lists no supported PostgreSQL version".to_owned(),
    }
}

fn check_engine_version(db: &Database, out: &mut Vec<Finding>) {
    let version = db.engine_version.as_str();
    let major = major_of(version);
    let path = at("database.engine_version");
    if !POSTGRES.is_known(version) {
        let message = match POSTGRES.latest_supported_minor(major) {
            Some(latest) => format!(
                "PostgreSQL {version} is not a version RDS offers; use {latest}, the latest supported {major} minor"
            ),
            None => format!("PostgreSQL {version} is not a version RDS offers; {}", supported_majors_text()),
        };
        out.push(Finding::error(path, message));
    } else if POSTGRES.is_deprecated(version) {
        let message = match POSTGRES.latest_supported_minor(major) {
            Some(latest) => {
                format!("PostgreSQL {version} is deprecated; use {latest}, the latest supported {major} minor")
            }
            None => format!(
                "PostgreSQL {version} is deprecated and major {major} has no supported minor left; upgrade: {}",
                supported_majors_text()
            ),
        };
        out.push(Finding::warning(path, message));
    }
}

fn check_placement(db: &Database, env_zone_list: &[String], out: &mut Vec<Finding>) {
    let zones = distinct_zone_count(env_zone_list);
    if db.multi_az && zones < 2 {
        out.push(Finding::error(
            at("database.multi_az"),
            format!(
                "multi_az needs at least 2 availability zones, the environment has {zones} ({}); add a zone or turn \
                 multi_az off",
                env_zones(env_zone_list)
            ),
        ));
    }
    if let Some(zone) = &db.availability_zone {
        let path = at("database.availability_zone");
        if db.multi_az {
            out.push(Finding::error(
                path,
                format!(
                    "availability_zone {zone} is set while multi_az is on; RDS chooses the zones of a Multi-AZ \
                     primary and its standby, so remove availability_zone (or turn multi_az off)"
                ),
            ));
        } else if !is_env_zone(env_zone_list, zone) {
            out.push(Finding::error(
                path,
                format!(
                    "{zone} is not one of the environment's availability_zones ({}); use one of them",
                    env_zones(env_zone_list)
                ),
            ));
        }
    }
}

fn check_storage(storage: &DatabaseStorage, out: &mut Vec<Finding>) {
    let allocated = storage.allocated_gib;
    let max = storage.max_allocated_gib;
    // RDS: "You must set the maximum storage threshold to at least 10% more than the
    // current allocated storage" (User Guide, "Managing capacity automatically with
    // Amazon RDS storage autoscaling"); the stacks always set MaxAllocatedStorage.
    let min_max = (u64::from(allocated) * 11).div_ceil(10);
    if u64::from(max) < min_max {
        let what = if max < allocated { "is below" } else { "is less than 10% above" };
        out.push(Finding::error(
            at("database.storage.max_allocated_gib"),
            format!(
                "max_allocated_gib {max} {what} allocated_gib {allocated}; RDS storage autoscaling needs the maximum \
                 at least 10% above the allocated storage, so use at least {min_max}"
            ),
        ));
    }

    let iops_path = at("database.storage.iops");
    let throughput_path = at("database.storage.throughput_mibps");
    if allocated < gp3::STRIPING_THRESHOLD_GIB {
        for (set, path, what) in [
            (storage.iops.is_some(), iops_path, "iops"),
            (storage.throughput_mibps.is_some(), throughput_path, "throughput_mibps"),
        ] {
            if set {
                out.push(Finding::error(
                    path,
                    format!(
                        "{what} cannot be set on gp3 below {} GiB (allocated_gib is {allocated}): RDS PostgreSQL \
                         provides a fixed baseline of {}; remove {what}, or allocate at least {} GiB",
                        gp3::STRIPING_THRESHOLD_GIB,
                        gp3::SMALL_BASELINE,
                        gp3::STRIPING_THRESHOLD_GIB
                    ),
                ));
            }
        }
        return;
    }

    match (storage.iops, storage.throughput_mibps) {
        (None, None) => {}
        (Some(_), None) => out.push(Finding::error(
            iops_path,
            format!(
                "iops is set without throughput_mibps; set both ({}-{} MiB/s) or neither (baseline 12000 IOPS / 500 \
                 MiB/s)",
                gp3::THROUGHPUT_MIN,
                gp3::THROUGHPUT_MAX
            ),
        )),
        (None, Some(_)) => out.push(Finding::error(
            throughput_path,
            format!(
                "throughput_mibps is set without iops; set both ({}-{} IOPS) or neither (baseline 12000 IOPS / 500 \
                 MiB/s)",
                gp3::IOPS_MIN,
                gp3::IOPS_MAX
            ),
        )),
        (Some(iops), Some(throughput)) => {
            let iops_ok = (gp3::IOPS_MIN..=gp3::IOPS_MAX).contains(&iops);
            let throughput_ok = (gp3::THROUGHPUT_MIN..=gp3::THROUGHPUT_MAX).contains(&throughput);
            if !iops_ok {
                out.push(Finding::error(
                    iops_path,
                    format!(
                        "iops {iops} is outside the gp3 range for RDS PostgreSQL from {} GiB: {}-{}",
                        gp3::STRIPING_THRESHOLD_GIB,
                        gp3::IOPS_MIN,
                        gp3::IOPS_MAX
                    ),
                ));
            }
            if !throughput_ok {
                out.push(Finding::error(
                    throughput_path,
                    format!(
                        "throughput_mibps {throughput} is outside the gp3 range for RDS PostgreSQL from {} GiB: \
                         {}-{} MiB/s",
                        gp3::STRIPING_THRESHOLD_GIB,
                        gp3::THROUGHPUT_MIN,
                        gp3::THROUGHPUT_MAX
                    ),
                ));
            } else if iops_ok && u64::from(throughput) * gp3::IOPS_PER_MIBPS > u64::from(iops) {
                let min_iops = u64::from(throughput) * gp3::IOPS_PER_MIBPS;
                let max_throughput = u64::from(iops) / gp3::IOPS_PER_MIBPS;
                out.push(Finding::error(
                    throughput_path,
                    format!(
                        "throughput_mibps {throughput} over {iops} IOPS exceeds the gp3 limit of 0.25 MiB/s per IOPS; \
                         raise iops to at least {min_iops} or lower throughput_mibps to at most {max_throughput}"
                    ),
                ));
            }
        }
    }
}

fn check_windows(db: &Database, out: &mut Vec<Finding>) {
    let backup = check_daily(&db.backup.window, "database.backup.window", "backup", MIN_WINDOW_MINUTES, "RDS", out);
    let maintenance =
        check_weekly(&db.maintenance_window, "database.maintenance_window", MIN_WINDOW_MINUTES, "RDS", out);
    if let (Some(backup), Some(maintenance)) = (backup, maintenance)
        && let Some(day) = backup.first_overlap(maintenance)
    {
        out.push(Finding::error(
            at("database.backup.window"),
            format!(
                "backup window {} overlaps the maintenance window {} (on {}); RDS requires them apart, so pick a \
                 daily backup window that never meets the weekly maintenance window",
                db.backup.window, db.maintenance_window, DAYS[day as usize]
            ),
        ));
    }
}

fn check_monitoring(db: &Database, out: &mut Vec<Finding>) {
    let interval = db.monitoring.enhanced_monitoring_interval_seconds;
    if !MONITORING_INTERVALS.contains(&interval) {
        out.push(Finding::error(
            at("database.monitoring.enhanced_monitoring_interval_seconds"),
            format!(
                "enhanced monitoring interval {interval} s is not one RDS offers; use 0 (off), 1, 5, 10, 15, 30 or 60"
            ),
        ));
    }
    if let Some(days) = db.monitoring.performance_insights_retention_days
        && !is_insights_retention(days)
    {
        out.push(Finding::error(
            at("database.monitoring.performance_insights_retention_days"),
            format!(
                "Performance Insights cannot keep data {days} days; use 7 (free tier), a whole number of months \
                 (31 × 1-23, i.e. 31, 62, ... 713) or 731 (2 years)"
            ),
        ));
    }
}

fn check_preload_libraries(db: &Database, out: &mut Vec<Finding>) {
    let Ok(major) = major_of(&db.engine_version).parse::<u32>() else {
        return; // an unparsable version is reported by check_engine_version
    };
    if major >= PG_CRON_MIN_MAJOR {
        return;
    }
    for (i, library) in db.settings.preload_libraries.iter().enumerate() {
        if *library == PreloadLibrary::PgCron {
            out.push(Finding::error(
                at(&format!("database.settings.preload_libraries[{i}]")),
                format!(
                    "pg_cron needs PostgreSQL {PG_CRON_MIN_MAJOR} or later on RDS, engine_version is {}; upgrade \
                     the engine or remove pg_cron",
                    db.engine_version
                ),
            ));
        }
    }
}

fn check_read_replicas(db: &Database, zones: &[String], out: &mut Vec<Finding>) {
    for (i, replica) in db.read_replicas.iter().enumerate() {
        let base = format!("database.read_replicas[{i}]");
        if let Some(first) = db.read_replicas[..i].iter().position(|r| r.name == replica.name) {
            out.push(Finding::error(
                at(&format!("{base}.name")),
                format!(
                    "replica name {} is already used by read_replicas[{first}]; names become instance identifiers \
                     and must be unique",
                    replica.name
                ),
            ));
        }
        let zone_path = at(&format!("{base}.availability_zone"));
        if !is_env_zone(zones, &replica.availability_zone) {
            out.push(Finding::error(
                zone_path,
                format!(
                    "{} is not one of the environment's availability_zones ({}); use one of them",
                    replica.availability_zone,
                    env_zones(zones)
                ),
            ));
        } else if db.availability_zone.as_deref() == Some(replica.availability_zone.as_str()) {
            out.push(Finding::warning(
                zone_path,
                format!(
                    "replica {} is in {}, the primary's zone, so a zone outage takes both; place it in another zone",
                    replica.name, replica.availability_zone
                ),
            ));
        }
    }
}

/// `bootstrap.function` names a function using `database_bootstrap`, and no other
/// function uses it: the master credential is read by the bootstrap and nothing else.
fn check_bootstrap(db: &Database, functions: &Functions, out: &mut Vec<Finding>) {
    let wanted = db.bootstrap.as_ref().map(|b| b.function.as_str());
    for (i, f) in functions.definitions.iter().enumerate() {
        if Some(f.name.as_str()) != wanted
            && let Some(j) = f.uses.iter().position(|c| *c == Capability::DatabaseBootstrap)
        {
            out.push(Finding::error(
                at(&format!("functions.definitions[{i}].uses[{j}]")),
                format!(
                    "{} uses database_bootstrap, which reads the database's master credential; only \
                     database.bootstrap.function may (the application uses database, as matbakh_app)",
                    f.name
                ),
            ));
        }
    }
    let Some(name) = wanted else {
        return;
    };
    let path = at("database.bootstrap.function");
    match functions.definitions.iter().find(|f| f.name == name) {
        None => out.push(Finding::error(
            path,
            format!(
                "{name} is not a function in functions.definitions; define it (code: examples/functions/db-bootstrap, \
                 kind: background, uses: [database_bootstrap])"
            ),
        )),
        Some(f) if !f.uses.contains(&Capability::DatabaseBootstrap) => out.push(Finding::error(
            path,
            format!(
                "{name} does not use database_bootstrap, so it cannot reach the database as its master user; add it"
            ),
        )),
        Some(_) => {}
    }
}

/// `cache_invalidator` names a function of `functions.definitions` that uses the cache
/// (without `cache` it has neither the endpoint nor the auth token to delete keys with).
fn check_cache_invalidator(db: &Database, functions: &Functions, out: &mut Vec<Finding>) {
    let Some(name) = &db.cache_invalidator else {
        return;
    };
    let path = at("database.cache_invalidator");
    match functions.definitions.iter().find(|f| &f.name == name) {
        None => {
            let candidates: Vec<&str> = functions
                .definitions
                .iter()
                .filter(|f| f.uses.contains(&Capability::Cache))
                .map(|f| f.name.as_str())
                .collect();
            out.push(Finding::error(
                path,
                format!(
                    "{name} is not a function in functions.definitions; name a function that uses cache ({}), or \
                     define one (examples/functions/cache-invalidator)",
                    if candidates.is_empty() { "there is none yet".to_owned() } else { candidates.join(", ") }
                ),
            ));
        }
        Some(f) if !f.uses.contains(&Capability::Cache) => out.push(Finding::error(
            path,
            format!(
                "{name} does not use cache, so it cannot reach Redis to delete the stale keys; add cache to its uses \
                 or name another function"
            ),
        )),
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::config::Finding;
    use crate::config::model::Capability;
    use crate::config::rules::test_support::{self, assert_error};

    fn findings(edit: impl FnOnce(&mut crate::config::Environment)) -> Vec<Finding> {
        test_support::findings(check, edit)
    }

    #[test]
    fn the_bootstrap_is_the_only_function_with_the_master_credential() {
        assert!(!findings(|_| {}).iter().any(|f| f.message.contains("bootstrap")), "the fixture is fine");
        // db-bootstrap still uses it, now without being the bootstrap: refused too.
        let i = test_support::prod_env().functions.definitions.iter().position(|f| f.name == "db-bootstrap").unwrap();
        let found = findings(|e| e.database.bootstrap.as_mut().unwrap().function = "setup-db".into());
        test_support::assert_findings(
            &found,
            &[
                (
                    crate::config::Severity::Error,
                    &format!("functions.definitions[{i}].uses[0]"),
                    &["db-bootstrap uses database_bootstrap"],
                ),
                (crate::config::Severity::Error, "database.bootstrap.function", &["setup-db is not a function"]),
            ],
        );
        let found = findings(|e| e.functions.definitions[0].uses.push(Capability::DatabaseBootstrap));
        let name = &e_name(0);
        assert!(
            found.iter().any(|f| f
                .message
                .contains(&format!("{name} uses database_bootstrap, which reads the database's master"))),
            "{found:?}"
        );
        let found = findings(|e| {
            let f = e.functions.definitions.iter_mut().find(|f| f.name == "db-bootstrap").unwrap();
            f.uses = vec![Capability::Database];
        });
        assert_error(&found, "database.bootstrap.function", &["db-bootstrap does not use database_bootstrap"]);
    }

    fn e_name(i: usize) -> String {
        test_support::prod_env().functions.definitions[i].name.clone()
    }

    #[test]
    fn the_cache_invalidator_is_a_defined_function() {
        assert_eq!(findings(|_| {}), []);
        let found = findings(|e| e.database.cache_invalidator = Some("invalidate".into()));
        assert_error(
            &found,
            "database.cache_invalidator",
            &["invalidate is not a function", "uses cache (vc-start, vc-bedrock-run", "cache-invalidator)"],
        );
    }

    #[test]
    fn the_cache_invalidator_uses_the_cache() {
        let found = findings(|e| {
            let f = e.functions.definitions.iter_mut().find(|f| f.name == "cache-invalidator").unwrap();
            f.uses.retain(|c| *c != Capability::Cache);
        });
        assert_error(&found, "database.cache_invalidator", &["cache-invalidator does not use cache"]);
    }

    #[test]
    fn without_a_cache_invalidator_there_is_nothing_to_check() {
        let found = findings(|e| {
            e.database.cache_invalidator = None;
            e.functions.definitions.retain(|f| f.name != "cache-invalidator");
        });
        assert_eq!(found, []);
    }
}
