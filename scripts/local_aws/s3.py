"""S3 through CloudFormation: AWS::S3::Bucket (moto's model, handlers replaced) and
AWS::S3::BucketPolicy (ours). The bucket's configuration is put into moto's S3 backend,
so GetBucketVersioning, GetPublicAccessBlock, GetBucketLifecycleConfiguration,
GetBucketEncryption, GetBucketOwnershipControls, GetBucketCors,
GetBucketNotificationConfiguration, GetBucketTagging and GetBucketPolicy answer what the
template says.

Upstream issues, as we would file them at getmoto/moto (all: moto 5.2.5)
------------------------------------------------------------------------

1. "CloudFormation: AWS::S3::Bucket ignores VersioningConfiguration,
   PublicAccessBlockConfiguration, LifecycleConfiguration, OwnershipControls,
   CorsConfiguration, NotificationConfiguration (and BucketKeyEnabled)"
   At fault: moto/s3/models.py ``FakeBucket.create_from_cloudformation_json`` and
   ``update_from_cloudformation_json`` apply BucketEncryption (via
   moto/s3/cloud_formation.py ``cfn_to_api_encryption``, which drops BucketKeyEnabled) and
   Tags only. Reproduction::

       {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
           "VersioningConfiguration": {"Status": "Enabled"},
           "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true,
                                              "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
           "LifecycleConfiguration": {"Rules": [{"Id": "r", "Status": "Enabled",
                                                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]}}}}

   then get_bucket_versioning / get_public_access_block / get_bucket_lifecycle_configuration.
   Expected (Template Reference, AWS::S3::Bucket; all these properties "Update requires: No
   interruption"): Status Enabled, the four flags, the rule. Actual: no Status,
   NoSuchPublicAccessBlockConfiguration, NoSuchLifecycleConfiguration.

2. "CloudFormation: updating an AWS::S3::Bucket without BucketName in the properties
   fails; removed configuration is never removed"
   At fault: ``FakeBucket.update_from_cloudformation_json`` tags ``properties["BucketName"]``
   (KeyError for a generated name) and never deletes encryption/tags the new template
   no longer has.

3. "CloudFormation: deleting a non-empty AWS::S3::Bucket succeeds silently"
   At fault: ``FakeBucket.delete_from_cloudformation_json`` ignores the None
   ``S3Backend.delete_bucket`` returns for a bucket with objects: the stack is deleted,
   the bucket stays. Expected: DeleteStack fails on that resource, "The bucket you
   tried to delete is not empty" (BucketNotEmpty), as AWS does.

4. "CloudFormation: AWS::S3::BucketPolicy is not supported"
   At fault: no model (moto/cloudformation/parsing.py treats it as a placeholder): the
   policy is never put, Ref yields nothing. Expected: PutBucketPolicy with the
   PolicyDocument (object or string), Ref = the bucket name (the type's primary
   identifier, /properties/Bucket), DeleteBucketPolicy on delete.

Known elsewhere: moto's bucket policy evaluation treats unknown condition operators such
as ``Bool`` as matching (moto/iam/policy_conditions.py), so a TLS-only Deny denies every
request (notes row 13; fixed in local_aws/iam.py, which tests/test_s3.py relies on when
the owner writes to the bootstrap bucket).

Still not emulated: S3's own defaults for new buckets (SSE-S3 encryption, Block Public
Access and BucketOwnerEnforced since 2023: moto's CreateBucket answers "not found" for
them, and so does a bucket whose template drops such a property), WebsiteConfiguration,
ReplicationConfiguration, IntelligentTiering/Inventory/Analytics/Metrics
configurations, ObjectSizeGreaterThan/LessThan lifecycle filters, the
aws:cloudformation:* bucket tags.
"""

import json
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.common_models import CloudFormationModel
from moto.s3.exceptions import BucketNotEmpty, MissingBucket
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

from ._cfn import as_bool, model, properties, replace, tags_to_dict


def _s3(account_id: str, region_name: str) -> Any:
    return s3_backends[account_id][get_partition(region_name)]


def _encryption(config: dict[str, Any]) -> dict[str, Any]:
    """BucketEncryption -> the rule moto's PutBucketEncryption stores (S3 applies one)."""
    rule = config["ServerSideEncryptionConfiguration"][0]
    default = rule.get("ServerSideEncryptionByDefault") or {"SSEAlgorithm": "AES256"}
    by_default = {"SSEAlgorithm": default["SSEAlgorithm"]}
    if default.get("KMSMasterKeyID"):
        by_default["KMSMasterKeyID"] = default["KMSMasterKeyID"]
    return {
        "Rule": {
            "ApplyServerSideEncryptionByDefault": by_default,
            "BucketKeyEnabled": as_bool(rule.get("BucketKeyEnabled")),
        }
    }


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """One LifecycleConfiguration rule in the PutBucketLifecycleConfiguration shape."""
    api: dict[str, Any] = {"ID": rule.get("Id"), "Status": rule["Status"]}
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters") or []]
    prefix = rule.get("Prefix")
    if tags and (prefix is not None or len(tags) > 1):
        api["Filter"] = {"And": {"Prefix": prefix, "Tag": tags} if prefix is not None else {"Tag": tags}}
    elif tags:
        api["Filter"] = {"Tag": tags[0]}
    else:
        api["Filter"] = {"Prefix": prefix or ""}
    expiration: dict[str, Any] = {}
    if rule.get("ExpirationInDays") is not None:
        expiration["Days"] = int(rule["ExpirationInDays"])
    if rule.get("ExpirationDate"):
        expiration["Date"] = rule["ExpirationDate"]
    if rule.get("ExpiredObjectDeleteMarker") is not None:
        expiration["ExpiredObjectDeleteMarker"] = as_bool(rule["ExpiredObjectDeleteMarker"])
    if expiration:
        api["Expiration"] = expiration
    transitions = list(rule.get("Transitions") or []) + ([rule["Transition"]] if rule.get("Transition") else [])
    if transitions:
        api["Transition"] = [
            {
                key: value
                for key, value in (
                    ("Days", t.get("TransitionInDays")),
                    ("Date", t.get("TransitionDate")),
                    ("StorageClass", t["StorageClass"]),
                )
                if value is not None
            }
            for t in transitions
        ]
    noncurrent = rule.get("NoncurrentVersionExpiration")
    if noncurrent is None and rule.get("NoncurrentVersionExpirationInDays") is not None:
        noncurrent = {"NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]}
    if noncurrent is not None:
        api["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(noncurrent["NoncurrentDays"])}
    nv_transitions = list(rule.get("NoncurrentVersionTransitions") or [])
    if rule.get("NoncurrentVersionTransition"):
        nv_transitions.append(rule["NoncurrentVersionTransition"])
    if nv_transitions:
        api["NoncurrentVersionTransition"] = [
            {
                "NoncurrentDays": int(t["TransitionInDays"]),
                "StorageClass": t["StorageClass"],
                **({"NewerNoncurrentVersions": t["NewerNoncurrentVersions"]} if "NewerNoncurrentVersions" in t else {}),
            }
            for t in nv_transitions
        ]
    if rule.get("AbortIncompleteMultipartUpload"):
        days = rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": int(days)}
    return api


def _notifications(config: dict[str, Any]) -> dict[str, Any]:
    """NotificationConfiguration -> the shape moto's PutBucketNotificationConfiguration stores."""

    def entries(items: list[dict[str, Any]], cfn_arn: str, api_arn: str) -> list[dict[str, Any]]:
        out = []
        for item in items:
            entry: dict[str, Any] = {api_arn: item[cfn_arn], "Event": [item["Event"]]}
            rules = ((item.get("Filter") or {}).get("S3Key") or {}).get("Rules")
            if rules:
                entry["Filter"] = {"S3Key": {"FilterRule": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}
            out.append(entry)
        return out

    api: dict[str, Any] = {
        "TopicConfiguration": entries(config.get("TopicConfigurations") or [], "Topic", "Topic"),
        "QueueConfiguration": entries(config.get("QueueConfigurations") or [], "Queue", "Queue"),
        "CloudFunctionConfiguration": entries(config.get("LambdaConfigurations") or [], "Function", "CloudFunction"),
    }
    if as_bool((config.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled")):
        api["EventBridgeConfiguration"] = {}
    return api


def _cors(config: dict[str, Any]) -> list[dict[str, Any]]:
    rules = []
    for rule in config.get("CorsRules") or []:
        api = {"AllowedMethod": rule["AllowedMethods"], "AllowedOrigin": rule["AllowedOrigins"]}
        for cfn_name, api_name in (("AllowedHeaders", "AllowedHeader"), ("ExposedHeaders", "ExposeHeader"), ("Id", "ID")):
            if rule.get(cfn_name) is not None:
                api[api_name] = rule[cfn_name]
        if rule.get("MaxAge") is not None:
            api["MaxAgeSeconds"] = str(rule["MaxAge"])
        rules.append(api)
    return rules


def _apply(bucket: FakeBucket, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Puts the template's configuration into the backend; what the old template had and
    the new one lacks is deleted (as CloudFormation does), except versioning, which a
    bucket can only suspend."""
    backend = _s3(bucket.account_id, bucket.region_name)
    name = bucket.name

    def configure(prop: str, put, delete) -> None:
        if new.get(prop) is not None:
            put(new[prop])
        elif old.get(prop) is not None:
            delete()

    if as_bool(new.get("ObjectLockEnabled")) and not bucket.object_lock_enabled:
        # Object Lock is enabled at creation and turns versioning on.
        bucket.object_lock_enabled = True
        bucket.versioning_status = "Enabled"
    configure(
        "VersioningConfiguration",
        lambda v: backend.put_bucket_versioning(name, v["Status"]),
        lambda: backend.put_bucket_versioning(name, "Suspended"),
    )
    configure(
        "BucketEncryption",
        lambda v: backend.put_bucket_encryption(name, _encryption(v)),
        lambda: backend.delete_bucket_encryption(name),
    )
    configure(
        "PublicAccessBlockConfiguration",
        lambda v: backend.put_public_access_block(name, {key: as_bool(v.get(key)) for key in (
            "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")}),  # fmt: skip
        lambda: backend.delete_public_access_block(name),
    )
    configure(
        "OwnershipControls",
        lambda v: backend.put_bucket_ownership_controls(name, v["Rules"][0]["ObjectOwnership"]),
        lambda: backend.delete_bucket_ownership_controls(name),
    )
    configure(
        "LifecycleConfiguration",
        lambda v: backend.put_bucket_lifecycle_configuration(name, [_lifecycle_rule(r) for r in v["Rules"]]),
        lambda: backend.delete_bucket_lifecycle(name),
    )
    configure(
        "CorsConfiguration",
        lambda v: backend.put_bucket_cors(name, _cors(v)),
        lambda: backend.delete_bucket_cors(name),
    )
    configure(
        "NotificationConfiguration",
        lambda v: backend.put_bucket_notification_configuration(name, _notifications(v)),
        lambda: backend.put_bucket_notification_configuration(name, {}),
    )
    configure(
        "LoggingConfiguration",
        lambda v: backend.put_bucket_logging(
            name, {"TargetBucket": v.get("DestinationBucketName", name), "TargetPrefix": v.get("LogFilePrefix", "")}
        ),
        lambda: backend.put_bucket_logging(name, {}),
    )
    configure(
        "AccelerateConfiguration",
        lambda v: backend.put_bucket_accelerate_configuration(name, v["AccelerationStatus"]),
        lambda: backend.put_bucket_accelerate_configuration(name, "Suspended"),
    )
    lock = new.get("ObjectLockConfiguration")
    if lock and lock.get("Rule"):
        retention = lock["Rule"].get("DefaultRetention") or {}
        backend.put_object_lock_configuration(
            name, True, retention.get("Mode"), retention.get("Days"), retention.get("Years")
        )
    if new.get("Tags") is not None:
        backend.put_bucket_tagging(name, tags_to_dict(new["Tags"]))
    elif old.get("Tags") is not None:
        backend.delete_bucket_tagging(name)
    bucket._cfn_properties = new


def _bucket_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    bucket = _s3(account_id, region_name).create_bucket(resource_name, region_name)
    _apply(bucket, {}, props)
    return bucket


def _bucket_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    if props.get("BucketName", original_resource.name) != original_resource.name:
        raise ValidationError(
            message="AWS::S3::Bucket: BucketName cannot be updated in place (createOnly); the bucket must be replaced"
        )
    _apply(original_resource, getattr(original_resource, "_cfn_properties", {}), props)
    return original_resource


def _bucket_delete_by_name(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = _s3(account_id, region_name)
    if resource_name not in backend.buckets:
        return  # already gone counts as deleted
    if backend.delete_bucket(resource_name) is None:
        raise BucketNotEmpty(resource_name)


def _bucket_delete(self, account_id, region_name):
    _bucket_delete_by_name(FakeBucket, self.name, {}, self.account_id, self.region_name)


@model
class BucketPolicy(CloudFormationModel):
    """Ref = the bucket name (the type's primary identifier)."""

    def __init__(self, account_id: str, region_name: str, bucket: str, document: Any):
        self.account_id, self.region_name, self.bucket, self.document = account_id, region_name, bucket, document

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    @property
    def physical_resource_id(self) -> str:
        return self.bucket

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        raise UnformattedGetAttTemplateException()

    def _put(self) -> None:
        document = self.document if isinstance(self.document, str) else json.dumps(self.document)
        _s3(self.account_id, self.region_name).put_bucket_policy(self.bucket, document.encode())

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        policy = cls(account_id, region_name, props["Bucket"], props["PolicyDocument"])
        policy._put()
        return policy

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if props["Bucket"] != original_resource.bucket:
            raise ValidationError(
                message="AWS::S3::BucketPolicy: Bucket cannot be updated in place (createOnly); the policy must be replaced"
            )
        original_resource.document = props["PolicyDocument"]
        original_resource._put()
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        try:
            _s3(account_id, region_name).delete_bucket_policy(resource_name)
        except MissingBucket:
            pass  # the bucket went first: its policy with it

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.bucket, {}, self.account_id, self.region_name)


def install() -> None:
    replace(FakeBucket, "create_from_cloudformation_json", _bucket_create, kind="classmethod")
    replace(FakeBucket, "update_from_cloudformation_json", _bucket_update, kind="classmethod")
    replace(FakeBucket, "delete_from_cloudformation_json", _bucket_delete_by_name, kind="classmethod")
    replace(FakeBucket, "delete", _bucket_delete)
