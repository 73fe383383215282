//! `matbakh-infra plan --env ENV [--output human|json|markdown] [--out FILE] [--no-change-set]`
//! Exit status: 0 no changes, 2 changes present, 1 error (a blocked stack is an error:
//! apply could not proceed).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::ValueEnum;

use super::Style;
use super::aws_args::AwsArgs;
use super::env_files::{Selection, build_assembly, load_reporting};
use crate::aws::cloudformation::SdkCloudFormation;
use crate::aws::load_config;
use crate::plan::{Plan, PlanOptions, make_plan, render};
use crate::synth::{Format, render as render_templates};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanOutput {
    Human,
    /// The versioned plan format (format_version 1), documented in README.md.
    Json,
    /// For pull-request comments.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    aws: AwsArgs,
    #[arg(long, value_enum, default_value_t = PlanOutput::Human)]
    output: PlanOutput,
    /// Also save the plan (JSON, with template hashes and each stack's LastUpdatedTime)
    /// for `apply --plan FILE`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Confirm impacts with CloudFormation change sets (the default; created, read and
    /// deleted again). Falls back to the template diff where the endpoint lacks them.
    #[arg(long, overrides_with = "no_change_set")]
    change_set: bool,
    /// Use only the template diff and the registry tables; touch nothing.
    #[arg(long)]
    no_change_set: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16, value_name = "N")]
    concurrency: usize,
}

/// The documented exit status of a plan.
pub fn exit_status(plan: &Plan) -> u8 {
    if plan.is_blocked() {
        1
    } else if plan.has_changes() {
        2
    } else {
        0
    }
}

pub fn run(selection: &Selection, args: &Args, style: &Style) -> anyhow::Result<ExitCode> {
    let file = selection.required_file("plan")?;
    let Some(loaded) = load_reporting(&file, style) else {
        return Ok(ExitCode::FAILURE);
    };
    let assembly = build_assembly(&loaded)?;
    let rendered = render_templates(&assembly, Format::Json)?;
    let options = PlanOptions {
        change_sets: !args.no_change_set,
        concurrency: args.concurrency.max(1),
        ..PlanOptions::default()
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    let plan = runtime.block_on(async {
        let config = load_config(&args.aws.options(), &loaded.env.region).await;
        make_plan(&SdkCloudFormation::new(&config), &rendered, &options).await
    })?;
    match args.output {
        PlanOutput::Human => print!("{}", render::human(&plan, style)),
        PlanOutput::Json => print!("{}", plan.to_json()),
        PlanOutput::Markdown => print!("{}", render::markdown(&plan)),
    }
    if let Some(out) = &args.out {
        std::fs::write(out, plan.to_json()).with_context(|| format!("cannot write the plan to {}", out.display()))?;
        eprintln!("saved the plan to {}", out.display());
    }
    Ok(ExitCode::from(exit_status(&plan)))
}
