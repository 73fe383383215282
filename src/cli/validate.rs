//! `matbakh-infra validate [--env ENV | FILE…] [--output text|json]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use super::Style;
use super::env_files::{Selection, build_assembly, print_diagnostics};
use crate::config::load::{Loaded, load_file};
use crate::config::{Diagnostic, FieldPath, Finding};
use crate::synth::{Format, render};

/// The version of the `--output json` document; raised only on incompatible changes.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// `FILE:LINE:COLUMN: field: message` lines on stderr.
    Text,
    /// One JSON document on stdout: `format_version`, `valid`, `files`, `diagnostics`.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environment files to check; default: the --env file, or every file in the stacks folder.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// How to report: text for people, json for tools.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
}

/// What validating one file found.
struct Checked {
    file: PathBuf,
    /// Every diagnostic, warnings too, sorted by location.
    diagnostics: Vec<Diagnostic>,
    /// Notes and the summary line of a valid file (text output only).
    summary: Option<Summary>,
}

struct Summary {
    environment: String,
    notes: Vec<String>,
    stacks: Vec<(String, usize, usize)>,
}

impl Checked {
    fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

pub fn run(selection: &Selection, args: &Args, style: &Style, verbose: u8) -> anyhow::Result<ExitCode> {
    let files = if !args.files.is_empty() {
        args.files.clone()
    } else if selection.env.is_some() {
        vec![selection.required_file("validate")?]
    } else {
        selection.all_files()?
    };
    if files.is_empty() {
        anyhow::bail!("no environment files in {}; pass FILE or --stacks-dir DIR", selection.stacks_dir.display());
    }
    let checked: Vec<Checked> = files.iter().map(|f| check(f)).collect();
    match args.output {
        Output::Text => checked.iter().for_each(|c| report_text(c, style, verbose)),
        Output::Json => println!("{}", serde_json::to_string_pretty(&json_document(&checked))?),
    }
    Ok(if checked.iter().all(Checked::is_valid) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Loads the file (syntax, schema, rules and asset paths in one pass) and, when it is
/// valid, builds and renders it in memory: that finds what only the whole model shows
/// (dependency cycles, template limits) without writing anything.
fn check(file: &Path) -> Checked {
    let loaded: Loaded = match load_file(file) {
        Ok(loaded) => loaded,
        Err(diagnostics) => return Checked { file: file.to_owned(), diagnostics, summary: None },
    };
    let whole_file = |message: String| Diagnostic::new(file, 1, 1, Finding::error(FieldPath::root(), message));
    let mut diagnostics = loaded.warnings.clone();
    let rendered = build_assembly(&loaded)
        .map_err(|e| format!("{e:#}"))
        .and_then(|assembly| render(&assembly, Format::Json).map_err(|e| format!("cannot render the templates: {e}")));
    let summary = match rendered {
        Ok(rendered) => Some(Summary {
            environment: loaded.env.name.clone(),
            notes: rendered.notes.iter().map(ToString::to_string).collect(),
            stacks: rendered.stacks.iter().map(|s| (s.name.clone(), s.resources, s.body.len())).collect(),
        }),
        Err(message) => {
            diagnostics.push(whole_file(message));
            None
        }
    };
    Checked { file: file.to_owned(), diagnostics, summary }
}

fn report_text(checked: &Checked, style: &Style, verbose: u8) {
    print_diagnostics(&checked.diagnostics, style);
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    match &checked.summary {
        Some(summary) if errors == 0 => {
            for note in &summary.notes {
                eprintln!("{}: {note}", style.warning("note"));
            }
            let resources: usize = summary.stacks.iter().map(|s| s.1).sum();
            eprintln!(
                "{} {} (environment {}: {} stacks, {resources} resources)",
                style.ok("valid:"),
                checked.file.display(),
                summary.environment,
                summary.stacks.len()
            );
            if verbose > 0 {
                for (name, resources, bytes) in &summary.stacks {
                    eprintln!("  {name:<28} {resources:>4} resources {bytes:>7} bytes");
                }
            }
        }
        _ => eprintln!(
            "{}: {} is invalid ({errors} error{}); nothing was rendered",
            style.error("error"),
            checked.file.display(),
            if errors == 1 { "" } else { "s" }
        ),
    }
}

/// The `--output json` document (format version 1).
fn json_document(checked: &[Checked]) -> serde_json::Value {
    let files: Vec<_> = checked
        .iter()
        .map(|c| serde_json::json!({"file": c.file.display().to_string(), "valid": c.is_valid()}))
        .collect();
    let diagnostics: Vec<_> = checked.iter().flat_map(|c| &c.diagnostics).map(Diagnostic::to_json).collect();
    serde_json::json!({
        "format_version": JSON_FORMAT_VERSION,
        "valid": checked.iter().all(Checked::is_valid),
        "files": files,
        "diagnostics": diagnostics,
    })
}
