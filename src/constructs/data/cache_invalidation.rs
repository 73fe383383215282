//! §6's cache invalidation, database side. A Lambda function cannot hold the `LISTEN`
//! connection the design's `pg_notify` listener needs, so the trigger function calls
//! `aws_lambda.invoke` (RDS for PostgreSQL's `aws_lambda` extension) on the environment's
//! `database.cache_invalidator`. RDS invokes with the role associated with the primary for
//! the `Lambda` feature: this role, trusted by RDS of this account only and allowed to
//! invoke that one function. The network path to the Lambda API is the interface endpoint
//! of the `network` stack.
//!
//! The data stack is built before `app`, so the function's ARN is derived from its name
//! (`matbakh-<env>-<function>`, as `app` names functions) instead of imported.

use crate::cfn::resources::iam::{InlinePolicy, PolicyDocument, Principal, Role, Statement};
use crate::cfn::resources::rds::AssociatedRole;
use crate::cfn::{Pseudo, Str, Template};

use super::super::context::Context;

/// The `FeatureName` of the `aws_lambda` extension's role association.
pub const FEATURE: &str = "Lambda";

/// The ARN of the environment's function `function` (unqualified: what
/// `aws_commons.create_lambda_function_arn('<name>', '<region>')` names).
pub fn function_arn(ctx: &Context, function: &str) -> Str {
    Str::arn("lambda", format!("function:{}", ctx.name(function)))
}

/// Adds the role RDS assumes to invoke `function`, and returns its association.
pub fn add(ctx: &Context, t: &mut Template, function: &str) -> AssociatedRole {
    let trust = Statement::allow("AssumedByRds", &["sts:AssumeRole"], Vec::new())
        .principal(Principal::Service("rds.amazonaws.com".into()))
        .when("StringEquals", "aws:SourceAccount", vec![Pseudo::AccountId.into()]);
    let invoke =
        Statement::allow("InvokeCacheInvalidator", &["lambda:InvokeFunction"], vec![function_arn(ctx, function)]);
    let role = t.add(
        "CacheInvalidationRole",
        Role {
            role_name: None,
            description: format!(
                "matbakh {}: the primary database invokes {} (aws_lambda, design section 6 cache invalidation)",
                ctx.env.name,
                ctx.name(function)
            ),
            assume_role_policy_document: PolicyDocument::new(vec![trust]),
            managed_policy_arns: Vec::new(),
            policies: vec![InlinePolicy {
                policy_name: "invoke-cache-invalidator".into(),
                policy_document: PolicyDocument::new(vec![invoke]),
            }],
            tags: ctx.tags("cache-invalidation"),
        },
    );
    AssociatedRole { role_arn: role.arn(), feature_name: FEATURE }
}
