//! The apply scheduler on virtual time (tokio's paused clock): every stack's work sleeps,
//! and the schedule is judged by virtual instants, never by the wall clock.

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use matbakh_infra::apply::{Schedule, StackOutcome, Summary, run_schedule as run};
use matbakh_infra::cfn::{Stack, Str};
use matbakh_infra::constructs;
use matbakh_infra::graph::StackGraph;
use tokio::time::{Instant, sleep};

const STEP: Duration = Duration::from_secs(10);

fn dev_graph() -> StackGraph {
    let assembly = constructs::build(&common::load_env("dev"), &common::repo_root()).expect("dev builds");
    StackGraph::from_stacks(&assembly.stacks).expect("dev graph")
}

/// A graph of real stacks: `consumer` imports an export of `producer` for each edge.
fn graph(ids: &[&str], edges: &[(&str, &str)]) -> StackGraph {
    let mut stacks: Vec<Stack> = ids.iter().map(|id| Stack::new(id, format!("s-{id}"), "t")).collect();
    for (producer, consumer) in edges {
        let p = stacks.iter().position(|s| s.id() == *producer).unwrap();
        let export = stacks[p].export(&format!("To{consumer}"), "x", Str::lit("v"));
        let c = stacks.iter().position(|s| s.id() == *consumer).unwrap();
        stacks[c].import(&export);
    }
    StackGraph::from_stacks(&stacks).unwrap()
}

/// Stacks that depend on `id`, directly or not.
fn dependents(graph: &StackGraph, id: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut todo = vec![id.to_owned()];
    while let Some(current) = todo.pop() {
        for e in graph.edges.iter().filter(|e| e.producer == current) {
            if !found.contains(&e.consumer) {
                found.push(e.consumer.clone());
                todo.push(e.consumer.clone());
            }
        }
    }
    found
}

/// Virtual start and finish of each stack that ran, plus the order work was started in.
#[derive(Default)]
struct Log {
    spans: Mutex<BTreeMap<String, (Duration, Duration)>>,
    starts: Mutex<Vec<String>>,
}

/// Runs `graph` with work that sleeps `duration(id)` and fails when `fails(id)`.
async fn run_timed(
    graph: &StackGraph,
    concurrency: usize,
    duration: impl Fn(&str) -> Duration,
    fails: impl Fn(&str) -> bool,
) -> (Schedule<&'static str, String>, Log, Duration) {
    let log = Log::default();
    let t0 = Instant::now();
    let schedule = run(graph, concurrency, |id: String| {
        let (log, wait, fail) = (&log, duration(&id), fails(&id));
        async move {
            let start = t0.elapsed();
            log.starts.lock().unwrap().push(id.clone());
            sleep(wait).await;
            log.spans.lock().unwrap().insert(id.clone(), (start, t0.elapsed()));
            if fail { Err(format!("{id} failed")) } else { Ok("updated") }
        }
    })
    .await;
    let total = t0.elapsed();
    (schedule, log, total)
}

#[tokio::test(start_paused = true)]
async fn dev_takes_the_critical_path_not_the_sum_of_stacks() {
    let g = dev_graph();
    let longest_chain = g.waves().unwrap().len();
    assert!(longest_chain < g.nodes.len(), "dev has independent stacks: {:?}", g.waves());
    let (schedule, _, total) = run_timed(&g, g.nodes.len(), |_| STEP, |_| false).await;
    assert!(schedule.all_succeeded());
    assert_eq!(total, STEP * longest_chain as u32);
    let order: Vec<&str> = schedule.results.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(order, g.nodes, "results are in graph order");
    assert_eq!(schedule.summary().to_string(), format!("{} succeeded, 0 failed, 0 not started", g.nodes.len()));
}

#[tokio::test(start_paused = true)]
async fn dev_with_default_concurrency_still_follows_the_critical_path() {
    // Dev's widest wave fits in four slots, so the default is as fast as unlimited.
    let g = dev_graph();
    assert!(g.waves().unwrap().iter().all(|w| w.len() <= matbakh_infra::apply::DEFAULT_CONCURRENCY));
    let (schedule, _, total) = run_timed(&g, matbakh_infra::apply::DEFAULT_CONCURRENCY, |_| STEP, |_| false).await;
    assert!(schedule.all_succeeded());
    assert_eq!(total, STEP * g.waves().unwrap().len() as u32);
}

#[tokio::test(start_paused = true)]
async fn concurrency_one_runs_stacks_one_after_another_in_graph_order() {
    let g = dev_graph();
    let (schedule, log, total) = run_timed(&g, 1, |_| STEP, |_| false).await;
    assert!(schedule.all_succeeded());
    assert_eq!(total, STEP * g.nodes.len() as u32);
    assert_eq!(*log.starts.lock().unwrap(), g.order().unwrap());
}

#[tokio::test(start_paused = true)]
async fn concurrency_two_never_has_more_than_two_in_flight() {
    let g = dev_graph();
    let (in_flight, max) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let schedule: Schedule<(), ()> = run(&g, 2, |_| {
        let (in_flight, max) = (&in_flight, &max);
        async move {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(now, Ordering::SeqCst);
            sleep(STEP).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        }
    })
    .await;
    assert!(schedule.all_succeeded());
    assert_eq!(max.load(Ordering::SeqCst), 2, "dev has waves wider than two, so two are used");
    assert_eq!(in_flight.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn no_stack_starts_before_its_dependencies_succeeded_and_each_starts_as_soon_as_they_did() {
    let g = dev_graph();
    // Different lengths per stack, so finishing order differs from declaration order.
    let position = |id: &str| g.nodes.iter().position(|n| n == id).unwrap();
    let duration = |id: &str| Duration::from_secs(3 + 7 * (position(id) as u64 % 4));
    for concurrency in [2, 3, g.nodes.len()] {
        let (schedule, log, _) = run_timed(&g, concurrency, duration, |_| false).await;
        assert!(schedule.all_succeeded());
        let spans = log.spans.lock().unwrap();
        for id in &g.nodes {
            let (start, _) = spans[id];
            let ready = g.dependencies(id).iter().map(|d| spans[*d].1).max().unwrap_or_default();
            assert!(start >= ready, "{id} started at {start:?} before its dependencies finished at {ready:?}");
            if concurrency == g.nodes.len() {
                assert_eq!(start, ready, "{id} waited with free slots");
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_dev_stack_blocks_its_dependents_only() {
    let g = dev_graph();
    let waves = g.waves().unwrap();
    // A second-wave stack with the fewest dependents fails halfway through its wave, so
    // stacks of the first wave are done and others of its wave are running. (In dev every
    // later stack depends on both second-wave stacks; that an independent stack still
    // starts after a failure is `failure_blocks_transitively_and_names_the_blockers`.)
    let failing = waves[1]
        .iter()
        .filter(|n| !dependents(&g, n).is_empty())
        .min_by_key(|n| dependents(&g, n).len())
        .unwrap()
        .clone();
    let failed_at = STEP + STEP / 2;
    let blocked = dependents(&g, &failing);
    let duration = |id: &str| if id == failing { STEP / 2 } else { STEP };
    let (schedule, log, _) = run_timed(&g, g.nodes.len(), duration, |id| id == failing).await;

    assert_eq!(schedule.outcome(&failing), Some(&StackOutcome::Failed(format!("{failing} failed"))));
    assert_eq!(log.spans.lock().unwrap()[&failing], (STEP, failed_at));
    let spans = log.spans.lock().unwrap();
    for id in &g.nodes {
        let outcome = schedule.outcome(id).unwrap();
        if blocked.contains(id) {
            let StackOutcome::NotStarted { blocked_by } = outcome else { panic!("{id} ran: {outcome:?}") };
            assert!(!blocked_by.is_empty());
            if g.dependencies(id).contains(&failing.as_str()) {
                assert!(blocked_by.contains(&failing), "{id} blocked by {blocked_by:?}");
            }
            assert_eq!(schedule.failed_causes(id), std::slice::from_ref(&failing));
            assert!(!spans.contains_key(id), "{id} must not start");
        } else if *id != failing {
            assert!(outcome.is_succeeded(), "{id} is independent of {failing}: {outcome:?}");
        }
    }
    // Stacks running when it failed (the rest of its wave) ran to the end.
    let running = waves[1].iter().filter(|id| **id != failing).collect::<Vec<_>>();
    assert!(!running.is_empty());
    for id in running {
        assert_eq!(spans[id], (STEP, STEP * 2), "{id}");
    }
    assert_eq!(
        schedule.summary(),
        Summary { succeeded: g.nodes.len() - 1 - blocked.len(), failed: 1, not_started: blocked.len() }
    );
}

#[tokio::test(start_paused = true)]
async fn failure_blocks_transitively_and_names_the_blockers() {
    // a -> b -> c and d -> e; b fails at 20 s while d is still running (until 50 s),
    // after which e, independent of b, still starts.
    let g = graph(&["a", "b", "c", "d", "e"], &[("a", "b"), ("b", "c"), ("d", "e")]);
    let duration = |id: &str| if id == "d" { STEP * 5 } else { STEP };
    let (schedule, log, total) = run_timed(&g, 4, duration, |id| id == "b").await;
    assert_eq!(
        schedule.results,
        vec![
            ("a".into(), StackOutcome::Succeeded("updated")),
            ("b".into(), StackOutcome::Failed("b failed".into())),
            ("c".into(), StackOutcome::NotStarted { blocked_by: vec!["b".into()] }),
            ("d".into(), StackOutcome::Succeeded("updated")),
            ("e".into(), StackOutcome::Succeeded("updated")),
        ]
    );
    assert_eq!(schedule.failed_causes("c"), ["b"]);
    assert_eq!(log.spans.lock().unwrap()["b"], (STEP, STEP * 2));
    assert_eq!(log.spans.lock().unwrap()["d"], (Duration::ZERO, STEP * 5), "d ran to the end");
    assert_eq!(log.spans.lock().unwrap()["e"], (STEP * 5, STEP * 6), "e started after the failure");
    assert_eq!(total, STEP * 6);
    assert_eq!(schedule.summary().to_string(), "3 succeeded, 1 failed, 1 not started");

    // Two levels down, blocked_by names the stack not started; failed_causes the failure.
    let g = graph(&["a", "b", "c", "d"], &[("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")]);
    let (schedule, _, _) = run_timed(&g, 4, |_| STEP, |id| id == "a").await;
    assert_eq!(schedule.outcome("d"), Some(&StackOutcome::NotStarted { blocked_by: vec!["a".into(), "c".into()] }));
    assert_eq!(schedule.outcome("c"), Some(&StackOutcome::NotStarted { blocked_by: vec!["b".into()] }));
    assert_eq!(schedule.failed_causes("c"), ["a"]);
    assert_eq!(schedule.failed_causes("d"), ["a"]);
    assert_eq!(schedule.summary().to_string(), "0 succeeded, 1 failed, 3 not started");
}

#[tokio::test(start_paused = true)]
async fn ready_stacks_start_in_graph_order_when_slots_are_short() {
    // Declared out of dependency order: ties follow declaration, dependencies still first.
    let g = graph(&["d", "c", "b", "a"], &[("a", "c"), ("b", "c"), ("c", "d")]);
    let (_, log, _) = run_timed(&g, 1, |_| STEP, |_| false).await;
    assert_eq!(*log.starts.lock().unwrap(), ["b", "a", "c", "d"]);

    // a and b finish at the same instant and free c1 and c2 together: they start in
    // declaration order (c2 first), not in the order the completions are noticed; e,
    // ready since the start, waits for a slot behind them.
    let g = graph(&["c2", "c1", "a", "b", "e"], &[("a", "c1"), ("b", "c2")]);
    let (schedule, log, total) = run_timed(&g, 2, |_| STEP, |_| false).await;
    assert!(schedule.all_succeeded());
    assert_eq!(*log.starts.lock().unwrap(), ["a", "b", "c2", "c1", "e"]);
    assert_eq!(total, STEP * 3);
}
