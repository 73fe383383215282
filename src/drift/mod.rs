//! `drift`: does the live account still match the code? Read-only.
//!
//! `expected` evaluates the rendered templates against the live stacks (parameters,
//! physical ids, exports); `compare` knows which properties each type manages and how
//! to compare them; the readers in [`crate::aws::services`] fetch live values;
//! `cfn_detect` adds CloudFormation's own drift detection where the endpoint has it;
//! `ignore` applies the reviewed list of accepted differences; `run` does all reads
//! concurrently; `model` is the report (format_version 1) and `render` draws it.

pub mod cfn_detect;
pub mod compare;
pub mod expected;
pub mod ignore;
pub mod model;
pub mod render;
pub mod run;

pub use model::{DriftReport, ResourceStatus, exit_status};
pub use run::{DriftOptions, make_drift};
