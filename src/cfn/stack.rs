//! A stack: one template plus what it exports to and imports from other stacks.
//! Cross-stack references are typed: an export is made by the producing stack and
//! importing it records the edge in the stack dependency graph by itself.

use std::collections::{BTreeMap, BTreeSet};

use super::expr::{List, Str};
use super::template::{Output, Template};

/// A string value another stack can import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    producer: String,
    name: String,
}

/// A list value another stack can import (exported comma-joined, imported with `Fn::Split`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListExport(Export);

impl Export {
    pub fn producer(&self) -> &str {
        &self.producer
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

#[derive(Clone, Debug)]
pub struct Stack {
    /// Short id, e.g. `network`.
    id: String,
    /// CloudFormation stack name, e.g. `matbakh-prod-network`.
    name: String,
    pub template: Template,
    /// Producer stack id → export names this stack imports from it.
    imports: BTreeMap<String, BTreeSet<String>>,
    /// Keys (in the artifacts bucket) of the code assets the template points at.
    assets: BTreeSet<String>,
}

impl Stack {
    pub fn new(id: &str, name: String, description: impl Into<String>) -> Self {
        Stack {
            id: id.to_owned(),
            name,
            template: Template::new(description),
            imports: BTreeMap::new(),
            assets: BTreeSet::new(),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Stack ids this stack imports from, with the export names each edge carries.
    pub fn imports(&self) -> &BTreeMap<String, BTreeSet<String>> {
        &self.imports
    }

    /// Records that the template points at the asset with this bucket key (apply
    /// uploads it before the stack's change set is made).
    pub fn uses_asset(&mut self, s3_key: &str) {
        self.assets.insert(s3_key.to_owned());
    }

    pub fn asset_keys(&self) -> &BTreeSet<String> {
        &self.assets
    }

    /// Adds an output exported as `<stack name>-<key>`.
    pub fn export(&mut self, key: &str, description: &str, value: Str) -> Export {
        let name = format!("{}-{key}", self.name);
        self.template.add_output(
            key,
            Output {
                description: description.to_owned(),
                value: value.to_value(),
                export_name: Some(Str::lit(name.clone())),
            },
        );
        Export { producer: self.id.clone(), name }
    }

    pub fn export_list(&mut self, key: &str, description: &str, value: List) -> ListExport {
        ListExport(self.export(key, description, Str::join(",", value)))
    }

    /// A plain output for people and scripts (not importable by other stacks).
    pub fn output(&mut self, key: &str, description: &str, value: Str) {
        self.template.add_output(
            key,
            Output { description: description.to_owned(), value: value.to_value(), export_name: None },
        );
    }

    /// `Fn::ImportValue` of another stack's export; records the dependency.
    pub fn import(&mut self, export: &Export) -> Str {
        assert_ne!(
            export.producer, self.id,
            "stack {} imports its own export {}; use the value directly",
            self.id, export.name
        );
        self.imports.entry(export.producer.clone()).or_default().insert(export.name.clone());
        Str::ImportValue(Box::new(Str::lit(export.name.clone())))
    }

    pub fn import_list(&mut self, export: &ListExport) -> List {
        List::Split(",".into(), Box::new(self.import(&export.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn import_records_the_edge_and_renders_import_value() {
        let mut network = Stack::new("network", "matbakh-dev-network".into(), "n");
        let vpc = network.export("VpcId", "the VPC", Str::lit("vpc-1"));
        let subnets = network.export_list("PrivateSubnetIds", "subnets", List::items([Str::lit("a"), Str::lit("b")]));
        let mut data = Stack::new("data", "matbakh-dev-data".into(), "d");
        assert_eq!(data.import(&vpc).to_value(), json!({"Fn::ImportValue": "matbakh-dev-network-VpcId"}));
        assert_eq!(
            data.import_list(&subnets).to_value(),
            json!({"Fn::Split": [",", {"Fn::ImportValue": "matbakh-dev-network-PrivateSubnetIds"}]})
        );
        let edges: Vec<_> = data.imports()["network"].iter().cloned().collect();
        assert_eq!(edges, ["matbakh-dev-network-PrivateSubnetIds", "matbakh-dev-network-VpcId"]);
        let out = network.template.to_value();
        assert_eq!(out["Outputs"]["PrivateSubnetIds"]["Value"], json!({"Fn::Join": [",", ["a", "b"]]}));
    }
}
