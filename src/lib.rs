//! matbakh-infra: the matbakh platform's AWS infrastructure as typed Rust.
//!
//! Layers, bottom up: [`cfn`] (typed CloudFormation), [`config`] (the per-environment
//! YAML and its checks), [`constructs`] (the design's stacks built from config),
//! [`synth`] (rendering templates and the manifest) and [`graph`] (stack order); then
//! [`aws`] (the SDK boundary), [`plan`] (diffing against the live stacks) and [`apply`]
//! (deploying in dependency order); [`drift`] (checking that the live account still
//! matches the code).

pub mod apply;
pub mod assets;
pub mod aws;
pub mod cfn;
pub mod cli;
pub mod config;
pub mod constructs;
pub mod diff;
pub mod drift;
pub mod graph;
pub mod live;
pub mod plan;
pub mod resource_types;
pub mod safety;
pub mod style;
pub mod synth;
