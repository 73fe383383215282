//! Drawing a template diff for people, in the style of `cdk diff`: the parameter,
//! condition, resource, output and other changes of one stack. Plan and drift both
//! show template changes through it.

use serde_json::Value;
use similar::TextDiff;

use super::changes::{Action, EntryChange, PropertyChange, ResourceChange, TemplateDiff};
use super::impact::Impact;
use super::parameters::ParameterValueChange;
use crate::style::Style;

/// Values longer than this (as one-line JSON) are shown as a unified diff.
const INLINE_MAX: usize = 80;

/// One stack's changes, indented under its headline.
pub fn changes_human(d: &TemplateDiff, parameter_values: &[ParameterValueChange], style: &Style, out: &mut String) {
    entries("Parameters", &d.parameters, style, out);
    for p in parameter_values {
        out.push_str(&format!(
            "  [~] parameter value {}: {} → {}\n",
            p.key,
            style.removed(p.old.as_deref().unwrap_or("(none)")),
            style.added(p.new.as_deref().unwrap_or("(none)"))
        ));
    }
    entries("Conditions", &d.conditions, style, out);
    if !d.resources.is_empty() {
        out.push_str("  Resources\n");
        for r in &d.resources {
            resource_human(r, style, out);
        }
    }
    entries("Outputs", &d.outputs, style, out);
    entries("Other", &d.other, style, out);
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

fn resource_human(r: &ResourceChange, style: &Style, out: &mut String) {
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
    out.push_str(&format!("{head}{tag}\n"));
    if r.action == Action::Remove {
        if let Some(reason) = &r.reason {
            out.push_str(&format!("   └─ {}\n", style.dim(reason)));
        }
        return;
    }
    if r.action == Action::Add {
        return;
    }
    let count = r.properties.len() + r.attributes.len();
    let mut n = 0;
    for p in &r.properties {
        n += 1;
        property_human(p, n == count, style, out);
    }
    for a in &r.attributes {
        n += 1;
        let branch = if n == count { "└─" } else { "├─" };
        out.push_str(&format!("   {branch} [~] {} (resource attribute)\n", a.key));
        values(a.old.as_ref(), a.new.as_ref(), "       ", style, out);
    }
}

fn property_human(p: &PropertyChange, last: bool, style: &Style, out: &mut String) {
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
    out.push_str(&format!("   {branch} {action} {}{note}\n", p.path));
    if p.old == p.new {
        return; // a propagated change: the expression is the same, its value is new
    }
    values(p.old.as_ref(), p.new.as_ref(), if last { "       " } else { "   │   " }, style, out);
}

fn one_line(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn values(old: Option<&Value>, new: Option<&Value>, indent: &str, style: &Style, out: &mut String) {
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
                let line = match change.tag() {
                    similar::ChangeTag::Delete => style.removed(&line),
                    similar::ChangeTag::Insert => style.added(&line),
                    similar::ChangeTag::Equal => style.dim(&line),
                };
                out.push_str(&line);
                out.push('\n');
            }
        }
        return;
    }
    if let Some(v) = old {
        out.push_str(&style.removed(&format!("{indent}[-] {}\n", one_line(v))));
    }
    if let Some(v) = new {
        out.push_str(&style.added(&format!("{indent}[+] {}\n", one_line(v))));
    }
}

fn entries(title: &str, changes: &[EntryChange], style: &Style, out: &mut String) {
    if changes.is_empty() {
        return;
    }
    out.push_str(&format!("  {title}\n"));
    for c in changes {
        out.push_str(&format!("  {} {}\n", marker(c.action), c.key));
        values(c.old.as_ref(), c.new.as_ref(), "       ", style, out);
    }
}
