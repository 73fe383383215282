//! `plan`: what applying the rendered stacks would change in the live account.
//! `run` reads the live stacks, diffs them with [`crate::diff`] and confirms impacts
//! with change sets; `model` is the plan format and its danger and security lists;
//! `render` draws it for people.

pub mod exports;
pub mod model;
pub mod names;
pub mod prepare;
pub mod render;
pub mod run;

pub use model::{Danger, Plan, PlanStatus, Preparation, StackPlan, WillFail};
pub use run::{PlanOptions, discard, make_plan, needs_bucket, run_id};
