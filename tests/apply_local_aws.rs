//! `apply` end to end on the local AWS (moto plus `scripts/local_aws`, a server per
//! test), through the real SDK clients and the CLI: dependency order, assets, a second
//! apply that changes nothing, updates that replace and propagate, failures that roll
//! back (on create and on update) and stop their dependents, failures the plan predicts
//! refused before anything changes, saved plans executed exactly as planned, and a fifth
//! of all requests throttled or unavailable.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use aws_sdk_cloudformation::Client;
use common::moto::{Moto, physical_ids, workspace};
use common::render_env;
use matbakh_infra::synth::{Format, TEMPLATE_BODY_INLINE_MAX};

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
        // ListStacks keeps deleted stacks for 90 days.
        .filter(|s| s.stack_status().is_some_and(|st| st.as_str() != "DELETE_COMPLETE"))
        .map(|s| {
            let time = s.last_updated_time().or(s.creation_time()).map(|t| t.to_string()).unwrap_or_default();
            (s.stack_name().unwrap().to_owned(), (s.stack_status().unwrap().as_str().to_owned(), time))
        })
        .collect()
}

/// The artifacts bucket's keys under `prefix` (`assets/`, `templates/`).
async fn bucket_keys(moto: &Moto, prefix: &str) -> Vec<String> {
    let config = moto.sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    let out = s3
        .list_objects_v2()
        .bucket("matbakh-dev-assets-123456789012-eu-central-1")
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    let mut keys: Vec<String> = out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect();
    keys.sort();
    keys
}

/// Stack name → status.
async fn statuses(client: &Client) -> BTreeMap<String, String> {
    stacks(client).await.into_iter().map(|(name, (status, _))| (name, status)).collect()
}

/// Change-set ARN → (stack, status, execution status) of every change set in the account.
async fn change_sets(client: &Client) -> BTreeMap<String, (String, String, String)> {
    let mut out = BTreeMap::new();
    for name in stacks(client).await.into_keys() {
        let listed = client.list_change_sets().stack_name(&name).send().await.unwrap();
        for c in listed.summaries() {
            let status = c.status().map(|v| v.as_str().to_owned()).unwrap_or_default();
            let execution = c.execution_status().map(|v| v.as_str().to_owned()).unwrap_or_default();
            out.insert(c.change_set_id().unwrap().to_owned(), (name.clone(), status, execution));
        }
    }
    out
}

/// Change sets that could still be executed.
async fn available_change_sets(client: &Client) -> BTreeMap<String, String> {
    change_sets(client)
        .await
        .into_iter()
        .filter(|(_, (_, _, execution))| execution == "AVAILABLE")
        .map(|(arn, (stack, _, _))| (stack, arn))
        .collect()
}

/// Stack name → change-set ARN of the change sets a saved plan prepared.
fn prepared(plan_file: &Path) -> BTreeMap<String, String> {
    let plan: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(plan_file).unwrap()).unwrap();
    assert_eq!(plan["format_version"], 2);
    plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["change_set"]["state"] == "prepared")
        .map(|s| (s["name"].as_str().unwrap().to_owned(), s["change_set"]["id"].as_str().unwrap().to_owned()))
        .collect()
}

/// (status, execution status) of a change set by ARN; `None` once it is deleted.
async fn change_set_state(client: &Client, arn: &str) -> Option<(String, String)> {
    match client.describe_change_set().change_set_name(arn).send().await {
        Ok(cs) => Some((
            cs.status().map(|v| v.as_str().to_owned()).unwrap_or_default(),
            cs.execution_status().map(|v| v.as_str().to_owned()).unwrap_or_default(),
        )),
        Err(e) if e.as_service_error().and_then(|e| e.meta().code()) == Some("ChangeSetNotFound") => None,
        Err(e) => panic!("DescribeChangeSet {arn}: {e:?}"),
    }
}

/// The JSON lines of `apply --output json`.
fn json_events(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_dev_creates_in_order_uploads_assets_once_and_a_second_apply_changes_nothing() {
    let moto = Moto::start();
    let dir = workspace();
    let client = Client::new(&moto.sdk_config().await);
    let rendered = render_env("dev", Format::Json);

    let first = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
    let out = text(&first);
    assert_eq!(first.status.code(), Some(0), "{out}");
    assert!(out.contains("10 succeeded, 0 failed, 0 not started; 11 change set(s) executed"), "{out}");
    let after_first = stacks(&client).await;
    assert_eq!(after_first.len(), 11, "{after_first:?}");
    assert!(after_first.values().all(|(status, _)| status == "CREATE_COMPLETE"), "{after_first:?}");

    // Plain lines are printed as events happen: the bootstrap stack and the uploads
    // first, then every stack after everything it imports from.
    let pos = |needle: &str| out.find(needle).unwrap_or_else(|| panic!("{needle} missing:\n{out}"));
    let done = |stack: &str| pos(&format!("{:<26} CREATE_COMPLETE in", format!("matbakh-dev-{stack}")));
    let started = |stack: &str| pos(&format!("{:<26} change set (create)", format!("matbakh-dev-{stack}")));
    assert!(pos("matbakh-dev-bootstrap      CREATE_COMPLETE") < started("network"));
    assert!(pos(" uploaded assets/") < started("network"));
    for entry in &rendered.manifest.stacks {
        for dependency in &entry.depends_on {
            assert!(done(dependency) < started(&entry.id), "{} starts after {dependency} is done", entry.id);
        }
    }
    // Per-resource progress and outputs come from the local AWS's events and outputs.
    assert!(out.contains("Database (AWS::RDS::DBInstance) CREATE_COMPLETE"), "{out}");
    assert!(out.contains("UserPoolId = eu-central-1_"), "{out}");

    // Every asset of the environment is in the artifacts bucket, once, under its hash.
    let mut expected: Vec<String> = rendered.assets.iter().map(|a| a.s3_key.clone()).collect();
    expected.sort();
    let templates = bucket_keys(&moto, "templates/").await;
    assert_eq!(bucket_keys(&moto, "assets/").await, expected);
    // Templates over CloudFormation's inline limit go through S3 (dev: app, api, datalake).
    let large: Vec<&str> =
        rendered.stacks.iter().filter(|s| s.body.len() > TEMPLATE_BODY_INLINE_MAX).map(|s| s.id.as_str()).collect();
    assert_eq!(large, ["app", "api", "datalake"]);
    assert_eq!(templates.len(), large.len(), "{large:?} exceed the inline limit: {templates:?}");
    assert_eq!(out.matches(" uploaded assets/").count(), rendered.assets.len(), "{out}");

    // Again: no change set executed, nothing uploaded, the stacks untouched.
    let second = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
    let out = text(&second);
    assert_eq!(second.status.code(), Some(0), "{out}");
    assert!(out.contains("Nothing to apply"), "{out}");
    assert_eq!(out.matches(" uploaded assets/").count(), 0, "{out}");
    assert_eq!(stacks(&client).await, after_first, "untouched");
}

/// Real behaviour: a function's memory and a public subnet's CIDR change in the code.
/// The function is updated in place; the subnet (CidrBlock is create-only) is replaced —
/// new subnet first, old one deleted in the cleanup — and the route-table association
/// that refers to it follows; nothing else changes, and plan is clean afterwards.
#[tokio::test(flavor = "multi_thread")]
async fn a_changed_function_and_subnet_update_exactly_those_resources_and_the_replacement_propagates() {
    let (moto, dir) = Moto::with_dev_applied();
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let network_before = physical_ids(&client, "matbakh-dev-network").await;

    edit(
        dir.path(),
        "    - { cidr: 10.0.2.0/24, availability_zone: eu-central-1b }",
        "    - { cidr: 10.0.3.0/24, availability_zone: eu-central-1b }",
    );
    edit(dir.path(), "      memory_mb: 1024", "      memory_mb: 2048");
    let plan = moto.cli(&["plan", "--env", "dev"], dir.path());
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));

    let args = ["apply", "--env", "dev", "--yes", "--output", "json"];
    let applied = moto.cli(&args, dir.path());
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let events: Vec<serde_json::Value> =
        String::from_utf8_lossy(&applied.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let touched = |stack: &str| -> BTreeSet<String> {
        events
            .iter()
            .filter(|e| e["event"] == "resource" && e["stack"] == stack)
            .map(|e| e["logical_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let executed: BTreeSet<&str> =
        events.iter().filter(|e| e["event"] == "executing").map(|e| e["stack"].as_str().unwrap()).collect();
    assert_eq!(executed, BTreeSet::from(["matbakh-dev-app", "matbakh-dev-network"]), "{events:#?}");
    assert_eq!(
        touched("matbakh-dev-network"),
        BTreeSet::from(["PublicSubnet2".to_owned(), "PublicSubnet2RouteTableAssociation".to_owned()])
    );
    // Lambda versions snapshot the configuration: the function is updated in place, a
    // version with the new memory is published and the `live` alias moves to it.
    let app = touched("matbakh-dev-app");
    assert!(app.contains("VcStartFunction") && app.contains("VcStartLiveAlias"), "{app:?}");
    assert_eq!(app.iter().filter(|id| id.starts_with("VcStartVersion")).count(), 2, "old and new version: {app:?}");
    assert_eq!(app.len(), 4, "nothing else in app: {app:?}");

    // The subnet was replaced (new id, new range; the old one is gone), its association
    // follows it; the function was updated in place.
    let network_after = physical_ids(&client, "matbakh-dev-network").await;
    assert_ne!(network_after["PublicSubnet2"], network_before["PublicSubnet2"]);
    assert_ne!(
        network_after["PublicSubnet2RouteTableAssociation"],
        network_before["PublicSubnet2RouteTableAssociation"]
    );
    for (logical, id) in &network_before {
        if !logical.starts_with("PublicSubnet2") {
            assert_eq!(&network_after[logical], id, "{logical} untouched");
        }
    }
    let subnets = ec2.describe_subnets().send().await.unwrap();
    let cidr_of = |id: &str| subnets.subnets().iter().find(|s| s.subnet_id() == Some(id)).and_then(|s| s.cidr_block());
    assert_eq!(cidr_of(&network_after["PublicSubnet2"]), Some("10.0.3.0/24"));
    assert_eq!(cidr_of(&network_before["PublicSubnet2"]), None, "the old subnet is deleted");
    let lambda = aws_sdk_lambda::Client::new(&config);
    let function = lambda.get_function_configuration().function_name("matbakh-dev-vc-start").send().await.unwrap();
    assert_eq!(function.memory_size(), Some(2048));

    let plan = moto.cli(&["plan", "--env", "dev"], dir.path());
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let drift = moto.cli(&["drift", "--env", "dev"], dir.path());
    assert_eq!(drift.status.code(), Some(0), "{}", text(&drift));
}

/// Real behaviour: a secret named like one the security stack creates already exists
/// (Secrets Manager names are unique per account and region), so creating the security
/// stack would fail and roll back. The plan sees the name taken; apply refuses before
/// any stack is deployed and names the resource, the name and the way out. Following
/// it (deleting the leftover) lets the next apply deploy everything.
#[tokio::test(flavor = "multi_thread")]
async fn a_name_already_taken_is_refused_before_any_stack_is_deployed() {
    let moto = Moto::start();
    let dir = workspace();
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    let secrets = aws_sdk_secretsmanager::Client::new(&config);
    secrets.create_secret().name("matbakh-dev/external-api-keys").secret_string("{}").send().await.unwrap();

    let applied = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
    let out = text(&applied);
    assert_eq!(applied.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "error: cannot apply, nothing was changed — the plan says it would fail:\n  matbakh-dev-security: \
             ExternalApiKeysSecret (AWS::SecretsManager::Secret) would be created as Name \
             matbakh-dev/external-api-keys, which is already taken; the create would fail\n    way out: if \
             matbakh-dev/external-api-keys is a leftover (e.g. kept by an earlier failed create), delete it; \
             otherwise rename it in the configuration"
        ),
        "{out}"
    );
    assert_eq!(out.matches("  XX ").count(), 1, "{out}");
    assert!(!out.contains("executing") && !out.contains("change set (create)"), "{out}");
    // No stack left: the plan's CREATE change sets are deleted with the empty stacks in
    // review they made; no change set left.
    assert_eq!(stacks(&client).await, BTreeMap::new());
    assert_eq!(available_change_sets(&client).await, BTreeMap::new());

    secrets
        .delete_secret()
        .secret_id("matbakh-dev/external-api-keys")
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
    let applied = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
    let out = text(&applied);
    assert_eq!(applied.status.code(), Some(0), "{out}");
    assert!(out.contains("10 succeeded, 0 failed, 0 not started; 11 change set(s) executed"), "{out}");
}

/// Real behaviour: the secret's name is taken after the plan was made (the plan saw it
/// free; a saved plan is not stale for it). The security stack's create fails on it and
/// rolls back; apply names the resource and the reason, the final status and the
/// recovery command; every stack that needs security is not started; the independent
/// ones are created. The next apply refuses to touch the rolled-back stack and says how
/// to recover.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_create_rolls_back_names_its_cause_and_does_not_start_its_dependents() {
    let moto = Moto::start();
    let dir = workspace();
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    let plan_file = dir.path().join("plan.json");
    let plan_arg = plan_file.to_str().unwrap();
    let planned = moto.cli(&["plan", "--env", "dev", "--out", plan_arg], dir.path());
    assert_eq!(planned.status.code(), Some(2), "{}", text(&planned));
    let secrets = aws_sdk_secretsmanager::Client::new(&config);
    secrets.create_secret().name("matbakh-dev/external-api-keys").secret_string("{}").send().await.unwrap();

    let applied = moto.cli(&["apply", "--env", "dev", "--yes", "--plan", plan_arg], dir.path());
    let out = text(&applied);
    assert_eq!(applied.status.code(), Some(4), "{out}");
    assert!(out.contains("first failure: ExternalApiKeysSecret (AWS::SecretsManager::Secret)"), "{out}");
    assert!(out.contains("ROLLBACK_COMPLETE") && out.contains("already exists"), "{out}");
    assert!(out.contains("aws cloudformation delete-stack --stack-name matbakh-dev-security"), "{out}");
    for blocked in ["data", "cache", "app", "auth", "api", "edge", "observability", "datalake"] {
        let name = format!("matbakh-dev-{blocked}");
        assert!(out.contains(&format!("{name:<28} not started")), "{name} not started:\n{out}");
    }
    assert!(out.contains("1 succeeded, 1 failed, 8 not started; 3 change set(s) executed"), "{out}");
    let status = statuses(&client).await;
    assert_eq!(status["matbakh-dev-security"], "ROLLBACK_COMPLETE");
    assert_eq!(status["matbakh-dev-network"], "CREATE_COMPLETE");
    assert_eq!(status.len(), 3, "{status:?}");
    // Rolled back, except what has DeletionPolicy Retain: CloudFormation keeps those
    // even when it rolls back the create that made them (the security stack's keys).
    let kms = aws_sdk_kms::Client::new(&config);
    for key in kms.list_keys().send().await.unwrap().keys() {
        let described = kms.describe_key().key_id(key.key_id().unwrap()).send().await.unwrap();
        assert_eq!(described.key_metadata().unwrap().key_state().unwrap().as_str(), "Enabled", "retained");
    }

    let again = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
    let out = text(&again);
    assert_eq!(again.status.code(), Some(1), "blocked before any change: {out}");
    assert!(out.contains("matbakh-dev-security") && out.contains("ROLLBACK_COMPLETE"), "{out}");
    assert!(out.contains("delete-stack --stack-name matbakh-dev-security"), "{out}");
}

/// Real behaviour: a private subnet's CIDR changes; its replacement changes the
/// `PrivateSubnetIds` export, which app, cache and datalake import. CloudFormation would
/// refuse to change an export in use and roll the network update back, after the stacks
/// before it deployed. The plan predicts it (ListImports), so apply refuses before
/// anything changes — the function change in app included — names the export, its
/// importers and the two-step way out, and deletes the change set the plan prepared.
#[tokio::test(flavor = "multi_thread")]
async fn an_update_that_would_change_an_export_in_use_is_refused_before_anything_changes() {
    let (moto, dir) = Moto::with_dev_applied();
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    let before = stacks(&client).await;
    let network_before = physical_ids(&client, "matbakh-dev-network").await;
    let change_sets_before = change_sets(&client).await;
    let subnets = ["PrivateSubnet1", "PrivateSubnet2", "PrivateSubnet3"].map(|s| network_before[s].clone()).join(",");

    edit(
        dir.path(),
        "    - { cidr: 10.0.12.0/24, availability_zone: eu-central-1c }",
        "    - { cidr: 10.0.13.0/24, availability_zone: eu-central-1c }",
    );
    edit(dir.path(), "      memory_mb: 1024", "      memory_mb: 2048");
    let applied = moto.cli(&["apply", "--env", "dev", "--yes"], dir.path());
    let out = text(&applied);
    assert_eq!(applied.status.code(), Some(1), "{out}");
    let importers = "matbakh-dev-app, matbakh-dev-cache, matbakh-dev-datalake";
    assert!(
        out.contains(&format!(
            "error: cannot apply, nothing was changed — the plan says it would fail:\n  matbakh-dev-network: export \
             matbakh-dev-network-PrivateSubnetIds would change (PrivateSubnet3 will be replaced (a new physical id)) \
             while {importers} import it; CloudFormation refuses to update an export in use\n    way out: two steps: \
             (1) make {importers} stop importing matbakh-dev-network-PrivateSubnetIds — e.g. pass its current value \
             {subnets} instead — and apply; (2) apply this change, then import the new value again\n"
        )),
        "{out}"
    );
    assert_eq!(out.matches("  XX ").count(), 1, "one export in use: {out}");
    // The plan shown prepared app's change set; nothing executed it, so it is deleted.
    assert!(out.contains("matbakh-dev-app (confirmed by a change set) — change set matbakh-"), "{out}");
    assert!(!out.contains("executing"), "{out}");
    assert_eq!(stacks(&client).await, before, "no stack touched");
    assert_eq!(change_sets(&client).await, change_sets_before, "no change set left behind");
    assert_eq!(physical_ids(&client, "matbakh-dev-network").await, network_before);
    let lambda = aws_sdk_lambda::Client::new(&config);
    let function = lambda.get_function_configuration().function_name("matbakh-dev-vc-start").send().await.unwrap();
    assert_eq!(function.memory_size(), Some(1024));
}

/// Real behaviour: another team's stack starts importing the `PublicSubnetIds` export after
/// the plan was made, which nobody imported then. The saved plan is not stale (none of
/// its stacks changed), so apply executes the network change set; CloudFormation refuses
/// to change the export now in use and rolls the update back. Apply reports the reason
/// and UPDATE_ROLLBACK_COMPLETE, starts none of the dependent stacks and deletes their
/// change sets.
#[tokio::test(flavor = "multi_thread")]
async fn an_export_imported_after_the_plan_rolls_the_update_back_and_stops_its_dependents() {
    let (moto, dir) = Moto::with_dev_applied();
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    let before = physical_ids(&client, "matbakh-dev-network").await;

    edit(
        dir.path(),
        "    - { cidr: 10.0.2.0/24, availability_zone: eu-central-1b }",
        "    - { cidr: 10.0.3.0/24, availability_zone: eu-central-1b }",
    );
    edit(dir.path(), "      memory_mb: 1024", "      memory_mb: 2048");
    let plan_file = dir.path().join("plan.json");
    let plan_arg = plan_file.to_str().unwrap();
    let planned = moto.cli(&["plan", "--env", "dev", "--out", plan_arg], dir.path());
    assert_eq!(planned.status.code(), Some(2), "nobody imports PublicSubnetIds yet: {}", text(&planned));
    let kept = prepared(&plan_file);
    let names: Vec<&str> = kept.keys().map(String::as_str).collect();
    assert_eq!(names, ["matbakh-dev-app", "matbakh-dev-network"]);

    let importer = serde_json::json!({"Resources": {"PublicSubnets": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Type": "String", "Value": {"Fn::ImportValue": "matbakh-dev-network-PublicSubnetIds"}}}}});
    common::local_aws::create_stack(&client, "reports-team", &importer.to_string()).await;

    let applied = moto.cli(&["apply", "--env", "dev", "--yes", "--plan", plan_arg], dir.path());
    let out = text(&applied);
    assert_eq!(applied.status.code(), Some(4), "{out}");
    assert!(
        out.contains("Cannot update export matbakh-dev-network-PublicSubnetIds as it is in use by reports-team"),
        "{out}"
    );
    assert!(out.contains("UPDATE_ROLLBACK_COMPLETE"), "{out}");
    for blocked in ["data", "cache", "app", "auth", "api", "edge", "observability", "datalake"] {
        let name = format!("matbakh-dev-{blocked}");
        assert!(out.contains(&format!("{name:<28} not started")), "{name} not started:\n{out}");
    }
    let status = statuses(&client).await;
    assert_eq!(status["matbakh-dev-network"], "UPDATE_ROLLBACK_COMPLETE");
    assert_eq!(status["matbakh-dev-app"], "CREATE_COMPLETE");
    assert_eq!(physical_ids(&client, "matbakh-dev-network").await, before, "rolled back to what it was");
    // The network's change set was executed and failed; app's was not, and is deleted.
    let network_cs = change_set_state(&client, &kept["matbakh-dev-network"]).await;
    assert_eq!(network_cs, Some(("CREATE_COMPLETE".to_owned(), "EXECUTE_FAILED".to_owned())));
    assert_eq!(change_set_state(&client, &kept["matbakh-dev-app"]).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_applied_as_planned_and_refused_once_stale() {
    let moto = Moto::start();
    let dir = workspace();
    let client = Client::new(&moto.sdk_config().await);
    let plan_file = dir.path().join("plan.json");
    let plan_arg = plan_file.to_str().unwrap();
    let planned = moto.cli(&["plan", "--env", "dev", "--out", plan_arg], dir.path());
    assert_eq!(planned.status.code(), Some(2), "{}", text(&planned));

    // The plan prepared the stacks that import nothing (the others are deferred to their
    // turn in apply): their CREATE change sets are kept, which leaves each of those
    // stacks in review, with no resources.
    let kept = prepared(&plan_file);
    let names: Vec<&str> = kept.keys().map(String::as_str).collect();
    assert_eq!(names, ["matbakh-dev-bootstrap", "matbakh-dev-network", "matbakh-dev-security"]);
    assert_eq!(available_change_sets(&client).await, kept);
    for (name, (status, _)) in stacks(&client).await {
        assert_eq!(status, "REVIEW_IN_PROGRESS", "{name}");
        assert!(kept.contains_key(&name), "{name}");
        let resources = client.list_stack_resources().stack_name(&name).send().await.unwrap();
        assert!(resources.stack_resource_summaries().is_empty(), "{name}: nothing created");
    }

    // The saved plan, confirmed, network only: network's change set from the plan is
    // executed; events as JSON lines.
    let args = ["apply", "--env", "dev", "--yes", "--plan", plan_arg, "--stack", "network", "--output", "json"];
    let applied = moto.cli(&args, dir.path());
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let events = json_events(&applied);
    let kinds: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"change_set") && kinds.contains(&"resource") && kinds.contains(&"succeeded"), "{kinds:?}");
    assert!(!kinds.contains(&"warning"), "{kinds:?}");
    assert!(events.iter().all(|e| e["stack"].is_string() && e["time"].is_string()));
    let executing: Vec<&str> =
        events.iter().filter(|e| e["event"] == "executing").map(|e| e["stack"].as_str().unwrap()).collect();
    assert_eq!(executing, ["matbakh-dev-network"]);
    let succeeded = events.iter().find(|e| e["event"] == "succeeded").unwrap();
    assert_eq!(succeeded["stack"], "matbakh-dev-network");
    let network_cs = change_set_state(&client, &kept["matbakh-dev-network"]).await;
    assert_eq!(network_cs, Some(("CREATE_COMPLETE".to_owned(), "EXECUTE_COMPLETE".to_owned())));
    assert_eq!(statuses(&client).await["matbakh-dev-network"], "CREATE_COMPLETE");
    // Out of this apply's scope: nothing will execute them, so they are deleted.
    assert_eq!(change_set_state(&client, &kept["matbakh-dev-bootstrap"]).await, None);
    assert_eq!(change_set_state(&client, &kept["matbakh-dev-security"]).await, None);

    // The plan said network did not exist; now it does: stale.
    let stale = moto.cli(&["apply", "--env", "dev", "--yes", "--plan", plan_arg], dir.path());
    let out = text(&stale);
    assert_eq!(stale.status.code(), Some(1), "{out}");
    assert!(
        out.contains("stale plan, run plan again") && out.contains("matbakh-dev-network: created since the plan"),
        "{out}"
    );

    // A changed template makes a fresh plan stale too, and its change sets are deleted.
    let fresh = moto.cli(&["plan", "--env", "dev", "--out", plan_arg], dir.path());
    assert_eq!(fresh.status.code(), Some(2), "{}", text(&fresh));
    let kept = prepared(&plan_file);
    let names: Vec<&str> = kept.keys().map(String::as_str).collect();
    assert_eq!(names, ["matbakh-dev-bootstrap", "matbakh-dev-security"]);
    assert_eq!(available_change_sets(&client).await, kept);
    let before = stacks(&client).await;
    edit(dir.path(), "bastion_ssh_cidrs: []", "bastion_ssh_cidrs: [203.0.113.0/24]");
    let changed = moto.cli(&["apply", "--env", "dev", "--yes", "--plan", plan_arg], dir.path());
    let out = text(&changed);
    assert_eq!(changed.status.code(), Some(1), "{out}");
    assert!(out.contains("stale plan, run plan again"), "{out}");
    assert!(out.contains("matbakh-dev-network: the code changed since the plan (template hash differs)"), "{out}");
    assert_eq!(available_change_sets(&client).await, BTreeMap::new(), "a stale plan's change sets are deleted");
    // Nothing executed; the empty stacks its CREATE change sets made in review go with them.
    let deployed: BTreeMap<_, _> =
        before.into_iter().filter(|(_, (status, _))| status != "REVIEW_IN_PROGRESS").collect();
    assert_eq!(stacks(&client).await, deployed, "nothing executed");
}

/// An apply refused for want of a confirmation changes nothing — and a saved plan's
/// change sets stay (its owner can still run `apply --plan FILE --yes`, as the refusal
/// says), so the plan is as executable afterwards as before.
#[tokio::test(flavor = "multi_thread")]
async fn an_unconfirmed_apply_of_a_saved_plan_changes_nothing_and_keeps_it_executable() {
    let moto = Moto::start();
    let dir = workspace();
    let client = Client::new(&moto.sdk_config().await);
    let plan_file = dir.path().join("plan.json");
    let plan_arg = plan_file.to_str().unwrap();
    let planned = moto.cli(&["plan", "--env", "dev", "--out", plan_arg], dir.path());
    assert_eq!(planned.status.code(), Some(2), "{}", text(&planned));
    let kept = prepared(&plan_file);
    assert_eq!(available_change_sets(&client).await, kept);
    let before = stacks(&client).await;

    // Without --yes and without a terminal: refused before anything is created.
    let unconfirmed = moto.cli(&["apply", "--env", "dev", "--plan", plan_arg, "--stack", "network"], dir.path());
    let out = text(&unconfirmed);
    assert_eq!(unconfirmed.status.code(), Some(1), "{out}");
    assert!(
        out.contains("apply changes 1 stack(s) and needs a confirmation: run it in a terminal, or pass --yes"),
        "{out}"
    );
    assert_eq!(stacks(&client).await, before, "nothing created");
    assert_eq!(available_change_sets(&client).await, kept, "the saved plan's change sets stay");

    let args = ["apply", "--env", "dev", "--yes", "--plan", plan_arg, "--stack", "network"];
    let again = moto.cli(&args, dir.path());
    let out = text(&again);
    assert_eq!(again.status.code(), Some(0), "{out}");
    assert_eq!(
        change_set_state(&client, &kept["matbakh-dev-network"]).await,
        Some(("CREATE_COMPLETE".to_owned(), "EXECUTE_COMPLETE".to_owned()))
    );
    assert_eq!(stacks(&client).await["matbakh-dev-network"].0, "CREATE_COMPLETE");
}

/// `plan --out FILE` keeps the change set of the changed stack; `apply --plan FILE`
/// executes exactly that change set (the ARN in the file; apply makes none of its own);
/// a second `apply --plan FILE` is refused as stale and changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_executes_exactly_its_change_set_and_only_once() {
    let (moto, dir) = Moto::with_dev_applied();
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    edit(dir.path(), "      memory_mb: 1024", "      memory_mb: 2048");
    let plan_file = dir.path().join("plan.json");
    let plan_arg = plan_file.to_str().unwrap();
    let planned = moto.cli(&["plan", "--env", "dev", "--out", plan_arg], dir.path());
    let out = text(&planned);
    assert_eq!(planned.status.code(), Some(2), "{out}");
    assert!(out.contains(&format!("its 1 change set(s) are kept for `apply --plan {plan_arg}`")), "{out}");
    let kept = prepared(&plan_file);
    let names: Vec<&str> = kept.keys().map(String::as_str).collect();
    assert_eq!(names, ["matbakh-dev-app"]);
    let arn = &kept["matbakh-dev-app"];
    assert_eq!(available_change_sets(&client).await, kept, "kept in the account, ready to execute");
    assert_eq!(change_set_state(&client, arn).await, Some(("CREATE_COMPLETE".to_owned(), "AVAILABLE".to_owned())));
    let before = stacks(&client).await;
    let sets_before: BTreeSet<String> = change_sets(&client).await.into_keys().collect();

    let applied = moto.cli(&["apply", "--env", "dev", "--yes", "--plan", plan_arg, "--output", "json"], dir.path());
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let events = json_events(&applied);
    let executing: Vec<&str> =
        events.iter().filter(|e| e["event"] == "executing").map(|e| e["stack"].as_str().unwrap()).collect();
    assert_eq!(executing, ["matbakh-dev-app"], "{events:#?}");
    let change_set = events.iter().find(|e| e["event"] == "change_set").unwrap();
    assert_eq!((change_set["stack"].as_str(), change_set["kind"].as_str()), (Some("matbakh-dev-app"), Some("update")));
    // That very change set was executed, and apply made no other.
    assert_eq!(
        change_set_state(&client, arn).await,
        Some(("CREATE_COMPLETE".to_owned(), "EXECUTE_COMPLETE".to_owned()))
    );
    // (Executing a change set deletes the stack's other change sets, the ones executed
    // before included.)
    let sets_after: BTreeSet<String> = change_sets(&client).await.into_keys().collect();
    assert!(sets_after.contains(arn.as_str()), "{sets_after:?}");
    let made: Vec<&String> = sets_after.difference(&sets_before).collect();
    assert!(made.is_empty(), "no change set made by apply: {made:?}");
    let after = stacks(&client).await;
    for (name, state) in &before {
        if name == "matbakh-dev-app" {
            assert_eq!(after[name].0, "UPDATE_COMPLETE");
            assert_ne!(after[name].1, state.1, "LastUpdatedTime moves");
        } else {
            assert_eq!(&after[name], state, "{name} untouched");
        }
    }
    let lambda = aws_sdk_lambda::Client::new(&config);
    let function = lambda.get_function_configuration().function_name("matbakh-dev-vc-start").send().await.unwrap();
    assert_eq!(function.memory_size(), Some(2048));

    // Once executed, the saved plan is stale: refused, nothing changes.
    let again = moto.cli(&["apply", "--env", "dev", "--yes", "--plan", plan_arg], dir.path());
    let out = text(&again);
    assert_eq!(again.status.code(), Some(1), "{out}");
    assert!(out.contains("stale plan, run plan again"), "{out}");
    assert!(out.contains("matbakh-dev-app: updated since the plan (LastUpdatedTime "), "{out}");
    assert!(
        out.contains("matbakh-dev-app: its change set is CREATE_COMPLETE / EXECUTE_COMPLETE, not executable"),
        "{out}"
    );
    assert!(!out.contains("executing"), "{out}");
    assert_eq!(stacks(&client).await, after, "nothing executed");
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
    // The same outcome as without faults: every stack created, no fault surfaces.
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("10 succeeded, 0 failed, 0 not started; 11 change set(s) executed"), "{text}");
    assert!(!text.contains("Throttling") && !text.contains("HTTP 503") && !text.contains("SlowDown"), "{text}");

    // Nothing created twice.
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    let all = stacks(&client).await;
    assert_eq!(all.len(), 11, "{all:?}");
    assert!(all.values().all(|(status, _)| status == "CREATE_COMPLETE"), "each stack created once: {all:?}");
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let vpcs = ec2.describe_vpcs().send().await.unwrap();
    let ours = vpcs.vpcs().iter().filter(|v| v.tags().iter().any(|t| t.value() == Some("matbakh-dev-vpc"))).count();
    assert_eq!(ours, 1, "one VPC");
    let rendered = render_env("dev", Format::Json);
    let keys_in_template: usize = rendered
        .stacks
        .iter()
        .map(|s| {
            let template: serde_json::Value = serde_json::from_str(&s.body).unwrap();
            template["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == "AWS::KMS::Key").count()
        })
        .sum();
    // ListKeys also lists the AWS managed keys services create (aws/secretsmanager…).
    let kms = aws_sdk_kms::Client::new(&config);
    let mut customer_keys = 0;
    for key in kms.list_keys().send().await.unwrap().keys() {
        let described = kms.describe_key().key_id(key.key_id().unwrap()).send().await.unwrap();
        customer_keys += usize::from(described.key_metadata().unwrap().key_manager().unwrap().as_str() == "CUSTOMER");
    }
    assert_eq!(customer_keys, keys_in_template, "each key created once");
    let mut expected: Vec<String> = rendered.assets.iter().map(|a| a.s3_key.clone()).collect();
    expected.sort();
    assert_eq!(bucket_keys(&moto, "assets/").await, expected, "each asset once");
}

#[test]
fn an_unreachable_endpoint_is_an_error_before_any_change_with_exit_status_1() {
    let o = common::run_against_unreachable_endpoint(&["apply", "--env", "dev", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Connection refused") && err.contains("check the endpoint"), "{err}");
}

/// Real behaviour: HeadObject answers a bare 403 (no body, so no error code) when the
/// credentials lack s3:GetObject or the bucket policy denies the request; apply says
/// "access denied" and what to check, not "the endpoint may not implement this".
#[tokio::test(flavor = "multi_thread")]
async fn a_denied_artifact_lookup_says_access_denied() {
    use matbakh_infra::aws::artifacts::{ArtifactStore, S3Artifacts};
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    let bucket = "matbakh-dev-assets-123456789012-eu-central-1";
    s3.create_bucket()
        .bucket(bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuCentral1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": format!("arn:aws:s3:::{bucket}/*")
    }]});
    s3.put_bucket_policy().bucket(bucket).policy(policy.to_string()).send().await.unwrap();
    let err = S3Artifacts::new(&config).exists(bucket, "assets/0.zip").await.unwrap_err().to_string();
    assert!(err.contains("HeadObject: AccessDenied: access denied to s3://"), "{err}");
    assert!(err.contains("s3:GetObject") && err.contains("bucket policy"), "{err}");
}
