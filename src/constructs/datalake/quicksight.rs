//! §1's QuickSight on Athena (`datalake.quicksight.enabled`): the data source
//! `matbakh-<env>-athena` on the environment's workgroup, and the role its queries run as.
//!
//! The role is ours, set as the data source's `RoleArn` (QuickSight's "run as" role),
//! rather than the account-wide `aws-quicksight-service-role-v0`: that role belongs to
//! the QuickSight subscription (its console rewrites its policies), serves every data
//! source of the account, and would need the lake's key and bucket for all of them. This
//! one can read `curated/` — not `raw/` with its API and Lambda logs — through this
//! workgroup and this database only, and write the workgroup's results.

use crate::cfn::resources::athena::WorkGroup;
use crate::cfn::resources::iam::{InlinePolicy, PolicyDocument, Role, Statement};
use crate::cfn::resources::kms::Key;
use crate::cfn::resources::quicksight::{
    AthenaParameters, DataSource, DataSourceParameters, DataSourceType, ResourcePermission,
};
use crate::cfn::resources::s3::Bucket;
use crate::cfn::{Handle, Pseudo, Str, Template};

use super::super::context::Context;
use super::super::kms::via_service;

/// What QuickSight's principal may do with the data source: see it and build datasets
/// on it. Changing or deleting it is the stack's job (a change by hand is drift).
pub const PRINCIPAL_ACTIONS: [&str; 3] =
    ["quicksight:DescribeDataSource", "quicksight:DescribeDataSourcePermissions", "quicksight:PassDataSource"];

/// Reading the catalog's tables and their partitions, never changing them.
const READ_CATALOG: [&str; 7] = [
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
];

/// The lake as the data source reads it.
pub(super) struct Lake<'a> {
    pub bucket: &'a Handle<Bucket>,
    pub key: &'a Handle<Key>,
    pub workgroup: &'a Handle<WorkGroup>,
    pub workgroup_name: &'a str,
    pub database_name: &'a str,
}

pub(super) fn add(ctx: &Context, t: &mut Template, lake: Lake, principal_arn: &str) {
    let objects = |prefix: &str| Str::concat([lake.bucket.arn(), Str::lit(format!("/{prefix}*"))]);
    let athena_arn = |resource: &str| Str::arn("athena", resource.to_owned());
    let database = lake.database_name;
    let catalog = ["catalog".to_owned(), format!("database/{database}"), format!("table/{database}/*")]
        .map(|resource| Str::arn("glue", resource))
        .to_vec();
    let policy =
        PolicyDocument::new(vec![
            // `*`: these list calls have no resource-level permissions; they return names only.
            Statement::allow(
                "ListWorkGroupsAndCatalogs",
                &["athena:ListWorkGroups", "athena:ListDataCatalogs"],
                vec![Str::lit("*")],
            ),
            Statement::allow(
                "QueryThroughTheWorkGroup",
                &[
                    "athena:GetWorkGroup",
                    "athena:StartQueryExecution",
                    "athena:StopQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:BatchGetQueryExecution",
                    "athena:ListQueryExecutions",
                    "athena:GetQueryResults",
                    "athena:GetQueryResultsStream",
                ],
                vec![athena_arn(&format!("workgroup/{}", lake.workgroup_name))],
            ),
            Statement::allow(
                "BrowseTheCatalog",
                &[
                    "athena:GetDataCatalog",
                    "athena:ListDatabases",
                    "athena:GetDatabase",
                    "athena:ListTableMetadata",
                    "athena:GetTableMetadata",
                ],
                vec![athena_arn("datacatalog/AwsDataCatalog")],
            ),
            Statement::allow("ReadTheLakeTables", &READ_CATALOG, catalog),
            Statement::allow("LocateTheBucket", &["s3:GetBucketLocation"], vec![lake.bucket.arn()]),
            Statement::allow("ListCuratedAndResults", &["s3:ListBucket"], vec![lake.bucket.arn()]).when(
                "StringLike",
                "s3:prefix",
                vec![Str::lit("curated/*"), Str::lit("athena-results/*")],
            ),
            Statement::allow("ReadCurated", &["s3:GetObject"], vec![objects("curated/")]),
            // Athena writes a query's results with the caller's credentials, and QuickSight
            // reads them back.
            Statement::allow(
                "WriteAndReadQueryResults",
                &["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                vec![objects("athena-results/")],
            ),
            // The lake and the results are encrypted with the lake's key; only through S3.
            Statement::allow("UseTheLakeKeyThroughS3", &["kms:Decrypt", "kms:GenerateDataKey"], vec![lake.key.arn()])
                .when("StringEquals", "kms:ViaService", vec![via_service("s3")]),
        ]);
    // QuickSight's documented trust. QuickSight only runs as roles of its own account,
    // so another account's QuickSight cannot use this one.
    let role = t.add(
        "QuickSightAthenaRole",
        Role::for_service(
            "quicksight.amazonaws.com",
            format!("matbakh {}: QuickSight's queries on the data lake (curated/ only)", ctx.env.name),
            InlinePolicy { policy_name: "athena-curated".into(), policy_document: policy },
            ctx.tags("quicksight-athena"),
        ),
    );
    t.add(
        "QuickSightDataSource",
        DataSource {
            aws_account_id: Pseudo::AccountId.into(),
            data_source_id: ctx.name("athena"),
            name: format!("matbakh {} data lake (Athena)", ctx.env.name),
            kind: DataSourceType::Athena,
            data_source_parameters: DataSourceParameters {
                athena_parameters: AthenaParameters { work_group: lake.workgroup.r#ref(), role_arn: role.arn() },
            },
            permissions: vec![ResourcePermission {
                principal: principal_arn.to_owned(),
                actions: PRINCIPAL_ACTIONS.to_vec(),
            }],
            tags: ctx.tags("quicksight-athena"),
        },
    );
}
