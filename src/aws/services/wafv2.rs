//! WAFv2: the web ACL's default action and its rules in priority order. Rules are
//! compared as summaries (name, priority, action, what the statement matches) built the
//! same way from the SDK's answer and from the template, so they cannot disagree on form.

use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::types::{Rule, Scope, Statement, WebAcl};
use serde_json::{Map, Value, json};

use super::{LiveProperties, LiveState, present_or_absent, put};
use crate::aws::AwsError;

/// CloudFormation's physical id of a web ACL is `name|id|scope`.
pub fn parse_physical_id(id: &str) -> Option<(String, String, Scope)> {
    let mut parts = id.split('|');
    let (name, acl_id, scope) = (parts.next()?, parts.next()?, parts.next()?);
    let scope = if scope.eq_ignore_ascii_case("CLOUDFRONT") { Scope::Cloudfront } else { Scope::Regional };
    Some((name.to_owned(), acl_id.to_owned(), scope))
}

pub async fn read_web_acl(client: &Client, physical_id: &str) -> Result<LiveState, AwsError> {
    let Some((name, id, scope)) = parse_physical_id(physical_id) else {
        return Err(AwsError::Service {
            operation: "GetWebACL",
            code: "UnexpectedPhysicalId".into(),
            message: format!("`{physical_id}` is not name|id|scope"),
        });
    };
    let result = client
        .get_web_acl()
        .name(name)
        .id(id)
        .scope(scope)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("GetWebACL", e));
    match result {
        Ok(out) => Ok(out.web_acl().map_or(LiveState::Absent, |acl| LiveState::Present(web_acl(acl)))),
        Err(e) => present_or_absent(Err(e)),
    }
}

pub fn web_acl(acl: &WebAcl) -> LiveProperties {
    let mut m = Map::new();
    m.insert("Name".into(), json!(acl.name()));
    put(&mut m, "Description", acl.description());
    if let Some(d) = acl.default_action() {
        let kind = if d.block().is_some() { "Block" } else { "Allow" };
        m.insert("DefaultAction".into(), json!(kind));
    }
    let mut rules: Vec<&Rule> = acl.rules().iter().collect();
    rules.sort_by_key(|r| r.priority());
    m.insert("Rules".into(), Value::Array(rules.into_iter().map(rule_summary).collect()));
    m
}

fn rule_summary(r: &Rule) -> Value {
    let action = if let Some(a) = r.action() {
        if a.block().is_some() {
            "Block"
        } else if a.allow().is_some() {
            "Allow"
        } else if a.count().is_some() {
            "Count"
        } else if a.captcha().is_some() {
            "Captcha"
        } else {
            "Challenge"
        }
    } else if let Some(o) = r.override_action() {
        if o.count().is_some() { "Override:Count" } else { "Override:None" }
    } else {
        "None"
    };
    json!({
        "Name": r.name(),
        "Priority": r.priority(),
        "Action": action,
        "Statement": r.statement().map_or(Value::Null, statement_summary),
    })
}

fn statement_summary(s: &Statement) -> Value {
    if let Some(m) = s.managed_rule_group_statement() {
        json!({"ManagedRuleGroup": format!("{}/{}", m.vendor_name(), m.name())})
    } else if let Some(r) = s.rate_based_statement() {
        json!({"RateBased": {"Limit": r.limit(), "AggregateKeyType": r.aggregate_key_type().as_str()}})
    } else if let Some(g) = s.geo_match_statement() {
        let mut codes: Vec<String> = g.country_codes().iter().map(|c| c.as_str().to_owned()).collect();
        codes.sort();
        json!({ "GeoMatch": codes })
    } else {
        json!({"Other": "statement not summarized"})
    }
}

/// The template's `Rules`, summarized like the live ones, in priority order.
pub fn template_rules(rules: &Value) -> Value {
    let mut items: Vec<&Value> = rules.as_array().map(|a| a.iter().collect()).unwrap_or_default();
    items.sort_by_key(|r| r.get("Priority").and_then(Value::as_i64).unwrap_or(i64::MAX));
    Value::Array(
        items
            .into_iter()
            .map(|r| {
                let action = match (r.get("Action"), r.get("OverrideAction")) {
                    (Some(a), _) => first_key(a).unwrap_or("None").to_owned(),
                    (None, Some(o)) => format!("Override:{}", first_key(o).unwrap_or("None")),
                    (None, None) => "None".to_owned(),
                };
                json!({
                    "Name": r.get("Name").cloned().unwrap_or(Value::Null),
                    "Priority": r.get("Priority").cloned().unwrap_or(Value::Null),
                    "Action": action,
                    "Statement": r.get("Statement").map_or(Value::Null, template_statement),
                })
            })
            .collect(),
    )
}

fn first_key(v: &Value) -> Option<&str> {
    v.as_object().and_then(|m| m.keys().next()).map(String::as_str)
}

fn template_statement(s: &Value) -> Value {
    if let Some(m) = s.get("ManagedRuleGroupStatement") {
        let part = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        json!({"ManagedRuleGroup": format!("{}/{}", part("VendorName"), part("Name"))})
    } else if let Some(r) = s.get("RateBasedStatement") {
        json!({"RateBased": {
            "Limit": r.get("Limit").cloned().unwrap_or(Value::Null),
            "AggregateKeyType": r.get("AggregateKeyType").cloned().unwrap_or(json!("IP")),
        }})
    } else if let Some(g) = s.get("GeoMatchStatement") {
        let mut codes: Vec<String> = g
            .get("CountryCodes")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        codes.sort();
        json!({ "GeoMatch": codes })
    } else {
        json!({"Other": "statement not summarized"})
    }
}

/// The template's `DefaultAction` as the live summary names it.
pub fn template_default_action(v: &Value) -> Value {
    json!(first_key(v).unwrap_or("Allow"))
}
