//! Predicting name collisions: a resource to be created whose name (a `BucketName`,
//! `FunctionName`, secret `Name`, KMS `AliasName` — see [`crate::resource_types`]) is
//! already taken fails its create, and the stack rolls back after the stacks before it
//! deployed. Common after a failed first create that retained what it had made.

use futures_util::stream::{self, StreamExt};

use super::model::{PlanStatus, StackPlan, WillFail};
use crate::aws::AwsError;
use crate::aws::retry::{Backoff, with_retries};
use crate::aws::services::names::NameProbe;
use crate::diff::Action;
use crate::resource_types::name_property;
use crate::synth::RenderedStack;

/// A resource the plan would create under a fixed name.
struct Named {
    stack: String,
    logical_id: String,
    resource_type: String,
    property: &'static str,
    name: String,
}

/// Will-fail entries for names that are already taken.
pub async fn names_taken<N: NameProbe>(
    probe: &N,
    targets: &[&RenderedStack],
    stacks: &[StackPlan],
    concurrency: usize,
    backoff: Backoff,
) -> Result<Vec<WillFail>, AwsError> {
    let mut wanted = Vec::new();
    for (target, plan) in targets.iter().zip(stacks) {
        if !matches!(plan.status, PlanStatus::ToCreate | PlanStatus::Changes) {
            continue;
        }
        for change in plan.changes.resources.iter().filter(|c| c.action == Action::Add) {
            let Some(property) = name_property(&change.resource_type) else { continue };
            // Only literal names: a computed one cannot collide before it is computed.
            let value = &target.template["Resources"][&change.logical_id]["Properties"][property];
            let Some(name) = value.as_str() else { continue };
            wanted.push(Named {
                stack: plan.name.clone(),
                logical_id: change.logical_id.clone(),
                resource_type: change.resource_type.clone(),
                property,
                name: name.to_owned(),
            });
        }
    }
    let answers: Vec<(Named, Result<Option<bool>, AwsError>)> = stream::iter(wanted)
        .map(|n| async move {
            let taken = with_retries(backoff, || probe.is_taken(&n.resource_type, &n.name)).await;
            (n, taken)
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut out = Vec::new();
    for (n, taken) in answers {
        if taken? == Some(true) {
            out.push(WillFail {
                stack: n.stack,
                reason: format!(
                    "{} ({}) would be created as {} {}, which is already taken; the create would fail",
                    n.logical_id, n.resource_type, n.property, n.name
                ),
                remedy: format!(
                    "if {} is a leftover (e.g. kept by an earlier failed create), delete it; otherwise rename it in the configuration",
                    n.name
                ),
            });
        }
    }
    Ok(out)
}
