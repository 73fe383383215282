//! The command-line interface: argument definitions and one module per command.
//! Commands return an exit status; errors carry context for the user (anyhow).

mod apply;
mod aws_args;
mod drift;
mod env_files;
mod graph;
mod plan;
mod schema;

mod synth;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Parser, Subcommand};

pub use crate::style::Style;
pub use plan::exit_status as plan_exit_status;

/// Typed infrastructure-as-code for the matbakh platform: per-environment YAML,
/// checked against a schema and the design's rules, rendered into CloudFormation.
#[derive(Debug, Parser)]
#[command(name = "matbakh-infra", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Environment to work on; selects <STACKS_DIR>/<ENV>.yaml.
    #[arg(long, global = true, env = "MATBAKH_ENV", value_name = "ENV")]
    pub env: Option<String>,

    /// Folder holding the environment files.
    #[arg(long, global = true, default_value = "stacks", value_name = "DIR")]
    pub stacks_dir: PathBuf,

    /// More detail (repeat for more).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// No colors in the output (also when NO_COLOR is set or output is not a terminal).
    #[arg(long, global = true)]
    pub no_color: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check environment files: schema, types, unknown fields and the design's rules.
    Validate(validate::Args),
    /// Render an environment's stacks into CloudFormation templates and a manifest.
    Synth(synth::Args),
    /// Draw the stack dependency graph with the exports each edge carries.
    Graph(graph::Args),
    /// Write the JSON Schema of environment files (editors autocomplete from it).
    Schema(schema::Args),
    /// Show what applying would change in the live stacks, and prepare the change sets
    /// apply executes (kept with --out). Exit status: 0 no changes, 2 changes, 1 error.
    #[command(visible_alias = "diff")]
    Plan(plan::Args),
    /// Deploy the stacks through change sets, in dependency order, independent stacks
    /// in parallel. Exit status: 0 success, 1 error before any change, 3 succeeded with
    /// warnings, 4 a stack failed.
    Apply(apply::Args),
    /// Check that the live stacks still match the code (read-only).
    /// Exit status: 0 in sync, 2 drift, 1 error.
    Drift(drift::Args),
    /// Print a shell completion script (e.g. `matbakh-infra completions bash >
    /// /etc/bash_completion.d/matbakh-infra`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Runs the parsed command line; the exit status follows the documented contract
/// (0 success, 1 error or invalid input).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let style = Style::detect(cli.no_color);
    let ctx = env_files::Selection { env: cli.env.clone(), stacks_dir: cli.stacks_dir.clone() };
    match &cli.command {
        Command::Validate(args) => validate::run(&ctx, args, &style, cli.verbose),
        Command::Synth(args) => synth::run(&ctx, args, &style),
        Command::Graph(args) => graph::run(&ctx, args, &style),
        Command::Schema(args) => schema::run(args, &style),
        Command::Plan(args) => plan::run(&ctx, args, &style),
        Command::Apply(args) => apply::run(&ctx, args, &style),
        Command::Drift(args) => drift::run(&ctx, args, &style),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(*shell, &mut Cli::command(), "matbakh-infra", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}
