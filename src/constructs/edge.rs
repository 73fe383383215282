//! The `edge` stack (§9): the regional WAFv2 web ACL in front of the API stage, with
//! the design's four rules in its order, and its request log.
//!
//! The design writes `Action: Block` on the two AWS managed rule groups; WAF refuses an
//! `Action` on a rule-group rule. `OverrideAction: None` is how WAFv2 says the same
//! thing: the groups' own rules decide, and they block.

use crate::cfn::resources::logs::LogGroup;
use crate::cfn::resources::wafv2::{
    AggregateKeyType, DefaultAction, Empty, FieldToMatch, GeoMatchStatement, LoggingConfiguration, RateBasedStatement,
    Rule, Scope, SingleHeader, Statement, VisibilityConfig, WebAcl, WebAclAssociation,
};
use crate::cfn::{Export, Stack, Str};

use super::api::ApiExports;
use super::context::Context;

/// What other stacks import from `edge`.
pub struct EdgeExports {
    pub web_acl_arn: Export,
}

/// WAF only delivers logs to destinations whose name starts with this.
const WAF_LOG_PREFIX: &str = "aws-waf-logs-";

pub fn build(ctx: &Context, api: &ApiExports) -> (Stack, EdgeExports) {
    let env = ctx.env;
    let edge = &env.edge;
    let mut stack = Stack::new(
        "edge",
        ctx.stack_name("edge"),
        format!("matbakh {}: WAF web ACL in front of the API stage (design section 9)", env.name),
    );
    let stage_arn = stack.import(&api.stage_arn);
    let t = &mut stack.template;

    let acl_name = ctx.name("api-waf");
    let rules = vec![
        Rule::aws_managed_group("AWSManagedRulesCommonRuleSet", 1),
        Rule::aws_managed_group("AWSManagedRulesKnownBadInputsRuleSet", 2),
        Rule::blocking(
            "RateLimitRule",
            3,
            Statement::RateBased(RateBasedStatement {
                limit: edge.rate_limit_per_ip,
                aggregate_key_type: AggregateKeyType::Ip,
            }),
        ),
        Rule::blocking(
            "GeoBlockRule",
            4,
            Statement::GeoMatch(GeoMatchStatement { country_codes: edge.blocked_countries.clone() }),
        ),
    ];
    let acl = t.add(
        "ApiWebAcl",
        WebAcl {
            name: acl_name.clone(),
            description: format!(
                "matbakh {}: AWS common and known-bad-inputs rules, {} requests per IP per 5 minutes, geo block",
                env.name, edge.rate_limit_per_ip
            ),
            scope: Scope::Regional,
            default_action: DefaultAction::Allow(Empty {}),
            rules,
            visibility_config: VisibilityConfig::on(acl_name),
            tags: ctx.tags("api-waf"),
        },
    );
    t.add("ApiWebAclAssociation", WebAclAssociation { resource_arn: stage_arn, web_acl_arn: acl.arn() });

    let log_group = t.add(
        "WafLogGroup",
        LogGroup {
            log_group_name: Str::lit(format!("{WAF_LOG_PREFIX}{}", ctx.prefix())),
            retention_in_days: edge.log_retention_days,
            kms_key_id: None,
            tags: ctx.tags("waf-logs"),
        },
    );
    // `Fn::GetAtt Arn` of a log group ends in `:*`, which PutLoggingConfiguration
    // rejects; WAF wants the bare log-group ARN, built from the name (the `Ref`).
    let log_group_arn = Str::arn("logs", Str::concat([Str::lit("log-group:"), log_group.r#ref()]));
    t.add(
        "WafLogging",
        LoggingConfiguration {
            resource_arn: acl.arn(),
            log_destination_configs: vec![log_group_arn],
            // Bearer tokens (Cognito JWTs) must not end up in a log anyone with log access can read.
            redacted_fields: vec![FieldToMatch::SingleHeader(SingleHeader { name: "authorization".into() })],
        },
    );

    let exports = EdgeExports { web_acl_arn: stack.export("WebAclArn", "ARN of the API web ACL", acl.arn()) };
    (stack, exports)
}
