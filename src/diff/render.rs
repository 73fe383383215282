//! Drawing a template diff for people, in the style of `cdk diff`: the parameter,
//! condition, resource, output and other changes of one stack, and what each added
//! access-relevant resource allows. Plan and drift both show template changes through
//! it, on a terminal in colour or in a markdown `diff` block whose first column GitHub
//! colours ([`View`]).

use serde_json::Value;
use similar::TextDiff;

use super::changes::{Action, EntryChange, PropertyChange, ResourceChange, TemplateDiff};
use super::impact::Impact;
use super::parameters::ParameterValueChange;
use crate::style::Style;

/// Values longer than this (as one-line JSON) are shown as a unified diff.
const INLINE_MAX: usize = 80;

/// Where a view's lines go: a terminal, coloured by its style, or a markdown ```` ```diff ````
/// block, where each line starts with the mark GitHub colours: `+` added (green), `-`
/// removed or replaced (red: the old resource goes), `!` changed in place (orange).
#[derive(Clone, Copy, Debug)]
pub struct View {
    pub style: Style,
    gutter: bool,
}

/// What a line shows, for the gutter of a diff block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Added,
    Removed,
    /// Replaced, or may be: the resource is deleted and made anew.
    Replaced,
    /// Changed in place.
    Changed,
    Context,
}

impl View {
    pub fn terminal(style: &Style) -> Self {
        View { style: *style, gutter: false }
    }

    /// Plain text for a markdown ```` ```diff ```` block, each line marked in its first column.
    pub fn diff_block() -> Self {
        View { style: Style::plain(), gutter: true }
    }

    /// Writes `text` (one line or several) marked as `mark`.
    pub fn line(&self, out: &mut String, mark: Mark, text: &str) {
        for line in text.lines() {
            if self.gutter {
                out.push(match mark {
                    Mark::Added => '+',
                    Mark::Removed | Mark::Replaced => '-',
                    Mark::Changed => '!',
                    Mark::Context => ' ',
                });
            }
            out.push_str(line);
            out.push('\n');
        }
    }
}

/// How a resource change is marked: a replacement stands out from an in-place change.
pub fn resource_mark(r: &ResourceChange) -> Mark {
    match (r.action, r.impact) {
        (Action::Add, _) => Mark::Added,
        (Action::Remove, _) => Mark::Removed,
        (Action::Modify, Impact::WillReplace | Impact::MayReplace) => Mark::Replaced,
        (Action::Modify, _) => Mark::Changed,
    }
}

/// One stack's changes, indented under its headline, on a terminal.
pub fn changes_human(d: &TemplateDiff, parameter_values: &[ParameterValueChange], style: &Style, out: &mut String) {
    changes_view(d, parameter_values, &View::terminal(style), out);
}

/// One stack's changes, indented under its headline.
pub fn changes_view(d: &TemplateDiff, parameter_values: &[ParameterValueChange], view: &View, out: &mut String) {
    let style = &view.style;
    entries("Parameters", &d.parameters, view, out);
    for p in parameter_values {
        view.line(
            out,
            Mark::Changed,
            &format!(
                "  [~] parameter value {}: {} → {}",
                p.key,
                style.removed(p.old.as_deref().unwrap_or("(none)")),
                style.added(p.new.as_deref().unwrap_or("(none)"))
            ),
        );
    }
    entries("Conditions", &d.conditions, view, out);
    if !d.resources.is_empty() {
        view.line(out, Mark::Context, "  Resources");
        for r in &d.resources {
            resource_view(r, view, out);
        }
    }
    entries("Outputs", &d.outputs, view, out);
    entries("Other", &d.other, view, out);
}

pub fn marker(action: Action) -> &'static str {
    match action {
        Action::Add => "[+]",
        Action::Remove => "[-]",
        Action::Modify => "[~]",
    }
}

pub fn paint_impact(impact: Impact, text: &str, style: &Style) -> String {
    match impact {
        Impact::WillReplace | Impact::Delete => style.error(text),
        Impact::MayReplace | Impact::Orphan => style.warning(text),
        Impact::Create => style.added(text),
        _ => text.to_owned(),
    }
}

/// One resource change: its headline, then its property changes, or — for an added
/// resource that grants or guards access — what it allows.
pub fn resource_view(r: &ResourceChange, view: &View, out: &mut String) {
    let style = &view.style;
    let mark = resource_mark(r);
    let tag = match r.impact {
        Impact::Update | Impact::Create | Impact::NoChange => String::new(),
        i => paint_impact(i, &format!(" ({})", i.label()), style),
    };
    let head = format!("  {} {} {}", marker(r.action), r.resource_type, r.logical_id);
    let head = match r.action {
        Action::Add => style.added(&head),
        Action::Remove => style.removed(&head),
        Action::Modify => head,
    };
    view.line(out, mark, &format!("{head}{tag}"));
    match r.action {
        Action::Remove => {
            if let Some(reason) = &r.reason {
                view.line(out, mark, &format!("   └─ {}", style.dim(reason)));
            }
        }
        Action::Add => {
            let details = r.access_details();
            for (i, d) in details.iter().enumerate() {
                let branch = if i + 1 == details.len() { "└─" } else { "├─" };
                view.line(out, mark, &format!("   {branch} {}", style.added(&d.to_string())));
            }
        }
        Action::Modify => {
            let count = r.properties.len() + r.attributes.len();
            let mut n = 0;
            for p in &r.properties {
                n += 1;
                property_view(p, n == count, view, out);
            }
            for a in &r.attributes {
                n += 1;
                let branch = if n == count { "└─" } else { "├─" };
                view.line(out, Mark::Changed, &format!("   {branch} [~] {} (resource attribute)", a.key));
                values(a.old.as_ref(), a.new.as_ref(), "       ", view, out);
            }
        }
    }
}

fn property_view(p: &PropertyChange, last: bool, view: &View, out: &mut String) {
    let style = &view.style;
    let branch = if last { "└─" } else { "├─" };
    let action = match (&p.old, &p.new) {
        (None, Some(_)) => "[+]",
        (Some(_), None) => "[-]",
        _ => "[~]",
    };
    let note = match (p.impact, &p.reason) {
        (Impact::WillReplace, Some(r)) => paint_impact(p.impact, &format!(" (requires replacement: {r})"), style),
        (Impact::MayReplace, Some(r)) => paint_impact(p.impact, &format!(" (may require replacement: {r})"), style),
        (Impact::Update, Some(r)) => style.dim(&format!(" ({r})")),
        _ => String::new(),
    };
    let mark = match p.impact {
        Impact::WillReplace | Impact::MayReplace => Mark::Replaced,
        _ => Mark::Changed,
    };
    view.line(out, mark, &format!("   {branch} {action} {}{note}", p.path));
    if p.old == p.new {
        return; // a propagated change: the expression is the same, its value is new
    }
    values(p.old.as_ref(), p.new.as_ref(), if last { "       " } else { "   │   " }, view, out);
}

fn one_line(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn values(old: Option<&Value>, new: Option<&Value>, indent: &str, view: &View, out: &mut String) {
    let style = &view.style;
    let long = old.into_iter().chain(new).any(|v| one_line(v).len() > INLINE_MAX);
    if long {
        let pretty = |v: Option<&Value>| {
            v.map(|v| serde_json::to_string_pretty(v).unwrap_or_default() + "\n").unwrap_or_default()
        };
        let (a, b) = (pretty(old), pretty(new));
        let diff = TextDiff::from_lines(&a, &b);
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            for change in hunk.iter_changes() {
                let line = format!("{indent}{}{}", change.tag(), change.value().trim_end_matches('\n'));
                match change.tag() {
                    similar::ChangeTag::Delete => view.line(out, Mark::Removed, &style.removed(&line)),
                    similar::ChangeTag::Insert => view.line(out, Mark::Added, &style.added(&line)),
                    similar::ChangeTag::Equal => view.line(out, Mark::Context, &style.dim(&line)),
                }
            }
        }
        return;
    }
    if let Some(v) = old {
        view.line(out, Mark::Removed, &style.removed(&format!("{indent}[-] {}", one_line(v))));
    }
    if let Some(v) = new {
        view.line(out, Mark::Added, &style.added(&format!("{indent}[+] {}", one_line(v))));
    }
}

fn entries(title: &str, changes: &[EntryChange], view: &View, out: &mut String) {
    if changes.is_empty() {
        return;
    }
    view.line(out, Mark::Context, &format!("  {title}"));
    for c in changes {
        let mark = match c.action {
            Action::Add => Mark::Added,
            Action::Remove => Mark::Removed,
            Action::Modify => Mark::Changed,
        };
        view.line(out, mark, &format!("  {} {}", marker(c.action), c.key));
        values(c.old.as_ref(), c.new.as_ref(), "       ", view, out);
    }
}
