//! API Gateway REST API (§4).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::*;

/// The `api` stack: the regional REST API, its stage, usage plans and custom domain.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// Name of the REST API (the dashboard's `ApiName` dimension), e.g. `matbakh-api`.
    #[schemars(extend("examples" = ["matbakh-api"]))]
    pub name: String,
    /// Stage name, e.g. `v1`.
    #[schemars(regex(pattern = STAGE_NAME.pattern), extend("examples" = ["v1"]))]
    pub stage_name: String,
    /// Custom domain with its ACM certificate; omit to use the execute-api URL only.
    #[serde(default)]
    pub custom_domain: Option<CustomDomain>,
    /// Origins allowed by CORS, `https://host` (`http://localhost:…` only outside prod).
    #[schemars(extend("examples" = [["https://app.matbakh.app"]]))]
    pub cors_origins: Vec<String>,
    /// Stage-wide request throttling.
    pub throttling: Throttling,
    /// Per-client limits, enforced through usage plans and API keys.
    pub usage_plans: Vec<UsagePlan>,
    /// The stage's response cache.
    pub cache: StageCache,
    /// Days access logs are kept; a value CloudWatch Logs accepts.
    #[schemars(extend("enum" = LOG_RETENTION_DAYS, "examples" = [30]))]
    pub access_log_retention_days: u32,
    /// Every route with the function that serves it.
    pub routes: Vec<Route>,
}

impl Api {
    /// Whether the stage cache serves `verb` on `route`: only GETs, and only where the key
    /// identifies the caller (authenticated; see the api construct's module docs).
    pub fn caches(&self, route: &Route, verb: HttpMethod) -> bool {
        self.cache.enabled && verb == HttpMethod::Get && route.authenticated
    }
}

/// A custom domain name for the API.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CustomDomain {
    /// The API's host name, e.g. `api.matbakh.app`.
    #[schemars(extend("examples" = ["api.matbakh.app"]))]
    pub domain_name: String,
    /// ARN of a regional ACM certificate (in the environment's region) covering the
    /// domain (e.g. `*.matbakh.app`).
    #[schemars(
        regex(pattern = ACM_CERTIFICATE_ARN.pattern),
        extend("examples" = ["arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"])
    )]
    pub certificate_arn: String,
    /// Base path the stage is mapped to; empty for the root.
    #[serde(default)]
    #[schemars(extend("examples" = ["", "v1"]))]
    pub base_path: String,
    /// Route 53 hosted zone (in the environment's account) that gets the domain's alias
    /// records (A and AAAA); omit when the domain's DNS is served elsewhere (then point a
    /// CNAME at the stack output `CustomDomainTarget`).
    #[serde(default)]
    #[schemars(regex(pattern = HOSTED_ZONE_ID.pattern), extend("examples" = ["Z0123456789ABCDEFGHIJ"]))]
    pub hosted_zone_id: Option<String>,
}

/// API Gateway throttling of the whole stage.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Throttling {
    /// Requests allowed in a burst, above the steady rate.
    #[schemars(extend("examples" = [5000]))]
    pub burst_limit: u32,
    /// Requests per second, steady state.
    #[schemars(extend("examples" = [2000]))]
    pub rate_limit: u32,
}

/// A usage plan: a request quota for the clients whose API keys it holds.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UsagePlan {
    /// Plan name, e.g. `authenticated`, `anonymous`.
    #[schemars(regex(pattern = RESOURCE_NAME.pattern), extend("examples" = ["authenticated", "anonymous"]))]
    pub name: String,
    /// Requests one client may send per minute (at least 1).
    #[schemars(range(min = 1), extend("examples" = [1000]))]
    pub requests_per_minute: u32,
}

/// The API Gateway cache cluster of the stage.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StageCache {
    /// Provision the cache cluster (it is billed by the hour while enabled).
    pub enabled: bool,
    /// Seconds a response is cached (0-3600).
    #[schemars(range(max = 3600), extend("examples" = [300]))]
    pub ttl_seconds: u32,
    /// Cache size in GB, one of API Gateway's sizes, quoted ("0.5", "1.6", "6.1", …).
    #[schemars(extend("enum" = API_CACHE_SIZES_GB))]
    pub size_gb: String,
}

/// One path of the API and the function that serves it.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Full path, e.g. `/api/v1/business/partners/{id}`.
    #[schemars(regex(pattern = ROUTE_PATH.pattern), extend("examples" = ["/api/v1/vc/start"]))]
    pub path: String,
    /// HTTP methods of the path served by `function`.
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub methods: Vec<HttpMethod>,
    /// Name of the function in `functions.definitions` that serves the route.
    #[schemars(extend("examples" = ["api-core"]))]
    pub function: String,
    /// Requires a Cognito token (the authorizer); all `/admin` routes must be.
    pub authenticated: bool,
    /// Validate the body against the design's VCStartRequest model.
    #[serde(default)]
    pub request_model: Option<RequestModel>,
    /// The query-string parameters the route reads (e.g. `page`, `limit`, filters). They
    /// are declared on the method and, where the stage cache serves the route (an
    /// authenticated GET with `api.cache.enabled`), part of its cache key: such a route
    /// must list them (`[]` when it reads none), or responses to one query would be served
    /// for another.
    #[serde(default)]
    #[schemars(extend("examples" = [[{"name": "page"}, {"name": "limit"}]]))]
    pub query_parameters: Option<Vec<QueryParameter>>,
}

/// A query-string parameter of a route.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QueryParameter {
    /// The name in the URL, e.g. `page` for `?page=2`; each once per route.
    #[schemars(regex(pattern = QUERY_PARAMETER_NAME.pattern), extend("examples" = ["page"]))]
    pub name: String,
    /// API Gateway refuses a request without it (400, before the function runs).
    #[serde(default)]
    pub required: bool,
}

/// An HTTP method.
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

/// A request body model of the design.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum RequestModel {
    #[serde(rename = "VCStartRequest")]
    VcStartRequest,
}
