//! `AWS::Logs::LogGroup`: log groups we create ourselves, so their retention (and key)
//! is set by the template instead of the service's never-expire default.

use serde::Serialize;

use super::Tag;
use crate::attributes;
use crate::cfn::{Resource, Str};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogGroup {
    pub log_group_name: Str,
    /// One of the values CloudWatch accepts (1, 3, 5, 7, 14, 30, … 3653 days).
    pub retention_in_days: u32,
    /// KMS key ARN; the key policy must allow the `logs.<region>.amazonaws.com` principal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<Str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}
impl Resource for LogGroup {
    const TYPE: &'static str = "AWS::Logs::LogGroup";
}
attributes!(LogGroup { arn => "Arn" });

/// `AWS::Logs::SubscriptionFilter`: streams a log group's events to a destination (here a
/// Firehose delivery stream). A log group takes at most two subscription filters.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubscriptionFilter {
    pub filter_name: String,
    pub log_group_name: Str,
    /// The empty pattern matches every event.
    pub filter_pattern: String,
    pub destination_arn: Str,
    /// Assumed by CloudWatch Logs (`logs.amazonaws.com`) to put records to the destination.
    pub role_arn: Str,
}
impl Resource for SubscriptionFilter {
    const TYPE: &'static str = "AWS::Logs::SubscriptionFilter";
}
