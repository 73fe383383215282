//! The `observability` stack carries §8: the four alarms exactly, alert topics that
//! CloudWatch can publish to (encrypted with a key it may use), subscribers without
//! credentials in the template, the three-widget dashboard (a fourth for replica lag),
//! and a lag alarm per read replica.

mod common;

use std::collections::BTreeMap;

use common::stacks::{resources_of_type, templates};
use common::{ENVIRONMENTS, load_env, render_env};
use matbakh_infra::synth::Format;
use serde_json::{Value, json};

fn observability(env: &str) -> Value {
    templates(env).remove("observability").unwrap()
}

fn topic(id: &str) -> Value {
    json!([{"Ref": id}])
}

#[test]
fn there_are_exactly_the_four_alarms_of_section_8() {
    let t = observability("prod");
    let alarms: Vec<&String> = resources_of_type(&t, "AWS::CloudWatch::Alarm")
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !id.ends_with("ReplicaLag"))
        .collect();
    assert_eq!(alarms, ["HighAPILatency", "HighErrorRate", "DatabaseConnections", "LambdaErrors"]);
    let alarm = |id: &str| t["Resources"][id]["Properties"].clone();

    let latency = alarm("HighAPILatency");
    for (key, value) in [
        ("AlarmName", json!("matbakh-prod-HighAPILatency")),
        ("Namespace", json!("AWS/ApiGateway")),
        ("MetricName", json!("Latency")),
        ("Dimensions", json!([{"Name": "ApiName", "Value": "matbakh-api"}])),
        ("Statistic", json!("Average")),
        ("Period", json!(300)),
        ("EvaluationPeriods", json!(2)),
        ("Threshold", json!(1000)),
        ("ComparisonOperator", json!("GreaterThanThreshold")),
        ("AlarmActions", topic("CriticalTopic")),
        ("OKActions", topic("CriticalTopic")),
    ] {
        assert_eq!(latency[key], value, "HighAPILatency.{key}");
    }

    let errors = alarm("HighErrorRate");
    let api_sum = |metric: &str| {
        json!({"Metric": {"Namespace": "AWS/ApiGateway", "MetricName": metric,
                          "Dimensions": [{"Name": "ApiName", "Value": "matbakh-api"}]},
               "Period": 300, "Stat": "Sum"})
    };
    assert_eq!(
        errors["Metrics"],
        json!([
            {"Id": "errors", "MetricStat": api_sum("5XXError"), "ReturnData": false},
            {"Id": "requests", "MetricStat": api_sum("Count"), "ReturnData": false},
            {"Id": "errorRate", "Expression": "100 * errors / requests", "Label": "5XX error rate (%)", "ReturnData": true},
        ])
    );
    for absent in ["Namespace", "MetricName", "Dimensions", "Statistic", "Period"] {
        assert!(errors.get(absent).is_none(), "a metric-math alarm has no {absent}");
    }
    for (key, value) in [
        ("EvaluationPeriods", json!(2)),
        ("Threshold", json!(5)),
        ("ComparisonOperator", json!("GreaterThanThreshold")),
        ("TreatMissingData", json!("notBreaching")),
        ("AlarmActions", topic("CriticalTopic")),
        ("OKActions", topic("CriticalTopic")),
    ] {
        assert_eq!(errors[key], value, "HighErrorRate.{key}");
    }

    let connections = alarm("DatabaseConnections");
    for (key, value) in [
        ("Namespace", json!("AWS/RDS")),
        ("MetricName", json!("DatabaseConnections")),
        (
            "Dimensions",
            json!([{"Name": "DBInstanceIdentifier",
                    "Value": {"Fn::ImportValue": "matbakh-prod-data-DatabaseInstanceIdentifier"}}]),
        ),
        ("Statistic", json!("Average")),
        ("Period", json!(300)),
        ("EvaluationPeriods", json!(3)),
        ("Threshold", json!(80)),
        ("ComparisonOperator", json!("GreaterThanThreshold")),
        ("AlarmActions", topic("WarningTopic")),
        ("OKActions", topic("WarningTopic")),
    ] {
        assert_eq!(connections[key], value, "DatabaseConnections.{key}");
    }

    let lambda = alarm("LambdaErrors");
    for (key, value) in [
        ("Namespace", json!("AWS/Lambda")),
        ("MetricName", json!("Errors")),
        (
            "Dimensions",
            json!([{"Name": "FunctionName", "Value": {"Fn::ImportValue": "matbakh-prod-app-VcStartFunctionName"}}]),
        ),
        ("Statistic", json!("Sum")),
        ("Period", json!(300)),
        ("EvaluationPeriods", json!(2)),
        ("Threshold", json!(10)),
        ("ComparisonOperator", json!("GreaterThanThreshold")),
        ("AlarmActions", topic("WarningTopic")),
        ("OKActions", topic("WarningTopic")),
    ] {
        assert_eq!(lambda[key], value, "LambdaErrors.{key}");
    }
}

/// The deployed function name an `Fn::ImportValue` of the `app` stack resolves to:
/// the export's output value, a function's `Ref`, names the function resource.
fn imported_function_name(all: &BTreeMap<String, Value>, import: &Value) -> Option<String> {
    let name = import["Fn::ImportValue"].as_str()?;
    let app = &all["app"];
    let output = app["Outputs"].as_object()?.values().find(|o| o["Export"]["Name"] == name)?;
    match &output["Value"] {
        Value::String(literal) => Some(literal.clone()),
        value => {
            let function = &app["Resources"][value["Ref"].as_str()?];
            (function["Type"] == "AWS::Lambda::Function")
                .then(|| function["Properties"]["FunctionName"].as_str().map(str::to_owned))?
        }
    }
}

#[test]
fn alarms_watch_the_configured_function_and_the_imported_database() {
    for env in ENVIRONMENTS {
        let all = templates(env);
        let alarm = |id: &str| &all["observability"]["Resources"][id]["Properties"]["Dimensions"][0]["Value"];
        let watched = load_env(env).observability.alarms.lambda_errors_function;
        assert_eq!(imported_function_name(&all, alarm("LambdaErrors")), Some(format!("matbakh-{env}-{watched}")));
        let db = alarm("DatabaseConnections");
        assert_eq!(db, &json!({"Fn::ImportValue": format!("matbakh-{env}-data-DatabaseInstanceIdentifier")}));
        assert_eq!(all["data"]["Outputs"]["DatabaseInstanceIdentifier"]["Value"], json!({"Ref": "Database"}));
        let deps = render_env(env, Format::Json).manifest.stack("observability").unwrap().depends_on.clone();
        assert_eq!(deps, ["app", "data"], "{env}");
    }
}

#[test]
fn topics_are_encrypted_with_a_key_cloudwatch_may_use() {
    for env in ENVIRONMENTS {
        let t = observability(env);
        let topics = resources_of_type(&t, "AWS::SNS::Topic");
        let names: Vec<&Value> = topics.iter().map(|(_, r)| &r["Properties"]["TopicName"]).collect();
        assert_eq!(
            names,
            [&json!(format!("matbakh-{env}-alerts-critical")), &json!(format!("matbakh-{env}-alerts-warning"))]
        );
        for (id, r) in &topics {
            assert_eq!(r["Properties"]["KmsMasterKeyId"], json!({"Fn::GetAtt": ["AlertsKey", "Arn"]}), "{env}/{id}");
        }
        let key = &t["Resources"]["AlertsKey"];
        assert_eq!(key["DeletionPolicy"], "Retain");
        assert_eq!(key["UpdateReplacePolicy"], "Retain");
        assert_eq!(key["Properties"]["EnableKeyRotation"], true);
        let statements = key["Properties"]["KeyPolicy"]["Statement"].as_array().unwrap();
        assert_eq!(statements[0]["Action"], json!(["kms:*"]), "root keeps administration");
        let cloudwatch = statements.iter().find(|s| s["Principal"]["Service"] == "cloudwatch.amazonaws.com").unwrap();
        assert_eq!(cloudwatch["Action"], json!(["kms:Decrypt", "kms:GenerateDataKey*"]));
        assert_eq!(cloudwatch["Condition"]["StringEquals"]["aws:SourceAccount"], json!([{"Ref": "AWS::AccountId"}]));
        let via_sns = statements.iter().find(|s| !s["Condition"]["StringEquals"]["kms:ViaService"].is_null()).unwrap();
        assert_eq!(
            via_sns["Condition"]["StringEquals"]["kms:ViaService"],
            json!([{"Fn::Sub": "sns.${AWS::Region}.amazonaws.com"}])
        );
        assert_eq!(t["Resources"]["AlertsKeyAlias"]["Properties"]["AliasName"], format!("alias/matbakh-{env}-alerts"));

        let policy = &t["Resources"]["AlertTopicsPolicy"]["Properties"];
        assert_eq!(policy["Topics"], json!([{"Ref": "CriticalTopic"}, {"Ref": "WarningTopic"}]));
        let publish = &policy["PolicyDocument"]["Statement"][0];
        assert_eq!(publish["Principal"], json!({"Service": "cloudwatch.amazonaws.com"}));
        assert_eq!(publish["Action"], json!(["sns:Publish"]));
        assert_eq!(publish["Condition"]["StringEquals"]["aws:SourceAccount"], json!([{"Ref": "AWS::AccountId"}]));
    }
}

#[test]
fn subscriptions_follow_the_environment_and_webhooks_resolve_from_secrets_manager() {
    let t = observability("prod");
    let subscriptions: Vec<(String, Value)> = resources_of_type(&t, "AWS::SNS::Subscription")
        .into_iter()
        .map(|(id, r)| (id.clone(), r["Properties"].clone()))
        .collect();
    let expected = [
        ("CriticalEmail1", "CriticalTopic", "email", json!("alerts@matbakh.app")),
        ("CriticalSms1", "CriticalTopic", "sms", json!("+49123456789")),
        (
            "CriticalHttps1",
            "CriticalTopic",
            "https",
            json!("{{resolve:secretsmanager:matbakh-prod/alerts-slack-webhook:SecretString:url}}"),
        ),
        ("WarningEmail1", "WarningTopic", "email", json!("dev-team@matbakh.app")),
    ];
    assert_eq!(subscriptions.len(), expected.len());
    for ((id, p), (eid, topic, protocol, endpoint)) in subscriptions.iter().zip(expected) {
        assert_eq!(id, eid);
        assert_eq!(p, &json!({"TopicArn": {"Ref": topic}, "Protocol": protocol, "Endpoint": endpoint}), "{id}");
    }
    // No webhook URL anywhere in any template.
    for env in ENVIRONMENTS {
        for (stack, t) in templates(env) {
            assert!(!t.to_string().contains("hooks.slack.com"), "{env}/{stack} carries a webhook URL");
        }
    }
    let dev = observability("dev");
    let dev_ids: Vec<&String> =
        resources_of_type(&dev, "AWS::SNS::Subscription").into_iter().map(|(id, _)| id).collect();
    assert_eq!(dev_ids, ["CriticalEmail1", "WarningEmail1"]);
}

#[test]
fn dashboard_has_the_three_widgets_of_section_8() {
    for env in ENVIRONMENTS {
        let all = templates(env);
        let t = &all["observability"];
        let dashboard = &t["Resources"]["Dashboard"]["Properties"];
        assert_eq!(dashboard["DashboardName"], format!("matbakh-{env}"));
        let sub = dashboard["DashboardBody"]["Fn::Sub"].as_array().unwrap();
        let body: Value = serde_json::from_str(sub[0].as_str().unwrap()).expect("the body is JSON");
        let vars = sub[1].as_object().unwrap();
        let resolve = |v: &Value| -> Value {
            let s = v.as_str().unwrap();
            match s.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
                Some(var) if vars.contains_key(var) => vars[var].clone(),
                _ => v.clone(),
            }
        };
        let widgets = body["widgets"].as_array().unwrap();
        let titles: Vec<&Value> = widgets.iter().map(|w| &w["properties"]["title"]).collect();
        // The replicas' lag comes fourth where there are replicas (§2).
        assert_eq!(
            titles[..3],
            [&json!("API Gateway Metrics"), &json!("Lambda Function Metrics"), &json!("RDS Instance Metrics")]
        );
        let replicas = !load_env(env).database.read_replicas.is_empty();
        assert_eq!(titles.get(3), replicas.then_some(&&json!("RDS Replica Lag (seconds)")), "{env}");
        for w in widgets {
            assert_eq!(w["type"], "metric");
            assert_eq!(w["properties"]["region"], "${AWS::Region}");
            assert_eq!(w["properties"]["period"], 300);
        }

        let api = &widgets[0]["properties"]["metrics"];
        assert_eq!(
            api,
            &json!([
                ["AWS/ApiGateway", "Count", "ApiName", "matbakh-api"],
                ["AWS/ApiGateway", "Latency", "ApiName", "matbakh-api"],
                ["AWS/ApiGateway", "4XXError", "ApiName", "matbakh-api"],
                ["AWS/ApiGateway", "5XXError", "ApiName", "matbakh-api"],
            ])
        );

        let lambda = widgets[1]["properties"]["metrics"].as_array().unwrap();
        let functions = load_env(env).functions.definitions;
        assert_eq!(lambda.len(), 4 * functions.len(), "{env}: four metrics per function");
        let mut shown: Vec<String> = lambda
            .iter()
            .step_by(4)
            .map(|row| imported_function_name(&all, &resolve(&row[3])).expect("rows name an app function export"))
            .collect();
        shown.sort();
        let mut expected: Vec<String> = functions.iter().map(|f| format!("matbakh-{env}-{}", f.name)).collect();
        expected.sort();
        assert_eq!(shown, expected, "{env}: one group of rows per function");
        for group in lambda.chunks(4) {
            assert_eq!(group[0][0], "AWS/Lambda");
            assert_eq!(group[0][1], "Duration");
            let rest: Vec<&Value> = group[1..].iter().map(|r| &r[1]).collect();
            assert_eq!(rest, [&json!("Errors"), &json!("Throttles"), &json!("ConcurrentExecutions")]);
        }

        let rds = widgets[2]["properties"]["metrics"].as_array().unwrap();
        assert_eq!(rds[0][0], "AWS/RDS");
        assert_eq!(rds[0][2], "DBInstanceIdentifier");
        assert_eq!(
            resolve(&rds[0][3]),
            json!({"Fn::ImportValue": format!("matbakh-{env}-data-DatabaseInstanceIdentifier")})
        );
        let names: Vec<&Value> = rds.iter().map(|r| &r[1]).collect();
        assert_eq!(
            names,
            [&json!("CPUUtilization"), &json!("DatabaseConnections"), &json!("ReadLatency"), &json!("WriteLatency")]
        );
    }
}

#[test]
fn topic_arns_are_exported() {
    let t = observability("staging");
    assert_eq!(t["Outputs"]["CriticalTopicArn"]["Value"], json!({"Ref": "CriticalTopic"}));
    assert_eq!(t["Outputs"]["CriticalTopicArn"]["Export"]["Name"], "matbakh-staging-observability-CriticalTopicArn");
    assert_eq!(t["Outputs"]["WarningTopicArn"]["Value"], json!({"Ref": "WarningTopic"}));
}

#[test]
fn each_read_replica_has_a_lag_alarm_to_the_critical_topic_and_a_dashboard_line() {
    for env in ENVIRONMENTS {
        let t = observability(env);
        let replicas = load_env(env).database.read_replicas;
        let lag: Vec<(&String, &Value)> = resources_of_type(&t, "AWS::CloudWatch::Alarm")
            .into_iter()
            .filter(|(id, _)| id.ends_with("ReplicaLag"))
            .collect();
        assert_eq!(lag.len(), replicas.len(), "{env}: one alarm per replica");
        let body = t["Resources"]["Dashboard"]["Properties"]["DashboardBody"].to_string();
        assert_eq!(body.contains("ReplicaLag"), !replicas.is_empty(), "{env}: {body}");
        for replica in &replicas {
            let id = format!("{}{}ReplicaLag", replica.name[..1].to_uppercase(), &replica.name[1..]);
            let p = &t["Resources"][&id]["Properties"];
            let identifier = format!("matbakh-{env}-{}", replica.name);
            for (key, value) in [
                ("Namespace", json!("AWS/RDS")),
                ("MetricName", json!("ReplicaLag")),
                ("Dimensions", json!([{"Name": "DBInstanceIdentifier", "Value": identifier}])),
                ("Threshold", json!(5)),
                ("ComparisonOperator", json!("GreaterThanThreshold")),
                ("AlarmActions", topic("CriticalTopic")),
            ] {
                assert_eq!(p[key], value, "{env} {id}.{key}");
            }
            // The alarm watches the identifier the data stack gives the replica.
            let data = &templates(env)["data"];
            let source = format!("{}{}Replica", replica.name[..1].to_uppercase(), &replica.name[1..]);
            assert_eq!(data["Resources"][&source]["Properties"]["DBInstanceIdentifier"], json!(identifier));
        }
    }
    assert_eq!(load_env("prod").database.read_replicas.len(), 2, "prod has the design's two replicas");
}
