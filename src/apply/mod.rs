//! `apply`: deploying the rendered stacks. [`schedule`] runs per-stack work in the order
//! of the stack dependency graph with bounded parallelism (it knows nothing about
//! CloudFormation); [`deploy`] is one stack's change-set flow; [`run`] ties them together
//! behind the bootstrap stack; [`progress`] shows it; [`saved_plan`] checks that a
//! saved plan still describes the account. What is safe to execute is decided by
//! [`crate::safety`].

pub mod deploy;
pub mod events;
pub mod progress;
pub mod run;
pub mod saved_plan;
pub mod schedule;

pub use deploy::{Deployed, StackFailure};
pub use run::{ApplyOptions, ApplyReport, apply};
pub use schedule::{DEFAULT_CONCURRENCY, Schedule, StackOutcome, Summary, run as run_schedule};
