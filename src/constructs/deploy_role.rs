//! The IAM role matbakh-infra deploys with (`--role-arn`), shipped as a template an
//! administrator deploys once per account (`iam/deploy-role.template.json`).
//!
//! Its permissions are computed, not hand-kept: the tool's own calls
//! ([`crate::aws::permissions`]) plus the registry's handler permissions of every
//! resource type the environments' templates use — what CloudFormation calls with the
//! deployer's credentials to create, update and delete them. Passing roles is limited
//! to the platform's own roles (`matbakh-*`). Policies are packed under IAM's 6,144
//! character quota per managed policy.

use std::collections::{BTreeMap, BTreeSet};

use crate::aws::permissions::{Scope, TOOL_PERMISSIONS};
use crate::cfn::registry;
use crate::cfn::resources::iam::{ManagedPolicy, PolicyDocument, Principal, Role, Statement};
use crate::cfn::{Parameter, Pseudo, Stack, Str};

use super::context::pascal_case;

/// IAM's quota for a managed policy document, in characters without whitespace.
pub const MANAGED_POLICY_QUOTA: usize = 6144;
/// IAM's quota of managed policies attached to one role (default, raisable to 20).
pub const ATTACHED_POLICIES_QUOTA: usize = 10;
/// The role's name (a fixed name, so CI configuration can name it).
pub const ROLE_NAME: &str = "matbakh-infra-deploy";

#[derive(Debug, thiserror::Error)]
pub enum DeployRoleError {
    #[error(
        "{0} has no handler permissions in the registry data: add it to scripts/registry-types.txt and run scripts/gen-registry.sh"
    )]
    UnknownType(String),
    #[error("the deploy role needs {0} managed policies, more than IAM's default quota of {ATTACHED_POLICIES_QUOTA}")]
    TooManyPolicies(usize),
}

/// The deploy role's template for the resource types `types` (of every environment).
pub fn build<'a>(types: impl IntoIterator<Item = &'a str>) -> Result<Stack, DeployRoleError> {
    let mut by_service: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for type_name in types.into_iter().collect::<BTreeSet<_>>() {
        let schema = registry::schema(type_name).ok_or_else(|| DeployRoleError::UnknownType(type_name.to_owned()))?;
        for action in schema.deploy_permissions.iter().filter(|a| **a != "iam:PassRole") {
            let service = action.split(':').next().unwrap_or(action);
            by_service.entry(service.to_owned()).or_default().insert(action);
        }
    }
    let mut statements: Vec<Statement> =
        TOOL_PERMISSIONS.iter().map(|p| Statement::allow(p.sid, p.actions, scope_resource(p.scope))).collect();
    statements.push(Statement::allow(
        "PassOnlyThePlatformsOwnRoles",
        &["iam:PassRole"],
        vec![Str::global_arn("iam", Str::lit("role/matbakh-*"))],
    ));
    for (service, actions) in &by_service {
        let actions: Vec<&str> = actions.iter().copied().collect();
        statements.push(Statement::allow(
            &format!("CloudFormationManages{}", pascal_case(service)),
            &actions,
            vec![Str::lit("*")],
        ));
    }
    let policies = pack(statements);
    if policies.len() > ATTACHED_POLICIES_QUOTA {
        return Err(DeployRoleError::TooManyPolicies(policies.len()));
    }

    let mut stack = Stack::new(
        "deploy-role",
        ROLE_NAME.to_owned(),
        "matbakh-infra: the role plan, apply and drift run as (--role-arn); generated from the registry's handler permissions",
    );
    let t = &mut stack.template;
    let trusted = t.add_parameter(
        "TrustedPrincipalArn",
        Parameter {
            type_name: "String",
            description: "ARN of the user or role allowed to assume the deploy role (e.g. the CI's OIDC role)".into(),
            default: None,
            allowed_pattern: Some(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$".into()),
            no_echo: false,
        },
    );
    let mut arns = Vec::new();
    for (i, statements) in policies.into_iter().enumerate() {
        let policy = t.add(
            &format!("DeployPolicy{}", i + 1),
            ManagedPolicy {
                description: format!("matbakh-infra deploy permissions, part {}", i + 1),
                policy_document: PolicyDocument::new(statements),
            },
        );
        arns.push(policy.r#ref());
    }
    let role = t.add(
        "DeployRole",
        Role {
            role_name: Some(ROLE_NAME.to_owned()),
            description: "Assumed by matbakh-infra (--role-arn) to plan, apply and check drift".into(),
            assume_role_policy_document: PolicyDocument::new(vec![
                Statement::allow("AssumedByTheTrustedPrincipal", &["sts:AssumeRole"], Vec::new())
                    .principal(Principal::Aws(trusted.r#ref())),
            ]),
            managed_policy_arns: arns,
            policies: Vec::new(),
            tags: Vec::new(),
        },
    );
    stack.output("DeployRoleArn", "Pass to matbakh-infra as --role-arn", role.arn());
    Ok(stack)
}

fn scope_resource(scope: Scope) -> Vec<Str> {
    match scope {
        Scope::Stacks => vec![Str::arn("cloudformation", Str::lit("stack/matbakh-*/*"))],
        Scope::ArtifactsBuckets => vec![
            Str::concat([Str::lit("arn:"), Str::Pseudo(Pseudo::Partition), Str::lit(":s3:::matbakh-*-assets-*")]),
            Str::concat([Str::lit("arn:"), Str::Pseudo(Pseudo::Partition), Str::lit(":s3:::matbakh-*-assets-*/*")]),
        ],
        Scope::Any => vec![Str::lit("*")],
    }
}

/// Characters a policy document counts against the quota (whitespace excluded).
pub fn quota_length(document: &PolicyDocument) -> usize {
    let text = serde_json::to_string(document).expect("policy documents serialize");
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Packs statements into as few documents as fit the quota, in order; a statement too
/// large on its own is split by actions.
fn pack(statements: Vec<Statement>) -> Vec<Vec<Statement>> {
    let fits = |s: &[Statement]| quota_length(&PolicyDocument::new(s.to_vec())) <= MANAGED_POLICY_QUOTA;
    let mut pieces = Vec::new();
    for statement in statements {
        if fits(std::slice::from_ref(&statement)) {
            pieces.push(statement);
            continue;
        }
        let mut part = Statement { action: Vec::new(), ..statement.clone() };
        for (n, action) in statement.action.iter().enumerate() {
            part.action.push(action.clone());
            if !fits(std::slice::from_ref(&part)) {
                part.action.pop();
                pieces.push(std::mem::replace(
                    &mut part,
                    Statement {
                        sid: format!("{}{}", statement.sid, n),
                        action: vec![action.clone()],
                        ..statement.clone()
                    },
                ));
            }
        }
        pieces.push(part);
    }
    let mut documents: Vec<Vec<Statement>> = Vec::new();
    for piece in pieces {
        match documents.last_mut() {
            Some(last) if fits(&[last.as_slice(), std::slice::from_ref(&piece)].concat()) => last.push(piece),
            _ => documents.push(vec![piece]),
        }
    }
    documents
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oversized_statement_is_split_and_every_document_fits_the_quota() {
        let actions: Vec<String> = (0..600).map(|i| format!("ec2:DescribeSomethingNumber{i}")).collect();
        let refs: Vec<&str> = actions.iter().map(String::as_str).collect();
        let documents = pack(vec![Statement::allow("Big", &refs, vec![Str::lit("*")])]);
        assert!(documents.len() > 2, "{}", documents.len());
        for d in &documents {
            assert!(quota_length(&PolicyDocument::new(d.clone())) <= MANAGED_POLICY_QUOTA);
        }
        let kept: Vec<String> = documents.iter().flatten().flat_map(|s| s.action.clone()).collect();
        assert_eq!(kept, actions, "every action kept, in order");
        let sids: BTreeSet<&str> = documents.iter().flatten().map(|s| s.sid.as_str()).collect();
        assert_eq!(sids.len(), documents.iter().flatten().count(), "statement ids stay unique");
    }

    #[test]
    fn an_unknown_type_is_an_error_naming_the_fix() {
        let err = build(["AWS::Made::Up"]).err().unwrap().to_string();
        assert!(err.contains("AWS::Made::Up") && err.contains("registry-types.txt"), "{err}");
    }
}
