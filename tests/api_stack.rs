//! The `api` stack carries §4: every route with its methods, each a Lambda proxy to its
//! function's `live` alias, the Cognito authorizer on exactly the authenticated methods,
//! CORS per environment, the stage's throttling, cache, tracing and logs, usage plans,
//! and the custom domain where configured (prod, not dev).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::stacks::{alias_export, resources_of_type, templates};
use common::{ENVIRONMENTS, load_env, repo_root};
use matbakh_infra::config::model::HttpMethod;
use matbakh_infra::constructs;
use matbakh_infra::synth::{Format, render};
use serde_json::{Value, json};

/// §4 routes: path → methods.
const SECTION_4: &[(&str, &[&str])] = &[
    ("/api/v1/auth/login", &["POST"]),
    ("/api/v1/auth/logout", &["POST"]),
    ("/api/v1/auth/refresh", &["POST"]),
    ("/api/v1/auth/forgot-password", &["POST"]),
    ("/api/v1/auth/reset-password", &["POST"]),
    ("/api/v1/users/profile", &["GET", "PUT"]),
    ("/api/v1/users/preferences", &["GET", "PUT"]),
    ("/api/v1/users/delete-account", &["DELETE"]),
    ("/api/v1/business/partners", &["GET", "POST"]),
    ("/api/v1/business/partners/{id}", &["GET", "PUT", "DELETE"]),
    ("/api/v1/business/profiles", &["GET", "POST"]),
    ("/api/v1/business/profiles/{id}", &["GET", "PUT", "DELETE"]),
    ("/api/v1/vc/start", &["POST"]),
    ("/api/v1/vc/verify", &["POST"]),
    ("/api/v1/vc/result/{token}", &["GET"]),
    ("/api/v1/vc/results", &["GET"]),
    ("/api/v1/admin/overview", &["GET"]),
    ("/api/v1/admin/leads", &["GET"]),
    ("/api/v1/admin/partners", &["GET"]),
    ("/api/v1/admin/analytics", &["GET"]),
    ("/api/v1/integrations/google/oauth", &["GET", "POST"]),
    ("/api/v1/integrations/facebook/oauth", &["GET", "POST"]),
    ("/api/v1/integrations/gmb/sync", &["POST"]),
];

/// The API's methods: (path, verb) → method properties, paths rebuilt from the resource tree.
fn methods(t: &Value) -> BTreeMap<(String, String), &Value> {
    let resources = t["Resources"].as_object().unwrap();
    let path_of = |id: &str| -> String {
        let mut parts = Vec::new();
        let mut id = id.to_owned();
        loop {
            let r = &resources[&id];
            assert_eq!(r["Type"], "AWS::ApiGateway::Resource", "{id}");
            parts.push(r["Properties"]["PathPart"].as_str().unwrap().to_owned());
            let parent = &r["Properties"]["ParentId"];
            if *parent == json!({"Fn::GetAtt": ["RestApi", "RootResourceId"]}) {
                break;
            }
            id = parent["Ref"].as_str().unwrap().to_owned();
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    };
    resources_of_type(t, "AWS::ApiGateway::Method")
        .into_iter()
        .map(|(_, m)| {
            let p = &m["Properties"];
            let path = path_of(p["ResourceId"]["Ref"].as_str().unwrap());
            ((path, p["HttpMethod"].as_str().unwrap().to_owned()), p)
        })
        .collect()
}

#[test]
fn every_route_of_section_4_is_served_with_its_methods() {
    for env in ENVIRONMENTS {
        let t = &templates(env)["api"];
        let served: BTreeSet<(String, String)> = methods(t).into_keys().filter(|(_, verb)| verb != "OPTIONS").collect();
        let expected: BTreeSet<(String, String)> = SECTION_4
            .iter()
            .flat_map(|(path, verbs)| verbs.iter().map(|v| ((*path).to_owned(), (*v).to_owned())))
            .collect();
        assert_eq!(served, expected, "{env}");
        let api = &resources_of_type(t, "AWS::ApiGateway::RestApi")[0].1["Properties"];
        assert_eq!(api["Name"], "matbakh-api");
        assert_eq!(api["EndpointConfiguration"], json!({"Types": ["REGIONAL"]}));
    }
    // Shared prefixes are one resource each, with ids derived from the path.
    let t = &templates("prod")["api"];
    assert_eq!(resources_of_type(t, "AWS::ApiGateway::Resource").len(), 35);
    assert_eq!(t["Resources"]["ApiV1BusinessPartnersIdResource"]["Properties"]["PathPart"], "{id}");
}

#[test]
fn the_authorizer_guards_exactly_the_authenticated_methods_and_all_admin_routes() {
    let env = load_env("prod");
    let t = &templates("prod")["api"];
    let authorizers = resources_of_type(t, "AWS::ApiGateway::Authorizer");
    assert_eq!(authorizers.len(), 1);
    let (authorizer_id, authorizer) = authorizers[0];
    assert_eq!(authorizer["Properties"]["Type"], "COGNITO_USER_POOLS");
    assert_eq!(authorizer["Properties"]["ProviderARNs"], json!([{"Fn::ImportValue": "matbakh-prod-auth-UserPoolArn"}]));
    assert_eq!(authorizer["Properties"]["IdentitySource"], "method.request.header.Authorization");
    let methods = methods(t);
    let mut guarded = 0;
    for route in &env.api.routes {
        for verb in &route.methods {
            let m = methods[&(route.path.clone(), verb.as_str().to_owned())];
            if route.authenticated {
                guarded += 1;
                assert_eq!(m["AuthorizationType"], "COGNITO_USER_POOLS", "{verb:?} {}", route.path);
                assert_eq!(m["AuthorizerId"], json!({"Ref": authorizer_id}));
            } else {
                assert_eq!(m["AuthorizationType"], "NONE", "{verb:?} {}", route.path);
                assert!(m.get("AuthorizerId").is_none());
            }
        }
    }
    let all_guarded = methods.values().filter(|m| m["AuthorizationType"] == "COGNITO_USER_POOLS").count();
    assert_eq!(all_guarded, guarded, "no method outside the authenticated routes has the authorizer");
    for ((path, verb), m) in &methods {
        if path.starts_with("/api/v1/admin/") && verb != "OPTIONS" {
            assert_eq!(m["AuthorizationType"], "COGNITO_USER_POOLS", "{verb} {path}");
        }
        // Preflights carry no token.
        if verb == "OPTIONS" {
            assert_eq!(m["AuthorizationType"], "NONE", "{path}");
        }
    }
    // /vc/results is authenticated (§4), /vc/result/{token} is not.
    assert_eq!(methods[&("/api/v1/vc/results".into(), "GET".into())]["AuthorizationType"], "COGNITO_USER_POOLS");
    assert_eq!(methods[&("/api/v1/vc/result/{token}".into(), "GET".into())]["AuthorizationType"], "NONE");
}

#[test]
fn methods_proxy_to_the_live_alias_of_their_function() {
    for env in ENVIRONMENTS {
        let config = load_env(env);
        let all = templates(env);
        let t = &all["api"];
        let methods = methods(t);
        for route in &config.api.routes {
            let alias = json!({"Fn::ImportValue": alias_export(&all["app"], env, &route.function)});
            for verb in &route.methods {
                let integration = &methods[&(route.path.clone(), verb.as_str().to_owned())]["Integration"];
                assert_eq!(integration["Type"], "AWS_PROXY");
                assert_eq!(integration["IntegrationHttpMethod"], "POST");
                assert_eq!(
                    integration["Uri"],
                    json!({"Fn::Sub": [
                        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Var0}/invocations",
                        {"Var0": alias}
                    ]}),
                    "{env}: {verb:?} {}",
                    route.path
                );
            }
        }
        // API Gateway may invoke each alias used, from this API only.
        let used: BTreeSet<&str> = config.api.routes.iter().map(|r| r.function.as_str()).collect();
        let permissions = resources_of_type(t, "AWS::Lambda::Permission");
        assert_eq!(permissions.len(), used.len(), "{env}");
        for function in used {
            let alias = json!({"Fn::ImportValue": alias_export(&all["app"], env, function)});
            let permitted = permissions.iter().any(|(_, p)| {
                let p = &p["Properties"];
                p["FunctionName"] == alias
                    && p["Principal"] == "apigateway.amazonaws.com"
                    && p["Action"] == "lambda:InvokeFunction"
                    && p["SourceArn"]
                        == json!({"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*"})
            });
            assert!(permitted, "{env}: no API Gateway invoke permission on the {function} alias");
        }
    }
}

#[test]
fn vc_start_validates_its_body_against_the_section_4_model() {
    let t = &templates("prod")["api"];
    let models = resources_of_type(t, "AWS::ApiGateway::Model");
    assert_eq!(models.len(), 1);
    let (model_id, model) = models[0];
    let p = &model["Properties"];
    assert_eq!(p["Name"], "VCStartRequest");
    assert_eq!(p["ContentType"], "application/json");
    let mut schema = p["Schema"].clone();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    schema.as_object_mut().unwrap().remove("$schema");
    assert_eq!(
        schema,
        json!({
            "type": "object",
            "required": ["email", "business_name"],
            "properties": {
                "email": {"type": "string", "format": "email", "maxLength": 255},
                "business_name": {"type": "string", "minLength": 2, "maxLength": 100},
                "website": {"type": "string", "format": "uri", "maxLength": 255},
                "consent": {
                    "type": "object",
                    "required": ["analytics"],
                    "properties": {"analytics": {"type": "boolean"}, "marketing": {"type": "boolean"}}
                }
            }
        })
    );
    let validators = resources_of_type(t, "AWS::ApiGateway::RequestValidator");
    assert_eq!(validators.len(), 1);
    assert_eq!(validators[0].1["Properties"]["ValidateRequestBody"], true);
    let methods = methods(t);
    let start = methods[&("/api/v1/vc/start".into(), "POST".into())];
    assert_eq!(start["RequestModels"], json!({"application/json": {"Ref": model_id}}));
    assert_eq!(start["RequestValidatorId"], json!({"Ref": validators[0].0}));
    let validated = methods.values().filter(|m| m.get("RequestValidatorId").is_some()).count();
    assert_eq!(validated, 1);
}

#[test]
fn every_resource_with_routes_answers_preflights() {
    for env in ENVIRONMENTS {
        let t = &templates(env)["api"];
        let methods = methods(t);
        let routed: BTreeSet<&String> = methods.keys().filter(|(_, v)| v != "OPTIONS").map(|(p, _)| p).collect();
        let preflighted: BTreeSet<&String> = methods.keys().filter(|(_, v)| v == "OPTIONS").map(|(p, _)| p).collect();
        assert_eq!(routed, preflighted, "{env}");
        for ((path, _), m) in methods.iter().filter(|((_, v), _)| v == "OPTIONS") {
            let integration = &m["Integration"];
            assert_eq!(integration["Type"], "MOCK", "{path}");
            let response = &integration["IntegrationResponses"][0];
            let headers = &response["ResponseParameters"];
            assert_eq!(headers["method.response.header.Access-Control-Allow-Methods"], "'GET,POST,PUT,DELETE,OPTIONS'");
            assert_eq!(
                headers["method.response.header.Access-Control-Allow-Headers"],
                "'Content-Type,Authorization,X-Requested-With'"
            );
            assert_eq!(headers["method.response.header.Vary"], "'Origin'");
            let declared = &m["MethodResponses"][0]["ResponseParameters"];
            for header in headers.as_object().unwrap().keys() {
                assert!(declared.get(header).is_some(), "{path}: {header} is not a declared method response header");
            }
        }
    }
}

/// The origins the preflight template echoes, the stage variable the functions read, and
/// the origin answered by default.
fn cors(t: &Value) -> (String, String, String) {
    let methods = methods(t);
    let preflight = methods[&("/api/v1/vc/start".into(), "OPTIONS".into())];
    let response = &preflight["Integration"]["IntegrationResponses"][0];
    let template = response["ResponseTemplates"]["application/json"].as_str().unwrap().to_owned();
    let default = &response["ResponseParameters"]["method.response.header.Access-Control-Allow-Origin"];
    let stage = &resources_of_type(t, "AWS::ApiGateway::Stage")[0].1["Properties"];
    let variable = stage["Variables"]["corsAllowedOrigins"].as_str().unwrap().to_owned();
    (template, variable, default.as_str().unwrap().to_owned())
}

#[test]
fn cors_allows_the_section_4_origins_and_localhost_outside_prod_only() {
    let (template, variable, default) = cors(&templates("prod")["api"]);
    assert_eq!(variable, "https://matbakh.app,https://app.matbakh.app");
    assert!(
        template.contains("$origin == 'https://matbakh.app' || $origin == 'https://app.matbakh.app'"),
        "{template}"
    );
    assert!(template.contains("#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)"));
    assert!(!template.contains("localhost"));
    assert_eq!(default, "'https://matbakh.app'");

    let (template, variable, _) = cors(&templates("dev")["api"]);
    assert_eq!(variable, "https://matbakh.app,https://app.matbakh.app,http://localhost:3000");
    assert!(template.contains("$origin == 'http://localhost:3000'"), "{template}");

    // The functions get the allow-list of their environment through the stage variable.
    for env in ENVIRONMENTS {
        let config = load_env(env);
        let (_, variable, _) = cors(&templates(env)["api"]);
        assert_eq!(variable, config.api.cors_origins.join(","), "{env}");
    }
}

/// §4 `ErrorResponse` from API Gateway itself: validation 400, authorizer 401, 403,
/// throttling 429 and every other 4xx/5xx, with CORS that no credentials can widen.
#[test]
fn api_gateways_own_errors_answer_with_the_error_response_shape() {
    let codes = [
        ("BAD_REQUEST_BODY", "ValidationError"),
        ("BAD_REQUEST_PARAMETERS", "ValidationError"),
        ("UNAUTHORIZED", "Unauthorized"),
        ("ACCESS_DENIED", "Forbidden"),
        ("THROTTLED", "TooManyRequests"),
        ("QUOTA_EXCEEDED", "TooManyRequests"),
        ("DEFAULT_4XX", "ClientError"),
        ("DEFAULT_5XX", "ServerError"),
    ];
    for env in ENVIRONMENTS {
        let t = &templates(env)["api"];
        let responses: BTreeMap<&str, &Value> = resources_of_type(t, "AWS::ApiGateway::GatewayResponse")
            .into_iter()
            .map(|(_, r)| (r["Properties"]["ResponseType"].as_str().unwrap(), &r["Properties"]))
            .collect();
        assert_eq!(responses.keys().copied().collect::<BTreeSet<_>>(), codes.iter().map(|(t, _)| *t).collect());
        for (response_type, code) in codes {
            let p = responses[response_type];
            assert_eq!(p["RestApiId"], json!({"Ref": "RestApi"}));
            // API Gateway's status code for the type stays.
            assert!(p.get("StatusCode").is_none(), "{env} {response_type}");
            let template = p["ResponseTemplates"]["application/json"].as_str().unwrap();
            // messageString arrives quoted and escaped, the others are plain tokens.
            let body = template
                .replace("$context.error.messageString", r#""Unauthorized \"token\"""#)
                .replace("$context.requestId", "c0ffee")
                .replace("$context.error.responseType", response_type);
            let body: Value =
                serde_json::from_str(&body).unwrap_or_else(|e| panic!("{env} {response_type}: {e}: {template}"));
            assert_eq!(
                body,
                json!({"error": code, "message": "Unauthorized \"token\"", "request_id": "c0ffee",
                    "details": {"response_type": response_type}}),
                "{env} {response_type}"
            );
            // No allow-list is possible here: every origin, never with credentials.
            let headers = &p["ResponseParameters"];
            assert_eq!(headers["gatewayresponse.header.Access-Control-Allow-Origin"], "'*'", "{env} {response_type}");
            assert_eq!(headers["gatewayresponse.header.Access-Control-Allow-Methods"], "'GET,POST,PUT,DELETE,OPTIONS'");
            assert!(headers.get("gatewayresponse.header.Access-Control-Allow-Credentials").is_none());
            assert!(headers.as_object().unwrap().values().all(|v| v != "method.request.header.Origin"));
        }
    }
    // Without CORS origins the responses keep their shape and carry no CORS headers.
    let mut no_cors = load_env("prod");
    no_cors.api.cors_origins.clear();
    let t = api_template(&no_cors);
    let responses = resources_of_type(&t, "AWS::ApiGateway::GatewayResponse");
    assert_eq!(responses.len(), codes.len());
    assert!(responses.iter().all(|(_, r)| r["Properties"].get("ResponseParameters").is_none()));
}

/// The api template of a (changed) environment.
fn api_template(env: &matbakh_infra::config::Environment) -> Value {
    let assembly = constructs::build(env, &repo_root()).unwrap();
    let rendered = render(&assembly, Format::Json).unwrap();
    serde_json::from_str(&rendered.stacks.iter().find(|s| s.id == "api").unwrap().body).unwrap()
}

#[test]
fn the_stage_throttles_caches_traces_and_logs_per_section_4() {
    let t = &templates("prod")["api"];
    let stages = resources_of_type(t, "AWS::ApiGateway::Stage");
    assert_eq!(stages.len(), 1);
    let p = &stages[0].1["Properties"];
    assert_eq!(p["StageName"], "v1");
    assert_eq!(p["TracingEnabled"], true);
    assert_eq!(p["CacheClusterEnabled"], true);
    assert_eq!(p["CacheClusterSize"], "0.5");
    let settings = p["MethodSettings"].as_array().unwrap();
    let all = &settings[0];
    assert_eq!((&all["ResourcePath"], &all["HttpMethod"]), (&json!("/*"), &json!("*")));
    assert_eq!(all["ThrottlingBurstLimit"], 5000);
    assert_eq!(all["ThrottlingRateLimit"], 2000.0);
    assert_eq!(all["MetricsEnabled"], true);
    assert_eq!(all["LoggingLevel"], "INFO");
    assert_eq!(all["DataTraceEnabled"], false);
    assert_eq!(all["CacheTtlInSeconds"], 300);
    for setting in settings {
        assert_eq!(setting["ThrottlingBurstLimit"], 5000);
        assert_eq!(setting["CacheTtlInSeconds"], 300);
    }

    // Cached: the authenticated GETs, keyed by the caller's token, origin and path parameters.
    let methods = methods(t);
    let cached: BTreeSet<(String, String)> = settings
        .iter()
        .filter(|s| s["CachingEnabled"] == true)
        .map(|s| {
            let path = s["ResourcePath"].as_str().unwrap().strip_prefix('/').unwrap().replace("~1", "/");
            (path, s["HttpMethod"].as_str().unwrap().to_owned())
        })
        .collect();
    let expected: BTreeSet<(String, String)> = methods
        .iter()
        .filter(|((_, verb), m)| verb == "GET" && m["AuthorizationType"] == "COGNITO_USER_POOLS")
        .map(|((path, verb), _)| (path.clone(), verb.clone()))
        .collect();
    assert_eq!(cached, expected);
    assert!(cached.contains(&("/api/v1/business/partners/{id}".into(), "GET".into())));
    let keys = &methods[&("/api/v1/business/partners/{id}".into(), "GET".into())]["Integration"]["CacheKeyParameters"];
    assert_eq!(
        *keys,
        json!(["method.request.header.Authorization", "method.request.header.Origin", "method.request.path.id"])
    );
    // List routes are keyed by their query parameters: page 2 is not served page 1.
    let list = methods[&("/api/v1/business/partners".into(), "GET".into())];
    assert_eq!(
        list["Integration"]["CacheKeyParameters"],
        json!([
            "method.request.header.Authorization",
            "method.request.header.Origin",
            "method.request.querystring.limit",
            "method.request.querystring.page",
            "method.request.querystring.status"
        ])
    );
    assert_eq!(list["RequestParameters"]["method.request.querystring.page"], false);
    for (path, verb) in [("/api/v1/vc/result/{token}", "GET"), ("/api/v1/integrations/google/oauth", "GET")] {
        assert!(!cached.contains(&(path.into(), verb.into())), "anonymous {verb} {path} is cached");
    }

    let log_arn = &p["AccessLogSetting"]["DestinationArn"];
    let log_group = &t["Resources"][log_arn["Fn::GetAtt"][0].as_str().unwrap()]["Properties"];
    assert_eq!(log_group["RetentionInDays"], 90);
    let format: Value = serde_json::from_str(p["AccessLogSetting"]["Format"].as_str().unwrap()).unwrap();
    assert_eq!(format["requestId"], "$context.requestId");
    // Logging needs the account-wide CloudWatch role first.
    assert!(stages[0].1["DependsOn"].as_array().unwrap().contains(&json!("ApiGatewayAccount")));
    let account = &resources_of_type(t, "AWS::ApiGateway::Account")[0].1;
    let role = &t["Resources"][account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0].as_str().unwrap()];
    assert_eq!(
        role["Properties"]["ManagedPolicyArns"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"}])
    );
    assert_eq!(role["DeletionPolicy"], "Retain");

    let dev = &templates("dev")["api"];
    let p = &resources_of_type(dev, "AWS::ApiGateway::Stage")[0].1["Properties"];
    assert_eq!(p["CacheClusterEnabled"], false);
    assert!(p.get("CacheClusterSize").is_none());
    assert!(p["MethodSettings"].as_array().unwrap().iter().all(|s| s["CachingEnabled"] == false));
    assert_eq!(p["TracingEnabled"], true);
}

#[test]
fn usage_plans_carry_the_per_client_limits_and_bind_to_the_stage() {
    let t = &templates("prod")["api"];
    let plans: BTreeMap<&str, &Value> = resources_of_type(t, "AWS::ApiGateway::UsagePlan")
        .into_iter()
        .map(|(_, p)| (p["Properties"]["UsagePlanName"].as_str().unwrap(), &p["Properties"]))
        .collect();
    assert_eq!(
        plans.keys().copied().collect::<Vec<_>>(),
        ["matbakh-prod-api-anonymous", "matbakh-prod-api-authenticated"]
    );
    for (name, per_minute) in [("matbakh-prod-api-authenticated", 1000.0), ("matbakh-prod-api-anonymous", 100.0)] {
        let p = plans[name];
        assert_eq!(p["Throttle"]["RateLimit"].as_f64().unwrap(), per_minute / 60.0, "{name}");
        assert!(p["Throttle"]["BurstLimit"].as_u64().unwrap() >= 1, "{name}");
        assert_eq!(p["ApiStages"], json!([{"ApiId": {"Ref": "RestApi"}, "Stage": {"Ref": "Stage"}}]));
    }
    // Keys are issued per client outside the templates (see the api construct).
    assert!(resources_of_type(t, "AWS::ApiGateway::ApiKey").is_empty());
}

#[test]
fn the_custom_domain_exists_in_prod_and_not_in_dev() {
    let t = &templates("prod")["api"];
    let domains = resources_of_type(t, "AWS::ApiGateway::DomainName");
    assert_eq!(domains.len(), 1);
    let (domain_id, domain) = domains[0];
    let p = &domain["Properties"];
    assert_eq!(p["DomainName"], "api.matbakh.app");
    assert_eq!(p["EndpointConfiguration"], json!({"Types": ["REGIONAL"], "IpAddressType": "dualstack"}));
    assert_eq!(p["SecurityPolicy"], "TLS_1_2");
    assert!(p["RegionalCertificateArn"].as_str().unwrap().starts_with("arn:aws:acm:eu-central-1:"));
    let mappings = resources_of_type(t, "AWS::ApiGateway::BasePathMapping");
    assert_eq!(mappings.len(), 1);
    let m = &mappings[0].1["Properties"];
    assert_eq!(m["DomainName"], json!({"Ref": domain_id}));
    assert_eq!(m["Stage"], json!({"Ref": "Stage"}));
    assert!(m.get("BasePath").is_none());
    // dev uses the execute-api URL; staging has a domain of its own.
    let dev = &templates("dev")["api"];
    assert!(resources_of_type(dev, "AWS::ApiGateway::DomainName").is_empty());
    assert!(resources_of_type(dev, "AWS::ApiGateway::BasePathMapping").is_empty());
    let staging = &templates("staging")["api"];
    let domain = &resources_of_type(staging, "AWS::ApiGateway::DomainName")[0].1;
    assert_eq!(domain["Properties"]["DomainName"], "api.staging.matbakh.app");
}

#[test]
fn exports_name_the_api_and_its_stage() {
    let t = &templates("prod")["api"];
    assert_eq!(t["Outputs"]["RestApiId"]["Export"]["Name"], "matbakh-prod-api-RestApiId");
    assert_eq!(
        t["Outputs"]["StageArn"]["Value"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestApi}/stages/${Stage}"})
    );
}

/// The deployment's logical id changes with the API definition, so CloudFormation
/// deploys every change; and only then.
#[test]
fn a_changed_definition_makes_a_new_deployment() {
    let deployment_of = |env: &matbakh_infra::config::Environment| -> String {
        let assembly = constructs::build(env, &repo_root()).unwrap();
        let rendered = render(&assembly, Format::Json).unwrap();
        let api = rendered.stacks.iter().find(|s| s.id == "api").unwrap();
        let t: Value = serde_json::from_str(&api.body).unwrap();
        let deployments = resources_of_type(&t, "AWS::ApiGateway::Deployment");
        assert_eq!(deployments.len(), 1);
        let (id, deployment) = deployments[0];
        let stage = &resources_of_type(&t, "AWS::ApiGateway::Stage")[0].1;
        assert_eq!(stage["Properties"]["DeploymentId"], json!({"Ref": id}));
        // The snapshot is taken after every method exists.
        let depends: BTreeSet<&str> =
            deployment["DependsOn"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
        for (method, _) in resources_of_type(&t, "AWS::ApiGateway::Method") {
            assert!(depends.contains(method.as_str()), "the deployment does not wait for {method}");
        }
        id.clone()
    };
    let prod = load_env("prod");
    let base = deployment_of(&prod);
    assert_eq!(deployment_of(&prod), base, "deterministic");
    let mut changed = prod.clone();
    changed.api.routes[0].methods.push(HttpMethod::Put);
    assert_ne!(deployment_of(&changed), base);
    let mut changed = prod.clone();
    changed.api.routes[15].authenticated = false;
    assert_ne!(deployment_of(&changed), base);
    // Stage settings are not part of the deployment.
    let mut changed = prod;
    changed.api.throttling.rate_limit = 1000;
    assert_eq!(deployment_of(&changed), base);
}

/// Every declared query parameter is a method request parameter in every environment, and
/// part of the cache key exactly where the stage cache serves the method.
#[test]
fn query_parameters_are_declared_and_key_the_cache_where_it_serves() {
    for env in ENVIRONMENTS {
        let config = load_env(env);
        let t = &templates(env)["api"];
        let methods = methods(t);
        let mut declared = 0;
        for route in &config.api.routes {
            let queries = route.query_parameters.as_deref().unwrap_or_default();
            for verb in &route.methods {
                let m = methods[&(route.path.clone(), verb.as_str().to_owned())];
                let keys: BTreeSet<&str> = m["Integration"]["CacheKeyParameters"]
                    .as_array()
                    .map(|k| k.iter().map(|k| k.as_str().unwrap()).collect())
                    .unwrap_or_default();
                let cached = config.api.caches(route, *verb);
                for query in queries {
                    declared += 1;
                    let name = format!("method.request.querystring.{}", query.name);
                    assert_eq!(m["RequestParameters"][&name], query.required, "{env} {verb:?} {} {name}", route.path);
                    assert_eq!(keys.contains(name.as_str()), cached, "{env} {verb:?} {} {name}", route.path);
                }
                // Nothing undeclared: every querystring key is a declared parameter.
                let querystring_keys = keys.iter().filter(|k| k.starts_with("method.request.querystring.")).count();
                assert_eq!(querystring_keys, if cached { queries.len() } else { 0 }, "{env} {verb:?} {}", route.path);
                if cached {
                    assert!(route.query_parameters.is_some(), "{env}: cached {} declares its parameters", route.path);
                }
            }
        }
        assert!(declared >= 20, "{env}: the list routes declare paging and filters ({declared})");
    }
    // The design's list routes page; the admin lists filter.
    let prod = load_env("prod");
    let names = |path: &str| -> Vec<String> {
        let route = prod.api.routes.iter().find(|r| r.path == path).unwrap();
        route.query_parameters.as_ref().unwrap().iter().map(|q| q.name.clone()).collect()
    };
    for path in ["/api/v1/business/partners", "/api/v1/business/profiles", "/api/v1/vc/results", "/api/v1/admin/leads"]
    {
        assert!(names(path).starts_with(&["page".to_owned(), "limit".to_owned()]), "{path}");
    }
    assert_eq!(names("/api/v1/admin/analytics"), ["from", "to"]);
}

/// A required query parameter is checked by API Gateway (a parameter validator on exactly
/// those methods); optional ones are not, and vc/start keeps its body validator.
#[test]
fn required_query_parameters_are_validated_by_api_gateway() {
    let prod = load_env("prod");
    assert!(resources_of_type(&templates("prod")["api"], "AWS::ApiGateway::RequestValidator").len() == 1);
    let mut changed = prod.clone();
    let leads = changed.api.routes.iter_mut().find(|r| r.path == "/api/v1/admin/leads").unwrap();
    leads.query_parameters.as_mut().unwrap()[0].required = true;
    let t = api_template(&changed);
    let validators = resources_of_type(&t, "AWS::ApiGateway::RequestValidator");
    let (id, validator) = validators.iter().find(|(id, _)| id.as_str() == "ParameterValidator").unwrap();
    assert_eq!(validator["Properties"]["ValidateRequestParameters"], true);
    assert_eq!(validator["Properties"]["ValidateRequestBody"], false);
    let methods = methods(&t);
    let leads = methods[&("/api/v1/admin/leads".into(), "GET".into())];
    assert_eq!(leads["RequestParameters"]["method.request.querystring.page"], true);
    assert_eq!(leads["RequestValidatorId"], json!({"Ref": id}));
    let validated: Vec<_> =
        methods.iter().filter(|(_, m)| m.get("RequestValidatorId").is_some()).map(|(k, _)| k).collect();
    assert_eq!(validated.len(), 2, "admin/leads and vc/start: {validated:?}");
}

/// DNS for the custom domain: A and AAAA aliases to the dual-stack regional endpoint in the
/// configured zone, where a domain and a zone are configured.
#[test]
fn the_custom_domain_gets_alias_records_in_its_hosted_zone() {
    for env in ENVIRONMENTS {
        let config = load_env(env);
        let t = &templates(env)["api"];
        let records = resources_of_type(t, "AWS::Route53::RecordSet");
        let Some(custom) = &config.api.custom_domain else {
            assert!(records.is_empty(), "{env}");
            continue;
        };
        let zone = custom.hosted_zone_id.as_deref().unwrap_or_else(|| panic!("{env} names its hosted zone"));
        let (domain_id, domain) = resources_of_type(t, "AWS::ApiGateway::DomainName")[0];
        assert_eq!(
            domain["Properties"]["EndpointConfiguration"],
            json!({"Types": ["REGIONAL"], "IpAddressType": "dualstack"}),
            "{env}"
        );
        let types: BTreeSet<&str> = records.iter().map(|(_, r)| r["Properties"]["Type"].as_str().unwrap()).collect();
        assert_eq!(types, BTreeSet::from(["A", "AAAA"]), "{env}");
        for (_, r) in records {
            let p = &r["Properties"];
            assert_eq!(p["HostedZoneId"], zone, "{env}");
            assert_eq!(p["Name"], custom.domain_name.as_str(), "{env}");
            assert_eq!(
                p["AliasTarget"],
                json!({
                    "DNSName": {"Fn::GetAtt": [domain_id, "RegionalDomainName"]},
                    "HostedZoneId": {"Fn::GetAtt": [domain_id, "RegionalHostedZoneId"]},
                    "EvaluateTargetHealth": false
                }),
                "{env}"
            );
        }
    }
    // A domain whose DNS is served elsewhere gets no records.
    let mut elsewhere = load_env("prod");
    elsewhere.api.custom_domain.as_mut().unwrap().hosted_zone_id = None;
    let t = api_template(&elsewhere);
    assert!(resources_of_type(&t, "AWS::Route53::RecordSet").is_empty());
    assert_eq!(resources_of_type(&t, "AWS::ApiGateway::DomainName").len(), 1);
}
