//! `AWS::ApiGateway::*`: a REST API built resource by resource (no OpenAPI body), its
//! deployment and stage, usage plans, custom domain and the account's logging role.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::Tag;
use crate::attributes;
use crate::cfn::{Pseudo, Resource, Str};

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum EndpointType {
    Regional,
    Edge,
    Private,
}

/// Which IP versions reach an endpoint.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum IpAddressType {
    Ipv4,
    /// IPv4 and IPv6.
    Dualstack,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointConfiguration {
    pub types: Vec<EndpointType>,
    /// API Gateway's default is `ipv4`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<IpAddressType>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RestApi {
    pub name: String,
    pub description: String,
    pub endpoint_configuration: EndpointConfiguration,
    pub tags: Vec<Tag>,
}
impl Resource for RestApi {
    const TYPE: &'static str = "AWS::ApiGateway::RestApi";
}
// `Ref` is the API id.
attributes!(RestApi { root_resource_id => "RootResourceId" });

/// One path segment under its parent (the API root or another resource).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiResource {
    pub rest_api_id: Str,
    pub parent_id: Str,
    /// One segment, e.g. `partners` or `{id}`.
    pub path_part: String,
}
impl Resource for ApiResource {
    const TYPE: &'static str = "AWS::ApiGateway::Resource";
}
// `Ref` is the resource id.
attributes!(ApiResource { resource_id => "ResourceId" });

/// Who may call a method; the authorizer comes with the type that needs one.
#[derive(Serialize)]
#[serde(tag = "AuthorizationType")]
pub enum Authorization {
    #[serde(rename = "NONE")]
    None,
    #[serde(rename = "COGNITO_USER_POOLS")]
    CognitoUserPools {
        #[serde(rename = "AuthorizerId")]
        authorizer_id: Str,
    },
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IntegrationType {
    /// Lambda proxy: the function gets the whole request and returns the whole response.
    AwsProxy,
    /// API Gateway answers by itself from mapping templates.
    Mock,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PassthroughBehavior {
    WhenNoMatch,
    WhenNoTemplates,
    Never,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IntegrationResponse {
    pub status_code: String,
    /// `method.response.header.<name>` → a mapping expression (`'static'` is a literal).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub response_parameters: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub response_templates: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Integration {
    #[serde(rename = "Type")]
    pub integration_type: IntegrationType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_http_method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<Str>,
    /// `method.request.*` parameters the stage cache keys responses by.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cache_key_parameters: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passthrough_behavior: Option<PassthroughBehavior>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub request_templates: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub integration_responses: Vec<IntegrationResponse>,
}

impl Integration {
    /// Lambda proxy integration with a function (or alias) ARN. Lambda is always invoked
    /// with POST, whatever the method's verb.
    pub fn lambda_proxy(function_arn: Str, cache_key_parameters: Vec<String>) -> Self {
        Integration {
            integration_type: IntegrationType::AwsProxy,
            integration_http_method: Some("POST"),
            uri: Some(lambda_invocation_uri(function_arn)),
            cache_key_parameters,
            passthrough_behavior: None,
            request_templates: BTreeMap::new(),
            integration_responses: Vec::new(),
        }
    }

    /// A mock integration that answers every request with `response`.
    pub fn mock(response: IntegrationResponse) -> Self {
        let status = response.status_code.clone();
        Integration {
            integration_type: IntegrationType::Mock,
            integration_http_method: None,
            uri: None,
            cache_key_parameters: Vec::new(),
            // A request without Content-Type uses the application/json template.
            passthrough_behavior: Some(PassthroughBehavior::WhenNoMatch),
            request_templates: BTreeMap::from([(
                "application/json".to_owned(),
                format!("{{\"statusCode\": {status}}}"),
            )]),
            integration_responses: vec![response],
        }
    }
}

/// `arn:${Partition}:apigateway:${Region}:lambda:path/2015-03-31/functions/<arn>/invocations`
pub fn lambda_invocation_uri(function_arn: Str) -> Str {
    Str::concat([
        Str::lit("arn:"),
        Pseudo::Partition.into(),
        Str::lit(":apigateway:"),
        Pseudo::Region.into(),
        Str::lit(":lambda:path/2015-03-31/functions/"),
        function_arn,
        Str::lit("/invocations"),
    ])
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MethodResponse {
    pub status_code: String,
    /// `method.response.header.<name>` → whether it is required.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub response_parameters: BTreeMap<String, bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Method {
    pub rest_api_id: Str,
    pub resource_id: Str,
    /// `GET`, `POST`, … or `OPTIONS`.
    pub http_method: &'static str,
    #[serde(flatten)]
    pub authorization: Authorization,
    pub api_key_required: bool,
    /// `method.request.{path,querystring,header}.<name>` → whether it is required.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub request_parameters: BTreeMap<String, bool>,
    /// Content type → model name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub request_models: BTreeMap<String, Str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_validator_id: Option<Str>,
    pub integration: Integration,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub method_responses: Vec<MethodResponse>,
}
impl Resource for Method {
    const TYPE: &'static str = "AWS::ApiGateway::Method";
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum AuthorizerType {
    #[serde(rename = "COGNITO_USER_POOLS")]
    CognitoUserPools,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Authorizer {
    pub rest_api_id: Str,
    pub name: String,
    #[serde(rename = "Type")]
    pub authorizer_type: AuthorizerType,
    /// ARNs of the user pools whose tokens are accepted.
    #[serde(rename = "ProviderARNs")]
    pub provider_arns: Vec<Str>,
    /// Where the token is, e.g. `method.request.header.Authorization`.
    pub identity_source: String,
}
impl Resource for Authorizer {
    const TYPE: &'static str = "AWS::ApiGateway::Authorizer";
}
// `Ref` is the authorizer id.
attributes!(Authorizer { authorizer_id => "AuthorizerId" });

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestValidator {
    pub rest_api_id: Str,
    pub name: String,
    pub validate_request_body: bool,
    pub validate_request_parameters: bool,
}
impl Resource for RequestValidator {
    const TYPE: &'static str = "AWS::ApiGateway::RequestValidator";
}
// `Ref` is the validator id.
attributes!(RequestValidator { request_validator_id => "RequestValidatorId" });

/// A JSON Schema (draft 04, the version API Gateway supports) for request validation.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Model {
    pub rest_api_id: Str,
    /// Alphanumeric; `Ref` returns it.
    pub name: String,
    pub description: String,
    pub content_type: &'static str,
    pub schema: Value,
}
impl Resource for Model {
    const TYPE: &'static str = "AWS::ApiGateway::Model";
}

/// A response API Gateway generates itself (authorizer denials, throttling, errors).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GatewayResponse {
    pub rest_api_id: Str,
    /// e.g. `DEFAULT_4XX`.
    pub response_type: &'static str,
    /// `gatewayresponse.header.<name>` → a mapping expression (`'static'` is a literal).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub response_parameters: BTreeMap<String, String>,
    /// Content type → body template (`$context` variables, no VTL logic).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub response_templates: BTreeMap<String, String>,
}
impl Resource for GatewayResponse {
    const TYPE: &'static str = "AWS::ApiGateway::GatewayResponse";
}

/// A snapshot of the API's resources and methods; a stage serves one.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Deployment {
    pub rest_api_id: Str,
    pub description: String,
}
impl Resource for Deployment {
    const TYPE: &'static str = "AWS::ApiGateway::Deployment";
}
// `Ref` is the deployment id.
attributes!(Deployment { deployment_id => "DeploymentId" });

/// Settings for the methods at `resource_path` (`/*` with `*`: every method).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct MethodSetting {
    /// The resource path with `/` written as `~1`, e.g. `/~1api~1v1~1users`; `/*` for all.
    pub resource_path: String,
    pub http_method: String,
    pub throttling_burst_limit: u32,
    pub throttling_rate_limit: f64,
    pub caching_enabled: bool,
    pub cache_ttl_in_seconds: u32,
    pub cache_data_encrypted: bool,
    pub metrics_enabled: bool,
    pub logging_level: LoggingLevel,
    pub data_trace_enabled: bool,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum LoggingLevel {
    Off,
    Error,
    Info,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessLogSetting {
    /// ARN of the log group.
    pub destination_arn: Str,
    /// One line of `$context` variables; must contain `$context.requestId`.
    pub format: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Stage {
    pub rest_api_id: Str,
    pub stage_name: String,
    pub description: String,
    pub deployment_id: Str,
    pub tracing_enabled: bool,
    pub cache_cluster_enabled: bool,
    /// GB as API Gateway writes it, e.g. `0.5`; only with the cache enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_cluster_size: Option<String>,
    pub method_settings: Vec<MethodSetting>,
    pub access_log_setting: AccessLogSetting,
    /// Stage variables (names alphanumeric); Lambda proxy events carry them.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, String>,
    pub tags: Vec<Tag>,
}
impl Resource for Stage {
    const TYPE: &'static str = "AWS::ApiGateway::Stage";
}
// `Ref` is the stage name; the type has no `Fn::GetAtt` attributes.

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ThrottleSettings {
    pub burst_limit: u32,
    /// Requests per second (may be fractional).
    pub rate_limit: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiStage {
    pub api_id: Str,
    /// The stage name (`Ref` of the stage, which also orders the plan after it).
    pub stage: Str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UsagePlan {
    pub usage_plan_name: String,
    pub description: String,
    pub api_stages: Vec<ApiStage>,
    pub throttle: ThrottleSettings,
    pub tags: Vec<Tag>,
}
impl Resource for UsagePlan {
    const TYPE: &'static str = "AWS::ApiGateway::UsagePlan";
}
// `Ref` is the usage plan id.
attributes!(UsagePlan { usage_plan_id => "Id" });

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum SecurityPolicy {
    #[serde(rename = "TLS_1_2")]
    Tls12,
}

/// A custom domain name served by a regional endpoint.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainName {
    pub domain_name: String,
    /// ACM certificate in the API's region.
    pub regional_certificate_arn: String,
    pub endpoint_configuration: EndpointConfiguration,
    pub security_policy: SecurityPolicy,
    pub tags: Vec<Tag>,
}
impl Resource for DomainName {
    const TYPE: &'static str = "AWS::ApiGateway::DomainName";
}
// `Ref` is the domain name.
attributes!(DomainName {
    regional_domain_name => "RegionalDomainName",
    regional_hosted_zone_id => "RegionalHostedZoneId",
});

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BasePathMapping {
    pub domain_name: Str,
    pub rest_api_id: Str,
    pub stage: Str,
    /// Omitted for the root of the domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_path: Option<String>,
}
impl Resource for BasePathMapping {
    const TYPE: &'static str = "AWS::ApiGateway::BasePathMapping";
}

/// The region-wide API Gateway settings of the account (one per account and region).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Account {
    #[serde(rename = "CloudWatchRoleArn")]
    pub cloudwatch_role_arn: Str,
}
impl Resource for Account {
    const TYPE: &'static str = "AWS::ApiGateway::Account";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfn::LogicalId;
    use serde_json::json;

    #[test]
    fn authorization_flattens_into_the_method() {
        let method = Method {
            rest_api_id: Str::lit("api"),
            resource_id: Str::lit("res"),
            http_method: "GET",
            authorization: Authorization::CognitoUserPools { authorizer_id: Str::Ref(LogicalId::new("Auth")) },
            api_key_required: false,
            request_parameters: BTreeMap::new(),
            request_models: BTreeMap::new(),
            request_validator_id: None,
            integration: Integration::lambda_proxy(Str::lit("arn:aws:lambda:r:1:function:f:live"), Vec::new()),
            method_responses: Vec::new(),
        };
        let v = serde_json::to_value(&method).unwrap();
        assert_eq!(v["AuthorizationType"], "COGNITO_USER_POOLS");
        assert_eq!(v["AuthorizerId"], json!({"Ref": "Auth"}));
        assert_eq!(v["Integration"]["Type"], "AWS_PROXY");
        assert_eq!(v["Integration"]["IntegrationHttpMethod"], "POST");
        assert_eq!(
            v["Integration"]["Uri"],
            json!({"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:r:1:function:f:live/invocations"})
        );
        let open = Method { authorization: Authorization::None, ..method };
        let v = serde_json::to_value(&open).unwrap();
        assert_eq!(v["AuthorizationType"], "NONE");
        assert!(v.get("AuthorizerId").is_none());
    }

    #[test]
    fn mock_integrations_answer_with_their_status() {
        let mock = Integration::mock(IntegrationResponse {
            status_code: "204".into(),
            response_parameters: BTreeMap::new(),
            response_templates: BTreeMap::new(),
        });
        let v = serde_json::to_value(&mock).unwrap();
        assert_eq!(v["Type"], "MOCK");
        assert_eq!(v["RequestTemplates"]["application/json"], "{\"statusCode\": 204}");
        assert_eq!(v["IntegrationResponses"][0]["StatusCode"], "204");
        assert!(v.get("Uri").is_none() && v.get("IntegrationHttpMethod").is_none());
    }
}
