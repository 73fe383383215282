//! `--ignore FILE`: a reviewed list of known, accepted differences.
//!
//! ```yaml
//! - stack: network               # stack id (`network`) or name (`matbakh-prod-network`)
//!   resource: BastionSecurityGroup   # logical id
//!   property: SecurityGroupIngress   # optional: without it, the whole resource
//!   reason: temporary office range for the migration weekend, OPS-412
//! ```
//!
//! Every entry needs a reason. An accepted difference stays in the report (as
//! `ignored`, with the reason) but is not drift; an entry that matches nothing is stale
//! and reported as a warning, so the list does not outlive what it excuses.

use std::path::Path;

use anyhow::{Context as _, bail};
use serde::Deserialize;

use super::model::{DriftReport, Ignored, ResourceStatus};

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub stack: String,
    pub resource: String,
    #[serde(default)]
    pub property: Option<String>,
    pub reason: String,
}

impl IgnoreEntry {
    fn matches_stack(&self, id: &str, name: &str) -> bool {
        self.stack == id || self.stack == name
    }

    /// `property` covers the difference `path` (itself, an item `P[x]` or a part `P.x`).
    fn matches_property(&self, path: &str) -> bool {
        match &self.property {
            None => true,
            Some(p) => path == p || path.starts_with(&format!("{p}[")) || path.starts_with(&format!("{p}.")),
        }
    }

    fn describe(&self) -> String {
        format!(
            "{}/{}{}",
            self.stack,
            self.resource,
            self.property.as_ref().map(|p| format!(" {p}")).unwrap_or_default()
        )
    }
}

pub fn parse(text: &str) -> anyhow::Result<Vec<IgnoreEntry>> {
    let entries: Vec<IgnoreEntry> = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_yaml::from_str(text)
            .context("expected a YAML list of {stack, resource, property (optional), reason} entries")?
    };
    for (i, e) in entries.iter().enumerate() {
        if e.reason.trim().is_empty() {
            bail!("entry {} ({}) has no reason: every accepted difference needs one", i + 1, e.describe());
        }
    }
    Ok(entries)
}

pub fn load(path: &Path) -> anyhow::Result<Vec<IgnoreEntry>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the ignore file {}", path.display()))?;
    parse(&text).with_context(|| format!("{} is not a valid ignore file", path.display()))
}

/// Applies the entries to the report: matching differences move to `ignored`, a
/// resource left without differences is in sync again. Returns nothing; stale entries
/// are recorded in the report.
pub fn apply(report: &mut DriftReport, entries: &[IgnoreEntry]) {
    let mut used = vec![false; entries.len()];
    for stack in &mut report.stacks {
        for (i, entry) in entries.iter().enumerate() {
            if !entry.matches_stack(&stack.id, &stack.name) {
                continue;
            }
            // Template differences of the resource.
            let before = stack.template.changes.resources.len();
            stack.template.changes.resources.retain(|r| {
                let hit = r.logical_id == entry.resource
                    && (entry.property.is_none() || r.properties.iter().all(|p| entry.matches_property(&p.path)));
                !hit
            });
            if stack.template.changes.resources.len() != before {
                used[i] = true;
                stack.template.ignored.push(Ignored {
                    what: format!("template: {}", entry.property.as_deref().unwrap_or(&entry.resource)),
                    reason: entry.reason.clone(),
                });
            }
            for r in stack.resources.iter_mut().filter(|r| r.logical_id == entry.resource) {
                match &r.status {
                    ResourceStatus::Modified => {
                        let before = r.differences.len();
                        let reason = entry.reason.clone();
                        let mut accepted = Vec::new();
                        r.differences.retain(|d| {
                            let hit = entry.matches_property(&d.property);
                            if hit {
                                accepted.push(d.property.clone());
                            }
                            !hit
                        });
                        if r.differences.len() != before {
                            used[i] = true;
                            accepted.dedup();
                            r.ignored.extend(accepted.into_iter().map(|what| Ignored { what, reason: reason.clone() }));
                        }
                        if r.differences.is_empty() {
                            r.status = ResourceStatus::InSync;
                        }
                    }
                    ResourceStatus::Deleted { .. } if entry.property.is_none() => {
                        used[i] = true;
                        r.ignored.push(Ignored { what: "deleted".into(), reason: entry.reason.clone() });
                        r.status = ResourceStatus::NotChecked { reason: "deleted, accepted by the ignore file".into() };
                    }
                    _ => {}
                }
            }
        }
    }
    report.stale_ignores = entries
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(e, _)| format!("{} matches no difference (stale: remove it)", e.describe()))
        .collect();
    report.summarize();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::model::*;
    use serde_json::json;

    fn report() -> DriftReport {
        let modified = ResourceDrift {
            logical_id: "BastionSecurityGroup".into(),
            resource_type: "AWS::EC2::SecurityGroup".into(),
            physical_id: Some("sg-1".into()),
            status: ResourceStatus::Modified,
            differences: vec![PropertyDrift {
                property: "SecurityGroupIngress".into(),
                expected: None,
                actual: Some(json!({"IpProtocol": "tcp"})),
                source: Source::ServiceApi,
                cloudformation_agrees: false,
            }],
            not_compared: vec![],
            compared: 4,
            sources: vec![Source::ServiceApi],
            ignored: vec![],
        };
        let mut r = DriftReport {
            format_version: DRIFT_FORMAT_VERSION,
            tool_version: "0".into(),
            environment: "dev".into(),
            account: "123456789012".into(),
            region: "eu-central-1".into(),
            stacks: vec![StackDrift {
                id: "network".into(),
                name: "matbakh-dev-network".into(),
                state: StackState::Deployed,
                live_status: None,
                template: TemplateDrift::default(),
                resources: vec![modified],
                notes: vec![],
            }],
            notes: vec![],
            stale_ignores: vec![],
            read_failures: vec![],
            summary: Summary::default(),
        };
        r.summarize();
        r
    }

    #[test]
    fn an_accepted_difference_is_not_drift_and_a_stale_entry_is_reported() {
        let entries = parse(
            "- {stack: network, resource: BastionSecurityGroup, property: SecurityGroupIngress, reason: OPS-412}\n\
             - {stack: matbakh-dev-network, resource: Vpc, reason: gone}\n",
        )
        .unwrap();
        let mut r = report();
        assert!(r.has_drift());
        apply(&mut r, &entries);
        assert!(!r.has_drift());
        assert_eq!(r.stacks[0].resources[0].ignored[0].reason, "OPS-412");
        assert_eq!(r.stale_ignores.len(), 1);
        assert!(r.stale_ignores[0].contains("Vpc"));
    }

    #[test]
    fn an_entry_for_another_property_keeps_the_drift() {
        let entries =
            parse("- {stack: network, resource: BastionSecurityGroup, property: VpcId, reason: x}\n").unwrap();
        let mut r = report();
        apply(&mut r, &entries);
        assert!(r.has_drift());
        assert_eq!(r.stale_ignores.len(), 1);
    }

    #[test]
    fn every_entry_needs_a_reason() {
        assert!(parse("- {stack: network, resource: X, reason: ''}\n").is_err());
        assert!(parse("- {stack: network, resource: X}\n").is_err());
        assert!(parse("- {stack: network, resource: X, reason: ok, typo: 1}\n").is_err());
    }
}
