//! `plan` end to end against the local AWS (started by the test): some stacks of
//! dev exist, the rest are to be created; a changed config shows up; plan never
//! creates, updates or deletes a stack: its change sets are deleted at the end, or kept
//! for `apply --plan` with `--out`. A change that would alter exports other stacks
//! import is predicted as a failure before anything changes (issue #12).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use aws_sdk_cloudformation::Client;
use common::local_aws::create_stack;
use common::moto::{Moto, physical_ids, workspace};
use common::{render_env, repo_root};
use matbakh_infra::synth::Format;
use serde_json::Value;

/// Creates dev's network stack the way apply does: every parameter passed explicitly.
async fn create_network(client: &Client) {
    let network = render_env("dev", Format::Json);
    let network = network.stack("network").unwrap();
    create_stack(client, &network.name, &network.body).await;
}

/// What the account holds: stack name → (status, last updated or created, template
/// body; empty for a stack in review, which has no template yet), and change-set ARN →
/// (stack, status, execution status).
struct Snapshot {
    stacks: BTreeMap<String, (String, String, String)>,
    change_sets: BTreeMap<String, (String, String, String)>,
}

async fn snapshot(client: &Client) -> Snapshot {
    let mut stacks = BTreeMap::new();
    let mut change_sets = BTreeMap::new();
    let listed = client.list_stacks().send().await.unwrap();
    for s in listed.stack_summaries() {
        let name = s.stack_name().unwrap().to_owned();
        let time = s.last_updated_time().or(s.creation_time()).map(|t| t.to_string()).unwrap_or_default();
        let status = s.stack_status().unwrap().as_str().to_owned();
        if status == "DELETE_COMPLETE" {
            continue; // ListStacks keeps deleted stacks for 90 days
        }
        let body = if status == "REVIEW_IN_PROGRESS" {
            String::new()
        } else {
            let got = client.get_template().stack_name(&name).send().await.unwrap();
            got.template_body().unwrap_or_default().to_owned()
        };
        let sets = client.list_change_sets().stack_name(&name).send().await.unwrap();
        for c in sets.summaries() {
            change_sets.insert(
                c.change_set_id().unwrap().to_owned(),
                (
                    c.stack_name().unwrap_or_default().to_owned(),
                    c.status().map(|v| v.as_str().to_owned()).unwrap_or_default(),
                    c.execution_status().map(|v| v.as_str().to_owned()).unwrap_or_default(),
                ),
            );
        }
        stacks.insert(name, (status, time, body));
    }
    Snapshot { stacks, change_sets }
}

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("stacks/dev.yaml");
    let body = std::fs::read_to_string(&path).unwrap();
    assert!(body.contains(from), "{from} not in dev.yaml");
    std::fs::write(&path, body.replacen(from, to, 1)).unwrap();
}

/// The plan's stack entry with this id.
fn planned<'a>(plan: &'a Value, id: &str) -> &'a Value {
    plan["stacks"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("{id} not in {plan}"))
}

/// Stack name → change-set ARN of every change set the plan prepared (and so keeps with
/// `--out`).
fn prepared(plan: &Value) -> BTreeMap<String, String> {
    plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["change_set"]["state"] == "prepared")
        .map(|s| (s["name"].as_str().unwrap().to_owned(), s["change_set"]["id"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_reports_existing_changed_and_missing_stacks_and_updates_no_stack() {
    let moto = Moto::start();
    let client = Client::new(&moto.sdk_config().await);
    create_network(&client).await;
    let before = snapshot(&client).await;
    assert_eq!(before.stacks.len(), 1);
    let network_before = before.stacks["matbakh-dev-network"].clone();

    // Unchanged config: the network stack has no changes, every other stack is new, the
    // bootstrap stack (dev has assets) first. A stack whose imports all exist gets its
    // change set now; the others are deferred to their turn in apply.
    let o = moto.cli(&["plan", "--env", "dev"], &repo_root());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    let pos = |needle: &str| out.find(needle).unwrap_or_else(|| panic!("{needle} missing:\n{out}"));
    assert!(
        pos("matbakh-dev-bootstrap: to be created (2 resources) — change set matbakh-")
            < pos("matbakh-dev-network: no changes\n"),
        "{out}"
    );
    let rendered = render_env("dev", Format::Json);
    let resources = |id: &str| rendered.stacks.iter().find(|s| s.id == id).unwrap().resources;
    let security =
        format!("matbakh-dev-security: to be created ({} resources) — change set matbakh-", resources("security"));
    assert!(out.contains(&security), "{out}");
    let data = format!(
        "matbakh-dev-data: to be created ({} resources) — deferred: imports \
         matbakh-dev-security-AnalyticsCredentialsSecretArn, matbakh-dev-security-EtlCredentialsSecretArn, \
         matbakh-dev-security-RdsCredentialsSecretArn, matbakh-dev-security-RdsKeyArn from stacks not deployed yet; \
         prepared when its turn comes\n",
        resources("data")
    );
    assert!(out.contains(&data), "only the exports not deployed yet are named: {out}");
    for stack in ["cache", "app", "auth", "api", "edge", "observability", "datalake"] {
        let line = out.lines().find(|l| l.starts_with(&format!("matbakh-dev-{stack}: to be created ("))).unwrap();
        assert!(line.contains(" — deferred: imports ") && line.ends_with("prepared when its turn comes"), "{line}");
    }
    assert!(out.contains("Plan: 11 stacks: "), "{out}");
    assert!(
        out.contains("; 10 stacks to create, 0 to change, 1 unchanged, 0 blocked, 8 change set(s) deferred to apply; 0 will fail; 0 stateful replacement(s)/deletion(s)"),
        "{out}"
    );
    // Without --out its change sets are deleted at the end; the deployed stack is untouched.
    let after = snapshot(&client).await;
    assert_eq!(after.change_sets, BTreeMap::new(), "change sets left behind");
    assert_eq!(after.stacks["matbakh-dev-network"], network_before);

    // The machine-readable plan says the same, in format 2.
    let o = moto.cli(&["plan", "--env", "dev", "--output", "json"], &repo_root());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let plan: Value = serde_json::from_slice(&o.stdout).expect("plan JSON");
    assert_eq!(plan["format_version"], 2);
    assert_eq!(plan["stacks"][0]["id"], "bootstrap");
    assert_eq!(plan["stacks"].as_array().unwrap().len(), 11);
    assert_eq!(plan["will_fail"], serde_json::json!([]));
    assert_eq!(planned(&plan, "network")["status"], "no_changes");
    assert!(planned(&plan, "network").get("change_set").is_none(), "nothing to execute");
    assert_eq!(planned(&plan, "security")["status"], "to_create");
    assert_eq!(planned(&plan, "security")["change_set"]["state"], "prepared");
    assert_eq!(planned(&plan, "security")["change_set"]["type"], "create");
    assert_eq!(planned(&plan, "data")["status"], "to_create");
    assert_eq!(planned(&plan, "data")["change_set"]["state"], "deferred");
    let names: Vec<String> = prepared(&plan).into_keys().collect();
    assert_eq!(names, ["matbakh-dev-bootstrap", "matbakh-dev-security"]);
    assert_eq!(snapshot(&client).await.change_sets, BTreeMap::new(), "change sets left behind");

    // A changed config: a tag (update in place) and a subnet range (replacement).
    let ws = workspace();
    edit(ws.path(), "cost-center: engineering", "cost-center: finance");
    edit(ws.path(), "cidr: 10.0.22.0/24", "cidr: 10.0.23.0/24");
    let saved = ws.path().join("plan.json");
    let saved_arg = saved.to_str().unwrap();
    let o = moto.cli(&["plan", "--env", "dev", "--out", saved_arg], ws.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("[~] AWS::EC2::Subnet DatabaseSubnet3 (replace)"), "{out}");
    assert!(
        out.contains("CidrBlock (requires replacement: change set: requires recreation always (DirectModification))"),
        "{out}"
    );
    assert!(out.contains("[~] AWS::EC2::VPC Vpc"), "tags change in place: {out}");
    // The change set confirms it, and the replacement reaches what refers to the subnet.
    assert!(out.contains("matbakh-dev-network (confirmed by a change set) — change set matbakh-"), "{out}");
    assert!(
        out.contains("[~] AWS::EC2::SubnetRouteTableAssociation DatabaseSubnet3RouteTableAssociation (may replace)"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "saved the plan to {saved_arg}; its 3 change set(s) are kept for `apply --plan {saved_arg}`"
        )),
        "{out}"
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 2);
    let network = planned(&saved, "network");
    assert!(network["last_updated_time"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(network["template_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(network["change_set"]["state"], "prepared");
    assert_eq!(network["change_set"]["type"], "update");
    let kept = prepared(&saved);
    let names: Vec<&str> = kept.keys().map(String::as_str).collect();
    assert_eq!(names, ["matbakh-dev-bootstrap", "matbakh-dev-network", "matbakh-dev-security"]);

    // Exactly the saved plan's change sets are in the account, ready to execute; the
    // deployed stack is not updated; the stacks to create are in review (as a CREATE
    // change set leaves them on AWS) with no resources.
    let after_out = snapshot(&client).await;
    let in_account: BTreeMap<String, String> =
        after_out.change_sets.iter().map(|(arn, (stack, _, _))| (stack.clone(), arn.clone())).collect();
    assert_eq!(in_account, kept);
    for (arn, (_, status, execution)) in &after_out.change_sets {
        assert_eq!((status.as_str(), execution.as_str()), ("CREATE_COMPLETE", "AVAILABLE"), "{arn}");
    }
    assert_eq!(after_out.stacks["matbakh-dev-network"], network_before, "plan must not update a stack");
    assert_eq!(after_out.stacks.len(), 3, "{:?}", after_out.stacks.keys());
    for name in ["matbakh-dev-bootstrap", "matbakh-dev-security"] {
        assert_eq!(after_out.stacks[name].0, "REVIEW_IN_PROGRESS");
        let resources = client.list_stack_resources().stack_name(name).send().await.unwrap();
        assert!(resources.stack_resource_summaries().is_empty(), "{name}: {resources:?}");
    }

    // Without change sets the plan touches nothing at all and reads the same changes.
    let o = moto.cli(&["plan", "--env", "dev", "--no-change-set", "--output", "markdown"], ws.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("| matbakh-dev-network | changes |"), "{out}");
    let untouched = snapshot(&client).await;
    assert_eq!(untouched.stacks, after_out.stacks);
    assert_eq!(untouched.change_sets, after_out.change_sets);
}

/// A plan without `--out` must leave no trace. On AWS (and the local AWS),
/// CreateChangeSet of type CREATE makes the stack in REVIEW_IN_PROGRESS, and deleting that
/// change set leaves the empty stack behind: plan has to delete such a stack too, as it
/// made it (what `cdk diff` does with its change sets).
#[tokio::test(flavor = "multi_thread")]
async fn a_plan_without_out_leaves_no_stack_behind() {
    let moto = Moto::start();
    let client = Client::new(&moto.sdk_config().await);
    create_network(&client).await;
    let before = snapshot(&client).await;

    let o = moto.cli(&["plan", "--env", "dev"], &repo_root());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let after = snapshot(&client).await;
    assert_eq!(after.change_sets, BTreeMap::new(), "change sets left behind");
    let added: BTreeSet<(&String, &String)> =
        after.stacks.iter().filter(|(name, _)| !before.stacks.contains_key(*name)).map(|(n, s)| (n, &s.0)).collect();
    assert!(added.is_empty(), "plan left stacks behind: {added:?}");
    assert_eq!(after.stacks, before.stacks);
}

/// Issue #12: moving the VPC to another range replaces the VPC, every subnet and every
/// security group, so every network export gets a new value; CloudFormation refuses to
/// change an export another stack imports and rolls the network update back. Plan says
/// so before anything changes — per export in use: what changes, who imports it and the
/// two-step way out — and apply refuses with nothing changed.
#[tokio::test(flavor = "multi_thread")]
async fn moving_the_vpc_range_is_predicted_to_fail_on_exports_in_use_and_apply_changes_nothing() {
    let (moto, dir) = Moto::with_dev_applied();
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    let before = snapshot(&client).await;
    let network_ids = physical_ids(&client, "matbakh-dev-network").await;
    let exports: BTreeMap<String, String> = client
        .list_exports()
        .send()
        .await
        .unwrap()
        .exports()
        .iter()
        .map(|e| (e.name().unwrap().to_owned(), e.value().unwrap().to_owned()))
        .collect();

    // 10.0.0.0/16 → 10.1.0.0/16, each subnet along (the config still validates).
    let path = dir.path().join("stacks/dev.yaml");
    let body = std::fs::read_to_string(&path).unwrap();
    assert_eq!(body.matches("10.0.").count(), 9, "the VPC and its eight subnets");
    std::fs::write(&path, body.replace("10.0.", "10.1.")).unwrap();

    // Export, what is replaced under it, the stacks that import it (ListImports).
    let in_use: [(&str, &str, &[&str]); 6] = [
        ("VpcId", "Vpc", &["datalake"]),
        ("PrivateSubnetIds", "PrivateSubnet1, PrivateSubnet2, PrivateSubnet3", &["app", "cache", "datalake"]),
        ("DatabaseSubnetIds", "DatabaseSubnet1, DatabaseSubnet2, DatabaseSubnet3", &["data"]),
        ("LambdaSecurityGroupId", "LambdaSecurityGroup", &["app"]),
        ("RdsSecurityGroupId", "RdsSecurityGroup", &["data", "datalake"]),
        ("RedisSecurityGroupId", "RedisSecurityGroup", &["cache"]),
    ];
    let expected: Vec<(String, String)> = in_use
        .iter()
        .map(|(export, replaced, importers)| {
            let name = format!("matbakh-dev-network-{export}");
            let list = importers.iter().map(|i| format!("matbakh-dev-{i}")).collect::<Vec<_>>().join(", ");
            let verb = if importers.len() == 1 { "imports" } else { "import" };
            let reason = format!(
                "export {name} would change ({replaced} will be replaced (a new physical id)) while {list} {verb} it; \
                 CloudFormation refuses to update an export in use"
            );
            let remedy = format!(
                "two steps: (1) make {list} stop importing {name} — e.g. pass its current value {} instead — and apply; \
                 (2) apply this change, then import the new value again",
                exports[&name]
            );
            (reason, remedy)
        })
        .collect();

    let o = moto.cli(&["plan", "--env", "dev"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.starts_with("Apply would fail — nothing can be applied until these are resolved:\n"), "{out}");
    for (reason, remedy) in &expected {
        assert!(
            out.contains(&format!("  XX matbakh-dev-network: {reason}\n     way out: {remedy}\n")),
            "{reason}:\n{out}"
        );
    }
    assert_eq!(out.matches("  XX ").count(), expected.len(), "exports nobody imports are not listed: {out}");
    for unused in ["PublicSubnetIds", "AlbSecurityGroupId", "BastionSecurityGroupId"] {
        assert!(!out.contains(&format!("matbakh-dev-network-{unused}")), "{unused}: {out}");
    }
    assert!(out.contains("[~] AWS::EC2::VPC Vpc (replace)"), "{out}");
    assert!(out.contains("matbakh-dev-network (template diff) — deferred: not prepared: the plan says it will fail"));
    assert!(out.contains("; 6 will fail; "), "{out}");

    let o = moto.cli(&["plan", "--env", "dev", "--output", "json"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let plan: Value = serde_json::from_slice(&o.stdout).expect("plan JSON");
    let will_fail: Vec<(String, String)> = plan["will_fail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            assert_eq!(w["stack"], "matbakh-dev-network");
            (w["reason"].as_str().unwrap().to_owned(), w["remedy"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(will_fail, expected);
    assert_eq!(
        planned(&plan, "network")["change_set"],
        serde_json::json!({"state": "deferred", "reason": "not prepared: the plan says it will fail"})
    );
    assert_eq!(planned(&plan, "network")["status"], "changes");

    let o = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let (reason, remedy) = &expected[0];
    assert!(
        out.contains(&format!(
            "error: cannot apply, nothing was changed — the plan says it would fail:\n  matbakh-dev-network: {reason}\n    way out: {remedy}\n"
        )),
        "{out}"
    );
    for (reason, _) in &expected[1..] {
        assert!(out.contains(&format!("\n  matbakh-dev-network: {reason}\n")), "{out}");
    }
    assert!(!out.contains("executing") && !out.contains("change set (update)"), "{out}");

    // Nothing changed: every stack as it was (status, LastUpdatedTime, template), no
    // change set made, the network's resources and the VPC's range the same.
    let after = snapshot(&client).await;
    assert_eq!(after.stacks, before.stacks);
    assert_eq!(after.change_sets, before.change_sets);
    assert_eq!(physical_ids(&client, "matbakh-dev-network").await, network_ids);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let vpcs = ec2.describe_vpcs().send().await.unwrap();
    let vpc = vpcs.vpcs().iter().find(|v| v.vpc_id() == Some(network_ids["Vpc"].as_str())).expect("the VPC is there");
    assert_eq!(vpc.cidr_block(), Some("10.0.0.0/16"));
    assert!(!vpcs.vpcs().iter().any(|v| v.cidr_block() == Some("10.1.0.0/16")), "no new VPC");
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
