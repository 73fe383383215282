//! The one live read of an environment: each stack's `DescribeStacks` answer, its
//! deployed template and (for drift) its resources, all stacks at once with bounded
//! concurrency — one round trip per kind of call. Plan, drift and the staleness check
//! of a saved plan all read the account through here.

use std::collections::BTreeMap;

use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use crate::aws::AwsError;
use crate::aws::cloudformation::{LiveStack, StackReadApi, StackResource};
use crate::aws::retry::{Backoff, with_retries};
use crate::diff::parse_template;

/// A counted step of plan's and drift's reads, as the progress line names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadStep {
    /// The live read of each stack (status, template, resources).
    StacksRead,
    /// CloudFormation's drift detection, per stack.
    DriftDetections,
    /// Resources whose live state drift read through the service APIs.
    ResourcesChecked,
    /// The plan's change sets, made and computed.
    ChangeSetsPrepared,
}

impl ReadStep {
    pub fn label(self) -> &'static str {
        match self {
            ReadStep::StacksRead => "stacks read",
            ReadStep::DriftDetections => "drift detections",
            ReadStep::ResourcesChecked => "resources checked",
            ReadStep::ChangeSetsPrepared => "change sets prepared",
        }
    }
}

/// Told how plan's and drift's reads advance, to show it. The terminal's progress line
/// is [`crate::apply::progress::ReadBar`]; [`Silent`] shows nothing.
pub trait ReadProgress: Send + Sync {
    /// A step of `total` items starts (steps may run at the same time).
    fn start(&self, step: ReadStep, total: usize);
    /// `count` more items of `step` are done.
    fn advance(&self, step: ReadStep, count: usize);
    /// Reading is over; the result is printed next.
    fn finish(&self);
}

impl std::fmt::Debug for dyn ReadProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadProgress")
    }
}

/// Finishes a progress display when dropped, so the line goes before the result or an
/// error message is printed, however the reading ends.
pub struct FinishOnDrop<'a>(pub &'a dyn ReadProgress);

impl Drop for FinishOnDrop<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Shows nothing: JSON and markdown output, pipes, tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl ReadProgress for Silent {
    fn start(&self, _: ReadStep, _: usize) {}
    fn advance(&self, _: ReadStep, _: usize) {}
    fn finish(&self) {}
}

/// What to read besides `DescribeStacks`.
#[derive(Clone, Copy, Debug)]
pub struct ReadScope {
    pub templates: bool,
    pub resources: bool,
    /// Stacks read at once.
    pub concurrency: usize,
    /// Throttling and brief unavailability are retried with this.
    pub backoff: Backoff,
}

/// One stack as the account has it.
#[derive(Debug)]
pub enum LiveStackState {
    /// No such stack (or only a deleted one).
    Missing,
    /// Made by a CREATE change set never executed: no template, no resources; still to
    /// be created.
    InReview(LiveStack),
    Deployed {
        stack: LiveStack,
        /// The deployed template, parsed; `None` when not read. A template the tool
        /// cannot parse is kept as the reason.
        template: Option<Result<Value, String>>,
        /// `None` when not read.
        resources: Option<Result<Vec<StackResource>, AwsError>>,
    },
}

impl LiveStackState {
    /// The `DescribeStacks` answer, when the stack exists in any state.
    pub fn stack(&self) -> Option<&LiveStack> {
        match self {
            LiveStackState::Missing => None,
            LiveStackState::InReview(stack) | LiveStackState::Deployed { stack, .. } => Some(stack),
        }
    }
}

/// Every stack of an environment, by stack name, in the order asked for.
#[derive(Debug, Default)]
pub struct LiveEnvironment {
    pub stacks: Vec<(String, LiveStackState)>,
}

impl LiveEnvironment {
    pub fn get(&self, name: &str) -> Option<&LiveStackState> {
        self.stacks.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }

    /// Export name → value, of every stack read.
    pub fn exports(&self) -> BTreeMap<String, String> {
        self.stacks
            .iter()
            .filter_map(|(_, s)| s.stack())
            .flat_map(|s| s.outputs.iter())
            .filter_map(|o| o.export_name.clone().map(|n| (n, o.value.clone())))
            .collect()
    }
}

/// Reads the named stacks. Only a failed `DescribeStacks` is an error (nothing can be
/// said about that stack); a template or resource read that fails is kept with it.
pub async fn read_environment<C: StackReadApi>(
    api: &C,
    names: &[String],
    scope: ReadScope,
) -> Result<LiveEnvironment, AwsError> {
    read_environment_observed(api, names, scope, &Silent).await
}

/// [`read_environment`], telling `progress` of each stack read.
pub async fn read_environment_observed<C: StackReadApi>(
    api: &C,
    names: &[String],
    scope: ReadScope,
    progress: &dyn ReadProgress,
) -> Result<LiveEnvironment, AwsError> {
    progress.start(ReadStep::StacksRead, names.len());
    let answers: Vec<_> = stream::iter(names)
        .map(|name| async move {
            let answers = read_one(api, name, scope).await;
            progress.advance(ReadStep::StacksRead, 1);
            answers
        })
        .buffered(scope.concurrency.max(1))
        .collect()
        .await;
    let mut stacks = Vec::new();
    for (name, (stack, template, resources)) in names.iter().zip(answers) {
        let state = match stack? {
            None => LiveStackState::Missing,
            Some(stack) if stack.status.is_review() => LiveStackState::InReview(stack),
            Some(stack) => LiveStackState::Deployed {
                stack,
                template: template.map(|t| {
                    t.map_err(|e| e.to_string()).and_then(|body| parse_template(&body).map_err(|e| e.to_string()))
                }),
                resources,
            },
        };
        stacks.push((name.clone(), state));
    }
    Ok(LiveEnvironment { stacks })
}

type Answers = (
    Result<Option<LiveStack>, AwsError>,
    Option<Result<String, AwsError>>,
    Option<Result<Vec<StackResource>, AwsError>>,
);

/// The calls for one stack, at once.
async fn read_one<C: StackReadApi>(api: &C, name: &str, scope: ReadScope) -> Answers {
    let retried = scope.backoff;
    tokio::join!(
        with_retries(retried, || api.describe_stack(name)),
        async { if scope.templates { Some(with_retries(retried, || api.get_template(name)).await) } else { None } },
        async { if scope.resources { Some(with_retries(retried, || api.list_resources(name)).await) } else { None } },
    )
}
