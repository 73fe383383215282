//! Drawing a plan for people: a terminal view in the style of `cdk diff` and a markdown
//! view for pull-request comments. Both list the dangers first.

use serde_json::Value;
use similar::TextDiff;

use super::diff::{Action, EntryChange, PropertyChange, ResourceChange};
use super::impact::Impact;
use super::model::{Evidence, Plan, SecurityChange, StackPlan, StackStatus};
use crate::style::Style;

/// Values longer than this (as one-line JSON) are shown as a unified diff.
const INLINE_MAX: usize = 80;

pub fn human(plan: &Plan, style: &Style) -> String {
    let mut out = String::new();
    if !plan.danger.is_empty() {
        out.push_str(&style.error("Stateful resources that would be replaced or deleted:\n"));
        for d in &plan.danger {
            out.push_str(&style.error(&format!(
                "  !! {} {} ({}): {} — {}\n",
                d.stack,
                d.logical_id,
                d.resource_type,
                d.impact.label(),
                d.cause
            )));
        }
        out.push('\n');
    }
    if !plan.security.is_empty() {
        out.push_str(&style.bold("Security-relevant changes:\n"));
        let (existing, new) = split_security(plan);
        for s in existing {
            let flag = if s.broadens { style.warning("broadens access") } else { "narrows or keeps access".to_owned() };
            out.push_str(&format!("  {} {} ({}): {} — {flag}\n", s.stack, s.logical_id, s.resource_type, s.summary));
        }
        for (stack, count) in new {
            out.push_str(&format!(
                "  {stack} (new stack): {count} access-related {} added — each is in --output json\n",
                if count == 1 { "resource" } else { "resources" }
            ));
        }
        out.push('\n');
    }
    for stack in &plan.stacks {
        stack_human(stack, style, &mut out);
    }
    out.push_str(&summary_line(plan));
    out.push('\n');
    out
}

fn stack_human(stack: &StackPlan, style: &Style, out: &mut String) {
    let name = style.bold(&stack.name);
    match stack.status {
        StackStatus::NoChanges => {
            out.push_str(&format!("{name}: no changes\n"));
            return;
        }
        StackStatus::Blocked => {
            out.push_str(&format!(
                "{name}: {}\n",
                style.error(&format!("blocked — {}", stack.remedy.as_deref().unwrap_or("")))
            ));
            return;
        }
        StackStatus::ToCreate => {
            out.push_str(&format!("{name}: to be created ({} resources)\n", stack.changes.resources.len()));
            for r in &stack.changes.resources {
                out.push_str(&style.added(&format!("  [+] {} {}\n", r.resource_type, r.logical_id)));
            }
            return;
        }
        StackStatus::Changes => {}
    }
    let evidence = match (stack.evidence, &stack.evidence_note) {
        (Evidence::ChangeSet, _) => "confirmed by a change set".to_owned(),
        (Evidence::TemplateDiff, Some(note)) => format!("template diff — {note}"),
        (Evidence::TemplateDiff, None) => "template diff".to_owned(),
    };
    out.push_str(&format!("{name} {}\n", style.dim(&format!("({evidence})"))));
    let d = &stack.changes;
    entries("Parameters", &d.parameters, style, out);
    for p in &stack.parameter_values {
        out.push_str(&format!(
            "  [~] parameter value {}: {} → {}\n",
            p.key,
            style.removed(p.old.as_deref().unwrap_or("(none)")),
            style.added(p.new.as_deref().unwrap_or("(none)"))
        ));
    }
    entries("Conditions", &d.conditions, style, out);
    if !d.resources.is_empty() {
        out.push_str("  Resources\n");
        for r in &d.resources {
            resource_human(r, style, out);
        }
    }
    entries("Outputs", &d.outputs, style, out);
    entries("Other", &d.other, style, out);
}

fn marker(action: Action) -> &'static str {
    match action {
        Action::Add => "[+]",
        Action::Remove => "[-]",
        Action::Modify => "[~]",
    }
}

fn paint_impact(impact: Impact, text: &str, style: &Style) -> String {
    match impact {
        Impact::WillReplace | Impact::Delete => style.error(text),
        Impact::MayReplace | Impact::Orphan => style.warning(text),
        Impact::Create => style.added(text),
        _ => text.to_owned(),
    }
}

fn resource_human(r: &ResourceChange, style: &Style, out: &mut String) {
    let tag = match r.impact {
        Impact::Update | Impact::Create | Impact::NoChange => String::new(),
        i => paint_impact(i, &format!(" ({})", i.label()), style),
    };
    let head = format!("  {} {} {}", marker(r.action), r.resource_type, r.logical_id);
    let head = match r.action {
        Action::Add => style.added(&head),
        Action::Remove => style.removed(&head),
        Action::Modify => head,
    };
    out.push_str(&format!("{head}{tag}\n"));
    if r.action == Action::Remove {
        if let Some(reason) = &r.reason {
            out.push_str(&format!("   └─ {}\n", style.dim(reason)));
        }
        return;
    }
    if r.action == Action::Add {
        return;
    }
    let count = r.properties.len() + r.attributes.len();
    let mut n = 0;
    for p in &r.properties {
        n += 1;
        property_human(p, n == count, style, out);
    }
    for a in &r.attributes {
        n += 1;
        let branch = if n == count { "└─" } else { "├─" };
        out.push_str(&format!("   {branch} [~] {} (resource attribute)\n", a.key));
        values(a.old.as_ref(), a.new.as_ref(), "       ", style, out);
    }
}

fn property_human(p: &PropertyChange, last: bool, style: &Style, out: &mut String) {
    let branch = if last { "└─" } else { "├─" };
    let action = match (&p.old, &p.new) {
        (None, Some(_)) => "[+]",
        (Some(_), None) => "[-]",
        _ => "[~]",
    };
    let note = match (p.impact, &p.reason) {
        (Impact::WillReplace, Some(r)) => paint_impact(p.impact, &format!(" (requires replacement: {r})"), style),
        (Impact::MayReplace, Some(r)) => paint_impact(p.impact, &format!(" (may require replacement: {r})"), style),
        (Impact::Update, Some(r)) => style.dim(&format!(" ({r})")),
        _ => String::new(),
    };
    out.push_str(&format!("   {branch} {action} {}{note}\n", p.path));
    if p.old == p.new {
        return; // a propagated change: the expression is the same, its value is new
    }
    values(p.old.as_ref(), p.new.as_ref(), if last { "       " } else { "   │   " }, style, out);
}

fn one_line(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn values(old: Option<&Value>, new: Option<&Value>, indent: &str, style: &Style, out: &mut String) {
    let long = old.into_iter().chain(new).any(|v| one_line(v).len() > INLINE_MAX);
    if long {
        let pretty = |v: Option<&Value>| {
            v.map(|v| serde_json::to_string_pretty(v).unwrap_or_default() + "\n").unwrap_or_default()
        };
        let (a, b) = (pretty(old), pretty(new));
        let diff = TextDiff::from_lines(&a, &b);
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            for change in hunk.iter_changes() {
                let line = format!("{indent}{}{}", change.tag(), change.value().trim_end_matches('\n'));
                let line = match change.tag() {
                    similar::ChangeTag::Delete => style.removed(&line),
                    similar::ChangeTag::Insert => style.added(&line),
                    similar::ChangeTag::Equal => style.dim(&line),
                };
                out.push_str(&line);
                out.push('\n');
            }
        }
        return;
    }
    if let Some(v) = old {
        out.push_str(&style.removed(&format!("{indent}[-] {}\n", one_line(v))));
    }
    if let Some(v) = new {
        out.push_str(&style.added(&format!("{indent}[+] {}\n", one_line(v))));
    }
}

fn entries(title: &str, changes: &[EntryChange], style: &Style, out: &mut String) {
    if changes.is_empty() {
        return;
    }
    out.push_str(&format!("  {title}\n"));
    for c in changes {
        out.push_str(&format!("  {} {}\n", marker(c.action), c.key));
        values(c.old.as_ref(), c.new.as_ref(), "       ", style, out);
    }
}

/// Security entries of stacks that exist, one by one, and of stacks to be created,
/// counted per stack: a first deploy adds every role and permission, and listing each
/// would bury the changes to live access that a reviewer has to read.
fn split_security(plan: &Plan) -> (Vec<&SecurityChange>, Vec<(String, usize)>) {
    let new_stacks: Vec<&str> =
        plan.stacks.iter().filter(|s| s.status == StackStatus::ToCreate).map(|s| s.name.as_str()).collect();
    let existing = plan.security.iter().filter(|s| !new_stacks.contains(&s.stack.as_str())).collect();
    let new = new_stacks
        .iter()
        .map(|name| (name.to_string(), plan.security.iter().filter(|s| s.stack == *name).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    (existing, new)
}

fn summary_line(plan: &Plan) -> String {
    let count = |s: StackStatus| plan.stacks.iter().filter(|p| p.status == s).count();
    format!(
        "Plan: {} to create, {} to change, {} unchanged, {} blocked; {} stateful replacement(s)/deletion(s), {} access change(s) ({} broadening).",
        count(StackStatus::ToCreate),
        count(StackStatus::Changes),
        count(StackStatus::NoChanges),
        count(StackStatus::Blocked),
        plan.danger.len(),
        plan.security.len(),
        plan.security.iter().filter(|s| s.broadens).count()
    )
}

/// A markdown view for pull-request comments.
pub fn markdown(plan: &Plan) -> String {
    let mut out = format!("## matbakh-infra plan: `{}` ({})\n\n", plan.environment, plan.region);
    if !plan.danger.is_empty() {
        markdown_table(
            &mut out,
            ":rotating_light: Stateful resources that would be replaced or deleted",
            &["stack", "resource", "type", "impact", "cause"],
            plan.danger.iter().map(|d| {
                [
                    d.stack.clone(),
                    format!("`{}`", d.logical_id),
                    d.resource_type.clone(),
                    format!("**{}**", d.impact.label()),
                    escape(&d.cause),
                ]
            }),
        );
        out.push('\n');
    }
    if !plan.security.is_empty() {
        markdown_table(
            &mut out,
            "Security-relevant changes",
            &["stack", "resource", "type", "change", "broadens access"],
            {
                let (existing, new) = split_security(plan);
                let rows: Vec<[String; 5]> = existing
                    .into_iter()
                    .map(|s| {
                        [
                            s.stack.clone(),
                            format!("`{}`", s.logical_id),
                            s.resource_type.clone(),
                            escape(&s.summary),
                            (if s.broadens { "**yes**" } else { "no" }).to_owned(),
                        ]
                    })
                    .chain(new.into_iter().map(|(stack, count)| {
                        [
                            stack,
                            "(new stack)".into(),
                            "…".into(),
                            format!(
                                "{count} access-related {} added",
                                if count == 1 { "resource" } else { "resources" }
                            ),
                            "**yes**".into(),
                        ]
                    }))
                    .collect();
                rows.into_iter()
            },
        );
        out.push('\n');
    }
    markdown_table(
        &mut out,
        "Stacks",
        &["stack", "status", "resources changed", "evidence"],
        plan.stacks.iter().map(|s| {
            let status = match s.status {
                StackStatus::ToCreate => "to be created",
                StackStatus::NoChanges => "no changes",
                StackStatus::Changes => "changes",
                StackStatus::Blocked => "**blocked**",
            };
            let evidence = match s.evidence {
                Evidence::ChangeSet => "change set",
                Evidence::TemplateDiff => "template diff",
            };
            [s.name.clone(), status.to_owned(), s.changes.resources.len().to_string(), evidence.to_owned()]
        }),
    );
    for s in plan.stacks.iter().filter(|s| s.status == StackStatus::Changes || s.status == StackStatus::Blocked) {
        out.push_str(&format!("\n<details><summary><code>{}</code></summary>\n\n", s.name));
        if let Some(r) = &s.remedy {
            out.push_str(&format!("Blocked: {}\n\n", escape(r)));
        }
        out.push_str("```diff\n");
        out.push_str(&stack_text(s));
        out.push_str("```\n\n</details>\n");
    }
    out.push('\n');
    out.push_str(&summary_line(plan));
    out.push('\n');
    out
}

/// A `###` section holding one table: the header row, its separator, one line per row.
/// Cells are written as given; escape free text with [`escape`].
fn markdown_table<const N: usize>(
    out: &mut String,
    heading: &str,
    columns: &[&str; N],
    rows: impl Iterator<Item = [String; N]>,
) {
    out.push_str(&format!("### {heading}\n\n| {} |\n|{}\n", columns.join(" | "), "---|".repeat(N)));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
}

/// The plain (uncolored) terminal view of one stack, for the markdown details.
fn stack_text(stack: &StackPlan) -> String {
    let mut out = String::new();
    stack_human(stack, &Style::plain(), &mut out);
    out
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::diff::diff_templates;
    use crate::plan::model::{Evidence, PLAN_FORMAT_VERSION};
    use serde_json::json;

    fn stack(name: &str, status: StackStatus, old: serde_json::Value, new: serde_json::Value) -> StackPlan {
        StackPlan {
            id: name.into(),
            name: name.into(),
            status,
            live_status: None,
            last_updated_time: None,
            template_sha256: "x".into(),
            evidence: Evidence::TemplateDiff,
            evidence_note: None,
            remedy: None,
            changes: diff_templates(&old, &new),
            parameter_values: Vec::new(),
        }
    }

    #[test]
    fn access_changes_of_new_stacks_are_counted_not_listed() {
        let role = |n: &str| (n.to_owned(), json!({"Type": "AWS::IAM::Role", "Properties": {}}));
        let new_stack: serde_json::Map<_, _> = [role("A"), role("B"), role("C")].into_iter().collect();
        let ingress = json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"CidrIp": "0.0.0.0/0"}});
        let mut plan = Plan {
            format_version: PLAN_FORMAT_VERSION,
            tool_version: "t".into(),
            environment: "dev".into(),
            region: "eu-central-1".into(),
            stacks: vec![
                stack("live", StackStatus::Changes, json!({"Resources": {}}), json!({"Resources": {"Open": ingress}})),
                stack("fresh", StackStatus::ToCreate, serde_json::Value::Null, json!({"Resources": new_stack})),
            ],
            danger: Vec::new(),
            security: Vec::new(),
        };
        plan.analyze();
        assert_eq!(plan.security.len(), 4, "the plan itself keeps every entry");
        let text = human(&plan, &Style::plain());
        assert!(text.contains("  live Open (AWS::EC2::SecurityGroupIngress): added — broadens access\n"), "{text}");
        assert!(text.contains("  fresh (new stack): 3 access-related resources added"), "{text}");
        assert!(!text.contains("fresh A (AWS::IAM::Role)"), "{text}");
        assert!(markdown(&plan).contains("| fresh | (new stack) |"));
    }
}
