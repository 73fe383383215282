//! `matbakh-infra drift --env ENV [--output human|json|markdown] [--ignore FILE] [--concurrency N]`
//! Checks that the live stacks still match the code. Read-only. Exit status: 0 in sync,
//! 2 drift (template drift, missing stacks, modified or deleted resources), 1 error.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::ValueEnum;

use super::Style;
use super::aws_args::{AwsArgs, print_target};
use super::env_files::{Selection, build_assembly, load_reporting};
use crate::aws::Connection;
use crate::aws::cloudformation::SdkCloudFormation;
use crate::aws::services::SdkReaders;
use crate::drift::{DriftOptions, exit_status, ignore, make_drift, render};
use crate::synth::{Format, render as render_templates};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DriftOutput {
    Human,
    /// The versioned drift report (format_version 1).
    Json,
    /// For an issue comment or a CI job summary.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    aws: AwsArgs,
    #[arg(long, value_enum, default_value_t = DriftOutput::Human)]
    output: DriftOutput,
    /// A reviewed YAML list of known, accepted differences: entries
    /// {stack, resource, property (optional), reason}.
    #[arg(long, value_name = "FILE")]
    ignore: Option<PathBuf>,
    /// Stacks, and service reads, in flight at once.
    #[arg(long, default_value_t = 16, value_name = "N")]
    concurrency: usize,
    /// Skip CloudFormation's own drift detection (service-API reads only).
    #[arg(long)]
    no_cloudformation_detection: bool,
}

pub fn run(selection: &Selection, args: &Args, style: &Style) -> anyhow::Result<ExitCode> {
    let file = selection.required_file("drift")?;
    let ignore = match &args.ignore {
        Some(path) => ignore::load(path)?,
        None => Vec::new(),
    };
    let Some(loaded) = load_reporting(&file, style) else {
        return Ok(ExitCode::FAILURE);
    };
    let assembly = build_assembly(&loaded)?;
    let rendered = render_templates(&assembly, Format::Json)?;
    let mut options = DriftOptions {
        concurrency: args.concurrency.max(1),
        cloudformation_detection: !args.no_cloudformation_detection,
        ignore,
        progress: crate::apply::progress::read_progress(args.output == DriftOutput::Human),
        ..DriftOptions::default()
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    let (report, _target) = runtime.block_on(async {
        let Connection { config, target } = args.aws.connect(&loaded.env).await?;
        print_target("drift", &loaded.env, &target, style);
        options.account = target.account.clone();
        let cfn = SdkCloudFormation::new(&config);
        let report = make_drift(&cfn, &cfn, &SdkReaders::new(&config), &rendered, &options)
            .await
            .context("cannot read the live stacks; nothing was compared")?;
        anyhow::Ok((report, target))
    })?;
    for stale in &report.stale_ignores {
        eprintln!("{}", style.warning(&format!("warning: ignore entry {stale}")));
    }
    match args.output {
        DriftOutput::Human => print!("{}", render::human(&report, style)),
        DriftOutput::Json => print!("{}", report.to_json()),
        DriftOutput::Markdown => print!("{}", render::markdown(&report)),
    }
    if !report.read_failures.is_empty() {
        eprintln!(
            "{}",
            style.error(&format!(
                "error: {} read(s) failed, so drift cannot vouch for this environment; fix what each \"read failed\" line names (permission, endpoint) and run drift again",
                report.read_failures.len()
            ))
        );
    }
    Ok(ExitCode::from(exit_status(&report)))
}
