//! A CloudFormation account and an artifacts bucket held in memory, for `apply` at the
//! client boundary (tests/apply_boundary.rs) and its latency benchmark. Answers with the
//! SDK's own output types (`Stack`, `StackEvent`, `DescribeChangeSetOutput`) in the
//! shapes the AWS API reference documents, converted by the same functions the real
//! client uses. Optional per-call latency makes it usable for timing.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::list_stack_resources::ListStackResourcesOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::StackResourceSummary;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeType, Output, Parameter, ResourceChange, ResourceStatus, Stack,
    StackEvent as SdkEvent, StackStatus,
};
use matbakh_infra::apply::progress::Progress;
use matbakh_infra::apply::{ApplyOptions, ApplyReport};
use matbakh_infra::aws::AwsError;
use matbakh_infra::aws::artifacts::ArtifactStore;
use matbakh_infra::aws::cloudformation::{
    ChangeSet, ChangeSetApi, ChangeSetKind, ChangeSetRequest, LiveStack, StackAdminApi, StackEvent, StackReadApi,
    StackResource, TemplateSource, change_set, live_stack, stack_event, stack_resources,
};
use matbakh_infra::aws::services::names::NameProbe;
use matbakh_infra::constructs::bootstrap;
use matbakh_infra::plan::{Plan, PlanOptions, PlanStatus, make_plan, needs_bucket};
use matbakh_infra::synth::{Rendered, RenderedStack};

/// How an execution ends.
#[derive(Clone)]
pub enum Outcome {
    Succeeds,
    /// The resource that fails first, its reason, and the resources cancelled after it.
    Fails {
        resource: (&'static str, &'static str),
        reason: &'static str,
        cancelled: Vec<(&'static str, &'static str)>,
    },
    /// The update fails and so does its rollback.
    RollbackFails {
        resource: (&'static str, &'static str),
        reason: &'static str,
    },
}

pub struct FakeStack {
    pub status: StackStatus,
    pub body: String,
    pub events: Vec<SdkEvent>,
    pub termination_protection: bool,
    pub policy: Option<String>,
    pub updated: u32,
}

#[derive(Default)]
pub struct FakeCfn {
    pub stacks: Mutex<BTreeMap<String, FakeStack>>,
    pub change_sets: Mutex<BTreeMap<String, (ChangeSetRequest, DescribeChangeSetOutput)>>,
    /// Per stack name: the change set's resource changes (default: every resource added
    /// on create, one modified on update).
    pub scripted_changes: BTreeMap<String, Vec<ResourceChange>>,
    pub outcomes: BTreeMap<String, Outcome>,
    /// Every n-th call answers `Throttling: Rate exceeded` (0: never).
    pub throttle_every: usize,
    pub calls: AtomicUsize,
    pub throttled: AtomicUsize,
    pub executed: Mutex<Vec<(String, String)>>,
    /// ARNs of the change sets executed, in order.
    pub executed_change_sets: Mutex<Vec<String>>,
    pub deleted_change_sets: Mutex<Vec<String>>,
    pub policies_set: Mutex<Vec<(String, String)>>,
    pub protection_set: Mutex<Vec<String>>,
    pub event_seq: AtomicUsize,
    /// The artifacts bucket CloudFormation reads template URLs from.
    pub store: FakeStore,
    /// Added to every call (benchmarks).
    pub latency: Duration,
    /// Names of resources outside the stacks (a leftover secret, another's bucket).
    pub taken_names: Vec<String>,
}

pub fn time(n: usize) -> DateTime {
    DateTime::from_secs(1_795_000_000 + n as i64)
}

impl FakeCfn {
    /// Every call passes here: latency, then maybe throttling.
    pub async fn gate(&self) -> Result<(), AwsError> {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.throttle_every > 0 && n.is_multiple_of(self.throttle_every) {
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
    pub fn deployed(rendered: &Rendered) -> Self {
        let fake = FakeCfn::default();
        for s in &rendered.stacks {
            fake.put(&s.name, StackStatus::UpdateComplete, &s.body);
        }
        fake
    }

    pub fn put(&self, name: &str, status: StackStatus, body: &str) {
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

    pub fn event(
        &self,
        stack: &str,
        logical: &str,
        kind: &str,
        status: ResourceStatus,
        reason: Option<&str>,
    ) -> SdkEvent {
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
    pub fn body_of(&self, source: &TemplateSource) -> String {
        match source {
            TemplateSource::Body(body) => body.clone(),
            TemplateSource::Url(url) => {
                let key = url.split_once(".amazonaws.com/").expect("an S3 object URL").1;
                let objects = self.store.objects.lock().unwrap();
                String::from_utf8(objects.get(key).expect("uploaded before use").clone()).unwrap()
            }
        }
    }

    /// CreateChangeSet requests, by stack name.
    pub fn change_sets_for(&self, stack: &str) -> usize {
        self.change_sets.lock().unwrap().values().filter(|c| c.0.stack_name == stack).count()
    }

    pub fn executions(&self) -> Vec<String> {
        self.executed.lock().unwrap().iter().map(|(stack, _)| stack.clone()).collect()
    }
}

impl ChangeSetApi for FakeCfn {
    async fn create_change_set(&self, request: ChangeSetRequest) -> Result<String, AwsError> {
        self.gate().await?;
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
                let action = if request.change_set_type == ChangeSetKind::Create {
                    ChangeAction::Add
                } else {
                    ChangeAction::Modify
                };
                vec![
                    ResourceChange::builder()
                        .action(action)
                        .logical_resource_id("Something")
                        .resource_type("AWS::SSM::Parameter")
                        .build(),
                ]
            });
            DescribeChangeSetOutput::builder()
                .change_set_id(&id)
                .status(ChangeSetStatus::CreateComplete)
                .set_changes(Some(
                    changes
                        .into_iter()
                        .map(|rc| Change::builder().r#type(ChangeType::Resource).resource_change(rc).build())
                        .collect(),
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
        self.gate().await?;
        Ok(change_set(&self.change_sets.lock().unwrap()[id].1))
    }

    async fn delete_change_set(&self, id: &str) -> Result<(), AwsError> {
        self.gate().await?;
        self.deleted_change_sets.lock().unwrap().push(id.to_owned());
        Ok(())
    }

    async fn delete_review_stack(&self, stack_name: &str) -> Result<(), AwsError> {
        self.gate().await?;
        let mut stacks = self.stacks.lock().unwrap();
        assert!(
            stacks.get(stack_name).is_some_and(|s| s.status == StackStatus::ReviewInProgress),
            "DeleteStack of {stack_name}, which is not (only) in review"
        );
        stacks.remove(stack_name);
        Ok(())
    }

    async fn execute_change_set(&self, id: &str, token: &str) -> Result<(), AwsError> {
        self.gate().await?;
        let request = self.change_sets.lock().unwrap()[id].0.clone();
        let name = request.stack_name.clone();
        {
            let mut executed = self.executed.lock().unwrap();
            if executed.iter().any(|(_, t)| t == token) {
                return Ok(()); // the same ClientRequestToken: the operation already runs
            }
            executed.push((name.clone(), token.to_owned()));
            self.executed_change_sets.lock().unwrap().push(id.to_owned());
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
                events.push(self.event(
                    &name,
                    "Something",
                    "AWS::SSM::Parameter",
                    ResourceStatus::CreateComplete,
                    None,
                ));
                if create { StackStatus::CreateComplete } else { StackStatus::UpdateComplete }
            }
            Outcome::Fails { resource, reason, cancelled } => {
                let failed = if create { ResourceStatus::CreateFailed } else { ResourceStatus::UpdateFailed };
                events.push(self.event(&name, resource.0, resource.1, failed.clone(), Some(reason)));
                for (logical, kind) in &cancelled {
                    let why = if create { "Resource creation cancelled" } else { "Resource update cancelled" };
                    events.push(self.event(&name, logical, kind, failed.clone(), Some(why)));
                }
                let summary = format!(
                    "The following resource(s) failed to {}: [{}].",
                    if create { "create" } else { "update" },
                    resource.0
                );
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
}

impl StackReadApi for FakeCfn {
    async fn describe_stack(&self, name: &str) -> Result<Option<LiveStack>, AwsError> {
        self.gate().await?;
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
                    // DescribeStacks lists the parameters the stack was deployed with.
                    .set_parameters(Some(parameters_of(&s.body)))
                    .set_outputs(Some(outputs_of(&s.body)))
                    .build(),
            )
        }))
    }

    async fn get_template(&self, name: &str) -> Result<String, AwsError> {
        self.gate().await?;
        Ok(self.stacks.lock().unwrap().get(name).map(|s| s.body.clone()).unwrap_or_default())
    }

    async fn list_resources(&self, stack_name: &str) -> Result<Vec<StackResource>, AwsError> {
        self.gate().await?;
        let stacks = self.stacks.lock().unwrap();
        let Some(stack) = stacks.get(stack_name) else { return Ok(Vec::new()) };
        let template = matbakh_infra::diff::normalize::parse_template(&stack.body).unwrap_or_default();
        let resources = template["Resources"].as_object().cloned().unwrap_or_default();
        let mut rows: Vec<StackResourceSummary> = resources
            .iter()
            .map(|(id, r)| {
                StackResourceSummary::builder()
                    .logical_resource_id(id)
                    .physical_resource_id(format!("{id}-physical"))
                    .resource_type(r["Type"].as_str().unwrap_or_default())
                    .resource_status(ResourceStatus::CreateComplete)
                    .last_updated_timestamp(time(0))
                    .build()
            })
            .collect();
        // The scripted change sets name resources the template may not have.
        rows.push(
            StackResourceSummary::builder()
                .logical_resource_id("Something")
                .physical_resource_id("Something-physical")
                .resource_type("AWS::SSM::Parameter")
                .resource_status(ResourceStatus::CreateComplete)
                .last_updated_timestamp(time(0))
                .build(),
        );
        Ok(stack_resources(&ListStackResourcesOutput::builder().set_stack_resource_summaries(Some(rows)).build()))
    }

    async fn recent_events(&self, stack_name: &str) -> Result<Vec<StackEvent>, AwsError> {
        self.gate().await?;
        let stacks = self.stacks.lock().unwrap();
        Ok(stacks.get(stack_name).map(|s| s.events.iter().rev().map(stack_event).collect()).unwrap_or_default())
    }

    async fn get_stack_policy(&self, stack_name: &str) -> Result<Option<String>, AwsError> {
        self.gate().await?;
        Ok(self.stacks.lock().unwrap().get(stack_name).and_then(|s| s.policy.clone()))
    }

    /// Stacks whose template imports the export (as CloudFormation records them).
    async fn list_imports(&self, export_name: &str) -> Result<Vec<String>, AwsError> {
        self.gate().await?;
        let needle = format!("{{\"Fn::ImportValue\":\"{export_name}\"}}");
        let stacks = self.stacks.lock().unwrap();
        Ok(stacks
            .iter()
            .filter(|(_, s)| s.body.replace([' ', '\n'], "").contains(&needle))
            .map(|(n, _)| n.clone())
            .collect())
    }
}

impl StackAdminApi for FakeCfn {
    async fn set_stack_policy(&self, stack_name: &str, body: &str) -> Result<(), AwsError> {
        self.gate().await?;
        self.policies_set.lock().unwrap().push((stack_name.to_owned(), body.to_owned()));
        if let Some(s) = self.stacks.lock().unwrap().get_mut(stack_name) {
            s.policy = Some(body.to_owned());
        }
        Ok(())
    }

    async fn set_termination_protection(&self, stack_name: &str, enabled: bool) -> Result<(), AwsError> {
        self.gate().await?;
        self.protection_set.lock().unwrap().push(stack_name.to_owned());
        if let Some(s) = self.stacks.lock().unwrap().get_mut(stack_name) {
            s.termination_protection = enabled;
        }
        Ok(())
    }
}

/// The template's outputs as DescribeStacks lists them (with their export names), after
/// the bootstrap stack's bucket output every stack of this fake reports.
fn outputs_of(body: &str) -> Vec<Output> {
    let template = matbakh_infra::diff::parse_template(body).unwrap_or_default();
    let declared = template["Outputs"].as_object().cloned().unwrap_or_default();
    std::iter::once(
        Output::builder()
            .output_key(bootstrap::BUCKET_OUTPUT)
            .output_value("matbakh-dev-assets-123456789012-eu-central-1")
            .build(),
    )
    .chain(declared.iter().map(|(key, o)| {
        Output::builder()
            .output_key(key)
            .output_value(format!("{key}-value"))
            .set_export_name(o["Export"]["Name"].as_str().map(str::to_owned))
            .build()
    }))
    .collect()
}

/// The template's parameters with their defaults (apply passes them explicitly).
fn parameters_of(body: &str) -> Vec<Parameter> {
    let template = matbakh_infra::diff::parse_template(body).unwrap_or_default();
    template["Parameters"]
        .as_object()
        .map(|params| {
            params
                .iter()
                .filter_map(|(k, p)| {
                    let value = p["Default"].as_str()?;
                    Some(Parameter::builder().parameter_key(k).parameter_value(value).build())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `apply` as the CLI runs it: a plan (its change sets prepared in the fake), then the
/// plan executed for the stacks of `options.deploy` that have changes.
pub async fn plan_and_apply<P: Progress>(
    fake: &FakeCfn,
    store: &FakeStore,
    progress: &P,
    rendered: &Rendered,
    bootstrap: &RenderedStack,
    options: &ApplyOptions,
) -> ApplyReport {
    let plan = plan_of(fake, rendered, bootstrap, options).await;
    // As the CLI's preflight: stacks with a change set to execute, and blocked ones
    // (which apply refuses, naming the remedy).
    let deploy = plan
        .stacks
        .iter()
        .filter(|s| (s.change_set.is_some() || s.status == PlanStatus::Blocked) && options.deploy.contains(&s.id))
        .map(|s| s.id.clone());
    let options = ApplyOptions { deploy: deploy.collect(), ..options.clone() };
    assert!(std::ptr::eq(store, &fake.store), "the fake's own bucket");
    matbakh_infra::apply::apply(fake, store, progress, rendered, bootstrap, &plan, &options).await
}

/// The plan `plan_and_apply` executes.
pub async fn plan_of(fake: &FakeCfn, rendered: &Rendered, bootstrap: &RenderedStack, options: &ApplyOptions) -> Plan {
    let plan_options = PlanOptions {
        run_id: options.run_id.clone(),
        backoff: options.backoff,
        poll: options.poll,
        ..PlanOptions::default()
    };
    let bootstrap = needs_bucket(rendered).then_some(bootstrap);
    make_plan(fake, &fake.store, fake, rendered, bootstrap, &plan_options).await.expect("the fake answers every read")
}

impl NameProbe for FakeCfn {
    async fn is_taken(&self, _: &str, name: &str) -> Result<Option<bool>, AwsError> {
        self.gate().await?;
        Ok(Some(self.taken_names.iter().any(|n| n == name)))
    }
}

/// An artifacts bucket in memory.
#[derive(Default)]
pub struct FakeStore {
    pub objects: Mutex<BTreeMap<String, Vec<u8>>>,
    pub puts: AtomicUsize,
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
