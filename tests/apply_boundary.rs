//! `apply` at the CloudFormation-client boundary, for what the local AWS cannot show or
//! not on demand: a failed rollback (UPDATE_ROLLBACK_FAILED and its recovery), exact
//! event sequences of failures, the stack-policy lift and restore around a failed update,
//! throttling on every third call. (Failures that roll back, refused exports,
//! termination protection and stack policies also run end to end on the local AWS:
//! tests/apply_local_aws.rs, tests/local_aws_cycle.rs.) The fake keeps stacks
//! in memory and answers with the SDK's own output types (`Stack`, `StackEvent`,
//! `DescribeChangeSetOutput`) in the shapes the AWS API reference documents, converted
//! by the same functions the real client uses. Each test names the real behaviour it
//! stands for. Runs on tokio's paused clock: polling and backoff cost no real time.

mod common;
#[path = "support/fake_cfn.rs"]
mod fake_cfn;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use aws_sdk_cloudformation::types::{ChangeAction, Replacement, ResourceChange, StackStatus};
use common::render_env;
use fake_cfn::{FakeCfn, Outcome, plan_and_apply as apply};
use matbakh_infra::apply::progress::{ApplyEvent, Recorder};
use matbakh_infra::apply::{ApplyOptions, Deployed, StackOutcome};
use matbakh_infra::aws::cloudformation::ChangeSetKind;
use matbakh_infra::constructs::bootstrap;
use matbakh_infra::synth::{Format, Rendered, RenderedStack, render_stack};

fn dev() -> (Rendered, RenderedStack) {
    let rendered = render_env("dev", Format::Json);
    let bootstrap = render_stack(&bootstrap::build(&common::load_env("dev")), Format::Json).0;
    (rendered, bootstrap)
}

fn all(rendered: &Rendered) -> BTreeSet<String> {
    rendered.stacks.iter().map(|s| s.id.clone()).collect()
}

fn name(rendered: &Rendered, id: &str) -> String {
    rendered.stack(id).unwrap().name.clone()
}

fn events(recorder: &Recorder) -> Vec<ApplyEvent> {
    recorder.events.lock().unwrap().clone()
}

#[tokio::test(start_paused = true)]
async fn a_new_environment_is_created_in_dependency_order_with_assets_uploaded_once() {
    // Real behaviour: CREATE change sets for stacks that do not exist, executed once each.
    let (rendered, bootstrap) = dev();
    let fake = FakeCfn::default();
    let recorder = Recorder::default();
    let report = apply(&fake, &fake.store, &recorder, &rendered, &bootstrap, &ApplyOptions::new(all(&rendered))).await;
    assert_eq!(report.exit_status(), 0);
    assert!(report.stacks.all_succeeded());
    let executed = fake.executions();
    assert_eq!(executed.len(), 11, "bootstrap + 10 stacks, each executed once: {executed:?}");
    assert_eq!(executed[0], bootstrap.name, "the bootstrap stack comes first");
    let pos = |id: &str| executed.iter().position(|s| *s == name(&rendered, id)).unwrap();
    for (before, after) in [
        ("network", "data"),
        ("security", "data"),
        ("data", "app"),
        ("cache", "app"),
        ("app", "auth"),
        ("auth", "api"),
        ("api", "edge"),
        ("app", "observability"),
        ("data", "datalake"),
    ] {
        assert!(pos(before) < pos(after), "{before} before {after}: {executed:?}");
    }
    let uploaded: Vec<String> = fake.store.objects.lock().unwrap().keys().cloned().collect();
    let large = rendered.stacks.iter().filter(|s| s.body.len() > 51_200).count();
    assert_eq!(
        fake.store.puts.load(Ordering::SeqCst),
        rendered.assets.len() + large,
        "every asset and large template uploaded once: {uploaded:?}"
    );
    assert!(large >= 1, "dev has templates over the inline limit, deployed through TemplateURL");
    let kinds: Vec<ChangeSetKind> = fake.change_sets.lock().unwrap().values().map(|c| c.0.change_set_type).collect();
    assert!(kinds.iter().all(|k| *k == ChangeSetKind::Create));
    for (request, _) in fake.change_sets.lock().unwrap().values() {
        assert!(request.client_token.is_some(), "every change set carries a client token");
        if request.stack_name.ends_with("-network") {
            assert!(
                request.parameters.iter().any(|(k, v)| k == "AvailabilityZones" && v.contains("eu-central-1a")),
                "parameters passed explicitly"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn an_unchanged_environment_executes_nothing_and_uploads_nothing() {
    // Real behaviour: DescribeStacks and GetTemplate show every stack as the code renders
    // it; no change set is made, nothing executed or uploaded.
    let (rendered, bootstrap) = dev();
    let fake = FakeCfn::deployed(&rendered);
    fake.put(&bootstrap.name, StackStatus::CreateComplete, &bootstrap.body);
    for asset in &rendered.assets {
        fake.store.objects.lock().unwrap().insert(asset.s3_key.clone(), asset.bytes.clone());
    }
    for large in rendered.stacks.iter().filter(|s| s.body.len() > 51_200) {
        let key = format!("templates/{}.json", large.sha256);
        fake.store.objects.lock().unwrap().insert(key, large.body.clone().into_bytes());
    }
    let recorder = Recorder::default();
    let report = apply(&fake, &fake.store, &recorder, &rendered, &bootstrap, &ApplyOptions::new(all(&rendered))).await;
    assert_eq!(report.exit_status(), 0);
    assert!(fake.executions().is_empty());
    assert_eq!(report.executed(), 0);
    assert_eq!(fake.store.puts.load(Ordering::SeqCst), 0);
    assert!(fake.change_sets.lock().unwrap().is_empty(), "no change set for stacks the plan finds unchanged");
    assert!(report.stacks.results.iter().all(|(_, o)| *o == StackOutcome::Succeeded(Deployed::NoChanges)));
}

#[tokio::test(start_paused = true)]
async fn a_failed_create_reports_the_first_root_cause_and_blocks_only_its_dependents() {
    // Real behaviour: a failed first create rolls back to ROLLBACK_COMPLETE; the events
    // name the failing resource first, then "Resource creation cancelled" for the others.
    let (rendered, bootstrap) = dev();
    let data = name(&rendered, "data");
    let mut fake = FakeCfn::default();
    fake.outcomes.insert(
        data.clone(),
        Outcome::Fails {
            resource: ("DbParameterGroup", "AWS::RDS::DBParameterGroup"),
            reason: "Invalid / Unsupported DB Parameter: rds.force_ssl_typo",
            cancelled: vec![("Database", "AWS::RDS::DBInstance"), ("DbSubnetGroup", "AWS::RDS::DBSubnetGroup")],
        },
    );
    let recorder = Recorder::default();
    let report = apply(&fake, &fake.store, &recorder, &rendered, &bootstrap, &ApplyOptions::new(all(&rendered))).await;
    assert_eq!(report.exit_status(), 4);
    let StackOutcome::Failed(failure) = report.stacks.outcome("data").unwrap() else { panic!("data fails") };
    assert_eq!(failure.resource.as_deref(), Some("DbParameterGroup (AWS::RDS::DBParameterGroup)"));
    assert!(failure.reason.contains("rds.force_ssl_typo"), "{}", failure.reason);
    assert!(failure.reason.contains("ROLLBACK_COMPLETE"));
    assert!(!failure.reason.contains("cancelled"), "the cascade is not the cause: {}", failure.reason);
    assert!(
        failure.remedy.as_deref().unwrap().contains(&format!("aws cloudformation delete-stack --stack-name {data}"))
    );
    // Dependents of data never start; the others run to the end.
    for id in ["app", "auth", "api", "edge", "observability", "datalake"] {
        assert!(report.stacks.outcome(id).unwrap().is_not_started(), "{id}");
    }
    for id in ["network", "security", "cache"] {
        assert!(report.stacks.outcome(id).unwrap().is_succeeded(), "{id}");
    }
    let s = report.stacks.summary();
    assert_eq!((s.succeeded, s.failed, s.not_started), (3, 1, 6));
    assert!(events(&recorder).iter().any(|e| matches!(e, ApplyEvent::NotStarted { stack, blocked_by } if stack.ends_with("-app") && blocked_by == &vec![data.clone()])));
}

#[tokio::test(start_paused = true)]
async fn a_stack_left_in_rollback_complete_is_not_touched_and_gets_the_recovery_command() {
    // Real behaviour: a stack whose first create failed stays in ROLLBACK_COMPLETE and can
    // only be deleted; UPDATE_ROLLBACK_FAILED needs ContinueUpdateRollback.
    let (rendered, bootstrap) = dev();
    let fake = FakeCfn::deployed(&rendered);
    fake.put(&name(&rendered, "network"), StackStatus::RollbackComplete, "{}");
    fake.put(&name(&rendered, "security"), StackStatus::UpdateRollbackFailed, "{}");
    let report = apply(
        &fake,
        &fake.store,
        &Recorder::default(),
        &rendered,
        &bootstrap,
        &ApplyOptions::new(BTreeSet::from(["network".into(), "security".into()])),
    )
    .await;
    assert_eq!(report.exit_status(), 4);
    let StackOutcome::Failed(network) = report.stacks.outcome("network").unwrap() else { panic!() };
    assert!(network.remedy.as_deref().unwrap().contains("delete-stack"));
    let StackOutcome::Failed(security) = report.stacks.outcome("security").unwrap() else { panic!() };
    assert!(security.remedy.as_deref().unwrap().contains("continue-update-rollback"));
    assert!(fake.executions().is_empty(), "nothing executed on a blocked stack");
    let made: Vec<String> = fake.change_sets.lock().unwrap().values().map(|c| c.0.stack_name.clone()).collect();
    assert!(
        !made.contains(&name(&rendered, "network")) && !made.contains(&name(&rendered, "security")),
        "not even a change set for a blocked stack: {made:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_update_that_cannot_roll_back_says_how_to_recover() {
    // Real behaviour: UPDATE_ROLLBACK_FAILED after an update whose rollback failed too.
    let (rendered, bootstrap) = dev();
    let mut fake = FakeCfn::deployed(&rendered);
    let edge = name(&rendered, "edge");
    fake.put(&edge, StackStatus::UpdateComplete, "{\"Resources\": {}}");
    fake.outcomes.insert(
        edge.clone(),
        Outcome::RollbackFails { resource: ("WebAcl", "AWS::WAFv2::WebACL"), reason: "WAFUnavailableEntityException" },
    );
    let report = apply(
        &fake,
        &fake.store,
        &Recorder::default(),
        &rendered,
        &bootstrap,
        &ApplyOptions::new(BTreeSet::from(["edge".into()])),
    )
    .await;
    let StackOutcome::Failed(f) = report.stacks.outcome("edge").unwrap() else { panic!() };
    assert_eq!(f.resource.as_deref(), Some("WebAcl (AWS::WAFv2::WebACL)"));
    assert!(
        f.reason.contains("UPDATE_ROLLBACK_FAILED") && f.reason.contains("WAFUnavailableEntityException"),
        "{}",
        f.reason
    );
    assert!(f.remedy.as_deref().unwrap().contains(&format!("continue-update-rollback --stack-name {edge}")));
}

fn replacing(logical: &str, kind: &str) -> Vec<ResourceChange> {
    vec![
        ResourceChange::builder()
            .action(ChangeAction::Modify)
            .logical_resource_id(logical)
            .physical_resource_id(format!("{logical}-physical"))
            .resource_type(kind)
            .replacement(Replacement::True)
            .build(),
    ]
}

#[tokio::test(start_paused = true)]
async fn replacing_a_stateful_resource_is_refused_unless_named() {
    // Real behaviour: a change set whose ResourceChange has Replacement True for an RDS
    // instance; executing it would create a new, empty database.
    let (rendered, bootstrap) = dev();
    let data = name(&rendered, "data");
    let mut fake = FakeCfn::deployed(&rendered);
    fake.put(&data, StackStatus::UpdateComplete, "{\"Resources\": {}}");
    fake.scripted_changes.insert(data.clone(), replacing("Database", "AWS::RDS::DBInstance"));
    let options = ApplyOptions::new(BTreeSet::from(["data".into()]));
    let report = apply(&fake, &fake.store, &Recorder::default(), &rendered, &bootstrap, &options).await;
    let StackOutcome::Failed(f) = report.stacks.outcome("data").unwrap() else { panic!() };
    assert!(f.reason.contains("replace Database in matbakh-dev-data (AWS::RDS::DBInstance)"), "{}", f.reason);
    assert!(f.remedy.as_deref().unwrap().contains("--allow-replace Database"));
    assert!(fake.executions().is_empty(), "never executed");
    let deleted = fake.deleted_change_sets.lock().unwrap().clone();
    assert!(deleted.iter().any(|id| id.ends_with("-data/1")), "the refused change set is deleted: {deleted:?}");

    // Named: it runs.
    let options = ApplyOptions { allow_replace: BTreeSet::from(["Database".into()]), ..options };
    let report = apply(&fake, &fake.store, &Recorder::default(), &rendered, &bootstrap, &options).await;
    assert!(report.stacks.outcome("data").unwrap().is_succeeded());
    assert_eq!(fake.executions(), [data]);
}

#[tokio::test(start_paused = true)]
async fn the_stack_policy_is_lifted_for_named_resources_and_restored_even_when_the_update_fails() {
    // Real behaviour: a stack policy denying Update:Replace on Database makes CloudFormation
    // fail the update; apply sets a policy without that deny for the duration of the update
    // (SetStackPolicy) and restores the full policy afterwards, also after a rollback.
    let (rendered, bootstrap) = dev();
    let data = name(&rendered, "data");
    let mut fake = FakeCfn::deployed(&rendered);
    fake.put(&data, StackStatus::UpdateComplete, "{\"Resources\": {}}");
    fake.scripted_changes.insert(data.clone(), replacing("Database", "AWS::RDS::DBInstance"));
    fake.outcomes.insert(
        data.clone(),
        Outcome::Fails {
            resource: ("Database", "AWS::RDS::DBInstance"),
            reason: "DBInstanceAlreadyExists",
            cancelled: vec![],
        },
    );
    let options = ApplyOptions {
        protect: true,
        allow_replace: BTreeSet::from(["Database".into()]),
        ..ApplyOptions::new(BTreeSet::from(["data".into()]))
    };
    let recorder = Recorder::default();
    let report = apply(&fake, &fake.store, &recorder, &rendered, &bootstrap, &options).await;
    assert!(report.stacks.outcome("data").unwrap().is_failed());
    let policies: Vec<serde_json::Value> = fake
        .policies_set
        .lock()
        .unwrap()
        .iter()
        .filter(|(s, _)| *s == data)
        .map(|(_, p)| serde_json::from_str(p).unwrap())
        .collect();
    assert_eq!(policies.len(), 2, "lifted, then restored: {policies:?}");
    let denied = |p: &serde_json::Value| p["Statement"][1]["Resource"].as_array().cloned().unwrap_or_default();
    assert!(!denied(&policies[0]).contains(&"LogicalResourceId/Database".into()), "lifted for Database");
    assert_eq!(
        denied(&policies[0]),
        vec![serde_json::Value::from("LogicalResourceId/BackupVault")],
        "only Database is lifted: the data stack's other stateful resource, the backup vault, stays protected"
    );
    assert!(denied(&policies[1]).contains(&"LogicalResourceId/Database".into()), "restored after the failure");
    let text: Vec<String> = events(&recorder).iter().map(|e| e.describe()).collect();
    assert!(text.iter().any(|t| t.contains("stack policy lifted for Database")));
    assert!(text.iter().any(|t| t == "stack policy restored"));
}

#[tokio::test(start_paused = true)]
async fn protected_stacks_get_termination_protection_and_a_stack_policy_on_create() {
    // Real behaviour: UpdateTerminationProtection and SetStackPolicy after the first create.
    let (rendered, bootstrap) = dev();
    let fake = FakeCfn::default();
    let options = ApplyOptions { protect: true, ..ApplyOptions::new(all(&rendered)) };
    let report = apply(&fake, &fake.store, &Recorder::default(), &rendered, &bootstrap, &options).await;
    assert_eq!(report.exit_status(), 0);
    let protected = fake.protection_set.lock().unwrap().clone();
    assert_eq!(protected.len(), 11, "every stack, bootstrap included: {protected:?}");
    {
        let stacks = fake.stacks.lock().unwrap();
        let data_policy: serde_json::Value =
            serde_json::from_str(stacks[&name(&rendered, "data")].policy.as_ref().unwrap()).unwrap();
        let denied = data_policy["Statement"][1]["Resource"].as_array().unwrap();
        assert!(denied.contains(&"LogicalResourceId/Database".into()), "{data_policy}");
        assert_eq!(data_policy["Statement"][1]["Action"], serde_json::json!(["Update:Replace", "Update:Delete"]));
        assert!(stacks.values().all(|s| s.termination_protection));
    }
    // A second run (a new run id) with nothing to change sets nothing again.
    let before = fake.policies_set.lock().unwrap().len();
    let options = ApplyOptions { protect: true, ..ApplyOptions::new(all(&rendered)) };
    let report = apply(&fake, &fake.store, &Recorder::default(), &rendered, &bootstrap, &options).await;
    assert_eq!(report.exit_status(), 0);
    assert_eq!(fake.policies_set.lock().unwrap().len(), before);
    assert_eq!(fake.protection_set.lock().unwrap().len(), 11);
}

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_and_never_fails_an_apply_whose_stacks_succeed() {
    // Real behaviour: `Throttling: Rate exceeded` (HTTP 400) on any call when many stacks
    // are polled at once; every third call here.
    let (rendered, bootstrap) = dev();
    let fake = FakeCfn { throttle_every: 3, ..FakeCfn::default() };
    let report =
        apply(&fake, &fake.store, &Recorder::default(), &rendered, &bootstrap, &ApplyOptions::new(all(&rendered)))
            .await;
    assert_eq!(report.exit_status(), 0, "{:?}", report.stacks.results);
    assert!(fake.throttled.load(Ordering::SeqCst) > 20, "throttling happened");
    let executed = fake.executions();
    let unique: BTreeSet<&String> = executed.iter().collect();
    assert_eq!(executed.len(), 11);
    assert_eq!(unique.len(), 11, "no stack executed twice");
}

#[tokio::test(start_paused = true)]
async fn removing_a_retained_resource_succeeds_with_a_warning_and_exit_status_3() {
    // Real behaviour: an update that removes a resource with DeletionPolicy Retain leaves
    // it in the account (DELETE_SKIPPED) — the stack succeeds, the user should know.
    let (rendered, bootstrap) = dev();
    let security = name(&rendered, "security");
    let mut fake = FakeCfn::deployed(&rendered);
    let live = r#"{"Resources": {"OldKey": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {}}}}"#;
    fake.put(&security, StackStatus::UpdateComplete, live);
    fake.scripted_changes.insert(
        security.clone(),
        vec![
            ResourceChange::builder()
                .action(ChangeAction::Remove)
                .logical_resource_id("OldKey")
                .resource_type("AWS::KMS::Key")
                .build(),
        ],
    );
    let options = ApplyOptions {
        allow_replace: BTreeSet::from(["OldKey".into()]),
        ..ApplyOptions::new(BTreeSet::from(["security".into()]))
    };
    let recorder = Recorder::default();
    let report = apply(&fake, &fake.store, &recorder, &rendered, &bootstrap, &options).await;
    assert_eq!(report.exit_status(), 3);
    assert!(events(&recorder).iter().any(|e| matches!(e, ApplyEvent::Warning { message, .. } if message.contains("OldKey") && message.contains("kept in the account"))));
}

/// Copies a folder tree (the example code, so a test may edit a handler).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// JSON paths whose values differ between two documents.
fn differences(a: &serde_json::Value, b: &serde_json::Value, path: String, out: &mut Vec<String>) {
    match (a, b) {
        (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = serde_json::Value::Null;
                differences(x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null), format!("{path}/{k}"), out);
            }
        }
        _ if a != b => out.push(path),
        _ => {}
    }
}

#[tokio::test(start_paused = true)]
async fn a_changed_handler_updates_only_the_app_stack_and_only_that_functions_code_key() {
    // Real behaviour: CloudFormation finds nothing to change in the nine other stacks
    // (empty change sets) and updates one function's code from its new S3 key.
    let base = tempfile::tempdir().unwrap();
    copy_tree(&common::repo_root().join("examples"), &base.path().join("examples"));
    let env = common::load_env("dev");
    let render = || {
        let assembly = matbakh_infra::constructs::build(&env, base.path()).unwrap();
        matbakh_infra::synth::render(&assembly, Format::Json).unwrap()
    };
    let before = render();
    let bootstrap = render_stack(&bootstrap::build(&env), Format::Json).0;
    let fake = FakeCfn::deployed(&before);
    fake.put(&bootstrap.name, StackStatus::CreateComplete, &bootstrap.body);
    for asset in &before.assets {
        fake.store.objects.lock().unwrap().insert(asset.s3_key.clone(), asset.bytes.clone());
    }

    let handler = base.path().join("examples/functions/admin-overview/index.js");
    let code = std::fs::read_to_string(&handler).unwrap();
    std::fs::write(&handler, format!("{code}\n// a changed handler\n")).unwrap();
    let after = render();

    let report =
        apply(&fake, &fake.store, &Recorder::default(), &after, &bootstrap, &ApplyOptions::new(all(&after))).await;
    assert_eq!(report.exit_status(), 0);
    assert_eq!(fake.executions(), [name(&after, "app")], "only the app stack is updated");
    let objects: Vec<String> = fake.store.objects.lock().unwrap().keys().cloned().collect();
    let new_assets: Vec<&String> =
        objects.iter().filter(|k| k.starts_with("assets/") && !before.assets.iter().any(|a| a.s3_key == **k)).collect();
    assert_eq!(new_assets.len(), 1, "one new asset: {new_assets:?}");

    let parse = |r: &Rendered| serde_json::from_str::<serde_json::Value>(&r.stack("app").unwrap().body).unwrap();
    let mut changed = Vec::new();
    differences(&parse(&before), &parse(&after), String::new(), &mut changed);
    // The code key, and the function's published version (named by its code hash) that
    // its live alias points at: nothing of any other function.
    assert!(changed.contains(&"/Resources/AdminOverviewFunction/Properties/Code/S3Key".to_owned()), "{changed:?}");
    assert!(changed.iter().all(|p| p.starts_with("/Resources/AdminOverview")), "{changed:?}");
    let keys = |r: &Rendered| r.stack("app").unwrap().body.matches("\"S3Key\"").count();
    assert_eq!(keys(&before), keys(&after));
}
