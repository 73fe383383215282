//! The `observability` stack (§8): dashboard, alarms and the SNS alert topics.

use crate::cfn::{Export, Stack, Str};

use super::api::ApiExports;
use super::app::AppExports;
use super::context::Context;
use super::data::DataExports;

/// What other stacks import from `observability`.
pub struct ObservabilityExports {
    pub critical_topic_arn: Export,
    pub warning_topic_arn: Export,
}

pub fn build(ctx: &Context, app: &AppExports, api: &ApiExports, data: &DataExports) -> (Stack, ObservabilityExports) {
    let _ = (app, api, data);
    let mut stack = Stack::new("observability", ctx.stack_name("observability"), "placeholder");
    stack.template.add("Placeholder", crate::cfn::resources::cloudformation::WaitConditionHandle {});
    let exports = ObservabilityExports {
        critical_topic_arn: stack.export("CriticalTopicArn", "placeholder", Str::lit("x")),
        warning_topic_arn: stack.export("WarningTopicArn", "placeholder", Str::lit("x")),
    };
    (stack, exports)
}
