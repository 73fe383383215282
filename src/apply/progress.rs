//! What apply tells the user while it runs, as typed events, and the three ways to show
//! them: progress bars on a terminal (one line per running stack, like rain), plain
//! timestamped lines in CI or a pipe, and JSON lines for machines (`--output json`).
//! Also the one progress line of plan's and drift's reads ([`ReadBar`]): the terminal
//! drawing of the tool lives here.

use crate::aws::status::StackStatus;
use crate::live::{ReadProgress, ReadStep, Silent};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::aws::cloudformation::LiveOutput;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ApplyEvent {
    AssetUploaded {
        stack: String,
        key: String,
        bytes: usize,
    },
    AssetPresent {
        stack: String,
        key: String,
    },
    /// A change set was created for the stack; `total` resources will be touched.
    ChangeSet {
        stack: String,
        kind: &'static str,
        add: usize,
        modify: usize,
        remove: usize,
        total: usize,
    },
    NoChanges {
        stack: String,
    },
    Executing {
        stack: String,
    },
    /// A resource event of the running operation.
    Resource {
        stack: String,
        logical_id: String,
        resource_type: String,
        status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        done: usize,
        total: usize,
    },
    Protection {
        stack: String,
        action: String,
    },
    Warning {
        stack: String,
        message: String,
    },
    Succeeded {
        stack: String,
        status: StackStatus,
        seconds: f64,
        outputs: Vec<LiveOutput>,
    },
    Failed {
        stack: String,
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        resource: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        remedy: Option<String>,
    },
    NotStarted {
        stack: String,
        blocked_by: Vec<String>,
    },
}

impl ApplyEvent {
    pub fn stack(&self) -> &str {
        match self {
            ApplyEvent::AssetUploaded { stack, .. }
            | ApplyEvent::AssetPresent { stack, .. }
            | ApplyEvent::ChangeSet { stack, .. }
            | ApplyEvent::NoChanges { stack }
            | ApplyEvent::Executing { stack }
            | ApplyEvent::Resource { stack, .. }
            | ApplyEvent::Protection { stack, .. }
            | ApplyEvent::Warning { stack, .. }
            | ApplyEvent::Succeeded { stack, .. }
            | ApplyEvent::Failed { stack, .. }
            | ApplyEvent::NotStarted { stack, .. } => stack,
        }
    }

    /// One line of text, without the stack name.
    pub fn describe(&self) -> String {
        match self {
            ApplyEvent::AssetUploaded { key, bytes, .. } => format!("uploaded {key} ({bytes} bytes)"),
            ApplyEvent::AssetPresent { key, .. } => format!("{key} already uploaded"),
            ApplyEvent::ChangeSet { kind, add, modify, remove, .. } => {
                format!("change set ({kind}): {add} to add, {modify} to modify, {remove} to remove")
            }
            ApplyEvent::NoChanges { .. } => "no changes".into(),
            ApplyEvent::Executing { .. } => "executing the change set".into(),
            ApplyEvent::Resource { logical_id, resource_type, status, reason, done, total, .. } => {
                let reason = reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
                format!("[{done}/{total}] {logical_id} ({resource_type}) {status}{reason}")
            }
            ApplyEvent::Protection { action, .. } => action.clone(),
            ApplyEvent::Warning { message, .. } => format!("warning: {message}"),
            ApplyEvent::Succeeded { status, seconds, outputs, .. } => {
                format!("{status} in {seconds:.1} s ({} outputs)", outputs.len())
            }
            ApplyEvent::Failed { reason, resource, remedy, .. } => {
                let mut text = match resource {
                    Some(r) => format!("FAILED at {r}: {reason}"),
                    None => format!("FAILED: {reason}"),
                };
                if let Some(remedy) = remedy {
                    text.push_str(&format!("\n    to recover: {remedy}"));
                }
                text
            }
            ApplyEvent::NotStarted { blocked_by, .. } => {
                format!("not started: {} did not succeed", blocked_by.join(", "))
            }
        }
    }
}

/// Receives apply's events as they happen.
pub trait Progress: Send + Sync {
    fn emit(&self, event: ApplyEvent);
}

/// `--output json`: one JSON object per line on stdout.
pub struct JsonLines;

impl Progress for JsonLines {
    fn emit(&self, event: ApplyEvent) {
        let mut value = serde_json::to_value(&event).expect("event serializes");
        value["time"] = serde_json::Value::String(now_rfc3339());
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{value}");
    }
}

/// CI and pipes: `2026-11-25T04:59:00Z matbakh-dev-network  created …`
pub struct PlainLines;

impl Progress for PlainLines {
    fn emit(&self, event: ApplyEvent) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{} {:<26} {}", now_rfc3339(), event.stack(), event.describe());
    }
}

/// A terminal: one progress line per running stack, ending in its one-line result.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, StackBar>>,
}

/// One stack's line, and whether a resource of it has failed: from then on the stack
/// rolls back, and the rollback's own completed events must not fill the bar.
#[derive(Clone)]
struct StackBar {
    bar: ProgressBar,
    failing: bool,
}

impl Default for Bars {
    fn default() -> Self {
        Bars::drawing_to(ProgressDrawTarget::stderr())
    }
}

impl Bars {
    fn drawing_to(target: ProgressDrawTarget) -> Self {
        Bars { multi: MultiProgress::with_draw_target(target), bars: Mutex::new(HashMap::new()) }
    }

    /// Runs `f` on the stack's line, made on first use.
    fn with_bar<T>(&self, stack: &str, f: impl FnOnce(&mut StackBar) -> T) -> T {
        let mut bars = self.bars.lock().expect("progress lock");
        let entry = bars.entry(stack.to_owned()).or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new(0));
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {prefix:26} {bar:20} {pos:>3}/{len:<3} {elapsed:>4} {wide_msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(stack.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            StackBar { bar, failing: false }
        });
        f(entry)
    }
}

impl Progress for Bars {
    fn emit(&self, event: ApplyEvent) {
        let stack = event.stack().to_owned();
        match &event {
            ApplyEvent::ChangeSet { total, .. } => self.with_bar(&stack, |b| {
                b.bar.set_length(*total as u64);
                b.bar.set_message(event.describe());
            }),
            ApplyEvent::Resource { logical_id, status, done, total, .. } => self.with_bar(&stack, |b| {
                b.failing |= status.ends_with("_FAILED");
                b.bar.set_length(*total as u64);
                if !b.failing {
                    b.bar.set_position(*done as u64);
                }
                b.bar.set_message(format!("{logical_id} {status}"));
            }),
            // Finishing fills the bar: only a stack that made it all the way.
            ApplyEvent::Succeeded { .. } | ApplyEvent::NoChanges { .. } => {
                self.with_bar(&stack, |b| b.bar.finish_with_message(event.describe()))
            }
            // A failed stack keeps the count it reached before its first failure.
            ApplyEvent::Failed { .. } => self.with_bar(&stack, |b| {
                b.failing = true;
                b.bar.abandon_with_message(event.describe());
            }),
            ApplyEvent::NotStarted { .. } | ApplyEvent::Warning { .. } => {
                let _ = self.multi.println(format!("{stack:<26} {}", event.describe()));
            }
            _ => self.with_bar(&stack, |b| b.bar.set_message(event.describe())),
        }
    }
}

/// Bars only on an interactive terminal outside CI (`CI=true` logs get plain lines).
pub fn draws_bars() -> bool {
    std::io::stderr().is_terminal() && std::env::var("CI").map_or(true, |v| v != "true" && v != "1")
}

/// How plan, apply and drift show their reads: a progress line on stderr when it is a terminal
/// and the result is for people (`--output human`); nothing for JSON or markdown, or
/// when stderr is piped.
pub fn read_progress(for_people: bool) -> Arc<dyn ReadProgress> {
    if for_people && draws_bars() {
        Arc::new(ReadBar::drawing_to(ProgressDrawTarget::stderr()))
    } else {
        Arc::new(Silent)
    }
}

/// One spinner line counting each step of the reads:
/// `⠋ 4s stacks read 10/10 · drift detections 3/10 · resources checked 57/120`.
pub struct ReadBar {
    bar: ProgressBar,
    /// Each step started so far, in order: (step, done, total).
    steps: Mutex<Vec<(ReadStep, usize, usize)>>,
}

impl ReadBar {
    fn drawing_to(target: ProgressDrawTarget) -> Self {
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(ProgressStyle::with_template("{spinner} {elapsed:>3} {wide_msg}").expect("valid template"));
        bar.enable_steady_tick(Duration::from_millis(120));
        ReadBar { bar, steps: Mutex::new(Vec::new()) }
    }

    fn update(&self, change: impl FnOnce(&mut Vec<(ReadStep, usize, usize)>)) {
        let mut steps = self.steps.lock().expect("progress lock");
        change(&mut steps);
        let parts: Vec<String> =
            steps.iter().map(|(step, done, total)| format!("{} {done}/{total}", step.label())).collect();
        self.bar.set_message(parts.join(" · "));
    }
}

impl ReadProgress for ReadBar {
    fn start(&self, step: ReadStep, total: usize) {
        self.update(|steps| match steps.iter_mut().find(|(s, _, _)| *s == step) {
            Some(entry) => *entry = (step, 0, total),
            None => steps.push((step, 0, total)),
        });
    }

    fn advance(&self, step: ReadStep, count: usize) {
        self.update(|steps| {
            if let Some((_, done, total)) = steps.iter_mut().find(|(s, _, _)| *s == step) {
                *done = (*done + count).min(*total);
            }
        });
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for ReadBar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Collects events (tests, and the summary at the end).
#[derive(Default)]
pub struct Recorder {
    pub events: Mutex<Vec<ApplyEvent>>,
}

impl Progress for Recorder {
    fn emit(&self, event: ApplyEvent) {
        self.events.lock().expect("recorder lock").push(event);
    }
}

/// Passes every event to two receivers.
pub struct Tee<'a, A: Progress, B: Progress>(pub &'a A, pub &'a B);

impl<A: Progress, B: Progress> Progress for Tee<'_, A, B> {
    fn emit(&self, event: ApplyEvent) {
        self.0.emit(event.clone());
        self.1.emit(event);
    }
}

pub fn now_rfc3339() -> String {
    aws_sdk_cloudformation::primitives::DateTime::from(SystemTime::now())
        .fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(logical_id: &str, status: &str, done: usize) -> ApplyEvent {
        ApplyEvent::Resource {
            stack: "matbakh-dev-data".into(),
            logical_id: logical_id.into(),
            resource_type: "AWS::KMS::Key".into(),
            status: status.into(),
            reason: None,
            done,
            total: 7,
        }
    }

    fn bar(bars: &Bars) -> ProgressBar {
        bars.bars.lock().unwrap()["matbakh-dev-data"].bar.clone()
    }

    // Real behaviour: a failed create rolls back; the rollback's DELETE_COMPLETE events
    // count as completed states, so the done count climbs to the total while the stack
    // fails (7/7 on a stack that got 3 resources in).
    #[test]
    fn a_failed_stack_keeps_how_far_it_got_and_says_it_failed() {
        let bars = Bars::drawing_to(ProgressDrawTarget::hidden());
        let stack = || "matbakh-dev-data".to_owned();
        bars.emit(ApplyEvent::ChangeSet { stack: stack(), kind: "create", add: 7, modify: 0, remove: 0, total: 7 });
        for (i, id) in ["A", "B", "C"].iter().enumerate() {
            bars.emit(resource(id, "CREATE_COMPLETE", i + 1));
        }
        bars.emit(resource("Db", "CREATE_FAILED", 3));
        for done in 4..=7 {
            bars.emit(resource("A", "DELETE_COMPLETE", done));
        }
        assert_eq!(bar(&bars).position(), 3, "the rollback does not fill the bar");
        bars.emit(ApplyEvent::Failed {
            stack: stack(),
            reason: "DBInstance quota exceeded".into(),
            resource: Some("Db".into()),
            remedy: None,
        });
        let bar = bar(&bars);
        assert_eq!((bar.position(), bar.length()), (3, Some(7)));
        assert!(bar.is_finished());
        assert!(bar.message().starts_with("FAILED at Db: DBInstance quota exceeded"), "{}", bar.message());
    }

    #[test]
    fn the_read_line_counts_each_step_and_goes_away_when_done() {
        let line = ReadBar::drawing_to(ProgressDrawTarget::hidden());
        line.start(ReadStep::StacksRead, 10);
        line.start(ReadStep::DriftDetections, 10);
        for _ in 0..10 {
            line.advance(ReadStep::StacksRead, 1);
        }
        line.advance(ReadStep::DriftDetections, 3);
        line.start(ReadStep::ResourcesChecked, 120);
        line.advance(ReadStep::ResourcesChecked, 57);
        assert_eq!(line.bar.message(), "stacks read 10/10 · drift detections 3/10 · resources checked 57/120");
        line.finish();
        assert!(line.bar.is_finished());
    }

    #[test]
    fn a_stack_that_succeeds_fills_its_bar() {
        let bars = Bars::drawing_to(ProgressDrawTarget::hidden());
        bars.emit(ApplyEvent::ChangeSet {
            stack: "matbakh-dev-data".into(),
            kind: "update",
            add: 0,
            modify: 7,
            remove: 0,
            total: 7,
        });
        bars.emit(resource("A", "UPDATE_COMPLETE", 5));
        bars.emit(ApplyEvent::Succeeded {
            stack: "matbakh-dev-data".into(),
            status: "UPDATE_COMPLETE".into(),
            seconds: 1.0,
            outputs: Vec::new(),
        });
        assert_eq!(bar(&bars).position(), 7);
    }
}
