//! IAM policy documents, `AWS::IAM::Role` and policies attached to roles.

use indexmap::IndexMap;
use serde::Serialize;

use super::Tag;
use crate::attributes;
use crate::cfn::{Resource, Str};

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: &'static str,
    pub statement: Vec<Statement>,
}

impl PolicyDocument {
    pub fn new(statement: Vec<Statement>) -> Self {
        PolicyDocument { version: "2012-10-17", statement }
    }
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub enum Principal {
    #[serde(rename = "AWS")]
    Aws(Str),
    Service(String),
    /// A web identity provider, e.g. `cognito-identity.amazonaws.com` (identity pools).
    Federated(String),
}

/// Condition operator → condition key → values.
pub type Conditions = IndexMap<&'static str, IndexMap<String, Vec<Str>>>;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    pub sid: String,
    pub effect: Effect,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    pub action: Vec<String>,
    /// Empty only in trust policies, which name no resource.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource: Vec<Str>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub condition: Conditions,
}

impl Statement {
    pub fn allow(sid: &str, actions: &[&str], resources: Vec<Str>) -> Self {
        Statement {
            sid: sid.to_owned(),
            effect: Effect::Allow,
            principal: None,
            action: actions.iter().map(|a| (*a).to_owned()).collect(),
            resource: resources,
            condition: IndexMap::new(),
        }
    }

    pub fn principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }

    pub fn when(mut self, operator: &'static str, key: &str, values: Vec<Str>) -> Self {
        self.condition.entry(operator).or_default().insert(key.to_owned(), values);
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    pub policy_document: PolicyDocument,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// An explicit name, for roles other policies refer to by name pattern (e.g. the Lambda
    /// key policy's `role/matbakh-<env>-app-*`); `None` lets CloudFormation generate one.
    /// Named roles need `CAPABILITY_NAMED_IAM` and are replaced when the name changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    pub description: String,
    pub assume_role_policy_document: PolicyDocument,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_policy_arns: Vec<Str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<InlinePolicy>,
    pub tags: Vec<Tag>,
}
impl Resource for Role {
    const TYPE: &'static str = "AWS::IAM::Role";
}
attributes!(Role { arn => "Arn" });

impl Role {
    /// A role with a generated name that one AWS service assumes, granted one inline policy.
    pub fn for_service(service: &str, description: String, policy: InlinePolicy, tags: Vec<Tag>) -> Self {
        Role {
            role_name: None,
            description,
            assume_role_policy_document: service_trust(service),
            managed_policy_arns: Vec::new(),
            policies: vec![policy],
            tags,
        }
    }
}

/// A trust policy that lets one AWS service assume the role.
pub fn service_trust(service: &str) -> PolicyDocument {
    PolicyDocument::new(vec![assumed_by_service(service)])
}

/// [`service_trust`] with one condition: the confused-deputy guard AWS documents for the
/// service (e.g. `sts:ExternalId` for Firehose, `aws:SourceArn` for CloudWatch Logs).
pub fn service_trust_when(service: &str, operator: &'static str, key: &str, values: Vec<Str>) -> PolicyDocument {
    PolicyDocument::new(vec![assumed_by_service(service).when(operator, key, values)])
}

fn assumed_by_service(service: &str) -> Statement {
    Statement::allow("AssumedByService", &["sts:AssumeRole"], Vec::new())
        .principal(Principal::Service(service.to_owned()))
}

/// An AWS managed policy ARN, partition-aware.
pub fn managed_policy(path_and_name: &str) -> Str {
    Str::concat([
        Str::lit("arn:"),
        Str::Pseudo(crate::cfn::Pseudo::Partition),
        Str::lit(format!(":iam::aws:policy/{path_and_name}")),
    ])
}

/// `AWS::IAM::ManagedPolicy`: a customer managed policy (at most 6,144 characters
/// without whitespace, IAM's quota).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    pub description: String,
    pub policy_document: PolicyDocument,
}
impl Resource for ManagedPolicy {
    const TYPE: &'static str = "AWS::IAM::ManagedPolicy";
}

/// `AWS::IAM::InstanceProfile`: hands one role to EC2 instances.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    pub roles: Vec<Str>,
}
impl Resource for InstanceProfile {
    const TYPE: &'static str = "AWS::IAM::InstanceProfile";
}
attributes!(InstanceProfile { arn => "Arn" });

/// `AWS::IAM::Policy`: an inline policy of existing roles, for permissions on a resource
/// of a stack that the role's own stack cannot import from.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policy {
    pub policy_name: String,
    pub policy_document: PolicyDocument,
    /// Role names.
    pub roles: Vec<Str>,
}
impl Resource for Policy {
    const TYPE: &'static str = "AWS::IAM::Policy";
}
