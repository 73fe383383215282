//! `matbakh-infra apply --env ENV [--yes] [--plan FILE] [--allow-replace ID]…
//! [--concurrency N] [--stack ID]… [--output human|json]`
//! Exit status: 0 success, 1 error before any change, 3 succeeded with resource
//! warnings, 4 at least one stack failed (or was not started because of one).

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::ValueEnum;

use super::Style;
use super::aws_args::{AwsArgs, print_target};
use super::env_files::{Selection, build_assembly, load_reporting};
use crate::apply::progress::{Bars, JsonLines, PlainLines};
use crate::apply::saved_plan::{check_target, parse_saved_plan, verify};
use crate::apply::{ApplyOptions, ApplyReport, Deployed, StackOutcome, apply};
use crate::aws::Connection;
use crate::aws::artifacts::S3Artifacts;
use crate::aws::cloudformation::SdkCloudFormation;
use crate::aws::identity::Target;
use crate::aws::retry::Backoff;
use crate::aws::services::SdkReaders;
use crate::constructs::bootstrap;
use crate::graph::StackGraph;
use crate::plan::{Plan, PlanOptions, PlanStatus, discard, make_plan, needs_bucket, render};
use crate::safety;
use crate::synth::{Format, Rendered, RenderedStack, render as render_templates, render_stack};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ApplyOutput {
    /// Progress bars on a terminal; timestamped lines without one or with CI=true.
    Human,
    /// One JSON event per line (documented in README.md).
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    aws: AwsArgs,
    /// Do not ask for confirmation. Never implies --allow-replace.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Deploy exactly this saved plan (`plan --out FILE`); refused when any stack or
    /// template changed since it was made.
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// Allow replacing or deleting this stateful resource (logical id; repeatable).
    #[arg(long = "allow-replace", value_name = "LOGICAL_ID")]
    allow_replace: Vec<String>,
    /// Stacks deployed at once.
    #[arg(long, default_value_t = crate::apply::DEFAULT_CONCURRENCY, value_name = "N")]
    concurrency: usize,
    /// Deploy only these stacks (ids as in `graph`, e.g. network; repeatable). The
    /// stacks they depend on must already be deployed.
    #[arg(long = "stack", value_name = "ID")]
    stacks: Vec<String>,
    #[arg(long, value_enum, default_value_t = ApplyOutput::Human)]
    output: ApplyOutput,
}

pub fn run(selection: &Selection, args: &Args, style: &Style) -> anyhow::Result<ExitCode> {
    let file = selection.required_file("apply")?;
    let Some(loaded) = load_reporting(&file, style) else {
        return Ok(ExitCode::FAILURE);
    };
    let assembly = build_assembly(&loaded)?;
    let rendered = render_templates(&assembly, Format::Json)?;
    let (bootstrap_stack, _) = render_stack(&bootstrap::build(&loaded.env), Format::Json);
    let selected = selected_stacks(&rendered, &args.stacks)?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let Connection { config, target } = args.aws.connect(&loaded.env).await?;
        // On stderr, so also with --output json (its events are on stdout).
        print_target("apply", &loaded.env, &target, style);
        let api = SdkCloudFormation::new(&config);
        let store = S3Artifacts::new(&config);
        let plan_options = PlanOptions {
            account: target.account.clone(),
            progress: crate::apply::progress::read_progress(args.output == ApplyOutput::Human),
            ..PlanOptions::default()
        };
        let plan = match &args.plan {
            Some(path) => saved_plan(&api, &rendered, &bootstrap_stack, path, &target, plan_options.backoff).await?,
            None => {
                let bootstrap = needs_bucket(&rendered).then_some(&bootstrap_stack);
                make_plan(&api, &store, &SdkReaders::new(&config), &rendered, bootstrap, &plan_options).await?
            }
        };
        let checks = Preflight {
            selected: selected.as_ref(),
            allow_replace: &args.allow_replace,
            show_plan: args.output == ApplyOutput::Human,
            confirmed: args.yes,
            target: &target,
        };
        let deploy = match checks.run(&plan, &rendered.graph, style) {
            Ok(Some(deploy)) => deploy,
            // Nothing executes: the change sets this apply made go; a saved plan's stay
            // (its owner may still run `apply --plan FILE --yes`).
            outcome => {
                if args.plan.is_none() {
                    for problem in discard(&api, &plan, plan_options.backoff).await {
                        eprintln!("{}: {problem}", style.warning("warning"));
                    }
                }
                return outcome.map(|_| ExitCode::SUCCESS);
            }
        };
        let options = ApplyOptions {
            concurrency: args.concurrency.max(1),
            allow_replace: args.allow_replace.iter().cloned().collect(),
            protect: loaded.env.protected,
            ..ApplyOptions::new(deploy)
        };
        let boot = &bootstrap_stack;
        let report = match (args.output, crate::apply::progress::draws_bars()) {
            (ApplyOutput::Json, _) => apply(&api, &store, &JsonLines, &rendered, boot, &plan, &options).await,
            (ApplyOutput::Human, true) => apply(&api, &store, &Bars::default(), &rendered, boot, &plan, &options).await,
            (ApplyOutput::Human, false) => apply(&api, &store, &PlainLines, &rendered, boot, &plan, &options).await,
        };
        if args.output == ApplyOutput::Human {
            eprint!("{}", summary(&report, &rendered, style));
        }
        Ok(ExitCode::from(report.exit_status()))
    })
}

fn selected_stacks(rendered: &Rendered, ids: &[String]) -> anyhow::Result<Option<BTreeSet<String>>> {
    if ids.is_empty() {
        return Ok(None);
    }
    let known: Vec<&str> = rendered.stacks.iter().map(|s| s.id.as_str()).collect();
    for id in ids {
        if !known.contains(&id.as_str()) {
            bail!("unknown stack `{id}` in --stack; stacks: {}", known.join(", "));
        }
    }
    Ok(Some(ids.iter().cloned().collect()))
}

/// Reads a saved plan and checks it against the code and the account.
async fn saved_plan(
    api: &SdkCloudFormation,
    rendered: &Rendered,
    bootstrap: &RenderedStack,
    path: &PathBuf,
    target: &Target,
    backoff: Backoff,
) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the plan {}", path.display()))?;
    let plan = parse_saved_plan(&text).with_context(|| format!("{} cannot be applied", path.display()))?;
    check_target(&plan, &target.account, &target.region)
        .with_context(|| format!("{} cannot be applied", path.display()))?;
    verify(api, &plan, rendered, bootstrap, backoff).await?;
    Ok(plan)
}

/// What must hold before anything changes.
struct Preflight<'a> {
    selected: Option<&'a BTreeSet<String>>,
    allow_replace: &'a [String],
    show_plan: bool,
    /// `--yes`: no question asked.
    confirmed: bool,
    /// Named in the question, so nobody confirms an apply to the wrong account.
    target: &'a Target,
}

impl Preflight<'_> {
    /// Shows the plan and checks it; returns the stacks to deploy, or `None` when there
    /// is nothing to do. Every error here leaves the account untouched.
    fn run(&self, plan: &Plan, graph: &StackGraph, style: &Style) -> anyhow::Result<Option<BTreeSet<String>>> {
        // With --stack, the bootstrap stack is deployed only when a selected stack needs
        // the artifacts bucket (apply decides that).
        let in_scope = |id: &str| self.selected.is_none_or(|s| s.contains(id));
        if self.show_plan {
            eprint!("{}", render::human(plan, style));
        }
        let failing: Vec<String> = plan
            .will_fail
            .iter()
            .filter(|w| plan.stacks.iter().any(|s| s.name == w.stack && in_scope(&s.id)))
            .map(|w| format!("{}: {}\n    way out: {}", w.stack, w.reason, w.remedy))
            .collect();
        if !failing.is_empty() {
            bail!("cannot apply, nothing was changed — the plan says it would fail:\n  {}", failing.join("\n  "));
        }
        if let Some(selected) = self.selected {
            let missing: BTreeSet<String> = plan
                .stacks
                .iter()
                .filter(|s| selected.contains(&s.id))
                .flat_map(|s| graph.dependencies(&s.id))
                .filter(|dep| !selected.contains(*dep))
                .filter(|dep| plan.stacks.iter().any(|p| p.id == *dep && p.status == PlanStatus::ToCreate))
                .map(str::to_owned)
                .collect();
            if !missing.is_empty() {
                let flags: Vec<String> = missing.iter().map(|m| format!("--stack {m}")).collect();
                bail!(
                    "the selected stacks depend on stacks that are not deployed: {}; add {}",
                    missing.iter().cloned().collect::<Vec<_>>().join(", "),
                    flags.join(" ")
                );
            }
        }
        let allowed: BTreeSet<String> = self.allow_replace.iter().cloned().collect();
        let in_scope_dangers =
            plan.danger.iter().filter(|d| plan.stacks.iter().any(|s| s.name == d.stack && in_scope(&s.id)));
        let refused = safety::refused(in_scope_dangers, &allowed);
        if !refused.is_empty() {
            bail!("refused, nothing was changed: {}", safety::refusal(&refused));
        }
        for unused in allowed.iter().filter(|a| !plan.danger.iter().any(|d| d.logical_id == **a)) {
            eprintln!(
                "{}: --allow-replace {unused}: the plan replaces or deletes no such resource",
                style.warning("warning")
            );
        }
        let deploy: BTreeSet<String> =
            plan.stacks.iter().filter(|s| in_scope(&s.id) && s.change_set.is_some()).map(|s| s.id.clone()).collect();
        if deploy.is_empty() {
            eprintln!("{}", style.ok("Nothing to apply: every stack matches the code."));
            return Ok(None);
        }
        if !self.confirmed {
            confirm(plan, deploy.len(), self.target)?;
        }
        Ok(Some(deploy))
    }
}

fn confirm(plan: &Plan, stacks: usize, target: &Target) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!("apply changes {stacks} stack(s) and needs a confirmation: run it in a terminal, or pass --yes");
    }
    eprint!(
        "Apply {stacks} stack{} to {} in {} / {}? [y/N] ",
        if stacks == 1 { "" } else { "s" },
        plan.environment,
        target.account,
        target.region
    );
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).context("cannot read the answer")?;
    if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        bail!("not applied: the answer was not yes");
    }
    Ok(())
}

fn summary(report: &ApplyReport, rendered: &Rendered, style: &Style) -> String {
    let name = |id: &str| rendered.stack(id).map_or_else(|| id.to_owned(), |s| s.name.clone());
    let mut out = String::from("\n");
    for (id, outcome) in &report.stacks.results {
        let line = match outcome {
            StackOutcome::Succeeded(Deployed::NoChanges) => style.dim("no changes"),
            StackOutcome::Succeeded(Deployed::Changed { created: true, .. }) => style.ok("created"),
            StackOutcome::Succeeded(Deployed::Changed { created: false, .. }) => style.ok("updated"),
            StackOutcome::Failed(f) => style.error(&format!("failed: {}", f.reason)),
            StackOutcome::NotStarted { blocked_by } => style.warning(&format!(
                "not started (needs {})",
                blocked_by.iter().map(|b| name(b)).collect::<Vec<_>>().join(", ")
            )),
        };
        out.push_str(&format!("  {:<28} {line}\n", name(id)));
        if let StackOutcome::Succeeded(Deployed::Changed { outputs, .. }) = outcome {
            for o in outputs {
                out.push_str(&style.dim(&format!("      {} = {}\n", o.key, o.value)));
            }
        }
        if let StackOutcome::Failed(f) = outcome {
            if let Some(resource) = &f.resource {
                out.push_str(&format!("      first failure: {resource}\n"));
            }
            if let Some(remedy) = &f.remedy {
                out.push_str(&format!("      to recover: {remedy}\n"));
            }
        }
    }
    let s = report.stacks.summary();
    out.push_str(&format!(
        "{} succeeded, {} failed, {} not started; {} change set(s) executed{}\n",
        s.succeeded,
        s.failed,
        s.not_started,
        report.executed(),
        if report.warnings > 0 { format!(", {} warning(s)", report.warnings) } else { String::new() }
    ));
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::graph::Edge;
    use crate::plan::WillFail;

    /// A plan in the saved format: network unchanged, data with the given status and
    /// dangers.
    fn plan(data_status: &str, danger: serde_json::Value) -> Plan {
        let empty = json!({"parameters": [], "conditions": [], "resources": [], "outputs": [], "other": []});
        let stack = |id: &str, status: &str| {
            let mut s = json!({"id": id, "name": format!("matbakh-dev-{id}"), "status": status, "template_sha256": "x",
                   "evidence": "template_diff", "changes": empty});
            if matches!(status, "to_create" | "changes") {
                s["change_set"] =
                    json!({"state": "prepared", "id": format!("arn:cs/{id}"), "name": id, "type": "update"});
            }
            s
        };
        serde_json::from_value(json!({
            "format_version": 2, "tool_version": "0", "environment": "dev", "region": "eu-central-1",
            "stacks": [stack("network", "to_create"), stack("data", data_status)],
            "will_fail": [], "danger": danger, "security": []
        }))
        .unwrap()
    }

    fn graph() -> StackGraph {
        StackGraph {
            nodes: vec!["network".into(), "data".into()],
            edges: vec![Edge { producer: "network".into(), consumer: "data".into(), exports: vec![] }],
        }
    }

    fn checks<'a>(selected: Option<&'a BTreeSet<String>>, allow: &'a [String]) -> Preflight<'a> {
        let target = Box::leak(Box::new(Target {
            account: "123456789012".into(),
            region: "eu-central-1".into(),
            caller_arn: "arn:aws:iam::123456789012:user/ci".into(),
            source: crate::aws::identity::CredentialSource::EnvironmentKeys,
        }));
        Preflight { selected, allow_replace: allow, show_plan: false, confirmed: true, target }
    }

    #[test]
    fn a_stateful_replacement_is_refused_before_anything_changes_unless_named() {
        let danger = json!([{"stack": "matbakh-dev-data", "logical_id": "Database", "resource_type": "AWS::RDS::DBInstance",
                             "impact": "will_replace", "cause": "DBInstanceIdentifier"}]);
        let p = plan("changes", danger);
        let err = checks(None, &[]).run(&p, &graph(), &Style::plain()).unwrap_err().to_string();
        assert!(err.contains("refused, nothing was changed"), "{err}");
        assert!(
            err.contains("replace Database in matbakh-dev-data (AWS::RDS::DBInstance): DBInstanceIdentifier"),
            "{err}"
        );
        assert!(err.contains("pass --allow-replace Database"), "{err}");
        let allowed = ["Database".to_owned()];
        let deploy = checks(None, &allowed).run(&p, &graph(), &Style::plain()).unwrap().unwrap();
        assert_eq!(deploy, BTreeSet::from(["network".to_owned(), "data".to_owned()]));
    }

    #[test]
    fn a_selected_stack_needs_its_dependencies_deployed_or_selected() {
        let p = plan("to_create", json!([]));
        let only_data = BTreeSet::from(["data".to_owned()]);
        let err = checks(Some(&only_data), &[]).run(&p, &graph(), &Style::plain()).unwrap_err().to_string();
        assert!(err.contains("not deployed: network; add --stack network"), "{err}");
        let both = BTreeSet::from(["data".to_owned(), "network".to_owned()]);
        assert!(checks(Some(&both), &[]).run(&p, &graph(), &Style::plain()).unwrap().is_some());
    }

    #[test]
    fn blocked_stacks_stop_the_apply_and_an_unchanged_plan_does_nothing() {
        let mut p = plan("blocked", json!([]));
        p.will_fail.push(WillFail {
            stack: "matbakh-dev-data".into(),
            reason: "the stack is ROLLBACK_COMPLETE and cannot be updated".into(),
            remedy: "delete it".into(),
        });
        let err = checks(None, &[]).run(&p, &graph(), &Style::plain()).unwrap_err().to_string();
        assert!(err.contains("matbakh-dev-data: the stack is ROLLBACK_COMPLETE"), "{err}");
        assert!(err.contains("way out: delete it"), "{err}");
        let mut p = plan("no_changes", json!([]));
        p.stacks[0].status = PlanStatus::NoChanges;
        p.stacks[0].change_set = None;
        assert_eq!(checks(None, &[]).run(&p, &graph(), &Style::plain()).unwrap(), None);
    }

    // The two cases the old preflight let through and the per-stack check then refused in
    // the middle of an apply: a replaced log group (its history is lost) and a removed
    // resource kept by DeletionPolicy Retain (it leaves the stack). One rule now decides
    // both, here, before anything deploys.
    #[test]
    fn log_group_replacement_and_retained_removal_are_refused_before_anything_deploys() {
        let old = json!({"Resources": {
            "AppLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/matbakh/dev/app"}},
            "OldKey": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {}}}});
        let new = json!({"Resources": {
            "AppLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/matbakh/dev/app-v2"}}}});
        let mut p = plan("changes", json!([]));
        p.stacks[1].changes = crate::diff::diff_templates(&old, &new);
        p.analyze();
        let err = checks(None, &[]).run(&p, &graph(), &Style::plain()).unwrap_err().to_string();
        assert!(err.starts_with("refused, nothing was changed"), "{err}");
        assert!(err.contains("replace AppLogs in matbakh-dev-data (AWS::Logs::LogGroup)"), "{err}");
        assert!(err.contains("orphan OldKey in matbakh-dev-data (AWS::KMS::Key)"), "{err}");
        assert!(err.contains("--allow-replace AppLogs --allow-replace OldKey"), "{err}");
        let allowed = ["AppLogs".to_owned(), "OldKey".to_owned()];
        assert!(checks(None, &allowed).run(&p, &graph(), &Style::plain()).unwrap().is_some());
    }
}
