//! `AWS::KMS::*`: customer-managed keys and their aliases.

use serde::Serialize;

use super::Tag;
use super::iam::PolicyDocument;
use crate::attributes;
use crate::cfn::{Resource, Str};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Key {
    pub description: String,
    pub enable_key_rotation: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_period_in_days: Option<u32>,
    pub pending_window_in_days: u32,
    pub key_policy: PolicyDocument,
    pub tags: Vec<Tag>,
}
impl Resource for Key {
    const TYPE: &'static str = "AWS::KMS::Key";
}
attributes!(Key { arn => "Arn", key_id => "KeyId" });

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alias {
    /// `alias/...`
    pub alias_name: String,
    pub target_key_id: Str,
}
impl Resource for Alias {
    const TYPE: &'static str = "AWS::KMS::Alias";
}
