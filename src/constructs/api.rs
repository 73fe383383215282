//! The `api` stack (§4): the regional REST API with every route of the design, each
//! method a Lambda proxy to its function's `live` alias, the Cognito authorizer on the
//! authenticated ones, CORS, the stage (throttling, cache, tracing, logs), usage plans
//! and the custom domain.
//!
//! Decisions the design leaves open, and why:
//!
//! - **CORS with several origins.** A response carries one `Access-Control-Allow-Origin`.
//!   Preflights (`OPTIONS`, a mock integration) echo the request's `Origin` when it is one
//!   of `api.cors_origins` (a mapping template compares it against the list) and answer
//!   the first origin otherwise, which the browser then refuses. The Lambda proxy responses
//!   are the functions' own: the list reaches them as the stage variable
//!   `corsAllowedOrigins` (comma-separated, in every proxy event's `stageVariables`), and
//!   they echo an allowed `Origin` the same way (`@matbakh/shared-utils`, `apiHandler`),
//!   with `Vary: Origin`, and no `Access-Control-Allow-Origin` for any other origin, on
//!   success and error responses alike. API Gateway's own error responses (authorizer
//!   401, throttling 429, validation 400, 5xx) cannot compare origins; they answer in the
//!   design's `ErrorResponse` shape and allow every origin (`*`), see [`gateway_responses`].
//! - **Query parameters.** Declared ones are method request parameters with their
//!   `required` flag; where one is required, a request validator checks the parameters
//!   (400 `ValidationError` before the function runs).
//! - **DNS.** With `hosted_zone_id`, A and AAAA aliases in that zone point the custom
//!   domain at its regional endpoint, which is dual-stack ([`dns`]).
//! - **Usage plans and API keys.** API Gateway identifies a usage plan's client only by
//!   API key. The design's limits are per user (1000 req/min authenticated, 100
//!   anonymous), but the apps are public clients: one key per plan would be shared by all
//!   users and turn "1000 per user" into "1000 for the whole platform" (≈17 req/s), and
//!   per-user keys need a Lambda authorizer (`ApiKeySourceType: AUTHORIZER`), which the
//!   design does not have. So methods do not require keys and the templates create none;
//!   the plans exist, bound to the stage with the design's rates, for clients that get a
//!   key of their own (a partner integration: an operator creates the key with
//!   `aws apigateway create-api-key`, attaches it with `create-usage-plan-key` to the plan
//!   id in this stack's outputs, and hands it over out of band). Keys are enforced once
//!   methods require them. Per-user abuse is limited by the stage throttle and the web
//!   ACL's per-IP rate rule (`edge`).
//! - **Cache keys.** The stage cache only caches `GET`, and only where the key fully
//!   identifies the caller: authenticated `GET`s, keyed by the `Authorization` header, the
//!   `Origin` header (the echoed CORS origin is part of the response), every path
//!   parameter and every query-string parameter the route declares. A cache key can only
//!   name query parameters one by one (`method.request.querystring.<name>`; there is no
//!   wildcard), so a cached route must declare the ones it reads (`validate` refuses a
//!   cached route without `query_parameters`): page 2 would otherwise be served page 1.
//!   AWS requires cache key parameters to be method request parameters (API reference,
//!   `Integration.cacheKeyParameters`); the Lambda proxy integration hands the function the
//!   whole query string, so no integration request mapping is added. An anonymous `GET`
//!   (OAuth callbacks, `/vc/result/{token}`) would serve one caller's response to
//!   everyone, so those are not cached. Invalidation is by TTL, or by flushing the stage cache (operators): clients
//!   cannot invalidate (`Cache-Control: max-age=0` needs an IAM-signed request).

use std::collections::BTreeMap;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cfn::resources::apigateway::{
    AccessLogSetting, Account, ApiResource, ApiStage, Authorization, Authorizer, AuthorizerType, BasePathMapping,
    Deployment, DomainName, EndpointConfiguration, EndpointType, Integration, IntegrationResponse, IpAddressType,
    LoggingLevel, Method, MethodResponse, MethodSetting, Model, RequestValidator, RestApi, SecurityPolicy, Stage,
    ThrottleSettings, UsagePlan,
};
use crate::cfn::resources::iam::{Role, managed_policy, service_trust};
use crate::cfn::resources::lambda::Permission;
use crate::cfn::resources::logs::LogGroup;
use crate::cfn::{DeletionPolicy, Export, Handle, LogicalId, Pseudo, ResourceOptions, Stack, Str, Template};
use crate::config::model::{Api, HttpMethod, RequestModel, Route};

mod dns;
mod gateway_responses;

use super::app::AppExports;
use super::auth::AuthExports;
use super::context::Context;

/// What other stacks import from `api`.
pub struct ApiExports {
    pub rest_api_id: Export,
    /// ARN of the stage (what the web ACL is associated with).
    pub stage_arn: Export,
    /// Name of the stage's access log group (the data lake subscribes to it, §7 `raw/api-logs/`).
    pub access_log_group_name: Export,
    /// The REST API's name (the `ApiName` metric dimension).
    pub api_name: String,
    pub stage_name: String,
}

/// §4 CORS: methods and headers browsers may use.
pub const CORS_ALLOW_METHODS: &str = "GET,POST,PUT,DELETE,OPTIONS";
pub const CORS_ALLOW_HEADERS: &str = "Content-Type,Authorization,X-Requested-With";
/// Seconds a browser may reuse a preflight answer (not in §4; saves a round trip per
/// request, and stays below every browser's cap).
const CORS_MAX_AGE_SECONDS: u32 = 600;
/// The stage variable that carries `api.cors_origins` to the functions.
pub const CORS_ORIGINS_STAGE_VARIABLE: &str = "corsAllowedOrigins";

const AUTHORIZATION_HEADER: &str = "method.request.header.Authorization";
const ORIGIN_HEADER: &str = "method.request.header.Origin";

pub fn build(ctx: &Context, app: &AppExports, auth: &AuthExports) -> (Stack, ApiExports) {
    let env = ctx.env;
    let api = &env.api;
    let mut stack = Stack::new(
        "api",
        ctx.stack_name("api"),
        format!(
            "matbakh {}: REST API {} with its stage, usage plans and domain (design section 4)",
            env.name, api.name
        ),
    );

    // The `live` alias ARN of every function a route uses, by function name.
    let mut functions: BTreeMap<&str, Str> = BTreeMap::new();
    for route in &api.routes {
        if !functions.contains_key(route.function.as_str()) {
            let function = app.functions.get(&route.function);
            let function =
                function.unwrap_or_else(|| panic!("route function {} is not in the app stack", route.function));
            functions.insert(&route.function, stack.import(&function.alias_arn));
        }
    }
    let user_pool_arn = api.routes.iter().any(|r| r.authenticated).then(|| stack.import(&auth.user_pool_arn));
    let t = &mut stack.template;

    let rest_api = t.add(
        "RestApi",
        RestApi {
            name: api.name.clone(),
            description: format!("matbakh {} API (design section 4)", env.name),
            endpoint_configuration: EndpointConfiguration {
                types: vec![EndpointType::Regional],
                ip_address_type: None,
            },
            tags: ctx.tags("api"),
        },
    );
    let api_id = rest_api.r#ref();

    let authorizer = user_pool_arn.map(|arn| {
        t.add(
            "CognitoAuthorizer",
            Authorizer {
                rest_api_id: api_id.clone(),
                name: "cognito-user-pool".into(),
                authorizer_type: AuthorizerType::CognitoUserPools,
                provider_arns: vec![arn],
                // Without authorization scopes on the methods, this is the ID token.
                identity_source: AUTHORIZATION_HEADER.into(),
            },
        )
    });
    let validation = api.routes.iter().any(|r| r.request_model.is_some()).then(|| {
        let validator = t.add(
            "BodyValidator",
            RequestValidator {
                rest_api_id: api_id.clone(),
                name: "body-and-parameters".into(),
                validate_request_body: true,
                validate_request_parameters: true,
            },
        );
        let model = t.add(
            "VcStartRequestModel",
            Model {
                rest_api_id: api_id.clone(),
                name: "VCStartRequest".into(),
                description: "Body of POST /vc/start (design section 4)".into(),
                content_type: "application/json",
                schema: vc_start_request_schema(),
            },
        );
        (validator, model)
    });
    // Methods without a body model whose required query parameters API Gateway checks.
    let checks_parameters =
        |r: &Route| r.request_model.is_none() && r.query_parameters.iter().flatten().any(|q| q.required);
    let parameter_validator = api.routes.iter().any(checks_parameters).then(|| {
        t.add(
            "ParameterValidator",
            RequestValidator {
                rest_api_id: api_id.clone(),
                name: "parameters".into(),
                validate_request_body: false,
                validate_request_parameters: true,
            },
        )
    });

    let tree = ResourceTree::build(t, &rest_api, &api.routes);
    let mut definition: Vec<LogicalId> = Vec::new();
    let mut cached: Vec<(&str, HttpMethod)> = Vec::new();
    for route in &api.routes {
        let node = tree.node(&route.path);
        for &verb in &route.methods {
            let cache = api.caches(route, verb);
            if cache {
                cached.push((&route.path, verb));
            }
            let mut request_parameters: BTreeMap<String, bool> =
                path_parameters(&route.path).map(|p| (format!("method.request.path.{p}"), true)).collect();
            for query in route.query_parameters.iter().flatten() {
                request_parameters.insert(format!("method.request.querystring.{}", query.name), query.required);
            }
            if cache {
                request_parameters.insert(AUTHORIZATION_HEADER.into(), true);
                request_parameters.insert(ORIGIN_HEADER.into(), false);
            }
            let cache_keys = if cache { request_parameters.keys().cloned().collect() } else { Vec::new() };
            let model = route.request_model.map(|m| match m {
                RequestModel::VcStartRequest => validation.as_ref().expect("a route has a model, so the model exists"),
            });
            let method = t.add(
                &format!("{}{}Method", node.base_id, verb_word(verb)),
                Method {
                    rest_api_id: api_id.clone(),
                    resource_id: node.handle.r#ref(),
                    http_method: verb.as_str(),
                    authorization: match (&authorizer, route.authenticated) {
                        (Some(a), true) => Authorization::CognitoUserPools { authorizer_id: a.r#ref() },
                        _ => Authorization::None,
                    },
                    api_key_required: false,
                    request_parameters,
                    request_models: model
                        .map(|(_, m)| BTreeMap::from([("application/json".to_owned(), m.r#ref())]))
                        .unwrap_or_default(),
                    request_validator_id: match (model, &parameter_validator) {
                        (Some((v, _)), _) => Some(v.r#ref()),
                        (None, Some(v)) if checks_parameters(route) => Some(v.r#ref()),
                        _ => None,
                    },
                    integration: Integration::lambda_proxy(functions[route.function.as_str()].clone(), cache_keys),
                    method_responses: Vec::new(),
                },
            );
            definition.push(method.id().clone());
        }
    }

    if !api.cors_origins.is_empty() {
        for node in tree.nodes_with_routes(&api.routes) {
            let options = t.add(&format!("{}OptionsMethod", node.base_id), preflight(api, &api_id, node));
            definition.push(options.id().clone());
        }
    }
    for (id, response) in gateway_responses::build(api, &api_id) {
        definition.push(t.add(id, response).id().clone());
    }

    // A deployment is a snapshot: API Gateway serves the old one until a new deployment
    // is made. Its logical id carries a hash of every definition resource, so any change
    // to them makes CloudFormation create a new deployment and point the stage at it.
    let deployment = t.add_with(
        &format!("Deployment{}", definition_hash(t)),
        Deployment { rest_api_id: api_id.clone(), description: format!("matbakh {} API definition", env.name) },
        ResourceOptions { depends_on: definition, ..Default::default() },
    );

    // The account-wide (per region) role API Gateway writes execution logs with. Every
    // stack that sets it overwrites the one setting, so environments sharing an account
    // share it, and the role is kept when a stack is deleted: the setting of the account
    // would otherwise point to a deleted role and break logging of the other APIs.
    let cloudwatch_role = t.add_with(
        "ApiGatewayCloudWatchRole",
        Role {
            role_name: None,
            description: "Lets API Gateway write execution and access logs to CloudWatch Logs (account-wide setting)"
                .into(),
            assume_role_policy_document: service_trust("apigateway.amazonaws.com"),
            managed_policy_arns: vec![managed_policy("service-role/AmazonAPIGatewayPushToCloudWatchLogs")],
            policies: Vec::new(),
            tags: ctx.tags("apigateway-cloudwatch"),
        },
        ResourceOptions::keep(DeletionPolicy::Retain),
    );
    let account = t.add_with(
        "ApiGatewayAccount",
        Account { cloudwatch_role_arn: cloudwatch_role.arn() },
        ResourceOptions::keep(DeletionPolicy::Retain),
    );

    let access_logs = t.add(
        "AccessLogGroup",
        LogGroup {
            log_group_name: Str::lit(format!("/aws/apigateway/{}-access", ctx.name("api"))),
            retention_in_days: api.access_log_retention_days,
            kms_key_id: None,
            tags: ctx.tags("api-access-logs"),
        },
    );
    // API Gateway writes execution logs to this fixed name and creates the group itself,
    // never expiring, unless it exists first: created here, with the retention, before the stage.
    let execution_logs = t.add(
        "ExecutionLogGroup",
        LogGroup {
            log_group_name: Str::concat([
                Str::lit("API-Gateway-Execution-Logs_"),
                api_id.clone(),
                Str::lit(format!("/{}", api.stage_name)),
            ]),
            retention_in_days: api.access_log_retention_days,
            kms_key_id: None,
            tags: ctx.tags("api-execution-logs"),
        },
    );

    let stage = t.add_with(
        "Stage",
        Stage {
            rest_api_id: api_id.clone(),
            stage_name: api.stage_name.clone(),
            description: format!("matbakh {} stage {}", env.name, api.stage_name),
            deployment_id: deployment.r#ref(),
            tracing_enabled: true,
            cache_cluster_enabled: api.cache.enabled,
            cache_cluster_size: api.cache.enabled.then(|| api.cache.size_gb.clone()),
            method_settings: method_settings(api, &cached),
            access_log_setting: AccessLogSetting { destination_arn: access_logs.arn(), format: access_log_format() },
            variables: if api.cors_origins.is_empty() {
                BTreeMap::new()
            } else {
                BTreeMap::from([(CORS_ORIGINS_STAGE_VARIABLE.to_owned(), api.cors_origins.join(","))])
            },
            tags: ctx.tags("api-stage"),
        },
        // Execution logging needs the account's role set, and its log group made first.
        ResourceOptions::default().depends_on(&account).depends_on(&execution_logs),
    );

    let mut plan_ids = BTreeMap::new();
    let plans: Vec<(String, &str, Handle<UsagePlan>)> = api
        .usage_plans
        .iter()
        .map(|plan| {
            let rate = f64::from(plan.requests_per_minute) / 60.0;
            let id = unique_id(&plan.name, &mut plan_ids);
            let handle = t.add(
                &format!("{id}UsagePlan"),
                UsagePlan {
                    usage_plan_name: ctx.name(&format!("api-{}", plan.name)),
                    description: format!(
                        "{} requests per minute per API key ({} clients); see the api stack for how keys are issued",
                        plan.requests_per_minute, plan.name
                    ),
                    api_stages: vec![ApiStage { api_id: api_id.clone(), stage: stage.r#ref() }],
                    // Burst: ten seconds' worth of the rate at once (a page load fires
                    // several requests together), at least one request.
                    throttle: ThrottleSettings { burst_limit: (plan.requests_per_minute / 6).max(1), rate_limit: rate },
                    tags: ctx.tags(&format!("api-{}", plan.name)),
                },
            );
            (id, plan.name.as_str(), handle)
        })
        .collect();

    let domain = api.custom_domain.as_ref().map(|custom| {
        let domain = t.add(
            "CustomDomain",
            DomainName {
                domain_name: custom.domain_name.clone(),
                regional_certificate_arn: custom.certificate_arn.clone(),
                endpoint_configuration: EndpointConfiguration {
                    types: vec![EndpointType::Regional],
                    ip_address_type: Some(IpAddressType::Dualstack),
                },
                security_policy: SecurityPolicy::Tls12,
                tags: ctx.tags("api-domain"),
            },
        );
        t.add(
            "CustomDomainMapping",
            BasePathMapping {
                domain_name: domain.r#ref(),
                rest_api_id: api_id.clone(),
                stage: stage.r#ref(),
                base_path: (!custom.base_path.is_empty()).then(|| custom.base_path.clone()),
            },
        );
        dns::build(t, custom, &domain);
        domain
    });

    // API Gateway may invoke each function's `live` alias, from this API only.
    let source_arn = Str::arn("execute-api", Str::concat([api_id.clone(), Str::lit("/*")]));
    let mut function_ids = BTreeMap::new();
    for (name, alias_arn) in &functions {
        t.add(
            &format!("{}InvokePermission", unique_id(name, &mut function_ids)),
            Permission {
                action: "lambda:InvokeFunction",
                function_name: alias_arn.clone(),
                principal: "apigateway.amazonaws.com".into(),
                source_arn: Some(source_arn.clone()),
                source_account: None,
            },
        );
    }

    let stage_arn = Str::concat([
        Str::lit("arn:"),
        Pseudo::Partition.into(),
        Str::lit(":apigateway:"),
        Pseudo::Region.into(),
        Str::lit("::/restapis/"),
        api_id.clone(),
        Str::lit("/stages/"),
        stage.r#ref(),
    ]);
    let invoke_url = Str::concat([
        Str::lit("https://"),
        api_id.clone(),
        Str::lit(".execute-api."),
        Pseudo::Region.into(),
        Str::lit("."),
        Pseudo::UrlSuffix.into(),
        Str::lit(format!("/{}", api.stage_name)),
    ]);
    let exports = ApiExports {
        rest_api_id: stack.export("RestApiId", "Id of the REST API", api_id),
        stage_arn: stack.export("StageArn", "ARN of the API stage", stage_arn),
        access_log_group_name: stack.export(
            "AccessLogGroupName",
            "Name of the stage's access log group",
            access_logs.r#ref(),
        ),
        api_name: api.name.clone(),
        stage_name: api.stage_name.clone(),
    };
    stack.output("InvokeUrl", "Base URL of the stage on the execute-api endpoint", invoke_url);
    for (plan_id, name, plan) in &plans {
        stack.output(
            &format!("{plan_id}UsagePlanId"),
            &format!("Id of the {name} usage plan (attach client API keys to it)"),
            plan.r#ref(),
        );
    }
    if let Some(domain) = &domain {
        stack.output(
            "CustomDomainTarget",
            "Regional domain name the custom domain's DNS alias points to",
            domain.regional_domain_name(),
        );
        stack.output(
            "CustomDomainHostedZoneId",
            "Hosted zone id of the regional domain name (for a Route 53 alias)",
            domain.regional_hosted_zone_id(),
        );
    }
    (stack, exports)
}

/// One `AWS::ApiGateway::Resource` per distinct path prefix of the routes, created once
/// and in route order, with logical ids derived from the path.
struct ResourceTree {
    /// Full path → node, in creation order.
    nodes: Vec<(String, Node)>,
}

struct Node {
    handle: Handle<ApiResource>,
    /// The logical id without the `Resource` suffix, e.g. `ApiV1BusinessPartnersId`.
    base_id: String,
}

impl ResourceTree {
    fn build(t: &mut Template, rest_api: &Handle<RestApi>, routes: &[Route]) -> Self {
        let mut tree = ResourceTree { nodes: Vec::new() };
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        for route in routes {
            let mut path = String::new();
            for segment in route.path.split('/').filter(|s| !s.is_empty()) {
                let parent = tree.find(&path).map(|n| n.handle.r#ref());
                path = format!("{path}/{segment}");
                if tree.find(&path).is_some() {
                    continue;
                }
                let base_id = unique_id(&path, &mut taken);
                let handle = t.add(
                    &format!("{base_id}Resource"),
                    ApiResource {
                        rest_api_id: rest_api.r#ref(),
                        parent_id: parent.unwrap_or_else(|| rest_api.root_resource_id()),
                        path_part: segment.to_owned(),
                    },
                );
                tree.nodes.push((path.clone(), Node { handle, base_id }));
            }
        }
        tree
    }

    fn find(&self, path: &str) -> Option<&Node> {
        self.nodes.iter().find(|(p, _)| p == path).map(|(_, n)| n)
    }

    fn node(&self, path: &str) -> &Node {
        self.find(path).unwrap_or_else(|| panic!("no resource for route path {path}"))
    }

    /// The nodes some route ends at, in tree order.
    fn nodes_with_routes<'a>(&'a self, routes: &'a [Route]) -> impl Iterator<Item = &'a Node> {
        self.nodes.iter().filter(|(p, _)| routes.iter().any(|r| r.path == *p)).map(|(_, n)| n)
    }
}

/// `ApiV1BusinessPartnersId` for `/api/v1/business/partners/{id}`: the words of a path
/// (or name) in upper camel case. Two that read the same (`/a-b` and `/a_b`, `/{id}` and
/// `/id`) would share an id, so a later one gets a hash of its text appended. `taken`
/// maps the ids handed out so far to their text.
fn unique_id(text: &str, taken: &mut BTreeMap<String, String>) -> String {
    let mut id = upper_camel(text);
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
        id = format!("Path{id}");
    }
    if taken.get(&id).is_some_and(|t| t != text) {
        id = format!("{id}{}", &hex::encode(Sha256::digest(text.as_bytes()))[..8]);
    }
    taken.insert(id.clone(), text.to_owned());
    id
}

/// Words (runs of ASCII letters and digits) with their first letter upper-cased, joined.
fn upper_camel(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect()
}

/// `Get` for `GET`: the verb as a word of a logical id.
fn verb_word(verb: HttpMethod) -> String {
    upper_camel(&verb.as_str().to_ascii_lowercase())
}

/// Names of the path parameters, `id` for `{id}` (and `proxy` for `{proxy+}`).
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).map(|p| p.trim_end_matches('+'))
}

/// `'text'`: a static value in a parameter mapping.
fn quoted(text: &str) -> String {
    format!("'{text}'")
}

/// The preflight answer of one resource: a mock integration that returns the §4 CORS
/// headers, with `Access-Control-Allow-Origin` set to the request's `Origin` when it is
/// an allowed origin (a mapping template compares them; see the module docs).
fn preflight(api: &Api, api_id: &Str, node: &Node) -> Method {
    let header = |name: &str| format!("method.response.header.{name}");
    let names = ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"];
    let names = names.into_iter().chain(["Access-Control-Max-Age", "Vary"]);
    // Velocity single-quoted strings are literal; a quote inside is doubled.
    let allowed: Vec<String> =
        api.cors_origins.iter().map(|o| format!("$origin == '{}'", o.replace('\'', "''"))).collect();
    let template = [
        "#set($origin = $input.params().header.get('Origin'))".to_owned(),
        "#if(\"$!origin\" == \"\")#set($origin = $input.params().header.get('origin'))#end".to_owned(),
        format!("#if({})", allowed.join(" || ")),
        "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)".to_owned(),
        "#end".to_owned(),
    ]
    .join("\n");
    Method {
        rest_api_id: api_id.clone(),
        resource_id: node.handle.r#ref(),
        http_method: "OPTIONS",
        authorization: Authorization::None,
        api_key_required: false,
        request_parameters: BTreeMap::new(),
        request_models: BTreeMap::new(),
        request_validator_id: None,
        integration: Integration::mock(IntegrationResponse {
            status_code: "204".into(),
            response_parameters: BTreeMap::from([
                (header("Access-Control-Allow-Origin"), quoted(&api.cors_origins[0])),
                (header("Access-Control-Allow-Methods"), quoted(CORS_ALLOW_METHODS)),
                (header("Access-Control-Allow-Headers"), quoted(CORS_ALLOW_HEADERS)),
                (header("Access-Control-Max-Age"), quoted(&CORS_MAX_AGE_SECONDS.to_string())),
                (header("Vary"), quoted("Origin")),
            ]),
            response_templates: BTreeMap::from([("application/json".to_owned(), template)]),
        }),
        method_responses: vec![MethodResponse {
            status_code: "204".into(),
            response_parameters: names.map(|n| (header(n), false)).collect(),
        }],
    }
}

/// Hash of every resource that makes up the API definition (what a deployment snapshots).
fn definition_hash(t: &Template) -> String {
    const DEFINITION: [&str; 6] = [
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Model",
        "AWS::ApiGateway::RequestValidator",
        "AWS::ApiGateway::Authorizer",
        "AWS::ApiGateway::GatewayResponse",
    ];
    let mut hasher = Sha256::new();
    for (id, resource) in t.resources().filter(|(_, r)| DEFINITION.contains(&r.type_name)) {
        hasher.update(id.as_str().as_bytes());
        hasher.update(resource.type_name.as_bytes());
        hasher.update(resource.properties.to_string().as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())[..10].to_owned()
}

/// Stage-wide settings (`/*` `*`), with caching off, and an override that turns caching
/// on for each cached method (overriding to enable is what API Gateway honours reliably;
/// every field is repeated so the override changes nothing else).
fn method_settings(api: &Api, cached: &[(&str, HttpMethod)]) -> Vec<MethodSetting> {
    let all = MethodSetting {
        resource_path: "/*".into(),
        http_method: "*".into(),
        throttling_burst_limit: api.throttling.burst_limit,
        throttling_rate_limit: f64::from(api.throttling.rate_limit),
        caching_enabled: false,
        cache_ttl_in_seconds: api.cache.ttl_seconds,
        cache_data_encrypted: true,
        metrics_enabled: true,
        logging_level: LoggingLevel::Info,
        data_trace_enabled: false,
    };
    let overrides = cached.iter().map(|(path, verb)| MethodSetting {
        resource_path: format!("/{}", path.replace('/', "~1")),
        http_method: verb.as_str().to_owned(),
        caching_enabled: true,
        ..all.clone()
    });
    let mut settings = vec![all.clone()];
    settings.extend(overrides);
    settings
}

/// One JSON object per request. The path is logged as its template (`resourcePath`),
/// never with values: `/vc/result/{token}` carries a secret.
fn access_log_format() -> String {
    json!({
        "requestId": "$context.requestId",
        "extendedRequestId": "$context.extendedRequestId",
        "requestTime": "$context.requestTime",
        "ip": "$context.identity.sourceIp",
        "userAgent": "$context.identity.userAgent",
        "user": "$context.authorizer.claims.sub",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "protocol": "$context.protocol",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "responseLatency": "$context.responseLatency",
        "integrationStatus": "$context.integration.status",
        "integrationLatency": "$context.integration.latency",
        "errorType": "$context.error.responseType",
        "errorMessage": "$context.error.message",
        "authorizerError": "$context.authorizer.error",
        "wafResponseCode": "$context.wafResponseCode",
        "xrayTraceId": "$context.xrayTraceId"
    })
    .to_string()
}

/// The design's `VCStartRequest` (§4) as a draft-04 JSON Schema.
fn vc_start_request_schema() -> serde_json::Value {
    json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "required": ["email", "business_name"],
        "properties": {
            "email": {"type": "string", "format": "email", "maxLength": 255},
            "business_name": {"type": "string", "minLength": 2, "maxLength": 100},
            "website": {"type": "string", "format": "uri", "maxLength": 255},
            "consent": {
                "type": "object",
                "required": ["analytics"],
                "properties": {
                    "analytics": {"type": "boolean"},
                    "marketing": {"type": "boolean"}
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_paths_words_in_upper_camel_case() {
        assert_eq!(upper_camel("/api/v1/business/partners/{id}"), "ApiV1BusinessPartnersId");
        assert_eq!(upper_camel("/api/v1/auth/forgot-password"), "ApiV1AuthForgotPassword");
        assert_eq!(upper_camel("vc-start"), "VcStart");
        assert_eq!(verb_word(HttpMethod::Delete), "Delete");
        assert_eq!(upper_camel("/api/v1/integrations/gmb/sync"), "ApiV1IntegrationsGmbSync");
    }

    #[test]
    fn paths_that_read_the_same_get_distinct_ids() {
        let mut taken = BTreeMap::new();
        assert_eq!(unique_id("/a/{id}", &mut taken), "AId");
        assert_eq!(unique_id("/a/{id}", &mut taken), "AId");
        let other = unique_id("/a/id", &mut taken);
        assert!(other.starts_with("AId") && other.len() == "AId".len() + 8, "{other}");
        assert_eq!(unique_id("/2fa", &mut taken), "Path2fa");
    }

    #[test]
    fn path_parameters_are_named_without_braces() {
        let names: Vec<&str> = path_parameters("/api/{id}/x/{token}/{proxy+}").collect();
        assert_eq!(names, ["id", "token", "proxy"]);
    }
}
