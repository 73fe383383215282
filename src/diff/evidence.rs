//! Merging a change set's verdict into the local diff. Where CloudFormation says how a
//! property change is carried out, it wins over the registry tables:
//!
//! | `RequiresRecreation` | `Evaluation` | impact |
//! |---|---|---|
//! | `Never` | any | update |
//! | `Always` | `Static` | will replace |
//! | `Always` | `Dynamic` | may replace |
//! | `Conditionally` | any | may replace |
//!
//! A property the local diff shows but the change set does not is not changed (the
//! service knows better, e.g. a default written out); a change only the change set
//! knows (a dynamic reference that resolves differently, a parameter) is added.

use serde_json::Value;

use super::changes::{Action, PropertyChange, ResourceChange, TemplateDiff};
use super::impact::Impact;
use crate::aws::cloudformation::{ChangeSet, ChangeSetDetail, ChangeSetResource};

/// The impact of one `Properties` detail.
pub fn detail_impact(detail: &ChangeSetDetail) -> Impact {
    match (detail.requires_recreation.as_deref(), detail.evaluation.as_deref()) {
        (Some("Always"), Some("Static")) => Impact::WillReplace,
        (Some("Always"), _) | (Some("Conditionally"), _) => Impact::MayReplace,
        _ => Impact::Update,
    }
}

/// Applies a change set's resource changes to the local diff of the same stack.
pub fn merge(diff: &mut TemplateDiff, change_set: &ChangeSet) {
    for change in &change_set.changes {
        match diff.resources.iter_mut().find(|r| r.logical_id == change.logical_id) {
            Some(local) if change.action == "Modify" => merge_modify(local, change),
            Some(_) => {}
            None => diff.resources.push(from_change_set_only(change)),
        }
    }
    // Local modifications the change set does not list at all are no changes to AWS.
    let listed: Vec<&str> = change_set.changes.iter().map(|c| c.logical_id.as_str()).collect();
    diff.resources.retain(|r| r.action != Action::Modify || listed.contains(&r.logical_id.as_str()));
}

fn merge_modify(local: &mut ResourceChange, change: &ChangeSetResource) {
    let details: Vec<&ChangeSetDetail> = change.details.iter().filter(|d| d.attribute == "Properties").collect();
    if !details.is_empty() {
        let named: Vec<&str> = details.iter().filter_map(|d| d.name.as_deref()).collect();
        local.properties.retain(|p| named.contains(&p.path.as_str()));
        for detail in &details {
            let Some(name) = detail.name.as_deref() else { continue };
            let impact = detail_impact(detail);
            let reason = reason(detail);
            match local.properties.iter_mut().find(|p| p.path == name) {
                Some(p) => {
                    p.impact = impact;
                    p.reason = reason;
                }
                None => local.properties.push(PropertyChange {
                    path: name.to_owned(),
                    old: detail.before_value.as_deref().map(parse_value),
                    new: detail.after_value.as_deref().map(parse_value),
                    impact,
                    reason,
                }),
            }
        }
    }
    let from_properties = local.properties.iter().map(|p| p.impact).max().unwrap_or(Impact::Update);
    // The resource-level verdict, where present, is CloudFormation's own summary.
    local.impact = match change.replacement.as_deref() {
        Some("True") => Impact::WillReplace,
        Some("Conditional") => Impact::MayReplace,
        Some("False") => Impact::Update,
        _ => from_properties,
    };
    local.reason = local.properties.iter().filter(|p| p.impact == local.impact).find_map(|p| p.reason.clone()).or(
        match local.impact {
            Impact::WillReplace | Impact::MayReplace => Some("CloudFormation's change set says so".to_owned()),
            _ => None,
        },
    );
}

fn reason(detail: &ChangeSetDetail) -> Option<String> {
    let recreation = detail.requires_recreation.as_deref()?;
    if recreation == "Never" {
        return None;
    }
    let source = match (detail.change_source.as_deref(), detail.causing_entity.as_deref()) {
        (Some(source), Some(entity)) => format!(" ({source} {entity})"),
        (Some(source), None) => format!(" ({source})"),
        _ => String::new(),
    };
    Some(format!("change set: requires recreation {}{source}", recreation.to_lowercase()))
}

/// A resource change only the change set knows.
fn from_change_set_only(change: &ChangeSetResource) -> ResourceChange {
    let action = match change.action.as_str() {
        "Add" => Action::Add,
        "Remove" => Action::Remove,
        _ => Action::Modify,
    };
    let properties: Vec<PropertyChange> = change
        .details
        .iter()
        .filter(|d| d.attribute == "Properties")
        .filter_map(|d| {
            Some(PropertyChange {
                path: d.name.clone()?,
                old: d.before_value.as_deref().map(parse_value),
                new: d.after_value.as_deref().map(parse_value),
                impact: detail_impact(d),
                reason: reason(d),
            })
        })
        .collect();
    let impact = match (action, change.replacement.as_deref()) {
        (Action::Add, _) => Impact::Create,
        (Action::Remove, _) => Impact::Delete,
        (_, Some("True")) => Impact::WillReplace,
        (_, Some("Conditional")) => Impact::MayReplace,
        _ => properties.iter().map(|p| p.impact).max().unwrap_or(Impact::Update),
    };
    ResourceChange {
        logical_id: change.logical_id.clone(),
        action,
        resource_type: change.resource_type.clone(),
        impact,
        reason: Some("only the change set shows this (dynamic reference or parameter value)".to_owned()),
        properties,
        attributes: Vec::new(),
    }
}

/// Before/after values come as strings; JSON ones are shown as JSON.
fn parse_value(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::cloudformation::change_set;
    use crate::diff::changes::diff_templates;
    use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
    use aws_sdk_cloudformation::types::{
        Change, ChangeAction, ChangeSetStatus, ChangeSource, ChangeType, EvaluationType, Replacement,
        RequiresRecreation, ResourceAttribute, ResourceChange as SdkResourceChange, ResourceChangeDetail,
        ResourceTargetDefinition,
    };
    use serde_json::json;

    /// A `ResourceChangeDetail` as the DescribeChangeSet API reference documents it.
    fn detail(
        name: &str,
        recreation: RequiresRecreation,
        evaluation: EvaluationType,
        source: ChangeSource,
    ) -> ResourceChangeDetail {
        ResourceChangeDetail::builder()
            .target(
                ResourceTargetDefinition::builder()
                    .attribute(ResourceAttribute::Properties)
                    .name(name)
                    .requires_recreation(recreation)
                    .before_value("\"old\"")
                    .after_value("\"new\"")
                    .build(),
            )
            .evaluation(evaluation)
            .change_source(source)
            .build()
    }

    fn output(changes: Vec<SdkResourceChange>) -> DescribeChangeSetOutput {
        DescribeChangeSetOutput::builder()
            .change_set_id("arn:aws:cloudformation:eu-central-1:123456789012:changeSet/plan-1/abc")
            .status(ChangeSetStatus::CreateComplete)
            .set_changes(Some(
                changes
                    .into_iter()
                    .map(|rc| Change::builder().r#type(ChangeType::Resource).resource_change(rc).build())
                    .collect(),
            ))
            .build()
    }

    fn modify(id: &str, replacement: Replacement, details: Vec<ResourceChangeDetail>) -> SdkResourceChange {
        SdkResourceChange::builder()
            .action(ChangeAction::Modify)
            .logical_resource_id(id)
            .physical_resource_id(format!("{id}-physical"))
            .resource_type("AWS::RDS::DBInstance")
            .replacement(replacement)
            .scope(aws_sdk_cloudformation::types::ResourceAttribute::Properties)
            .set_details(Some(details))
            .build()
    }

    fn local_db_change(props: Value) -> TemplateDiff {
        let old = json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"MultiAZ": false, "DBInstanceClass": "db.t4g.medium", "Port": "5432"}}}});
        let mut new = old.clone();
        for (k, v) in props.as_object().unwrap() {
            new["Resources"]["Db"]["Properties"][k] = v.clone();
        }
        diff_templates(&old, &new)
    }

    // Real behaviour: changing MultiAZ on RDS is applied in place; the change set says
    // RequiresRecreation Never and Replacement False, though the registry lists MultiAZ
    // as conditionally create-only. The change set's verdict wins.
    #[test]
    fn never_turns_a_local_may_replace_into_an_update() {
        let mut diff = local_db_change(json!({"MultiAZ": true}));
        assert_eq!(diff.resource("Db").unwrap().impact, Impact::MayReplace);
        let cs = change_set(&output(vec![modify(
            "Db",
            Replacement::False,
            vec![detail(
                "MultiAZ",
                RequiresRecreation::Never,
                EvaluationType::Static,
                ChangeSource::DirectModification,
            )],
        )]));
        merge(&mut diff, &cs);
        let db = diff.resource("Db").unwrap();
        assert_eq!(db.impact, Impact::Update);
        assert_eq!(db.properties[0].impact, Impact::Update);
    }

    // Real behaviour: a static create-only change (e.g. a new DBInstanceIdentifier) comes
    // back as Always + Static with Replacement True.
    #[test]
    fn always_static_is_a_replacement() {
        let mut diff = local_db_change(json!({"DBInstanceClass": "db.r6g.large"}));
        let cs = change_set(&output(vec![modify(
            "Db",
            Replacement::True,
            vec![detail(
                "DBInstanceClass",
                RequiresRecreation::Always,
                EvaluationType::Static,
                ChangeSource::DirectModification,
            )],
        )]));
        merge(&mut diff, &cs);
        let db = diff.resource("Db").unwrap();
        assert_eq!(db.impact, Impact::WillReplace);
        assert!(db.reason.as_deref().unwrap().contains("requires recreation always"));
    }

    // Real behaviour: a property fed by a resource that is itself being replaced is
    // evaluated Dynamic (the new value is unknown until deploy) → may replace.
    #[test]
    fn always_dynamic_and_conditionally_may_replace() {
        for (recreation, evaluation) in [
            (RequiresRecreation::Always, EvaluationType::Dynamic),
            (RequiresRecreation::Conditionally, EvaluationType::Static),
        ] {
            let mut diff = local_db_change(json!({"DBInstanceClass": "db.r6g.large"}));
            let cs = change_set(&output(vec![modify(
                "Db",
                Replacement::Conditional,
                vec![detail(
                    "DBInstanceClass",
                    recreation.clone(),
                    evaluation.clone(),
                    ChangeSource::ResourceReference,
                )],
            )]));
            merge(&mut diff, &cs);
            assert_eq!(diff.resource("Db").unwrap().impact, Impact::MayReplace, "{recreation:?}/{evaluation:?}");
        }
    }

    // Real behaviour: the local diff sees Port "5432" → 5432 as a change; CloudFormation
    // compares resolved values and lists only the property that really changes.
    #[test]
    fn local_property_changes_the_change_set_does_not_list_are_dropped() {
        let mut diff = local_db_change(json!({"DBInstanceClass": "db.r6g.large", "Port": 5432}));
        assert_eq!(diff.resource("Db").unwrap().properties.len(), 2);
        let cs = change_set(&output(vec![modify(
            "Db",
            Replacement::False,
            vec![detail(
                "DBInstanceClass",
                RequiresRecreation::Never,
                EvaluationType::Static,
                ChangeSource::DirectModification,
            )],
        )]));
        merge(&mut diff, &cs);
        let paths: Vec<&str> = diff.resource("Db").unwrap().properties.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["DBInstanceClass"]);
    }

    // Real behaviour: a {{resolve:secretsmanager:…}} value that changed in Secrets Manager
    // shows up only in the change set (the template text is the same).
    #[test]
    fn changes_only_the_change_set_knows_are_added() {
        let mut diff = TemplateDiff::default();
        let rc = SdkResourceChange::builder()
            .action(ChangeAction::Modify)
            .logical_resource_id("RedisCluster")
            .resource_type("AWS::ElastiCache::ReplicationGroup")
            .replacement(Replacement::Conditional)
            .set_details(Some(vec![detail(
                "AuthToken",
                RequiresRecreation::Conditionally,
                EvaluationType::Dynamic,
                ChangeSource::DirectModification,
            )]))
            .build();
        merge(&mut diff, &change_set(&output(vec![rc])));
        let r = diff.resource("RedisCluster").unwrap();
        assert_eq!(r.impact, Impact::MayReplace);
        assert_eq!(r.properties[0].path, "AuthToken");
        assert_eq!(r.properties[0].new, Some(json!("new")));
        assert!(r.reason.as_deref().unwrap().contains("only the change set"));
    }

    // A resource the local diff modifies but the change set leaves out entirely (the
    // difference is cosmetic to CloudFormation) is not a change.
    #[test]
    fn local_modifications_absent_from_the_change_set_are_dropped() {
        let mut diff = local_db_change(json!({"Port": 5432}));
        merge(&mut diff, &change_set(&output(vec![])));
        assert!(diff.resources.is_empty());
    }
}
