//! Guarding stacks: stack policies and termination protection (prod).

use std::future::Future;

use super::AwsError;
use super::cloudformation::SdkCloudFormation;

pub trait StackAdminApi: Send + Sync {
    fn set_stack_policy(&self, stack_name: &str, body: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    fn set_termination_protection(
        &self,
        stack_name: &str,
        enabled: bool,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

impl StackAdminApi for SdkCloudFormation {
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
