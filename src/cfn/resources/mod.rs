//! Typed properties of the CloudFormation resource types matbakh-infra uses, one module
//! per service. Property names and types follow the registry schemas; only the
//! properties we set are modelled, and secret values have no field to go into.

pub mod apigateway;
pub mod athena;
pub mod autoscaling;
pub mod backup;
pub mod cloudformation;
pub mod cloudwatch;
pub mod cognito;
pub mod ec2;
pub mod elasticache;
pub mod firehose;
pub mod glue;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod quicksight;
pub mod rds;
pub mod route53;
pub mod s3;
pub mod secretsmanager;
pub mod ses;
pub mod sns;
pub mod ssm;
pub mod wafv2;

use serde::Serialize;

use super::expr::Str;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: Str,
}

/// Tags in a stable order: the given list, sorted by key.
pub fn tags<'a>(pairs: impl IntoIterator<Item = (&'a str, Str)>) -> Vec<Tag> {
    let mut tags: Vec<Tag> = pairs.into_iter().map(|(k, v)| Tag { key: k.to_owned(), value: v }).collect();
    tags.sort_by(|a, b| a.key.cmp(&b.key));
    tags.dedup_by(|a, b| a.key == b.key);
    tags
}

/// Tags as a `{key: value}` object, not the usual list of `Key`/`Value` pairs (Glue and
/// AWS Backup take them so).
pub fn tag_map(tags: Vec<Tag>) -> std::collections::BTreeMap<String, Str> {
    tags.into_iter().map(|t| (t.key, t.value)).collect()
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
