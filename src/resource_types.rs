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

/// How an access property's value reads for a reviewer (see [`crate::diff::access`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A value shown as it is, intrinsics made readable.
    Value,
    /// One field of the security-group rule the whole resource is; the resource reads
    /// as one rule line.
    RuleField,
    /// A list of inline security-group rules of this direction.
    Rules,
    /// A policy document: one line per statement.
    Policy,
    /// IAM inline policies (`[{PolicyName, PolicyDocument}]`): each statement, by policy.
    InlinePolicies,
}

/// A property that decides who can reach or do what, and how it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub property: &'static str,
    pub shape: Shape,
}

const fn value(property: &'static str) -> Access {
    Access { property, shape: Shape::Value }
}

const fn policy(property: &'static str) -> Access {
    Access { property, shape: Shape::Policy }
}

const fn rule_field(property: &'static str) -> Access {
    Access { property, shape: Shape::RuleField }
}

const fn rules(property: &'static str) -> Access {
    Access { property, shape: Shape::Rules }
}

#[derive(Clone, Copy, Debug)]
pub struct ResourceType {
    pub name: &'static str,
    /// Holds data or identity: replacing or deleting it loses that.
    pub stateful: bool,
    /// Properties that decide who can reach or do what, in the order a reviewer reads them.
    pub access: &'static [Access],
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

/// A standalone security-group rule: which group, which traffic, from or to where.
const RULE_ACCESS: &[Access] = &[
    rule_field("GroupId"),
    rule_field("IpProtocol"),
    rule_field("FromPort"),
    rule_field("ToPort"),
    rule_field("CidrIp"),
    rule_field("CidrIpv6"),
    rule_field("SourceSecurityGroupId"),
    rule_field("SourceSecurityGroupName"),
    rule_field("SourcePrefixListId"),
    rule_field("DestinationSecurityGroupId"),
    rule_field("DestinationPrefixListId"),
];

/// An IAM policy: what it allows, and to whom it is attached.
const IAM_POLICY_ACCESS: &[Access] = &[policy("PolicyDocument"), value("Roles"), value("Users"), value("Groups")];

/// Every type with knowledge beyond "an ordinary resource".
pub const TYPES: &[ResourceType] = &[
    ResourceType { drift: DriftRead::Batched, ..entry("AWS::EC2::VPC") },
    ResourceType { drift: DriftRead::Batched, ..entry("AWS::EC2::Subnet") },
    ResourceType {
        access: &[rules("SecurityGroupIngress"), rules("SecurityGroupEgress")],
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
    // Where the endpoint's interfaces sit and who may reach them; its policy limits what
    // calls through it may do.
    ResourceType {
        access: &[policy("PolicyDocument"), value("SecurityGroupIds"), value("SubnetIds"), value("PrivateDnsEnabled")],
        ..entry("AWS::EC2::VPCEndpoint")
    },
    // AssociatedRoles: the roles the engine acts with (e.g. invoking Lambda functions).
    ResourceType {
        stateful: true,
        access: &[value("AssociatedRoles")],
        drift: DriftRead::EachId,
        ..entry("AWS::RDS::DBInstance")
    },
    ResourceType { drift: DriftRead::EachId, ..entry("AWS::RDS::DBParameterGroup") },
    ResourceType { stateful: true, drift: DriftRead::EachId, ..entry("AWS::ElastiCache::ReplicationGroup") },
    ResourceType { drift: DriftRead::EachId, ..entry("AWS::ElastiCache::ParameterGroup") },
    ResourceType {
        stateful: true,
        access: &[
            value("Policies"),
            value("MfaConfiguration"),
            value("EnabledMfas"),
            value("AdminCreateUserConfig"),
            value("LambdaConfig"),
        ],
        drift: DriftRead::EachId,
        ..entry("AWS::Cognito::UserPool")
    },
    ResourceType {
        access: &[
            value("ExplicitAuthFlows"),
            value("AllowedOAuthFlows"),
            value("CallbackURLs"),
            value("GenerateSecret"),
        ],
        ..entry("AWS::Cognito::UserPoolClient")
    },
    // Membership in a group is what `/admin` authorizes by (`cognito:groups`).
    ResourceType { access: &[value("GroupName"), value("Precedence")], ..entry("AWS::Cognito::UserPoolGroup") },
    // Holds every user's identity id: a replaced pool hands out new ids, orphaning
    // anything keyed by the old ones. Guests and the classic flow widen who gets credentials.
    ResourceType {
        stateful: true,
        access: &[
            value("AllowUnauthenticatedIdentities"),
            value("AllowClassicFlow"),
            value("CognitoIdentityProviders"),
        ],
        ..entry("AWS::Cognito::IdentityPool")
    },
    // Which role identities of the pool get credentials for.
    ResourceType {
        access: &[value("Roles"), value("RoleMappings")],
        ..entry("AWS::Cognito::IdentityPoolRoleAttachment")
    },
    // Datasets built on the source refer to it: a replaced source leaves them on nothing.
    // Who may use it, and the role its queries run as.
    ResourceType {
        stateful: true,
        access: &[value("Permissions"), value("DataSourceParameters")],
        ..entry("AWS::QuickSight::DataSource")
    },
    // A replaced identity gets new DKIM keys: mail fails DKIM until DNS has the new tokens.
    ResourceType { stateful: true, ..entry("AWS::SES::EmailIdentity") },
    ResourceType {
        access: &[value("DefaultAction"), value("Rules")],
        protection: true,
        drift: DriftRead::EachId,
        ..entry("AWS::WAFv2::WebACL")
    },
    ResourceType {
        access: &[value("ResourceArn"), value("WebACLArn")],
        protection: true,
        ..entry("AWS::WAFv2::WebACLAssociation")
    },
    ResourceType { stateful: true, access: &[policy("KeyPolicy")], drift: DriftRead::EachId, ..entry("AWS::KMS::Key") },
    ResourceType { name_property: Some("AliasName"), ..entry("AWS::KMS::Alias") },
    ResourceType {
        stateful: true,
        drift: DriftRead::EachId,
        name_property: Some("Name"),
        ..entry("AWS::SecretsManager::Secret")
    },
    ResourceType { drift: DriftRead::EachId, name_property: Some("FunctionName"), ..entry("AWS::Lambda::Function") },
    ResourceType {
        access: &[
            value("Principal"),
            value("Action"),
            value("FunctionName"),
            value("SourceArn"),
            value("SourceAccount"),
        ],
        ..entry("AWS::Lambda::Permission")
    },
    ResourceType {
        stateful: true,
        access: &[value("PublicAccessBlockConfiguration"), value("BucketEncryption")],
        name_property: Some("BucketName"),
        ..entry("AWS::S3::Bucket")
    },
    ResourceType { access: &[value("Bucket"), policy("PolicyDocument")], ..entry("AWS::S3::BucketPolicy") },
    ResourceType { access: &[value("Topics"), policy("PolicyDocument")], ..entry("AWS::SNS::TopicPolicy") },
    ResourceType { access: &[value("Queues"), policy("PolicyDocument")], ..entry("AWS::SQS::QueuePolicy") },
    // Holds the recovery points; its name and key are createOnly.
    ResourceType { stateful: true, name_property: Some("BackupVaultName"), ..entry("AWS::Backup::BackupVault") },
    // Logs are data: a replaced or removed group loses its history.
    ResourceType { stateful: true, ..entry("AWS::Logs::LogGroup") },
    // Where a log group's events go, and the role that sends them: logs leave the group.
    ResourceType { access: &[value("DestinationArn"), value("RoleArn")], ..entry("AWS::Logs::SubscriptionFilter") },
    // The bucket, prefix and key records are delivered to, and the role writing them.
    ResourceType {
        access: &[value("ExtendedS3DestinationConfiguration")],
        name_property: Some("DeliveryStreamName"),
        ..entry("AWS::KinesisFirehose::DeliveryStream")
    },
    ResourceType {
        access: &[
            policy("AssumeRolePolicyDocument"),
            Access { property: "Policies", shape: Shape::InlinePolicies },
            value("ManagedPolicyArns"),
            value("PermissionsBoundary"),
        ],
        ..entry("AWS::IAM::Role")
    },
    ResourceType { access: IAM_POLICY_ACCESS, ..entry("AWS::IAM::Policy") },
    ResourceType { access: IAM_POLICY_ACCESS, ..entry("AWS::IAM::ManagedPolicy") },
    // Which role instances get, and what an instance runs as and may reach.
    ResourceType { access: &[value("Roles")], ..entry("AWS::IAM::InstanceProfile") },
    ResourceType { access: &[value("LaunchTemplateData")], ..entry("AWS::EC2::LaunchTemplate") },
    ResourceType {
        access: &[value("AuthorizationType"), value("AuthorizerId"), value("ApiKeyRequired")],
        ..entry("AWS::ApiGateway::Method")
    },
    // Where a name sends its users: a changed target is a redirected domain.
    ResourceType { access: &[value("AliasTarget"), value("ResourceRecords")], ..entry("AWS::Route53::RecordSet") },
];

/// What is known about a type; `None` for an ordinary resource.
pub fn lookup(name: &str) -> Option<&'static ResourceType> {
    TYPES.iter().find(|t| t.name == name)
}

pub fn is_stateful(name: &str) -> bool {
    lookup(name).is_some_and(|t| t.stateful)
}

/// The properties that decide access; `None` when the type grants or guards nothing.
pub fn access_properties(name: &str) -> Option<&'static [Access]> {
    lookup(name).map(|t| t.access).filter(|a| !a.is_empty())
}

/// Whether `property` of a resource of type `name` decides access.
pub fn is_access_property(name: &str, property: &str) -> bool {
    access_properties(name).is_some_and(|a| a.iter().any(|p| p.property == property))
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
