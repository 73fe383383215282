//! `apply`: deploying the rendered stacks. [`schedule`] runs per-stack work in the order
//! of the stack dependency graph with bounded parallelism (it knows nothing about
//! CloudFormation); [`deploy`] is one stack's change-set flow; [`run`] ties them together
//! behind the bootstrap stack; [`progress`] shows it; [`protection`] and [`saved_plan`]
//! are the safety checks.

pub mod deploy;
pub mod events;
pub mod progress;
pub mod protection;
pub mod run;
pub mod saved_plan;
pub mod schedule;

pub use deploy::{Deployed, StackFailure};
pub use run::{ApplyOptions, ApplyReport, apply};
pub use schedule::{DEFAULT_CONCURRENCY, Schedule, StackOutcome, Summary, run as run_schedule};
