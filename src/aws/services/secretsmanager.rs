//! Secrets Manager: a secret's description, KMS key and rotation — never its value
//! (`DescribeSecret` only; `GetSecretValue` is never called).

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput;
use serde_json::Map;

use super::{LiveProperties, LiveState, present_or_absent, put};
use crate::aws::AwsError;

pub async fn read_secret(client: &Client, id: &str) -> Result<LiveState, AwsError> {
    let result =
        client.describe_secret().secret_id(id).send().await.map_err(|e| AwsError::from_sdk("DescribeSecret", e));
    match result {
        // A secret scheduled for deletion is gone for every reader of it.
        Ok(out) if out.deleted_date().is_some() => Ok(LiveState::Absent),
        Ok(out) => Ok(LiveState::Present(secret(&out))),
        Err(e) => present_or_absent(Err(e)),
    }
}

pub fn secret(s: &DescribeSecretOutput) -> LiveProperties {
    let mut m = Map::new();
    put(&mut m, "Name", s.name());
    put(&mut m, "Description", s.description());
    put(&mut m, "KmsKeyId", s.kms_key_id());
    m.insert("RotationEnabled".into(), s.rotation_enabled().unwrap_or(false).into());
    m
}
