//! Semantic rules: what the JSON Schema cannot say about an environment.
//!
//! The rules run on [`Sections`]: the typed top-level sections of an environment, each
//! present when it is valid on its own. A rule runs when every section it reads is
//! present, so a schema error in one section does not hide the rule errors of the
//! others. Strings the schema only checks roughly (CIDRs, windows, versions) are parsed
//! here and never trusted. Each
//! [`Finding`] names the most specific offending field and says what is wrong and what
//! is allowed. Findings come in document order: zones, tags, network, security, database,
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
pub mod tags;
pub mod windows;

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::Value;

use self::windows::{DailyWindow, WeeklyWindow};
use super::model::{Api, Auth, Cache, DataLake, Database, Edge, Functions, Network, Observability, Security};
use super::{Environment, FieldPath, Finding};

/// Declares [`Sections`] from one list of the [`Environment`] fields the rules read.
macro_rules! sections {
    ($($field:ident: $ty:ty),* $(,)?) => {
        /// The top-level fields of an environment the rules read, each `None` when it is
        /// missing or invalid (so rules that need it do not run).
        #[derive(Clone, Debug, Default)]
        pub struct Sections {
            $(pub $field: Option<$ty>,)*
        }

        impl Sections {
            /// Every section of a complete environment.
            pub fn of(env: &Environment) -> Self {
                Sections { $($field: Some(env.$field.clone()),)* }
            }

            /// The sections of a document's JSON form for which `usable(name)` holds
            /// (no error was found at or under them) and that have their typed form.
            pub fn from_json(document: &Value, usable: impl Fn(&str) -> bool) -> Self {
                Sections {
                    $($field: document
                        .get(stringify!($field))
                        .filter(|_| usable(stringify!($field)))
                        .and_then(|v| <$ty>::deserialize(v).ok()),)*
                }
            }
        }
    };
}

use serde::Deserialize as _;

sections! {
    name: String,
    region: String,
    availability_zones: Vec<String>,
    tags: BTreeMap<String, String>,
    network: Network,
    security: Security,
    database: Database,
    cache: Cache,
    functions: Functions,
    auth: Auth,
    api: Api,
    edge: Edge,
    observability: Observability,
    datalake: DataLake,
}

/// Every semantic finding about a complete environment, errors and warnings.
pub fn check(env: &Environment) -> Vec<Finding> {
    check_sections(&Sections::of(env))
}

/// Every finding of the rules whose sections are present.
pub fn check_sections(s: &Sections) -> Vec<Finding> {
    let mut out = Vec::new();
    network::check_zones(s, &mut out);
    tags::check(s, &mut out);
    network::check(s, &mut out);
    security::check(s, &mut out);
    database::check(s, &mut out);
    cache::check(s, &mut out);
    functions::check(s, &mut out);
    auth::check(s, &mut out);
    api::check(s, &mut out);
    edge::check(s, &mut out);
    observability::check(s, &mut out);
    datalake::check(s, &mut out);
    out
}

/// A field path from its dotted form, e.g. `database.read_replicas[1].name`.
fn at(path: &str) -> FieldPath {
    FieldPath::parse(path)
}

/// Whether `zone` is one of the environment's availability zones.
fn is_env_zone(zones: &[String], zone: &str) -> bool {
    zones.iter().any(|z| z == zone)
}

/// The environment's availability zones for messages: `eu-central-1a, eu-central-1b`.
fn env_zones(zones: &[String]) -> String {
    zones.join(", ")
}

/// The number of distinct availability zones the environment lists.
fn distinct_zone_count(zones: &[String]) -> usize {
    let mut zones: Vec<&str> = zones.iter().map(String::as_str).collect();
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
