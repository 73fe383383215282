//! `AWS::KinesisFirehose::DeliveryStream`: a direct-put stream that delivers records to
//! S3 (the data lake's raw log feeds).

use serde::Serialize;

use crate::attributes;
use crate::cfn::{Resource, Str};

/// `Ref` returns the stream name.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeliveryStream {
    pub delivery_stream_name: String,
    pub delivery_stream_type: DeliveryStreamType,
    pub delivery_stream_encryption_configuration_input: StreamEncryption,
    #[serde(rename = "ExtendedS3DestinationConfiguration")]
    pub extended_s3_destination: ExtendedS3Destination,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<super::Tag>,
}
impl Resource for DeliveryStream {
    const TYPE: &'static str = "AWS::KinesisFirehose::DeliveryStream";
}
attributes!(DeliveryStream { arn => "Arn" });

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum DeliveryStreamType {
    /// Producers (here CloudWatch Logs subscriptions) call PutRecord(Batch) themselves.
    DirectPut,
}

/// Server-side encryption of the records while Firehose buffers them.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamEncryption {
    pub key_type: StreamKeyType,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StreamKeyType {
    AwsOwnedCmk,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExtendedS3Destination {
    #[serde(rename = "BucketARN")]
    pub bucket_arn: Str,
    #[serde(rename = "RoleARN")]
    pub role_arn: Str,
    /// May hold `!{timestamp:…}` expressions; then `ErrorOutputPrefix` is required.
    pub prefix: String,
    /// Must hold `!{firehose:error-output-type}` when `Prefix` has expressions.
    pub error_output_prefix: String,
    pub buffering_hints: BufferingHints,
    pub compression_format: CompressionFormat,
    /// Appended to each object's key (`.log.gz`), so readers know the format.
    pub file_extension: String,
    pub encryption_configuration: S3Encryption,
    pub processing_configuration: ProcessingConfiguration,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BufferingHints {
    /// 0-900 seconds.
    pub interval_in_seconds: u32,
    /// 1-128 MiB.
    #[serde(rename = "SizeInMBs")]
    pub size_in_mbs: u32,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompressionFormat {
    Gzip,
}

/// The objects Firehose writes are encrypted with this key.
#[derive(Serialize)]
pub struct S3Encryption {
    #[serde(rename = "KMSEncryptionConfig")]
    pub kms: KmsEncryptionConfig,
}

#[derive(Serialize)]
pub struct KmsEncryptionConfig {
    #[serde(rename = "AWSKMSKeyARN")]
    pub key_arn: Str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessingConfiguration {
    pub enabled: bool,
    pub processors: Vec<Processor>,
}

/// A built-in record processor, with its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Processor {
    /// Decompresses the gzip-compressed records CloudWatch Logs subscriptions send.
    DecompressGzip,
    /// Keeps the log events' messages, one per line, and drops CloudWatch Logs' envelope
    /// and control messages (needs `DecompressGzip` before it).
    ExtractCloudWatchLogMessages,
}

impl Serialize for Processor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (kind, name, value) = match self {
            Processor::DecompressGzip => ("Decompression", "CompressionFormat", "GZIP"),
            Processor::ExtractCloudWatchLogMessages => ("CloudWatchLogProcessing", "DataMessageExtraction", "true"),
        };
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("Parameters", &[serde_json::json!({"ParameterName": name, "ParameterValue": value})])?;
        map.serialize_entry("Type", kind)?;
        map.end()
    }
}
