//! `apply` at the CloudFormation-client boundary, for what the local AWS cannot show:
//! failures and rollbacks with their stack events, refused replacements, the stack
//! policy lift-and-restore, termination protection, throttling. The fake keeps stacks
//! in memory and answers with the SDK's own output types (`Stack`, `StackEvent`,
//! `DescribeChangeSetOutput`) in the shapes the AWS API reference documents, converted
//! by the same functions the real client uses. Each test names the real behaviour it
//! stands for. Runs on tokio's paused clock: polling and backoff cost no real time.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeType, Output, Replacement, ResourceChange, ResourceStatus, Stack,
    StackEvent as SdkEvent, StackStatus,
};
use common::render_env;
use matbakh_infra::apply::progress::{ApplyEvent, Recorder};
use matbakh_infra::apply::{ApplyOptions, Deployed, StackOutcome, apply};
use matbakh_infra::aws::AwsError;
use matbakh_infra::aws::artifacts::ArtifactStore;
use matbakh_infra::aws::cloudformation::{
    ChangeSet, ChangeSetKind, ChangeSetRequest, CloudFormationApi, LiveStack, TemplateSource, change_set, live_stack,
};
use matbakh_infra::aws::stack_deploy::{StackDeployApi, StackEvent, stack_event};
use matbakh_infra::constructs::bootstrap;
use matbakh_infra::synth::{Format, Rendered, RenderedStack, render_stack};

/// How an execution ends.
#[derive(Clone)]
enum Outcome {
    Succeeds,
    /// The resource that fails first, its reason, and the resources cancelled after it.
    Fails { resource: (&'static str, &'static str), reason: &'static str, cancelled: Vec<(&'static str, &'static str)> },
    /// The update fails and so does its rollback.
    RollbackFails { resource: (&'static str, &'static str), reason: &'static str },
}

struct FakeStack {
    status: StackStatus,
    body: String,
    events: Vec<SdkEvent>,
    termination_protection: bool,
    policy: Option<String>,
    updated: u32,
}

#[derive(Default)]
struct FakeCfn {
    stacks: Mutex<BTreeMap<String, FakeStack>>,
    change_sets: Mutex<BTreeMap<String, (ChangeSetRequest, DescribeChangeSetOutput)>>,
    /// Per stack name: the change set's resource changes (default: every resource added
    /// on create, one modified on update).
    scripted_changes: BTreeMap<String, Vec<ResourceChange>>,
    outcomes: BTreeMap<String, Outcome>,
    /// Every n-th call answers `Throttling: Rate exceeded` (0: never).
    throttle_every: usize,
    calls: AtomicUsize,
    throttled: AtomicUsize,
    executed: Mutex<Vec<(String, String)>>,
    deleted_change_sets: Mutex<Vec<String>>,
    policies_set: Mutex<Vec<(String, String)>>,
    protection_set: Mutex<Vec<String>>,
    event_seq: AtomicUsize,
    /// The artifacts bucket CloudFormation reads template URLs from.
    store: FakeStore,
}

fn time(n: usize) -> DateTime {
    DateTime::from_secs(1_795_000_000 + n as i64)
}

impl FakeCfn {
    fn gate(&self) -> Result<(), AwsError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.throttle_every > 0 && n % self.throttle_every == 0 {
            self.throttled.fetch_add(1, Ordering::SeqCst);
            return Err(AwsError::Service {
                operation: "CloudFormation",
                code: "Throttling".into(),
                message: "Rate exceeded".into(),
            });
        }
        Ok(())
    }

    /// Every stack of `rendered` deployed exactly as rendered.
    fn deployed(rendered: &Rendered) -> Self {
        let fake = FakeCfn::default();
        for s in &rendered.stacks {
            fake.put(&s.name, StackStatus::UpdateComplete, &s.body);
        }
        fake
    }

    fn put(&self, name: &str, status: StackStatus, body: &str) {
        self.stacks.lock().unwrap().insert(
            name.into(),
            FakeStack {
                status,
                body: body.into(),
                events: Vec::new(),
                termination_protection: false,
                policy: None,
                updated: 0,
            },
        );
    }

    fn event(&self, stack: &str, logical: &str, kind: &str, status: ResourceStatus, reason: Option<&str>) -> SdkEvent {
        let n = self.event_seq.fetch_add(1, Ordering::SeqCst);
        SdkEvent::builder()
            .stack_id(format!("arn:aws:cloudformation:eu-central-1:123456789012:stack/{stack}/1"))
            .event_id(format!("{logical}-{n}"))
            .stack_name(stack)
            .logical_resource_id(logical)
            .physical_resource_id(format!("{logical}-physical"))
            .resource_type(kind)
            .timestamp(time(n))
            .resource_status(status)
            .set_resource_status_reason(reason.map(str::to_owned))
            .build()
    }

    /// The template a change set request names: inline, or an object of the bucket (as
    /// CloudFormation reads a TemplateURL).
    fn body_of(&self, source: &TemplateSource) -> String {
        match source {
            TemplateSource::Body(body) => body.clone(),
            TemplateSource::Url(url) => {
                let key = url.split_once(".amazonaws.com/").expect("an S3 object URL").1;
                let objects = self.store.objects.lock().unwrap();
                String::from_utf8(objects.get(key).expect("uploaded before use").clone()).unwrap()
            }
        }
    }

    fn executions(&self) -> Vec<String> {
        self.executed.lock().unwrap().iter().map(|(stack, _)| stack.clone()).collect()
    }
}

impl CloudFormationApi for FakeCfn {
    async fn describe_stack(&self, name: &str) -> Result<Option<LiveStack>, AwsError> {
        self.gate()?;
        let stacks = self.stacks.lock().unwrap();
        Ok(stacks.get(name).map(|s| {
            live_stack(
                &Stack::builder()
                    .stack_name(name)
                    .stack_id(format!("arn:aws:cloudformation:eu-central-1:123456789012:stack/{name}/1"))
                    .stack_status(s.status.clone())
                    .creation_time(time(0))
                    .set_last_updated_time((s.updated > 0).then(|| time(1000 + s.updated as usize)))
                    .enable_termination_protection(s.termination_protection)
                    .outputs(
                        Output::builder()
                            .output_key(bootstrap::BUCKET_OUTPUT)
                            .output_value("matbakh-dev-assets-123456789012-eu-central-1")
                            .build(),
                    )
                    .build(),
            )
        }))
    }

    async fn get_template(&self, name: &str) -> Result<String, AwsError> {
        self.gate()?;
        Ok(self.stacks.lock().unwrap().get(name).map(|s| s.body.clone()).unwrap_or_default())
    }

    async fn create_change_set(&self, request: ChangeSetRequest) -> Result<String, AwsError> {
        self.gate()?;
        let id = format!("arn:aws:cloudformation:eu-central-1:123456789012:changeSet/{}/1", request.change_set_name);
        let mut change_sets = self.change_sets.lock().unwrap();
        if change_sets.contains_key(&id) {
            // A retried CreateChangeSet with the same ClientToken returns the same change set.
            assert_eq!(Some(&request.client_token), change_sets.get(&id).map(|c| &c.0.client_token));
            return Ok(id);
        }
        let body = &self.body_of(&request.template);
        let current = self.stacks.lock().unwrap().get(&request.stack_name).map(|s| s.body.clone());
        let out = if current.as_deref() == Some(body.as_str()) {
            // What CloudFormation answers for a change set without changes.
            DescribeChangeSetOutput::builder()
                .change_set_id(&id)
                .status(ChangeSetStatus::Failed)
                .status_reason("The submitted information didn't contain changes. Submit different information to create a change set.")
                .build()
        } else {
            let changes = self.scripted_changes.get(&request.stack_name).cloned().unwrap_or_else(|| {
                let action =
                    if request.change_set_type == ChangeSetKind::Create { ChangeAction::Add } else { ChangeAction::Modify };
                vec![ResourceChange::builder().action(action).logical_resource_id("Something").resource_type("AWS::SSM::Parameter").build()]
            });
            DescribeChangeSetOutput::builder()
                .change_set_id(&id)
                .status(ChangeSetStatus::CreateComplete)
                .set_changes(Some(
                    changes.into_iter().map(|rc| Change::builder().r#type(ChangeType::Resource).resource_change(rc).build()).collect(),
                ))
                .build()
        };
        if request.change_set_type == ChangeSetKind::Create {
            // CREATE change sets make the stack exist in REVIEW_IN_PROGRESS.
            self.stacks.lock().unwrap().entry(request.stack_name.clone()).or_insert(FakeStack {
                status: StackStatus::ReviewInProgress,
                body: String::new(),
                events: Vec::new(),
                termination_protection: false,
                policy: None,
                updated: 0,
            });
        }
        change_sets.insert(id.clone(), (request, out));
        Ok(id)
    }

    async fn describe_change_set(&self, id: &str) -> Result<ChangeSet, AwsError> {
        self.gate()?;
        Ok(change_set(&self.change_sets.lock().unwrap()[id].1))
    }

    async fn delete_change_set(&self, id: &str) -> Result<(), AwsError> {
        self.gate()?;
        self.deleted_change_sets.lock().unwrap().push(id.to_owned());
        Ok(())
    }
}

impl StackDeployApi for FakeCfn {
    async fn execute_change_set(&self, id: &str, token: &str) -> Result<(), AwsError> {
        self.gate()?;
        let request = self.change_sets.lock().unwrap()[id].0.clone();
        let name = request.stack_name.clone();
        {
            let mut executed = self.executed.lock().unwrap();
            if executed.iter().any(|(_, t)| t == token) {
                return Ok(()); // the same ClientRequestToken: the operation already runs
            }
            executed.push((name.clone(), token.to_owned()));
        }
        let create = request.change_set_type == ChangeSetKind::Create;
        let body = self.body_of(&request.template);
        let mut events = vec![self.event(
            &name,
            &name,
            "AWS::CloudFormation::Stack",
            if create { ResourceStatus::CreateInProgress } else { ResourceStatus::UpdateInProgress },
            Some("User Initiated"),
        )];
        let status = match self.outcomes.get(&name).cloned().unwrap_or(Outcome::Succeeds) {
            Outcome::Succeeds => {
                events.push(self.event(&name, "Something", "AWS::SSM::Parameter", ResourceStatus::CreateComplete, None));
                if create { StackStatus::CreateComplete } else { StackStatus::UpdateComplete }
            }
            Outcome::Fails { resource, reason, cancelled } => {
                let failed = if create { ResourceStatus::CreateFailed } else { ResourceStatus::UpdateFailed };
                events.push(self.event(&name, resource.0, resource.1, failed.clone(), Some(reason)));
                for (logical, kind) in &cancelled {
                    let why = if create { "Resource creation cancelled" } else { "Resource update cancelled" };
                    events.push(self.event(&name, logical, kind, failed.clone(), Some(why)));
                }
                let summary = format!("The following resource(s) failed to {}: [{}].", if create { "create" } else { "update" }, resource.0);
                let rollback =
                    if create { ResourceStatus::RollbackInProgress } else { ResourceStatus::UpdateRollbackInProgress };
                events.push(self.event(&name, &name, "AWS::CloudFormation::Stack", rollback, Some(&summary)));
                if create { StackStatus::RollbackComplete } else { StackStatus::UpdateRollbackComplete }
            }
            Outcome::RollbackFails { resource, reason } => {
                events.push(self.event(&name, resource.0, resource.1, ResourceStatus::UpdateFailed, Some(reason)));
                StackStatus::UpdateRollbackFailed
            }
        };
        let mut stacks = self.stacks.lock().unwrap();
        let stack = stacks.get_mut(&name).expect("executed stacks exist");
        stack.status = status.clone();
        stack.events.extend(events);
        if matches!(status, StackStatus::CreateComplete | StackStatus::UpdateComplete) {
            stack.body = body;
        }
        stack.updated += 1;
        Ok(())
    }

    async fn recent_events(&self, stack_name: &str) -> Result<Vec<StackEvent>, AwsError> {
        self.gate()?;
        let stacks = self.stacks.lock().unwrap();
        Ok(stacks.get(stack_name).map(|s| s.events.iter().rev().map(stack_event).collect()).unwrap_or_default())
    }

    async fn get_stack_policy(&self, stack_name: &str) -> Result<Option<String>, AwsError> {
        self.gate()?;
        Ok(self.stacks.lock().unwrap().get(stack_name).and_then(|s| s.policy.clone()))
    }

    async fn set_stack_policy(&self, stack_name: &str, body: &str) -> Result<(), AwsError> {
        self.gate()?;
        self.policies_set.lock().unwrap().push((stack_name.to_owned(), body.to_owned()));
        if let Some(s) = self.stacks.lock().unwrap().get_mut(stack_name) {
            s.policy = Some(body.to_owned());
        }
        Ok(())
    }

    async fn set_termination_protection(&self, stack_name: &str, enabled: bool) -> Result<(), AwsError> {
        self.gate()?;
        self.protection_set.lock().unwrap().push(stack_name.to_owned());
        if let Some(s) = self.stacks.lock().unwrap().get_mut(stack_name) {
            s.termination_protection = enabled;
        }
        Ok(())
    }
}

/// An artifacts bucket in memory.
#[derive(Default)]
struct FakeStore {
    objects: Mutex<BTreeMap<String, Vec<u8>>>,
    puts: AtomicUsize,
}

impl ArtifactStore for FakeStore {
    async fn exists(&self, _bucket: &str, key: &str) -> Result<bool, AwsError> {
        Ok(self.objects.lock().unwrap().contains_key(key))
    }
    async fn put(&self, _bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), AwsError> {
        self.puts.fetch_add(1, Ordering::SeqCst);
        self.objects.lock().unwrap().insert(key.to_owned(), bytes);
        Ok(())
    }
}

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
    for (before, after) in [("network", "data"), ("security", "data"), ("data", "app"), ("cache", "app"), ("app", "auth"), ("auth", "api"), ("api", "edge"), ("app", "observability"), ("data", "datalake")] {
        assert!(pos(before) < pos(after), "{before} before {after}: {executed:?}");
    }
    let uploaded: Vec<String> = fake.store.objects.lock().unwrap().keys().cloned().collect();
    let large = rendered.stacks.iter().filter(|s| s.body.len() > 51_200).count();
    assert_eq!(fake.store.puts.load(Ordering::SeqCst), rendered.assets.len() + large, "every asset and large template uploaded once: {uploaded:?}");
    assert!(large >= 1, "dev has templates over the inline limit, deployed through TemplateURL");
    let kinds: Vec<ChangeSetKind> = fake.change_sets.lock().unwrap().values().map(|c| c.0.change_set_type).collect();
    assert!(kinds.iter().all(|k| *k == ChangeSetKind::Create));
    for (request, _) in fake.change_sets.lock().unwrap().values() {
        assert!(request.client_token.is_some(), "every change set carries a client token");
        if request.stack_name.ends_with("-network") {
            assert!(request.parameters.iter().any(|(k, v)| k == "AvailabilityZones" && v.contains("eu-central-1a")), "parameters passed explicitly");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn an_unchanged_environment_executes_nothing_and_uploads_nothing() {
    // Real behaviour: CloudFormation answers FAILED "didn't contain changes" for an empty
    // change set; apply skips and deletes it.
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
    assert_eq!(fake.deleted_change_sets.lock().unwrap().len(), 11, "every empty change set deleted");
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
    assert!(failure.remedy.as_deref().unwrap().contains(&format!("aws cloudformation delete-stack --stack-name {data}")));
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
    let report = apply(&fake, &fake.store, &Recorder::default(), &rendered, &bootstrap, &ApplyOptions::new(BTreeSet::from(["network".into(), "security".into()]))).await;
    assert_eq!(report.exit_status(), 4);
    let StackOutcome::Failed(network) = report.stacks.outcome("network").unwrap() else { panic!() };
    assert!(network.remedy.as_deref().unwrap().contains("delete-stack"));
    let StackOutcome::Failed(security) = report.stacks.outcome("security").unwrap() else { panic!() };
    assert!(security.remedy.as_deref().unwrap().contains("continue-update-rollback"));
    assert!(fake.executions().is_empty(), "nothing executed on a blocked stack");
    assert!(fake.change_sets.lock().unwrap().is_empty(), "not even a change set");
}

#[tokio::test(start_paused = true)]
async fn a_failed_update_that_cannot_roll_back_says_how_to_recover() {
    // Real behaviour: UPDATE_ROLLBACK_FAILED after an update whose rollback failed too.
    let (rendered, bootstrap) = dev();
    let mut fake = FakeCfn::deployed(&rendered);
    let edge = name(&rendered, "edge");
    fake.put(&edge, StackStatus::UpdateComplete, "{\"Resources\": {}}");
    fake.outcomes.insert(edge.clone(), Outcome::RollbackFails { resource: ("WebAcl", "AWS::WAFv2::WebACL"), reason: "WAFUnavailableEntityException" });
    let report = apply(&fake, &fake.store, &Recorder::default(), &rendered, &bootstrap, &ApplyOptions::new(BTreeSet::from(["edge".into()]))).await;
    let StackOutcome::Failed(f) = report.stacks.outcome("edge").unwrap() else { panic!() };
    assert_eq!(f.resource.as_deref(), Some("WebAcl (AWS::WAFv2::WebACL)"));
    assert!(f.reason.contains("UPDATE_ROLLBACK_FAILED") && f.reason.contains("WAFUnavailableEntityException"), "{}", f.reason);
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
    assert!(f.reason.contains("refused to replace Database (AWS::RDS::DBInstance)"), "{}", f.reason);
    assert!(f.remedy.as_deref().unwrap().contains("--allow-replace Database"));
    assert!(fake.executions().is_empty(), "never executed");
    assert_eq!(fake.deleted_change_sets.lock().unwrap().len(), 1, "the refused change set is deleted");

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
        Outcome::Fails { resource: ("Database", "AWS::RDS::DBInstance"), reason: "DBInstanceAlreadyExists", cancelled: vec![] },
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
    assert_eq!(policies[0]["Statement"].as_array().unwrap().len(), 1, "the data stack's only stateful resource is lifted: no Deny left");
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
    let stacks = fake.stacks.lock().unwrap();
    let data_policy: serde_json::Value = serde_json::from_str(stacks[&name(&rendered, "data")].policy.as_ref().unwrap()).unwrap();
    let denied = data_policy["Statement"][1]["Resource"].as_array().unwrap();
    assert!(denied.contains(&"LogicalResourceId/Database".into()), "{data_policy}");
    assert_eq!(data_policy["Statement"][1]["Action"], serde_json::json!(["Update:Replace", "Update:Delete"]));
    assert!(stacks.values().all(|s| s.termination_protection));
    drop(stacks);
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
    let report = apply(&fake, &fake.store, &Recorder::default(), &rendered, &bootstrap, &ApplyOptions::new(all(&rendered))).await;
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
        vec![ResourceChange::builder().action(ChangeAction::Remove).logical_resource_id("OldKey").resource_type("AWS::KMS::Key").build()],
    );
    let options = ApplyOptions { allow_replace: BTreeSet::from(["OldKey".into()]), ..ApplyOptions::new(BTreeSet::from(["security".into()])) };
    let recorder = Recorder::default();
    let report = apply(&fake, &fake.store, &recorder, &rendered, &bootstrap, &options).await;
    assert_eq!(report.exit_status(), 3);
    assert!(events(&recorder).iter().any(|e| matches!(e, ApplyEvent::Warning { message, .. } if message.contains("OldKey") && message.contains("kept in the account"))));
}
