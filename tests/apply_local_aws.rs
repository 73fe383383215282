//! `apply` end to end against the local AWS (moto, started by the test on a free port),
//! through the real SDK clients and the CLI.
//!
//! What moto 5.2.5 cannot do, and these tests therefore state instead of hiding:
//! - Its CloudFormation handler for `AWS::KMS::Key` crashes on the (valid) `Tags`
//!   (KeyError 'TagKey'): ExecuteChangeSet of dev's `security` answers HTTP 500, so
//!   `security` fails and everything that depends on it is not started.
//! - Exports of a stack created by a CREATE change set are never registered (a later
//!   importer would fail with "No export named …").
//! - Outputs are not refreshed after ExecuteChangeSet, so stacks report no outputs, and
//!   ListStackResources shows standalone security-group rules without physical ids, so
//!   apply warns that it cannot confirm them (exit status 3).
//!
//! The full dev order, outputs/exports and failure handling are tested at the client
//! boundary (tests/apply_boundary.rs).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use aws_sdk_cloudformation::Client;
use common::moto::{Moto, workspace};
use common::render_env;
use matbakh_infra::synth::Format;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("stacks/dev.yaml");
    let body = std::fs::read_to_string(&path).unwrap();
    assert!(body.contains(from), "{from} not in dev.yaml");
    std::fs::write(&path, body.replacen(from, to, 1)).unwrap();
}

/// Stack name → (status, LastUpdatedTime or CreationTime).
async fn stacks(client: &Client) -> BTreeMap<String, (String, String)> {
    let listed = client.list_stacks().send().await.unwrap();
    listed
        .stack_summaries()
        .iter()
        .map(|s| {
            let time = s.last_updated_time().or(s.creation_time()).map(|t| t.to_string()).unwrap_or_default();
            (s.stack_name().unwrap().to_owned(), (s.stack_status().unwrap().as_str().to_owned(), time))
        })
        .collect()
}

async fn bucket_keys(moto: &Moto) -> Vec<String> {
    let config = moto.sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    let out = s3.list_objects_v2().bucket("matbakh-dev-assets-123456789012-eu-central-1").send().await.unwrap();
    let mut keys: Vec<String> = out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect();
    keys.sort();
    keys
}

/// The stacks moto can create from dev (see the module doc).
const CREATED_ON_THE_LOCAL_AWS: [&str; 2] = ["matbakh-dev-bootstrap", "matbakh-dev-network"];

#[tokio::test(flavor = "multi_thread")]
async fn apply_dev_creates_in_order_uploads_assets_once_and_a_second_apply_changes_nothing() {
    let moto = Moto::start();
    let dir = workspace();
    let client = Client::new(&moto.sdk_config().await);
    let rendered = render_env("dev", Format::Json);

    let first = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
    let out = text(&first);
    // 4: a stack failed — here only because moto crashes on the KMS keys (module doc).
    assert_eq!(first.status.code(), Some(4), "{out}");
    assert!(out.contains("matbakh-dev-security       FAILED: ExecuteChangeSet: the endpoint answered"), "{out}");
    for blocked in ["data", "cache", "app", "auth", "api", "edge", "observability", "datalake"] {
        let name = format!("matbakh-dev-{blocked}");
        assert!(out.contains(&format!("{name:<26} not started")), "{name} not started:\n{out}");
    }
    assert!(out.contains("1 succeeded, 1 failed, 8 not started; 1 change set(s) executed"), "{out}");
    let after_first = stacks(&client).await;
    for name in CREATED_ON_THE_LOCAL_AWS {
        assert_eq!(after_first.get(name).map(|s| s.0.as_str()), Some("CREATE_COMPLETE"), "{name}: {after_first:?}");
    }
    // The bootstrap stack and the uploads come first (plain lines are printed as events
    // happen); what moto cannot confirm is said, not claimed.
    let pos = |needle: &str| out.find(needle).unwrap_or_else(|| panic!("{needle} missing:\n{out}"));
    assert!(pos("matbakh-dev-bootstrap      CREATE_COMPLETE") < pos("matbakh-dev-network        change set"));
    assert!(pos(" uploaded assets/") < pos("matbakh-dev-network        change set"));
    assert!(out.contains("matbakh-dev-network        warning: the endpoint reports no physical resource for"), "{out}");

    // Every asset of the environment is in the artifacts bucket, once, under its hash.
    let mut expected: Vec<String> = rendered.assets.iter().map(|a| a.s3_key.clone()).collect();
    expected.sort();
    assert_eq!(bucket_keys(&moto).await, expected);
    assert_eq!(out.matches(" uploaded assets/").count(), rendered.assets.len(), "{out}");

    // Again: no change set executed, nothing uploaded, the stacks untouched.
    let second = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
    let out = text(&second);
    assert_eq!(second.status.code(), Some(4), "{out}");
    assert_eq!(out.matches(" uploaded assets/").count(), 0, "{out}");
    assert_eq!(out.matches(" already uploaded").count(), rendered.assets.len(), "{out}");
    assert!(out.contains("matbakh-dev-network        no changes"), "{out}");
    assert!(out.contains("0 change set(s) executed"), "{out}");
    let after_second = stacks(&client).await;
    for name in CREATED_ON_THE_LOCAL_AWS {
        assert_eq!(after_second[name], after_first[name], "{name} untouched");
    }

    // Only what moto can create, selected: nothing to do.
    let selected = ["apply", "--env", "dev", "--yes", "--stack", "network"];
    let third = moto.cli(&selected, dir.path());
    assert_eq!(third.status.code(), Some(0), "{}", text(&third));
    assert!(text(&third).contains("Nothing to apply"), "{}", text(&third));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_change_updates_only_its_stack_through_an_update_change_set() {
    let moto = Moto::start();
    let dir = workspace();
    let client = Client::new(&moto.sdk_config().await);
    let selected = ["apply", "--env", "dev", "--yes", "--stack", "network"];
    let created = moto.cli(&selected, dir.path());
    // 3: succeeded with warnings (moto lists the standalone rules without physical ids).
    assert_eq!(created.status.code(), Some(3), "{}", text(&created));
    let before = stacks(&client).await;
    let template = |name: &'static str| {
        let client = client.clone();
        async move {
            let out = client.get_template().stack_name(name).send().await.unwrap();
            out.template_body().unwrap_or_default().to_owned()
        }
    };
    assert!(!template("matbakh-dev-network").await.contains("BastionIngressSsh1"));

    // An SSH range for the bastion: one new SecurityGroupIngress in the network stack.
    edit(dir.path(), "bastion_ssh_cidrs: []", "bastion_ssh_cidrs: [203.0.113.0/24]");
    let updated = moto.cli(&selected, dir.path());
    let out = text(&updated);
    assert_eq!(updated.status.code(), Some(3), "{out}");
    assert!(out.contains("BastionIngressSsh1 (AWS::EC2::SecurityGroupIngress)"), "unconfirmed, said so: {out}");
    assert!(
        out.contains("matbakh-dev-network        change set (update): 1 to add, 0 to modify, 0 to remove"),
        "{out}"
    );
    assert!(out.contains("1 change set(s) executed"), "{out}");
    let after = stacks(&client).await;
    assert_eq!(after["matbakh-dev-network"].0, "UPDATE_COMPLETE", "network updated");
    assert!(template("matbakh-dev-network").await.contains("BastionIngressSsh1"));
    assert_eq!(after.len(), before.len(), "no other stack appeared");

    // The rule exists in EC2.
    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config().await);
    let groups = ec2.describe_security_groups().send().await.unwrap();
    let ssh_from_range = groups.security_groups().iter().any(|g| {
        g.ip_permissions()
            .iter()
            .any(|p| p.from_port() == Some(22) && p.ip_ranges().iter().any(|r| r.cidr_ip() == Some("203.0.113.0/24")))
    });
    assert!(ssh_from_range, "the new SSH rule is in EC2");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_applied_as_planned_and_refused_once_stale() {
    let moto = Moto::start();
    let dir = workspace();
    let plan_file = dir.path().join("plan.json");
    let plan_arg = plan_file.to_str().unwrap();
    let planned = moto.cli(&["plan", "--env", "dev", "--out", plan_arg], dir.path());
    assert_eq!(planned.status.code(), Some(2), "{}", text(&planned));

    // Without --yes and without a terminal: refused before anything is created.
    let unconfirmed = moto.cli(&["apply", "--env", "dev", "--plan", plan_arg, "--stack", "network"], dir.path());
    assert_eq!(unconfirmed.status.code(), Some(1), "{}", text(&unconfirmed));
    assert!(text(&unconfirmed).contains("pass --yes"), "{}", text(&unconfirmed));
    let client = Client::new(&moto.sdk_config().await);
    assert!(stacks(&client).await.is_empty(), "nothing created");

    // The saved plan, confirmed: network is created, as planned; events as JSON lines.
    let args = ["apply", "--env", "dev", "--yes", "--plan", plan_arg, "--stack", "network", "--output", "json"];
    let applied = moto.cli(&args, dir.path());
    assert_eq!(applied.status.code(), Some(3), "succeeded, with moto's unconfirmed rules: {}", text(&applied));
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&applied.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"change_set") && kinds.contains(&"succeeded") && kinds.contains(&"warning"), "{kinds:?}");
    assert!(events.iter().all(|e| e["stack"].is_string() && e["time"].is_string()));
    let succeeded = events.iter().find(|e| e["event"] == "succeeded").unwrap();
    assert_eq!(succeeded["stack"], "matbakh-dev-network");

    // The plan said network did not exist; now it does: stale.
    let stale = moto.cli(&["apply", "--env", "dev", "--yes", "--plan", plan_arg], dir.path());
    let out = text(&stale);
    assert_eq!(stale.status.code(), Some(1), "{out}");
    assert!(
        out.contains("stale plan, run plan again") && out.contains("matbakh-dev-network: created since the plan"),
        "{out}"
    );

    // A changed template makes a fresh plan stale too.
    let fresh = moto.cli(&["plan", "--env", "dev", "--out", plan_arg], dir.path());
    assert_eq!(fresh.status.code(), Some(2));
    edit(dir.path(), "bastion_ssh_cidrs: []", "bastion_ssh_cidrs: [203.0.113.0/24]");
    let changed = moto.cli(&["apply", "--env", "dev", "--yes", "--plan", plan_arg], dir.path());
    let out = text(&changed);
    assert_eq!(changed.status.code(), Some(1), "{out}");
    assert!(out.contains("matbakh-dev-network: the code changed since the plan"), "{out}");
}

#[path = "support/latency_proxy.rs"]
mod latency_proxy;

#[tokio::test(flavor = "multi_thread")]
async fn with_a_fifth_of_requests_throttled_or_unavailable_apply_ends_the_same_and_creates_nothing_twice() {
    let moto = Moto::start();
    let dir = workspace();
    let upstream: std::net::SocketAddr = moto.endpoint.trim_start_matches("http://").parse().unwrap();
    let faults = latency_proxy::Faults { rate: 0.2, seed: 20261125 };
    let proxy = latency_proxy::LatencyProxy::start(upstream, std::time::Duration::ZERO, Some(faults)).await;
    let endpoint = proxy.endpoint.clone();
    let dir_path = dir.path().to_owned();
    let moto = std::sync::Arc::new(moto);
    let m = moto.clone();
    let out = tokio::task::spawn_blocking(move || {
        m.cli(&["apply", "--env", "dev", "--yes", "--endpoint-url", &endpoint], &dir_path)
    })
    .await
    .unwrap();
    let text = text(&out);
    let injected = proxy.faults.load(std::sync::atomic::Ordering::SeqCst);
    let requests = proxy.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert!(injected * 10 >= requests, "about a fifth of {requests} requests failed: {injected}");
    // The same outcome as without faults (see the first test): only moto's crash on the
    // KMS keys stops `security`; no fault surfaces.
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(text.contains("1 succeeded, 1 failed, 8 not started; 1 change set(s) executed"), "{text}");
    assert!(text.contains("matbakh-dev-security       FAILED: ExecuteChangeSet: the endpoint answered"), "{text}");
    assert!(!text.contains("Throttling") && !text.contains("503") && !text.contains("SlowDown"), "{text}");

    // Nothing created twice.
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    let created: Vec<String> =
        stacks(&client).await.into_iter().filter(|(_, s)| s.0 == "CREATE_COMPLETE").map(|(n, _)| n).collect();
    let mut expected_stacks: Vec<String> = CREATED_ON_THE_LOCAL_AWS.iter().map(|s| s.to_string()).collect();
    expected_stacks.sort();
    assert_eq!(created, expected_stacks, "each stack created once");
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let vpcs = ec2.describe_vpcs().send().await.unwrap();
    let ours = vpcs.vpcs().iter().filter(|v| v.tags().iter().any(|t| t.value() == Some("matbakh-dev-vpc"))).count();
    assert_eq!(ours, 1, "one VPC");
    let rendered = render_env("dev", Format::Json);
    let template: serde_json::Value = serde_json::from_str(&rendered.stack("security").unwrap().body).unwrap();
    let keys_in_template =
        template["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == "AWS::KMS::Key").count();
    let kms = aws_sdk_kms::Client::new(&config);
    // At most once each: moto's crashing execution is not repeated (its handler creates a
    // key, then fails on the Tags with KeyError 'TagKey').
    let keys = kms.list_keys().send().await.unwrap().keys().len();
    assert!((1..=keys_in_template).contains(&keys), "{keys} keys for {keys_in_template} in the template");
    let mut expected: Vec<String> = rendered.assets.iter().map(|a| a.s3_key.clone()).collect();
    expected.sort();
    assert_eq!(bucket_keys(&moto).await, expected, "each asset once");
}

#[test]
fn an_unreachable_endpoint_is_an_error_before_any_change_with_exit_status_1() {
    let o = common::run_against_unreachable_endpoint(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Connection refused") && err.contains("check the endpoint"), "{err}");
}
