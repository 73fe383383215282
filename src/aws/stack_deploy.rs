//! The CloudFormation operations `apply` needs beyond planning: executing change sets,
//! reading stack events, stack policies and termination protection.

use std::future::Future;

use aws_sdk_cloudformation::types::StackEvent as SdkStackEvent;
use serde::{Deserialize, Serialize};

use super::AwsError;
use super::cloudformation::{CloudFormationApi, SdkCloudFormation, single_attempt};
use super::stack_drift::{StackDriftApi, StackResource};

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

pub trait StackDeployApi: CloudFormationApi {
    /// `ExecuteChangeSet`; the token makes a retried call a no-op.
    fn execute_change_set(
        &self,
        id: &str,
        client_request_token: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// The most recent events of a stack, newest first (one page: up to 100).
    fn recent_events(&self, stack_name: &str) -> impl Future<Output = Result<Vec<StackEvent>, AwsError>> + Send;
    fn get_stack_policy(&self, stack_name: &str) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    fn set_stack_policy(&self, stack_name: &str, body: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    fn set_termination_protection(
        &self,
        stack_name: &str,
        enabled: bool,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// `ListStackResources`, all pages.
    fn list_resources(&self, stack_name: &str) -> impl Future<Output = Result<Vec<StackResource>, AwsError>> + Send;
}

impl StackDeployApi for SdkCloudFormation {
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

    async fn set_stack_policy(&self, stack_name: &str, body: &str) -> Result<(), AwsError> {
        self.client()
            .set_stack_policy()
            .stack_name(stack_name)
            .stack_policy_body(body)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("SetStackPolicy", e))?;
        Ok(())
    }

    async fn list_resources(&self, stack_name: &str) -> Result<Vec<StackResource>, AwsError> {
        StackDriftApi::list_stack_resources(self, stack_name).await
    }

    async fn set_termination_protection(&self, stack_name: &str, enabled: bool) -> Result<(), AwsError> {
        self.client()
            .update_termination_protection()
            .stack_name(stack_name)
            .enable_termination_protection(enabled)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("UpdateTerminationProtection", e))?;
        Ok(())
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
