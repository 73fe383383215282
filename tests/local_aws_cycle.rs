//! The main job, for dev, staging and prod, on the local AWS (moto plus
//! `scripts/local_aws`, one server per test, through the real SDK and the CLI):
//! apply from nothing creates every stack and export; a second apply executes no change
//! set; plan then exits 0 and drift exits 0. Prod's protections are in force.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;

use aws_sdk_cloudformation::Client;
use common::moto::{Moto, workspace};
use common::render_env;
use matbakh_infra::synth::Format;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// What an operator provides before the first prod deploy: the webhook URL the
/// `alerts-critical` topic posts to lives in Secrets Manager, never in YAML.
async fn operator_secrets(moto: &Moto, env: &str) {
    let loaded = common::load_env(env);
    let secrets = aws_sdk_secretsmanager::Client::new(&moto.sdk_config().await);
    for name in &loaded.observability.critical.https_secret_names {
        secrets
            .create_secret()
            .name(name)
            .secret_string(r#"{"url":"https://hooks.example.com/services/T000/B000/local"}"#)
            .send()
            .await
            .unwrap();
    }
}

async fn cycle(env: &str) {
    let moto = Moto::start();
    let ws = workspace();
    operator_secrets(&moto, env).await;
    let rendered = render_env(env, Format::Json);

    let first = moto.cli(&["apply", "--env", env, "--yes"], ws.path());
    let out = text(&first);
    assert_eq!(first.status.code(), Some(0), "{out}");
    let stacks = rendered.stacks.len();
    assert!(
        out.contains(&format!("{stacks} succeeded, 0 failed, 0 not started; {} change set(s) executed", stacks + 1)),
        "{out}"
    );
    assert!(!out.contains(" warning: ") && !out.contains("warning(s)"), "no warnings: {out}");

    // Every stack complete, every resource with a physical id, every export present.
    let config = moto.sdk_config().await;
    let cfn = Client::new(&config);
    let described = cfn.describe_stacks().send().await.unwrap();
    let status: BTreeMap<String, String> = described
        .stacks()
        .iter()
        .map(|s| (s.stack_name().unwrap().to_owned(), s.stack_status().unwrap().as_str().to_owned()))
        .collect();
    for stack in &rendered.stacks {
        assert_eq!(status.get(&stack.name).map(String::as_str), Some("CREATE_COMPLETE"), "{}: {status:?}", stack.name);
        let resources = cfn.list_stack_resources().stack_name(&stack.name).send().await.unwrap();
        let template: serde_json::Value = serde_json::from_str(&stack.body).unwrap();
        assert_eq!(
            resources.stack_resource_summaries().len(),
            template["Resources"].as_object().unwrap().len(),
            "{}: every resource listed",
            stack.name
        );
        for r in resources.stack_resource_summaries() {
            assert!(!r.physical_resource_id().unwrap_or_default().is_empty(), "{}: {r:?}", stack.name);
            assert_eq!(r.resource_status().unwrap().as_str(), "CREATE_COMPLETE", "{r:?}");
        }
    }
    let mut exports = BTreeMap::new();
    let mut token = None;
    loop {
        let page = cfn.list_exports().set_next_token(token).send().await.unwrap();
        for e in page.exports() {
            exports.insert(e.name().unwrap().to_owned(), e.value().unwrap_or_default().to_owned());
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let imported: BTreeSet<&String> =
        rendered.manifest.stacks.iter().flat_map(|s| s.imports.values().flatten()).collect();
    assert!(imported.len() > 20, "{imported:?}");
    for name in imported {
        let value = exports.get(name).unwrap_or_else(|| panic!("export {name} missing: {exports:?}"));
        assert!(!value.is_empty(), "export {name} is empty");
    }

    // Again: nothing to do, nothing executed.
    let second = moto.cli(&["apply", "--env", env, "--yes"], ws.path());
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert!(text(&second).contains("Nothing to apply"), "{}", text(&second));
    let plan = moto.cli(&["plan", "--env", env], ws.path());
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let drift = moto.cli(&["drift", "--env", env], ws.path());
    assert_eq!(drift.status.code(), Some(0), "{}", text(&drift));
    let report = String::from_utf8_lossy(&drift.stdout);
    assert!(report.lines().last().unwrap().starts_with("In sync ("), "{}", text(&drift));

    if env == "prod" {
        prod_protections_hold(&cfn, &rendered).await;
    }
}

/// Prod: termination protection on every stack (a delete is refused) and a stack policy
/// that denies replacing or deleting the stateful resources.
async fn prod_protections_hold(cfn: &Client, rendered: &matbakh_infra::synth::Rendered) {
    for stack in &rendered.stacks {
        let described = cfn.describe_stacks().stack_name(&stack.name).send().await.unwrap();
        assert_eq!(described.stacks()[0].enable_termination_protection(), Some(true), "{}", stack.name);
    }
    let refused = cfn.delete_stack().stack_name("matbakh-prod-data").send().await.unwrap_err();
    let message = format!("{}", aws_sdk_cloudformation::error::DisplayErrorContext(&refused));
    assert!(message.contains("TerminationProtection is enabled"), "{message}");
    let policy = cfn.get_stack_policy().stack_name("matbakh-prod-data").send().await.unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.stack_policy_body().unwrap()).unwrap();
    let text = policy.to_string();
    assert!(text.contains("Update:Replace") && text.contains("LogicalResourceId/Database"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dev_deploys_from_nothing_then_apply_plan_and_drift_find_nothing_to_do() {
    cycle("dev").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staging_deploys_from_nothing_then_apply_plan_and_drift_find_nothing_to_do() {
    cycle("staging").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn prod_deploys_from_nothing_with_its_protections_then_apply_plan_and_drift_find_nothing_to_do() {
    cycle("prod").await;
}
