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
    let answers: Vec<_> =
        stream::iter(names).map(|name| read_one(api, name, scope)).buffered(scope.concurrency.max(1)).collect().await;
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
