"""AWS::ApiGateway::* through change sets, read back through the API Gateway API
(local_aws/apigateway.py), the golden api templates deployed whole, and probes that fail once
moto fixes what the extension works around."""

import copy
import json

import pytest
from moto.apigateway import models as moto_apigw
from moto.apigateway.models import apigateway_backends
from moto.core.common_models import CloudFormationModel

from _support import error_code, export_stack, zipped
from conftest import ACCOUNT, REGION, golden_template
from local_aws import apigateway, route53
from local_aws._cfn import original

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/apigw-logs"
POOL_ARN = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_abcdefghi"
LAMBDA_URI = (
    f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:api-core:live/invocations"
)


def ref(name):
    return {"Ref": name}


def getatt(name, attribute):
    return {"Fn::GetAtt": [name, attribute]}


def base_template():
    """A REST API with one resource, a MOCK method, a deployment and a stage: what every
    per-type test builds on (a stage needs a deployment, which needs a method)."""
    return {
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {
                    "Name": "orders",
                    "Description": "first",
                    "EndpointConfiguration": {"Types": ["REGIONAL"]},
                    "Policy": {"Version": "2012-10-17", "Statement": []},
                    "Tags": [{"Key": "team", "Value": "a"}],
                },
            },
            "Items": {
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {"RestApiId": ref("Api"), "ParentId": getatt("Api", "RootResourceId"), "PathPart": "items"},
            },
            "ItemsOptions": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": ref("Api"),
                    "ResourceId": ref("Items"),
                    "HttpMethod": "OPTIONS",
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "Type": "MOCK",
                        "RequestTemplates": {"application/json": '{"statusCode": 204}'},
                        "IntegrationResponses": [
                            {"StatusCode": "204", "ResponseParameters": {"method.response.header.Vary": "'Origin'"}}
                        ],
                    },
                    "MethodResponses": [{"StatusCode": "204", "ResponseParameters": {"method.response.header.Vary": False}}],
                },
            },
            "Deployment1": {
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": ["ItemsOptions"],
                "Properties": {"RestApiId": ref("Api"), "Description": "one"},
            },
            "Stage": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {
                    "RestApiId": ref("Api"),
                    "StageName": "v1",
                    "DeploymentId": ref("Deployment1"),
                    "TracingEnabled": True,
                    "CacheClusterEnabled": True,
                    "CacheClusterSize": "0.5",
                    "Variables": {"origins": "https://a.example"},
                    "AccessLogSetting": {
                        "DestinationArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:access",
                        "Format": "$context.requestId",
                    },
                    "MethodSettings": [
                        {
                            "ResourcePath": "/*",
                            "HttpMethod": "*",
                            "ThrottlingBurstLimit": 5000,
                            "ThrottlingRateLimit": 2000.0,
                            "MetricsEnabled": True,
                            "LoggingLevel": "INFO",
                        },
                        {"ResourcePath": "/~1items", "HttpMethod": "GET", "CachingEnabled": True, "CacheTtlInSeconds": 60},
                    ],
                    "Tags": [{"Key": "Name", "Value": "stage"}],
                },
            },
        },
        "Outputs": {
            "ApiId": {"Value": ref("Api")},
            "ApiIdAtt": {"Value": getatt("Api", "RestApiId")},
            "Root": {"Value": getatt("Api", "RootResourceId")},
            "ItemsId": {"Value": ref("Items")},
            "ItemsIdAtt": {"Value": getatt("Items", "ResourceId")},
            "MethodRef": {"Value": ref("ItemsOptions")},
            "DeploymentId": {"Value": ref("Deployment1")},
            "DeploymentIdAtt": {"Value": getatt("Deployment1", "DeploymentId")},
            "StageName": {"Value": ref("Stage")},
        },
    }


def with_resources(template, **resources):
    t = copy.deepcopy(template)
    t["Resources"].update(resources)
    return t


def with_outputs(template, **outputs):
    t = copy.deepcopy(template)
    t["Outputs"].update({k: {"Value": v} for k, v in outputs.items()})
    return t


def fake_app_and_auth(aws, env):
    """What the api stack imports: three Lambda aliases (its Lambda::Permission resources
    need the functions to exist) and the Cognito user pool ARN."""
    lam = aws.client("lambda")
    role = aws.client("iam").create_role(RoleName=f"{env}-fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = zipped("def handler(event, context):\n    return {}\n", "index.py")
    exports = {f"matbakh-{env}-auth-UserPoolArn": POOL_ARN}
    for export, function in (("ApiCoreAliasArn", "api-core"), ("AdminOverviewAliasArn", "admin-overview"), ("VcStartAliasArn", "vc-start")):
        lam.create_function(
            FunctionName=f"{env}-{function}", Runtime="python3.12", Role=role, Handler="index.handler",
            Code={"ZipFile": code}, Publish=True,
        )
        alias = lam.create_alias(FunctionName=f"{env}-{function}", Name="live", FunctionVersion="1")
        exports[f"matbakh-{env}-app-{export}"] = alias["AliasArn"]
    export_stack(aws, f"matbakh-{env}-fake-imports", exports)


# ---------------------------------------------------------------- RestApi, Resource, Method


def test_rest_api_resource_and_method_created_updated_deleted(aws):
    apigw = aws.client("apigateway")
    aws.deploy("api", base_template())
    out = aws.outputs("api")
    api_id = out["ApiId"]
    assert aws.physical_id("api", "Api") == api_id == out["ApiIdAtt"]
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["name"] == "orders" and api["description"] == "first"
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert api["tags"] == {"team": "a"}
    assert json.loads(api["policy"]) == {"Version": "2012-10-17", "Statement": []}
    assert api["rootResourceId"] == out["Root"]

    resources = {r["path"]: r for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert set(resources) == {"/", "/items"}
    assert resources["/items"]["id"] == out["ItemsId"] == out["ItemsIdAtt"] == aws.physical_id("api", "Items")
    assert resources["/items"]["parentId"] == out["Root"]

    method_id = out["MethodRef"]
    assert method_id.startswith("api-ItemsOptions-") and aws.physical_id("api", "ItemsOptions") == method_id
    method = apigw.get_method(restApiId=api_id, resourceId=out["ItemsId"], httpMethod="OPTIONS")
    assert method["authorizationType"] == "NONE"
    assert method["methodResponses"]["204"]["responseParameters"] == {"method.response.header.Vary": False}
    integration = method["methodIntegration"]
    assert integration["type"] == "MOCK" and "httpMethod" not in integration and "uri" not in integration
    assert integration["requestTemplates"] == {"application/json": '{"statusCode": 204}'}
    assert integration["passthroughBehavior"] == "WHEN_NO_MATCH"
    assert integration["integrationResponses"]["204"]["responseParameters"] == {"method.response.header.Vary": "'Origin'"}

    # Update: RestApi description/policy/tags; the method becomes a Cognito-authorized
    # AWS_PROXY one with a validator and models (all updatable in place).
    template = base_template()
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}]}
    template["Resources"]["Api"]["Properties"].update(
        Name="orders-v2", Description="second", Policy=policy, Tags=[{"Key": "team", "Value": "b"}],
        BinaryMediaTypes=["image/png"],
    )
    template = with_resources(
        template,
        Auth={
            "Type": "AWS::ApiGateway::Authorizer",
            "Properties": {"RestApiId": ref("Api"), "Name": "cognito", "Type": "COGNITO_USER_POOLS",
                           "ProviderARNs": [POOL_ARN], "IdentitySource": "method.request.header.Authorization"},
        },
        Validator={
            "Type": "AWS::ApiGateway::RequestValidator",
            "Properties": {"RestApiId": ref("Api"), "Name": "body", "ValidateRequestBody": True},
        },
        Body={
            "Type": "AWS::ApiGateway::Model",
            "Properties": {"RestApiId": ref("Api"), "Name": "Body", "ContentType": "application/json",
                           "Schema": {"type": "object"}},
        },
    )
    template["Resources"]["ItemsOptions"]["Properties"] = {
        "RestApiId": ref("Api"),
        "ResourceId": ref("Items"),
        "HttpMethod": "OPTIONS",
        "AuthorizationType": "COGNITO_USER_POOLS",
        "AuthorizerId": ref("Auth"),
        "ApiKeyRequired": True,
        "RequestValidatorId": ref("Validator"),
        "RequestModels": {"application/json": ref("Body")},
        "RequestParameters": {"method.request.header.Authorization": True},
        "Integration": {
            "Type": "AWS_PROXY",
            "IntegrationHttpMethod": "POST",
            "Uri": LAMBDA_URI,
            "CacheKeyParameters": ["method.request.header.Authorization"],
        },
    }
    aws.deploy("api", template)
    assert aws.outputs("api")["ApiId"] == api_id and aws.outputs("api")["MethodRef"] == method_id
    api = apigw.get_rest_api(restApiId=api_id)
    assert (api["name"], api["description"], api["tags"]) == ("orders-v2", "second", {"team": "b"})
    assert json.loads(api["policy"]) == policy and api["binaryMediaTypes"] == ["image/png"]
    method = apigw.get_method(restApiId=api_id, resourceId=out["ItemsId"], httpMethod="OPTIONS")
    assert method["authorizationType"] == "COGNITO_USER_POOLS"
    assert method["authorizerId"] == aws.physical_id("api", "Auth")
    assert method["apiKeyRequired"] is True
    assert method["requestValidatorId"] == aws.physical_id("api", "Validator")
    assert method["requestModels"] == {"application/json": "Body"}
    assert method["requestParameters"] == {"method.request.header.Authorization": True}
    integration = apigw.get_integration(restApiId=api_id, resourceId=out["ItemsId"], httpMethod="OPTIONS")
    assert (integration["type"], integration["httpMethod"], integration["uri"]) == ("AWS_PROXY", "POST", LAMBDA_URI)
    assert integration["cacheKeyParameters"] == ["method.request.header.Authorization"]
    assert integration["timeoutInMillis"] == 29000

    # Delete: a second method goes away when removed from the template; the stack's
    # deletion removes the API.
    template = with_resources(
        template,
        ItemsGet={"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": ref("Api"), "ResourceId": ref("Items"), "HttpMethod": "GET",
            "Integration": {"Type": "MOCK"}}},
    )
    aws.deploy("api", template)
    assert apigw.get_method(restApiId=api_id, resourceId=out["ItemsId"], httpMethod="GET")["httpMethod"] == "GET"
    del template["Resources"]["ItemsGet"]
    aws.deploy("api", template)
    assert error_code(apigw.get_method, restApiId=api_id, resourceId=out["ItemsId"], httpMethod="GET") == "NotFoundException"
    aws.cfn.delete_stack(StackName="api")
    assert apigw.get_rest_apis()["items"] == []


def test_resource_removed_from_the_template_is_deleted_with_its_children(aws):
    apigw = aws.client("apigateway")
    template = with_resources(
        base_template(),
        Child={"Type": "AWS::ApiGateway::Resource",
               "Properties": {"RestApiId": ref("Api"), "ParentId": ref("Items"), "PathPart": "{id}"}},
        Extra={"Type": "AWS::ApiGateway::Resource",
               "Properties": {"RestApiId": ref("Api"), "ParentId": getatt("Api", "RootResourceId"), "PathPart": "extra"}},
    )
    aws.deploy("api", template)
    api_id = aws.outputs("api")["ApiId"]
    assert {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]} == {"/", "/items", "/items/{id}", "/extra"}
    del template["Resources"]["Extra"]
    aws.deploy("api", template)
    assert {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]} == {"/", "/items", "/items/{id}"}


def test_create_only_change_replaces_instead_of_dropping(aws):
    """Method.HttpMethod is createOnly: the engine replaces the method (new one created, old
    one deleted); whichever engine runs, the API ends with exactly the new method."""
    apigw = aws.client("apigateway")
    aws.deploy("api", base_template())
    out = aws.outputs("api")
    template = base_template()
    template["Resources"]["ItemsOptions"]["Properties"]["HttpMethod"] = "HEAD"
    aws.deploy("api", template)
    methods = apigw.get_resource(restApiId=out["ApiId"], resourceId=out["ItemsId"]).get("resourceMethods", {})
    assert set(methods) == {"HEAD"}
    assert aws.outputs("api")["MethodRef"] != out["MethodRef"]


# ---------------------------------------------------------------- Deployment and Stage


def test_deployment_and_stage_created_updated_replaced_deleted(aws):
    apigw = aws.client("apigateway")
    aws.deploy("api", base_template())
    out = aws.outputs("api")
    api_id, deployment_id = out["ApiId"], out["DeploymentId"]
    assert deployment_id == out["DeploymentIdAtt"] == aws.physical_id("api", "Deployment1")
    assert apigw.get_deployment(restApiId=api_id, deploymentId=deployment_id)["description"] == "one"
    assert out["StageName"] == "v1" == aws.physical_id("api", "Stage")
    stage = apigw.get_stage(restApiId=api_id, stageName="v1")
    assert stage["deploymentId"] == deployment_id
    assert stage["tracingEnabled"] is True
    assert (stage["cacheClusterEnabled"], stage["cacheClusterSize"], stage["cacheClusterStatus"]) == (True, "0.5", "AVAILABLE")
    assert stage["variables"] == {"origins": "https://a.example"}
    assert stage["accessLogSettings"] == {
        "destinationArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:access", "format": "$context.requestId"}
    assert stage["tags"] == {"Name": "stage"}
    everywhere = stage["methodSettings"]["*/*"]
    assert (everywhere["throttlingBurstLimit"], everywhere["throttlingRateLimit"]) == (5000, 2000.0)
    assert (everywhere["metricsEnabled"], everywhere["loggingLevel"], everywhere["cachingEnabled"]) == (True, "INFO", False)
    items = stage["methodSettings"]["~1items/GET"]
    assert (items["cachingEnabled"], items["cacheTtlInSeconds"]) == (True, 60)

    # Update in place: variables, method settings, tracing, cache off, access log removed.
    template = base_template()
    stage_props = template["Resources"]["Stage"]["Properties"]
    stage_props.update(Variables={"origins": "https://b.example"}, TracingEnabled=False, CacheClusterEnabled=False)
    stage_props["MethodSettings"][0]["ThrottlingRateLimit"] = 100.0
    del stage_props["AccessLogSetting"], stage_props["CacheClusterSize"]
    template["Resources"]["Deployment1"]["Properties"]["Description"] = "one, described again"
    aws.deploy("api", template)
    assert aws.physical_id("api", "Stage") == "v1" and aws.physical_id("api", "Deployment1") == deployment_id
    stage = apigw.get_stage(restApiId=api_id, stageName="v1")
    assert stage["variables"] == {"origins": "https://b.example"}
    assert stage["tracingEnabled"] is False and stage["cacheClusterEnabled"] is False
    assert "accessLogSettings" not in stage
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 100.0
    assert apigw.get_deployment(restApiId=api_id, deploymentId=deployment_id)["description"] == "one, described again"

    # A new deployment (our tool renames the Deployment when the API changes): the stage
    # points at it and the old deployment is deleted.
    template["Resources"]["Deployment2"] = template["Resources"].pop("Deployment1")
    stage_props["DeploymentId"] = ref("Deployment2")
    template["Outputs"]["DeploymentId"] = {"Value": ref("Deployment2")}
    del template["Outputs"]["DeploymentIdAtt"]
    aws.deploy("api", template)
    new_id = aws.outputs("api")["DeploymentId"]
    assert new_id != deployment_id
    assert apigw.get_stage(restApiId=api_id, stageName="v1")["deploymentId"] == new_id
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [new_id]

    # Delete the stage: removed from the template.
    del template["Resources"]["Stage"], template["Outputs"]["StageName"]
    aws.deploy("api", template)
    assert error_code(apigw.get_stage, restApiId=api_id, stageName="v1") == "NotFoundException"


def test_deployment_a_stage_still_uses_is_not_deleted(aws):
    """DeleteDeployment refuses while a stage points at the deployment; CloudFormation then
    leaves the old deployment behind in the cleanup phase and the update still completes."""
    apigw = aws.client("apigateway")
    aws.deploy("api", base_template())
    out = aws.outputs("api")
    apigw.create_stage(restApiId=out["ApiId"], stageName="manual", deploymentId=out["DeploymentId"])
    template = base_template()
    template["Resources"]["Deployment2"] = template["Resources"].pop("Deployment1")
    template["Resources"]["Stage"]["Properties"]["DeploymentId"] = ref("Deployment2")
    template["Outputs"]["DeploymentId"] = {"Value": ref("Deployment2")}
    del template["Outputs"]["DeploymentIdAtt"]
    aws.deploy("api", template)
    new_id = aws.outputs("api")["DeploymentId"]
    assert {d["id"] for d in apigw.get_deployments(restApiId=out["ApiId"])["items"]} == {out["DeploymentId"], new_id}


def test_deployment_with_stage_name_creates_the_described_stage(aws):
    apigw = aws.client("apigateway")
    template = base_template()
    del template["Resources"]["Stage"], template["Outputs"]["StageName"]
    template["Resources"]["Deployment1"]["Properties"].update(
        StageName="dev", StageDescription={"MetricsEnabled": True, "Variables": {"a": "1"}, "TracingEnabled": True}
    )
    aws.deploy("api", template)
    out = aws.outputs("api")
    stage = apigw.get_stage(restApiId=out["ApiId"], stageName="dev")
    assert stage["deploymentId"] == out["DeploymentId"]
    assert stage["variables"] == {"a": "1"} and stage["tracingEnabled"] is True
    assert stage["methodSettings"]["*/*"]["metricsEnabled"] is True


# ---------------------------------------------------------------- Authorizer, RequestValidator, Model, GatewayResponse


def authorizer(**overrides):
    props = {"RestApiId": ref("Api"), "Name": "cognito", "Type": "COGNITO_USER_POOLS",
             "ProviderARNs": [POOL_ARN], "IdentitySource": "method.request.header.Authorization"}
    props.update(overrides)
    return {"Type": "AWS::ApiGateway::Authorizer", "Properties": props}


def test_authorizer_created_updated_deleted(aws):
    apigw = aws.client("apigateway")
    template = with_outputs(with_resources(base_template(), Auth=authorizer()), AuthId=ref("Auth"), AuthIdAtt=getatt("Auth", "AuthorizerId"))
    aws.deploy("api", template)
    out = aws.outputs("api")
    auth_id = out["AuthId"]
    assert auth_id == out["AuthIdAtt"] == aws.physical_id("api", "Auth")
    got = apigw.get_authorizer(restApiId=out["ApiId"], authorizerId=auth_id)
    assert (got["name"], got["type"], got["providerARNs"]) == ("cognito", "COGNITO_USER_POOLS", [POOL_ARN])
    assert got["identitySource"] == "method.request.header.Authorization"
    assert got["authorizerResultTtlInSeconds"] == 300

    other_pool = POOL_ARN.replace("abcdefghi", "zyxwvutsr")
    template["Resources"]["Auth"] = authorizer(ProviderARNs=[other_pool], AuthorizerResultTtlInSeconds=60)
    aws.deploy("api", template)
    assert aws.outputs("api")["AuthId"] == auth_id
    got = apigw.get_authorizer(restApiId=out["ApiId"], authorizerId=auth_id)
    assert (got["providerARNs"], got["authorizerResultTtlInSeconds"]) == ([other_pool], 60)

    del template["Resources"]["Auth"], template["Outputs"]["AuthId"], template["Outputs"]["AuthIdAtt"]
    aws.deploy("api", template)
    assert error_code(apigw.get_authorizer, restApiId=out["ApiId"], authorizerId=auth_id) == "NotFoundException"


def test_token_authorizer_keeps_its_identity_validation_expression(aws):
    apigw = aws.client("apigateway")
    lambda_authorizer = authorizer(
        Type="TOKEN", ProviderARNs=None, AuthorizerUri=LAMBDA_URI, IdentityValidationExpression="^Bearer .+$"
    )
    del lambda_authorizer["Properties"]["ProviderARNs"]
    aws.deploy("api", with_resources(base_template(), Auth=lambda_authorizer))
    got = apigw.get_authorizer(restApiId=aws.outputs("api")["ApiId"], authorizerId=aws.physical_id("api", "Auth"))
    assert (got["type"], got["authorizerUri"], got["identityValidationExpression"]) == ("TOKEN", LAMBDA_URI, "^Bearer .+$")


def test_request_validator_model_and_gateway_response_created_updated_deleted(aws):
    apigw = aws.client("apigateway")

    def resources(validate_parameters, description, status):
        return {
            "Validator": {"Type": "AWS::ApiGateway::RequestValidator", "Properties": {
                "RestApiId": ref("Api"), "Name": "body-and-parameters", "ValidateRequestBody": True,
                "ValidateRequestParameters": validate_parameters}},
            "Body": {"Type": "AWS::ApiGateway::Model", "Properties": {
                "RestApiId": ref("Api"), "Name": "VCStartRequest", "ContentType": "application/json",
                "Description": description, "Schema": {"type": "object", "required": ["email"]}}},
            "Default4xx": {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": {
                "RestApiId": ref("Api"), "ResponseType": "DEFAULT_4XX", "StatusCode": status,
                "ResponseParameters": {"gatewayresponse.header.Vary": "'Origin'"},
                "ResponseTemplates": {"application/json": '{"message": $context.error.messageString}'}}},
        }

    outputs = {"ValidatorId": ref("Validator"), "ValidatorIdAtt": getatt("Validator", "RequestValidatorId"),
               "ModelName": ref("Body"), "ResponseId": ref("Default4xx"), "ResponseIdAtt": getatt("Default4xx", "Id")}
    template = with_outputs(with_resources(base_template(), **resources(False, "first", "400")), **outputs)
    aws.deploy("api", template)
    out = aws.outputs("api")
    api_id = out["ApiId"]
    assert out["ValidatorId"] == out["ValidatorIdAtt"] == aws.physical_id("api", "Validator")
    validator = apigw.get_request_validator(restApiId=api_id, requestValidatorId=out["ValidatorId"])
    assert (validator["name"], validator["validateRequestBody"], validator["validateRequestParameters"]) == (
        "body-and-parameters", True, False)
    assert out["ModelName"] == "VCStartRequest" == aws.physical_id("api", "Body")
    body = apigw.get_model(restApiId=api_id, modelName="VCStartRequest")
    assert (body["contentType"], body["description"]) == ("application/json", "first")
    assert json.loads(body["schema"]) == {"type": "object", "required": ["email"]}
    assert out["ResponseId"] == out["ResponseIdAtt"] == aws.physical_id("api", "Default4xx")
    response = apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert (response["statusCode"], response["responseParameters"]) == ("400", {"gatewayresponse.header.Vary": "'Origin'"})

    template["Resources"].update(resources(True, "second", "403"))
    aws.deploy("api", template)
    out2 = aws.outputs("api")
    assert (out2["ValidatorId"], out2["ModelName"], out2["ResponseId"]) == (out["ValidatorId"], "VCStartRequest", out["ResponseId"])
    assert apigw.get_request_validator(restApiId=api_id, requestValidatorId=out["ValidatorId"])["validateRequestParameters"] is True
    assert apigw.get_model(restApiId=api_id, modelName="VCStartRequest")["description"] == "second"
    assert apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")["statusCode"] == "403"

    for name in ("Validator", "Body", "Default4xx"):
        del template["Resources"][name]
    for name in outputs:
        del template["Outputs"][name]
    aws.deploy("api", template)
    assert apigw.get_request_validators(restApiId=api_id)["items"] == []
    assert apigw.get_models(restApiId=api_id)["items"] == []
    assert error_code(apigw.get_gateway_response, restApiId=api_id, responseType="DEFAULT_4XX") == "NotFoundException"


# ---------------------------------------------------------------- UsagePlan, Account


def test_usage_plan_created_updated_deleted(aws):
    apigw = aws.client("apigateway")

    def plan(burst, rate):
        return {"Type": "AWS::ApiGateway::UsagePlan", "Properties": {
            "UsagePlanName": "authenticated", "Description": "1000 rpm",
            "ApiStages": [{"ApiId": ref("Api"), "Stage": ref("Stage")}],
            "Throttle": {"BurstLimit": burst, "RateLimit": rate},
            "Quota": {"Limit": 1000, "Period": "DAY"},
            "Tags": [{"Key": "Name", "Value": "plan"}]}}

    template = with_outputs(with_resources(base_template(), Plan=plan(166, 16.666666666666668)),
                            PlanId=ref("Plan"), PlanIdAtt=getatt("Plan", "Id"))
    aws.deploy("api", template)
    out = aws.outputs("api")
    assert out["PlanId"] == out["PlanIdAtt"] == aws.physical_id("api", "Plan")
    got = apigw.get_usage_plan(usagePlanId=out["PlanId"])
    assert (got["name"], got["description"]) == ("authenticated", "1000 rpm")
    assert got["apiStages"] == [{"apiId": out["ApiId"], "stage": "v1"}]
    assert got["throttle"] == {"burstLimit": 166, "rateLimit": 16.666666666666668}
    assert got["quota"] == {"limit": 1000, "period": "DAY"}
    assert got["tags"] == {"Name": "plan"}

    template["Resources"]["Plan"] = plan(16, 1.6666666666666667)
    aws.deploy("api", template)
    assert aws.outputs("api")["PlanId"] == out["PlanId"]
    assert apigw.get_usage_plan(usagePlanId=out["PlanId"])["throttle"] == {"burstLimit": 16, "rateLimit": 1.6666666666666667}

    del template["Resources"]["Plan"], template["Outputs"]["PlanId"], template["Outputs"]["PlanIdAtt"]
    aws.deploy("api", template)
    assert error_code(apigw.get_usage_plan, usagePlanId=out["PlanId"]) == "NotFoundException"


def test_account_sets_the_cloudwatch_role_and_keeps_it_on_delete(aws):
    apigw = aws.client("apigateway")

    def template(role):
        return {"Resources": {"Account": {"Type": "AWS::ApiGateway::Account", "Properties": {"CloudWatchRoleArn": role}}},
                "Outputs": {"Id": {"Value": ref("Account")}, "IdAtt": {"Value": getatt("Account", "Id")}}}

    aws.deploy("account", template(ROLE_ARN))
    out = aws.outputs("account")
    assert out["Id"] == out["IdAtt"] == aws.physical_id("account", "Account")
    assert apigw.get_account()["cloudwatchRoleArn"] == ROLE_ARN
    aws.deploy("account", template(ROLE_ARN + "-2"))
    assert aws.outputs("account")["Id"] == out["Id"]
    assert apigw.get_account()["cloudwatchRoleArn"] == ROLE_ARN + "-2"
    # AWS CloudFormation leaves the account-wide setting when the resource is deleted
    # (aws/aws-cdk#6194); so do we.
    aws.cfn.delete_stack(StackName="account")
    assert apigw.get_account()["cloudwatchRoleArn"] == ROLE_ARN + "-2"


# ---------------------------------------------------------------- DomainName, BasePathMapping


def domain(policy="TLS_1_2"):
    return {"Type": "AWS::ApiGateway::DomainName", "Properties": {
        "DomainName": "api.example.com",
        "RegionalCertificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/1",
        "EndpointConfiguration": {"Types": ["REGIONAL"]},
        "SecurityPolicy": policy,
        "Tags": [{"Key": "Name", "Value": "domain"}]}}


def test_domain_name_and_base_path_mapping_created_updated_deleted(aws):
    apigw = aws.client("apigateway")
    template = with_resources(
        base_template(),
        Domain=domain(),
        Mapping={"Type": "AWS::ApiGateway::BasePathMapping", "Properties": {
            "DomainName": ref("Domain"), "RestApiId": ref("Api"), "Stage": ref("Stage")}},
    )
    template = with_outputs(
        template, DomainRef=ref("Domain"), Target=getatt("Domain", "RegionalDomainName"),
        Zone=getatt("Domain", "RegionalHostedZoneId"), DomainArn=getatt("Domain", "DomainNameArn"),
    )
    aws.deploy("api", template)
    out = aws.outputs("api")
    assert out["DomainRef"] == "api.example.com" == aws.physical_id("api", "Domain")
    assert out["Zone"] == "Z1U9ULNL0V5AJ3"  # API Gateway's regional zone in eu-central-1
    assert out["DomainArn"] == f"arn:aws:apigateway:{REGION}::/domainnames/api.example.com"
    got = apigw.get_domain_name(domainName="api.example.com")
    assert got["regionalDomainName"] == out["Target"] and out["Target"].endswith(f".execute-api.{REGION}.amazonaws.com")
    assert (got["regionalHostedZoneId"], got["securityPolicy"]) == ("Z1U9ULNL0V5AJ3", "TLS_1_2")
    # API Gateway defaults a public domain to IPv4 only.
    assert got["endpointConfiguration"] == {"types": ["REGIONAL"], "ipAddressType": "ipv4"}
    assert got["regionalCertificateArn"].endswith("certificate/1")
    assert "distributionDomainName" not in got
    assert apigw.get_base_path_mappings(domainName="api.example.com")["items"] == [
        {"basePath": "(none)", "restApiId": out["ApiId"], "stage": "v1"}]

    # Update: the security policy in place; the mapping points at another stage.
    template["Resources"]["Domain"] = domain("TLS_1_0")
    template["Resources"]["Stage2"] = copy.deepcopy(template["Resources"]["Stage"])
    template["Resources"]["Stage2"]["Properties"]["StageName"] = "v2"
    template["Resources"]["Mapping"]["Properties"]["Stage"] = ref("Stage2")
    aws.deploy("api", template)
    assert apigw.get_domain_name(domainName="api.example.com")["securityPolicy"] == "TLS_1_0"
    assert apigw.get_base_path_mappings(domainName="api.example.com")["items"][0]["stage"] == "v2"

    del template["Resources"]["Mapping"]
    aws.deploy("api", template)
    assert apigw.get_base_path_mappings(domainName="api.example.com")["items"] == []
    aws.cfn.delete_stack(StackName="api")
    assert error_code(apigw.get_domain_name, domainName="api.example.com") == "NotFoundException"


# ---------------------------------------------------------------- the golden api templates


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_golden_api_template_deploys_and_reads_back(aws, env):
    apigw = aws.client("apigateway")
    fake_app_and_auth(aws, env)
    template = golden_template(env, "api")
    resources = template["Resources"]
    # The hosted zone of the domain's DNS records exists before the first apply (operators).
    zones = {v["Properties"]["HostedZoneId"] for v in resources.values() if v["Type"] == "AWS::Route53::RecordSet"}
    if zones:
        route53.seed_hosted_zones(",".join(f"{z}=matbakh.app" for z in zones), ACCOUNT)
    aws.deploy(f"matbakh-{env}-api", template)
    out = aws.outputs(f"matbakh-{env}-api")
    api_id = out["RestApiId"]
    assert out["StageArn"] == f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/v1"
    assert out["InvokeUrl"] == f"https://{api_id}.execute-api.{REGION}.amazonaws.com/v1"

    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in aws.cfn.describe_stack_resources(StackName=f"matbakh-{env}-api")["StackResources"]}
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["name"] == "matbakh-api" and api["endpointConfiguration"]["types"] == ["REGIONAL"]
    # One GetResources with embedded methods reads the whole tree back.
    live = {r["id"]: r for r in apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]}
    declared_resources = [k for k, v in resources.items() if v["Type"] == "AWS::ApiGateway::Resource"]
    assert len(live) == len(declared_resources) + 1  # + the root
    assert {live[physical[k]]["pathPart"] for k in declared_resources} == {
        resources[k]["Properties"]["PathPart"] for k in declared_resources}
    authorizer_id, validator_id = physical["CognitoAuthorizer"], physical["BodyValidator"]
    declared_methods = {k: v["Properties"] for k, v in resources.items() if v["Type"] == "AWS::ApiGateway::Method"}
    for logical_id, props in declared_methods.items():
        method = live[physical[props["ResourceId"]["Ref"]]]["resourceMethods"][props["HttpMethod"]]
        assert method["authorizationType"] == props["AuthorizationType"], logical_id
        assert method.get("authorizerId") == (authorizer_id if "AuthorizerId" in props else None), logical_id
        assert method.get("requestValidatorId") == (validator_id if "RequestValidatorId" in props else None)
        assert method.get("requestParameters") == props.get("RequestParameters"), logical_id
        integration = method["methodIntegration"]
        assert integration["type"] == props["Integration"]["Type"]
        assert integration["cacheKeyParameters"] == props["Integration"].get("CacheKeyParameters", []), logical_id
        if props["Integration"]["Type"] == "MOCK":
            assert integration["integrationResponses"]["204"]["responseTemplates"]
            assert set(method["methodResponses"]) == {"204"}
        else:
            assert ":function:" in integration["uri"] and integration["httpMethod"] == "POST"
    vc_start = live[physical["ApiV1VcStartResource"]]["resourceMethods"]["POST"]
    assert vc_start["requestModels"] == {"application/json": "VCStartRequest"}

    authorizer = apigw.get_authorizer(restApiId=api_id, authorizerId=authorizer_id)
    assert (authorizer["type"], authorizer["providerARNs"]) == ("COGNITO_USER_POOLS", [POOL_ARN])
    assert json.loads(apigw.get_model(restApiId=api_id, modelName="VCStartRequest")["schema"])["required"] == ["email", "business_name"]
    # Every gateway response answers in the design's ErrorResponse shape.
    declared_responses = {v["Properties"]["ResponseType"]: v["Properties"] for v in resources.values()
                          if v["Type"] == "AWS::ApiGateway::GatewayResponse"}
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "THROTTLED", "BAD_REQUEST_BODY"} <= set(declared_responses)
    for response_type, props in declared_responses.items():
        live_response = apigw.get_gateway_response(restApiId=api_id, responseType=response_type)
        assert live_response["responseTemplates"] == props["ResponseTemplates"], response_type
        assert '"request_id": "$context.requestId"' in live_response["responseTemplates"]["application/json"]
        assert live_response.get("responseParameters", {}) == props.get("ResponseParameters", {}), response_type

    stage = apigw.get_stage(restApiId=api_id, stageName="v1")
    assert stage["deploymentId"] == physical[next(k for k in resources if k.startswith("Deployment"))]
    declared_stage = resources["Stage"]["Properties"]
    assert len(stage["methodSettings"]) == len(declared_stage["MethodSettings"])
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "INFO"
    assert stage["cacheClusterEnabled"] is declared_stage["CacheClusterEnabled"]
    assert stage["accessLogSettings"]["destinationArn"].endswith(f"log-group:/aws/apigateway/matbakh-{env}-api-access:*")
    assert stage["variables"] == declared_stage["Variables"]
    plans = {p["name"]: p for p in apigw.get_usage_plans()["items"]}
    assert plans[f"matbakh-{env}-api-authenticated"]["throttle"] == {"burstLimit": 166, "rateLimit": 16.666666666666668}
    assert plans[f"matbakh-{env}-api-anonymous"]["apiStages"] == [{"apiId": api_id, "stage": "v1"}]
    role = aws.client("iam").get_role(RoleName=physical["ApiGatewayCloudWatchRole"])["Role"]
    assert apigw.get_account()["cloudwatchRoleArn"] == role["Arn"]
    if env == "prod":
        assert out["CustomDomainHostedZoneId"] == "Z1U9ULNL0V5AJ3"
        live_domain = apigw.get_domain_name(domainName="api.matbakh.app")
        assert out["CustomDomainTarget"] == live_domain["regionalDomainName"]
        assert live_domain["endpointConfiguration"] == {"types": ["REGIONAL"], "ipAddressType": "dualstack"}
        (zone,) = zones
        records = aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
        assert {r["Type"]: r["AliasTarget"] for r in records if "AliasTarget" in r} == {
            t: {"HostedZoneId": "Z1U9ULNL0V5AJ3", "DNSName": live_domain["regionalDomainName"], "EvaluateTargetHealth": False}
            for t in ("A", "AAAA")}
        assert apigw.get_base_path_mappings(domainName="api.matbakh.app")["items"] == [
            {"basePath": "(none)", "restApiId": api_id, "stage": "v1"}]

    # An update of the deployed design: the stage's CORS origins and the throttle change in
    # place; nothing is dropped.
    updated = copy.deepcopy(template)
    updated["Resources"]["Stage"]["Properties"]["Variables"] = {"corsAllowedOrigins": "https://matbakh.app"}
    updated["Resources"]["AnonymousUsagePlan"]["Properties"]["Throttle"]["BurstLimit"] = 8
    aws.deploy(f"matbakh-{env}-api", updated)
    assert aws.outputs(f"matbakh-{env}-api")["RestApiId"] == api_id
    assert apigw.get_stage(restApiId=api_id, stageName="v1")["variables"] == {"corsAllowedOrigins": "https://matbakh.app"}
    assert {p["name"]: p for p in apigw.get_usage_plans()["items"]}[f"matbakh-{env}-api-anonymous"]["throttle"]["burstLimit"] == 8
    assert len(apigw.get_resources(restApiId=api_id, limit=500)["items"]) == len(declared_resources) + 1


# ---------------------------------------------------------------- probes: still broken in moto?


def moto_cfn_classes(resource_type):
    return [c for c in CloudFormationModel.__subclasses__()
            if c.__module__.startswith("moto.") and c.cloudformation_type() == resource_type]


def moto_api(name="probe"):
    return apigateway_backends[ACCOUNT][REGION].create_rest_api(name=name, description="")


def test_probe_method_mock_integration_keyerror(aws):
    api = moto_api()
    props = {"RestApiId": api.id, "ResourceId": api.root_resource_id, "HttpMethod": "OPTIONS",
             "AuthorizationType": "NONE", "Integration": {"Type": "MOCK"}}
    try:
        moto_apigw.Method.create_from_cloudformation_json("m", {"Properties": props}, ACCOUNT, REGION)
    except KeyError:
        return
    pytest.fail("moto fixed AWS::ApiGateway::Method with a MOCK integration upstream: "
                "remove the extension in local_aws/apigateway.py (issue 1)")


def test_probe_method_drops_authorizer_validator_and_responses(aws):
    api = moto_api()
    props = {"RestApiId": api.id, "ResourceId": api.root_resource_id, "HttpMethod": "GET",
             "AuthorizationType": "COGNITO_USER_POOLS", "AuthorizerId": "abc123", "RequestValidatorId": "def456",
             "RequestParameters": {"method.request.header.Authorization": True},
             "MethodResponses": [{"StatusCode": "200"}],
             "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": LAMBDA_URI}}
    method = moto_apigw.Method.create_from_cloudformation_json("m", {"Properties": props}, ACCOUNT, REGION)
    assert (method.authorizer_id, method.request_validator_id, method.request_parameters, method.method_responses) == (
        None, None, None, {}), ("moto fixed AWS::ApiGateway::Method's dropped properties upstream: "
                                "remove the extension in local_aws/apigateway.py (issue 2)")


def test_probe_method_and_deployment_have_no_physical_id(aws):
    assert not hasattr(moto_apigw.Method, "physical_resource_id") and not hasattr(moto_apigw.Deployment, "physical_resource_id"), (
        "moto fixed Ref of AWS::ApiGateway::Method/Deployment upstream: remove the extension in "
        "local_aws/apigateway.py (issue 3)")


@pytest.mark.parametrize("resource_type", [
    "Stage", "Authorizer", "RequestValidator", "Model", "GatewayResponse", "UsagePlan", "Account", "DomainName",
    "BasePathMapping"])
def test_probe_types_without_a_moto_model(aws, resource_type):
    assert moto_cfn_classes(f"AWS::ApiGateway::{resource_type}") == [], (
        f"moto supports AWS::ApiGateway::{resource_type} upstream now: compare with the model in "
        "local_aws/apigateway.py and remove ours if it does what AWS documents (issue 4)")


def test_probe_rest_api_drops_properties_and_has_no_update_handler(aws):
    props = {"Name": "n", "EndpointConfiguration": {"Types": ["REGIONAL"]}, "Policy": {"Version": "2012-10-17"},
             "Tags": [{"Key": "k", "Value": "v"}]}
    api = moto_apigw.RestAPI.create_from_cloudformation_json("n", {"Properties": props}, ACCOUNT, REGION)
    got = aws.client("apigateway").get_rest_api(restApiId=api.id)
    broken = (got.get("endpointConfiguration") == {} and not got.get("tags") and "policy" not in got
              and hasattr(moto_apigw.RestAPI.update_from_cloudformation_json, "__isabstractmethod__"))
    assert broken, "moto fixed AWS::ApiGateway::RestApi upstream: remove the extension in local_aws/apigateway.py (issue 5)"


def test_probe_domain_name_regional_hosted_zone(aws):
    got = aws.client("apigateway").create_domain_name(
        domainName="probe.example.com", regionalCertificateArn=f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/1",
        endpointConfiguration={"types": ["REGIONAL"]})
    assert got["regionalHostedZoneId"] == "Z2FDTNDATAQYW2" and "distributionDomainName" in got, (
        "moto fixed DomainName's regional hosted zone upstream: remove the fix in local_aws/apigateway.py (issue 6)")


def test_probe_get_base_path_mappings_without_mappings(aws):
    backend = apigateway_backends[ACCOUNT][REGION]
    backend.create_domain_name("probe.example.com", *([None] * 10))
    with pytest.raises(KeyError):
        original(moto_apigw.APIGatewayBackend, "get_base_path_mappings")(backend, "probe.example.com")
    # ... and ours answers as AWS does.
    assert aws.client("apigateway").get_base_path_mappings(domainName="probe.example.com").get("items", []) == []


def test_probe_create_authorizer_drops_identity_validation_expression(aws):
    apigw = aws.client("apigateway")
    api_id = apigw.create_rest_api(name="probe")["id"]
    got = apigw.create_authorizer(restApiId=api_id, name="t", type="TOKEN", authorizerUri=LAMBDA_URI,
                                  identitySource="method.request.header.Authorization",
                                  identityValidationExpression="^Bearer .+$")
    assert "identityValidationExpression" not in got, (
        "moto fixed CreateAuthorizer's identityValidationExpression upstream: drop the note in "
        "local_aws/apigateway.py (issue 8)")


def test_probe_delete_deployment_ignores_stages_using_it(aws):
    backend = apigateway_backends[ACCOUNT][REGION]
    api = moto_api()
    backend.put_method(api.id, api.root_resource_id, "GET", "NONE")
    backend.put_integration(api.id, api.root_resource_id, "GET", "MOCK", None, None)  # type: ignore[arg-type]
    deployment = backend.create_deployment(api.id, None)  # type: ignore[arg-type]
    backend.create_stage(api.id, "v1", deployment.id)
    original(moto_apigw.APIGatewayBackend, "delete_deployment")(backend, api.id, deployment.id)
    assert deployment.id not in api.deployments, (
        "moto fixed DeleteDeployment for stages still using the deployment upstream: remove the "
        "replacement in local_aws/apigateway.py (issue 9)")


def test_extension_registers_every_golden_type(aws):
    used = {r["Type"] for env in ("dev", "staging", "prod") for r in golden_template(env, "api")["Resources"].values()}
    for resource_type in sorted(t for t in used if t.startswith("AWS::ApiGateway::")):
        assert resource_type in {cls.cloudformation_type() for cls in (
            apigateway.RestApi, apigateway.Resource, apigateway.Method, apigateway.Deployment, apigateway.Stage,
            apigateway.Authorizer, apigateway.RequestValidator, apigateway.Model, apigateway.GatewayResponse,
            apigateway.UsagePlan, apigateway.Account, apigateway.DomainName, apigateway.BasePathMapping)}
