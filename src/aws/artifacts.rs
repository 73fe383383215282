//! The artifacts bucket: where apply puts Lambda code, scripts and templates too large
//! to pass inline. Objects are content-addressed, so "already there" means "the same".

use std::future::Future;

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;

use super::AwsError;

pub trait ArtifactStore: Send + Sync {
    fn exists(&self, bucket: &str, key: &str) -> impl Future<Output = Result<bool, AwsError>> + Send;
    fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// The URL CloudFormation reads a template object from.
    fn template_url(&self, bucket: &str, key: &str, region: &str) -> String {
        format!("https://{bucket}.s3.{region}.amazonaws.com/{key}")
    }
}

#[derive(Clone, Debug)]
pub struct S3Artifacts {
    client: Client,
}

impl S3Artifacts {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        // Path-style addressing works with custom endpoints (the local AWS) and with AWS.
        let s3 = aws_sdk_s3::config::Builder::from(config).force_path_style(config.endpoint_url().is_some()).build();
        S3Artifacts { client: Client::from_conf(s3) }
    }
}

/// What a 403 on HeadObject means on AWS.
fn access_denied(bucket: &str, key: &str) -> AwsError {
    AwsError::Service {
        operation: "HeadObject",
        code: "AccessDenied".into(),
        message: format!(
            "access denied to s3://{bucket}/{key}: the credentials lack s3:GetObject (and s3:ListBucket, without which a \
             missing object also answers 403) on the artifacts bucket, or its bucket policy denies the request"
        ),
    }
}

impl ArtifactStore for S3Artifacts {
    async fn exists(&self, bucket: &str, key: &str) -> Result<bool, AwsError> {
        match self.client.head_object().bucket(bucket).key(key).send().await {
            Ok(_) => Ok(true),
            Err(err) => {
                if err.as_service_error().is_some_and(|e| e.is_not_found()) {
                    return Ok(false);
                }
                // HeadObject answers 403 with no body, so the SDK sees no error code.
                if err.raw_response().is_some_and(|r| r.status().as_u16() == 403) {
                    return Err(access_denied(bucket, key));
                }
                Err(AwsError::from_sdk("HeadObject", err))
            }
        }
    }

    async fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), AwsError> {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(bytes))
            .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::Aes256)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("PutObject", e))?;
        Ok(())
    }
}
