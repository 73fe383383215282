//! The environment schema in a real editor: the pinned YAML language server
//! (`tools/editor`, installed by `scripts/setup.sh`) is driven over stdio with LSP
//! JSON-RPC, as VS Code and other editors run it on `stacks/*.yaml`. What it completes
//! is compared with the schema's own properties, and what it flags with what
//! `validate` flags.
//!
//! Also the schema's own promises to editors: no `"default": null`, a description and
//! a title on every property, defaults and examples (which completion inserts) that the
//! schema accepts.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use matbakh_infra::config::load::load_str;
use matbakh_infra::config::schema::{SCHEMA_FILE, environment_schema};
use serde_json::{Value, json};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// How long one answer of the server may take (the first loads the schema).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// The first line of every environment file: editors find the schema through it.
const MODELINE: &str = "# yaml-language-server: $schema=../schemas/environment.schema.json";

// ---------------------------------------------------------------------------------
// A minimal LSP client
// ---------------------------------------------------------------------------------

/// The YAML language server, running as an editor runs it.
struct LanguageServer {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
    /// The latest diagnostics the server published, per document URI.
    diagnostics: BTreeMap<String, Vec<Value>>,
    opened: u32,
}

impl LanguageServer {
    fn start() -> Self {
        let server = repo_root().join("tools/editor/node_modules/yaml-language-server/bin/yaml-language-server");
        assert!(
            server.exists(),
            "{} not found: run `bash scripts/setup.sh` (it installs the pinned YAML language server with `npm ci` in tools/editor)",
            server.display()
        );
        let mut child = Command::new("node")
            .arg(&server)
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start node ({e}); install Node.js and run `bash scripts/setup.sh`"));
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut server = LanguageServer { child, stdin, messages, next_id: 0, diagnostics: BTreeMap::new(), opened: 0 };
        let root = format!("file://{}", repo_root().display());
        server.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": root,
                "capabilities": {
                    "textDocument": {
                        "completion": { "completionItem": { "snippetSupport": true } },
                        "hover": { "contentFormat": ["markdown", "plaintext"] },
                        "publishDiagnostics": {}
                    },
                    "workspace": { "configuration": true }
                },
                "workspaceFolders": [{ "uri": root, "name": "matbakh-infra" }]
            }),
        );
        server.notify("initialized", json!({}));
        server.notify("workspace/didChangeConfiguration", json!({ "settings": { "yaml": settings() } }));
        server
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("the server reads its stdin");
        self.stdin.flush().expect("the server reads its stdin");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result, answering the server's own requests
    /// and recording its diagnostics meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        loop {
            let message = self.receive(deadline).unwrap_or_else(|| panic!("no answer to {method} in time"));
            if message.get("method").is_none() && message["id"] == id {
                assert!(message.get("error").is_none(), "{method} failed: {}", message["error"]);
                return message["result"].clone();
            }
        }
    }

    /// The next message, after handling it; `None` at the deadline.
    fn receive(&mut self, deadline: Instant) -> Option<Value> {
        let wait = deadline.saturating_duration_since(Instant::now());
        let message = match self.messages.recv_timeout(wait) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => panic!("the language server exited"),
        };
        match (message.get("method").and_then(Value::as_str), message.get("id")) {
            (Some(method), Some(id)) => {
                let result = match method {
                    "workspace/configuration" => Value::Array(
                        message["params"]["items"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|item| if item["section"] == "yaml" { settings() } else { Value::Null })
                            .collect(),
                    ),
                    _ => Value::Null,
                };
                let id = id.clone();
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
            }
            (Some("textDocument/publishDiagnostics"), None) => {
                let uri = message["params"]["uri"].as_str().unwrap_or_default().to_owned();
                let list = message["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
                self.diagnostics.insert(uri, list);
            }
            _ => {}
        }
        Some(message)
    }

    /// Opens `text` as a new file in `stacks/` (not written to disk: editors validate
    /// unsaved buffers) and returns its URI.
    fn open(&mut self, text: &str) -> String {
        self.opened += 1;
        let uri = format!("file://{}/stacks/editor-test-{}.yaml", repo_root().display(), self.opened);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
        );
        uri
    }

    /// The completion items at the end of `text`.
    fn complete_at_end(&mut self, text: &str) -> Vec<Value> {
        let uri = self.open(text);
        let line = text.split('\n').count() - 1;
        let character = text.split('\n').next_back().unwrap_or_default().encode_utf16().count();
        let result = self.request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        );
        match result {
            Value::Array(items) => items,
            Value::Object(list) => list.get("items").and_then(Value::as_array).cloned().unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// The diagnostics the server publishes for `text`.
    fn diagnose(&mut self, text: &str) -> Vec<Value> {
        let uri = self.open(text);
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        while !self.diagnostics.contains_key(&uri) {
            if self.receive(deadline).is_none() {
                panic!("the server published no diagnostics for {uri}");
            }
        }
        self.diagnostics[&uri].clone()
    }

    fn hover(&mut self, text: &str, line: usize, character: usize) -> String {
        let uri = self.open(text);
        let result = self.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        );
        result["contents"]["value"].as_str().unwrap_or_default().to_owned()
    }
}

impl Drop for LanguageServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The settings an editor sends: validation, completion and hover on, and no schema
/// store (it would be fetched from the network).
fn settings() -> Value {
    json!({
        "validate": true,
        "completion": true,
        "hover": true,
        "format": { "enable": false },
        "schemaStore": { "enable": false },
        "schemas": {}
    })
}

/// One `Content-Length`-framed JSON-RPC message; `None` when the stream ends.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

// ---------------------------------------------------------------------------------
// The schema, as the tests read it
// ---------------------------------------------------------------------------------

/// The schema as the committed file holds it (what editors load).
fn committed_schema() -> Value {
    let text = std::fs::read_to_string(repo_root().join(SCHEMA_FILE)).expect("the committed schema is readable");
    serde_json::from_str(&text).expect("the committed schema is JSON")
}

/// `schema` with its `$ref`s followed, and of an `anyOf` (an optional value) the
/// branch that describes an object.
fn object_schema<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(target) =
            schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|p| root.pointer(p))
        {
            schema = target;
        } else if let Some(branch) = schema
            .get("anyOf")
            .and_then(Value::as_array)
            .and_then(|branches| branches.iter().find(|b| b.get("$ref").is_some() || b.get("properties").is_some()))
        {
            schema = branch;
        } else if let Some(items) = schema.get("items").filter(|_| schema["type"] == "array") {
            schema = items;
        } else {
            break;
        }
    }
    schema
}

/// The property names of the object at `path` (keys; a list is entered at its items).
fn keys_at(root: &Value, path: &[&str]) -> BTreeSet<String> {
    let mut schema = object_schema(root, root);
    for key in path {
        schema = object_schema(root, &schema["properties"][*key]);
    }
    schema["properties"].as_object().unwrap_or_else(|| panic!("{path:?} is not an object")).keys().cloned().collect()
}

/// A document nesting `path` and leaving the cursor where the next key of its object
/// goes, e.g. `functions:\n  definitions:\n    - ` for `[functions, definitions]`.
fn document_inside(root: &Value, path: &[&str]) -> String {
    let mut text = format!("{MODELINE}\n");
    let mut indent = String::new();
    let mut schema = object_schema(root, root);
    for key in path {
        let property = &schema["properties"][*key];
        text.push_str(&format!("{indent}{key}:\n"));
        indent.push_str("  ");
        if resolves_to_list(root, property) {
            text.push_str(&format!("{indent}- "));
            indent.push_str("  ");
        }
        schema = object_schema(root, property);
    }
    if !text.ends_with("- ") {
        text.push_str(&indent);
    }
    text
}

fn resolves_to_list(root: &Value, schema: &Value) -> bool {
    let mut schema = schema;
    while let Some(target) =
        schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|p| root.pointer(p))
    {
        schema = target;
    }
    schema["type"] == "array"
}

/// Every object path of the schema that completion is checked in: each section and
/// each object (or list of objects) below it.
fn object_paths(root: &Value) -> Vec<Vec<String>> {
    fn walk(root: &Value, schema: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>, depth: usize) {
        let Some(properties) = object_schema(root, schema).get("properties").and_then(Value::as_object) else {
            return;
        };
        if !path.is_empty() {
            out.push(path.clone());
        }
        if depth == 4 {
            return;
        }
        for (key, property) in properties {
            path.push(key.clone());
            walk(root, property, path, out, depth + 1);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut Vec::new(), &mut out, 0);
    out
}

fn labels(items: &[Value]) -> BTreeSet<String> {
    items.iter().filter_map(|i| i["label"].as_str()).map(str::to_owned).collect()
}

/// A validator of values against the property schema `schema` (with the root's
/// `$defs`, so `$ref`s resolve).
fn validator_for(root: &Value, schema: &Value) -> jsonschema::Validator {
    let mut standalone = schema.clone();
    if let Value::Object(map) = &mut standalone {
        map.insert("$defs".into(), root["$defs"].clone());
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&standalone)
        .unwrap_or_else(|e| panic!("the property schema {schema} does not compile: {e}"))
}

// ---------------------------------------------------------------------------------
// Completion
// ---------------------------------------------------------------------------------

#[test]
fn completion_in_a_new_file_offers_every_top_level_key() {
    let schema = committed_schema();
    let mut server = LanguageServer::start();
    let offered = labels(&server.complete_at_end(&format!("{MODELINE}\n")));
    let expected = keys_at(&schema, &[]);
    let missing: Vec<_> = expected.difference(&offered).collect();
    assert!(missing.is_empty(), "a new file does not complete {missing:?}; offered: {offered:?}");
    assert_eq!(expected.len(), 16, "the environment has 16 top-level keys");
}

#[test]
fn completion_inside_every_section_and_nested_object_offers_all_its_keys() {
    let schema = committed_schema();
    let paths = object_paths(&schema);
    // Every section, and lists of objects such as functions.definitions and api.routes.
    for must in [&["database"][..], &["functions"], &["api"], &["functions", "definitions"], &["api", "custom_domain"]]
    {
        assert!(paths.iter().any(|p| p == must), "{must:?} is not among the checked paths");
    }
    let mut server = LanguageServer::start();
    let mut failures = Vec::new();
    for path in &paths {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = document_inside(&schema, &path);
        let offered = labels(&server.complete_at_end(&text));
        let missing: Vec<_> = keys_at(&schema, &path).difference(&offered).cloned().collect();
        if !missing.is_empty() {
            failures.push(format!("{}: missing {missing:?} (offered {offered:?})", path.join(".")));
        }
    }
    assert!(failures.is_empty(), "completion misses keys:\n{}", failures.join("\n"));
}

/// Completing a key inserts `key: ${1:value}` when the schema has a default or an
/// example (or `0` for a bare number): the value must be one the schema accepts, or
/// the new file is wrong the moment it is written.
#[test]
fn completed_placeholders_are_values_the_schema_accepts() {
    let schema = committed_schema();
    let mut server = LanguageServer::start();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut paths = object_paths(&schema);
    paths.insert(0, Vec::new());
    for path in &paths {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let mut object = object_schema(&schema, &schema);
        for key in &path {
            object = object_schema(&schema, &object["properties"][*key]);
        }
        for item in server.complete_at_end(&document_inside(&schema, &path)) {
            let (Some(label), Some(text)) = (item["label"].as_str(), item["insertText"].as_str()) else { continue };
            let Some(property) = object["properties"].get(label) else { continue };
            let Some(value) = text.strip_prefix(&format!("{label}: ${{1:")).and_then(|v| v.strip_suffix('}')) else {
                continue;
            };
            let parsed: Value = serde_yaml::from_str(value).unwrap_or(Value::String(value.to_owned()));
            checked += 1;
            if !validator_for(&schema, property).is_valid(&parsed) {
                failures.push(format!("{}.{label}: completion inserts `{value}`", path.join(".")));
            }
        }
    }
    assert!(checked >= 40, "only {checked} placeholders were checked; the completion items changed shape");
    assert!(failures.is_empty(), "placeholders the schema rejects:\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------
// Hover
// ---------------------------------------------------------------------------------

#[test]
fn hover_names_the_field_and_shows_its_description() {
    let dev = std::fs::read_to_string(repo_root().join("stacks/dev.yaml")).expect("stacks/dev.yaml is readable");
    let (line, text) =
        dev.lines().enumerate().find(|(_, l)| l.trim_start().starts_with("memory_mb:")).expect("a memory_mb");
    let column = text.find("memory_mb").expect("the key") + 2;
    let mut server = LanguageServer::start();
    let hover = server.hover(&dev, line, column);
    assert!(hover.starts_with("#### memory\\_mb") || hover.starts_with("#### memory_mb"), "hover: {hover}");
    assert!(hover.contains("Memory in MB"), "hover: {hover}");
    assert!(!hover.contains("Environment"), "hover: {hover}");
}

// ---------------------------------------------------------------------------------
// Diagnostics: the editor and `validate` agree
// ---------------------------------------------------------------------------------

/// `stacks/dev.yaml` with the first line holding `old` replaced by `new`.
fn dev_with(old: &str, new: &str) -> (String, usize) {
    let dev = std::fs::read_to_string(repo_root().join("stacks/dev.yaml")).expect("stacks/dev.yaml is readable");
    let mut lines: Vec<String> = dev.lines().map(str::to_owned).collect();
    let index = lines.iter().position(|l| l.contains(old)).unwrap_or_else(|| panic!("dev.yaml has no `{old}`"));
    lines[index] = lines[index].replace(old, new);
    (lines.join("\n") + "\n", index)
}

/// The 0-based lines `validate` reports errors on for `text`.
fn validate_error_lines(text: &str) -> BTreeSet<usize> {
    match load_str(Path::new("stacks/dev.yaml"), text) {
        Ok(_) => BTreeSet::new(),
        Err(diagnostics) => diagnostics.iter().filter(|d| d.is_error()).map(|d| d.line - 1).collect(),
    }
}

#[test]
fn the_editor_accepts_every_environment_file() {
    let mut server = LanguageServer::start();
    for env in ["dev", "staging", "prod"] {
        let text = std::fs::read_to_string(repo_root().join(format!("stacks/{env}.yaml"))).expect("readable");
        let diagnostics = server.diagnose(&text);
        assert!(diagnostics.is_empty(), "the editor flags stacks/{env}.yaml: {diagnostics:#?}");
    }
}

#[test]
fn the_editor_flags_what_validate_flags_on_the_same_line() {
    let cases = [
        ("a misspelled key", "  database_name: matbakh", "  databse_name: matbakh"),
        ("a wrong type", "nat_gateways: 1", "nat_gateways: one"),
        ("an out-of-range number", "memory_mb: 256", "memory_mb: 64"),
        ("an invalid enum value", "worker_type: G.1X", "worker_type: G.3X"),
        ("a log retention CloudWatch refuses", "log_retention_days: 14", "log_retention_days: 15"),
        ("a malformed maintenance window", "\"sun:04:30-sun:05:30\"", "\"sunday:04:30-sun:05:30\""),
        ("a backup window hour past 23", "window: \"03:00-04:00\"", "window: \"03:00-24:00\""),
        ("a VPC prefix AWS refuses", "vpc_cidr: 10.0.0.0/16", "vpc_cidr: 10.0.0.0/8"),
        ("an SSH range open to the internet", "bastion_ssh_cidrs: []", "bastion_ssh_cidrs: [0.0.0.0/0]"),
        ("a Glue cron with both days set", "\"cron(0 2 * * ? *)\"", "\"cron(0 2 * * * *)\""),
        ("a tag key with the reserved aws: prefix", "owner: platform-team", "aws:owner: platform-team"),
        ("a tag value over 256 characters", "owner: platform-team", &format!("owner: {}", "x".repeat(257))),
        ("a tag key over 128 characters", "owner: platform-team", &format!("{}: platform-team", "k".repeat(129))),
        ("an unknown Lambda runtime", "runtime: nodejs24.x", "runtime: nodejs23.x"),
        ("a country code in lower case", "[CN, RU, KP]", "[cn, RU, KP]"),
    ];
    let mut server = LanguageServer::start();
    let mut failures = Vec::new();
    for (what, old, new) in cases {
        let (text, line) = dev_with(old, new);
        let editor: BTreeSet<usize> = server
            .diagnose(&text)
            .iter()
            .filter(|d| d["severity"] == 1)
            .filter_map(|d| d["range"]["start"]["line"].as_u64())
            .map(|l| l as usize)
            .collect();
        let validate = validate_error_lines(&text);
        if !editor.contains(&line) {
            failures.push(format!("{what}: the editor flags lines {editor:?}, not line {}", line + 1));
        }
        if !validate.contains(&line) {
            failures.push(format!("{what}: validate flags lines {validate:?}, not line {}", line + 1));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_editor_flags_more_than_50_tags() {
    let tags: String = (0..51).map(|i| format!("  tag{i}: value\n")).collect();
    let (text, line) = dev_with("tags:", "tags:");
    let text = text.replacen("tags:\n", &format!("tags:\n{tags}"), 1);
    let mut server = LanguageServer::start();
    let editor = server.diagnose(&text);
    assert!(
        editor.iter().any(|d| d["severity"] == 1 && d["range"]["start"]["line"].as_u64() >= Some(line as u64)),
        "the editor accepts 51 tags: {editor:#?}"
    );
    assert!(!validate_error_lines(&text).is_empty(), "validate accepts 51 tags");
}

// ---------------------------------------------------------------------------------
// The schema's promises to editors (no language server needed)
// ---------------------------------------------------------------------------------

/// Every property schema of `schema`, with its path.
fn properties(schema: &Value) -> Vec<(String, &Value)> {
    fn walk<'a>(value: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    for (key, property) in properties {
                        out.push((format!("{path}/{key}"), property));
                    }
                }
                for (key, child) in map {
                    walk(child, format!("{path}/{key}"), out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{path}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(schema, String::new(), &mut out);
    out
}

#[test]
fn the_schema_has_no_null_default() {
    fn nulls(value: &Value, path: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if map.get("default").is_some_and(Value::is_null) {
                    out.push(path.to_owned());
                }
                for (k, v) in map {
                    nulls(v, &format!("{path}/{k}"), out);
                }
            }
            Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| nulls(v, &format!("{path}/{i}"), out)),
            _ => {}
        }
    }
    for (name, schema) in [("generated", environment_schema()), ("committed", committed_schema())] {
        let mut found = Vec::new();
        nulls(&schema, "", &mut found);
        assert!(found.is_empty(), "the {name} schema has \"default\": null at {found:?}");
    }
}

#[test]
fn every_property_has_a_description_and_names_itself() {
    let schema = committed_schema();
    let all = properties(&schema);
    assert!(all.len() > 150, "only {} properties found", all.len());
    let undescribed: Vec<&str> = all
        .iter()
        .filter(|(_, p)| p.get("description").and_then(Value::as_str).is_none_or(|d| d.trim().len() < 10))
        .map(|(path, _)| path.as_str())
        .collect();
    assert!(undescribed.is_empty(), "properties without a description: {undescribed:?}");
    let untitled: Vec<&str> = all
        .iter()
        .filter(|(path, p)| p.get("title").and_then(Value::as_str) != path.rsplit('/').next())
        .map(|(path, _)| path.as_str())
        .collect();
    assert!(untitled.is_empty(), "properties whose title is not their key: {untitled:?}");
}

#[test]
fn defaults_and_examples_are_values_the_schema_accepts() {
    let schema = committed_schema();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, property) in properties(&schema) {
        let values = property.get("default").into_iter().chain(property["examples"].as_array().into_iter().flatten());
        let validator = validator_for(&schema, property);
        for value in values {
            checked += 1;
            if !validator.is_valid(value) {
                failures.push(format!("{path}: {value}"));
            }
        }
    }
    assert!(checked > 80, "only {checked} defaults and examples found");
    assert!(failures.is_empty(), "defaults and examples the schema rejects: {failures:?}");
}

/// Values people type by hand come with examples, so completion proposes one.
#[test]
fn hand_typed_fields_have_examples() {
    let schema = committed_schema();
    let defs = &schema["$defs"];
    for (def, field) in [
        ("Network", "vpc_cidr"),
        ("Subnet", "cidr"),
        ("Network", "bastion_ssh_cidrs"),
        ("Database", "maintenance_window"),
        ("Backup", "window"),
        ("Cache", "snapshot_window"),
        ("Cache", "maintenance_window"),
        ("CustomDomain", "certificate_arn"),
        ("Etl", "schedule"),
        ("Function", "memory_mb"),
    ] {
        let examples = defs[def]["properties"][field]["examples"].as_array();
        assert!(examples.is_some_and(|e| !e.is_empty()), "{def}.{field} has no examples");
    }
    assert!(schema["properties"]["account"]["examples"].as_array().is_some_and(|e| !e.is_empty()));
}

#[test]
fn schema_check_passes_for_the_committed_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_matbakh-infra"))
        .args(["schema", "--check"])
        .current_dir(repo_root())
        .output()
        .expect("the CLI runs");
    assert!(output.status.success(), "schema --check failed: {}", String::from_utf8_lossy(&output.stderr));
}

/// The closed sets the schema offers are values `validate` accepts: completing one of
/// them never leads to a rule error.
#[test]
fn every_value_the_schema_offers_passes_validate() {
    use matbakh_infra::config::model::values;
    // (text in dev.yaml, the same with `{}` for the offered value)
    let mut cases: Vec<(&str, String)> = Vec::new();
    for days in values::LOG_RETENTION_DAYS {
        cases.push((
            "  log_retention_days: 14\n  ses_identity",
            format!("  log_retention_days: {days}\n  ses_identity"),
        ));
        cases.push(("  access_log_retention_days: 14\n", format!("  access_log_retention_days: {days}\n")));
        cases.push((
            "  log_retention_days: 14\n\nobservability",
            format!("  log_retention_days: {days}\n\nobservability"),
        ));
    }
    for seconds in values::MONITORING_INTERVALS {
        cases.push((
            "enhanced_monitoring_interval_seconds: 60",
            format!("enhanced_monitoring_interval_seconds: {seconds}"),
        ));
    }
    for days in values::insights_retention_days() {
        cases.push((
            "enhanced_monitoring_interval_seconds: 60",
            format!("enhanced_monitoring_interval_seconds: 60\n    performance_insights_retention_days: {days}"),
        ));
    }
    for version in values::GLUE_VERSIONS {
        cases.push(("glue_version: \"4.0\"", format!("glue_version: \"{version}\"")));
    }
    // G.025X (streaming) and Z.2X (Ray) cannot run the Spark ETL job: the rules say so.
    for worker in values::GLUE_WORKER_TYPES.iter().filter(|w| !["G.025X", "Z.2X"].contains(w)) {
        cases.push(("worker_type: G.1X", format!("worker_type: {worker}")));
    }
    for version in values::REDIS_VERSIONS {
        cases.push(("engine_version: \"7.1\"", format!("engine_version: \"{version}\"")));
    }
    for size in values::API_CACHE_SIZES_GB {
        cases.push(("size_gb: \"0.5\"", format!("size_gb: \"{size}\"")));
    }
    for runtime in values::node_runtimes().into_iter().filter(|r| *r >= "nodejs22.x") {
        cases.push(("runtime: nodejs24.x", format!("runtime: {runtime}")));
    }
    let dev = std::fs::read_to_string(repo_root().join("stacks/dev.yaml")).expect("stacks/dev.yaml is readable");
    let mut failures = Vec::new();
    for (old, new) in &cases {
        assert_eq!(dev.matches(old).count(), 1, "dev.yaml holds `{old}` once");
        let text = dev.replacen(old, new, 1);
        if let Err(diagnostics) = load_str(Path::new("stacks/dev.yaml"), &text) {
            let errors: Vec<String> = diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
            failures.push(format!("`{new}`: {errors:?}"));
        }
    }
    assert!(cases.len() > 100, "only {} cases", cases.len());
    assert!(failures.is_empty(), "values the schema offers but validate refuses:\n{}", failures.join("\n"));
}
