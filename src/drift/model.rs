//! The drift report (`--output json`, format_version 1): per stack its template drift
//! and every resource as in sync, modified (property, expected, actual), deleted or not
//! checked (with why), and a summary that never calls a stack "in sync" without saying
//! how much of it was not checked.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diff::ParameterValueChange;
use crate::diff::changes::TemplateDiff;

pub const DRIFT_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    pub format_version: u32,
    pub tool_version: String,
    pub environment: String,
    /// The account the credentials were checked to belong to.
    #[serde(default)]
    pub account: String,
    pub region: String,
    pub stacks: Vec<StackDrift>,
    /// Said once for the whole run (e.g. CloudFormation drift detection unavailable).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
    /// Entries of the `--ignore` file that matched nothing (a warning, not drift).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub stale_ignores: Vec<String>,
    /// Reads that failed (with what failed and why): the check is incomplete, so the run
    /// is an error (exit status 1) whatever else it found.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub read_failures: Vec<String>,
    pub summary: Summary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StackState {
    /// Deployed; see its template and resources.
    Deployed,
    /// The stack does not exist: drift (run apply).
    Missing,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StackDrift {
    pub id: String,
    pub name: String,
    pub state: StackState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_status: Option<crate::aws::status::StackStatus>,
    /// The deployed template and parameters against what `synth` renders now.
    pub template: TemplateDrift,
    pub resources: Vec<ResourceDrift>,
    /// Stack-level remarks (a read that failed, CloudFormation's verdict…).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateDrift {
    pub changes: TemplateDiff,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub parameter_values: Vec<ParameterValueChange>,
    /// Template differences accepted by the `--ignore` file.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub ignored: Vec<Ignored>,
}

impl TemplateDrift {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.parameter_values.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_id: Option<String>,
    #[serde(flatten)]
    pub status: ResourceStatus,
    /// For `modified`: each property that differs.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub differences: Vec<PropertyDrift>,
    /// Managed properties that were not compared, with why (e.g. an unresolvable value).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub not_compared: Vec<NotCompared>,
    /// How many properties were compared.
    pub compared: usize,
    /// What the verdict rests on: `service_api`, `cloudformation` or both.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub sources: Vec<Source>,
    /// Differences accepted by the `--ignore` file.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub ignored: Vec<Ignored>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ResourceStatus {
    InSync,
    Modified,
    Deleted {
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    NotChecked {
        reason: String,
    },
}

impl ResourceStatus {
    pub fn is_drift(&self) -> bool {
        matches!(self, ResourceStatus::Modified | ResourceStatus::Deleted { .. })
    }

    pub fn label(&self) -> &'static str {
        match self {
            ResourceStatus::InSync => "in sync",
            ResourceStatus::Modified => "modified",
            ResourceStatus::Deleted { .. } => "deleted",
            ResourceStatus::NotChecked { .. } => "not checked",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Drift's own read through the service API.
    ServiceApi,
    /// CloudFormation's drift detection.
    Cloudformation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PropertyDrift {
    /// e.g. `BackupRetentionPeriod`, `SecurityGroupIngress`, `Rules[GeoBlockRule]`.
    pub property: String,
    /// What the code says; absent when the live resource has something extra.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// What is live; absent when something the code declares is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    pub source: Source,
    /// Both drift's read and CloudFormation report this difference.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub cloudformation_agrees: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCompared {
    pub property: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ignored {
    /// The property, or `*` for the whole resource.
    pub what: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub stacks: usize,
    pub stacks_missing: usize,
    pub stacks_with_template_drift: usize,
    pub resources_checked: usize,
    pub in_sync: usize,
    pub modified: usize,
    pub deleted: usize,
    pub not_checked: usize,
    pub ignored: usize,
    /// Reads that failed: exit status 1.
    #[serde(default)]
    pub read_failures: usize,
    /// Drift found: exit status 2.
    pub drift: bool,
}

impl StackDrift {
    pub fn count(&self, f: impl Fn(&ResourceStatus) -> bool) -> usize {
        self.resources.iter().filter(|r| f(&r.status)).count()
    }

    pub fn has_drift(&self) -> bool {
        self.state == StackState::Missing
            || !self.template.is_empty()
            || self.resources.iter().any(|r| r.status.is_drift())
    }
}

impl DriftReport {
    /// Recomputes the summary from the stacks.
    pub fn summarize(&mut self) {
        let mut s = Summary { stacks: self.stacks.len(), ..Summary::default() };
        for stack in &self.stacks {
            s.stacks_missing += usize::from(stack.state == StackState::Missing);
            s.stacks_with_template_drift += usize::from(!stack.template.is_empty());
            s.ignored += stack.template.ignored.len();
            for r in &stack.resources {
                s.ignored += r.ignored.len();
                match r.status {
                    ResourceStatus::InSync => s.in_sync += 1,
                    ResourceStatus::Modified => s.modified += 1,
                    ResourceStatus::Deleted { .. } => s.deleted += 1,
                    ResourceStatus::NotChecked { .. } => s.not_checked += 1,
                }
            }
        }
        s.resources_checked = s.in_sync + s.modified + s.deleted;
        s.read_failures = self.read_failures.len();
        s.drift = self.stacks.iter().any(StackDrift::has_drift);
        self.summary = s;
    }

    pub fn has_drift(&self) -> bool {
        self.stacks.iter().any(StackDrift::has_drift)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("drift report serializes") + "\n"
    }
}

/// The documented exit status: 0 in sync, 2 drift, 1 when any read failed (the check is
/// incomplete, so neither "in sync" nor "only this drift" can be claimed).
pub fn exit_status(report: &DriftReport) -> u8 {
    if !report.read_failures.is_empty() {
        1
    } else if report.has_drift() {
        2
    } else {
        0
    }
}
