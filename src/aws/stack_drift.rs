//! CloudFormation's own drift detection, which `drift` uses besides the stack reads of
//! [`super::stack_read`]. Plain types behind a trait; [`SdkCloudFormation`] implements it with the SDK client, and the
//! conversion functions turn the SDK's own output types into the plain ones, so tests
//! can build responses in the shapes the AWS API reference documents.

use std::future::Future;

use aws_sdk_cloudformation::operation::describe_stack_drift_detection_status::DescribeStackDriftDetectionStatusOutput;
use aws_sdk_cloudformation::operation::describe_stack_resource_drifts::DescribeStackResourceDriftsOutput;
use serde::{Deserialize, Serialize};

use super::AwsError;
use super::cloudformation::{SdkCloudFormation, single_attempt};
use super::retry::{Backoff, with_retries};

/// What `DescribeStackDriftDetectionStatus` says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftDetection {
    /// `DETECTION_IN_PROGRESS`, `DETECTION_COMPLETE`, `DETECTION_FAILED`.
    pub detection_status: String,
    /// `DRIFTED`, `IN_SYNC`, `NOT_CHECKED`, `UNKNOWN` (when complete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_drift_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drifted_resources: Option<i32>,
}

impl DriftDetection {
    /// Complete, or failed for some resources: AWS documents that results are then
    /// available for the resources it could check.
    pub fn is_settled(&self) -> bool {
        self.detection_status != "DETECTION_IN_PROGRESS"
    }
}

/// One `StackResourceDrift`. Only the property differences are kept: the expected and
/// actual property documents can hold values drift must never print.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceDriftResult {
    pub logical_id: String,
    pub physical_id: String,
    pub resource_type: String,
    /// `IN_SYNC`, `MODIFIED`, `DELETED`, `NOT_CHECKED`, `UNKNOWN`, `UNSUPPORTED`.
    pub status: String,
    pub differences: Vec<PropertyDifference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One `PropertyDifference`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyDifference {
    /// As AWS gives it, e.g. `/SecurityGroupIngress/2` or `/Properties/Timeout`.
    pub path: String,
    pub expected: String,
    pub actual: String,
    /// `ADD`, `REMOVE`, `NOT_EQUAL`.
    pub kind: String,
}

/// CloudFormation's own drift detection.
pub trait DriftDetectionApi: Send + Sync {
    /// Starts `DetectStackDrift`; returns the detection id.
    fn detect_stack_drift(&self, stack: &str) -> impl Future<Output = Result<String, AwsError>> + Send;
    fn describe_drift_detection(
        &self,
        detection_id: &str,
    ) -> impl Future<Output = Result<DriftDetection, AwsError>> + Send;
    /// All pages of `DescribeStackResourceDrifts`.
    fn describe_resource_drifts(
        &self,
        stack: &str,
    ) -> impl Future<Output = Result<Vec<ResourceDriftResult>, AwsError>> + Send;
}

impl DriftDetectionApi for SdkCloudFormation {
    /// Without the SDK's retries, which would back off for seconds on every stack of
    /// an endpoint that answers this API with an error page (the local AWS); throttling
    /// and AWS's own transient errors are retried here instead.
    async fn detect_stack_drift(&self, stack: &str) -> Result<String, AwsError> {
        let backoff = Backoff { first: std::time::Duration::from_millis(500), attempts: 5, ..Backoff::default() };
        let out = with_retries(backoff, || async {
            self.client()
                .detect_stack_drift()
                .stack_name(stack)
                .customize()
                .config_override(single_attempt())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DetectStackDrift", e))
        })
        .await?;
        Ok(out.stack_drift_detection_id().unwrap_or_default().to_owned())
    }

    async fn describe_drift_detection(&self, detection_id: &str) -> Result<DriftDetection, AwsError> {
        let out = self
            .client()
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(detection_id)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeStackDriftDetectionStatus", e))?;
        Ok(drift_detection(&out))
    }

    async fn describe_resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDriftResult>, AwsError> {
        let mut all = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let out = self
                .client()
                .describe_stack_resource_drifts()
                .stack_name(stack)
                .set_next_token(next.clone())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeStackResourceDrifts", e))?;
            all.extend(resource_drifts(&out));
            next = out.next_token().map(str::to_owned);
            if next.is_none() {
                return Ok(all);
            }
        }
    }
}

/// Converts a `DescribeStackDriftDetectionStatus` answer.
pub fn drift_detection(out: &DescribeStackDriftDetectionStatusOutput) -> DriftDetection {
    DriftDetection {
        detection_status: out.detection_status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        stack_drift_status: out.stack_drift_status().map(|s| s.as_str().to_owned()),
        reason: out.detection_status_reason().map(str::to_owned),
        drifted_resources: out.drifted_stack_resource_count(),
    }
}

/// Converts one page of `DescribeStackResourceDrifts`.
pub fn resource_drifts(out: &DescribeStackResourceDriftsOutput) -> Vec<ResourceDriftResult> {
    out.stack_resource_drifts()
        .iter()
        .map(|d| ResourceDriftResult {
            logical_id: d.logical_resource_id().unwrap_or_default().to_owned(),
            physical_id: d.physical_resource_id().unwrap_or_default().to_owned(),
            resource_type: d.resource_type().unwrap_or_default().to_owned(),
            status: d.stack_resource_drift_status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
            differences: d
                .property_differences()
                .iter()
                .map(|p| PropertyDifference {
                    path: p.property_path().unwrap_or_default().to_owned(),
                    expected: p.expected_value().unwrap_or_default().to_owned(),
                    actual: p.actual_value().unwrap_or_default().to_owned(),
                    kind: p.difference_type().map(|k| k.as_str().to_owned()).unwrap_or_default(),
                })
                .collect(),
            reason: d.drift_status_reason().map(str::to_owned),
        })
        .collect()
}
