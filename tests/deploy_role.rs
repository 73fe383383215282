//! The shipped deploy role (`iam/deploy-role.template.json`) is what the code computes:
//! current, cfn-lint clean, within IAM's quotas, covering every resource type the
//! environments use and every call the tool makes itself.
//! `UPDATE_DEPLOY_ROLE=1 cargo test --test deploy_role` rewrites it after a change.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{ENVIRONMENTS, load_env, render_env, repo_root, venv_tool};
use matbakh_infra::aws::permissions;
use matbakh_infra::cfn::registry;
use matbakh_infra::constructs::{bootstrap, deploy_role};
use matbakh_infra::synth::{Format, render_stack};
use serde_json::Value;

const FILE: &str = "iam/deploy-role.template.json";

/// Resource types of every environment's stacks and bootstrap stack.
fn used_types() -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    for env in ENVIRONMENTS {
        let mut bodies: Vec<String> = render_env(env, Format::Json).stacks.into_iter().map(|s| s.body).collect();
        bodies.push(render_stack(&bootstrap::build(&load_env(env)), Format::Json).0.body);
        for body in bodies {
            let template: Value = serde_json::from_str(&body).unwrap();
            for resource in template["Resources"].as_object().unwrap().values() {
                types.insert(resource["Type"].as_str().unwrap().to_owned());
            }
        }
    }
    types
}

fn generated() -> (String, Value) {
    let types = used_types();
    let stack = deploy_role::build(types.iter().map(String::as_str)).expect("builds");
    let body = render_stack(&stack, Format::Json).0.body;
    let value = serde_json::from_str(&body).unwrap();
    (body, value)
}

fn statements(template: &Value) -> Vec<&Value> {
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::IAM::ManagedPolicy")
        .flat_map(|p| p["Properties"]["PolicyDocument"]["Statement"].as_array().unwrap())
        .collect()
}

fn granted(template: &Value) -> BTreeSet<String> {
    statements(template)
        .into_iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn the_shipped_deploy_role_is_current() {
    let (body, _) = generated();
    let path = repo_root().join(FILE);
    if std::env::var_os("UPDATE_DEPLOY_ROLE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &body).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(shipped == body, "{FILE} is stale: run `UPDATE_DEPLOY_ROLE=1 cargo test --test deploy_role` and commit it");
}

#[test]
fn it_grants_every_handler_permission_of_every_type_used_and_passes_only_platform_roles() {
    let (_, template) = generated();
    let granted = granted(&template);
    for type_name in used_types() {
        let schema = registry::schema(&type_name).unwrap();
        assert!(!schema.deploy_permissions.is_empty(), "{type_name}");
        for action in schema.deploy_permissions {
            assert!(granted.contains(*action), "{type_name} needs {action}");
        }
    }
    let pass: Vec<&Value> = statements(&template)
        .into_iter()
        .filter(|s| s["Action"].as_array().unwrap().iter().any(|a| a == "iam:PassRole"))
        .collect();
    assert_eq!(pass.len(), 1, "{pass:?}");
    assert_eq!(
        pass[0]["Resource"],
        serde_json::json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/matbakh-*"}])
    );
}

#[test]
fn every_policy_fits_iams_quotas() {
    let (_, template) = generated();
    let policies: Vec<&Value> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::IAM::ManagedPolicy")
        .collect();
    assert!((1..=deploy_role::ATTACHED_POLICIES_QUOTA).contains(&policies.len()), "{}", policies.len());
    for p in policies {
        let text = p["Properties"]["PolicyDocument"].to_string();
        let length = text.chars().filter(|c| !c.is_whitespace()).count();
        assert!(length <= deploy_role::MANAGED_POLICY_QUOTA, "{length} characters");
    }
}

/// IAM action of an SDK operation, where it is not `service:Operation`.
fn action_of(service: &str, operation: &str) -> String {
    match (service, operation) {
        ("s3", "HeadBucket") => "s3:ListBucket".into(),
        ("s3", "HeadObject") => "s3:GetObject".into(),
        _ => format!("{service}:{operation}"),
    }
}

/// `describe_stacks` → `DescribeStacks`; `get_web_acl` → `GetWebACL` is left to the
/// comparison below (case-insensitive).
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Every SDK client call in `src/aws`: `client.<op>()`, `self.<client>.<op>()`.
fn sdk_calls(dir: &Path) -> BTreeSet<(String, String)> {
    const CLIENTS: [(&str, &str); 10] = [
        ("cfn", "cloudformation"),
        ("s3", "s3"),
        ("kms", "kms"),
        ("secrets", "secretsmanager"),
        ("lambda", "lambda"),
        ("ec2", "ec2"),
        ("rds", "rds"),
        ("cognito", "cognito-idp"),
        ("wafv2", "wafv2"),
        ("elasticache", "elasticache"),
    ];
    let mut calls = BTreeSet::new();
    for entry in walkdir(dir) {
        let text = std::fs::read_to_string(&entry).unwrap();
        let file = entry.file_stem().unwrap().to_string_lossy().into_owned();
        for (i, _) in text.match_indices("()") {
            let before = &text[..i];
            let Some(dot) = before.rfind('.') else { continue };
            let op = &before[dot + 1..];
            if op.is_empty() || !op.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                continue;
            }
            let receiver = before[..dot].trim_end();
            let receiver = receiver.strip_suffix("()").unwrap_or(receiver);
            let name = receiver.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("");
            // A named field is its service; `client` is the service of its file (the
            // readers in services/ are named after their service).
            let service = match (name, file.as_str()) {
                ("client", "stack_read" | "change_sets" | "stack_admin" | "stack_drift" | "cloudformation") => {
                    "cloudformation"
                }
                ("client", "artifacts") => "s3",
                ("client", "identity") => "sts",
                ("client", "cognito") => "cognito-idp",
                ("client", file) => CLIENTS.iter().find(|(_, s)| *s == file).map_or("", |(_, s)| s),
                (field, _) => CLIENTS.iter().find(|(f, _)| *f == field).map_or("", |(_, s)| s),
            };
            // Builder methods and helpers on the client value are not operations.
            if service.is_empty() || ["clone", "config", "build", "send"].contains(&op) {
                continue;
            }
            calls.insert((service.to_owned(), pascal(op)));
        }
    }
    calls
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walkdir(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn every_call_the_tool_makes_is_in_its_permission_table() {
    let calls = sdk_calls(&repo_root().join("src/aws"));
    let services: BTreeSet<&str> = calls.iter().map(|(s, _)| s.as_str()).collect();
    for expected in ["cloudformation", "s3", "kms", "lambda", "secretsmanager", "rds", "ec2", "wafv2", "cognito-idp"] {
        assert!(services.contains(expected), "found calls of {services:?}");
    }
    assert!(calls.len() >= 30, "{calls:?}");
    let table: BTreeSet<String> =
        permissions::TOOL_PERMISSIONS.iter().flat_map(|p| p.actions.iter().map(|a| a.to_lowercase())).collect();
    for (service, op) in &calls {
        if service == "sts" {
            continue; // GetCallerIdentity needs no permission; AssumeRole is the trust policy's.
        }
        let action = action_of(service, op);
        assert!(table.contains(&action.to_lowercase()), "{action} is called in src/aws but not in TOOL_PERMISSIONS");
    }
}

#[test]
fn the_shipped_deploy_role_is_cfn_lint_clean() {
    let output = Command::new(venv_tool("cfn-lint"))
        .args(["--format", "parseable", "--regions", "eu-central-1", "--"])
        .arg(repo_root().join(FILE))
        .output()
        .expect("cfn-lint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && stdout.trim().is_empty(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
}
