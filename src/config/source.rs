//! YAML text parsed into a located tree, and that tree as a JSON value.
//!
//! The tree keeps every node's 1-based line and column (and, for map entries, the
//! key's own location) so that any later finding about a field can point into the
//! file. Only the YAML an environment file needs is accepted: one document, string
//! keys, no anchors, aliases or tags (other than `!!str`), no duplicate keys.
//! Plain scalars resolve by the YAML 1.2 core schema (`yes`/`on` are strings,
//! `15.10` is a number); quoted scalars are always strings.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map as JsonMap, Number, Value as Json};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::diagnostics::{Diagnostic, FieldPath, Finding, Segment};

/// Deeper nesting than this is rejected (an environment file needs fewer than ten).
pub const MAX_DEPTH: usize = 64;

/// A value in the file and where it starts (1-based line and column).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Entries in file order. A duplicate key is reported and kept, but lookups and the
    /// JSON value use the first occurrence.
    Map(Mapping),
    /// Something already reported as unsupported (an alias, a tagged value); it reads as
    /// null and later checks say nothing more about it.
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` or `>` block scalars.
    Block,
    /// A plain scalar tagged `!!str`: a string whatever it looks like.
    Tagged,
}

/// A map's entries in file order, with an index of each key's first occurrence: looking
/// a key up is O(1), so locating N findings in a map of N keys stays linear.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapping {
    entries: Vec<Entry>,
    first: HashMap<String, usize>,
}

impl Mapping {
    /// The first entry with `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.first.get(key).map(|&i| &self.entries[i])
    }

    fn push(&mut self, entry: Entry) {
        self.first.entry(entry.key.clone()).or_insert(self.entries.len());
        self.entries.push(entry);
    }
}

impl std::ops::Deref for Mapping {
    type Target = [Entry];

    fn deref(&self) -> &[Entry] {
        &self.entries
    }
}

impl<'a> IntoIterator for &'a Mapping {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_line: usize,
    pub key_column: usize,
    pub value: Node,
}

/// What a plain scalar resolves to under the YAML 1.2 core schema.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Number(Number),
    String,
}

impl Scalar {
    pub fn is_string(&self) -> bool {
        self.style != ScalarStyle::Plain || resolve_plain(&self.text) == Resolved::String
    }

    pub fn to_json(&self) -> Json {
        if self.style != ScalarStyle::Plain {
            return Json::String(self.text.clone());
        }
        match resolve_plain(&self.text) {
            Resolved::Null => Json::Null,
            Resolved::Bool(b) => Json::Bool(b),
            Resolved::Number(n) => Json::Number(n),
            Resolved::String => Json::String(self.text.clone()),
        }
    }
}

impl Node {
    /// The node at `path` under this one, if there is one.
    pub fn get(&self, path: &FieldPath) -> Option<&Node> {
        let mut node = self;
        for segment in path.segments() {
            node = node.child(segment)?;
        }
        Some(node)
    }

    fn child(&self, segment: &Segment) -> Option<&Node> {
        match (&self.value, segment) {
            (NodeValue::Map(entries), Segment::Key(k)) => entries.get(k).map(|e| &e.value),
            (NodeValue::Seq(items), Segment::Index(i)) => items.get(*i),
            _ => None,
        }
    }

    /// The JSON value of this node (first occurrence of duplicate keys; invalid nodes are null).
    pub fn to_json(&self) -> Json {
        match &self.value {
            NodeValue::Scalar(s) => s.to_json(),
            NodeValue::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => {
                let mut map = JsonMap::new();
                for e in entries {
                    if !map.contains_key(&e.key) {
                        map.insert(e.key.clone(), e.value.to_json());
                    }
                }
                Json::Object(map)
            }
            NodeValue::Invalid => Json::Null,
        }
    }

    /// A short description of the value for messages: `` `two` ``, `` `"2"` ``, `a map`.
    pub fn describe(&self) -> String {
        match &self.value {
            NodeValue::Scalar(s) => match s.style {
                ScalarStyle::Plain if s.text.is_empty() => "an empty value".to_owned(),
                ScalarStyle::Plain | ScalarStyle::Tagged => format!("`{}`", shorten(&s.text)),
                ScalarStyle::SingleQuoted => format!("`'{}'`", shorten(&s.text)),
                ScalarStyle::DoubleQuoted => format!("`\"{}\"`", shorten(&s.text)),
                ScalarStyle::Block => "a block string".to_owned(),
            },
            NodeValue::Seq(_) => "a list".to_owned(),
            NodeValue::Map(_) => "a map".to_owned(),
            NodeValue::Invalid => "an unsupported value".to_owned(),
        }
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    let one_line = text.lines().next().unwrap_or("");
    if one_line.chars().count() > MAX || one_line.len() < text.len() {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        one_line.to_owned()
    }
}

/// A parsed file: the tree (possibly partial after a syntax error) and what parsing found.
#[derive(Clone, Debug)]
pub struct Source {
    /// `None` for a file without a document (empty, or only comments).
    pub root: Option<Node>,
    /// Syntax and structure errors (duplicate keys, aliases, ...), in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// False when parsing stopped early (a syntax error, too deep nesting): the tree is
    /// then partial and only good for locating and scanning, not for validation.
    pub complete: bool,
}

impl Source {
    pub fn parse(file: &Path, text: &str) -> Source {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(diagnostic) = control_character(file, text) {
            return Source { root: None, diagnostics: vec![diagnostic], complete: false };
        }
        Builder::new(file, text).run()
    }

    /// The whole document as JSON (`null` for an empty file).
    pub fn to_json(&self) -> Json {
        self.root.as_ref().map_or(Json::Null, Node::to_json)
    }

    pub fn node(&self, path: &FieldPath) -> Option<&Node> {
        self.root.as_ref()?.get(path)
    }

    /// 1-based (line, column) of the value at `path`, or of its nearest existing ancestor
    /// (so a missing field locates at its parent map); `(1, 1)` for an empty file.
    pub fn locate(&self, path: &FieldPath) -> (usize, usize) {
        let Some(mut node) = self.root.as_ref() else {
            return (1, 1);
        };
        for segment in path.segments() {
            match node.child(segment) {
                Some(child) => node = child,
                None => break,
            }
        }
        (node.line, node.column)
    }

    /// 1-based (line, column) of the key of the last segment of `path`, if `path` ends in
    /// a key that exists; otherwise where [`Source::locate`] points.
    pub fn locate_key(&self, path: &FieldPath) -> (usize, usize) {
        if let (Some(parent), Some(Segment::Key(key))) = (path.parent(), path.segments().last())
            && let Some(NodeValue::Map(entries)) = self.node(&parent).map(|n| &n.value)
            && let Some(e) = entries.get(key)
        {
            return (e.key_line, e.key_column);
        }
        self.locate(path)
    }
}

/// The first character YAML does not allow in a file (NUL and the other C0 controls but
/// tab, line feed and carriage return; DEL), located: the reader would stop or misread there.
fn control_character(file: &Path, text: &str) -> Option<Diagnostic> {
    let (offset, c) =
        text.char_indices().find(|&(_, c)| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}')?;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let name =
        if c == '\0' { "a NUL byte".to_owned() } else { format!("the control character U+{:04X}", u32::from(c)) };
    let message = format!(
        "the file contains {name} here; environment files are plain text: remove it (a binary file or a bad \
         copy and paste?)"
    );
    Some(Diagnostic::new(file, line, column, Finding::error(FieldPath::root(), message)))
}

/// YAML 1.2 core schema resolution of a plain scalar.
pub fn resolve_plain(text: &str) -> Resolved {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        _ => {}
    }
    if let Some(n) = resolve_int(text) {
        return n;
    }
    if is_core_float(text)
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Resolved::Number(n);
    }
    // `.inf` and `.nan` are floats in YAML but have no JSON form: they stay strings,
    // which any numeric field then rejects.
    Resolved::String
}

fn resolve_int(text: &str) -> Option<Resolved> {
    let radix = |digits: &str, radix: u32| {
        let ok = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
        ok.then(|| match u64::from_str_radix(digits, radix) {
            Ok(v) => Resolved::Number(v.into()),
            Err(_) => Resolved::String,
        })
    };
    if let Some(oct) = text.strip_prefix("0o") {
        return radix(oct, 8);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return radix(hex, 16);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    if let Ok(v) = unsigned.parse::<u64>() {
        return Some(Resolved::Number(v.into()));
    }
    if let Ok(v) = unsigned.parse::<i64>() {
        return Some(Resolved::Number(v.into()));
    }
    // Too large for 64 bits: still a number, as a float, so range checks report it.
    Some(unsigned.parse::<f64>().ok().and_then(Number::from_f64).map_or(Resolved::String, Resolved::Number))
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int_digits = digits(&mut i);
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac_digits = digits(&mut i);
    } else if int_digits == 0 {
        return false;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn tag_name(tag: &Tag) -> String {
    if tag.handle == "tag:yaml.org,2002:" {
        format!("!!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

fn is_str_tag(tag: &Tag) -> bool {
    tag.handle == "tag:yaml.org,2002:" && tag.suffix == "str"
}

/// The key a node makes, or why it cannot be one (`None`: already reported).
fn key_text(node: &Node) -> Result<String, Option<String>> {
    match &node.value {
        NodeValue::Scalar(s) if s.is_string() => Ok(s.text.clone()),
        NodeValue::Scalar(s) if s.style == ScalarStyle::Plain && s.text.is_empty() => {
            Err(Some("empty key; keys must be plain strings".to_owned()))
        }
        NodeValue::Scalar(s) => Err(Some(format!(
            "key `{0}` is not a string; write it in quotes (\"{0}\") if it is a name",
            shorten(&s.text)
        ))),
        NodeValue::Invalid => Err(None),
        NodeValue::Seq(_) | NodeValue::Map(_) => {
            Err(Some("complex keys (lists or maps as keys) are not supported; keys must be plain strings".to_owned()))
        }
    }
}

enum Pending {
    Key,
    /// The value of this key comes next; `None`: the key was rejected, drop the value.
    Value(Option<(String, usize, usize)>),
}

enum Frame {
    Seq {
        line: usize,
        column: usize,
        flow: bool,
        invalid: bool,
        items: Vec<Node>,
    },
    Map {
        line: usize,
        column: usize,
        flow: bool,
        invalid: bool,
        /// Whether the first key has been read.
        keyed: bool,
        entries: Mapping,
        pending: Pending,
    },
}

struct Builder<'a> {
    file: &'a Path,
    text: &'a str,
    chars: Vec<char>,
    stack: Vec<Frame>,
    root: Option<Node>,
    diagnostics: Vec<Diagnostic>,
    documents: usize,
    complete: bool,
}

impl<'a> Builder<'a> {
    fn new(file: &'a Path, text: &'a str) -> Self {
        Builder {
            file,
            text,
            chars: text.chars().collect(),
            stack: Vec::new(),
            root: None,
            diagnostics: Vec::new(),
            documents: 0,
            complete: true,
        }
    }

    fn error(&mut self, line: usize, column: usize, path: FieldPath, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(self.file, line, column, Finding::error(path, message)));
    }

    /// The field path of the node about to be delivered to the top of the stack.
    fn current_path(&self) -> FieldPath {
        let mut path = FieldPath::root();
        for frame in &self.stack {
            match frame {
                Frame::Seq { items, .. } => path = path.index(items.len()),
                Frame::Map { pending: Pending::Value(Some((key, ..))), .. } => path = path.key(key.clone()),
                // A key being read, or the value of a rejected key: report at the map.
                Frame::Map { .. } => break,
            }
        }
        path
    }

    fn run(mut self) -> Source {
        let text = self.text;
        let mut parser = Parser::new_from_str(text);
        loop {
            let (event, mark) = match parser.next_token() {
                Ok(next) => next,
                Err(e) => {
                    let (mut line, mut column) = position(e.marker());
                    // The scanner reports a tab at the token before it: point at the tab.
                    if e.info().contains("tab")
                        && let Some(tab) = self.chars.iter().skip(e.marker().index()).position(|&c| c == '\t')
                    {
                        let before = &self.chars[..e.marker().index() + tab];
                        line = before.iter().filter(|&&c| c == '\n').count() + 1;
                        column = before.iter().rev().take_while(|&&c| c != '\n').count() + 1;
                    }
                    let message = if e.info().contains("recursion limit") {
                        format!(
                            "nested deeper than the YAML reader allows (more than {MAX_DEPTH} levels of `[` or `{{`); \
                             an environment file needs far fewer: close the brackets"
                        )
                    } else if let Some((quote, at_line, at_column)) = self.unclosed_quote(e.info(), e.marker().index())
                    {
                        format!(
                            "YAML syntax error: the {quote} string that starts at line {at_line}, column {at_column} is not \
                             closed; end it with {quote} on the same line (or escape the quote inside it)"
                        )
                    } else {
                        format!("YAML syntax error: {}{}", e.info(), self.syntax_hint(e.info()))
                    };
                    self.error(line, column, FieldPath::root(), message);
                    self.complete = false;
                    break;
                }
            };
            if !self.event(event, mark) {
                break;
            }
        }
        // After an early stop, keep what was read so far (for locating and scanning).
        while let Some(frame) = self.stack.pop() {
            let node = self.finish(frame);
            self.deliver(node);
        }
        Source { root: self.root, diagnostics: self.diagnostics, complete: self.complete }
    }

    /// Handles one event; false to stop reading.
    fn event(&mut self, event: Event, mark: Marker) -> bool {
        let (line, column) = position(&mark);
        match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => return false,
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.error(
                        line,
                        column,
                        FieldPath::root(),
                        "a second YAML document starts here; an environment file holds exactly one \
                         (remove this `---` and what follows, or move it to its own file)",
                    );
                    return false;
                }
            }
            Event::Alias(_) => {
                let path = self.current_path();
                self.error(line, column, path, "aliases are not supported; write the value out");
                self.deliver(Node { value: NodeValue::Invalid, line, column });
            }
            Event::Scalar(text, style, anchor, tag) => {
                let path = self.current_path();
                self.check_anchor(anchor, &mark, &path);
                let mut style = match style {
                    TScalarStyle::Plain => ScalarStyle::Plain,
                    TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    TScalarStyle::Literal | TScalarStyle::Folded => ScalarStyle::Block,
                };
                let mut value = None;
                if let Some(tag) = tag {
                    if is_str_tag(&tag) {
                        if style == ScalarStyle::Plain {
                            style = ScalarStyle::Tagged;
                        }
                    } else {
                        self.unsupported_tag(&tag, &mark, path);
                        value = Some(NodeValue::Invalid);
                    }
                }
                let value = value.unwrap_or(NodeValue::Scalar(Scalar { text, style }));
                self.deliver(Node { value, line, column });
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) if self.stack.len() >= MAX_DEPTH => {
                let _ = (anchor, tag);
                let path = self.current_path();
                // A block map's marker lies just after its first key: step back to the key.
                let mut column = column;
                if !matches!(self.chars.get(mark.index()), Some('[' | '{')) {
                    let mut i = mark.index();
                    while column > 1 && i > 0 && self.chars.get(i - 1).is_some_and(|c| !c.is_whitespace()) {
                        i -= 1;
                        column -= 1;
                    }
                }
                self.error(
                    line,
                    column,
                    path,
                    format!("nested deeper than {MAX_DEPTH} levels; an environment file needs far fewer"),
                );
                self.complete = false;
                return false;
            }
            Event::SequenceStart(anchor, tag) => {
                let path = self.current_path();
                self.check_anchor(anchor, &mark, &path);
                let invalid = tag.is_some_and(|t| {
                    self.unsupported_tag(&t, &mark, path);
                    true
                });
                let flow = self.chars.get(mark.index()) == Some(&'[');
                let (line, column) = if flow { (line, column) } else { self.block_sequence_start(&mark) };
                self.stack.push(Frame::Seq { line, column, flow, invalid, items: Vec::new() });
            }
            Event::MappingStart(anchor, tag) => {
                let path = self.current_path();
                self.check_anchor(anchor, &mark, &path);
                let invalid = tag.is_some_and(|t| {
                    self.unsupported_tag(&t, &mark, path);
                    true
                });
                let flow = self.chars.get(mark.index()) == Some(&'{');
                self.stack.push(Frame::Map {
                    line,
                    column,
                    flow,
                    invalid,
                    keyed: false,
                    entries: Mapping::default(),
                    pending: Pending::Key,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let node = self.finish(frame);
                    self.deliver(node);
                }
            }
        }
        true
    }

    fn check_anchor(&mut self, anchor: usize, mark: &Marker, path: &FieldPath) {
        if anchor != 0 {
            let (line, column) = self.indicator_before(mark, '&');
            self.error(line, column, path.clone(), "anchors (`&name`) are not supported; write the value out");
        }
    }

    fn unsupported_tag(&mut self, tag: &Tag, mark: &Marker, path: FieldPath) {
        let name = tag_name(tag);
        let (line, column) = self.indicator_before(mark, '!');
        self.error(line, column, path, format!("YAML tags (`{name}`) are not supported; write a plain value"));
    }

    /// Where the `&anchor` or `!tag` before a node starts (the node's marker is after
    /// them); the node's own position when it is not on the same line.
    fn indicator_before(&self, mark: &Marker, indicator: char) -> (usize, usize) {
        let (line, column) = position(mark);
        let start = mark.index().saturating_sub(column - 1);
        let mut found = None;
        for i in (start..mark.index().min(self.chars.len())).rev() {
            let at_token_start =
                i == 0 || matches!(self.chars.get(i - 1), Some(' ' | '\t' | '[' | '{' | ',' | '-' | ':'));
            if self.chars.get(i) == Some(&indicator) && at_token_start {
                found = Some(i);
                break;
            }
        }
        found.map_or((line, column), |i| (line, column - (mark.index() - i)))
    }

    /// A block sequence's start marker points at its first item; step back to the `-`.
    fn block_sequence_start(&self, mark: &Marker) -> (usize, usize) {
        let (line, column) = position(mark);
        let mut i = mark.index();
        let mut back = 0;
        while i > 0 && back < column {
            i -= 1;
            back += 1;
            match self.chars.get(i) {
                Some(' ') => continue,
                Some('-') => return (line, column - back),
                _ => break,
            }
        }
        (line, column)
    }

    fn finish(&mut self, frame: Frame) -> Node {
        match frame {
            Frame::Seq { line, column, invalid, items, .. } => {
                let value = if invalid { NodeValue::Invalid } else { NodeValue::Seq(items) };
                Node { value, line, column }
            }
            Frame::Map { line, column, invalid, entries, .. } => {
                let value = if invalid { NodeValue::Invalid } else { NodeValue::Map(entries) };
                Node { value, line, column }
            }
        }
    }

    /// Hands a finished node to its parent (or makes it the root).
    fn deliver(&mut self, mut node: Node) {
        let path = self.current_path();
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        let mut problem = None;
        match frame {
            Frame::Seq { items, .. } => items.push(node),
            Frame::Map { line, column, flow, keyed, entries, pending, .. } => match pending {
                Pending::Key => {
                    // A block map's start marker lies after its first key: use the key.
                    if !*keyed && !*flow {
                        (*line, *column) = (node.line, node.column);
                    }
                    *keyed = true;
                    match key_text(&node) {
                        Ok(key) => {
                            if let Some(first) = entries.get(&key).map(|e| e.key_line) {
                                let message = format!("duplicate key `{}` (first at line {first})", shorten(&key));
                                problem = Some((node.line, node.column, path.key(key.clone()), message));
                            }
                            *pending = Pending::Value(Some((key, node.line, node.column)));
                        }
                        Err(message) => {
                            *pending = Pending::Value(None);
                            problem = message.map(|m| (node.line, node.column, path, m));
                        }
                    }
                }
                Pending::Value(key) => {
                    if let Some((key, key_line, key_column)) = key.take() {
                        // An empty value's marker is at the next token: point at the key.
                        if matches!(&node.value, NodeValue::Scalar(s) if s.style == ScalarStyle::Plain && s.text.is_empty())
                        {
                            (node.line, node.column) = (key_line, key_column);
                        }
                        entries.push(Entry { key, key_line, key_column, value: node });
                    }
                    *pending = Pending::Key;
                }
            },
        }
        if let Some((line, column, path, message)) = problem {
            self.error(line, column, path, message);
        }
    }

    /// For an error inside a quoted scalar: the quote character and where the string
    /// starts (the last quote at a token start before the error).
    fn unclosed_quote(&self, info: &str, index: usize) -> Option<(&'static str, usize, usize)> {
        if !info.contains("quoted scalar") {
            return None;
        }
        let end = (index + 1).min(self.chars.len());
        let start = (0..end).rev().find(|&i| {
            matches!(self.chars[i], '"' | '\'')
                && (i == 0 || matches!(self.chars[i - 1], ' ' | '\t' | '\n' | '[' | '{' | ',' | ':' | '-'))
        })?;
        let quote = if self.chars[start] == '"' { "`\"`" } else { "`'`" };
        let before = &self.chars[..start];
        let line = before.iter().filter(|&&c| c == '\n').count() + 1;
        let column = before.iter().rev().take_while(|&&c| c != '\n').count() + 1;
        Some((quote, line, column))
    }

    /// More context for a syntax error: an unclosed flow collection, indentation.
    fn syntax_hint(&self, info: &str) -> String {
        let open = self.stack.iter().rev().find_map(|f| match f {
            Frame::Seq { flow: true, line, column, .. } => Some(('[', ']', *line, *column)),
            Frame::Map { flow: true, line, column, .. } => Some(('{', '}', *line, *column)),
            _ => None,
        });
        if let Some((open, close, line, column)) = open {
            return format!(" (the `{open}` at line {line}, column {column} is not closed with `{close}`)");
        }
        if info.contains("unknown anchor") {
            return " (aliases are not supported; write the value out)".to_owned();
        }
        if info.contains("tab") {
            return " (indent with spaces; YAML does not allow tabs there)".to_owned();
        }
        if info.contains("block mapping")
            || info.contains("block sequence")
            || info.contains("mapping values are not allowed")
        {
            return " (check the indentation: keys of one map line up in the same column)".to_owned();
        }
        String::new()
    }
}

/// yaml-rust2 markers: line 1-based, column 0-based (despite its docs). Ours: both 1-based.
fn position(mark: &Marker) -> (usize, usize) {
    (mark.line().max(1), mark.col() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Source {
        Source::parse(Path::new("t.yaml"), text)
    }

    fn messages(src: &Source) -> Vec<String> {
        src.diagnostics.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn locations_are_one_based() {
        let src = parse("a: 1\nb:\n  c: x\n  d: [1, 2]\ne:\n- f\n- g: h\n");
        assert!(src.diagnostics.is_empty(), "{:?}", src.diagnostics);
        let at = |p: &str| src.locate(&FieldPath::parse(p));
        assert_eq!(at(""), (1, 1));
        assert_eq!(at("a"), (1, 4));
        assert_eq!(at("b"), (3, 3));
        assert_eq!(at("b.c"), (3, 6));
        assert_eq!(at("b.d"), (4, 6));
        assert_eq!(at("b.d[1]"), (4, 10));
        assert_eq!(at("e"), (6, 1));
        assert_eq!(at("e[0]"), (6, 3));
        assert_eq!(at("e[1]"), (7, 3));
        assert_eq!(at("e[1].g"), (7, 6));
        // Missing: nearest ancestor.
        assert_eq!(at("b.zzz"), (3, 3));
        assert_eq!(at("e[7].x"), (6, 1));
        assert_eq!(src.locate_key(&FieldPath::parse("b.d")), (4, 3));
        assert_eq!(src.locate_key(&FieldPath::parse("e")), (5, 1));
        // Flow collections start at their bracket; non-ASCII counts characters.
        let src = parse("x: {a: [1]}\né: ü\n");
        assert_eq!(src.locate(&FieldPath::parse("x")), (1, 4));
        assert_eq!(src.locate(&FieldPath::parse("x.a")), (1, 8));
        assert_eq!(src.locate(&FieldPath::root().key("é")), (2, 4));
    }

    #[test]
    fn empty_values_locate_at_their_key() {
        let src = parse("a:\nb: 2\n");
        assert_eq!(src.to_json(), json!({"a": null, "b": 2}));
        assert_eq!(src.locate(&FieldPath::parse("a")), (1, 1));
    }

    #[test]
    fn core_schema_resolution() {
        let src = parse(
            "n1:\nn2: ~\nn3: null\nb1: true\nb2: False\ni1: 42\ni2: -7\ni3: 0x1F\ni4: 0o17\nf1: 15.10\nf2: 1e3\n\
             s1: yes\ns2: on\ns3: '42'\ns4: \"true\"\ns5: !!str 15.10\ns6: .inf\ns7: 1.2.3\ns8: |\n  block\n",
        );
        assert!(src.diagnostics.is_empty(), "{:?}", src.diagnostics);
        assert_eq!(
            src.to_json(),
            json!({
                "n1": null, "n2": null, "n3": null, "b1": true, "b2": false,
                "i1": 42, "i2": -7, "i3": 31, "i4": 15, "f1": 15.1, "f2": 1000.0,
                "s1": "yes", "s2": "on", "s3": "42", "s4": "true", "s5": "15.10", "s6": ".inf",
                "s7": "1.2.3", "s8": "block\n"
            })
        );
        assert_eq!(resolve_plain("99999999999999999999"), Resolved::Number(Number::from_f64(1e20).unwrap()));
        assert_eq!(resolve_plain("-"), Resolved::String);
        assert_eq!(resolve_plain("."), Resolved::String);
        assert_eq!(resolve_plain("1e"), Resolved::String);
    }

    #[test]
    fn syntax_errors_are_located() {
        let src = parse("a: [1, 2\nb: 3\n");
        assert!(!src.complete);
        assert_eq!(
            messages(&src),
            ["t.yaml:2:2: (document): YAML syntax error: illegal placement of ':' indicator \
              (the `[` at line 1, column 4 is not closed with `]`)"]
        );
        let src = parse("a:\n  b: 1\n c: 2\n");
        assert_eq!(
            messages(&src),
            ["t.yaml:3:3: (document): YAML syntax error: while parsing a block mapping, did not find expected key \
              (check the indentation: keys of one map line up in the same column)"]
        );
        // The partial tree is kept.
        assert_eq!(src.locate(&FieldPath::parse("a.b")), (2, 6));
    }

    #[test]
    fn duplicate_keys_point_at_the_second() {
        let src = parse("a:\n  x: 1\n  y: 2\n  x: 3\n");
        assert_eq!(messages(&src), ["t.yaml:4:3: a.x: duplicate key `x` (first at line 2)"]);
        assert_eq!(src.to_json(), json!({"a": {"x": 1, "y": 2}}));
        assert!(src.complete);
    }

    #[test]
    fn anchors_aliases_tags_and_odd_keys_are_rejected() {
        let src = parse("a: &base 1\nb: *base\nc: !Ref x\n1: one\n? [k]\n: v\nd: &l [1]\n");
        assert_eq!(
            messages(&src),
            [
                "t.yaml:1:4: a: anchors (`&name`) are not supported; write the value out",
                "t.yaml:2:4: b: aliases are not supported; write the value out",
                "t.yaml:3:4: c: YAML tags (`!Ref`) are not supported; write a plain value",
                "t.yaml:4:1: (document): key `1` is not a string; write it in quotes (\"1\") if it is a name",
                "t.yaml:5:3: (document): complex keys (lists or maps as keys) are not supported; keys must be plain strings",
                "t.yaml:7:4: d: anchors (`&name`) are not supported; write the value out",
            ]
        );
        assert_eq!(src.to_json(), json!({"a": 1, "b": null, "c": null, "d": [1]}));
        assert_eq!(src.node(&FieldPath::parse("b")).map(|n| &n.value), Some(&NodeValue::Invalid));
    }

    #[test]
    fn one_document_only() {
        let src = parse("---\na: 1\n---\nb: 2\n");
        assert_eq!(
            messages(&src),
            ["t.yaml:3:1: (document): a second YAML document starts here; an environment file holds exactly one \
              (remove this `---` and what follows, or move it to its own file)"]
        );
        assert_eq!(src.to_json(), json!({"a": 1}));
    }

    #[test]
    fn empty_and_deep_input() {
        for text in ["", "# nothing\n", "\u{feff}"] {
            let src = parse(text);
            assert!(src.root.is_none() && src.diagnostics.is_empty() && src.complete);
            assert_eq!(src.locate(&FieldPath::parse("a.b")), (1, 1));
        }
        // Flow nesting: the scanner's own limit; block nesting: ours.
        let src = parse(&"[".repeat(100_000));
        assert!(!src.complete);
        assert_eq!(src.diagnostics.len(), 1, "{:?}", src.diagnostics);
        let deep: String = (0..100).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let src = parse(&deep);
        assert!(!src.complete);
        assert_eq!(
            src.diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "t.yaml:65:65: k0.k1.k2.k3.k4.k5.k6.k7.k8.k9.k10.k11.k12.k13.k14.k15.k16.k17.k18.k19.k20.k21.k22.k23.k24.\
              k25.k26.k27.k28.k29.k30.k31.k32.k33.k34.k35.k36.k37.k38.k39.k40.k41.k42.k43.k44.k45.k46.k47.k48.k49.k50.\
              k51.k52.k53.k54.k55.k56.k57.k58.k59.k60.k61.k62.k63: nested deeper than 64 levels; an environment file needs far fewer"
            ]
        );
    }

    #[test]
    fn describes_values() {
        let src = parse("a: two\nb: \"2\"\nc: '2'\nd:\ne: [1]\nf: {}\n");
        let d = |p: &str| src.node(&FieldPath::parse(p)).unwrap().describe();
        assert_eq!(d("a"), "`two`");
        assert_eq!(d("b"), "`\"2\"`");
        assert_eq!(d("c"), "`'2'`");
        assert_eq!(d("d"), "an empty value");
        assert_eq!(d("e"), "a list");
        assert_eq!(d("f"), "a map");
    }
}
