//! Reading stacks: what plan, apply, drift and the staleness check of a saved plan need
//! to know about the live account, and nothing that changes it. Plain types behind a
//! trait; [`SdkCloudFormation`] implements it with the SDK client, and the conversion
//! functions turn the SDK's own output types into the plain ones, so tests can answer
//! in the shapes the AWS API reference documents.

use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_cloudformation::operation::list_stack_resources::ListStackResourcesOutput;
use aws_sdk_cloudformation::types::{Stack, StackEvent as SdkStackEvent, TemplateStage};
use serde::{Deserialize, Serialize};

use super::AwsError;
use super::cloudformation::SdkCloudFormation;
use super::status::StackStatus;

/// What `DescribeStacks` says about one stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveStack {
    pub name: String,
    pub id: String,
    pub status: StackStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// RFC 3339; creation time when the stack was never updated.
    pub last_updated: String,
    pub parameters: BTreeMap<String, String>,
    pub outputs: Vec<LiveOutput>,
    pub tags: BTreeMap<String, String>,
    pub termination_protection: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveOutput {
    pub key: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_name: Option<String>,
}

/// One `StackEvent`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackEvent {
    pub event_id: String,
    /// The stack's own events carry the stack name here.
    pub logical_id: String,
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_id: Option<String>,
    /// e.g. `CREATE_IN_PROGRESS`, `UPDATE_FAILED`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// RFC 3339.
    pub timestamp: String,
    /// The token of the operation that caused the event, when the caller passed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
}

impl StackEvent {
    pub fn is_stack_event(&self) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack"
    }
}

/// One row of `ListStackResources`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackResource {
    pub logical_id: String,
    /// Empty when the endpoint has none (a resource being created, or a type the local
    /// AWS only pretends to create).
    pub physical_id: String,
    pub resource_type: String,
    /// e.g. `CREATE_COMPLETE`, `UPDATE_FAILED`.
    pub status: String,
}

/// The read-only CloudFormation operations.
pub trait StackReadApi: Send + Sync {
    /// `None` when the stack does not exist (or only a deleted one does).
    fn describe_stack(&self, name: &str) -> impl Future<Output = Result<Option<LiveStack>, AwsError>> + Send;
    /// The deployed (original, untransformed) template body.
    fn get_template(&self, name: &str) -> impl Future<Output = Result<String, AwsError>> + Send;
    /// `ListStackResources`, all pages.
    fn list_resources(&self, stack: &str) -> impl Future<Output = Result<Vec<StackResource>, AwsError>> + Send;
    /// The most recent events of a stack, newest first (one page: up to 100).
    fn recent_events(&self, stack_name: &str) -> impl Future<Output = Result<Vec<StackEvent>, AwsError>> + Send;
    fn get_stack_policy(&self, stack_name: &str) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    /// `ListImports`, all pages: the stacks importing an export; empty when none does.
    fn list_imports(&self, export_name: &str) -> impl Future<Output = Result<Vec<String>, AwsError>> + Send;
}

impl StackReadApi for SdkCloudFormation {
    async fn describe_stack(&self, name: &str) -> Result<Option<LiveStack>, AwsError> {
        match self.client().describe_stacks().stack_name(name).send().await {
            Ok(out) => Ok(out.stacks().first().map(live_stack)),
            // AWS answers a missing stack with ValidationError "Stack with id X does not exist".
            Err(err) => {
                let err = AwsError::from_sdk("DescribeStacks", err);
                match &err {
                    AwsError::Service { code, message, .. }
                        if code == "ValidationError" && message.contains("does not exist") =>
                    {
                        Ok(None)
                    }
                    _ => Err(err),
                }
            }
        }
    }

    async fn get_template(&self, name: &str) -> Result<String, AwsError> {
        let out = self
            .client()
            .get_template()
            .stack_name(name)
            .template_stage(TemplateStage::Original)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("GetTemplate", e))?;
        Ok(out.template_body().unwrap_or_default().to_owned())
    }

    async fn list_resources(&self, stack: &str) -> Result<Vec<StackResource>, AwsError> {
        let mut all = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let out = self
                .client()
                .list_stack_resources()
                .stack_name(stack)
                .set_next_token(next.clone())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("ListStackResources", e))?;
            all.extend(stack_resources(&out));
            next = out.next_token().map(str::to_owned);
            if next.is_none() {
                return Ok(all);
            }
        }
    }

    async fn recent_events(&self, stack_name: &str) -> Result<Vec<StackEvent>, AwsError> {
        let out = self
            .client()
            .describe_stack_events()
            .stack_name(stack_name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeStackEvents", e))?;
        Ok(out.stack_events().iter().map(stack_event).collect())
    }

    async fn get_stack_policy(&self, stack_name: &str) -> Result<Option<String>, AwsError> {
        let out = self
            .client()
            .get_stack_policy()
            .stack_name(stack_name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("GetStackPolicy", e))?;
        Ok(out.stack_policy_body().map(str::to_owned))
    }

    async fn list_imports(&self, export_name: &str) -> Result<Vec<String>, AwsError> {
        let mut all = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let out =
                match self.client().list_imports().export_name(export_name).set_next_token(next.clone()).send().await {
                    Ok(out) => out,
                    Err(err) => {
                        // AWS answers an export nobody imports with ValidationError
                        // "Export 'NAME' is not imported by any stack."
                        let err = AwsError::from_sdk("ListImports", err);
                        return match &err {
                            AwsError::Service { code, message, .. }
                                if code == "ValidationError" && message.contains("not imported") =>
                            {
                                Ok(all)
                            }
                            _ => Err(err),
                        };
                    }
                };
            all.extend(out.imports().iter().cloned());
            next = out.next_token().map(str::to_owned);
            if next.is_none() {
                return Ok(all);
            }
        }
    }
}

/// Converts one stack of a `DescribeStacks` answer.
pub fn live_stack(s: &Stack) -> LiveStack {
    let time = s.last_updated_time().or(s.creation_time());
    LiveStack {
        name: s.stack_name().unwrap_or_default().to_owned(),
        id: s.stack_id().unwrap_or_default().to_owned(),
        status: StackStatus::from(s.stack_status().map_or("", |st| st.as_str())),
        status_reason: s.stack_status_reason().map(str::to_owned),
        last_updated: time
            .and_then(|t| t.fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime).ok())
            .unwrap_or_default(),
        parameters: s
            .parameters()
            .iter()
            .map(|p| {
                // The value as given: for a Systems Manager parameter type that is the
                // parameter's name, as in the code; `ResolvedValue` (what it named at the
                // last deploy) changes whenever AWS publishes a new value, which is no drift.
                let value = p.parameter_value().unwrap_or_default();
                (p.parameter_key().unwrap_or_default().to_owned(), value.to_owned())
            })
            .collect(),
        outputs: s
            .outputs()
            .iter()
            .map(|o| LiveOutput {
                key: o.output_key().unwrap_or_default().to_owned(),
                value: o.output_value().unwrap_or_default().to_owned(),
                export_name: o.export_name().map(str::to_owned),
            })
            .collect(),
        tags: s
            .tags()
            .iter()
            .map(|t| (t.key().unwrap_or_default().to_owned(), t.value().unwrap_or_default().to_owned()))
            .collect(),
        termination_protection: s.enable_termination_protection().unwrap_or(false),
    }
}

/// Converts one event of a `DescribeStackEvents` answer.
pub fn stack_event(e: &SdkStackEvent) -> StackEvent {
    StackEvent {
        event_id: e.event_id().unwrap_or_default().to_owned(),
        logical_id: e.logical_resource_id().unwrap_or_default().to_owned(),
        resource_type: e.resource_type().unwrap_or_default().to_owned(),
        physical_id: e.physical_resource_id().filter(|p| !p.is_empty()).map(str::to_owned),
        status: e.resource_status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        reason: e.resource_status_reason().map(str::to_owned),
        timestamp: e
            .timestamp()
            .and_then(|t| t.fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime).ok())
            .unwrap_or_default(),
        client_request_token: e.client_request_token().map(str::to_owned),
    }
}
/// Converts one page of `ListStackResources`.
pub fn stack_resources(out: &ListStackResourcesOutput) -> Vec<StackResource> {
    out.stack_resource_summaries()
        .iter()
        .map(|r| StackResource {
            logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
            physical_id: r.physical_resource_id().unwrap_or_default().to_owned(),
            resource_type: r.resource_type().unwrap_or_default().to_owned(),
            status: r.resource_status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudformation::types::{Parameter, Stack, StackStatus as SdkStatus};

    use super::live_stack;

    /// DescribeStacks answers a Systems Manager parameter type with the name the stack was
    /// given (`ParameterValue`) and what it resolved to (`ResolvedValue`).
    #[test]
    fn systems_manager_parameters_read_as_the_name_given_not_the_resolved_value() {
        let stack = Stack::builder()
            .stack_name("matbakh-dev-network")
            .stack_status(SdkStatus::UpdateComplete)
            .creation_time(aws_sdk_cloudformation::primitives::DateTime::from_secs(0))
            .parameters(
                Parameter::builder()
                    .parameter_key("BastionImageId")
                    .parameter_value("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64")
                    .resolved_value("ami-0540ba4e636bf2faf")
                    .build(),
            )
            .build();
        let live = live_stack(&stack);
        assert_eq!(
            live.parameters.get("BastionImageId").map(String::as_str),
            Some("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64")
        );
    }
}
