//! The responses API Gateway generates itself (request validation, the authorizer,
//! throttling, its own 4xx and 5xx) in the design's `ErrorResponse` shape (§4): `error`,
//! `message`, `request_id`, and `details.response_type` naming the gateway response.
//!
//! CORS: a gateway response can only set static headers or copy request values; it cannot
//! compare `Origin` with the allow-list as the functions do. So it allows every origin
//! (`*`): without `Access-Control-Allow-Credentials` (the API takes bearer tokens, never
//! cookies) a browser sends no credentials with such a read, and these bodies hold only
//! API Gateway's generic message and the request id, which any site could get by calling
//! the API itself. The apps can then read the 401 that tells them to refresh a token and
//! the 429 that tells them to back off. Echoing `Origin` instead would say the same to every
//! origin while looking like an allow-list; `*` cannot be combined with credentials by any
//! browser, so a later `Allow-Credentials` could not silently widen it.

use std::collections::BTreeMap;

use crate::cfn::Str;
use crate::cfn::resources::apigateway::GatewayResponse;
use crate::config::model::Api;

use super::{CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, quoted};

/// Logical id, response type and the `error` code it answers with. The types the design's
/// clients act on are named (their codes match the functions' own: `ValidationError`,
/// `Forbidden`); every other type falls back to its default (status code kept).
pub const RESPONSES: [(&str, &str, &str); 8] = [
    ("BadRequestBodyResponse", "BAD_REQUEST_BODY", "ValidationError"),
    ("BadRequestParametersResponse", "BAD_REQUEST_PARAMETERS", "ValidationError"),
    ("UnauthorizedResponse", "UNAUTHORIZED", "Unauthorized"),
    ("AccessDeniedResponse", "ACCESS_DENIED", "Forbidden"),
    ("ThrottledResponse", "THROTTLED", "TooManyRequests"),
    ("QuotaExceededResponse", "QUOTA_EXCEEDED", "TooManyRequests"),
    ("Default4xxResponse", "DEFAULT_4XX", "ClientError"),
    ("Default5xxResponse", "DEFAULT_5XX", "ServerError"),
];

/// The `application/json` body: `$context.error.messageString` is the message already
/// quoted and escaped for JSON (API Gateway's `$context` reference), so it goes in bare;
/// the request id and response type are plain tokens, quoted here.
pub fn body_template(code: &str) -> String {
    format!(
        "{{\"error\": \"{code}\", \"message\": $context.error.messageString, \"request_id\": \"$context.requestId\", \
         \"details\": {{\"response_type\": \"$context.error.responseType\"}}}}"
    )
}

/// Every gateway response of the API, with CORS headers where the API has origins.
pub fn build(api: &Api, api_id: &Str) -> Vec<(&'static str, GatewayResponse)> {
    let cors: BTreeMap<String, String> = if api.cors_origins.is_empty() {
        BTreeMap::new()
    } else {
        let header = |name: &str| format!("gatewayresponse.header.{name}");
        BTreeMap::from([
            (header("Access-Control-Allow-Origin"), quoted("*")),
            (header("Access-Control-Allow-Methods"), quoted(CORS_ALLOW_METHODS)),
            (header("Access-Control-Allow-Headers"), quoted(CORS_ALLOW_HEADERS)),
        ])
    };
    RESPONSES
        .iter()
        .map(|&(id, response_type, code)| {
            (
                id,
                GatewayResponse {
                    rest_api_id: api_id.clone(),
                    response_type,
                    response_parameters: cors.clone(),
                    response_templates: BTreeMap::from([("application/json".to_owned(), body_template(code))]),
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_json_once_api_gateway_substitutes_the_variables() {
        // What API Gateway puts in for the variables: messageString arrives quoted and escaped.
        let body = body_template("Unauthorized")
            .replace("$context.error.messageString", r#""Say \"hi\"""#)
            .replace("$context.requestId", "c0ffee-1")
            .replace("$context.error.responseType", "UNAUTHORIZED");
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"error": "Unauthorized", "message": "Say \"hi\"", "request_id": "c0ffee-1",
                "details": {"response_type": "UNAUTHORIZED"}})
        );
    }
}
