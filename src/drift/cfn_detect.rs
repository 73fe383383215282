//! CloudFormation's own drift detection, where the endpoint has it: `DetectStackDrift`
//! for every stack at once, polling `DescribeStackDriftDetectionStatus`, then
//! `DescribeStackResourceDrifts`; and merging its verdicts into drift's own.
//!
//! Merge rules: CloudFormation's MODIFIED/DELETED fills in a resource drift's readers
//! did not check (or adds the properties they do not compare); where both found the
//! same, the reader's detail is kept and marked as confirmed by CloudFormation; its
//! IN_SYNC turns a resource drift could not check into a checked one. Values from
//! property paths that can hold secrets (environment variables, passwords, tokens) are
//! never carried over.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use super::model::{PropertyDrift, ResourceDrift, ResourceStatus, Source};
use crate::aws::AwsError;
use crate::aws::stack_drift::{DriftDetectionApi, PropertyDifference, ResourceDriftResult};
use crate::live::{ReadProgress, ReadStep};

/// The printed note when the endpoint lacks drift detection.
pub const UNSUPPORTED_NOTE: &str = "CloudFormation drift detection is not supported by this endpoint; resources were checked through the service APIs only";

/// What CloudFormation's drift detection gave for one stack.
#[derive(Clone, Debug, PartialEq)]
pub enum StackDetection {
    Results(Vec<ResourceDriftResult>),
    /// Not available for this stack, with why.
    Unavailable(String),
    /// The endpoint answered something unreadable: the run is an error.
    Failed(String),
}

#[derive(Clone, Debug, Default)]
pub struct Detections {
    pub stacks: BTreeMap<String, StackDetection>,
    /// The endpoint does not implement drift detection at all.
    pub unsupported: bool,
}

/// Runs drift detection on every named stack at once.
pub async fn detect_all<A: DriftDetectionApi>(
    api: &A,
    stacks: &[String],
    concurrency: usize,
    timeout: Duration,
    poll: Duration,
    progress: &dyn ReadProgress,
) -> Detections {
    progress.start(ReadStep::DriftDetections, stacks.len());
    let results: Vec<(String, Result<Vec<ResourceDriftResult>, AwsError>)> = stream::iter(stacks.iter().cloned())
        .map(|name| async move {
            let result = detect_one(api, &name, timeout, poll).await;
            progress.advance(ReadStep::DriftDetections, 1);
            (name, result)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut out = Detections::default();
    for (name, result) in results {
        let entry = match result {
            Ok(drifts) => StackDetection::Results(drifts),
            Err(AwsError::Unsupported { .. }) => {
                out.unsupported = true;
                StackDetection::Unavailable("not supported by this endpoint".into())
            }
            Err(e @ AwsError::Unreadable { .. }) => StackDetection::Failed(e.to_string()),
            Err(e) => StackDetection::Unavailable(e.to_string()),
        };
        out.stacks.insert(name, entry);
    }
    out
}

async fn detect_one<A: DriftDetectionApi>(
    api: &A,
    stack: &str,
    timeout: Duration,
    poll: Duration,
) -> Result<Vec<ResourceDriftResult>, AwsError> {
    let id = api.detect_stack_drift(stack).await?;
    let start = Instant::now();
    let mut delay = poll;
    loop {
        let status = api.describe_drift_detection(&id).await?;
        if status.is_settled() {
            // DETECTION_FAILED still has results for the resources it could check.
            return api.describe_resource_drifts(stack).await;
        }
        if start.elapsed() > timeout {
            return Err(AwsError::Service {
                operation: "DescribeStackDriftDetectionStatus",
                code: "Timeout".into(),
                message: format!("drift detection still running after {} s", timeout.as_secs()),
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// `/Properties/A/B/0` or `/A/B/0` → `A.B[0]`.
pub fn property_name(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    let trimmed = trimmed.strip_prefix("Properties/").unwrap_or(trimmed);
    let mut out = String::new();
    for part in trimmed.split('/').filter(|p| !p.is_empty()) {
        if part.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}

/// Paths whose values drift never prints.
pub fn is_sensitive(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    ["environment/variables", "password", "secret", "token", "privatekey", "credential"].iter().any(|s| p.contains(s))
}

const HIDDEN: &str = "(value hidden)";

fn value(path: &str, text: &str) -> Option<Value> {
    if is_sensitive(path) {
        return Some(Value::String(HIDDEN.into()));
    }
    if text.is_empty() {
        return None;
    }
    Some(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())))
}

fn converted(d: &PropertyDifference) -> PropertyDrift {
    let (expected, actual) = match d.kind.as_str() {
        "ADD" => (None, value(&d.path, &d.actual)),
        "REMOVE" => (value(&d.path, &d.expected), None),
        _ => (value(&d.path, &d.expected), value(&d.path, &d.actual)),
    };
    PropertyDrift {
        property: property_name(&d.path),
        expected,
        actual,
        source: Source::Cloudformation,
        cloudformation_agrees: false,
    }
}

/// The top-level property of a difference: `SecurityGroupIngress[2].CidrIp` → `SecurityGroupIngress`.
fn top(property: &str) -> &str {
    property.split(['.', '[']).next().unwrap_or(property)
}

/// Merges CloudFormation's results for one stack into drift's resources.
pub fn merge(resources: &mut [ResourceDrift], results: &[ResourceDriftResult]) {
    for result in results {
        let Some(r) = resources.iter_mut().find(|r| r.logical_id == result.logical_id) else { continue };
        match result.status.as_str() {
            "MODIFIED" => {
                let theirs: Vec<PropertyDrift> = result.differences.iter().map(converted).collect();
                match r.status {
                    ResourceStatus::Modified | ResourceStatus::InSync => {
                        for t in theirs {
                            if let Some(mine) = r.differences.iter_mut().find(|m| top(&m.property) == top(&t.property))
                            {
                                mine.cloudformation_agrees = true;
                            } else {
                                r.differences.push(t);
                            }
                        }
                    }
                    ResourceStatus::NotChecked { .. } | ResourceStatus::Deleted { .. } => {
                        if matches!(r.status, ResourceStatus::Deleted { .. }) {
                            // Our read says it is gone; CloudFormation read it: keep ours, note theirs.
                            continue;
                        }
                        r.differences = theirs;
                    }
                }
                if !r.differences.is_empty() {
                    r.status = ResourceStatus::Modified;
                }
            }
            "DELETED" => {
                if !matches!(r.status, ResourceStatus::Deleted { .. }) {
                    if !r.sources.contains(&Source::ServiceApi) {
                        r.differences.clear();
                    }
                    r.status =
                        ResourceStatus::Deleted { detail: Some("CloudFormation drift detection: DELETED".into()) };
                }
            }
            "IN_SYNC" => {
                if let ResourceStatus::NotChecked { .. } = r.status {
                    r.status = ResourceStatus::InSync;
                }
            }
            other => {
                if let ResourceStatus::NotChecked { reason } = &mut r.status {
                    reason.push_str(&format!("; CloudFormation drift detection: {other}"));
                }
                continue;
            }
        }
        if !r.sources.contains(&Source::Cloudformation) {
            r.sources.push(Source::Cloudformation);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_paths_read_like_properties() {
        assert_eq!(property_name("/Properties/Timeout"), "Timeout");
        assert_eq!(property_name("/SecurityGroupIngress/2/CidrIp"), "SecurityGroupIngress[2].CidrIp");
        assert_eq!(property_name("/RedrivePolicy/maxReceiveCount"), "RedrivePolicy.maxReceiveCount");
    }

    #[test]
    fn secret_bearing_paths_are_hidden() {
        let d = PropertyDifference {
            path: "/Environment/Variables/API_KEY".into(),
            expected: "a".into(),
            actual: "sk-live-123".into(),
            kind: "NOT_EQUAL".into(),
        };
        let c = converted(&d);
        assert_eq!(c.actual, Some(Value::String(HIDDEN.into())));
        assert!(!serde_json::to_string(&c).unwrap().contains("sk-live-123"));
    }
}
