//! `apply`: deploying the rendered stacks. [`schedule`] runs per-stack work in the order
//! of the stack dependency graph with bounded parallelism; it knows nothing about
//! CloudFormation.

pub mod schedule;

pub use schedule::{DEFAULT_CONCURRENCY, Schedule, StackOutcome, Summary, run};
