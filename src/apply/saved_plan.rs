//! `apply --plan FILE`: execute exactly the saved plan's change sets, or refuse when
//! anything it was made from changed since — the code (template hashes), the account
//! (each stack's LastUpdatedTime, a stack created or deleted in between) or its change
//! sets (deleted, or no longer `CREATE_COMPLETE` / `AVAILABLE`).

use thiserror::Error;

use crate::aws::AwsError;
use crate::aws::cloudformation::{ChangeSetApi, StackReadApi};
use crate::aws::retry::Backoff;
use crate::aws::status::{ChangeSetStatus, ExecutionStatus};
use crate::live::{ReadScope, read_environment};
use crate::plan::model::PLAN_FORMAT_VERSION;
use crate::plan::{Plan, PlanStatus, discard};
use crate::synth::{Rendered, RenderedStack};

#[derive(Debug, Error)]
pub enum SavedPlanError {
    #[error("it is not a saved plan (made by `plan --out FILE`): {0}")]
    NotAPlan(serde_json::Error),
    #[error("it is a plan of format {found}, this version executes format {PLAN_FORMAT_VERSION}; run plan again")]
    Version { found: u64 },
    #[error("stale plan, run plan again (its change sets were deleted; nothing was executed):\n  {}", .reasons.join("\n  "))]
    Stale { reasons: Vec<String> },
    #[error(
        "it was made for account {plan_account} / {plan_region}, but the credentials are for {account} / {region}; apply it with credentials of that account, or run plan again"
    )]
    OtherTarget { plan_account: String, plan_region: String, account: String, region: String },
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// A saved plan applies only where it was made: its change sets live in that account
/// and region, and its review was of that environment.
pub fn check_target(plan: &Plan, account: &str, region: &str) -> Result<(), SavedPlanError> {
    if plan.account == account && plan.region == region {
        return Ok(());
    }
    Err(SavedPlanError::OtherTarget {
        plan_account: if plan.account.is_empty() { "an unrecorded account".to_owned() } else { plan.account.clone() },
        plan_region: plan.region.clone(),
        account: account.to_owned(),
        region: region.to_owned(),
    })
}

/// Checks a saved plan against the code and the account; a stale plan's change sets are
/// deleted (nothing will execute them) and it is refused.
pub async fn verify<C: StackReadApi + ChangeSetApi>(
    api: &C,
    plan: &Plan,
    rendered: &Rendered,
    bootstrap: &RenderedStack,
    backoff: Backoff,
) -> Result<(), SavedPlanError> {
    let mut reasons = staleness(api, plan, rendered, bootstrap).await?;
    if reasons.is_empty() {
        return Ok(());
    }
    reasons.extend(discard(api, plan, backoff).await);
    Err(SavedPlanError::Stale { reasons })
}

/// Reads a saved plan, refusing other formats.
pub fn parse_saved_plan(text: &str) -> Result<Plan, SavedPlanError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(SavedPlanError::NotAPlan)?;
    let found = value["format_version"].as_u64().unwrap_or(0);
    if found != u64::from(PLAN_FORMAT_VERSION) {
        return Err(SavedPlanError::Version { found });
    }
    serde_json::from_value(value).map_err(SavedPlanError::NotAPlan)
}

/// Why a saved plan no longer describes what apply would do; empty when it is fresh.
pub async fn staleness<C: StackReadApi + ChangeSetApi>(
    api: &C,
    plan: &Plan,
    rendered: &Rendered,
    bootstrap: &RenderedStack,
) -> Result<Vec<String>, AwsError> {
    let mut reasons = Vec::new();
    if plan.environment != rendered.manifest.environment {
        reasons
            .push(format!("the plan is for environment {}, not {}", plan.environment, rendered.manifest.environment));
        return Ok(reasons);
    }
    let targets: Vec<&RenderedStack> = std::iter::once(bootstrap)
        .filter(|b| plan.stacks.iter().any(|p| p.id == b.id))
        .chain(&rendered.stacks)
        .collect();
    let names: Vec<String> = targets.iter().map(|s| s.name.clone()).collect();
    let live = read_environment(
        api,
        &names,
        ReadScope { templates: false, resources: false, concurrency: 16, backoff: Default::default() },
    )
    .await?;
    for stack in &targets {
        let Some(planned) = plan.stacks.iter().find(|p| p.id == stack.id) else {
            reasons.push(format!("{}: not in the plan", stack.name));
            continue;
        };
        if planned.template_sha256 != stack.sha256 {
            reasons.push(format!("{}: the code changed since the plan (template hash differs)", stack.name));
        }
        let now = live.get(&stack.name).and_then(|s| s.stack());
        let was_missing = planned.status == PlanStatus::ToCreate && planned.last_updated_time.is_none();
        match now {
            None if !was_missing => reasons.push(format!("{}: deleted since the plan", stack.name)),
            // A CREATE change set (the plan's own) leaves the stack in review.
            Some(s) if was_missing && !s.status.is_review() => {
                reasons.push(format!("{}: created since the plan (at {})", stack.name, s.last_updated))
            }
            Some(s) if !was_missing && planned.last_updated_time.as_deref() != Some(s.last_updated.as_str()) => reasons
                .push(format!(
                    "{}: updated since the plan (LastUpdatedTime {} then, {} now)",
                    stack.name,
                    planned.last_updated_time.as_deref().unwrap_or("-"),
                    s.last_updated
                )),
            _ => {}
        }
    }
    for (stack, id) in plan.prepared() {
        match api.describe_change_set(id).await {
            Ok(cs) => {
                let executable = cs.status == ChangeSetStatus::CreateComplete
                    && cs.execution_status.as_ref().is_none_or(|e| *e == ExecutionStatus::Available);
                if !executable {
                    let execution = cs.execution_status.map_or_else(String::new, |e| format!(" / {e}"));
                    reasons.push(format!("{}: its change set is {}{execution}, not executable", stack.name, cs.status));
                }
            }
            Err(e) if e.code() == Some("ChangeSetNotFound") => {
                reasons.push(format!("{}: its change set no longer exists", stack.name))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(reasons)
}
