//! Deploying one stack through a change set: check its assets are uploaded, create the change set
//! (CREATE or UPDATE, explicit, with a client token), wait, skip it when empty, refuse
//! unapproved destruction of stateful resources, lift the stack policy for approved ones,
//! execute (with a client request token), follow the events until the stack settles,
//! restore the policy whatever happened, and report outputs or the root cause.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::events::EventTracker;
use super::progress::{ApplyEvent, Progress};
use super::protection::{destructive_changes, stack_policy, stateful_resources};
use crate::assets::Asset;
use crate::aws::AwsError;
use crate::aws::artifacts::ArtifactStore;
use crate::aws::cloudformation::DeployApi;
use crate::aws::cloudformation::{ChangeSet, ChangeSetKind, ChangeSetRequest, LiveOutput, LiveStack, TemplateSource};
use crate::aws::retry::{Backoff, with_retries};
use crate::aws::status::ChangeSetStatus;
use crate::plan::remedy;
use crate::synth::TEMPLATE_BODY_INLINE_MAX;

/// Everything one stack's deployment needs.
pub struct StackJob<'a> {
    pub id: String,
    pub name: String,
    pub body: &'a str,
    pub sha256: &'a str,
    pub assets: Vec<&'a Asset>,
}

/// How uploading one asset ended (apply uploads all assets before the first stack).
pub type UploadResult = Result<(), String>;

/// What is the same for every stack of one apply.
pub struct Deployer<'a, C, S, P> {
    pub api: &'a C,
    pub store: &'a S,
    pub progress: &'a P,
    pub bucket: Option<String>,
    pub region: String,
    /// Unique per apply: change-set names and client tokens derive from it.
    pub run_id: String,
    /// Prod: termination protection and a stack policy guarding stateful resources.
    pub protect: bool,
    pub allow_replace: BTreeSet<String>,
    /// Per asset key, set once the uploads are done.
    pub uploads: std::collections::BTreeMap<String, UploadResult>,
    pub backoff: Backoff,
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
    fn plain(reason: impl Into<String>) -> Self {
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
        with_retries(self.backoff, f).await
    }

    fn emit(&self, event: ApplyEvent) {
        self.progress.emit(event);
    }

    pub async fn deploy(&self, job: &StackJob<'_>) -> Result<Deployed, StackFailure> {
        let started = Instant::now();
        let live = self.call(|| self.api.describe_stack(&job.name)).await?;
        if let Some(stack) = &live
            && let Some(remedy) = remedy(stack)
        {
            return Err(StackFailure {
                reason: format!("the stack is {}", stack.status),
                resource: None,
                remedy: Some(remedy),
                executed: false,
            });
        }
        let kind = match &live {
            None => ChangeSetKind::Create,
            // Made by a change set never executed: still to be created.
            Some(s) if s.status.is_review() => ChangeSetKind::Create,
            Some(_) => ChangeSetKind::Update,
        };
        self.check_uploads(job)?;
        let template = self.template_source(job).await?;
        let parsed: Value = serde_json::from_str(job.body).unwrap_or(Value::Null);
        let stateful = stateful_resources(&parsed);

        let change_set_name = format!("matbakh-apply-{}-{}", self.run_id, job.id);
        let request = ChangeSetRequest {
            stack_name: job.name.clone(),
            change_set_name: change_set_name.clone(),
            change_set_type: kind,
            template,
            parameters: parameter_defaults(&parsed),
            description: format!("matbakh-infra apply, template sha256 {}", job.sha256),
            client_token: Some(change_set_name.clone()),
        };
        let id = self.call(|| self.api.create_change_set(request.clone())).await?;
        let change_set = self.await_change_set(&id).await?;
        if change_set.is_empty_failure() {
            let _ = self.call(|| self.api.delete_change_set(&id)).await;
            self.ensure_protection(job, live.as_ref(), &stateful).await?;
            self.emit(ApplyEvent::NoChanges { stack: job.name.clone() });
            return Ok(Deployed::NoChanges);
        }
        if change_set.status != ChangeSetStatus::CreateComplete {
            let reason = change_set.status_reason.clone().unwrap_or_else(|| change_set.status.to_string());
            let _ = self.call(|| self.api.delete_change_set(&id)).await;
            return Err(StackFailure::plain(format!("the change set failed: {reason}")));
        }
        self.report_change_set(job, kind, &change_set);

        let refused: Vec<_> = destructive_changes(&change_set)
            .into_iter()
            .filter(|d| !self.allow_replace.contains(&d.logical_id))
            .collect();
        if !refused.is_empty() {
            let _ = self.call(|| self.api.delete_change_set(&id)).await;
            let what: Vec<String> =
                refused.iter().map(|d| format!("{} {} ({})", d.what, d.logical_id, d.resource_type)).collect();
            let flags: Vec<String> = refused.iter().map(|d| format!("--allow-replace {}", d.logical_id)).collect();
            return Err(StackFailure {
                reason: format!("refused to {}: stateful resources keep data", what.join(", ")),
                resource: None,
                remedy: Some(format!("review the plan; if losing that data is intended, pass {}", flags.join(" "))),
                executed: false,
            });
        }
        self.warn_retained(job, &change_set).await;

        let lifted: BTreeSet<String> = stateful.iter().filter(|id| self.allow_replace.contains(*id)).cloned().collect();
        let policy_set = self.protect && kind == ChangeSetKind::Update;
        if policy_set {
            let policy = stack_policy(&stateful, &lifted);
            self.call(|| self.api.set_stack_policy(&job.name, &policy)).await?;
            if !lifted.is_empty() {
                self.emit(ApplyEvent::Protection {
                    stack: job.name.clone(),
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
            let restored = self.call(|| self.api.set_stack_policy(&job.name, &full)).await;
            match restored {
                Ok(()) if !lifted.is_empty() => self
                    .emit(ApplyEvent::Protection { stack: job.name.clone(), action: "stack policy restored".into() }),
                Ok(()) => {}
                Err(e) => {
                    return Err(StackFailure {
                        reason: format!("could not restore the stack policy: {e}"),
                        executed: outcome.as_ref().map_or_else(|f| f.executed, |_| true),
                        resource: None,
                        remedy: Some(format!(
                            "set it by hand: aws cloudformation set-stack-policy --stack-name {} --stack-policy-body '{}'",
                            job.name, full
                        )),
                    });
                }
            }
        }
        let stack = outcome?;
        if kind == ChangeSetKind::Create {
            self.ensure_protection(job, Some(&stack), &stateful).await?;
        }
        self.verify_resources(job, &change_set).await;
        self.emit(ApplyEvent::Succeeded {
            stack: job.name.clone(),
            status: stack.status.clone(),
            seconds: started.elapsed().as_secs_f64(),
            outputs: stack.outputs.clone(),
        });
        Ok(Deployed::Changed { created: kind == ChangeSetKind::Create, outputs: stack.outputs })
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
        let listed = match self.call(|| self.api.list_resources(&job.name)).await {
            Ok(listed) => listed,
            Err(e) => {
                self.emit(ApplyEvent::Warning {
                    stack: job.name.clone(),
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
                stack: job.name.clone(),
                message: format!(
                    "the endpoint reports no physical resource for {}: not confirmed as created",
                    unconfirmed.join(", ")
                ),
            });
        }
    }

    /// Resources the update removes from the template but CloudFormation keeps (or
    /// snapshots) because of their DeletionPolicy: they stay in the account and cost money.
    async fn warn_retained(&self, job: &StackJob<'_>, cs: &ChangeSet) {
        let removed: Vec<&str> =
            cs.changes.iter().filter(|c| c.action == "Remove").map(|c| c.logical_id.as_str()).collect();
        if removed.is_empty() {
            return;
        }
        let Ok(body) = self.call(|| self.api.get_template(&job.name)).await else { return };
        let Ok(live) = crate::diff::normalize::parse_template(&body) else { return };
        for id in removed {
            let policy = live["Resources"][id]["DeletionPolicy"].as_str().unwrap_or("Delete");
            let message = match policy {
                "Retain" | "RetainExceptOnCreate" => {
                    format!(
                        "{id} is removed from the stack but kept in the account (DeletionPolicy {policy}); delete it by hand when it is no longer needed"
                    )
                }
                "Snapshot" => {
                    format!("{id} is deleted after a final snapshot (DeletionPolicy Snapshot); the snapshot stays")
                }
                _ => continue,
            };
            self.emit(ApplyEvent::Warning { stack: job.name.clone(), message });
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

    /// Uploads one asset unless an object with its (content-hash) key is there already.
    pub async fn upload(&self, bucket: &str, stack: &str, asset: &Asset) -> Result<(), AwsError> {
        if self.call(|| self.store.exists(bucket, &asset.s3_key)).await? {
            self.emit(ApplyEvent::AssetPresent { stack: stack.to_owned(), key: asset.s3_key.clone() });
            return Ok(());
        }
        self.call(|| self.store.put(bucket, &asset.s3_key, asset.bytes.clone())).await?;
        self.emit(ApplyEvent::AssetUploaded {
            stack: stack.to_owned(),
            key: asset.s3_key.clone(),
            bytes: asset.bytes.len(),
        });
        Ok(())
    }

    /// Inline when it fits, otherwise uploaded to the artifacts bucket under its hash.
    async fn template_source(&self, job: &StackJob<'_>) -> Result<TemplateSource, StackFailure> {
        if job.body.len() <= TEMPLATE_BODY_INLINE_MAX {
            return Ok(TemplateSource::Body(job.body.to_owned()));
        }
        let Some(bucket) = &self.bucket else {
            return Err(StackFailure::plain(format!(
                "the template is {} bytes, over the inline limit, and there is no artifacts bucket",
                job.body.len()
            )));
        };
        let key = format!("templates/{}.json", job.sha256);
        if !self.call(|| self.store.exists(bucket, &key)).await? {
            self.call(|| self.store.put(bucket, &key, job.body.as_bytes().to_vec())).await?;
        }
        Ok(TemplateSource::Url(self.store.template_url(bucket, &key, &self.region)))
    }

    async fn await_change_set(&self, id: &str) -> Result<ChangeSet, StackFailure> {
        let start = Instant::now();
        let mut delay = self.poll.min(Duration::from_millis(500));
        loop {
            let cs = self.call(|| self.api.describe_change_set(id)).await?;
            if cs.is_settled() {
                return Ok(cs);
            }
            if start.elapsed() > self.timeout {
                return Err(StackFailure::plain(format!("the change set was not ready after {:?}", self.timeout)));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.poll.max(Duration::from_millis(500)));
        }
    }

    fn report_change_set(&self, job: &StackJob<'_>, kind: ChangeSetKind, cs: &ChangeSet) {
        let count = |action: &str| cs.changes.iter().filter(|c| c.action == action).count();
        self.emit(ApplyEvent::ChangeSet {
            stack: job.name.clone(),
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
            self.call(|| self.api.recent_events(&job.name)).await.unwrap_or_default()
        };
        let tracker = EventTracker::new(&before);
        let token = format!("matbakh-apply-{}-{}-execute", self.run_id, job.id);
        self.emit(ApplyEvent::Executing { stack: job.name.clone() });
        match self.call(|| self.api.execute_change_set(id, &token)).await {
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
            if let Ok(page) = self.call(|| self.api.recent_events(&job.name)).await {
                let fresh = tracker.take_new(page);
                let before = tracker.events_seen() - fresh.len();
                for (i, e) in fresh.iter().enumerate() {
                    if e.is_stack_event() {
                        continue;
                    }
                    self.emit(ApplyEvent::Resource {
                        stack: job.name.clone(),
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
            let Some(stack) = self.call(|| self.api.describe_stack(&job.name)).await? else {
                return Err(StackFailure::plain("the stack disappeared while it was being deployed"));
            };
            match stack.status.outcome() {
                Some(true) => return Ok(stack),
                Some(false) => {
                    if let Ok(page) = self.call(|| self.api.recent_events(&job.name)).await {
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
                            job.name
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
            self.call(|| self.api.set_termination_protection(&job.name, true)).await?;
            self.emit(ApplyEvent::Protection { stack: job.name.clone(), action: "termination protection on".into() });
        }
        let wanted = stack_policy(stateful, &BTreeSet::new());
        let current = self.call(|| self.api.get_stack_policy(&job.name)).await?;
        if current.as_deref().map(normalize_json) != Some(normalize_json(&wanted)) {
            self.call(|| self.api.set_stack_policy(&job.name, &wanted)).await?;
            self.emit(ApplyEvent::Protection { stack: job.name.clone(), action: "stack policy set".into() });
        }
        Ok(())
    }
}

fn normalize_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::String(text.to_owned()))
}

/// Every declared parameter with its default, passed explicitly.
pub fn parameter_defaults(template: &Value) -> Vec<(String, String)> {
    let Some(parameters) = template.get("Parameters").and_then(Value::as_object) else { return Vec::new() };
    parameters
        .iter()
        .filter_map(|(k, p)| p.get("Default").and_then(Value::as_str).map(|d| (k.clone(), d.to_owned())))
        .collect()
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
        remedy: remedy(stack),
        executed: true,
    }
}
