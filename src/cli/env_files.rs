//! Finding and loading environment files, and printing their diagnostics.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use super::Style;
use crate::config::Diagnostic;
use crate::config::load::{Loaded, load_file};
use crate::constructs::{self, Assembly};

/// `--env` and `--stacks-dir` as given on the command line.
pub struct Selection {
    pub env: Option<String>,
    pub stacks_dir: PathBuf,
}

impl Selection {
    pub fn file_for(&self, env: &str) -> PathBuf {
        self.stacks_dir.join(format!("{env}.yaml"))
    }

    /// All environment files of the stacks folder, sorted.
    pub fn all_files(&self) -> anyhow::Result<Vec<PathBuf>> {
        let dir = &self.stacks_dir;
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read the stacks folder {}; pass --stacks-dir DIR", dir.display()))?;
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect();
        files.sort();
        Ok(files)
    }

    pub fn environment_names(&self) -> Vec<String> {
        self.all_files()
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect()
    }

    /// The file of the environment named by `--env`, which the command needs.
    pub fn required_file(&self, command: &str) -> anyhow::Result<PathBuf> {
        let Some(env) = &self.env else {
            bail!("`{command}` needs an environment: pass --env ENV (found: {})", self.environment_names().join(", "));
        };
        let file = self.file_for(env);
        if !file.exists() {
            bail!(
                "no environment file {} for --env {env}; environments in {}: {}",
                file.display(),
                self.stacks_dir.display(),
                self.environment_names().join(", ")
            );
        }
        Ok(file)
    }
}

/// Loads a file, printing its warnings, or its diagnostics when it is invalid.
pub fn load_reporting(file: &Path, style: &Style) -> Option<Loaded> {
    match load_file(file) {
        Ok(loaded) => {
            print_diagnostics(&loaded.warnings, style);
            Some(loaded)
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics, style);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "{}: {} is invalid ({errors} error{}); nothing was rendered",
                style.error("error"),
                file.display(),
                if errors == 1 { "" } else { "s" }
            );
            None
        }
    }
}

pub fn print_diagnostics(diagnostics: &[Diagnostic], style: &Style) {
    for d in diagnostics {
        let text = d.to_string();
        eprintln!("{}", if d.is_error() { style.error(&text) } else { style.warning(&text) });
    }
}

/// Builds the environment's stacks, packaging the code assets its file names.
pub fn build_assembly(loaded: &Loaded) -> anyhow::Result<Assembly> {
    constructs::build(&loaded.env, &loaded.base_dir())
        .with_context(|| format!("cannot build environment {} from {}", loaded.env.name, loaded.file.display()))
}
