//! Drawing a drift report: a terminal view grouped by stack and a markdown view for an
//! issue or job summary (JSON is the report itself). Template drift is drawn with the
//! plan's diff view. The summary never says "in sync" without the count of resources
//! that were not checked.

use std::collections::BTreeMap;

use serde_json::Value;

use super::model::{DriftReport, PropertyDrift, ResourceDrift, ResourceStatus, StackDrift, StackState, TemplateDrift};
use crate::diff::access::rule_text;
use crate::diff::render::changes_human;
use crate::resource_types::{Shape, access_properties};
use crate::style::Style;

/// Values longer than this are cut in the human and markdown views (JSON has them whole).
const VALUE_MAX: usize = 160;

fn one_line(v: Option<&Value>) -> String {
    let text = match v {
        None => "(none)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > VALUE_MAX {
        let cut: String = text.chars().take(VALUE_MAX).collect();
        format!("{cut}… (whole value in --output json)")
    } else {
        text
    }
}

/// A drifted value as a reviewer reads it: a security-group rule in words (the deny-all
/// placeholder as `no egress (deny all)`), anything else as one line.
fn value_text(resource_type: &str, property: &str, v: Option<&Value>) -> String {
    let rules = access_properties(resource_type)
        .is_some_and(|access| access.iter().any(|a| a.property == property && a.shape == Shape::Rules));
    match v {
        Some(rule @ Value::Object(_)) if rules => rule_text(rule, property),
        _ => one_line(v),
    }
}

/// The one-line verdict on the whole run.
pub fn summary_line(report: &DriftReport) -> String {
    let s = &report.summary;
    let coverage = format!(
        "{} resource{} checked, {} not checked",
        s.resources_checked,
        if s.resources_checked == 1 { "" } else { "s" },
        s.not_checked
    );
    let ignored = if s.ignored > 0 { format!("; {} accepted difference(s) ignored", s.ignored) } else { String::new() };
    if s.read_failures > 0 {
        let found = if s.drift { "drift found so far" } else { "no drift found so far" };
        return format!(
            "Incomplete: {} read(s) failed, so the check could not finish ({coverage}, {found}){ignored}.",
            s.read_failures
        );
    }
    if !s.drift {
        return format!("In sync ({coverage}){ignored}.");
    }
    let mut parts = Vec::new();
    if s.stacks_missing > 0 {
        parts.push(format!("{} stack(s) missing", s.stacks_missing));
    }
    if s.stacks_with_template_drift > 0 {
        parts.push(format!("{} stack(s) with template drift", s.stacks_with_template_drift));
    }
    if s.modified > 0 {
        parts.push(format!("{} resource(s) modified", s.modified));
    }
    if s.deleted > 0 {
        parts.push(format!("{} resource(s) deleted", s.deleted));
    }
    format!("Drift: {} ({coverage}, {} in sync){ignored}.", parts.join(", "), s.in_sync)
}

fn stack_headline(stack: &StackDrift) -> String {
    if stack.state == StackState::Missing {
        return "missing — the stack does not exist; run apply".into();
    }
    let count = |f: fn(&ResourceStatus) -> bool| stack.count(f);
    let modified = count(|s| matches!(s, ResourceStatus::Modified));
    let deleted = count(|s| matches!(s, ResourceStatus::Deleted { .. }));
    let in_sync = count(|s| matches!(s, ResourceStatus::InSync));
    let not_checked = count(|s| matches!(s, ResourceStatus::NotChecked { .. }));
    let coverage = format!("{} checked, {not_checked} not checked", in_sync + modified + deleted);
    if stack.has_drift() {
        let mut parts = Vec::new();
        if !stack.template.is_empty() {
            parts.push("template differs from the code".to_owned());
        }
        if modified > 0 {
            parts.push(format!("{modified} modified"));
        }
        if deleted > 0 {
            parts.push(format!("{deleted} deleted"));
        }
        format!("drift — {} ({coverage})", parts.join(", "))
    } else {
        format!("in sync ({coverage})")
    }
}

/// The plan's diff view of a template drift, without the stack line and plan summary.
fn template_view(template: &TemplateDrift, style: &Style) -> String {
    let mut text = String::new();
    changes_human(&template.changes, &template.parameter_values, style, &mut text);
    text.lines().map(|l| format!("  {l}\n")).collect()
}

fn difference_lines(resource_type: &str, d: &PropertyDrift, last: bool, style: &Style, out: &mut String) {
    let branch = if last { "└─" } else { "├─" };
    let indent = if last { "       " } else { "   │   " };
    let mut note = String::new();
    if d.source == super::model::Source::Cloudformation {
        note.push_str(" (CloudFormation drift detection)");
    } else if d.cloudformation_agrees {
        note.push_str(" (CloudFormation agrees)");
    }
    out.push_str(&format!("   {branch} {}{}\n", d.property, style.dim(&note)));
    let text = |v: Option<&Value>| value_text(resource_type, &d.property, v);
    out.push_str(&style.removed(&format!("{indent}expected: {}\n", text(d.expected.as_ref()))));
    out.push_str(&style.added(&format!("{indent}actual:   {}\n", text(d.actual.as_ref()))));
}

fn resource_human(r: &ResourceDrift, style: &Style, out: &mut String) {
    let id = r.physical_id.as_deref().map(|p| format!(" ({p})")).unwrap_or_default();
    match &r.status {
        ResourceStatus::Modified => {
            out.push_str(&style.warning(&format!("  [~] {} {}{id}: modified\n", r.resource_type, r.logical_id)));
            for (i, d) in r.differences.iter().enumerate() {
                difference_lines(&r.resource_type, d, i + 1 == r.differences.len(), style, out);
            }
        }
        ResourceStatus::Deleted { detail } => {
            let detail = detail.as_deref().map(|d| format!(" — {d}")).unwrap_or_default();
            out.push_str(&style.error(&format!("  [-] {} {}{id}: deleted{detail}\n", r.resource_type, r.logical_id)));
        }
        _ => {}
    }
}

/// Not-checked resources grouped by reason: reason → logical ids.
fn not_checked_groups(stack: &StackDrift) -> BTreeMap<String, Vec<String>> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &stack.resources {
        if let ResourceStatus::NotChecked { reason } = &r.status {
            groups.entry(reason.clone()).or_default().push(r.logical_id.clone());
        }
    }
    groups
}

pub fn human(report: &DriftReport, style: &Style) -> String {
    let mut out = String::new();
    for note in &report.notes {
        out.push_str(&style.warning(&format!("note: {note}\n")));
    }
    for stale in &report.stale_ignores {
        out.push_str(&style.warning(&format!("warning: ignore entry {stale}\n")));
    }
    for failure in &report.read_failures {
        out.push_str(&style.error(&format!("error: read failed: {failure}\n")));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    for stack in &report.stacks {
        let headline = stack_headline(stack);
        let headline = if stack.has_drift() { style.error(&headline) } else { style.ok(&headline) };
        out.push_str(&format!("{}: {headline}\n", style.bold(&stack.name)));
        if stack.state == StackState::Missing {
            continue;
        }
        for note in &stack.notes {
            out.push_str(&style.dim(&format!("  note: {note}\n")));
        }
        if !stack.template.is_empty() {
            out.push_str("  Template drift (deployed template and parameters → the code):\n");
            out.push_str(&template_view(&stack.template, style));
        }
        for r in &stack.resources {
            resource_human(r, style, &mut out);
        }
        for r in &stack.resources {
            for n in &r.not_compared {
                out.push_str(&style.dim(&format!("  not compared: {}.{} — {}\n", r.logical_id, n.property, n.reason)));
            }
            for i in &r.ignored {
                out.push_str(&style.dim(&format!("  ignored: {} {} — {}\n", r.logical_id, i.what, i.reason)));
            }
        }
        let groups = not_checked_groups(stack);
        if !groups.is_empty() {
            let total: usize = groups.values().map(Vec::len).sum();
            out.push_str(&format!("  not checked ({total}):\n"));
            for (reason, ids) in groups {
                out.push_str(&style.dim(&format!("    {reason}: {}\n", ids.join(", "))));
            }
        }
    }
    out.push('\n');
    let line = summary_line(report);
    let failed = report.summary.drift || report.summary.read_failures > 0;
    out.push_str(&if failed { style.error(&line) } else { style.ok(&line) });
    out.push('\n');
    out
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ").replace('`', "'")
}

pub fn markdown(report: &DriftReport) -> String {
    let mut out = format!(
        "## matbakh-infra drift: `{}` in {} / {}\n\n",
        report.environment,
        if report.account.is_empty() { "an unrecorded account" } else { &report.account },
        report.region
    );
    let verdict = summary_line(report);
    out.push_str(&format!("**{}**\n\n", escape(&verdict)));
    for note in &report.notes {
        out.push_str(&format!("> {}\n", escape(note)));
    }
    for stale in &report.stale_ignores {
        out.push_str(&format!("> :warning: ignore entry {}\n", escape(stale)));
    }
    for failure in &report.read_failures {
        out.push_str(&format!("> :x: read failed: {}\n", escape(failure)));
    }
    if !report.notes.is_empty() || !report.stale_ignores.is_empty() || !report.read_failures.is_empty() {
        out.push('\n');
    }
    out.push_str("### Stacks\n\n| stack | verdict |\n|---|---|\n");
    for s in &report.stacks {
        out.push_str(&format!("| `{}` | {} |\n", s.name, escape(&stack_headline(s))));
    }
    let drifted: Vec<(&StackDrift, &ResourceDrift)> = report
        .stacks
        .iter()
        .flat_map(|s| s.resources.iter().map(move |r| (s, r)))
        .filter(|(_, r)| r.status.is_drift())
        .collect();
    if !drifted.is_empty() {
        out.push_str(
            "\n### Resources that drifted\n\n| stack | resource | type | status | property | expected | actual |\n|---|---|---|---|---|---|---|\n",
        );
        for (s, r) in drifted {
            match &r.status {
                ResourceStatus::Deleted { detail } => out.push_str(&format!(
                    "| `{}` | `{}` | {} | **deleted** | | {} | |\n",
                    s.id,
                    r.logical_id,
                    r.resource_type,
                    escape(detail.as_deref().unwrap_or(""))
                )),
                _ => {
                    for d in &r.differences {
                        let source = match (d.source, d.cloudformation_agrees) {
                            (super::model::Source::Cloudformation, _) => " (CloudFormation)",
                            (_, true) => " (CloudFormation agrees)",
                            _ => "",
                        };
                        out.push_str(&format!(
                            "| `{}` | `{}` | {} | modified{source} | `{}` | `{}` | `{}` |\n",
                            s.id,
                            r.logical_id,
                            r.resource_type,
                            escape(&d.property),
                            escape(&value_text(&r.resource_type, &d.property, d.expected.as_ref())),
                            escape(&value_text(&r.resource_type, &d.property, d.actual.as_ref()))
                        ));
                    }
                }
            }
        }
    }
    for s in report.stacks.iter().filter(|s| !s.template.is_empty()) {
        out.push_str(&format!("\n<details><summary>Template drift of <code>{}</code></summary>\n\n```diff\n", s.name));
        out.push_str(&template_view(&s.template, &Style::plain()));
        out.push_str("```\n\n</details>\n");
    }
    let not_checked: Vec<(&StackDrift, BTreeMap<String, Vec<String>>)> =
        report.stacks.iter().map(|s| (s, not_checked_groups(s))).filter(|(_, g)| !g.is_empty()).collect();
    if !not_checked.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>Not checked ({} resources)</summary>\n\n| stack | reason | resources |\n|---|---|---|\n",
            report.summary.not_checked
        ));
        for (s, groups) in not_checked {
            for (reason, ids) in groups {
                out.push_str(&format!("| `{}` | {} | {} |\n", s.id, escape(&reason), escape(&ids.join(", "))));
            }
        }
        out.push_str("\n</details>\n");
    }
    let ignored: Vec<String> = report
        .stacks
        .iter()
        .flat_map(|s| {
            s.resources.iter().flat_map(move |r| {
                r.ignored.iter().map(move |i| {
                    format!("| `{}` | `{}` | {} | {} |", s.id, r.logical_id, escape(&i.what), escape(&i.reason))
                })
            })
        })
        .collect();
    if !ignored.is_empty() {
        out.push_str(
            "\n### Accepted differences (ignore file)\n\n| stack | resource | what | reason |\n|---|---|---|---|\n",
        );
        for line in ignored {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::changes::TemplateDiff;
    use crate::drift::model::{Source, StackDrift, Summary};
    use serde_json::json;

    /// A live group whose deny-all egress placeholder someone replaced with allow-all,
    /// as drift's rule comparison reports it (normalized rules, one difference each).
    fn reopened_egress() -> DriftReport {
        let difference = |expected: Option<Value>, actual: Option<Value>| PropertyDrift {
            property: "SecurityGroupEgress".into(),
            expected,
            actual,
            source: Source::ServiceApi,
            cloudformation_agrees: false,
        };
        let mut report = DriftReport {
            format_version: 1,
            tool_version: "t".into(),
            environment: "dev".into(),
            account: "123456789012".into(),
            region: "eu-central-1".into(),
            stacks: vec![StackDrift {
                id: "network".into(),
                name: "matbakh-dev-network".into(),
                state: StackState::Deployed,
                live_status: None,
                template: TemplateDrift { changes: TemplateDiff::default(), ..TemplateDrift::default() },
                resources: vec![ResourceDrift {
                    logical_id: "LambdaSecurityGroup".into(),
                    resource_type: "AWS::EC2::SecurityGroup".into(),
                    physical_id: Some("sg-0abc".into()),
                    status: ResourceStatus::Modified,
                    differences: vec![
                        difference(
                            Some(
                                json!({"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86, "CidrIp": "255.255.255.255/32"}),
                            ),
                            None,
                        ),
                        difference(None, Some(json!({"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}))),
                    ],
                    not_compared: Vec::new(),
                    compared: 2,
                    sources: vec![Source::ServiceApi],
                    ignored: Vec::new(),
                }],
                notes: Vec::new(),
            }],
            notes: Vec::new(),
            stale_ignores: Vec::new(),
            read_failures: Vec::new(),
            summary: Summary::default(),
        };
        report.summarize();
        report
    }

    #[test]
    fn the_deny_all_egress_placeholder_reads_as_no_egress() {
        let report = reopened_egress();
        let text = human(&report, &Style::plain());
        assert!(text.contains("expected: no egress (deny all)\n"), "{text}");
        assert!(text.contains("actual:   all traffic to 0.0.0.0/0 (anywhere)\n"), "{text}");
        assert!(!text.contains("252"), "{text}");
        let md = markdown(&report);
        assert!(md.contains("| `no egress (deny all)` | `(none)` |"), "{md}");
        assert!(md.contains("| `(none)` | `all traffic to 0.0.0.0/0 (anywhere)` |"), "{md}");
        // JSON keeps the rule itself.
        assert!(report.to_json().contains("\"FromPort\": 252"));
    }
}
