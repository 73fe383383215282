//! `AWS::QuickSight::DataSource`: a QuickSight data source on an Athena workgroup.

use serde::Serialize;

use super::Tag;
use crate::cfn::{Resource, Str};

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DataSourceType {
    Athena,
}

/// How QuickSight queries Athena for this data source.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AthenaParameters {
    pub work_group: Str,
    /// The role QuickSight assumes to run this source's queries, instead of the account's
    /// QuickSight service role.
    pub role_arn: Str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataSourceParameters {
    pub athena_parameters: AthenaParameters,
}

/// What a QuickSight user or group may do with the resource.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourcePermission {
    /// ARN of a QuickSight user or group.
    pub principal: String,
    pub actions: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataSource {
    pub aws_account_id: Str,
    /// Unique per account and region.
    pub data_source_id: String,
    pub name: String,
    #[serde(rename = "Type")]
    pub kind: DataSourceType,
    pub data_source_parameters: DataSourceParameters,
    pub permissions: Vec<ResourcePermission>,
    pub tags: Vec<Tag>,
}
impl Resource for DataSource {
    const TYPE: &'static str = "AWS::QuickSight::DataSource";
}
// `Ref` is `<account>|<data source id>`.
