//! Runs work for every stack of a [`StackGraph`] in dependency order, independent stacks
//! at the same time, at most `concurrency` at once. Generic over the per-stack work, so
//! it is tested with timers instead of AWS.
//!
//! - A stack starts as soon as every stack it depends on has *succeeded* and a slot is
//!   free; when more stacks are ready than slots are free, they start in graph order
//!   (`graph.nodes`, the declaration order).
//! - When a stack fails, nothing that depends on it (transitively) starts; stacks already
//!   running finish, and stacks that do not depend on it still run.
//! - No busy waiting: the scheduler sleeps until some running work finishes.
//!
//! A panic in the work propagates out of [`run`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;

use futures_util::FutureExt;
use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::graph::StackGraph;

/// Stacks deployed at once unless the caller says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// What became of one stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StackOutcome<T, E> {
    /// The work ran and returned this.
    Succeeded(T),
    /// The work ran and failed with this.
    Failed(E),
    /// The work never started: the stacks it depends on directly that failed or were not
    /// started themselves, in graph order. [`Schedule::failed_causes`] follows the chain
    /// back to the failed stacks.
    NotStarted { blocked_by: Vec<String> },
}

impl<T, E> StackOutcome<T, E> {
    pub fn is_succeeded(&self) -> bool {
        matches!(self, StackOutcome::Succeeded(_))
    }

    pub fn is_failed(&self) -> bool {
        matches!(self, StackOutcome::Failed(_))
    }

    pub fn is_not_started(&self) -> bool {
        matches!(self, StackOutcome::NotStarted { .. })
    }
}

/// The outcome of every stack, in graph order (`graph.nodes`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule<T, E> {
    pub results: Vec<(String, StackOutcome<T, E>)>,
}

impl<T, E> Schedule<T, E> {
    pub fn outcome(&self, id: &str) -> Option<&StackOutcome<T, E>> {
        self.results.iter().find(|(s, _)| s == id).map(|(_, o)| o)
    }

    /// Every stack succeeded.
    pub fn all_succeeded(&self) -> bool {
        self.results.iter().all(|(_, o)| o.is_succeeded())
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for (_, outcome) in &self.results {
            match outcome {
                StackOutcome::Succeeded(_) => summary.succeeded += 1,
                StackOutcome::Failed(_) => summary.failed += 1,
                StackOutcome::NotStarted { .. } => summary.not_started += 1,
            }
        }
        summary
    }

    /// The failed stacks that, directly or through stacks not started, kept `id` from
    /// starting, in graph order; empty unless `id` was not started.
    pub fn failed_causes(&self, id: &str) -> Vec<String> {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut failed: BTreeSet<&str> = BTreeSet::new();
        let mut todo: Vec<&str> = vec![id];
        while let Some(current) = todo.pop() {
            if !seen.insert(current) {
                continue;
            }
            if let Some(StackOutcome::NotStarted { blocked_by }) = self.outcome(current) {
                for blocker in blocked_by {
                    match self.outcome(blocker) {
                        Some(StackOutcome::Failed(_)) => {
                            failed.insert(blocker);
                        }
                        Some(StackOutcome::NotStarted { .. }) => todo.push(blocker),
                        _ => {}
                    }
                }
            }
        }
        self.results.iter().filter(|(s, _)| failed.contains(s.as_str())).map(|(s, _)| s.clone()).collect()
    }
}

/// How many stacks succeeded, failed and were not started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub succeeded: usize,
    pub failed: usize,
    pub not_started: usize,
}

impl Summary {
    pub fn total(&self) -> usize {
        self.succeeded + self.failed + self.not_started
    }
}

impl fmt::Display for Summary {
    /// `4 succeeded, 1 failed, 3 not started`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} succeeded, {} failed, {} not started", self.succeeded, self.failed, self.not_started)
    }
}

enum State<T, E> {
    Pending,
    Running,
    Done(Result<T, E>),
}

/// Runs `work(stack id)` for every stack of `graph`, dependencies first, at most
/// `concurrency` (at least 1) at once. Returns when nothing runs and nothing more can
/// start. A graph that is not a valid DAG (not from [`StackGraph::from_stacks`]) does not
/// hang: stacks on a cycle or importing from an unknown stack are not started.
pub async fn run<T, E, F, Fut>(graph: &StackGraph, concurrency: usize, work: F) -> Schedule<T, E>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let nodes = &graph.nodes;
    let index: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let deps: Vec<Vec<&str>> = nodes.iter().map(|id| graph.dependencies(id)).collect();
    let mut states: Vec<State<T, E>> = nodes.iter().map(|_| State::Pending).collect();
    let limit = concurrency.max(1);
    let mut running = FuturesUnordered::new();

    loop {
        let free = limit.saturating_sub(running.len());
        let ready: Vec<usize> = (0..nodes.len())
            .filter(|&i| matches!(states[i], State::Pending))
            .filter(|&i| deps[i].iter().all(|d| index.get(d).is_some_and(|&j| matches!(states[j], State::Done(Ok(_))))))
            .take(free)
            .collect();
        for i in ready {
            states[i] = State::Running;
            let fut = work(nodes[i].clone());
            running.push(async move { (i, fut.await) });
        }
        let Some((i, result)) = running.next().await else { break };
        states[i] = State::Done(result);
        // Take every completion that is already due before starting more, so that stacks
        // freed at the same moment start in graph order, not in completion-poll order.
        while let Some(Some((i, result))) = running.next().now_or_never() {
            states[i] = State::Done(result);
        }
    }

    let succeeded: Vec<bool> = states.iter().map(|s| matches!(s, State::Done(Ok(_)))).collect();
    let results = nodes
        .iter()
        .zip(states)
        .enumerate()
        .map(|(i, (id, state))| {
            let outcome = match state {
                State::Done(Ok(value)) => StackOutcome::Succeeded(value),
                State::Done(Err(error)) => StackOutcome::Failed(error),
                State::Pending | State::Running => {
                    let mut blocked_by: Vec<&str> =
                        deps[i].iter().copied().filter(|d| !index.get(d).is_some_and(|&j| succeeded[j])).collect();
                    blocked_by.sort_by_key(|d| index.get(d).copied().unwrap_or(usize::MAX));
                    StackOutcome::NotStarted { blocked_by: blocked_by.into_iter().map(str::to_owned).collect() }
                }
            };
            (id.clone(), outcome)
        })
        .collect();
    Schedule { results }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Edge;

    fn graph(nodes: &[&str], edges: &[(&str, &str)]) -> StackGraph {
        StackGraph {
            nodes: nodes.iter().map(|s| s.to_string()).collect(),
            edges: edges
                .iter()
                .map(|(p, c)| Edge { producer: p.to_string(), consumer: c.to_string(), exports: vec![] })
                .collect(),
        }
    }

    async fn ok(_: String) -> Result<(), ()> {
        Ok(())
    }

    #[tokio::test]
    async fn an_empty_graph_finishes_at_once() {
        let schedule = run(&graph(&[], &[]), 4, ok).await;
        assert!(schedule.results.is_empty());
        assert_eq!(schedule.summary().to_string(), "0 succeeded, 0 failed, 0 not started");
    }

    #[tokio::test]
    async fn concurrency_zero_still_runs_one_at_a_time() {
        let schedule = run(&graph(&["a", "b"], &[("a", "b")]), 0, ok).await;
        assert!(schedule.all_succeeded());
    }

    #[tokio::test]
    async fn a_hand_made_cycle_or_unknown_producer_does_not_hang() {
        let g = graph(&["a", "b", "c", "d"], &[("a", "b"), ("b", "a"), ("ghost", "c")]);
        let schedule = run(&g, 4, ok).await;
        assert_eq!(schedule.outcome("a"), Some(&StackOutcome::NotStarted { blocked_by: vec!["b".into()] }));
        assert_eq!(schedule.outcome("b"), Some(&StackOutcome::NotStarted { blocked_by: vec!["a".into()] }));
        assert_eq!(schedule.outcome("c"), Some(&StackOutcome::NotStarted { blocked_by: vec!["ghost".into()] }));
        assert_eq!(schedule.outcome("d"), Some(&StackOutcome::Succeeded(())));
        assert!(schedule.failed_causes("a").is_empty());
    }

    #[test]
    fn summary_counts_and_reads() {
        let schedule: Schedule<(), &str> = Schedule {
            results: vec![
                ("a".into(), StackOutcome::Succeeded(())),
                ("b".into(), StackOutcome::Failed("boom")),
                ("c".into(), StackOutcome::NotStarted { blocked_by: vec!["b".into()] }),
                ("d".into(), StackOutcome::NotStarted { blocked_by: vec!["c".into()] }),
            ],
        };
        let summary = schedule.summary();
        assert_eq!(summary, Summary { succeeded: 1, failed: 1, not_started: 2 });
        assert_eq!(summary.total(), 4);
        assert_eq!(summary.to_string(), "1 succeeded, 1 failed, 2 not started");
        assert_eq!(schedule.failed_causes("d"), ["b"]);
        assert!(schedule.failed_causes("a").is_empty());
        assert!(!schedule.all_succeeded());
    }
}
