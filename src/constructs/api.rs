//! The `api` stack (§4): the regional REST API with every route of the design.

use crate::cfn::{Export, Stack, Str};

use super::app::AppExports;
use super::auth::AuthExports;
use super::context::Context;

/// What other stacks import from `api`.
pub struct ApiExports {
    pub rest_api_id: Export,
    /// ARN of the stage (what the web ACL is associated with).
    pub stage_arn: Export,
    /// The REST API's name (the `ApiName` metric dimension).
    pub api_name: String,
    pub stage_name: String,
}

pub fn build(ctx: &Context, app: &AppExports, auth: &AuthExports) -> (Stack, ApiExports) {
    let _ = (app, auth);
    let mut stack = Stack::new("api", ctx.stack_name("api"), "placeholder");
    stack.template.add("Placeholder", crate::cfn::resources::cloudformation::WaitConditionHandle {});
    let exports = ApiExports {
        rest_api_id: stack.export("RestApiId", "placeholder", Str::lit("x")),
        stage_arn: stack.export("StageArn", "placeholder", Str::lit("x")),
        api_name: ctx.env.api.name.clone(),
        stage_name: ctx.env.api.stage_name.clone(),
    };
    (stack, exports)
}
