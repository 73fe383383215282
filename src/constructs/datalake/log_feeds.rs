//! §7's raw log feeds: the API's access logs into `raw/api-logs/` and the functions' logs
//! into `raw/lambda-logs/`, each through a CloudWatch Logs subscription filter and a
//! Firehose delivery stream.
//!
//! Firehose decompresses the gzip records CloudWatch Logs sends and keeps only the log
//! messages, one per line (its `Decompression` and `CloudWatchLogProcessing` processors),
//! so the objects are gzip-compressed lines Athena reads as they are (the access log is
//! one JSON object per request). Objects land under `year=YYYY/month=MM/day=DD/` of their
//! arrival (UTC); records Firehose cannot deliver go to `raw/delivery-errors/<feed>/`.

use crate::cfn::resources::firehose::{
    BufferingHints, CompressionFormat, DeliveryStream, DeliveryStreamType, ExtendedS3Destination, KmsEncryptionConfig,
    ProcessingConfiguration, Processor, S3Encryption, StreamEncryption, StreamKeyType,
};
use crate::cfn::resources::iam::{InlinePolicy, PolicyDocument, Role, Statement, service_trust_when};
use crate::cfn::resources::kms::Key;
use crate::cfn::resources::logs::SubscriptionFilter;
use crate::cfn::resources::s3::Bucket;
use crate::cfn::{Handle, Pseudo, Str, Template};

use super::super::context::Context;
use super::super::kms::via_service;

/// A feed: its logical-id stem, its prefix below `raw/` and the log groups it subscribes to.
pub struct Feed {
    pub id: &'static str,
    pub prefix: &'static str,
    pub description: &'static str,
    /// (logical-id stem of the source, log group name)
    pub log_groups: Vec<(String, Str)>,
}

/// The name of every subscription filter of a feed: a log group holds at most two, so
/// the name says whose this one is.
pub const FILTER_NAME: &str = "matbakh-data-lake-raw";

/// Seconds and MiB Firehose buffers before it writes an object: at most one object per
/// five minutes per feed, so a quiet environment does not fill the lake with tiny files.
const BUFFER_SECONDS: u32 = 300;
const BUFFER_MIB: u32 = 64;

/// Adds each feed's delivery stream and role, and one role CloudWatch Logs assumes to put
/// records into the streams; then a subscription filter per log group.
pub fn add(ctx: &Context, t: &mut Template, bucket: &Handle<Bucket>, key: &Handle<Key>, feeds: &[Feed]) {
    let streams: Vec<(&Feed, Handle<DeliveryStream>)> =
        feeds.iter().map(|feed| (feed, delivery_stream(ctx, t, bucket, key, feed))).collect();

    // CloudWatch Logs puts the records with this role; the condition keeps it to log
    // groups of this account and region (the confused-deputy guard AWS documents).
    let logs_role = t.add(
        "LogFeedsSubscriptionRole",
        Role {
            role_name: None,
            description: format!(
                "matbakh {}: CloudWatch Logs puts log events into the data lake's feeds",
                ctx.env.name
            ),
            assume_role_policy_document: service_trust_when(
                "logs.amazonaws.com",
                "ArnLike",
                "aws:SourceArn",
                vec![Str::arn("logs", "*")],
            ),
            managed_policy_arns: Vec::new(),
            policies: vec![InlinePolicy {
                policy_name: "put-into-feeds".into(),
                policy_document: PolicyDocument::new(vec![Statement::allow(
                    "PutIntoFeeds",
                    &["firehose:PutRecord", "firehose:PutRecordBatch"],
                    streams.iter().map(|(_, s)| s.arn()).collect(),
                )]),
            }],
            tags: ctx.tags("log-feeds"),
        },
    );
    for (feed, stream) in &streams {
        for (stem, log_group) in &feed.log_groups {
            t.add(
                &format!("{}{stem}Subscription", feed.id),
                SubscriptionFilter {
                    filter_name: FILTER_NAME.into(),
                    log_group_name: log_group.clone(),
                    filter_pattern: String::new(),
                    destination_arn: stream.arn(),
                    role_arn: logs_role.arn(),
                },
            );
        }
    }
}

fn delivery_stream(
    ctx: &Context,
    t: &mut Template,
    bucket: &Handle<Bucket>,
    key: &Handle<Key>,
    feed: &Feed,
) -> Handle<DeliveryStream> {
    let prefix = format!("raw/{}/", feed.prefix);
    let errors = format!("raw/delivery-errors/{}/", feed.prefix);
    let objects = |p: &str| Str::concat([bucket.arn(), Str::lit(format!("/{p}*"))]);
    let role =
        t.add(
            &format!("{}DeliveryRole", feed.id),
            Role {
                role_name: None,
                description: format!("matbakh {}: Firehose writes {} into {prefix}", ctx.env.name, feed.description),
                // Firehose passes the account id as external id (the guard AWS documents).
                assume_role_policy_document: service_trust_when(
                    "firehose.amazonaws.com",
                    "StringEquals",
                    "sts:ExternalId",
                    vec![Pseudo::AccountId.into()],
                ),
                managed_policy_arns: Vec::new(),
                policies: vec![InlinePolicy {
                    policy_name: "deliver-to-data-lake".into(),
                    policy_document: PolicyDocument::new(vec![
                        Statement::allow(
                            "LocateBucket",
                            &["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                            vec![bucket.arn()],
                        ),
                        Statement::allow(
                            "WriteOwnPrefixes",
                            &["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
                            vec![objects(&prefix), objects(&errors)],
                        ),
                        Statement::allow("EncryptObjects", &["kms:GenerateDataKey", "kms:Decrypt"], vec![key.arn()])
                            .when("StringEquals", "kms:ViaService", vec![via_service("s3")]),
                    ]),
                }],
                tags: ctx.tags(&format!("{}-delivery", feed.prefix)),
            },
        );
    let day = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/";
    t.add(
        &format!("{}DeliveryStream", feed.id),
        DeliveryStream {
            delivery_stream_name: ctx.name(feed.prefix),
            delivery_stream_type: DeliveryStreamType::DirectPut,
            delivery_stream_encryption_configuration_input: StreamEncryption { key_type: StreamKeyType::AwsOwnedCmk },
            extended_s3_destination: ExtendedS3Destination {
                bucket_arn: bucket.arn(),
                role_arn: role.arn(),
                prefix: format!("{prefix}{day}"),
                error_output_prefix: format!("{errors}!{{firehose:error-output-type}}/{day}"),
                buffering_hints: BufferingHints { interval_in_seconds: BUFFER_SECONDS, size_in_mbs: BUFFER_MIB },
                compression_format: CompressionFormat::Gzip,
                file_extension: ".log.gz".into(),
                encryption_configuration: S3Encryption { kms: KmsEncryptionConfig { key_arn: key.arn() } },
                processing_configuration: ProcessingConfiguration {
                    enabled: true,
                    processors: vec![Processor::DecompressGzip, Processor::ExtractCloudWatchLogMessages],
                },
            },
            tags: ctx.tags(feed.prefix),
        },
    )
}
