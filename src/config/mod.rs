//! The per-environment configuration: its types (the YAML contract), loading with
//! located errors, JSON Schema generation and the semantic rules.

pub mod diagnostics;
pub mod load;
pub mod model;
pub mod rules;
pub mod schema;
pub mod secrets;
pub mod source;

pub use diagnostics::{Diagnostic, FieldPath, Finding, Severity};
pub use model::Environment;
