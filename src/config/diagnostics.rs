//! Located findings about a configuration file: what is wrong, where, and what is allowed.

use std::fmt;
use std::path::{Path, PathBuf};

/// A path to a field in the configuration, e.g. `database.read_replicas[1].availability_zone`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(Vec<Segment>);

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl FieldPath {
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// Parses `a.b[2].c` (keys may not contain `.` or `[`; use [`FieldPath::key`] for those).
    pub fn parse(path: &str) -> Self {
        let mut segments = Vec::new();
        for part in path.split('.').filter(|p| !p.is_empty()) {
            let mut rest = part;
            if let Some(i) = rest.find('[') {
                if i > 0 {
                    segments.push(Segment::Key(rest[..i].to_owned()));
                }
                rest = &rest[i..];
                while let Some(end) = rest.find(']') {
                    if let Ok(n) = rest[1..end].parse() {
                        segments.push(Segment::Index(n));
                    }
                    rest = &rest[end + 1..];
                }
            } else {
                segments.push(Segment::Key(rest.to_owned()));
            }
        }
        FieldPath(segments)
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.push(Segment::Key(key.into()));
        self
    }

    pub fn index(mut self, index: usize) -> Self {
        self.0.push(Segment::Index(index));
        self
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    pub fn parent(&self) -> Option<FieldPath> {
        (!self.0.is_empty()).then(|| FieldPath(self.0[..self.0.len() - 1].to_vec()))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// What a semantic rule found, before it is located in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub path: FieldPath,
    /// What is wrong, and what is allowed.
    pub message: String,
}

impl Finding {
    pub fn error(path: FieldPath, message: impl Into<String>) -> Self {
        Finding { severity: Severity::Error, path, message: message.into() }
    }

    pub fn warning(path: FieldPath, message: impl Into<String>) -> Self {
        Finding { severity: Severity::Warning, path, message: message.into() }
    }
}

/// A finding located in a file. Displays as `FILE:LINE:COLUMN: <field path>: <message>`
/// (warnings: `FILE:LINE:COLUMN: <field path>: warning: <message>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based.
    pub column: usize,
    pub path: FieldPath,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: &Path, line: usize, column: usize, finding: Finding) -> Self {
        Diagnostic {
            severity: finding.severity,
            file: file.to_owned(),
            line,
            column,
            path: finding.path,
            message: finding.message,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic in `validate --output json` (format version 1): file, line, column,
    /// field path, severity (`error` or `warning`) and message.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "file": self.file.display().to_string(),
            "line": self.line,
            "column": self.column,
            "path": self.path.to_string(),
            "severity": self.severity.as_str(),
            "message": self.message,
        })
    }
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}: ", self.file.display(), self.line, self.column, self.path)?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_parse_and_display() {
        let p = FieldPath::parse("database.read_replicas[1].availability_zone");
        assert_eq!(p, FieldPath::root().key("database").key("read_replicas").index(1).key("availability_zone"));
        assert_eq!(p.to_string(), "database.read_replicas[1].availability_zone");
        assert_eq!(p.parent().unwrap().to_string(), "database.read_replicas[1]");
        assert_eq!(FieldPath::root().to_string(), "(document)");
    }

    #[test]
    fn diagnostics_display_file_line_column_path_message() {
        let d = Diagnostic::new(
            Path::new("stacks/dev.yaml"),
            3,
            5,
            Finding::error(FieldPath::parse("cache.shards"), "bad"),
        );
        assert_eq!(d.to_string(), "stacks/dev.yaml:3:5: cache.shards: bad");
        let w = Diagnostic::new(Path::new("f"), 1, 1, Finding::warning(FieldPath::parse("a"), "old"));
        assert_eq!(w.to_string(), "f:1:1: a: warning: old");
    }
}
