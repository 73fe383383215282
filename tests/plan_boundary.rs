//! `plan` at the CloudFormation-client boundary, for behaviour the local AWS cannot
//! show. Responses are built with the SDK's own output types in the shapes the AWS API
//! reference documents, and converted by the same functions the real client uses.
//! Each test names the real behaviour it stands for.

mod common;
#[path = "support/read_recorder.rs"]
mod read_recorder;

use std::collections::BTreeMap;
use std::sync::Mutex;

use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeSource, ChangeType, EvaluationType, Replacement, RequiresRecreation,
    ResourceAttribute, ResourceChange, ResourceChangeDetail, ResourceTargetDefinition,
};
use common::render_env;
use matbakh_infra::aws::AwsError;
use matbakh_infra::aws::artifacts::ArtifactStore;
use matbakh_infra::aws::cloudformation::{
    ChangeSet, ChangeSetApi, ChangeSetKind, ChangeSetRequest, LiveStack, StackEvent, StackReadApi, StackResource,
    change_set,
};
use matbakh_infra::aws::services::names::NameProbe;
use matbakh_infra::cli::plan_exit_status;
use matbakh_infra::diff::impact::Impact;
use matbakh_infra::live::ReadStep;
use matbakh_infra::plan::model::Evidence;
use matbakh_infra::plan::{PlanOptions, PlanStatus, Preparation, discard, make_plan};
use matbakh_infra::synth::{Format, Rendered};

/// A CloudFormation account held in memory.
#[derive(Default)]
struct FakeCfn {
    stacks: BTreeMap<String, (LiveStack, String)>,
    /// What DescribeChangeSet answers, per stack name.
    change_sets: BTreeMap<String, DescribeChangeSetOutput>,
    create_fails_with: Option<AwsError>,
    created: Mutex<Vec<ChangeSetRequest>>,
    deleted: Mutex<Vec<String>>,
    calls: Mutex<Vec<String>>,
}

fn live(name: &str, status: &str) -> LiveStack {
    LiveStack {
        name: name.into(),
        id: format!("arn:aws:cloudformation:eu-central-1:123456789012:stack/{name}/1"),
        status: status.into(),
        status_reason: None,
        last_updated: "2026-11-20T10:00:00Z".into(),
        parameters: BTreeMap::from([("AvailabilityZones".into(), "eu-central-1a,eu-central-1b,eu-central-1c".into())]),
        outputs: Vec::new(),
        tags: BTreeMap::new(),
        termination_protection: false,
    }
}

impl FakeCfn {
    /// Every stack of `rendered` deployed exactly as rendered.
    fn deployed(rendered: &Rendered) -> Self {
        let mut fake = FakeCfn::default();
        for s in &rendered.stacks {
            let mut stack = live(&s.name, "UPDATE_COMPLETE");
            // Deployed with the template's defaults, as DescribeStacks reports them (the
            // value given: for Systems Manager parameter types the parameter's name).
            stack.parameters = s.template["Parameters"]
                .as_object()
                .map(|declared| {
                    declared
                        .iter()
                        .filter_map(|(k, p)| p["Default"].as_str().map(|d| (k.clone(), d.to_owned())))
                        .collect()
                })
                .unwrap_or_default();
            fake.stacks.insert(s.name.clone(), (stack, s.body.clone()));
        }
        fake
    }

    fn log(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }
}

impl StackReadApi for FakeCfn {
    async fn describe_stack(&self, name: &str) -> Result<Option<LiveStack>, AwsError> {
        self.log(format!("DescribeStacks {name}"));
        Ok(self.stacks.get(name).map(|(s, _)| s.clone()))
    }

    async fn get_template(&self, name: &str) -> Result<String, AwsError> {
        self.log(format!("GetTemplate {name}"));
        Ok(self.stacks[name].1.clone())
    }

    async fn list_resources(&self, _: &str) -> Result<Vec<StackResource>, AwsError> {
        Ok(Vec::new())
    }

    async fn recent_events(&self, _: &str) -> Result<Vec<StackEvent>, AwsError> {
        Ok(Vec::new())
    }

    async fn get_stack_policy(&self, _: &str) -> Result<Option<String>, AwsError> {
        Ok(None)
    }

    async fn list_imports(&self, export_name: &str) -> Result<Vec<String>, AwsError> {
        self.log(format!("ListImports {export_name}"));
        Ok(Vec::new())
    }
}

impl ChangeSetApi for FakeCfn {
    async fn create_change_set(&self, request: ChangeSetRequest) -> Result<String, AwsError> {
        self.log(format!("CreateChangeSet {}", request.stack_name));
        if let Some(AwsError::Unsupported { operation, detail }) = &self.create_fails_with {
            return Err(AwsError::Unsupported { operation, detail: detail.clone() });
        }
        let id = format!("arn:aws:cloudformation:eu-central-1:123456789012:changeSet/{}/x", request.change_set_name);
        self.created.lock().unwrap().push(request);
        Ok(id)
    }

    async fn describe_change_set(&self, id: &str) -> Result<ChangeSet, AwsError> {
        self.log(format!("DescribeChangeSet {id}"));
        let created = self.created.lock().unwrap();
        let request = created.iter().find(|r| id.contains(&r.change_set_name)).expect("known change set");
        Ok(change_set(&self.change_sets[&request.stack_name]))
    }

    async fn delete_change_set(&self, id: &str) -> Result<(), AwsError> {
        self.log(format!("DeleteChangeSet {id}"));
        self.deleted.lock().unwrap().push(id.to_owned());
        Ok(())
    }

    async fn delete_review_stack(&self, stack_name: &str) -> Result<(), AwsError> {
        self.log(format!("DeleteStack {stack_name}"));
        Ok(())
    }

    async fn execute_change_set(&self, id: &str, _: &str) -> Result<(), AwsError> {
        panic!("plan must never execute a change set ({id})")
    }
}

/// No bootstrap stack is planned here, so the plan never uploads: stacks with assets
/// are deferred, the ones under test are not.
struct NoBucket;

impl ArtifactStore for NoBucket {
    async fn exists(&self, _: &str, key: &str) -> Result<bool, AwsError> {
        panic!("plan without a bucket read {key}")
    }

    async fn put(&self, _: &str, key: &str, _: Vec<u8>) -> Result<(), AwsError> {
        panic!("plan without a bucket uploaded {key}")
    }
}

// Every name a create would use is free: this account has nothing outside its stacks.
impl NameProbe for FakeCfn {
    async fn is_taken(&self, _: &str, _: &str) -> Result<Option<bool>, AwsError> {
        Ok(Some(false))
    }
}

fn options() -> PlanOptions {
    PlanOptions { run_id: "test1".into(), ..PlanOptions::default() }
}

/// dev rendered, and dev rendered with the first database subnet moved.
fn dev_and_changed() -> (Rendered, Rendered) {
    let deployed = render_env("dev", Format::Json);
    let mut env = common::load_env("dev");
    env.network.database_subnets[0].cidr = "10.0.30.0/24".into();
    let changed = matbakh_infra::synth::render(
        &matbakh_infra::constructs::build(&env, &common::repo_root()).unwrap(),
        Format::Json,
    )
    .unwrap();
    (deployed, changed)
}

/// DescribeChangeSet for a subnet move, as AWS documents it: the subnet is Modify with
/// Replacement True (CidrBlock: RequiresRecreation Always, Evaluation Static); the
/// association that references it is Modify with Replacement Conditional (SubnetId:
/// Always, Evaluation Dynamic, ChangeSource ResourceReference, CausingEntity the subnet).
fn subnet_move_answer() -> DescribeChangeSetOutput {
    let detail = ResourceChangeDetail::builder()
        .target(
            ResourceTargetDefinition::builder()
                .attribute(ResourceAttribute::Properties)
                .name("CidrBlock")
                .requires_recreation(RequiresRecreation::Always)
                .before_value("10.0.20.0/24")
                .after_value("10.0.30.0/24")
                .build(),
        )
        .evaluation(EvaluationType::Static)
        .change_source(ChangeSource::DirectModification)
        .build();
    let change = ResourceChange::builder()
        .action(ChangeAction::Modify)
        .logical_resource_id("DatabaseSubnet1")
        .physical_resource_id("subnet-0abc")
        .resource_type("AWS::EC2::Subnet")
        .replacement(Replacement::True)
        .scope(ResourceAttribute::Properties)
        .details(detail)
        .build();
    let reference = ResourceChangeDetail::builder()
        .target(
            ResourceTargetDefinition::builder()
                .attribute(ResourceAttribute::Properties)
                .name("SubnetId")
                .requires_recreation(RequiresRecreation::Always)
                .build(),
        )
        .evaluation(EvaluationType::Dynamic)
        .change_source(ChangeSource::ResourceReference)
        .causing_entity("DatabaseSubnet1")
        .build();
    let association = ResourceChange::builder()
        .action(ChangeAction::Modify)
        .logical_resource_id("DatabaseSubnet1RouteTableAssociation")
        .physical_resource_id("rtbassoc-0abc")
        .resource_type("AWS::EC2::SubnetRouteTableAssociation")
        .replacement(Replacement::Conditional)
        .scope(ResourceAttribute::Properties)
        .details(reference)
        .build();
    DescribeChangeSetOutput::builder()
        .change_set_id("arn:aws:cloudformation:eu-central-1:123456789012:changeSet/x/1")
        .stack_name("matbakh-dev-network")
        .status(ChangeSetStatus::CreateComplete)
        .changes(Change::builder().r#type(ChangeType::Resource).resource_change(change).build())
        .changes(Change::builder().r#type(ChangeType::Resource).resource_change(association).build())
        .build()
}

// Real behaviour: a deployed environment identical to the code plans as no changes,
// exit status 0, and costs exactly one DescribeStacks and one GetTemplate per stack.
#[tokio::test]
async fn an_unchanged_environment_has_no_changes_and_exit_status_0() {
    let rendered = render_env("dev", Format::Json);
    let fake = FakeCfn::deployed(&rendered);
    let plan = make_plan(&fake, &NoBucket, &fake, &rendered, None, &options()).await.unwrap();
    assert!(plan.stacks.iter().all(|s| s.status == PlanStatus::NoChanges), "{:#?}", plan.stacks);
    assert_eq!(plan_exit_status(&plan), 0);
    let calls = fake.calls.lock().unwrap();
    assert_eq!(calls.len(), 2 * rendered.stacks.len(), "{calls:?}");
    assert!(fake.created.lock().unwrap().is_empty(), "no change set for stacks without changes");
}

// Real behaviour: CloudFormation computes a change set for the changed stack only;
// plan creates it as an UPDATE with a unique name and reads its verdict; the plan keeps
// it (apply executes it) until `discard` deletes it.
#[tokio::test]
async fn change_sets_confirm_replacements_and_are_kept_until_discarded() {
    let (deployed, changed) = dev_and_changed();
    let mut fake = FakeCfn::deployed(&deployed);
    fake.change_sets.insert("matbakh-dev-network".into(), subnet_move_answer());
    let plan = make_plan(&fake, &NoBucket, &fake, &changed, None, &options()).await.unwrap();
    let network = plan.stacks.iter().find(|s| s.id == "network").unwrap();
    assert_eq!(network.status, PlanStatus::Changes);
    assert_eq!(network.evidence, Evidence::ChangeSet);
    let subnet = network.changes.resource("DatabaseSubnet1").unwrap();
    assert_eq!(subnet.impact, Impact::WillReplace);
    assert_eq!(plan_exit_status(&plan), 2);
    let created = fake.created.lock().unwrap().clone();
    assert_eq!(created.len(), 1, "only the changed stack gets a change set");
    assert_eq!(created[0].change_set_type, ChangeSetKind::Update);
    assert!(created[0].change_set_name.starts_with("matbakh-test1-"));
    let Some(Preparation::Prepared { id, kind, .. }) = &network.change_set else { panic!("{:?}", network.change_set) };
    assert_eq!(*kind, ChangeSetKind::Update);
    assert!(fake.deleted.lock().unwrap().is_empty(), "kept for apply");
    assert!(discard(&fake, &plan, Default::default()).await.is_empty());
    assert_eq!(
        *fake.deleted.lock().unwrap(),
        std::slice::from_ref(id),
        "discard deletes exactly the plan's change set"
    );
    // The association references the replaced subnet: Always + Dynamic → may replace.
    let assoc = network.changes.resource("DatabaseSubnet1RouteTableAssociation").unwrap();
    assert_eq!(assoc.impact, Impact::MayReplace, "{assoc:?}");
    assert!(assoc.properties[0].reason.as_deref().unwrap().contains("ResourceReference DatabaseSubnet1"));
}

// Real behaviour: when the only differences are ones CloudFormation does not act on,
// CreateChangeSet ends FAILED with "The submitted information didn't contain changes".
#[tokio::test]
async fn an_empty_change_set_means_no_changes() {
    let (deployed, changed) = dev_and_changed();
    let mut fake = FakeCfn::deployed(&deployed);
    fake.change_sets.insert(
        "matbakh-dev-network".into(),
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::Failed)
            .status_reason("The submitted information didn't contain changes. Submit different information to create a change set.")
            .build(),
    );
    let plan = make_plan(&fake, &NoBucket, &fake, &changed, None, &options()).await.unwrap();
    assert_eq!(plan.stacks.iter().find(|s| s.id == "network").unwrap().status, PlanStatus::NoChanges);
    assert_eq!(plan_exit_status(&plan), 0);
    assert_eq!(fake.deleted.lock().unwrap().len(), 1, "a failed change set is deleted too");
}

// Real behaviour: an endpoint without the change-set API (or one that refuses it) does
// not fail the plan; the template diff is used and the plan says so.
#[tokio::test]
async fn without_change_sets_the_template_diff_is_used_and_said() {
    let (deployed, changed) = dev_and_changed();
    let mut fake = FakeCfn::deployed(&deployed);
    fake.create_fails_with = Some(AwsError::Unsupported { operation: "CreateChangeSet", detail: "HTTP 500".into() });
    let plan = make_plan(&fake, &NoBucket, &fake, &changed, None, &options()).await.unwrap();
    let network = plan.stacks.iter().find(|s| s.id == "network").unwrap();
    assert_eq!(network.evidence, Evidence::TemplateDiff);
    let Some(Preparation::Deferred { reason }) = &network.change_set else { panic!("{:?}", network.change_set) };
    assert!(reason.contains("could not prepare its change set now"), "{reason}");
    assert_eq!(network.changes.resource("DatabaseSubnet1").unwrap().impact, Impact::WillReplace);
}

// Real behaviour: a stack whose first create failed sits in ROLLBACK_COMPLETE and can
// only be deleted; one with a failed rollback needs ContinueUpdateRollback.
#[tokio::test]
async fn stacks_that_cannot_be_updated_are_blocked_with_the_command_to_recover() {
    let rendered = render_env("dev", Format::Json);
    let mut fake = FakeCfn::deployed(&rendered);
    fake.stacks.get_mut("matbakh-dev-data").unwrap().0.status = "ROLLBACK_COMPLETE".into();
    fake.stacks.get_mut("matbakh-dev-cache").unwrap().0.status = "UPDATE_ROLLBACK_FAILED".into();
    fake.stacks.get_mut("matbakh-dev-app").unwrap().0.status = "UPDATE_IN_PROGRESS".into();
    let plan = make_plan(&fake, &NoBucket, &fake, &rendered, None, &options()).await.unwrap();
    let remedy = |id: &str| plan.stacks.iter().find(|s| s.id == id).unwrap().remedy.clone().unwrap();
    assert!(remedy("data").contains("delete-stack --stack-name matbakh-dev-data"));
    assert!(remedy("cache").contains("continue-update-rollback --stack-name matbakh-dev-cache"));
    assert!(remedy("app").contains("wait"));
    assert_eq!(plan_exit_status(&plan), 1, "a blocked stack is an error");
    let failing: Vec<&str> = plan.will_fail.iter().map(|w| w.stack.as_str()).collect();
    assert_eq!(failing, ["matbakh-dev-data", "matbakh-dev-cache", "matbakh-dev-app"], "named in the will-fail section");
}

// Real behaviour: a stack created by CreateChangeSet(CREATE) but never executed is in
// REVIEW_IN_PROGRESS with no template; it is still to be created.
#[tokio::test]
async fn a_stack_in_review_is_still_to_be_created() {
    let rendered = render_env("dev", Format::Json);
    let mut fake = FakeCfn::deployed(&rendered);
    fake.stacks.get_mut("matbakh-dev-edge").unwrap().0.status = "REVIEW_IN_PROGRESS".into();
    let plan = make_plan(&fake, &NoBucket, &fake, &rendered, None, &options()).await.unwrap();
    assert_eq!(plan.stacks.iter().find(|s| s.id == "edge").unwrap().status, PlanStatus::ToCreate);
}

// Plan reads every stack at once and then waits on CloudFormation's change sets; on a
// terminal the user sees both counted (stacks read, change sets prepared), and the
// line goes away before the plan is printed.
#[tokio::test]
async fn the_progress_observer_counts_stacks_read_and_change_sets_prepared() {
    let (deployed, changed) = dev_and_changed();
    let mut fake = FakeCfn::deployed(&deployed);
    fake.change_sets.insert("matbakh-dev-network".into(), subnet_move_answer());
    let recorder = std::sync::Arc::new(read_recorder::ReadRecorder::default());
    let options = PlanOptions { progress: recorder.clone(), ..options() };
    let plan = make_plan(&fake, &NoBucket, &fake, &changed, None, &options).await.unwrap();
    let stacks = changed.stacks.len();
    assert_eq!(recorder.counted(ReadStep::StacksRead), Some((stacks, stacks)));
    assert_eq!(recorder.counted(ReadStep::ChangeSetsPrepared), Some((1, 1)));
    assert_eq!(plan.prepared().count(), 1);
    assert!(recorder.finished_last(), "{:?}", recorder.told.lock().unwrap());
}
