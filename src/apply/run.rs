//! One apply: the bootstrap stack first (when anything needs the artifacts bucket),
//! then every stack in dependency order through [`super::schedule`], each through
//! [`super::deploy`]. Reports every stack's outcome; the caller turns it into an exit
//! status.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures_util::stream::{self, StreamExt};

use super::deploy::{Deployed, Deployer, StackFailure, StackJob, UploadResult};
use super::progress::{ApplyEvent, Progress};
use super::schedule::{self, Schedule, StackOutcome};
use crate::aws::artifacts::ArtifactStore;
use crate::aws::cloudformation::DeployApi;
use crate::aws::retry::{Backoff, with_retries};
use crate::constructs::bootstrap::BUCKET_OUTPUT;
use crate::plan::model::{Plan, StackPlan};
use crate::plan::prepare::{ChangeSetMaker, bootstrap_bucket, review_stack_of};
use crate::synth::{Rendered, RenderedStack};

#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Stacks deployed at once.
    pub concurrency: usize,
    /// Stateful resources the user accepts to replace or delete (logical ids).
    pub allow_replace: BTreeSet<String>,
    /// Prod: termination protection and stack policies.
    pub protect: bool,
    /// Stacks to deploy (ids); the others are left alone and reported unchanged.
    pub deploy: BTreeSet<String>,
    pub run_id: String,
    pub backoff: Backoff,
    /// Between two polls of a running operation.
    pub poll: Duration,
    /// Longest wait for one change set or one stack operation.
    pub timeout: Duration,
}

impl ApplyOptions {
    pub fn new(deploy: BTreeSet<String>) -> Self {
        ApplyOptions {
            concurrency: super::DEFAULT_CONCURRENCY,
            allow_replace: BTreeSet::new(),
            protect: false,
            deploy,
            run_id: crate::plan::run_id(),
            backoff: Backoff::default(),
            poll: Duration::from_secs(5),
            timeout: Duration::from_secs(3 * 3600),
        }
    }
}

pub struct ApplyReport {
    /// `None` when nothing needed the artifacts bucket.
    pub bootstrap: Option<Result<Deployed, StackFailure>>,
    /// Per stack id.
    pub stacks: Schedule<Deployed, StackFailure>,
    pub warnings: usize,
}

impl ApplyReport {
    /// 0 success, 3 succeeded with warnings, 4 a stack failed or was not started.
    pub fn exit_status(&self) -> u8 {
        let bootstrap_failed = matches!(self.bootstrap, Some(Err(_)));
        if bootstrap_failed || !self.stacks.all_succeeded() {
            4
        } else if self.warnings > 0 {
            3
        } else {
            0
        }
    }

    /// Change sets executed, the bootstrap stack's included, whether they then
    /// succeeded or failed.
    pub fn executed(&self) -> usize {
        let executed = |r: Result<&Deployed, &StackFailure>| match r {
            Ok(d) => matches!(d, Deployed::Changed { .. }),
            Err(f) => f.executed,
        };
        let bootstrap = self.bootstrap.as_ref().is_some_and(|r| executed(r.as_ref()));
        let stacks = self
            .stacks
            .results
            .iter()
            .filter(|(_, o)| match o {
                StackOutcome::Succeeded(d) => executed(Ok(d)),
                StackOutcome::Failed(f) => executed(Err(f)),
                StackOutcome::NotStarted { .. } => false,
            })
            .count();
        usize::from(bootstrap) + stacks
    }
}

fn job<'a>(rendered: &'a Rendered, stack: &'a RenderedStack, plan: &'a StackPlan) -> StackJob<'a> {
    StackJob { stack, plan, assets: rendered.assets_of(stack) }
}

/// Executes a plan: the bootstrap stack first (when the plan has it), then every stack
/// to deploy in dependency order, each through its plan's change set.
pub async fn apply<C, S, P>(
    api: &C,
    store: &S,
    progress: &P,
    rendered: &Rendered,
    bootstrap: &RenderedStack,
    plan: &Plan,
    options: &ApplyOptions,
) -> ApplyReport
where
    C: DeployApi,
    S: ArtifactStore,
    P: Progress,
{
    let counter = WarningCounter { inner: progress, count: std::sync::atomic::AtomicUsize::new(0) };
    let mut deployer = Deployer {
        maker: ChangeSetMaker {
            api,
            store,
            bucket: None,
            region: rendered.manifest.region.clone(),
            run_id: options.run_id.clone(),
            backoff: options.backoff,
            timeout: options.timeout,
            poll: options.poll,
        },
        progress: &counter,
        protect: options.protect,
        allow_replace: options.allow_replace.clone(),
        uploads: Default::default(),
        executed: Default::default(),
        poll: options.poll,
        timeout: options.timeout,
    };
    let graph = &rendered.graph;
    let planned = |id: &str| plan.stacks.iter().find(|s| s.id == id);

    // The bootstrap stack when it is to deploy, or a stack to deploy needs its bucket.
    let needs_bucket = options.deploy.contains(&bootstrap.id)
        || rendered.stacks.iter().filter(|s| options.deploy.contains(&s.id)).any(RenderedStack::needs_bucket);
    let mut bootstrap_result = None;
    if let Some(bootstrap_plan) = planned(&bootstrap.id).filter(|_| needs_bucket) {
        let result = deployer.deploy(&job(rendered, bootstrap, bootstrap_plan)).await;
        let bucket = match &result {
            Ok(_) => bucket_name(api, options.backoff, &bootstrap.name, &rendered.manifest.environment).await,
            Err(e) => Err(e.clone()),
        };
        match bucket {
            Ok(name) => {
                deployer.maker.bucket = Some(name);
                deployer.uploads = upload_assets(&deployer, rendered, options).await;
                bootstrap_result = Some(result).filter(|_| bootstrap_plan.change_set.is_some());
            }
            Err(failure) => {
                let executed = matches!(&result, Ok(Deployed::Changed { .. })) || failure.executed;
                let failure = StackFailure { executed, ..failure };
                counter.emit(failed_event(&bootstrap.name, &failure));
                let stacks = Schedule {
                    results: graph
                        .nodes
                        .iter()
                        .map(|id| (id.clone(), StackOutcome::NotStarted { blocked_by: vec![bootstrap.id.clone()] }))
                        .collect(),
                };
                report_not_started(&counter, rendered, &stacks);
                discard_unexecuted(&deployer, plan).await;
                return ApplyReport { bootstrap: Some(Err(failure)), stacks, warnings: counter.count() };
            }
        }
    }

    let deployer = &deployer;
    let stacks = schedule::run(graph, options.concurrency, |id| async move {
        let stack = rendered.stack(&id).expect("graph nodes are rendered stacks");
        let result = match planned(&id).filter(|_| options.deploy.contains(&id)) {
            Some(stack_plan) => deployer.deploy(&job(rendered, stack, stack_plan)).await,
            None => {
                deployer.progress.emit(ApplyEvent::NoChanges { stack: stack.name.clone() });
                Ok(Deployed::NoChanges)
            }
        };
        if let Err(failure) = &result {
            deployer.progress.emit(failed_event(&stack.name, failure));
        }
        result
    })
    .await;
    report_not_started(&counter, rendered, &stacks);
    discard_unexecuted(deployer, plan).await;
    ApplyReport { bootstrap: bootstrap_result, stacks, warnings: counter.count() }
}

/// Deletes the plan's change sets that were not executed: nothing will execute them.
async fn discard_unexecuted<C: DeployApi, S: ArtifactStore, P: Progress>(
    deployer: &Deployer<'_, C, S, P>,
    plan: &Plan,
) {
    for (stack, id) in plan.prepared() {
        // Not started, not in this apply's scope, or refused (already deleted then).
        let executed = deployer.executed.lock().expect("not poisoned").contains(&stack.id);
        if !executed && let Err(message) = deployer.maker.discard(id, review_stack_of(stack)).await {
            deployer.progress.emit(ApplyEvent::Warning { stack: stack.name.clone(), message });
        }
    }
}

/// Uploads the assets of every stack to deploy, all at once (bounded), before the
/// first stack starts; each is uploaded once however many stacks use it.
async fn upload_assets<C, S, P>(
    deployer: &Deployer<'_, C, S, P>,
    rendered: &Rendered,
    options: &ApplyOptions,
) -> BTreeMap<String, UploadResult>
where
    C: DeployApi,
    S: ArtifactStore,
    P: Progress,
{
    let mut wanted: BTreeMap<&str, (&str, &crate::assets::Asset)> = BTreeMap::new();
    for stack in rendered.stacks.iter().filter(|s| options.deploy.contains(&s.id)) {
        for asset in rendered.assets_of(stack) {
            wanted.entry(asset.s3_key.as_str()).or_insert((stack.name.as_str(), asset));
        }
    }
    stream::iter(wanted.into_values())
        .map(|(stack, asset)| async move {
            let result = match deployer.maker.upload(asset).await {
                Ok(true) => {
                    deployer.progress.emit(ApplyEvent::AssetUploaded {
                        stack: stack.to_owned(),
                        key: asset.s3_key.clone(),
                        bytes: asset.bytes.len(),
                    });
                    Ok(())
                }
                Ok(false) => {
                    deployer
                        .progress
                        .emit(ApplyEvent::AssetPresent { stack: stack.to_owned(), key: asset.s3_key.clone() });
                    Ok(())
                }
                Err(e) => Err(e.to_string()),
            };
            (asset.s3_key.clone(), result)
        })
        .buffer_unordered(UPLOADS_AT_ONCE)
        .collect()
        .await
}

/// Uploads in flight at once.
const UPLOADS_AT_ONCE: usize = 8;

/// The artifacts bucket's name, from the deployed bootstrap stack.
async fn bucket_name<C: DeployApi>(
    api: &C,
    backoff: Backoff,
    stack: &str,
    environment: &str,
) -> Result<String, StackFailure> {
    let live = with_retries(backoff, || api.describe_stack(stack)).await?.ok_or_else(|| {
        StackFailure::plain(format!("the bootstrap stack {stack} does not exist after its deployment"))
    })?;
    bootstrap_bucket(&live, environment).ok_or_else(|| StackFailure {
        reason: format!("the bootstrap stack {stack} reports no {BUCKET_OUTPUT} output"),
        resource: None,
        remedy: Some("check the stack in the console; delete it if it is broken and apply again".into()),
        executed: false,
    })
}

fn failed_event(stack: &str, failure: &StackFailure) -> ApplyEvent {
    ApplyEvent::Failed {
        stack: stack.to_owned(),
        reason: failure.reason.clone(),
        resource: failure.resource.clone(),
        remedy: failure.remedy.clone(),
    }
}

fn report_not_started<P: Progress>(progress: &P, rendered: &Rendered, stacks: &Schedule<Deployed, StackFailure>) {
    let name = |id: &str| rendered.stack(id).map_or_else(|| id.to_owned(), |s| s.name.clone());
    for (id, outcome) in &stacks.results {
        if let StackOutcome::NotStarted { blocked_by } = outcome {
            progress.emit(ApplyEvent::NotStarted {
                stack: name(id),
                blocked_by: blocked_by.iter().map(|b| name(b)).collect(),
            });
        }
    }
}

/// Counts warnings on their way through.
struct WarningCounter<'a, P> {
    inner: &'a P,
    count: std::sync::atomic::AtomicUsize,
}

impl<P> WarningCounter<'_, P> {
    fn count(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl<P: Progress> Progress for WarningCounter<'_, P> {
    fn emit(&self, event: ApplyEvent) {
        if matches!(event, ApplyEvent::Warning { .. }) {
            self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.inner.emit(event);
    }
}
