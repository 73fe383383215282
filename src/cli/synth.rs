//! `matbakh-infra synth --env ENV [--out DIR] [--output json|yaml]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::Style;
use super::env_files::{Selection, build_assembly, load_reporting};
use crate::synth::{Format, render, write};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folder; default: out/<ENV>.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Template format (`--format` is the older name, still accepted).
    #[arg(long = "output", alias = "format", value_name = "FORMAT", value_enum, default_value_t = Format::Json)]
    format: Format,
}

pub fn run(selection: &Selection, args: &Args, style: &Style) -> anyhow::Result<ExitCode> {
    let file = selection.required_file("synth")?;
    let Some(loaded) = load_reporting(&file, style) else {
        return Ok(ExitCode::FAILURE);
    };
    let assembly = build_assembly(&loaded)?;
    let rendered = render(&assembly, args.format)?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("out").join(&loaded.env.name));
    write(&rendered, &out)?;
    for note in &rendered.notes {
        eprintln!("{}: {note}", style.warning("note"));
    }
    println!("{}", style.bold(&format!("{:<28} {:>9} {:>8}  depends on", "stack", "resources", "bytes")));
    for s in &rendered.manifest.stacks {
        let deps = if s.depends_on.is_empty() { "-".to_owned() } else { s.depends_on.join(", ") };
        println!("{:<28} {:>9} {:>8}  {deps}", s.name, s.resources, s.bytes);
    }
    println!("wrote {} templates and manifest.json to {}", rendered.stacks.len(), out.display());
    Ok(ExitCode::SUCCESS)
}
