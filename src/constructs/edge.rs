//! The `edge` stack (§9): the WAFv2 web ACL in front of the API stage.

use crate::cfn::{Export, Stack, Str};

use super::api::ApiExports;
use super::context::Context;

/// What other stacks import from `edge`.
pub struct EdgeExports {
    pub web_acl_arn: Export,
}

pub fn build(ctx: &Context, api: &ApiExports) -> (Stack, EdgeExports) {
    let _ = api;
    let mut stack = Stack::new("edge", ctx.stack_name("edge"), "placeholder");
    stack.template.add("Placeholder", crate::cfn::resources::cloudformation::WaitConditionHandle {});
    let exports = EdgeExports { web_acl_arn: stack.export("WebAclArn", "placeholder", Str::lit("x")) };
    (stack, exports)
}
