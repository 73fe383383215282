//! `matbakh-infra graph --env ENV [--output mermaid|dot]`

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::ValueEnum;

use super::Style;
use super::env_files::{Selection, build_assembly, load_reporting};
use crate::graph::StackGraph;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Renders in GitHub and GitLab markdown (wrap it in a ```mermaid block).
    Mermaid,
    /// Graphviz: `dot -Tsvg`.
    Dot,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Graph format (`--format` is the older name, still accepted).
    #[arg(long = "output", alias = "format", value_name = "FORMAT", value_enum, default_value_t = GraphFormat::Mermaid)]
    format: GraphFormat,
}

pub fn run(selection: &Selection, args: &Args, style: &Style) -> anyhow::Result<ExitCode> {
    let file = selection.required_file("graph")?;
    let Some(loaded) = load_reporting(&file, style) else {
        return Ok(ExitCode::FAILURE);
    };
    let assembly = build_assembly(&loaded)?;
    let graph = StackGraph::from_stacks(&assembly.stacks)?;
    let names: BTreeMap<String, String> =
        assembly.stacks.iter().map(|s| (s.id().to_owned(), s.name().to_owned())).collect();
    print!(
        "{}",
        match args.format {
            GraphFormat::Mermaid => graph.to_mermaid(&names),
            GraphFormat::Dot => graph.to_dot(&names),
        }
    );
    Ok(ExitCode::SUCCESS)
}
