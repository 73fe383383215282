//! `AWS::Route53::RecordSet`: DNS records in an existing hosted zone.

use serde::Serialize;

use crate::cfn::{Resource, Str};

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum RecordType {
    A,
    #[serde(rename = "AAAA")]
    Aaaa,
}

/// An alias to an AWS endpoint: Route 53 answers with the target's current addresses.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasTarget {
    #[serde(rename = "DNSName")]
    pub dns_name: Str,
    /// The target's own hosted zone (e.g. API Gateway's for the region), not the record's.
    pub hosted_zone_id: Str,
    pub evaluate_target_health: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordSet {
    /// The zone the record is created in.
    pub hosted_zone_id: String,
    pub name: String,
    #[serde(rename = "Type")]
    pub record_type: RecordType,
    pub alias_target: AliasTarget,
    pub comment: String,
}
impl Resource for RecordSet {
    const TYPE: &'static str = "AWS::Route53::RecordSet";
}
// `Ref` is the record's domain name; the type has no `Fn::GetAtt` attributes.
