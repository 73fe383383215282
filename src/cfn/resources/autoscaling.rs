//! `AWS::AutoScaling::AutoScalingGroup`: a group of instances from a launch template.

use serde::Serialize;

use crate::cfn::{Resource, Str};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AutoScalingGroup {
    /// The registry schema types the sizes as strings.
    pub min_size: String,
    pub max_size: String,
    pub desired_capacity: String,
    #[serde(rename = "VPCZoneIdentifier")]
    pub vpc_zone_identifier: Vec<Str>,
    pub launch_template: LaunchTemplateSpecification,
    pub tags: Vec<GroupTag>,
}
impl Resource for AutoScalingGroup {
    const TYPE: &'static str = "AWS::AutoScaling::AutoScalingGroup";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateSpecification {
    pub launch_template_id: Str,
    pub version: Str,
}

/// A group tag; `PropagateAtLaunch` copies it onto the instances the group starts.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupTag {
    pub key: String,
    pub value: Str,
    pub propagate_at_launch: bool,
}
