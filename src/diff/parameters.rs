//! Comparing a live stack's parameter values with what a rendered template would use
//! (its defaults, which apply passes explicitly). Shared by plan and drift.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::aws::cloudformation::LiveStack;

/// A live parameter value that differs from what the new template would use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParameterValueChange {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// Live parameter values that differ from what the rendered template would use (its
/// defaults). `NoEcho` values are never shown.
pub fn parameter_values(stack: &LiveStack, new: &Value) -> Vec<ParameterValueChange> {
    let declared = new.get("Parameters").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (key, decl) in &declared {
        let default = decl.get("Default").map(scalar_text);
        let live = stack.parameters.get(key).cloned();
        let is_list = decl
            .get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with("List<") || t == "CommaDelimitedList");
        let same = match (&live, &default) {
            (Some(a), Some(b)) if is_list => list_items(a) == list_items(b),
            _ => live == default,
        };
        if !same {
            let hide = |v: Option<String>| {
                if decl.get("NoEcho").is_some_and(|n| n == true || n == "true") { v.map(|_| "****".into()) } else { v }
            };
            out.push(ParameterValueChange { key: key.clone(), old: hide(live), new: hide(default) });
        }
    }
    for key in stack.parameters.keys() {
        if !declared.contains_key(key) {
            out.push(ParameterValueChange { key: key.clone(), old: Some("(set)".into()), new: None });
        }
    }
    out
}

/// A scalar as text (numbers and booleans as CloudFormation prints them).
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The items of a list parameter's value. AWS returns `a,b`; the local AWS prints the
/// list in its own syntax (`['a', 'b']`), meaning the same items.
pub fn list_items(value: &str) -> Vec<String> {
    let inner = value.trim().trim_start_matches('[').trim_end_matches(']');
    inner
        .split(',')
        .map(|i| i.trim().trim_matches(|c| c == '\'' || c == '"').to_owned())
        .filter(|i| !i.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parameters_compare_by_items() {
        assert_eq!(list_items("a,b, c"), ["a", "b", "c"]);
        assert_eq!(list_items("['a', 'b', 'c']"), ["a", "b", "c"]);
        assert_ne!(list_items("a,b"), list_items("b,a"), "order matters: Fn::Select picks by index");
    }

    // The plan file carries parameter values; a NoEcho one is never among them.
    #[test]
    fn no_echo_values_never_appear() {
        let stack = crate::aws::cloudformation::LiveStack {
            name: "s".into(),
            id: "arn".into(),
            status: crate::aws::status::StackStatus::UpdateComplete,
            status_reason: None,
            last_updated: String::new(),
            parameters: [("Token".to_owned(), "hunter2-live".to_owned())].into(),
            outputs: Vec::new(),
            tags: Default::default(),
            termination_protection: false,
        };
        let new =
            serde_json::json!({"Parameters": {"Token": {"Type": "String", "NoEcho": true, "Default": "hunter2-new"}}});
        let changes = parameter_values(&stack, &new);
        let text = serde_json::to_string(&changes).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert_eq!(changes[0].old.as_deref(), Some("****"));
    }
}
