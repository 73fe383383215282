//! The stack dependency graph: which stack imports which exports from which other
//! stack. It orders deployment and is drawn for people by `matbakh-infra graph`.

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

use crate::cfn::Stack;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum GraphError {
    #[error("stack dependency cycle: {}; break it by moving the shared resource into one stack", .0.join(" -> "))]
    Cycle(Vec<String>),
    #[error("stack `{consumer}` imports from unknown stack `{producer}`")]
    UnknownProducer { consumer: String, producer: String },
}

/// An edge: `consumer` imports `exports` from `producer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub producer: String,
    pub consumer: String,
    pub exports: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackGraph {
    /// Stack ids in declaration order.
    pub nodes: Vec<String>,
    pub edges: Vec<Edge>,
}

impl StackGraph {
    pub fn from_stacks(stacks: &[Stack]) -> Result<Self, GraphError> {
        let nodes: Vec<String> = stacks.iter().map(|s| s.id().to_owned()).collect();
        let mut edges = Vec::new();
        for stack in stacks {
            for (producer, exports) in stack.imports() {
                if !nodes.contains(producer) {
                    return Err(GraphError::UnknownProducer {
                        consumer: stack.id().into(),
                        producer: producer.clone(),
                    });
                }
                edges.push(Edge {
                    producer: producer.clone(),
                    consumer: stack.id().to_owned(),
                    exports: exports.iter().cloned().collect(),
                });
            }
        }
        let graph = StackGraph { nodes, edges };
        graph.order()?;
        Ok(graph)
    }

    /// Stacks a stack depends on directly.
    pub fn dependencies(&self, id: &str) -> Vec<&str> {
        let set: BTreeSet<&str> = self.edges.iter().filter(|e| e.consumer == id).map(|e| e.producer.as_str()).collect();
        set.into_iter().collect()
    }

    /// A deployment order (dependencies first), stable: ties keep declaration order.
    pub fn order(&self) -> Result<Vec<String>, GraphError> {
        let mut remaining: BTreeMap<&str, BTreeSet<&str>> =
            self.nodes.iter().map(|n| (n.as_str(), self.dependencies(n).into_iter().collect())).collect();
        let mut order = Vec::new();
        while !remaining.is_empty() {
            let ready = self.nodes.iter().find(|n| remaining.get(n.as_str()).is_some_and(BTreeSet::is_empty));
            let Some(next) = ready else {
                return Err(GraphError::Cycle(self.find_cycle(&remaining)));
            };
            remaining.remove(next.as_str());
            for deps in remaining.values_mut() {
                deps.remove(next.as_str());
            }
            order.push(next.clone());
        }
        Ok(order)
    }

    /// Layers of stacks that can be deployed at the same time.
    pub fn waves(&self) -> Result<Vec<Vec<String>>, GraphError> {
        let order = self.order()?;
        let mut depth: BTreeMap<&str, usize> = BTreeMap::new();
        for id in &order {
            let d = self.dependencies(id).iter().map(|p| depth[p] + 1).max().unwrap_or(0);
            depth.insert(id, d);
        }
        let mut waves: Vec<Vec<String>> = Vec::new();
        for id in &order {
            let d = depth[id.as_str()];
            if waves.len() <= d {
                waves.resize(d + 1, Vec::new());
            }
            waves[d].push(id.clone());
        }
        Ok(waves)
    }

    fn find_cycle(&self, remaining: &BTreeMap<&str, BTreeSet<&str>>) -> Vec<String> {
        // Walk dependencies from any remaining node until one repeats.
        let mut path: Vec<&str> = Vec::new();
        let mut current = *remaining.keys().next().expect("a cycle leaves nodes");
        while !path.contains(&current) {
            path.push(current);
            current = remaining[current].iter().next().copied().unwrap_or(current);
        }
        let start = path.iter().position(|n| *n == current).unwrap_or(0);
        let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
        cycle.push(current.to_owned());
        cycle
    }

    /// A Mermaid flowchart: arrows point from a stack to what it depends on's consumers
    /// (producer --> consumer), labelled with the exports the edge carries.
    pub fn to_mermaid(&self, stack_names: &BTreeMap<String, String>) -> String {
        let mut out = String::from("flowchart LR\n");
        for n in &self.nodes {
            let label = stack_names.get(n).map_or(n.as_str(), String::as_str);
            out.push_str(&format!("    {n}[\"{label}\"]\n"));
        }
        for e in &self.edges {
            let label = short_exports(e, stack_names).join("<br/>");
            out.push_str(&format!("    {} -->|\"{label}\"| {}\n", e.producer, e.consumer));
        }
        out
    }

    pub fn to_dot(&self, stack_names: &BTreeMap<String, String>) -> String {
        let mut out = String::from("digraph stacks {\n    rankdir=LR;\n    node [shape=box];\n");
        for n in &self.nodes {
            let label = stack_names.get(n).map_or(n.as_str(), String::as_str);
            out.push_str(&format!("    \"{n}\" [label=\"{label}\"];\n"));
        }
        for e in &self.edges {
            let label = short_exports(e, stack_names).join("\\n");
            out.push_str(&format!("    \"{}\" -> \"{}\" [label=\"{label}\"];\n", e.producer, e.consumer));
        }
        out.push_str("}\n");
        out
    }
}

/// Export names without the producer's stack-name prefix (`VpcId`, not `matbakh-dev-network-VpcId`).
fn short_exports(edge: &Edge, stack_names: &BTreeMap<String, String>) -> Vec<String> {
    let prefix = stack_names.get(&edge.producer).map(|n| format!("{n}-")).unwrap_or_default();
    edge.exports.iter().map(|e| e.strip_prefix(&prefix).unwrap_or(e).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfn::Str;

    fn stacks(edges: &[(&str, &str)], ids: &[&str]) -> Vec<Stack> {
        let mut stacks: Vec<Stack> = ids.iter().map(|id| Stack::new(id, format!("s-{id}"), "t")).collect();
        for (producer, consumer) in edges {
            let p = stacks.iter().position(|s| s.id() == *producer).unwrap();
            let export = stacks[p].export(&format!("To{consumer}"), "x", Str::lit("v"));
            let c = stacks.iter().position(|s| s.id() == *consumer).unwrap();
            stacks[c].import(&export);
        }
        stacks
    }

    #[test]
    fn orders_dependencies_first_and_groups_waves() {
        let s = stacks(&[("a", "c"), ("b", "c"), ("c", "d")], &["d", "c", "b", "a"]);
        let g = StackGraph::from_stacks(&s).unwrap();
        assert_eq!(g.order().unwrap(), ["b", "a", "c", "d"]);
        assert_eq!(g.waves().unwrap(), vec![vec!["b", "a"], vec!["c"], vec!["d"]]);
        assert_eq!(g.dependencies("c"), ["a", "b"]);
    }

    #[test]
    fn cycles_are_reported_with_their_path() {
        let s = stacks(&[("a", "b"), ("b", "a")], &["a", "b"]);
        let err = StackGraph::from_stacks(&s).unwrap_err();
        let GraphError::Cycle(path) = &err else { panic!("{err}") };
        assert_eq!(path.first(), path.last());
        assert_eq!(path.len(), 3);
        assert!(err.to_string().contains("break it"));
    }

    #[test]
    fn renders_mermaid_and_dot_with_export_labels() {
        let s = stacks(&[("a", "b")], &["a", "b"]);
        let g = StackGraph::from_stacks(&s).unwrap();
        let names: BTreeMap<String, String> = s.iter().map(|s| (s.id().to_owned(), s.name().to_owned())).collect();
        let m = g.to_mermaid(&names);
        assert!(m.contains("a -->|\"Tob\"| b"), "{m}");
        assert!(g.to_dot(&names).contains("\"a\" -> \"b\" [label=\"Tob\"]"));
    }
}
