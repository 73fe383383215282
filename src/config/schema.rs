//! The JSON Schema of an environment file, generated from [`Environment`].
//!
//! `schemas/environment.schema.json` is this schema, checked in so editors (the YAML
//! language server) can offer completion and validation; `matbakh-infra schema`
//! rewrites it and a test fails when it is stale.

use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::{Location, LocationSegment};
use jsonschema::{Draft, JsonType, ValidationError, Validator};
use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use serde_json::Value;

use super::Environment;
use super::diagnostics::{Diagnostic, FieldPath, Finding, Segment};
use super::model::values;
use super::secrets;
use super::source::{Node, NodeValue, Resolved, ScalarStyle, Source, resolve_plain};

/// The schema as a JSON value (JSON Schema draft 2020-12), made for editors too: see
/// [`for_editors`].
pub fn environment_schema() -> Value {
    SchemaSettings::draft2020_12()
        .with_transform(RecursiveTransform(for_editors))
        .into_generator()
        .into_root_schema_for::<Environment>()
        .to_value()
}

/// What the YAML language server needs beyond what schemars emits:
///
/// - No `"default": null` (schemars writes it for `Option` fields with
///   `#[serde(default)]`). When the language server builds the snippet of an object
///   (completing `database:` inserts its fields), it turns each optional field's
///   default into a YAML string and fails on `null`; the failure ends the whole
///   completion, so every key after the first such object went missing. Leaving the
///   default out means the same thing: the field may be omitted.
/// - A `title` on every property, its key: hover shows the closest title, which was the
///   root's `Environment` for every field.
fn for_editors(schema: &mut Schema) {
    if schema.get("default").is_some_and(Value::is_null) {
        schema.remove("default");
    }
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for (key, property) in properties.iter_mut() {
            if let Value::Object(property) = property {
                property.entry("title").or_insert_with(|| Value::String(key.clone()));
            }
        }
    }
}

/// The schema as the checked-in file holds it: pretty JSON with a trailing newline.
/// Deterministic: the same model always gives the same bytes.
pub fn environment_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&environment_schema())
        .unwrap_or_else(|e| unreachable!("a JSON value always serializes: {e}"));
    text.push('\n');
    text
}

/// Where the checked-in schema lives, relative to the repository root.
pub const SCHEMA_FILE: &str = "schemas/environment.schema.json";

/// The schema, generated once.
static SCHEMA: LazyLock<Value> = LazyLock::new(environment_schema);

/// The compiled schema (draft 2020-12), or why it does not compile (a bug, reported as a
/// diagnostic rather than a panic).
static VALIDATOR: LazyLock<Result<Validator, String>> =
    LazyLock::new(|| jsonschema::options().with_draft(Draft::Draft202012).build(&SCHEMA).map_err(|e| e.to_string()));

/// What schema validation found.
pub struct Validation {
    /// Located, rewritten messages, in no particular order.
    pub diagnostics: Vec<Diagnostic>,
    /// True when the value is valid: not even errors that were suppressed (under values
    /// already reported as unsupported) were found, so deserializing it is safe.
    pub valid: bool,
}

/// Validates the JSON form of `src` against the schema. `redacted`: paths whose value
/// must not be echoed in messages (it looks like a secret).
pub fn validate(file: &Path, src: &Source, instance: &Value, redacted: &dyn Fn(&FieldPath) -> bool) -> Validation {
    let validator = match &*VALIDATOR {
        Ok(v) => v,
        Err(e) => {
            let message = format!("internal error: the environment schema does not compile ({e}); please report this");
            return Validation {
                diagnostics: vec![Diagnostic::new(file, 1, 1, Finding::error(FieldPath::root(), message))],
                valid: false,
            };
        }
    };
    let ctx = Ctx { file, src, redacted, root: &SCHEMA };
    let errors: Vec<_> =
        validator.iter_errors(instance).map(|e| (field_path(instance, e.instance_path()), e)).collect();
    let mut valid = errors.is_empty();

    // Paths with a type error (or an empty value) only get that one message.
    let typed: HashSet<FieldPath> = errors
        .iter()
        .filter(|(_, e)| matches!(e.kind(), ValidationErrorKind::Type { .. }))
        .map(|(p, _)| p.clone())
        .collect();
    let mut diagnostics = Vec::new();
    let mut reported: HashSet<FieldPath> = HashSet::new();
    for (path, error) in &errors {
        if matches!(src.node(path).map(|n| &n.value), Some(NodeValue::Invalid)) {
            continue;
        }
        let is_type = matches!(error.kind(), ValidationErrorKind::Type { .. });
        if typed.contains(path) && !is_type {
            continue;
        }
        reported.insert(path.clone());
        diagnostics.extend(ctx.rewrite(path, error));
    }

    let mut integers = Vec::new();
    check_integers(&SCHEMA, &SCHEMA, instance, &FieldPath::root(), &mut integers);
    for (path, message) in integers {
        valid = false;
        if !reported.contains(&path) {
            let message =
                message.replace("{number}", &ctx.number_text(&path)).replace("{value}", &ctx.value_text(&path));
            diagnostics.push(ctx.at_value(path, message));
        }
    }
    Validation { diagnostics, valid }
}

struct Ctx<'a> {
    file: &'a Path,
    src: &'a Source,
    redacted: &'a dyn Fn(&FieldPath) -> bool,
    root: &'a Value,
}

impl Ctx<'_> {
    fn at_value(&self, path: FieldPath, message: String) -> Diagnostic {
        let (line, column) = self.src.locate(&path);
        Diagnostic::new(self.file, line, column, Finding::error(path, message))
    }

    /// The value as written, for "`x` is not allowed": the scalar text, or a description.
    fn value_text(&self, path: &FieldPath) -> String {
        if (self.redacted)(path) {
            return "the value".to_owned();
        }
        match self.src.node(path) {
            Some(Node { value: NodeValue::Scalar(s), .. }) if !s.text.is_empty() && !s.text.contains('\n') => {
                format!("`{}`", s.text)
            }
            Some(node) => node.describe(),
            None => "nothing".to_owned(),
        }
    }

    /// What was found, for "expected X, found Y".
    fn found(&self, path: &FieldPath) -> String {
        if (self.redacted)(path) {
            return "a value that looks like a secret".to_owned();
        }
        match self.src.node(path) {
            Some(node) => node.describe(),
            None if path.segments().is_empty() => "an empty file".to_owned(),
            None => "nothing".to_owned(),
        }
    }

    fn schema_at(&self, path: &FieldPath) -> Option<&Value> {
        schema_at(self.root, path)
    }

    fn rewrite(&self, path: &FieldPath, error: &ValidationError<'_>) -> Vec<Diagnostic> {
        let schema = self.schema_at(path);
        let message = match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let allowed = schema.map(|s| property_names(self.root, s)).unwrap_or_default();
                return unexpected
                    .iter()
                    // A credential-shaped key is reported by the secret scan, without echoing it.
                    .filter(|key| secrets::credential_kind(key).is_none())
                    .map(|key| {
                        let field = path.clone().key(key.clone());
                        let (line, column) = self.src.locate_key(&field);
                        let mut message = format!("unknown field `{key}`; allowed fields: {}", allowed.join(", "));
                        if let Some(close) = closest(key, &allowed) {
                            message.push_str(&format!(" (did you mean `{close}`?)"));
                        }
                        Diagnostic::new(self.file, line, column, Finding::error(field, message))
                    })
                    .collect();
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().map_or_else(|| property.to_string(), str::to_owned);
                format!("missing field `{name}`")
            }
            ValidationErrorKind::Type { kind } => {
                let choices = schema.map(|s| enum_values(self.root, s)).unwrap_or_default();
                let wants_string = match kind {
                    TypeKind::Single(t) => *t == JsonType::String,
                    TypeKind::Multiple(set) => set.iter().any(|t| t == JsonType::String),
                };
                // `engine_version: 7.1` is a number: "write it in quotes" says more than
                // "`7.1` is not allowed; allowed: 7.1, …".
                let needs_quotes = wants_string && self.quote_hint(path).is_some();
                if !choices.is_empty() && !needs_quotes {
                    format!("{} is not allowed; allowed: {}", self.value_text(path), choices.join(", "))
                } else {
                    let types: Vec<JsonType> = match kind {
                        TypeKind::Single(t) => vec![*t],
                        TypeKind::Multiple(set) => set.iter().collect(),
                    };
                    self.type_message(path, &types)
                }
            }
            ValidationErrorKind::Enum { options } => {
                let allowed: Vec<String> =
                    options.as_array().map(|a| a.iter().map(plain).collect()).unwrap_or_default();
                format!("{} is not allowed; allowed: {}", self.value_text(path), allowed.join(", "))
            }
            ValidationErrorKind::Constant { expected_value } => {
                format!("{} is not allowed; allowed: {}", self.value_text(path), plain(expected_value))
            }
            ValidationErrorKind::Pattern { pattern } => {
                format!("{} does not match {}", self.value_text(path), describe_pattern(pattern))
            }
            ValidationErrorKind::Minimum { .. }
            | ValidationErrorKind::Maximum { .. }
            | ValidationErrorKind::ExclusiveMinimum { .. }
            | ValidationErrorKind::ExclusiveMaximum { .. } => {
                let (min, max) = schema.map(integer_range).unwrap_or((None, None));
                format!("{} is out of range; allowed: {}", self.number_text(path), range_text(min, max))
            }
            ValidationErrorKind::MinItems { .. } | ValidationErrorKind::MaxItems { .. } => {
                let n = self.src.node(path).map_or(0, |n| match &n.value {
                    NodeValue::Seq(items) => items.len(),
                    _ => 0,
                });
                let (min, max) = schema.map(|s| bounds(s, "minItems", "maxItems")).unwrap_or((None, None));
                format!("has {n} item{}; allowed: {}", if n == 1 { "" } else { "s" }, count_text(min, max, "item"))
            }
            ValidationErrorKind::MinLength { .. } | ValidationErrorKind::MaxLength { .. } => {
                let n = error.instance().as_str().map_or(0, |s| s.chars().count());
                let (min, max) = schema.map(|s| bounds(s, "minLength", "maxLength")).unwrap_or((None, None));
                format!(
                    "is {n} character{} long; allowed: {}",
                    if n == 1 { "" } else { "s" },
                    count_text(min, max, "character")
                )
            }
            ValidationErrorKind::UniqueItems => "has duplicate items; each item may appear once".to_owned(),
            ValidationErrorKind::PropertyNames { error } => return vec![self.key_name(path, error)],
            ValidationErrorKind::MaxProperties { limit } => {
                let n = self.src.node(path).map_or(0, |n| match &n.value {
                    NodeValue::Map(entries) => entries.len(),
                    _ => 0,
                });
                format!("has {n} entries; allowed: at most {limit}")
            }
            // Not produced by this schema today; the library's message without the value.
            _ => error.masked().to_string(),
        };
        vec![self.at_value(path.clone(), message)]
    }

    /// A key of the map at `path` that its `propertyNames` refuse (`error` is about the
    /// key as a string), located at the key.
    fn key_name(&self, path: &FieldPath, error: &ValidationError<'_>) -> Diagnostic {
        let key = error.instance().as_str().unwrap_or_default().to_owned();
        let names = self.schema_at(path).and_then(|s| s.get("propertyNames"));
        let shown = if secrets::credential_kind(&key).is_some() { "the key".to_owned() } else { format!("`{key}`") };
        let problem = match error.kind() {
            ValidationErrorKind::Pattern { pattern } => format!("is not allowed; use {}", describe_pattern(pattern)),
            ValidationErrorKind::MinLength { .. } | ValidationErrorKind::MaxLength { .. } => {
                let n = key.chars().count();
                let (min, max) = names.map(|s| bounds(s, "minLength", "maxLength")).unwrap_or((None, None));
                format!(
                    "is {n} character{} long; allowed: {}",
                    if n == 1 { "" } else { "s" },
                    count_text(min, max, "character")
                )
            }
            _ => error.masked().to_string(),
        };
        let field = path.clone().key(key);
        let (line, column) = self.src.locate_key(&field);
        Diagnostic::new(self.file, line, column, Finding::error(field, format!("key {shown} {problem}")))
    }

    fn number_text(&self, path: &FieldPath) -> String {
        match self.src.node(path) {
            Some(Node { value: NodeValue::Scalar(s), .. }) if !(self.redacted)(path) => s.text.clone(),
            _ => "the value".to_owned(),
        }
    }

    fn type_message(&self, path: &FieldPath, types: &[JsonType]) -> String {
        let wanted: Vec<&str> =
            types.iter().filter(|t| **t != JsonType::Null || types.len() == 1).map(|t| type_name(*t)).collect();
        let found = self.found(path);
        let mut message = format!("expected {}, found {found}", wanted.join(" or "));
        if types.contains(&JsonType::String)
            && let Some(hint) = self.quote_hint(path)
        {
            message.push_str(&hint);
        }
        message
    }

    /// `engine_version: 15.10` is a number in YAML: how to make it a string, when the
    /// value at `path` is an unquoted scalar that YAML reads as something else.
    fn quote_hint(&self, path: &FieldPath) -> Option<String> {
        match self.src.node(path) {
            Some(Node { value: NodeValue::Scalar(s), .. })
                if !(self.redacted)(path)
                    && s.style == ScalarStyle::Plain
                    && !s.text.is_empty()
                    && resolve_plain(&s.text) != Resolved::String =>
            {
                Some(format!("; write it in quotes (\"{}\") to make it a string", s.text))
            }
            _ => None,
        }
    }
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Array => "a list",
        JsonType::Boolean => "a boolean (`true` or `false`)",
        JsonType::Integer => "an integer",
        JsonType::Null => "nothing",
        JsonType::Number => "a number",
        JsonType::Object => "a map",
        JsonType::String => "a string",
    }
}

/// A JSON value as a user writes it: strings without quotes.
fn plain(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// The field path of a JSON pointer into `instance` (array indexes vs. numeric keys
/// told apart by the value).
fn field_path(instance: &Value, location: &Location) -> FieldPath {
    let mut path = FieldPath::root();
    let mut value = Some(instance);
    for segment in location.iter() {
        match segment {
            LocationSegment::Index(i) if value.is_some_and(Value::is_array) => {
                path = path.index(i);
                value = value.and_then(|v| v.get(i));
            }
            LocationSegment::Index(i) => {
                let key = i.to_string();
                value = value.and_then(|v| v.get(&key));
                path = path.key(key);
            }
            LocationSegment::Property(key) => {
                value = value.and_then(|v| v.get(key.as_ref()));
                path = path.key(key.into_owned());
            }
        }
    }
    path
}

/// Follows `$ref`s (`#/$defs/...`) from `schema`.
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|p| root.pointer(p))
        {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

/// The (resolved) schema of the value at `path`, if the schema describes one.
pub fn schema_at<'a>(root: &'a Value, path: &FieldPath) -> Option<&'a Value> {
    let mut schema = resolve(root, root);
    for segment in path.segments() {
        schema = resolve(root, child_schema(root, schema, segment)?);
    }
    Some(schema)
}

fn child_schema<'a>(root: &'a Value, schema: &'a Value, segment: &Segment) -> Option<&'a Value> {
    let schema = resolve(root, schema);
    let direct = match segment {
        Segment::Key(k) => schema
            .get("properties")
            .and_then(|p| p.get(k))
            .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object())),
        Segment::Index(_) => schema.get("items").filter(|i| i.is_object()),
    };
    direct.or_else(|| {
        ["anyOf", "oneOf", "allOf"]
            .iter()
            .filter_map(|k| schema.get(k).and_then(Value::as_array))
            .flatten()
            .find_map(|branch| child_schema(root, branch, segment))
    })
}

/// The property names an object schema declares, in declaration order.
fn property_names(root: &Value, schema: &Value) -> Vec<String> {
    resolve(root, schema)
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn enum_values(root: &Value, schema: &Value) -> Vec<String> {
    resolve(root, schema)
        .get("enum")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(plain).collect())
        .unwrap_or_default()
}

/// The range of integers `format` (as schemars writes it) can hold.
fn format_range(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint64" | "uint" => (0, u64::MAX.into()),
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" | "int" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

/// The allowed range of an integer schema: its minimum and maximum, narrowed to what its
/// `format` holds.
fn integer_range(schema: &Value) -> (Option<i128>, Option<i128>) {
    let (mut min, mut max) = (
        schema.get("minimum").and_then(Value::as_f64).map(|v| v.ceil() as i128),
        schema.get("maximum").and_then(Value::as_f64).map(|v| v.floor() as i128),
    );
    if let Some((fmin, fmax)) = schema.get("format").and_then(Value::as_str).and_then(format_range) {
        min = Some(min.map_or(fmin, |m| m.max(fmin)));
        max = Some(max.map_or(fmax, |m| m.min(fmax)));
    }
    (min, max)
}

fn range_text(min: Option<i128>, max: Option<i128>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min}..={max}"),
        (Some(min), None) => format!("{min} or more"),
        (None, Some(max)) => format!("{max} or less"),
        (None, None) => "any integer".to_owned(),
    }
}

fn bounds(schema: &Value, min: &str, max: &str) -> (Option<u64>, Option<u64>) {
    (schema.get(min).and_then(Value::as_u64), schema.get(max).and_then(Value::as_u64))
}

fn count_text(min: Option<u64>, max: Option<u64>, unit: &str) -> String {
    let plural = |n: u64| if n == 1 { unit.to_owned() } else { format!("{unit}s") };
    match (min, max) {
        (Some(min), Some(max)) if min == max => format!("exactly {min} {}", plural(max)),
        (Some(min), Some(max)) => format!("{min} to {max} {}", plural(max)),
        (Some(min), None) => format!("at least {min} {}", plural(min)),
        (None, Some(max)) => format!("at most {max} {}", plural(max)),
        (None, None) => "any number".to_owned(),
    }
}

/// Integers the schema's types cannot say are wrong: `2.0` where an integer is expected
/// (serde wants no decimal point) and values beyond the field's Rust type (`format`).
/// Messages hold `{number}` (the text) or `{value}` (quoted) for the caller to fill in.
fn check_integers(root: &Value, schema: &Value, value: &Value, path: &FieldPath, out: &mut Vec<(FieldPath, String)>) {
    let schema = resolve(root, schema);
    match value {
        Value::Number(n) => {
            let wants_integer = match schema.get("type") {
                Some(Value::String(t)) => t == "integer",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
                _ => false,
            };
            if !wants_integer {
                return;
            }
            let as_int = n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
            match as_int {
                None if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e30) => {
                    let (min, max) = integer_range(schema);
                    let f = n.as_f64().unwrap_or_default() as i128;
                    if min.is_some_and(|m| f < m) || max.is_some_and(|m| f > m) {
                        out.push((
                            path.clone(),
                            format!("{{number}} is out of range; allowed: {}", range_text(min, max)),
                        ));
                    } else {
                        out.push((
                            path.clone(),
                            "expected an integer, found {value}; write it without a decimal point".to_owned(),
                        ));
                    }
                }
                None => {}
                Some(v) => {
                    let (min, max) = integer_range(schema);
                    if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
                        out.push((
                            path.clone(),
                            format!("{{number}} is out of range; allowed: {}", range_text(min, max)),
                        ));
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(s) = child_schema(root, schema, &Segment::Index(i)) {
                    check_integers(root, s, item, &path.clone().index(i), out);
                }
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let segment = Segment::Key(k.clone());
                if let Some(s) = child_schema(root, schema, &segment) {
                    check_integers(root, s, v, &path.clone().key(k.clone()), out);
                }
            }
        }
        _ => {}
    }
}

/// Words for the patterns of the model, so messages say what is allowed.
fn describe_pattern(pattern: &str) -> String {
    values::describe_format(pattern).map_or_else(|| format!("the pattern `{pattern}`"), str::to_owned)
}

/// The allowed name closest to `key`, if it is a likely typo.
fn closest<'a>(key: &str, allowed: &'a [String]) -> Option<&'a str> {
    let normalized = |s: &str| s.to_lowercase().replace('-', "_");
    allowed
        .iter()
        .map(|a| (edit_distance(&normalized(key), &normalized(a)), a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 5) && *d < a.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
