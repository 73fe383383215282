//! The bootstrap stack `apply` deploys before anything else (like `cdk bootstrap`): the
//! artifacts bucket Lambda code, Glue scripts and large templates are uploaded to. Its
//! name is the convention [`Context::assets_bucket`] renders into every template that
//! reads from it, so no stack imports from this one.

use crate::cfn::resources::iam::{Effect, PolicyDocument, Principal, Statement};
use crate::cfn::resources::s3::{
    Bucket, BucketEncryption, BucketPolicy, LifecycleConfiguration, LifecycleRule, ObjectOwnership, OwnershipControls,
    OwnershipControlsRule, PublicAccessBlockConfiguration, VersioningConfiguration, VersioningStatus,
};
use crate::cfn::{DeletionPolicy, ResourceOptions, Stack, Str};
use crate::config::Environment;

use super::context::Context;

/// Id of the bootstrap stack (not part of the environment's dependency graph).
pub const BOOTSTRAP_STACK_ID: &str = "bootstrap";
/// The output holding the bucket name.
pub const BUCKET_OUTPUT: &str = "ArtifactsBucketName";

/// Old versions of replaced assets are kept this long (a rollback may need them).
const NONCURRENT_DAYS: u32 = 30;

/// The bucket name the template renders, for a known account and region.
pub fn bucket_name(environment: &str, account: &str, region: &str) -> String {
    format!("matbakh-{environment}-assets-{account}-{region}")
}

pub fn build(env: &Environment) -> Stack {
    let ctx = Context::new(env);
    let mut stack = Stack::new(
        BOOTSTRAP_STACK_ID,
        ctx.stack_name(BOOTSTRAP_STACK_ID),
        format!("matbakh {}: artifacts bucket for apply (Lambda code, scripts, large templates)", env.name),
    );
    let t = &mut stack.template;
    let bucket = t.add_with(
        "ArtifactsBucket",
        Bucket {
            bucket_name: ctx.assets_bucket(),
            bucket_encryption: BucketEncryption::s3_managed(),
            versioning_configuration: VersioningConfiguration { status: VersioningStatus::Enabled },
            public_access_block_configuration: PublicAccessBlockConfiguration::all(),
            ownership_controls: OwnershipControls {
                rules: vec![OwnershipControlsRule { object_ownership: ObjectOwnership::BucketOwnerEnforced }],
            },
            lifecycle_configuration: LifecycleConfiguration {
                rules: vec![
                    LifecycleRule::expire_noncurrent_versions(NONCURRENT_DAYS),
                    LifecycleRule::abort_incomplete_multipart_uploads(1),
                ],
            },
            tags: ctx.tags("artifacts"),
        },
        // Deployed stacks point at objects in it: deleting the stack must not take them.
        ResourceOptions::keep(DeletionPolicy::Retain),
    );
    let objects = Str::concat([bucket.arn(), Str::lit("/*")]);
    t.add(
        "ArtifactsBucketPolicy",
        BucketPolicy {
            bucket: bucket.r#ref(),
            policy_document: PolicyDocument::new(vec![Statement {
                effect: Effect::Deny,
                ..Statement::allow("DenyInsecureTransport", &["s3:*"], vec![bucket.arn(), objects])
                    .principal(Principal::Aws(Str::lit("*")))
                    .when("Bool", "aws:SecureTransport", vec![Str::lit("false")])
            }]),
        },
    );
    stack.output(BUCKET_OUTPUT, "Name of the artifacts bucket", bucket.r#ref());
    stack
}
