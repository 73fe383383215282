"""Lambda: Function, LayerVersion, Version, Alias and Permission through CloudFormation,
as the CloudFormation Template Reference and the Lambda API Reference describe them.

Functions live in moto's Lambda backend (``moto.awslambda.utils.get_backend``), so
GetFunction / GetFunctionConfiguration / ListVersionsByFunction / GetAlias / GetPolicy /
GetLayerVersion see what a template declared.

Upstream issues (as we would file them at getmoto/moto)
=======================================================

L1. CloudFormation drops most AWS::Lambda::Function properties (notes row 14)
    moto 5.2.5, ``moto/awslambda/models.py`` ``LambdaFunction.create_from_cloudformation_json``
    (and ``update_from_cloudformation_json``).
    Reproduction::

        Fn: {Type: AWS::Lambda::Function, Properties: {FunctionName: f, Runtime: nodejs22.x,
             Handler: index.handler, Role: !GetAtt Role.Arn, Code: {S3Bucket: b, S3Key: f.zip},
             Architectures: [arm64], TracingConfig: {Mode: Active}, Layers: [!Ref Layer],
             KmsKeyArn: arn:aws:kms:eu-central-1:123456789012:key/k, EphemeralStorage: {Size: 1024},
             Tags: [{Key: a, Value: b}]}}
        boto3.client("lambda").get_function(FunctionName="f")

    Expected (AWS::Lambda::Function reference; GetFunction API): the configuration shows
    Architectures [arm64], TracingConfig Active, the layer, KMSKeyArn, EphemeralStorage 1024,
    Tags {a: b}; DeadLetterConfig, FileSystemConfigs, LoggingConfig, SnapStart, ImageConfig,
    PackageType are Function properties as well.
    Actual: only Description, MemorySize, Timeout, VpcConfig, Environment,
    ReservedConcurrentExecutions (+ Code, Handler, Role, Runtime) are forwarded: x86_64,
    PassThrough, no layers, no key, 512 MB, no tags. The update handler calls
    ``update_configuration`` (which ignores the same properties, see L3) and always
    ``update_function_code``; a property removed from the template is never reset.

L2. Environment variable values keep their JSON type (notes row 15)
    moto 5.2.5, same function. Reproduction: ``Environment: {Variables: {PORT: 5432}}`` (or a value
    resolved from another model's numeric attribute), then GetFunctionConfiguration.
    Expected: ``Environment.Variables`` is a map of strings (API reference, EnvironmentResponse);
    CloudFormation passes "5432". Actual: the JSON number 5432 is returned; strictly typed SDKs
    (the Rust SDK) cannot parse the answer.

L3. UpdateFunctionConfiguration ignores several parameters; GetFunctionConfiguration has no LoggingConfig
    moto 5.2.5, ``moto/awslambda/models.py`` ``LambdaFunction.update_configuration`` / ``get_configuration``.
    Reproduction: ``update_function_configuration(FunctionName="f", TracingConfig={"Mode": "Active"},
    KMSKeyArn=..., EphemeralStorage={"Size": 2048}, LoggingConfig={"LogFormat": "JSON"})``,
    then ``get_function_configuration``.
    Expected (UpdateFunctionConfiguration API): all four are applied and returned; the
    configuration always carries LoggingConfig (default ``{LogFormat: Text, LogGroup:
    /aws/lambda/NAME}``). Actual: unchanged, and no LoggingConfig / DeadLetterConfig /
    FileSystemConfigs are ever returned.

L4. AWS::Lambda::LayerVersion ignores LayerName and has no physical id (notes row 6)
    moto 5.2.5, ``moto/awslambda/models.py`` ``LayerVersion.create_from_cloudformation_json``.
    Reproduction: ``Layer: {Type: AWS::Lambda::LayerVersion, Properties: {LayerName: mylayer,
    Content: {S3Bucket: b, S3Key: l.zip}, CompatibleArchitectures: [arm64]}}`` with an output
    ``!Ref Layer``.
    Expected (AWS::Lambda::LayerVersion reference): Ref returns the LayerVersionArn
    ``arn:aws:lambda:REGION:ACCOUNT:layer:mylayer:1``; GetAtt LayerVersionArn; the layer is
    named mylayer; CompatibleArchitectures kept; deleting the resource calls DeleteLayerVersion.
    Actual: the layer is named after the generated resource name (``stack-Layer-XXXX``),
    CompatibleArchitectures dropped, Ref yields ``<moto.awslambda.models.LayerVersion object ...>``,
    no update or delete handler.

L5. AWS::Lambda::Version has no physical id, no attributes, no delete (notes row 6)
    moto 5.2.5, ``moto/awslambda/models.py`` ``LambdaVersion``.
    Reproduction: ``Ver: {Type: AWS::Lambda::Version, Properties: {FunctionName: !Ref Fn}}``
    with outputs ``!Ref Ver`` and ``!GetAtt Ver.Version``.
    Expected (AWS::Lambda::Version reference): Ref returns the version ARN
    ``...:function:f:1``; GetAtt Version = "1", FunctionArn = the version ARN; Description and
    CodeSha256 honoured (PublishVersion refuses a CodeSha256 that differs from $LATEST); a
    new Version resource on an unchanged function fails ("A version for this Lambda function
    exists ( 1 ). Modify the function to create a new version."); delete removes the version. Actual: Ref yields the logical id, GetAtt fails, Description
    and CodeSha256 ignored, no delete handler.

L6. No AWS::Lambda::Alias model (notes row 6)
    moto 5.2.5, ``moto/awslambda/models.py`` has ``LambdaAlias`` (API only). Reproduction:
    ``Live: {Type: AWS::Lambda::Alias, Properties: {Name: live, FunctionName: !Ref Fn,
    FunctionVersion: !GetAtt Ver.Version}}`` with an output ``!Ref Live``.
    Expected (AWS::Lambda::Alias reference): Ref = alias ARN, GetAtt AliasArn; GetAlias shows
    it; an update moves FunctionVersion in place. Actual: the type is a placeholder, Ref is
    empty, GetAlias answers ResourceNotFound.

L7. AWS::Lambda::Permission: no physical id, alias qualifier lost, no delete (notes row 6)
    moto 5.2.5, ``moto/awslambda/models.py`` ``Permission.create_from_cloudformation_json``.
    Reproduction: ``Perm: {Type: AWS::Lambda::Permission, Properties: {FunctionName: !Ref Live,
    Action: lambda:InvokeFunction, Principal: cognito-idp.amazonaws.com, SourceArn: ...}}``
    (FunctionName = alias ARN ``...:function:f:live``), then ``get_policy(FunctionName="f",
    Qualifier="live")``.
    Expected (AWS::Lambda::Permission reference, AddPermission API): Ref / GetAtt Id = the
    statement id; the statement's Resource is the alias ARN and it is in the alias's policy
    only; delete calls RemovePermission. Actual: Ref yields a Python object; the raw template
    properties (FunctionName, Action, ...) are dumped into the statement with a random Sid;
    Resource is the version ARN ``...:f:1``; the statement lands in the policy shared by
    $LATEST and every version (see L9); no delete handler.

L8. PublishVersion reuses version numbers after a version was deleted
    moto 5.2.5, ``moto/awslambda/models.py`` ``LambdaStorage.publish_version`` numbers ``len(versions) + 1``.
    Reproduction: publish_version twice (1, 2), ``delete_function(FunctionName="f",
    Qualifier="1")``, change the code, publish_version -> "2" again (now two versions "2").
    Expected (Lambda versioning docs): version numbers are never reused. Hits every second
    code deploy of a template that replaces its AWS::Lambda::Version.

L9. Published versions share the resource policy of $LATEST; qualifiers ignored by RemovePermission
    moto 5.2.5, ``moto/awslambda/models.py`` ``LambdaStorage.publish_version`` shallow-copies the function (``copy.copy``), so
    ``policy`` is one object; ``LambdaBackend.add_permission`` with an alias qualifier uses the
    policy of the version the alias points to; ``LambdaResponse.remove_permission`` drops the
    Qualifier query parameter.
    Reproduction: publish_version, ``add_permission(FunctionName="f", Qualifier="1",
    StatementId="s", ...)``, then ``get_policy(FunctionName="f")``.
    Expected (AddPermission / GetPolicy API): the unqualified policy does not contain "s";
    each version and alias has its own policy. Actual: it does.

L10. Invoke needs Docker
    moto 5.2.5, ``moto/awslambda/models.py`` ``LambdaFunction._invoke_lambda`` runs every
    function in a Docker container (images ``ghcr.io/shogo82148/lambda-nodejs`` etc.).
    Reproduction: on a machine without a Docker daemon (our CI), create a ``nodejs22.x``
    function whose ``index.js`` is ``exports.handler = async (e) => ({ok: e.x})``, then
    ``invoke(FunctionName="f", Payload=b'{"x": 1}')``.
    Expected (Invoke API reference; Lambda Developer Guide "Building Lambda functions with
    Node.js"): Payload ``{"ok":1}``, StatusCode 200, no FunctionError.
    Actual: StatusCode 200, FunctionError "Handled", Payload ``error running docker: Error while
    fetching server API version: ...``; nothing reaches the function's log group except that
    message. Not an upstream bug as such (Docker is moto's design), but the gap it leaves:
    ``_lambda_runtime.py`` runs ``nodejs*`` zip functions in a ``node`` subprocess instead,
    with Lambda's code layout, layers, environment, context, timeout, logs and Invoke
    answers (its docstring lists what is and is not emulated). Other runtimes and container
    images keep moto's Docker path.

L11. Invoke ignores the Qualifier query parameter
    moto 5.2.5, ``moto/awslambda/responses.py`` ``LambdaResponse.invoke`` reads
    ``self._get_param("qualifier")``, but the SDKs send ``?Qualifier=`` (Invoke API
    reference, URI request parameters) and the query string is case-sensitive.
    Reproduction: publish version 1, update the code, then ``invoke(FunctionName="f",
    Qualifier="1")``. Expected: version 1's code runs (ExecutedVersion "1"). Actual: $LATEST
    runs; only the ``f:1`` FunctionName form selects the version.

Not emulated
============
- ProvisionedConcurrencyConfig (Version, Alias): stored on the resource only; moto has no
  Get/PutProvisionedConcurrencyConfig API.
- RuntimeManagementConfig, RecursiveLoop, FunctionScalingConfig, CodeSigningConfig checks,
  SnapStart optimisation; VpcConfig.VpcId stays moto's fake ``vpc-123abc``.
- Layers of other accounts (e.g. AWS-published extensions) fail: moto only knows its own layers.
- Lambda refuses to delete a version an alias points to (ResourceConflictException): not checked.
- ReservedConcurrentExecutions 0 is reported as absent (moto treats 0 as unset).
- FunctionUrlAuthType is not turned into a policy condition.
- Invoke: see ``_lambda_runtime.py`` (only ``nodejs*`` zip functions run without Docker).
"""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import zipfile
from typing import Any
from urllib.parse import unquote

import botocore.session
from moto.awslambda import responses as lambda_responses
from moto.awslambda.exceptions import (
    FunctionAlreadyExists,
    GenericResourcNotFound,
    InvalidParameterValueException,
    UnknownAliasException,
    UnknownFunctionException,
    UnknownLayerException,
    UnknownPolicyException,
)
from moto.awslambda.models import ImageConfig, LambdaAlias, LambdaBackend, LambdaFunction, LambdaStorage
from moto.awslambda.policy import Policy
from moto.awslambda.utils import get_backend, make_function_arn, make_function_ver_arn
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal import mock_random

from . import _lambda_runtime
from ._cfn import Resource, as_int, model, original, properties, replace, stack_tags, tags_to_dict, to_shape

_LAMBDA = botocore.session.get_session().get_service_model("lambda")

# "name", "name:qualifier", "ACCOUNT:function:name[:qualifier]" or the full ARN.
_FUNCTION_REF = re.compile(
    r"^(?:arn:[^:]+:lambda:[^:]+:\d{12}:function:|\d{12}:function:)?([A-Za-z0-9_-]+)(?::(\$LATEST|[A-Za-z0-9_-]+))?$"
)


def split_function_name(name_or_arn: str) -> tuple[str, str | None]:
    """(function name, qualifier or None) of any FunctionName form Lambda accepts."""
    match = _FUNCTION_REF.match(name_or_arn)
    if not match:
        raise InvalidParameterValueException(f"Invalid FunctionName: {name_or_arn}")
    return match.group(1), match.group(2)


# --------------------------------------------------------------------------- Function

# Function properties whose CloudFormation name is the API name (CreateFunction /
# UpdateFunctionConfiguration), and what a property removed from the template resets to.
_CONFIG_DEFAULTS: dict[str, Any] = {
    "Description": "",
    "Handler": None,
    "Role": None,
    "Runtime": None,
    "MemorySize": 128,
    "Timeout": 3,
    "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []},
    "Environment": {"Variables": {}},
    "Layers": [],
    "TracingConfig": {"Mode": "PassThrough"},
    "KMSKeyArn": None,
    "EphemeralStorage": {"Size": 512},
    "DeadLetterConfig": None,
    "FileSystemConfigs": [],
    "LoggingConfig": None,
    "SnapStart": None,
    "ImageConfig": {},
}
# Configuration moto's LambdaFunction does not know; kept as attributes, returned by
# get_configuration.
_EXTRA_CONFIG = {
    "DeadLetterConfig": "dead_letter_config",
    "FileSystemConfigs": "file_system_configs",
    "LoggingConfig": "logging_config",
    "SnapStart": "snap_start",
}


def _zip_inline_code(code: str, runtime: str | None) -> bytes:
    """``Code.ZipFile``: CloudFormation writes the source to a file named ``index`` (with the
    runtime's extension) and zips it."""
    name = "index.js" if (runtime or "").startswith("nodejs") else "index.py"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, code)
    return buffer.getvalue()


def _function_spec(name: str, props: dict[str, Any]) -> dict[str, Any]:
    """The template's properties as a CreateFunction request."""
    spec: dict[str, Any] = {"FunctionName": name}
    for key in _CONFIG_DEFAULTS:
        cfn_key = "KmsKeyArn" if key == "KMSKeyArn" else key
        if props.get(cfn_key) is not None:
            spec[key] = copy.deepcopy(props[cfn_key])
    for key in ("PackageType", "Architectures", "CodeSigningConfigArn"):
        if props.get(key) is not None:
            spec[key] = props[key]
    code = dict(props.get("Code") or {})
    if "ZipFile" in code:
        code["ZipFile"] = base64.b64encode(_zip_inline_code(code["ZipFile"], props.get("Runtime")))
    spec["Code"] = code
    spec = to_shape(spec, _LAMBDA.operation_model("CreateFunction").input_shape)
    spec["Tags"] = tags_to_dict(props.get("Tags"))
    if props.get("ReservedConcurrentExecutions") is not None:
        spec["ReservedConcurrentExecutions"] = as_int(props["ReservedConcurrentExecutions"])
    return spec


def _set_extra_config(fn: LambdaFunction, config: dict[str, Any]) -> None:
    for key, attribute in _EXTRA_CONFIG.items():
        if key in config:
            setattr(fn, attribute, config[key])


def _function_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    spec = _function_spec(props.get("FunctionName") or resource_name, props)
    spec["Tags"] = {**stack_tags(kwargs), **spec["Tags"]}
    backend = get_backend(account_id, region_name)
    if spec["FunctionName"] in backend._lambdas._functions:
        raise FunctionAlreadyExists(spec["FunctionName"])  # CreateFunction; moto checks in responses.py only
    fn = backend.create_function(spec)
    _set_extra_config(fn, spec)
    fn.cfn_code = dict(props.get("Code") or {})
    return fn


def _function_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    fn: LambdaFunction = original_resource
    name = props.get("FunctionName") or fn.function_name
    if name != fn.function_name or props.get("PackageType", "Zip") != fn.package_type:
        # createOnly properties: the engine replaces; called anyway, replace rather than drop.
        return _replace(cls, fn, name, cloudformation_json, account_id, region_name)
    backend = get_backend(account_id, region_name)
    spec = _function_spec(name, props)
    # UpdateFunctionConfiguration with the whole desired configuration: what the template no
    # longer sets goes back to Lambda's default.
    fn.update_configuration({k: spec.get(k, default) for k, default in _CONFIG_DEFAULTS.items()})
    if props.get("Code") != getattr(fn, "cfn_code", None):
        fn.code = dict(fn.code)  # published versions share the dict (shallow copies)
        fn.update_function_code(spec["Code"])
        fn.cfn_code = dict(props["Code"])
    fn.architectures = spec.get("Architectures", ["x86_64"])  # UpdateFunctionCode's parameter
    if spec.get("ReservedConcurrentExecutions") is None:
        backend.delete_function_concurrency(name)
    else:
        backend.put_function_concurrency(name, spec["ReservedConcurrentExecutions"])
    system = {k: v for k, v in fn.tags.items() if k.startswith("aws:")}
    fn.tags = {**system, **spec["Tags"]}
    return fn


def _function_delete_cfn(cls, resource_name, cloudformation_json, account_id, region_name):
    try:
        get_backend(account_id, region_name).delete_function(resource_name)
    except UnknownFunctionException:
        pass  # already gone: CloudFormation treats NotFound on delete as success


def _function_delete(self, account_id, region_name):
    _function_delete_cfn(type(self), self.function_name, {}, account_id, region_name)


def _function_has_cfn_attr(cls, attr):
    return attr in ("Arn", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus")


def _function_get_cfn_attribute(self, attr):
    if attr == "Arn":
        return make_function_arn(self.region, self.account_id, self.function_name)
    if attr == "SnapStartResponse.ApplyOn":
        return (getattr(self, "snap_start", None) or {}).get("ApplyOn", "None")
    if attr == "SnapStartResponse.OptimizationStatus":
        return "Off"
    raise UnformattedGetAttTemplateException()


def _update_configuration(self, config_updates):
    """UpdateFunctionConfiguration, including what moto ignores (L3)."""
    config_updates = dict(config_updates)
    if "KMSKeyArn" in config_updates:
        self.kms_key_arn = config_updates.pop("KMSKeyArn") or None
    if "TracingConfig" in config_updates:
        self.tracing_config = config_updates.pop("TracingConfig") or {"Mode": "PassThrough"}
    if "EphemeralStorage" in config_updates:
        self.ephemeral_storage = int((config_updates.pop("EphemeralStorage") or {}).get("Size", 512))
    if "ImageConfig" in config_updates:
        self.image_config = ImageConfig(config_updates.pop("ImageConfig") or {})
    if "Environment" in config_updates:
        config_updates["Environment"] = {"Variables": (config_updates["Environment"] or {}).get("Variables") or {}}
    _set_extra_config(self, config_updates)
    return original(LambdaFunction, "update_configuration")(self, config_updates)


def _get_configuration(self, on_create=False):
    config = original(LambdaFunction, "get_configuration")(self, on_create)
    config["LoggingConfig"] = getattr(self, "logging_config", None) or {
        "LogFormat": "Text",
        "LogGroup": f"/aws/lambda/{self.function_name}",
    }
    if getattr(self, "dead_letter_config", None):
        config["DeadLetterConfig"] = self.dead_letter_config
    if getattr(self, "file_system_configs", None):
        config["FileSystemConfigs"] = self.file_system_configs
    if getattr(self, "snap_start", None):
        config["SnapStart"] = {"ApplyOn": self.snap_start.get("ApplyOn", "None"), "OptimizationStatus": "Off"}
    return config


def _replace(cls, old, resource_name, cloudformation_json, account_id, region_name):
    """A createOnly property changed but the engine called the update handler: create the
    new resource, then delete the old one (what CloudFormation's replacement amounts to)."""
    new = cls.create_from_cloudformation_json(resource_name, cloudformation_json, account_id, region_name)
    if new.physical_resource_id != old.physical_resource_id:
        old.delete(account_id, region_name)
    return new


class _AllCreateOnly:
    """Mixin for types whose every property is createOnly: the same properties keep the
    resource, any change replaces it."""

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        if properties(cloudformation_json) == original_resource.props:
            return original_resource
        return _replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)


# --------------------------------------------------------------------------- versions, policies


def _publish_version(self: LambdaStorage, name_or_arn: str, description: str = ""):
    """PublishVersion: a new number only if code or configuration changed since the last
    published version; numbers are never reused (L8); each version has its own policy (L9)."""
    function = self.get_function_by_name_or_arn_forbid_qualifier(name_or_arn)
    group = self._functions.get(function.function_name)
    if not group or not group["latest"]:
        return None
    versions = group["versions"]
    last = next((v for v in versions if str(v.version) == str(group.get("last_published"))), None)
    if last is not None and not function.code_or_config_updated:
        return last
    function.code_or_config_updated = False
    number = max([int(v.version) for v in versions] + [group.get("last_published", 0)]) + 1
    group["last_published"] = number
    fn = copy.copy(group["latest"])
    fn.set_version(number)
    fn.policy = Policy(group["latest"])
    if description:
        fn.description = description
    versions.append(fn)
    self._arns[fn.function_arn] = fn
    return fn


def _policy(backend: LambdaBackend, function_name: str, qualifier: str | None):
    """The resource policy of the function, one of its versions, or one of its aliases."""
    name, in_name = split_function_name(function_name)
    qualifier = in_name or qualifier
    latest = backend.get_function(name)
    if qualifier in (None, "$LATEST"):
        return latest.policy, None
    if qualifier.isdigit():
        return backend.get_function(name, qualifier).policy, qualifier
    alias: LambdaAlias = backend.get_alias(qualifier, name)
    if not hasattr(alias, "policy"):
        alias.policy = Policy(latest)
    return alias.policy, qualifier


def _add_permission(self, function_name, qualifier, raw):
    policy, qualifier = _policy(self, function_name, qualifier)
    statement, _ = policy.add_statement(raw, qualifier)
    return statement


def _get_policy(self, function_name, qualifier=None):
    return _policy(self, function_name, qualifier)[0].wire_format()


def _remove_permission(self, function_name, sid, revision="", qualifier=None):
    _policy(self, function_name, qualifier)[0].del_statement(sid, revision)


def _remove_permission_response(self):
    function_name = unquote(self.path.split("/")[-3])
    statement_id = self.path.split("/")[-1].split("?")[0]
    revision = self.querystring.get("RevisionId", [""])[0]
    qualifier = self.querystring.get("Qualifier", [None])[0]
    self.backend.remove_permission(function_name, statement_id, revision, qualifier=qualifier)
    return 204, {"status": 204}, "{}"


# --------------------------------------------------------------------------- new models


@model
class LayerVersion(_AllCreateOnly, Resource, CloudFormationModel):
    """AWS::Lambda::LayerVersion: one version of a layer. Every property is createOnly, so
    a change means a new version (replacement by the engine)."""

    TYPE = "AWS::Lambda::LayerVersion"
    # No NAME_PROPERTY ("LayerName"): the layer name does not identify the resource (its
    # versions do), so a replacement with the same LayerName is fine, as on AWS.
    REF = "arn"
    ATTRIBUTES = {"LayerVersionArn": "arn"}

    def __init__(self, account_id: str, region: str, layer_version: Any, props: dict[str, Any]):
        self.account_id, self.region = account_id, region
        self.layer_name, self.version = layer_version.name, layer_version.version
        self.arn = layer_version.arn
        self.props = props

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        name = (props.get("LayerName") or resource_name).split(":layer:")[-1]
        spec = {"LayerName": name, "Content": dict(props["Content"])}
        for key in ("Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"):
            if key in props:
                spec[key] = props[key]
        layer_version = get_backend(account_id, region_name).publish_layer_version(spec)
        return cls(account_id, region_name, layer_version, props)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        layer_arn, version = resource_name.rsplit(":", 1)
        try:
            get_backend(account_id, region_name).delete_layer_version(layer_arn.split(":layer:")[-1], version)
        except UnknownLayerException:
            pass


@model
class Version(Resource, CloudFormationModel):
    """AWS::Lambda::Version: PublishVersion of the function's current code and
    configuration. FunctionName, Description, CodeSha256, ProvisionedConcurrencyConfig and
    RuntimePolicy are createOnly."""

    TYPE = "AWS::Lambda::Version"
    REF = "arn"
    ATTRIBUTES = {"Version": "version", "FunctionArn": "arn"}

    CREATE_ONLY = ("FunctionName", "Description", "CodeSha256", "ProvisionedConcurrencyConfig", "RuntimePolicy")

    def __init__(self, account_id: str, region: str, function_name: str, version: str, props: dict[str, Any]):
        self.account_id, self.region = account_id, region
        self.function_name, self.version = function_name, version
        self.props = props

    @property
    def arn(self) -> str:
        return make_function_ver_arn(self.region, self.account_id, self.function_name, self.version)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = get_backend(account_id, region_name)
        latest = backend.get_function(props["FunctionName"])
        expected = props.get("CodeSha256")
        if expected and expected != latest.code_sha_256:
            raise InvalidParameterValueException(
                f"CodeSHA256 ({expected}) is different from current CodeSHA256 in $LATEST "
                f"({latest.code_sha_256}). Please try again with the CodeSHA256 in $LATEST."
            )
        existing = {str(v.version) for v in backend.list_versions_by_function(latest.function_name)}
        published = backend.publish_version(latest.function_name, props.get("Description", ""))
        if str(published.version) in existing:
            # PublishVersion returned the last version (nothing changed); CloudFormation's
            # handler refuses rather than share one version between two resources.
            raise InvalidParameterValueException(
                f"A version for this Lambda function exists ( {published.version} ). "
                "Modify the function to create a new version."
            )
        return cls(account_id, region_name, latest.function_name, str(published.version), props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if any(props.get(k) != original_resource.props.get(k) for k in cls.CREATE_ONLY):
            return _replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        original_resource.props = props  # FunctionScalingConfig: not emulated
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        name, version = split_function_name(resource_name)
        try:
            get_backend(account_id, region_name).delete_function(name, version)
        except UnknownFunctionException:
            pass


def _routing_config(props: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's list of {FunctionVersion, FunctionWeight} -> the API's map."""
    weights = (props.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or []
    if not weights:
        return {}
    return {"AdditionalVersionWeights": {str(w["FunctionVersion"]): float(w["FunctionWeight"]) for w in weights}}


@model
class Alias(Resource, CloudFormationModel):
    """AWS::Lambda::Alias. Name and FunctionName are createOnly; FunctionVersion,
    Description, RoutingConfig and ProvisionedConcurrencyConfig update in place."""

    TYPE = "AWS::Lambda::Alias"
    REF = "arn"
    ATTRIBUTES = {"AliasArn": "arn"}

    def __init__(self, account_id: str, region: str, function_name: str, alias: LambdaAlias, props: dict[str, Any]):
        self.account_id, self.region = account_id, region
        self.function_name, self.name, self.arn = function_name, alias.name, alias.arn
        self.props = props
        # moto has no provisioned concurrency API: kept here only.
        self.provisioned_concurrency = props.get("ProvisionedConcurrencyConfig")

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = get_backend(account_id, region_name)
        name, _ = split_function_name(props["FunctionName"])
        alias = backend.create_alias(
            props["Name"], name, str(props["FunctionVersion"]), props.get("Description", ""), _routing_config(props)
        )
        return cls(account_id, region_name, name, alias, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if (props["Name"], split_function_name(props["FunctionName"])[0]) != (original_resource.name, original_resource.function_name):
            return _replace(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        backend = get_backend(account_id, region_name)
        version = str(props["FunctionVersion"])
        backend.get_function(original_resource.function_name, version)  # UpdateAlias checks the version exists
        alias = backend.get_alias(original_resource.name, original_resource.function_name)
        alias.function_version = version
        alias.description = props.get("Description", "")
        alias.routing_config = _routing_config(props)
        alias.revision_id = str(mock_random.uuid4())
        original_resource.props = props
        original_resource.provisioned_concurrency = props.get("ProvisionedConcurrencyConfig")
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        name, alias = split_function_name(resource_name)
        try:
            get_backend(account_id, region_name).delete_alias(alias, name)
        except (UnknownFunctionException, UnknownAliasException):
            pass


@model
class Permission(_AllCreateOnly, Resource, CloudFormationModel):
    """AWS::Lambda::Permission: one statement (AddPermission) in the resource policy of the
    function, version or alias FunctionName names. Every property is createOnly."""

    TYPE = "AWS::Lambda::Permission"
    REF = "statement_id"
    ATTRIBUTES = {"Id": "statement_id"}

    def __init__(self, account_id: str, region: str, statement_id: str, props: dict[str, Any]):
        self.account_id, self.region = account_id, region
        self.statement_id = statement_id
        self.props = props

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        statement_id = resource_name[:100]
        request = {"StatementId": statement_id, "Action": props["Action"], "Principal": props["Principal"]}
        for key in ("SourceArn", "SourceAccount", "EventSourceToken", "PrincipalOrgID", "FunctionUrlAuthType"):
            if props.get(key) is not None:
                request[key] = str(props[key])
        get_backend(account_id, region_name).add_permission(props["FunctionName"], None, json.dumps(request))
        return cls(account_id, region_name, statement_id, props)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        function_name = properties(cloudformation_json)["FunctionName"]
        try:
            get_backend(account_id, region_name).remove_permission(function_name, resource_name)
        except (UnknownFunctionException, UnknownAliasException, UnknownPolicyException, GenericResourcNotFound):
            pass

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.statement_id, {"Properties": self.props}, account_id, region_name)



# --------------------------------------------------------------------------- Invoke (L10)


def _backend_invoke(self, function_name, qualifier, body, headers, response_headers):
    """Invoke: ``nodejs*`` zip functions run in a ``node`` subprocess (_lambda_runtime);
    the qualifier (version or alias) selects the code and configuration that run."""
    fn = self.get_function(function_name, qualifier)
    if not _lambda_runtime.emulates(fn):
        return original(LambdaBackend, "invoke")(self, function_name, qualifier, body, headers, response_headers)
    name, in_name = split_function_name(unquote(function_name))
    used = in_name or qualifier
    invoked_arn = make_function_arn(fn.region, fn.account_id, fn.function_name) + (f":{used}" if used else "")
    payload = _lambda_runtime.invoke(fn, body, headers, response_headers, invoked_arn)
    response_headers["Content-Length"] = str(len(payload))
    return payload


def _invoke_response(self):
    """Invoke with ``?Qualifier=`` honoured (L11)."""
    if "Qualifier" in self.querystring and "qualifier" not in self.querystring:
        self.querystring["qualifier"] = self.querystring["Qualifier"]
    return original(lambda_responses.LambdaResponse, "invoke")(self)


def _function_invoke(self, body, request_headers, response_headers):
    """Invocations from inside moto (InvokeAsync, SNS, log subscriptions, ...) of a
    resolved version."""
    if not _lambda_runtime.emulates(self):
        return original(LambdaFunction, "invoke")(self, body, request_headers, response_headers)
    try:
        return _lambda_runtime.invoke(self, body, request_headers, response_headers, self.function_arn)
    except _lambda_runtime.LocalRuntimeUnavailable as error:
        # moto's callers (SNS, log subscriptions) expect a payload, not an exception,
        # as moto answers when Docker is missing.
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorType": "ServiceException", "errorMessage": error.message}).encode()


def install() -> None:
    replace(LambdaFunction, "create_from_cloudformation_json", _function_create, "classmethod")
    replace(LambdaFunction, "update_from_cloudformation_json", _function_update, "classmethod")
    replace(LambdaFunction, "delete_from_cloudformation_json", _function_delete_cfn, "classmethod")
    replace(LambdaFunction, "delete", _function_delete)
    replace(LambdaFunction, "has_cfn_attr", _function_has_cfn_attr, "classmethod")
    replace(LambdaFunction, "get_cfn_attribute", _function_get_cfn_attribute)
    replace(LambdaFunction, "update_configuration", _update_configuration)
    replace(LambdaFunction, "get_configuration", _get_configuration)
    replace(LambdaStorage, "publish_version", _publish_version)
    replace(LambdaBackend, "add_permission", _add_permission)
    replace(LambdaBackend, "get_policy", _get_policy)
    replace(LambdaBackend, "remove_permission", _remove_permission)
    replace(lambda_responses.LambdaResponse, "remove_permission", _remove_permission_response)
    replace(LambdaBackend, "invoke", _backend_invoke)
    replace(lambda_responses.LambdaResponse, "invoke", _invoke_response)
    replace(LambdaFunction, "invoke", _function_invoke)
