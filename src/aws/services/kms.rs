//! KMS: key state, rotation and key policy (three reads, at once).

use aws_sdk_kms::Client;
use aws_sdk_kms::types::KeyMetadata;
use serde_json::{Map, Value, json};

use super::{LiveProperties, LiveState, present_or_absent, put};
use crate::aws::AwsError;

pub async fn read_key(client: &Client, id: &str) -> Result<LiveState, AwsError> {
    let (described, rotation, policy) = tokio::join!(
        client.describe_key().key_id(id).send(),
        client.get_key_rotation_status().key_id(id).send(),
        // The policy name must be passed: "default" is the only one.
        client.get_key_policy().key_id(id).policy_name("default").send()
    );
    let metadata = match described.map_err(|e| AwsError::from_sdk("DescribeKey", e)) {
        Ok(out) => match out.key_metadata() {
            Some(m) => m.clone(),
            None => return Ok(LiveState::Absent),
        },
        Err(e) => return present_or_absent(Err(e)),
    };
    let mut props = key(&metadata);
    // A key pending deletion refuses the other two reads; its state says enough.
    if let Ok(rotation) = rotation {
        props.insert("EnableKeyRotation".into(), json!(rotation.key_rotation_enabled()));
        put(&mut props, "RotationPeriodInDays", rotation.rotation_period_in_days());
    }
    match policy {
        Ok(p) => {
            if let Some(text) = p.policy() {
                let parsed = serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_owned()));
                props.insert("KeyPolicy".into(), parsed);
            }
        }
        Err(e) => {
            let e = AwsError::from_sdk("GetKeyPolicy", e);
            if metadata.key_state().is_some_and(|s| s.as_str() == "Enabled") {
                return Err(e);
            }
        }
    }
    Ok(LiveState::Present(props))
}

pub fn key(m: &KeyMetadata) -> LiveProperties {
    let mut p = Map::new();
    put(&mut p, "Description", m.description());
    p.insert("Enabled".into(), json!(m.enabled()));
    put(&mut p, "KeyState", m.key_state().map(|s| s.as_str()));
    put(&mut p, "KeyUsage", m.key_usage().map(|s| s.as_str()));
    put(&mut p, "KeySpec", m.key_spec().map(|s| s.as_str()));
    put(&mut p, "MultiRegion", m.multi_region());
    p
}
