//! `plan` end to end against the local AWS (started by the test): some stacks of
//! dev exist, the rest are to be created; a changed config shows up; nothing but the
//! plan's own temporary change sets is ever created, and those are deleted.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_cloudformation::Client;
use common::local_aws::create_stack;
use common::moto::{Moto, workspace};
use common::{render_env, repo_root};
use matbakh_infra::synth::Format;
use serde_json::Value;

/// Creates dev's network stack the way apply does: every parameter passed explicitly.
async fn create_network(client: &Client) {
    let network = render_env("dev", Format::Json);
    let network = network.stack("network").unwrap();
    create_stack(client, &network.name, &network.body).await;
}

/// Stack name → (status, last updated or created, template body), and all change sets.
async fn snapshot(client: &Client) -> (BTreeMap<String, (String, String, String)>, Vec<String>) {
    let mut stacks = BTreeMap::new();
    let mut change_sets = Vec::new();
    let listed = client.list_stacks().send().await.unwrap();
    for s in listed.stack_summaries() {
        let name = s.stack_name().unwrap().to_owned();
        let time = s.last_updated_time().or(s.creation_time()).map(|t| t.to_string()).unwrap_or_default();
        let body = client
            .get_template()
            .stack_name(&name)
            .send()
            .await
            .unwrap()
            .template_body()
            .unwrap_or_default()
            .to_owned();
        let status = s.stack_status().unwrap().as_str().to_owned();
        let sets = client.list_change_sets().stack_name(&name).send().await.unwrap();
        change_sets.extend(sets.summaries().iter().filter_map(|c| c.change_set_name().map(str::to_owned)));
        stacks.insert(name, (status, time, body));
    }
    (stacks, change_sets)
}

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("stacks/dev.yaml");
    let body = std::fs::read_to_string(&path).unwrap();
    assert!(body.contains(from));
    std::fs::write(&path, body.replacen(from, to, 1)).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_reports_existing_changed_and_missing_stacks_and_changes_nothing() {
    let moto = Moto::start();
    let client = Client::new(&moto.sdk_config().await);
    create_network(&client).await;
    let before = snapshot(&client).await;
    assert_eq!(before.0.len(), 1);

    // Unchanged config: the network stack has no changes, every other stack is new.
    let o = moto.cli(&["plan", "--env", "dev"], &repo_root());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("matbakh-dev-network: no changes"), "{out}");
    for stack in ["security", "data", "cache", "app", "auth", "api", "edge", "observability", "datalake"] {
        assert!(out.contains(&format!("matbakh-dev-{stack}: to be created")), "{stack}: {out}");
    }

    // The machine-readable plan says the same.
    let o = moto.cli(&["plan", "--env", "dev", "--output", "json"], &repo_root());
    let plan: Value = serde_json::from_slice(&o.stdout).expect("plan JSON");
    assert_eq!(plan["format_version"], 1);
    let status =
        |id: &str| plan["stacks"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap()["status"].clone();
    assert_eq!(status("network"), "no_changes");
    assert_eq!(status("data"), "to_create");

    // A changed config: a tag (update in place) and a subnet range (replacement).
    let ws = workspace();
    edit(ws.path(), "cost-center: engineering", "cost-center: finance");
    edit(ws.path(), "cidr: 10.0.22.0/24", "cidr: 10.0.23.0/24");
    let saved = ws.path().join("plan.json");
    let o = moto.cli(&["plan", "--env", "dev", "--out", saved.to_str().unwrap()], ws.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("[~] AWS::EC2::Subnet DatabaseSubnet3 (replace)"), "{out}");
    assert!(
        out.contains("CidrBlock (requires replacement: change set: requires recreation always (DirectModification))"),
        "{out}"
    );
    assert!(out.contains("[~] AWS::EC2::VPC Vpc"), "tags change in place: {out}");
    // The change set confirms it, and the replacement reaches what refers to the subnet.
    assert!(out.contains("matbakh-dev-network (confirmed by a change set)"), "{out}");
    assert!(
        out.contains("[~] AWS::EC2::SubnetRouteTableAssociation DatabaseSubnet3RouteTableAssociation (may replace)"),
        "{out}"
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let network = saved["stacks"].as_array().unwrap().iter().find(|s| s["id"] == "network").unwrap();
    assert!(network["last_updated_time"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(network["template_sha256"].as_str().unwrap().len(), 64);

    // Plan changed nothing, and its temporary change sets are gone.
    let after = snapshot(&client).await;
    assert_eq!(before.0, after.0, "plan must not create, update or delete stacks");
    assert!(after.1.is_empty(), "temporary change sets left behind: {:?}", after.1);

    // Without change sets the plan touches nothing at all and reads the same changes.
    let o = moto.cli(&["plan", "--env", "dev", "--no-change-set", "--output", "markdown"], ws.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("| matbakh-dev-network | changes |"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_is_an_error_with_exit_status_1() {
    let o = common::run_against_unreachable_endpoint(&["plan", "--env", "dev"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Connection refused"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
