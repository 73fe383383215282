//! Predicting CloudFormation's export lock: an update that changes or removes an export
//! another stack imports is refused ("Cannot update export X as it is in use by Y",
//! "Cannot delete export X as it is in use by Y") and rolled back, after the stacks
//! before it already deployed. Plan finds such exports before anything changes: an
//! export whose output disappears, whose value expression changes, or whose value
//! references a resource that will be replaced (a new physical id) — and asks
//! `ListImports` which deployed stacks import it.

use std::collections::BTreeSet;

use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use super::model::WillFail;
use crate::aws::AwsError;
use crate::aws::cloudformation::{LiveStack, StackReadApi};
use crate::aws::retry::{Backoff, with_retries};
use crate::diff::changes::references;
use crate::diff::{Action, Impact, TemplateDiff};

/// An export the update would change or remove, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportAtRisk {
    pub name: String,
    pub value: String,
    pub why: String,
}

/// Exports of the live stack that the update changes or removes.
pub fn exports_at_risk(live: &LiveStack, new: &Value, diff: &TemplateDiff) -> Vec<ExportAtRisk> {
    let replaced: BTreeSet<&str> =
        diff.resources.iter().filter(|r| r.impact == Impact::WillReplace).map(|r| r.logical_id.as_str()).collect();
    let mut out = Vec::new();
    for output in &live.outputs {
        let Some(name) = &output.export_name else { continue };
        let new_output = &new["Outputs"][&output.key];
        let why = if new_output.is_null() || new_output["Export"]["Name"] != Value::String(name.clone()) {
            Some("the output that exports it is removed".to_owned())
        } else if diff.outputs.iter().any(|o| o.key == output.key && o.action == Action::Modify) {
            Some("its value changes".to_owned())
        } else {
            let mut refs = BTreeSet::new();
            references(&new_output["Value"], &mut refs);
            let hit: Vec<&str> = refs.iter().map(String::as_str).filter(|r| replaced.contains(r)).collect();
            (!hit.is_empty()).then(|| format!("{} will be replaced (a new physical id)", hit.join(", ")))
        };
        if let Some(why) = why {
            out.push(ExportAtRisk { name: name.clone(), value: output.value.clone(), why });
        }
    }
    out
}

/// The will-fail entries of exports at risk that other stacks import.
pub async fn exports_in_use<C: StackReadApi>(
    api: &C,
    stack: &str,
    at_risk: Vec<ExportAtRisk>,
    concurrency: usize,
    backoff: Backoff,
) -> Result<Vec<WillFail>, AwsError> {
    let answers: Vec<(ExportAtRisk, Result<Vec<String>, AwsError>)> = stream::iter(at_risk)
        .map(|export| async move {
            let imports = with_retries(backoff, || api.list_imports(&export.name)).await;
            (export, imports)
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut out = Vec::new();
    for (export, importers) in answers {
        let importers: Vec<String> = importers?.into_iter().filter(|s| s != stack).collect();
        if importers.is_empty() {
            continue;
        }
        let list = importers.join(", ");
        out.push(WillFail {
            stack: stack.to_owned(),
            reason: format!(
                "export {} would change ({}) while {list} import{} it; CloudFormation refuses to update an export in use",
                export.name,
                export.why,
                if importers.len() == 1 { "s" } else { "" }
            ),
            remedy: format!(
                "two steps: (1) make {list} stop importing {} — e.g. pass its current value {} instead — and apply; (2) apply this change, then import the new value again",
                export.name, export.value
            ),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::cloudformation::LiveOutput;
    use crate::aws::status::StackStatus;
    use crate::diff::diff_templates;
    use serde_json::json;

    fn live(outputs: &[(&str, &str, &str)]) -> LiveStack {
        LiveStack {
            name: "matbakh-dev-network".into(),
            id: "arn".into(),
            status: StackStatus::UpdateComplete,
            status_reason: None,
            last_updated: String::new(),
            parameters: Default::default(),
            outputs: outputs
                .iter()
                .map(|(k, v, e)| LiveOutput { key: (*k).into(), value: (*v).into(), export_name: Some((*e).into()) })
                .collect(),
            tags: Default::default(),
            termination_protection: false,
        }
    }

    fn template(cidr: &str, outputs: Value) -> Value {
        json!({"Resources": {
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-1", "CidrBlock": cidr}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x"}}},
            "Outputs": outputs})
    }

    #[test]
    fn replaced_removed_and_changed_exports_are_at_risk_untouched_ones_not() {
        let outputs = json!({
            "SubnetId": {"Value": {"Ref": "Subnet"}, "Export": {"Name": "n-SubnetId"}},
            "SgId": {"Value": {"Ref": "Sg"}, "Export": {"Name": "n-SgId"}},
            "Old": {"Value": "x", "Export": {"Name": "n-Old"}}
        });
        let old = template("10.0.1.0/24", outputs.clone());
        let mut new_outputs = outputs;
        new_outputs.as_object_mut().unwrap().remove("Old");
        let new = template("10.0.9.0/24", new_outputs);
        let live = live(&[("SubnetId", "subnet-1", "n-SubnetId"), ("SgId", "sg-1", "n-SgId"), ("Old", "x", "n-Old")]);
        let found = exports_at_risk(&live, &new, &diff_templates(&old, &new));
        let names: Vec<(&str, &str)> = found.iter().map(|e| (e.name.as_str(), e.why.as_str())).collect();
        assert_eq!(
            names,
            [
                ("n-SubnetId", "Subnet will be replaced (a new physical id)"),
                ("n-Old", "the output that exports it is removed")
            ]
        );
    }
}
