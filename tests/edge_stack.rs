//! The `edge` stack carries §9's WAF configuration: the four rules in the design's
//! order and priorities, in front of the API stage, with a request log that WAF accepts.

mod common;

use common::stacks::templates;
use common::{ENVIRONMENTS, load_env, render_env};
use matbakh_infra::synth::Format;
use serde_json::{Value, json};

fn visibility(metric: &str) -> Value {
    json!({"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": metric})
}

#[test]
fn web_acl_has_the_four_rules_of_section_9_in_order() {
    let t = &templates("prod")["edge"];
    let acl = &t["Resources"]["ApiWebAcl"];
    assert_eq!(acl["Type"], "AWS::WAFv2::WebACL");
    let p = &acl["Properties"];
    assert_eq!(p["Name"], "matbakh-prod-api-waf");
    assert_eq!(p["Scope"], "REGIONAL");
    assert_eq!(p["DefaultAction"], json!({"Allow": {}}));
    assert_eq!(p["VisibilityConfig"], visibility("matbakh-prod-api-waf"));
    let managed = |name: &str, priority: u32| {
        json!({
            "Name": name, "Priority": priority,
            "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
            "OverrideAction": {"None": {}},
            "VisibilityConfig": visibility(name),
        })
    };
    assert_eq!(
        p["Rules"],
        json!([
            managed("AWSManagedRulesCommonRuleSet", 1),
            managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
            {
                "Name": "RateLimitRule", "Priority": 3,
                "Statement": {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}},
                "Action": {"Block": {}},
                "VisibilityConfig": visibility("RateLimitRule"),
            },
            {
                "Name": "GeoBlockRule", "Priority": 4,
                "Statement": {"GeoMatchStatement": {"CountryCodes": ["CN", "RU", "KP"]}},
                "Action": {"Block": {}},
                "VisibilityConfig": visibility("GeoBlockRule"),
            },
        ])
    );
}

#[test]
fn rule_settings_come_from_the_environment() {
    for env in ENVIRONMENTS {
        let config = load_env(env).edge;
        let rules = &templates(env)["edge"]["Resources"]["ApiWebAcl"]["Properties"]["Rules"];
        assert_eq!(rules[2]["Statement"]["RateBasedStatement"]["Limit"], json!(config.rate_limit_per_ip), "{env}");
        assert_eq!(
            rules[3]["Statement"]["GeoMatchStatement"]["CountryCodes"],
            json!(config.blocked_countries),
            "{env}"
        );
        // Rule groups never carry an Action (WAF refuses it), match rules never an OverrideAction.
        for (i, rule) in rules.as_array().unwrap().iter().enumerate() {
            let is_group = !rule["Statement"]["ManagedRuleGroupStatement"].is_null();
            assert_eq!(rule.get("Action").is_none(), is_group, "{env} rule {i}");
            assert_eq!(rule.get("OverrideAction").is_some(), is_group, "{env} rule {i}");
        }
    }
}

#[test]
fn web_acl_is_associated_with_the_imported_api_stage() {
    for env in ENVIRONMENTS {
        let all = templates(env);
        let association = &all["edge"]["Resources"]["ApiWebAclAssociation"];
        assert_eq!(association["Type"], "AWS::WAFv2::WebACLAssociation");
        let export = format!("matbakh-{env}-api-StageArn");
        assert_eq!(
            association["Properties"],
            json!({"ResourceArn": {"Fn::ImportValue": export}, "WebACLArn": {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}})
        );
        let api_exports: Vec<&Value> =
            all["api"]["Outputs"].as_object().unwrap().values().map(|o| &o["Export"]["Name"]).collect();
        assert!(api_exports.contains(&&json!(export)), "{env}: the api stack exports {export}");
        assert_eq!(
            render_env(env, Format::Json).manifest.stack("edge").unwrap().depends_on,
            ["api"],
            "{env}: edge depends on api only"
        );
    }
}

#[test]
fn requests_are_logged_to_a_waf_log_group_without_the_authorization_header() {
    for env in ENVIRONMENTS {
        let t = &templates(env)["edge"];
        let group = &t["Resources"]["WafLogGroup"];
        assert_eq!(group["Type"], "AWS::Logs::LogGroup");
        assert_eq!(group["Properties"]["LogGroupName"], format!("aws-waf-logs-matbakh-{env}"));
        assert_eq!(group["Properties"]["RetentionInDays"], json!(load_env(env).edge.log_retention_days));
        let logging = &t["Resources"]["WafLogging"]["Properties"];
        assert_eq!(logging["ResourceArn"], json!({"Fn::GetAtt": ["ApiWebAcl", "Arn"]}));
        // The bare log-group ARN: GetAtt Arn would end in `:*`, which WAF rejects.
        assert_eq!(
            logging["LogDestinationConfigs"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${WafLogGroup}"}])
        );
        assert_eq!(logging["RedactedFields"], json!([{"SingleHeader": {"Name": "authorization"}}]));
    }
    assert_eq!(templates("prod")["edge"]["Resources"]["WafLogGroup"]["Properties"]["RetentionInDays"], 90);
}

#[test]
fn the_web_acl_arn_is_exported() {
    let t = &templates("dev")["edge"];
    assert_eq!(
        t["Outputs"]["WebAclArn"],
        json!({"Description": "ARN of the API web ACL", "Value": {"Fn::GetAtt": ["ApiWebAcl", "Arn"]},
               "Export": {"Name": "matbakh-dev-edge-WebAclArn"}})
    );
}
