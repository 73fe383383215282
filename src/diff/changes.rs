//! The template diff engine: compares two normalized templates section by section and
//! resource by resource, with a property-level list of old → new values and an impact
//! per change. Replacement comes from the registry's create-only tables and propagates:
//! a resource that references a replaced resource in a create-only property is itself
//! replaced, until nothing changes (as `cdk diff` does).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::impact::{Impact, property_impact};
use crate::cfn::registry;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Add,
    Remove,
    Modify,
}

/// A change to an entry of a section other than Resources (a parameter, an output…).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryChange {
    pub key: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PropertyChange {
    /// Top-level property name, e.g. `CidrBlock`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    pub impact: Impact,
    /// Why, when the impact is a replacement: the create-only path or the replaced reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub logical_id: String,
    pub action: Action,
    pub resource_type: String,
    pub impact: Impact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub properties: Vec<PropertyChange>,
    /// DeletionPolicy, UpdateReplacePolicy, DependsOn, Metadata, Condition.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub attributes: Vec<EntryChange>,
}

impl ResourceChange {
    /// The properties as the new template has them (an added resource's whole set).
    pub fn new_properties(&self) -> Map<String, Value> {
        self.properties.iter().filter_map(|p| Some((p.path.clone(), p.new.clone()?))).collect()
    }

    /// What the resource allows once changed, in words (empty for a type that grants
    /// or guards nothing); see [`super::access`].
    pub fn access_details(&self) -> Vec<super::access::AccessDetail> {
        super::access::describe(&self.resource_type, &self.new_properties())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateDiff {
    pub parameters: Vec<EntryChange>,
    pub conditions: Vec<EntryChange>,
    pub resources: Vec<ResourceChange>,
    pub outputs: Vec<EntryChange>,
    /// Description, Metadata, Mappings, Transform and any other top-level section.
    pub other: Vec<EntryChange>,
}

impl TemplateDiff {
    pub fn is_empty(&self) -> bool {
        self.parameters.is_empty()
            && self.conditions.is_empty()
            && self.resources.is_empty()
            && self.outputs.is_empty()
            && self.other.is_empty()
    }

    pub fn resource(&self, logical_id: &str) -> Option<&ResourceChange> {
        self.resources.iter().find(|r| r.logical_id == logical_id)
    }

    /// The highest impact of any resource change.
    pub fn max_impact(&self) -> Impact {
        self.resources.iter().map(|r| r.impact).max().unwrap_or(Impact::NoChange)
    }
}

const SECTIONS: [&str; 4] = ["Parameters", "Conditions", "Resources", "Outputs"];
const RESOURCE_ATTRIBUTES: [&str; 5] = ["DeletionPolicy", "UpdateReplacePolicy", "DependsOn", "Metadata", "Condition"];

/// Diffs two normalized templates (see [`super::normalize`]). `old` is the deployed
/// template (`Value::Null` for a stack that does not exist yet).
pub fn diff_templates(old: &Value, new: &Value) -> TemplateDiff {
    let section = |v: &Value, name: &str| v.get(name).and_then(Value::as_object).cloned().unwrap_or_default();
    let mut diff = TemplateDiff {
        parameters: diff_entries(&section(old, "Parameters"), &section(new, "Parameters")),
        conditions: diff_entries(&section(old, "Conditions"), &section(new, "Conditions")),
        outputs: diff_entries(&section(old, "Outputs"), &section(new, "Outputs")),
        other: diff_entries(&others(old), &others(new)),
        resources: Vec::new(),
    };
    let old_resources = section(old, "Resources");
    let new_resources = section(new, "Resources");
    for (id, new_r) in &new_resources {
        let change = match old_resources.get(id) {
            None => Some(added(id, new_r)),
            Some(old_r) => modified(id, old_r, new_r),
        };
        diff.resources.extend(change);
    }
    for (id, old_r) in &old_resources {
        if !new_resources.contains_key(id) {
            diff.resources.push(removed(id, old_r));
        }
    }
    propagate_replacements(&mut diff, &new_resources);
    diff
}

fn others(template: &Value) -> Map<String, Value> {
    template
        .as_object()
        .map(|m| {
            m.iter().filter(|(k, _)| !SECTIONS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
        })
        .unwrap_or_default()
}

fn diff_entries(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<EntryChange> {
    let mut out = Vec::new();
    for (key, n) in new {
        match old.get(key) {
            None => out.push(EntryChange { key: key.clone(), action: Action::Add, old: None, new: Some(n.clone()) }),
            Some(o) if o != n => out.push(EntryChange {
                key: key.clone(),
                action: Action::Modify,
                old: Some(o.clone()),
                new: Some(n.clone()),
            }),
            Some(_) => {}
        }
    }
    for (key, o) in old {
        if !new.contains_key(key) {
            out.push(EntryChange { key: key.clone(), action: Action::Remove, old: Some(o.clone()), new: None });
        }
    }
    out
}

fn type_of(resource: &Value) -> String {
    resource["Type"].as_str().unwrap_or_default().to_owned()
}

fn properties(resource: &Value) -> Map<String, Value> {
    resource.get("Properties").and_then(Value::as_object).cloned().unwrap_or_default()
}

fn added(id: &str, resource: &Value) -> ResourceChange {
    ResourceChange {
        logical_id: id.to_owned(),
        action: Action::Add,
        resource_type: type_of(resource),
        impact: Impact::Create,
        reason: None,
        properties: properties(resource)
            .into_iter()
            .map(|(k, v)| PropertyChange { path: k, old: None, new: Some(v), impact: Impact::Create, reason: None })
            .collect(),
        attributes: Vec::new(),
    }
}

fn removed(id: &str, resource: &Value) -> ResourceChange {
    let policy = resource["DeletionPolicy"].as_str();
    let retained = matches!(policy, Some("Retain") | Some("RetainExceptOnCreate"));
    ResourceChange {
        logical_id: id.to_owned(),
        action: Action::Remove,
        resource_type: type_of(resource),
        impact: if retained { Impact::Orphan } else { Impact::Delete },
        reason: Some(if retained {
            "DeletionPolicy Retain: removed from the stack, kept in the account".to_owned()
        } else {
            "removed from the template".to_owned()
        }),
        properties: Vec::new(),
        attributes: Vec::new(),
    }
}

fn modified(id: &str, old: &Value, new: &Value) -> Option<ResourceChange> {
    let (old_type, new_type) = (type_of(old), type_of(new));
    let (old_props, new_props) = (properties(old), properties(new));
    let mut props = Vec::new();
    for entry in diff_entries(&old_props, &new_props) {
        let (impact, why) = property_impact(&new_type, &entry.key, entry.old.as_ref(), entry.new.as_ref());
        props.push(PropertyChange {
            path: entry.key,
            old: entry.old,
            new: entry.new,
            impact,
            reason: why.map(|p| {
                format!("{p} is create-only{}", if impact == Impact::MayReplace { " in some cases" } else { "" })
            }),
        });
    }
    let attributes: Vec<EntryChange> = {
        let pick = |r: &Value| -> Map<String, Value> {
            RESOURCE_ATTRIBUTES.iter().filter_map(|a| r.get(*a).map(|v| ((*a).to_owned(), v.clone()))).collect()
        };
        diff_entries(&pick(old), &pick(new))
    };
    if old_type == new_type && props.is_empty() && attributes.is_empty() {
        return None;
    }
    let (impact, reason) = if old_type != new_type {
        (Impact::WillReplace, Some(format!("type changes from {old_type} to {new_type}")))
    } else {
        let worst = props.iter().max_by_key(|p| p.impact);
        match worst {
            Some(p) if p.impact > Impact::Update => (p.impact, p.reason.clone()),
            _ => (Impact::Update, None),
        }
    };
    Some(ResourceChange {
        logical_id: id.to_owned(),
        action: Action::Modify,
        resource_type: new_type,
        impact,
        reason,
        properties: props,
        attributes,
    })
}

/// A resource whose property refers to a replaced resource gets a new value there (the
/// new physical id or attribute), which may replace it too. Repeats until stable.
fn propagate_replacements(diff: &mut TemplateDiff, new_resources: &Map<String, Value>) {
    loop {
        let replaced: BTreeMap<String, Impact> = diff
            .resources
            .iter()
            .filter(|r| r.action == Action::Modify && matches!(r.impact, Impact::WillReplace | Impact::MayReplace))
            .map(|r| (r.logical_id.clone(), r.impact))
            .collect();
        let mut changed = false;
        for (id, resource) in new_resources {
            if diff.resource(id).is_some_and(|r| r.action == Action::Add) {
                continue;
            }
            let type_name = type_of(resource);
            for (key, value) in properties(resource) {
                let mut refs = BTreeSet::new();
                references(&value, &mut refs);
                let Some((source, source_impact)) =
                    refs.iter().find_map(|r| replaced.get(r).map(|i| (r.clone(), *i))).filter(|(s, _)| s != id)
                else {
                    continue;
                };
                let mut impact = reference_impact(&type_name, &key);
                if source_impact == Impact::MayReplace && impact == Impact::WillReplace {
                    impact = Impact::MayReplace;
                }
                let verb = if source_impact == Impact::WillReplace { "will" } else { "may" };
                let reason = format!("references {source}, which {verb} be replaced");
                if upsert_propagated(diff, id, &type_name, &key, &value, impact, reason) {
                    changed = true;
                }
            }
        }
        if !changed {
            return;
        }
    }
}

/// Adds a propagated property change; returns whether the resource's impact rose.
fn upsert_propagated(
    diff: &mut TemplateDiff,
    id: &str,
    type_name: &str,
    key: &str,
    value: &Value,
    impact: Impact,
    reason: String,
) -> bool {
    let index = match diff.resources.iter().position(|r| r.logical_id == id) {
        Some(i) => i,
        None => {
            diff.resources.push(ResourceChange {
                logical_id: id.to_owned(),
                action: Action::Modify,
                resource_type: type_name.to_owned(),
                impact: Impact::NoChange,
                reason: None,
                properties: Vec::new(),
                attributes: Vec::new(),
            });
            diff.resources.len() - 1
        }
    };
    let r = &mut diff.resources[index];
    match r.properties.iter_mut().find(|p| p.path == key) {
        Some(p) if p.impact >= impact => {}
        Some(p) => {
            p.impact = impact;
            p.reason = Some(reason.clone());
        }
        None => r.properties.push(PropertyChange {
            path: key.to_owned(),
            old: Some(value.clone()),
            new: Some(value.clone()),
            impact,
            reason: Some(reason.clone()),
        }),
    }
    let rose = impact > r.impact;
    if rose {
        r.impact = impact;
        r.reason = Some(reason);
    }
    rose
}

/// The impact of a new value in a property whose expression stays the same.
fn reference_impact(type_name: &str, key: &str) -> Impact {
    let Some(schema) = registry::schema(type_name) else { return Impact::MayReplace };
    let under = |p: &&str| *p == key || p.starts_with(&format!("{key}/"));
    if schema.create_only.iter().any(under) {
        Impact::WillReplace
    } else if schema.conditional_create_only.iter().any(under) {
        Impact::MayReplace
    } else {
        Impact::Update
    }
}

/// Logical ids an expression refers to through `Ref`, `Fn::GetAtt` or `${…}` in `Fn::Sub`.
pub fn references(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("Ref", Value::String(id)) if !id.starts_with("AWS::") => {
                        out.insert(id.clone());
                    }
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        if let Some(id) = parts.first().and_then(Value::as_str) {
                            out.insert(id.to_owned());
                        }
                    }
                    ("Fn::Sub", sub) => {
                        let (text, vars) = match sub {
                            Value::String(t) => (t.as_str(), None),
                            Value::Array(a) => (a.first().and_then(Value::as_str).unwrap_or_default(), a.get(1)),
                            _ => ("", None),
                        };
                        let named: BTreeSet<&str> = vars
                            .and_then(Value::as_object)
                            .map(|m| m.keys().map(String::as_str).collect())
                            .unwrap_or_default();
                        for var in sub_variables(text) {
                            let id = var.split('.').next().unwrap_or(var);
                            if !id.starts_with("AWS::") && !named.contains(id) {
                                out.insert(id.to_owned());
                            }
                        }
                        if let Some(v) = vars {
                            references(v, out);
                        }
                    }
                    _ => references(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| references(i, out)),
        _ => {}
    }
}

/// `${Name}` variables of a `Fn::Sub` string, skipping `${!Literal}` escapes.
fn sub_variables(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let var = &after[..end];
        if !var.starts_with('!') {
            out.push(var);
        }
        rest = &after[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::normalize::parse_template;
    use serde_json::json;

    fn t(resources: Value) -> Value {
        json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
    }

    fn vpc(cidr: &str) -> Value {
        json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr, "EnableDnsSupport": true}})
    }

    fn subnet(vpc_ref: Value, cidr: &str) -> Value {
        json!({"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": vpc_ref, "CidrBlock": cidr}})
    }

    #[test]
    fn in_place_property_update() {
        let old = t(json!({"Vpc": vpc("10.0.0.0/16")}));
        let mut new = old.clone();
        new["Resources"]["Vpc"]["Properties"]["EnableDnsSupport"] = json!(false);
        let d = diff_templates(&old, &new);
        let r = d.resource("Vpc").unwrap();
        assert_eq!((r.action, r.impact), (Action::Modify, Impact::Update));
        assert_eq!(r.properties[0].path, "EnableDnsSupport");
        assert_eq!((r.properties[0].old.clone(), r.properties[0].new.clone()), (Some(json!(true)), Some(json!(false))));
    }

    #[test]
    fn create_only_change_replaces_and_says_why() {
        let d = diff_templates(&t(json!({"Vpc": vpc("10.0.0.0/16")})), &t(json!({"Vpc": vpc("10.1.0.0/16")})));
        let r = d.resource("Vpc").unwrap();
        assert_eq!(r.impact, Impact::WillReplace);
        assert_eq!(r.reason.as_deref(), Some("CidrBlock is create-only"));
    }

    #[test]
    fn conditionally_create_only_change_may_replace() {
        let db = |multi: bool| json!({"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"MultiAZ": multi}}});
        let d = diff_templates(&t(db(false)), &t(db(true)));
        assert_eq!(d.resource("Db").unwrap().impact, Impact::MayReplace);
    }

    #[test]
    fn replacement_propagates_through_ref_and_get_att() {
        let old = t(json!({
            "Vpc": vpc("10.0.0.0/16"),
            "Subnet": subnet(json!({"Ref": "Vpc"}), "10.0.1.0/24"),
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "d", "VpcId": {"Fn::GetAtt": ["Vpc", "VpcId"]}}},
            "Rt": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Fn::Sub": "${Subnet}"}, "RouteTableId": "rtb-1"}}
        }));
        let mut new = old.clone();
        new["Resources"]["Vpc"]["Properties"]["CidrBlock"] = json!("10.1.0.0/16");
        let d = diff_templates(&old, &new);
        assert_eq!(d.resource("Vpc").unwrap().impact, Impact::WillReplace);
        let s = d.resource("Subnet").unwrap();
        assert_eq!(s.impact, Impact::WillReplace, "Subnet.VpcId is create-only");
        assert_eq!(s.reason.as_deref(), Some("references Vpc, which will be replaced"));
        assert_eq!(d.resource("Sg").unwrap().impact, Impact::WillReplace, "SecurityGroup.VpcId is create-only");
        // Second hop: the association references the replaced subnet through Fn::Sub.
        assert_eq!(d.resource("Rt").unwrap().impact, Impact::WillReplace);
    }

    #[test]
    fn type_change_is_a_replacement() {
        let old = t(json!({"X": {"Type": "AWS::SNS::Topic", "Properties": {}}}));
        let new = t(json!({"X": {"Type": "AWS::SQS::Queue", "Properties": {}}}));
        let r = diff_templates(&old, &new).resource("X").cloned().unwrap();
        assert_eq!(r.impact, Impact::WillReplace);
        assert!(r.reason.unwrap().contains("type changes"));
    }

    #[test]
    fn removal_deletes_or_orphans_by_deletion_policy() {
        let old = t(json!({
            "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}
        }));
        let d = diff_templates(&old, &t(json!({})));
        assert_eq!(d.resource("Key").unwrap().impact, Impact::Orphan);
        assert_eq!(d.resource("Topic").unwrap().impact, Impact::Delete);
        assert_eq!(d.max_impact(), Impact::Delete);
    }

    #[test]
    fn additions_create() {
        let d = diff_templates(&Value::Null, &t(json!({"Vpc": vpc("10.0.0.0/16")})));
        let r = d.resource("Vpc").unwrap();
        assert_eq!((r.action, r.impact), (Action::Add, Impact::Create));
    }

    #[test]
    fn output_export_and_parameter_changes_are_listed_by_section() {
        let old = json!({"Parameters": {"A": {"Type": "String"}, "B": {"Type": "String"}},
                         "Outputs": {"O": {"Value": "1", "Export": {"Name": "x-O"}}}, "Resources": {}});
        let new = json!({"Parameters": {"A": {"Type": "String", "Default": "z"}, "C": {"Type": "String"}},
                         "Outputs": {"O": {"Value": "1", "Export": {"Name": "x-O2"}}}, "Resources": {}});
        let d = diff_templates(&old, &new);
        let actions: Vec<(&str, Action)> = d.parameters.iter().map(|c| (c.key.as_str(), c.action)).collect();
        assert_eq!(actions, [("A", Action::Modify), ("C", Action::Add), ("B", Action::Remove)]);
        assert_eq!(d.outputs.len(), 1);
        assert_eq!(d.outputs[0].new.as_ref().unwrap()["Export"]["Name"], "x-O2");
        assert!(d.resources.is_empty());
    }

    #[test]
    fn no_change_after_normalization() {
        let a = r#"{"Resources":{"B":{"Type":"AWS::EC2::Subnet","DependsOn":["Y","X"],
            "Properties":{"CidrBlock":"10.0.1.0/24","VpcId":{"Fn::GetAtt":"Vpc.VpcId"}}},
            "Vpc":{"Type":"AWS::EC2::VPC","Properties":{"CidrBlock":"10.0.0.0/16"}}}}"#;
        let b = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n  B:\n    DependsOn: [X, Y]\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !GetAtt Vpc.VpcId\n      CidrBlock: 10.0.1.0/24\n";
        let d = diff_templates(&parse_template(a).unwrap(), &parse_template(b).unwrap());
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn resource_attribute_changes_are_updates() {
        let old = t(json!({"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}));
        let new = t(json!({"Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {}}}));
        let r = diff_templates(&old, &new).resource("Key").cloned().unwrap();
        assert_eq!(r.impact, Impact::Update);
        assert_eq!(r.attributes[0].key, "DeletionPolicy");
    }

    #[test]
    fn sub_variables_skip_escapes_and_named_variables() {
        let mut refs = BTreeSet::new();
        references(&json!({"Fn::Sub": ["${A}-${B.Arn}-${!C}-${AWS::Region}-${V}", {"V": {"Ref": "D"}}]}), &mut refs);
        assert_eq!(refs.into_iter().collect::<Vec<_>>(), ["A", "B", "D"]);
    }
}
