//! What the rule tests share: `stacks/prod.yaml` as the environment to mutate, one
//! section's rules run on it, and assertions on the findings they return.

use super::Sections;
use crate::config::{Environment, Finding, Severity};

/// The environment of `stacks/prod.yaml`, which every rule accepts.
pub fn prod_env() -> Environment {
    serde_yaml::from_str(include_str!("../../../stacks/prod.yaml")).expect("stacks/prod.yaml deserializes")
}

/// `prod_env()` changed by `edit`.
pub fn prod_with(edit: impl FnOnce(&mut Environment)) -> Environment {
    let mut env = prod_env();
    edit(&mut env);
    env
}

/// The findings of one section's `check` on `env`.
pub fn findings_of(check: fn(&Sections, &mut Vec<Finding>), env: &Environment) -> Vec<Finding> {
    let mut out = Vec::new();
    check(&Sections::of(env), &mut out);
    out
}

/// The findings of one section's `check` on `prod_env()` changed by `edit`.
pub fn findings(check: fn(&Sections, &mut Vec<Finding>), edit: impl FnOnce(&mut Environment)) -> Vec<Finding> {
    findings_of(check, &prod_with(edit))
}

/// The findings are exactly `expected`, in order: severity, path, words the message contains.
#[track_caller]
pub fn assert_findings(found: &[Finding], expected: &[(Severity, &str, &[&str])]) {
    let show =
        |f: &[Finding]| f.iter().map(|f| format!("{:?} {}: {}", f.severity, f.path, f.message)).collect::<Vec<_>>();
    assert_eq!(found.len(), expected.len(), "findings: {:#?}", show(found));
    for (finding, (severity, path, words)) in found.iter().zip(expected) {
        assert_eq!(finding.severity, *severity, "{}: {}", finding.path, finding.message);
        assert_eq!(finding.path.to_string(), *path, "{}", finding.message);
        for word in *words {
            assert!(finding.message.contains(word), "message {:?} lacks {word:?}", finding.message);
        }
    }
}

/// Exactly one finding: its severity, path and words of its message.
#[track_caller]
pub fn assert_one(found: &[Finding], severity: Severity, path: &str, words: &[&str]) {
    assert_findings(found, &[(severity, path, words)]);
}

/// Exactly one finding: an error at `path` whose message contains `words`.
#[track_caller]
pub fn assert_error(found: &[Finding], path: &str, words: &[&str]) {
    assert_one(found, Severity::Error, path, words);
}

/// Exactly one finding: a warning at `path` whose message contains `words`.
#[track_caller]
pub fn assert_warning(found: &[Finding], path: &str, words: &[&str]) {
    assert_one(found, Severity::Warning, path, words);
}
