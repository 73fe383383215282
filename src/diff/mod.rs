//! The template diff engine: what changes between a deployed template and a rendered
//! one, and how (`changes`, `impact`), after normalizing both (`normalize`); what a
//! change set adds to that verdict (`evidence`); parameter values (`parameters`); and
//! the view of a diff for people (`render`), and what an access-relevant resource
//! allows, in words (`access`). Needs no AWS access; plan, apply and
//! drift all use it.

pub mod access;
pub mod changes;
pub mod evidence;
pub mod impact;
pub mod normalize;
pub mod parameters;
pub mod render;

pub use changes::{Action, EntryChange, PropertyChange, ResourceChange, TemplateDiff, diff_templates};
pub use impact::Impact;
pub use normalize::parse_template;
pub use parameters::{ParameterValueChange, parameter_values};
