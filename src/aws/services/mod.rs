//! Reading live resources through the service APIs, for `drift`. Each module turns one
//! service's answers into plain "live properties": a JSON map keyed by the resource's
//! CloudFormation property names (plus a few derived ones, named in `drift::compare`),
//! so the comparison is generic and can be tested without AWS through [`LiveReader`].
//!
//! Readers never read secret values: no `GetSecretValue`, Lambda environment variables
//! by name only, no passwords or tokens.

pub mod cognito;
pub mod ec2;
pub mod elasticache;
pub mod kms;
pub mod lambda;
pub mod names;
pub mod rds;
pub mod secretsmanager;
pub mod wafv2;

use std::collections::BTreeMap;
use std::future::Future;

use serde_json::{Map, Value};

use super::AwsError;
use crate::resource_types::{DriftRead, drift_read};

/// Live properties of one resource, keyed by CloudFormation property name.
pub type LiveProperties = Map<String, Value>;

/// A key of [`LiveProperties`] holding, per property a reader could not read while it
/// read the resource, the reason (compared as "not compared", with that reason).
pub const UNREAD: &str = "!unread";

/// What a read found for one physical id.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveState {
    Present(LiveProperties),
    /// The service says it does not exist (or it is scheduled for deletion).
    Absent,
}

/// Physical id → what was found. A batch read answers every id it was asked for.
pub type ReadResult = Result<BTreeMap<String, LiveState>, AwsError>;

/// Reads live resources of one type.
pub trait LiveReader: Send + Sync {
    fn read(&self, resource_type: &str, physical_ids: &[String]) -> impl Future<Output = ReadResult> + Send;
}

/// Whether drift reads live resources of this type (see [`crate::resource_types`]).
pub fn is_readable(resource_type: &str) -> bool {
    matches!(drift_read(resource_type), DriftRead::EachId | DriftRead::Batched)
}

/// Types read with one call for many ids (the others take one call per id).
pub fn is_batched(resource_type: &str) -> bool {
    drift_read(resource_type) == DriftRead::Batched
}

/// The SDK clients of every service drift reads.
#[derive(Clone, Debug)]
pub struct SdkReaders {
    ec2: aws_sdk_ec2::Client,
    rds: aws_sdk_rds::Client,
    elasticache: aws_sdk_elasticache::Client,
    cognito: aws_sdk_cognitoidentityprovider::Client,
    wafv2: aws_sdk_wafv2::Client,
    kms: aws_sdk_kms::Client,
    secrets: aws_sdk_secretsmanager::Client,
    lambda: aws_sdk_lambda::Client,
    s3: aws_sdk_s3::Client,
}

impl SdkReaders {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        SdkReaders {
            ec2: aws_sdk_ec2::Client::new(config),
            rds: aws_sdk_rds::Client::new(config),
            elasticache: aws_sdk_elasticache::Client::new(config),
            cognito: aws_sdk_cognitoidentityprovider::Client::new(config),
            wafv2: aws_sdk_wafv2::Client::new(config),
            kms: aws_sdk_kms::Client::new(config),
            secrets: aws_sdk_secretsmanager::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            s3: aws_sdk_s3::Client::new(config),
        }
    }
}

impl LiveReader for SdkReaders {
    async fn read(&self, resource_type: &str, ids: &[String]) -> ReadResult {
        match resource_type {
            "AWS::EC2::VPC" => ec2::read_vpcs(&self.ec2, ids).await,
            "AWS::EC2::Subnet" => ec2::read_subnets(&self.ec2, ids).await,
            "AWS::EC2::SecurityGroup" => ec2::read_security_groups(&self.ec2, ids).await,
            _ => {
                let mut out = BTreeMap::new();
                for id in ids {
                    let state = match resource_type {
                        "AWS::RDS::DBInstance" => rds::read_instance(&self.rds, id).await?,
                        "AWS::RDS::DBParameterGroup" => rds::read_parameter_group(&self.rds, id).await?,
                        "AWS::ElastiCache::ReplicationGroup" => {
                            elasticache::read_replication_group(&self.elasticache, id).await?
                        }
                        "AWS::ElastiCache::ParameterGroup" => {
                            elasticache::read_parameter_group(&self.elasticache, id).await?
                        }
                        "AWS::Cognito::UserPool" => cognito::read_user_pool(&self.cognito, id).await?,
                        "AWS::WAFv2::WebACL" => wafv2::read_web_acl(&self.wafv2, id).await?,
                        "AWS::KMS::Key" => kms::read_key(&self.kms, id).await?,
                        "AWS::SecretsManager::Secret" => secretsmanager::read_secret(&self.secrets, id).await?,
                        "AWS::Lambda::Function" => lambda::read_function(&self.lambda, id).await?,
                        other => {
                            return Err(AwsError::Unsupported {
                                operation: "read",
                                detail: format!("drift has no reader for {other}"),
                            });
                        }
                    };
                    out.insert(id.clone(), state);
                }
                Ok(out)
            }
        }
    }
}

/// A service error whose code says the resource does not exist.
pub(crate) fn is_not_found(err: &AwsError) -> bool {
    err.code().is_some_and(|c| c.contains("NotFound") || c.contains("Nonexistent") || c == "ResourceNotFoundException")
}

/// Turns a read into [`LiveState`], a not-found error into [`LiveState::Absent`].
pub(crate) fn present_or_absent(result: Result<LiveProperties, AwsError>) -> Result<LiveState, AwsError> {
    match result {
        Ok(props) => Ok(LiveState::Present(props)),
        Err(e) if is_not_found(&e) => Ok(LiveState::Absent),
        Err(e) => Err(e),
    }
}

/// Inserts `value` under `key` when there is one.
pub(crate) fn put<V: Into<Value>>(map: &mut LiveProperties, key: &str, value: Option<V>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v.into());
    }
}

pub(crate) fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(items.into_iter().map(|s| Value::String(s.to_owned())).collect())
}
