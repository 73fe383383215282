"""Amazon Data Firehose: ``AWS::KinesisFirehose::DeliveryStream`` through CloudFormation
(ours), created in moto's Firehose backend, and delivery to an extended S3 destination as
AWS documents it: custom prefixes, the built-in processors CloudWatch Logs feeds use,
compression, file extension and the destination's KMS key.

What AWS documents (CloudFormation Template Reference; Amazon Data Firehose Developer
Guide, "Configure Amazon S3 object name format", "Understand custom prefixes for Amazon
S3 objects", "Decompress CloudWatch Logs", "Extract message after decompression of
CloudWatch Logs"):
- DeliveryStream: Ref = the stream name; GetAtt Arn. DeliveryStreamName and
  DeliveryStreamType are createOnly; the destination, encryption and tags update in place.
- Prefix: ``!{timestamp:<pattern>}`` (Java DateTimeFormatter pattern) is the record's
  approximate arrival time in UTC; ``!{firehose:random-string}`` 11 random characters;
  ``!{firehose:error-output-type}`` only in ErrorOutputPrefix. A prefix without
  expressions gets ``YYYY/MM/dd/HH/`` appended; one with expressions gets nothing.
- Object name: ``<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<random>`` then the file
  extension: FileExtension if set, else ``.gz`` for GZIP compression (none uncompressed).
- ``Decompression`` (CompressionFormat GZIP) decompresses the records CloudWatch Logs
  subscriptions send; ``CloudWatchLogProcessing`` with DataMessageExtraction ``true``
  then delivers each log event's message followed by a newline and drops
  ``CONTROL_MESSAGE`` records. It needs ``Decompression`` before it.
- EncryptionConfiguration ``KMSEncryptionConfig``: objects are written SSE-KMS with the key.

Upstream issues, as we would file them at getmoto/moto (all: moto 5.2.5)
------------------------------------------------------------------------

1. "CloudFormation: AWS::KinesisFirehose::DeliveryStream is not supported" --
   moto/firehose/models.py ``DeliveryStream`` is no CloudFormationModel, so
   moto/cloudformation/parsing.py treats the type as a placeholder. Reproduction::

       {"S": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {
           "DeliveryStreamName": "s", "ExtendedS3DestinationConfiguration": {
               "BucketARN": "arn:aws:s3:::b", "RoleARN": "arn:aws:iam::123456789012:role/r"}}}}

   then ``describe_delivery_stream(DeliveryStreamName="s")``. Expected: the stream.
   Actual: ResourceNotFoundException.

2. "Firehose: S3 delivery ignores custom prefixes, processors, compression and the KMS
   key" -- ``FirehoseBackend.put_s3_records`` always appends ``YYYY/MM/DD/HH/`` to the
   prefix and copies ``!{timestamp:yyyy}`` literally into the key, writes the records
   unprocessed, uncompressed, without extension and unencrypted. Reproduction: a stream
   with ``Prefix: "logs/year=!{timestamp:yyyy}/"``, ``CompressionFormat: GZIP``,
   ``FileExtension: ".log.gz"``, the Decompression and CloudWatchLogProcessing processors,
   subscribed to a log group; ``put_log_events`` one event. Expected: one object
   ``logs/year=2025/<stream>-1-2025-…-<random>.log.gz``, SSE-KMS, holding the gzip of the
   message and a newline. Actual: ``logs/year=!{timestamp:yyyy}/2025/…/<stream>-1-…``
   holding CloudWatch Logs' gzip envelope.

Still not emulated: buffering (every PutRecord/PutRecordBatch, and every batch a log
subscription sends, is delivered at once as one object), other processors (Lambda,
RecordDeAggregation, MetadataExtraction, AppendDelimiterToRecord: refused, not ignored),
format conversion, dynamic partitioning, CustomTimeZone, S3 backup, error output (a
delivery never fails here, so ErrorOutputPrefix is only checked, never written).
"""

import base64
import gzip
import json
import re
from typing import Any

from botocore.session import Session
from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow
from moto.firehose.exceptions import ResourceNotFoundException
from moto.firehose.models import FirehoseBackend, create_s3_destination_config, firehose_backends
from moto.moto_api._internal import mock_random
from moto.s3.models import s3_backends

from ._cfn import Resource, already_exists, model, not_in_place, properties, replace, sync_tags, to_shape

TYPE = "AWS::KinesisFirehose::DeliveryStream"
EXPRESSION = re.compile(r"!\{([a-z]+):([^}]*)\}")
# Java DateTimeFormatter letters the prefixes use -> strftime; any other letter is refused.
DATE_PATTERN = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def _backend(account_id: str, region_name: str) -> FirehoseBackend:
    return firehose_backends[account_id][region_name]


def _input_shape():
    return Session().get_service_model("firehose").operation_model("CreateDeliveryStream").input_shape


def _random_string(length: int = 11) -> str:
    return "".join(mock_random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(length))


def _timestamp(pattern: str, now: Any) -> str:
    out, rest = "", pattern
    while rest:
        token = next((t for t in DATE_PATTERN if rest.startswith(t)), None)
        if token is not None:
            out, rest = out + now.strftime(DATE_PATTERN[token]), rest[len(token) :]
        elif rest[0].isalpha():
            raise ValueError(f"!{{timestamp:{pattern}}}: pattern letter {rest[0]!r} is not emulated")
        else:
            out, rest = out + rest[0], rest[1:]
    return out


def expand_prefix(prefix: str, now: Any, error_output_type: str | None = None) -> str:
    """A prefix as Firehose evaluates it at ``now`` (UTC)."""
    if not EXPRESSION.search(prefix):
        return prefix + now.strftime("%Y/%m/%d/%H/")

    def value(match: re.Match) -> str:
        namespace, argument = match.group(1), match.group(2)
        if namespace == "timestamp":
            return _timestamp(argument, now)
        if namespace == "firehose" and argument == "random-string":
            return _random_string()
        if namespace == "firehose" and argument == "error-output-type" and error_output_type is not None:
            return error_output_type
        raise ValueError(f"prefix expression {match.group(0)} is not valid here")

    return EXPRESSION.sub(value, prefix)


def _processors(destination: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    config = destination.get("ProcessingConfiguration") or {}
    if str(config.get("Enabled", False)).lower() != "true":
        return []
    return [
        (p["Type"], {q["ParameterName"]: str(q["ParameterValue"]) for q in p.get("Parameters") or []})
        for p in config.get("Processors") or []
    ]


def process(destination: dict[str, Any], data: bytes) -> bytes:
    """One record through the destination's processors: what Firehose delivers of it."""
    decompressed = False
    for kind, parameters in _processors(destination):
        if kind == "Decompression":
            if parameters.get("CompressionFormat", "GZIP") != "GZIP":
                raise ValueError(f"Decompression of {parameters['CompressionFormat']} is not supported")
            data, decompressed = gzip.decompress(data), True
        elif kind == "CloudWatchLogProcessing":
            if not decompressed:
                raise ValueError("CloudWatchLogProcessing needs the Decompression processor before it")
            if parameters.get("DataMessageExtraction", "false").lower() == "true":
                envelope = json.loads(data)
                if envelope.get("messageType") == "CONTROL_MESSAGE":
                    data = b""
                else:
                    data = b"".join(e["message"].encode("utf-8") + b"\n" for e in envelope["logEvents"])
        else:
            raise ValueError(f"the {kind} processor is not emulated by the local AWS")
    return data


def _data(record: dict[str, Any]) -> bytes:
    data = record["Data"]
    return base64.b64decode(data) if isinstance(data, str) else data


def put_s3_records(self: FirehoseBackend, delivery_stream_name, version_id, s3_destination, records):
    """Delivers one batch as one object, as the destination says (see the module docstring)."""
    now = utcnow()
    body = b"".join(process(s3_destination, _data(r)) for r in records)
    responses = [{"RecordId": str(mock_random.uuid4())} for _ in records]
    if not body:
        return responses  # control messages only: nothing to deliver
    compression = s3_destination.get("CompressionFormat") or "UNCOMPRESSED"
    if compression == "GZIP":
        body, extension = gzip.compress(body), ".gz"
    elif compression == "UNCOMPRESSED":
        extension = ""
    else:
        raise ValueError(f"CompressionFormat {compression} is not emulated by the local AWS")
    extension = s3_destination.get("FileExtension") or extension
    name = f"{delivery_stream_name}-{version_id}-{now.strftime('%Y-%m-%d-%H-%M-%S')}-{mock_random.uuid4()}"
    key = expand_prefix(s3_destination.get("Prefix") or "", now) + name + extension
    kms = (s3_destination.get("EncryptionConfiguration") or {}).get("KMSEncryptionConfig")
    s3_backends[self.account_id][self.partition].put_object(
        s3_destination["BucketARN"].split(":")[-1],
        key,
        body,
        encryption="aws:kms" if kms else None,
        kms_key_id=kms["AWSKMSKeyARN"] if kms else None,
    )
    return responses


def _check_prefixes(destination: dict[str, Any]) -> None:
    """CreateDeliveryStream's checks of the prefixes (Developer Guide, custom prefixes)."""
    prefix, errors = destination.get("Prefix") or "", destination.get("ErrorOutputPrefix") or ""
    now = utcnow()
    if EXPRESSION.search(prefix):
        if "!{firehose:error-output-type}" in prefix:
            raise ValidationError(message="Prefix may not hold !{firehose:error-output-type}")
        if not errors:
            raise ValidationError(message="ErrorOutputPrefix is required when Prefix holds expressions")
        _expands(prefix, now)
    if errors:
        if "!{firehose:error-output-type}" not in errors and EXPRESSION.search(errors):
            raise ValidationError(message="ErrorOutputPrefix with expressions must hold !{firehose:error-output-type}")
        _expands(errors, now, error_output_type="processing-failed")
    for kind, _ in _processors(destination):
        if kind not in ("Decompression", "CloudWatchLogProcessing"):
            raise ValidationError(message=f"the {kind} processor is not emulated by the local AWS")


def _expands(prefix: str, now: Any, error_output_type: str | None = None) -> None:
    try:
        expand_prefix(prefix, now, error_output_type)
    except ValueError as error:
        raise ValidationError(message=f"{TYPE}: {error}") from error


def _from_template(props: dict[str, Any]) -> dict[str, Any]:
    return to_shape(props, _input_shape())


@model
class DeliveryStream(Resource, CloudFormationModel):
    TYPE = TYPE
    NAME_PROPERTY = "DeliveryStreamName"
    REF = "name"
    ATTRIBUTES = {"Arn": "arn"}

    def __init__(self, account_id: str, region_name: str, stream: Any, props: dict[str, Any]):
        self.account_id, self.region_name, self.props = account_id, region_name, props
        self.name, self.arn = stream.delivery_stream_name, stream.delivery_stream_arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = _from_template(properties(cloudformation_json))
        backend = _backend(account_id, region_name)
        name = props.get("DeliveryStreamName") or resource_name
        if name in backend.delivery_streams:
            raise already_exists(TYPE, name)
        destination = props.get("ExtendedS3DestinationConfiguration")
        if not destination:
            raise ValidationError(message=f"{TYPE} {name}: only ExtendedS3DestinationConfiguration is emulated by the local AWS")
        _check_prefixes(destination)
        backend.create_delivery_stream(
            region_name,
            name,
            props.get("DeliveryStreamType", "DirectPut"),
            None,
            props.get("DeliveryStreamEncryptionConfigurationInput"),
            None,
            destination,
            None,
            None,
            None,
            None,
            None,
            None,
            props.get("Tags") or [],
        )
        return cls(account_id, region_name, backend.delivery_streams[name], props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = _from_template(properties(cloudformation_json))
        old = original_resource.props
        for key in ("DeliveryStreamName", "DeliveryStreamType"):
            if props.get(key) != old.get(key):
                raise not_in_place(TYPE, key)
        backend = _backend(account_id, region_name)
        stream = backend.delivery_streams[original_resource.name]
        destination = props["ExtendedS3DestinationConfiguration"]
        _check_prefixes(destination)
        if destination != old.get("ExtendedS3DestinationConfiguration"):
            # UpdateDestination: same stream, the next version id.
            stream.destinations[0]["ExtendedS3"] = destination
            stream.destinations[0]["S3"] = create_s3_destination_config(destination)
            stream.version_id = str(int(stream.version_id) + 1)
        stream.delivery_stream_encryption_configuration = props.get("DeliveryStreamEncryptionConfigurationInput")
        name = original_resource.name
        sync_tags(
            old.get("Tags"),
            props.get("Tags"),
            lambda keys: backend.untag_delivery_stream(name, keys),
            lambda tags: backend.tag_delivery_stream(name, [{"Key": k, "Value": v} for k, v in tags.items()]),
        )
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        try:
            _backend(account_id, region_name).delete_delivery_stream(resource_name)
        except ResourceNotFoundException:
            pass  # already gone: the delete succeeded


def install() -> None:
    replace(FirehoseBackend, "put_s3_records", put_s3_records)
