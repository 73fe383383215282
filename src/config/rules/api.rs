//! API Gateway of §4: routes and their functions, CORS origins, the stage cache, usage
//! plans and log retention.

use super::Sections;
use super::at;
use crate::config::Finding;
use crate::config::model::{FunctionKind, Functions};

pub use crate::config::model::values::API_CACHE_SIZES_GB as CACHE_SIZES_GB;

/// Retention periods (days) CloudWatch Logs accepts.
pub const LOG_RETENTION_DAYS: [u32; 22] =
    [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let (Some(api), Some(name)) = (&s.api, &s.name) else {
        return;
    };
    for (i, origin) in api.cors_origins.iter().enumerate() {
        if let Err(problem) = check_origin(origin, name) {
            out.push(Finding::error(at(&format!("api.cors_origins[{i}]")), problem));
        }
    }

    for (i, plan) in api.usage_plans.iter().enumerate() {
        if let Some(first) = api.usage_plans[..i].iter().position(|p| p.name == plan.name) {
            out.push(Finding::error(
                at(&format!("api.usage_plans[{i}].name")),
                format!(
                    "usage plan {} is defined twice (first at usage_plans[{first}]); name each plan once",
                    plan.name
                ),
            ));
        }
        if plan.requests_per_minute == 0 {
            out.push(Finding::error(
                at(&format!("api.usage_plans[{i}].requests_per_minute")),
                "0 requests per minute would refuse every request of the plan's clients; give a positive rate",
            ));
        }
    }

    if !CACHE_SIZES_GB.contains(&api.cache.size_gb.as_str()) {
        out.push(Finding::error(
            at("api.cache.size_gb"),
            format!(
                "{:?} is not a stage cache size API Gateway offers; use one of {} (GB)",
                api.cache.size_gb,
                CACHE_SIZES_GB.join(", ")
            ),
        ));
    }

    if !LOG_RETENTION_DAYS.contains(&api.access_log_retention_days) {
        out.push(Finding::error(
            at("api.access_log_retention_days"),
            format!(
                "{} days is not a retention CloudWatch Logs accepts; use one of {}",
                api.access_log_retention_days,
                LOG_RETENTION_DAYS.map(|d| d.to_string()).join(", ")
            ),
        ));
    }

    for (i, route) in api.routes.iter().enumerate() {
        for (j, method) in route.methods.iter().enumerate() {
            let earlier = api.routes[..=i].iter().enumerate().find_map(|(k, r)| {
                let methods = if k == i { &r.methods[..j] } else { &r.methods[..] };
                (r.path == route.path && methods.contains(method)).then_some(k)
            });
            if let Some(k) = earlier {
                out.push(Finding::error(
                    at(&format!("api.routes[{i}].methods[{j}]")),
                    format!(
                        "{} {} is already routed by api.routes[{k}]; each path and method is served by one route",
                        method.as_str(),
                        route.path
                    ),
                ));
            }
        }

        // Which functions exist is known only when `functions` is valid.
        if let Some(functions) = &s.functions {
            let path = at(&format!("api.routes[{i}].function"));
            match functions.definitions.iter().find(|f| f.name == route.function) {
                None => out.push(Finding::error(
                    path,
                    format!(
                        "{} is not a function in functions.definitions; name a function of kind api ({})",
                        route.function,
                        api_functions(functions)
                    ),
                )),
                Some(f) if f.kind != FunctionKind::Api => out.push(Finding::error(
                    path,
                    format!(
                        "{} is not a function of kind api; routes are served by api functions (30 s timeout, within API \
                         Gateway's 29 s integration limit): {}",
                        route.function,
                        api_functions(functions)
                    ),
                )),
                Some(_) => {}
            }
        }

        let queries = route.query_parameters.as_deref().unwrap_or_default();
        for (j, query) in queries.iter().enumerate() {
            if let Some(first) = queries[..j].iter().position(|q| q.name == query.name) {
                out.push(Finding::error(
                    at(&format!("api.routes[{i}].query_parameters[{j}].name")),
                    format!(
                        "query parameter {} is declared twice for {} (first at query_parameters[{first}]); declare \
                         each once",
                        query.name, route.path
                    ),
                ));
            }
        }
        if route.query_parameters.is_none() && route.methods.iter().any(|&m| api.caches(route, m)) {
            out.push(Finding::error(
                at(&format!("api.routes[{i}].query_parameters")),
                format!(
                    "GET {} is served from the stage cache, whose key names query parameters one by one; list the \
                     query parameters the route reads (e.g. [{{ name: page }}, {{ name: limit }}], or [] if none), or \
                     the cache answers one query with another's response (page 2 with page 1)",
                    route.path
                ),
            ));
        }

        if !route.authenticated && route.path.split('/').any(|s| s == "admin") {
            out.push(Finding::error(
                at(&format!("api.routes[{i}].authenticated")),
                format!("{} is an admin route and must be authenticated; set authenticated: true", route.path),
            ));
        }
    }
}

fn api_functions(functions: &Functions) -> String {
    let names: Vec<&str> =
        functions.definitions.iter().filter(|f| f.kind == FunctionKind::Api).map(|f| f.name.as_str()).collect();
    if names.is_empty() { "there is none yet".to_owned() } else { names.join(", ") }
}

/// A browser origin: `https://host[:port]`, or `http://localhost[:port]` outside prod;
/// no path (browsers send none, so an origin with one never matches), lowercase host.
fn check_origin(origin: &str, env_name: &str) -> Result<(), String> {
    let example = "e.g. https://app.matbakh.app";
    let Some((scheme, authority)) = origin.split_once("://") else {
        return Err(format!("{origin:?} is not an origin; write scheme://host, {example}"));
    };
    if authority.contains(['/', '?', '#']) {
        return Err(format!(
            "{origin} has a path; an origin is scheme://host[:port] only (browsers send no path or trailing slash), \
             {example}"
        ));
    }
    let (host, port) = authority.rsplit_once(':').map_or((authority, None), |(h, p)| (h, Some(p)));
    let host_ok =
        !host.is_empty() && host.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
    if !host_ok || !port_ok {
        return Err(format!(
            "{origin:?} is not an origin; write scheme://host[:port] with a lowercase host, {example}"
        ));
    }
    match scheme {
        "https" => Ok(()),
        "http" if host == "localhost" && env_name == "prod" => {
            Err(format!("{origin} is a local development origin; http://localhost is allowed outside prod only"))
        }
        "http" if host == "localhost" => Ok(()),
        _ => Err(format!("{origin} is not https; CORS origins are https (http://localhost outside prod only)")),
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::config::Environment;
    use crate::config::Finding;
    use crate::config::model::{FunctionKind, HttpMethod, QueryParameter, Route, UsagePlan};
    use crate::config::rules::test_support::{self, assert_error, findings_of};

    fn findings(edit: impl FnOnce(&mut Environment)) -> Vec<Finding> {
        test_support::findings(check, edit)
    }

    fn route(path: &str, methods: &[HttpMethod], function: &str, authenticated: bool) -> Route {
        Route {
            path: path.to_owned(),
            methods: methods.to_vec(),
            function: function.to_owned(),
            authenticated,
            request_model: None,
            query_parameters: None,
        }
    }

    #[test]
    fn every_environment_file_is_clean() {
        assert_eq!(findings(|_| {}), []);
        for text in [include_str!("../../../stacks/dev.yaml"), include_str!("../../../stacks/staging.yaml")] {
            let env: Environment = serde_yaml::from_str(text).unwrap();
            assert_eq!(findings_of(check, &env), [], "{}", env.name);
        }
    }

    #[test]
    fn a_path_and_method_is_routed_once() {
        let found =
            findings(|e| e.api.routes.push(route("/api/v1/users/profile", &[HttpMethod::Put], "api-core", true)));
        assert_error(&found, "api.routes[25].methods[0]", &["PUT /api/v1/users/profile", "api.routes[5]"]);
        let found = findings(|e| e.api.routes[0].methods.push(HttpMethod::Post));
        assert_error(&found, "api.routes[0].methods[1]", &["POST /api/v1/auth/login", "api.routes[0]"]);
        // The same path with another method is a separate route (the OAuth GET and POST).
        let found =
            findings(|e| e.api.routes.push(route("/api/v1/users/profile", &[HttpMethod::Delete], "api-core", true)));
        assert_eq!(found, []);
    }

    #[test]
    fn routes_name_existing_api_functions() {
        let found = findings(|e| e.api.routes[3].function = "core".into());
        assert_error(
            &found,
            "api.routes[3].function",
            &["core is not a function", "vc-start, admin-overview, api-core"],
        );
        let found = findings(|e| e.api.routes[3].function = "vc-bedrock-run".into());
        assert_error(&found, "api.routes[3].function", &["not a function of kind api"]);
        let found = findings(|e| {
            e.functions.definitions.iter_mut().find(|f| f.name == "admin-overview").unwrap().kind =
                FunctionKind::Trigger;
        });
        assert_eq!(found.len(), 4, "every admin route: {found:#?}");
        assert!(found.iter().all(|f| f.message.contains("admin-overview is not a function of kind api")));
    }

    #[test]
    fn admin_routes_are_authenticated() {
        let found = findings(|e| e.api.routes[17].authenticated = false);
        assert_error(&found, "api.routes[17].authenticated", &["/api/v1/admin/leads", "must be authenticated"]);
        // "administration" is not the admin segment.
        let found =
            findings(|e| e.api.routes.push(route("/api/v1/administration", &[HttpMethod::Get], "api-core", false)));
        assert_eq!(found, []);
    }

    #[test]
    fn cors_origins_are_https_origins() {
        let origin = |o: &str| findings(|e| e.api.cors_origins.push(o.to_owned()));
        assert_eq!(origin("https://partner.example:8443"), []);
        let path = "api.cors_origins[2]";
        assert_error(&origin("http://matbakh.app"), path, &["not https"]);
        assert_error(&origin("https://matbakh.app/"), path, &["has a path"]);
        assert_error(&origin("matbakh.app"), path, &["not an origin"]);
        assert_error(&origin("https://Matbakh.app"), path, &["lowercase host"]);
        assert_error(&origin("https://matbakh.app:"), path, &["not an origin"]);
        assert_error(&origin("http://localhost:3000"), path, &["allowed outside prod only"]);
        let found = findings(|e| {
            e.name = "dev".into();
            e.api.cors_origins.push("http://localhost:3000".into());
        });
        assert_eq!(found, []);
    }

    #[test]
    fn cached_routes_declare_their_query_parameters() {
        // prod caches authenticated GETs: GET /business/partners without its parameters.
        let found = findings(|e| e.api.routes[8].query_parameters = None);
        assert_error(
            &found,
            "api.routes[8].query_parameters",
            &["GET /api/v1/business/partners", "page 2 with page 1"],
        );
        // An explicit empty list says the route reads none.
        assert_eq!(findings(|e| e.api.routes[8].query_parameters = Some(Vec::new())), []);
        // Not cached: without the stage cache, for anonymous routes, for other verbs.
        assert_eq!(
            findings(|e| {
                e.api.cache.enabled = false;
                e.api.routes[8].query_parameters = None;
            }),
            []
        );
        let anonymous = route("/api/v1/public/list", &[HttpMethod::Get], "api-core", false);
        assert_eq!(findings(|e| e.api.routes.push(anonymous)), []);
        let found = findings(|e| e.api.routes.push(route("/api/v1/mine", &[HttpMethod::Get], "api-core", true)));
        assert_error(&found, "api.routes[25].query_parameters", &["GET /api/v1/mine"]);
        let post = route("/api/v1/mine", &[HttpMethod::Post], "api-core", true);
        assert_eq!(findings(|e| e.api.routes.push(post)), []);
    }

    #[test]
    fn query_parameters_are_declared_once() {
        let page = QueryParameter { name: "page".into(), required: false };
        let found = findings(|e| e.api.routes[8].query_parameters.as_mut().unwrap().push(page));
        assert_error(&found, "api.routes[8].query_parameters[3].name", &["page", "twice", "query_parameters[0]"]);
    }

    #[test]
    fn cache_size_is_one_api_gateway_offers() {
        let found = findings(|e| e.api.cache.size_gb = "1".into());
        assert_error(&found, "api.cache.size_gb", &["\"1\"", "0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237"]);
        for size in super::CACHE_SIZES_GB {
            assert_eq!(findings(|e| e.api.cache.size_gb = size.into()), []);
        }
    }

    #[test]
    fn usage_plans_are_named_once_and_allow_requests() {
        let found =
            findings(|e| e.api.usage_plans.push(UsagePlan { name: "anonymous".into(), requests_per_minute: 10 }));
        assert_error(&found, "api.usage_plans[2].name", &["anonymous", "twice", "usage_plans[1]"]);
        let found = findings(|e| e.api.usage_plans[0].requests_per_minute = 0);
        assert_error(&found, "api.usage_plans[0].requests_per_minute", &["refuse every request"]);
    }

    #[test]
    fn access_log_retention_is_a_cloudwatch_value() {
        let found = findings(|e| e.api.access_log_retention_days = 31);
        assert_error(&found, "api.access_log_retention_days", &["31 days", "1, 3, 5, 7, 14, 30", "3653"]);
        assert_eq!(findings(|e| e.api.access_log_retention_days = 3653), []);
    }
}
