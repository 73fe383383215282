//! `AWS::CloudFormation::*`.

use serde::Serialize;

use crate::cfn::Resource;

/// A resource with no properties and no cost: keeps a stack valid while it has
/// nothing else (a stack needs at least one resource).
#[derive(Serialize)]
pub struct WaitConditionHandle {}
impl Resource for WaitConditionHandle {
    const TYPE: &'static str = "AWS::CloudFormation::WaitConditionHandle";
}
