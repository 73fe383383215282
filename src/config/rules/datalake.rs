//! The data lake of §7: lifecycle days, the Glue job (version, workers, script,
//! schedule) and the Athena cost guard.

use super::Sections;
use super::at;
use crate::config::Finding;
use crate::config::model::values::{GLUE_VERSIONS, GLUE_WORKER_TYPES};

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
    if !GLUE_WORKER_TYPES.contains(&etl.worker_type.as_str()) {
        out.push(Finding::error(
            at("datalake.etl.worker_type"),
            format!("{} is not a Glue worker type; use one of {}", etl.worker_type, GLUE_WORKER_TYPES.join(", ")),
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

    let years = &lake.partition_years;
    if years.first > years.last {
        out.push(Finding::error(
            at("datalake.partition_years"),
            format!(
                "the partition years run from {} to {}, which is no year; make `first` at most `last`",
                years.first, years.last
            ),
        ));
    }

    let quicksight = &lake.quicksight;
    if quicksight.enabled && quicksight.principal_arn.is_none() {
        out.push(Finding::error(
            at("datalake.quicksight.principal_arn"),
            "the QuickSight data source must be shared with someone, or no one can use it; set principal_arn to the \
             ARN of the QuickSight group (or user) that builds the dashboards, e.g. \
             arn:aws:quicksight:eu-central-1:123456789012:group/default/analysts",
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

/// The six fields of an AWS cron expression: name, range, and the names a field accepts
/// in place of numbers (months JAN-DEC, days SUN-SAT as 1-7).
const CRON_FIELDS: [(&str, u32, u32, &[&str]); 6] = [
    ("minutes (1st field)", 0, 59, &[]),
    ("hours (2nd field)", 0, 23, &[]),
    ("day-of-month (3rd field)", 1, 31, &[]),
    ("month (4th field)", 1, 12, &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
    ("day-of-week (5th field)", 1, 7, &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ("year (6th field)", 1970, 2199, &[]),
];

/// `cron(…)` as AWS (Glue, EventBridge) reads it: six fields, each `*`, or a comma list
/// of values, ranges `a-b` and increments `a/n` or `*/n` within the field's range; `?` in
/// exactly one of day-of-month and day-of-week; `L`, `W` and `#` where AWS allows them.
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
        (true, false) | (false, true) => {}
        _ => return Err("exactly one of day-of-month (3rd field) and day-of-week (5th field) must be ?".to_owned()),
    }
    for (i, (field, (name, min, max, names))) in fields.iter().zip(CRON_FIELDS).enumerate() {
        if *field == "?" {
            continue;
        }
        check_cron_field(field, i, min, max, names).map_err(|problem| format!("{name} `{field}`: {problem}"))?;
    }
    Ok(())
}

/// One field (not `?`) of a cron expression; `index` is its position (0-5).
fn check_cron_field(field: &str, index: usize, min: u32, max: u32, names: &[&str]) -> Result<(), String> {
    let (day_of_month, day_of_week) = (index == 2, index == 4);
    // Day specials: `L` (last day), `15W` (nearest weekday), `5L` (last Friday), `6#3` (third Friday).
    if day_of_month && (field == "L" || field == "LW") {
        return Ok(());
    }
    if day_of_month && let Some(day) = field.strip_suffix('W') {
        return value(day, min, max, names).map(|_| ());
    }
    if day_of_week && let Some(day) = field.strip_suffix('L') {
        return value(day, min, max, names).map(|_| ());
    }
    if day_of_week && let Some((day, nth)) = field.split_once('#') {
        value(day, min, max, names)?;
        return match nth.parse::<u32>() {
            Ok(1..=5) => Ok(()),
            _ => Err(format!("`#{nth}` must name the 1st to 5th such day of the month")),
        };
    }
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (part, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n >= 1 => {}
                _ => return Err(format!("the increment `{step}` must be a positive whole number")),
            }
        }
        if range == "*" {
            continue;
        }
        match range.split_once('-') {
            Some((from, to)) => {
                value(from, min, max, names)?;
                value(to, min, max, names)?;
            }
            None => {
                value(range, min, max, names)?;
            }
        }
    }
    Ok(())
}

/// A number in `min..=max`, or one of `names` (1-based from `min`).
fn value(text: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, String> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        return Ok(min + i as u32);
    }
    let allowed = if names.is_empty() {
        format!("{min}-{max}")
    } else {
        format!("{min}-{max} or {}-{}", names[0], names[names.len() - 1])
    };
    match text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(n) => Err(format!("{n} is out of range; allowed: {allowed}")),
        Err(_) => {
            Err(format!("`{text}` is not a value; allowed: {allowed}, `*`, ranges a-b, lists a,b and increments a/n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Environment;
    use crate::config::model::{PartitionYears, QuickSight};
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
        for bad in ["cron(0 25 * * ? *)", "cron(60 2 * * ? *)", "cron(0 2 32 * ? *)", "cron(0 2 * 13 ? *)"] {
            assert_error(
                &with(|e| e.datalake.etl.schedule = Some(bad.into())),
                "datalake.etl.schedule",
                &["out of range"],
            );
        }
        let found = with(|e| e.datalake.etl.schedule = Some("cron(0 25 * * ? *)".into()));
        assert!(found[0].message.contains("hours (2nd field) `25`: 25 is out of range; allowed: 0-23"), "{found:?}");
        assert_error(
            &with(|e| e.datalake.etl.schedule = Some("cron(0 2 ? * FUNDAY *)".into())),
            "datalake.etl.schedule",
            &["day-of-week (5th field)", "SUN-SAT"],
        );
        assert_error(
            &with(|e| e.datalake.etl.schedule = Some("cron(0/0 2 * * ? *)".into())),
            "datalake.etl.schedule",
            &["increment"],
        );
        for good in [
            "cron(0 2 * * ? *)",
            "cron(0/15 0-23 L * ? 2026-2030)",
            "cron(0 8 ? * 6#3 *)",
            "cron(0 8 ? JAN,JUL 2L *)",
            "cron(30 1 15W */2 ? *)",
            "cron(0 12 ? * SUN,SAT *)",
        ] {
            assert_eq!(with(|e| e.datalake.etl.schedule = Some(good.into())), [], "{good}");
        }
        assert_eq!(with(|e| e.datalake.etl.schedule = None), []);
    }

    #[test]
    fn partition_years_are_a_range() {
        assert_error(
            &with(|e| e.datalake.partition_years = PartitionYears { first: 2031, last: 2030 }),
            "datalake.partition_years",
            &["at most `last`"],
        );
        assert_eq!(with(|e| e.datalake.partition_years = PartitionYears { first: 2030, last: 2030 }), []);
    }

    #[test]
    fn quicksight_needs_a_principal_when_enabled() {
        assert_error(
            &with(|e| e.datalake.quicksight = QuickSight { enabled: true, principal_arn: None }),
            "datalake.quicksight.principal_arn",
            &["principal_arn", "group/default/analysts"],
        );
        let arn = "arn:aws:quicksight:eu-central-1:123456789012:group/default/analysts";
        assert_eq!(with(|e| e.datalake.quicksight = QuickSight { enabled: true, principal_arn: Some(arn.into()) }), []);
        // Off, it needs nothing.
        assert_eq!(with(|e| e.datalake.quicksight = QuickSight { enabled: false, principal_arn: None }), []);
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
