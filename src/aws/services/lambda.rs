//! Lambda: runtime, memory, timeout, environment variable *names* (values are dropped
//! here, before anything else sees them), VPC, layers, tracing, reserved concurrency and
//! the code hash (`CodeSha256`: base64 of the SHA-256 of the deployment zip).

use aws_sdk_lambda::Client;
use aws_sdk_lambda::operation::get_function::GetFunctionOutput;
use serde_json::{Map, Value, json};

use super::{LiveProperties, LiveState, present_or_absent, put, strings};
use crate::aws::AwsError;

pub async fn read_function(client: &Client, name: &str) -> Result<LiveState, AwsError> {
    let result =
        client.get_function().function_name(name).send().await.map_err(|e| AwsError::from_sdk("GetFunction", e));
    match result {
        Ok(out) => Ok(out.configuration().map_or(LiveState::Absent, |_| LiveState::Present(function(&out)))),
        Err(e) => present_or_absent(Err(e)),
    }
}

pub fn function(out: &GetFunctionOutput) -> LiveProperties {
    let mut m = Map::new();
    let Some(c) = out.configuration() else { return m };
    put(&mut m, "FunctionName", c.function_name());
    put(&mut m, "Description", c.description());
    put(&mut m, "Runtime", c.runtime().map(|r| r.as_str()));
    put(&mut m, "Handler", c.handler());
    put(&mut m, "Role", c.role());
    put(&mut m, "MemorySize", c.memory_size());
    put(&mut m, "Timeout", c.timeout());
    put(&mut m, "KmsKeyArn", c.kms_key_arn());
    put(&mut m, "CodeSha256", c.code_sha256());
    if !c.architectures().is_empty() {
        m.insert("Architectures".into(), strings(c.architectures().iter().map(|a| a.as_str())));
    }
    if let Some(t) = c.tracing_config().and_then(|t| t.mode()) {
        m.insert("TracingConfig".into(), json!({"Mode": t.as_str()}));
    }
    let mut keys: Vec<&str> = c
        .environment()
        .and_then(|e| e.variables())
        .map(|vars| vars.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    m.insert("EnvironmentKeys".into(), strings(keys));
    if let Some(vpc) = c.vpc_config() {
        m.insert("VpcSubnetIds".into(), strings(vpc.subnet_ids().iter().map(String::as_str)));
        m.insert("VpcSecurityGroupIds".into(), strings(vpc.security_group_ids().iter().map(String::as_str)));
    }
    m.insert("Layers".into(), strings(c.layers().iter().filter_map(|l| l.arn())));
    m.insert(
        "ReservedConcurrentExecutions".into(),
        out.concurrency().and_then(|c| c.reserved_concurrent_executions()).map_or(Value::Null, |n| json!(n)),
    );
    m
}
