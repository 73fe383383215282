//! Deploying one stack of a plan: its change set — the one the plan prepared, or for a
//! deferred stack one made now the same way ([`crate::plan::prepare`]) — checked against
//! the one safety rule ([`crate::safety`]), the stack policy lifted for approved
//! resources (prod), executed with a client request token, followed through its events
//! until the stack settles; the policy restored whatever happened; outputs or the root
//! cause reported.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::events::EventTracker;
use super::progress::{ApplyEvent, Progress};
use crate::assets::Asset;
use crate::aws::AwsError;
use crate::aws::artifacts::ArtifactStore;
use crate::aws::cloudformation::{ChangeSet, ChangeSetKind, DeployApi, LiveOutput, LiveStack};
use crate::aws::status::{ChangeSetStatus, ExecutionStatus};
use crate::plan::model::{Preparation, StackPlan};
use crate::plan::prepare::{ChangeSetMaker, Computed, merge_change_set, review_stack_of};
use crate::safety::{self, stack_policy, stateful_resources};
use crate::synth::RenderedStack;

/// Everything one stack's deployment needs.
pub struct StackJob<'a> {
    pub stack: &'a RenderedStack,
    /// What the plan says about it (its change set among it).
    pub plan: &'a StackPlan,
    pub assets: Vec<&'a Asset>,
}

/// How uploading one asset ended (apply uploads all assets before the first stack).
pub type UploadResult = Result<(), String>;

/// What is the same for every stack of one apply.
pub struct Deployer<'a, C, S, P> {
    /// Makes deferred change sets and carries the clients, bucket, run id and backoff.
    pub maker: ChangeSetMaker<'a, C, S>,
    pub progress: &'a P,
    /// Prod: termination protection and a stack policy guarding stateful resources.
    pub protect: bool,
    pub allow_replace: BTreeSet<String>,
    /// Per asset key, set once the uploads are done.
    pub uploads: std::collections::BTreeMap<String, UploadResult>,
    /// Stack ids whose change set was executed.
    pub executed: std::sync::Mutex<BTreeSet<String>>,
    pub poll: Duration,
    pub timeout: Duration,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Deployed {
    NoChanges,
    Changed { created: bool, outputs: Vec<LiveOutput> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackFailure {
    pub reason: String,
    /// `LogicalId (Type)` of the resource that failed first.
    pub resource: Option<String>,
    pub remedy: Option<String>,
    /// The stack's change set was executed before it failed (counted in the summary).
    pub executed: bool,
}

impl StackFailure {
    pub fn plain(reason: impl Into<String>) -> Self {
        StackFailure { reason: reason.into(), resource: None, remedy: None, executed: false }
    }

    fn after_execution(self) -> Self {
        StackFailure { executed: true, ..self }
    }
}

impl From<AwsError> for StackFailure {
    fn from(e: AwsError) -> Self {
        StackFailure::plain(e.to_string())
    }
}

impl<C: DeployApi, S: ArtifactStore, P: Progress> Deployer<'_, C, S, P> {
    async fn call<T, F, Fut>(&self, f: F) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, AwsError>>,
    {
        self.maker.call(f).await
    }

    fn emit(&self, event: ApplyEvent) {
        self.progress.emit(event);
    }

    pub async fn deploy(&self, job: &StackJob<'_>) -> Result<Deployed, StackFailure> {
        let started = Instant::now();
        let stack = job.stack;
        let stateful = stateful_resources(&stack.template);
        if let Some(remedy) = &job.plan.remedy {
            let status = job.plan.live_status.as_ref().map_or_else(|| "blocked".to_owned(), ToString::to_string);
            return Err(StackFailure {
                reason: format!("the stack is {status}"),
                resource: None,
                remedy: Some(remedy.clone()),
                executed: false,
            });
        }
        let (id, kind, change_set, changes, review) = match &job.plan.change_set {
            None => {
                self.emit(ApplyEvent::NoChanges { stack: stack.name.clone() });
                return Ok(Deployed::NoChanges);
            }
            Some(Preparation::Prepared { id, name, kind }) => {
                // The change set the plan showed: still there and executable?
                let cs = self.maker.call(|| self.maker.api.describe_change_set(id)).await?;
                let available = cs.execution_status.as_ref().is_none_or(|e| *e == ExecutionStatus::Available);
                if cs.status != ChangeSetStatus::CreateComplete || !available {
                    let execution = cs.execution_status.as_ref().map_or_else(String::new, |e| format!(", {e}"));
                    return Err(StackFailure {
                        reason: format!(
                            "the plan's change set {name} is {}{execution}: no longer executable",
                            cs.status
                        ),
                        resource: None,
                        remedy: Some("run plan again".into()),
                        executed: false,
                    });
                }
                (id.clone(), *kind, cs, job.plan.changes.clone(), review_stack_of(job.plan).map(str::to_owned))
            }
            Some(Preparation::Deferred { .. }) => {
                let live = self.maker.call(|| self.maker.api.describe_stack(&stack.name)).await?;
                if let Some(live) = &live
                    && let Some(remedy) = live.status.remedy(&live.name)
                {
                    return Err(StackFailure {
                        reason: format!("the stack is {}", live.status),
                        resource: None,
                        remedy: Some(remedy),
                        executed: false,
                    });
                }
                let kind = match &live {
                    Some(s) if !s.status.is_review() => ChangeSetKind::Update,
                    _ => ChangeSetKind::Create,
                };
                self.check_uploads(job)?;
                let template = self.maker.template_source(stack).await.map_err(StackFailure::plain)?;
                let (id, _) = self.maker.create(stack, kind, template).await?;
                // A CREATE change set of a missing stack makes it, in review.
                let review = live.is_none().then_some(stack.name.as_str());
                match self.maker.computed(&id).await? {
                    Computed::Empty => {
                        let _ = self.maker.discard(&id, review).await;
                        self.ensure_protection(job, live.as_ref(), &stateful).await?;
                        self.emit(ApplyEvent::NoChanges { stack: stack.name.clone() });
                        return Ok(Deployed::NoChanges);
                    }
                    Computed::Failed(reason) => {
                        let _ = self.maker.discard(&id, review).await;
                        return Err(StackFailure::plain(format!("the change set failed: {reason}")));
                    }
                    Computed::Ready(cs) => {
                        let mut planned = job.plan.clone();
                        merge_change_set(&mut planned, &cs);
                        (id, kind, cs, planned.changes, review.map(str::to_owned))
                    }
                }
            }
        };

        // The one safety rule, as in the preflight, before anything of this stack changes.
        let dangers = safety::dangers(&stack.name, &changes);
        let refused = safety::refused(&dangers, &self.allow_replace);
        if !refused.is_empty() {
            let _ = self.maker.discard(&id, review.as_deref()).await;
            return Err(StackFailure {
                reason: format!("refused: {}", safety::refusal(&refused)),
                resource: None,
                remedy: Some(format!(
                    "review the plan; if losing that data is intended, pass {}",
                    safety::allow_flags(&refused)
                )),
                executed: false,
            });
        }
        self.report_change_set(job, kind, &change_set);
        for orphan in dangers.iter().filter(|d| d.is_orphan()) {
            self.emit(ApplyEvent::Warning {
                stack: stack.name.clone(),
                message: format!(
                    "{} is removed from the stack but kept in the account (DeletionPolicy Retain); delete it by hand when it is no longer needed",
                    orphan.logical_id
                ),
            });
        }

        let lifted: BTreeSet<String> = stateful.iter().filter(|id| self.allow_replace.contains(*id)).cloned().collect();
        let policy_set = self.protect && kind == ChangeSetKind::Update;
        if policy_set {
            let policy = stack_policy(&stateful, &lifted);
            self.maker.call(|| self.maker.api.set_stack_policy(&stack.name, &policy)).await?;
            if !lifted.is_empty() {
                self.emit(ApplyEvent::Protection {
                    stack: stack.name.clone(),
                    action: format!(
                        "stack policy lifted for {}",
                        lifted.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
        let outcome = self.execute_and_wait(job, &id, kind, &change_set).await;
        if policy_set {
            // Restored whatever happened: the lift is for this apply only.
            let full = stack_policy(&stateful, &BTreeSet::new());
            let restored = self.maker.call(|| self.maker.api.set_stack_policy(&stack.name, &full)).await;
            match restored {
                Ok(()) if !lifted.is_empty() => self
                    .emit(ApplyEvent::Protection { stack: stack.name.clone(), action: "stack policy restored".into() }),
                Ok(()) => {}
                Err(e) => {
                    return Err(StackFailure {
                        reason: format!("could not restore the stack policy: {e}"),
                        executed: outcome.as_ref().map_or_else(|f| f.executed, |_| true),
                        resource: None,
                        remedy: Some(format!(
                            "set it by hand: aws cloudformation set-stack-policy --stack-name {} --stack-policy-body '{}'",
                            stack.name, full
                        )),
                    });
                }
            }
        }
        let live = outcome?;
        if kind == ChangeSetKind::Create {
            self.ensure_protection(job, Some(&live), &stateful).await?;
        }
        self.verify_resources(job, &change_set).await;
        self.emit(ApplyEvent::Succeeded {
            stack: stack.name.clone(),
            status: live.status.clone(),
            seconds: started.elapsed().as_secs_f64(),
            outputs: live.outputs.clone(),
        });
        Ok(Deployed::Changed { created: kind == ChangeSetKind::Create, outputs: live.outputs })
    }

    /// Says so when the endpoint cannot show a resource the change set added or changed:
    /// listed without a physical id (a type it only pretends to create) or not listed at
    /// all — so the output never claims more than happened.
    async fn verify_resources(&self, job: &StackJob<'_>, cs: &ChangeSet) {
        let touched: Vec<&str> =
            cs.changes.iter().filter(|c| c.action != "Remove").map(|c| c.logical_id.as_str()).collect();
        if touched.is_empty() {
            return;
        }
        let listed = match self.call(|| self.maker.api.list_resources(&job.stack.name)).await {
            Ok(listed) => listed,
            Err(e) => {
                self.emit(ApplyEvent::Warning {
                    stack: job.stack.name.clone(),
                    message: format!("could not list the stack's resources to confirm them ({e})"),
                });
                return;
            }
        };
        let mut unconfirmed = Vec::new();
        for id in touched {
            match listed.iter().find(|r| r.logical_id == id) {
                Some(r) if !r.physical_id.is_empty() => {}
                Some(r) => unconfirmed.push(format!("{id} ({})", r.resource_type)),
                None => unconfirmed.push(id.to_owned()),
            }
        }
        if !unconfirmed.is_empty() {
            self.emit(ApplyEvent::Warning {
                stack: job.stack.name.clone(),
                message: format!(
                    "the endpoint reports no physical resource for {}: not confirmed as created",
                    unconfirmed.join(", ")
                ),
            });
        }
    }

    /// Fails the stack when one of its assets could not be uploaded.
    fn check_uploads(&self, job: &StackJob<'_>) -> Result<(), StackFailure> {
        for asset in &job.assets {
            match self.uploads.get(&asset.s3_key) {
                Some(Ok(())) => {}
                Some(Err(e)) => {
                    return Err(StackFailure::plain(format!("could not upload {} ({}): {e}", asset.id, asset.s3_key)));
                }
                None => return Err(StackFailure::plain(format!("{} ({}) was not uploaded", asset.id, asset.s3_key))),
            }
        }
        Ok(())
    }

    fn report_change_set(&self, job: &StackJob<'_>, kind: ChangeSetKind, cs: &ChangeSet) {
        let count = |action: &str| cs.changes.iter().filter(|c| c.action == action).count();
        self.emit(ApplyEvent::ChangeSet {
            stack: job.stack.name.clone(),
            kind: match kind {
                ChangeSetKind::Create => "create",
                ChangeSetKind::Update => "update",
            },
            add: count("Add"),
            modify: count("Modify"),
            remove: count("Remove"),
            total: cs.changes.len(),
        });
    }

    async fn execute_and_wait(
        &self,
        job: &StackJob<'_>,
        id: &str,
        kind: ChangeSetKind,
        cs: &ChangeSet,
    ) -> Result<LiveStack, StackFailure> {
        let before = if kind == ChangeSetKind::Create {
            Vec::new()
        } else {
            self.call(|| self.maker.api.recent_events(&job.stack.name)).await.unwrap_or_default()
        };
        let tracker = EventTracker::new(&before);
        let token = format!("matbakh-apply-{}-{}-execute", self.maker.run_id, job.stack.id);
        self.emit(ApplyEvent::Executing { stack: job.stack.name.clone() });
        self.executed.lock().expect("not poisoned").insert(job.stack.id.clone());
        match self.call(|| self.maker.api.execute_change_set(id, &token)).await {
            Ok(()) => {}
            // A retried execute whose first attempt went through.
            Err(AwsError::Service { code, .. }) if code == "InvalidChangeSetStatus" => {}
            Err(e) => return Err(e.into()),
        }
        self.wait_until_settled(job, cs, tracker).await.map_err(StackFailure::after_execution)
    }

    /// Follows an executed change set's events until the stack settles.
    async fn wait_until_settled(
        &self,
        job: &StackJob<'_>,
        cs: &ChangeSet,
        mut tracker: EventTracker,
    ) -> Result<LiveStack, StackFailure> {
        let total = cs.changes.len();
        let start = Instant::now();
        loop {
            // Events may be unavailable on some endpoints; progress then comes from the status.
            if let Ok(page) = self.call(|| self.maker.api.recent_events(&job.stack.name)).await {
                let fresh = tracker.take_new(page);
                let before = tracker.events_seen() - fresh.len();
                for (i, e) in fresh.iter().enumerate() {
                    if e.is_stack_event() {
                        continue;
                    }
                    self.emit(ApplyEvent::Resource {
                        stack: job.stack.name.clone(),
                        logical_id: e.logical_id.clone(),
                        resource_type: e.resource_type.clone(),
                        status: e.status.clone(),
                        reason: e.reason.clone(),
                        // Done as of this event, also when a page brings many at once.
                        done: tracker.resources_done_after(before + i + 1).min(total),
                        total,
                    });
                }
            }
            let Some(stack) = self.call(|| self.maker.api.describe_stack(&job.stack.name)).await? else {
                return Err(StackFailure::plain("the stack disappeared while it was being deployed"));
            };
            match stack.status.outcome() {
                Some(true) => return Ok(stack),
                Some(false) => {
                    if let Ok(page) = self.call(|| self.maker.api.recent_events(&job.stack.name)).await {
                        tracker.take_new(page);
                    }
                    return Err(failure(&stack, &tracker));
                }
                None if start.elapsed() > self.timeout => {
                    return Err(StackFailure {
                        reason: format!("still {} after {:?}", stack.status, self.timeout),
                        executed: true,
                        resource: None,
                        remedy: Some(format!(
                            "follow it in the console or with `aws cloudformation describe-stack-events --stack-name {}`",
                            job.stack.name
                        )),
                    });
                }
                None => tokio::time::sleep(self.poll).await,
            }
        }
    }

    /// Prod stacks: termination protection on; the stack policy in place.
    async fn ensure_protection(
        &self,
        job: &StackJob<'_>,
        live: Option<&LiveStack>,
        stateful: &[String],
    ) -> Result<(), StackFailure> {
        let Some(live) = live.filter(|_| self.protect) else { return Ok(()) };
        if !live.termination_protection {
            self.call(|| self.maker.api.set_termination_protection(&job.stack.name, true)).await?;
            self.emit(ApplyEvent::Protection {
                stack: job.stack.name.clone(),
                action: "termination protection on".into(),
            });
        }
        let wanted = stack_policy(stateful, &BTreeSet::new());
        let current = self.call(|| self.maker.api.get_stack_policy(&job.stack.name)).await?;
        if current.as_deref().map(normalize_json) != Some(normalize_json(&wanted)) {
            self.call(|| self.maker.api.set_stack_policy(&job.stack.name, &wanted)).await?;
            self.emit(ApplyEvent::Protection { stack: job.stack.name.clone(), action: "stack policy set".into() });
        }
        Ok(())
    }
}

fn normalize_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::String(text.to_owned()))
}

fn failure(stack: &LiveStack, tracker: &EventTracker) -> StackFailure {
    let cause = tracker.root_cause();
    let reason = cause
        .and_then(|e| e.reason.clone())
        .or_else(|| stack.status_reason.clone())
        .unwrap_or_else(|| "no reason given".into());
    let resource = cause.filter(|e| !e.is_stack_event()).map(|e| format!("{} ({})", e.logical_id, e.resource_type));
    let rolled_back = stack.status.failure_summary();
    StackFailure {
        reason: format!("{} ({}): {reason}", rolled_back, stack.status),
        resource,
        remedy: stack.status.remedy(&stack.name),
        executed: true,
    }
}
