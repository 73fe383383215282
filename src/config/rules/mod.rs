//! Semantic rules: what the JSON Schema cannot say about an environment.
//!
//! The rules run on a schema-valid, typed [`Environment`]; strings the schema only
//! checks roughly (CIDRs, windows, versions) are parsed here and never trusted. Each
//! [`Finding`] names the most specific offending field and says what is wrong and what
//! is allowed. Findings come in document order: zones, network, security, database,
//! cache, functions, auth, api, edge, observability, datalake, each in field order.

mod api;
mod auth;
mod cache;
mod database;
mod datalake;
mod edge;
mod functions;
mod network;
mod observability;
mod security;
pub mod windows;

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

use self::windows::{DailyWindow, WeeklyWindow};
use super::{Environment, FieldPath, Finding};

/// Every semantic finding about an environment, errors and warnings.
pub fn check(env: &Environment) -> Vec<Finding> {
    let mut out = Vec::new();
    network::check_zones(env, &mut out);
    network::check(env, &mut out);
    security::check(env, &mut out);
    database::check(env, &mut out);
    cache::check(env, &mut out);
    functions::check(env, &mut out);
    auth::check(env, &mut out);
    api::check(env, &mut out);
    edge::check(env, &mut out);
    observability::check(env, &mut out);
    datalake::check(env, &mut out);
    out
}

/// A field path from its dotted form, e.g. `database.read_replicas[1].name`.
fn at(path: &str) -> FieldPath {
    FieldPath::parse(path)
}

/// Whether `zone` is one of the environment's availability zones.
fn is_env_zone(env: &Environment, zone: &str) -> bool {
    env.availability_zones.iter().any(|z| z == zone)
}

/// The environment's availability zones for messages: `eu-central-1a, eu-central-1b`.
fn env_zones(env: &Environment) -> String {
    env.availability_zones.join(", ")
}

/// The number of distinct availability zones the environment lists.
fn distinct_zone_count(env: &Environment) -> usize {
    let mut zones: Vec<&str> = env.availability_zones.iter().map(String::as_str).collect();
    zones.sort_unstable();
    zones.dedup();
    zones.len()
}

/// A daily window (`hh24:mi-hh24:mi`) of `service`: well-formed and at least `min`
/// minutes long. Returns it when it is usable for overlap checks.
fn check_daily(
    text: &str,
    path: &str,
    what: &str,
    min: u32,
    service: &str,
    out: &mut Vec<Finding>,
) -> Option<DailyWindow> {
    match DailyWindow::parse(text) {
        Ok(w) if w.minutes() < min => {
            out.push(Finding::error(
                at(path),
                format!("{what} window {text} is {} minutes long; {service} needs at least {min} minutes", w.minutes()),
            ));
            None
        }
        Ok(w) => Some(w),
        Err(e) => {
            out.push(Finding::error(
                at(path),
                format!("{what} window {text:?} is malformed: {e}; write hh24:mi-hh24:mi in UTC, e.g. 03:00-04:00"),
            ));
            None
        }
    }
}

/// A weekly maintenance window (`ddd:hh24:mi-ddd:hh24:mi`) of `service`: well-formed
/// and at least `min` minutes long. Returns it when it is usable for overlap checks.
fn check_weekly(text: &str, path: &str, min: u32, service: &str, out: &mut Vec<Finding>) -> Option<WeeklyWindow> {
    match WeeklyWindow::parse(text) {
        Ok(w) if w.minutes() < min => {
            out.push(Finding::error(
                at(path),
                format!(
                    "maintenance window {text} is {} minutes long; {service} needs at least {min} minutes",
                    w.minutes()
                ),
            ));
            None
        }
        Ok(w) => Some(w),
        Err(e) => {
            out.push(Finding::error(
                at(path),
                format!(
                    "maintenance window {text:?} is malformed: {e}; write ddd:hh24:mi-ddd:hh24:mi in UTC with days \
                     mon..sun, e.g. sun:04:30-sun:05:30"
                ),
            ));
            None
        }
    }
}
