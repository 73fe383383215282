//! `matbakh-infra plan --env ENV [--output human|json|markdown] [--out FILE] [--no-change-set]`
//! Exit status: 0 no changes, 2 changes present, 1 error — also when the plan says
//! apply would fail (a blocked stack, an export in use, a change set that cannot be made).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::ValueEnum;

use super::Style;
use super::aws_args::{AwsArgs, print_target};
use super::env_files::{Selection, build_assembly, load_reporting};
use crate::aws::Connection;
use crate::aws::artifacts::S3Artifacts;
use crate::aws::cloudformation::SdkCloudFormation;
use crate::aws::services::SdkReaders;
use crate::constructs::bootstrap;
use crate::plan::{Plan, PlanOptions, discard, make_plan, needs_bucket, render};
use crate::synth::{Format, render as render_templates, render_stack};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanOutput {
    Human,
    /// The versioned plan format (format_version 2), documented in README.md.
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
    /// Also save the plan (JSON, with its change sets' ARNs, template hashes and each
    /// stack's LastUpdatedTime) for `apply --plan FILE`; the change sets are kept.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Prepare CloudFormation change sets (the default): they confirm impacts and are
    /// what apply executes; deleted at the end unless --out keeps them.
    #[arg(long, overrides_with = "no_change_set")]
    change_set: bool,
    /// Use only the template diff and the registry tables; touch nothing (apply then
    /// prepares each change set at its turn).
    #[arg(long)]
    no_change_set: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16, value_name = "N")]
    concurrency: usize,
}

/// The documented exit status of a plan: 1 when apply would fail (a blocked stack, an
/// export in use, a change set CloudFormation cannot make), 2 changes, 0 none.
pub fn exit_status(plan: &Plan) -> u8 {
    if plan.will_fail() {
        1
    } else if plan.has_changes() {
        2
    } else {
        0
    }
}

/// `--out json` means `--output json` far more often than a file called `json`.
fn check_out_path(out: &Path) -> anyhow::Result<()> {
    let bare = out.parent().is_none_or(|p| p.as_os_str().is_empty()) && out.extension().is_none();
    let name = out.to_string_lossy().to_lowercase();
    if bare && matches!(name.as_str(), "json" | "human" | "markdown" | "md" | "text" | "-") {
        anyhow::bail!(
            "--out takes the file to save the plan to (e.g. --out plan.json), not a format; to print the plan as {name}, use --output {}",
            if name == "md" {
                "markdown"
            } else if name == "-" || name == "text" {
                "json"
            } else {
                name.as_str()
            }
        );
    }
    Ok(())
}

pub fn run(selection: &Selection, args: &Args, style: &Style) -> anyhow::Result<ExitCode> {
    if let Some(out) = &args.out {
        check_out_path(out)?;
    }
    let file = selection.required_file("plan")?;
    let Some(loaded) = load_reporting(&file, style) else {
        return Ok(ExitCode::FAILURE);
    };
    let assembly = build_assembly(&loaded)?;
    let rendered = render_templates(&assembly, Format::Json)?;
    let bootstrap_stack = render_stack(&bootstrap::build(&loaded.env), Format::Json).0;
    let mut options = PlanOptions {
        change_sets: !args.no_change_set,
        concurrency: args.concurrency.max(1),
        progress: crate::apply::progress::read_progress(args.output == PlanOutput::Human),
        ..PlanOptions::default()
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let Connection { config, target } = args.aws.connect(&loaded.env).await?;
        print_target("plan", &loaded.env, &target, style);
        options.account = target.account.clone();
        let api = SdkCloudFormation::new(&config);
        let store = S3Artifacts::new(&config);
        let bootstrap = needs_bucket(&rendered).then_some(&bootstrap_stack);
        let plan = make_plan(&api, &store, &SdkReaders::new(&config), &rendered, bootstrap, &options).await?;
        match args.output {
            PlanOutput::Human => print!("{}", render::human(&plan, style)),
            PlanOutput::Json => print!("{}", plan.to_json()),
            PlanOutput::Markdown => print!("{}", render::markdown(&plan)),
        }
        let saved = match &args.out {
            Some(out) => std::fs::write(out, plan.to_json())
                .with_context(|| format!("cannot write the plan to {}", out.display()))
                .map(|()| Some(out)),
            None => Ok(None),
        };
        match &saved {
            Ok(Some(out)) => eprintln!(
                "saved the plan to {}; its {} change set(s) are kept for `apply --plan {}`",
                out.display(),
                plan.prepared().count(),
                out.display()
            ),
            // Not saved: nothing will execute its change sets.
            _ => {
                for problem in discard(&api, &plan, options.backoff).await {
                    eprintln!("{}: {problem}", style.warning("warning"));
                }
            }
        }
        saved?;
        Ok(ExitCode::from(exit_status(&plan)))
    })
}
