//! `matbakh-infra schema [--out FILE] [--check]`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::Style;
use crate::config::schema::environment_schema_json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the schema.
    #[arg(long, default_value = "schemas/environment.schema.json", value_name = "FILE")]
    out: PathBuf,
    /// Do not write; exit 1 when the file differs from the generated schema (for CI).
    #[arg(long)]
    check: bool,
}

pub fn run(args: &Args, style: &Style) -> anyhow::Result<ExitCode> {
    let schema = environment_schema_json();
    if args.check {
        let current = std::fs::read_to_string(&args.out).unwrap_or_default();
        if current != schema {
            eprintln!("{}: {} is stale; run `matbakh-infra schema`", style.error("error"), args.out.display());
            return Ok(ExitCode::FAILURE);
        }
        eprintln!("{} {} is up to date", style.ok("ok:"), args.out.display());
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&args.out, &schema).with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
