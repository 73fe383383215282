//! Making a plan against the live account:
//!
//! 1. one live read of every stack ([`crate::live`]): DescribeStacks and GetTemplate
//!    at once;
//! 2. the template diff per stack, and the failures known in advance: blocked stacks,
//!    exports an update would change while other stacks import them (ListImports),
//!    names a create would use that are already taken;
//! 3. one change set per changed stack, all at once — the change sets apply executes.
//!    A stack that imports exports not deployed yet, or needs the artifacts bucket
//!    before the bootstrap stack exists, is deferred: apply prepares it at its turn.
//!
//! The plan's change sets are kept; the caller deletes them ([`discard`]) unless they
//! are to be executed or saved.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use super::exports::{exports_at_risk, exports_in_use};
use super::model::{Evidence, PLAN_FORMAT_VERSION, Plan, PlanStatus, Preparation, StackPlan, WillFail};
use super::names::names_taken;
use super::prepare::{
    ChangeSetMaker, Computed, bootstrap_bucket, discard_change_set, distinct_assets, merge_change_set, review_stack_of,
};
use crate::aws::AwsError;
use crate::aws::artifacts::ArtifactStore;
use crate::aws::cloudformation::{ChangeSetApi, StackReadApi};
use crate::aws::retry::Backoff;
use crate::aws::services::names::NameProbe;
use crate::diff::{diff_templates, parameter_values};
use crate::live::{
    FinishOnDrop, LiveEnvironment, LiveStackState, ReadProgress, ReadScope, ReadStep, Silent, read_environment_observed,
};
use crate::synth::{Rendered, RenderedStack};

#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// Prepare change sets (confirming impacts, and what apply executes).
    pub change_sets: bool,
    /// Makes change-set names unique.
    pub run_id: String,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// How long to wait for a change set to be computed.
    pub change_set_timeout: Duration,
    /// Longest pause between two reads of a change set being computed.
    pub poll: Duration,
    pub backoff: Backoff,
    /// Told of each stack read and change set prepared (a terminal shows a progress line).
    pub progress: Arc<dyn ReadProgress>,
    /// The account the credentials were checked to belong to (recorded in the plan).
    pub account: String,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            change_sets: true,
            run_id: run_id(),
            concurrency: 16,
            change_set_timeout: Duration::from_secs(300),
            poll: Duration::from_secs(5),
            backoff: Backoff::default(),
            progress: Arc::new(Silent),
            account: String::new(),
        }
    }
}

/// A fresh id for this run's change-set names.
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{:x}{:x}", nanos, std::process::id())
}

/// Whether the environment needs the artifacts bucket (and so the bootstrap stack).
pub fn needs_bucket(rendered: &Rendered) -> bool {
    rendered.stacks.iter().any(RenderedStack::needs_bucket)
}

/// Plans the bootstrap stack (when given) and every stack of a rendered environment.
pub async fn make_plan<C, S, N>(
    api: &C,
    store: &S,
    name_probe: &N,
    rendered: &Rendered,
    bootstrap: Option<&RenderedStack>,
    options: &PlanOptions,
) -> Result<Plan, AwsError>
where
    C: StackReadApi + ChangeSetApi,
    S: ArtifactStore,
    N: NameProbe,
{
    let _finish = FinishOnDrop(options.progress.as_ref());
    let targets: Vec<&RenderedStack> = bootstrap.into_iter().chain(&rendered.stacks).collect();
    let names: Vec<String> = targets.iter().map(|s| s.name.clone()).collect();
    let scope =
        ReadScope { templates: true, resources: false, concurrency: options.concurrency, backoff: options.backoff };
    let live = read_environment_observed(api, &names, scope, options.progress.as_ref()).await?;

    let mut stacks = Vec::new();
    for target in &targets {
        stacks.push(plan_stack(target, live.get(&target.name).expect("every target was read"))?);
    }
    let mut will_fail: Vec<WillFail> = stacks
        .iter()
        .filter_map(|s| {
            let remedy = s.remedy.clone()?;
            Some(WillFail {
                stack: s.name.clone(),
                reason: format!("the stack is {} and cannot be updated", s.live_status.as_ref()?),
                remedy,
            })
        })
        .collect();
    will_fail.extend(exports_locked(api, &targets, &stacks, &live, options).await?);
    will_fail.extend(names_taken(name_probe, &targets, &stacks, options.concurrency, options.backoff).await?);

    let mut plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        environment: rendered.manifest.environment.clone(),
        account: options.account.clone(),
        region: rendered.manifest.region.clone(),
        stacks,
        will_fail,
        danger: Vec::new(),
        security: Vec::new(),
    };
    if options.change_sets {
        prepare_all(api, store, rendered, &targets, &live, &mut plan, options).await;
    } else {
        for stack in plan.stacks.iter_mut().filter(|s| s.change_set.is_some()) {
            stack.change_set =
                Some(Preparation::Deferred { reason: "planned without change sets (--no-change-set)".into() });
        }
    }
    plan.analyze();
    Ok(plan)
}

fn plan_stack(target: &RenderedStack, live: &LiveStackState) -> Result<StackPlan, AwsError> {
    let new = &target.template;
    let mut plan = StackPlan {
        id: target.id.clone(),
        name: target.name.clone(),
        status: PlanStatus::ToCreate,
        live_status: None,
        last_updated_time: None,
        template_sha256: target.sha256.clone(),
        evidence: Evidence::TemplateDiff,
        evidence_note: None,
        remedy: None,
        changes: diff_templates(&Value::Null, new),
        parameter_values: Vec::new(),
        change_set: None,
    };
    match live {
        LiveStackState::Missing => {}
        LiveStackState::InReview(stack) => {
            plan.live_status = Some(stack.status.clone());
            plan.last_updated_time = Some(stack.last_updated.clone());
        }
        LiveStackState::Deployed { stack, template, .. } => {
            let template = match template {
                Some(Ok(t)) => t,
                Some(Err(e)) => {
                    return Err(AwsError::Unreadable {
                        operation: "GetTemplate",
                        detail: format!("the deployed template of {} ({e})", stack.name),
                    });
                }
                None => unreachable!("plan reads templates"),
            };
            plan.remedy = stack.status.remedy(&stack.name);
            plan.changes = diff_templates(template, new);
            plan.parameter_values = parameter_values(stack, new);
            plan.status = if plan.remedy.is_some() {
                PlanStatus::Blocked
            } else if plan.changes.is_empty() && plan.parameter_values.is_empty() {
                PlanStatus::NoChanges
            } else {
                PlanStatus::Changes
            };
            plan.live_status = Some(stack.status.clone());
            plan.last_updated_time = Some(stack.last_updated.clone());
        }
    }
    if matches!(plan.status, PlanStatus::ToCreate | PlanStatus::Changes) {
        plan.change_set = Some(Preparation::Deferred { reason: "not prepared yet".into() });
    }
    Ok(plan)
}

/// Exports that updates would change while other stacks import them.
async fn exports_locked<C: StackReadApi>(
    api: &C,
    targets: &[&RenderedStack],
    stacks: &[StackPlan],
    live: &LiveEnvironment,
    options: &PlanOptions,
) -> Result<Vec<WillFail>, AwsError> {
    let mut out = Vec::new();
    for (target, plan) in targets.iter().zip(stacks) {
        if plan.status != PlanStatus::Changes {
            continue;
        }
        let Some(LiveStackState::Deployed { stack, .. }) = live.get(&target.name) else { continue };
        let at_risk = exports_at_risk(stack, &target.template, &plan.changes);
        if !at_risk.is_empty() {
            out.extend(exports_in_use(api, &target.name, at_risk, options.concurrency, options.backoff).await?);
        }
    }
    Ok(out)
}

/// Why a stack's change set cannot be made before the stacks before it are deployed.
fn deferral(
    rendered: &Rendered,
    target: &RenderedStack,
    exports: &BTreeMap<String, String>,
    bucket: Option<&str>,
) -> Option<String> {
    let missing: BTreeSet<&str> = rendered
        .graph
        .edges
        .iter()
        .filter(|e| e.consumer == target.id)
        .flat_map(|e| e.exports.iter().map(String::as_str))
        .filter(|name| !exports.contains_key(*name))
        .collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.into_iter().collect();
        return Some(format!(
            "imports {} from stacks not deployed yet; prepared when its turn comes",
            names.join(", ")
        ));
    }
    if target.needs_bucket() && bucket.is_none() {
        return Some(
            "needs the artifacts bucket, which the bootstrap stack creates first; prepared when its turn comes".into(),
        );
    }
    None
}

/// A change set made: its ARN, its name and what CloudFormation computed.
type Made = (String, String, Computed);

/// Prepares one change set per stack with changes, all at once.
async fn prepare_all<C, S>(
    api: &C,
    store: &S,
    rendered: &Rendered,
    targets: &[&RenderedStack],
    live: &LiveEnvironment,
    plan: &mut Plan,
    options: &PlanOptions,
) where
    C: StackReadApi + ChangeSetApi,
    S: ArtifactStore,
{
    let bootstrap_ready = plan.stacks.iter().zip(targets).find(|(_, t)| !rendered.stacks.iter().any(|r| r.id == t.id));
    let bucket = match bootstrap_ready {
        Some((p, t)) if p.status == PlanStatus::NoChanges => {
            live.get(&t.name).and_then(LiveStackState::stack).and_then(|s| bootstrap_bucket(s, &plan.environment))
        }
        _ => None,
    };
    let maker = ChangeSetMaker {
        api,
        store,
        bucket,
        region: rendered.manifest.region.clone(),
        run_id: options.run_id.clone(),
        backoff: options.backoff,
        timeout: options.change_set_timeout,
        poll: options.poll,
    };
    let exports = live.exports();
    let failing: BTreeSet<String> = plan.will_fail.iter().map(|w| w.stack.clone()).collect();
    let mut ready = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let stack = &mut plan.stacks[i];
        if stack.change_set.is_none() {
            continue;
        }
        if failing.contains(&stack.name) {
            stack.change_set =
                Some(Preparation::Deferred { reason: "not prepared: the plan says it will fail".into() });
            continue;
        }
        match deferral(rendered, target, &exports, maker.bucket.as_deref()) {
            Some(reason) => stack.change_set = Some(Preparation::Deferred { reason }),
            None => ready.push(i),
        }
    }

    // Assets first: CloudFormation reads them when the change set executes.
    let wanted = distinct_assets(ready.iter().flat_map(|&i| rendered.assets_of(targets[i])));
    let uploads: BTreeMap<&str, Result<bool, AwsError>> = stream::iter(wanted)
        .map(|(key, asset)| {
            let maker = &maker;
            async move { (key, maker.upload(asset).await) }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;

    options.progress.start(ReadStep::ChangeSetsPrepared, ready.len());
    let made: Vec<(usize, Result<Made, String>)> = stream::iter(ready)
        .map(|i| {
            let (maker, uploads, stack) = (&maker, &uploads, &plan.stacks[i]);
            let target = targets[i];
            let kind = stack.change_set_kind();
            async move {
                for asset in rendered.assets_of(target) {
                    if let Some(Err(e)) = uploads.get(asset.s3_key.as_str()) {
                        return (i, Err(format!("could not upload {} ({e})", asset.id)));
                    }
                }
                let result = async {
                    let template = maker.template_source(target).await?;
                    let (id, name) = maker.create(target, kind, template).await.map_err(|e| e.to_string())?;
                    let computed = maker.computed(&id).await.map_err(|e| e.to_string())?;
                    Ok((id, name, computed))
                };
                let result = result.await;
                options.progress.advance(ReadStep::ChangeSetsPrepared, 1);
                (i, result)
            }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;

    for (i, result) in made {
        let stack = &mut plan.stacks[i];
        let (id, name, computed) = match result {
            Ok(made) => made,
            Err(e) => {
                stack.change_set = Some(Preparation::Deferred {
                    reason: format!("could not prepare its change set now ({e}); apply tries at its turn"),
                });
                continue;
            }
        };
        stack.change_set = Some(Preparation::Prepared { id: id.clone(), name, kind: stack.change_set_kind() });
        // The empty stack a CREATE change set made goes with it when it is not kept.
        let review = review_stack_of(stack).map(str::to_owned);
        match computed {
            Computed::Empty => {
                // CloudFormation sees nothing to do: the template differences are cosmetic.
                stack.changes = Default::default();
                stack.evidence = Evidence::ChangeSet;
                // Parameter values included: CloudFormation compares them resolved.
                stack.status = PlanStatus::NoChanges;
                stack.parameter_values.clear();
                stack.change_set = None;
                if let Err(e) = maker.discard(&id, review.as_deref()).await {
                    stack.evidence_note = Some(e);
                }
            }
            Computed::Failed(reason) => {
                plan.will_fail.push(WillFail {
                    stack: stack.name.clone(),
                    reason: format!("CloudFormation cannot make its change set: {reason}"),
                    remedy: "fix what CloudFormation names (in the configuration or the stack) and plan again".into(),
                });
                stack.change_set = None;
                if let Err(e) = maker.discard(&id, review.as_deref()).await {
                    stack.evidence_note = Some(e);
                }
            }
            Computed::Ready(cs) => merge_change_set(stack, &cs),
        }
    }
}

/// Deletes the change sets a plan prepared; returns what could not be deleted.
pub async fn discard<C: ChangeSetApi + StackReadApi>(api: &C, plan: &Plan, backoff: Backoff) -> Vec<String> {
    let results: Vec<Result<(), String>> = stream::iter(plan.prepared())
        .map(|(stack, id)| discard_change_set(api, backoff, id, review_stack_of(stack)))
        .buffer_unordered(16)
        .collect()
        .await;
    results.into_iter().filter_map(Result::err).collect()
}
