//! Helpers shared by the integration tests.
#![allow(dead_code)]

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
    render(&constructs::build(&load_env(name), &repo_root()).expect("environment builds"), format)
        .expect("environment renders")
}

pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_matbakh-infra"))
}
