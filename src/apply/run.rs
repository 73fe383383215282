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
use crate::constructs::bootstrap::{BUCKET_OUTPUT, bucket_name as bootstrap_bucket};
use crate::synth::{Rendered, RenderedStack, TEMPLATE_BODY_INLINE_MAX};

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

/// The assets a stack's template points at (their keys are content hashes).
fn assets_of<'a>(rendered: &'a Rendered, stack: &RenderedStack) -> Vec<&'a crate::assets::Asset> {
    rendered.assets.iter().filter(|a| stack.body.contains(&a.s3_key)).collect()
}

fn job<'a>(rendered: &'a Rendered, stack: &'a RenderedStack) -> StackJob<'a> {
    StackJob {
        id: stack.id.clone(),
        name: stack.name.clone(),
        body: &stack.body,
        sha256: &stack.sha256,
        assets: assets_of(rendered, stack),
    }
}

pub async fn apply<C, S, P>(
    api: &C,
    store: &S,
    progress: &P,
    rendered: &Rendered,
    bootstrap: &RenderedStack,
    options: &ApplyOptions,
) -> ApplyReport
where
    C: DeployApi,
    S: ArtifactStore,
    P: Progress,
{
    let counter = WarningCounter { inner: progress, count: std::sync::atomic::AtomicUsize::new(0) };
    let mut deployer = Deployer {
        api,
        store,
        progress: &counter,
        bucket: None,
        region: rendered.manifest.region.clone(),
        run_id: options.run_id.clone(),
        protect: options.protect,
        allow_replace: options.allow_replace.clone(),
        uploads: Default::default(),
        backoff: options.backoff,
        poll: options.poll,
        timeout: options.timeout,
    };
    let graph = &rendered.graph;

    let needs_bucket = rendered
        .stacks
        .iter()
        .filter(|s| options.deploy.contains(&s.id))
        .any(|s| s.body.len() > TEMPLATE_BODY_INLINE_MAX || !assets_of(rendered, s).is_empty());
    let mut bootstrap_result = None;
    if needs_bucket {
        let result = deployer.deploy(&job(rendered, bootstrap)).await;
        let bucket = match &result {
            Ok(_) => bucket_name(api, options.backoff, &bootstrap.name, &rendered.manifest.environment).await,
            Err(e) => Err(e.clone()),
        };
        match bucket {
            Ok(name) => {
                deployer.uploads = upload_assets(&deployer, &name, rendered, options).await;
                deployer.bucket = Some(name);
                bootstrap_result = Some(result);
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
                return ApplyReport { bootstrap: Some(Err(failure)), stacks, warnings: counter.count() };
            }
        }
    }

    let deployer = &deployer;
    let stacks = schedule::run(graph, options.concurrency, |id| async move {
        let stack = rendered.stack(&id).expect("graph nodes are rendered stacks");
        let job = job(rendered, stack);
        let result = if options.deploy.contains(&id) {
            deployer.deploy(&job).await
        } else {
            deployer.progress.emit(ApplyEvent::NoChanges { stack: job.name.clone() });
            Ok(Deployed::NoChanges)
        };
        if let Err(failure) = &result {
            deployer.progress.emit(failed_event(&job.name, failure));
        }
        result
    })
    .await;
    report_not_started(&counter, rendered, &stacks);
    ApplyReport { bootstrap: bootstrap_result, stacks, warnings: counter.count() }
}

/// Uploads the assets of every stack to deploy, all at once (bounded), before the
/// first stack starts; each is uploaded once however many stacks use it.
async fn upload_assets<C, S, P>(
    deployer: &Deployer<'_, C, S, P>,
    bucket: &str,
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
        for asset in assets_of(rendered, stack) {
            wanted.entry(asset.s3_key.as_str()).or_insert((stack.name.as_str(), asset));
        }
    }
    stream::iter(wanted.into_values())
        .map(|(stack, asset)| async move {
            let result = deployer.upload(bucket, stack, asset).await.map_err(|e| e.to_string());
            (asset.s3_key.clone(), result)
        })
        .buffer_unordered(UPLOADS_AT_ONCE)
        .collect()
        .await
}

/// Uploads in flight at once.
const UPLOADS_AT_ONCE: usize = 8;

/// The artifacts bucket's name: the bootstrap stack's output, or — where an endpoint
/// does not report outputs of a stack created by a change set — the same naming
/// convention the template uses, with the account from the stack's ARN.
async fn bucket_name<C: DeployApi>(
    api: &C,
    backoff: Backoff,
    stack: &str,
    environment: &str,
) -> Result<String, StackFailure> {
    let live = with_retries(backoff, || api.describe_stack(stack)).await?.ok_or_else(|| StackFailure {
        reason: format!("the bootstrap stack {stack} does not exist after its deployment"),
        resource: None,
        remedy: None,
        executed: false,
    })?;
    if let Some(output) = live.outputs.iter().find(|o| o.key == BUCKET_OUTPUT && !o.value.is_empty()) {
        return Ok(output.value.clone());
    }
    // arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
    let parts: Vec<&str> = live.id.split(':').collect();
    match (parts.get(3), parts.get(4)) {
        (Some(region), Some(account)) if !account.is_empty() => Ok(bootstrap_bucket(environment, account, region)),
        _ => Err(StackFailure {
            reason: format!("the bootstrap stack {stack} reports no {BUCKET_OUTPUT} output"),
            resource: None,
            remedy: Some("check the stack in the console; delete it if it is broken and apply again".into()),
            executed: false,
        }),
    }
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
