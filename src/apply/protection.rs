//! Protecting stateful resources: which resources count, the stack policy that denies
//! replacing or deleting them (prod), and the check that refuses such changes unless
//! the user named the resource with `--allow-replace`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::aws::cloudformation::ChangeSet;
use crate::plan::STATEFUL_TYPES;

/// Logical ids of the template's resources that hold data or identity (log groups are
/// left out of the stack policy: replacing one loses nothing the plan does not show).
pub fn stateful_resources(template: &Value) -> Vec<String> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else { return Vec::new() };
    resources
        .iter()
        .filter(|(_, r)| {
            r.get("Type")
                .and_then(Value::as_str)
                .is_some_and(|t| STATEFUL_TYPES.contains(&t) && t != "AWS::Logs::LogGroup")
        })
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

/// A stateful resource the change set would replace or delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destructive {
    pub logical_id: String,
    pub resource_type: String,
    /// `replace`, `may replace` or `delete`.
    pub what: &'static str,
}

/// Stateful resources the change set replaces (for sure or maybe) or removes.
pub fn destructive_changes(change_set: &ChangeSet) -> Vec<Destructive> {
    change_set
        .changes
        .iter()
        .filter(|c| STATEFUL_TYPES.contains(&c.resource_type.as_str()))
        .filter_map(|c| {
            let what = match (c.action.as_str(), c.replacement.as_deref()) {
                ("Remove", _) => "delete",
                ("Modify", Some("True")) => "replace",
                ("Modify", Some("Conditional")) => "may replace",
                _ => return None,
            };
            Some(Destructive { logical_id: c.logical_id.clone(), resource_type: c.resource_type.clone(), what })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::cloudformation::ChangeSetResource;

    #[test]
    fn the_policy_denies_replace_and_delete_of_stateful_resources_except_lifted_ones() {
        let template = json!({"Resources": {
            "Primary": {"Type": "AWS::RDS::DBInstance"},
            "Key": {"Type": "AWS::KMS::Key"},
            "Logs": {"Type": "AWS::Logs::LogGroup"},
            "Sg": {"Type": "AWS::EC2::SecurityGroup"}}});
        let stateful = stateful_resources(&template);
        assert_eq!(stateful, ["Primary", "Key"]);
        let policy: Value = serde_json::from_str(&stack_policy(&stateful, &BTreeSet::new())).unwrap();
        assert_eq!(policy["Statement"][0]["Action"], "Update:*");
        assert_eq!(policy["Statement"][1]["Effect"], "Deny");
        assert_eq!(policy["Statement"][1]["Action"], json!(["Update:Replace", "Update:Delete"]));
        assert_eq!(policy["Statement"][1]["Resource"], json!(["LogicalResourceId/Primary", "LogicalResourceId/Key"]));
        let lifted: Value =
            serde_json::from_str(&stack_policy(&stateful, &BTreeSet::from(["Primary".to_owned()]))).unwrap();
        assert_eq!(lifted["Statement"][1]["Resource"], json!(["LogicalResourceId/Key"]));
        let all_lifted: Value =
            serde_json::from_str(&stack_policy(&["Key".into()], &BTreeSet::from(["Key".to_owned()]))).unwrap();
        assert_eq!(all_lifted["Statement"].as_array().unwrap().len(), 1, "no empty Deny statement");
    }

    #[test]
    fn destructive_changes_are_stateful_replacements_and_removals() {
        let change = |action: &str, logical: &str, kind: &str, replacement: Option<&str>| ChangeSetResource {
            action: action.into(),
            logical_id: logical.into(),
            resource_type: kind.into(),
            replacement: replacement.map(str::to_owned),
            ..Default::default()
        };
        let cs = ChangeSet {
            changes: vec![
                change("Modify", "Primary", "AWS::RDS::DBInstance", Some("True")),
                change("Modify", "Redis", "AWS::ElastiCache::ReplicationGroup", Some("Conditional")),
                change("Modify", "Key", "AWS::KMS::Key", Some("False")),
                change("Remove", "Secret", "AWS::SecretsManager::Secret", None),
                change("Modify", "Sg", "AWS::EC2::SecurityGroup", Some("True")),
            ],
            ..Default::default()
        };
        let found: Vec<(String, &str)> = destructive_changes(&cs).into_iter().map(|d| (d.logical_id, d.what)).collect();
        assert_eq!(
            found,
            [("Primary".into(), "replace"), ("Redis".into(), "may replace"), ("Secret".into(), "delete")]
        );
    }
}
