//! Change sets: creating, reading, executing and deleting them — how plan prepares
//! what apply executes. Plain types behind a trait, converted from the SDK's own output
//! types by [`change_set`].

use std::future::Future;

use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter};
use serde::{Deserialize, Serialize};

use super::AwsError;
use super::cloudformation::{SdkCloudFormation, single_attempt};
use super::status::{ChangeSetStatus, ExecutionStatus};

/// What `CreateChangeSet` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeSetRequest {
    pub stack_name: String,
    pub change_set_name: String,
    /// Always explicit: AWS defaults to UPDATE, emulators to CREATE.
    pub change_set_type: ChangeSetKind,
    pub template: TemplateSource,
    /// Every parameter with its value, passed explicitly (some endpoints ignore
    /// `List<…>` defaults); empty to let CloudFormation use the template's defaults.
    pub parameters: Vec<(String, String)>,
    pub description: String,
    /// Makes a retried call idempotent: the same token never creates a second change set.
    pub client_token: Option<String>,
}

/// Where CloudFormation reads the template from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateSource {
    /// Inline, up to 51,200 bytes.
    Body(String),
    /// An S3 object URL, for larger templates.
    Url(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSetKind {
    Create,
    Update,
}

/// What `DescribeChangeSet` (with `IncludePropertyValues`) says, all pages merged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    pub id: String,
    pub status: ChangeSetStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Whether it can be executed (`AVAILABLE`), or was (`EXECUTE_COMPLETE`, `OBSOLETE`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_status: Option<ExecutionStatus>,
    pub changes: Vec<ChangeSetResource>,
}

impl ChangeSet {
    pub fn is_settled(&self) -> bool {
        self.status.is_settled()
    }

    /// An empty change set fails with this reason on AWS and on the local AWS alike.
    pub fn is_empty_failure(&self) -> bool {
        self.status == ChangeSetStatus::Failed
            && self
                .status_reason
                .as_deref()
                .is_some_and(|r| r.contains("didn't contain changes") || r.contains("No updates are to be performed"))
    }
}

/// One `ResourceChange` of a change set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSetResource {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_id: Option<String>,
    /// `True`, `False`, `Conditional` (Modify only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    pub scope: Vec<String>,
    pub details: Vec<ChangeSetDetail>,
}

/// One `ResourceChangeDetail`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSetDetail {
    /// `Properties`, `Metadata`, `Tags`, …
    pub attribute: String,
    /// The property name, for `Properties`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Never`, `Conditionally`, `Always`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requires_recreation: Option<String>,
    /// `Static` or `Dynamic`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<String>,
    /// `ResourceReference`, `ParameterReference`, `ResourceAttribute`, `DirectModification`, `Automatic`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub causing_entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_value: Option<String>,
}

/// The change-set operations.
pub trait ChangeSetApi: Send + Sync {
    /// Returns the change set's id (ARN).
    fn create_change_set(&self, request: ChangeSetRequest) -> impl Future<Output = Result<String, AwsError>> + Send;
    fn describe_change_set(&self, id: &str) -> impl Future<Output = Result<ChangeSet, AwsError>> + Send;
    fn delete_change_set(&self, id: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// `DeleteStack` of a stack that only a CREATE change set made (`REVIEW_IN_PROGRESS`:
    /// no template, no resources): deleting that change set leaves the empty stack. The
    /// caller checks it is still in review ([`crate::plan::prepare::discard_change_set`]).
    fn delete_review_stack(&self, stack_name: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// `ExecuteChangeSet`; the token makes a retried call a no-op.
    fn execute_change_set(
        &self,
        id: &str,
        client_request_token: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

impl ChangeSetApi for SdkCloudFormation {
    async fn create_change_set(&self, request: ChangeSetRequest) -> Result<String, AwsError> {
        let out = self
            .client()
            .create_change_set()
            .stack_name(&request.stack_name)
            .change_set_name(&request.change_set_name)
            .change_set_type(match request.change_set_type {
                ChangeSetKind::Create => ChangeSetType::Create,
                ChangeSetKind::Update => ChangeSetType::Update,
            })
            .set_template_body(match &request.template {
                TemplateSource::Body(body) => Some(body.clone()),
                TemplateSource::Url(_) => None,
            })
            .set_template_url(match &request.template {
                TemplateSource::Url(url) => Some(url.clone()),
                TemplateSource::Body(_) => None,
            })
            .set_parameters(if request.parameters.is_empty() {
                None
            } else {
                Some(
                    request
                        .parameters
                        .iter()
                        .map(|(k, v)| Parameter::builder().parameter_key(k).parameter_value(v).build())
                        .collect(),
                )
            })
            .set_client_token(request.client_token.clone())
            .description(&request.description)
            .capabilities(Capability::CapabilityIam)
            .capabilities(Capability::CapabilityNamedIam)
            .include_nested_stacks(false)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("CreateChangeSet", e))?;
        Ok(out.id().unwrap_or_default().to_owned())
    }

    async fn describe_change_set(&self, id: &str) -> Result<ChangeSet, AwsError> {
        let mut merged = ChangeSet::default();
        let mut next: Option<String> = None;
        loop {
            let out = self
                .client()
                .describe_change_set()
                .change_set_name(id)
                .include_property_values(true)
                .set_next_token(next.clone())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeChangeSet", e))?;
            next = out.next_token().map(str::to_owned);
            let page = change_set(&out);
            merged.id = page.id;
            merged.status = page.status;
            merged.status_reason = page.status_reason;
            merged.execution_status = page.execution_status;
            merged.changes.extend(page.changes);
            if next.is_none() {
                return Ok(merged);
            }
        }
    }

    async fn delete_change_set(&self, id: &str) -> Result<(), AwsError> {
        self.client()
            .delete_change_set()
            .change_set_name(id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DeleteChangeSet", e))?;
        Ok(())
    }

    async fn delete_review_stack(&self, stack_name: &str) -> Result<(), AwsError> {
        self.client()
            .delete_stack()
            .stack_name(stack_name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DeleteStack", e))?;
        Ok(())
    }

    async fn execute_change_set(&self, id: &str, client_request_token: &str) -> Result<(), AwsError> {
        self.client()
            .execute_change_set()
            .change_set_name(id)
            .client_request_token(client_request_token)
            // Retried by apply, only on throttling and transient errors (the token makes
            // that safe on AWS); never on an opaque failure that may have done work.
            .customize()
            .config_override(single_attempt())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("ExecuteChangeSet", e))?;
        Ok(())
    }
}

/// Converts one page of a `DescribeChangeSet` answer.
pub fn change_set(out: &DescribeChangeSetOutput) -> ChangeSet {
    let changes = out
        .changes()
        .iter()
        .filter_map(|c| c.resource_change())
        .map(|rc| ChangeSetResource {
            action: rc.action().map(|a| a.as_str().to_owned()).unwrap_or_default(),
            logical_id: rc.logical_resource_id().unwrap_or_default().to_owned(),
            resource_type: rc.resource_type().unwrap_or_default().to_owned(),
            physical_id: rc.physical_resource_id().map(str::to_owned),
            replacement: rc.replacement().map(|r| r.as_str().to_owned()),
            scope: rc.scope().iter().map(|s| s.as_str().to_owned()).collect(),
            details: rc
                .details()
                .iter()
                .map(|d| {
                    let target = d.target();
                    ChangeSetDetail {
                        attribute: target
                            .and_then(|t| t.attribute())
                            .map(|a| a.as_str().to_owned())
                            .unwrap_or_default(),
                        name: target.and_then(|t| t.name()).map(str::to_owned),
                        requires_recreation: target
                            .and_then(|t| t.requires_recreation())
                            .map(|r| r.as_str().to_owned()),
                        evaluation: d.evaluation().map(|e| e.as_str().to_owned()),
                        change_source: d.change_source().map(|c| c.as_str().to_owned()),
                        causing_entity: d.causing_entity().map(str::to_owned),
                        before_value: target.and_then(|t| t.before_value()).map(str::to_owned),
                        after_value: target.and_then(|t| t.after_value()).map(str::to_owned),
                    }
                })
                .collect(),
        })
        .collect();
    ChangeSet {
        id: out.change_set_id().unwrap_or_default().to_owned(),
        status: ChangeSetStatus::from(out.status().map_or("", |s| s.as_str())),
        status_reason: out.status_reason().map(str::to_owned),
        execution_status: out.execution_status().map(|s| ExecutionStatus::from(s.as_str())),
        changes,
    }
}
