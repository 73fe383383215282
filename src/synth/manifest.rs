//! `manifest.json`: what `synth` wrote and in which order stacks deploy. Later
//! commands (plan, apply, drift) read it instead of re-deriving the graph.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{RenderedStack, SynthError};
use crate::assets::AssetKind;
use crate::constructs::Assembly;
use crate::graph::StackGraph;

pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Bumped when the manifest's shape changes incompatibly.
    pub format_version: u32,
    pub environment: String,
    pub region: String,
    /// Stacks in deployment order.
    pub stacks: Vec<ManifestStack>,
    /// What `apply` uploads to the artifacts bucket before deploying.
    pub assets: Vec<ManifestAsset>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestAsset {
    pub id: String,
    pub kind: AssetKind,
    /// File in the synth output folder.
    pub file: String,
    /// Key in the artifacts bucket.
    pub s3_key: String,
    pub sha256: String,
    pub bytes: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestStack {
    pub id: String,
    pub name: String,
    pub template: String,
    pub sha256: String,
    pub bytes: usize,
    pub resources: usize,
    pub depends_on: Vec<String>,
    /// Producer stack id → export names imported from it.
    pub imports: BTreeMap<String, Vec<String>>,
}

impl Manifest {
    pub(super) fn new(assembly: &Assembly, graph: &StackGraph, rendered: &[RenderedStack]) -> Result<Self, SynthError> {
        let order = graph.order()?;
        let stacks = order
            .iter()
            .filter_map(|id| {
                let r = rendered.iter().find(|r| &r.id == id)?;
                let stack = assembly.stacks.iter().find(|s| s.id() == id)?;
                Some(ManifestStack {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    template: r.file.clone(),
                    sha256: r.sha256.clone(),
                    bytes: r.body.len(),
                    resources: r.resources,
                    depends_on: graph.dependencies(id).into_iter().map(str::to_owned).collect(),
                    imports: stack.imports().iter().map(|(k, v)| (k.clone(), v.iter().cloned().collect())).collect(),
                })
            })
            .collect();
        Ok(Manifest {
            format_version: 1,
            environment: assembly.environment.clone(),
            region: assembly.region.clone(),
            stacks,
            assets: assembly
                .assets
                .iter()
                .map(|a| ManifestAsset {
                    id: a.id.clone(),
                    kind: a.kind,
                    file: format!("asset.{}", a.file_name()),
                    s3_key: a.s3_key.clone(),
                    sha256: a.sha256.clone(),
                    bytes: a.bytes.len(),
                })
                .collect(),
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("manifest serializes") + "\n"
    }

    pub fn stack(&self, id: &str) -> Option<&ManifestStack> {
        self.stacks.iter().find(|s| s.id == id)
    }
}
