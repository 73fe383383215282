//! The `datalake` stack (§7): the S3 data lake, the Glue ETL job and Athena.

use crate::assets::{AssetError, AssetSet};
use crate::cfn::{Export, Stack, Str};

use super::context::Context;
use super::data::DataExports;
use super::network::NetworkExports;
use super::security::SecurityExports;

/// What other stacks import from `datalake`.
pub struct DataLakeExports {
    pub bucket_name: Export,
    pub bucket_arn: Export,
}

pub fn build(
    ctx: &Context,
    network: &NetworkExports,
    security: &SecurityExports,
    data: &DataExports,
    assets: &mut AssetSet,
) -> Result<(Stack, DataLakeExports), AssetError> {
    let _ = (network, security, data, assets);
    let mut stack = Stack::new("datalake", ctx.stack_name("datalake"), "placeholder");
    stack.template.add("Placeholder", crate::cfn::resources::cloudformation::WaitConditionHandle {});
    let exports = DataLakeExports {
        bucket_name: stack.export("BucketName", "placeholder", Str::lit("x")),
        bucket_arn: stack.export("BucketArn", "placeholder", Str::lit("x")),
    };
    Ok((stack, exports))
}
