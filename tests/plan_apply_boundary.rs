//! The plan is what apply executes (issue #12), at the CloudFormation-client boundary:
//! the in-memory account of tests/support/fake_cfn.rs answers with the SDK's own output
//! types in the shapes the AWS API reference documents. Each test names the real
//! behaviour it stands for. Runs on tokio's paused clock.

mod common;
#[path = "support/fake_cfn.rs"]
mod fake_cfn;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use aws_sdk_cloudformation::types::{ChangeAction, Replacement, ResourceChange, StackStatus};
use fake_cfn::{FakeCfn, plan_of};
use matbakh_infra::apply::progress::Recorder;
use matbakh_infra::apply::saved_plan::{SavedPlanError, check_target, parse_saved_plan, verify};
use matbakh_infra::apply::{ApplyOptions, StackOutcome, apply};
use matbakh_infra::constructs::bootstrap;
use matbakh_infra::plan::{Plan, Preparation};
use matbakh_infra::synth::{Format, Rendered, RenderedStack, render_stack};

fn dev() -> (Rendered, RenderedStack) {
    let rendered = common::render_env("dev", Format::Json);
    let bootstrap = render_stack(&bootstrap::build(&common::load_env("dev")), Format::Json).0;
    (rendered, bootstrap)
}

/// Dev deployed as rendered, bootstrap and assets included.
fn deployed(rendered: &Rendered, bootstrap: &RenderedStack) -> FakeCfn {
    let fake = FakeCfn::deployed(rendered);
    fake.put(&bootstrap.name, StackStatus::CreateComplete, &bootstrap.body);
    for asset in &rendered.assets {
        fake.store.objects.lock().unwrap().insert(asset.s3_key.clone(), asset.bytes.clone());
    }
    fake
}

/// The cache stack with one change (its description).
fn cache_changed(rendered: &Rendered) -> Rendered {
    let mut changed = rendered.clone();
    let cache = changed.stacks.iter_mut().find(|s| s.id == "cache").unwrap();
    cache.template["Description"] = serde_json::json!("matbakh dev: cache (changed)");
    cache.body = serde_json::to_string_pretty(&cache.template).unwrap();
    cache.sha256 = "changed".into();
    changed
}

fn options() -> ApplyOptions {
    ApplyOptions { run_id: "run1".into(), ..ApplyOptions::new(BTreeSet::new()) }
}

fn to_deploy(plan: &Plan) -> ApplyOptions {
    let deploy = plan.stacks.iter().filter(|s| s.change_set.is_some()).map(|s| s.id.clone()).collect();
    ApplyOptions { deploy, ..options() }
}

fn prepared_ids(plan: &Plan) -> Vec<String> {
    plan.prepared().map(|(_, id)| id.to_owned()).collect()
}

// Real behaviour: CreateChangeSet makes a change set that ExecuteChangeSet later runs by
// its ARN; nothing requires a second one. One changed stack costs one CreateChangeSet
// and one ExecuteChangeSet, and the change set executed is the one the plan showed.
#[tokio::test(start_paused = true)]
async fn interactive_apply_of_one_changed_stack_makes_and_executes_one_change_set() {
    let (rendered, bootstrap) = dev();
    let fake = deployed(&rendered, &bootstrap);
    let changed = cache_changed(&rendered);
    let plan = plan_of(&fake, &changed, &bootstrap, &options()).await;
    let shown = prepared_ids(&plan);
    assert_eq!(shown.len(), 1, "only cache has a change set: {:#?}", plan.stacks);
    let plan_calls = fake.calls.load(Ordering::SeqCst);
    let report = apply(&fake, &fake.store, &Recorder::default(), &changed, &bootstrap, &plan, &to_deploy(&plan)).await;
    assert_eq!(report.exit_status(), 0);
    assert_eq!(fake.change_sets_for("matbakh-dev-cache"), 1, "one CreateChangeSet for the changed stack");
    assert_eq!(fake.change_sets.lock().unwrap().len(), 1, "and none for any other stack");
    assert_eq!(fake.executions(), ["matbakh-dev-cache"]);
    assert_eq!(*fake.executed_change_sets.lock().unwrap(), shown, "the executed change set is the one shown");
    println!(
        "CloudFormation calls for one changed stack: plan {plan_calls}, plan + apply {}",
        fake.calls.load(Ordering::SeqCst)
    );
}

// Real behaviour: a change set kept after `plan --out` stays CREATE_COMPLETE/AVAILABLE
// until executed or deleted; `apply --plan` executes exactly those ARNs.
#[tokio::test(start_paused = true)]
async fn a_saved_plan_executes_exactly_the_change_sets_in_the_file() {
    let (rendered, bootstrap) = dev();
    let fake = deployed(&rendered, &bootstrap);
    let changed = cache_changed(&rendered);
    let file = plan_of(&fake, &changed, &bootstrap, &options()).await.to_json();
    let saved = parse_saved_plan(&file).unwrap();
    verify(&fake, &saved, &changed, &bootstrap, Default::default()).await.expect("fresh");
    let report =
        apply(&fake, &fake.store, &Recorder::default(), &changed, &bootstrap, &saved, &to_deploy(&saved)).await;
    assert_eq!(report.exit_status(), 0);
    assert_eq!(*fake.executed_change_sets.lock().unwrap(), prepared_ids(&saved));
    assert_eq!(fake.change_sets.lock().unwrap().len(), 1, "apply made no change set of its own");
    assert!(file.contains("\"format_version\": 2"));
}

// Real behaviour: a stack updated after the plan has a new LastUpdatedTime; its kept
// change set was computed against the old state. Refused, and nothing the plan made is
// left behind.
#[tokio::test(start_paused = true)]
async fn a_stack_changed_between_plan_and_apply_is_refused_and_the_kept_change_sets_deleted() {
    let (rendered, bootstrap) = dev();
    let fake = deployed(&rendered, &bootstrap);
    let changed = cache_changed(&rendered);
    let saved = parse_saved_plan(&plan_of(&fake, &changed, &bootstrap, &options()).await.to_json()).unwrap();
    fake.stacks.lock().unwrap().get_mut("matbakh-dev-cache").unwrap().updated += 1;
    let err = verify(&fake, &saved, &changed, &bootstrap, Default::default()).await.unwrap_err();
    let SavedPlanError::Stale { reasons } = &err else { panic!("{err}") };
    assert!(reasons.iter().any(|r| r.starts_with("matbakh-dev-cache: updated since the plan")), "{reasons:?}");
    assert!(err.to_string().starts_with("stale plan, run plan again"));
    assert_eq!(*fake.deleted_change_sets.lock().unwrap(), prepared_ids(&saved), "the kept change sets are deleted");
    assert!(fake.executions().is_empty(), "nothing executed");
}

/// Network exports a new value and data starts importing it (a new SSM parameter).
fn data_imports_a_new_export(rendered: &Rendered) -> Rendered {
    let mut changed = rendered.clone();
    let export = "matbakh-dev-network-NewValue";
    let edit = |changed: &mut Rendered, id: &str, f: &dyn Fn(&mut serde_json::Value)| {
        let stack = changed.stacks.iter_mut().find(|s| s.id == id).unwrap();
        f(&mut stack.template);
        stack.body = serde_json::to_string_pretty(&stack.template).unwrap();
        stack.sha256 = format!("{id}-changed");
    };
    edit(&mut changed, "network", &|t| {
        t["Outputs"]["NewValue"] = serde_json::json!({"Value": "v", "Export": {"Name": export}});
    });
    edit(&mut changed, "data", &|t| {
        t["Resources"]["NewParameter"] = serde_json::json!({"Type": "AWS::SSM::Parameter",
            "Properties": {"Type": "String", "Value": {"Fn::ImportValue": export}}});
    });
    let edge = changed.graph.edges.iter_mut().find(|e| e.producer == "network" && e.consumer == "data").unwrap();
    edge.exports.push(export.to_owned());
    changed
}

// Real behaviour: a stack that imports an export the stacks before it have not created
// yet cannot get a meaningful change set (CloudFormation resolves imports when it
// computes one); apply makes it when its turn comes, and the same safety rule decides
// before it executes — here its change set replaces the database.
#[tokio::test(start_paused = true)]
async fn a_deferred_stack_is_prepared_at_its_turn_and_held_to_the_safety_rule() {
    let (rendered, bootstrap) = dev();
    let mut fake = deployed(&rendered, &bootstrap);
    let replace_db = ResourceChange::builder()
        .action(ChangeAction::Modify)
        .logical_resource_id("Database")
        .resource_type("AWS::RDS::DBInstance")
        .replacement(Replacement::True)
        .build();
    fake.scripted_changes.insert("matbakh-dev-data".into(), vec![replace_db]);
    let changed = data_imports_a_new_export(&rendered);
    let plan = plan_of(&fake, &changed, &bootstrap, &options()).await;
    let data = plan.stacks.iter().find(|s| s.id == "data").unwrap();
    let Some(Preparation::Deferred { reason }) = &data.change_set else { panic!("{:?}", data.change_set) };
    assert!(reason.contains("imports matbakh-dev-network-NewValue"), "{reason}");
    assert_eq!(fake.change_sets_for("matbakh-dev-data"), 0, "not prepared by the plan");
    assert!(plan.danger.is_empty(), "nothing dangerous is known before data's change set exists");

    let report = apply(&fake, &fake.store, &Recorder::default(), &changed, &bootstrap, &plan, &to_deploy(&plan)).await;
    assert_eq!(fake.executions(), ["matbakh-dev-network"], "network first, then data refused");
    assert_eq!(fake.change_sets_for("matbakh-dev-data"), 1, "prepared at its turn");
    let StackOutcome::Failed(failure) = report.stacks.outcome("data").unwrap() else { panic!("data is refused") };
    assert!(failure.reason.contains("replace Database in matbakh-dev-data"), "{}", failure.reason);
    assert!(failure.remedy.as_deref().unwrap().contains("--allow-replace Database"));
    assert!(!failure.executed);
    assert!(fake.deleted_change_sets.lock().unwrap().iter().any(|id| id.contains("-data/")), "its change set deleted");
    for id in ["app", "datalake"] {
        assert!(report.stacks.outcome(id).unwrap().is_not_started(), "{id} waits for data");
    }
}

// Real behaviour: CreateStack/ExecuteChangeSet fails a secret whose name exists (also one
// scheduled for deletion: "You can't create a secret with the same name as a secret
// scheduled for deletion"), after the stacks before it deployed. A leftover of an earlier
// failed create, kept by DeletionPolicy Retain, is the usual cause. The plan says so
// first and apply refuses before any change.
#[tokio::test(start_paused = true)]
async fn a_name_a_create_would_collide_with_is_a_will_fail_entry() {
    let (rendered, bootstrap) = dev();
    let fake = FakeCfn { taken_names: vec!["matbakh-dev/external-api-keys".into()], ..FakeCfn::default() };
    let plan = plan_of(&fake, &rendered, &bootstrap, &options()).await;
    let failing: Vec<(&str, &str)> = plan.will_fail.iter().map(|w| (w.stack.as_str(), w.reason.as_str())).collect();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert_eq!(failing[0].0, "matbakh-dev-security");
    assert!(
        failing[0].1.contains("(AWS::SecretsManager::Secret) would be created as Name matbakh-dev/external-api-keys, which is already taken"),
        "{}",
        failing[0].1
    );
    assert!(plan.will_fail[0].remedy.contains("leftover"));
    assert_eq!(matbakh_infra::cli::plan_exit_status(&plan), 1);
}

// Real behaviour: CreateChangeSet of type CREATE makes the stack exist in
// REVIEW_IN_PROGRESS; deleting the change set does not delete that stack. A plan that is
// not kept leaves nothing behind: its change sets and the empty stacks they made go.
#[tokio::test(start_paused = true)]
async fn a_discarded_plan_leaves_no_change_set_and_no_stack_in_review() {
    let (rendered, bootstrap) = dev();
    let fake = FakeCfn::default();
    let plan = plan_of(&fake, &rendered, &bootstrap, &options()).await;
    let in_review = || -> Vec<String> {
        let stacks = fake.stacks.lock().unwrap();
        stacks.iter().filter(|(_, s)| s.status == StackStatus::ReviewInProgress).map(|(n, _)| n.clone()).collect()
    };
    assert_eq!(in_review(), ["matbakh-dev-bootstrap", "matbakh-dev-network", "matbakh-dev-security"]);
    assert!(matbakh_infra::plan::discard(&fake, &plan, Default::default()).await.is_empty());
    assert!(in_review().is_empty(), "{:?}", in_review());
    assert!(fake.stacks.lock().unwrap().is_empty(), "the account is as before the plan");
    assert_eq!(*fake.deleted_change_sets.lock().unwrap(), prepared_ids(&plan));
}

// Real behaviour: a stack a saved plan's CREATE change set left in review may have been
// created since (by another apply); deleting the stale plan's change sets must never
// delete it — only a stack still in review, with nothing in it, is removed.
#[tokio::test(start_paused = true)]
async fn a_stale_plan_never_deletes_a_stack_created_since() {
    let (rendered, bootstrap) = dev();
    let fake = FakeCfn::default();
    let saved = parse_saved_plan(&plan_of(&fake, &rendered, &bootstrap, &options()).await.to_json()).unwrap();
    fake.put("matbakh-dev-network", StackStatus::CreateComplete, &rendered.stack("network").unwrap().body);
    let err = verify(&fake, &saved, &rendered, &bootstrap, Default::default()).await.unwrap_err();
    assert!(err.to_string().contains("matbakh-dev-network: created since the plan"), "{err}");
    let stacks = fake.stacks.lock().unwrap();
    assert_eq!(stacks["matbakh-dev-network"].status, StackStatus::CreateComplete, "kept");
    assert!(!stacks.contains_key("matbakh-dev-security"), "the empty stack in review is removed");
}

// A saved plan's change sets live in the account and region it was made in: applied
// with credentials of another (the role of another environment, a second profile), it
// is refused before anything is read, and a plan that names no account is too.
#[tokio::test(start_paused = true)]
async fn a_saved_plan_applies_only_in_the_account_and_region_it_was_made_in() {
    let (rendered, bootstrap) = dev();
    let fake = deployed(&rendered, &bootstrap);
    let mut plan = plan_of(&fake, &cache_changed(&rendered), &bootstrap, &options()).await;
    plan.account = "123456789012".into();
    let saved = parse_saved_plan(&plan.to_json()).unwrap();
    assert_eq!(saved.account, "123456789012", "the account is saved");
    check_target(&saved, "123456789012", "eu-central-1").expect("the same account and region");
    for (account, region) in [("444455556666", "eu-central-1"), ("123456789012", "eu-west-1")] {
        let err = check_target(&saved, account, region).unwrap_err();
        assert!(matches!(err, SavedPlanError::OtherTarget { .. }));
        let text = err.to_string();
        assert!(
            text.contains("123456789012 / eu-central-1") && text.contains(&format!("{account} / {region}")),
            "{text}"
        );
    }
    let mut unrecorded = saved.clone();
    unrecorded.account.clear();
    assert!(check_target(&unrecorded, "123456789012", "eu-central-1").unwrap_err().to_string().contains("unrecorded"));
}
