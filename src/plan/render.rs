//! Drawing a plan for people: a terminal view in the style of `cdk diff` and a markdown
//! view for pull-request comments (stacks in ```` ```diff ```` blocks GitHub colours).
//! Both list the dangers first, and show what each added access resource allows.

use super::model::{Evidence, Plan, PlanStatus, Preparation, SecurityChange, StackPlan};
use crate::diff::render::{Mark, View, changes_view, resource_view};
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
            for d in &s.details {
                out.push_str(&format!("      {d}\n"));
            }
        }
        for (stack, count) in new {
            out.push_str(&format!(
                "  {stack} (new stack): {count} access-related {} added — each is shown with the stack below\n",
                if count == 1 { "resource" } else { "resources" }
            ));
        }
        out.push('\n');
    }
    for stack in &plan.stacks {
        stack_view(stack, &View::terminal(style), &mut out);
    }
    out.push_str(&summary_line(plan));
    out.push('\n');
    out
}

fn stack_view(stack: &StackPlan, view: &View, out: &mut String) {
    let style = &view.style;
    let name = style.bold(&stack.name);
    match stack.status {
        PlanStatus::NoChanges => {
            view.line(out, Mark::Context, &format!("{name}: no changes"));
            return;
        }
        PlanStatus::Blocked => {
            view.line(
                out,
                Mark::Context,
                &format!("{name}: {}", style.error(&format!("blocked — {}", stack.remedy.as_deref().unwrap_or("")))),
            );
            return;
        }
        PlanStatus::ToCreate => {
            view.line(
                out,
                Mark::Context,
                &format!(
                    "{name}: to be created ({} resources){}",
                    stack.changes.resources.len(),
                    preparation_note(stack, style)
                ),
            );
            for r in &stack.changes.resources {
                resource_view(r, view, out);
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
    view.line(
        out,
        Mark::Context,
        &format!("{name} {}{}", style.dim(&format!("({evidence})")), preparation_note(stack, style)),
    );
    changes_view(&stack.changes, &stack.parameter_values, view, out);
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

/// `1 stack`, `11 stacks`.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn summary_line(plan: &Plan) -> String {
    let s = plan.summary();
    format!(
        "Plan: {}: {} to add, {} to change, {} to replace, {} to remove; {} to create, {} to change, {} unchanged, {} blocked, {} change set(s) deferred to apply; {} will fail; {} stateful replacement(s)/deletion(s), {} access change(s) ({} broadening).",
        counted(s.stacks, "stack"),
        counted(s.resources_to_add, "resource"),
        s.resources_to_change,
        s.resources_to_replace,
        s.resources_to_remove,
        counted(s.stacks_to_create, "stack"),
        s.stacks_to_change,
        s.stacks_unchanged,
        s.stacks_blocked,
        s.change_sets_deferred,
        s.will_fail,
        s.dangers,
        s.access_changes,
        s.access_broadening
    )
}

/// A markdown view for pull-request comments.
pub fn markdown(plan: &Plan) -> String {
    let mut out = format!(
        "## matbakh-infra plan: `{}` in {} / {}\n\n",
        plan.environment,
        if plan.account.is_empty() { "an unrecorded account" } else { &plan.account },
        plan.region
    );
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
                            change_cell(s),
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
    for s in plan.stacks.iter().filter(|s| s.status != PlanStatus::NoChanges) {
        out.push_str(&format!("\n<details><summary><code>{}</code></summary>\n\n", s.name));
        if let Some(r) = &s.remedy {
            out.push_str(&format!("Blocked: {}\n\n", escape(r)));
        }
        out.push_str("```diff\n");
        stack_view(s, &View::diff_block(), &mut out);
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

/// A security entry's change, with what an added resource allows, one line each.
fn change_cell(s: &SecurityChange) -> String {
    let mut cell = escape(&s.summary);
    for d in &s.details {
        // In a code span `*` and `_` stay literal (`s3:*`); `|` still needs its escape.
        cell.push_str(&format!(
            "<br>{}: `{}`",
            d.property,
            d.text.replace('`', "'").replace('|', "\\|").replace('\n', " ")
        ));
    }
    cell
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('<', "&lt;").replace('\n', " ")
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
            account: "123456789012".into(),
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
        assert!(text.contains("Plan: 2 stacks: 4 resources to add, 0 to change, 0 to replace, 0 to remove; 1 stack to create, 1 to change, 0 unchanged, 0 blocked, 2 change set(s) deferred to apply"), "{text}");
    }

    fn plan_of(stacks: Vec<StackPlan>) -> Plan {
        let mut plan = Plan {
            format_version: PLAN_FORMAT_VERSION,
            tool_version: "t".into(),
            environment: "dev".into(),
            account: "123456789012".into(),
            region: "eu-central-1".into(),
            stacks,
            will_fail: Vec::new(),
            danger: Vec::new(),
            security: Vec::new(),
        };
        for s in &mut plan.stacks {
            s.change_set = Some(Preparation::Deferred { reason: "r".into() });
        }
        plan.analyze();
        plan
    }

    fn ssh_rule() -> serde_json::Value {
        json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Fn::GetAtt": ["BastionSg", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}})
    }

    /// A live network stack: a subnet replaced, a route table retagged in place, a
    /// subnet removed and an SSH rule added.
    fn network_change() -> StackPlan {
        let subnet =
            |cidr: &str| json!({"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-1", "CidrBlock": cidr}});
        let table = |tag: &str| json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": "vpc-1", "Tags": [{"Key": "t", "Value": tag}]}});
        let old =
            json!({"Resources": {"Public2": subnet("10.0.2.0/24"), "Table": table("a"), "Old": subnet("10.0.9.0/24")}});
        let new = json!({"Resources": {"Public2": subnet("10.0.3.0/24"), "Table": table("b"), "BastionIngressSsh1": ssh_rule()}});
        stack("matbakh-dev-network", PlanStatus::Changes, old, new)
    }

    #[test]
    fn an_added_rule_shows_what_it_opens_in_the_security_list_and_the_stack() {
        let plan = plan_of(vec![network_change()]);
        let text = human(&plan, &Style::plain());
        let rule = "SecurityGroupIngress: tcp 22 from 0.0.0.0/0 (anywhere) into group BastionSg.GroupId";
        assert!(
            text.contains(&format!("  matbakh-dev-network BastionIngressSsh1 (AWS::EC2::SecurityGroupIngress): added — broadens access\n      {rule}\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("  [+] AWS::EC2::SecurityGroupIngress BastionIngressSsh1\n   └─ {rule}\n")),
            "{text}"
        );
        let md = markdown(&plan);
        assert!(
            md.contains("| added<br>SecurityGroupIngress: `tcp 22 from 0.0.0.0/0 (anywhere) into group BastionSg.GroupId` | **yes** |"),
            "{md}"
        );
    }

    #[test]
    fn markdown_stacks_are_diff_blocks_marked_for_github() {
        let fresh = json!({"Resources": {"Rule": ssh_rule()}});
        let plan = plan_of(vec![
            network_change(),
            stack("matbakh-dev-edge", PlanStatus::ToCreate, serde_json::Value::Null, fresh),
        ]);
        let md = markdown(&plan);
        let block = |name: &str| -> Vec<String> {
            let start = md.find(&format!("<summary><code>{name}</code>")).unwrap_or_else(|| panic!("{name}: {md}"));
            let body = &md[start..];
            let body = &body[body.find("```diff\n").unwrap() + 8..];
            body[..body.find("```\n").unwrap()].lines().map(str::to_owned).collect()
        };
        let network = block("matbakh-dev-network");
        let line = |needle: &str| {
            network.iter().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}: {network:#?}")).clone()
        };
        assert!(line("[~] AWS::EC2::Subnet Public2").starts_with("-  [~]"), "a replacement is red: {network:#?}");
        assert!(line("[~] CidrBlock").starts_with('-'), "{network:#?}");
        assert!(line("[~] AWS::EC2::RouteTable Table").starts_with("!  [~]"), "in place is orange: {network:#?}");
        assert!(line("[+] AWS::EC2::SecurityGroupIngress").starts_with("+  [+]"), "{network:#?}");
        assert!(line("└─ SecurityGroupIngress: tcp 22").starts_with('+'), "{network:#?}");
        assert!(line("[-] AWS::EC2::Subnet Old").starts_with("-  [-]"), "{network:#?}");
        assert!(line("[+] 10.0.3.0/24").starts_with('+') && line("[-] 10.0.2.0/24").starts_with('-'));
        assert!(network.iter().all(|l| matches!(l.chars().next(), Some('+' | '-' | '!' | ' '))), "{network:#?}");
        // A new stack gets its block too, each resource with what it allows.
        let edge = block("matbakh-dev-edge");
        assert_eq!(edge[1], "+  [+] AWS::EC2::SecurityGroupIngress Rule", "{edge:#?}");
        assert!(edge[2].starts_with("+   └─ SecurityGroupIngress: tcp 22 from 0.0.0.0/0"), "{edge:#?}");
        assert!(md.contains("Plan: 2 stacks: 2 resources to add, 1 to change, 1 to replace, 1 to remove;"), "{md}");
    }

    #[test]
    fn the_json_plan_carries_its_summary_and_each_added_grant_in_words() {
        let plan = plan_of(vec![network_change()]);
        let json: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
        assert_eq!(json["summary"]["stacks"], 1);
        assert_eq!(json["summary"]["resources_to_add"], 1);
        assert_eq!(json["summary"]["resources_to_replace"], 1);
        assert_eq!(json["summary"]["resources_to_change"], 1);
        assert_eq!(json["summary"]["resources_to_remove"], 1);
        let entry = &json["security"][0];
        assert_eq!(entry["logical_id"], "BastionIngressSsh1");
        assert_eq!(entry["properties"], json!(["GroupId", "IpProtocol", "FromPort", "ToPort", "CidrIp"]));
        assert_eq!(
            entry["details"],
            json!([{"property": "SecurityGroupIngress", "text": "tcp 22 from 0.0.0.0/0 (anywhere) into group BastionSg.GroupId"}])
        );
        // A saved plan still reads back (the summary is derived, not stored).
        let back: Plan = serde_json::from_value(json).unwrap();
        assert_eq!(back, plan);
    }
}
