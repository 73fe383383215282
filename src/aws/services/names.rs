//! Whether a name a create would use is already taken in the account (or, for buckets,
//! anywhere): CloudFormation then fails the create after the stacks before it deployed.
//! Plan asks before anything changes, for the types whose names a read can tell
//! (their name properties are in [`crate::resource_types`]).

use std::future::Future;

use aws_sdk_s3::error::SdkError;

use super::{LiveState, SdkReaders, is_not_found, lambda};
use crate::aws::AwsError;

pub trait NameProbe: Send + Sync {
    /// `Some(true)` taken, `Some(false)` free, `None` when names of this type cannot be
    /// read here.
    fn is_taken(&self, resource_type: &str, name: &str) -> impl Future<Output = Result<Option<bool>, AwsError>> + Send;
}

impl NameProbe for SdkReaders {
    async fn is_taken(&self, resource_type: &str, name: &str) -> Result<Option<bool>, AwsError> {
        match resource_type {
            "AWS::Lambda::Function" => {
                Ok(Some(matches!(lambda::read_function(&self.lambda, name).await?, LiveState::Present(_))))
            }
            // A secret scheduled for deletion keeps its name until it is deleted.
            "AWS::SecretsManager::Secret" => {
                let result = self.secrets.describe_secret().secret_id(name).send().await;
                taken(result.map_err(|e| AwsError::from_sdk("DescribeSecret", e)))
            }
            "AWS::KMS::Alias" => {
                let result = self.kms.describe_key().key_id(name).send().await;
                taken(result.map_err(|e| AwsError::from_sdk("DescribeKey", e)))
            }
            "AWS::S3::Bucket" => match self.s3.head_bucket().bucket(name).send().await {
                Ok(_) => Ok(Some(true)),
                // HeadBucket answers without an error body: 404 free, 403 another
                // account's, 301 ours or theirs in another region.
                Err(SdkError::ServiceError(e)) => match e.raw().status().as_u16() {
                    404 => Ok(Some(false)),
                    301 | 403 => Ok(Some(true)),
                    _ => Err(AwsError::from_sdk("HeadBucket", SdkError::ServiceError(e))),
                },
                Err(e) => Err(AwsError::from_sdk("HeadBucket", e)),
            },
            _ => Ok(None),
        }
    }
}

fn taken<T>(result: Result<T, AwsError>) -> Result<Option<bool>, AwsError> {
    match result {
        Ok(_) => Ok(Some(true)),
        Err(e) if is_not_found(&e) => Ok(Some(false)),
        Err(e) => Err(e),
    }
}
