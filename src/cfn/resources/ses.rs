//! `AWS::SES::EmailIdentity`: a domain (or address) the account sends mail from.

use serde::Serialize;

use crate::attributes;
use crate::cfn::{Resource, Str};

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum DkimKeyLength {
    #[serde(rename = "RSA_2048_BIT")]
    Rsa2048,
}

/// Easy DKIM: SES generates the key pair and publishes three CNAME tokens.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DkimSigningAttributes {
    pub next_signing_key_length: DkimKeyLength,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DkimAttributes {
    pub signing_enabled: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailIdentity {
    /// A domain (`matbakh.app`) or an address.
    pub email_identity: String,
    /// Domains only: an address identity signs with its domain's DKIM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim_signing_attributes: Option<DkimSigningAttributes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim_attributes: Option<DkimAttributes>,
}
impl Resource for EmailIdentity {
    const TYPE: &'static str = "AWS::SES::EmailIdentity";
}
// `Ref` is the identity (the domain or address); the type has no ARN attribute.
attributes!(EmailIdentity {
    dkim_token_name_1 => "DkimDNSTokenName1",
    dkim_token_name_2 => "DkimDNSTokenName2",
    dkim_token_name_3 => "DkimDNSTokenName3",
    dkim_token_value_1 => "DkimDNSTokenValue1",
    dkim_token_value_2 => "DkimDNSTokenValue2",
    dkim_token_value_3 => "DkimDNSTokenValue3",
});

/// The ARN of an identity, built from its `Ref` (so whatever uses it waits for it):
/// `arn:<partition>:ses:<region>:<account>:identity/<identity>`.
pub fn identity_arn(identity: Str) -> Str {
    Str::arn("ses", Str::concat([Str::lit("identity/"), identity]))
}
