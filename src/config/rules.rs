//! Semantic rules: what the JSON Schema cannot say about an environment.

use super::{Environment, Finding};

/// Every semantic finding about an environment, errors and warnings.
pub fn check(env: &Environment) -> Vec<Finding> {
    let _ = env;
    Vec::new()
}
