//! Drawing a plan for people: a terminal view in the style of `cdk diff` and a markdown
//! view for pull-request comments. Both list the dangers first.

use super::model::{Evidence, Plan, PlanStatus, Preparation, SecurityChange, StackPlan};
use crate::diff::render::changes_human;
use crate::diff::{Action, Impact};
use crate::style::Style;

pub fn human(plan: &Plan, style: &Style) -> String {
    let mut out = String::new();
    if !plan.will_fail.is_empty() {
        out.push_str(&style.error("Apply would fail — nothing can be applied until these are resolved:\n"));
        for w in &plan.will_fail {
            out.push_str(&style.error(&format!("  XX {}: {}\n", w.stack, w.reason)));
            out.push_str(&format!("     way out: {}\n", w.remedy));
        }
        out.push('\n');
    }
    if !plan.danger.is_empty() {
        out.push_str(
            &style.error(
                "Stateful resources that would be replaced, deleted or orphaned (each needs --allow-replace):\n",
            ),
        );
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
        PlanStatus::NoChanges => {
            out.push_str(&format!("{name}: no changes\n"));
            return;
        }
        PlanStatus::Blocked => {
            out.push_str(&format!(
                "{name}: {}\n",
                style.error(&format!("blocked — {}", stack.remedy.as_deref().unwrap_or("")))
            ));
            return;
        }
        PlanStatus::ToCreate => {
            out.push_str(&format!(
                "{name}: to be created ({} resources){}\n",
                stack.changes.resources.len(),
                preparation_note(stack, style)
            ));
            for r in &stack.changes.resources {
                out.push_str(&style.added(&format!("  [+] {} {}\n", r.resource_type, r.logical_id)));
            }
            return;
        }
        PlanStatus::Changes => {}
    }
    let evidence = match (stack.evidence, &stack.evidence_note) {
        (Evidence::ChangeSet, _) => "confirmed by a change set".to_owned(),
        (Evidence::TemplateDiff, Some(note)) => format!("template diff — {note}"),
        (Evidence::TemplateDiff, None) => "template diff".to_owned(),
    };
    out.push_str(&format!("{name} {}{}\n", style.dim(&format!("({evidence})")), preparation_note(stack, style)));
    changes_human(&stack.changes, &stack.parameter_values, style, out);
}

/// Security entries of stacks that exist, one by one, and of stacks to be created,
/// counted per stack: a first deploy adds every role and permission, and listing each
/// would bury the changes to live access that a reviewer has to read.
fn split_security(plan: &Plan) -> (Vec<&SecurityChange>, Vec<(String, usize)>) {
    let new_stacks: Vec<&str> =
        plan.stacks.iter().filter(|s| s.status == PlanStatus::ToCreate).map(|s| s.name.as_str()).collect();
    let existing = plan.security.iter().filter(|s| !new_stacks.contains(&s.stack.as_str())).collect();
    let new = new_stacks
        .iter()
        .map(|name| (name.to_string(), plan.security.iter().filter(|s| s.stack == *name).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    (existing, new)
}

/// Which change set apply executes, or why it makes it later.
fn preparation_note(stack: &StackPlan, style: &Style) -> String {
    match &stack.change_set {
        Some(Preparation::Prepared { name, .. }) => style.dim(&format!(" — change set {name}")),
        Some(Preparation::Deferred { reason }) => style.warning(&format!(" — deferred: {reason}")),
        None => String::new(),
    }
}

fn summary_line(plan: &Plan) -> String {
    let count = |s: PlanStatus| plan.stacks.iter().filter(|p| p.status == s).count();
    let deferred = plan.stacks.iter().filter(|s| matches!(s.change_set, Some(Preparation::Deferred { .. }))).count();
    let resources = plan.stacks.iter().filter(|s| s.change_set.is_some()).flat_map(|s| &s.changes.resources);
    let (mut add, mut change, mut replace, mut remove) = (0, 0, 0, 0);
    for r in resources {
        match (r.action, r.impact) {
            (Action::Add, _) => add += 1,
            (Action::Remove, _) => remove += 1,
            (Action::Modify, Impact::WillReplace | Impact::MayReplace) => replace += 1,
            (Action::Modify, _) => change += 1,
        }
    }
    format!(
        "Plan: {} stacks: {add} resources to add, {change} to change, {replace} to replace, {remove} to remove; {} stacks to create, {} to change, {} unchanged, {} blocked, {deferred} change set(s) deferred to apply; {} will fail; {} stateful replacement(s)/deletion(s), {} access change(s) ({} broadening).",
        plan.stacks.len(),
        count(PlanStatus::ToCreate),
        count(PlanStatus::Changes),
        count(PlanStatus::NoChanges),
        count(PlanStatus::Blocked),
        plan.will_fail.len(),
        plan.danger.len(),
        plan.security.len(),
        plan.security.iter().filter(|s| s.broadens).count()
    )
}

/// A markdown view for pull-request comments.
pub fn markdown(plan: &Plan) -> String {
    let mut out = format!("## matbakh-infra plan: `{}` ({})\n\n", plan.environment, plan.region);
    if !plan.will_fail.is_empty() {
        markdown_table(
            &mut out,
            ":x: Apply would fail",
            &["stack", "reason", "way out"],
            plan.will_fail.iter().map(|w| [w.stack.clone(), escape(&w.reason), escape(&w.remedy)]),
        );
        out.push('\n');
    }
    if !plan.danger.is_empty() {
        markdown_table(
            &mut out,
            ":rotating_light: Stateful resources that would be replaced, deleted or orphaned",
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
        &["stack", "status", "resources changed", "evidence", "change set"],
        plan.stacks.iter().map(|s| {
            let status = match s.status {
                PlanStatus::ToCreate => "to be created",
                PlanStatus::NoChanges => "no changes",
                PlanStatus::Changes => "changes",
                PlanStatus::Blocked => "**blocked**",
            };
            let evidence = match s.evidence {
                Evidence::ChangeSet => "change set",
                Evidence::TemplateDiff => "template diff",
            };
            let change_set = match &s.change_set {
                Some(Preparation::Prepared { name, .. }) => format!("`{name}`"),
                Some(Preparation::Deferred { .. }) => "deferred".to_owned(),
                None => "—".to_owned(),
            };
            [s.name.clone(), status.to_owned(), s.changes.resources.len().to_string(), evidence.to_owned(), change_set]
        }),
    );
    for s in plan.stacks.iter().filter(|s| s.status == PlanStatus::Changes || s.status == PlanStatus::Blocked) {
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
    use crate::diff::diff_templates;
    use crate::plan::model::{Evidence, PLAN_FORMAT_VERSION};
    use serde_json::json;

    fn stack(name: &str, status: PlanStatus, old: serde_json::Value, new: serde_json::Value) -> StackPlan {
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
            change_set: None,
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
                stack("live", PlanStatus::Changes, json!({"Resources": {}}), json!({"Resources": {"Open": ingress}})),
                stack("fresh", PlanStatus::ToCreate, serde_json::Value::Null, json!({"Resources": new_stack})),
            ],
            will_fail: Vec::new(),
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
        // Stacks with something to execute count their resources.
        for s in &mut plan.stacks {
            s.change_set = Some(Preparation::Deferred { reason: "r".into() });
        }
        let text = human(&plan, &Style::plain());
        assert!(text.contains("Plan: 2 stacks: 4 resources to add, 0 to change, 0 to replace, 0 to remove; 1 stacks to create, 1 to change, 0 unchanged, 0 blocked, 2 change set(s) deferred to apply"), "{text}");
    }
}
