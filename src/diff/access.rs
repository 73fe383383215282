//! What an access-relevant resource allows, in words a reviewer reads at a glance: a
//! security-group rule as `tcp 22 from 0.0.0.0/0 (anywhere)`, a policy statement as
//! `Allow s3:GetObject on Bucket.Arn/* for Service lambda.amazonaws.com`, intrinsics as
//! `Ref X`, `X.Arn`, `${…}` and `ImportValue name`. Which properties of which type
//! count, and how each reads, is the per-type table in [`crate::resource_types`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::resource_types::{DriftRead, Shape, access_properties, drift_read};

/// One line of what a resource allows: the property it comes from and its reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessDetail {
    pub property: String,
    pub text: String,
}

impl std::fmt::Display for AccessDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.property, self.text)
    }
}

const INGRESS: &str = "SecurityGroupIngress";
const EGRESS: &str = "SecurityGroupEgress";

/// What a resource of `resource_type` with these properties allows, one line per rule,
/// statement or value; empty for a type that grants or guards nothing.
pub fn describe(resource_type: &str, properties: &Map<String, Value>) -> Vec<AccessDetail> {
    let Some(access) = access_properties(resource_type) else { return Vec::new() };
    let mut out = Vec::new();
    let mut push = |property: &str, text: String| out.push(AccessDetail { property: property.to_owned(), text });
    if access.iter().any(|a| a.shape == Shape::RuleField) {
        let direction = match drift_read(resource_type) {
            DriftRead::GroupRule(direction) => direction,
            _ => INGRESS,
        };
        push(direction, rule_text(&Value::Object(properties.clone()), direction));
    }
    for a in access {
        let Some(v) = properties.get(a.property) else {
            if a.property == EGRESS && resource_type == "AWS::EC2::SecurityGroup" && properties.contains_key("VpcId") {
                // EC2 gives a VPC group that declares no egress an allow-all rule.
                push(
                    EGRESS,
                    "all traffic to 0.0.0.0/0 (anywhere) — EC2's default when the group declares no egress".into(),
                );
            }
            continue;
        };
        match a.shape {
            Shape::RuleField => {}
            // A list of objects (WAF rules) reads one item a line.
            Shape::Value if v.as_array().is_some_and(|list| list.iter().all(Value::is_object)) => {
                for item in items(v) {
                    push(a.property, readable(item));
                }
            }
            Shape::Value => push(a.property, readable(v)),
            Shape::Rules => {
                for rule in items(v) {
                    push(a.property, rule_text(rule, a.property));
                }
            }
            Shape::Policy => {
                for statement in statements(v) {
                    push(a.property, statement_text(&statement));
                }
            }
            Shape::InlinePolicies => {
                for p in items(v) {
                    let name = p.get("PolicyName").map(readable).unwrap_or_else(|| "(unnamed)".into());
                    for statement in statements(p.get("PolicyDocument").unwrap_or(&Value::Null)) {
                        push(a.property, format!("{name}: {}", statement_text(&statement)));
                    }
                }
            }
        }
    }
    out
}

fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(list) => list.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// A value with its intrinsic functions written readably.
pub fn readable(v: &Value) -> String {
    if let Some((name, arg)) = intrinsic(v) {
        return intrinsic_text(name, arg);
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Array(list) => list.iter().map(readable).collect::<Vec<_>>().join(", "),
        Value::Object(map) => {
            let fields: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {}", readable(v))).collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

/// `{"Ref": …}`, `{"Fn::…": …}`: the function's name and its argument.
fn intrinsic(v: &Value) -> Option<(&str, &Value)> {
    let map = v.as_object().filter(|m| m.len() == 1)?;
    let (name, arg) = map.iter().next()?;
    (name == "Ref" || name.starts_with("Fn::")).then_some((name.as_str(), arg))
}

fn intrinsic_text(name: &str, arg: &Value) -> String {
    match (name, arg) {
        ("Ref", Value::String(s)) if s == "AWS::NoValue" => "(none)".into(),
        ("Ref", Value::String(s)) => format!("Ref {s}"),
        ("Fn::GetAtt", Value::Array(parts)) => parts.iter().map(readable).collect::<Vec<_>>().join("."),
        ("Fn::GetAtt", Value::String(s)) => s.clone(),
        ("Fn::Sub", Value::String(s)) => s.clone(),
        ("Fn::Sub", Value::Array(parts)) if parts.len() == 2 => {
            let mut text = readable(&parts[0]);
            if let Some(vars) = parts[1].as_object() {
                for (var, value) in vars {
                    text = text.replace(&format!("${{{var}}}"), &format!("${{{}}}", embedded(value)));
                }
            }
            text
        }
        ("Fn::ImportValue", export) => format!("ImportValue {}", readable(export)),
        ("Fn::Join", Value::Array(parts)) if parts.len() == 2 && parts[1].is_array() => {
            let separator = parts[0].as_str().unwrap_or_default();
            let pieces: Vec<String> = items(&parts[1])
                .into_iter()
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    other => format!("${{{}}}", embedded(other)),
                })
                .collect();
            pieces.join(separator)
        }
        (name, arg) => {
            let args: Vec<String> = items(arg)
                .into_iter()
                .map(|a| match a {
                    Value::String(s) => format!("{s:?}"),
                    other => readable(other),
                })
                .collect();
            format!("{}({})", name.trim_start_matches("Fn::"), args.join(", "))
        }
    }
}

/// A value inside `${…}`: a reference is its target's name, as `Fn::Sub` writes it.
fn embedded(v: &Value) -> String {
    match intrinsic(v) {
        Some(("Ref", Value::String(s))) => s.clone(),
        _ => readable(v),
    }
}

/// The number or name of a field, whichever form the template uses.
fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other if intrinsic(other).is_some() => Some(readable(other)),
        other => Some(other.to_string()),
    }
}

/// CloudFormation's stand-in for "no egress": a VPC group always has an egress rule,
/// so a group that allows none gets this one, which matches no traffic.
pub fn is_deny_all_placeholder(rule: &Value) -> bool {
    let protocol = scalar(rule.get("IpProtocol")).unwrap_or_default().to_ascii_lowercase();
    (protocol == "icmp" || protocol == "1")
        && scalar(rule.get("FromPort")).as_deref() == Some("252")
        && scalar(rule.get("ToPort")).as_deref() == Some("86")
        && scalar(rule.get("CidrIp")).as_deref() == Some("255.255.255.255/32")
}

/// One security-group rule of `direction` (`SecurityGroupIngress` or
/// `SecurityGroupEgress`), as a template or drift's normalized form writes it; a
/// standalone rule (with its `GroupId`) also names its group.
pub fn rule_text(rule: &Value, direction: &str) -> String {
    let egress = direction == EGRESS;
    if is_deny_all_placeholder(rule) {
        return format!("no {} (deny all)", if egress { "egress" } else { "ingress" });
    }
    let protocol = scalar(rule.get("IpProtocol")).unwrap_or_else(|| "-1".into()).to_ascii_lowercase();
    let (from, to) = (scalar(rule.get("FromPort")), scalar(rule.get("ToPort")));
    let traffic = match protocol.as_str() {
        "-1" | "all" => "all traffic".to_owned(),
        "tcp" | "6" | "udp" | "17" => {
            let name = if matches!(protocol.as_str(), "tcp" | "6") { "tcp" } else { "udp" };
            match (from.as_deref(), to.as_deref()) {
                (Some("0"), Some("65535")) | (Some("-1"), _) => format!("{name} all ports"),
                (Some(f), Some(t)) if f == t => format!("{name} {f}"),
                (Some(f), Some(t)) => format!("{name} {f}-{t}"),
                (Some(p), None) | (None, Some(p)) => format!("{name} {p}"),
                (None, None) => format!("{name} all ports"),
            }
        }
        "icmp" | "1" | "icmpv6" | "58" => {
            let name = if matches!(protocol.as_str(), "icmp" | "1") { "icmp" } else { "icmpv6" };
            match (from.as_deref(), to.as_deref()) {
                (None | Some("-1"), _) => format!("{name} all types"),
                (Some(t), None | Some("-1")) => format!("{name} type {t}"),
                (Some(t), Some(c)) => format!("{name} type {t} code {c}"),
            }
        }
        other => format!("protocol {other}"),
    };
    let peer = peer_text(rule);
    let description = scalar(rule.get("Description")).map(|d| format!(" — {d}")).unwrap_or_default();
    let path = match (scalar(rule.get("GroupId")), egress) {
        (Some(group), false) => format!("from {peer} into group {group}"),
        (Some(group), true) => format!("from group {group} to {peer}"),
        (None, false) => format!("from {peer}"),
        (None, true) => format!("to {peer}"),
    };
    format!("{traffic} {path}{description}")
}

fn peer_text(rule: &Value) -> String {
    let field = |keys: &[&str]| keys.iter().find_map(|k| scalar(rule.get(*k)));
    if let Some(cidr) = field(&["CidrIp", "CidrIpv6"]) {
        let anywhere = if cidr == "0.0.0.0/0" || cidr == "::/0" { " (anywhere)" } else { "" };
        return format!("{cidr}{anywhere}");
    }
    if let Some(group) = field(&["SourceSecurityGroupId", "DestinationSecurityGroupId", "SecurityGroupId"]) {
        return format!("security group {group}");
    }
    if let Some(group) = field(&["SourceSecurityGroupName"]) {
        return format!("security group named {group}");
    }
    if let Some(list) = field(&["SourcePrefixListId", "DestinationPrefixListId", "PrefixListId"]) {
        return format!("prefix list {list}");
    }
    "(no peer given)".into()
}

/// The statements of a policy document (written as an object or as a JSON string).
fn statements(document: &Value) -> Vec<Value> {
    let parsed;
    let document = match document {
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
            &parsed
        }
        other => other,
    };
    items(document.get("Statement").unwrap_or(&Value::Null)).into_iter().cloned().collect()
}

/// `Allow s3:GetObject, s3:PutObject on Bucket.Arn/* for Service lambda.amazonaws.com
/// when StringEquals aws:SourceAccount = Ref AWS::AccountId`.
fn statement_text(statement: &Value) -> String {
    let effect = scalar(statement.get("Effect")).unwrap_or_else(|| "(no effect)".into());
    let either = |key: &str, not_key: &str| -> Option<String> {
        match (statement.get(key), statement.get(not_key)) {
            (Some(v), _) => Some(readable(v)),
            (None, Some(v)) => Some(format!("everything except {}", readable(v))),
            (None, None) => None,
        }
    };
    let mut text = format!("{effect} {}", either("Action", "NotAction").unwrap_or_else(|| "(no action)".into()));
    if let Some(resources) = either("Resource", "NotResource") {
        text.push_str(&format!(" on {resources}"));
    }
    let principal = match (statement.get("Principal"), statement.get("NotPrincipal")) {
        (Some(p), _) => Some(principal_text(p)),
        (None, Some(p)) => Some(format!("everyone except {}", principal_text(p))),
        (None, None) => None,
    };
    if let Some(principal) = principal {
        text.push_str(&format!(" for {principal}"));
    }
    if let Some(conditions) = statement.get("Condition").and_then(Value::as_object) {
        let parts: Vec<String> = conditions
            .iter()
            .flat_map(|(operator, tests)| match tests.as_object() {
                Some(tests) => tests.iter().map(|(key, v)| format!("{operator} {key} = {}", readable(v))).collect(),
                None => vec![format!("{operator} {}", readable(tests))],
            })
            .collect();
        text.push_str(&format!(" when {}", parts.join(" and ")));
    }
    text
}

fn principal_text(principal: &Value) -> String {
    match principal {
        Value::String(s) if s == "*" => "anyone (*)".into(),
        Value::Object(kinds) if intrinsic(principal).is_none() => kinds
            .iter()
            .map(|(kind, who)| match who {
                Value::String(s) if s == "*" => format!("any {kind} principal (*)"),
                _ => format!("{kind} {}", readable(who)),
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => readable(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn texts(resource_type: &str, v: Value) -> Vec<String> {
        describe(resource_type, &props(v)).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn intrinsics_read_as_a_reviewer_writes_them() {
        assert_eq!(readable(&json!({"Ref": "Bucket"})), "Ref Bucket");
        assert_eq!(readable(&json!({"Fn::GetAtt": ["Role", "Arn"]})), "Role.Arn");
        assert_eq!(readable(&json!({"Fn::Sub": "arn:aws:s3:::${Bucket}/*"})), "arn:aws:s3:::${Bucket}/*");
        assert_eq!(
            readable(
                &json!({"Fn::Sub": ["{{resolve:secretsmanager:${Var0}:SecretString:token}}", {"Var0": {"Fn::ImportValue": "dev-security-TokenArn"}}]})
            ),
            "{{resolve:secretsmanager:${ImportValue dev-security-TokenArn}:SecretString:token}}"
        );
        assert_eq!(readable(&json!({"Fn::ImportValue": "dev-network-VpcId"})), "ImportValue dev-network-VpcId");
        assert_eq!(
            readable(&json!({"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "B"}, "/", {"Fn::GetAtt": ["K", "Arn"]}]]})),
            "arn:aws:s3:::${B}/${K.Arn}"
        );
        assert_eq!(
            readable(&json!({"Fn::Select": ["0", {"Fn::Split": [",", {"Fn::ImportValue": "ids"}]}]})),
            "Select(\"0\", Split(\",\", ImportValue ids))"
        );
        assert_eq!(readable(&json!({"Ref": "AWS::NoValue"})), "(none)");
        assert_eq!(readable(&json!(["a", {"Ref": "B"}])), "a, Ref B");
    }

    #[test]
    fn a_new_ssh_rule_shows_protocol_port_peer_and_group() {
        let rule = json!({"GroupId": {"Fn::GetAtt": ["BastionSg", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0", "Description": "SSH"});
        assert_eq!(
            texts("AWS::EC2::SecurityGroupIngress", rule),
            ["SecurityGroupIngress: tcp 22 from 0.0.0.0/0 (anywhere) into group BastionSg.GroupId — SSH"]
        );
        let egress = json!({"GroupId": {"Ref": "Sg"}, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "DestinationSecurityGroupId": {"Fn::ImportValue": "dev-network-DbSg"}});
        assert_eq!(
            texts("AWS::EC2::SecurityGroupEgress", egress),
            ["SecurityGroupEgress: tcp 5432 from group Ref Sg to security group ImportValue dev-network-DbSg"]
        );
    }

    #[test]
    fn inline_rules_placeholder_and_default_egress_of_a_group() {
        let group = json!({"VpcId": {"Ref": "Vpc"}, "GroupDescription": "x",
            "SecurityGroupIngress": [{"IpProtocol": "-1", "SourceSecurityGroupId": {"Ref": "Alb"}}, {"IpProtocol": "udp", "FromPort": 1024, "ToPort": 65535, "CidrIpv6": "::/0"}],
            "SecurityGroupEgress": [{"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86, "CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic"}]});
        assert_eq!(
            texts("AWS::EC2::SecurityGroup", group),
            [
                "SecurityGroupIngress: all traffic from security group Ref Alb",
                "SecurityGroupIngress: udp 1024-65535 from ::/0 (anywhere)",
                "SecurityGroupEgress: no egress (deny all)"
            ]
        );
        let open = json!({"VpcId": {"Ref": "Vpc"}, "GroupDescription": "x"});
        assert_eq!(
            texts("AWS::EC2::SecurityGroup", open),
            [
                "SecurityGroupEgress: all traffic to 0.0.0.0/0 (anywhere) — EC2's default when the group declares no egress"
            ]
        );
    }

    #[test]
    fn drifts_normalized_rules_read_the_same_way() {
        let normalized = json!({"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "SecurityGroupId": "sg-0abc"});
        assert_eq!(rule_text(&normalized, "SecurityGroupIngress"), "icmp type 8 from security group sg-0abc");
        assert_eq!(
            rule_text(&json!({"IpProtocol": "6", "FromPort": "443", "ToPort": "443", "PrefixListId": "pl-1"}), EGRESS),
            "tcp 443 to prefix list pl-1"
        );
        assert!(!is_deny_all_placeholder(
            &json!({"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86, "CidrIp": "0.0.0.0/0"})
        ));
    }

    #[test]
    fn role_trust_inline_statements_and_managed_policies() {
        let role = json!({
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "data", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": {"Fn::Sub": "${Bucket.Arn}/*"}},
                {"Effect": "Deny", "NotAction": "kms:Decrypt", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
            ]}}],
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]
        });
        assert_eq!(
            texts("AWS::IAM::Role", role),
            [
                "AssumeRolePolicyDocument: Allow sts:AssumeRole for Service lambda.amazonaws.com",
                "Policies: data: Allow s3:GetObject, s3:PutObject on ${Bucket.Arn}/*",
                "Policies: data: Deny everything except kms:Decrypt on * when Bool aws:SecureTransport = false",
                "ManagedPolicyArns: arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
            ]
        );
    }

    #[test]
    fn resource_policies_show_principal_actions_resources_and_conditions() {
        let topic_policy = json!({"Topics": [{"Ref": "Alarms"}], "PolicyDocument": {"Statement": {"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": {"Ref": "Alarms"}, "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}}});
        assert_eq!(
            texts("AWS::SNS::TopicPolicy", topic_policy),
            [
                "Topics: Ref Alarms",
                "PolicyDocument: Allow sns:Publish on Ref Alarms for Service cloudwatch.amazonaws.com when StringEquals aws:SourceAccount = Ref AWS::AccountId"
            ]
        );
        let managed = json!({"Roles": [{"Ref": "AppRole"}], "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": {"Fn::ImportValue": "dev-security-DbSecretArn"}}]}});
        for policy_type in ["AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"] {
            assert_eq!(
                texts(policy_type, managed.clone()),
                [
                    "PolicyDocument: Allow secretsmanager:GetSecretValue on ImportValue dev-security-DbSecretArn",
                    "Roles: Ref AppRole"
                ],
                "{policy_type}"
            );
        }
        let key = json!({"KeyPolicy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"});
        assert_eq!(texts("AWS::KMS::Key", key), ["KeyPolicy: Allow kms:* on * for anyone (*)"]);
        let queue = json!({"Queues": ["q"], "PolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": "*"}]}});
        assert_eq!(
            texts("AWS::SQS::QueuePolicy", queue)[1],
            "PolicyDocument: Allow sqs:SendMessage on * for any AWS principal (*)"
        );
    }

    #[test]
    fn lambda_permissions_and_api_methods_show_who_may_call() {
        let permission = json!({"Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Fn"}, "Principal": "apigateway.amazonaws.com", "SourceArn": {"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"}});
        assert_eq!(
            texts("AWS::Lambda::Permission", permission),
            [
                "Principal: apigateway.amazonaws.com",
                "Action: lambda:InvokeFunction",
                "FunctionName: Ref Fn",
                "SourceArn: arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"
            ]
        );
        let method = json!({"HttpMethod": "GET", "AuthorizationType": "COGNITO_USER_POOLS", "AuthorizerId": {"Ref": "Authorizer"}, "ApiKeyRequired": true});
        assert_eq!(
            texts("AWS::ApiGateway::Method", method),
            ["AuthorizationType: COGNITO_USER_POOLS", "AuthorizerId: Ref Authorizer", "ApiKeyRequired: true"]
        );
        assert!(texts("AWS::SNS::Topic", json!({"TopicName": "t"})).is_empty());
        let acl = json!({"DefaultAction": {"Allow": {}}, "Rules": [{"Name": "Common", "Priority": 1}, {"Name": "Geo", "Priority": 2}]});
        assert_eq!(
            texts("AWS::WAFv2::WebACL", acl),
            ["DefaultAction: {Allow: {}}", "Rules: {Name: Common, Priority: 1}", "Rules: {Name: Geo, Priority: 2}"]
        );
    }
}
