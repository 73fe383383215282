//! What apply tells the user while it runs, as typed events, and the three ways to show
//! them: progress bars on a terminal (one line per running stack, like rain), plain
//! timestamped lines in CI or a pipe, and JSON lines for machines (`--output json`).

use crate::aws::status::StackStatus;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
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
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Default for Bars {
    fn default() -> Self {
        Bars { multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()), bars: Mutex::new(HashMap::new()) }
    }
}

impl Bars {
    fn bar(&self, stack: &str) -> ProgressBar {
        let mut bars = self.bars.lock().expect("progress lock");
        bars.entry(stack.to_owned())
            .or_insert_with(|| {
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
                bar
            })
            .clone()
    }
}

impl Progress for Bars {
    fn emit(&self, event: ApplyEvent) {
        let stack = event.stack().to_owned();
        match &event {
            ApplyEvent::ChangeSet { total, .. } => {
                let bar = self.bar(&stack);
                bar.set_length(*total as u64);
                bar.set_message(event.describe());
            }
            ApplyEvent::Resource { logical_id, status, done, total, .. } => {
                let bar = self.bar(&stack);
                bar.set_length(*total as u64);
                bar.set_position(*done as u64);
                bar.set_message(format!("{logical_id} {status}"));
            }
            ApplyEvent::Succeeded { .. } | ApplyEvent::NoChanges { .. } | ApplyEvent::Failed { .. } => {
                let bar = self.bar(&stack);
                if let ApplyEvent::Succeeded { .. } = event {
                    bar.set_position(bar.length().unwrap_or(0));
                }
                bar.finish_with_message(event.describe());
            }
            ApplyEvent::NotStarted { .. } | ApplyEvent::Warning { .. } => {
                let _ = self.multi.println(format!("{stack:<26} {}", event.describe()));
            }
            _ => self.bar(&stack).set_message(event.describe()),
        }
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
