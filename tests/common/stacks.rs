//! Reading rendered templates: the stacks of an environment, resources by type, and what
//! the stacks' tests look up across them.

use std::collections::BTreeMap;

use matbakh_infra::synth::Format;
use serde_json::{Value, json};

use matbakh_infra::config::Environment;

use super::{render_env, render_environment};

/// Stack id → parsed template.
pub fn templates(env: &str) -> BTreeMap<String, Value> {
    parse(render_env(env, Format::Json))
}

/// Stack id → parsed template of an environment built in the test.
pub fn templates_of(env: &Environment) -> BTreeMap<String, Value> {
    parse(render_environment(env, Format::Json))
}

fn parse(rendered: matbakh_infra::synth::Rendered) -> BTreeMap<String, Value> {
    rendered.stacks.into_iter().map(|s| (s.id, serde_json::from_str(&s.body).unwrap())).collect()
}

/// The template's resources of type `type_name`: (logical id, resource), in template order.
pub fn resources_of_type<'a>(template: &'a Value, type_name: &str) -> Vec<(&'a String, &'a Value)> {
    template["Resources"].as_object().unwrap().iter().filter(|(_, r)| r["Type"] == type_name).collect()
}

/// The export name under which the `app` stack publishes the ARN of the `live` alias of
/// function `matbakh-<env>-<function>`.
pub fn alias_export(app: &Value, env: &str, function: &str) -> String {
    let resources = app["Resources"].as_object().unwrap();
    let function_id = resources
        .iter()
        .find(|(_, r)| {
            r["Type"] == "AWS::Lambda::Function"
                && r["Properties"]["FunctionName"] == format!("matbakh-{env}-{function}")
        })
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("no function {function} in the app stack"));
    let alias_id = resources
        .iter()
        .find(|(_, r)| {
            r["Type"] == "AWS::Lambda::Alias"
                && r["Properties"]["Name"] == "live"
                && r["Properties"]["FunctionName"] == json!({"Ref": function_id})
        })
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("no live alias of {function}"));
    let refs_alias = |v: &Value| *v == json!({"Ref": alias_id}) || *v == json!({"Fn::GetAtt": [alias_id, "AliasArn"]});
    let output = app["Outputs"].as_object().unwrap().values().find(|o| refs_alias(&o["Value"]));
    let output = output.unwrap_or_else(|| panic!("the app stack exports no ARN of the live alias of {function}"));
    output["Export"]["Name"].as_str().unwrap().to_owned()
}

/// A standalone security-group rule (`AWS::EC2::SecurityGroupIngress` or `…Egress`).
pub struct SecurityGroupRule<'a> {
    /// `in` or `out`.
    pub direction: &'static str,
    pub properties: &'a Value,
    /// The other security group (`SourceSecurityGroupId` of an ingress rule,
    /// `DestinationSecurityGroupId` of an egress rule), when the rule names one.
    pub peer_group: Option<&'a Value>,
}

/// The template's standalone security-group rules, ingress first, each in template order;
/// fails when a rule has no description.
pub fn security_group_rules(t: &Value) -> Vec<SecurityGroupRule<'_>> {
    let mut out = Vec::new();
    for (direction, type_name, peer_key) in [
        ("in", "AWS::EC2::SecurityGroupIngress", "SourceSecurityGroupId"),
        ("out", "AWS::EC2::SecurityGroupEgress", "DestinationSecurityGroupId"),
    ] {
        for (id, r) in resources_of_type(t, type_name) {
            let p = &r["Properties"];
            assert!(!p["Description"].as_str().unwrap_or_default().is_empty(), "rule {id} has no description");
            let peer_group = Some(&p[peer_key]).filter(|peer| !peer.is_null());
            out.push(SecurityGroupRule { direction, properties: p, peer_group });
        }
    }
    out
}
