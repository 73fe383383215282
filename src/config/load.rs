//! Loading an environment file: YAML with locations, JSON Schema, typed model, rules.
//!
//! Every stage that can still say something runs, so one pass reports all errors:
//! syntax and structure ([`source`](super::source)), secrets ([`secrets`](super::secrets))
//! and the file name on whatever tree was read; the schema on a complete tree; the typed
//! model and the semantic rules ([`rules`](super::rules)) on a schema-valid one. Nothing
//! panics on any input: every problem becomes a located [`Diagnostic`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::diagnostics::{Diagnostic, FieldPath, Finding};
use super::source::{NodeValue, Source};
use super::{Environment, rules, schema, secrets};

/// A valid environment file.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub file: PathBuf,
    pub env: Environment,
    /// Rule warnings, sorted by location.
    pub warnings: Vec<Diagnostic>,
}

impl Loaded {
    /// The folder paths inside the environment file are relative to: the one holding
    /// the stacks folder (the repository root for `stacks/<env>.yaml`).
    pub fn base_dir(&self) -> PathBuf {
        let stacks_dir = self.file.parent().unwrap_or(Path::new(""));
        match stacks_dir.parent() {
            Some(root) if !root.as_os_str().is_empty() => root.to_owned(),
            _ => PathBuf::from("."),
        }
    }
}

/// Loads the environment file at `path`. An unreadable file gives one diagnostic at 1:1
/// saying what happened and what to do.
pub fn load_file(path: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let at = |line, column, message: String| {
        Err(vec![Diagnostic::new(path, line, column, Finding::error(FieldPath::root(), message))])
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let what = match e.kind() {
                std::io::ErrorKind::NotFound => "check the path (environment files are `stacks/<env>.yaml`)",
                std::io::ErrorKind::PermissionDenied => "check the file's permissions",
                std::io::ErrorKind::IsADirectory => "pass the environment file, not a folder",
                _ => "check that the path names a readable file",
            };
            return at(1, 1, format!("cannot read the file: {e}; {what}"));
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => load_str(path, &text),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let line = valid.matches('\n').count() + 1;
            let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            at(line, column, "the file is not UTF-8 text (invalid byte here); save it as UTF-8".to_owned())
        }
    }
}

/// Loads an environment from `text`, read from `file` (used in diagnostics and for the
/// name check). `Err` holds every diagnostic (warnings too), sorted by location, with at
/// least one error.
pub fn load_str(file: &Path, text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let src = Source::parse(file, text);
    let mut diagnostics = src.diagnostics.clone();

    let hits = src.root.as_ref().map(secrets::scan).unwrap_or_default();
    let flagged: HashSet<FieldPath> = hits.iter().map(|h| h.finding.path.clone()).collect();
    let secret_texts: Vec<&str> = hits.iter().map(|h| h.text.trim()).filter(|t| t.len() >= 6).collect();
    let mut others = Vec::new();

    others.extend(check_name(file, &src));

    let mut env = None;
    if src.complete {
        let json = src.to_json();
        let validation = schema::validate(file, &src, &json, &|p| flagged.contains(p));
        others.extend(validation.diagnostics);
        if validation.valid {
            match serde_json::from_value::<Environment>(json) {
                Ok(e) => {
                    for finding in rules::check(&e) {
                        let (line, column) = src.locate(&finding.path);
                        others.push(Diagnostic::new(file, line, column, finding));
                    }
                    env = Some(e);
                }
                Err(e) => {
                    let message = format!("does not fit the environment model: {e}");
                    others.push(Diagnostic::new(file, 1, 1, Finding::error(FieldPath::root(), message)));
                }
            }
        }
    }

    // No message other than the secret scan's own may repeat a secret it found.
    for mut d in others {
        redact(&mut d, &secret_texts);
        diagnostics.push(d);
    }
    diagnostics.extend(hits.into_iter().map(|h| Diagnostic::new(file, h.line, h.column, h.finding)));

    // By location; at one location errors first, then by message (deterministic).
    diagnostics
        .sort_by(|a, b| (a.line, a.column, a.severity, &a.message).cmp(&(b.line, b.column, b.severity, &b.message)));
    diagnostics.dedup();
    match env {
        Some(env) if !diagnostics.iter().any(Diagnostic::is_error) => {
            Ok(Loaded { file: file.to_owned(), env, warnings: diagnostics })
        }
        _ => {
            if !diagnostics.iter().any(Diagnostic::is_error) {
                // Unreachable by construction (no environment means an error was found);
                // never hand back an `Err` without one.
                let message = "internal error: the file could not be loaded but no error was found; please report this";
                diagnostics.insert(0, Diagnostic::new(file, 1, 1, Finding::error(FieldPath::root(), message)));
            }
            Err(diagnostics)
        }
    }
}

/// `stacks/dev.yaml` must say `name: dev`: stack names come from `name`, the CLI's
/// `--env` from the file name.
fn check_name(file: &Path, src: &Source) -> Option<Diagnostic> {
    let (Some(stem), Some(file_name)) = (file.file_stem(), file.file_name()) else {
        return None;
    };
    let path = FieldPath::root().key("name");
    let NodeValue::Scalar(name) = &src.node(&path)?.value else {
        return None;
    };
    if !name.is_string() || name.text == stem.to_string_lossy() || secrets::credential_kind(&name.text).is_some() {
        return None;
    }
    let message = format!(
        "environment name `{}` does not match the file name `{}`; rename one of them",
        name.text,
        file_name.to_string_lossy()
    );
    let (line, column) = src.locate(&path);
    Some(Diagnostic::new(file, line, column, Finding::error(path, message)))
}

/// Replaces secret texts in a diagnostic's message, and shortens its path to a parent
/// that does not show one.
fn redact(d: &mut Diagnostic, secret_texts: &[&str]) {
    for secret in secret_texts {
        if d.message.contains(secret) {
            d.message = d.message.replace(secret, "<redacted>");
        }
        while d.path.to_string().contains(secret) {
            match d.path.parent() {
                Some(parent) => d.path = parent,
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets_from_messages_and_paths() {
        let mut d = Diagnostic::new(
            Path::new("f"),
            1,
            1,
            Finding::error(FieldPath::root().key("tags").key("AKIAIOSFODNN7EXAMPLE"), "`AKIAIOSFODNN7EXAMPLE` is bad"),
        );
        redact(&mut d, &["AKIAIOSFODNN7EXAMPLE"]);
        assert_eq!(d.to_string(), "f:1:1: tags: `<redacted>` is bad");
    }

    #[test]
    fn empty_file_is_one_located_error() {
        let err = load_str(Path::new("stacks/dev.yaml"), "").unwrap_err();
        let lines: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(lines, ["stacks/dev.yaml:1:1: (document): expected a map, found an empty file"]);
    }

    #[test]
    fn a_scalar_document_is_a_type_error() {
        let err = load_str(Path::new("dev.yaml"), "just text\n").unwrap_err();
        let lines: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(lines, ["dev.yaml:1:1: (document): expected a map, found `just text`"]);
    }
}
