//! The data lake of §7: lifecycle days, the Glue job (version, workers, script,
//! schedule) and the Athena cost guard.

use super::Sections;
use super::at;
use crate::config::Finding;

/// Glue versions the platform deploys (0.9, 1.0 and 2.0 are out of support).
pub const GLUE_VERSIONS: [&str; 3] = ["3.0", "4.0", "5.0"];
/// Glue worker types the platform knows.
pub const WORKER_TYPES: [&str; 6] = ["G.025X", "G.1X", "G.2X", "G.4X", "G.8X", "Z.2X"];
/// The worker types that cannot run the ETL job, a Spark batch (`glueetl`) job, and
/// the job kind they are for.
const NOT_FOR_SPARK_BATCH: [(&str, &str); 2] = [("G.025X", "streaming"), ("Z.2X", "Ray")];
/// Athena's smallest `BytesScannedCutoffPerQuery` (10 MB).
const MIN_BYTES_SCANNED_CUTOFF: u64 = 10_000_000;

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let Some(lake) = &s.datalake else {
        return;
    };
    for (field, days) in [
        ("archive_to_glacier_days", lake.archive_to_glacier_days),
        ("noncurrent_version_expiration_days", lake.noncurrent_version_expiration_days),
        ("athena.results_expiration_days", lake.athena.results_expiration_days),
    ] {
        if days == 0 {
            out.push(Finding::error(
                at(&format!("datalake.{field}")),
                "S3 lifecycle rules count whole days from 1; use at least 1",
            ));
        }
    }

    let etl = &lake.etl;
    if !GLUE_VERSIONS.contains(&etl.glue_version.as_str()) {
        out.push(Finding::error(
            at("datalake.etl.glue_version"),
            format!("Glue {} is not supported; use one of {}", etl.glue_version, GLUE_VERSIONS.join(", ")),
        ));
    }
    if !WORKER_TYPES.contains(&etl.worker_type.as_str()) {
        out.push(Finding::error(
            at("datalake.etl.worker_type"),
            format!("{} is not a Glue worker type; use one of {}", etl.worker_type, WORKER_TYPES.join(", ")),
        ));
    } else if let Some((_, kind)) = NOT_FOR_SPARK_BATCH.iter().find(|(w, _)| *w == etl.worker_type) {
        out.push(Finding::error(
            at("datalake.etl.worker_type"),
            format!(
                "{} workers run only {kind} jobs, and the ETL job is a Spark batch job; use G.1X (or G.2X, G.4X, G.8X \
                 for more memory per worker)",
                etl.worker_type
            ),
        ));
    }

    // Rules have no file access: the asset packager reports a missing file; here only
    // the form is checked.
    let script = &etl.script;
    if script.starts_with('/') || script.starts_with('\\') || script.get(1..2) == Some(":") {
        out.push(Finding::error(
            at("datalake.etl.script"),
            format!("{script} is an absolute path; write it relative to the repository root, e.g. examples/glue/rds_to_s3.py"),
        ));
    } else if !script.ends_with(".py") {
        out.push(Finding::error(
            at("datalake.etl.script"),
            format!("{script} is not a Python file; the Glue job runs a .py script"),
        ));
    }

    if let Some(schedule) = &etl.schedule
        && let Err(problem) = check_cron(schedule)
    {
        out.push(Finding::error(
            at("datalake.etl.schedule"),
            format!(
                "{schedule:?} is not a Glue schedule: {problem}; write cron(Minutes Hours Day-of-month Month \
                 Day-of-week Year) in UTC, e.g. cron(0 2 * * ? *)"
            ),
        ));
    }

    if lake.athena.bytes_scanned_cutoff_per_query < MIN_BYTES_SCANNED_CUTOFF {
        out.push(Finding::error(
            at("datalake.athena.bytes_scanned_cutoff_per_query"),
            format!(
                "Athena's smallest per-query cutoff is {MIN_BYTES_SCANNED_CUTOFF} bytes (10 MB), not {}",
                lake.athena.bytes_scanned_cutoff_per_query
            ),
        ));
    }
}

/// `cron(…)` with six fields, one of day-of-month and day-of-week `?` (Glue, like
/// EventBridge, refuses both or neither).
fn check_cron(schedule: &str) -> Result<(), String> {
    let inner = schedule
        .strip_prefix("cron(")
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| "it is not wrapped in cron(...)".to_owned())?;
    let fields: Vec<&str> = inner.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(format!("it has {} fields instead of 6", fields.len()));
    }
    match (fields[2] == "?", fields[4] == "?") {
        (true, false) | (false, true) => Ok(()),
        _ => Err("exactly one of day-of-month (3rd field) and day-of-week (5th field) must be ?".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Environment;
    use crate::config::rules::test_support::{assert_error, findings};

    fn with(edit: impl FnOnce(&mut Environment)) -> Vec<Finding> {
        findings(check, edit)
    }

    #[test]
    fn prod_is_clean() {
        assert_eq!(with(|_| {}), []);
    }

    #[test]
    fn lifecycle_days_start_at_one() {
        assert_error(
            &with(|e| e.datalake.archive_to_glacier_days = 0),
            "datalake.archive_to_glacier_days",
            &["at least 1"],
        );
        assert_error(
            &with(|e| e.datalake.noncurrent_version_expiration_days = 0),
            "datalake.noncurrent_version_expiration_days",
            &[],
        );
        assert_error(
            &with(|e| e.datalake.athena.results_expiration_days = 0),
            "datalake.athena.results_expiration_days",
            &[],
        );
        assert_eq!(with(|e| e.datalake.archive_to_glacier_days = 1), []);
    }

    #[test]
    fn glue_versions_and_worker_types_are_known() {
        assert_error(
            &with(|e| e.datalake.etl.glue_version = "2.0".into()),
            "datalake.etl.glue_version",
            &["3.0, 4.0, 5.0"],
        );
        for version in GLUE_VERSIONS {
            assert_eq!(with(|e| e.datalake.etl.glue_version = version.into()), []);
        }
        assert_error(&with(|e| e.datalake.etl.worker_type = "G.3X".into()), "datalake.etl.worker_type", &["G.1X"]);
        for worker in ["G.1X", "G.2X", "G.4X", "G.8X"] {
            assert_eq!(with(|e| e.datalake.etl.worker_type = worker.into()), []);
        }
    }

    #[test]
    fn streaming_and_ray_workers_cannot_run_the_spark_job() {
        assert_error(
            &with(|e| e.datalake.etl.worker_type = "G.025X".into()),
            "datalake.etl.worker_type",
            &["streaming"],
        );
        assert_error(&with(|e| e.datalake.etl.worker_type = "Z.2X".into()), "datalake.etl.worker_type", &["Ray"]);
    }

    #[test]
    fn the_script_is_a_relative_python_file() {
        assert_error(&with(|e| e.datalake.etl.script = "/abs/job.py".into()), "datalake.etl.script", &["relative"]);
        assert_error(&with(|e| e.datalake.etl.script = "C:\\job.py".into()), "datalake.etl.script", &["relative"]);
        assert_error(
            &with(|e| e.datalake.etl.script = "examples/glue/job.scala".into()),
            "datalake.etl.script",
            &[".py"],
        );
    }

    #[test]
    fn schedules_are_six_field_crons() {
        for (bad, why) in [
            ("0 2 * * ? *", "cron(...)"),
            ("rate(1 day)", "cron(...)"),
            ("cron(0 2 * * ?)", "5 fields"),
            ("cron(0 2 * * * *)", "must be ?"),
            ("cron(0 2 ? * ? *)", "must be ?"),
        ] {
            assert_error(&with(|e| e.datalake.etl.schedule = Some(bad.into())), "datalake.etl.schedule", &[why]);
        }
        assert_eq!(with(|e| e.datalake.etl.schedule = Some("cron(15 3 ? * MON-FRI *)".into())), []);
        assert_eq!(with(|e| e.datalake.etl.schedule = None), []);
    }

    #[test]
    fn athena_cutoff_is_at_least_10_mb() {
        assert_error(
            &with(|e| e.datalake.athena.bytes_scanned_cutoff_per_query = 9_999_999),
            "datalake.athena.bytes_scanned_cutoff_per_query",
            &["10 MB"],
        );
    }
}
