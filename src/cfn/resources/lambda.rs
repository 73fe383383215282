//! `AWS::Lambda::*`: functions, layers, published versions, aliases and invoke permissions.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Tag;
use crate::attributes;
use crate::cfn::{Handle, List, Resource, Str};

/// Instruction set of a function or layer. We only deploy Graviton (`arm64`), but the
/// registry enum has both, so the type does too.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum Architecture {
    #[serde(rename = "arm64")]
    Arm64,
    #[serde(rename = "x86_64")]
    X86_64,
}

/// Deployment package in S3 (`Code` of a function; a layer's `Content` has the same shape).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct S3Code {
    pub s3_bucket: Str,
    /// Content-addressed key, so a new key means new code.
    pub s3_key: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct VpcConfig {
    pub security_group_ids: Vec<Str>,
    pub subnet_ids: List,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum TracingMode {
    Active,
    PassThrough,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TracingConfig {
    pub mode: TracingMode,
}

/// Environment variables, sorted by name so templates are stable.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Environment {
    pub variables: BTreeMap<String, Str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Function {
    pub function_name: String,
    pub description: String,
    pub runtime: String,
    pub architectures: Vec<Architecture>,
    pub handler: String,
    pub memory_size: u32,
    /// Seconds; Lambda runs a function at most 900 s.
    pub timeout: u32,
    pub role: Str,
    pub code: S3Code,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<Str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// Customer-managed key for the environment variables at rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<Str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
    pub tracing_config: TracingConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_concurrent_executions: Option<u32>,
    pub tags: Vec<Tag>,
}
impl Resource for Function {
    const TYPE: &'static str = "AWS::Lambda::Function";
}
attributes!(Function { arn => "Arn" });

/// A layer version; immutable, so any change to it publishes a new version (and a new ARN).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LayerVersion {
    pub layer_name: String,
    pub description: String,
    pub content: S3Code,
    pub compatible_runtimes: Vec<String>,
    pub compatible_architectures: Vec<Architecture>,
}
impl Resource for LayerVersion {
    const TYPE: &'static str = "AWS::Lambda::LayerVersion";
}
// `Ref` of a layer version is its ARN; no `Fn::GetAtt` is needed.
attributes!(LayerVersion {});

impl Handle<LayerVersion> {
    /// The layer version ARN (what `Layers` of a function takes).
    pub fn arn(&self) -> Str {
        self.r#ref()
    }
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedConcurrency {
    pub provisioned_concurrent_executions: u32,
}

/// A published, immutable snapshot of a function's code and configuration.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Version {
    pub function_name: Str,
    pub description: String,
}
impl Resource for Version {
    const TYPE: &'static str = "AWS::Lambda::Version";
}
attributes!(Version { version => "Version" });

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alias {
    pub name: String,
    pub description: String,
    pub function_name: Str,
    /// A version number (`Fn::GetAtt Version.Version`).
    pub function_version: Str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency_config: Option<ProvisionedConcurrency>,
}
impl Resource for Alias {
    const TYPE: &'static str = "AWS::Lambda::Alias";
}
attributes!(Alias { alias_arn => "AliasArn" });

/// A resource-based policy statement on a function (or alias) that lets a service invoke it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Permission {
    /// Normally `lambda:InvokeFunction`.
    pub action: &'static str,
    /// Name or ARN of the function, alias-qualified when the caller invokes the alias.
    pub function_name: Str,
    /// Service principal, e.g. `apigateway.amazonaws.com`.
    pub principal: String,
    /// Restricts the permission to one caller resource (confused-deputy protection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<Str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_account: Option<Str>,
}
impl Resource for Permission {
    const TYPE: &'static str = "AWS::Lambda::Permission";
}
