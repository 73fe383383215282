//! API Gateway REST API (§4).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `api` stack: the regional REST API, its stage, usage plans and custom domain.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// Name of the REST API (the dashboard's `ApiName` dimension), e.g. `matbakh-api`.
    pub name: String,
    /// Stage name, e.g. `v1`.
    #[schemars(regex(pattern = r"^[a-zA-Z0-9_]{1,64}$"))]
    pub stage_name: String,
    /// Custom domain with its ACM certificate; omit to use the execute-api URL only.
    #[serde(default)]
    pub custom_domain: Option<CustomDomain>,
    /// Origins allowed by CORS (`http://localhost:…` only outside prod).
    pub cors_origins: Vec<String>,
    pub throttling: Throttling,
    /// Per-client limits, enforced through usage plans and API keys.
    pub usage_plans: Vec<UsagePlan>,
    pub cache: StageCache,
    /// Days access logs are kept.
    pub access_log_retention_days: u32,
    /// Every route with the function that serves it.
    pub routes: Vec<Route>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CustomDomain {
    /// e.g. `api.matbakh.app`.
    pub domain_name: String,
    /// ARN of a regional ACM certificate covering the domain (e.g. `*.matbakh.app`).
    #[schemars(regex(pattern = r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$"))]
    pub certificate_arn: String,
    /// Base path the stage is mapped to; empty for the root.
    #[serde(default)]
    pub base_path: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Throttling {
    pub burst_limit: u32,
    /// Requests per second, steady state.
    pub rate_limit: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UsagePlan {
    /// e.g. `authenticated`, `anonymous`.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{0,39}$"))]
    pub name: String,
    pub requests_per_minute: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StageCache {
    pub enabled: bool,
    /// Seconds a response is cached (0-3600).
    #[schemars(range(max = 3600))]
    pub ttl_seconds: u32,
    /// Cache size in GB, one of API Gateway's sizes ("0.5", "1.6", "6.1", …).
    pub size_gb: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Full path, e.g. `/api/v1/business/partners/{id}`.
    #[schemars(regex(pattern = r"^(/[A-Za-z0-9._{}-]+)+$"))]
    pub path: String,
    pub methods: Vec<HttpMethod>,
    /// Name of the function in `functions.definitions` that serves the route.
    pub function: String,
    /// Requires a Cognito token (the authorizer); all `/admin` routes must be.
    pub authenticated: bool,
    /// Validate the body against the design's VCStartRequest model.
    #[serde(default)]
    pub request_model: Option<RequestModel>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Delete,
    Patch,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Patch => "PATCH",
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum RequestModel {
    #[serde(rename = "VCStartRequest")]
    VcStartRequest,
}
