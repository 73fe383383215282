//! The CloudFormation client, and the traits that split its operations by capability:
//! [`StackReadApi`] (reads), [`ChangeSetApi`] (prepare and execute), [`StackAdminApi`]
//! (stack policy, termination protection) and [`super::stack_drift::DriftDetectionApi`].
//! Plan takes reads and change sets, drift reads and drift detection, apply everything
//! but drift detection ([`DeployApi`]); test fakes implement only what they stand for.

use aws_sdk_cloudformation::Client;

pub use super::change_sets::{
    ChangeSet, ChangeSetApi, ChangeSetDetail, ChangeSetKind, ChangeSetRequest, ChangeSetResource, TemplateSource,
    change_set,
};
pub use super::stack_admin::StackAdminApi;
pub use super::stack_read::{
    LiveOutput, LiveStack, StackEvent, StackReadApi, StackResource, live_stack, stack_event, stack_resources,
};

/// What apply needs: reads, change sets and stack administration.
pub trait DeployApi: StackReadApi + ChangeSetApi + StackAdminApi {}

impl<T: StackReadApi + ChangeSetApi + StackAdminApi> DeployApi for T {}

/// The real thing.
#[derive(Clone, Debug)]
pub struct SdkCloudFormation {
    client: Client,
}

impl SdkCloudFormation {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        SdkCloudFormation { client: Client::new(config) }
    }

    /// The SDK client, for the operation traits implemented next to this file.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }
}

/// A per-call override without the SDK's retries, for calls retried by the caller with
/// its own rules: an operation that may have done work before failing (an opaque 500)
/// must not be repeated blindly.
pub(crate) fn single_attempt() -> aws_sdk_cloudformation::config::Builder {
    aws_sdk_cloudformation::config::Builder::default()
        .retry_config(aws_sdk_cloudformation::config::retry::RetryConfig::standard().with_max_attempts(1))
}
