//! CloudFormation template limits (AWS CloudFormation User Guide, "Quotas").

use std::fmt;

use crate::cfn::Stack;

/// Largest template body `CreateStack`/`CreateChangeSet` accept inline.
pub const TEMPLATE_BODY_INLINE_MAX: usize = 51_200;
/// Largest template passed by S3 URL.
pub const TEMPLATE_URL_MAX: usize = 1_000_000;
const RESOURCES_MAX: usize = 500;
const OUTPUTS_MAX: usize = 200;
const PARAMETERS_MAX: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitViolation {
    pub stack: String,
    pub what: &'static str,
    pub actual: usize,
    pub limit: usize,
    /// A hard violation cannot be deployed at all.
    hard: bool,
}

impl LimitViolation {
    pub fn is_hard(&self) -> bool {
        self.hard
    }
}

impl fmt::Display for LimitViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hard {
            write!(
                f,
                "stack {}: {} {} exceeds the CloudFormation limit of {}; split the stack or move resources to another one",
                self.stack, self.actual, self.what, self.limit
            )
        } else {
            write!(
                f,
                "stack {}: template is {} bytes, over the {}-byte inline limit; it is deployed from the artifacts bucket (limit {} bytes)",
                self.stack, self.actual, self.limit, TEMPLATE_URL_MAX
            )
        }
    }
}

pub fn check(stack: &Stack, body: &str) -> Vec<LimitViolation> {
    let t = &stack.template;
    let v = |what, actual, limit, hard| LimitViolation { stack: stack.name().to_owned(), what, actual, limit, hard };
    let mut out = Vec::new();
    if t.resource_count() > RESOURCES_MAX {
        out.push(v("resources", t.resource_count(), RESOURCES_MAX, true));
    }
    let outputs = t.outputs().count();
    if outputs > OUTPUTS_MAX {
        out.push(v("outputs", outputs, OUTPUTS_MAX, true));
    }
    if t.parameter_count() > PARAMETERS_MAX {
        out.push(v("parameters", t.parameter_count(), PARAMETERS_MAX, true));
    }
    if body.len() > TEMPLATE_URL_MAX {
        out.push(v("template bytes", body.len(), TEMPLATE_URL_MAX, true));
    } else if body.len() > TEMPLATE_BODY_INLINE_MAX {
        out.push(v("template bytes", body.len(), TEMPLATE_BODY_INLINE_MAX, false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfn::Str;

    #[test]
    fn large_templates_are_noted_and_huge_ones_refused() {
        let stack = Stack::new("x", "matbakh-dev-x".into(), "t");
        assert!(check(&stack, "{}").is_empty());
        let soft = check(&stack, &"a".repeat(TEMPLATE_BODY_INLINE_MAX + 1));
        assert_eq!(soft.len(), 1);
        assert!(!soft[0].is_hard());
        assert!(soft[0].to_string().contains("artifacts bucket"));
        let hard = check(&stack, &"a".repeat(TEMPLATE_URL_MAX + 1));
        assert!(hard[0].is_hard());
    }

    #[test]
    fn too_many_outputs_is_a_hard_violation() {
        let mut stack = Stack::new("x", "matbakh-dev-x".into(), "t");
        for i in 0..=OUTPUTS_MAX {
            stack.output(&format!("O{i}"), "d", Str::lit("v"));
        }
        let found = check(&stack, "{}");
        assert_eq!(found.len(), 1);
        assert!(found[0].is_hard() && found[0].to_string().contains("201 outputs"));
    }
}
