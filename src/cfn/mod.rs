//! The low-level, typed CloudFormation layer: expressions, templates, stacks,
//! resource property types and the registry facts about them. Nothing here knows
//! the matbakh design; `crate::constructs` builds the design out of these parts.

pub mod expr;
pub mod registry;
pub mod resources;
pub mod stack;
pub mod template;

pub use expr::{List, LogicalId, Pseudo, Str};
pub use stack::{Export, ListExport, Stack};
pub use template::{
    DeletionPolicy, Handle, HasAttributes, ListParamHandle, Output, ParamHandle, Parameter, Resource, ResourceOptions,
    Template,
};
