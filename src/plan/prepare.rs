//! Making one stack's change set: the assets and the large template it needs uploaded
//! first, the request (CREATE or UPDATE, explicit parameters, a client token), the wait
//! until CloudFormation has computed it, and what it says. Plan prepares every stack it
//! can this way; apply prepares a deferred stack the same way when its turn comes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::model::{Evidence, PlanStatus, Preparation, StackPlan};
use crate::assets::Asset;
use crate::aws::AwsError;
use crate::aws::artifacts::ArtifactStore;
use crate::aws::cloudformation::{
    ChangeSet, ChangeSetApi, ChangeSetKind, ChangeSetRequest, LiveStack, StackReadApi, TemplateSource,
};
use crate::aws::retry::{Backoff, with_retries};
use crate::aws::status::ChangeSetStatus;
use crate::constructs::bootstrap::{BUCKET_OUTPUT, bucket_name};
use crate::diff::evidence;
use crate::synth::{RenderedStack, TEMPLATE_BODY_INLINE_MAX};

/// What is the same for every change set of one run.
pub struct ChangeSetMaker<'a, C, S> {
    pub api: &'a C,
    pub store: &'a S,
    /// The artifacts bucket, once the bootstrap stack is deployed.
    pub bucket: Option<String>,
    pub region: String,
    /// Unique per run: change-set names and client tokens derive from it.
    pub run_id: String,
    pub backoff: Backoff,
    /// Longest wait for one change set to be computed.
    pub timeout: Duration,
    /// Longest pause between two reads of a change set being computed.
    pub poll: Duration,
}

/// What CloudFormation made of a change set.
#[derive(Debug)]
pub enum Computed {
    /// Nothing to change (CloudFormation refuses to make an empty change set).
    Empty,
    /// It could not be made; the reason as CloudFormation gives it.
    Failed(String),
    Ready(ChangeSet),
}

impl<C: ChangeSetApi + StackReadApi, S: ArtifactStore> ChangeSetMaker<'_, C, S> {
    /// A call retried on throttling and brief unavailability.
    pub async fn call<T, F, Fut>(&self, f: F) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, AwsError>>,
    {
        with_retries(self.backoff, f).await
    }

    /// Uploads one asset unless an object with its (content-hash) key is there already;
    /// `Ok(true)` when it was uploaded now.
    pub async fn upload(&self, asset: &Asset) -> Result<bool, AwsError> {
        let bucket = self.bucket.as_deref().expect("uploads happen once the bucket is known");
        if self.call(|| self.store.exists(bucket, &asset.s3_key)).await? {
            return Ok(false);
        }
        self.call(|| self.store.put(bucket, &asset.s3_key, asset.bytes.clone())).await?;
        Ok(true)
    }

    /// Inline when it fits, otherwise uploaded to the artifacts bucket under its hash.
    pub async fn template_source(&self, stack: &RenderedStack) -> Result<TemplateSource, String> {
        if stack.body.len() <= TEMPLATE_BODY_INLINE_MAX {
            return Ok(TemplateSource::Body(stack.body.clone()));
        }
        let Some(bucket) = &self.bucket else {
            return Err(format!(
                "the template is {} bytes, over the inline limit, and there is no artifacts bucket yet",
                stack.body.len()
            ));
        };
        let key = format!("templates/{}.json", stack.sha256);
        let upload = async {
            if !self.call(|| self.store.exists(bucket, &key)).await? {
                self.call(|| self.store.put(bucket, &key, stack.body.as_bytes().to_vec())).await?;
            }
            Ok::<_, AwsError>(())
        };
        upload.await.map_err(|e| format!("could not upload the template: {e}"))?;
        Ok(TemplateSource::Url(self.store.template_url(bucket, &key, &self.region)))
    }

    /// Creates the stack's change set; returns its ARN and name.
    pub async fn create(
        &self,
        stack: &RenderedStack,
        kind: ChangeSetKind,
        template: TemplateSource,
    ) -> Result<(String, String), AwsError> {
        let name = format!("matbakh-{}-{}", self.run_id, stack.id);
        let request = ChangeSetRequest {
            stack_name: stack.name.clone(),
            change_set_name: name.clone(),
            change_set_type: kind,
            template,
            parameters: parameter_defaults(&stack.template),
            description: format!("matbakh-infra, template sha256 {}", stack.sha256),
            client_token: Some(name.clone()),
        };
        let id = self.call(|| self.api.create_change_set(request.clone())).await?;
        Ok((id, name))
    }

    /// Waits until CloudFormation has computed the change set.
    pub async fn computed(&self, id: &str) -> Result<Computed, AwsError> {
        let start = Instant::now();
        let mut delay = self.poll.min(Duration::from_millis(500));
        loop {
            let cs = self.call(|| self.api.describe_change_set(id)).await?;
            if cs.is_empty_failure() {
                return Ok(Computed::Empty);
            }
            if cs.is_settled() {
                return Ok(if cs.status == ChangeSetStatus::CreateComplete {
                    Computed::Ready(cs)
                } else {
                    Computed::Failed(cs.status_reason.clone().unwrap_or_else(|| cs.status.to_string()))
                });
            }
            if start.elapsed() > self.timeout {
                return Ok(Computed::Failed(format!("not computed after {:?} (still {})", self.timeout, cs.status)));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.poll.max(Duration::from_millis(500)));
        }
    }

    pub async fn discard(&self, id: &str, review_stack: Option<&str>) -> Result<(), String> {
        discard_change_set(self.api, self.backoff, id, review_stack).await
    }
}

/// Deletes a change set, and the stack in review its CREATE change set made when it is
/// given (nothing else was in it); says what could not be deleted.
pub async fn discard_change_set<C: ChangeSetApi + StackReadApi>(
    api: &C,
    backoff: Backoff,
    id: &str,
    review_stack: Option<&str>,
) -> Result<(), String> {
    match with_retries(backoff, || api.delete_change_set(id)).await {
        Ok(()) => {}
        // Executing another change set of the stack deletes the rest.
        Err(e) if e.code() == Some("ChangeSetNotFound") => {}
        Err(e) => return Err(format!("could not delete the change set {id} ({e}); delete it by hand")),
    }
    let Some(stack) = review_stack else { return Ok(()) };
    let cleanup = async {
        // Never a stack created since (by another apply): only one still in review.
        let live = with_retries(backoff, || api.describe_stack(stack)).await?;
        if live.is_some_and(|s| s.status.is_review()) {
            with_retries(backoff, || api.delete_review_stack(stack)).await?;
        }
        Ok::<_, AwsError>(())
    };
    cleanup.await.map_err(|e| {
        format!("could not delete the empty stack {stack} its change set left in review ({e}); delete it by hand")
    })
}

/// The stack a prepared CREATE change set brought into being (the plan found none).
pub fn review_stack_of(stack: &StackPlan) -> Option<&str> {
    match &stack.change_set {
        Some(Preparation::Prepared { kind: ChangeSetKind::Create, .. }) if stack.live_status.is_none() => {
            Some(stack.name.as_str())
        }
        _ => None,
    }
}

/// Every declared parameter with its default, passed explicitly (some endpoints ignore
/// `List<…>` defaults).
pub fn parameter_defaults(template: &Value) -> Vec<(String, String)> {
    let Some(parameters) = template.get("Parameters").and_then(Value::as_object) else { return Vec::new() };
    parameters
        .iter()
        .filter_map(|(k, p)| p.get("Default").and_then(Value::as_str).map(|d| (k.clone(), d.to_owned())))
        .collect()
}

/// The artifacts bucket of a deployed bootstrap stack: its output, or — where an
/// endpoint does not report outputs of a stack created by a change set — the naming
/// convention the template uses, with the account and region from the stack's ARN.
pub fn bootstrap_bucket(stack: &LiveStack, environment: &str) -> Option<String> {
    if let Some(output) = stack.outputs.iter().find(|o| o.key == BUCKET_OUTPUT && !o.value.is_empty()) {
        return Some(output.value.clone());
    }
    // arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
    let parts: Vec<&str> = stack.id.split(':').collect();
    match (parts.get(3), parts.get(4)) {
        (Some(region), Some(account)) if !account.is_empty() => Some(bucket_name(environment, account, region)),
        _ => None,
    }
}

/// Merges a computed change set's verdict into the stack's plan.
pub fn merge_change_set(stack: &mut StackPlan, cs: &ChangeSet) {
    let detailed = cs.changes.iter().all(|c| c.action != "Modify" || c.replacement.is_some() || !c.details.is_empty());
    if !detailed {
        stack.evidence_note = Some(
            "the endpoint's change set has no replacement details (the local AWS does not return them); impacts are from the template diff"
                .into(),
        );
        return;
    }
    if stack.status == PlanStatus::ToCreate {
        // Everything is added: the template diff says all a create change set can.
        stack.evidence = Evidence::ChangeSet;
        return;
    }
    evidence::merge(&mut stack.changes, cs);
    stack.evidence = Evidence::ChangeSet;
    // A change set with changes is executed, whatever the merged diff shows.
    if cs.changes.is_empty() && stack.changes.is_empty() && stack.parameter_values.is_empty() {
        stack.status = PlanStatus::NoChanges;
    }
}

/// Assets of several stacks, each once, keyed by bucket key.
pub fn distinct_assets<'a>(assets: impl IntoIterator<Item = &'a Asset>) -> BTreeMap<&'a str, &'a Asset> {
    assets.into_iter().map(|a| (a.s3_key.as_str(), a)).collect()
}
