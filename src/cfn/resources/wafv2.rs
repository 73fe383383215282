//! `AWS::WAFv2::*`: the web ACL, its association with a resource and its logging.
//!
//! A rule is either a match rule (a statement and the `Action` taken on a match) or a
//! rule-group rule (a managed rule group and an `OverrideAction`); the two shapes are
//! separate types, so a rule group can never be given an `Action` (WAF rejects it) and a
//! match rule never an `OverrideAction`.

use serde::Serialize;

use super::Tag;
use crate::attributes;
use crate::cfn::{Resource, Str};

/// `{}`: WAF spells actions as objects whose key is the action.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Empty {}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum Scope {
    /// API Gateway stages, load balancers, AppSync and Cognito.
    Regional,
    Cloudfront,
}

/// What the web ACL does with a request no rule decided on.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub enum DefaultAction {
    Allow(Empty),
    Block(Empty),
}

/// What a match rule does with a matching request.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub enum Action {
    Allow(Empty),
    Block(Empty),
    Count(Empty),
}

/// What a rule-group rule does with the group's verdicts: `None` keeps the actions of
/// the group's rules (for AWS managed groups: block), `Count` only counts.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub enum OverrideAction {
    None(Empty),
    Count(Empty),
}

/// CloudWatch metrics and sampled requests of the web ACL or of one rule.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct VisibilityConfig {
    pub sampled_requests_enabled: bool,
    pub cloud_watch_metrics_enabled: bool,
    /// `^[\w#:.\-/]+$`, at most 128 characters.
    pub metric_name: String,
}

impl VisibilityConfig {
    /// Metrics and samples on, under `metric_name`.
    pub fn on(metric_name: impl Into<String>) -> Self {
        VisibilityConfig {
            sampled_requests_enabled: true,
            cloud_watch_metrics_enabled: true,
            metric_name: metric_name.into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedRuleGroupStatement {
    /// `AWS` for AWS managed rule groups.
    pub vendor_name: String,
    /// e.g. `AWSManagedRulesCommonRuleSet`
    pub name: String,
}

/// The statement of a rule-group rule.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RuleGroupStatement {
    #[serde(rename = "ManagedRuleGroupStatement")]
    pub managed_rule_group: ManagedRuleGroupStatement,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum AggregateKeyType {
    /// Counts requests per originating IP address.
    #[serde(rename = "IP")]
    Ip,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct RateBasedStatement {
    /// Requests per evaluation window (5 minutes by default) before the rule matches, 10-2000000000.
    pub limit: u64,
    pub aggregate_key_type: AggregateKeyType,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct GeoMatchStatement {
    /// ISO 3166 alpha-2 codes, at least one.
    pub country_codes: Vec<String>,
}

/// The statement of a match rule: exactly one kind, by construction.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub enum Statement {
    #[serde(rename = "RateBasedStatement")]
    RateBased(RateBasedStatement),
    #[serde(rename = "GeoMatchStatement")]
    GeoMatch(GeoMatchStatement),
}

/// The two rule shapes WAF accepts (see the module docs).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum RuleBody {
    Match {
        #[serde(rename = "Statement")]
        statement: Statement,
        #[serde(rename = "Action")]
        action: Action,
    },
    RuleGroup {
        #[serde(rename = "Statement")]
        statement: RuleGroupStatement,
        #[serde(rename = "OverrideAction")]
        override_action: OverrideAction,
    },
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Rule {
    /// `^[0-9A-Za-z_-]{1,128}$`, unique in the web ACL.
    pub name: String,
    /// Rules run from the lowest priority up; unique in the web ACL.
    pub priority: u32,
    #[serde(flatten)]
    pub body: RuleBody,
    pub visibility_config: VisibilityConfig,
}

impl Rule {
    /// An AWS managed rule group whose own rule actions apply (`OverrideAction: None`),
    /// with metrics under the group's name.
    pub fn aws_managed_group(group: &str, priority: u32) -> Rule {
        Rule {
            name: group.to_owned(),
            priority,
            body: RuleBody::RuleGroup {
                statement: RuleGroupStatement {
                    managed_rule_group: ManagedRuleGroupStatement { vendor_name: "AWS".into(), name: group.to_owned() },
                },
                override_action: OverrideAction::None(Empty {}),
            },
            visibility_config: VisibilityConfig::on(group),
        }
    }

    /// A rule that blocks what its statement matches, with metrics under its name.
    pub fn blocking(name: &str, priority: u32, statement: Statement) -> Rule {
        Rule {
            name: name.to_owned(),
            priority,
            body: RuleBody::Match { statement, action: Action::Block(Empty {}) },
            visibility_config: VisibilityConfig::on(name),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebAcl {
    /// `^[0-9A-Za-z_-]{1,128}$`
    pub name: String,
    pub description: String,
    pub scope: Scope,
    pub default_action: DefaultAction,
    pub rules: Vec<Rule>,
    pub visibility_config: VisibilityConfig,
    pub tags: Vec<Tag>,
}
impl Resource for WebAcl {
    const TYPE: &'static str = "AWS::WAFv2::WebACL";
}
attributes!(WebAcl { arn => "Arn" });

/// Puts a web ACL in front of a regional resource (here: an API Gateway stage).
#[derive(Serialize)]
pub struct WebAclAssociation {
    /// e.g. `arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`
    #[serde(rename = "ResourceArn")]
    pub resource_arn: Str,
    #[serde(rename = "WebACLArn")]
    pub web_acl_arn: Str,
}
impl Resource for WebAclAssociation {
    const TYPE: &'static str = "AWS::WAFv2::WebACLAssociation";
}

/// A part of a request WAF can inspect or, in logging, redact.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub enum FieldToMatch {
    SingleHeader(SingleHeader),
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct SingleHeader {
    /// Header name, matched case-insensitively.
    pub name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoggingConfiguration {
    /// ARN of the web ACL.
    pub resource_arn: Str,
    /// Exactly one destination whose name starts with `aws-waf-logs-`; for CloudWatch
    /// Logs the log group ARN without the `:*` suffix that `Fn::GetAtt Arn` returns.
    pub log_destination_configs: Vec<Str>,
    /// Replaced by `REDACTED` in the logs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redacted_fields: Vec<FieldToMatch>,
}
impl Resource for LoggingConfiguration {
    const TYPE: &'static str = "AWS::WAFv2::LoggingConfiguration";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rule_groups_take_override_action_and_match_rules_take_action() {
        let group = serde_json::to_value(Rule::aws_managed_group("AWSManagedRulesCommonRuleSet", 1)).unwrap();
        assert_eq!(
            group,
            json!({"Name": "AWSManagedRulesCommonRuleSet", "Priority": 1,
                   "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}},
                   "OverrideAction": {"None": {}},
                   "VisibilityConfig": {"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true,
                                        "MetricName": "AWSManagedRulesCommonRuleSet"}})
        );
        let geo = Statement::GeoMatch(GeoMatchStatement { country_codes: vec!["CN".into()] });
        let rule = serde_json::to_value(Rule::blocking("GeoBlockRule", 4, geo)).unwrap();
        assert_eq!(rule["Statement"], json!({"GeoMatchStatement": {"CountryCodes": ["CN"]}}));
        assert_eq!(rule["Action"], json!({"Block": {}}));
        assert!(rule.get("OverrideAction").is_none());
    }

    #[test]
    fn rate_statements_and_default_actions_use_waf_spelling() {
        let rate = Statement::RateBased(RateBasedStatement { limit: 2000, aggregate_key_type: AggregateKeyType::Ip });
        assert_eq!(
            serde_json::to_value(rate).unwrap(),
            json!({"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}})
        );
        assert_eq!(serde_json::to_value(DefaultAction::Allow(Empty {})).unwrap(), json!({"Allow": {}}));
        assert_eq!(serde_json::to_value(Scope::Regional).unwrap(), json!("REGIONAL"));
        let redact = FieldToMatch::SingleHeader(SingleHeader { name: "authorization".into() });
        assert_eq!(serde_json::to_value(redact).unwrap(), json!({"SingleHeader": {"Name": "authorization"}}));
    }
}
