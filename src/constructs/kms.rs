//! The stacks' customer managed KMS keys: rotating, kept when their stack goes,
//! administered by the account root and named by an alias.

use crate::cfn::resources::iam::{PolicyDocument, Principal, Statement};
use crate::cfn::resources::kms::{Alias, Key};
use crate::cfn::{DeletionPolicy, Handle, Pseudo, ResourceOptions, Str, Template};

use super::context::Context;

/// One key of a stack: its names, its rotation and who may use it.
pub(super) struct KeySpec<'a> {
    /// Logical id of the key; its alias is `<id>Alias`.
    pub id: &'a str,
    /// The alias is `alias/matbakh-<env>-<alias>`.
    pub alias: &'a str,
    /// The `Name` tag is `matbakh-<env>-<tag>`.
    pub tag: &'a str,
    pub description: String,
    /// `None` leaves the rotation period to KMS.
    pub rotation_period_in_days: Option<u32>,
    pub pending_window_in_days: u32,
    /// The key policy's statements after the account root's administration.
    pub uses: Vec<Statement>,
}

/// Adds the key and then its alias.
pub(super) fn key_with_alias(ctx: &Context, t: &mut Template, spec: KeySpec) -> Handle<Key> {
    let mut statements = vec![root_administration()];
    statements.extend(spec.uses);
    let key = t.add_with(
        spec.id,
        Key {
            description: spec.description,
            enable_key_rotation: true,
            rotation_period_in_days: spec.rotation_period_in_days,
            pending_window_in_days: spec.pending_window_in_days,
            key_policy: PolicyDocument::new(statements),
            tags: ctx.tags(spec.tag),
        },
        ResourceOptions::keep(DeletionPolicy::Retain),
    );
    t.add(
        &format!("{}Alias", spec.id),
        Alias { alias_name: format!("alias/{}", ctx.name(spec.alias)), target_key_id: key.r#ref() },
    );
    key
}

/// The account root may administer the key; IAM policies then decide who else may. A
/// policy without it locks the key out of all future policy updates, and KMS rejects it.
fn root_administration() -> Statement {
    Statement::allow("EnableAccountAdministration", &["kms:*"], vec![Str::lit("*")])
        .principal(Principal::Aws(Str::global_arn("iam", "root")))
}

/// `<service>.<region>.amazonaws.com`: the `kms:ViaService` value of an AWS service
/// using a key on a principal's behalf.
pub(super) fn via_service(service: &str) -> Str {
    Str::concat([Str::lit(format!("{service}.")), Pseudo::Region.into(), Str::lit(".amazonaws.com")])
}
