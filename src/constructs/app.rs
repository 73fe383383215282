//! The `app` stack (§5, §3): the application Lambdas and the Cognito triggers.

use std::collections::BTreeMap;

use crate::assets::{AssetError, AssetSet};
use crate::cfn::{Export, Stack};

use super::cache::CacheExports;
use super::context::Context;
use super::data::DataExports;
use super::network::NetworkExports;
use super::security::SecurityExports;

/// What other stacks import from `app`, per function name (e.g. `vc-start`).
pub struct AppExports {
    pub functions: BTreeMap<String, FunctionExports>,
}

pub struct FunctionExports {
    /// Deployed function name, `matbakh-<env>-<name>`.
    pub name: Export,
    /// ARN of the function (unqualified).
    pub arn: Export,
    /// ARN of the `live` alias: API integrations and triggers invoke the alias, so
    /// provisioned concurrency applies to them.
    pub alias_arn: Export,
}

pub fn build(
    ctx: &Context,
    network: &NetworkExports,
    security: &SecurityExports,
    data: &DataExports,
    cache: &CacheExports,
    assets: &mut AssetSet,
) -> Result<(Stack, AppExports), AssetError> {
    let _ = (network, security, data, cache, assets);
    let mut stack = Stack::new("app", ctx.stack_name("app"), "placeholder");
    stack.template.add("Placeholder", crate::cfn::resources::cloudformation::WaitConditionHandle {});
    let functions = ctx
        .env
        .functions
        .definitions
        .iter()
        .map(|f| {
            let key = f.name.replace('-', "");
            let e = FunctionExports {
                name: stack.export(&format!("{key}Name"), "placeholder", crate::cfn::Str::lit(ctx.name(&f.name))),
                arn: stack.export(&format!("{key}Arn"), "placeholder", crate::cfn::Str::lit("arn")),
                alias_arn: stack.export(&format!("{key}AliasArn"), "placeholder", crate::cfn::Str::lit("arn")),
            };
            (f.name.clone(), e)
        })
        .collect();
    Ok((stack, AppExports { functions }))
}
