//! Every IAM policy in every template of every environment names its resources. `*` is
//! allowed only for actions AWS authorizes on `*` alone (listed with the reason), and in
//! resource policies of KMS keys, where `*` means "this key".

mod common;

use common::{ENVIRONMENTS, render_env, render_environment, switched_on};
use matbakh_infra::synth::Format;
use serde_json::Value;

/// Actions whose resource must be `*`, and why.
const STAR_ONLY: [(&str, &str); 7] = [
    ("ec2:Describe", "EC2 Describe* calls support no resource-level permissions"),
    ("xray:PutTraceSegments", "X-Ray accepts only *"),
    ("xray:PutTelemetryRecords", "X-Ray accepts only *"),
    ("cloudwatch:PutMetricData", "CloudWatch metrics have no ARNs (scoped by namespace condition)"),
    ("sns:Publish", "SMS to phone numbers has no topic ARN (Cognito's SMS role)"),
    ("athena:ListWorkGroups", "Athena authorizes listing workgroups on * only (QuickSight's role)"),
    ("athena:ListDataCatalogs", "Athena authorizes listing data catalogs on * only (QuickSight's role)"),
];

fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(list) => list.iter().filter_map(|a| a.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

fn is_star(statement: &Value) -> bool {
    match &statement["Resource"] {
        Value::String(r) => r == "*",
        Value::Array(list) => list.iter().any(|r| r == "*"),
        _ => false,
    }
}

/// Policy documents inside identity policies (roles and managed policies).
fn identity_documents(resource: &Value) -> Vec<&Value> {
    let p = &resource["Properties"];
    match resource["Type"].as_str() {
        Some("AWS::IAM::Role") => {
            p["Policies"].as_array().map(|l| l.iter().map(|x| &x["PolicyDocument"]).collect()).unwrap_or_default()
        }
        Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") => vec![&p["PolicyDocument"]],
        _ => Vec::new(),
    }
}

#[test]
fn iam_statements_name_their_resources_except_where_aws_requires_star() {
    let mut checked = 0;
    let mut offenders = Vec::new();
    // The shipped environments, and prod with the features they leave off turned on.
    let renderings = ENVIRONMENTS
        .map(|env| (env.to_owned(), render_env(env, Format::Json)))
        .into_iter()
        .chain([("prod+switched-on".to_owned(), render_environment(&switched_on("prod"), Format::Json))]);
    for (env, rendered) in renderings {
        for stack in rendered.stacks {
            let template: Value = serde_json::from_str(&stack.body).unwrap();
            for (id, resource) in template["Resources"].as_object().unwrap() {
                for document in identity_documents(resource) {
                    for statement in document["Statement"].as_array().into_iter().flatten() {
                        checked += 1;
                        if statement["Effect"] != "Allow" || !is_star(statement) {
                            continue;
                        }
                        let unexplained: Vec<String> = actions(statement)
                            .into_iter()
                            .filter(|a| !STAR_ONLY.iter().any(|(allowed, _)| a.starts_with(allowed)))
                            .collect();
                        if !unexplained.is_empty() {
                            offenders.push(format!("{env}/{}/{id}: {unexplained:?} on *", stack.id));
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 50, "expected many statements, checked {checked}");
    assert!(offenders.is_empty(), "unscoped IAM statements:\n{}", offenders.join("\n"));
}

#[test]
fn the_check_catches_an_unscoped_statement() {
    let role = serde_json::json!({"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p",
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}}]}});
    let statement = &identity_documents(&role)[0]["Statement"][0];
    assert!(is_star(statement));
    assert!(!STAR_ONLY.iter().any(|(a, _)| actions(statement)[0].starts_with(a)));
}
