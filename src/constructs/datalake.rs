//! The `datalake` stack (§7): the S3 data lake, the Glue catalog database, the
//! RDS-to-S3 Glue ETL job with its JDBC connection and schedule, and the Athena workgroup.
//!
//! Layout of `s3://matbakh-data-lake-<env>/` (§7):
//! - `raw/`: data as ingested: `rds-exports/year=/month=/day=/`, `api-logs/`,
//!   `lambda-logs/`, `external-apis/` (Google Business, Facebook Insights, GA4).
//! - `curated/`: cleaned data: `facts/`, `dimensions/`, `aggregates/`, the ETL job's
//!   `business_partners/` and `visibility_check_results/`, partitioned by
//!   `year=/month=/day=`, each with its catalog table (see [`catalog`]).
//! - `ml/`: `features/`, `training/`, `models/`, `predictions/`.
//! - `archive/`: long-term storage by `year=`; moves to Glacier after
//!   `archive_to_glacier_days` (the only prefix that transitions).
//! - `athena-results/`: query results of the workgroup; expire after
//!   `athena.results_expiration_days`.
//! - `scripts/`: reserved for hand-run scripts; the ETL job's script is an asset in the
//!   artifacts bucket, versioned by content hash with the rest of the deployment.

mod catalog;
mod external_apis;
mod log_feeds;
mod quicksight;

use std::collections::BTreeMap;

use crate::assets::{AssetError, AssetKind, AssetSet};
use crate::cfn::resources::athena::{
    EncryptionConfiguration, EncryptionOption, ResultConfiguration, WorkGroup, WorkGroupConfiguration,
};
use crate::cfn::resources::ec2::{
    CidrRule, Destination, SecurityGroup, SecurityGroupEgress, SecurityGroupIngress, Source, Traffic,
};
use crate::cfn::resources::glue::{
    CommandName, Connection, ConnectionInput, ConnectionType, ConnectionsList, Database, DatabaseInput,
    ExecutionProperty, Job, JobCommand, PhysicalConnectionRequirements, Trigger, TriggerAction, TriggerKind, tag_map,
};
use crate::cfn::resources::iam::{Effect, InlinePolicy, PolicyDocument, Principal, Role, Statement, service_trust};
use crate::cfn::resources::s3::{
    Bucket, BucketEncryption, BucketPolicy, LifecycleConfiguration, LifecycleRule, ObjectOwnership, OwnershipControls,
    OwnershipControlsRule, PublicAccessBlockConfiguration, StorageClass, Transition, VersioningConfiguration,
    VersioningStatus,
};
use crate::cfn::{DeletionPolicy, Export, Pseudo, ResourceOptions, Stack, Str};

use super::api::ApiExports;
use super::app::{AppExports, logical_stem};
use super::context::Context;
use super::data::DataExports;
use super::kms::{self, KeySpec, via_service};
use super::network::NetworkExports;
use super::security::SecurityExports;
use crate::config::model::Capability;

/// What other stacks import from `datalake`.
pub struct DataLakeExports {
    pub bucket_name: Export,
    pub bucket_arn: Export,
}

/// The design names the bucket, so the name is fixed: S3 bucket names are global across
/// all accounts, and a deploy fails if anyone anywhere already holds it. Functions built
/// before this stack get it from here.
pub fn bucket_name(environment: &str) -> String {
    format!("matbakh-data-lake-{environment}")
}

/// The ETL job's outputs (examples/glue/rds_to_s3.py: RAW_EXPORTS_PREFIX, CURATED_PREFIX).
const RAW_EXPORTS_PREFIX: &str = "raw/rds-exports/";
const CURATED_BUSINESS_PARTNERS_PREFIX: &str = "curated/business_partners/";

/// Where functions archive external API responses (§7); the only prefix they may write.
pub const EXTERNAL_APIS_PREFIX: &str = "raw/external-apis/";

/// The other stacks whose log groups and roles this stack subscribes to and grants.
pub struct Sources<'a> {
    pub network: &'a NetworkExports,
    pub security: &'a SecurityExports,
    pub data: &'a DataExports,
    pub app: &'a AppExports,
    pub api: &'a ApiExports,
}

/// Days after which S3 aborts a multipart upload nobody completed (its parts cost storage).
const ABORT_MULTIPART_DAYS: u32 = 7;

pub fn build(ctx: &Context, sources: &Sources, assets: &mut AssetSet) -> Result<(Stack, DataLakeExports), AssetError> {
    let Sources { network, security, data, app, api } = sources;
    let env = ctx.env;
    let lake = &env.datalake;
    let etl = &lake.etl;
    let script_key = assets.add_file("script/rds-to-s3", AssetKind::Script, &etl.script)?.s3_key.clone();

    let mut stack = Stack::new(
        "datalake",
        ctx.stack_name("datalake"),
        format!("matbakh {}: S3 data lake, Glue ETL from RDS, Athena workgroup (design section 7)", env.name),
    );
    stack.uses_asset(&script_key);
    let vpc_id = stack.import(&network.vpc_id);
    let private_subnets = stack.import_list(&network.private_subnet_ids);
    let rds_sg = stack.import(&network.rds_sg);
    let rds_key_arn = stack.import(&security.rds_key_arn);
    // §7's read-only etl_user, never the master or the application user.
    let rds_secret_arn = stack.import(&security.etl_credentials_arn);
    let db_address = stack.import(&data.endpoint_address);
    let db_port = stack.import(&data.endpoint_port);
    let feeds = [
        log_feeds::Feed {
            id: "ApiLogs",
            prefix: "api-logs",
            description: "the API stage's access logs",
            log_groups: vec![("Stage".into(), stack.import(&api.access_log_group_name))],
        },
        log_feeds::Feed {
            id: "LambdaLogs",
            prefix: "lambda-logs",
            description: "the functions' logs",
            log_groups: app
                .functions
                .iter()
                .map(|(name, f)| (logical_stem(name), stack.import(&f.log_group_name)))
                .collect(),
        },
    ];
    let archiving_roles: Vec<Str> = app
        .functions
        .values()
        .filter(|f| f.uses.contains(&Capability::ExternalApiArchive))
        .filter_map(|f| f.role_name.as_ref())
        .map(|role| stack.import(role))
        .collect();
    let t = &mut stack.template;
    let zones = ctx.zones(t);
    let keep = || ResourceOptions::keep(DeletionPolicy::Retain);

    // The account administers the key and IAM policies grant its use (the Glue role
    // below; analysts' roles for Athena), so the key policy needs nothing else.
    let key = kms::key_with_alias(
        ctx,
        t,
        KeySpec {
            id: "DataLakeKey",
            alias: "data-lake",
            tag: "data-lake-key",
            description: format!("matbakh {}: encryption of the data lake and Athena results", env.name),
            rotation_period_in_days: None,
            pending_window_in_days: 30,
            uses: Vec::new(),
        },
    );

    let bucket_name = bucket_name(&env.name);
    let bucket = t.add_with(
        "DataLakeBucket",
        Bucket {
            bucket_name: Str::lit(bucket_name.clone()),
            bucket_encryption: BucketEncryption::kms(key.arn()),
            versioning_configuration: VersioningConfiguration { status: VersioningStatus::Enabled },
            public_access_block_configuration: PublicAccessBlockConfiguration::all(),
            ownership_controls: OwnershipControls {
                rules: vec![OwnershipControlsRule { object_ownership: ObjectOwnership::BucketOwnerEnforced }],
            },
            lifecycle_configuration: LifecycleConfiguration {
                rules: vec![
                    LifecycleRule {
                        id: "archive-to-glacier".into(),
                        prefix: Some("archive/".into()),
                        transitions: vec![Transition {
                            storage_class: StorageClass::Glacier,
                            transition_in_days: lake.archive_to_glacier_days,
                        }],
                        ..Default::default()
                    },
                    LifecycleRule::expire_noncurrent_versions(lake.noncurrent_version_expiration_days),
                    LifecycleRule::abort_incomplete_multipart_uploads(ABORT_MULTIPART_DAYS),
                    LifecycleRule {
                        id: "expire-athena-results".into(),
                        prefix: Some("athena-results/".into()),
                        expiration_in_days: Some(lake.athena.results_expiration_days),
                        ..Default::default()
                    },
                ],
            },
            tags: ctx.tags("data-lake"),
        },
        keep(),
    );
    let objects = |prefix: &str| Str::concat([bucket.arn(), Str::lit(format!("/{prefix}*"))]);
    t.add(
        "DataLakeBucketPolicy",
        BucketPolicy {
            bucket: bucket.r#ref(),
            policy_document: PolicyDocument::new(vec![Statement {
                effect: Effect::Deny,
                ..Statement::allow("DenyInsecureTransport", &["s3:*"], vec![bucket.arn(), objects("")])
                    .principal(Principal::Aws(Str::lit("*")))
                    .when("Bool", "aws:SecureTransport", vec![Str::lit("false")])
            }]),
        },
    );

    // Athena reads table names with `-` as arithmetic, so the database uses `_`.
    let database_name = format!("matbakh_{}", env.name);
    let database = t.add(
        "GlueDatabase",
        Database {
            catalog_id: Pseudo::AccountId.into(),
            database_input: DatabaseInput {
                name: database_name.clone(),
                description: format!("matbakh {}: tables over the data lake (raw/, curated/, ml/)", env.name),
            },
        },
    );

    catalog::add(t, database.r#ref(), &bucket_name, &lake.partition_years);
    log_feeds::add(ctx, t, &bucket, &key, &feeds);
    external_apis::grant(t, &bucket, &key, archiving_roles);

    // Glue-SG: Glue's Spark workers run in the VPC on network interfaces in this group.
    // Glue requires the group to open all TCP ports to itself in both directions (the
    // workers talk to each other; Glue refuses a connection without these rules).
    let glue_sg = t.add(
        "GlueSecurityGroup",
        SecurityGroup {
            group_description: "Glue-SG: Glue ETL job workers".into(),
            vpc_id,
            security_group_ingress: Vec::new(),
            security_group_egress: vec![CidrRule::new(
                Traffic::Icmp { kind: 252, code: 86 },
                "255.255.255.255/32",
                "Placeholder that matches no traffic: removes the default allow-all egress",
            )],
            tags: ctx.tags("glue-sg"),
        },
    );
    let all_tcp = Traffic::Tcp { from: 0, to: 65535 };
    let pg = Traffic::tcp(env.database.port);
    t.add(
        "GlueIngressFromSelf",
        SecurityGroupIngress::new(
            glue_sg.group_id(),
            all_tcp,
            Source::Group(glue_sg.group_id()),
            "All TCP from Glue-SG (Glue workers talk to each other)",
        ),
    );
    t.add(
        "GlueEgressToSelf",
        SecurityGroupEgress::new(
            glue_sg.group_id(),
            all_tcp,
            Destination::Group(glue_sg.group_id()),
            "All TCP to Glue-SG (Glue workers talk to each other)",
        ),
    );
    t.add(
        "GlueEgressHttps",
        SecurityGroupEgress::new(
            glue_sg.group_id(),
            Traffic::tcp(443),
            Destination::Cidr("0.0.0.0/0".into()),
            "HTTPS to S3, Secrets Manager, Glue and CloudWatch through the NAT gateways",
        ),
    );
    t.add(
        "GlueEgressToRds",
        SecurityGroupEgress::new(glue_sg.group_id(), pg, Destination::Group(rds_sg.clone()), "PostgreSQL to RDS-SG"),
    );
    // One rule on RDS-SG beyond §9's list: §7's ETL job reads the primary. It lives here
    // so it exists exactly as long as the job does.
    t.add(
        "RdsIngressFromGlue",
        SecurityGroupIngress::new(
            rds_sg,
            pg,
            Source::Group(glue_sg.group_id()),
            "PostgreSQL from Glue-SG (data lake ETL, design section 7)",
        ),
    );

    let jdbc_url = Str::concat([
        Str::lit("jdbc:postgresql://"),
        db_address,
        Str::lit(":"),
        db_port,
        Str::lit(format!("/{}", env.database.database_name)),
    ]);
    let first_private = env.network.private_subnets.first().expect("the schema requires a private subnet");
    let connection_name = ctx.name("rds");
    let connection = t.add(
        "RdsConnection",
        Connection {
            catalog_id: Pseudo::AccountId.into(),
            connection_input: ConnectionInput {
                name: connection_name.clone(),
                description: format!("matbakh {}: the PostgreSQL primary, credentials from etl-credentials", env.name),
                connection_type: ConnectionType::Jdbc,
                connection_properties: BTreeMap::from([
                    ("JDBC_CONNECTION_URL", jdbc_url.clone()),
                    // The database refuses connections without TLS (rds.force_ssl).
                    ("JDBC_ENFORCE_SSL", Str::lit("true")),
                    ("SECRET_ID", rds_secret_arn.clone()),
                ]),
                physical_connection_requirements: PhysicalConnectionRequirements {
                    subnet_id: Str::select(0, private_subnets.clone()),
                    availability_zone: zones.select(&first_private.availability_zone),
                    security_group_id_list: vec![glue_sg.group_id()],
                },
            },
        },
    );

    let script_location = Str::concat([Str::lit("s3://"), ctx.assets_bucket(), Str::lit(format!("/{script_key}"))]);
    let s3_arn = |bucket_and_key: Str| {
        Str::concat([Str::lit("arn:"), Pseudo::Partition.into(), Str::lit(":s3:::"), bucket_and_key])
    };
    let script_arn = s3_arn(Str::concat([ctx.assets_bucket(), Str::lit(format!("/{script_key}"))]));
    let ec2_arn = |resource: Str| Str::arn("ec2", resource);
    let glue_arn = |resource: String| Str::arn("glue", resource);
    let policy = PolicyDocument::new(vec![
        Statement::allow("ListDataLake", &["s3:ListBucket", "s3:GetBucketLocation"], vec![bucket.arn()]),
        // Its two outputs only (the day's raw snapshot, the curated table). Delete: an
        // overwrite removes the previous files, and Spark's output committer its
        // `_temporary/` objects after a commit.
        Statement::allow(
            "WriteOwnOutputs",
            &["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            vec![objects(RAW_EXPORTS_PREFIX), objects(CURATED_BUSINESS_PARTNERS_PREFIX)],
        ),
        Statement::allow("ReadJobScript", &["s3:GetObject"], vec![script_arn]),
        Statement::allow("UseDataLakeKey", &["kms:Decrypt", "kms:GenerateDataKey"], vec![key.arn()]),
        Statement::allow("ReadDatabaseCredentials", &["secretsmanager:GetSecretValue"], vec![rds_secret_arn.clone()]),
        Statement::allow("DecryptDatabaseCredentials", &["kms:Decrypt"], vec![rds_key_arn]).when(
            "StringEquals",
            "kms:ViaService",
            vec![via_service("secretsmanager")],
        ),
        Statement::allow(
            "UseCatalogDatabase",
            &[
                "glue:GetDatabase",
                "glue:GetTable",
                "glue:GetTables",
                "glue:CreateTable",
                "glue:UpdateTable",
                "glue:GetPartition",
                "glue:GetPartitions",
                "glue:BatchGetPartition",
                "glue:CreatePartition",
                "glue:BatchCreatePartition",
                "glue:UpdatePartition",
            ],
            vec![
                glue_arn("catalog".into()),
                glue_arn(format!("database/{database_name}")),
                glue_arn(format!("table/{database_name}/*")),
            ],
        ),
        Statement::allow(
            "UseRdsConnection",
            &["glue:GetConnection"],
            vec![glue_arn("catalog".into()), glue_arn(format!("connection/{connection_name}"))],
        ),
        Statement::allow(
            "WriteJobLogs",
            &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            vec![Str::arn("logs", "log-group:/aws-glue/*")],
        ),
        // `*`: PutMetricData has no resource-level permissions; the namespace condition
        // limits it to the job metrics `--enable-metrics` publishes.
        Statement::allow("PublishJobMetrics", &["cloudwatch:PutMetricData"], vec![Str::lit("*")]).when(
            "StringEquals",
            "cloudwatch:namespace",
            vec![Str::lit("Glue")],
        ),
        // `*`: EC2 Describe actions have no resource-level permissions; Glue calls them to
        // check the connection's subnet, routes (S3 reachable) and security groups.
        Statement::allow(
            "DescribeJobNetwork",
            &[
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcAttribute",
            ],
            vec![Str::lit("*")],
        ),
        // Interface ids exist only once Glue creates them, hence `network-interface/*`;
        // the subnet and group are exactly the connection's.
        Statement::allow(
            "CreateJobNetworkInterfaces",
            &["ec2:CreateNetworkInterface"],
            vec![
                ec2_arn(Str::lit("network-interface/*")),
                ec2_arn(Str::concat([Str::lit("subnet/"), Str::select(0, private_subnets)])),
                ec2_arn(Str::concat([Str::lit("security-group/"), glue_sg.group_id()])),
            ],
        ),
        Statement::allow(
            "DeleteJobNetworkInterfaces",
            &["ec2:DeleteNetworkInterface"],
            vec![ec2_arn(Str::lit("network-interface/*"))],
        ),
        Statement::allow(
            "TagJobNetworkInterfaces",
            &["ec2:CreateTags", "ec2:DeleteTags"],
            vec![ec2_arn(Str::lit("network-interface/*"))],
        )
        .when("ForAllValues:StringEquals", "aws:TagKeys", vec![Str::lit("aws-glue-service-resource")]),
    ]);
    // Inline least privilege instead of the managed service-role/AWSGlueServiceRole,
    // whose S3 and EC2 statements are account-wide wildcards.
    let role = t.add(
        "GlueJobRole",
        Role {
            role_name: None,
            description: format!("matbakh {}: the RDS-to-S3 Glue ETL job", env.name),
            assume_role_policy_document: service_trust("glue.amazonaws.com"),
            managed_policy_arns: Vec::new(),
            policies: vec![InlinePolicy { policy_name: "rds-to-s3".into(), policy_document: policy }],
            tags: ctx.tags("glue-job"),
        },
    );

    let job = t.add(
        "RdsToS3Job",
        Job {
            name: ctx.name("rds-to-s3"),
            description: "Exports business_partners from PostgreSQL to curated/ as Parquet (design section 7)".into(),
            role: role.arn(),
            command: JobCommand { name: CommandName::Glueetl, python_version: "3", script_location },
            glue_version: etl.glue_version.clone(),
            worker_type: etl.worker_type.clone(),
            number_of_workers: etl.number_of_workers,
            timeout: etl.timeout_minutes,
            max_retries: 0,
            // Each run replaces curated/business_partners/; two at once would interleave.
            execution_property: ExecutionProperty { max_concurrent_runs: 1 },
            default_arguments: BTreeMap::from([
                ("--S3_BUCKET".to_owned(), bucket.r#ref()),
                ("--DATABASE_URL".to_owned(), jdbc_url),
                // The script reads user and password from the secret at run time.
                ("--RDS_SECRET_ID".to_owned(), rds_secret_arn),
                ("--enable-metrics".to_owned(), Str::lit("true")),
                // Each run is a full export that overwrites the table's prefix (the script
                // says why); bookmarks would make it skip the rows it must rewrite.
                ("--job-bookmark-option".to_owned(), Str::lit("job-bookmark-disable")),
            ]),
            connections: ConnectionsList { connections: vec![connection.r#ref()] },
            tags: tag_map(ctx.tags("rds-to-s3")),
        },
    );
    if let Some(schedule) = &etl.schedule {
        t.add(
            "RdsToS3Schedule",
            Trigger {
                name: ctx.name("rds-to-s3-schedule"),
                description: format!("Runs the RDS-to-S3 export on {schedule} (UTC)"),
                kind: TriggerKind::Scheduled { schedule: schedule.clone(), start_on_creation: true },
                actions: vec![TriggerAction { job_name: job.r#ref() }],
                tags: tag_map(ctx.tags("rds-to-s3")),
            },
        );
    }

    let workgroup_name = ctx.prefix();
    let workgroup = t.add(
        "AthenaWorkGroup",
        WorkGroup {
            name: workgroup_name.clone(),
            description: format!(
                "matbakh {}: queries over the data lake, results encrypted under athena-results/",
                env.name
            ),
            work_group_configuration: WorkGroupConfiguration {
                bytes_scanned_cutoff_per_query: lake.athena.bytes_scanned_cutoff_per_query,
                enforce_work_group_configuration: true,
                publish_cloud_watch_metrics_enabled: true,
                result_configuration: ResultConfiguration {
                    output_location: Str::concat([Str::lit("s3://"), bucket.r#ref(), Str::lit("/athena-results/")]),
                    encryption_configuration: EncryptionConfiguration {
                        encryption_option: EncryptionOption::SseKms,
                        kms_key: Some(key.arn()),
                    },
                },
            },
            tags: ctx.tags("athena"),
        },
    );

    if lake.quicksight.enabled {
        let principal = lake.quicksight.principal_arn.as_deref().expect("validate requires principal_arn when enabled");
        let lake = quicksight::Lake {
            bucket: &bucket,
            key: &key,
            workgroup: &workgroup,
            workgroup_name: &workgroup_name,
            database_name: &database_name,
        };
        quicksight::add(ctx, t, lake, principal);
    }

    let exports = DataLakeExports {
        bucket_name: stack.export("BucketName", "Name of the data lake bucket", bucket.r#ref()),
        bucket_arn: stack.export("BucketArn", "ARN of the data lake bucket", bucket.arn()),
    };
    Ok((stack, exports))
}
