"""API Gateway (REST, v1) through CloudFormation, created in moto's own apigateway backend so
GetRestApi, GetResources, GetMethod, GetIntegration, GetStage, GetAuthorizer, GetModel,
GetRequestValidator, GetGatewayResponse, GetUsagePlan, GetAccount, GetDomainName and
GetBasePathMappings show what the template declared.

Covers AWS::ApiGateway::RestApi, Resource, Method, Deployment, Stage, Authorizer,
RequestValidator, Model, GatewayResponse, UsagePlan, Account, DomainName, BasePathMapping.
Each is a small handle (our class) over moto's backend object; Ref and Fn::GetAtt follow the
CloudFormation Template Reference:

| type | Ref | Fn::GetAtt |
|---|---|---|
| RestApi | API id | RestApiId, RootResourceId |
| Resource | resource id | ResourceId |
| Method | a generated method id (`stack-Logical-RANDOM`, the doc's `mysta-metho-0123...`) | - |
| Deployment | deployment id | DeploymentId |
| Stage | stage name | - |
| Authorizer | authorizer id | AuthorizerId |
| RequestValidator | validator id | RequestValidatorId |
| Model | model name | - |
| GatewayResponse | a generated id | Id |
| UsagePlan | usage plan id | Id |
| Account | a generated id | Id |
| DomainName | domain name | DistributionDomainName, DistributionHostedZoneId, RegionalDomainName, |
| | | RegionalHostedZoneId, DomainNameArn |
| BasePathMapping | a generated id (not documented) | - |

Updates change the backend object in place (same physical id). A change to a createOnly
property (registry schema, e.g. Method.HttpMethod, Stage.StageName) is a replacement, which
the CloudFormation engine performs; if an engine calls the update handler for one anyway, the
handler creates the new resource and deletes the old one instead of dropping it.

Upstream issues (getmoto/moto), as we would file them
=====================================================

1. "CloudFormation: AWS::ApiGateway::Method fails with KeyError for a MOCK integration"
   (moto 5.2.5, moto/apigateway/models.py, ``Method.create_from_cloudformation_json``).
   Reproduction (notes row 9)::

       "Options": {"Type": "AWS::ApiGateway::Method", "Properties": {
         "RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
         "HttpMethod": "OPTIONS", "AuthorizationType": "NONE",
         "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": "{\\"statusCode\\": 200}"}}}}

   Expected: created. The Template Reference (AWS::ApiGateway::Method Integration) marks
   IntegrationHttpMethod "Required: Conditional" (only for HTTP/AWS integrations) and Uri
   "Required: Conditional" (not for MOCK). Actual: ``KeyError: 'IntegrationHttpMethod'``,
   ExecuteChangeSet answers 500.

2. "CloudFormation: AWS::ApiGateway::Method drops most of its properties" (same function).
   Reproduction: the Method above with ``AuthorizationType: COGNITO_USER_POOLS``,
   ``AuthorizerId``, ``RequestValidatorId``, ``RequestModels``, ``RequestParameters``,
   ``MethodResponses``, ``Integration.IntegrationResponses``/``RequestTemplates``/
   ``PassthroughBehavior``/``CacheKeyParameters``; then ``get_method`` / ``get_integration``.
   Expected (Template Reference, AWS::ApiGateway::Method): all of them on the method.
   Actual: only HttpMethod, AuthorizationType, ApiKeyRequired and the integration's type,
   URI and HTTP method are passed to the backend; authorizerId, requestValidatorId,
   requestModels, requestParameters, methodResponses and integrationResponses are empty.

3. "CloudFormation: Ref to AWS::ApiGateway::Method / Deployment yields no physical id"
   (moto/apigateway/models.py, ``Method`` and ``Deployment`` lack ``physical_resource_id``).
   Reproduction: an Output ``{"Ref": "Deployment"}`` or a Stage with
   ``"DeploymentId": {"Ref": "Deployment"}``. Expected (Template Reference): the deployment
   id (``123abc``), a method id. Actual: there is no physical id to give, so moto's
   ``clean_json`` substitutes the Python object itself for the Ref.

4. "CloudFormation: AWS::ApiGateway::{Stage, Authorizer, RequestValidator, Model,
   GatewayResponse, UsagePlan, Account, DomainName, BasePathMapping} are not created"
   (moto/apigateway/models.py: those classes are ``BaseModel``, not ``CloudFormationModel``).
   Reproduction: any template with e.g. ``AWS::ApiGateway::Stage``; then ``get_stage``.
   Expected: the resource exists with the template's properties; Ref/GetAtt as documented.
   Actual: the resource is silently skipped ("No Moto CloudFormation support"), Ref is empty
   and a GetAtt on it fails with "GetAtt references undefined resource".

5. "CloudFormation: AWS::ApiGateway::RestApi drops Tags, Policy, BinaryMediaTypes, ...,
   stores EndpointConfiguration in template shape, and has no update handler"
   (``RestAPI.create_from_cloudformation_json``; no ``update_from_cloudformation_json`` on
   RestAPI, Resource, Method, Deployment). Reproduction: RestApi with
   ``"EndpointConfiguration": {"Types": ["REGIONAL"]}``, ``Tags``, ``Policy``; then
   ``get_rest_api``. Expected: ``endpointConfiguration.types == ["REGIONAL"]``, tags as a
   map, the policy as a JSON string. Actual: ``endpointConfiguration == {}`` (the dict keeps
   the CloudFormation key ``Types``), no tags, no policy; an UpdateStack that changes the
   Description removes the RestApi from the stack (moto skips types without update handler).

6. "apigateway: DomainName reports CloudFront's hosted zone as regionalHostedZoneId"
   (``DomainName.__init__``). Reproduction: ``create_domain_name(domainName=...,
   regionalCertificateArn=..., endpointConfiguration={"types": ["REGIONAL"]})`` in
   eu-central-1. Expected: regionalHostedZoneId ``Z1U9ULNL0V5AJ3`` (API Gateway's zone for
   the region, AWS General Reference "Amazon API Gateway endpoints and quotas"), and no
   distribution* fields for a REGIONAL domain. Actual: ``Z2FDTNDATAQYW2`` (CloudFront's) and a
   cloudfront.net distribution name. A Route 53 alias built from it points nowhere.

7. "apigateway: GetBasePathMappings answers 500 for a domain without mappings"
   (``APIGatewayBackend.get_base_path_mappings``: ``self.base_path_mappings[domain_name]``).
   Reproduction: create_domain_name, then get_base_path_mappings. Expected (API reference
   GetBasePathMappings): ``{"items": []}``. Actual: ``KeyError`` (500).

8. "apigateway: CreateAuthorizer drops identityValidationExpression"
   (``APIGatewayBackend.create_authorizer`` passes ``identiy_validation_expression``;
   ``Authorizer.__init__`` reads ``identity_validation_expression``). Reproduction:
   ``create_authorizer(..., type="TOKEN", identityValidationExpression="^Bearer .+$")``.
   Expected: returned and shown by GetAuthorizer. Actual: absent.

9. "apigateway: DeleteDeployment deletes a deployment that stages still use"
   (``RestAPI.delete_deployment`` checks only the stage named when the deployment was created).
   Reproduction: ``create_deployment(restApiId=...)`` without stageName, ``create_stage(...,
   deploymentId=<it>)``, ``delete_deployment(...)``. Expected (API reference DeleteDeployment:
   BadRequestException "Active stages pointing to this deployment must be moved or deleted").
   Actual: deleted; GetStage then names a deployment that does not exist. (And a deployment
   created with stageName cannot be deleted after that stage moved to another deployment.)

Fixed here: 1-5 by our models (moto's CloudFormation classes for RestApi, Resource, Method and
Deployment stay untouched: ours are registered for the same types and win); 6 and 8 for
what CloudFormation creates; 7 and 9 by replacing ``get_base_path_mappings`` and
``delete_deployment``.

Not emulated: RestApi Body/BodyS3Location/CloneFrom (OpenAPI import: refused with an error
rather than ignored); Stage CanarySetting, ClientCertificateId, DocumentationVersion;
Deployment DeploymentCanarySettings; Integration ConnectionId; DomainName mutual TLS and
ownership verification; the account-wide CloudWatch role is not checked to exist; usage plan
stages are not checked to exist; GetGatewayResponse does not return AWS's default responses
for types never customised; deleting a stage does not disassociate its web ACL; the
``aws:cloudformation:*`` tags CloudFormation adds. (Deleting AWS::ApiGateway::Account leaves
the account settings as they are: that is what AWS CloudFormation does, see ``Account``.)
"""

import json
from typing import Any

from moto.apigateway import models as apigw
from moto.apigateway.exceptions import BadRequestException, ConflictException, ValidationException
from moto.apigateway.models import APIGatewayBackend, apigateway_backends
from moto.apigateway.utils import create_id
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from ._cfn import Attributes, as_bool, as_int, model, properties, replace, tags_to_dict

# API Gateway's Route 53 hosted zones for regional endpoints (AWS General Reference,
# "Amazon API Gateway endpoints and quotas"); moto's value is used for other regions.
REGIONAL_HOSTED_ZONES = {
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-west-2": "ZJ5UAJN8Y3Z2Q",
    "eu-west-3": "Z3KY65QIEKYHQQ",
}

# Method-setting fields: CloudFormation name -> (API name, conversion).
METHOD_SETTING_FIELDS = {
    "CacheDataEncrypted": ("cacheDataEncrypted", as_bool),
    "CacheTtlInSeconds": ("cacheTtlInSeconds", int),
    "CachingEnabled": ("cachingEnabled", as_bool),
    "DataTraceEnabled": ("dataTraceEnabled", as_bool),
    "LoggingLevel": ("loggingLevel", str),
    "MetricsEnabled": ("metricsEnabled", as_bool),
    "ThrottlingBurstLimit": ("throttlingBurstLimit", int),
    "ThrottlingRateLimit": ("throttlingRateLimit", float),
}
# What GetStage shows for fields a method setting leaves unset.
METHOD_SETTING_DEFAULTS = {
    "metricsEnabled": False,
    "loggingLevel": "OFF",
    "dataTraceEnabled": False,
    "cachingEnabled": False,
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}

# Live handles by (type, account, region, physical id), for delete_from_cloudformation_json.
_LIVE: dict[tuple[str, str, str, str], "_Handle"] = {}


def backend_for(account_id: str, region_name: str) -> APIGatewayBackend:
    return apigateway_backends[account_id][region_name]


class _Handle(Attributes):
    """What every model here shares: the resolved properties it was created with, the generic
    update (in place, or create-new-then-delete-old when a createOnly property changed) and
    Ref/GetAtt plumbing (``ATTRIBUTES``). Subclasses implement ``_create``, ``_update``, ``_delete``."""

    CREATE_ONLY: tuple[str, ...] = ()

    def __init__(self, account_id: str, region_name: str, resource_name: str, props: dict[str, Any]):
        self.account_id = account_id
        self.region_name = region_name
        self.resource_name = resource_name
        self.props = props
        self.physical_id = ""

    @property
    def backend(self) -> APIGatewayBackend:
        return backend_for(self.account_id, self.region_name)

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def _live_key(cls, account_id: str, region_name: str, physical_id: str) -> tuple[str, str, str, str]:
        return (cls.cloudformation_type(), account_id, region_name, physical_id)  # type: ignore[attr-defined]

    def _key(self) -> tuple[str, str, str, str]:
        return self._live_key(self.account_id, self.region_name, self.physical_id)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        handle = cls(account_id, region_name, resource_name, properties(cloudformation_json))
        handle._create()
        _LIVE[handle._key()] = handle
        return handle

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        props = properties(cloudformation_json)
        if any(props.get(p) != original_resource.props.get(p) for p in cls.CREATE_ONLY):
            # A replacement: the engine should have done it; don't drop the resource.
            new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
            if new._identity() != original_resource._identity():
                original_resource.delete(account_id, region_name)
            return new
        original_resource._update(props)
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, resource_name, cloudformation_json, account_id, region_name
    ):
        handle = _LIVE.get(cls._live_key(account_id, region_name, resource_name))
        if handle is not None:
            handle.delete(account_id, region_name)

    def delete(self, account_id: str | None = None, region_name: str | None = None) -> None:
        # AWS CloudFormation treats "not found" on delete as deleted: so do we (e.g. a
        # Resource whose RestApi went first).
        self._delete()
        _LIVE.pop(self._key(), None)

    def is_created(self) -> bool:
        return True

    def _identity(self) -> tuple[str, Any]:
        # Physical ids of API children (a stage name, a model name) are unique per API only.
        return self.physical_id, self.props.get("RestApiId")

    def _create(self) -> None:
        raise NotImplementedError

    def _update(self, props: dict[str, Any]) -> None:
        """Applies the updatable properties; the default: nothing is updatable."""

    def _delete(self) -> None:
        raise NotImplementedError

    def _api(self) -> apigw.RestAPI | None:
        return self.backend.apis.get(self.props.get("RestApiId"))


def _bool_map(values: dict[str, Any] | None) -> dict[str, bool] | None:
    return None if values is None else {k: as_bool(v) for k, v in values.items()}


def _json_string(value: Any) -> Any:
    """Json-typed properties (Policy, Schema) may be objects; the API stores strings."""
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def _endpoint_configuration(value: dict[str, Any] | None) -> dict[str, Any]:
    if not value:
        return {"types": ["EDGE"]}
    config: dict[str, Any] = {"types": list(value.get("Types") or ["EDGE"])}
    if value.get("VpcEndpointIds"):
        config["vpcEndpointIds"] = list(value["VpcEndpointIds"])
    return config


@model
class RestApi(_Handle, CloudFormationModel):
    CREATE_ONLY = ()
    ATTRIBUTES = {"RestApiId": "physical_id", "RootResourceId": "root_resource_id"}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::RestApi"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @property
    def root_resource_id(self) -> str:
        return self.backend.get_rest_api(self.physical_id).root_resource_id

    def _create(self) -> None:
        p = self.props
        for unsupported in ("Body", "BodyS3Location", "CloneFrom"):
            if p.get(unsupported) is not None:
                raise ValidationException(f"the local AWS does not emulate RestApi.{unsupported} (OpenAPI import)")
        api = self.backend.create_rest_api(
            name=p.get("Name") or self.resource_name,
            description=p.get("Description") or "",
            tags=tags_to_dict(p.get("Tags")),  # type: ignore[arg-type]
        )
        self.physical_id = api.id
        self._update(p)

    def _update(self, props: dict[str, Any]) -> None:
        api = self.backend.get_rest_api(self.physical_id)
        api.name = props.get("Name") or api.name
        api.description = props.get("Description") or ""
        api.endpoint_configuration = _endpoint_configuration(props.get("EndpointConfiguration"))
        api.policy = _json_string(props.get("Policy"))
        api.binaryMediaTypes = list(props.get("BinaryMediaTypes") or [])
        api.api_key_source = props.get("ApiKeySourceType") or "HEADER"
        api.minimum_compression_size = as_int(props.get("MinimumCompressionSize"))
        api.disableExecuteApiEndpoint = as_bool(props.get("DisableExecuteApiEndpoint"))
        api.tags = tags_to_dict(props.get("Tags"))

    def _delete(self) -> None:
        self.backend.apis.pop(self.physical_id, None)


@model
class Resource(_Handle, CloudFormationModel):
    CREATE_ONLY = ("RestApiId", "ParentId", "PathPart")
    ATTRIBUTES = {"ResourceId": "physical_id"}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Resource"

    def _create(self) -> None:
        p = self.props
        self.physical_id = self.backend.create_resource(p["RestApiId"], p["ParentId"], p["PathPart"]).id

    def _delete(self) -> None:
        api = self._api()
        if api is None:
            return
        # DeleteResource removes the resource with everything below it.
        doomed = {self.physical_id}
        while True:
            children = {r.id for r in api.resources.values() if r.parent_id in doomed} - doomed
            if not children:
                break
            doomed |= children
        for resource_id in doomed:
            api.resources.pop(resource_id, None)


@model
class Method(_Handle, CloudFormationModel):
    CREATE_ONLY = ("RestApiId", "ResourceId", "HttpMethod")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Method"

    def _create(self) -> None:
        self.physical_id = self.resource_name
        self._put(self.props)

    def _update(self, props: dict[str, Any]) -> None:
        self._put(props)  # PutMethod/PutIntegration replace the method's definition

    def _put(self, p: dict[str, Any]) -> None:
        backend = self.backend
        api_id, resource_id, verb = p["RestApiId"], p["ResourceId"], p["HttpMethod"]
        method = backend.put_method(
            api_id,
            resource_id,
            verb,
            p.get("AuthorizationType") or "NONE",
            api_key_required=as_bool(p.get("ApiKeyRequired")),
            request_parameters=_bool_map(p.get("RequestParameters")),
            request_models=p.get("RequestModels"),
            operation_name=p.get("OperationName"),
            authorizer_id=p.get("AuthorizerId"),
            authorization_scopes=p.get("AuthorizationScopes"),
            request_validator_id=p.get("RequestValidatorId"),
        )
        for response in p.get("MethodResponses") or []:
            method.create_response(
                str(response["StatusCode"]),
                response.get("ResponseModels"),
                _bool_map(response.get("ResponseParameters")),  # type: ignore[arg-type]
            )
        spec = p.get("Integration")
        if not spec:
            return
        # API Gateway's defaults for what the template leaves out (GetIntegration shows them).
        integration = backend.put_integration(
            api_id,
            resource_id,
            verb,
            integration_type=spec["Type"],
            uri=spec.get("Uri"),  # type: ignore[arg-type]
            integration_method=spec.get("IntegrationHttpMethod"),  # type: ignore[arg-type]
            credentials=spec.get("Credentials"),
            request_templates=spec.get("RequestTemplates"),
            passthrough_behavior=spec.get("PassthroughBehavior") or "WHEN_NO_MATCH",
            tls_config=spec.get("TlsConfig"),
            cache_namespace=spec.get("CacheNamespace") or resource_id,
            timeout_in_millis=as_int(spec.get("TimeoutInMillis"), 29000),  # type: ignore[arg-type]
            request_parameters=spec.get("RequestParameters"),
            content_handling=spec.get("ContentHandling"),
            connection_type=spec.get("ConnectionType") or "INTERNET",
        )
        integration.cache_key_parameters = list(spec.get("CacheKeyParameters") or [])
        for response in spec.get("IntegrationResponses") or []:
            integration.create_integration_response(
                str(response["StatusCode"]),
                response.get("SelectionPattern"),  # type: ignore[arg-type]
                dict(response.get("ResponseTemplates") or {}),
                response.get("ResponseParameters"),  # type: ignore[arg-type]
                response.get("ContentHandling"),
            )

    def _delete(self) -> None:
        api = self._api()
        resource = api.resources.get(self.props["ResourceId"]) if api else None
        if resource is not None:
            resource.resource_methods.pop(self.props["HttpMethod"], None)


def _method_settings(items: list[dict[str, Any]] | None) -> dict[str, Any]:
    """CloudFormation MethodSettings -> GetStage's methodSettings, keyed
    ``resourcePath/httpMethod`` with the leading slash dropped (``*/*``, ``~1a~1b/GET``)."""
    settings: dict[str, Any] = {}
    for item in items or []:
        key = f"{item.get('ResourcePath', '/*')[1:]}/{item.get('HttpMethod', '*')}"
        setting = dict(METHOD_SETTING_DEFAULTS)
        for name, (api_name, convert) in METHOD_SETTING_FIELDS.items():
            if item.get(name) is not None:
                setting[api_name] = convert(item[name])
        settings[key] = setting
    return settings


def _configure_stage(stage: apigw.Stage, p: dict[str, Any]) -> None:
    """Applies a Stage's (or a Deployment's StageDescription's) updatable properties."""
    if "DeploymentId" in p:
        stage.deployment_id = p["DeploymentId"]
    stage.description = p.get("Description") or ""
    stage.variables = dict(p.get("Variables") or {})
    stage.method_settings = _method_settings(p.get("MethodSettings"))
    log = p.get("AccessLogSetting")
    stage.access_log_settings = (
        {"destinationArn": log.get("DestinationArn"), "format": log.get("Format")} if log else None
    )
    stage.tracing_enabled = as_bool(p.get("TracingEnabled"))
    stage.cache_cluster_enabled = as_bool(p.get("CacheClusterEnabled"))
    stage.cache_cluster_status = "AVAILABLE" if stage.cache_cluster_enabled else "NOT_AVAILABLE"
    size = p.get("CacheClusterSize")
    stage.cache_cluster_size = str(size) if size is not None else None
    stage.tags = tags_to_dict(p.get("Tags"))


@model
class Deployment(_Handle, CloudFormationModel):
    CREATE_ONLY = ("RestApiId", "DeploymentCanarySettings")
    ATTRIBUTES = {"DeploymentId": "physical_id"}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Deployment"

    def _create(self) -> None:
        p = self.props
        self.physical_id = self.backend.create_deployment(p["RestApiId"], None, p.get("Description") or "").id
        self._configure_named_stage(p)

    def _update(self, props: dict[str, Any]) -> None:
        self.backend.get_deployment(props["RestApiId"], self.physical_id).description = props.get("Description") or ""
        self._configure_named_stage(props)

    def _configure_named_stage(self, p: dict[str, Any]) -> None:
        """``StageName`` creates (or points) a stage at this deployment, configured by
        ``StageDescription``, whose top-level method fields apply to all methods (``/*``)."""
        name = p.get("StageName")
        if not name:
            return
        if name not in self._api().stages:  # type: ignore[union-attr]
            self.backend.create_stage(p["RestApiId"], name, self.physical_id)
        described = dict(p.get("StageDescription") or {})
        everywhere = {k: described[k] for k in METHOD_SETTING_FIELDS if k in described}
        if everywhere:
            everywhere.update(ResourcePath="/*", HttpMethod="*")
            described["MethodSettings"] = [everywhere, *(described.get("MethodSettings") or [])]
        described["DeploymentId"] = self.physical_id
        _configure_stage(self.backend.get_stage(p["RestApiId"], name), described)

    def _delete(self) -> None:
        api = self._api()
        if api is None:
            return
        stage = api.stages.get(self.props.get("StageName") or "")
        if stage is not None and stage.deployment_id == self.physical_id:
            api.stages.pop(stage.name, None)  # the stage this deployment created
        if self.physical_id in api.deployments:
            self.backend.delete_deployment(api.id, self.physical_id)


@model
class Stage(_Handle, CloudFormationModel):
    CREATE_ONLY = ("RestApiId", "StageName")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Stage"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "StageName"

    def _create(self) -> None:
        p = self.props
        name = p.get("StageName") or self.resource_name
        stage = self.backend.create_stage(p["RestApiId"], name, p.get("DeploymentId"))  # type: ignore[arg-type]
        self.physical_id = name
        _configure_stage(stage, p)

    def _update(self, props: dict[str, Any]) -> None:
        _configure_stage(self.backend.get_stage(props["RestApiId"], self.physical_id), props)

    def _delete(self) -> None:
        api = self._api()
        if api is not None:
            api.stages.pop(self.physical_id, None)


@model
class Authorizer(_Handle, CloudFormationModel):
    CREATE_ONLY = ("RestApiId",)
    ATTRIBUTES = {"AuthorizerId": "physical_id"}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Authorizer"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    def _create(self) -> None:
        p = self.props
        authorizer = self.backend.create_authorizer(p["RestApiId"], p.get("Name") or self.resource_name, p["Type"])
        self.physical_id = authorizer.id  # type: ignore[assignment]
        self._update(p)

    def _update(self, props: dict[str, Any]) -> None:
        authorizer = self.backend.get_authorizer(props["RestApiId"], self.physical_id)
        authorizer.name = props.get("Name") or authorizer.name
        authorizer.type = props["Type"]
        authorizer.provider_arns = list(props["ProviderARNs"]) if props.get("ProviderARNs") else None
        authorizer.auth_type = props.get("AuthType")
        authorizer.authorizer_uri = props.get("AuthorizerUri")
        authorizer.authorizer_credentials = props.get("AuthorizerCredentials")
        authorizer.identity_source = props.get("IdentitySource")
        authorizer.identity_validation_expression = props.get("IdentityValidationExpression")
        # API Gateway caches authorizer results for 300 s unless told otherwise.
        authorizer.authorizer_result_ttl = as_int(props.get("AuthorizerResultTtlInSeconds"), 300)

    def _delete(self) -> None:
        api = self._api()
        if api is not None:
            api.authorizers.pop(self.physical_id, None)


@model
class RequestValidator(_Handle, CloudFormationModel):
    CREATE_ONLY = ("RestApiId", "Name")
    ATTRIBUTES = {"RequestValidatorId": "physical_id"}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::RequestValidator"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    def _create(self) -> None:
        p = self.props
        validator = self.backend.create_request_validator(
            p["RestApiId"], p.get("Name") or self.resource_name, None, None
        )
        self.physical_id = validator.id
        self._update(p)

    def _update(self, props: dict[str, Any]) -> None:
        validator = self.backend.get_request_validator(props["RestApiId"], self.physical_id)
        validator.validate_request_body = as_bool(props.get("ValidateRequestBody"))
        validator.validate_request_parameters = as_bool(props.get("ValidateRequestParameters"))

    def _delete(self) -> None:
        api = self._api()
        if api is not None:
            api.request_validators.pop(self.physical_id, None)


@model
class Model(_Handle, CloudFormationModel):
    CREATE_ONLY = ("RestApiId", "Name", "ContentType")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Model"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    def _create(self) -> None:
        p = self.props
        # A generated name must still be alphanumeric (CreateModel's rule).
        name = p.get("Name") or "".join(c for c in self.resource_name if c.isalnum())
        if name in self.backend.get_rest_api(p["RestApiId"]).models:
            raise ConflictException(f"Model name already exists for this REST API: {name}")  # as CreateModel
        content_type = p.get("ContentType") or "application/json"
        schema = _json_string(p.get("Schema"))
        self.backend.create_model(p["RestApiId"], name, content_type, p.get("Description"), schema)
        self.physical_id = name

    def _update(self, props: dict[str, Any]) -> None:
        found = self.backend.get_model(props["RestApiId"], self.physical_id)
        found.description = props.get("Description")
        found.schema = _json_string(props.get("Schema"))

    def _delete(self) -> None:
        api = self._api()
        if api is not None:
            api.models.pop(self.physical_id, None)


@model
class GatewayResponse(_Handle, CloudFormationModel):
    CREATE_ONLY = ("RestApiId", "ResponseType")
    ATTRIBUTES = {"Id": "physical_id"}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::GatewayResponse"

    def _create(self) -> None:
        self.physical_id = create_id()  # the API has no id for it; CloudFormation makes one
        self._update(self.props)

    def _update(self, props: dict[str, Any]) -> None:
        status = props.get("StatusCode")
        self.backend.put_gateway_response(
            props["RestApiId"],
            props["ResponseType"],
            status_code=str(status) if status is not None else None,  # type: ignore[arg-type]
            response_parameters=props.get("ResponseParameters"),
            response_templates=props.get("ResponseTemplates"),
        )

    def _delete(self) -> None:
        api = self._api()
        if api is not None:
            api.gateway_responses.pop(self.props["ResponseType"], None)


def _throttle(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if not value:
        return None
    throttle: dict[str, Any] = {}
    if value.get("BurstLimit") is not None:
        throttle["burstLimit"] = int(value["BurstLimit"])
    if value.get("RateLimit") is not None:
        throttle["rateLimit"] = float(value["RateLimit"])
    return throttle


@model
class UsagePlan(_Handle, CloudFormationModel):
    ATTRIBUTES = {"Id": "physical_id"}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::UsagePlan"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "UsagePlanName"

    def _create(self) -> None:
        plan = self.backend.create_usage_plan({"name": self.props.get("UsagePlanName") or self.resource_name})
        self.physical_id = plan.id
        self._update(self.props)

    def _update(self, props: dict[str, Any]) -> None:
        plan = self.backend.get_usage_plan(self.physical_id)
        plan.name = props.get("UsagePlanName") or plan.name
        plan.description = props.get("Description")
        plan.api_stages = []
        for item in props.get("ApiStages") or []:
            stage: dict[str, Any] = {"apiId": item.get("ApiId"), "stage": item.get("Stage")}
            if item.get("Throttle"):
                stage["throttle"] = {path: _throttle(t) for path, t in item["Throttle"].items()}
            plan.api_stages.append(stage)
        plan.throttle = _throttle(props.get("Throttle")) or {}
        quota = props.get("Quota") or {}
        plan.quota = {
            k: (int(quota[c]) if c != "Period" else quota[c])
            for c, k in (("Limit", "limit"), ("Offset", "offset"), ("Period", "period"))
            if quota.get(c) is not None
        }
        plan.tags = tags_to_dict(props.get("Tags"))

    def _delete(self) -> None:
        self.backend.usage_plans.pop(self.physical_id, None)


@model
class Account(_Handle, CloudFormationModel):
    """The account-wide settings. Deleting the resource leaves them as they are, as AWS
    CloudFormation does (the CloudWatch role ARN stays set: aws/aws-cdk#6194, where the
    CloudFormation team confirmed that deleting AWS::ApiGateway::Account is not honoured)."""

    ATTRIBUTES = {"Id": "physical_id"}

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Account"

    def _create(self) -> None:
        self.physical_id = self.resource_name
        self._update(self.props)

    def _update(self, props: dict[str, Any]) -> None:
        self.backend.account.cloudwatch_role_arn = props.get("CloudWatchRoleArn")

    def _delete(self) -> None:
        pass


@model
class DomainName(_Handle, CloudFormationModel):
    CREATE_ONLY = ("DomainName",)
    ATTRIBUTES = {
        "DistributionDomainName": "distribution_domain_name",
        "DistributionHostedZoneId": "distribution_hosted_zone_id",
        "RegionalDomainName": "regional_domain_name",
        "RegionalHostedZoneId": "regional_hosted_zone_id",
        "DomainNameArn": "",
    }

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::DomainName"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "DomainName"

    def _domain(self) -> apigw.DomainName:
        return self.backend.get_domain_name(self.physical_id)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "DomainNameArn":
            return f"arn:aws:apigateway:{self.region_name}::/domainnames/{self.physical_id}"
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        # What the endpoint type does not have (a REGIONAL domain's distribution*) is "".
        return getattr(self._domain(), self.ATTRIBUTES[attribute_name]) or ""

    def _create(self) -> None:
        name = self.props.get("DomainName") or self.resource_name
        self.backend.create_domain_name(  # the properties follow in _update
            name, None, None, None, None, None, None, None, None, None, None  # type: ignore[arg-type]
        )
        self.backend.base_path_mappings.setdefault(name, {})
        self.physical_id = name
        self._update(self.props)

    def _update(self, props: dict[str, Any]) -> None:
        domain = self._domain()
        domain.certificate_arn = props.get("CertificateArn")
        domain.regional_certificate_arn = props.get("RegionalCertificateArn")
        domain.security_policy = props.get("SecurityPolicy")
        domain.tags = tags_to_dict(props.get("Tags"))
        endpoint = props.get("EndpointConfiguration") or {}
        types = list(endpoint.get("Types") or ["EDGE"])
        # API Gateway's default IP address type for public domains is ipv4.
        domain.endpoint_configuration = {"types": types, "ipAddressType": endpoint.get("IpAddressType") or "ipv4"}
        if "REGIONAL" in types:
            regional = f"d-{create_id()}.execute-api.{self.region_name}.amazonaws.com"
            domain.regional_domain_name = domain.regional_domain_name or regional
            domain.regional_hosted_zone_id = REGIONAL_HOSTED_ZONES.get(self.region_name, "Z2FDTNDATAQYW2")
        else:
            domain.regional_domain_name = domain.regional_hosted_zone_id = None
        if "EDGE" in types:
            domain.distribution_domain_name = domain.distribution_domain_name or f"d{create_id()}.cloudfront.net"
            domain.distribution_hosted_zone_id = "Z2FDTNDATAQYW2"  # CloudFront's, in every region
        else:
            domain.distribution_domain_name = domain.distribution_hosted_zone_id = None

    def _delete(self) -> None:
        self.backend.domain_names.pop(self.physical_id, None)
        self.backend.base_path_mappings.pop(self.physical_id, None)


@model
class BasePathMapping(_Handle, CloudFormationModel):
    CREATE_ONLY = ("DomainName", "BasePath")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::BasePathMapping"

    def _create(self) -> None:
        p = self.props
        mapping = self.backend.create_base_path_mapping(
            p["DomainName"], p.get("RestApiId"), p.get("BasePath"), p.get("Stage")  # type: ignore[arg-type]
        )
        self.base_path = mapping.base_path
        self.physical_id = self.resource_name

    def _update(self, props: dict[str, Any]) -> None:
        operations = [{"op": "replace", "path": "/restapiId", "value": props.get("RestApiId")}]
        if props.get("Stage"):
            operations.append({"op": "replace", "path": "/stage", "value": props["Stage"]})
        self.backend.update_base_path_mapping(props["DomainName"], self.base_path, operations)
        if not props.get("Stage"):
            self.backend.get_base_path_mapping(props["DomainName"], self.base_path).stage = None

    def _delete(self) -> None:
        self.backend.base_path_mappings.get(self.props["DomainName"], {}).pop(self.base_path, None)


def _get_base_path_mappings(self: APIGatewayBackend, domain_name: str) -> list[apigw.BasePathMapping]:
    if domain_name not in self.domain_names:
        raise apigw.DomainNameNotFound()
    return list(self.base_path_mappings.get(domain_name, {}).values())


def _delete_deployment(self: APIGatewayBackend, function_id: str, deployment_id: str) -> apigw.Deployment:
    """DeleteDeployment refuses while any stage points at the deployment (issue 9)."""
    api = self.get_rest_api(function_id)
    if deployment_id not in api.deployments:
        raise apigw.DeploymentNotFoundException()
    if any(stage.deployment_id == deployment_id for stage in api.stages.values()):
        raise BadRequestException("Active stages pointing to this deployment must be moved or deleted")
    return api.deployments.pop(deployment_id)


def install() -> None:
    replace(APIGatewayBackend, "get_base_path_mappings", _get_base_path_mappings)
    replace(APIGatewayBackend, "delete_deployment", _delete_deployment)
