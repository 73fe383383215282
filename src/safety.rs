//! The one safety rule: which changes to resources that hold data are dangerous, and
//! which of them apply refuses unless the user names the resource with
//! `--allow-replace`. Plan's danger list, apply's preflight and apply's check of each
//! change set before it executes (a deferred stack's included) all call [`assess`] on
//! the same kind of input — a [`ResourceChange`] of the diff, with a change set's
//! verdict merged in where there is one — so they cannot disagree.
//!
//! The rule: a stateful resource (see [`crate::resource_types`]) that is replaced (for
//! sure or maybe), deleted, or removed from the stack while kept in the account (an
//! orphan: DeletionPolicy Retain; the stack no longer manages it and a later create of
//! the same name fails) is a danger, and every danger needs `--allow-replace`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::diff::Impact;
use crate::diff::{ResourceChange, TemplateDiff};
use crate::resource_types::is_stateful;

/// A change that would lose data or the stack's hold on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Danger {
    pub stack: String,
    pub logical_id: String,
    pub resource_type: String,
    pub impact: Impact,
    /// The property (or removal) that causes it.
    pub cause: String,
}

impl Danger {
    /// Removed from the stack but kept in the account.
    pub fn is_orphan(&self) -> bool {
        self.impact == Impact::Orphan
    }
}

/// The danger of one resource change, if it is one.
pub fn assess(stack: &str, change: &ResourceChange) -> Option<Danger> {
    let dangerous = matches!(change.impact, Impact::WillReplace | Impact::MayReplace | Impact::Delete | Impact::Orphan);
    if !dangerous || !is_stateful(&change.resource_type) {
        return None;
    }
    let cause = change
        .properties
        .iter()
        .filter(|p| p.impact == change.impact)
        .map(|p| match &p.reason {
            Some(r) => format!("{} ({r})", p.path),
            None => p.path.clone(),
        })
        .next()
        .or_else(|| change.reason.clone())
        .unwrap_or_else(|| change.impact.label().to_owned());
    Some(Danger {
        stack: stack.to_owned(),
        logical_id: change.logical_id.clone(),
        resource_type: change.resource_type.clone(),
        impact: change.impact,
        cause,
    })
}

/// Every danger of one stack's changes.
pub fn dangers(stack: &str, diff: &TemplateDiff) -> Vec<Danger> {
    diff.resources.iter().filter_map(|c| assess(stack, c)).collect()
}

/// The dangers the user has not allowed.
pub fn refused<'a>(dangers: impl IntoIterator<Item = &'a Danger>, allowed: &BTreeSet<String>) -> Vec<&'a Danger> {
    dangers.into_iter().filter(|d| !allowed.contains(&d.logical_id)).collect()
}

/// What to tell the user about refused dangers, and how to allow them.
pub fn refusal(refused: &[&Danger]) -> String {
    let what: Vec<String> = refused
        .iter()
        .map(|d| format!("{} {} in {} ({}): {}", d.impact.label(), d.logical_id, d.stack, d.resource_type, d.cause))
        .collect();
    format!(
        "stateful resources would lose their data or leave the stack:\n  {}\nif that is intended, pass {}",
        what.join("\n  "),
        allow_flags(refused)
    )
}

/// The flags that allow the refused dangers.
pub fn allow_flags(refused: &[&Danger]) -> String {
    let flags: Vec<String> = refused.iter().map(|d| format!("--allow-replace {}", d.logical_id)).collect();
    flags.join(" ")
}

/// Logical ids of the template's stateful resources (guarded by prod's stack policy).
pub fn stateful_resources(template: &Value) -> Vec<String> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else { return Vec::new() };
    resources
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str).is_some_and(is_stateful))
        .map(|(id, _)| id.clone())
        .collect()
}

/// The stack policy: everything may be updated, but the stateful resources may not be
/// replaced or deleted, except those in `lifted` (for the duration of one apply).
pub fn stack_policy(stateful: &[String], lifted: &BTreeSet<String>) -> String {
    let denied: Vec<String> =
        stateful.iter().filter(|id| !lifted.contains(*id)).map(|id| format!("LogicalResourceId/{id}")).collect();
    let mut statements = vec![json!({"Effect": "Allow", "Principal": "*", "Action": "Update:*", "Resource": "*"})];
    if !denied.is_empty() {
        statements.push(json!({
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["Update:Replace", "Update:Delete"],
            "Resource": denied,
        }));
    }
    serde_json::to_string(&json!({ "Statement": statements })).expect("policy serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff_templates;

    fn dangers_of(old: Value, new: Value) -> Vec<(String, Impact)> {
        dangers("s", &diff_templates(&old, &new)).into_iter().map(|d| (d.logical_id, d.impact)).collect()
    }

    #[test]
    fn replacing_a_log_group_and_removing_a_retained_resource_are_dangers() {
        let old = json!({"Resources": {
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/a"}},
            "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}
        }});
        let new = json!({"Resources": {
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/b"}}
        }});
        assert_eq!(
            dangers_of(old, new),
            [("Logs".to_owned(), Impact::WillReplace), ("Key".to_owned(), Impact::Orphan)],
            "the topic is not stateful"
        );
    }

    #[test]
    fn only_allowed_dangers_pass_and_the_refusal_names_the_flags() {
        let old =
            json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "a"}}}});
        let new =
            json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "b"}}}});
        let found = dangers("matbakh-dev-data", &diff_templates(&old, &new));
        let none = BTreeSet::new();
        let refused_now = refused(&found, &none);
        assert_eq!(refused_now.len(), 1);
        let text = refusal(&refused_now);
        assert!(text.contains("replace Db in matbakh-dev-data (AWS::RDS::DBInstance): DBInstanceIdentifier"), "{text}");
        assert!(text.contains("pass --allow-replace Db"), "{text}");
        assert!(refused(&found, &BTreeSet::from(["Db".to_owned()])).is_empty());
    }

    #[test]
    fn the_policy_denies_replace_and_delete_of_stateful_resources_except_lifted_ones() {
        let template = json!({"Resources": {
            "Primary": {"Type": "AWS::RDS::DBInstance"},
            "Key": {"Type": "AWS::KMS::Key"},
            "Logs": {"Type": "AWS::Logs::LogGroup"},
            "Sg": {"Type": "AWS::EC2::SecurityGroup"}}});
        let stateful = stateful_resources(&template);
        assert_eq!(stateful, ["Primary", "Key", "Logs"]);
        let policy: Value = serde_json::from_str(&stack_policy(&stateful, &BTreeSet::new())).unwrap();
        assert_eq!(policy["Statement"][0]["Action"], "Update:*");
        assert_eq!(policy["Statement"][1]["Effect"], "Deny");
        assert_eq!(policy["Statement"][1]["Action"], json!(["Update:Replace", "Update:Delete"]));
        let lifted: Value =
            serde_json::from_str(&stack_policy(&stateful, &BTreeSet::from(["Primary".to_owned()]))).unwrap();
        assert_eq!(lifted["Statement"][1]["Resource"], json!(["LogicalResourceId/Key", "LogicalResourceId/Logs"]));
        let all_lifted: Value =
            serde_json::from_str(&stack_policy(&["Key".into()], &BTreeSet::from(["Key".to_owned()]))).unwrap();
        assert_eq!(all_lifted["Statement"].as_array().unwrap().len(), 1, "no empty Deny statement");
    }
}
