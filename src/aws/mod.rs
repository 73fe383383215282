//! Talking to AWS through the official SDK for Rust. Everything else in the crate sees
//! only the traits and plain types defined here, so plan, apply and drift can be
//! tested at this boundary with response shapes taken from the AWS API reference.

pub mod artifacts;
pub mod change_sets;
pub mod cloudformation;
mod config;
pub mod identity;
pub mod permissions;
pub mod retry;
pub mod services;
pub mod stack_admin;
pub mod stack_drift;
pub mod stack_read;
pub mod status;

pub use config::{AwsOptions, Connection, connect, load_config};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum AwsError {
    /// A service error, with its code (e.g. `ValidationError`) and message.
    #[error("{operation}: {code}: {message}")]
    Service { operation: &'static str, code: String, message: String },
    /// No answer: connection refused, timeout, bad endpoint, missing credentials.
    #[error("{operation}: {detail}; check the endpoint (--endpoint-url / AWS_ENDPOINT_URL), region and credentials")]
    Transport { operation: &'static str, detail: String },
    /// An operation the endpoint does not implement (e.g. the local AWS's missing APIs).
    #[error(
        "{operation}: the endpoint answered with no AWS error ({detail}); it may not implement this call or case (check its log)"
    )]
    Unsupported { operation: &'static str, detail: String },
    /// An answer the SDK could not read (a body that does not parse as the operation's
    /// response). Never "not emulated": the tool cannot tell what the service said.
    #[error(
        "{operation}: the answer could not be read ({detail}); the endpoint or a proxy returned something that is not this operation's response"
    )]
    Unreadable { operation: &'static str, detail: String },
    /// 502/503/504 without an AWS error body: the service (or a proxy) is briefly
    /// unavailable; worth retrying.
    #[error("{operation}: the service answered HTTP {status} (unavailable); try again later")]
    Unavailable { operation: &'static str, status: u16 },
}

impl AwsError {
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Throttling and brief unavailability: the same call may succeed a moment later.
    /// (Lost connections count too; a call that is not idempotent must carry a client
    /// request token before it is retried on that basis.)
    pub fn is_transient(&self) -> bool {
        match self {
            AwsError::Service { code, .. } => TRANSIENT_CODES.contains(&code.as_str()),
            AwsError::Transport { detail, .. } => !detail.starts_with("no AWS credentials"),
            AwsError::Unavailable { .. } => true,
            AwsError::Unsupported { .. } | AwsError::Unreadable { .. } => false,
        }
    }

    /// Converts an SDK error, keeping the whole cause chain for transport failures.
    pub(crate) fn from_sdk<E>(
        operation: &'static str,
        err: aws_sdk_cloudformation::error::SdkError<E, aws_sdk_cloudformation::config::http::HttpResponse>,
    ) -> Self
    where
        E: aws_sdk_cloudformation::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        use aws_sdk_cloudformation::error::{DisplayErrorContext, SdkError};
        match &err {
            SdkError::ServiceError(service) => {
                let e = service.err();
                match e.code() {
                    Some(code) => AwsError::Service {
                        operation,
                        code: code.to_owned(),
                        message: e.message().unwrap_or_default().to_owned(),
                    },
                    None if matches!(service.raw().status().as_u16(), 502..=504) => {
                        AwsError::Unavailable { operation, status: service.raw().status().as_u16() }
                    }
                    // No AWS error code: the endpoint answered something that is not an
                    // AWS error (an emulator's HTML page for an API or case it lacks).
                    None => AwsError::Unsupported {
                        operation,
                        detail: format!("HTTP {} without an AWS error code", service.raw().status().as_u16()),
                    },
                }
            }
            // A response the SDK could not parse: an error, never "not implemented".
            SdkError::ResponseError(_) => {
                AwsError::Unreadable { operation, detail: DisplayErrorContext(&err).to_string() }
            }
            _ => AwsError::Transport { operation, detail: transport_detail(&DisplayErrorContext(&err).to_string()) },
        }
    }
}

/// Error codes AWS uses for throttling and transient server-side failures.
const TRANSIENT_CODES: [&str; 9] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "SlowDown",
    "ServiceUnavailable",
    "InternalFailure",
];

/// The readable part of a transport error: the SDK appends a `Debug` dump of the whole
/// error in parentheses, and credential failures deserve a plain instruction.
fn transport_detail(full: &str) -> String {
    if full.contains("loading credentials") {
        return "no AWS credentials found (set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
            .to_owned();
    }
    match full.find(" (DispatchFailure(").or_else(|| full.find(" (TimeoutError(")) {
        Some(i) => full[..i].to_owned(),
        None => full.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::transport_detail;

    #[test]
    fn transport_errors_drop_the_debug_dump_and_explain_missing_credentials() {
        let cred = "dispatch failure: other: an error occurred while loading credentials: failed (DispatchFailure(X))";
        assert!(transport_detail(cred).starts_with("no AWS credentials found"));
        let refused = "dispatch failure: io error: tcp connect error: Connection refused (DispatchFailure(DispatchFailure { .. }))";
        assert_eq!(transport_detail(refused), "dispatch failure: io error: tcp connect error: Connection refused");
    }
}
