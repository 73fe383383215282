//! The IAM actions matbakh-infra calls itself, by what they touch. CloudFormation
//! creates the resources with the same credentials, so a deploy role also needs the
//! registry's handler permissions of every resource type the templates use
//! ([`crate::cfn::registry::ResourceSchema::deploy_permissions`]);
//! [`crate::constructs::deploy_role`] puts both into the shipped deploy role.
//! A test checks every SDK call in `src/aws` against this table.

/// What a group of the tool's own calls may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The environments' stacks, `matbakh-*` (change sets are addressed through them).
    Stacks,
    /// The artifacts buckets of the bootstrap stacks and their objects.
    ArtifactsBuckets,
    /// Calls IAM authorizes on `*` only (List/Describe calls without a resource ARN),
    /// or reads of resources whose names the templates do not fix.
    Any,
}

pub struct ToolPermission {
    pub sid: &'static str,
    pub actions: &'static [&'static str],
    pub scope: Scope,
}

/// `sts:GetCallerIdentity` needs no permission (IAM always allows it), so it is not here.
pub const TOOL_PERMISSIONS: &[ToolPermission] = &[
    ToolPermission {
        sid: "PlanApplyAndDriftTheStacks",
        actions: &[
            "cloudformation:CreateChangeSet",
            "cloudformation:DeleteChangeSet",
            "cloudformation:DeleteStack",
            "cloudformation:DescribeChangeSet",
            "cloudformation:DescribeStackEvents",
            "cloudformation:DescribeStackResourceDrifts",
            "cloudformation:DescribeStacks",
            "cloudformation:DetectStackDrift",
            "cloudformation:DetectStackResourceDrift",
            "cloudformation:ExecuteChangeSet",
            "cloudformation:GetStackPolicy",
            "cloudformation:GetTemplate",
            "cloudformation:ListStackResources",
            "cloudformation:SetStackPolicy",
            "cloudformation:UpdateTerminationProtection",
        ],
        scope: Scope::Stacks,
    },
    ToolPermission {
        sid: "UploadAndFindAssets",
        // HeadBucket and a HeadObject that tells 404 from 403 need s3:ListBucket, which
        // the name checks need on any bucket (below).
        actions: &["s3:GetObject", "s3:PutObject"],
        scope: Scope::ArtifactsBuckets,
    },
    ToolPermission {
        // ListImports and DescribeStackDriftDetectionStatus take no stack ARN; the
        // reads check names a create would collide with and read live resources.
        sid: "ReadExportsNamesAndLiveResources",
        actions: &[
            "cloudformation:DescribeStackDriftDetectionStatus",
            "cloudformation:ListImports",
            "cognito-idp:DescribeUserPool",
            "cognito-idp:GetUserPoolMfaConfig",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
            "elasticache:DescribeCacheClusters",
            "elasticache:DescribeCacheParameters",
            "elasticache:DescribeReplicationGroups",
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "lambda:GetFunction",
            "rds:DescribeDBInstances",
            "rds:DescribeDBParameters",
            "s3:ListBucket",
            "secretsmanager:DescribeSecret",
            "wafv2:GetWebACL",
        ],
        scope: Scope::Any,
    },
];

/// Whether the tool's own permissions grant `action` (e.g. `kms:DescribeKey`).
pub fn grants(action: &str) -> bool {
    TOOL_PERMISSIONS.iter().any(|p| p.actions.contains(&action))
}
