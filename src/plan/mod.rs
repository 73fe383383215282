//! `plan`: what applying the rendered stacks would change in the live account.
//! The diff engine (`normalize`, `diff`, `impact`) needs no AWS access; `run` reads the
//! live stacks and confirms impacts with change sets (`evidence`), `parameters` compares
//! parameter values; `model` is the plan
//! format and its danger and security lists; `render` draws it for people.

pub mod diff;
pub mod evidence;
pub mod impact;
pub mod model;
pub mod normalize;
pub mod parameters;
pub mod render;
pub mod run;

pub use model::{Danger, Plan, STATEFUL_TYPES, StackPlan, StackStatus};
pub use run::{PlanOptions, make_plan, remedy, run_id};
