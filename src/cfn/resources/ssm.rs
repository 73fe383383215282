//! `AWS::SSM::Parameter`: plain configuration values published for other stacks and
//! functions to read at runtime. There is no secure-string variant: CloudFormation cannot
//! create `SecureString` parameters, and secrets belong in Secrets Manager anyway.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::attributes;
use crate::cfn::{Resource, Str};

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum ParameterType {
    String,
    StringList,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    /// A path, e.g. `/matbakh/prod/auth/user-pool-id`.
    pub name: String,
    pub description: String,
    #[serde(rename = "Type")]
    pub parameter_type: ParameterType,
    pub value: Str,
    /// A map in this type's schema, not the usual list of `Tag`s.
    pub tags: BTreeMap<String, Str>,
}
impl Resource for Parameter {
    const TYPE: &'static str = "AWS::SSM::Parameter";
}
// `Ref` is the parameter name.
attributes!(Parameter { arn => "Arn" });
