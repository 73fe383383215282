//! `plan`: what applying the rendered stacks would change in the live account.
//! The diff engine (`normalize`, `diff`, `impact`) needs no AWS access.

pub mod diff;
pub mod impact;
pub mod normalize;
