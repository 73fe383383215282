//! What a change does to a resource, ranked from harmless to destructive (the order
//! CDK's diff uses), and the registry-based test for replacement.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cfn::registry;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    NoChange,
    /// Updated in place.
    Update,
    Create,
    /// Removed from the template but kept in the account (DeletionPolicy Retain).
    Orphan,
    /// Replaced or not, depending on the change (conditionally create-only).
    MayReplace,
    /// A new physical resource replaces the old one (create-only property, type change).
    WillReplace,
    Delete,
}

impl Impact {
    pub fn label(self) -> &'static str {
        match self {
            Impact::NoChange => "no change",
            Impact::Update => "update",
            Impact::Create => "create",
            Impact::Orphan => "orphan",
            Impact::MayReplace => "may replace",
            Impact::WillReplace => "replace",
            Impact::Delete => "delete",
        }
    }

    /// Replaces or deletes the physical resource.
    pub fn is_destructive(self) -> bool {
        matches!(self, Impact::MayReplace | Impact::WillReplace | Impact::Delete)
    }
}

/// How changing the property at `path` (registry form, e.g. `VpcConfig/SubnetIds`)
/// from `old` to `new` affects a resource of `type_name`, with the registry path that
/// decides it.
pub fn property_impact(
    type_name: &str,
    path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
) -> (Impact, Option<String>) {
    let Some(schema) = registry::schema(type_name) else {
        // Unknown type: we cannot tell, so say the worst that is plausible.
        return (Impact::MayReplace, None);
    };
    for (paths, impact) in
        [(schema.create_only, Impact::WillReplace), (schema.conditional_create_only, Impact::MayReplace)]
    {
        if let Some(hit) = paths.iter().find(|p| changes_path(path, old, new, p)) {
            return (impact, Some((*hit).to_owned()));
        }
    }
    (Impact::Update, None)
}

/// Does a change at `changed` (old → new) change the value at registry path `target`?
fn changes_path(changed: &str, old: Option<&Value>, new: Option<&Value>, target: &str) -> bool {
    let changed_parts: Vec<&str> = changed.split('/').collect();
    let target_parts: Vec<&str> = target.split('/').collect();
    let n = changed_parts.len().min(target_parts.len());
    if !changed_parts[..n].iter().zip(&target_parts[..n]).all(|(c, t)| *t == "*" || c == t) {
        return false;
    }
    if target_parts.len() <= changed_parts.len() {
        return true; // the change is at or below a create-only property
    }
    // The create-only property is deeper than the change: compare what is at its path.
    let rest = &target_parts[changed_parts.len()..];
    let at = |v: Option<&Value>| select(v, rest);
    at(old) != at(new)
}

/// Values at a relative path; `*` fans out over array items.
fn select(value: Option<&Value>, path: &[&str]) -> Vec<Value> {
    let Some(value) = value else { return Vec::new() };
    let Some((head, tail)) = path.split_first() else { return vec![value.clone()] };
    match (*head, value) {
        ("*", Value::Array(items)) => items.iter().flat_map(|i| select(Some(i), tail)).collect(),
        (key, Value::Object(map)) => select(map.get(key), tail),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn impacts_rank_from_harmless_to_destructive() {
        assert!(Impact::Update < Impact::Create && Impact::Create < Impact::Orphan);
        assert!(Impact::MayReplace < Impact::WillReplace && Impact::WillReplace < Impact::Delete);
    }

    #[test]
    fn create_only_properties_replace_and_conditional_ones_may() {
        let v = |s: &str| json!(s);
        let (i, why) = property_impact("AWS::EC2::VPC", "CidrBlock", Some(&v("10.0.0.0/16")), Some(&v("10.1.0.0/16")));
        assert_eq!((i, why.as_deref()), (Impact::WillReplace, Some("CidrBlock")));
        let (i, _) = property_impact("AWS::RDS::DBInstance", "MultiAZ", Some(&json!(false)), Some(&json!(true)));
        assert_eq!(i, Impact::MayReplace);
        let (i, _) =
            property_impact("AWS::RDS::DBInstance", "DeletionProtection", Some(&json!(false)), Some(&json!(true)));
        assert_eq!(i, Impact::Update);
        let (i, _) = property_impact("AWS::Unknown::Thing", "X", None, Some(&json!(1)));
        assert_eq!(i, Impact::MayReplace);
    }

    #[test]
    fn a_change_above_a_nested_create_only_path_replaces_only_if_that_value_changed() {
        // ElastiCache: NodeGroupConfiguration is conditionally create-only as a whole;
        // use a synthetic check of the path logic instead of a registry fact.
        let old = json!({"A": 1, "B": 2});
        let new_same_a = json!({"A": 1, "B": 3});
        let new_other_a = json!({"A": 9, "B": 2});
        assert!(!changes_path("P", Some(&old), Some(&new_same_a), "P/A"));
        assert!(changes_path("P", Some(&old), Some(&new_other_a), "P/A"));
        assert!(changes_path("P/A/X", None, None, "P/A"));
        assert!(changes_path("P/0/A", None, None, "P/*/A"));
        assert!(!changes_path("Q", None, None, "P"));
    }
}
