"""CloudWatch Logs: ``AWS::Logs::LogGroup`` and ``AWS::Logs::SubscriptionFilter`` through
CloudFormation as AWS documents them.

What AWS documents for SubscriptionFilter (Template Reference; Logs API
PutSubscriptionFilter): Ref = the filter name; FilterName and LogGroupName are createOnly,
FilterPattern, DestinationArn and RoleArn update in place (PutSubscriptionFilter on the
same name); a log group takes at most two filters ("LimitExceededException").

Upstream issues (as we would file them at getmoto/moto):

1. **LogGroup from CloudFormation drops KmsKeyId and LogGroupClass.** moto 5.2.5,
   ``moto/logs/models.py`` ``LogGroup.create_from_cloudformation_json`` forwards the
   template properties as keyword arguments, but ``LogGroup.__init__`` reads ``kmsKeyId``
   (the API's spelling), not ``KmsKeyId``; ``LogGroupClass`` is read nowhere and
   DescribeLogGroups never reports ``logGroupClass``. Reproduction (CreateStack)::

       {"Resources": {"G": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/g",
           "KmsKeyId": "arn:aws:kms:eu-central-1:123456789012:key/k", "LogGroupClass": "INFREQUENT_ACCESS"}}}}

   Expected: DescribeLogGroups shows ``kmsKeyId`` and ``logGroupClass`` (Template Reference,
   AWS::Logs::LogGroup; Logs API DescribeLogGroups). Actual: neither. (``RetentionInDays``
   given through a parameter stays a string, which SDKs reject as a number.)

2. **LogGroup has no CloudFormation update handler: an update drops it.** moto 5.2.5,
   ``LogGroup`` lacks ``update_from_cloudformation_json`` (``parse_and_update_resource``
   returns None). Reproduction: update the stack above with ``RetentionInDays: 30``.
   Expected: RetentionInDays, KmsKeyId and Tags update without interruption. Actual: the
   log group vanishes from the stack, unchanged in Logs.

3. **LogGroup ``Fn::GetAtt Arn`` lacks the ``:*`` suffix.** moto 5.2.5,
   ``LogGroup.get_cfn_attribute`` returns ``arn:aws:logs:REGION:ACCOUNT:log-group:NAME``.
   Expected (Template Reference, return values): ``arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*``.

4. **SubscriptionFilter is not supported by CloudFormation.** moto 5.2.5 has a
   ``SubscriptionFilter`` model (``moto/logs/models.py``) but it is no CloudFormationModel,
   so the type is a placeholder. Reproduction::

       {"Resources": {"F": {"Type": "AWS::Logs::SubscriptionFilter", "Properties": {
           "LogGroupName": "/g", "FilterName": "f", "FilterPattern": "",
           "DestinationArn": "arn:aws:firehose:eu-central-1:123456789012:deliverystream/s",
           "RoleArn": "arn:aws:iam::123456789012:role/r"}}}}

   Expected: DescribeSubscriptionFilters(logGroupName="/g") lists ``f``. Actual: [].

Choices: a changed LogGroupClass fails the update (Logs has no API to change a log group's
class). Not emulated: DataProtectionPolicy, ResourcePolicyDocument, FieldIndexPolicies,
DeletionProtectionEnabled, BearerTokenAuthenticationEnabled (accepted, ignored).
"""

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.common_models import CloudFormationModel
from moto.logs.exceptions import ResourceNotFoundException
from moto.logs.models import LogGroup, logs_backends
from moto.logs.responses import LogsResponse

from ._cfn import Resource, as_int, model, not_in_place, original, properties, replace, tags_to_dict

TYPE = "AWS::Logs::LogGroup"
RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
CLASSES = {"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}


def _retention(props):
    days = as_int(props.get("RetentionInDays"))
    if days is not None and days not in RETENTION_DAYS:
        raise ValidationError(message=f"{TYPE}: RetentionInDays {days} is not one of {sorted(RETENTION_DAYS)}")
    return days


def _log_group_class(props):
    value = props.get("LogGroupClass", "STANDARD")
    if value not in CLASSES:
        raise ValidationError(message=f"{TYPE}: LogGroupClass {value} is not one of {sorted(CLASSES)}")
    return value


def _sync_tags(backend, group, tags):
    wanted = tags_to_dict(tags)
    stale = [key for key in backend.list_tags_for_resource(group.arn) if key not in wanted]
    if stale:
        backend.untag_resource(group.arn, stale)
    if wanted:
        backend.tag_resource(group.arn, wanted)


def create_log_group(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    backend = logs_backends[account_id][region_name]
    retention, group_class = _retention(props), _log_group_class(props)
    group = backend.create_log_group(
        props.get("LogGroupName") or resource_name, tags_to_dict(props.get("Tags")), kmsKeyId=props.get("KmsKeyId")
    )
    group.retention_in_days = retention
    group.log_group_class = group_class
    return group


def update_log_group(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    group = original_resource
    if props.get("LogGroupName", group.name) != group.name:
        raise ValidationError(message=f"{TYPE} {group.name}: LogGroupName is create-only (replacement)")
    group_class = _log_group_class(props)
    if group_class != getattr(group, "log_group_class", "STANDARD"):
        raise ValidationError(message=f"{TYPE} {group.name}: LogGroupClass cannot be changed on an existing log group")
    group.retention_in_days = _retention(props)  # None: never expire (DeleteRetentionPolicy)
    group.kms_key_id = props.get("KmsKeyId")  # None: DisassociateKmsKey
    _sync_tags(logs_backends[account_id][region_name], group, props.get("Tags"))
    return group


def delete_log_group(cls, resource_name, cloudformation_json, account_id, region_name):
    try:
        logs_backends[account_id][region_name].delete_log_group(resource_name)
    except ResourceNotFoundException:
        pass  # already gone: the delete succeeded


def has_cfn_attr(cls, attr):
    return attr == "Arn"


def get_cfn_attribute(self, attribute_name):
    if attribute_name == "Arn":
        return f"{self.arn}:*"
    raise UnformattedGetAttTemplateException()


def to_describe_dict(self):
    described = original(LogGroup, "to_describe_dict")(self)
    described["logGroupClass"] = getattr(self, "log_group_class", "STANDARD")
    return described


def create_log_group_api(self):
    """CreateLogGroup keeps ``logGroupClass`` (moto drops the parameter)."""
    result = original(LogsResponse, "create_log_group")(self)
    group = self.logs_backend.groups[self._get_param("logGroupName")]
    group.log_group_class = self._get_param("logGroupClass") or "STANDARD"
    return result


@model
class SubscriptionFilter(Resource, CloudFormationModel):
    TYPE = "AWS::Logs::SubscriptionFilter"
    NAME_PROPERTY = "FilterName"
    REF = "name"

    def __init__(self, log_group_name: str, name: str):
        self.log_group_name, self.name = log_group_name, name

    @staticmethod
    def _put(props, name, account_id, region_name):
        logs_backends[account_id][region_name].put_subscription_filter(
            props["LogGroupName"], name, props.get("FilterPattern", ""), props["DestinationArn"], props.get("RoleArn")
        )

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        name = props.get("FilterName") or resource_name
        group = logs_backends[account_id][region_name].groups.get(props["LogGroupName"])
        if group is not None and name in group.subscription_filters:
            raise ValidationError(message=f"{cls.TYPE}: log group {group.name} already has a filter named {name}")
        cls._put(props, name, account_id, region_name)
        return cls(props["LogGroupName"], name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if props["LogGroupName"] != original_resource.log_group_name:
            raise not_in_place(cls.TYPE, "LogGroupName")
        if props.get("FilterName", original_resource.name) != original_resource.name:
            raise not_in_place(cls.TYPE, "FilterName")
        cls._put(props, original_resource.name, account_id, region_name)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        try:
            logs_backends[account_id][region_name].delete_subscription_filter(self.log_group_name, self.name)
        except ResourceNotFoundException:
            pass  # the filter or its log group is gone: the delete succeeded

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        cls(properties(cloudformation_json)["LogGroupName"], resource_name).delete(account_id, region_name)


def install():
    replace(LogGroup, "create_from_cloudformation_json", create_log_group, "classmethod")
    replace(LogGroup, "update_from_cloudformation_json", update_log_group, "classmethod")
    replace(LogGroup, "delete_from_cloudformation_json", delete_log_group, "classmethod")
    replace(LogGroup, "has_cfn_attr", has_cfn_attr, "classmethod")
    replace(LogGroup, "get_cfn_attribute", get_cfn_attribute)
    replace(LogGroup, "to_describe_dict", to_describe_dict)
    replace(LogsResponse, "create_log_group", create_log_group_api)
