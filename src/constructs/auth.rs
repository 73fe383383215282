//! The `auth` stack (§3): the Cognito user pool, its triggers and app clients.

use crate::cfn::{Export, Stack, Str};

use super::app::AppExports;
use super::context::Context;

/// What other stacks import from `auth`.
pub struct AuthExports {
    pub user_pool_id: Export,
    pub user_pool_arn: Export,
    pub web_client_id: Export,
    pub mobile_client_id: Export,
}

pub fn build(ctx: &Context, app: &AppExports) -> (Stack, AuthExports) {
    let _ = app;
    let mut stack = Stack::new("auth", ctx.stack_name("auth"), "placeholder");
    stack.template.add("Placeholder", crate::cfn::resources::cloudformation::WaitConditionHandle {});
    let exports = AuthExports {
        user_pool_id: stack.export("UserPoolId", "placeholder", Str::lit("x")),
        user_pool_arn: stack.export("UserPoolArn", "placeholder", Str::lit("x")),
        web_client_id: stack.export("WebClientId", "placeholder", Str::lit("x")),
        mobile_client_id: stack.export("MobileClientId", "placeholder", Str::lit("x")),
    };
    (stack, exports)
}
