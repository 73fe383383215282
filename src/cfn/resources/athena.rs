//! `AWS::Athena::WorkGroup`.

use serde::Serialize;

use super::Tag;
use crate::cfn::{Resource, Str};

/// `Ref` returns the workgroup name.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkGroup {
    pub name: String,
    pub description: String,
    pub work_group_configuration: WorkGroupConfiguration,
    pub tags: Vec<Tag>,
}
impl Resource for WorkGroup {
    const TYPE: &'static str = "AWS::Athena::WorkGroup";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WorkGroupConfiguration {
    /// Queries are cancelled once they would scan more (at least 10 MB).
    pub bytes_scanned_cutoff_per_query: u64,
    /// Clients cannot override the result location and encryption.
    pub enforce_work_group_configuration: bool,
    pub publish_cloud_watch_metrics_enabled: bool,
    pub result_configuration: ResultConfiguration,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultConfiguration {
    /// `s3://bucket/prefix/`
    pub output_location: Str,
    pub encryption_configuration: EncryptionConfiguration,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EncryptionOption {
    SseS3,
    SseKms,
    CseKms,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptionConfiguration {
    pub encryption_option: EncryptionOption,
    /// KMS key ARN, for `SSE_KMS` and `CSE_KMS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<Str>,
}
