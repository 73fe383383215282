//! Making a plan against the live account. Reads of all stacks run at once (two round
//! trips: DescribeStacks, then GetTemplate), change sets of all changed stacks are
//! created, awaited and deleted at once, each step with bounded concurrency; the SDK
//! retries throttling with backoff. Read-only apart from its own temporary change sets,
//! which are deleted even when a later step fails.

use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use super::model::{Evidence, PLAN_FORMAT_VERSION, Plan, PlanStatus, StackPlan};
use crate::aws::AwsError;
use crate::aws::cloudformation::{
    ChangeSet, ChangeSetApi, ChangeSetKind, ChangeSetRequest, LiveStack, StackReadApi, TemplateSource,
};
use crate::aws::status::ChangeSetStatus;
use crate::diff::{diff_templates, evidence, parameter_values, parse_template};
use crate::synth::{Rendered, TEMPLATE_BODY_INLINE_MAX};

#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// Ask CloudFormation for change sets to confirm replacements.
    pub change_sets: bool,
    /// Makes change-set names unique (names are global on some endpoints).
    pub run_id: String,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// How long to wait for a change set to be computed.
    pub change_set_timeout: Duration,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            change_sets: true,
            run_id: run_id(),
            concurrency: 16,
            change_set_timeout: Duration::from_secs(300),
        }
    }
}

/// A fresh id for this run's change-set names.
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{:x}{:x}", nanos, std::process::id())
}

/// A stack as it is in the account.
enum Live {
    Missing,
    Exists { stack: Box<LiveStack>, template: Value },
}

/// Plans every stack of a rendered environment.
pub async fn make_plan<C: StackReadApi + ChangeSetApi>(
    api: &C,
    rendered: &Rendered,
    options: &PlanOptions,
) -> Result<Plan, AwsError> {
    let live: Vec<Result<Live, AwsError>> = stream::iter(rendered.manifest.stacks.iter())
        .map(|s| read_live(api, &s.name))
        .buffered(options.concurrency.max(1))
        .collect()
        .await;

    let mut stacks = Vec::new();
    for (entry, live) in rendered.manifest.stacks.iter().zip(live) {
        let body = &rendered.stack(&entry.id).expect("manifest names rendered stacks").body;
        let new = parse_template(body).map_err(|e| AwsError::Service {
            operation: "plan",
            code: "InvalidTemplate".into(),
            message: e.to_string(),
        })?;
        stacks.push(plan_stack(entry.id.clone(), entry.name.clone(), entry.sha256.clone(), live?, &new));
    }

    if options.change_sets {
        confirm_with_change_sets(api, rendered, &mut stacks, options).await;
    }

    let mut plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        environment: rendered.manifest.environment.clone(),
        region: rendered.manifest.region.clone(),
        stacks,
        danger: Vec::new(),
        security: Vec::new(),
    };
    plan.analyze();
    Ok(plan)
}

async fn read_live<C: StackReadApi + ChangeSetApi>(api: &C, name: &str) -> Result<Live, AwsError> {
    let Some(stack) = api.describe_stack(name).await? else { return Ok(Live::Missing) };
    if stack.status.is_review() {
        // Made by a change set never executed: it has no template and no resources.
        return Ok(Live::Exists { stack: Box::new(stack), template: Value::Null });
    }
    let body = api.get_template(name).await?;
    let template = parse_template(&body).map_err(|e| AwsError::Service {
        operation: "GetTemplate",
        code: "UnreadableTemplate".into(),
        message: e.to_string(),
    })?;
    Ok(Live::Exists { stack: Box::new(stack), template })
}

fn plan_stack(id: String, name: String, sha256: String, live: Live, new: &Value) -> StackPlan {
    let mut plan = StackPlan {
        id,
        name,
        status: PlanStatus::ToCreate,
        live_status: None,
        last_updated_time: None,
        template_sha256: sha256,
        evidence: Evidence::TemplateDiff,
        evidence_note: None,
        remedy: None,
        changes: Default::default(),
        parameter_values: Vec::new(),
    };
    match live {
        Live::Missing => plan.changes = diff_templates(&Value::Null, new),
        Live::Exists { stack, template } => {
            plan.remedy = remedy(&stack);
            plan.changes = diff_templates(&template, new);
            plan.parameter_values = if template.is_null() { Vec::new() } else { parameter_values(&stack, new) };
            plan.status = if plan.remedy.is_some() {
                PlanStatus::Blocked
            } else if template.is_null() {
                PlanStatus::ToCreate
            } else if plan.changes.is_empty() && plan.parameter_values.is_empty() {
                PlanStatus::NoChanges
            } else {
                PlanStatus::Changes
            };
            plan.live_status = Some(stack.status);
            plan.last_updated_time = Some(stack.last_updated);
        }
    }
    plan
}

/// What the user must do with a stack in a state that cannot be updated.
pub fn remedy(stack: &LiveStack) -> Option<String> {
    stack.status.remedy(&stack.name)
}

/// Creates a change set for every changed stack at once, waits for all, merges their
/// verdicts and deletes them all, whatever happened in between.
async fn confirm_with_change_sets<C: StackReadApi + ChangeSetApi>(
    api: &C,
    rendered: &Rendered,
    stacks: &mut [StackPlan],
    options: &PlanOptions,
) {
    let candidates: Vec<usize> = (0..stacks.len()).filter(|&i| stacks[i].status == PlanStatus::Changes).collect();
    let mut requests = Vec::new();
    for &i in &candidates {
        let body = &rendered.stack(&stacks[i].id).expect("manifest names rendered stacks").body;
        if body.len() > TEMPLATE_BODY_INLINE_MAX {
            stacks[i].evidence_note = Some(format!(
                "no change set: the template is {} bytes, over the inline limit (apply deploys it from the artifacts bucket)",
                body.len()
            ));
            continue;
        }
        requests.push((
            i,
            ChangeSetRequest {
                stack_name: stacks[i].name.clone(),
                change_set_name: format!("matbakh-plan-{}-{}", options.run_id, stacks[i].id),
                change_set_type: ChangeSetKind::Update,
                template: TemplateSource::Body(body.clone()),
                parameters: Vec::new(),
                description: "matbakh-infra plan: temporary, deleted by the plan that made it".into(),
                client_token: None,
            },
        ));
    }
    let created: Vec<(usize, Result<String, AwsError>)> = stream::iter(requests)
        .map(|(i, req)| async move { (i, api.create_change_set(req).await) })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    let mut made = Vec::new();
    for (i, result) in created {
        match result {
            Ok(id) => made.push((i, id)),
            Err(e) => {
                stacks[i].evidence_note = Some(format!("no change set ({e}); impacts are from the template diff"))
            }
        }
    }
    let settled: Vec<(usize, String, Result<ChangeSet, AwsError>)> = stream::iter(made)
        .map(|(i, id)| async move {
            let result = await_change_set(api, &id, options.change_set_timeout).await;
            (i, id, result)
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    let deletions: Vec<(usize, Result<(), AwsError>)> = stream::iter(settled.iter().map(|(i, id, _)| (*i, id.clone())))
        .map(|(i, id)| async move { (i, api.delete_change_set(&id).await) })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    for (i, _, result) in settled {
        apply_change_set(&mut stacks[i], result);
    }
    for (i, result) in deletions {
        if let Err(e) = result {
            let note = stacks[i].evidence_note.get_or_insert_with(String::new);
            note.push_str(&format!("; the temporary change set could not be deleted ({e}): delete it by hand"));
        }
    }
}

async fn await_change_set<C: StackReadApi + ChangeSetApi>(
    api: &C,
    id: &str,
    timeout: Duration,
) -> Result<ChangeSet, AwsError> {
    let start = std::time::Instant::now();
    let mut delay = Duration::from_millis(500);
    loop {
        let cs = api.describe_change_set(id).await?;
        if cs.is_settled() || start.elapsed() > timeout {
            return Ok(cs);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

fn apply_change_set(stack: &mut StackPlan, result: Result<ChangeSet, AwsError>) {
    let cs = match result {
        Ok(cs) => cs,
        Err(e) => {
            stack.evidence_note = Some(format!("change set unreadable ({e}); impacts are from the template diff"));
            return;
        }
    };
    if cs.is_empty_failure() {
        // CloudFormation sees nothing to do: the template differences are cosmetic.
        stack.changes = Default::default();
        stack.evidence = Evidence::ChangeSet;
        stack.status = if stack.parameter_values.is_empty() { PlanStatus::NoChanges } else { PlanStatus::Changes };
        return;
    }
    if cs.status != ChangeSetStatus::CreateComplete {
        let reason = cs.status_reason.unwrap_or_else(|| cs.status.to_string());
        stack.evidence_note = Some(format!("change set {}: {reason}; impacts are from the template diff", cs.status));
        return;
    }
    let detailed = cs.changes.iter().all(|c| c.action != "Modify" || c.replacement.is_some() || !c.details.is_empty());
    if !detailed {
        stack.evidence_note = Some(
            "the endpoint's change set has no replacement details (the local AWS does not return them); impacts are from the template diff"
                .into(),
        );
        return;
    }
    evidence::merge(&mut stack.changes, &cs);
    stack.evidence = Evidence::ChangeSet;
    if stack.changes.is_empty() && stack.parameter_values.is_empty() {
        stack.status = PlanStatus::NoChanges;
    }
}
