//! Helpers shared by the integration tests.
#![allow(dead_code)]

#[path = "../support/local_aws.rs"]
pub mod local_aws;
pub mod moto;
pub mod stacks;

use std::path::{Path, PathBuf};

use matbakh_infra::config::Environment;
use matbakh_infra::config::load::load_file;
use matbakh_infra::constructs;
use matbakh_infra::synth::{Format, Rendered, render};

pub const ENVIRONMENTS: [&str; 3] = ["dev", "staging", "prod"];

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tool from the project's venv; fails (never skips) when the venv is missing.
pub fn venv_tool(name: &str) -> PathBuf {
    let path = repo_root().join(".venv/bin").join(name);
    assert!(path.exists(), "{} not found: run `bash scripts/setup.sh` first", path.display());
    path
}

pub fn load_env(name: &str) -> Environment {
    let file = repo_root().join("stacks").join(format!("{name}.yaml"));
    match load_file(&file) {
        Ok(loaded) => loaded.env,
        Err(diagnostics) => {
            let text: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            panic!("{} does not load:\n{}", file.display(), text.join("\n"))
        }
    }
}

pub fn render_env(name: &str, format: Format) -> Rendered {
    render_environment(&load_env(name), format)
}

pub fn render_environment(env: &Environment, format: Format) -> Rendered {
    render(&constructs::build(env, &repo_root()).expect("environment builds"), format).expect("environment renders")
}

/// The shipped environment `name` changed by `edit` (e.g. a switch no shipped file turns
/// on); fails when the change does not pass the rules, as `validate` would refuse it.
pub fn env_with(name: &str, edit: impl FnOnce(&mut Environment)) -> Environment {
    let mut env = load_env(name);
    edit(&mut env);
    let errors: Vec<_> = matbakh_infra::config::rules::check(&env)
        .into_iter()
        .filter(|f| f.severity == matbakh_infra::config::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{name} with the change does not validate: {errors:#?}");
    env
}

/// A QuickSight group for environments that turn QuickSight on.
pub const QUICKSIGHT_ANALYSTS: &str = "arn:aws:quicksight:eu-central-1:123456789012:group/default/analysts";

/// The shipped environment `name` with every feature no shipped file turns on switched on:
/// the identity pool and QuickSight.
pub fn switched_on(name: &str) -> Environment {
    env_with(name, |e| {
        e.auth.identity_pool.enabled = true;
        e.datalake.quicksight.enabled = true;
        e.datalake.quicksight.principal_arn = Some(QUICKSIGHT_ANALYSTS.into());
    })
}

pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_matbakh-infra"))
}

/// Runs the CLI against a closed local port: what every AWS command does when the
/// endpoint is unreachable.
pub fn run_against_unreachable_endpoint(args: &[&str]) -> std::process::Output {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::process::Command::new(bin())
        .args(args)
        .args(["--endpoint-url", &format!("http://127.0.0.1:{port}")])
        .current_dir(repo_root())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap()
}
