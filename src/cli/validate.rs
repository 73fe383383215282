//! `matbakh-infra validate [--env ENV | FILE…]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::Style;
use super::env_files::{Selection, build_assembly, load_reporting};
use crate::synth::{Format, render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environment files to check; default: the --env file, or every file in the stacks folder.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
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
    let mut failed = 0;
    for file in &files {
        let Some(loaded) = load_reporting(file, style) else {
            failed += 1;
            continue;
        };
        // Building and rendering in memory finds what only the whole model shows
        // (dependency cycles, template limits) without writing anything.
        let assembly = match build_assembly(&loaded) {
            Ok(assembly) => assembly,
            Err(e) => {
                eprintln!("{}: {e:#}", style.error("error"));
                failed += 1;
                continue;
            }
        };
        match render(&assembly, Format::Json) {
            Ok(rendered) => {
                for note in &rendered.notes {
                    eprintln!("{}: {note}", style.warning("note"));
                }
                let resources: usize = rendered.stacks.iter().map(|s| s.resources).sum();
                eprintln!(
                    "{} {} (environment {}: {} stacks, {resources} resources)",
                    style.ok("valid:"),
                    file.display(),
                    loaded.env.name,
                    rendered.stacks.len()
                );
                if verbose > 0 {
                    for s in &rendered.stacks {
                        eprintln!("  {:<28} {:>4} resources {:>7} bytes", s.name, s.resources, s.body.len());
                    }
                }
            }
            Err(e) => {
                eprintln!("{}: {}: {e}", style.error("error"), file.display());
                failed += 1;
            }
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
