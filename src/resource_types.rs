//! What plan, apply and drift know about each CloudFormation resource type, in one
//! table keyed by the type name: whether it holds data (so replacing or deleting it is
//! refused unless named), which properties decide access (the reviewer's security list),
//! whether it is a protection (removing it broadens access) and how drift reads it.
//! A new type is one entry here.

/// How `drift` reads live resources of a type through the service APIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriftRead {
    /// Not read; only CloudFormation's own drift detection covers it.
    NotRead,
    /// One service call per physical id.
    EachId,
    /// One service call for all ids (EC2's Describe* take many ids).
    Batched,
    /// A standalone security-group rule, compared inside its group's rules of this
    /// direction (`SecurityGroupIngress` / `SecurityGroupEgress`).
    GroupRule(&'static str),
}

#[derive(Clone, Copy, Debug)]
pub struct ResourceType {
    pub name: &'static str,
    /// Holds data or identity: replacing or deleting it loses that.
    pub stateful: bool,
    /// Properties that decide who can reach or do what.
    pub access: &'static [&'static str],
    /// Guards something (a firewall): removing it broadens access, adding it does not.
    pub protection: bool,
    pub drift: DriftRead,
    /// The property holding a name that must be free for a create to succeed.
    pub name_property: Option<&'static str>,
}

const fn entry(name: &'static str) -> ResourceType {
    ResourceType {
        name,
        stateful: false,
        access: &[],
        protection: false,
        drift: DriftRead::NotRead,
        name_property: None,
    }
}

const RULE_ACCESS: &[&str] =
    &["CidrIp", "CidrIpv6", "FromPort", "ToPort", "IpProtocol", "SourceSecurityGroupId", "DestinationSecurityGroupId"];

/// Every type with knowledge beyond "an ordinary resource".
pub const TYPES: &[ResourceType] = &[
    ResourceType { drift: DriftRead::Batched, ..entry("AWS::EC2::VPC") },
    ResourceType { drift: DriftRead::Batched, ..entry("AWS::EC2::Subnet") },
    ResourceType {
        access: &["SecurityGroupIngress", "SecurityGroupEgress"],
        drift: DriftRead::Batched,
        ..entry("AWS::EC2::SecurityGroup")
    },
    ResourceType {
        access: RULE_ACCESS,
        drift: DriftRead::GroupRule("SecurityGroupIngress"),
        ..entry("AWS::EC2::SecurityGroupIngress")
    },
    ResourceType {
        access: RULE_ACCESS,
        drift: DriftRead::GroupRule("SecurityGroupEgress"),
        ..entry("AWS::EC2::SecurityGroupEgress")
    },
    ResourceType { stateful: true, drift: DriftRead::EachId, ..entry("AWS::RDS::DBInstance") },
    ResourceType { drift: DriftRead::EachId, ..entry("AWS::RDS::DBParameterGroup") },
    ResourceType { stateful: true, drift: DriftRead::EachId, ..entry("AWS::ElastiCache::ReplicationGroup") },
    ResourceType { drift: DriftRead::EachId, ..entry("AWS::ElastiCache::ParameterGroup") },
    ResourceType {
        stateful: true,
        access: &["Policies", "MfaConfiguration", "EnabledMfas", "AdminCreateUserConfig", "LambdaConfig"],
        drift: DriftRead::EachId,
        ..entry("AWS::Cognito::UserPool")
    },
    ResourceType {
        access: &["ExplicitAuthFlows", "AllowedOAuthFlows", "CallbackURLs", "GenerateSecret"],
        ..entry("AWS::Cognito::UserPoolClient")
    },
    ResourceType {
        access: &["Rules", "DefaultAction"],
        protection: true,
        drift: DriftRead::EachId,
        ..entry("AWS::WAFv2::WebACL")
    },
    ResourceType { access: &["ResourceArn", "WebACLArn"], protection: true, ..entry("AWS::WAFv2::WebACLAssociation") },
    ResourceType { stateful: true, access: &["KeyPolicy"], drift: DriftRead::EachId, ..entry("AWS::KMS::Key") },
    ResourceType { name_property: Some("AliasName"), ..entry("AWS::KMS::Alias") },
    ResourceType {
        stateful: true,
        drift: DriftRead::EachId,
        name_property: Some("Name"),
        ..entry("AWS::SecretsManager::Secret")
    },
    ResourceType { drift: DriftRead::EachId, name_property: Some("FunctionName"), ..entry("AWS::Lambda::Function") },
    ResourceType {
        access: &["Principal", "SourceArn", "SourceAccount", "Action", "FunctionName"],
        ..entry("AWS::Lambda::Permission")
    },
    ResourceType {
        stateful: true,
        access: &["PublicAccessBlockConfiguration", "BucketEncryption"],
        name_property: Some("BucketName"),
        ..entry("AWS::S3::Bucket")
    },
    ResourceType { access: &["PolicyDocument"], ..entry("AWS::S3::BucketPolicy") },
    ResourceType { access: &["PolicyDocument"], ..entry("AWS::SNS::TopicPolicy") },
    // Logs are data: a replaced or removed group loses its history.
    ResourceType { stateful: true, ..entry("AWS::Logs::LogGroup") },
    ResourceType {
        access: &["AssumeRolePolicyDocument", "Policies", "ManagedPolicyArns", "PermissionsBoundary"],
        ..entry("AWS::IAM::Role")
    },
    ResourceType { access: &["PolicyDocument", "Roles", "Users", "Groups"], ..entry("AWS::IAM::Policy") },
    ResourceType { access: &["PolicyDocument", "Roles", "Users", "Groups"], ..entry("AWS::IAM::ManagedPolicy") },
    ResourceType {
        access: &["AuthorizationType", "AuthorizerId", "ApiKeyRequired"],
        ..entry("AWS::ApiGateway::Method")
    },
];

/// What is known about a type; `None` for an ordinary resource.
pub fn lookup(name: &str) -> Option<&'static ResourceType> {
    TYPES.iter().find(|t| t.name == name)
}

pub fn is_stateful(name: &str) -> bool {
    lookup(name).is_some_and(|t| t.stateful)
}

/// The properties that decide access; `None` when the type grants or guards nothing.
pub fn access_properties(name: &str) -> Option<&'static [&'static str]> {
    lookup(name).map(|t| t.access).filter(|a| !a.is_empty())
}

pub fn is_protection(name: &str) -> bool {
    lookup(name).is_some_and(|t| t.protection)
}

/// The property naming a resource of this type, when the name must be free.
pub fn name_property(name: &str) -> Option<&'static str> {
    lookup(name).and_then(|t| t.name_property)
}

pub fn drift_read(name: &str) -> DriftRead {
    lookup(name).map_or(DriftRead::NotRead, |t| t.drift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_listed_once_and_every_entry_says_something() {
        for (i, t) in TYPES.iter().enumerate() {
            assert!(TYPES[..i].iter().all(|o| o.name != t.name), "{} twice", t.name);
            assert!(
                t.stateful
                    || !t.access.is_empty()
                    || t.protection
                    || t.drift != DriftRead::NotRead
                    || t.name_property.is_some(),
                "{} carries no knowledge",
                t.name
            );
        }
    }
}
