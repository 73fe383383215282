//! Rendering an assembly: one template per stack plus a manifest, byte-identical on
//! every run, checked against CloudFormation's template limits.

mod limits;
mod manifest;

pub use limits::{LimitViolation, TEMPLATE_BODY_INLINE_MAX, TEMPLATE_URL_MAX};
pub use manifest::{MANIFEST_FILE, Manifest, ManifestAsset, ManifestStack};

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::assets::Asset;
use crate::cfn::Stack;
use crate::constructs::Assembly;
use crate::graph::{GraphError, StackGraph};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Json,
    Yaml,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

#[derive(Debug, Error)]
pub enum SynthError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Limits(Vec<LimitViolation>),
    #[error("cannot write {path}: {source}; check that the folder is writable")]
    Write { path: PathBuf, source: std::io::Error },
}

/// One rendered stack template.
#[derive(Clone, Debug)]
pub struct RenderedStack {
    pub id: String,
    pub name: String,
    pub file: String,
    pub body: String,
    pub sha256: String,
    pub resources: usize,
    /// The template as JSON, normalized as deployed templates are read (long-form
    /// intrinsics, sorted `DependsOn`): made once here for plan, apply and drift.
    pub template: serde_json::Value,
    /// Bucket keys of the assets the template points at, recorded when it was built.
    pub asset_keys: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Rendered {
    pub stacks: Vec<RenderedStack>,
    /// Code assets (Lambda and layer zips, scripts) the templates reference.
    pub assets: Vec<Asset>,
    pub manifest: Manifest,
    /// The stack dependency graph (deployment order).
    pub graph: StackGraph,
    /// Over the inline limit but within what an S3 template URL allows: fine for
    /// `apply`, which uploads such templates; said so, not refused.
    pub notes: Vec<LimitViolation>,
}

impl RenderedStack {
    /// Deploying it needs the artifacts bucket: it points at assets, or its template is
    /// over the inline limit and goes by `TemplateURL`.
    pub fn needs_bucket(&self) -> bool {
        !self.asset_keys.is_empty() || self.body.len() > TEMPLATE_BODY_INLINE_MAX
    }
}

impl Rendered {
    pub fn stack(&self, id: &str) -> Option<&RenderedStack> {
        self.stacks.iter().find(|s| s.id == id)
    }

    /// The assets a stack's template points at.
    pub fn assets_of(&self, stack: &RenderedStack) -> Vec<&Asset> {
        self.assets.iter().filter(|a| stack.asset_keys.contains(&a.s3_key)).collect()
    }
}

/// Renders every stack of the assembly. Fails on a dependency cycle or when a
/// template breaks a hard CloudFormation limit.
pub fn render(assembly: &Assembly, format: Format) -> Result<Rendered, SynthError> {
    let graph = StackGraph::from_stacks(&assembly.stacks)?;
    let mut stacks = Vec::new();
    let mut violations = Vec::new();
    let mut notes = Vec::new();
    for stack in &assembly.stacks {
        let (rendered, found) = render_stack(stack, format);
        for v in found {
            if v.is_hard() { violations.push(v) } else { notes.push(v) }
        }
        stacks.push(rendered);
    }
    if !violations.is_empty() {
        return Err(SynthError::Limits(violations));
    }
    let manifest = Manifest::new(assembly, &graph, &stacks)?;
    let assets: Vec<Asset> = assembly.assets.iter().cloned().collect();
    Ok(Rendered { stacks, manifest, graph, notes, assets })
}

/// Renders one stack, with the template limits it breaks (hard or not).
pub fn render_stack(stack: &Stack, format: Format) -> (RenderedStack, Vec<LimitViolation>) {
    let value = stack.template.to_value();
    let body = match format {
        Format::Json => serde_json::to_string_pretty(&value).expect("JSON value serializes") + "\n",
        Format::Yaml => serde_yaml::to_string(&value).expect("JSON value serializes as YAML"),
    };
    let violations = limits::check(stack, &body);
    let rendered = RenderedStack {
        id: stack.id().to_owned(),
        name: stack.name().to_owned(),
        file: format!("{}.template.{}", stack.name(), format.extension()),
        sha256: sha256_hex(body.as_bytes()),
        resources: stack.template.resource_count(),
        body,
        template: crate::diff::normalize::normalize(value),
        asset_keys: stack.asset_keys().iter().cloned().collect(),
    };
    (rendered, violations)
}

/// Writes the templates, the assets and `manifest.json` into `dir`, removing
/// templates and assets an earlier synth of this environment wrote that no longer exist.
pub fn write(rendered: &Rendered, dir: &Path) -> Result<(), SynthError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| SynthError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let asset_files: Vec<String> = rendered.assets.iter().map(|a| format!("asset.{}", a.file_name())).collect();
    let keep: Vec<&str> =
        rendered.stacks.iter().map(|s| s.file.as_str()).chain(asset_files.iter().map(String::as_str)).collect();
    let prefix = format!("matbakh-{}-", rendered.manifest.environment);
    for entry in std::fs::read_dir(dir).map_err(io(dir))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = (name.starts_with(&prefix) && name.contains(".template.")) || name.starts_with("asset.");
        if ours && !keep.contains(&name.as_str()) {
            std::fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
        }
    }
    for stack in &rendered.stacks {
        let path = dir.join(&stack.file);
        std::fs::write(&path, &stack.body).map_err(io(&path))?;
    }
    for (asset, file) in rendered.assets.iter().zip(&asset_files) {
        let path = dir.join(file);
        // Content-addressed: an existing file with this name already has these bytes.
        if !path.exists() {
            std::fs::write(&path, &asset.bytes).map_err(io(&path))?;
        }
    }
    let path = dir.join(MANIFEST_FILE);
    std::fs::write(&path, rendered.manifest.to_json()).map_err(io(&path))?;
    Ok(())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
