"""SSM Parameter Store: ``AWS::SSM::Parameter`` through CloudFormation as AWS documents it.

Upstream issues (as we would file them at getmoto/moto):

1. **SSM Parameter from CloudFormation: Tags as a map answer 500** (gaps row 8). moto
   5.2.5, ``moto/ssm/models.py`` ``Parameter.create_from_cloudformation_json`` passes
   ``Tags`` unchanged to ``SimpleSystemManagerBackend.put_parameter``, which iterates it as a
   list of ``{Key, Value}``. Reproduction (CreateStack)::

       {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {
           "Name": "/app/x", "Type": "String", "Value": "v", "Tags": {"team": "a"}}}}}

   Expected: for this type ``Tags`` is a JSON object of key/value pairs (Template Reference,
   AWS::SSM::Parameter); ListTagsForResource shows them. Actual: ``TypeError: string
   indices must be integers`` → HTTP 500.

2. **SSM Parameter update deletes and recreates the parameter.** moto 5.2.5,
   ``Parameter.update_from_cloudformation_json`` calls ``delete_from_cloudformation_json``
   then ``create_from_cloudformation_json``. Reproduction: update the stack above with
   ``Value: w``. Expected: Value, Description, Type, AllowedPattern, Tier, Policies, DataType
   and Tags update without interruption; the parameter keeps its history (PutParameter with
   Overwrite: Version 2). Actual: Version is 1 again, its history and labels are gone.

3. **SSM Parameter has no ``Fn::GetAtt``.** moto 5.2.5, ``Parameter`` defines no
   ``get_cfn_attribute``. Expected: ``Type`` and ``Value`` (Template Reference, return
   values), and ``Arn`` (read-only property in the registry schema). Actual:
   AttributeError → HTTP 500.

Choices: an update writes a new version only when one of the parameter's own properties
changed (a tags-only change touches the tags); ``Type: SecureString`` is refused, as
CloudFormation does. Not emulated: parameter policies' effects, Intelligent-Tiering.
"""

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.ssm.models import Parameter, ssm_backends
from moto.ssm.utils import parameter_arn

from ._cfn import properties, replace, tags_to_dict

TYPE = "AWS::SSM::Parameter"


def _args(props):
    if props.get("Type") not in ("String", "StringList"):
        raise ValidationError(message=f"{TYPE}: Type must be String or StringList (CloudFormation cannot create SecureString)")
    return {
        "description": props.get("Description"),
        "value": props.get("Value"),
        "parameter_type": props["Type"],
        "allowed_pattern": props.get("AllowedPattern"),
        "keyid": None,
        "data_type": props.get("DataType", "text"),
        "tier": props.get("Tier"),
        "policies": props.get("Policies"),
    }


def _sync_tags(backend, name, tags):
    wanted = tags_to_dict(tags)
    current = backend.list_tags_for_resource("Parameter", name)
    stale = [key for key in current if key not in wanted]
    if stale:
        backend.remove_tags_from_resource("Parameter", name, stale)
    if wanted:
        backend.add_tags_to_resource("Parameter", name, wanted)


def create_parameter(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    backend = ssm_backends[account_id][region_name]
    name = props.get("Name") or resource_name
    param = backend.put_parameter(name=name, overwrite=False, tags=None, **_args(props))
    _sync_tags(backend, name, props.get("Tags"))
    param.region_name = region_name  # for Fn::GetAtt Arn
    return param


def update_parameter(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    name = original_resource.name
    if props.get("Name", name) != name:
        raise ValidationError(message=f"{TYPE} {name}: Name is create-only (replacement)")
    backend = ssm_backends[account_id][region_name]
    args = _args(props)
    latest = backend.get_parameter(name)
    now = {
        "description": latest.description, "value": latest.value, "parameter_type": latest.parameter_type,
        "allowed_pattern": latest.allowed_pattern, "keyid": latest.keyid, "data_type": latest.data_type,
        "tier": latest.tier, "policies": latest.policies,
    }
    if args["tier"] is None:
        args["tier"] = latest.tier
    if args != now:
        latest = backend.put_parameter(name=name, overwrite=True, tags=None, **args)
    _sync_tags(backend, name, props.get("Tags"))
    latest.region_name = region_name
    return latest


def has_cfn_attr(cls, attr):
    return attr in ("Type", "Value", "Arn")


def get_cfn_attribute(self, attribute_name):
    region = getattr(self, "region_name", None)
    latest = ssm_backends[self.account_id][region].get_parameter(self.name) if region else self
    if attribute_name == "Type":
        return latest.parameter_type
    if attribute_name == "Value":
        return latest.value
    if attribute_name == "Arn" and region:
        return parameter_arn(self.account_id, region, self.name)
    raise UnformattedGetAttTemplateException()


def install():
    replace(Parameter, "create_from_cloudformation_json", create_parameter, "classmethod")
    replace(Parameter, "update_from_cloudformation_json", update_parameter, "classmethod")
    replace(Parameter, "has_cfn_attr", has_cfn_attr, "classmethod")
    replace(Parameter, "get_cfn_attribute", get_cfn_attribute)
