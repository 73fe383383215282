//! `AWS::SNS::*`: topics, their subscriptions and their access policies.

use serde::Serialize;

use super::Tag;
use super::iam::PolicyDocument;
use crate::attributes;
use crate::cfn::{Resource, Str};

/// `Ref` returns the topic ARN.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Topic {
    pub topic_name: String,
    /// Sender name of SMS and email notifications.
    pub display_name: String,
    /// A customer-managed key: the AWS-managed `alias/aws/sns` key cannot be used by
    /// AWS services such as CloudWatch, whose alarms then fail to publish.
    pub kms_master_key_id: Str,
    pub tags: Vec<Tag>,
}
impl Resource for Topic {
    const TYPE: &'static str = "AWS::SNS::Topic";
}
attributes!(Topic { topic_arn => "TopicArn" });

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Email,
    Sms,
    Https,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subscription {
    pub topic_arn: Str,
    pub protocol: Protocol,
    /// An address, an E.164 number or a URL; a URL is a credential, so it is a
    /// `{{resolve:secretsmanager:…}}` dynamic reference, never a value.
    pub endpoint: Str,
}
impl Resource for Subscription {
    const TYPE: &'static str = "AWS::SNS::Subscription";
}

/// Replaces the topics' default access policy.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TopicPolicy {
    pub topics: Vec<Str>,
    pub policy_document: PolicyDocument,
}
impl Resource for TopicPolicy {
    const TYPE: &'static str = "AWS::SNS::TopicPolicy";
}
