//! `AWS::S3::*`: buckets and bucket policies.

use serde::Serialize;

use super::Tag;
use super::iam::PolicyDocument;
use crate::attributes;
use crate::cfn::{Resource, Str};

/// `Ref` returns the bucket name.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bucket {
    /// Globally unique across all AWS accounts.
    pub bucket_name: Str,
    pub bucket_encryption: BucketEncryption,
    pub versioning_configuration: VersioningConfiguration,
    pub public_access_block_configuration: PublicAccessBlockConfiguration,
    pub ownership_controls: OwnershipControls,
    pub lifecycle_configuration: LifecycleConfiguration,
    pub tags: Vec<Tag>,
}
impl Resource for Bucket {
    const TYPE: &'static str = "AWS::S3::Bucket";
}
attributes!(Bucket { arn => "Arn" });

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketEncryption {
    pub server_side_encryption_configuration: Vec<ServerSideEncryptionRule>,
}

impl BucketEncryption {
    /// SSE-KMS with a customer-managed key and an S3 bucket key (one KMS call per
    /// bucket-key period instead of one per object: cheaper, and no KMS throttling).
    pub fn kms(key_arn: Str) -> Self {
        BucketEncryption {
            server_side_encryption_configuration: vec![ServerSideEncryptionRule {
                server_side_encryption_by_default: ServerSideEncryptionByDefault {
                    sse_algorithm: "aws:kms",
                    kms_master_key_id: Some(key_arn),
                },
                bucket_key_enabled: true,
            }],
        }
    }

    /// SSE-S3 (`AES256`): for objects that are not secret and must be readable by
    /// services without a key grant (Lambda reading its code, CloudFormation its template).
    pub fn s3_managed() -> Self {
        BucketEncryption {
            server_side_encryption_configuration: vec![ServerSideEncryptionRule {
                server_side_encryption_by_default: ServerSideEncryptionByDefault {
                    sse_algorithm: "AES256",
                    kms_master_key_id: None,
                },
                bucket_key_enabled: false,
            }],
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServerSideEncryptionRule {
    pub server_side_encryption_by_default: ServerSideEncryptionByDefault,
    pub bucket_key_enabled: bool,
}

#[derive(Serialize)]
pub struct ServerSideEncryptionByDefault {
    #[serde(rename = "SSEAlgorithm")]
    pub sse_algorithm: &'static str,
    #[serde(rename = "KMSMasterKeyID", skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<Str>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum VersioningStatus {
    Enabled,
    Suspended,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersioningConfiguration {
    pub status: VersioningStatus,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlockConfiguration {
    pub block_public_acls: bool,
    pub block_public_policy: bool,
    pub ignore_public_acls: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlockConfiguration {
    pub fn all() -> Self {
        PublicAccessBlockConfiguration {
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OwnershipControls {
    pub rules: Vec<OwnershipControlsRule>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum ObjectOwnership {
    /// ACLs are disabled; the bucket owner owns every object.
    BucketOwnerEnforced,
    BucketOwnerPreferred,
    ObjectWriter,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OwnershipControlsRule {
    pub object_ownership: ObjectOwnership,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleConfiguration {
    pub rules: Vec<LifecycleRule>,
}

/// One lifecycle rule; `None` fields are absent. A rule without `prefix` applies to
/// the whole bucket.
#[derive(Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleRule {
    pub id: String,
    pub status: RuleStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_in_days: Option<u32>,
    /// Removes delete markers no version is left behind (cannot be combined with `expiration_in_days`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_object_delete_marker: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abort_incomplete_multipart_upload: Option<AbortIncompleteMultipartUpload>,
}

#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub enum RuleStatus {
    #[default]
    Enabled,
    Disabled,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StorageClass {
    /// Glacier Flexible Retrieval.
    Glacier,
    GlacierIr,
    DeepArchive,
    StandardIa,
}

impl LifecycleRule {
    /// Deletes versions this many days after they stop being current, and the delete
    /// markers left once they are gone (clutter otherwise).
    pub fn expire_noncurrent_versions(days: u32) -> Self {
        LifecycleRule {
            id: "expire-noncurrent-versions".into(),
            noncurrent_version_expiration: Some(NoncurrentVersionExpiration { noncurrent_days: days }),
            expired_object_delete_marker: Some(true),
            ..Default::default()
        }
    }

    /// Aborts multipart uploads nobody completed (their parts cost storage).
    pub fn abort_incomplete_multipart_uploads(days: u32) -> Self {
        LifecycleRule {
            id: "abort-incomplete-multipart-uploads".into(),
            abort_incomplete_multipart_upload: Some(AbortIncompleteMultipartUpload { days_after_initiation: days }),
            ..Default::default()
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transition {
    pub storage_class: StorageClass,
    pub transition_in_days: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NoncurrentVersionExpiration {
    pub noncurrent_days: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AbortIncompleteMultipartUpload {
    pub days_after_initiation: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketPolicy {
    /// The bucket name.
    pub bucket: Str,
    pub policy_document: PolicyDocument,
}
impl Resource for BucketPolicy {
    const TYPE: &'static str = "AWS::S3::BucketPolicy";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encryption_and_storage_classes_use_s3_spelling() {
        assert_eq!(
            serde_json::to_value(BucketEncryption::kms(Str::lit("key"))).unwrap(),
            json!({"ServerSideEncryptionConfiguration": [{
                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "key"},
                "BucketKeyEnabled": true}]})
        );
        assert_eq!(serde_json::to_value(StorageClass::GlacierIr).unwrap(), json!("GLACIER_IR"));
        assert_eq!(serde_json::to_value(StorageClass::Glacier).unwrap(), json!("GLACIER"));
    }

    #[test]
    fn lifecycle_rules_render_only_what_is_set() {
        let rule = LifecycleRule {
            id: "archive".into(),
            prefix: Some("archive/".into()),
            transitions: vec![Transition { storage_class: StorageClass::Glacier, transition_in_days: 90 }],
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(rule).unwrap(),
            json!({"Id": "archive", "Status": "Enabled", "Prefix": "archive/",
                   "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 90}]})
        );
    }
}
