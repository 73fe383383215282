//! Loading an environment file: YAML with locations, JSON Schema, typed model, rules,
//! asset paths.
//!
//! Every stage that can still say something runs, so one pass reports all errors:
//! syntax and structure ([`source`](super::source)), secrets ([`secrets`](super::secrets)),
//! the file name and the asset paths on whatever tree was read; the schema on a complete
//! tree; the semantic rules ([`rules`](super::rules)) on each top-level section the
//! schema found no error in, and the typed model when there is no error at all. Nothing
//! panics on any input: every problem becomes a located [`Diagnostic`]. Time and memory
//! are linear in the input, which is capped at [`MAX_FILE_BYTES`].

use std::collections::HashSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, MatchKind};

use super::diagnostics::{Diagnostic, FieldPath, Finding, Segment};
use super::rules::Sections;
use super::source::{Node, NodeValue, Source};
use super::{Environment, rules, schema, secrets};
use crate::assets::{self, Expect};

/// The largest environment file accepted (1 MiB; the real ones are about 20 KiB).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The fields that name code in the repository: a path pattern (`*`: every list item)
/// and what it must name.
const ASSET_FIELDS: [(&[&str], Expect); 4] = [
    (&["functions", "definitions", "*", "code"], Expect::Folder),
    (&["functions", "layers", "*", "path"], Expect::Folder),
    (&["datalake", "etl", "script"], Expect::File),
    (&["database", "bootstrap", "migrations"], Expect::Folder),
];

/// A valid environment file.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub file: PathBuf,
    pub env: Environment,
    /// Rule warnings, sorted by location.
    pub warnings: Vec<Diagnostic>,
}

impl Loaded {
    /// The folder paths inside the environment file are relative to: the repository root.
    pub fn base_dir(&self) -> PathBuf {
        repository_root(&self.file)
    }
}

/// The repository root of an environment file: the folder holding its stacks folder
/// (`/repo` for `/repo/stacks/dev.yaml`), as an absolute path so it does not depend on
/// the working directory.
pub fn repository_root(file: &Path) -> PathBuf {
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
    let stacks_dir = file.parent().unwrap_or(Path::new("/"));
    stacks_dir.parent().unwrap_or(stacks_dir).to_owned()
}

/// Loads the environment file at `path`, checking the asset paths it names against its
/// repository root. An unreadable or oversized file gives one diagnostic at 1:1 saying
/// what happened and what to do.
pub fn load_file(path: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let at = |line, column, message: String| {
        Err(vec![Diagnostic::new(path, line, column, Finding::error(FieldPath::root(), message))])
    };
    let mut bytes = Vec::new();
    // Read one byte past the cap, never the whole of an oversized file.
    let read = std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        let what = match e.kind() {
            std::io::ErrorKind::NotFound => "check the path (environment files are `stacks/<env>.yaml`)",
            std::io::ErrorKind::PermissionDenied => "check the file's permissions",
            std::io::ErrorKind::IsADirectory => "pass the environment file, not a folder",
            _ => "check that the path names a readable file",
        };
        return at(1, 1, format!("cannot read the file: {e}; {what}"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return at(1, 1, too_large_message());
    }
    match String::from_utf8(bytes) {
        Ok(text) => load_text(path, &text, Some(&repository_root(path))),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let line = valid.matches('\n').count() + 1;
            let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            at(line, column, "the file is not UTF-8 text (invalid byte here); save it as UTF-8".to_owned())
        }
    }
}

fn too_large_message() -> String {
    format!(
        "the file is larger than {MAX_FILE_BYTES} bytes (1 MiB), the limit for an environment file; an environment \
         needs far less (the shipped ones are about 20 KiB): remove what does not belong in it"
    )
}

/// Loads an environment from `text`, read from `file` (used in diagnostics and for the
/// name check), without looking at the asset paths it names. `Err` holds every
/// diagnostic (warnings too), sorted by location, with at least one error.
pub fn load_str(file: &Path, text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    load_text(file, text, None)
}

/// [`load_str`], and with `assets_root` the asset paths checked against that root.
fn load_text(file: &Path, text: &str, assets_root: Option<&Path>) -> Result<Loaded, Vec<Diagnostic>> {
    if text.len() > MAX_FILE_BYTES {
        return Err(vec![Diagnostic::new(file, 1, 1, Finding::error(FieldPath::root(), too_large_message()))]);
    }
    let src = Source::parse(file, text);
    let mut diagnostics = src.diagnostics.clone();

    let hits = src.root.as_ref().map(secrets::scan).unwrap_or_default();
    let flagged: HashSet<FieldPath> = hits.iter().map(|h| h.finding.path.clone()).collect();
    let secret_texts: HashSet<&str> = hits.iter().map(|h| h.text.trim()).filter(|t| t.len() >= 6).collect();
    let mut others = Vec::new();

    others.extend(check_name(file, &src));
    if let (Some(root), Some(tree)) = (assets_root, &src.root) {
        others.extend(check_assets(file, &src, tree, root));
    }

    let mut env = None;
    if src.complete {
        let json = src.to_json();
        let validation = schema::validate(file, &src, &json, &|p| flagged.contains(p));
        // A top-level section with a structure or schema error has no typed form; the
        // rules of every other section still run.
        let tainted: HashSet<&str> = src
            .diagnostics
            .iter()
            .chain(&validation.diagnostics)
            .filter(|d| d.is_error())
            .filter_map(|d| match d.path.segments().first() {
                Some(Segment::Key(k)) => Some(k.as_str()),
                _ => None,
            })
            .collect();
        let invalid = |name: &str| src.node(&FieldPath::root().key(name)).is_some_and(contains_invalid);
        let sections = Sections::from_json(&json, |name| !tainted.contains(name) && !invalid(name));
        // At a flagged value the secret scan has said what matters.
        for finding in rules::check_sections(&sections).into_iter().filter(|f| !flagged.contains(&f.path)) {
            let (line, column) = src.locate(&finding.path);
            others.push(Diagnostic::new(file, line, column, finding));
        }
        others.extend(validation.diagnostics.iter().cloned());
        if validation.valid {
            match serde_json::from_value::<Environment>(json) {
                Ok(e) => env = Some(e),
                Err(e) => {
                    let message = format!("does not fit the environment model: {e}");
                    others.push(Diagnostic::new(file, 1, 1, Finding::error(FieldPath::root(), message)));
                }
            }
        }
    }

    // No message other than the secret scan's own may repeat a secret it found.
    let redactor = Redactor::new(secret_texts.into_iter());
    for mut d in others {
        redactor.redact(&mut d);
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

/// Whether a value already reported as unsupported (an alias, a tag) is at or under `node`.
fn contains_invalid(node: &Node) -> bool {
    match &node.value {
        NodeValue::Invalid => true,
        NodeValue::Scalar(_) => false,
        NodeValue::Seq(items) => items.iter().any(contains_invalid),
        NodeValue::Map(entries) => entries.iter().any(|e| contains_invalid(&e.value)),
    }
}

/// The asset paths the tree names (string values at [`ASSET_FIELDS`]) that do not
/// resolve to a folder or file inside the repository `root`, located at the value.
fn check_assets(file: &Path, src: &Source, tree: &Node, root: &Path) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (pattern, expect) in ASSET_FIELDS {
        let mut paths = Vec::new();
        expand(tree, pattern, FieldPath::root(), &mut paths);
        for (path, node) in paths {
            let NodeValue::Scalar(scalar) = &node.value else { continue };
            if !scalar.is_string() || scalar.text.is_empty() {
                continue; // the schema reports what is not a path
            }
            if let Err(e) = assets::check(root, &scalar.text, expect) {
                let (line, column) = src.locate(&path);
                found.push(Diagnostic::new(file, line, column, Finding::error(path, e.to_string())));
            }
        }
    }
    found
}

/// The nodes under `node` matching `pattern` (`*`: every item of a list), with their paths.
fn expand<'a>(node: &'a Node, pattern: &[&str], path: FieldPath, out: &mut Vec<(FieldPath, &'a Node)>) {
    let Some((first, rest)) = pattern.split_first() else {
        out.push((path, node));
        return;
    };
    match (&node.value, *first) {
        (NodeValue::Seq(items), "*") => {
            for (i, item) in items.iter().enumerate() {
                expand(item, rest, path.clone().index(i), out);
            }
        }
        (NodeValue::Map(entries), key) if key != "*" => {
            if let Some(entry) = entries.get(key) {
                expand(&entry.value, rest, path.key(key), out);
            }
        }
        _ => {}
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

/// Keeps secret texts out of diagnostics: one automaton over all of them, so redacting
/// N diagnostics against M secrets is linear in their lengths, not N × M.
struct Redactor {
    secrets: Option<AhoCorasick>,
    /// `<redacted>` once per secret, as `replace_all` wants it.
    replacements: Vec<&'static str>,
}

impl Redactor {
    fn new<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        let texts: Vec<&str> = texts.collect();
        let secrets = if texts.is_empty() {
            None
        } else {
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&texts).ok()
        };
        Redactor { secrets, replacements: vec!["<redacted>"; texts.len()] }
    }

    /// Replaces secret texts in a diagnostic's message, and shortens its path to a
    /// parent that does not show one.
    fn redact(&self, d: &mut Diagnostic) {
        let Some(secrets) = &self.secrets else { return };
        if secrets.is_match(&d.message) {
            d.message = secrets.replace_all(&d.message, &self.replacements);
        }
        while secrets.is_match(&d.path.to_string()) {
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
        Redactor::new(["AKIAIOSFODNN7EXAMPLE"].into_iter()).redact(&mut d);
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
